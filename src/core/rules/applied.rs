//! `dun rules` in a ledger directory: beside each statutory figure, what the ledger's policy
//! makes `dun` apply instead of it or within it (SPEC §§ 5, 7) — the policy's reference rates,
//! interest mode, rate and day count, reminder fee and its agreement, compensation, the in-force
//! day of Norway's new inkassolov, and caps converted at its exchange rates — for its base
//! tables and each segment. Worked out with the [`Law`] the charges are computed with, so the
//! listing says what `due`, the letters and the report charge.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::listing::{RuleRow, rules_in_force};
use super::{
    FeeCurrency, FeeRequest, LawDates, RatePeriod, RulePack, built_in_periods, compensation,
    creditor_warning_required, fee_rule_on, latest_period_on, rules_for, show_amount,
};
use crate::core::charges::Law;
use crate::core::policy::{Charge, InterestMode, Policy, Rules};

/// Every rule of `pack` in force on `on`, with its statutory figure in `value` and in `policy`
/// what `policy` makes `dun` apply (`None`: the statutory figure, as listed).
pub fn rules_under_policy(pack: &'static RulePack, on: NaiveDate, policy: &Policy) -> Vec<RuleRow> {
    let base = policy.base_rules();
    let segments: Vec<(&str, Rules)> = policy
        .file
        .segments
        .keys()
        .filter_map(|name| Some((name.as_str(), policy.rules(Some(name))?)))
        .collect();
    let mut rows = rules_in_force(pack, on, &LawDates::default());
    for row in &mut rows {
        row.policy = applied_in_scopes(pack, row, on, policy, &base, &segments);
    }
    rows
}

/// What the base tables apply to `row`, then each segment that applies something else.
fn applied_in_scopes(
    pack: &'static RulePack,
    row: &RuleRow,
    on: NaiveDate,
    policy: &Policy,
    base: &Rules,
    segments: &[(&str, Rules)],
) -> Option<String> {
    let company = rules_for(&policy.country);
    if row.debtor == "business" && !std::ptr::eq(company, pack) {
        return Some(format!(
            "not applied: business debtors are under the company's law ({})",
            company.country
        ));
    }
    let consumer = row.debtor == "consumer";
    let law = |rules| Law { pack, consumer, business: !consumer, policy, rules };
    let in_base = applied(&law(base), row.rule, on);
    let mut parts: Vec<String> = in_base.iter().cloned().collect();
    for (name, rules) in segments {
        let in_segment = applied(&law(rules), row.rule, on);
        if in_segment != in_base {
            let text = in_segment.unwrap_or_else(|| "the statutory figure".to_owned());
            parts.push(format!("segment {name}: {text}"));
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// What `law`'s policy applies to `rule` on `on`; `None`: the statutory figure.
fn applied(law: &Law<'_>, rule: &str, on: NaiveDate) -> Option<String> {
    match rule {
        "interest.reference_rate" => policy_period(law.pack, on, &law.rate_overrides()).map(|p| {
            format!("{:.2} % from {} (interest.reference_rates)", p.reference_rate.round_dp(2), p.from)
        }),
        "interest.statutory_rate" => interest(law, on),
        "interest.day_count" => law.rules.interest.day_count.map(|d| format!("{d} (interest.day_count)")),
        "reminder_fee.max" => Some(fee(law, on)),
        "reminder_fee.needs_agreement" => agreement(law, on),
        "compensation.amount" => compensation_applied(law, on),
        "collection.creditor_warning_required" | "collection.creditor_warning_ends" => {
            inkassolov(law, rule, on)
        }
        _ => None,
    }
}

/// The policy's reference-rate period in force on `on`, where it, not a built-in one, decides
/// (as [`super::reference_rate_on`] chooses).
fn policy_period(pack: &RulePack, on: NaiveDate, overrides: &[RatePeriod]) -> Option<RatePeriod> {
    let own = latest_period_on(overrides.iter().copied(), on)?;
    match latest_period_on(built_in_periods(pack), on) {
        Some(built_in) if built_in.from > own.from => None,
        _ => Some(own),
    }
}

fn interest(law: &Law<'_>, on: NaiveDate) -> Option<String> {
    match law.rules.interest.mode() {
        InterestMode::None => Some("none (interest.mode = \"none\")".to_owned()),
        InterestMode::Fixed => {
            let fixed = law.rules.interest.rate.map_or(Decimal::ZERO, |r| r.0).normalize();
            Some(match law.check_fixed_rate(on) {
                Ok(()) => format!("{fixed} % fixed (interest.mode = \"fixed\", interest.rate)"),
                Err(why) => format!(
                    "{fixed} % (interest.rate) refused, and never charged above the statutory rate: {why}"
                ),
            })
        }
        InterestMode::Statutory => {
            let period = policy_period(law.pack, on, &law.rate_overrides())?;
            let margin = (*law.pack.interest.margin.get(law.consumer))?;
            Some(format!(
                "{:.2} % (reference {} from {} in interest.reference_rates + {} pp)",
                (period.reference_rate + margin).round_dp(2),
                period.reference_rate.normalize(),
                period.from,
                margin.normalize()
            ))
        }
    }
}

/// The reminder fee `dun` charges: the policy's fixed fee or the law's maximum, in the
/// company's currency (a cap in another currency converted at the policy's rate).
fn fee(law: &Law<'_>, on: NaiveDate) -> String {
    let pack = law.pack;
    let currency = law.policy.currency.as_str();
    let dates = law.dates();
    let dated = fee_rule_on(pack, law.consumer, on, &dates);
    let regime = if std::ptr::eq(dated, fee_rule_on(pack, law.consumer, on, &LawDates::default())) {
        String::new()
    } else {
        format!("; the fee rules in force from {} apply (law.no_inkassolov_in_force)", dated.in_force(&dates))
    };
    let mut request = FeeRequest::new(pack, law.consumer, Decimal::ZERO, on, i64::MAX);
    request.currency = FeeCurrency { code: currency, per_pack_unit: law.conversion(currency, on) };
    request.fee_agreed = law.rules.reminder.fee_agreed();
    request.dates = dates;
    let max = dated.value.max.map(|m| format!("{} {}", show_amount(m), pack.currency));
    let foreign = !currency.eq_ignore_ascii_case(pack.currency);
    let rate = match request.currency.per_pack_unit {
        Some((rate, date)) if foreign => {
            format!(" at {} {currency}/{} of {date}", rate.normalize(), pack.currency)
        }
        _ => String::new(),
    };
    let no_rate = format!("no {currency}/{} rate in law.exchange_rates", pack.currency);
    let text = match law.rules.reminder.fee() {
        Charge::Amount(a) if a.is_zero() && law.rules.reminder.fee.is_none() => {
            "no fee: reminder.fee is not set".to_owned()
        }
        Charge::Amount(a) if a.is_zero() => "no fee (reminder.fee = \"0\")".to_owned(),
        _ if dated.value.needs_agreement && !request.fee_agreed => {
            "no fee: not agreed (reminder.fee_agreed = false)".to_owned()
        }
        Charge::Amount(a) => {
            let asked = format!("{} {currency} (reminder.fee)", show_amount(a));
            let max = max.unwrap_or_default();
            match request.cap() {
                Ok(None) => asked,
                Ok(Some(cap)) if a <= cap && foreign => {
                    format!(
                        "{asked}, within the {max} maximum = {} {currency}{rate} (law.exchange_rates)",
                        show_amount(cap)
                    )
                }
                Ok(Some(cap)) if a <= cap => asked,
                Ok(Some(cap)) if foreign => format!(
                    "{asked} is above the {max} maximum = {} {currency}{rate} (law.exchange_rates): refused",
                    show_amount(cap)
                ),
                Ok(Some(_)) => format!("{asked} is above the {max} maximum: refused"),
                Err(_) => format!("{asked} refused: {no_rate} to check it against the {max} maximum"),
            }
        }
        Charge::Statutory => match (request.cap(), max) {
            (Ok(Some(cap)), Some(max)) if foreign => format!(
                "{} {currency}: the {max} maximum{rate} (reminder.fee = \"statutory\", law.exchange_rates)",
                show_amount(cap)
            ),
            (Ok(Some(cap)), _) => {
                format!("{} {currency}, the maximum (reminder.fee = \"statutory\")", show_amount(cap))
            }
            (Err(_), Some(max)) => {
                format!("none: {no_rate} to convert the {max} maximum (reminder.fee = \"statutory\")")
            }
            _ => "none: there is no statutory fee (reminder.fee = \"statutory\")".to_owned(),
        },
    };
    text + &regime
}

fn agreement(law: &Law<'_>, on: NaiveDate) -> Option<String> {
    if !fee_rule_on(law.pack, law.consumer, on, &law.dates()).value.needs_agreement {
        return None;
    }
    Some(
        match law.rules.reminder.fee_agreed {
            Some(false) => "no: no fee is charged (reminder.fee_agreed = false)",
            Some(true) => "agreed (reminder.fee_agreed = true)",
            None => "taken as agreed (reminder.fee_agreed is not set)",
        }
        .to_owned(),
    )
}

/// The compensation `dun` charges a business debtor, in the company's currency.
fn compensation_applied(law: &Law<'_>, on: NaiveDate) -> Option<String> {
    let pack = law.pack;
    let currency = law.policy.currency.as_str();
    let foreign = !currency.eq_ignore_ascii_case(pack.currency);
    let statutory = compensation(pack, on);
    let converted = statutory.and_then(|a| law.convert_down(a, currency, on));
    let law_figure = statutory.map(|s| format!("{} {}", show_amount(s), pack.currency)).unwrap_or_default();
    let rate = match law.conversion(currency, on) {
        Some((rate, date)) if foreign => {
            format!(" at {} {currency}/{} of {date}", rate.normalize(), pack.currency)
        }
        _ => String::new(),
    };
    let no_rate = format!("no {currency}/{} rate in law.exchange_rates", pack.currency);
    Some(match law.rules.collection.compensation() {
        Charge::Amount(a) if a.is_zero() => "none (collection.compensation = \"0\")".to_owned(),
        Charge::Amount(a) => {
            let asked = format!("{} {currency} (collection.compensation)", show_amount(a));
            match (statutory, converted) {
                (None, _) => format!("{asked} refused: no statutory compensation is known"),
                (Some(_), None) => format!("{asked} refused: {no_rate} to check it against {law_figure}"),
                (Some(_), Some(cap)) if a <= cap => asked,
                (Some(_), Some(cap)) if foreign => format!(
                    "{asked} is above the statutory {law_figure} = {} {currency}{rate} (law.exchange_rates): refused",
                    show_amount(cap)
                ),
                (Some(_), Some(_)) => format!("{asked} is above the statutory {law_figure}: refused"),
            }
        }
        Charge::Statutory => match (statutory, converted) {
            (Some(_), Some(amount)) if foreign => {
                format!("{} {currency}: {law_figure}{rate} (law.exchange_rates)", show_amount(amount))
            }
            (Some(_), None) => format!("none: {no_rate} to convert {law_figure}"),
            _ => return None,
        },
    })
}

/// The in-force day of Norway's new inkassolov the policy sets.
fn inkassolov(law: &Law<'_>, rule: &str, on: NaiveDate) -> Option<String> {
    let day = law.dates().no_inkassolov?;
    let act = law.pack.collection.creditor_warning_ends?;
    match rule {
        "collection.creditor_warning_ends" => {
            Some(format!("in force from {day} (law.no_inkassolov_in_force)"))
        }
        _ => {
            let required = creditor_warning_required(law.pack, on, &law.dates());
            (required != creditor_warning_required(law.pack, on, &LawDates::default())).then(|| {
                let yes_no = if required { "yes" } else { "no" };
                format!("{yes_no}: {} in force from {day} (law.no_inkassolov_in_force)", act.name)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::d;
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::from_toml(text).unwrap()
    }

    fn applied_to(rows: &[RuleRow], debtor: &str, rule: &str) -> Option<String> {
        rows.iter().find(|r| r.debtor == debtor && r.rule == rule).and_then(|r| r.policy.clone())
    }

    const SE: &str = "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n";

    #[test]
    fn without_settings_only_the_fee_and_foreign_business_rows_say_anything() {
        let p = policy(SE);
        let se = rules_under_policy(rules_for("SE"), d("2026-12-01"), &p);
        let said: Vec<(&str, &str, String)> =
            se.iter().filter_map(|r| Some((r.debtor, r.rule, r.policy.clone()?))).collect();
        assert_eq!(
            said,
            [
                ("business", "reminder_fee.max", "no fee: reminder.fee is not set".to_owned()),
                (
                    "business",
                    "reminder_fee.needs_agreement",
                    "taken as agreed (reminder.fee_agreed is not set)".to_owned()
                ),
                ("consumer", "reminder_fee.max", "no fee: reminder.fee is not set".to_owned()),
                (
                    "consumer",
                    "reminder_fee.needs_agreement",
                    "taken as agreed (reminder.fee_agreed is not set)".to_owned()
                ),
            ]
        );
        // A Swedish company's Norwegian business debtors are under Swedish law.
        let no = rules_under_policy(rules_for("NO"), d("2026-12-01"), &p);
        assert_eq!(
            applied_to(&no, "business", "compensation.amount").as_deref(),
            Some("not applied: business debtors are under the company's law (SE)")
        );
    }

    #[test]
    fn the_policys_rates_mode_and_day_count_beside_the_statutory_figure() {
        // Denmark's 2026H2 rate is not built in (nordic-rules § 8.1): the policy's 1.60 decides,
        // 1.60 + 8 = 9.60 %. A segment charging a fixed 12 % with 30/360.
        let p = policy(
            "[company]\nname = \"Firma ApS\"\ncountry = \"DK\"\ncurrency = \"DKK\"\n\
             [interest]\nreference_rates = [{ from = 2026-07-01, rate = \"1.60\" }]\n\
             [segments.fast.interest]\nmode = \"fixed\"\nrate = \"12\"\nday_count = \"actual/365\"\n",
        );
        let rows = rules_under_policy(rules_for("DK"), d("2026-12-01"), &p);
        assert_eq!(
            applied_to(&rows, "all", "interest.reference_rate").as_deref(),
            Some("1.60 % from 2026-07-01 (interest.reference_rates)")
        );
        assert_eq!(
            applied_to(&rows, "business", "interest.statutory_rate").as_deref(),
            Some(
                "9.60 % (reference 1.6 from 2026-07-01 in interest.reference_rates + 8 pp); \
                 segment fast: 12 % fixed (interest.mode = \"fixed\", interest.rate)"
            )
        );
        assert_eq!(
            applied_to(&rows, "all", "interest.day_count").as_deref(),
            Some("segment fast: actual/365 (interest.day_count)")
        );
        // Before 2026H2 the built-in rate decides: nothing of the policy's to say.
        let june = rules_under_policy(rules_for("DK"), d("2026-06-30"), &p);
        assert_eq!(applied_to(&june, "all", "interest.reference_rate"), None);
    }

    #[test]
    fn caps_in_another_currency_are_converted_at_the_policys_rate() {
        // A Swedish company's Finnish consumers: the 5 € cap at 11.0789 SEK/EUR is 55.39 SEK
        // (rounded down); a fixed 60 SEK is above it.
        let rates = "[law]\nexchange_rates = [{ date = 2026-11-01, from = \"EUR\", to = \"SEK\", rate = \"11.0789\" }]\n";
        let statutory = policy(&format!("{SE}[reminder]\nfee = \"statutory\"\n{rates}"));
        let rows = rules_under_policy(rules_for("FI"), d("2026-12-01"), &statutory);
        assert_eq!(
            applied_to(&rows, "consumer", "reminder_fee.max").as_deref(),
            Some(
                "55.39 SEK: the 5 EUR maximum at 11.0789 SEK/EUR of 2026-11-01 \
                 (reminder.fee = \"statutory\", law.exchange_rates)"
            )
        );
        let fixed = policy(&format!("{SE}[reminder]\nfee = \"60\"\n{rates}"));
        let rows = rules_under_policy(rules_for("FI"), d("2026-12-01"), &fixed);
        assert_eq!(
            applied_to(&rows, "consumer", "reminder_fee.max").as_deref(),
            Some(
                "60 SEK (reminder.fee) is above the 5 EUR maximum = 55.39 SEK at 11.0789 SEK/EUR of \
                 2026-11-01 (law.exchange_rates): refused"
            )
        );
        // Without a rate nothing can be checked.
        let bare = policy(&format!("{SE}[reminder]\nfee = \"statutory\"\n"));
        let rows = rules_under_policy(rules_for("FI"), d("2026-12-01"), &bare);
        assert_eq!(
            applied_to(&rows, "consumer", "reminder_fee.max").as_deref(),
            Some(
                "none: no SEK/EUR rate in law.exchange_rates to convert the 5 EUR maximum (reminder.fee = \"statutory\")"
            )
        );
    }

    #[test]
    fn compensation_fee_agreement_and_the_inkassolov_day() {
        let p = policy(
            "[company]\nname = \"Firma AS\"\ncountry = \"NO\"\ncurrency = \"NOK\"\n\
             [reminder]\nfee = \"statutory\"\n[collection]\ncompensation = \"500\"\n\
             [law]\nno_inkassolov_in_force = 2027-07-01\n\
             [segments.small.collection]\ncompensation = \"0\"\n",
        );
        // On 2027-03-01 the built-in day (2027-01-01) has passed, the policy's not.
        let rows = rules_under_policy(rules_for("NO"), d("2027-03-01"), &p);
        assert_eq!(
            applied_to(&rows, "business", "reminder_fee.max").as_deref(),
            Some(
                "38 NOK, the maximum (reminder.fee = \"statutory\"); the fee rules in force from \
                 2026-01-01 apply (law.no_inkassolov_in_force)"
            )
        );
        assert_eq!(
            applied_to(&rows, "all", "collection.creditor_warning_required").as_deref(),
            Some(
                "yes: inkassoloven (LOV-2026-05-22-19) in force from 2027-07-01 (law.no_inkassolov_in_force)"
            )
        );
        assert_eq!(
            applied_to(&rows, "all", "collection.creditor_warning_ends").as_deref(),
            Some("in force from 2027-07-01 (law.no_inkassolov_in_force)")
        );
        // 2027H1 compensation: the last known, 430 (◐), carried.
        assert_eq!(
            applied_to(&rows, "business", "compensation.amount").as_deref(),
            Some(
                "500 NOK (collection.compensation) is above the statutory 430 NOK: refused; \
                 segment small: none (collection.compensation = \"0\")"
            )
        );
        // Sweden needs an agreement: `fee_agreed = false` means no fee.
        let se = policy(&format!("{SE}[reminder]\nfee = \"60\"\nfee_agreed = false\n"));
        let rows = rules_under_policy(rules_for("SE"), d("2026-12-01"), &se);
        assert_eq!(
            applied_to(&rows, "consumer", "reminder_fee.max").as_deref(),
            Some("no fee: not agreed (reminder.fee_agreed = false)")
        );
        assert_eq!(
            applied_to(&rows, "consumer", "reminder_fee.needs_agreement").as_deref(),
            Some("no: no fee is charged (reminder.fee_agreed = false)")
        );
    }

    #[test]
    fn a_fixed_rate_above_norways_consumer_cap_is_said_refused() {
        let p = policy(
            "[company]\nname = \"Firma AS\"\ncountry = \"NO\"\ncurrency = \"NOK\"\n[interest]\nmode = \"fixed\"\nrate = \"25\"\n",
        );
        let rows = rules_under_policy(rules_for("NO"), d("2026-12-01"), &p);
        let consumer = applied_to(&rows, "consumer", "interest.statutory_rate").unwrap();
        assert!(
            consumer.starts_with("25 % (interest.rate) refused") && consumer.contains("12.25 %"),
            "{consumer}"
        );
        assert_eq!(
            applied_to(&rows, "business", "interest.statutory_rate").as_deref(),
            Some("25 % fixed (interest.mode = \"fixed\", interest.rate)")
        );
    }
}
