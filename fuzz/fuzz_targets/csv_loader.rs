//! The CSV loader (dialect sniffing, encodings, RFC 4180 chunking) on invoices.csv columns.
#![no_main]
use dun::io::csv_in::{INVOICE_COLUMNS, map_columns};
use dun::io::source::{CsvSource, Dialect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reader = Box::new(std::io::Cursor::new(data.to_vec()));
    let path = std::path::Path::new("invoices.csv");
    if let Ok(source) = CsvSource::from_reader(reader, path, "invoices.csv", Dialect::default(), |raw| {
        let names: Vec<String> = raw.iter().map(|n| dun::io::source::normalize_header(n)).collect();
        map_columns(INVOICE_COLUMNS, &names)
    }) {
        let _ = source.scan(|| 0usize, |n, fields| *n += fields.len());
    }
});
