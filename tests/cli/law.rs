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

/// Finding 12: `dun report`'s accrued interest used the company's pack and the business
/// margin for everyone. A Swedish company's Finnish consumer: viitekorko 2.50 + 7 = 9.50 %,
/// 10 000 € from 5 May to 30 Jun 2026 (57 days): 10000 × 9.5 × 57 / 36500 = 148.36 (the
/// Swedish 10 % would give 156.16); the same as `dun due` shows.
#[test]
fn the_reports_accrued_interest_follows_each_debtors_law() {
    let l = Ledger::new();
    l.write("policy.toml", &format!("{POLICY_SE}[interest]\nmode = \"statutory\"\n"));
    l.write("customers.csv", "id,name,kind,country\nF,Matti Virtanen,consumer,FI\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,currency\n1,F,2026-04-04,2026-05-04,10000,EUR\n",
    );
    let json = l.ok(&["report", "--format", "json", "--as-of", "2026-06-30"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["key_figures"]["per_currency"]["EUR"]["accrued_interest"], "148.36", "{json}");
    let due = l.ok(&["due", "--all", "--format", "csv", "--as-of", "2026-06-30"]);
    assert!(due.contains(",10000.00,57,0.00,148.36,"), "{due}");
}

/// Issue #11 follow-up: the report's accrued interest applies each segment's interest settings,
/// as `dun due` does. 10 000 kr each, due Monday 2026-05-04, to 2026-06-30 (57 days), Swedish
/// businesses: no segment 10 % (2.00 + 8) → 10000 × 10 × 57 / 36500 = 156.1644; segment
/// `bygg` a fixed 24 % → 374.7945; segment `fri` no interest → 0. The report sums before
/// rounding: 530.9589 → 530.96 (the base rules for all three gave 468.49).
#[test]
fn the_reports_accrued_interest_applies_each_segments_interest_settings() {
    let l = Ledger::new();
    let segments = "[segments.bygg.interest]\nmode = \"fixed\"\nrate = \"24\"\n[segments.fri.interest]\nmode = \"none\"\n";
    l.write("policy.toml", &format!("{POLICY_SE}[interest]\nmode = \"statutory\"\n{segments}"));
    l.write("customers.csv", "id,name,kind,country,segment\nA,Alfa AB,business,SE,\nB,Bygg AB,business,SE,bygg\nC,Fri AB,business,SE,fri\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,currency\n1,A,2026-04-04,2026-05-04,10000,SEK\n\
         2,B,2026-04-04,2026-05-04,10000,SEK\n3,C,2026-04-04,2026-05-04,10000,SEK\n",
    );
    let accrued = |l: &Ledger| {
        let json = l.ok(&["report", "--format", "json", "--as-of", "2026-06-30"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["key_figures"]["per_currency"]["SEK"]["accrued_interest"].clone()
    };
    assert_eq!(accrued(&l), "530.96");
    let due = l.ok(&["due", "--all", "--format", "csv", "--as-of", "2026-06-30"]);
    for interest in [",10000.00,57,0.00,156.16,", ",10000.00,57,0.00,374.79,", ",10000.00,57,0.00,0.00,"] {
        assert!(due.contains(interest), "{interest} in {due}");
    }
    // No interest in the base tables: only the segment that sets its own charges any.
    l.write("policy.toml", &format!("{POLICY_SE}[interest]\nmode = \"none\"\n{segments}"));
    assert_eq!(accrued(&l), "374.79");
}

/// Finding 11: a reference rate carried forward is said where it matters: `dun check` reports
/// it as an error (so `dun check -q && dun remind` stops), `dun due -q` still warns, and
/// `dun report` notes it. Denmark's 2026H2 rate was not found.
#[test]
fn a_carried_rate_is_a_finding_and_a_warning_even_with_q() {
    let l = Ledger::new();
    l.write("policy.toml", "[company]\nname = \"Firma ApS\"\ncountry = \"DK\"\ncurrency = \"DKK\"\n[interest]\nmode = \"statutory\"\n");
    l.write(
        "customers.csv",
        "id,name,org_no,email,address,postcode,city\nB,Byg ApS,13585628,b@byg.example,Gade 1,2100,København\n",
    );
    l.write("invoices.csv", "number,customer,issued,due,amount\n1,B,2026-05-01,2026-06-01,1000\n");
    let err = l.fails(&["check", "-q", "--as-of", "2026-08-01"], 1);
    assert!(err.contains("1 error"), "{err}");
    let out = l.dun(&["check", "--format", "csv", "--as-of", "2026-08-01"]).output().unwrap();
    let csv = String::from_utf8_lossy(&out.stdout).replace("\"", "");
    assert!(csv.contains("error,policy.toml,0,interest.reference_rates,reference-rate-missing,"), "{csv}");
    assert!(csv.contains("2026H2"), "{csv}");
    let out = l.dun(&["due", "-q", "--as-of", "2026-08-01"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2026H2") && stderr.contains("carried forward"), "{stderr}");
    let table = l.ok(&["report", "--as-of", "2026-08-01"]);
    assert!(table.contains("Note: accrued interest: no reference rate known for DK 2026H2"), "{table}");
    // With the rate in the policy, nothing to say.
    l.write(
        "policy.toml",
        "[company]\nname = \"Firma ApS\"\ncountry = \"DK\"\ncurrency = \"DKK\"\n[interest]\nmode = \"statutory\"\nreference_rates = [{ from = 2026-07-01, rate = \"1.60\" }]\n",
    );
    l.ok(&["check", "-q", "--as-of", "2026-08-01"]);
}

/// Finding 6 in `dun explain`: the moved due date and its statute are shown.
#[test]
fn explain_shows_the_moved_due_date_and_the_claim() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &format!("{POLICY_SE}[interest]\nmode = \"statutory\"\n[collection]\ncompensation = \"statutory\"\n"),
    );
    l.write("customers.csv", "id,name\nB,Bygg AB\n");
    l.write("invoices.csv", "number,customer,issued,due,amount\n1,B,2026-10-01,2026-10-31,100000\n");
    let out = l.ok(&["explain", "1", "--as-of", "2026-11-03"]);
    assert!(out.contains("alla helgons dag") && out.contains("2026-11-02"), "{out}");
    assert!(out.contains("skuldebrevslagen (1974:759) 5 § 2 st."), "{out}");
    // One day of interest: 100 000 × 10 % / 365 = 27.40; the 450 kr compensation.
    assert!(out.contains("interest 27.40") && out.contains("compensation 450.00"), "{out}");
}
