//! `dun check`: data quality and the credit watch (SPEC §10). Exit status 1 when there are
//! errors, so that a cron job stops before anything is sent.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde_json::json;

use crate::cli::CheckArgs;
use crate::context::Context;
use crate::core::check::check_ledger_kept;
use crate::core::finding::{FileReading, Finding, FindingRef, Findings, Severity};
use crate::io::ledger_dir;
use crate::render::blocks::in_blocks;
use crate::render::escape::push_json_string;
use crate::render::{Cell, Rows, Sheet, Sink, Table, Value, View, csv_out};

pub fn run(ctx: &Context, _args: &CheckArgs) -> Result<()> {
    // The process ends with the command: freeing the ledger's invoices and customers and the
    // scan's tallies piece by piece took a tenth of a second of a million-invoice run, after
    // the output, for nothing.
    let loaded = std::mem::ManuallyDrop::new(ledger_dir::load_ledger_for_check(&ctx.dir, ctx.as_of)?);
    let (ledger, streamed) = &*loaded;
    let findings = check_ledger_kept(ledger, ctx.as_of, streamed.as_ref());
    // The findings are all that is written out, with how the files were read, and the policy
    // for the output's settings.
    let crate::core::ledger::Ledger { policy, readings, .. } = ledger;
    if !ctx.quiet || ctx.output.is_some() {
        let rows = FindingRows::new(&findings);
        let view = View::new(format!("Findings as of {}", ctx.as_of), || {
            vec![
                Sheet::new("Findings", findings_table(&findings)),
                Sheet::new("Counts", counts_table(&findings)),
            ]
        })
        .text_to(|_, out| write_text(&findings, readings, (ctx.as_of, ctx.color), out))
        .csv_to(|dialect, out| csv_out::write_rows(&rows, dialect, out))
        .json_to(|out| write_json(&findings, readings, ctx.as_of, out));
        ctx.emit(view, Some(policy))?;
    }
    let errors = findings.iter().filter(|f| f.is_error()).count();
    if errors > 0 {
        bail!(
            "{errors} error{} in the ledger: fix {} before anything is sent",
            if errors == 1 { "" } else { "s" },
            if errors == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}

const FINDING_COLUMNS: [&str; 9] =
    ["severity", "file", "line", "field", "code", "message", "customer", "invoice", "hint"];

/// The CSV columns: `severity,file,line,field,code,message`, then what the finding concerns
/// and the hint.
pub fn findings_table(findings: &Findings) -> Table {
    let mut t = Table::new(FINDING_COLUMNS);
    for f in findings.iter() {
        let (message, hint) = (f.message.to_text(), f.hint.map(|hint| hint.to_text()));
        t.push(finding_values(&f, &message, hint.as_deref()).into_iter().map(Cell::from).collect());
    }
    t
}

/// The findings as [`Rows`], read where they are kept: [`findings_table`] without a cell
/// copied, for the CSV (a million-invoice ledger can have hundreds of thousands of findings).
struct FindingRows<'f> {
    findings: &'f Findings,
    columns: Vec<String>,
}

impl<'f> FindingRows<'f> {
    fn new(findings: &'f Findings) -> FindingRows<'f> {
        FindingRows { findings, columns: FINDING_COLUMNS.map(str::to_owned).to_vec() }
    }
}

impl Rows for FindingRows<'_> {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.findings.len()
    }

    fn each_in(&self, range: std::ops::Range<usize>, row: &mut dyn FnMut(&[Value<'_>])) {
        // A made text is written out into one of these, a row at a time.
        let (mut message, mut hint) = (String::new(), String::new());
        for f in self.findings.range(range) {
            let message = f.message.read_with(&mut message);
            let hint = f.hint.map(|h| h.read_with(&mut hint));
            row(&finding_values(&f, message, hint));
        }
    }
}

/// A finding's row of the table, with its message and hint as they read.
fn finding_values<'a>(f: &FindingRef<'a>, message: &'a str, hint: Option<&'a str>) -> [Value<'a>; 9] {
    fn opt(o: Option<&str>) -> Value<'_> {
        o.map_or(Value::Empty, Value::Text)
    }
    [
        Value::Text(f.severity.name()),
        Value::Text(f.file),
        Value::Count(f.line as i64),
        Value::Text(f.field),
        Value::Text(f.code),
        Value::Text(message),
        opt(f.customer),
        opt(f.invoice),
        opt(hint),
    ]
}

/// How many findings of each kind: the key figures of a check.
fn counts_table(findings: &Findings) -> Table {
    let mut by_code: BTreeMap<(Severity, &str), i64> = BTreeMap::new();
    for f in findings.iter() {
        *by_code.entry((f.severity, f.code)).or_default() += 1;
    }
    let mut t = Table::new(["severity", "code", "findings"]);
    for ((severity, code), n) in by_code {
        t.push(vec![Cell::text(severity.name()), Cell::text(code), Cell::Count(n)]);
    }
    t
}

fn counts(findings: &Findings) -> (usize, usize) {
    let errors = findings.iter().filter(|f| f.is_error()).count();
    (errors, findings.len() - errors)
}

/// The report as JSON values, its `counts` of errors and warnings those of all findings.
fn json_report(
    (errors, warnings): (usize, usize),
    findings: &[Finding],
    readings: &[FileReading],
    as_of: chrono::NaiveDate,
) -> serde_json::Value {
    json!({
        "as_of": as_of.to_string(),
        "errors": errors,
        "warnings": warnings,
        "findings": findings,
        "files": readings,
    })
}

/// How each file was read, where a preset or the policy's mapping decided it.
fn readings_text(readings: &[FileReading]) -> String {
    let mut out = String::new();
    for r in readings {
        out.push_str(&format!("{r}\n"));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// For people: how the files were read, one finding a line, as compilers write them, with its
/// hint below, then the counts per kind; written as it is made.
fn write_text(
    findings: &Findings,
    readings: &[FileReading],
    (as_of, color): (chrono::NaiveDate, bool),
    to: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use std::fmt::Write;
    let mut out = Sink::to(to);
    out.text.push_str(&readings_text(readings));
    if findings.is_empty() {
        out.text.push_str("No findings.\n");
        return out.finish().map(drop);
    }
    let paint = |severity: Severity| {
        let name = severity.name();
        match (color, severity) {
            (false, _) => std::borrow::Cow::Borrowed(name),
            (true, Severity::Error) => format!("\u{1b}[1;31m{name}\u{1b}[0m").into(),
            (true, Severity::Warning) => format!("\u{1b}[1;33m{name}\u{1b}[0m").into(),
        }
    };
    // A block of findings at a time on every core.
    let block = |range: std::ops::Range<usize>, text: &mut String| {
        for f in findings.range(range) {
            let _ = write!(text, "{}:{}: {}[{}]: ", f.file, f.line, paint(f.severity), f.code);
            if !f.field.is_empty() {
                let _ = write!(text, "column \"{}\": ", f.field);
            }
            f.message.write_to(text);
            text.push('\n');
            if let Some(hint) = &f.hint {
                let _ = writeln!(text, "    hint: {hint}");
            }
        }
    };
    in_blocks(findings.len(), &block, &mut |block| {
        out.text.push_str(block);
        out.row_done();
    });
    let mut by_code: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    for f in findings.iter() {
        *by_code.entry((f.severity, f.code)).or_default() += 1;
    }
    let (errors, warnings) = counts(findings);
    let _ =
        write!(out.text, "\n{}, {} as of {}:\n", plural(errors, "error"), plural(warnings, "warning"), as_of);
    for ((severity, code), n) in by_code {
        let _ = writeln!(out.text, "  {n:>5}  {:<7}  {code}", severity.name());
    }
    out.finish().map(drop)
}

/// Where the report's pretty JSON has its list of findings, written item by item.
const FINDINGS_EMPTY: &str = "\"findings\": []";

/// The report as `serde_json` pretty-prints [`json_report`], written as it is made: the
/// findings (a hundred thousand on a large ledger) a block at a time on every core, never a
/// tree of them all.
fn write_json(
    findings: &Findings,
    readings: &[FileReading],
    as_of: chrono::NaiveDate,
    to: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let skeleton = serde_json::to_string_pretty(&json_report(counts(findings), &[], readings, as_of))?;
    // The last: only numbers follow the findings, and in a string a quote is escaped.
    let (before, after) = skeleton
        .rsplit_once(FINDINGS_EMPTY)
        .ok_or_else(|| std::io::Error::other("the report lost its findings"))?;
    let mut out = Sink::to(to);
    out.text.push_str(before);
    out.text.push_str("\"findings\": ");
    let block = |range: std::ops::Range<usize>, text: &mut String| {
        let mut scratch = (String::new(), String::new());
        for at in range {
            text.push_str(if at == 0 { "[\n    {" } else { ",\n    {" });
            push_finding_json(text, findings.get(at), &mut scratch);
        }
    };
    in_blocks(findings.len(), &block, &mut |block| {
        out.text.push_str(block);
        out.row_done();
    });
    out.text.push_str(if findings.is_empty() { "[]" } else { "\n  ]" });
    out.text.push_str(after);
    out.text.push('\n');
    out.finish().map(drop)
}

/// A finding's members as `serde_json` pretty-prints its value in the report's list (keys
/// sorted, as its map sorts them; a member with nothing in it left out), and the closing brace.
/// (`scratch` holds a made message and hint while they are written.)
fn push_finding_json(text: &mut String, f: FindingRef<'_>, (message, hint): &mut (String, String)) {
    let (message, hint) = (f.message.read_with(message), f.hint.map(|h| h.read_with(hint)));
    let mut member = |key: &str, value: Option<&str>| {
        let Some(value) = value else { return };
        text.push_str("\n      \"");
        text.push_str(key);
        text.push_str("\": ");
        push_json_string(text, value);
        text.push(',');
    };
    member("code", Some(f.code));
    member("customer", f.customer);
    member("field", Some(f.field));
    member("file", Some(f.file));
    member("hint", hint);
    member("invoice", f.invoice);
    text.push_str("\n      \"line\": ");
    text.push_str(itoa::Buffer::new().format(f.line));
    text.push_str(",\n      \"message\": ");
    push_json_string(text, message);
    text.push_str(",\n      \"severity\": \"");
    text.push_str(f.severity.name());
    text.push_str("\"\n    }");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_written_as_csv_are_the_tables() {
        let findings = vec![
            Finding::error(
                "invoices.csv",
                7,
                "number",
                "duplicate-invoice",
                "appears \"again\", twice".into(),
            )
            .customer("=K1")
            .invoice("-100")
            .hint("fix it;\nnow"),
            Finding::warning("customers.csv", 3, "", "bad-email", "@nobody".into()),
            Finding::warning("policy.toml", 0, "company.email", "x", String::new()).hint("+46"),
        ];
        let findings = Findings::in_order(findings);
        for dialect in [csv_out::CsvDialect::Standard, csv_out::CsvDialect::Nordic] {
            let mut written = Vec::new();
            csv_out::write_rows(&FindingRows::new(&findings), dialect, &mut written).expect("written");
            let csv = String::from_utf8(written).expect("UTF-8");
            assert_eq!(csv, csv_out::render_in(&findings_table(&findings), dialect));
            assert!(csv.contains("'=K1") && csv.contains("'@nobody"), "{csv}");
        }
    }

    /// Written finding by finding, the very text `serde_json` pretty-prints of the report's
    /// JSON values, with files read by a preset, text to escape, no findings, and more findings
    /// than one piece holds.
    #[test]
    fn the_json_written_as_it_is_made_is_serde_jsons() {
        let readings = vec![FileReading {
            file: "invoices.csv".into(),
            preset: Some("fortnox-invoices".into()),
            how: "read as \"findings\": [] (preset)".into(),
        }];
        // Every third with an invoice, every fifth without a customer, every seventh without
        // a hint: each member that may be left out is, somewhere.
        let finding = |n: usize| {
            let mut f = Finding::warning(
                "customers.csv",
                n as u64,
                "email",
                "bad-email",
                format!("\"{n}\"\n\u{1}\\"),
            );
            if !n.is_multiple_of(5) {
                f = f.customer(format!("K{n}\t"));
            }
            if !n.is_multiple_of(7) {
                f = f.hint("fix \"it\"");
            }
            if n.is_multiple_of(3) {
                f = f.invoice(format!("F-{n}"));
            }
            if n.is_multiple_of(2) { Finding { severity: Severity::Error, ..f } } else { f }
        };
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        for (findings, readings) in [
            (vec![], vec![]),
            (vec![], readings.clone()),
            (vec![Finding::error("invoices.csv", 2, "", "x", String::new())], vec![]),
            ((0..2_000).map(finding).collect(), readings.clone()),
        ] {
            let mut written = Vec::new();
            let findings = Findings::in_order(findings);
            write_json(&findings, &readings, as_of, &mut written).expect("written");
            let whole = serde_json::to_string_pretty(&json_report(
                counts(&findings),
                &findings.to_vec(),
                &readings,
                as_of,
            ))
            .expect("JSON")
                + "\n";
            assert_eq!(String::from_utf8(written).expect("UTF-8"), whole);
        }
    }

    /// More findings than a block holds, made on several threads: each in its place.
    #[test]
    fn the_text_of_many_findings_keeps_their_order() {
        let findings: Vec<Finding> = (1..=3_000)
            .map(|n| Finding::warning("customers.csv", n, "", "bad-email", format!("@{n}")).hint("fix"))
            .collect();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut written = Vec::new();
        write_text(&Findings::in_order(findings), &[], (as_of, false), &mut written).expect("written");
        let text = String::from_utf8(written).expect("UTF-8");
        let expected: String = (1..=3_000)
            .map(|n| format!("customers.csv:{n}: warning[bad-email]: @{n}\n    hint: fix\n"))
            .chain(["\n0 errors, 3000 warnings as of 2026-11-30:\n   3000  warning  bad-email\n".to_string()])
            .collect();
        assert_eq!(text, expected);
    }

    #[test]
    fn the_text_lists_each_finding_with_its_hint_then_the_counts() {
        let findings = vec![
            Finding::error("invoices.csv", 7, "number", "duplicate-invoice", "twice".into()).hint("fix it"),
            Finding::warning("customers.csv", 3, "", "bad-email", "@nobody".into()),
            Finding::warning("customers.csv", 4, "", "bad-email", "@none".into()),
        ];
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut written = Vec::new();
        write_text(&Findings::in_order(findings), &[], (as_of, false), &mut written).expect("written");
        assert_eq!(
            String::from_utf8(written).expect("UTF-8"),
            "invoices.csv:7: error[duplicate-invoice]: column \"number\": twice\n    hint: fix it\n\
             customers.csv:3: warning[bad-email]: @nobody\n\
             customers.csv:4: warning[bad-email]: @none\n\
             \n1 error, 2 warnings as of 2026-11-30:\n      1  error    duplicate-invoice\n      2  warning  bad-email\n"
        );
        let mut written = Vec::new();
        write_text(&Findings::default(), &[], (as_of, true), &mut written).expect("written");
        assert_eq!(written, b"No findings.\n");
    }
}
