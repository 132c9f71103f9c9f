//! `cargo bench --bench journal_append`: how much a run's all-or-none journal append costs on
//! a year's journal of a 100 000-customer ledger, for the mechanisms issue 10 weighed:
//!
//! - `plain append`: one `write_all` on an `O_APPEND` file and a sync (what dun did: torn by a
//!   kill or a full disk);
//! - `plain append, reading the file first`: the same with the old check for a missing last
//!   newline, which read the whole journal;
//! - `commit file + append`: `io::commit` (the lines and the old length in `.dun-commit.json`,
//!   renamed into place, then the append, then the file removed): what dun does now;
//! - `copy + rename`: the whole journal rewritten to a temp file, synced, renamed.
//!
//! The journal: 1.5 million lines (about 12 invoices a customer a year, each paid and
//! journaled by `import`, one customer in four reminded, some agreements), written to a temp
//! dir (or `DUN_BENCH_DIR`). A run appends 2 000 lines (a morning's reminders and payments).
//! Not part of `cargo test`.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use dun::core::journal::{Entry, Event};

const LINES: usize = 1_500_000;
const RUN: usize = 2_000;
const ROUNDS: usize = 7;

fn entry(i: usize) -> Entry {
    let day = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap() + chrono::Days::new((i * 365 / LINES) as u64);
    let mut e = Entry::new(day, if i.is_multiple_of(5) { Event::Reminder } else { Event::Payment });
    e.set_invoice(Some(format!("{:08}", 10_000_000 + i)));
    e.set_customer(Some(format!("C{:07}", i % 100_000)));
    e.amount = Some(rust_decimal::Decimal::new((i as i64 % 2_000_000) + 10_000, 2));
    if e.event == Event::Reminder {
        e.until = Some(day + chrono::Days::new(10));
        e.set_channel(Some("email+letter"));
        e.set_reference(Some(format!("{day}/reminder-1_C{:07}_SEK", i % 100_000)));
    } else {
        e.set_reference(Some(format!("BG0009912346-20261123-00001-{i:012}")));
        e.set_note(Some("reference"));
    }
    e
}

fn year(dir: &Path) -> u64 {
    let path = dir.join("journal.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(&dun::io::journal_file::render_lines(&[], true)).unwrap();
    for chunk in (0..LINES).collect::<Vec<_>>().chunks(10_000) {
        let entries: Vec<Entry> = chunk.iter().map(|&i| entry(i)).collect();
        f.write_all(&dun::io::journal_file::render_lines(&entries, false)).unwrap();
    }
    f.flush().unwrap();
    std::fs::metadata(&path).unwrap().len()
}

fn plain_append(dir: &Path, bytes: &[u8], read_first: bool) {
    let path = dir.join("journal.csv");
    if read_first {
        let all = std::fs::read(&path).unwrap();
        assert_eq!(all.last(), Some(&b'\n'));
    }
    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(bytes).unwrap();
    f.sync_all().unwrap();
}

fn copy_rename(dir: &Path, bytes: &[u8]) {
    let path = dir.join("journal.csv");
    let mut all = std::fs::read(&path).unwrap();
    all.extend_from_slice(bytes);
    dun::io::output::write_atomically(&path, &all).unwrap();
}

fn commit(dir: &Path, entries: &[Entry]) {
    let mut tx = dun::io::commit::Transaction::new(dir);
    tx.journal(entries);
    tx.commit().unwrap();
}

fn time(name: &str, mut f: impl FnMut()) {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<40} min {:>9.2?}  median {:>9.2?}  max {:>9.2?}",
        times[0],
        times[ROUNDS / 2],
        times[ROUNDS - 1]
    );
}

fn main() {
    let tmp = tempfile::tempdir_in(std::env::var("DUN_BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    let dir = tmp.path();
    let t = Instant::now();
    let size = year(dir);
    println!("journal: {LINES} lines, {:.1} MB, written in {:.1?}", size as f64 / 1e6, t.elapsed());
    let run: Vec<Entry> = (LINES..LINES + RUN).map(entry).collect();
    let bytes = dun::io::journal_file::render_lines(&run, false);
    println!("a run: {RUN} lines, {} bytes", bytes.len());
    time("plain append", || plain_append(dir, &bytes, false));
    time("plain append, reading the file first", || plain_append(dir, &bytes, true));
    time("commit file + append (dun)", || commit(dir, &run));
    time("copy + rename", || copy_rename(dir, &bytes));
    let t = Instant::now();
    let journal = dun::io::journal_file::read(dir).unwrap();
    println!("reading it back: {} entries in {:.1?}", journal.entries.len(), t.elapsed());
}
