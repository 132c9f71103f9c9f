//! Nets OCR giro ("OCR-konteringsdata", service code 09), Norway.
//!
//! Positions follow Nets' *System specification OCR giro*, as transcribed in
//! `docs/reference/bank-formats.md` §2. Decisions where the manual leaves room:
//!
//! - **Sign**: position 32 is `-` for a negative item (a credit note the
//!   agreement allows), otherwise `0`. The assignment and transmission totals
//!   are net of negative items (checked on Nets' own example: 19,930.00 − 2 ×
//!   2,150.00 = 15,630.00). A negative item is not incoming money: it goes to
//!   `skipped` with its KID and amount.
//! - **Reversals** (transaction types 18 and 20) are information from payment
//!   terminals; the manual adds them to the totals, not subtracts them. They are
//!   not payments either, so they are skipped too.
//! - **Date**: the Nets (settlement) date of amount item 1. DDMMYY with a
//!   century pivot: years 70–99 are 19xx, 00–69 are 20xx.
//! - **Transaction id**: `NETS-<agreement>-<assignment no>-<Nets date>-<transaction no>`.
//!   The transmission number is only unique per sender; the assignment number
//!   with its agreement ID, plus the date, identifies the assignment.
//! - AvtaleGiro assignments (another service code) may share the file; they are
//!   not incoming OCR payments and are skipped whole, but counted for record 89.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    BankError, BankFile, BankFormat, BankPayment, Errors, Record, Skipped, frame_records, line_location,
};

/// Parses a Nets OCR giro file (ASCII / ISO-8859-1, any or no line terminators).
pub fn parse_nets_ocr(bytes: &[u8]) -> Result<BankFile, Vec<BankError>> {
    let mut errors = Errors::default();
    let records = frame_records(bytes, &mut errors);
    let mut parser = Parser::default();
    for record in &records {
        if errors.is_full() {
            break;
        }
        parser.record(record, &mut errors);
    }
    parser.finish(records.last(), &mut errors);
    errors.finish(BankFile {
        format: BankFormat::NetsOcr,
        version: None,
        created: parser.created,
        payments: parser.payments,
        skipped: parser.skipped,
        accounts: parser.accounts,
    })
}

/// [`parse_nets_ocr`] of a file read as a stream (see `super::stream`): each payment goes to
/// `emit` as soon as its transaction's records are read, in file order, without
/// `super::make_txids_unique`'s renaming (the caller checks the ids are unique); what else the
/// file holds is returned with `payments` empty. Any error rejects the whole file, so `emit` must
/// not act on what it got before the result says `Ok`; the whole-file parser lists the errors in
/// its order. A Nets file is framed as a BgMax file is, so one read of it is enough.
pub fn stream_nets_ocr<R: std::io::Read>(
    reader: R,
    framing: &super::stream::Framing,
    emit: &mut dyn FnMut(BankPayment),
) -> std::io::Result<Result<BankFile, Vec<BankError>>> {
    let mut errors = Errors::default();
    let mut records = super::stream::Records::new(reader, framing)?;
    let mut parser = Parser::default();
    let mut last: Option<Record> = None;
    while !errors.is_full() {
        let Some(record) = records.next_record(&mut errors)? else { break };
        if errors.is_full() {
            break;
        }
        parser.record(&record, &mut errors);
        for payment in parser.payments.drain(..) {
            emit(payment);
        }
        last = Some(record);
    }
    parser.finish(last.as_ref(), &mut errors);
    if !errors.0.is_empty() {
        return Ok(Err(errors.0));
    }
    Ok(Ok(BankFile {
        format: BankFormat::NetsOcr,
        version: None,
        created: parser.created,
        payments: Vec::new(),
        skipped: parser.skipped,
        accounts: parser.accounts,
    }))
}

#[derive(Default)]
struct Parser {
    started: bool,
    ended: bool,
    /// Every record so far, including 10 and 89, for the record 89 check.
    records: u64,
    transactions: u64,
    total: Decimal,
    assignment: Option<Assignment>,
    created: Option<NaiveDate>,
    payments: Vec<BankPayment>,
    skipped: Vec<Skipped>,
    /// The assignment accounts of the OCR giro assignments (record 20).
    accounts: Vec<String>,
}

struct Assignment {
    line: usize,
    service: Vec<u8>,
    /// Service code 09. Other assignments are only counted.
    ocr: bool,
    agreement: String,
    number: String,
    /// Including its 20 and 88 records.
    records: u64,
    transactions: u64,
    /// Signed sum of its items.
    total: Decimal,
    current: Option<Transaction>,
}

struct Transaction {
    line: usize,
    kind: u64,
    number: String,
    date: Option<NaiveDate>,
    negative: bool,
    amount: Decimal,
    kid: String,
    has_item2: bool,
    free_text: Option<String>,
}

impl Parser {
    fn record(&mut self, rec: &Record, errors: &mut Errors) {
        self.records += 1;
        if self.ended {
            errors.push(rec.location(), "record after the end-of-transmission record (89)");
            return;
        }
        if rec.field(1, 2) != b"NY" {
            errors.push(rec.location(), "record does not start with the format code NY");
            return;
        }
        let record_type = rec.field(7, 8);
        if !self.started && (rec.field(3, 4) != b"00" || record_type != b"10") {
            errors.push(rec.location(), "a Nets file starts with the start-of-transmission record NY000010");
            self.started = true;
        }
        if let Some(assignment) = self.assignment.as_mut() {
            assignment.records += 1;
            if !assignment.ocr && record_type != b"88" {
                return;
            }
        }
        match record_type {
            b"10" => {
                if self.started {
                    errors.push(rec.location(), "second start-of-transmission record (10)");
                }
                self.started = true;
            }
            b"20" => self.start_assignment(rec, errors),
            b"30" => self.item1(rec, errors),
            b"31" => self.item2(rec, errors),
            b"32" => self.item3(rec, errors),
            b"88" => self.end_assignment(rec, errors),
            b"89" => self.end_transmission(rec, errors),
            other => self.skipped.push(Skipped {
                location: rec.location(),
                reason: format!(
                    "record type {:?} is not in the OCR giro specification; ignored",
                    super::latin1(other)
                ),
            }),
        }
    }

    fn start_assignment(&mut self, rec: &Record, errors: &mut Errors) {
        if let Some(open) = &self.assignment {
            errors.push(
                rec.location(),
                format!("assignment starts before the one at line {} has its end record (88)", open.line),
            );
        }
        let service = rec.field(3, 4).to_vec();
        let ocr = service == b"09";
        if !ocr {
            self.skipped.push(Skipped {
                location: rec.location(),
                reason: format!(
                    "assignment with service code {:?} (not OCR giro, 09; 21 is AvtaleGiro) ignored",
                    super::latin1(&service)
                ),
            });
        }
        let account = rec.text(25, 35);
        if ocr && !account.is_empty() && !self.accounts.contains(&account) {
            self.accounts.push(account);
        }
        self.assignment = Some(Assignment {
            line: rec.line,
            service,
            ocr,
            agreement: rec.text(9, 17),
            number: rec.text(18, 24),
            records: 1,
            transactions: 0,
            total: Decimal::ZERO,
            current: None,
        });
    }

    fn item1(&mut self, rec: &Record, errors: &mut Errors) {
        self.finish_transaction(errors);
        let Some(assignment) = self.assignment.as_mut() else {
            errors.push(rec.location(), "amount item outside an assignment (no record 20)");
            return;
        };
        let kind = match rec.number(5, 6) {
            Some(kind @ 10..=21) => kind,
            _ => {
                errors.push(rec.location(), format!("transaction type {:?} is not 10–21", rec.text(5, 6)));
                0
            }
        };
        let date = super::date_ddmmyy(&rec.text(16, 21));
        if date.is_none() {
            errors.push(rec.location(), format!("Nets date {:?} is not DDMMYY", rec.text(16, 21)));
        }
        let negative = match rec.field(32, 32) {
            b"-" => true,
            b"0" | b" " | b"+" => false,
            other => {
                errors.push(
                    rec.location(),
                    format!("sign {:?} (position 32) is neither - nor 0", super::latin1(other)),
                );
                false
            }
        };
        let amount = rec.minor_units(33, 49).unwrap_or_else(|| {
            errors.push(
                rec.location(),
                format!("amount {:?} (positions 33–49) is not 17 digits", rec.text(33, 49)),
            );
            Decimal::ZERO
        });
        assignment.current = Some(Transaction {
            line: rec.line,
            kind,
            number: rec.text(9, 15),
            date,
            negative,
            amount,
            // Right-aligned and blank-filled; leading zeros are part of the KID.
            kid: rec.text(50, 74),
            has_item2: false,
            free_text: None,
        });
    }

    fn item2(&mut self, rec: &Record, errors: &mut Errors) {
        let Some(tx) = self.linked_transaction(rec, errors) else {
            return;
        };
        if tx.has_item2 {
            errors.push(rec.location(), "second amount item 2 (31) for the same transaction");
        }
        tx.has_item2 = true;
    }

    fn item3(&mut self, rec: &Record, errors: &mut Errors) {
        let Some(tx) = self.linked_transaction(rec, errors) else {
            return;
        };
        if !tx.has_item2 {
            errors.push(rec.location(), "amount item 3 (32) before amount item 2 (31)");
        }
        let text = rec.text(16, 55);
        tx.free_text = (!text.is_empty()).then_some(text);
    }

    /// The transaction that an item 2 or 3 continues: same number and type.
    fn linked_transaction(&mut self, rec: &Record, errors: &mut Errors) -> Option<&mut Transaction> {
        let tx = self.assignment.as_mut().and_then(|a| a.current.as_mut());
        let Some(tx) = tx else {
            errors.push(rec.location(), "amount item without an amount item 1 (30) before it");
            return None;
        };
        let number = rec.text(9, 15);
        if number != tx.number || rec.number(5, 6) != Some(tx.kind) {
            errors.push(
                rec.location(),
                format!(
                    "transaction {number:?} of type {:?} does not continue transaction {:?} of line {}",
                    rec.text(5, 6),
                    tx.number,
                    tx.line
                ),
            );
            return None;
        }
        Some(tx)
    }

    fn finish_transaction(&mut self, errors: &mut Errors) {
        let Some(assignment) = self.assignment.as_mut() else {
            return;
        };
        let Some(tx) = assignment.current.take() else {
            return;
        };
        if !tx.has_item2 {
            errors
                .push(line_location(tx.line), format!("transaction {} has no amount item 2 (31)", tx.number));
        }
        assignment.transactions += 1;
        let signed = if tx.negative { -tx.amount } else { tx.amount };
        assignment.total = assignment.total.checked_add(signed).unwrap_or(assignment.total);
        let Some(date) = tx.date else {
            return;
        };
        let shown = format!("{signed} NOK{}", kid_note(&tx.kid));
        let skip = |reason: String| Skipped { location: line_location(tx.line), reason };
        if matches!(tx.kind, 18 | 20) {
            self.skipped.push(skip(format!(
                "reversal (transaction type {}) of {shown}: terminal information, not a payment",
                tx.kind
            )));
        } else if tx.negative {
            self.skipped.push(skip(format!(
                "negative amount {shown} (sign -): deducted from the settlement, not an incoming payment"
            )));
        } else if tx.amount.is_zero() {
            self.skipped.push(skip(format!("amount of 0.00{}: nothing to match", kid_note(&tx.kid))));
        } else {
            self.payments.push(BankPayment {
                txid: format!(
                    "NETS-{}-{}-{}-{}",
                    assignment.agreement,
                    assignment.number,
                    date.format("%Y%m%d"),
                    tx.number
                ),
                date,
                amount: tx.amount,
                currency: Some("NOK".to_string()),
                references: if tx.kid.is_empty() { vec![] } else { vec![tx.kid.clone()] },
                reference_amounts: if tx.kid.is_empty() { vec![] } else { vec![None] },
                message: tx.free_text,
                payer: None,
                location: line_location(tx.line),
            });
        }
    }

    fn end_assignment(&mut self, rec: &Record, errors: &mut Errors) {
        self.finish_transaction(errors);
        let Some(assignment) = self.assignment.take() else {
            errors.push(rec.location(), "end-of-assignment record (88) without a start (20)");
            return;
        };
        if rec.field(3, 4) != assignment.service.as_slice() {
            errors.push(
                rec.location(),
                format!(
                    "end record has service code {:?}, the assignment at line {} {:?}",
                    rec.text(3, 4),
                    assignment.line,
                    super::latin1(&assignment.service)
                ),
            );
        }
        let stated_transactions = rec.number(9, 16);
        let stated_total = rec.minor_units(25, 41);
        if assignment.ocr {
            check_count(rec, errors, (9, 16), assignment.transactions, "transactions");
            check_count(rec, errors, (17, 24), assignment.records, "records");
            check_total(rec, errors, assignment.total);
            self.transactions += assignment.transactions;
            self.total = self.total.checked_add(assignment.total).unwrap_or(self.total);
        } else {
            // Not read item by item: trust its own totals for record 89.
            check_count(rec, errors, (17, 24), assignment.records, "records");
            self.transactions += stated_transactions.unwrap_or(0);
            let total = stated_total.unwrap_or_default();
            self.total = self.total.checked_add(total).unwrap_or(self.total);
        }
    }

    fn end_transmission(&mut self, rec: &Record, errors: &mut Errors) {
        if let Some(open) = self.assignment.take() {
            errors.push(rec.location(), format!("assignment at line {} has no end record (88)", open.line));
        }
        self.ended = true;
        check_count(rec, errors, (9, 16), self.transactions, "transactions");
        check_count(rec, errors, (17, 24), self.records, "records");
        check_total(rec, errors, self.total);
        self.created = super::date_ddmmyy(&rec.text(42, 47));
    }

    fn finish(&mut self, last: Option<&Record>, errors: &mut Errors) {
        let Some(last) = last else {
            errors.push("line 1", "empty file: no Nets records");
            return;
        };
        if errors.is_full() {
            return;
        }
        if let Some(open) = &self.assignment {
            errors.push(line_location(open.line), "assignment has no end record (88) (file truncated?)");
        }
        if !self.ended {
            errors
                .push(last.location(), "file ends without the end-of-transmission record (89) (truncated?)");
        }
    }
}

fn kid_note(kid: &str) -> String {
    if kid.is_empty() { String::new() } else { format!(", KID {kid}") }
}

fn check_count(rec: &Record, errors: &mut Errors, at: (usize, usize), counted: u64, what: &str) {
    match rec.number(at.0, at.1) {
        Some(stated) if stated == counted => {}
        Some(stated) => {
            errors.push(rec.location(), format!("end record says {stated} {what}, the file has {counted}"))
        }
        None => errors
            .push(rec.location(), format!("number of {what} {:?} is not a number", rec.text(at.0, at.1))),
    }
}

fn check_total(rec: &Record, errors: &mut Errors, counted: Decimal) {
    match rec.minor_units(25, 41) {
        Some(stated) if stated == counted => {}
        Some(stated) => errors.push(
            rec.location(),
            format!("end record total {stated} is not the net sum of the items, {counted}"),
        ),
        None => errors.push(rec.location(), format!("total amount {:?} is not 17 digits", rec.text(25, 41))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::bank::testing::{day, dec, fixture, sample};
    use proptest::prelude::*;

    fn parse_ok(bytes: &[u8]) -> BankFile {
        parse_nets_ocr(bytes).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// Checks (transaction no, amount, KID) for every payment, and the fixed fields.
    fn assert_payments(file: &BankFile, id_prefix: &str, date: NaiveDate, rows: &[(u32, &str, &str)]) {
        assert_eq!(file.payments.len(), rows.len(), "{:#?}", file.payments);
        for (p, (tx, amount, kid)) in file.payments.iter().zip(rows) {
            assert_eq!(p.txid, format!("{id_prefix}-{}-{tx:07}", date.format("%Y%m%d")));
            assert_eq!(p.amount, dec(amount), "tx {tx}");
            assert_eq!(p.references, vec![kid.to_string()], "tx {tx}");
            assert_eq!(p.reference_amounts, vec![None], "tx {tx}");
            assert_eq!(p.date, date);
            assert_eq!(p.currency.as_deref(), Some("NOK"));
            assert_eq!(p.payer, None);
        }
    }

    #[test]
    fn sample_manual_example_otovo() {
        let file = parse_ok(&sample("ocr-nets-manual-example-otovo.txt"));
        assert_eq!(file.format, BankFormat::NetsOcr);
        assert_eq!(file.created, Some(day(1992, 1, 20)));
        assert!(file.skipped.is_empty(), "{:?}", file.skipped);
        let rows = [
            (1, "1020.00", "0000531"),
            (2, "1020.00", "0036633"),
            (3, "560.00", "0048763"),
            (4, "1020.00", "0063851"),
            (5, "1020.00", "0120243"),
            (6, "560.00", "0165867"),
            (7, "1020.00", "0178357"),
            (8, "1500.00", "02212291038306"),
            (9, "1200.00", "02311291038304"),
            (10, "550.00", "02310291038308"),
            (11, "1943.00", "000149012"),
            (12, "1000.00", "01211291038306"),
            (13, "500.00", "02111291038305"),
            (14, "20500.00", "02321291038303"),
            (15, "5500.00", "02331291038302"),
            (16, "10500.00", "02341291038301"),
            (17, "644.00", "02358291038305"),
            (18, "564.00", "02311291029238"),
            (19, "288.00", "02311291034832"),
            (20, "540.00", "02311291133188"),
        ];
        assert_payments(&file, "NETS-001008566-0000002", day(1992, 1, 20), &rows);
        assert_eq!(file.payments[0].message.as_deref(), Some("Foo bar baz"));
        assert_eq!(file.payments[0].location, "line 3");
        assert_eq!(file.payments[1].location, "line 6");
        assert!(file.payments[1..].iter().all(|p| p.message.is_none()));
        let sum: Decimal = file.payments.iter().map(|p| p.amount).sum();
        assert_eq!(sum, dec("51449.00"));
    }

    #[test]
    fn sample_systemspesifikasjon_with_negative_items() {
        let file = parse_ok(&sample("ocr-nets-systemspesifikasjon-example.txt"));
        assert_eq!(file.created, Some(day(2004, 3, 24)));
        let rows = [
            (1, "440.00", "33000083672049"),
            (2, "80.00", "33000158843046"),
            (3, "1500.00", "33000163680003"),
            (4, "1500.00", "33000164573025"),
            (5, "3500.00", "33000167698019"),
            (6, "1600.00", "33000170130034"),
            (7, "1200.00", "33000173783060"),
            (8, "900.00", "01000000258037"),
            (9, "100.00", "01000000368026"),
            (10, "1750.00", "01000000407048"),
            (11, "1500.00", "01000000488022"),
            (12, "150.00", "01000000608025"),
            (13, "360.00", "01000000717040"),
            (14, "600.00", "01000000768035"),
            (18, "300.00", "44000000380020"),
            (19, "100.00", "44000000560084"),
            (20, "150.00", "44000000640092"),
            (21, "450.00", "44000000730042"),
            (22, "750.00", "44000001060027"),
            (23, "850.00", "44000001100070"),
        ];
        assert_payments(&file, "NETS-001767676-0000001", day(2004, 3, 24), &rows);
        let skipped: Vec<(&str, &str)> =
            file.skipped.iter().map(|s| (s.location.as_str(), s.reason.as_str())).collect();
        let reason = |amount: &str, kid: &str| {
            format!(
                "negative amount -{amount} NOK, KID {kid} (sign -): deducted from the settlement, not an incoming payment"
            )
        };
        assert_eq!(
            skipped,
            vec![
                ("line 31", reason("250.00", "44000366370078").as_str()),
                ("line 33", reason("400.00", "44000366980090").as_str()),
                ("line 35", reason("1500.00", "44000007860156").as_str()),
            ]
        );
        let sum: Decimal = file.payments.iter().map(|p| p.amount).sum();
        assert_eq!(sum, dec("17780.00"));
    }

    #[test]
    fn fixture_negative_amount_reversal_and_free_text() {
        let file = parse_ok(&fixture("nets-negative-amount.txt"));
        assert_eq!(file.created, Some(day(2024, 3, 15)));
        assert_eq!(file.payments.len(), 2, "{:#?}", file.payments);
        let p = &file.payments[0];
        assert_eq!(p.txid, "NETS-000123456-0000042-20240315-0000001");
        assert_eq!(p.amount, dec("1500.00"));
        assert_eq!(p.references, vec!["0012345674"]);
        assert_eq!(p.location, "line 3");
        let p = &file.payments[1];
        assert_eq!(p.txid, "NETS-000123456-0000042-20240315-0000003");
        assert_eq!(p.amount, dec("120.00"));
        assert!(p.references.is_empty());
        assert_eq!(p.message.as_deref(), Some("Bløtkake og kaffe, hilsen Åse"));
        assert_eq!(file.skipped.len(), 2);
        assert_eq!(file.skipped[0].location, "line 5");
        assert!(file.skipped[0].reason.starts_with("negative amount -250.00 NOK, KID 0023456781"));
        assert_eq!(file.skipped[1].location, "line 10");
        assert!(file.skipped[1].reason.starts_with("reversal (transaction type 18) of 100.00 NOK"));
    }

    fn sample_lines(name: &str) -> Vec<String> {
        String::from_utf8_lossy(&sample(name)).lines().map(str::to_string).collect()
    }

    fn errors_of(lines: &[String]) -> Vec<String> {
        match parse_nets_ocr(lines.join("\n").as_bytes()) {
            Ok(file) => panic!("accepted: {} payments", file.payments.len()),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn malformed_lines_are_rejected_with_their_line_number() {
        let mut lines = sample_lines("ocr-nets-manual-example-otovo.txt");
        // Amount of transaction 2 (line 6) gets a letter.
        lines[5].replace_range(40..41, "X");
        let errors = errors_of(&lines);
        assert_eq!(errors[0], "line 6: amount \"00000000X00102000\" (positions 33–49) is not 17 digits");

        let mut lines = sample_lines("ocr-nets-manual-example-otovo.txt");
        lines[5].replace_range(31..32, "*");
        assert_eq!(errors_of(&lines)[0], "line 6: sign \"*\" (position 32) is neither - nor 0");

        let mut lines = sample_lines("ocr-nets-manual-example-otovo.txt");
        lines.remove(6); // item 2 of transaction 2
        let errors = errors_of(&lines);
        assert_eq!(errors[0], "line 6: transaction 0000002 has no amount item 2 (31)");

        let mut lines = sample_lines("ocr-nets-manual-example-otovo.txt");
        lines.pop();
        assert_eq!(
            errors_of(&lines),
            vec!["line 44: file ends without the end-of-transmission record (89) (truncated?)"]
        );
    }

    #[test]
    fn end_record_totals_are_checked() {
        let mut lines = sample_lines("ocr-nets-systemspesifikasjon-example.txt");
        // Make item 15 positive: the net totals in 88 and 89 no longer agree.
        lines[30].replace_range(31..32, "0");
        let errors = errors_of(&lines);
        assert_eq!(
            errors,
            vec![
                "line 49: end record total 15630.00 is not the net sum of the items, 16130.00",
                "line 50: end record total 15630.00 is not the net sum of the items, 16130.00",
            ]
        );
    }

    #[test]
    fn no_terminators_and_avtalegiro_assignment() {
        let lines = sample_lines("ocr-nets-manual-example-otovo.txt");
        let mut framed: Vec<String> = lines[..lines.len() - 1].to_vec();
        // An AvtaleGiro assignment with 1 transaction of 2 records, NOK 10.00.
        framed.push(format!("{:0<80}", "NY210020000000001000000799999999999"));
        framed.push(format!("{:0<80}", "NY2102300000001"));
        framed.push(format!("{:0<80}", "NY2102310000001"));
        framed.push(format!("{:0<80}", "NY210088000000010000000400000000000001000"));
        framed.push(format!("{:0<80}", "NY000089000000210000004900000000005145900200192"));
        let file = parse_ok(framed.concat().as_bytes());
        assert_eq!(file.payments.len(), 20);
        assert_eq!(file.skipped.len(), 1);
        assert!(file.skipped[0].reason.contains("\"21\""), "{:?}", file.skipped);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_nets_ocr(&bytes);
        }

        #[test]
        fn never_panics_on_mutated_samples(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        ) {
            let mut bytes = sample("ocr-nets-manual-example-otovo.txt");
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let _ = parse_nets_ocr(&bytes);
        }

        /// Damaged anywhere, a file read as a stream is rejected exactly when the whole-file
        /// parser rejects it, and otherwise gives the same payments and everything else.
        #[test]
        fn a_mutated_sample_streams_as_it_parses(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            name in prop::sample::select(vec![
                "ocr-nets-manual-example-otovo.txt",
                "ocr-nets-systemspesifikasjon-example.txt",
            ]),
        ) {
            let mut bytes = sample(name);
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let whole = parse_nets_ocr(&bytes);
            let streamed = streamed(&bytes);
            prop_assert_eq!(whole.is_ok(), streamed.is_ok(), "{:?}", whole);
            if let (Ok(whole), Ok(streamed)) = (whole, streamed) {
                let mut ids: Vec<&str> = streamed.payments.iter().map(|p| p.txid.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                // A repeated id is renamed by the whole-file parser only; the import then reads
                // the file whole.
                if ids.len() == streamed.payments.len() {
                    prop_assert_eq!(streamed, whole);
                }
            }
        }
    }

    /// The file as `dun import` streams it: the payments, in order, and everything else.
    fn streamed(bytes: &[u8]) -> Result<BankFile, Vec<BankError>> {
        let framing = crate::io::bank::Framing::of(bytes).unwrap();
        let mut payments = Vec::new();
        let mut file = stream_nets_ocr(bytes, &framing, &mut |p| payments.push(p)).unwrap()?;
        file.payments = payments;
        Ok(file)
    }

    /// Read as a stream, every sample and fixture (and UTF-8, unterminated and relined copies)
    /// gives what the whole-file parser gives; a broken file is rejected too.
    #[test]
    fn a_streamed_file_gives_what_the_whole_file_gives() {
        let original = sample("ocr-nets-manual-example-otovo.txt");
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(super::super::latin1(&original).as_bytes());
        let lines = sample_lines("ocr-nets-systemspesifikasjon-example.txt");
        let unterminated: String = lines.iter().map(|l| format!("{l:80}")).collect();
        let files = [
            original,
            utf8,
            sample("ocr-nets-systemspesifikasjon-example.txt"),
            fixture("nets-negative-amount.txt"),
            lines.join("\r").into_bytes(),
            unterminated.into_bytes(),
        ];
        for bytes in files {
            let whole = parse_ok(&bytes);
            assert!(!whole.payments.is_empty());
            assert_eq!(streamed(&bytes).unwrap(), whole);
        }
        let mut lines = sample_lines("ocr-nets-manual-example-otovo.txt");
        lines[5].replace_range(40..41, "X");
        assert!(streamed(lines.join("\n").as_bytes()).is_err());
        lines.truncate(8);
        lines[5] = sample_lines("ocr-nets-manual-example-otovo.txt")[5].clone();
        assert!(streamed(lines.join("\n").as_bytes()).is_err());
    }
}
