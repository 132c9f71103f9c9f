//! Norway. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DayCount, FeeRule, InterestRules, PerDebtor,
    RulePack, dated, pct, rate, ymd,
};

/// Purregebyr: the same for consumers and businesses (inkassoforskriften).
const REMINDER_FEE: FeeRule = FeeRule {
    max: &[
        // 35 NOK per purring/inkassovarsel since 1 Oct 2020 (was 70), still in 2025 ◐
        dated(ymd(2020, 10, 1), 35),
        // 38 NOK from 1 Jan 2026 with inkassosats 750 ⚠ (one public repo only)
        dated(ymd(2026, 1, 1), 38),
    ],
    max_source: "inkassoforskriften § 1-2",
    // Statutory, no agreement needed ◐
    needs_agreement: false,
    agreement_source: "inkassoforskriften § 1-2",
    // Only on a reminder sent ≥ 14 days after the due date ◐
    min_days_after_due: 14,
    timing_source: "inkassoforskriften § 1-2",
    // Fees for 2 notices (2 purringer, or 1 purring + 1 inkassovarsel) ◐
    max_fee_reminders: Some(2),
    count_source: "inkassoforskriften § 1-3",
    // The 2nd fee only if a ≥ 14-day deadline in the 1st was missed; modelled
    // as 14 days between the fee-bearing notices ◐
    min_days_between: Some(14),
    spacing_source: "inkassoforskriften § 1-3",
};

pub static PACK: RulePack = RulePack {
    country: "NO",
    currency: "NOK",
    debtors: PerDebtor::both("Norwegian debtors"),
    interest: InterestRules {
        // Norges Bank styringsrente per 1 Jan / 1 Jul, no rounding.
        reference_rates: &[
            rate(ymd(2023, 1, 1), 275), // ✅
            rate(ymd(2023, 7, 1), 375), // ◐
            rate(ymd(2024, 1, 1), 450), // ✅
            rate(ymd(2024, 7, 1), 450), // ◐
            rate(ymd(2025, 1, 1), 450), // ✅
            rate(ymd(2025, 7, 1), 425), // ⚠ derived from the June 2025 cut
            rate(ymd(2026, 1, 1), 400), // ⚠/◐ derived from the rate held in Dec 2025
        ],
        reference_rate_name: "Norges Bank styringsrente",
        reference_rate_source: "forsinkelsesrenteloven § 3",
        // + 8 pp, fixed by the Ministry's half-yearly forskrift ✅
        margin: PerDebtor::both(pct(800)),
        margin_source: PerDebtor::both("forsinkelsesrenteloven § 3"),
        // Statute silent; practice is actual/365 ⚠
        day_count: DayCount::Actual365,
        day_count_source: "practice, statute silent",
    },
    reminder_fee: PerDebtor::both(REMINDER_FEE),
    compensation: CompensationRule {
        // Standardkompensasjon = EUR 40 in NOK, set every half-year.
        amounts: &[
            dated(ymd(2023, 1, 1), 410), // ✅
            dated(ymd(2023, 7, 1), 470), // ◐
            dated(ymd(2024, 1, 1), 470), // ✅
            dated(ymd(2024, 7, 1), 470), // ◐
            dated(ymd(2025, 1, 1), 470), // ✅
            // 2025H2 not found: the 2025H1 figure is carried forward ⚠
            dated(ymd(2025, 7, 1), 470),
            dated(ymd(2026, 1, 1), 460), // ⚠ one public repo only
        ],
        // It is deducted from the debtor's liability for collection costs ◐,
        // not from the purregebyr: in addition to reminder fees.
        interaction: CompensationInteraction::InAddition,
        source: "forsinkelsesrenteloven § 3a",
    },
    collection: CollectionRules {
        // Inkassovarsel: ≥ 14 days from sending ✅
        min_deadline_days: PerDebtor::both(14),
        deadline_source: "inkassoloven § 9",
        // The inkassovarsel must say that collection will follow ✅
        warning_required: true,
        warning_source: "inkassoloven § 9",
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: "inkassoloven § 9",
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
            ("2023-01-01", "2.75", "10.75"),
            ("2023-06-30", "2.75", "10.75"),
            ("2023-07-01", "3.75", "11.75"),
            ("2023-12-31", "3.75", "11.75"),
            ("2024-01-01", "4.50", "12.50"),
            ("2024-06-30", "4.50", "12.50"),
            ("2024-07-01", "4.50", "12.50"),
            ("2024-12-31", "4.50", "12.50"),
            ("2025-01-01", "4.50", "12.50"),
            ("2025-06-30", "4.50", "12.50"),
            ("2025-07-01", "4.25", "12.25"),
            ("2025-12-31", "4.25", "12.25"),
            ("2026-01-01", "4.00", "12.00"),
            ("2026-06-30", "4.00", "12.00"),
        ];
        let cases: Vec<_> = cases.iter().map(|&(date, r, rate)| (date, r, rate, rate)).collect();
        assert_rates(&PACK, &cases);
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("NO"), &PACK);
        assert_eq!(PACK.currency, "NOK");
        assert_eq!(PACK.interest.day_count, DayCount::Actual365);
        assert!(PACK.collection.warning_required);
        assert_eq!(*PACK.collection.min_deadline_days.get(false), 14);
    }

    #[test]
    fn fee_cap_35_until_2025_then_38() {
        let cases = [("2025-12-31", "35"), ("2026-01-01", "38"), ("2023-05-01", "35")];
        for (on, cap) in cases {
            for consumer in [false, true] {
                assert_eq!(max_reminder_fee(&PACK, consumer, d(on)), Some(m(cap)), "{on}");
            }
        }
        let err = check_fee(&PACK, true, m("38"), false, 20, 0, None, d("2025-12-31")).unwrap_err();
        assert_eq!(err.rule, "fee-above-maximum");
        assert_eq!(check_fee(&PACK, true, m("38"), false, 20, 0, None, d("2026-01-01")), Ok(()));
    }

    #[test]
    fn fee_only_from_day_14_without_agreement() {
        let on = d("2025-06-01");
        // (days after due, fee reminders already, days since last fee, expected)
        let cases = [
            (13, 0, None, Some("fee-too-early")),
            (14, 0, None, None),
            (30, 1, Some(14), None),
            (30, 1, Some(13), Some("fee-too-soon")),
            (60, 2, Some(30), Some("fee-count-exceeded")),
        ];
        for (days, already, since, broken) in cases {
            let result = check_fee(&PACK, true, m("35"), false, days, already, since, on);
            assert_eq!(result.err().map(|v| v.rule), broken, "day {days}");
        }
        let err = check_fee(&PACK, false, m("35"), false, 13, 0, None, on).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a reminder fee may only be charged to Norwegian debtors on a reminder sent at least \
             14 days after the due date; this one is 13 days after it (inkassoforskriften § 1-2)"
        );
    }

    #[test]
    fn allowed_fee_is_zero_on_day_13_and_full_on_day_14() {
        let on = d("2026-02-01");
        let statutory = max_reminder_fee(&PACK, true, on).unwrap_or_default();
        assert_eq!(statutory, m("38"));
        assert_eq!(allowed_fee(&PACK, true, statutory, false, 13, 0, None, on), m("0"));
        assert_eq!(allowed_fee(&PACK, true, statutory, false, 14, 0, None, on), m("38"));
        assert_eq!(allowed_fee(&PACK, true, m("70"), false, 14, 0, None, on), m("38"));
    }

    #[test]
    fn standardkompensasjon_by_half_year() {
        let cases = [
            ("2022-12-31", None),
            ("2023-01-01", Some("410")),
            ("2023-06-30", Some("410")),
            ("2023-07-01", Some("470")),
            ("2024-03-01", Some("470")),
            ("2024-09-01", Some("470")),
            ("2025-03-01", Some("470")),
            ("2025-09-01", Some("470")),
            ("2025-12-31", Some("470")),
            ("2026-01-01", Some("460")),
            ("2026-09-01", Some("460")),
        ];
        for (on, amount) in cases {
            assert_eq!(compensation(&PACK, d(on)), amount.map(m), "{on}");
        }
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::InAddition);
    }
}
