//! `dun import-ledger FILE.se`: a SIE 4 file's receivables as the ledger. The fixtures are in
//! `tests/fixtures/sie/` (see its SOURCES.md); every figure is worked out by hand below.

use crate::common::*;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/sie/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn lines(l: &Ledger, file: &str) -> Vec<String> {
    std::fs::read_to_string(l.file(file)).unwrap().lines().map(str::to_owned).collect()
}

/// `objects.se`, as of 2026-12-01 with 30 days' terms:
///
/// - 2025-90 (101): opening 2 000 (`#OIB`), paid 2026-01-15: nets to nothing, not a credit;
/// - 2025-95 (102): opening 1 000, still open; issued 2025-12-31 (the day before the year),
///   due 2026-01-30, 305 days late (91+);
/// - 501 (101): 10 000 on 09-10, 4 000 paid: 6 000, due 10-10, 52 days (31-60);
/// - 502 (102): 1 250 on 10-15 (the voucher's date), due 11-14, 17 days (1-30);
/// - 503 (102): a credit note of 250 (its voucher posts to revenue): a credit, not due;
/// - a payment of 100 on 1510 with no invoice: not attributed.
///
/// Raised in all: 2 000 + 1 000 + 10 000 + 1 250 − 250 = 14 000. `#UB` 7 900 = 3 000 − 2 000 + 10 000 + 1 250 − 4 000 − 250 − 100; the invoices have 8 000
/// open: the difference is the −100 without an invoice.
#[test]
fn a_sie_file_with_customer_and_invoice_objects() {
    let l = Ledger::new();
    let out = l.ok(&["import-ledger", &fixture("objects.se"), "--format", "csv"]);
    assert_eq!(
        out,
        "item,count,amount\n\
         customers,2,\n\
         invoices,5,14000.00\n\
         open,4,8000.00\n\
         credit_notes,1,\n\
         paid_from_opening_balance,0,0.00\n\
         postings_without_invoice,1,-100.00\n\
         opening_balance,,3000.00\n\
         opening_balance_not_by_invoice,,0.00\n\
         closing_balance,,7900.00\n\
         difference,,-100.00\n"
    );
    assert_eq!(lines(&l, "customers.csv"), vec!["id,name", "101,Åkesson Bygg AB", "102,Öberg & Söner HB"]);
    assert_eq!(
        lines(&l, "invoices.csv"),
        vec![
            "number,customer,issued,amount,paid,paid_on,currency,description",
            "2025-90,101,2025-12-31,2000.00,2000.00,2026-01-15,SEK,SIE opening balance",
            "2025-95,102,2025-12-31,1000.00,0.00,,SEK,SIE opening balance",
            "501,101,2026-09-10,10000.00,4000.00,,SEK,SIE voucher B 1",
            "502,102,2026-10-15,1250.00,0.00,,SEK,SIE voucher B 2",
            "503,102,2026-11-01,-250.00,0.00,,SEK,SIE voucher C 1",
        ]
    );
    let report = report_rows(&l.ok(&["report", "--format", "csv", "--as-of", "2026-12-01"]));
    let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        report,
        vec![
            row(&["101", "Åkesson Bygg AB", "SEK", "0.00", "0.00", "6000.00", "0.00", "0.00", "6000.00"]),
            row(&[
                "102",
                "Öberg & Söner HB",
                "SEK",
                "-250.00",
                "1250.00",
                "0.00",
                "0.00",
                "1000.00",
                "2000.00"
            ]),
            row(&["TOTAL", "", "SEK", "-250.00", "1250.00", "6000.00", "0.00", "1000.00", "8000.00"]),
        ]
    );
    // SIE has no due dates: check says they come from the terms.
    let check = l.dun(&["check", "--format", "csv", "--as-of", "2026-12-01"]).output().unwrap();
    let check = String::from_utf8(check.stdout).unwrap();
    assert!(check.contains("warning,invoices.csv,1,due,due-from-terms,"), "{check}");
    // Files of the ledger are replaced only when asked.
    let err = l.fails(&["import-ledger", &fixture("objects.se")], 1);
    assert!(
        err.contains("customers.csv exists: `dun import-ledger objects.se --replace` replaces it"),
        "{err}"
    );
    l.ok(&["import-ledger", &fixture("objects.se"), "--replace", "-q"]);
}

/// Mamut style: `#IB` on 1510 but no `#OIB`. Invoice 88 was raised last year; its payment of
/// 3 000 this year pays the opening balance and is left out (before issue #12 it became a
/// credit of −3 000). 120: 5 000 on 03-01, due 03-31, 245 days late on 12-01 (91+). Of the
/// opening 5 000, 2 000 is no invoice's: `#UB` 7 000 − 5 000 open = 2 000.
#[test]
fn an_opening_balance_without_objects_nets_last_years_invoices() {
    let l = Ledger::new();
    let out = l.ok(&["import-ledger", &fixture("no-object-opening.se"), "--format", "csv"]);
    assert_eq!(
        out,
        "item,count,amount\n\
         customers,1,\n\
         invoices,1,5000.00\n\
         open,1,5000.00\n\
         credit_notes,0,\n\
         paid_from_opening_balance,1,3000.00\n\
         postings_without_invoice,0,0.00\n\
         opening_balance,,5000.00\n\
         opening_balance_not_by_invoice,,5000.00\n\
         closing_balance,,7000.00\n\
         difference,,2000.00\n"
    );
    let report = report_rows(&l.ok(&["report", "--format", "csv", "--as-of", "2026-12-01"]));
    assert_eq!(
        report[0],
        ["201", "Hemsons Hotell", "SEK", "0.00", "0.00", "0.00", "0.00", "5000.00", "5000.00"]
    );
    assert_eq!(report.len(), 2);
}

/// A SIE file whose receivable postings name no customer or invoice is refused with the reason.
#[test]
fn a_sie_file_without_dimensions_is_refused() {
    let l = Ledger::new();
    let err = l.fails(&["import-ledger", &fixture("no-dimensions.si")], 1);
    assert!(
        err.contains("no-dimensions.si: no posting on the receivable accounts 1510–1519 names a customer (object dimension 8) or an invoice (dimension 10)"),
        "{err}"
    );
    assert!(!l.file("invoices.csv").exists() && !l.file("customers.csv").exists());
    // A file that is not SIE at all.
    let err = l.fails(&["import-ledger", &fixture("SOURCES.md")], 1);
    assert!(err.contains("SOURCES.md: not a SIE file"), "{err}");
}
