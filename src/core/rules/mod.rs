//! Statutory rule packs: late-payment interest, reminder fees, the fixed B2B
//! compensation and the conditions for collection, per country (SPEC §7).
//!
//! Every figure is dated data in one module per country (`se`, `no`, `dk`,
//! `fi`) plus `eu`, the default for any other country. Each figure carries the
//! confidence mark of `docs/reference/nordic-rules.md` in a comment (✅ statute or
//! official body, ◐ secondary source, ⚠ derived or unconfirmed) and each rule
//! names its source so an error message can cite it.
//!
//! Everything here is pure: no clock, no I/O. Money is `Decimal` in the pack's
//! currency, dates are `NaiveDate`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

pub mod dk;
pub mod eu;
pub mod fi;
pub mod no;
pub mod se;

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/// How the days of an interest period are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum DayCount {
    /// Actual days, 365-day year (also in leap years).
    Actual365,
    /// 30-day months, 360-day year (Danish practice); see `core::interest`.
    Thirty360,
}

impl DayCount {
    /// The name used in `policy.toml` (`interest.day_count`).
    pub fn name(self) -> &'static str {
        match self {
            DayCount::Actual365 => "actual/365",
            DayCount::Thirty360 => "30/360",
        }
    }
}

impl fmt::Display for DayCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A day-count name that is neither `actual/365` nor `30/360`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDayCount(pub String);

impl fmt::Display for UnknownDayCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown day count \"{}\": expected \"actual/365\" or \"30/360\"", self.0)
    }
}

impl std::error::Error for UnknownDayCount {}

impl FromStr for DayCount {
    type Err = UnknownDayCount;

    /// Case-insensitive; also accepts the common spellings `act/365` and `30e/360`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "actual/365" | "act/365" => Ok(DayCount::Actual365),
            "30/360" | "30e/360" => Ok(DayCount::Thirty360),
            _ => Err(UnknownDayCount(s.to_string())),
        }
    }
}

impl TryFrom<String> for DayCount {
    type Error = UnknownDayCount;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<DayCount> for &'static str {
    fn from(day_count: DayCount) -> Self {
        day_count.name()
    }
}

/// The reference rate (% p.a.) that applies from `from` on (until the next
/// period starts). Built-in periods start on 1 Jan or 1 Jul.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RatePeriod {
    pub from: NaiveDate,
    /// `policy.toml` writes it as `rate`.
    #[serde(alias = "rate")]
    pub reference_rate: Decimal,
}

/// An amount that applies from `from` on (until the next entry starts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatedAmount {
    pub from: NaiveDate,
    pub amount: Decimal,
}

/// One value for business debtors and one for consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerDebtor<T> {
    pub business: T,
    pub consumer: T,
}

impl<T> PerDebtor<T> {
    pub fn get(&self, consumer: bool) -> &T {
        if consumer { &self.consumer } else { &self.business }
    }
}

impl<T: Copy> PerDebtor<T> {
    /// The same value for both kinds of debtor.
    pub const fn both(value: T) -> Self {
        PerDebtor { business: value, consumer: value }
    }
}

/// Late-payment interest: reference rate + margin, reset half-yearly.
#[derive(Debug, PartialEq, Eq)]
pub struct InterestRules {
    /// Built-in reference rates, sorted by `from`, one per half-year.
    pub reference_rates: &'static [RatePeriod],
    /// What the reference rate is called, e.g. "Riksbank referensränta".
    pub reference_rate_name: &'static str,
    pub reference_rate_source: &'static str,
    /// Percentage points added to the reference rate.
    pub margin: PerDebtor<Decimal>,
    pub margin_source: PerDebtor<&'static str>,
    /// Default day count; the policy may override it.
    pub day_count: DayCount,
    pub day_count_source: &'static str,
}

/// Conditions on the reminder fee for one kind of debtor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeRule {
    /// Statutory maximum per reminder, dated. Empty: no statutory fee, only
    /// what was agreed may be charged.
    pub max: &'static [DatedAmount],
    pub max_source: &'static str,
    /// The fee may only be charged if it was agreed in advance.
    pub needs_agreement: bool,
    pub agreement_source: &'static str,
    /// A fee may be charged on a reminder sent at least this many days after
    /// the due date (1 = any day after the due date).
    pub min_days_after_due: i64,
    pub timing_source: &'static str,
    /// At most this many fee-bearing reminders per claim.
    pub max_fee_reminders: Option<u32>,
    pub count_source: &'static str,
    /// Fee-bearing reminders at least this many days apart.
    pub min_days_between: Option<i64>,
    pub spacing_source: &'static str,
}

/// How the fixed B2B compensation relates to reminder fees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompensationInteraction {
    /// Charged on top of reminder fees.
    InAddition,
    /// Replaces reminder fees up to its amount: compensation = amount − fees
    /// already charged (never below zero).
    OffsetsFees,
}

/// The fixed compensation for recovery costs a business creditor may claim
/// from a business (or public-body) debtor.
#[derive(Debug, PartialEq, Eq)]
pub struct CompensationRule {
    /// Dated amounts in the pack's currency; none known before the first.
    pub amounts: &'static [DatedAmount],
    pub interaction: CompensationInteraction,
    pub source: &'static str,
}

/// What the creditor must do before handing a claim to collection.
#[derive(Debug, PartialEq, Eq)]
pub struct CollectionRules {
    /// Minimum deadline (days from sending) a collection notice must give;
    /// 0 = no statutory minimum.
    pub min_deadline_days: PerDebtor<i64>,
    pub deadline_source: &'static str,
    /// The last reminder must warn that the claim goes to collection.
    pub warning_required: bool,
    pub warning_source: &'static str,
    /// Minimum days between a reminder and the collection demand.
    pub min_days_after_reminder: PerDebtor<Option<i64>>,
    pub min_days_after_reminder_source: &'static str,
}

/// The statutory rules of one country (or the EU default).
#[derive(Debug, PartialEq, Eq)]
pub struct RulePack {
    /// ISO 3166 alpha-2, or "EU" for the default pack.
    pub country: &'static str,
    /// ISO 4217 currency of every amount in the pack.
    pub currency: &'static str,
    /// How messages name the debtors, e.g. "Swedish debtors".
    pub debtors: PerDebtor<&'static str>,
    pub interest: InterestRules,
    pub reminder_fee: PerDebtor<FeeRule>,
    pub compensation: CompensationRule,
    pub collection: CollectionRules,
}

/// A statutory rule that an action would break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleViolation {
    /// Short kebab-case id, e.g. "fee-above-maximum".
    pub rule: &'static str,
    /// English, names the figure.
    pub message: String,
    /// Statute and section; empty when the rule is `dun`'s own.
    pub source: &'static str,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} ({})", self.message, self.source)
        }
    }
}

impl std::error::Error for RuleViolation {}

// ---------------------------------------------------------------------------
// Helpers for the built-in tables (evaluated at compile time)
// ---------------------------------------------------------------------------

/// A date in a built-in table. Only used in `static` initialisers, so a typo
/// fails the build instead of panicking at run time.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date in a built-in rule table"),
    }
}

/// A percentage given in hundredths: `pct(250)` = 2.50.
const fn pct(hundredths: u32) -> Decimal {
    Decimal::from_parts(hundredths, 0, 0, false, 2)
}

/// A whole amount of money: `whole(60)` = 60.
const fn whole(units: u32) -> Decimal {
    Decimal::from_parts(units, 0, 0, false, 0)
}

const fn rate(from: NaiveDate, hundredths: u32) -> RatePeriod {
    RatePeriod { from, reference_rate: pct(hundredths) }
}

const fn dated(from: NaiveDate, units: u32) -> DatedAmount {
    DatedAmount { from, amount: whole(units) }
}

// ---------------------------------------------------------------------------
// Lookup
// ---------------------------------------------------------------------------

/// Every built-in pack, Nordic countries first.
pub fn all_packs() -> [&'static RulePack; 5] {
    [&se::PACK, &no::PACK, &dk::PACK, &fi::PACK, &eu::PACK]
}

/// The pack for an ISO 3166 alpha-2 country code (case-insensitive, spaces
/// ignored). Any other country gets the EU default.
pub fn rules_for(country: &str) -> &'static RulePack {
    let code = country.trim();
    all_packs().into_iter().find(|pack| pack.country.eq_ignore_ascii_case(code)).unwrap_or(&eu::PACK)
}

// ---------------------------------------------------------------------------
// Half-years
// ---------------------------------------------------------------------------

/// 1 Jan or 1 Jul of the half-year that holds `date`.
pub fn half_year_start(date: NaiveDate) -> NaiveDate {
    let month = if date.month() <= 6 { 1 } else { 7 };
    NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date)
}

/// 30 Jun or 31 Dec of the half-year that holds `date`.
pub fn half_year_end(date: NaiveDate) -> NaiveDate {
    let (month, day) = if date.month() <= 6 { (6, 30) } else { (12, 31) };
    NaiveDate::from_ymd_opt(date.year(), month, day).unwrap_or(date)
}

/// "2026H2".
pub fn half_year_label(date: NaiveDate) -> String {
    let half = if date.month() <= 6 { 1 } else { 2 };
    format!("{}H{}", date.year(), half)
}

// ---------------------------------------------------------------------------
// Interest rates
// ---------------------------------------------------------------------------

/// The latest period in `periods` that started on or before `date`; on equal
/// `from` dates the later entry wins (a policy listing a date twice means its
/// last line).
fn latest_period_on(periods: &[RatePeriod], date: NaiveDate) -> Option<RatePeriod> {
    periods.iter().filter(|period| period.from <= date).fold(None, |best: Option<RatePeriod>, period| {
        match best {
            Some(best) if best.from > period.from => Some(best),
            _ => Some(*period),
        }
    })
}

/// The reference rate in force on `date` and the start of its period.
///
/// The policy's `overrides` are merged with the built-in table by `from`
/// date; an override wins over a built-in period starting the same day. An
/// override only replaces the built-in periods up to the next built-in
/// start. `None` before the first known period.
pub fn reference_rate_on(
    pack: &RulePack,
    date: NaiveDate,
    overrides: &[RatePeriod],
) -> Option<(Decimal, NaiveDate)> {
    let built_in = latest_period_on(pack.interest.reference_rates, date);
    let overridden = latest_period_on(overrides, date);
    let chosen = match (built_in, overridden) {
        (Some(b), Some(o)) if b.from > o.from => b,
        (_, Some(o)) => o,
        (Some(b), None) => b,
        (None, None) => return None,
    };
    Some((chosen.reference_rate, chosen.from))
}

/// The statutory late-payment rate (% p.a.) on `date`: reference + margin.
pub fn statutory_rate(
    pack: &RulePack,
    date: NaiveDate,
    consumer: bool,
    overrides: &[RatePeriod],
) -> Option<Decimal> {
    let (reference, _) = reference_rate_on(pack, date, overrides)?;
    reference.checked_add(*pack.interest.margin.get(consumer))
}

/// Start of the newest reference-rate period known (built-in or override).
pub fn last_known_period(pack: &RulePack, overrides: &[RatePeriod]) -> NaiveDate {
    pack.interest
        .reference_rates
        .iter()
        .chain(overrides)
        .map(|period| period.from)
        .max()
        // Unreachable for the built-in packs (their tables are never empty).
        .unwrap_or(NaiveDate::MIN)
}

/// True when `date` lies in a half-year after the one holding the last
/// known period, i.e. the reference rate for `date` has not been published
/// (or entered) yet and the last known one is used instead.
///
/// For half-year aligned periods this is "on or after last `from` + 6
/// months". Comparing half-years rather than adding 6 months also handles an
/// override dated mid-half-year: the rate resets on the next 1 Jan / 1 Jul.
pub fn rate_is_stale(pack: &RulePack, date: NaiveDate, overrides: &[RatePeriod]) -> bool {
    half_year_start(date) > half_year_start(last_known_period(pack, overrides))
}

/// The warning the CLI prints when [`rate_is_stale`], else `None`.
pub fn stale_rate_warning(pack: &RulePack, date: NaiveDate, overrides: &[RatePeriod]) -> Option<String> {
    rate_is_stale(pack, date, overrides).then(|| {
        format!(
            "no reference rate known for {}; set interest.reference_rates in policy.toml",
            half_year_label(date)
        )
    })
}

// ---------------------------------------------------------------------------
// Dated amounts
// ---------------------------------------------------------------------------

/// The entry in force on `on`; `None` before the first entry.
fn amount_on(table: &[DatedAmount], on: NaiveDate) -> Option<Decimal> {
    table.iter().filter(|entry| entry.from <= on).max_by_key(|entry| entry.from).map(|entry| entry.amount)
}

/// The statutory maximum reminder fee on `on`, in the pack's currency.
///
/// `None` means there is no statutory fee: only what was agreed may be
/// charged. Before the first dated cap the earliest known cap applies: older
/// caps were never higher in the tables we ship, so this errs on the
/// debtor's side instead of lifting the limit.
pub fn max_reminder_fee(pack: &RulePack, consumer: bool, on: NaiveDate) -> Option<Decimal> {
    let caps = pack.reminder_fee.get(consumer).max;
    amount_on(caps, on).or_else(|| caps.first().map(|cap| cap.amount))
}

/// The fixed B2B compensation on `on` in the pack's currency; `None` when no
/// amount is known for that date.
pub fn compensation(pack: &RulePack, on: NaiveDate) -> Option<Decimal> {
    amount_on(pack.compensation.amounts, on)
}

/// The compensation still claimable after `fees_already_charged` reminder
/// fees (in the pack's currency): where it offsets fees (SE) it is reduced
/// by them, never below zero.
pub fn compensation_after_fees(
    pack: &RulePack,
    on: NaiveDate,
    fees_already_charged: Decimal,
) -> Option<Decimal> {
    let amount = compensation(pack, on)?;
    Some(match pack.compensation.interaction {
        CompensationInteraction::InAddition => amount,
        CompensationInteraction::OffsetsFees => amount
            .checked_sub(fees_already_charged.max(Decimal::ZERO))
            .unwrap_or(Decimal::ZERO)
            .max(Decimal::ZERO),
    })
}

// ---------------------------------------------------------------------------
// Reminder fees
// ---------------------------------------------------------------------------

/// Everything about one fee-bearing reminder that the rules look at.
struct FeeRequest<'a> {
    pack: &'a RulePack,
    consumer: bool,
    fee: Decimal,
    fee_agreed: bool,
    days_after_due: i64,
    fee_reminders_already: u32,
    days_since_last_fee: Option<i64>,
    on: NaiveDate,
}

impl FeeRequest<'_> {
    fn rule(&self) -> &FeeRule {
        self.pack.reminder_fee.get(self.consumer)
    }

    fn debtors(&self) -> &'static str {
        self.pack.debtors.get(self.consumer)
    }

    fn money(&self, amount: Decimal) -> String {
        format!("{} {}", show_amount(amount), self.pack.currency)
    }

    /// Every condition except the maximum amount: these decide whether any
    /// fee at all may be charged on this reminder.
    fn check_conditions(&self) -> Result<(), RuleViolation> {
        self.check_agreement()?;
        self.check_timing()?;
        self.check_count()?;
        self.check_spacing()
    }

    fn check_agreement(&self) -> Result<(), RuleViolation> {
        let rule = self.rule();
        if !rule.needs_agreement || self.fee_agreed {
            return Ok(());
        }
        Err(RuleViolation {
            rule: "fee-not-agreed",
            message: format!(
                "reminder fee {} may only be charged to {} if it was agreed in advance",
                self.money(self.fee),
                self.debtors()
            ),
            source: rule.agreement_source,
        })
    }

    fn check_timing(&self) -> Result<(), RuleViolation> {
        let rule = self.rule();
        if self.days_after_due >= rule.min_days_after_due {
            return Ok(());
        }
        let message = if rule.min_days_after_due <= 1 {
            format!(
                "a reminder fee may only be charged to {} after the due date; this reminder is {} days after it",
                self.debtors(),
                self.days_after_due
            )
        } else {
            format!(
                "a reminder fee may only be charged to {} on a reminder sent at least {} days after the due date; this one is {} days after it",
                self.debtors(),
                rule.min_days_after_due,
                self.days_after_due
            )
        };
        Err(RuleViolation { rule: "fee-too-early", message, source: rule.timing_source })
    }

    fn check_count(&self) -> Result<(), RuleViolation> {
        let rule = self.rule();
        match rule.max_fee_reminders {
            Some(max) if self.fee_reminders_already >= max => Err(RuleViolation {
                rule: "fee-count-exceeded",
                message: format!(
                    "at most {} fee-bearing reminders per claim may be sent to {}; {} already carried a fee",
                    max,
                    self.debtors(),
                    self.fee_reminders_already
                ),
                source: rule.count_source,
            }),
            _ => Ok(()),
        }
    }

    /// `days_since_last_fee` = `None` means no earlier fee-bearing reminder.
    fn check_spacing(&self) -> Result<(), RuleViolation> {
        let rule = self.rule();
        match (rule.min_days_between, self.days_since_last_fee) {
            (Some(min), Some(since)) if since < min => Err(RuleViolation {
                rule: "fee-too-soon",
                message: format!(
                    "fee-bearing reminders to {} must be at least {} days apart; the last fee was charged {} days ago",
                    self.debtors(),
                    min,
                    since
                ),
                source: rule.spacing_source,
            }),
            _ => Ok(()),
        }
    }

    fn check_maximum(&self) -> Result<(), RuleViolation> {
        match max_reminder_fee(self.pack, self.consumer, self.on) {
            Some(max) if self.fee > max => Err(RuleViolation {
                rule: "fee-above-maximum",
                message: format!(
                    "reminder fee {} exceeds the statutory maximum of {} for {}",
                    self.money(self.fee),
                    self.money(max),
                    self.debtors()
                ),
                source: self.rule().max_source,
            }),
            _ => Ok(()),
        }
    }

    fn check_sign(&self) -> Result<(), RuleViolation> {
        if self.fee >= Decimal::ZERO {
            return Ok(());
        }
        Err(RuleViolation {
            rule: "fee-negative",
            message: format!("reminder fee {} is negative", self.money(self.fee)),
            source: "",
        })
    }

    fn check(&self) -> Result<(), RuleViolation> {
        self.check_sign()?;
        if self.fee.is_zero() {
            // No fee, nothing the fee rules could forbid.
            return Ok(());
        }
        self.check_agreement()?;
        self.check_maximum()?;
        self.check_timing()?;
        self.check_count()?;
        self.check_spacing()
    }

    fn allowed(&self) -> Decimal {
        if self.fee <= Decimal::ZERO || self.check_conditions().is_err() {
            return Decimal::ZERO;
        }
        match max_reminder_fee(self.pack, self.consumer, self.on) {
            Some(max) => self.fee.min(max),
            None => self.fee,
        }
    }
}

/// Checks a reminder fee against the statutory rules of `pack`.
///
/// `days_after_due`: the reminder's date minus the due date.
/// `fee_reminders_already`: earlier reminders on this claim that carried a fee.
/// `days_since_last_fee`: days since the last of those (`None`: there was none).
/// `on`: the reminder's date (decides which dated cap applies).
///
/// Reports the first rule broken, in this order: negative fee, agreement,
/// maximum, timing, count, spacing. A zero fee always passes.
#[allow(clippy::too_many_arguments)] // mirrors the reminder's facts one by one; see FeeRequest
pub fn check_fee(
    pack: &RulePack,
    consumer: bool,
    fee: Decimal,
    fee_agreed: bool,
    days_after_due: i64,
    fee_reminders_already: u32,
    days_since_last_fee: Option<i64>,
    on: NaiveDate,
) -> Result<(), RuleViolation> {
    FeeRequest {
        pack,
        consumer,
        fee,
        fee_agreed,
        days_after_due,
        fee_reminders_already,
        days_since_last_fee,
        on,
    }
    .check()
}

/// The fee that may actually be charged on this reminder: `requested`
/// capped at the statutory maximum, or 0 when a condition is not met (no
/// agreement where one is needed, too early, too many, too soon).
///
/// For `fee = "statutory"` pass `max_reminder_fee(..).unwrap_or_default()`
/// as `requested` (where there is no statutory fee that is 0).
#[allow(clippy::too_many_arguments)] // same facts as check_fee
pub fn allowed_fee(
    pack: &RulePack,
    consumer: bool,
    requested: Decimal,
    fee_agreed: bool,
    days_after_due: i64,
    fee_reminders_already: u32,
    days_since_last_fee: Option<i64>,
    on: NaiveDate,
) -> Decimal {
    FeeRequest {
        pack,
        consumer,
        fee: requested,
        fee_agreed,
        days_after_due,
        fee_reminders_already,
        days_since_last_fee,
        on,
    }
    .allowed()
}

/// An amount for a message: "60", "60.50".
fn show_amount(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if rounded.fract().is_zero() { rounded.trunc().normalize().to_string() } else { format!("{rounded:.2}") }
}

/// What the per-country test tables share.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    pub fn m(s: &str) -> Decimal {
        s.parse().expect("test decimal")
    }

    /// Each `(date, reference rate, consumer rate, business rate)` as the pack gives it, and
    /// the reference rate's period starting on the half-year.
    pub fn assert_rates(pack: &RulePack, cases: &[(&str, &str, &str, &str)]) {
        for &(date, reference, consumer, business) in cases {
            let (got, from) = reference_rate_on(pack, d(date), &[]).expect(date);
            assert_eq!(got, m(reference), "{date}");
            assert_eq!(from, half_year_start(d(date)), "{date}");
            assert_eq!(statutory_rate(pack, d(date), true, &[]), Some(m(consumer)), "{date} consumer");
            assert_eq!(statutory_rate(pack, d(date), false, &[]), Some(m(business)), "{date} business");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{d, m};
    use super::*;

    #[test]
    fn day_count_parses_and_names() {
        let cases = [
            ("actual/365", Some(DayCount::Actual365)),
            ("Actual/365", Some(DayCount::Actual365)),
            (" act/365 ", Some(DayCount::Actual365)),
            ("30/360", Some(DayCount::Thirty360)),
            ("30E/360", Some(DayCount::Thirty360)),
            ("actual/360", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<DayCount>().ok(), expected, "{text:?}");
        }
        for day_count in [DayCount::Actual365, DayCount::Thirty360] {
            assert_eq!(day_count.name().parse::<DayCount>(), Ok(day_count));
            assert_eq!(day_count.to_string(), day_count.name());
        }
        let err = "act/360".parse::<DayCount>().unwrap_err().to_string();
        assert!(err.contains("\"act/360\"") && err.contains("30/360"), "{err}");
    }

    #[test]
    fn rules_for_is_case_insensitive_and_defaults_to_eu() {
        let cases = [
            ("SE", "SE"),
            ("se", "SE"),
            (" No ", "NO"),
            ("dk", "DK"),
            ("FI", "FI"),
            ("DE", "EU"),
            ("eu", "EU"),
            ("", "EU"),
            ("Sweden", "EU"),
        ];
        for (code, pack) in cases {
            assert_eq!(rules_for(code).country, pack, "{code:?}");
        }
    }

    #[test]
    fn built_in_tables_are_sorted_half_years_from_2023h1_to_2026h1() {
        for pack in all_packs() {
            let rates = pack.interest.reference_rates;
            assert_eq!(rates.len(), 7, "{}", pack.country);
            assert_eq!(rates[0].from, d("2023-01-01"), "{}", pack.country);
            assert_eq!(last_known_period(pack, &[]), d("2026-01-01"));
            for pair in rates.windows(2) {
                assert!(pair[0].from < pair[1].from, "{}", pack.country);
            }
            for period in rates {
                assert_eq!(half_year_start(period.from), period.from);
            }
            for table in [pack.compensation.amounts, pack.reminder_fee.business.max] {
                for pair in table.windows(2) {
                    assert!(pair[0].from < pair[1].from, "{}", pack.country);
                }
            }
        }
    }

    #[test]
    fn half_year_helpers() {
        let cases = [
            ("2026-01-01", "2026-01-01", "2026-06-30", "2026H1"),
            ("2026-06-30", "2026-01-01", "2026-06-30", "2026H1"),
            ("2026-07-01", "2026-07-01", "2026-12-31", "2026H2"),
            ("2026-12-31", "2026-07-01", "2026-12-31", "2026H2"),
        ];
        for (date, start, end, label) in cases {
            assert_eq!(half_year_start(d(date)), d(start));
            assert_eq!(half_year_end(d(date)), d(end));
            assert_eq!(half_year_label(d(date)), label);
        }
    }

    #[test]
    fn reference_rate_on_none_before_first_period() {
        for pack in all_packs() {
            assert_eq!(reference_rate_on(pack, d("2022-12-31"), &[]), None);
            assert_eq!(statutory_rate(pack, d("2022-12-31"), false, &[]), None);
        }
    }

    #[test]
    fn overrides_win_and_merge_by_date() {
        let pack = rules_for("SE");
        let overrides = [
            RatePeriod { from: d("2026-07-01"), reference_rate: m("1.75") },
            // Same day as a built-in period: the override wins.
            RatePeriod { from: d("2025-01-01"), reference_rate: m("2.75") },
        ];
        let cases = [
            // before any override: built-in
            ("2024-12-31", "4.00", "2024-07-01"),
            // override on the same day as the built-in 2025H1
            ("2025-01-01", "2.75", "2025-01-01"),
            ("2025-06-30", "2.75", "2025-01-01"),
            // the next built-in period takes over again
            ("2025-07-01", "2.00", "2025-07-01"),
            ("2026-06-30", "2.00", "2026-01-01"),
            // a new half-year only the policy knows
            ("2026-07-01", "1.75", "2026-07-01"),
            ("2027-03-01", "1.75", "2026-07-01"),
        ];
        for (date, reference, from) in cases {
            assert_eq!(reference_rate_on(pack, d(date), &overrides), Some((m(reference), d(from))), "{date}");
        }
        assert_eq!(statutory_rate(pack, d("2026-08-01"), true, &overrides), Some(m("9.75")));
        // An override before the built-in table extends it backwards.
        let early = [RatePeriod { from: d("2022-07-01"), reference_rate: m("0.50") }];
        assert_eq!(reference_rate_on(pack, d("2022-12-31"), &early), Some((m("0.50"), d("2022-07-01"))));
    }

    #[test]
    fn duplicate_overrides_last_one_wins() {
        let pack = rules_for("NO");
        let overrides = [
            RatePeriod { from: d("2026-07-01"), reference_rate: m("3.75") },
            RatePeriod { from: d("2026-07-01"), reference_rate: m("3.50") },
        ];
        assert_eq!(reference_rate_on(pack, d("2026-09-01"), &overrides), Some((m("3.50"), d("2026-07-01"))));
    }

    #[test]
    fn stale_detection() {
        let pack = rules_for("DK");
        let cases =
            [("2026-06-30", false), ("2026-07-01", true), ("2027-01-01", true), ("2020-01-01", false)];
        for (date, stale) in cases {
            assert_eq!(rate_is_stale(pack, d(date), &[]), stale, "{date}");
        }
        assert_eq!(
            stale_rate_warning(pack, d("2026-07-01"), &[]).as_deref(),
            Some("no reference rate known for 2026H2; set interest.reference_rates in policy.toml")
        );
        assert_eq!(stale_rate_warning(pack, d("2026-06-30"), &[]), None);

        let overrides = [RatePeriod { from: d("2026-07-01"), reference_rate: m("1.60") }];
        assert_eq!(last_known_period(pack, &overrides), d("2026-07-01"));
        assert!(!rate_is_stale(pack, d("2026-12-31"), &overrides));
        assert!(rate_is_stale(pack, d("2027-01-01"), &overrides));

        // An override dated mid-half-year still covers only its half-year.
        let mid = [RatePeriod { from: d("2026-09-15"), reference_rate: m("1.60") }];
        assert!(!rate_is_stale(pack, d("2026-12-31"), &mid));
        assert!(rate_is_stale(pack, d("2027-01-01"), &mid));
    }

    #[test]
    fn max_fee_falls_back_to_earliest_cap_and_none_means_agreed_only() {
        assert_eq!(max_reminder_fee(rules_for("NO"), true, d("2019-01-01")), Some(m("35")));
        assert_eq!(max_reminder_fee(rules_for("DE"), false, d("2026-01-01")), None);
        assert_eq!(max_reminder_fee(rules_for("DE"), true, d("2026-01-01")), None);
    }

    #[test]
    fn violation_display_names_figure_and_source() {
        let err =
            check_fee(rules_for("SE"), false, m("100"), true, 10, 0, None, d("2026-03-01")).unwrap_err();
        assert_eq!(err.rule, "fee-above-maximum");
        assert_eq!(
            err.to_string(),
            "reminder fee 100 SEK exceeds the statutory maximum of 60 SEK for Swedish debtors \
             (lag (1981:739) om ersättning för inkassokostnader 4 §)"
        );
    }

    #[test]
    fn zero_and_negative_fees() {
        for pack in all_packs() {
            // A zero fee is always fine, even unagreed and on day 0.
            assert_eq!(check_fee(pack, true, Decimal::ZERO, false, 0, 9, Some(0), d("2026-01-01")), Ok(()));
            let err = check_fee(pack, true, m("-5"), true, 30, 0, None, d("2026-01-01")).unwrap_err();
            assert_eq!(err.rule, "fee-negative");
            assert!(!err.to_string().contains('('), "{err}");
            assert_eq!(allowed_fee(pack, true, m("-5"), true, 30, 0, None, d("2026-01-01")), Decimal::ZERO);
        }
    }

    #[test]
    fn eu_fee_needs_agreement_and_has_no_cap() {
        let pack = rules_for("DE");
        let on = d("2026-01-01");
        let err = check_fee(pack, false, m("15"), false, 20, 0, None, on).unwrap_err();
        assert_eq!(err.rule, "fee-not-agreed");
        assert_eq!(check_fee(pack, false, m("15"), true, 20, 0, None, on), Ok(()));
        assert_eq!(allowed_fee(pack, false, m("15"), true, 20, 0, None, on), m("15"));
        assert_eq!(allowed_fee(pack, false, m("15"), false, 20, 0, None, on), m("0"));
    }

    #[test]
    fn fee_on_or_before_due_date_is_refused_everywhere() {
        for pack in all_packs() {
            let err = check_fee(pack, false, m("1"), true, 0, 0, None, d("2026-01-01")).unwrap_err();
            assert_eq!(err.rule, "fee-too-early", "{}", pack.country);
        }
    }

    #[test]
    fn compensation_after_fees_offsets_only_in_sweden() {
        let on = d("2026-02-01");
        let cases = [
            ("SE", "60", Some("390")),
            ("SE", "500", Some("0")),
            ("SE", "-10", Some("450")),
            ("DK", "300", Some("310")),
            ("NO", "35", Some("460")),
            ("FI", "12", Some("40")),
            ("DE", "12", Some("40")),
        ];
        for (country, fees, expected) in cases {
            assert_eq!(
                compensation_after_fees(rules_for(country), on, m(fees)),
                expected.map(m),
                "{country} {fees}"
            );
        }
        assert_eq!(compensation_after_fees(rules_for("NO"), d("2022-12-31"), m("0")), None);
    }

    #[test]
    fn show_amount_formats() {
        let cases = [("60", "60"), ("60.00", "60"), ("60.5", "60.50"), ("0.005", "0.01")];
        for (input, shown) in cases {
            assert_eq!(show_amount(m(input)), shown);
        }
    }

    #[test]
    fn day_count_deserializes_from_policy_text() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StrDeserializer};
        let text: StrDeserializer<Error> = "30/360".into_deserializer();
        assert_eq!(DayCount::deserialize(text), Ok(DayCount::Thirty360));
        let bad: StrDeserializer<Error> = "365".into_deserializer();
        assert!(DayCount::deserialize(bad).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever is asked, the fee `allowed_fee` grants passes
            /// `check_fee`, is never negative and never more than asked.
            #[test]
            fn allowed_fee_always_passes_check_fee(
                pack in 0usize..5,
                consumer: bool,
                cents in -100_000i64..100_000,
                fee_agreed: bool,
                days_after_due in -30i64..60,
                already in 0u32..6,
                since in proptest::option::of(0i64..40),
                offset in 0u64..2000,
            ) {
                let pack = all_packs()[pack];
                let on = d("2022-01-01") + chrono::Days::new(offset);
                let requested = Decimal::new(cents, 2);
                let allowed = allowed_fee(
                    pack, consumer, requested, fee_agreed, days_after_due, already, since, on,
                );
                prop_assert!(allowed >= Decimal::ZERO);
                prop_assert!(allowed <= requested.max(Decimal::ZERO));
                prop_assert_eq!(
                    check_fee(pack, consumer, allowed, fee_agreed, days_after_due, already, since, on),
                    Ok(())
                );
                if check_fee(pack, consumer, requested, fee_agreed, days_after_due, already, since, on).is_ok() {
                    prop_assert_eq!(allowed, requested);
                }
            }
        }
    }
}
