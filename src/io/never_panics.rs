//! Issue 10: arbitrary bytes never make a parser panic (the fuzz targets in `fuzz/` run the
//! same parsers for millions of inputs; these run in `cargo test`).

use proptest::prelude::*;

use super::bank::{CsvImportConfig, parse_bank_csv, parse_bgmax, parse_camt, parse_ktl, parse_nets_ocr};
use super::csv_in::{INVOICE_COLUMNS, map_columns};
use super::source::{CsvSource, Dialect, normalize_header};

fn bank_config() -> CsvImportConfig {
    CsvImportConfig {
        columns: [("date", "date"), ("amount", "amount"), ("reference", "reference")]
            .iter()
            .map(|(o, t)| ((*o).to_owned(), (*t).to_owned()))
            .collect(),
        ..CsvImportConfig::default()
    }
}

/// Bytes that look a little like the files: arbitrary bytes, or lines of CSV-ish text.
fn inputs() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        "[a-z0-9,;\"\\r\\n.\\- ]{0,300}".prop_map(String::into_bytes),
        "(date,amount,reference\\n|01BGMAX {10}|0[0-9]{22}\\n3[0-9]{20}|<Document>)[0-9A-Z, .\"<>/\\n-]{0,200}"
            .prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bank_parsers_never_panic(bytes in inputs()) {
        let _ = parse_bgmax(&bytes);
        let _ = parse_nets_ocr(&bytes);
        let _ = parse_ktl(&bytes);
        let _ = super::bank::detect_format(&bytes, "x.txt");
        let _ = parse_camt(&bytes);
        let _ = parse_bank_csv(&bytes, &bank_config());
    }

    #[test]
    fn csv_loader_and_journal_never_panic(bytes in inputs()) {
        let reader = Box::new(std::io::Cursor::new(bytes.clone()));
        let path = std::path::Path::new("invoices.csv");
        if let Ok(source) = CsvSource::from_reader(reader, path, "invoices.csv", Dialect::default(), |raw| {
            let names: Vec<String> = raw.iter().map(|n| normalize_header(n)).collect();
            map_columns(INVOICE_COLUMNS, &names)
        }) {
            let _ = source.scan(|| 0usize, |n, fields| *n += fields.len());
        }
        let _ = super::journal_file::parse(Box::new(std::io::Cursor::new(bytes)));
    }

    #[test]
    fn policy_and_dates_never_panic(text in "\\PC{0,200}") {
        let _ = crate::core::policy::Policy::from_toml(&text);
        let _ = crate::core::date::parse_date(&text);
    }
}
