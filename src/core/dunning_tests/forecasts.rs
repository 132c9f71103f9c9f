//! Forecasts (`dun due --until`): what falls due day by day if nothing is paid.

use super::*;

#[test]
fn a_forecast_lists_a_standing_call_once() {
    let mut c = customer("K", "SE", CustomerKind::Business);
    c.set_segment(Some("kommun"));
    let mut l = ledger(
        "[segments.kommun]\nmanual = true\n",
        vec![c],
        vec![invoice("1", "K", "2026-01-31", "1000"), invoice("2", "K", "2026-02-20", "500")],
        vec![],
    );
    let listed = |l: &Ledger, from: &str| -> Vec<(NaiveDate, String)> {
        crate::core::dunning::forecast(l, date(from), date("2026-03-31"))
            .into_iter()
            .map(|(day, d)| (day, d.invoice.to_owned()))
            .collect()
    };
    // Nobody answers in a forecast, so each call stands from its day to the end: listed once.
    assert_eq!(
        listed(&l, "2026-02-01"),
        vec![(date("2026-02-07"), "1".to_owned()), (date("2026-02-27"), "2".to_owned())]
    );
    // A call journaled before the forecast starts is listed once too, on its first day.
    assert_eq!(run_day(&mut l, date("2026-02-07")), vec![("1".to_owned(), Action::Call)]);
    assert_eq!(
        listed(&l, "2026-02-10"),
        vec![(date("2026-02-10"), "1".to_owned()), (date("2026-02-27"), "2".to_owned())]
    );
}

/// A forecast decides an invoice again only on a day it can change (issue #14); each of
/// these changes on a day of the forecast for a different reason, and each gets its step on
/// the day worked out here by hand from the default policy (a reminder 7 days after the due
/// date, paid within 10 days; collection 10 days after its deadline, from 200 open; plans
/// broken 10 days late): a promise ending (1), a resolve and a release dated in the forecast
/// (2, 3), a payment plan broken after a reminder (4), an invoice issued (5), a reminder
/// delivered (6), a refund reopening an invoice below collection's minimum (7).
#[test]
fn a_forecast_wakes_each_invoice_on_the_day_it_can_change() {
    let entry = |on: &str, event: Event, number: Option<&str>, customer: &str| {
        let mut e = Entry::new(date(on), event);
        e.set_invoice(number);
        e.set_customer(Some(customer));
        e
    };
    let reminder = |on: &str, number: &str, until: &str| {
        let mut e = entry(on, Event::Reminder, Some(number), "K");
        e.amount = Some(Decimal::ZERO);
        e.until = Some(date(until));
        e
    };
    let mut promise = entry("2026-02-05", Event::Promise, Some("1"), "K");
    promise.until = Some(date("2026-02-20"));
    let mut plan = entry("2026-02-08", Event::Plan, Some("4"), "K");
    (plan.until, plan.amount) = (Some(date("2026-02-16")), Some(money("1000")));
    let mut emailed = reminder("2026-02-03", "6", "2026-02-05");
    emailed.set_channel(Some("email"));
    emailed.set_reference(Some("R6"));
    let delivery = |on: &str, event: Event| {
        let mut e = entry(on, event, Some("6"), "K");
        e.set_channel(Some("email"));
        e.set_reference(Some("R6"));
        e.set_note(Some("out/R6.eml"));
        e
    };
    let journal = vec![
        promise,
        entry("2026-02-01", Event::Dispute, Some("2"), "K"),
        entry("2026-02-18", Event::Resolve, Some("2"), "K"),
        entry("2026-02-01", Event::Hold, None, "H"),
        entry("2026-02-19", Event::Release, None, "H"),
        reminder("2026-02-02", "4", "2026-02-12"),
        plan,
        emailed,
        delivery("2026-02-03", Event::Queued),
        delivery("2026-02-24", Event::Sent),
        reminder("2026-02-09", "7", "2026-02-19"),
    ];
    let payment = |on: &str, amount: &str| crate::core::model::Payment {
        line: 2,
        date: date(on),
        invoice: Some("7".into()),
        amount: money(amount),
        reference: None,
        transaction_id: None,
        source: None,
        matched_by: None,
    };
    let mut invoices: Vec<Invoice> = ["1", "2", "3", "4"]
        .iter()
        .map(|n| invoice(n, if *n == "3" { "H" } else { "K" }, "2026-01-31", "1000"))
        .collect();
    invoices.push(Invoice::unpaid_sek("5", "K", date("2026-02-20"), date("2026-02-25"), money("1000")));
    invoices.push(invoice("6", "K", "2026-01-31", "1000"));
    invoices.push(invoice("7", "K", "2026-01-31", "1000"));
    let customers =
        vec![customer("K", "SE", CustomerKind::Business), customer("H", "SE", CustomerKind::Business)];
    let payments = vec![payment("2026-02-10", "900"), payment("2026-03-05", "-900")];
    let l = Ledger::new(policy(""), customers, invoices, payments, Journal { entries: journal });
    let (from, until) = (date("2026-02-15"), date("2026-03-15"));
    let listed =
        |list: Vec<(NaiveDate, crate::core::dunning::Decision<'_>)>| -> Vec<(String, String, Option<Action>)> {
            list.into_iter()
                .map(|(day, d)| (day.to_string(), d.invoice.to_owned(), d.state.action()))
                .collect()
        };
    let step = |day: &str, number: &str, action: Action| (day.to_owned(), number.to_owned(), Some(action));
    let (reminder, collection) = (Action::Reminder, Action::Collection);
    let want = vec![
        step("2026-02-18", "2", reminder),
        step("2026-02-19", "3", reminder),
        step("2026-02-21", "1", reminder),
        step("2026-02-27", "4", collection),
        step("2026-03-04", "5", reminder),
        step("2026-03-05", "7", collection),
        step("2026-03-09", "6", collection),
        step("2026-03-11", "2", collection),
        step("2026-03-12", "3", collection),
        step("2026-03-14", "1", collection),
    ];
    assert_eq!(listed(crate::core::dunning::forecast(&l, from, until)), want);
    // The same as deciding every open invoice every day.
    assert_eq!(listed(crate::core::dunning::forecast_by_appending(&l, from, until)), want);
}
