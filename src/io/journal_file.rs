//! `journal.csv`: reading it (a line that cannot be read is an error with its line number)
//! and appending to it (under the ledger lock, synced, only after the outputs are in place).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::csv_in::{ColumnSpec, RowCheck, Rows, gather, map_columns};
use super::ledger_dir::JOURNAL;
use super::source::CsvSource;
use crate::core::aging::JournalFacts;
use crate::core::finding::Finding;
use crate::core::journal::{COLUMNS, Entry, Event, Journal};

const SPECS: [ColumnSpec; 9] = {
    const fn c(name: &'static str, required: bool) -> ColumnSpec {
        ColumnSpec { name, aliases: &[], required }
    }
    [
        c("date", true),
        c("event", true),
        c("invoice", true),
        c("customer", true),
        c("amount", false),
        c("until", false),
        c("channel", false),
        c("ref", false),
        c("note", false),
    ]
};

/// Reads the journal; a missing file is an empty journal.
pub fn read(dir: &Path) -> Result<Journal> {
    let path = dir.join(JOURNAL);
    if !path.exists() {
        return Ok(Journal::default());
    }
    let source = CsvSource::open(&path, JOURNAL, |names| map_columns(&SPECS, names))?;
    let cols = source.header.index.clone();
    let states = source.scan(
        || (Vec::new(), Vec::new()),
        |(entries, findings): &mut Rows<Entry>, fields| {
            let mut check = RowCheck { file: JOURNAL, line: fields.line, findings };
            let date = check.text(fields, cols[0], "date").and_then(|t| check.date(t, "date"));
            let event_text = fields.get(cols[1]);
            let event = Event::parse(event_text);
            if event.is_none() {
                check.findings.push(Finding::error(
                    JOURNAL,
                    fields.line,
                    "event",
                    "bad-field",
                    format!(
                        "\"{event_text}\" is not a journal event (expected one of {})",
                        Event::ALL.map(|e| e.name()).join(", ")
                    ),
                ));
            }
            let amount = check.optional_amount(fields.get(cols[4]), "amount");
            let until = check.optional_date(fields.get(cols[5]), "until");
            let opt = |i: usize| Some(fields.get(cols[i]).to_owned()).filter(|s| !s.is_empty());
            if let (Some(date), Some(event), Ok(amount), Ok(until)) = (date, event, amount, until) {
                entries.push((
                    fields.line,
                    Entry {
                        date,
                        event,
                        invoice: opt(2),
                        customer: opt(3),
                        amount,
                        until,
                        channel: opt(6),
                        reference: opt(7),
                        note: opt(8),
                        line: fields.line,
                    },
                ));
            }
        },
    )?;
    Ok(Journal { entries: gather(states)? })
}

/// What the report's key figures need from the journal.
pub fn load_facts(dir: &Path, as_of: chrono::NaiveDate) -> Result<JournalFacts> {
    let journal = read(dir)?;
    Ok(JournalFacts {
        reminded_12m: journal.invoices_with_in_year(Event::Reminder, as_of),
        collected_12m: journal.invoices_with_in_year(Event::Collection, as_of),
        disputed: journal.disputed(as_of),
    })
}

/// The journal's lines for `entries`, with the header when the file is new.
pub fn render_lines(entries: &[Entry], with_header: bool) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    if with_header {
        let _ = w.write_record(COLUMNS);
    }
    for e in entries {
        let _ = w.write_record(e.fields().iter().map(|f| crate::render::csv_out::defuse(f).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

/// Appends entries and syncs the file. Call with the ledger lock held, after every output the
/// entries describe is in place: a crash before this line leaves the journal as it was, and
/// the next run does the work again rather than never.
pub fn append(dir: &Path, entries: &[Entry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let path = dir.join(JOURNAL);
    let is_new = !path.exists() || std::fs::metadata(&path).map(|m| m.len() == 0).unwrap_or(true);
    if !is_new {
        ensure_trailing_newline(&path)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("{JOURNAL}: cannot open {} for appending", path.display()))?;
    file.write_all(&render_lines(entries, is_new)).with_context(|| format!("{JOURNAL}: cannot append"))?;
    file.sync_all().with_context(|| format!("{JOURNAL}: cannot sync"))?;
    Ok(())
}

/// A journal edited by hand may lack its last newline; appending must not glue two lines.
fn ensure_trailing_newline(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("{JOURNAL}: cannot read"))?;
    if bytes.last().is_some_and(|&b| b != b'\n') {
        let mut f = std::fs::OpenOptions::new().append(true).open(path)?;
        f.write_all(b"\n")?;
    }
    Ok(())
}
