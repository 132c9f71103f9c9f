//! How the process's memory is taken from and given back to the system.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

/// From this size up an allocation is a mapping of its own once [`give_large_blocks_back`]
/// has run, and is asked to be backed by huge pages.
const LARGE: usize = 2 << 20;

/// Whether large allocations are asked for huge pages (set by [`give_large_blocks_back`]).
static HUGE_PAGES: AtomicBool = AtomicBool::new(false);

/// Makes every allocation from 2 MiB up a mapping of its own, unmapped when it is freed (and
/// grown by remapping, without a copy), on glibc's allocator, and has [`Allocator`] ask for
/// those mappings to be backed by huge pages.
///
/// glibc raises that threshold by itself, up to 32 MiB, each time such a mapping is freed:
/// past the first large lists freed (a grown list's old copy, a worker's part once merged)
/// the large blocks of a run came from the heap, whose freed room is seldom given back. On a
/// million-invoice ledger the peaks with the threshold held (issue #14): `dun due` 272 →
/// 211 MB, `dun check` 309 → 244 MB, `remind --dry-run` 238 → 184 MB. The cost is the page
/// faults of memory taken anew instead of reused, 3–7 % of the wall time; `dun report`, which
/// keeps little (62 → 56 MB), was 7 % slower and is left as it was (see `cmd::run`). Called
/// once, before the command starts any thread.
pub fn give_large_blocks_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets a malloc parameter (under the main arena's lock); it is
    // called before the command starts a thread. A refusal (0) leaves glibc's default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE as libc::c_int);
    }
    HUGE_PAGES.store(true, Ordering::Relaxed);
}

/// Free room at the top of the heap that glibc keeps for reuse instead of giving it back.
const KEPT_FREE: usize = 32 << 20;

/// Has glibc keep up to `KEPT_FREE` of freed heap for the next allocations, instead of
/// giving back all past 128 KiB each time. Holding the mmap threshold
/// ([`give_large_blocks_back`]) also held that trim threshold at its default, which a run of
/// letters pays for: each letter's buffers (its HTML, PDF and e-mail, a few hundred KiB) were
/// given back and faulted in again for the next, 350,000 page faults in a `remind` of 9,632
/// letters (issue #14), about 21,000 with this, and a tenth less CPU; the peak memory stayed
/// the same. Called where a command starts its letters.
pub fn keep_freed_room_for_reuse() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: as in `give_large_blocks_back`: `mallopt` only sets a malloc parameter, under
    // the arena's lock; a refusal leaves the threshold as it was.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEPT_FREE as libc::c_int);
    }
}

/// The system's allocator, which asks for the large mappings of [`give_large_blocks_back`]
/// to be backed by huge pages (2 MiB instead of 4 KiB where the system leaves it to the
/// program, as Debian's default `madvise` does).
///
/// A list of a million invoices is 160 MB: in 4 KiB pages that is 40,000 page faults to
/// take it and as many entries for the processor to look up while it is read.
pub struct Allocator;

// SAFETY: every call is passed to `System` unchanged; `advise` only marks memory the system
// allocator has just handed out (see there).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.alloc(layout) };
        advise(block, layout.size());
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.alloc_zeroed(layout) };
        advise(block, layout.size());
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let grown = unsafe { System.realloc(block, layout, new_size) };
        if new_size > layout.size() {
            advise(grown, new_size);
        }
        grown
    }
}

/// Asks for the pages of a large block just allocated to be huge ones. glibc maps such a
/// block on its own with a 16-byte header before it, so the page it starts in is the
/// mapping's first. Only a hint: a refusal changes nothing.
fn advise(block: *mut u8, size: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if size >= LARGE && !block.is_null() && HUGE_PAGES.load(Ordering::Relaxed) {
        const PAGE: usize = 4096;
        let start = block as usize & !(PAGE - 1);
        let len = (block as usize + size - start).next_multiple_of(PAGE);
        // SAFETY: `madvise` with MADV_HUGEPAGE reads and writes no memory; it sets a flag on
        // the mappings of the range, all of which hold the block just allocated.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = (block, size);
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// The `VmFlags` line of the mapping that holds `address`, from `/proc/self/smaps`.
    fn flags_of_mapping_with(address: usize) -> Option<String> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((start, end)) = range.split_once('-')
                && let (Ok(start), Ok(end)) =
                    (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16))
            {
                inside = (start..end).contains(&address);
            } else if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
                return Some(flags.trim().to_owned());
            }
        }
        None
    }

    #[test]
    fn a_large_block_is_asked_for_huge_pages_once_large_blocks_are_given_back() {
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            eprintln!("skipped: this kernel has no transparent huge pages");
            return;
        }
        HUGE_PAGES.store(true, Ordering::Relaxed);
        // Larger than glibc's largest threshold (32 MiB), so a mapping of its own whatever
        // the other tests of this process freed; never written, so it costs no memory.
        let layout = Layout::from_size_align(40 << 20, 16).unwrap();
        // SAFETY: a non-zero size; freed below with the same layout.
        let block = unsafe { Allocator.alloc(layout) };
        assert!(!block.is_null());
        let flags = flags_of_mapping_with(block as usize + (20 << 20));
        // SAFETY: allocated above with this layout.
        unsafe { Allocator.dealloc(block, layout) };
        let flags = flags.expect("the block's mapping in /proc/self/smaps");
        assert!(flags.split(' ').any(|f| f == "hg"), "not advised for huge pages: {flags}");
    }
}
