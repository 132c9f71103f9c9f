//! The bank files of one `dun import`, read for what the run needs to know before it matches
//! anything (all or nothing, the matching date, whether ids repeat), and then their payments
//! in file order. A BgMax, Nets OCR, KTL or camt file is read as a stream, twice: once for this
//! survey, once while its payments are matched and written, so that no payment is held longer
//! than its own turn. Other formats are read whole, as before.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::core::model::Currency;
use crate::io::bank::{self, BankError, BankFile, BankFormat, BankPayment, CsvImportConfig, Framing};
use crate::io::import_files::{self, stored_txid};

/// One bank file given to `dun import`.
pub struct BankInput {
    pub name: String,
    pub path: PathBuf,
    pub hash: String,
    /// What the file holds besides its payments; `payments` too unless it is streamed.
    pub file: BankFile,
    /// Read again, as a stream, for its payments (BgMax, Nets OCR, KTL).
    pub streamed: bool,
    /// How many payments it has, and the newest one's date.
    pub payments: usize,
    pub newest: Option<NaiveDate>,
}

/// The files, surveyed, and whether their payments can be matched as they come.
pub struct Survey {
    pub inputs: Vec<BankInput>,
    /// Matching in file order is matching in date order and no id repeats within the run:
    /// payments can be matched and written one at a time.
    pub in_stream_order: bool,
    /// The newest payment that is not already recorded (when `in_stream_order`).
    pub newest_fresh: Option<NaiveDate>,
}

/// Reads every file once; any error in any file stops the whole import. `known` are the
/// transaction ids already in `payments.csv` or `unmatched.csv`.
pub fn survey(paths: &[PathBuf], config: Option<&CsvImportConfig>, known: &HashSet<&str>) -> Result<Survey> {
    let mut errors = Vec::new();
    let mut inputs = Vec::new();
    let mut order = Order::default();
    for path in paths {
        let name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match read_one(path, &name, config, known, &mut order) {
            Ok(Ok(input)) => inputs.push(input),
            Ok(Err(found)) => {
                for e in &found {
                    errors.push(if e.location == name {
                        format!("{name}: {}", e.message)
                    } else {
                        format!("{name}: {e}")
                    });
                }
                if found.len() >= bank::MAX_ERRORS {
                    errors.push(format!("{name}: (only the first {} errors are shown)", bank::MAX_ERRORS));
                }
            }
            Err(e) => errors.push(format!("{}: cannot read: {e}", path.display())),
        }
    }
    if !errors.is_empty() {
        bail!(
            "nothing was imported: {} could not be read whole; fix or leave out what is named below and run again:\n{}",
            if paths.len() == 1 { "the file".to_owned() } else { "a file".to_owned() },
            errors.join("\n")
        );
    }
    let distinct = order.distinct();
    Ok(Survey { inputs, in_stream_order: order.in_order && distinct, newest_fresh: order.newest_fresh })
}

/// What the survey learns of all files' payments in file order.
struct Order {
    in_order: bool,
    last: Option<NaiveDate>,
    newest_fresh: Option<NaiveDate>,
    /// 64-bit hashes of the ids seen (8 bytes a payment): a repeat (or, once in 2^64, a
    /// collision) sends the run the whole-file way, which tells duplicates apart exactly.
    ids: Vec<u64>,
}

impl Default for Order {
    fn default() -> Order {
        Order { in_order: true, last: None, newest_fresh: None, ids: Vec::new() }
    }
}

/// Where an [`Order`] stood, to go back to when a file read as a stream is read again whole.
struct OrderMark {
    in_order: bool,
    last: Option<NaiveDate>,
    newest_fresh: Option<NaiveDate>,
    ids: usize,
}

impl Order {
    fn mark(&self) -> OrderMark {
        OrderMark {
            in_order: self.in_order,
            last: self.last,
            newest_fresh: self.newest_fresh,
            ids: self.ids.len(),
        }
    }

    fn back_to(&mut self, mark: OrderMark) {
        self.in_order = mark.in_order;
        self.last = mark.last;
        self.newest_fresh = mark.newest_fresh;
        self.ids.truncate(mark.ids);
    }

    fn see(&mut self, p: &BankPayment, known: &HashSet<&str>) {
        if self.last.is_some_and(|last| p.date < last) {
            self.in_order = false;
        }
        self.last = Some(p.date);
        let id = stored_txid(&p.txid);
        if !known.contains(id.as_str()) {
            self.newest_fresh = self.newest_fresh.max(Some(p.date));
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        self.ids.push(h.finish());
    }

    /// No id twice among all the files' payments.
    fn distinct(&mut self) -> bool {
        self.ids.sort_unstable();
        self.ids.windows(2).all(|w| w[0] != w[1])
    }
}

fn read_one(
    path: &Path,
    name: &str,
    config: Option<&CsvImportConfig>,
    known: &HashSet<&str>,
    order: &mut Order,
) -> std::io::Result<Result<BankInput, Vec<BankError>>> {
    if let Some(input) = survey_camt(path, name, known, order)? {
        return Ok(Ok(input));
    }
    if let Some(format) = streamed_format(path)? {
        let framing = framing_of(path, format)?;
        let mut count = 0usize;
        let mut newest = None;
        let mut currency_ok = true;
        let mut emit = |p: BankPayment| {
            count += 1;
            newest = newest.max(Some(p.date));
            currency_ok &= p.currency.as_deref().is_none_or(|c| Currency::parse(c).is_some());
            order.see(&p, known);
        };
        let read = stream_payments(path, format, &framing, &mut emit)?;
        if let (Ok(file), true) = (read, currency_ok) {
            return Ok(Ok(BankInput {
                name: name.to_owned(),
                path: path.to_owned(),
                hash: framing.hash_text(),
                file,
                streamed: true,
                payments: count,
                newest,
            }));
        }
        // Errors are listed as the whole-file parser finds them, in its order.
    }
    let bytes = std::fs::read(path)?;
    Ok(bank::parse_bank_file(&bytes, name, config).map(|file| {
        for p in &file.payments {
            order.see(p, known);
        }
        BankInput {
            name: name.to_owned(),
            path: path.to_owned(),
            hash: import_files::content_hash(&bytes),
            payments: file.payments.len(),
            newest: file.payments.iter().map(|p| p.date).max(),
            file,
            streamed: false,
        }
    }))
}

/// How much of a file's start tells its format when it is one read as a stream.
const HEAD: u64 = 64 * 1024;

/// The file's format if it is one read as a stream, by its start: `bank::detect_format` tells
/// BgMax and Nets OCR by their first bytes, and KTL (tried next) by its first two records, which
/// the start holds whole when it has a line end. (Without one in the start of a longer file, a
/// line end further on would make the first record too long for KTL: such a file is read whole.)
fn streamed_format(path: &Path) -> std::io::Result<Option<BankFormat>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD as usize);
    std::fs::File::open(path)?.take(HEAD).read_to_end(&mut head)?;
    Ok(match bank::detect_format(&head, "") {
        Some(f @ (BankFormat::BgMax | BankFormat::NetsOcr)) => Some(f),
        Some(BankFormat::Ktl)
            if memchr::memchr2(b'\n', b'\r', &head).is_some() || (head.len() as u64) < HEAD =>
        {
            Some(BankFormat::Ktl)
        }
        _ => None,
    })
}

/// How a file of a streamed format is cut into records.
fn framing_of(path: &Path, format: BankFormat) -> std::io::Result<Framing> {
    let file = std::fs::File::open(path)?;
    match format {
        BankFormat::Ktl => bank::ktl_framing(file),
        _ => Framing::of(file),
    }
}

/// A file of a format [`streamed_format`] names, read as a stream: its payments to `emit`.
fn stream_payments(
    path: &Path,
    format: BankFormat,
    framing: &Framing,
    emit: &mut dyn FnMut(BankPayment),
) -> std::io::Result<Result<BankFile, Vec<BankError>>> {
    let open = || std::fs::File::open(path);
    match format {
        BankFormat::NetsOcr => bank::stream_nets_ocr(open()?, framing, emit),
        BankFormat::BgMax => bank::stream_bgmax(&open, framing, emit),
        BankFormat::Ktl => bank::stream_ktl(&open, framing, emit),
        other => Err(std::io::Error::other(format!("{other:?} files are not read as a stream"))),
    }
}

impl BankInput {
    /// Its payments in file order, each to `each`; a streamed file is read again, and must be
    /// the file the survey read.
    pub fn for_each_payment(&self, each: &mut dyn FnMut(BankPayment) -> Result<()>) -> Result<()> {
        if self.streamed && is_camt(self.file.format) {
            return self.camt_payments(each);
        }
        if !self.streamed {
            for p in &self.file.payments {
                each(p.clone())?;
            }
            return Ok(());
        }
        let framing = framing_of(&self.path, self.file.format)?;
        if framing.hash_text() != self.hash {
            bail!("{}: the file changed while it was imported; nothing was imported", self.name);
        }
        let mut failed = None;
        let mut emit = |p: BankPayment| {
            if failed.is_none()
                && let Err(e) = each(p)
            {
                failed = Some(e);
            }
        };
        let read = stream_payments(&self.path, self.file.format, &framing, &mut emit)?;
        if let Some(e) = failed {
            return Err(e);
        }
        if read.is_err() {
            bail!("{}: the file changed while it was imported; nothing was imported", self.name);
        }
        Ok(())
    }

    /// The file read whole (its payments in memory), for a run that cannot take them as they
    /// come.
    pub fn read_whole(&mut self, config: Option<&CsvImportConfig>) -> Result<()> {
        if !self.streamed {
            return Ok(());
        }
        let bytes = std::fs::read(&self.path)?;
        match bank::parse_bank_file(&bytes, &self.name, config) {
            Ok(file) if import_files::content_hash(&bytes) == self.hash => {
                self.file = file;
                self.streamed = false;
                Ok(())
            }
            _ => bail!("{}: the file changed while it was imported; nothing was imported", self.name),
        }
    }
}

/// Bytes of a file's start that tell a camt file (its XML declaration, comments and root
/// element; `bank::detect_format` on the whole file finds the same element).
const CAMT_HEAD: u64 = 64 * 1024;

fn is_camt(format: BankFormat) -> bool {
    matches!(format, BankFormat::Camt054 | BankFormat::Camt053)
}

/// A camt file read as a stream for the survey, its payments not kept; `None` when it is no
/// camt file, has errors (listed as the whole-file parser lists them) or is one the stream
/// does not read (`bank::stream_camt`): then it is read whole, as before.
fn survey_camt(
    path: &Path,
    name: &str,
    known: &HashSet<&str>,
    order: &mut Order,
) -> std::io::Result<Option<BankInput>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)?.take(CAMT_HEAD).read_to_end(&mut head)?;
    if !bank::detect_format(&head, name).is_some_and(is_camt) {
        return Ok(None);
    }
    let mark = order.mark();
    let mut count = 0usize;
    let mut newest = None;
    let mut currency_ok = true;
    let mut emit = |p: BankPayment| {
        count += 1;
        newest = newest.max(Some(p.date));
        currency_ok &= p.currency.as_deref().is_none_or(|c| Currency::parse(c).is_some());
        order.see(&p, known);
    };
    let read = bank::stream_camt(&|| std::fs::File::open(path), &mut emit)?;
    if let Some(bank::CamtStream { file: Ok(file), hash }) = read
        && currency_ok
    {
        return Ok(Some(BankInput {
            name: name.to_owned(),
            path: path.to_owned(),
            hash,
            file,
            streamed: true,
            payments: count,
            newest,
        }));
    }
    order.back_to(mark);
    Ok(None)
}

impl BankInput {
    /// A camt file's payments, read again as a stream: it must be the file the survey read.
    fn camt_payments(&self, each: &mut dyn FnMut(BankPayment) -> Result<()>) -> Result<()> {
        let mut failed = None;
        let mut emit = |p: BankPayment| {
            if failed.is_none()
                && let Err(e) = each(p)
            {
                failed = Some(e);
            }
        };
        let read = bank::stream_camt(&|| std::fs::File::open(&self.path), &mut emit)?;
        if let Some(e) = failed {
            return Err(e);
        }
        match read {
            Some(bank::CamtStream { file: Ok(_), hash }) if hash == self.hash => Ok(()),
            _ => bail!("{}: the file changed while it was imported; nothing was imported", self.name),
        }
    }
}
