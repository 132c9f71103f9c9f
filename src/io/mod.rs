//! Bytes in and out: reading the ledger's files, writing what `dun` produces.

pub mod csv_in;
pub mod journal_file;
pub mod ledger_dir;
pub mod lock;
pub mod output;
pub mod source;
