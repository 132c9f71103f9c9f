//! Aging (SPEC §4): open amounts by customer, currency and days overdue, with key figures.
//! The buckets of every row sum to its total, and the totals to the open amount of the book.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::charges::{Law, interest_on};
use super::credit::WatchItem;
use super::ledger::{OpenBook, OpenItem, Owner};
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
    let mut items = std::mem::take(&mut book.items);
    let book: &OpenBook = book;
    let of = TallyOf {
        book,
        customers: &input.customers,
        bounds: input.bounds,
        labels: &labels,
        disputed: Some(&input.journal.disputed).filter(|d| !d.is_empty()),
        class_of: input.interest.map(|basis| basis.class_of.as_slice()),
    };
    let halves = items.len() >= IN_HALVES_FROM && crate::core::workers() > 1;
    let Tally { mut rows, per_currency, overdue_by_due } = tally_in_parts(&mut items, &of, halves)?;
    drop(items);
    let mut figures = KeyFigures {
        invoices_due_12m: input.flow.invoices_due_12m,
        reminded_12m: input.journal.reminded_12m,
        collected_12m: input.journal.collected_12m,
        ..KeyFigures::default()
    };
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

/// What the rows of a book are summed from, shared by the threads that sum its parts.
struct TallyOf<'a> {
    book: &'a OpenBook,
    customers: &'a [CustomerBrief],
    bounds: &'a [u32],
    labels: &'a [String],
    /// The disputed invoice numbers, when there are any.
    disputed: Option<&'a HashSet<String>>,
    /// Each register customer's interest class ([`InterestBasis`]), when interest is worked out.
    class_of: Option<&'a [u32]>,
}

/// The rows of some customers and what they add to the book's figures.
#[derive(Default)]
struct Tally {
    rows: Vec<AgingRow>,
    /// Per currency: open, overdue, credit, disputed.
    per_currency: SmallMap<[MoneySum; 4]>,
    /// Interest is open × a factor of the due date: the overdue amounts summed per currency,
    /// due date and interest class, multiplied once per date at the end.
    overdue_by_due: rustc_hash::FxHashMap<(Currency, NaiveDate, u32), MoneySum>,
}

/// From this many items the book is summed in two parts on two threads.
const IN_HALVES_FROM: usize = 16_384;

/// Sorts the items by customer and currency and sums them into rows; with `halves` (a large
/// book, more than one core) in two parts that share no row, each sorted and summed on a
/// thread of its own: the sort was the report's one long stretch on a single core after the
/// scan. The parts' rows follow each other in order, as one sort's would.
fn tally_in_parts(items: &mut [OpenItem], of: &TallyOf<'_>, halves: bool) -> Result<Tally, Overflow> {
    let at = if halves { split_by_row(items) } else { 0 };
    if at == 0 {
        return tally(items, of);
    }
    let (first, second) = items.split_at_mut(at);
    let (first, second) = crate::core::both(|| tally(first, of), || tally(second, of));
    let (mut first, second) = (first?, second?);
    first.rows.extend(second.rows);
    for (currency, sums) in second.per_currency {
        for (acc, sum) in first.per_currency.entry(currency).iter_mut().zip(&sums) {
            acc.merge(sum);
        }
    }
    for (key, sum) in second.overdue_by_due {
        first.overdue_by_due.entry(key).or_default().merge(&sum);
    }
    Ok(first)
}

/// The key the rows are made by: one row per customer and currency.
fn row_key(item: &OpenItem) -> (Owner, Currency) {
    (item.owner, item.currency)
}

/// Moves the items whose row key is below a pivot (the middle of a sample of keys) before the
/// others, in place; where they end. 0 when the sample's middle is the smallest key (one
/// customer owns most of the book): then there is nothing to split.
fn split_by_row(items: &mut [OpenItem]) -> usize {
    if items.is_empty() {
        return 0;
    }
    let step = (items.len() / 64).max(1);
    let mut sample: Vec<(Owner, Currency)> = items.iter().step_by(step).map(row_key).collect();
    sample.sort_unstable();
    let pivot = sample[sample.len() / 2];
    let (mut low, mut high) = (0, items.len());
    loop {
        while low < high && row_key(&items[low]) < pivot {
            low += 1;
        }
        while low < high && row_key(&items[high - 1]) >= pivot {
            high -= 1;
        }
        if low >= high {
            return low;
        }
        items.swap(low, high - 1);
    }
}

/// Sorts `items` by customer and currency and sums each run of one customer and currency into
/// its row. In place: a stable sort would need half the items again as a buffer, and this is
/// the report's largest moment.
fn tally(items: &mut [OpenItem], of: &TallyOf<'_>) -> Result<Tally, Overflow> {
    items.sort_unstable_by_key(row_key);
    let mut out = Tally::default();
    let mut sums = vec![MoneySum::default(); of.bounds.len() + 2];
    for (i, item) in items.iter().enumerate() {
        let days = (of.book.as_of - item.due).num_days();
        let bucket = bucket_index(days, of.bounds);
        sums[bucket].add(item.open);
        let cf = out.per_currency.entry(item.currency);
        cf[0].add(item.open);
        if bucket > 0 {
            cf[1].add(item.open);
        }
        if item.open.is_sign_negative() {
            cf[2].add(item.open);
        }
        if of.disputed.is_some_and(|disputed| disputed.contains(of.book.number(item))) {
            cf[3].add(item.open);
        }
        if let Some(class_of) = of.class_of.filter(|_| bucket > 0 && item.open > Decimal::ZERO) {
            // An unknown customer's class is 0 (see `InterestBasis::class_of`).
            let class = match item.owner {
                Owner::Known(c) => class_of.get(c as usize).copied().unwrap_or(0),
                Owner::Unknown(_) => 0,
            };
            out.overdue_by_due.entry((item.currency, item.due, class)).or_default().add(item.open);
        }
        if items.get(i + 1).is_none_or(|next| row_key(next) != row_key(item)) {
            out.rows.extend(finish_row(of, row_key(item), &sums)?);
            sums.fill(MoneySum::default());
        }
    }
    Ok(out)
}

/// What a bucket is called in an error: its label, or its position when there are none.
fn bucket_name(labels: &[String], k: usize) -> String {
    labels.get(k).cloned().unwrap_or_else(|| format!("bucket {}", k + 1))
}

/// The row of one customer and currency from its bucket sums; `None` when all is zero.
fn finish_row(
    of: &TallyOf<'_>,
    (owner, currency): (Owner, Currency),
    sums: &[MoneySum],
) -> Result<Option<AgingRow>, Overflow> {
    let (book, labels) = (of.book, of.labels);
    let whose = || format!("customer \"{}\" in {currency}", book.customer_id(owner, of.customers));
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
        Owner::Unknown(_) => Who::Unknown(book.customer_id(owner, of.customers).into()),
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
    // MoneySum: whole cents in an i128, a tenth of the time of `Decimal` adds over a million
    // rows' buckets, and as checked (see the type).
    let mut totals: BTreeMap<Currency, Vec<MoneySum>> = BTreeMap::new();
    for row in rows {
        let t = totals.entry(row.currency).or_insert_with(|| vec![MoneySum::default(); nbuckets]);
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
mod tests;

/// Issue 10: sums past the range are errors naming the figure, never a panic or a wrapped
/// figure. Amounts here are past what `parse_amount` accepts (or merged many times over), to
/// reach the range with a handful of invoices.
#[cfg(test)]
mod overflow_tests;
