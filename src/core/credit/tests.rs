use super::*;
use crate::core::journal::Journal;
use crate::core::model::{Invoice, Payment};
use std::str::FromStr;

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

const POLICY: &str = "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
    [credit]\ndefault_limit = \"50000\"\nnew_customer_check_over = \"20000\"\nwatch_late_days_increase = 10\n";

fn customer(id: &str, line: u64) -> Customer {
    Customer { id: id.into(), name: compact_str::format_compact!("Kund {id}"), line, ..Customer::default() }
        .with_country("SE")
        .with_language("sv")
}

fn invoice(number: &str, customer: &str, issued: &str, due: &str, amount: i64) -> Invoice {
    Invoice::unpaid_sek(number, customer, date(issued), date(due), d(amount))
}

fn paid(mut inv: Invoice, on: &str) -> Invoice {
    inv.paid = inv.amount;
    inv.paid_on = Some(date(on));
    inv
}

fn ledger(customers: Vec<Customer>, invoices: Vec<Invoice>, payments: Vec<Payment>) -> Ledger {
    let policy = Policy::from_toml(POLICY).unwrap();
    Ledger::new(policy, customers, invoices, payments, Journal::default())
}

#[test]
fn amount_weighted_average_by_hand() {
    let mut s = LateSum::default();
    s.add(d(1000), 10);
    s.add(d(3000), 2);
    s.add(d(1000), -5); // paid early: 0 days late
    // (1000×10 + 3000×2 + 1000×0) / 5000 = 16000 / 5000 = 3.2
    assert_eq!(s.average(), Some(Decimal::new(32, 1)));
    assert_eq!(s.count, 3);
    assert_eq!(LateSum::default().average(), None);
}

/// Issue 10. Before: the sums were `i64`s that saturated at 9.2 × 10^18 cents: one invoice of
/// the largest amount 100 days late averaged 92.2 days, and 100 such invoices 10 days late
/// averaged 1.0 — wrong figures, silently (worked out by hand, not run).
#[test]
fn averages_at_the_largest_amounts_are_exact() {
    let largest = crate::core::money::MAX_AMOUNT - Decimal::new(1, 2);
    let mut one = LateSum::default();
    one.add(largest, 100);
    assert_eq!(one.average(), Some(Decimal::new(1000, 1)));
    let mut many = LateSum::default();
    for _ in 0..100 {
        many.add(largest, 10);
    }
    assert_eq!(many.average(), Some(Decimal::new(100, 1)));
    // Past a Decimal: 2^20 × 10^17 cents × 3 652 058 days (0001-01-01 to 9999-12-31).
    let mut far = LateSum::default();
    far.add(largest, 3_652_058);
    for _ in 0..20 {
        far.merge(far);
    }
    assert_eq!(far.average(), Some(Decimal::new(36_520_580, 1)));
}

/// As of 2026-11-30 the recent window is 2026-08-31..=2026-11-30 (settled after 08-30) and
/// the prior one 2025-08-31..=2026-08-30.
#[test]
fn the_trend_compares_the_last_3_months_with_the_12_before() {
    let invoices = vec![
        // Prior: 2 000 × 0 days (paid 2 days early) and 1 000 × 6 days → 6000 / 3000 = 2.0
        paid(invoice("1", "A", "2026-01-01", "2026-01-31", 2000), "2026-01-29"),
        paid(invoice("2", "A", "2026-05-01", "2026-05-31", 1000), "2026-06-06"),
        // On the window's edge: settled 2026-08-30 is prior, 2026-08-31 recent.
        paid(invoice("3", "A", "2026-07-01", "2026-07-31", 1000), "2026-08-30"),
        // Recent: 1 000 × 31 days and 1 000 × 15 days → 46000 / 2000 = 23.0
        paid(invoice("4", "A", "2026-07-01", "2026-07-31", 1000), "2026-08-31"),
        paid(invoice("5", "A", "2026-10-01", "2026-10-31", 1000), "2026-11-15"),
        // Settled too long ago to count (before 2025-08-31).
        paid(invoice("6", "A", "2025-06-01", "2025-07-01", 9000), "2025-08-30"),
    ];
    let l = ledger(vec![customer("A", 2)], invoices, vec![]);
    let b = &behaviour(&l, date("2026-11-30"))[0];
    // Prior with invoice 3 (1 000 × 30 days): (0 + 6000 + 30000) / 4000 = 9.0
    assert_eq!(b.prior.average(), Some(d(9)));
    assert_eq!(b.prior.count, 3);
    assert_eq!(b.recent.average(), Some(d(23)));
    assert_eq!(b.recent.count, 2);
    assert_eq!(b.change(), Some(d(14)));
    assert_eq!(b.first_issued, Some(date("2025-06-01")));
    let watch = ledger_watch_list(&l, date("2026-11-30"));
    assert_eq!(watch.len(), 1);
    assert!(matches!(watch[0].reasons[..], [WatchReason::PayingLater { .. }]));
    assert!(
        watch[0].reasons[0]
            .describe()
            .contains("23.0 days late on average in the last 3 months (2 invoices) against 9.0"),
        "{}",
        watch[0].reasons[0].describe()
    );
}

#[test]
fn a_smaller_increase_is_not_flagged() {
    let invoices = vec![
        paid(invoice("1", "A", "2026-01-01", "2026-01-31", 1000), "2026-02-05"), // 5 days
        paid(invoice("2", "A", "2026-02-01", "2026-02-28", 1000), "2026-03-05"), // 5 days
        paid(invoice("3", "A", "2026-09-01", "2026-10-01", 1000), "2026-10-15"), // 14 days
        paid(invoice("4", "A", "2026-09-01", "2026-10-01", 1000), "2026-10-15"), // 14 days
    ];
    let l = ledger(vec![customer("A", 2)], invoices, vec![]);
    let b = &behaviour(&l, date("2026-11-30"))[0];
    assert_eq!(b.change(), Some(d(9)));
    assert!(ledger_watch_list(&l, date("2026-11-30")).is_empty());
}

#[test]
fn one_late_invoice_is_an_incident_not_a_trend() {
    let mut invoices = vec![
        paid(invoice("1", "A", "2026-01-01", "2026-01-31", 1000), "2026-01-31"),
        paid(invoice("2", "A", "2026-02-01", "2026-02-28", 1000), "2026-02-28"),
        paid(invoice("3", "A", "2026-07-01", "2026-08-01", 1000), "2026-10-01"), // 61 days
    ];
    let l = ledger(vec![customer("A", 2)], invoices.clone(), vec![]);
    let b = &behaviour(&l, date("2026-11-30"))[0];
    assert_eq!((b.recent.count, b.change()), (1, Some(Decimal::new(610, 1))));
    assert!(ledger_watch_list(&l, date("2026-11-30")).is_empty());
    invoices.push(paid(invoice("4", "A", "2026-09-01", "2026-10-01", 1000), "2026-10-11")); // 10 days
    let l = ledger(vec![customer("A", 2)], invoices, vec![]);
    let watch = ledger_watch_list(&l, date("2026-11-30"));
    // (61 + 10) / 2 = 35.5 against 0.0
    assert!(watch[0].reasons[0].describe().contains("35.5 days late"), "{watch:?}");
}

/// The report feeds one book per worker thread and merges them: the result must not
/// depend on how the records were split.
#[test]
fn merged_books_equal_one_book() {
    let currencies = ["SEK", "EUR", "NOK", "DKK"];
    let mut invoices = Vec::new();
    for i in 0..40i64 {
        let mut inv =
            invoice(&i.to_string(), ["A", "B", "C"][i as usize % 3], "2026-01-01", "2026-01-31", 100 + i);
        inv.issued = date("2025-06-01") + chrono::Days::new(i as u64 * 11);
        inv.due = inv.issued + chrono::Days::new(30);
        inv.currency = Currency::parse(currencies[(i as usize / 3) % 4]).unwrap();
        inv.paid = inv.amount;
        inv.paid_on = Some(inv.due + chrono::Days::new(i as u64 % 7));
        invoices.push(inv);
    }
    let policy = Policy::from_toml(POLICY).unwrap();
    let customers = vec![customer("A", 2), customer("B", 3), customer("C", 4)];
    let index = CustomerIndex::new(&customers, &policy);
    let none = PaymentDates::default();
    let as_of = date("2026-11-30");
    let mut whole = CreditBook::new(as_of);
    let mut parts = [CreditBook::new(as_of), CreditBook::new(as_of), CreditBook::new(as_of)];
    for (i, inv) in invoices.iter().enumerate() {
        whole.push(&inv.record(), &index, &none);
        parts[(i * 7) % 3].push(&inv.record(), &index, &none);
    }
    let [mut merged, b, c] = parts;
    merged.merge(b);
    merged.merge(c);
    let sorted = |mut v: Vec<Behaviour>| {
        v.iter_mut().for_each(|b| b.invoices.sort());
        v
    };
    let expected = sorted(whole.finish());
    assert_eq!(sorted(merged.finish()), expected);
    assert_eq!(expected[0].invoices.len(), 4, "A has four currencies: {:?}", expected[0]);
    assert_eq!(expected[0].invoices.iter().map(|(_, n)| n).sum::<u32>(), 14);
}

#[test]
fn a_limit_is_in_the_customers_main_currency() {
    let eur = |mut inv: Invoice| {
        inv.currency = Currency::parse("EUR").unwrap();
        inv
    };
    let mut own = customer("A", 2);
    own.credit_limit = Some(d(1_000));
    let invoices = vec![
        eur(invoice("1", "A", "2025-01-01", "2025-01-31", 1_500)),
        eur(invoice("2", "A", "2025-02-01", "2025-02-28", 100)),
        // A SEK invoice does not make A's main currency SEK, and is not added to the EUR.
        invoice("3", "A", "2025-03-01", "2025-03-31", 90_000),
        // B: only EUR, no own limit; the SEK default limit of 50 000 does not apply.
        eur(invoice("4", "B", "2025-01-01", "2025-01-31", 60_000)),
    ];
    let l = ledger(vec![own, customer("B", 3)], invoices, vec![]);
    let watch = ledger_watch_list(&l, date("2026-11-30"));
    let euro = Currency::parse("EUR").unwrap();
    assert_eq!(watch.len(), 1, "{watch:?}");
    assert_eq!(
        watch[0].reasons,
        vec![WatchReason::OverLimit { currency: euro, exposure: d(1_600), limit: d(1_000) }]
    );
}

#[test]
fn settlement_through_payments_csv_counts_from_the_covering_payment() {
    let mut partly = invoice("1", "A", "2026-09-01", "2026-10-01", 1000);
    partly.paid = d(400); // counts from the invoice date, no paid_on
    let mut by_reference = invoice("2", "A", "2026-09-01", "2026-10-01", 500);
    by_reference.set_reference(Some("1234 5"));
    let credited = invoice("3", "A", "2026-09-01", "2026-10-01", 800);
    let mut note = invoice("CN", "A", "2026-10-20", "2026-10-20", -300);
    note.set_credits(Some("3"));
    let payments = vec![
        Payment {
            line: 2,
            date: date("2026-10-05"),
            invoice: Some("1".into()),
            amount: d(300),
            reference: None,
            ..Payment::default()
        },
        Payment {
            line: 3,
            date: date("2026-10-21"),
            invoice: Some("1".into()),
            amount: d(300),
            reference: None,
            ..Payment::default()
        },
        Payment {
            line: 4,
            date: date("2026-10-11"),
            invoice: None,
            amount: d(500),
            reference: Some("12345".into()),
            ..Payment::default()
        },
        // Invoice 3: 500 paid, then the credit note covers the rest: not settled by payment.
        Payment {
            line: 5,
            date: date("2026-10-10"),
            invoice: Some("3".into()),
            amount: d(500),
            reference: None,
            ..Payment::default()
        },
        // Paid after the as-of date: does not count.
        Payment {
            line: 6,
            date: date("2026-12-05"),
            invoice: Some("9".into()),
            amount: d(1),
            reference: None,
            ..Payment::default()
        },
    ];
    let l = ledger(vec![customer("A", 2)], vec![partly, by_reference, credited, note], payments);
    let b = &behaviour(&l, date("2026-11-30"))[0];
    // 1: 400 + 300 + 300 covered on 10-21 → 20 days; 2: 10-11 → 10 days.
    // (1000×20 + 500×10) / 1500 = 25000 / 1500 = 16.67 → 16.7
    assert_eq!(b.recent.count, 2);
    assert_eq!(b.recent.average(), Some(Decimal::new(167, 1)));
}

#[test]
fn over_limit_and_new_customer_use_the_company_currency_exposure() {
    let mut limited = customer("A", 2);
    limited.credit_limit = Some(d(10_000));
    let mut eur = invoice("3", "B", "2026-11-01", "2026-12-01", 99_000);
    eur.currency = Currency::parse("EUR").unwrap();
    let invoices = vec![
        invoice("1", "A", "2025-01-01", "2025-01-31", 12_000),
        invoice("2", "B", "2026-10-01", "2026-10-31", 25_000),
        eur,
        // C: new, but only 15 000 is owed (under the 20 000 threshold).
        invoice("4", "C", "2026-11-01", "2026-12-01", 15_000),
    ];
    let l = ledger(vec![limited, customer("B", 3), customer("C", 4)], invoices, vec![]);
    let watch = ledger_watch_list(&l, date("2026-11-30"));
    let sek = Currency::parse("SEK").unwrap();
    assert_eq!(watch.len(), 2);
    assert_eq!(
        watch[0].reasons,
        vec![WatchReason::OverLimit { currency: sek, exposure: d(12_000), limit: d(10_000) }]
    );
    assert_eq!(
        watch[1].reasons,
        vec![WatchReason::NewCustomer {
            currency: sek,
            first_invoice: date("2026-10-01"),
            exposure: d(25_000),
            threshold: d(20_000)
        }]
    );
    // 90 days after the first invoice B is no longer new (2026-10-01 + 90 = 2026-12-30).
    let later = ledger_watch_list(&l, date("2026-12-30"));
    assert!(later.iter().all(|w| w.customer != "B"), "{later:?}");
    let day_before = ledger_watch_list(&l, date("2026-12-29"));
    assert!(day_before.iter().any(|w| w.customer == "B"));
}

/// An invoice settled by paying the discounted amount in time is settled that day (paid 20 days
/// early: 0 days late); paid the same amount a day too late, it is not settled at all.
#[test]
fn a_discount_taken_in_time_settles_the_invoice_for_the_trend() {
    let mut taken = invoice("1", "A", "2026-10-01", "2026-10-31", 1000);
    taken.set_discount(Some(crate::core::model::Discount { until: date("2026-10-11"), amount: d(20) }));
    let mut lost = invoice("2", "A", "2026-10-01", "2026-10-31", 1000);
    lost.set_discount(taken.discount());
    let payments = vec![
        Payment { date: date("2026-10-11"), invoice: Some("1".into()), amount: d(980), ..Payment::default() },
        Payment { date: date("2026-10-12"), invoice: Some("2".into()), amount: d(980), ..Payment::default() },
    ];
    let l = ledger(vec![customer("A", 2)], vec![taken, lost], payments);
    let b = &behaviour(&l, date("2026-11-30"))[0];
    assert_eq!(b.recent.count, 1);
    assert_eq!(b.recent.average(), Some(Decimal::new(0, 1)));
}

/// What every invoice record updates stays small (see `Facts`): a 100,000-customer register's
/// counts are 2 MB, which stay in the cache while the file streams past (at 128 bytes, with the
/// settled sums beside them, every invoice's lookup missed it).
#[test]
fn the_counts_every_invoice_updates_stay_small() {
    assert!(std::mem::size_of::<Facts>() <= 24, "{} bytes", std::mem::size_of::<Facts>());
}

/// An invoice's update lands in the tallies [`IN_FLIGHT`] invoices later: those still in flight
/// when a book is merged or settled count all the same, whether fewer than that were pushed or
/// a few more.
#[test]
fn updates_still_in_flight_count_when_the_book_is_read() {
    let policy = Policy::from_toml(POLICY).unwrap();
    let customers = vec![customer("A", 2), customer("B", 3)];
    let index = CustomerIndex::new(&customers, &policy);
    let none = PaymentDates::default();
    let as_of = date("2026-11-30");
    for n in 0..=2 * IN_FLIGHT + 1 {
        let (mut a, mut b) = (CreditBook::new(as_of), CreditBook::new(as_of));
        for i in 0..n {
            // Due 2026-10-01, settled 20 days late: in the recent window.
            let inv = paid(invoice(&format!("{i}"), "A", "2026-09-01", "2026-10-01", 100), "2026-10-21");
            a.push(&inv.record(), &index, &none);
            // Settled 2025-09-21: in the prior window.
            let inv = paid(invoice(&format!("B{i}"), "B", "2025-08-01", "2025-09-01", 50), "2025-09-21");
            b.push(&inv.record(), &index, &none);
        }
        let settled_alone = a.clone().settle();
        a.merge(b);
        let both = a.finish();
        let count = u32::try_from(n).unwrap();
        let sek = Currency::parse("SEK").unwrap();
        let (first_a, first_b) = (date("2026-09-01"), date("2025-08-01"));
        let expected = |first, recent, prior| Behaviour {
            first_issued: (n > 0).then_some(first),
            invoices: if n > 0 { vec![(sek, count)] } else { vec![] },
            recent,
            prior,
        };
        let window = |amount: i64| {
            let mut sum = LateSum::default();
            (0..n).for_each(|_| sum.add(d(amount), 20));
            sum
        };
        let got = |i: usize| both.get(i).cloned().unwrap_or_default();
        assert_eq!(got(0), expected(first_a, window(100), LateSum::default()), "{n} pushed");
        assert_eq!(got(1), expected(first_b, LateSum::default(), window(50)), "{n} pushed");
        assert_eq!(settled_alone.behaviour(0).unwrap_or_default(), got(0), "{n} pushed");
    }
}

/// The watch list made in two halves on two threads is the list made in one pass: the same
/// customers, in register order, with their register positions and reasons.
#[test]
fn watch_list_in_halves_is_the_list_in_one() {
    let policy = Policy::from_toml(POLICY).unwrap();
    let as_of = date("2026-11-30");
    for n in [0usize, 1, 2, 7, 40] {
        let customers: Vec<Customer> = (0..n).map(|i| customer(&format!("C{i:03}"), i as u64 + 2)).collect();
        let exposure = |i: u32, _: Currency| d(i64::from(i) * 3_000);
        let behaviour = |i: usize| {
            i.is_multiple_of(3)
                .then(|| Behaviour { first_issued: Some(date("2026-11-01")), ..Behaviour::default() })
        };
        let one = watch_list_in_parts(&customers, &policy, (&exposure, &behaviour), as_of, false);
        let two = watch_list_in_parts(&customers, &policy, (&exposure, &behaviour), as_of, true);
        assert_eq!(one, two, "{n} customers");
        if n == 40 {
            // Over the limit (50,000) from the 17th customer; new and over 20,000 from the 7th.
            assert!(one.iter().any(|w| w.index == 39 && w.customer == "C039"), "{one:?}");
            assert!(
                one.iter().any(|w| w.index == 9
                    && w.reasons.iter().any(|r| matches!(r, WatchReason::NewCustomer { .. })))
            );
            assert!(one.windows(2).all(|w| w[0].index < w[1].index));
        }
    }
}
