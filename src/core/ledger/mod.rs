//! The ledger as it stood on the as-of date: what is open on each invoice after `paid`,
//! `payments.csv` and credit notes, seen only through what had happened by that day.
//!
//! [`OpenBook`] is an accumulator: invoice records are pushed one at a time (from any number
//! of threads, each with its own book, merged at the end), and only what is still open is kept.
//! That is what lets `dun report` run over millions of invoices in little memory.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::core::finding::{FileReading, Finding};
use crate::core::journal::Journal;
use crate::core::model::{Currency, Customer, Invoice, InvoiceRecord, Payment, Registered};
use crate::core::policy::{Policy, Rules};

mod debtors;
mod index;
mod open_book;
mod records;
mod repeats;
pub use debtors::{Debtor, Debtors};
pub(crate) use index::NumberShape;
use index::PositionIndex;
pub use index::{CustomerIndex, numbered_and_distinct};
/// An unpaid SEK invoice record for tests elsewhere in the crate.
#[cfg(test)]
pub(crate) use open_book::tests::record as test_record;
pub use open_book::{OpenBook, OpenItem, Owner};
pub use records::{
    PaidWithin, PaymentDates, PaymentIndex, dated_payments_of, decides_later, decides_on, discount_taken,
    flagged_alone, normalize_reference, open_before_credits, open_timeline_of,
};
#[cfg(test)]
use repeats::repeated_hashes_on;
pub use repeats::{number_hash, repeated_hashes};

/// A settled invoice a load for letters left out, by what letters still need of it: the key
/// of the reference it holds (its own, or the one the policy generates from its number), as
/// [`crate::core::reference::letter::TakenReferences`] keeps it, so that no letter's total
/// reference is ever the same. Eight bytes for each of a ledger's millions of settled invoices,
/// where the reference's text took thirty-two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeftOut(pub u64);

/// A whole ledger in memory, for the commands that look at single invoices and customers
/// (`due`, `remind`, `collect`, `check`, `customer`, ...). Ledgers of a small business are a few
/// thousand invoices; `report` streams instead.
#[derive(Clone, Debug)]
pub struct Ledger {
    pub policy: Policy,
    pub customers: Vec<Customer>,
    /// In file order; credit notes included.
    pub invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    pub journal: Journal,
    /// What reading the files found that is not an error in a field: header columns that look
    /// needed but are not read, void invoices with something open, countries not known, ...
    /// `dun check` reports them with its own findings.
    pub notes: Vec<Finding>,
    /// How each file was read, where a preset or the policy's mapping decided it.
    pub readings: Vec<FileReading>,
    /// The settled invoices a load for letters left out of `invoices` (empty for a whole
    /// load): the references they hold.
    pub left_out: Vec<LeftOut>,
    customer_at: PositionIndex,
    invoice_at: PositionIndex,
    /// Each customer's country, kind and segment, by register position ([`Ledger::debtor`]).
    debtors: Debtors,
    /// Positions in `payments` by invoice number, and by normalised reference for payments
    /// that name no invoice; positions in `invoices` of the credit notes naming each invoice.
    /// Built once so that per-invoice questions never scan the whole ledger.
    payments_by_invoice: FxHashMap<String, Vec<usize>>,
    payments_by_reference: FxHashMap<String, Vec<usize>>,
    credit_notes_for: FxHashMap<String, Vec<usize>>,
}

impl Ledger {
    pub fn new(
        policy: Policy,
        customers: Vec<Customer>,
        invoices: Vec<Invoice>,
        payments: Vec<Payment>,
        journal: Journal,
    ) -> Ledger {
        // A customer id given twice is its last line, an invoice number its first; `dun
        // check` reports the duplicates.
        let customer_at = PositionIndex::build(customers.len(), true, |i| customers[i].id.as_str());
        let invoice_at = PositionIndex::build(invoices.len(), false, |i| invoices[i].number());
        let debtors = Debtors::new(&customers);
        let mut payments_by_invoice: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut payments_by_reference: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, p) in payments.iter().enumerate() {
            match (&p.invoice, &p.reference) {
                (Some(number), _) => payments_by_invoice.entry(number.clone()).or_default().push(i),
                (None, Some(r)) => payments_by_reference.entry(normalize_reference(r)).or_default().push(i),
                (None, None) => {}
            }
        }
        let mut credit_notes_for: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, inv) in invoices.iter().enumerate() {
            if let Some(target) = inv.credits() {
                credit_notes_for.entry(target.to_string()).or_default().push(i);
            }
        }
        Ledger {
            policy,
            customers,
            invoices,
            payments,
            journal,
            notes: Vec::new(),
            readings: Vec::new(),
            left_out: Vec::new(),
            customer_at,
            invoice_at,
            debtors,
            payments_by_invoice,
            payments_by_reference,
            credit_notes_for,
        }
    }

    /// Frees the journal and the payments (and their indexes) once every decision is made:
    /// what a command lists of its decisions reads the invoices, the register and the policy
    /// only. The journal's kept lines were a fifth of `dun due`'s memory, alive while its rows
    /// were sorted and written (issue #14). Whatever is asked afterwards answers as for a
    /// ledger with an empty journal and no payments.
    pub fn drop_journal_and_payments(&mut self) {
        self.journal = Journal::default();
        self.payments = Vec::new();
        self.payments_by_invoice = FxHashMap::default();
        self.payments_by_reference = FxHashMap::default();
    }

    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customer_position(id).map(|i| &self.customers[i])
    }

    /// The position in `customers` of the customer with this id (its last line, when given
    /// twice): for per-invoice tallies kept in an array rather than a map keyed by id.
    pub fn customer_position(&self, id: &str) -> Option<usize> {
        self.customer_at.get(id, |i| self.customers[i].id.as_str())
    }

    /// Where in `invoices` the first line with this number is.
    pub fn invoice_position(&self, number: &str) -> Option<usize> {
        self.invoice_at.get(number, |i| self.invoices[i].number())
    }

    /// Whether `invoice`, one of the ledger's own, is its number's first line: the invoice a
    /// number given twice stands for (`dun check` reports the others). Without a number given
    /// twice every line is, known without a lookup.
    pub fn is_first_line(&self, invoice: &Invoice) -> bool {
        self.first_line_before(invoice).is_none()
    }

    /// The first line of `invoice`'s number when `invoice` (one of the ledger's own) is a
    /// later line of it; `None` for a first line. Without a number given twice, known without
    /// looking the number up.
    pub fn first_line_before(&self, invoice: &Invoice) -> Option<&Invoice> {
        if !self.invoice_at.repeated() {
            return None;
        }
        self.invoice(invoice.number()).filter(|first| first.line != invoice.line)
    }

    pub fn invoice(&self, number: &str) -> Option<&Invoice> {
        self.invoice_at.get(number, |i| self.invoices[i].number()).map(|i| &self.invoices[i])
    }

    /// The rules for a customer: its segment's, or the base rules.
    pub fn rules_for(&self, customer: Option<&Customer>) -> Rules {
        self.rules_of_segment(customer.and_then(|c| c.segment()))
    }

    /// The rules of customers in `segment` (`None`: in none, or not in the register): the
    /// segment's, or the base rules for a segment the policy lacks.
    pub fn rules_of_segment(&self, segment: Option<&str>) -> Rules {
        self.policy.rules(segment).unwrap_or_else(|| self.policy.base_rules())
    }

    /// The debtor of every customer of the register, by position.
    pub fn debtors(&self) -> &Debtors {
        &self.debtors
    }

    /// The debtor of the customer at this register position ([`Debtors`]).
    pub fn debtor(&self, position: usize) -> Option<Debtor<'_>> {
        self.debtors.get(position)
    }

    /// The ledger's open items on `as_of`, credits applied: the same book `dun report`
    /// streams, so every command agrees on what is open.
    pub fn open_book(&self, as_of: NaiveDate) -> OpenBook {
        let index = CustomerIndex::new(&self.customers, &self.policy);
        self.open_book_by(as_of, |_, inv| index.get(inv.customer()))
    }

    /// [`Ledger::open_book`] with each invoice's customer's register position given (by its
    /// position in `invoices`), asked only of invoices with something open.
    fn open_book_by(&self, as_of: NaiveDate, owner: impl Fn(usize, &Invoice) -> Option<u32>) -> OpenBook {
        let mut book = self.open_items_by(as_of, owner, |_| {});
        book.apply_credits();
        book
    }

    /// The open items of every invoice, credits not yet applied; `placed(at)` is told each
    /// position in `invoices` that added an item, in order.
    fn open_items_by(
        &self,
        as_of: NaiveDate,
        owner: impl Fn(usize, &Invoice) -> Option<u32>,
        mut placed: impl FnMut(u32),
    ) -> OpenBook {
        let payments = PaymentIndex::new(&self.payments, as_of);
        let mut book = OpenBook::new(as_of);
        for (at, inv) in self.invoices.iter().enumerate() {
            let items = book.items.len();
            book.push_for(&inv.record(), || owner(at, inv), &payments);
            if book.items.len() > items {
                placed(at as u32);
            }
        }
        book
    }

    /// [`Ledger::open_book_by`] and the open amounts by position ([`Ledger::open_by_position`])
    /// from one reading. Each amount is put where its item was pushed from, not looked up by
    /// its number: the lookups were a fifth of perf's samples in `dun check`'s context, a
    /// cache miss each (issue #14).
    fn open_book_and_amounts_by(
        &self,
        as_of: NaiveDate,
        owner: impl Fn(usize, &Invoice) -> Option<u32>,
    ) -> (OpenBook, Vec<Decimal>) {
        // The position each item was pushed from: the book's first items, in order.
        let mut placed = Vec::new();
        let mut book = self.open_items_by(as_of, owner, |at| placed.push(at));
        // Credits applied in place: the items they empty stay where they were until the
        // amounts are read.
        book.apply_credits_keeping_emptied();
        let mut open = vec![Decimal::ZERO; self.invoices.len()];
        for (item, &at) in book.items.iter().zip(&placed) {
            if item.open > Decimal::ZERO {
                open[self.first_line_position(at as usize)] += item.open;
            }
        }
        book.drop_emptied();
        (book, open)
    }

    /// The position of the first line with the number of the invoice at `at`: `at` itself
    /// unless its number is given twice.
    pub fn first_line_position(&self, at: usize) -> usize {
        if !self.invoice_at.repeated() {
            return at;
        }
        self.invoice_position(self.invoices[at].number()).unwrap_or(at)
    }

    /// The register position of each invoice's customer, by position in `invoices`, as
    /// [`Ledger::open_book`] finds it: for [`Ledger::open_by_position_owned`].
    pub fn owners(&self) -> Vec<Option<u32>> {
        let index = CustomerIndex::new(&self.customers, &self.policy);
        self.invoices.iter().map(|inv| index.get(inv.customer())).collect()
    }

    /// [`Ledger::open_by_position`] with [`Ledger::owners`] given: for a forecast, which asks
    /// every day (the register's index was built, and every open invoice's customer looked up
    /// in it, each day again).
    pub fn open_by_position_owned(&self, as_of: NaiveDate, owners: &[Option<u32>]) -> Vec<Decimal> {
        match self.credit_notes_name_invoices() {
            false => self.open_by_position_alone(as_of),
            true => self.open_book_and_amounts(as_of, owners).1,
        }
    }

    /// Whether a credit note names the invoice it credits: only then does an invoice's open
    /// amount depend on another line's.
    fn credit_notes_name_invoices(&self) -> bool {
        self.invoices.iter().any(|inv| inv.credits().is_some())
    }

    /// [`Ledger::open_by_position`] of a ledger where no credit note names an invoice: each
    /// invoice's open amount before credits is its open amount, added at the first line of its
    /// number, as the open book would have it. No book of open items is made: on a
    /// million-invoice ledger it was 15 MB at the peak of `dun due` (issue #14).
    fn open_by_position_alone(&self, as_of: NaiveDate) -> Vec<Decimal> {
        let payments = PaymentIndex::new(&self.payments, as_of);
        let mut open = vec![Decimal::ZERO; self.invoices.len()];
        for (at, inv) in self.invoices.iter().enumerate() {
            if let Some(amount) =
                open_before_credits(&inv.record(), as_of, &payments).filter(|a| *a > Decimal::ZERO)
            {
                open[self.first_line_position(at)] += amount;
            }
        }
        open
    }

    /// [`Ledger::open_book`] with [`Ledger::owners`] given, and the open amounts by position
    /// ([`Ledger::open_by_position_owned`]) read from it: `dun check` needs both.
    pub fn open_book_and_amounts(
        &self,
        as_of: NaiveDate,
        owners: &[Option<u32>],
    ) -> (OpenBook, Vec<Decimal>) {
        self.open_book_and_amounts_by(as_of, |at, _| owners[at])
    }

    /// The days after `from`, up to `until`, on which an invoice's open amount can differ from
    /// the day before: the days an invoice or credit note is issued, a `paid` counts (its
    /// `paid_on`), a payment of payments.csv is dated. [`Ledger::open_by_position`] reads
    /// nothing else that is dated (an early-payment discount is decided on what was paid by its
    /// last day, which changes only with a payment), so on any other day it gives what it gave
    /// the day before: a forecast does not work the open amounts out again for it.
    pub fn days_open_amounts_change(&self, from: NaiveDate, until: NaiveDate) -> FxHashSet<NaiveDate> {
        let invoice_days = self.invoices.iter().flat_map(|inv| [Some(inv.issued), inv.paid_on]).flatten();
        let payment_days = self.payments.iter().map(|p| p.date);
        invoice_days.chain(payment_days).filter(|day| from < *day && *day <= until).collect()
    }

    /// The open amount of every invoice with something open on `as_of` (after `paid`,
    /// payments and credit notes), keyed by invoice number; credits are left out.
    pub fn open_amounts(&self, as_of: NaiveDate) -> FxHashMap<&str, Decimal> {
        let book = self.open_book(as_of);
        let mut open = FxHashMap::default();
        for item in book.items.iter().filter(|i| i.open > Decimal::ZERO) {
            if let Some(inv) = self.invoice(book.number(item)) {
                *open.entry(inv.number()).or_insert(Decimal::ZERO) += item.open;
            }
        }
        open
    }

    /// [`Ledger::open_amounts`] by position in `invoices`: each number's open amount at its
    /// first line, 0 elsewhere. A list the size of the ledger's, for runs that walk every
    /// invoice anyway (a map keyed by number took three times the memory).
    pub fn open_by_position(&self, as_of: NaiveDate) -> Vec<Decimal> {
        if !self.credit_notes_name_invoices() {
            return self.open_by_position_alone(as_of);
        }
        let index = CustomerIndex::new(&self.customers, &self.policy);
        self.open_book_and_amounts_by(as_of, |_, inv| index.get(inv.customer())).1
    }

    /// The dated payments on one invoice up to `as_of`, by date: `paid` (dated `paid_on`, else
    /// the invoice date, as the open amount counts it) and the lines of `payments.csv`. Credit
    /// notes are not payments and are left out.
    pub fn dated_payments(&self, invoice: &Invoice, as_of: NaiveDate) -> Vec<(NaiveDate, Decimal)> {
        dated_payments_of(&invoice.record(), self.payments_on(invoice).map(|p| (p.date, p.amount)), as_of)
    }

    /// The date of the latest payment on one invoice up to `as_of`: the last of
    /// [`Ledger::dated_payments`], without collecting them.
    pub fn last_payment_date(&self, invoice: &Invoice, as_of: NaiveDate) -> Option<NaiveDate> {
        let paid_date = invoice.paid_on.unwrap_or(invoice.issued);
        let paid = (!invoice.paid.is_zero() && paid_date <= as_of).then_some(paid_date);
        self.payments_on(invoice).map(|p| p.date).filter(|d| *d <= as_of).chain(paid).max()
    }

    /// The lines of `payments.csv` on one invoice: by its number, then by its reference. The
    /// reference is normalised only when some payment names no invoice (most ledgers' none),
    /// not once per invoice for nothing.
    fn payments_on<'a>(&'a self, invoice: &'a Invoice) -> impl Iterator<Item = &'a Payment> + 'a {
        let by_number = self.payments_by_invoice.get(invoice.number());
        let by_reference = match self.payments_by_reference.is_empty() {
            true => None,
            false => {
                invoice.reference().and_then(|r| self.payments_by_reference.get(&normalize_reference(r)))
            }
        };
        by_number.into_iter().chain(by_reference).flatten().map(|&i| &self.payments[i])
    }

    /// The open principal of one invoice from its due date on, as it changed with dated part
    /// payments and credit notes up to `as_of`: `(date, open from that date)` pairs, sorted.
    /// `paid` without `paid_on` counts from the invoice date (nothing better is known).
    pub fn open_timeline(&self, invoice: &Invoice, as_of: NaiveDate) -> Vec<(NaiveDate, Decimal)> {
        let credit_notes = self.credit_notes_for.get(invoice.number()).into_iter().flatten();
        let credits = credit_notes.map(|&i| (self.invoices[i].issued, self.invoices[i].amount));
        open_timeline_of(
            &invoice.record(),
            self.payments_on(invoice).map(|p| (p.date, p.amount)),
            credits,
            as_of,
        )
    }
}

#[cfg(test)]
mod tests;
