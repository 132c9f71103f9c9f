//! The date parser (every Nordic format): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dun::core::date::parse_date(&String::from_utf8_lossy(data));
});
