use super::*;
use crate::core::model::CustomerBrief;
use proptest::prelude::Strategy as _;

proptest::proptest! {
    /// The open book read with the amounts by position is the open book, and each amount
    /// is what looking its number up finds: numbers given twice (each line's amount at
    /// the first), credit notes that empty their invoice, part of it, or name none,
    /// customers the register lacks, invoices paid or not issued yet.
    #[test]
    fn open_amounts_by_position_are_those_looked_up_by_number(
        invoices in proptest::collection::vec(
            (0u32..6, 0usize..3, -4i64..6, 0i64..3, 0u64..60, proptest::option::of(0u32..7)),
            0..14,
        ),
        on in 0u64..90,
    ) {
        use crate::core::model::{Customer, Invoice};
        let customers = vec![Customer::new("K1", "Åby AB"), Customer::new("K2", "Kjær ApS")];
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let invoices: Vec<Invoice> = invoices
            .iter()
            .enumerate()
            .map(|(i, &(number, customer, amount, paid, issued, credits))| {
                let issued = start + chrono::Days::new(issued);
                let amount = Decimal::new(amount * 100, 0);
                let mut inv = Invoice::unpaid_sek(
                    &format!("{}", 100 + number),
                    ["K1", "K2", "NOBODY"][customer],
                    issued,
                    issued + chrono::Days::new(30),
                    amount,
                );
                if amount > Decimal::ZERO {
                    inv.paid = Decimal::new(paid * 100, 0).min(amount);
                } else if let Some(target) = credits {
                    inv.set_credits(Some(&format!("{}", 100 + target)));
                }
                inv.line = i as u64 + 2;
                inv
            })
            .collect();
        let policy = Policy::from_toml(
            "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n",
        )
        .unwrap();
        let ledger = Ledger::new(policy, customers, invoices, Vec::new(), Journal::default());
        let as_of = start + chrono::Days::new(on);
        let book = ledger.open_book(as_of);
        let mut looked_up = vec![Decimal::ZERO; ledger.invoices.len()];
        for item in book.items.iter().filter(|i| i.open > Decimal::ZERO) {
            looked_up[ledger.invoice_position(book.number(item)).unwrap()] += item.open;
        }
        proptest::prop_assert_eq!(&ledger.open_by_position(as_of), &looked_up);
        let (read, open) = ledger.open_book_and_amounts(as_of, &ledger.owners());
        proptest::prop_assert_eq!(&open, &looked_up);
        let items = |b: &OpenBook| -> Vec<String> {
            b.items.iter().map(|i| format!("{} {:?} {} {} {}", b.number(i), i.owner, i.currency, i.due, i.open)).collect()
        };
        proptest::prop_assert_eq!(items(&read), items(&book));
    }

    /// On any number of threads, the repeated hashes are those given more than once, in
    /// one part or across parts: hashes far apart in their top bits (each thread's range)
    /// and close together.
    #[test]
    fn repeated_hashes_are_those_given_twice(
        parts in proptest::collection::vec(
            proptest::collection::vec((0u64..6, 0u64..4).prop_map(|(high, low)| (high << 61) | low), 0..12),
            1..4,
        ),
        threads in 1usize..5,
    ) {
        let mut seen = std::collections::BTreeMap::<u64, usize>::new();
        for &hash in parts.iter().flatten() {
            *seen.entry(hash).or_default() += 1;
        }
        let twice: rustc_hash::FxHashSet<u64> = seen.into_iter().filter(|(_, n)| *n > 1).map(|(h, _)| h).collect();
        proptest::prop_assert_eq!(repeated_hashes_on(&parts, threads), twice.clone());
        proptest::prop_assert_eq!(repeated_hashes(parts), twice);
    }
}

/// A plain number (digits, no leading zero) is the integer it reads; any other number is a
/// hash with the top bit set, so that no text meets a plain number.
#[test]
fn plain_numbers_are_their_own_hash() {
    assert_eq!(number_hash("100001"), 100_001);
    assert_eq!(number_hash("0"), 0);
    assert_eq!(number_hash("999999999999999999"), 999_999_999_999_999_999);
    for other in ["0123", "12a", "1234567890123456789", "", "F-100", "１２"] {
        assert!(number_hash(other) >= 1 << 63, "{other:?}");
    }
    assert_ne!(number_hash("0123"), number_hash("123"), "two numbers");
}

proptest::proptest! {
    /// The numbers given more than once are found whatever they are: plain numbers close
    /// together (marked in a bitmap), far apart, or mixed with other texts (sorted).
    #[test]
    fn repeated_numbers_are_found_in_a_bitmap_or_sorted(
        parts in proptest::collection::vec(
            proptest::collection::vec((0u8..4, 0u64..40), 0..30),
            1..4,
        ),
    ) {
        let text = |&(kind, n): &(u8, u64)| match kind {
            0 => format!("{}", 100_000 + n),
            1 => format!("{}", 100_000 + n * 1_000_000_000),
            2 => format!("F-{n}"),
            _ => format!("0{n}"),
        };
        let texts: Vec<Vec<String>> = parts.iter().map(|p| p.iter().map(text).collect()).collect();
        let mut seen = std::collections::BTreeMap::<&str, usize>::new();
        for t in texts.iter().flatten() {
            *seen.entry(t.as_str()).or_default() += 1;
        }
        let twice: rustc_hash::FxHashSet<u64> =
            seen.into_iter().filter(|(_, n)| *n > 1).map(|(t, _)| number_hash(t)).collect();
        let hashes: Vec<Vec<u64>> = texts.iter().map(|p| p.iter().map(|t| number_hash(t)).collect()).collect();
        // Plain numbers close together take the bitmap (a word of it for every 64 places, at
        // most 64 words more than there are numbers); any other, the sort.
        let total = hashes.iter().map(Vec::len).sum::<usize>();
        let all: Vec<u64> = hashes.iter().flatten().copied().collect();
        let plain = parts.iter().flatten().all(|(kind, _)| *kind < 2);
        let close = all.iter().max().zip(all.iter().min()).is_none_or(|(hi, lo)| (hi - lo) / 64 < total as u64 + 64);
        proptest::prop_assert_eq!(super::repeats::repeated_plain_numbers(&hashes, total).is_some(), plain && close);
        proptest::prop_assert_eq!(repeated_hashes(hashes), twice);
    }
}

#[test]
fn numbered_ids_are_known_distinct_without_a_map() {
    let distinct = |ids: &[&str]| numbered_and_distinct(ids.len(), |i| ids[i]);
    assert!(distinct(&["C001", "C003", "C002"]));
    assert!(distinct(&["7", "12", "100"]));
    assert!(!distinct(&["C001", "C002", "C001"]), "a number twice");
    // One number written two ways could be one customer or two: not known distinct.
    assert!(!distinct(&["C1", "C01"]));
    assert!(!distinct(&["Alfa", "Berg"]), "not numbers");
    assert!(!distinct(&["C001", "K002"]), "two prefixes");
    assert!(!distinct(&[]));
    assert!(distinct(&["Kö-12", "Kö-7"]), "a prefix of any letters");
    assert!(!distinct(&["Kö-12", "K-7"]));
    assert!(!distinct(&["C1", "C2a"]), "not a number after the prefix");
    assert!(!distinct(&["C1", "C1234567890"]), "ten digits");
    assert!(!distinct(&["C01", "C2"]), "leading zeros and no fixed width");
    assert!(distinct(&["C10", "C2"]), "no leading zeros, any width");
}

fn index_of(ids: &[&str]) -> Vec<Option<u32>> {
    let customers: Vec<CustomerBrief> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| CustomerBrief::new(id, "N", None, None, 30, i as u64 + 2))
        .collect();
    let policy = swedish_policy();
    let index = CustomerIndex::new(&customers, &policy);
    ["1001", "1002", "C003199", "C3199", "C03199", "K-7", "K-07", "7", "01001", "C003200", "", "C", "1001x"]
        .iter()
        .map(|q| index.get(q))
        .collect()
}

#[test]
fn numbered_ids_are_found_exactly() {
    // Plain numbers: no leading zeros, so "01001" is not 1001.
    assert_eq!(
        index_of(&["1001", "1002", "87"]),
        vec![Some(0), Some(1), None, None, None, None, None, None, None, None, None, None, None]
    );
    // Zero-padded with a prefix: the width must match.
    assert_eq!(
        index_of(&["C003199", "C000001"]),
        vec![None, None, Some(0), None, None, None, None, None, None, None, None, None, None]
    );
    // Mixed widths with leading zeros, or mixed prefixes: the hash map, same answers.
    assert_eq!(
        index_of(&["C003199", "C3199x", "1001"]),
        vec![Some(2), None, Some(0), None, None, None, None, None, None, None, None, None, None]
    );
    assert_eq!(index_of(&["K-7", "K-12"])[5], Some(0));
    // Large numbers in a dense range start their array at the lowest.
    assert_eq!(index_of(&["20241001", "20241002"])[0], None);
    let big = index_of(&["1002", "1001"]);
    assert_eq!((big[0], big[1]), (Some(1), Some(0)));
    assert_eq!(index_of(&["K-7", "K-12"])[6], None);
}

/// The policy of a Swedish company with nothing else set.
fn swedish_policy() -> Policy {
    Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap()
}

/// An invoice of 100 (January 2026) of `customer`, on line `line` of invoices.csv.
fn invoice_on_line(number: &str, customer: &str, line: u64) -> Invoice {
    let mut record = super::open_book::tests::record(number, customer, "2026-01-01", "2026-01-31", 100, 0);
    record.line = line;
    record.to_owned()
}

/// An invoice number given twice is found on its first line, a customer id on its last
/// (as the maps keyed by copies of them did).
#[test]
fn a_number_is_its_first_line_and_an_id_its_last() {
    let policy = swedish_policy();
    let customer =
        |id: &str, name: &str| Customer { id: id.into(), name: name.into(), ..Customer::default() };
    let invoice = |number: &str, line: u64| invoice_on_line(number, "K1", line);
    let ledger = Ledger::new(
        policy,
        vec![customer("K1", "First"), customer("K2", "Other"), customer("K1", "Second")],
        vec![invoice("10", 2), invoice("11", 3), invoice("10", 4)],
        Vec::new(),
        Journal::default(),
    );
    assert_eq!(ledger.invoice("10").map(|i| i.line), Some(2));
    assert_eq!(ledger.invoice("11").map(|i| i.line), Some(3));
    assert_eq!(ledger.invoice("1"), None);
    assert_eq!(ledger.customer("K1").map(|c| c.name.as_str()), Some("Second"));
    assert_eq!(ledger.customer("K2").map(|c| c.name.as_str()), Some("Other"));
    assert_eq!(ledger.customer("K3"), None);
}

/// A ledger done deciding (`dun due`) frees its journal and payments: a payment no longer
/// counts on its invoice, and the invoices and the register are read as before.
#[test]
fn a_ledger_done_deciding_keeps_its_invoices_and_register() {
    use crate::core::journal::{Entry, Event};
    let policy = swedish_policy();
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let invoice = super::open_book::tests::record("10", "K1", "2026-01-01", "2026-01-31", 100, 0).to_owned();
    let payment = Payment {
        date: day("2026-02-05"),
        invoice: Some("10".into()),
        amount: Decimal::from(40),
        ..Payment::default()
    };
    let mut sent = Entry::new(day("2026-02-10"), Event::Reminder);
    sent.set_invoice(Some("10"));
    let mut ledger = Ledger::new(
        policy,
        vec![Customer { id: "K1".into(), name: "First".into(), ..Customer::default() }],
        vec![invoice],
        vec![payment],
        Journal { entries: vec![sent] },
    );
    let as_of = day("2026-03-01");
    assert_eq!(ledger.last_payment_date(&ledger.invoices[0], as_of), Some(day("2026-02-05")));
    ledger.drop_journal_and_payments();
    assert!(ledger.journal.entries.is_empty() && ledger.payments.is_empty());
    assert_eq!(ledger.last_payment_date(&ledger.invoices[0], as_of), None);
    assert_eq!(ledger.invoice("10").map(|i| i.customer()), Some("K1"));
    assert_eq!(ledger.customer("K1").map(|c| c.name.as_str()), Some("First"));
}

/// Numbered ids and invoice numbers are looked up by their number: the exact text finds
/// its line, and nothing else that parses to the same number does.
#[test]
fn numbered_keys_are_found_by_their_exact_text() {
    let policy = swedish_policy();
    let customer = |id: &str| Customer {
        id: id.into(),
        name: compact_str::format_compact!("N{id}"),
        ..Customer::default()
    };
    let invoice = |number: &str, line: u64| invoice_on_line(number, "C007", line);
    let ledger = Ledger::new(
        policy,
        vec![customer("C007"), customer("C010"), customer("C008")],
        vec![invoice("1001", 2), invoice("1003", 3), invoice("999", 4)],
        Vec::new(),
        Journal::default(),
    );
    assert!(format!("{ledger:?}").contains("numbered: true"), "both indexes should be numbered");
    assert_eq!(ledger.customer("C010").map(|c| c.name.as_str()), Some("NC010"));
    assert_eq!(ledger.customer_position("C008"), Some(2));
    for missing in ["C7", "C0007", "C009", "C011", "c007", "C007 ", "007", ""] {
        assert_eq!(ledger.customer(missing), None, "{missing:?}");
    }
    assert_eq!(ledger.invoice("1003").map(|i| i.line), Some(3));
    assert_eq!(ledger.invoice("999").map(|i| i.line), Some(4));
    for missing in ["01001", "1002", "0999", "1001.0", "+1001", "1004"] {
        assert_eq!(ledger.invoice(missing), None, "{missing:?}");
    }
}

/// The latest payment date is the last of the dated payments, by number or reference.
#[test]
fn the_last_payment_date_is_the_last_dated_payment() {
    let policy = swedish_policy();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let payment = |line: u64, on: &str, invoice: Option<&str>, reference: Option<&str>| Payment {
        line,
        date: day(on),
        invoice: invoice.map(Into::into),
        amount: Decimal::from(10),
        reference: reference.map(Into::into),
        transaction_id: None,
        source: None,
        matched_by: None,
    };
    let mut by_ref =
        super::open_book::tests::record("2", "K1", "2026-01-01", "2026-01-31", 100, 30).to_owned();
    by_ref.set_reference(Some("12 34-5"));
    by_ref.paid_on = Some(day("2026-01-20"));
    let plain = super::open_book::tests::record("1", "K1", "2026-01-01", "2026-01-31", 100, 0).to_owned();
    let ledger = Ledger::new(
        policy,
        vec![Customer { id: "K1".into(), ..Customer::default() }],
        vec![plain.clone(), by_ref.clone()],
        vec![
            payment(2, "2026-02-10", Some("1"), None),
            payment(3, "2026-02-20", Some("1"), None),
            payment(4, "2026-02-15", None, Some("12345")),
        ],
        Journal::default(),
    );
    for on in ["2026-01-10", "2026-01-25", "2026-02-12", "2026-02-16", "2026-03-01"] {
        for inv in [&plain, &by_ref] {
            let expected = ledger.dated_payments(inv, day(on)).last().map(|p| p.0);
            assert_eq!(ledger.last_payment_date(inv, day(on)), expected, "{} on {on}", inv.number());
        }
    }
    assert_eq!(ledger.last_payment_date(&plain, day("2026-03-01")), Some(day("2026-02-20")));
    assert_eq!(ledger.last_payment_date(&by_ref, day("2026-03-01")), Some(day("2026-02-15")));
    assert_eq!(ledger.last_payment_date(&plain, day("2026-01-10")), None);
}

#[test]
fn short_and_long_ids_are_found() {
    let long = "K".repeat(40);
    let customers = vec![
        CustomerBrief::new("C1", "Alfa", None, None, 30, 2),
        CustomerBrief::new(&long, "Beta", None, None, 30, 3),
        CustomerBrief::new(&"x".repeat(23), "Gamma", None, None, 30, 4),
    ];
    let policy = swedish_policy();
    let index = CustomerIndex::new(&customers, &policy);
    assert_eq!(index.get("C1"), Some(0));
    assert_eq!(index.get(&long), Some(1));
    assert_eq!(index.get(&"x".repeat(23)), Some(2));
    assert_eq!(index.get("C2"), None);
    assert_eq!(index.get(&"K".repeat(39)), None);
    assert_eq!(index.get(""), None);
}

/// What a discount is decided on: the payments by number and by (normalised) reference made
/// up to and including its last day, those of the as-of date's index only.
#[test]
fn paid_by_counts_the_payments_of_the_day_itself_by_number_and_by_reference() {
    use super::open_book::tests::{date, record};
    let payment = |date_text: &str, invoice: Option<&str>, reference: Option<&str>, amount: i64| Payment {
        date: date(date_text),
        invoice: invoice.map(Into::into),
        reference: reference.map(Into::into),
        amount: Decimal::from(amount),
        ..Payment::default()
    };
    let payments = vec![
        payment("2026-02-10", Some("7"), None, 100),
        payment("2026-02-11", None, Some("12 345"), 20),
        payment("2026-02-12", Some("7"), None, 3),
        payment("2026-03-01", Some("7"), None, 4000), // after the as-of date
        payment("2026-02-10", Some("8"), None, 50_000), // another invoice
    ];
    let index = PaymentIndex::new(&payments, date("2026-02-28"));
    let mut invoice = record("7", "K1", "2026-01-01", "2026-01-31", 1000, 0);
    invoice.reference = Some("1 2345");
    assert_eq!(index.paid_by(&invoice, date("2026-02-09")), Decimal::ZERO);
    assert_eq!(index.paid_by(&invoice, date("2026-02-10")), Decimal::from(100));
    assert_eq!(index.paid_by(&invoice, date("2026-02-11")), Decimal::from(120));
    assert_eq!(index.paid_by(&invoice, date("2026-12-31")), Decimal::from(123));
    assert_eq!(index.paid_on(&invoice), Decimal::from(123));
    let dated: Vec<_> = index.dated_on(&invoice).collect();
    assert_eq!(
        dated,
        vec![
            (date("2026-02-10"), Decimal::from(100)),
            (date("2026-02-12"), Decimal::from(3)),
            (date("2026-02-11"), Decimal::from(20))
        ]
    );
    assert_eq!(PaymentDates::new(&payments, date("2026-02-28")).on(&invoice), dated);
}
