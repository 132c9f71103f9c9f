use super::*;
use crate::io::bank::testing::{fixture, sample};
use crate::io::bank::{make_txids_unique, parse_camt};
use proptest::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

type Parsed = Result<BankFile, Vec<BankError>>;

/// The stream's result with the payments it emitted put back (made unique as the whole-file
/// parser makes them), and its hash; `None` when it declines the file.
fn streamed(bytes: &[u8]) -> Option<(Parsed, String)> {
    let mut payments = Vec::new();
    let read = stream_camt(&|| Ok(bytes), &mut |p| payments.push(p)).unwrap_or_else(|e| panic!("{e}"))?;
    let file = read.file.map(|mut file| {
        make_txids_unique(&mut payments);
        file.payments = payments;
        file
    });
    Some((file, read.hash))
}

/// The stream reads `bytes` exactly as the whole-file parser does.
fn assert_same(bytes: &[u8], what: &str) {
    let (file, hash) = streamed(bytes).unwrap_or_else(|| panic!("{what}: the stream declined it"));
    assert_eq!(file, parse_camt(bytes), "{what}");
    assert_eq!(hash, crate::io::import_files::content_hash(bytes), "{what}");
}

fn camt_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = [
        "camt054-fffs-fi-example.xml",
        "camt054-oca-v04-test.xml",
        "camt053-nordea-dk-example.xml",
        "camt053-fffs-fi-example.xml",
    ]
    .iter()
    .map(|name| (name.to_string(), sample(name)))
    .collect();
    for name in ["camt053-v08-credits-debit.xml", "camt054-malformed.xml"] {
        files.push((name.to_string(), fixture(name)));
    }
    files
}

#[test]
fn every_sample_and_fixture_streams_as_it_parses_whole() {
    for (name, bytes) in camt_files() {
        assert_same(&bytes, &name);
        // The same with other line ends, on one line, and after a byte order mark.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert_same(text.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes(), &format!("{name} CRLF"));
        assert_same(text.replace("\r\n", "\n").replace('\n', "\r").as_bytes(), &format!("{name} CR"));
        assert_same(text.replace(['\r', '\n'], "").as_bytes(), &format!("{name} one line"));
        assert_same(&[b"\xEF\xBB\xBF".as_slice(), &bytes].concat(), &format!("{name} BOM"));
    }
    let (file, _) = streamed(&sample("camt053-nordea-dk-example.xml")).unwrap();
    assert!(!file.unwrap().payments.is_empty(), "the comparison saw payments");
}

fn minimal(entries: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\n\
         <BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-01-02T10:00:00</CreDtTm></GrpHdr>\n\
         <Ntfctn><Id>N1</Id><Acct><Id><IBAN>SE45</IBAN></Id></Acct>\n{entries}\n</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    )
}

fn credit(amount: &str, reference: &str) -> String {
    format!(
        "<Ntry><Amt Ccy=\"SEK\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-02</Dt></BookgDt>\
         <NtryDtls><TxDtls><RmtInf><Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
    )
}

#[test]
fn errors_are_the_whole_files_at_the_same_line() {
    let good = credit("10.00", "1234");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "entry errors",
            minimal(&format!(
                "{good}<Ntry><Amt Ccy=\"SEK\">1,5</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\n{good}\
                 <Ntry><Amt Ccy=\"XYZ\">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\n\
                 <Ntry><Amt Ccy=\"SEK\">2.00</Amt><CdtDbtInd>CREDIT</CdtDbtInd></Ntry>"
            ))
            .into_bytes(),
        ),
        (
            "an XML error after entry errors",
            minimal(&format!("<Ntry><Amt>x</Amt></Ntry>\n{good}<Ntry><Amt></Ntry>")).into_bytes(),
        ),
        ("truncated", minimal(&good).as_bytes()[..300].to_vec()),
        ("bad UTF-8 late", [minimal(&good).as_bytes(), b"\n<!-- \xff -->"].concat()),
        ("bad UTF-8 after an XML error", [minimal("<Ntry></Nt>").as_bytes(), b"\n\n\xc3"].concat()),
        (
            "bad UTF-8 after a BOM",
            [b"\xEF\xBB\xBF".as_slice(), minimal(&good).as_bytes(), b"\xe2\x82"].concat(),
        ),
        ("unknown namespace", minimal(&good).replace("camt.054.001.08", "camt.054.002.08").into_bytes()),
        ("camt.052", b"<Document>\n<BkToCstmrAcctRpt/></Document>".to_vec()),
        ("empty Document", b"<Document></Document>".to_vec()),
        ("two roots", format!("{}<Document/>", minimal(&good)).into_bytes()),
        ("text outside", format!("{} x", minimal(&good)).into_bytes()),
        ("entity", minimal(&format!("{good}<Ntry>&bogus;</Ntry>")).into_bytes()),
        ("deep", "<a>".repeat(100).into_bytes()),
        ("empty", Vec::new()),
        ("blank", b" \r\n ".to_vec()),
        ("CR before an error", b"<Document>\r<BkToCstmrStmt>\r\n</Document>".to_vec()),
    ];
    for (what, bytes) in cases {
        let whole = parse_camt(&bytes);
        assert!(whole.is_err(), "{what}: {whole:?}");
        assert_same(&bytes, what);
    }
}

#[test]
fn many_errors_stop_at_the_limit_as_whole() {
    let bad = "<Ntry><Amt Ccy=\"SEK\">1,5</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\n".repeat(80);
    let bytes = minimal(&bad).into_bytes();
    assert_eq!(parse_camt(&bytes).unwrap_err().len(), crate::io::bank::MAX_ERRORS);
    assert_same(&bytes, "80 bad entries");
}

#[test]
fn files_the_stream_cannot_read_as_whole_are_declined() {
    let good = credit("10.00", "1234");
    // The group header after the entries: their ids would be read without it.
    let late_header = minimal(&good)
        .replace("<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-01-02T10:00:00</CreDtTm></GrpHdr>", "");
    let late_header = late_header.replace("</Ntfctn>", "</Ntfctn><GrpHdr><MsgId>M1</MsgId></GrpHdr>");
    assert!(parse_camt(late_header.as_bytes()).is_ok());
    assert!(streamed(late_header.as_bytes()).is_none());
    // A statement id after its first entry.
    let late_id = minimal(&format!("{good}<Id>N2</Id>{good}")).replace("<Id>N1</Id>", "");
    assert!(streamed(late_id.as_bytes()).is_none());
    // Another encoding than UTF-8.
    let latin = minimal(&credit("10.00", "G\u{f6}ran"))
        .replace("<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>");
    let latin: Vec<u8> = latin.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
    assert!(parse_camt(&latin).is_ok());
    assert!(streamed(&latin).is_none());
    // The same header once more, but before the entries: read.
    assert_same(minimal(&format!("{good}{good}")).as_bytes(), "two entries");
}

/// A reader that says how far it has been read.
struct Watched<'a> {
    bytes: &'a [u8],
    read: Rc<Cell<usize>>,
}

impl Read for Watched<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let at = self.read.get();
        let n = out.len().min(self.bytes.len() - at).min(4096);
        out[..n].copy_from_slice(&self.bytes[at..at + n]);
        self.read.set(at + n);
        Ok(n)
    }
}

#[test]
fn payments_come_out_before_the_file_is_read() {
    let entries: String = (0..20_000).map(|i| credit("10.00", &format!("{i}"))).collect();
    let bytes = minimal(&entries).into_bytes();
    assert!(bytes.len() > 4_000_000);
    let read = Rc::new(Cell::new(0));
    let mut first_at = None;
    let mut count = 0;
    let open = || Ok(Watched { bytes: &bytes, read: Rc::new(Cell::new(0)) });
    let opened = Watched { bytes: &bytes, read: Rc::clone(&read) };
    let once = std::cell::RefCell::new(Some(opened));
    let open_once = || match once.borrow_mut().take() {
        Some(first) => Ok(first),
        None => open(),
    };
    let result = stream_camt(&open_once, &mut |_| {
        count += 1;
        first_at.get_or_insert(read.get());
    })
    .unwrap()
    .unwrap();
    assert!(result.file.is_ok());
    assert_eq!(count, 20_000);
    // The first payment was given out while less than a tenth of the file had been read.
    assert!(first_at.unwrap() < bytes.len() / 10, "{first_at:?} of {}", bytes.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_never_panic_and_read_as_whole(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Some((file, _)) = streamed(&bytes) {
            prop_assert_eq!(file, parse_camt(&bytes));
        }
    }

    /// Damaged samples: wherever the damage, the stream reads them (or declines) as whole.
    #[test]
    fn damaged_samples_read_as_whole(
        which in 0usize..6,
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(b"<>/&\"'= \r\n\xc3\xffA1".to_vec())),
            1..6,
        ),
    ) {
        let (_, mut bytes) = camt_files().swap_remove(which);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Some((file, _)) = streamed(&bytes) {
            prop_assert_eq!(file, parse_camt(&bytes));
        }
    }
}
