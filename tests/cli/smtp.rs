//! `dun send` against a real SMTP server (issue 13): aiosmtpd from PyPI, started by the test
//! with `tests/fixtures/smtp/store_server.py`, which stores every message it accepts and what
//! Python's own `email` package reads in it. The tests assert what the server received — the
//! envelope, the headers, the MIME parts decoded by another implementation than the one that
//! wrote them — and that a run killed mid-send and rerun leaves exactly one copy of each message.
//!
//! Without aiosmtpd (`pip install aiosmtpd`) these tests say so and pass, as the Chromium test
//! does; under CI (`CI` set) they fail instead, because `.ci/run` installs it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command as Process, Stdio};

use serde_json::Value;

use crate::common::*;

/// The handler script (kept in the repository, run by the machine's python3).
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp/store_server.py")
}

/// aiosmtpd on 127.0.0.1 storing what it receives in `folder`; stopped when dropped.
pub struct Aiosmtpd {
    pub port: u16,
    folder: tempfile::TempDir,
    child: Child,
    // Closing it tells the server to stop, also when the test process dies.
    _stdin: ChildStdin,
}

/// A header's name and value (decoded, RFC 2047 words and all), in the order received.
pub type Header = (String, String);

/// One leaf MIME part as the server's parser read it.
#[derive(Debug, Clone)]
pub struct Part {
    pub content_type: String,
    pub charset: Option<String>,
    pub transfer_encoding: Option<String>,
    pub disposition: Option<String>,
    pub filename: Option<String>,
    /// The decoded text of a `text/*` part.
    pub text: Option<String>,
    /// The decoded bytes (an attachment's file, byte for byte).
    pub bytes: Vec<u8>,
}

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub headers: Vec<Header>,
    /// The top-level content type, e.g. `multipart/alternative`.
    pub content_type: String,
    pub parts: Vec<Part>,
    /// The message exactly as it came after DATA.
    pub raw: Vec<u8>,
}

impl Received {
    /// The one header called `name` (any case); panics when it is missing or repeated.
    pub fn header(&self, name: &str) -> &str {
        let found: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(found.len(), 1, "exactly one {name} header in {:?}", self.headers);
        found[0]
    }

    /// The leaf parts of content type `content_type`.
    pub fn parts_of(&self, content_type: &str) -> Vec<&Part> {
        self.parts.iter().filter(|p| p.content_type == content_type).collect()
    }
}

impl Aiosmtpd {
    /// Starts the server; `None` (after saying why) when python3 or aiosmtpd is missing and
    /// this is not CI.
    pub fn start() -> Option<Aiosmtpd> {
        let has = Process::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has {
            assert!(std::env::var_os("CI").is_none(), "CI must install aiosmtpd (.ci/run does)");
            eprintln!("aiosmtpd is not installed: the SMTP server tests are skipped (pip install aiosmtpd)");
            return None;
        }
        let folder = tempfile::tempdir().unwrap();
        let mut child = Process::new("python3")
            .arg(script())
            .arg(folder.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let port = first.trim().parse().unwrap_or_else(|_| panic!("the server said {first:?}, not its port"));
        Some(Aiosmtpd { port, folder, child, _stdin: stdin })
    }

    /// Every message the server has accepted so far, in the order it accepted them.
    pub fn received_messages(&self) -> Vec<Received> {
        let mut stems: Vec<String> = std::fs::read_dir(self.folder.path())
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().to_str()?.strip_suffix(".json").map(str::to_owned))
            .collect();
        stems.sort();
        stems.iter().map(|stem| self.read(stem)).collect()
    }

    fn read(&self, stem: &str) -> Received {
        let file = |name: &str| self.folder.path().join(name);
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(file(&format!("{stem}.json"))).unwrap()).unwrap();
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let parts = json["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| Part {
                content_type: text(&p["content_type"]).unwrap(),
                charset: text(&p["charset"]),
                transfer_encoding: text(&p["transfer_encoding"]),
                disposition: text(&p["disposition"]),
                filename: text(&p["filename"]),
                text: text(&p["text"]),
                bytes: std::fs::read(file(p["payload"].as_str().unwrap())).unwrap(),
            })
            .collect();
        Received {
            mail_from: text(&json["mail_from"]).unwrap(),
            rcpt_tos: json["rcpt_tos"].as_array().unwrap().iter().filter_map(text).collect(),
            headers: json["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (text(&h[0]).unwrap(), text(&h[1]).unwrap()))
                .collect(),
            content_type: text(&json["content_type"]).unwrap(),
            parts,
            raw: std::fs::read(file(&format!("{stem}.eml"))).unwrap(),
        }
    }
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const POLICY: &str = "[company]\nname = \"Fönster & Dörr AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
email = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"60\"\nfee_agreed = true\nmin_amount = \"100\"\n\
channels = [\"email\"]\n[interest]\nmode = \"none\"\n[collection]\nafter_days = 10\nmin_amount = \"200\"\n\
compensation = \"0\"\nagency = \"Inkasso Väst AB\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Åkeri Öberg AB,business,556036-0793,SE,sv,ekonomi@akeri.example,,Storgatan 1,41101,Göteborg\n\
B,Märta Ängström,consumer,,SE,sv,marta@angstrom.example,,Ekgatan 5,90330,Umeå\n";

/// Both fall due 2026-11-01; the reminders are written on 11-08, to be paid by 11-18.
const INVOICES: &str = "number,customer,issued,due,amount,currency,reference\n\
1,A,2026-10-02,2026-11-01,12500.00,SEK,10017\n\
2,B,2026-10-02,2026-11-01,800.00,SEK,\n";

/// A ledger whose reminders go by e-mail to `server`, composed on 2026-11-08.
pub fn emailing_to(server: &Aiosmtpd) -> Ledger {
    let l = ledger_sending_to(server, POLICY, "");
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    l
}

/// The test ledger under `policy`, its `[delivery.email]` sending to `server`, plus `more` keys.
fn ledger_sending_to(server: &Aiosmtpd, policy: &str, more: &str) -> Ledger {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &format!("{policy}[delivery.email]\nserver = \"smtp://127.0.0.1:{}\"\n{more}", server.port),
    )
    .write("customers.csv", CUSTOMERS)
    .write("invoices.csv", INVOICES);
    l
}

const A_EML: &str = "out/2026-11-08/reminder-1_A_SEK.eml";

/// `Message-ID`s in the order received.
fn ids(messages: &[Received]) -> Vec<String> {
    messages.iter().map(|m| m.header("Message-ID").to_owned()).collect()
}

#[test]
fn the_server_receives_each_reminder_with_its_headers_and_both_parts() {
    let Some(server) = Aiosmtpd::start() else { return };
    let l = emailing_to(&server);
    let out = l.ok(&["send", "--as-of", "2026-11-09"]);
    assert!(out.contains("send: 2 delivered (email 2, sms 0, letter 0)"), "{out}");
    let received = server.received_messages();
    assert_eq!(received.len(), 2, "{received:#?}");
    let (a, b) = (&received[0], &received[1]);

    // The envelope: from the company, to the customer.
    assert_eq!(a.mail_from, "faktura@fonster.example");
    assert_eq!(a.rcpt_tos, ["ekonomi@akeri.example"]);
    assert_eq!(b.rcpt_tos, ["marta@angstrom.example"]);
    // The .eml goes out byte for byte as composed (SMTP line ends).
    let composed = std::fs::read(l.file(A_EML)).unwrap();
    assert_eq!(String::from_utf8_lossy(&a.raw), String::from_utf8_lossy(&composed));

    // Headers, decoded by Python's `email` package.
    assert_eq!(a.header("From"), "Fönster & Dörr AB <faktura@fonster.example>");
    assert_eq!(a.header("Reply-To"), "Fönster & Dörr AB <faktura@fonster.example>");
    assert_eq!(a.header("To"), "Åkeri Öberg AB <ekonomi@akeri.example>");
    assert_eq!(b.header("To"), "Märta Ängström <marta@angstrom.example>");
    assert_eq!(
        a.header("Subject"),
        "Sista påminnelse före inkasso: obetald faktura 1 från Fönster & Dörr AB"
    );
    assert_eq!(a.header("Auto-Submitted"), "auto-generated");
    // Composed for 2026-11-08 (a Sunday), not today: noon UTC that day.
    assert_eq!(a.header("Date"), "Sun, 08 Nov 2026 12:00:00 +0000");
    assert_eq!(a.header("MIME-Version"), "1.0");
    // The Message-ID names the company's domain and the letter; each message its own.
    let id = a.header("Message-ID");
    assert!(id.starts_with("<dun.") && id.ends_with("@fonster.example>"), "{id}");
    assert!(id.contains("2026-11-08") && id.contains("reminder-1"), "{id}");
    assert_ne!(id, b.header("Message-ID"));

    // MIME: text and HTML alternatives, UTF-8, an encoding that decodes to the Swedish text.
    assert_eq!(a.content_type, "multipart/alternative");
    assert_eq!(a.parts.len(), 2, "{:#?}", a.parts);
    let (text, html) = (&a.parts[0], &a.parts[1]);
    assert_eq!((text.content_type.as_str(), html.content_type.as_str()), ("text/plain", "text/html"));
    for part in [text, html] {
        assert_eq!(part.charset.as_deref(), Some("utf-8"));
        assert!(
            matches!(part.transfer_encoding.as_deref(), Some("quoted-printable" | "base64")),
            "a 7-bit-safe encoding: {part:?}"
        );
        assert_eq!(
            (part.disposition.as_deref(), part.filename.as_deref()),
            (None, None),
            "not an attachment"
        );
        // The decoded bytes are UTF-8 and are the text.
        assert_eq!(String::from_utf8(part.bytes.clone()).as_ref(), Ok(part.text.as_ref().unwrap()));
    }
    let plain = text.text.as_deref().unwrap();
    assert!(plain.starts_with("Hej!"), "{plain}");
    assert!(
        plain.contains(
            "Enligt vår bokföring är fakturan nedan fortfarande obetald, trots att förfallodagen har passerat."
        ),
        "{plain}"
    );
    assert!(plain.contains("Om ni redan har betalat kan ni bortse från denna påminnelse."), "{plain}");
    assert!(plain.contains("Inkasso Väst AB"), "{plain}");
    let html = html.text.as_deref().unwrap();
    assert!(html.contains("<title>Sista påminnelse före inkasso</title>"), "{html}");
    assert!(html.contains("Fönster &amp; Dörr AB"), "{html}");
    // The consumer is greeted by name.
    let b_text = b.parts_of("text/plain")[0].text.as_deref().unwrap();
    assert!(b_text.starts_with("Hej Märta Ängström!"), "{b_text}");
}

#[test]
fn the_message_id_is_stable_for_the_same_letter_and_the_company() {
    let Some(server) = Aiosmtpd::start() else { return };
    // Two copies of the same ledger compose the same ids; sent from both, the server sees
    // the same Message-ID twice (a resend is recognisable as the same message).
    let one = emailing_to(&server);
    let two = emailing_to(&server);
    one.ok(&["send", "--as-of", "2026-11-09", "-q"]);
    two.ok(&["send", "--as-of", "2026-11-09", "-q"]);
    let received = ids(&server.received_messages());
    assert_eq!(received.len(), 4);
    assert_eq!(received[..2], received[2..], "{received:?}");
    // Another company's letter to the same customer has another id.
    let other =
        ledger_sending_to(&server, &POLICY.replace("faktura@fonster.example", "reskontra@annat.example"), "");
    other.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    other.ok(&["send", "--as-of", "2026-11-09", "-q"]);
    let all = server.received_messages();
    assert_eq!(all.len(), 6);
    let theirs = all[4].header("Message-ID");
    assert!(theirs.ends_with("@annat.example>"), "{theirs}");
    assert_eq!(all[4].header("From"), "Fönster & Dörr AB <reskontra@annat.example>");
    assert!(!received.iter().any(|id| id == theirs));
}

#[test]
fn a_run_killed_mid_send_and_rerun_leaves_exactly_one_copy_of_each_message() {
    let Some(server) = Aiosmtpd::start() else { return };
    let l = emailing_to(&server);
    // Killed right after the server took A (its 250) and before `sent` reached the journal.
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).env("DUN_FAULT", "answered:0").output().unwrap();
    assert!(!out.status.success(), "{out:?}");
    assert_eq!(server.received_messages().len(), 1);
    // The rerun cannot know A arrived: A is in doubt (exit 3), B goes; nothing goes twice.
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("in doubt"), "{out:?}");
    // A third run, and the user's word that A arrived, send nothing more.
    l.ok(&["send", "--as-of", "2026-11-10", "-q"]);
    l.ok(&["sent", "2026-11-08/reminder-1_A_SEK", "--as-of", "2026-11-10", "-q"]);
    l.ok(&["send", "--as-of", "2026-11-11", "-q"]);
    let received = server.received_messages();
    let to: Vec<&str> = received.iter().map(|m| m.rcpt_tos[0].as_str()).collect();
    assert_eq!(to, ["ekonomi@akeri.example", "marta@angstrom.example"]);
    let ids = ids(&received);
    assert_ne!(ids[0], ids[1]);
    // What arrived is what was composed, once.
    let composed = std::fs::read(l.file(A_EML)).unwrap();
    assert_eq!(received[0].raw, composed);
}

#[test]
fn a_run_killed_before_the_body_went_leaves_doubt_and_one_copy_after_a_retry() {
    let Some(server) = Aiosmtpd::start() else { return };
    let l = emailing_to(&server);
    // Killed with `sending` journaled for A and the server waiting for its body.
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).env("DUN_FAULT", "sending:0").output().unwrap();
    assert!(!out.status.success(), "{out:?}");
    assert!(server.received_messages().is_empty(), "a message cut off in DATA is not taken");
    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    assert!(journal.contains(",sending,,A,,,email,2026-11-08/reminder-1_A_SEK,"), "{journal}");
    // dun cannot tell where the run stopped: A is in doubt, not sent again by itself; B goes.
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let to = |server: &Aiosmtpd| -> Vec<String> {
        server.received_messages().iter().map(|m| m.rcpt_tos.join(" ")).collect()
    };
    assert_eq!(to(&server), ["marta@angstrom.example"]);
    // The user finds it did not arrive and retries it: now each message is there once.
    l.ok(&["send", "--retry-doubtful", "2026-11-08/reminder-1_A_SEK", "--as-of", "2026-11-10", "-q"]);
    l.ok(&["send", "--as-of", "2026-11-11", "-q"]);
    assert_eq!(to(&server), ["marta@angstrom.example", "ekonomi@akeri.example"]);
    let received = server.received_messages();
    assert_eq!(received[1].raw, std::fs::read(l.file(A_EML)).unwrap());
}

/// With `[delivery.email] attach_pdf = true` the server receives the letter as PDF beside the
/// text and HTML: `multipart/mixed`, an `application/pdf` attachment named like the letter,
/// which decodes (by Python's `email` package) to a PDF whose text is the letter's.
#[test]
fn the_letter_as_pdf_arrives_as_an_attachment_when_the_policy_asks() {
    let Some(server) = Aiosmtpd::start() else { return };
    let l = ledger_sending_to(
        &server,
        &POLICY.replace("channels = [\"email\"]", "channels = [\"email\", \"letter\"]"),
        "attach_pdf = true\n",
    );
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    l.ok(&["send", "--as-of", "2026-11-09", "-q", "--channel", "email"]);
    let received = server.received_messages();
    assert_eq!(received.len(), 2, "{received:#?}");
    let a = &received[0];
    assert_eq!(a.content_type, "multipart/mixed");
    assert_eq!(a.parts_of("text/plain").len(), 1);
    assert_eq!(a.parts_of("text/html").len(), 1);
    let pdfs = a.parts_of("application/pdf");
    assert_eq!(pdfs.len(), 1, "{:#?}", a.parts);
    let pdf = pdfs[0];
    assert_eq!(pdf.disposition.as_deref(), Some("attachment"));
    assert_eq!(pdf.filename.as_deref(), Some("reminder-1_A_SEK.pdf"));
    // Byte for byte the PDF written beside the letter, which reads back as the letter.
    assert_eq!(pdf.bytes, std::fs::read(l.file("out/2026-11-08/reminder-1_A_SEK.pdf")).unwrap());
    let doc = lopdf::Document::load_mem(&pdf.bytes).unwrap();
    let text = doc
        .extract_text(&doc.get_pages().keys().copied().collect::<Vec<_>>())
        .unwrap()
        .replace('\u{a0}', " ");
    for expected in ["Åkeri Öberg AB", "41101 Göteborg", "12 560,00 kr", "Fönster & Dörr AB"] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
}
