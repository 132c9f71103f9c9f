//! `dun report --format html`: the page renders in headless Chromium without errors, and every
//! figure on it equals what `dun report --format json` (now and `--as-of` each month-end),
//! `dun stats --format json` and `dun forecast --format json` say.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

use crate::common::*;

const AS_OF: &str = "2026-06-30";

/// Two currencies, a year of history, a reminder and a collection, a name that needs escaping.
fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa & <Beta> AB\nB,Beta AB\nC,Gamma Oy\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,currency\n\
H1,A,2025-06-01,2025-07-01,400,SEK\n\
H2,B,2025-09-10,2025-10-10,1200,SEK\n\
H3,A,2025-12-01,2025-12-31,800,SEK\n\
H4,C,2026-01-15,2026-02-14,300,EUR\n\
HA1,A,2026-04-01,2026-05-01,100,SEK\n\
HA2,A,2026-04-10,2026-05-10,100,SEK\n\
HA3,A,2026-05-02,2026-06-01,100,SEK\n\
OA1,A,2026-05-31,2026-06-30,600,SEK\n\
OA3,A,2026-05-11,2026-06-10,1000,SEK\n\
OB1,B,2026-05-29,2026-06-28,900,SEK\n\
OC1,C,2026-06-10,2026-07-10,50,EUR\n",
    );
    l.write(
        "payments.csv",
        "date,invoice,amount,reference\n\
2025-07-20,H1,400,\n2025-11-30,H2,1200,\n2026-03-02,H4,300,\n2026-05-03,HA1,100,\n\
2026-05-15,HA2,100,\n2026-06-13,HA3,100,\n",
    );
    l.write(
        "journal.csv",
        "date,event,invoice,customer,amount,until,channel,ref,note\n\
2025-10-17,reminder,H2,B,0,2025-10-27,letter,,\n\
2025-11-07,collection,H2,B,1200,,,,\n\
2026-01-07,reminder,H3,A,0,2026-01-17,letter,,\n",
    );
    l
}

/// Every `data-figure="NAME" data-value="VALUE"` pair of a page.
fn figures(dom: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in dom.split("data-figure=\"").skip(1) {
        let Some((name, rest)) = part.split_once('"') else { continue };
        let Some(value) = rest.split("data-value=\"").nth(1).and_then(|v| v.split('"').next()) else {
            continue;
        };
        out.insert(name.replace("&amp;", "&"), value.to_owned());
    }
    out
}

fn json(l: &Ledger, args: &[&str]) -> Value {
    serde_json::from_str(&l.ok(args)).unwrap()
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Process::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Headless Chromium as root in a container: no sandbox, no GPU, no network, a new profile.
fn run_chromium(browser: &str, profile: &Path, args: &[&str], page: &Path) -> std::process::Output {
    Process::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

fn money_of(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_default()
}

#[test]
fn the_page_is_self_contained_escaped_and_refuses_other_commands() {
    let l = ledger();
    // `-o x.html` alone chooses the format.
    let page = l.file("report.html");
    l.ok(&["report", "-o", page.to_str().unwrap(), "--as-of", AS_OF]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html, l.ok(&["report", "--format", "html", "--as-of", AS_OF]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("url("),
        "nothing from the network"
    );
    assert!(html.contains("Alfa &amp; &lt;Beta&gt; AB"));
    assert!(!html.contains("<Beta>"));
    assert!(html.contains("@page { size: A4"));
    let err = l.fails(&["due", "--format", "html"], 1);
    assert!(err.contains("--format html is for `dun report`"), "{err}");
}

#[test]
fn chromium_renders_the_page_and_its_figures_equal_the_json_outputs() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium (.ci/run does)");
        eprintln!("chromium is not installed: the rendering test is skipped (apt-get install chromium)");
        return;
    };
    let l = ledger();
    let page = l.file("report.html");
    l.ok(&["report", "--format", "html", "-o", page.to_str().unwrap(), "--as-of", AS_OF]);
    let profile = tempfile::tempdir().unwrap();
    let dom = run_chromium(browser, profile.path(), &["--dump-dom"], &page);
    assert!(dom.status.success(), "chromium failed: {}", String::from_utf8_lossy(&dom.stderr));
    let stderr = String::from_utf8_lossy(&dom.stderr);
    assert!(!stderr.contains("CONSOLE"), "the page logged errors: {stderr}");
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(dom.contains("</html>") && dom.contains("Receivables"), "{dom}");
    let shot = l.file("page.png");
    let out = run_chromium(
        browser,
        profile.path(),
        &["--window-size=900,2400", &format!("--screenshot={}", shot.display())],
        &page,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata(&shot).unwrap().len() > 20_000, "a screenshot with something on it");

    let seen = figures(&dom);
    let mut checked = 0;
    let mut expect = |name: String, value: String| {
        assert_eq!(seen.get(&name), Some(&value), "{name}");
        checked += 1;
    };
    // Now: the key figures, the buckets and the largest debtors of `dun report`.
    let now = json(&l, &["report", "--format", "json", "--as-of", AS_OF]);
    let labels: Vec<String> =
        now["buckets"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_owned()).collect();
    for (cur, f) in now["key_figures"]["per_currency"].as_object().unwrap() {
        for key in ["open", "overdue", "accrued_interest", "disputed"] {
            expect(format!("{cur}.{key}"), money_of(&f[key]));
        }
        expect(format!("{cur}.dso_days"), f["dso_days"].as_str().unwrap_or("").to_owned());
        expect(format!("{cur}.avg_days_late_12m"), f["avg_days_late_12m"].as_str().unwrap_or("").to_owned());
    }
    for t in now["totals"].as_array().unwrap() {
        let cur = t["currency"].as_str().unwrap();
        for label in &labels {
            expect(format!("{cur}.bucket.{label}"), money_of(&t[label]));
        }
        expect(format!("{cur}.total"), money_of(&t["total"]));
    }
    for r in now["rows"].as_array().unwrap() {
        let (cur, id) = (r["currency"].as_str().unwrap(), r["customer"].as_str().unwrap());
        expect(format!("{cur}.debtor.{id}.total"), money_of(&r["total"]));
    }
    expect("credit_watch.count".into(), now["key_figures"]["credit_watch"]["count"].to_string());
    // Each month-end: `dun report --as-of` that day.
    let ends = [
        "2025-06-30",
        "2025-07-31",
        "2025-08-31",
        "2025-09-30",
        "2025-10-31",
        "2025-11-30",
        "2025-12-31",
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
    ];
    for end in ends {
        let then = json(&l, &["report", "--format", "json", "--as-of", end]);
        for t in then["totals"].as_array().unwrap() {
            let cur = t["currency"].as_str().unwrap();
            expect(format!("{cur}.month.{end}.total"), money_of(&t["total"]));
            for label in &labels {
                expect(format!("{cur}.month.{end}.bucket.{label}"), money_of(&t[label]));
            }
            let f = &then["key_figures"]["per_currency"][cur];
            expect(format!("{cur}.month.{end}.dso_days"), f["dso_days"].as_str().unwrap_or("").to_owned());
        }
    }
    // The ladder and the forecast.
    let stats = json(&l, &["stats", "--format", "json", "--as-of", AS_OF]);
    for s in stats["steps"].as_array().unwrap() {
        let step = s["step"].as_str().unwrap();
        for (side, g) in [("after", s), ("without", &s["without_step"])] {
            for key in ["invoices", "paid_within_7", "paid_within_14", "paid_within_30"] {
                expect(format!("stats.{step}.{side}.{key}"), g[key].to_string());
            }
            let median = if g["median_days_to_pay"].is_null() {
                String::new()
            } else {
                g["median_days_to_pay"].to_string()
            };
            expect(format!("stats.{step}.{side}.median_days_to_pay"), median);
        }
    }
    expect("stats.invoices_due_12m".into(), stats["shares"]["invoices_due_12m"].to_string());
    expect("stats.reminded_share_pct".into(), money_of(&stats["shares"]["reminder_share_pct"]));
    let cash = json(&l, &["forecast", "--weeks", "8", "--format", "json", "--as-of", AS_OF]);
    for w in cash["weeks"].as_array().unwrap() {
        let (cur, start) = (w["currency"].as_str().unwrap(), w["week_start"].as_str().unwrap());
        expect(format!("{cur}.week.{start}"), money_of(&w["expected"]));
    }
    for (cur, e) in cash["backtest"]["error"].as_object().unwrap() {
        expect(format!("{cur}.backtest.actual"), money_of(&e["actual"]));
        expect(format!("{cur}.backtest.wape_pct"), e["wape_pct"].as_str().unwrap_or("").to_owned());
    }
    assert!(checked > 100, "only {checked} figures compared");
    eprintln!("{checked} figures compared");
}
