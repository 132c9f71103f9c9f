//! The pure core: no files, no clock, no printing. Everything takes data, a policy and the
//! as-of date, and returns values.

pub mod account;
pub mod aging;
pub mod agreement;
pub mod blocks;
pub mod charges;
pub mod check;
pub mod claim;
pub mod country;
pub mod credit;
pub mod customer;
pub mod date;
pub mod delivery;
pub mod dunning;
#[cfg(test)]
mod dunning_tests;
pub mod finding;
pub mod freshness;
pub mod idnumber;
pub mod insight;
pub mod interest;
pub mod journal;
#[cfg(test)]
mod law_tests;
pub mod ledger;
pub mod matching;
pub mod model;
pub mod money;
pub mod packed;
pub mod phone;
pub mod policy;
pub mod privacy;
pub mod reference;
pub mod rules;
pub mod sie;
pub mod starter;

/// The threads a run splits its work over (a file's chunks, a ledger's decisions, a listing's
/// blocks): the machine's cores, at most four, past which the parts gain nothing on the
/// memory they share.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

/// Drops `value` on a thread of its own, which the process does not wait for when it ends: a
/// large result (a million rows, each with strings of its own) takes a tenth of a second to
/// free one allocation at a time, after its output is written. Dropped here when no thread
/// can be had.
pub fn drop_beside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// How many steps ahead a loop asks [`prefetch`] for the item it will read: enough steps for
/// a load from memory to arrive while the steps between are worked (measured on `dun due`'s
/// rows and decisions, issue #14).
pub const PREFETCH_AHEAD: usize = 8;

/// Asks the processor to start loading `item`'s cache lines, for a loop that will read it a
/// few steps later: a walk in one order over items stored in another (rows sorted by customer
/// over invoices in file order) otherwise waits on a cache miss at each step. Only a hint:
/// it reads nothing and changes nothing.
#[inline]
pub fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = (item as *const T).cast::<i8>();
        let size = std::mem::size_of::<T>();
        // Every 64-byte line `item` touches, the last one too when it starts mid-line.
        for offset in (0..size).step_by(64).chain(size.checked_sub(1)) {
            // SAFETY: a prefetch reads no memory and cannot fault (SSE, which every x86_64
            // processor has); the address is within `item`'s own bytes.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// `here` on this thread and `beside` on another at the same time; both results. A panic on
/// either is the caller's.
pub fn both<A, B: Send>(here: impl FnOnce() -> A, beside: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|scope| {
        let other = scope.spawn(beside);
        let mine = here();
        (mine, other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

/// Which of several parts, each in order by `key`, holds the next item of their merged order:
/// the smallest key, the first part on a tie; `None` when every part is done.
pub fn next_part<I: Iterator>(
    parts: &mut [std::iter::Peekable<I>],
    key: impl Fn(&I::Item) -> u64,
) -> Option<usize> {
    parts
        .iter_mut()
        .enumerate()
        .filter_map(|(at, part)| Some((key(part.peek()?), at)))
        .min()
        .map(|(_, at)| at)
}

/// `work` of every item on `workers` threads that each take the next item not yet taken, the
/// first of them running `first` before it takes any (work the items may wait for, done while
/// the others take items that need none of it); the results in the items' order.
pub fn each_taken<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    first: &(dyn Fn() + Sync),
    work: &(dyn Fn(&T) -> R + Sync),
) -> Vec<R> {
    if workers <= 1 || items.len() < 2 {
        first();
        return items.iter().map(work).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else { return done };
            done.push((i, work(item)));
        }
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..workers.min(items.len())).map(|_| scope.spawn(take)).collect();
        first();
        let mut done = take();
        for other in others {
            match other.join() {
                Ok(theirs) => done.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
