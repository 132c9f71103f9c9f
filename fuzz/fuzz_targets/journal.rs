//! journal.csv as read: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dun::io::journal_file::parse(Box::new(std::io::Cursor::new(data.to_vec())));
});
