//! Norway. Figures and marks from `docs/reference/nordic-rules.md` §§ 1–4 and 8.2.

use super::{
    CollectionRules, CompensationInteraction, CompensationRule, DERIVED, Dated, DayCount, FeeRule,
    InterestRules, PendingAct, PerDebtor, RulePack, SECONDARY, STATUTE, Unconfirmed, dated, derived, pct,
    rate, secondary, since, statute, ymd,
};

/// The new inkassolov (LOV-2026-05-22-19), adopted, in force when the King decides; 1 January
/// 2027 is signalled. The policy's `law.no_inkassolov_in_force` sets the day.
pub static INKASSOLOV_2027: PendingAct = PendingAct {
    key: "no_inkassolov_in_force",
    name: "inkassoloven (LOV-2026-05-22-19)",
    signalled: ymd(2027, 1, 1),
    cite: secondary("LOV-2026-05-22-19; Prop. 3 L (2025–2026) 13.4.4"),
};

/// Purregebyr: the same for consumers and businesses (inkassoforskriften), 1/20 of the
/// inkassosats.
const PURREGEBYR_2020: FeeRule = FeeRule {
    max: Some(super::whole(35)),
    max_source: secondary("inkassoforskriften § 1-2 (1/20 of the inkassosats)"),
    // Statutory, no agreement needed
    needs_agreement: false,
    agreement_source: secondary("inkassoforskriften § 1-2"),
    // Only on a reminder sent ≥ 14 days after the due date
    min_days_after_due: 14,
    timing_source: secondary("inkassoforskriften § 1-2"),
    // Fees for 2 notices (2 purringer, or 1 purring + 1 inkassovarsel)
    max_fee_reminders: Some(2),
    count_source: secondary("inkassoforskriften § 1-3"),
    min_days_between_fees: None,
    spacing_source: secondary("inkassoforskriften § 1-3"),
    min_days_after_previous_reminder: None,
    previous_source: secondary("inkassoforskriften § 1-3"),
    // A second fee only if the debtor missed a deadline of at least 14 days set in the first
    next_fee_needs_deadline_days: Some(14),
    deadline_source: statute("inkassoforskriften § 1-3"),
};

/// 38 NOK from 1 January 2026 with inkassosats 750 (§ 8.2, confirmed).
const PURREGEBYR_2026: FeeRule = FeeRule { max: Some(super::whole(38)), ..PURREGEBYR_2020 };

/// Under the new inkassolov a creditor's own notices carry no fee (Prop. 3 L 13.4.4).
const NO_OWN_FEE_2027: FeeRule = FeeRule {
    max: Some(super::whole(0)),
    max_source: secondary("inkassoloven (LOV-2026-05-22-19): a creditor's own notices carry no fee"),
    ..PURREGEBYR_2026
};

static REMINDER_FEE: [Dated<FeeRule>; 3] = [
    since(ymd(2020, 10, 1), PURREGEBYR_2020, SECONDARY),
    since(ymd(2026, 1, 1), PURREGEBYR_2026, SECONDARY),
    Dated {
        from: ymd(2027, 1, 1),
        value: NO_OWN_FEE_2027,
        confidence: SECONDARY,
        by: Some(&INKASSOLOV_2027),
    },
];

pub static PACK: RulePack = RulePack {
    country: "NO",
    currency: "NOK",
    debtors: PerDebtor::both("Norwegian debtors"),
    interest: InterestRules {
        // Norges Bank styringsrente per 1 Jan / 1 Jul, no rounding.
        reference_rates: &[
            rate(ymd(2023, 1, 1), 275, STATUTE),
            rate(ymd(2023, 7, 1), 375, SECONDARY),
            rate(ymd(2024, 1, 1), 450, STATUTE),
            rate(ymd(2024, 7, 1), 450, SECONDARY),
            rate(ymd(2025, 1, 1), 450, STATUTE),
            // derived from the June 2025 cut
            rate(ymd(2025, 7, 1), 425, DERIVED),
            // derived from the rate held in Dec 2025
            rate(ymd(2026, 1, 1), 400, DERIVED),
            // § 8.1: forsinkelsesrente 12.25 % (FOR-2026-06-25-1372)
            rate(ymd(2026, 7, 1), 425, SECONDARY),
        ],
        reference_rate_name: "Norges Bank styringsrente",
        reference_rate_source: statute("forsinkelsesrenteloven § 3"),
        // + 8 pp, fixed by the Ministry's half-yearly forskrift
        margin: PerDebtor::both(Some(pct(800))),
        margin_source: PerDebtor::both(statute("forsinkelsesrenteloven § 3")),
        // "Årlig rente" is the calendar year: 365 or 366 days (Lovavdelingen 2006)
        day_count: DayCount::ActualActual,
        day_count_source: statute("forsinkelsesrenteloven § 3 (Lovavdelingen 2006: the calendar year)"),
        // A consumer cannot be charged an agreed rate above the statutory one after default
        consumer_rate_cap: Some(secondary("forsinkelsesrenteloven § 4 c")),
    },
    reminder_fee: PerDebtor { business: &REMINDER_FEE, consumer: &REMINDER_FEE },
    compensation: CompensationRule {
        // Standardkompensasjon = EUR 40 in NOK, set every half-year (§ 8.2)
        amounts: &[
            dated(ymd(2023, 1, 1), 410, SECONDARY),
            dated(ymd(2023, 7, 1), 460, SECONDARY),
            dated(ymd(2024, 1, 1), 470, SECONDARY),
            dated(ymd(2024, 7, 1), 460, SECONDARY),
            dated(ymd(2025, 1, 1), 470, SECONDARY),
            dated(ymd(2025, 7, 1), 460, SECONDARY),
            dated(ymd(2026, 1, 1), 460, SECONDARY),
            dated(ymd(2026, 7, 1), 430, SECONDARY),
        ],
        source: statute("forsinkelsesrenteloven § 3a"),
        // The debtor owes the larger of fees and compensation, not the sum (§ 8.2)
        interaction: CompensationInteraction::OffsetsFees,
        interaction_source: secondary("inkassoforskriften §§ 1-5, 2-6"),
    },
    collection: CollectionRules {
        // Inkassovarsel: ≥ 14 days from sending
        min_deadline_days: PerDebtor::both(14),
        deadline_source: statute("inkassoloven § 9"),
        // The inkassovarsel must say that collection will follow
        warning_required: true,
        warning_source: statute("inkassoloven § 9"),
        // From the new inkassolov on only agencies send the statutory inkassovarsel
        creditor_warning_ends: Some(&INKASSOLOV_2027),
        min_days_after_reminder: PerDebtor::both(None),
        min_days_after_reminder_source: statute("inkassoloven § 9"),
    },
    unconfirmed: &[Unconfirmed {
        debtor: "all",
        rule: "reminder_fee.count_restarts",
        reading: "never: at most 2 fee-bearing notices per claim, however long ago the last fee (the debtor-safe reading)",
        cite: derived(
            "inkassoforskriften § 1-3 as a secondary source reports it: fees may restart 6 months after the last one; its wording is not confirmed",
        ),
    }],
};

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_rates, d, m};
    use super::super::*;
    use super::PACK;

    #[test]
    fn reference_and_statutory_rate_per_half_year() {
        let cases = [
            ("2023-01-01", "2.75", "10.75"),
            ("2023-07-01", "3.75", "11.75"),
            ("2024-01-01", "4.50", "12.50"),
            ("2024-12-31", "4.50", "12.50"),
            ("2025-06-30", "4.50", "12.50"),
            ("2025-07-01", "4.25", "12.25"),
            ("2026-01-01", "4.00", "12.00"),
            ("2026-06-30", "4.00", "12.00"),
            // nordic-rules § 8.1 (issue #11, finding 11): 12.25 % in 2026H2
            ("2026-07-01", "4.25", "12.25"),
            ("2026-12-31", "4.25", "12.25"),
        ];
        let cases: Vec<_> = cases.iter().map(|&(date, r, rate)| (date, r, rate, rate)).collect();
        assert_rates(&PACK, &cases);
    }

    #[test]
    fn pack_basics() {
        assert_eq!(rules_for("NO"), &PACK);
        assert_eq!(PACK.currency, "NOK");
        // Issue #11, finding 7: the calendar year, 366 days in 2024 and 2028.
        assert_eq!(PACK.interest.day_count, DayCount::ActualActual);
        assert!(PACK.collection.warning_required);
        assert_eq!(*PACK.collection.min_deadline_days.get(false), 14);
    }

    #[test]
    fn fee_cap_35_until_2025_then_38_then_none_of_ones_own_from_the_new_inkassolov() {
        let none = LawDates::default();
        let cases = [
            ("2023-05-01", "35"),
            ("2025-12-31", "35"),
            ("2026-01-01", "38"),
            ("2026-12-31", "38"),
            ("2027-01-01", "0"),
        ];
        for (on, cap) in cases {
            for consumer in [false, true] {
                assert_eq!(max_reminder_fee(&PACK, consumer, d(on), &none), Some(m(cap)), "{on}");
            }
        }
        // Issue #11, finding 15: the in-force day is the policy's until the King decides.
        let later = LawDates { no_inkassolov: Some(d("2027-07-01")) };
        assert_eq!(max_reminder_fee(&PACK, true, d("2027-06-30"), &later), Some(m("38")));
        assert_eq!(max_reminder_fee(&PACK, true, d("2027-07-01"), &later), Some(m("0")));
        assert!(creditor_warning_required(&PACK, d("2027-06-30"), &later));
        assert!(!creditor_warning_required(&PACK, d("2027-07-01"), &later));
        assert!(!creditor_warning_required(&PACK, d("2027-01-01"), &none));
        assert!(creditor_warning_required(&PACK, d("2026-12-31"), &none));
    }

    #[test]
    fn fee_only_from_day_14_and_a_second_only_after_a_missed_14_day_deadline() {
        let on = d("2025-06-01");
        // (days after due, fees already, last fee's deadline and whether it passed, expected)
        let cases = [
            (13, 0, None, Some("fee-too-early")),
            (14, 0, None, None),
            (30, 1, Some((14, true)), None),
            // Issue #11, finding 4: the first reminder gave only 10 days (§ 1-3 asks ≥ 14).
            (30, 1, Some((10, true)), Some("fee-deadline-too-short")),
            (30, 1, Some((14, false)), Some("fee-deadline-too-short")),
            (30, 1, None, Some("fee-deadline-too-short")),
            (60, 2, Some((14, true)), Some("fee-count-exceeded")),
        ];
        for (days, already, deadline, expected) in cases {
            let mut request = FeeRequest::new(&PACK, true, m("35"), on, days);
            request.fee_agreed = false;
            request.fee_reminders_already = already;
            request.last_fee_deadline = deadline;
            assert_eq!(request.check().err().map(|v| v.rule), expected, "day {days} {deadline:?}");
        }
        let mut request = FeeRequest::new(&PACK, false, m("35"), on, 13);
        request.fee_agreed = false;
        assert_eq!(
            request.check().unwrap_err().to_string(),
            "a reminder fee may only be charged to Norwegian debtors on a reminder sent at least \
             14 days after the due date; this one is 13 days after it (inkassoforskriften § 1-2)"
        );
        let mut second = FeeRequest::new(&PACK, false, m("35"), on, 30);
        second.fee_reminders_already = 1;
        second.last_fee_deadline = Some((10, true));
        assert_eq!(
            second.check().unwrap_err().to_string(),
            "a further reminder fee may only be charged to Norwegian debtors if the previous fee-bearing \
             reminder gave at least 14 days to pay; it gave 10 (inkassoforskriften § 1-3)"
        );
    }

    #[test]
    fn statutory_fee_is_zero_on_day_13_and_full_on_day_14() {
        let on = d("2026-02-01");
        assert_eq!(FeeRequest::new(&PACK, true, m("0"), on, 13).statutory().0, m("0"));
        assert_eq!(FeeRequest::new(&PACK, true, m("0"), on, 14).statutory().0, m("38"));
        assert_eq!(FeeRequest::new(&PACK, true, m("70"), on, 14).allowed().0, m("38"));
    }

    #[test]
    fn standardkompensasjon_by_half_year() {
        // nordic-rules § 8.2 (issue #11, finding 3): 460 in 2023H2, 2024H2, 2025H2; 430 in 2026H2.
        let cases = [
            ("2022-12-31", None),
            ("2023-01-01", Some("410")),
            ("2023-07-01", Some("460")),
            ("2024-03-01", Some("470")),
            ("2024-09-01", Some("460")),
            ("2025-03-01", Some("470")),
            ("2025-09-01", Some("460")),
            ("2026-01-01", Some("460")),
            ("2026-07-01", Some("430")),
            ("2026-12-31", Some("430")),
        ];
        for (on, amount) in cases {
            assert_eq!(compensation(&PACK, d(on)), amount.map(m), "{on}");
        }
        // Issue #11, finding 2: fees and compensation offset; the debtor owes the larger.
        assert_eq!(PACK.compensation.interaction, CompensationInteraction::OffsetsFees);
        assert_eq!(compensation_after_fees(PACK.compensation.interaction, m("430"), m("38")), m("392"));
    }
}
