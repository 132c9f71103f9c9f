use std::str::FromStr;

use super::*;
use crate::core::journal::Journal;
use crate::core::journal::LineHead;
use crate::core::model::{Customer, Payment};
use crate::core::policy::Policy;

pub(crate) fn d(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn m(n: i64) -> Decimal {
    Decimal::from(n)
}

pub(crate) fn invoice(number: &str, due: &str, amount: i64) -> Invoice {
    let due = d(due);
    Invoice::unpaid_sek(number, "C1", due - Days::new(30), due, m(amount))
}

pub(crate) fn payment(invoice: &str, date: &str, amount: i64) -> Payment {
    Payment { date: d(date), invoice: Some(invoice.into()), amount: m(amount), ..Payment::default() }
}

fn entry(date: &str, event: Event, invoice: &str, until: Option<&str>) -> Entry {
    let mut e = Entry::new(d(date), event);
    e.set_invoice(Some(invoice));
    e.set_customer(Some("C1"));
    e.until = until.map(d);
    e
}

pub(crate) fn policy() -> Policy {
    Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap()
}

pub(crate) fn customer() -> Customer {
    Customer { id: "C1".into(), name: "Alfa AB".into(), ..Customer::default() }.with_country("SE")
}

/// A history whose figures are worked out by hand below (defaults: reminder 7 days after due,
/// pay within 10, one reminder, collection 10 days after its deadline).
fn history() -> Ledger {
    let invoices = vec![
        invoice("I1", "2026-03-01", 1000), // reminded 03-08, paid 03-12: 4 days
        invoice("I2", "2026-03-01", 2000), // reminded 03-08, 500 on 03-20, 1500 on 04-01: 24 days
        invoice("I3", "2026-03-01", 500),  // reminded 03-08, collection 03-29, paid 04-10
        invoice("I4", "2026-06-03", 300),  // reminded 06-10: too recent on 06-30
        invoice("I5", "2026-02-01", 800),  // no reminder; paid 02-15, 7 days after 02-08
        invoice("I6", "2026-02-01", 400),  // no reminder, never paid
        invoice("I7", "2026-02-01", 600),  // paid before due: not open on 02-08
        invoice("I8", "2026-02-01", 900),  // disputed: paused, not comparable
        invoice("I9", "2026-01-01", 700),  // reminded 01-08 (until 01-18), no collection; paid 02-20
    ];
    let payments = vec![
        payment("I1", "2026-03-12", 1000),
        payment("I2", "2026-03-20", 500),
        payment("I2", "2026-04-01", 1500),
        payment("I3", "2026-04-10", 500),
        payment("I5", "2026-02-15", 800),
        payment("I7", "2026-01-30", 600),
        payment("I9", "2026-02-20", 700),
    ];
    let journal = Journal {
        entries: vec![
            entry("2026-01-08", Event::Reminder, "I9", Some("2026-01-18")),
            entry("2026-02-03", Event::Dispute, "I8", None),
            entry("2026-03-08", Event::Reminder, "I1", Some("2026-03-18")),
            entry("2026-03-08", Event::Reminder, "I2", Some("2026-03-18")),
            entry("2026-03-08", Event::Reminder, "I3", Some("2026-03-18")),
            entry("2026-03-29", Event::Collection, "I3", None),
            entry("2026-06-10", Event::Reminder, "I4", Some("2026-06-20")),
        ],
    };
    Ledger::new(policy(), vec![customer()], invoices, payments, journal)
}

fn sek() -> Currency {
    Currency::parse("SEK").unwrap()
}

#[test]
fn each_step_against_the_invoices_that_did_not_get_it() {
    let e = effectiveness(&history(), d("2026-06-30"));
    let names: Vec<String> = e.steps.iter().map(|s| s.step.name()).collect();
    assert_eq!(names, ["reminder-1", "collection"]);

    let r1 = &e.steps[0];
    // I1 4 days, I2 24, I3 33 (paid 04-10 after the reminder of 03-08), I9 43 (01-08 to 02-20).
    assert_eq!(r1.with_step.invoices, 4);
    assert_eq!(r1.with_step.paid_within, [1, 1, 2]);
    assert_eq!(r1.with_step.unpaid, 0);
    assert_eq!(r1.with_step.median_days_to_pay, Some(Decimal::from_str("28.5").unwrap()));
    let money = &r1.with_step.amounts[&sek()];
    assert_eq!(money.open_at_step, m(4200));
    // 7 days: I1's 1000; 14: + I2's 500 of 03-20; 30: + I2's 1500 of 04-01 (I3's 04-10 is day 33).
    assert_eq!(money.paid_within, [m(1000), m(1500), m(3000)]);
    assert_eq!(r1.too_recent, 1);
    // Without: I5 (7 days after 02-08) and I6 (never); I7 was paid, I8 disputed.
    assert_eq!(r1.without_step.invoices, 2);
    assert_eq!(r1.without_step.paid_within, [1, 1, 1]);
    assert_eq!(r1.without_step.unpaid, 1);
    assert_eq!(r1.without_step.median_days_to_pay, None, "half never paid: no median");
    assert_eq!(r1.without_step.amounts[&sek()].open_at_step, m(1200));
    assert_eq!(r1.without_step.amounts[&sek()].paid_within, [m(800), m(800), m(800)]);
    assert!(!r1.conclusive());

    let c = &e.steps[1];
    // I3 handed over 03-29, paid 04-10: 12 days.
    assert_eq!(c.with_step.invoices, 1);
    assert_eq!(c.with_step.paid_within, [0, 1, 1]);
    assert_eq!(c.with_step.median_days_to_pay, Some(m(12)));
    assert_eq!(c.with_step.amounts[&sek()].paid_within, [m(0), m(500), m(500)]);
    // Without: I9 (due for collection 01-29, paid 02-20: 22 days) and I2 (due 03-29, still 1500
    // open, paid 04-01: 3 days). I1 was settled before its day.
    assert_eq!(c.without_step.invoices, 2);
    assert_eq!(c.without_step.paid_within, [1, 1, 2]);
    assert_eq!(c.without_step.median_days_to_pay, Some(Decimal::from_str("12.5").unwrap()));
    assert_eq!(c.without_step.amounts[&sek()].open_at_step, m(2200));
    assert_eq!(c.without_step.amounts[&sek()].paid_within, [m(1500), m(1500), m(2200)]);

    // All nine fell due in the 12 months; I1, I2, I3, I4, I9 were reminded, I3 collected.
    assert_eq!((e.invoices_due_12m, e.reminded_12m, e.collected_12m), (9, 5, 1));
    assert_eq!(e.reminder_share(), Some(Decimal::from_str("55.6").unwrap()));
    assert_eq!(e.collection_share(), Some(Decimal::from_str("11.1").unwrap()));
}

#[test]
fn later_reminders_are_steps_of_their_own() {
    let mut ledger = history();
    let text = "[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n[reminder]\nmax = 2\n";
    ledger.policy = Policy::from_toml(text).unwrap();
    ledger.journal.entries.push(entry("2026-03-18", Event::Reminder, "I2", Some("2026-03-28")));
    let e = effectiveness(&ledger, d("2026-06-30"));
    let names: Vec<String> = e.steps.iter().map(|s| s.step.name()).collect();
    assert_eq!(names, ["reminder-1", "reminder-2", "collection"]);
    let r2 = &e.steps[1];
    // I2's second reminder 03-18; settled 04-01: 14 days, 500 paid on day 2.
    assert_eq!(r2.with_step.invoices, 1);
    assert_eq!(r2.with_step.paid_within, [0, 1, 1]);
    assert_eq!(r2.with_step.amounts[&sek()].open_at_step, m(2000));
    assert_eq!(r2.with_step.amounts[&sek()].paid_within, [m(500), m(2000), m(2000)]);
    // Without: I9 (its day 01-18, paid 02-20: 33 days). Not I1 (settled 03-12, before its day
    // 03-18), I3 (it went to collection instead) or I4 (its day is too recent).
    assert_eq!(r2.without_step.invoices, 1);
    assert_eq!(r2.without_step.paid_within, [0, 0, 0]);
    assert_eq!(r2.without_step.median_days_to_pay, Some(m(33)));
}

#[test]
fn the_median_counts_the_unpaid_as_latest() {
    assert_eq!(censored_median(&[1, 5, 9], 0), Some(m(5)));
    assert_eq!(censored_median(&[1, 5], 1), Some(m(5)));
    assert_eq!(censored_median(&[1, 5], 2), None);
    assert_eq!(censored_median(&[2, 3], 0), Some(Decimal::from_str("2.5").unwrap()));
    assert_eq!(censored_median(&[], 0), None);
}

proptest::proptest! {
    /// The ladder's lines grouped by number are each number's ladder lines of the journal, in
    /// file order, and count the invoices reminded and handed over in a year as the journal
    /// does; lines off the ladder (other events, no invoice) are in no group. Numbers of one
    /// shape (with a prefix or none, zero-padded or not) and of mixed shapes, and numbers
    /// looked up that no line has: past the highest, before the lowest, written otherwise.
    #[test]
    fn ladders_hold_each_numbers_ladder_lines_in_file_order(
        lines in proptest::collection::vec((0u16..500, 0usize..Event::ALL.len(), proptest::option::of(1u8..7), proptest::option::of(0u8..30)), 0..60),
        as_of in 0u16..500,
        kind in 0usize..4,
    ) {
        let name = |n: u8| match kind {
            0 => format!("I{}", 3 * n),
            1 => format!("{}", 1000 + u32::from(n)),
            2 => format!("{n:03}"),
            _ if n.is_multiple_of(2) => format!("I{n}"),
            _ => format!("X-{n}"),
        };
        let start = d("2025-06-01");
        let entries: Vec<Entry> = lines
            .iter()
            .map(|&(days, event, number, until)| {
                let mut e = Entry::new(start + Days::new(u64::from(days)), Event::ALL[event]);
                e.set_invoice(number.map(name));
                e.until = until.map(|u| start + Days::new(u64::from(days) + u64::from(u)));
                e
            })
            .collect();
        let journal = Journal { entries };
        let ladders = Ladders::from_journal(&journal);
        let otherwise = ["I03", "I01", "1001 ", "01", "I", "", "X-01"].map(str::to_owned);
        for number in (0..9).map(name).chain(otherwise) {
            let want: Vec<Rung> = journal
                .for_invoice(&number)
                .filter(|e| reads_line(&LineHead { event: e.event, invoice: e.invoice(), customer: None, note: None }))
                .map(|e| Rung { date: e.date, event: e.event, until: e.until })
                .collect();
            proptest::prop_assert_eq!(ladders.get(&number), &want[..]);
        }
        let as_of = start + Days::new(u64::from(as_of));
        for event in [Event::Reminder, Event::Collection] {
            proptest::prop_assert_eq!(ladders.invoices_with_in_year(event, as_of), journal.invoices_with_in_year(event, as_of));
        }
    }
}

/// A journal's lines need not be in date order (a reminder entered after a later one): the
/// ladder takes its steps by date, the last reminder's deadline its own, and leaves out what
/// comes after the as-of date.
#[test]
fn the_ladder_takes_its_steps_by_date_not_by_line() {
    let rung =
        |date: &str, event: Event, until: Option<&str>| Rung { date: d(date), event, until: until.map(d) };
    let rungs = [
        rung("2026-03-20", Event::Reminder, Some("2026-03-30")),
        rung("2026-03-10", Event::Reminder, Some("2026-04-20")),
        rung("2026-07-01", Event::Reminder, Some("2026-07-11")),
        rung("2026-05-02", Event::Collection, None),
        rung("2026-04-02", Event::Collection, None),
    ];
    let l = ladder(&rungs, d("2026-06-30"));
    let dates: Vec<NaiveDate> = l.reminders.iter().map(|r| r.date).collect();
    assert_eq!(dates, [d("2026-03-10"), d("2026-03-20")]);
    assert_eq!(l.reminders.last().and_then(|r| r.until), Some(d("2026-03-30")));
    assert_eq!(l.collection, Some(d("2026-04-02")));
    assert!(!l.paused);
}

/// A tally's groups finished, with and without the step, and its recent steps, in order.
type Finished = (Vec<(Step, Group)>, Vec<(Step, Group)>, Vec<(Step, u32)>);

fn finished(t: Tally) -> Finished {
    let groups = |sums: BTreeMap<Step, GroupSum>| -> Vec<(Step, Group)> {
        sums.into_iter().map(|(step, sum)| (step, sum.finish())).collect()
    };
    let mut recent: Vec<(Step, u32)> = t.too_recent.into_iter().collect();
    recent.sort();
    (groups(t.treated), groups(t.control), recent)
}

/// The invoices are observed in parts on several cores: the parts' tallies added are the
/// tally of all of them, wherever the ledger is cut (the days to pay gathered for the median,
/// counts and amounts summed).
#[test]
fn tallies_of_parts_add_up_to_the_whole() {
    let ledger = history();
    let as_of = d("2026-06-30");
    let ladders = Ladders::from_journal(&ledger.journal);
    let rules = SegmentRules::new(ledger.debtors(), &ledger.policy);
    let rules_of = |id: &str| rules.of(ledger.customer_position(id).and_then(|at| ledger.debtor(at)));
    let whole = finished(Tally::of(&ledger, &ladders, &ledger.invoices, as_of, rules_of));
    assert!(!whole.0.is_empty() && !whole.1.is_empty() && !whole.2.is_empty(), "{whole:?}");
    for cut in 0..=ledger.invoices.len() {
        let (first, rest) = ledger.invoices.split_at(cut);
        let parts = Tally::of(&ledger, &ladders, first, as_of, rules_of)
            .and(Tally::of(&ledger, &ladders, rest, as_of, rules_of));
        assert_eq!(finished(parts), whole, "cut at {cut}");
    }
}

/// The scan for `dun stats` takes away what it counted of the lines it must see again: a tally
/// without some of its invoices is the tally of the others, wherever they are: counts,
/// amounts and days to pay, and no step, currency or recent step left behind with nothing at
/// it (an empty `reminder-2` would show as a step of the ladder).
#[test]
fn a_tally_without_some_invoices_is_the_tally_of_the_others() {
    let mut ledger = history();
    // A tenth in euro, reminded twice (beyond the policy's one reminder), paid 04-01.
    let mut euro = invoice("I10", "2026-03-01", 100);
    euro.currency = Currency::parse("EUR").unwrap();
    ledger.invoices.push(euro);
    ledger.journal.entries.push(entry("2026-03-08", Event::Reminder, "I10", Some("2026-03-18")));
    ledger.journal.entries.push(entry("2026-03-18", Event::Reminder, "I10", Some("2026-03-28")));
    let ledger = Ledger::new(
        ledger.policy.clone(),
        ledger.customers.clone(),
        ledger.invoices.clone(),
        [ledger.payments.clone(), vec![payment("I10", "2026-04-01", 100)]].concat(),
        ledger.journal.clone(),
    );
    let as_of = d("2026-06-30");
    let ladders = Ladders::from_journal(&ledger.journal);
    let rules = SegmentRules::new(ledger.debtors(), &ledger.policy);
    let tally = |invoices: &[Invoice]| {
        Tally::of(&ledger, &ladders, invoices, as_of, |id| {
            rules.of(ledger.customer_position(id).and_then(|at| ledger.debtor(at)))
        })
    };
    let all = &ledger.invoices;
    let whole = finished(tally(all));
    assert!(whole.0.iter().any(|(step, g)| *step == Step::Reminder(2) && g.amounts.len() == 1), "{whole:?}");
    for gone in 0u32..1 << all.len() {
        let (mut left, mut taken) = (Vec::new(), Vec::new());
        for (i, invoice) in all.iter().enumerate() {
            if gone & (1 << i) == 0 { &mut left } else { &mut taken }.push(invoice.clone());
        }
        let without = tally(all).take_away(tally(&taken));
        assert_eq!(finished(without), finished(tally(&left)), "without {gone:#b}");
    }
}
