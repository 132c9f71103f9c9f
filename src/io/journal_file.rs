//! `journal.csv` (SPEC §8): reading it (a line that cannot be read is an error with its line
//! number) as committed, and the bytes of new lines. Appending is `io::commit`'s: a run's
//! lines land all or none.

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::csv_in::{ColumnSpec, RowCheck, Rows, gather, map_columns};
use super::ledger_dir::JOURNAL;
use super::source::{CsvSource, Dialect, Fields, normalize_header};
use crate::core::aging::JournalFacts;
use crate::core::finding::Finding;
use crate::core::journal::{COLUMNS, Entry, Event, Journal, LineHead};
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
    read_where(dir, |_| true)
}

/// [`read`] keeping the lines `keep` accepts: every line is read and checked all the same, so
/// a line that cannot be read is the same error whatever is kept.
pub fn read_where(dir: &Path, keep: impl Fn(&LineHead<'_>) -> bool + Sync) -> Result<Journal> {
    let path = dir.join(JOURNAL);
    match committed(dir)? {
        Some(reader) => parse_at(reader, &path, keep),
        None => Ok(Journal::default()),
    }
}

/// [`read_where`] with each kept line made into what `to` makes of its head, date and
/// `until` as it is read, in file order, without an [`Entry`]: for a run that reads a few
/// fields of millions of lines.
pub fn read_where_as<T: Send>(
    dir: &Path,
    keep: impl Fn(&LineHead<'_>) -> bool + Sync,
    to: impl Fn(&LineHead<'_>, NaiveDate, Option<NaiveDate>) -> T + Sync,
) -> Result<Vec<T>> {
    match committed(dir)? {
        Some(reader) => parse_as(reader, &dir.join(JOURNAL), |line| {
            keep(&line.head).then(|| to(&line.head, line.date, line.until))
        }),
        None => Ok(Vec::new()),
    }
}

/// The journal's committed bytes, `None` when there are none.
fn committed(dir: &Path) -> Result<Option<Box<dyn Read + Send>>> {
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
        return Ok(None);
    }
    let committed: Box<dyn Read + Send> = if view.len > 0 {
        match view.file {
            Some(replaced) => Box::new(replaced.take(view.len)),
            None => Box::new(super::source::open_regular(&path, JOURNAL)?.take(view.len)),
        }
    } else {
        Box::new(std::io::empty())
    };
    Ok(Some(Box::new(committed.chain(std::io::Cursor::new(view.pending)))))
}

/// The journal's records from `bytes` (the fuzz target and the tests read it this way).
pub fn parse(bytes: Box<dyn Read + Send>) -> Result<Journal> {
    parse_at(bytes, Path::new(JOURNAL), |_| true)
}

fn source_of(reader: Box<dyn Read + Send>, path: &Path) -> Result<CsvSource> {
    CsvSource::from_reader(reader, path, JOURNAL, Dialect::default(), |raw| {
        let names: Vec<String> = raw.iter().map(|n| normalize_header(n)).collect();
        // dun writes every line with the journal's columns: a column it does not know is
        // damage (an edit, two files joined), and its lines would not fit the header.
        if let Some(unknown) = names.iter().position(|n| !SPECS.iter().any(|s| s.name == n)) {
            return Err(format!(
                "column \"{}\" is not a journal column (expected {})",
                raw[unknown],
                SPECS.map(|s| s.name).join(",")
            ));
        }
        map_columns(&SPECS, &names)
    })
}

/// The fields of a journal line that are not text, checked; `None` (with findings) when the
/// line cannot be read. Every reader of the journal checks a line the same way.
fn check_line(
    fields: &Fields<'_>,
    cols: &[Option<usize>],
    findings: &mut Vec<Finding>,
) -> Option<(NaiveDate, Event, Option<Decimal>, Option<NaiveDate>)> {
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
    match (date, event, amount, until) {
        (Some(date), Some(event), Ok(amount), Ok(until)) => Some((date, event, amount, until)),
        _ => None,
    }
}

fn parse_at(
    reader: Box<dyn Read + Send>,
    path: &Path,
    keep: impl Fn(&LineHead<'_>) -> bool + Sync,
) -> Result<Journal> {
    let entries = parse_as(reader, path, |line| {
        let head = &line.head;
        keep(head).then(|| {
            let texts = [head.invoice, head.customer, line.channel, line.reference, head.note];
            Entry::read(line.date, head.event, texts, line.amount, line.until, line.number)
        })
    })?;
    Ok(Journal { entries })
}

/// A journal line read and checked, before a reader makes of it what it keeps.
struct Line<'f> {
    head: LineHead<'f>,
    date: NaiveDate,
    amount: Option<Decimal>,
    until: Option<NaiveDate>,
    channel: Option<&'f str>,
    reference: Option<&'f str>,
    /// Its line number in the file.
    number: u64,
}

/// What `make` makes of each line it takes, in file order; every line is read and checked
/// all the same, so a line that cannot be read is the same error whatever is kept.
fn parse_as<T: Send>(
    reader: Box<dyn Read + Send>,
    path: &Path,
    make: impl Fn(&Line<'_>) -> Option<T> + Sync,
) -> Result<Vec<T>> {
    let source = source_of(reader, path)?;
    let cols = source.header.index.clone();
    let states = source.scan_damaged(Rows::<T>::default, |(made, findings): &mut Rows<T>, fields| {
        let text = |i: usize| Some(undefuse(fields.get(cols[i]))).filter(|s| !s.is_empty());
        if let Some((date, event, amount, until)) = check_line(fields, &cols, findings) {
            let head = LineHead { event, invoice: text(2), customer: text(3), note: text(8) };
            let line =
                Line { head, date, amount, until, channel: text(6), reference: text(7), number: fields.line };
            if let Some(t) = make(&line) {
                made.push((fields.line, t));
            }
        }
    })?;
    gather(states)
}

/// What `dun check` needs of the journal, read without keeping its lines: the latest event up
/// to `as_of` of each customer a line names, and of each invoice a line names without a
/// customer (see `core::privacy::last_activities`). The same errors as [`read`] for a line
/// that cannot be read.
pub fn activity(
    dir: &Path,
    as_of: NaiveDate,
    index: &crate::core::ledger::CustomerIndex<'_>,
) -> Result<crate::core::privacy::JournalActivity> {
    use crate::core::privacy::JournalActivity;
    let Some(reader) = committed(dir)? else { return Ok(JournalActivity::new(index.len())) };
    let source = source_of(reader, &dir.join(JOURNAL))?;
    let cols = source.header.index.clone();
    let (states, damaged) = source.scan_damaged(
        || (JournalActivity::new(index.len()), Vec::new()),
        |(activity, findings): &mut (JournalActivity, Vec<Finding>), fields| {
            let Some((date, ..)) = check_line(fields, &cols, findings) else { return };
            if date <= as_of {
                let text = |i: usize| Some(undefuse(fields.get(cols[i]))).filter(|s| !s.is_empty());
                activity.see(index, text(3), text(2), date);
            }
        },
    )?;
    // As `gather` reports them for `read`.
    let mut findings = damaged;
    let mut all = JournalActivity::new(index.len());
    for (part, f) in states {
        all.merge(part);
        findings.extend(f);
    }
    if !findings.is_empty() {
        anyhow::bail!("{}", crate::core::finding::summarize(&mut findings));
    }
    Ok(all)
}

/// What one worker of [`load_facts`] collects from its part of the journal.
#[derive(Default)]
struct FactsPart {
    /// Invoices with a reminder (collection) in the year up to the as-of date; a number may
    /// come more than once.
    reminded: InvoiceKeys,
    collected: InvoiceKeys,
    /// Disputes (`true`) and resolves by line, to replay in file order.
    disputes: Vec<(u64, bool, String)>,
    findings: Vec<Finding>,
}

/// Invoice numbers to count distinct, kept small: a number written as plain digits (as nearly
/// every invoice number is) as the integer it reads, any other as its text. A year of
/// reminders on a large ledger is millions of lines, so this is 8 bytes a line, sorted as
/// integers, instead of a string each.
#[derive(Default)]
struct InvoiceKeys {
    numbers: Vec<u64>,
    texts: Vec<InvoiceKey>,
}

impl InvoiceKeys {
    fn push(&mut self, number: &str) {
        match plain_number(number) {
            Some(n) => self.numbers.push(n),
            None => self.texts.push(InvoiceKey::new(number)),
        }
    }
}

/// Any other invoice number as a key without an allocation of its own where it is short.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum InvoiceKey {
    Short([u8; 24]),
    Long(Box<str>),
}

impl InvoiceKey {
    fn new(number: &str) -> InvoiceKey {
        let b = number.as_bytes();
        if b.len() < 24 {
            let mut key = [0u8; 24];
            key[..b.len()].copy_from_slice(b);
            key[23] = b.len() as u8;
            InvoiceKey::Short(key)
        } else {
            InvoiceKey::Long(number.into())
        }
    }
}

/// `number` as an integer when it is the integer's one way of being written (digits, no
/// leading zero), so that two numbers are equal exactly when their texts are: `"007"` and
/// `"7"` are two invoices and stay two.
fn plain_number(number: &str) -> Option<u64> {
    let b = number.as_bytes();
    let canonical =
        !b.is_empty() && b.len() <= 19 && b.iter().all(u8::is_ascii_digit) && (b[0] != b'0' || b.len() == 1);
    canonical.then(|| b.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// How many distinct keys the workers' parts hold together.
fn distinct(parts: Vec<InvoiceKeys>) -> u64 {
    let (mut numbers, mut texts) = (Vec::new(), Vec::new());
    for part in parts {
        numbers.extend(part.numbers);
        texts.extend(part.texts);
    }
    numbers.sort_unstable();
    numbers.dedup();
    texts.sort_unstable();
    texts.dedup();
    (numbers.len() + texts.len()) as u64
}

/// What the report's key figures need from the journal, read without keeping its lines:
/// the same figures as [`Journal::invoices_with_in_year`] and [`Journal::disputed`] give on
/// the whole journal, and the same errors for a line that cannot be read.
pub fn load_facts(dir: &Path, as_of: NaiveDate) -> Result<JournalFacts> {
    let Some(reader) = committed(dir)? else {
        let journal = Journal::default();
        return Ok(JournalFacts {
            reminded_12m: journal.invoices_with_in_year(Event::Reminder, as_of),
            collected_12m: journal.invoices_with_in_year(Event::Collection, as_of),
            disputed: journal.disputed(as_of),
        });
    };
    let source = source_of(reader, &dir.join(JOURNAL))?;
    let cols = source.header.index.clone();
    let parts = source.scan(FactsPart::default, |part, fields| {
        let Some((date, event, _, _)) = check_line(fields, &cols, &mut part.findings) else { return };
        let invoice = undefuse(fields.get(cols[2]));
        if date > as_of || invoice.is_empty() {
            return;
        }
        let in_year = (as_of - date).num_days() < 365;
        match event {
            Event::Reminder if in_year => part.reminded.push(invoice),
            Event::Collection if in_year => part.collected.push(invoice),
            Event::Dispute | Event::Resolve => {
                part.disputes.push((fields.line, event == Event::Dispute, invoice.to_owned()))
            }
            _ => {}
        }
    })?;
    let mut findings = Vec::new();
    let (mut reminded, mut collected, mut disputes) = (Vec::new(), Vec::new(), Vec::new());
    for part in parts {
        findings.extend(part.findings);
        reminded.push(part.reminded);
        collected.push(part.collected);
        disputes.extend(part.disputes);
    }
    if !findings.is_empty() {
        anyhow::bail!("{}", crate::core::finding::summarize(&mut findings));
    }
    disputes.sort_unstable_by_key(|d| d.0);
    let mut disputed = std::collections::HashSet::new();
    for (_, dispute, invoice) in disputes {
        if dispute {
            disputed.insert(invoice);
        } else {
            disputed.remove(&invoice);
        }
    }
    Ok(JournalFacts { reminded_12m: distinct(reminded), collected_12m: distinct(collected), disputed })
}

/// The journal's lines for `entries`, with the header when the file is new.
pub fn render_lines(entries: &[Entry], with_header: bool) -> Vec<u8> {
    let mut w = line_writer(Vec::new());
    if with_header {
        let _ = write_header(&mut w);
    }
    for e in entries {
        let _ = write_line(&mut w, e);
    }
    w.into_inner().unwrap_or_default()
}

/// A CSV writer of journal lines into `out` (what [`render_lines`] renders, line by line).
pub fn line_writer<W: std::io::Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out)
}

pub fn write_header<W: std::io::Write>(w: &mut csv::Writer<W>) -> csv::Result<()> {
    w.write_record(COLUMNS)
}

/// One entry's line.
pub fn write_line<W: std::io::Write>(w: &mut csv::Writer<W>, e: &Entry) -> csv::Result<()> {
    // Verbatim, so that a key written is the key read back (an invoice `-100` stays `-100`);
    // only control characters are escaped: one event a line, nothing for a terminal to run.
    w.write_record(e.fields().iter().map(|f| printable(f).into_owned()))
}

/// Appends `entries` as one run of their own (`io::commit`): all or none. Call with the
/// ledger lock held; a run that also writes files commits them together instead.
pub fn append(dir: &Path, entries: &[Entry]) -> Result<()> {
    let mut tx = super::commit::Transaction::new(dir);
    tx.journal(entries);
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The streamed figures are the whole journal's: distinct invoices in the year before the
    /// as-of date (not after it, not a year and a day back), disputes replayed in file order.
    #[test]
    fn facts_are_what_the_whole_journal_says() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("date,event,invoice,customer,amount,until,channel,ref,note\n");
        for (date, event, invoice) in [
            ("2025-11-30", "reminder", "1"),
            ("2025-12-01", "reminder", "2"),
            ("2026-03-01", "reminder", "2"),
            ("2026-03-01", "reminder", "3"),
            ("2026-12-01", "reminder", "4"),
            ("2026-04-01", "collection", "3"),
            ("2026-04-01", "reminder", ""),
            ("2026-05-01", "dispute", "5"),
            ("2026-05-02", "dispute", "6"),
            ("2026-06-01", "resolve", "5"),
            ("2026-06-02", "dispute", "5"),
            ("2026-06-03", "resolve", "6"),
            ("2026-06-04", "dispute", "6"),
            ("2026-12-01", "resolve", "6"),
            ("2026-06-05", "dispute", "7"),
            ("2026-06-06", "resolve", "7"),
            // Numbers that read as the same integer are still different invoices.
            ("2026-07-01", "reminder", "7"),
            ("2026-07-01", "reminder", "007"),
            ("2026-07-02", "reminder", "7"),
            ("2026-07-01", "reminder", "0"),
            ("2026-07-01", "reminder", "00"),
            ("2026-07-01", "reminder", "99999999999999999999"),
            ("2026-07-01", "reminder", "9999999999999999999"),
        ] {
            text.push_str(&format!("{date},{event},{invoice},K1,,,,,\n"));
        }
        // Long invoice numbers count by their whole text.
        let long = "F-2026-".repeat(5);
        text.push_str(&format!("2026-07-01,reminder,{long}1,K1,,,,,\n2026-07-01,reminder,{long}2,K1,,,,,\n"));
        std::fs::write(dir.path().join(JOURNAL), &text).unwrap();
        let as_of = day("2026-11-30");
        let facts = load_facts(dir.path(), as_of).unwrap();
        let journal = read(dir.path()).unwrap();
        assert_eq!(facts.reminded_12m, journal.invoices_with_in_year(Event::Reminder, as_of));
        assert_eq!(facts.collected_12m, journal.invoices_with_in_year(Event::Collection, as_of));
        assert_eq!(facts.disputed, journal.disputed(as_of));
        // Checked by hand: reminders 2, 3, 7, 007, 0, 00, the 20 and the 19 nines and the two
        // long numbers; 1 is 365 days back, 4 later.
        assert_eq!((facts.reminded_12m, facts.collected_12m), (10, 1));
        let mut disputed: Vec<&str> = facts.disputed.iter().map(String::as_str).collect();
        disputed.sort_unstable();
        assert_eq!(disputed, vec!["5", "6"]);
    }

    /// A journal of several blocks is counted by several workers: an invoice reminded in two
    /// of their parts counts once, and one in a single part counts too.
    #[test]
    fn facts_count_an_invoice_once_across_the_workers_parts() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("date,event,invoice,customer,amount,until,channel,ref,note\n");
        // 60,000 reminders (about 4 MB, four blocks): invoices 0..55,000 once each, then the
        // first 5,000 again at the end, blocks away; after every tenth reminder a collection of
        // one of 101 invoices. No worker's part holds every number, and some come in two parts.
        for i in 0..60_000u32 {
            let invoice = if i < 55_000 { i } else { i - 55_000 };
            text.push_str(&format!(
                "2026-06-01,reminder,{invoice},K{invoice},,,letter,ref-{i:08},a note to fill the line\n"
            ));
            if i % 10 == 0 {
                text.push_str(&format!("2026-06-01,collection,{},K1,,,letter,,\n", i % 101));
            }
        }
        assert!(text.len() > 4 * (1 << 20));
        std::fs::write(dir.path().join(JOURNAL), &text).unwrap();
        let as_of = day("2026-11-30");
        let facts = load_facts(dir.path(), as_of).unwrap();
        // i = 10j runs over every residue of 101 (10 and 101 share no factor).
        assert_eq!((facts.reminded_12m, facts.collected_12m), (55_000, 101));
        let journal = read(dir.path()).unwrap();
        assert_eq!(facts.reminded_12m, journal.invoices_with_in_year(Event::Reminder, as_of));
    }

    /// A journal line's text fields are kept together in one allocation, each read back as
    /// it was written, and a line takes no more room than its dates, amount and that one
    /// allocation's pointer and field ends (it took 160 bytes with a string per field).
    #[test]
    fn a_line_keeps_its_text_in_one_piece() {
        let text = "date,event,invoice,customer,amount,until,channel,ref,note\n\
                    2026-11-30,reminder,370894,C000001,0.00,2026-12-10,letter,2026-11-30/reminder-1_C000001_NOK,\"said \"\"no\"\", twice\"\n";
        let journal = parse(Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))).unwrap();
        let e = &journal.entries[0];
        assert_eq!(
            (e.invoice(), e.customer(), e.channel()),
            (Some("370894"), Some("C000001"), Some("letter"))
        );
        assert_eq!(e.reference(), Some("2026-11-30/reminder-1_C000001_NOK"));
        assert_eq!(e.note(), Some("said \"no\", twice"));
        assert!(std::mem::size_of::<Entry>() <= 112, "{}", std::mem::size_of::<Entry>());
    }

    proptest::proptest! {
        /// Lines written read back as they were: quotes, commas, letters beyond ASCII, empty
        /// fields, short and long text, the same invoice again.
        #[test]
        fn written_lines_read_back_as_written(
            lines in proptest::collection::vec(
                (0u16..800, 0usize..17, proptest::option::of("[A-Za-z0-9\",;åÖ/-]{1,40}"),
                 proptest::option::of("[A-Z0-9]{1,9}"), proptest::option::of(-99_999i64..99_999),
                 proptest::option::of(0u16..60), proptest::option::of("letter|email|letter\\+sms"),
                 proptest::option::of("[A-Za-z0-9/_-]{1,60}"), proptest::option::of("[A-Za-z0-9\",;åÖ-][A-Za-z0-9\",; åÖ-]{0,80}[a-z]")),
                0..30,
            ),
        ) {
            let entries: Vec<Entry> = lines
                .iter()
                .enumerate()
                .map(|(i, (days, event, invoice, customer, amount, until, channel, reference, note))| {
                    let date = day("2025-01-01") + chrono::Days::new(u64::from(*days));
                    let mut e = Entry::new(date, Event::ALL[*event]);
                    // Now and then the invoice of the line before.
                    e.set_invoice(invoice.as_deref().or_else(|| (i % 3 == 1).then_some("F1")));
                    e.set_customer(customer.as_deref());
                    e.amount = amount.map(|a| Decimal::new(a, 2));
                    e.until = until.map(|u| date + chrono::Days::new(u64::from(u)));
                    e.set_channel(channel.as_deref());
                    e.set_reference(reference.as_deref());
                    e.set_note(note.as_deref());
                    e.line = i as u64 + 2;
                    e
                })
                .collect();
            let bytes = render_lines(&entries, true);
            let read = parse(Box::new(std::io::Cursor::new(bytes))).unwrap();
            proptest::prop_assert_eq!(read.entries, entries);
        }
    }

    #[test]
    fn facts_report_a_bad_line_as_reading_does() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(JOURNAL),
            "date,event,invoice,customer,amount,until,channel,ref,note\n2026-01-01,remind,1,K1,,,,,\n",
        )
        .unwrap();
        let streamed = load_facts(dir.path(), day("2026-11-30")).err().unwrap().to_string();
        let whole = read(dir.path()).err().unwrap().to_string();
        assert_eq!(streamed, whole);
        assert!(streamed.contains("\"remind\" is not a journal event"), "{streamed}");
    }
}
