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

mod chunks;
mod records;

use chunks::*;
pub(crate) use records::Shape;
use records::*;

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
    /// The lines whose records a scan visits, when it wants only these (see
    /// [`CsvSource::only_lines`]).
    only_lines: Option<Vec<u64>>,
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
            only_lines: None,
        })
    }

    /// Makes a scan visit only the records that start on `lines`: for a second reading that
    /// wants a few records whose lines the first one noted. Every chunk is still read, but
    /// only those records are parsed. Each line must be one a record starts on (a line
    /// inside a quoted value would be read as a record of its own); a line past the end is
    /// passed over.
    pub fn only_lines(&mut self, mut lines: Vec<u64>) {
        lines.sort_unstable();
        self.only_lines = Some(lines);
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
                let mut chunk = decoder.decode(chunk.map_err(|e| read_error(e, display))?, display)?;
                progress.advance(chunk.bytes().len() as u64);
                if let Some(lines) = &self.only_lines {
                    chunk.keep_records_on(lines, delimiter);
                }
                parser.parse(&chunk, &mut state, &visit);
            }
            return Ok((vec![state], parser.damaged));
        }
        let workers = crate::core::workers();
        let only_lines = self.only_lines.as_deref();
        let (tx, rx) = mpsc::sync_channel::<Chunk>(workers);
        let rx = std::sync::Mutex::new(rx);
        let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
        chunks.spares = Some(spare_rx);
        std::thread::scope(|scope| -> Result<(Vec<State>, Vec<Finding>)> {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let rx = &rx;
                    let new_state = &new_state;
                    let visit = &visit;
                    let spares = spare_tx.clone();
                    scope.spawn(move || {
                        let mut state = new_state();
                        let mut parser = ChunkParser::new(display, delimiter, shape);
                        loop {
                            let next = rx.lock().map(|r| r.recv());
                            let Ok(Ok(mut chunk)) = next else { break };
                            // Cut here, not where the chunk is read: finding the wanted lines
                            // walks every line break of the chunk, which the reading thread
                            // did alone while the workers had a few records to parse.
                            if let Some(lines) = only_lines {
                                chunk.keep_records_on(lines, delimiter);
                            }
                            parser.parse(&chunk, &mut state, visit);
                            // The reader may have stopped (and dropped its end): then it is freed.
                            if let Some(spare) = chunk.into_spare() {
                                let _ = spares.send(spare);
                            }
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

#[cfg(test)]
mod tests;
