//! Writing files so that a reader never sees half of one: a temp file beside the target,
//! flushed and synced, then renamed over it (SPEC §8). A new file gets the mode the umask
//! gives (0666 less the umask, as `cp` or an editor would); a file rewritten keeps its mode and,
//! where the process may set it, its owner, so the accountant's other account and the print
//! job keep their access.
//!
//! Temporary names are `.NAME.dun-tmp-PID`: hidden, next to their target (a rename never
//! crosses a file system), and recognisable, so that the next run under the ledger lock can
//! remove what a killed run left ([`sweep`]).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

const TEMP_MARK: &str = ".dun-tmp-";

/// The temporary name `target` is written under before it is renamed into place.
pub fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    // The process id asked once: a system call each time, and a run names thousands of files.
    static PROCESS_ID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let id = PROCESS_ID.get_or_init(std::process::id);
    target.with_file_name(format!(".{name}{TEMP_MARK}{id}"))
}

/// Writes `bytes` to a fresh temporary file for `target`, synced, with the mode (and owner)
/// `target` has if it exists. Returns the temporary path; on error nothing is left behind.
pub fn write_temp(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_temp_with(target, bytes, true)
}

/// [`write_temp`] without the sync: for a run that stages many files and makes them durable
/// with one [`sync_written`] before its commit point (one sync per file cost ~5 ms each on
/// an ordinary disk, most of a morning's letters run).
pub fn write_temp_unsynced(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_temp_with(target, bytes, false)
}

/// A file written under its temporary name ([`write_temp_unsynced`]), or under its own in a
/// folder the run makes whole ([`WrittenTemp::write_new`]), and not yet staged:
/// removed when dropped unless [`WrittenTemp::claim`]ed, so that a run stopped by an error
/// leaves none behind.
pub struct WrittenTemp {
    temp: Option<PathBuf>,
    len: usize,
}

impl WrittenTemp {
    pub fn write(target: &Path, bytes: &[u8]) -> Result<WrittenTemp> {
        Ok(WrittenTemp { temp: Some(write_temp_unsynced(target, bytes)?), len: bytes.len() })
    }

    /// A file of a folder the run makes whole (`io::commit::Transaction::stage_folder`),
    /// written under its own name there, which no file has yet.
    pub fn write_new(path: &Path, bytes: &[u8]) -> Result<WrittenTemp> {
        let written = OpenOptions::new().write(true).create_new(true).open(path).and_then(|mut file| {
            file.write_all(bytes).inspect_err(|_| {
                let _ = std::fs::remove_file(path);
            })
        });
        written.with_context(|| format!("cannot write {}", path.display()))?;
        Ok(WrittenTemp { temp: Some(path.to_owned()), len: bytes.len() })
    }

    /// The temporary path and the file's length; from here on the caller removes or stages it.
    pub fn claim(mut self) -> (PathBuf, usize) {
        (self.temp.take().unwrap_or_default(), self.len)
    }
}

impl Drop for WrittenTemp {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = std::fs::remove_file(temp);
        }
    }
}

fn write_temp_with(target: &Path, bytes: &[u8], sync: bool) -> Result<PathBuf> {
    fill_temp(target, sync, |file| file.write_all(bytes))
}

/// A fresh temporary file for `target`, filled by `fill`; on error nothing is left behind.
fn fill_temp(
    target: &Path,
    sync: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<PathBuf> {
    let temp = temp_path(target);
    let result = (|| -> std::io::Result<()> {
        let file = create_temp_file(target, &temp)?;
        let mut file = WritingBack::new(file, sync);
        fill(&mut file)?;
        if sync { file.file.sync_all() } else { Ok(()) }
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", target.display()));
    }
    Ok(temp)
}

/// How many bytes of a file being written to be synced [`WritingBack`] lets pile up before
/// it starts them on their way to the disk.
const WRITE_BACK_EVERY: u64 = 4 << 20;

/// A file written to be synced at its end, whose bytes are started on their way to the disk
/// every [`WRITE_BACK_EVERY`] bytes while the rest is being made (Linux: `sync_file_range`,
/// which does not wait): the sync at the end then waits only for the last few. On a million
/// invoices `dun check -o` writes 42 MB, whose sync took 23 ms after the last byte, 2 ms
/// with this (issue #14). Only a head start: the sync at the end is what makes the file
/// durable, and reports what failed.
struct WritingBack {
    file: std::fs::File,
    /// Bytes written, and the first of those not yet started on their way.
    written: u64,
    started: u64,
    /// Whether the file is to be synced (else nothing is started early).
    sync: bool,
}

impl WritingBack {
    fn new(file: std::fs::File, sync: bool) -> WritingBack {
        WritingBack { file, written: 0, started: 0, sync }
    }

    /// Starts writing back the bytes written since the last start.
    fn start_write_back(&mut self) {
        // Where `libc` is a dependency (see Cargo.toml); elsewhere the sync at the end does it all.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            use std::os::fd::AsRawFd;
            let (Ok(from), Ok(len)) =
                (libc::off64_t::try_from(self.started), libc::off64_t::try_from(self.written - self.started))
            else {
                return;
            };
            // SAFETY: `sync_file_range` reads and writes no memory of this process; it asks the
            // kernel to start writing a range of an open file descriptor back. An error
            // (a file system that cannot) leaves it to the sync at the end.
            unsafe {
                libc::sync_file_range(self.file.as_raw_fd(), from, len, libc::SYNC_FILE_RANGE_WRITE);
            }
        }
        self.started = self.written;
    }
}

impl Write for WritingBack {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(bytes)?;
        self.written += n as u64;
        if self.sync && self.written - self.started >= WRITE_BACK_EVERY {
            self.start_write_back();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Starts a run's staged files on their way to the disk while the run goes on: every
/// [`EarlySync::every`] bytes staged, one `syncfs` on a thread of its own (Linux; elsewhere
/// nothing). The commit's [`sync_written`] still makes every file durable before the commit
/// point; it then waits only for what was staged since. A morning's letters are hundreds of
/// megabytes that were all written back at that one call (issue #14: 1.3 s of a 9 s run).
pub struct EarlySync {
    every: usize,
    unsynced: usize,
    running: Option<std::thread::JoinHandle<()>>,
}

impl EarlySync {
    /// A sync started every `every` bytes.
    pub fn every(every: usize) -> EarlySync {
        EarlySync { every, unsynced: 0, running: None }
    }

    /// `bytes` were staged under `dir`.
    pub fn staged(&mut self, dir: &Path, bytes: usize) {
        self.unsynced = self.unsynced.saturating_add(bytes);
        if self.unsynced < self.every || self.running.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        self.wait();
        self.unsynced = 0;
        #[cfg(target_os = "linux")]
        {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir }.to_owned();
            // An error here is the commit's to report: its sync tries again.
            self.running = std::thread::Builder::new()
                .name("dun-early-sync".into())
                .spawn(move || {
                    if let Ok(handle) = std::fs::File::open(&dir) {
                        let _ = rustix::fs::syncfs(&handle);
                    }
                })
                .ok();
        }
        #[cfg(not(target_os = "linux"))]
        let _ = dir;
    }

    /// Waits for the sync under way, if any.
    pub fn wait(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.join();
        }
    }

    /// Whether a sync was started and not yet waited for.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }
}

/// Makes `files` (written by [`write_temp_unsynced`]) durable, with the directory entries
/// that name them. On Linux one `syncfs` per file system they are on: one call for the run
/// instead of one per file. Elsewhere each file is synced, then each directory.
pub fn sync_written<'a>(files: impl IntoIterator<Item = &'a Path>) -> Result<()> {
    let mut dirs: Vec<&Path> = Vec::new();
    #[cfg(not(target_os = "linux"))]
    for file in files {
        if file.is_dir() {
            // A folder made whole (`Transaction::stage_folder`): its files, then itself.
            for entry in std::fs::read_dir(file).with_context(|| format!("cannot read {}", file.display()))? {
                let path = entry?.path();
                std::fs::File::open(&path)
                    .and_then(|f| f.sync_all())
                    .with_context(|| format!("cannot sync {}", path.display()))?;
            }
            sync_dir(file);
        } else {
            std::fs::File::open(file)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot sync {}", file.display()))?;
        }
        dirs.extend(file.parent());
    }
    #[cfg(target_os = "linux")]
    dirs.extend(files.into_iter().filter_map(Path::parent));
    dirs.sort();
    dirs.dedup();
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let mut devices = Vec::new();
        for dir in dirs {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            let handle =
                std::fs::File::open(dir).with_context(|| format!("cannot open {}", dir.display()))?;
            let device = handle.metadata().map(|m| m.dev()).unwrap_or_default();
            if devices.contains(&device) {
                continue;
            }
            rustix::fs::syncfs(&handle)
                .with_context(|| format!("cannot sync the files under {}", dir.display()))?;
            devices.push(device);
        }
    }
    #[cfg(not(target_os = "linux"))]
    for dir in dirs {
        sync_dir(dir);
    }
    Ok(())
}

/// Creates `temp` (a fresh file, for `target`) with the mode and owner `target` has if it
/// exists; for a file written piece by piece (`io::commit::StagedFile`).
pub fn create_temp_file(target: &Path, temp: &Path) -> std::io::Result<std::fs::File> {
    let create = || OpenOptions::new().write(true).create_new(true).open(temp);
    let file = match create() {
        // Left by a killed run of a process with the same id: removed only then, not tried
        // before every file (a failing system call each, thousands a run).
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(temp)?;
            create()?
        }
        made => made?,
    };
    if let Err(e) = keep_mode_and_owner(target, &file) {
        let _ = std::fs::remove_file(temp);
        return Err(e);
    }
    Ok(file)
}

/// A rewritten file keeps its permissions, and its owner and group where allowed.
fn keep_mode_and_owner(target: &Path, file: &std::fs::File) -> std::io::Result<()> {
    let Ok(old) = std::fs::metadata(target) else { return Ok(()) };
    file.set_permissions(old.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let new = file.metadata()?;
        if new.uid() != old.uid() || new.gid() != old.gid() {
            // Only root may give a file away; anyone else keeps what they may.
            let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
        }
    }
    Ok(())
}

/// Makes a rename or a new file in `dir` durable.
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }) {
        let _ = d.sync_all();
    }
}

pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// [`write_atomically`] with what `fill` writes, as it is made.
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let temp = fill_temp(path, true, fill)?;
    if let Err(e) = std::fs::rename(&temp, path) {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot replace {}", path.display()));
    }
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Removes the temporary files and folders a killed run left in `dir` (not those of a live
/// process), and the `.dun-XXXXXX` files older versions left. Call under the ledger lock. Returns how many.
pub fn sweep(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_stale_temp(name) {
            continue;
        }
        let removed_one = match entry.file_type() {
            Ok(t) if t.is_file() => std::fs::remove_file(entry.path()).is_ok(),
            // A folder a killed run was making whole (`Transaction::stage_folder`).
            Ok(t) if t.is_dir() && name.contains(TEMP_MARK) => std::fs::remove_dir_all(entry.path()).is_ok(),
            _ => false,
        };
        removed += usize::from(removed_one);
    }
    removed
}

fn is_stale_temp(name: &str) -> bool {
    if let Some(at) = name.rfind(TEMP_MARK) {
        let pid = &name[at + TEMP_MARK.len()..];
        return name.starts_with('.')
            && !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && pid != std::process::id().to_string()
            && !process_alive(pid);
    }
    // tempfile's names, as earlier versions of dun wrote them.
    name.len() == 11 && name.starts_with(".dun-") && name[5..].bytes().all(|b| b.is_ascii_alphanumeric())
}

fn process_alive(pid: &str) -> bool {
    let proc = Path::new("/proc");
    proc.is_dir() && proc.join(pid).exists()
}

/// The personal values `--redact` masks in every export, and their masks; set once per run.
static REDACTIONS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();

/// Masks, from here on, the register's personal data in everything [`emit`] writes.
pub fn redact_exports(pairs: Vec<(String, String)>) {
    let _ = REDACTIONS.set(pairs);
}

/// Sends a command's output to `-o FILE` (atomically) or standard output.
pub fn emit(output: Option<&Path>, text: &str) -> Result<()> {
    if let Some(pairs) = REDACTIONS.get() {
        let masked = crate::core::privacy::redact(text, pairs);
        return emit_bytes(output, masked.as_bytes());
    }
    emit_bytes(output, text.as_bytes())
}

/// The masks `--redact` set, for outputs that are not text (a workbook masks its cells).
pub fn redactions() -> Option<&'static [(String, String)]> {
    REDACTIONS.get().map(Vec::as_slice)
}

/// [`emit`] for an output written as it is made (see `render::View::streamed`): to the file
/// atomically, or to stdout. Never with masks to apply (they need the whole text).
pub fn emit_streamed(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    debug_assert!(REDACTIONS.get().is_none());
    match output {
        Some(path) => write_atomically_with(path, write),
        None => {
            let mut out = std::io::stdout().lock();
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// [`emit`] for bytes as they are (a workbook, already masked).
pub fn emit_bytes(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => write_atomically(path, bytes),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// [`write_atomically`], but never over an existing file: for what `dun init` makes, which
/// must not replace a ledger that is already there.
pub fn write_new_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = write_temp(path, bytes)?;
    // A hard link fails if the target exists: the no-clobber rename. A file system without
    // hard links gets a plain rename after a check.
    let placed = match std::fs::hard_link(&temp, path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !path.exists() => {
            std::fs::rename(&temp, path)
        }
        other => other,
    };
    let _ = std::fs::remove_file(&temp);
    placed.with_context(|| format!("{} already exists: dun init never replaces a file", path.display()))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written in pieces past the write-back size is started on its way at each
    /// [`WRITE_BACK_EVERY`] bytes and holds every byte, in order; one not to be synced is
    /// never started early.
    #[test]
    fn a_file_to_be_synced_is_written_back_as_it_grows_and_holds_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let piece: Vec<u8> = (0..=250u8).cycle().take(1_000_003).collect();
        let mut file = WritingBack::new(std::fs::File::create(dir.path().join("a")).unwrap(), true);
        let mut starts = Vec::new();
        for _ in 0..10 {
            file.write_all(&piece).unwrap();
            if starts.last() != Some(&file.started) {
                starts.push(file.started);
            }
        }
        assert_eq!(file.written, 10 * 1_000_003);
        // 4 MiB is 4,194,304 bytes: started after the fifth piece (5,000,015 bytes) and
        // the tenth (4,194,304 more would be 9,194,319).
        assert_eq!(starts, vec![0, 5 * 1_000_003, 10 * 1_000_003]);
        drop(file);
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), piece.repeat(10));

        let mut unsynced = WritingBack::new(std::fs::File::create(dir.path().join("b")).unwrap(), false);
        for _ in 0..10 {
            unsynced.write_all(&piece).unwrap();
        }
        assert_eq!((unsynced.written, unsynced.started), (10 * 1_000_003, 0));

        let target = dir.path().join("out.csv");
        write_atomically_with(&target, |out| (0..10).try_for_each(|_| out.write_all(&piece))).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), piece.repeat(10));
    }

    #[test]
    fn stale_temps_are_recognised_and_live_ones_kept() {
        assert!(is_stale_temp(".reminder-1_A_SEK.eml.dun-tmp-999999999"));
        assert!(is_stale_temp(".dun-a1B2c3"));
        assert!(!is_stale_temp(&format!(".x.csv.dun-tmp-{}", std::process::id())));
        assert!(!is_stale_temp("reminder-1_A_SEK.eml"));
        assert!(!is_stale_temp(".dun.lock"));
        assert!(!is_stale_temp(".dun-commit.json"));
    }

    /// A folder a killed run was making whole goes with its files; a live run's, a folder
    /// of the user's that merely looks alike, and the user's own folders stay.
    #[test]
    fn a_killed_runs_folder_is_swept_whole() {
        let dir = tempfile::tempdir().unwrap();
        let killed = dir.path().join(".2026-11-30.dun-tmp-999999999");
        let live = dir.path().join(format!(".2026-11-30.dun-tmp-{}", std::process::id()));
        let alike = dir.path().join(".dun-a1B2c3");
        let mine = dir.path().join("2026-11-29");
        for folder in [&killed, &live, &alike, &mine] {
            std::fs::create_dir(folder).unwrap();
            std::fs::write(folder.join("a.pdf"), b"A").unwrap();
        }
        assert_eq!(sweep(dir.path()), 1);
        assert!(!killed.exists() && live.exists() && alike.exists() && mine.exists());
    }

    /// A sync is started once the bytes staged reach the mark, not before, and not a second
    /// while one runs; waiting ends it.
    #[test]
    fn an_early_sync_starts_at_its_mark_and_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let mut early = EarlySync::every(100);
        early.staged(dir.path(), 60);
        assert!(!early.is_running());
        early.staged(dir.path(), 40);
        assert_eq!(early.is_running(), cfg!(target_os = "linux"));
        early.wait();
        assert!(!early.is_running());
        early.staged(dir.path(), 99);
        assert!(!early.is_running(), "counted again from nothing");
    }

    /// A temporary file of this process's name left by a killed run (the same process id,
    /// after a reboot) is written over, not an error.
    #[test]
    fn a_temporary_file_left_under_this_process_name_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("letter.pdf");
        std::fs::write(temp_path(&target), b"left by a killed run, longer than the new").unwrap();
        let temp = write_temp_unsynced(&target, b"new").unwrap();
        assert_eq!(temp, temp_path(&target));
        assert_eq!(std::fs::read(&temp).unwrap(), b"new");
        // A file written as it is made, the same way.
        let batch = dir.path().join("batch.csv");
        std::fs::write(temp_path(&batch), b"left").unwrap();
        assert!(crate::io::commit::StagedFile::create(&batch).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_rewritten_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("payments.csv");
        std::fs::write(&path, "a\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"b\n").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(std::fs::read(&path).unwrap(), b"b\n");
        assert_eq!(sweep(dir.path()), 0);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
