//! Output for people: tables fitted to the terminal (here forced with `DUN_COLUMNS`), whole
//! when piped.

use crate::common::*;

const CUSTOMERS: &str = "id,name,country,email\n\
A1,Andersson Bygg och Fastighetsförvaltning AB,SE,a1@bygg.example\n\
A2,Berit Holm,SE,a2@holm.example\n\
B1,Fjord & Fisk AS,NO,post@fjord.example\n";

const INVOICES: &str = "number,customer,issued,due,amount,paid,currency,paid_on\n\
1001,A1,2026-09-01,2026-10-01,1212500.00,0,SEK,\n\
1002,A1,2026-10-15,2026-11-14,3000.00,1000.00,SEK,\n\
1003,A2,2026-08-01,2026-08-31,800.00,0,SEK,\n\
1004,B1,2026-11-01,2026-12-01,4200.00,0,EUR,\n\
1005,A1,2026-08-01,2026-08-31,1000.00,1000.00,SEK,2026-10-15\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

fn at(l: &Ledger, columns: &str, args: &[&str]) -> String {
    let out = l.dun(args).env("DUN_COLUMNS", columns).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn every_table_fits_80_columns() {
    let l = ledger();
    for args in [
        &["report", "--as-of", "2026-11-30"][..],
        &["due", "--all", "--as-of", "2026-11-30"],
        &["due", "--as-of", "2026-11-30", "--until", "2027-01-31"],
        &["customer", "A1", "--as-of", "2026-11-30"],
        &["interest", "--from", "2026-10-01", "--to", "2026-10-31"],
        &["check", "--as-of", "2026-11-30"],
        &["stats", "--as-of", "2026-11-30"],
        &["forecast", "--as-of", "2026-11-30"],
    ] {
        let piped = l.ok(args);
        let fitted = at(&l, "80", args);
        assert!(widest(&fitted) <= 80, "{args:?} at 80 columns:\n{fitted}");
        // The same rows, as many lines or more (wrapped prose, notes).
        assert!(fitted.lines().count() >= piped.lines().count().min(3), "{args:?}");
    }
}

#[test]
fn the_due_list_at_80_keeps_what_whom_and_how_much() {
    let l = ledger();
    let piped = l.ok(&["due", "--all", "--as-of", "2026-11-30"]);
    assert!(piped.starts_with('┌') && widest(&piped) > 80, "piped output is whole:\n{piped}");
    assert!(piped.contains("compensation") && piped.contains("Andersson Bygg och Fastighetsförvaltning AB"));
    let fitted = at(&l, "80", &["due", "--all", "--as-of", "2026-11-30"]);
    let lines: Vec<&str> = fitted.lines().collect();
    // Headers abbreviated where the values are narrower (customer, invoice, currency,
    // days_overdue); the stated columns left out.
    assert!(lines[0].starts_with("action"), "{fitted}");
    for kept in ["cust", "inv", "cur", "open", "days", "name"] {
        assert!(lines[0].split_whitespace().any(|h| h == kept), "{kept} missing:\n{fitted}");
    }
    assert!(!lines[0].contains("detail") && !lines[0].contains("compensation"), "{fitted}");
    assert!(fitted.contains("(left out to fit: detail, next_date,"), "{fitted}");
    // The long name is cut with an ellipsis, the amounts are exact.
    let a1 = lines.iter().find(|l| l.contains(" 1001 ")).unwrap();
    assert!(a1.contains("1212500.00") && a1.contains("Andersson Bygg") && a1.ends_with('…'), "{a1}");
}

#[test]
fn the_report_at_80_rounds_amounts_and_says_so() {
    let l = ledger();
    let fitted = at(&l, "80", &["report", "--as-of", "2026-11-30"]);
    // `cust` is as wide as TOTAL (5); the amounts' columns and gaps leave the name 23.
    assert!(
        fitted
            .contains("\nA1     Andersson Bygg och Fas…  SEK        0  2000  1212500      0    0  1214500\n"),
        "{fitted}"
    );
    assert!(
        fitted.contains("(amounts rounded to whole units to fit; --format csv has them exact)"),
        "{fitted}"
    );
    let wide = at(&l, "200", &["report", "--as-of", "2026-11-30"]);
    assert!(wide.contains("│ A1       ┆ Andersson Bygg och Fastighetsförvaltning AB ┆"), "{wide}");
    assert!(wide.contains("1 212 500.00"), "{wide}");
}
