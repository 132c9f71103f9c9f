//! SPEC §3: the ledger's CSV files, field by field: column aliases, typed fields with errors
//! that name file, line, column and the offending text, and defaults from the policy. Which
//! header is which column is decided in `columns` (aliases, presets, the policy's mapping).

use std::path::Path;

use anyhow::{Result, bail};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::columns::{FileKind, Reading, ValueFormat, read_header};
use super::source::{CsvSource, Dialect, Encoding, Fields};
use crate::core::blocks::{Blocks, merge_parts};
use crate::core::country::country_code;
use crate::core::date::parse_date;
use crate::core::finding::{FileReading, Finding, summarize};
use crate::core::ledger::CustomerIndex;
use crate::core::model::{
    Currency, Customer, CustomerBrief, CustomerDetails, CustomerKind, Discount, InvoiceRecord, Payment,
    Registered, Text, default_language, language_code,
};
use crate::core::money::{
    AmountError, format_money_grouped, parse_amount, parse_amount_with_decimal, parse_minor_units,
};
use crate::core::policy::{ColumnTable, Policy, TextEncoding};

mod specs;
pub use specs::*;

/// The dialect a policy table fixes.
pub fn dialect_of(table: Option<&ColumnTable>) -> Dialect {
    Dialect {
        delimiter: table.and_then(|t| t.delimiter),
        encoding: table.and_then(|t| t.encoding).map(|e| match e {
            TextEncoding::Utf8 => Encoding::Utf8,
            TextEncoding::Windows1252 => Encoding::Windows1252,
        }),
    }
}

/// Opens a ledger file and reads its header by the policy's `[columns.<file>]`, a preset, or
/// the aliases ([`read_header`]).
pub fn open_ledger_file(
    path: &Path,
    display: &str,
    kind: FileKind,
    policy: &Policy,
) -> Result<(CsvSource, Reading)> {
    let table = policy_table(policy, kind);
    let mut reading = None;
    let source = CsvSource::open_with(path, display, dialect_of(table), |raw| {
        let r = read_header(kind, display, specs_of(kind), raw, table)?;
        let index = r.index.clone();
        reading = Some(r);
        Ok(index)
    })?;
    let reading = reading.ok_or_else(|| anyhow::anyhow!("{display}:1: the header could not be read"))?;
    Ok((source, reading))
}

/// How a file was read, for `dun check` and the line every command prints.
pub fn file_reading(display: &str, reading: &Reading) -> Option<FileReading> {
    reading.describe().map(|how| FileReading {
        file: display.to_owned(),
        preset: reading.preset.map(|p| p.id.to_owned()),
        how,
    })
}

/// A field that failed its check; the finding is already recorded.
#[derive(Debug, Clone, Copy)]
pub struct Invalid;

/// Collects field errors for one record, naming the file, line and column.
pub struct RowCheck<'a> {
    pub file: &'a str,
    pub line: u64,
    pub findings: &'a mut Vec<Finding>,
}

impl RowCheck<'_> {
    fn fail(&mut self, column: &str, message: String) {
        self.findings.push(Finding::error(
            self.file.to_owned(),
            self.line,
            column.to_owned(),
            "bad-field",
            message,
        ));
    }

    pub fn text<'f>(&mut self, fields: &Fields<'f>, at: Option<usize>, column: &str) -> Option<&'f str> {
        let value = fields.get(at);
        if value.is_empty() {
            self.fail(column, "is empty".to_owned());
            return None;
        }
        Some(value)
    }

    pub fn date(&mut self, value: &str, column: &str) -> Option<NaiveDate> {
        parse_date(value).map_err(|e| self.fail(column, format!("\"{value}\" {e}"))).ok()
    }

    pub fn amount(&mut self, value: &str, column: &str) -> Option<Decimal> {
        parse_amount(value).map_err(|e| self.fail(column, format!("\"{value}\" {e}"))).ok()
    }

    pub fn optional_date(&mut self, value: &str, column: &str) -> Result<Option<NaiveDate>, Invalid> {
        if value.is_empty() { Ok(None) } else { self.date(value, column).map(Some).ok_or(Invalid) }
    }

    pub fn optional_amount(&mut self, value: &str, column: &str) -> Result<Option<Decimal>, Invalid> {
        if value.is_empty() { Ok(None) } else { self.amount(value, column).map(Some).ok_or(Invalid) }
    }

    /// A date written as the file's [`ValueFormat`] says.
    pub fn date_in(&mut self, value: &str, column: &str, format: &ValueFormat) -> Option<NaiveDate> {
        let Some(pattern) = format.date_format.as_deref() else { return self.date(value, column) };
        let first = value.split(['T', ' ']).next().unwrap_or(value);
        NaiveDate::parse_from_str(value, pattern)
            .or_else(|_| NaiveDate::parse_from_str(first, pattern))
            .map_err(|_| self.fail(column, format!("\"{value}\" does not match the date format {pattern}")))
            .ok()
    }

    /// An amount written as the file's [`ValueFormat`] says.
    pub fn amount_in(&mut self, value: &str, column: &str, format: &ValueFormat) -> Option<Decimal> {
        parse_amount_as(value, format)
            .map_err(|e| {
                let unit =
                    if format.minor_units { " (amounts in this file are whole öre/øre/cents)" } else { "" };
                self.fail(column, format!("\"{value}\" {e}{unit}"))
            })
            .ok()
    }

    pub fn optional_date_in(
        &mut self,
        value: &str,
        column: &str,
        format: &ValueFormat,
    ) -> Result<Option<NaiveDate>, Invalid> {
        if value.is_empty() { Ok(None) } else { self.date_in(value, column, format).map(Some).ok_or(Invalid) }
    }

    pub fn optional_amount_in(
        &mut self,
        value: &str,
        column: &str,
        format: &ValueFormat,
    ) -> Result<Option<Decimal>, Invalid> {
        if value.is_empty() {
            Ok(None)
        } else {
            self.amount_in(value, column, format).map(Some).ok_or(Invalid)
        }
    }

    /// A yes/no flag (`void`, `settled`, `credit_note`): empty is no.
    pub fn flag(&mut self, value: &str, column: &str) -> Result<bool, Invalid> {
        parse_flag(value).ok_or_else(|| {
            self.fail(
                column,
                format!("\"{value}\" is not a yes/no value (expected true/false, yes/no, 1/0, ja/nej, kyllä/ei; for void also voided, cancelled, draft)"),
            );
            Invalid
        })
    }
}

/// An amount in the file's format: whole minor units, a known decimal mark, or either mark.
pub fn parse_amount_as(value: &str, format: &ValueFormat) -> Result<Decimal, AmountError> {
    if format.minor_units {
        parse_minor_units(value)
    } else if let Some(decimal) = format.decimal {
        parse_amount_with_decimal(value, decimal)
    } else {
        parse_amount(value)
    }
}

/// Yes and no as exports write them, and the states that mean an invoice is not a claim
/// (Billy's `voided` and `draft`) or is one (`approved`, `sent`, ...).
fn parse_flag(value: &str) -> Option<bool> {
    if value.is_empty() {
        // The column is absent or the cell empty on nearly every row: no lower-casing for it.
        return Some(false);
    }
    let v = value.trim().to_lowercase();
    match v.as_str() {
        "" | "false" | "no" | "n" | "0" | "nej" | "nei" | "ei" | "f" | "approved" | "sent" | "open"
        | "booked" | "paid" | "unpaid" | "overdue" | "active" | "godkänd" | "bokförd" | "skickad"
        | "sendt" | "bokført" => Some(false),
        "true" | "yes" | "y" | "1" | "ja" | "kyllä" | "x" | "t" | "void" | "voided" | "cancelled"
        | "canceled" | "makulerad" | "makulert" | "annulleret" | "annullert" | "mitätöity" | "draft"
        | "utkast" | "kladde" | "luonnos" => Some(true),
        _ => None,
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// What each worker of a whole-file scan collects: rows with their line, and the findings.
pub type Rows<T> = (Blocks<(u64, T)>, Vec<Finding>);

/// The rows of a whole-file scan ([`CsvSource::scan_damaged`]) in file order, or every
/// finding of the file, damaged records among them, as one error (nothing is returned half).
pub fn gather<T: Send>((states, damaged): (Vec<Rows<T>>, Vec<Finding>)) -> Result<Vec<T>> {
    let mut findings = damaged;
    let mut parts = Vec::with_capacity(states.len());
    for (part, f) in states {
        findings.extend(f);
        parts.push(part);
    }
    if !findings.is_empty() {
        bail!("{}", summarize(&mut findings));
    }
    // Merged, each row moved once (issue #14: concatenated and sorted, the half a million
    // journal lines of a year were moved three times).
    Ok(merge_parts(parts, |(line, _)| *line, |(_, row)| row))
}

/// Reads `customers.csv` whole (customer registers are small). Every error of the file is
/// reported at once.
pub fn read_customers(path: &Path, display: &str, policy: &Policy) -> Result<Vec<Customer>> {
    read_customers_as(path, display, policy, |row| row.to_customer())
}

/// Reads `customers.csv` keeping `keep(customer)` of each row: every row is checked the same
/// way whatever is kept.
pub fn read_customers_as<T: Registered + Send>(
    path: &Path,
    display: &str,
    policy: &Policy,
    keep: impl Fn(&CustomerRow<'_>) -> T + Sync,
) -> Result<Vec<T>> {
    read_customers_noted(path, display, policy, keep).map(|(customers, _)| customers)
}

/// [`read_customers_as`], with what reading found that is not an error in a field (the
/// header's notes, countries not known) and how the file was read.
pub fn read_customers_noted<T: Registered + Send>(
    path: &Path,
    display: &str,
    policy: &Policy,
    keep: impl Fn(&CustomerRow<'_>) -> T + Sync,
) -> Result<(Vec<T>, Noted)> {
    let (source, reading) = open_ledger_file(path, display, FileKind::Customers, policy)?;
    let cols = reading.index.clone();
    let format = &reading.format;
    let (states, damaged) = source.scan_damaged(
        || (Blocks::new(), Vec::new(), Vec::new()),
        |(customers, findings, notes): &mut (Blocks<T>, Vec<Finding>, Vec<Finding>), fields| {
            let mut check = RowCheck { file: display, line: fields.line, findings };
            if let Some(c) = customer_row(fields, &cols, policy, format, &mut check, notes) {
                customers.push(keep(&c));
            }
        },
    )?;
    let mut findings = damaged;
    let mut noted = Noted { notes: reading.notes.clone(), reading: file_reading(display, &reading) };
    let mut parts = Vec::with_capacity(states.len());
    for (c, f, n) in states {
        parts.push(c);
        findings.extend(f);
        noted.notes.extend(n);
    }
    // In file order, each row moved once into a list of exactly its size (every command keeps
    // the register to its end), on every core (issue #14: concatenated and sorted by line, a
    // register of a million customers kept one core busy for a tenth of a second).
    let customers = merge_parts(parts, |c| c.line(), |c| c);
    findings.extend(repeated_ids(&customers, display));
    if !findings.is_empty() {
        bail!("{}", summarize(&mut findings));
    }
    Ok((customers, noted))
}

/// An error on each line of the register whose id an earlier line has, naming that line.
fn repeated_ids<T: Registered>(customers: &[T], display: &str) -> Vec<Finding> {
    // Ids that are all numbers of one shape and no number twice are distinct (the register's
    // usual ids, `C000123`): then no map of every id is needed to know it.
    if crate::core::ledger::numbered_and_distinct(customers.len(), |i| customers[i].id()) {
        return Vec::new();
    }
    let mut seen = rustc_hash::FxHashMap::with_capacity_and_hasher(customers.len(), Default::default());
    let mut repeated = Vec::new();
    for c in customers {
        if let Some(first) = seen.insert(c.id(), c.line()) {
            repeated.push(Finding::error(
                display.to_owned(),
                c.line(),
                "id",
                "duplicate-customer",
                format!(
                    "customer id \"{}\" appears again (first on line {first}); ids must be unique",
                    c.id()
                ),
            ));
        }
    }
    repeated
}

/// What reading a file found besides its rows: findings that are not errors in a field, and
/// how the file was read (when a preset or the policy decided it).
#[derive(Clone, Debug, Default)]
pub struct Noted {
    pub notes: Vec<Finding>,
    pub reading: Option<FileReading>,
}

/// How many text columns a customer row keeps: one per [`CUSTOMER_COLUMNS`].
const CUSTOMER_FIELDS: usize = 15;

/// A checked line of `customers.csv`, borrowing its text: what every reader of the register
/// keeps is made from this, so all of them check the same way.
pub struct CustomerRow<'f> {
    pub line: u64,
    fields: [&'f str; CUSTOMER_FIELDS],
    pub kind: CustomerKind,
    pub country: [u8; 2],
    pub language: &'static str,
    pub credit_limit: Option<Decimal>,
}

impl CustomerRow<'_> {
    pub fn id(&self) -> &str {
        self.fields[0]
    }
    pub fn name(&self) -> &str {
        self.fields[1]
    }
    pub fn segment(&self) -> Option<&str> {
        Some(self.fields[13]).filter(|s| !s.is_empty())
    }

    pub fn to_customer(&self) -> Customer {
        let opt = |i: usize| Some(self.fields[i]).filter(|s| !s.is_empty());
        let details = CustomerDetails {
            org_no: opt(3),
            country: std::str::from_utf8(&self.country).unwrap_or_default(),
            language: self.language,
            email: opt(6),
            phone: opt(7),
            mobile: opt(14),
            address: opt(8),
            postcode: opt(9),
            city: opt(10),
            contact: opt(11),
            segment: opt(13),
        };
        Customer::with_details(
            Text::new(self.id()),
            Text::new(self.name()),
            self.kind,
            &details,
            self.credit_limit,
            self.line,
        )
    }

    pub fn to_brief(&self, policy: &Policy) -> CustomerBrief {
        let days = policy.payment_days(self.segment());
        CustomerBrief::new(self.id(), self.name(), self.segment(), self.credit_limit, days, self.line)
            .with_debtor(self.country, self.kind)
    }
}

fn customer_row<'f>(
    fields: &Fields<'f>,
    cols: &[Option<usize>],
    policy: &Policy,
    format: &ValueFormat,
    check: &mut RowCheck<'_>,
    notes: &mut Vec<Finding>,
) -> Option<CustomerRow<'f>> {
    let texts: [&'f str; CUSTOMER_FIELDS] =
        std::array::from_fn(|i| fields.get(cols.get(i).copied().flatten()));
    let id = check.text(fields, cols[0], "id");
    let name = check.text(fields, cols[1], "name");
    let kind = CustomerKind::parse(texts[2]);
    if kind.is_none() {
        check
            .fail("kind", format!("\"{}\" is not a customer kind (expected business or consumer)", texts[2]));
    }
    let company_country = || policy.country.as_bytes().try_into().ok();
    let country = match texts[4] {
        "" => company_country(),
        written => country_code(written).or_else(|| {
            // A country not known is the customer's finding, not a refused ledger: the
            // customer is taken to be in the company's country until it is corrected.
            notes.push(
                Finding::error(
                    check.file.to_owned(),
                    check.line,
                    "country",
                    "unknown-country",
                    format!(
                        "\"{written}\" is not a country dun knows; the customer is taken to be in {} (the company's country), whose law and language then apply",
                        policy.country
                    ),
                )
                .customer(texts[0])
                .hint("write an ISO 3166 code (SE, NO, DK, FI, DE, ...) or the country's name in a Nordic language or English"),
            );
            company_country()
        }),
    };
    let language = match texts[5] {
        "" => country.map(|c| default_language(std::str::from_utf8(&c).unwrap_or(""))),
        l => language_code(l).or_else(|| {
            check.fail("language", format!("\"{l}\" is not one of sv, nb, da, fi, en"));
            None
        }),
    };
    let credit_limit = check.optional_amount_in(texts[12], "credit_limit", format).ok()?;
    id?;
    name?;
    Some(CustomerRow {
        line: fields.line,
        fields: texts,
        kind: kind?,
        country: country?,
        language: language?,
        credit_limit,
    })
}

/// What an invoice row needs besides its own fields: the customers' payment terms, the
/// company's currency, and how the file writes its values.
pub struct InvoiceContext<'a> {
    pub display: &'a str,
    pub customers: &'a CustomerIndex<'a>,
    pub currency: Currency,
}

/// Where an invoice row's findings go: `errors` make the file unreadable, `notes` are for
/// `dun check` (a void invoice with something open, fees inside the balance).
pub struct RowOut<'a> {
    pub errors: &'a mut Vec<Finding>,
    pub notes: &'a mut Vec<Finding>,
}

/// Turns one `invoices.csv` record into a typed record, or collects why it can't. A void
/// invoice (cancelled, voided, a draft) is no claim and gives no record.
///
/// The flag and fee columns some systems export are read here: `credit_note` = yes makes the
/// amounts negative where the file writes them positive (Visma's `IsCreditInvoice`); `settled`
/// = yes means paid in full where no `paid` or `balance` says otherwise (Fiken); `fees` are
/// fees the invoicing system charged that its `balance` includes (Billy's `lateFees`), taken
/// out so that what is owed is the invoice's own.
pub fn invoice_row<'f>(
    fields: &Fields<'f>,
    cols: &[Option<usize>],
    ctx: &InvoiceContext<'_>,
    format: &ValueFormat,
    out: RowOut<'_>,
) -> Option<InvoiceRecord<'f>> {
    let RowOut { errors, notes } = out;
    let mut check = RowCheck { file: ctx.display, line: fields.line, findings: errors };
    let get = |i: usize| fields.get(cols.get(i).copied().flatten());
    let number = check.text(fields, cols[0], "number");
    let customer = check.text(fields, cols[1], "customer");
    let issued = check.text(fields, cols[2], "issued").and_then(|t| check.date_in(t, "issued", format));
    let due = check.optional_date_in(get(3), "due", format);
    let amount = check.text(fields, cols[4], "amount").and_then(|t| check.amount_in(t, "amount", format));
    let paid = check.optional_amount_in(get(5), "paid", format);
    let balance = check.optional_amount_in(get(6), "balance", format);
    let currency = match get(7) {
        "" => Some(ctx.currency),
        text => Currency::parse(text).or_else(|| {
            check.fail(
                "currency",
                format!("\"{text}\" is not an ISO 4217 currency code like SEK, NOK, DKK or EUR"),
            );
            None
        }),
    };
    let paid_on = check.optional_date_in(get(9), "paid_on", format);
    let void = check.flag(get(12), "void");
    let settled = check.flag(get(13), "settled");
    let credit_note = check.flag(get(14), "credit_note");
    let fees = check.optional_amount_in(get(15), "fees", format);
    let discount_until = check.optional_date_in(get(16), "discount_until", format);
    let discount_amount = check.optional_amount_in(get(17), "discount_amount", format);
    let discount_percent = check.optional_amount_in(get(18), "discount_percent", format);
    let (number, customer, issued, mut amount) = (number?, customer?, issued?, amount?);
    let (due, mut paid, mut balance, paid_on, currency) =
        (due.ok()?, paid.ok()?, balance.ok()?, paid_on.ok()?, currency?);
    let (void, settled, credit_note, fees) = (void.ok()?, settled.ok()?, credit_note.ok()?, fees.ok()?);
    let (discount_until, discount_amount, discount_percent) =
        (discount_until.ok()?, discount_amount.ok()?, discount_percent.ok()?);
    if credit_note && amount > Decimal::ZERO {
        amount = -amount;
        paid = paid.map(|p| -p.abs());
        balance = balance.map(|b| -b.abs());
    }
    let at = |f: Finding| f.customer(customer).invoice(number);
    if let (Some(fees), Some(b)) = (fees.filter(|f| !f.is_zero()), balance) {
        balance = Some(b - fees);
        if b > Decimal::ZERO {
            notes.push(at(Finding::warning(
                ctx.display.to_owned(),
                fields.line,
                "fees",
                "fees-in-balance",
                format!(
                    "the balance {} includes {} of fees the invoicing system charged; dun reads {} as owed, and its own reminder fee, interest and compensation would come on top",
                    format_money_grouped(b),
                    format_money_grouped(fees),
                    format_money_grouped(b - fees)
                ),
            )
            .hint("charge fees in one place: reminder.fee = \"0\" and collection.compensation = \"0\" in policy.toml if the invoicing system charges them")));
        }
    }
    if void {
        // Cancelled untouched (balance = amount, as Fortnox leaves it) or settled to nothing is
        // plain: the invoice is no claim. Part paid and then cancelled leaves money and an
        // open rest that need a person.
        let part_paid = paid.or_else(|| balance.map(|b| amount - b)).filter(|p| {
            !p.is_zero() && !(amount - *p).is_zero() && p.is_sign_negative() == amount.is_sign_negative()
        });
        if let Some(p) = part_paid {
            notes.push(at(Finding::error(
                ctx.display.to_owned(),
                fields.line,
                "void",
                "void-open",
                format!(
                    "the invoice is void (cancelled) but part paid: {} paid, {} still open on it; dun does not count or chase it",
                    format_money_grouped(p),
                    format_money_grouped(amount - p)
                ),
            )
            .hint("credit or refund what was paid, or correct the export: a cancelled invoice with money on it needs a person")));
        }
        return None;
    }
    let due = due.unwrap_or_else(|| {
        let days = ctx.customers.payment_days(customer);
        issued.checked_add_days(Days::new(u64::from(days))).unwrap_or(issued)
    });
    let paid = match (paid, balance) {
        (Some(p), _) => p,
        (None, Some(b)) => amount - b,
        (None, None) if settled => amount,
        (None, None) => Decimal::ZERO,
    };
    let discount = match (discount_until, discount_amount, discount_percent) {
        _ if amount <= Decimal::ZERO => None,
        (None, None, None) => ctx.customers.discount_terms(customer).and_then(|(days, pct)| {
            let until = issued.checked_add_days(Days::new(u64::from(days)))?;
            Some(Discount {
                until,
                amount: crate::core::money::round_money(amount * pct / Decimal::ONE_HUNDRED),
            })
        }),
        (Some(until), Some(off), None) if off > Decimal::ZERO && off < amount => {
            Some(Discount { until, amount: off })
        }
        (Some(until), None, Some(pct)) if pct > Decimal::ZERO && pct < Decimal::ONE_HUNDRED => {
            Some(Discount {
                until,
                amount: crate::core::money::round_money(amount * pct / Decimal::ONE_HUNDRED),
            })
        }
        (until, off, pct) => {
            let (field, what) = match (until, off, pct) {
                (None, _, _) => {
                    ("discount_until", "the last day the discount may be taken (it is empty)".to_owned())
                }
                (_, Some(_), Some(_)) => {
                    ("discount_percent", "empty when discount_amount is given (one or the other)".to_owned())
                }
                (_, None, None) => (
                    "discount_amount",
                    "the discount as an amount, or a discount_percent (both are empty)".to_owned(),
                ),
                (_, Some(off), None) => (
                    "discount_amount",
                    format!(
                        "more than 0 and less than the amount {}, not {}",
                        format_money_grouped(amount),
                        format_money_grouped(off)
                    ),
                ),
                (_, None, Some(pct)) => {
                    ("discount_percent", format!("a percentage between 0 and 100, not {pct}"))
                }
            };
            check.fail(field, format!("expected {what}"));
            return None;
        }
    };
    let optional = |i: usize| Some(get(i)).filter(|s| !s.is_empty());
    Some(InvoiceRecord {
        line: fields.line,
        number,
        customer,
        issued,
        due,
        amount,
        paid,
        balance,
        currency,
        reference: optional(8),
        paid_on,
        credits: optional(10),
        description: optional(11),
        discount,
    })
}

/// Reads `payments.csv` whole; a missing file is no payments.
pub fn read_payments(path: &Path, display: &str, policy: &Policy) -> Result<Vec<Payment>> {
    read_payments_noted(path, display, policy).map(|(payments, _)| payments)
}

/// [`read_payments`] with the header's notes and how the file was read.
pub fn read_payments_noted(path: &Path, display: &str, policy: &Policy) -> Result<(Vec<Payment>, Noted)> {
    if !path.exists() {
        return Ok((Vec::new(), Noted::default()));
    }
    let (mut source, reading) = open_ledger_file(path, display, FileKind::Payments, policy)?;
    let cols = reading.index.clone();
    // A header that ends in `matched_by` was widened by `dun import` (it adds the columns it
    // writes that the header lacks, `matched_by` last): the lines written before lack them.
    let last_named = source.header.raw.iter().rposition(|n| !n.is_empty());
    if last_named.is_some() && cols[6] == last_named {
        let added: Vec<usize> = cols[..PAYMENT_COLUMNS_WRITTEN].iter().flatten().copied().collect();
        source.allow_missing_at_end(&added);
    }
    let format = &reading.format;
    let states = source.scan_damaged(
        Rows::<Payment>::default,
        |(payments, findings): &mut Rows<Payment>, fields| {
            let mut check = RowCheck { file: display, line: fields.line, findings };
            let date = check.text(fields, cols[0], "date").and_then(|t| check.date_in(t, "date", format));
            let amount =
                check.text(fields, cols[2], "amount").and_then(|t| check.amount_in(t, "amount", format));
            let matched_by = non_empty(fields.get(cols[6]));
            // Lines earlier versions of dun wrote carry a spreadsheet's `'` before `= + - @`.
            let ours = matched_by.is_some();
            let read = |s: &str| non_empty(if ours { crate::render::escape::undefuse(s) } else { s });
            let invoice = read(fields.get(cols[1]));
            let reference = read(fields.get(cols[3]));
            let transaction_id = read(fields.get(cols[4]));
            let source = non_empty(fields.get(cols[5]));
            let reversal = check.flag(fields.get(cols[7]), "reversal");
            if let (Some(a), Ok(false)) = (amount, reversal)
                && a.is_sign_negative()
                && !a.is_zero()
            {
                check.fail(
                    "amount",
                    format!(
                        "{a} is negative: a negative payment opens again what was paid; if it is a payment returned or reversed, say so with yes in a \"reversal\" column, else correct the sign"
                    ),
                );
                return;
            }
            if invoice.is_none() && reference.is_none() {
                check.fail(
                    "invoice",
                    "and \"reference\" are both empty; a payment must name its invoice or its reference"
                        .to_owned(),
                );
                return;
            }
            if let (Some(date), Some(amount)) = (date, amount) {
                payments.push((
                    fields.line,
                    Payment {
                        line: fields.line,
                        date,
                        invoice,
                        amount,
                        reference,
                        transaction_id,
                        source,
                        matched_by,
                    },
                ));
            }
        },
    )?;
    let noted = Noted { notes: reading.notes.clone(), reading: file_reading(display, &reading) };
    Ok((gather(states)?, noted))
}

#[cfg(test)]
mod tests;
