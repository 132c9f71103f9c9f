//! `dun import FILE...`: reads incoming payments from bank files, matches them to invoices
//! (`core::matching`), adds the matched ones to `payments.csv`, keeps the rest in
//! `unmatched.csv` for a person, records each file in `imports.csv` and journals every payment;
//! all under the ledger lock. `dun assign PAYMENT-ID INVOICE...` is that person.
//!
//! All or nothing: a file that cannot be read whole stops the run before anything is written.
//! A payment whose transaction id is already in `payments.csv` or `unmatched.csv` (the same
//! file again, or an overlapping statement) is skipped as a duplicate.

pub mod kept;
mod sources;

use sources::{BankInput, RunIds, Survey};

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use crate::cli::{AssignArgs, ImportArgs};
use crate::context::Context;
use crate::core::account::is_company_account;
use crate::core::freshness::{ImportRecord, days_older};
use crate::core::journal::{Entry, Event};
use crate::core::ledger::Ledger;
use crate::core::matching::{
    self, Allocation, Candidate, Incoming, Matched, Outcome, PaymentMatcher, Rule, Unmatched,
};
use crate::core::model::{Currency, Payment};
use crate::core::money::format_money;
use crate::core::policy::Policy;
use crate::io::bank::{BankFormat, BankPayment, CsvImportConfig};
use crate::io::commit::Transaction;
use crate::io::import_files::{
    self, PaymentLine, PaymentsAppender, UnmatchedRow, UnmatchedWriter, stored_txid,
};
use crate::io::{ledger_dir, lock::LedgerLock};
use crate::letters::compose::payment_reference;
use crate::render::{Cell, Sheet, Table, View, text};

pub fn run(ctx: &Context, args: &ImportArgs) -> Result<()> {
    // Read after the lock, so a second import sees what the first recorded. A dry run writes
    // nothing, not even the lock file.
    // A pipe, a device or an endless file would be read under the lock: refused before it.
    check_bank_paths(&args.files)?;
    let _lock = if args.dry_run { None } else { Some(LedgerLock::acquire(&ctx.dir)?) };
    let base = ledger_dir::begin_import_load(&ctx.dir)?;
    // Read before the bank files (which payments are recorded already decides the matching
    // date), its errors told after theirs.
    let (unmatched, unmatched_error) = match import_files::read_unmatched(&ctx.dir) {
        Ok(rows) => (rows, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let config = csv_config(&base.policy)?;
    let mut survey =
        sources::survey(&args.files, config.as_ref(), &KnownIds::of(&base.payments, &unmatched).ids)?;
    if let Some(e) = unmatched_error {
        return Err(e);
    }
    // The invoices, read now that the bank files have said which the matching can read.
    let references = std::mem::take(&mut survey.references);
    let keeps = kept::ImportKeeps::new(
        &base.policy,
        &base.customers,
        &base.payments,
        &base.journal,
        references,
        ctx.as_of,
        survey.newest(),
    );
    let ledger = base.finish(&ctx.dir, |record, customer| keeps.keeps(record, customer))?;
    drop(keeps);
    let known = KnownIds::of(&ledger.payments, &unmatched);
    let imports = import_files::read_imports(&ctx.dir)?;
    let mut tx = (!args.dry_run).then(|| Transaction::new(&ctx.dir));
    let keep_rows = !(ctx.quiet && ctx.output.is_none());
    let plan = plan(&ledger, ctx, survey, &known, &imports, tx.as_mut(), keep_rows, config.as_ref())?;
    // Said whatever the format and even with -q: a file of another company or of last year is
    // imported all the same, and a person should look.
    for w in &plan.warnings {
        eprintln!("dun: warning: {w}");
    }
    if let Some(tx) = tx {
        // One run: payments, unmatched, imports and journal land together or not at all.
        tx.commit()?;
    }
    if !keep_rows {
        return Ok(());
    }
    // CSV carries the summary; a workbook also the payments and the files.
    let sheets = || {
        vec![
            Sheet::new("Summary", summary_table(&plan, ledger.policy.currency)),
            Sheet::new("Payments", plan.payments.clone()),
            Sheet::new("Files", files_table(&plan)),
        ]
    };
    let view = View::new(format!("Bank files imported as of {}", ctx.as_of), sheets)
        .text(|_| text_output(&plan, ctx, args.dry_run, &ledger.policy))
        .json(|| {
            Ok(serde_json::to_string_pretty(&json_output(&plan, ctx, args.dry_run, &ledger.policy))? + "\n")
        });
    ctx.emit(view, Some(&ledger.policy))
}

/// The transaction ids already recorded, in `payments.csv` and `unmatched.csv`, borrowed from
/// the rows read (a ledger of millions of payments would otherwise hold each id twice).
struct KnownIds<'a> {
    ids: HashSet<&'a str>,
    /// The rows of `unmatched.csv` that stay there: not those a run that stopped before it
    /// rewrote unmatched.csv had already assigned (their id is in `payments.csv`).
    kept: Vec<&'a UnmatchedRow>,
    /// Whether some row of `unmatched.csv` was such an assigned one.
    assigned_left: bool,
}

impl<'a> KnownIds<'a> {
    fn of(payments: &'a [Payment], unmatched: &'a [UnmatchedRow]) -> KnownIds<'a> {
        let mut ids: HashSet<&str> = payments.iter().filter_map(|p| p.transaction_id.as_deref()).collect();
        let kept: Vec<&UnmatchedRow> =
            unmatched.iter().filter(|r| !ids.contains(r.transaction_id.as_str())).collect();
        let assigned_left = kept.len() != unmatched.len();
        ids.extend(unmatched.iter().map(|r| r.transaction_id.as_str()));
        KnownIds { ids, kept, assigned_left }
    }

    fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }
}

pub fn format_name(format: BankFormat) -> &'static str {
    match format {
        BankFormat::BgMax => "bgmax",
        BankFormat::NetsOcr => "nets-ocr",
        BankFormat::Camt054 => "camt.054",
        BankFormat::Camt053 => "camt.053",
        BankFormat::Ktl => "ktl",
        BankFormat::Csv => "csv",
    }
}

/// The largest bank file `dun import` reads, in MiB, unless `DUN_BANK_MAX_MB` says otherwise:
/// a year of a large company's camt.054 is far below it, a wrong file (a disk image) far above.
pub const BANK_MAX_MB: u64 = 256;

/// Every bank file must be a regular file no larger than the limit.
fn check_bank_paths(paths: &[PathBuf]) -> Result<()> {
    let max_mb = match std::env::var("DUN_BANK_MAX_MB") {
        Ok(v) => v.trim().parse::<u64>().map_err(|_| {
            anyhow::anyhow!("DUN_BANK_MAX_MB={v:?}: write the largest bank file to read, in MiB, e.g. 512")
        })?,
        Err(_) => BANK_MAX_MB,
    };
    for path in paths {
        let shown = path.display().to_string();
        crate::io::source::ensure_regular(path, &shown)?;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.len() > max_mb * 1024 * 1024
        {
            bail!(
                "{shown}: {} MiB is larger than the {max_mb} MiB a bank file may be; nothing was \
                 imported (split the file, or set DUN_BANK_MAX_MB)",
                meta.len() / (1024 * 1024)
            );
        }
    }
    Ok(())
}

/// The policy's `[columns.payments]`: how the lines added to `payments.csv` are written.
fn payments_table_of(policy: &Policy) -> Option<&crate::core::policy::ColumnTable> {
    crate::io::csv_in::policy_table(policy, crate::io::columns::FileKind::Payments)
}

/// `[import.csv]` of the policy, as the CSV parser wants it; `None` when there is none.
fn csv_config(policy: &Policy) -> Result<Option<CsvImportConfig>> {
    Ok(policy.file.import.csv.clone())
}

/// What became of one payment of a bank file.
enum Fate {
    Duplicate,
    Matched(Matched),
    Unmatched(Unmatched),
}

struct FileSummary {
    name: String,
    format: BankFormat,
    /// A CSV export's bank layout, when a preset recognised it.
    layout: Option<String>,
    created: Option<NaiveDate>,
    payments: usize,
    skipped: usize,
    /// Of `skipped`, the entries not booked yet.
    pending: usize,
    /// When a file with the same content was imported before.
    imported_before: Option<NaiveDate>,
}

/// What an import did, for the user to read; its files are written as it goes (staged in
/// the run's transaction), so nothing per payment is kept here but the rows shown.
/// The output lists at most this many payments (the first, in file order); a file of millions
/// would otherwise hold a row for each until the end of the run. What is left out is counted and
/// said; the ledger's files have every payment.
const PAYMENT_ROWS_SHOWN: usize = 10_000;

struct Plan {
    files: Vec<FileSummary>,
    /// Per currency: payments and their total per outcome of [`OUTCOMES`].
    summary: BTreeMap<Currency, [(i64, Decimal); OUTCOMES.len()]>,
    /// One row per payment that was not a duplicate (when the output shows them), the first
    /// [`PAYMENT_ROWS_SHOWN`] of them.
    payments: Table,
    /// Payments past those: counted in the summary, not listed.
    payments_not_shown: usize,
    /// Payments that wait in unmatched.csv.
    waiting: usize,
    /// About files that may not be the company's or this period's (see [`file_warnings`]).
    warnings: Vec<String>,
}

/// The invoices a payment may be for, with what is open on `on` and the reference each
/// customer was given.
pub fn candidates(ledger: &Ledger, on: NaiveDate) -> Vec<Candidate<'_>> {
    let open = ledger.open_amounts(on);
    ledger
        .invoices
        .iter()
        .filter(|inv| !inv.is_credit_note() && inv.issued <= on)
        .filter(|inv| ledger.is_first_line(inv))
        .map(|inv| {
            let customer = ledger.customer(inv.customer());
            let scheme = ledger.rules_for(customer).reminder.reference();
            // The stored reference is the one given; only a generated one is a new String.
            let reference = match inv.reference() {
                Some(stored) => Some(Cow::Borrowed(stored)),
                None => payment_reference(None, inv.number(), scheme).map(Cow::Owned),
            };
            Candidate {
                number: Cow::Borrowed(inv.number()),
                customer: Cow::Borrowed(inv.customer()),
                customer_name: customer.map_or(Cow::Borrowed(""), |c| Cow::Borrowed(&c.name)),
                currency: inv.currency,
                due: inv.due,
                open: open.get(inv.number()).copied().unwrap_or_default(),
                stored_reference: inv.reference().map(Cow::Borrowed),
                reference,
                discount: inv.discount().map(|d| (d.until, d.amount)),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn plan(
    ledger: &Ledger,
    ctx: &Context,
    mut survey: Survey,
    known: &KnownIds<'_>,
    imports: &[ImportRecord],
    tx: Option<&mut Transaction>,
    keep_rows: bool,
    config: Option<&CsvImportConfig>,
) -> Result<Plan> {
    let letters = crate::core::reference::letter::letter_totals(&ledger.journal);
    let mut recorder =
        Recorder::new(ledger, ctx, tx, &known.kept, known.assigned_left, survey.inputs.len(), keep_rows)?;

    // The new payments in date order already and no id twice in a file: each payment is
    // matched, written and let go; one whose id an earlier file of the run had is a duplicate.
    let streamed = if !survey.distinct_in_each_file {
        None
    } else if survey.in_order && survey.repeated.is_empty() {
        Some(survey.newest_fresh)
    } else {
        let fresh = new_payments(&survey, known, config)?;
        fresh.in_order.then_some(fresh.newest)
    };
    if let Some(newest_fresh) = streamed {
        let candidates = candidates(ledger, newest_fresh.map_or(ctx.as_of, |d| d.max(ctx.as_of)));
        let mut matcher = PaymentMatcher::new(&candidates, &letters);
        let mut run_ids = RunIds::new(&survey.repeated);
        for (at, input) in survey.inputs.iter().enumerate() {
            input.for_each_payment(config, &mut |p| {
                let p = incoming(p, ledger.policy.currency);
                let id = stored_txid(&p.txid);
                let fate = if known.contains(&id) || !run_ids.first(&id) {
                    Fate::Duplicate
                } else {
                    fate_of(matcher.match_next(&p))
                };
                recorder.record(at, &input.name, &p, fate)
            })?;
        }
    } else {
        // Out of date order, or an id twice: every payment read, then matched by date.
        for input in &mut survey.inputs {
            input.read_whole(config)?;
        }
        // The ids of this run's payments, a repeat of one a duplicate.
        let mut this_run: HashSet<String> = HashSet::new();
        let mut all: Vec<(usize, Incoming, bool)> = Vec::new();
        for (at, input) in survey.inputs.iter_mut().enumerate() {
            // Moved, not copied: what is kept of the file for its summary is the rest.
            for p in std::mem::take(&mut input.file.payments) {
                let p = incoming(p, ledger.policy.currency);
                let id = stored_txid(&p.txid);
                let fresh = !known.contains(&id) && this_run.insert(id);
                all.push((at, p, fresh));
            }
        }
        let horizon =
            all.iter().filter(|a| a.2).map(|a| a.1.date).max().map_or(ctx.as_of, |d| d.max(ctx.as_of));
        let candidates = candidates(ledger, horizon);
        let fresh: Vec<&Incoming> = all.iter().filter(|a| a.2).map(|a| &a.1).collect();
        let mut outcomes = matching::match_payments_with_letters(&candidates, &letters, &fresh).into_iter();
        for (at, p, is_fresh) in &all {
            let fate =
                if *is_fresh { outcomes.next().map_or(Fate::Duplicate, fate_of) } else { Fate::Duplicate };
            recorder.record(*at, &survey.inputs[*at].name, p, fate)?;
        }
    }

    let mut known_hashes: HashSet<&str> = imports.iter().map(|r| r.hash.as_str()).collect();
    let mut files = Vec::new();
    let mut records = Vec::new();
    for (at, input) in survey.inputs.iter().enumerate() {
        let imported_before = imports.iter().find(|r| r.hash == input.hash).map(|r| r.imported_on);
        if known_hashes.insert(&input.hash) {
            let counts = recorder.counts[at];
            records.push(ImportRecord {
                file: input.name.clone(),
                format: format_name(input.file.format).to_owned(),
                created: input.file.created,
                newest_payment: input.newest,
                imported_on: ctx.as_of,
                payments: input.payments as u64,
                applied: counts.applied,
                unmatched: counts.unmatched,
                duplicates: counts.duplicates,
                hash: input.hash.clone(),
            });
        }
        files.push(FileSummary {
            name: input.name.clone(),
            format: input.file.format,
            layout: (input.file.format == BankFormat::Csv).then(|| input.file.version.clone()).flatten(),
            created: input.file.created,
            payments: input.payments,
            skipped: input.file.skipped.len(),
            pending: input.file.skipped.iter().filter(|s| s.is_pending()).count(),
            imported_before,
        });
    }
    let warnings = file_warnings(ledger, &survey.inputs);
    recorder.finish(&records)?;
    Ok(Plan {
        files,
        summary: recorder.summary,
        payments: recorder.rows,
        payments_not_shown: recorder.rows_not_shown,
        waiting: recorder.waiting,
        warnings,
    })
}

/// What [`new_payments`] finds of the payments of a run that are neither recorded nor a
/// repeat of an earlier one of the run: those the matcher takes, by date.
struct NewPayments {
    /// They come in date order, file after file: matching them as they come is matching them
    /// by date.
    in_order: bool,
    /// The newest of them: the date the whole-file way takes open amounts on.
    newest: Option<NaiveDate>,
}

/// The files read once more, when some id's hash comes twice in the run (the later payment a
/// duplicate, which is not matched, so its date neither breaks the order nor moves the
/// matching date) or payments not recorded yet come out of date order.
fn new_payments(
    survey: &Survey,
    known: &KnownIds<'_>,
    config: Option<&CsvImportConfig>,
) -> Result<NewPayments> {
    let mut run_ids = RunIds::new(&survey.repeated);
    let mut found = NewPayments { in_order: true, newest: None };
    for input in &survey.inputs {
        input.for_each_payment(config, &mut |p| {
            let id = stored_txid(&p.txid);
            if !known.contains(&id) && run_ids.first(&id) {
                // `newest` is the last one's date while they are in order.
                found.in_order &= found.newest.is_none_or(|last| p.date >= last);
                found.newest = found.newest.max(Some(p.date));
            }
            Ok(())
        })?;
    }
    Ok(found)
}

/// A bank file's payment as the matcher takes it.
fn incoming(p: BankPayment, company: Currency) -> Incoming {
    Incoming {
        currency: p.currency.as_deref().and_then(Currency::parse).unwrap_or(company),
        txid: p.txid,
        date: p.date,
        amount: p.amount,
        references: p.references,
        reference_amounts: p.reference_amounts,
        message: p.message,
        payer: p.payer,
    }
}

fn fate_of(outcome: Outcome) -> Fate {
    match outcome {
        Outcome::Matched(m) => Fate::Matched(m),
        Outcome::Unmatched(u) => Fate::Unmatched(u),
    }
}

/// How many payments of one file were applied, left unmatched, or already recorded.
#[derive(Clone, Copy, Default)]
struct Counts {
    applied: u64,
    unmatched: u64,
    duplicates: u64,
}

/// Writes each payment's lines as its fate is known (payments.csv, unmatched.csv, the
/// journal: staged files of the run's transaction, none on a dry run) and counts it.
struct Recorder<'l, 't> {
    ledger: &'l Ledger,
    dir: PathBuf,
    tx: Option<&'t mut Transaction>,
    /// Started at the first line added.
    payments_out: Option<PaymentsAppender>,
    unmatched_out: Option<UnmatchedWriter>,
    unmatched_changed: bool,
    counts: Vec<Counts>,
    summary: BTreeMap<Currency, [(i64, Decimal); OUTCOMES.len()]>,
    keep_rows: bool,
    rows: Table,
    rows_not_shown: usize,
    waiting: usize,
}

impl<'l, 't> Recorder<'l, 't> {
    fn new(
        ledger: &'l Ledger,
        ctx: &Context,
        mut tx: Option<&'t mut Transaction>,
        kept: &[&UnmatchedRow],
        unmatched_changed: bool,
        files: usize,
        keep_rows: bool,
    ) -> Result<Recorder<'l, 't>> {
        let mut unmatched_out = None;
        if let Some(tx) = tx.as_deref_mut() {
            unmatched_out = Some(UnmatchedWriter::start(&ctx.dir, kept)?);
            for e in repair_journal(ledger) {
                tx.journal_line(&e)?;
            }
        }
        Ok(Recorder {
            ledger,
            dir: ctx.dir.clone(),
            tx,
            payments_out: None,
            unmatched_out,
            unmatched_changed,
            counts: vec![Counts::default(); files],
            summary: BTreeMap::new(),
            keep_rows,
            rows: payments_table_head(),
            rows_not_shown: 0,
            waiting: 0,
        })
    }

    fn record(&mut self, at: usize, file: &str, p: &Incoming, fate: Fate) -> Result<()> {
        let totals = self.summary.entry(p.currency).or_insert([(0, Decimal::ZERO); OUTCOMES.len()]);
        for outcome in outcomes_of(&fate) {
            if let Some(i) = OUTCOMES.iter().position(|o| *o == outcome) {
                totals[i].0 += 1;
                totals[i].1 += p.amount;
            }
        }
        match &fate {
            Fate::Duplicate => self.counts[at].duplicates += 1,
            Fate::Matched(m) => {
                self.counts[at].applied += 1;
                if let Some(tx) = self.tx.as_deref_mut() {
                    for a in &m.allocations {
                        if self.payments_out.is_none() {
                            self.payments_out = Some(PaymentsAppender::start(
                                &self.dir,
                                payments_table_of(&self.ledger.policy),
                            )?);
                        }
                        if let Some(out) = self.payments_out.as_mut() {
                            out.push(&line(p, file, a, m.rule))?;
                        }
                        tx.journal_line(&payment_entry(self.ledger, p.date, &p.txid, a, m.rule))?;
                    }
                }
            }
            Fate::Unmatched(u) => {
                self.counts[at].unmatched += 1;
                self.waiting += 1;
                self.unmatched_changed = true;
                if let Some(out) = self.unmatched_out.as_mut() {
                    out.push(&UnmatchedRow {
                        transaction_id: stored_txid(&p.txid),
                        date: p.date,
                        amount: p.amount,
                        currency: p.currency,
                        reference: p.references.join(" "),
                        message: p.message.clone().unwrap_or_default(),
                        payer: p.payer.clone().unwrap_or_default(),
                        source: file.to_owned(),
                        customers: u.customers.clone(),
                        reason: u.reason.clone(),
                    })?;
                }
            }
        }
        if self.keep_rows && !matches!(fate, Fate::Duplicate) {
            if self.rows.rows.len() < PAYMENT_ROWS_SHOWN {
                if let Some(row) = payment_row(p, file, &fate) {
                    self.rows.push(row);
                }
            } else {
                self.rows_not_shown += 1;
            }
        }
        Ok(())
    }

    /// Stages what was written, and `imports.csv` with `records`, in the run's transaction.
    fn finish(&mut self, records: &[ImportRecord]) -> Result<()> {
        let Some(tx) = self.tx.take() else { return Ok(()) };
        if let Some(out) = self.payments_out.take() {
            out.stage(tx)?;
        }
        if let Some(out) = self.unmatched_out.take()
            && self.unmatched_changed
        {
            out.stage(tx)?;
        }
        import_files::append_imports(tx, &self.dir, records)
    }
}

/// Warnings, not errors, per file: it names a receiving account that is none of the company's
/// (`[company]` bankgiro, plusgiro, account, iban, `[[company.accounts]]`); its newest payment
/// is more than [`crate::core::freshness::OLD_FILE_DAYS`] days older than the newest in `payments.csv`. A file that
/// names no account, or a policy that gives no details, says nothing about the account.
fn file_warnings(ledger: &Ledger, files: &[BankInput]) -> Vec<String> {
    let ledger_newest = ledger.payments.iter().map(|p| p.date).max();
    let mut warnings = Vec::new();
    for input in files {
        let foreign: Vec<&str> = input
            .file
            .accounts
            .iter()
            .filter(|a| is_company_account(&ledger.policy, a) == Some(false))
            .map(String::as_str)
            .collect();
        if !foreign.is_empty() {
            warnings.push(format!(
                "{}: paid into {}, which is none of the company's accounts in policy.toml \
                 ([company] bankgiro, plusgiro, account, iban, [[company.accounts]]): is it \
                 another company's file?",
                input.name,
                foreign.join(", ")
            ));
        }
        let file_newest = input.newest;
        if let (Some(days), Some(newest), Some(recorded)) =
            (days_older(file_newest, ledger_newest), file_newest, ledger_newest)
        {
            warnings.push(format!(
                "{}: its newest payment is of {newest}, {days} days before the newest in \
                 payments.csv ({recorded}): is it an old file?",
                input.name
            ));
        }
    }
    warnings
}

fn line(p: &Incoming, file: &str, a: &Allocation, rule: Rule) -> PaymentLine {
    PaymentLine {
        date: p.date,
        invoice: a.invoice.clone(),
        amount: a.amount,
        reference: a.reference.clone(),
        transaction_id: p.txid.clone(),
        source: file.to_owned(),
        matched_by: rule.name().to_owned(),
    }
}

/// The journal's `payment` line for one invoice's share of a payment.
fn payment_entry(ledger: &Ledger, date: NaiveDate, txid: &str, a: &Allocation, rule: Rule) -> Entry {
    let mut e = Entry::new(date, Event::Payment);
    e.set_invoice(Some(&a.invoice));
    e.set_customer(Some(&a.customer));
    e.amount = Some(a.amount);
    e.set_reference(Some(txid));
    let mut note = rule.name().to_owned();
    if a.discount > Decimal::ZERO {
        note.push_str(&format!("; early-payment discount of {} taken", format_money(a.discount)));
    }
    if a.is_part() {
        note.push_str(&format!("; part payment, {} still open", format_money(a.open_after())));
    }
    if a.excess() > Decimal::ZERO {
        let name = ledger.customer(&a.customer).map_or(String::new(), |c| format!(" {}", c.name));
        note.push_str(&format!(
            "; overpaid by {}: a credit of {}{name}",
            format_money(a.excess()),
            a.customer
        ));
    }
    e.set_note(Some(note));
    e
}

/// `payment` lines for what `dun` wrote to `payments.csv` and a run that stopped early did not
/// journal: the journal catches up with the next import.
pub(crate) fn repair_journal(ledger: &Ledger) -> Vec<Entry> {
    kept::unjournaled(&ledger.payments, &ledger.journal)
        .map(|p| {
            let mut e = Entry::new(p.date, Event::Payment);
            e.set_invoice(p.invoice.as_deref());
            e.set_customer(p.invoice.as_deref().and_then(|i| ledger.invoice(i)).map(|i| i.customer()));
            e.amount = Some(p.amount);
            e.set_reference(p.transaction_id.as_deref());
            e.set_note(p.matched_by.as_deref());
            e
        })
        .collect()
}

/// Summary rows, in this order, per currency.
const OUTCOMES: [&str; 7] =
    ["reference", "invoice-number", "amount", "part-payment", "overpayment", "unmatched", "duplicate"];

fn outcomes_of(fate: &Fate) -> Vec<&'static str> {
    match fate {
        Fate::Duplicate => vec!["duplicate"],
        Fate::Unmatched(_) => vec!["unmatched"],
        Fate::Matched(m) => {
            let mut v = vec![m.rule.name()];
            if m.is_part() {
                v.push("part-payment");
            }
            if m.excess() > Decimal::ZERO {
                v.push("overpayment");
            }
            v
        }
    }
}

/// `outcome,currency,payments,amount`: how many payments each rule matched (a part payment or
/// overpayment is also counted under its rule), with the total of those payments.
fn summary_table(plan: &Plan, company: Currency) -> Table {
    let none = [(0, Decimal::ZERO); OUTCOMES.len()];
    let mut t = Table::new(["outcome", "currency", "payments", "amount"]);
    let mut per_currency: Vec<(Currency, &[(i64, Decimal); OUTCOMES.len()])> =
        plan.summary.iter().map(|(c, totals)| (*c, totals)).collect();
    if per_currency.is_empty() {
        per_currency.push((company, &none));
    }
    for (currency, totals) in per_currency {
        for (outcome, (count, amount)) in OUTCOMES.iter().zip(totals) {
            t.push(vec![
                Cell::text(*outcome),
                Cell::text(currency.as_str()),
                Cell::Count(*count),
                Cell::Money(*amount),
            ]);
        }
    }
    t
}

/// The payments table's columns; [`payment_row`] gives a row of it.
fn payments_table_head() -> Table {
    Table::new([
        "transaction_id",
        "date",
        "amount",
        "currency",
        "file",
        "matched_by",
        "invoices",
        "customers",
        "still_open",
        "credit",
        "note",
    ])
    .droppable(["note", "credit", "still_open", "file", "customers", "matched_by"])
}

/// A payment's row, unless it was a duplicate.
fn payment_row(p: &Incoming, file: &str, fate: &Fate) -> Option<Vec<Cell>> {
    let (rule, invoices, customers, open, credit, note) = match fate {
        Fate::Duplicate => return None,
        Fate::Matched(m) => {
            let mut customers: Vec<&str> = m.allocations.iter().map(|a| a.customer.as_str()).collect();
            customers.dedup();
            (
                m.rule.name(),
                m.allocations.iter().map(|a| a.invoice.as_str()).collect::<Vec<_>>().join(" "),
                customers.join(" "),
                Cell::Money(m.allocations.iter().map(|a| a.open_after().max(Decimal::ZERO)).sum()),
                Cell::Money(m.excess()),
                m.notes.join("; "),
            )
        }
        Fate::Unmatched(u) => {
            ("unmatched", String::new(), u.customers.join(" "), Cell::Empty, Cell::Empty, u.reason.clone())
        }
    };
    Some(vec![
        Cell::text(&p.txid),
        Cell::Date(p.date),
        Cell::Money(p.amount),
        Cell::text(p.currency.as_str()),
        Cell::text(file),
        Cell::text(rule),
        Cell::text(invoices),
        Cell::text(customers),
        open,
        credit,
        Cell::text(note),
    ])
}

fn files_table(plan: &Plan) -> Table {
    let mut t = Table::new([
        "file",
        "format",
        "layout",
        "created",
        "payments",
        "not_payments",
        "pending",
        "imported_before",
    ])
    .droppable(["imported_before", "layout", "created", "pending"]);
    for f in &plan.files {
        t.push(vec![
            Cell::text(&f.name),
            Cell::text(format_name(f.format)),
            f.layout.as_deref().map_or(Cell::Empty, Cell::text),
            Cell::opt_date(f.created),
            Cell::Count(f.payments as i64),
            Cell::Count(f.skipped as i64),
            Cell::Count(f.pending as i64),
            Cell::opt_date(f.imported_before),
        ]);
    }
    t
}

fn text_output(plan: &Plan, ctx: &Context, dry_run: bool, policy: &Policy) -> String {
    let mut out = String::new();
    if dry_run {
        out.push_str("Dry run: nothing was written.\n");
    }
    out.push_str(&format!("Bank files imported as of {}\n", ctx.as_of));
    out.push_str(&text::render(&files_table(plan), ctx.color));
    out.push_str("\n\nSummary\n");
    out.push_str(&text::render(&summary_table(plan, policy.currency), ctx.color));
    out.push('\n');
    if !plan.payments.rows.is_empty() {
        out.push_str("\nPayments\n");
        out.push_str(&text::render(&plan.payments, ctx.color));
        out.push('\n');
    }
    if plan.payments_not_shown > 0 {
        out.push_str(&not_shown_line(plan.payments_not_shown));
    }
    let waiting = plan.waiting;
    if waiting > 0 {
        out.push_str(&format!(
            "\n{waiting} payment(s) could not be matched with certainty and wait in unmatched.csv: \
             assign each with `dun assign PAYMENT-ID INVOICE`.\n"
        ));
    }
    out
}

fn json_output(plan: &Plan, ctx: &Context, dry_run: bool, policy: &Policy) -> serde_json::Value {
    let mut value = json!({
        "as_of": ctx.as_of.to_string(),
        "dry_run": dry_run,
        "files": files_table(plan).json_rows(),
        "summary": summary_table(plan, policy.currency).json_rows(),
        "payments": plan.payments.json_rows(),
        "warnings": plan.warnings,
    });
    if plan.payments_not_shown > 0 {
        value["payments_not_shown"] = json!(plan.payments_not_shown);
    }
    value
}

/// Said under the payments table when it stops at [`PAYMENT_ROWS_SHOWN`] rows.
fn not_shown_line(count: usize) -> String {
    format!(
        "… {count} more payment(s) not shown here: the matched ones are in payments.csv, the \
         unmatched ones in unmatched.csv, and every one is counted in the summary.\n"
    )
}

/// `dun assign PAYMENT-ID INVOICE...`: a person's decision for an unmatched payment.
pub fn assign(ctx: &Context, args: &AssignArgs) -> Result<()> {
    let _lock = LedgerLock::acquire(&ctx.dir)?;
    let ledger = ledger_dir::load_ledger(&ctx.dir)?;
    let mut unmatched = import_files::read_unmatched(&ctx.dir)?;
    let key = stored_txid(&args.payment);
    let Some(at) = unmatched.iter().position(|r| r.transaction_id == key || r.transaction_id == args.payment)
    else {
        let recorded: Vec<&str> = ledger
            .payments
            .iter()
            .filter(|p| p.transaction_id.as_deref() == Some(key.as_str()))
            .filter_map(|p| p.invoice.as_deref())
            .collect();
        if !recorded.is_empty() {
            bail!(
                "payment {} is already recorded in payments.csv, on invoice {}",
                args.payment,
                recorded.join(", ")
            );
        }
        bail!("no payment \"{}\" in unmatched.csv (dun import lists the unmatched ones)", args.payment);
    };
    let row = unmatched.remove(at);
    let on = ctx.as_of.max(row.date);
    let open = ledger.open_amounts(on);
    let mut targets = Vec::new();
    for number in &args.invoices {
        let Some(inv) = ledger.invoice(number) else { bail!("no invoice \"{number}\" in invoices.csv") };
        if inv.is_credit_note() {
            bail!("{number} is a credit note, not an invoice");
        }
        if inv.currency != row.currency {
            bail!("invoice {number} is in {}, the payment in {}", inv.currency, row.currency);
        }
        if inv.issued > on {
            bail!("invoice {number} is dated {}, after the payment and the as-of date", inv.issued);
        }
        if targets.iter().any(|(n, _, _)| n == number) {
            bail!("invoice {number} is named twice");
        }
        targets.push((
            number.clone(),
            inv.customer().to_string(),
            open.get(number.as_str()).copied().unwrap_or_default(),
        ));
    }
    let allocations = matching::allocate_manual(row.amount, &targets).map_err(|e| anyhow::anyhow!(e))?;
    let lines: Vec<PaymentLine> = allocations
        .iter()
        .map(|a| PaymentLine {
            date: row.date,
            invoice: a.invoice.clone(),
            amount: a.amount,
            // Several references in one field would read as one bad reference.
            reference: Some(row.reference.clone()).filter(|r| !r.is_empty() && !r.contains(' ')),
            transaction_id: row.transaction_id.clone(),
            source: row.source.clone(),
            matched_by: Rule::Manual.name().to_owned(),
        })
        .collect();
    let entries: Vec<Entry> = allocations
        .iter()
        .map(|a| payment_entry(&ledger, row.date, &row.transaction_id, a, Rule::Manual))
        .collect();
    let mut tx = Transaction::new(&ctx.dir);
    import_files::append_payments(&mut tx, &ctx.dir, &lines, payments_table_of(&ledger.policy))?;
    import_files::write_unmatched(&mut tx, &ctx.dir, &unmatched)?;
    tx.journal(&entries);
    tx.commit()?;
    if !ctx.quiet {
        for e in &entries {
            println!(
                "{} {} {} {} on invoice {}: {}",
                row.transaction_id,
                row.date,
                format_money(e.amount.unwrap_or_default()),
                row.currency,
                e.invoice().unwrap_or_default(),
                e.note().unwrap_or_default()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::journal::Journal;
    use crate::core::model::Payment;

    fn unmatched_row(id: &str) -> UnmatchedRow {
        UnmatchedRow {
            transaction_id: id.to_owned(),
            date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            amount: Decimal::ONE_HUNDRED,
            currency: Currency::parse("SEK").unwrap(),
            reference: String::new(),
            message: String::new(),
            payer: String::new(),
            source: "bg.txt".to_owned(),
            customers: Vec::new(),
            reason: "no reference".to_owned(),
        }
    }

    /// The ids are the ledger's and unmatched.csv's own strings, not copies: a ledger of a
    /// million payments would otherwise hold each id twice for the run.
    #[test]
    fn the_known_ids_are_borrowed_from_the_rows_read() {
        let policy =
            Policy::from_toml("[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let payments: Vec<Payment> = ["TX-1", "TX-2"]
            .iter()
            .map(|id| Payment { transaction_id: Some((*id).to_owned()), ..Payment::default() })
            .chain(std::iter::once(Payment::default()))
            .collect();
        let ledger = Ledger::new(policy, Vec::new(), Vec::new(), payments, Journal::default());
        // TX-2 was assigned by a run that stopped before it rewrote unmatched.csv.
        let unmatched = vec![unmatched_row("TX-3"), unmatched_row("TX-2"), unmatched_row("TX-4")];
        let known = KnownIds::of(&ledger.payments, &unmatched);

        assert_eq!(known.ids.len(), 4);
        for id in ["TX-1", "TX-2", "TX-3", "TX-4"] {
            assert!(known.contains(id), "{id}");
        }
        assert!(!known.contains("TX-5") && !known.contains(""));
        let owned_by_rows: Vec<*const u8> = ledger
            .payments
            .iter()
            .filter_map(|p| p.transaction_id.as_deref())
            .chain(unmatched.iter().map(|r| r.transaction_id.as_str()))
            .map(str::as_ptr)
            .collect();
        for id in &known.ids {
            assert!(owned_by_rows.contains(&id.as_ptr()), "{id} is a copy");
        }
        // The assigned row leaves unmatched.csv; the others stay, in their order.
        let kept: Vec<&str> = known.kept.iter().map(|r| r.transaction_id.as_str()).collect();
        assert_eq!(kept, ["TX-3", "TX-4"]);
        assert!(known.assigned_left);
        let none_assigned = [unmatched_row("TX-3")];
        assert!(!KnownIds::of(&ledger.payments, &none_assigned).assigned_left);
    }
}
