//! The ledger lock: every command that writes (journal, letters, batches, payments) holds an
//! exclusive lock on `DIR/.dun.lock` from before it reads the journal until after it has
//! appended to it, so two cron runs at once act one after the other and the second sees what
//! the first did.

use std::fs::{File, OpenOptions};
use std::path::Path;

use anyhow::{Context, Result};

pub const LOCK_FILE: &str = ".dun.lock";

/// Held for as long as it lives; the OS releases it when the process ends, even on a crash.
#[derive(Debug)]
pub struct LedgerLock {
    _file: File,
}

impl LedgerLock {
    /// Takes the lock, waiting for another `dun` that holds it.
    pub fn acquire(dir: &Path) -> Result<LedgerLock> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(LedgerLock { _file: file })
    }
}
