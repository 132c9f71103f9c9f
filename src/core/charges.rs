//! What a late invoice costs the debtor on a date: interest, the reminder fee and the fixed
//! B2B compensation, exactly as the policy asks and never more than the law allows (SPEC §7,
//! `core::rules`, `docs/reference/nordic-rules.md` § 8).
//!
//! Whose law ([`Law`]): a consumer is protected by the law of the country they live in; between
//! businesses the creditor's country applies (the usual choice of law in Nordic terms) —
//! whatever the invoice's currency. A cap in another currency is converted at the dated rate
//! the policy gives (`law.exchange_rates`), rounded down to the cent; without one the fee or
//! compensation is refused, naming why. The check is never skipped.
//!
//! Where the law moves a due date on a weekend or holiday (Sweden, Finland), interest, fees and
//! the compensation all count from the moved date.

use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::interest::{InterestResult, accrue, accrue_total};
use super::ledger::{Debtor, Ledger};
use super::model::{Customer, Invoice, InvoiceRecord};
use super::policy::{Charge, InterestMode, Policy, Rules};
use super::rules::calendar::{MovedDue, moved_due};
use super::rules::{self, DayCount, FeeCurrency, FeeRequest, LawDates, RatePeriod, RulePack, RuleViolation};

/// The law that governs one customer's claims, with the policy settings that feed it.
#[derive(Clone, Copy, Debug)]
pub struct Law<'a> {
    pub pack: &'static RulePack,
    pub consumer: bool,
    /// The debtor is a business of the register: it owes the fixed compensation for recovery
    /// costs (a consumer, or a customer the register lacks, does not).
    pub business: bool,
    pub policy: &'a Policy,
    pub rules: &'a Rules,
}

impl<'a> Law<'a> {
    /// The consumer's country for consumers, the company's for businesses (and for invoices
    /// of unknown customers).
    pub fn of(policy: &'a Policy, customer: Option<&Customer>, rules: &'a Rules) -> Law<'a> {
        match customer {
            Some(c) => Self::of_kind(policy, c.country(), c.kind.is_consumer(), rules),
            None => Self::of_unknown(policy, rules),
        }
    }

    /// [`Law::of`] a customer by its [`Debtor`] (`None`: a customer the register lacks).
    pub fn of_debtor(policy: &'a Policy, debtor: Option<Debtor<'_>>, rules: &'a Rules) -> Law<'a> {
        match debtor {
            Some(d) => Self::of_kind(policy, d.country, d.consumer, rules),
            None => Self::of_unknown(policy, rules),
        }
    }

    /// The law of a customer of the register given by country and kind. (The report's interest
    /// classes ask it for customers the register lacks as for businesses: the same pack, and
    /// they never ask for the compensation, which `business` would wrongly allow them.)
    pub fn of_kind(policy: &'a Policy, country: &str, consumer: bool, rules: &'a Rules) -> Law<'a> {
        let pack = if consumer { rules::rules_for(country) } else { rules::rules_for(&policy.country) };
        Law { pack, consumer, business: !consumer, policy, rules }
    }

    /// The law of an invoice whose customer the register lacks: the company's, as for a
    /// business, with no compensation.
    fn of_unknown(policy: &'a Policy, rules: &'a Rules) -> Law<'a> {
        Law { pack: rules::rules_for(&policy.country), consumer: false, business: false, policy, rules }
    }

    pub fn dates(&self) -> LawDates {
        LawDates { no_inkassolov: self.policy.file.law.no_inkassolov_in_force.map(|d| d.0) }
    }

    /// The policy's reference-rate overrides, in the rule packs' terms.
    pub fn rate_overrides(&self) -> Vec<RatePeriod> {
        rate_overrides(self.rules)
    }

    pub fn day_count(&self) -> DayCount {
        day_count(self.rules, self.pack)
    }

    /// The due date the law counts from: the next business day where the law moves it.
    pub fn legal_due(&self, due: NaiveDate) -> (NaiveDate, Option<MovedDue>) {
        match moved_due(self.pack.country, due) {
            Some(moved) => (moved.to, Some(moved)),
            None => (due, None),
        }
    }

    /// Units of `currency` one unit of the pack's currency is worth on `on`, by the newest
    /// rate the policy gives dated on or before it; `(1, on)` in the pack's own currency.
    pub fn conversion(&self, currency: &str, on: NaiveDate) -> Option<(Decimal, NaiveDate)> {
        if currency.eq_ignore_ascii_case(self.pack.currency) {
            return Some((Decimal::ONE, on));
        }
        self.policy.exchange_rate(self.pack.currency, currency, on)
    }

    /// A statutory amount of the pack converted into `currency` on `on`, rounded down to the
    /// cent (never above the law's figure); `None` without a rate.
    pub fn convert_down(&self, amount: Decimal, currency: &str, on: NaiveDate) -> Option<Decimal> {
        let (rate, _) = self.conversion(currency, on)?;
        Some(amount.checked_mul(rate)?.round_dp_with_strategy(2, RoundingStrategy::ToZero))
    }

    /// Whether statutory interest applies to this kind of debtor at all (not to consumers
    /// under the EU default, nordic-rules § 8.6).
    pub fn has_statutory_rate(&self) -> bool {
        self.pack.interest.margin.get(self.consumer).is_some()
    }

    /// The yearly rate on `date` as the policy asks, never above the statutory rate where
    /// the law caps an agreed rate for consumers (Norway § 4 c); `None`: no rate known.
    pub fn rate_on(&self, date: NaiveDate, overrides: &[RatePeriod]) -> Option<Decimal> {
        match self.rules.interest.mode() {
            InterestMode::None => Some(Decimal::ZERO),
            InterestMode::Statutory => rules::statutory_rate(self.pack, date, self.consumer, overrides),
            InterestMode::Fixed => {
                let fixed = self.rules.interest.rate.map_or(Decimal::ZERO, |r| r.0);
                match self.consumer_cap(date, overrides) {
                    Some(cap) => Some(fixed.min(cap)),
                    None => Some(fixed),
                }
            }
        }
    }

    /// The statutory rate that caps an agreed rate for this consumer, where the law has one.
    fn consumer_cap(&self, date: NaiveDate, overrides: &[RatePeriod]) -> Option<Decimal> {
        if !self.consumer || self.pack.interest.consumer_rate_cap.is_none() {
            return None;
        }
        rules::statutory_rate(self.pack, date, true, overrides)
    }

    /// A fixed rate in the policy above what the law allows this consumer on `on`.
    pub fn check_fixed_rate(&self, on: NaiveDate) -> Result<(), RuleViolation> {
        if self.rules.interest.mode() != InterestMode::Fixed {
            return Ok(());
        }
        let fixed = self.rules.interest.rate.map_or(Decimal::ZERO, |r| r.0);
        let (Some(cap), Some(cite)) =
            (self.consumer_cap(on, &self.rate_overrides()), self.pack.interest.consumer_rate_cap)
        else {
            return Ok(());
        };
        if fixed <= cap {
            return Ok(());
        }
        Err(RuleViolation {
            rule: "rate-above-maximum",
            message: format!(
                "interest rate {} % exceeds the statutory rate of {} % that an agreed rate may not exceed for {} after default",
                fixed.normalize(),
                cap.normalize(),
                self.pack.debtors.get(true)
            ),
            source: cite.source,
        })
    }
}

/// The rule pack that governs a customer's claims.
pub fn pack_for(ledger: &Ledger, customer: Option<&Customer>) -> &'static RulePack {
    let rules = ledger.policy.base_rules();
    Law::of(&ledger.policy, customer, &rules).pack
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
    rules.interest.day_count.unwrap_or(pack.interest.day_count)
}

/// Interest on principal that changes as `timeline` says, from the day after the legal due
/// date up to and including `until`.
pub fn interest_on(
    law: &Law<'_>,
    timeline: &[(NaiveDate, Decimal)],
    due: NaiveDate,
    until: NaiveDate,
) -> InterestResult {
    let (legal_due, _) = law.legal_due(due);
    interest_after(law, timeline, legal_due, until, true)
}

/// [`interest_on`] from a legal due date already worked out; without the segments unless
/// `segments` (the same amount, days and missing rate either way).
fn interest_after(
    law: &Law<'_>,
    timeline: &[(NaiveDate, Decimal)],
    legal_due: NaiveDate,
    until: NaiveDate,
    segments: bool,
) -> InterestResult {
    let mode = law.rules.interest.mode();
    if mode == InterestMode::None || (mode == InterestMode::Statutory && !law.has_statutory_rate()) {
        return InterestResult::default();
    }
    let overrides = law.rate_overrides();
    let rate_on = |date| law.rate_on(date, &overrides);
    if segments {
        accrue(timeline, legal_due, until, rate_on, law.day_count())
    } else {
        accrue_total(timeline, legal_due, until, rate_on, law.day_count())
    }
}

/// Interest on one invoice from the day after its legal due date up to and including `until`,
/// on the open principal as it changed with dated part payments.
pub fn interest(
    ledger: &Ledger,
    invoice: &Invoice,
    customer: Option<&Customer>,
    rules: &Rules,
    until: NaiveDate,
) -> InterestResult {
    let law = Law::of(&ledger.policy, customer, rules);
    let (legal_due, _) = law.legal_due(invoice.due);
    interest_from(&law, ledger, invoice, legal_due, until, true)
}

/// [`interest`] under a law and from a legal due date already worked out (a claim works them
/// out once); without the segments unless `segments`.
pub(crate) fn interest_from(
    law: &Law<'_>,
    ledger: &Ledger,
    invoice: &Invoice,
    legal_due: NaiveDate,
    until: NaiveDate,
    segments: bool,
) -> InterestResult {
    let timeline = ledger.open_timeline(invoice, until);
    interest_after(law, &timeline, legal_due, until, segments)
}

/// What earlier reminders on an invoice charged, for the fee rules that count them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FeeHistory {
    pub fee_reminders: u32,
    pub last_fee_date: Option<NaiveDate>,
    /// The deadline the last fee-bearing reminder gave, where the journal has it.
    pub last_fee_pay_by: Option<NaiveDate>,
    pub fees_charged: Decimal,
    /// The last reminder of any kind.
    pub last_reminder: Option<NaiveDate>,
}

/// The fee of one reminder: what may be charged, and why it is less than asked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeeDecision {
    pub fee: Decimal,
    /// Why no (or a lower) fee is charged where the policy said "statutory".
    pub withheld: Option<RuleViolation>,
}

/// The reminder fee for one invoice's reminder sent on `on`, in the invoice's currency, under
/// the law of its customer (and its rules): the policy's fee if the law allows it (else a
/// violation naming the rule), or with `fee = "statutory"` whatever the law allows that day
/// (possibly nothing yet, as in Norway before day 14). A fixed fee is in the company's
/// currency: an invoice in another currency is charged none.
pub fn reminder_fee(
    law: &Law<'_>,
    invoice: &Invoice,
    history: FeeHistory,
    on: NaiveDate,
) -> Result<FeeDecision, RuleViolation> {
    let rules = law.rules;
    let (legal_due, _) = law.legal_due(invoice.due);
    let request = FeeRequest {
        pack: law.pack,
        consumer: law.consumer,
        fee: Decimal::ZERO,
        currency: FeeCurrency {
            code: invoice.currency.as_str(),
            per_pack_unit: law.conversion(invoice.currency.as_str(), on),
        },
        fee_agreed: rules.reminder.fee_agreed(),
        on,
        days_after_due: (on - legal_due).num_days(),
        fee_reminders_already: history.fee_reminders,
        days_since_last_fee: history.last_fee_date.map(|d| (on - d).num_days()),
        last_fee_deadline: history
            .last_fee_date
            .zip(history.last_fee_pay_by)
            .map(|(sent, pay_by)| ((pay_by - sent).num_days(), pay_by < on)),
        days_since_last_reminder: history.last_reminder.map(|d| (on - d).num_days()),
        dates: law.dates(),
    };
    match rules.reminder.fee() {
        Charge::Amount(fee) if fee.is_zero() => Ok(FeeDecision::default()),
        Charge::Amount(_) if invoice.currency != law.policy.currency => Ok(FeeDecision::default()),
        Charge::Amount(fee) => {
            FeeRequest { fee, ..request }.check()?;
            Ok(FeeDecision { fee, withheld: None })
        }
        Charge::Statutory => {
            let (fee, withheld) = request.statutory();
            Ok(FeeDecision { fee, withheld })
        }
    }
}

/// The fixed compensation of one claim, before and after the fees it offsets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compensation {
    /// What the law (or the policy's fixed amount) gives, in the invoice's currency.
    pub gross: Decimal,
    /// Fees of the claim it is reduced by (SE, NO: the debtor owes the larger).
    pub offset: Decimal,
    /// What is charged: gross − offset, never below 0.
    pub amount: Decimal,
    /// The day its amount is fixed: the day after the legal due date, when the claim for it
    /// arises (nordic-rules § 8.2); it does not drift with the as-of date.
    pub fixed_on: Option<NaiveDate>,
    /// Why none is charged where the policy said "statutory" and the law gives one.
    pub withheld: Option<Box<str>>,
}

/// The fixed compensation for recovery costs a business debtor owes on a late invoice
/// (nothing for consumers, or customers the register lacks) on `as_of`, under a law and from a
/// legal due date already worked out (a claim works them out once), after the fees charged on
/// the claim where the law offsets them. A fixed amount in the policy above the law's is a
/// violation. Without the text of why none is charged unless `say_withheld` (the same figures
/// either way).
pub(crate) fn compensation_from(
    law: &Law<'_>,
    ledger: &Ledger,
    invoice: &Invoice,
    legal_due: NaiveDate,
    fees_charged: Decimal,
    as_of: NaiveDate,
    say_withheld: bool,
) -> Result<Compensation, RuleViolation> {
    let rules = law.rules;
    if !law.business || as_of <= legal_due {
        return Ok(Compensation::default());
    }
    let fixed_on = legal_due.checked_add_days(Days::new(1)).unwrap_or(legal_due);
    let currency = invoice.currency.as_str();
    let statutory = rules::compensation(law.pack, fixed_on);
    let converted = statutory.and_then(|amount| law.convert_down(amount, currency, fixed_on));
    let gross = match rules.collection.compensation() {
        Charge::Amount(a) if a.is_zero() => return Ok(Compensation::default()),
        Charge::Amount(_) if invoice.currency != ledger.policy.currency => return Ok(Compensation::default()),
        Charge::Amount(a) => {
            check_fixed_compensation(law, a, currency, statutory, converted, fixed_on)?;
            a
        }
        Charge::Statutory => match (statutory, converted) {
            (Some(_), Some(amount)) => amount,
            (Some(amount), None) => {
                return Ok(Compensation {
                    fixed_on: Some(fixed_on),
                    withheld: say_withheld.then(|| format!(
                        "no compensation: the law's {} {} cannot be converted to {currency} (no rate dated on or before {fixed_on} in law.exchange_rates)",
                        rules::show_amount(amount),
                        law.pack.currency
                    ).into()),
                    ..Compensation::default()
                });
            }
            (None, _) => return Ok(Compensation::default()),
        },
    };
    let amount = rules::compensation_after_fees(law.pack.compensation.interaction, gross, fees_charged);
    Ok(Compensation { gross, offset: gross - amount, amount, fixed_on: Some(fixed_on), withheld: None })
}

fn check_fixed_compensation(
    law: &Law<'_>,
    fixed: Decimal,
    currency: &str,
    statutory: Option<Decimal>,
    converted: Option<Decimal>,
    on: NaiveDate,
) -> Result<(), RuleViolation> {
    let source = law.pack.compensation.source.source;
    let Some(statutory) = statutory else {
        return Err(RuleViolation {
            rule: "compensation-unknown",
            message: format!(
                "compensation {} {currency}: no statutory compensation is known for {} on {on}",
                rules::show_amount(fixed),
                law.pack.debtors.business
            ),
            source,
        });
    };
    let Some(cap) = converted else {
        return Err(RuleViolation {
            rule: "compensation-cap-not-convertible",
            message: format!(
                "the statutory compensation for {} is {} {}, and no exchange rate {currency}/{} dated on or before {on} is given in law.exchange_rates, so a compensation in {currency} cannot be checked",
                law.pack.debtors.business,
                rules::show_amount(statutory),
                law.pack.currency,
                law.pack.currency
            ),
            source,
        });
    };
    if fixed <= cap {
        return Ok(());
    }
    Err(RuleViolation {
        rule: "compensation-above-maximum",
        message: format!(
            "compensation {} {currency} exceeds the statutory {} {} for {}",
            rules::show_amount(fixed),
            rules::show_amount(statutory),
            law.pack.currency,
            law.pack.debtors.business
        ),
        source,
    })
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
    /// Some half-year had no known rate and the last one was carried forward (or none).
    pub carried_rate: bool,
}

/// The date an invoice's open principal reached zero, by its timeline up to `as_of`.
pub fn settled_on(timeline: &[(NaiveDate, Decimal)]) -> Option<NaiveDate> {
    let (date, open) = timeline.last()?;
    open.is_zero().then_some(*date)
}

/// Whether [`late_payment_interest`] for `from..=to` (the period of `paid`) can need this
/// invoice record, from the record and the payments alone: a credit note (it changes the invoice it names), or an
/// invoice due before `to` whose open amount may have changed within the period. Its open
/// amount is settled on the day of its last change ([`settled_on`]), so an invoice settled in
/// the period changed in it: `paid` dated in it (by `paid_on`, else the invoice date), a
/// payment of `payments.csv` in it, or a credit note on it issued in it — which the record
/// alone cannot tell: [`credited_within`] names those numbers, for the caller to read again.
pub fn may_settle_within(
    record: &InvoiceRecord<'_>,
    to: NaiveDate,
    paid: &super::ledger::PaidWithin,
) -> bool {
    if record.credits.is_some() || record.is_credit_note() {
        return true;
    }
    record.issued <= to && record.due < to && paid.changes(record)
}

/// The number a credit note issued within `from..=to` names: an invoice it may have settled.
pub fn credited_within<'a>(record: &InvoiceRecord<'a>, from: NaiveDate, to: NaiveDate) -> Option<&'a str> {
    record.credits.filter(|_| (from..=to).contains(&record.issued))
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
        let customer = ledger.customer(invoice.customer());
        let rules = ledger.rules_for(customer);
        let law = Law::of(&ledger.policy, customer, &rules);
        let result = interest_on(&law, &timeline, invoice.due, settled);
        if result.amount.is_zero() {
            continue;
        }
        let carried = rules.interest.mode() == InterestMode::Statutory
            && (result.missing_rate || rules::rate_is_stale(law.pack, settled, &law.rate_overrides()));
        out.push(LateInterest {
            invoice: invoice.number().to_string(),
            customer: invoice.customer().to_string(),
            currency: invoice.currency,
            due: invoice.due,
            settled,
            amount: invoice.amount,
            interest: result.amount,
            carried_rate: carried,
        });
    }
    out
}
