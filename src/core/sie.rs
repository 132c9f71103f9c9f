//! SPEC §3 and §2 (the ledger from an accounting system): the receivables a SIE 4 file holds.
//! Every posting on a receivable account (BAS 1510–1519) that names an invoice (object
//! dimension 10) and a customer (dimension 8) belongs to that invoice: a debit raises it, a
//! credit pays or credits it. Opening balances per object (`#OIB`) carry last year's open
//! invoices in, so an invoice raised last year and paid this year nets to nothing. A file with
//! only the account's opening balance (`#IB`, no `#OIB`) cannot say which invoices it holds: a
//! payment this year of an invoice raised before it is then taken as paying the opening balance
//! (it is left out, and counted), and what of the opening balance no payment explains is
//! reported. SIE has no due dates: they come from the policy's terms.
//!
//! Pure: `io::sie` reads the file into a [`SieFile`].

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

/// One posting on an account: `#TRANS`, or an object opening balance (`#OIB`).
#[derive(Clone, Debug, PartialEq)]
pub struct Posting {
    pub line: usize,
    pub account: String,
    /// `(dimension, object)` pairs of the object list, as written.
    pub objects: Vec<(String, String)>,
    pub amount: Decimal,
    pub date: Option<NaiveDate>,
    pub text: String,
    /// The voucher (`series number`) it belongs to, for `#TRANS`.
    pub voucher: Option<String>,
}

impl Posting {
    /// The object of `dimension`, if the posting names one.
    pub fn object(&self, dimension: &str) -> Option<&str> {
        self.objects.iter().find(|(d, _)| d == dimension).map(|(_, o)| o.as_str()).filter(|o| !o.is_empty())
    }
}

/// What `dun` reads of a SIE 4 file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SieFile {
    pub program: Option<String>,
    pub company: Option<String>,
    pub currency: Option<String>,
    /// The financial year of `#RAR 0`.
    pub year: Option<(NaiveDate, NaiveDate)>,
    /// `#DIM` numbers that are defined.
    pub dimensions: Vec<String>,
    /// `(dimension, object) → name`, from `#OBJEKT`.
    pub objects: Vec<((String, String), String)>,
    /// `#IB 0` and `#UB 0` per account.
    pub opening: Vec<(String, Decimal)>,
    pub closing: Vec<(String, Decimal)>,
    /// `#OIB 0`: opening balances per object.
    pub object_opening: Vec<Posting>,
    /// Every `#TRANS`, in file order.
    pub transactions: Vec<Posting>,
    /// Every account a voucher posts to, by voucher: tells a credit note (revenue) from a
    /// payment (bank) in `core::sie`.
    pub voucher_accounts: Vec<(String, Vec<String>)>,
}

impl SieFile {
    pub fn object_name(&self, dimension: &str, object: &str) -> Option<&str> {
        self.objects.iter().find(|((d, o), _)| d == dimension && o == object).map(|(_, n)| n.as_str())
    }
}

/// An invoice built from a SIE file's postings.
#[derive(Clone, Debug, PartialEq)]
pub struct SieInvoice {
    pub number: String,
    pub customer: String,
    pub issued: NaiveDate,
    /// Raised: the opening balance and the debits; negative for a credit note.
    pub amount: Decimal,
    /// Paid or credited: the credits.
    pub paid: Decimal,
    /// When the last credit settled it, if it is settled.
    pub paid_on: Option<NaiveDate>,
    /// Where it comes from: the first voucher, or the opening balance.
    pub source: String,
}

impl SieInvoice {
    pub fn open(&self) -> Decimal {
        self.amount - self.paid
    }
}

/// What the postings add up to, for the import's summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SieSummary {
    /// Postings on the receivable accounts.
    pub postings: usize,
    /// Postings on them that name no invoice, and their total.
    pub unattributed: (usize, Decimal),
    /// Payments of invoices raised before the year when the file breaks no opening balance
    /// down by invoice (no `#OIB`): left out, with their total.
    pub paid_from_opening: (usize, Decimal),
    /// `#IB 0` of the receivable accounts.
    pub opening: Decimal,
    /// Of the opening balance, what the invoices' own opening balances (`#OIB`) do not carry.
    pub opening_not_by_invoice: Decimal,
    /// `#UB 0` of the receivable accounts, when the file has it.
    pub closing: Option<Decimal>,
    /// What the invoices built have open.
    pub open: Decimal,
    pub credit_notes: usize,
}

impl SieSummary {
    /// The receivable accounts' closing balance less what the invoices have open: the part of
    /// the books `dun` could not put on an invoice.
    pub fn difference(&self) -> Option<Decimal> {
        self.closing.map(|c| c - self.open)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SieLedger {
    /// `(id, name)` of every customer an invoice names, in the order first seen.
    pub customers: Vec<(String, String)>,
    pub invoices: Vec<SieInvoice>,
    pub summary: SieSummary,
}

/// Whether an account is a receivable one (BAS 1510–1519).
pub fn is_receivable(account: &str) -> bool {
    account.parse::<u32>().is_ok_and(|a| (1510..=1519).contains(&a))
}

/// Why a SIE file gives no ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SieError {
    /// No posting on a receivable account names a customer or an invoice.
    NoDimensions,
    /// Invoices no posting names a customer of (invoice, first line).
    NoCustomer(Vec<(String, usize)>),
}

#[derive(Default)]
struct Building {
    customer: Option<String>,
    opening: Decimal,
    debits: Decimal,
    credits: Decimal,
    first_debit: Option<NaiveDate>,
    first_credit: Option<NaiveDate>,
    last_credit: Option<NaiveDate>,
    first_voucher: Option<String>,
    line: usize,
    /// Every credit came from a voucher that posts to revenue (3000–3999): a credit note.
    credited_by_revenue: bool,
    any_credit: bool,
}

/// The receivables of a SIE file (see the module documentation).
pub fn receivables(sie: &SieFile) -> Result<SieLedger, SieError> {
    let receivable_postings: Vec<&Posting> =
        sie.transactions.iter().filter(|p| is_receivable(&p.account)).collect();
    let opening_postings: Vec<&Posting> =
        sie.object_opening.iter().filter(|p| is_receivable(&p.account)).collect();
    let named = |p: &&Posting| p.object("8").is_some() || p.object("10").is_some();
    if !receivable_postings.iter().chain(&opening_postings).any(named) {
        return Err(SieError::NoDimensions);
    }
    let revenue_vouchers: std::collections::HashSet<&str> = sie
        .voucher_accounts
        .iter()
        .filter(|(_, accounts)| {
            accounts.iter().any(|a| a.parse::<u32>().is_ok_and(|n| (3000..=3999).contains(&n)))
        })
        .map(|(id, _)| id.as_str())
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut building: HashMap<String, Building> = HashMap::new();
    let mut summary = SieSummary { postings: receivable_postings.len(), ..SieSummary::default() };
    let mut get = |number: &str, line: usize, order: &mut Vec<String>| {
        if !building.contains_key(number) {
            order.push(number.to_owned());
            building.insert(number.to_owned(), Building { line, ..Building::default() });
        }
    };
    for p in &opening_postings {
        let Some(number) = p.object("10") else {
            continue;
        };
        get(number, p.line, &mut order);
    }
    for p in &receivable_postings {
        if let Some(number) = p.object("10") {
            get(number, p.line, &mut order);
        }
    }
    for p in &opening_postings {
        let Some(number) = p.object("10") else { continue };
        let b = building.get_mut(number).expect("added above");
        b.opening += p.amount;
        if let Some(c) = p.object("8") {
            b.customer.get_or_insert_with(|| c.to_owned());
        }
    }
    let opening_by_invoice: Decimal =
        opening_postings.iter().filter(|p| p.object("10").is_some()).map(|p| p.amount).sum();
    for p in &receivable_postings {
        let Some(number) = p.object("10") else {
            summary.unattributed.0 += 1;
            summary.unattributed.1 += p.amount;
            continue;
        };
        let b = building.get_mut(number).expect("added above");
        if let Some(c) = p.object("8") {
            b.customer.get_or_insert_with(|| c.to_owned());
        }
        if b.first_voucher.is_none() {
            b.first_voucher = p.voucher.clone();
        }
        if p.amount >= Decimal::ZERO {
            b.debits += p.amount;
            b.first_debit = min_date(b.first_debit, p.date);
        } else {
            let by_revenue = p.voucher.as_deref().is_some_and(|v| revenue_vouchers.contains(v));
            b.credited_by_revenue =
                if b.any_credit { b.credited_by_revenue && by_revenue } else { by_revenue };
            b.any_credit = true;
            b.credits -= p.amount;
            b.first_credit = min_date(b.first_credit, p.date);
            b.last_credit = max_date(b.last_credit, p.date);
        }
    }
    summary.opening = sie.opening.iter().filter(|(a, _)| is_receivable(a)).map(|(_, v)| *v).sum();
    summary.opening_not_by_invoice = summary.opening - opening_by_invoice;
    let has_closing = sie.closing.iter().any(|(a, _)| is_receivable(a));
    summary.closing =
        has_closing.then(|| sie.closing.iter().filter(|(a, _)| is_receivable(a)).map(|(_, v)| *v).sum());
    let no_object_opening = opening_by_invoice.is_zero();
    let year_start = sie.year.map(|(start, _)| start);
    let before_year = year_start.and_then(|d| d.checked_sub_days(Days::new(1)));
    let mut missing = Vec::new();
    let mut invoices = Vec::new();
    let mut customers: Vec<(String, String)> = Vec::new();
    for number in order {
        let b = &building[&number];
        let Some(customer) = b.customer.clone() else {
            missing.push((number.clone(), b.line));
            continue;
        };
        let raised = b.opening + b.debits;
        let (amount, paid) = if raised.is_zero() && b.credits > Decimal::ZERO {
            if b.credited_by_revenue {
                summary.credit_notes += 1;
                (-b.credits, Decimal::ZERO)
            } else if no_object_opening && summary.opening > Decimal::ZERO {
                // An invoice of an earlier year, paid this year out of the opening balance.
                summary.paid_from_opening.0 += 1;
                summary.paid_from_opening.1 += b.credits;
                continue;
            } else {
                (Decimal::ZERO, b.credits)
            }
        } else {
            (raised, b.credits)
        };
        // Raised this year, or carried in from before it, or (a credit note) credited.
        let carried_in = (!b.opening.is_zero()).then_some(before_year).flatten();
        let issued = b.first_debit.or(carried_in).or(b.first_credit).or(before_year).unwrap_or_default();
        let settled = !amount.is_zero() && (amount - paid).is_zero();
        let source = match (&b.first_voucher, b.opening.is_zero()) {
            (_, false) => "SIE opening balance".to_owned(),
            (Some(v), true) => format!("SIE voucher {v}"),
            (None, true) => "SIE".to_owned(),
        };
        if !customers.iter().any(|(id, _)| *id == customer) {
            let name = sie.object_name("8", &customer).unwrap_or(&customer).to_owned();
            customers.push((customer.clone(), name));
        }
        summary.open += amount - paid;
        invoices.push(SieInvoice {
            number,
            customer,
            issued,
            amount,
            paid,
            paid_on: if settled { b.last_credit } else { None },
            source,
        });
    }
    if !missing.is_empty() {
        return Err(SieError::NoCustomer(missing));
    }
    Ok(SieLedger { customers, invoices, summary })
}

fn min_date(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_date(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    fn posting(account: &str, objects: &[(&str, &str)], amount: i64, date: &str, voucher: &str) -> Posting {
        Posting {
            line: 1,
            account: account.to_owned(),
            objects: objects.iter().map(|(d, o)| ((*d).to_owned(), (*o).to_owned())).collect(),
            amount: Decimal::from(amount),
            date: day(date),
            text: String::new(),
            voucher: Some(voucher.to_owned()).filter(|v| !v.is_empty()),
        }
    }

    fn file(opening: i64, object_opening: Vec<Posting>, transactions: Vec<Posting>) -> SieFile {
        let mut vouchers: Vec<(String, Vec<String>)> = Vec::new();
        for t in &transactions {
            let Some(v) = &t.voucher else { continue };
            match vouchers.iter_mut().find(|(id, _)| id == v) {
                Some((_, accounts)) => accounts.push(t.account.clone()),
                None => vouchers.push((v.clone(), vec![t.account.clone()])),
            }
        }
        SieFile {
            year: day("2026-01-01").zip(day("2026-12-31")),
            opening: vec![("1510".to_owned(), Decimal::from(opening))],
            object_opening,
            transactions,
            voucher_accounts: vouchers,
            ..SieFile::default()
        }
    }

    /// Last year's invoice carried in by `#OIB` and paid this year nets to nothing.
    #[test]
    fn an_object_opening_balance_nets_with_this_years_payment() {
        let sie = file(
            500,
            vec![posting("1510", &[("8", "K"), ("10", "9")], 500, "", "")],
            vec![
                posting("1510", &[("8", "K"), ("10", "9")], -500, "2026-02-01", "A 1"),
                posting("1930", &[], 500, "2026-02-01", "A 1"),
            ],
        );
        let l = receivables(&sie).unwrap();
        assert_eq!(l.invoices.len(), 1);
        let inv = &l.invoices[0];
        assert_eq!(
            (inv.amount, inv.paid, inv.open()),
            (Decimal::from(500), Decimal::from(500), Decimal::ZERO)
        );
        assert_eq!(inv.paid_on, day("2026-02-01"));
        assert_eq!(inv.issued, day("2025-12-31").unwrap());
        assert_eq!(l.summary.open, Decimal::ZERO);
    }

    /// Without `#OIB`, a payment of an invoice never raised in the file pays the opening
    /// balance; a credit from a voucher that posts to revenue is a credit note.
    #[test]
    fn payments_of_the_opening_balance_and_credit_notes() {
        let sie = file(
            800,
            vec![],
            vec![
                posting("1510", &[("8", "K"), ("10", "7")], -800, "2026-01-10", "A 1"),
                posting("1930", &[], 800, "2026-01-10", "A 1"),
                posting("1510", &[("8", "K"), ("10", "12")], -125, "2026-03-01", "C 1"),
                posting("3001", &[], 100, "2026-03-01", "C 1"),
                posting("2611", &[], 25, "2026-03-01", "C 1"),
            ],
        );
        let l = receivables(&sie).unwrap();
        assert_eq!(l.summary.paid_from_opening, (1, Decimal::from(800)));
        assert_eq!(l.summary.credit_notes, 1);
        assert_eq!(l.invoices.len(), 1);
        assert_eq!((l.invoices[0].number.as_str(), l.invoices[0].amount), ("12", Decimal::from(-125)));
    }

    #[test]
    fn refusals() {
        let sie = file(0, vec![], vec![posting("1510", &[], 100, "2026-01-10", "A 1")]);
        assert_eq!(receivables(&sie), Err(SieError::NoDimensions));
        let sie = file(0, vec![], vec![posting("1510", &[("10", "5")], 100, "2026-01-10", "A 1")]);
        assert_eq!(receivables(&sie), Err(SieError::NoCustomer(vec![("5".to_owned(), 1)])));
        // Other accounts' objects do not make a receivables ledger.
        let sie =
            file(0, vec![], vec![posting("2440", &[("9", "L"), ("10", "5")], -100, "2026-01-10", "A 1")]);
        assert_eq!(receivables(&sie), Err(SieError::NoDimensions));
    }
}
