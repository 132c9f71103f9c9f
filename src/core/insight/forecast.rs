//! What cash to expect in the coming weeks, per currency, from the open invoices and how each
//! customer has paid (SPEC §4's days late), with a backtest of the same model on a past date.
//!
//! The model, kept simple enough to check by hand:
//! 1. **History**: every invoice settled by a payment in the 365 days up to the as-of date, with
//!    its delay = settlement day − due date in days (negative when paid early). The settlement
//!    day is the day its open amount reached zero, with a payment on that day (an invoice
//!    settled by a credit note, or by `paid` without `paid_on`, tells nothing about paying).
//! 2. A customer with at least [`OWN_HISTORY_MIN`] such invoices is expected to pay as it did;
//!    any other customer as the whole ledger did.
//! 3. An open invoice `o` days past due on the as-of date (negative: not yet due) has not been
//!    paid so far, so only the delays longer than `o` can still happen: each of them is equally
//!    likely, and the open amount is spread over their days (due + delay) in equal parts. When
//!    the customer's own history has no delay that long, the ledger's is used; when neither has,
//!    the invoice is **not expected** (it is older than anything ever paid).
//! 4. Days are summed into weeks of seven days from the day after the as-of date; what falls
//!    after the last week is **later**. Credits are not cash in and are left out; invoices not
//!    yet written are not forecast.
//!
//! **Backtest**: the same model as of `as_of − 7 × weeks`, seeing only what was known then,
//! against the payments actually received in each of those weeks on the invoices then open.
//! The error is the WAPE, Σ|forecast − actual| ÷ Σ actual over the weeks, per currency, and the
//! bias (Σ forecast − Σ actual) ÷ Σ actual.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::core::ledger::{Ledger, PaidWithin, PaymentIndex, decides_on};
use crate::core::model::{Currency, Invoice, InvoiceRecord};
use crate::core::money::{Overflow, add_to, round_money};

/// Settled invoices a customer needs before its own behaviour is used.
pub const OWN_HISTORY_MIN: usize = 3;
/// How far back the history reaches, in days.
pub const HISTORY_DAYS: i64 = 365;

/// The model in one paragraph, printed with every forecast.
pub const MODEL: &str = "Model: each open invoice is paid on its due date plus one of the delays \
(settlement − due) of its customer's invoices settled in the last 365 days (the whole ledger's \
when the customer has fewer than 3), each of those longer than it has already waited equally \
likely. Invoices older than any delay ever seen are not expected; new invoices are not forecast.";

/// Expected payments in one week and currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Week {
    pub start: NaiveDate,
    pub currency: Currency,
    pub expected: Decimal,
}

/// Per currency: what the model does with the open amount.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurrencyOutlook {
    /// Open on the as-of date (invoices only, credits left out).
    pub open: Decimal,
    /// Expected after the last week.
    pub later: Decimal,
    /// Open on invoices older than any delay in the history.
    pub not_expected: Decimal,
    /// Open invoices forecast from their customer's own history, from the ledger's, or neither.
    pub own_history: u32,
    pub ledger_history: u32,
    pub no_history: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    pub as_of: NaiveDate,
    pub weeks: Vec<Week>,
    pub outlook: BTreeMap<Currency, CurrencyOutlook>,
    /// Settled invoices the history holds.
    pub history_invoices: usize,
}

impl Forecast {
    pub fn week_starts(&self) -> Vec<NaiveDate> {
        let mut starts: Vec<NaiveDate> = self.weeks.iter().map(|w| w.start).collect();
        starts.dedup();
        starts
    }
}

/// One week of the backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct BacktestWeek {
    pub start: NaiveDate,
    pub currency: Currency,
    pub forecast: Decimal,
    pub actual: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BacktestError {
    pub forecast: Decimal,
    pub actual: Decimal,
    pub absolute_error: Decimal,
    /// Σ|forecast − actual| ÷ Σ actual, in %, one decimal; none when nothing was paid.
    pub wape_pct: Option<Decimal>,
    /// (Σ forecast − Σ actual) ÷ Σ actual, in %, one decimal.
    pub bias_pct: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    pub as_of: NaiveDate,
    pub weeks: Vec<BacktestWeek>,
    pub error: BTreeMap<Currency, BacktestError>,
}

/// The day an invoice was settled by a payment, as seen on `as_of`.
fn settled_by_payment(ledger: &Ledger, invoice: &Invoice, as_of: NaiveDate) -> Option<NaiveDate> {
    let timeline = ledger.open_timeline(invoice, as_of);
    let (day, _) = *timeline.iter().find(|(_, open)| open.is_zero())?;
    let payments = ledger.dated_payments(invoice, as_of);
    let undated_paid = invoice.paid_on.is_none() && !invoice.paid.is_zero();
    let paid_that_day = payments.iter().any(|(d, _)| *d == day) && !(undated_paid && day == invoice.issued);
    paid_that_day.then_some(day)
}

/// Delays in days (settlement − due), sorted: per customer and for the whole ledger.
struct History<'a> {
    by_customer: FxHashMap<&'a str, Vec<i64>>,
    all: Vec<i64>,
}

impl<'a> History<'a> {
    fn new(ledger: &'a Ledger, invoices: &[(usize, &'a Invoice)], as_of: NaiveDate) -> History<'a> {
        let mut h = History { by_customer: FxHashMap::default(), all: Vec::new() };
        for &(_, invoice) in invoices {
            let Some(day) = settled_by_payment(ledger, invoice, as_of) else { continue };
            if (as_of - day).num_days() >= HISTORY_DAYS {
                continue;
            }
            let delay = (day - invoice.due).num_days();
            h.by_customer.entry(invoice.customer()).or_default().push(delay);
            h.all.push(delay);
        }
        for list in h.by_customer.values_mut() {
            list.sort_unstable();
        }
        h.all.sort_unstable();
        h
    }

    /// The delays that can still happen to an invoice `overdue` days past due: the customer's
    /// own when it has enough history and one that long, else the ledger's.
    fn candidates(&self, customer: &str, overdue: i64) -> (Basis, &[i64]) {
        fn longer(list: &[i64], overdue: i64) -> &[i64] {
            &list[list.partition_point(|&d| d <= overdue)..]
        }
        if let Some(own) = self.by_customer.get(customer).filter(|l| l.len() >= OWN_HISTORY_MIN) {
            let c = longer(own, overdue);
            if !c.is_empty() {
                return (Basis::Own, c);
            }
        }
        let c = longer(&self.all, overdue);
        (if c.is_empty() { Basis::None } else { Basis::Ledger }, c)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Basis {
    Own,
    Ledger,
    None,
}

/// The invoices of the ledger as they stood on `as_of`: first line per number, no credit notes.
/// With the position of each number's first line in `ledger.invoices`, where
/// [`Ledger::open_by_position`] has its open amount (a map by number, and a set of the numbers
/// seen, were a third of a forecast's time).
fn invoices_on(ledger: &Ledger, as_of: NaiveDate) -> Vec<(usize, &Invoice)> {
    let read = |i: &Invoice| !i.is_credit_note() && i.issued <= as_of;
    // Numbers whose first line is not read and a later one was taken.
    let mut taken_later = rustc_hash::FxHashSet::default();
    let mut list = Vec::new();
    for (at, invoice) in ledger.invoices.iter().enumerate() {
        if !read(invoice) {
            continue;
        }
        let Some(first) = ledger.invoice_position(invoice.number()) else { continue };
        if first == at || (!read(&ledger.invoices[first]) && taken_later.insert(invoice.number())) {
            list.push((first, invoice));
        }
    }
    list
}

/// The days a forecast on `as_of` for `weeks` weeks reads, with its backtest: the day the
/// backtest's forecast was made, and the first day a settlement can count in either's history.
#[derive(Clone, Copy, Debug)]
pub struct ForecastDays {
    pub as_of: NaiveDate,
    pub backtest_from: NaiveDate,
    pub history_from: NaiveDate,
}

impl ForecastDays {
    pub fn new(as_of: NaiveDate, weeks: u32) -> ForecastDays {
        let backtest_from = as_of - Days::new(7 * u64::from(weeks));
        let history_from = backtest_from - Days::new(HISTORY_DAYS as u64 - 1);
        ForecastDays { as_of, backtest_from, history_from }
    }

    /// What the payments tell of every invoice on those days.
    pub fn known(self, payments: &[crate::core::model::Payment]) -> KnownPayments {
        KnownPayments {
            days: self,
            now: PaymentIndex::new(payments, self.as_of),
            then: PaymentIndex::new(payments, self.backtest_from),
            in_history: PaidWithin::new(payments, self.history_from, self.as_of),
        }
    }
}

/// The payments as [`may_be_forecast`] reads them.
pub struct KnownPayments {
    days: ForecastDays,
    now: PaymentIndex,
    then: PaymentIndex,
    in_history: PaidWithin,
}

/// Whether [`forecast`] or [`backtest`] can need this invoice record: a credit note, an
/// invoice with something open (or owed back) on the as-of day or the backtest's day, or one
/// whose open amount may have changed within the history, where the day it was settled may lie
/// (that day is one of its changes). Not from the record alone: every line of a number given
/// twice (the first line is the invoice) and the numbers a credit note issued in the history
/// names, which the caller reads again.
pub fn may_be_forecast(record: &InvoiceRecord<'_>, known: &KnownPayments) -> bool {
    record.credits.is_some()
        || record.is_credit_note()
        || decides_on(record, known.days.as_of, &known.now)
        || decides_on(record, known.days.backtest_from, &known.then)
        || known.in_history.changes(record)
}

/// The forecast for `weeks` weeks after `as_of` (see the module documentation). Sums are
/// checked: a figure past the range is an [`Overflow`] naming it, never a panic.
pub fn forecast(ledger: &Ledger, as_of: NaiveDate, weeks: u32) -> Result<Forecast, Overflow> {
    let invoices = invoices_on(ledger, as_of);
    let history = History::new(ledger, &invoices, as_of);
    let open = ledger.open_by_position(as_of);
    let mut per_week: BTreeMap<(u32, Currency), Decimal> = BTreeMap::new();
    let mut outlook: BTreeMap<Currency, CurrencyOutlook> = BTreeMap::new();
    for &(at, invoice) in &invoices {
        let amount = open[at];
        if amount <= Decimal::ZERO {
            continue;
        }
        let currency = invoice.currency;
        let o = outlook.entry(currency).or_default();
        add_to(&mut o.open, amount, || format!("the open amount in {currency}"))?;
        let overdue = (as_of - invoice.due).num_days();
        let (basis, delays) = history.candidates(invoice.customer(), overdue);
        match basis {
            Basis::Own => o.own_history += 1,
            Basis::Ledger => o.ledger_history += 1,
            Basis::None => {
                o.no_history += 1;
                add_to(&mut o.not_expected, amount, || format!("the amount not expected in {currency}"))?;
                continue;
            }
        }
        // At most the open amount, as is `part × later` below: only the sums need checking.
        let part = amount / Decimal::from(delays.len() as u64);
        let later = delays_per_week(delays, overdue, weeks, |week, delays| {
            add_to(per_week.entry((week, currency)).or_default(), part * Decimal::from(delays), || {
                format!("the payments expected in week {} in {currency}", week + 1)
            })
        })?;
        add_to(&mut o.later, part * Decimal::from(later), || {
            format!("the payments expected later in {currency}")
        })?;
    }
    let start = |k: u32| as_of + Days::new(1 + 7 * u64::from(k));
    let currencies: Vec<Currency> = outlook.keys().copied().collect();
    let weeks = (0..weeks)
        .flat_map(|k| {
            let per_week = &per_week;
            currencies.iter().map(move |&c| Week {
                start: start(k),
                currency: c,
                expected: round_money(per_week.get(&(k, c)).copied().unwrap_or_default()),
            })
        })
        .collect();
    for o in outlook.values_mut() {
        o.later = round_money(o.later);
    }
    Ok(Forecast { as_of, weeks, outlook, history_invoices: history.all.len() })
}

/// Gives `week` (0 for the first) and the number of `delays` (sorted) that fall in it, for the
/// weeks after the as-of date of an invoice `overdue` days past due and with some, and returns
/// how many fall after the last week (or the first error of `each`). A delay is paid on day delay − overdue after as-of (the
/// delays given are longer than `overdue`); week k holds days 7k+1 ..= 7k+7. Counted between
/// two positions of the sorted list, not delay by delay: a ledger's history is hundreds of
/// thousands of delays, spread for every invoice without a history of its own.
fn delays_per_week<E>(
    delays: &[i64],
    overdue: i64,
    weeks: u32,
    mut each: impl FnMut(u32, usize) -> Result<(), E>,
) -> Result<usize, E> {
    let mut at = 0;
    for week in 0..weeks {
        let last_day = overdue + 7 * i64::from(week) + 7;
        let end = at + delays[at..].partition_point(|&delay| delay <= last_day);
        if end > at {
            each(week, end - at)?;
        }
        at = end;
    }
    Ok(delays.len() - at)
}

/// The forecast made `weeks` weeks before `as_of`, against what was paid in those weeks on the
/// invoices open then.
pub fn backtest(ledger: &Ledger, as_of: NaiveDate, weeks: u32) -> Result<Backtest, Overflow> {
    let from = ForecastDays::new(as_of, weeks).backtest_from;
    let past = forecast(ledger, from, weeks)?;
    let open_then = ledger.open_by_position(from);
    let mut actual: BTreeMap<(NaiveDate, Currency), Decimal> = BTreeMap::new();
    for (at, invoice) in invoices_on(ledger, from) {
        let open = open_then[at];
        if open <= Decimal::ZERO {
            continue;
        }
        // Payments after `from`, up to what was open then (an overpayment is not income
        // the forecast could have known of).
        let mut left = open;
        for (day, amount) in ledger.dated_payments(invoice, as_of) {
            if day <= from || left <= Decimal::ZERO {
                continue;
            }
            let k = ((day - from).num_days() - 1) / 7;
            let paid = amount.min(left);
            left -= paid;
            let week = from + Days::new(1 + 7 * k as u64);
            let currency = invoice.currency;
            add_to(actual.entry((week, currency)).or_default(), paid, || {
                format!("the payments received in the week of {week} in {currency}")
            })?;
        }
    }
    let mut error: BTreeMap<Currency, BacktestError> = BTreeMap::new();
    let weeks: Vec<BacktestWeek> = past
        .weeks
        .iter()
        .map(|w| {
            let actual = actual.get(&(w.start, w.currency)).copied().unwrap_or_default();
            let e = error.entry(w.currency).or_default();
            let currency = w.currency;
            add_to(&mut e.forecast, w.expected, || format!("the backtest's forecast in {currency}"))?;
            add_to(&mut e.actual, actual, || format!("the backtest's payments in {currency}"))?;
            let miss = w.expected.checked_sub(actual).map(|m| m.abs());
            let miss = miss.ok_or_else(|| Overflow::of(format!("the backtest's error in {currency}")))?;
            add_to(&mut e.absolute_error, miss, || format!("the backtest's error in {currency}"))?;
            Ok(BacktestWeek { start: w.start, currency, forecast: w.expected, actual })
        })
        .collect::<Result<_, Overflow>>()?;
    for (currency, e) in error.iter_mut() {
        let too_large = || Overflow::of(format!("the backtest's error in {currency}"));
        e.wape_pct = percent(e.absolute_error, e.actual).ok_or_else(too_large)?;
        let bias = e.forecast.checked_sub(e.actual).ok_or_else(too_large)?;
        e.bias_pct = percent(bias, e.actual).ok_or_else(too_large)?;
    }
    Ok(Backtest { as_of: from, weeks, error })
}

/// `part ÷ whole` in %, one decimal; none of nothing (`Some(None)`); `None` past the range.
fn percent(part: Decimal, whole: Decimal) -> Option<Option<Decimal>> {
    if whole.is_zero() {
        return Some(None);
    }
    let pct = part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)?;
    let mut pct = pct.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    pct.rescale(1);
    Some(Some(pct))
}

#[cfg(test)]
mod tests;
