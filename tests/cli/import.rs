//! `dun import`, `dun assign` and the freshness gate of `dun remind` / `dun collect`, on the
//! real bank samples in tests/fixtures/samples/bank and on files built here.

use std::path::PathBuf;

use dun::core::reference::{RefKind, generate_reference};

use crate::common::*;

fn sample(name: &str) -> String {
    format!("{}/tests/fixtures/samples/bank/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/bank/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn ocr(body: &str) -> String {
    generate_reference(RefKind::Ocr, body).unwrap()
}

fn read(l: &Ledger, name: &str) -> String {
    std::fs::read_to_string(l.file(name)).unwrap_or_default()
}

/// The files an import writes, byte for byte (`None`: absent).
fn written(l: &Ledger) -> Vec<Option<Vec<u8>>> {
    ["payments.csv", "unmatched.csv", "imports.csv", "journal.csv"]
        .iter()
        .map(|f| std::fs::read(l.file(f)).ok())
        .collect()
}

/// Lines of a CSV file after the header.
fn rows(l: &Ledger, name: &str) -> Vec<String> {
    read(l, name).lines().skip(1).map(str::to_owned).collect()
}

/// One 80-character BgMax record: text at 1-based positions, blanks elsewhere.
fn record(fields: &[(usize, &str)]) -> String {
    let mut r = vec![' '; 80];
    for (pos, text) in fields {
        for (i, c) in text.chars().enumerate() {
            r[pos - 1 + i] = c;
        }
    }
    r.into_iter().collect()
}

pub(crate) struct Bg<'a> {
    pub reference: &'a str,
    pub ore: u64,
    pub serial: u64,
    pub payer: Option<&'a str>,
}

/// A BgMax file (ISO-8859-1, CRLF) with one section of payments dated `date` (YYYYMMDD).
pub(crate) fn bgmax(date: &str, payments: &[Bg<'_>]) -> Vec<u8> {
    let mut records = vec![
        record(&[(1, "01BGMAX"), (23, "01"), (25, &format!("{date}060000000000")), (45, "P")]),
        record(&[(1, "05"), (3, "0009912346"), (23, "SEK")]),
    ];
    for p in payments {
        records.push(record(&[
            (1, "20"),
            (3, "0000000000"),
            (13, &format!("{:>25}", p.reference)),
            (38, &format!("{:018}", p.ore)),
            (56, if p.reference.is_empty() { "0" } else { "2" }),
            (57, "1"),
            (58, &format!("{:012}", p.serial)),
            (70, "0"),
        ]));
        if let Some(payer) = p.payer {
            records.push(record(&[(1, "26"), (3, payer)]));
        }
    }
    let total: u64 = payments.iter().map(|p| p.ore).sum();
    records.push(record(&[
        (1, "15"),
        (22, "9999"),
        (26, "000000123456"),
        (38, date),
        (46, "00001"),
        (51, &format!("{total:018}")),
        (69, "SEK"),
        (72, &format!("{:08}", payments.len())),
    ]));
    records.push(record(&[
        (1, "70"),
        (3, &format!("{:08}", payments.len())),
        (11, "00000000"),
        (19, "00000000"),
        (27, "00000001"),
    ]));
    let text = records.join("\r\n") + "\r\n";
    text.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect()
}

pub(crate) fn txid(date: &str, serial: u64) -> String {
    format!("BG0009912346-{date}-00001-{serial:012}")
}

/// A camt.053 statement created on `created` with credit entries
/// `(id, booking date, amount, reference, payer)`.
fn camt053(created: &str, entries: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\
         <BkToCstmrStmt><GrpHdr><MsgId>MSG-{created}</MsgId><CreDtTm>{created}T06:00:00</CreDtTm></GrpHdr>\
         <Stmt><Id>STMT-{created}</Id><Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id><Ccy>SEK</Ccy></Acct>\n"
    );
    for (id, date, amount, reference, payer) in entries {
        xml.push_str(&format!(
            "<Ntry><Amt Ccy=\"SEK\">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{date}</Dt></BookgDt><AcctSvcrRef>{id}</AcctSvcrRef><NtryDtls><TxDtls>\
             <Refs><AcctSvcrRef>{id}-1</AcctSvcrRef></Refs><RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>\
             <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref>\
             </CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
        ));
    }
    xml + "</Stmt></BkToCstmrStmt></Document>\n"
}

const POLICY_GATE: &str = "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
bankgiro = \"5050-1055\"\nemail = \"faktura@test.se\"\norg_no = \"556677-8899\"\n\
[reminder]\nchannels = [\"email\"]\npayments_max_age_days = 3\n";

/// Three customers with one overdue invoice each (due 2026-10-31), OCR references 3001…3003.
fn shop() -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", POLICY_GATE);
    l.write(
        "customers.csv",
        "id,name,email,org_no,address,postcode,city\n\
         K1,Kalles Plåt AB,kalle@example.se,5560000001,Storgatan 1,11122,Stockholm\n\
         K2,Olles färg AB,olle@example.se,5560000002,Storgatan 2,11122,Stockholm\n\
         K3,Berits Garn,berit@example.se,5560000003,Storgatan 3,11122,Stockholm\n",
    );
    l.write(
        "invoices.csv",
        &format!(
            "number,customer,issued,due,amount,reference\n\
             3001,K1,2026-10-01,2026-10-31,1000.00,{}\n\
             3002,K2,2026-10-01,2026-10-31,2000.00,{}\n\
             3003,K3,2026-10-01,2026-10-31,500.00,{}\n",
            ocr("3001"),
            ocr("3002"),
            ocr("3003")
        ),
    );
    l
}

fn write_bank(l: &Ledger, name: &str, bytes: &[u8]) -> String {
    let path = l.file(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn out_files(l: &Ledger) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![l.file("out")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn import_then_remind_the_payer_is_no_longer_chased() {
    let l = shop();
    let err = l.fails(&["remind", "--as-of", "2026-11-24"], 1);
    assert!(err.contains("remind refused"), "{err}");
    assert!(err.contains("no bank file has been imported"), "{err}");

    let file = write_bank(
        &l,
        "BgMax_20261123.txt",
        &bgmax(
            "20261123",
            &[
                Bg { reference: &ocr("3001"), ore: 100_000, serial: 1, payer: Some("Kalles Plåt AB") },
                Bg { reference: &ocr("3002"), ore: 200_000, serial: 2, payer: Some("Olles färg AB") },
            ],
        ),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    assert_eq!(
        rows(&l, "payments.csv"),
        vec![
            format!(
                "2026-11-23,3001,1000.00,{},{},BgMax_20261123.txt,reference",
                ocr("3001"),
                txid("20261123", 1)
            ),
            format!(
                "2026-11-23,3002,2000.00,{},{},BgMax_20261123.txt,reference",
                ocr("3002"),
                txid("20261123", 2)
            ),
        ]
    );

    l.ok(&["remind", "--as-of", "2026-11-24"]);
    let letters: Vec<String> =
        out_files(&l).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(letters, vec!["reminder-1_K3_SEK.eml"]);
    let reminded: Vec<String> =
        rows(&l, "journal.csv").into_iter().filter(|r| r.contains(",reminder,")).collect();
    assert_eq!(reminded.len(), 1);
    assert!(reminded[0].starts_with("2026-11-24,reminder,3003,K3,"), "{reminded:?}");
}

#[test]
fn stale_bank_data_refuses_and_force_is_journaled() {
    let l = shop();
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261120", &[Bg { reference: &ocr("3001"), ore: 100_000, serial: 1, payer: None }]),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-20"]);
    let journal = read(&l, "journal.csv");
    let err = l.fails(&["remind", "--as-of", "2026-11-24"], 1);
    assert!(
        err.contains(
            "the newest bank data imported is from 2026-11-20, 4 days old; reminder.payments_max_age_days = 3 applies to customers K2, K3"
        ),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(read(&l, "journal.csv"), journal);
    assert!(out_files(&l).is_empty());
    // Three days is fresh enough.
    l.ok(&["remind", "--as-of", "2026-11-23", "--dry-run"]);

    l.ok(&["remind", "--as-of", "2026-11-24", "--force"]);
    assert_eq!(out_files(&l).len(), 2);
    let notes: Vec<String> = rows(&l, "journal.csv").into_iter().filter(|r| r.contains(",note,")).collect();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].starts_with(
            "2026-11-24,note,,,,,,,\"freshness gate overridden with --force (remind): the newest bank data imported is from 2026-11-20, 4 days old"
        ),
        "{notes:?}"
    );
}

#[test]
fn an_unmatched_payment_holds_back_its_customer_until_assigned() {
    let l = shop();
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: "", ore: 30_000, serial: 7, payer: Some("BERITS GARN") }]),
    );
    let out = l.ok(&["import", &file, "--as-of", "2026-11-24", "--format", "csv"]);
    assert!(out.contains("unmatched,SEK,1,300.00\n"), "{out}");
    let id = txid("20261123", 7);
    assert_eq!(
        rows(&l, "unmatched.csv"),
        vec![format!(
            "{id},2026-11-23,300.00,SEK,,,BERITS GARN,bg.txt,K3,\"no invoice's reference or number, and no single open invoice of this amount whose customer's name is in the payer's\""
        )]
    );

    let err = l.fails(&["remind", "--as-of", "2026-11-24"], 1);
    assert!(
        err.contains(&format!(
            "customer K3 may have paid: 1 payment is unmatched ({id} of 300.00 SEK on 2026-11-23)"
        )),
        "{err}"
    );
    // Another customer's reminders are not what holds the run back; K3's payment is.
    assert!(!err.contains("K1 may"), "{err}");

    let said = l.ok(&["assign", &id, "3003", "--as-of", "2026-11-24"]);
    assert!(said.contains("on invoice 3003: manual; part payment, 200.00 still open"), "{said}");
    assert_eq!(rows(&l, "unmatched.csv"), Vec::<String>::new());
    assert_eq!(rows(&l, "payments.csv"), vec![format!("2026-11-23,3003,300.00,,{id},bg.txt,manual")]);
    assert!(read(&l, "journal.csv").contains(&format!(
        "2026-11-23,payment,3003,K3,300.00,,,{id},\"manual; part payment, 200.00 still open\""
    )));
    let again = l.fails(&["assign", &id, "3003"], 1);
    assert!(again.contains("already recorded in payments.csv, on invoice 3003"), "{again}");

    l.ok(&["remind", "--as-of", "2026-11-24"]);
    assert_eq!(out_files(&l).len(), 3);
    // The reminder asks for what is still open.
    let eml = std::fs::read_to_string(l.file("out/2026-11-24/reminder-1_K3_SEK.eml")).unwrap();
    assert!(eml.contains("200,00"), "{eml}");
}

#[test]
fn assign_checks_what_it_names() {
    let l = shop();
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: "", ore: 150_000, serial: 9, payer: Some("Okänd") }]),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let id = txid("20261123", 9);
    assert!(l.fails(&["assign", "NOPE", "3001"], 1).contains("no payment \"NOPE\" in unmatched.csv"));
    assert!(l.fails(&["assign", &id, "9999"], 1).contains("no invoice \"9999\" in invoices.csv"));
    assert!(l.fails(&["assign", &id, "3001", "3001"], 1).contains("named twice"));
    // Several invoices: settled in order, the last takes the rest (here: an overpayment).
    let said = l.ok(&["assign", &id, "3003", "3001", "--as-of", "2026-11-24"]);
    assert!(said.contains("500.00 SEK on invoice 3003: manual\n"), "{said}");
    assert!(said.contains("1000.00 SEK on invoice 3001: manual\n"), "{said}");
    let l2 = shop();
    let file = write_bank(
        &l2,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: "", ore: 150_000, serial: 9, payer: Some("Okänd") }]),
    );
    l2.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let said = l2.ok(&["assign", &id, "3003", "--as-of", "2026-11-24"]);
    assert!(said.contains("overpaid by 1000.00: a credit of K3 Berits Garn"), "{said}");
    let report = l2.ok(&["report", "--format", "csv", "--as-of", "2026-11-24"]);
    assert!(report.contains("K3,Berits Garn,SEK,-1000.00,0.00,0.00,0.00,0.00,-1000.00"), "{report}");
}

#[test]
fn collect_is_gated_too() {
    let l = shop();
    l.write(
        "journal.csv",
        "date,event,invoice,customer,amount,until,channel,ref,note\n\
         2026-11-07,reminder,3003,K3,0.00,2026-11-10,email,x,\n",
    );
    let err = l.fails(&["collect", "--as-of", "2026-11-24"], 1);
    assert!(err.contains("collect refused"), "{err}");
    assert!(err.contains("customer K3"), "{err}");
    l.ok(&["collect", "--as-of", "2026-11-24", "--force"]);
    let journal = read(&l, "journal.csv");
    assert!(journal.contains(",collection,3003,K3,"), "{journal}");
    assert!(
        journal.contains("freshness gate overridden with --force (collect): no bank file has been imported")
    );
}

#[test]
fn importing_the_same_file_twice_adds_nothing() {
    let l = shop();
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax(
            "20261123",
            &[
                Bg { reference: &ocr("3001"), ore: 100_000, serial: 1, payer: None },
                Bg { reference: "", ore: 4_200, serial: 2, payer: None },
            ],
        ),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let before = written(&l);
    let out = l.ok(&["import", &file, "--as-of", "2026-11-25", "--format", "csv"]);
    assert!(out.contains("reference,SEK,0,0.00\n"), "{out}");
    assert!(out.contains("duplicate,SEK,2,1042.00\n"), "{out}");
    assert_eq!(written(&l), before);
}

/// Two camt.053 statements of the shop's customers that overlap in one entry (`E2`): the
/// first has E1 and E2, the second E2 again and E3. Their paths.
fn overlapping_statements(l: &Ledger) -> (String, String) {
    let (r1, r2, r3) = (ocr("3001"), ocr("3002"), ocr("3003"));
    let first = camt053(
        "2026-11-21",
        &[
            ("E1", "2026-11-20", "1000.00", r1.as_str(), "Kalles Plåt AB"),
            ("E2", "2026-11-21", "2000.00", r2.as_str(), "Olles färg AB"),
        ],
    );
    let second = camt053(
        "2026-11-23",
        &[
            ("E2", "2026-11-21", "2000.00", r2.as_str(), "Olles färg AB"),
            ("E3", "2026-11-22", "500.00", r3.as_str(), "Berits Garn"),
        ],
    );
    let a = write_bank(l, "stmt-1.xml", first.as_bytes());
    let b = write_bank(l, "stmt-2.xml", second.as_bytes());
    (a, b)
}

#[test]
fn overlapping_statements_add_only_what_is_new() {
    let l = shop();
    let (a, b) = overlapping_statements(&l);
    l.ok(&["import", &a, "--as-of", "2026-11-23"]);
    let out = l.ok(&["import", &b, "--as-of", "2026-11-23", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let count = |outcome: &str| {
        json["summary"].as_array().unwrap().iter().find(|r| r["outcome"] == outcome).unwrap()["payments"]
            .clone()
    };
    assert_eq!(count("reference"), 1);
    assert_eq!(count("duplicate"), 1);
    assert_eq!(json["payments"].as_array().unwrap().len(), 1);
    assert_eq!(json["payments"][0]["transaction_id"], "E3/E3-1");
    let invoices: Vec<String> =
        rows(&l, "payments.csv").iter().map(|r| r.split(',').nth(1).unwrap().to_owned()).collect();
    assert_eq!(invoices, vec!["3001", "3002", "3003"]);
    assert_eq!(rows(&l, "imports.csv").len(), 2);
    assert!(
        rows(&l, "imports.csv")[1]
            .starts_with("stmt-2.xml,camt.053,2026-11-23,2026-11-22,2026-11-23,2,1,0,1,")
    );
    // Nothing is left to chase, and the data is fresh.
    let out = l.ok(&["remind", "--as-of", "2026-11-24"]);
    assert_eq!(out, "reminder: nothing due on 2026-11-24\n");
    assert!(out_files(&l).is_empty());
}

#[test]
fn a_malformed_file_is_rejected_whole_and_nothing_changes() {
    let l = shop();
    let good = write_bank(
        &l,
        "bg-1.txt",
        &bgmax("20261120", &[Bg { reference: &ocr("3001"), ore: 100_000, serial: 1, payer: None }]),
    );
    l.ok(&["import", &good, "--as-of", "2026-11-24"]);
    let before = written(&l);
    let also_good = write_bank(
        &l,
        "bg-2.txt",
        &bgmax("20261123", &[Bg { reference: &ocr("3002"), ore: 200_000, serial: 1, payer: None }]),
    );
    let err = l.fails(&["import", &also_good, &fixture("camt054-malformed.xml"), "--as-of", "2026-11-24"], 1);
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(
        err.contains(
            "camt054-malformed.xml: line 18, Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]/NtryDtls/TxDtls[1]/AmtDtls/TxAmt/Amt: XML error: ill-formed document: expected `</Amt>`"
        ),
        "{err}"
    );
    assert_eq!(written(&l), before);
}

#[test]
fn a_bad_fixed_width_record_names_its_line_and_positions() {
    let l = shop();
    let mut bytes =
        bgmax("20261123", &[Bg { reference: &ocr("3001"), ore: 100_000, serial: 1, payer: None }]);
    // Line 3 is the TK20 record; its amount is at positions 38–55.
    let at = 2 * 82 + 45;
    bytes[at] = b'X';
    let file = write_bank(&l, "bad.txt", &bytes);
    let err = l.fails(&["import", &file], 1);
    assert!(
        err.contains("bad.txt: line 3: amount \"00000000X000100000\" (positions 38–55) is not 18 digits"),
        "{err}"
    );
    assert_eq!(written(&l), vec![None, None, None, None]);

    let nets = l.fails(&["import", &fixture("nets-negative-amount.txt"), &file], 1);
    assert!(nets.contains("bad.txt: line 3"), "{nets}");
    assert_eq!(written(&l), vec![None, None, None, None]);
}

#[test]
fn dry_run_writes_nothing() {
    let l = shop();
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: &ocr("3001"), ore: 100_000, serial: 1, payer: None }]),
    );
    let out = l.ok(&["import", &file, "--dry-run", "--as-of", "2026-11-24"]);
    assert!(out.starts_with("Dry run: nothing was written.\n"), "{out}");
    assert!(out.contains("3001"), "{out}");
    assert_eq!(written(&l), vec![None, None, None, None]);
    assert!(!l.file(".dun.lock").exists());
}

#[test]
fn a_users_payments_csv_keeps_its_lines_and_dialect() {
    let l = shop();
    let original =
        cp1252("datum;faktura;belopp;referens;Kommentar\r\n2026-11-01;3003;100,00;;Kontant, Växjö\r\n");
    l.write_bytes("payments.csv", &original);
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: &ocr("3003"), ore: 40_000, serial: 3, payer: None }]),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let mut expected = cp1252("datum;faktura;belopp;referens;Kommentar;transaction_id;source;matched_by\r\n");
    expected.extend_from_slice(&original[original.iter().position(|&b| b == b'\n').unwrap() + 1..]);
    expected.extend_from_slice(
        format!("2026-11-23;3003;400,00;{};;{};bg.txt;reference\r\n", ocr("3003"), txid("20261123", 3))
            .as_bytes(),
    );
    assert_eq!(std::fs::read(l.file("payments.csv")).unwrap(), expected);
    // 100 by hand + 400 from the bank settle invoice 3003.
    let report = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-24"]);
    assert!(!report.contains("K3,"), "{report}");
}

/// Issue #12: a `,`-separated file whose amounts have a decimal comma (quoted, with a space
/// between thousands) gets its new line as `"500,00"`, not `500.00`; its own lines stay byte for
/// byte, and 1 500 by hand + 500 from the bank settle invoice 3002.
#[test]
fn a_payments_csv_in_decimal_commas_gets_decimal_commas() {
    let l = shop();
    let original = "date,invoice,amount,reference,transaction_id,source,matched_by\n\
                    2026-11-01,3002,\"1 500,00\",,,,\n";
    l.write("payments.csv", original);
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: &ocr("3002"), ore: 50_000, serial: 7, payer: None }]),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let expected = format!(
        "{original}2026-11-23,3002,\"500,00\",{},{},bg.txt,reference\n",
        ocr("3002"),
        txid("20261123", 7)
    );
    assert_eq!(std::fs::read_to_string(l.file("payments.csv")).unwrap(), expected);
    let report = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-24"]);
    assert!(!report.contains("K2,"), "{report}");
}

/// A `payments.csv` with Nordic dates (`01.11.2026`) and decimal commas, no mapping: the line
/// added is `23.11.2026;3001;1000,00;…`, read back by `report` (invoice 3001 settled, K1 gone).
#[test]
fn a_payments_csv_in_nordic_dates_gets_nordic_dates() {
    let l = shop();
    let original = "datum;faktura;belopp\n01.11.2026;3003;100,00\n";
    l.write("payments.csv", original);
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: &ocr("3001"), ore: 100_000, serial: 4, payer: None }]),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let expected = format!(
        "datum;faktura;belopp;reference;transaction_id;source;matched_by\n01.11.2026;3003;100,00\n\
         23.11.2026;3001;1000,00;{};{};bg.txt;reference\n",
        ocr("3001"),
        txid("20261123", 4)
    );
    assert_eq!(std::fs::read_to_string(l.file("payments.csv")).unwrap(), expected);
    let report = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-24"]);
    assert!(!report.contains("K1,") && report.contains("K3,"), "{report}");
}

/// A `payments.csv` read through `[columns.payments]` (its own headers, `dd.mm.yyyy`, decimal
/// comma): `dun import` refused it before ("missing required columns") although `dun report`
/// read it; now its line is added in the file's own format, and read back: 100 by hand + 400
/// from the bank settle invoice 3003.
#[test]
fn a_mapped_payments_csv_gets_lines_in_its_own_format() {
    let l = shop();
    l.write(
        "policy.toml",
        &format!(
            "{POLICY_GATE}[columns.payments]\ndate = \"Dag\"\ninvoice = \"Fakt\"\namount = \"Inbetalt\"\n\
             date_format = \"%d.%m.%Y\"\n"
        ),
    );
    l.write_bytes(
        "payments.csv",
        &cp1252("Dag;Fakt;Inbetalt;Anteckning\r\n01.11.2026;3003;100,00;Växjö\r\n"),
    );
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: &ocr("3003"), ore: 40_000, serial: 3, payer: None }]),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let expected = cp1252(&format!(
        "Dag;Fakt;Inbetalt;Anteckning;reference;transaction_id;source;matched_by\r\n\
         01.11.2026;3003;100,00;Växjö\r\n\
         23.11.2026;3003;400,00;;{};{};bg.txt;reference\r\n",
        ocr("3003"),
        txid("20261123", 3)
    ));
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(l.file("payments.csv")).unwrap()),
        String::from_utf8_lossy(&expected)
    );
    let report = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-24"]);
    assert!(!report.contains("K3,"), "{report}");
}

/// A CSV export whose headers no preset or alias knows is refused, saying how to name them.
#[test]
fn a_csv_export_of_unknown_columns_needs_them_named() {
    let l = shop();
    let file = l.file("export.csv");
    std::fs::write(&file, "Dag;Summa kronor;Vem\n2026-11-20;100,00;Alfa\n").unwrap();
    let err = l.fails(&["import", file.to_str().unwrap()], 1);
    assert!(err.contains("export.csv: line 1: no header row with a date and an amount"), "{err}");
    assert!(err.contains("[import.csv] date = \"Bokföringsdag\", amount = \"Belopp\""), "{err}");
}

/// The Swedish bank CSV fixture (Windows-1252, `;`, decimal commas, a preamble line): every
/// rule once, and names with å ä ö read right.
#[test]
fn bank_csv_export_with_latin1_names() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
         [import.csv]\ndelimiter = \";\"\ndecimal = \",\"\ndate = \"Bokföringsdag\"\namount = \"Belopp\"\n\
         reference = \"Referens\"\nmessage = \"Meddelande\"\npayer = \"Avsändare\"\n",
    );
    l.swedish_bank_export_payees();
    let out = l.ok(&["import", &fixture("bank-export-sv.csv"), "--as-of", "2024-05-07", "--format", "csv"]);
    assert_eq!(
        out,
        "outcome,currency,payments,amount\n\
         reference,SEK,1,1250.00\n\
         invoice-number,SEK,1,199.50\n\
         amount,SEK,2,12395.67\n\
         part-payment,SEK,0,0.00\n\
         overpayment,SEK,0,0.00\n\
         unmatched,SEK,1,50.00\n\
         duplicate,SEK,0,0.00\n"
    );
    let payments = rows(&l, "payments.csv");
    let short: Vec<String> =
        payments.iter().map(|r| r.split(',').take(3).collect::<Vec<_>>().join(",")).collect();
    assert_eq!(
        short,
        vec![
            "2024-05-02,1016,1250.00",
            "2024-05-03,1017,99.75",
            "2024-05-03,1018,99.75",
            "2024-05-03,1019,50.00",
            "2024-05-06,1020,12345.67"
        ]
    );
    assert!(payments[1].ends_with(",bank-export-sv.csv,invoice-number"), "{payments:?}");
    assert!(payments[4].ends_with(",bank-export-sv.csv,amount"), "{payments:?}");
    // The second Swish of 50 from Björn Ek: his invoice is paid, so it waits for a person.
    let unmatched = rows(&l, "unmatched.csv");
    assert_eq!(unmatched.len(), 1);
    assert!(unmatched[0].contains(",50.00,SEK,,Swish,Björn Ek,bank-export-sv.csv,,"), "{unmatched:?}");
}

/// The BgMax sample with extended form registration: a split by the bank's amounts, a part
/// payment, payments in EUR, and a Latin-1 payer name.
#[test]
fn bgmax_sample_matches_by_reference_and_splits() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nK1,Kalles Plåt AB\nK2,Olles färg AB\nK3,Berits Garn\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,reference,currency\n\
         2001,K3,2004-04-01,2004-04-30,1700,573964,SEK\n\
         2002,K3,2004-04-01,2004-04-30,300,573865,SEK\n\
         2003,K2,2004-04-01,2004-04-30,1900,524967,SEK\n\
         2004,K2,2004-04-01,2004-04-30,800,525865,SEK\n\
         2005,K1,2004-04-01,2004-04-30,1000,525766,EUR\n",
    );
    let out = l.ok(&[
        "import",
        &sample("bgmax-bankgirot-bgmaxfil4.txt"),
        "--as-of",
        "2004-05-26",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let payments = json["payments"].as_array().unwrap();
    let find = |id: &str| payments.iter().find(|p| p["transaction_id"] == id).unwrap();
    let split = find("BG0009912346-20040525-00057-000000000020");
    assert_eq!(split["matched_by"], "reference");
    assert_eq!(split["invoices"], "2001 2002");
    let part = find("BG0009912346-20040525-00058-000000000021");
    assert_eq!(part["still_open"], "300.00");
    // 525766 is K1's EUR invoice: the SEK payment with it is not, the EUR one is.
    let sek = find("BG0009912346-20040525-00058-000000000022");
    assert_eq!(sek["matched_by"], "unmatched");
    assert!(sek["note"].as_str().unwrap().contains("which is in EUR, but the payment is in SEK"));
    assert_eq!(find("BG0009912346-20040525-00059-000000000019")["invoices"], "2005");
    assert_eq!(json["files"][0]["format"], "bgmax");
    assert_eq!(
        rows(&l, "payments.csv").len(),
        5,
        "2003, 2001 + 2002, 2004 and 2005: {:?}",
        rows(&l, "payments.csv")
    );
    let unmatched = read(&l, "unmatched.csv");
    assert!(unmatched.contains(",Kalles Plåt AB,bgmax-bankgirot-bgmaxfil4.txt,"), "{unmatched}");
}

/// The Finnish camt.054 sample: viitenumero with a credit note netted in, a part payment, an
/// overpayment, RF references, and free text that matches nothing.
#[test]
fn camt054_sample_with_credit_notes_and_rf() {
    let l = Ledger::new();
    l.write("policy.toml", "[company]\nname = \"Testi Oy\"\ncountry = \"FI\"\ncurrency = \"EUR\"\n");
    l.write("customers.csv", "id,name\nF1,Payers Name1 Oy\nF2,Payers Name2\nF3,Debtor Name 01\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,reference,credits\n\
         3900,F1,2017-06-01,2017-06-30,2500.00,3900,\n\
         CN1,F1,2017-06-15,2017-06-15,-600.00,12344,3900\n\
         4321,F2,2017-06-01,2017-06-30,200.00,43216,\n\
         R1,F3,2017-06-01,2017-06-30,3500.00,RF78 12345,\n\
         CN2,F3,2017-06-15,2017-06-15,-1000.00,RF0812344,R1\n",
    );
    let out =
        l.ok(&["import", &sample("camt054-fffs-fi-example.xml"), "--as-of", "2017-07-31", "--format", "csv"]);
    assert_eq!(
        out,
        "outcome,currency,payments,amount\n\
         reference,EUR,5,5000.00\n\
         invoice-number,EUR,0,0.00\n\
         amount,EUR,0,0.00\n\
         part-payment,EUR,1,100.00\n\
         overpayment,EUR,1,400.00\n\
         unmatched,EUR,1,500.00\n\
         duplicate,EUR,0,0.00\n"
    );
    let journal = read(&l, "journal.csv");
    assert!(journal.contains("overpaid by 400.00: a credit of F1 Payers Name1 Oy"), "{journal}");
    // F1 has 400 to its credit, nothing else is open but the unmatched 500 waits.
    let report = l.ok(&["report", "--format", "csv", "--as-of", "2017-07-31"]);
    assert!(report.contains("F1,Payers Name1 Oy,EUR,-400.00,0.00,0.00,0.00,0.00,-400.00"), "{report}");
    assert!(!report.contains("F2,") && !report.contains("F3,"), "{report}");
    assert!(read(&l, "unmatched.csv").contains("RFB/557742358,AT-02 DEBTOR NAME 02"));
}

/// Nets OCR giro (Norway): KID matches; the negative items and reversals are not payments.
#[test]
fn nets_sample_matches_by_kid() {
    let l = Ledger::new();
    l.write("policy.toml", "[company]\nname = \"Test AS\"\ncountry = \"NO\"\ncurrency = \"NOK\"\n");
    l.write("customers.csv", "id,name\nN1,Fjord & Fisk AS\nN2,Bløtkake AS\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,reference\n\
         7001,N1,2004-03-01,2004-03-20,440.00,33000083672049\n\
         7002,N2,2004-03-01,2004-03-20,1000.00,01000000258037\n",
    );
    let out = l.ok(&[
        "import",
        &sample("ocr-nets-systemspesifikasjon-example.txt"),
        "--as-of",
        "2004-03-25",
        "--format",
        "csv",
    ]);
    assert!(out.contains("reference,NOK,2,1340.00\n"), "{out}");
    assert!(out.contains("part-payment,NOK,1,900.00\n"), "{out}");
    assert!(out.contains("unmatched,NOK,18,"), "{out}");
    let imports = rows(&l, "imports.csv");
    assert!(imports[0].starts_with(
        "ocr-nets-systemspesifikasjon-example.txt,nets-ocr,2004-03-24,2004-03-24,2004-03-25,20,2,18,0,"
    ));
}

/// Nordea DK camt.053: a FIK betalings-ID with its card type, an RF reference; and the Finnish
/// statement's RF with a wrong check digit, matched only as the exact stored reference, plus an
/// invoice number in the free text.
#[test]
fn camt053_samples_fik_rf_and_invoice_numbers() {
    let l = Ledger::new();
    l.write("policy.toml", "[company]\nname = \"Test ApS\"\ncountry = \"DK\"\ncurrency = \"DKK\"\n");
    l.write("customers.csv", "id,name\nD1,Hansen ApS\nD2,Jensen A/S\nD3,Debtor\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,reference,currency\n\
         501,D1,2020-09-01,2020-09-20,200.00,+71<000000020211041+88889999<,DKK\n\
         502,D2,2020-09-01,2020-09-20,300.00,RF12 5100 0754 7061,DKK\n\
         503,D3,2017-07-01,2017-07-20,5455.00,RF98 1234 5678 9012,CHF\n\
         US20291092,D3,2017-07-01,2017-07-20,2120.00,,CHF\n",
    );
    let out = l.ok(&[
        "import",
        &sample("camt053-nordea-dk-example.xml"),
        &sample("camt053-fffs-fi-example.xml"),
        "--as-of",
        "2020-09-25",
        "--format",
        "csv",
    ]);
    assert!(out.contains("reference,DKK,2,500.00\n"), "{out}");
    assert!(out.contains("reference,CHF,2,15455.00\n"), "{out}");
    assert!(out.contains("invoice-number,CHF,1,2120.00\n"), "{out}");
    assert!(out.contains("overpayment,CHF,1,10000.00\n"), "{out}");
    let payments = rows(&l, "payments.csv");
    assert!(
        payments.iter().any(|r| r.starts_with("2020-09-24,501,200.00,71/000000020211041,")),
        "{payments:?}"
    );
    assert!(
        payments.iter().any(|r| r.starts_with("2017-07-29,503,5455.00,RF98123456789012,")),
        "{payments:?}"
    );
    assert!(payments.iter().any(|r| r.starts_with("2017-07-29,US20291092,2120.00,,")), "{payments:?}");
}

/// dun's own camt.053 .08 fixture: a split by the bank's amounts, two invoice numbers in the
/// text, names with å ä ö.
#[test]
fn camt053_v08_fixture_splits_by_amounts_and_invoice_numbers() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nS1,Åkeriet i Västerås AB\nS2,Märta Öhrn\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,reference\n\
         1015,S1,2024-04-01,2024-04-30,1000.00,4455667788\n\
         1016,S1,2024-04-01,2024-04-30,250.00,4455667796\n\
         1017,S2,2024-04-01,2024-04-30,99.75,\n\
         1018,S2,2024-04-01,2024-04-30,99.75,\n",
    );
    l.ok(&["import", &fixture("camt053-v08-credits-debit.xml"), "--as-of", "2024-05-03"]);
    let short: Vec<String> = rows(&l, "payments.csv")
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.split(',').collect();
            format!("{} {} {}", f[1], f[2], f[6])
        })
        .collect();
    assert_eq!(
        short,
        vec![
            "1015 1000.00 reference",
            "1016 250.00 reference",
            "1017 99.75 invoice-number",
            "1018 99.75 invoice-number"
        ]
    );
    assert!(!l.file("unmatched.csv").exists());
}

/// A run that stopped after writing payments.csv but before the journal: the next import
/// journals what is missing, once.
/// An invoice settled in invoices.csv and paid again by its reference: the payment is matched
/// to it and is its customer's credit. (An import keeps, of the settled invoices, those some
/// payment's reference may name.) A settled invoice's number in the text matches nothing.
#[test]
fn a_settled_invoice_paid_again_by_its_reference_is_its_customers_credit() {
    let l = shop();
    l.write(
        "invoices.csv",
        &format!(
            "number,customer,issued,due,amount,paid,reference\n\
             3001,K1,2026-10-01,2026-10-31,1000.00,1000.00,{}\n\
             3002,K2,2026-10-01,2026-10-31,2000.00,2000.00,{}\n",
            ocr("3001"),
            ocr("3002")
        ),
    );
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax(
            "20261123",
            &[
                Bg { reference: &ocr("3001"), ore: 100_000, serial: 1, payer: Some("Kalles Plåt AB") },
                Bg { reference: "3002", ore: 200_000, serial: 2, payer: Some("Olles färg AB") },
            ],
        ),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    assert_eq!(
        rows(&l, "payments.csv"),
        vec![format!("2026-11-23,3001,1000.00,{},{},bg.txt,reference", ocr("3001"), txid("20261123", 1))]
    );
    let journal = read(&l, "journal.csv");
    assert!(journal.contains("overpaid by 1000.00: a credit of K1 Kalles Plåt AB"), "{journal}");
    let waiting = rows(&l, "unmatched.csv");
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(waiting[0].contains(&txid("20261123", 2)), "{waiting:?}");
    let report = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-24"]);
    assert!(report.contains("K1,Kalles Plåt AB,SEK,-1000.00,"), "{report}");
}

#[test]
fn the_next_import_journals_what_a_stopped_run_did_not() {
    let l = shop();
    l.write(
        "payments.csv",
        "date,invoice,amount,reference,transaction_id,source,matched_by\n\
         2026-11-20,3001,1000.00,,TX-9,bg.txt,reference\n\
         2026-11-21,3002,5.00,,,,\n",
    );
    let file = write_bank(
        &l,
        "bg.txt",
        &bgmax("20261123", &[Bg { reference: "", ore: 100, serial: 1, payer: None }]),
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24"]);
    let journal = read(&l, "journal.csv");
    assert_eq!(
        journal,
        "date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-20,payment,3001,K1,1000.00,,,TX-9,reference\n"
    );
    l.ok(&["import", &file, "--as-of", "2026-11-24", "-q"]);
    assert_eq!(read(&l, "journal.csv"), journal);
}

/// Two overlapping statements imported in one run: the second's repeat is a duplicate, and
/// each file's counts say so (the run is matched as it is read; a repeat across files no
/// longer makes it read every file whole).
#[test]
fn overlapping_statements_imported_together_add_each_payment_once() {
    let l = shop();
    let (a, b) = overlapping_statements(&l);
    l.ok(&["import", &a, &b, "--as-of", "2026-11-23", "-q"]);
    let transactions: Vec<String> =
        rows(&l, "payments.csv").iter().map(|r| r.split(',').nth(4).unwrap().to_owned()).collect();
    assert_eq!(transactions, ["E1/E1-1", "E2/E2-1", "E3/E3-1"]);
    let imports = rows(&l, "imports.csv");
    assert!(
        imports[0].starts_with("stmt-1.xml,camt.053,2026-11-21,2026-11-21,2026-11-23,2,2,0,0,"),
        "{imports:?}"
    );
    assert!(
        imports[1].starts_with("stmt-2.xml,camt.053,2026-11-23,2026-11-22,2026-11-23,2,1,0,1,"),
        "{imports:?}"
    );
    assert_eq!(read(&l, "journal.csv").matches(",payment,").count(), 3);
}

/// The second statement repeats the first one's days: the run is out of date order, but only
/// in payments that are duplicates, which are not matched; each payment is added once.
#[test]
fn a_statement_repeating_the_days_before_it_adds_only_what_is_new() {
    let l = shop();
    let (r1, r2, r3) = (ocr("3001"), ocr("3002"), ocr("3003"));
    let first = camt053(
        "2026-11-19",
        &[
            ("E1", "2026-11-18", "1000.00", r1.as_str(), "Kalles Plåt AB"),
            ("E2", "2026-11-19", "2000.00", r2.as_str(), "Olles färg AB"),
        ],
    );
    let second = camt053(
        "2026-11-20",
        &[
            ("E1", "2026-11-18", "1000.00", r1.as_str(), "Kalles Plåt AB"),
            ("E2", "2026-11-19", "2000.00", r2.as_str(), "Olles färg AB"),
            ("E3", "2026-11-20", "500.00", r3.as_str(), "Berits Garn"),
        ],
    );
    let a = write_bank(&l, "stmt-1.xml", first.as_bytes());
    let b = write_bank(&l, "stmt-2.xml", second.as_bytes());
    l.ok(&["import", &a, &b, "--as-of", "2026-11-23", "-q"]);
    let lines: Vec<(String, String)> = rows(&l, "payments.csv")
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.split(',').collect();
            (f[1].to_owned(), f[4].to_owned())
        })
        .collect();
    let expected = [("3001", "E1/E1-1"), ("3002", "E2/E2-1"), ("3003", "E3/E3-1")];
    assert_eq!(lines, expected.map(|(i, t)| (i.to_owned(), t.to_owned())));
    let imports = rows(&l, "imports.csv");
    assert!(
        imports[1].starts_with("stmt-2.xml,camt.053,2026-11-20,2026-11-20,2026-11-23,3,1,0,2,"),
        "{imports:?}"
    );
    assert!(!l.file("unmatched.csv").exists() || rows(&l, "unmatched.csv").is_empty());
}

/// Files given out of date order are matched by date: the earlier payment of the second file
/// settles the invoice both name, whatever order the files came in.
#[test]
fn files_given_out_of_date_order_are_matched_by_date() {
    let l = shop();
    let r1 = ocr("3001");
    let late = camt053("2026-11-21", &[("L1", "2026-11-21", "1000.00", r1.as_str(), "Kalles Plåt AB")]);
    let early = camt053("2026-11-20", &[("P0", "2026-11-20", "1000.00", r1.as_str(), "Kalles Plåt AB")]);
    let a = write_bank(&l, "late.xml", late.as_bytes());
    let b = write_bank(&l, "early.xml", early.as_bytes());
    l.ok(&["import", &a, &b, "--as-of", "2026-11-23", "-q"]);
    let settled: Vec<String> =
        rows(&l, "payments.csv").into_iter().filter(|r| r.starts_with("2026-11-20,3001,1000.00,")).collect();
    assert_eq!(settled.len(), 1, "{:?}", rows(&l, "payments.csv"));
    assert!(settled[0].contains(",P0/P0-1,early.xml,reference"), "{settled:?}");
    // Matched first, it settles the invoice whole; the later one finds nothing open.
    let journal = read(&l, "journal.csv");
    assert!(journal.contains("\n2026-11-20,payment,3001,K1,1000.00,,,P0/P0-1,reference\n"), "{journal}");
    assert!(!journal.contains(",L1/L1-1,reference\n"), "{journal}");
}

/// A transaction id twice within one file is two payments: the second is renamed `ID#2` (the
/// file is read whole for it), not taken for a duplicate.
#[test]
fn an_id_twice_within_one_file_is_two_payments() {
    let l = shop();
    let payments = [
        Bg { reference: "", ore: 11_100, serial: 1, payer: None },
        Bg { reference: "", ore: 22_200, serial: 1, payer: None },
        Bg { reference: "", ore: 33_300, serial: 2, payer: None },
    ];
    let file = write_bank(&l, "bg.txt", &bgmax("20261120", &payments));
    l.ok(&["import", &file, "--as-of", "2026-11-24", "-q"]);
    let ids: Vec<String> =
        rows(&l, "unmatched.csv").iter().map(|r| r.split(',').next().unwrap().to_owned()).collect();
    let (first, second) = (txid("20261120", 1), txid("20261120", 2));
    assert_eq!(ids, [first.clone(), format!("{first}#2"), second]);
    // Imported again, all three are duplicates.
    l.ok(&["import", &file, "--as-of", "2026-11-24", "-q"]);
    assert_eq!(rows(&l, "unmatched.csv").len(), 3);
    assert!(rows(&l, "imports.csv")[0].contains(",3,0,3,0,"), "{:?}", rows(&l, "imports.csv"));
}

/// The date open amounts are taken on is the newest payment that is new to the ledger and to
/// the run: a repeat dated later (here past the as-of date) does not bring in an invoice issued
/// after every new payment, so the payment of that invoice's reference is not matched to it.
#[test]
fn a_later_repeat_in_another_file_does_not_move_the_matching_date() {
    let l = shop();
    let issued_later = ocr("3004");
    l.write(
        "invoices.csv",
        &(read(&l, "invoices.csv") + &format!("3004,K1,2026-11-23,2026-12-23,300.00,{issued_later}\n")),
    );
    let r1 = ocr("3001");
    let first = camt053("2026-11-20", &[("E1", "2026-11-20", "1000.00", r1.as_str(), "Kalles Plåt AB")]);
    let second = camt053(
        "2026-11-21",
        &[
            ("E2", "2026-11-21", "300.00", issued_later.as_str(), "Kalles Plåt AB"),
            ("E1", "2026-11-26", "1000.00", r1.as_str(), "Kalles Plåt AB"),
        ],
    );
    let a = write_bank(&l, "stmt-1.xml", first.as_bytes());
    let b = write_bank(&l, "stmt-2.xml", second.as_bytes());
    l.ok(&["import", &a, &b, "--as-of", "2026-11-21", "-q"]);
    let invoices: Vec<String> =
        rows(&l, "payments.csv").iter().map(|r| r.split(',').nth(1).unwrap().to_owned()).collect();
    assert_eq!(invoices, ["3001"]);
    let waiting = rows(&l, "unmatched.csv");
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].starts_with("E2/E2-1,2026-11-21,300.00,"), "{waiting:?}");
}

/// A payment assigned (in payments.csv) by a run that stopped before it rewrote unmatched.csv
/// leaves unmatched.csv with the next import; the other rows stay as they were, in their order,
/// and both payments of the file, imported again, are duplicates.
#[test]
fn an_assigned_payment_left_in_unmatched_leaves_it_with_the_next_import() {
    let l = shop();
    let payments = [
        Bg { reference: "", ore: 11_100, serial: 1, payer: None },
        Bg { reference: "", ore: 22_200, serial: 2, payer: None },
        Bg { reference: "", ore: 33_300, serial: 3, payer: None },
    ];
    let file = write_bank(&l, "bg.txt", &bgmax("20261120", &payments));
    l.ok(&["import", &file, "--as-of", "2026-11-24", "-q"]);
    let waiting = rows(&l, "unmatched.csv");
    assert_eq!(waiting.len(), 3);
    assert!(waiting[1].starts_with(&format!("{},", txid("20261120", 2))), "{waiting:?}");
    let assigned = format!("2026-11-20,3001,222.00,,{},bg.txt,manual\n", txid("20261120", 2));
    let mut recorded = read(&l, "payments.csv");
    if recorded.is_empty() {
        recorded = "date,invoice,amount,reference,transaction_id,source,matched_by\n".to_owned();
    }
    l.write("payments.csv", &(recorded + &assigned));

    let json = l.ok(&["import", &file, "--as-of", "2026-11-24", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["payments"].as_array().unwrap().len(), 0, "{json}");
    let summary = value["summary"].as_array().unwrap();
    let duplicates = summary.iter().find(|r| r["outcome"] == "duplicate").unwrap();
    assert_eq!(duplicates["payments"], 3, "{json}");
    assert_eq!(rows(&l, "unmatched.csv"), [waiting[0].clone(), waiting[2].clone()]);
}

/// A file of more payments than the output lists: the first 10,000 are shown, the rest are
/// counted and said (text and JSON); the ledger's files have every one.
#[test]
fn the_output_lists_the_first_ten_thousand_payments_and_counts_the_rest() {
    let l = shop();
    // 100.01 … 200.03 SEK, no reference, no payer: nothing matches them.
    let payments: Vec<Bg<'_>> =
        (1..=10_003).map(|i| Bg { reference: "", ore: 10_000 + i, serial: i, payer: None }).collect();
    let file = write_bank(&l, "big.txt", &bgmax("20261120", &payments));
    let json = l.ok(&["import", &file, "--as-of", "2026-11-30", "--dry-run", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let listed = value["payments"].as_array().unwrap();
    assert_eq!(listed.len(), 10_000);
    assert_eq!(listed[0]["transaction_id"], txid("20261120", 1).as_str());
    assert_eq!(listed[9_999]["transaction_id"], txid("20261120", 10_000).as_str());
    assert_eq!(value["payments_not_shown"], 3);
    assert!(value["summary"].to_string().contains("10003"), "{}", value["summary"]);

    let text = l.ok(&["import", &file, "--as-of", "2026-11-30"]);
    assert!(text.contains(&txid("20261120", 10_000)), "the 10,000th payment is listed");
    assert!(!text.contains(&txid("20261120", 10_001)), "the 10,001st is not");
    assert!(
        text.contains(
            "… 3 more payment(s) not shown here: the matched ones are in payments.csv, the \
             unmatched ones in unmatched.csv, and every one is counted in the summary."
        ),
        "{}",
        &text[text.len().saturating_sub(600)..]
    );
    assert_eq!(rows(&l, "unmatched.csv").len(), 10_003);

    // At most 10,000 new payments: the table is whole and nothing more is said.
    let l = shop();
    let file = write_bank(&l, "ten.txt", &bgmax("20261120", &payments[..10_000]));
    let json = l.ok(&["import", &file, "--as-of", "2026-11-30", "--dry-run", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["payments"].as_array().unwrap().len(), 10_000);
    assert!(value.get("payments_not_shown").is_none());
}

/// A camt file is read as a stream (each entry matched and written as it is read) unless its
/// group header comes after its entries; then it is read whole. Both must write the same.
#[test]
fn a_streamed_camt_file_writes_what_the_same_file_read_whole_writes() {
    let entries: Vec<(String, String, String, String, String)> = (0..40)
        .map(|i| {
            let (amount, reference) = match i % 4 {
                0 => ("1000.00", ocr("3001")),
                1 => ("700.00", ocr("3002")),
                2 => ("12.34", String::new()),
                _ => ("500.00", "3003".to_string()),
            };
            let date = format!("2026-11-{:02}", 10 + i / 4);
            (format!("E{i}"), date, amount.to_string(), reference, format!("Payer {i}"))
        })
        .collect();
    let borrowed: Vec<(&str, &str, &str, &str, &str)> = entries
        .iter()
        .map(|(a, b, c, d, e)| (a.as_str(), b.as_str(), c.as_str(), d.as_str(), e.as_str()))
        .collect();
    let streamed = camt053("2026-11-20", &borrowed);
    let header = "<GrpHdr><MsgId>MSG-2026-11-20</MsgId><CreDtTm>2026-11-20T06:00:00</CreDtTm></GrpHdr>";
    assert!(streamed.contains(header));
    let whole = streamed.replace(header, "").replace("</Stmt>", &format!("</Stmt>{header}"));
    let mut results = Vec::new();
    for xml in [&streamed, &whole] {
        let l = shop();
        let file = write_bank(&l, "stmt.xml", xml.as_bytes());
        let out = l.ok(&["import", &file, "--as-of", "2026-11-24", "--format", "csv"]);
        let files: Vec<String> =
            ["payments.csv", "unmatched.csv", "journal.csv"].iter().map(|f| read(&l, f)).collect();
        results.push((out, files));
    }
    let (out, files) = &results[0];
    // Matched payments and unmatched ones (the 12.34 SEK with nothing to go by).
    assert!(files[0].lines().any(|l| l.contains("E0-1")), "{}", files[0]);
    assert!(files[1].lines().any(|l| l.contains("E2-1")), "{}", files[1]);
    assert!(out.contains("unmatched"), "{out}");
    assert_eq!(results[0], results[1], "streamed vs whole");
}
