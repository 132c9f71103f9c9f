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
pub use debtors::{Debtor, Debtors};
use index::PositionIndex;
pub use index::{CustomerIndex, numbered_and_distinct};
/// An unpaid SEK invoice record for tests elsewhere in the crate.
#[cfg(test)]
pub(crate) use open_book::tests::record as test_record;
pub use open_book::{OpenBook, OpenItem, Owner};

/// The payments of `payments.csv` made by the as-of date, summed per invoice and per reference.
#[derive(Debug, Default, Clone)]
pub struct PaymentIndex {
    by_invoice: HashMap<String, Decimal>,
    by_reference: HashMap<String, Decimal>,
    /// The same payments with their dates, for the early-payment discount (what was paid by
    /// its last day).
    dated_by_invoice: HashMap<String, Vec<(NaiveDate, Decimal)>>,
    dated_by_reference: HashMap<String, Vec<(NaiveDate, Decimal)>>,
}

impl PaymentIndex {
    pub fn new(payments: &[Payment], as_of: NaiveDate) -> PaymentIndex {
        let mut index = PaymentIndex::default();
        for p in payments.iter().filter(|p| p.date <= as_of) {
            match (&p.invoice, &p.reference) {
                (Some(number), _) => {
                    *index.by_invoice.entry(number.clone()).or_default() += p.amount;
                    index.dated_by_invoice.entry(number.clone()).or_default().push((p.date, p.amount));
                }
                (None, Some(reference)) => {
                    let key = normalize_reference(reference);
                    index.dated_by_reference.entry(key.clone()).or_default().push((p.date, p.amount));
                    *index.by_reference.entry(key).or_default() += p.amount
                }
                (None, None) => {}
            }
        }
        index
    }

    /// What `payments.csv` paid on this invoice by the as-of date.
    pub fn paid_on(&self, record: &InvoiceRecord<'_>) -> Decimal {
        let mut sum = Decimal::ZERO;
        if !self.by_invoice.is_empty() {
            sum += self.by_invoice.get(record.number).copied().unwrap_or_default();
        }
        if let (false, Some(reference)) = (self.by_reference.is_empty(), record.reference) {
            sum += self.by_reference.get(&normalize_reference(reference)).copied().unwrap_or_default();
        }
        sum
    }
}

impl PaymentIndex {
    /// The dated payments of `payments.csv` on this invoice (by its number and by its
    /// reference), up to the index's as-of date.
    pub fn dated_on<'a>(
        &'a self,
        record: &InvoiceRecord<'_>,
    ) -> impl Iterator<Item = (NaiveDate, Decimal)> + 'a {
        let by_reference = match (self.dated_by_reference.is_empty(), record.reference) {
            (false, Some(reference)) => self.dated_by_reference.get(&normalize_reference(reference)),
            _ => None,
        };
        self.dated_by_invoice.get(record.number).into_iter().chain(by_reference).flatten().copied()
    }

    /// What `payments.csv` paid on this invoice up to and including `day`.
    pub fn paid_by(&self, record: &InvoiceRecord<'_>, day: NaiveDate) -> Decimal {
        let sum = |list: Option<&Vec<(NaiveDate, Decimal)>>| -> Decimal {
            list.into_iter().flatten().filter(|(d, _)| *d <= day).map(|(_, a)| *a).sum()
        };
        let mut total = sum(self.dated_by_invoice.get(record.number));
        if let (false, Some(reference)) = (self.dated_by_reference.is_empty(), record.reference) {
            total += sum(self.dated_by_reference.get(&normalize_reference(reference)));
        }
        total
    }
}

/// Whether the invoice's early-payment discount was taken by `as_of`: what was paid by its
/// last day (`paid` counts when `paid_on` is that day or before) reaches the amount less the
/// discount, and is less than the amount (who paid in full did not take it). Then the discount
/// settles the rest.
pub fn discount_taken(
    record: &InvoiceRecord<'_>,
    as_of: NaiveDate,
    payments: &PaymentIndex,
) -> Option<Decimal> {
    let discount = record.discount?;
    let last = discount.until.min(as_of);
    let paid = match record.paid_on {
        Some(d) if d <= last => record.paid,
        _ => Decimal::ZERO,
    };
    let by_then = paid + payments.paid_by(record, last);
    (by_then >= record.amount - discount.amount && by_then < record.amount).then_some(discount.amount)
}

/// References are compared without spaces and case: `RF18 5390 0754 7034` = `rf18539007547034`.
pub fn normalize_reference(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// What is open on one invoice before credit notes, as of `as_of`: `None` when the invoice
/// did not exist yet. `paid` counts from `paid_on` when given, else from the invoice date.
pub fn open_before_credits(
    record: &InvoiceRecord<'_>,
    as_of: NaiveDate,
    payments: &PaymentIndex,
) -> Option<Decimal> {
    if record.issued > as_of {
        return None;
    }
    let paid_counts = record.paid_on.is_none_or(|d| d <= as_of);
    let paid = if paid_counts { record.paid } else { Decimal::ZERO };
    let discount = if record.discount.is_some() { discount_taken(record, as_of, payments) } else { None };
    Some(record.amount - paid - payments.paid_on(record) - discount.unwrap_or_default())
}

/// Whether a decision on `as_of` (SPEC §6: `dun due`) can need this invoice record: an invoice
/// with something open or owed back on that day, and every credit note that names an invoice
/// (its credit reduces that invoice, and its date and amount are on the invoice's timeline).
/// An invoice settled by then, or not issued yet, is decided on nothing and claims nothing:
/// such a load needs only its number, for the duplicate check (a number given twice is decided
/// on its first line).
pub fn decides_on(record: &InvoiceRecord<'_>, as_of: NaiveDate, payments: &PaymentIndex) -> bool {
    record.credits.is_some()
        || open_before_credits(record, as_of, payments).is_some_and(|open| !open.is_zero())
}

/// The payments of `payments.csv` dated within a period, by the invoice number or the
/// reference they name (as [`Ledger`] matches them): what may have settled an invoice in it.
#[derive(Debug)]
pub struct PaidWithin {
    from: NaiveDate,
    to: NaiveDate,
    numbers: rustc_hash::FxHashSet<String>,
    references: rustc_hash::FxHashSet<String>,
}

impl PaidWithin {
    pub fn new(payments: &[Payment], from: NaiveDate, to: NaiveDate) -> PaidWithin {
        let (numbers, references) = Default::default();
        let mut within = PaidWithin { from, to, numbers, references };
        for p in payments.iter().filter(|p| (from..=to).contains(&p.date)) {
            match (&p.invoice, &p.reference) {
                (Some(number), _) => within.numbers.insert(number.clone()),
                (None, Some(r)) => within.references.insert(normalize_reference(r)),
                (None, None) => false,
            };
        }
        within
    }

    /// Whether a payment in the period names this invoice.
    pub fn on(&self, record: &InvoiceRecord<'_>) -> bool {
        self.numbers.contains(record.number)
            || (!self.references.is_empty()
                && record.reference.is_some_and(|r| self.references.contains(&normalize_reference(r))))
    }

    /// Whether the invoice's open amount may change within the period by what was paid:
    /// `paid` dated in it (by `paid_on`, else the invoice date, as [`Ledger::open_timeline`]
    /// counts it) or a payment of `payments.csv` in it. (A credit note is the caller's.)
    pub fn changes(&self, record: &InvoiceRecord<'_>) -> bool {
        (self.from..=self.to).contains(&record.paid_on.unwrap_or(record.issued)) || self.on(record)
    }
}

/// Whether a decision on a day after `as_of`, up to `until`, can need this invoice record
/// that [`decides_on`] `as_of` does not (a forecast: `dun due --until`): one issued in that
/// time, or whose open amount may change in it — `paid` dated in it, a payment of
/// `payments.csv` in it (`later`: those dated after `as_of`), an early-payment discount (what
/// it leaves open depends on the day). An invoice settled on `as_of` without any of these
/// stays settled to the end.
pub fn decides_later(
    record: &InvoiceRecord<'_>,
    as_of: NaiveDate,
    until: NaiveDate,
    later: &PaidWithin,
) -> bool {
    let within = |d: NaiveDate| as_of < d && d <= until;
    within(record.issued)
        || record.paid_on.is_some_and(within)
        || record.discount.is_some()
        || later.on(record)
}

/// Whether `dun check` calls this invoice record an error on its own, whatever else the ledger
/// holds (SPEC §10): its customer is not in the register, it falls due before it was issued,
/// or its balance disagrees with amount − paid or is more than the amount. A load for letters
/// keeps such an invoice even when it is settled, so that the data gate of `dun remind` and
/// `dun collect` sees it. (The errors that need another line — a number given twice, the
/// invoice a credit note names — are kept by number.)
pub fn flagged_alone(record: &InvoiceRecord<'_>, known_customer: bool) -> bool {
    !known_customer
        || (!record.is_credit_note() && record.due < record.issued)
        || record.balance.is_some_and(|b| b != record.amount - record.paid || b.abs() > record.amount.abs())
}

/// A settled invoice a load for letters left out, by what letters still need of it: the key
/// of the reference it holds (its own, or the one the policy generates from its number), as
/// [`crate::core::reference::letter::TakenReferences`] keeps it, so that no letter's total
/// reference is ever the same. Eight bytes for each of a ledger's millions of settled invoices,
/// where the reference's text took thirty-two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeftOut(pub u64);

/// The numbers that may appear more than once, from a hash of each (every part's, together):
/// two numbers with the same hash count as repeated, which costs only keeping both.
pub fn repeated_hashes(parts: Vec<Vec<u64>>) -> rustc_hash::FxHashSet<u64> {
    let total: usize = parts.iter().map(Vec::len).sum();
    let threads = if total < REPEATS_ON_THREADS_FROM { 1 } else { crate::core::workers() };
    repeated_hashes_on(&parts, threads)
}

/// From this many hashes [`repeated_hashes`] reads them on several threads.
const REPEATS_ON_THREADS_FROM: usize = 1 << 16;

/// [`repeated_hashes`] on `threads` threads. Each takes the hashes of one range (by their top
/// bits) from every part, sorts them and reads the repeats: a number's every hash is in one
/// range, so no thread needs another's. (Issue #14: a million hashes sorted on one thread
/// were a twentieth of `dun due`; sorted by part and merged, the merge on one thread was a
/// twentieth of `dun check`.)
pub(crate) fn repeated_hashes_on(parts: &[Vec<u64>], threads: usize) -> rustc_hash::FxHashSet<u64> {
    let total: usize = parts.iter().map(Vec::len).sum();
    let repeated_in = |range: usize| {
        let mut mine = Vec::with_capacity(total / threads + total / 32 + 16);
        for part in parts {
            mine.extend(part.iter().copied().filter(|&hash| hash_range(hash, threads) == range));
        }
        mine.sort_unstable();
        mine.windows(2).filter(|pair| pair[0] == pair[1]).map(|pair| pair[0]).collect()
    };
    if threads <= 1 {
        return repeated_in(0);
    }
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|range| scope.spawn(move || repeated_in(range))).collect();
        let mut repeated: rustc_hash::FxHashSet<u64> = repeated_in(0);
        for other in others {
            repeated.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        repeated
    })
}

/// Which of `ranges` equal ranges of hashes (by their top 32 bits) `hash` is in.
fn hash_range(hash: u64, ranges: usize) -> usize {
    (((hash >> 32) * ranges as u64) >> 32) as usize
}

/// The hash [`repeated_hashes`] compares invoice numbers by.
pub fn number_hash(number: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(number)
}

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
        let invoice_at = PositionIndex::build(invoices.len(), false, |i| invoices[i].number.as_str());
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
        self.invoice_at.get(number, |i| self.invoices[i].number.as_str())
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
        self.invoice(&invoice.number).filter(|first| first.line != invoice.line)
    }

    pub fn invoice(&self, number: &str) -> Option<&Invoice> {
        self.invoice_at.get(number, |i| self.invoices[i].number.as_str()).map(|i| &self.invoices[i])
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

    /// The debtor of the customer at this register position ([`Debtors`]).
    pub fn debtor(&self, position: usize) -> Option<Debtor<'_>> {
        self.debtors.get(position)
    }

    /// The ledger's open items on `as_of`, credits applied: the same book `dun report`
    /// streams, so every command agrees on what is open.
    pub fn open_book(&self, as_of: NaiveDate) -> OpenBook {
        let index = CustomerIndex::new(&self.customers, &self.policy);
        self.open_book_by(as_of, |_, inv| index.get(&inv.customer))
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
        self.invoice_position(&self.invoices[at].number).unwrap_or(at)
    }

    /// The register position of each invoice's customer, by position in `invoices`, as
    /// [`Ledger::open_book`] finds it: for [`Ledger::open_by_position_owned`].
    pub fn owners(&self) -> Vec<Option<u32>> {
        let index = CustomerIndex::new(&self.customers, &self.policy);
        self.invoices.iter().map(|inv| index.get(&inv.customer)).collect()
    }

    /// [`Ledger::open_by_position`] with [`Ledger::owners`] given: for a forecast, which asks
    /// every day (the register's index was built, and every open invoice's customer looked up
    /// in it, each day again).
    pub fn open_by_position_owned(&self, as_of: NaiveDate, owners: &[Option<u32>]) -> Vec<Decimal> {
        self.open_book_and_amounts(as_of, owners).1
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
                *open.entry(inv.number.as_str()).or_insert(Decimal::ZERO) += item.open;
            }
        }
        open
    }

    /// [`Ledger::open_amounts`] by position in `invoices`: each number's open amount at its
    /// first line, 0 elsewhere. A list the size of the ledger's, for runs that walk every
    /// invoice anyway (a map keyed by number took three times the memory).
    pub fn open_by_position(&self, as_of: NaiveDate) -> Vec<Decimal> {
        let index = CustomerIndex::new(&self.customers, &self.policy);
        self.open_book_and_amounts_by(as_of, |_, inv| index.get(&inv.customer)).1
    }

    /// The dated payments on one invoice up to `as_of`, by date: `paid` (dated `paid_on`, else
    /// the invoice date, as the open amount counts it) and the lines of `payments.csv`. Credit
    /// notes are not payments and are left out.
    pub fn dated_payments(&self, invoice: &Invoice, as_of: NaiveDate) -> Vec<(NaiveDate, Decimal)> {
        let mut paid = Vec::new();
        let paid_date = invoice.paid_on.unwrap_or(invoice.issued);
        if !invoice.paid.is_zero() && paid_date <= as_of {
            paid.push((paid_date, invoice.paid));
        }
        for p in self.payments_on(invoice).filter(|p| p.date <= as_of) {
            paid.push((p.date, p.amount));
        }
        paid.sort_by_key(|p| p.0);
        paid
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
        let by_number = self.payments_by_invoice.get(invoice.number.as_str());
        let by_reference = match self.payments_by_reference.is_empty() {
            true => None,
            false => invoice
                .reference
                .as_deref()
                .and_then(|r| self.payments_by_reference.get(&normalize_reference(r))),
        };
        by_number.into_iter().chain(by_reference).flatten().map(|&i| &self.payments[i])
    }

    /// The open principal of one invoice from its due date on, as it changed with dated part
    /// payments and credit notes up to `as_of`: `(date, open from that date)` pairs, sorted.
    /// `paid` without `paid_on` counts from the invoice date (nothing better is known).
    pub fn open_timeline(&self, invoice: &Invoice, as_of: NaiveDate) -> Vec<(NaiveDate, Decimal)> {
        let mut changes: Vec<(NaiveDate, Decimal)> = Vec::new();
        match invoice.paid_on {
            Some(d) if d <= as_of => changes.push((d, invoice.paid)),
            Some(_) => {}
            None => changes.push((invoice.issued, invoice.paid)),
        }
        for p in self.payments_on(invoice).filter(|p| p.date <= as_of) {
            changes.push((p.date, p.amount));
        }
        for &i in self.credit_notes_for.get(invoice.number.as_str()).into_iter().flatten() {
            let cn = &self.invoices[i];
            if cn.issued <= as_of && cn.amount < Decimal::ZERO {
                changes.push((cn.issued, -cn.amount));
            }
        }
        changes.sort_by_key(|c| c.0);
        if let Some(d) = invoice.discount() {
            // The discount settles the rest on the day the discounted amount was reached.
            let by_until: Decimal = changes.iter().filter(|c| c.0 <= d.until).map(|c| c.1).sum();
            let mut paid = Decimal::ZERO;
            let reached = changes.iter().find_map(|(date, amount)| {
                paid += amount;
                (paid >= invoice.amount - d.amount).then_some(*date)
            });
            let taken = by_until >= invoice.amount - d.amount && by_until < invoice.amount;
            if let (Some(day), true) = (reached, taken) {
                let at = changes.partition_point(|c| c.0 <= day);
                changes.insert(at, (day, d.amount));
            }
        }
        let mut open = invoice.amount;
        let mut timeline = vec![(invoice.issued.min(invoice.due), open)];
        for (date, paid) in changes {
            open = (open - paid).max(Decimal::ZERO);
            match timeline.last_mut() {
                Some(last) if last.0 == date => last.1 = open,
                _ => timeline.push((date, open)),
            }
        }
        timeline
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;
    use crate::core::model::CustomerBrief;
    use proptest::prelude::Strategy as _;

    proptest::proptest! {
        /// The open book read with the amounts by position is the open book, and each amount
        /// is what looking its number up finds: numbers given twice (each line's amount at
        /// the first), credit notes that empty their invoice, part of it, or name none,
        /// customers the register lacks, invoices paid or not issued yet.
        #[test]
        fn open_amounts_by_position_are_those_looked_up_by_number(
            invoices in proptest::collection::vec(
                (0u32..6, 0usize..3, -4i64..6, 0i64..3, 0u64..60, proptest::option::of(0u32..7)),
                0..14,
            ),
            on in 0u64..90,
        ) {
            use crate::core::model::{Customer, Invoice};
            let customers = vec![Customer::new("K1", "Åby AB"), Customer::new("K2", "Kjær ApS")];
            let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let invoices: Vec<Invoice> = invoices
                .iter()
                .enumerate()
                .map(|(i, &(number, customer, amount, paid, issued, credits))| {
                    let issued = start + chrono::Days::new(issued);
                    let amount = Decimal::new(amount * 100, 0);
                    let mut inv = Invoice::unpaid_sek(
                        &format!("{}", 100 + number),
                        ["K1", "K2", "NOBODY"][customer],
                        issued,
                        issued + chrono::Days::new(30),
                        amount,
                    );
                    if amount > Decimal::ZERO {
                        inv.paid = Decimal::new(paid * 100, 0).min(amount);
                    } else if let Some(target) = credits {
                        inv.set_credits(Some(&format!("{}", 100 + target)));
                    }
                    inv.line = i as u64 + 2;
                    inv
                })
                .collect();
            let policy = Policy::from_toml(
                "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n",
            )
            .unwrap();
            let ledger = Ledger::new(policy, customers, invoices, Vec::new(), Journal::default());
            let as_of = start + chrono::Days::new(on);
            let book = ledger.open_book(as_of);
            let mut looked_up = vec![Decimal::ZERO; ledger.invoices.len()];
            for item in book.items.iter().filter(|i| i.open > Decimal::ZERO) {
                looked_up[ledger.invoice_position(book.number(item)).unwrap()] += item.open;
            }
            proptest::prop_assert_eq!(&ledger.open_by_position(as_of), &looked_up);
            let (read, open) = ledger.open_book_and_amounts(as_of, &ledger.owners());
            proptest::prop_assert_eq!(&open, &looked_up);
            let items = |b: &OpenBook| -> Vec<String> {
                b.items.iter().map(|i| format!("{} {:?} {} {} {}", b.number(i), i.owner, i.currency, i.due, i.open)).collect()
            };
            proptest::prop_assert_eq!(items(&read), items(&book));
        }

        /// On any number of threads, the repeated hashes are those given more than once, in
        /// one part or across parts: hashes far apart in their top bits (each thread's range)
        /// and close together.
        #[test]
        fn repeated_hashes_are_those_given_twice(
            parts in proptest::collection::vec(
                proptest::collection::vec((0u64..6, 0u64..4).prop_map(|(high, low)| (high << 61) | low), 0..12),
                1..4,
            ),
            threads in 1usize..5,
        ) {
            let mut seen = std::collections::BTreeMap::<u64, usize>::new();
            for &hash in parts.iter().flatten() {
                *seen.entry(hash).or_default() += 1;
            }
            let twice: rustc_hash::FxHashSet<u64> = seen.into_iter().filter(|(_, n)| *n > 1).map(|(h, _)| h).collect();
            proptest::prop_assert_eq!(repeated_hashes_on(&parts, threads), twice.clone());
            proptest::prop_assert_eq!(repeated_hashes(parts), twice);
        }
    }

    #[test]
    fn numbered_ids_are_known_distinct_without_a_map() {
        let distinct = |ids: &[&str]| numbered_and_distinct(ids.len(), |i| ids[i]);
        assert!(distinct(&["C001", "C003", "C002"]));
        assert!(distinct(&["7", "12", "100"]));
        assert!(!distinct(&["C001", "C002", "C001"]), "a number twice");
        // One number written two ways could be one customer or two: not known distinct.
        assert!(!distinct(&["C1", "C01"]));
        assert!(!distinct(&["Alfa", "Berg"]), "not numbers");
        assert!(!distinct(&["C001", "K002"]), "two prefixes");
        assert!(!distinct(&[]));
        assert!(distinct(&["Kö-12", "Kö-7"]), "a prefix of any letters");
        assert!(!distinct(&["Kö-12", "K-7"]));
        assert!(!distinct(&["C1", "C2a"]), "not a number after the prefix");
        assert!(!distinct(&["C1", "C1234567890"]), "ten digits");
        assert!(!distinct(&["C01", "C2"]), "leading zeros and no fixed width");
        assert!(distinct(&["C10", "C2"]), "no leading zeros, any width");
    }

    fn index_of(ids: &[&str]) -> Vec<Option<u32>> {
        let customers: Vec<CustomerBrief> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| CustomerBrief::new(id, "N", None, None, 30, i as u64 + 2))
            .collect();
        let policy =
            Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let index = CustomerIndex::new(&customers, &policy);
        [
            "1001", "1002", "C003199", "C3199", "C03199", "K-7", "K-07", "7", "01001", "C003200", "", "C",
            "1001x",
        ]
        .iter()
        .map(|q| index.get(q))
        .collect()
    }

    #[test]
    fn numbered_ids_are_found_exactly() {
        // Plain numbers: no leading zeros, so "01001" is not 1001.
        assert_eq!(
            index_of(&["1001", "1002", "87"]),
            vec![Some(0), Some(1), None, None, None, None, None, None, None, None, None, None, None]
        );
        // Zero-padded with a prefix: the width must match.
        assert_eq!(
            index_of(&["C003199", "C000001"]),
            vec![None, None, Some(0), None, None, None, None, None, None, None, None, None, None]
        );
        // Mixed widths with leading zeros, or mixed prefixes: the hash map, same answers.
        assert_eq!(
            index_of(&["C003199", "C3199x", "1001"]),
            vec![Some(2), None, Some(0), None, None, None, None, None, None, None, None, None, None]
        );
        assert_eq!(index_of(&["K-7", "K-12"])[5], Some(0));
        // Large numbers in a dense range start their array at the lowest.
        assert_eq!(index_of(&["20241001", "20241002"])[0], None);
        let big = index_of(&["1002", "1001"]);
        assert_eq!((big[0], big[1]), (Some(1), Some(0)));
        assert_eq!(index_of(&["K-7", "K-12"])[6], None);
    }

    /// An invoice number given twice is found on its first line, a customer id on its last
    /// (as the maps keyed by copies of them did).
    #[test]
    fn a_number_is_its_first_line_and_an_id_its_last() {
        let policy =
            Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let customer =
            |id: &str, name: &str| Customer { id: id.into(), name: name.into(), ..Customer::default() };
        let invoice = |number: &str, line: u64| {
            let mut r = super::open_book::tests::record(number, "K1", "2026-01-01", "2026-01-31", 100, 0);
            r.line = line;
            r.to_owned()
        };
        let ledger = Ledger::new(
            policy,
            vec![customer("K1", "First"), customer("K2", "Other"), customer("K1", "Second")],
            vec![invoice("10", 2), invoice("11", 3), invoice("10", 4)],
            Vec::new(),
            Journal::default(),
        );
        assert_eq!(ledger.invoice("10").map(|i| i.line), Some(2));
        assert_eq!(ledger.invoice("11").map(|i| i.line), Some(3));
        assert_eq!(ledger.invoice("1"), None);
        assert_eq!(ledger.customer("K1").map(|c| c.name.as_str()), Some("Second"));
        assert_eq!(ledger.customer("K2").map(|c| c.name.as_str()), Some("Other"));
        assert_eq!(ledger.customer("K3"), None);
    }

    /// A ledger done deciding (`dun due`) frees its journal and payments: a payment no longer
    /// counts on its invoice, and the invoices and the register are read as before.
    #[test]
    fn a_ledger_done_deciding_keeps_its_invoices_and_register() {
        use crate::core::journal::{Entry, Event};
        let policy =
            Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let invoice =
            super::open_book::tests::record("10", "K1", "2026-01-01", "2026-01-31", 100, 0).to_owned();
        let payment = Payment {
            date: day("2026-02-05"),
            invoice: Some("10".into()),
            amount: Decimal::from(40),
            ..Payment::default()
        };
        let mut sent = Entry::new(day("2026-02-10"), Event::Reminder);
        sent.set_invoice(Some("10"));
        let mut ledger = Ledger::new(
            policy,
            vec![Customer { id: "K1".into(), name: "First".into(), ..Customer::default() }],
            vec![invoice],
            vec![payment],
            Journal { entries: vec![sent] },
        );
        let as_of = day("2026-03-01");
        assert_eq!(ledger.last_payment_date(&ledger.invoices[0], as_of), Some(day("2026-02-05")));
        ledger.drop_journal_and_payments();
        assert!(ledger.journal.entries.is_empty() && ledger.payments.is_empty());
        assert_eq!(ledger.last_payment_date(&ledger.invoices[0], as_of), None);
        assert_eq!(ledger.invoice("10").map(|i| i.customer.as_str()), Some("K1"));
        assert_eq!(ledger.customer("K1").map(|c| c.name.as_str()), Some("First"));
    }

    /// Numbered ids and invoice numbers are looked up by their number: the exact text finds
    /// its line, and nothing else that parses to the same number does.
    #[test]
    fn numbered_keys_are_found_by_their_exact_text() {
        let policy =
            Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let customer = |id: &str| Customer {
            id: id.into(),
            name: compact_str::format_compact!("N{id}"),
            ..Customer::default()
        };
        let invoice = |number: &str, line: u64| {
            let mut r = super::open_book::tests::record(number, "C007", "2026-01-01", "2026-01-31", 100, 0);
            r.line = line;
            r.to_owned()
        };
        let ledger = Ledger::new(
            policy,
            vec![customer("C007"), customer("C010"), customer("C008")],
            vec![invoice("1001", 2), invoice("1003", 3), invoice("999", 4)],
            Vec::new(),
            Journal::default(),
        );
        assert!(format!("{ledger:?}").contains("numbered: true"), "both indexes should be numbered");
        assert_eq!(ledger.customer("C010").map(|c| c.name.as_str()), Some("NC010"));
        assert_eq!(ledger.customer_position("C008"), Some(2));
        for missing in ["C7", "C0007", "C009", "C011", "c007", "C007 ", "007", ""] {
            assert_eq!(ledger.customer(missing), None, "{missing:?}");
        }
        assert_eq!(ledger.invoice("1003").map(|i| i.line), Some(3));
        assert_eq!(ledger.invoice("999").map(|i| i.line), Some(4));
        for missing in ["01001", "1002", "0999", "1001.0", "+1001", "1004"] {
            assert_eq!(ledger.invoice(missing), None, "{missing:?}");
        }
    }

    /// The latest payment date is the last of the dated payments, by number or reference.
    #[test]
    fn the_last_payment_date_is_the_last_dated_payment() {
        let policy =
            Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let payment = |line: u64, on: &str, invoice: Option<&str>, reference: Option<&str>| Payment {
            line,
            date: day(on),
            invoice: invoice.map(Into::into),
            amount: Decimal::from(10),
            reference: reference.map(Into::into),
            transaction_id: None,
            source: None,
            matched_by: None,
        };
        let mut by_ref =
            super::open_book::tests::record("2", "K1", "2026-01-01", "2026-01-31", 100, 30).to_owned();
        by_ref.reference = Some("12 34-5".into());
        by_ref.paid_on = Some(day("2026-01-20"));
        let plain = super::open_book::tests::record("1", "K1", "2026-01-01", "2026-01-31", 100, 0).to_owned();
        let ledger = Ledger::new(
            policy,
            vec![Customer { id: "K1".into(), ..Customer::default() }],
            vec![plain.clone(), by_ref.clone()],
            vec![
                payment(2, "2026-02-10", Some("1"), None),
                payment(3, "2026-02-20", Some("1"), None),
                payment(4, "2026-02-15", None, Some("12345")),
            ],
            Journal::default(),
        );
        for on in ["2026-01-10", "2026-01-25", "2026-02-12", "2026-02-16", "2026-03-01"] {
            for inv in [&plain, &by_ref] {
                let expected = ledger.dated_payments(inv, day(on)).last().map(|p| p.0);
                assert_eq!(ledger.last_payment_date(inv, day(on)), expected, "{} on {on}", inv.number);
            }
        }
        assert_eq!(ledger.last_payment_date(&plain, day("2026-03-01")), Some(day("2026-02-20")));
        assert_eq!(ledger.last_payment_date(&by_ref, day("2026-03-01")), Some(day("2026-02-15")));
        assert_eq!(ledger.last_payment_date(&plain, day("2026-01-10")), None);
    }

    #[test]
    fn short_and_long_ids_are_found() {
        let long = "K".repeat(40);
        let customers = vec![
            CustomerBrief::new("C1", "Alfa", None, None, 30, 2),
            CustomerBrief::new(&long, "Beta", None, None, 30, 3),
            CustomerBrief::new(&"x".repeat(23), "Gamma", None, None, 30, 4),
        ];
        let policy =
            Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let index = CustomerIndex::new(&customers, &policy);
        assert_eq!(index.get("C1"), Some(0));
        assert_eq!(index.get(&long), Some(1));
        assert_eq!(index.get(&"x".repeat(23)), Some(2));
        assert_eq!(index.get("C2"), None);
        assert_eq!(index.get(&"K".repeat(39)), None);
        assert_eq!(index.get(""), None);
    }
}
