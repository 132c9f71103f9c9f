//! policy.toml: never a panic, whatever the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dun::core::policy::Policy::from_toml(&String::from_utf8_lossy(data));
});
