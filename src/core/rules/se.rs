//! Sweden. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DayCount, FeeRule, InterestRules, PerDebtor,
    RulePack, dated, pct, rate, ymd,
};

/// The reminder fee rules are the same for consumers and businesses.
const REMINDER_FEE: FeeRule = FeeRule {
    // 60 SEK per written reminder since 16 Mar 2013 (was 50) ✅
    max: &[dated(ymd(2013, 3, 16), 60)],
    max_source: "lag (1981:739) om ersättning för inkassokostnader 4 §",
    // Only if agreed at the latest when the debt arose ✅
    needs_agreement: true,
    agreement_source: "lag (1981:739) om ersättning för inkassokostnader 2 §",
    // Any day after the due date; no statutory minimum wait ⚠
    min_days_after_due: 1,
    timing_source: "lag (1981:739) om ersättning för inkassokostnader 4 §",
    // No number set by statute; whether one fee per claim is the rule is unconfirmed ⚠
    max_fee_reminders: None,
    count_source: "lag (1981:739) om ersättning för inkassokostnader 4 §",
    min_days_between: None,
    spacing_source: "lag (1981:739) om ersättning för inkassokostnader 4 §",
};

pub static PACK: RulePack = RulePack {
    country: "SE",
    currency: "SEK",
    debtors: PerDebtor::both("Swedish debtors"),
    interest: InterestRules {
        // Riksbank referensränta: policy rate at the end of the previous
        // half-year, rounded up to the next 0.5 pp (räntelag 9 §).
        reference_rates: &[
            rate(ymd(2023, 1, 1), 250), // ✅
            rate(ymd(2023, 7, 1), 350), // ✅
            rate(ymd(2024, 1, 1), 400), // ✅
            rate(ymd(2024, 7, 1), 400), // ✅
            rate(ymd(2025, 1, 1), 300), // ◐ secondary table, fits the round-up rule
            rate(ymd(2025, 7, 1), 200), // ◐
            rate(ymd(2026, 1, 1), 200), // ◐
        ],
        reference_rate_name: "Riksbank referensränta",
        reference_rate_source: "räntelag (1975:635) 9 §",
        // + 8 pp for everyone ✅
        margin: PerDebtor::both(pct(800)),
        margin_source: PerDebtor::both("räntelag (1975:635) 6 §"),
        // Statute silent; only actual/365 counting both end dates reproduces a
        // Kronofogden calculator result ⚠
        day_count: DayCount::Actual365,
        day_count_source: "practice (Kronofogden calculator), statute silent",
    },
    reminder_fee: PerDebtor::both(REMINDER_FEE),
    compensation: CompensationRule {
        // Förseningsersättning 450 SEK since 16 Mar 2013 ✅
        amounts: &[dated(ymd(2013, 3, 16), 450)],
        // Replaces reminder/collection fees up to 450 SEK ◐ (offset wording ⚠)
        interaction: CompensationInteraction::OffsetsFees,
        source: "lag (1981:739) om ersättning för inkassokostnader 4 a §",
    },
    collection: CollectionRules {
        // ≥ 8 days from sending (god inkassosed, IMY) ✅
        min_deadline_days: PerDebtor::both(8),
        deadline_source: "inkassolagen (1974:182) 5 §, god inkassosed",
        // A påminnelse need not warn; the inkassokrav itself carries the
        // consequences ⚠
        warning_required: false,
        warning_source: "inkassolagen (1974:182) 5 §",
        // No prior reminder is legally required ◐
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: "inkassolagen (1974:182)",
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
            ("2023-01-01", "2.50"),
            ("2023-06-30", "2.50"),
            ("2023-07-01", "3.50"),
            ("2023-12-31", "3.50"),
            ("2024-01-01", "4.00"),
            ("2024-06-30", "4.00"),
            ("2024-07-01", "4.00"),
            ("2024-12-31", "4.00"),
            ("2025-01-01", "3.00"),
            ("2025-06-30", "3.00"),
            ("2025-07-01", "2.00"),
            ("2025-12-31", "2.00"),
            ("2026-01-01", "2.00"),
            ("2026-06-30", "2.00"),
        ];
        let rates: Vec<String> = cases.iter().map(|(_, r)| (m(r) + m("8")).to_string()).collect();
        let cases: Vec<_> = cases
            .iter()
            .zip(&rates)
            .map(|(&(date, r), rate)| (date, r, rate.as_str(), rate.as_str()))
            .collect();
        assert_rates(&PACK, &cases);
        assert_eq!(statutory_rate(&PACK, d("2025-07-01"), true, &[]), Some(m("10.00")));
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("se"), &PACK);
        assert_eq!(PACK.currency, "SEK");
        assert_eq!(PACK.interest.day_count, DayCount::Actual365);
        assert!(!PACK.collection.warning_required);
        assert_eq!(*PACK.collection.min_deadline_days.get(true), 8);
    }

    #[test]
    fn reminder_fee_rules() {
        let on = d("2026-03-01");
        // (consumer, fee, agreed, days after due, expected rule broken)
        let cases = [
            (true, "60", true, 10, None),
            (false, "60", true, 1, None),
            (true, "61", true, 10, Some("fee-above-maximum")),
            (false, "60.01", true, 10, Some("fee-above-maximum")),
            (true, "60", false, 10, Some("fee-not-agreed")),
            (false, "10", false, 10, Some("fee-not-agreed")),
            (true, "60", true, 0, Some("fee-too-early")),
        ];
        for (consumer, fee, agreed, days, broken) in cases {
            let result = check_fee(&PACK, consumer, m(fee), agreed, days, 0, None, on);
            assert_eq!(result.err().map(|v| v.rule), broken, "{fee} {agreed} {days}");
        }
        // No statutory limit on the number of fees ⚠
        assert_eq!(check_fee(&PACK, true, m("60"), true, 40, 5, Some(1), on), Ok(()));
    }

    #[test]
    fn unagreed_fee_message_names_fee_and_source() {
        let err = check_fee(&PACK, true, m("60"), false, 10, 0, None, d("2026-03-01")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reminder fee 60 SEK may only be charged to Swedish debtors if it was agreed in advance \
             (lag (1981:739) om ersättning för inkassokostnader 2 §)"
        );
    }

    #[test]
    fn allowed_fee_caps_and_requires_agreement() {
        let on = d("2026-03-01");
        let cases = [
            ("60", true, 10, "60"),
            ("100", true, 10, "60"),
            ("45", true, 10, "45"),
            ("60", false, 10, "0"),
            ("60", true, 0, "0"),
        ];
        for (requested, agreed, days, allowed) in cases {
            assert_eq!(
                allowed_fee(&PACK, true, m(requested), agreed, days, 0, None, on),
                m(allowed),
                "{requested} {agreed} {days}"
            );
        }
        assert_eq!(max_reminder_fee(&PACK, true, on), Some(m("60")));
        assert_eq!(max_reminder_fee(&PACK, false, on), Some(m("60")));
    }

    #[test]
    fn compensation_450_offsets_fees() {
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("450")));
        assert_eq!(compensation(&PACK, d("2013-03-15")), None);
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::OffsetsFees);
        assert_eq!(compensation_after_fees(&PACK, d("2026-03-01"), m("120")), Some(m("330")));
    }
}
