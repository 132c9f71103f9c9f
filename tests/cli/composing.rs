//! Issue #14: `remind` and `collect` put each letter where it goes as it is composed (staged in
//! the run's commit, or, in a dry run, named and dropped) instead of holding every letter of
//! the run. A dry run still lists exactly what the real run writes and fails exactly where it
//! fails; a run that fails part-way leaves no file and no journal line.

use std::path::Path;

use crate::common::*;

const POLICY: &str = "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
email = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"60\"\nfee_agreed = true\n\
channels = [\"email\", \"letter\"]\n[interest]\nmode = \"none\"\n[collection]\nafter_days = 10\n\
compensation = \"0\"\nagency = \"Inkasso Väst AB\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city,contact\n\
A,Alfa Bygg AB,business,556036-0793,SE,sv,ekonomi@alfa.example,,Storgatan 1,41101,Göteborg,\n\
B,Berg AB,business,556036-0793,SE,sv,,,Ekgatan 5,90330,Umeå,\n\
C,Ceder AB,business,556036-0793,SE,en,c@ceder.example,,Gatan 1,11122,Stockholm,\n\
Z,Zeta AB,business,556036-0793,SE,sv,z@zeta.example,,Gatan 2,11122,Stockholm,Zara Zetterlund\n";

/// All due 2026-11-01: the first reminder is due 11-08, collection from 11-29.
const INVOICES: &str = "number,customer,issued,due,amount,currency,reference\n\
1,A,2026-10-02,2026-11-01,12500.00,SEK,\n\
2,A,2026-10-02,2026-11-01,3000.00,SEK,\n\
3,B,2026-10-02,2026-11-01,800.00,SEK,\n\
4,C,2026-10-02,2026-11-01,450.00,SEK,\n\
5,Z,2026-10-02,2026-11-01,460.00,SEK,\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", POLICY).write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

/// Every file under `dir`, relative to the ledger, sorted (hidden temporary files included).
fn files_under(l: &Ledger, dir: &str) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![l.file(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                files.push(e.path().strip_prefix(l.path()).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    files
}

/// What a dry run says it would write, relative to the ledger, sorted.
fn would_write(l: &Ledger, stdout: &str) -> Vec<String> {
    let mut files: Vec<String> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("would write "))
        .map(|path| Path::new(path).strip_prefix(l.path()).unwrap().display().to_string())
        .collect();
    files.sort();
    files
}

fn journal_lines(l: &Ledger) -> usize {
    std::fs::read_to_string(l.file("journal.csv")).map_or(0, |j| j.lines().count().saturating_sub(1))
}

/// The dry run names exactly the files the real run then writes, and as many journal lines,
/// on a day whose first folder is taken by an earlier run's file (the run goes to
/// `2026-11-08-run2/`), for `remind` and `collect` alike.
#[test]
fn a_dry_run_lists_exactly_what_the_real_run_writes() {
    for (command, day) in [("remind", "2026-11-08"), ("collect", "2026-11-29")] {
        let l = ledger();
        if command == "collect" {
            l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
        }
        let before = journal_lines(&l);
        std::fs::create_dir_all(l.file(&format!("out/{day}"))).unwrap();
        // Taken by an earlier run: the letter to C on e-mail, or the day's batch.
        let taken = if command == "remind" { "reminder-1_C_SEK.eml" } else { "collection-batch.csv" };
        l.write(&format!("out/{day}/{taken}"), "an earlier run's");
        let args = [command, "--as-of", day, "--force"];
        let dry = l.ok(&[&args[..], &["--dry-run"]].concat());
        let listed = would_write(&l, &dry);
        let journaled = dry.lines().filter(|line| line.starts_with("would journal ")).count();
        assert!(listed.len() >= 5, "{command}: {dry}");
        assert!(listed.iter().all(|f| f.starts_with(&format!("out/{day}-run2/"))), "{listed:?}");
        let run2 = format!("out/{day}-run2");
        assert_eq!(files_under(&l, &format!("out/{day}")), vec![format!("out/{day}/{taken}")]);
        assert!(files_under(&l, &run2).is_empty(), "a dry run writes nothing");
        assert_eq!(journal_lines(&l), before, "a dry run journals nothing");

        l.ok(&[&args[..], &["-q"]].concat());
        assert_eq!(files_under(&l, &run2), listed, "{command}");
        assert_eq!(journal_lines(&l), before + journaled, "{command}");
    }
}

/// What makes the last customer's letter impossible to compose.
type Breaks = Box<dyn Fn(&Ledger)>;

/// A letter that cannot be composed, late in the run (the last customer's), after others were
/// composed and, in the real run, staged: the dry run fails as the real run does, with the
/// same message and exit status, and the real run leaves no file, no temporary file and no
/// journal line. Two ways a letter fails only when composed: its template (an override that
/// fails in strict mode for a customer with a contact), and its PDF (a name of 20,000
/// combining accents is one line of text too long for a PDF/A string).
#[test]
fn a_letter_that_cannot_be_composed_fails_the_dry_and_the_real_run_alike_and_leaves_nothing() {
    let long_name = format!("Zeta{}", "\u{301}".repeat(20_000));
    let cases: [(&str, Breaks); 2] = [
        (
            "template",
            Box::new(|l: &Ledger| {
                std::fs::create_dir_all(l.file("templates/partials")).unwrap();
                l.write(
                    "templates/partials/letter_closing.hbs",
                    "<p>Hälsningar</p>{{#if customer.contact}}{{customer.contact.title}}{{/if}}\n",
                );
            }),
        ),
        (
            "cannot be written as PDF",
            Box::new(move |l: &Ledger| {
                l.write("customers.csv", &CUSTOMERS.replace("Z,Zeta AB,", &format!("Z,\"{long_name}\",")));
            }),
        ),
    ];
    for (what, break_last_letter) in cases {
        for command in ["remind", "collect"] {
            let day = if command == "remind" { "2026-11-08" } else { "2026-11-29" };
            let l = ledger();
            if command == "collect" {
                l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
            }
            let journal = std::fs::read(l.file("journal.csv")).ok();
            break_last_letter(&l);
            let args = [command, "--as-of", day, "--force"];
            let dry = l.dun(&[&args[..], &["--dry-run"]].concat()).output().unwrap();
            let real = l.dun(&args).output().unwrap();
            let stderr = String::from_utf8_lossy(&real.stderr);
            assert!(!real.status.success() && stderr.contains(what), "{what}, {command}: {stderr}");
            assert_eq!(dry.status.code(), real.status.code(), "{what}, {command}");
            assert_eq!(String::from_utf8_lossy(&dry.stderr), stderr, "{what}, {command}");
            assert!(dry.stdout.is_empty() && real.stdout.is_empty(), "{what}, {command}");
            let left = files_under(&l, &format!("out/{day}"));
            assert_eq!(left, Vec::<String>::new(), "{what}, {command}: nothing left");
            assert_eq!(std::fs::read(l.file("journal.csv")).ok(), journal, "{what}, {command}");
            assert!(!l.file(".dun-commit.json").exists(), "{what}, {command}");
        }
    }
}
