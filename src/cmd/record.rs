//! `dun dispute | resolve | promise | plan | hold | release | note`: agreements and notes,
//! validated against the state of what they name and appended to the journal under the lock.

use anyhow::Result;

use crate::cli::RecordCommand;
use crate::context::Context;
use crate::core::agreement::{self, PlanRequest};
use crate::core::journal::Entry;
use crate::core::ledger::Ledger;
use crate::core::money::format_money;
use crate::io::commit::Transaction;
use crate::io::{ledger_dir, lock::LedgerLock};
use chrono::NaiveDate;

pub fn run(ctx: &Context, command: &RecordCommand) -> Result<()> {
    let _lock = LedgerLock::acquire(&ctx.dir)?;
    // Read after the lock: another run may just have appended. Of the invoices only those of
    // the named invoice's customer are kept (a few of millions); an agreement on a customer
    // reads the register and the journal's lines on no invoice, which such a load keeps whole.
    let about = ledger_dir::About::InvoiceOf(target(command));
    let ledger = ledger_dir::load_ledger_about(&ctx.dir, about)?;
    let as_of = ctx.as_of;
    let compute = |ledger: &crate::core::ledger::Ledger| match command {
        RecordCommand::Dispute { invoice, note } => {
            agreement::dispute(ledger, invoice, note.as_deref(), as_of)
        }
        RecordCommand::Resolve { invoice, note } => {
            agreement::resolve(ledger, invoice, note.as_deref(), as_of)
        }
        RecordCommand::Promise { invoice, until, note } => {
            agreement::promise(ledger, invoice, *until, note.as_deref(), as_of)
        }
        RecordCommand::Plan { invoice, installments, first, every_days } => {
            let req = PlanRequest { installments: *installments, first: *first, every_days: *every_days };
            agreement::plan(ledger, invoice, &req, as_of)
        }
        RecordCommand::Hold { customer, note } => agreement::hold(ledger, customer, note.as_deref(), as_of),
        RecordCommand::Release { customer, note } => {
            agreement::release(ledger, customer, note.as_deref(), as_of)
        }
        RecordCommand::Note { target, text } => agreement::note(ledger, target, &text.join(" "), as_of),
    };
    if let Some(recorded) = already_recorded(&ledger, as_of, compute) {
        if !ctx.quiet {
            println!("already recorded, nothing written:");
            for e in &recorded {
                println!("{}", describe(e));
            }
        }
        return Ok(());
    }
    let entries = compute(&ledger)?;
    let (confirmation, mut tx) = match command {
        RecordCommand::Plan { .. } => {
            let (confirmation, sink) = super::letters_out::plan_confirmation(ctx, &ledger, &entries)?;
            (confirmation, sink.transaction())
        }
        _ => (super::letters_out::Outgoing::default(), Transaction::new(&ctx.dir)),
    };
    let out = super::letters_out::out_dir(ctx, None);
    tx.journal(&entries);
    tx.journal(&confirmation.entries);
    tx.commit()?;
    if !ctx.quiet {
        for f in &confirmation.files {
            println!("wrote {}", out.join(f).display());
        }
        for e in &entries {
            println!("{}", describe(e));
        }
    }
    Ok(())
}

/// The invoice or customer a command names.
fn target(command: &RecordCommand) -> &str {
    match command {
        RecordCommand::Dispute { invoice, .. }
        | RecordCommand::Resolve { invoice, .. }
        | RecordCommand::Promise { invoice, .. }
        | RecordCommand::Plan { invoice, .. } => invoice,
        RecordCommand::Hold { customer, .. } | RecordCommand::Release { customer, .. } => customer,
        RecordCommand::Note { target, .. } => target,
    }
}

/// The same command with the same arguments run again the same day (an operator who does not
/// know whether a run before a crash took): its lines are in the journal already. Returns
/// them, or `None` when this run is new. A command refused now (a second `dispute`) is judged
/// against the journal without that day's lines.
fn already_recorded(
    ledger: &Ledger,
    as_of: NaiveDate,
    compute: impl Fn(&Ledger) -> Result<Vec<Entry>, agreement::Refused>,
) -> Option<Vec<Entry>> {
    let same = Entry::says_the_same_as;
    let journaled = |entries: &[Entry]| {
        !entries.is_empty()
            && entries.iter().all(|e| ledger.journal.entries.iter().any(|j| j.date == as_of && same(j, e)))
    };
    match compute(ledger) {
        Ok(entries) => journaled(&entries).then_some(entries),
        Err(_) => {
            let mut before = ledger.clone();
            let today_on = |e: &Entry| e.date == as_of;
            before.journal.entries.retain(|e| !today_on(e));
            let entries = compute(&before).ok()?;
            journaled(&entries).then_some(entries)
        }
    }
}

fn describe(e: &Entry) -> String {
    let what = e.invoice().or(e.customer()).unwrap_or("");
    let mut line = format!("{} {} {what}", e.date, e.event);
    if let Some(a) = e.amount {
        line.push_str(&format!(" {}", format_money(a)));
    }
    if let Some(u) = e.until {
        line.push_str(&format!(" until {u}"));
    }
    if let Some(n) = e.note() {
        line.push_str(&format!(": {n}"));
    }
    line
}
