//! Early-payment discounts taken and what they cost (SPEC §4's key figures): per currency, the
//! discounts taken in the 12 months up to the as-of date, on how much was invoiced, and the
//! yearly interest rate they amount to: paying `d` less for paying `n` days before the due date
//! costs `d ÷ (amount − d) × 365 ÷ n` a year (2 % for 20 days early is 37.2 %).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::core::ledger::{PaymentIndex, discount_taken};
use crate::core::model::{Currency, InvoiceRecord};
use crate::core::money::{CheckedSum, Overflow};

/// Discounts of one currency, with the two rates worked out once ([`DiscountBook::figures`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiscountFigures {
    pub taken: u64,
    /// The discounts' sum: what they cost.
    pub cost: Decimal,
    /// The amounts of the invoices they were taken on.
    pub invoiced: Decimal,
    /// Σ amount × days between the discount's last day and the due date.
    weighted_days: Decimal,
    annual_rate_pct: Option<Decimal>,
    cost_pct: Option<Decimal>,
}

impl DiscountFigures {
    /// The figures from their sums, the rates checked: a discount of nearly the whole amount
    /// taken a day early is a rate past any range (issue 10: it panicked `dun report`).
    fn new(taken: u64, cost: Decimal, invoiced: Decimal, weighted_days: Decimal) -> Option<DiscountFigures> {
        let mut f =
            DiscountFigures { taken, cost, invoiced, weighted_days, annual_rate_pct: None, cost_pct: None };
        f.annual_rate_pct = f.annual_rate()?;
        f.cost_pct = f.cost_share()?;
        Some(f)
    }

    /// The cost as a yearly interest rate, in %, one decimal.
    pub fn annual_rate_pct(&self) -> Option<Decimal> {
        self.annual_rate_pct
    }

    /// The cost as a share of what the discounted invoices came to, in %.
    pub fn cost_pct(&self) -> Option<Decimal> {
        self.cost_pct
    }

    /// `Some(None)`: no rate; `None`: past the range.
    fn annual_rate(&self) -> Option<Option<Decimal>> {
        let net = self.invoiced.checked_sub(self.cost)?;
        if self.invoiced <= Decimal::ZERO || net <= Decimal::ZERO || self.weighted_days <= Decimal::ZERO {
            return Some(None);
        }
        let days = self.weighted_days.checked_div(self.invoiced)?;
        let rate = self
            .cost
            .checked_div(net)?
            .checked_mul(Decimal::from(365))?
            .checked_div(days)?
            .checked_mul(Decimal::ONE_HUNDRED)?;
        Some(Some(percent(rate)))
    }

    fn cost_share(&self) -> Option<Option<Decimal>> {
        if self.invoiced <= Decimal::ZERO {
            return Some(None);
        }
        Some(Some(percent(self.cost.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(self.invoiced)?)))
    }
}

/// A percentage to one decimal, half away from zero, always written with its decimal.
fn percent(value: Decimal) -> Decimal {
    let mut pct = value.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    pct.rescale(1);
    pct
}

/// The running sums of one currency, checked: `amount × days` reaches 3.7 × 10^21 an invoice.
#[derive(Clone, Debug, Default)]
struct Sums {
    taken: u64,
    cost: CheckedSum,
    invoiced: CheckedSum,
    weighted_days: CheckedSum,
}

/// Gathers the discounts while invoices stream past.
#[derive(Clone, Debug, Default)]
pub struct DiscountBook {
    per_currency: BTreeMap<Currency, Sums>,
}

impl DiscountBook {
    pub fn push(&mut self, record: &InvoiceRecord<'_>, as_of: NaiveDate, payments: &PaymentIndex) {
        let Some(discount) = record.discount else { return };
        if record.issued > as_of || (as_of - discount.until.min(as_of)).num_days() >= 365 {
            return;
        }
        let Some(cost) = discount_taken(record, as_of, payments) else { return };
        let f = self.per_currency.entry(record.currency).or_default();
        f.taken += 1;
        f.cost.add(cost);
        f.invoiced.add(record.amount);
        f.weighted_days
            .add_product(record.amount, Decimal::from((record.due - discount.until).num_days().max(0)));
    }

    pub fn merge(&mut self, other: DiscountBook) {
        for (c, o) in other.per_currency {
            let f = self.per_currency.entry(c).or_default();
            f.taken += o.taken;
            f.cost.merge(&o.cost);
            f.invoiced.merge(&o.invoiced);
            f.weighted_days.merge(&o.weighted_days);
        }
    }

    /// The figures per currency; an error naming the currency when a sum or rate leaves the
    /// range.
    pub fn figures(self) -> Result<BTreeMap<Currency, DiscountFigures>, Overflow> {
        self.per_currency
            .into_iter()
            .map(|(currency, s)| {
                let figures = match (s.cost.total(), s.invoiced.total(), s.weighted_days.total()) {
                    (Some(cost), Some(invoiced), Some(weighted)) => {
                        DiscountFigures::new(s.taken, cost, invoiced, weighted)
                    }
                    _ => None,
                };
                let too_large =
                    || Overflow::of(format!("the early-payment discounts' yearly rate in {currency}"));
                Ok((currency, figures.ok_or_else(too_large)?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn two_percent_for_twenty_days_early_is_a_dear_loan() {
        let f = DiscountFigures::new(1, Decimal::from(20), Decimal::from(1000), Decimal::from(1000 * 20))
            .unwrap();
        // 20 ÷ 980 × 365 ÷ 20 = 0.37244… → 37.2 %.
        assert_eq!(f.annual_rate_pct(), Some(Decimal::from_str("37.2").unwrap()));
        assert_eq!(f.cost_pct(), Some(Decimal::from_str("2.0").unwrap()));
    }

    /// Issue 10. Before: `dun report --format json` panicked ("Division overflowed") on a
    /// discount of all but a cent of the amount, beside a two-cent one taken a day early.
    #[test]
    fn a_rate_past_the_range_is_none_never_a_panic() {
        let cost = Decimal::from_str("999999999999998.99").unwrap();
        let invoiced = Decimal::from_str("999999999999999.02").unwrap();
        assert_eq!(DiscountFigures::new(2, cost, invoiced, Decimal::from_str("0.02").unwrap()), None);
        let mut book = DiscountBook::default();
        let sek = Currency::parse("SEK").unwrap();
        book.per_currency.insert(
            sek,
            Sums {
                taken: 2,
                cost: CheckedSum::default(),
                invoiced: CheckedSum::default(),
                weighted_days: CheckedSum::default(),
            },
        );
        book.per_currency.get_mut(&sek).unwrap().weighted_days.add_product(Decimal::MAX, Decimal::TWO);
        let e = book.figures().unwrap_err().to_string();
        assert!(e.starts_with("the early-payment discounts' yearly rate in SEK is too large"), "{e}");
    }
}

#[cfg(test)]
mod ledger_tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use crate::core::insight::effectiveness::tests::{customer, d, invoice, payment, policy};
    use crate::core::journal::Journal;
    use crate::core::ledger::Ledger;
    use crate::core::model::Discount;

    fn m(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Interest and reminders read the open timeline: a discount taken closes it that day.
    #[test]
    fn the_timeline_closes_on_the_day_the_discounted_amount_is_paid() {
        let mut taken = invoice("T", "2026-03-31", 1000);
        taken.set_discount(Some(Discount { until: d("2026-03-11"), amount: m("20") }));
        let mut missed = invoice("M", "2026-03-31", 1000);
        missed.set_discount(taken.discount());
        let mut full = invoice("F", "2026-03-31", 1000);
        full.set_discount(taken.discount());
        let payments = vec![
            payment("T", "2026-03-05", 500),
            payment("T", "2026-03-10", 480),
            payment("M", "2026-03-12", 980),
            payment("F", "2026-03-10", 1000),
        ];
        let ledger = Ledger::new(
            policy(),
            vec![customer()],
            vec![taken.clone(), missed.clone(), full.clone()],
            payments,
            Journal::default(),
        );
        let on = d("2026-04-30");
        assert_eq!(
            ledger.open_timeline(&taken, on),
            vec![(d("2026-03-01"), m("1000")), (d("2026-03-05"), m("500")), (d("2026-03-10"), m("0"))]
        );
        assert_eq!(ledger.open_timeline(&missed, on).last(), Some(&(d("2026-03-12"), m("20"))));
        // Paid in full within the period: no discount, nothing owed back.
        assert_eq!(ledger.open_timeline(&full, on).last(), Some(&(d("2026-03-10"), m("0"))));
        let open = ledger.open_amounts(on);
        assert_eq!((open.get("T"), open.get("M"), open.get("F")), (None, Some(&m("20")), None));
        // Before its last day the discount is still to be had, and the full amount is shown.
        assert_eq!(ledger.open_amounts(d("2026-03-06")).get("T"), Some(&m("500")));
    }
}
