//! Output for spreadsheets: `--format xlsx` workbooks read back with calamine, and the Nordic
//! CSV dialect that Excel in Swedish, Norwegian, Danish and Finnish opens as columns.

use std::io::Read;

use calamine::{Data, Reader, Xlsx};

use crate::common::*;

const CUSTOMERS: &str = "id,name,country,email\n\
A1,Andersson Bygg AB,SE,a1@bygg.example\n\
A2,=HYPERLINK(\"http://x.example\"),SE,a2@holm.example\n\
B1,Fjord & Fisk AS,NO,post@fjord.example\n";

/// As in `report.rs`, worked out by hand for 2026-11-30: A1 2 000 in 1-30 and 12 500 in 31-60,
/// A2 800 in 91+, B1 EUR 4 200 not due. 1005 was paid 45 days late, in October.
const INVOICES: &str = "number,customer,issued,due,amount,paid,currency,paid_on\n\
1001,A1,2026-09-01,2026-10-01,12500.00,0,SEK,\n\
1002,A1,2026-10-15,2026-11-14,3000.00,1000.00,SEK,\n\
1003,A2,2026-08-01,2026-08-31,800.00,0,SEK,\n\
1004,B1,2026-11-01,2026-12-01,4200.00,0,EUR,\n\
1005,A1,2026-08-01,2026-08-31,1000.00,1000.00,SEK,2026-10-15\n";

const AS_OF: &str = "2026-11-30";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

fn workbook(path: &std::path::Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A file inside the workbook's zip, as text.
fn part(path: &std::path::Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_report_workbook_has_typed_cells_currency_formats_and_a_sheet_of_key_figures() {
    let l = ledger();
    let file = l.file("aging.xlsx");
    l.ok(&["report", "--as-of", AS_OF, "-o", file.to_str().unwrap()]);
    let mut book = workbook(&file);
    assert_eq!(book.sheet_names(), ["Aging", "Key figures", "Shares", "Credit watch"]);
    let aging = book.worksheet_range("Aging").unwrap();
    let header: Vec<String> = aging.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, ["customer", "name", "currency", "not_due", "1-30", "31-60", "61-90", "91+", "total"]);
    let row = |i: usize| aging.rows().nth(i).unwrap().to_vec();
    let s = |t: &str| Data::String(t.to_owned());
    assert_eq!(
        row(1),
        [
            s("A1"),
            s("Andersson Bygg AB"),
            s("SEK"),
            Data::Float(0.0),
            Data::Float(2000.0),
            Data::Float(12500.0),
            Data::Float(0.0),
            Data::Float(0.0),
            Data::Float(14500.0)
        ]
    );
    // A name that is a formula is text: no formula cell, and no apostrophe put before it.
    assert_eq!(row(2)[1], s("=HYPERLINK(\"http://x.example\")"));
    assert_eq!(row(2)[7], Data::Float(800.0));
    assert_eq!(row(3)[..4], [s("B1"), s("Fjord & Fisk AS"), s("EUR"), Data::Float(4200.0)]);
    // Each amount carries its row's currency in its number format; the header is bold.
    let styles = book.worksheet_style("Aging").unwrap();
    let number_format = |r: u32, c: u32| {
        styles
            .get((r, c))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.clone())
            .unwrap_or_default()
    };
    assert!(number_format(1, 4).contains("\"SEK\""), "{}", number_format(1, 4));
    assert!(number_format(3, 3).contains("\"EUR\""), "{}", number_format(3, 3));
    assert!(styles.get((0, 0)).and_then(|s| s.font.as_ref()).is_some_and(|f| f.is_bold()));
    // Frozen header and an autofilter over every row.
    let sheet = part(&file, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\"") && sheet.contains("ySplit=\"1\""), "{sheet}");
    assert!(sheet.contains("<autoFilter ref=\"A1:I6\""), "{sheet}");
    // Key figures on their own sheet, as numbers: SEK open 15 300, overdue 15 300 (100 %).
    let figures = book.worksheet_range("Key figures").unwrap();
    let sek = figures.rows().find(|r| r[0] == s("SEK")).unwrap().to_vec();
    assert_eq!(
        (sek[1].clone(), sek[2].clone(), sek[3].clone()),
        (Data::Float(15300.0), Data::Float(15300.0), Data::Float(100.0))
    );
}

#[test]
fn dates_are_dates_and_counts_are_numbers() {
    let l = ledger();
    let file = l.file("due.xlsx");
    l.ok(&["due", "--all", "--as-of", AS_OF, "-o", file.to_str().unwrap()]);
    let mut book = workbook(&file);
    let due = book.worksheet_range("Due").unwrap();
    let header: Vec<String> = due.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let a2 = due.rows().find(|r| r[col("invoice")] == Data::String("1003".into())).unwrap();
    assert_eq!(a2[col("days_overdue")], Data::Float(91.0));
    assert_eq!(a2[col("open")], Data::Float(800.0));
    match &a2[col("pay_by")] {
        Data::DateTime(d) => assert!(d.is_datetime(), "{d:?}"),
        other => panic!("pay_by is not a date: {other:?}"),
    }
    let interest = l.file("interest.xlsx");
    l.ok(&["interest", "--from", "2026-10-01", "--to", "2026-10-31", "-o", interest.to_str().unwrap()]);
    let mut book = workbook(&interest);
    let rows = book.worksheet_range("Interest").unwrap();
    let late = rows.rows().nth(1).unwrap();
    match &late[5] {
        Data::DateTime(d) => {
            assert_eq!(d.as_datetime().unwrap().date(), chrono::NaiveDate::from_ymd_opt(2026, 8, 31).unwrap())
        }
        other => panic!("due is not a date: {other:?}"),
    }
    assert_eq!(late[7], Data::Float(45.0));
}

/// A CSV field and a workbook cell hold the same value.
fn same(csv: &str, cell: &Data) -> bool {
    match cell {
        Data::Empty => csv.is_empty(),
        Data::String(s) => csv == s || csv.strip_prefix('\'') == Some(s.as_str()),
        Data::Float(f) => csv.parse::<f64>().is_ok_and(|v| (v - f).abs() < 1e-9),
        Data::Int(i) => csv.parse::<i64>() == Ok(*i),
        Data::DateTime(d) => d.as_datetime().is_some_and(|t| t.date().to_string() == csv),
        other => panic!("unexpected cell {other:?}"),
    }
}

#[test]
fn every_tabular_command_writes_a_workbook_whose_first_sheet_is_its_csv() {
    let l = ledger();
    let bank = format!("{}/tests/fixtures/bank/camt053-v08-credits-debit.xml", env!("CARGO_MANIFEST_DIR"));
    // `rules` reads no ledger: it is run without --dir.
    let commands: [&[&str]; 9] = [
        &["report"],
        &["due", "--all"],
        &["check"],
        &["customer", "A1"],
        &["interest", "--from", "2026-10-01", "--to", "2026-10-31"],
        &["stats"],
        &["forecast"],
        &["rules"],
        &["import", "--dry-run", &bank],
    ];
    for args in commands {
        let file = l.file("out.xlsx");
        let with = |extra: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--as-of", AS_OF]);
            all.extend(extra);
            let mut cmd = match args[0] {
                "rules" => assert_cmd::Command::cargo_bin("dun").unwrap(),
                _ => l.dun(&[]),
            };
            let out = cmd.args(&all).output().unwrap();
            assert!(
                out.status.code().is_some_and(|c| c <= 1),
                "{all:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        let csv = with(&["--format", "csv"]);
        with(&["-o", file.to_str().unwrap()]);
        let mut book = workbook(&file);
        let first = book.worksheet_range_at(0).unwrap().unwrap();
        let mut reader = ::csv::ReaderBuilder::new().has_headers(false).from_reader(csv.as_bytes());
        let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), first.height(), "{args:?}:\n{csv}");
        for (record, row) in records.iter().zip(first.rows()) {
            for (field, cell) in record.iter().zip(row) {
                assert!(same(field, cell), "{args:?}: CSV {field:?} but the workbook has {cell:?}");
            }
        }
        std::fs::remove_file(&file).unwrap();
    }
}

#[test]
fn a_workbook_goes_to_a_pipe_but_an_unknown_extension_is_refused() {
    let l = ledger();
    let out = l.dun(&["report", "--as-of", AS_OF, "--format", "xlsx"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK\x03\x04"), "a zip");
    let xls = l.file("aging.xls");
    let err = l.fails(&["report", "-o", xls.to_str().unwrap()], 2);
    assert!(err.contains("cannot tell the format from \".xls\"") && err.contains(".xlsx"), "{err}");
    assert!(!xls.exists());
}

#[test]
fn the_nordic_csv_dialect_is_for_excel_in_the_nordics() {
    let l = ledger();
    let nordic = l.dun(&["report", "--as-of", AS_OF, "--csv-dialect", "nordic"]).output().unwrap();
    let text = String::from_utf8(nordic.stdout).unwrap();
    assert_eq!(
        text,
        "\u{feff}customer;name;currency;not_due;1-30;31-60;61-90;91+;total\r\n\
A1;Andersson Bygg AB;SEK;0,00;2000,00;12500,00;0,00;0,00;14500,00\r\n\
A2;\"'=HYPERLINK(\"\"http://x.example\"\")\";SEK;0,00;0,00;0,00;0,00;800,00;800,00\r\n\
B1;Fjord & Fisk AS;EUR;4200,00;0,00;0,00;0,00;0,00;4200,00\r\n\
TOTAL;;EUR;4200,00;0,00;0,00;0,00;0,00;4200,00\r\n\
TOTAL;;SEK;0,00;2000,00;12500,00;0,00;800,00;15300,00\r\n"
    );
    // The policy makes it the default; the command line still chooses.
    l.write("policy.toml", &format!("{POLICY_SE}[output]\ncsv_dialect = \"nordic\"\n"));
    let by_policy = l.ok(&["due", "--all", "--as-of", AS_OF, "--format", "csv"]);
    assert!(
        by_policy.starts_with("\u{feff}action;customer;invoice;currency;open;days_overdue"),
        "{by_policy}"
    );
    assert!(by_policy.contains(";800,00;91;"), "{by_policy}");
    let standard = l.ok(&["due", "--all", "--as-of", AS_OF, "--format", "csv", "--csv-dialect", "standard"]);
    assert!(standard.starts_with("action,customer,invoice,currency,open,days_overdue,"), "{standard}");
    assert!(standard.contains(",800.00,91,"), "{standard}");
    let err = l.fails(&["report", "--csv-dialect", "excel"], 2);
    assert!(err.contains("possible values: standard, nordic"), "{err}");
    l.write("policy.toml", &format!("{POLICY_SE}[output]\ncsv_dialect = \"semicolon\"\n"));
    let err = l.fails(&["report", "--format", "csv"], 1);
    assert!(err.contains("csv_dialect") && err.contains("semicolon"), "{err}");
}

#[test]
fn redact_masks_the_workbooks_cells_too() {
    let l = ledger();
    let file = l.file("aging.xlsx");
    let csv = l.ok(&["report", "--as-of", AS_OF, "--redact", "--format", "csv"]);
    l.ok(&["report", "--as-of", AS_OF, "--redact", "-o", file.to_str().unwrap()]);
    let mut book = workbook(&file);
    let aging = book.worksheet_range("Aging").unwrap();
    let names: Vec<String> = aging.rows().skip(1).map(|r| r[1].to_string()).collect();
    assert!(!names.iter().any(|n| n.contains("Andersson")), "{names:?}");
    // The same masks as the CSV's.
    let csv_names: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(names[0], csv_names[0]);
    assert_eq!(names[2], csv_names[2]);
}
