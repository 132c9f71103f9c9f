//! Finland. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4.
//! Consumer and business debtors differ in margin, fee and collection rules.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DayCount, FeeRule, InterestRules, PerDebtor,
    RulePack, dated, pct, rate, ymd,
};

/// Maksumuistutus to a consumer.
const CONSUMER_FEE: FeeRule = FeeRule {
    // € 5 per written payment reminder ✅ (the start date only orders the
    // table: the earliest cap also covers earlier dates)
    max: &[dated(ymd(2013, 3, 16), 5)],
    max_source: "laki saatavien perinnästä (513/1999) 10 a §",
    // Statutory cost recovery, no agreement needed ◐
    needs_agreement: false,
    agreement_source: "laki saatavien perinnästä (513/1999) 10 §",
    // Only on a reminder sent ≥ 14 days after the due date ◐
    min_days_after_due: 14,
    timing_source: "laki saatavien perinnästä (513/1999) 10 a §",
    // Limit on the number not found ⚠
    max_fee_reminders: None,
    count_source: "laki saatavien perinnästä (513/1999) 10 a §",
    min_days_between: None,
    spacing_source: "laki saatavien perinnästä (513/1999) 10 a §",
};

/// Payment reminder to a business (caps since 1 May 2022, law 299/2022).
const BUSINESS_FEE: FeeRule = FeeRule {
    // max € 12 per reminder since 1 May 2022 ◐; earlier dates fall back to it
    max: &[dated(ymd(2022, 5, 1), 12)],
    max_source: "laki saatavien perinnästä (513/1999), as amended by 299/2022",
    // Statutory cost recovery, no agreement needed ◐
    needs_agreement: false,
    agreement_source: "laki saatavien perinnästä (513/1999) 10 §",
    // No statutory wait found ⚠: any day after the due date
    min_days_after_due: 1,
    timing_source: "laki saatavien perinnästä (513/1999), as amended by 299/2022",
    // Limited by 299/2022, number not retrieved ⚠
    max_fee_reminders: None,
    count_source: "laki saatavien perinnästä (513/1999), as amended by 299/2022",
    min_days_between: None,
    spacing_source: "laki saatavien perinnästä (513/1999), as amended by 299/2022",
};

pub static PACK: RulePack = RulePack {
    country: "FI",
    currency: "EUR",
    debtors: PerDebtor { business: "Finnish business debtors", consumer: "Finnish consumers" },
    interest: InterestRules {
        // Viitekorko: ECB MRO before the half-year, rounded up to the next 0.5 pp.
        reference_rates: &[
            rate(ymd(2023, 1, 1), 250), // ✅
            rate(ymd(2023, 7, 1), 400), // ⚠ derived from the MRO 4.00
            rate(ymd(2024, 1, 1), 450), // ✅
            rate(ymd(2024, 7, 1), 450), // ✅
            rate(ymd(2025, 1, 1), 350), // ✅
            rate(ymd(2025, 7, 1), 250), // ⚠ derived: MRO 2.15 rounded up
            rate(ymd(2026, 1, 1), 250), // ✅
        ],
        reference_rate_name: "Suomen Pankki viitekorko",
        reference_rate_source: "korkolaki (633/1982) 12 §",
        // + 7 pp for consumers and other debts, + 8 pp business to business ✅
        margin: PerDebtor { business: pct(800), consumer: pct(700) },
        margin_source: PerDebtor {
            business: "korkolaki (633/1982) 4 a §",
            consumer: "korkolaki (633/1982) 4 §",
        },
        // Statute silent; practice is actual/365 ⚠
        day_count: DayCount::Actual365,
        day_count_source: "practice, statute silent",
    },
    reminder_fee: PerDebtor { business: BUSINESS_FEE, consumer: CONSUMER_FEE },
    compensation: CompensationRule {
        // Vakiokorvaus € 40 since 16 Mar 2013 ✅
        amounts: &[dated(ymd(2013, 3, 16), 40)],
        // Interplay with the 2022 B2B caps not confirmed ⚠: in addition.
        interaction: CompensationInteraction::InAddition,
        source: "laki saatavien perinnästä (513/1999), HE 57/2012",
    },
    collection: CollectionRules {
        // Consumers: maksuvaatimus ≥ 14 days after the reminder ✅;
        // businesses: a reminder precedes a tratta by ≥ 10 days ◐.
        min_deadline_days: PerDebtor { business: 10, consumer: 14 },
        deadline_source: "laki saatavien perinnästä (513/1999) 5 § (299/2022)",
        // Good-practice guidance only (KKV 10/2023) ◐
        warning_required: false,
        warning_source: "KKV guidance 10/2023",
        // Consumers: only after a maksumuistutus and ≥ 14 days after it ✅
        min_days_after_reminder: PerDebtor { business: None, consumer: Some(14) },
        min_days_after_reminder_source: "laki saatavien perinnästä (513/1999) 5 § (299/2022)",
    },
};

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::PACK;

    use super::super::testing::{assert_rates, d, m};

    #[test]
    fn reference_and_statutory_rate_per_half_year() {
        // (date, viitekorko, consumer rate, business rate)
        let cases = [
            ("2023-01-01", "2.50", "9.50", "10.50"),
            ("2023-06-30", "2.50", "9.50", "10.50"),
            ("2023-07-01", "4.00", "11.00", "12.00"),
            ("2023-12-31", "4.00", "11.00", "12.00"),
            ("2024-01-01", "4.50", "11.50", "12.50"),
            ("2024-06-30", "4.50", "11.50", "12.50"),
            ("2024-07-01", "4.50", "11.50", "12.50"),
            ("2024-12-31", "4.50", "11.50", "12.50"),
            ("2025-01-01", "3.50", "10.50", "11.50"),
            ("2025-06-30", "3.50", "10.50", "11.50"),
            ("2025-07-01", "2.50", "9.50", "10.50"),
            ("2025-12-31", "2.50", "9.50", "10.50"),
            ("2026-01-01", "2.50", "9.50", "10.50"),
            ("2026-06-30", "2.50", "9.50", "10.50"),
        ];
        assert_rates(&PACK, &cases);
    }

    #[test]
    fn consumer_margin_7_business_margin_8() {
        assert_eq!(*PACK.interest.margin.get(true), m("7"));
        assert_eq!(*PACK.interest.margin.get(false), m("8"));
        assert_eq!(*PACK.interest.margin_source.get(true), "korkolaki (633/1982) 4 §");
        assert_eq!(*PACK.interest.margin_source.get(false), "korkolaki (633/1982) 4 a §");
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("fi"), &PACK);
        assert_eq!(PACK.currency, "EUR");
        assert_eq!(PACK.interest.day_count, DayCount::Actual365);
        assert!(!PACK.collection.warning_required);
        assert_eq!(*PACK.collection.min_deadline_days.get(true), 14);
        assert_eq!(*PACK.collection.min_deadline_days.get(false), 10);
        assert_eq!(*PACK.collection.min_days_after_reminder.get(true), Some(14));
        assert_eq!(*PACK.collection.min_days_after_reminder.get(false), None);
    }

    #[test]
    fn consumer_fee_5_eur_only_from_day_14() {
        let on = d("2026-03-01");
        // (fee, days after due, expected)
        let cases = [
            ("5", 13, Some("fee-too-early")),
            ("5", 14, None),
            ("5.01", 14, Some("fee-above-maximum")),
            ("12", 30, Some("fee-above-maximum")),
        ];
        for (fee, days, broken) in cases {
            let result = check_fee(&PACK, true, m(fee), false, days, 0, None, on);
            assert_eq!(result.err().map(|v| v.rule), broken, "{fee} day {days}");
        }
        assert_eq!(allowed_fee(&PACK, true, m("5"), false, 13, 0, None, on), m("0"));
        assert_eq!(allowed_fee(&PACK, true, m("5"), false, 14, 0, None, on), m("5"));
        let err = check_fee(&PACK, true, m("12"), false, 30, 0, None, on).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reminder fee 12 EUR exceeds the statutory maximum of 5 EUR for Finnish consumers \
             (laki saatavien perinnästä (513/1999) 10 a §)"
        );
    }

    #[test]
    fn business_fee_12_eur() {
        let on = d("2026-03-01");
        let cases = [
            ("12", 1, None),
            ("12", 13, None),
            ("13", 14, Some("fee-above-maximum")),
            ("12", 0, Some("fee-too-early")),
        ];
        for (fee, days, broken) in cases {
            let result = check_fee(&PACK, false, m(fee), false, days, 0, None, on);
            assert_eq!(result.err().map(|v| v.rule), broken, "{fee} day {days}");
        }
        assert_eq!(max_reminder_fee(&PACK, false, on), Some(m("12")));
        assert_eq!(max_reminder_fee(&PACK, true, on), Some(m("5")));
        assert_eq!(allowed_fee(&PACK, false, m("20"), false, 1, 0, None, on), m("12"));
    }

    #[test]
    fn compensation_40_eur() {
        assert_eq!(compensation(&PACK, d("2026-03-01")), Some(m("40")));
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::InAddition);
    }
}
