//! Aging (SPEC §4): open amounts by customer, currency and days overdue, with key figures.
//! The buckets of every row sum to its total, and the totals to the open amount of the book.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::charges::{Law, interest_on};
use super::credit::WatchItem;
use super::ledger::{OpenBook, Owner};
use super::model::{Currency, CustomerBrief, InvoiceRecord, Registered};
use super::money::{CheckedSum, MoneySum, Overflow, checked_sum};
use super::policy::{InterestMode, Policy, Rules};

/// The bucket for `days_overdue` given bounds like `[30, 60, 90]`: 0 is not due,
/// 1 is `1-30`, …, the last is `91+`.
pub fn bucket_index(days_overdue: i64, bounds: &[u32]) -> usize {
    if days_overdue <= 0 {
        return 0;
    }
    1 + bounds.iter().take_while(|&&b| days_overdue > i64::from(b)).count()
}

/// Whose a row is. A register customer is named by its position, not by copies of its id and
/// name: a hundred thousand rows of copies were the report's largest moment.
#[derive(Clone, Debug, PartialEq)]
pub enum Who {
    Customer(u32),
    /// An id that `invoices.csv` uses and the register lacks.
    Unknown(Box<str>),
    Total,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgingRow {
    pub who: Who,
    pub currency: Currency,
    pub buckets: Vec<Decimal>,
    pub total: Decimal,
}

/// Per-currency key figures.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CurrencyFigures {
    pub open: Decimal,
    pub overdue: Decimal,
    /// Overdue as a share of the open amount, in %, one decimal; none when nothing is open
    /// (filled in by the caller, with [`CurrencyFigures::overdue_share`], for the outputs that
    /// show it: the CSV has the rows only and stays as it is whatever the key figures).
    pub overdue_pct: Option<Decimal>,
    pub invoiced_90d: Decimal,
    /// Open receivables ÷ invoiced in the last 90 days × 90; none without recent invoicing.
    pub dso: Option<Decimal>,
    /// Amount-weighted days late of invoices settled in the last 12 months.
    pub avg_days_late: Option<Decimal>,
    pub disputed: Decimal,
    pub credit: Decimal,
    /// Late-payment interest accrued on the open invoices up to the as-of date, on their
    /// current open amount (an estimate where part payments came after the due date; `dun due`
    /// has each invoice's exact figure).
    pub accrued_interest: Decimal,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct KeyFigures {
    /// What the figures rest on that a reader should know (a reference rate carried forward).
    pub notes: Vec<String>,
    pub per_currency: BTreeMap<Currency, CurrencyFigures>,
    pub invoices_due_12m: u64,
    pub reminded_12m: u64,
    pub collected_12m: u64,
    /// Customers over their credit limit, new above the check threshold, or paying later
    /// (`core::credit`; filled in by the caller, which streams what it needs).
    pub credit_watch: Vec<WatchItem>,
    /// Early-payment discounts taken in the last 12 months (filled in by the caller).
    pub discounts: BTreeMap<Currency, crate::core::insight::discount::DiscountFigures>,
}

impl CurrencyFigures {
    /// Overdue as a share of the open amount, in %, one decimal; none when nothing is open.
    /// Checked: credits (or an amount of many decimals) can bring the open amount within a
    /// fraction of zero, and the share past any range (issue 10: it panicked `dun report`).
    pub fn overdue_share(&self, currency: Currency) -> Result<Option<Decimal>, Overflow> {
        if self.open.is_zero() {
            return Ok(None);
        }
        let share = self.overdue.checked_mul(Decimal::ONE_HUNDRED).and_then(|o| o.checked_div(self.open));
        let share = share
            .ok_or_else(|| Overflow::of(format!("the share of the open amount overdue in {currency}")))?;
        Ok(Some(share.round_dp(1)))
    }
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

/// `part` as a percentage of `whole`, to one decimal; `None` of nothing.
pub fn share(part: u64, whole: u64) -> Option<Decimal> {
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
    /// The register the rows name.
    pub customers: Vec<CustomerBrief>,
}

impl AgingReport {
    /// The `customer` column of a row: the customer id, or `TOTAL`.
    pub fn id<'a>(&'a self, row: &'a AgingRow) -> &'a str {
        match &row.who {
            Who::Customer(i) => self.customers[*i as usize].id(),
            Who::Unknown(id) => id,
            Who::Total => "TOTAL",
        }
    }

    /// The `name` column of a row.
    pub fn name<'a>(&'a self, row: &'a AgingRow) -> &'a str {
        match &row.who {
            Who::Customer(i) => self.customers[*i as usize].name(),
            Who::Unknown(_) | Who::Total => "",
        }
    }
}

/// Figures gathered while streaming every invoice record, not only the open ones.
#[derive(Clone, Debug, Default)]
pub struct FlowFigures {
    invoiced_90d: SmallMap<MoneySum>,
    /// Σ amount × days late and Σ amount, checked: days late reach 3.7 × 10^6 (dates run to
    /// 9999), so the products of a few million invoices at the largest amount would pass
    /// `Decimal`'s range.
    late_weighted: SmallMap<(CheckedSum, CheckedSum)>,
    pub invoices_due_12m: u64,
}

impl FlowFigures {
    pub fn push(&mut self, r: &InvoiceRecord<'_>, as_of: NaiveDate) {
        if r.issued > as_of || r.amount <= Decimal::ZERO {
            return;
        }
        let age = (as_of - r.issued).num_days();
        if age < 90 {
            self.invoiced_90d.entry(r.currency).add(r.amount);
        }
        let since_due = (as_of - r.due).num_days();
        if (0..365).contains(&since_due) {
            self.invoices_due_12m += 1;
        }
        if let Some(paid_on) = r.paid_on.filter(|&d| d <= as_of && (as_of - d).num_days() < 365) {
            let late = (paid_on - r.due).num_days().max(0);
            let acc = self.late_weighted.entry(r.currency);
            acc.0.add_product(r.amount, Decimal::from(late));
            acc.1.add(r.amount);
        }
    }

    pub fn merge(&mut self, other: FlowFigures) {
        for (c, v) in other.invoiced_90d {
            self.invoiced_90d.entry(c).merge(&v);
        }
        for (c, (a, b)) in other.late_weighted {
            let acc = self.late_weighted.entry(c);
            acc.0.merge(&a);
            acc.1.merge(&b);
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
    /// The register; the report keeps it, to name its rows.
    pub customers: Vec<CustomerBrief>,
    pub bounds: &'a [u32],
    pub flow: FlowFigures,
    pub journal: JournalFacts,
    /// How the accrued interest is worked out; `None`: not at all.
    pub interest: Option<&'a InterestBasis<'a>>,
}

/// The report's accrued interest, the figure `dun due` and `explain` compute for each invoice
/// ([`interest_on`] with the debtor's law and its segment's interest settings) without asking
/// it per invoice: interest is the open amount times a factor of the due date, so the open
/// amounts are summed per currency, due date and *class* — whose law governs the debtor
/// ([`CustomerBrief::law_class`]) and which interest settings apply (the base tables', or a
/// segment's that sets its own) — and each sum is multiplied once.
pub struct InterestBasis<'a> {
    policy: &'a Policy,
    as_of: NaiveDate,
    /// The rules of each interest setting: 0 the base tables, 1 + i the i-th segment's.
    scopes: Vec<Rules>,
    /// Each register customer's class, by position; an unknown customer's is 0 (the
    /// company's law for a business, the base tables), as `dun due` treats it.
    class_of: Vec<u32>,
    /// Half-years whose reference rate was carried forward, per country ("DK 2026H2").
    carried: RefCell<BTreeSet<String>>,
}

impl<'a> InterestBasis<'a> {
    /// `None` when neither the base tables nor any segment charge interest.
    pub fn new(
        policy: &'a Policy,
        customers: &[CustomerBrief],
        as_of: NaiveDate,
    ) -> Option<InterestBasis<'a>> {
        let segments: Vec<(&str, bool)> = policy
            .file
            .segments
            .iter()
            .map(|(name, s)| (name.as_str(), s.interest != Default::default()))
            .collect();
        let scopes: Vec<Rules> = std::iter::once(policy.base_rules())
            .chain(segments.iter().filter_map(|(name, _)| policy.rules(Some(name))))
            .collect();
        if scopes.iter().all(|r| r.interest.mode() == InterestMode::None) {
            return None;
        }
        // A segment that leaves interest alone shares the base tables' class, and so its groups.
        let scope_of = |segment: Option<&str>| match segment {
            Some(name) => segments.iter().position(|&(s, own)| own && s == name).map_or(0, |i| i as u32 + 1),
            None => 0,
        };
        let class_of =
            customers.iter().map(|c| (scope_of(c.segment()) << 16) | u32::from(c.law_class())).collect();
        Some(InterestBasis { policy, as_of, scopes, class_of, carried: RefCell::default() })
    }

    fn class(&self, owner: Owner) -> u32 {
        match owner {
            Owner::Known(i) => self.class_of.get(i as usize).copied().unwrap_or(0),
            Owner::Unknown(_) => 0,
        }
    }

    /// Interest per unit of principal open from `due` to the as-of date for a debtor of `class`.
    pub fn factor(&self, due: NaiveDate, class: u32) -> Decimal {
        let rules = &self.scopes[(class >> 16) as usize];
        let law = match CustomerBrief::consumer_country(class as u16) {
            Some(country) => Law::of_kind(self.policy, &country, true, rules),
            None => Law::of_kind(self.policy, &self.policy.country, false, rules),
        };
        let result = interest_on(&law, &[(due, Decimal::ONE)], due, self.as_of);
        if rules.interest.mode() == InterestMode::Statutory && law.has_statutory_rate() {
            let (legal_due, _) = law.legal_due(due);
            if let Some(first) = legal_due.succ_opt().filter(|f| *f <= self.as_of) {
                let missing = crate::core::rules::missing_half_years(
                    law.pack,
                    first,
                    self.as_of,
                    &law.rate_overrides(),
                );
                for half in missing {
                    self.carried.borrow_mut().insert(format!("{} {half}", law.pack.country));
                }
            }
        }
        result.unrounded
    }

    /// The report's note when some factor carried a reference rate forward.
    pub fn carried_note(&self) -> Option<String> {
        let carried = self.carried.borrow();
        (!carried.is_empty()).then(|| {
            format!(
                "accrued interest: no reference rate known for {}; the last known rate is carried forward; set interest.reference_rates in policy.toml",
                carried.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
    }
}

/// Builds the report from a book whose credits have been applied. The book's items are sorted
/// by customer and currency so that each row is summed in one pass, with no map of rows.
///
/// Every sum is checked (issue 10): a figure past the range is an [`Overflow`] naming it, never
/// a panic or a wrapped figure. The per-item adds are `MoneySum`'s, which only set a flag.
pub fn aging(
    book: &mut OpenBook,
    input: AgingInput<'_>,
    labels: Vec<String>,
) -> Result<AgingReport, Overflow> {
    let nbuckets = input.bounds.len() + 2;
    let mut per_currency: SmallMap<[MoneySum; 4]> = SmallMap::default();
    // Interest is open × a factor of the due date: sum the open amounts per currency and due
    // date, and multiply once per date at the end.
    let mut overdue_by_due: rustc_hash::FxHashMap<(Currency, NaiveDate, u32), MoneySum> =
        rustc_hash::FxHashMap::default();
    let check_disputes = !input.journal.disputed.is_empty();
    let mut items = std::mem::take(&mut book.items);
    // In place: a stable sort would need half the items again as a buffer, and this is the
    // report's largest moment.
    items.sort_unstable_by_key(|i| (i.owner, i.currency));
    let mut figures = KeyFigures {
        invoices_due_12m: input.flow.invoices_due_12m,
        reminded_12m: input.journal.reminded_12m,
        collected_12m: input.journal.collected_12m,
        ..KeyFigures::default()
    };
    let mut rows = Vec::new();
    let mut sums = vec![MoneySum::default(); nbuckets];
    for (i, item) in items.iter().enumerate() {
        let days = (book.as_of - item.due).num_days();
        let bucket = bucket_index(days, input.bounds);
        sums[bucket].add(item.open);
        let cf = per_currency.entry(item.currency);
        // open, overdue, credit, disputed
        cf[0].add(item.open);
        if bucket > 0 {
            cf[1].add(item.open);
        }
        if item.open.is_sign_negative() {
            cf[2].add(item.open);
        }
        if check_disputes && input.journal.disputed.contains(book.number(item)) {
            cf[3].add(item.open);
        }
        if let Some(basis) = input.interest.filter(|_| bucket > 0 && item.open > Decimal::ZERO) {
            overdue_by_due
                .entry((item.currency, item.due, basis.class(item.owner)))
                .or_default()
                .add(item.open);
        }
        let row_ends =
            items.get(i + 1).is_none_or(|next| (next.owner, next.currency) != (item.owner, item.currency));
        if row_ends {
            let row = finish_row(book, &input, &labels, (item.owner, item.currency), &sums)?;
            sums.fill(MoneySum::default());
            rows.extend(row);
        }
    }
    drop(items);
    sort_rows(&mut rows, &input.customers);
    let totals = currency_totals(&rows, &labels, nbuckets)?;
    let mut interest: SmallMap<CheckedSum> = SmallMap::default();
    if let Some(basis) = input.interest {
        for ((currency, due, class), open) in overdue_by_due {
            let open = open
                .total()
                .ok_or_else(|| Overflow::of(format!("the overdue amount due {due} in {currency}")))?;
            interest.entry(currency).add_product(open, basis.factor(due, class));
        }
    }
    for (currency, acc) in per_currency {
        let cf = figures.per_currency.entry(currency).or_default();
        let total = |k: usize, what: &str| {
            acc[k].total().ok_or_else(|| Overflow::of(format!("the {what} of the book in {currency}")))
        };
        cf.open = total(0, "open amount")?;
        cf.overdue = total(1, "overdue amount")?;
        cf.credit = total(2, "open credit")?;
        cf.disputed = total(3, "disputed amount")?;
        let accrued = interest.get(&currency).copied().unwrap_or_default().total();
        cf.accrued_interest = crate::core::money::round_money(
            accrued.ok_or_else(|| Overflow::of(format!("the accrued interest in {currency}")))?,
        );
    }
    finish_figures(&mut figures, &input)?;
    Ok(AgingReport { as_of: book.as_of, labels, rows, totals, figures, customers: input.customers })
}

/// What a bucket is called in an error: its label, or its position when there are none.
fn bucket_name(labels: &[String], k: usize) -> String {
    labels.get(k).cloned().unwrap_or_else(|| format!("bucket {}", k + 1))
}

/// The row of one customer and currency from its bucket sums; `None` when all is zero.
fn finish_row(
    book: &OpenBook,
    input: &AgingInput<'_>,
    labels: &[String],
    (owner, currency): (Owner, Currency),
    sums: &[MoneySum],
) -> Result<Option<AgingRow>, Overflow> {
    let whose = || format!("customer \"{}\" in {currency}", book.customer_id(owner, &input.customers));
    let buckets = sums
        .iter()
        .enumerate()
        .map(|(k, sum)| {
            sum.total().ok_or_else(|| {
                Overflow::of(format!("the open amount of {} ({})", whose(), bucket_name(labels, k)))
            })
        })
        .collect::<Result<Vec<Decimal>, Overflow>>()?;
    let total =
        checked_sum(&buckets).ok_or_else(|| Overflow::of(format!("the open total of {}", whose())))?;
    if total.is_zero() && buckets.iter().all(|b| b.is_zero()) {
        return Ok(None);
    }
    let who = match owner {
        Owner::Known(c) => Who::Customer(c),
        Owner::Unknown(_) => Who::Unknown(book.customer_id(owner, &input.customers).into()),
    };
    Ok(Some(AgingRow { who, currency, buckets, total }))
}

/// Orders rows by customer id, then currency. The rows come in register order, and registers
/// are usually exported in id order: then this finds nothing to move.
fn sort_rows(rows: &mut [AgingRow], customers: &[CustomerBrief]) {
    let id = |row: &AgingRow| match &row.who {
        Who::Customer(i) => customers[*i as usize].id().to_owned(),
        Who::Unknown(id) => id.to_string(),
        Who::Total => "TOTAL".to_owned(),
    };
    fn key<'a>(row: &'a AgingRow, customers: &'a [CustomerBrief]) -> &'a str {
        match &row.who {
            Who::Customer(i) => customers[*i as usize].id(),
            Who::Unknown(id) => id,
            Who::Total => "TOTAL",
        }
    }
    if rows
        .windows(2)
        .all(|w| (key(&w[0], customers), w[0].currency) <= (key(&w[1], customers), w[1].currency))
    {
        return;
    }
    rows.sort_by_cached_key(|r| (id(r), r.currency));
}

/// The TOTAL row of each currency: the rows' buckets summed, checked.
fn currency_totals(rows: &[AgingRow], labels: &[String], nbuckets: usize) -> Result<Vec<AgingRow>, Overflow> {
    let mut totals: BTreeMap<Currency, Vec<CheckedSum>> = BTreeMap::new();
    for row in rows {
        let t = totals.entry(row.currency).or_insert_with(|| vec![CheckedSum::default(); nbuckets]);
        for (acc, v) in t.iter_mut().zip(&row.buckets) {
            acc.add(*v);
        }
    }
    totals
        .into_iter()
        .map(|(currency, sums)| {
            let buckets = sums
                .iter()
                .enumerate()
                .map(|(k, sum)| {
                    sum.total().ok_or_else(|| {
                        Overflow::of(format!("the TOTAL of {currency} ({})", bucket_name(labels, k)))
                    })
                })
                .collect::<Result<Vec<Decimal>, Overflow>>()?;
            let total = checked_sum(&buckets)
                .ok_or_else(|| Overflow::of(format!("the TOTAL of {currency} (all buckets)")))?;
            Ok(AgingRow { who: Who::Total, currency, total, buckets })
        })
        .collect()
}

fn finish_figures(figures: &mut KeyFigures, input: &AgingInput<'_>) -> Result<(), Overflow> {
    for (currency, cf) in figures.per_currency.iter_mut() {
        let too_large = |what: &str| Overflow::of(format!("the {what} in {currency}"));
        let invoiced = input.flow.invoiced_90d.get(currency).copied().unwrap_or_default();
        cf.invoiced_90d = invoiced.total().ok_or_else(|| too_large("amount invoiced in the last 90 days"))?;
        if !cf.invoiced_90d.is_zero() {
            let dso = cf.open.checked_div(cf.invoiced_90d).and_then(|r| r.checked_mul(Decimal::from(90)));
            cf.dso = Some(dso.ok_or_else(|| too_large("days sales outstanding"))?.round_dp(1));
        }
        let Some((weighted, amount)) = input.flow.late_weighted.get(currency) else { continue };
        let (Some(weighted), Some(amount)) = (weighted.total(), amount.total()) else {
            return Err(too_large("amount-weighted days late of settled invoices"));
        };
        if !amount.is_zero() {
            // Σ amount × late ÷ Σ amount lies between the least and most days late: in range.
            let average = weighted.checked_div(amount).ok_or_else(|| too_large("average days late"))?;
            cf.avg_days_late = Some(average.round_dp(1));
        }
    }
    Ok(())
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
        AgingInput { customers: Vec::new(), bounds, flow, journal: JournalFacts::default(), interest: None }
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
                    discount: None,
                };
                if issued <= as_of { expected += amount - paid; }
                flow.push(&record, as_of);
                book.push(&record, &customers, &payments);
            }
            book.apply_credits();
            let report = aging(&mut book, input(&[30, 60, 90], flow), vec![]).unwrap();
            for row in report.rows.iter().chain(&report.totals) {
                prop_assert_eq!(row.buckets.iter().copied().sum::<Decimal>(), row.total);
            }
            let grand: Decimal = report.totals.iter().map(|t| t.total).sum();
            prop_assert_eq!(grand, expected);
        }

        /// As-of monotonicity: with nothing paid, advancing the as-of date never lowers the open
        /// or the overdue total, and never moves an amount to a younger bucket.
        #[test]
        fn later_as_of_dates_never_look_younger(
            invoices in proptest::collection::vec((0i64..400, 0i64..60, 1i64..500_000), 1..40),
            d1 in 0i64..500,
            step in 0i64..200,
        ) {
            let base = NaiveDate::from_str("2025-01-01").unwrap();
            let numbers: Vec<String> = (0..invoices.len()).map(|i| i.to_string()).collect();
            let report_on = |offset: i64| {
                let as_of = base + chrono::Days::new(offset as u64);
                let mut book = OpenBook::new(as_of);
                for (i, &(issued, terms, cents)) in invoices.iter().enumerate() {
                    let issued = base + chrono::Days::new(issued as u64);
                    let record = InvoiceRecord {
                        line: i as u64 + 2,
                        number: &numbers[i],
                        customer: "A",
                        issued,
                        due: issued + chrono::Days::new(terms as u64),
                        amount: Decimal::new(cents, 2),
                        paid: Decimal::ZERO,
                        balance: None,
                        currency: Currency::parse("SEK").unwrap(),
                        reference: None,
                        paid_on: None,
                        credits: None,
                        description: None,
                        discount: None,
                    };
                    book.push(&record, &CustomerIndex::default(), &PaymentIndex::default());
                }
                book.apply_credits();
                aging(&mut book, input(&[30, 60, 90], FlowFigures::default()), vec![]).unwrap()
            };
            let early = report_on(d1);
            let late = report_on(d1 + step);
            let total = |r: &AgingReport| r.totals.iter().map(|t| t.total).sum::<Decimal>();
            let older_than = |r: &AgingReport, k: usize| r.totals.iter().map(|t| t.buckets[k..].iter().copied().sum::<Decimal>()).sum::<Decimal>();
            prop_assert!(total(&early) <= total(&late));
            for k in 1..5 {
                prop_assert!(older_than(&early, k) <= older_than(&late, k), "bucket {k} and older");
            }
        }
    }

    mod accrued_interest {
        //! The report's accrued interest is the sum of what `dun due` computes for each open
        //! invoice (`charges::interest`, the debtor's law and its segment's interest settings),
        //! before rounding.
        use super::*;
        use crate::core::journal::Journal;
        use crate::core::ledger::Ledger;
        use crate::core::model::{Customer, CustomerKind, Invoice};

        const POLICY: &str = "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
            [segments.fixed.interest]\nmode = \"fixed\"\nrate = \"24\"\n\
            [segments.none.interest]\nmode = \"none\"\n\
            [segments.days.interest]\nday_count = \"30/360\"\nreference_rates = [{ from = 2026-01-01, rate = \"4\" }]\n\
            [segments.terms.terms]\npayment_days = 20\n";
        const SEGMENTS: [Option<&str>; 6] =
            [None, Some("fixed"), Some("none"), Some("days"), Some("terms"), Some("unknown")];
        const COUNTRIES: [&str; 5] = ["SE", "NO", "DK", "FI", "DE"];

        /// Every rate at the largest a policy may name (`policy::MAX_RATE_PERCENT`).
        const POLICY_AT_BOUND: &str = "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
            [interest]\nreference_rates = [{ from = 2025-01-01, rate = \"100\" }]\n\
            [segments.fixed.interest]\nmode = \"fixed\"\nrate = \"100\"\n\
            [segments.days.interest]\nday_count = \"30/360\"\nreference_rates = [{ from = 2026-01-01, rate = \"-100\" }]\n";

        fn report_and_due(
            customers: &[(usize, usize, bool)],
            invoices: &[(usize, u64, i64, bool)],
            as_of: NaiveDate,
        ) -> (BTreeMap<Currency, Decimal>, BTreeMap<Currency, Decimal>) {
            report_and_due_under(POLICY, customers, invoices, as_of)
        }

        fn report_and_due_under(
            policy: &str,
            customers: &[(usize, usize, bool)],
            invoices: &[(usize, u64, i64, bool)],
            as_of: NaiveDate,
        ) -> (BTreeMap<Currency, Decimal>, BTreeMap<Currency, Decimal>) {
            let policy = Policy::from_toml(policy).unwrap();
            let register: Vec<Customer> = customers
                .iter()
                .enumerate()
                .map(|(i, &(segment, country, consumer))| Customer {
                    id: compact_str::format_compact!("C{i}"),
                    name: compact_str::format_compact!("Kund {i}"),
                    kind: if consumer { CustomerKind::Consumer } else { CustomerKind::Business },
                    country: COUNTRIES[country].into(),
                    segment: SEGMENTS[segment].map(Into::into),
                    line: i as u64 + 2,
                    ..Customer::default()
                })
                .collect();
            let base = NaiveDate::from_str("2025-10-01").unwrap();
            let bills: Vec<Invoice> = invoices
                .iter()
                .enumerate()
                .map(|(i, &(customer, due, cents, eur))| {
                    let owner =
                        if customer < register.len() { format!("C{customer}") } else { "X".to_owned() };
                    let bill = Invoice::unpaid_sek(
                        &i.to_string(),
                        &owner,
                        base,
                        base + chrono::Days::new(due),
                        Decimal::new(cents, 2),
                    );
                    let mut bill = bill;
                    bill.line = i as u64 + 2;
                    bill.currency = Currency::parse(if eur { "EUR" } else { "SEK" }).unwrap();
                    bill
                })
                .collect();
            let ledger = Ledger::new(policy, register, bills, Vec::new(), Journal::default());
            let mut due: BTreeMap<Currency, Decimal> = BTreeMap::new();
            for invoice in ledger.invoices.iter().filter(|i| i.due < as_of) {
                let customer = ledger.customer(&invoice.customer);
                let rules = ledger.rules_for(customer);
                let result = crate::core::charges::interest(&ledger, invoice, customer, &rules, as_of);
                *due.entry(invoice.currency).or_default() += result.unrounded;
            }
            let briefs: Vec<CustomerBrief> = ledger
                .customers
                .iter()
                .map(|c| {
                    let country = c.country.as_bytes().try_into().unwrap();
                    CustomerBrief::new(&c.id, &c.name, c.segment.as_deref(), None, 30, c.line)
                        .with_debtor(country, c.kind)
                })
                .collect();
            let basis = InterestBasis::new(&ledger.policy, &briefs, as_of).unwrap();
            let mut book = ledger.open_book(as_of);
            let input = AgingInput {
                customers: briefs,
                bounds: &[30, 60, 90],
                flow: FlowFigures::default(),
                journal: JournalFacts::default(),
                interest: Some(&basis),
            };
            let report = aging(&mut book, input, vec![]).unwrap();
            let accrued = report.figures.per_currency.iter().map(|(c, f)| (*c, f.accrued_interest)).collect();
            (accrued, due)
        }

        #[test]
        fn a_segments_interest_settings_count() {
            // 10 000 kr from 2026-05-05 to 2026-06-30, 57 days, for a Swedish business:
            // base 2.00 + 8 = 10 % → 156.16; segment `fixed` 24 % → 374.79; `none` → 0;
            // `days`: 4 + 8 = 12 % over 30E/360's 56 days → 186.67.
            let as_of = NaiveDate::from_str("2026-06-30").unwrap();
            let due_day = (NaiveDate::from_str("2026-05-04").unwrap()
                - NaiveDate::from_str("2025-10-01").unwrap())
            .num_days() as u64;
            for (segment, expected) in
                [(0, "156.16"), (1, "374.79"), (2, "0.00"), (3, "186.67"), (4, "156.16"), (5, "156.16")]
            {
                let (report, due) =
                    report_and_due(&[(segment, 0, false)], &[(0, due_day, 1_000_000, false)], as_of);
                let sek = Currency::parse("SEK").unwrap();
                let expected = Decimal::from_str(expected).unwrap();
                assert_eq!(report.get(&sek).copied().unwrap_or_default(), expected, "segment {segment}");
                assert_eq!(
                    crate::core::money::round_money(due.get(&sek).copied().unwrap_or_default()),
                    expected
                );
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

            #[test]
            fn the_report_sums_what_due_computes(
                customers in proptest::collection::vec((0usize..6, 0usize..5, any::<bool>()), 1..8),
                invoices in proptest::collection::vec((0usize..9, 0u64..400, 1i64..5_000_000, any::<bool>()), 1..25),
                as_of in 0u64..500,
            ) {
                let as_of = NaiveDate::from_str("2025-10-01").unwrap() + chrono::Days::new(as_of);
                let (report, due) = report_and_due(&customers, &invoices, as_of);
                for (currency, expected) in &due {
                    let got = report.get(currency).copied().unwrap_or_default();
                    prop_assert!((got - expected).abs() <= Decimal::new(51, 4), "{currency}: report {got}, due {expected}");
                }
            }

            /// Issue 10: money at its bounds never panics the report's or `due`'s arithmetic
            /// (sums, interest factors): amounts just under `MAX_AMOUNT` of either sign, every
            /// rate at the largest a policy may name, due up to 400 years before the as-of date.
            #[test]
            fn money_at_its_bounds_never_panics(
                customers in proptest::collection::vec((0usize..6, 0usize..5, any::<bool>()), 1..8),
                invoices in proptest::collection::vec((0usize..9, 0u64..400, any::<bool>(), any::<bool>()), 1..40),
                years in 0u64..400,
            ) {
                let largest = i64::try_from(crate::core::money::MAX_AMOUNT * Decimal::ONE_HUNDRED).unwrap() - 1;
                let invoices: Vec<_> = invoices
                    .into_iter()
                    .map(|(customer, due, credit, eur)| (customer, due, if credit { -largest } else { largest }, eur))
                    .collect();
                let as_of = NaiveDate::from_str("2025-10-01").unwrap() + chrono::Days::new(400 + 365 * years);
                let (report, due) = report_and_due_under(POLICY_AT_BOUND, &customers, &invoices, as_of);
                for (currency, expected) in &due {
                    let got = report.get(currency).copied().unwrap_or_default();
                    prop_assert!((got - expected).abs() <= Decimal::new(51, 4), "{currency}: report {got}, due {expected}");
                }
            }
        }
    }
}

/// Issue 10: sums past the range are errors naming the figure, never a panic or a wrapped
/// figure. Amounts here are past what `parse_amount` accepts (or merged many times over), to
/// reach the range with a handful of invoices.
#[cfg(test)]
mod overflow_tests {
    use super::*;
    use crate::core::ledger::{CustomerIndex, PaymentIndex};
    use proptest::prelude::*;
    use std::str::FromStr;

    const LABELS: [&str; 5] = ["not due", "1-30", "31-60", "61-90", "91+"];

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    /// Unpaid invoices `(customer, currency, amount)` all due on `due`, each settled on the
    /// as-of date as far as the flow figures know (`paid_on`).
    fn book_of(invoices: &[(&str, &str, Decimal)], due: &str, as_of: &str) -> (OpenBook, FlowFigures) {
        let (due, as_of) = (date(due), date(as_of));
        let numbers: Vec<String> = (0..invoices.len()).map(|i| i.to_string()).collect();
        let mut book = OpenBook::new(as_of);
        let mut flow = FlowFigures::default();
        for (i, &(customer, currency, amount)) in invoices.iter().enumerate() {
            let record = InvoiceRecord {
                line: i as u64 + 2,
                number: &numbers[i],
                customer,
                issued: due,
                due,
                amount,
                paid: Decimal::ZERO,
                balance: None,
                currency: Currency::parse(currency).unwrap(),
                reference: None,
                paid_on: Some(as_of),
                credits: None,
                description: None,
                discount: None,
            };
            flow.push(&record, as_of);
            book.push(&record, &CustomerIndex::default(), &PaymentIndex::default());
        }
        book.apply_credits();
        (book, flow)
    }

    fn run(
        book: &mut OpenBook,
        flow: FlowFigures,
        interest: Option<&InterestBasis<'_>>,
    ) -> Result<AgingReport, Overflow> {
        let input = AgingInput {
            customers: Vec::new(),
            bounds: &[30, 60, 90],
            flow,
            journal: JournalFacts::default(),
            interest,
        };
        aging(book, input, LABELS.iter().map(|l| l.to_string()).collect())
    }

    fn error_of(result: Result<AgingReport, Overflow>) -> String {
        result.expect_err("past the range").to_string()
    }

    /// Before: panicked in `MoneySum::total` ("Number exceeds maximum value").
    #[test]
    fn one_row_past_the_range_names_the_customer_and_bucket() {
        let big = Decimal::from_str("400000000000000000000000000.00").unwrap();
        let (mut book, _) = book_of(&[("K1", "SEK", big), ("K1", "SEK", big)], "2026-01-01", "2026-01-01");
        let e = error_of(run(&mut book, FlowFigures::default(), None));
        assert!(e.starts_with("the open amount of customer \"K1\" in SEK (not due) is too large"), "{e}");
    }

    /// Before: panicked in `currency_totals` ("Addition overflowed").
    #[test]
    fn totals_past_the_range_name_the_currency() {
        let big = Decimal::from_str("500000000000000000000000000").unwrap();
        let ids: Vec<String> = (0..200).map(|i| format!("C{i:03}")).collect();
        let invoices: Vec<(&str, &str, Decimal)> = ids.iter().map(|i| (i.as_str(), "EUR", big)).collect();
        let (mut book, _) = book_of(&invoices, "2026-01-01", "2026-03-01");
        let e = error_of(run(&mut book, FlowFigures::default(), None));
        assert!(e.starts_with("the TOTAL of EUR (31-60) is too large"), "{e}");
    }

    /// Before: panicked in `FlowFigures::push` ("Multiplication overflowed").
    #[test]
    fn days_late_past_the_range_are_an_error() {
        let big = Decimal::from_str("500000000000000000000000000").unwrap();
        let (mut book, flow) = book_of(&[("K1", "SEK", big)], "2026-01-01", "2026-07-01");
        let e = error_of(run(&mut book, flow, None));
        assert!(
            e.starts_with("the amount-weighted days late of settled invoices in SEK is too large"),
            "{e}"
        );
    }

    /// In-bound amounts reach the range through the product with days late: the largest amount
    /// paid 9 999 years late, 2^25 times over (as the report's chunks merge). Not run against
    /// the old code (there `merge`'s `+=` is the same `Decimal` add that panics above).
    #[test]
    fn in_bound_amounts_paid_ten_thousand_years_late() {
        let largest = crate::core::money::MAX_AMOUNT - Decimal::new(1, 2);
        let (mut book, mut flow) = book_of(&[("K1", "SEK", largest)], "0001-01-01", "9999-12-31");
        for _ in 0..25 {
            let copy = flow.clone();
            flow.merge(copy);
        }
        let e = error_of(run(&mut book, flow, None));
        assert!(e.contains("days late of settled invoices in SEK"), "{e}");
    }

    /// `open.total() × factor`, 400 years at 100 %: 2 × 10^29. Not run against the old code,
    /// whose `*` there is the `Decimal` multiplication that panics in `FlowFigures::push`.
    #[test]
    fn accrued_interest_past_the_range_is_an_error() {
        let policy = Policy::from_toml(
            "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
             [interest]\nmode = \"fixed\"\nrate = \"100\"\n",
        )
        .unwrap();
        let as_of = date("2426-01-01");
        let basis = InterestBasis::new(&policy, &[], as_of).unwrap();
        let big = Decimal::from_str("500000000000000000000000000").unwrap();
        let (mut book, _) = book_of(&[("K1", "SEK", big)], "2026-01-01", "2426-01-01");
        let e = error_of(run(&mut book, FlowFigures::default(), Some(&basis)));
        assert!(e.starts_with("the accrued interest in SEK is too large"), "{e}");
        // In range, the same figures are computed.
        let (mut book, _) = book_of(&[("K1", "SEK", Decimal::from(1000))], "2026-01-01", "2426-01-01");
        let report = run(&mut book, FlowFigures::default(), Some(&basis)).unwrap();
        assert!(
            report.figures.per_currency[&Currency::parse("SEK").unwrap()].accrued_interest > Decimal::ZERO
        );
    }

    proptest! {
        /// Positive amounts of any size: the report is the exact per-currency sums, or an error
        /// exactly when one of them passes 2^96 cents; never a panic.
        #[test]
        fn sums_are_exact_or_an_error(
            invoices in proptest::collection::vec((0usize..3, any::<bool>(), 1i128..(1i128 << 94)), 1..12),
        ) {
            let ids = ["A", "B", "C"];
            let rows: Vec<(&str, &str, Decimal)> = invoices
                .iter()
                .map(|&(c, eur, cents)| (ids[c], if eur { "EUR" } else { "SEK" }, Decimal::from_i128_with_scale(cents, 2)))
                .collect();
            let mut exact: BTreeMap<&str, i128> = BTreeMap::new();
            for &(_, eur, cents) in &invoices {
                *exact.entry(if eur { "EUR" } else { "SEK" }).or_default() += cents;
            }
            let (mut book, _) = book_of(&rows, "2026-01-01", "2026-03-01");
            let result = run(&mut book, FlowFigures::default(), None);
            let fits = exact.values().all(|&c| Decimal::try_from_i128_with_scale(c, 2).is_ok());
            prop_assert_eq!(result.is_ok(), fits);
            if let Ok(report) = result {
                for t in &report.totals {
                    prop_assert_eq!(t.total, Decimal::from_i128_with_scale(exact[t.currency.as_str()], 2));
                }
            }
        }
    }
}
