//! Sweden. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4 and 8.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DayCount, FeeRule, InterestRules, PerDebtor,
    RulePack, SECONDARY, STATUTE, dated, derived, pct, rate, secondary, since, statute, ymd,
};

/// The reminder fee rules are the same for consumers and businesses.
const REMINDER_FEE: FeeRule = FeeRule {
    // 60 SEK per written reminder since 16 Mar 2013 (was 50)
    max: Some(super::whole(60)),
    max_source: statute("lag (1981:739) om ersättning för inkassokostnader 4 §"),
    // Only if agreed at the latest when the debt arose
    needs_agreement: true,
    agreement_source: statute("lag (1981:739) om ersättning för inkassokostnader 2 §"),
    // Any day after the due date; no statutory minimum wait
    min_days_after_due: 1,
    timing_source: derived("lag (1981:739) 4 §: no statutory minimum wait"),
    // No number set by statute; whether one fee per claim is the rule is unconfirmed
    max_fee_reminders: None,
    count_source: derived("lag (1981:739) 4 §: costs must be skäligen påkallade"),
    min_days_between_fees: None,
    spacing_source: derived("lag (1981:739) 4 §"),
    min_days_after_previous_reminder: None,
    previous_source: derived("lag (1981:739) 4 §"),
    next_fee_needs_deadline_days: None,
    deadline_source: derived("lag (1981:739) 4 §"),
};

static SE_FEES: [super::Dated<FeeRule>; 1] = [since(ymd(2013, 3, 16), REMINDER_FEE, STATUTE)];

pub static PACK: RulePack = RulePack {
    country: "SE",
    currency: "SEK",
    debtors: PerDebtor::both("Swedish debtors"),
    interest: InterestRules {
        // Riksbank referensränta: policy rate at the end of the previous
        // half-year, rounded up to the next 0.5 pp (räntelag 9 §).
        reference_rates: &[
            rate(ymd(2023, 1, 1), 250, STATUTE),
            rate(ymd(2023, 7, 1), 350, STATUTE),
            rate(ymd(2024, 1, 1), 400, STATUTE),
            rate(ymd(2024, 7, 1), 400, STATUTE),
            rate(ymd(2025, 1, 1), 300, SECONDARY),
            rate(ymd(2025, 7, 1), 200, SECONDARY),
            rate(ymd(2026, 1, 1), 200, SECONDARY),
            // § 8.1: policy rate 1.75 held, rounded up to 2.00
            rate(ymd(2026, 7, 1), 200, SECONDARY),
        ],
        reference_rate_name: "Riksbank referensränta",
        reference_rate_source: statute("räntelag (1975:635) 9 §"),
        margin: PerDebtor::both(Some(pct(800))),
        margin_source: PerDebtor::both(statute("räntelag (1975:635) 6 §")),
        // Statute silent; only actual/365 reproduces a Kronofogden calculator result (§ 8.4)
        day_count: DayCount::Actual365,
        day_count_source: derived("practice (Kronofogden calculator), statute silent"),
        // The rate can be changed by agreement; no consumer cap found
        consumer_rate_cap: None,
    },
    reminder_fee: PerDebtor { business: &SE_FEES, consumer: &SE_FEES },
    compensation: CompensationRule {
        // Förseningsersättning 450 SEK since 16 Mar 2013
        amounts: &[dated(ymd(2013, 3, 16), 450, STATUTE)],
        source: statute("lag (1981:739) om ersättning för inkassokostnader 4 a §"),
        // Reduced by the reminder and collection fees of the claim (§ 8: SE reduction)
        interaction: CompensationInteraction::OffsetsFees,
        interaction_source: secondary("lag (1981:739) 4 a § / 5 §: in place of the fees, up to 450"),
    },
    collection: CollectionRules {
        // ≥ 8 days from sending (god inkassosed, IMY)
        min_deadline_days: PerDebtor::both(8),
        deadline_source: statute("inkassolagen (1974:182) 5 §, god inkassosed"),
        // A påminnelse need not warn; the inkassokrav itself carries the consequences
        warning_required: false,
        warning_source: derived("inkassolagen (1974:182) 5 §"),
        creditor_warning_ends: None,
        // No prior reminder is legally required
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: secondary("inkassolagen (1974:182)"),
    },
    unconfirmed: &[],
};

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_rates, broken, d, m};
    use super::super::*;
    use super::PACK;

    #[test]
    fn reference_and_statutory_rate_per_half_year() {
        let cases = [
            ("2023-01-01", "2.50"),
            ("2023-06-30", "2.50"),
            ("2023-07-01", "3.50"),
            ("2023-12-31", "3.50"),
            ("2024-01-01", "4.00"),
            ("2024-12-31", "4.00"),
            ("2025-01-01", "3.00"),
            ("2025-06-30", "3.00"),
            ("2025-07-01", "2.00"),
            ("2026-06-30", "2.00"),
            // nordic-rules § 8.1: 2026H2 = 2.00 → 10.00 %
            ("2026-07-01", "2.00"),
            ("2026-12-31", "2.00"),
        ];
        let rates: Vec<String> = cases.iter().map(|(_, r)| (m(r) + m("8")).to_string()).collect();
        let cases: Vec<_> = cases
            .iter()
            .zip(&rates)
            .map(|(&(date, r), rate)| (date, r, rate.as_str(), rate.as_str()))
            .collect();
        assert_rates(&PACK, &cases);
        assert!(!rate_is_stale(&PACK, d("2026-12-31"), &[]));
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
        let on = "2026-03-01";
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
        for (consumer, fee, agreed, days, expected) in cases {
            assert_eq!(broken(&PACK, consumer, fee, agreed, days, on), expected, "{fee} {agreed} {days}");
        }
    }

    #[test]
    fn unagreed_fee_message_names_fee_and_source() {
        let mut request = FeeRequest::new(&PACK, true, m("60"), d("2026-03-01"), 10);
        request.fee_agreed = false;
        assert_eq!(
            request.check().unwrap_err().to_string(),
            "reminder fee 60 SEK may only be charged to Swedish debtors if it was agreed in advance \
             (lag (1981:739) om ersättning för inkassokostnader 2 §)"
        );
        let request = FeeRequest::new(&PACK, false, m("100"), d("2026-03-01"), 10);
        assert_eq!(
            request.check().unwrap_err().to_string(),
            "reminder fee 100 SEK exceeds the statutory maximum of 60 SEK for Swedish debtors \
             (lag (1981:739) om ersättning för inkassokostnader 4 §)"
        );
        assert_eq!(request.allowed().0, m("60"));
    }

    #[test]
    fn compensation_450_reduced_by_fees() {
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("450")));
        assert_eq!(compensation(&PACK, d("2013-03-15")), None);
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::OffsetsFees);
        assert_eq!(compensation_after_fees(PACK.compensation.interaction, m("450"), m("120")), m("330"));
    }
}
