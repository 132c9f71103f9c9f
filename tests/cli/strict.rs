//! Issue 10, defects 11 and 12: damaged input is an error that names the file and line where
//! the damage is, never silently read, and never blamed on another file. What spreadsheets
//! and real exports write (trailing delimiters, empty trailing header columns, CR-only line
//! ends) keeps working.

use crate::common::*;

const CUSTOMERS: &str = "id,name,kind,email\n\
C1,Alfa AB,business,a@alfa.example\n\
C2,Berg AB,business,b@berg.example\n\
C3,Cirkel AB,business,c@cirkel.example\n\
C4,Dal AB,business,d@dal.example\n\
C5,Ek AB,business,e@ek.example\n";

const INVOICES: &str = "number,customer,issued,due,amount,currency,description\n\
1,C1,2026-10-01,2026-10-31,100.00,SEK,Fönster\n\
2,C3,2026-10-01,2026-10-31,300.00,SEK,Dörrar\n\
3,C5,2026-10-01,2026-10-31,500.00,SEK,Lister\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

const REPORT: [&str; 5] = ["report", "--as-of", "2026-11-10", "--format", "csv"];

/// The report's total per customer, from its CSV.
fn totals(l: &Ledger) -> Vec<(String, String)> {
    report_rows(&l.ok(&REPORT))
        .into_iter()
        .filter(|r| r[0].starts_with('C'))
        .map(|r| (r[0].clone(), r.last().unwrap().clone()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// `report` and `check` both refuse the ledger, with a message that contains every `wanted`.
fn refused(l: &Ledger, wanted: &[&str]) -> String {
    refused_by(l, &REPORT, wanted)
}

/// `report` (as `report_command` asks) and `check` both refuse the ledger, with a message that
/// contains every `wanted`.
fn refused_by(l: &Ledger, report_command: &[&str], wanted: &[&str]) -> String {
    let mut last = String::new();
    for command in [report_command, &["check", "--as-of", "2026-11-10"][..]] {
        let err = l.fails(command, 1);
        for w in wanted {
            assert!(err.contains(w), "{command:?}: expected {w:?} in: {err}");
        }
        last = err;
    }
    last
}

/// Defect 11: a row with fewer or more fields than the header is an error with file and line,
/// in every file of the ledger.
#[test]
fn rows_with_fewer_or_more_fields_than_the_header_are_errors() {
    let l = ledger();
    l.write("customers.csv", &CUSTOMERS.replace("C2,Berg AB,business,b@berg.example", "C2,Berg AB"));
    let err = refused(&l, &["customers.csv:3:", "2 fields", "4 columns"]);
    assert!(err.contains("kind, email"), "names what is missing: {err}");
    l.write(
        "customers.csv",
        &CUSTOMERS.replace("C4,Dal AB,business,d@dal.example", "C4,Dal AB,business,d@dal.example,Umeå"),
    );
    refused(&l, &["customers.csv:5:", "5 fields", "4 columns"]);

    let l = ledger();
    l.write(
        "invoices.csv",
        &INVOICES
            .replace("2,C3,2026-10-01,2026-10-31,300.00,SEK,Dörrar", "2,C3,2026-10-01,2026-10-31,300.00"),
    );
    refused(&l, &["invoices.csv:3:", "5 fields", "7 columns"]);

    let l = ledger();
    l.write("payments.csv", "date,invoice,amount,reference\n2026-11-01,1,50.00\n");
    refused(&l, &["payments.csv:2:", "3 fields", "4 columns"]);

    // The journal is read for the report's key figures, which the CSV (aging rows only) does
    // not carry: the table reads it, and refuses it damaged; the CSV reads no journal at all.
    let header = "date,event,invoice,customer,amount,until,channel,ref,note\n";
    let good = "2026-11-08,note,1,C1,,,,,called\n";
    let table = &REPORT[..3];
    let l = ledger();
    let rows = totals(&l);
    l.write("journal.csv", &format!("{header}{good}2026-11-30,reminder,2\n"));
    refused_by(&l, table, &["journal.csv:3:", "3 fields", "9 columns"]);
    assert_eq!(totals(&l), rows, "the CSV's rows do not read the journal");
    l.write("journal.csv", &format!("{header}{good}2026-11-09,note,1,C1,,,,,called,again\n"));
    refused_by(&l, table, &["journal.csv:3:", "10 fields", "9 columns"]);
    // A column the journal does not have is an error in its header too.
    l.write(
        "journal.csv",
        &format!(
            "date,event,invoice,customer,amount,until,channel,ref,note,extra\n{}",
            good.replace('\n', ",\n")
        ),
    );
    refused_by(&l, table, &["journal.csv:1:", "\"extra\""]);
}

/// What spreadsheets and bookkeeping exports write keeps working: a trailing delimiter on every
/// line, a header with empty trailing columns, and the columns `dun import` adds to the header
/// of a payments.csv whose earlier lines lack them.
#[test]
fn trailing_delimiters_and_empty_trailing_columns_keep_working() {
    let l = ledger();
    let trailing = |text: &str, header_too: bool| -> String {
        text.lines()
            .enumerate()
            .map(|(i, line)| {
                if i > 0 || header_too {
                    format!("{};\n", line.replace(',', ";"))
                } else {
                    format!("{}\n", line.replace(',', ";"))
                }
            })
            .collect()
    };
    let expected = pairs(&[("C1", "50.00"), ("C3", "300.00"), ("C5", "500.00")]);
    l.write(
        "payments.csv",
        "date,invoice,amount,reference,transaction_id,source,matched_by\n2026-11-01,1,50.00,\n",
    );
    for header_too in [true, false] {
        l.write("customers.csv", &trailing(CUSTOMERS, header_too));
        l.write("invoices.csv", &trailing(INVOICES, header_too));
        assert_eq!(totals(&l), expected, "header_too {header_too}");
    }
    // Empty trailing header columns (a spreadsheet's formatted but empty columns) and rows
    // that stop before them.
    l.write("customers.csv", &CUSTOMERS.replacen('\n', ",,,\n", 1));
    l.write("invoices.csv", &INVOICES.replacen('\n', ",,\n", 1));
    assert_eq!(totals(&l), expected);
}

/// Defect 11: a file that ends inside an open quote is an error naming the line the quote
/// opened on, not a last record that swallowed the rest of the file.
#[test]
fn a_file_ending_inside_a_quote_names_the_line_it_opened_on() {
    let l = ledger();
    l.write("invoices.csv", &format!("{INVOICES}4,C1,2026-10-01,2026-10-31,70.00,SEK,\"Fönster\n5,C2,2026-10-01,2026-10-31,80.00,SEK,Dörr\n"));
    let err = refused(&l, &["invoices.csv:5:", "quote"]);
    assert!(err.contains("never closed"), "{err}");
}

/// Defect 12: an unbalanced quote in customers.csv is reported there, at its line, not as
/// customers missing that invoices.csv names.
#[test]
fn an_unbalanced_quote_in_customers_is_reported_at_its_line() {
    let l = ledger();
    // The quote is never closed.
    l.write("customers.csv", &CUSTOMERS.replace("C2,Berg AB", "C2,\"Berg AB"));
    let err = refused(&l, &["customers.csv:3:", "quote"]);
    assert!(!err.contains("invoices.csv"), "{err}");
    // A quote further down closes it: one record of the wrong shape, spanning lines 3 to 6.
    l.write(
        "customers.csv",
        &CUSTOMERS.replace("C2,Berg AB", "C2,\"Berg AB").replace("e@ek.example", "\"e@ek.example\""),
    );
    let err = refused(&l, &["customers.csv:3:", "line 6"]);
    assert!(!err.contains("invoices.csv"), "{err}");
}

/// Defect 12: a byte order mark at the start of a line in the middle of a file (two files
/// joined) is reported at that line.
#[test]
fn a_byte_order_mark_in_the_middle_is_reported_at_its_line() {
    let l = ledger();
    l.write("customers.csv", &CUSTOMERS.replace("C4,Dal", "\u{feff}C4,Dal"));
    let err = refused(&l, &["customers.csv:5:", "byte order mark"]);
    assert!(!err.contains("invoices.csv"), "{err}");
    // In a Windows-1252 file too.
    let mut bytes = cp1252(&CUSTOMERS.replace("Alfa AB", "Älvsjö AB"));
    let at = bytes.windows(3).position(|w| w == b"C4,").unwrap();
    bytes.splice(at..at, b"\xEF\xBB\xBF".iter().copied());
    l.write_bytes("customers.csv", &bytes);
    refused(&l, &["customers.csv:5:", "byte order mark"]);
}

/// Defect 12: a file with old Mac line ends (CR only) is read line by line, with the right
/// line numbers in messages.
#[test]
fn cr_only_line_ends_are_read_as_line_ends() {
    let l = ledger();
    l.write("customers.csv", &CUSTOMERS.replace('\n', "\r"));
    l.write("invoices.csv", &INVOICES.replace('\n', "\r"));
    assert_eq!(totals(&l), pairs(&[("C1", "100.00"), ("C3", "300.00"), ("C5", "500.00")]));
    l.write("invoices.csv", &INVOICES.replace("300.00", "12 34").replace('\n', "\r"));
    refused(&l, &["invoices.csv:3:", "\"amount\""]);
}

/// Defect 12: a header line longer than the reader's 1 MiB block is read whole, not split
/// into a header and a first record.
#[test]
fn a_header_longer_than_a_block_is_read_whole() {
    let l = ledger();
    let long = "x".repeat(1_200_000);
    let invoices = INVOICES
        .replacen('\n', &format!(",{long}\n"), 1)
        .replace("SEK,Fönster", "SEK,Fönster,")
        .replace("SEK,Dörrar", "SEK,Dörrar,")
        .replace("SEK,Lister", "SEK,Lister,");
    l.write("invoices.csv", &invoices);
    assert_eq!(totals(&l), pairs(&[("C1", "100.00"), ("C3", "300.00"), ("C5", "500.00")]));
}

fn camt_fixture() -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/bank/camt053-v08-credits-debit.xml", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
}

fn import(l: &Ledger, bytes: &[u8]) -> (i32, String) {
    let path = l.file("stmt.xml");
    std::fs::write(&path, bytes).unwrap();
    let out = l.dun(&["import", path.to_str().unwrap(), "--as-of", "2026-11-10"]).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Defect 12: one byte that is not UTF-8 in a camt file is an error naming its line and byte,
/// not "not a recognised bank file".
#[test]
fn a_camt_file_with_a_bad_byte_names_line_and_byte() {
    let l = ledger();
    let mut bytes = camt_fixture();
    let at = bytes.windows(2).position(|w| w == "Å".as_bytes()).unwrap();
    bytes[at] = 0xFF;
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    let (code, err) = import(&l, &bytes);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("not a recognised bank file"), "{err}");
    assert!(
        err.contains(&format!("line {line}")) && err.contains(&format!("byte {at}")) && err.contains("UTF-8"),
        "{err}"
    );
    assert!(!l.file("payments.csv").exists());
}

/// Defect 11: a camt file in a namespace that is not ISO 20022 camt.053/054, or with a
/// currency that is not an ISO 4217 code, is an error naming where.
#[test]
fn camt_namespaces_and_currencies_are_checked() {
    let l = ledger();
    let fixture = String::from_utf8(camt_fixture()).unwrap();
    let (code, err) = import(
        &l,
        fixture
            .replace("urn:iso:std:iso:20022:tech:xsd:camt.053.001.08", "urn:example:bank:statement")
            .as_bytes(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("urn:example:bank:statement") && err.contains("namespace"), "{err}");
    let (code, err) =
        import(&l, fixture.replacen("<Amt Ccy=\"SEK\">1250.00", "<Amt Ccy=\"XYZ\">1250.00", 1).as_bytes());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("\"XYZ\"") && err.contains("ISO 4217") && err.contains("Ntry[1]"), "{err}");
    assert!(!l.file("payments.csv").exists());
    // The invoices' currency column too.
    l.write("invoices.csv", &INVOICES.replace("300.00,SEK", "300.00,XYZ"));
    refused(&l, &["invoices.csv:3:", "\"XYZ\"", "ISO 4217"]);
}

/// Defect 11: a negative payment raises what is open; it is an error unless marked as a
/// reversal, which then counts.
#[test]
fn negative_payments_are_errors_unless_marked_as_reversals() {
    let l = ledger();
    l.write("payments.csv", "date,invoice,amount,reference\n2026-11-01,1,100.00,\n2026-11-02,1,-100.00,\n");
    refused(&l, &["payments.csv:3:", "\"amount\"", "negative", "reversal"]);
    l.write(
        "payments.csv",
        "date,invoice,amount,reference,reversal\n2026-11-01,1,100.00,,\n2026-11-02,1,-100.00,,yes\n2026-11-03,2,-1.00,,no\n",
    );
    refused(&l, &["payments.csv:4:", "negative"]);
    l.write(
        "payments.csv",
        "date,invoice,amount,reference,reversal\n2026-11-01,1,100.00,,\n2026-11-02,1,-100.00,,yes\n",
    );
    assert_eq!(totals(&l), pairs(&[("C1", "100.00"), ("C3", "300.00"), ("C5", "500.00")]));
}

/// Defect 11: a bank CSV row in a currency that is not an ISO 4217 code is an error naming its
/// line, not a payment in the company's currency.
#[test]
fn bank_csv_currencies_are_checked() {
    let l = ledger();
    let path = l.file("export.csv");
    let export = "Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Meddelande;Egna anteckningar;Saldo;Valuta\n\
2026-11-03;300,00;;5050-1055;Cirkel AB;Insättning;Faktura 2;;12 795,00;SEK\n\
2026-11-04;100,00;;5050-1055;Alfa AB;Insättning;Faktura 1;;12 895,00;XYZ\n";
    std::fs::write(&path, export).unwrap();
    let err = l.fails(&["import", path.to_str().unwrap(), "--as-of", "2026-11-10"], 1);
    assert!(err.contains("\"XYZ\"") && err.contains("ISO 4217") && err.contains("line 3"), "{err}");
    assert!(!l.file("payments.csv").exists());
    std::fs::write(&path, export.replace("XYZ", "SEK")).unwrap();
    l.ok(&["import", path.to_str().unwrap(), "--as-of", "2026-11-10"]);
}

/// Defect 11: letters around an amount that are no currency marker (`3OO` with the letter O,
/// `x300`) make it an error, not 3.00 and 300.00.
#[test]
fn amounts_with_letters_that_are_no_currency_are_errors() {
    let l = ledger();
    for bad in ["3OO", "x300"] {
        l.write("invoices.csv", &INVOICES.replace("300.00", bad));
        refused(&l, &["invoices.csv:3:", "column \"amount\"", bad]);
    }
    l.write("invoices.csv", &INVOICES.replace("300.00", "300.00 kr").replace("500.00", "SEK 500"));
    assert_eq!(totals(&l), pairs(&[("C1", "100.00"), ("C3", "300.00"), ("C5", "500.00")]));
}

/// Defect 11: a bank CSV export's row with fewer fields than its header, or a value past its
/// last column (a delimiter in an unquoted message), is an error naming file and line and
/// what the header asks for, not a payment with values under the wrong columns.
#[test]
fn bank_csv_rows_that_do_not_fit_the_header_are_errors() {
    let l = ledger();
    let path = l.file("export.csv");
    let header = "Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Meddelande;Egna anteckningar;Saldo\n";
    let good = "2026-11-03;300,00;;5050-1055;Cirkel AB;Insättning;Faktura 2;;12 795,00\n";
    let short = "2026-11-04;100,00\n";
    let long = "2026-11-05;50,00;;5050-1055;Alfa AB;Insättning;Faktura;1;;12 895,00\n";
    std::fs::write(&path, format!("{header}{good}{short}{long}")).unwrap();
    let err = l.fails(&["import", path.to_str().unwrap(), "--as-of", "2026-11-10"], 1);
    assert!(
        err.contains(
            "export.csv: line 3: 2 fields where the header has 9 columns; missing: Avsändare, Mottagare"
        ),
        "{err}"
    );
    assert!(err.contains("export.csv: line 4: 10 fields where the header has 9 columns"), "{err}");
    assert!(!l.file("payments.csv").exists() && !l.file("unmatched.csv").exists());
    // A trailing delimiter on every line, or on the rows only, still reads.
    let trailing = format!("{}{}", header.replace('\n', ";\n"), good.replace('\n', ";\n"));
    std::fs::write(
        &path,
        format!("{trailing}{}", good.replace("2026-11-03", "2026-11-04").replace('\n', ";\n")),
    )
    .unwrap();
    l.ok(&["import", path.to_str().unwrap(), "--as-of", "2026-11-10"]);
    std::fs::write(&path, format!("{header}{}", good.replace('\n', ";\n"))).unwrap();
    l.ok(&["import", path.to_str().unwrap(), "--as-of", "2026-11-11"]);
}

/// Defect 12: a byte order mark at the edge of a value (a quoted value that starts with one,
/// one pasted into a cell) is no part of the value: customer `"\u{feff}C3"` is C3, whom
/// invoices.csv names, and an invoice's `\u{feff}C5` is C5, in UTF-8 and Windows-1252 files
/// alike. (At the start of a line it is damage: the test above.)
#[test]
fn a_byte_order_mark_at_the_edge_of_a_value_is_no_part_of_it() {
    let l = ledger();
    let expected = vec![
        vec!["C1", "Alfa AB", "100.00"],
        vec!["C3", "Cirkel AB", "300.00"],
        vec!["C5", "Ek AB", "500.00"],
        vec!["TOTAL", "", "900.00"],
    ];
    let named = |l: &Ledger| -> Vec<Vec<String>> {
        report_rows(&l.ok(&REPORT))
            .into_iter()
            .map(|r| vec![r[0].clone(), r[1].clone(), r.last().unwrap().clone()])
            .collect()
    };
    l.write("customers.csv", &CUSTOMERS.replace("C3,Cirkel AB", "\"\u{feff}C3\",\u{feff}Cirkel AB\u{feff}"));
    l.write("invoices.csv", &INVOICES.replace(",C5,", ", \u{feff}C5,"));
    assert_eq!(named(&l), expected);
    let check = l.dun(&["check", "--as-of", "2026-11-10"]).output().unwrap();
    let said = String::from_utf8_lossy(&check.stdout).into_owned() + &String::from_utf8_lossy(&check.stderr);
    assert!(!said.contains("unknown-customer") && !said.contains('\u{feff}'), "{said}");
    // Windows-1252: the same three bytes, which would read as `ï»¿`.
    let bom = |text: &str| {
        cp1252(text)
            .iter()
            .flat_map(|&b| if b == b'#' { vec![0xEF, 0xBB, 0xBF] } else { vec![b] })
            .collect::<Vec<u8>>()
    };
    l.write_bytes(
        "customers.csv",
        &bom(&CUSTOMERS.replace("Alfa AB", "Älvsjö AB").replace("C3,", "\"#C3\",")),
    );
    l.write_bytes("invoices.csv", &bom(&INVOICES.replace(",C5,", ",#C5 ,")));
    let mut expected = expected;
    expected[0][1] = "Älvsjö AB";
    assert_eq!(named(&l), expected);
}

/// Issue 10: a quote never closed near the top of a large invoices.csv is an error at the line
/// it opened on once 16 MiB are read (`io::source`'s unit test counts the bytes read), not after
/// the rest of the file has been held as one value; nothing is written.
#[test]
fn an_unclosed_quote_early_in_a_large_file_is_an_error_at_its_line() {
    let l = ledger();
    let mut text = format!("{INVOICES}4,C1,2026-10-01,2026-10-31,70.00,SEK,\"Fönster\n");
    let row = "5,C2,2026-10-01,2026-10-31,80.00,SEK,Dörr\n";
    text.reserve(40 << 20);
    while text.len() < 40 << 20 {
        text.push_str(row);
    }
    l.write("invoices.csv", &text);
    let err = refused(&l, &["invoices.csv:5:", "not closed within 16 MiB", "close the quote or delete it"]);
    assert!(!err.contains("cannot read"), "{err}");
}

/// A customer id given twice is an error on the second line, naming the first, whether the
/// ids are numbers of one shape (known distinct without a map when none repeats) or not.
#[test]
fn a_customer_id_given_twice_is_an_error_on_its_second_line() {
    let l = ledger();
    l.write("customers.csv", &CUSTOMERS.replace("C4,Dal AB", "C2,Dal AB"));
    refused(&l, &["customers.csv:5:", "customer id \"C2\" appears again (first on line 3)"]);
    let named = CUSTOMERS.replace("C1,", "Alfa,").replace("C3,", "Alfa,");
    l.write("customers.csv", &named).write("invoices.csv", &INVOICES.replace(",C1,", ",Alfa,"));
    refused(&l, &["customers.csv:4:", "customer id \"Alfa\" appears again (first on line 2)"]);
}
