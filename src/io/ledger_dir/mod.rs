//! Loading a ledger directory: the policy, the customers, the payments and a scan of the
//! invoices, with every error of a file reported together.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::columns::{FileKind, check_table};
use super::csv_in::{
    InvoiceContext, Noted, RowOut, file_reading, invoice_row, open_ledger_file, policy_table,
    read_customers_noted, read_payments, read_payments_noted, specs_of,
};
use crate::core::blocks::Blocks;
use crate::core::finding::{FileReading, Finding, summarize};
use crate::core::ledger::CustomerIndex;
use crate::core::model::{Customer, Invoice, InvoiceRecord, Payment};
use crate::core::policy::Policy;

pub const POLICY: &str = "policy.toml";
pub const CUSTOMERS: &str = "customers.csv";
pub const INVOICES: &str = "invoices.csv";
pub const PAYMENTS: &str = "payments.csv";
pub const JOURNAL: &str = "journal.csv";

/// Every file a writing run may read must be a regular file (or missing): checked before the
/// ledger lock is taken (see `io::lock`).
pub fn ensure_inputs_regular(dir: &Path) -> Result<()> {
    let owned = [super::import_files::UNMATCHED, super::import_files::IMPORTS];
    for name in [POLICY, CUSTOMERS, INVOICES, PAYMENTS, JOURNAL].into_iter().chain(owned) {
        super::source::ensure_regular(&dir.join(name), name)?;
    }
    Ok(())
}

/// The ledger directory: the one named by `--dir` or `DUN_DIR` (`given`, with which of them
/// named it), which must exist and hold a `policy.toml`; else the nearest of `cwd` and its
/// parents that holds one (`.` when it is `cwd` itself, so that messages stay short).
pub fn locate(given: Option<(&Path, &str)>, cwd: &Path) -> Result<PathBuf> {
    let usage = |message: String| anyhow::Error::new(crate::UsageError(message));
    if let Some((dir, named_by)) = given {
        let shown = dir.display();
        let named =
            if named_by == "DUN_DIR" { format!("DUN_DIR={shown}") } else { format!("{named_by} {shown}") };
        return match std::fs::metadata(dir) {
            Err(_) => Err(usage(format!("{named}: no such directory"))),
            Ok(meta) if !meta.is_dir() => Err(usage(format!("{named}: not a directory"))),
            Ok(_) if !dir.join(POLICY).is_file() => Err(usage(format!(
                "{shown} is not a ledger directory: it has no {POLICY}. Make one there with \
                 `dun init {shown}`, or name another with --dir DIR or DUN_DIR"
            ))),
            Ok(_) => Ok(dir.to_path_buf()),
        };
    }
    if cwd.join(POLICY).is_file() {
        return Ok(PathBuf::from("."));
    }
    match cwd.ancestors().skip(1).find(|d| d.join(POLICY).is_file()) {
        Some(found) => Ok(found.to_path_buf()),
        None => Err(usage(format!(
            "{} is not a ledger directory: no {POLICY} in it or in any directory above it. Make one \
             with `dun init` (here) or `dun init DIR`, or name one with --dir DIR or DUN_DIR",
            cwd.display()
        ))),
    }
}

pub fn load_policy(dir: &Path) -> Result<Policy> {
    let path = dir.join(POLICY);
    super::source::ensure_regular(&path, POLICY)?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{POLICY}: cannot read {} (`dun init` makes one)", path.display()))?;
    let policy = Policy::from_toml(&text).map_err(|e| anyhow::anyhow!("{POLICY}: {e}"))?;
    for kind in [FileKind::Customers, FileKind::Invoices, FileKind::Payments] {
        if let Some(table) = policy_table(&policy, kind) {
            let at = format!("[columns.{}]", kind.table());
            check_table(table, specs_of(kind), &at).map_err(|e| {
                let line = table_line(&text, &at).map_or(String::new(), |l| format!(" (line {l})"));
                anyhow::anyhow!("{POLICY}{line}: {e}")
            })?;
        }
    }
    Ok(policy)
}

/// The line of a table's header in the policy's text, for messages.
fn table_line(text: &str, header: &str) -> Option<usize> {
    text.lines().position(|l| l.trim().replace(' ', "") == header.replace(' ', "")).map(|i| i + 1)
}

pub fn load_customers(dir: &Path, policy: &Policy) -> Result<Vec<Customer>> {
    load_customers_noted(dir, policy).map(|(c, _)| c)
}

pub fn load_customers_noted(dir: &Path, policy: &Policy) -> Result<(Vec<Customer>, Noted)> {
    read_customers_noted(&dir.join(CUSTOMERS), CUSTOMERS, policy, |row| row.to_customer())
}

pub fn load_payments(dir: &Path, policy: &Policy) -> Result<Vec<Payment>> {
    read_payments(&dir.join(PAYMENTS), PAYMENTS, policy)
}

/// Streams every record of `invoices.csv` through `visit`, one `State` per worker thread.
/// If any record is malformed, all errors (capped) are returned instead and no state is.
pub fn scan_invoices<State: Send>(
    dir: &Path,
    policy: &Policy,
    customers: &CustomerIndex<'_>,
    new_state: impl Fn() -> State + Sync,
    visit: impl Fn(&mut State, &InvoiceRecord<'_>) + Sync,
) -> Result<Vec<State>> {
    scan_invoices_noted(dir, policy, customers, new_state, visit).map(|(states, _)| states)
}

/// [`scan_invoices`], with what reading found that is not an error in a field (see
/// [`Noted`]).
pub fn scan_invoices_noted<State: Send>(
    dir: &Path,
    policy: &Policy,
    customers: &CustomerIndex<'_>,
    new_state: impl Fn() -> State + Sync,
    visit: impl Fn(&mut State, &InvoiceRecord<'_>) + Sync,
) -> Result<(Vec<State>, Noted)> {
    scan_invoices_where(dir, policy, customers, Lines::All, new_state, visit)
}

/// Which lines of `invoices.csv` a scan reads (see [`scan_invoices_where`]).
pub enum Lines<'w> {
    All,
    /// Those `maybe` takes: the others are cut into fields but not read.
    Where(&'w (dyn Fn(LineKey<'_>) -> bool + Sync)),
    /// Those starting on these line numbers, known from an earlier reading: the others are
    /// not even cut into fields.
    On(Vec<u64>),
}

/// What a line of `invoices.csv` says of the invoice before it is read: its number, customer
/// and currency as its [`InvoiceRecord`] has them (`None`: not a currency, an error).
#[derive(Clone, Copy)]
pub struct LineKey<'f> {
    pub number: &'f str,
    pub customer: &'f str,
    pub currency: Option<crate::core::model::Currency>,
}

/// [`scan_invoices_noted`] of some `lines` only. For a second reading after a first found the
/// file without error, which wants a few lines known by number, customer or currency, or by
/// line (issue #14: `dun check` read the whole of a million lines again for a few hundred).
pub fn scan_invoices_where<State: Send>(
    dir: &Path,
    policy: &Policy,
    customers: &CustomerIndex<'_>,
    lines: Lines<'_>,
    new_state: impl Fn() -> State + Sync,
    visit: impl Fn(&mut State, &InvoiceRecord<'_>) + Sync,
) -> Result<(Vec<State>, Noted)> {
    let (mut source, reading) = open_ledger_file(&dir.join(INVOICES), INVOICES, FileKind::Invoices, policy)?;
    let maybe = match lines {
        Lines::All => None,
        Lines::Where(maybe) => Some(maybe),
        Lines::On(lines) => {
            source.only_lines(lines);
            None
        }
    };
    let cols = reading.index.clone();
    let format = &reading.format;
    let ctx = InvoiceContext { display: INVOICES, customers, currency: policy.currency };
    let (states, damaged) = source.scan_damaged(
        || (new_state(), Vec::<Finding>::new(), Vec::<Finding>::new()),
        |(state, errors, notes), fields| {
            if let Some(maybe) = maybe {
                // As `invoice_row` reads them.
                let currency = match fields.get(cols.get(7).copied().flatten()) {
                    "" => Some(policy.currency),
                    text => crate::core::model::Currency::parse(text),
                };
                if !maybe(LineKey { number: fields.get(cols[0]), customer: fields.get(cols[1]), currency }) {
                    return;
                }
            }
            if let Some(record) = invoice_row(fields, &cols, &ctx, format, RowOut { errors, notes }) {
                visit(state, &record);
            }
        },
    )?;
    let mut findings: Vec<Finding> = damaged;
    let mut noted = Noted { notes: reading.notes.clone(), reading: file_reading(INVOICES, &reading) };
    let mut out = Vec::with_capacity(states.len());
    for (state, f, n) in states {
        findings.extend(f);
        noted.notes.extend(n);
        out.push(state);
    }
    if !findings.is_empty() {
        bail!("{}", summarize(&mut findings));
    }
    Ok((out, noted))
}

/// How each ledger file is read, from its header alone (the policy's mapping, a preset),
/// with the header's notes: what every command says on stderr before it starts. Files that
/// are missing or cannot be read are left to the command, which says why.
pub fn survey(dir: &Path) -> Vec<(Option<FileReading>, Vec<Finding>)> {
    let Ok(policy) = load_policy(dir) else { return Vec::new() };
    let mut out = Vec::new();
    for (kind, name) in
        [(FileKind::Customers, CUSTOMERS), (FileKind::Invoices, INVOICES), (FileKind::Payments, PAYMENTS)]
    {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        if let Ok((_, reading)) = open_ledger_file(&path, name, kind, &policy) {
            out.push((file_reading(name, &reading), reading.notes));
        }
    }
    out
}

/// The invoices of every worker, one list in file order. Each worker's part is in file order
/// (it takes the file's chunks in turn), so the parts are merged rather than sorted: every
/// invoice is moved once, into a list sized once. Collecting a flattened iterator and sorting
/// it grew the list by doubling (copying a million invoices on the way, up to half of it
/// unused) and the stable sort took a scratch copy of half the list.
///
/// Merged from the back, so that each part gives its memory back as it empties: taken from
/// the front, every part stayed whole until the end, and ten million invoices were held
/// twice.
fn in_file_order(parts: Vec<Blocks<Invoice>>) -> Vec<Invoice> {
    crate::core::blocks::merge_parts(parts, |i| i.line, |i| i)
}

/// Loads the whole ledger directory into memory: policy, customers, invoices, payments and
/// the journal. Every file's errors are reported together.
pub fn load_ledger(dir: &Path) -> Result<crate::core::ledger::Ledger> {
    let mut ledger = load_without_journal(dir)?;
    ledger.journal = super::journal_file::read(dir)?;
    Ok(ledger)
}

/// [`load_ledger`] with an empty journal, for the caller to read it as it needs.
fn load_without_journal(dir: &Path) -> Result<crate::core::ledger::Ledger> {
    let policy = load_policy(dir)?;
    let (customers, customers_noted) = load_customers_noted(dir, &policy)?;
    let (payments, payments_noted) = read_payments_noted(&dir.join(PAYMENTS), PAYMENTS, &policy)?;
    let index = CustomerIndex::new(&customers, &policy);
    let (parts, invoices_noted) =
        scan_invoices_noted(dir, &policy, &index, Blocks::new, |invoices, record| {
            invoices.push(record.to_owned())
        })?;
    Ok(with_journal(
        crate::core::journal::Journal::default(),
        policy,
        customers,
        in_file_order(parts),
        payments,
        [customers_noted, invoices_noted, payments_noted],
    ))
}

/// The ledger of what was read, with every file's notes kept.
fn with_journal(
    journal: crate::core::journal::Journal,
    policy: Policy,
    customers: Vec<Customer>,
    invoices: Vec<Invoice>,
    payments: Vec<crate::core::model::Payment>,
    noted: [Noted; 3],
) -> crate::core::ledger::Ledger {
    let mut ledger = crate::core::ledger::Ledger::new(policy, customers, invoices, payments, journal);
    for noted in noted {
        ledger.notes.extend(noted.notes);
        ledger.readings.extend(noted.reading);
    }
    ledger
}

mod partial;
pub use partial::*;

#[cfg(test)]
mod tests;
