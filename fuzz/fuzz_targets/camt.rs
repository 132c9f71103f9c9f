//! The camt parser: never a panic, whatever the bytes, and where the stream (as `dun import`
//! reads a camt file) takes the file, it reads it as the whole-file parser does, its hash and
//! its errors too.
#![no_main]
use dun::io::bank::{BankPayment, parse_camt, stream_camt};
use libfuzzer_sys::fuzz_target;

#[path = "same.rs"]
mod same;

fuzz_target!(|data: &[u8]| {
    let whole = parse_camt(data);
    let mut payments: Vec<BankPayment> = Vec::new();
    let Some(read) = stream_camt(&|| Ok(data), &mut |p| payments.push(p)).expect("reading a slice cannot fail") else {
        return;
    };
    assert_eq!(read.hash, dun::io::import_files::content_hash(data));
    same::same(whole, read.file, payments, true);
});
