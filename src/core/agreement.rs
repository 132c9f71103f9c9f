//! Agreements and notes (SPEC §8): what each records, and whether it makes sense in the
//! invoice's or customer's state. Pure: the command takes the lock, loads, calls these, appends.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::dunning::History;
use super::journal::{Entry, Event};
use super::ledger::Ledger;

/// A request that does not fit the state of what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn refused<T>(message: String) -> Result<T, Refused> {
    Err(Refused(message))
}

fn history(ledger: &Ledger, invoice: &str, as_of: NaiveDate) -> History {
    let deliveries = super::delivery::Deliveries::from_journal(ledger.journal.up_to(as_of));
    History::from_entries(ledger.journal.for_invoice(invoice).filter(|e| e.date <= as_of), &deliveries)
}

/// The open amount of an invoice that exists and is open on `as_of`, or why not.
pub fn open_invoice(ledger: &Ledger, number: &str, as_of: NaiveDate) -> Result<Decimal, Refused> {
    let Some(invoice) = ledger.invoice(number) else {
        return refused(format!("no invoice \"{number}\" in invoices.csv"));
    };
    if invoice.is_credit_note() {
        return refused(format!("{number} is a credit note, not an invoice"));
    }
    match ledger.open_amounts(as_of).get(number) {
        Some(&open) => Ok(open),
        None => refused(format!(
            "invoice {number} has nothing open on {as_of} (paid, credited or not yet issued)"
        )),
    }
}

fn entry(ledger: &Ledger, event: Event, invoice: &str, as_of: NaiveDate) -> Entry {
    let mut e = Entry::new(as_of, event);
    e.set_invoice(Some(invoice));
    e.set_customer(ledger.invoice(invoice).map(|i| i.customer()));
    e
}

pub fn dispute(
    ledger: &Ledger,
    invoice: &str,
    note: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<Entry>, Refused> {
    open_invoice(ledger, invoice, as_of)?;
    if let Some(since) = history(ledger, invoice, as_of).dispute {
        return refused(format!(
            "invoice {invoice} is already disputed (since {since}); `dun resolve {invoice}` ends it"
        ));
    }
    let mut e = entry(ledger, Event::Dispute, invoice, as_of);
    e.set_note(note);
    Ok(vec![e])
}

pub fn resolve(
    ledger: &Ledger,
    invoice: &str,
    note: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<Entry>, Refused> {
    if ledger.invoice(invoice).is_none() {
        return refused(format!("no invoice \"{invoice}\" in invoices.csv"));
    }
    if history(ledger, invoice, as_of).dispute.is_none() {
        return refused(format!("invoice {invoice} is not disputed; nothing to resolve"));
    }
    let mut e = entry(ledger, Event::Resolve, invoice, as_of);
    e.set_note(note);
    Ok(vec![e])
}

pub fn promise(
    ledger: &Ledger,
    invoice: &str,
    until: NaiveDate,
    note: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<Entry>, Refused> {
    let open = open_invoice(ledger, invoice, as_of)?;
    if until < as_of {
        return refused(format!("the promised date {until} is before {as_of}"));
    }
    if let Some(since) = history(ledger, invoice, as_of).collection {
        return refused(format!(
            "invoice {invoice} was handed to collection on {since}; agreements go through the agency"
        ));
    }
    let mut e = entry(ledger, Event::Promise, invoice, as_of);
    e.until = Some(until);
    e.amount = Some(open);
    e.set_note(note);
    Ok(vec![e])
}

/// Splits `open` into `count` installments exact to the cent: equal parts, the cents that do
/// not divide evenly added one each to the first installments.
pub fn split_installments(open: Decimal, count: u32) -> Vec<Decimal> {
    let cents = (open * Decimal::from(100)).trunc();
    let n = Decimal::from(count.max(1));
    let base = (cents / n).floor();
    let extra = cents - base * n;
    (0..count.max(1))
        .map(|i| {
            let c = base + if Decimal::from(i) < extra { Decimal::ONE } else { Decimal::ZERO };
            c / Decimal::from(100)
        })
        .collect()
}

pub struct PlanRequest {
    pub installments: u32,
    pub first: NaiveDate,
    pub every_days: u32,
}

pub fn plan(
    ledger: &Ledger,
    invoice: &str,
    req: &PlanRequest,
    as_of: NaiveDate,
) -> Result<Vec<Entry>, Refused> {
    let open = open_invoice(ledger, invoice, as_of)?;
    if !(1..=120).contains(&req.installments) {
        return refused(format!("--installments must be 1 to 120, not {}", req.installments));
    }
    if req.installments > 1 && req.every_days == 0 {
        return refused("--every-days must be at least 1".to_owned());
    }
    if req.first < as_of {
        return refused(format!("the first installment {} is before {as_of}", req.first));
    }
    if let Some(since) = history(ledger, invoice, as_of).collection {
        return refused(format!(
            "invoice {invoice} was handed to collection on {since}; agreements go through the agency"
        ));
    }
    if open * Decimal::from(100) != (open * Decimal::from(100)).trunc() {
        return refused(format!(
            "the open amount {open} has fractions of a cent; it cannot be split exactly"
        ));
    }
    let parts = split_installments(open, req.installments);
    let mut due = req.first;
    let mut entries = Vec::new();
    for (i, amount) in parts.into_iter().enumerate() {
        let mut e = entry(ledger, Event::Plan, invoice, as_of);
        e.amount = Some(amount);
        e.until = Some(due);
        e.set_note(Some(format!("installment {} of {}", i + 1, req.installments)));
        entries.push(e);
        due = due.checked_add_days(Days::new(u64::from(req.every_days))).unwrap_or(due);
    }
    Ok(entries)
}

fn on_hold(ledger: &Ledger, customer: &str, as_of: NaiveDate) -> bool {
    let mut held = false;
    for e in ledger.journal.up_to(as_of).filter(|e| e.invoice().is_none() && e.customer() == Some(customer)) {
        match e.event {
            Event::Hold => held = true,
            Event::Release => held = false,
            _ => {}
        }
    }
    held
}

fn customer_entry(
    ledger: &Ledger,
    event: Event,
    customer: &str,
    note: Option<&str>,
    as_of: NaiveDate,
) -> Result<Entry, Refused> {
    if ledger.customer(customer).is_none() {
        return refused(format!("no customer \"{customer}\" in customers.csv"));
    }
    let mut e = Entry::new(as_of, event);
    e.set_customer(Some(customer));
    e.set_note(note);
    Ok(e)
}

pub fn hold(
    ledger: &Ledger,
    customer: &str,
    note: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<Entry>, Refused> {
    let e = customer_entry(ledger, Event::Hold, customer, note, as_of)?;
    if on_hold(ledger, customer, as_of) {
        return refused(format!("customer {customer} is already on hold; `dun release {customer}` ends it"));
    }
    Ok(vec![e])
}

pub fn release(
    ledger: &Ledger,
    customer: &str,
    note: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<Entry>, Refused> {
    let e = customer_entry(ledger, Event::Release, customer, note, as_of)?;
    if !on_hold(ledger, customer, as_of) {
        return refused(format!("customer {customer} is not on hold; nothing to release"));
    }
    Ok(vec![e])
}

/// A note on an invoice (if `target` names one) or else a customer.
pub fn note(ledger: &Ledger, target: &str, text: &str, as_of: NaiveDate) -> Result<Vec<Entry>, Refused> {
    if text.trim().is_empty() {
        return refused("the note is empty".to_owned());
    }
    if ledger.invoice(target).is_some() {
        let mut e = entry(ledger, Event::Note, target, as_of);
        e.set_note(Some(text));
        return Ok(vec![e]);
    }
    if ledger.customer(target).is_some() {
        return Ok(vec![customer_entry(ledger, Event::Note, target, Some(text), as_of)?]);
    }
    refused(format!("\"{target}\" is neither an invoice number nor a customer id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn splits_exactly_to_the_cent() {
        let parts = split_installments(Decimal::new(10000, 2), 3);
        assert_eq!(parts, vec![Decimal::new(3334, 2), Decimal::new(3333, 2), Decimal::new(3333, 2)]);
    }

    proptest! {
        #[test]
        fn installments_sum_to_the_open_amount(cents in 1i64..100_000_000, n in 1u32..48) {
            let open = Decimal::new(cents, 2);
            let parts = split_installments(open, n);
            prop_assert_eq!(parts.len(), n as usize);
            prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), open);
            let max = parts.iter().max().unwrap();
            let min = parts.iter().min().unwrap();
            prop_assert!(*max - *min <= Decimal::new(1, 2));
        }
    }
}
