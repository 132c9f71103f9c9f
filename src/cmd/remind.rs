//! `dun remind`: writes the reminders due today, one per customer, step and currency, on every
//! channel the policy names and the customer can receive, then journals them. Run from cron: it
//! is silent on success, and a rerun the same day (or two runs at once) writes nothing twice.

use anyhow::Result;

use crate::cli::SendArgs;
use crate::context::Context;
use crate::core::dunning::{Action, State, action_entry, decide};
use crate::io::ledger_dir;
use crate::io::lock::LedgerLock;
use crate::letters::Step;
use crate::letters::compose::group;

use super::letters_out::{self, Outgoing};

pub fn run(ctx: &Context, args: &SendArgs) -> Result<()> {
    // Read after the lock, so a second run sees what the first journaled. A dry run writes
    // nothing, not even the lock file.
    let _lock = if args.dry_run { None } else { Some(LedgerLock::acquire(&ctx.dir)?) };
    let ledger = ledger_dir::load_ledger(&ctx.dir)?;
    let outcome = decide(&ledger, ctx.as_of);
    super::due::report_problems(ctx, &outcome)?;
    let due: Vec<_> = outcome.decisions.iter().filter(|d| d.state == State::Due(Action::Reminder)).collect();
    let plans = group(Step::Reminder, due.into_iter());
    let mut forced = super::gate::check(ctx, &ledger, args, "remind", plans.iter().map(|p| p.customer))?;
    forced.extend(super::gate::data_errors(
        ctx,
        &ledger,
        args,
        "remind",
        plans.iter().map(|p| p.customer),
        plans.iter().flat_map(|p| p.decisions.iter().map(|d| d.invoice.as_str())),
    )?);
    let letters = letters_out::letters(ctx, &ledger)?;
    let out_dir = letters_out::out_dir(ctx, args.out.as_deref());
    let mut outgoing = letters_out::compose_run(&out_dir, ctx.as_of, |folder| {
        letters_out::compose_all(&ledger, &letters, &plans, ctx.as_of, folder, |d, channel, reference| {
            action_entry(d, ctx.as_of, Some(channel.to_owned()), Some(reference.to_owned()))
        })
    })?;
    outgoing.entries.extend(forced);
    let calls: Vec<_> = outcome.decisions.iter().filter(|d| d.state == State::Due(Action::Call)).collect();
    for d in &calls {
        outgoing.entries.extend(action_entry(d, ctx.as_of, None, None));
    }
    finish(
        ctx,
        args,
        &outgoing,
        &calls.iter().map(|d| format!("call {} about invoice {}", d.customer, d.invoice)).collect::<Vec<_>>(),
        "reminder",
    )
}

/// Writes (or, dry, lists) what was composed; calls and unreachable customers are reported.
pub fn finish(
    ctx: &Context,
    args: &SendArgs,
    outgoing: &Outgoing,
    tasks: &[String],
    what: &str,
) -> Result<()> {
    let dir = letters_out::out_dir(ctx, args.out.as_deref());
    if args.dry_run {
        for (f, _) in &outgoing.files {
            println!("would write {}", dir.join(f).display());
        }
        for e in &outgoing.entries {
            println!(
                "would journal {} {} {}",
                e.event,
                e.invoice.as_deref().unwrap_or(""),
                e.channel.as_deref().unwrap_or("")
            );
        }
    } else {
        letters_out::commit(ctx, &dir, outgoing)?;
    }
    if !ctx.quiet {
        for task in tasks {
            println!("{task}");
        }
    }
    letters_out::unreachable_is_error(outgoing, what)
}
