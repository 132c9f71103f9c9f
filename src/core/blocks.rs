//! A list that grows without moving what it holds: what each worker of a scan collects.

use std::mem::MaybeUninit;

/// Items in the order they were pushed, held in blocks that double in size up to
/// `MAX_BLOCK_BYTES`. A `Vec` that grows copies everything it holds each time it doubles,
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
/// sorted first.
///
/// Each part moves its own items, on a thread of its own, into the places the merged order
/// gives them, freeing each of its blocks as it empties (the peak is about one list, not
/// two). The list's memory is new, and taking new memory from the system is most of a merge's
/// time (on the project's machine, 90 ms for a million-invoice ledger's 48 MB of kept
/// invoices, the only work under way): shared among the threads, not one thread's (issue
/// #14).
pub fn merge_parts<T: Send, U: Send>(
    parts: Vec<Blocks<T>>,
    key: impl Fn(&T) -> u64 + Sync,
    into: impl Fn(T) -> U + Sync,
) -> Vec<U> {
    let threads = parts.iter().filter(|part| !part.is_empty()).count() > 1
        && parts.iter().map(Blocks::len).sum::<usize>() >= ON_THREADS_FROM;
    merge_parts_on(parts, &key, &into, threads)
}

/// The merged list's length from which the parts are moved on threads of their own: below,
/// starting the threads costs more than the moving.
const ON_THREADS_FROM: usize = 16_384;

/// [`merge_parts`], on threads of their own or not.
fn merge_parts_on<T: Send, U: Send>(
    parts: Vec<Blocks<T>>,
    key: &(impl Fn(&T) -> u64 + Sync),
    into: &(impl Fn(T) -> U + Sync),
    threads: bool,
) -> Vec<U> {
    let parts: Vec<Blocks<T>> = parts.into_iter().map(|part| part.sorted_by_key(key)).collect();
    let total: usize = parts.iter().map(Blocks::len).sum();
    let mut merged: Vec<U> = Vec::with_capacity(total);
    // The places of each run of one part's items in the merged list, given to that part.
    let mut places: Vec<Vec<&mut [MaybeUninit<U>]>> = parts.iter().map(|_| Vec::new()).collect();
    let mut rest = &mut merged.spare_capacity_mut()[..total];
    for (part, count) in runs_in_order(&parts, key) {
        let (run, after) = std::mem::take(&mut rest).split_at_mut(count);
        places[part].push(run);
        rest = after;
    }
    let fill = |part: Blocks<T>, runs: Vec<&mut [MaybeUninit<U>]>| {
        let mut items = part.blocks.into_iter().flatten();
        for place in runs.into_iter().flatten() {
            place.write(into(items.next().expect("a part has as many items as its runs")));
        }
    };
    let mut jobs = parts.into_iter().zip(places);
    if threads {
        std::thread::scope(|scope| {
            let first = jobs.next();
            let others: Vec<_> = jobs.map(|(part, runs)| scope.spawn(move || fill(part, runs))).collect();
            if let Some((part, runs)) = first {
                fill(part, runs);
            }
            for other in others {
                if let Err(panic) = other.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        });
    } else {
        jobs.for_each(|(part, runs)| fill(part, runs));
    }
    // SAFETY: the runs split the first `total` places of the list's room among the parts,
    // each place in exactly one run, and each part wrote every place of its runs (a part
    // holds as many items as its runs have places: they were counted from it). A panic on
    // the way has left this function before this line.
    unsafe { merged.set_len(total) };
    merged
}

/// The merged order as runs of consecutive items of one part: (part, how many).
fn runs_in_order<T>(parts: &[Blocks<T>], key: &impl Fn(&T) -> u64) -> Vec<(usize, usize)> {
    let mut heads: Vec<_> = parts.iter().map(|part| part.iter().peekable()).collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    while let Some(at) = crate::core::next_part(&mut heads, |item| key(item)) {
        heads[at].next();
        match runs.last_mut() {
            Some((part, count)) if *part == at => *count += 1,
            _ => runs.push((at, 1)),
        }
    }
    runs
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

    /// Parts large enough to be moved on threads of their own (as a scan's are) merge into
    /// one list in order, each item (owning memory of its own) moved once.
    #[test]
    fn large_parts_merge_on_threads() {
        let lines = ON_THREADS_FROM as u64 * 2;
        // Runs of a hundred lines, as a scan's chunks fall to its workers in turn.
        let mut parts: Vec<Blocks<(u64, String)>> = vec![Blocks::new(), Blocks::new()];
        for line in 0..lines {
            parts[(line / 100 % 2) as usize].push((line, line.to_string()));
        }
        let merged = merge_parts(parts, |(line, _)| *line, |(_, text)| text);
        assert_eq!(merged.len(), lines as usize);
        assert!(merged.iter().enumerate().all(|(line, text)| *text == line.to_string()));
    }

    proptest::proptest! {
        /// Parts in order, however many and however the lines fall among them (the chunks of
        /// a file go to the workers in turn), merge into one list in order, every line once.
        #[test]
        fn parts_merge_into_one_list_in_order(
            owner in proptest::collection::vec(0usize..4, 0..300),
            threads in proptest::bool::ANY,
        ) {
            let mut parts: Vec<Vec<u64>> = vec![Vec::new(); 4];
            for (line, &part) in owner.iter().enumerate() {
                parts[part].push(line as u64 * 3);
            }
            // A part out of order (which a scan's never is) is put in order first.
            parts[3].reverse();
            let parts = parts.into_iter().map(|p| p.into_iter().collect()).collect();
            let merged = merge_parts_on(parts, &|line: &u64| *line, &|line| line + 1, threads);
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
