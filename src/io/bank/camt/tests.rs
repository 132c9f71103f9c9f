use super::*;
use crate::io::bank::testing::{day, dec, fixture, sample};
use proptest::prelude::*;

fn parse_ok(bytes: &[u8]) -> BankFile {
    parse_camt(bytes).unwrap_or_else(|e| panic!("{e:?}"))
}

struct Want<'a> {
    txid: &'a str,
    location: &'a str,
    date: NaiveDate,
    amount: &'a str,
    currency: &'a str,
    references: Vec<&'a str>,
    amounts: Vec<Option<&'a str>>,
    message: Option<&'a str>,
    payer: Option<&'a str>,
}

fn check(p: &BankPayment, w: &Want<'_>) {
    assert_eq!(p.txid, w.txid);
    assert_eq!(p.location, w.location, "{}", w.txid);
    assert_eq!(p.date, w.date, "{}", w.txid);
    assert_eq!(p.amount, dec(w.amount), "{}", w.txid);
    assert_eq!(p.currency.as_deref(), Some(w.currency), "{}", w.txid);
    assert_eq!(p.references, w.references, "{}", w.txid);
    let amounts: Vec<Option<Decimal>> = w.amounts.iter().map(|a| a.map(dec)).collect();
    assert_eq!(p.reference_amounts, amounts, "{}", w.txid);
    assert_eq!(p.message.as_deref(), w.message, "{}", w.txid);
    assert_eq!(p.payer.as_deref(), w.payer, "{}", w.txid);
}

fn check_all(file: &BankFile, wants: &[Want<'_>]) {
    assert_eq!(file.payments.len(), wants.len(), "{:#?}", file.payments);
    for (p, w) in file.payments.iter().zip(wants) {
        check(p, w);
    }
}

fn skipped(file: &BankFile) -> Vec<(&str, &str)> {
    file.skipped.iter().map(|s| (s.location.as_str(), s.reason.as_str())).collect()
}

const N054: &str = "Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]";
const S053: &str = "Document/BkToCstmrStmt/Stmt[1]";

#[test]
fn sample_fffs_camt054_cr_only_with_comments() {
    let file = parse_ok(&sample("camt054-fffs-fi-example.xml"));
    assert_eq!(file.format, BankFormat::Camt054);
    assert_eq!(file.version.as_deref(), Some("camt.054.001.02"));
    assert_eq!(file.created, Some(day(2017, 7, 30)));
    let d = day(2017, 7, 29);
    let loc = |e: u32, t: u32| format!("{N054}/Ntry[{e}]/NtryDtls/TxDtls[{t}]");
    let locs = [loc(1, 1), loc(1, 2), loc(2, 1), loc(2, 2), loc(3, 1), loc(3, 2)];
    check_all(
        &file,
        &[
            Want {
                txid: "091029ACCTSTMTARCH04/D091029N987654321S001",
                location: &locs[0],
                date: d,
                amount: "1900.00",
                currency: "EUR",
                references: vec!["3900", "12344"],
                amounts: vec![Some("2500.00"), Some("-600.00")],
                message: None,
                payer: Some("PAYERS NAME1"),
            },
            Want {
                txid: "091029ACCTSTMTARCH04/D091029N987654321S002",
                location: &locs[1],
                date: d,
                amount: "100.00",
                currency: "EUR",
                references: vec!["43216"],
                amounts: vec![Some("100.00")],
                message: None,
                payer: Some("PAYERS NAME2"),
            },
            Want {
                txid: "091029ACCTSTMTARCH21/D091029N987654321S211",
                location: &locs[2],
                date: d,
                amount: "400.00",
                currency: "EUR",
                references: vec!["3900"],
                amounts: vec![Some("400.00")],
                message: None,
                payer: Some("PAYERS NAME1"),
            },
            Want {
                txid: "091029ACCTSTMTARCH21/D091029N987654321S212",
                location: &locs[3],
                date: d,
                amount: "100.00",
                currency: "EUR",
                references: vec!["43216"],
                amounts: vec![Some("100.00")],
                message: None,
                payer: Some("PAYERS NAME2"),
            },
            Want {
                txid: "091029ACCTSTMTARCH05/D091029N123456789S001",
                location: &locs[4],
                date: d,
                amount: "2500.00",
                currency: "EUR",
                // The trailing blank of "RF7812345 " is trimmed.
                references: vec!["RF7812345", "RF0812344"],
                amounts: vec![Some("3500.00"), Some("-1000.00")],
                message: None,
                payer: Some("AT-02 DEBTOR NAME 01"),
            },
            Want {
                txid: "091029ACCTSTMTARCH05/D091029N123456789S002",
                location: &locs[5],
                date: d,
                amount: "500.00",
                currency: "EUR",
                references: vec![],
                amounts: vec![],
                message: Some("RFB/557742358"),
                payer: Some("AT-02 DEBTOR NAME 02"),
            },
        ],
    );
    assert_eq!(
        skipped(&file),
        vec![
            (format!("{N054}/Ntry[4]").as_str(), "debit entry of 4230.05 EUR"),
            (format!("{N054}/Ntry[5]").as_str(), "debit entry of 1000.00 EUR"),
            (
                format!("{N054}/Ntry[6]").as_str(),
                "reversal (RvslInd true) of a CRDT entry of 100.00 EUR, reason AC01: \
                 a returned or failed transaction, not a payment"
            ),
        ]
    );
}

#[test]
fn sample_oca_camt054_v04_proprietary_reference() {
    let file = parse_ok(&sample("camt054-oca-v04-test.xml"));
    assert_eq!(file.version.as_deref(), Some("camt.054.001.04"));
    assert_eq!(file.created, Some(day(2022, 1, 26)));
    assert!(file.skipped.is_empty());
    check_all(
        &file,
        &[Want {
            txid: "98888208N8/15180015077602405",
            location: &format!("{N054}/Ntry[1]/NtryDtls/TxDtls[1]"),
            date: day(2022, 1, 26),
            amount: "5.00",
            currency: "EUR",
            references: vec!["000000000000000000000000003"],
            amounts: vec![None],
            message: None,
            payer: Some("Test Customer"),
        }],
    );
}

#[test]
fn one_line_copy_parses_the_same() {
    let original = sample("camt054-oca-v04-test.xml");
    let text = String::from_utf8(original.clone()).unwrap_or_default();
    let one_line: String = text.lines().map(str::trim).collect();
    assert!(!one_line.contains('\n'));
    assert_eq!(parse_ok(one_line.as_bytes()), parse_ok(&original));
}

#[test]
fn sample_nordea_dk_camt053() {
    let file = parse_ok(&sample("camt053-nordea-dk-example.xml"));
    assert_eq!(file.format, BankFormat::Camt053);
    assert_eq!(file.version.as_deref(), Some("camt.053.001.02"));
    assert_eq!(file.created, Some(day(2020, 9, 25)));
    let d = day(2020, 9, 24);
    let loc = |e: u32, t: u32| format!("{S053}/Ntry[{e}]/NtryDtls/TxDtls[{t}]");
    let locs = [loc(1, 1), loc(2, 1), loc(3, 1), loc(4, 1), loc(4, 2), loc(6, 1)];
    let lines: Vec<String> = (1..=10).map(|i| format!("REMITTANCE INFO LINE {i:02}")).collect();
    let ten_lines = lines.join(" ");
    check_all(
        &file,
        &[
            Want {
                txid: "3896981720268/6110273894",
                location: &locs[0],
                date: d,
                amount: "100.00",
                currency: "DKK",
                references: vec![],
                amounts: vec![],
                message: Some(&ten_lines),
                payer: Some("PAYERS NAME AND ADDRESS 1"),
            },
            Want {
                txid: "2149202009236109891174",
                location: &locs[1],
                date: d,
                amount: "200.00",
                currency: "DKK",
                references: vec!["71/000000020211041"],
                amounts: vec![Some("200.00")],
                message: None,
                payer: None,
            },
            Want {
                txid: "3895197120268/2110197550",
                location: &locs[2],
                date: d,
                amount: "300.00",
                currency: "DKK",
                references: vec!["RF12510007547061"],
                amounts: vec![Some("300.00")],
                message: None,
                payer: Some("PAYERS NAME AND ADDRESS 1"),
            },
            Want {
                txid: "K88889999-2309/2149202009244110197552",
                location: &locs[3],
                date: d,
                amount: "150.00",
                currency: "DKK",
                references: vec!["71/000000003097920"],
                amounts: vec![Some("150.00")],
                message: None,
                payer: None,
            },
            Want {
                txid: "K88889999-2309/2149202009243110197551",
                location: &locs[4],
                date: d,
                amount: "250.00",
                currency: "DKK",
                references: vec!["71/123456789012347"],
                amounts: vec![Some("250.00")],
                message: None,
                payer: None,
            },
            Want {
                txid: "7463038123521/8D39484700000021",
                location: &locs[5],
                date: d,
                amount: "28286.58",
                currency: "DKK",
                references: vec![],
                amounts: vec![],
                message: Some(
                    "0000089207 0051012399 0000089209 0051012400 0000089213 0051012401 0000089214 0051012402",
                ),
                payer: Some("PAYERS NAME"),
            },
        ],
    );
    assert_eq!(skipped(&file), vec![(format!("{S053}/Ntry[5]").as_str(), "debit entry of 66962.50 DKK")]);
}

#[test]
fn sample_fffs_camt053_crlf_entries_without_details() {
    let file = parse_ok(&sample("camt053-fffs-fi-example.xml"));
    assert_eq!(file.version.as_deref(), Some("camt.053.001.02"));
    assert_eq!(file.created, Some(day(2017, 7, 30)));
    let d = day(2017, 7, 29);
    let loc = |e: u32| format!("{S053}/Ntry[{e}]/NtryDtls/TxDtls[1]");
    let locs = [loc(4), loc(5), loc(6), loc(7), loc(8), loc(9)];
    let plain = |txid, location, amount| Want {
        txid,
        location,
        date: d,
        amount,
        currency: "CHF",
        references: vec![],
        amounts: vec![],
        message: None,
        payer: None,
    };
    check_all(
        &file,
        &[
            plain("091029ACCTSTMTARCH04", &locs[0], "2000.00"),
            plain("091029ACCTSTMTARCH21", &locs[1], "500.00"),
            plain("091029ACCTSTMTARCH05", &locs[2], "3000.00"),
            Want {
                message: Some("INVOICE US20291092"),
                payer: Some("DEBTOR NAME"),
                ..plain("091029ACCTSTMTARCH06", &locs[3], "2120.00")
            },
            Want {
                references: vec!["RF98123456789012"],
                amounts: vec![Some("5500.00")],
                payer: Some("PAYERS NAME2"),
                ..plain("091029ACCTSTMTARCH07", &locs[4], "5455.00")
            },
            Want {
                references: vec!["RF98123456789012"],
                amounts: vec![None],
                payer: Some("DEBTOR"),
                ..plain("091029ACCTSTMTARCH08", &locs[5], "10000.00")
            },
        ],
    );
    let reasons: Vec<String> = file.skipped.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(
        reasons,
        vec![
            "debit entry of 1000.12 CHF",
            "debit entry of 4000.00 CHF",
            "debit entry of 4230.05 CHF",
            "debit entry of 200.00 CHF",
        ]
    );
}

#[test]
fn fixture_camt053_v08_two_credits_and_a_debit() {
    let file = parse_ok(&fixture("camt053-v08-credits-debit.xml"));
    assert_eq!(file.format, BankFormat::Camt053);
    assert_eq!(file.version.as_deref(), Some("camt.053.001.08"));
    assert_eq!(file.created, Some(day(2024, 5, 3)));
    let loc = |t: u32| format!("{S053}/Ntry[1]/NtryDtls/TxDtls[{t}]");
    let (l1, l2) = (loc(1), loc(2));
    check_all(
        &file,
        &[
            Want {
                txid: "SE-NTRY-0001/SE-TX-0001",
                location: &l1,
                date: day(2024, 5, 2),
                amount: "1250.00",
                currency: "SEK",
                references: vec!["4455667788", "4455667796"],
                amounts: vec![Some("1000.00"), Some("250.00")],
                message: None,
                payer: Some("Åkeriet i Västerås AB"),
            },
            Want {
                txid: "SE-NTRY-0001/SE-TX-0002",
                location: &l2,
                date: day(2024, 5, 2),
                amount: "199.50",
                currency: "SEK",
                references: vec![],
                amounts: vec![],
                message: Some("Faktura 1017 & 1018, tack för senast"),
                payer: Some("Märta Öhrn"),
            },
        ],
    );
    assert_eq!(
        skipped(&file),
        vec![
            (format!("{S053}/Ntry[2]").as_str(), "debit entry of 300.00 SEK"),
            (format!("{S053}/Ntry[3]").as_str(), "credit entry of 75.00 SEK with status PDNG: not booked"),
        ]
    );
}

#[test]
fn fixture_malformed_xml_names_line_and_path() {
    let errors = parse_camt(&fixture("camt054-malformed.xml")).unwrap_err();
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(
        e.location,
        "line 18, Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/NtryDtls/TxDtls[1]/AmtDtls/TxAmt/Amt"
    );
    assert!(e.message.starts_with("XML error"), "{e}");
    assert!(e.message.contains("Amt"), "{e}");
}

fn minimal(entry: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\r<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\r\
         <BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-01-02T10:00:00</CreDtTm></GrpHdr>\r\
         <Ntfctn><Id>N1</Id>\r{entry}\r</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    )
}

#[test]
fn semantic_errors_name_line_and_path() {
    let xml = minimal(
        "<Ntry><Amt Ccy=\"SEK\">1,5</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\r\
         <Ntry><Amt Ccy=\"SEK\">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts></Ntry>\r\
         <Ntry><Amt Ccy=\"SEK\">2.00</Amt><CdtDbtInd>CREDIT</CdtDbtInd></Ntry>",
    );
    let errors: Vec<String> =
        parse_camt(xml.as_bytes()).unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        vec![
            "line 5, Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/Amt: amount \"1,5\" is not a decimal number",
            "line 6, Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[2]: credit entry without a booking date (BookgDt) or value date (ValDt)",
            "line 7, Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[3]: CdtDbtInd \"CREDIT\" is neither CRDT nor DBIT",
        ]
    );
}

#[test]
fn entry_level_payment_and_ids_without_bank_references() {
    let xml = minimal(
        "<Ntry><NtryRef>7</NtryRef><Amt Ccy=\"SEK\">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>\
         <BookgDt><DtTm>2024-01-02T23:30:00+01:00</DtTm></BookgDt></Ntry>\
         <Ntry><Amt Ccy=\"SEK\">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>2024-01-03</Dt></ValDt>\
         <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy=\"SEK\">10.00</Amt></TxDtls>\
         <TxDtls><Refs><EndToEndId>E2E-2</EndToEndId></Refs><Amt Ccy=\"SEK\">15.00</Amt>\
         <RmtInf><Strd><CdtrRefInf><Ref>RF18 5390 0754 7034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>\
         <TxDtls><Amt>5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>\
         <TxDtls><Refs><EndToEndId>E2E-4</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>",
    );
    let file = parse_ok(xml.as_bytes());
    let ids: Vec<&str> = file.payments.iter().map(|p| p.txid.as_str()).collect();
    assert_eq!(
        ids,
        vec!["N1:7", "M1:Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[2]/NtryDtls/TxDtls[1]", "E2E-2"]
    );
    assert_eq!(file.payments[0].date, day(2024, 1, 2));
    assert_eq!(file.payments[0].location, format!("{N054}/Ntry[1]"));
    assert_eq!(file.payments[1].date, day(2024, 1, 3));
    assert_eq!(file.payments[2].references, vec!["RF18 5390 0754 7034"]);
    assert_eq!(file.skipped.len(), 2);
    assert_eq!(file.skipped[0].reason, "debit transaction inside a credit entry");
    assert!(file.skipped[1].reason.starts_with("no amount for this transaction, one of 4"));
}

#[test]
fn other_roots_and_encodings() {
    let report = "<Document><BkToCstmrAcctRpt/></Document>";
    let errors = parse_camt(report.as_bytes()).unwrap_err();
    assert_eq!(errors[0].location, "line 1, Document/BkToCstmrAcctRpt");
    assert!(errors[0].message.contains("camt.052"));

    let latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><BkToCstmrStmt><Stmt><Ntry>\
        <Amt Ccy=\"SEK\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-02-01</Dt></BookgDt>\
        <NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>G\xf6ran</Nm></Pty></Dbtr></RltdPties></TxDtls></NtryDtls>\
        </Ntry></Stmt></BkToCstmrStmt>";
    let file = parse_ok(latin);
    assert_eq!(file.payments[0].payer.as_deref(), Some("Göran"));
    assert_eq!(file.version, None);
    assert_eq!(file.payments[0].location, "BkToCstmrStmt/Stmt[1]/Ntry[1]/NtryDtls/TxDtls[1]");

    let errors = parse_camt(b"<Document>\n<BkToCstmrStmt>\xff</BkToCstmrStmt></Document>").unwrap_err();
    assert_eq!(errors[0].location, "line 2");

    let errors = parse_camt(b"<Document><BkToCstmrStmt>&bogus;</BkToCstmrStmt></Document>").unwrap_err();
    assert_eq!(errors[0].message, "unknown entity &bogus;");

    let errors = parse_camt(b"<Document><BkToCstmrStmt>").unwrap_err();
    assert!(errors[0].location.starts_with("line 1, Document/BkToCstmrStmt"), "{:?}", errors);

    let deep = "<a>".repeat(100);
    assert!(parse_camt(deep.as_bytes()).is_err());
    assert!(parse_camt(b"").is_err());
}

#[test]
fn amounts_are_strict() {
    assert_eq!(parse_amount("1900.00"), Some(dec("1900.00")));
    assert_eq!(parse_amount("5"), Some(dec("5")));
    for bad in ["", "-5.00", "+5", "1_000.00", "1e3", "1.", ".5", "1.2.3", "1,50"] {
        assert_eq!(parse_amount(bad), None, "{bad}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_camt(&bytes);
    }

    #[test]
    fn never_panics_on_mutated_samples(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = sample("camt053-nordea-dk-example.xml");
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse_camt(&bytes);
    }
}
