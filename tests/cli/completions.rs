//! `dun completions SHELL` and `dun man`: generated from the command line's definition, so
//! they offer each command exactly the options it takes.

use crate::common::*;

fn dun_plain(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("dun").unwrap().args(args).env_remove("DUN_DIR").output().unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = dun_plain(args);
    assert!(out.status.success(), "dun {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("bash", "complete -F _dun"),
        ("zsh", "#compdef dun"),
        ("fish", "complete -c dun"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "set edit:completion:arg-completer[dun]"),
    ] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("report") && script.contains("init"), "{shell}");
    }
    let out = dun_plain(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_offer_each_command_its_own_options() {
    let fish = stdout(&["completions", "fish"]);
    let options = |command: &str| -> Vec<&str> {
        let marker = format!("__fish_dun_using_subcommand {command}\" ");
        fish.lines()
            .filter(|l| l.contains(&marker))
            .filter_map(|l| l.split(" -l ").nth(1))
            .map(|rest| rest.split(' ').next().unwrap())
            .collect()
    };
    let report = options("report");
    for flag in ["format", "output", "color", "dir", "as-of", "quiet"] {
        assert!(report.contains(&flag), "report lacks --{flag}: {report:?}");
    }
    let remind = options("remind");
    assert!(
        remind.contains(&"dry-run") && remind.contains(&"dir") && remind.contains(&"verbose"),
        "{remind:?}"
    );
    let hold = options("hold");
    assert!(hold.contains(&"dir") && !hold.contains(&"format") && !hold.contains(&"output"), "{hold:?}");
    let init = options("init");
    assert!(init.contains(&"country") && !init.contains(&"dir") && !init.contains(&"as-of"), "{init:?}");
    // Nothing hidden leaks out: no output options before the command name.
    let top: Vec<&str> = fish.lines().filter(|l| l.contains("__fish_dun_needs_command\" -l")).collect();
    assert!(top.iter().all(|l| !l.contains("-l format") && !l.contains("-l color")), "{top:?}");
}

#[test]
fn man_prints_roff_for_dun_and_for_each_command() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH dun 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS") && page.contains("dun\\-report(1)"), "{page}");
    let report = stdout(&["man", "report"]);
    assert!(report.contains(".TH dun-report 1"), "{report}");
    assert!(report.contains("\\fB\\-\\-format\\fR"), "{report}");
    let hold = stdout(&["man", "hold"]);
    assert!(!hold.contains("\\-\\-format"), "{hold}");
    let export = stdout(&["man", "templates", "export"]);
    assert!(export.contains(".TH dun-templates-export 1"), "{export}");
    let out = dun_plain(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no command \"nope\""));
}

#[test]
fn man_writes_every_page_to_a_directory() {
    let l = Ledger::new();
    let dir = l.file("man1");
    let said = stdout(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert!(said.starts_with("wrote ") && said.contains("manual pages"), "{said}");
    for page in ["dun.1", "dun-report.1", "dun-init.1", "dun-templates-export.1", "dun-dispute.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie"), "{page}");
    }
    assert!(!dir.join("dun-help.1").exists());
}
