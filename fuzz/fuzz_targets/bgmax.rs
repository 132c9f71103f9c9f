//! The BgMax parser: never a panic, whatever the bytes, and read as a stream (as `dun import`
//! reads it) the file gives what the whole-file parser gives.
#![no_main]
use dun::io::bank::{BankPayment, Framing, parse_bgmax, stream_bgmax};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = parse_bgmax(data);
    let framing = Framing::of(data).expect("reading a slice cannot fail");
    let mut payments: Vec<BankPayment> = Vec::new();
    let streamed = stream_bgmax(&|| Ok(data), &framing, &mut |p| payments.push(p)).expect("reading a slice cannot fail");
    assert_eq!(whole.is_ok(), streamed.is_ok(), "whole {whole:?}\nstreamed {streamed:?}");
    if let (Ok(whole), Ok(mut streamed)) = (whole, streamed) {
        streamed.payments = payments;
        let mut ids: Vec<&str> = streamed.payments.iter().map(|p| p.txid.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        // A repeated id is renamed by the whole-file parser only; the import reads such a file whole.
        if ids.len() == streamed.payments.len() {
            assert_eq!(streamed, whole);
        }
    }
});
