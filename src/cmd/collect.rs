//! `dun collect`: the hand-over batch for the collection agency (a CSV with what an agency
//! needs), a notice to each debtor, and the journal lines; invoices in collection get nothing
//! more. A debtor missing what an agency needs (organisation or person number, address) is
//! reported and stays due until the data is fixed.

use std::io::Write;

use anyhow::Result;

use crate::cli::SendArgs;
use crate::context::Context;
use crate::core::dunning::{Action, Decision, State, action_entry, decide_due};
use crate::core::journal::{Entry, Event};
use crate::core::ledger::Ledger;
use crate::core::reference::letter::total_in_note;
use crate::io::ledger_dir;
use crate::io::lock::LedgerLock;
use crate::letters::Step;
use crate::letters::compose::group;
use crate::render::{Cell, csv_out};
use rustc_hash::FxHashMap;

use super::letters_out;

pub fn run(ctx: &Context, args: &SendArgs) -> Result<()> {
    let _lock = if args.dry_run { None } else { Some(LedgerLock::acquire(&ctx.dir)?) };
    // Not freed: the process ends with the command (see `dun remind`).
    let ledger = std::mem::ManuallyDrop::new(ledger_dir::load_ledger_for_letters(&ctx.dir, ctx.as_of)?);
    // The batch and the notices show no line of why: decided without any.
    let outcome = decide_due(&ledger, ctx.as_of, &[Action::Collection]);
    super::due::report_problems(ctx, &outcome)?;
    let mut missing = Vec::new();
    let ready: Vec<&Decision<'_>> = outcome
        .decisions
        .iter()
        .filter(|d| d.state == State::Due(Action::Collection))
        .filter(|d| match agency_gaps(&ledger, d) {
            gaps if gaps.is_empty() => true,
            gaps => {
                missing.push(format!("{} (invoice {}): missing {}", d.customer, d.invoice, gaps.join(", ")));
                false
            }
        })
        .collect();
    let mut forced = super::gate::check(ctx, &ledger, args, "collect", ready.iter().map(|d| d.customer))?;
    forced.extend(super::gate::data_errors(
        ctx,
        &ledger,
        args,
        "collect",
        ready.iter().map(|d| d.customer),
        ready.iter().map(|d| d.invoice),
    )?);
    let plans = group(Step::Collection, ready.iter().copied());
    let letters = letters_out::letters(ctx, &ledger)?;
    let out_dir = letters_out::out_dir(ctx, args.out.as_deref());
    // One batch file per run: a second run the same day writes into its own folder.
    let (mut outgoing, sink) =
        letters_out::compose_run(&ctx.dir, &out_dir, ctx.as_of, !args.dry_run, |folder, sink| {
            let name = folder.join("collection-batch.csv");
            let hand_over = |d: &Decision, _: &str, _: &str| {
                action_entry(d, ctx.as_of, Some("agency".to_owned()), Some(name.display().to_string()))
            };
            // A notice's hand-over lines come out of composing it, so that they carry its total
            // reference as a reminder's lines do.
            let mut outgoing =
                letters_out::compose_all(&ledger, &letters, &plans, ctx.as_of, folder, sink, hand_over)?;
            outgoing.unreachable.clear();
            if ready.is_empty() {
                return Ok(outgoing);
            }
            // The notice to the debtor is a courtesy; the hand-over is journaled whether or not the
            // debtor can be written to, in the order of the batch.
            let mut noticed: FxHashMap<String, Entry> =
                outgoing.entries.drain(..).filter_map(|e| Some((e.invoice()?.to_owned(), e))).collect();
            for d in &ready {
                outgoing.entries.extend(noticed.remove(d.invoice).or_else(|| hand_over(d, "", "")));
            }
            let totals: FxHashMap<&str, &str> = outgoing
                .entries
                .iter()
                .filter_map(|e| Some((e.invoice()?, total_in_note(e.note()?)?)))
                .collect();
            // Written line by line: a batch of a million lines is not held (issue #14).
            sink.put_with(&name, |out| {
                write_batch(out, &ledger, &ready, ctx.as_of, |invoice| {
                    totals.get(invoice).map(|r| (*r).to_owned())
                })
            })?;
            outgoing.files.push(name.clone());
            Ok(outgoing)
        })?;
    letters_out::queue(ctx, &ledger, &out_dir, &mut outgoing);
    outgoing.unreachable.extend(missing);
    outgoing.entries.extend(forced);
    super::remind::finish(ctx, args, outgoing, sink, &[], "hand-over")
}

/// What an agency needs and the ledger lacks for this debtor.
fn agency_gaps(ledger: &Ledger, d: &Decision<'_>) -> Vec<&'static str> {
    let Some(c) = ledger.customer(d.customer) else { return vec!["the customer record"] };
    let mut gaps = Vec::new();
    if c.org_no().is_none() {
        gaps.push(if c.kind.is_consumer() {
            "person number (org_no)"
        } else {
            "organisation number (org_no)"
        });
    }
    if !c.has_postal_address() {
        gaps.push("postal address (address, postcode, city)");
    }
    gaps
}

pub const BATCH_COLUMNS: [&str; 27] = [
    "debtor_id",
    "debtor_name",
    "debtor_kind",
    "org_no",
    "address",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "contact",
    "invoice",
    "issued",
    "due",
    "currency",
    "amount",
    "open",
    "fees",
    "interest",
    "compensation",
    "claim_total",
    "reminders",
    "reminder_dates",
    "last_deadline",
    "disputes",
    "reference",
    "total_reference",
];

/// The hand-over batch as the agency reads it ([`csv_out::render_verbatim`]'s text), written
/// to `out` a line at a time.
pub(crate) fn write_batch(
    out: &mut dyn Write,
    ledger: &Ledger,
    ready: &[&Decision<'_>],
    as_of: chrono::NaiveDate,
    total_of: impl Fn(&str) -> Option<String>,
) -> Result<()> {
    let mut line = String::new();
    let mut field = String::new();
    let header: Vec<Cell> = BATCH_COLUMNS.iter().map(|c| Cell::text(*c)).collect();
    csv_out::push_verbatim_line(&mut line, &header, &mut field);
    out.write_all(line.as_bytes())?;
    Ok(batch_rows(ledger, ready, as_of, total_of, |row| {
        line.clear();
        csv_out::push_verbatim_line(&mut line, row, &mut field);
        out.write_all(line.as_bytes())
    })?)
}

/// The hand-over batch as a table (what [`write_batch`] writes).
#[cfg(test)]
pub(crate) fn batch_table(
    ledger: &Ledger,
    ready: &[&Decision<'_>],
    as_of: chrono::NaiveDate,
    total_of: impl Fn(&str) -> Option<String>,
) -> crate::render::Table {
    let mut t = crate::render::Table::new(BATCH_COLUMNS);
    batch_rows(ledger, ready, as_of, total_of, |row| {
        t.push(row.to_vec());
        Ok(())
    })
    .expect("a table takes every row");
    t
}

/// Each line of the hand-over batch, given to `each` in the batch's order; `total_of(invoice)`
/// is the total reference of the notice that covers the invoice with others (what the agency
/// quotes when it pays the creditor the whole sum).
fn batch_rows(
    ledger: &Ledger,
    ready: &[&Decision<'_>],
    as_of: chrono::NaiveDate,
    total_of: impl Fn(&str) -> Option<String>,
    mut each: impl FnMut(&[Cell]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // One pass over the journal for the whole batch, not one per invoice.
    let journal = ledger.journal.by_invoice();
    let mut row = Vec::with_capacity(BATCH_COLUMNS.len());
    for d in ready {
        let (Some(c), Some(inv)) = (ledger.customer(d.customer), ledger.invoice(d.invoice)) else {
            continue;
        };
        let history: Vec<_> = journal.get(d.invoice).iter().filter(|e| e.date <= as_of).collect();
        let reminders: Vec<_> = history.iter().filter(|e| e.event == Event::Reminder).collect();
        let disputes: Vec<String> = history
            .iter()
            .filter(|e| matches!(e.event, Event::Dispute | Event::Resolve))
            .map(|e| {
                format!("{} {}{}", e.date, e.event, e.note().map_or(String::new(), |n| format!(": {n}")))
            })
            .collect();
        // The claim's figures, as the debtor's notice shows them.
        let claim = &d.claim;
        let fees = claim.fees_total();
        let opt = |s: Option<&str>| Cell::text(s.unwrap_or_default());
        row.clear();
        row.extend([
            Cell::text(c.id.as_str()),
            Cell::text(c.name.as_str()),
            Cell::text(if c.kind.is_consumer() { "consumer" } else { "business" }),
            opt(c.org_no()),
            opt(c.address()),
            opt(c.postcode()),
            opt(c.city()),
            Cell::text(c.country()),
            opt(c.email()),
            opt(c.call_phone()),
            opt(c.contact()),
            Cell::text(inv.number()),
            Cell::Date(inv.issued),
            Cell::Date(inv.due),
            Cell::text(inv.currency.as_str()),
            Cell::Money(inv.amount),
            Cell::Money(d.open),
            Cell::Money(fees),
            Cell::Money(claim.interest.amount),
            Cell::Money(claim.compensation.amount),
            Cell::Money(claim.total()),
            Cell::Count(reminders.len() as i64),
            Cell::text(reminders.iter().map(|e| e.date.to_string()).collect::<Vec<_>>().join(" ")),
            Cell::opt_date(reminders.last().and_then(|e| e.until)),
            Cell::text(disputes.join("; ")),
            opt(inv.reference()),
            opt(total_of(inv.number()).as_deref()),
        ]);
        each(&row)?;
    }
    Ok(())
}
