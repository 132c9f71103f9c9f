//! `dun rules`: the statutory figures in force on a date, per country, through the binary.
//! Expected figures from `docs/reference/nordic-rules.md` § 8 (issue #11), checked by hand.

use assert_cmd::Command;

fn rules(args: &[&str]) -> std::process::Output {
    let mut cmd = Command::cargo_bin("dun").unwrap();
    cmd.arg("rules").args(args).env_remove("DUN_DIR").env("NO_COLOR", "1");
    cmd.output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = rules(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn csv_lists_norways_figures_with_date_source_and_mark() {
    let csv = ok(&["--country", "no", "--as-of", "2026-12-01", "--format", "csv"]);
    assert!(csv.starts_with("country,debtor,rule,value,in_force,source,confidence,mark\n"), "{csv}");
    for line in [
        "NO,all,interest.reference_rate,4.25 % (Norges Bank styringsrente),2026-07-01,forsinkelsesrenteloven § 3,secondary,◐",
        "NO,consumer,interest.statutory_rate,12.25 % (reference + 8 pp),,forsinkelsesrenteloven § 3,statute,✅",
        "NO,business,reminder_fee.max,38 NOK,2026-01-01,inkassoforskriften § 1-2 (1/20 of the inkassosats),secondary,◐",
        "NO,business,reminder_fee.next_needs_missed_deadline_days,14,2026-01-01,inkassoforskriften § 1-3,statute,✅",
        "NO,business,compensation.amount,430 NOK,2026-07-01,forsinkelsesrenteloven § 3a,secondary,◐",
        "NO,all,interest.day_count,actual/actual,",
    ] {
        assert!(csv.contains(line), "missing {line:?} in\n{csv}");
    }
    assert!(!csv.contains("\nSE,"), "only Norway was asked for");
}

#[test]
fn the_new_norwegian_inkassolov_and_a_carried_rate_show() {
    let csv = ok(&["--as-of", "2027-01-01", "--format", "csv"]);
    assert!(csv.contains("NO,business,reminder_fee.max,0 NOK,2027-01-01,"), "{csv}");
    assert!(csv.contains("NO,all,collection.creditor_warning_required,no,"), "{csv}");
    // Denmark's 2027H1 rate is not known: carried forward, marked derived.
    let dk = csv.lines().find(|l| l.starts_with("DK,all,interest.reference_rate,")).unwrap();
    assert!(dk.contains("carried forward") && dk.ends_with(",derived,⚠"), "{dk}");
    for country in ["SE,", "NO,", "DK,", "FI,", "EU,"] {
        assert!(csv.lines().any(|l| l.starts_with(country)), "{country}");
    }
}

#[test]
fn json_and_table_carry_the_same_rows() {
    let json = ok(&["--country", "SE", "--as-of", "2026-11-30", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rate = rows.as_array().unwrap().iter().find(|r| r["rule"] == "interest.statutory_rate").unwrap();
    assert_eq!(rate["value"], "10.00 % (reference + 8 pp)");
    let moves = rows.as_array().unwrap().iter().find(|r| r["rule"] == "due_date.non_business_day").unwrap();
    assert_eq!(moves["source"], "skuldebrevslagen (1974:759) 5 § 2 st.");
    let table = ok(&["--country", "SE", "--as-of", "2026-11-30"]);
    assert!(table.contains("Statutory rules in force on 2026-11-30"), "{table}");
    assert!(table.contains("moves to the next business day") && table.contains("✅"), "{table}");
}

#[test]
fn a_ledger_directory_is_refused_as_meaningless() {
    let out = rules(&["--dir", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dir has no effect"));
}
