//! The camt parser: never a panic, whatever the bytes, and where the stream (as `dun import`
//! reads a camt file) takes the file, it reads it as the whole-file parser does, its hash too.
#![no_main]
use dun::io::bank::{BankPayment, parse_camt, stream_camt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = parse_camt(data);
    let mut payments: Vec<BankPayment> = Vec::new();
    let Some(read) = stream_camt(&|| Ok(data), &mut |p| payments.push(p)).expect("reading a slice cannot fail") else {
        return;
    };
    assert_eq!(read.hash, dun::io::import_files::content_hash(data));
    assert_eq!(whole.is_ok(), read.file.is_ok(), "whole {whole:?}\nstreamed {:?}", read.file);
    match (whole, read.file) {
        (Ok(whole), Ok(mut streamed)) => {
            streamed.payments = payments;
            let mut ids: Vec<&str> = streamed.payments.iter().map(|p| p.txid.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            // A repeated id is renamed by the whole-file parser only; the import reads such a file whole.
            if ids.len() == streamed.payments.len() {
                assert_eq!(streamed, whole);
            }
        }
        (Err(whole), Err(streamed)) => assert_eq!(streamed, whole),
        _ => unreachable!(),
    }
});
