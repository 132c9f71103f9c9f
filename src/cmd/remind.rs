//! `dun remind`: writes the reminders due today, one per customer, step and currency, on every
//! channel the policy names and the customer can receive, then journals them. Run from cron: it
//! is silent on success, and a rerun the same day (or two runs at once) writes nothing twice.

use anyhow::Result;

use crate::cli::SendArgs;
use crate::context::Context;
use crate::core::dunning::{Action, State, action_entry, decide_due};
use crate::core::journal::Event;
use crate::io::ledger_dir;
use crate::io::lock::LedgerLock;
use crate::letters::compose::group;
use crate::letters::{Channel, Step};
use crate::render::{Cell, Format, Table, csv_out};

use super::letters_out::{self, Outgoing};

pub fn run(ctx: &Context, args: &SendArgs) -> Result<()> {
    // Read after the lock, so a second run sees what the first journaled. A dry run writes
    // nothing, not even the lock file.
    let _lock = if args.dry_run { None } else { Some(LedgerLock::acquire(&ctx.dir)?) };
    // The process ends with the command: freeing a million invoices and their decisions piece
    // by piece would cost a twentieth of the run for nothing.
    let ledger = std::mem::ManuallyDrop::new(ledger_dir::load_ledger_for_letters(&ctx.dir, ctx.as_of)?);
    let outcome =
        std::mem::ManuallyDrop::new(decide_due(&ledger, ctx.as_of, &[Action::Reminder, Action::Call]));
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
        plans.iter().flat_map(|p| p.decisions.iter().map(|d| d.invoice)),
    )?);
    let letters = letters_out::letters(ctx, &ledger)?;
    let out_dir = letters_out::out_dir(ctx, args.out.as_deref());
    let (mut outgoing, sink) =
        letters_out::compose_run(&ctx.dir, &out_dir, ctx.as_of, !args.dry_run, |folder, sink| {
            letters_out::compose_all(
                &ledger,
                &letters,
                &plans,
                ctx.as_of,
                folder,
                sink,
                |d, channel, reference| {
                    action_entry(d, ctx.as_of, Some(channel.to_owned()), Some(reference.to_owned()))
                },
            )
        })?;
    letters_out::queue(ctx, &ledger, &out_dir, &mut outgoing);
    outgoing.entries.extend(forced);
    let calls: Vec<_> = outcome.decisions.iter().filter(|d| d.state == State::Due(Action::Call)).collect();
    for d in &calls {
        outgoing.entries.extend(action_entry(d, ctx.as_of, None, None));
    }
    finish(
        ctx,
        args,
        outgoing,
        sink,
        &calls.iter().map(|d| format!("call {} about invoice {}", d.customer, d.invoice)).collect::<Vec<_>>(),
        "reminder",
    )
}

/// Commits (or, dry, lists) what was composed into `sink`; calls and unreachable customers are
/// reported.
pub fn finish(
    ctx: &Context,
    args: &SendArgs,
    mut outgoing: Outgoing,
    sink: letters_out::Sink,
    tasks: &[String],
    what: &str,
) -> Result<()> {
    // Counted before the lines go to the commit, which takes them.
    let handed_over = outgoing.entries.iter().filter(|e| e.event == Event::Collection).count();
    let dir = letters_out::out_dir(ctx, args.out.as_deref());
    // Where stdout carries the JSON or CSV summary, it carries that alone.
    let lines_too = ctx.format == Format::Table || ctx.output.is_some();
    if args.dry_run && lines_too {
        for f in &outgoing.files {
            println!("would write {}", dir.join(f).display());
        }
        for e in &outgoing.entries {
            println!("would journal {} {} {}", e.event, e.invoice().unwrap_or(""), e.channel().unwrap_or(""));
        }
    } else if !args.dry_run {
        letters_out::commit(sink, std::mem::take(&mut outgoing.entries))?;
    }
    if !ctx.quiet && lines_too {
        for task in tasks {
            println!("{task}");
        }
    }
    if !ctx.quiet || ctx.output.is_some() {
        let summary = summary(ctx, args, &outgoing, handed_over, tasks, what)?;
        crate::io::output::emit(ctx.output.as_deref(), &summary)?;
    }
    letters_out::unreachable_is_error(&outgoing, what)
}

/// What a run did, for the person or the script reading it: how many letters on each channel
/// (per customer with `--verbose`), who could not be reached, the calls to make. JSON carries
/// every customer; CSV is one row per letter.
fn summary(
    ctx: &Context,
    args: &SendArgs,
    outgoing: &Outgoing,
    handed_over: usize,
    tasks: &[String],
    what: &str,
) -> Result<String> {
    let count = |channel: Channel| outgoing.letters.iter().filter(|l| l.channels.contains(&channel)).count();
    let channels = Channel::ALL.map(|c| (c.name(), count(c)));
    let verb = if args.dry_run { "would write" } else { "wrote" };
    Ok(match ctx.format {
        Format::Xlsx => anyhow::bail!("the summary is offered as table, csv or json, not xlsx"),
        Format::Json => {
            let letters: Vec<serde_json::Value> = outgoing
                .letters
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "customer": l.customer,
                        "name": l.name,
                        "channels": l.channels.iter().map(|c| c.name()).collect::<Vec<_>>(),
                        "invoices": l.invoices,
                    })
                })
                .collect();
            let value = serde_json::json!({
                "step": what,
                "as_of": ctx.as_of.to_string(),
                "dry_run": args.dry_run,
                "letters": outgoing.letters.len(),
                "handed_over": handed_over,
                "channels": channels.iter().map(|(name, n)| ((*name).to_owned(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
                "customers": letters,
                "unreachable": outgoing.unreachable,
                "tasks": tasks,
            });
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Csv => {
            let mut table = Table::new(["customer", "name", "channels", "invoices"]);
            for l in &outgoing.letters {
                let channels = l.channels.iter().map(|c| c.name()).collect::<Vec<_>>().join("+");
                table.push(vec![
                    Cell::text(&l.customer),
                    Cell::text(&l.name),
                    Cell::text(channels),
                    Cell::Count(l.invoices as i64),
                ]);
            }
            csv_out::render(&table)
        }
        Format::Table | Format::Html => {
            let mut text = if outgoing.letters.is_empty() && handed_over == 0 {
                format!("{what}: nothing due on {}\n", ctx.as_of)
            } else {
                let per_channel = channels
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(name, n)| format!("{name} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "{what}: {verb} {} letter(s) on {} ({per_channel})\n",
                    outgoing.letters.len(),
                    ctx.as_of
                )
            };
            if handed_over > 0 {
                text.push_str(&format!("  {handed_over} invoice(s) handed over to the agency\n"));
            }
            if args.verbose {
                for l in &outgoing.letters {
                    let channels = l.channels.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ");
                    text.push_str(&format!(
                        "  {} {}: {channels} ({} invoice(s))\n",
                        l.customer, l.name, l.invoices
                    ));
                }
            }
            if !outgoing.unreachable.is_empty() {
                text.push_str(&format!(
                    "  {} customer(s) not reached (listed on stderr)\n",
                    outgoing.unreachable.len()
                ));
            }
            text
        }
    })
}
