//! Changing chosen records of a CSV file the user owns, and nothing else: every other byte
//! (delimiter, quoting, line ends, encoding, the other rows) stays as it was. Used by
//! `dun forget`, which must change a customer's personal fields and only those.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// A file's text as read, with how to write it back.
struct Decoded {
    text: String,
    bom: bool,
    windows_1252: bool,
}

fn decode(bytes: &[u8]) -> Decoded {
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    match std::str::from_utf8(body) {
        Ok(text) => Decoded { text: text.to_owned(), bom, windows_1252: false },
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
            Decoded { text: text.into_owned(), bom: false, windows_1252: true }
        }
    }
}

fn encode(d: &Decoded, text: &str, display: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if d.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    if d.windows_1252 {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
        if unmappable {
            bail!("{display}: the new text cannot be written in the file's Windows-1252 encoding");
        }
        out.extend_from_slice(&bytes);
    } else {
        out.extend_from_slice(text.as_bytes());
    }
    Ok(out)
}

/// One record as a CSV line in the file's own delimiter, quoting only where needed.
fn write_record(fields: &[String], delimiter: u8) -> Result<String> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    w.write_record(fields)?;
    let mut line = String::from_utf8(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    line.pop();
    Ok(line)
}

/// Calls `edit(header, fields)` for every record after the header; where it returns true, the
/// record is replaced by the edited fields. Returns how many records changed; the file is
/// written (atomically) only when one did. A missing file changes nothing.
pub fn rewrite_records(
    path: &Path,
    display: &str,
    edit: impl FnMut(&[String], &mut Vec<String>) -> bool,
) -> Result<usize> {
    match rewritten(path, display, edit)? {
        Some((bytes, changed)) => {
            super::output::write_atomically(path, &bytes)?;
            Ok(changed)
        }
        None => Ok(0),
    }
}

/// [`rewrite_records`] without the writing: the file's new bytes and how many records
/// changed, `None` when none did (or the file is missing). For a run that writes them in its
/// transaction (`io::commit`).
pub fn rewritten(
    path: &Path,
    display: &str,
    mut edit: impl FnMut(&[String], &mut Vec<String>) -> bool,
) -> Result<Option<(Vec<u8>, usize)>> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).with_context(|| format!("{display}: cannot read {}", path.display()))?;
    let decoded = decode(&bytes);
    drop(bytes);
    let text = decoded.text.as_str();
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = super::source::sniff_delimiter(first_line.as_bytes());
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Record by record: a ledger's file is millions of them, and only a few change. An edited
    // record is written once the next one's start (its end) is known.
    let mut header: Option<Vec<String>> = None;
    let mut record = csv::StringRecord::new();
    let mut fields: Vec<String> = Vec::new();
    let mut edited: Option<(usize, Vec<String>)> = None;
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = 0;
    loop {
        let position = reader.position().byte() as usize;
        let more = reader.read_record(&mut record).map_err(|e| anyhow::anyhow!("{display}: {e}"))?;
        // The reader may place a record's start inside the previous line end (after its
        // `\r`): a record starts at its first byte that is not a line end.
        let skip = text.as_bytes()[position..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let start = if more { position + skip } else { text.len() };
        if let Some((at, fields)) = edited.take() {
            let old = &text[at..start];
            let ending = if old.ends_with("\r\n") {
                "\r\n"
            } else if old.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            if out.is_empty() {
                out.reserve(text.len());
            }
            out.push_str(&text[copied..at]);
            out.push_str(&write_record(&fields, delimiter)?);
            out.push_str(ending);
            copied = start;
            changed += 1;
        }
        if !more {
            break;
        }
        let Some(header) = &header else {
            header = Some(record.iter().map(str::to_owned).collect());
            continue;
        };
        // The same strings for every record: no allocation per field once they are grown.
        fields.resize_with(record.len(), String::new);
        for (field, value) in fields.iter_mut().zip(record.iter()) {
            field.clear();
            field.push_str(value);
        }
        if edit(header, &mut fields) && !fields.iter().map(String::as_str).eq(record.iter()) {
            edited = Some((start, fields.clone()));
        }
    }
    if changed == 0 {
        return Ok(None);
    }
    out.push_str(&text[copied..]);
    Ok(Some((encode(&decoded, &out, display)?, changed)))
}

/// The position of the column whose header, compared as `dun` compares headers, is one of
/// `names`.
pub fn column(header: &[String], names: &[&str]) -> Option<usize> {
    let keys: Vec<String> = names.iter().map(|n| super::columns::header_key(n)).collect();
    header.iter().position(|h| keys.contains(&super::columns::header_key(h)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the records (delimiters, quotes and line ends inside fields, every field
        /// quoted or only where needed, CRLF or LF, a last line end or none), the edited
        /// records are written anew with their own line end and every other byte stays.
        #[test]
        fn every_record_not_edited_stays_byte_for_byte(
            rows in proptest::collection::vec(
                (proptest::collection::vec("[a-zA-Z0-9 ;,\"\r\n]{0,6}", 1..4), any::<bool>(), any::<bool>()),
                0..12,
            ),
            semicolon in any::<bool>(),
            crlf in any::<bool>(),
            last_end in any::<bool>(),
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            let ending = if crlf { "\r\n" } else { "\n" };
            let line = |fields: &[String], always: bool| {
                let style = if always { csv::QuoteStyle::Always } else { csv::QuoteStyle::Necessary };
                let mut w = csv::WriterBuilder::new().delimiter(delimiter).quote_style(style).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
                w.write_record(fields).unwrap();
                let mut text = String::from_utf8(w.into_inner().unwrap()).unwrap();
                text.pop();
                text
            };
            // A header that cannot be read as a line end, then the rows.
            let header = vec!["id".to_owned(), "name".to_owned()];
            let mut all = vec![(header, false, false)];
            all.extend(rows);
            let (mut before, mut after) = (String::new(), String::new());
            let mut edits = 0;
            for (i, (fields, always, edit)) in all.iter().enumerate() {
                let end = if i + 1 == all.len() && !last_end { "" } else { ending };
                before += &line(fields, *always);
                before += end;
                // (A lone empty field is written `""`: a record, not an empty line.)
                if i > 0 && *edit {
                    let mut new = fields.clone();
                    new[0] = "(x)".to_owned();
                    after += &write_record(&new, delimiter).unwrap();
                    edits += 1;
                } else {
                    after += &line(fields, *always);
                }
                after += end;
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("f.csv");
            std::fs::write(&path, &before).unwrap();
            let mut row = 0;
            let result = rewritten(&path, "f.csv", |_, fields| {
                row += 1;
                let (_, _, edit) = &all[row];
                if *edit {
                    fields[0] = "(x)".to_owned();
                }
                *edit
            }).unwrap();
            match result {
                Some((bytes, n)) => {
                    prop_assert_eq!(n, edits);
                    prop_assert_eq!(String::from_utf8(bytes).unwrap(), after);
                }
                None => prop_assert_eq!(edits, 0),
            }
        }
    }

    #[test]
    fn only_the_edited_record_changes_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        let original = b"id;namn;e-post\r\n1;\"Berg; S\xF6ner\";a@b.se\r\n2;Ek AB;x@y.se\r\n3;\"Holm\";\r\n";
        std::fs::write(&path, original).unwrap();
        let n = rewrite_records(&path, "c.csv", |header, fields| {
            let email = column(header, &["email", "e-post"]).unwrap();
            if fields[0] != "2" {
                return false;
            }
            fields[1] = "(forgotten)".into();
            fields[email] = String::new();
            true
        })
        .unwrap();
        assert_eq!(n, 1);
        let after = std::fs::read(&path).unwrap();
        assert_eq!(
            after,
            b"id;namn;e-post\r\n1;\"Berg; S\xF6ner\";a@b.se\r\n2;(forgotten);\r\n3;\"Holm\";\r\n"
        );
    }
}
