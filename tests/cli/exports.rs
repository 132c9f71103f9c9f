//! Issue #12: the files users actually have. Header names as APIs write them, columns that look
//! needed but are not read, the policy's column mapping with its options, country names and
//! two phone columns. Every figure below is worked out by hand in the comment above it.

use crate::common::*;

const AS_OF: &str = "2026-11-30";

fn report(l: &Ledger) -> Vec<Vec<String>> {
    report_rows(&l.ok(&["report", "--format", "csv", "--as-of", AS_OF]))
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// `dun ARGS`: (exit code, stdout, stderr).
fn run(l: &Ledger, args: &[&str]) -> (i32, String, String) {
    let out = l.dun(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The dangerous silence: `Inbetalt belopp` (paid) and `Förf.datum` (due) were dropped
/// without a word, so a paid invoice stayed open and due became issued + 30 days.
///
/// Unmapped, as of 2026-11-30: 1001 is read as unpaid and due 2026-10-01 + 30 = 10-31 (30 days,
/// 1-30: 1 000,00); 1002 due 12-01, not due (500,00). Mapped: 1001 is paid in full; 1002 is due
/// 11-10, 20 days late (1-30: 500,00).
#[test]
fn columns_that_look_needed_are_findings_until_mapped() {
    let l = Ledger::new();
    l.write("customers.csv", "Kundnr;Namn;E-post\nK1;Alfa AB;ekonomi@alfa.example\n");
    l.write(
        "invoices.csv",
        "Fakturanr;Kundnr;Fakturadatum;Förf.datum;Belopp;Inbetalt belopp;Säljare\n\
         1001;K1;2026-10-01;2026-10-15;1 000,00;1 000,00;Eva\n\
         1002;K1;2026-11-01;2026-11-10;500,00;0,00;Eva\n",
    );
    let (code, out, err) = run(&l, &["report", "--format", "csv", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        report_rows(&out),
        vec![
            row(&["K1", "Alfa AB", "SEK", "500.00", "1000.00", "0.00", "0.00", "0.00", "1500.00"]),
            row(&["TOTAL", "", "SEK", "500.00", "1000.00", "0.00", "0.00", "0.00", "1500.00"]),
        ]
    );
    assert!(
        err.contains("dun: invoices.csv:1: error[unread-column]: column \"Förf.datum\": is not read, but looks like `due`"),
        "{err}"
    );
    assert!(err.contains("column \"Inbetalt belopp\": is not read, but looks like `paid`"), "{err}");
    assert!(err.contains("hint: to read it, write [columns.invoices] paid = \"Inbetalt belopp\""), "{err}");
    assert!(!err.contains("Säljare"), "a column that looks like nothing needed is ignored: {err}");
    // Even -q says it: the numbers may be wrong.
    let (_, _, quiet) = run(&l, &["report", "-q", "--format", "csv", "--as-of", AS_OF]);
    assert!(quiet.contains("\"Inbetalt belopp\""), "{quiet}");
    assert!(!quiet.contains("hint:"), "{quiet}");

    let (code, out, _) = run(&l, &["check", "--as-of", AS_OF]);
    assert_eq!(code, 1);
    assert!(out.contains("invoices.csv:1: error[unread-column]: column \"Inbetalt belopp\""), "{out}");
    assert!(out.contains("invoices.csv:1: error[unread-column]: column \"Förf.datum\""), "{out}");
    assert!(out.contains("warning[due-from-terms]"), "{out}");
    // remind stops before anything goes out.
    let (code, _, err) = run(&l, &["remind", "--dry-run", "--as-of", AS_OF]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("remind refused: dun check finds errors in what it would send"), "{err}");

    // Three lines of policy.toml.
    l.write(
        "policy.toml",
        &format!("{POLICY_SE}[columns.invoices]\ndue = \"Förf.datum\"\npaid = \"Inbetalt belopp\"\n"),
    );
    let (code, out, err) = run(&l, &["report", "--format", "csv", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        report_rows(&out),
        vec![
            row(&["K1", "Alfa AB", "SEK", "0.00", "500.00", "0.00", "0.00", "0.00", "500.00"]),
            row(&["TOTAL", "", "SEK", "0.00", "500.00", "0.00", "0.00", "0.00", "500.00"]),
        ]
    );
    assert_eq!(err, "dun: invoices.csv: read with the columns policy.toml names\n");
    let (code, out, _) = run(&l, &["check", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("invoices.csv: read with the columns policy.toml names\n"), "{out}");
    assert!(!out.contains("unread-column"), "{out}");
}

/// API field names in camelCase / PascalCase and dates with a time of day, without a preset.
/// 1 875,50 − 875,50 paid = 1 000,00, due 2026-10-01, 60 days late on 11-30 (31-60).
#[test]
fn api_style_headers_are_read_by_their_aliases() {
    let l = Ledger::new();
    l.write("customers.csv", "CustomerId,Name,EmailAddress\nC1,Beta AB,b@beta.example\n");
    l.write(
        "invoices.csv",
        "InvoiceNumber,CustomerId,InvoiceDate,DueDate,TotalAmount,PaidAmount,CurrencyCode\n\
         A-1,C1,2026-09-01T00:00:00,2026-10-01T00:00:00,1875.50,875.50,SEK\n",
    );
    assert_eq!(
        report(&l),
        vec![
            row(&["C1", "Beta AB", "SEK", "0.00", "0.00", "1000.00", "0.00", "0.00", "1000.00"]),
            row(&["TOTAL", "", "SEK", "0.00", "0.00", "1000.00", "0.00", "0.00", "1000.00"]),
        ]
    );
}

/// Two headers meaning one column are refused with the way out; the policy says which.
#[test]
fn an_ambiguous_header_is_refused_with_the_way_out() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nK1,Alfa AB\n");
    l.write("invoices.csv", "number,customer,issued,Belopp,Summa\n1,K1,2026-11-01,100,200\n");
    let err = l.fails(&["report", "--as-of", AS_OF], 1);
    assert!(
        err.contains("invoices.csv:1: columns \"Belopp\" and \"Summa\" both mean \"amount\"; keep one, or say which in policy.toml: [columns.invoices] amount = \"Belopp\""),
        "{err}"
    );
    l.write("policy.toml", &format!("{POLICY_SE}[columns.invoices]\namount = \"Summa\"\n"));
    // 200,00 due 2026-12-01: not due.
    assert_eq!(
        report(&l)[0],
        row(&["K1", "Alfa AB", "SEK", "200.00", "0.00", "0.00", "0.00", "0.00", "200.00"])
    );
}

/// The policy's mapping with every per-file option: a `|`-delimited Windows-1252 file with
/// decimal commas and two-digit years, and payments in whole öre.
///
/// Invoice 7: 1.250 with decimal "," is 1 250,00; due 15/11/26 = 2026-11-15. Payment 25000 öre =
/// 250,00. Open 1 000,00, 15 days late on 11-30 (1-30).
#[test]
fn the_policy_maps_columns_with_the_options_of_import_csv() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &format!(
            "{POLICY_SE}[columns.invoices]\ndelimiter = \"|\"\ndecimal = \",\"\ndate_format = \"%d/%m/%y\"\n\
             encoding = \"windows-1252\"\nnumber = \"Nr\"\ncustomer = \"Kund\"\nissued = \"Datum\"\n\
             due = \"Sista dag\"\namount = \"Att betala\"\n\
             [columns.payments]\nminor_units = true\n"
        ),
    );
    l.write("customers.csv", "id,name\nK1,Åberg AB\n");
    l.write_bytes(
        "invoices.csv",
        &cp1252(
            "Nr|Kund|Datum|Sista dag|Att betala|Moms|Referent\n7|K1|01/11/26|15/11/26|1.250|250,00|Åsa\n",
        ),
    );
    l.write("payments.csv", "date,invoice,amount\n2026-11-20,7,25000\n");
    assert_eq!(
        report(&l),
        vec![
            row(&["K1", "Åberg AB", "SEK", "0.00", "1000.00", "0.00", "0.00", "0.00", "1000.00"]),
            row(&["TOTAL", "", "SEK", "0.00", "1000.00", "0.00", "0.00", "0.00", "1000.00"]),
        ]
    );
    // A typo in the mapping is an error naming the key and the table's line.
    l.write("policy.toml", &format!("{POLICY_SE}[columns.invoices]\namout = \"Att betala\"\n"));
    let err = l.fails(&["report", "--as-of", AS_OF], 1);
    assert!(
        err.contains("policy.toml (line 6): [columns.invoices]: `amout` is not a column of invoices"),
        "{err}"
    );
    // A header the file does not have is named with what it has.
    l.write(
        "policy.toml",
        &format!("{POLICY_SE}[columns.invoices]\namount = \"Summa\"\ndelimiter = \"|\"\n"),
    );
    let err = l.fails(&["report", "--as-of", AS_OF], 1);
    assert!(
        err.contains("reads `amount` from \"Summa\", but the file has no such column (found: Nr, Kund"),
        "{err}"
    );
}

/// Countries written as names, one not known (a finding on that customer, not a refused
/// ledger), and a landline beside a mobile: SMS goes to the mobile.
#[test]
fn country_names_and_two_phone_columns() {
    let l = Ledger::new();
    l.write("policy.toml", "[company]\nname = \"Fjord AS\"\ncountry = \"NO\"\ncurrency = \"NOK\"\n[reminder]\nchannels = [\"sms\"]\n");
    l.write(
        "customers.csv",
        "Kundenummer;Navn;Telefon;Mobil;Land\n\
         1;Bjørn Økland;22 12 34 56;912 34 567;Norge\n\
         2;Svea AB;;070-123 45 67;Sverige\n\
         3;Narnia Trading;22 12 34 57;;Narnia\n",
    );
    l.write(
        "invoices.csv",
        "Fakturanr;Kundenr;Fakturadato;Forfallsdato;Beløp\n1;1;01.10.2026;15.10.2026;100,00\n",
    );
    let (code, out, err) = run(&l, &["check", "--as-of", AS_OF, "--format", "csv"]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("error,customers.csv,4,country,unknown-country,\"\"\"Narnia\"\" is not a country dun knows; the customer is taken to be in NO")),
        "{out}"
    );
    // Customer 1 has a mobile for SMS; customer 3 only a landline (22… is a Norwegian landline).
    assert!(!lines.iter().any(|l| l.contains(",customers.csv,2,")), "{out}");
    assert!(lines.iter().any(|l| l.contains("customers.csv,4,phone,no-channel")), "{out}");
    let json = l.ok(&["customer", "1", "--format", "json", "--as-of", AS_OF]);
    assert!(json.contains("\"mobile\": \"912 34 567\""), "{json}");
    // Svea AB is Swedish: its letters would be in Swedish.
    let json = l.ok(&["customer", "2", "--format", "json", "--as-of", AS_OF]);
    assert!(json.contains("\"country\": \"SE\"") && json.contains("\"language\": \"sv\""), "{json}");
}

/// `balance` above the amount is an error in `check` (Billy's balance includes its own fees).
#[test]
fn a_balance_above_the_amount_is_an_error() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nK1,Alfa AB\n");
    l.write("invoices.csv", "number,customer,issued,amount,balance\n1,K1,2026-10-01,1000,1100\n");
    let (code, out, _) = run(&l, &["check", "--as-of", AS_OF, "--format", "csv"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("error,invoices.csv,2,balance,balance-over-amount,balance 1 100.00 is more than the amount 1 000.00"),
        "{out}"
    );
}
