//! Bytes in and out: reading the ledger's files, writing what `dun` produces.

pub mod bank;
#[cfg(test)]
mod check_load_tests;
pub mod columns;
pub mod commit;
pub mod csv_in;
pub mod deliver;
pub mod heap;
pub mod import_files;
pub mod journal_file;
pub mod ledger_dir;
pub mod lock;
#[cfg(test)]
mod never_panics;
pub mod output;
pub mod presets;
pub mod progress;
pub mod rewrite;
pub mod sie;
pub mod source;
