use super::*;
use crate::core::ledger::{CustomerIndex, PaymentIndex};
use proptest::prelude::*;
use std::str::FromStr;

const LABELS: [&str; 5] = ["not due", "1-30", "31-60", "61-90", "91+"];

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

/// Unpaid invoices `(customer, currency, amount)` all due on `due`, each settled on the
/// as-of date as far as the flow figures know (`paid_on`).
fn book_of(invoices: &[(&str, &str, Decimal)], due: &str, as_of: &str) -> (OpenBook, FlowFigures) {
    let (due, as_of) = (date(due), date(as_of));
    let numbers: Vec<String> = (0..invoices.len()).map(|i| i.to_string()).collect();
    let mut book = OpenBook::new(as_of);
    let mut flow = FlowFigures::default();
    for (i, &(customer, currency, amount)) in invoices.iter().enumerate() {
        let record = InvoiceRecord {
            line: i as u64 + 2,
            number: &numbers[i],
            customer,
            issued: due,
            due,
            amount,
            paid: Decimal::ZERO,
            balance: None,
            currency: Currency::parse(currency).unwrap(),
            reference: None,
            paid_on: Some(as_of),
            credits: None,
            description: None,
            discount: None,
        };
        flow.push(&record, as_of);
        book.push(&record, &CustomerIndex::default(), &PaymentIndex::default());
    }
    book.apply_credits();
    (book, flow)
}

fn run(
    book: &mut OpenBook,
    flow: FlowFigures,
    interest: Option<&InterestBasis<'_>>,
) -> Result<AgingReport, Overflow> {
    let input = AgingInput {
        customers: Vec::new(),
        bounds: &[30, 60, 90],
        flow,
        journal: JournalFacts::default(),
        interest,
    };
    aging(book, input, LABELS.iter().map(|l| l.to_string()).collect())
}

fn error_of(result: Result<AgingReport, Overflow>) -> String {
    result.expect_err("past the range").to_string()
}

/// Before: panicked in `MoneySum::total` ("Number exceeds maximum value").
#[test]
fn one_row_past_the_range_names_the_customer_and_bucket() {
    let big = Decimal::from_str("400000000000000000000000000.00").unwrap();
    let (mut book, _) = book_of(&[("K1", "SEK", big), ("K1", "SEK", big)], "2026-01-01", "2026-01-01");
    let e = error_of(run(&mut book, FlowFigures::default(), None));
    assert!(e.starts_with("the open amount of customer \"K1\" in SEK (not due) is too large"), "{e}");
}

/// Before: panicked in `currency_totals` ("Addition overflowed").
#[test]
fn totals_past_the_range_name_the_currency() {
    let big = Decimal::from_str("500000000000000000000000000").unwrap();
    let ids: Vec<String> = (0..200).map(|i| format!("C{i:03}")).collect();
    let invoices: Vec<(&str, &str, Decimal)> = ids.iter().map(|i| (i.as_str(), "EUR", big)).collect();
    let (mut book, _) = book_of(&invoices, "2026-01-01", "2026-03-01");
    let e = error_of(run(&mut book, FlowFigures::default(), None));
    assert!(e.starts_with("the TOTAL of EUR (31-60) is too large"), "{e}");
}

/// Before: panicked in `FlowFigures::push` ("Multiplication overflowed").
#[test]
fn days_late_past_the_range_are_an_error() {
    let big = Decimal::from_str("500000000000000000000000000").unwrap();
    let (mut book, flow) = book_of(&[("K1", "SEK", big)], "2026-01-01", "2026-07-01");
    let e = error_of(run(&mut book, flow, None));
    assert!(e.starts_with("the amount-weighted days late of settled invoices in SEK is too large"), "{e}");
}

/// In-bound amounts reach the range through the product with days late: the largest amount
/// paid 9 999 years late, 2^25 times over (as the report's chunks merge). Not run against
/// the old code (there `merge`'s `+=` is the same `Decimal` add that panics above).
#[test]
fn in_bound_amounts_paid_ten_thousand_years_late() {
    let largest = crate::core::money::MAX_AMOUNT - Decimal::new(1, 2);
    let (mut book, mut flow) = book_of(&[("K1", "SEK", largest)], "0001-01-01", "9999-12-31");
    for _ in 0..25 {
        let copy = flow.clone();
        flow.merge(copy);
    }
    let e = error_of(run(&mut book, flow, None));
    assert!(e.contains("days late of settled invoices in SEK"), "{e}");
}

/// `open.total() × factor`, 400 years at 100 %: 2 × 10^29. Not run against the old code,
/// whose `*` there is the `Decimal` multiplication that panics in `FlowFigures::push`.
#[test]
fn accrued_interest_past_the_range_is_an_error() {
    let policy = Policy::from_toml(
        "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
         [interest]\nmode = \"fixed\"\nrate = \"100\"\n",
    )
    .unwrap();
    let as_of = date("2426-01-01");
    let basis = InterestBasis::new(&policy, &[], as_of).unwrap();
    let big = Decimal::from_str("500000000000000000000000000").unwrap();
    let (mut book, _) = book_of(&[("K1", "SEK", big)], "2026-01-01", "2426-01-01");
    let e = error_of(run(&mut book, FlowFigures::default(), Some(&basis)));
    assert!(e.starts_with("the accrued interest in SEK is too large"), "{e}");
    // In range, the same figures are computed.
    let (mut book, _) = book_of(&[("K1", "SEK", Decimal::from(1000))], "2026-01-01", "2426-01-01");
    let report = run(&mut book, FlowFigures::default(), Some(&basis)).unwrap();
    assert!(report.figures.per_currency[&Currency::parse("SEK").unwrap()].accrued_interest > Decimal::ZERO);
}

proptest! {
    /// Positive amounts of any size: the report is the exact per-currency sums, or an error
    /// exactly when one of them passes 2^96 cents; never a panic.
    #[test]
    fn sums_are_exact_or_an_error(
        invoices in proptest::collection::vec((0usize..3, any::<bool>(), 1i128..(1i128 << 94)), 1..12),
    ) {
        let ids = ["A", "B", "C"];
        let rows: Vec<(&str, &str, Decimal)> = invoices
            .iter()
            .map(|&(c, eur, cents)| (ids[c], if eur { "EUR" } else { "SEK" }, Decimal::from_i128_with_scale(cents, 2)))
            .collect();
        let mut exact: BTreeMap<&str, i128> = BTreeMap::new();
        for &(_, eur, cents) in &invoices {
            *exact.entry(if eur { "EUR" } else { "SEK" }).or_default() += cents;
        }
        let (mut book, _) = book_of(&rows, "2026-01-01", "2026-03-01");
        let result = run(&mut book, FlowFigures::default(), None);
        let fits = exact.values().all(|&c| Decimal::try_from_i128_with_scale(c, 2).is_ok());
        prop_assert_eq!(result.is_ok(), fits);
        if let Ok(report) = result {
            for t in &report.totals {
                prop_assert_eq!(t.total, Decimal::from_i128_with_scale(exact[t.currency.as_str()], 2));
            }
        }
    }
}
