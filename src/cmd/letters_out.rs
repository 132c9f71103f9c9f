//! Rendering letters, e-mails and SMS texts and writing them under `out/`, committed together
//! with their journal lines (`io::commit`): a run lands whole or not at all. Each run writes
//! into one folder, `out/DATE/`, or `out/DATE-runN/` when a name it needs is taken there by
//! an earlier run: nothing the journal points at is ever overwritten.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;

use crate::context::Context;
use crate::core::journal::{Entry, Event};
use crate::core::ledger::Ledger;
use crate::io::commit::Transaction;
use crate::letters::compose::{self, LetterPlan, sanitize, usable_channels};
use crate::letters::eml::{EmlAttachment, EmlParts, build_eml};
use crate::letters::{Channel, LetterData, Letters, Step};

/// Files written (relative to the output directory, in the order composed; their bytes went
/// to the run's [`Sink`] as each was composed) and the journal lines they stand for.
#[derive(Default)]
pub struct Outgoing {
    pub files: Vec<PathBuf>,
    pub entries: Vec<Entry>,
    /// Customers that could not be written to, and why.
    pub unreachable: Vec<String>,
    /// The letters composed, for the summary.
    pub letters: Vec<Composed>,
}

/// One letter composed: to whom, on which channels, about how many invoices.
pub struct Composed {
    pub customer: String,
    pub name: String,
    pub channels: Vec<Channel>,
    pub invoices: usize,
    /// Its reference (the journal's `ref`, `2026-11-24/reminder-1_K1_SEK`) and the file each
    /// channel delivers, relative to the output directory.
    pub reference: String,
    pub files: Vec<(Channel, PathBuf)>,
}

/// Loads the built-in templates with the ledger's overrides (`templates.dir`, default
/// `templates/`).
pub fn letters(ctx: &Context, ledger: &Ledger) -> Result<Letters> {
    let dir = ledger.policy.file.templates.dir.clone().unwrap_or_else(|| "templates".to_owned());
    Letters::new(Some(&ctx.dir.join(dir))).map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn out_dir(ctx: &Context, out: Option<&Path>) -> PathBuf {
    out.map_or_else(|| ctx.dir.join("out"), Path::to_path_buf)
}

/// The folder (under the output directory) of the `n`th run of a day: `2026-11-24`,
/// `2026-11-24-run2`, ...
pub fn run_folder(as_of: NaiveDate, n: u32) -> PathBuf {
    if n <= 1 { PathBuf::from(as_of.to_string()) } else { PathBuf::from(format!("{as_of}-run{n}")) }
}

/// Where a run puts each file the moment it is composed, so that no run holds its letters
/// (issue #14: a morning of 150,000 notices held them all, 9 GB): staged in the run's
/// transaction (in the run's new folder, made whole under a temporary name and renamed at the
/// commit, [`Transaction::stage_folder`]; in a folder that exists, [`Transaction::stage`], a
/// temporary name beside the target, renamed at the commit; removed if the run stops before
/// it), or, in a dry run, nowhere: composed, listed, dropped.
pub struct Sink {
    out_dir: PathBuf,
    ledger_dir: PathBuf,
    /// The run's transaction; `None` in a dry run, and once this folder is found taken.
    tx: Option<Transaction>,
    /// Folders swept of what killed runs left, before the first file is staged in them.
    swept: std::collections::BTreeSet<PathBuf>,
    /// A file composed exists already: the folder is an earlier run's.
    taken: bool,
    /// The last folder tried: used even when taken.
    last_try: bool,
    /// A dry run's: nothing is staged, and what is composed only has to fail where it would.
    dry: bool,
}

impl Sink {
    fn new(ledger_dir: &Path, out_dir: &Path, stage: bool, last_try: bool) -> Sink {
        Sink {
            out_dir: out_dir.to_path_buf(),
            ledger_dir: ledger_dir.to_path_buf(),
            tx: stage.then(|| Transaction::new(ledger_dir)),
            swept: std::collections::BTreeSet::new(),
            taken: false,
            last_try,
            dry: !stage,
        }
    }

    /// Whether this is a dry run's sink: a letter is composed only as far as it can fail.
    pub fn dry(&self) -> bool {
        self.dry
    }

    /// A composed file, `relative` to the output directory: staged (a real run) or dropped.
    pub fn put(&mut self, relative: &Path, bytes: &[u8]) -> Result<()> {
        let Some((tx, path)) = self.staging(relative) else { return Ok(()) };
        tx.stage(&path, bytes)
    }

    /// A composed file that `write` writes as it is made, not held whole first (the agency batch:
    /// a line per invoice handed over): staged as [`Sink::put`] stages, or in a dry run written
    /// to nothing.
    pub fn put_with(
        &mut self,
        relative: &Path,
        write: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<()> {
        let Some((tx, path)) = self.staging(relative) else { return write(&mut std::io::sink()) };
        let mut file = tx.staged_file(&path)?;
        write(&mut file).with_context(|| format!("cannot write {}", path.display()))?;
        tx.stage_file(file)
    }

    /// Where the letters' workers write their files themselves (a real run that still
    /// stages): `folder`, when it does not exist yet, is made whole
    /// ([`Transaction::stage_folder`]: the files under their own names in a temporary folder
    /// renamed at the commit); else it is made and swept of what killed runs left before any
    /// worker writes there. `None` for a dry run, a folder found taken, or a folder that
    /// cannot be made (the files then come here whole, [`Sink::put`], which says why it
    /// cannot write them).
    fn written_ahead(&mut self, folder: &Path) -> Option<WriteAhead> {
        if self.dry || self.taken {
            return None;
        }
        let dir = self.out_dir.join(folder);
        let made_whole = match self.tx.as_mut()?.stage_folder(&dir) {
            Ok(Some(temp)) => Some(temp),
            Ok(None) => {
                std::fs::create_dir_all(&dir).ok()?;
                self.sweep_once(&dir);
                None
            }
            Err(_) => return None,
        };
        Some(WriteAhead { out_dir: self.out_dir.clone(), folder: folder.to_owned(), made_whole })
    }

    /// A letter's file as a worker left it ([`Body`]), staged, or removed where nothing
    /// is staged any more (the folder turned out to be an earlier run's).
    fn put_file(&mut self, relative: &Path, body: Body) -> Result<()> {
        match body {
            Body::Bytes(bytes) => self.put(relative, &bytes),
            Body::Written(file) => {
                let (temp, len) = file.claim();
                match self.staging(relative) {
                    Some((tx, path)) => tx.stage_written(&path, temp, len),
                    None => {
                        let _ = std::fs::remove_file(&temp);
                    }
                }
                Ok(())
            }
        }
    }

    /// The transaction a file is staged in and its path, or `None` when nothing is staged.
    fn staging(&mut self, relative: &Path) -> Option<(&mut Transaction, PathBuf)> {
        let path = self.out_dir.join(relative);
        if self.tx.as_ref().is_some_and(|tx| tx.makes_whole(&path)) {
            return self.tx.as_mut().map(|tx| (tx, path));
        }
        if !self.taken && !self.last_try && std::fs::symlink_metadata(&path).is_ok() {
            // The run composes again in the next folder; what it staged here goes (the
            // transaction's drop removes its temporary files). It goes on composing, so that
            // it says and fails exactly as a run that composed everything before looking.
            self.taken = true;
            self.tx = None;
        }
        self.tx.as_ref()?;
        if let Some(parent) = path.parent() {
            self.sweep_once(parent);
        }
        let tx = self.tx.as_mut()?;
        Some((tx, path))
    }

    /// Removes from `dir` what killed runs left, the first time this run stages there.
    fn sweep_once(&mut self, dir: &Path) {
        if self.swept.insert(dir.to_path_buf()) {
            crate::io::output::sweep(dir);
        }
    }

    /// The run's transaction, with its files staged, for the caller to add its journal lines
    /// to and commit (a new one for a dry run's sink, which stages nothing).
    pub fn transaction(self) -> Transaction {
        let Sink { tx, ledger_dir, .. } = self;
        tx.unwrap_or_else(|| Transaction::new(&ledger_dir))
    }
}

/// Composes a run with `compose(folder, sink)` in the first folder of the day where none of
/// its files exists yet; `stage` (a real run) stages the files as they come.
pub fn compose_run(
    ledger_dir: &Path,
    out_dir: &Path,
    as_of: NaiveDate,
    stage: bool,
    mut compose: impl FnMut(&Path, &mut Sink) -> Result<Outgoing>,
) -> Result<(Outgoing, Sink)> {
    let mut n = 1;
    loop {
        let mut sink = Sink::new(ledger_dir, out_dir, stage, n >= 1000);
        let outgoing = compose(&run_folder(as_of, n), &mut sink)?;
        if !sink.taken {
            return Ok((outgoing, sink));
        }
        n += 1;
    }
}

/// The stem of a letter's files: `2026-11-24/reminder-1_K1_SEK`.
fn stem(plan: &LetterPlan<'_>, folder: &Path, currency: &str) -> PathBuf {
    let name = match plan.step {
        Step::Plan => format!(
            "plan_{}_{}",
            sanitize(plan.customer),
            sanitize(plan.decisions.first().map_or("", |d| d.invoice))
        ),
        step => format!("{}-{}_{}_{}", step.name(), plan.step_number, sanitize(plan.customer), currency),
    };
    folder.join(name)
}

/// Renders one letter on every channel the customer can receive it on. `dry` (a dry run, which
/// writes nothing): the PDF is checked, not made, and its bytes are empty
/// ([`crate::letters::pdf::check_letter_pdf`]).
pub fn render_letter(
    ledger: &Ledger,
    letters: &Letters,
    step: Step,
    data: &LetterData,
    channels: &[Channel],
    stem: &Path,
    dry: bool,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let rendered = letters
        .render_channels(step, channels, &data.language, data.to_value())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut files = Vec::with_capacity(channels.len() + 1);
    let attach = channels.contains(&Channel::Email)
        && ledger.policy.file.delivery.email.as_ref().is_some_and(|email| email.attach_pdf);
    // The letter as PDF, made once: written beside the HTML letter (what print services and
    // digital mailboxes take) and attached to the e-mail where the policy says so.
    let letter_html = channels.iter().zip(&rendered).find(|(c, _)| **c == Channel::Letter).map(|(_, r)| r);
    let pdf_of = |html: Option<&str>| -> Result<Vec<u8>> {
        let html = html.unwrap_or_default();
        if dry {
            crate::letters::pdf::check_letter_pdf(html)?;
            return Ok(Vec::new());
        }
        Ok(crate::letters::pdf::letter_pdf(html, data.as_of)?)
    };
    let pdf = match letter_html {
        Some(letter) => pdf_of(letter.html.as_deref())?,
        None if attach => {
            let letter = letters
                .render(step, Channel::Letter, &data.language, &data.to_value())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            pdf_of(letter.html.as_deref())?
        }
        None => Vec::new(),
    };
    let pdf_name = stem.with_extension("pdf");
    for (&channel, r) in channels.iter().zip(rendered) {
        match channel {
            Channel::Letter => {
                files.push((pdf_name.clone(), pdf.clone()));
                files.push((stem.with_extension("letter.html"), r.html.unwrap_or_default().into_bytes()));
            }
            Channel::Email => {
                let from = ledger.policy.file.company.email.as_deref().with_context(
                    || "policy.toml: [company] email is needed to write e-mails (the From address)",
                )?;
                // The sender's address is the company's, never the customer's fault.
                if let Some(problem) = crate::core::check::email_problem(from) {
                    bail!("policy.toml: [company] email \"{from}\" is not an e-mail address: {problem}");
                }
                let to = data.customer.email.as_deref().unwrap_or_default();
                let message_id = message_id(from, stem, data);
                // Named like the file beside the letter: `reminder-1_K1_SEK.pdf`.
                let filename = pdf_name.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                let attachments: Vec<EmlAttachment<'_>> = attach
                    .then(|| EmlAttachment {
                        filename: &filename,
                        content_type: "application/pdf",
                        bytes: &pdf,
                    })
                    .into_iter()
                    .collect();
                let eml = build_eml(&EmlParts {
                    from_name: &data.company.name,
                    from_addr: from,
                    to_name: data.customer.contact.as_deref().unwrap_or(&data.customer.name),
                    to_addr: to,
                    subject: r.subject.as_deref().unwrap_or_default(),
                    text: r.text.as_deref().unwrap_or_default(),
                    html: r.html.as_deref().unwrap_or_default(),
                    date: written_at(data.as_of),
                    message_id: &message_id,
                    reply_to: Some(from),
                    attachments: &attachments,
                })
                .map_err(|e| {
                    anyhow::Error::new(PerCustomer(format!("the e-mail to {to:?} cannot be written: {e}")))
                })?;
                files.push((stem.with_extension("eml"), eml));
            }
            Channel::Sms => {
                // The gateway takes E.164; `usable_channels` has checked that there is one.
                let phone = sms_to(ledger, &data.customer.id).ok_or_else(|| {
                    anyhow::Error::new(PerCustomer("no mobile number for an SMS".to_owned()))
                })?;
                let text = format!("To: {phone}\n\n{}\n", r.text.unwrap_or_default().trim_end());
                files.push((stem.with_extension("sms.txt"), text.into_bytes()));
            }
        }
    }
    Ok(files)
}

/// The `Message-ID` of a letter's e-mail: `dun.<the letter's name>.<content hash>@<the
/// company's domain>`. The same letter composed again has the same id (a mail server or the
/// reader's program sees a resend as the same message), another company's or another
/// letter's never does.
pub fn message_id(company_email: &str, stem: &Path, data: &LetterData) -> String {
    let domain =
        company_email.rsplit_once('@').map_or("localhost", |(_, domain)| domain).trim().to_ascii_lowercase();
    let name: String = stem
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '.' })
        .collect();
    let mut content = format!("{}|{}|{}|{}", data.customer.id, data.currency, data.total, data.pay_by);
    for invoice in &data.invoices {
        content.push('|');
        content.push_str(&invoice.number);
    }
    format!("dun.{name}.{:08x}@{domain}", crate::letters::eml::fnv1a(&[&content]) as u32)
}

/// When a message is written: now, on a run for today; a run for another day (`--as-of`) is
/// dated at noon UTC on that day, not at the moment of a back-dated rerun.
fn written_at(as_of: NaiveDate) -> std::time::SystemTime {
    let now = std::time::SystemTime::now();
    if as_of == chrono::Local::now().date_naive() {
        return now;
    }
    let noon = as_of.and_hms_opt(12, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or_default();
    u64::try_from(noon)
        .map_or(now, |seconds| std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(seconds))
}

/// The E.164 number an SMS to this customer goes to, by the rule `dun check` applies.
fn sms_to(ledger: &Ledger, customer: &str) -> Option<String> {
    let c = ledger.customer(customer)?;
    crate::core::phone::sms_number(c.sms_phone()?, c.country()).ok()
}

/// Letters for every plan; journal lines via `entry_for` for each decision written.
pub fn compose_all(
    ledger: &Ledger,
    letters: &Letters,
    plans: &[LetterPlan<'_>],
    as_of: NaiveDate,
    folder: &Path,
    sink: &mut Sink,
    entry_for: impl Fn(&crate::core::dunning::Decision<'_>, &str, &str) -> Option<Entry>,
) -> Result<Outgoing> {
    let mut out = Outgoing::default();
    let company_email = ledger.policy.file.company.email.is_some();
    let mut warned = false;
    // References in use, so that each letter's total reference is new (and a dry run and the
    // real run compose the same ones). Gathered at the first letter: every invoice's
    // reference is a string each, for nothing on a day with no letter (issue #14).
    let mut taken = None;
    let workers = workers();
    crate::io::heap::keep_freed_room_for_reuse();
    // A batch at a time: what to write is decided in order, the letters are rendered on every
    // core, and what came of each is taken in order again, so that the files, the journal,
    // the warnings and the first error are those of one letter after the other (issue #14).
    for batch in plans.chunks(LETTERS_PER_WORKER * workers) {
        let mut ready = Vec::with_capacity(batch.len());
        for plan in batch {
            let Some(customer) = ledger.customer(plan.customer) else {
                ready.push(Ready::Unreachable(format!("{}: not in customers.csv", plan.customer)));
                continue;
            };
            let rules = ledger.rules_for(Some(customer));
            let (mut channels, mut problems) = usable_channels(customer, &rules.reminder.channels());
            if !company_email && channels.contains(&Channel::Email) {
                // An e-mail needs a sender; without one the other channels still go out.
                channels.retain(|c| *c != Channel::Email);
                problems.push("email: policy.toml has no [company] email to send from".to_owned());
                if !warned {
                    ready.push(Ready::Warn);
                    warned = true;
                }
            }
            if channels.is_empty() {
                ready.push(Ready::Unreachable(format!(
                    "{} {}: no usable channel among {} ({}; `dun check` says the same)",
                    customer.id,
                    customer.name,
                    rules.reminder.channels().iter().map(|c| c.name()).collect::<Vec<_>>().join(", "),
                    problems.join("; ")
                )));
                continue;
            }
            let taken = taken.get_or_insert_with(|| compose::taken_references(ledger));
            let Some(data) = compose::letter_data_with(ledger, plan, as_of, taken) else { continue };
            let stem = stem(plan, folder, &data.currency);
            ready.push(Ready::Letter(Box::new(ToRender { plan, customer, channels, data, stem })));
        }
        let dry = sink.dry();
        // A real run's files are written by the workers too (in the run's folder made whole,
        // else each under its temporary name) and staged here in order: writing them here, one
        // after the other, left a core idle for a fifth of the run (issue #14).
        let write_ahead = sink.written_ahead(folder);
        let rendered = on_every_core(&ready, workers, |r| match r {
            Ready::Letter(l) => Some(
                render_letter(ledger, letters, l.plan.step, &l.data, &l.channels, &l.stem, dry)
                    .map(|files| written(write_ahead.as_ref(), files)),
            ),
            Ready::Unreachable(_) | Ready::Warn => None,
        });
        for (r, files) in ready.into_iter().zip(rendered) {
            let l = match r {
                Ready::Unreachable(why) => {
                    out.unreachable.push(why);
                    continue;
                }
                Ready::Warn => {
                    eprintln!("dun: warning: policy.toml has no [company] email, so no e-mails are written");
                    continue;
                }
                Ready::Letter(l) => l,
            };
            let ToRender { plan, customer, channels, data, stem } = *l;
            let files = match files.unwrap_or_else(|| Ok(Vec::new())) {
                Ok(files) => files,
                // One customer's bad data stops that customer's letter, not everyone's.
                Err(e) if e.downcast_ref::<PerCustomer>().is_some() => {
                    out.unreachable.push(format!("{} {}: {e}", customer.id, customer.name));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let channel_list = channels.iter().map(|c| c.name()).collect::<Vec<_>>().join("+");
            let reference = stem.display().to_string();
            for d in &plan.decisions {
                out.entries.extend(entry_for(d, &channel_list, &reference).map(|e| with_total(e, &data)));
            }
            out.letters.push(Composed {
                customer: customer.id.to_string(),
                name: customer.name.to_string(),
                channels: channels.clone(),
                invoices: plan.decisions.len(),
                files: delivery_files(&channels, &files),
                reference,
            });
            for (name, body) in files {
                sink.put_file(&name, body)?;
                out.files.push(name);
            }
        }
    }
    Ok(out)
}

/// A letter's file as its worker leaves it: written under its temporary name, or whole.
enum Body {
    /// Not written: a dry run's, or one the worker could not write (staged again in order,
    /// [`Sink::put`], which says why it fails).
    Bytes(Vec<u8>),
    Written(crate::io::output::WrittenTemp),
}

/// Where the workers write a batch's files ([`Sink::written_ahead`]).
struct WriteAhead {
    out_dir: PathBuf,
    /// The run's folder, relative to `out_dir`.
    folder: PathBuf,
    /// Where its files go under their own names, when the run makes it whole.
    made_whole: Option<PathBuf>,
}

impl WriteAhead {
    /// Writes the file `name` (relative to the output directory): under its own name in the
    /// folder made whole, or under its temporary name beside its place.
    fn write(&self, name: &Path, bytes: &[u8]) -> Result<crate::io::output::WrittenTemp> {
        let inside = name.strip_prefix(&self.folder).ok().filter(|n| n.parent() == Some(Path::new("")));
        match (&self.made_whole, inside) {
            (Some(temp), Some(inside)) => {
                crate::io::output::WrittenTemp::write_new(&temp.join(inside), bytes)
            }
            _ => crate::io::output::WrittenTemp::write(&self.out_dir.join(name), bytes),
        }
    }
}

/// A rendered letter's files (`name`, bytes), each written where `ahead` says when there is
/// somewhere to write them.
fn written(ahead: Option<&WriteAhead>, files: Vec<(PathBuf, Vec<u8>)>) -> Vec<(PathBuf, Body)> {
    files
        .into_iter()
        .map(|(name, bytes)| {
            let body = match ahead.map(|ahead| ahead.write(&name, &bytes)) {
                Some(Ok(file)) => Body::Written(file),
                Some(Err(_)) | None => Body::Bytes(bytes),
            };
            (name, body)
        })
        .collect()
}

/// Letters each core renders in one batch: enough that starting the threads is nothing beside
/// them (a letter is ~3 ms), few enough that a batch's files are a few MB.
const LETTERS_PER_WORKER: usize = 32;

/// How many letters are rendered at once: `DUN_THREADS`, else one per core (at most four, as
/// every other part of a run). On the idle 2-core machine (issue #14) two threads took
/// `collect --dry-run --force` on the 1M ledger (62,726 notices) from 45.9 to 26.9 s and a
/// real `remind` of 9,632 letters from 28.0 to 18.8 s, for a tenth more CPU; an earlier
/// measurement that found them slower was taken on a machine loaded nine to fourteen times
/// over, where no thread had a core of its own.
fn workers() -> usize {
    std::env::var("DUN_THREADS")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(crate::core::workers)
        .clamp(1, 64)
}

/// One plan of a batch, decided in order before the batch is rendered.
enum Ready<'p, 'a> {
    /// The customer cannot be written to, and why.
    Unreachable(String),
    /// The warning that no e-mail is written, said before the letter that first wanted one.
    Warn,
    Letter(Box<ToRender<'p, 'a>>),
}

/// A letter to render: its plan, customer, channels, template data and file stem.
struct ToRender<'p, 'a> {
    plan: &'p LetterPlan<'a>,
    customer: &'a crate::core::model::Customer,
    channels: Vec<Channel>,
    data: LetterData,
    stem: PathBuf,
}

/// `work` of every item, on `workers` threads that each take the next item not yet taken; the
/// results in the items' order.
fn on_every_core<T: Sync, R: Send>(items: &[T], workers: usize, work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    crate::core::each_taken(items, workers, &|| (), &work)
}

/// A letter's journal line with the letter's total reference in its note, when it has one
/// (`core::reference::letter`): what `dun import` splits a payment of the total by.
fn with_total(mut e: Entry, data: &LetterData) -> Entry {
    if data.invoices.len() > 1
        && let Some(total) = data.reference.as_deref()
    {
        e.set_note(Some(crate::core::reference::letter::note_with_total(total, e.note())));
    }
    e
}

/// The file each channel's message is delivered from: the `.eml`, the `.sms.txt`, the
/// letter's PDF where one was composed, else its HTML.
fn delivery_files<T>(channels: &[Channel], files: &[(PathBuf, T)]) -> Vec<(Channel, PathBuf)> {
    let ending =
        |suffix: &str| files.iter().map(|(p, _)| p).find(|p| p.to_string_lossy().ends_with(suffix)).cloned();
    channels
        .iter()
        .filter_map(|&channel| {
            let file = match channel {
                Channel::Email => ending(".eml"),
                Channel::Sms => ending(".sms.txt"),
                Channel::Letter => ending(".pdf").or_else(|| ending(".letter.html")),
            };
            file.map(|f| (channel, f))
        })
        .collect()
}

/// Adds a `queued` journal line for each composed message on a channel whose delivery the
/// policy configures (`[delivery]`): what `dun send` and `dun sent` deliver, found from the
/// journal (`ref` = the letter, `note` = the file, relative to the ledger directory when
/// under it). A channel without delivery counts as delivered when composed.
pub fn queue(ctx: &Context, ledger: &Ledger, out_dir: &Path, outgoing: &mut Outgoing) {
    let delivery = &ledger.policy.file.delivery;
    let base = match out_dir.strip_prefix(&ctx.dir) {
        Ok(inside) => inside.to_path_buf(),
        Err(_) => std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf()),
    };
    let mut lines = Vec::new();
    for letter in &outgoing.letters {
        for (channel, file) in &letter.files {
            let Some(channel) = crate::core::delivery::channel_named(channel.name()) else { continue };
            if !delivery.queues(channel) {
                continue;
            }
            let mut e = Entry::new(ctx.as_of, Event::Queued);
            e.set_customer(Some(&letter.customer));
            e.set_channel(Some(channel.name()));
            e.set_reference(Some(&letter.reference));
            e.set_note(Some(base.join(file).to_string_lossy().into_owned()));
            lines.push(e);
        }
    }
    outgoing.entries.extend(lines);
}

/// Commits the files staged in `sink` and the journal lines as one run (`io::commit`).
pub fn commit(sink: Sink, entries: Vec<Entry>) -> Result<()> {
    let mut tx = sink.transaction();
    tx.journal_owned(entries);
    tx.commit()
}

/// What stops one customer's letter and no one else's (a malformed address, no mobile).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct PerCustomer(String);

/// After the rest was written: [`crate::NeedsPerson`] (exit status 3) when some customer
/// could not be written to.
pub fn unreachable_is_error(outgoing: &Outgoing, what: &str) -> Result<()> {
    if outgoing.unreachable.is_empty() {
        return Ok(());
    }
    Err(anyhow::Error::new(crate::NeedsPerson(format!(
        "{} customer(s) got no {what}; they stay due until fixed:\n{}",
        outgoing.unreachable.len(),
        outgoing.unreachable.join("\n")
    ))))
}

/// The written confirmation of a payment plan, on the customer's reminder channels: files
/// relative to the output directory (`out_dir(ctx, None)`), staged in the returned sink, and
/// their `queued` lines, for the caller to commit with the plan's lines.
pub fn plan_confirmation(ctx: &Context, ledger: &Ledger, entries: &[Entry]) -> Result<(Outgoing, Sink)> {
    let out = out_dir(ctx, None);
    let none = || Ok((Outgoing::default(), Sink::new(&ctx.dir, &out, true, false)));
    let Some(first) = entries.first() else { return none() };
    let invoice = first.invoice().unwrap_or_default().to_owned();
    let installments: Vec<_> = entries
        .iter()
        .filter(|e| e.event == Event::Plan)
        .map(|e| (e.until.unwrap_or(e.date), e.amount.unwrap_or_default()))
        .collect();
    let Some(data) = compose::plan_data(ledger, &invoice, &installments, ctx.as_of) else {
        return none();
    };
    let customer = ledger.customer(&data.customer.id);
    let rules = ledger.rules_for(customer);
    let channels = customer.map(|c| usable_channels(c, &rules.reminder.channels()).0).unwrap_or_default();
    if channels.is_empty() {
        eprintln!(
            "dun: warning: customer {} has no usable channel; confirm the plan by hand",
            data.customer.id
        );
        return none();
    }
    let letters = letters(ctx, ledger)?;
    let name = format!("plan_{}_{}", sanitize(&data.customer.id), sanitize(&invoice));
    let (mut outgoing, sink) = compose_run(&ctx.dir, &out, ctx.as_of, true, |folder, sink| {
        let stem = folder.join(&name);
        let files = render_letter(ledger, &letters, Step::Plan, &data, &channels, &stem, false)?;
        let letter = Composed {
            customer: data.customer.id.to_string(),
            name: data.customer.name.clone(),
            channels: channels.clone(),
            invoices: 1,
            reference: stem.display().to_string(),
            files: delivery_files(&channels, &files),
        };
        let mut names = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            sink.put(&name, &bytes)?;
            names.push(name);
        }
        Ok(Outgoing { files: names, entries: Vec::new(), unreachable: Vec::new(), letters: vec![letter] })
    })?;
    queue(ctx, ledger, &out, &mut outgoing);
    Ok((outgoing, sink))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever the number of threads and however long each item takes, every item's result
        /// comes back once, in the items' order.
        #[test]
        fn work_on_every_core_comes_back_in_order(
            costs in proptest::collection::vec(0u32..2_000, 0..80),
            workers in 1usize..6,
        ) {
            let work = |&cost: &u32| (0..cost).fold(u64::from(cost), |h, i| h.wrapping_mul(31).wrapping_add(u64::from(i)));
            let want: Vec<u64> = costs.iter().map(work).collect();
            proptest::prop_assert_eq!(on_every_core(&costs, workers, work), want);
        }
    }
}
