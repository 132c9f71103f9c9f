//! `dun customer`: one customer on one screen. Figures worked out by hand for 2026-11-30.
//!
//! K1: 1001 (1 000,00, due 10-31) is 30 days overdue with a 60,00 reminder fee journaled, and
//! statutory interest at 1,75 (the policy's reference rate from 2026-07-01) + 8 = 9,75 %:
//! due Saturday 2026-10-31 (alla helgons dag) moves to Monday 11-02 (skuldebrevslagen 5 §), so
//! 28 days: 1000 × 0.0975 × 28 / 365 = 7.4795 → 7,48. 1003 (2 000,00) is not due. 2001 was paid
//! 10 days late (2026-02-10, in the 12 months before the last 3), 2002 15 days late by the
//! payment of 2026-10-15 in payments.csv (in the last 3 months): one invoice each, too few for
//! a trend. Exposure 3 000,00 against the limit 5 000,00.

use serde_json::Value;

use crate::common::*;

const AS_OF: &str = "2026-11-30";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &format!(
            "{POLICY_SE}[interest]\nmode = \"statutory\"\nreference_rates = [{{ from = 2026-07-01, rate = \"1.75\" }}]\n"
        ),
    );
    l.write(
        "customers.csv",
        "id,name,kind,org_no,country,email,phone,address,postcode,city,contact,credit_limit\n\
K1,Alfa Bygg AB,business,556036-0793,SE,faktura@alfa.se,070-174 06 21,Storgatan 1,431 34,Mölndal,Eva Lind,5 000\n\
K2,Alfa Måleri HB,business,,SE,info@alfamaleri.se,,,,,,\n\
K3,Beta AB,business,,SE,b@beta.se,,,,,,100\n",
    );
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,currency,reference,paid_on\n\
1001,K1,2026-10-01,2026-10-31,1000.00,0,SEK,10017,\n\
1003,K1,2026-11-20,2026-12-20,2000.00,0,SEK,10033,\n\
2001,K1,2026-01-01,2026-01-31,3000.00,3000.00,SEK,,2026-02-10\n\
2002,K1,2026-09-01,2026-09-30,1000.00,0,SEK,,\n\
2003,K3,2026-09-01,2026-09-30,500.00,0,SEK,,\n",
    );
    l.write("payments.csv", "date,invoice,amount\n2026-10-15,2002,1000.00\n");
    l.write(
        "journal.csv",
        "date,event,invoice,customer,amount,until,channel,ref,note\n\
2026-11-20,note,,K1,,,,,\"Ringde, lovar betala fredag\"\n\
2026-11-10,reminder,1001,K1,60.00,,email+letter,,\n\
2026-11-25,promise,1001,K1,,2026-12-04,,,\n\
2026-11-12,reminder,2003,K3,60.00,,email,,\n\
2026-12-05,note,,K1,,,,,after the as-of date\n",
    );
    l
}

#[test]
fn the_table_has_everything_for_the_call() {
    let out = ledger().ok(&["customer", "K1", "--as-of", AS_OF]);
    for expected in [
        "K1  Alfa Bygg AB    (as of 2026-11-30)\nbusiness · SE · sv · segment –\n",
        "Org/person no  556036-0793\n",
        "Contact        Eva Lind\n",
        "E-mail         faktura@alfa.se\n",
        "Phone          070-174 06 21  (+46701740621)\n",
        "Address        Storgatan 1, 431 34, Mölndal\n",
        "│ 1001    ┆ 2026-10-01 ┆ 2026-10-31 ┆           30 ┆ SEK      ┆ 1 000.00 ┆ 1 000.00 ┆ 60.00 ┆     7.48 ┆      │",
        "│ 1003    ┆ 2026-11-20 ┆ 2026-12-20 ┆ not due      ┆ SEK      ┆ 2 000.00 ┆ 2 000.00 ┆  0.00 ┆     0.00 ┆      │",
        "Total SEK: open 3 000.00, overdue 1 000.00, fees 60.00, interest so far 7.48\n",
        "last 3 months 15.0 days (1 invoice); the 12 months before 10.0 days (1 invoice)\n",
        "Trend: too few settled invoices to tell (needs 2 in each period)\n",
        "Last payment: 2026-10-15, 1 000.00 on invoice 2002 (payments.csv:2)\n",
        "Limit 5 000.00 SEK; exposure 3 000.00 SEK",
        "Customer since the first invoice on 2026-01-01\n",
        "Journal\n  2026-11-10  reminder   1001  60.00  via email+letter\n  2026-11-20  note        \"Ringde, lovar betala fredag\"\n  2026-11-25  promise    1001  until 2026-12-04\n",
        // 1001 is promised until 12-04; 1003 gets its first reminder on 12-27.
        "Next step: next step on 2026-12-05 (invoice 1001); `dun explain 1001` says why\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    for absent in ["2003", "after the as-of date", "Watch:", "Data problems", "Note:"] {
        assert!(!out.contains(absent), "unexpected {absent:?} in\n{out}");
    }
}

#[test]
fn json_carries_the_same_figures() {
    let out = ledger().ok(&["customer", "K1", "--as-of", AS_OF, "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["customer"]["phone_e164"], "+46701740621");
    let open = v["open_invoices"].as_array().unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(
        (&open[0]["invoice"], &open[0]["days_overdue"], &open[0]["fees"], &open[0]["interest"]),
        (&Value::from("1001"), &Value::from(30), &Value::from("60.00"), &Value::from("7.48"))
    );
    assert_eq!(open[1]["days_overdue"], 0);
    assert_eq!(v["totals"][0]["open"], "3000.00");
    let b = &v["payment_behaviour"];
    assert_eq!(
        (&b["avg_days_late_recent"], &b["avg_days_late_prior"]),
        (&Value::from("15.0"), &Value::from("10.0"))
    );
    assert_eq!((&b["trend_days"], &b["worsening"]), (&Value::from("5.0"), &Value::from(false)));
    assert_eq!(b["last_payment"]["source"], "payments.csv:2");
    assert_eq!(
        (&v["credit"]["limit"], &v["credit"]["exposure"]),
        (&Value::from("5000.00"), &Value::from("3000.00"))
    );
    let events: Vec<&str> =
        v["journal"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["reminder", "note", "promise"]);
    assert_eq!(v["journal"][1]["note"], "Ringde, lovar betala fredag");
    assert_eq!(v["next_step"], "next step on 2026-12-05 (invoice 1001); `dun explain 1001` says why");
    assert_eq!(v["findings"], Value::Array(vec![]));
}

#[test]
fn csv_lists_the_open_invoices() {
    let out = ledger().ok(&["customer", "K1", "--as-of", AS_OF, "--format", "csv"]);
    assert_eq!(
        out,
        "customer,invoice,issued,due,days_overdue,currency,amount,open,fees,interest,note\n\
K1,1001,2026-10-01,2026-10-31,30,SEK,1000.00,1000.00,60.00,7.48,\n\
K1,1003,2026-11-20,2026-12-20,0,SEK,2000.00,2000.00,0.00,0.00,\n"
    );
}

#[test]
fn credit_watch_and_data_problems_are_shown() {
    // K3: 500,00 open against a limit of 100,00, no org number for a collection hand-over.
    let out = ledger().ok(&["customer", "K3", "--as-of", AS_OF]);
    assert!(out.contains("  Watch: exposure 500.00 SEK is over the credit limit 100.00 SEK\n"), "{out}");
    assert!(
        out.contains("Data problems (dun check)\n  customers.csv:4: warning[collection-info-missing]"),
        "{out}"
    );
    assert!(out.contains("2026-11-12  reminder   2003  60.00  via email\n"), "{out}");
}

#[test]
fn found_by_a_part_of_the_name() {
    let l = ledger();
    assert!(l.ok(&["customer", "måLERI", "--as-of", AS_OF]).starts_with("K2  Alfa Måleri HB"));
    assert!(l.ok(&["customer", "beta", "--as-of", AS_OF]).starts_with("K3  Beta AB"));
}

#[test]
fn several_matches_list_the_ids_and_exit_1() {
    let err = ledger().fails(&["customer", "alfa", "--as-of", AS_OF], 1);
    assert_eq!(
        err,
        "dun: error: 2 customers match \"alfa\"; give the id:\n  K1  Alfa Bygg AB\n  K2  Alfa Måleri HB\n"
    );
}

#[test]
fn no_match_exits_1() {
    let err = ledger().fails(&["customer", "zzz"], 1);
    assert!(err.contains("no customer has the id \"zzz\" or a name containing it"), "{err}");
}
