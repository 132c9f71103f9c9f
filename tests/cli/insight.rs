//! `dun stats` and `dun forecast` through the binary, on histories whose figures are worked out
//! by hand (the same histories as the unit tests in `core::insight`).

use crate::common::*;

const CUSTOMERS: &str = "id,name\nC1,Alfa AB\n";

/// Reminder 7 days after due, one reminder, collection 10 days after its deadline (defaults).
fn stats_ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", CUSTOMERS);
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount\n\
I1,C1,2026-01-30,2026-03-01,1000\n\
I2,C1,2026-01-30,2026-03-01,2000\n\
I3,C1,2026-01-30,2026-03-01,500\n\
I4,C1,2026-05-04,2026-06-03,300\n\
I5,C1,2026-01-02,2026-02-01,800\n\
I6,C1,2026-01-02,2026-02-01,400\n\
I7,C1,2026-01-02,2026-02-01,600\n\
I8,C1,2026-01-02,2026-02-01,900\n\
I9,C1,2025-12-02,2026-01-01,700\n",
    );
    l.write(
        "payments.csv",
        "date,invoice,amount,reference\n\
2026-03-12,I1,1000,\n2026-03-20,I2,500,\n2026-04-01,I2,1500,\n2026-04-10,I3,500,\n\
2026-02-15,I5,800,\n2026-01-30,I7,600,\n2026-02-20,I9,700,\n",
    );
    l.write(
        "journal.csv",
        "date,event,invoice,customer,amount,until,channel,ref,note\n\
2026-01-08,reminder,I9,C1,0,2026-01-18,letter,,\n\
2026-02-03,dispute,I8,C1,,,,,\n\
2026-03-08,reminder,I1,C1,0,2026-03-18,letter,,\n\
2026-03-08,reminder,I2,C1,0,2026-03-18,letter,,\n\
2026-03-08,reminder,I3,C1,0,2026-03-18,letter,,\n\
2026-03-29,collection,I3,C1,500,,,,\n\
2026-06-10,reminder,I4,C1,0,2026-06-20,letter,,\n",
    );
    l
}

#[test]
fn stats_json_has_each_steps_hand_computed_figures() {
    let out = stats_ledger().ok(&["stats", "--format", "json", "--as-of", "2026-06-30"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v["steps"].as_array().unwrap();
    let r1 = &steps[0];
    assert_eq!(r1["step"], "reminder-1");
    // I1 paid after 4 days, I2 24, I3 33, I9 43: median (24 + 33) / 2.
    assert_eq!(
        (&r1["invoices"], &r1["paid_within_7"], &r1["paid_within_14"], &r1["paid_within_30"]),
        (&4.into(), &1.into(), &1.into(), &2.into())
    );
    assert_eq!(r1["median_days_to_pay"], 28.5);
    assert_eq!(r1["too_recent"], 1);
    assert_eq!(r1["amounts"]["SEK"]["paid_within_30"], "3000.00");
    // Without a reminder: I5 paid 7 days after its day, I6 never: no median.
    assert_eq!(r1["without_step"]["invoices"], 2);
    assert_eq!(r1["without_step"]["paid_within_7"], 1);
    assert!(r1["without_step"]["median_days_to_pay"].is_null());
    assert_eq!(r1["conclusive"], false);
    let c = &steps[1];
    assert_eq!(c["step"], "collection");
    assert_eq!(
        (&c["invoices"], &c["paid_within_14"], &c["median_days_to_pay"]),
        (&1.into(), &1.into(), &12.into())
    );
    assert_eq!(c["without_step"]["median_days_to_pay"], 12.5);
    assert_eq!(v["shares"]["invoices_due_12m"], 9);
    assert_eq!(v["shares"]["reminder_share_pct"], "55.6");
    assert_eq!(v["shares"]["collection_share_pct"], "11.1");
}

#[test]
fn stats_says_when_samples_are_too_small_and_agrees_with_the_report() {
    let l = stats_ledger();
    let table = l.ok(&["stats", "--as-of", "2026-06-30"]);
    assert!(
        table.contains(
            "reminder-1: too few invoices to conclude (4 after the step, 2 without; 20 each needed)"
        ),
        "{table}"
    );
    assert!(table.contains("reminded: 5 (55.6 %)"), "{table}");
    let report = l.ok(&["report", "--format", "json", "--as-of", "2026-06-30"]);
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(r["key_figures"]["reminder_share_pct"], "55.6");
    assert_eq!(r["key_figures"]["collection_share_pct"], "11.1");
    let csv = l.ok(&["stats", "--format", "csv", "--as-of", "2026-06-30"]);
    assert!(csv.starts_with(
        "step,group,currency,invoices,open_at_step,paid_within_7,paid_within_14,paid_within_30\n"
    ));
    assert!(csv.contains("reminder-1,after_step,SEK,4,4200.00,1000.00,1500.00,3000.00\n"), "{csv}");
}

/// A pays 2, 3, 5 and 12 days late; B once, 20 days late; C never paid yet.
fn forecast_ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa AB\nB,Beta AB\nC,Gamma Oy\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,currency\n\
HA1,A,2026-04-01,2026-05-01,100,SEK\n\
HA2,A,2026-04-10,2026-05-10,100,SEK\n\
HA3,A,2026-05-02,2026-06-01,100,SEK\n\
HB1,B,2026-03-02,2026-04-01,100,SEK\n\
OA1,A,2026-05-31,2026-06-30,600,SEK\n\
OA2,A,2026-05-26,2026-06-25,500,SEK\n\
OA3,A,2026-05-11,2026-06-10,1000,SEK\n\
OA4,A,2026-05-16,2026-06-15,250,SEK\n\
OB1,B,2026-05-29,2026-06-28,900,SEK\n\
OC1,C,2026-06-10,2026-07-10,50,EUR\n",
    );
    l.write(
        "payments.csv",
        "date,invoice,amount,reference\n\
2026-05-03,HA1,100,\n2026-05-15,HA2,100,\n2026-06-13,HA3,100,\n2026-04-21,HB1,100,\n\
2026-06-18,OA4,250,\n2026-06-26,OA2,200,\n",
    );
    l
}

#[test]
fn forecast_json_has_the_hand_computed_weeks_and_backtest() {
    let out =
        forecast_ledger().ok(&["forecast", "--weeks", "2", "--format", "json", "--as-of", "2026-06-30"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let weeks: Vec<(String, String, String)> = v["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["week_start"].as_str().unwrap().into(),
                w["currency"].as_str().unwrap().into(),
                w["expected"].as_str().unwrap().into(),
            )
        })
        .collect();
    let w = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        weeks,
        [
            w("2026-07-01", "EUR", "0.00"),
            w("2026-07-01", "SEK", "1200.00"),
            w("2026-07-08", "EUR", "20.00"),
            w("2026-07-08", "SEK", "375.00"),
        ]
    );
    assert_eq!(v["per_currency"]["SEK"]["not_expected"], "1000.00");
    assert_eq!(v["per_currency"]["SEK"]["later"], "225.00");
    let b = &v["backtest"];
    assert_eq!(b["as_of"], "2026-06-16");
    assert_eq!(b["error"]["SEK"]["wape_pct"], "301.9");
    assert_eq!(b["error"]["SEK"]["actual"], "450.00");
    assert!(b["error"]["EUR"]["wape_pct"].is_null());
}

#[test]
fn forecast_prints_its_model_and_backtest_error() {
    let l = forecast_ledger();
    let out = l.ok(&["forecast", "--weeks", "2", "--as-of", "2026-06-30"]);
    assert!(out.contains("Model: each open invoice is paid on its due date plus one of the delays"), "{out}");
    assert!(out.contains("SEK: WAPE 301.9 %"), "{out}");
    let csv = l.ok(&["forecast", "--weeks", "2", "--format", "csv", "--as-of", "2026-06-30"]);
    assert_eq!(
        csv,
        "week_start,currency,expected\n2026-07-01,EUR,0.00\n2026-07-01,SEK,1200.00\n2026-07-08,EUR,20.00\n2026-07-08,SEK,375.00\n"
    );
    let err = l.fails(&["forecast", "--weeks", "0"], 1);
    assert!(err.contains("--weeks 0: give 1 to 52 weeks"), "{err}");
}
