//! `dun send` and `dun sent` (issue 13): delivery as its own step, each message at most once,
//! and the ladder counting a reminder from its delivery, through the binary.

use crate::common::*;

pub(crate) const POLICY: &str = "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
email = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"60\"\nfee_agreed = true\nmin_amount = \"100\"\n\
channels = [\"letter\"]\n[interest]\nmode = \"none\"\n[collection]\nafter_days = 10\nmin_amount = \"200\"\n\
compensation = \"0\"\nagency = \"Inkasso Väst AB\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Alfa Bygg AB,business,556036-0793,SE,sv,ekonomi@alfa.example,,Storgatan 1,41101,Göteborg\n\
B,Berit Holm,consumer,,SE,sv,,,Ekgatan 5,90330,Umeå\n";

/// Both fall due 2026-11-01: reminder on 11-08, deadline 11-18, collection from 11-29 when
/// the reminder counts from the day it was written.
pub(crate) const INVOICES: &str = "number,customer,issued,due,amount,currency,reference\n\
1,A,2026-10-02,2026-11-01,12500.00,SEK,10017\n\
2,B,2026-10-02,2026-11-01,800.00,SEK,\n";

fn ledger(delivery: &str) -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", &format!("{POLICY}{delivery}"))
        .write("customers.csv", CUSTOMERS)
        .write("invoices.csv", INVOICES);
    l
}

fn lines(l: &Ledger, event: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(l.file("journal.csv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .map(|line| line.split(',').map(str::to_owned).collect::<Vec<_>>())
        .filter(|f| f[1] == event)
        .collect()
}

fn actions(l: &Ledger, on: &str) -> Vec<String> {
    let csv = l.ok(&["due", "--format", "csv", "--as-of", on]);
    csv.lines().skip(1).map(|r| r.split(',').take(3).collect::<Vec<_>>().join(",")).collect()
}

#[test]
fn letters_go_to_the_print_folder_once_and_count_from_then() {
    let l = ledger("[delivery.letter]\nfolder = \"print\"\n");
    std::fs::create_dir(l.file("print")).unwrap();
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let queued = lines(&l, "queued");
    assert_eq!(queued.len(), 2, "one queued line per letter: {queued:?}");
    assert_eq!(
        &queued[0][6..9],
        ["letter", "2026-11-08/reminder-1_A_SEK", "out/2026-11-08/reminder-1_A_SEK.pdf"]
    );
    // Written but not sent: on 11-29 nothing moves to collection, and explain says why.
    assert_eq!(actions(&l, "2026-11-29"), Vec::<String>::new());
    let why = l.ok(&["explain", "1", "--as-of", "2026-11-29"]);
    assert!(why.contains("not delivered yet") && why.contains("not posted yet"), "{why}");

    // Handed to the print service on 11-10: the deadline is 11-20, collection from 12-01.
    let summary_file = l.file("send.json");
    let out = l.ok(&["send", "--as-of", "2026-11-10", "-o", summary_file.to_str().unwrap()]);
    assert_eq!(out, "sent letter 2026-11-08/reminder-1_A_SEK: copied to {}/2026-11-08_reminder-1_A_SEK.pdf\nsent letter 2026-11-08/reminder-1_B_SEK: copied to {}/2026-11-08_reminder-1_B_SEK.pdf\n".replace("{}", &l.file("print").display().to_string()));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(l.file("send.json")).unwrap()).unwrap();
    assert_eq!(summary["delivered"], 2);
    assert_eq!(summary["channels"]["letter"], 2);
    assert_eq!(summary["sent"][0]["ref"], "2026-11-08/reminder-1_A_SEK");
    let printed = l.file("print/2026-11-08_reminder-1_A_SEK.pdf");
    assert_eq!(
        std::fs::read(&printed).unwrap(),
        std::fs::read(l.file("out/2026-11-08/reminder-1_A_SEK.pdf")).unwrap()
    );
    assert_eq!(std::fs::read_dir(l.file("print")).unwrap().count(), 2, "no temporary file left behind");
    let sent = lines(&l, "sent");
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0][0], "2026-11-10");
    assert_eq!(&sent[0][6..8], ["letter", "2026-11-08/reminder-1_A_SEK"]);

    // A second run delivers nothing again.
    let again = l.ok(&["send", "--as-of", "2026-11-11"]);
    assert!(again.contains("send: 0 delivered"), "{again}");
    assert_eq!(lines(&l, "sent").len(), 2);

    assert_eq!(actions(&l, "2026-11-30"), Vec::<String>::new());
    assert_eq!(actions(&l, "2026-12-01"), vec!["collection,A,1".to_owned(), "collection,B,2".to_owned()]);
    let why = l.ok(&["explain", "1", "--as-of", "2026-11-30"]);
    assert!(why.contains("delivered on 2026-11-10") && why.contains("2026-11-20"), "{why}");
}

#[test]
fn posted_letters_are_recorded_by_hand_once() {
    let l = ledger("[delivery.letter]\n");
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    // No print folder: `send` leaves the letters for the user to post.
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("letter 2026-11-08/reminder-1_A_SEK: to be posted"), "{err}");
    assert!(lines(&l, "sent").is_empty());

    let err = l.fails(&["sent", "2026-11-08/reminder-1_X_SEK", "--as-of", "2026-11-09"], 1);
    assert!(
        err.contains("no message composed for delivery is called \"2026-11-08/reminder-1_X_SEK\""),
        "{err}"
    );
    let err = l.fails(&["sent", "--all", "--on", "2026-11-10", "--as-of", "2026-11-09"], 1);
    assert!(err.contains("--on 2026-11-10 is after the as-of date"), "{err}");
    let err = l.fails(&["sent", "--all", "--on", "2026-11-07", "--as-of", "2026-11-09"], 1);
    assert!(err.contains("before 2026-11-08/reminder-1_A_SEK (letter) was composed"), "{err}");
    assert!(lines(&l, "sent").is_empty(), "a refused `sent` journals nothing");

    let out = l.ok(&["sent", "2026-11-08/reminder-1_A_SEK", "--on", "2026-11-09", "--as-of", "2026-11-12"]);
    assert_eq!(out, "sent letter 2026-11-08/reminder-1_A_SEK on 2026-11-09\n");
    let out = l.ok(&["sent", "--all", "--channel", "letter", "--as-of", "2026-11-12"]);
    assert_eq!(out, "sent letter 2026-11-08/reminder-1_B_SEK on 2026-11-12\n");
    let out = l.ok(&["sent", "--all", "--as-of", "2026-11-13"]);
    assert_eq!(out, "sent: nothing waiting to record\n");
    let sent = lines(&l, "sent");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!((sent[0][0].as_str(), sent[1][0].as_str()), ("2026-11-09", "2026-11-12"));
    // A's deadline 11-19 → collection 11-30; B's 11-22 → 12-03.
    assert_eq!(actions(&l, "2026-11-30"), vec!["collection,A,1".to_owned()]);
    assert_eq!(actions(&l, "2026-12-03"), vec!["collection,A,1".to_owned(), "collection,B,2".to_owned()]);
}

#[test]
fn without_delivery_composing_counts_as_sending() {
    let l = ledger("");
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert!(lines(&l, "queued").is_empty());
    assert_eq!(actions(&l, "2026-11-29"), vec!["collection,A,1".to_owned(), "collection,B,2".to_owned()]);
    let out = l.ok(&["send", "--as-of", "2026-11-09"]);
    assert!(out.contains("send: 0 delivered"), "{out}");
}

// E-mail over SMTP, against a small SMTP server run by the test (plain SMTP on 127.0.0.1).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// What the server does with the n-th message it is offered (by MAIL FROM).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Answer {
    Accept,
    /// 451 to MAIL FROM: try later.
    Defer,
    /// 550 to RCPT TO: no such user.
    Reject,
    /// Reads the whole message, then closes the connection without answering.
    DropAfterData,
}

/// A server on 127.0.0.1 answering per `script` (Accept after its end); `bodies` holds every
/// message body it read in full (also one it then dropped).
pub(crate) struct SmtpServer {
    pub(crate) port: u16,
    bodies: Arc<Mutex<Vec<String>>>,
    envelopes: Arc<Mutex<Vec<String>>>,
}

impl SmtpServer {
    pub(crate) fn start(script: &[Answer]) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let envelopes = Arc::new(Mutex::new(Vec::new()));
        let (b, e, script) = (bodies.clone(), envelopes.clone(), script.to_vec());
        std::thread::spawn(move || {
            let mut offered = 0usize;
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let mut out = stream.try_clone().unwrap();
                let mut lines = BufReader::new(stream);
                let _ = out.write_all(b"220 test.example ESMTP\r\n");
                let mut answer = Answer::Accept;
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-test.example\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n",
                        "AUTH" => {
                            e.lock().unwrap().push(line.trim().to_owned());
                            b"235 2.7.0 accepted\r\n"
                        }
                        "MAIL" => {
                            answer = script.get(offered).copied().unwrap_or(Answer::Accept);
                            offered += 1;
                            e.lock().unwrap().push(line.trim().to_owned());
                            if answer == Answer::Defer {
                                b"451 4.3.0 try again later\r\n"
                            } else {
                                b"250 OK\r\n"
                            }
                        }
                        "RCPT" => {
                            e.lock().unwrap().push(line.trim().to_owned());
                            if answer == Answer::Reject {
                                b"550 5.1.1 no such user\r\n"
                            } else {
                                b"250 OK\r\n"
                            }
                        }
                        "DATA" => {
                            let _ = out.write_all(b"354 go ahead\r\n");
                            let mut body = String::new();
                            loop {
                                line.clear();
                                if lines.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                                    break;
                                }
                                body.push_str(&line);
                            }
                            b.lock().unwrap().push(body);
                            if answer == Answer::DropAfterData {
                                break;
                            }
                            b"250 2.0.0 queued as 1\r\n"
                        }
                        "RSET" | "NOOP" => b"250 OK\r\n",
                        "QUIT" => {
                            let _ = out.write_all(b"221 bye\r\n");
                            break;
                        }
                        _ => b"502 not here\r\n",
                    };
                    let _ = out.write_all(reply);
                }
            }
        });
        SmtpServer { port, bodies, envelopes }
    }

    pub(crate) fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

pub(crate) const CUSTOMERS_EMAIL: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Alfa Bygg AB,business,556036-0793,SE,sv,ekonomi@alfa.example,,Storgatan 1,41101,Göteborg\n\
B,Berit Holm,consumer,,SE,sv,berit@holm.example,,Ekgatan 5,90330,Umeå\n";

/// A ledger e-mailing its reminders through `server`, with the reminders of 11-08 composed.
fn emailing(server: &SmtpServer) -> Ledger {
    let l = Ledger::new();
    let policy = POLICY.replace("channels = [\"letter\"]", "channels = [\"email\"]");
    l.write(
        "policy.toml",
        &format!("{policy}[delivery.email]\nserver = \"smtp://127.0.0.1:{}\"\n", server.port),
    )
    .write("customers.csv", CUSTOMERS_EMAIL)
    .write("invoices.csv", INVOICES);
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert_eq!(lines(&l, "queued").len(), 2);
    l
}

const A: &str = "2026-11-08/reminder-1_A_SEK";
const B: &str = "2026-11-08/reminder-1_B_SEK";

/// (event, ref, note) of the delivery lines after the `queued` ones.
fn delivery(l: &Ledger) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| line.split(',').map(str::to_owned).collect::<Vec<_>>())
        .filter(|f| ["sending", "sent", "failed", "deferred", "doubt"].contains(&f[1].as_str()))
        .map(|f| (f[1].clone(), f[7].clone(), f[8..].join(",")))
        .collect()
}

fn event_refs(l: &Ledger) -> Vec<(String, String)> {
    delivery(l).into_iter().map(|(e, r, _)| (e, r)).collect()
}

fn pair(event: &str, reference: &str) -> (String, String) {
    (event.to_owned(), reference.to_owned())
}

#[test]
fn each_email_reaches_the_server_once() {
    let server = SmtpServer::start(&[]);
    let l = emailing(&server);
    let out = l.ok(&["send", "--as-of", "2026-11-09"]);
    assert!(out.contains("send: 2 delivered (email 2, sms 0, letter 0)"), "{out}");
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 2);
    let eml = std::fs::read_to_string(l.file("out/2026-11-08/reminder-1_A_SEK.eml")).unwrap();
    assert_eq!(bodies[0], eml, "the .eml goes out byte for byte as composed");
    let envelopes = server.envelopes.lock().unwrap().clone();
    assert_eq!(envelopes[0], "MAIL FROM:<faktura@fonster.example>");
    assert_eq!(envelopes[1], "RCPT TO:<ekonomi@alfa.example>");
    assert_eq!(event_refs(&l), [pair("sending", A), pair("sent", A), pair("sending", B), pair("sent", B)]);
    assert!(delivery(&l)[1].2.starts_with("250"), "{:?}", delivery(&l));
    // A second run sends nothing; its summary as JSON says so.
    let err = l.fails(&["send", "--format", "xlsx", "-o", "send.xlsx", "--as-of", "2026-11-10"], 1);
    assert!(err.contains("offered as table, csv or json"), "{err}");
    assert_eq!(server.bodies().len(), 2, "refused before anything is sent");
    let again = l.ok(&["send", "--format", "json", "--as-of", "2026-11-10"]);
    let summary: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(summary["delivered"], 0, "{again}");
    assert_eq!(summary["channels"]["email"], 0, "{again}");
    assert_eq!(server.bodies().len(), 2);
    assert_eq!(delivery(&l).len(), 4);
}

#[test]
fn a_permanent_refusal_is_failed_and_the_reminder_does_not_count() {
    let server = SmtpServer::start(&[Answer::Reject]);
    let l = emailing(&server);
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "a refused message needs a person");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("email {A}: refused (550 5.1.1 no such user)")), "{err}");
    // Refused at RCPT: no `sending`, nothing went.
    assert_eq!(event_refs(&l), [pair("failed", A), pair("sending", B), pair("sent", B)]);
    assert_eq!(server.bodies().len(), 1);
    // Never tried again; A's reminder counts for nothing, so it is due again.
    l.ok(&["send", "--as-of", "2026-11-10", "-q"]);
    assert_eq!(server.bodies().len(), 1);
    assert_eq!(actions(&l, "2026-11-10"), vec!["reminder,A,1".to_owned()]);
}

#[test]
fn a_temporary_refusal_is_tried_again_by_the_next_run() {
    let server = SmtpServer::start(&[Answer::Defer]);
    let l = emailing(&server);
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "a deferred message needs no person yet");
    assert!(String::from_utf8_lossy(&out.stderr).contains("deferred (451 4.3.0 try again later)"), "{out:?}");
    assert_eq!(event_refs(&l), [pair("deferred", A), pair("sending", B), pair("sent", B)]);
    // B went a day late (deadline 11-19): its collection moves from 11-29 to 11-30.
    assert_eq!(actions(&l, "2026-11-29"), Vec::<String>::new());
    l.ok(&["send", "--as-of", "2026-11-10", "-q"]);
    assert_eq!(event_refs(&l)[3..], [pair("sending", A), pair("sent", A)]);
    assert_eq!(server.bodies().len(), 2);
    // A went two days late: its collection moves from 11-29 to 12-01.
    assert_eq!(actions(&l, "2026-11-30"), vec!["collection,B,2".to_owned()]);
    assert_eq!(actions(&l, "2026-12-01"), vec!["collection,A,1".to_owned(), "collection,B,2".to_owned()]);
}

#[test]
fn no_answer_after_the_message_is_doubt_and_never_sent_again_by_itself() {
    let server = SmtpServer::start(&[Answer::DropAfterData]);
    let l = emailing(&server);
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("email {A}: in doubt")) && err.contains(&format!("dun sent {A}")), "{err}");
    // B waits: the server broke off.
    assert_eq!(event_refs(&l), [pair("sending", A), pair("doubt", A)]);
    assert_eq!(server.bodies().len(), 1);
    let out = l.dun(&["send", "--as-of", "2026-11-10"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(server.bodies().len(), 2, "B went, A was not sent again");
    assert_eq!(event_refs(&l)[2..], [pair("sending", B), pair("sent", B)]);
    // The user says it did not arrive: --retry-doubtful sends it once more.
    l.ok(&["send", "--retry-doubtful", "--as-of", "2026-11-11", "-q"]);
    assert_eq!(server.bodies().len(), 3);
    assert_eq!(event_refs(&l)[4..], [pair("sending", A), pair("sent", A)]);
}

#[test]
fn a_run_stopped_while_sending_leaves_doubt_not_a_second_message() {
    let server = SmtpServer::start(&[]);
    let l = emailing(&server);
    // What a run killed between `sending` and the server's answer leaves behind.
    let mut journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    journal.push_str(&format!("2026-11-09,sending,,A,,,email,{A},\n"));
    l.write("journal.csv", &journal);
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(event_refs(&l), [pair("sending", A), pair("doubt", A), pair("sending", B), pair("sent", B)]);
    assert_eq!(server.bodies().len(), 1, "only B went");
    // It did arrive, the customer says: recorded by hand, and the ladder counts it.
    l.ok(&["sent", A, "--as-of", "2026-11-10", "-q"]);
    assert_eq!(event_refs(&l)[4], pair("sent", A));
    assert_eq!(actions(&l, "2026-11-30"), vec!["collection,B,2".to_owned()]);
    assert_eq!(actions(&l, "2026-12-01"), vec!["collection,A,1".to_owned(), "collection,B,2".to_owned()]);
}

#[test]
fn the_password_comes_from_the_environment() {
    let server = SmtpServer::start(&[]);
    let l = emailing(&server);
    let policy = std::fs::read_to_string(l.file("policy.toml")).unwrap();
    let login = policy.replace(
        &format!("server = \"smtp://127.0.0.1:{}\"", server.port),
        &format!(
            "server = \"smtp://127.0.0.1:{}\"\nusername = \"dun\"\npassword_env = \"DUN_TEST_SMTP_PASSWORD\"",
            server.port
        ),
    );
    l.write("policy.toml", &login);
    let out =
        l.dun(&["send", "--as-of", "2026-11-09"]).env_remove("DUN_TEST_SMTP_PASSWORD").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("password_env names DUN_TEST_SMTP_PASSWORD, which is not set"), "{err}");
    assert!(event_refs(&l).is_empty(), "nothing journaled while nothing was sent");
    assert!(server.bodies().is_empty());
    // Set: it logs in (plain SMTP is allowed to this machine only) and sends.
    let out =
        l.dun(&["send", "--as-of", "2026-11-09"]).env("DUN_TEST_SMTP_PASSWORD", "hemligt").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let envelopes = server.envelopes.lock().unwrap().clone();
    // AUTH PLAIN of "\0dun\0hemligt".
    assert_eq!(envelopes[0], "AUTH PLAIN AGR1bgBoZW1saWd0");
    assert_eq!(server.bodies().len(), 2);
}

#[test]
fn starttls_required_refuses_a_server_without_it() {
    let server = SmtpServer::start(&[]);
    let l = emailing(&server);
    let policy = std::fs::read_to_string(l.file("policy.toml")).unwrap();
    l.write("policy.toml", &format!("{policy}starttls = \"required\"\n"));
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not offer STARTTLS"), "{err}");
    assert!(server.bodies().is_empty() && event_refs(&l).is_empty());
}

// SMS over a provider's HTTP API, against a small HTTP server run by the test on 127.0.0.1.

/// A provider answering the n-th request with `script[n]` (200 after its end); `requests`
/// holds each request's line, headers and body as received.
struct SmsProvider {
    port: u16,
    requests: Arc<Mutex<Vec<Received>>>,
}

/// A request as the provider read it: its first line, its headers, its body.
type Received = (String, Vec<String>, String);

impl SmsProvider {
    fn start(script: &[u16]) -> SmsProvider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (seen, script) = (requests.clone(), script.to_vec());
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let mut out = stream.try_clone().unwrap();
                let mut input = BufReader::new(stream);
                let mut request_line = String::new();
                input.read_line(&mut request_line).unwrap();
                let mut headers = Vec::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    input.read_line(&mut line).unwrap();
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                    let header = line.trim().to_owned();
                    if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    headers.push(header);
                }
                let mut body = vec![0; length];
                std::io::Read::read_exact(&mut input, &mut body).unwrap();
                seen.lock().unwrap().push((
                    request_line.trim().to_owned(),
                    headers,
                    String::from_utf8(body).unwrap(),
                ));
                let status = script.get(n).copied().unwrap_or(200);
                let text = if status == 200 { "{\"id\": \"m1\"}" } else { "{\"error\": \"nope\"}" };
                let _ = write!(
                    out,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        SmsProvider { port, requests }
    }

    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

const CUSTOMERS_SMS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Alfa Bygg AB,business,556036-0793,SE,sv,,070-123 45 67,Storgatan 1,41101,Göteborg\n\
B,Berit Holm,consumer,,SE,sv,,+46 73 987 65 43,Ekgatan 5,90330,Umeå\n";

fn texting(provider: &SmsProvider) -> Ledger {
    let l = Ledger::new();
    let policy = POLICY.replace("channels = [\"letter\"]", "channels = [\"sms\"]");
    l.write(
        "policy.toml",
        &format!(
            "{policy}[delivery.sms]\nurl = \"http://127.0.0.1:{}/v1/sms\"\nusername = \"u1\"\n\
             password_env = \"DUN_TEST_SMS_PASSWORD\"\nsender = \"Fonster\"\n",
            provider.port
        ),
    )
    .write("customers.csv", CUSTOMERS_SMS)
    .write("invoices.csv", INVOICES);
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert_eq!(lines(&l, "queued").len(), 2);
    l
}

fn send_sms(l: &Ledger, on: &str) -> std::process::Output {
    l.dun(&["send", "--as-of", on]).env("DUN_TEST_SMS_PASSWORD", "s3cret").output().unwrap()
}

#[test]
fn each_sms_reaches_the_provider_once() {
    let provider = SmsProvider::start(&[]);
    let l = texting(&provider);
    let out = send_sms(&l, "2026-11-09");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("send: 2 delivered (email 0, sms 2, letter 0)"));
    let requests = provider.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let (line, headers, body) = &requests[0];
    assert_eq!(line, "POST /v1/sms HTTP/1.1");
    // Basic u1:s3cret
    assert!(
        headers
            .iter()
            .any(|h| h == "authorization: Basic dTE6czNjcmV0" || h == "Authorization: Basic dTE6czNjcmV0"),
        "{headers:?}"
    );
    let sms = std::fs::read_to_string(l.file("out/2026-11-08/reminder-1_A_SEK.sms.txt")).unwrap();
    let text = sms.split_once("\n\n").unwrap().1.trim_end();
    let form: Vec<(String, String)> = body
        .split('&')
        .map(|kv| kv.split_once('=').unwrap())
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect();
    assert_eq!(
        form,
        [
            ("from".to_owned(), "Fonster".to_owned()),
            ("message".to_owned(), text.to_owned()),
            ("to".to_owned(), "+46701234567".to_owned())
        ]
    );
    assert_eq!(event_refs(&l), [pair("sending", A), pair("sent", A), pair("sending", B), pair("sent", B)]);
    assert!(send_sms(&l, "2026-11-10").status.success());
    assert_eq!(provider.count(), 2, "a second run sends nothing");
}

/// `application/x-www-form-urlencoded` decoding, for the test's own check.
fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn the_providers_answer_decides_failed_deferred_or_doubt() {
    let provider = SmsProvider::start(&[400, 503]);
    let l = texting(&provider);
    let out = send_sms(&l, "2026-11-09");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("sms {A}: refused (HTTP 400")), "{err}");
    assert!(err.contains(&format!("sms {B}: deferred (HTTP 503")), "{err}");
    assert_eq!(
        event_refs(&l),
        [pair("sending", A), pair("failed", A), pair("sending", B), pair("deferred", B)]
    );
    // The next run tries B again, not A.
    assert!(send_sms(&l, "2026-11-10").status.success());
    assert_eq!(provider.count(), 3);
    assert_eq!(event_refs(&l)[4..], [pair("sending", B), pair("sent", B)]);

    let provider = SmsProvider::start(&[500]);
    let l = texting(&provider);
    let out = send_sms(&l, "2026-11-09");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("sms {A}: in doubt")), "{out:?}");
    assert!(send_sms(&l, "2026-11-10").status.success());
    assert_eq!(provider.count(), 2, "the message in doubt is not sent again by itself");
}

#[test]
fn an_sms_password_goes_in_plain_http_only_to_this_machine() {
    let provider = SmsProvider::start(&[]);
    let l = texting(&provider);
    let policy = std::fs::read_to_string(l.file("policy.toml")).unwrap();
    l.write(
        "policy.toml",
        &policy.replace(&format!("http://127.0.0.1:{}/v1/sms", provider.port), "http://sms.example/v1/sms"),
    );
    let out = send_sms(&l, "2026-11-09");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("only over https://"), "{out:?}");
    assert!(event_refs(&l).is_empty());
}

#[test]
fn a_run_killed_after_the_server_took_a_message_never_sends_it_again() {
    let server = SmtpServer::start(&[]);
    let l = emailing(&server);
    // Killed after A's 250 and before `sent` reached the journal.
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).env("DUN_FAULT", "answered:0").output().unwrap();
    assert!(!out.status.success());
    assert_eq!(server.bodies().len(), 1);
    assert_eq!(event_refs(&l), [pair("sending", A)]);
    // The rerun cannot know A arrived: doubt, not a second copy; B goes once.
    let out = l.dun(&["send", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(event_refs(&l), [pair("sending", A), pair("doubt", A), pair("sending", B), pair("sent", B)]);
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].contains("ekonomi@alfa.example") && bodies[1].contains("berit@holm.example"));
}

// The summary of `dun send`: a line, per customer with --verbose, CSV or JSON, silent with -q.

#[test]
fn send_says_what_it_did_per_customer_with_verbose() {
    let server = SmtpServer::start(&[Answer::Reject]);
    let l = emailing(&server);
    let out = l.dun(&["send", "--verbose", "--as-of", "2026-11-09"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "sent email {B}: 250 2.0.0 queued as 1\n\
             send: 1 delivered (email 1, sms 0, letter 0), 0 deferred, 0 waiting, 1 refused, 0 in doubt\n  \
             A: email refused {A}\n  \
             B: email sent {B}\n"
        )
    );
    // Without --verbose, the counts alone.
    let out = l.dun(&["send", "--as-of", "2026-11-10"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "send: 0 delivered (email 0, sms 0, letter 0), 0 deferred, 0 waiting, 0 refused, 0 in doubt\n"
    );
}

#[test]
fn send_summarises_as_csv_and_json_on_stdout_alone() {
    let server = SmtpServer::start(&[Answer::Defer]);
    let l = emailing(&server);
    // Stdout carries the CSV and nothing else (no "sent ..." lines in it).
    let out = l.dun(&["send", "--format", "csv", "--as-of", "2026-11-09"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "customer,channel,ref,outcome,note\n\
             A,email,{A},deferred,451 4.3.0 try again later\n\
             B,email,{B},sent,250 2.0.0 queued as 1\n"
        )
    );
    // The deferred one goes on the next run; its JSON parses as a whole.
    let out = l.ok(&["send", "--format", "json", "--as-of", "2026-11-10"]);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(summary["delivered"], 1);
    assert_eq!(summary["channels"]["email"], 1);
    assert_eq!(
        summary["messages"],
        serde_json::json!([{"customer": "A", "channel": "email", "ref": A, "outcome": "sent", "note": "250 2.0.0 queued as 1"}])
    );
    // -o FILE.csv writes the summary there and keeps the progress lines on stdout.
    let server = SmtpServer::start(&[]);
    let l = emailing(&server);
    let file = l.file("send.csv");
    let out = l.ok(&["send", "-o", file.to_str().unwrap(), "--as-of", "2026-11-09"]);
    assert_eq!(
        out,
        format!("sent email {A}: 250 2.0.0 queued as 1\nsent email {B}: 250 2.0.0 queued as 1\n")
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains(&format!("B,email,{B},sent,250 2.0.0 queued as 1")), "{csv}");
    let err = l.fails(&["send", "--format", "xlsx", "-o", "x.xlsx", "--as-of", "2026-11-10"], 1);
    assert!(err.contains("table, csv or json"), "{err}");
}

#[test]
fn send_is_silent_with_q() {
    let server = SmtpServer::start(&[Answer::Defer]);
    let l = emailing(&server);
    let out = l.dun(&["send", "-q", "--as-of", "2026-11-09"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!((out.stdout.as_slice(), out.stderr.as_slice()), (&b""[..], &b""[..]), "{out:?}");
    assert_eq!(server.bodies().len(), 1);
    let out = l.dun(&["send", "-q", "--format", "json", "--as-of", "2026-11-10"]).output().unwrap();
    assert!(out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    assert_eq!(server.bodies().len(), 2);
}

#[test]
fn sent_by_customer_records_that_customers_waiting_messages() {
    // Letters and e-mails: A gets both, B (no address) a letter.
    let l = ledger("[delivery.letter]\n[delivery.email]\nserver = \"smtp://127.0.0.1:9\"\n");
    let policy = std::fs::read_to_string(l.file("policy.toml")).unwrap();
    l.write("policy.toml", &policy.replace("channels = [\"letter\"]", "channels = [\"letter\", \"email\"]"));
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert_eq!(lines(&l, "queued").len(), 3);

    // A's letter was posted on 11-09: only that one is recorded.
    let out = l.ok(&[
        "sent",
        "--customer",
        "A",
        "--channel",
        "letter",
        "--on",
        "2026-11-09",
        "--as-of",
        "2026-11-10",
    ]);
    assert_eq!(out, format!("sent letter {A} on 2026-11-09\n"));
    let sent = lines(&l, "sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0][0].as_str(), sent[0][3].as_str(), sent[0][6].as_str()),
        ("2026-11-09", "A", "letter")
    );
    // Delivered 11-09: deadline 11-19, collection from 11-30; B's letter still waits.
    assert_eq!(actions(&l, "2026-11-30"), vec!["collection,A,1".to_owned()]);

    // Without --channel: all of A's that still wait (the e-mail), not B's.
    let out = l.ok(&["sent", "--customer", "A", "--as-of", "2026-11-10"]);
    assert_eq!(out, format!("sent email {A} on 2026-11-10\n"));
    let out = l.ok(&["sent", "--customer", "A", "--as-of", "2026-11-10"]);
    assert_eq!(out, "sent: nothing waiting to record\n");
    assert_eq!(lines(&l, "sent").len(), 2);

    // A customer with nothing composed for delivery, or on that channel, is an error.
    let err = l.fails(&["sent", "--customer", "X", "--as-of", "2026-11-10"], 1);
    assert!(err.contains("no message to customer \"X\" was composed for delivery"), "{err}");
    let err = l.fails(&["sent", "--customer", "B", "--channel", "email", "--as-of", "2026-11-10"], 1);
    assert!(err.contains("no message to customer \"B\" was composed for delivery on channel email"), "{err}");
    // Named messages, --all and --customer are one choice.
    l.fails(&["sent", "--customer", "B", "--all", "--as-of", "2026-11-10"], 2);
    l.fails(&["sent", "--customer", "B", B, "--as-of", "2026-11-10"], 2);
    assert_eq!(lines(&l, "sent").len(), 2, "a refused `sent` journals nothing");
    // Several customers at once.
    let out = l.ok(&["sent", "--customer", "B", "--customer", "A", "--as-of", "2026-11-11"]);
    assert_eq!(out, format!("sent letter {B} on 2026-11-11\n"));
}

#[test]
fn collect_says_what_it_handed_over_per_customer_csv_and_json() {
    let l = ledger("");
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    // B, a consumer without a person number, cannot be handed over: exit 3, B named.
    let stdout = |args: &[&str]| {
        let out = l.dun(args).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("B (invoice 2): missing person number"),
            "{out:?}"
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let json = stdout(&["collect", "--dry-run", "--format", "json", "--as-of", "2026-11-29"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!((v["step"].as_str(), v["dry_run"].as_bool()), (Some("hand-over"), Some(true)));
    assert_eq!((v["letters"].as_u64(), v["handed_over"].as_u64()), (Some(1), Some(1)));
    assert_eq!(v["channels"]["letter"], 1);
    assert_eq!(v["customers"][0]["customer"], "A");
    assert_eq!(v["unreachable"], serde_json::json!(["B (invoice 2): missing person number (org_no)"]));
    let csv = stdout(&["collect", "--dry-run", "--format", "csv", "--as-of", "2026-11-29"]);
    assert_eq!(csv, "customer,name,channels,invoices\nA,Alfa Bygg AB,letter,1\n");
    assert!(!l.file("out/2026-11-29").exists(), "a dry run writes nothing");
    let out = stdout(&["collect", "--verbose", "--as-of", "2026-11-29"]);
    assert_eq!(
        out,
        "hand-over: wrote 1 letter(s) on 2026-11-29 (letter 1)\n  1 invoice(s) handed over to the agency\n  \
         A Alfa Bygg AB: letter (1 invoice(s))\n  1 customer(s) not reached (listed on stderr)\n"
    );
    assert_eq!(stdout(&["collect", "-q", "--as-of", "2026-11-30"]), "", "-q is silent");
}
