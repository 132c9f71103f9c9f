use std::str::FromStr;

use super::*;
use crate::core::insight::effectiveness::tests::{customer, d, invoice, payment, policy};
use crate::core::journal::Journal;
use crate::core::model::Customer;

fn m(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn of(number: &str, customer: &str, due: &str, amount: i64) -> Invoice {
    let mut i = invoice(number, due, amount);
    i.set_customer(customer);
    i
}

/// Worked out by hand in the tests below. Customer A pays 2, 3, 5 and 12 days late (four
/// invoices: its own history); B has one invoice, 20 days late (too few: the ledger's history,
/// 2, 3, 5, 12, 20); C none.
fn ledger() -> Ledger {
    let mut oc1 = of("OC1", "C", "2026-07-10", 50);
    oc1.currency = Currency::parse("EUR").unwrap();
    let invoices = vec![
        of("HA1", "A", "2026-05-01", 100),
        of("HA2", "A", "2026-05-10", 100),
        of("HA3", "A", "2026-06-01", 100),
        of("HB1", "B", "2026-04-01", 100),
        of("OA1", "A", "2026-06-30", 600),
        of("OA2", "A", "2026-06-25", 500),
        of("OA3", "A", "2026-06-10", 1000),
        of("OA4", "A", "2026-06-15", 250),
        of("OB1", "B", "2026-06-28", 900),
        oc1,
    ];
    let payments = vec![
        payment("HA1", "2026-05-03", 100),
        payment("HA2", "2026-05-15", 100),
        payment("HA3", "2026-06-13", 100),
        payment("HB1", "2026-04-21", 100),
        payment("OA4", "2026-06-18", 250),
        payment("OA2", "2026-06-26", 200),
    ];
    let customers: Vec<Customer> =
        ["A", "B", "C"].iter().map(|id| Customer { id: (*id).into(), ..customer() }).collect();
    Ledger::new(policy(), customers, invoices, payments, Journal::default())
}

fn week(f: &Forecast, start: &str, currency: &str) -> Decimal {
    let c = Currency::parse(currency).unwrap();
    f.weeks.iter().find(|w| w.start == d(start) && w.currency == c).unwrap().expected
}

#[test]
fn open_invoices_are_spread_over_the_delays_still_possible() {
    let f = forecast(&ledger(), d("2026-06-30"), 2).unwrap();
    assert_eq!(f.week_starts(), [d("2026-07-01"), d("2026-07-08")]);
    // OA1 (due today, 600): A's 2, 3, 5, 12 → days 2, 3, 5 in week 1, day 12 in week 2.
    // OA2 (5 days late, 300 open): only A's 12 is longer → day 7, week 1.
    // OA3 (20 days late): nothing in A's or the ledger's history is longer → not expected.
    // OB1 (2 days late, 900, B's history too short): the ledger's 3, 5, 12, 20 → days 1, 3,
    //     10, 18: 450 in week 1, 225 in week 2, 225 later.
    // OC1 (EUR 50, due in 10 days): the ledger's 2, 3, 5, 12, 20 → days 12, 13, 15, 22, 30.
    assert_eq!(week(&f, "2026-07-01", "SEK"), m("1200"));
    assert_eq!(week(&f, "2026-07-08", "SEK"), m("375"));
    assert_eq!(week(&f, "2026-07-01", "EUR"), m("0"));
    assert_eq!(week(&f, "2026-07-08", "EUR"), m("20"));
    let sek = &f.outlook[&Currency::parse("SEK").unwrap()];
    assert_eq!((sek.open, sek.later, sek.not_expected), (m("2800"), m("225"), m("1000")));
    assert_eq!((sek.own_history, sek.ledger_history, sek.no_history), (2, 1, 1));
    let eur = &f.outlook[&Currency::parse("EUR").unwrap()];
    assert_eq!((eur.open, eur.later, eur.not_expected, eur.ledger_history), (m("50"), m("30"), m("0"), 1));
    assert_eq!(f.history_invoices, 5);
}

/// A number given twice whose first line is not issued yet on the day: the forecast reads the
/// line that is (the first line read of the number), with the number's open amount.
#[test]
fn a_number_whose_first_line_is_not_issued_yet_is_read_on_its_next_line() {
    let mut l = ledger();
    let mut later = of("OX", "A", "2026-08-04", 100);
    later.issued = d("2026-07-05");
    let mut now = of("OX", "A", "2026-06-30", 600);
    now.issued = d("2026-06-01");
    let mut invoices = l.invoices.clone();
    invoices.extend([later, now]);
    l = Ledger::new(policy(), l.customers.clone(), invoices, l.payments.clone(), Journal::default());
    let f = forecast(&l, d("2026-06-30"), 2).unwrap();
    // As OA1 (due today, 600, A's 2, 3, 5, 12): 450 more in week 1, 150 more in week 2.
    assert_eq!(week(&f, "2026-07-01", "SEK"), m("1650"));
    assert_eq!(week(&f, "2026-07-08", "SEK"), m("525"));
    assert_eq!(f.outlook[&Currency::parse("SEK").unwrap()].open, m("3400"));
}

#[test]
fn the_backtest_forecasts_from_what_was_known_then() {
    let b = backtest(&ledger(), d("2026-06-30"), 2).unwrap();
    assert_eq!(b.as_of, d("2026-06-16"));
    // On 06-16 A's history is 2, 5, 12 (OA4 not yet paid), the ledger's 2, 5, 12, 20.
    // OA3 (6 days late): 12 → day 6: 1000 in week 1. OA4 (1 day late, 250): days 1, 4, 11:
    // 166.67 in week 1, 83.33 in week 2. OA2 (500, due in 9 days): days 11, 14, 21: 333.33 in
    // week 2. OB1 (ledger): days 14, 17, 24, 32: 225 in week 2. OA1 and OC1: later.
    let sek = Currency::parse("SEK").unwrap();
    let rows: Vec<(NaiveDate, Decimal, Decimal)> =
        b.weeks.iter().filter(|w| w.currency == sek).map(|w| (w.start, w.forecast, w.actual)).collect();
    // Paid: OA4's 250 on 06-18 (week 1), OA2's 200 on 06-26 (week 2).
    assert_eq!(rows, [(d("2026-06-17"), m("1166.67"), m("250")), (d("2026-06-24"), m("641.67"), m("200"))]);
    let e = &b.error[&sek];
    // |1166.67 − 250| + |641.67 − 200| = 1358.34; ÷ 450 = 301.85… %.
    assert_eq!(e.absolute_error, m("1358.34"));
    assert_eq!(e.wape_pct, Some(m("301.9")));
    assert_eq!(e.bias_pct, Some(m("301.9")));
    assert_eq!(b.error[&Currency::parse("EUR").unwrap()].wape_pct, None);
}

proptest::proptest! {
    /// Counted between positions of the sorted list, the same weeks and counts as placing each
    /// delay on its day: delays before, on and after week boundaries, repeated, past the last
    /// week, none.
    #[test]
    fn delays_counted_per_week_are_each_delay_placed_on_its_day(
        mut delays in proptest::collection::vec(-40i64..120, 0..60),
        overdue in -30i64..60,
        weeks in 0u32..14,
    ) {
        delays.sort_unstable();
        let delays: Vec<i64> = delays.into_iter().filter(|&d| d > overdue).collect();
        let mut counted = Vec::new();
        let later = delays_per_week(&delays, overdue, weeks, |week, n| {
            counted.push((week, n));
            Ok::<(), ()>(())
        })
        .unwrap();
        let mut placed: BTreeMap<u32, usize> = BTreeMap::new();
        let mut placed_later = 0;
        for &delay in &delays {
            let day = delay - overdue;
            if day > i64::from(weeks) * 7 {
                placed_later += 1;
            } else {
                *placed.entry(((day - 1) / 7) as u32).or_default() += 1;
            }
        }
        proptest::prop_assert_eq!(counted, placed.into_iter().collect::<Vec<_>>());
        proptest::prop_assert_eq!(later, placed_later);
    }
}
