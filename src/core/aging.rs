//! Aging (SPEC §4): open amounts by customer, currency and days overdue, with key figures.
//! The buckets of every row sum to its total, and the totals to the open amount of the book.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::credit::WatchItem;
use super::ledger::{OpenBook, Owner};
use super::model::{Currency, CustomerBrief, InvoiceRecord};
use rustc_hash::FxHashMap;

/// The bucket for `days_overdue` given bounds like `[30, 60, 90]`: 0 is not due,
/// 1 is `1-30`, …, the last is `91+`.
pub fn bucket_index(days_overdue: i64, bounds: &[u32]) -> usize {
    if days_overdue <= 0 {
        return 0;
    }
    1 + bounds.iter().take_while(|&&b| days_overdue > i64::from(b)).count()
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgingRow {
    pub customer: String,
    pub name: String,
    pub currency: Currency,
    pub buckets: Vec<Decimal>,
    pub total: Decimal,
}

/// Per-currency key figures.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CurrencyFigures {
    pub open: Decimal,
    pub overdue: Decimal,
    pub invoiced_90d: Decimal,
    /// Open receivables ÷ invoiced in the last 90 days × 90; none without recent invoicing.
    pub dso: Option<Decimal>,
    /// Amount-weighted days late of invoices settled in the last 12 months.
    pub avg_days_late: Option<Decimal>,
    pub disputed: Decimal,
    pub credit: Decimal,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct KeyFigures {
    pub per_currency: BTreeMap<Currency, CurrencyFigures>,
    pub invoices_due_12m: u64,
    pub reminded_12m: u64,
    pub collected_12m: u64,
    /// Customers over their credit limit, new above the check threshold, or paying later
    /// (`core::credit`; filled in by the caller, which streams what it needs).
    pub credit_watch: Vec<WatchItem>,
}

impl KeyFigures {
    /// Share (in %) of the invoices that fell due in the last 12 months that got a reminder.
    pub fn reminder_share(&self) -> Option<Decimal> {
        share(self.reminded_12m, self.invoices_due_12m)
    }

    pub fn collection_share(&self) -> Option<Decimal> {
        share(self.collected_12m, self.invoices_due_12m)
    }
}

fn share(part: u64, whole: u64) -> Option<Decimal> {
    (whole > 0).then(|| (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).round_dp(1))
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgingReport {
    pub as_of: NaiveDate,
    pub labels: Vec<String>,
    pub rows: Vec<AgingRow>,
    /// One row per currency, `customer` = `TOTAL`.
    pub totals: Vec<AgingRow>,
    pub figures: KeyFigures,
}

/// Figures gathered while streaming every invoice record, not only the open ones.
#[derive(Clone, Debug, Default)]
pub struct FlowFigures {
    invoiced_90d: SmallMap<Decimal>,
    late_weighted: SmallMap<(Decimal, Decimal)>,
    pub invoices_due_12m: u64,
}

impl FlowFigures {
    pub fn push(&mut self, r: &InvoiceRecord<'_>, as_of: NaiveDate) {
        if r.issued > as_of || r.amount <= Decimal::ZERO {
            return;
        }
        let age = (as_of - r.issued).num_days();
        if age < 90 {
            *self.invoiced_90d.entry(r.currency) += r.amount;
        }
        let since_due = (as_of - r.due).num_days();
        if (0..365).contains(&since_due) {
            self.invoices_due_12m += 1;
        }
        if let Some(paid_on) = r.paid_on.filter(|&d| d <= as_of && (as_of - d).num_days() < 365) {
            let late = (paid_on - r.due).num_days().max(0);
            let acc = self.late_weighted.entry(r.currency);
            acc.0 += r.amount * Decimal::from(late);
            acc.1 += r.amount;
        }
    }

    pub fn merge(&mut self, other: FlowFigures) {
        for (c, v) in other.invoiced_90d {
            *self.invoiced_90d.entry(c) += v;
        }
        for (c, (a, b)) in other.late_weighted {
            let acc = self.late_weighted.entry(c);
            acc.0 += a;
            acc.1 += b;
        }
        self.invoices_due_12m += other.invoices_due_12m;
    }
}

/// A map keyed by currency for the handful of currencies a ledger has: a linear scan beats
/// hashing on the per-invoice path.
#[derive(Clone, Debug)]
pub struct SmallMap<V>(Vec<(Currency, V)>);

impl<V> Default for SmallMap<V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<V: Default> SmallMap<V> {
    pub fn entry(&mut self, key: Currency) -> &mut V {
        let i = match self.0.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.0.push((key, V::default()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    pub fn get(&self, key: &Currency) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<V> IntoIterator for SmallMap<V> {
    type Item = (Currency, V);
    type IntoIter = std::vec::IntoIter<(Currency, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// What the journal says that the report's key figures need.
#[derive(Clone, Debug, Default)]
pub struct JournalFacts {
    pub reminded_12m: u64,
    pub collected_12m: u64,
    pub disputed: HashSet<String>,
}

/// What `aging` needs besides the open items.
pub struct AgingInput<'a> {
    pub customers: &'a [CustomerBrief],
    pub bounds: &'a [u32],
    pub flow: FlowFigures,
    pub journal: JournalFacts,
}

/// Builds the report from a book whose credits have been applied.
pub fn aging(book: &OpenBook, input: AgingInput<'_>, labels: Vec<String>) -> AgingReport {
    let nbuckets = input.bounds.len() + 2;
    let mut per_owner: FxHashMap<(Owner, Currency), Vec<Decimal>> = FxHashMap::default();
    let mut figures = KeyFigures {
        invoices_due_12m: input.flow.invoices_due_12m,
        reminded_12m: input.journal.reminded_12m,
        collected_12m: input.journal.collected_12m,
        ..KeyFigures::default()
    };
    let check_disputes = !input.journal.disputed.is_empty();
    for item in &book.items {
        let days = (book.as_of - item.due).num_days();
        let bucket = bucket_index(days, input.bounds);
        let row =
            per_owner.entry((item.owner, item.currency)).or_insert_with(|| vec![Decimal::ZERO; nbuckets]);
        row[bucket] += item.open;
        let cf = figures.per_currency.entry(item.currency).or_default();
        cf.open += item.open;
        if bucket > 0 {
            cf.overdue += item.open;
        }
        if item.open.is_sign_negative() {
            cf.credit += item.open;
        }
        if check_disputes && input.journal.disputed.contains(book.number(item)) {
            cf.disputed += item.open;
        }
    }
    let mut rows: Vec<AgingRow> = per_owner
        .into_iter()
        .map(|((owner, currency), buckets)| {
            let (customer, name) = match owner {
                Owner::Known(i) => {
                    let c = &input.customers[i as usize];
                    (c.id.to_string(), c.name.to_string())
                }
                Owner::Unknown(_) => (book.customer_id(owner, input.customers).to_owned(), String::new()),
            };
            let total = buckets.iter().sum();
            AgingRow { customer, name, currency, buckets, total }
        })
        .filter(|r| !r.total.is_zero() || r.buckets.iter().any(|b| !b.is_zero()))
        .collect();
    rows.sort_by(|a, b| (a.customer.as_str(), a.currency).cmp(&(b.customer.as_str(), b.currency)));
    let totals = currency_totals(&rows, nbuckets);
    finish_figures(&mut figures, &input);
    AgingReport { as_of: book.as_of, labels, rows, totals, figures }
}

fn currency_totals(rows: &[AgingRow], nbuckets: usize) -> Vec<AgingRow> {
    let mut totals: BTreeMap<Currency, Vec<Decimal>> = BTreeMap::new();
    for row in rows {
        let t = totals.entry(row.currency).or_insert_with(|| vec![Decimal::ZERO; nbuckets]);
        for (acc, v) in t.iter_mut().zip(&row.buckets) {
            *acc += v;
        }
    }
    totals
        .into_iter()
        .map(|(currency, buckets)| AgingRow {
            customer: "TOTAL".to_owned(),
            name: String::new(),
            currency,
            total: buckets.iter().sum(),
            buckets,
        })
        .collect()
}

fn finish_figures(figures: &mut KeyFigures, input: &AgingInput<'_>) {
    for (currency, cf) in figures.per_currency.iter_mut() {
        cf.invoiced_90d = input.flow.invoiced_90d.get(currency).copied().unwrap_or_default();
        if !cf.invoiced_90d.is_zero() {
            cf.dso = Some((cf.open / cf.invoiced_90d * Decimal::from(90)).round_dp(1));
        }
        if let Some((weighted, amount)) = input.flow.late_weighted.get(currency).filter(|(_, a)| !a.is_zero())
        {
            cf.avg_days_late = Some((weighted / amount).round_dp(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ledger::{CustomerIndex, PaymentIndex};
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn buckets_follow_the_bounds() {
        let b = [30, 60, 90];
        assert_eq!(bucket_index(-5, &b), 0);
        assert_eq!(bucket_index(0, &b), 0);
        assert_eq!(bucket_index(1, &b), 1);
        assert_eq!(bucket_index(30, &b), 1);
        assert_eq!(bucket_index(31, &b), 2);
        assert_eq!(bucket_index(90, &b), 3);
        assert_eq!(bucket_index(91, &b), 4);
    }

    fn input<'a>(bounds: &'a [u32], flow: FlowFigures) -> AgingInput<'a> {
        AgingInput { customers: &[], bounds, flow, journal: JournalFacts::default() }
    }

    proptest! {
        /// Σ buckets = total for every row, and the TOTAL rows equal the sum of all open items,
        /// whatever the invoices, payments, credit notes and as-of date.
        #[test]
        fn buckets_sum_to_the_open_total(
            invoices in proptest::collection::vec((0u8..5, 0i64..400, 0i64..60, -50_000i64..500_000, 0i64..100, proptest::option::of(0i64..500)), 0..60),
            as_of_offset in 0i64..500,
        ) {
            let base = NaiveDate::from_str("2025-01-01").unwrap();
            let as_of = base + chrono::Days::new(as_of_offset as u64);
            let customers = CustomerIndex::default();
            let payments = PaymentIndex::default();
            let mut book = OpenBook::new(as_of);
            let mut flow = FlowFigures::default();
            let numbers: Vec<String> = (0..invoices.len()).map(|i| i.to_string()).collect();
            let ids = ["A", "B", "C", "D", "E"];
            let mut expected = Decimal::ZERO;
            for (i, &(cust, issued, terms, cents, paid_pct, credits)) in invoices.iter().enumerate() {
                let issued = base + chrono::Days::new(issued as u64);
                let amount = Decimal::new(cents, 2);
                let paid = (amount * Decimal::from(paid_pct) / Decimal::from(100)).round_dp(2);
                let target = credits.map(|t| (t as usize % invoices.len()).to_string());
                let record = InvoiceRecord {
                    line: i as u64 + 2,
                    number: &numbers[i],
                    customer: ids[cust as usize],
                    issued,
                    due: issued + chrono::Days::new(terms as u64),
                    amount,
                    paid,
                    balance: None,
                    currency: Currency::parse(if cust % 2 == 0 { "SEK" } else { "EUR" }).unwrap(),
                    reference: None,
                    paid_on: None,
                    credits: if amount < Decimal::ZERO { target.as_deref() } else { None },
                    description: None,
                };
                if issued <= as_of { expected += amount - paid; }
                flow.push(&record, as_of);
                book.push(&record, &customers, &payments);
            }
            book.apply_credits();
            let report = aging(&book, input(&[30, 60, 90], flow), vec![]);
            for row in report.rows.iter().chain(&report.totals) {
                prop_assert_eq!(row.buckets.iter().copied().sum::<Decimal>(), row.total);
            }
            let grand: Decimal = report.totals.iter().map(|t| t.total).sum();
            prop_assert_eq!(grand, expected);
        }
    }
}
