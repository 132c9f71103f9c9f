//! `cargo bench --bench commands [-- NAME...]`: every whole-ledger command of issue 14, each
//! run as its own process (the `dun` that cargo builds for the bench, i.e. the release
//! profile) on a generated ledger, timed next to `report --format csv` in the same run, A B A B.
//! Prints per command the median wall time, CPU time (user + sys) and peak RSS, and each as a
//! ratio to `report --format csv`'s. Not part of `cargo test`.
//!
//! The ledger: `DUN_BENCH_DIR` (made with `python3 scripts/gen.py --invoices N --out DIR`, a
//! policy.toml added and, for a year of reminders, `python3 scripts/journal-year.py --dir DIR`),
//! else a 100 000-invoice ledger of `scripts/gen.py` written to a temp dir (python3 needed).
//! Runs per command: `DUN_BENCH_RUNS` (default 3, after one warm-up). Names as arguments pick
//! commands (`due`, `check`, `remind-dry`, `remind`, `explain`, `customer`, `report-json`,
//! `import`, `import-dry`, `stats`, `forecast`, `due-until`, `interest`, ...). CPU time and peak RSS come from GNU time (`/usr/bin/time`); without it only
//! the wall time is shown.
//!
//! `remind` (writing letters) runs on a copy of the ledger with an empty journal, so every
//! run writes the same first reminders; its line also gives letters per second. `import`
//! imports a BgMax file of `scripts/bank-files.py` (N/10 payments) into a fresh copy each run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const AS_OF: &str = "2026-11-30";
/// `due --until`: a month of decisions after the as-of date (the README's row).
const UNTIL: &str = "2026-12-31";
const POLICY: &str = "[company]\nname = \"Benchmark AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
                      email = \"billing@benchmark.example\"\nbankgiro = \"5050-1055\"\n";

/// One timed run of a whole process.
#[derive(Clone, Copy, Default)]
struct Sample {
    wall: f64,
    cpu: Option<f64>,
    rss_mib: Option<f64>,
}

fn dun() -> &'static str {
    env!("CARGO_BIN_EXE_dun")
}

fn gnu_time() -> bool {
    Command::new("/usr/bin/time")
        .args(["-f", "%e", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `args` (after `prepare`, untimed), stdout to /dev/null; exits 0, 1 or 3 are taken
/// (`check` finds errors in a generated ledger, `remind` may find customers it cannot reach).
fn run(args: &[String], prepare: &dyn Fn()) -> Sample {
    prepare();
    let timing = std::env::temp_dir().join(format!("dun-bench-time-{}", std::process::id()));
    let mut command = if gnu_time() {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%e %U %S %M", "-o"]).arg(&timing).arg(dun());
        c
    } else {
        Command::new(dun())
    };
    let start = Instant::now();
    let status = command.args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().expect("dun runs");
    let wall = start.elapsed().as_secs_f64();
    assert!(matches!(status.code(), Some(0 | 1 | 3)), "dun {} failed: {status}", args.join(" "));
    let mut sample = Sample { wall, ..Sample::default() };
    if let Ok(text) = std::fs::read_to_string(&timing) {
        let fields: Vec<f64> =
            text.lines().last().unwrap_or_default().split(' ').filter_map(|f| f.parse().ok()).collect();
        if let [wall, user, sys, rss_kib] = fields[..] {
            sample = Sample { wall, cpu: Some(user + sys), rss_mib: Some(rss_kib / 1024.0) };
        }
        let _ = std::fs::remove_file(&timing);
    }
    sample
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn python(args: &[&str]) {
    let status = Command::new("python3").args(args).stdout(Stdio::null()).status().expect("python3 runs");
    assert!(status.success(), "python3 {} failed", args.join(" "));
}

fn script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts").join(name).display().to_string()
}

/// The first line's first field of a CSV file, after the header.
fn first_field(path: &Path, column: usize) -> String {
    let text = std::fs::read_to_string(path).expect("read");
    let line = text.lines().nth(1).expect("a data line");
    line.split(',').nth(column).expect("a field").to_owned()
}

/// Copies the ledger's own files (not out/ or the journal) into `to`.
fn copy_ledger(from: &Path, to: &Path, journal: bool) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("mkdir");
    for name in ["customers.csv", "invoices.csv", "payments.csv", "policy.toml"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name)).expect("copy");
        }
    }
    if journal && from.join("journal.csv").exists() {
        std::fs::copy(from.join("journal.csv"), to.join("journal.csv")).expect("copy");
    }
}

fn main() {
    let picked: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let runs: usize = std::env::var("DUN_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let tmp = tempfile::tempdir().expect("temp dir");
    let ledger: PathBuf = match std::env::var_os("DUN_BENCH_DIR") {
        Some(dir) => dir.into(),
        None => {
            let dir = tmp.path().join("ledger");
            python(&[&script("gen.py"), "--invoices", "100000", "--out", &dir.display().to_string()]);
            std::fs::write(dir.join("policy.toml"), POLICY).expect("policy");
            dir
        }
    };
    let dir = ledger.display().to_string();
    let invoices = std::fs::read_to_string(ledger.join("invoices.csv")).map_or(0, |t| t.lines().count() - 1);
    let one_invoice = first_field(&ledger.join("invoices.csv"), 0);
    let one_customer = first_field(&ledger.join("customers.csv"), 0);
    let fresh = tmp.path().join("fresh");
    let bank = tmp.path().join("bank.bgmax");
    let common = |args: &[&str]| -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).chain(["--as-of".into(), AS_OF.into()]).collect()
    };
    let on = |d: &str, args: &[&str]| -> Vec<String> {
        let mut all = common(args);
        all.extend(["--dir".to_owned(), d.to_owned()]);
        all
    };
    let fresh_dir = fresh.display().to_string();
    let nothing = || {};
    let fresh_copy = || copy_ledger(&ledger, &fresh, false);
    let fresh_with_journal = || copy_ledger(&ledger, &fresh, true);
    type Case<'a> = (&'a str, Vec<String>, &'a dyn Fn());
    let cases: Vec<Case<'_>> = vec![
        ("due", on(&dir, &["due", "-q"]), &nothing),
        ("due-all-csv", on(&dir, &["due", "--all", "--format", "csv", "-q"]), &nothing),
        ("check", on(&dir, &["check", "--format", "csv"]), &nothing),
        ("remind-dry", on(&dir, &["remind", "--dry-run", "--force", "-q"]), &nothing),
        ("explain", on(&dir, &["explain", &one_invoice, "-q"]), &nothing),
        ("customer", on(&dir, &["customer", &one_customer, "-q"]), &nothing),
        ("report-json", on(&dir, &["report", "--format", "json", "-q"]), &nothing),
        ("remind", on(&fresh_dir, &["remind", "--force", "-q"]), &fresh_copy),
        ("import", on(&fresh_dir, &["import", &bank.display().to_string(), "-q"]), &fresh_with_journal),
        ("import-dry", on(&dir, &["import", "--dry-run", &bank.display().to_string(), "-q"]), &nothing),
        ("stats", on(&dir, &["stats", "--format", "csv", "-q"]), &nothing),
        ("forecast", on(&dir, &["forecast", "--format", "json", "-q"]), &nothing),
        ("due-until", on(&dir, &["due", "--until", UNTIL, "--format", "csv", "-q"]), &nothing),
        ("interest", on(&dir, &["interest", "--format", "csv", "-q"]), &nothing),
    ];
    let wanted = |name: &str| picked.is_empty() || picked.iter().any(|p| p == name);
    if wanted("import") || wanted("import-dry") {
        let payments = (invoices / 10).max(1).to_string();
        python(&[
            &script("bank-files.py"),
            "--dir",
            &dir,
            "--payments",
            &payments,
            "--out",
            &bank.display().to_string(),
        ]);
    }
    let baseline = on(&dir, &["report", "--format", "csv", "-q"]);
    eprintln!(
        "{invoices} invoices in {dir}; median of {runs} run(s) after a warm-up, each next to report --format csv"
    );
    eprintln!(
        "{:<12} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7}",
        "command", "wall s", "CPU s", "peak MiB", "wall×", "CPU×", "mem×"
    );
    for (name, args, prepare) in cases.iter().filter(|(name, _, _)| wanted(name)) {
        let _ = (run(args, *prepare), run(&baseline, &nothing));
        let (mut own, mut base) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            own.push(run(args, *prepare));
            base.push(run(&baseline, &nothing));
        }
        let pick = |samples: &[Sample], f: &dyn Fn(&Sample) -> Option<f64>| {
            let values: Vec<f64> = samples.iter().filter_map(f).collect();
            (!values.is_empty()).then(|| median(values))
        };
        let ratio = |f: &dyn Fn(&Sample) -> Option<f64>| {
            let values: Vec<f64> = own.iter().zip(&base).filter_map(|(a, b)| Some(f(a)? / f(b)?)).collect();
            (!values.is_empty()).then(|| median(values))
        };
        let show =
            |v: Option<f64>, digits: usize| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"));
        let wall = pick(&own, &|s| Some(s.wall));
        eprint!(
            "{name:<12} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7}",
            show(wall, 2),
            show(pick(&own, &|s| s.cpu), 2),
            show(pick(&own, &|s| s.rss_mib), 0),
            show(ratio(&|s| Some(s.wall)), 1),
            show(ratio(&|s| s.cpu), 1),
            show(ratio(&|s| s.rss_mib), 1),
        );
        if *name == "remind" {
            // A letter is one stem, on one or more channels (`.letter.html`, `.pdf`, `.eml`).
            let letters = std::fs::read_dir(fresh.join("out").join(AS_OF))
                .map(|d| {
                    d.flatten()
                        .filter_map(|e| {
                            let name = e.file_name().to_string_lossy().into_owned();
                            name.split_once('.').map(|(stem, _)| stem.to_owned())
                        })
                        .collect::<std::collections::BTreeSet<_>>()
                        .len()
                })
                .unwrap_or(0);
            let cpu = pick(&own, &|s| s.cpu);
            eprint!(
                "  {letters} letters: {} letters/s wall, {} per CPU-s",
                show(wall.map(|w| letters as f64 / w), 0),
                show(cpu.map(|c| letters as f64 / c), 0)
            );
        }
        eprintln!();
    }
}
