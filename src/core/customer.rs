//! `dun customer` (SPEC §10): everything the person who picks up the phone needs about one
//! customer, as a value — contact details, open invoices with days overdue, fees and interest so
//! far, payment behaviour, credit standing, the journal, and the customer's data problems.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::charges;
use super::check::check_customer_findings;
use super::credit::{self, Behaviour, WatchReason};
use super::finding::Finding;
use super::journal::{Entry, Event};
use super::ledger::{Ledger, Owner, normalize_reference};
use super::model::{Currency, Customer, Invoice};
use super::money::{CheckedSum, Overflow};
use super::phone::parse_phone;
use super::rules;

/// The result of looking a customer up by id or by name.
#[derive(Debug)]
pub enum Lookup<'a> {
    One(&'a Customer),
    NotFound,
    /// Several names contain the search text: the caller asks for the id.
    Several(Vec<&'a Customer>),
}

/// Finds a customer by its exact id, else by a case-insensitive part of its name.
pub fn find_customer<'a>(ledger: &'a Ledger, query: &str) -> Lookup<'a> {
    find_in_register(&ledger.customers, query)
}

/// [`find_customer`] in a register alone: an id given twice is its last line, as
/// [`Ledger::customer`] has it.
pub fn find_in_register<'a>(customers: &'a [Customer], query: &str) -> Lookup<'a> {
    let query = query.trim();
    if query.is_empty() {
        return Lookup::NotFound;
    }
    if let Some(c) = customers.iter().rev().find(|c| c.id == query) {
        return Lookup::One(c);
    }
    let needle = query.to_lowercase();
    let mut found: Vec<&Customer> =
        customers.iter().filter(|c| c.name.to_lowercase().contains(&needle)).collect();
    match found.len() {
        0 => Lookup::NotFound,
        1 => Lookup::One(found.remove(0)),
        _ => Lookup::Several(found),
    }
}

/// One open invoice as the caller needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenLine {
    pub number: String,
    pub issued: NaiveDate,
    pub due: NaiveDate,
    pub currency: Currency,
    pub amount: Decimal,
    pub open: Decimal,
    /// As-of − due; 0 or less when not yet due.
    pub days_overdue: i64,
    /// Reminder fees journaled on the invoice so far.
    pub fees: Decimal,
    /// Late-payment interest from the day after the due date up to the as-of date.
    pub interest: Decimal,
    pub disputed: bool,
    pub reference: Option<String>,
    pub description: Option<String>,
}

/// An unapplied credit (credit note or overpayment) of the customer.
#[derive(Clone, Debug, PartialEq)]
pub struct CreditLine {
    pub number: String,
    pub currency: Currency,
    /// Negative.
    pub amount: Decimal,
}

/// The sums of one currency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurrencyTotal {
    pub currency: Option<Currency>,
    /// Open invoices less credits.
    pub open: Decimal,
    pub overdue: Decimal,
    pub fees: Decimal,
    pub interest: Decimal,
}

/// The customer's most recent payment.
#[derive(Clone, Debug, PartialEq)]
pub struct LastPayment {
    pub date: NaiveDate,
    pub amount: Decimal,
    pub invoice: String,
    /// Where it was read: `payments.csv:LINE` or `invoices.csv:LINE` (its `paid_on`).
    pub source: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerView {
    pub as_of: NaiveDate,
    pub customer: Customer,
    /// The phone in E.164, when it can be read.
    pub phone_e164: Option<String>,
    /// Sorted by due date.
    pub open: Vec<OpenLine>,
    pub credits: Vec<CreditLine>,
    /// Per currency.
    pub totals: Vec<CurrencyTotal>,
    pub behaviour: Behaviour,
    /// `credit.watch_late_days_increase` for this customer.
    pub watch_increase: u32,
    pub last_payment: Option<LastPayment>,
    /// The customer's main currency (see `core::credit`), which its limit and exposure are in.
    pub credit_currency: Currency,
    /// The customer's own limit, else the policy's default (when the main currency is the
    /// company's).
    pub credit_limit: Option<Decimal>,
    /// What is owed in the main currency, due or not (credits deducted).
    pub exposure: Decimal,
    pub watch: Vec<WatchReason>,
    /// Every journal event on the customer or its invoices up to the as-of date, in date order.
    pub journal: Vec<Entry>,
    /// The next step the dunning core would take (see [`next_step_line`]).
    pub next_step: Option<String>,
    /// `dun check`'s findings about this customer and its invoices (the credit watch aside:
    /// that is `watch`).
    pub findings: Vec<Finding>,
    /// Caveats about the figures, e.g. a reference rate not yet known.
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// >>> NEXT STEP — to be filled in by the dunning core (`core::dunning`) <<<
//
// The one line `dun customer` shows under "Next step": what `dun due` would do for this customer
// on the as-of date (e.g. "reminder due for 2024124, 2024261 (fee 60.00 SEK)" or "waiting:
// collection due on 2026-12-14"). `None` prints nothing. Keep it pure: ledger + as-of in,
// one line out.
// ---------------------------------------------------------------------------------------------

/// The next step the dunning core would take for `customer` on `as_of`, as one line for people:
/// what is due today, else the earliest next step, else why nothing is scheduled.
pub fn next_step_line(ledger: &Ledger, customer: &Customer, as_of: NaiveDate) -> Option<String> {
    let outcome = super::dunning::decide_customer(ledger, as_of, &customer.id);
    let mine: Vec<_> = outcome.decisions.iter().filter(|d| d.customer == customer.id).collect();
    if mine.is_empty() {
        return None;
    }
    let due: Vec<String> = mine
        .iter()
        .filter_map(|d| d.state.action().map(|a| format!("{} for invoice {}", a.name(), d.invoice)))
        .collect();
    if !due.is_empty() {
        return Some(format!("due today: {}", due.join(", ")));
    }
    let next = mine.iter().filter_map(|d| d.next_date.map(|date| (date, &d.invoice))).min();
    if let Some((date, invoice)) = next {
        return Some(format!("next step on {date} (invoice {invoice}); `dun explain {invoice}` says why"));
    }
    let states: Vec<String> =
        mine.iter().map(|d| format!("invoice {}: {}", d.invoice, d.state.name())).collect();
    Some(format!("nothing scheduled ({})", states.join(", ")))
}

/// Builds the view of `customer` (which must be one of `ledger.customers`) on `as_of`; an
/// error only when a total leaves the range money is computed in.
pub fn customer_view(
    ledger: &Ledger,
    customer: &Customer,
    as_of: NaiveDate,
) -> Result<CustomerView, Overflow> {
    let index = ledger.customers.iter().position(|c| c.id == customer.id).unwrap_or_default() as u32;
    let rules = ledger.rules_for(Some(customer));
    let book = credit::open_book(ledger, as_of);
    let disputed = ledger.journal.disputed(as_of);
    // One pass over the journal for all the customer's invoices, not one per invoice.
    let journal = ledger.journal.by_invoice();
    let deliveries = crate::core::delivery::Deliveries::from_journal(ledger.journal.up_to(as_of));
    let mut open = Vec::new();
    let mut credits = Vec::new();
    for item in book.items.iter().filter(|i| i.owner == Owner::Known(index)) {
        let number = book.number(item);
        if item.open < Decimal::ZERO {
            credits.push(CreditLine {
                number: number.to_owned(),
                currency: item.currency,
                amount: item.open,
            });
            continue;
        }
        let Some(invoice) = ledger.invoice(number) else { continue };
        let days_overdue = (as_of - invoice.due).num_days();
        // The claim's figures (core::claim), as `dun due` and the letters show them.
        let entries = journal.get(number);
        let history = crate::core::dunning::History::from_entries(
            entries.iter().copied().filter(|e| e.date <= as_of),
            &deliveries,
        );
        let claim = crate::core::claim::claim(
            ledger,
            invoice,
            Some(customer),
            &rules,
            &history.fees(),
            Decimal::ZERO,
            item.open,
            as_of,
        );
        let (fees, interest) = match &claim {
            Ok(claim) => (claim.fees_total(), claim.interest.amount),
            Err(_) => (fees_in(entries.iter().copied(), as_of), Decimal::ZERO),
        };
        open.push(OpenLine {
            number: number.to_owned(),
            issued: invoice.issued,
            due: invoice.due,
            currency: item.currency,
            amount: invoice.amount,
            open: item.open,
            days_overdue,
            fees,
            interest,
            disputed: disputed.contains(number),
            reference: invoice.reference().map(str::to_owned),
            description: invoice.description().map(str::to_owned),
        });
    }
    open.sort_by(|a, b| (a.due, &a.number).cmp(&(b.due, &b.number)));

    let exposures = credit::exposure(&book);
    let behaviours = credit::behaviour(ledger, as_of);
    let behaviour = behaviours.get(index as usize).cloned().unwrap_or_default();
    let credit_currency = behaviour.main_currency(ledger.policy.currency);
    let default_limit = rules.credit.default_limit().filter(|_| credit_currency == ledger.policy.currency);
    let watch = credit::watch_list(&ledger.customers, &ledger.policy, &exposures, &behaviours, as_of)
        .into_iter()
        .find(|w| w.index == index)
        .map(|w| w.reasons)
        .unwrap_or_default();
    let mut notes = Vec::new();
    if rules.interest.mode() == crate::core::policy::InterestMode::Statutory
        && open.iter().any(|o| o.days_overdue > 0)
        && let Some(w) = rules::stale_rate_warning(
            charges::pack_for(ledger, Some(customer)),
            as_of,
            &charges::rate_overrides(&rules),
        )
    {
        notes.push(format!("interest: {w}"));
    }
    Ok(CustomerView {
        as_of,
        customer: customer.clone(),
        phone_e164: customer.phone().and_then(|p| parse_phone(p, customer.country()).ok()).map(|p| p.e164),
        totals: totals(&customer.id, &open, &credits)?,
        open,
        credits,
        behaviour,
        watch_increase: rules.credit.watch_late_days_increase(),
        last_payment: last_payment(ledger, customer, as_of),
        credit_currency,
        credit_limit: customer.credit_limit.or(default_limit),
        exposure: exposures.get(&(index, credit_currency)).copied().unwrap_or_default(),
        watch,
        journal: journal_of(ledger, customer, as_of),
        next_step: next_step_line(ledger, customer, as_of),
        // The credit watch is shown as such (`watch`), not as a data problem.
        findings: check_customer_findings(ledger, as_of, customer),
        notes,
    })
}

/// The customer's totals per currency, checked: an error naming the figure, never a panic.
fn totals(customer: &str, open: &[OpenLine], credits: &[CreditLine]) -> Result<Vec<CurrencyTotal>, Overflow> {
    // open, overdue, fees, interest
    let mut by: BTreeMap<Currency, [CheckedSum; 4]> = BTreeMap::new();
    for o in open {
        let t = by.entry(o.currency).or_default();
        t[0].add(o.open);
        if o.days_overdue > 0 {
            t[1].add(o.open);
        }
        t[2].add(o.fees);
        t[3].add(o.interest);
    }
    for c in credits {
        by.entry(c.currency).or_default()[0].add(c.amount);
    }
    by.into_iter()
        .map(|(currency, t)| {
            let total = |k: usize, what: &str| {
                t[k].total().ok_or_else(|| {
                    Overflow::of(format!("the {what} of customer \"{customer}\" in {currency}"))
                })
            };
            Ok(CurrencyTotal {
                currency: Some(currency),
                open: total(0, "open total")?,
                overdue: total(1, "overdue total")?,
                fees: total(2, "reminder fees")?,
                interest: total(3, "interest")?,
            })
        })
        .collect()
}

/// The reminder fees journaled on an invoice up to `as_of` (`reminder` lines carry the fee in
/// `amount`), from the invoice's journal entries.
pub fn fees_in<'a>(entries: impl Iterator<Item = &'a Entry>, as_of: NaiveDate) -> Decimal {
    entries.filter(|e| e.event == Event::Reminder && e.date <= as_of).filter_map(|e| e.amount).sum()
}

/// The latest payment on any of the customer's invoices by `as_of`: a line of `payments.csv`,
/// or an invoice's `paid_on`.
fn last_payment(ledger: &Ledger, customer: &Customer, as_of: NaiveDate) -> Option<LastPayment> {
    let invoices: Vec<&Invoice> =
        ledger.invoices.iter().filter(|i| i.customer() == customer.id && !i.is_credit_note()).collect();
    let mut best: Option<LastPayment> = None;
    let mut consider = |candidate: LastPayment| {
        if best.as_ref().is_none_or(|b| candidate.date >= b.date) {
            best = Some(candidate);
        }
    };
    for inv in &invoices {
        if let Some(date) = inv.paid_on.filter(|d| *d <= as_of && !inv.paid.is_zero()) {
            consider(LastPayment {
                date,
                amount: inv.paid,
                invoice: inv.number().to_string(),
                source: format!("invoices.csv:{}", inv.line),
            });
        }
    }
    for p in ledger.payments.iter().filter(|p| p.date <= as_of) {
        let invoice = match (&p.invoice, &p.reference) {
            (Some(number), _) => invoices.iter().find(|i| i.number() == *number),
            (None, Some(reference)) => {
                let wanted = normalize_reference(reference);
                invoices.iter().find(|i| i.reference().map(normalize_reference) == Some(wanted.clone()))
            }
            (None, None) => None,
        };
        if let Some(inv) = invoice {
            consider(LastPayment {
                date: p.date,
                amount: p.amount,
                invoice: inv.number().to_string(),
                source: format!("payments.csv:{}", p.line),
            });
        }
    }
    best
}

/// The journal lines about the customer or any of its invoices up to `as_of`, by date.
fn journal_of(ledger: &Ledger, customer: &Customer, as_of: NaiveDate) -> Vec<Entry> {
    let numbers: std::collections::HashSet<&str> =
        ledger.invoices.iter().filter(|i| i.customer() == customer.id).map(|i| i.number()).collect();
    let mut entries: Vec<Entry> = ledger
        .journal
        .up_to(as_of)
        .filter(|e| {
            e.customer() == Some(customer.id.as_str()) || e.invoice().is_some_and(|n| numbers.contains(n))
        })
        .cloned()
        .collect();
    entries.sort_by_key(|e| (e.date, e.line));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::journal::Journal;
    use crate::core::model::Payment;
    use crate::core::policy::Policy;
    use std::str::FromStr;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    fn customer(id: &str, name: &str, line: u64) -> Customer {
        Customer { id: id.into(), name: name.into(), line, ..Customer::default() }
            .with_country("SE")
            .with_language("sv")
    }

    fn invoice(number: &str, customer: &str, issued: &str, due: &str, amount: i64) -> Invoice {
        Invoice::unpaid_sek(number, customer, date(issued), date(due), d(amount))
    }

    fn ledger(
        policy: &str,
        customers: Vec<Customer>,
        invoices: Vec<Invoice>,
        payments: Vec<Payment>,
        journal: Journal,
    ) -> Ledger {
        Ledger::new(Policy::from_toml(policy).unwrap(), customers, invoices, payments, journal)
    }

    const FIXED_8: &str = "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
        [interest]\nmode = \"fixed\"\nrate = \"8\"\n";

    #[test]
    fn lookup_by_id_then_by_part_of_the_name() {
        let l = ledger(
            FIXED_8,
            vec![
                customer("K1", "Åkesson Bygg AB", 2),
                customer("K2", "Berg & Åkesson HB", 3),
                customer("K3", "Holm", 4),
            ],
            vec![],
            vec![],
            Journal::default(),
        );
        assert!(matches!(find_customer(&l, "K3"), Lookup::One(c) if c.id == "K3"));
        assert!(matches!(find_customer(&l, "holm"), Lookup::One(c) if c.id == "K3"));
        assert!(matches!(find_customer(&l, "ÅKESSON"), Lookup::Several(v) if v.len() == 2));
        assert!(matches!(find_customer(&l, "nobody"), Lookup::NotFound));
        assert!(matches!(find_customer(&l, "  "), Lookup::NotFound));
    }

    /// Interest at a fixed 8 % on 6 780 kr due 2021-01-01 (a holiday), as of 2021-04-20.
    #[test]
    fn open_invoices_with_days_fees_and_interest() {
        let mut journal = Journal::default();
        let mut reminder = Entry::new(date("2021-01-20"), Event::Reminder);
        reminder.set_invoice(Some("1"));
        reminder.set_customer(Some("K1"));
        reminder.amount = Some(d(60));
        reminder.line = 2;
        let mut dispute = Entry::new(date("2021-02-01"), Event::Dispute);
        dispute.set_invoice(Some("2"));
        dispute.line = 3;
        let mut later = Entry::new(date("2021-05-01"), Event::Note);
        later.set_customer(Some("K1"));
        later.line = 4;
        let mut other = Entry::new(date("2021-01-10"), Event::Note);
        other.set_customer(Some("K2"));
        other.line = 5;
        journal.entries = vec![reminder, dispute, later, other];
        let mut note = invoice("CN", "K1", "2021-03-01", "2021-03-01", -500);
        note.line = 4;
        let l = ledger(
            FIXED_8,
            vec![customer("K1", "Alfa AB", 2), customer("K2", "Beta AB", 3)],
            vec![
                invoice("1", "K1", "2020-12-02", "2021-01-01", 6780),
                invoice("2", "K1", "2021-04-01", "2021-05-01", 1000),
                invoice("3", "K2", "2020-12-02", "2021-01-01", 999),
                note,
            ],
            vec![],
            journal,
        );
        let v = customer_view(&l, &l.customers[0], date("2021-04-20")).unwrap();
        assert_eq!(v.open.len(), 2);
        let first = &v.open[0];
        assert_eq!((first.number.as_str(), first.days_overdue), ("1", 109));
        // Due 2021-01-01, nyårsdagen: skuldebrevslagen 5 § moves it to Monday 2021-01-04, so
        // 2021-01-05 → 2021-04-20 is 106 interest days: 6780 × 0.08 × 106 / 365 = 157.52.
        assert_eq!(first.interest, Decimal::new(15752, 2));
        assert_eq!(first.fees, d(60));
        assert!(!first.disputed);
        let second = &v.open[1];
        assert_eq!((second.days_overdue, second.interest, second.disputed), (-11, Decimal::ZERO, true));
        assert_eq!(
            v.credits,
            vec![CreditLine {
                number: "CN".into(),
                currency: Currency::parse("SEK").unwrap(),
                amount: d(-500)
            }]
        );
        assert_eq!(v.totals.len(), 1);
        assert_eq!(v.totals[0].open, d(6780 + 1000 - 500));
        assert_eq!(v.totals[0].overdue, d(6780));
        assert_eq!(v.exposure, d(7280));
        // The journal: K1's own lines and its invoices', up to the as-of date, by date.
        let events: Vec<(Event, u64)> = v.journal.iter().map(|e| (e.event, e.line)).collect();
        assert_eq!(events, vec![(Event::Reminder, 2), (Event::Dispute, 3)]);
        // One reminder on 01-20 (deadline 01-30 + collection.after_days 10): collection is due;
        // invoice 2 is disputed.
        assert_eq!(v.next_step.as_deref(), Some("due today: collection for invoice 1"));
    }

    #[test]
    fn last_payment_comes_from_paid_on_or_payments_csv() {
        let mut paid = invoice("1", "K1", "2026-01-01", "2026-01-31", 1000);
        paid.paid = d(1000);
        paid.paid_on = Some(date("2026-02-10"));
        let mut by_ref = invoice("2", "K1", "2026-02-01", "2026-03-03", 500);
        by_ref.set_reference(Some("4455"));
        let payments = vec![
            Payment {
                line: 2,
                date: date("2026-03-01"),
                invoice: None,
                amount: d(200),
                reference: Some("44 55".into()),
                ..Payment::default()
            },
            Payment {
                line: 3,
                date: date("2026-03-05"),
                invoice: Some("9".into()),
                amount: d(1),
                reference: None,
                ..Payment::default()
            },
        ];
        let l = ledger(
            FIXED_8,
            vec![customer("K1", "Alfa AB", 2)],
            vec![paid, by_ref],
            payments,
            Journal::default(),
        );
        let v = customer_view(&l, &l.customers[0], date("2026-03-31")).unwrap();
        assert_eq!(
            v.last_payment,
            Some(LastPayment {
                date: date("2026-03-01"),
                amount: d(200),
                invoice: "2".into(),
                source: "payments.csv:2".into()
            })
        );
        let before = customer_view(&l, &l.customers[0], date("2026-02-28")).unwrap();
        assert_eq!(before.last_payment.map(|p| p.source), Some("invoices.csv:2".to_owned()));
    }
}
