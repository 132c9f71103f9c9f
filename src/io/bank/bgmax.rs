//! Bankgirot BgMax ("Bankgiro Inbetalningar"), layout version 01.
//!
//! Positions follow the technical manual (November 2019), as transcribed in
//! `docs/reference/bank-formats.md` §1. Decisions where the manual leaves room:
//!
//! - **Deductions (TK21)** reduce the deposit; they are tied to a payer, not to a
//!   particular payment, and carry the reference of what is deducted (typically a
//!   credit note). They are not incoming money, so each goes to `skipped` with
//!   its amount and references, together with its own TK22/TK23 records.
//! - **References** follow the reference code at position 56: codes 2 and 4 are
//!   verified references and go to `references`; codes 3 and 5 (and reserved
//!   6–9) are what the payer typed and go to `message`, so that `references`
//!   holds only references Bankgirot checked. TK22/TK23 amounts become
//!   `reference_amounts` (TK23 negative); an amount of 0 means "not split" and
//!   becomes `None`.
//! - **Currency sections** other than SEK (pre-2016 files have EUR) are imported
//!   with their currency, not skipped: the currency is data for the matcher.
//! - **Transaction id**: BgMax has no single transaction id. The id is
//!   `BG<payee bankgiro>-<payment date>-<deposit serial>-<BGC serial>`: the
//!   deposit serial is unique per bankgiro and year, the BGC serial (unique for
//!   two years) tells the payments of a deposit apart. A blank or zero BGC serial
//!   falls back to the payment's position in the section, `p<n>`.
//! - A **test file** (TK01 test mark `T`) is rejected: its payments are not real.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    BankError, BankFile, BankFormat, BankPayment, Errors, Record, Skipped, date_yyyymmdd, frame_records,
    join_chunks, line_location,
};

/// Parses a BgMax file (ISO-8859-1, any or no line terminators).
pub fn parse_bgmax(bytes: &[u8]) -> Result<BankFile, Vec<BankError>> {
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
    // Deductions are listed when their section closes; put everything in file order.
    parser.skipped.sort_by_key(|(line, _)| *line);
    errors.finish(BankFile {
        format: BankFormat::BgMax,
        version: parser.version,
        created: parser.created,
        payments: parser.payments,
        skipped: parser.skipped.into_iter().map(|(_, s)| s).collect(),
        accounts: parser.accounts,
    })
}

/// [`parse_bgmax`] of a file read as a stream (see `super::stream`): each payment goes to
/// `emit` when its section (deposit) closes, in file order, without
/// `super::make_txids_unique`'s renaming (the caller checks the ids are unique); what else
/// the file holds is returned with `payments` empty. Any error rejects the whole file, so
/// `emit` must not act on what it got before the result says `Ok`; the errors (framing ones
/// among parsing ones as they come) are for telling that there are some; the whole-file
/// parser lists them in its order.
///
/// `open` gives a fresh reader of the file; it is read twice: first for each deposit's date
/// and serial (TK15, after its payments), so that each payment can go as soon as its records
/// are read instead of with its whole deposit (a day's payments).
pub fn stream_bgmax<R: std::io::Read>(
    open: &dyn Fn() -> std::io::Result<R>,
    framing: &super::stream::Framing,
    emit: &mut dyn FnMut(BankPayment),
) -> std::io::Result<Result<BankFile, Vec<BankError>>> {
    let mut errors = Errors::default();
    let deposits = deposits_of(open()?, framing)?;
    let mut records = super::stream::Records::new(open()?, framing)?;
    let mut parser = Parser { deposits: Some(deposits.into_iter()), ..Parser::default() };
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
    parser.skipped.sort_by_key(|(line, _)| *line);
    if !errors.0.is_empty() {
        return Ok(Err(errors.0));
    }
    Ok(Ok(BankFile {
        format: BankFormat::BgMax,
        version: parser.version,
        created: parser.created,
        payments: Vec::new(),
        skipped: parser.skipped.into_iter().map(|(_, s)| s).collect(),
        accounts: parser.accounts,
    }))
}

/// Each TK15's payment date and deposit serial, in file order (those that read as such).
fn deposits_of<R: std::io::Read>(
    reader: R,
    framing: &super::stream::Framing,
) -> std::io::Result<Vec<(NaiveDate, String)>> {
    let mut records = super::stream::Records::new(reader, framing)?;
    let mut ignored = Errors::default();
    let mut deposits = Vec::new();
    while let Some(rec) = records.next_record(&mut ignored)? {
        ignored.0.clear();
        if rec.field(1, 2) == b"15"
            && let Some(date) = date_yyyymmdd(&rec.text(38, 45))
        {
            deposits.push((date, rec.text(46, 50)));
        }
    }
    Ok(deposits)
}

#[derive(Default)]
struct Parser {
    /// When known before the sections are read ([`stream_bgmax`]): each one's deposit date
    /// and serial, so its payments are finished one by one, not held until its TK15.
    deposits: Option<std::vec::IntoIter<(NaiveDate, String)>>,
    started: bool,
    ended: bool,
    version: Option<String>,
    created: Option<NaiveDate>,
    section: Option<Section>,
    counts: Counts,
    payments: Vec<BankPayment>,
    skipped: Vec<(usize, Skipped)>,
    /// The payee bankgiros of the TK05 records.
    accounts: Vec<String>,
}

/// Records counted for the TK70 check.
#[derive(Default)]
struct Counts {
    payments: u64,
    deductions: u64,
    extra_references: u64,
    deposits: u64,
}

/// An "avsnitt": TK05, its payments and deductions, closed by TK15.
struct Section {
    line: usize,
    bankgiro: String,
    currency: String,
    /// The items not finished yet: all of them, or (the deposit known) the last one only.
    items: Vec<Item>,
    /// Σ TK20 − Σ TK21 so far (`None` past the largest amount), and how many items.
    net: Option<Decimal>,
    records: u64,
    /// Payments (not deductions) finished so far, for the `p<n>` ids.
    ordinal: usize,
    /// The deposit's date and serial, when known before its TK15.
    deposit: Option<(NaiveDate, String)>,
}

/// A TK20 payment or TK21 deduction with the records that belong to it.
struct Item {
    line: usize,
    /// `Some(deduction code)` for a TK21.
    deduction: Option<char>,
    amount: Decimal,
    bgc_serial: String,
    references: Vec<String>,
    reference_amounts: Vec<Option<Decimal>>,
    free_text: Vec<String>,
    info: Vec<String>,
    payer: Option<String>,
}

/// What the reference field holds, by reference code (manual table, §1.4).
enum Reference {
    Blank,
    Verified(String),
    Typed(String),
}

impl Parser {
    fn record(&mut self, rec: &Record, errors: &mut Errors) {
        let code = rec.field(1, 2);
        if self.ended {
            errors.push(rec.location(), "record after the TK70 end record");
            return;
        }
        if !self.started && code != b"01" {
            errors.push(rec.location(), "a BgMax file starts with a TK01 start record");
            // Go on as if it had one, to report the rest of the file's errors too.
            self.started = true;
        }
        match code {
            b"01" => self.start(rec, errors),
            b"05" => self.open_section(rec, errors),
            b"20" | b"21" => self.payment(rec, errors),
            b"22" | b"23" => self.extra_reference(rec, errors),
            b"25" => {
                if let Some(item) = self.current_item(rec, errors) {
                    item.info.push(rec.raw_text(3, 52));
                }
            }
            b"26" => {
                if let Some(item) = self.current_item(rec, errors) {
                    let name = [rec.text(3, 37), rec.text(38, 72)]
                        .into_iter()
                        .filter(|part| !part.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if item.payer.is_none() && !name.is_empty() {
                        item.payer = Some(name);
                    }
                }
            }
            // Address and organisation number: known, belong to the payment, not needed.
            b"27" | b"28" | b"29" => {
                let _ = self.current_item(rec, errors);
            }
            b"15" => self.deposit(rec, errors),
            b"70" => self.end(rec, errors),
            other if other.iter().all(u8::is_ascii_digit) => self.skipped.push((
                rec.line,
                Skipped {
                    location: rec.location(),
                    reason: format!(
                        "record type {:?} is not in BgMax 01; ignored, as the manual requires of readers",
                        super::latin1(other)
                    ),
                },
            )),
            // Not a transaction code at all: the file is damaged, not extended.
            other => errors.push(
                rec.location(),
                format!("{:?} is not a two-digit transaction code", super::latin1(other)),
            ),
        }
    }

    fn start(&mut self, rec: &Record, errors: &mut Errors) {
        if self.started {
            errors.push(rec.location(), "second TK01 start record");
            return;
        }
        self.started = true;
        let layout = rec.text(3, 22);
        if layout != "BGMAX" {
            errors.push(rec.location(), format!("layout name is {layout:?}, not \"BGMAX\""));
        }
        let version = rec.text(23, 24);
        if version != "01" {
            errors.push(rec.location(), format!("layout version {version:?} is not supported (only 01)"));
        }
        self.version = Some(version);
        self.created = date_yyyymmdd(&rec.text(25, 32));
        if self.created.is_none() {
            errors.push(rec.location(), format!("write timestamp {:?} is not CCYYMMDD…", rec.text(25, 44)));
        }
        match rec.field(45, 45) {
            b"P" => {}
            b"T" => errors
                .push(rec.location(), "this is a test file (TK01 test mark T): its payments are not real"),
            other => errors
                .push(rec.location(), format!("test mark {:?} is neither P nor T", super::latin1(other))),
        }
    }

    fn open_section(&mut self, rec: &Record, errors: &mut Errors) {
        if let Some(open) = &self.section {
            errors.push(
                rec.location(),
                format!(
                    "TK05 opens a section before the one opened at line {} was closed by TK15",
                    open.line
                ),
            );
        }
        let bankgiro = rec.text(3, 12);
        if bankgiro.is_empty() || !bankgiro.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(rec.location(), format!("payee bankgiro {bankgiro:?} is not a number"));
        }
        let currency = rec.text(23, 25);
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            errors.push(rec.location(), format!("currency {currency:?} is not a currency code"));
        }
        if !self.accounts.contains(&bankgiro) {
            self.accounts.push(bankgiro.clone());
        }
        let deposit = self.deposits.as_mut().and_then(Iterator::next);
        self.section = Some(Section {
            line: rec.line,
            bankgiro,
            currency,
            items: Vec::new(),
            net: Some(Decimal::ZERO),
            records: 0,
            ordinal: 0,
            deposit,
        });
    }

    fn payment(&mut self, rec: &Record, errors: &mut Errors) {
        let deduction = rec.field(1, 2) == b"21";
        if deduction {
            self.counts.deductions += 1;
        } else {
            self.counts.payments += 1;
        }
        let Some(section) = self.section.as_mut() else {
            errors.push(rec.location(), "payment record outside a section (no TK05 before it)");
            return;
        };
        // An unreadable amount is reported; the item is kept (as 0) so that the
        // records after it are not reported again as orphans.
        let amount = amount_field(rec, errors).unwrap_or_default();
        let mut item = Item {
            line: rec.line,
            deduction: deduction.then(|| char::from(rec.field(71, 71)[0])),
            amount,
            bgc_serial: rec.text(58, 69),
            references: Vec::new(),
            reference_amounts: Vec::new(),
            free_text: Vec::new(),
            info: Vec::new(),
            payer: None,
        };
        match reference_field(rec, errors) {
            Some(Reference::Verified(reference)) => {
                item.references.push(reference);
                // The whole payment amount is the file's only amount for it.
                item.reference_amounts.push(None);
            }
            Some(Reference::Typed(text)) => item.free_text.push(text),
            Some(Reference::Blank) | None => {}
        }
        section.net = section.net.and_then(|net| {
            if item.deduction.is_some() { net.checked_sub(item.amount) } else { net.checked_add(item.amount) }
        });
        section.records += 1;
        section.items.push(item);
        // The deposit known, the item before this one has all its records.
        if let Some((date, serial)) = section.deposit.clone()
            && section.items.len() > 1
        {
            let done = section.items.remove(0);
            finish_item(section, done, date, &serial, &mut self.payments, &mut self.skipped);
        }
    }

    fn extra_reference(&mut self, rec: &Record, errors: &mut Errors) {
        self.counts.extra_references += 1;
        let negative = rec.field(1, 2) == b"23";
        let amount = amount_field(rec, errors);
        let reference = reference_field(rec, errors);
        let Some(item) = self.current_item(rec, errors) else {
            return;
        };
        // 0 means the payee has no extended form registration: the split is unknown.
        let amount = amount.filter(|a| !a.is_zero()).map(|a| if negative { -a } else { a });
        match reference {
            Some(Reference::Verified(reference)) => {
                item.references.push(reference);
                item.reference_amounts.push(amount);
            }
            Some(Reference::Typed(text)) => item.free_text.push(text),
            Some(Reference::Blank) | None => {}
        }
    }

    /// The payment or deduction that TK22–29 records belong to.
    fn current_item(&mut self, rec: &Record, errors: &mut Errors) -> Option<&mut Item> {
        let item = self.section.as_mut().and_then(|s| s.items.last_mut());
        if item.is_none() {
            errors.push(
                rec.location(),
                format!(
                    "TK{} record without a TK20 payment or TK21 deduction before it",
                    super::latin1(rec.field(1, 2))
                ),
            );
        }
        item
    }

    fn deposit(&mut self, rec: &Record, errors: &mut Errors) {
        self.counts.deposits += 1;
        let Some(section) = self.section.take() else {
            errors.push(rec.location(), "TK15 deposit record without a TK05 opening record");
            return;
        };
        let date = date_yyyymmdd(&rec.text(38, 45));
        if date.is_none() {
            errors.push(rec.location(), format!("payment date {:?} is not CCYYMMDD", rec.text(38, 45)));
        }
        let serial = rec.text(46, 50);
        if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(rec.location(), format!("deposit serial number {serial:?} is not a number"));
        }
        check_deposit(rec, &section, errors);
        if let Some(known) = &section.deposit
            && date.is_some_and(|d| (d, serial.as_str()) != (known.0, known.1.as_str()))
        {
            errors.push(rec.location(), "deposit date or serial differs from the first read of the file");
        }
        if let Some(date) = date {
            self.close_section(section, date, &serial);
        }
    }

    fn close_section(&mut self, mut section: Section, date: NaiveDate, deposit_serial: &str) {
        for item in std::mem::take(&mut section.items) {
            finish_item(&mut section, item, date, deposit_serial, &mut self.payments, &mut self.skipped);
        }
    }

    fn end(&mut self, rec: &Record, errors: &mut Errors) {
        if let Some(open) = self.section.take() {
            errors.push(
                rec.location(),
                format!("TK70 end record while the section opened at line {} has no TK15", open.line),
            );
        }
        self.ended = true;
        let checks = [
            (3, 10, self.counts.payments, "payment records (TK20)"),
            (11, 18, self.counts.deductions, "deduction records (TK21)"),
            (19, 26, self.counts.extra_references, "extra reference records (TK22/23)"),
            (27, 34, self.counts.deposits, "deposit records (TK15)"),
        ];
        for (from, to, counted, what) in checks {
            match rec.number(from, to) {
                Some(stated) if stated == counted => {}
                Some(stated) => {
                    errors.push(rec.location(), format!("TK70 says {stated} {what}, the file has {counted}"))
                }
                None => errors.push(
                    rec.location(),
                    format!("TK70 count of {what} (positions {from}–{to}) is not a number"),
                ),
            }
        }
    }

    fn finish(&mut self, last: Option<&Record>, errors: &mut Errors) {
        let Some(last) = last else {
            errors.push("line 1", "empty file: no BgMax records");
            return;
        };
        if errors.is_full() {
            return;
        }
        if let Some(open) = &self.section {
            errors.push(line_location(open.line), "section has no TK15 deposit record (file truncated?)");
        }
        if !self.ended {
            errors.push(last.location(), "file ends without the TK70 end record (truncated?)");
        }
    }
}

/// A payment or deduction with all its records, of a deposit of `date` and `deposit_serial`:
/// a payment to `payments`, a deduction or a payment of nothing to `skipped`.
fn finish_item(
    section: &mut Section,
    item: Item,
    date: NaiveDate,
    deposit_serial: &str,
    payments: &mut Vec<BankPayment>,
    skipped: &mut Vec<(usize, Skipped)>,
) {
    let location = line_location(item.line);
    if let Some(code) = item.deduction {
        let amount_text = format!("{} {}", item.amount, section.currency);
        let reason = deduction_reason(&item, &amount_text, code);
        skipped.push((item.line, Skipped { location, reason }));
        return;
    }
    section.ordinal += 1;
    if item.amount.is_zero() {
        let reason = "payment of 0.00: nothing to match".to_string();
        skipped.push((item.line, Skipped { location, reason }));
        return;
    }
    let serial = if item.bgc_serial.bytes().all(|b| b == b'0') {
        format!("p{}", section.ordinal)
    } else {
        item.bgc_serial.clone()
    };
    let message = join_message(&item);
    payments.push(BankPayment {
        txid: format!("BG{}-{}-{deposit_serial}-{serial}", section.bankgiro, date.format("%Y%m%d")),
        date,
        amount: item.amount,
        currency: Some(section.currency.clone()),
        references: item.references,
        reference_amounts: item.reference_amounts,
        message,
        payer: item.payer,
        location,
    });
}

/// TK15 must agree with the section: Σ TK20 − Σ TK21, the record count, the currency.
fn check_deposit(rec: &Record, section: &Section, errors: &mut Errors) {
    match (rec.minor_units(51, 68), section.net) {
        (Some(stated), Some(net)) if stated == net => {}
        (Some(stated), Some(net)) => errors.push(
            rec.location(),
            format!("deposit amount {stated} is not the payments less deductions, {net}"),
        ),
        _ => errors.push(rec.location(), format!("deposit amount {:?} is not 18 digits", rec.text(51, 68))),
    }
    let records = section.records;
    match rec.number(72, 79) {
        Some(stated) if stated == records => {}
        Some(stated) => errors.push(
            rec.location(),
            format!("TK15 says {stated} payment and deduction records, the section has {records}"),
        ),
        None => errors.push(rec.location(), format!("record count {:?} is not a number", rec.text(72, 79))),
    }
    let currency = rec.text(69, 71);
    if currency != section.currency {
        errors.push(
            rec.location(),
            format!(
                "deposit currency {currency:?} differs from the section's {:?} (TK05 at line {})",
                section.currency, section.line
            ),
        );
    }
}

fn amount_field(rec: &Record, errors: &mut Errors) -> Option<Decimal> {
    let amount = rec.minor_units(38, 55);
    if amount.is_none() {
        errors.push(
            rec.location(),
            format!("amount {:?} (positions 38–55) is not 18 digits", rec.text(38, 55)),
        );
    }
    amount
}

fn reference_field(rec: &Record, errors: &mut Errors) -> Option<Reference> {
    let code = rec.field(56, 56)[0];
    if !code.is_ascii_digit() {
        errors.push(
            rec.location(),
            format!("reference code {:?} (position 56) is not a digit", char::from(code)),
        );
        return None;
    }
    let text = rec.text(13, 37);
    Some(if text.is_empty() {
        Reference::Blank
    } else if matches!(code, b'2' | b'4') {
        Reference::Verified(text)
    } else {
        // 3: typed by the payer; 5: failed the check; 0/1 should be blank; 6–9 reserved.
        Reference::Typed(text)
    })
}

/// Free-text references first, then the TK25 information lines (50 wide).
fn join_message(item: &Item) -> Option<String> {
    let parts: Vec<String> = item.free_text.iter().cloned().chain(join_chunks(&item.info, &[50])).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn deduction_reason(item: &Item, amount: &str, code: char) -> String {
    let mut reason = format!("TK21 deduction of {amount}");
    if let Some(payer) = &item.payer {
        reason.push_str(&format!(" from {payer}"));
    }
    let mut refs = item.references.clone();
    refs.extend(item.free_text.iter().cloned());
    if !refs.is_empty() {
        reason.push_str(&format!(" (reference {})", refs.join(", ")));
    }
    let kind = match code {
        '0' => "full, no remainder",
        '1' => "partial, remainder left",
        '2' => "final partial",
        _ => "unknown deduction code",
    };
    reason.push_str(&format!(", {kind}: it reduces the deposit and is not an incoming payment"));
    reason
}

#[cfg(test)]
mod tests;
