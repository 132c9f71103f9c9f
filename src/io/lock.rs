//! The ledger lock (SPEC §8): every command that writes (journal, letters, batches, payments)
//! holds an exclusive lock on `DIR/.dun.lock` from before it reads the journal until after it
//! has appended to it, so two cron runs at once act one after the other and the second sees
//! what the first did. The holder writes its pid into the file; a run that waits longer than
//! `DUN_LOCK_WAIT` seconds (default 300) gives up and names that pid. Taking the lock
//! finishes or clears what a stopped run left (`io::commit::recover`).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

pub const LOCK_FILE: &str = ".dun.lock";
pub const DEFAULT_WAIT_SECS: u64 = 300;

/// Held for as long as it lives; the OS releases it when the process ends, even on a crash.
#[derive(Debug)]
pub struct LedgerLock {
    _file: File,
}

impl LedgerLock {
    /// Takes the lock, waiting for another `dun` that holds it (up to `DUN_LOCK_WAIT`).
    pub fn acquire(dir: &Path) -> Result<LedgerLock> {
        // A pipe or device in place of an input would block the read under the lock, and with
        // it every later run: refuse before taking it.
        super::ledger_dir::ensure_inputs_regular(dir)?;
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        let wait = wait_limit()?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder =
                        holder_pid(&mut file).map_or("unknown pid".to_owned(), |p| format!("pid {p}"));
                    bail!(
                        "another dun ({holder}) has held the ledger lock {} for over {} s; gave up \
                         (DUN_LOCK_WAIT=SECONDS waits longer)",
                        path.display(),
                        wait.as_secs()
                    );
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
        let _ = file.set_len(0).and_then(|()| {
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "{}", std::process::id())
        });
        for said in super::commit::recover(dir)? {
            eprintln!("dun: {said}");
        }
        Ok(LedgerLock { _file: file })
    }
}

fn wait_limit() -> Result<Duration> {
    match std::env::var("DUN_LOCK_WAIT") {
        Err(_) => Ok(Duration::from_secs(DEFAULT_WAIT_SECS)),
        Ok(v) => match v.trim().parse::<f64>() {
            Ok(s) if s.is_finite() && s >= 0.0 => Ok(Duration::from_secs_f64(s.min(1e9))),
            _ => bail!("DUN_LOCK_WAIT={v:?}: write the seconds to wait for the ledger lock, e.g. 60"),
        },
    }
}

fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
