//! Which lines of `invoices.csv` a `dun import` keeps. The matcher's candidates are the
//! invoices open on the matching date (rules 2 and 3 look at no other) and whatever the
//! payments' references may name: a settled invoice paid again is a credit of its customer,
//! and a letter's total reference names its invoices settled or not. On a ledger of years
//! nearly every invoice is settled and named by no payment of the day: read and checked, not
//! kept.

use std::borrow::Cow;

use chrono::NaiveDate;
use rustc_hash::FxHashSet;

use crate::core::journal::{Event, Journal};
use crate::core::ledger::{PaidWithin, PaymentIndex, decides_later, decides_on, number_hash};
use crate::core::matching::NamedReferences;
use crate::core::model::{Customer, InvoiceRecord, Payment};
use crate::core::policy::Policy;
use crate::core::reference::letter::letter_totals;
use crate::letters::compose::{ReferenceSchemes, payment_reference};

/// What an import keeps an invoice record by.
pub struct ImportKeeps {
    as_of: NaiveDate,
    /// The latest day the matching may take open amounts on: the as-of date or the bank
    /// files' newest payment, if later.
    until: NaiveDate,
    paid: PaymentIndex,
    later: PaidWithin,
    named: NamedReferences,
    /// Invoices kept by number, whatever their state: those of the letters whose total
    /// reference a payment gives, and those a journal catching up names
    /// ([`unjournaled`]).
    numbers: FxHashSet<u64>,
    schemes: ReferenceSchemes,
}

impl ImportKeeps {
    /// `named`: every reference of the run's payments; `newest`: the newest payment's date.
    pub fn new(
        policy: &Policy,
        customers: &[Customer],
        payments: &[Payment],
        journal: &Journal,
        named: NamedReferences,
        as_of: NaiveDate,
        newest: Option<NaiveDate>,
    ) -> ImportKeeps {
        let until = newest.map_or(as_of, |d| d.max(as_of));
        let mut numbers: FxHashSet<u64> = FxHashSet::default();
        for letter in letter_totals(journal) {
            if named.may_name(&letter.reference) {
                numbers.extend(letter.invoices.iter().map(|n| number_hash(n)));
            }
        }
        numbers.extend(unjournaled(payments, journal).filter_map(|p| p.invoice.as_deref()).map(number_hash));
        let later = PaidWithin::new(payments, as_of.succ_opt().unwrap_or(as_of), until);
        ImportKeeps {
            as_of,
            until,
            paid: PaymentIndex::new(payments, as_of),
            later,
            named,
            numbers,
            schemes: ReferenceSchemes::new(policy, customers),
        }
    }

    /// Whether the matching may read this record (`customer`: its customer's position in the
    /// register): open on some day from the as-of date to the newest payment (the matching
    /// date is one of them), a credit note, named by number, or holding a reference some
    /// payment may give.
    pub fn keeps(&self, record: &InvoiceRecord<'_>, customer: Option<u32>) -> bool {
        decides_on(record, self.as_of, &self.paid)
            || (self.as_of < self.until && decides_later(record, self.as_of, self.until, &self.later))
            || self.numbers.contains(&number_hash(record.number))
            || (!self.named.is_empty() && self.may_be_named(record, customer))
    }

    /// Its stored reference, or the one its customer's scheme generates, may be a payment's.
    fn may_be_named(&self, record: &InvoiceRecord<'_>, customer: Option<u32>) -> bool {
        let given = match record.reference {
            Some(stored) => Some(Cow::Borrowed(stored)),
            None => {
                let scheme = self.schemes.for_customer(customer.map(|i| i as usize));
                payment_reference(None, record.number, scheme).map(Cow::Owned)
            }
        };
        given.is_some_and(|r| self.named.may_name(&r))
    }
}

/// The lines `dun` wrote to `payments.csv` (matched, with a transaction id) that have no
/// `payment` line in the journal: a run that stopped early; the next import journals them.
pub fn unjournaled<'p>(payments: &'p [Payment], journal: &Journal) -> impl Iterator<Item = &'p Payment> {
    let journaled: FxHashSet<(Option<&str>, Option<&str>)> = journal
        .entries
        .iter()
        .filter(|e| e.event == Event::Payment)
        .map(|e| (e.reference(), e.invoice()))
        .collect();
    let mut left: Vec<&Payment> = Vec::new();
    for p in payments.iter().filter(|p| p.matched_by.is_some() && p.transaction_id.is_some()) {
        if !journaled.contains(&(p.transaction_id.as_deref(), p.invoice.as_deref())) {
            left.push(p);
        }
    }
    left.into_iter()
}
