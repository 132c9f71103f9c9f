//! Amount parsers: never a panic, and what is accepted is within the bound.
#![no_main]
use dun::core::money::{MAX_AMOUNT, parse_amount, parse_amount_with_decimal, parse_minor_units};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let results = [
        parse_amount(&text),
        parse_amount_with_decimal(&text, ','),
        parse_amount_with_decimal(&text, '.'),
        parse_minor_units(&text),
    ];
    for v in results.into_iter().flatten() {
        assert!(v.abs() < MAX_AMOUNT);
    }
});
