//! `cargo bench --bench paths [-- NAME...]`: the paths that once grew with the square of their
//! work, each timed at several sizes so that the growth shows. Linear growth keeps the time per
//! item (the last column) flat from the smallest size to the largest.
//!
//! - `camt`: parse a camt.054 of N transactions (every XML element asks for its line number).
//! - `bank-csv`: parse a bank's CSV export of N rows (every row asks for its line number).
//! - `matching`: match N/2 payments by invoice number (in the text) or by payer name and
//!   amount against N open invoices of N/10 customers.
//! - `collect`: `dun collect --dry-run` (the whole process) on N invoices that are all due for
//!   collection: the agency batch reads each invoice's journal.
//! - `grouping`: group N due reminders of N/3 customers into letters.
//!
//! Sizes: `DUN_BENCH_SIZES` (default `10000,20000,50000,100000`); runs per size:
//! `DUN_BENCH_RUNS` (default 3, the median is shown). Names as arguments pick paths. Not part of
//! `cargo test`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use dun::core::dunning::{Decision, State};
use dun::core::matching::{Candidate, Incoming, match_payments};
use dun::core::model::Currency;
use dun::io::bank::{CsvImportConfig, parse_bank_csv, parse_camt};
use dun::letters::Step;
use dun::letters::compose::group;
use rust_decimal::Decimal;

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("a date")
}

fn sek() -> Currency {
    Currency::parse("SEK").expect("SEK")
}

/// A camt.054 with one entry of one transaction per payment, indented as banks write it.
fn camt(n: usize) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\">\n\
         <BkToCstmrDbtCdtNtfctn>\n  <GrpHdr>\n    <MsgId>BENCH</MsgId>\n    \
         <CreDtTm>2026-11-30T06:00:00</CreDtTm>\n  </GrpHdr>\n  <Ntfctn>\n    <Id>N1</Id>\n    \
         <Acct>\n      <Id>\n        <IBAN>SE4550000000058398257466</IBAN>\n      </Id>\n      \
         <Ccy>SEK</Ccy>\n    </Acct>\n",
    );
    for i in 0..n {
        x.push_str(&format!(
            "    <Ntry>\n      <Amt Ccy=\"SEK\">{}.{:02}</Amt>\n      <CdtDbtInd>CRDT</CdtDbtInd>\n      \
             <Sts>BOOK</Sts>\n      <BookgDt>\n        <Dt>2026-11-{:02}</Dt>\n      </BookgDt>\n      \
             <NtryDtls>\n        <TxDtls>\n          <Refs>\n            <AcctSvcrRef>TX{i:08}</AcctSvcrRef>\n          \
             </Refs>\n          <RltdPties>\n            <Dbtr>\n              <Nm>Kund {} AB</Nm>\n            \
             </Dbtr>\n          </RltdPties>\n          <RmtInf>\n            <Ustrd>Faktura {}</Ustrd>\n          \
             </RmtInf>\n        </TxDtls>\n      </NtryDtls>\n    </Ntry>\n",
            100 + i % 5000,
            i % 100,
            1 + i % 28,
            i % 1000,
            100_001 + i
        ));
    }
    x.push_str("  </Ntfctn>\n</BkToCstmrDbtCdtNtfctn>\n</Document>\n");
    x.into_bytes()
}

fn bank_csv(n: usize) -> (Vec<u8>, CsvImportConfig) {
    let mut x = String::from("Bokföringsdag;Belopp;Referens;Meddelande;Avsändare\r\n");
    for i in 0..n {
        x.push_str(&format!(
            "2026-11-{:02};{},{:02};;Faktura {};Kund {} AB\r\n",
            1 + i % 28,
            100 + i % 5000,
            i % 100,
            100_001 + i,
            i % 1000
        ));
    }
    let named = |ours: &str, theirs: &str| (ours.to_owned(), theirs.to_owned());
    let config = CsvImportConfig {
        delimiter: Some(b';'),
        decimal: Some(','),
        columns: vec![
            named("date", "Bokföringsdag"),
            named("amount", "Belopp"),
            named("reference", "Referens"),
            named("message", "Meddelande"),
            named("payer", "Avsändare"),
        ],
        ..CsvImportConfig::default()
    };
    (x.into_bytes(), config)
}

/// N open invoices of N/10 customers, and N/2 payments: every other one names its invoice in
/// the text, the rest come from a payer whose name is a customer's, for one invoice's amount.
fn matching_input(n: usize) -> (Vec<Candidate<'static>>, Vec<Incoming>) {
    let customers = (n / 10).max(1);
    let invoices: Vec<Candidate<'static>> = (0..n)
        .map(|i| Candidate {
            number: format!("{}", 100_001 + i).into(),
            customer: format!("C{:06}", i % customers).into(),
            customer_name: format!("Kund {} AB", i % customers).into(),
            currency: sek(),
            due: day("2026-10-31"),
            open: Decimal::new(10_000 + (i as i64 * 7919) % 1_000_000, 2),
            stored_reference: None,
            reference: None,
            discount: None,
        })
        .collect();
    let payments = (0..n / 2)
        .map(|j| {
            let at = (j * 2_654_435_761) % n;
            let by_number = j % 2 == 0;
            Incoming {
                txid: format!("T{j}"),
                date: day("2026-11-20"),
                amount: invoices[at].open,
                currency: sek(),
                references: Vec::new(),
                reference_amounts: Vec::new(),
                message: by_number.then(|| format!("Faktura {}", invoices[at].number)),
                payer: (!by_number).then(|| invoices[at].customer_name.to_uppercase()),
            }
        })
        .collect();
    (invoices, payments)
}

/// N invoice numbers and their customers' ids, which decisions borrow.
fn names(n: usize) -> Vec<(String, String)> {
    let customers = (n / 3).max(1);
    (0..n).map(|i| (format!("{}", 100_001 + i), format!("C{:06}", (i * 7) % customers))).collect()
}

fn decisions(names: &[(String, String)]) -> Vec<Decision<'_>> {
    names
        .iter()
        .map(|(invoice, customer)| Decision {
            invoice,
            customer,
            currency: sek(),
            open: Decimal::new(10_000, 2),
            due: day("2026-10-31"),
            days_overdue: 30,
            state: State::NotDue,
            step: 1,
            reminders_sent: 0,
            last_reminder: None,
            pay_by: None,
            next_date: None,
            fee: Decimal::ZERO,
            collection_warning: false,
            call_for: None,
            why: Default::default(),
            claim: Default::default(),
        })
        .collect()
}

/// A ledger of N invoices of N/10 customers, every one reminded long ago and now due for
/// collection (the agency needs an organisation number and an address, which all have).
fn collect_ledger(dir: &Path, n: usize) {
    let customers = (n / 10).max(1);
    let file = |name: &str| std::io::BufWriter::new(std::fs::File::create(dir.join(name)).expect("create"));
    let mut c = file("customers.csv");
    writeln!(c, "id,name,org_no,address,postcode,city,country,email").expect("write");
    for i in 0..customers {
        writeln!(c, "C{i:06},Kund {i} AB,556036-0793,Storgatan {i},41101,Göteborg,SE,k{i}@example.se")
            .expect("write");
    }
    let mut f = file("invoices.csv");
    let mut j = file("journal.csv");
    writeln!(f, "number,customer,issued,due,amount,paid,currency").expect("write");
    writeln!(j, "date,event,invoice,customer,amount,until,channel,ref,note").expect("write");
    let start = day("2026-01-05");
    for i in 0..n {
        let issued = start + Days::new((i % 200) as u64);
        let due = issued + Days::new(30);
        let customer = format!("C{:06}", i % customers);
        writeln!(f, "{},{customer},{issued},{due},{}.00,0.00,SEK", 100_001 + i, 1000 + i % 5000)
            .expect("write");
        let reminded = due + Days::new(7);
        let until = reminded + Days::new(10);
        writeln!(j, "{reminded},reminder,{},{customer},0.00,{until},email,,", 100_001 + i).expect("write");
    }
    std::fs::write(
        dir.join("policy.toml"),
        "[company]\nname = \"Bench AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nemail = \"ekonomi@bench.example\"\n\
         [reminder]\nmax = 1\n[interest]\nmode = \"none\"\n",
    )
    .expect("policy");
}

/// The median of `runs` timings of `f`, which gets a fresh copy of the input each time.
fn time<I: Clone, O>(runs: usize, input: &I, f: impl Fn(I) -> O) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let input = input.clone();
            let start = Instant::now();
            std::hint::black_box(f(input));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn report(name: &str, n: usize, t: Duration, first: &mut Option<(usize, Duration)>) {
    let per_item = t.as_secs_f64() * 1e6 / n as f64;
    let (n0, t0) = *first.get_or_insert((n, t));
    let growth = t.as_secs_f64() / t0.as_secs_f64().max(1e-9);
    println!(
        "{name:<10} {n:>9} {:>10.3} s {per_item:>10.2} µs/item   ×{growth:.1} time for ×{:.1} items",
        t.as_secs_f64(),
        n as f64 / n0 as f64
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("DUN_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,20000,50000,100000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("DUN_BENCH_SIZES: numbers separated by commas"))
        .collect();
    let runs: usize = std::env::var("DUN_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let wanted: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let want = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    println!("{:<10} {:>9} {:>12} {:>15}", "path", "items", "median", "per item");

    if want("camt") {
        let mut first = None;
        for &n in &sizes {
            let bytes = camt(n);
            let t = time(runs, &bytes, |b| {
                let file = parse_camt(&b).expect("the bench's camt parses");
                assert_eq!(file.payments.len(), n);
            });
            report("camt", n, t, &mut first);
        }
    }
    if want("bank-csv") {
        let mut first = None;
        for &n in &sizes {
            let (bytes, config) = bank_csv(n);
            let t = time(runs, &bytes, |b| {
                let file = parse_bank_csv(&b, &config).expect("the bench's CSV parses");
                assert_eq!(file.payments.len(), n);
            });
            report("bank-csv", n, t, &mut first);
        }
    }
    if want("matching") {
        let mut first = None;
        for &n in &sizes {
            let input = matching_input(n);
            let t = time(runs, &input, |(invoices, payments)| match_payments(&invoices, &payments).len());
            report("matching", n, t, &mut first);
        }
    }
    if want("collect") {
        let mut first = None;
        for &n in &sizes {
            let dir = tempfile::tempdir().expect("temp dir");
            collect_ledger(dir.path(), n);
            let t = time(runs, &(), |()| {
                let status = Command::new(env!("CARGO_BIN_EXE_dun"))
                    .args(["collect", "--dry-run", "--as-of", "2026-11-30", "--dir"])
                    .arg(dir.path())
                    .stdout(Stdio::null())
                    .status()
                    .expect("dun runs");
                assert!(status.success(), "dun collect failed");
            });
            report("collect", n, t, &mut first);
        }
    }
    if want("grouping") {
        let mut first = None;
        for &n in &sizes {
            let names = names(n);
            let input = decisions(&names);
            let t = time(runs, &(), |()| group(Step::Reminder, input.iter()).len());
            report("grouping", n, t, &mut first);
        }
    }
}
