//! The default for any country other than SE, NO, DK and FI: the Late
//! Payment Directive 2011/7/EU with the ECB main refinancing rate, in EUR.
//!
//! The directive covers B2B and public-authority debtors only; the same
//! figures are used for consumers because `dun` has nothing better to offer
//! there ⚠. Its Art. 2–3 wording is quoted from memory in the research notes
//! ⚠; Art. 6 (€ 40) was read verbatim ✅.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DayCount, FeeRule, InterestRules, PerDebtor,
    RulePack, dated, pct, rate, ymd,
};

/// No statutory reminder fee: only a fee agreed by contract may be charged.
const REMINDER_FEE: FeeRule = FeeRule {
    // Not harmonised: reminder costs are only recoverable as "reasonable
    // compensation" above the € 40 (CJEU C-287/17) ✅, so no statutory cap.
    max: &[],
    max_source: "Directive 2011/7/EU Art. 6(3)",
    // Without a statutory fee only a contractual one can be charged ⚠
    needs_agreement: true,
    agreement_source: "Directive 2011/7/EU Art. 6(3) (no statutory reminder fee)",
    // Interest and costs run from the day after the due date ⚠
    min_days_after_due: 1,
    timing_source: "Directive 2011/7/EU Art. 3",
    // Not harmonised ✅
    max_fee_reminders: None,
    count_source: "Directive 2011/7/EU",
    min_days_between: None,
    spacing_source: "Directive 2011/7/EU",
};

pub static PACK: RulePack = RulePack {
    country: "EU",
    currency: "EUR",
    debtors: PerDebtor::both("debtors under the EU default rules"),
    interest: InterestRules {
        // ECB MRO rate in force on 1 Jan / 1 Jul.
        reference_rates: &[
            rate(ymd(2023, 1, 1), 250), // ✅
            rate(ymd(2023, 7, 1), 400), // ✅
            rate(ymd(2024, 1, 1), 450), // ✅
            rate(ymd(2024, 7, 1), 425), // ✅
            rate(ymd(2025, 1, 1), 315), // ✅
            rate(ymd(2025, 7, 1), 215), // ✅
            rate(ymd(2026, 1, 1), 215), // ✅
        ],
        reference_rate_name: "ECB main refinancing rate",
        reference_rate_source: "Directive 2011/7/EU Art. 2(7)",
        // at least + 8 pp ⚠ (confirmed by the NO/DK implementations)
        margin: PerDebtor::both(pct(800)),
        margin_source: PerDebtor::both("Directive 2011/7/EU Art. 2(6)"),
        // Not specified ("simple interest") ⚠
        day_count: DayCount::Actual365,
        day_count_source: "not specified by Directive 2011/7/EU",
    },
    reminder_fee: PerDebtor::both(REMINDER_FEE),
    compensation: CompensationRule {
        // ≥ € 40 fixed sum, plus reasonable costs above it ✅ (from the
        // transposition deadline, 16 Mar 2013)
        amounts: &[dated(ymd(2013, 3, 16), 40)],
        interaction: CompensationInteraction::InAddition,
        source: "Directive 2011/7/EU Art. 6(1)",
    },
    collection: CollectionRules {
        // Not harmonised: no statutory minimum ✅
        min_deadline_days: PerDebtor::both(0),
        deadline_source: "not harmonised in the EU",
        warning_required: false,
        warning_source: "not harmonised in the EU",
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: "not harmonised in the EU",
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
            ("2023-01-01", "2.50", "10.50"),
            ("2023-06-30", "2.50", "10.50"),
            ("2023-07-01", "4.00", "12.00"),
            ("2023-12-31", "4.00", "12.00"),
            ("2024-01-01", "4.50", "12.50"),
            ("2024-06-30", "4.50", "12.50"),
            ("2024-07-01", "4.25", "12.25"),
            ("2024-12-31", "4.25", "12.25"),
            ("2025-01-01", "3.15", "11.15"),
            ("2025-06-30", "3.15", "11.15"),
            ("2025-07-01", "2.15", "10.15"),
            ("2025-12-31", "2.15", "10.15"),
            ("2026-01-01", "2.15", "10.15"),
            ("2026-06-30", "2.15", "10.15"),
        ];
        let cases: Vec<_> = cases.iter().map(|&(date, r, rate)| (date, r, rate, rate)).collect();
        assert_rates(&PACK, &cases);
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("DE"), &PACK);
        assert_eq!(rules_for("US"), &PACK);
        assert_eq!(PACK.currency, "EUR");
        assert_eq!(PACK.interest.day_count, DayCount::Actual365);
        assert!(!PACK.collection.warning_required);
        assert_eq!(max_reminder_fee(&PACK, false, d("2026-01-01")), None);
    }

    #[test]
    fn compensation_40_eur_in_addition() {
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("40")));
        assert_eq!(compensation(&PACK, d("2013-03-15")), None);
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::InAddition);
    }
}
