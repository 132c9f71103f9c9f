//! Issue #12: each bank's CSV export, as the bank writes it, imported with no configuration.
//! The fixtures are in `tests/fixtures/bank-csv/` (see its SOURCES.md); each holds, in its
//! bank's layout, the same booked rows:
//!
//! - 1 875,50 whose reference (a column, or a word in the text) names invoice x001 → `reference`;
//! - 2 000,00 whose text names invoice x002 → `invoice-number`, settles it;
//! - 300,00 whose text names invoice x003 (500,00) → `invoice-number`, a part payment, 200 open;
//! - an outgoing 450,00 → not a payment;
//!
//! plus the layout's own: a pending row, a lump sum, a preamble line. After the import, as of
//! 2026-12-05, only x003 is open: 200,00, due 12-03, 2 days late (1-30).

use crate::common::*;

const AS_OF: &str = "2026-12-05";

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/bank-csv/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A ledger of the country with invoices x001 (reference), x002 and x003 for two customers.
fn ledger(country: &str) -> (Ledger, &'static str) {
    let l = Ledger::new();
    let (policy, customers, invoices, currency) = match country {
        "SE" => (
            "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n",
            "id,name\nK1,Alfa Bygg AB\nK2,Beta Städ AB\n",
            "number,customer,issued,due,amount,reference\n\
             1001,K1,2026-11-01,2026-12-01,1875.50,10010445\n\
             1002,K2,2026-11-02,2026-12-02,2000.00,10020444\n\
             1003,K2,2026-11-03,2026-12-03,500.00,\n",
            "SEK",
        ),
        "NO" => (
            "[company]\nname = \"Fjordrens AS\"\ncountry = \"NO\"\ncurrency = \"NOK\"\n",
            "id,name\nN1,Fjellheim Rør AS\nN2,Åsen Bakeri AS\n",
            "number,customer,issued,due,amount,reference\n\
             2001,N1,2026-11-01,2026-12-01,1875.50,20010054\n\
             2002,N2,2026-11-02,2026-12-02,2000.00,20020053\n\
             2003,N2,2026-11-03,2026-12-03,500.00,\n",
            "NOK",
        ),
        _ => (
            "[company]\nname = \"Puhdas Oy\"\ncountry = \"FI\"\ncurrency = \"EUR\"\n",
            "id,name\nF1,Kahvila Aalto Oy\nF2,Rakennus Virta Oy\n",
            "number,customer,issued,due,amount,reference\n\
             3001,F1,2026-11-01,2026-12-01,1875.50,30012\n\
             3002,F2,2026-11-02,2026-12-02,2000.00,30025\n\
             3003,F2,2026-11-03,2026-12-03,500.00,\n",
            "EUR",
        ),
    };
    l.write("policy.toml", policy).write("customers.csv", customers).write("invoices.csv", invoices);
    (l, currency)
}

/// Imports one fixture into a fresh ledger of `country`, checks the summary and the report,
/// and returns the JSON `files` entry's `(layout, not_payments, pending)`.
fn imports(file: &str, country: &str) -> (String, i64, i64) {
    let (l, cur) = ledger(country);
    let summary = l.ok(&["import", &fixture(file), "--as-of", AS_OF, "--format", "csv"]);
    assert_eq!(
        summary,
        format!(
            "outcome,currency,payments,amount\n\
             reference,{cur},1,1875.50\n\
             invoice-number,{cur},2,2300.00\n\
             amount,{cur},0,0.00\n\
             part-payment,{cur},1,300.00\n\
             overpayment,{cur},0,0.00\n\
             unmatched,{cur},0,0.00\n\
             duplicate,{cur},0,0.00\n"
        ),
        "{file}"
    );
    let report = report_rows(&l.ok(&["report", "--format", "csv", "--as-of", AS_OF]));
    let last = report.last().unwrap();
    assert_eq!(
        last,
        &["TOTAL", "", cur, "0.00", "200.00", "0.00", "0.00", "0.00", "200.00"].map(str::to_owned).to_vec(),
        "{file}: {report:?}"
    );
    // The same file again adds nothing: the derived transaction ids are stable.
    let again = l.ok(&["import", &fixture(file), "--as-of", AS_OF, "--format", "json", "--dry-run"]);
    let json: serde_json::Value = serde_json::from_str(&again).unwrap();
    let dup =
        json["summary"].as_array().unwrap().iter().find(|r| r["outcome"] == "duplicate").unwrap().clone();
    assert_eq!(dup["payments"], 3, "{file}: {again}");
    let f = &json["files"][0];
    (
        f["layout"].as_str().unwrap_or_default().to_owned(),
        f["not_payments"].as_i64().unwrap(),
        f["pending"].as_i64().unwrap(),
    )
}

#[test]
fn nordea_se_older_with_a_bankgiro_lump_sum() {
    // Not payments: the outgoing 450 and the BG INBETALNINGAR lump sum.
    assert_eq!(imports("nordea-se-older.csv", "SE"), ("nordea-se".into(), 2, 0));
}

#[test]
fn nordea_se_current_with_a_reserved_row() {
    // Not payments: the outgoing 450 and the Reserverat row (pending).
    assert_eq!(imports("nordea-se.csv", "SE"), ("nordea-se".into(), 2, 1));
}

#[test]
fn seb_with_three_decimals_and_the_ocr_in_the_text() {
    assert_eq!(imports("seb.csv", "SE"), ("seb".into(), 1, 0));
}

#[test]
fn swedbank_with_its_preamble_line() {
    // Not payments: the preamble line and the outgoing 450.
    assert_eq!(imports("swedbank.csv", "SE"), ("swedbank".into(), 2, 0));
}

#[test]
fn sparebank1_with_in_and_out_columns() {
    assert_eq!(imports("sparebank1.csv", "NO"), ("sparebank1".into(), 1, 0));
}

#[test]
fn dnb_with_a_row_without_value_date() {
    assert_eq!(imports("dnb.csv", "NO"), ("dnb".into(), 2, 1));
}

#[test]
fn danske_bank_with_a_waiting_row() {
    assert_eq!(imports("danske-no.csv", "NO"), ("danske-no".into(), 2, 1));
}

#[test]
fn op_with_a_padded_viite() {
    assert_eq!(imports("op.csv", "FI"), ("op".into(), 1, 0));
}

#[test]
fn nordea_fi_with_a_reserved_row() {
    assert_eq!(imports("nordea-fi.csv", "FI"), ("nordea-fi".into(), 2, 1));
}

/// Before issue #12 a `Venter` row was booked as a part payment: the Danske file's pending
/// 999,00 names a reference of no invoice, and must not appear anywhere.
#[test]
fn a_pending_row_is_not_recorded() {
    let (l, _) = ledger("NO");
    l.ok(&["import", &fixture("danske-no.csv"), "--as-of", AS_OF]);
    let payments = std::fs::read_to_string(l.file("payments.csv")).unwrap();
    let unmatched = std::fs::read_to_string(l.file("unmatched.csv")).unwrap_or_default();
    assert!(!payments.contains("999") && !unmatched.contains("999"), "{payments}\n{unmatched}");
}

/// The Swedish export of `tests/fixtures/bank/` (a preamble, Windows-1252, `;`, decimal commas)
/// is read by its headers alone, with the outcome `[import.csv]` naming every column gives
/// (see import.rs: `bank_csv_export_with_latin1_names`).
#[test]
fn a_csv_export_read_by_its_headers_alone() {
    let l = Ledger::new();
    l.swedish_bank_export_payees();
    let file = format!("{}/tests/fixtures/bank/bank-export-sv.csv", env!("CARGO_MANIFEST_DIR"));
    let out = l.ok(&["import", &file, "--as-of", "2024-05-07", "--format", "csv"]);
    assert_eq!(
        out,
        "outcome,currency,payments,amount\n\
         reference,SEK,1,1250.00\n\
         invoice-number,SEK,1,199.50\n\
         amount,SEK,2,12395.67\n\
         part-payment,SEK,0,0.00\n\
         overpayment,SEK,0,0.00\n\
         unmatched,SEK,1,50.00\n\
         duplicate,SEK,0,0.00\n"
    );
}

/// `[import.csv]` in the shape of `[columns.*]`: any bank, its columns named, with the options
/// (minor units, a pending marker column, headers to ignore). 187 550 öre = 1 875,50 for invoice
/// 1001's reference; the row without `Bokfört` is pending.
#[test]
fn import_csv_names_columns_with_the_options_of_the_ledger_files() {
    let (l, _) = ledger("SE");
    l.write(
        "policy.toml",
        "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
         [import.csv]\ndate = \"Dag\"\ncredit = \"In (öre)\"\ndebit = \"Ut (öre)\"\nreference = \"Ref\"\n\
         minor_units = true\npending_if_empty = \"Bokfört\"\nignore = [\"Saldo\"]\n",
    );
    let file = l.file("export.csv");
    std::fs::write(
        &file,
        "Dag;In (öre);Ut (öre);Ref;Bokfört;Saldo\n\
         2026-12-01;187550;;10010445;ja;0\n\
         2026-12-02;50000;;;;0\n\
         2026-12-03;;45000;;ja;0\n",
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&l.ok(&[
        "import",
        file.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]))
    .unwrap();
    let reference =
        json["summary"].as_array().unwrap().iter().find(|r| r["outcome"] == "reference").unwrap().clone();
    assert_eq!((reference["payments"].clone(), reference["amount"].clone()), (1.into(), "1875.50".into()));
    assert_eq!(
        (json["files"][0]["not_payments"].clone(), json["files"][0]["pending"].clone()),
        (2.into(), 1.into())
    );
}

/// A Finnish KTL reference-payment file, `tests/fixtures/bank/ktl-reference-payments.ktl`, built
/// to the layout of docs/reference/export-formats.md §3 (90-character records; the positions
/// cross-checked in `src/io/bank/ktl.rs` against an independent example): 1 875,50 for viite
/// 30012 (invoice 3001), 2 000,00 for 30025 (3002) and a correction reversing it, 300,00 for
/// 30038 (3003, 500,00: a part payment), and a direct debit returned with code 4. As of
/// 2026-12-05: 3001 paid; 3002 open 2 000,00 (3 days late) and 3003 200,00 (2 days late).
#[test]
fn ktl_reference_payments_with_a_correction_and_a_returned_debit() {
    let (l, _) = ledger("FI");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,reference\n\
         3001,F1,2026-11-01,2026-12-01,1875.50,30012\n\
         3002,F2,2026-11-02,2026-12-02,2000.00,30025\n\
         3003,F2,2026-11-03,2026-12-03,500.00,30038\n",
    );
    let file = format!("{}/tests/fixtures/bank/ktl-reference-payments.ktl", env!("CARGO_MANIFEST_DIR"));
    let out = l.ok(&["import", &file, "--as-of", AS_OF, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &json["files"][0];
    assert_eq!((f["format"].as_str(), f["created"].as_str()), (Some("ktl"), Some("2026-12-03")), "{out}");
    // Not payments: the reversed 2 000,00, its correction, the returned debit.
    assert_eq!((f["payments"].as_i64(), f["not_payments"].as_i64()), (Some(2), Some(3)), "{out}");
    let row = |outcome: &str| {
        let r = json["summary"].as_array().unwrap().iter().find(|r| r["outcome"] == outcome).unwrap();
        (r["payments"].as_i64().unwrap(), r["amount"].as_str().unwrap().to_owned())
    };
    assert_eq!(row("reference"), (2, "2175.50".to_owned()), "{out}");
    assert_eq!(row("part-payment"), (1, "300.00".to_owned()), "{out}");
    assert_eq!(row("unmatched"), (0, "0.00".to_owned()), "{out}");
    let payments = std::fs::read_to_string(l.file("payments.csv")).unwrap();
    assert!(payments.contains("KTL3-261202593497GC01") && !payments.contains("GC02"), "{payments}");
    let report = report_rows(&l.ok(&["report", "--format", "csv", "--as-of", AS_OF]));
    assert_eq!(
        report.last().unwrap(),
        &["TOTAL", "", "EUR", "0.00", "2200.00", "0.00", "0.00", "0.00", "2200.00"]
            .map(str::to_owned)
            .to_vec(),
        "{report:?}"
    );
}

/// Runs `dun ARGS` in `l`, expecting success; returns (stdout, stderr).
fn run(l: &Ledger, args: &[&str]) -> (String, String) {
    let out = l.dun(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "dun {args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// The case: Bankgirot's example file, for bankgiro 991-2346 and dated 2004-05-25,
/// imported into a ledger whose bankgiro is 5050-1055 and whose newest payment is of
/// 2026-11-20 (8 214 days later). Both are warnings: the import goes ahead (exit 0), the
/// four payments (2 100,00) wait in unmatched.csv as before.
#[test]
fn a_file_of_another_bankgiro_and_of_2004_is_imported_with_two_warnings() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nK1,Alfa Bygg AB\n")
        .write("invoices.csv", "number,customer,issued,due,amount\n1001,K1,2026-10-01,2026-10-31,500.00\n")
        .write("payments.csv", "date,invoice,amount\n2026-11-20,1001,500.00\n");
    let file = format!(
        "{}/tests/fixtures/samples/bank/bgmax-bankgirot-avtal-om-ocr-kontroll.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let (out, stderr) = run(&l, &["import", &file, "--as-of", "2026-12-01", "--format", "json"]);
    let name = "bgmax-bankgirot-avtal-om-ocr-kontroll.txt";
    let account = format!(
        "{name}: paid into 0009912346, which is none of the company's accounts in policy.toml \
         ([company] bankgiro, plusgiro, account, iban, [[company.accounts]]): is it another company's file?"
    );
    let old = format!(
        "{name}: its newest payment is of 2004-05-25, 8214 days before the newest in payments.csv \
         (2026-11-20): is it an old file?"
    );
    assert_eq!(stderr, format!("dun: warning: {account}\ndun: warning: {old}\n"));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["warnings"], serde_json::json!([account, old]), "{out}");
    let unmatched = std::fs::read_to_string(l.file("unmatched.csv")).unwrap();
    assert_eq!(unmatched.lines().filter(|l| l.contains(",2004-05-25,")).count(), 4, "{unmatched}");
    // Said even with -q, which silences the summary.
    let (out, stderr) = run(&l, &["import", &file, "--as-of", "2026-12-01", "-q", "--dry-run"]);
    assert_eq!((out.as_str(), stderr.lines().count()), ("", 2), "{stderr}");
}

/// The company's own bankgiro, in another spelling than the file's, and no payment recorded
/// yet: nothing to warn of.
#[test]
fn the_companys_own_file_gives_no_warning() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"991-2346\"\n",
    )
    .write("customers.csv", "id,name\nK1,Alfa Bygg AB\n")
    .write("invoices.csv", "number,customer,issued,due,amount\n1001,K1,2004-05-01,2004-05-31,500.00\n");
    let file = format!(
        "{}/tests/fixtures/samples/bank/bgmax-bankgirot-avtal-om-ocr-kontroll.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let (out, stderr) = run(&l, &["import", &file, "--as-of", "2004-06-01", "--format", "json"]);
    assert_eq!(stderr, "");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["warnings"], serde_json::json!([]), "{out}");
}

/// KTL names the account in its 14-digit machine form: the company's IBAN holds it, its short
/// form expands to it; another IBAN is another company's. A CSV export names no account, and
/// a policy without details has nothing to compare with: no warning from either.
#[test]
fn the_receiving_account_of_a_ktl_file_against_the_policy() {
    let ktl = format!("{}/tests/fixtures/bank/ktl-reference-payments.ktl", env!("CARGO_MANIFEST_DIR"));
    let company = "[company]\nname = \"Puhdas Oy\"\ncountry = \"FI\"\ncurrency = \"EUR\"\n";
    for (details, warns) in [
        ("iban = \"FI21 1234 5600 0007 85\"\n", false),
        ("account = \"123456-785\"\n", false),
        ("", false),
        ("iban = \"FI79 2950 1800 0000 14\"\n", true),
    ] {
        let (l, _) = ledger("FI");
        l.write("policy.toml", &format!("{company}{details}"));
        let (_, stderr) = run(&l, &["import", &ktl, "--as-of", AS_OF, "--dry-run"]);
        let expected = if warns {
            "dun: warning: ktl-reference-payments.ktl: paid into 12345600000785, which is none of the \
             company's accounts in policy.toml ([company] bankgiro, plusgiro, account, iban, \
             [[company.accounts]]): is it another company's file?\n"
        } else {
            ""
        };
        assert_eq!(stderr, expected, "{details}");
    }
    let (l, _) = ledger("FI");
    l.write("policy.toml", &format!("{company}iban = \"FI79 2950 1800 0000 14\"\n"));
    let (_, stderr) = run(&l, &["import", &fixture("op.csv"), "--as-of", AS_OF, "--dry-run"]);
    assert_eq!(stderr, "");
}
