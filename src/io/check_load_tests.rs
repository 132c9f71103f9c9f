//! `dun check` on a ledger loaded for it ([`super::ledger_dir::load_ledger_for_check`]) finds
//! exactly what it finds on the whole ledger (SPEC §10).

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::ledger_dir::{
    CUSTOMERS, INVOICES, JOURNAL, PAYMENTS, POLICY, load_ledger, load_ledger_for_check,
    load_ledger_for_letters,
};
use crate::core::check::{check_ledger, check_ledger_errors, check_ledger_streamed};
use crate::core::finding::Finding;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn on(days: i64) -> NaiveDate {
    day("2015-01-01") + chrono::TimeDelta::days(days)
}

/// A generated day: spread over twelve years, or (`dense`) over a year and a half, where
/// customers pay on time in one window and late in the next (the credit watch's trend).
fn day_of(raw: u16, dense: bool) -> i64 {
    if dense { i64::from(raw) * 3 / 8 } else { i64::from(raw) * 3 }
}

/// Customers K1–K5 (K0 and K6 are not in the register), in four countries,
/// with credit limits low enough to be exceeded now and then.
fn customers_csv(limits: &[u8; 5]) -> String {
    let mut csv = String::from("id,name,kind,country,email,address,postcode,city,credit_limit\n");
    let countries = ["SE", "NO", "FI", "SE", "DE"];
    for (i, country) in countries.iter().enumerate() {
        let limit = match limits[i] {
            0 => String::new(),
            l => format!("{}.00", u32::from(l) * 400),
        };
        csv += &format!(
            "K{n},Kund {n} AB,business,{country},k{n}@example.se,Gatan {n},{code},Stad,{limit}\n",
            n = i + 1,
            code = if *country == "SE" { "431 34" } else { "0150" },
        );
    }
    csv
}

/// A generated invoice line: number, customer, issued (days from 2015-01-01), days to due,
/// amount (cents), currency, how much is in `paid`, paid_on (days from issued), the number it
/// credits, its reference, a balance off amount − paid by this much.
type Row = (u8, u8, u16, i8, i32, u8, u8, Option<u16>, Option<u8>, Option<u8>, Option<i8>);

fn invoices_csv(rows: &[Row], dense: bool) -> String {
    let currencies = ["SEK", "SEK", "SEK", "EUR", "NOK"];
    // Valid OCR; failing every check; RF; valid OCR and MOD11 KID; nothing like one; a MOD11
    // KID alone (valid for a Norwegian customer only); a Finnish viite alone.
    let references =
        ["1234567897", "1234567890", "RF18539007547034", "12345678903", "ABC", "1234567892", "10003"];
    let mut csv =
        String::from("number,customer,issued,due,amount,paid,paid_on,credits,reference,balance,currency\n");
    for &(number, customer, issued, term, amount, currency, paid, paid_on, credits, reference, balance) in
        rows
    {
        let amount = match credits {
            Some(_) if amount % 7 != 0 => -amount.abs(),
            _ => amount,
        };
        let amount = Decimal::new(i64::from(amount), 2);
        // Mostly paid, as a ledger of years is: a customer with nothing open may be past
        // its retention.
        let paid = match paid % 6 {
            0 => Decimal::ZERO,
            5 => (amount / Decimal::TWO).round_dp(2),
            _ => amount,
        };
        let issued = day_of(issued, dense);
        // Dense: most lines are K1's and K2's, so that each has a history to judge.
        let customer = if dense { customer % 3 } else { customer };
        let due = on(issued + i64::from(term));
        // Dense: later invoices are paid later and later (the credit watch's trend).
        let paid_on = paid_on.map(|d| match dense {
            false => on(issued + i64::from(d) * 4),
            true => due + chrono::TimeDelta::days(i64::from(d) * issued / 128),
        });
        let paid_on = paid_on.map_or(String::new(), |d| d.to_string());
        let credits = credits.map_or(String::new(), |n| format!("N{n}"));
        let reference = reference.map_or("", |r| references[usize::from(r) % references.len()]);
        let balance = balance.map_or(String::new(), |b| (amount - paid + Decimal::from(b)).to_string());
        csv += &format!(
            "N{number},K{customer},{},{due},{amount},{paid},{paid_on},{credits},{reference},{balance},{}\n",
            on(issued),
            currencies[usize::from(currency) % currencies.len()],
        );
    }
    csv
}

/// Payments by invoice number (some naming numbers no invoice has) or by reference alone.
fn payments_csv(paid: &[(u8, u16, i32, bool)], dense: bool) -> String {
    let mut csv = String::from("date,invoice,reference,amount\n");
    for &(n, d, amount, by_reference) in paid {
        let (invoice, reference) = if by_reference {
            (String::new(), ["1234567897", "RF18 5390 0754 7034", "999"][usize::from(n) % 3].to_owned())
        } else {
            (format!("N{n}"), String::new())
        };
        csv += &format!(
            "{},{invoice},{reference},{}\n",
            on(day_of(d, dense)),
            Decimal::new(i64::from(amount), 2)
        );
    }
    csv
}

/// Journal lines: a customer (some not in the register), or only an invoice.
fn journal_csv(lines: &[(u16, Option<u8>, u8)], dense: bool) -> String {
    let mut csv = String::from("date,event,invoice,customer,amount,until,channel,ref,note\n");
    for &(d, customer, invoice) in lines {
        let customer = customer.map_or(String::new(), |c| format!("K{c}"));
        csv += &format!("{},note,N{invoice},{customer},,,,,\n", on(day_of(d, dense)));
    }
    csv
}

/// A ledger directory with the plain SE policy and customers K1–K5, for the invoices a test
/// writes.
fn plain_ledger() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
    write(POLICY, "[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n");
    write(CUSTOMERS, &customers_csv(&[0; 5]));
    dir
}

/// The load for `dun check` on `as_of` and what `dun check` finds on it.
fn checked_streamed(
    dir: &tempfile::TempDir,
    as_of: NaiveDate,
) -> (crate::core::ledger::Ledger, Vec<Finding>) {
    let (slim, streamed) = load_ledger_for_check(dir.path(), as_of).expect("loads");
    let found = check_ledger_streamed(&slim, as_of, &streamed.expect("the file did not change"));
    (slim, found)
}

fn findings(list: &[Finding]) -> String {
    format!("{list:#?}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// On any ledger (numbers given twice, credit notes for paid, open or unknown invoices,
    /// payments in `paid` and in payments.csv by number and by reference, customers not in the
    /// register, references that fail their check on paid and on open invoices, currencies
    /// unusual for a customer, invoices not issued yet and paid after the day, years of
    /// history past the retention period, journal lines by customer and by invoice alone),
    /// `dun check` on the load for it finds what it finds on the whole ledger, in the same
    /// order; and the data gate's errors (the load for letters) are among them.
    #[test]
    fn the_load_for_check_finds_what_the_whole_ledger_has(
        limits in any::<[u8; 5]>().prop_map(|l| l.map(|x| x % 6)),
        rows in proptest::collection::vec(
            (0u8..16, 0u8..7, 0u16..1400, -3i8..45, -200_000i32..900_000, 0u8..5, 0u8..6,
             proptest::option::of(0u16..60), proptest::option::weighted(0.2, 0u8..18),
             proptest::option::weighted(0.6, 0u8..7), proptest::option::weighted(0.15, -1i8..2)),
            0..40,
        ),
        paid_by_file in proptest::collection::vec((0u8..18, 0u16..1400, 1i32..500_000, any::<bool>()), 0..6),
        journal in proptest::collection::vec((0u16..2000, proptest::option::weighted(0.7, 0u8..7), 0u8..18), 0..8),
        as_of in 0u16..2000,
        dense in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
        write(POLICY, "[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n\n[credit]\nnew_customer_check_over = \"3000\"\n");
        write(CUSTOMERS, &customers_csv(&limits));
        write(INVOICES, &invoices_csv(&rows, dense));
        if !paid_by_file.is_empty() {
            write(PAYMENTS, &payments_csv(&paid_by_file, dense));
        }
        if !journal.is_empty() {
            write(JOURNAL, &journal_csv(&journal, dense));
        }
        let as_of = on(day_of(as_of, dense));
        let whole = load_ledger(dir.path()).expect("loads");
        let expected = check_ledger(&whole, as_of);
        let (slim, streamed) = load_ledger_for_check(dir.path(), as_of).expect("loads");
        let streamed = streamed.expect("the file did not change");
        prop_assert!(slim.invoices.len() <= whole.invoices.len());
        let found = check_ledger_streamed(&slim, as_of, &streamed);
        prop_assert_eq!(findings(&found), findings(&expected));
        let letters = load_ledger_for_letters(dir.path(), as_of).expect("loads");
        let gate: Vec<Finding> = check_ledger(&letters, as_of).into_iter().filter(Finding::is_error).collect();
        let errors: Vec<Finding> = found.into_iter().filter(Finding::is_error).collect();
        prop_assert_eq!(findings(&gate), findings(&errors));
        // The gate's own check, errors alone, finds the same on either ledger.
        prop_assert_eq!(findings(&check_ledger_errors(&letters, as_of)), findings(&errors));
        prop_assert_eq!(findings(&check_ledger_errors(&whole, as_of)), findings(&errors));
    }
}

/// The generator makes each kind of finding the load must not lose: a test that never saw
/// one could not fail for it.
#[test]
fn the_generated_ledgers_have_findings_on_settled_invoices() {
    let dir = plain_ledger();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
    // K2: two SEK invoices and a paid EUR one (unusual); a paid one with a bad reference; a
    // number given twice, the first paid; an invoice paid after the day; K3 inactive for years.
    let rows: Vec<Row> = vec![
        (1, 2, 300, 30, 10_000, 0, 0, None, None, None, None),
        (2, 2, 301, 30, 10_000, 0, 0, None, None, None, None),
        (3, 2, 302, 30, 10_000, 3, 1, Some(5), None, None, None),
        (4, 1, 303, 30, 10_000, 0, 1, Some(5), None, Some(1), None),
        (5, 1, 304, 30, 10_000, 0, 1, Some(5), None, None, None),
        (5, 4, 305, 30, 10_000, 0, 0, None, None, None, None),
        (6, 4, 306, 30, 10_000, 0, 1, Some(200), None, None, None),
        (7, 3, 0, 30, 10_000, 0, 1, Some(5), None, None, None),
    ];
    write(INVOICES, &invoices_csv(&rows, false));
    let as_of = on(330 * 3);
    let (_, found) = checked_streamed(&dir, as_of);
    let codes: Vec<(u64, &str)> =
        found.iter().filter(|f| f.file == INVOICES).map(|f| (f.line, f.code)).collect();
    // Line 4 is N3 (EUR, paid), 5 is N4 (reference 1234567890 fails its check digit, paid), 7 is
    // the second N5, 8 is N6 (paid_on after the day).
    assert_eq!(
        codes,
        vec![(4, "unusual-currency"), (5, "bad-reference"), (7, "duplicate-invoice"), (8, "future-date")]
    );
    let retention = found.iter().find(|f| f.code == "past-retention").map(|f| f.customer.clone());
    assert_eq!(retention, None, "K3 was active in 2015: SE keeps 7 years");
    let later = on(4000);
    let (slim, found) = checked_streamed(&dir, later);
    let past: Vec<Option<&str>> =
        found.iter().filter(|f| f.code == "past-retention").map(|f| f.customer.as_deref()).collect();
    assert!(past.contains(&Some("K3")), "{past:?}");
    assert!(slim.invoices.len() < 8, "settled invoices without findings are left out");
}

/// The credit watch's trend on invoices the load leaves out (all four are settled, one by
/// `payments.csv`): K2 paid on time early in the year and 40 days late lately.
#[test]
fn a_payment_trend_of_settled_invoices_is_found_as_on_the_whole_ledger() {
    let dir = plain_ledger();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
    write(
        INVOICES,
        "number,customer,issued,due,amount,paid,paid_on,currency\n\
         A1,K2,2026-01-01,2026-01-31,1000.00,1000.00,2026-01-31,SEK\n\
         A2,K2,2026-01-29,2026-02-28,1000.00,1000.00,2026-02-28,SEK\n\
         A3,K2,2026-08-02,2026-09-01,1000.00,1000.00,2026-10-11,SEK\n\
         A4,K2,2026-08-16,2026-09-15,1000.00,0,,SEK\n",
    );
    write(PAYMENTS, "date,invoice,amount\n2026-10-25,A4,1000.00\n");
    let as_of = day("2026-11-30");
    let whole = check_ledger(&load_ledger(dir.path()).expect("loads"), as_of);
    let (slim, found) = checked_streamed(&dir, as_of);
    assert!(slim.invoices.is_empty(), "every invoice is settled");
    assert_eq!(findings(&found), findings(&whole));
    let trend = found.iter().find(|f| f.code == "late-payment-trend").expect("K2 pays later");
    assert_eq!(trend.customer.as_deref(), Some("K2"));
    assert!(trend.message.contains("40.0 days late on average"), "{}", trend.message);
}

/// A settled credit note in a currency unusual for its customer, in a ledger where nothing
/// else is read twice: credit notes do not count towards the usual currency, but are checked
/// against it.
#[test]
fn a_settled_credit_note_in_an_unusual_currency_is_found() {
    let dir = plain_ledger();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
    write(
        INVOICES,
        "number,customer,issued,due,amount,paid,currency\n\
         B1,K2,2026-01-01,2026-01-31,1000.00,0,SEK\n\
         B2,K2,2026-01-29,2026-02-28,1000.00,0,SEK\n\
         B3,K2,2026-02-01,2026-02-01,-50.00,-50.00,EUR\n",
    );
    let as_of = day("2026-11-30");
    let whole = check_ledger(&load_ledger(dir.path()).expect("loads"), as_of);
    let (_, found) = checked_streamed(&dir, as_of);
    assert_eq!(findings(&found), findings(&whole));
    let unusual: Vec<u64> = found.iter().filter(|f| f.code == "unusual-currency").map(|f| f.line).collect();
    assert_eq!(unusual, vec![4]);
}

/// Settled invoices in a currency unusual for their customer are not kept: their finding is
/// made from what the load noted of each line, the same as on the whole ledger. A number too
/// long to note (255 bytes and more) has its line read again and kept instead.
#[test]
fn settled_invoices_in_an_unusual_currency_are_found_from_their_notes() {
    let dir = plain_ledger();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
    let long = format!("L{}", "9".repeat(254));
    let just_noted = format!("M{}", "8".repeat(253));
    write(
        INVOICES,
        &format!(
            "number,customer,issued,due,amount,paid,paid_on,currency\n\
             C1,K2,2026-01-01,2026-01-31,1000.00,0,,SEK\n\
             C2,K2,2026-01-29,2026-02-28,1000.00,0,,SEK\n\
             C3,K2,2026-02-01,2026-03-01,70.00,70.00,2026-02-20,EUR\n\
             {long},K2,2026-02-02,2026-03-02,80.00,80.00,2026-02-20,NOK\n\
             {just_noted},K2,2026-02-03,2026-03-03,90.00,90.00,2026-02-20,EUR\n\
             C4,K2,2026-02-04,2026-03-04,60.00,60.00,2026-02-20,SEK\n\
             C5,K2,2026-02-05,2026-03-05,60.00,60.00,2026-02-20,SEK\n\
             C6,K2,2026-02-06,2026-03-06,60.00,60.00,2026-02-20,SEK\n"
        ),
    );
    let as_of = day("2026-11-30");
    let whole = check_ledger(&load_ledger(dir.path()).expect("loads"), as_of);
    let (slim, found) = checked_streamed(&dir, as_of);
    assert_eq!(findings(&found), findings(&whole));
    let unusual: Vec<(u64, Option<&str>, Option<&str>)> = found
        .iter()
        .filter(|f| f.code == "unusual-currency")
        .map(|f| (f.line, f.customer.as_deref(), f.invoice.as_deref()))
        .collect();
    assert_eq!(
        unusual,
        vec![
            (4, Some("K2"), Some("C3")),
            (5, Some("K2"), Some(long.as_str())),
            (6, Some("K2"), Some(just_noted.as_str()))
        ]
    );
    let kept: Vec<&str> = slim.invoices.iter().map(|i| i.number()).collect();
    assert_eq!(kept, vec!["C1", "C2", long.as_str()], "the open ones, and the line read again");
}
