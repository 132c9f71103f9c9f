//! Issue #12: each accounting system's export, saved as its users get it, read with no editing
//! and no configuration, giving the right open amounts. The fixtures are in
//! `tests/fixtures/exports/` (see its SOURCES.md for the layout each follows); every figure is
//! worked out by hand in the comment above its test, as of 2026-11-30.

use crate::common::*;

const AS_OF: &str = "2026-11-30";

/// A ledger holding the files of `tests/fixtures/exports/<system>/` (the listed ones only).
fn system(name: &str, files: &[&str]) -> Ledger {
    let l = Ledger::new();
    let dir = format!("{}/tests/fixtures/exports/{name}", env!("CARGO_MANIFEST_DIR"));
    for file in files {
        let bytes = std::fs::read(format!("{dir}/{file}")).unwrap_or_else(|e| panic!("{dir}/{file}: {e}"));
        l.write_bytes(file, &bytes);
    }
    l
}

fn whole(name: &str) -> Ledger {
    system(name, &["policy.toml", "customers.csv", "invoices.csv"])
}

/// `dun report --format csv`: the rows, and what it said on stderr.
fn report(l: &Ledger) -> (Vec<Vec<String>>, String) {
    let out = l.dun(&["report", "--format", "csv", "--as-of", AS_OF]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    (report_rows(&String::from_utf8(out.stdout).unwrap()), stderr)
}

fn rows(table: &[&[&str]]) -> Vec<Vec<String>> {
    table.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect()
}

/// `dun check --format csv`: its lines after the header.
fn check_lines(l: &Ledger) -> Vec<String> {
    let out = l.dun(&["check", "--format", "csv", "--as-of", AS_OF]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().skip(1).map(str::to_owned).collect()
}

/// Fortnox: 1001 1 875,50 open, due 10-01, 60 days (31-60); 1002 Total 5 000 with Balance
/// 2 000, due 11-14, 16 days (1-30); 1003 is cancelled (void, not counted); 1004 is credited in
/// full by 1005 (both Balance 0).
#[test]
fn fortnox() {
    let l = whole("fortnox");
    let (table, stderr) = report(&l);
    assert_eq!(
        table,
        rows(&[
            &["1", "Alfa Bygg AB", "SEK", "0.00", "2000.00", "1875.50", "0.00", "0.00", "3875.50"],
            &["TOTAL", "", "SEK", "0.00", "2000.00", "1875.50", "0.00", "0.00", "3875.50"],
        ])
    );
    assert!(
        stderr.contains("dun: customers.csv: read as Fortnox customers (preset fortnox-customers)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "dun: invoices.csv: read as Fortnox invoices (preset fortnox-invoices): Cancelled = true is void"
        ),
        "{stderr}"
    );
    let json = l.ok(&["customer", "2", "--format", "json", "--as-of", AS_OF]);
    assert!(json.contains("\"kind\": \"consumer\""), "Type PRIVATE: {json}");
    let json = l.ok(&["customer", "1", "--format", "json", "--as-of", AS_OF]);
    assert!(json.contains("\"mobile\": \"070-123 45 67\""), "{json}");
    // -q: not a word about presets.
    let out = l.dun(&["report", "-q", "--as-of", AS_OF]).output().unwrap();
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}

/// Visma: 501 12 500 due 10-31, 30 days (1-30); 502 3 000 not due; 503 is a credit invoice
/// written positive (IsCreditInvoice = true): a credit of 500 on the customer, shown as not due.
/// not_due = 3 000 − 500 = 2 500; total 15 000.
#[test]
fn visma() {
    let (table, stderr) = report(&whole("visma"));
    assert_eq!(
        table,
        rows(&[
            &["V1", "Gamma Städ AB", "SEK", "2500.00", "12500.00", "0.00", "0.00", "0.00", "15000.00"],
            &["TOTAL", "", "SEK", "2500.00", "12500.00", "0.00", "0.00", "0.00", "15000.00"],
        ])
    );
    assert!(stderr.contains("preset visma-invoices"), "{stderr}");
}

/// Tripletex: customers in Windows-1252 with `;`, two phones and Norwegian country names;
/// 2001 10 000 with 4 000 outstanding, due 10-15, 46 days (31-60); 2002 2 500 not due.
#[test]
fn tripletex() {
    let l = whole("tripletex");
    let (table, stderr) = report(&l);
    assert_eq!(
        table,
        rows(&[
            &["10001", "Fjellheim Rør AS", "NOK", "0.00", "0.00", "4000.00", "0.00", "0.00", "4000.00"],
            &["10002", "Åsen Bakeri", "NOK", "2500.00", "0.00", "0.00", "0.00", "0.00", "2500.00"],
            &["TOTAL", "", "NOK", "2500.00", "0.00", "4000.00", "0.00", "0.00", "6500.00"],
        ])
    );
    assert!(stderr.contains("preset tripletex-customers"), "{stderr}");
    assert!(stderr.contains("preset tripletex-invoices"), "{stderr}");
    let lines = check_lines(&l);
    assert!(!lines.iter().any(|f| f.contains("country") || f.contains("phone")), "{lines:?}");
}

/// Tripletex's opening-balance import has order lines without an invoice total: refused,
/// saying why and what to export instead.
#[test]
fn tripletex_opening_balance_is_refused_with_the_reason() {
    let l = system("tripletex", &["policy.toml", "customers.csv"]);
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/exports/tripletex/opening-balance.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    l.write_bytes("invoices.csv", &bytes);
    let err = l.fails(&["report", "--as-of", AS_OF], 1);
    assert!(err.contains("invoices.csv:1: missing required column \"amount\""), "{err}");
    assert!(err.contains("Tripletex's opening-balance invoice import lists order lines"), "{err}");
}

/// Fiken: amounts in øre, `settled` true/false. 1: 187 550 øre = 1 875,50 open, due 10-15, 46
/// days (31-60); 2 settled; 3: 25 000 øre = 250,00 not due. Total 2 125,50.
#[test]
fn fiken() {
    let (table, stderr) = report(&whole("fiken"));
    assert_eq!(
        table,
        rows(&[
            &["10001", "Vik Maskin AS", "NOK", "250.00", "0.00", "1875.50", "0.00", "0.00", "2125.50"],
            &["TOTAL", "", "NOK", "250.00", "0.00", "1875.50", "0.00", "0.00", "2125.50"],
        ])
    );
    assert!(stderr.contains("preset fiken-invoices): amounts are in øre"), "{stderr}");
}

/// Fiken's customer import has no customer number: refused, naming the column and what to do.
#[test]
fn fiken_customer_import_is_refused_with_the_reason() {
    let l = system("fiken", &["policy.toml", "invoices.csv"]);
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/exports/fiken/customer-import.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    l.write_bytes("customers.csv", &bytes);
    let err = l.fails(&["report", "--as-of", AS_OF], 1);
    assert!(err.contains("customers.csv:1: missing required column \"id\""), "{err}");
    assert!(err.contains("Fiken's customer import layout has no customer number"), "{err}");
}

/// e-conomic: grossAmount is the total, remainder what is owed. 30001 10 000 due 10-15, 46
/// days (31-60); 30002 500 of 2 500 left, due 11-19, 11 days (1-30). Countries as free text.
#[test]
fn economic() {
    let l = whole("economic");
    let (table, stderr) = report(&l);
    assert_eq!(
        table,
        rows(&[
            &["101", "Holm Tømrer ApS", "DKK", "0.00", "0.00", "10000.00", "0.00", "0.00", "10000.00"],
            &["102", "Jensen & Søn", "DKK", "0.00", "500.00", "0.00", "0.00", "0.00", "500.00"],
            &["TOTAL", "", "DKK", "0.00", "500.00", "10000.00", "0.00", "0.00", "10500.00"],
        ])
    );
    assert!(stderr.contains("preset economic-invoices"), "{stderr}");
    assert!(!check_lines(&l).iter().any(|f| f.contains("unknown-country")));
}

/// Billy: `amount` is net and not read; grossAmount is the total; balance 5 100 includes 100 of
/// late fees: 5 000 owed on invoice 1, due 09-15, 76 days (61-90). 2 is paid, 3 voided, 4 a
/// draft. `check` warns that Billy's fees are in the balance.
#[test]
fn billy() {
    let l = whole("billy");
    let (table, stderr) = report(&l);
    assert_eq!(
        table,
        rows(&[
            &["c1a", "Lund Design ApS", "DKK", "0.00", "0.00", "0.00", "5000.00", "0.00", "5000.00"],
            &["TOTAL", "", "DKK", "0.00", "0.00", "0.00", "5000.00", "0.00", "5000.00"],
        ])
    );
    assert!(stderr.contains("preset billy-invoices): amount is net and not read"), "{stderr}");
    let lines = check_lines(&l);
    assert!(
        lines.iter().any(|f| f.starts_with(
            "warning,invoices.csv,2,fees,fees-in-balance,\"the balance 5 100.00 includes 100.00 of fees"
        )),
        "{lines:?}"
    );
    let about_files: Vec<&String> =
        lines.iter().filter(|f| f.contains(",invoices.csv,") || f.contains(",customers.csv,")).collect();
    assert_eq!(about_files.len(), 1, "nothing else to say about the files: {lines:?}");
    let json = l.ok(&["customer", "c2b", "--format", "json", "--as-of", AS_OF]);
    assert!(json.contains("\"kind\": \"consumer\""), "type person: {json}");
}

/// A cancelled invoice that was part paid is an error in `check` (money on a void invoice).
#[test]
fn a_void_invoice_part_paid_is_an_error() {
    let l = whole("fortnox");
    let text = std::fs::read_to_string(l.file("invoices.csv")).unwrap();
    l.write(
        "invoices.csv",
        &text.replace(
            "1003,2,Karin Berg,2026-11-01,2026-12-01,1250,1250",
            "1003,2,Karin Berg,2026-11-01,2026-12-01,1250,750",
        ),
    );
    let lines = check_lines(&l);
    assert!(
        lines.iter().any(|f| f.starts_with("error,invoices.csv,4,void,void-open,\"the invoice is void (cancelled) but part paid: 500.00 paid, 750.00 still open on it")),
        "{lines:?}"
    );
    // Still not counted.
    assert_eq!(report(&l).0.last().unwrap()[8], "3875.50");
}
