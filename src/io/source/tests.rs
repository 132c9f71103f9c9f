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
        only: None,
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

/// `bytes` (a file with an `id,name` header) to read, as `c.csv`.
fn id_name_source(bytes: Vec<u8>) -> CsvSource {
    CsvSource::from_reader(
        Box::new(std::io::Cursor::new(bytes)),
        Path::new("c.csv"),
        "c.csv",
        Dialect::default(),
        |_| Ok(vec![Some(0), Some(1)]),
    )
    .unwrap()
}

/// Scans `body` under an `id,name` header: the (line, id) of every record, the lines of
/// the damaged ones, and whether every record was visited on the calling thread.
fn scan_ids(body: &str) -> (Vec<(u64, String)>, Vec<u64>, bool) {
    let source = id_name_source(format!("id,name\n{body}").into_bytes());
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
    let values: Vec<&str> = bounds.iter().map(|&(a, b)| std::str::from_utf8(&bytes[a..b]).unwrap()).collect();
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
    assert!(short.starts_with("1 field where the header has 4 columns; missing: name, email ("), "{short}");
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

/// A chunk's buffer, once a worker is done with it, is what the reader reads the next chunk
/// into: a file of a million lines was a fresh megabyte of pages for every chunk.
#[test]
fn the_reader_reads_into_the_buffers_workers_gave_back() {
    let row = b"1234567,C1,2026-01-01,2026-01-31,100.00\n";
    let text: Vec<u8> = row.iter().copied().cycle().take(row.len() * (3 * BLOCK / row.len())).collect();
    let (give_back, spares) = std::sync::mpsc::channel::<Vec<u8>>();
    let mut reader =
        ChunkReader::new(Some(Box::new(std::io::Cursor::new(text.clone()))), Vec::new(), 2, b',');
    reader.spares = Some(spares);
    let first = reader.next().expect("a chunk").expect("read");
    let first_len = first.bytes().len();
    let spare = first.into_spare().expect("a block's buffer is worth keeping");
    assert!(spare.is_empty() && spare.capacity() >= BLOCK);
    let at = spare.as_ptr();
    give_back.send(spare).expect("the reader listens");
    let second = reader.next().expect("a chunk").expect("read");
    // The rest of the file after the second chunk was carried into the buffer given back.
    assert_eq!(reader.carry.as_ptr(), at, "the next chunk is read into the spare buffer");
    let mut all = first_bytes(second);
    for chunk in reader {
        all.extend(first_bytes(chunk.expect("read")));
    }
    assert_eq!(first_len + all.len(), text.len(), "every byte once");
    assert!(text.ends_with(&all));
}

fn first_bytes(chunk: Chunk) -> Vec<u8> {
    chunk.bytes().to_vec()
}

/// Scans `bytes` (an `id,name` header first) and gives every record visited as (line, id,
/// name), in line order; with `only`, through [`CsvSource::only_lines`].
fn scan_records(bytes: Vec<u8>, only: Option<Vec<u64>>) -> Vec<(u64, String, String)> {
    let mut source = id_name_source(bytes);
    if let Some(lines) = only {
        source.only_lines(lines);
    }
    let states = source
        .scan(Vec::new, |seen: &mut Vec<(u64, String, String)>, fields| {
            seen.push((fields.line, fields.get(Some(0)).to_owned(), fields.get(Some(1)).to_owned()))
        })
        .unwrap();
    let mut seen: Vec<_> = states.into_iter().flatten().collect();
    seen.sort();
    seen
}

/// The records on `lines`, from a whole scan.
fn on_lines(all: &[(u64, String, String)], lines: &[u64]) -> Vec<(u64, String, String)> {
    all.iter().filter(|(line, ..)| lines.contains(line)).cloned().collect()
}

#[test]
fn a_scan_of_some_lines_reads_those_records_as_a_whole_scan_does() {
    // Quoted line breaks (each record after one starts lines later than its position),
    // CRLF, non-ASCII text, a last record without a line end; about 2.5 blocks, so several
    // chunks read by workers.
    let mut text = String::from("id,name\r\n");
    let rows = 140_000u64;
    for n in 0..rows {
        match n % 7 {
            0 => text.push_str(&format!("{n},\"two\r\nlines {n}\"\r\n")),
            3 => text.push_str(&format!("\"{n}\",Åsa \"\"{n}\"\"\r\n")),
            _ => text.push_str(&format!("{n},name {n}\r\n")),
        }
    }
    text.push_str("last,\"no line end\nafter a break\"");
    assert!(text.len() > 2 * BLOCK);
    let all = scan_records(text.clone().into_bytes(), None);
    assert_eq!(all.len() as u64, rows + 1);
    // The first and last records, every 997th, and one on either side of each of those.
    let mut wanted: Vec<u64> = vec![all[0].0, all[all.len() - 1].0];
    for at in (1..all.len() - 1).step_by(997) {
        wanted.extend([all[at - 1].0, all[at].0, all[at + 1].0]);
    }
    // A line past the end is passed over.
    wanted.push(99_999_999);
    wanted.sort();
    wanted.dedup();
    let some = scan_records(text.clone().into_bytes(), Some(wanted.clone()));
    assert_eq!(some, on_lines(&all, &wanted));
    assert!(some.len() > 400);
    // The same in Windows-1252, and in a file of one chunk.
    let latin: Vec<u8> = text.chars().map(|c| if c == 'Å' { 0xC5 } else { c as u8 }).collect();
    assert_eq!(scan_records(latin, Some(wanted.clone())), on_lines(&all, &wanted));
    let small: String = text.lines().take(60).flat_map(|l| [l, "\n"]).collect();
    let all_small = scan_records(small.clone().into_bytes(), None);
    let few = vec![all_small[0].0, all_small[5].0, all_small[all_small.len() - 1].0];
    assert_eq!(scan_records(small.into_bytes(), Some(few.clone())), on_lines(&all_small, &few));
}

proptest::proptest! {
    /// Any records, any choice of them by line: read alone, each is what a whole scan reads.
    #[test]
    fn any_lines_read_alone_as_in_a_whole_scan(
        rows in proptest::collection::vec(("[a-c0-9]{1,4}", "[a-c,\"\n ;]{0,6}"), 1..40),
        pick in proptest::collection::vec(proptest::bool::ANY, 40),
    ) {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        w.write_record(["id", "name"]).unwrap();
        for (id, name) in &rows {
            w.write_record([id, name]).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let all = scan_records(bytes.clone(), None);
        let wanted: Vec<u64> = all.iter().zip(&pick).filter(|(_, p)| **p).map(|((line, ..), _)| *line).collect();
        proptest::prop_assert_eq!(scan_records(bytes, Some(wanted.clone())), on_lines(&all, &wanted));
    }
}

/// [`split_line_in_three_passes`], its fields as a list.
fn split_slowly(bytes: &[u8], start: usize, delimiter: u8) -> Option<(usize, Vec<(usize, usize)>)> {
    let mut bounds = Vec::new();
    split_line_in_three_passes(bytes, start, delimiter, &mut bounds).map(|end| (end, bounds))
}

#[test]
fn a_line_is_split_in_one_pass_as_in_three() {
    // Fields across the sixteen-byte blocks, a quote or line end at the last byte of a block
    // and the first of the next (every start moves them through every place), a line that
    // ends with the bytes in a padded block, CRLF, a delimiter as the last byte before the end.
    let cases: [&[u8]; 11] = [
        b"",
        b"a",
        b"370894,C000001,2025-11-01,2025-12-01,1200.00,0.00,SEK,,\r\nnext,line",
        b"1234567,\n",
        b"12345678\"9,x",
        b"123456789012345,\n,x",
        b"123456789012345\"\"x,y",
        b",,,,,,,,,,,,,,,,,",
        b"abc,def\r",
        b"abcdefg,\r\n",
        "å,ä,ö,€,\u{feff},x".as_bytes(),
    ];
    for bytes in cases {
        for start in 0..=bytes.len() {
            let mut bounds = vec![(9, 9)];
            let got = split_line(bytes, start, b',', &mut bounds).map(|end| (end, bounds));
            assert_eq!(
                got,
                split_slowly(bytes, start, b','),
                "{:?} from {start}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

proptest::proptest! {
    /// Any bytes, any delimiter (those no file uses too), from any start: the same end, the
    /// same fields, the same quote found.
    #[test]
    fn any_line_is_split_in_one_pass_as_in_three(
        bytes in proptest::collection::vec(proptest::sample::select(b",;|\t\"\r\nab\xc3\xa5 ".to_vec()), 0..70),
        start in 0usize..70,
        delimiter in proptest::sample::select(b",;|\t\r\n\"a".to_vec()),
    ) {
        let start = start.min(bytes.len());
        let mut bounds = Vec::new();
        let got = split_line(&bytes, start, delimiter, &mut bounds).map(|end| (end, bounds));
        proptest::prop_assert_eq!(got, split_slowly(&bytes, start, delimiter));
    }
}

#[test]
fn where_equal_marks_exactly_the_equal_bytes() {
    for byte in [0u8, 1, b',', b'\n', 0x7f, 0x80, 0xff] {
        for other in 0..=255u8 {
            for at in [0, 1, 7, 8, 15] {
                let mut block = [other; AT_ONCE];
                block[at] = byte;
                let expected =
                    |byte: u8| (0..AT_ONCE).filter(|&i| block[i] == byte).map(|i| 1u32 << i).sum::<u32>();
                assert_eq!(
                    where_equal(&block, [byte, other, b'"']),
                    [expected(byte), expected(other), expected(b'"')]
                );
            }
        }
    }
}
