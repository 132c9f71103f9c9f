//! The statutory rules applied to the ladder: fees, compensation and interest per country.

use super::*;

#[test]
fn swedish_fee_rules_are_enforced() {
    let too_high = one("[reminder]\nfee = \"100\"\nfee_agreed = true\n", vec![]);
    let outcome = decide(&too_high, date("2026-02-07"));
    assert_eq!(outcome.violations.len(), 1);
    let v = &outcome.violations[0].1;
    assert_eq!(v.rule, "fee-above-maximum");
    assert!(v.to_string().contains("60") && v.to_string().contains("1981:739"), "{v}");
    let not_agreed = one("[reminder]\nfee = \"60\"\nfee_agreed = false\n", vec![]);
    assert_eq!(decide(&not_agreed, date("2026-02-07")).violations[0].1.rule, "fee-not-agreed");
    // "statutory" without agreement: no fee, and no violation.
    let statutory = one("[reminder]\nfee = \"statutory\"\nfee_agreed = false\n", vec![]);
    let o = decide(&statutory, date("2026-02-07"));
    assert!(o.violations.is_empty());
    assert_eq!(o.decisions[0].fee, Decimal::ZERO);
    let agreed = one("[reminder]\nfee = \"statutory\"\n", vec![]);
    assert_eq!(decide(&agreed, date("2026-02-07")).decisions[0].fee, money("60"));
}

#[test]
fn norway_fee_only_from_day_14_and_a_14_day_warning() {
    let l = ledger(
        "[reminder]\nfee = \"statutory\"\nafter_days = 7\n",
        vec![customer("K", "NO", CustomerKind::Consumer)],
        vec![invoice_in("NOK", "1", "K", "2026-01-31", "1000")],
        vec![],
    );
    let mut policy = l.policy.clone();
    policy.currency = Currency::parse("NOK").unwrap();
    policy.country = "NO".into();
    let l = Ledger::new(policy, l.customers.clone(), l.invoices.clone(), vec![], Journal::default());
    let day13 = decide(&l, date("2026-02-13")).decisions.remove(0);
    assert_eq!(day13.state, State::Due(Action::Reminder));
    assert_eq!(day13.fee, Decimal::ZERO, "no fee before day 14");
    assert_eq!(day13.pay_by, Some(date("2026-02-27")), "the collection warning gives 14 days");
    let day14 = decide(&l, date("2026-02-14")).decisions.remove(0);
    assert_eq!(day14.fee, money("38"));
}

#[test]
fn b2b_compensation_is_offset_by_fees_in_sweden() {
    let l = one(
        "[reminder]\nfee = \"60\"\nfee_agreed = true\n[collection]\ncompensation = \"statutory\"\n",
        vec![],
    );
    let d = decide(&l, date("2026-02-07")).decisions.remove(0);
    assert_eq!(d.fee, money("60"));
    assert_eq!(d.compensation(), money("390"));
    let consumer = ledger(
        "[collection]\ncompensation = \"statutory\"\n",
        vec![customer("K", "SE", CustomerKind::Consumer)],
        vec![invoice("1", "K", "2026-01-31", "1000")],
        vec![],
    );
    assert_eq!(decide(&consumer, date("2026-02-07")).decisions[0].compensation(), Decimal::ZERO);
}

#[test]
fn one_fee_per_letter() {
    let l = ledger(
        "[reminder]\nfee = \"60\"\nfee_agreed = true\n",
        vec![customer("K", "SE", CustomerKind::Business)],
        vec![invoice("1", "K", "2026-01-31", "1000"), invoice("2", "K", "2026-01-20", "500")],
        vec![],
    );
    let fees: Vec<Decimal> = decide(&l, date("2026-02-07")).decisions.iter().map(|d| d.fee).collect();
    assert_eq!(fees.iter().copied().sum::<Decimal>(), money("60"));
}

#[test]
fn statutory_interest_on_the_open_principal() {
    // SE 2026H1: reference 2.00 + 8 = 10 %. Due Saturday 01-31: skuldebrevslagen 5 § moves it
    // to Monday 02-02, so 1000 kr for 26 days (02-03..02-28) = 7.12 (not 28 days = 7.67).
    let l = one("[interest]\nmode = \"statutory\"\n", vec![]);
    let d = decide(&l, date("2026-02-28")).decisions.remove(0);
    assert_eq!(d.interest(), money("7.12"));
}

#[test]
fn a_fourth_danish_fee_is_refused() {
    let mut l = ledger(
        "[reminder]\nmax = 4\ninterval_days = 10\nfee = \"100\"\nfee_agreed = true\n",
        vec![customer("K", "DK", CustomerKind::Business)],
        vec![invoice_in("DKK", "1", "K", "2026-01-31", "5000")],
        vec![],
    );
    l.policy.country = "DK".into();
    l.policy.currency = Currency::parse("DKK").unwrap();
    for day in ["2026-02-07", "2026-02-17", "2026-02-27"] {
        let outcome = decide(&l, date(day));
        assert!(outcome.violations.is_empty(), "{day}: {:?}", outcome.violations);
        assert_eq!(outcome.decisions[0].fee, money("100"));
        run_day(&mut l, date(day));
    }
    let fourth = decide(&l, date("2026-03-09"));
    assert_eq!(fourth.violations.len(), 1);
    assert_eq!(fourth.violations[0].1.rule, "fee-count-exceeded");
    assert!(fourth.violations[0].1.to_string().contains("renteloven"), "{}", fourth.violations[0].1);
}

#[test]
fn a_swedish_consumer_fee_above_60_is_refused() {
    let l = ledger(
        "[reminder]\nfee = \"100\"\nfee_agreed = true\n",
        vec![customer("K", "SE", CustomerKind::Consumer)],
        vec![invoice("1", "K", "2026-01-31", "1000")],
        vec![],
    );
    let v = &decide(&l, date("2026-02-07")).violations[0].1;
    assert_eq!(v.rule, "fee-above-maximum");
}
