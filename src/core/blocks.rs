//! A list that grows without moving what it holds: what each worker of a scan collects.

/// Items in the order they were pushed, held in blocks that double in size up to
/// [`MAX_BLOCK_BYTES`]. A `Vec` that grows copies everything it holds each time it doubles,
/// and for that moment holds it twice: the 160,000 invoices a worker of `dun check` keeps of
/// a million-invoice file were copied seventeen times over, with the page faults of each new
/// copy, and the scan's peak was 64 MB above what it kept (issue #14). Here a full block
/// stays where it is and the next one is added; [`Blocks::pop`] frees each block as it
/// empties.
#[derive(Debug)]
pub struct Blocks<T> {
    /// Never an empty block: the last one is the one pushed to and popped from.
    blocks: Vec<Vec<T>>,
    len: usize,
}

/// The size a block grows to: a million invoices are about fifty blocks, and a block this
/// large is past the size from which every allocation is a mapping of its own
/// (`io::heap::give_large_blocks_back`), so that a block freed is memory the system gets
/// back, and the room a block has not used yet is not memory at all until it is written.
const MAX_BLOCK_BYTES: usize = 4 << 20;

/// The first block's room: a small file's parts stay small.
const FIRST_BLOCK: usize = 16;

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Blocks { blocks: Vec::new(), len: 0 }
    }
}

impl<T> Blocks<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, item: T) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < block.capacity() => block.push(item),
            _ => {
                let mut block = Vec::with_capacity(self.next_room());
                block.push(item);
                self.blocks.push(block);
            }
        }
        self.len += 1;
    }

    /// The room of the block after the last one: twice the last one's, up to the largest.
    fn next_room(&self) -> usize {
        let largest = (MAX_BLOCK_BYTES / size_of::<T>().max(1)).max(1);
        self.blocks.last().map_or(FIRST_BLOCK, |b| b.capacity().saturating_mul(2)).min(largest)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn last(&self) -> Option<&T> {
        self.blocks.last()?.last()
    }

    /// The last item, its block freed if that was the block's last.
    pub fn pop(&mut self) -> Option<T> {
        let block = self.blocks.last_mut()?;
        let item = block.pop();
        if block.is_empty() {
            self.blocks.pop();
        }
        self.len -= 1;
        item
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.blocks.iter().flatten()
    }

    /// The items in one list, in order.
    pub fn into_vec(self) -> Vec<T> {
        let mut all = Vec::with_capacity(self.len);
        for block in self.blocks {
            all.extend(block);
        }
        all
    }

    /// The same items in order by `key` (stable); as they are when they are in order already.
    pub fn sorted_by_key<K: Ord>(self, key: impl Fn(&T) -> K) -> Self {
        if self.iter().is_sorted_by_key(&key) {
            return self;
        }
        let mut all = self.into_vec();
        all.sort_by_key(key);
        all.into_iter().collect()
    }
}

impl<T> Extend<T> for Blocks<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.push(item);
        }
    }
}

impl<T> FromIterator<T> for Blocks<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut blocks = Blocks::new();
        blocks.extend(items);
        blocks
    }
}

/// Parts merged into one list in order by `key` (as `into` makes each item). Each worker of a
/// scan takes the file's chunks in order, so its part is in order already; one that is not is
/// sorted first. Taken from the parts' ends, so that each part gives its blocks back as they
/// empty and the peak is about one list, not two; then turned around.
pub fn merge_parts<T, U>(parts: Vec<Blocks<T>>, key: impl Fn(&T) -> u64, into: impl Fn(T) -> U) -> Vec<U> {
    let mut parts: Vec<Blocks<T>> = parts.into_iter().map(|part| part.sorted_by_key(&key)).collect();
    let mut merged = Vec::with_capacity(parts.iter().map(Blocks::len).sum());
    loop {
        let last = parts.iter().enumerate().filter_map(|(at, part)| Some((key(part.last()?), at))).max();
        let Some((_, at)) = last else { break };
        merged.extend(parts[at].pop().map(&into));
    }
    merged.reverse();
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items pushed are held where they were put: a block once made is never moved or grown.
    #[test]
    fn a_full_block_stays_where_it_is() {
        let mut blocks = Blocks::new();
        blocks.push(0u64);
        let first = blocks.last().map(|x| x as *const u64);
        for i in 1..100_000u64 {
            blocks.push(i);
        }
        assert_eq!(blocks.iter().next().map(|x| x as *const u64), first, "the first item never moved");
        assert_eq!(blocks.len(), 100_000);
        let largest = MAX_BLOCK_BYTES / size_of::<u64>();
        assert!(blocks.blocks.iter().all(|b| b.capacity() <= largest && !b.is_empty()));
        assert_eq!(blocks.blocks[0].capacity(), FIRST_BLOCK);
        assert_eq!(blocks.blocks[1].capacity(), 2 * FIRST_BLOCK, "rooms double");
        // Room for what is held and at most one block more.
        let room: usize = blocks.blocks.iter().map(Vec::capacity).sum();
        assert!(room < 100_000 + largest, "{room}");
    }

    proptest::proptest! {
        /// Parts in order, however many and however the lines fall among them (the chunks of
        /// a file go to the workers in turn), merge into one list in order, every line once.
        #[test]
        fn parts_merge_into_one_list_in_order(owner in proptest::collection::vec(0usize..4, 0..300)) {
            let mut parts: Vec<Vec<u64>> = vec![Vec::new(); 4];
            for (line, &part) in owner.iter().enumerate() {
                parts[part].push(line as u64 * 3);
            }
            // A part out of order (which a scan's never is) is put in order first.
            parts[3].reverse();
            let parts = parts.into_iter().map(|p| p.into_iter().collect()).collect();
            let merged = merge_parts(parts, |line| *line, |line| line + 1);
            let expected: Vec<u64> = (0..owner.len() as u64).map(|line| line * 3 + 1).collect();
            proptest::prop_assert_eq!(merged, expected);
        }

        /// Whatever is pushed and popped, the list is what a `Vec` would hold, and no block
        /// is left empty.
        #[test]
        fn pushes_and_pops_are_a_vecs(ops in proptest::collection::vec(proptest::option::of(0u32..1000), 0..3000)) {
            let (mut blocks, mut vec) = (Blocks::new(), Vec::new());
            for op in ops {
                match op {
                    Some(x) => {
                        blocks.push(x);
                        vec.push(x);
                    }
                    None => proptest::prop_assert_eq!(blocks.pop(), vec.pop()),
                }
                proptest::prop_assert_eq!(blocks.len(), vec.len());
                proptest::prop_assert_eq!(blocks.last(), vec.last());
            }
            proptest::prop_assert!(blocks.blocks.iter().all(|b| !b.is_empty()));
            proptest::prop_assert_eq!(blocks.iter().copied().collect::<Vec<_>>(), vec.clone());
            let sorted = blocks.sorted_by_key(|x| *x).into_vec();
            vec.sort();
            proptest::prop_assert_eq!(sorted, vec);
        }
    }
}
