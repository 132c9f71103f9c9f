//! `dun send` and `dun sent` (issue 13): delivery as its own step, each message at most once,
//! and the ladder counting a reminder from its delivery, through the binary.

use crate::common::*;

const POLICY: &str = "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
email = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"60\"\nfee_agreed = true\nmin_amount = \"100\"\n\
channels = [\"letter\"]\n[interest]\nmode = \"none\"\n[collection]\nafter_days = 10\nmin_amount = \"200\"\n\
compensation = \"0\"\nagency = \"Inkasso Väst AB\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Alfa Bygg AB,business,556036-0793,SE,sv,ekonomi@alfa.example,,Storgatan 1,41101,Göteborg\n\
B,Berit Holm,consumer,,SE,sv,,,Ekgatan 5,90330,Umeå\n";

/// Both fall due 2026-11-01: reminder on 11-08, deadline 11-18, collection from 11-29 when
/// the reminder counts from the day it was written.
const INVOICES: &str = "number,customer,issued,due,amount,currency,reference\n\
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
        ["letter", "2026-11-08/reminder-1_A_SEK", "out/2026-11-08/reminder-1_A_SEK.letter.html"]
    );
    // Written but not sent: on 11-29 nothing moves to collection, and explain says why.
    assert_eq!(actions(&l, "2026-11-29"), Vec::<String>::new());
    let why = l.ok(&["explain", "1", "--as-of", "2026-11-29"]);
    assert!(why.contains("not delivered yet") && why.contains("not posted yet"), "{why}");

    // Handed to the print service on 11-10: the deadline is 11-20, collection from 12-01.
    let out = l.ok(&["send", "--as-of", "2026-11-10"]);
    assert!(out.contains("send: 2 delivered (email 0, sms 0, letter 2)"), "{out}");
    let printed = l.file("print/2026-11-08_reminder-1_A_SEK.letter.html");
    assert_eq!(
        std::fs::read(&printed).unwrap(),
        std::fs::read(l.file("out/2026-11-08/reminder-1_A_SEK.letter.html")).unwrap()
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
