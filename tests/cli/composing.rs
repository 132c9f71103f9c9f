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
/// journal line. What makes a letter fail only when composed: its template (an override that
/// fails in strict mode for a customer with a contact). Its PDF no longer can (see
/// `a_name_longer_than_a_pdf_string_still_gets_its_letter`).
#[test]
fn a_letter_that_cannot_be_composed_fails_the_dry_and_the_real_run_alike_and_leaves_nothing() {
    let cases: [(&str, Breaks); 1] = [(
        "template",
        Box::new(|l: &Ledger| {
            std::fs::create_dir_all(l.file("templates/partials")).unwrap();
            l.write(
                "templates/partials/letter_closing.hbs",
                "<p>Hälsningar</p>{{#if customer.contact}}{{customer.contact.title}}{{/if}}\n",
            );
        }),
    )];
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

/// A name of 20,000 combining accents is one line of text longer than a PDF/A string may be
/// (it failed the letter while krilla wrote the PDF): the letter is written, its PDF shows the
/// whole name in strings PDF/A allows, and the dry run agrees.
#[test]
fn a_name_longer_than_a_pdf_string_still_gets_its_letter() {
    let long_name = format!("Zeta{}", "\u{301}".repeat(20_000));
    let l = ledger();
    l.write("customers.csv", &CUSTOMERS.replace("Z,Zeta AB,", &format!("Z,\"{long_name}\",")));
    let args = ["remind", "--as-of", "2026-11-08", "--force"];
    let dry = l.ok(&[&args[..], &["--dry-run"]].concat());
    let listed = would_write(&l, &dry);
    l.ok(&[&args[..], &["-q"]].concat());
    assert_eq!(files_under(&l, "out/2026-11-08"), listed);
    let pdf = listed.iter().find(|f| f.contains("_Z_") && f.ends_with(".pdf")).expect("Zeta's PDF");
    let doc = lopdf::Document::load(l.file(pdf)).expect("a PDF lopdf reads");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    assert!(text.matches('\u{301}').count() >= 20_000, "the whole name");
    for (_, page) in doc.get_pages() {
        let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
        for operand in content.operations.iter().flat_map(|op| &op.operands) {
            if let lopdf::Object::String(bytes, _) = operand {
                assert!(bytes.len() <= 32_767, "a string of {} bytes", bytes.len());
            }
        }
    }
}

/// 150 customers, one or two invoices each, some without any usable channel; `contact` only
/// for customer K117.
fn many_customers() -> Ledger {
    let l = Ledger::new();
    let mut customers =
        String::from("id,name,kind,org_no,country,language,email,phone,address,postcode,city,contact\n");
    let mut invoices = String::from("number,customer,issued,due,amount,currency,reference\n");
    for n in 1..=150 {
        let (email, address) = match n % 10 {
            0 => (String::new(), ""),
            3 => (String::new(), "Ekgatan 5"),
            _ => (format!("k{n}@example.se"), "Gatan 1"),
        };
        let contact = if n == 117 { "Karin Kontakt" } else { "" };
        let language = ["sv", "en", "fi", "da", "nb"][n % 5];
        customers.push_str(&format!(
            "K{n:03},Kund {n} AB,business,556036-0793,SE,{language},{email},,{address},41101,Göteborg,{contact}\n"
        ));
        invoices.push_str(&format!("{n},K{n:03},2026-10-02,2026-11-01,{n}00.00,SEK,\n"));
        if n % 4 == 0 {
            invoices.push_str(&format!("{n}-2,K{n:03},2026-10-05,2026-11-01,{n}50.00,SEK,\n"));
        }
    }
    l.write("policy.toml", POLICY).write("customers.csv", &customers).write("invoices.csv", &invoices);
    l
}

/// stdout, stderr, exit status, and every file with its bytes.
type Snapshot = (String, String, Option<i32>, Vec<(String, Vec<u8>)>);

/// Everything a run leaves: its stdout, stderr and exit status, and every file under the
/// ledger with its bytes (the lock file aside).
fn run_and_snapshot(l: &Ledger, args: &[&str], threads: usize) -> Snapshot {
    let out = l.dun(args).env("DUN_THREADS", threads.to_string()).output().unwrap();
    let files = files_under(l, ".")
        .into_iter()
        .filter(|f| !f.ends_with(".dun.lock"))
        .map(|f| {
            let bytes = std::fs::read(l.file(&f)).unwrap();
            (f, bytes)
        })
        .collect();
    let text = |b: &[u8]| String::from_utf8_lossy(b).replace(&l.path().display().to_string(), "LEDGER");
    (text(&out.stdout), text(&out.stderr), out.status.code(), files)
}

/// Letters rendered on several threads (`DUN_THREADS`) are those rendered one after the other:
/// the same files with the same bytes, the same journal, the same listing, warnings and exit
/// status, in a real run, a dry run, and a run whose 117th letter cannot be composed.
#[test]
fn letters_rendered_on_many_threads_are_those_rendered_one_after_another() {
    let scenarios: [(&str, &[&str], bool); 4] = [
        ("real", &["remind", "--as-of", "2026-11-08", "-v"], false),
        ("dry", &["remind", "--as-of", "2026-11-08", "--dry-run"], false),
        ("no sender", &["remind", "--as-of", "2026-11-08", "--format", "json"], false),
        ("broken", &["remind", "--as-of", "2026-11-08"], true),
    ];
    for (what, args, broken) in scenarios {
        let mut runs = Vec::new();
        for threads in [1, 3, 8] {
            let l = many_customers();
            if what == "no sender" {
                l.write("policy.toml", &POLICY.replace("email = \"faktura@fonster.example\"\n", ""));
            }
            if broken {
                std::fs::create_dir_all(l.file("templates/partials")).unwrap();
                l.write(
                    "templates/partials/letter_closing.hbs",
                    "<p>Hälsningar</p>{{#if customer.contact}}{{customer.contact.title}}{{/if}}\n",
                );
            }
            runs.push(run_and_snapshot(&l, args, threads));
        }
        let (stdout, stderr, code, files) = &runs[0];
        let letters = files.iter().filter(|(f, _)| f.ends_with(".letter.html")).count();
        match what {
            "real" | "no sender" => {
                assert!(letters > 100 && *code == Some(3), "{what}: {letters} {code:?} {stderr}")
            }
            "dry" => {
                assert!(stdout.lines().filter(|l| l.starts_with("would write")).count() > 300, "{stdout}")
            }
            _ => assert!(stderr.contains("customer.contact.title") && letters == 0, "{stderr}"),
        }
        if what == "no sender" {
            assert_eq!(stderr.matches("no e-mails are written").count(), 1, "{stderr}");
        }
        for (threads, run) in [3, 8].iter().zip(&runs[1..]) {
            assert_eq!(&run.0, stdout, "{what}, {threads} threads");
            assert_eq!(&run.1, stderr, "{what}, {threads} threads");
            assert_eq!(run.2, *code, "{what}, {threads} threads");
            let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
            assert!(names(&run.3) == names(files), "{what}, {threads} threads: other files");
            assert!(run.3 == *files, "{what}, {threads} threads: a file's bytes differ");
        }
    }
}
