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
                e.customer = Some(customer.clone());
            }
            e.note = Some(format!("freshness gate overridden with --force ({command}): {p}"));
            e
        })
        .collect())
}
