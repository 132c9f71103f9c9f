//! Delivery (issue 13): where `[delivery]` configures a channel, a reminder counts from the day
//! it reached the customer, not from the day it was composed.

use super::*;

const LETTERS_DELIVERED: &str = "[reminder]\nchannels = [\"letter\"]\n[delivery.letter]\n";

pub(super) fn reminder_ref(on: NaiveDate, invoice: &str) -> String {
    format!("{on}/reminder-1_{invoice}")
}

/// `dun remind` on `on` with letters queued for delivery: the reminder lines and a `queued`
/// line per letter.
fn remind_queued(l: &mut Ledger, on: NaiveDate) -> Vec<(String, Action)> {
    let outcome = decide(l, on);
    let mut done = Vec::new();
    let mut entries = Vec::new();
    for d in outcome.decisions {
        let reference = reminder_ref(on, d.invoice);
        if let Some(e) = action_entry(&d, on, Some("letter".into()), Some(reference.clone())) {
            let action = d.state.action().unwrap();
            done.push((d.invoice.to_owned(), action));
            entries.push(e);
            if action == Action::Reminder {
                entries.push(delivery_line(Event::Queued, on, &reference));
            }
        }
    }
    l.journal.entries.extend(entries);
    done
}

pub(super) fn delivery_line(event: Event, on: NaiveDate, reference: &str) -> Entry {
    let mut e = Entry::new(on, event);
    e.set_customer(Some("K"));
    e.set_channel(Some("letter"));
    e.set_reference(Some(reference));
    e.set_note(Some(format!("out/{reference}.letter.html")));
    e
}

#[test]
fn a_queued_reminder_not_yet_delivered_holds_the_ladder() {
    let mut l = one(LETTERS_DELIVERED, vec![]);
    assert_eq!(remind_queued(&mut l, date("2026-02-07")), vec![("1".to_owned(), Action::Reminder)]);
    // Without delivery collection would be due on 02-28; nobody posted the letter.
    assert_eq!(state(&l, "2026-02-28"), State::Waiting(None));
    let d = decide(&l, date("2026-02-28")).decisions.remove(0);
    assert!(
        d.why.iter().any(|w| w.contains("not delivered yet") && w.contains("not posted yet")),
        "{:?}",
        d.why
    );
    assert!(remind_queued(&mut l, date("2026-03-30")).is_empty(), "nothing follows an undelivered reminder");
}

#[test]
fn a_late_delivery_moves_the_deadline_and_collection() {
    let mut l = one(LETTERS_DELIVERED, vec![]);
    remind_queued(&mut l, date("2026-02-07"));
    // Posted three days after it was composed: deadline 02-17 + 3 = 02-20, collection 03-03.
    l.journal.entries.push(delivery_line(
        Event::Sent,
        date("2026-02-10"),
        &reminder_ref(date("2026-02-07"), "1"),
    ));
    assert_eq!(state(&l, "2026-02-28"), State::Waiting(Some(date("2026-03-03"))));
    assert_eq!(state(&l, "2026-03-02"), State::Waiting(Some(date("2026-03-03"))));
    assert_eq!(state(&l, "2026-03-03"), State::Due(Action::Collection));
    let d = decide(&l, date("2026-03-01")).decisions.remove(0);
    assert!(
        d.why.iter().any(|w| w.contains("delivered on 2026-02-10") && w.contains("2026-02-20")),
        "{:?}",
        d.why
    );
}

#[test]
fn a_reminder_refused_everywhere_does_not_count() {
    let mut l = one(LETTERS_DELIVERED, vec![]);
    remind_queued(&mut l, date("2026-02-07"));
    let mut failed = delivery_line(Event::Failed, date("2026-02-08"), &reminder_ref(date("2026-02-07"), "1"));
    failed.set_note(Some("the print service refused it"));
    l.journal.entries.push(failed);
    // It is as if none was sent: the first reminder is due again, with its fee.
    let d = decide(&l, date("2026-02-08")).decisions.remove(0);
    assert_eq!(d.state, State::Due(Action::Reminder));
    assert!(d.why.iter().any(|w| w.contains("does not count") && w.contains("refused")), "{:?}", d.why);
}

#[test]
fn a_channel_without_delivery_counts_when_composed() {
    // Delivery configured for letters only; the reminder went by e-mail with a reference.
    let mut l = one("[delivery.letter]\n", vec![]);
    let first = l.clone();
    let outcome = decide(&first, date("2026-02-07"));
    let e = action_entry(&outcome.decisions[0], date("2026-02-07"), Some("email".into()), Some("x/r".into()));
    l.journal.entries.push(e.unwrap());
    assert_eq!(state(&l, "2026-02-28"), State::Due(Action::Collection));
    // An e-mail+letter reminder counts from its e-mail even while the letter waits.
    let mut l = one("[delivery.letter]\n", vec![]);
    let e = action_entry(
        &outcome.decisions[0],
        date("2026-02-07"),
        Some("email+letter".into()),
        Some("x/r".into()),
    );
    l.journal.entries.push(e.unwrap());
    l.journal.entries.push(delivery_line(Event::Queued, date("2026-02-07"), "x/r"));
    assert_eq!(state(&l, "2026-02-28"), State::Due(Action::Collection));
}

proptest! {
    /// Over any run dates and any delivery delays (or refusals), nothing follows a reminder
    /// before it reached the customer, and the interval and collection count from delivery.
    #[test]
    fn the_ladder_counts_from_delivery(
        gaps in proptest::collection::vec(0u64..9, 5..40),
        delays in proptest::collection::vec(proptest::option::of(0u64..12), 40),
        max in 1u32..4,
    ) {
        let mut l = one(&format!("[reminder]\nmax = {max}\ninterval_days = 7\nchannels = [\"letter\"]\n[delivery.letter]\n"), vec![]);
        let mut day = date("2026-02-01");
        // (reference, day it is delivered, or None: refused the day after)
        let mut waiting: Vec<(String, NaiveDate, Option<NaiveDate>)> = Vec::new();
        // Reminders that reached the customer: (composed, delivered).
        let mut delivered: Vec<(NaiveDate, NaiveDate)> = Vec::new();
        let mut next_delay = delays.iter();
        for gap in &gaps {
            day = day + chrono::Days::new(*gap);
            waiting.retain(|(reference, composed, when)| {
                let settles = when.unwrap_or(*composed + chrono::Days::new(1));
                if settles > day {
                    return true;
                }
                let event = if when.is_some() { Event::Sent } else { Event::Failed };
                l.journal.entries.push(delivery_line(event, settles, reference));
                if let Some(on) = when {
                    delivered.push((*composed, *on));
                }
                false
            });
            let pending_before = !waiting.is_empty();
            for (_, action) in remind_queued(&mut l, day) {
                prop_assert!(!pending_before, "{action:?} on {day} while a reminder waits for delivery");
                let last = delivered.last().copied();
                match action {
                    Action::Reminder => {
                        if let Some((_, on)) = last {
                            prop_assert!(day >= on + chrono::Days::new(7), "reminder on {day}, 7 days after {on}?");
                        }
                        let delay = next_delay.next().copied().flatten();
                        waiting.push((reminder_ref(day, "1"), day, delay.map(|d| day + chrono::Days::new(d))));
                    }
                    Action::Collection => {
                        let (composed, on) = last.expect("collection without a delivered reminder");
                        // Deadline: composed + 10, moved by the delay; collection after + 10.
                        let deadline = composed + chrono::Days::new(10) + (on - composed).to_std().map(|s| chrono::Days::new(s.as_secs() / 86_400)).unwrap();
                        prop_assert!(day > deadline + chrono::Days::new(10), "collection on {day}, deadline {deadline}");
                    }
                    Action::Call => {}
                }
            }
        }
    }
}
