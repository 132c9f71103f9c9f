//! A bank's CSV export with a typical [import.csv] mapping: never a panic.
#![no_main]
use dun::io::bank::{CsvImportConfig, parse_bank_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = CsvImportConfig {
        columns: [("date", "Bokföringsdag"), ("amount", "Belopp"), ("reference", "Referens"), ("message", "Meddelande")].iter().map(|(o, t)| ((*o).to_owned(), (*t).to_owned())).collect(),
        ..CsvImportConfig::default()
    };
    let _ = parse_bank_csv(data, &config);
});
