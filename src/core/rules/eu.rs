//! The EU default for any other country: Directive 2011/7/EU (B2B and public
//! authorities). Figures and marks from `docs/reference/nordic-rules.md` §§ 1–3 and 8.6.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, Dated, DayCount, FeeRule, InterestRules,
    PerDebtor, RulePack, STATUTE, dated, derived, pct, rate, since, statute, ymd,
};

/// No statutory reminder fee: only what was agreed.
const REMINDER_FEE: FeeRule = FeeRule {
    max: None,
    max_source: statute("Directive 2011/7/EU Art. 6(3)"),
    needs_agreement: true,
    agreement_source: derived("Directive 2011/7/EU Art. 6(3) (no statutory reminder fee)"),
    min_days_after_due: 1,
    timing_source: derived("Directive 2011/7/EU Art. 3"),
    max_fee_reminders: None,
    count_source: derived("Directive 2011/7/EU"),
    min_days_between_fees: None,
    spacing_source: derived("Directive 2011/7/EU"),
    min_days_after_previous_reminder: None,
    previous_source: derived("Directive 2011/7/EU"),
    next_fee_needs_deadline_days: None,
    deadline_source: derived("Directive 2011/7/EU"),
};

static FEES: [Dated<FeeRule>; 1] = [since(ymd(2013, 3, 16), REMINDER_FEE, STATUTE)];

pub static PACK: RulePack = RulePack {
    country: "EU",
    currency: "EUR",
    debtors: PerDebtor {
        business: "debtors under the EU default rules",
        consumer: "consumers outside the Nordics",
    },
    interest: InterestRules {
        // ECB main refinancing rate on 1 Jan / 1 Jul. 2026H2 not found (§ 8.1).
        reference_rates: &[
            rate(ymd(2023, 1, 1), 250, STATUTE),
            rate(ymd(2023, 7, 1), 400, STATUTE),
            rate(ymd(2024, 1, 1), 450, STATUTE),
            rate(ymd(2024, 7, 1), 425, STATUTE),
            rate(ymd(2025, 1, 1), 315, STATUTE),
            rate(ymd(2025, 7, 1), 215, STATUTE),
            rate(ymd(2026, 1, 1), 215, STATUTE),
        ],
        reference_rate_name: "ECB main refinancing rate",
        reference_rate_source: derived("Directive 2011/7/EU Art. 2(7)"),
        // The directive's + 8 pp is for businesses; consumers have no rate here (§ 8.6): no
        // statutory interest unless the policy sets one.
        margin: PerDebtor { business: Some(pct(800)), consumer: None },
        margin_source: PerDebtor {
            business: derived("Directive 2011/7/EU Art. 2(6)"),
            consumer: derived(
                "no national table: no statutory interest for consumers outside the Nordics unless the policy sets a rate",
            ),
        },
        day_count: DayCount::Actual365,
        day_count_source: derived("not specified by Directive 2011/7/EU (simple interest)"),
        consumer_rate_cap: None,
    },
    reminder_fee: PerDebtor { business: &FEES, consumer: &FEES },
    compensation: CompensationRule {
        amounts: &[dated(ymd(2013, 3, 16), 40, STATUTE)],
        source: statute("Directive 2011/7/EU Art. 6(1)"),
        interaction: CompensationInteraction::InAddition,
        interaction_source: statute("Directive 2011/7/EU Art. 6(3): reasonable costs above the 40"),
    },
    collection: CollectionRules {
        min_deadline_days: PerDebtor::both(0),
        deadline_source: derived("not harmonised in the EU"),
        warning_required: false,
        warning_source: derived("not harmonised in the EU"),
        creditor_warning_ends: None,
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: derived("not harmonised in the EU"),
    },
    unconfirmed: &[],
};

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_rates, d, m};
    use super::super::*;
    use super::PACK;

    #[test]
    fn reference_and_statutory_rate_per_half_year_for_businesses_only() {
        // nordic-rules § 8.6 (issue #11, finding 10): no ECB + 8 for consumers.
        let cases = [
            ("2023-01-01", "2.50", "", "10.50"),
            ("2023-07-01", "4.00", "", "12.00"),
            ("2024-07-01", "4.25", "", "12.25"),
            ("2025-01-01", "3.15", "", "11.15"),
            ("2025-07-01", "2.15", "", "10.15"),
            ("2026-06-30", "2.15", "", "10.15"),
        ];
        assert_rates(&PACK, &cases);
        assert_eq!(statutory_rate(&PACK, d("2026-03-01"), true, &[]), None);
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("DE"), &PACK);
        assert_eq!(rules_for("US"), &PACK);
        assert_eq!(PACK.currency, "EUR");
        assert_eq!(PACK.interest.day_count, DayCount::Actual365);
        assert!(!PACK.collection.warning_required);
    }

    #[test]
    fn compensation_40_eur_in_addition() {
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("40")));
        assert_eq!(compensation(&PACK, d("2013-03-15")), None);
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::InAddition);
    }
}
