//! GDPR: `dun forget` pseudonymises a customer past bookkeeping retention and leaves every
//! number as it was; `--redact` masks personal data in exports; `check` lists who is past
//! retention.

use crate::common::*;

const CUSTOMERS: &str = "id,name,kind,org_no,email,phone,address,postcode,city,contact\n\
OLD,Olle Gammalsson,consumer,19500101-1234,olle.gammal@example.se,070-111 22 33,Storgatan 17,411 01,Göteborg,Olles dotter Lisa\n\
NEW,Nya Bygg AB,business,556677-8899,info@nyabygg.example,031-123 45 67,Hamngatan 2,411 02,Göteborg,\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", CUSTOMERS);
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,paid_on,description\n\
1001,OLD,2018-05-01,2018-05-31,1500.00,1500.00,2018-06-20,Fönsterputs Storgatan 17\n\
2001,NEW,2026-10-01,2026-10-31,2500.00,0,,Fönsterputs kontor\n",
    );
    l.write(
        "journal.csv",
        "date,event,invoice,customer,amount,until,channel,ref,note\n\
2018-06-08,reminder,1001,OLD,0,2018-06-18,letter,reminder-1_OLD_SEK,\n\
2018-06-10,note,1001,OLD,,,,,called Olle Gammalsson: pays on Friday\n",
    );
    std::fs::create_dir_all(l.file("out/2018-06-08")).unwrap();
    l.write("out/2018-06-08/reminder-1_OLD_SEK.letter.html", "<p>Olle Gammalsson, Storgatan 17</p>");
    std::fs::create_dir_all(l.file("out/2018-07-01")).unwrap();
    l.write("out/2018-07-01/collection-batch.csv", BATCH);
    l
}

/// An agency batch that handed OLD's invoice over.
const BATCH: &str =
    "debtor_id,debtor_name,address,invoice,amount\nOLD,Olle Gammalsson,Storgatan 17,1001,1500.00\n";

/// Every file under the ledger, as text.
fn everything(l: &Ledger) -> String {
    fn walk(dir: &std::path::Path, out: &mut String) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                walk(&e.path(), out);
            } else {
                out.push_str(&String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()));
            }
        }
    }
    let mut out = String::new();
    walk(l.path(), &mut out);
    out
}

#[test]
fn forget_refuses_while_open_or_within_retention() {
    let l = ledger();
    let err = l.fails(&["forget", "NEW", "--as-of", "2026-11-30"], 1);
    assert!(err.contains("NEW is not forgotten: it still has something open (2001 2500.00 SEK)"), "{err}");
    // SE keeps the records through the seventh year after 2018: until 2025-12-31.
    let err = l.fails(&["forget", "OLD", "--as-of", "2025-12-31"], 1);
    assert!(err.contains("last activity was on 2018-06-20"), "{err}");
    assert!(
        err.contains("SE: 7 years, bokföringslagen (1999:1078) 7 kap. 2 §) keeps it until 2025-12-31"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(l.file("customers.csv")).unwrap(), CUSTOMERS);
    let err = l.fails(&["forget", "NOBODY"], 1);
    assert!(err.contains("no customer has the id \"NOBODY\""), "{err}");
}

#[test]
fn forget_leaves_the_numbers_and_no_personal_data() {
    let l = ledger();
    let numbers = |l: &Ledger| {
        [
            l.ok(&["report", "--format", "json", "--as-of", "2026-11-30"]).replace("Nya Bygg AB", ""),
            l.ok(&["stats", "--format", "json", "--as-of", "2026-11-30"]),
            l.ok(&["forecast", "--format", "json", "--as-of", "2026-11-30"]),
            l.ok(&["interest", "--format", "csv", "--as-of", "2026-11-30", "--from", "2018-01-01"]),
        ]
    };
    let check = l.ok(&["check", "--format", "csv", "--as-of", "2026-11-30"]);
    assert!(check.contains("past-retention") && check.contains("OLD"), "{check}");
    let before = numbers(&l);
    let invoices_before = std::fs::read_to_string(l.file("invoices.csv")).unwrap();
    let out = l.ok(&["forget", "OLD", "--as-of", "2026-11-30"]);
    assert!(out.contains("OLD: personal data forgotten"), "{out}");
    assert_eq!(numbers(&l), before);
    let all = everything(&l);
    for personal in [
        "Olle",
        "Gammalsson",
        "19500101-1234",
        "olle.gammal@example.se",
        "070-111 22 33",
        "Storgatan 17",
        "Lisa",
        "pays on Friday",
    ] {
        assert!(!all.contains(personal), "{personal} is still in the ledger");
    }
    // The other customer, the ids and every amount and date are as they were.
    let customers = std::fs::read_to_string(l.file("customers.csv")).unwrap();
    assert_eq!(
        customers,
        "id,name,kind,org_no,email,phone,address,postcode,city,contact\n\
OLD,(forgotten),consumer,,,,,,,\n\
NEW,Nya Bygg AB,business,556677-8899,info@nyabygg.example,031-123 45 67,Hamngatan 2,411 02,Göteborg,\n"
    );
    let invoices = std::fs::read_to_string(l.file("invoices.csv")).unwrap();
    assert_eq!(invoices, invoices_before.replace("Fönsterputs Storgatan 17", ""));
    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    assert!(journal.contains("2018-06-10,note,1001,OLD,,,,,(forgotten)\n"), "{journal}");
    assert!(
        journal.contains("note,,OLD,,,,,personal data forgotten (last activity 2018-06-20; SE keeps 7 years"),
        "{journal}"
    );
    assert!(!l.file("out/2018-06-08/reminder-1_OLD_SEK.letter.html").exists());
    let check = l.ok(&["check", "--format", "csv", "--as-of", "2026-11-30"]);
    assert!(!check.contains("past-retention"), "{check}");
    let err = l.fails(&["forget", "OLD", "--as-of", "2026-11-30"], 1);
    assert!(err.contains("it was already forgotten"), "{err}");
}

/// A second number (`mobile`, read since the register took `Mobil` beside `Telefon`) is
/// personal data too: forgetting empties it and `--redact` masks it, as it does `phone`.
#[test]
fn forget_and_redact_take_the_mobile_number_too() {
    let l = ledger();
    l.write(
        "customers.csv",
        "id,name,kind,phone,mobile\n\
OLD,Olle Gammalsson,consumer,031-111 22 33,070-999 88 77\n\
NEW,Nya Bygg AB,business,031-123 45 67,073-555 44 33\n",
    );
    let json = l.ok(&["customer", "NEW", "--format", "json", "--as-of", "2026-11-30", "--redact"]);
    assert!(!json.contains("073-555 44 33") && json.contains("***33"), "{json}");
    l.ok(&["forget", "OLD", "--as-of", "2026-11-30"]);
    let customers = std::fs::read_to_string(l.file("customers.csv")).unwrap();
    assert_eq!(
        customers,
        "id,name,kind,phone,mobile\nOLD,(forgotten),consumer,,\nNEW,Nya Bygg AB,business,031-123 45 67,073-555 44 33\n"
    );
}

#[test]
fn redact_masks_names_contacts_and_numbers_in_every_export() {
    let l = ledger();
    let csv = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30", "--redact"]);
    assert!(csv.contains("NEW,N*** B*** AB,SEK"), "{csv}");
    let json = l.ok(&["customer", "NEW", "--format", "json", "--as-of", "2026-11-30", "--redact"]);
    for personal in ["Nya Bygg", "info@nyabygg.example", "031-123 45 67", "556677-8899", "Hamngatan 2"] {
        assert!(!json.contains(personal), "{personal} in {json}");
    }
    assert!(json.contains("i***@***") && json.contains("***67"), "{json}");
    let html = l.ok(&["report", "--format", "html", "--as-of", "2026-11-30", "--redact"]);
    assert!(!html.contains("Nya Bygg") && html.contains("N*** B*** AB"), "redacted page");
    // Without --redact, nothing is masked.
    assert!(l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]).contains("Nya Bygg AB"));
}

/// Issue 10: `dun forget` stopped at any point of its run (`DUN_FAULT`, see `io::commit`) is
/// all done or all undone: the register, the invoices, the journal's notes and the note that
/// records it land together, and the run again (or the next run's recovery) completes it.
#[test]
fn forget_stopped_anywhere_lands_whole_or_not_at_all() {
    let faults = [
        "commit:0",
        "stage:0",
        "stage:1",
        "stage:2",
        "stage:3",
        "committed:0",
        "rename:0",
        "rename:2",
        "rename:3",
        "remove:0",
    ];
    let letter = "out/2018-06-08/reminder-1_OLD_SEK.letter.html";
    for fault in faults {
        let l = ledger();
        let out =
            l.dun(&["forget", "OLD", "--as-of", "2026-11-30"]).env("DUN_FAULT", fault).output().unwrap();
        assert!(!out.status.success(), "{fault}: the fault did not stop the run");
        // A reader without the lock sees either everything or nothing of it.
        let journal_seen = l.ok(&["customer", "OLD", "--format", "json", "--as-of", "2026-11-30"]);
        let forgotten_seen = journal_seen.contains("personal data forgotten");
        assert_eq!(
            forgotten_seen,
            !journal_seen.contains("pays on Friday"),
            "{fault}: the journal is half forgotten: {journal_seen}"
        );
        // Letters and batches under out/ change with the run, not before its commit.
        let batch = std::fs::read_to_string(l.file("out/2018-07-01/collection-batch.csv")).unwrap();
        if !forgotten_seen {
            assert!(l.file(letter).exists(), "{fault}: the letter went before the run committed");
            assert_eq!(batch, BATCH, "{fault}: the batch changed before the run committed");
        }
        // Running it again finishes it, or says it is done.
        let again = l.dun(&["forget", "OLD", "--as-of", "2026-11-30"]).output().unwrap();
        let said = String::from_utf8_lossy(&again.stderr).into_owned();
        assert!(again.status.success() || said.contains("it was already forgotten"), "{fault}: {said}");
        let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
        assert_eq!(journal.matches("personal data forgotten").count(), 1, "{fault}: {journal}");
        assert!(journal.contains("2018-06-10,note,1001,OLD,,,,,(forgotten)\n"), "{fault}: {journal}");
        let customers = std::fs::read_to_string(l.file("customers.csv")).unwrap();
        assert!(customers.contains("OLD,(forgotten),consumer,,,,,,,\n"), "{fault}: {customers}");
        let all = everything(&l);
        assert!(!all.contains("Gammalsson") && !all.contains("pays on Friday"), "{fault}");
        assert!(!l.file(letter).exists(), "{fault}: the letter is still there");
        let batch = std::fs::read_to_string(l.file("out/2018-07-01/collection-batch.csv")).unwrap();
        assert_eq!(
            batch, "debtor_id,debtor_name,address,invoice,amount\nOLD,(forgotten),,1001,1500.00\n",
            "{fault}"
        );
        let names: Vec<String> = std::fs::read_dir(l.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("dun-tmp") || n.contains("dun-commit"))
            .collect();
        assert!(names.is_empty(), "{fault}: left behind {names:?}");
    }
}
