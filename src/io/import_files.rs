//! The files `dun import` and `dun assign` keep in the ledger directory:
//!
//! - `payments.csv`: matched payments are added to it. The whole file is rewritten (temp file +
//!   rename) with the user's lines byte for byte as they were, in the file's own delimiter, line
//!   ends, encoding, decimal mark and date shape, and the optional columns `transaction_id`, `source`, `matched_by` added
//!   to its header when it lacks them.
//! - `unmatched.csv`: payments no rule could match with certainty, for a person to assign.
//!   Owned by `dun`, rewritten whole.
//! - `imports.csv`: one line per bank file imported, which the freshness gate reads.
//!
//! Values are written verbatim (these are the ledger's own files, read back by `dun`: a
//! spreadsheet's formula-defusing would change the keys), with control characters escaped
//! ([`stored_txid`]); the `'` that earlier versions put before `= + - @` is read as absent.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::columns::{FileKind, ValueFormat, read_header};
use super::commit::{StagedFile, Transaction};
use super::csv_in::{
    ColumnSpec, PAYMENT_COLUMNS, PAYMENT_COLUMNS_WRITTEN, RowCheck, Rows, dialect_of, gather, map_columns,
};
use super::ledger_dir::PAYMENTS;
use super::source::{CsvSource, Encoding, decode, sniff_delimiter};
use crate::core::finding::Finding;
use crate::core::freshness::{ImportRecord, Pending};
use crate::core::model::Currency;
use crate::core::money::format_money;
use crate::core::policy::ColumnTable;
use crate::render::escape::printable;

pub const UNMATCHED: &str = "unmatched.csv";
pub const IMPORTS: &str = "imports.csv";

/// A transaction id as `dun` writes it to its CSV files: verbatim, control characters escaped.
pub fn stored_txid(txid: &str) -> String {
    printable(txid).into_owned()
}

/// Text for the ledger's own files: verbatim, control characters (a NUL, an ESC, a line
/// break from a bank file) escaped.
fn text(s: &str) -> String {
    printable(s).into_owned()
}

/// FNV-1a (64 bit) of a file's bytes, as 16 hex digits: the same file imported twice has the
/// same hash on every machine and Rust version.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A line `dun` adds to `payments.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentLine {
    pub date: NaiveDate,
    pub invoice: String,
    pub amount: Decimal,
    pub reference: Option<String>,
    pub transaction_id: String,
    pub source: String,
    pub matched_by: String,
}

impl PaymentLine {
    /// The line's fields in `PAYMENT_COLUMNS` order.
    fn fields(&self) -> [String; PAYMENT_COLUMNS_WRITTEN] {
        [
            self.date.to_string(),
            text(&self.invoice),
            format_money(self.amount),
            text(self.reference.as_deref().unwrap_or_default()),
            stored_txid(&self.transaction_id),
            text(&self.source),
            self.matched_by.clone(),
        ]
    }
}

/// Stages `lines` added to `DIR/payments.csv` (created with a header when missing) in `tx`.
/// Call with the ledger lock held.
pub fn append_payments(
    tx: &mut Transaction,
    dir: &Path,
    lines: &[PaymentLine],
    table: Option<&ColumnTable>,
) -> Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let mut adding = PaymentsAppender::start(dir, table)?;
    for line in lines {
        adding.push(line)?;
    }
    adding.stage(tx)
}

/// `payments.csv` with lines added one at a time, into a staged file: what
/// [`append_payments`] writes, for a run that does not hold its lines.
pub struct PaymentsAppender {
    rows: csv::Writer<RowOut<StagedFile>>,
    shape: Option<RowShape>,
}

impl PaymentsAppender {
    /// Copies `DIR/payments.csv` (if any), its header widened, to the staged file, as a stream:
    /// a file of millions of lines is never held.
    pub fn start(dir: &Path, table: Option<&ColumnTable>) -> Result<PaymentsAppender> {
        let path = dir.join(PAYMENTS);
        let cannot_read = || format!("{PAYMENTS}: cannot read {}", path.display());
        let facts = match std::fs::File::open(&path) {
            Ok(f) => Some(FileFacts::of(f).with_context(cannot_read)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(cannot_read),
        };
        let mut file = StagedFile::create(&path)?;
        let shape = match facts.filter(|f| f.significant) {
            None => {
                let (head, shape) = payments_head(None, table)?;
                file.write_all(&head).with_context(|| format!("cannot write {}", path.display()))?;
                shape
            }
            Some(facts) => Some(copy_widened(&path, &facts, table, &mut file)?),
        };
        let (delimiter, terminator, cp1252) =
            shape.as_ref().map_or((b',', "\n", false), |s| (s.delimiter, s.terminator, !s.utf8));
        let rows = writer_into(RowOut { inner: file, cp1252, carry: Vec::new() }, delimiter, terminator);
        Ok(PaymentsAppender { rows, shape })
    }

    pub fn push(&mut self, line: &PaymentLine) -> Result<()> {
        match &self.shape {
            None => self.rows.write_record(line.fields())?,
            Some(shape) => self.rows.write_record(shape.row(line))?,
        }
        Ok(())
    }

    /// Stages the file in `tx`.
    pub fn stage(self, tx: &mut Transaction) -> Result<()> {
        let out = self.rows.into_inner().map_err(|e| anyhow::anyhow!("cannot write {PAYMENTS}: {e}"))?;
        tx.stage_file(out.into_inner()?)
    }
}

/// A writer that encodes the UTF-8 text it is given as Windows-1252 when `cp1252` (as a whole
/// text would be: character by character).
struct RowOut<W: Write> {
    inner: W,
    cp1252: bool,
    /// The start of a character whose last bytes come with the next write.
    carry: Vec<u8>,
}

impl<W: Write> RowOut<W> {
    fn into_inner(mut self) -> Result<W> {
        self.flush()?;
        if !self.carry.is_empty() {
            anyhow::bail!("{PAYMENTS}: a line added is not UTF-8");
        }
        Ok(self.inner)
    }
}

impl<W: Write> Write for RowOut<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.cp1252 {
            return self.inner.write(buf);
        }
        self.carry.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.carry) {
            Ok(text) => text.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        };
        let text = std::str::from_utf8(&self.carry[..valid]).unwrap_or_default();
        self.inner.write_all(&encoding_rs::WINDOWS_1252.encode(text).0)?;
        self.carry.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// How a user's `payments.csv` writes a line: where each column goes and how amounts and
/// dates look (see [`payments_with`]).
struct RowShape {
    width: usize,
    index: Vec<Option<usize>>,
    amount_at: Option<usize>,
    date_at: Option<usize>,
    format: ValueFormat,
    comma: bool,
    date_pattern: Option<String>,
    utf8: bool,
    delimiter: u8,
    terminator: &'static str,
}

impl RowShape {
    fn row(&self, line: &PaymentLine) -> Vec<String> {
        let mut row = vec![String::new(); self.width];
        for (value, at) in line.fields().into_iter().zip(&self.index) {
            if let Some(at) = at {
                row[*at] = value;
            }
        }
        if let Some(at) = self.amount_at {
            row[at] = amount_as_written(line.amount, &self.format, self.comma);
        }
        if let (Some(at), Some(pattern)) = (self.date_at, self.date_pattern.as_deref()) {
            let mut date = String::new();
            // A pattern chrono cannot write keeps the ISO date, which every reader takes.
            if write!(date, "{}", line.date.format(pattern)).is_ok() {
                row[at] = date;
            }
        }
        row
    }
}

/// The bytes of `payments.csv` with `lines` added (see the module documentation). `table` is the
/// policy's `[columns.payments]`: the headers it names, and its delimiter, encoding, decimal
/// mark, date format and minor units, are the file's, so the lines added are read back as
/// the user's are.
pub fn payments_with(
    existing: Option<&[u8]>,
    lines: &[PaymentLine],
    table: Option<&ColumnTable>,
) -> Result<Vec<u8>> {
    let (mut out, shape) = payments_head(existing, table)?;
    let Some(shape) = shape else {
        let mut w = writer_into(out, b',', "\n");
        for line in lines {
            let _ = w.write_record(line.fields());
        }
        return Ok(w.into_inner().unwrap_or_default());
    };
    let mut w = writer(shape.delimiter, shape.terminator);
    for line in lines {
        let _ = w.write_record(shape.row(line));
    }
    let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    if shape.utf8 {
        out.extend_from_slice(text.as_bytes());
    } else {
        out.extend_from_slice(&encoding_rs::WINDOWS_1252.encode(&text).0);
    }
    Ok(out)
}

/// What comes before the lines added: the user's file with its header widened, or dun's
/// header for a new (or blank) file; and, for a user's file, how it writes a line.
fn payments_head(
    existing: Option<&[u8]>,
    table: Option<&ColumnTable>,
) -> Result<(Vec<u8>, Option<RowShape>)> {
    let existing = existing.filter(|b| b.iter().any(|&c| significant(c)));
    let Some(bytes) = existing else {
        let mut w = writer(b',', "\n");
        let _ = w.write_record(PAYMENT_COLUMNS[..PAYMENT_COLUMNS_WRITTEN].iter().map(|c| c.name));
        return Ok((w.into_inner().unwrap_or_default(), None));
    };
    let (bom, body) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (UTF8_BOM, rest),
        None => (&b""[..], bytes),
    };
    let (header, rest) = match body.iter().position(|&b| b == b'\n') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, &b""[..]),
    };
    let (mut out, shape) = widened_head(bom, header, std::str::from_utf8(body).is_ok(), rest, table)?;
    out.reserve(rest.len() + 2);
    out.extend_from_slice(rest);
    if !rest.is_empty() && !rest.ends_with(b"\n") {
        out.extend_from_slice(shape.terminator.as_bytes());
    }
    Ok((out, Some(shape)))
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A byte that makes a `payments.csv` more than an empty file: not a blank or line end, and
/// none of the BOM's bytes.
fn significant(b: u8) -> bool {
    !b.is_ascii_whitespace() && !UTF8_BOM.contains(&b)
}

/// What [`PaymentsAppender::start`] needs to know of the whole existing file before it copies it.
struct FileFacts {
    /// Any [`significant`] byte.
    significant: bool,
    /// Everything after a leading BOM is UTF-8.
    utf8: bool,
}

impl FileFacts {
    fn of(mut file: impl std::io::Read) -> std::io::Result<FileFacts> {
        let mut buf = vec![0u8; 256 * 1024];
        let mut significant_seen = false;
        let mut check = crate::io::bank::Utf8Check::default();
        // The first bytes, until there are enough to tell a BOM (not text) from text.
        let mut head: Option<Vec<u8>> = Some(Vec::with_capacity(UTF8_BOM.len()));
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            let chunk = &buf[..n];
            significant_seen |= chunk.iter().any(|&b| significant(b));
            match head.as_mut() {
                None => check.feed(chunk),
                Some(start) => {
                    start.extend_from_slice(chunk);
                    if start.len() >= UTF8_BOM.len() {
                        check.feed(start.strip_prefix(UTF8_BOM).unwrap_or(start));
                        head = None;
                    }
                }
            }
        }
        if let Some(start) = head {
            check.feed(start.strip_prefix(UTF8_BOM).unwrap_or(&start));
        }
        Ok(FileFacts { significant: significant_seen, utf8: check.finish() })
    }
}

/// Writes the existing `payments.csv` at `path` to `out`, its header widened, copying its lines
/// as they are read; how lines are added to it.
fn copy_widened(
    path: &Path,
    facts: &FileFacts,
    table: Option<&ColumnTable>,
    out: &mut StagedFile,
) -> Result<RowShape> {
    use std::io::BufRead;
    let cannot_read = || format!("{PAYMENTS}: cannot read {}", path.display());
    let mut input =
        std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(path).with_context(cannot_read)?);
    let bom = if input.fill_buf().with_context(cannot_read)?.starts_with(UTF8_BOM) {
        input.consume(UTF8_BOM.len());
        UTF8_BOM
    } else {
        &b""[..]
    };
    let mut header = Vec::new();
    input.read_until(b'\n', &mut header).with_context(cannot_read)?;
    if header.last() == Some(&b'\n') {
        header.pop();
    }
    // The lines that tell how amounts and dates are written, read from a second handle: the
    // first one copies them.
    let mut sniff = std::fs::File::open(path).with_context(cannot_read)?;
    std::io::Seek::seek(&mut sniff, std::io::SeekFrom::Start((bom.len() + header.len() + 1) as u64))
        .with_context(cannot_read)?;
    let (head, shape) = widened_head(bom, &header, facts.utf8, std::io::BufReader::new(sniff), table)?;
    let cannot_write = || format!("cannot write {}", path.display());
    out.write_all(&head).with_context(cannot_write)?;
    let mut last = None;
    loop {
        let chunk = input.fill_buf().with_context(cannot_read)?;
        let Some(&end) = chunk.last() else { break };
        out.write_all(chunk).with_context(cannot_write)?;
        last = Some(end);
        let n = chunk.len();
        input.consume(n);
    }
    if last.is_some_and(|b| b != b'\n') {
        out.write_all(shape.terminator.as_bytes()).with_context(cannot_write)?;
    }
    Ok(shape)
}

/// The existing file's first line as it is written back, widened by the columns `dun` adds,
/// with its terminator; and how lines are added. `header` is the line without its `\n`, `rows`
/// reads the lines after it (only the first [`SNIFF_LINES`] are read).
fn widened_head(
    bom: &[u8],
    header: &[u8],
    utf8: bool,
    rows: impl std::io::Read,
    table: Option<&ColumnTable>,
) -> Result<(Vec<u8>, RowShape)> {
    let terminator = if header.ends_with(b"\r") { "\r\n" } else { "\n" };
    let header = header.strip_suffix(b"\r").unwrap_or(header);
    let dialect = dialect_of(table);
    let sniffed = if utf8 { Encoding::Utf8 } else { Encoding::Windows1252 };
    let encoding = dialect.encoding.unwrap_or(sniffed);
    let utf8 = encoding == Encoding::Utf8;
    let delimiter = dialect.delimiter.unwrap_or_else(|| sniff_delimiter(header));
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(header);
    let mut record = csv::ByteRecord::new();
    let _ = reader.read_byte_record(&mut record);
    let names: Vec<String> = record.iter().map(|f| decode(f, encoding).into_owned()).collect();
    let reading = read_header(FileKind::Payments, PAYMENTS, PAYMENT_COLUMNS, &names, table)
        .map_err(|e| anyhow::anyhow!("{PAYMENTS}:1: {e}"))?;
    let mut index = reading.index;
    let amount_at = PAYMENT_COLUMNS.iter().position(|c| c.name == "amount").and_then(|i| index[i]);
    let date_at = PAYMENT_COLUMNS.iter().position(|c| c.name == "date").and_then(|i| index[i]);
    let format = reading.format;
    let seen = written(rows, delimiter, encoding, amount_at, date_at);
    let comma = format.decimal.map_or(seen.comma, |mark| mark == ',');
    let date_pattern = format.date_format.as_deref().or(seen.date_pattern);
    let mut width = names.len();
    let mut added = Vec::new();
    for (spec, at) in PAYMENT_COLUMNS[..PAYMENT_COLUMNS_WRITTEN].iter().zip(index.iter_mut()) {
        if at.is_none() {
            *at = Some(width);
            width += 1;
            added.push(spec.name);
        }
    }
    let mut out = Vec::with_capacity(bom.len() + header.len() + 128);
    out.extend_from_slice(bom);
    out.extend_from_slice(header);
    for name in added {
        out.push(delimiter);
        out.extend_from_slice(name.as_bytes());
    }
    out.extend_from_slice(terminator.as_bytes());
    let date_pattern = date_pattern.map(str::to_owned);
    let shape = RowShape {
        width,
        index,
        amount_at,
        date_at,
        format,
        comma,
        date_pattern,
        utf8,
        delimiter,
        terminator,
    };
    Ok((out, shape))
}

/// An amount as the file writes it: whole minor units (`487500`), or two decimals with the
/// file's decimal mark (`4875,00`, `4875.00`).
fn amount_as_written(amount: Decimal, format: &ValueFormat, comma: bool) -> String {
    if format.minor_units {
        return (amount * Decimal::ONE_HUNDRED).round().normalize().to_string();
    }
    let text = format_money(amount);
    if comma { text.replace('.', ",") } else { text }
}

/// How the user's lines (`rows`, after the header; the first [`SNIFF_LINES`]) write amounts and
/// dates, so that the lines added match them.
struct Written {
    /// Amounts with a decimal comma (`34 500,00`, `-12,5`): each amount whose last `,` or `.`
    /// has one or two digits after it votes for that mark; the comma needs more votes than the
    /// point, else (also with no amount to tell by) a point, as `dun` writes.
    comma: bool,
    /// The date pattern most of the dates have (`01.11.2026` is `%d.%m.%Y`); `None` for ISO,
    /// which wins a tie and stands when no date tells.
    date_pattern: Option<&'static str>,
}

/// Date shapes a user's `payments.csv` may have, told apart by where the separators are: those
/// `dun` reads without a `date_format` (`core::date::parse_date`), so a line added is always read
/// back. The first is ISO.
const DATE_SHAPES: [&str; 5] = ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d"];

/// Which of [`DATE_SHAPES`] a date is written in, by its shape alone (no parsing, no
/// allocation: this runs once per line of the file).
fn date_shape(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    let digits_except =
        |seps: &[usize]| b.iter().enumerate().all(|(i, c)| seps.contains(&i) || c.is_ascii_digit());
    match b.len() {
        8 if digits_except(&[]) => Some(4),
        10 if b[4] == b'-' && b[7] == b'-' && digits_except(&[4, 7]) => Some(0),
        10 if b[2] == b[5] && digits_except(&[2, 5]) => match b[2] {
            b'.' => Some(1),
            b'/' => Some(2),
            b'-' => Some(3),
            _ => None,
        },
        _ => None,
    }
}

/// How many of the user's lines [`written`] looks at.
const SNIFF_LINES: usize = 1000;

fn written(
    rows: impl std::io::Read,
    delimiter: u8,
    encoding: Encoding,
    amount_at: Option<usize>,
    date_at: Option<usize>,
) -> Written {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(rows);
    let mut record = csv::ByteRecord::new();
    let (mut commas, mut points) = (0usize, 0usize);
    let mut shapes = [0usize; DATE_SHAPES.len()];
    // The first lines tell: a file's dialect is one, and a large file is not read twice whole.
    let mut lines = 0;
    while lines < SNIFF_LINES && matches!(reader.read_byte_record(&mut record), Ok(true)) {
        lines += 1;
        if let Some(field) = date_at.and_then(|at| record.get(at))
            && let Some(shape) = date_shape(decode(field, encoding).trim())
        {
            shapes[shape] += 1;
        }
        let Some(field) = amount_at.and_then(|at| record.get(at)) else { continue };
        let value = decode(field, encoding);
        let value = value.trim();
        let Some(mark) = value.rfind([',', '.']) else { continue };
        let decimals = &value[mark + 1..];
        if (1..=2).contains(&decimals.len()) && decimals.bytes().all(|b| b.is_ascii_digit()) {
            if value[mark..].starts_with(',') {
                commas += 1;
            } else {
                points += 1;
            }
        }
    }
    // The most used shape; ISO (the first) on a tie.
    let best = (0..shapes.len()).fold(0, |best, i| if shapes[i] > shapes[best] { i } else { best });
    Written { comma: commas > points, date_pattern: (best > 0).then(|| DATE_SHAPES[best]) }
}

fn writer(delimiter: u8, terminator: &str) -> csv::Writer<Vec<u8>> {
    writer_into(Vec::new(), delimiter, terminator)
}

fn writer_into<W: Write>(out: W, delimiter: u8, terminator: &str) -> csv::Writer<W> {
    let terminator = if terminator == "\r\n" { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
    csv::WriterBuilder::new().delimiter(delimiter).terminator(terminator).from_writer(out)
}

const fn col(name: &'static str, required: bool) -> ColumnSpec {
    ColumnSpec { name, aliases: &[], required }
}

const UNMATCHED_COLUMNS: [ColumnSpec; 10] = [
    col("transaction_id", true),
    col("date", true),
    col("amount", true),
    col("currency", true),
    col("reference", false),
    col("message", false),
    col("payer", false),
    col("source", false),
    col("customers", false),
    col("reason", false),
];

/// A line of `unmatched.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnmatchedRow {
    /// As written (see [`stored_txid`]).
    pub transaction_id: String,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub currency: Currency,
    /// The payment's references, separated by spaces.
    pub reference: String,
    pub message: String,
    pub payer: String,
    pub source: String,
    /// Customers it may be from, separated by spaces.
    pub customers: Vec<String>,
    pub reason: String,
}

impl UnmatchedRow {
    pub fn pending(&self) -> Pending {
        Pending {
            txid: self.transaction_id.clone(),
            date: self.date,
            amount: self.amount,
            currency: self.currency,
            customers: self.customers.clone(),
        }
    }

    fn fields(&self) -> [String; 10] {
        let d = text;
        [
            stored_txid(&self.transaction_id),
            self.date.to_string(),
            format_money(self.amount),
            self.currency.to_string(),
            d(&self.reference),
            d(&self.message),
            d(&self.payer),
            d(&self.source),
            self.customers.iter().map(|c| d(c)).collect::<Vec<_>>().join(" "),
            d(&self.reason),
        ]
    }
}

/// Reads `DIR/unmatched.csv`; a missing file is none.
pub fn read_unmatched(dir: &Path) -> Result<Vec<UnmatchedRow>> {
    let path = dir.join(UNMATCHED);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let source = CsvSource::open(&path, UNMATCHED, |names| map_columns(&UNMATCHED_COLUMNS, names))?;
    let cols = source.header.index.clone();
    let states = source.scan_damaged(
        Rows::<UnmatchedRow>::default,
        |(rows, findings): &mut Rows<UnmatchedRow>, fields| {
            let mut check = RowCheck { file: UNMATCHED, line: fields.line, findings };
            let txid = check.text(fields, cols[0], "transaction_id");
            let date = check.text(fields, cols[1], "date").and_then(|t| check.date(t, "date"));
            let amount = check.text(fields, cols[2], "amount").and_then(|t| check.amount(t, "amount"));
            let currency_text = fields.get(cols[3]);
            let currency = Currency::parse(currency_text);
            if currency.is_none() {
                check.findings.push(Finding::error(
                    UNMATCHED,
                    fields.line,
                    "currency",
                    "bad-field",
                    format!("\"{currency_text}\" is not an ISO 4217 currency code"),
                ));
            }
            let get = |i: usize| fields.get(cols[i]).to_owned();
            if let (Some(txid), Some(date), Some(amount), Some(currency)) = (txid, date, amount, currency) {
                let row = UnmatchedRow {
                    transaction_id: crate::render::escape::undefuse(txid).to_owned(),
                    date,
                    amount,
                    currency,
                    reference: get(4),
                    message: get(5),
                    payer: get(6),
                    source: get(7),
                    customers: get(8).split_whitespace().map(str::to_owned).collect(),
                    reason: get(9),
                };
                rows.push((fields.line, row));
            }
        },
    )?;
    gather(states)
}

/// Rewrites `DIR/unmatched.csv` with `rows` (a header only when there are none), atomically.
pub fn write_unmatched(tx: &mut Transaction, dir: &Path, rows: &[UnmatchedRow]) -> Result<()> {
    let mut w = writer(b',', "\n");
    let _ = w.write_record(UNMATCHED_COLUMNS.iter().map(|c| c.name));
    for row in rows {
        let _ = w.write_record(row.fields());
    }
    tx.stage(&dir.join(UNMATCHED), &w.into_inner().unwrap_or_default())
}

/// `unmatched.csv` written row by row into a staged file: what [`write_unmatched`] writes,
/// for a run that does not hold its rows.
pub struct UnmatchedWriter {
    rows: csv::Writer<StagedFile>,
}

impl UnmatchedWriter {
    /// The header, then `kept` (the rows that stay).
    pub fn start(dir: &Path, kept: &[&UnmatchedRow]) -> Result<UnmatchedWriter> {
        let mut rows = writer_into(StagedFile::create(&dir.join(UNMATCHED))?, b',', "\n");
        rows.write_record(UNMATCHED_COLUMNS.iter().map(|c| c.name))?;
        let mut w = UnmatchedWriter { rows };
        for row in kept {
            w.push(row)?;
        }
        Ok(w)
    }

    pub fn push(&mut self, row: &UnmatchedRow) -> Result<()> {
        Ok(self.rows.write_record(row.fields())?)
    }

    /// Stages the file in `tx`.
    pub fn stage(self, tx: &mut Transaction) -> Result<()> {
        let file = self.rows.into_inner().map_err(|e| anyhow::anyhow!("cannot write {UNMATCHED}: {e}"))?;
        tx.stage_file(file)
    }
}

const IMPORT_COLUMNS: [ColumnSpec; 10] = [
    col("file", true),
    col("format", true),
    col("created", true),
    col("newest_payment", true),
    col("imported_on", true),
    col("payments", false),
    col("applied", false),
    col("unmatched", false),
    col("duplicates", false),
    col("hash", true),
];

/// Reads `DIR/imports.csv`; a missing file is none.
pub fn read_imports(dir: &Path) -> Result<Vec<ImportRecord>> {
    let path = dir.join(IMPORTS);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let source = CsvSource::open(&path, IMPORTS, |names| map_columns(&IMPORT_COLUMNS, names))?;
    let cols = source.header.index.clone();
    let states = source.scan_damaged(
        Rows::<ImportRecord>::default,
        |(rows, findings): &mut Rows<ImportRecord>, fields| {
            let mut check = RowCheck { file: IMPORTS, line: fields.line, findings };
            let created = check.optional_date(fields.get(cols[2]), "created");
            let newest = check.optional_date(fields.get(cols[3]), "newest_payment");
            let imported =
                check.text(fields, cols[4], "imported_on").and_then(|t| check.date(t, "imported_on"));
            let count = |i: usize| fields.get(cols[i]).parse::<u64>().unwrap_or(0);
            if let (Ok(created), Ok(newest_payment), Some(imported_on)) = (created, newest, imported) {
                let record = ImportRecord {
                    file: fields.get(cols[0]).to_owned(),
                    format: fields.get(cols[1]).to_owned(),
                    created,
                    newest_payment,
                    imported_on,
                    payments: count(5),
                    applied: count(6),
                    unmatched: count(7),
                    duplicates: count(8),
                    hash: fields.get(cols[9]).to_owned(),
                };
                rows.push((fields.line, record));
            }
        },
    )?;
    gather(states)
}

/// Adds `records` to `DIR/imports.csv` (created with a header when missing), atomically.
pub fn append_imports(tx: &mut Transaction, dir: &Path, records: &[ImportRecord]) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let path = dir.join(IMPORTS);
    let mut bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("{IMPORTS}: cannot read {}", path.display())),
    };
    let mut w = writer(b',', "\n");
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bytes.clear();
        let _ = w.write_record(IMPORT_COLUMNS.iter().map(|c| c.name));
    } else if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in records {
        let _ = w.write_record([
            text(&r.file),
            r.format.clone(),
            date(r.created),
            date(r.newest_payment),
            r.imported_on.to_string(),
            r.payments.to_string(),
            r.applied.to_string(),
            r.unmatched.to_string(),
            r.duplicates.to_string(),
            r.hash.clone(),
        ]);
    }
    bytes.extend(w.into_inner().unwrap_or_default());
    tx.stage(&path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn line(invoice: &str, amount: &str) -> PaymentLine {
        PaymentLine {
            date: NaiveDate::from_str("2026-11-20").unwrap(),
            invoice: invoice.to_owned(),
            amount: Decimal::from_str(amount).unwrap(),
            reference: Some("12345674".to_owned()),
            transaction_id: "TX-1".to_owned(),
            source: "bgmax.txt".to_owned(),
            matched_by: "reference".to_owned(),
        }
    }

    #[test]
    fn a_new_file_gets_the_full_header() {
        let bytes = payments_with(None, &[line("1001", "100")], None).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "date,invoice,amount,reference,transaction_id,source,matched_by\n2026-11-20,1001,100.00,12345674,TX-1,bgmax.txt,reference\n"
        );
    }

    #[test]
    fn a_users_file_keeps_its_lines_dialect_and_encoding() {
        let existing =
            b"\xEF\xBB\xBFdatum;faktura;belopp;referens;Anteckning\r\n2026-09-01;1;1 437,50;;K\xF6pt\r\n";
        let bytes = payments_with(Some(existing), &[line("1001", "100")], None).unwrap();
        assert_eq!(
            bytes,
            b"\xEF\xBB\xBFdatum;faktura;belopp;referens;Anteckning;transaction_id;source;matched_by\r\n2026-09-01;1;1 437,50;;K\xF6pt\r\n2026-11-20;1001;100,00;12345674;;TX-1;bgmax.txt;reference\r\n".to_vec()
        );
        // A second import finds its columns in place.
        let again = payments_with(Some(&bytes), &[line("1002", "5")], None).unwrap();
        assert!(again.ends_with(b"reference\r\n2026-11-20;1002;5,00;12345674;;TX-1;bgmax.txt;reference\r\n"));
        assert_eq!(again.iter().filter(|&&b| b == b'\n').count(), 4);
    }

    /// The issue's case: `34 500,00` in the file, so `4875,00` is added, not `4875.00`; with `,`
    /// as the delimiter too, quoted as the user's own line is. A file in decimal points, or
    /// with no amount to tell by, gets points.
    #[test]
    fn amounts_are_added_with_the_files_decimal_mark() {
        let bytes = payments_with(
            Some(b"date,invoice,amount\n2026-09-01,7,\"34 500,00\"\n"),
            &[line("8", "4875")],
            None,
        )
        .unwrap();
        assert!(
            bytes.ends_with(b"\n2026-11-20,8,\"4875,00\",12345674,TX-1,bgmax.txt,reference\n"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let bytes = payments_with(
            Some(b"date\tinvoice\tamount\n2026-09-01\t7\t-12,5\n2026-09-02\t8\t1.437,50\n"),
            &[line("8", "4875.5")],
            None,
        )
        .unwrap();
        assert!(bytes.ends_with(b"\n2026-11-20\t8\t4875,50\t12345674\tTX-1\tbgmax.txt\treference\n"));
        let bytes =
            payments_with(Some(b"date;invoice;amount\n2026-09-01;7;1,437.50\n"), &[line("8", "4875")], None)
                .unwrap();
        assert!(bytes.ends_with(b"\n2026-11-20;8;4875.00;12345674;TX-1;bgmax.txt;reference\n"));
        let bytes =
            payments_with(Some(b"date;invoice;amount\n2026-09-01;7;500\n"), &[line("8", "4875")], None)
                .unwrap();
        assert!(bytes.ends_with(b"\n2026-11-20;8;4875.00;12345674;TX-1;bgmax.txt;reference\n"));
    }

    /// Dates as the file writes most of them: `01.09.2026` gets `20.11.2026`; a tie, or no
    /// date that tells, keeps ISO.
    #[test]
    fn dates_are_added_in_the_files_shape() {
        let added = |existing: &[u8]| {
            let bytes = payments_with(Some(existing), &[line("8", "4875")], None).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            text.lines().last().unwrap().split([';', ',']).next().unwrap().to_owned()
        };
        assert_eq!(added(b"datum;faktura;belopp\n01.09.2026;7;500,00\n"), "20.11.2026");
        // Not a shape dun reads without a date_format: ISO, which it does.
        assert_eq!(added(b"datum;faktura;belopp\n2026/09/01;7;500\n"), "2026-11-20");
        assert_eq!(added(b"datum;faktura;belopp\n20260901;7;500\n"), "20261120");
        assert_eq!(added(b"datum;faktura;belopp\n01-09-2026;7;500\n"), "20-11-2026");
        assert_eq!(added(b"datum;faktura;belopp\n01/09/2026;7;500\n"), "20/11/2026");
        assert_eq!(added(b"datum;faktura;belopp\n01.09.2026;7;5\n2026-09-02;7;5\n"), "2026-11-20");
        assert_eq!(added(b"datum;faktura;belopp\n1.9.2026;7;5\n"), "2026-11-20");
        assert_eq!(added(b"date,invoice,amount\n"), "2026-11-20");
    }

    /// A file read through `[columns.payments]`: its headers, and the lines added in its
    /// decimal mark, date format and minor units. Before, `dun import` refused such a file
    /// ("missing required columns"), although every other command read it.
    #[test]
    fn a_mapped_file_gets_lines_in_its_own_format() {
        let policy = crate::core::policy::Policy::from_toml(
            "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
             [columns.payments]\ndate = \"Dag\"\ninvoice = \"Fakt\"\namount = \"Inbetalt\"\n\
             date_format = \"%d.%m.%Y\"\ndecimal = \",\"\n",
        )
        .unwrap();
        let table = policy.file.columns.payments.as_ref();
        let bytes =
            payments_with(Some(b"Dag;Fakt;Inbetalt\r\n01.09.2026;7;500\r\n"), &[line("8", "4875")], table)
                .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "Dag;Fakt;Inbetalt;reference;transaction_id;source;matched_by\r\n01.09.2026;7;500\r\n\
             20.11.2026;8;4875,00;12345674;TX-1;bgmax.txt;reference\r\n"
        );
        let mut minor = table.cloned().unwrap();
        minor.minor_units = Some(true);
        minor.date_format = Some("%Q".to_owned());
        let bytes = payments_with(
            Some(b"Dag;Fakt;Inbetalt\n2026-09-01;7;50000\n"),
            &[line("8", "4875.5")],
            Some(&minor),
        )
        .unwrap();
        // A pattern chrono cannot write keeps the ISO date.
        assert!(
            bytes.ends_with(b"\n2026-11-20;8;487550;12345674;TX-1;bgmax.txt;reference\n"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }

    /// Lines added one at a time to the staged file are the bytes `payments_with` gives: a
    /// Windows-1252 file with letters outside ASCII, a mapped file, a new file.
    #[test]
    fn the_appender_writes_what_payments_with_gives() {
        let mut odd = line("1001", "100");
        odd.source = "Bet\u{00e4}lning \u{20ac} \"x\".txt".to_owned();
        let lines = [odd, line("1002", "5.5")];
        // Larger than the copy's blocks, a letter of two bytes on every line (so some are cut
        // by a block's end), UTF-8 or, by one byte near the end, Windows-1252.
        let mut long = b"date,invoice,amount,note\n".to_vec();
        for i in 0..40_000 {
            long.extend_from_slice(format!("2026-09-01,{i},{i}.50,K\u{f6}pt {i}\n").as_bytes());
        }
        let mut long_latin = long.clone();
        long_latin.extend_from_slice(b"2026-09-02,1,1.00,K\xF6pt\n");
        let cases: Vec<Option<&[u8]>> = vec![
            Some(
                b"\xEF\xBB\xBFdatum;faktura;belopp;referens;Anteckning\r\n2026-09-01;1;1 437,50;;K\xF6pt\r\n",
            ),
            Some(b"date,invoice,amount\n01.09.2026,7,\"34 500,00\"\n"),
            None,
            Some(b""),
            Some(b" \r\n\n"),
            Some(b"\xEF\xBB\xBF"),
            Some(b"\xEF\xBB"),
            Some(b"\xEF\xBB\xBFdate,invoice,amount"),
            Some(b"date,invoice,amount\r\n2026-01-01,1,5"),
            Some(b"date,invoice,amount\n2026-01-01,1,\xF6"),
            Some(b"date,invoice,amount\n2026-01-01,1,\xC3"),
            Some(&long),
            Some(&long_latin),
        ];
        for existing in cases {
            let dir = tempfile::tempdir().unwrap();
            if let Some(bytes) = existing {
                std::fs::write(dir.path().join(PAYMENTS), bytes).unwrap();
            }
            let mut tx = Transaction::new(dir.path());
            let mut adding = PaymentsAppender::start(dir.path(), None).unwrap();
            for l in &lines {
                adding.push(l).unwrap();
            }
            adding.stage(&mut tx).unwrap();
            tx.commit().unwrap();
            assert_eq!(
                std::fs::read(dir.path().join(PAYMENTS)).unwrap(),
                payments_with(existing, &lines, None).unwrap()
            );
        }
    }

    #[test]
    fn a_missing_last_newline_is_added() {
        let bytes =
            payments_with(Some(b"date,invoice,amount\n2026-01-01,1,5"), &[line("2", "1")], None).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "date,invoice,amount,reference,transaction_id,source,matched_by\n2026-01-01,1,5\n2026-11-20,2,1.00,12345674,TX-1,bgmax.txt,reference\n"
        );
    }

    #[test]
    fn a_header_that_is_not_payments_is_refused() {
        let err = payments_with(Some(b"foo,bar\n"), &[line("1", "1")], None).unwrap_err().to_string();
        assert!(err.starts_with("payments.csv:1: missing required columns"), "{err}");
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(content_hash(b""), "cbf29ce484222325");
        assert_eq!(content_hash(b"a"), "af63dc4c8601ec8c");
    }
}
