//! Bank CSV exports ("kontoutdrag" / "transaktioner" downloads from the online
//! bank). Every bank has its own columns: a bank's layout is recognised from the header
//! ([`BANK_PRESETS`]), and the policy's `[import.csv]` (the same kind of table as the ledger's
//! `[columns.*]`: our column = their header, plus options) names what no preset or alias knows.
//!
//! Decisions:
//!
//! - Encoding: a BOM decides (UTF-8, UTF-16); else the policy's `encoding`; else UTF-8 if the
//!   bytes are valid UTF-8, else Windows-1252, which Nordic Excel still writes.
//! - Header: the first of the first 50 rows (with the configured delimiter, else each of `;`
//!   tab `,` `|`) in which a date and an amount (or a credit column) are found, by the
//!   policy's names, a bank preset or the aliases. Rows before it are the banks' preambles
//!   ("* Transaktioner Period …") and are listed in `skipped`. A trailing delimiter (Nordea,
//!   SpareBank 1) is an empty column and harmless. A row after the header with fewer fields
//!   than the header's named columns, or a value past its last column, is an error at its
//!   line, as in every CSV dun reads (`io::source`'s shape check).
//! - Amounts: one signed `amount` column, or a `credit` / `debit` pair (SpareBank 1's `Inn` and
//!   `Ut`, DNB's `Inn på konto` and `Ut fra konto`). Negative amounts and debits are outgoing
//!   and skipped. Without a decimal mark, the last of `.` / `,` is the decimal mark when both
//!   occur, and a single one is; a repeated one groups thousands. Thousands groups must have
//!   three digits, so `1234.50` read with decimal `,` is an error, not 123450.
//! - Pending rows are not payments and are skipped and counted: a marker in the date column
//!   (`Reserverat`, `Reservert`, `Reserveret`, `Varaus`, `Pending`), a `status` column that
//!   does not say booked (Danske Bank's `Venter`), or an empty `pending_if_empty` column (DNB's
//!   `Rentedato`).
//! - References: the `reference` column; else a check-digit-valid OCR, KID, FIK, viitenumero or
//!   RF standing as a word of its own in the free text (SEB's `Text`, DNB's `Forklaring`,
//!   Danske Bank's `Tekst`).
//! - Dates: the configured chrono format, else ISO `2024-05-02`, `20240502`,
//!   `02.05.2024`, `02/05/2024` (day first, as in the Nordics), `2024/05/02`,
//!   `02-05-2024`; a trailing time is ignored.
//! - Transaction id: the `transaction_id` column when it has a value, else derived from the
//!   row's content: date, amount and a hash of date, amount, reference, message and payer,
//!   plus `-2`, `-3`… for identical rows. It does not depend on the row's position, so it
//!   stays the same when the next export overlaps.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    BankError, BankFile, BankFormat, BankPayment, Errors, LineCounter, Skipped, error, line_location,
    stable_hash,
};
use crate::core::policy::{ColumnTable, TextEncoding};
use crate::core::reference::{RefKind, detect_reference, validate_reference};
use crate::io::columns::header_key;
use crate::io::csv_in::ColumnSpec;
use crate::io::presets::{BANK_PRESETS, BankPreset};
use crate::io::source::Shape;

/// How a bank's CSV export is read: the policy's `[import.csv]`, with every key optional (a
/// preset or the aliases find what it does not name).
pub type CsvImportConfig = ColumnTable;

mod stream;
pub use stream::stream_bank_csv;

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec { name, aliases, required }
}

/// The columns of a bank export, in the order `Columns` keeps them.
pub const BANK_COLUMNS: &[ColumnSpec] = &[
    col(
        "date",
        &[
            "bokföringsdag",
            "bokföringsdatum",
            "bokført",
            "bogført",
            "bogføringsdato",
            "kirjauspäivä",
            "booking_date",
            "entry_date",
            "datum",
            "dato",
            "transaktionsdatum",
        ],
        true,
    ),
    col("amount", &["belopp", "beløp", "beløb", "määrä", "summa", "amount", "määrä_euroa"], false),
    col("credit", &["inn", "inn_på_konto", "insättning", "indbetaling", "credit", "pano", "innskudd"], false),
    col("debit", &["ut", "ut_fra_konto", "uttag", "udbetaling", "debit", "otto"], false),
    col(
        "reference",
        &["referens", "ocr", "kid", "fik", "viite", "viitenumero", "reference", "ocr_nummer"],
        false,
    ),
    col(
        "message",
        &[
            "meddelande",
            "meddelelse",
            "melding",
            "viesti",
            "text",
            "tekst",
            "beskrivning",
            "beskrivelse",
            "forklaring",
            "description",
            "text_mottagare",
        ],
        false,
    ),
    col("details", &["rubrik", "ytterligare_detaljer", "selitys", "otsikko"], false),
    col(
        "payer",
        &["avsändare", "betaler", "maksaja", "payer", "saaja_maksaja", "namn", "navn", "nimi"],
        false,
    ),
    col("transaction_id", &["transaktions_id", "arkistointitunnus", "transaction_id", "archive_id"], false),
    col("status", &["tila", "state"], false),
    col("currency", &["valuta", "valuutta"], false),
];

/// Delimiters tried in order when none is configured.
const DELIMITERS: [u8; 4] = [b';', b'\t', b',', b'|'];

/// The header must appear within this many rows.
const HEADER_SEARCH_ROWS: usize = 50;

const DATE_FORMATS: [&str; 7] =
    ["%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y.%m.%d"];

/// What a date column holds instead of a date on a row the bank has not booked yet.
const PENDING_MARKERS: [&str; 9] = [
    "reserverat",
    "reservert",
    "reserveret",
    "varaus",
    "pending",
    "väntande",
    "venter",
    "ventende",
    "kommande",
];

/// `status` values that mean booked; anything else is pending.
const BOOKED: [&str; 13] = [
    "utført",
    "utfort",
    "bokført",
    "bokfort",
    "booked",
    "executed",
    "completed",
    "genomförd",
    "bokförd",
    "gennemført",
    "bogført",
    "suoritettu",
    "kirjattu",
];

/// A bank CSV export's file before its rows are read: the preset it matched, if any.
fn empty_file(columns: &Columns) -> BankFile {
    BankFile {
        format: BankFormat::Csv,
        version: columns.preset.map(|p| p.id.to_owned()),
        created: None,
        payments: Vec::new(),
        skipped: Vec::new(),
        accounts: Vec::new(),
    }
}

/// Parses a bank CSV export; `config` is the policy's `[import.csv]` (default: none).
pub fn parse_bank_csv(bytes: &[u8], config: &CsvImportConfig) -> Result<BankFile, Vec<BankError>> {
    check_config(config).map_err(|e| vec![e])?;
    let text = decode(bytes, config.encoding);
    let (rows, header_at, columns) = locate_header(&text, config).map_err(|e| vec![e])?;
    let mut errors = Errors::default();
    let mut file = empty_file(&columns);
    file.skipped.extend(rows[..header_at].iter().filter_map(|(line, fields)| preamble(*line, fields)));
    let header = trimmed_header(&columns);
    let mut body = Body::new(&columns, config, &header);
    for (line, fields) in rows.iter().skip(header_at + 1) {
        if errors.is_full() {
            break;
        }
        match body.row(*line, fields, &mut errors) {
            Some(Read::Payment(payment)) => file.payments.push(payment),
            Some(Read::Skipped(skipped)) => file.skipped.push(skipped),
            None => {}
        }
    }
    errors.finish(file)
}

/// A row before the header that is not blank: a bank's preamble, listed.
fn preamble(line: usize, fields: &[String]) -> Option<Skipped> {
    (!is_blank(fields))
        .then(|| Skipped { location: line_location(line), reason: "before the header row".to_string() })
}

fn trimmed_header(columns: &Columns) -> Vec<String> {
    columns.header.iter().map(|h| h.trim().to_owned()).collect()
}

/// What each row after the header becomes, one row at a time.
struct Body<'a> {
    columns: &'a Columns,
    config: &'a CsvImportConfig,
    shape: Shape<'a>,
    /// How often each derived id has been given (see [`derived_txid`]).
    occurrences: HashMap<u64, usize>,
}

impl<'a> Body<'a> {
    fn new(columns: &'a Columns, config: &'a CsvImportConfig, header: &'a [String]) -> Body<'a> {
        Body { columns, config, shape: Shape::of_header(header), occurrences: HashMap::new() }
    }

    /// The row's payment, or why it is not one; `None` for a blank row or an error.
    fn row(&mut self, line: usize, fields: &[String], errors: &mut Errors) -> Option<Read> {
        if is_blank(fields) {
            return None;
        }
        // A row that does not fit the header (a value with an unquoted delimiter, a cut line)
        // would put values under the wrong columns: an error, as in every CSV dun reads.
        let empty_past = |n: usize| is_blank(&fields[n.min(fields.len())..]);
        if let Some(why) = self.shape.misfit(fields.len(), empty_past) {
            errors.push(line_location(line), why);
            return None;
        }
        let row = Row { line, fields, columns: self.columns, config: self.config };
        match row.read(errors)? {
            Read::Payment(mut payment) => {
                if payment.txid.is_empty() {
                    payment.txid = derived_txid(&payment, &mut self.occurrences);
                }
                Some(Read::Payment(payment))
            }
            skipped => Some(skipped),
        }
    }
}

/// Whether the start of a file looks like delimited text (for format detection).
pub(super) fn looks_delimited(bytes: &[u8]) -> bool {
    let mut head = bytes.get(..bytes.len().min(4096)).unwrap_or_default();
    // Cut at a line end so that no multi-byte character is split, unless UTF-16.
    if encoding_rs::Encoding::for_bom(head).is_none_or(|(e, _)| e == encoding_rs::UTF_8)
        && let Some(end) = head.iter().rposition(|&b| b == b'\n')
    {
        head = &head[..end];
    }
    let text = decode(head, None);
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
        return false;
    }
    text.lines().find(|line| !line.trim().is_empty()).is_some_and(|line| line.contains([';', ',', '\t', '|']))
}

fn check_config(config: &CsvImportConfig) -> Result<(), BankError> {
    let problem = if let Some((ours, _)) =
        config.columns.iter().find(|(ours, _)| !BANK_COLUMNS.iter().any(|c| c.name == ours))
    {
        let names: Vec<&str> = BANK_COLUMNS.iter().map(|c| c.name).collect();
        Some(format!("[import.csv] has no column `{ours}`; its columns are {}", names.join(", ")))
    } else if config.decimal.is_some_and(|d| d != ',' && d != '.') {
        Some(format!("decimal mark {:?} is neither ',' nor '.'", config.decimal))
    } else if config
        .delimiter
        .is_some_and(|d| matches!(d, b'"' | b'\r' | b'\n') || Some(char::from(d)) == config.decimal)
    {
        Some(format!("delimiter {:?} cannot be used", config.delimiter.map(char::from)))
    } else if let Some(id) =
        config.preset.as_deref().filter(|id| *id != "none" && !BANK_PRESETS.iter().any(|p| p.id == *id))
    {
        let ids: Vec<&str> = BANK_PRESETS.iter().map(|p| p.id).collect();
        Some(format!("[import.csv] preset = \"{id}\" is not one of \"none\", {}", ids.join(", ")))
    } else {
        None
    };
    match problem {
        Some(message) => Err(error("import configuration", message)),
        None => Ok(()),
    }
}

/// UTF-8 / UTF-16 by BOM, else the encoding the policy names, else UTF-8 when valid, else
/// Windows-1252.
fn decode(bytes: &[u8], forced: Option<TextEncoding>) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling(body).0.into_owned();
    }
    match (forced, std::str::from_utf8(bytes)) {
        (Some(TextEncoding::Windows1252), _) | (None, Err(_)) => {
            encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()
        }
        (_, Ok(text)) => text.to_string(),
        (Some(TextEncoding::Utf8), Err(_)) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

type Rows = Vec<(usize, Vec<String>)>;

fn read_rows(text: &str, delimiter: u8) -> Rows {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());
    // Input is a &str, so the reader cannot fail on encoding; a read error can
    // only end the input.
    while let Ok(true) = reader.read_record(&mut record) {
        // The csv crate's own line count lags behind CRLF terminators; its byte
        // offset points at or just before the record, past which terminators are skipped.
        let mut offset = record.position().and_then(|p| usize::try_from(p.byte()).ok()).unwrap_or(0);
        while matches!(text.as_bytes().get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        let line = lines.line_at(offset);
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    rows
}

/// The positions of the bank columns in the header row, one per [`BANK_COLUMNS`], and the
/// preset that found them.
struct Columns {
    at: Vec<Option<usize>>,
    /// The header row as written.
    header: Vec<String>,
    preset: Option<&'static BankPreset>,
    pending_if_empty: Option<usize>,
}

impl Columns {
    fn of(&self, name: &str) -> Option<usize> {
        BANK_COLUMNS.iter().position(|c| c.name == name).and_then(|i| self.at[i])
    }
}

fn locate_header(text: &str, config: &CsvImportConfig) -> Result<(Rows, usize, Columns), BankError> {
    let mut ambiguous = None;
    for delimiter in delimiters(config) {
        let rows = read_rows(text, delimiter);
        if let Some((i, columns)) = header_among(&rows, config, &mut ambiguous) {
            return Ok((rows, i, columns));
        }
    }
    if let Some((line, message)) = ambiguous {
        return Err(error(line_location(line), message));
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let named: Vec<String> =
        config.columns.iter().map(|(ours, theirs)| format!("{ours} = {theirs:?}")).collect();
    let wanted = if named.is_empty() {
        "no bank layout dun knows and no columns named in policy.toml's [import.csv]".to_owned()
    } else {
        format!("[import.csv] names {}", named.join(", "))
    };
    Err(error(
        "line 1",
        format!(
            "no header row with a date and an amount in the first {HEADER_SEARCH_ROWS} lines ({wanted}); the first line is {:?}. Name the columns in policy.toml, e.g. [import.csv] date = \"Bokföringsdag\", amount = \"Belopp\"",
            first.chars().take(200).collect::<String>()
        ),
    ))
}

/// The delimiters tried for the header, in order.
fn delimiters(config: &CsvImportConfig) -> Vec<u8> {
    match config.delimiter {
        Some(d) => vec![d],
        None => DELIMITERS.to_vec(),
    }
}

/// The header among the first [`HEADER_SEARCH_ROWS`] of `rows`: its index and columns. The
/// first row found with two headers for one column is kept in `ambiguous` (its line, why).
fn header_among(
    rows: &[(usize, Vec<String>)],
    config: &CsvImportConfig,
    ambiguous: &mut Option<(usize, String)>,
) -> Option<(usize, Columns)> {
    for (i, (line, fields)) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        match columns(fields, config) {
            Ok(Some(columns)) => return Some((i, columns)),
            Ok(None) => {}
            Err(message) => {
                ambiguous.get_or_insert((*line, message));
            }
        }
    }
    None
}

/// The columns of this row if it is the header: every column the policy names is in it, and
/// a date and an amount (or a credit column) are found. `Err` when two headers of the row mean
/// one column.
fn columns(fields: &[String], config: &CsvImportConfig) -> Result<Option<Columns>, String> {
    let keys: Vec<String> = fields.iter().map(|f| header_key(f)).collect();
    let find = |name: &str| {
        let key = header_key(name);
        keys.iter().position(|k| *k == key && !k.is_empty())
    };
    let spec = |name: &str| BANK_COLUMNS.iter().position(|c| c.name == name);
    let mut at: Vec<Option<usize>> = vec![None; BANK_COLUMNS.len()];
    let mut claimed = vec![false; fields.len()];
    for (ours, theirs) in &config.columns {
        let (Some(which), Some(pos)) = (spec(ours), find(theirs)) else { return Ok(None) };
        at[which] = Some(pos);
        claimed[pos] = true;
    }
    let preset = match config.preset.as_deref() {
        Some("none") => None,
        Some(id) => BANK_PRESETS.iter().find(|p| p.id == id),
        None => BANK_PRESETS
            .iter()
            .filter(|p| p.signature.iter().all(|s| find(s).is_some()))
            .max_by_key(|p| p.signature.len()),
    };
    if let Some(p) = preset {
        for (ours, theirs) in p.columns {
            let (Some(which), Some(pos)) = (spec(ours), find(theirs)) else { continue };
            if at[which].is_none() && !claimed[pos] {
                at[which] = Some(pos);
                claimed[pos] = true;
            }
        }
        for theirs in p.ignore {
            if let Some(pos) = find(theirs) {
                claimed[pos] = true;
            }
        }
    }
    for theirs in &config.ignore {
        if let Some(pos) = find(theirs) {
            claimed[pos] = true;
        }
    }
    let mut by_alias: Vec<Option<usize>> = vec![None; BANK_COLUMNS.len()];
    for (pos, key) in keys.iter().enumerate() {
        if claimed[pos] || key.is_empty() {
            continue;
        }
        let Some(which) = BANK_COLUMNS
            .iter()
            .position(|c| header_key(c.name) == *key || c.aliases.iter().any(|a| header_key(a) == *key))
        else {
            continue;
        };
        if at[which].is_some() {
            continue;
        }
        if let Some(first) = by_alias[which] {
            return Err(format!(
                "columns {:?} and {:?} both mean `{}`; say which in policy.toml: [import.csv] {} = {:?}",
                fields[first], fields[pos], BANK_COLUMNS[which].name, BANK_COLUMNS[which].name, fields[first]
            ));
        }
        by_alias[which] = Some(pos);
    }
    for (slot, alias) in at.iter_mut().zip(by_alias) {
        if slot.is_none() {
            *slot = alias;
        }
    }
    let columns = Columns {
        pending_if_empty: config
            .pending_if_empty
            .as_deref()
            .or(preset.and_then(|p| p.pending_if_empty))
            .and_then(find),
        at,
        header: fields.to_vec(),
        preset,
    };
    let has_amount = columns.of("amount").is_some() || columns.of("credit").is_some();
    Ok((columns.of("date").is_some() && has_amount).then_some(columns))
}

fn is_blank(fields: &[String]) -> bool {
    fields.iter().all(|f| f.trim().is_empty())
}

struct Row<'a> {
    line: usize,
    fields: &'a [String],
    columns: &'a Columns,
    config: &'a CsvImportConfig,
}

enum Read {
    Payment(BankPayment),
    Skipped(Skipped),
}

impl Row<'_> {
    fn cell(&self, column: Option<usize>) -> Option<&str> {
        column.and_then(|i| self.fields.get(i)).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn named(&self, name: &str) -> Option<&str> {
        self.cell(self.columns.of(name))
    }

    /// The file's header for one of our columns, for messages.
    fn header_name(&self, name: &str) -> String {
        self.columns
            .of(name)
            .and_then(|i| self.columns.header.get(i))
            .map_or_else(|| name.to_owned(), |h| h.trim().to_owned())
    }

    fn decimal(&self) -> Option<char> {
        self.config.decimal.or(self.columns.preset.and_then(|p| p.decimal))
    }

    fn date_format(&self) -> Option<&str> {
        self.config.date_format.as_deref().or(self.columns.preset.and_then(|p| p.date_format))
    }

    fn skip(&self, reason: String) -> Option<Read> {
        Some(Read::Skipped(Skipped { location: line_location(self.line), reason }))
    }

    /// Why the row is not booked yet, if it is not.
    fn pending(&self) -> Option<String> {
        if let Some(date) = self.named("date") {
            let lower = date.to_lowercase();
            if PENDING_MARKERS.iter().any(|m| lower.starts_with(m)) {
                return Some(format!("pending (not yet booked): \"{date}\" in the date column"));
            }
        }
        if let Some(status) = self.named("status") {
            let lower = status.to_lowercase();
            if !BOOKED.contains(&lower.as_str()) {
                return Some(format!("pending (not yet booked): status \"{status}\""));
            }
        }
        if let Some(at) = self.columns.pending_if_empty
            && self.cell(Some(at)).is_none()
        {
            let header = self.columns.header.get(at).map_or("", |h| h.trim());
            return Some(format!("pending (not yet booked): no {header}"));
        }
        None
    }

    fn amount(&self, text: &str, column: &str, errors: &mut Errors) -> Option<Decimal> {
        let amount = if self.config.minor_units == Some(true) {
            crate::core::money::parse_minor_units(text).ok()
        } else {
            parse_amount(text, self.decimal())
        };
        if amount.is_none() {
            errors.push(
                line_location(self.line),
                format!("amount {text:?} in column {column:?} is not a number"),
            );
        }
        amount
    }

    /// The signed amount: the `amount` column, or credit minus debit.
    fn signed_amount(&self, errors: &mut Errors) -> Option<Decimal> {
        if self.columns.of("amount").is_some() {
            let Some(text) = self.named("amount") else {
                errors.push(
                    line_location(self.line),
                    format!("no value in column {:?}", self.header_name("amount")),
                );
                return None;
            };
            return self.amount(text, &self.header_name("amount"), errors);
        }
        let credit = self.named("credit");
        let debit = self.named("debit");
        match (credit, debit) {
            (Some(c), None) => self.amount(c, &self.header_name("credit"), errors).map(|a| a.abs()),
            (None, Some(d)) => self.amount(d, &self.header_name("debit"), errors).map(|a| -a.abs()),
            (None, None) => {
                errors.push(
                    line_location(self.line),
                    format!(
                        "no value in {:?} or {:?}",
                        self.header_name("credit"),
                        self.header_name("debit")
                    ),
                );
                None
            }
            (Some(c), Some(d)) => {
                let (c, d) = (
                    self.amount(c, &self.header_name("credit"), errors)?,
                    self.amount(d, &self.header_name("debit"), errors)?,
                );
                Some(c.abs() - d.abs())
            }
        }
    }

    fn read(&self, errors: &mut Errors) -> Option<Read> {
        let location = line_location(self.line);
        if let Some(reason) = self.pending() {
            return self.skip(reason);
        }
        let date_text = self.named("date");
        if date_text.is_none() {
            errors.push(location.clone(), format!("no value in column {:?}", self.header_name("date")));
        }
        let date = date_text.and_then(|text| {
            let date = parse_date(text, self.date_format());
            if date.is_none() {
                let expected = self.date_format().unwrap_or("a known date format");
                errors.push(location.clone(), format!("date {text:?} does not match {expected}"));
            }
            date
        });
        let amount = self.signed_amount(errors);
        let (date, amount) = (date?, amount?);
        if amount.is_sign_negative() && !amount.is_zero() {
            return self.skip(format!("outgoing payment (negative amount {amount})"));
        }
        if amount.is_zero() {
            return self.skip("amount of 0: nothing to match".to_string());
        }
        let message = match (self.named("message"), self.named("details")) {
            (Some(m), Some(d)) if m != d => Some(format!("{d} {m}")),
            (Some(m), _) => Some(m.to_owned()),
            (None, d) => d.map(str::to_owned),
        };
        if let Some(p) = self.columns.preset {
            let texts = [message.as_deref(), self.named("payer")];
            if let Some(lump) = p
                .lump_sums
                .iter()
                .find(|l| texts.iter().flatten().any(|t| t.to_uppercase().contains(&l.to_uppercase())))
            {
                return self.skip(format!(
                    "a lump sum of {amount} ({lump}): its payments are in the bank's own file (BgMax), import that"
                ));
            }
        }
        let mut references: Vec<String> = self.named("reference").map(str::to_string).into_iter().collect();
        if references.is_empty() {
            references = message.as_deref().map(references_in_text).unwrap_or_default();
        }
        let currency = self
            .named("currency")
            .map(str::to_owned)
            .or_else(|| self.columns.preset.and_then(|p| p.currency).map(str::to_owned));
        Some(Read::Payment(BankPayment {
            // Filled in by the caller when empty: derivation needs the whole file.
            txid: self.named("transaction_id").unwrap_or_default().to_string(),
            date,
            amount,
            currency,
            reference_amounts: references.iter().map(|_| None).collect(),
            references,
            message,
            payer: self.named("payer").map(str::to_string),
            location,
        }))
    }
}

/// Payment references standing as words of their own in free text: a check-digit-valid OCR,
/// KID, FIK or viitenumero of 5 to 25 digits that is not a date, or an RF reference. Banks
/// put the payer's reference into the text (SEB's `Text`, DNB's `Forklaring`).
pub fn references_in_text(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let upper = word.to_ascii_uppercase();
        let rf = upper.starts_with("RF")
            && (6..=25).contains(&upper.len())
            && validate_reference(RefKind::Rf, &upper).is_ok();
        let digits = (5..=25).contains(&word.len())
            && word.bytes().all(|b| b.is_ascii_digit())
            && !looks_like_a_date(word)
            && !detect_reference(word).is_empty();
        if (rf || digits) && !found.contains(&upper) {
            found.push(upper);
        }
    }
    found
}

/// `20261123`: eight digits that are a date of this century are a date, not a reference.
fn looks_like_a_date(word: &str) -> bool {
    word.len() == 8
        && NaiveDate::parse_from_str(word, "%Y%m%d")
            .is_ok_and(|d| (1990..=2099).contains(&chrono::Datelike::year(&d)))
}

/// `csv-<date>-<amount>-<hash>`, with `-2`, `-3`… for identical rows.
fn derived_txid(payment: &BankPayment, occurrences: &mut HashMap<u64, usize>) -> String {
    let date = payment.date.format("%Y%m%d").to_string();
    let amount = payment.amount.normalize().to_string();
    let hash = stable_hash(&[
        &date,
        &amount,
        &payment.references.join(" "),
        payment.message.as_deref().unwrap_or(""),
        payment.payer.as_deref().unwrap_or(""),
    ]);
    let seen = occurrences.entry(hash).or_insert(0);
    *seen += 1;
    let base = format!("csv-{date}-{amount}-{hash:016x}");
    if *seen > 1 { format!("{base}-{seen}") } else { base }
}

fn parse_date(text: &str, format: Option<&str>) -> Option<NaiveDate> {
    let text = text.trim();
    // "2024-05-02 13:45" and "2024-05-02T13:45:00": the date is the first token.
    let first_token = text.split([' ', 'T']).next().unwrap_or(text);
    let candidates = [text, first_token];
    match format {
        Some(format) => candidates.iter().find_map(|c| NaiveDate::parse_from_str(c, format).ok()),
        None => candidates
            .iter()
            .find_map(|c| DATE_FORMATS.iter().find_map(|f| NaiveDate::parse_from_str(c, f).ok())),
    }
}

/// A bank amount as people write it: `1 234,50`, `-1.234,50`, `1,234.50`,
/// `(300.00)`, `250,00 kr`, `−12,00` (Unicode minus).
fn parse_amount(text: &str, decimal: Option<char>) -> Option<Decimal> {
    let text =
        text.trim_matches(|c: char| c.is_whitespace() || c.is_alphabetic() || matches!(c, '€' | '$' | '£'));
    let (negative, body) = split_sign(text)?;
    let body: String = body.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')).collect();
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let decimal = decimal.unwrap_or_else(|| guess_decimal(&body));
    let thousands = if decimal == ',' { '.' } else { ',' };
    let (whole, fraction) = match body.rsplit_once(decimal) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (body.as_str(), None),
    };
    let whole = ungroup(whole, thousands)?;
    let plain = match fraction {
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(f) => format!("{whole}.{f}"),
        None => whole,
    };
    let value = Decimal::from_str(&plain).ok()?;
    Some(if negative { -value } else { value })
}

/// Sign in front (`-`, `+`, `−`), behind (`100-`), or parentheses.
fn split_sign(text: &str) -> Option<(bool, &str)> {
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        return Some((true, inner.trim()));
    }
    if let Some(rest) = text.strip_prefix(['-', '\u{2212}']) {
        return Some((true, rest.trim_start()));
    }
    if let Some(rest) = text.strip_prefix('+') {
        return Some((false, rest.trim_start()));
    }
    if let Some(rest) = text.strip_suffix('-') {
        return Some((true, rest.trim_end()));
    }
    (!text.is_empty()).then_some((false, text))
}

fn guess_decimal(body: &str) -> char {
    match (body.rfind('.'), body.rfind(',')) {
        (Some(dot), Some(comma)) => {
            if dot > comma {
                '.'
            } else {
                ','
            }
        }
        (None, Some(_)) if body.matches(',').count() == 1 => ',',
        (None, Some(_)) => '.',
        (Some(_), None) if body.matches('.').count() > 1 => ',',
        _ => '.',
    }
}

/// Removes thousands separators, which must separate groups of three digits.
fn ungroup(whole: &str, thousands: char) -> Option<String> {
    let groups: Vec<&str> = whole.split(thousands).collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let well_grouped =
        groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    (groups.iter().all(|g| digits(g)) && well_grouped).then(|| groups.concat())
}

#[cfg(test)]
mod tests;
