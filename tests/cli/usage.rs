//! The command line's shape: each command offers only the options it honours, old spellings
//! keep working, and the ledger is found (or its absence explained) the same way everywhere.

use std::path::Path;

use assert_cmd::Command;

use crate::common::*;

const CUSTOMERS: &str = "id,name,kind,country,language,email\nA,Alfa AB,business,SE,sv,a@alfa.example\n";
const INVOICES: &str = "number,customer,issued,due,amount,currency\n1,A,2026-10-01,2026-10-31,1000.00,SEK\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

/// `dun ARGS` in `cwd`, with no `--dir` and no `DUN_DIR`.
fn dun_in(cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("dun").unwrap();
    cmd.args(args).current_dir(cwd).env_remove("DUN_DIR").env("NO_COLOR", "1");
    cmd
}

fn run(mut cmd: Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn output_options_are_offered_only_where_honoured() {
    let l = ledger();
    // `hold` writes a journal line, not a table: --format and -o are not its options.
    let err = l.fails(&["hold", "A", "--format", "json", "--as-of", "2026-11-30"], 2);
    assert!(err.contains("unexpected argument '--format'"), "{err}");
    let err = l.fails(&["dispute", "1", "-o", "x.csv", "--as-of", "2026-11-30"], 2);
    assert!(err.contains("unexpected argument '-o'"), "{err}");
    // Nor before the command name, where every command used to take them.
    let err = l.fails(&["--format", "json", "hold", "A", "--as-of", "2026-11-30"], 2);
    assert!(err.contains("`dun hold` writes no table and does not take --format"), "{err}");
    let err = l.fails(&["--color", "always", "dispute", "1"], 2);
    assert!(err.contains("does not take --color"), "{err}");
    // `remind` and `collect` summarise what they did, in JSON when asked (issue 13).
    assert!(l.ok(&["remind", "--help"]).contains("--format"));
    // `explain` writes text: -o yes, --format no.
    let err = l.fails(&["explain", "1", "--format", "json"], 2);
    assert!(err.contains("unexpected argument '--format'"), "{err}");
    let out = l.file("why.txt");
    l.ok(&["explain", "1", "--as-of", "2026-11-30", "-o", out.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("Invoice 1 to A (Alfa AB)"));
    let help = l.ok(&["templates", "list", "--help"]);
    assert!(!help.contains("--as-of") && !help.contains("--dir"), "{help}");
    let help = l.ok(&["templates", "export", "--help"]);
    assert!(!help.contains("--as-of") && help.contains("--dir"), "{help}");
    for command in ["report", "check", "due", "interest"] {
        let help = l.ok(&[command, "--help"]);
        assert!(help.contains("--format") && help.contains("--output") && help.contains("--color"), "{help}");
    }
}

#[test]
fn global_options_a_command_ignores_are_refused() {
    let l = ledger();
    let (code, _, err) = run(dun_in(l.path(), &["templates", "list", "--as-of", "2026-11-30"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("--as-of has no effect on `dun templates list`"), "{err}");
    let (code, _, err) = run(dun_in(l.path(), &["--dir", ".", "templates", "list"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("--dir has no effect on `dun templates list`"), "{err}");
    let err = l.fails(&["templates", "export", "--as-of", "2026-11-30"], 2);
    assert!(err.contains("--as-of has no effect on `dun templates export`"), "{err}");
    assert!(!l.file("templates").exists());
    // --dir from the environment is not "given": `templates list` runs anywhere.
    let (code, out, _) = run({
        let mut cmd = dun_in(l.path(), &["templates", "list"]);
        cmd.env("DUN_DIR", "/nonexistent");
        cmd
    });
    assert_eq!(code, Some(0));
    assert!(out.lines().count() > 3, "{out}");
}

#[test]
fn options_before_the_command_still_work() {
    let l = ledger();
    let after = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert!(after.contains("\nA,Alfa AB,SEK,0.00,1000.00,"), "{after}");
    let dir = l.path().to_str().unwrap();
    let (code, before, err) =
        run(dun_in(Path::new("/"), &["--dir", dir, "--as-of", "2026-11-30", "--format", "csv", "report"]));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(before, after);
    // -o before the command: the extension names the format, as it always did.
    let file = l.file("aging.json");
    let (code, _, err) = run(dun_in(
        Path::new("/"),
        &["-o", file.to_str().unwrap(), "report", "--dir", dir, "--as-of", "2026-11-30"],
    ));
    assert_eq!(code, Some(0), "{err}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["rows"][0]["total"], "1000.00");
    // The command's own option wins over one before it.
    let (_, out, _) =
        run(dun_in(Path::new("/"), &["--format", "json", "report", "--format", "csv", "--dir", dir]));
    assert!(out.starts_with("customer,name,currency,"), "{out}");
}

#[test]
fn an_unknown_output_extension_is_a_usage_error() {
    let l = ledger();
    let file = l.file("aging.pdf");
    let err = l.fails(&["report", "-o", file.to_str().unwrap()], 2);
    assert!(err.contains("cannot tell the format from \".pdf\""), "{err}");
    assert!(err.contains(".csv") && err.contains(".json"), "{err}");
    assert!(!file.exists());
    // Named explicitly, any file name will do.
    l.ok(&["report", "-o", file.to_str().unwrap(), "--format", "csv", "--as-of", "2026-11-30"]);
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("customer,name,"));
    // No extension: the table, as before.
    let file = l.file("aging");
    l.ok(&["report", "-o", file.to_str().unwrap(), "--as-of", "2026-11-30"]);
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("Aging as of 2026-11-30"));
}

#[test]
fn the_ledger_is_found_from_a_subdirectory() {
    let l = ledger();
    let sub = l.file("out/2026");
    std::fs::create_dir_all(&sub).unwrap();
    let (code, out, err) = run(dun_in(&sub, &["report", "--format", "csv", "--as-of", "2026-11-30"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\nA,Alfa AB,SEK,"), "{out}");
    // DUN_DIR names it from anywhere.
    let (code, out, err) = run({
        let mut cmd = dun_in(Path::new("/"), &["report", "--format", "csv", "--as-of", "2026-11-30"]);
        cmd.env("DUN_DIR", l.path());
        cmd
    });
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\nA,Alfa AB,SEK,"), "{out}");
}

#[test]
fn outside_a_ledger_the_error_says_how_to_make_or_name_one() {
    let empty = tempfile::tempdir().unwrap();
    let (code, out, err) = run(dun_in(empty.path(), &["report"]));
    assert_eq!(code, Some(2), "{out}");
    assert!(err.contains("is not a ledger directory"), "{err}");
    assert!(err.contains("dun init") && err.contains("--dir") && err.contains("DUN_DIR"), "{err}");
    assert!(!err.contains("policy.example.toml"), "{err}");
    // Named, but not a ledger.
    let (code, _, err) = run(dun_in(Path::new("/"), &["check", "--dir", empty.path().to_str().unwrap()]));
    assert_eq!(code, Some(2));
    assert!(err.contains("is not a ledger directory: it has no policy.toml"), "{err}");
    assert!(err.contains(&format!("dun init {}", empty.path().display())), "{err}");
}

#[test]
fn a_directory_that_does_not_exist_is_named_as_such() {
    let (code, _, err) = run(dun_in(Path::new("/"), &["report", "--dir", "/nonexistent/ledger"]));
    assert_eq!(code, Some(2));
    assert!(err.contains("--dir /nonexistent/ledger: no such directory"), "{err}");
    let (code, _, err) = run({
        let mut cmd = dun_in(Path::new("/"), &["due"]);
        cmd.env("DUN_DIR", "/nonexistent/ledger");
        cmd
    });
    assert_eq!(code, Some(2));
    assert!(err.contains("DUN_DIR=/nonexistent/ledger: no such directory"), "{err}");
}

#[test]
fn templates_are_exported_into_the_ledger() {
    let l = ledger();
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, out, err) = run(dun_in(
        elsewhere.path(),
        &["templates", "export", "templates", "--dir", l.path().to_str().unwrap()],
    ));
    assert_eq!(code, Some(0), "{err}");
    assert!(l.file("templates/sv").is_dir(), "{out}");
    assert!(!elsewhere.path().join("templates").exists());
    // Without DIR: where the letters read them (templates.dir, default templates/).
    l.write("policy.toml", &format!("{POLICY_SE}[templates]\ndir = \"letters\"\n"));
    let sub = l.file("out");
    std::fs::create_dir_all(&sub).unwrap();
    let (code, _, err) = run(dun_in(&sub, &["templates", "export"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(l.file("letters/sv").is_dir());
}

#[test]
fn every_command_says_what_it_does() {
    let l = ledger();
    let help = l.ok(&["--help"]);
    let listed: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .collect();
    assert!(listed.len() > 20, "{help}");
    for line in listed {
        let mut words = line.split_whitespace();
        let command = words.next().unwrap();
        assert!(words.next().is_some(), "`dun {command}` has no description:\n{help}");
    }
    // Each description belongs to its command (the doc comments once slipped by one).
    let described = |command: &str| {
        help.lines()
            .find_map(|line| line.trim_start().strip_prefix(command).filter(|rest| rest.starts_with(' ')))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    assert!(described("rules").starts_with("Every statutory figure"), "{help}");
    assert!(described("templates").starts_with("The built-in letter templates"), "{help}");
}
