//! `dun init`: a new ledger that the other commands read at once, and never over an old one.

use std::path::Path;

use assert_cmd::Command;

fn dun_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("dun")
        .unwrap()
        .args(args)
        .current_dir(cwd)
        .env_remove("DUN_DIR")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn init_makes_a_ledger_that_check_and_report_read() {
    let tmp = tempfile::tempdir().unwrap();
    let out = dun_in(tmp.path(), &["init", "books", "--country", "FI", "--company", "Kala Oy"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("Made a ledger in books"), "{said}");
    assert!(said.contains("cd books && dun check && dun report"), "{said}");
    let dir = tmp.path().join("books");
    let policy = std::fs::read_to_string(dir.join("policy.toml")).unwrap();
    assert!(policy.contains("name = \"Kala Oy\"") && policy.contains("currency = \"EUR\""), "{policy}");
    assert!(policy.contains("language = \"fi\""), "{policy}");
    assert_eq!(
        std::fs::read_to_string(dir.join("customers.csv")).unwrap(),
        "id,name,kind,org_no,country,language,email,phone,address,postcode,city,contact,credit_limit,segment\n"
    );
    assert!(
        std::fs::read_to_string(dir.join("invoices.csv"))
            .unwrap()
            .starts_with("number,customer,issued,due,amount,")
    );
    // The next steps work as printed, from inside the new ledger.
    let check = dun_in(&dir, &["check"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert_eq!(text(&check.stdout), "No findings.\n");
    let report = dun_in(&dir, &["report", "--as-of", "2026-12-01"]);
    assert_eq!(text(&report.stdout), "Aging as of 2026-12-01\nNothing is open.\n");
    // A first invoice written under the header is read.
    std::fs::write(dir.join("customers.csv"), "id,name\nK1,Kauppa Oy\n").unwrap();
    std::fs::write(
        dir.join("invoices.csv"),
        "number,customer,issued,due,amount\n1,K1,2026-10-01,2026-10-31,124.00\n",
    )
    .unwrap();
    let csv = dun_in(&dir, &["report", "--format", "csv", "--as-of", "2026-12-01"]);
    assert!(text(&csv.stdout).contains("\nK1,Kauppa Oy,EUR,0.00,0.00,124.00,"), "{}", text(&csv.stdout));
}

#[test]
fn init_refuses_to_replace_a_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("invoices.csv"), "mine\n").unwrap();
    let out = dun_in(tmp.path(), &["init", "--company", "Berg AB"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("already has invoices.csv") && err.contains("never replaces"), "{err}");
    // Nothing was written, the old file is untouched.
    assert!(!tmp.path().join("policy.toml").exists());
    assert!(!tmp.path().join("customers.csv").exists());
    assert_eq!(std::fs::read_to_string(tmp.path().join("invoices.csv")).unwrap(), "mine\n");
}

#[test]
fn init_defaults_to_sweden_here_and_says_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = dun_in(tmp.path(), &["init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("write your company's name"), "{said}");
    assert!(said.contains("  4. dun check && dun report"), "{said}");
    let policy = std::fs::read_to_string(tmp.path().join("policy.toml")).unwrap();
    assert!(policy.contains("country = \"SE\"") && policy.contains("fee_agreed = false"), "{policy}");
    // -q: nothing on stdout; a second run refuses.
    let again = dun_in(tmp.path(), &["init", "-q"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(again.stdout.is_empty());
}

#[test]
fn init_takes_only_known_countries() {
    let tmp = tempfile::tempdir().unwrap();
    let out = dun_in(tmp.path(), &["init", "--country", "DE"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("possible values: SE, NO, DK, FI"), "{}", text(&out.stderr));
    let out = dun_in(tmp.path(), &["init", "--country", "dk"]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(tmp.path().join("policy.toml")).unwrap().contains("currency = \"DKK\""));
}
