//! A bank CSV export read as a stream ([`stream_bank_csv`]): the rows [`super::parse_bank_csv`]
//! reads of the whole decoded text, decoded and read one at a time, so that an export of millions
//! of rows is never held.

use std::io::{self, Read};

use super::{
    Body, Columns, CsvImportConfig, HEADER_SEARCH_ROWS, Read as Row, check_config, delimiters, empty_file,
    header_among, preamble, trimmed_header,
};
use crate::core::policy::TextEncoding;
use crate::io::bank::stream::Utf8Check;
use crate::io::bank::{BankError, BankFile, BankPayment, Errors, error};

/// [`super::parse_bank_csv`] of a file read as a stream: each payment goes to `emit` as soon as
/// its row is read, in file order, without `crate::io::bank::make_txids_unique`'s renaming (the
/// caller checks the ids are unique); what else the file holds is returned with `payments`
/// empty. Any error rejects the whole file, so `emit` must not act on what it got before the
/// result says `Ok`; the whole-file parser lists the errors in its order. A file that is only
/// read whole (UTF-8 named in the policy for bytes that are not) is an error here too.
///
/// `open` gives a fresh reader of the file: it is read once for its encoding, once for each
/// delimiter tried for the header (its first rows), and once for its rows.
pub fn stream_bank_csv<R: Read>(
    open: &dyn Fn() -> io::Result<R>,
    config: &CsvImportConfig,
    emit: &mut dyn FnMut(BankPayment),
) -> io::Result<Result<BankFile, Vec<BankError>>> {
    if let Err(e) = check_config(config) {
        return Ok(Err(vec![e]));
    }
    let Some(decoding) = decoding_of(open()?, config.encoding)? else {
        return Ok(Err(vec![error("line 1", "not UTF-8, as [import.csv] says: read whole")]));
    };
    let mut ambiguous = None;
    let mut found = None;
    for delimiter in delimiters(config) {
        let mut rows = Rows::new(open()?, decoding, delimiter)?;
        let mut first = Vec::new();
        while first.len() < HEADER_SEARCH_ROWS && rows.next()? {
            first.push((rows.line, rows.fields.clone()));
        }
        if let Some((at, columns)) = header_among(&first, config, &mut ambiguous) {
            found = Some((delimiter, at, columns));
            break;
        }
    }
    let Some((delimiter, header_at, columns)) = found else {
        return Ok(Err(vec![error("line 1", "no header row")]));
    };
    read_body(open()?, decoding, delimiter, header_at, &columns, config, emit)
}

/// The rows of the file after its header (at row `header_at`), read with `delimiter`.
fn read_body<R: Read>(
    reader: R,
    decoding: Decoding,
    delimiter: u8,
    header_at: usize,
    columns: &Columns,
    config: &CsvImportConfig,
    emit: &mut dyn FnMut(BankPayment),
) -> io::Result<Result<BankFile, Vec<BankError>>> {
    let mut errors = Errors::default();
    let mut file = empty_file(columns);
    let header = trimmed_header(columns);
    let mut body = Body::new(columns, config, &header);
    let mut rows = Rows::new(reader, decoding, delimiter)?;
    let mut at = 0usize;
    while !errors.is_full() && rows.next()? {
        if at < header_at {
            file.skipped.extend(preamble(rows.line, &rows.fields));
        } else if at > header_at {
            match body.row(rows.line, &rows.fields, &mut errors) {
                Some(Row::Payment(payment)) => emit(payment),
                Some(Row::Skipped(skipped)) => file.skipped.push(skipped),
                None => {}
            }
        }
        at += 1;
    }
    if !errors.0.is_empty() {
        return Ok(Err(errors.0));
    }
    Ok(Ok(file))
}

/// How the file's bytes become text, as `super::decode` decides for the whole file: a BOM's
/// encoding (after the BOM), else the policy's, else UTF-8 when the whole file is, else
/// Windows-1252.
#[derive(Clone, Copy)]
struct Decoding {
    /// Bytes of a BOM to skip.
    skip: usize,
    /// `None`: UTF-8, taken as it is.
    encoding: Option<&'static encoding_rs::Encoding>,
}

/// One read of the file (up to its start when that decides); `None` when UTF-8 is forced on
/// bytes that are not (the whole-file reading replaces them).
fn decoding_of(mut reader: impl Read, forced: Option<TextEncoding>) -> io::Result<Option<Decoding>> {
    let mut buf = vec![0u8; 64 * 1024];
    let n = crate::io::commit::read_full(&mut reader, &mut buf)?;
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(&buf[..n]) {
        return Ok(Some(Decoding { skip: bom, encoding: Some(encoding) }));
    }
    let windows = Decoding { skip: 0, encoding: Some(encoding_rs::WINDOWS_1252) };
    if forced == Some(TextEncoding::Windows1252) {
        return Ok(Some(windows));
    }
    let mut check = Utf8Check::default();
    let mut n = n;
    while n > 0 && check.ok() {
        check.feed(&buf[..n]);
        n = reader.read(&mut buf)?;
    }
    Ok(match (check.finish(), forced) {
        (true, _) => Some(Decoding { skip: 0, encoding: None }),
        (false, None) => Some(windows),
        (false, Some(_)) => None,
    })
}

/// The file's text, decoded as it is read.
struct Decoded<R> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    done: bool,
}

impl<R: Read> Decoded<R> {
    fn new(mut inner: R, decoding: Decoding) -> io::Result<Decoded<R>> {
        let mut bom = [0u8; 3];
        inner.read_exact(&mut bom[..decoding.skip])?;
        Ok(Decoded {
            inner,
            decoder: decoding.encoding.map(encoding_rs::Encoding::new_decoder_without_bom_handling),
            raw: vec![0u8; 64 * 1024],
            out: Vec::new(),
            at: 0,
            done: false,
        })
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(decoder) = self.decoder.as_mut() else { return self.inner.read(buf) };
        while self.at == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            let room = decoder.max_utf8_buffer_length(n).ok_or_else(|| io::Error::other("text too long"))?;
            self.out.resize(room, 0);
            let (_, read, written, _) = decoder.decode_to_utf8(&self.raw[..n], &mut self.out, last);
            debug_assert_eq!(read, n, "room for all of it");
            self.out.truncate(written);
            self.at = 0;
            self.done = last;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The text as it is read, kept from about where line numbers were last asked for, so that a
/// record's line is counted as `super::read_rows` counts it in the whole text.
struct Tracked<R> {
    inner: R,
    kept: Vec<u8>,
    /// The offset of `kept[0]` in the text.
    base: u64,
    /// Line breaks before `counted` (as `LineCounter` counts them).
    counted: u64,
    breaks: usize,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl<R> Tracked<R> {
    fn byte(&self, offset: u64) -> Option<u8> {
        let i = usize::try_from(offset.checked_sub(self.base)?).ok()?;
        self.kept.get(i).copied()
    }

    /// The line of the record the CSV reader says starts at `position` (at or just before it,
    /// past which line ends are skipped); asked in increasing order.
    fn line_at(&mut self, position: u64) -> usize {
        let mut offset = position.max(self.counted);
        while matches!(self.byte(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        let from = usize::try_from(self.counted - self.base).unwrap_or(usize::MAX).min(self.kept.len());
        let to = usize::try_from(offset - self.base).unwrap_or(usize::MAX).min(self.kept.len());
        for at in memchr::memchr2_iter(b'\n', b'\r', &self.kept[from..to]) {
            let at = from + at;
            if self.kept[at] == b'\n' || self.kept.get(at + 1) != Some(&b'\n') {
                self.breaks += 1;
            }
        }
        self.counted = offset;
        let split_crlf =
            offset > 0 && self.byte(offset - 1) == Some(b'\r') && self.byte(offset) == Some(b'\n');
        let line = 1 + self.breaks + usize::from(split_crlf);
        // What is counted is not needed again but its last byte (a CR before an LF).
        if to > 1024 * 1024 {
            self.kept.drain(..to - 1);
            self.base += (to - 1) as u64;
        }
        line
    }
}

/// The file's rows, one at a time, each with the line it starts on.
struct Rows<R: Read> {
    reader: csv::Reader<Tracked<Decoded<R>>>,
    record: csv::StringRecord,
    line: usize,
    /// The current row's values (reused).
    fields: Vec<String>,
}

impl<R: Read> Rows<R> {
    fn new(reader: R, decoding: Decoding, delimiter: u8) -> io::Result<Rows<R>> {
        let text = Tracked {
            inner: Decoded::new(reader, decoding)?,
            kept: Vec::new(),
            base: 0,
            counted: 0,
            breaks: 0,
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text);
        Ok(Rows { reader, record: csv::StringRecord::new(), line: 0, fields: Vec::new() })
    }

    /// The next row into `line` and `fields`; false at the end (or where the whole text's
    /// reading stops too).
    fn next(&mut self) -> io::Result<bool> {
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(false),
            Err(e) => {
                return match e.into_kind() {
                    csv::ErrorKind::Io(e) => Err(e),
                    _ => Ok(false),
                };
            }
        }
        let position = self.record.position().map_or(0, csv::Position::byte);
        self.line = self.reader.get_mut().line_at(position);
        self.fields.resize(self.record.len(), String::new());
        for (kept, value) in self.fields.iter_mut().zip(self.record.iter()) {
            kept.clear();
            kept.push_str(value);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::bank::csv_export::parse_bank_csv;
    use proptest::prelude::*;

    fn bank_csv(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/bank-csv/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn swedish() -> CsvImportConfig {
        let mut config = CsvImportConfig::default();
        for (ours, theirs) in [
            ("date", "Bokföringsdag"),
            ("amount", "Belopp"),
            ("reference", "Referens"),
            ("message", "Meddelande"),
            ("payer", "Avsändare"),
            ("transaction_id", "Transaktions-id"),
        ] {
            config.columns.push((ours.to_owned(), theirs.to_owned()));
        }
        config
    }

    /// The file as `dun import` streams it: the payments, in order, and everything else.
    fn streamed(bytes: &[u8], config: &CsvImportConfig) -> Result<BankFile, Vec<BankError>> {
        let mut payments = Vec::new();
        let mut file = stream_bank_csv(&|| Ok(bytes), config, &mut |p| payments.push(p)).unwrap()?;
        file.payments = payments;
        Ok(file)
    }

    /// The same payments (ids included: none repeats in these files) and everything else.
    fn assert_streams_as_it_parses(bytes: &[u8], config: &CsvImportConfig, what: &str) {
        let whole = parse_bank_csv(bytes, config);
        let stream = streamed(bytes, config);
        match (whole, stream) {
            (Ok(whole), Ok(stream)) => assert_eq!(stream, whole, "{what}"),
            (Err(_), Err(_)) => {}
            (whole, stream) => panic!("{what}: whole {whole:?}, streamed {stream:?}"),
        }
    }

    /// Every bank's export of the fixtures, and the Swedish one of the parser's tests, read as a
    /// stream, give what the whole file gives; so do UTF-16, CR-only and relined copies, and a
    /// file of quoted values over several lines larger than what the line count keeps.
    #[test]
    fn every_export_streams_as_it_parses() {
        let names = [
            "danske-no.csv",
            "dnb.csv",
            "nordea-fi.csv",
            "nordea-se-older.csv",
            "nordea-se.csv",
            "op.csv",
            "seb.csv",
            "sparebank1.csv",
            "swedbank.csv",
        ];
        for name in names {
            let bytes = bank_csv(name);
            let whole = parse_bank_csv(&bytes, &CsvImportConfig::default())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(!whole.payments.is_empty(), "{name}");
            assert_streams_as_it_parses(&bytes, &CsvImportConfig::default(), name);
            let cr_only: Vec<u8> = bytes.iter().copied().filter(|&b| b != b'\n').collect();
            assert_streams_as_it_parses(&cr_only, &CsvImportConfig::default(), name);
        }
        let sv = crate::io::bank::testing::fixture("bank-export-sv.csv");
        assert_streams_as_it_parses(&sv, &swedish(), "bank-export-sv.csv");

        let text = "Bokföringsdag;Belopp;Referens;Meddelande;Avsändare;Transaktions-id\r\n\
                    2024-05-02;10,00;;\"Två\r\nrader\";Örjan;\r\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            parse_bank_csv(&utf16, &swedish()).unwrap().payments[0].message.as_deref(),
            Some("Två\r\nrader")
        );
        assert_streams_as_it_parses(&utf16, &swedish(), "UTF-16");

        let mut long =
            "* Export\r\n\r\nBokföringsdag;Belopp;Referens;Meddelande;Avsändare;Transaktions-id\n".to_owned();
        for i in 0..60_000 {
            let end = ["\n", "\r\n", "\r", "\n\n"][i % 4];
            long.push_str(&format!("2024-05-02;{i},50;;\"Faktura {i}\r\nrad två\";Åsa {i};T{i}{end}"));
        }
        assert!(long.len() > 2 * 1024 * 1024);
        let whole = parse_bank_csv(long.as_bytes(), &swedish()).unwrap();
        assert_eq!(whole.payments.len(), 60_000);
        // Row k starts on line 4 + 2k + k/4: two lines each, and a blank one after every fourth.
        assert_eq!(whole.payments[59_999].location, "line 135001");
        assert_streams_as_it_parses(long.as_bytes(), &swedish(), "long");
        let latin: Vec<u8> = long.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
        assert_eq!(parse_bank_csv(&latin, &swedish()).unwrap().payments[1].payer.as_deref(), Some("Åsa 1"));
        assert_streams_as_it_parses(&latin, &swedish(), "long, Windows-1252");

        let mut broken = long.clone().into_bytes();
        broken.extend_from_slice(b"2024-05-02;12,5;x\n");
        assert!(streamed(&broken, &swedish()).is_err());
        let utf8_forced = CsvImportConfig { encoding: Some(TextEncoding::Utf8), ..swedish() };
        assert!(streamed(&latin, &utf8_forced).is_err(), "read whole instead");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Damaged anywhere, an export read as a stream is rejected exactly when the whole
        /// file is, and otherwise gives the same payments and everything else.
        #[test]
        fn a_mutated_export_streams_as_it_parses(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            name in prop::sample::select(vec!["nordea-se.csv", "swedbank.csv", "dnb.csv", "op.csv"]),
        ) {
            let mut bytes = bank_csv(name);
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            let config = CsvImportConfig::default();
            let whole = parse_bank_csv(&bytes, &config);
            let stream = streamed(&bytes, &config);
            prop_assert_eq!(whole.is_ok(), stream.is_ok(), "{:?} {:?}", whole, stream);
            if let (Ok(whole), Ok(stream)) = (whole, stream) {
                let mut ids: Vec<&str> = stream.payments.iter().map(|p| p.txid.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                // A repeated id is renamed by the whole-file parser only; the import then reads
                // the file whole.
                if ids.len() == stream.payments.len() {
                    prop_assert_eq!(stream, whole);
                }
            }
        }
    }
}
