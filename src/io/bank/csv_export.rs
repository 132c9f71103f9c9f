//! Bank CSV exports ("kontoutdrag" / "transaktioner" downloads from the online
//! bank). Every bank has its own columns, so the user's configuration names them.
//!
//! Decisions:
//!
//! - Encoding: a BOM decides (UTF-8, UTF-16); otherwise UTF-8 if the bytes are
//!   valid UTF-8, else Windows-1252, which Nordic Excel still writes.
//! - Delimiter: as configured, else the first of `;` tab `,` `|` that yields a
//!   row holding every configured column name. Rows before that header row are
//!   the banks' preambles ("Kontoutdrag 2024-05…") and are listed in `skipped`.
//! - Amounts: negative rows are outgoing payments and are skipped. Without a
//!   configured decimal mark, the last of `.` / `,` is the decimal mark when both
//!   occur, and a single one is; a repeated one groups thousands. Thousands groups
//!   must have three digits, so `1234.50` read with decimal `,` is an error, not
//!   123450.
//! - Dates: the configured chrono format, else ISO `2024-05-02`, `20240502`,
//!   `02.05.2024`, `02/05/2024` (day first, as in the Nordics), `2024/05/02`,
//!   `02-05-2024`; a trailing time is ignored.
//! - Transaction id: the configured column when it has a value, else derived from
//!   the row's content: date, amount and a hash of date, amount, reference,
//!   message and payer, plus `-2`, `-3`… for identical rows. It does not depend on
//!   the row's position, so it stays the same when the next export overlaps.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    BankError, BankFile, BankFormat, BankPayment, Errors, LineCounter, Skipped, error, line_location,
    stable_hash,
};

/// Which columns of a bank's CSV export hold what. Column names are matched
/// case-insensitively, ignoring surrounding blanks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvImportConfig {
    /// Field delimiter; sniffed when `None`.
    pub delimiter: Option<u8>,
    /// Decimal mark, `,` or `.`; guessed per value when `None`.
    pub decimal: Option<char>,
    /// A chrono format such as `%d.%m.%Y`; common formats are tried when `None`.
    pub date_format: Option<String>,
    pub date: String,
    pub amount: String,
    pub reference: Option<String>,
    pub message: Option<String>,
    pub payer: Option<String>,
    pub transaction_id: Option<String>,
}

/// Delimiters tried in order when none is configured.
const DELIMITERS: [u8; 4] = [b';', b'\t', b',', b'|'];

/// The header must appear within this many rows.
const HEADER_SEARCH_ROWS: usize = 50;

const DATE_FORMATS: [&str; 7] =
    ["%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y.%m.%d"];

/// Parses a bank CSV export with the given column configuration.
pub fn parse_bank_csv(bytes: &[u8], config: &CsvImportConfig) -> Result<BankFile, Vec<BankError>> {
    check_config(config).map_err(|e| vec![e])?;
    let text = decode(bytes);
    let (rows, header_at, columns) = locate_header(&text, config).map_err(|e| vec![e])?;
    let mut errors = Errors::default();
    let mut file = BankFile {
        format: BankFormat::Csv,
        version: None,
        created: None,
        payments: Vec::new(),
        skipped: Vec::new(),
    };
    for (line, fields) in &rows[..header_at] {
        if !is_blank(fields) {
            file.skipped.push(Skipped {
                location: line_location(*line),
                reason: "before the header row".to_string(),
            });
        }
    }
    let mut occurrences: HashMap<u64, usize> = HashMap::new();
    for (line, fields) in rows.iter().skip(header_at + 1) {
        if errors.is_full() {
            break;
        }
        if is_blank(fields) {
            continue;
        }
        let row = Row { line: *line, fields, columns: &columns, config };
        match row.read(&mut errors) {
            Some(Read::Payment(mut payment)) => {
                if payment.txid.is_empty() {
                    payment.txid = derived_txid(&payment, &mut occurrences);
                }
                file.payments.push(payment);
            }
            Some(Read::Skipped(skipped)) => file.skipped.push(skipped),
            None => {}
        }
    }
    errors.finish(file)
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
    let text = decode(head);
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) {
        return false;
    }
    text.lines().find(|line| !line.trim().is_empty()).is_some_and(|line| line.contains([';', ',', '\t', '|']))
}

fn check_config(config: &CsvImportConfig) -> Result<(), BankError> {
    let problem = if config.date.trim().is_empty() || config.amount.trim().is_empty() {
        Some("the date and amount columns must be named".to_string())
    } else if config.decimal.is_some_and(|d| d != ',' && d != '.') {
        Some(format!("decimal mark {:?} is neither ',' nor '.'", config.decimal))
    } else if config
        .delimiter
        .is_some_and(|d| matches!(d, b'"' | b'\r' | b'\n') || Some(char::from(d)) == config.decimal)
    {
        Some(format!("delimiter {:?} cannot be used", config.delimiter.map(char::from)))
    } else {
        None
    };
    match problem {
        Some(message) => Err(error("import configuration", message)),
        None => Ok(()),
    }
}

/// UTF-8 / UTF-16 by BOM, else UTF-8 when valid, else Windows-1252.
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling(body).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
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

/// Column positions of the configured names.
struct Columns {
    date: usize,
    amount: usize,
    reference: Option<usize>,
    message: Option<usize>,
    payer: Option<usize>,
    transaction_id: Option<usize>,
}

fn locate_header(text: &str, config: &CsvImportConfig) -> Result<(Rows, usize, Columns), BankError> {
    let delimiters: Vec<u8> = match config.delimiter {
        Some(d) => vec![d],
        None => DELIMITERS.to_vec(),
    };
    for delimiter in delimiters {
        let rows = read_rows(text, delimiter);
        let found = rows
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .enumerate()
            .find_map(|(i, (_, fields))| columns(fields, config).map(|c| (i, c)));
        if let Some((at, columns)) = found {
            return Ok((rows, at, columns));
        }
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let wanted: Vec<&str> = [Some(&config.date), Some(&config.amount)]
        .into_iter()
        .chain([
            config.reference.as_ref(),
            config.message.as_ref(),
            config.payer.as_ref(),
            config.transaction_id.as_ref(),
        ])
        .flatten()
        .map(String::as_str)
        .collect();
    Err(error(
        "line 1",
        format!(
            "no header row with the columns {wanted:?} in the first {HEADER_SEARCH_ROWS} lines; the first line is {:?}",
            first.chars().take(200).collect::<String>()
        ),
    ))
}

/// The configured columns in this row, if it holds all of them.
fn columns(fields: &[String], config: &CsvImportConfig) -> Option<Columns> {
    let find = |name: &str| {
        let wanted = normalize_header(name);
        fields.iter().position(|f| normalize_header(f) == wanted)
    };
    let optional = |name: &Option<String>| -> Option<Option<usize>> {
        match name {
            Some(name) => find(name).map(Some),
            None => Some(None),
        }
    };
    Some(Columns {
        date: find(&config.date)?,
        amount: find(&config.amount)?,
        reference: optional(&config.reference)?,
        message: optional(&config.message)?,
        payer: optional(&config.payer)?,
        transaction_id: optional(&config.transaction_id)?,
    })
}

fn normalize_header(name: &str) -> String {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_lowercase()
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

    fn required(&self, column: usize, name: &str, errors: &mut Errors) -> Option<&str> {
        let value = self.cell(Some(column));
        if value.is_none() {
            errors.push(line_location(self.line), format!("no value in column {name:?}"));
        }
        value
    }

    fn read(&self, errors: &mut Errors) -> Option<Read> {
        let location = line_location(self.line);
        let date_text = self.required(self.columns.date, &self.config.date, errors);
        let amount_text = self.required(self.columns.amount, &self.config.amount, errors);
        let date = date_text.and_then(|text| {
            let date = parse_date(text, self.config.date_format.as_deref());
            if date.is_none() {
                let expected = self.config.date_format.as_deref().unwrap_or("a known date format");
                errors.push(location.clone(), format!("date {text:?} does not match {expected}"));
            }
            date
        });
        let amount = amount_text.and_then(|text| {
            let amount = parse_amount(text, self.config.decimal);
            if amount.is_none() {
                errors.push(location.clone(), format!("amount {text:?} is not a number"));
            }
            amount
        });
        let (date, amount) = (date?, amount?);
        if amount.is_sign_negative() && !amount.is_zero() {
            return Some(Read::Skipped(Skipped {
                location,
                reason: format!("outgoing payment (negative amount {amount})"),
            }));
        }
        if amount.is_zero() {
            return Some(Read::Skipped(Skipped {
                location,
                reason: "amount of 0: nothing to match".to_string(),
            }));
        }
        let reference = self.cell(self.columns.reference).map(str::to_string);
        Some(Read::Payment(BankPayment {
            // Filled in by the caller when empty: derivation needs the whole file.
            txid: self.cell(self.columns.transaction_id).unwrap_or_default().to_string(),
            date,
            amount,
            currency: None,
            reference_amounts: reference.iter().map(|_| None).collect(),
            references: reference.into_iter().collect(),
            message: self.cell(self.columns.message).map(str::to_string),
            payer: self.cell(self.columns.payer).map(str::to_string),
            location,
        }))
    }
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

    fn swedish() -> CsvImportConfig {
        CsvImportConfig {
            date: "Bokföringsdag".into(),
            amount: "Belopp".into(),
            reference: Some("Referens".into()),
            message: Some("Meddelande".into()),
            payer: Some("Avsändare".into()),
            ..CsvImportConfig::default()
        }
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
        let config = CsvImportConfig {
            date: "date".into(),
            amount: "AMOUNT".into(),
            transaction_id: Some("Id".into()),
            reference: Some("Ref".into()),
            ..CsvImportConfig::default()
        };
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
        let config = CsvImportConfig {
            decimal: Some(','),
            ..CsvImportConfig { date: "Datum".into(), amount: "Belopp".into(), ..CsvImportConfig::default() }
        };
        let errors: Vec<String> =
            parse_bank_csv(text.as_bytes(), &config).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            vec![
                "line 3: date \"2024-13-05\" does not match a known date format",
                "line 4: amount \"1234.50\" is not a number",
                "line 5: no value in column \"Belopp\"",
            ]
        );
    }

    #[test]
    fn missing_header_and_bad_config() {
        let config = swedish();
        let errors = parse_bank_csv(b"a;b\n1;2\n", &config).unwrap_err();
        assert_eq!(errors[0].location, "line 1");
        assert!(errors[0].message.starts_with("no header row with the columns"), "{errors:?}");
        let errors = parse_bank_csv(b"", &CsvImportConfig::default()).unwrap_err();
        assert_eq!(errors[0].location, "import configuration");
        let bad_decimal = CsvImportConfig { decimal: Some(';'), ..swedish() };
        assert!(parse_bank_csv(b"", &bad_decimal).is_err());
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
        let config = CsvImportConfig {
            date: "Datum".into(),
            amount: "Belopp".into(),
            payer: Some("Avsändare".into()),
            ..CsvImportConfig::default()
        };
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
