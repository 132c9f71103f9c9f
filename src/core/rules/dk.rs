//! Denmark. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4 and 8.5.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DERIVED, Dated, DayCount, FeeRule,
    InterestRules, PerDebtor, RulePack, SECONDARY, STATUTE, dated, derived, pct, rate, secondary, since,
    statute, ymd,
};

/// Rykkergebyr: the same for consumers and businesses (§ 9 b is mandatory for consumers;
/// whether businesses may agree otherwise is unconfirmed).
const REMINDER_FEE: FeeRule = FeeRule {
    // 100 DKK per rykkerskrivelse, covering all costs of that letter
    max: Some(super::whole(100)),
    max_source: statute("renteloven § 9 b"),
    // Statutory, no agreement needed
    needs_agreement: false,
    agreement_source: secondary("renteloven § 9 b"),
    // The first rykker may follow the due date at once
    min_days_after_due: 1,
    timing_source: secondary("renteloven § 9 b"),
    // 3 per claim, fee-bearing rykkere ≥ 10 days apart
    max_fee_reminders: Some(3),
    count_source: statute("renteloven § 9 b, stk. 2"),
    min_days_between_fees: Some(10),
    spacing_source: statute("renteloven § 9 b, stk. 2"),
    min_days_after_previous_reminder: None,
    previous_source: statute("renteloven § 9 b, stk. 2"),
    next_fee_needs_deadline_days: None,
    deadline_source: statute("renteloven § 9 b, stk. 2"),
};

static FEES: [Dated<FeeRule>; 1] = [since(ymd(2013, 3, 1), REMINDER_FEE, STATUTE)];

pub static PACK: RulePack = RulePack {
    country: "DK",
    currency: "DKK",
    debtors: PerDebtor::both("Danish debtors"),
    interest: InterestRules {
        // Nationalbanken udlånsrente per 1 Jan / 1 Jul, no rounding. 2026H2 not found (§ 8.1):
        // the 2026H1 rate is carried forward and flagged as stale.
        reference_rates: &[
            rate(ymd(2023, 1, 1), 190, STATUTE),
            rate(ymd(2023, 7, 1), 325, STATUTE),
            rate(ymd(2024, 1, 1), 375, SECONDARY),
            // derived from the June 2024 cut
            rate(ymd(2024, 7, 1), 350, DERIVED),
            rate(ymd(2025, 1, 1), 275, SECONDARY),
            rate(ymd(2025, 7, 1), 175, SECONDARY),
            // assumes no change Jun–Dec 2025
            rate(ymd(2026, 1, 1), 175, DERIVED),
        ],
        reference_rate_name: "Nationalbanken udlånsrente",
        reference_rate_source: statute("renteloven § 5"),
        margin: PerDebtor::both(Some(pct(800))),
        margin_source: PerDebtor::both(statute("renteloven § 5")),
        // Practice, statute silent; split practice (§ 8.5)
        day_count: DayCount::Thirty360,
        day_count_source: derived("Danish practice (30/360), statute silent"),
        consumer_rate_cap: None,
    },
    reminder_fee: PerDebtor { business: &FEES, consumer: &FEES },
    compensation: CompensationRule {
        // Kompensationsbeløb 310 DKK, claims due on or after 1 Mar 2013
        amounts: &[dated(ymd(2013, 3, 1), 310, STATUTE)],
        source: statute("renteloven § 9 a, stk. 3"),
        // In addition to rykkergebyrer (§ 8.5)
        interaction: CompensationInteraction::InAddition,
        interaction_source: statute("renteloven § 9 a, stk. 3"),
    },
    collection: CollectionRules {
        // Påkravsskrivelse: ≥ 10 days from sending
        min_deadline_days: PerDebtor::both(10),
        deadline_source: statute("inkassoloven § 10"),
        // Must say that non-payment means collection and extra costs
        warning_required: true,
        warning_source: secondary("inkassoloven § 10"),
        creditor_warning_ends: None,
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: secondary("inkassoloven § 10"),
    },
    unconfirmed: &[],
};

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_rates, d, m};
    use super::super::*;
    use super::PACK;

    #[test]
    fn reference_and_statutory_rate_per_half_year() {
        let cases = [
            ("2023-01-01", "1.90", "9.90"),
            ("2023-07-01", "3.25", "11.25"),
            ("2024-01-01", "3.75", "11.75"),
            ("2024-07-01", "3.50", "11.50"),
            ("2025-01-01", "2.75", "10.75"),
            ("2025-07-01", "1.75", "9.75"),
            ("2026-06-30", "1.75", "9.75"),
        ];
        let cases: Vec<_> = cases.iter().map(|&(date, r, rate)| (date, r, rate, rate)).collect();
        assert_rates(&PACK, &cases);
        // 2026H2 was not found: carried forward, and flagged.
        assert!(rate_is_stale(&PACK, d("2026-07-01"), &[]));
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
        let cases = [
            (0, None, None),
            (1, Some(10), None),
            (2, Some(10), None),
            (2, Some(9), Some("fee-too-soon")),
            (3, Some(10), Some("fee-count-exceeded")),
            (3, Some(30), Some("fee-count-exceeded")),
        ];
        for consumer in [false, true] {
            for (already, since, expected) in cases {
                let mut request = FeeRequest::new(&PACK, consumer, m("100"), on, 30);
                request.fee_agreed = false;
                request.fee_reminders_already = already;
                request.days_since_last_fee = since;
                assert_eq!(request.check().err().map(|v| v.rule), expected, "{already} {since:?}");
            }
        }
        let mut request = FeeRequest::new(&PACK, true, m("100"), on, 30);
        request.fee_reminders_already = 1;
        request.days_since_last_fee = Some(9);
        assert_eq!(
            request.check().unwrap_err().to_string(),
            "fee-bearing reminders to Danish debtors must be at least 10 days apart; \
             the last fee was charged 9 days ago (renteloven § 9 b, stk. 2)"
        );
        assert_eq!(request.allowed().0, m("0"));
    }

    #[test]
    fn fee_cap_100() {
        let request = FeeRequest::new(&PACK, false, m("100.50"), d("2026-03-01"), 1);
        let err = request.check().unwrap_err();
        assert_eq!(err.rule, "fee-above-maximum");
        assert!(err.message.contains("100.50 DKK") && err.message.contains("100 DKK"));
        assert_eq!(request.allowed().0, m("100"));
    }

    #[test]
    fn compensation_310_in_addition() {
        // nordic-rules § 8.5: in addition to rykkergebyrer, unlike SE and NO.
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("310")));
        assert_eq!(compensation(&PACK, d("2013-02-28")), None);
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::InAddition);
    }
}
