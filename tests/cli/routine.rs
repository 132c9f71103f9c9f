//! The README's morning routine (issue 13: import → remind → collect → send from cron), run as
//! the README prints it: the script is taken from README.md, pointed at a ledger in a temp
//! dir, and run by `sh` with cron's bare PATH and for today, as cron would run it.

use std::path::Path;
use std::process::Command as Process;

use crate::common::*;
use crate::import::{Bg, bgmax, ocr, txid};

/// The `#!/bin/sh` block of README.md's "Running it from cron".
fn readme_script() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start =
        readme.find("```sh\n#!/bin/sh\n").expect("README.md has the morning script") + "```sh\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

/// K1 pays 5001 in today's bank file; K2 gets a reminder; K3 has no postal address, so the
/// letter the policy asks for cannot go (a customer who needs a person: exit 3).
fn ledger(today: chrono::NaiveDate) -> Ledger {
    let due = (today - chrono::Days::new(10)).to_string();
    let l = Ledger::new();
    l.write(
        "policy.toml",
        "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\norg_no = \"556036-0793\"\n\
         bankgiro = \"5050-1055\"\n[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"0\"\n\
         min_amount = \"100\"\nchannels = [\"letter\"]\n[interest]\nmode = \"none\"\n\
         [delivery.letter]\nfolder = \"print\"\n",
    )
    .write(
        "customers.csv",
        "id,name,kind,org_no,country,language,address,postcode,city\n\
         K1,Kalles Plåt AB,business,5560000001,SE,sv,Storgatan 1,11122,Stockholm\n\
         K2,Olles Färg AB,business,5560000002,SE,sv,Storgatan 2,11122,Stockholm\n\
         K3,Åsa Ek,consumer,,SE,sv,,,\n",
    )
    .write(
        "invoices.csv",
        &format!(
            "number,customer,issued,due,amount,currency,reference\n\
             5001,K1,2026-01-01,{due},1000.00,SEK,{}\n\
             5002,K2,2026-01-01,{due},500.00,SEK,{}\n\
             5003,K3,2026-01-01,{due},300.00,SEK,\n",
            ocr("5001"),
            ocr("5002")
        ),
    );
    std::fs::create_dir_all(l.file("bank/inbox")).unwrap();
    std::fs::create_dir(l.file("print")).unwrap();
    l
}

fn run_script(l: &Ledger) -> std::process::Output {
    let dun = assert_cmd::cargo::cargo_bin("dun");
    let secrets = l.file("secrets.env");
    std::fs::write(&secrets, "export DUN_SMTP_PASSWORD=unused\n").unwrap();
    let script = readme_script()
        .replace("/usr/local/bin", &dun.parent().unwrap().display().to_string())
        .replace("/srv/ledger", &l.path().display().to_string())
        .replace("/etc/dun/secrets.env", &secrets.display().to_string());
    let file = l.file("morning.sh");
    std::fs::write(&file, script).unwrap();
    Process::new("sh")
        .arg(&file)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", l.path())
        .output()
        .unwrap()
}

#[test]
fn the_readmes_morning_routine_imports_reminds_and_delivers() {
    let today = chrono::Local::now().date_naive();
    let l = ledger(today);
    let day = today.format("%Y%m%d").to_string();
    l.write_bytes(
        &format!("bank/inbox/BgMax_{day}.txt"),
        &bgmax(&day, &[Bg { reference: &ocr("5001"), ore: 100_000, serial: 1, payer: None }]),
    );

    let out = run_script(&l);
    let err = String::from_utf8_lossy(&out.stderr);
    // K3 needs a person: the routine goes on to the end and says so with 3.
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(err.contains("K3"), "{err}");
    assert!(out.stdout.is_empty(), "quiet on stdout: {out:?}");
    // Imported: 5001 is paid and gets no reminder.
    let payments = std::fs::read_to_string(l.file("payments.csv")).unwrap();
    assert!(
        payments.contains(&format!("{today},5001,1000.00,{},{}", ocr("5001"), txid(&day, 1))),
        "{payments}"
    );
    // Reminded and delivered: K2's letter is in the print folder, journaled as sent today.
    let printed: Vec<String> = std::fs::read_dir(l.file("print"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(printed, [format!("{today}_reminder-1_K2_SEK.pdf")], "the print service gets the PDF");
    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    let events: Vec<(&str, &str)> = journal
        .lines()
        .skip(1)
        .map(|line| line.split(',').collect::<Vec<_>>())
        .map(|f| (f[1], f[3]))
        .filter(|(event, _)| ["reminder", "queued", "sent"].contains(event))
        .collect();
    assert_eq!(events, [("reminder", "K2"), ("queued", "K2"), ("sent", "K2")], "{journal}");
    assert!(
        journal
            .lines()
            .filter(|line| line.contains(",sent,"))
            .all(|line| line.starts_with(&today.to_string()))
    );

    // The next morning's run (same day, the file still in the inbox) adds nothing twice.
    let again = run_script(&l);
    assert_eq!(again.status.code(), Some(3), "{again:?}");
    assert_eq!(std::fs::read_to_string(l.file("journal.csv")).unwrap(), journal);
    assert_eq!(std::fs::read_to_string(l.file("payments.csv")).unwrap(), payments);
    assert_eq!(std::fs::read_dir(l.file("print")).unwrap().count(), 1);
}

#[test]
fn the_readmes_morning_routine_stops_on_bad_data() {
    let today = chrono::Local::now().date_naive();
    let l = ledger(today);
    let invoices = std::fs::read_to_string(l.file("invoices.csv")).unwrap();
    l.write("invoices.csv", &invoices.replace("500.00", "5OO.00"));
    let out = run_script(&l);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("invoices.csv"), "{out:?}");
    // Nothing composed, nothing sent.
    assert_eq!(std::fs::read_dir(l.file("print")).unwrap().count(), 0);
    assert!(
        !l.file("journal.csv").exists()
            || !std::fs::read_to_string(l.file("journal.csv")).unwrap().contains(",sent,")
    );
}
