//! The early-payment discount through import, aging, letters and the report's key figures.
//! Figures worked out by hand: 1001 is 1 000 with 2 % (20) off until 10-11; 1002 is 500 with
//! 25 off; 1003 is 8 000 with 2 % (160) off, paid discounted but a day late.

use crate::common::*;

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n\
         [reminder]\nchannels = [\"letter\"]\n\
         [import.csv]\ndate = \"Datum\"\namount = \"Belopp\"\nmessage = \"Meddelande\"\n",
    );
    l.write("customers.csv", "id,name,address,postcode,city\nA,Alfa AB,Storgatan 1,411 01,Göteborg\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,discount_until,discount_percent,discount_amount\n\
1001,A,2026-10-01,2026-10-31,1000.00,2026-10-11,2,\n\
1002,A,2026-10-01,2026-10-31,500.00,2026-10-11,,25\n\
1003,A,2026-10-01,2026-10-31,8000.00,2026-10-11,2,\n",
    );
    l.write(
        "bank.csv",
        "Datum,Belopp,Meddelande\n2026-10-10,980.00,Faktura 1001\n2026-10-12,7840.00,Faktura 1003\n",
    );
    l
}

#[test]
fn the_discounted_amount_in_time_settles_and_late_it_does_not() {
    let l = ledger();
    let out =
        l.ok(&["import", l.file("bank.csv").to_str().unwrap(), "--as-of", "2026-10-12", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let payments = v["payments"].as_array().unwrap();
    // 980 on 10-10 for 1001: the discount settles the rest. 7 840 on 10-12 for 1003: a day
    // after the discount's last day, a part payment with 160 still open.
    assert_eq!(payments[0]["still_open"], "0.00", "{out}");
    assert_eq!(payments[1]["still_open"], "160.00", "{out}");
    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    assert!(journal.contains("early-payment discount of 20.00 taken"), "{journal}");
    assert!(journal.contains("part payment, 160.00 still open"), "{journal}");

    // Aging on 11-30: 1001 settled; 1002 (no payment) owes its full 500; 1003 the lost 160.
    let csv = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert_eq!(
        report_rows(&csv),
        vec![
            vec!["A", "Alfa AB", "SEK", "0.00", "660.00", "0.00", "0.00", "0.00", "660.00"],
            vec!["TOTAL", "", "SEK", "0.00", "660.00", "0.00", "0.00", "0.00", "660.00"],
        ]
    );
    // The key figures: one discount taken, 20 off 1 000, paid 20 days before due:
    // 20 ÷ 980 × 365 ÷ 20 = 37.2 % a year.
    let json: serde_json::Value =
        serde_json::from_str(&l.ok(&["report", "--format", "json", "--as-of", "2026-11-30"])).unwrap();
    let sek = &json["key_figures"]["per_currency"]["SEK"];
    assert_eq!(sek["discounts_taken_12m"], 1);
    assert_eq!(sek["discounts_cost_12m"], "20.00");
    assert_eq!(sek["discount_annual_rate_pct"], "37.2");

    // The reminder lists 1002 at 500 and 1003 at 160, not 1001.
    l.ok(&["remind", "--as-of", "2026-11-30"]);
    let letter = std::fs::read_to_string(l.file("out/2026-11-30/reminder-1_A_SEK.letter.html")).unwrap();
    assert!(letter.contains("1002") && letter.contains("1003") && !letter.contains(">1001<"), "{letter}");
    assert!(letter.contains("500,00\u{a0}kr") && letter.contains("160,00\u{a0}kr"), "{letter}");
}

#[test]
fn a_segment_grants_the_discount_and_a_half_given_discount_is_an_error() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
         [segments.trade.terms]\ndiscount_days = 10\ndiscount_percent = \"2\"\n",
    );
    l.write("customers.csv", "id,name,segment\nA,Alfa AB,trade\nB,Beta AB,\n");
    // Both paid 98 % on day 8: A's segment grants the discount, B owes the rest.
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,paid_on\n\
1,A,2026-10-01,2026-10-31,1000.00,980.00,2026-10-09\n\
2,B,2026-10-01,2026-10-31,1000.00,980.00,2026-10-09\n",
    );
    let csv = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert_eq!(
        report_rows(&csv),
        vec![
            vec!["B", "Beta AB", "SEK", "0.00", "20.00", "0.00", "0.00", "0.00", "20.00"],
            vec!["TOTAL", "", "SEK", "0.00", "20.00", "0.00", "0.00", "0.00", "20.00"],
        ]
    );
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,discount_percent\n1,A,2026-10-01,2026-10-31,1000.00,2\n",
    );
    let err = l.fails(&["report", "--as-of", "2026-11-30"], 1);
    assert!(err.contains("invoices.csv:2: column \"discount_until\""), "{err}");
    l.write(
        "policy.toml",
        "[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n[terms]\ndiscount_days = 10\n",
    );
    let err = l.fails(&["report"], 1);
    assert!(err.contains("terms.discount_percent"), "{err}");
}

/// Issue 10. Before: `dun report` (table and JSON) panicked with exit 101 ("Division
/// overflowed" in the discounts' yearly rate) on amounts it had accepted: a discount of all but a
/// cent of the largest amount, beside a two-cent invoice with a one-cent discount taken a day
/// early. Now an error naming the figure, exit 1, nothing on stdout or in `-o`'s file.
#[test]
fn a_rate_past_the_range_is_an_error_naming_it_never_a_crash() {
    let l = Ledger::new();
    l.write("policy.toml", "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n");
    l.write("customers.csv", "id,name\nA,Alfa AB\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,paid_on,discount_until,discount_amount\n\
1,A,2026-10-01,2026-10-31,999999999999999.00,0.01,2026-10-10,2026-10-31,999999999999998.99\n\
2,A,2026-10-01,2026-10-31,0.02,0.01,2026-10-10,2026-10-30,0.01\n\
3,A,2026-10-01,2026-10-31,100.00,,,,\n",
    );
    for format in ["json", "table"] {
        let out = l.dun(&["report", "--format", format, "--as-of", "2026-11-30"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{format}: {err}");
        assert!(out.stdout.is_empty(), "{format}");
        assert!(
            err.contains("the early-payment discounts' yearly rate in SEK is too large to compute exactly"),
            "{format}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let target = l.file("r.json");
    l.fails(&["report", "--format", "json", "--as-of", "2026-11-30", "-o", target.to_str().unwrap()], 1);
    assert!(!target.exists());
    // The CSV has the rows only, and so no rate: the same figures as ever.
    let csv = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert_eq!(
        report_rows(&csv)[0],
        vec!["A", "Alfa AB", "SEK", "0.00", "100.00", "0.00", "0.00", "0.00", "100.00"]
    );
}
