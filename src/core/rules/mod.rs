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

pub mod applied;
pub mod calendar;
pub mod dk;
pub mod eu;
pub mod fi;
pub mod listing;
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
    /// Actual days over the days of their calendar year: 366 in a leap year (Norway:
    /// "årlig rente" is the calendar year, Lovavdelingen 2006).
    ActualActual,
    /// 30-day months, 360-day year (Danish practice); see `core::interest`.
    Thirty360,
}

impl DayCount {
    /// The name used in `policy.toml` (`interest.day_count`).
    pub fn name(self) -> &'static str {
        match self {
            DayCount::Actual365 => "actual/365",
            DayCount::ActualActual => "actual/actual",
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
        write!(
            f,
            "unknown day count \"{}\": expected \"actual/365\", \"actual/actual\" or \"30/360\"",
            self.0
        )
    }
}

impl std::error::Error for UnknownDayCount {}

impl FromStr for DayCount {
    type Err = UnknownDayCount;

    /// Case-insensitive; also accepts the common spellings `act/365` and `30e/360`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "actual/365" | "act/365" => Ok(DayCount::Actual365),
            "actual/actual" | "act/act" => Ok(DayCount::ActualActual),
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
/// period starts): the policy's `interest.reference_rates`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RatePeriod {
    pub from: NaiveDate,
    /// `policy.toml` writes it as `rate`.
    #[serde(alias = "rate")]
    pub reference_rate: Decimal,
}

/// How sure a figure or rule is: the marks of `docs/reference/nordic-rules.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Confidence {
    /// ✅ read in the statute or from an official body.
    Statute,
    /// ◐ a secondary source citing it.
    Secondary,
    /// ⚠ derived or unconfirmed: a placeholder.
    Derived,
}

impl Confidence {
    pub fn mark(self) -> &'static str {
        match self {
            Confidence::Statute => "✅",
            Confidence::Secondary => "◐",
            Confidence::Derived => "⚠",
        }
    }

    /// The word `dun rules` writes in CSV and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Statute => "statute",
            Confidence::Secondary => "secondary",
            Confidence::Derived => "derived",
        }
    }
}

/// Where a rule comes from, and how sure it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cite {
    pub source: &'static str,
    pub confidence: Confidence,
}

const fn statute(source: &'static str) -> Cite {
    Cite { source, confidence: Confidence::Statute }
}

const fn secondary(source: &'static str) -> Cite {
    Cite { source, confidence: Confidence::Secondary }
}

const fn derived(source: &'static str) -> Cite {
    Cite { source, confidence: Confidence::Derived }
}

/// An act adopted but not yet in force on a known day: its day is the policy's
/// (`[law]`), else the day signalled.
#[derive(Debug, PartialEq, Eq)]
pub struct PendingAct {
    /// The `[law]` key that sets its in-force date.
    pub key: &'static str,
    pub name: &'static str,
    pub signalled: NaiveDate,
    pub cite: Cite,
}

/// In-force dates the policy sets for [`PendingAct`]s (`[law]` in `policy.toml`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LawDates {
    /// `law.no_inkassolov_in_force`: Norway's new inkassolov (LOV-2026-05-22-19).
    pub no_inkassolov: Option<NaiveDate>,
}

impl LawDates {
    /// The day `act` comes into force.
    pub fn in_force(&self, act: &PendingAct) -> NaiveDate {
        match act.key {
            "no_inkassolov_in_force" => self.no_inkassolov.unwrap_or(act.signalled),
            _ => act.signalled,
        }
    }
}

/// A figure or rule and the day it came into force. `by`: it comes with an act
/// whose in-force date is not settled yet; then `from` is that act's day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dated<T: 'static> {
    pub from: NaiveDate,
    pub value: T,
    pub confidence: Confidence,
    pub by: Option<&'static PendingAct>,
}

impl<T> Dated<T> {
    /// The day it is in force from, with the policy's dates for pending acts.
    pub fn in_force(&self, dates: &LawDates) -> NaiveDate {
        self.by.map_or(self.from, |act| dates.in_force(act))
    }
}

/// The entry of a dated table in force on `on`: the one with the latest
/// in-force day on or before it (a table is sorted by its `from`).
fn dated_on<'a, T>(table: &'a [Dated<T>], on: NaiveDate, dates: &LawDates) -> Option<&'a Dated<T>> {
    table.iter().filter(|entry| entry.in_force(dates) <= on).max_by_key(|entry| entry.in_force(dates))
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
    pub reference_rates: &'static [Dated<Decimal>],
    /// What the reference rate is called, e.g. "Riksbank referensränta".
    pub reference_rate_name: &'static str,
    pub reference_rate_source: Cite,
    /// Percentage points added to the reference rate; `None`: no statutory
    /// rate for that kind of debtor (the EU default's consumers).
    pub margin: PerDebtor<Option<Decimal>>,
    pub margin_source: PerDebtor<Cite>,
    /// Default day count; the policy may override it.
    pub day_count: DayCount,
    pub day_count_source: Cite,
    /// A consumer may not be charged an agreed rate above the statutory one after
    /// default (Norway, forsinkelsesrenteloven § 4 c); `None`: no such cap known.
    pub consumer_rate_cap: Option<Cite>,
}

/// Conditions on the reminder fee for one kind of debtor, as in force from a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeRule {
    /// Statutory maximum per reminder; `None`: no statutory fee, only what was
    /// agreed may be charged (no cap is known).
    pub max: Option<Decimal>,
    pub max_source: Cite,
    /// The fee may only be charged if it was agreed in advance.
    pub needs_agreement: bool,
    pub agreement_source: Cite,
    /// A fee may be charged on a reminder sent at least this many days after
    /// the due date (1 = any day after the due date).
    pub min_days_after_due: i64,
    pub timing_source: Cite,
    /// At most this many fee-bearing reminders per claim.
    pub max_fee_reminders: Option<u32>,
    pub count_source: Cite,
    /// Fee-bearing reminders at least this many days apart.
    pub min_days_between_fees: Option<i64>,
    pub spacing_source: Cite,
    /// A fee only on a reminder at least this many days after the previous
    /// reminder (with or without a fee) on the claim.
    pub min_days_after_previous_reminder: Option<i64>,
    pub previous_source: Cite,
    /// A further fee only if the last fee-bearing reminder gave a deadline of
    /// at least this many days and it passed unpaid (Norway § 1-3).
    pub next_fee_needs_deadline_days: Option<i64>,
    pub deadline_source: Cite,
}

/// How the fixed B2B compensation relates to reminder fees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompensationInteraction {
    /// Charged on top of reminder fees.
    InAddition,
    /// The debtor owes the larger of the two, not their sum: the compensation
    /// is reduced by the fees charged on the claim (SE reduction, NO offset).
    OffsetsFees,
}

/// The fixed compensation for recovery costs a business creditor may claim
/// from a business (or public-body) debtor.
#[derive(Debug, PartialEq, Eq)]
pub struct CompensationRule {
    /// Dated amounts in the pack's currency; none known before the first. The
    /// amount of a claim is the one in force on the day after its (legal) due
    /// date, when the claim for it arises, and stays that.
    pub amounts: &'static [Dated<Decimal>],
    pub source: Cite,
    pub interaction: CompensationInteraction,
    pub interaction_source: Cite,
}

/// What the creditor must do before handing a claim to collection.
#[derive(Debug, PartialEq, Eq)]
pub struct CollectionRules {
    /// Minimum deadline (days from sending) a warning of collection must give;
    /// 0 = no statutory minimum.
    pub min_deadline_days: PerDebtor<i64>,
    pub deadline_source: Cite,
    /// The last reminder must warn that the claim goes to collection.
    pub warning_required: bool,
    pub warning_source: Cite,
    /// From this act on, the creditor's own warning is no longer the statutory
    /// one (only agencies send it) and the creditor's own notices carry no fee.
    pub creditor_warning_ends: Option<&'static PendingAct>,
    /// Minimum days between a reminder and the collection demand.
    pub min_days_after_reminder: PerDebtor<Option<i64>>,
    pub min_days_after_reminder_source: Cite,
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
    /// Dated regimes, sorted by `from`.
    pub reminder_fee: PerDebtor<&'static [Dated<FeeRule>]>,
    pub compensation: CompensationRule,
    pub collection: CollectionRules,
    /// Rules the sources report but do not confirm well enough to charge a debtor by.
    pub unconfirmed: &'static [Unconfirmed],
}

/// A rule the sources report but do not confirm (its wording, or what it means, is not in
/// them): `dun` applies the debtor-safe reading, and `dun rules` lists it marked ⚠.
#[derive(Debug, PartialEq, Eq)]
pub struct Unconfirmed {
    /// `all`, `business` or `consumer`.
    pub debtor: &'static str,
    /// A stable dotted name, as in `dun rules`.
    pub rule: &'static str,
    /// What `dun` does meanwhile.
    pub reading: &'static str,
    pub cite: Cite,
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

/// A reference rate in hundredths of a percent from a half-year.
const fn rate(from: NaiveDate, hundredths: u32, confidence: Confidence) -> Dated<Decimal> {
    Dated { from, value: pct(hundredths), confidence, by: None }
}

/// A whole amount from a date.
const fn dated(from: NaiveDate, units: u32, confidence: Confidence) -> Dated<Decimal> {
    Dated { from, value: whole(units), confidence, by: None }
}

const fn since<T: Copy>(from: NaiveDate, value: T, confidence: Confidence) -> Dated<T> {
    Dated { from, value, confidence, by: None }
}

use Confidence::{Derived as DERIVED, Secondary as SECONDARY, Statute as STATUTE};

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
fn latest_period_on(periods: impl Iterator<Item = RatePeriod>, date: NaiveDate) -> Option<RatePeriod> {
    periods.filter(|period| period.from <= date).fold(None, |best: Option<RatePeriod>, period| match best {
        Some(best) if best.from > period.from => Some(best),
        _ => Some(period),
    })
}

fn built_in_periods(pack: &RulePack) -> impl Iterator<Item = RatePeriod> + '_ {
    pack.interest.reference_rates.iter().map(|r| RatePeriod { from: r.from, reference_rate: r.value })
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
    let built_in = latest_period_on(built_in_periods(pack), date);
    let overridden = latest_period_on(overrides.iter().copied(), date);
    let chosen = match (built_in, overridden) {
        (Some(b), Some(o)) if b.from > o.from => b,
        (_, Some(o)) => o,
        (Some(b), None) => b,
        (None, None) => return None,
    };
    Some((chosen.reference_rate, chosen.from))
}

/// The statutory late-payment rate (% p.a.) on `date`: reference + margin.
/// `None` before the first known period, or where the kind of debtor has no
/// statutory rate.
pub fn statutory_rate(
    pack: &RulePack,
    date: NaiveDate,
    consumer: bool,
    overrides: &[RatePeriod],
) -> Option<Decimal> {
    let margin = (*pack.interest.margin.get(consumer))?;
    let (reference, _) = reference_rate_on(pack, date, overrides)?;
    reference.checked_add(margin)
}

/// Start of the newest reference-rate period known (built-in or override).
pub fn last_known_period(pack: &RulePack, overrides: &[RatePeriod]) -> NaiveDate {
    built_in_periods(pack)
        .chain(overrides.iter().copied())
        .map(|period| period.from)
        .max()
        // Unreachable for the built-in packs (their tables are never empty).
        .unwrap_or(NaiveDate::MIN)
}

/// True when `date` lies in a half-year after the one holding the last
/// known period, i.e. the reference rate for `date` has not been published
/// (or entered) yet and the last known one is used instead.
///
/// Comparing half-years rather than adding 6 months also handles an override
/// dated mid-half-year: the rate resets on the next 1 Jan / 1 Jul.
pub fn rate_is_stale(pack: &RulePack, date: NaiveDate, overrides: &[RatePeriod]) -> bool {
    half_year_start(date) > half_year_start(last_known_period(pack, overrides))
}

/// The warning the CLI prints when [`rate_is_stale`], else `None`.
pub fn stale_rate_warning(pack: &RulePack, date: NaiveDate, overrides: &[RatePeriod]) -> Option<String> {
    rate_is_stale(pack, date, overrides).then(|| {
        format!(
            "no reference rate known for {}; the rate of {} is carried forward; set interest.reference_rates in policy.toml",
            half_year_label(date),
            half_year_label(last_known_period(pack, overrides))
        )
    })
}

/// The half-years from `from` to `until` (inclusive) for which no reference
/// rate is known (built-in or override): "2026H2".
pub fn missing_half_years(
    pack: &RulePack,
    from: NaiveDate,
    until: NaiveDate,
    overrides: &[RatePeriod],
) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = half_year_start(from);
    // The tables have no holes: only a start before the first rate or an end past the last
    // can miss one. Most claims have neither, and this is asked once per claim.
    if reference_rate_on(pack, cursor, overrides).is_some() && !rate_is_stale(pack, until, overrides) {
        return out;
    }
    while cursor <= until {
        let known =
            reference_rate_on(pack, cursor, overrides).is_some() && !rate_is_stale(pack, cursor, overrides);
        if !known {
            out.push(half_year_label(cursor));
        }
        match half_year_end(cursor).succ_opt() {
            Some(next) => cursor = next,
            None => break,
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Dated amounts
// ---------------------------------------------------------------------------

/// The fee regime in force on `on`; before the first entry, the first one:
/// older caps were never higher in the tables we ship, so this errs on the
/// debtor's side instead of lifting the limit.
pub fn fee_rule_on<'a>(
    pack: &'a RulePack,
    consumer: bool,
    on: NaiveDate,
    dates: &LawDates,
) -> &'a Dated<FeeRule> {
    let table = *pack.reminder_fee.get(consumer);
    dated_on(table, on, dates).unwrap_or(&table[0])
}

/// The statutory maximum reminder fee on `on`, in the pack's currency.
/// `None` means there is no statutory fee: only what was agreed may be charged.
pub fn max_reminder_fee(pack: &RulePack, consumer: bool, on: NaiveDate, dates: &LawDates) -> Option<Decimal> {
    fee_rule_on(pack, consumer, on, dates).value.max
}

/// The fixed B2B compensation in force on `on` in the pack's currency; `None`
/// when no amount is known for that date.
pub fn compensation(pack: &RulePack, on: NaiveDate) -> Option<Decimal> {
    dated_on(pack.compensation.amounts, on, &LawDates::default()).map(|entry| entry.value)
}

/// The compensation still claimable after `fees_charged` reminder fees on the
/// same claim (all in one currency): where it offsets fees (SE, NO) the
/// debtor owes the larger of the two, so it is reduced by them, never below 0.
pub fn compensation_after_fees(
    interaction: CompensationInteraction,
    amount: Decimal,
    fees_charged: Decimal,
) -> Decimal {
    match interaction {
        CompensationInteraction::InAddition => amount,
        CompensationInteraction::OffsetsFees => {
            amount.checked_sub(fees_charged.max(Decimal::ZERO)).unwrap_or(Decimal::ZERO).max(Decimal::ZERO)
        }
    }
}

/// Whether the creditor's own last reminder must warn of collection on `on`
/// (and give the statutory deadline); false once only agencies send it.
pub fn creditor_warning_required(pack: &RulePack, on: NaiveDate, dates: &LawDates) -> bool {
    pack.collection.warning_required
        && pack.collection.creditor_warning_ends.is_none_or(|act| on < dates.in_force(act))
}

// ---------------------------------------------------------------------------
// Reminder fees
// ---------------------------------------------------------------------------

/// What the fee is asked in, when that is not the pack's currency: the
/// conversion the policy gives (`law.exchange_rates`), if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeCurrency<'a> {
    pub code: &'a str,
    /// Units of `code` one unit of the pack's currency is worth, and the rate's
    /// date; `None` when no rate is known.
    pub per_pack_unit: Option<(Decimal, NaiveDate)>,
}

/// Everything about one fee-bearing reminder that the rules look at.
#[derive(Clone, Copy, Debug)]
pub struct FeeRequest<'a> {
    pub pack: &'a RulePack,
    pub consumer: bool,
    /// In `currency`.
    pub fee: Decimal,
    pub currency: FeeCurrency<'a>,
    pub fee_agreed: bool,
    /// The reminder's date (decides which dated rules apply).
    pub on: NaiveDate,
    /// The reminder's date minus the (legal) due date.
    pub days_after_due: i64,
    /// Earlier reminders on this claim that carried a fee.
    pub fee_reminders_already: u32,
    /// Days since the last of those (`None`: there was none).
    pub days_since_last_fee: Option<i64>,
    /// The deadline (days from sending) the last fee-bearing reminder gave, and
    /// whether it has passed; `None`: not known or no such reminder.
    pub last_fee_deadline: Option<(i64, bool)>,
    /// Days since the previous reminder of any kind (`None`: there was none).
    pub days_since_last_reminder: Option<i64>,
    pub dates: LawDates,
}

impl<'a> FeeRequest<'a> {
    /// A first reminder in the pack's own currency, `days_after_due` after the due date.
    pub fn new(pack: &'a RulePack, consumer: bool, fee: Decimal, on: NaiveDate, days_after_due: i64) -> Self {
        FeeRequest {
            pack,
            consumer,
            fee,
            currency: FeeCurrency { code: pack.currency, per_pack_unit: None },
            fee_agreed: true,
            on,
            days_after_due,
            fee_reminders_already: 0,
            days_since_last_fee: None,
            last_fee_deadline: None,
            days_since_last_reminder: None,
            dates: LawDates::default(),
        }
    }

    fn dated_rule(&self) -> &'a Dated<FeeRule> {
        fee_rule_on(self.pack, self.consumer, self.on, &self.dates)
    }

    fn rule(&self) -> &'a FeeRule {
        &self.dated_rule().value
    }

    fn debtors(&self) -> &'static str {
        self.pack.debtors.get(self.consumer)
    }

    fn money(&self, amount: Decimal) -> String {
        format!("{} {}", show_amount(amount), self.currency.code)
    }

    fn foreign(&self) -> bool {
        !self.currency.code.eq_ignore_ascii_case(self.pack.currency)
    }

    /// The statutory cap in the fee's currency: `Ok(None)` when there is no cap,
    /// `Err` when there is one but no rate to convert it. A converted cap is
    /// rounded down to the cent: never above the law's figure.
    pub fn cap(&self) -> Result<Option<Decimal>, RuleViolation> {
        let Some(max) = self.rule().max else { return Ok(None) };
        if !self.foreign() {
            return Ok(Some(max));
        }
        match self.currency.per_pack_unit {
            Some((rate, _)) if rate > Decimal::ZERO => Ok(Some(
                max.checked_mul(rate)
                    .unwrap_or(Decimal::MAX)
                    .round_dp_with_strategy(2, RoundingStrategy::ToZero),
            )),
            _ => Err(RuleViolation {
                rule: "fee-cap-not-convertible",
                message: format!(
                    "the statutory maximum reminder fee for {} is {} {}, and no exchange rate {}/{} dated on or before {} is given in law.exchange_rates, so a fee in {} cannot be checked",
                    self.debtors(),
                    show_amount(max),
                    self.pack.currency,
                    self.currency.code,
                    self.pack.currency,
                    self.on,
                    self.currency.code
                ),
                source: self.rule().max_source.source,
            }),
        }
    }

    /// Every condition except the maximum amount: these decide whether any
    /// fee at all may be charged on this reminder.
    fn check_conditions(&self) -> Result<(), RuleViolation> {
        self.check_agreement()?;
        self.check_timing()?;
        self.check_count()?;
        self.check_spacing()?;
        self.check_previous()?;
        self.check_deadline()
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
            source: rule.agreement_source.source,
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
        Err(RuleViolation { rule: "fee-too-early", message, source: rule.timing_source.source })
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
                source: rule.count_source.source,
            }),
            _ => Ok(()),
        }
    }

    fn check_spacing(&self) -> Result<(), RuleViolation> {
        let rule = self.rule();
        match (rule.min_days_between_fees, self.days_since_last_fee) {
            (Some(min), Some(since)) if since < min => Err(RuleViolation {
                rule: "fee-too-soon",
                message: format!(
                    "fee-bearing reminders to {} must be at least {} days apart; the last fee was charged {} days ago",
                    self.debtors(),
                    min,
                    since
                ),
                source: rule.spacing_source.source,
            }),
            _ => Ok(()),
        }
    }

    fn check_previous(&self) -> Result<(), RuleViolation> {
        let rule = self.rule();
        match (rule.min_days_after_previous_reminder, self.days_since_last_reminder) {
            (Some(min), Some(since)) if since < min => Err(RuleViolation {
                rule: "fee-too-soon-after-reminder",
                message: format!(
                    "a reminder fee may only be charged to {} on a reminder at least {} days after the previous one; the previous reminder was {} days ago",
                    self.debtors(),
                    min,
                    since
                ),
                source: rule.previous_source.source,
            }),
            _ => Ok(()),
        }
    }

    fn check_deadline(&self) -> Result<(), RuleViolation> {
        let rule = self.rule();
        let Some(min) = rule.next_fee_needs_deadline_days else { return Ok(()) };
        if self.fee_reminders_already == 0 {
            return Ok(());
        }
        let message = match self.last_fee_deadline {
            Some((days, true)) if days >= min => return Ok(()),
            Some((days, true)) => format!(
                "a further reminder fee may only be charged to {} if the previous fee-bearing reminder gave at least {} days to pay; it gave {}",
                self.debtors(),
                min,
                days
            ),
            Some((_, false)) => format!(
                "a further reminder fee may only be charged to {} once the deadline of the previous fee-bearing reminder has passed",
                self.debtors()
            ),
            None => format!(
                "a further reminder fee may only be charged to {} if the previous fee-bearing reminder gave at least {} days to pay, and its deadline is not known",
                self.debtors(),
                min
            ),
        };
        Err(RuleViolation { rule: "fee-deadline-too-short", message, source: rule.deadline_source.source })
    }

    fn check_maximum(&self) -> Result<(), RuleViolation> {
        let Some(cap) = self.cap()? else { return Ok(()) };
        if self.fee <= cap {
            return Ok(());
        }
        let max = self.rule().max.unwrap_or_default();
        let shown = if self.foreign() {
            let (rate, date) = self.currency.per_pack_unit.unwrap_or_default();
            format!(
                "{} {} ({} at {} {}/{} of {})",
                show_amount(max),
                self.pack.currency,
                self.money(cap),
                rate.normalize(),
                self.currency.code,
                self.pack.currency,
                date
            )
        } else {
            self.money(max)
        };
        Err(RuleViolation {
            rule: "fee-above-maximum",
            message: format!(
                "reminder fee {} exceeds the statutory maximum of {} for {}",
                self.money(self.fee),
                shown,
                self.debtors()
            ),
            source: self.rule().max_source.source,
        })
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

    /// The first rule the fee breaks, in this order: negative fee, agreement,
    /// maximum, timing, count, spacing, the previous reminder, its deadline. A
    /// zero fee always passes.
    pub fn check(&self) -> Result<(), RuleViolation> {
        self.check_sign()?;
        if self.fee.is_zero() {
            // No fee, nothing the fee rules could forbid.
            return Ok(());
        }
        self.check_agreement()?;
        self.check_maximum()?;
        self.check_conditions()
    }

    /// The fee that may actually be charged: the one asked, capped at the
    /// statutory maximum, or 0 when a condition is not met (no agreement where
    /// one is needed, too early, too many, too soon) or the cap cannot be
    /// converted, with the reason.
    pub fn allowed(&self) -> (Decimal, Option<RuleViolation>) {
        if self.fee <= Decimal::ZERO {
            return (Decimal::ZERO, None);
        }
        if let Err(why) = self.check_conditions() {
            return (Decimal::ZERO, Some(why));
        }
        match self.cap() {
            Ok(Some(cap)) => (self.fee.min(cap), None),
            Ok(None) => (self.fee, None),
            Err(why) => (Decimal::ZERO, Some(why)),
        }
    }

    /// For `fee = "statutory"`: the law's maximum in the fee's currency (0 where
    /// there is no statutory fee or it cannot be converted).
    pub fn statutory(mut self) -> (Decimal, Option<RuleViolation>) {
        match self.cap() {
            Ok(Some(cap)) => {
                self.fee = cap;
                self.allowed()
            }
            Ok(None) => (Decimal::ZERO, None),
            Err(why) => (Decimal::ZERO, Some(why)),
        }
    }
}

/// An amount for a message: "60", "60.50".
pub fn show_amount(amount: Decimal) -> String {
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
            let consumer = (!consumer.is_empty()).then(|| m(consumer));
            assert_eq!(statutory_rate(pack, d(date), true, &[]), consumer, "{date} consumer");
            assert_eq!(statutory_rate(pack, d(date), false, &[]), Some(m(business)), "{date} business");
        }
    }

    /// The first rule `fee` breaks on a reminder `days` after the due date.
    pub fn broken(
        pack: &RulePack,
        consumer: bool,
        fee: &str,
        agreed: bool,
        days: i64,
        on: &str,
    ) -> Option<&'static str> {
        let mut request = FeeRequest::new(pack, consumer, m(fee), d(on), days);
        request.fee_agreed = agreed;
        request.check().err().map(|v| v.rule)
    }
}

#[cfg(test)]
mod tests;
