//! `dun due`, `explain`, `remind`, `collect` and the agreements, through the binary.

use crate::common::*;

const POLICY: &str = "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
email = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"60\"\nfee_agreed = true\nmin_amount = \"100\"\n\
channels = [\"email\", \"letter\"]\n[interest]\nmode = \"none\"\n[collection]\nafter_days = 10\nmin_amount = \"200\"\n\
compensation = \"0\"\nagency = \"Inkasso Väst AB\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city\n\
A,Alfa Bygg AB,business,556036-0793,SE,sv,ekonomi@alfa.example,,Storgatan 1,41101,Göteborg\n\
B,Berit Holm,consumer,,SE,sv,,,Ekgatan 5,90330,Umeå\n\
C,Cecilia Utan Kanal,consumer,,SE,sv,,,,,\n\
N,Nordlys AS,business,988077917,NO,nb,post@nordlys.example,,Kaia 3,5003,Bergen\n\
D,Dansk Fisk ApS,business,13585628,DK,da,info@fisk.example,,Havnen 2,8000,Aarhus\n\
F,Kala Oy,business,2077474-0,FI,fi,kala@kala.example,,Satama 1,00100,Helsinki\n\
E,English Ltd,business,,GB,en,ap@english.example,,1 High St,SW1A 1AA,London\n";

/// Due dates: every invoice falls due 2026-11-01; the first reminder is due 11-08, its deadline
/// 11-18, collection from 11-29.
const INVOICES: &str = "number,customer,issued,due,amount,currency,reference\n\
1,A,2026-10-02,2026-11-01,12500.00,SEK,10017\n\
2,A,2026-10-02,2026-11-01,3000.00,SEK,\n\
3,B,2026-10-02,2026-11-01,800.00,SEK,\n\
4,C,2026-10-02,2026-11-01,450.00,SEK,\n\
5,N,2026-10-02,2026-11-01,1500.00,SEK,\n\
6,D,2026-10-02,2026-11-01,2200.00,SEK,\n\
7,F,2026-10-02,2026-11-01,990.00,SEK,\n\
8,E,2026-10-02,2026-11-01,1000.00,SEK,\n\
9,A,2026-10-02,2026-11-01,50.00,SEK,\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", POLICY).write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

fn journal(l: &Ledger) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(l.file("journal.csv")).unwrap_or_default();
    text.lines().skip(1).map(|line| line.split(',').map(str::to_owned).collect()).collect()
}

fn events(l: &Ledger, event: &str) -> Vec<(String, String)> {
    journal(l).into_iter().filter(|f| f[1] == event).map(|f| (f[0].clone(), f[2].clone())).collect()
}

#[test]
fn due_lists_the_plan_with_the_spec_columns() {
    let l = ledger();
    let csv = l.ok(&["due", "--format", "csv", "--as-of", "2026-11-08"]);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("action,customer,invoice,currency,open,days_overdue,fee,interest,compensation")
    );
    let rows: Vec<&str> = lines.collect();
    // 9 is below reminder.min_amount (100): not chased.
    assert_eq!(rows.len(), 8, "{csv}");
    assert!(rows[0].starts_with("reminder,A,1,SEK,12500.00,7,60.00,0.00,0.00,1,2026-11-18"), "{csv}");
    assert!(rows[1].starts_with("reminder,A,2,SEK,3000.00,7,0.00,"), "one fee per letter: {csv}");
    let all = l.ok(&["due", "--all", "--format", "csv", "--as-of", "2026-11-08"]);
    assert!(all.contains("\nwaiting,A,9,SEK,50.00,7,"), "{all}");
    let before = l.ok(&["due", "--all", "--format", "csv", "--as-of", "2026-10-20"]);
    assert_eq!(before.lines().filter(|r| r.starts_with("not_due,")).count(), 9, "{before}");
    assert!(!l.file("journal.csv").exists(), "due changes nothing");
}

/// `dun due` keeps only the invoices a decision needs (issue #14); what it leaves out must not
/// change the plan: a number given twice is decided on its first line even when that line is
/// paid, a credit note counts whatever its own state, and paid invoices are not listed.
#[test]
fn due_decides_as_the_whole_ledger_with_paid_invoices_left_out() {
    let l = ledger();
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,paid_on,credits\n\
         1,A,2026-10-02,2026-11-01,12500.00,12500.00,2026-11-05,\n\
         2,A,2026-10-02,2026-11-01,3000.00,0,,\n\
         1,B,2026-10-05,2026-11-01,800.00,0,,\n\
         3,B,2026-10-02,2026-11-01,900.00,900.00,2026-10-30,\n\
         CN9,A,2026-11-03,2026-11-03,-500.00,0,,2\n",
    );
    let all = l.ok(&["due", "--all", "--format", "csv", "--as-of", "2026-11-08"]);
    let rows: Vec<&str> = all.lines().skip(1).collect();
    // Number 1 is decided once, on its first line (customer A's, paid), with what is open on
    // the number (B's 800); 2 has 3000 − the credit note's 500 open; 3 is paid.
    assert_eq!(rows.len(), 2, "{all}");
    assert!(rows[0].starts_with("reminder,A,1,SEK,800.00,7,60.00,"), "{all}");
    assert!(rows[1].starts_with("reminder,A,2,SEK,2500.00,7,0.00,"), "{all}");
}

/// `dun remind` leaves paid invoices out as `dun due` does (issue #14), but its data gate still
/// sees what `dun check` calls an error on a paid invoice of a customer it would write to.
#[test]
fn remind_still_refuses_on_an_error_in_a_paid_invoice() {
    let l = ledger();
    let paid_but_wrong = "10,A,2026-10-02,2026-09-01,100.00,SEK,\n";
    l.write("invoices.csv", &(INVOICES.to_owned() + paid_but_wrong));
    // Line 11 is paid in full (payments.csv): nothing is open on it.
    l.write("payments.csv", "date,invoice,amount\n2026-10-03,10,100.00\n");
    let err = l.fails(&["remind", "--dry-run", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("remind refused: dun check finds errors"), "{err}");
    assert!(err.contains("is before the invoice date"), "{err}");
}

#[test]
fn due_until_forecasts_day_by_day() {
    let l = ledger();
    let csv = l.ok(&["due", "--format", "csv", "--as-of", "2026-11-01", "--until", "2026-12-01"]);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",date"), "{header}");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert!(rows.iter().filter(|r| r.starts_with("reminder,")).all(|r| r.ends_with(",2026-11-08")), "{csv}");
    // Collection from 11-29 for those the agency can take.
    assert!(rows.iter().any(|r| r.starts_with("collection,A,1,") && r.ends_with(",2026-11-29")), "{csv}");
    assert!(!l.file("journal.csv").exists());
}

#[test]
fn explain_says_why() {
    let l = ledger();
    let out = l.ok(&["explain", "9", "--as-of", "2026-11-08"]);
    assert!(out.contains("below reminder.min_amount 100"), "{out}");
    let out = l.ok(&["explain", "1", "--as-of", "2026-11-08"]);
    assert!(out.contains("reminder 1 is due today") && out.contains("pay by 2026-11-18"), "{out}");
    let _ = l.dun(&["remind", "--as-of", "2026-11-08"]).output().unwrap();
    let out = l.ok(&["explain", "1", "--as-of", "2026-11-20"]);
    assert!(out.contains("Result: waiting; next step on 2026-11-29."), "{out}");
    let err = l.fails(&["explain", "nope"], 1);
    assert!(err.contains("no invoice \"nope\""), "{err}");
}

#[test]
fn a_month_of_daily_cron_runs() {
    let l = ledger();
    for day in 1..=30 {
        let date = format!("2026-11-{day:02}");
        if day == 9 {
            l.ok(&["dispute", "6", "wrong quantity", "--as-of", &date]);
            l.ok(&["promise", "7", "--until", "2026-11-25", "--as-of", &date]);
        }
        if day == 12 {
            l.ok(&[
                "plan",
                "8",
                "--installments",
                "2",
                "--first",
                "2026-11-20",
                "--every-days",
                "30",
                "--as-of",
                &date,
            ]);
        }
        if day == 15 {
            l.ok(&["resolve", "6", "--as-of", &date]);
        }
        // C has no channel: remind exits 1 every day, but does everything else.
        let _ = l.dun(&["remind", "--as-of", &date]).output().unwrap();
        let _ = l.dun(&["collect", "--as-of", &date]).output().unwrap();
    }
    let reminders = events(&l, "reminder");
    let mut reminded: Vec<&str> = reminders.iter().map(|(_, i)| i.as_str()).collect();
    reminded.sort();
    // Every chased invoice got exactly one reminder (max = 1); 4 (C, no channel) none; 9 too small.
    assert_eq!(reminded, vec!["1", "2", "3", "5", "6", "7", "8"]);
    assert!(reminders.iter().all(|(d, _)| d == "2026-11-08"), "{reminders:?}");
    let collections = events(&l, "collection");
    let handed: Vec<&str> = collections.iter().map(|(_, i)| i.as_str()).collect();
    // 11-29: A's 1 and 2 and N's 5 (org number and address known); D's 6, disputed 11-09 to
    // 11-15, resumes where it was; F's 7, promised until 11-25, the promise broken. Not B (a
    // consumer without person number) or E (no org number): reported, they stay due. 8 is on
    // a plan whose first installment (11-20) is late but within collection.after_days.
    assert_eq!(handed, vec!["1", "2", "5", "6", "7"], "{collections:?}");
    assert!(collections.iter().all(|(d, _)| d == "2026-11-29"), "{collections:?}");
    let batch = std::fs::read_to_string(l.file("out/2026-11-29/collection-batch.csv")).unwrap();
    assert!(batch.starts_with("debtor_id,debtor_name,debtor_kind,org_no,"), "{batch}");
    assert!(batch.contains("A,Alfa Bygg AB,business,556036-0793,Storgatan 1,41101,Göteborg"), "{batch}");
    assert!(batch.contains(",1,2026-11-08,2026-11-18,"), "reminders and deadline: {batch}");
    // Nothing more after collection, and reruns add nothing.
    let before = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    let _ = l.dun(&["remind", "--as-of", "2026-11-30"]).output().unwrap();
    let _ = l.dun(&["collect", "--as-of", "2026-11-30"]).output().unwrap();
    assert_eq!(before, std::fs::read_to_string(l.file("journal.csv")).unwrap());
}

#[test]
fn remind_writes_each_channel_and_reports_customers_it_cannot_reach() {
    let l = ledger();
    let out = l.dun(&["remind", "--as-of", "2026-11-08"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("C Cecilia Utan Kanal: no usable channel"), "{err}");
    let dir = l.file("out/2026-11-08");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.contains(&"reminder-1_A_SEK.eml".to_owned()), "{files:?}");
    assert!(files.contains(&"reminder-1_A_SEK.letter.html".to_owned()), "{files:?}");
    assert!(files.contains(&"reminder-1_B_SEK.letter.html".to_owned()), "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with("reminder-1_B_SEK.eml")), "B has no e-mail: {files:?}");
    let eml = std::fs::read_to_string(dir.join("reminder-1_A_SEK.eml")).unwrap();
    assert!(eml.contains("To: ") && eml.contains("ekonomi@alfa.example"), "{eml}");
    assert!(eml.contains("multipart/alternative"), "{eml}");
    let letter = std::fs::read_to_string(dir.join("reminder-1_A_SEK.letter.html")).unwrap();
    // Both invoices in one letter, remaining amounts, one 60 kr fee, total 15 560.
    assert!(
        letter.contains("12\u{a0}500,00\u{a0}kr") && letter.contains("3\u{a0}000,00\u{a0}kr"),
        "{letter}"
    );
    assert!(letter.contains("15\u{a0}560,00\u{a0}kr"), "{letter}");
    assert!(letter.contains("2026-11-18"), "{letter}");
    assert!(letter.contains("5050-1055"), "{letter}");
    let j = journal(&l);
    let a1 = j.iter().find(|f| f[1] == "reminder" && f[2] == "1").unwrap();
    assert_eq!(&a1[4..7], &["60.00".to_owned(), "2026-11-18".to_owned(), "email+letter".to_owned()]);
}

#[test]
fn letters_come_in_the_customers_language() {
    let l = ledger();
    let _ = l.dun(&["remind", "--as-of", "2026-11-08"]).output().unwrap();
    let read = |name: &str| std::fs::read_to_string(l.file(&format!("out/2026-11-08/{name}"))).unwrap();
    let nb = read("reminder-1_N_SEK.letter.html");
    assert!(nb.contains("lang=\"nb\"") && nb.contains("inkassovarsel"), "{nb}");
    // A Swedish company's Norwegian business: Swedish law governs, no § 9 warning is claimed
    // (issue #11, finding 14).
    assert!(!nb.contains("minst 14 dager") && !nb.contains("inkassoloven § 9"), "{nb}");
    assert!(nb.contains("01.11.2026"), "Norwegian dates: {nb}");
    let da = read("reminder-1_D_SEK.letter.html");
    assert!(da.contains("lang=\"da\"") && da.to_lowercase().contains("rykker"), "{da}");
    let fi = read("reminder-1_F_SEK.letter.html");
    assert!(fi.contains("lang=\"fi\"") && fi.to_lowercase().contains("maksumuistutus"), "{fi}");
    let en = read("reminder-1_E_SEK.letter.html");
    assert!(en.contains("lang=\"en\"") && en.contains("1 Nov 2026"), "{en}");
    let sv = read("reminder-1_A_SEK.letter.html");
    assert!(sv.contains("lang=\"sv\"") && sv.contains("Inkasso Väst AB"), "{sv}");
}

#[test]
fn dry_run_writes_nothing() {
    let l = ledger();
    let out = l.dun(&["remind", "--dry-run", "--as-of", "2026-11-08"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("would write") && stdout.contains("reminder-1_A_SEK.eml"), "{stdout}");
    assert!(!l.file("journal.csv").exists());
    assert!(!l.file("out").exists());
    assert!(!l.file(".dun.lock").exists());
}

#[test]
fn two_runs_at_once_send_once() {
    let l = ledger();
    let bin = assert_cmd::cargo::cargo_bin("dun");
    let spawn = || {
        std::process::Command::new(&bin)
            .args(["remind", "--as-of", "2026-11-08", "--dir"])
            .arg(l.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = spawn();
    let mut second = spawn();
    first.wait().unwrap();
    second.wait().unwrap();
    let reminders = events(&l, "reminder");
    let mut invoices: Vec<&str> = reminders.iter().map(|(_, i)| i.as_str()).collect();
    invoices.sort();
    assert_eq!(invoices, vec!["1", "2", "3", "5", "6", "7", "8"], "{reminders:?}");
}

#[test]
fn agreements_check_what_they_name() {
    let l = ledger();
    let err = l.fails(&["resolve", "1", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("invoice 1 is not disputed"), "{err}");
    l.ok(&["dispute", "1", "--as-of", "2026-11-08"]);
    let err = l.fails(&["dispute", "1", "--as-of", "2026-11-09"], 1);
    assert!(err.contains("already disputed (since 2026-11-08)"), "{err}");
    let err = l.fails(&["promise", "nope", "--until", "2026-12-01", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("no invoice \"nope\""), "{err}");
    let err = l.fails(&["promise", "2", "--until", "2026-11-01", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("before 2026-11-08"), "{err}");
    let err = l.fails(&["release", "A", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("not on hold"), "{err}");
    l.ok(&["hold", "A", "--as-of", "2026-11-08"]);
    let err = l.fails(&["hold", "Z", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("no customer \"Z\""), "{err}");
    l.ok(&["note", "B", "called,", "no answer", "--as-of", "2026-11-08"]);
    let j = journal(&l);
    assert_eq!(j.len(), 3);
    assert_eq!(j[2][1], "note");
}

#[test]
fn a_plan_splits_to_the_cent_and_is_confirmed_in_writing() {
    let l = ledger();
    let out = l.ok(&["plan", "2", "--installments", "3", "--first", "2026-12-01", "--as-of", "2026-11-10"]);
    assert!(out.contains("plan 2 1000.00 until 2026-12-01"), "{out}");
    let plan: Vec<Vec<String>> = journal(&l).into_iter().filter(|f| f[1] == "plan").collect();
    let amounts: Vec<&str> = plan.iter().map(|f| f[4].as_str()).collect();
    assert_eq!(amounts, vec!["1000.00", "1000.00", "1000.00"]);
    let dues: Vec<&str> = plan.iter().map(|f| f[5].as_str()).collect();
    assert_eq!(dues, vec!["2026-12-01", "2026-12-31", "2027-01-30"]);
    let confirmation = std::fs::read_to_string(l.file("out/2026-11-10/plan_A_2.letter.html")).unwrap();
    assert!(confirmation.contains("2027-01-30"), "{confirmation}");
    l.write("invoices.csv", &INVOICES.replace("3000.00", "100.00"));
    let out = l.ok(&["plan", "3", "--installments", "3", "--first", "2026-12-01", "--as-of", "2026-11-10"]);
    assert!(out.contains("266.67") && out.contains("266.66"), "{out}");
}

#[test]
fn illegal_fees_are_refused_with_the_rule() {
    let l = ledger();
    l.write("policy.toml", &POLICY.replace("fee = \"60\"", "fee = \"100\""));
    let err = l.fails(&["remind", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("exceeds the statutory maximum of 60 SEK"), "{err}");
    assert!(err.contains("1981:739"), "{err}");
    assert!(!l.file("journal.csv").exists());
}

#[test]
fn templates_can_be_exported_and_overridden() {
    let l = ledger();
    let dir = l.file("templates");
    l.ok(&["templates", "export", dir.to_str().unwrap()]);
    let path = dir.join("sv/reminder.email.subject.hbs");
    assert!(path.exists());
    std::fs::write(&path, "Egen rubrik {{customer.name}}").unwrap();
    let _ = l.dun(&["remind", "--as-of", "2026-11-08"]).output().unwrap();
    let eml = std::fs::read_to_string(l.file("out/2026-11-08/reminder-1_A_SEK.eml")).unwrap();
    assert!(eml.contains("Subject: Egen rubrik Alfa Bygg AB"), "{eml}");
    std::fs::write(dir.join("sv/reminder.sms.txt.hbs"), "{{#if}}").unwrap();
    let err = l.fails(&["remind", "--as-of", "2026-11-09"], 1);
    assert!(err.contains("reminder.sms.txt.hbs"), "{err}");
}

/// The SMS reminder in each language, checked by hand against the ledger in
/// tests/fixtures/letters (amount + 60 kr fee, deadline 10 days after 2026-11-08, the payment
/// details, the collection warning of a last reminder) and pinned here.
#[test]
fn sms_snapshots_in_every_language() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/letters");
    let read = |name: &str| std::fs::read_to_string(fixtures.join(name)).unwrap();
    let l = Ledger::new();
    l.write("policy.toml", &read("ledger-policy.toml"))
        .write("customers.csv", &read("ledger-customers.csv"))
        .write("invoices.csv", &read("ledger-invoices.csv"));
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    for (id, lang) in [("A", "sv"), ("N", "nb"), ("D", "da"), ("F", "fi"), ("E", "en")] {
        let got =
            std::fs::read_to_string(l.file(&format!("out/2026-11-08/reminder-1_{id}_SEK.sms.txt"))).unwrap();
        assert_eq!(got, read(&format!("reminder-sms-{lang}.txt")), "{lang}");
        assert!(got.chars().count() <= 340, "{lang}: {} characters", got.chars().count());
    }
}

#[test]
fn an_unreadable_journal_line_is_an_error_with_its_line() {
    let l = ledger();
    l.write("journal.csv", "date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-08,reminder,1,A,60.00,2026-11-18,email,,\n2026-11-09,remindr,2,A,,,,,\n");
    let err = l.fails(&["due", "--as-of", "2026-11-10"], 1);
    assert!(err.contains("journal.csv:3: column \"event\": \"remindr\" is not a journal event"), "{err}");
    let err = l.fails(&["remind", "--as-of", "2026-11-10"], 1);
    assert!(err.contains("journal.csv:3"), "{err}");
}

#[test]
fn collect_dry_run_writes_nothing() {
    let l = ledger();
    let _ = l.dun(&["remind", "--as-of", "2026-11-08"]).output().unwrap();
    let before = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    let out = l.dun(&["collect", "--dry-run", "--as-of", "2026-11-29"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("would write") && stdout.contains("collection-batch.csv"), "{stdout}");
    assert!(!l.file("out/2026-11-29").exists());
    assert_eq!(before, std::fs::read_to_string(l.file("journal.csv")).unwrap());
}

#[test]
fn remind_refuses_on_check_errors_in_what_it_would_send() {
    let l = ledger();
    // Invoice 3 twice: B's letter would show a wrong amount. A's letter is not affected, but the
    // run as a whole stops until the data is fixed or --force is given.
    l.write("invoices.csv", &format!("{INVOICES}3,B,2026-10-02,2026-11-01,800.00,SEK,\n"));
    let err = l.fails(&["remind", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("remind refused: dun check finds errors in what it would send"), "{err}");
    assert!(err.contains("invoices.csv:11: column \"number\": invoice number 3 appears again"), "{err}");
    assert!(!l.file("journal.csv").exists());
    let out = l.dun(&["remind", "--force", "--as-of", "2026-11-08"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force: remind goes ahead"));
    let notes: Vec<Vec<String>> = journal(&l).into_iter().filter(|f| f[1] == "note").collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0][8].contains("data check overridden with --force (remind)"), "{notes:?}");
}

#[test]
fn due_until_lists_a_standing_call_once() {
    let l = Ledger::new();
    l.write("policy.toml", &format!("{POLICY}[segments.kommun]\nmanual = true\n"))
        .write(
            "customers.csv",
            "id,name,kind,country,language,email,segment\nK,Kvarnby kommun,business,SE,sv,k@kvarnby.example,kommun\n",
        )
        .write("invoices.csv", "number,customer,issued,due,amount,currency\n1,K,2026-10-02,2026-11-01,5000.00,SEK\n");
    let csv = l.ok(&["due", "--format", "csv", "--as-of", "2026-11-01", "--until", "2026-12-31"]);
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    // The call replaces the first reminder on 11-08 and stands, unanswered, to the end.
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(rows[0].starts_with("call,K,1,SEK,5000.00,7,") && rows[0].ends_with(",2026-11-08"), "{csv}");
}
