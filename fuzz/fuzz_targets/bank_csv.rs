//! A bank's CSV export with a typical [import.csv] mapping: never a panic, and read as a stream
//! (as `dun import` reads it) it gives what the whole-file parser gives.
#![no_main]
use dun::io::bank::{BankFile, BankPayment, CsvImportConfig, parse_bank_csv, stream_bank_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = CsvImportConfig {
        columns: [("date", "Bokföringsdag"), ("amount", "Belopp"), ("reference", "Referens"), ("message", "Meddelande")].iter().map(|(o, t)| ((*o).to_owned(), (*t).to_owned())).collect(),
        ..CsvImportConfig::default()
    };
    let whole = parse_bank_csv(data, &config);
    let mut payments: Vec<BankPayment> = Vec::new();
    let streamed = stream_bank_csv(&|| Ok(data), &config, &mut |p| payments.push(p)).expect("reading a slice cannot fail");
    same(whole, streamed, payments);
});

/// Both accept or both reject; accepted, they are equal unless an id repeats (the whole-file
/// parser renames a repeat; the import reads such a file whole).
fn same(whole: Result<BankFile, Vec<dun::io::bank::BankError>>, streamed: Result<BankFile, Vec<dun::io::bank::BankError>>, payments: Vec<BankPayment>) {
    assert_eq!(whole.is_ok(), streamed.is_ok(), "whole {whole:?}\nstreamed {streamed:?}");
    if let (Ok(whole), Ok(mut streamed)) = (whole, streamed) {
        streamed.payments = payments;
        let mut ids: Vec<&str> = streamed.payments.iter().map(|p| p.txid.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() == streamed.payments.len() {
            assert_eq!(streamed, whole);
        }
    }
}
