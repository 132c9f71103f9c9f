//! The freshness gate of `dun remind` and `dun collect` (see `core::freshness`): called with the
//! customers a run would write to, it refuses the run, or with `--force` lets it go and returns
//! the journal notes that say what was overridden.

use std::collections::BTreeSet;

use anyhow::{Result, bail};

use crate::cli::SendArgs;
use crate::context::Context;
use crate::core::freshness::{self, Problem, Recipient};
use crate::core::journal::{Entry, Event};
use crate::core::ledger::Ledger;
use crate::io::import_files;

/// `Ok(notes)` to journal with the run (empty when the gate is open), or the refusal.
pub fn check<'a>(
    ctx: &Context,
    ledger: &Ledger,
    args: &SendArgs,
    command: &str,
    customers: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Entry>> {
    let customers: BTreeSet<&str> = customers.into_iter().collect();
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let recipients: Vec<Recipient> = customers
        .iter()
        .map(|&c| Recipient {
            customer: c.to_owned(),
            max_age_days: ledger.rules_for(ledger.customer(c)).reminder.payments_max_age_days,
        })
        .collect();
    let newest = freshness::newest_bank_data(&import_files::read_imports(&ctx.dir)?, ctx.as_of);
    let pending: Vec<_> = import_files::read_unmatched(&ctx.dir)?.iter().map(|r| r.pending()).collect();
    let problems = freshness::check(ctx.as_of, newest, &recipients, &pending);
    if problems.is_empty() {
        return Ok(Vec::new());
    }
    let listed = problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n");
    if !args.force {
        bail!(
            "{command} refused: the payment data may not show who has paid:\n{listed}\n\
             Import the newest bank file (dun import FILE), assign unmatched payments \
             (dun assign PAYMENT-ID INVOICE), or run again with --force (journaled)."
        );
    }
    if !ctx.quiet {
        eprintln!("dun: warning: --force: {command} goes ahead although:\n{listed}");
    }
    Ok(problems
        .iter()
        .map(|p| {
            let mut e = Entry::new(ctx.as_of, Event::Note);
            if let Problem::Unmatched { customer, .. } = p {
                e.set_customer(Some(&customer));
            }
            e.set_note(Some(format!("freshness gate overridden with --force ({command}): {p}")));
            e
        })
        .collect())
}

/// The data gate: `dun check`'s errors about the customers and invoices a run would write to
/// (a duplicate invoice number, a payment reference that fails its check digit, an amount paid
/// twice, ...) stop the run, so that no letter goes out with a wrong figure. `--force` lets it
/// go and journals what was overridden. A customer with no channel gets no letter at all; that
/// is reported by the run itself, not here.
pub fn data_errors<'a>(
    ctx: &Context,
    ledger: &Ledger,
    args: &SendArgs,
    command: &str,
    customers: impl IntoIterator<Item = &'a str>,
    invoices: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Entry>> {
    let customers: BTreeSet<&str> = customers.into_iter().collect();
    let invoices: BTreeSet<&str> = invoices.into_iter().collect();
    if customers.is_empty() && invoices.is_empty() {
        return Ok(Vec::new());
    }
    let mut errors: Vec<_> = crate::core::check::check_ledger_errors(ledger, ctx.as_of)
        .into_iter()
        .filter(|f| f.code != "no-channel")
        .filter(|f| {
            f.customer.as_deref().is_some_and(|c| customers.contains(c))
                || f.invoice.as_deref().is_some_and(|i| invoices.contains(i))
                // An error about a whole file (a column that looks needed but is not read)
                // may make any figure wrong.
                || (f.customer.is_none() && f.invoice.is_none())
        })
        .collect();
    if errors.is_empty() {
        return Ok(Vec::new());
    }
    let listed = crate::core::finding::summarize(&mut errors);
    if !args.force {
        bail!(
            "{command} refused: dun check finds errors in what it would send:\n{listed}\n\
             Fix them (dun check lists all), or run again with --force (journaled)."
        );
    }
    if !ctx.quiet {
        eprintln!("dun: warning: --force: {command} goes ahead although:\n{listed}");
    }
    Ok(errors
        .iter()
        .map(|f| {
            let mut e = Entry::new(ctx.as_of, Event::Note);
            e.set_customer(f.customer.as_deref());
            e.set_invoice(f.invoice.as_deref());
            e.set_note(Some(format!("data check overridden with --force ({command}): {f}")));
            e
        })
        .collect())
}
