//! Credit watch (SPEC §10): customers over their credit limit, new customers whose exposure
//! calls for a credit check, and customers whose payments are getting later. Used by
//! `dun check`, `dun report`'s key figures and `dun customer`.
//!
//! Definitions:
//!
//! - **Exposure**: what the customer owes on the as-of date, due or not yet due, less its
//!   unapplied credits (the report's row total), in the customer's **main currency**: the
//!   currency most of its invoices are in (on a tie the company's, else the first by code).
//!   Amounts of different currencies are never added. The customer's own `credit_limit` is in
//!   its main currency; the policy's `credit.default_limit` and `credit.new_customer_check_over`
//!   are in the company's currency and apply to customers whose main currency it is.
//! - **New customer**: the first invoice is less than 90 days old.
//! - **Days late** of an invoice: settlement date − due date, at least 0. The settlement date is
//!   `paid_on`, or else the date of the payment in `payments.csv` that covered the rest of the
//!   amount (after `paid` and credit notes). An invoice that was covered by a credit note, or
//!   whose `paid` covers it without a `paid_on`, has no settlement date and does not count.
//! - **Trend**: the amount-weighted average days late of the invoices settled in the last 3
//!   months against those settled in the 12 months before. Weights are invoice amounts as
//!   written, whatever their currency (a customer pays in one currency nearly always). A
//!   customer is flagged when the average grew by `credit.watch_late_days_increase` days or
//!   more and each window holds at least [`MIN_SETTLED`] invoices: one late invoice is an
//!   incident, not a trend.
//!
//! [`CreditBook`] gathers what the trend needs while invoices stream past (as `dun report`
//! reads millions of them); [`Ledger`]-based helpers wrap it for the commands that hold the
//! whole ledger.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::ledger::{CustomerIndex, Ledger, OpenBook, Owner, PaymentDates};
use super::model::{Currency, Customer, CustomerBrief, InvoiceRecord, Registered};
use super::money::format_money_grouped;
use super::policy::Policy;

/// A customer whose first invoice is younger than this many days is new.
pub const NEW_CUSTOMER_DAYS: i64 = 90;
/// The recent window of the trend, in months back from the as-of date.
pub const RECENT_MONTHS: u32 = 3;
/// The earlier window of the trend: this many months before the recent one.
pub const PRIOR_MONTHS: u32 = 12;
/// Settled invoices each window needs before a trend is flagged.
pub const MIN_SETTLED: u32 = 2;

/// Amount-weighted days late of the invoices settled in a window. Amounts are weighed in
/// whole cents (an average of days needs no finer amounts), so adding is integer arithmetic on
/// the report's per-invoice path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LateSum {
    /// Σ amount in cents × days late. An `i128` (issue 10: an `i64` saturated, and gave a wrong
    /// average, at one invoice of the largest amount 93 days late): with amounts below
    /// `MAX_AMOUNT` (10^17 cents, open amounts twice that) and days late below 3.7 × 10^6
    /// (dates end in 9999) an invoice adds at most 7.3 × 10^23, so 2 × 10^14 invoices fit;
    /// saturating beyond, never wrapping.
    weighted: i128,
    /// Σ amount in cents.
    cents: i128,
    /// How many invoices.
    pub count: u32,
}

/// An amount in whole cents, rounded half away from zero where it has finer digits. A
/// mantissa is below 2^96, so × 100 fits an `i128`.
fn cents(amount: Decimal) -> i128 {
    match amount.scale() {
        0 => amount.mantissa() * 100,
        1 => amount.mantissa() * 10,
        2 => amount.mantissa(),
        _ => crate::core::money::round_money(amount).mantissa(),
    }
}

impl LateSum {
    pub fn add(&mut self, amount: Decimal, days_late: i64) {
        let c = cents(amount);
        self.weighted = self.weighted.saturating_add(c.saturating_mul(i128::from(days_late.max(0))));
        self.cents = self.cents.saturating_add(c);
        self.count += 1;
    }

    fn merge(&mut self, other: LateSum) {
        self.weighted = self.weighted.saturating_add(other.weighted);
        self.cents = self.cents.saturating_add(other.cents);
        self.count += other.count;
    }

    /// The average days late, to one decimal (always written with one: `23.0`); `None` when
    /// nothing was settled.
    pub fn average(&self) -> Option<Decimal> {
        if self.count == 0 || self.cents == 0 {
            return None;
        }
        // Past what a `Decimal` holds (2^96), both sums lose the same last digits: the average
        // stays as it is to far more places than the one shown.
        let (mut weighted, mut cents) = (self.weighted, self.cents);
        while Decimal::try_from_i128_with_scale(weighted, 0).is_err()
            || Decimal::try_from_i128_with_scale(cents, 0).is_err()
        {
            weighted /= 10;
            cents /= 10;
        }
        let whole = |n: i128| Decimal::from_i128_with_scale(n, 0);
        let mut avg = whole(weighted).checked_div(whole(cents))?.round_dp(1);
        avg.rescale(1);
        Some(avg)
    }
}

/// One customer's payment behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Behaviour {
    /// The date of the customer's first invoice (credit notes aside).
    pub first_issued: Option<NaiveDate>,
    /// How many invoices (credit notes aside) it has in each currency.
    pub invoices: Vec<(Currency, u32)>,
    /// Invoices settled in the last 3 months.
    pub recent: LateSum,
    /// Invoices settled in the 12 months before those.
    pub prior: LateSum,
}

impl Behaviour {
    /// Recent − prior average days late, when both windows have settled invoices.
    pub fn change(&self) -> Option<Decimal> {
        Some(self.recent.average()? - self.prior.average()?)
    }

    /// Whether the average days late grew by `increase` days or more, with at least
    /// [`MIN_SETTLED`] settled invoices in each window.
    pub fn is_worsening(&self, increase: u32) -> bool {
        self.recent.count >= MIN_SETTLED
            && self.prior.count >= MIN_SETTLED
            && self.change().is_some_and(|c| c >= Decimal::from(increase))
    }

    /// The currency most of its invoices are in; on a tie `company` if it is among them,
    /// else the first by code; `company` when there are none.
    pub fn main_currency(&self, company: Currency) -> Currency {
        let most = self.invoices.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let tied = || self.invoices.iter().filter(move |(_, n)| *n == most).map(|(c, _)| *c);
        if most == 0 || tied().any(|c| c == company) { company } else { tied().min().unwrap_or(company) }
    }

    fn add_invoices(&mut self, currency: Currency, n: u32) {
        match self.invoices.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, m)) => *m += n,
            None => self.invoices.push((currency, n)),
        }
    }
}

/// An invoice without `paid_on` that `payments.csv` pays on: its settlement date is known
/// only once every credit note is read.
#[derive(Clone, Debug)]
struct Pending {
    owner: u32,
    number: String,
    issued: NaiveDate,
    due: NaiveDate,
    amount: Decimal,
    paid: Decimal,
    payments: Vec<(NaiveDate, Decimal)>,
    /// An early-payment discount: taken, it settles the invoice at the discounted amount.
    discount: Option<super::model::Discount>,
}

/// What every invoice record updates, kept small: a register of 100 000 customers is looked
/// up at random a million times, and the report's speed is its cache misses. 20 bytes a
/// customer, so that the whole register's stays in the cache while the file streams past.
#[derive(Clone, Copy, Debug, Default)]
struct Facts {
    first_issued: Option<NaiveDate>,
    /// Invoice counts of the first two currencies seen; more go to `CreditBook::more`.
    currencies: [(Option<Currency>, u32); 2],
}

/// Invoices settled in the recent and the prior window: what only a settled invoice updates,
/// apart from [`Facts`] (96 bytes; beside the counts, every invoice's lookup touched two or
/// three cache lines of a 12.8 MB array).
#[derive(Clone, Copy, Debug, Default)]
struct Lateness {
    recent: LateSum,
    prior: LateSum,
}

/// Accumulates payment behaviour per customer from invoice records (one book per worker
/// thread, merged at the end, like [`OpenBook`]). Everything is kept by the customer's
/// position in the register.
#[derive(Clone, Debug)]
pub struct CreditBook {
    as_of: NaiveDate,
    /// Settled after this day: the recent window.
    recent_after: NaiveDate,
    /// Settled after this day (and not recent): the prior window.
    prior_after: NaiveDate,
    facts: Vec<Facts>,
    late: Vec<Lateness>,
    /// Invoice counts of a customer's third and further currencies (rare).
    more: FxHashMap<(u32, Currency), u32>,
    pending: Vec<Pending>,
    /// Credit notes by the invoice they credit: (date, amount credited > 0).
    credit_notes: FxHashMap<String, Vec<(NaiveDate, Decimal)>>,
    /// What the last invoices add, waiting for their customers' tallies to be loaded.
    in_flight: InFlight,
}

/// How many invoices later an invoice's update lands in its customer's tallies. A register of
/// 100,000 customers looked up at random is a cache miss or two per invoice (the tallies of
/// both windows are 9.6 MB a worker): applied at once, every invoice waited for its own
/// (a tenth of `dun report`'s time with key figures, issue #14). Loaded while the next
/// invoices are read, they are there when the update lands.
const IN_FLIGHT: usize = 4;

/// What one invoice adds to its customer's tallies ([`CreditBook::count_invoices`] and, settled
/// in a window, [`CreditBook::count_settled`]).
#[derive(Clone, Copy, Debug)]
struct Update {
    owner: u32,
    issued: NaiveDate,
    currency: Currency,
    /// Settled after the prior window's start: the day, the due date and the amount.
    settled: Option<(NaiveDate, NaiveDate, Decimal)>,
}

/// The updates in flight, each applied when the one [`IN_FLIGHT`] invoices later takes its
/// place; the rest when the book is read ([`CreditBook::land`]). The tallies are sums, counts
/// and the earliest date: the order they are added in changes nothing.
#[derive(Clone, Debug, Default)]
struct InFlight {
    ring: [Option<Update>; IN_FLIGHT],
    next: usize,
}

fn grown<T: Default + Clone>(v: &mut Vec<T>, i: usize) -> &mut T {
    if i >= v.len() {
        v.resize(i + 1, T::default());
    }
    &mut v[i]
}

impl CreditBook {
    pub fn new(as_of: NaiveDate) -> CreditBook {
        let recent_after = as_of.checked_sub_months(Months::new(RECENT_MONTHS)).unwrap_or(NaiveDate::MIN);
        let prior_after =
            recent_after.checked_sub_months(Months::new(PRIOR_MONTHS)).unwrap_or(NaiveDate::MIN);
        CreditBook {
            as_of,
            recent_after,
            prior_after,
            facts: Vec::new(),
            late: Vec::new(),
            more: FxHashMap::default(),
            pending: Vec::new(),
            credit_notes: FxHashMap::default(),
            in_flight: InFlight::default(),
        }
    }

    /// Adds one invoice or credit note as it stood on the as-of date. Invoices of customers
    /// the register lacks are left out.
    pub fn push(&mut self, record: &InvoiceRecord<'_>, customers: &CustomerIndex, payments: &PaymentDates) {
        self.push_for(record, customers.get(record.customer), payments);
    }

    /// [`CreditBook::push`] for a record whose customer was already looked up (`None`: not in
    /// the register), so the report looks each customer up once per invoice.
    pub fn push_for(&mut self, record: &InvoiceRecord<'_>, owner: Option<u32>, payments: &PaymentDates) {
        if record.issued > self.as_of {
            return;
        }
        if record.is_credit_note() {
            if let Some(target) = record.credits {
                self.credit_notes.entry(target.to_owned()).or_default().push((record.issued, -record.amount));
            }
            return;
        }
        if record.amount <= Decimal::ZERO {
            return;
        }
        let Some(owner) = owner else { return };
        let settled = match record.paid_on {
            Some(settled) if settled <= self.as_of => Some(settled),
            Some(_) => None,
            None if payments.is_empty() => None,
            None => {
                let on = payments.on(record);
                if !on.is_empty() {
                    self.pending.push(Pending {
                        owner,
                        number: record.number.to_owned(),
                        issued: record.issued,
                        due: record.due,
                        amount: record.amount,
                        paid: record.paid,
                        payments: on,
                        discount: record.discount,
                    });
                }
                None
            }
        };
        // Settled before both windows, it counts in neither (`count_settled`).
        let settled =
            settled.filter(|day| *day > self.prior_after).map(|day| (day, record.due, record.amount));
        self.send(Update { owner, issued: record.issued, currency: record.currency, settled });
    }

    /// Puts an update in flight, its customer's tallies loading, and applies the one it
    /// follows by [`IN_FLIGHT`] invoices.
    fn send(&mut self, update: Update) {
        let owner = update.owner as usize;
        if let Some(facts) = self.facts.get(owner) {
            crate::core::prefetch(facts);
        }
        if let (Some(_), Some(late)) = (update.settled, self.late.get(owner)) {
            crate::core::prefetch(late);
        }
        let at = self.in_flight.next;
        self.in_flight.next = (at + 1) % IN_FLIGHT;
        if let Some(landing) = self.in_flight.ring[at].replace(update) {
            self.apply(landing);
        }
    }

    fn apply(&mut self, update: Update) {
        self.count_invoices(update.owner, update.issued, update.currency, 1);
        if let Some((settled, due, amount)) = update.settled {
            self.count_settled(update.owner, settled, due, amount);
        }
    }

    /// Applies every update still in flight: before the tallies are read.
    fn land(&mut self) {
        for _ in 0..IN_FLIGHT {
            let at = self.in_flight.next;
            self.in_flight.next = (at + 1) % IN_FLIGHT;
            if let Some(update) = self.in_flight.ring[at].take() {
                self.apply(update);
            }
        }
    }

    fn count_invoices(&mut self, owner: u32, issued: NaiveDate, currency: Currency, n: u32) {
        let facts = grown(&mut self.facts, owner as usize);
        facts.first_issued = Some(facts.first_issued.map_or(issued, |d| d.min(issued)));
        count_currency(&mut facts.currencies, &mut self.more, owner, currency, n);
    }

    /// Counts an invoice settled on `settled` in the window it falls in.
    fn count_settled(&mut self, owner: u32, settled: NaiveDate, due: NaiveDate, amount: Decimal) {
        let days = (settled - due).num_days();
        if settled > self.recent_after {
            grown(&mut self.late, owner as usize).recent.add(amount, days);
        } else if settled > self.prior_after {
            grown(&mut self.late, owner as usize).prior.add(amount, days);
        }
    }

    /// Folds books from several threads into one, reusing the largest one's memory.
    pub fn merge_all(books: Vec<CreditBook>, as_of: NaiveDate) -> CreditBook {
        let mut books = books;
        books.sort_by_key(|b| std::cmp::Reverse(b.facts.len()));
        let mut iter = books.into_iter();
        let mut first = iter.next().unwrap_or_else(|| CreditBook::new(as_of));
        for other in iter {
            first.merge(other);
        }
        first
    }

    /// Folds another book (from another thread) into this one.
    pub fn merge(&mut self, mut other: CreditBook) {
        self.land();
        other.land();
        for (owner, late) in other.late.iter().enumerate() {
            if late.recent.count + late.prior.count > 0 {
                let mine = grown(&mut self.late, owner);
                mine.recent.merge(late.recent);
                mine.prior.merge(late.prior);
            }
        }
        for (owner, facts) in other.facts.iter().enumerate() {
            let Some(first) = facts.first_issued else { continue };
            for (currency, n) in facts.currencies {
                if let Some(c) = currency {
                    self.count_invoices(owner as u32, first, c, n);
                }
            }
        }
        for ((owner, currency), n) in other.more {
            let first = other.facts[owner as usize].first_issued.unwrap_or(self.as_of);
            self.count_invoices(owner, first, currency, n);
        }
        self.pending.extend(other.pending);
        for (target, notes) in other.credit_notes {
            self.credit_notes.entry(target).or_default().extend(notes);
        }
    }

    /// Settles the invoices paid through `payments.csv` and returns each customer's behaviour
    /// by its position in the register (customers past the end have no invoices).
    pub fn finish(self) -> Vec<Behaviour> {
        let settled = self.settle();
        (0..settled.len()).map(|i| settled.behaviour(i).unwrap_or_default()).collect()
    }

    /// [`CreditBook::finish`] without building every customer's [`Behaviour`] at once: each is
    /// made when asked for, which keeps a large register's report small.
    pub fn settle(mut self) -> SettledBook {
        self.land();
        for p in std::mem::take(&mut self.pending) {
            let credits = self.credit_notes.get(&p.number).map_or(&[][..], Vec::as_slice);
            if let Some(settled) = settled_by_payment(&p, credits) {
                self.count_settled(p.owner, settled, p.due, p.amount);
            }
        }
        SettledBook { facts: self.facts, late: self.late, more: self.more }
    }
}

/// A credit book whose payments are settled: customers' behaviour by register position.
pub struct SettledBook {
    facts: Vec<Facts>,
    late: Vec<Lateness>,
    more: FxHashMap<(u32, Currency), u32>,
}

impl SettledBook {
    pub fn len(&self) -> usize {
        self.facts.len().max(self.late.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The behaviour of the customer at register position `i`; `None` without invoices.
    pub fn behaviour(&self, i: usize) -> Option<Behaviour> {
        if i >= self.len() {
            return None;
        }
        let facts = self.facts.get(i).copied().unwrap_or_default();
        let late = self.late.get(i).copied().unwrap_or_default();
        let mut b = Behaviour {
            first_issued: facts.first_issued,
            invoices: facts.currencies.iter().filter_map(|&(c, n)| c.map(|c| (c, n))).collect(),
            recent: late.recent,
            prior: late.prior,
        };
        if !self.more.is_empty() {
            for (&(owner, currency), &n) in &self.more {
                if owner as usize == i {
                    b.add_invoices(currency, n);
                }
            }
        }
        Some(b)
    }
}

/// The date of the payment that covered the rest of an invoice, if a payment (not `paid`
/// or a credit note) did. On one day, credit notes count before payments.
fn settled_by_payment(p: &Pending, credits: &[(NaiveDate, Decimal)]) -> Option<NaiveDate> {
    // (date, order on that day, amount, is a payment)
    let mut events: Vec<(NaiveDate, u8, Decimal, bool)> = Vec::new();
    if !p.paid.is_zero() {
        events.push((p.issued, 0, p.paid, false));
    }
    events.extend(credits.iter().map(|&(d, a)| (d, 1, a, false)));
    events.extend(p.payments.iter().map(|&(d, a)| (d, 2, a, true)));
    events.sort_by_key(|e| (e.0, e.1));
    // A discount taken in time (the same rule as `ledger::discount_taken`) lowers what settles it.
    let target = match p.discount {
        Some(d) => {
            let by_then: Decimal = events.iter().filter(|e| e.0 <= d.until).map(|e| e.2).sum();
            if by_then >= p.amount - d.amount && by_then < p.amount { p.amount - d.amount } else { p.amount }
        }
        None => p.amount,
    };
    let mut covered = Decimal::ZERO;
    for (date, _, amount, is_payment) in events {
        covered += amount;
        if covered >= target {
            return is_payment.then_some(date);
        }
    }
    None
}

/// What the credit watch needs of a customer.
pub trait CreditCustomer: Registered {
    fn name(&self) -> &str;
    fn credit_limit(&self) -> Option<Decimal>;
}

impl CreditCustomer for Customer {
    fn name(&self) -> &str {
        &self.name
    }
    fn credit_limit(&self) -> Option<Decimal> {
        self.credit_limit
    }
}

impl CreditCustomer for CustomerBrief {
    fn name(&self) -> &str {
        CustomerBrief::name(self)
    }
    fn credit_limit(&self) -> Option<Decimal> {
        self.credit_limit
    }
}

/// Adds `n` invoices in `currency` to a customer's counts: the first two currencies in its
/// own slots, any further one in `more` (nearly every customer invoices in one or two).
pub(crate) fn count_currency(
    slots: &mut [(Option<Currency>, u32); 2],
    more: &mut FxHashMap<(u32, Currency), u32>,
    owner: u32,
    currency: Currency,
    n: u32,
) {
    for slot in slots {
        match slot.0 {
            Some(c) if c == currency => {
                slot.1 += n;
                return;
            }
            None => {
                *slot = (Some(currency), n);
                return;
            }
            Some(_) => {}
        }
    }
    *more.entry((owner, currency)).or_default() += n;
}

/// Each customer's exposure per currency, keyed by its position in the register and the
/// currency: the sum of its open items (credits included) in a book whose credits have been
/// applied.
pub fn exposure(book: &OpenBook) -> FxHashMap<(u32, Currency), Decimal> {
    let mut out: FxHashMap<(u32, Currency), Decimal> = FxHashMap::default();
    for item in &book.items {
        if let Owner::Known(i) = item.owner {
            *out.entry((i, item.currency)).or_default() += item.open;
        }
    }
    out
}

/// The finding codes of the credit watch, in the order of [`WatchReason`]'s variants.
pub const WATCH_CODES: [&str; 3] = ["over-credit-limit", "new-customer-check", "late-payment-trend"];

/// Why a customer is on the watch list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchReason {
    /// Exposure above the customer's credit limit (its own, else `credit.default_limit`).
    OverLimit { currency: Currency, exposure: Decimal, limit: Decimal },
    /// A new customer whose exposure exceeds `credit.new_customer_check_over`.
    NewCustomer { currency: Currency, first_invoice: NaiveDate, exposure: Decimal, threshold: Decimal },
    /// Average days late grew by `credit.watch_late_days_increase` or more.
    PayingLater { recent: LateSum, prior: LateSum, recent_days: Decimal, prior_days: Decimal, threshold: u32 },
}

impl WatchReason {
    /// A stable kebab-case name, also the `dun check` finding code.
    pub fn code(&self) -> &'static str {
        match self {
            WatchReason::OverLimit { .. } => WATCH_CODES[0],
            WatchReason::NewCustomer { .. } => WATCH_CODES[1],
            WatchReason::PayingLater { .. } => WATCH_CODES[2],
        }
    }

    /// One line for people, with the figures.
    pub fn describe(&self) -> String {
        let (words, figures) = self.wording();
        let mut line = String::new();
        super::finding::fill(words, figures.iter().map(String::as_str), &mut line);
        line
    }

    /// [`WatchReason::describe`] as its words, each `\0` in them standing for the next of the
    /// figures (a finding keeps them so: the words are the same for tens of thousands).
    pub fn wording(&self) -> (&'static str, Vec<String>) {
        let money = |d: &Decimal| format_money_grouped(*d);
        match self {
            WatchReason::OverLimit { currency, exposure, limit } => (
                "exposure \0 \0 is over the credit limit \0 \0",
                vec![money(exposure), currency.to_string(), money(limit), currency.to_string()],
            ),
            WatchReason::NewCustomer { currency, first_invoice, exposure, threshold } => (
                "new customer (first invoice \0) with exposure \0 \0, over \0 \0: time for a credit check",
                vec![
                    first_invoice.to_string(),
                    money(exposure),
                    currency.to_string(),
                    money(threshold),
                    currency.to_string(),
                ],
            ),
            WatchReason::PayingLater { recent, prior, recent_days, prior_days, threshold } => (
                "pays later: \0 days late on average in the last \0 months (\0 invoice\0) against \0 in the \0 months before (\0 invoice\0), +\0 days (watch at +\0)",
                vec![
                    recent_days.to_string(),
                    RECENT_MONTHS.to_string(),
                    recent.count.to_string(),
                    plural(recent.count).to_owned(),
                    prior_days.to_string(),
                    PRIOR_MONTHS.to_string(),
                    prior.count.to_string(),
                    plural(prior.count).to_owned(),
                    (recent_days - prior_days).to_string(),
                    threshold.to_string(),
                ],
            ),
        }
    }
}

/// A figure behind a watch reason: money, a date or days as text (exact, as written), or a count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Figure {
    Text(String),
    Count(u32),
}

impl WatchReason {
    /// The figures behind the reason, named, as machines read them (money with two decimals,
    /// days with one).
    pub fn figures(&self) -> Vec<(&'static str, Figure)> {
        use super::money::format_money;
        let money = |d: &Decimal| Figure::Text(format_money(*d));
        match self {
            WatchReason::OverLimit { currency, exposure, limit } => vec![
                ("currency", Figure::Text(currency.to_string())),
                ("exposure", money(exposure)),
                ("limit", money(limit)),
            ],
            WatchReason::NewCustomer { currency, first_invoice, exposure, threshold } => vec![
                ("currency", Figure::Text(currency.to_string())),
                ("first_invoice", Figure::Text(first_invoice.to_string())),
                ("exposure", money(exposure)),
                ("threshold", money(threshold)),
            ],
            WatchReason::PayingLater { recent, prior, recent_days, prior_days, threshold } => vec![
                ("avg_days_late_recent", Figure::Text(recent_days.to_string())),
                ("settled_recent", Figure::Count(recent.count)),
                ("avg_days_late_prior", Figure::Text(prior_days.to_string())),
                ("settled_prior", Figure::Count(prior.count)),
                ("increase", Figure::Text((recent_days - prior_days).to_string())),
                ("threshold", Figure::Count(*threshold)),
            ],
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A customer on the watch list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchItem {
    pub customer: String,
    pub name: String,
    /// The customer's line in `customers.csv`.
    pub line: u64,
    /// Its position in the register.
    pub index: u32,
    pub reasons: Vec<WatchReason>,
}

/// The credit settings of one segment, looked up once.
#[derive(Clone, Copy)]
struct CreditRules {
    default_limit: Option<Decimal>,
    new_customer_check_over: Option<Decimal>,
    watch_late_days_increase: u32,
}

/// The watch list: every customer over its limit, new and above the check threshold, or
/// paying later, in register order. `exposure` and `behaviour` are keyed by register position
/// (see [`exposure`] and [`CreditBook::finish`]).
pub fn watch_list<C: CreditCustomer>(
    customers: &[C],
    policy: &Policy,
    exposure: &FxHashMap<(u32, Currency), Decimal>,
    behaviour: &[Behaviour],
    as_of: NaiveDate,
) -> Vec<WatchItem> {
    watch_list_by(
        customers,
        policy,
        |i, c| exposure.get(&(i, c)).copied().unwrap_or_default(),
        |i| behaviour.get(i).cloned(),
        as_of,
    )
}

/// [`watch_list`] with exposure and behaviour looked up by register position through
/// functions, so a caller can keep them in whatever shape is cheapest.
pub fn watch_list_by<C: CreditCustomer>(
    customers: &[C],
    policy: &Policy,
    exposure: impl Fn(u32, Currency) -> Decimal,
    behaviour: impl Fn(usize) -> Option<Behaviour>,
    as_of: NaiveDate,
) -> Vec<WatchItem> {
    watch_part(customers, 0, policy, (&exposure, &behaviour), as_of)
}

/// From this many customers [`watch_list_on_cores`] makes the list in two halves.
const WATCH_IN_HALVES_FROM: usize = 16_384;

/// [`watch_list_by`] for a caller with the machine to itself (`dun report`, after its scan): a
/// large register's two halves each on a thread of its own. Each customer's behaviour is worked
/// out here (averages of days late, divided and rounded): a tenth of a second on one core for a
/// hundred thousand customers. `dun check` runs it as one of its parts, beside the others.
pub fn watch_list_on_cores<C: CreditCustomer + Sync>(
    customers: &[C],
    policy: &Policy,
    exposure: impl Fn(u32, Currency) -> Decimal + Sync,
    behaviour: impl Fn(usize) -> Option<Behaviour> + Sync,
    as_of: NaiveDate,
) -> Vec<WatchItem> {
    let halves = customers.len() >= WATCH_IN_HALVES_FROM && crate::core::workers() > 1;
    watch_list_in_parts(customers, policy, (&exposure, &behaviour), as_of, halves)
}

/// The watch list; with `halves`, the register's two halves each on a thread of its own, their
/// lists joined in register order.
fn watch_list_in_parts<C: CreditCustomer + Sync>(
    customers: &[C],
    policy: &Policy,
    lookups: (&(impl Fn(u32, Currency) -> Decimal + Sync), &(impl Fn(usize) -> Option<Behaviour> + Sync)),
    as_of: NaiveDate,
    halves: bool,
) -> Vec<WatchItem> {
    if !halves {
        return watch_part(customers, 0, policy, lookups, as_of);
    }
    let mid = customers.len() / 2;
    let (mut first, second) = crate::core::both(
        || watch_part(&customers[..mid], 0, policy, lookups, as_of),
        || watch_part(&customers[mid..], mid, policy, lookups, as_of),
    );
    first.extend(second);
    first
}

/// The watch list of `customers`, the register's from position `from` on.
fn watch_part<C: CreditCustomer>(
    customers: &[C],
    from: usize,
    policy: &Policy,
    (exposure, behaviour): (&impl Fn(u32, Currency) -> Decimal, &impl Fn(usize) -> Option<Behaviour>),
    as_of: NaiveDate,
) -> Vec<WatchItem> {
    let mut by_segment: HashMap<Option<&str>, CreditRules> = HashMap::new();
    let mut list = Vec::new();
    for (i, customer) in customers.iter().enumerate().map(|(i, c)| (from + i, c)) {
        let index = i as u32;
        let rules = *by_segment.entry(customer.segment()).or_insert_with(|| {
            let r = policy.rules(customer.segment()).unwrap_or_else(|| policy.base_rules());
            CreditRules {
                default_limit: r.credit.default_limit(),
                new_customer_check_over: r.credit.new_customer_check_over(),
                watch_late_days_increase: r.credit.watch_late_days_increase(),
            }
        });
        let b = behaviour(i);
        let currency = b.as_ref().map_or(policy.currency, |b| b.main_currency(policy.currency));
        let owed = exposure(index, currency);
        let reasons =
            reasons_for(customer.credit_limit(), rules, policy.currency, currency, owed, b.as_ref(), as_of);
        if !reasons.is_empty() {
            list.push(WatchItem {
                customer: customer.id().to_owned(),
                name: customer.name().to_owned(),
                line: customer.line(),
                index,
                reasons,
            });
        }
    }
    list
}

fn reasons_for(
    own_limit: Option<Decimal>,
    rules: CreditRules,
    company: Currency,
    currency: Currency,
    exposure: Decimal,
    behaviour: Option<&Behaviour>,
    as_of: NaiveDate,
) -> Vec<WatchReason> {
    // The policy's amounts are in the company's currency.
    let in_company = |amount: Option<Decimal>| amount.filter(|_| currency == company);
    let over_limit = own_limit
        .or(in_company(rules.default_limit))
        .filter(|limit| exposure > *limit)
        .map(|limit| WatchReason::OverLimit { currency, exposure, limit });
    let new_customer = behaviour.and_then(|b| {
        let (first, threshold) = (b.first_issued?, in_company(rules.new_customer_check_over)?);
        ((as_of - first).num_days() < NEW_CUSTOMER_DAYS && exposure > threshold)
            .then_some(WatchReason::NewCustomer { currency, first_invoice: first, exposure, threshold })
    });
    let paying_later = behaviour.and_then(|b| {
        let (recent_days, prior_days) = (b.recent.average()?, b.prior.average()?);
        b.is_worsening(rules.watch_late_days_increase).then_some(WatchReason::PayingLater {
            recent: b.recent,
            prior: b.prior,
            recent_days,
            prior_days,
            threshold: rules.watch_late_days_increase,
        })
    });
    // As long as the reasons found, no longer: a pushed-to list of these 136-byte reasons took
    // room for four, half a megabyte of fresh memory a thousand customers on the list, and the
    // page faults of it were a fifth of `dun check`'s credit watch (issue #14).
    let found = [over_limit, new_customer, paying_later];
    let mut reasons = Vec::with_capacity(found.iter().flatten().count());
    reasons.extend(found.into_iter().flatten());
    reasons
}

// ---------------------------------------------------------------------------------------------
// The same over a whole ledger in memory

/// The ledger's open items on `as_of`, credits applied.
pub fn open_book(ledger: &Ledger, as_of: NaiveDate) -> OpenBook {
    ledger.open_book(as_of)
}

/// Every customer's payment behaviour on `as_of`, keyed by its position in `ledger.customers`.
pub fn behaviour(ledger: &Ledger, as_of: NaiveDate) -> Vec<Behaviour> {
    let index = CustomerIndex::new(&ledger.customers, &ledger.policy);
    let payments = PaymentDates::new(&ledger.payments, as_of);
    let mut book = CreditBook::new(as_of);
    for inv in &ledger.invoices {
        book.push(&inv.record(), &index, &payments);
    }
    book.finish()
}

/// The ledger's watch list on `as_of`.
pub fn ledger_watch_list(ledger: &Ledger, as_of: NaiveDate) -> Vec<WatchItem> {
    let exposure = exposure(&open_book(ledger, as_of));
    watch_list(&ledger.customers, &ledger.policy, &exposure, &behaviour(ledger, as_of), as_of)
}

#[cfg(test)]
mod tests;
