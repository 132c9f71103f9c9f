//! Finnish reference payments ("saapuvat viitesiirrot", the KTL file of Finance Finland's
//! *Incoming reference payments* service), fixed 90-character records.
//!
//! Positions (1-based, inclusive) as in `docs/reference/export-formats.md` §3 and the public
//! generators it names:
//!
//! - `0` batch: creation date `YYMMDD` at 2–7, time 8–11, bank code 12–13, service id 14–22,
//!   currency 23 (`1` = EUR).
//! - `3` reference payment (`5` direct debit): the payee's account 2–15 (BBAN, machine format),
//!   booking date 16–21, payment date 22–27 (`YYMMDD`), archive id 28–43, reference 44–63
//!   (right-aligned, zero-padded), payer 64–75, currency 76, name source 77, amount in cents
//!   78–87, correction code 88 (`0` a payment, `1` a correction that reverses one), channel 89,
//!   return code 90 (direct debits).
//! - `9` totals: number of payments 2–7, their amount 8–18, number of corrections 19–24, their
//!   amount 25–35 (cents).
//!
//! A file may hold several batches (`0` … `9`), one per account or delivery; each batch's
//! totals are checked against its own records.
//!
//! Decisions: the booking date is the payment's date; the archive id its transaction id; a
//! correction that reverses a payment of the same reference and amount in the same file takes
//! both out (each listed in `skipped`), one that reverses a payment of an earlier file is listed
//! so the import warns; a direct debit with a return code is a failed one, not a payment.
//! Framing as for BgMax: CR/LF if present, else every 90 bytes; short records padded.

use std::collections::HashSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{BankError, BankFile, BankFormat, BankPayment, Errors, Skipped, line_location};

const RECORD_LEN: usize = 90;

/// What a correction reverses: a payment of the same references and amount.
type Key = (Vec<String>, Decimal);

/// A `9` record: its line, the number and amount of payments, of corrections.
type Totals = (usize, u64, Decimal, u64, Decimal);

/// Whether the bytes look like a KTL file: a `0` batch record (its date and time digits, no
/// CSV delimiter in its fields, at most 90 characters) followed by a `3`, `5` or `9` record
/// whose first 15 characters are digits (record code and account, or count). Only the first
/// two records are looked at.
pub(super) fn looks_like_ktl(bytes: &[u8]) -> bool {
    let body = super::strip_utf8_bom(bytes);
    let (first, second) = match body.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(end) => {
            let rest = &body[end..];
            let start = rest.iter().position(|&b| b != b'\n' && b != b'\r').unwrap_or(rest.len());
            let rest = &rest[start..];
            let next_end = rest.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(rest.len());
            (&body[..end], &rest[..next_end])
        }
        // Without line ends: records of exactly 90 characters, one after the other.
        None if body.len() >= 2 * RECORD_LEN => (&body[..RECORD_LEN], &body[RECORD_LEN..2 * RECORD_LEN]),
        None => return false,
    };
    let batch = (23..=RECORD_LEN).contains(&first.len())
        && first[0] == b'0'
        && first[1..11].iter().all(u8::is_ascii_digit)
        && !first[..23].iter().any(|b| matches!(b, b';' | b',' | b'\t' | b'"'));
    let next = second.len() >= 35
        && matches!(second[0], b'3' | b'5' | b'9')
        && second[1..15].iter().all(u8::is_ascii_digit);
    batch && next
}

/// Records with their line numbers: split on CR/LF when there are any, else every 90 bytes. A
/// file saved again as UTF-8 is turned back into Latin-1 first, so positions hold.
fn frame(bytes: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let data = super::to_latin1_bytes(bytes);
    let end = data.iter().rposition(|&b| !matches!(b, b'\r' | b'\n' | b' ' | 0x1A)).map_or(0, |i| i + 1);
    let body = &data[..end];
    if body.contains(&b'\n') || body.contains(&b'\r') {
        super::split_lines(body)
            .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
            .map(|(i, l)| (i, l.to_vec()))
            .collect()
    } else {
        body.chunks(RECORD_LEN).enumerate().map(|(i, c)| (i + 1, c.to_vec())).collect()
    }
}

/// The payer's name: Latin-1, except that older files write the Finnish letters in the 7-bit
/// national variant of ISO 646 (SFS 4017), where `[\]{|}` stand for `ÄÖÅäöå`.
fn payer_name(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '[' => 'Ä',
            '\\' => 'Ö',
            ']' => 'Å',
            '{' => 'ä',
            '|' => 'ö',
            '}' => 'å',
            other => other,
        })
        .collect()
}

/// One record, padded to 90 bytes.
struct Record {
    line: usize,
    data: Vec<u8>,
}

impl Record {
    fn field(&self, from: usize, to: usize) -> &[u8] {
        &self.data[from - 1..to]
    }

    fn text(&self, from: usize, to: usize) -> String {
        // ISO-8859-1: every byte is its character.
        self.field(from, to).iter().map(|&b| char::from(b)).collect::<String>().trim().to_owned()
    }

    fn digits(&self, from: usize, to: usize) -> Option<u64> {
        let f = self.field(from, to);
        if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
            return None;
        }
        f.iter().try_fold(0u64, |acc, &b| acc.checked_mul(10)?.checked_add(u64::from(b - b'0')))
    }

    fn cents(&self, from: usize, to: usize) -> Option<Decimal> {
        self.digits(from, to).and_then(|v| i64::try_from(v).ok()).map(|v| Decimal::new(v, 2))
    }

    fn date(&self, from: usize) -> Option<NaiveDate> {
        let yy = i32::try_from(self.digits(from, from + 1)?).ok()?;
        let mm = u32::try_from(self.digits(from + 2, from + 3)?).ok()?;
        let dd = u32::try_from(self.digits(from + 4, from + 5)?).ok()?;
        // Reference payments began in the 1990s: 90–99 are 19xx, the rest 20xx.
        NaiveDate::from_ymd_opt(if yy >= 90 { 1900 + yy } else { 2000 + yy }, mm, dd)
    }
}

/// A payment or correction read from a `3` / `5` record.
struct Item {
    line: usize,
    correction: bool,
    payment: BankPayment,
}

/// Parses a KTL reference-payment file; the whole file or every error found.
pub fn parse_ktl(bytes: &[u8]) -> Result<BankFile, Vec<BankError>> {
    let mut reader = Reader::default();
    let mut items: Vec<Item> = Vec::new();
    for (line, raw) in frame(bytes) {
        if reader.errors.is_full() {
            break;
        }
        items.extend(reader.record(line, &raw));
    }
    let Reader { mut errors, created, accounts, mut skipped, batch } = reader;
    batch.check_ended(&mut errors);
    let payments = settle_corrections(items, &mut skipped);
    errors.finish(BankFile { format: BankFormat::Ktl, version: None, created, payments, skipped, accounts })
}

/// [`parse_ktl`] of a file read as a stream (see `super::stream`; `framing` is
/// [`framing_of`]'s): each payment goes to `emit` as soon as its record is read, in file order,
/// without `super::make_txids_unique`'s renaming (the caller checks the ids are unique); what
/// else the file holds is returned with `payments` empty. Any error rejects the whole file, so
/// `emit` must not act on what it got before the result says `Ok`; the whole-file parser lists
/// the errors in its order.
///
/// A correction takes out a payment before it in the file, so the corrections are read first:
/// `open` gives a fresh reader of the file, once for them and, when there are any, once for the
/// payments of the same reference and amount; then once for the payments.
pub fn stream_ktl<R: std::io::Read>(
    open: &dyn Fn() -> std::io::Result<R>,
    framing: &super::stream::Framing,
    emit: &mut dyn FnMut(BankPayment),
) -> std::io::Result<Result<BankFile, Vec<BankError>>> {
    let keys = items_of(open()?, framing, &HashSet::new())?.1;
    let (reversed, settled) = if keys.is_empty() {
        (HashSet::new(), Vec::new())
    } else {
        // Those that a correction may take out, and the corrections: settled as the whole
        // file settles them, as none of the others can be.
        let items = items_of(open()?, framing, &keys)?.0;
        let payments: Vec<usize> = items.iter().filter(|i| !i.correction).map(|i| i.line).collect();
        let mut settled = Vec::new();
        let kept: HashSet<String> =
            settle_corrections(items, &mut settled).into_iter().map(|p| p.location).collect();
        let reversed: HashSet<usize> =
            payments.into_iter().filter(|line| !kept.contains(&line_location(*line))).collect();
        (reversed, settled)
    };
    let mut records = super::stream::Records::new(open()?, framing)?;
    let mut reader = Reader::default();
    while !reader.errors.is_full() {
        let Some(line) = records.next_raw()? else { break };
        if let Some(item) = reader.record(line, records.raw())
            && !item.correction
            && !reversed.contains(&item.line)
        {
            emit(item.payment);
        }
    }
    let Reader { mut errors, created, accounts, mut skipped, batch } = reader;
    batch.check_ended(&mut errors);
    if !errors.0.is_empty() {
        return Ok(Err(errors.0));
    }
    skipped.extend(settled);
    Ok(Ok(BankFile {
        format: BankFormat::Ktl,
        version: None,
        created,
        payments: Vec::new(),
        skipped,
        accounts,
    }))
}

/// How a KTL file is framed for [`stream_ktl`]: records of 90 bytes, as `frame` cuts them.
pub fn framing_of(reader: impl std::io::Read) -> std::io::Result<super::stream::Framing> {
    super::stream::Framing::of_records(reader, RECORD_LEN, false)
}

/// The file's payments and corrections of a reference and amount in `keys` (errors and what is
/// skipped ignored), and the references and amounts of its corrections.
fn items_of(
    reader: impl std::io::Read,
    framing: &super::stream::Framing,
    keys: &HashSet<Key>,
) -> std::io::Result<(Vec<Item>, HashSet<Key>)> {
    let mut records = super::stream::Records::new(reader, framing)?;
    let mut items = Vec::new();
    let mut corrections = HashSet::new();
    let mut reader = Reader::default();
    while let Some(line) = records.next_raw()? {
        reader.errors.0.clear();
        reader.skipped.clear();
        let Some(item) = reader.record(line, records.raw()) else { continue };
        let key = (item.payment.references.clone(), item.payment.amount);
        if item.correction {
            corrections.insert(key.clone());
        }
        if keys.contains(&key) {
            items.push(item);
        }
    }
    Ok((items, corrections))
}

/// What is read of a KTL file record by record; the payments and corrections are the caller's.
#[derive(Default)]
struct Reader {
    errors: Errors,
    created: Option<NaiveDate>,
    accounts: Vec<String>,
    skipped: Vec<Skipped>,
    /// The current batch (`0` … `9`): a file may hold several, each with its own totals.
    batch: Batch,
}

impl Reader {
    /// Reads the record of `line`; a payment or correction is returned.
    fn record(&mut self, line: usize, raw: &[u8]) -> Option<Item> {
        let errors = &mut self.errors;
        if raw.len() > RECORD_LEN && !raw[RECORD_LEN..].iter().all(|&b| b == b' ') {
            errors.push(
                line_location(line),
                format!("record is {} characters long; records are {RECORD_LEN}", raw.len()),
            );
            return None;
        }
        let mut data = raw.to_vec();
        data.resize(RECORD_LEN, b' ');
        let r = Record { line, data };
        match r.data[0] {
            b'0' => {
                let date = r.date(2);
                // Several batches: the newest creation date is the file's.
                self.created = self.created.max(date);
                if date.is_none() {
                    errors.push(
                        line_location(line),
                        "batch record: creation date (positions 2–7) is not YYMMDD",
                    );
                }
            }
            b'3' | b'5' => {
                let item = item(&r, errors, &mut self.skipped)?;
                let account = r.text(2, 15);
                if !self.accounts.contains(&account) {
                    self.accounts.push(account);
                }
                self.batch.add(&item);
                return Some(item);
            }
            b'9' => match (r.digits(2, 7), r.cents(8, 18), r.digits(19, 24), r.cents(25, 35)) {
                (Some(n), Some(sum), Some(cn), Some(csum)) => {
                    std::mem::take(&mut self.batch).check_totals((line, n, sum, cn, csum), errors);
                }
                _ => errors.push(
                    line_location(line),
                    "totals record: counts and amounts (positions 2–35) are not digits",
                ),
            },
            other => self.skipped.push(Skipped {
                location: line_location(line),
                reason: format!("record type {:?} is not a reference payment", char::from(other)),
            }),
        }
        None
    }
}

/// The payments and corrections of a batch so far, counted and summed for its totals record.
#[derive(Default)]
struct Batch {
    items: usize,
    payments: usize,
    paid: Decimal,
    /// Payments by reference (`3` records): a bank may count only those.
    references: usize,
    paid_by_reference: Decimal,
    corrections: usize,
    corrected: Decimal,
}

impl Batch {
    fn add(&mut self, item: &Item) {
        self.items += 1;
        let amount = item.payment.amount;
        if item.correction {
            self.corrections += 1;
            self.corrected += amount;
            return;
        }
        self.payments += 1;
        self.paid += amount;
        if item.payment.txid.starts_with("KTL3") {
            self.references += 1;
            self.paid_by_reference += amount;
        }
    }

    /// Checks the batch's `9` totals record (on `line`: `n` payments of `sum`, `cn` corrections
    /// of `csum`) against its items. A returned direct debit is in neither count.
    fn check_totals(self, (line, n, sum, cn, csum): Totals, errors: &mut Errors) {
        let count_ok = (n as usize == self.payments && sum == self.paid)
            || (n as usize == self.references && sum == self.paid_by_reference);
        if !count_ok {
            errors.push(
                line_location(line),
                format!(
                    "totals record says {n} payments of {sum}, the batch has {} of {}",
                    self.payments, self.paid
                ),
            );
        }
        if cn as usize != self.corrections || csum != self.corrected {
            errors.push(
                line_location(line),
                format!(
                    "totals record says {cn} corrections of {csum}, the batch has {} of {}",
                    self.corrections, self.corrected
                ),
            );
        }
    }

    /// Items after the last totals record: the file was cut short.
    fn check_ended(&self, errors: &mut Errors) {
        if self.items > 0 {
            errors.push(
                "end of file",
                "no totals record (9) after the last payments: the file may be cut short",
            );
        }
    }
}

/// Reads a `3` or `5` record; a failed direct debit goes to `skipped`.
fn item(r: &Record, errors: &mut Errors, skipped: &mut Vec<Skipped>) -> Option<Item> {
    let location = line_location(r.line);
    let booked = r.date(16);
    let amount = r.cents(78, 87);
    if booked.is_none() {
        errors.push(
            location.clone(),
            format!("booking date {:?} (positions 16–21) is not YYMMDD", r.text(16, 21)),
        );
    }
    if amount.is_none() {
        errors.push(
            location.clone(),
            format!("amount {:?} (positions 78–87) is not 10 digits", r.text(78, 87)),
        );
    }
    let correction = match r.data[87] {
        b'0' | b' ' => false,
        b'1' => true,
        other => {
            errors.push(
                location.clone(),
                format!("correction code {:?} (position 88) is neither 0 nor 1", char::from(other)),
            );
            return None;
        }
    };
    let (booked, amount) = (booked?, amount?);
    let kind = r.data[0];
    if kind == b'5' && !matches!(r.data[89], b'0' | b' ') {
        skipped.push(Skipped {
            location,
            reason: format!("direct debit of {amount} returned (code {})", char::from(r.data[89])),
        });
        return None;
    }
    if amount.is_zero() {
        skipped.push(Skipped { location, reason: "amount of 0: nothing to match".to_owned() });
        return None;
    }
    let reference = r.text(44, 63).trim_start_matches('0').to_owned();
    let archive = r.text(28, 43);
    Some(Item {
        line: r.line,
        correction,
        payment: BankPayment {
            txid: format!("KTL{}-{archive}", char::from(kind)),
            date: booked,
            amount,
            currency: (r.data[75] == b'1').then(|| "EUR".to_owned()),
            reference_amounts: if reference.is_empty() { vec![] } else { vec![None] },
            references: if reference.is_empty() { vec![] } else { vec![reference] },
            message: None,
            payer: Some(payer_name(&r.text(64, 75))).filter(|p| !p.is_empty()),
            location,
        },
    })
}

/// A correction reverses a payment: of the same reference and amount in this file, both go;
/// else it is listed as the reversal of an earlier file's payment.
fn settle_corrections(items: Vec<Item>, skipped: &mut Vec<Skipped>) -> Vec<BankPayment> {
    let mut kept: Vec<Option<Item>> = Vec::new();
    for item in items {
        if !item.correction {
            kept.push(Some(item));
            continue;
        }
        let reversed = kept.iter_mut().rev().find(|k| {
            k.as_ref().is_some_and(|k| {
                k.payment.references == item.payment.references && k.payment.amount == item.payment.amount
            })
        });
        let p = &item.payment;
        let reference = p.references.first().map_or("no reference", String::as_str);
        match reversed.and_then(Option::take) {
            Some(original) => {
                skipped.push(Skipped {
                    location: line_location(original.line),
                    reason: format!(
                        "payment of {} (reference {reference}) reversed by the correction on line {}",
                        original.payment.amount, item.line
                    ),
                });
                skipped.push(Skipped {
                    location: p.location.clone(),
                    reason: format!("correction reversing the payment on line {}", original.line),
                });
            }
            None => skipped.push(Skipped {
                location: p.location.clone(),
                reason: format!(
                    "correction reversing a payment of {} (reference {reference}) of an earlier file: take it out of payments.csv",
                    p.amount
                ),
            }),
        }
    }
    kept.into_iter().flatten().map(|i| i.payment).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::bank::testing::{day, dec, fixture};

    /// A record of 90 characters from its fields at 1-based positions.
    fn record(fields: &[(usize, &str)]) -> String {
        let mut r = vec![' '; RECORD_LEN];
        for (pos, text) in fields {
            for (i, c) in text.chars().enumerate() {
                r[pos - 1 + i] = c;
            }
        }
        r.into_iter().collect()
    }

    fn payment(reference: &str, cents: u64, archive: &str, correction: char) -> String {
        record(&[
            (1, "3"),
            (2, "29501800000014"),
            (16, "261201"),
            (22, "261130"),
            (28, archive),
            (44, &format!("{reference:0>20}")),
            (64, "VIRTA OY"),
            (76, "1"),
            (77, "A"),
            (78, &format!("{cents:010}")),
            (88, &correction.to_string()),
            (89, "A"),
        ])
    }

    fn file(records: &[String], n: u64, sum: u64, cn: u64, csum: u64) -> Vec<u8> {
        let mut lines =
            vec![record(&[(1, "0"), (2, "2612010700"), (12, "50"), (14, "123456789"), (23, "1")])];
        lines.extend(records.iter().cloned());
        lines.push(record(&[(1, "9"), (2, &format!("{n:06}{sum:011}{cn:06}{csum:011}"))]));
        (lines.join("\r\n") + "\r\n").into_bytes()
    }

    #[test]
    fn payments_and_a_correction_in_the_same_file() {
        let bytes = file(
            &[
                payment("30012", 187550, "0112A1234567890A", '0'),
                payment("30025", 200000, "0112A1234567890B", '0'),
                payment("30025", 200000, "0112A1234567890C", '1'),
            ],
            2,
            387550,
            1,
            200000,
        );
        assert!(looks_like_ktl(&bytes));
        let f = parse_ktl(&bytes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.created, Some(day(2026, 12, 1)));
        assert_eq!(f.accounts, vec!["29501800000014"]);
        assert_eq!(f.payments.len(), 1);
        let p = &f.payments[0];
        assert_eq!(
            (p.txid.as_str(), p.date, p.amount),
            ("KTL3-0112A1234567890A", day(2026, 12, 1), dec("1875.50"))
        );
        assert_eq!(p.references, vec!["30012"]);
        assert_eq!(p.payer.as_deref(), Some("VIRTA OY"));
        assert_eq!(p.currency.as_deref(), Some("EUR"));
        let reasons: Vec<&str> = f.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec![
                "payment of 2000.00 (reference 30025) reversed by the correction on line 4",
                "correction reversing the payment on line 3"
            ]
        );
    }

    #[test]
    fn a_correction_of_an_earlier_file_and_wrong_totals() {
        let bytes = file(&[payment("30025", 200000, "0112A1234567890C", '1')], 0, 0, 1, 200000);
        let f = parse_ktl(&bytes).unwrap();
        assert!(f.payments.is_empty());
        assert!(
            f.skipped[0].reason.contains("of an earlier file: take it out of payments.csv"),
            "{:?}",
            f.skipped
        );
        let bytes = file(&[payment("30012", 187550, "A", '0')], 1, 187500, 0, 0);
        let errors = parse_ktl(&bytes).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "line 3: totals record says 1 payments of 1875.00, the batch has 1 of 1875.50"
        );
    }

    /// Two batches in one file (two accounts), each with its own totals; a batch cut short
    /// before its totals refuses the file.
    #[test]
    fn several_batches_each_with_its_totals() {
        let first = file(&[payment("30012", 187550, "A1", '0')], 1, 187550, 0, 0);
        let mut second_payment = payment("30038", 30000, "B1", '0');
        second_payment.replace_range(1..15, "12345600000785");
        let second = file(&[second_payment.clone()], 1, 30000, 0, 0);
        let both = [first.clone(), second].concat();
        let f = parse_ktl(&both).unwrap_or_else(|e| panic!("{e:?}"));
        let amounts: Vec<Decimal> = f.payments.iter().map(|p| p.amount).collect();
        assert_eq!(amounts, vec![dec("1875.50"), dec("300.00")]);
        assert_eq!(f.accounts, vec!["29501800000014", "12345600000785"]);
        let cut = [first, format!("{}\r\n", second_payment).into_bytes()].concat();
        let errors = parse_ktl(&cut).unwrap_err();
        assert_eq!(
            errors[0].message,
            "no totals record (9) after the last payments: the file may be cut short"
        );
    }

    #[test]
    fn without_line_ends_and_garbage() {
        let bytes = file(&[payment("30012", 187550, "A", '0')], 1, 187550, 0, 0);
        let joined: Vec<u8> = bytes.iter().copied().filter(|&b| b != b'\r' && b != b'\n').collect();
        assert_eq!(parse_ktl(&joined).unwrap().payments.len(), 1);
        assert!(!looks_like_ktl(b"0;1;2\n3;4\n"));
        let mut bad = payment("30012", 187550, "A", '0');
        bad.replace_range(77..87, "00001875,5");
        let errors = parse_ktl(&file(&[bad], 1, 187550, 0, 0)).unwrap_err();
        assert!(
            errors[0].message.contains("amount \"00001875,5\" (positions 78–87) is not 10 digits"),
            "{errors:?}"
        );
    }

    /// The KTL example of nnarhinen/corporate.js (`features/ktl.feature` @ 2113f28, MIT, © Niklas
    /// Närhinen), an independent reading of the same positions: eight `3` payments and six `5`
    /// direct debits, two of them returned (codes 7 and 4), totals counting the twelve others
    /// less the returned ones. Its later-added `3` record of 2017 is left out: the totals
    /// predate it.
    const CORPORATE_JS_EXAMPLE: &str = "\
006030323592 011111111144444444A0000000000000000000000000000000000000000000000000000000000
31950300000001006030306030203025LM     654500000000000000000013LOPEN PERUNA1A00000323240A0
31950300000001006030306030303031950AA12318500000000000000455435TUTTU TIMO  1K00000776400K0
31950300000001006030306030303031950AA12367800000000000000844677POUTA PILVI 1K00000851500K0
3195030000000100603030603030303258877BA123400000000000000890922KULMAN KAUPP1J00001332830A0
319503000000010060303060303030325887801444400000000000002535337KASVI KIELO 1J00001618240A0
319503000000010060303060303030325887902555500000000000006678753HANNULA OY  1J00000724500A0
3195030000000100603030603030303258878BA011400000000000003088187NELLI & CO  1J00000855500A0
51950300000001006030306030303032588731K000800000000230000094280MAKSAJA MATT1J00000541270A0
51950300000001006030306030303022588731K050500000000234000095350OSTAJA OSSI 1J00000788460A0
51950300000001006030306030303022588731K039900000000465000051612TUTTU TIMO  1J00000613490A0
51950300000001006030306030303022588731K068200000000492000045542POUTA PILVI 1A00000170640A7
51950300000001006030306030303022588731K958900000000518000085560MAKSAJA MAIJ1A00000120720A4
51950300000001006030306030303022588731K001400000000810000090650OSSIN AUTO O1J00000177460A0
900001100000860289000000000000000000000020000002913600000000000000000000000000000000000000
";

    #[test]
    fn the_corporate_js_example() {
        let bytes = CORPORATE_JS_EXAMPLE.as_bytes();
        assert!(looks_like_ktl(bytes));
        let f = parse_ktl(bytes).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.created, Some(day(2006, 3, 3)));
        assert_eq!(f.accounts, vec!["19503000000010"]);
        assert_eq!(f.payments.len(), 11);
        let first = &f.payments[0];
        assert_eq!(
            (first.txid.as_str(), first.date, first.amount),
            ("KTL3-03025LM     6545", day(2006, 3, 3), dec("323.24"))
        );
        assert_eq!(first.references, vec!["13"]);
        assert_eq!(first.payer.as_deref(), Some("LOPEN PERUNA"));
        let debit = &f.payments[7];
        assert_eq!((debit.txid.as_str(), debit.amount), ("KTL5-03032588731K0008", dec("541.27")));
        assert_eq!(debit.references, vec!["230000094280"]);
        let total: Decimal = f.payments.iter().map(|p| p.amount).sum();
        assert_eq!(total, dec("8602.89"));
        let reasons: Vec<&str> = f.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec!["direct debit of 170.64 returned (code 7)", "direct debit of 120.72 returned (code 4)"]
        );
    }

    #[test]
    fn seven_bit_finnish_letters_in_the_payer_name() {
        assert_eq!(payer_name("V[LI-M]KI {|}"), "VÄLI-MÅKI äöå");
        assert_eq!(payer_name("S\\DER"), "SÖDER");
    }

    /// Files of the other formats and CSV exports are never taken for KTL, whatever their
    /// first characters.
    #[test]
    fn other_files_are_not_ktl() {
        let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for sub in ["bank", "bank-csv", "samples/bank"] {
            for entry in std::fs::read_dir(format!("{dir}/{sub}")).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name.ends_with(".ktl") || name.ends_with(".md") {
                    continue;
                }
                seen += 1;
                assert!(!looks_like_ktl(&std::fs::read(&path).unwrap()), "{name}");
            }
        }
        assert!(seen > 20, "{seen}");
        // A CSV whose first field is a long number, and a headerless one of 90 characters.
        assert!(!looks_like_ktl(
            b"0123456789012;2026-12-01;100,00\n3123456789012345;x;y;zzzzzzzzzzzzzzzzzzzzzzzzz\n"
        ));
        let line = format!("0{}", "1".repeat(89));
        assert!(!looks_like_ktl(format!("{line}\nDatum;Belopp\n").as_bytes()));
    }

    /// The integration fixture (tests/cli/banks.rs) read here: what the import is built on.
    #[test]
    fn the_fixture_file() {
        let f = parse_ktl(&fixture("ktl-reference-payments.ktl")).unwrap_or_else(|e| panic!("{e:?}"));
        let paid: Vec<(&str, Decimal)> =
            f.payments.iter().map(|p| (p.references[0].as_str(), p.amount)).collect();
        assert_eq!(paid, vec![("30012", dec("1875.50")), ("30038", dec("300.00"))]);
        assert_eq!(f.skipped.len(), 3);
        assert_eq!(f.accounts, vec!["12345600000785"]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_mutated_fixture(
            edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 1..8),
        ) {
            let mut bytes = fixture("ktl-reference-payments.ktl");
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let _ = parse_ktl(&bytes);
            let _ = looks_like_ktl(&bytes);
        }

        /// Payments and corrections of a few references and amounts in any order (so that a
        /// correction may reverse any earlier one, or one of an earlier file), with or without
        /// right totals and line ends: streamed as the whole file parses, or rejected alike.
        #[test]
        fn any_file_streams_as_it_parses(
            items in proptest::collection::vec((0usize..3, 0usize..2, proptest::bool::weighted(0.3)), 0..12),
            totals_right in proptest::bool::weighted(0.8),
            line_ends in proptest::bool::ANY,
        ) {
            let records: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, &(reference, amount, correction))| {
                    let reference = ["30012", "30025", "30038"][reference];
                    let archive = format!("ARCH{i:04}");
                    payment(reference, [10_000, 25_000][amount], &archive, if correction { '1' } else { '0' })
                })
                .collect();
            let (mut n, mut sum, mut cn, mut csum) = (0, 0, 0, 0);
            for &(_, amount, correction) in &items {
                let cents = [10_000, 25_000][amount];
                if correction { cn += 1; csum += cents } else { n += 1; sum += cents }
            }
            let mut bytes = file(&records, n, if totals_right { sum } else { sum + 1 }, cn, csum);
            if !line_ends {
                bytes.retain(|&b| b != b'\r' && b != b'\n');
            }
            let whole = parse_ktl(&bytes);
            let streamed = streamed(&bytes);
            proptest::prop_assert_eq!(whole.is_ok(), streamed.is_ok(), "{:?}", whole);
            if let (Ok(whole), Ok(streamed)) = (whole, streamed) {
                proptest::prop_assert_eq!(streamed, whole);
            }
        }
    }

    /// The file as `dun import` streams it: the payments, in order, and everything else.
    fn streamed(bytes: &[u8]) -> Result<BankFile, Vec<BankError>> {
        let framing = framing_of(bytes).unwrap();
        let mut payments = Vec::new();
        let mut file = stream_ktl(&|| Ok(bytes), &framing, &mut |p| payments.push(p)).unwrap()?;
        file.payments = payments;
        Ok(file)
    }

    /// Read as a stream, every example (and UTF-8, unterminated and TAB-ended copies) gives what
    /// the whole-file parser gives; a broken file is rejected too.
    #[test]
    fn a_streamed_file_gives_what_the_whole_file_gives() {
        let fixture = fixture("ktl-reference-payments.ktl");
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(super::super::latin1(&fixture).as_bytes());
        let unterminated: Vec<u8> = fixture.iter().copied().filter(|&b| b != b'\r' && b != b'\n').collect();
        let mut tab_ended = CORPORATE_JS_EXAMPLE.as_bytes().to_vec();
        tab_ended.extend_from_slice(b"\t\r\n \x1a");
        let corrected = file(
            &[
                payment("30012", 187550, "A1", '0'),
                payment("30025", 200000, "A2", '0'),
                payment("30012", 187550, "A3", '0'),
                payment("30012", 187550, "A4", '1'),
                payment("30099", 5000, "A5", '1'),
            ],
            3,
            575100,
            2,
            192550,
        );
        let files = [fixture, utf8, unterminated, CORPORATE_JS_EXAMPLE.as_bytes().to_vec(), corrected];
        for bytes in files {
            let whole = parse_ktl(&bytes).unwrap_or_else(|e| panic!("{e:?}"));
            assert!(!whole.payments.is_empty());
            assert_eq!(streamed(&bytes).unwrap(), whole);
        }
        assert_eq!(streamed(&tab_ended).is_ok(), parse_ktl(&tab_ended).is_ok());
        let bytes = file(&[payment("30012", 187550, "A", '0')], 1, 187500, 0, 0);
        assert!(streamed(&bytes).is_err());
        let cut = file(&[payment("30012", 187550, "A", '0')], 1, 187550, 0, 0);
        assert!(streamed(&cut[..cut.len() - (RECORD_LEN + 2)]).is_err());
    }
}
