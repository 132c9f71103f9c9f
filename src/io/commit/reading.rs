//! Reading what runs committed: the journal as a reader without the lock takes it
//! ([`committed_view`]), and, under the lock, finishing a committed run that was stopped and
//! sweeping what killed runs left ([`recover`]).

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, Result};

use super::{COMMIT, Intent, JOURNAL, TORN, append_journal, finish, journal_state, rename_staged};

fn read_intent(dir: &Path) -> Result<Option<Intent>> {
    match std::fs::read(dir.join(COMMIT)) {
        Ok(bytes) => Ok(Some(
            serde_json::from_slice(&bytes)
                .with_context(|| format!("{COMMIT}: cannot read the record of a run that did not finish"))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {COMMIT}")),
    }
}

/// What a reader without the lock takes as the journal: how many bytes of `journal.csv`, and
/// the committed lines of a run still being applied (or stopped) that follow them.
pub struct CommittedView {
    pub len: u64,
    pub pending: Vec<u8>,
    /// The journal to read instead of `journal.csv` (its first `len` bytes): the staged new
    /// journal of a committed run that replaces it, or the journal it was renamed to.
    pub file: Option<std::fs::File>,
    /// Set when a last line no run completed is left out.
    pub torn: Option<String>,
}

pub fn committed_view(dir: &Path) -> Result<CommittedView> {
    if let Some(intent) = read_intent(dir)? {
        if intent.replaces_journal {
            return Ok(replaced_view(dir, &intent));
        }
        let pending = match &intent.journal_file {
            Some(path) => std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
            None => intent.journal.into_bytes(),
        };
        return Ok(CommittedView { len: intent.journal_len, pending, file: None, torn: None });
    }
    let (len, torn) = torn_tail(dir)?;
    Ok(CommittedView { len, pending: Vec::new(), file: None, torn })
}

/// The journal of a committed run that replaces it: the staged file while it is there, else
/// the journal it has been renamed to (opened once, so a rename in between cannot mix them).
fn replaced_view(dir: &Path, intent: &Intent) -> CommittedView {
    let staged = intent
        .files
        .iter()
        .find(|s| s.target.file_name() == Some(JOURNAL.as_ref()))
        .and_then(|s| s.temp.file_name())
        .and_then(|name| std::fs::File::open(dir.join(name)).ok());
    let file = staged.or_else(|| std::fs::File::open(dir.join(JOURNAL)).ok());
    let len = file.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.len());
    CommittedView { len, pending: Vec::new(), file, torn: None }
}

/// A journal whose last line has no newline and fewer fields than the header was cut short
/// by a run of a version without commits: the line is not a record. Returns the length of
/// the journal without it, and the line.
fn torn_tail(dir: &Path) -> Result<(u64, Option<String>)> {
    let path = dir.join(JOURNAL);
    let (len, ends_in_newline) = journal_state(dir)?;
    if len == 0 || ends_in_newline {
        return Ok((len, None));
    }
    let mut file = std::fs::File::open(&path)?;
    let from = len.saturating_sub(64 * 1024);
    file.seek(SeekFrom::Start(from))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)?;
    let Some(nl) = memchr::memrchr(b'\n', &tail) else { return Ok((len, None)) };
    let line = &tail[nl + 1..];
    let fields = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line)
        .byte_records()
        .next()
        .and_then(|r| r.ok())
        .map_or(0, |r| r.len());
    if fields >= crate::core::journal::COLUMNS.len() {
        return Ok((len, None));
    }
    Ok((from + nl as u64 + 1, Some(String::from_utf8_lossy(line).into_owned())))
}

/// Under the ledger lock, before the run reads anything: finishes a committed run that was
/// stopped, sets aside a torn last journal line, removes temporary files of killed runs in
/// the ledger directory and `out/`. Returns what it did, for the user to read.
pub fn recover(dir: &Path) -> Result<Vec<String>> {
    let mut said = Vec::new();
    if let Some(intent) = read_intent(dir)? {
        if !intent.replaces_journal {
            append_journal(dir, &intent)?;
        }
        rename_staged(&intent)?;
        let lines = match &intent.journal_file {
            Some(path) => {
                std::fs::read(path).map_or(0, |b| b.split(|&c| c == b'\n').filter(|l| !l.is_empty()).count())
            }
            None => intent.journal.lines().filter(|l| !l.is_empty()).count(),
        };
        finish(dir, &intent)?;
        let folders = match intent.folders.len() {
            0 => String::new(),
            n => format!(" and {n} folder(s)"),
        };
        said.push(format!(
            "finished a run that was stopped after it committed: {lines} journal line(s), {} file(s){folders}",
            intent.files.len()
        ));
    }
    if let (keep, Some(line)) = torn_tail(dir)? {
        let mut torn = OpenOptions::new().create(true).append(true).open(dir.join(TORN))?;
        torn.write_all(line.as_bytes())?;
        torn.write_all(b"\n")?;
        torn.sync_all()?;
        let journal = OpenOptions::new().write(true).open(dir.join(JOURNAL))?;
        journal.set_len(keep)?;
        journal.sync_all()?;
        said.push(format!(
            "{JOURNAL}: dropped a last line that no run completed (kept in {TORN}): {}",
            crate::render::escape::printable(&line)
        ));
    }
    let mut removed = crate::io::output::sweep(dir);
    let out = dir.join("out");
    removed += crate::io::output::sweep(&out);
    if let Ok(days) = std::fs::read_dir(&out) {
        for day in days.flatten().filter(|d| d.file_type().is_ok_and(|t| t.is_dir())) {
            removed += crate::io::output::sweep(&day.path());
        }
    }
    if removed > 0 {
        said.push(format!("removed {removed} temporary file(s) left by a run that was stopped"));
    }
    Ok(said)
}
