use crate::common::*;

const CUSTOMERS: &str = "id,name,country\nA1,Andersson Bygg AB,SE\nA2,Berit Holm,SE\nB1,Fjord & Fisk AS,NO\n";

/// Open amounts below were worked out by hand for as-of 2026-11-30:
/// 1001: 12 500 due 10-01 → 60 days → 31-60. 1002: 3 000 − 1 000 paid, due 11-14 → 16 days → 1-30.
/// 1003: 800 due 08-31 → 91 days → 91+. 1004: EUR 4 200 due 12-01 → not due.
const INVOICES: &str = "number,customer,issued,due,amount,paid,currency\n\
1001,A1,2026-09-01,2026-10-01,12500.00,0,SEK\n\
1002,A1,2026-10-15,2026-11-14,3000.00,1000.00,SEK\n\
1003,A2,2026-08-01,2026-08-31,800.00,0,SEK\n\
1004,B1,2026-11-01,2026-12-01,4200.00,0,EUR\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l
}

#[test]
fn csv_matches_the_hand_computed_aging() {
    let out = ledger().ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert_eq!(
        out,
        "customer,name,currency,not_due,1-30,31-60,61-90,91+,total\n\
A1,Andersson Bygg AB,SEK,0.00,2000.00,12500.00,0.00,0.00,14500.00\n\
A2,Berit Holm,SEK,0.00,0.00,0.00,0.00,800.00,800.00\n\
B1,Fjord & Fisk AS,EUR,4200.00,0.00,0.00,0.00,0.00,4200.00\n\
TOTAL,,EUR,4200.00,0.00,0.00,0.00,0.00,4200.00\n\
TOTAL,,SEK,0.00,2000.00,12500.00,0.00,800.00,15300.00\n"
    );
}

#[test]
fn global_options_work_after_and_before_the_subcommand() {
    let l = ledger();
    let after = l.ok(&["report", "--format", "csv", "--as-of", "30.11.2026"]);
    let mut cmd = assert_cmd::Command::cargo_bin("dun").unwrap();
    let before = cmd
        .args(["--dir", l.path().to_str().unwrap(), "--as-of", "2026-11-30", "--format", "csv", "report"])
        .output()
        .unwrap();
    assert_eq!(after, String::from_utf8(before.stdout).unwrap());
}

#[test]
fn dun_dir_comes_from_the_environment() {
    let l = ledger();
    let out = assert_cmd::Command::cargo_bin("dun")
        .unwrap()
        .args(["report", "--format", "csv", "--as-of", "2026-11-30"])
        .env("DUN_DIR", l.path())
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("A1,Andersson Bygg AB,SEK"));
}

#[test]
fn a_past_as_of_date_shows_what_was_open_that_day() {
    let l = ledger();
    // On 2026-10-10 invoice 1002 and 1004 did not exist; 1001 was 9 days overdue, 1003 40 days.
    let out = l.ok(&["report", "--format", "csv", "--as-of", "2026-10-10"]);
    assert_eq!(
        report_rows(&out),
        vec![
            vec!["A1", "Andersson Bygg AB", "SEK", "0.00", "12500.00", "0.00", "0.00", "0.00", "12500.00"],
            vec!["A2", "Berit Holm", "SEK", "0.00", "0.00", "800.00", "0.00", "0.00", "800.00"],
            vec!["TOTAL", "", "SEK", "0.00", "12500.00", "800.00", "0.00", "0.00", "13300.00"],
        ]
    );
}

#[test]
fn paid_on_payments_and_credit_notes_count_from_their_dates() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa AB\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,paid_on,credits\n\
1,A,2026-01-01,2026-01-31,1000,1000,2026-03-15,\n\
2,A,2026-01-01,2026-01-31,2000,0,,\n\
CN1,A,2026-02-20,2026-02-20,-500,0,,2\n\
3,A,2026-01-01,2026-01-31,300,0,,\n",
    );
    l.write("payments.csv", "date,invoice,amount\n2026-02-10,3,100\n2026-03-20,3,200\n");
    // As of 03-01: 1 is open (paid only on 03-15), 2 is 2000 − 500, 3 is 300 − 100; all 29 days late.
    let march = l.ok(&["report", "--format", "csv", "--as-of", "2026-03-01"]);
    assert_eq!(
        report_rows(&march)[0],
        vec!["A", "Alfa AB", "SEK", "0.00", "2700.00", "0.00", "0.00", "0.00", "2700.00"]
    );
    // As of 02-15: the credit note does not exist yet; the first payment does.
    let feb = l.ok(&["report", "--format", "csv", "--as-of", "2026-02-15"]);
    assert_eq!(report_rows(&feb)[0][8], "3200.00");
    // As of 04-01: 1 paid, 3 paid in full, 2 is 1500 and 60 days late (31 Jan + 60 = 1 Apr).
    let april = l.ok(&["report", "--format", "csv", "--as-of", "2026-04-01"]);
    assert_eq!(
        report_rows(&april)[0],
        vec!["A", "Alfa AB", "SEK", "0.00", "0.00", "1500.00", "0.00", "0.00", "1500.00"]
    );
}

#[test]
fn unapplied_credit_is_not_due_and_reduces_the_total() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa AB\n");
    l.write("invoices.csv", "number,customer,issued,due,amount\n1,A,2026-01-01,2026-01-31,1000\nCN,A,2026-01-05,2026-01-05,-250\n");
    let out = l.ok(&["report", "--format", "csv", "--as-of", "2026-03-01"]);
    assert_eq!(
        report_rows(&out)[0],
        vec!["A", "Alfa AB", "SEK", "-250.00", "1000.00", "0.00", "0.00", "0.00", "750.00"]
    );
}

#[test]
fn buckets_follow_the_policy() {
    let l = ledger();
    l.write("policy.toml", &format!("{POLICY_SE}[aging]\nbuckets = [15, 45]\n"));
    let out = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert!(out.starts_with("customer,name,currency,not_due,1-15,16-45,46+,total\n"), "{out}");
    assert!(out.contains("A1,Andersson Bygg AB,SEK,0.00,0.00,2000.00,12500.00,14500.00"), "{out}");
}

#[test]
fn json_carries_the_same_numbers_as_strings() {
    let out = ledger().ok(&["report", "--format", "json", "--as-of", "2026-11-30"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"][0]["customer"], "A1");
    assert_eq!(v["rows"][0]["31-60"], "12500.00");
    assert_eq!(v["totals"][1]["currency"], "SEK");
    assert_eq!(v["totals"][1]["total"], "15300.00");
    assert_eq!(v["key_figures"]["per_currency"]["SEK"]["overdue"], "15300.00");
}

#[test]
fn output_file_gets_its_format_from_the_extension() {
    let l = ledger();
    let target = l.file("aging.csv");
    l.ok(&["report", "--as-of", "2026-11-30", "-o", target.to_str().unwrap()]);
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with("customer,name,currency,"), "{text}");
}

#[test]
fn table_shows_totals_and_key_figures() {
    let out = ledger().ok(&["report", "--as-of", "2026-11-30"]);
    assert!(out.contains("Aging as of 2026-11-30"), "{out}");
    assert!(out.contains("15 300.00"), "{out}");
    assert!(out.contains("Key figures"), "{out}");
    assert!(!out.contains('\u{1b}'), "NO_COLOR must mean no escape codes");
}

#[test]
fn formulas_in_names_are_defused_in_csv() {
    let l = ledger();
    l.write("customers.csv", "id,name\nA1,=HYPERLINK(\"http://x\")\nA2,@SUM(1)\nB1,Fisk\n");
    let out = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert!(out.contains("A1,\"'=HYPERLINK(\"\"http://x\"\")\",SEK"), "{out}");
    assert!(out.contains("A2,'@SUM(1),SEK"), "{out}");
}

#[test]
fn credit_limit_breach_is_a_key_figure() {
    let l = ledger();
    l.write("customers.csv", "id,name,credit_limit\nA1,Andersson Bygg AB,10 000\nA2,Berit Holm,\nB1,Fisk,\n");
    let out = l.ok(&["report", "--format", "json", "--as-of", "2026-11-30"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let breaches = v["key_figures"]["credit_limit_breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0]["customer"], "A1");
    assert_eq!(breaches[0]["exposure"], "14500.00");
}

/// A1 owes 14 500,00 against its limit of 10 000,00. Its first invoice is of 2026-09-01: on
/// 2026-11-29 (89 days on) it is still a new customer above the check threshold of 1 000,00;
/// on 2026-11-30 (90 days) no longer. B1 is new too, but invoiced in EUR, and the policy's
/// threshold is in SEK.
#[test]
fn the_credit_watch_is_a_key_figure() {
    let l = ledger();
    l.write("customers.csv", "id,name,credit_limit\nA1,Andersson Bygg AB,10 000\nA2,Berit Holm,\nB1,Fisk,\n");
    l.write("policy.toml", &format!("{POLICY_SE}[credit]\nnew_customer_check_over = \"1000\"\n"));
    let out = l.ok(&["report", "--format", "json", "--as-of", "2026-11-29"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let watch = &v["key_figures"]["credit_watch"];
    assert_eq!(watch["count"], 1);
    assert_eq!(watch["customers"][0]["customer"], "A1");
    let reasons = watch["customers"][0]["reasons"].as_array().unwrap();
    let codes: Vec<&str> = reasons.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["over-credit-limit", "new-customer-check"]);
    assert_eq!((&reasons[0]["exposure"], &reasons[0]["limit"]), (&"14500.00".into(), &"10000.00".into()));
    assert_eq!(
        (&reasons[1]["first_invoice"], &reasons[1]["threshold"]),
        (&"2026-09-01".into(), &"1000.00".into())
    );
    let table = l.ok(&["report", "--as-of", "2026-11-30"]);
    assert!(
        table.contains(
            "Credit watch: 1 customer(s)\n  A1 Andersson Bygg AB: exposure 14 500.00 SEK is over the credit limit 10 000.00 SEK\n"
        ),
        "{table}"
    );
    assert!(!table.contains("new customer"), "{table}");
}

/// Counts are JSON numbers, money and days exact strings.
#[test]
fn the_paying_later_figures_are_typed() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa AB\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount,paid,paid_on\n\
1,A,2026-01-01,2026-01-31,1000,1000,2026-01-31\n\
2,A,2026-03-01,2026-03-31,1000,1000,2026-04-05\n\
3,A,2026-09-01,2026-09-30,1000,1000,2026-10-20\n\
4,A,2026-09-15,2026-10-15,1000,1000,2026-11-04\n",
    );
    let out = l.ok(&["report", "--format", "json", "--as-of", "2026-11-30"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let reason = &v["key_figures"]["credit_watch"]["customers"][0]["reasons"][0];
    assert_eq!(reason["code"], "late-payment-trend");
    assert_eq!(
        (&reason["avg_days_late_recent"], &reason["avg_days_late_prior"]),
        (&"20.0".into(), &"2.5".into())
    );
    assert_eq!((&reason["settled_recent"], &reason["threshold"]), (&2.into(), &10.into()));
}

#[test]
fn bad_usage_exits_2() {
    let l = ledger();
    l.fails(&["report", "--format", "nonsense"], 2);
    l.fails(&["report", "--as-of", "31.02.2026"], 2);
    l.fails(&["nosuchcommand"], 2);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let l = Ledger::new();
    let mut customers = String::from("id,name\n");
    let mut invoices = String::from("number,customer,issued,amount\n");
    for i in 0..5000 {
        customers.push_str(&format!("C{i},Kund {i}\n"));
        invoices.push_str(&format!("{i},C{i},2026-01-01,100\n"));
    }
    l.write("customers.csv", &customers).write("invoices.csv", &invoices);
    let dir = l.path().to_str().unwrap().to_owned();
    let bin = assert_cmd::cargo::cargo_bin("dun");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' report --format csv --dir '{dir}' | head -1 >/dev/null; exit ${{PIPESTATUS:-0}}",
            bin.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' report --format csv --dir '{dir}' | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}",
            bin.display()
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
}

/// The demo ledger's figures in examples/demo/EXPECTED.md were computed independently of
/// `dun` (a separate script, cross-checked with DuckDB) for two as-of dates.
#[test]
fn demo_ledger_matches_its_independent_figures() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let expected = std::fs::read_to_string(demo.join("EXPECTED.md")).unwrap();
    let blocks: Vec<&str> =
        expected.split("```csv\n").skip(1).map(|b| b.split("```").next().unwrap()).collect();
    assert_eq!(blocks.len(), 2);
    for (as_of, block) in [("2026-11-30", blocks[0]), ("2026-06-30", blocks[1])] {
        let out = assert_cmd::Command::cargo_bin("dun")
            .unwrap()
            .args(["report", "--format", "csv", "--as-of", as_of, "--dir"])
            .arg(&demo)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), block, "as of {as_of}");
    }
}

#[test]
fn color_is_on_only_when_asked_or_on_a_terminal() {
    let l = ledger();
    let plain = l.ok(&["report", "--as-of", "2026-11-30"]);
    assert!(!plain.contains('\u{1b}'), "not a terminal: no escape codes");
    let out = l.dun(&["report", "--as-of", "2026-11-30", "--color", "always"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'), "--color always");
}

#[test]
fn nothing_open_says_so() {
    let out = ledger().ok(&["report", "--as-of", "2026-01-01"]);
    assert!(out.contains("Nothing is open."), "{out}");
    let csv = ledger().ok(&["report", "--as-of", "2026-01-01", "--format", "csv"]);
    assert_eq!(csv, "customer,name,currency,not_due,1-30,31-60,61-90,91+,total\n");
}

/// More customers than a boxed table holds: the rows are written as they are laid out.
const LARGE: usize = 5_100;

fn large_ledger() -> Ledger {
    let l = Ledger::new();
    let mut customers = String::from("id,name,country,credit_limit\n");
    let mut invoices = String::from("number,customer,issued,due,amount,paid,currency\n");
    for i in 0..LARGE {
        // Quotes and a backslash in every name; every tenth customer has a limit of 100. The
        // invoices are old: no customer is new, on the watch for that.
        let limit = if i.is_multiple_of(10) { "100" } else { "" };
        customers.push_str(&format!("K{i:04},\"Kund \"\"{i}\"\" \\ AB\",SE,{limit}\n"));
        invoices.push_str(&format!("{},K{i:04},2026-01-01,2026-01-31,{}.00,0,SEK\n", 10_000 + i, i + 1));
    }
    l.write("customers.csv", &customers).write("invoices.csv", &invoices);
    l
}

/// `1234` as the table shows money: `1 234.00`.
fn grouped(whole: usize) -> String {
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    format!("{out}.00")
}

#[test]
fn a_large_register_reads_the_same_in_json_and_table_as_in_csv() {
    let l = large_ledger();
    let args = ["report", "--as-of", "2026-11-30"];
    let csv = l.ok(&[&args[..], &["--format", "csv"]].concat());
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let csv_rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(csv_rows.len(), LARGE + 1, "one row per customer and the total");

    let json: serde_json::Value =
        serde_json::from_str(&l.ok(&[&args[..], &["--format", "json"]].concat())).unwrap();
    let rows: Vec<&serde_json::Value> =
        json["rows"].as_array().unwrap().iter().chain(json["totals"].as_array().unwrap()).collect();
    assert_eq!(rows.len(), csv_rows.len());
    for (object, csv_row) in rows.iter().zip(&csv_rows) {
        let object = object.as_object().unwrap();
        assert_eq!(object.len(), header.len());
        for (column, value) in header.iter().zip(csv_row) {
            assert_eq!(object[column].as_str().unwrap(), value, "{column} of {csv_row:?}");
        }
    }
    assert_eq!(rows[7]["name"], "Kund \"7\" \\ AB", "quotes and backslash escaped and read back");
    let breaches = json["key_figures"]["credit_limit_breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 500, "K0100, K0110, ..., K5090: K0000 to K0090 owe 100.00 or less");
    assert_eq!(breaches[0]["customer"], "K0100");
    assert_eq!(breaches[0]["exposure"], "101.00");
    assert_eq!(breaches[499]["name"], "Kund \"5090\" \\ AB");
    assert_eq!(json["key_figures"]["credit_watch"]["customers"].as_array().unwrap().len(), 500);

    let table = l.ok(&args);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "Aging as of 2026-11-30");
    assert!(lines[1].starts_with("customer  name"), "{}", lines[1]);
    for (i, line) in lines[3..3 + LARGE].iter().enumerate() {
        assert!(line.starts_with(&format!("K{i:04}  ")), "{line}");
        assert!(line.contains(&format!("  Kund \"{i}\" \\ AB  ")), "{line}");
        assert!(line.ends_with(&format!(" {}", grouped(i + 1))), "{line}");
    }
    let total: usize = (1..=LARGE).sum();
    assert!(lines[3 + LARGE].starts_with("TOTAL") && lines[3 + LARGE].ends_with(&grouped(total)));
    assert!(
        table.contains("Credit watch: 500 customer(s)\n  K0100 Kund \"100\" \\ AB: exposure 101.00 SEK"),
        "{table}"
    );

    // To a file, the same bytes as to stdout; fitted to a width, the same rows.
    for (format, shown) in [("json", json.to_string()), ("table", table.clone())] {
        let file = l.path().join(format!("out.{format}"));
        l.ok(&[&args[..], &["--format", format, "-o", file.to_str().unwrap()]].concat());
        let written = std::fs::read_to_string(&file).unwrap();
        if format == "json" {
            assert_eq!(serde_json::from_str::<serde_json::Value>(&written).unwrap().to_string(), shown);
        } else {
            assert_eq!(written, shown);
        }
    }
    // Fitted to a width, the text is made whole (to wrap it): the same lines, within the width.
    let fitted = String::from_utf8(l.dun(&args).env("DUN_COLUMNS", "90").output().unwrap().stdout).unwrap();
    assert_eq!(fitted.lines().count(), lines.len());
    assert!(fitted.lines().all(|line| line.chars().count() <= 90), "wider than 90");
    assert!(fitted.lines().nth(3 + 5_000).is_some_and(|line| line.starts_with("K5000  Kund \"5000\" \\ AB")));
}

#[test]
fn a_large_plan_reads_the_same_in_json_as_in_csv() {
    // 5,100 invoices due on 2026-01-31 and never reminded: those of 50.00 or more are due for
    // their first reminder, the smaller wait (reminder.min_amount 50), saying so.
    let l = large_ledger();
    let args = ["due", "--all", "--as-of", "2026-11-30"];
    let csv = l.ok(&[&args[..], &["--format", "csv"]].concat());
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let csv_rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(csv_rows.len(), LARGE);

    let text = l.ok(&[&args[..], &["--format", "json"]].concat());
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), LARGE);
    for (object, csv_row) in rows.iter().zip(&csv_rows) {
        let object = object.as_object().unwrap();
        assert_eq!(object.len(), header.len());
        for (column, value) in header.iter().zip(csv_row) {
            // A count is a number, nothing is null; everything else the CSV's text.
            let read = match &object[column] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::Number(n) => n.to_string(),
                v => v.as_str().unwrap().to_owned(),
            };
            assert_eq!(&read, value, "{column} of {csv_row:?}");
        }
    }
    assert_eq!(rows[7]["name"], "Kund \"7\" \\ AB", "quotes and backslash escaped and read back");
    assert_eq!(rows[7]["action"], "waiting");
    assert_eq!(rows[7]["detail"], "open 8.00 is below reminder.min_amount 50: not chased");
    assert_eq!(rows[7]["pay_by"], serde_json::Value::Null);
    let k100 = &rows[100];
    assert_eq!(
        (&k100["action"], &k100["invoice"], &k100["open"]),
        (&"reminder".into(), &"10100".into(), &"101.00".into())
    );
    assert_eq!(k100["days_overdue"], 303, "2026-01-31 to 2026-11-30");
    assert_eq!((&k100["step"], &k100["detail"]), (&1.into(), &"".into()));
    // Written to a file as it is made, the same text.
    let file = l.file("plan.json");
    l.ok(&[&args[..], &["-o", file.to_str().unwrap()]].concat());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}
