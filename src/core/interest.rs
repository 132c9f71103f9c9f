//! Late-payment interest: simple interest on the open principal, each
//! half-year at its own rate (SPEC §7, `docs/reference/nordic-rules.md` §1).
//!
//! Conventions (the statutes are silent, see nordic-rules §1.3):
//!
//! - Interest runs from the day after the due date up to and including
//!   `until`: `until − due` interest days. This is what reproduces the
//!   Kronofogden example (6 780 kr at 8 %, 2021-01-01..2021-04-20 = 110 days
//!   → 163 kr).
//! - A part payment on day D still bears interest for day D; the lower
//!   principal applies from D + 1. This keeps the two ways of describing a
//!   full payment on D equal: `until = D`, or a change to 0 on D.
//! - The period is split at every half-year start (1 Jan, 1 Jul) and every
//!   principal change. The rate of a segment is `rate_on(first day of the
//!   segment)`: statutory rates are fixed per half-year.
//! - actual/365: every calendar day counts, 365-day year also in leap years.
//! - actual/actual (Norway: "årlig rente" is the calendar year, Lovavdelingen
//!   2006): every calendar day counts, over 366 in a leap year and 365
//!   otherwise. Segments never span two calendar years (they split at 1 Jan).
//! - 30/360 (Danish practice): 30E/360, each date maps to
//!   `360·year + 30·(month − 1) + min(day, 30)` and a period's days are the
//!   difference of the serials of its ends. A 31st counts as the 30th; the end
//!   of February is its own day, so a real one-day delay from 27 to 28
//!   February is one day, not three (nordic-rules § 8.5). Splitting a period
//!   never changes the total (US 30/360's conditional rules would break that).
//! - No negative interest: a credit balance or a negative rate counts as 0.
//! - Exact decimals are summed and the total is rounded once, to the cent,
//!   midpoint away from zero. Arithmetic saturates instead of panicking on
//!   absurd inputs.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::rules::{self, DayCount, RatePeriod, RulePack};

/// One stretch of days with the same principal and rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InterestSegment {
    /// First interest day (inclusive).
    pub from: NaiveDate,
    /// Last interest day (inclusive).
    pub to: NaiveDate,
    /// Days per the day count (30/360 may give 0 for a lone 31st).
    pub days: i64,
    /// Open principal during the segment (as given; a negative one earns 0).
    pub principal: Decimal,
    /// Yearly rate in %; 0 when `rate_known` is false.
    pub rate: Decimal,
    /// False when no rate was known for the segment: it counted as 0.
    pub rate_known: bool,
    /// The segment's interest, not rounded.
    pub interest: Decimal,
}

/// The interest on one claim and how it was worked out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InterestResult {
    /// Rounded once to the cent, midpoint away from zero.
    pub amount: Decimal,
    /// Before rounding.
    pub unrounded: Decimal,
    /// Total interest days per the day count.
    pub days: i64,
    pub segments: Vec<InterestSegment>,
    /// Some segment had no known rate and counted as 0: the caller warns.
    pub missing_rate: bool,
}

/// A rate function for a rate fixed by the policy (`interest.mode = "fixed"`).
pub fn fixed_rate(rate: Decimal) -> impl Fn(NaiveDate) -> Option<Decimal> + Copy {
    move |_| Some(rate)
}

/// A rate function for the statutory rate of `pack` (reference + margin),
/// with the policy's reference-rate overrides.
pub fn statutory_rate_on<'a>(
    pack: &'a RulePack,
    consumer: bool,
    overrides: &'a [RatePeriod],
) -> impl Fn(NaiveDate) -> Option<Decimal> + 'a {
    move |date| rules::statutory_rate(pack, date, consumer, overrides)
}

/// Late-payment interest from the day after `due` up to and including
/// `until`.
///
/// `open_changes`: the open principal from each date on. The first entry is
/// the principal at (or before) the due date; a later entry `(D, p)` is the
/// open principal after a part payment on D, and applies from D + 1. The
/// input need not be sorted; on equal dates the later entry wins. Days before
/// the first entry use the first entry's principal. No entries: nothing is
/// open, the interest is 0.
///
/// `rate_on` gives the yearly rate in % on a date; `None` marks the segment
/// as missing (`missing_rate`) and counts it as 0.
pub fn accrue(
    open_changes: &[(NaiveDate, Decimal)],
    due: NaiveDate,
    until: NaiveDate,
    rate_on: impl Fn(NaiveDate) -> Option<Decimal>,
    day_count: DayCount,
) -> InterestResult {
    accrue_kept(open_changes, due, until, rate_on, day_count, true)
}

/// [`accrue`] without its segments: the same amount, days and missing rate, for runs that
/// show no segment (`dun due`, `dun remind`); a whole ledger's claims allocate nothing here.
pub fn accrue_total(
    open_changes: &[(NaiveDate, Decimal)],
    due: NaiveDate,
    until: NaiveDate,
    rate_on: impl Fn(NaiveDate) -> Option<Decimal>,
    day_count: DayCount,
) -> InterestResult {
    accrue_kept(open_changes, due, until, rate_on, day_count, false)
}

fn accrue_kept(
    open_changes: &[(NaiveDate, Decimal)],
    due: NaiveDate,
    until: NaiveDate,
    rate_on: impl Fn(NaiveDate) -> Option<Decimal>,
    day_count: DayCount,
    keep_segments: bool,
) -> InterestResult {
    let Some(first_day) = due.succ_opt().filter(|day| *day <= until) else {
        return InterestResult::default();
    };
    let changes = sorted_changes(open_changes);
    let mut result = InterestResult::default();
    // Σ principal × rate × days per year length: one division per year length keeps the total
    // as exact as the type allows (actual/actual has two, the others one).
    let mut weighted_by_year: [(i64, Decimal); 2] = [(0, Decimal::ZERO); 2];
    for (from, to) in segment_bounds(&changes, first_day, until) {
        let mut segment = price_segment(&changes, from, to, &rate_on, day_count);
        let year_days = year_days(day_count, from);
        let slot = usize::from(year_days == 366);
        let weighted = weighted(&segment);
        weighted_by_year[slot].0 = year_days;
        weighted_by_year[slot].1 = weighted_by_year[slot].1.saturating_add(weighted);
        result.days = result.days.saturating_add(segment.days);
        result.missing_rate |= !segment.rate_known;
        if keep_segments {
            segment.interest = weighted / Decimal::from(100 * year_days);
            result.segments.push(segment);
        }
    }
    result.unrounded = weighted_by_year
        .iter()
        .filter(|(days, _)| *days > 0)
        .map(|(days, weighted)| *weighted / Decimal::from(100 * days))
        .fold(Decimal::ZERO, Decimal::saturating_add);
    result.amount = round_to_cent(result.unrounded);
    result
}

/// The changes sorted by date, stable so that on equal dates the later
/// entry of the input comes last (and wins); borrowed when they already are
/// (a ledger's timelines are).
fn sorted_changes(open_changes: &[(NaiveDate, Decimal)]) -> std::borrow::Cow<'_, [(NaiveDate, Decimal)]> {
    if open_changes.is_sorted_by_key(|(date, _)| *date) {
        return std::borrow::Cow::Borrowed(open_changes);
    }
    let mut changes = open_changes.to_vec();
    changes.sort_by_key(|(date, _)| *date);
    std::borrow::Cow::Owned(changes)
}

/// Inclusive day ranges from `first_day` to `until`, split at half-year
/// starts and after each principal change.
fn segment_bounds(
    changes: &[(NaiveDate, Decimal)],
    first_day: NaiveDate,
    until: NaiveDate,
) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + '_ {
    let mut cursor = Some(first_day);
    std::iter::from_fn(move || {
        let from = cursor?;
        let mut end = until.min(rules::half_year_end(from));
        if let Some(change) = next_change_on_or_after(changes, from) {
            end = end.min(change);
        }
        cursor = end.succ_opt().filter(|next| *next <= until);
        Some((from, end))
    })
}

/// The date of the first change on or after `day`: the principal it sets
/// applies from the day after, so the current segment ends on that date.
fn next_change_on_or_after(changes: &[(NaiveDate, Decimal)], day: NaiveDate) -> Option<NaiveDate> {
    let index = changes.partition_point(|(date, _)| *date < day);
    changes.get(index).map(|(date, _)| *date)
}

/// The open principal on `day`: the last change dated before it, else the
/// first entry's principal, else 0.
fn principal_on(changes: &[(NaiveDate, Decimal)], day: NaiveDate) -> Decimal {
    let earlier = changes.partition_point(|(date, _)| *date < day);
    let entry = match earlier {
        0 => changes.first(),
        n => changes.get(n - 1),
    };
    entry.map_or(Decimal::ZERO, |(_, principal)| *principal)
}

/// A segment's days, principal and rate; its interest is left at 0 for the caller.
fn price_segment(
    changes: &[(NaiveDate, Decimal)],
    from: NaiveDate,
    to: NaiveDate,
    rate_on: &impl Fn(NaiveDate) -> Option<Decimal>,
    day_count: DayCount,
) -> InterestSegment {
    let rate = rate_on(from);
    InterestSegment {
        from,
        to,
        days: days_between(day_count, from, to),
        principal: principal_on(changes, from),
        rate: rate.unwrap_or(Decimal::ZERO),
        rate_known: rate.is_some(),
        interest: Decimal::ZERO,
    }
}

/// principal × rate × days, with negatives counted as 0: the segment's
/// interest times `divisor`. Exact for any realistic input.
fn weighted(segment: &InterestSegment) -> Decimal {
    let principal = segment.principal.max(Decimal::ZERO);
    let rate = segment.rate.max(Decimal::ZERO);
    let days = Decimal::from(segment.days.max(0));
    principal.saturating_mul(rate).saturating_mul(days)
}

/// The days of the year a segment starting on `from` is divided by.
pub fn year_days(day_count: DayCount, from: NaiveDate) -> i64 {
    match day_count {
        DayCount::Actual365 => 365,
        DayCount::ActualActual if from.leap_year() => 366,
        DayCount::ActualActual => 365,
        DayCount::Thirty360 => 360,
    }
}

/// Interest days from `from` to `to`, both inclusive.
fn days_between(day_count: DayCount, from: NaiveDate, to: NaiveDate) -> i64 {
    match day_count {
        DayCount::Actual365 | DayCount::ActualActual => (to - from).num_days().saturating_add(1),
        DayCount::Thirty360 => {
            let before = from.pred_opt().map_or(thirty_360_serial(from) - 1, thirty_360_serial);
            thirty_360_serial(to) - before
        }
    }
}

/// The 30E/360 day number of a date: a 31st counts as the 30th.
fn thirty_360_serial(date: NaiveDate) -> i64 {
    360 * i64::from(date.year()) + 30 * i64::from(date.month0()) + i64::from(date.day().min(30))
}

/// Money rounding: to the cent, midpoint away from zero (never banker's).
fn round_to_cent(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn m(s: &str) -> Decimal {
        s.parse().expect("test decimal")
    }

    #[test]
    fn kronofogden_worked_example() {
        // 6 780 kr at 8 % from 2021-01-01 to 2021-04-20: 110 days → 163 kr.
        let result = accrue(
            &[(d("2020-12-31"), m("6780"))],
            d("2020-12-31"),
            d("2021-04-20"),
            fixed_rate(m("8")),
            DayCount::Actual365,
        );
        assert_eq!(result.days, 110);
        assert_eq!(result.amount, m("163.46"));
        assert_eq!(result.amount.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero), m("163"));
        assert!(!result.missing_rate);
        assert_eq!(
            result.segments,
            vec![InterestSegment {
                from: d("2021-01-01"),
                to: d("2021-04-20"),
                days: 110,
                principal: m("6780"),
                rate: m("8"),
                rate_known: true,
                interest: result.unrounded,
            }]
        );
    }

    #[test]
    fn half_year_change_uses_each_half_years_rate() {
        // SE: 11.00 % in 2025H1, 10.00 % in 2025H2.
        let pack = rules::rules_for("SE");
        let result = accrue(
            &[(d("2025-05-31"), m("10000"))],
            d("2025-05-31"),
            d("2025-08-31"),
            statutory_rate_on(pack, false, &[]),
            DayCount::Actual365,
        );
        let parts: Vec<_> = result.segments.iter().map(|s| (s.from, s.to, s.days, s.rate)).collect();
        assert_eq!(
            parts,
            vec![
                (d("2025-06-01"), d("2025-06-30"), 30, m("11.00")),
                (d("2025-07-01"), d("2025-08-31"), 62, m("10.00")),
            ]
        );
        // (10000 × 11 × 30 + 10000 × 10 × 62) / 36500 = 260.2739…
        assert_eq!(result.amount, m("260.27"));
    }

    #[test]
    fn part_payment_lowers_principal_from_the_next_day() {
        let changes = [
            (d("2024-01-31"), m("10000")),
            (d("2024-03-01"), m("6000")), // 4 000 paid on 1 Mar
        ];
        let result =
            accrue(&changes, d("2024-01-31"), d("2024-03-31"), fixed_rate(m("10")), DayCount::Actual365);
        let parts: Vec<_> = result.segments.iter().map(|s| (s.from, s.to, s.days, s.principal)).collect();
        assert_eq!(
            parts,
            vec![
                (d("2024-02-01"), d("2024-03-01"), 30, m("10000")),
                (d("2024-03-02"), d("2024-03-31"), 30, m("6000")),
            ]
        );
        // (10000 × 10 × 30 + 6000 × 10 × 30) / 36500 = 131.5068…
        assert_eq!(result.amount, m("131.51"));
    }

    #[test]
    fn full_payment_equals_stopping_on_the_payment_day() {
        let paid = accrue(
            &[(d("2024-01-31"), m("5000")), (d("2024-04-15"), m("0"))],
            d("2024-01-31"),
            d("2024-12-31"),
            fixed_rate(m("12")),
            DayCount::Actual365,
        );
        let stopped = accrue(
            &[(d("2024-01-31"), m("5000"))],
            d("2024-01-31"),
            d("2024-04-15"),
            fixed_rate(m("12")),
            DayCount::Actual365,
        );
        assert_eq!(paid.amount, stopped.amount);
        assert_eq!(paid.unrounded, stopped.unrounded);
    }

    #[test]
    fn until_on_or_before_due_gives_nothing() {
        for until in ["2024-01-31", "2024-01-30", "2000-01-01"] {
            let result = accrue(
                &[(d("2024-01-31"), m("5000"))],
                d("2024-01-31"),
                d(until),
                fixed_rate(m("12")),
                DayCount::Actual365,
            );
            assert_eq!(result, InterestResult::default(), "{until}");
        }
    }

    #[test]
    fn thirty_360_across_month_ends() {
        // (due, until, days) by 30E/360: a 31st is the 30th, February's end is its own day.
        let cases = [
            ("2023-01-31", "2023-02-27", 27),
            ("2023-01-31", "2023-02-28", 28),
            ("2023-01-31", "2023-03-01", 31),
            ("2024-01-31", "2024-02-28", 28),
            ("2024-01-31", "2024-02-29", 29),
            ("2023-02-28", "2023-03-31", 32),
            ("2023-01-15", "2023-02-15", 30),
            ("2023-03-30", "2023-03-31", 0),
            ("2023-03-31", "2023-04-30", 30),
            ("2023-01-31", "2024-01-31", 360),
            // nordic-rules § 8.5 (issue #11, finding 8): a real one-day delay from 27 to 28
            // February is one day, not three; in a leap year too.
            ("2023-02-27", "2023-02-28", 1),
            ("2024-02-28", "2024-02-29", 1),
        ];
        for (due, until, days) in cases {
            let result =
                accrue(&[(d(due), m("1000"))], d(due), d(until), fixed_rate(m("9.90")), DayCount::Thirty360);
            assert_eq!(result.days, days, "{due}..{until}");
        }
        // DK 2023H1: 9.90 %; 1000 × 9.90 × 31 / 36000 = 8.525 → 8.53 (not 8.52)
        let result = accrue(
            &[(d("2023-01-31"), m("1000"))],
            d("2023-01-31"),
            d("2023-03-01"),
            statutory_rate_on(rules::rules_for("DK"), true, &[]),
            DayCount::Thirty360,
        );
        assert_eq!(result.unrounded, m("8.525"));
        assert_eq!(result.amount, m("8.53"));
    }

    #[test]
    fn thirty_360_across_half_year_boundary() {
        // DK: 11.75 % in 2024H1, 11.50 % in 2024H2; due 31 May, until 31 Jul.
        let result = accrue(
            &[(d("2024-05-31"), m("36000"))],
            d("2024-05-31"),
            d("2024-07-31"),
            statutory_rate_on(rules::rules_for("DK"), false, &[]),
            DayCount::Thirty360,
        );
        let days: Vec<_> = result.segments.iter().map(|s| (s.days, s.rate)).collect();
        assert_eq!(days, vec![(30, m("11.75")), (30, m("11.50"))]);
        // 36000 × (11.75 + 11.50) × 30 / 36000 = 697.50
        assert_eq!(result.amount, m("697.50"));
    }

    #[test]
    fn actual_actual_divides_by_the_calendar_years_days() {
        // Norway (Lovavdelingen 2006, nordic-rules § 8.2; issue #11, finding 7): 2024 is a leap
        // year, so 10 000 at 12.50 % for 31 days in January 2024 is 10000 × 12.5 × 31 / 36600
        // = 105.874… → 105.87 (actual/365 would say 106.16).
        let jan = |count| {
            accrue(
                &[(d("2023-12-31"), m("10000"))],
                d("2023-12-31"),
                d("2024-01-31"),
                fixed_rate(m("12.5")),
                count,
            )
        };
        assert_eq!(jan(DayCount::ActualActual).amount, m("105.87"));
        assert_eq!(jan(DayCount::Actual365).amount, m("106.16"));
        // Across New Year: 2023 days over 365, 2024 days over 366.
        // 10000 × 12 × (10/36500 + 10/36600) = 32.876… + 32.786… = 65.66
        let across = accrue(
            &[(d("2023-12-21"), m("10000"))],
            d("2023-12-21"),
            d("2024-01-10"),
            fixed_rate(m("12")),
            DayCount::ActualActual,
        );
        assert_eq!(across.days, 20);
        assert_eq!(across.amount, m("65.66"));
        // A year that is not a leap year: the same as actual/365.
        let plain = |count| {
            accrue(
                &[(d("2025-01-31"), m("7777"))],
                d("2025-01-31"),
                d("2025-11-30"),
                fixed_rate(m("12.25")),
                count,
            )
        };
        assert_eq!(plain(DayCount::ActualActual), plain(DayCount::Actual365));
    }

    #[test]
    fn missing_rate_counts_zero_and_is_flagged() {
        // SE has no built-in rate before 2023H1.
        let result = accrue(
            &[(d("2022-11-30"), m("36500"))],
            d("2022-11-30"),
            d("2023-01-10"),
            statutory_rate_on(rules::rules_for("SE"), false, &[]),
            DayCount::Actual365,
        );
        assert!(result.missing_rate);
        assert_eq!(result.segments.len(), 2);
        assert!(!result.segments[0].rate_known);
        assert_eq!(result.segments[0].interest, Decimal::ZERO);
        // 36500 × 10.50 × 10 / 36500 = 105
        assert_eq!(result.amount, m("105.00"));
    }

    #[test]
    fn odd_inputs_do_not_panic_or_go_negative() {
        let cases: [&[(NaiveDate, Decimal)]; 4] = [
            &[],
            &[(d("2024-03-01"), m("-500"))],
            // unsorted, with a later date first
            &[(d("2024-03-01"), m("100")), (d("2024-01-01"), m("1000"))],
            &[(d("2024-01-01"), Decimal::MAX)],
        ];
        for changes in cases {
            for day_count in [DayCount::Actual365, DayCount::ActualActual, DayCount::Thirty360] {
                let result =
                    accrue(changes, d("2024-01-31"), d("2024-06-30"), fixed_rate(m("10")), day_count);
                assert!(result.amount >= Decimal::ZERO, "{changes:?}");
            }
        }
        let negative_rate = accrue(
            &[(d("2024-01-31"), m("1000"))],
            d("2024-01-31"),
            d("2024-06-30"),
            fixed_rate(m("-3")),
            DayCount::Actual365,
        );
        assert_eq!(negative_rate.amount, Decimal::ZERO);
        // The ends of the calendar: no date arithmetic may overflow.
        let near_min = NaiveDate::MIN + chrono::Days::new(400);
        let near_max = NaiveDate::MAX - chrono::Days::new(400);
        let extremes =
            [(NaiveDate::MIN, near_min), (near_max, NaiveDate::MAX), (NaiveDate::MAX, NaiveDate::MAX)];
        for (due, until) in extremes {
            for day_count in [DayCount::Actual365, DayCount::ActualActual, DayCount::Thirty360] {
                let result = accrue(&[(due, Decimal::MAX)], due, until, fixed_rate(Decimal::MAX), day_count);
                assert!(result.amount >= Decimal::ZERO);
            }
        }
    }

    #[test]
    fn unsorted_changes_and_same_day_duplicates() {
        let sorted = accrue(
            &[(d("2024-01-31"), m("1000")), (d("2024-02-15"), m("400"))],
            d("2024-01-31"),
            d("2024-03-31"),
            fixed_rate(m("10")),
            DayCount::Actual365,
        );
        let unsorted = accrue(
            &[(d("2024-02-15"), m("999")), (d("2024-01-31"), m("1000")), (d("2024-02-15"), m("400"))],
            d("2024-01-31"),
            d("2024-03-31"),
            fixed_rate(m("10")),
            DayCount::Actual365,
        );
        assert_eq!(sorted.amount, unsorted.amount);
    }

    // -- properties ---------------------------------------------------------

    fn base() -> NaiveDate {
        d("2022-06-01")
    }

    fn day(offset: u16) -> NaiveDate {
        base() + chrono::Days::new(u64::from(offset))
    }

    fn cents(max: i64) -> impl Strategy<Value = Decimal> {
        (-max..=max).prop_map(|c| Decimal::new(c, 2))
    }

    fn changes() -> impl Strategy<Value = Vec<(NaiveDate, Decimal)>> {
        prop::collection::vec((0u16..2000, cents(10_000_000)), 0..6)
            .prop_map(|v| v.into_iter().map(|(o, p)| (day(o), p)).collect())
    }

    fn day_counts() -> impl Strategy<Value = DayCount> {
        prop_oneof![Just(DayCount::Actual365), Just(DayCount::ActualActual), Just(DayCount::Thirty360)]
    }

    /// A rate that changes every half-year and is unknown before 2023,
    /// like a statutory one.
    fn half_yearly(date: NaiveDate) -> Option<Decimal> {
        rules::statutory_rate(rules::rules_for("FI"), date, true, &[])
    }

    /// Σ principal × rate × days: the exact, undivided interest.
    fn exact(result: &InterestResult) -> Decimal {
        result.segments.iter().map(weighted).sum()
    }

    proptest! {
        #[test]
        fn interest_is_never_negative(
            changes in changes(),
            due in 0u16..2000,
            until in 0u16..2500,
            rate in cents(5_000),
            day_count in day_counts(),
        ) {
            let result = accrue(&changes, day(due), day(until), fixed_rate(rate), day_count);
            prop_assert!(result.amount >= Decimal::ZERO);
            prop_assert!(result.unrounded >= Decimal::ZERO);
            prop_assert!(result.segments.iter().all(|s| s.interest >= Decimal::ZERO));
        }

        #[test]
        fn interest_is_monotone_in_until(
            changes in changes(),
            due in 0u16..2000,
            until in 0u16..2500,
            extra in 0u16..400,
            day_count in day_counts(),
        ) {
            let shorter = accrue(&changes, day(due), day(until), half_yearly, day_count);
            let longer = accrue(&changes, day(due), day(until + extra), half_yearly, day_count);
            prop_assert!(shorter.unrounded <= longer.unrounded);
            prop_assert!(shorter.amount <= longer.amount);
        }

        #[test]
        fn splitting_the_period_changes_nothing(
            changes in changes(),
            due in 0u16..1500,
            first in 0u16..800,
            second in 0u16..800,
            day_count in day_counts(),
        ) {
            let split = due + first;
            let until = split + second;
            let whole = accrue(&changes, day(due), day(until), half_yearly, day_count);
            let head = accrue(&changes, day(due), day(split), half_yearly, day_count);
            let tail = accrue(&changes, day(split), day(until), half_yearly, day_count);
            prop_assert_eq!(exact(&whole), exact(&head) + exact(&tail));
            prop_assert_eq!(whole.days, head.days + tail.days);
            let tolerance = Decimal::new(1, 18);
            prop_assert!((whole.unrounded - head.unrounded - tail.unrounded).abs() <= tolerance);
            let segment_sum: Decimal = whole.segments.iter().map(|s| s.interest).sum();
            prop_assert!((whole.unrounded - segment_sum).abs() <= tolerance);
        }

        /// `accrue_total` (what `dun due` and `dun remind` use) gives what `accrue` gives, less
        /// the segments; and changes given sorted (borrowed, not copied) price as given in any
        /// order.
        #[test]
        fn a_total_is_the_accrual_less_its_segments(
            changes in changes(),
            due in 0u16..2000,
            until in 0u16..2500,
            day_count in day_counts(),
        ) {
            let full = accrue(&changes, day(due), day(until), half_yearly, day_count);
            let total = accrue_total(&changes, day(due), day(until), half_yearly, day_count);
            prop_assert!(total.segments.is_empty());
            let covered: i64 = full.segments.iter().map(|s| s.days).sum();
            prop_assert_eq!(covered, full.days);
            prop_assert_eq!(InterestResult { segments: Vec::new(), ..full.clone() }, total);
            let mut sorted = changes.clone();
            sorted.sort_by_key(|(date, _)| *date);
            prop_assert_eq!(accrue(&sorted, day(due), day(until), half_yearly, day_count), full);
        }

        #[test]
        fn actual_days_are_until_minus_due(
            due in 0u16..2000,
            until in 0u16..2500,
        ) {
            let result = accrue(
                &[(day(due), Decimal::ONE)],
                day(due),
                day(until),
                fixed_rate(Decimal::ONE),
                DayCount::Actual365,
            );
            let expected = (day(until) - day(due)).num_days().max(0);
            prop_assert_eq!(result.days, expected);
            let covered: i64 = result.segments.iter().map(|s| (s.to - s.from).num_days() + 1).sum();
            prop_assert_eq!(covered, expected);
        }
    }
}
