//! Early-payment discounts taken and what they cost (SPEC §4's key figures): per currency, the
//! discounts taken in the 12 months up to the as-of date, on how much was invoiced, and the
//! yearly interest rate they amount to: paying `d` less for paying `n` days before the due date
//! costs `d ÷ (amount − d) × 365 ÷ n` a year (2 % for 20 days early is 37.2 %).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::core::ledger::{PaymentIndex, discount_taken};
use crate::core::model::{Currency, InvoiceRecord};

/// Discounts of one currency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiscountFigures {
    pub taken: u64,
    /// The discounts' sum: what they cost.
    pub cost: Decimal,
    /// The amounts of the invoices they were taken on.
    pub invoiced: Decimal,
    /// Σ amount × days between the discount's last day and the due date.
    weighted_days: Decimal,
}

impl DiscountFigures {
    /// The cost as a yearly interest rate, in %, one decimal.
    pub fn annual_rate_pct(&self) -> Option<Decimal> {
        let net = self.invoiced - self.cost;
        if self.invoiced <= Decimal::ZERO || net <= Decimal::ZERO || self.weighted_days <= Decimal::ZERO {
            return None;
        }
        let days = self.weighted_days / self.invoiced;
        let mut pct = (self.cost / net * Decimal::from(365) / days * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        pct.rescale(1);
        Some(pct)
    }

    /// The cost as a share of what the discounted invoices came to, in %.
    pub fn cost_pct(&self) -> Option<Decimal> {
        (self.invoiced > Decimal::ZERO).then(|| {
            let mut pct = (self.cost * Decimal::ONE_HUNDRED / self.invoiced)
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            pct.rescale(1);
            pct
        })
    }
}

/// Gathers the discounts while invoices stream past.
#[derive(Clone, Debug, Default)]
pub struct DiscountBook {
    pub per_currency: BTreeMap<Currency, DiscountFigures>,
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
        f.cost += cost;
        f.invoiced += record.amount;
        f.weighted_days += record.amount * Decimal::from((record.due - discount.until).num_days().max(0));
    }

    pub fn merge(&mut self, other: DiscountBook) {
        for (c, o) in other.per_currency {
            let f = self.per_currency.entry(c).or_default();
            f.taken += o.taken;
            f.cost += o.cost;
            f.invoiced += o.invoiced;
            f.weighted_days += o.weighted_days;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn two_percent_for_twenty_days_early_is_a_dear_loan() {
        let f = DiscountFigures {
            taken: 1,
            cost: Decimal::from(20),
            invoiced: Decimal::from(1000),
            weighted_days: Decimal::from(1000 * 20),
        };
        // 20 ÷ 980 × 365 ÷ 20 = 0.37244… → 37.2 %.
        assert_eq!(f.annual_rate_pct(), Some(Decimal::from_str("37.2").unwrap()));
        assert_eq!(f.cost_pct(), Some(Decimal::from_str("2.0").unwrap()));
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
        taken.discount = Some(Discount { until: d("2026-03-11"), amount: m("20") });
        let mut missed = invoice("M", "2026-03-31", 1000);
        missed.discount = taken.discount;
        let mut full = invoice("F", "2026-03-31", 1000);
        full.discount = taken.discount;
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
