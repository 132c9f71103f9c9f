//! `cargo bench --bench report`: times the whole `dun report` computation (load, stream,
//! aggregate, render CSV) on a synthetic ledger, in process, and prints min / median / max.
//!
//! The ledger is `DUN_BENCH_DIR` if set (make one with
//! `cargo run --release --example gen -- --invoices 1000000 --out DIR` and add a policy.toml),
//! else a 200 000-invoice ledger written to a temp dir first. Not part of `cargo test`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dun::context::Context;

fn synthetic(dir: &Path, invoices: usize) {
    let customers = invoices / 10;
    let mut c = std::io::BufWriter::new(std::fs::File::create(dir.join("customers.csv")).unwrap());
    writeln!(c, "id,name,country,credit_limit").unwrap();
    for i in 0..customers {
        writeln!(c, "C{i:07},Kund {i} AB,SE,50000.00").unwrap();
    }
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("invoices.csv")).unwrap());
    writeln!(f, "number,customer,issued,due,amount,paid,currency,reference,paid_on").unwrap();
    let mut state: u64 = 42;
    let start = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
    for n in 0..invoices {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let r = state >> 33;
        let issued = start + chrono::Days::new((n * 730 / invoices) as u64);
        let due = issued + chrono::Days::new(30);
        let cents = 10_000 + r % 2_000_000;
        let (paid, paid_on) = match r % 10 {
            0..=6 => (cents, format!("{}", due + chrono::Days::new(r % 20))),
            7 => (cents / 2, String::new()),
            _ => (0, String::new()),
        };
        writeln!(
            f,
            "{},C{:07},{issued},{due},{}.{:02},{}.{:02},SEK,,{paid_on}",
            100_000 + n,
            r as usize % customers.max(1),
            cents / 100,
            cents % 100,
            paid / 100,
            paid % 100
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("policy.toml"),
        "[company]\nname = \"Bench AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n",
    )
    .unwrap();
}

fn main() {
    let tmp;
    let dir: PathBuf = match std::env::var_os("DUN_BENCH_DIR") {
        Some(d) => d.into(),
        None => {
            tmp = tempfile::tempdir().unwrap();
            synthetic(tmp.path(), 200_000);
            tmp.path().to_owned()
        }
    };
    let cli = dun::cli::Cli::try_parse_checked_from([
        "dun".as_ref(),
        "report".as_ref(),
        "--dir".as_ref(),
        dir.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-30".as_ref(),
        "-q".as_ref(),
        "-o".as_ref(),
        std::env::temp_dir().join("dun-bench-report.csv").as_os_str(),
    ] as [&std::ffi::OsStr; 9])
    .unwrap();
    let ctx = Context::new(&cli, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()).unwrap();
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        dun::cmd::report::run(&ctx, &dun::cli::ReportArgs::default()).unwrap();
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "dun report on {}: min {:?}, median {:?}, max {:?} (7 runs)",
        dir.display(),
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
