//! The bank files of one `dun import`, read for what the run needs to know before it matches
//! anything (all or nothing, the matching date, whether ids repeat), and then their payments
//! in file order. A BgMax, Nets OCR, KTL, camt or bank CSV file is read as a stream, twice: once
//! for this survey, once while its payments are matched and written, so that no payment is held
//! longer than its own turn. What cannot be (see `dun import`'s README) is read whole, as before.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::core::matching::NamedReferences;
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
    /// Read again, as a stream, for its payments (BgMax, Nets OCR, KTL, CSV).
    pub streamed: bool,
    /// How many payments it has, and the newest one's date.
    pub payments: usize,
    pub newest: Option<NaiveDate>,
}

/// The files, surveyed, and whether their payments can be matched as they come.
pub struct Survey {
    pub inputs: Vec<BankInput>,
    /// The payments not already recorded come in date order, file after file. Those a
    /// repeated id makes duplicates are not matched, so when this is not so, the run may
    /// still be in date order where it matters (see `dun import`'s plan).
    pub in_order: bool,
    /// No id repeats within one file (else the whole-file parser renames it `X#2`, and the
    /// run is read whole).
    pub distinct_in_each_file: bool,
    /// The newest payment that is not already recorded; a payment whose id comes again later
    /// in the run counts too (see [`Survey::repeated`]).
    pub newest_fresh: Option<NaiveDate>,
    /// Sorted [`id_hash`]es that more than one payment of the run has: their ids may come in two
    /// files (two overlapping statements imported together), the later one a duplicate. Only
    /// the ids of these payments are kept while the run streams (see [`RunIds`]).
    pub repeated: Vec<u64>,
    /// Every reference the payments give, as the matcher may look an invoice up by it: which
    /// settled invoices the ledger's load keeps.
    pub references: NamedReferences,
}

impl Survey {
    /// The newest payment of any file: the matching date is no later than this or the as-of
    /// date.
    pub fn newest(&self) -> Option<NaiveDate> {
        self.inputs.iter().filter_map(|i| i.newest).max()
    }
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
    let distinct_in_each_file = order.distinct_in_each_file();
    let repeated = order.repeated();
    Ok(Survey {
        inputs,
        in_order: order.in_order,
        distinct_in_each_file,
        newest_fresh: order.newest_fresh,
        repeated,
        references: order.references,
    })
}

/// The 64-bit hash of a transaction id (as stored) that [`Survey::repeated`] holds.
pub fn id_hash(id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// Which payments of a streamed run come first with their id, exactly: the ids whose hash
/// repeats in the run are kept as text (the rest came once, so each is a first), and a hash
/// that two different ids share never makes the second a duplicate.
pub struct RunIds<'s> {
    repeated: &'s [u64],
    hash: fn(&str) -> u64,
    seen: HashSet<String>,
}

impl<'s> RunIds<'s> {
    pub fn new(repeated: &'s [u64]) -> RunIds<'s> {
        RunIds::with_hash(repeated, id_hash)
    }

    fn with_hash(repeated: &'s [u64], hash: fn(&str) -> u64) -> RunIds<'s> {
        RunIds { repeated, hash, seen: HashSet::new() }
    }

    /// Whether no earlier payment of the run had `id`; remembers it.
    pub fn first(&mut self, id: &str) -> bool {
        if self.repeated.is_empty() || self.repeated.binary_search(&(self.hash)(id)).is_err() {
            return true;
        }
        // With the hash of an id that comes again: the text tells.
        !self.seen.contains(id) && self.seen.insert(id.to_owned())
    }
}

/// What the survey learns of all files' payments in file order.
struct Order {
    in_order: bool,
    last: Option<NaiveDate>,
    newest_fresh: Option<NaiveDate>,
    /// 64-bit hashes of the ids seen (8 bytes a payment), file after file: a repeat within
    /// one file (or, once in 2^64, a collision) sends the run the whole-file way, whose parser
    /// renames a repeat within a file (`X#2`); a repeat across files is a duplicate, told
    /// exactly by [`RunIds`].
    ids: Vec<u64>,
    /// Where each file's hashes start in `ids`.
    file_starts: Vec<usize>,
    /// A file read again whole after its stream adds its references again: a set.
    references: NamedReferences,
}

impl Default for Order {
    fn default() -> Order {
        Order {
            in_order: true,
            last: None,
            newest_fresh: None,
            ids: Vec::new(),
            file_starts: Vec::new(),
            references: NamedReferences::default(),
        }
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
        let id = stored_txid(&p.txid);
        // A payment recorded already is a duplicate, never matched: its date does not count.
        if !known.contains(id.as_str()) {
            if self.last.is_some_and(|last| p.date < last) {
                self.in_order = false;
            }
            self.last = Some(p.date);
            self.newest_fresh = self.newest_fresh.max(Some(p.date));
        }
        self.ids.push(id_hash(&id));
        for r in &p.references {
            self.references.add(r);
        }
    }

    /// The payments [`Order::see`] is given next are the next file's.
    fn next_file(&mut self) {
        self.file_starts.push(self.ids.len());
    }

    /// No id twice among any one file's payments; sorts each file's hashes.
    fn distinct_in_each_file(&mut self) -> bool {
        let mut distinct = true;
        for (i, &start) in self.file_starts.iter().enumerate() {
            let end = self.file_starts.get(i + 1).copied().unwrap_or(self.ids.len());
            let file = &mut self.ids[start..end];
            file.sort_unstable();
            distinct &= file.windows(2).all(|w| w[0] != w[1]);
        }
        distinct
    }

    /// The hashes that come more than once, sorted; lets the others go.
    fn repeated(&mut self) -> Vec<u64> {
        let mut ids = std::mem::take(&mut self.ids);
        ids.sort_unstable();
        let mut repeated: Vec<u64> = ids.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
        repeated.dedup();
        repeated
    }
}

fn read_one(
    path: &Path,
    name: &str,
    config: Option<&CsvImportConfig>,
    known: &HashSet<&str>,
    order: &mut Order,
) -> std::io::Result<Result<BankInput, Vec<BankError>>> {
    order.next_file();
    if let Some(input) = survey_camt(path, name, known, order)? {
        return Ok(Ok(input));
    }
    if let Some(format) = streamed_format(path, name)? {
        let mark = order.mark();
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
        let read = stream_payments(path, format, &framing, config, &mut emit)?;
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
        order.back_to(mark);
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

/// The file's format if it is one read as a stream, by its start as `bank::detect_format` tells
/// it from the whole file: BgMax and Nets OCR by their first bytes; KTL (tried next) by its
/// first two records, which the start holds whole when it has a line end (without one in the
/// start of a longer file, a line end further on would make the first record too long for KTL);
/// camt (next) by its first character; CSV by the name or its first 4 KiB. A longer file whose
/// start does not tell is read whole.
fn streamed_format(path: &Path, name: &str) -> std::io::Result<Option<BankFormat>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD as usize);
    std::fs::File::open(path)?.take(HEAD).read_to_end(&mut head)?;
    let whole = (head.len() as u64) < HEAD;
    Ok(match bank::detect_format(&head, name) {
        Some(f @ (BankFormat::BgMax | BankFormat::NetsOcr)) => Some(f),
        Some(BankFormat::Ktl) if whole || memchr::memchr2(b'\n', b'\r', &head).is_some() => {
            Some(BankFormat::Ktl)
        }
        Some(BankFormat::Csv)
            if whole || head.get(3..).is_some_and(|h| h.iter().any(|b| !b.is_ascii_whitespace())) =>
        {
            Some(BankFormat::Csv)
        }
        _ => None,
    })
}

/// How a file of a streamed format is cut into records (a CSV file: only its length and hash).
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
    config: Option<&CsvImportConfig>,
    emit: &mut dyn FnMut(BankPayment),
) -> std::io::Result<Result<BankFile, Vec<BankError>>> {
    let open = || std::fs::File::open(path);
    match format {
        BankFormat::Csv => bank::stream_bank_csv(&open, config.unwrap_or(&CsvImportConfig::default()), emit),
        BankFormat::NetsOcr => bank::stream_nets_ocr(open()?, framing, emit),
        BankFormat::BgMax => bank::stream_bgmax(&open, framing, emit),
        BankFormat::Ktl => bank::stream_ktl(&open, framing, emit),
        other => Err(std::io::Error::other(format!("{other:?} files are not read as a stream"))),
    }
}

impl BankInput {
    /// Its payments in file order, each to `each`; a streamed file is read again, and must be
    /// the file the survey read.
    pub fn for_each_payment(
        &self,
        config: Option<&CsvImportConfig>,
        each: &mut dyn FnMut(BankPayment) -> Result<()>,
    ) -> Result<()> {
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
        let read = stream_payments(&self.path, self.file.format, &framing, config, &mut emit)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn payment(id: &str, day: u32) -> BankPayment {
        BankPayment {
            txid: id.to_owned(),
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            amount: rust_decimal::Decimal::ONE,
            currency: None,
            references: Vec::new(),
            reference_amounts: Vec::new(),
            message: None,
            payer: None,
            location: String::new(),
        }
    }

    /// What the survey learns of files with these ids (one slice a file, dated in order).
    fn surveyed(files: &[&[&str]], known: &[&str]) -> (bool, Vec<u64>, Option<NaiveDate>) {
        let known: HashSet<&str> = known.iter().copied().collect();
        let mut order = Order::default();
        let mut day = 1;
        for ids in files {
            order.next_file();
            for id in *ids {
                order.see(&payment(id, day), &known);
                day += 1;
            }
        }
        (order.distinct_in_each_file(), order.repeated(), order.newest_fresh)
    }

    /// Two overlapping statements imported together stream (before, any id twice in the run
    /// read every file whole); an id twice in one file still goes the whole-file way, whose
    /// parser renames it `X#2`.
    #[test]
    fn an_id_in_two_files_streams_an_id_twice_in_one_file_does_not() {
        let (distinct, repeated, newest) = surveyed(&[&["A", "B", "C"], &["B", "C", "D"]], &["Z"]);
        assert!(distinct);
        let mut expected = vec![id_hash("B"), id_hash("C")];
        expected.sort_unstable();
        assert_eq!(repeated, expected);
        assert_eq!(newest, NaiveDate::from_ymd_opt(2026, 11, 6));

        let (distinct, repeated, _) = surveyed(&[&["A", "B", "A"], &["D"]], &[]);
        assert!(!distinct);
        assert_eq!(repeated, [id_hash("A")]);
        let (distinct, repeated, _) = surveyed(&[&["A", "B"], &["C", "D", "D"]], &[]);
        assert!(!distinct);
        assert_eq!(repeated, [id_hash("D")]);

        let (distinct, repeated, _) = surveyed(&[&["A", "B"], &["C"]], &[]);
        assert!(distinct && repeated.is_empty());
    }

    /// A recorded payment is a duplicate and never matched: one dated before the others does
    /// not make the run out of date order, nor does its date count as the newest.
    #[test]
    fn a_recorded_payment_out_of_date_order_keeps_the_run_in_order() {
        let known: HashSet<&str> = ["OLD", "LATE"].into_iter().collect();
        let mut order = Order::default();
        order.next_file();
        order.see(&payment("A", 5), &known);
        order.see(&payment("OLD", 1), &known);
        order.see(&payment("B", 6), &known);
        order.see(&payment("LATE", 9), &known);
        assert!(order.in_order);
        assert_eq!(order.newest_fresh, NaiveDate::from_ymd_opt(2026, 11, 6));
        order.see(&payment("C", 2), &known);
        assert!(!order.in_order);
    }

    /// A hash every id shares: each id is still a first exactly when a set of the whole text
    /// says so.
    #[test]
    fn a_shared_hash_never_makes_a_new_id_a_duplicate() {
        let mut run = RunIds::with_hash(&[7], |_| 7);
        let firsts: Vec<bool> = ["A", "B", "A", "C", "B"].iter().map(|id| run.first(id)).collect();
        assert_eq!(firsts, [true, true, false, true, false]);
    }

    proptest! {
        /// With a hash of few values (collisions everywhere) or the real one, [`RunIds::first`]
        /// agrees with a set of every id of the run, given the repeated hashes the survey
        /// finds.
        #[test]
        fn run_ids_tell_firsts_as_a_set_of_every_id_does(
            ids in proptest::collection::vec("[a-e]{1,3}", 0..60),
            weak in any::<bool>(),
        ) {
            let hash: fn(&str) -> u64 = if weak { |s| s.len() as u64 } else { id_hash };
            let mut hashes: Vec<u64> = ids.iter().map(|id| hash(id)).collect();
            hashes.sort_unstable();
            let mut repeated: Vec<u64> = hashes.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
            repeated.dedup();
            let mut run = RunIds::with_hash(&repeated, hash);
            let mut every: HashSet<&str> = HashSet::new();
            for id in &ids {
                prop_assert_eq!(run.first(id), every.insert(id.as_str()), "{}", id);
            }
        }
    }
}
