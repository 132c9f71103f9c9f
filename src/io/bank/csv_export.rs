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

/// The columns of a bank export, in the order [`Columns`] keeps them.
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

/// Parses a bank CSV export; `config` is the policy's `[import.csv]` (default: none).
pub fn parse_bank_csv(bytes: &[u8], config: &CsvImportConfig) -> Result<BankFile, Vec<BankError>> {
    check_config(config).map_err(|e| vec![e])?;
    let text = decode(bytes, config.encoding);
    let (rows, header_at, columns) = locate_header(&text, config).map_err(|e| vec![e])?;
    let mut errors = Errors::default();
    let mut file = BankFile {
        format: BankFormat::Csv,
        version: columns.preset.map(|p| p.id.to_owned()),
        created: None,
        payments: Vec::new(),
        skipped: Vec::new(),
        accounts: Vec::new(),
    };
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
mod tests {
    use super::*;
    use crate::io::bank::testing::{day, dec, fixture};
    use proptest::prelude::*;

    /// (location, date, amount, references, message, payer) of a payment.
    type Seen<'a> = (&'a str, NaiveDate, Decimal, Vec<&'a str>, Option<&'a str>, Option<&'a str>);

    /// `[import.csv]` naming these columns.
    fn named(pairs: &[(&str, &str)]) -> CsvImportConfig {
        CsvImportConfig {
            columns: pairs.iter().map(|(o, t)| ((*o).to_owned(), (*t).to_owned())).collect(),
            ..CsvImportConfig::default()
        }
    }

    fn swedish() -> CsvImportConfig {
        named(&[
            ("date", "Bokföringsdag"),
            ("amount", "Belopp"),
            ("reference", "Referens"),
            ("message", "Meddelande"),
            ("payer", "Avsändare"),
        ])
    }

    #[test]
    fn fixture_swedish_headers_decimal_comma_windows_1252() {
        let bytes = fixture("bank-export-sv.csv");
        assert!(std::str::from_utf8(&bytes).is_err(), "the fixture is Windows-1252");
        assert_eq!(super::super::detect_format(&bytes, "export.csv"), Some(BankFormat::Csv));
        for config in [
            swedish(),
            CsvImportConfig {
                delimiter: Some(b';'),
                decimal: Some(','),
                date_format: Some("%Y-%m-%d".into()),
                ..swedish()
            },
        ] {
            let file = parse_bank_csv(&bytes, &config).unwrap_or_else(|e| panic!("{e:?}"));
            let got: Vec<Seen<'_>> = file
                .payments
                .iter()
                .map(|p| {
                    (
                        p.location.as_str(),
                        p.date,
                        p.amount,
                        p.references.iter().map(String::as_str).collect(),
                        p.message.as_deref(),
                        p.payer.as_deref(),
                    )
                })
                .collect();
            assert_eq!(
                got,
                vec![
                    (
                        "line 3",
                        day(2024, 5, 2),
                        dec("1250.00"),
                        vec!["4455667788"],
                        Some("Faktura 1017"),
                        Some("Åkeriet i Västerås AB")
                    ),
                    (
                        "line 5",
                        day(2024, 5, 3),
                        dec("199.50"),
                        vec![],
                        Some("Faktura 1017; 1018 – tack"),
                        Some("Märta Öhrn")
                    ),
                    ("line 6", day(2024, 5, 3), dec("50.00"), vec![], Some("Swish"), Some("Björn Ek")),
                    ("line 7", day(2024, 5, 3), dec("50.00"), vec![], Some("Swish"), Some("Björn Ek")),
                    (
                        "line 8",
                        day(2024, 5, 6),
                        dec("12345.67"),
                        vec!["5566778899"],
                        None,
                        Some("Ödegårds Bygg AB")
                    ),
                ]
            );
            assert_eq!(file.payments[0].reference_amounts, vec![None]);
            // Identical rows get an occurrence counter; ids are unique and repeatable.
            assert_eq!(file.payments[3].txid, format!("{}-2", file.payments[2].txid));
            assert!(file.payments[2].txid.starts_with("csv-20240503-50-"));
            let again = parse_bank_csv(&bytes, &config).unwrap_or_else(|e| panic!("{e:?}"));
            let ids = |f: &BankFile| f.payments.iter().map(|p| p.txid.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&file), ids(&again));
            let skipped: Vec<(&str, &str)> =
                file.skipped.iter().map(|s| (s.location.as_str(), s.reason.as_str())).collect();
            assert_eq!(
                skipped,
                vec![
                    ("line 1", "before the header row"),
                    ("line 4", "outgoing payment (negative amount -300.00)"),
                ]
            );
        }
    }

    #[test]
    fn utf8_bom_crlf_comma_delimited_with_transaction_ids() {
        let text = "\u{feff}Date,Amount,Id,Ref\r\n2024-01-05,\"1,234.50\",TX-1,RF18539007547034\r\n\
                    05.01.2024,200.00,,\r\n2024-01-06 13:45,-5.00,TX-3,\r\n";
        let config =
            named(&[("date", "date"), ("amount", "AMOUNT"), ("transaction_id", "Id"), ("reference", "Ref")]);
        let file = parse_bank_csv(text.as_bytes(), &config).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(file.payments.len(), 2);
        assert_eq!(file.payments[0].txid, "TX-1");
        assert_eq!(file.payments[0].amount, dec("1234.50"));
        assert_eq!(file.payments[0].references, vec!["RF18539007547034"]);
        assert_eq!(file.payments[1].date, day(2024, 1, 5));
        assert!(file.payments[1].txid.starts_with("csv-20240105-200-"));
        assert!(file.payments[1].references.is_empty());
        assert_eq!(file.skipped[0].location, "line 4");
    }

    #[test]
    fn malformed_rows_are_rejected_with_their_line_numbers() {
        let text = "Datum;Belopp\n2024-01-05;10,00\n2024-13-05;10,00\n2024-01-07;1234.50\n2024-01-08;\n";
        let config =
            CsvImportConfig { decimal: Some(','), ..named(&[("date", "Datum"), ("amount", "Belopp")]) };
        let errors: Vec<String> =
            parse_bank_csv(text.as_bytes(), &config).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            vec![
                "line 3: date \"2024-13-05\" does not match a known date format",
                "line 4: amount \"1234.50\" in column \"Belopp\" is not a number",
                "line 5: no value in column \"Belopp\"",
            ]
        );
    }

    #[test]
    fn missing_header_and_bad_config() {
        let config = swedish();
        let errors = parse_bank_csv(b"a;b\n1;2\n", &config).unwrap_err();
        assert_eq!(errors[0].location, "line 1");
        assert!(errors[0].message.starts_with("no header row with a date and an amount"), "{errors:?}");
        assert!(errors[0].message.contains("date = \"Bokföringsdag\""), "{errors:?}");
        let errors = parse_bank_csv(b"", &named(&[("datum", "Dag")])).unwrap_err();
        assert_eq!(errors[0].location, "import configuration");
        assert!(errors[0].message.contains("no column `datum`"), "{errors:?}");
        let bad_decimal = CsvImportConfig { decimal: Some(';'), ..swedish() };
        assert!(parse_bank_csv(b"", &bad_decimal).is_err());
    }

    fn seen(file: &BankFile) -> Vec<(String, String)> {
        file.payments.iter().map(|p| (p.date.to_string(), p.amount.to_string())).collect()
    }

    fn reasons(file: &BankFile) -> Vec<&str> {
        file.skipped.iter().map(|s| s.reason.as_str()).collect()
    }

    #[test]
    fn pending_rows_by_date_marker_status_and_empty_value_date() {
        let nordea = "Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Ytterligare detaljer;Meddelande;Egna anteckningar;Saldo;Valuta;\n\
                      Reserverat;500,00;;;Kund AB;;Faktura 7;;;SEK;\n2025/12/29;250,00;;;Kund AB;;Faktura 8;;;SEK;\n";
        let file = parse_bank_csv(nordea.as_bytes(), &CsvImportConfig::default()).unwrap();
        assert_eq!(seen(&file), vec![("2025-12-29".into(), "250.00".into())]);
        assert_eq!(reasons(&file), vec!["pending (not yet booked): \"Reserverat\" in the date column"]);
        assert_eq!(file.version.as_deref(), Some("nordea-se"));
        let danske = "\"Dato\";\"Tekst\";\"Beløp\";\"Saldo\";\"Status\";\"Avstemt\"\n\
                      \"01.12.2026\";\"Giro\";\"15.625,00\";\"0\";\"Venter\";\"Nei\"\n\
                      \"02.12.2026\";\"Giro\";\"1.000,00\";\"0\";\"Utført\";\"Nei\"\n";
        let file = parse_bank_csv(danske.as_bytes(), &CsvImportConfig::default()).unwrap();
        assert_eq!(seen(&file), vec![("2026-12-02".into(), "1000.00".into())]);
        assert_eq!(reasons(&file), vec!["pending (not yet booked): status \"Venter\""]);
        let dnb = "\"Dato\";\"Forklaring\";\"Rentedato\";\"Ut fra konto\";\"Inn på konto\"\n\
                   \"03.12.2026\";\"Giro 1234567890128\";\"\";\"\";\"249.5\"\n\
                   \"02.12.2026\";\"Giro 1234567890128\";\"02.12.2026\";\"\";\"249.5\"\n\
                   \"02.12.2026\";\"Husleie\";\"02.12.2026\";\"1000.00\";\"\"\n";
        let file = parse_bank_csv(dnb.as_bytes(), &CsvImportConfig::default()).unwrap();
        assert_eq!(seen(&file), vec![("2026-12-02".into(), "249.5".into())]);
        assert_eq!(
            reasons(&file),
            vec!["pending (not yet booked): no Rentedato", "outgoing payment (negative amount -1000.00)"]
        );
        // The KID in the free text is the payment's reference.
        assert_eq!(file.payments[0].references, vec!["1234567890128"]);
    }

    #[test]
    fn credit_and_debit_columns_with_a_trailing_delimiter() {
        let sb1 = "\"Dato\";\"Beskrivelse\";\"Rentedato\";\"Inn\";\"Ut\";\"Til konto\";\"Fra konto\";\n\
                   \"01.12.2026\";\"Kunde\";\"01.12.2026\";\"1500,00\";\"\";\"\";\"\";\n\
                   \"02.12.2026\";\"Strøm\";\"02.12.2026\";\"\";\"-499,00\";\"\";\"\";\n";
        let file = parse_bank_csv(sb1.as_bytes(), &CsvImportConfig::default()).unwrap();
        assert_eq!(seen(&file), vec![("2026-12-01".into(), "1500.00".into())]);
        assert_eq!(reasons(&file), vec!["outgoing payment (negative amount -499.00)"]);
        assert_eq!(file.version.as_deref(), Some("sparebank1"));
    }

    #[test]
    fn a_preamble_line_and_a_lump_sum() {
        let swedbank = "* Transaktioner Period 2026-05-01 – 2026-06-30 Skapad 2026-07-01 08:00\n\
            Radnummer,Clearingnummer,Kontonummer,Produkt,Valuta,Bokföringsdag,Transaktionsdag,Valutadag,Referens,Beskrivning,Belopp,Bokfört saldo\n\
            1,8327-9,1234567,Företagskonto,SEK,2026-06-02,2026-06-02,2026-06-02,4455667788,Inbetalning,1250.00,5000.00\n\
            2,8327-9,1234567,Företagskonto,SEK,2026-06-03,2026-06-03,2026-06-03,,Kortköp,-39.00,4961.00\n";
        let file = parse_bank_csv(swedbank.as_bytes(), &CsvImportConfig::default()).unwrap();
        assert_eq!(seen(&file), vec![("2026-06-02".into(), "1250.00".into())]);
        assert_eq!(file.payments[0].references, vec!["4455667788"]);
        assert_eq!(file.payments[0].currency.as_deref(), Some("SEK"));
        assert_eq!(
            reasons(&file),
            vec!["before the header row", "outgoing payment (negative amount -39.00)"]
        );
        let nordea = "Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Meddelande;Egna anteckningar;Saldo;Valuta\n\
                      2026-06-02;47333,00;;;;BG INBETALNINGAR;;;;SEK\n";
        let file = parse_bank_csv(nordea.as_bytes(), &CsvImportConfig::default()).unwrap();
        assert!(file.payments.is_empty());
        assert!(
            reasons(&file)[0].starts_with("a lump sum of 47333.00 (BG INBETALNINGAR)"),
            "{:?}",
            reasons(&file)
        );
    }

    #[test]
    fn references_standing_in_free_text() {
        // 4455667784 is Luhn-valid (OCR, KID); RF18539007547034 a valid RF; 20261123 a date;
        // 1017 too short; 1234567890123 and 4455667788 fail every check digit.
        assert_eq!(
            references_in_text(
                "Faktura 1017 OCR 4455667784, ref RF18539007547034 betalt 20261123 1234567890123 4455667788"
            ),
            vec!["4455667784", "RF18539007547034"]
        );
        assert_eq!(references_in_text("4455667784X"), Vec::<String>::new());
        assert_eq!(references_in_text(""), Vec::<String>::new());
    }

    #[test]
    fn amounts_as_people_write_them() {
        let cases = [
            ("1 234,50", None, "1234.50"),
            ("1\u{a0}234,50 kr", None, "1234.50"),
            ("-1.234,50", None, "-1234.50"),
            ("1,234.50", None, "1234.50"),
            ("1,234,567", None, "1234567"),
            ("1.234.567", None, "1234567"),
            ("(300.00)", None, "-300.00"),
            ("100-", None, "-100"),
            ("\u{2212}12,00", None, "-12.00"),
            ("SEK 99,9", None, "99.9"),
            ("+7", None, "7"),
            ("1,234", Some('.'), "1234"),
            ("1,234", Some(','), "1.234"),
            ("0,5", None, "0.5"),
        ];
        for (text, decimal, want) in cases {
            assert_eq!(parse_amount(text, decimal), Some(dec(want)), "{text}");
        }
        for bad in ["", "-", "abc", "1.2.3,4,5", "12,34,5", "1234.50x9", "1..2", "1,", "--5", "1e5", "1_000"]
        {
            assert_eq!(parse_amount(bad, None), None, "{bad}");
        }
        assert_eq!(parse_amount("1234.50", Some(',')), None);
    }

    #[test]
    fn dates_in_common_formats() {
        for text in [
            "2024-05-02",
            "20240502",
            "02.05.2024",
            "02/05/2024",
            "2024/05/02",
            "02-05-2024",
            "2024-05-02T10:00:00",
            "2024-05-02 10:00",
        ] {
            assert_eq!(parse_date(text, None), Some(day(2024, 5, 2)), "{text}");
        }
        assert_eq!(parse_date("05/02/24", Some("%m/%d/%y")), Some(day(2024, 5, 2)));
        assert_eq!(parse_date("2024-05-02", Some("%d.%m.%Y")), None);
        assert_eq!(parse_date("yesterday", None), None);
    }

    #[test]
    fn utf16_excel_export() {
        let text = "Datum\tBelopp\tAvsändare\r\n2024-05-02\t10,00\tÖrjan\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(super::super::detect_format(&bytes, "export.txt"), Some(BankFormat::Csv));
        let config = named(&[("date", "Datum"), ("amount", "Belopp"), ("payer", "Avsändare")]);
        let file = parse_bank_csv(&bytes, &config).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(file.payments[0].payer.as_deref(), Some("Örjan"));
        assert_eq!(file.payments[0].amount, dec("10.00"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_bank_csv(&bytes, &swedish());
            let _ = super::super::detect_format(&bytes, "x");
        }

        #[test]
        fn never_panics_on_arbitrary_amounts(text in "\\PC{0,24}") {
            let _ = parse_amount(&text, None);
            let _ = parse_amount(&text, Some(','));
            let _ = parse_date(&text, None);
        }

        #[test]
        fn never_panics_on_mutated_fixture(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        ) {
            let mut bytes = fixture("bank-export-sv.csv");
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let _ = parse_bank_csv(&bytes, &swedish());
        }
    }
}
