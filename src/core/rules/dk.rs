//! Denmark. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DayCount, FeeRule, InterestRules, PerDebtor,
    RulePack, dated, pct, rate, ymd,
};

/// Rykkergebyr. § 9 b is mandatory towards consumers; whether businesses may
/// agree otherwise is unconfirmed ⚠, so the same limits apply to both.
const REMINDER_FEE: FeeRule = FeeRule {
    // 100 DKK per rykkerskrivelse, covering all costs of that letter ✅
    // (the start date only orders the table: the earliest cap also covers
    // earlier dates)
    max: &[dated(ymd(2013, 3, 1), 100)],
    max_source: "renteloven § 9 b",
    // Statutory, no agreement needed ◐
    needs_agreement: false,
    agreement_source: "renteloven § 9 b",
    // The first rykker may follow the due date at once ◐
    min_days_after_due: 1,
    timing_source: "renteloven § 9 b",
    // At most 3 fee-bearing rykkere per claim ✅
    max_fee_reminders: Some(3),
    count_source: "renteloven § 9 b, stk. 2",
    // Fee-bearing rykkere at least 10 days apart ✅
    min_days_between: Some(10),
    spacing_source: "renteloven § 9 b, stk. 2",
};

pub static PACK: RulePack = RulePack {
    country: "DK",
    currency: "DKK",
    debtors: PerDebtor::both("Danish debtors"),
    interest: InterestRules {
        // Nationalbanken's udlånsrente per 1 Jan / 1 Jul, no rounding.
        reference_rates: &[
            rate(ymd(2023, 1, 1), 190), // ✅
            rate(ymd(2023, 7, 1), 325), // ✅
            rate(ymd(2024, 1, 1), 375), // ◐
            rate(ymd(2024, 7, 1), 350), // ⚠ derived from the June 2024 cut
            rate(ymd(2025, 1, 1), 275), // ◐
            rate(ymd(2025, 7, 1), 175), // ◐
            rate(ymd(2026, 1, 1), 175), // ⚠ assumes no change Jun–Dec 2025
        ],
        reference_rate_name: "Nationalbanken udlånsrente",
        reference_rate_source: "renteloven § 5",
        // + 8 pp (claims due from 1 Mar 2013) ✅
        margin: PerDebtor::both(pct(800)),
        margin_source: PerDebtor::both("renteloven § 5"),
        // Danish practice: 30-day months, 360-day year ◐
        day_count: DayCount::Thirty360,
        day_count_source: "Danish practice (30/360), statute silent",
    },
    reminder_fee: PerDebtor::both(REMINDER_FEE),
    compensation: CompensationRule {
        // Kompensationsbeløb 310 DKK for claims due on or after 1 Mar 2013 ✅
        amounts: &[dated(ymd(2013, 3, 1), 310)],
        // "Påvirker ikke" the right to other costs: on top of rykkergebyrer ◐
        interaction: CompensationInteraction::InAddition,
        source: "renteloven § 9 a, stk. 3",
    },
    collection: CollectionRules {
        // Påkravsskrivelse: ≥ 10 days from sending ✅
        min_deadline_days: PerDebtor::both(10),
        deadline_source: "inkassoloven § 10",
        // Must warn of collection and its costs to recover them ◐
        warning_required: true,
        warning_source: "inkassoloven § 10",
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: "inkassoloven § 10",
    },
};

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::PACK;

    use super::super::testing::{assert_rates, d, m};

    #[test]
    fn reference_and_statutory_rate_per_half_year() {
        let cases = [
            ("2023-01-01", "1.90", "9.90"),
            ("2023-06-30", "1.90", "9.90"),
            ("2023-07-01", "3.25", "11.25"),
            ("2023-12-31", "3.25", "11.25"),
            ("2024-01-01", "3.75", "11.75"),
            ("2024-06-30", "3.75", "11.75"),
            ("2024-07-01", "3.50", "11.50"),
            ("2024-12-31", "3.50", "11.50"),
            ("2025-01-01", "2.75", "10.75"),
            ("2025-06-30", "2.75", "10.75"),
            ("2025-07-01", "1.75", "9.75"),
            ("2025-12-31", "1.75", "9.75"),
            ("2026-01-01", "1.75", "9.75"),
            ("2026-06-30", "1.75", "9.75"),
        ];
        let cases: Vec<_> = cases.iter().map(|&(date, r, rate)| (date, r, rate, rate)).collect();
        assert_rates(&PACK, &cases);
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("Dk"), &PACK);
        assert_eq!(PACK.currency, "DKK");
        assert_eq!(PACK.interest.day_count, DayCount::Thirty360);
        assert!(PACK.collection.warning_required);
        assert_eq!(*PACK.collection.min_deadline_days.get(true), 10);
    }

    #[test]
    fn three_fee_bearing_reminders_ten_days_apart() {
        let on = d("2026-03-01");
        // (fee reminders already, days since last fee, expected)
        let cases = [
            (0, None, None),
            (1, Some(10), None),
            (2, Some(10), None),
            (2, Some(9), Some("fee-too-soon")),
            (3, Some(10), Some("fee-count-exceeded")),
            (3, Some(30), Some("fee-count-exceeded")),
        ];
        for consumer in [false, true] {
            for (already, since, broken) in cases {
                let result = check_fee(&PACK, consumer, m("100"), false, 30, already, since, on);
                assert_eq!(result.err().map(|v| v.rule), broken, "{already} {since:?}");
            }
        }
        let err = check_fee(&PACK, true, m("100"), false, 30, 3, Some(10), on).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at most 3 fee-bearing reminders per claim may be sent to Danish debtors; \
             3 already carried a fee (renteloven § 9 b, stk. 2)"
        );
        let err = check_fee(&PACK, true, m("100"), false, 30, 1, Some(9), on).unwrap_err();
        assert_eq!(
            err.to_string(),
            "fee-bearing reminders to Danish debtors must be at least 10 days apart; \
             the last fee was charged 9 days ago (renteloven § 9 b, stk. 2)"
        );
    }

    #[test]
    fn fee_cap_100() {
        let on = d("2026-03-01");
        assert_eq!(check_fee(&PACK, true, m("100"), false, 1, 0, None, on), Ok(()));
        let err = check_fee(&PACK, false, m("100.50"), true, 1, 0, None, on).unwrap_err();
        assert_eq!(err.rule, "fee-above-maximum");
        assert!(err.message.contains("100.50 DKK") && err.message.contains("100 DKK"));
        assert_eq!(allowed_fee(&PACK, true, m("100"), false, 30, 3, Some(10), on), m("0"));
        assert_eq!(allowed_fee(&PACK, true, m("100"), false, 30, 2, Some(10), on), m("100"));
        assert_eq!(allowed_fee(&PACK, true, m("100"), false, 30, 2, Some(9), on), m("0"));
    }

    #[test]
    fn compensation_310_in_addition() {
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("310")));
        assert_eq!(compensation(&PACK, d("2013-02-28")), None);
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::InAddition);
    }
}
