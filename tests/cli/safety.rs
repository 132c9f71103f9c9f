//! Issue 10: the record is never lost or corrupted. Runs stopped at chosen points
//! (`DUN_FAULT`, see `io::commit`), a full disk, second runs the same day, hostile file names,
//! files that are not regular files, a held lock, file modes.

use std::path::{Path, PathBuf};

use crate::common::*;

const POLICY: &str = "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
email = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"60\"\nfee_agreed = true\n\
channels = [\"email\", \"letter\"]\n[interest]\nmode = \"none\"\n[collection]\nafter_days = 10\n\
compensation = \"0\"\nagency = \"Inkasso Väst AB\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Alfa Bygg AB,business,556036-0793,SE,sv,ekonomi@alfa.example,,Storgatan 1,41101,Göteborg\n\
B,Berg AB,business,556036-0793,SE,sv,b@berg.example,,Ekgatan 5,90330,Umeå\n\
K.1,Punkt AB,business,556036-0793,SE,sv,punkt@k.example,,Gatan 1,11122,Stockholm\n\
K_1,Streck AB,business,556036-0793,SE,sv,streck@k.example,,Gatan 2,11122,Stockholm\n";

/// All due 2026-11-01: the first reminder is due 11-08, collection from 11-29.
const INVOICES: &str = "number,customer,issued,due,amount,currency,reference\n\
1,A,2026-10-02,2026-11-01,12500.00,SEK,\n\
2,A,2026-10-02,2026-11-01,3000.00,SEK,\n\
3,B,2026-10-02,2026-11-01,800.00,SEK,\n\
4,K.1,2026-10-02,2026-11-01,450.00,SEK,\n\
5,K_1,2026-10-02,2026-11-01,460.00,SEK,\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", POLICY).write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

/// Every file under the ledger directory (lock file aside), relative, with its bytes.
fn snapshot(l: &Ledger) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![l.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if e.file_name() != ".dun.lock" {
                files.push((
                    path.strip_prefix(l.path()).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                ));
            }
        }
    }
    files.sort();
    files
}

fn names(snapshot: &[(PathBuf, Vec<u8>)]) -> Vec<String> {
    snapshot.iter().map(|(p, _)| p.display().to_string()).collect()
}

fn run_with_fault(l: &Ledger, args: &[&str], fault: &str) -> std::process::Output {
    l.dun(args).env("DUN_FAULT", fault).output().unwrap()
}

fn journal(l: &Ledger) -> String {
    std::fs::read_to_string(l.file("journal.csv")).unwrap_or_default()
}

/// Defect 1: a kill at any byte of the journal append. The journal stays readable, and the
/// next run leaves exactly what an uninterrupted run leaves.
#[test]
fn a_kill_inside_the_journal_append_is_finished_by_the_next_run() {
    let reference = ledger();
    reference.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let want = snapshot(&reference);
    let lines = journal(&reference).len();
    for cut in [0, 1, 30, 57, 58, 100, lines - 1] {
        let l = ledger();
        let out = run_with_fault(&l, &["remind", "--as-of", "2026-11-08", "-q"], &format!("journal:{cut}"));
        assert!(!out.status.success(), "cut {cut}: the fault did not fire");
        assert_eq!(journal(&l).len(), cut, "the append was stopped at byte {cut}");
        // A reader without the lock sees the journal as committed.
        let due = l.ok(&["due", "--as-of", "2026-11-08", "--format", "csv"]);
        assert!(!due.contains("reminder,A,1"), "cut {cut}: read as not yet reminded: {due}");
        let again = l.dun(&["remind", "--as-of", "2026-11-08", "-q"]).output().unwrap();
        assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
        assert!(String::from_utf8_lossy(&again.stderr).contains("finished a run that was stopped"));
        assert_eq!(names(&snapshot(&l)), names(&want), "cut {cut}");
        assert_eq!(snapshot(&l), want, "cut {cut}");
    }
}

/// A kill while the letters are written (before the commit, or after it while they are put
/// in place): nothing is left, not even a hidden temporary file or folder once the next run
/// has run, and that run writes everything. A run's new folder is made whole and renamed
/// once (`rename:0`); into a folder that exists (made empty beforehand here) each file is
/// renamed on its own (`rename:2`, the third).
#[test]
fn a_kill_while_letters_are_written_leaves_nothing_behind() {
    let reference = ledger();
    reference.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let want = snapshot(&reference);
    for (fault, folder_there) in [
        ("stage:0", false),
        ("stage:3", false),
        ("commit:0", false),
        ("committed:0", false),
        ("rename:0", false),
        ("stage:3", true),
        ("rename:2", true),
    ] {
        let l = ledger();
        if folder_there {
            std::fs::create_dir_all(l.file("out/2026-11-08")).unwrap();
        }
        let out = run_with_fault(&l, &["remind", "--as-of", "2026-11-08", "-q"], fault);
        assert!(!out.status.success(), "{fault} did not fire");
        if fault.starts_with("stage") || fault.starts_with("commit:") {
            assert!(!l.file("journal.csv").exists(), "{fault}");
        }
        if !folder_there && fault == "committed:0" {
            // Committed, not yet in place: the day's folder is still under its temporary name.
            let out: Vec<_> =
                std::fs::read_dir(l.file("out")).unwrap().flatten().map(|e| e.file_name()).collect();
            assert!(
                out.len() == 1 && out[0].to_string_lossy().starts_with(".2026-11-08.dun-tmp-"),
                "{out:?}"
            );
        }
        l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
        assert_eq!(names(&snapshot(&l)), names(&want), "{fault}");
        assert_eq!(snapshot(&l), want, "{fault}");
        let out: Vec<_> =
            std::fs::read_dir(l.file("out")).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(out, ["2026-11-08"], "{fault}: no temporary folder, empty or not, is left");
    }
}

/// A full disk part-way through the append: the run fails and the journal is as it was.
#[test]
fn a_full_disk_inside_the_append_leaves_the_journal_as_it_was() {
    let l = ledger();
    l.write(
        "journal.csv",
        "date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-02,note,1,A,,,,,called\n",
    );
    let before = snapshot(&l);
    let err =
        String::from_utf8(run_with_fault(&l, &["remind", "--as-of", "2026-11-08"], "journal-full:40").stderr)
            .unwrap();
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(snapshot(&l), before);
}

/// A full disk inside the append, then a kill while the run rolls back: the next run reads
/// the ledger and finishes the day as an uninterrupted run does (the commit record is never
/// left naming files the roll-back already removed).
#[test]
fn a_kill_while_rolling_back_a_full_disk_never_locks_the_ledger() {
    let reference = ledger();
    reference.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let want = snapshot(&reference);
    let l = ledger();
    let out = run_with_fault(&l, &["remind", "--as-of", "2026-11-08", "-q"], "journal-full:40,roll-back:0");
    assert!(!out.status.success(), "the fault did not fire");
    l.ok(&["due", "--as-of", "2026-11-08", "--format", "csv"]);
    let again = l.dun(&["remind", "--as-of", "2026-11-08", "-q"]).output().unwrap();
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(names(&snapshot(&l)), names(&want));
    assert_eq!(snapshot(&l), want);
}

/// Defect 1 as found: a torn last line (from a version without commits) no run completed.
#[test]
fn a_torn_last_line_is_set_aside_and_said_so() {
    let l = ledger();
    let header = "date,event,invoice,customer,amount,until,channel,ref,note\n";
    l.write("journal.csv", &format!("{header}2026-11-02,note,1,A,,,,,called\n2026-11-30,promise,2"));
    let out = l.dun(&["due", "--as-of", "2026-11-08"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cut short"));
    let out = l.dun(&["remind", "--as-of", "2026-11-08", "-q"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dropped a last line"));
    assert_eq!(std::fs::read_to_string(l.file("journal.csv.torn")).unwrap(), "2026-11-30,promise,2\n");
    let j = journal(&l);
    assert!(j.starts_with(&format!("{header}2026-11-02,note,1,A,,,,,called\n2026-11-08,reminder,")), "{j}");
    assert!(!j.contains("promise"), "{j}");
}

/// Defect 2: an empty journal is a new journal.
#[test]
fn an_empty_journal_is_a_new_journal() {
    let l = ledger();
    l.write("journal.csv", "");
    l.ok(&["due", "--as-of", "2026-11-08"]);
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert!(
        journal(&l)
            .starts_with("date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-08,reminder,")
    );
}

/// Defect 3: a second run the same day (a late invoice added) writes into its own folder.
#[test]
fn a_second_run_the_same_day_never_overwrites_the_first() {
    let l = ledger();
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let first = snapshot(&l);
    l.write("invoices.csv", &format!("{INVOICES}6,A,2026-10-02,2026-11-01,99.00,SEK,\n"));
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let second = snapshot(&l);
    for (path, bytes) in first.iter().filter(|(p, _)| p.starts_with("out")) {
        let now = second.iter().find(|(p, _)| p == path).map(|(_, b)| b);
        assert_eq!(now, Some(bytes), "{} changed", path.display());
    }
    assert!(l.file("out/2026-11-08-run2/reminder-1_A_SEK.eml").exists(), "{:?}", names(&second));
    assert!(
        journal(&l).contains(
            "2026-11-08,reminder,6,A,60.00,2026-11-18,email+letter,2026-11-08-run2/reminder-1_A_SEK,"
        )
    );
    every_ref_has_its_file(&l);
}

/// Defect 3, collection: one batch file per run.
#[test]
fn a_second_collection_the_same_day_has_its_own_batch() {
    let l = ledger();
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    l.ok(&["collect", "--as-of", "2026-11-29", "-q"]);
    let batch = std::fs::read(l.file("out/2026-11-29/collection-batch.csv")).unwrap();
    l.write("invoices.csv", &format!("{INVOICES}6,A,2026-10-02,2026-11-01,990.00,SEK,\n"));
    l.write("journal.csv", &format!("{}2026-11-08,reminder,6,A,60.00,2026-11-18,email,x,\n", journal(&l)));
    l.ok(&["collect", "--as-of", "2026-11-29", "-q"]);
    assert_eq!(std::fs::read(l.file("out/2026-11-29/collection-batch.csv")).unwrap(), batch);
    let second = std::fs::read_to_string(l.file("out/2026-11-29-run2/collection-batch.csv")).unwrap();
    assert_eq!(second.lines().count(), 2, "{second}");
    assert!(
        journal(&l)
            .contains("2026-11-29,collection,6,A,990.00,,agency,2026-11-29-run2/collection-batch.csv,")
    );
}

/// Defect 4: `K.1` and `K_1` each get their own letter.
#[test]
fn ids_that_sanitise_alike_get_their_own_files() {
    let l = ledger();
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let emls: Vec<String> = names(&snapshot(&l)).into_iter().filter(|n| n.ends_with(".eml")).collect();
    assert_eq!(emls.len(), 4, "{emls:?}");
    let to_punkt =
        emls.iter().filter(|n| std::fs::read_to_string(l.file(n)).unwrap().contains("punkt@k.example"));
    assert_eq!(to_punkt.count(), 1);
    every_ref_has_its_file(&l);
}

fn every_ref_has_its_file(l: &Ledger) {
    for line in journal(l).lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] == "reminder" {
            let stem = l.file("out").join(f[7]);
            let eml = stem.with_file_name(format!("{}.eml", stem.file_name().unwrap().to_string_lossy()));
            assert!(eml.exists(), "{line}: no {}", eml.display());
        }
    }
}

/// Defect 9: a FIFO in place of an input is an error before the lock, not a hang under it.
#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_customers_csv_is_an_error_not_a_hang() {
    let l = ledger();
    std::fs::remove_file(l.file("customers.csv")).unwrap();
    let made = std::process::Command::new("mkfifo").arg(l.file("customers.csv")).status().unwrap();
    assert!(made.success());
    let started = std::time::Instant::now();
    let err = l.fails(&["remind", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("customers.csv") && err.contains("not a regular file"), "{err}");
    let err = l.fails(&["report", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("not a regular file"), "{err}");
    assert!(started.elapsed().as_secs() < 20);
}

/// Defect 9: a device as a bank file is refused before the lock; a bank file over the size
/// limit is refused with the limit named.
#[cfg(unix)]
#[test]
fn bank_files_must_be_regular_and_within_the_limit() {
    let l = ledger();
    let err = l.fails(&["import", "/dev/zero", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("/dev/zero") && err.contains("not a regular file"), "{err}");
    l.write_bytes("big.csv", &vec![b'x'; 2 * 1024 * 1024]);
    let out = l
        .dun(&["import", &l.file("big.csv").display().to_string(), "--as-of", "2026-11-08"])
        .env("DUN_BANK_MAX_MB", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 MiB is larger than the 1 MiB"), "{err}");
    assert!(!l.file("journal.csv").exists() && !l.file("imports.csv").exists());
}

/// Defect 9: a lock held too long is given up on, naming who holds it.
#[test]
fn a_held_lock_is_given_up_on_naming_the_holder() {
    use std::io::Write;
    let l = ledger();
    let mut lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(l.file(".dun.lock"))
        .unwrap();
    lock.lock().unwrap();
    writeln!(lock, "4242").unwrap();
    let out = l.dun(&["remind", "--as-of", "2026-11-08"]).env("DUN_LOCK_WAIT", "0.3").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pid 4242") && err.contains("DUN_LOCK_WAIT"), "{err}");
    assert!(!l.file("journal.csv").exists());
}

/// Defect 10: new files follow the umask; a rewritten file keeps its mode.
#[cfg(unix)]
#[test]
fn file_modes_follow_the_umask_and_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let l = ledger();
    // A file this process makes the ordinary way shows what the umask gives.
    l.write("probe", "x");
    let umask_mode = mode(&l.file("probe"));
    l.write("journal.csv", "date,event,invoice,customer,amount,until,channel,ref,note\n");
    std::fs::set_permissions(l.file("journal.csv"), std::fs::Permissions::from_mode(0o640)).unwrap();
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert_eq!(mode(&l.file("out/2026-11-08/reminder-1_A_SEK.eml")), umask_mode);
    assert_eq!(mode(&l.file("journal.csv")), 0o640);
    let unmatched = "transaction_id,date,amount,currency,reference,message,payer,source,customers,reason\n";
    l.write("unmatched.csv", unmatched);
    std::fs::set_permissions(l.file("unmatched.csv"), std::fs::Permissions::from_mode(0o604)).unwrap();
    let camt =
        format!("{}/tests/fixtures/samples/bank/camt054-fffs-fi-example.xml", env!("CARGO_MANIFEST_DIR"));
    l.ok(&["import", &camt, "--as-of", "2026-11-08", "-q"]);
    assert_ne!(std::fs::read_to_string(l.file("unmatched.csv")).unwrap(), unmatched, "rewritten");
    assert_eq!(mode(&l.file("unmatched.csv")), 0o604);
    assert_eq!(mode(&l.file("imports.csv")), umask_mode);
}

/// Defect 5: keys that begin with `= + - @` are written to the journal and read back as
/// they are (a rerun sends nothing twice); the agency batch keeps a phone's `+`.
#[test]
fn keys_beginning_like_formulas_stay_verbatim_in_the_ledgers_files() {
    let l = ledger();
    l.write(
        "customers.csv",
        &format!("{CUSTOMERS}=K,Formel AB,business,556036-0793,SE,sv,f@f.example,+46 70 174 06 21,Gatan 3,11122,Stockholm\n"),
    );
    l.write("invoices.csv", &format!("{INVOICES}-100,=K,2026-10-02,2026-11-01,700.00,SEK,\n"));
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert!(journal(&l).contains("\n2026-11-08,reminder,-100,=K,60.00,2026-11-18,"), "{}", journal(&l));
    let before = journal(&l);
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert_eq!(journal(&l), before, "the same reminder went out twice");
    l.ok(&["collect", "--as-of", "2026-11-29", "-q"]);
    let batch = std::fs::read_to_string(l.file("out/2026-11-29/collection-batch.csv")).unwrap();
    assert!(batch.contains("\n=K,Formel AB,") && batch.contains(",+46 70 174 06 21,"), "{batch}");
    assert!(!batch.contains('\''), "{batch}");
    assert!(journal(&l).contains("\n2026-11-29,collection,-100,=K,700.00,"), "{}", journal(&l));
    // A spreadsheet output still defuses.
    let csv = l.ok(&["report", "--as-of", "2026-11-29", "--format", "csv"]);
    assert!(csv.contains("'=K"), "{csv}");
}

/// A journal written by an earlier version, with `'` before such keys, is read as meant.
#[test]
fn keys_defused_by_earlier_versions_are_read_as_meant() {
    let l = ledger();
    l.write("invoices.csv", &format!("{INVOICES}-100,A,2026-10-02,2026-11-01,700.00,SEK,\n"));
    l.write(
        "journal.csv",
        "date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-05,dispute,'-100,A,,,,,wrong\n",
    );
    let due = l.ok(&["due", "--as-of", "2026-11-08", "--format", "csv"]);
    assert!(!due.contains(",-100,"), "a disputed invoice is not chased: {due}");
}

/// Defect 6: one customer who cannot be reached does not stop the others, and the exit
/// status says "done, but some customers need a person" (3), not "failed" (1).
#[test]
fn customers_that_cannot_be_reached_leave_the_rest_done_with_exit_3() {
    let l = ledger();
    l.write("customers.csv", &format!("{CUSTOMERS}C,Utan Kanal AB,business,556036-0793,SE,sv,,,,,\n"));
    l.write("invoices.csv", &format!("{INVOICES}7,C,2026-10-02,2026-11-01,700.00,SEK,\n"));
    let out = l.dun(&["remind", "--as-of", "2026-11-08", "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("C Utan Kanal AB: no usable channel"), "{err}");
    assert!(l.file("out/2026-11-08/reminder-1_A_SEK.eml").exists());
    assert!(journal(&l).contains("2026-11-08,reminder,1,A,"));
    assert!(!journal(&l).contains(",7,C,"));
    // The README's cron routine goes on to collect after a 3.
    let script = format!(
        "{dun} remind -q --dir {dir} --as-of 2026-11-08; [ $? -ne 1 ] && {dun} collect -q --dir {dir} --as-of 2026-11-29; echo $?",
        dun = assert_cmd::cargo::cargo_bin("dun").display(),
        dir = l.path().display()
    );
    let out = std::process::Command::new("sh").arg("-c").arg(script).output().unwrap();
    assert!(journal(&l).contains("2026-11-29,collection,1,A,"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Defect 8: an ESC sequence in a name reaches the terminal as text, not as a command.
#[test]
fn control_characters_in_names_never_reach_the_terminal() {
    let l = ledger();
    l.write("customers.csv", &CUSTOMERS.replace("Alfa Bygg AB", "Alfa\u{1b}]0;pwned\u{7}\u{1b}[2J Bygg"));
    let out = l.ok(&["report", "--as-of", "2026-11-08"]);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("\\u{1b}"), "{out}");
}

/// Defect 7: amounts past the bound are errors naming file, line and column; never a panic
/// or a wrapped value.
#[test]
fn amounts_too_large_are_errors_with_file_line_and_column() {
    for amount in ["1000000000000000000000000000", "340282366920938463463374607431768211556"] {
        let l = ledger();
        l.write("invoices.csv", &format!("{INVOICES}6,A,2026-10-02,2026-11-01,{amount},SEK,\n"));
        for command in ["report", "check", "remind"] {
            let err = l.fails(&[command, "--as-of", "2026-11-08"], 1);
            assert!(
                err.contains("invoices.csv:7") && err.contains("amount") && err.contains("too large"),
                "{command}: {err}"
            );
        }
        assert!(!l.file("journal.csv").exists());
    }
}

/// Defect 13: an agreement run again with the same arguments is a no-op that says so.
#[test]
fn an_agreement_run_twice_is_recorded_once() {
    let l = ledger();
    let plan = ["plan", "1", "--installments", "3", "--first", "2026-11-20", "--as-of", "2026-11-05"];
    l.ok(&plan);
    let out = l.ok(&plan);
    assert!(out.contains("already recorded"), "{out}");
    assert_eq!(journal(&l).matches(",plan,1,").count(), 3, "{}", journal(&l));
    let dispute = ["dispute", "3", "wrong amount", "--as-of", "2026-11-05"];
    l.ok(&dispute);
    assert!(l.ok(&dispute).contains("already recorded"));
    assert_eq!(journal(&l).matches(",dispute,3,").count(), 1);
    l.ok(&["promise", "2", "--until", "2026-11-30", "--as-of", "2026-11-05"]);
    l.ok(&["promise", "2", "--until", "2026-11-30", "--as-of", "2026-11-05"]);
    assert_eq!(journal(&l).matches(",promise,2,").count(), 1);
    // A different promise is a new agreement.
    l.ok(&["promise", "2", "--until", "2026-12-05", "--as-of", "2026-11-05"]);
    assert_eq!(journal(&l).matches(",promise,2,").count(), 2);
}

/// Defect 7, where money is multiplied: amounts at their bound with a fixed interest rate of
/// 999 999 999 999 999 % made `report` panic (a `Decimal` multiplication overflow, exit 101).
/// A rate outside 0–100 % is an error naming the key; at 100 % and amounts at the bound, due
/// since 2000, every command computes.
#[test]
fn interest_rates_are_bounded_and_figures_at_the_bounds_never_panic() {
    let l = ledger();
    let at_bound = "number,customer,issued,due,amount,currency,reference\n\
1,A,2000-01-01,2000-01-31,999999999999999.99,SEK,\n\
2,A,2000-01-01,2000-01-31,999999999999999.99,SEK,\n\
3,B,2000-01-01,2000-01-31,-999999999999999.99,SEK,\n";
    l.write("invoices.csv", at_bound);
    let fixed =
        |rate: &str| POLICY.replace("mode = \"none\"", &format!("mode = \"fixed\"\nrate = \"{rate}\""));
    l.write("policy.toml", &fixed("999999999999999"));
    for command in ["report", "due", "check", "interest"] {
        let err = l.fails(&[command, "--as-of", "2026-11-08"], 1);
        assert!(err.contains("interest.rate") && err.contains("999999999999999"), "{command}: {err}");
    }
    l.write("policy.toml", &fixed("100"));
    for command in [&["report"][..], &["due"], &["interest", "--from", "2000-01-01"], &["customer", "A"]] {
        let args: Vec<&str> = command.iter().copied().chain(["--as-of", "2026-11-08"]).collect();
        l.ok(&args);
    }
    let check = l.dun(&["check", "--as-of", "2026-11-08"]).output().unwrap();
    assert!(matches!(check.status.code(), Some(0 | 1)), "{check:?}");
    // A whole number is bounded like an amount written as text.
    l.write("policy.toml", &POLICY.replace("fee = \"60\"", "fee = 9000000000000000000"));
    let err = l.fails(&["report", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("too large to be an amount"), "{err}");
}

/// Issue 10: a ratio to a figure that credits or an amount of a dozen decimals bring near zero.
/// Before, `dun report` panicked (exit 101, "Multiplication overflowed" in the DSO; "Division
/// overflowed" in the overdue share of the table and the HTML page) on amounts it had accepted.
/// Now an error naming the figure, exit 1, nothing written; the CSV (rows only) is unchanged.
#[test]
fn ratios_past_the_range_are_errors_naming_them_never_a_crash() {
    let l = ledger();
    l.write("policy.toml", "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n");
    let cases = [
        // Invoiced in the last 90 days: 10^-12; open: 10^15. DSO = open ÷ invoiced × 90.
        (
            "1,A,2026-01-01,2026-01-31,999999999999999.00\n2,A,2026-11-25,2026-12-25,0.000000000001\n",
            "the days sales outstanding in SEK",
            &["table", "json", "html"][..],
        ),
        // Open: 10^-12 after a credit; overdue: 10^15. The share = overdue × 100 ÷ open.
        (
            "1,A,2026-01-01,2026-01-31,999999999999999.00\n2,B,2026-11-25,2026-12-25,-999999999999998.999999999999\n",
            "the share of the open amount overdue in SEK",
            &["table", "json", "html"][..],
        ),
    ];
    for (invoices, what, formats) in cases {
        l.write("invoices.csv", &format!("number,customer,issued,due,amount\n{invoices}"));
        for format in formats {
            let target = l.file("out.txt");
            let out = l
                .dun(&["report", "--format", format, "--as-of", "2026-11-30", "-o", target.to_str().unwrap()])
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{what}, {format}: {err}");
            assert!(err.contains(&format!("{what} is too large to compute exactly")), "{format}: {err}");
            assert!(!target.exists(), "{what}, {format}: nothing written");
        }
        l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    }
}

/// A letter that cannot be rendered stops the run after the other letters of its batch were
/// written, each by the thread that rendered it, under its temporary name: none of them is
/// left behind, hidden or not, and the journal is as it was.
#[test]
fn a_letter_that_fails_leaves_no_file_its_batch_wrote() {
    let l = ledger();
    l.write("policy.toml", &format!("{POLICY}[templates]\ndir = \"letters\"\n"));
    // Alfa's letter comes first and fails: its subject calls a partial there is none of.
    std::fs::create_dir_all(l.file("letters/sv")).unwrap();
    l.write(
        "letters/sv/reminder.email.subject.hbs",
        "{{#if (eq customer.id \"A\")}}{{> no_such_partial}}{{/if}}Påminnelse {{customer.name}}",
    );
    let before = snapshot(&l);
    let out = l.dun(&["remind", "--as-of", "2026-11-08", "-q"]).env("DUN_THREADS", "2").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("no_such_partial"), "{err}");
    assert_eq!(names(&snapshot(&l)), names(&before));
    // The others are written when Alfa's letter renders.
    l.write("letters/sv/reminder.email.subject.hbs", "Påminnelse {{customer.name}}");
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let written = names(&snapshot(&l));
    for stem in ["reminder-1_A_SEK", "reminder-1_B_SEK", "reminder-1_K_1_SEK"] {
        assert!(written.iter().any(|n| n.ends_with(&format!("{stem}.pdf"))), "{stem}: {written:?}");
    }
}
