use super::testing::{d, m};
use super::*;

#[test]
fn day_count_parses_and_names() {
    let cases = [
        ("actual/365", Some(DayCount::Actual365)),
        ("Actual/365", Some(DayCount::Actual365)),
        (" act/365 ", Some(DayCount::Actual365)),
        ("actual/actual", Some(DayCount::ActualActual)),
        ("ACT/ACT", Some(DayCount::ActualActual)),
        ("30/360", Some(DayCount::Thirty360)),
        ("30E/360", Some(DayCount::Thirty360)),
        ("actual/360", None),
        ("", None),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<DayCount>().ok(), expected, "{text:?}");
    }
    for day_count in [DayCount::Actual365, DayCount::ActualActual, DayCount::Thirty360] {
        assert_eq!(day_count.name().parse::<DayCount>(), Ok(day_count));
        assert_eq!(day_count.to_string(), day_count.name());
    }
    let err = "act/360".parse::<DayCount>().unwrap_err().to_string();
    assert!(err.contains("\"act/360\"") && err.contains("actual/actual"), "{err}");
}

#[test]
fn rules_for_is_case_insensitive_and_defaults_to_eu() {
    let cases = [
        ("SE", "SE"),
        ("se", "SE"),
        (" No ", "NO"),
        ("dk", "DK"),
        ("FI", "FI"),
        ("DE", "EU"),
        ("eu", "EU"),
        ("", "EU"),
        ("Sweden", "EU"),
    ];
    for (code, pack) in cases {
        assert_eq!(rules_for(code).country, pack, "{code:?}");
    }
}

#[test]
fn built_in_tables_are_sorted_and_start_in_2023h1() {
    for pack in all_packs() {
        let rates = pack.interest.reference_rates;
        assert_eq!(rates[0].from, d("2023-01-01"), "{}", pack.country);
        for pair in rates.windows(2) {
            assert!(pair[0].from < pair[1].from, "{}", pack.country);
        }
        for period in rates {
            assert_eq!(half_year_start(period.from), period.from);
        }
        let fees = [*pack.reminder_fee.get(true), *pack.reminder_fee.get(false)];
        for pair in pack.compensation.amounts.windows(2) {
            assert!(pair[0].from < pair[1].from, "{}", pack.country);
        }
        for table in fees {
            for pair in table.windows(2) {
                assert!(pair[0].from < pair[1].from, "{}", pack.country);
            }
        }
    }
}

#[test]
fn the_2026h2_figures_of_section_8_1_are_in_force() {
    // nordic-rules § 8.1 (issue #11, finding 11): Sweden 2.00 → 10.00 %, Norway 12.25 %.
    // Denmark, Finland and the ECB were not found: their last rate is carried forward and
    // flagged as stale.
    let h2 = d("2026-07-01");
    assert_eq!(statutory_rate(rules_for("SE"), h2, true, &[]), Some(m("10.00")));
    assert_eq!(statutory_rate(rules_for("NO"), h2, true, &[]), Some(m("12.25")));
    for (country, stale) in [("SE", false), ("NO", false), ("DK", true), ("FI", true), ("DE", true)] {
        assert_eq!(rate_is_stale(rules_for(country), h2, &[]), stale, "{country}");
    }
}

#[test]
fn half_year_helpers() {
    let cases = [
        ("2026-01-01", "2026-01-01", "2026-06-30", "2026H1"),
        ("2026-06-30", "2026-01-01", "2026-06-30", "2026H1"),
        ("2026-07-01", "2026-07-01", "2026-12-31", "2026H2"),
        ("2026-12-31", "2026-07-01", "2026-12-31", "2026H2"),
    ];
    for (date, start, end, label) in cases {
        assert_eq!(half_year_start(d(date)), d(start));
        assert_eq!(half_year_end(d(date)), d(end));
        assert_eq!(half_year_label(d(date)), label);
    }
}

#[test]
fn reference_rate_on_none_before_first_period() {
    for pack in all_packs() {
        assert_eq!(reference_rate_on(pack, d("2022-12-31"), &[]), None);
        assert_eq!(statutory_rate(pack, d("2022-12-31"), false, &[]), None);
    }
}

#[test]
fn overrides_win_and_merge_by_date() {
    let pack = rules_for("SE");
    let overrides = [
        RatePeriod { from: d("2027-01-01"), reference_rate: m("1.75") },
        // Same day as a built-in period: the override wins.
        RatePeriod { from: d("2025-01-01"), reference_rate: m("2.75") },
    ];
    let cases = [
        // before any override: built-in
        ("2024-12-31", "4.00", "2024-07-01"),
        // override on the same day as the built-in 2025H1
        ("2025-01-01", "2.75", "2025-01-01"),
        ("2025-06-30", "2.75", "2025-01-01"),
        // the next built-in period takes over again
        ("2025-07-01", "2.00", "2025-07-01"),
        ("2026-12-31", "2.00", "2026-07-01"),
        // a new half-year only the policy knows
        ("2027-01-01", "1.75", "2027-01-01"),
        ("2027-03-01", "1.75", "2027-01-01"),
    ];
    for (date, reference, from) in cases {
        assert_eq!(reference_rate_on(pack, d(date), &overrides), Some((m(reference), d(from))), "{date}");
    }
    assert_eq!(statutory_rate(pack, d("2027-02-01"), true, &overrides), Some(m("9.75")));
    // An override before the built-in table extends it backwards.
    let early = [RatePeriod { from: d("2022-07-01"), reference_rate: m("0.50") }];
    assert_eq!(reference_rate_on(pack, d("2022-12-31"), &early), Some((m("0.50"), d("2022-07-01"))));
}

#[test]
fn duplicate_overrides_last_one_wins() {
    let pack = rules_for("NO");
    let overrides = [
        RatePeriod { from: d("2027-01-01"), reference_rate: m("3.75") },
        RatePeriod { from: d("2027-01-01"), reference_rate: m("3.50") },
    ];
    assert_eq!(reference_rate_on(pack, d("2027-03-01"), &overrides), Some((m("3.50"), d("2027-01-01"))));
}

#[test]
fn stale_detection() {
    let pack = rules_for("DK");
    let cases = [("2026-06-30", false), ("2026-07-01", true), ("2027-01-01", true), ("2020-01-01", false)];
    for (date, stale) in cases {
        assert_eq!(rate_is_stale(pack, d(date), &[]), stale, "{date}");
    }
    assert_eq!(
        stale_rate_warning(pack, d("2026-07-01"), &[]).as_deref(),
        Some(
            "no reference rate known for 2026H2; the rate of 2026H1 is carried forward; \
             set interest.reference_rates in policy.toml"
        )
    );
    assert_eq!(stale_rate_warning(pack, d("2026-06-30"), &[]), None);

    let overrides = [RatePeriod { from: d("2026-07-01"), reference_rate: m("1.60") }];
    assert_eq!(last_known_period(pack, &overrides), d("2026-07-01"));
    assert!(!rate_is_stale(pack, d("2026-12-31"), &overrides));
    assert!(rate_is_stale(pack, d("2027-01-01"), &overrides));

    // An override dated mid-half-year still covers only its half-year.
    let mid = [RatePeriod { from: d("2026-09-15"), reference_rate: m("1.60") }];
    assert!(!rate_is_stale(pack, d("2026-12-31"), &mid));
    assert!(rate_is_stale(pack, d("2027-01-01"), &mid));
}

#[test]
fn missing_half_years_lists_unknown_and_carried_rates() {
    let pack = rules_for("DK");
    assert_eq!(missing_half_years(pack, d("2022-11-01"), d("2023-02-01"), &[]), ["2022H2"]);
    assert_eq!(missing_half_years(pack, d("2026-05-01"), d("2027-02-01"), &[]), ["2026H2", "2027H1"]);
    let overrides = [RatePeriod { from: d("2026-07-01"), reference_rate: m("1.60") }];
    assert_eq!(missing_half_years(pack, d("2026-05-01"), d("2026-12-31"), &overrides), Vec::<String>::new());
}

#[test]
fn eu_fee_needs_agreement_and_has_no_cap() {
    let pack = rules_for("DE");
    let on = d("2026-01-01");
    let mut request = FeeRequest::new(pack, false, m("15"), on, 20);
    request.fee_agreed = false;
    assert_eq!(request.check().unwrap_err().rule, "fee-not-agreed");
    assert_eq!(request.allowed().0, m("0"));
    request.fee_agreed = true;
    assert_eq!(request.check(), Ok(()));
    assert_eq!(request.allowed().0, m("15"));
    assert_eq!(max_reminder_fee(pack, true, on, &LawDates::default()), None);
}

#[test]
fn zero_and_negative_fees() {
    for pack in all_packs() {
        // A zero fee is always fine, even unagreed and on day 0.
        let mut zero = FeeRequest::new(pack, true, Decimal::ZERO, d("2026-01-01"), 0);
        zero.fee_agreed = false;
        zero.fee_reminders_already = 9;
        zero.days_since_last_fee = Some(0);
        assert_eq!(zero.check(), Ok(()));
        let negative = FeeRequest::new(pack, true, m("-5"), d("2026-01-01"), 30);
        let err = negative.check().unwrap_err();
        assert_eq!(err.rule, "fee-negative");
        assert!(!err.to_string().contains('('), "{err}");
        assert_eq!(negative.allowed().0, Decimal::ZERO);
    }
}

#[test]
fn fee_on_or_before_due_date_is_refused_everywhere() {
    for pack in all_packs() {
        let err = FeeRequest::new(pack, false, m("1"), d("2026-01-01"), 0).check().unwrap_err();
        assert_eq!(err.rule, "fee-too-early", "{}", pack.country);
    }
}

#[test]
fn a_cap_in_another_currency_is_converted_or_the_fee_refused() {
    // Issue #11, finding 1: a Swedish company's Finnish consumer invoiced in SEK is
    // protected by Finland's 5 € cap (nordic-rules § 8.6); never skip the check.
    let fi = rules_for("FI");
    let on = d("2026-11-20");
    let mut request = FeeRequest::new(fi, true, m("60"), on, 20);
    request.currency = FeeCurrency { code: "SEK", per_pack_unit: None };
    let err = request.check().unwrap_err();
    assert_eq!(err.rule, "fee-cap-not-convertible");
    assert!(err.to_string().contains("5 EUR") && err.to_string().contains("SEK/EUR"), "{err}");
    assert_eq!(request.allowed(), (m("0"), Some(err)));
    // With 1 EUR = 11.0789 SEK dated 2026-11-01: the cap is 55.39 SEK (rounded down).
    request.currency.per_pack_unit = Some((m("11.0789"), d("2026-11-01")));
    assert_eq!(request.cap(), Ok(Some(m("55.39"))));
    let err = request.check().unwrap_err();
    assert_eq!(err.rule, "fee-above-maximum");
    assert_eq!(
        err.message,
        "reminder fee 60 SEK exceeds the statutory maximum of 5 EUR (55.39 SEK at 11.0789 SEK/EUR of \
         2026-11-01) for Finnish consumers"
    );
    assert_eq!(request.allowed().0, m("55.39"));
    assert_eq!(request.statutory().0, m("55.39"));
    // Timing is checked whatever the currency: day 3 is too early in Finland.
    request.days_after_due = 3;
    request.fee = m("50");
    assert_eq!(request.check().unwrap_err().rule, "fee-too-early");
    assert_eq!(request.statutory().0, m("0"));
}

#[test]
fn compensation_offsets_or_adds() {
    let cases = [
        (CompensationInteraction::OffsetsFees, "450", "60", "390"),
        (CompensationInteraction::OffsetsFees, "450", "500", "0"),
        (CompensationInteraction::OffsetsFees, "450", "-10", "450"),
        (CompensationInteraction::InAddition, "310", "300", "310"),
    ];
    for (interaction, amount, fees, expected) in cases {
        assert_eq!(compensation_after_fees(interaction, m(amount), m(fees)), m(expected), "{amount} {fees}");
    }
}

#[test]
fn show_amount_formats() {
    let cases = [("60", "60"), ("60.00", "60"), ("60.5", "60.50"), ("0.005", "0.01")];
    for (input, shown) in cases {
        assert_eq!(show_amount(m(input)), shown);
    }
}

#[test]
fn day_count_deserializes_from_policy_text() {
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};
    let text: StrDeserializer<Error> = "30/360".into_deserializer();
    assert_eq!(DayCount::deserialize(text), Ok(DayCount::Thirty360));
    let bad: StrDeserializer<Error> = "365".into_deserializer();
    assert!(DayCount::deserialize(bad).is_err());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever is asked, the fee `allowed` grants passes `check`, is never
        /// negative and never more than asked.
        #[test]
        fn allowed_fee_always_passes_check(
            pack in 0usize..5,
            consumer: bool,
            cents in -100_000i64..100_000,
            fee_agreed: bool,
            days_after_due in -30i64..60,
            already in 0u32..6,
            since in proptest::option::of(0i64..40),
            previous in proptest::option::of(0i64..40),
            deadline in proptest::option::of((0i64..30, any::<bool>())),
            offset in 0u64..2000,
            foreign in proptest::option::of(proptest::option::of(1i64..2000)),
        ) {
            let pack = all_packs()[pack];
            let on = d("2022-01-01") + chrono::Days::new(offset);
            let mut request = FeeRequest::new(pack, consumer, Decimal::new(cents, 2), on, days_after_due);
            request.fee_agreed = fee_agreed;
            request.fee_reminders_already = already;
            request.days_since_last_fee = since;
            request.days_since_last_reminder = previous;
            request.last_fee_deadline = deadline;
            if let Some(rate) = foreign {
                request.currency = FeeCurrency { code: "XXX", per_pack_unit: rate.map(|r| (Decimal::new(r, 2), on)) };
            }
            let (allowed, _) = request.allowed();
            prop_assert!(allowed >= Decimal::ZERO);
            prop_assert!(allowed <= request.fee.max(Decimal::ZERO));
            let granted = FeeRequest { fee: allowed, ..request };
            prop_assert_eq!(granted.check(), Ok(()));
            if request.check().is_ok() {
                prop_assert_eq!(allowed, request.fee);
            }
        }
    }
}
