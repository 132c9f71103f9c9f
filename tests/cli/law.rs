//! Issue #11 through the binary: whose law a letter states, and one claim's figures in the
//! reminder, `dun due`, the collection notice and the agency batch. Figures by hand from
//! `docs/reference/nordic-rules.md` § 8.

use crate::common::*;

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,address,postcode,city\n\
N,Nordlys AS,business,988077917,NO,nb,post@nordlys.example,Storgata 1,0155,Oslo\n";

/// A letter's text with its no-break spaces as plain ones.
fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap().replace('\u{a0}', " ").replace("&nbsp;", " ")
}

fn norwegian_business(company: &str, currency: &str) -> Ledger {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &format!(
            "[company]\nname = \"Firma\"\ncountry = \"{company}\"\ncurrency = \"{currency}\"\nemail = \"f@firma.example\"\n\
             [reminder]\nafter_days = 7\npay_within_days = 10\nchannels = [\"letter\"]\n\
             [interest]\nmode = \"none\"\n[collection]\ncompensation = \"0\"\n"
        ),
    );
    l.write("customers.csv", CUSTOMERS);
    l.write(
        "invoices.csv",
        &format!("number,customer,issued,due,amount,currency\n1,N,2026-10-23,2026-11-23,5000,{currency}\n"),
    );
    l
}

/// Finding 14: a Swedish company's Norwegian letter to a business, dated 30.11.2026, said its
/// deadline 10.12.2026 "er minst 14 dager etter at varselet ble sendt". Swedish law governs
/// the claim: no such statement. Under Norwegian law the deadline is raised to 14 days and the
/// statement is true.
#[test]
fn a_letter_states_only_what_the_governing_law_makes_true() {
    let se = norwegian_business("SE", "SEK");
    se.ok(&["remind", "--as-of", "2026-11-30", "-q"]);
    let mail = read(&se.file("out/2026-11-30/reminder-1_N_SEK.letter.html"));
    assert!(mail.contains("10.12.2026"), "{mail}");
    assert!(!mail.contains("minst 14 dager") && !mail.contains("inkassoloven"), "{mail}");

    let no = norwegian_business("NO", "NOK");
    no.ok(&["remind", "--as-of", "2026-11-30", "-q"]);
    let mail = read(&no.file("out/2026-11-30/reminder-1_N_NOK.letter.html"));
    assert!(mail.contains("14.12.2026") && mail.contains("minst 14 dager"), "{mail}");
    assert!(mail.contains("inkassoloven § 9"), "{mail}");
}

/// Finding 13: two invoices of one Swedish business, one letter with one 60 kr fee. The
/// compensation is 450 − 60 = 390 on the first claim and 450 on the second (840, not 780); the
/// agency batch and `dun due` show the same per invoice, and the batch's claim totals include
/// the fee the debtor's notice includes.
#[test]
fn the_reminder_due_and_the_batch_show_one_claims_figures() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &format!("{POLICY_SE}email = \"f@firma.example\"\n[reminder]\nfee = \"60\"\nchannels = [\"letter\"]\n[interest]\nmode = \"none\"\n[collection]\ncompensation = \"statutory\"\nafter_days = 10\n"),
    );
    l.write(
        "customers.csv",
        "id,name,kind,org_no,email,address,postcode,city\nB,Bygg AB,business,556036-0793,b@bygg.example,Gatan 1,11122,Stad\n",
    );
    l.write("invoices.csv", "number,customer,issued,due,amount\n1,B,2026-08-02,2026-09-01,10000\n2,B,2026-08-03,2026-09-02,5000\n");
    let due = l.ok(&["due", "--as-of", "2026-09-09", "--format", "csv"]);
    let rows: Vec<&str> = due.lines().skip(1).collect();
    assert!(rows[0].starts_with("reminder,B,1,SEK,10000.00,8,60.00,0.00,390.00,"), "{due}");
    assert!(rows[1].starts_with("reminder,B,2,SEK,5000.00,7,0.00,0.00,450.00,"), "{due}");
    l.ok(&["remind", "--as-of", "2026-09-09", "-q"]);
    let mail = read(&l.file("out/2026-09-09/reminder-1_B_SEK.letter.html"));
    // 15 000 + 60 + 840 = 15 900.
    assert!(mail.contains("840,00") && mail.contains("15 900,00"), "{mail}");
    // Deadline 09-19, collection from 09-30.
    l.ok(&["collect", "--as-of", "2026-09-30", "-q"]);
    let batch = std::fs::read_to_string(l.file("out/2026-09-30/collection-batch.csv")).unwrap();
    let totals: Vec<(String, String, String)> = batch
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[17].to_owned(), f[19].to_owned(), f[20].to_owned())
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("60.00".to_owned(), "390.00".to_owned(), "10450.00".to_owned()),
            ("0.00".to_owned(), "450.00".to_owned(), "5450.00".to_owned())
        ],
        "{batch}"
    );
    let notice = read(&l.file("out/2026-09-30/collection-1_B_SEK.letter.html"));
    assert!(notice.contains("15 900,00"), "{notice}");
}
