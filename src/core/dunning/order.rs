//! The order `dun due` lists decisions in: by customer id, then invoice number, as text.

/// Sorts decisions (or rows made of them, or their positions) by customer id, then invoice
/// number, as text (the order `dun due` lists them in), `ids` giving each item's pair; items
/// with the same pair keep their order. Compares numbers instead of text where it can: sorting
/// a quarter of a million decisions by their strings was a large part of `dun due`. The keys
/// are made once and sorted beside the items' positions, and then each item is moved once
/// into its place: a stable sort of the rows themselves (176 bytes each) was a sixth of `dun
/// due`, most of it moving rows.
pub fn sort_by_customer_and_invoice<'t, T: Sync>(
    items: &mut [T],
    ids: impl Fn(&T) -> (&'t str, &'t str) + Sync,
) {
    let halves = items.len() >= IN_HALVES_FROM && crate::core::workers() > 1;
    sort_on(items, &ids, halves);
}

/// The number of items from which the keys are made and sorted in two halves, on two threads,
/// and then merged: sorting a million-invoice ledger's quarter of a million rows was a tenth of
/// `dun due`'s time on one thread while the other had nothing to do (issue #14).
const IN_HALVES_FROM: usize = 16_384;

/// An item's place in the order: its customer id's key, its invoice number's key, its position.
type Key = (TextKey, TextKey, usize);

/// [`sort_by_customer_and_invoice`], its keys sorted in two halves on two threads or not.
fn sort_on<'t, T: Sync>(items: &mut [T], ids: &(impl Fn(&T) -> (&'t str, &'t str) + Sync), halves: bool) {
    let mut from = sorted_positions(items, ids, halves);
    // The item for place k is the one at from[k]: each cycle of the permutation is walked
    // once, a place marked done by pointing at itself.
    for start in 0..from.len() {
        let mut k = start;
        while from[k] != k {
            let source = from[k];
            from[k] = k;
            if source == start {
                break;
            }
            items.swap(k, source);
            k = source;
        }
    }
}

/// The items' positions in their order. The position ends each key, so no two keys are equal:
/// sorting two halves and merging them gives the order one sort gives.
fn sorted_positions<'t, T: Sync>(
    items: &[T],
    ids: &(impl Fn(&T) -> (&'t str, &'t str) + Sync),
    halves: bool,
) -> Vec<usize> {
    let key_of = |at: usize| {
        let (customer, invoice) = ids(&items[at]);
        (TextKey::of(customer), TextKey::of(invoice), at)
    };
    let compare = |a: &Key, b: &Key| {
        let text = |at: usize| ids(&items[at]);
        a.0.cmp(&b.0)
            .then_with(|| a.0.then_text(|| (text(a.2).0, text(b.2).0)))
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.1.then_text(|| (text(a.2).1, text(b.2).1)))
            .then_with(|| a.2.cmp(&b.2))
    };
    let sorted = |range: std::ops::Range<usize>| {
        let mut keys: Vec<Key> = range.map(key_of).collect();
        keys.sort_unstable_by(compare);
        keys
    };
    if !halves {
        return sorted(0..items.len()).into_iter().map(|k| k.2).collect();
    }
    let middle = items.len() / 2;
    let (first, second) = crate::core::both(|| sorted(0..middle), || sorted(middle..items.len()));
    let mut order = Vec::with_capacity(items.len());
    let (mut a, mut b) = (first.into_iter().peekable(), second.into_iter().peekable());
    loop {
        let take_first = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => compare(x, y).is_lt(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_first { a.next() } else { b.next() };
        order.extend(next.map(|k| k.2));
    }
    order
}

/// A text's order as a number: its first 15 bytes and its length (16 for any longer). Two
/// keys compare as their texts do; equal keys of texts longer than 15 bytes leave the order
/// to the texts themselves ([`TextKey::then_text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct TextKey(u128);

impl TextKey {
    const BYTES: usize = 15;

    fn of(text: &str) -> TextKey {
        let b = text.as_bytes();
        let mut key = [0u8; 16];
        let n = b.len().min(Self::BYTES);
        key[..n].copy_from_slice(&b[..n]);
        key[Self::BYTES] = b.len().min(Self::BYTES + 1) as u8;
        TextKey(u128::from_be_bytes(key))
    }

    /// For two equal keys: how their texts (`texts()`) compare: equal unless they are long.
    /// The texts are fetched only then: most keys are short, and fetching them is a read of
    /// each item, two cache misses per comparison of a customer's invoices (a tenth of `dun
    /// due` on a million invoices, issue #14).
    fn then_text<'t>(self, texts: impl FnOnce() -> (&'t str, &'t str)) -> std::cmp::Ordering {
        if (self.0 & 0xff) as usize > Self::BYTES {
            let (a, b) = texts();
            a.cmp(b)
        } else {
            std::cmp::Ordering::Equal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Sorted in two halves and merged, items come in the order one sort of their texts
        /// gives (ids alike in their first 15 bytes, prefixes of each other, repeated).
        #[test]
        fn halves_sort_as_one(
            pairs in proptest::collection::vec(("(K|KKKKKKKKKKKKKKK)[0-9]{0,2}", "(F|F-2026-000000)[0-9]{0,2}"), 0..80),
            halves in proptest::bool::ANY,
        ) {
            let mut items: Vec<(usize, &str, &str)> =
                pairs.iter().enumerate().map(|(at, (c, i))| (at, c.as_str(), i.as_str())).collect();
            let mut expected = items.clone();
            expected.sort_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)));
            fn ids<'t>(item: &(usize, &'t str, &'t str)) -> (&'t str, &'t str) {
                (item.1, item.2)
            }
            sort_on(&mut items, &ids, halves);
            proptest::prop_assert_eq!(items, expected);
        }
    }
}
