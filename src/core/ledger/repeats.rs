//! Invoice numbers given more than once, found from a hash of each while the invoices stream
//! past (a partial load keeps every line of such a number).

/// The numbers that may appear more than once, from a hash of each (every part's, together):
/// two numbers with the same hash count as repeated, which costs only keeping both.
pub fn repeated_hashes(parts: Vec<Vec<u64>>) -> rustc_hash::FxHashSet<u64> {
    let total: usize = parts.iter().map(Vec::len).sum();
    if let Some(repeated) = repeated_plain_numbers(&parts, total) {
        return repeated;
    }
    let threads = if total < REPEATS_ON_THREADS_FROM { 1 } else { crate::core::workers() };
    repeated_hashes_on(&parts, threads)
}

/// From this many hashes [`repeated_hashes`] reads them on several threads.
const REPEATS_ON_THREADS_FROM: usize = 1 << 16;

/// [`repeated_hashes`] on `threads` threads. Each takes the hashes of one range (by their top
/// bits) from every part, sorts them and reads the repeats: a number's every hash is in one
/// range, so no thread needs another's. (Issue #14: a million hashes sorted on one thread
/// were a twentieth of `dun due`; sorted by part and merged, the merge on one thread was a
/// twentieth of `dun check`.)
pub(crate) fn repeated_hashes_on(parts: &[Vec<u64>], threads: usize) -> rustc_hash::FxHashSet<u64> {
    let total: usize = parts.iter().map(Vec::len).sum();
    let repeated_in = |range: usize| {
        let mut mine = Vec::with_capacity(total / threads + total / 32 + 16);
        for part in parts {
            mine.extend(part.iter().copied().filter(|&hash| hash_range(hash, threads) == range));
        }
        mine.sort_unstable();
        mine.windows(2).filter(|pair| pair[0] == pair[1]).map(|pair| pair[0]).collect()
    };
    if threads <= 1 {
        return repeated_in(0);
    }
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|range| scope.spawn(move || repeated_in(range))).collect();
        let mut repeated: rustc_hash::FxHashSet<u64> = repeated_in(0);
        for other in others {
            repeated.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        repeated
    })
}

/// Which of `ranges` equal ranges of hashes (by the top 32 bits of the hash mixed) `hash` is
/// in. Mixed, because a plain number's hash is the number itself: all in the lowest range.
fn hash_range(hash: u64, ranges: usize) -> usize {
    let mixed = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (((mixed >> 32) * ranges as u64) >> 32) as usize
}

/// [`repeated_hashes`] when every number is a plain one ([`number_hash`]) and they lie close
/// enough together for a bitmap of them (at most 64 places a number, as many bytes as their
/// hashes take): each marked in it, a number found marked given twice. On a million invoice
/// numbers that is a few milliseconds on one thread where sorting them took 30 on two, in
/// every command that loads part of the ledger (issue #14). `None` otherwise.
pub(super) fn repeated_plain_numbers(parts: &[Vec<u64>], total: usize) -> Option<rustc_hash::FxHashSet<u64>> {
    let (mut lowest, mut highest) = (u64::MAX, 0);
    for &hash in parts.iter().flatten() {
        if hash & HASHED != 0 {
            return None;
        }
        lowest = lowest.min(hash);
        highest = highest.max(hash);
    }
    let mut repeated = rustc_hash::FxHashSet::default();
    if total == 0 {
        return Some(repeated);
    }
    let words = (highest - lowest) / 64 + 1;
    if words > total as u64 + 64 {
        return None;
    }
    let mut marked = vec![0u64; usize::try_from(words).ok()?];
    for &number in parts.iter().flatten() {
        let place = number - lowest;
        let (word, bit) = (&mut marked[(place / 64) as usize], 1u64 << (place % 64));
        if *word & bit != 0 {
            repeated.insert(number);
        }
        *word |= bit;
    }
    Some(repeated)
}

/// The top bit of the hash of a number that is not a plain one: no plain number has it.
const HASHED: u64 = 1 << 63;

/// The hash [`repeated_hashes`] compares invoice numbers by: a number of plain digits (one to
/// eighteen, no leading zero), as nearly every invoice number is, is the integer it reads;
/// any other is a hash of its text with the top bit set, so that the two never meet. Equal
/// numbers have equal hashes; two numbers with the same hash are counted as one, which costs
/// only keeping both.
pub fn number_hash(number: &str) -> u64 {
    use std::hash::BuildHasher;
    plain_number(number).unwrap_or_else(|| rustc_hash::FxBuildHasher.hash_one(number) | HASHED)
}

/// The integer a plain number reads: digits alone, one to eighteen of them, no leading zero
/// (`007` and `7` are two invoice numbers); `0` itself is one.
fn plain_number(number: &str) -> Option<u64> {
    let digits = number.as_bytes();
    if digits.is_empty() || digits.len() > 18 || (digits[0] == b'0' && digits.len() > 1) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0')))
}
