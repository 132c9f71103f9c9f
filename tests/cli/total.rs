//! One payment reference for a letter's total (issue 13): a reminder about several invoices
//! gives one reference for paying them all, journals it, and `dun import` splits a payment
//! carrying it over exactly that letter's invoices.

use dun::core::reference::{RefKind, validate_reference};

use crate::common::*;
use crate::import::{Bg, bgmax, ocr, txid};

const POLICY: &str = "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
org_no = \"556036-0793\"\nemail = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"0\"\nmin_amount = \"100\"\n\
channels = [\"email\", \"letter\"]\n[interest]\nmode = \"none\"\n[collection]\ncompensation = \"0\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,address,postcode,city\n\
K1,Kalles Plåt AB,business,5560000001,SE,sv,kalle@example.se,Storgatan 1,11122,Stockholm\n\
K2,Olles Färg AB,business,5560000002,SE,sv,olle@example.se,Storgatan 2,11122,Stockholm\n";

/// K1 has three overdue invoices (OCR references), K2 one; all are due for a reminder on
/// 2026-11-24.
fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", POLICY).write("customers.csv", CUSTOMERS).write(
        "invoices.csv",
        &format!(
            "number,customer,issued,due,amount,currency,reference\n\
             4001,K1,2026-09-20,2026-10-20,1200.00,SEK,{}\n\
             4002,K1,2026-09-10,2026-10-10,300.00,SEK,{}\n\
             4003,K1,2026-10-01,2026-10-31,450.50,SEK,{}\n\
             4004,K2,2026-10-01,2026-10-31,800.00,SEK,{}\n",
            ocr("4001"),
            ocr("4002"),
            ocr("4003"),
            ocr("4004")
        ),
    );
    l
}

fn out(l: &Ledger, name: &str) -> String {
    std::fs::read_to_string(l.file(&format!("out/2026-11-24/{name}"))).unwrap()
}

/// The reference the letter prints beside "OCR-nummer för hela beloppet", spaces removed.
fn total_reference_in(letter: &str) -> String {
    let label = "OCR-nummer för hela beloppet</th><td><strong>";
    let start =
        letter.find(label).unwrap_or_else(|| panic!("no reference for the total in\n{letter}")) + label.len();
    let end = start + letter[start..].find("</strong>").unwrap();
    letter[start..end].chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn a_letters_total_reference_pays_exactly_its_invoices() {
    let l = ledger();
    l.ok(&["remind", "--as-of", "2026-11-24", "-q"]);
    let letter = out(&l, "reminder-1_K1_SEK.letter.html");
    let total = total_reference_in(&letter);
    assert!(validate_reference(RefKind::Ocr, &total).is_ok(), "{total} is no OCR number");
    for own in ["4001", "4002", "4003"] {
        assert_ne!(total, ocr(own));
        // Each invoice still shows its own reference in the table.
        let digits: String = letter.chars().filter(char::is_ascii_digit).collect();
        assert!(digits.contains(&ocr(own)), "{own}'s own reference is missing:\n{letter}");
    }
    // (The e-mail's body is base64; the letters' unit tests render its label.) The
    // one-invoice letter has no reference for a total.
    assert!(l.file("out/2026-11-24/reminder-1_K1_SEK.eml").exists());
    let single = out(&l, "reminder-1_K2_SEK.letter.html");
    assert!(!single.contains("för hela beloppet"), "{single}");
    assert!(single.contains("OCR-nummer"), "{single}");
    // Journaled: the letter's three lines carry it, in the note.
    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    let carrying: Vec<&str> =
        journal.lines().filter(|line| line.ends_with(&format!(",total-reference {total}"))).collect();
    assert_eq!(carrying.len(), 3, "{journal}");
    for invoice in ["4001", "4002", "4003"] {
        assert!(carrying.iter().any(|line| line.starts_with(&format!("2026-11-24,reminder,{invoice},K1,"))));
    }

    // The customer pays the letter's 1 950.50 with that one reference.
    let bank = l.file("BgMax_20261126.txt");
    std::fs::write(
        &bank,
        bgmax("20261126", &[Bg { reference: &total, ore: 195_050, serial: 5, payer: None }]),
    )
    .unwrap();
    l.ok(&["import", bank.to_str().unwrap(), "--as-of", "2026-11-26", "-q"]);
    let payments = std::fs::read_to_string(l.file("payments.csv")).unwrap();
    let id = txid("20261126", 5);
    // One line per invoice it settles, oldest due first, each with the bank's transaction id.
    let mine: Vec<&str> = payments.lines().filter(|line| line.contains(&id)).collect();
    assert_eq!(mine.len(), 3, "{payments}");
    for (line, (invoice, amount)) in
        mine.iter().zip([("4002", "300.00"), ("4001", "1200.00"), ("4003", "450.50")])
    {
        assert!(
            line.starts_with(&format!("2026-11-26,{invoice},{amount},{total},{id},")),
            "{line}\n{payments}"
        );
    }
    let unmatched = std::fs::read_to_string(l.file("unmatched.csv")).unwrap_or_default();
    assert!(unmatched.lines().count() <= 1, "{unmatched}");

    // Settled, nothing overpaid: K1 owes nothing and has no credit; only K2's 800 is open.
    let report: serde_json::Value =
        serde_json::from_str(&l.ok(&["report", "--as-of", "2026-11-26", "--format", "json"])).unwrap();
    let rows: Vec<&str> =
        report["rows"].as_array().unwrap().iter().map(|r| r["customer"].as_str().unwrap()).collect();
    assert_eq!(rows, ["K2"], "{report:#}");
    assert_eq!(report["key_figures"]["per_currency"]["SEK"]["open"], "800.00", "{report:#}");
    assert_eq!(report["key_figures"]["per_currency"]["SEK"]["credits"], "0.00", "{report:#}");
    let due = l.ok(&["due", "--as-of", "2026-12-20", "--format", "csv"]);
    assert!(!due.contains("4001") && !due.contains("4002") && !due.contains("4003"), "{due}");
    assert!(due.contains("4004"), "{due}");
    let customer: serde_json::Value =
        serde_json::from_str(&l.ok(&["customer", "K1", "--as-of", "2026-11-26", "--format", "json"]))
            .unwrap();
    assert_eq!(customer["credits"], serde_json::json!([]), "{customer:#}");
    assert_eq!(customer["credit"]["exposure"], "0.00", "{customer:#}");
}

/// A payment of less than the total pays the oldest invoice first and leaves the rest open.
#[test]
fn a_short_payment_of_the_total_pays_the_oldest_first() {
    let l = ledger();
    l.ok(&["remind", "--as-of", "2026-11-24", "-q"]);
    let total = total_reference_in(&out(&l, "reminder-1_K1_SEK.letter.html"));
    let bank = l.file("BgMax_20261126.txt");
    std::fs::write(
        &bank,
        bgmax("20261126", &[Bg { reference: &total, ore: 50_000, serial: 6, payer: None }]),
    )
    .unwrap();
    l.ok(&["import", bank.to_str().unwrap(), "--as-of", "2026-11-26", "-q"]);
    let payments = std::fs::read_to_string(l.file("payments.csv")).unwrap();
    let lines: Vec<&str> = payments.lines().skip(1).collect();
    assert_eq!(lines.len(), 2, "{payments}");
    assert!(lines[0].starts_with("2026-11-26,4002,300.00,"), "{payments}");
    assert!(lines[1].starts_with("2026-11-26,4001,200.00,"), "{payments}");
}

/// The same letter composed from the same ledger (a dry run, then the run; another copy of
/// the ledger) gets the same reference.
#[test]
fn the_same_letter_gets_the_same_reference() {
    let l = ledger();
    let dry = l.ok(&["remind", "--as-of", "2026-11-24", "--dry-run"]);
    assert!(dry.contains("reminder-1_K1_SEK"), "{dry}");
    let other = ledger();
    other.ok(&["remind", "--as-of", "2026-11-24", "-q"]);
    l.ok(&["remind", "--as-of", "2026-11-24", "-q"]);
    let first = total_reference_in(&out(&l, "reminder-1_K1_SEK.letter.html"));
    assert_eq!(first, total_reference_in(&out(&other, "reminder-1_K1_SEK.letter.html")));
}

/// A collection notice about several invoices carries one reference for the total too,
/// journaled the same way and given to the agency in the batch; a payment of the claim with
/// that reference (the agency remitting it, or the debtor paying the creditor after all) is
/// split over exactly the notice's invoices.
#[test]
fn a_collection_notices_total_reference_pays_exactly_its_invoices() {
    let l = ledger();
    l.ok(&["remind", "--as-of", "2026-11-24", "-q"]);
    let reminder_total = total_reference_in(&out(&l, "reminder-1_K1_SEK.letter.html"));
    // Deadline 12-04, ten days more: all four are handed over on 12-15.
    let due = l.ok(&["due", "--as-of", "2026-12-15", "--format", "csv"]);
    assert_eq!(due.lines().filter(|line| line.starts_with("collection,")).count(), 4, "{due}");
    l.ok(&["collect", "--as-of", "2026-12-15", "-q"]);

    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    let handed: Vec<&str> =
        journal.lines().filter(|line| line.starts_with("2026-12-15,collection,")).collect();
    assert_eq!(handed.len(), 4, "{journal}");
    let total = handed
        .iter()
        .find_map(|line| line.split_once(",total-reference ").map(|(_, r)| r.to_owned()))
        .unwrap_or_else(|| panic!("no total reference journaled:\n{journal}"));
    assert!(validate_reference(RefKind::Ocr, &total).is_ok(), "{total} is no OCR number");
    assert_ne!(total, reminder_total, "a new reference, not the reminder's");
    for invoice in ["4001", "4002", "4003"] {
        assert!(
            handed.iter().any(|line| line.starts_with(&format!("2026-12-15,collection,{invoice},K1,"))
                && line.ends_with(&format!(",total-reference {total}"))),
            "{invoice}: {journal}"
        );
    }
    // K2's notice is about one invoice: no total reference.
    let k2: Vec<&&str> = handed.iter().filter(|line| line.contains(",4004,K2,")).collect();
    assert_eq!(k2.len(), 1);
    assert!(!k2[0].contains("total-reference"), "{}", k2[0]);

    // The agency's batch carries it per invoice, in the last column.
    let batch = std::fs::read_to_string(l.file("out/2026-12-15/collection-batch.csv")).unwrap();
    let mut rows = batch.lines();
    assert!(rows.next().unwrap().ends_with(",reference,total_reference"), "{batch}");
    for row in rows {
        let fields: Vec<&str> = row.split(',').collect();
        let expected = if fields[0] == "K1" { total.as_str() } else { "" };
        assert_eq!(fields[fields.len() - 1], expected, "{row}");
        assert_eq!(fields.len(), 27, "{row}");
    }

    // The 1 950.50 of K1's three invoices comes in with that reference.
    let bank = l.file("BgMax_20261217.txt");
    std::fs::write(
        &bank,
        bgmax("20261217", &[Bg { reference: &total, ore: 195_050, serial: 7, payer: None }]),
    )
    .unwrap();
    l.ok(&["import", bank.to_str().unwrap(), "--as-of", "2026-12-17", "-q"]);
    let payments = std::fs::read_to_string(l.file("payments.csv")).unwrap();
    let id = txid("20261217", 7);
    let mine: Vec<&str> = payments.lines().filter(|line| line.contains(&id)).collect();
    assert_eq!(mine.len(), 3, "{payments}");
    for (line, (invoice, amount)) in
        mine.iter().zip([("4002", "300.00"), ("4001", "1200.00"), ("4003", "450.50")])
    {
        assert!(
            line.starts_with(&format!("2026-12-17,{invoice},{amount},{total},{id},")),
            "{line}\n{payments}"
        );
    }
    let report: serde_json::Value =
        serde_json::from_str(&l.ok(&["report", "--as-of", "2026-12-17", "--format", "json"])).unwrap();
    assert_eq!(report["key_figures"]["per_currency"]["SEK"]["open"], "800.00", "{report:#}");
    assert_eq!(report["key_figures"]["per_currency"]["SEK"]["credits"], "0.00", "{report:#}");
}
