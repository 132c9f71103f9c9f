//! Writing files so that a reader never sees half of one: a temp file beside the target,
//! flushed and synced, then renamed over it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dun-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("cannot sync {}", path.display()))?;
    tmp.persist(path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The personal values `--redact` masks in every export, and their masks; set once per run.
static REDACTIONS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();

/// Masks, from here on, the register's personal data in everything [`emit`] writes.
pub fn redact_exports(pairs: Vec<(String, String)>) {
    let _ = REDACTIONS.set(pairs);
}

/// Sends a command's output to `-o FILE` (atomically) or standard output.
pub fn emit(output: Option<&Path>, text: &str) -> Result<()> {
    if let Some(pairs) = REDACTIONS.get() {
        let masked = crate::core::privacy::redact(text, pairs);
        return emit_bytes(output, masked.as_bytes());
    }
    emit_bytes(output, text.as_bytes())
}

/// The masks `--redact` set, for outputs that are not text (a workbook masks its cells).
pub fn redactions() -> Option<&'static [(String, String)]> {
    REDACTIONS.get().map(Vec::as_slice)
}

/// [`emit`] for bytes as they are (a workbook, already masked).
pub fn emit_bytes(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => write_atomically(path, bytes),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// [`write_atomically`], but never over an existing file: for what `dun init` makes, which
/// must not replace a ledger that is already there.
pub fn write_new_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dun-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file().sync_all().with_context(|| format!("cannot sync {}", path.display()))?;
    tmp.persist_noclobber(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{} already exists: dun init never replaces a file", path.display()))?;
    Ok(())
}
