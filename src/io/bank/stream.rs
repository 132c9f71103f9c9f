//! Fixed-width bank files (BgMax) read as a stream: the records [`super::frame_records`]
//! makes of the whole file, made one at a time from a reader, so a file of millions of
//! payments is never held whole.
//!
//! Framing depends on the whole file (whether it has line ends at all, whether it is UTF-8
//! saved over Latin-1, where its trailing blanks begin), so a first read finds those
//! ([`Framing::of`], with the file's content hash), and the records come from a second.

use std::io::{self, BufRead, BufReader, Read};

use super::{Errors, RECORD_LEN, Record, UTF8_BOM, padded_record, record_from_line};

/// What the whole file says about how its records are cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Framing {
    /// It starts with a UTF-8 byte order mark (not part of any record).
    bom: bool,
    /// Bytes up to the last one that is not a line end, blank, TAB or DOS end-of-file mark.
    end: u64,
    /// Any line end before `end`: records are lines; else every 80 bytes is one.
    lines: bool,
    /// UTF-8 (not ASCII) whose characters all fit in Latin-1: converted back, as
    /// [`super::to_latin1_bytes`] does.
    to_latin1: bool,
    /// Bytes a record has: its line's length is checked against it, and a file without line
    /// ends is cut into records of this many bytes.
    width: usize,
    /// The file's length.
    pub len: u64,
    /// FNV-1a of every byte (`io::import_files::content_hash`).
    pub hash: u64,
}

/// Where a UTF-8 check stands: ASCII so far, Latin-1 letters in UTF-8 so far (the byte
/// after a C2/C3 lead is awaited, or not), or anything else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Utf8 {
    Ascii,
    Latin1 { awaiting: bool },
    Other,
}

impl Framing {
    /// One read of the whole file: records of 80 bytes, a TAB at the end is blank (BgMax, Nets).
    pub fn of(reader: impl Read) -> io::Result<Framing> {
        Framing::of_records(reader, RECORD_LEN, true)
    }

    /// [`Framing::of`] for records of `width` bytes; a TAB after the last record is part of it
    /// unless `tab_is_blank` (KTL's framing keeps it).
    pub fn of_records(mut reader: impl Read, width: usize, tab_is_blank: bool) -> io::Result<Framing> {
        let mut buf = vec![0u8; 256 * 1024];
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut at: u64 = 0;
        let mut head = Vec::with_capacity(3);
        let mut end = 0u64;
        let mut first_line_end: Option<u64> = None;
        let mut utf8 = Utf8::Ascii;
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            for &b in &buf[..n] {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
                if head.len() < 3 {
                    head.push(b);
                }
                if !(matches!(b, b'\r' | b'\n' | b' ' | 0x1A) || (b == b'\t' && tab_is_blank)) {
                    end = at + 1;
                }
                if first_line_end.is_none() && (b == b'\n' || b == b'\r') {
                    first_line_end = Some(at);
                }
                // A byte order mark is not text; a start like one that is none is no Latin-1.
                let in_bom = at < 3 && head.as_slice() == &UTF8_BOM[..head.len()];
                utf8 = next_utf8(utf8, b, in_bom);
                at += 1;
            }
        }
        let bom = head.as_slice() == UTF8_BOM;
        let start = if bom { 3 } else { 0 };
        let to_latin1 =
            matches!(utf8, Utf8::Latin1 { awaiting: false }) && (bom || head.first() != Some(&0xEF));
        Ok(Framing {
            bom,
            end: end.max(start),
            lines: first_line_end.is_some_and(|i| i >= start && i < end),
            to_latin1,
            width,
            len: at,
            hash,
        })
    }

    /// The file's content hash as `io::import_files::content_hash` writes it.
    pub fn hash_text(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

/// The UTF-8 check after byte `b`; a byte of a leading BOM is skipped.
fn next_utf8(state: Utf8, b: u8, in_bom: bool) -> Utf8 {
    if in_bom {
        return state;
    }
    match state {
        Utf8::Other => Utf8::Other,
        Utf8::Latin1 { awaiting: true } => {
            if (0x80..=0xBF).contains(&b) {
                Utf8::Latin1 { awaiting: false }
            } else {
                Utf8::Other
            }
        }
        Utf8::Ascii | Utf8::Latin1 { awaiting: false } => match b {
            0x00..=0x7F => state,
            0xC2 | 0xC3 => Utf8::Latin1 { awaiting: true },
            _ => Utf8::Other,
        },
    }
}

/// The records of a file whose [`Framing`] is known, from a fresh reader of it.
pub struct Records<R: Read> {
    input: BufReader<Latin1<io::Take<R>>>,
    lines: bool,
    width: usize,
    /// The last record's (or line's) number.
    line: usize,
    buf: Vec<u8>,
    done: bool,
}

impl<R: Read> Records<R> {
    pub fn new(mut reader: R, framing: &Framing) -> io::Result<Records<R>> {
        let start = if framing.bom {
            let mut bom = [0u8; 3];
            reader.read_exact(&mut bom)?;
            3
        } else {
            0
        };
        let body = reader.take(framing.end - start);
        Ok(Records {
            input: BufReader::with_capacity(
                256 * 1024,
                Latin1 { inner: body, convert: framing.to_latin1, carry: None, raw: Vec::new() },
            ),
            lines: framing.lines,
            width: framing.width,
            line: 0,
            buf: Vec::with_capacity(128),
            done: false,
        })
    }

    /// The next record, as `frame_records` gives it; `None` at the end.
    pub fn next_record(&mut self, errors: &mut Errors) -> io::Result<Option<Record>> {
        while let Some(line) = self.next_raw()? {
            if !self.lines {
                for b in &mut self.buf {
                    if *b == b'\t' {
                        // No line structure to restore here: a TAB just stands for one blank.
                        *b = b' ';
                    }
                }
                return Ok(Some(padded_record(line, &self.buf)));
            }
            if let Some(record) = record_from_line(line, &self.buf, errors) {
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    /// The next record's bytes as the file has them (a line without its end, or the next
    /// `width` bytes of a file without line ends; a blank line is none), in [`Records::raw`],
    /// and its line number; `None` at the end.
    pub fn next_raw(&mut self) -> io::Result<Option<usize>> {
        while !self.done {
            if !self.lines {
                self.buf.resize(self.width, 0);
                let n = crate::io::commit::read_full(&mut self.input, &mut self.buf)?;
                if n == 0 {
                    self.done = true;
                    break;
                }
                self.buf.truncate(n);
                self.line += 1;
                return Ok(Some(self.line));
            }
            if !self.next_line()? {
                self.done = true;
                break;
            }
            self.line += 1;
            if !self.buf.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(self.line));
            }
        }
        Ok(None)
    }

    /// What [`Records::next_raw`] read last.
    pub fn raw(&self) -> &[u8] {
        &self.buf
    }

    /// The next line into `buf`, split on CRLF, LF or a lone CR; false at the end.
    fn next_line(&mut self) -> io::Result<bool> {
        self.buf.clear();
        let mut any = false;
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok(any);
            }
            any = true;
            match memchr::memchr2(b'\n', b'\r', available) {
                Some(i) => {
                    let cr = available[i] == b'\r';
                    self.buf.extend_from_slice(&available[..i]);
                    self.input.consume(i + 1);
                    if cr && self.input.fill_buf()?.first() == Some(&b'\n') {
                        self.input.consume(1);
                    }
                    return Ok(true);
                }
                None => {
                    let n = available.len();
                    self.buf.extend_from_slice(available);
                    self.input.consume(n);
                }
            }
        }
    }
}

/// UTF-8 Latin-1 letters (two bytes, C2/C3 and one more) back to one byte each, when `convert`.
struct Latin1<R> {
    inner: R,
    convert: bool,
    /// A lead byte whose second byte is in the next read.
    carry: Option<u8>,
    raw: Vec<u8>,
}

impl<R: Read> Read for Latin1<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.convert {
            return self.inner.read(out);
        }
        if out.len() < 2 {
            return Err(io::Error::other("a buffer of two bytes at least"));
        }
        let mut raw = std::mem::take(&mut self.raw);
        raw.resize(out.len(), 0);
        let result = self.convert_into(&mut raw, out);
        self.raw = raw;
        result
    }
}

impl<R: Read> Latin1<R> {
    fn convert_into(&mut self, raw: &mut [u8], out: &mut [u8]) -> io::Result<usize> {
        loop {
            let offset = usize::from(self.carry.is_some());
            if let Some(lead) = self.carry.take() {
                raw[0] = lead;
            }
            let n = self.inner.read(&mut raw[offset..])?;
            let have = offset + n;
            if n == 0 {
                // The whole file is valid UTF-8 (the framing says so): nothing is left over.
                return Ok(if have == 1 {
                    out[0] = raw[0];
                    1
                } else {
                    0
                });
            }
            let mut written = 0;
            let mut i = 0;
            while i < have {
                let b = raw[i];
                if b >= 0xC0 {
                    let Some(&next) = raw[..have].get(i + 1) else {
                        self.carry = Some(b);
                        break;
                    };
                    out[written] = ((b & 0x1F) << 6) | (next & 0x3F);
                    i += 2;
                } else {
                    out[written] = b;
                    i += 1;
                }
                written += 1;
            }
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::frame_records;
    use super::*;

    fn streamed(bytes: &[u8]) -> (Vec<(usize, Vec<u8>)>, Vec<String>) {
        let framing = Framing::of(bytes).unwrap();
        let mut records = Records::new(bytes, &framing).unwrap();
        let mut errors = Errors::default();
        let mut out = Vec::new();
        while let Some(r) = records.next_record(&mut errors).unwrap() {
            out.push((r.line, r.data.to_vec()));
        }
        (out, errors.0.iter().map(ToString::to_string).collect())
    }

    fn whole(bytes: &[u8]) -> (Vec<(usize, Vec<u8>)>, Vec<String>) {
        let mut errors = Errors::default();
        let records = frame_records(bytes, &mut errors);
        (
            records.iter().map(|r| (r.line, r.data.to_vec())).collect(),
            errors.0.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn the_stream_frames_as_the_whole_file_does() {
        let cases: Vec<Vec<u8>> = vec![
            b"AB\r\n\r\nCD\tX\rEF\n\n".to_vec(),
            vec![b'A'; 170],
            format!("{}X\n{}\n", "A".repeat(80), "B".repeat(5)).into_bytes(),
            "\u{feff}01 Storåker\r\n26 Plåt\r\n \x1a".as_bytes().to_vec(),
            b"01 Stor\xe5ker\n26 Pl\xe5t\n\x1a".to_vec(),
            "Storåker utan radslut".repeat(9).into_bytes(),
            b"\xEF\xBB\xBF".to_vec(),
            b"".to_vec(),
            b"  \t\x1a\r\n".to_vec(),
            b"A\r".to_vec(),
            b"\nA\r\rB \t\x1a".to_vec(),
        ];
        for bytes in cases {
            assert_eq!(streamed(&bytes), whole(&bytes), "{:?}", String::from_utf8_lossy(&bytes));
        }
    }

    proptest::proptest! {
        /// Any bytes of the alphabets framing cares about: the same records and errors.
        #[test]
        fn streamed_records_are_the_whole_files(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "A", "7", " ", "\t", "\r", "\n", "\r\n", "\u{1a}", "å", "\u{20ac}", "\u{feff}",
                ]),
                0..200,
            ),
            latin in proptest::bool::ANY,
            long in 0usize..3,
        ) {
            let mut text: String = parts.concat();
            text.push_str(&"Z".repeat(long * 45));
            let bytes: Vec<u8> = if latin {
                text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect()
            } else {
                text.into_bytes()
            };
            proptest::prop_assert_eq!(streamed(&bytes), whole(&bytes));
        }
    }

    #[test]
    fn the_framing_read_gives_the_content_hash() {
        let bytes = b"01BGMAX\r\n";
        let framing = Framing::of(&bytes[..]).unwrap();
        assert_eq!(framing.hash_text(), crate::io::import_files::content_hash(bytes));
        assert_eq!(framing.len, 9);
    }
}
