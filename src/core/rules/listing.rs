//! `dun rules`: every figure and rule of the built-in packs in force on a date, per country,
//! with its in-force date, source and confidence mark (SPEC §7) — what `dun` will charge, and
//! why.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::calendar::Calendar;
use super::{
    Cite, Confidence, LawDates, RulePack, all_packs, compensation, creditor_warning_required, fee_rule_on,
    half_year_label, last_known_period, rate_is_stale, reference_rate_on, show_amount,
};

/// One line of `dun rules`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRow {
    pub country: &'static str,
    /// `all`, `business` or `consumer`.
    pub debtor: &'static str,
    /// A stable dotted name, e.g. `reminder_fee.max`.
    pub rule: &'static str,
    pub value: String,
    /// The day the figure came into force, where the sources date it.
    pub in_force: Option<NaiveDate>,
    pub source: &'static str,
    pub confidence: Confidence,
    /// What a ledger's policy makes `dun` apply instead of the figure or within it
    /// ([`super::applied`]); `None`: the figure as listed (and always outside a ledger).
    pub policy: Option<String>,
}

/// The packs to list: the one of `country` (the EU default for any other), or all.
pub fn packs(country: Option<&str>) -> Vec<&'static RulePack> {
    match country {
        Some(c) => vec![super::rules_for(c)],
        None => all_packs().to_vec(),
    }
}

/// Every rule of `pack` in force on `on`.
pub fn rules_in_force(pack: &'static RulePack, on: NaiveDate, dates: &LawDates) -> Vec<RuleRow> {
    let mut rows = Vec::new();
    let mut push =
        |debtor: &'static str, rule: &'static str, value: String, in_force: Option<NaiveDate>, cite: Cite| {
            rows.push(RuleRow {
                country: pack.country,
                debtor,
                rule,
                value,
                in_force,
                source: cite.source,
                confidence: cite.confidence,
                policy: None,
            })
        };
    let i = &pack.interest;
    match reference_rate_on(pack, on, &[]) {
        Some((rate, from)) => {
            let entry = i.reference_rates.iter().find(|r| r.from == from);
            let stale = rate_is_stale(pack, on, &[]);
            let value = if stale {
                format!(
                    "{:.2} % ({}); not known for {}: carried forward",
                    rate.round_dp(2),
                    i.reference_rate_name,
                    half_year_label(on)
                )
            } else {
                format!("{:.2} % ({})", rate.round_dp(2), i.reference_rate_name)
            };
            let confidence =
                if stale { Confidence::Derived } else { entry.map_or(Confidence::Derived, |e| e.confidence) };
            push(
                "all",
                "interest.reference_rate",
                value,
                Some(from),
                Cite { confidence, ..i.reference_rate_source },
            );
        }
        None => push("all", "interest.reference_rate", "none known".into(), None, i.reference_rate_source),
    }
    let _ = last_known_period;
    for (debtor, consumer) in [("business", false), ("consumer", true)] {
        let margin = *i.margin.get(consumer);
        let value = match (margin, reference_rate_on(pack, on, &[])) {
            (Some(m), Some((r, _))) => {
                format!("{:.2} % (reference + {} pp)", (r + m).round_dp(2), m.normalize())
            }
            (Some(m), None) => format!("reference + {} pp", m.normalize()),
            (None, _) => "none: no statutory rate".into(),
        };
        push(debtor, "interest.statutory_rate", value, None, *i.margin_source.get(consumer));
    }
    push("all", "interest.day_count", i.day_count.name().into(), None, i.day_count_source);
    if let Some(cite) = i.consumer_rate_cap {
        push("consumer", "interest.agreed_rate_cap", "the statutory rate".into(), None, cite);
    }
    match Calendar::moving_due_dates(pack.country) {
        Some(calendar) => push(
            "all",
            "due_date.non_business_day",
            "moves to the next business day".into(),
            None,
            Cite { source: calendar.source(), confidence: Confidence::Statute },
        ),
        None => push(
            "all",
            "due_date.non_business_day",
            "stays".into(),
            None,
            Cite { source: "no such rule in the sources", confidence: Confidence::Derived },
        ),
    }
    for (debtor, consumer) in [("business", false), ("consumer", true)] {
        let dated = fee_rule_on(pack, consumer, on, dates);
        let from = Some(dated.in_force(dates));
        let f = &dated.value;
        let max = match f.max {
            Some(max) => format!("{} {}", show_amount(max), pack.currency),
            None => "no statutory fee: only an agreed one".into(),
        };
        push(debtor, "reminder_fee.max", max, from, Cite { confidence: dated.confidence, ..f.max_source });
        push(debtor, "reminder_fee.needs_agreement", yes_no(f.needs_agreement), from, f.agreement_source);
        push(
            debtor,
            "reminder_fee.min_days_after_due",
            f.min_days_after_due.to_string(),
            from,
            f.timing_source,
        );
        push(debtor, "reminder_fee.max_count", opt(f.max_fee_reminders.map(i64::from)), from, f.count_source);
        push(
            debtor,
            "reminder_fee.min_days_between_fees",
            opt(f.min_days_between_fees),
            from,
            f.spacing_source,
        );
        push(
            debtor,
            "reminder_fee.min_days_after_previous_reminder",
            opt(f.min_days_after_previous_reminder),
            from,
            f.previous_source,
        );
        push(
            debtor,
            "reminder_fee.next_needs_missed_deadline_days",
            opt(f.next_fee_needs_deadline_days),
            from,
            f.deadline_source,
        );
    }
    for u in pack.unconfirmed {
        push(u.debtor, u.rule, u.reading.into(), None, u.cite);
    }
    let c = &pack.compensation;
    let entry = c.amounts.iter().filter(|a| a.from <= on).max_by_key(|a| a.from);
    let amount = compensation(pack, on)
        .map_or("none known".into(), |a: Decimal| format!("{} {}", show_amount(a), pack.currency));
    push(
        "business",
        "compensation.amount",
        amount,
        entry.map(|e| e.from),
        Cite { confidence: entry.map_or(Confidence::Derived, |e| e.confidence), ..c.source },
    );
    let interaction = match c.interaction {
        super::CompensationInteraction::InAddition => "in addition to reminder fees",
        super::CompensationInteraction::OffsetsFees => "the larger of it and the fees (reduced by them)",
    };
    push("business", "compensation.with_fees", interaction.into(), None, c.interaction_source);
    let k = &pack.collection;
    let warns = creditor_warning_required(pack, on, dates);
    push("all", "collection.creditor_warning_required", yes_no(warns), None, k.warning_source);
    if let Some(act) = k.creditor_warning_ends {
        push("all", "collection.creditor_warning_ends", act.name.into(), Some(dates.in_force(act)), act.cite);
    }
    for (debtor, consumer) in [("business", false), ("consumer", true)] {
        push(
            debtor,
            "collection.min_deadline_days",
            k.min_deadline_days.get(consumer).to_string(),
            None,
            k.deadline_source,
        );
        push(
            debtor,
            "collection.min_days_after_reminder",
            opt(*k.min_days_after_reminder.get(consumer)),
            None,
            k.min_days_after_reminder_source,
        );
    }
    rows
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn opt(n: Option<i64>) -> String {
    n.map_or("none".into(), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{d, m};
    use super::*;

    fn value(rows: &[RuleRow], debtor: &str, rule: &str) -> String {
        rows.iter()
            .find(|r| r.debtor == debtor && r.rule == rule)
            .map(|r| r.value.clone())
            .unwrap_or_default()
    }

    #[test]
    fn norway_on_2026_12_01_and_after_the_new_inkassolov() {
        let rows = rules_in_force(super::super::rules_for("NO"), d("2026-12-01"), &LawDates::default());
        assert_eq!(value(&rows, "consumer", "interest.statutory_rate"), "12.25 % (reference + 8 pp)");
        assert_eq!(value(&rows, "business", "reminder_fee.max"), "38 NOK");
        assert_eq!(value(&rows, "business", "compensation.amount"), "430 NOK");
        assert_eq!(value(&rows, "all", "interest.day_count"), "actual/actual");
        let fee = rows.iter().find(|r| r.rule == "reminder_fee.max").unwrap();
        assert_eq!((fee.in_force, fee.confidence), (Some(d("2026-01-01")), Confidence::Secondary));
        let later = rules_in_force(super::super::rules_for("NO"), d("2027-01-01"), &LawDates::default());
        assert_eq!(value(&later, "business", "reminder_fee.max"), "0 NOK");
        assert_eq!(value(&later, "all", "collection.creditor_warning_required"), "no");
        let _ = m("0");
    }

    #[test]
    fn what_the_sources_do_not_confirm_is_listed_with_the_debtor_safe_reading_and_marked() {
        // nordic-rules § 8.2 (◐, wording not found): Norwegian fees may restart 6 months after
        // the last one; `dun` never restarts the count of two fee-bearing notices.
        let rows = rules_in_force(super::super::rules_for("NO"), d("2026-12-01"), &LawDates::default());
        let restart = rows.iter().find(|r| r.rule == "reminder_fee.count_restarts").unwrap();
        assert_eq!(restart.debtor, "all");
        assert!(restart.value.starts_with("never:") && restart.value.contains("debtor-safe"), "{restart:?}");
        assert!(restart.source.contains("6 months") && restart.source.contains("not confirmed"));
        assert_eq!(restart.confidence.mark(), "⚠");
        // No other pack claims such a rule.
        for country in ["SE", "DK", "FI", "DE"] {
            let rows =
                rules_in_force(super::super::rules_for(country), d("2026-12-01"), &LawDates::default());
            assert!(!rows.iter().any(|r| r.rule == "reminder_fee.count_restarts"), "{country}");
        }
    }

    #[test]
    fn a_carried_rate_is_marked_derived() {
        let rows = rules_in_force(super::super::rules_for("DK"), d("2026-12-01"), &LawDates::default());
        let rate = rows.iter().find(|r| r.rule == "interest.reference_rate").unwrap();
        assert!(rate.value.contains("carried forward"), "{}", rate.value);
        assert_eq!(rate.confidence, Confidence::Derived);
        assert_eq!(value(&rows, "all", "due_date.non_business_day"), "stays");
        let se = rules_in_force(super::super::rules_for("SE"), d("2026-12-01"), &LawDates::default());
        assert_eq!(value(&se, "all", "due_date.non_business_day"), "moves to the next business day");
    }
}
