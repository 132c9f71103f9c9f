//! Finland. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4 and 8.3.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DERIVED, Dated, DayCount, FeeRule,
    InterestRules, PerDebtor, RulePack, SECONDARY, STATUTE, dated, derived, pct, rate, secondary, since,
    statute, ymd,
};

/// Maksumuistutus to a consumer: ≤ 5 €, ≥ 14 days after the due date, and (Intrum) 14 days
/// after the previous reminder.
const CONSUMER_FEE: FeeRule = FeeRule {
    max: Some(super::whole(5)),
    max_source: statute("laki saatavien perinnästä (513/1999) 10 a §"),
    needs_agreement: false,
    agreement_source: secondary("laki saatavien perinnästä (513/1999) 10 §"),
    min_days_after_due: 14,
    timing_source: secondary("laki saatavien perinnästä (513/1999) 10 a §"),
    // The number of fee-bearing reminders is unconfirmed
    max_fee_reminders: None,
    count_source: derived("laki saatavien perinnästä (513/1999) 10 a §: not found"),
    min_days_between_fees: None,
    spacing_source: secondary("laki saatavien perinnästä (513/1999) 10 a §"),
    min_days_after_previous_reminder: Some(14),
    previous_source: secondary("laki saatavien perinnästä (513/1999) 10 a § (Intrum)"),
    next_fee_needs_deadline_days: None,
    deadline_source: secondary("laki saatavien perinnästä (513/1999) 10 a §"),
};

/// A business debtor, since 1 May 2022: ≤ 12 € and only ≥ 10 days after the previous
/// reminder or demand (§ 8.3, four sources agree).
const BUSINESS_FEE: FeeRule = FeeRule {
    max: Some(super::whole(12)),
    max_source: secondary("laki saatavien perinnästä (513/1999) 10 e §, as amended by 299/2022"),
    needs_agreement: false,
    agreement_source: secondary("laki saatavien perinnästä (513/1999) 10 §"),
    min_days_after_due: 1,
    timing_source: derived("laki saatavien perinnästä (513/1999), as amended by 299/2022"),
    max_fee_reminders: None,
    count_source: derived("laki saatavien perinnästä (513/1999), as amended by 299/2022: not found"),
    min_days_between_fees: None,
    spacing_source: secondary("laki saatavien perinnästä (513/1999), as amended by 299/2022"),
    min_days_after_previous_reminder: Some(10),
    previous_source: secondary("laki saatavien perinnästä (513/1999) 10 e §, as amended by 299/2022"),
    next_fee_needs_deadline_days: None,
    deadline_source: secondary("laki saatavien perinnästä (513/1999), as amended by 299/2022"),
};

static CONSUMER_FEES: [Dated<FeeRule>; 1] = [since(ymd(2013, 3, 16), CONSUMER_FEE, STATUTE)];
static BUSINESS_FEES: [Dated<FeeRule>; 1] = [since(ymd(2022, 5, 1), BUSINESS_FEE, SECONDARY)];

pub static PACK: RulePack = RulePack {
    country: "FI",
    currency: "EUR",
    debtors: PerDebtor { business: "Finnish business debtors", consumer: "Finnish consumers" },
    interest: InterestRules {
        // Suomen Pankki viitekorko: the ECB MRO before the half-year, rounded up to the next
        // 0.5 pp (korkolaki 12 §). 2026H2 not found (§ 8.1): carried forward, flagged.
        reference_rates: &[
            rate(ymd(2023, 1, 1), 250, STATUTE),
            // derived from the MRO 4.00
            rate(ymd(2023, 7, 1), 400, DERIVED),
            rate(ymd(2024, 1, 1), 450, STATUTE),
            rate(ymd(2024, 7, 1), 450, STATUTE),
            rate(ymd(2025, 1, 1), 350, STATUTE),
            // derived: MRO 2.15 rounded up
            rate(ymd(2025, 7, 1), 250, DERIVED),
            rate(ymd(2026, 1, 1), 250, STATUTE),
        ],
        reference_rate_name: "Suomen Pankki viitekorko",
        reference_rate_source: statute("korkolaki (633/1982) 12 §"),
        margin: PerDebtor { business: Some(pct(800)), consumer: Some(pct(700)) },
        margin_source: PerDebtor {
            business: statute("korkolaki (633/1982) 4 a §"),
            consumer: statute("korkolaki (633/1982) 4 §"),
        },
        // Practice is split (365 vs 30/360); actual/365 by default (§ 8.3)
        day_count: DayCount::Actual365,
        day_count_source: derived("practice, statute silent"),
        consumer_rate_cap: None,
    },
    reminder_fee: PerDebtor { business: &BUSINESS_FEES, consumer: &CONSUMER_FEES },
    compensation: CompensationRule {
        amounts: &[dated(ymd(2013, 3, 16), 40, STATUTE)],
        source: statute("laki saatavien perinnästä (513/1999), HE 57/2012"),
        // The interplay with the 2022 cost caps is not confirmed
        interaction: CompensationInteraction::InAddition,
        interaction_source: derived(
            "laki saatavien perinnästä (513/1999): interplay with 299/2022 not confirmed",
        ),
    },
    collection: CollectionRules {
        min_deadline_days: PerDebtor { business: 10, consumer: 14 },
        deadline_source: statute("laki saatavien perinnästä (513/1999) 5 § (299/2022)"),
        warning_required: false,
        warning_source: secondary("KKV guidance 10/2023"),
        creditor_warning_ends: None,
        min_days_after_reminder: PerDebtor { business: None, consumer: Some(14) },
        min_days_after_reminder_source: statute("laki saatavien perinnästä (513/1999) 5 § (299/2022)"),
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
            ("2023-01-01", "2.50", "9.50", "10.50"),
            ("2023-07-01", "4.00", "11.00", "12.00"),
            ("2024-01-01", "4.50", "11.50", "12.50"),
            ("2025-01-01", "3.50", "10.50", "11.50"),
            ("2025-07-01", "2.50", "9.50", "10.50"),
            ("2026-06-30", "2.50", "9.50", "10.50"),
        ];
        assert_rates(&PACK, &cases);
        assert!(rate_is_stale(&PACK, d("2026-07-01"), &[]));
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("fi"), &PACK);
        assert_eq!(PACK.currency, "EUR");
        assert_eq!(PACK.interest.day_count, DayCount::Actual365);
        assert!(!PACK.collection.warning_required);
        assert_eq!(*PACK.collection.min_deadline_days.get(true), 14);
        assert_eq!(*PACK.collection.min_days_after_reminder.get(true), Some(14));
        assert_eq!(*PACK.collection.min_days_after_reminder.get(false), None);
    }

    #[test]
    fn consumer_fee_5_eur_only_from_day_14() {
        let on = "2026-03-01";
        let cases = [
            ("5", 13, Some("fee-too-early")),
            ("5", 14, None),
            ("5.01", 14, Some("fee-above-maximum")),
            ("12", 30, Some("fee-above-maximum")),
        ];
        for (fee, days, expected) in cases {
            assert_eq!(broken(&PACK, true, fee, false, days, on), expected, "{fee} day {days}");
        }
        let err = FeeRequest::new(&PACK, true, m("12"), d(on), 30).check().unwrap_err();
        assert_eq!(
            err.to_string(),
            "reminder fee 12 EUR exceeds the statutory maximum of 5 EUR for Finnish consumers \
             (laki saatavien perinnästä (513/1999) 10 a §)"
        );
    }

    #[test]
    fn reminders_spaced_10_days_for_businesses_and_14_for_consumers() {
        // nordic-rules § 8.3 (issue #11, finding 5): 12 € on reminders 7 days apart is refused.
        let on = d("2026-03-01");
        for (consumer, since, expected) in [
            (false, 7, Some("fee-too-soon-after-reminder")),
            (false, 10, None),
            (true, 13, Some("fee-too-soon-after-reminder")),
            (true, 14, None),
        ] {
            let fee = if consumer { "5" } else { "12" };
            let mut request = FeeRequest::new(&PACK, consumer, m(fee), on, 30);
            request.days_since_last_reminder = Some(since);
            assert_eq!(request.check().err().map(|v| v.rule), expected, "{consumer} {since}");
        }
    }

    #[test]
    fn business_fee_12_eur() {
        let on = "2026-03-01";
        let cases =
            [("12", 1, None), ("13", 14, Some("fee-above-maximum")), ("12", 0, Some("fee-too-early"))];
        for (fee, days, expected) in cases {
            assert_eq!(broken(&PACK, false, fee, false, days, on), expected, "{fee} day {days}");
        }
        assert_eq!(FeeRequest::new(&PACK, false, m("20"), d(on), 1).allowed().0, m("12"));
    }

    #[test]
    fn compensation_40_eur() {
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("40")));
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::InAddition);
    }
}
