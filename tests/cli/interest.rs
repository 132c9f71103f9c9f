//! Late-payment interest through the binary: `dun interest` and the report's accrued interest.
//! Figures checked by hand: Swedish statutory rate 2026H1 = reference 2.00 + 8 = 10 %,
//! actual/365, from the day after the due date up to and including the payment date.

use crate::common::*;

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", &format!("{POLICY_SE}[interest]\nmode = \"statutory\"\n"));
    l.write("customers.csv", "id,name\nA,Alfa AB\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,paid_on\n\
         1,A,2026-01-01,2026-01-31,10000,10000,2026-03-02\n\
         2,A,2026-01-01,2026-01-31,700,700,2026-01-30\n\
         3,A,2026-05-21,2026-06-20,5000,0,\n\
         4,A,2026-10-01,2026-10-31,1000,0,\n",
    );
    l.write("payments.csv", "date,invoice,amount\n2026-06-30,3,2000\n2026-07-10,3,3000\n");
    l
}

#[test]
fn interest_on_invoices_settled_late() {
    // Issue #11, finding 6: skuldebrevslagen 5 § moves a due date on a weekend or holiday.
    // 1: due Saturday 31 Jan → Monday 2 Feb; 28 days (3 Feb – 2 Mar) on 10 000 = 76.71.
    // 3: due Saturday 20 Jun (midsommardagen) → Monday 22 Jun; 8 days on 5 000 (23–30 Jun)
    //    + 10 days on 3 000 (1–10 Jul, 2026H2 = 10 %) = 10.96 + 8.22 = 19.18. 2 was paid
    //    before its due date.
    let csv = ledger().ok(&["interest", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "csv"]);
    assert_eq!(
        csv,
        "customer,name,invoice,currency,amount,due,settled,days_late,interest\n\
         A,Alfa AB,1,SEK,10000.00,2026-01-31,2026-03-02,30,76.71\n\
         A,Alfa AB,3,SEK,5000.00,2026-06-20,2026-07-10,20,19.18\n"
    );
    let march = ledger().ok(&["interest", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"]);
    assert_eq!(march.lines().count(), 2, "{march}");
}

#[test]
fn report_shows_interest_accrued_on_open_invoices() {
    // 4: 1 000 open, due Saturday 31 Oct (alla helgons dag) → Monday 2 Nov: 28 days late on
    //    30 Nov at 10 % = 7.67 (the report's figure follows the same law).
    let json = ledger().ok(&["report", "--format", "json", "--as-of", "2026-11-30"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["key_figures"]["per_currency"]["SEK"]["accrued_interest"], "7.67");
}

#[test]
fn due_shows_each_invoices_interest() {
    let csv = ledger().ok(&["due", "--all", "--format", "csv", "--as-of", "2026-11-30"]);
    let row = csv.lines().find(|l| l.contains(",A,4,")).unwrap();
    assert!(row.contains(",1000.00,30,0.00,7.67,450.00,"), "{row}");
}
