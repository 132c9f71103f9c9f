//! How the process's memory is given back to the system.

/// Makes every allocation from 2 MiB up a mapping of its own, unmapped when it is freed (and
/// grown by remapping, without a copy), on glibc's allocator.
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
        libc::mallopt(libc::M_MMAP_THRESHOLD, 2 << 20);
    }
}
