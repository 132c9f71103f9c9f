//! `journal.csv` (SPEC §8): reading it (a line that cannot be read is an error with its line
//! number) as committed, and the bytes of new lines. Appending is `io::commit`'s: a run's
//! lines land all or none.

use std::io::Read;
use std::path::Path;

use anyhow::Result;

use super::csv_in::{ColumnSpec, RowCheck, Rows, gather, map_columns};
use super::ledger_dir::JOURNAL;
use super::source::{CsvSource, Dialect, normalize_header};
use crate::core::aging::JournalFacts;
use crate::core::finding::Finding;
use crate::core::journal::{COLUMNS, Entry, Event, Journal};
use crate::render::escape::{printable, undefuse};

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

/// Reads the journal as committed (see `io::commit::committed_view`); a missing or empty file
/// is an empty journal, and a last line that no run completed is left out (and said so).
pub fn read(dir: &Path) -> Result<Journal> {
    let path = dir.join(JOURNAL);
    super::source::ensure_regular(&path, JOURNAL)?;
    let view = super::commit::committed_view(dir)?;
    if let Some(line) = &view.torn {
        eprintln!(
            "dun: warning: {JOURNAL}: the last line was cut short by a run that was stopped and is \
             left out (the next writing run sets it aside): {}",
            crate::render::escape::printable(line)
        );
    }
    if view.len == 0 && view.pending.is_empty() {
        return Ok(Journal::default());
    }
    let committed: Box<dyn Read + Send> = if view.len > 0 {
        Box::new(super::source::open_regular(&path, JOURNAL)?.take(view.len))
    } else {
        Box::new(std::io::empty())
    };
    parse_at(Box::new(committed.chain(std::io::Cursor::new(view.pending))), &path)
}

/// The journal's records from `bytes` (the fuzz target and the tests read it this way).
pub fn parse(bytes: Box<dyn Read + Send>) -> Result<Journal> {
    parse_at(bytes, Path::new(JOURNAL))
}

fn parse_at(reader: Box<dyn Read + Send>, path: &Path) -> Result<Journal> {
    let source = CsvSource::from_reader(reader, path, JOURNAL, Dialect::default(), |raw| {
        let names: Vec<String> = raw.iter().map(|n| normalize_header(n)).collect();
        map_columns(&SPECS, &names)
    })?;
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
            let opt = |i: usize| Some(undefuse(fields.get(cols[i])).to_owned()).filter(|s| !s.is_empty());
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
        // Verbatim, so that a key written is the key read back (an invoice `-100` stays
        // `-100`); only control characters are escaped: one event a line, nothing for a
        // terminal to run.
        let _ = w.write_record(e.fields().iter().map(|f| printable(f).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

/// Appends `entries` as one run of their own (`io::commit`): all or none. Call with the
/// ledger lock held; a run that also writes files commits them together instead.
pub fn append(dir: &Path, entries: &[Entry]) -> Result<()> {
    let mut tx = super::commit::Transaction::new(dir);
    tx.journal(entries);
    tx.commit()
}
