//! `dun send` (SPEC §8–9, issue 13): delivers what `remind`, `collect` and `plan` composed on
//! the channels `[delivery]` configures, each message at most once across crashes and
//! reruns. The whole run holds the ledger lock. Per message: `sending` is journaled (and
//! synced) right before the part that cannot be taken back, then `sent`, `failed` or
//! `deferred` with the server's answer. A `sending` found with no answer (a run that was
//! stopped) becomes `doubt` and is never sent again by itself: the user says `dun sent REF`
//! if it arrived, or `dun send --retry-doubtful` if not. Letters are copied to a print
//! service's folder, or wait for `dun sent`.

use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;

use crate::cli::DeliverArgs;
use crate::context::Context;
use crate::core::delivery::{Deliveries, Message, Status};
use crate::core::journal::{Entry, Event};
use crate::core::policy::{Channel, Policy};
use crate::io::commit::Transaction;
use crate::io::deliver::{Attempt, eml_envelope, folder, sms, sms_message, smtp};
use crate::io::{journal_file, ledger_dir, lock::LedgerLock};
use crate::render::{Cell, Format, Table, csv_out};

/// A delivery line about message `m`.
pub fn delivery_line(m: &Message, event: Event, on: NaiveDate, note: &str) -> Entry {
    let mut e = Entry::new(on, event);
    e.set_customer(m.customer.as_deref());
    e.set_channel(Some(m.channel.name()));
    e.set_reference(Some(&m.reference));
    // A server's answer may span lines; the journal keeps one line per event.
    let note: String = note.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    e.set_note((!note.trim().is_empty()).then(|| note.trim().to_owned()));
    e
}

/// Journals `lines` now, as one committed run (synced before it returns).
fn journal_now(ctx: &Context, lines: &[Entry]) -> Result<()> {
    let mut tx = Transaction::new(&ctx.dir);
    tx.journal(lines);
    tx.commit()
}

/// What became of a message in this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Sent,
    Deferred,
    Waiting,
    Refused,
    Doubt,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Deferred => "deferred",
            Outcome::Waiting => "waiting",
            Outcome::Refused => "refused",
            Outcome::Doubt => "doubt",
        }
    }
}

/// One message this run dealt with, for `--verbose` and the CSV/JSON summary.
struct Handled {
    customer: String,
    channel: Channel,
    reference: String,
    outcome: Outcome,
    note: String,
}

/// What became of the run's messages, per channel; the strings are what stderr says.
#[derive(Default)]
struct Tally {
    sent: Vec<(Channel, String)>,
    failed: Vec<String>,
    deferred: Vec<String>,
    doubt: Vec<String>,
    waiting: Vec<String>,
    handled: Vec<Handled>,
}

impl Tally {
    /// Notes what became of `m` (`note`: the server's answer or why it waits).
    fn handled(&mut self, m: &Message, outcome: Outcome, note: &str) {
        self.handled.push(Handled {
            customer: m.customer.clone().unwrap_or_default(),
            channel: m.channel,
            reference: m.reference.clone(),
            outcome,
            note: note.to_owned(),
        });
    }
}

pub fn run(ctx: &Context, args: &DeliverArgs) -> Result<()> {
    if matches!(ctx.format, Format::Xlsx | Format::Html) {
        anyhow::bail!(
            "the summary of `dun send` is offered as table, csv or json (--format csv|json, -o FILE.csv|FILE.json)"
        );
    }
    let _lock = if args.dry_run { None } else { Some(LedgerLock::acquire(&ctx.dir)?) };
    let policy = ledger_dir::load_policy(&ctx.dir)?;
    let journal = journal_file::read(&ctx.dir)?;
    let deliveries = Deliveries::from_journal(journal.entries.iter());
    let mut tally = Tally::default();
    // Runs that stopped between `sending` and the answer: perhaps delivered.
    let stopped: Vec<Entry> = deliveries
        .messages
        .iter()
        .filter(|m| m.status == Status::Sending)
        .map(|m| {
            tally.doubt.push(in_doubt(m));
            tally.handled(m, Outcome::Doubt, "a run stopped after sending began");
            delivery_line(
                m,
                Event::Doubt,
                ctx.as_of,
                "a run stopped after sending began; it may have arrived",
            )
        })
        .collect();
    if !args.dry_run {
        journal_now(ctx, &stopped)?;
    }
    for r in &args.refs {
        if !deliveries.messages.iter().any(|m| m.reference == *r) {
            anyhow::bail!(
                "no message composed for delivery is called \"{r}\"; `dun send --dry-run` lists those waiting"
            );
        }
    }
    let chosen: Vec<&Message> = deliveries.messages.iter().filter(|m| wanted(args, ctx.as_of, m)).collect();
    for channel in [Channel::Letter, Channel::Email, Channel::Sms] {
        let batch: Vec<&Message> = chosen.iter().copied().filter(|m| m.channel == channel).collect();
        if batch.is_empty() {
            continue;
        }
        if args.dry_run {
            for m in &batch {
                println!("would send {} {} ({})", channel.name(), m.reference, m.file);
            }
            continue;
        }
        match channel {
            Channel::Letter => send_letters(ctx, &policy, &batch, &mut tally)?,
            Channel::Email => send_emails(ctx, &policy, &batch, &mut tally)?,
            Channel::Sms => send_texts(ctx, &policy, &batch, &mut tally)?,
        }
    }
    report(ctx, args, &tally)
}

/// Whether this run tries `m`: waiting or deferred (in doubt only with --retry-doubtful),
/// composed by the as-of date, on the channel and among the references asked for.
fn wanted(args: &DeliverArgs, as_of: NaiveDate, m: &Message) -> bool {
    let status = m.status.is_pending()
        || (args.retry_doubtful && matches!(m.status, Status::Doubt(_) | Status::Sending));
    status
        && m.queued <= as_of
        && args.channel.is_none_or(|c| c.channel() == m.channel)
        && (args.refs.is_empty() || args.refs.contains(&m.reference))
}

fn in_doubt(m: &Message) -> String {
    format!(
        "{} {}: in doubt (a run stopped while sending it); `dun sent {}` if it arrived, `dun send --retry-doubtful {}` if not",
        m.channel.name(),
        m.reference,
        m.reference,
        m.reference
    )
}

/// Journals what became of `m`; false when the channel should stop for this run.
fn record(ctx: &Context, m: &Message, attempt: Attempt, tally: &mut Tally) -> Result<bool> {
    let what = format!("{} {}", m.channel.name(), m.reference);
    let (event, note) = match &attempt {
        Attempt::Sent(note) => (Event::Sent, note),
        Attempt::Failed(note) => (Event::Failed, note),
        Attempt::Deferred(note) => (Event::Deferred, note),
        Attempt::Doubt(note) => (Event::Doubt, note),
        Attempt::Stop(why) => {
            tally.waiting.push(format!("{what}: not sent ({why}); the next `dun send` tries again"));
            tally.handled(m, Outcome::Waiting, why);
            return Ok(false);
        }
    };
    journal_now(ctx, &[delivery_line(m, event, ctx.as_of, note)])?;
    let outcome = match event {
        Event::Sent => Outcome::Sent,
        Event::Failed => Outcome::Refused,
        Event::Deferred => Outcome::Deferred,
        _ => Outcome::Doubt,
    };
    tally.handled(m, outcome, note);
    match attempt {
        Attempt::Sent(note) => {
            if says_progress(ctx) {
                println!("sent {what}: {note}");
            }
            tally.sent.push((m.channel, m.reference.clone()));
        }
        Attempt::Failed(note) => {
            tally.failed.push(format!("{what}: refused ({note}); it will not be sent again"))
        }
        Attempt::Deferred(note) => {
            tally.deferred.push(format!("{what}: deferred ({note}); the next `dun send` tries again"));
        }
        Attempt::Doubt(note) => tally.doubt.push(format!("{}: {note}", in_doubt(m))),
        Attempt::Stop(_) => {}
    }
    Ok(true)
}

/// Whether a line per message sent goes to stdout: not with -q, and not where stdout carries
/// the JSON or CSV summary.
fn says_progress(ctx: &Context) -> bool {
    !ctx.quiet && (ctx.format == Format::Table || ctx.output.is_some())
}

/// The file a message delivers, as the journal names it (relative to the ledger directory).
fn message_file(ctx: &Context, m: &Message) -> std::path::PathBuf {
    ctx.dir.join(Path::new(&m.file))
}

fn send_letters(ctx: &Context, policy: &Policy, batch: &[&Message], tally: &mut Tally) -> Result<()> {
    let print_folder = policy.file.delivery.letter.as_ref().and_then(|l| l.folder.as_deref());
    let Some(print_folder) = print_folder else {
        for m in batch {
            tally.waiting.push(format!(
                "letter {}: to be posted ({}); `dun sent {}` once it is",
                m.reference, m.file, m.reference
            ));
            tally.handled(m, Outcome::Waiting, "to be posted");
        }
        return Ok(());
    };
    let print_folder = ctx.dir.join(print_folder);
    for m in batch {
        let file = message_file(ctx, m);
        let attempt = folder::deliver(&print_folder, &folder::target_name(&m.reference, &file), &file);
        if !record(ctx, m, attempt, tally)? {
            break;
        }
    }
    Ok(())
}

/// Says what happened; exit status 3 when a message needs a person (refused, in doubt).
fn report(ctx: &Context, args: &DeliverArgs, tally: &Tally) -> Result<()> {
    if args.dry_run {
        return Ok(());
    }
    if !ctx.quiet {
        for line in tally.deferred.iter().chain(&tally.waiting) {
            eprintln!("dun: {line}");
        }
    }
    if !ctx.quiet || ctx.output.is_some() {
        crate::io::output::emit(ctx.output.as_deref(), &summary(ctx, args, tally)?)?;
    }
    let person: Vec<&String> = tally.failed.iter().chain(&tally.doubt).collect();
    if person.is_empty() {
        return Ok(());
    }
    Err(anyhow::Error::new(crate::NeedsPerson(format!(
        "{} message(s) need a person:\n  {}",
        person.len(),
        person.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
    ))))
}

/// The run's summary: counts per channel and outcome (a line; with `--verbose` a line per
/// customer and message), JSON with every message, or CSV with a row per message.
fn summary(ctx: &Context, args: &DeliverArgs, tally: &Tally) -> Result<String> {
    let per = |c: Channel| tally.sent.iter().filter(|(ch, _)| *ch == c).count();
    Ok(match ctx.format {
        Format::Json => {
            let messages: Vec<serde_json::Value> = tally
                .handled
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "customer": h.customer,
                        "channel": h.channel.name(),
                        "ref": h.reference,
                        "outcome": h.outcome.name(),
                        "note": h.note,
                    })
                })
                .collect();
            let value = serde_json::json!({
                "as_of": ctx.as_of.to_string(),
                "delivered": tally.sent.len(),
                "channels": {"email": per(Channel::Email), "sms": per(Channel::Sms), "letter": per(Channel::Letter)},
                "sent": tally.sent.iter().map(|(c, r)| serde_json::json!({"channel": c.name(), "ref": r})).collect::<Vec<_>>(),
                "deferred": tally.deferred,
                "waiting": tally.waiting,
                "refused": tally.failed,
                "doubt": tally.doubt,
                "messages": messages,
            });
            format!("{}\n", serde_json::to_string_pretty(&value)?)
        }
        Format::Csv => {
            let mut table = Table::new(["customer", "channel", "ref", "outcome", "note"]);
            for h in &tally.handled {
                table.push(vec![
                    Cell::text(&h.customer),
                    Cell::text(h.channel.name()),
                    Cell::text(&h.reference),
                    Cell::text(h.outcome.name()),
                    Cell::text(&h.note),
                ]);
            }
            csv_out::render(&table)
        }
        _ => {
            let mut text = format!(
                "send: {} delivered (email {}, sms {}, letter {}), {} deferred, {} waiting, {} refused, {} in doubt\n",
                tally.sent.len(),
                per(Channel::Email),
                per(Channel::Sms),
                per(Channel::Letter),
                tally.deferred.len(),
                tally.waiting.len(),
                tally.failed.len(),
                tally.doubt.len()
            );
            if args.verbose {
                let mut handled: Vec<&Handled> = tally.handled.iter().collect();
                // Per customer, in the order the run dealt with their messages.
                handled.sort_by(|a, b| a.customer.cmp(&b.customer));
                for h in handled {
                    text.push_str(&format!(
                        "  {}: {} {} {}\n",
                        h.customer,
                        h.channel.name(),
                        h.outcome.name(),
                        h.reference
                    ));
                }
            }
            text
        }
    })
}

/// Everything waits for the next run, for `why`.
fn all_wait(batch: &[&Message], why: &str, tally: &mut Tally) {
    for m in batch {
        tally.waiting.push(format!("{} {}: not sent ({why})", m.channel.name(), m.reference));
        tally.handled(m, Outcome::Waiting, why);
    }
}

/// The secret in the environment variable `password_env` names (never in policy.toml).
fn secret(what: &str, variable: Option<&String>) -> Result<Option<String>, String> {
    let Some(variable) = variable else { return Ok(None) };
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Ok(Some(value)),
        _ => Err(format!("{what}.password_env names {variable}, which is not set in the environment")),
    }
}

fn smtp_settings(ctx: &Context, policy: &Policy) -> Result<Option<smtp::Settings>, String> {
    let Some(email) = &policy.file.delivery.email else { return Ok(None) };
    let server = crate::core::delivery::smtp_server(email)?;
    let password = secret("delivery.email", email.password_env.as_ref())?;
    let domain = policy.file.company.email.as_deref().and_then(|a| a.rsplit_once('@')).map(|(_, d)| d.trim());
    let hello =
        email.hello.clone().or_else(|| domain.map(str::to_owned)).unwrap_or_else(|| "localhost".to_owned());
    let ca = match &email.ca_file {
        Some(file) => Some(
            std::fs::read(ctx.dir.join(file))
                .map_err(|e| format!("delivery.email.ca_file: cannot read {file}: {e}"))?,
        ),
        None => None,
    };
    Ok(Some(smtp::Settings {
        server,
        hello,
        username: email.username.clone(),
        password,
        timeout: std::time::Duration::from_secs(u64::from(email.timeout_seconds.unwrap_or(60))),
        ca,
    }))
}

/// Each `.eml` as it was composed, to the addresses its header names, one SMTP session for
/// the batch. A message in doubt stops the batch: the server broke off after a message went,
/// and the next one would find it no better.
fn send_emails(ctx: &Context, policy: &Policy, batch: &[&Message], tally: &mut Tally) -> Result<()> {
    let settings = match smtp_settings(ctx, policy) {
        Ok(Some(settings)) => settings,
        Ok(None) => {
            all_wait(batch, "policy.toml has no [delivery.email]", tally);
            return Ok(());
        }
        Err(why) => {
            all_wait(batch, &why, tally);
            return Ok(());
        }
    };
    let mut session: Option<smtp::Session> = None;
    for (i, m) in batch.iter().enumerate() {
        let file = message_file(ctx, m);
        let read = std::fs::read(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))
            .and_then(|bytes| eml_envelope(&bytes).map(|envelope| (bytes, envelope)))
            .map_err(|why| format!("{}: {why}", m.file));
        let (bytes, envelope) = match read {
            Ok(read) => read,
            Err(why) => {
                record(ctx, m, Attempt::Failed(why), tally)?;
                continue;
            }
        };
        if session.is_none() {
            match smtp::Session::open(&settings) {
                Ok(opened) => session = Some(opened),
                Err(why) => {
                    all_wait(&batch[i..], &why, tally);
                    return Ok(());
                }
            }
        }
        let Some(open) = session.as_mut() else { break };
        let attempt = open.send(&envelope, &bytes, || {
            journal_now(ctx, &[delivery_line(m, Event::Sending, ctx.as_of, "")])
                .map_err(|e| format!("{e:#}"))?;
            // A kill here: `sending` is on disk, the server waits for the body.
            crate::io::commit::fault("sending", i);
            Ok(())
        });
        // A kill here, after the server's answer and before it is journaled, is the worst case.
        crate::io::commit::fault("answered", i);
        let doubt = matches!(attempt, Attempt::Doubt(_));
        if !record(ctx, m, attempt, tally)? {
            all_wait(&batch[i + 1..], "the run stopped e-mail", tally);
            break;
        }
        if doubt {
            all_wait(&batch[i + 1..], "the server broke off after a message went; the next run tries", tally);
            return Ok(());
        }
        if !open.usable() {
            session = None;
        }
    }
    if let Some(open) = session {
        open.close();
    }
    Ok(())
}

fn sms_settings(policy: &Policy) -> Result<Option<sms::Settings>, String> {
    let Some(config) = &policy.file.delivery.sms else { return Ok(None) };
    let password = secret("delivery.sms", config.password_env.as_ref())?;
    if password.is_some() && !crate::core::delivery::secret_may_go_to(&config.url) {
        return Err(format!(
            "delivery.sms.url: \"{}\": credentials go only over https://, or over http:// to this machine",
            config.url
        ));
    }
    Ok(Some(sms::Settings { sms: config.clone(), password }))
}

/// Each `.sms.txt` as composed (its `To:` number and text), one request per message. A
/// message in doubt stops the batch for this run.
fn send_texts(ctx: &Context, policy: &Policy, batch: &[&Message], tally: &mut Tally) -> Result<()> {
    let settings = match sms_settings(policy) {
        Ok(Some(settings)) => settings,
        Ok(None) => {
            all_wait(batch, "policy.toml has no [delivery.sms]", tally);
            return Ok(());
        }
        Err(why) => {
            all_wait(batch, &why, tally);
            return Ok(());
        }
    };
    for (i, m) in batch.iter().enumerate() {
        let file = message_file(ctx, m);
        let read = std::fs::read(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))
            .and_then(|bytes| sms_message(&bytes))
            .map_err(|why| format!("{}: {why}", m.file));
        let (to, text) = match read {
            Ok(read) => read,
            Err(why) => {
                record(ctx, m, Attempt::Failed(why), tally)?;
                continue;
            }
        };
        let request = match sms::request(&settings, &m.reference, &to, &text) {
            Ok(request) => request,
            Err(why) => {
                all_wait(&batch[i..], &format!("delivery.sms: {why}"), tally);
                return Ok(());
            }
        };
        let attempt = sms::send(&settings, &request, || {
            journal_now(ctx, &[delivery_line(m, Event::Sending, ctx.as_of, "")]).map_err(|e| format!("{e:#}"))
        });
        let doubt = matches!(attempt, Attempt::Doubt(_));
        if !record(ctx, m, attempt, tally)? {
            all_wait(&batch[i + 1..], "the run stopped SMS", tally);
            break;
        }
        if doubt {
            all_wait(&batch[i + 1..], "the provider's answer was unclear; the next run tries", tally);
            return Ok(());
        }
    }
    Ok(())
}
