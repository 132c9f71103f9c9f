//! Loading a ledger directory: the policy, the customers, the payments and a scan of the
//! invoices, with every error of a file reported together.

use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::csv_in::{
    INVOICE_COLUMNS, InvoiceContext, invoice_row, map_columns, read_customers, read_payments,
};
use super::source::CsvSource;
use crate::core::finding::{Finding, summarize};
use crate::core::ledger::CustomerIndex;
use crate::core::model::{Customer, InvoiceRecord, Payment};
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

pub fn load_policy(dir: &Path) -> Result<Policy> {
    let path = dir.join(POLICY);
    super::source::ensure_regular(&path, POLICY)?;
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!("{POLICY}: cannot read {} (start from policy.example.toml)", path.display())
    })?;
    Policy::from_toml(&text).map_err(|e| anyhow::anyhow!("{POLICY}: {e}"))
}

pub fn load_customers(dir: &Path, policy: &Policy) -> Result<Vec<Customer>> {
    read_customers(&dir.join(CUSTOMERS), CUSTOMERS, policy)
}

pub fn load_payments(dir: &Path) -> Result<Vec<Payment>> {
    read_payments(&dir.join(PAYMENTS), PAYMENTS)
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
    let source = CsvSource::open(&dir.join(INVOICES), INVOICES, |names| map_columns(INVOICE_COLUMNS, names))?;
    let cols = source.header.index.clone();
    let ctx = InvoiceContext { display: INVOICES, customers, currency: policy.currency };
    let states = source.scan(
        || (new_state(), Vec::<Finding>::new()),
        |(state, findings), fields| {
            if let Some(record) = invoice_row(fields, &cols, &ctx, findings) {
                visit(state, &record);
            }
        },
    )?;
    let mut findings: Vec<Finding> = Vec::new();
    let mut out = Vec::with_capacity(states.len());
    for (state, f) in states {
        findings.extend(f);
        out.push(state);
    }
    if !findings.is_empty() {
        bail!("{}", summarize(&mut findings));
    }
    Ok(out)
}

/// Loads the whole ledger directory into memory: policy, customers, invoices, payments and
/// the journal. Every file's errors are reported together.
pub fn load_ledger(dir: &Path) -> Result<crate::core::ledger::Ledger> {
    let policy = load_policy(dir)?;
    let customers = load_customers(dir, &policy)?;
    let payments = load_payments(dir)?;
    let index = CustomerIndex::new(&customers, &policy);
    let parts =
        scan_invoices(dir, &policy, &index, Vec::new, |invoices, record| invoices.push(record.to_owned()))?;
    let mut invoices: Vec<_> = parts.into_iter().flatten().collect();
    invoices.sort_by_key(|i| i.line);
    let journal = super::journal_file::read(dir)?;
    Ok(crate::core::ledger::Ledger::new(policy, customers, invoices, payments, journal))
}
