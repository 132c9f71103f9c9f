//! A bank's CSV export with a typical [import.csv] mapping: never a panic, and read as a stream
//! (as `dun import` reads it) it gives what the whole-file parser gives.
#![no_main]
use dun::io::bank::{BankPayment, CsvImportConfig, parse_bank_csv, stream_bank_csv};
use libfuzzer_sys::fuzz_target;

#[path = "same.rs"]
mod same;

fuzz_target!(|data: &[u8]| {
    let config = CsvImportConfig {
        columns: [("date", "Bokföringsdag"), ("amount", "Belopp"), ("reference", "Referens"), ("message", "Meddelande")].iter().map(|(o, t)| ((*o).to_owned(), (*t).to_owned())).collect(),
        ..CsvImportConfig::default()
    };
    let whole = parse_bank_csv(data, &config);
    let mut payments: Vec<BankPayment> = Vec::new();
    let streamed = stream_bank_csv(&|| Ok(data), &config, &mut |p| payments.push(p)).expect("reading a slice cannot fail");
    same::same(whole, streamed, payments, false);
});
