//! Letters as PDF (issue 13): `remind` and `collect` write each letter as an A4 PDF beside its
//! HTML, the print folder gets the PDF, and an e-mail carries it when
//! `[delivery.email] attach_pdf` says so — through the binary.

use base64::Engine as _;

use crate::common::*;
use crate::delivery::{CUSTOMERS_EMAIL, INVOICES, POLICY, SmtpServer};

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Ærø Smørrebrød ApS,business,10150817,DK,da,,,Østergade 1,5970,Ærøskøbing\n\
B,Berit Åström,consumer,121212-1212,SE,sv,,,Ekgatan 5,90330,Umeå\n";

fn ledger(delivery: &str) -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", &format!("{POLICY}{delivery}"))
        .write("customers.csv", CUSTOMERS)
        .write("invoices.csv", INVOICES);
    l
}

/// The text of a PDF as a program that copies text out of it reads it (no-break spaces as
/// spaces).
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF lopdf reads");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap().replace('\u{a0}', " ")
}

#[test]
fn remind_and_collect_write_a_pdf_beside_each_letter() {
    let l = ledger("");
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    for (customer, name, town, total) in [
        ("A", "Ærø Smørrebrød ApS", "5970 Ærøskøbing", "12.560,00 SEK"),
        ("B", "Berit Åström", "90330 Umeå", "860,00 kr"),
    ] {
        let html =
            std::fs::read_to_string(l.file(&format!("out/2026-11-08/reminder-1_{customer}_SEK.letter.html")))
                .unwrap()
                .replace('\u{a0}', " ");
        let pdf = std::fs::read(l.file(&format!("out/2026-11-08/reminder-1_{customer}_SEK.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = pdf_text(&pdf);
        // The same figures as the HTML letter, checked by hand: 12 500,00 + 60,00 fee; 800 + 60.
        for expected in [name, town, total, "Fönster AB"] {
            assert!(html.contains(expected), "{customer}: {expected:?} not in the HTML");
            assert!(text.contains(expected), "{customer}: {expected:?} not in the PDF:\n{text}");
        }
    }
    l.ok(&["collect", "--as-of", "2026-11-29", "-q"]);
    let pdf = std::fs::read(l.file("out/2026-11-29/collection-1_A_SEK.pdf")).unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("Inkasso Väst AB") && text.contains("Ærø Smørrebrød ApS"), "{text}");
}

#[test]
fn the_print_folder_gets_the_pdf() {
    let l = ledger("[delivery.letter]\nfolder = \"print\"\n");
    std::fs::create_dir(l.file("print")).unwrap();
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    assert!(
        journal.contains(",queued,") && journal.contains("out/2026-11-08/reminder-1_A_SEK.pdf"),
        "{journal}"
    );
    l.ok(&["send", "--as-of", "2026-11-09", "-q"]);
    let mut handed: Vec<String> = std::fs::read_dir(l.file("print"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    handed.sort();
    assert_eq!(handed, ["2026-11-08_reminder-1_A_SEK.pdf", "2026-11-08_reminder-1_B_SEK.pdf"]);
    assert_eq!(
        std::fs::read(l.file("print/2026-11-08_reminder-1_A_SEK.pdf")).unwrap(),
        std::fs::read(l.file("out/2026-11-08/reminder-1_A_SEK.pdf")).unwrap()
    );
}

/// The PDF attachments of a message as the server received it: (file name, bytes).
fn pdf_attachments(message: &str) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for part in message.split("\r\n--").filter(|part| part.contains("Content-Type: application/pdf")) {
        let name = part
            .split("filename=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned();
        assert!(part.contains("Content-Transfer-Encoding: base64"), "{part}");
        let body_start = part.find("\r\n\r\n").expect("part headers end") + 4;
        let body: String = part[body_start..].chars().filter(|c| !c.is_whitespace()).collect();
        found
            .push((name, base64::engine::general_purpose::STANDARD.decode(body).expect("base64 attachment")));
    }
    found
}

fn emailing(server: &SmtpServer, attach: &str) -> Ledger {
    let l = Ledger::new();
    let policy = POLICY.replace("channels = [\"letter\"]", "channels = [\"email\"]");
    l.write(
        "policy.toml",
        &format!("{policy}[delivery.email]\nserver = \"smtp://127.0.0.1:{}\"\n{attach}", server.port),
    )
    .write("customers.csv", CUSTOMERS_EMAIL)
    .write("invoices.csv", INVOICES);
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    l.ok(&["send", "--as-of", "2026-11-09", "-q"]);
    l
}

#[test]
fn an_email_carries_the_letter_as_pdf_when_the_policy_says_so() {
    let server = SmtpServer::start(&[]);
    emailing(&server, "attach_pdf = true\n");
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].contains("Content-Type: multipart/mixed"), "{}", bodies[0]);
    let attached = pdf_attachments(&bodies[0]);
    assert_eq!(attached.len(), 1, "{}", bodies[0]);
    assert_eq!(attached[0].0, "reminder-1_A_SEK.pdf");
    assert!(bodies[0].contains("Content-Disposition: attachment"), "{}", bodies[0]);
    let text = pdf_text(&attached[0].1);
    assert!(text.contains("Alfa Bygg AB") && text.contains("12 560,00 kr"), "{text}");

    // Without the key, no attachment.
    let plain = SmtpServer::start(&[]);
    emailing(&plain, "");
    assert!(plain.bodies().iter().all(|b| !b.contains("application/pdf")));
}
