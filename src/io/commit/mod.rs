//! SPEC §8: a writing run lands whole or not at all, whatever byte a kill or a full disk stops
//! it at. Every file a run writes (letters, batches, `payments.csv`, ...) is first written
//! to a temporary name beside its target ([`Transaction::stage`]); then one small file,
//! `.dun-commit.json`, is written and renamed into place: it names the staged files and holds
//! the journal lines, byte for byte, and the journal's length before them. That rename is
//! the commit point. The journal is then appended, the staged files renamed, and the commit
//! file removed.
//!
//! - Stopped before the commit point: nothing the journal or anyone else reads has changed;
//!   the next run under the lock removes the temporary files ([`super::output::sweep`]).
//! - Stopped after it: the next run under the lock finishes the run ([`recover`]): a journal
//!   tail that is a prefix of the committed lines is completed, the remaining files renamed.
//!   Readers without the lock read the journal as committed ([`committed_view`]).
//! - A full disk while appending: the journal is cut back to its old length and the staged
//!   files removed; the run fails having changed nothing.
//! - A run that changes journal lines (`dun forget`'s notes) stages the whole new journal, its
//!   own lines included, like any other file ([`Transaction::replace_journal`]); readers take
//!   the staged journal once committed, recovery renames it.
//! - A run that writes a folder that does not exist yet (a day's letters) writes it whole
//!   under a temporary name, its files under their own names, and the commit file names the
//!   folder: one rename instead of one per file ([`Transaction::stage_folder`]).
//! - A run of millions of lines (`dun import` of a large bank file) writes its files piece by
//!   piece ([`StagedFile`]) and its journal lines to a staged file of their own
//!   ([`Transaction::journal_line`]), which the commit file names instead of holding the
//!   bytes: memory does not grow with what the run writes.
//!
//! Measured against rewriting the whole journal (copy + rename) on a year's journal of a
//! 100k-customer ledger: see `benches/journal_append.rs` and the README.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::ledger_dir::JOURNAL;
use super::output::{
    EarlySync, create_temp_file, sync_dir, sync_written, temp_path, write_atomically_with,
    write_temp_unsynced,
};
use crate::core::journal::Entry;

mod reading;
pub use reading::{CommittedView, committed_view, recover};

/// The commit file in the ledger directory.
pub const COMMIT: &str = ".dun-commit.json";
/// Named for the staged file of a large run's journal lines (a temporary name beside it).
const JOURNAL_LINES: &str = "journal.csv.lines";
/// Where a journal line that no run completed (left by a version without commits) is kept.
pub const TORN: &str = "journal.csv.torn";

#[derive(Debug, Serialize, Deserialize)]
struct Intent {
    version: u32,
    /// The journal's length before this run's lines.
    journal_len: u64,
    /// Exactly the bytes appended (a newline first when the journal lacked its last one, the
    /// header when the journal was new).
    journal: String,
    files: Vec<Staged>,
    /// The run replaces the journal whole: `files` holds the new journal (this run's lines
    /// included), `journal` is empty and `journal_len` is the new journal's length.
    #[serde(default)]
    replaces_journal: bool,
    /// The staged file that holds the bytes to append instead of `journal` (a large run's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    journal_file: Option<PathBuf>,
    /// Files the run removes, after its staged files are in place (`dun forget`'s letters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    removes: Vec<PathBuf>,
    /// Folders the run makes whole ([`Transaction::stage_folder`]), renamed before `files`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    folders: Vec<Staged>,
}

impl Intent {
    /// The bytes to append, from `journal` or the staged file.
    fn appended(&self) -> Result<Box<dyn Read>> {
        Ok(match &self.journal_file {
            Some(path) => Box::new(std::io::BufReader::new(
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
            )),
            None => Box::new(std::io::Cursor::new(self.journal.clone().into_bytes())),
        })
    }

    fn appended_len(&self) -> Result<u64> {
        Ok(match &self.journal_file {
            Some(path) => {
                std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len()
            }
            None => self.journal.len() as u64,
        })
    }
}

/// A file a run writes piece by piece under its temporary name beside `target`: staged with
/// [`Transaction::stage_file`], else removed when dropped.
pub struct StagedFile {
    temp: PathBuf,
    target: PathBuf,
    out: BufWriter<File>,
    staged: bool,
}

impl StagedFile {
    pub fn create(target: &Path) -> Result<StagedFile> {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let temp = temp_path(target);
        let file =
            create_temp_file(target, &temp).with_context(|| format!("cannot write {}", target.display()))?;
        Ok(StagedFile {
            temp,
            target: target.to_owned(),
            out: BufWriter::with_capacity(256 * 1024, file),
            staged: false,
        })
    }

    /// Flushed and synced: the bytes are on disk.
    fn sync(&mut self) -> Result<()> {
        self.out
            .flush()
            .and_then(|()| self.out.get_ref().sync_all())
            .with_context(|| format!("cannot write {}", self.target.display()))
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.staged {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// This run's journal lines, written to a staged file as they come ([`Transaction::journal_line`]).
struct StreamedLines {
    lines: csv::Writer<StagedFile>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Staged {
    temp: PathBuf,
    target: PathBuf,
}

/// What one run writes: staged files and journal lines, committed together.
pub struct Transaction {
    dir: PathBuf,
    staged: Vec<Staged>,
    entries: Vec<Entry>,
    /// The journal as it is to be, before this run's lines ([`Transaction::replace_journal`]).
    journal_replacement: Option<Vec<u8>>,
    /// Lines given one by one, in a staged file of their own.
    streamed: Option<StreamedLines>,
    /// Files removed at commit ([`Transaction::remove`]).
    removes: Vec<PathBuf>,
    /// The folder the last staged file went into, made then: a run stages thousands of
    /// letters into one folder, and making it again each time cost two system calls a file.
    made_dir: Option<PathBuf>,
    /// Staged files on their way to the disk before the commit asks for them.
    early_sync: EarlySync,
    /// Folders made whole: each written under a temporary name and renamed at the commit.
    folders: Vec<Staged>,
    /// Files staged so far, those in folders made whole included (the `stage` fault's pass).
    stages: usize,
    committed: bool,
}

/// Bytes staged between two early syncs ([`EarlySync`]).
const EARLY_SYNC_EVERY: usize = 64 << 20;

impl Transaction {
    /// A run on the ledger in `dir`; call with the ledger lock held.
    pub fn new(dir: &Path) -> Transaction {
        Transaction {
            dir: dir.to_owned(),
            staged: Vec::new(),
            entries: Vec::new(),
            journal_replacement: None,
            streamed: None,
            removes: Vec::new(),
            made_dir: None,
            early_sync: EarlySync::every(EARLY_SYNC_EVERY),
            folders: Vec::new(),
            stages: 0,
            committed: false,
        }
    }

    /// Makes `target`, a folder that does not exist yet, as a whole: its files are written
    /// under their own names into a temporary folder beside it (returned), which the commit
    /// renames into place. One rename for the run instead of one per file (issue #14: the
    /// 28,196 renames of a morning's letters were a tenth of the run, with one core idle),
    /// and no look for a file of that name first. `None` when `target` exists: its files are
    /// then staged one by one ([`Transaction::stage`]).
    pub fn stage_folder(&mut self, target: &Path) -> Result<Option<PathBuf>> {
        if let Some(folder) = self.folders.iter().find(|f| f.target == target) {
            return Ok(Some(folder.temp.clone()));
        }
        if std::fs::symlink_metadata(target).is_ok() {
            return Ok(None);
        }
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let temp = temp_path(target);
        let made = match std::fs::create_dir(&temp) {
            // Left by a killed run of a process with the same id.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_dir_all(&temp).and_then(|()| std::fs::create_dir(&temp))
            }
            made => made,
        };
        made.with_context(|| format!("cannot create {}", temp.display()))?;
        self.folders.push(Staged { temp: temp.clone(), target: target.to_owned() });
        Ok(Some(temp))
    }

    /// Where the file `target` is written when its folder is made whole
    /// ([`Transaction::stage_folder`]): its own name in the temporary folder.
    pub fn in_staged_folder(&self, target: &Path) -> Option<PathBuf> {
        let name = target.file_name()?;
        self.staged_folder_of(target).map(|f| f.temp.join(name))
    }

    /// Whether `target` is a file of a folder this run makes whole: no earlier run's file can
    /// be there, nor a killed run's leftovers.
    pub fn makes_whole(&self, target: &Path) -> bool {
        self.staged_folder_of(target).is_some()
    }

    fn staged_folder_of(&self, target: &Path) -> Option<&Staged> {
        let parent = target.parent()?;
        self.folders.iter().find(|f| f.target == parent)
    }

    /// Whether `written` is a file in a folder made whole (staged with its folder).
    fn in_temp_folder(&self, written: &Path) -> bool {
        written.parent().is_some_and(|parent| self.folders.iter().any(|f| f.temp == parent))
    }

    /// A file for `target` written piece by piece: in its folder made whole, or under a
    /// temporary name beside it ([`StagedFile::create`]).
    pub fn staged_file(&self, target: &Path) -> Result<StagedFile> {
        let Some(path) = self.in_staged_folder(target) else { return StagedFile::create(target) };
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot write {}", target.display()))?;
        Ok(StagedFile {
            temp: path,
            target: target.to_owned(),
            out: BufWriter::with_capacity(256 * 1024, file),
            staged: false,
        })
    }

    /// Removes `path` with the run: once it is committed, never before.
    pub fn remove(&mut self, path: &Path) {
        self.removes.push(path.to_owned());
    }

    /// Stages a file written piece by piece; `target` appears at commit.
    pub fn stage_file(&mut self, mut file: StagedFile) -> Result<()> {
        self.next_stage();
        file.sync()?;
        file.staged = true;
        if !self.in_temp_folder(&file.temp) {
            self.staged.push(Staged { temp: file.temp.clone(), target: file.target.clone() });
        }
        Ok(())
    }

    /// Adds one journal line of this run, written to a staged file at once, so a run of
    /// millions of lines does not hold them. Lines given with [`Transaction::journal`] follow
    /// these; a run gives its lines one way or the other.
    pub fn journal_line(&mut self, entry: &Entry) -> Result<()> {
        if self.streamed.is_none() {
            let (journal_len, ends_in_newline) = journal_state(&self.dir)?;
            let mut file = StagedFile::create(&self.dir.join(JOURNAL_LINES))?;
            if journal_len > 0 && !ends_in_newline {
                // A journal edited by hand may lack its last newline; two lines must not glue.
                file.write_all(b"\n")?;
            }
            let mut lines = super::journal_file::line_writer(file);
            if journal_len == 0 {
                super::journal_file::write_header(&mut lines)?;
            }
            self.streamed = Some(StreamedLines { lines });
        }
        let Some(streamed) = self.streamed.as_mut() else { return Ok(()) };
        super::journal_file::write_line(&mut streamed.lines, entry)?;
        Ok(())
    }

    /// Writes `bytes` for `target` under a temporary name; `target` appears at commit.
    pub fn stage(&mut self, target: &Path, bytes: &[u8]) -> Result<()> {
        if let Some(path) = self.in_staged_folder(target) {
            // As the letters' workers write there: a new file under its own name.
            let (path, len) = crate::io::output::WrittenTemp::write_new(&path, bytes)
                .with_context(|| format!("cannot write {}", target.display()))?
                .claim();
            self.stage_written(target, path, len);
            return Ok(());
        }
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
        let make_dir = |dir: &Path| {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
        };
        if let Some(dir) = parent
            && self.made_dir.as_deref() != Some(dir)
        {
            make_dir(dir)?;
            self.made_dir = Some(dir.to_owned());
        }
        // Synced all at once before the commit point (`write_intent`); a kill at the fault
        // point (`stage_written`) leaves this temporary file for the next run to sweep.
        let temp = match (write_temp_unsynced(target, bytes), parent) {
            // The folder made for an earlier file was removed since: made again.
            (Err(_), Some(dir)) if !dir.is_dir() => {
                make_dir(dir)?;
                write_temp_unsynced(target, bytes)?
            }
            (written, _) => written?,
        };
        self.stage_written(target, temp, bytes.len());
        Ok(())
    }

    /// Stages a file already written under its temporary name `temp` ([`write_temp_unsynced`],
    /// `len` bytes): what [`Transaction::stage`] does once it has written it.
    pub fn stage_written(&mut self, target: &Path, temp: PathBuf, len: usize) {
        self.next_stage();
        // The folder the file is in now (a folder made whole is not there yet).
        let parent = temp.parent().filter(|p| !p.as_os_str().is_empty());
        self.early_sync.staged(parent.unwrap_or(&self.dir), len);
        if !self.in_temp_folder(&temp) {
            self.staged.push(Staged { temp, target: target.to_owned() });
        }
    }

    /// Counts a staged file: the test fault `stage:N` stops the run at the Nth.
    fn next_stage(&mut self) {
        fault("stage", self.stages);
        self.stages += 1;
    }

    pub fn journal(&mut self, entries: &[Entry]) {
        self.entries.extend_from_slice(entries);
    }

    /// [`Transaction::journal`] of lines the caller has no more use for: moved, not copied.
    pub fn journal_owned(&mut self, entries: Vec<Entry>) {
        if self.entries.is_empty() {
            self.entries = entries;
        } else {
            self.entries.extend(entries);
        }
    }

    /// Replaces the journal, in this run's commit, by `bytes` (the journal as read under the
    /// lock, with lines changed) followed by this run's lines: the change and the lines that
    /// record it land together or not at all.
    pub fn replace_journal(&mut self, bytes: Vec<u8>) {
        self.journal_replacement = Some(bytes);
    }

    /// Commits and applies the run. On an error before the commit point, or while appending
    /// the journal, nothing has changed.
    pub fn commit(mut self) -> Result<()> {
        if let Some(journal) = self.journal_replacement.take() {
            return self.commit_replacing(journal);
        }
        if self.streamed.is_some() {
            return self.commit_streamed();
        }
        if self.staged.is_empty()
            && self.folders.is_empty()
            && self.entries.is_empty()
            && self.removes.is_empty()
        {
            self.committed = true;
            return Ok(());
        }
        let (journal_len, ends_in_newline) = journal_state(&self.dir)?;
        let mut lines = Vec::new();
        if journal_len > 0 && !ends_in_newline {
            // A journal edited by hand may lack its last newline; two lines must not glue.
            lines.push(b'\n');
        }
        lines.extend(super::journal_file::render_lines(&self.entries, journal_len == 0));
        let intent = Intent {
            version: 1,
            journal_len,
            journal: String::from_utf8(lines).context("journal lines are not UTF-8")?,
            files: self.staged.clone(),
            replaces_journal: false,
            journal_file: None,
            removes: self.removes.clone(),
            folders: self.folders.clone(),
        };
        self.apply(&intent)
    }
}

impl Transaction {
    /// Writes the intent (the commit point), appends the journal, renames the staged files.
    fn apply(&mut self, intent: &Intent) -> Result<()> {
        self.write_intent(intent)?;
        if let Err(e) = append_journal(&self.dir, intent) {
            return match roll_back(&self.dir, intent) {
                Ok(()) => Err(e.context("nothing was written; the journal is as it was")),
                Err(_) => Err(e.context("the run is committed; the next dun run under the lock finishes it")),
            };
        }
        rename_staged(intent)?;
        finish(&self.dir, intent)
    }

    /// [`Transaction::commit`] of a run whose lines are in a staged file: the commit file names
    /// it, and the journal is appended from it.
    fn commit_streamed(&mut self) -> Result<()> {
        let Some(mut streamed) = self.streamed.take() else { return Ok(()) };
        for e in std::mem::take(&mut self.entries) {
            super::journal_file::write_line(&mut streamed.lines, &e)?;
        }
        let mut file = streamed
            .lines
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write the journal lines: {e}"))?;
        file.sync()?;
        // From here the intent owns the file: removed by `finish`, `roll_back` or the sweep.
        file.staged = true;
        let (journal_len, _) = journal_state(&self.dir)?;
        let intent = Intent {
            version: 1,
            journal_len,
            journal: String::new(),
            files: self.staged.clone(),
            replaces_journal: false,
            journal_file: Some(file.temp.clone()),
            removes: self.removes.clone(),
            folders: self.folders.clone(),
        };
        let applied = self.apply(&intent);
        if applied.is_err() && !self.committed {
            let _ = std::fs::remove_file(&file.temp);
        }
        applied
    }

    /// The commit point: once the intent is on disk, the run is finished by whoever comes next.
    fn write_intent(&mut self, intent: &Intent) -> Result<()> {
        // Every staged file is on disk before the record that names them: recovery renames
        // what the record names, so a file still in the page cache at a power cut must not
        // be committed.
        self.early_sync.wait();
        sync_written(self.staged.iter().chain(&self.folders).map(|s| s.temp.as_path()))
            .context("cannot commit the run; nothing was written")?;
        fault("commit", 0);
        // Written as it is serialized: a morning of letters names hundreds of thousands of
        // files, and the text of them all need not be held beside them (issue #14).
        write_atomically_with(&self.dir.join(COMMIT), |file| {
            let mut out = std::io::BufWriter::new(file);
            serde_json::to_writer(&mut out, intent)?;
            out.flush()
        })
        .context("cannot commit the run; nothing was written")?;
        self.committed = true;
        fault("committed", 0);
        Ok(())
    }

    /// [`Transaction::commit`] of a run that replaces the journal: the new journal is staged
    /// with the other files, and the commit renames it into place with them.
    fn commit_replacing(mut self, mut journal: Vec<u8>) -> Result<()> {
        if !journal.is_empty() && !journal.ends_with(b"\n") {
            journal.push(b'\n');
        }
        journal.extend(super::journal_file::render_lines(&self.entries, journal.is_empty()));
        let target = self.dir.join(JOURNAL);
        self.stage(&target, &journal)?;
        let intent = Intent {
            version: 1,
            journal_len: journal.len() as u64,
            journal: String::new(),
            files: self.staged.clone(),
            replaces_journal: true,
            journal_file: None,
            removes: self.removes.clone(),
            folders: self.folders.clone(),
        };
        self.write_intent(&intent)?;
        rename_staged(&intent)?;
        finish(&self.dir, &intent)
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if !self.committed {
            for s in &self.staged {
                let _ = std::fs::remove_file(&s.temp);
            }
            for f in &self.folders {
                let _ = std::fs::remove_dir_all(&f.temp);
            }
        }
    }
}

/// The journal's length and whether it ends in a newline (a missing journal is empty).
fn journal_state(dir: &Path) -> Result<(u64, bool)> {
    let path = dir.join(JOURNAL);
    let mut file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, true)),
        Err(e) => return Err(e).with_context(|| format!("{JOURNAL}: cannot open {}", path.display())),
    };
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok((0, true));
    }
    let mut last = [0u8];
    file.seek(SeekFrom::End(-1))?;
    file.read_exact(&mut last)?;
    Ok((len, last[0] == b'\n'))
}

/// Brings the journal to `journal_len` + the committed lines: appends what is missing of
/// them, or finds them all there already.
fn append_journal(dir: &Path, intent: &Intent) -> Result<()> {
    let path = dir.join(JOURNAL);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("{JOURNAL}: cannot open {} for appending", path.display()))?;
    let len = file.metadata()?.len();
    let want_len = intent.appended_len()?;
    if len < intent.journal_len {
        bail!(
            "{JOURNAL} is shorter ({len} bytes) than when a run committed ({} bytes): it was changed \
             by hand. Check it, then delete {COMMIT} to go on",
            intent.journal_len
        );
    }
    let there = len - intent.journal_len;
    if there > want_len {
        bail!("{JOURNAL} has lines after those of a run that did not finish; check it, then delete {COMMIT}");
    }
    let mut want = intent.appended()?;
    file.seek(SeekFrom::Start(intent.journal_len))?;
    if !same_bytes(&mut (&mut file).take(there), &mut want.as_mut().take(there))? {
        bail!(
            "{JOURNAL}'s last line is not what a run that did not finish committed; check it, then \
             delete {COMMIT}"
        );
    }
    file.seek(SeekFrom::End(0))?;
    write_faulty(&mut file, want.as_mut(), want_len - there)
        .with_context(|| format!("{JOURNAL}: cannot append"))?;
    file.sync_all().with_context(|| format!("{JOURNAL}: cannot sync"))?;
    if intent.journal_len == 0 {
        sync_dir(dir);
    }
    Ok(())
}

/// Whether two readers give the same bytes, read a block at a time.
fn same_bytes(a: &mut dyn Read, b: &mut dyn Read) -> std::io::Result<bool> {
    let (mut x, mut y) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = read_full(a, &mut x)?;
        let m = read_full(b, &mut y)?;
        if n != m || x[..n] != y[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

/// Reads until `buf` is full or the reader ends; how many bytes.
pub(crate) fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Copies the `len` bytes of `bytes`, with the test faults `journal:N` (killed after N bytes)
/// and `journal-full:N` (the disk full after N bytes).
fn write_faulty(file: &mut std::fs::File, bytes: &mut dyn Read, len: u64) -> std::io::Result<()> {
    if let Some((kind, n)) =
        fault_spec().filter(|(k, n)| (k == "journal" || k == "journal-full") && (*n as u64) < len)
    {
        std::io::copy(&mut bytes.take(n as u64), file)?;
        file.sync_all()?;
        if kind == "journal" {
            std::process::abort();
        }
        return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
    }
    let copied = std::io::copy(bytes, file)?;
    if copied != len {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the run's journal lines are {copied} bytes, not {len}"),
        ));
    }
    Ok(())
}

/// A run whose journal lines could not be appended: cut the journal back, drop its files.
fn roll_back(dir: &Path, intent: &Intent) -> Result<()> {
    let path = dir.join(JOURNAL);
    if let Ok(file) = OpenOptions::new().write(true).open(&path) {
        file.set_len(intent.journal_len)?;
        file.sync_all()?;
    }
    // The commit record goes before the files it names: a stop between the two then leaves
    // temporary files the next run sweeps, never a record of files that are gone, which no
    // run could finish.
    std::fs::remove_file(dir.join(COMMIT))?;
    sync_dir(dir);
    fault("roll-back", 0);
    for s in &intent.files {
        let _ = std::fs::remove_file(&s.temp);
    }
    for f in &intent.folders {
        let _ = std::fs::remove_dir_all(&f.temp);
    }
    if let Some(lines) = &intent.journal_file {
        let _ = std::fs::remove_file(lines);
    }
    Ok(())
}

fn rename_staged(intent: &Intent) -> Result<()> {
    for (i, f) in intent.folders.iter().enumerate() {
        fault("rename", i);
        place_folder(f)?;
    }
    for (i, s) in intent.files.iter().enumerate() {
        fault("rename", intent.folders.len() + i);
        match std::fs::rename(&s.temp, &s.target) {
            Ok(()) => {}
            // Renamed before a stop; recovery comes here again.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && s.target.exists() => {}
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot rename {} to {}", s.temp.display(), s.target.display())
                });
            }
        }
    }
    for (i, path) in intent.removes.iter().enumerate() {
        fault("remove", i);
        match std::fs::remove_file(path) {
            Ok(()) => {}
            // Removed before a stop; recovery comes here again.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
        }
    }
    let mut dirs: Vec<&Path> =
        intent.files.iter().chain(&intent.folders).filter_map(|s| s.target.parent()).collect();
    dirs.extend(intent.removes.iter().filter_map(|p| p.parent()));
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        sync_dir(d);
    }
    Ok(())
}

/// Renames a folder made whole into place. Where a folder of its name has appeared since it
/// was staged (nothing of dun's makes one under the lock, but a person may), its files are
/// moved in one by one, as staged files are renamed.
fn place_folder(folder: &Staged) -> Result<()> {
    let context = || format!("cannot rename {} to {}", folder.temp.display(), folder.target.display());
    let renamed = std::fs::rename(&folder.temp, &folder.target);
    if renamed.is_ok() {
        return Ok(());
    }
    if !folder.target.is_dir() {
        return renamed.with_context(context);
    }
    // Renamed before a stop (recovery comes here again), or a folder there already.
    let Ok(entries) = std::fs::read_dir(&folder.temp) else { return Ok(()) };
    for entry in entries {
        let entry = entry.with_context(context)?;
        std::fs::rename(entry.path(), folder.target.join(entry.file_name())).with_context(context)?;
    }
    std::fs::remove_dir(&folder.temp).with_context(context)
}

fn finish(dir: &Path, intent: &Intent) -> Result<()> {
    std::fs::remove_file(dir.join(COMMIT)).with_context(|| format!("cannot remove {COMMIT}"))?;
    if let Some(lines) = &intent.journal_file {
        // Left behind by a stop here, the sweep removes it with the other temporary files.
        let _ = std::fs::remove_file(lines);
    }
    sync_dir(dir);
    Ok(())
}

/// Test faults, for the crash harness (`scripts/crash-harness.sh`) and the tests:
/// `DUN_FAULT=POINT:N` aborts the process at the Nth pass of POINT (`stage`, `commit`,
/// `committed`, `rename`, `remove`, `roll-back` (after a full disk's roll-back has removed the commit record); in `dun send`'s e-mail batch `sending`, after `sending` is
/// journaled and before the body, and `answered`, after the server's answer), or makes the
/// journal append stop after N bytes (`journal`: killed,
/// `journal-full`: the disk is full).
fn fault_spec() -> Option<(String, usize)> {
    fault_specs().iter().find(|(k, _)| k == "journal" || k == "journal-full").cloned()
}

/// Every `POINT:N` of `DUN_FAULT`, which may name several, comma-separated (a full disk and
/// then a kill while rolling back, say).
fn fault_specs() -> &'static [(String, usize)] {
    // Read once: a run passes a fault point for every file it stages.
    static SPECS: std::sync::OnceLock<Vec<(String, usize)>> = std::sync::OnceLock::new();
    SPECS.get_or_init(|| {
        let Ok(spec) = std::env::var("DUN_FAULT") else { return Vec::new() };
        spec.split(',')
            .filter_map(|one| {
                let (kind, n) = one.split_once(':').unwrap_or((one, "0"));
                Some((kind.to_owned(), n.parse().ok()?))
            })
            .collect()
    })
}

/// Aborts the process at `point` on pass `pass` when `DUN_FAULT=point:pass` (the tests' way to
/// kill a run at a chosen byte).
pub(crate) fn fault(point: &str, pass: usize) {
    if fault_specs().iter().any(|(k, n)| k == point && *n == pass) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests;
