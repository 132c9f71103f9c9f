//! `dun check`: data quality and the credit watch (SPEC §10). Exit status 1 when there are
//! errors, so that a cron job stops before anything is sent.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde_json::json;

use crate::cli::CheckArgs;
use crate::context::Context;
use crate::core::check::{check_ledger, check_ledger_streamed};
use crate::core::finding::{FileReading, Finding, Severity};
use crate::io::ledger_dir;
use crate::render::{Cell, Rows, Sheet, Table, Value, View, csv_out};

pub fn run(ctx: &Context, _args: &CheckArgs) -> Result<()> {
    let (ledger, streamed) = ledger_dir::load_ledger_for_check(&ctx.dir, ctx.as_of)?;
    let findings = match &streamed {
        Some(streamed) => check_ledger_streamed(&ledger, ctx.as_of, streamed),
        None => check_ledger(&ledger, ctx.as_of),
    };
    // The findings are all that is written out (with how the files were read, and the policy
    // for the output's settings): the ledger goes before the output is made.
    let crate::core::ledger::Ledger { policy, readings, .. } = ledger;
    if !ctx.quiet || ctx.output.is_some() {
        let rows = FindingRows::new(&findings);
        let view = View::new(format!("Findings as of {}", ctx.as_of), || {
            vec![
                Sheet::new("Findings", findings_table(&findings)),
                Sheet::new("Counts", counts_table(&findings)),
            ]
        })
        .text(|_| readings_text(&readings) + &text_report(&findings, ctx))
        .csv_to(|dialect, out| csv_out::write_rows(&rows, dialect, out))
        .json(|| Ok(serde_json::to_string_pretty(&json_report(&findings, &readings, ctx))? + "\n"));
        ctx.emit(view, Some(&policy))?;
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
pub fn findings_table(findings: &[Finding]) -> Table {
    let mut t = Table::new(FINDING_COLUMNS);
    for f in findings {
        t.push(finding_values(f).into_iter().map(Cell::from).collect());
    }
    t
}

/// The findings as [`Rows`], read where they are kept: [`findings_table`] without a cell
/// copied, for the CSV (a million-invoice ledger can have hundreds of thousands of findings).
struct FindingRows<'f> {
    findings: &'f [Finding],
    columns: Vec<String>,
}

impl<'f> FindingRows<'f> {
    fn new(findings: &'f [Finding]) -> FindingRows<'f> {
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

    fn each(&self, row: &mut dyn FnMut(&[Value<'_>])) {
        for f in self.findings {
            row(&finding_values(f));
        }
    }
}

/// A finding's row of the table.
fn finding_values(f: &Finding) -> [Value<'_>; 9] {
    fn opt(o: &Option<String>) -> Value<'_> {
        o.as_deref().map_or(Value::Empty, Value::Text)
    }
    [
        Value::Text(f.severity.name()),
        Value::Text(&f.file),
        Value::Count(f.line as i64),
        Value::Text(&f.field),
        Value::Text(f.code),
        Value::Text(&f.message),
        opt(&f.customer),
        opt(&f.invoice),
        f.hint.as_deref().map_or(Value::Empty, Value::Text),
    ]
}

/// How many findings of each kind: the key figures of a check.
fn counts_table(findings: &[Finding]) -> Table {
    let mut by_code: BTreeMap<(Severity, &str), i64> = BTreeMap::new();
    for f in findings {
        *by_code.entry((f.severity, f.code)).or_default() += 1;
    }
    let mut t = Table::new(["severity", "code", "findings"]);
    for ((severity, code), n) in by_code {
        t.push(vec![Cell::text(severity.name()), Cell::text(code), Cell::Count(n)]);
    }
    t
}

fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings.iter().filter(|f| f.is_error()).count();
    (errors, findings.len() - errors)
}

fn json_report(findings: &[Finding], readings: &[FileReading], ctx: &Context) -> serde_json::Value {
    let (errors, warnings) = counts(findings);
    json!({
        "as_of": ctx.as_of.to_string(),
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

/// For people: one finding a line, as compilers write them, with its hint below, then the
/// counts per kind.
fn text_report(findings: &[Finding], ctx: &Context) -> String {
    if findings.is_empty() {
        return "No findings.\n".to_owned();
    }
    let paint = |severity: Severity| {
        let name = severity.name();
        match (ctx.color, severity) {
            (false, _) => name.to_owned(),
            (true, Severity::Error) => format!("\u{1b}[1;31m{name}\u{1b}[0m"),
            (true, Severity::Warning) => format!("\u{1b}[1;33m{name}\u{1b}[0m"),
        }
    };
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!("{}:{}: {}[{}]: ", f.file, f.line, paint(f.severity), f.code));
        if !f.field.is_empty() {
            out.push_str(&format!("column \"{}\": ", f.field));
        }
        out.push_str(&f.message);
        out.push('\n');
        if let Some(hint) = &f.hint {
            out.push_str(&format!("    hint: {hint}\n"));
        }
    }
    let mut by_code: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    for f in findings {
        *by_code.entry((f.severity, f.code)).or_default() += 1;
    }
    let (errors, warnings) = counts(findings);
    out.push_str(&format!(
        "\n{}, {} as of {}:\n",
        plural(errors, "error"),
        plural(warnings, "warning"),
        ctx.as_of
    ));
    for ((severity, code), n) in by_code {
        out.push_str(&format!("  {n:>5}  {:<7}  {code}\n", severity.name()));
    }
    out
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
        for dialect in [csv_out::CsvDialect::Standard, csv_out::CsvDialect::Nordic] {
            let mut written = Vec::new();
            csv_out::write_rows(&FindingRows::new(&findings), dialect, &mut written).expect("written");
            let csv = String::from_utf8(written).expect("UTF-8");
            assert_eq!(csv, csv_out::render_in(&findings_table(&findings), dialect));
            assert!(csv.contains("'=K1") && csv.contains("'@nobody"), "{csv}");
        }
    }
}
