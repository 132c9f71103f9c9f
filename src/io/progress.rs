//! Progress on long work, for a person watching a terminal: a bar while a large file is read,
//! then a spinner until the output is written. Never in a pipe, under cron (no terminal) or
//! with `-q`: [`enable`] decides once per run, and everything here is a no-op otherwise.
//!
//! Only files of [`MIN_BYTES`] or more show anything: a small ledger is done before a bar
//! would be drawn, and a flickering line is worse than none.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The smallest file whose reading is shown (a ledger of roughly 100 000 invoices).
pub const MIN_BYTES: u64 = 8 << 20;

static ENABLED: OnceLock<bool> = OnceLock::new();
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Whether this run may show progress: only when both standard output and standard error are
/// a terminal and `-q` was not given. Once per run.
pub fn enable(quiet: bool, stdout_terminal: bool, stderr_terminal: bool) {
    let _ = ENABLED.set(shown(quiet, stdout_terminal, stderr_terminal));
}

fn shown(quiet: bool, stdout_terminal: bool, stderr_terminal: bool) -> bool {
    !quiet && stdout_terminal && stderr_terminal
}

fn enabled() -> bool {
    ENABLED.get().copied().unwrap_or(false)
}

/// Reading one file of `total` bytes, named `display`; dropped when the file is read.
pub struct Reading {
    bar: Option<ProgressBar>,
}

/// Starts a bar for reading a file, when progress is shown and the file is large.
pub fn reading(display: &str, total: u64) -> Reading {
    if !enabled() || total < MIN_BYTES {
        return Reading { bar: None };
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(8));
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {percent:>3} % ({binary_bytes}/{binary_total_bytes})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("reading {display}"));
    replace(Some(bar.clone()));
    Reading { bar: Some(bar) }
}

impl Reading {
    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }
}

impl Drop for Reading {
    /// The file is read: what follows is work on it, shown by a spinner until the output is
    /// written ([`clear`]).
    fn drop(&mut self) {
        if self.bar.take().is_none() {
            return;
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
        spinner.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        spinner.set_message("working");
        spinner.enable_steady_tick(Duration::from_millis(125));
        replace(Some(spinner));
    }
}

fn replace(next: Option<ProgressBar>) {
    if let Ok(mut current) = BAR.lock() {
        if let Some(old) = current.take() {
            old.finish_and_clear();
        }
        *current = next;
    }
}

/// Takes whatever progress is shown off the terminal: before the output or an error is
/// written.
pub fn clear() {
    replace(None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_for_a_person_at_a_terminal() {
        assert!(shown(false, true, true));
        assert!(!shown(true, true, true), "-q");
        assert!(!shown(false, false, true), "output piped");
        assert!(!shown(false, true, false), "errors piped or cron");
    }

    #[test]
    fn nothing_is_drawn_when_not_enabled() {
        // ENABLED is never set in unit tests: no bar, whatever the size.
        let reading = reading("invoices.csv", MIN_BYTES * 4);
        assert!(reading.bar.is_none());
        reading.advance(10);
    }
}
