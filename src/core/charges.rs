//! What a late invoice costs the debtor on a date: interest, the reminder fee and the fixed
//! B2B compensation, exactly as the policy asks and never more than the law of the country
//! allows (SPEC §7, `core::rules`).
//!
//! Whose law: a consumer is protected by the law of the country they live in; between
//! businesses the creditor's country applies (the usual choice of law in Nordic terms).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::interest::{InterestResult, accrue, fixed_rate, statutory_rate_on};
use super::ledger::Ledger;
use super::model::{Customer, Invoice};
use super::money::round_money;
use super::policy::{Charge, DayCountSetting, InterestMode, Rules};
use super::rules::{self, DayCount, RatePeriod, RulePack, RuleViolation};

/// The rule pack that governs a customer's claims.
pub fn pack_for(ledger: &Ledger, customer: Option<&Customer>) -> &'static RulePack {
    match customer {
        Some(c) if c.kind.is_consumer() => rules::rules_for(&c.country),
        _ => rules::rules_for(&ledger.policy.country),
    }
}

/// The policy's reference-rate overrides, in the rule packs' terms.
pub fn rate_overrides(rules: &Rules) -> Vec<RatePeriod> {
    rules
        .interest
        .reference_rates
        .iter()
        .flatten()
        .map(|r| RatePeriod { from: r.from.0, reference_rate: r.rate.0 })
        .collect()
}

pub fn day_count(rules: &Rules, pack: &RulePack) -> DayCount {
    match rules.interest.day_count {
        Some(DayCountSetting::Actual365) => DayCount::Actual365,
        Some(DayCountSetting::Thirty360) => DayCount::Thirty360,
        None => pack.interest.day_count,
    }
}

/// Interest on one invoice from the day after its due date up to and including `as_of`,
/// on the open principal as it changed with dated part payments.
pub fn interest(
    ledger: &Ledger,
    invoice: &Invoice,
    customer: Option<&Customer>,
    rules: &Rules,
    as_of: NaiveDate,
) -> InterestResult {
    let pack = pack_for(ledger, customer);
    let timeline = ledger.open_timeline(invoice, as_of);
    let count = day_count(rules, pack);
    match rules.interest.mode() {
        InterestMode::None => InterestResult::default(),
        InterestMode::Fixed => {
            let rate = rules.interest.rate.map_or(Decimal::ZERO, |r| r.0);
            accrue(&timeline, invoice.due, as_of, fixed_rate(rate), count)
        }
        InterestMode::Statutory => {
            let overrides = rate_overrides(rules);
            let consumer = customer.is_some_and(|c| c.kind.is_consumer());
            accrue(&timeline, invoice.due, as_of, statutory_rate_on(pack, consumer, &overrides), count)
        }
    }
}

/// What earlier reminders on an invoice charged, for the fee rules that count them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FeeHistory {
    pub fee_reminders: u32,
    pub last_fee_date: Option<NaiveDate>,
    pub fees_charged: Decimal,
}

/// The reminder fee for one invoice's reminder sent on `on`: the policy's fee if the law allows
/// it (else a violation naming the rule), or with `fee = "statutory"` whatever the law allows
/// that day (possibly nothing yet, as in Norway before day 14). Fees are in the company's
/// currency; an invoice in another currency is charged none.
pub fn reminder_fee(
    ledger: &Ledger,
    invoice: &Invoice,
    customer: Option<&Customer>,
    rules: &Rules,
    history: FeeHistory,
    on: NaiveDate,
) -> Result<Decimal, RuleViolation> {
    let pack = pack_for(ledger, customer);
    let consumer = customer.is_some_and(|c| c.kind.is_consumer());
    let days_after_due = (on - invoice.due).num_days();
    let since_last = history.last_fee_date.map(|d| (on - d).num_days());
    let agreed = rules.reminder.fee_agreed();
    match rules.reminder.fee() {
        Charge::Amount(fee) if fee.is_zero() => Ok(Decimal::ZERO),
        _ if invoice.currency != ledger.policy.currency => Ok(Decimal::ZERO),
        Charge::Amount(fee) => {
            if pack.currency == ledger.policy.currency.as_str() {
                rules::check_fee(
                    pack,
                    consumer,
                    fee,
                    agreed,
                    days_after_due,
                    history.fee_reminders,
                    since_last,
                    on,
                )?;
            }
            Ok(fee)
        }
        Charge::Statutory => {
            if pack.currency != ledger.policy.currency.as_str() {
                return Ok(Decimal::ZERO);
            }
            let max = rules::max_reminder_fee(pack, consumer, on).unwrap_or_default();
            Ok(rules::allowed_fee(
                pack,
                consumer,
                max,
                agreed,
                days_after_due,
                history.fee_reminders,
                since_last,
                on,
            ))
        }
    }
}

/// The fixed compensation for recovery costs a business debtor owes on a late invoice
/// (nothing for consumers), after the fees already charged where the law offsets them.
pub fn compensation(
    ledger: &Ledger,
    invoice: &Invoice,
    customer: Option<&Customer>,
    rules: &Rules,
    fees_charged: Decimal,
    as_of: NaiveDate,
) -> Decimal {
    if customer.is_none_or(|c| c.kind.is_consumer()) || as_of <= invoice.due {
        return Decimal::ZERO;
    }
    let pack = pack_for(ledger, customer);
    match rules.collection.compensation() {
        Charge::Amount(a) if invoice.currency == ledger.policy.currency => a,
        Charge::Amount(_) => Decimal::ZERO,
        Charge::Statutory if invoice.currency.as_str() == pack.currency => {
            rules::compensation_after_fees(pack, as_of, fees_charged).map_or(Decimal::ZERO, round_money)
        }
        Charge::Statutory => Decimal::ZERO,
    }
}

/// Interest earned on an invoice that was settled late.
#[derive(Clone, Debug, PartialEq)]
pub struct LateInterest {
    pub invoice: String,
    pub customer: String,
    pub currency: super::model::Currency,
    pub due: NaiveDate,
    pub settled: NaiveDate,
    pub amount: Decimal,
    pub interest: Decimal,
}

/// The date an invoice's open principal reached zero, by its timeline up to `as_of`.
pub fn settled_on(timeline: &[(NaiveDate, Decimal)]) -> Option<NaiveDate> {
    let (date, open) = timeline.last()?;
    open.is_zero().then_some(*date)
}

/// Interest on every invoice settled late between `from` and `to` (inclusive): what an
/// interest invoice can claim, so that interest is not forgotten once the principal is paid.
pub fn late_payment_interest(ledger: &Ledger, from: NaiveDate, to: NaiveDate) -> Vec<LateInterest> {
    let mut out = Vec::new();
    for invoice in ledger.invoices.iter().filter(|i| !i.is_credit_note() && i.issued <= to) {
        let timeline = ledger.open_timeline(invoice, to);
        let Some(settled) = settled_on(&timeline) else { continue };
        if settled < from || settled > to || settled <= invoice.due {
            continue;
        }
        let customer = ledger.customer(&invoice.customer);
        let rules = ledger.rules_for(customer);
        let result = interest(ledger, invoice, customer, &rules, settled);
        if result.amount.is_zero() {
            continue;
        }
        out.push(LateInterest {
            invoice: invoice.number.clone(),
            customer: invoice.customer.clone(),
            currency: invoice.currency,
            due: invoice.due,
            settled,
            amount: invoice.amount,
            interest: result.amount,
        });
    }
    out
}
