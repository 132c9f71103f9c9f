//! The order `dun due` lists decisions in: by customer id, then invoice number, as text.

/// Sorts decisions (or rows made of them, or their positions) by customer id, then invoice
/// number, as text (the order `dun due` lists them in), `ids` giving each item's pair; items
/// with the same pair keep their order. Compares numbers instead of text where it can: sorting
/// a quarter of a million decisions by their strings was a large part of `dun due`. The keys
/// are made once and sorted beside the items' positions, and then each item is moved once
/// into its place: a stable sort of the rows themselves (176 bytes each) was a sixth of `dun
/// due`, most of it moving rows.
pub fn sort_by_customer_and_invoice<'t, T>(items: &mut [T], ids: impl Fn(&T) -> (&'t str, &'t str)) {
    let mut keys: Vec<(TextKey, TextKey, usize)> = items
        .iter()
        .enumerate()
        .map(|(at, item)| {
            let (customer, invoice) = ids(item);
            (TextKey::of(customer), TextKey::of(invoice), at)
        })
        .collect();
    keys.sort_unstable_by(|a, b| {
        let text = |at: usize| ids(&items[at]);
        a.0.cmp(&b.0)
            .then_with(|| a.0.then_text(text(a.2).0, text(b.2).0))
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.1.then_text(text(a.2).1, text(b.2).1))
            .then_with(|| a.2.cmp(&b.2))
    });
    let mut from: Vec<usize> = keys.into_iter().map(|k| k.2).collect();
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

    /// For two equal keys: how their texts compare (equal unless they are long).
    fn then_text(self, a: &str, b: &str) -> std::cmp::Ordering {
        if (self.0 & 0xff) as usize > Self::BYTES { a.cmp(b) } else { std::cmp::Ordering::Equal }
    }
}
