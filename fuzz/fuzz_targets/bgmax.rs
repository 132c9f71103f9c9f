//! The BgMax parser: never a panic, whatever the bytes, and read as a stream (as `dun import`
//! reads it) the file gives what the whole-file parser gives.
#![no_main]
use dun::io::bank::{BankPayment, Framing, parse_bgmax, stream_bgmax};
use libfuzzer_sys::fuzz_target;

#[path = "same.rs"]
mod same;

fuzz_target!(|data: &[u8]| {
    let whole = parse_bgmax(data);
    let framing = Framing::of(data).expect("reading a slice cannot fail");
    let mut payments: Vec<BankPayment> = Vec::new();
    let streamed = stream_bgmax(&|| Ok(data), &framing, &mut |p| payments.push(p)).expect("reading a slice cannot fail");
    same::same(whole, streamed, payments, false);
});
