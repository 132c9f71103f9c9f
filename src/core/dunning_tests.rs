//! Tests of the decision core: the ladder of SPEC §6 step by step, the pauses, the statutory
//! rules applied, and properties over arbitrary sequences of runs.

use std::str::FromStr;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::dunning::{Action, State, action_entry, decide, decide_customer};
use super::journal::{Entry, Event, Journal};
use super::ledger::Ledger;
use super::model::{Currency, Customer, CustomerKind, Invoice};
use super::policy::Policy;

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn money(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

const BASE: &str =
    "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nemail = \"f@test.example\"\n";

fn customer(id: &str, country: &str, kind: CustomerKind) -> Customer {
    Customer::reachable_for_tests(id, country, kind, "sv")
}

fn invoice(number: &str, customer: &str, due: &str, amount: &str) -> Invoice {
    let due = date(due);
    Invoice::unpaid_sek(number, customer, due - chrono::Days::new(30), due, money(amount))
}

/// [`invoice`] in another currency.
fn invoice_in(currency: &str, number: &str, customer: &str, due: &str, amount: &str) -> Invoice {
    let mut i = invoice(number, customer, due, amount);
    i.currency = Currency::parse(currency).expect("a currency code");
    i
}

/// The test company's policy with `policy_extra`; no interest and no compensation unless a
/// test asks: they would blur the ladder's figures.
fn policy(policy_extra: &str) -> Policy {
    let mut extra = policy_extra.to_owned();
    if !extra.contains("[interest]") {
        extra.push_str("[interest]\nmode = \"none\"\n");
    }
    if !extra.contains("[collection]") {
        extra.push_str("[collection]\ncompensation = \"0\"\n");
    }
    Policy::from_toml(&format!("{BASE}{extra}")).unwrap()
}

fn ledger(
    policy_extra: &str,
    customers: Vec<Customer>,
    invoices: Vec<Invoice>,
    journal: Vec<Entry>,
) -> Ledger {
    Ledger::new(policy(policy_extra), customers, invoices, Vec::new(), Journal { entries: journal })
}

fn one(policy: &str, journal: Vec<Entry>) -> Ledger {
    ledger(
        policy,
        vec![customer("K", "SE", CustomerKind::Business)],
        vec![invoice("1", "K", "2026-01-31", "1000")],
        journal,
    )
}

fn state(l: &Ledger, on: &str) -> State {
    decide(l, date(on)).decisions.into_iter().find(|d| d.invoice == "1").map_or(State::NotDue, |d| d.state)
}

/// Why invoice 1 is paused on `on`, as `dun due` shows it ("" when it is not paused).
fn paused(l: &Ledger, on: &str) -> String {
    match state(l, on) {
        State::Paused(why) => why.to_string(),
        _ => String::new(),
    }
}

fn record(event: Event, on: &str) -> Entry {
    let mut e = Entry::new(date(on), event);
    e.set_invoice(Some("1"));
    e.set_customer(Some("K"));
    e
}

/// Carries out every action due on `on`, as `dun remind` and `dun collect` would.
fn run_day(l: &mut Ledger, on: NaiveDate) -> Vec<(String, Action)> {
    let outcome = decide(l, on);
    let mut done = Vec::new();
    let mut entries = Vec::new();
    for d in outcome.decisions {
        if let Some(e) = action_entry(&d, on, Some("email".into()), None) {
            done.push((d.invoice.to_owned(), d.state.action().unwrap()));
            entries.push(e);
        }
    }
    l.journal.entries.extend(entries);
    done
}

#[test]
fn the_ladder_one_reminder_then_collection() {
    let mut l = one("", vec![]);
    // Due 01-31; reminder.after_days 7 → 02-07; pay_within 10 → pay by 02-17;
    // collection.after_days 10 → collection from 02-28.
    assert_eq!(state(&l, "2026-01-31"), State::NotDue);
    assert_eq!(state(&l, "2026-02-06"), State::Waiting(Some(date("2026-02-07"))));
    assert_eq!(state(&l, "2026-02-07"), State::Due(Action::Reminder));
    assert_eq!(run_day(&mut l, date("2026-02-07")), vec![("1".to_owned(), Action::Reminder)]);
    assert_eq!(state(&l, "2026-02-07"), State::Waiting(Some(date("2026-02-28"))));
    assert_eq!(state(&l, "2026-02-27"), State::Waiting(Some(date("2026-02-28"))));
    assert_eq!(state(&l, "2026-02-28"), State::Due(Action::Collection));
    run_day(&mut l, date("2026-02-28"));
    assert_eq!(state(&l, "2026-03-15"), State::InCollection(date("2026-02-28")));
}

#[test]
fn a_backlog_gets_a_reminder_first_never_a_final_notice() {
    let l = one("", vec![]);
    let d = decide(&l, date("2026-12-01")).decisions.remove(0);
    assert_eq!(d.state, State::Due(Action::Reminder));
    assert_eq!(d.pay_by, Some(date("2026-12-11")));
}

#[test]
fn later_reminders_follow_the_interval() {
    let mut l = one("[reminder]\nmax = 2\ninterval_days = 14\n", vec![]);
    run_day(&mut l, date("2026-02-07"));
    assert_eq!(state(&l, "2026-02-20"), State::Waiting(Some(date("2026-02-21"))));
    assert_eq!(run_day(&mut l, date("2026-02-21")), vec![("1".to_owned(), Action::Reminder)]);
    // Second reminder's deadline 03-03 + 10 → collection from 03-14.
    assert_eq!(state(&l, "2026-03-13"), State::Waiting(Some(date("2026-03-14"))));
    assert_eq!(state(&l, "2026-03-14"), State::Due(Action::Collection));
}

#[test]
fn a_missed_day_is_caught_up_the_next_run() {
    let mut l = one("", vec![]);
    assert!(run_day(&mut l, date("2026-02-06")).is_empty());
    // No run on 02-07; the 02-09 run catches up.
    assert_eq!(run_day(&mut l, date("2026-02-09")), vec![("1".to_owned(), Action::Reminder)]);
    assert!(run_day(&mut l, date("2026-02-09")).is_empty(), "a rerun the same day does nothing");
    assert!(run_day(&mut l, date("2026-02-10")).is_empty(), "nor the next day");
}

#[test]
fn disputes_pause_until_resolved_and_the_ladder_resumes() {
    let mut l = one("", vec![record(Event::Dispute, "2026-02-01")]);
    assert_eq!(paused(&l, "2026-03-01"), "disputed since 2026-02-01");
    l.journal.entries.push(record(Event::Resolve, "2026-03-10"));
    // The reminder's condition has long held: due at once.
    assert_eq!(state(&l, "2026-03-10"), State::Due(Action::Reminder));
}

#[test]
fn a_broken_promise_makes_the_reminder_due_the_next_day() {
    let mut promise = record(Event::Promise, "2026-02-05");
    promise.until = Some(date("2026-02-20"));
    let l = one("", vec![promise]);
    assert_eq!(paused(&l, "2026-02-20"), "promise to pay by 2026-02-20");
    assert_eq!(state(&l, "2026-02-21"), State::Due(Action::Reminder));
}

#[test]
fn a_customer_on_hold_gets_nothing() {
    let mut hold = Entry::new(date("2026-02-01"), Event::Hold);
    hold.set_customer(Some("K"));
    let mut l = one("", vec![hold]);
    assert_eq!(paused(&l, "2026-03-01"), "customer on hold since 2026-02-01");
    let mut release = Entry::new(date("2026-03-02"), Event::Release);
    release.set_customer(Some("K"));
    l.journal.entries.push(release);
    assert_eq!(state(&l, "2026-03-02"), State::Due(Action::Reminder));
}

fn plan(made: &str, installments: &[(&str, &str)]) -> Vec<Entry> {
    installments
        .iter()
        .map(|(due, amount)| {
            let mut e = record(Event::Plan, made);
            e.until = Some(date(due));
            e.amount = Some(money(amount));
            e
        })
        .collect()
}

#[test]
fn a_kept_plan_pauses_a_broken_one_goes_to_collection_after_a_reminder() {
    let mut journal = vec![record(Event::Reminder, "2026-02-07")];
    journal[0].until = Some(date("2026-02-17"));
    journal.extend(plan("2026-02-10", &[("2026-03-01", "500"), ("2026-04-01", "500")]));
    let mut l = one("", journal);
    assert_eq!(paused(&l, "2026-03-01"), "payment plan kept; next installment 2026-03-01");
    // First installment unpaid: late but within collection.after_days (10) → still paused.
    assert_eq!(paused(&l, "2026-03-11"), "plan installment 2026-03-01 10 days late");
    assert_eq!(state(&l, "2026-03-12"), State::Due(Action::Collection));
    // Paid the first installment (open 500): the plan is kept again.
    l.invoices[0].paid = money("500");
    assert_eq!(paused(&l, "2026-03-12"), "payment plan kept; next installment 2026-04-01");
}

#[test]
fn a_broken_plan_without_a_reminder_goes_to_the_reminder() {
    let l = one("", plan("2026-02-03", &[("2026-02-15", "1000")]));
    assert_eq!(state(&l, "2026-02-26"), State::Due(Action::Reminder));
}

#[test]
fn small_amounts_are_not_chased() {
    let l = ledger(
        "[reminder]\nmin_amount = \"100\"\n",
        vec![customer("K", "SE", CustomerKind::Business)],
        vec![invoice("1", "K", "2026-01-31", "99.99")],
        vec![],
    );
    assert_eq!(state(&l, "2026-03-01"), State::Waiting(None));
}

#[test]
fn manual_segments_get_a_call_that_stays_until_answered() {
    let mut c = customer("K", "SE", CustomerKind::Business);
    c.set_segment(Some("kommun"));
    let mut l = ledger(
        "[segments.kommun]\nmanual = true\n",
        vec![c],
        vec![invoice("1", "K", "2026-01-31", "1000")],
        vec![],
    );
    assert_eq!(run_day(&mut l, date("2026-02-07")), vec![("1".to_owned(), Action::Call)]);
    assert_eq!(state(&l, "2026-02-09"), State::Due(Action::Call));
    assert!(run_day(&mut l, date("2026-02-09")).is_empty(), "the call is journaled once");
    let mut note = record(Event::Note, "2026-02-10");
    note.set_note(Some("called, pays Friday"));
    l.journal.entries.push(note);
    // Answered; the ladder goes on to the next step, again as a call.
    assert_eq!(state(&l, "2026-02-11"), State::Waiting(Some(date("2026-02-28"))));
    assert_eq!(state(&l, "2026-02-28"), State::Due(Action::Call));
}

proptest! {
    /// Over any sequence of run dates, payments and agreements, no invoice ever gets the
    /// same step twice, nothing below the minimum is chased, and a disputed invoice gets
    /// nothing.
    #[test]
    fn no_step_twice_and_pauses_hold(
        amounts in proptest::collection::vec(1i64..500_000, 1..6),
        gaps in proptest::collection::vec(0u64..12, 5..40),
        max in 1u32..4,
        dispute_at in proptest::option::of(0usize..40),
    ) {
        let invoices: Vec<Invoice> = amounts.iter().enumerate()
            .map(|(i, cents)| invoice(&i.to_string(), "K", "2026-01-31", &Decimal::new(*cents, 2).to_string()))
            .collect();
        let mut l = ledger(
            &format!("[reminder]\nmax = {max}\ninterval_days = 7\nmin_amount = \"100\"\n[collection]\nmin_amount = \"200\"\ncompensation = \"0\"\n"),
            vec![customer("K", "SE", CustomerKind::Business)],
            invoices,
            vec![],
        );
        let mut day = date("2026-02-01");
        let mut disputed = false;
        for (i, gap) in gaps.iter().enumerate() {
            day = day + chrono::Days::new(*gap);
            if dispute_at == Some(i) {
                let mut e = record(Event::Dispute, &day.to_string());
                e.set_invoice(Some("0"));
                l.journal.entries.push(e);
                disputed = true;
            }
            for (inv, _) in run_day(&mut l, day) {
                prop_assert!(!(disputed && inv == "0"), "a disputed invoice got an action");
            }
        }
        for inv in &l.invoices {
            let h: Vec<&Entry> = l.journal.for_invoice(inv.number()).collect();
            let reminders = h.iter().filter(|e| e.event == Event::Reminder).count();
            let collections = h.iter().filter(|e| e.event == Event::Collection).count();
            prop_assert!(reminders <= max as usize, "{} reminders with max {max}", reminders);
            prop_assert!(collections <= 1);
            if inv.amount < money("100") {
                prop_assert_eq!(reminders, 0);
            }
            if inv.amount < money("200") {
                prop_assert_eq!(collections, 0);
            }
        }
        // Reminder dates strictly increase per invoice: never two on one day.
        for inv in &l.invoices {
            let dates: Vec<NaiveDate> = l.journal.for_invoice(inv.number()).filter(|e| e.event == Event::Reminder).map(|e| e.date).collect();
            prop_assert!(dates.windows(2).all(|w| w[0] < w[1]));
        }
    }
}

mod delivery;
mod forecasts;
mod rules;
mod runs;
