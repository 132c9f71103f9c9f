//! Bytes in: reading a CSV file in record-aligned chunks, the BOM, the encoding, the delimiter,
//! and the header. Everything a dialect needs is decided here once, so the parsers only see
//! fields.
//!
//! Large files are read in blocks and parsed on every core: the reading thread cuts each block
//! after its last complete record (quote-aware, so a newline inside a quoted field never splits
//! a record) and hands it to a worker with its first line number. A file of one block or less
//! is parsed on the calling thread: it is one chunk, so workers would have nothing to share.
//!
//! A record that is not a record of the file is damage, reported at its line and never
//! visited: more or fewer fields than the header has columns (trailing empty fields and
//! empty-named trailing columns aside), a quote never closed (at the line it opened), a byte
//! order mark starting a line. A byte order mark at the edge of a value is no part of it. CR-only line ends are read as line ends; a header line is read
//! whole however long.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context, Result};

use crate::core::finding::{Finding, summarize};

/// How a file's bytes become text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// What Excel writes in the Nordics. Every byte is a character, so decoding never fails.
    Windows1252,
}

const BLOCK: usize = 1 << 20;
/// The most one record may hold (issue 10): a quote never closed near the top of a large file
/// would otherwise make the rest of the file one value, read whole into memory before the error.
/// Far above any real record (a header of many columns, a note of many lines).
const MAX_RECORD: usize = 16 << 20;

/// A header mapped to canonical column names: `index[c]` is the position of column `c`.
#[derive(Clone, Debug)]
pub struct Header {
    /// The names normalised ([`normalize_header`]).
    pub names: Vec<String>,
    /// The names as written (decoded and trimmed), for messages and header keys.
    pub raw: Vec<String>,
    pub index: Vec<Option<usize>>,
}

/// What the policy fixes about a file's dialect; the rest is sniffed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: Option<u8>,
    pub encoding: Option<Encoding>,
}

/// The text of one record's fields, decoded, without allocating per row.
pub struct Fields<'a> {
    /// The record's text when it is UTF-8 (validated once per chunk or record, not per field).
    text: &'a str,
    bounds: &'a [(usize, usize)],
    decoded: &'a [String],
    encoding: Encoding,
    pub line: u64,
}

impl<'a> Fields<'a> {
    /// The field at a header position, trimmed; `""` when the column is absent or short.
    pub fn get(&self, column: Option<usize>) -> &'a str {
        let Some(i) = column else { return "" };
        let raw = match self.encoding {
            Encoding::Utf8 => self.bounds.get(i).and_then(|&(a, b)| self.text.get(a..b)).unwrap_or(""),
            Encoding::Windows1252 => self.decoded.get(i).map_or("", String::as_str),
        };
        trim(raw)
    }

    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        (0..self.bounds.len()).all(|i| self.get(Some(i)).is_empty())
    }
}

/// `str::trim`, with a fast exit for the common field that has nothing to trim.
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&b)) if a > b' ' && a < 0x80 && b > b' ' && b < 0x80 => s,
        _ => s.trim(),
    }
}

/// A CSV file about to be read: its name for messages, its dialect, its mapped header.
pub struct CsvSource {
    pub path: PathBuf,
    pub display: String,
    pub delimiter: u8,
    pub encoding: Encoding,
    pub header: Header,
    /// A BOM or non-ASCII UTF-8 in the header: the file is UTF-8, and invalid bytes later on
    /// are an error rather than a reason to switch to Windows-1252.
    known_utf8: bool,
    /// Line number of the first data line (1-based; the header is line 1).
    first_line: u64,
    /// The fewest fields a record may have: the header's columns up to its last named one,
    /// less the columns that may be missing at the end ([`CsvSource::allow_missing_at_end`]).
    min_fields: usize,
    rest: Option<Box<dyn Read + Send>>,
    pending: Vec<u8>,
}

/// Opens a file to read, refusing what is not a regular file: a FIFO or a device would block
/// or never end (and, read under the ledger lock, stop every later run), a directory is a
/// mistake.
pub fn open_regular(path: &Path, display: &str) -> Result<File> {
    ensure_regular(path, display)?;
    File::open(path).with_context(|| format!("{display}: cannot open {}", path.display()))
}

/// An error unless `path` is missing or a regular file (a symlink to one is fine).
pub fn ensure_regular(path: &Path, display: &str) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            let what =
                if m.is_dir() { "a directory" } else { "not a regular file (a pipe, socket or device)" };
            anyhow::bail!("{display}: {} is {what}; dun reads only regular files", path.display())
        }
        _ => Ok(()),
    }
}

/// Why a file's columns could not be mapped.
#[derive(Debug)]
pub struct HeaderError(pub String);

impl CsvSource {
    /// Opens `path`, reads its header and maps it with `map_header`, which turns the
    /// normalised header names into column positions (or says what is missing).
    pub fn open(
        path: &Path,
        display: &str,
        map_header: impl FnOnce(&[String]) -> std::result::Result<Vec<Option<usize>>, String>,
    ) -> Result<CsvSource> {
        CsvSource::open_with(path, display, Dialect::default(), |raw| {
            let names: Vec<String> = raw.iter().map(|n| normalize_header(n)).collect();
            map_header(&names)
        })
    }

    /// [`CsvSource::open`] with the delimiter or encoding the policy fixes, and `map_header`
    /// given the header names as written.
    pub fn open_with(
        path: &Path,
        display: &str,
        dialect: Dialect,
        map_header: impl FnOnce(&[String]) -> std::result::Result<Vec<Option<usize>>, String>,
    ) -> Result<CsvSource> {
        let file = open_regular(path, display)?;
        CsvSource::from_reader(Box::new(file), path, display, dialect, map_header)
    }

    /// [`CsvSource::open_with`] for bytes that come from somewhere else than one whole file
    /// (the journal as committed: see `io::commit`).
    pub fn from_reader(
        mut file: Box<dyn Read + Send>,
        path: &Path,
        display: &str,
        dialect: Dialect,
        map_header: impl FnOnce(&[String]) -> std::result::Result<Vec<Option<usize>>, String>,
    ) -> Result<CsvSource> {
        let mut head = Vec::with_capacity(BLOCK);
        (&mut file)
            .take(BLOCK as u64)
            .read_to_end(&mut head)
            .with_context(|| format!("{display}: cannot read"))?;
        if memchr::memchr(b'\n', &head).is_none() && memchr::memchr(b'\r', &head).is_some() {
            // Old Mac line ends (CR only, as Excel for Mac's "CSV (Macintosh)" writes): read
            // as line ends. A CR-only file has no LF, so turning every CR into one is exact.
            cr_to_lf(&mut head);
            file = Box::new(CrAsLf(file));
        }
        let had_bom = head.starts_with(b"\xEF\xBB\xBF");
        if had_bom {
            head.drain(..3);
        }
        // A header longer than a block is read on until it ends, never split into a header
        // and a first record. Each read doubles what is held, so scanning stays linear.
        let header_end = loop {
            if let Some(end) = record_end(&head) {
                break end;
            }
            let more = head.len().max(BLOCK) as u64;
            let read = (&mut file)
                .take(more)
                .read_to_end(&mut head)
                .with_context(|| format!("{display}: cannot read"))?;
            if read == 0 {
                break head.len();
            }
        };
        let header_bytes = head[..header_end].to_vec();
        let encoding = match (dialect.encoding, std::str::from_utf8(&header_bytes)) {
            (Some(forced), _) => forced,
            (None, Ok(_)) => Encoding::Utf8,
            (None, Err(_)) => Encoding::Windows1252,
        };
        if dialect.encoding == Some(Encoding::Utf8) && std::str::from_utf8(&header_bytes).is_err() {
            anyhow::bail!("{display}:1: invalid UTF-8, and policy.toml says the file is UTF-8");
        }
        let delimiter = dialect.delimiter.unwrap_or_else(|| sniff_delimiter(&header_bytes));
        let raw = read_header(&header_bytes, delimiter, encoding);
        if raw.iter().all(|n| n.is_empty()) {
            anyhow::bail!("{display}:1: the file is empty or has no header line");
        }
        let names: Vec<String> = raw.iter().map(|n| normalize_header(n)).collect();
        let index = map_header(&raw).map_err(|e| anyhow::anyhow!("{display}:1: {e}"))?;
        let newlines_in_header = memchr::memchr_iter(b'\n', &header_bytes).count() as u64;
        let min_fields = min_fields(&raw);
        head.drain(..header_end);
        Ok(CsvSource {
            path: path.to_owned(),
            display: display.to_owned(),
            delimiter,
            encoding,
            header: Header { names, raw, index },
            // A forced encoding is never switched: UTF-8 stays UTF-8 (invalid bytes are an
            // error), Windows-1252 never becomes UTF-8.
            known_utf8: encoding == Encoding::Utf8
                && (had_bom || !header_bytes.is_ascii() || dialect.encoding.is_some()),
            first_line: 1 + newlines_in_header,
            min_fields,
            rest: Some(file),
            pending: head,
        })
    }

    /// Lets records stop before the header's columns at `positions` when these are the last
    /// ones (with empty-named columns among them): the columns `dun import` adds to a
    /// payments.csv header, which the lines written before them lack.
    pub fn allow_missing_at_end(&mut self, positions: &[usize]) {
        let raw = &self.header.raw;
        while self.min_fields > 0 && {
            let at = self.min_fields - 1;
            positions.contains(&at) || raw.get(at).is_none_or(String::is_empty)
        } {
            self.min_fields -= 1;
        }
    }

    /// Parses every record, in parallel for large files, with one `State` per worker.
    /// `visit` sees each record's fields; empty lines are skipped. Returns the states in
    /// file order (the order of the chunks each worker happened to take is not kept, so
    /// states must be merged order-independently). A damaged record (see
    /// [`CsvSource::scan_damaged`]) makes the file an error.
    pub fn scan<State: Send>(
        self,
        new_state: impl Fn() -> State + Sync,
        visit: impl Fn(&mut State, &Fields<'_>) + Sync,
    ) -> Result<Vec<State>> {
        let (states, mut damaged) = self.scan_damaged(new_state, visit)?;
        if !damaged.is_empty() {
            anyhow::bail!("{}", summarize(&mut damaged));
        }
        Ok(states)
    }

    /// [`CsvSource::scan`], returning the damaged records beside the states, for readers that
    /// report them with the errors they find in fields: records that are not records of the
    /// file (more or fewer fields than the header has columns, a quote never closed, a byte
    /// order mark in the middle). Their fields are not visited.
    pub fn scan_damaged<State: Send>(
        mut self,
        new_state: impl Fn() -> State + Sync,
        visit: impl Fn(&mut State, &Fields<'_>) + Sync,
    ) -> Result<(Vec<State>, Vec<Finding>)> {
        let mut chunks = ChunkReader::new(
            self.rest.take(),
            std::mem::take(&mut self.pending),
            self.first_line,
            self.delimiter,
        );
        let delimiter = self.delimiter;
        let shape = Shape { names: &self.header.raw, min_fields: self.min_fields };
        let shape = &shape;
        let display = &self.display;
        let mut decoder = ChunkDecoder { encoding: self.encoding, saw_non_ascii_utf8: self.known_utf8 };
        let size = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        let progress = super::progress::reading(display, size);
        let first = chunks.next();
        if chunks.is_done() {
            // The whole file was one chunk (under a block, as most customers.csv and many
            // ledgers are): parsed here, since workers could share nothing and starting them
            // costs more than parsing a small file.
            let mut state = new_state();
            let mut parser = ChunkParser::new(display, delimiter, shape);
            if let Some(chunk) = first {
                let chunk = decoder.decode(chunk.map_err(|e| read_error(e, display))?, display)?;
                progress.advance(chunk.bytes().len() as u64);
                parser.parse(&chunk, &mut state, &visit);
            }
            return Ok((vec![state], parser.damaged));
        }
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        let (tx, rx) = mpsc::sync_channel::<Chunk>(workers);
        let rx = std::sync::Mutex::new(rx);
        std::thread::scope(|scope| -> Result<(Vec<State>, Vec<Finding>)> {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let rx = &rx;
                    let new_state = &new_state;
                    let visit = &visit;
                    scope.spawn(move || {
                        let mut state = new_state();
                        let mut parser = ChunkParser::new(display, delimiter, shape);
                        loop {
                            let next = rx.lock().map(|r| r.recv());
                            let Ok(Ok(chunk)) = next else { break };
                            parser.parse(&chunk, &mut state, visit);
                        }
                        (state, parser.damaged)
                    })
                })
                .collect();
            let mut failure = None;
            for chunk in first.into_iter().chain(chunks) {
                let chunk = match chunk
                    .map_err(|e| read_error(e, display))
                    .and_then(|c| decoder.decode(c, display))
                {
                    Ok(c) => c,
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                };
                progress.advance(chunk.bytes().len() as u64);
                if tx.send(chunk).is_err() {
                    break;
                }
            }
            drop(tx);
            let mut damaged = Vec::new();
            let states: Vec<State> = handles
                .into_iter()
                .map(|h| {
                    let (state, d) = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                    damaged.extend(d);
                    state
                })
                .collect();
            match failure {
                Some(e) => Err(e),
                None => Ok((states, damaged)),
            }
        })
    }
}

fn read_error(e: std::io::Error, display: &str) -> anyhow::Error {
    if let Some(too_long) = e.get_ref().and_then(|inner| inner.downcast_ref::<RecordTooLong>()) {
        return anyhow::anyhow!("{display}:{too_long}");
    }
    anyhow::Error::new(e).context(format!("{display}: cannot read"))
}

/// Decides each chunk's encoding in file order, on the reading thread: UTF-8 until a chunk is
/// not, then Windows-1252 — unless earlier chunks were UTF-8 with non-ASCII text.
struct ChunkDecoder {
    encoding: Encoding,
    saw_non_ascii_utf8: bool,
}

impl ChunkDecoder {
    fn decode(&mut self, mut chunk: Chunk, display: &str) -> Result<Chunk> {
        if self.encoding == Encoding::Utf8 {
            // Validated once, here, and handed on as text: the parser slices it as is.
            match String::from_utf8(std::mem::take(&mut chunk.bytes)) {
                Ok(text) => {
                    self.saw_non_ascii_utf8 |= !text.is_ascii();
                    chunk.text = text;
                }
                Err(e) if !self.saw_non_ascii_utf8 => {
                    chunk.bytes = e.into_bytes();
                    self.encoding = Encoding::Windows1252;
                }
                Err(e) => {
                    // Earlier lines were decoded as UTF-8 text that was not ASCII: the file
                    // mixes encodings, and any choice now would be a guess.
                    let valid = e.utf8_error().valid_up_to();
                    let bytes = e.into_bytes();
                    let bad_line =
                        chunk.first_line + memchr::memchr_iter(b'\n', &bytes[..valid]).count() as u64;
                    anyhow::bail!(
                        "{display}:{bad_line}: invalid UTF-8, although earlier lines are UTF-8 with non-ASCII text; save the file as UTF-8 (or all of it as Windows-1252)"
                    );
                }
            }
        }
        chunk.encoding = self.encoding;
        Ok(chunk)
    }
}

struct Chunk {
    /// The chunk's bytes, unless they were valid UTF-8 and moved to `text`.
    bytes: Vec<u8>,
    text: String,
    first_line: u64,
    encoding: Encoding,
}

impl Chunk {
    fn bytes(&self) -> &[u8] {
        if self.bytes.is_empty() { self.text.as_bytes() } else { &self.bytes }
    }
}

/// Yields record-aligned chunks of a file, each with the line number it starts on.
struct ChunkReader {
    file: Option<Box<dyn Read + Send>>,
    carry: Vec<u8>,
    next_line: u64,
    delimiter: u8,
    /// [`MAX_RECORD`]; smaller in tests.
    max_record: usize,
}

/// A record past [`MAX_RECORD`]: where it starts (or its quote opened) and what is wrong.
#[derive(Debug)]
struct RecordTooLong {
    line: u64,
    what: String,
}

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.line, self.what)
    }
}

impl std::error::Error for RecordTooLong {}

impl ChunkReader {
    fn new(
        file: Option<Box<dyn Read + Send>>,
        carry: Vec<u8>,
        first_line: u64,
        delimiter: u8,
    ) -> ChunkReader {
        ChunkReader { file, carry, next_line: first_line, delimiter, max_record: MAX_RECORD }
    }

    /// The error for a record past `max_record` bytes, which `carry` starts with; the reader
    /// stops there, holding nothing.
    fn record_too_long(&mut self) -> std::io::Error {
        let mib = self.max_record >> 20;
        let (line, what) = match open_quote(&self.carry, 0, self.delimiter) {
            Some(at) => (
                self.next_line + memchr::memchr_iter(b'\n', &self.carry[..at]).count() as u64,
                format!(
                    "a quote opens a value here and is not closed within {mib} MiB (the rest of the file would be one value); close the quote or delete it"
                ),
            ),
            None => (self.next_line, format!("a line longer than {mib} MiB: is this a CSV file?")),
        };
        self.file = None;
        self.carry = Vec::new();
        std::io::Error::new(std::io::ErrorKind::InvalidData, RecordTooLong { line, what })
    }

    fn fill(&mut self) -> std::io::Result<bool> {
        self.fill_by(BLOCK)
    }

    /// Whether every byte of the file has been handed out as a chunk.
    fn is_done(&self) -> bool {
        self.file.is_none() && self.carry.is_empty()
    }

    /// Reads up to `amount` more bytes; whether any came.
    fn fill_by(&mut self, amount: usize) -> std::io::Result<bool> {
        let Some(file) = self.file.as_mut() else { return Ok(false) };
        let start = self.carry.len();
        self.carry.reserve(amount);
        let read = file.take(amount as u64).read_to_end(&mut self.carry)?;
        if read == 0 {
            self.file = None;
        }
        Ok(self.carry.len() > start)
    }
}

impl Iterator for ChunkReader {
    type Item = std::io::Result<Chunk>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.carry.len() >= BLOCK || self.file.is_none() {
                break;
            }
            match self.fill() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Some(Err(e)),
            }
        }
        if self.carry.is_empty() {
            return None;
        }
        let cut = if self.file.is_none() {
            self.carry.len()
        } else {
            match last_record_end(&self.carry, self.delimiter) {
                Some(end) => end,
                // A quote never closed, or no line end at all: an error, before the rest of a
                // large file is held.
                None if self.carry.len() >= self.max_record => return Some(Err(self.record_too_long())),
                // One record longer than a block: read on until it ends, doubling what is held
                // (up to `max_record`) so that rescanning it stays linear in all.
                None => match self.fill_by(self.carry.len().max(BLOCK).min(self.max_record)) {
                    Ok(_) => return self.next(),
                    Err(e) => return Some(Err(e)),
                },
            }
        };
        let rest = self.carry.split_off(cut);
        let bytes = std::mem::replace(&mut self.carry, rest);
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &bytes).count() as u64;
        Some(Ok(Chunk { bytes, text: String::new(), first_line, encoding: Encoding::Utf8 }))
    }
}

/// Where the record starting at `start` ends (the position of its `\n`, `None` when the bytes
/// end first) and how many line breaks lie inside its quoted fields. RFC 4180 as the csv crate
/// reads it: a quote opens a quoted field only at the start of a field (so `24" screen` is
/// text), `""` inside quotes is a quote, and a line break inside quotes belongs to the field.
/// `delimiter` `None` takes any of `,` `;` tab (for the header, before it is sniffed).
fn next_record_end(bytes: &[u8], start: usize, delimiter: Option<u8>) -> (Option<usize>, u64) {
    let field_start = |p: usize| {
        p == start
            || bytes[p - 1] == b'\n'
            || delimiter.map_or(matches!(bytes[p - 1], b',' | b';' | b'\t'), |d| bytes[p - 1] == d)
    };
    let (mut inside, mut newlines, mut i) = (false, 0u64, start);
    while let Some(off) = memchr::memchr2(b'"', b'\n', &bytes[i..]) {
        let p = i + off;
        i = p + 1;
        match (bytes[p], inside) {
            (b'\n', false) => return (Some(p), newlines),
            (b'\n', true) => newlines += 1,
            (_, true) if bytes.get(p + 1) == Some(&b'"') => i = p + 2,
            (_, true) => inside = false,
            (_, false) => inside = field_start(p),
        }
    }
    (None, newlines)
}

/// Where the quote opened that is still open when `bytes` end, reading the record that
/// starts at `start` as [`next_record_end`] does; `None` when no quote is open at the end.
fn open_quote(bytes: &[u8], start: usize, delimiter: u8) -> Option<usize> {
    let field_start = |p: usize| p == start || bytes[p - 1] == b'\n' || bytes[p - 1] == delimiter;
    let (mut opened, mut i) = (None, start);
    while let Some(off) = memchr::memchr(b'"', &bytes[i..]) {
        let p = i + off;
        i = p + 1;
        match opened {
            Some(_) if bytes.get(p + 1) == Some(&b'"') => i = p + 2,
            Some(_) => opened = None,
            None if field_start(p) => opened = Some(p),
            None => {}
        }
    }
    opened
}

/// A byte order mark (UTF-8).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Every CR of a CR-only file as a LF.
fn cr_to_lf(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
}

/// Reads a CR-only file as if its line ends were LF.
struct CrAsLf(Box<dyn Read + Send>);

impl Read for CrAsLf {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        cr_to_lf(&mut buf[..n]);
        Ok(n)
    }
}

/// The end (one past the `\n`) of the last complete record in `bytes`, which start a record.
fn last_record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
    if memchr::memchr(b'"', bytes).is_none() {
        return memchr::memrchr(b'\n', bytes).map(|nl| nl + 1);
    }
    let (mut last, mut pos) = (None, 0);
    while let (Some(nl), _) = next_record_end(bytes, pos, Some(delimiter)) {
        last = Some(nl + 1);
        pos = nl + 1;
    }
    last
}

/// The end of the first record (one past its `\n`).
fn record_end(bytes: &[u8]) -> Option<usize> {
    next_record_end(bytes, 0, None).0.map(|nl| nl + 1)
}

/// Picks `,` `;` or tab: whichever occurs most often outside quotes in the header line.
/// Nordic exports use `;` because `,` is their decimal separator, so `;` wins a tie.
pub fn sniff_delimiter(header: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut open = false;
    for &b in header {
        match b {
            b'"' => open = !open,
            b';' if !open => counts[0] += 1,
            b',' if !open => counts[1] += 1,
            b'\t' if !open => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b';', b',', b'\t'][best]
}

fn read_header(bytes: &[u8], delimiter: u8, encoding: Encoding) -> Vec<String> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).unwrap_or(false) {
        return Vec::new();
    }
    record
        .iter()
        .map(|f| decode(f, encoding).trim().trim_start_matches('\u{feff}').trim().to_owned())
        .collect()
}

pub fn decode(bytes: &[u8], encoding: Encoding) -> Cow<'_, str> {
    match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(bytes),
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// Header names match case-insensitively, ignoring surrounding spaces, with `_`, `-` and
/// space alike: `Due Date`, `due-date` and `DUE_DATE` are all `due_date`.
pub fn normalize_header(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect::<String>()
        .to_lowercase()
}

/// How many fields a record needs under a header of `names`: up to its last named column.
fn min_fields(names: &[String]) -> usize {
    names.iter().rposition(|n| !n.is_empty()).map_or(0, |last| last + 1)
}

/// What every record of a file must look like: as many fields as the header has columns.
/// Also used by the bank CSV reader (`io::bank::csv_export`), which has its own header search.
pub(crate) struct Shape<'a> {
    /// The header's names as written.
    names: &'a [String],
    /// See [`CsvSource::min_fields`].
    min_fields: usize,
}

impl<'a> Shape<'a> {
    /// The shape a header of `names` (as written) asks for: every column up to its last named
    /// one; empty-named columns after it (a trailing delimiter) may be missing.
    pub(crate) fn of_header(names: &'a [String]) -> Shape<'a> {
        Shape { names, min_fields: min_fields(names) }
    }

    /// Why a record of `count` fields (`empty_past(n)`: whether every field from `n` on is
    /// empty) does not fit the header, `None` when it does. More fields than columns are
    /// fine when the extra ones are empty (a trailing delimiter on every line), fewer when
    /// the missing columns may be missing (see [`CsvSource::min_fields`]).
    pub(crate) fn misfit(&self, count: usize, empty_past: impl Fn(usize) -> bool) -> Option<String> {
        let width = self.names.len();
        // Formatted only for a record that does not fit: this runs once per record.
        let columns = || format!("the header has {width} column{}", if width == 1 { "" } else { "s" });
        if count < self.min_fields {
            let missing: Vec<&str> = self.names[count..self.min_fields]
                .iter()
                .map(String::as_str)
                .filter(|n| !n.is_empty())
                .collect();
            let shown = missing.iter().take(6).copied().collect::<Vec<_>>().join(", ");
            let more = if missing.len() > 6 { ", ..." } else { "" };
            return Some(format!(
                "{count} field{} where {}; missing: {shown}{more} (write every column, empty where there is no value)",
                if count == 1 { "" } else { "s" },
                columns()
            ));
        }
        if count > width && !empty_past(width) {
            return Some(format!(
                "{count} fields where {}: a value past the last column (a delimiter inside a value that is not quoted?)",
                columns()
            ));
        }
        None
    }
}

/// Parses the chunks of one worker, reusing its buffers across records and chunks.
struct ChunkParser<'a> {
    /// The file's name for findings.
    file: &'a str,
    delimiter: u8,
    shape: &'a Shape<'a>,
    bounds: Vec<(usize, usize)>,
    decoded: Vec<String>,
    /// The unquoted text of the current quoted record.
    scratch: Vec<u8>,
    /// Records that are not records of the file: wrong number of fields, an open quote, a
    /// byte order mark in the middle. Their fields are not visited.
    damaged: Vec<Finding>,
    /// Whether the current chunk has a byte order mark anywhere (one search per chunk, so
    /// that fields are only looked at for one when there is one).
    bom_inside: bool,
}

impl<'a> ChunkParser<'a> {
    fn new(file: &'a str, delimiter: u8, shape: &'a Shape<'a>) -> ChunkParser<'a> {
        ChunkParser {
            file,
            delimiter,
            shape,
            bounds: Vec::new(),
            decoded: Vec::new(),
            scratch: Vec::new(),
            damaged: Vec::new(),
            bom_inside: false,
        }
    }

    fn damage(&mut self, line: u64, message: String) {
        self.damaged.push(Finding::error(self.file.to_owned(), line, "", "damaged-record", message));
    }

    /// Splits a chunk into records and fields. A line without a quote is a record whose fields
    /// lie between delimiters, sliced straight from the chunk (machine exports are almost all
    /// such lines); a record with quotes (a delimiter, quote or line break inside a field) is
    /// unquoted by RFC 4180 into a scratch buffer.
    fn parse<State>(&mut self, chunk: &Chunk, state: &mut State, visit: &impl Fn(&mut State, &Fields<'_>)) {
        let bytes = chunk.bytes();
        let text = chunk.text.as_str();
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut start = 0;
        let mut line = chunk.first_line;
        self.bom_inside = memchr::memmem::find(bytes, BOM).is_some();
        while start < bytes.len() {
            if bytes[start..].starts_with(BOM) {
                self.damage(
                    line,
                    "starts with a byte order mark (U+FEFF, the bytes EF BB BF), which belongs only at the start of a file: were two files joined? Delete it (some editors show it as ï»¿)".to_owned(),
                );
                let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
                line += 1;
                start = end + 1;
                continue;
            }
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            if memchr::memchr(b'"', &bytes[start..end]).is_none() {
                split_plain(bytes, start, trim_cr(bytes, start, end), self.delimiter, &mut self.bounds);
                self.emit(bytes, text, line, chunk.encoding, state, visit, 0);
                line += 1;
                start = end + 1;
                continue;
            }
            let (end, newlines) = next_record_end(bytes, start, Some(self.delimiter));
            if end.is_none()
                && let Some(open) = open_quote(bytes, start, self.delimiter)
            {
                let opened_on = line + memchr::memchr_iter(b'\n', &bytes[start..open]).count() as u64;
                self.damage(
                    opened_on,
                    "a quote opens a value here and is never closed (the file ends inside it); close the quote or delete it"
                        .to_owned(),
                );
                break;
            }
            let end = end.unwrap_or(bytes.len());
            unquote(
                &bytes[start..trim_cr(bytes, start, end)],
                self.delimiter,
                &mut scratch,
                &mut self.bounds,
            );
            // Unquoting removes only ASCII quotes from valid UTF-8, so this cannot fail.
            let record_text = text_of(&scratch, chunk.encoding);
            self.emit(&scratch, record_text, line, chunk.encoding, state, visit, newlines);
            line += newlines + 1;
            start = end + 1;
        }
        self.scratch = scratch;
    }

    #[allow(clippy::too_many_arguments)]
    fn emit<State>(
        &mut self,
        bytes: &[u8],
        text: &str,
        line: u64,
        encoding: Encoding,
        state: &mut State,
        visit: &impl Fn(&mut State, &Fields<'_>),
        newlines: u64,
    ) {
        if self.bom_inside {
            trim_boms(bytes, &mut self.bounds);
        }
        if encoding == Encoding::Windows1252 {
            self.decoded.resize_with(self.bounds.len(), String::new);
            for (buf, &(a, b)) in self.decoded.iter_mut().zip(&self.bounds) {
                buf.clear();
                buf.push_str(&decode(&bytes[a..b], Encoding::Windows1252));
            }
        }
        let fields = Fields { text, bounds: &self.bounds, decoded: &self.decoded, encoding, line };
        if fields.is_empty() {
            return;
        }
        let empty_past = |n: usize| (n..fields.len()).all(|i| fields.get(Some(i)).is_empty());
        match self.shape.misfit(fields.len(), empty_past) {
            None => visit(state, &fields),
            Some(why) => {
                let spans = if newlines > 0 {
                    format!(
                        " (a quoted value runs from here on to line {}: is a quote missing or one too many?)",
                        line + newlines
                    )
                } else {
                    String::new()
                };
                self.damage(line, format!("{why}{spans}"));
            }
        }
    }
}

/// Narrows each field past the byte order marks at its edges (and the blanks around them,
/// which [`Fields::get`] would trim anyway): a BOM pasted into a cell, or a quoted value that
/// starts with one, is no part of the value. `"\u{feff}C4"` is customer `C4`, never a customer
/// no invoice can name. At the bytes, so a Windows-1252 file (where it would read as `ï»¿`) is
/// treated the same. A BOM starting a line is damage instead (see [`ChunkParser::parse`]).
fn trim_boms(bytes: &[u8], bounds: &mut [(usize, usize)]) {
    for (start, end) in bounds.iter_mut() {
        loop {
            let field = &bytes[*start..*end];
            if field.starts_with(BOM) {
                *start += BOM.len();
            } else if field.first().is_some_and(u8::is_ascii_whitespace) {
                *start += 1;
            } else {
                break;
            }
        }
        loop {
            let field = &bytes[*start..*end];
            if field.ends_with(BOM) {
                *end -= BOM.len();
            } else if field.last().is_some_and(u8::is_ascii_whitespace) {
                *end -= 1;
            } else {
                break;
            }
        }
    }
}

/// `end`, less a `\r` just before it (CRLF line ends).
fn trim_cr(bytes: &[u8], start: usize, end: usize) -> usize {
    if end > start && bytes[end - 1] == b'\r' { end - 1 } else { end }
}

/// The fields of an unquoted line `bytes[start..stop]`, as positions in `bytes`.
fn split_plain(bytes: &[u8], start: usize, stop: usize, delimiter: u8, bounds: &mut Vec<(usize, usize)>) {
    bounds.clear();
    let mut field_start = start;
    for i in memchr::memchr_iter(delimiter, &bytes[start..stop]) {
        bounds.push((field_start, start + i));
        field_start = start + i + 1;
    }
    bounds.push((field_start, stop));
}

/// RFC 4180 fields of one record, unquoted into `out` (`""` inside quotes is one quote; a
/// quote opens quoting only at the start of a field, as the csv crate reads it).
fn unquote(record: &[u8], delimiter: u8, out: &mut Vec<u8>, bounds: &mut Vec<(usize, usize)>) {
    out.clear();
    bounds.clear();
    let n = record.len();
    let mut i = 0;
    loop {
        let field_start = out.len();
        if record.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match memchr::memchr(b'"', &record[i..]) {
                    None => {
                        out.extend_from_slice(&record[i..]);
                        i = n;
                        break;
                    }
                    Some(j) => {
                        out.extend_from_slice(&record[i..i + j]);
                        i += j + 1;
                        if record.get(i) == Some(&b'"') {
                            out.push(b'"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        let k = memchr::memchr(delimiter, &record[i..]).map_or(n, |j| i + j);
        out.extend_from_slice(&record[i..k]);
        bounds.push((field_start, out.len()));
        if k >= n {
            break;
        }
        i = k + 1;
        if i == n {
            bounds.push((out.len(), out.len()));
            break;
        }
    }
}

/// The UTF-8 text of a chunk or record; empty for Windows-1252, whose fields are decoded one
/// by one. The reader thread has checked that UTF-8 chunks are valid.
fn text_of(bytes: &[u8], encoding: Encoding) -> &str {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).unwrap_or(""),
        Encoding::Windows1252 => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(record: &[u8]) -> Vec<Vec<u8>> {
        let (mut out, mut bounds) = (Vec::new(), Vec::new());
        unquote(record, b',', &mut out, &mut bounds);
        bounds.iter().map(|&(a, b)| out[a..b].to_vec()).collect()
    }

    fn theirs(record: &[u8]) -> Vec<Vec<u8>> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(record);
        let mut r = csv::ByteRecord::new();
        reader.read_byte_record(&mut r).unwrap();
        r.iter().map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn unquotes_like_the_csv_crate() {
        for record in [
            &b"a,b,c"[..],
            b"\"a,b\",c",
            b"\"a \"\"quoted\"\" word\",x",
            b"\"multi\nline\",y",
            b"a,,",
            b"\"\",\"\"",
            b"ab\"c\"d,e",
            b"\"open",
            b"\"x\"y,z",
        ] {
            assert_eq!(ours(record), theirs(record), "{:?}", String::from_utf8_lossy(record));
        }
    }

    proptest::proptest! {
        /// Any record written by an RFC 4180 writer reads back to its fields.
        #[test]
        fn unquote_reads_what_a_writer_wrote(fields in proptest::collection::vec("[a-c,\"\n ;]{0,6}", 1..6)) {
            let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
            w.write_record(&fields).unwrap();
            let mut bytes = w.into_inner().unwrap();
            bytes.pop();
            let got: Vec<String> = ours(&bytes).into_iter().map(|f| String::from_utf8(f).unwrap()).collect();
            proptest::prop_assert_eq!(got, fields);
        }
    }

    #[test]
    fn sniffs_the_delimiter_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a;b;c\r\n"), b';');
        assert_eq!(sniff_delimiter(b"a,b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a,b,c\";d;e\n"), b';');
        assert_eq!(sniff_delimiter(b"one"), b';');
    }

    #[test]
    fn cuts_after_the_last_complete_record() {
        let bytes = b"a,b\n\"x\ny\",z\nq,\"r\n";
        // The last newline is inside an open quote; the one before it ends a record.
        assert_eq!(last_record_end(bytes, b','), Some(12));
        assert_eq!(last_record_end(b"no newline", b','), None);
        assert_eq!(record_end(b"\"a\nb\",c\nd"), Some(8));
        // A quote inside a field is text: it opens nothing, and the line ends the record.
        assert_eq!(last_record_end(b"1,24\" screen,x\n2,y\n3,\"z", b','), Some(19));
        assert_eq!(next_record_end(b"1,24\" screen\n2", 0, Some(b',')), (Some(12), 0));
        assert_eq!(next_record_end(b"\"a\"\"\nb\",c\nd", 0, Some(b',')), (Some(9), 1));
    }

    /// Regression: with CRLF line ends and a quote in the chunk, every record after the first
    /// was reported one line too early (Excel's exports are CRLF, and quote names like
    /// `"Restaurang ""Gamla Kvarnen"" AB"`).
    #[test]
    fn quoted_crlf_records_keep_their_line_numbers() {
        let bytes = b"a;\"b\"\r\nc;d\r\n\r\n\"e\r\nf\";g\r\nh;i\r\n".to_vec();
        let chunk = Chunk {
            bytes: Vec::new(),
            text: String::from_utf8(bytes).unwrap(),
            first_line: 2,
            encoding: Encoding::Utf8,
        };
        let names = ["x".to_owned(), "y".to_owned()];
        let shape = Shape { names: &names, min_fields: 2 };
        let mut parser = ChunkParser::new("t.csv", b';', &shape);
        let mut seen: Vec<(u64, String)> = Vec::new();
        parser.parse(&chunk, &mut seen, &|seen: &mut Vec<(u64, String)>, f: &Fields<'_>| {
            seen.push((f.line, f.get(Some(0)).to_owned()))
        });
        let lines: Vec<(u64, &str)> = seen.iter().map(|(l, t)| (*l, t.as_str())).collect();
        assert_eq!(lines, vec![(2, "a"), (3, "c"), (5, "e\r\nf"), (7, "h")]);
    }

    /// Scans `body` under an `id,name` header: the (line, id) of every record, the lines of
    /// the damaged ones, and whether every record was visited on the calling thread.
    fn scan_ids(body: &str) -> (Vec<(u64, String)>, Vec<u64>, bool) {
        let bytes = format!("id,name\n{body}").into_bytes();
        let source = CsvSource::from_reader(
            Box::new(std::io::Cursor::new(bytes)),
            Path::new("c.csv"),
            "c.csv",
            Dialect::default(),
            |_| Ok(vec![Some(0), Some(1)]),
        )
        .unwrap();
        let caller = std::thread::current().id();
        let (states, damaged) = source
            .scan_damaged(
                || (Vec::new(), true),
                |(seen, here): &mut (Vec<(u64, String)>, bool), fields| {
                    seen.push((fields.line, fields.get(Some(0)).to_owned()));
                    *here &= std::thread::current().id() == caller;
                },
            )
            .unwrap();
        let on_caller = states.iter().all(|(_, here)| *here);
        let mut seen: Vec<_> = states.into_iter().flat_map(|(s, _)| s).collect();
        seen.sort();
        let mut damaged: Vec<u64> = damaged.iter().map(|f| f.line).collect();
        damaged.sort();
        (seen, damaged, on_caller)
    }

    #[test]
    fn one_block_is_scanned_on_the_calling_thread_and_reads_as_many_blocks_do() {
        // Line 3 is short (damaged), line 4 non-ASCII UTF-8; the rest `N,name N`.
        let body = |rows: u64| {
            let mut text = String::new();
            for n in 2..rows + 2 {
                match n {
                    3 => text.push_str("3\n"),
                    4 => text.push_str("4,Åsa Öberg\n"),
                    _ => text.push_str(&format!("{n},name {n}\n")),
                }
            }
            text
        };
        let expected = |rows: u64| -> Vec<(u64, String)> {
            (2..rows + 2).filter(|&n| n != 3).map(|n| (n, n.to_string())).collect()
        };
        let (seen, damaged, on_caller) = scan_ids(&body(100));
        assert_eq!((seen, damaged), (expected(100), vec![3]));
        assert!(on_caller, "a small file starts no worker");
        // About 2.5 blocks: several chunks, parsed by workers, read the same.
        let rows = 150_000;
        assert!(body(rows).len() > 2 * BLOCK);
        let (seen, damaged, on_caller) = scan_ids(&body(rows));
        assert_eq!((seen, damaged), (expected(rows), vec![3]));
        assert!(!on_caller, "a large file is parsed by workers");
        // An empty body: no record, no damage, no worker.
        assert_eq!(scan_ids(""), (vec![], vec![], true));
    }

    #[test]
    fn byte_order_marks_at_the_edges_of_a_value_are_no_part_of_it() {
        let bytes = "\u{feff}C3| \u{feff}Cirkel AB\u{feff} |Ek\u{feff}Dal|\u{feff}|x".as_bytes();
        let mut bounds = Vec::new();
        split_plain(bytes, 0, bytes.len(), b'|', &mut bounds);
        trim_boms(bytes, &mut bounds);
        let values: Vec<&str> =
            bounds.iter().map(|&(a, b)| std::str::from_utf8(&bytes[a..b]).unwrap()).collect();
        // Inside a value it is a character of the value (and never the start of a line here).
        assert_eq!(values, ["C3", "Cirkel AB", "Ek\u{feff}Dal", "", "x"]);
    }

    #[test]
    fn a_record_fits_the_header_or_says_why() {
        let names: Vec<String> = ["id", "name", "email", ""].map(str::to_owned).to_vec();
        let shape = Shape { names: &names, min_fields: 3 };
        // Every column, or all but the empty-named last one.
        assert_eq!(shape.misfit(4, |_| true), None);
        assert_eq!(shape.misfit(3, |_| true), None);
        // Extra fields are fine only when empty (a trailing delimiter).
        assert_eq!(shape.misfit(5, |_| true), None);
        assert!(shape.misfit(5, |_| false).unwrap().starts_with("5 fields where the header has 4 columns"));
        let short = shape.misfit(1, |_| true).unwrap();
        assert!(
            short.starts_with("1 field where the header has 4 columns; missing: name, email ("),
            "{short}"
        );
    }

    /// Rows of `row` without end (up to `limit` bytes), after `head`, counting what was read.
    struct Endless {
        head: &'static [u8],
        row: &'static [u8],
        served: std::sync::Arc<std::sync::atomic::AtomicUsize>,
        limit: usize,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            use std::sync::atomic::Ordering;
            let at = self.served.load(Ordering::Relaxed);
            let n = buf.len().min(self.limit - at);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                let k = at + i;
                *b = if k < self.head.len() {
                    self.head[k]
                } else {
                    self.row[(k - self.head.len()) % self.row.len()]
                };
            }
            self.served.store(at + n, Ordering::Relaxed);
            Ok(n)
        }
    }

    /// Issue 10: a quote never closed early in a large file (or a file without line ends)
    /// stops the reader once a record passes the limit, with the line the quote opened on;
    /// before, the rest of the file was read into memory as one value before the error.
    #[test]
    fn a_record_past_the_limit_stops_the_reader_at_its_line() {
        let limit = 2 << 20;
        for (head, row, expected) in [
            (
                &b"1,2\n3,\"open\n"[..],
                &b"4,5\n"[..],
                "3: a quote opens a value here and is not closed within 2 MiB",
            ),
            (&b""[..], &b"x"[..], "2: a line longer than 2 MiB"),
        ] {
            let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let source = Endless { head, row, served: served.clone(), limit: 256 << 20 };
            let mut reader = ChunkReader::new(Some(Box::new(source)), Vec::new(), 2, b',');
            reader.max_record = limit;
            let error = reader.find_map(Result::err).expect("an error");
            let error = read_error(error, "invoices.csv").to_string();
            assert!(error.starts_with(&format!("invoices.csv:{expected}")), "{error}");
            let read = served.load(std::sync::atomic::Ordering::Relaxed);
            assert!(read <= 2 * limit + BLOCK, "read {read} bytes");
            assert!(reader.next().is_none() && reader.is_done());
        }
    }

    #[test]
    fn finds_the_quote_left_open() {
        assert_eq!(open_quote(b"a,\"b\nc,d", 0, b','), Some(2));
        assert_eq!(open_quote(b"a,\"b\"\"c\",d", 0, b','), None);
        // A quote inside a field is text and opens nothing.
        assert_eq!(open_quote(b"a,24\" screen", 0, b','), None);
        assert_eq!(open_quote(b"a,\"x\",\"y", 0, b','), Some(6));
    }

    #[test]
    fn normalizes_headers() {
        assert_eq!(normalize_header(" Due-Date "), "due_date");
        assert_eq!(normalize_header("FÖRFALLODATUM"), "förfallodatum");
        assert_eq!(normalize_header("E-post"), "e_post");
    }
}
