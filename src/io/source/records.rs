//! A chunk's records cut into fields on a worker: the header's shape, quotes, byte order
//! marks at the edges of values, damaged records.

use super::*;

/// How many fields a record needs under a header of `names`: up to its last named column.
pub(super) fn min_fields(names: &[String]) -> usize {
    names.iter().rposition(|n| !n.is_empty()).map_or(0, |last| last + 1)
}

/// What every record of a file must look like: as many fields as the header has columns.
/// Also used by the bank CSV reader (`io::bank::csv_export`), which has its own header search.
pub(crate) struct Shape<'a> {
    /// The header's names as written.
    pub(super) names: &'a [String],
    /// See [`CsvSource::min_fields`].
    pub(super) min_fields: usize,
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
pub(super) struct ChunkParser<'a> {
    /// The file's name for findings.
    pub(super) file: &'a str,
    pub(super) delimiter: u8,
    pub(super) shape: &'a Shape<'a>,
    pub(super) bounds: Vec<(usize, usize)>,
    pub(super) decoded: Vec<String>,
    /// The unquoted text of the current quoted record.
    pub(super) scratch: Vec<u8>,
    /// Records that are not records of the file: wrong number of fields, an open quote, a
    /// byte order mark in the middle. Their fields are not visited.
    pub(super) damaged: Vec<Finding>,
    /// Whether the current chunk has a byte order mark anywhere (one search per chunk, so
    /// that fields are only looked at for one when there is one).
    pub(super) bom_inside: bool,
}

impl<'a> ChunkParser<'a> {
    pub(super) fn new(file: &'a str, delimiter: u8, shape: &'a Shape<'a>) -> ChunkParser<'a> {
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

    pub(super) fn damage(&mut self, line: u64, message: String) {
        self.damaged.push(Finding::error(self.file.to_owned(), line, "", "damaged-record", message));
    }

    /// Splits a chunk into records and fields. A line without a quote is a record whose fields
    /// lie between delimiters, sliced straight from the chunk (machine exports are almost all
    /// such lines); a record with quotes (a delimiter, quote or line break inside a field) is
    /// unquoted by RFC 4180 into a scratch buffer.
    ///
    /// A chunk cut down to some records ([`Chunk::keep_records_on`]) has only those parsed.
    pub(super) fn parse<State>(
        &mut self,
        chunk: &Chunk,
        state: &mut State,
        visit: &impl Fn(&mut State, &Fields<'_>),
    ) {
        let (bytes, text) = (chunk.bytes(), chunk.text.as_str());
        match &chunk.only {
            None => self.parse_records(bytes, text, chunk.first_line, chunk.encoding, state, visit),
            Some(records) => {
                for (range, line) in records {
                    // `text` is the chunk's text, or empty when it is in `bytes`.
                    let part = text.get(range.clone()).unwrap_or_default();
                    self.parse_records(&bytes[range.clone()], part, *line, chunk.encoding, state, visit);
                }
            }
        }
    }

    fn parse_records<State>(
        &mut self,
        bytes: &[u8],
        text: &str,
        first_line: u64,
        encoding: Encoding,
        state: &mut State,
        visit: &impl Fn(&mut State, &Fields<'_>),
    ) {
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut start = 0;
        let mut line = first_line;
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
            if let Some(end) = split_line(bytes, start, self.delimiter, &mut self.bounds) {
                self.emit(bytes, text, line, encoding, state, visit, 0);
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
            let record_text = text_of(&scratch, encoding);
            self.emit(&scratch, record_text, line, encoding, state, visit, newlines);
            line += newlines + 1;
            start = end + 1;
        }
        self.scratch = scratch;
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit<State>(
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
pub(super) fn trim_boms(bytes: &[u8], bounds: &mut [(usize, usize)]) {
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
pub(super) fn trim_cr(bytes: &[u8], start: usize, end: usize) -> usize {
    if end > start && bytes[end - 1] == b'\r' { end - 1 } else { end }
}

/// The fields of an unquoted line `bytes[start..stop]`, as positions in `bytes`.
pub(super) fn split_plain(
    bytes: &[u8],
    start: usize,
    stop: usize,
    delimiter: u8,
    bounds: &mut Vec<(usize, usize)>,
) {
    bounds.clear();
    let mut field_start = start;
    for i in memchr::memchr_iter(delimiter, &bytes[start..stop]) {
        bounds.push((field_start, start + i));
        field_start = start + i + 1;
    }
    bounds.push((field_start, stop));
}

/// The line starting at `start`, cut into fields in one pass when it holds no quote: its end
/// (the `\n`, or the end of `bytes`) with the fields' positions in `bounds` (the last less a
/// `\r` before the end), or `None` when it holds a quote (and is read as RFC 4180 instead).
///
/// Finding the line's end, looking for a quote in it and then for each delimiter were three
/// passes and a `memchr` call per field, a fifth of `dun report`'s time on a million invoices
/// (issue #14); this compares sixteen bytes at a time with all three at once.
pub(super) fn split_line(
    bytes: &[u8],
    start: usize,
    delimiter: u8,
    bounds: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    if matches!(delimiter, b'\n' | b'\r' | b'"') {
        // No file is written so; the bytes can then not be told apart as below.
        return split_line_in_three_passes(bytes, start, delimiter, bounds);
    }
    bounds.clear();
    let mut field_start = start;
    let mut at = start;
    loop {
        // The last block is padded with line feeds: the line ends where the bytes do.
        let block: [u8; AT_ONCE] = match bytes.get(at..at + AT_ONCE) {
            Some(block) => block.try_into().expect("a block"),
            None => {
                let mut padded = [b'\n'; AT_ONCE];
                padded[..bytes.len() - at].copy_from_slice(&bytes[at..]);
                padded
            }
        };
        let [delimiters, newlines, quotes] = where_equal(&block, [delimiter, b'\n', b'"']);
        let stops = newlines | quotes;
        let first_stop = stops & stops.wrapping_neg();
        // The delimiters before the line's end or quote (all of the block's when it has neither).
        let mut delimiters = delimiters & first_stop.wrapping_sub(1);
        while delimiters != 0 {
            let found = at + delimiters.trailing_zeros() as usize;
            bounds.push((field_start, found));
            field_start = found + 1;
            delimiters &= delimiters - 1;
        }
        if first_stop & quotes != 0 {
            return None;
        }
        if first_stop != 0 {
            let end = at + first_stop.trailing_zeros() as usize;
            bounds.push((field_start, trim_cr(bytes, start, end)));
            return Some(end);
        }
        at += AT_ONCE;
    }
}

/// [`split_line`] in three passes: the line's end, whether it holds a quote, its fields
/// between delimiters. For the delimiters the one pass cannot tell from a line feed or quote,
/// and what the tests compare the one pass with.
pub(super) fn split_line_in_three_passes(
    bytes: &[u8],
    start: usize,
    delimiter: u8,
    bounds: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
    if memchr::memchr(b'"', &bytes[start..end]).is_some() {
        return None;
    }
    split_plain(bytes, start, trim_cr(bytes, start, end), delimiter, bounds);
    Some(end)
}

/// How many bytes [`where_equal`] looks at together.
pub(super) const AT_ONCE: usize = 16;

/// For each of `bytes`, a bit for each byte of `block` equal to it (bit `i` for byte `i`).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(super) fn where_equal<const N: usize>(block: &[u8; AT_ONCE], bytes: [u8; N]) -> [u32; N] {
    #[target_feature(enable = "sse2")]
    fn sixteen_at_once<const N: usize>(block: &[u8; AT_ONCE], bytes: [u8; N]) -> [u32; N] {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
        let half = |from: usize| i64::from_le_bytes(block[from..from + 8].try_into().expect("eight bytes"));
        let block = _mm_set_epi64x(half(8), half(0));
        bytes.map(|byte| _mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8(byte as i8))) as u32)
    }
    // SAFETY: the one requirement of a `target_feature` function is a processor with the
    // feature, and the `cfg` above compiles this only for targets that require SSE2 (every
    // x86-64 processor has it).
    unsafe { sixteen_at_once(block, bytes) }
}

/// For each of `bytes`, a bit for each byte of `block` equal to it (bit `i` for byte `i`).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
pub(super) fn where_equal<const N: usize>(block: &[u8; AT_ONCE], bytes: [u8; N]) -> [u32; N] {
    bytes.map(|byte| (0..AT_ONCE).filter(|&i| block[i] == byte).map(|i| 1 << i).sum())
}

/// RFC 4180 fields of one record, unquoted into `out` (`""` inside quotes is one quote; a
/// quote opens quoting only at the start of a field, as the csv crate reads it).
pub(super) fn unquote(record: &[u8], delimiter: u8, out: &mut Vec<u8>, bounds: &mut Vec<(usize, usize)>) {
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
pub(super) fn text_of(bytes: &[u8], encoding: Encoding) -> &str {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).unwrap_or(""),
        Encoding::Windows1252 => "",
    }
}
