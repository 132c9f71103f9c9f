//! `dun sent [REF...|--all|--customer ID...] [--channel C] [--on DATE]` (SPEC §8–9, issue 13): records by hand
//! that composed messages reached the customer — letters posted, or a message in doubt that
//! did arrive. Journaled in one run under the ledger lock; a message already delivered is
//! left as it is, so a second `dun sent` changes nothing.

use anyhow::{Result, bail};

use crate::cli::SentArgs;
use crate::context::Context;
use crate::core::delivery::{Deliveries, Message, Status};
use crate::core::journal::Event;
use crate::io::commit::Transaction;
use crate::io::{journal_file, lock::LedgerLock};

use super::send::delivery_line;

pub fn run(ctx: &Context, args: &SentArgs) -> Result<()> {
    let _lock = LedgerLock::acquire(&ctx.dir)?;
    let journal = journal_file::read(&ctx.dir)?;
    let deliveries = Deliveries::from_journal(journal.entries.iter());
    let on = args.on.unwrap_or(ctx.as_of);
    if on > ctx.as_of {
        bail!("--on {on} is after the as-of date {}: a delivery cannot be recorded ahead", ctx.as_of);
    }
    let channel = args.channel.map(|c| c.channel());
    let on_channel = |m: &&Message| channel.is_none_or(|c| m.channel == c);
    let chosen: Vec<&Message> = if args.all || !args.customers.is_empty() {
        for id in &args.customers {
            if !deliveries.messages.iter().filter(on_channel).any(|m| m.customer.as_deref() == Some(id)) {
                bail!(
                    "no message to customer \"{id}\" was composed for delivery{}; `dun send --dry-run` lists those waiting",
                    channel.map_or(String::new(), |c| format!(" on channel {}", c.name()))
                );
            }
        }
        let of_customer =
            |m: &&Message| args.all || m.customer.as_ref().is_some_and(|id| args.customers.contains(id));
        // Every message still waiting; one refused for good needs its reference named.
        deliveries
            .messages
            .iter()
            .filter(on_channel)
            .filter(of_customer)
            .filter(|m| !matches!(m.status, Status::Sent | Status::Failed(_)))
            .collect()
    } else {
        let mut chosen = Vec::new();
        for r in &args.refs {
            let named: Vec<&Message> = deliveries
                .messages
                .iter()
                .filter(on_channel)
                .filter(|m| m.reference == *r || m.file == *r)
                .collect();
            if named.is_empty() {
                bail!(
                    "no message composed for delivery is called \"{r}\"{}; `dun send --dry-run` lists those waiting \
                     (the journal's ref column)",
                    channel.map_or(String::new(), |c| format!(" on channel {}", c.name()))
                );
            }
            chosen.extend(named);
        }
        chosen
    };
    let mut lines = Vec::new();
    for m in chosen {
        if m.status == Status::Sent {
            if !ctx.quiet {
                eprintln!(
                    "dun: {} ({}) was already recorded as delivered on {}",
                    m.reference,
                    m.channel.name(),
                    m.since
                );
            }
            continue;
        }
        if lines.iter().any(|l: &crate::core::journal::Entry| {
            l.reference() == Some(m.reference.as_str()) && l.channel() == Some(m.channel.name())
        }) {
            continue;
        }
        if on < m.queued {
            bail!("--on {on} is before {} ({}) was composed, on {}", m.reference, m.channel.name(), m.queued);
        }
        lines.push(delivery_line(m, Event::Sent, on, "recorded by hand (dun sent)"));
    }
    let mut tx = Transaction::new(&ctx.dir);
    tx.journal(&lines);
    tx.commit()?;
    if !ctx.quiet {
        for l in &lines {
            println!(
                "sent {} {} on {on}",
                l.channel().unwrap_or_default(),
                l.reference().unwrap_or_default()
            );
        }
        if lines.is_empty() {
            println!("sent: nothing waiting to record");
        }
    }
    Ok(())
}
