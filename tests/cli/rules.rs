//! `dun rules`: the statutory figures in force on a date, per country, through the binary.
//! Expected figures from `docs/reference/nordic-rules.md` § 8 (issue #11), checked by hand.

use assert_cmd::Command;

/// `dun rules` run from an empty directory: outside any ledger unless `args` name one.
fn rules(args: &[&str]) -> std::process::Output {
    let nowhere = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("dun").unwrap();
    cmd.arg("rules").args(args).current_dir(nowhere.path()).env_remove("DUN_DIR").env("NO_COLOR", "1");
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

/// Issue #11 follow-up: nordic-rules § 8.2 reports (◐) that Norwegian fees may restart 6 months
/// after the last one, without its wording; `dun` does not restart them, and says so.
#[test]
fn norways_unconfirmed_fee_restart_is_listed_with_what_dun_does() {
    let csv = ok(&["--country", "NO", "--as-of", "2026-12-01", "--format", "csv"]);
    let line = csv
        .lines()
        .find(|l| l.starts_with("NO,all,reminder_fee.count_restarts,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(line.contains("never: at most 2 fee-bearing notices per claim"), "{line}");
    assert!(
        line.contains("fees may restart 6 months after the last one") && line.ends_with(",derived,⚠"),
        "{line}"
    );
}

/// A Swedish company's ledger: a fixed 50 kr fee, statutory compensation, a SEK/EUR rate, its
/// own Danish 2026H2 reference rate, Norway's new inkassolov from 2027-07-01, and a segment of
/// businesses charged a fixed 12 %.
const POLICY: &str = "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
    [reminder]\nfee = \"50\"\n[interest]\nreference_rates = [{ from = 2026-07-01, rate = \"1.60\" }]\n\
    [law]\nexchange_rates = [{ date = 2026-11-01, from = \"EUR\", to = \"SEK\", rate = \"11.0789\" }]\n\
    no_inkassolov_in_force = 2027-07-01\n\
    [segments.bygg.interest]\nmode = \"fixed\"\nrate = \"12\"\n";

fn ledger() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.toml"), POLICY).unwrap();
    dir
}

fn rows(json: &str) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(json).unwrap().as_array().unwrap().clone()
}

fn row<'a>(rows: &'a [serde_json::Value], country: &str, debtor: &str, rule: &str) -> &'a serde_json::Value {
    rows.iter()
        .find(|r| r["country"] == country && r["debtor"] == debtor && r["rule"] == rule)
        .unwrap_or_else(|| panic!("no {country} {debtor} {rule}"))
}

/// Issue #11 follow-up: inside a ledger `dun rules` shows what `dun` will charge, the policy's
/// setting beside the statutory figure and its source. Worked by hand: 5 € × 11.0789 = 55.39 SEK
/// (rounded down), a fixed 50 kr is within it; Denmark's 1.60 + 8 = 9.60 %.
#[test]
fn in_a_ledger_the_policys_settings_stand_beside_the_statutory_figures() {
    let dir = ledger();
    let json = ok(&["--dir", dir.path().to_str().unwrap(), "--as-of", "2026-12-01", "--format", "json"]);
    let rows = rows(&json);
    let fee = row(&rows, "FI", "consumer", "reminder_fee.max");
    assert_eq!(fee["value"], "5 EUR");
    assert_eq!(fee["source"], "laki saatavien perinnästä (513/1999) 10 a §");
    assert_eq!(
        fee["policy"],
        "50 SEK (reminder.fee), within the 5 EUR maximum = 55.39 SEK at 11.0789 SEK/EUR of 2026-11-01 (law.exchange_rates)"
    );
    // A Swedish company's Finnish businesses are under Swedish law.
    assert_eq!(
        row(&rows, "FI", "business", "reminder_fee.max")["policy"],
        "not applied: business debtors are under the company's law (SE)"
    );
    let dk = row(&rows, "DK", "consumer", "interest.statutory_rate");
    assert_eq!(dk["value"], "9.75 % (reference + 8 pp)");
    // The segment's fixed rate applies to its customers whoever's law governs them.
    let segment = "segment bygg: 12 % fixed (interest.mode = \"fixed\", interest.rate)";
    assert_eq!(
        dk["policy"].as_str().unwrap(),
        format!("9.60 % (reference 1.6 from 2026-07-01 in interest.reference_rates + 8 pp); {segment}")
    );
    let dk_rate = row(&rows, "DK", "all", "interest.reference_rate");
    assert!(dk_rate["value"].as_str().unwrap().contains("carried forward"), "{dk_rate}");
    assert_eq!(dk_rate["policy"], "1.60 % from 2026-07-01 (interest.reference_rates)");
    // interest.reference_rates is one list for every country: from 2026-07-01 it replaces
    // Sweden's built-in 2.00 too, and the listing says so.
    assert_eq!(
        row(&rows, "SE", "business", "interest.statutory_rate")["policy"].as_str().unwrap(),
        format!("9.60 % (reference 1.6 from 2026-07-01 in interest.reference_rates + 8 pp); {segment}")
    );
    assert_eq!(row(&rows, "SE", "business", "compensation.amount")["policy"], serde_json::Value::Null);
    assert_eq!(
        row(&rows, "NO", "all", "collection.creditor_warning_ends")["policy"],
        "in force from 2027-07-01 (law.no_inkassolov_in_force)"
    );
    // Norwegian consumers on 2027-03-01: the act is in force by the built-in day, not the policy's.
    let csv = ok(&[
        "--dir",
        dir.path().to_str().unwrap(),
        "--as-of",
        "2027-03-01",
        "--country",
        "NO",
        "--format",
        "csv",
    ]);
    assert!(csv.starts_with("country,debtor,rule,value,in_force,source,confidence,mark,policy\n"), "{csv}");
    let line = csv.lines().find(|l| l.starts_with("NO,consumer,reminder_fee.max,")).unwrap();
    assert!(line.starts_with("NO,consumer,reminder_fee.max,0 NOK,2027-01-01,"), "{line}");
    assert!(
        line.contains("refused: no SEK/NOK rate in law.exchange_rates")
            && line.contains("the fee rules in force from 2026-01-01 apply (law.no_inkassolov_in_force)"),
        "{line}"
    );
    let table = ok(&["--dir", dir.path().to_str().unwrap(), "--as-of", "2026-12-01", "--country", "FI"]);
    assert!(
        table.contains("Rules dun applies on 2026-12-01 under ") && table.contains("policy.toml"),
        "{table}"
    );
}

#[test]
fn the_ledger_is_found_from_the_current_directory_and_its_absence_is_said() {
    let dir = ledger();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let mut cmd = Command::cargo_bin("dun").unwrap();
    cmd.args(["rules", "--country", "SE", "--as-of", "2026-12-01", "--format", "csv"])
        .current_dir(dir.path().join("out"))
        .env_remove("DUN_DIR");
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains("SE,consumer,reminder_fee.max,60 SEK,2013-03-16,"), "{csv}");
    assert!(csv.contains(",50 SEK (reminder.fee)\n"), "{csv}");
    // Outside any ledger: the built-in packs, and the output says so.
    let bare = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("dun").unwrap();
    cmd.args(["rules", "--country", "SE", "--as-of", "2026-12-01"])
        .current_dir(bare.path())
        .env_remove("DUN_DIR")
        .env("NO_COLOR", "1");
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("Statutory rules in force on 2026-12-01")
            && table.contains("no policy.toml is applied"),
        "{table}"
    );
    assert!(!table.contains("policy ") && !table.contains("reminder.fee"), "{table}");
}

#[test]
fn a_directory_named_must_be_a_ledger() {
    let bare = tempfile::tempdir().unwrap();
    let out = rules(&["--dir", bare.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a ledger directory"));
}
