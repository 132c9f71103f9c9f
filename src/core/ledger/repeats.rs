//! Invoice numbers given more than once, found from a hash of each while the invoices stream
//! past (a partial load keeps every line of such a number).

/// The numbers that may appear more than once, from a hash of each (every part's, together):
/// two numbers with the same hash count as repeated, which costs only keeping both.
pub fn repeated_hashes(parts: Vec<Vec<u64>>) -> rustc_hash::FxHashSet<u64> {
    let total: usize = parts.iter().map(Vec::len).sum();
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

/// Which of `ranges` equal ranges of hashes (by their top 32 bits) `hash` is in.
fn hash_range(hash: u64, ranges: usize) -> usize {
    (((hash >> 32) * ranges as u64) >> 32) as usize
}

/// The hash [`repeated_hashes`] compares invoice numbers by.
pub fn number_hash(number: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(number)
}
