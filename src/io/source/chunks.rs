//! Cutting a file into record-aligned chunks on the reading thread: where a record ends
//! (quote-aware), each chunk's encoding, CR-only line ends, the record too long to be one.

use super::*;

/// Decides each chunk's encoding in file order, on the reading thread: UTF-8 until a chunk is
/// not, then Windows-1252 — unless earlier chunks were UTF-8 with non-ASCII text.
pub(super) struct ChunkDecoder {
    pub(super) encoding: Encoding,
    pub(super) saw_non_ascii_utf8: bool,
}

impl ChunkDecoder {
    pub(super) fn decode(&mut self, mut chunk: Chunk, display: &str) -> Result<Chunk> {
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

pub(super) struct Chunk {
    /// The chunk's bytes, unless they were valid UTF-8 and moved to `text`.
    pub(super) bytes: Vec<u8>,
    pub(super) text: String,
    pub(super) first_line: u64,
    pub(super) encoding: Encoding,
    /// The records to parse, by their bytes and line, when not all of them are wanted (see
    /// [`Chunk::keep_records_on`]).
    pub(super) only: Option<Vec<(std::ops::Range<usize>, u64)>>,
}

impl Chunk {
    pub(super) fn bytes(&self) -> &[u8] {
        if self.bytes.is_empty() { self.text.as_bytes() } else { &self.bytes }
    }

    /// Cuts the chunk down to the records that start on `lines` (sorted; lines outside the
    /// chunk are passed over): for a reading that wants a few lines known from an earlier
    /// one. A wanted line is one a record started on, so the bytes after the line break
    /// before it start that record, whatever quoted line breaks come before.
    pub(super) fn keep_records_on(&mut self, lines: &[u64], delimiter: u8) {
        let bytes = self.bytes();
        let mut breaks = memchr::memchr_iter(b'\n', bytes);
        let (mut line, mut start) = (self.first_line, 0);
        let mut records = Vec::new();
        for &wanted in &lines[lines.partition_point(|&l| l < self.first_line)..] {
            while line < wanted {
                let Some(at) = breaks.next() else { break };
                (line, start) = (line + 1, at + 1);
            }
            if line < wanted || start >= bytes.len() {
                break;
            }
            let end = next_record_end(bytes, start, Some(delimiter)).0.map_or(bytes.len(), |end| end + 1);
            records.push((start..end, wanted));
        }
        self.only = Some(records);
    }

    /// The chunk's buffer, emptied, to read another chunk into; `None` when it grew past
    /// a few blocks (a record longer than a block), which is not worth keeping.
    pub(super) fn into_spare(self) -> Option<Vec<u8>> {
        let mut buffer = if self.bytes.capacity() > 0 { self.bytes } else { self.text.into_bytes() };
        buffer.clear();
        (buffer.capacity() <= 4 * BLOCK).then_some(buffer)
    }
}

/// Yields record-aligned chunks of a file, each with the line number it starts on.
pub(super) struct ChunkReader {
    pub(super) file: Option<Box<dyn Read + Send>>,
    pub(super) carry: Vec<u8>,
    pub(super) next_line: u64,
    pub(super) delimiter: u8,
    /// [`MAX_RECORD`]; smaller in tests.
    pub(super) max_record: usize,
    /// Buffers of chunks the workers are done with, to read the next chunks into.
    pub(super) spares: Option<std::sync::mpsc::Receiver<Vec<u8>>>,
}

/// A record past [`MAX_RECORD`]: where it starts (or its quote opened) and what is wrong.
#[derive(Debug)]
pub(super) struct RecordTooLong {
    pub(super) line: u64,
    pub(super) what: String,
}

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.line, self.what)
    }
}

impl std::error::Error for RecordTooLong {}

impl ChunkReader {
    pub(super) fn new(
        file: Option<Box<dyn Read + Send>>,
        carry: Vec<u8>,
        first_line: u64,
        delimiter: u8,
    ) -> ChunkReader {
        ChunkReader { file, carry, next_line: first_line, delimiter, max_record: MAX_RECORD, spares: None }
    }

    /// The error for a record past `max_record` bytes, which `carry` starts with; the reader
    /// stops there, holding nothing.
    pub(super) fn record_too_long(&mut self) -> std::io::Error {
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

    pub(super) fn fill(&mut self) -> std::io::Result<bool> {
        self.fill_by(BLOCK)
    }

    /// Whether every byte of the file has been handed out as a chunk.
    pub(super) fn is_done(&self) -> bool {
        self.file.is_none() && self.carry.is_empty()
    }

    /// Reads up to `amount` more bytes; whether any came.
    pub(super) fn fill_by(&mut self, amount: usize) -> std::io::Result<bool> {
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
        // The rest goes to a buffer a worker is done with, where there is one: a new block
        // for every chunk was a million bytes of fresh pages each time.
        let mut rest = self.spares.as_ref().and_then(|s| s.try_recv().ok()).unwrap_or_default();
        rest.extend_from_slice(&self.carry[cut..]);
        self.carry.truncate(cut);
        let bytes = std::mem::replace(&mut self.carry, rest);
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &bytes).count() as u64;
        Some(Ok(Chunk { bytes, text: String::new(), first_line, encoding: Encoding::Utf8, only: None }))
    }
}

/// Where the record starting at `start` ends (the position of its `\n`, `None` when the bytes
/// end first) and how many line breaks lie inside its quoted fields. RFC 4180 as the csv crate
/// reads it: a quote opens a quoted field only at the start of a field (so `24" screen` is
/// text), `""` inside quotes is a quote, and a line break inside quotes belongs to the field.
/// `delimiter` `None` takes any of `,` `;` tab (for the header, before it is sniffed).
pub(super) fn next_record_end(bytes: &[u8], start: usize, delimiter: Option<u8>) -> (Option<usize>, u64) {
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
pub(super) fn open_quote(bytes: &[u8], start: usize, delimiter: u8) -> Option<usize> {
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
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Every CR of a CR-only file as a LF.
pub(super) fn cr_to_lf(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
}

/// Reads a CR-only file as if its line ends were LF.
pub(super) struct CrAsLf(pub(super) Box<dyn Read + Send>);

impl Read for CrAsLf {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        cr_to_lf(&mut buf[..n]);
        Ok(n)
    }
}

/// The end (one past the `\n`) of the last complete record in `bytes`, which start a record.
pub(super) fn last_record_end(bytes: &[u8], delimiter: u8) -> Option<usize> {
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
pub(super) fn record_end(bytes: &[u8]) -> Option<usize> {
    next_record_end(bytes, 0, None).0.map(|nl| nl + 1)
}
