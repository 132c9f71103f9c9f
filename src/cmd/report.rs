//! `dun report`: the aging report with key figures (SPEC §4).

use anyhow::Result;
use serde_json::json;

use crate::cli::ReportArgs;
use crate::context::Context;
use crate::core::aging::{AgingInput, AgingReport, AgingRow, FlowFigures, InterestBasis, Who, aging};
use crate::core::credit::{CreditBook, Figure, WatchReason, watch_list_on_cores};
use crate::core::insight::discount::DiscountBook;
use crate::core::insight::effectiveness::effectiveness;
use crate::core::insight::forecast::{backtest, forecast};
use crate::core::ledger::{CustomerIndex, OpenBook, PaymentDates, PaymentIndex};
use crate::core::model::Currency;
use crate::core::money::format_money;
use crate::io::ledger_dir;
use crate::render::csv_out::{self, CsvDialect};
use crate::render::escape::push_json_string;
use crate::render::{Cell, Format, Rows, Sheet, Sink, Table, Value, View, html, text};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::io::Write;

pub fn run(ctx: &Context, _args: &ReportArgs) -> Result<()> {
    if ctx.format == Format::Html {
        return html_report(ctx);
    }
    // The CSV carries the aging rows only; the key figures (credit watch, interest, DSO) are
    // worked out for the table and JSON, which show them.
    let report = compute(ctx, ctx.format != Format::Csv)?;
    if ctx.format == Format::Csv {
        // The CSV has the rows only: a carried rate is said on stderr, even with -q.
        for note in &report.figures.notes {
            eprintln!("dun: warning: {note}");
        }
    }
    // Read again for its [output] settings: small, and compute keeps its own.
    let policy = ledger_dir::load_policy(&ctx.dir)?;
    let sheets = || {
        vec![
            Sheet::new("Aging", rows_table(&report)),
            Sheet::new("Key figures", key_figures_table(&report)),
            Sheet::new("Shares", shares_table(&report)),
            Sheet::new("Credit watch", credit_watch_table(&report)),
        ]
    };
    let view = View::new(format!("Aging as of {}", report.as_of), sheets)
        .text_to(|color, out| write_table(&report, color, out))
        .json_to(|out| write_json(&report, out))
        .csv(|dialect| csv_report(&report, dialect))
        .csv_to(|dialect, out| csv_out::write_rows(&AgingRows::new(&report), dialect, out));
    ctx.emit(view, Some(&policy))?;
    // A million customers' rows and register took a tenth of a second to free after the
    // output was written.
    crate::core::drop_beside(report);
    Ok(())
}

/// Month-ends shown in the picture, besides the as-of date.
pub const PICTURE_MONTHS: u32 = 12;
/// Weeks of cash forecast in the picture.
pub const PICTURE_WEEKS: u32 = 8;
/// Largest debtors listed per currency.
pub const PICTURE_TOP: usize = 10;

/// The last `n` month-ends before the as-of date's month, oldest first.
pub fn month_ends(as_of: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let first = as_of.with_day(1).unwrap_or(as_of);
    let mut ends: Vec<NaiveDate> = (1..=n)
        .filter_map(|k| first.checked_sub_months(Months::new(k - 1)).and_then(|d| d.pred_opt()))
        .collect();
    ends.reverse();
    ends
}

/// `dun report --format html`: the monthly picture. Each month-end is the report as of that day
/// (the same computation as `dun report --as-of`), so the page agrees with every other output.
fn html_report(ctx: &Context) -> Result<()> {
    let now = compute(ctx, true)?;
    let mut months = Vec::with_capacity(PICTURE_MONTHS as usize);
    for end in month_ends(ctx.as_of, PICTURE_MONTHS) {
        let then = Context { as_of: end, ..ctx.clone() };
        let mut report = compute(&then, true)?;
        // Only the totals and key figures are drawn for past months.
        report.rows = Vec::new();
        months.push(report);
    }
    let ledger = ledger_dir::load_ledger(&ctx.dir)?;
    let stats = effectiveness(&ledger, ctx.as_of);
    let cash = forecast(&ledger, ctx.as_of, PICTURE_WEEKS)?;
    let test = backtest(&ledger, ctx.as_of, PICTURE_WEEKS)?;
    let page = html::render(&html::Picture {
        company: &ledger.policy.company_name,
        now: &now,
        months: &months,
        stats: &stats,
        forecast: &cash,
        backtest: &test,
        top: PICTURE_TOP,
    });
    crate::io::output::emit(ctx.output.as_deref(), &page)
}

/// Loads the ledger and computes the report for the context's as-of date; the key figures
/// only when `figures` (they cost a customer lookup and per-customer sums on every invoice).
pub fn compute(ctx: &Context, figures: bool) -> Result<AgingReport> {
    let policy = ledger_dir::load_policy(&ctx.dir)?;
    let customers = crate::io::csv_in::read_customers_as(
        &ctx.path(ledger_dir::CUSTOMERS),
        ledger_dir::CUSTOMERS,
        &policy,
        |row| row.to_brief(&policy),
    )?;
    let payments = ledger_dir::load_payments(&ctx.dir, &policy)?;
    let index = CustomerIndex::new(&customers, &policy);
    let paid = PaymentIndex::new(&payments, ctx.as_of);
    let paid_when = PaymentDates::new(&payments, ctx.as_of);
    let as_of = ctx.as_of;
    let states = ledger_dir::scan_invoices(
        &ctx.dir,
        &policy,
        &index,
        || (OpenBook::new(as_of), FlowFigures::default(), CreditBook::new(as_of), DiscountBook::default()),
        |(book, flow, credit, discounts), record| {
            if !figures {
                book.push(record, &index, &paid);
                return;
            }
            let owner = index.get(record.customer);
            book.push_for(record, || owner, &paid);
            flow.push(record, as_of);
            credit.push_for(record, owner, &paid_when);
            if record.discount.is_some() {
                discounts.push(record, as_of, &paid);
            }
        },
    )?;
    let mut books = Vec::with_capacity(states.len());
    let mut flow = FlowFigures::default();
    let mut credits = Vec::with_capacity(states.len());
    let mut discounts = DiscountBook::default();
    for (b, f, c, d) in states {
        books.push(b);
        flow.merge(f);
        credits.push(c);
        discounts.merge(d);
    }
    let credit = CreditBook::merge_all(credits, as_of);
    let mut book = OpenBook::merge_all(books, as_of);
    book.apply_credits();
    // Only the key figures read the journal (reminders and collections in the year, disputed
    // amounts): the aging rows alone, the CSV, need none of it.
    let journal =
        if figures { crate::io::journal_file::load_facts(&ctx.dir, as_of)? } else { Default::default() };
    // Each debtor's own law and its segment's interest settings, as `dun due` computes them.
    let basis = if figures { InterestBasis::new(&policy, &customers, as_of) } else { None };
    let input = AgingInput { customers, bounds: &policy.buckets, flow, journal, interest: basis.as_ref() };
    let mut report = aging(&mut book, input, policy.bucket_labels())?;
    drop(book);
    if let Some(note) = basis.as_ref().and_then(InterestBasis::carried_note) {
        report.figures.notes.push(note);
    }
    if !figures {
        return Ok(report);
    }
    for (currency, f) in report.figures.per_currency.iter_mut() {
        f.overdue_pct = f.overdue_share(*currency)?;
    }
    // Exposure per customer and currency is what the aging rows total.
    let mut exposure: Vec<(u32, Currency, Decimal)> = report
        .rows
        .iter()
        .filter_map(|r| match r.who {
            Who::Customer(i) => Some((i, r.currency, r.total)),
            _ => None,
        })
        .collect();
    exposure.sort_unstable_by_key(|e| (e.0, e.1));
    let owed = |i: u32, c: Currency| {
        exposure.binary_search_by_key(&(i, c), |e| (e.0, e.1)).map_or(Decimal::ZERO, |at| exposure[at].2)
    };
    let settled = credit.settle();
    let watch = watch_list_on_cores(&report.customers, &policy, owed, |i| settled.behaviour(i), as_of);
    report.figures.credit_watch = watch;
    report.figures.discounts = discounts.figures()?;
    Ok(report)
}

/// SPEC §4's CSV, written straight from the report's rows: this is what accountants' scripts
/// read for many clients, and a register of a hundred thousand customers makes it big.
fn csv_report(report: &AgingReport, dialect: CsvDialect) -> String {
    csv_out::rows_csv(&AgingRows::new(report), dialect)
}

fn columns(report: &AgingReport) -> Vec<String> {
    let mut columns = vec!["customer".to_owned(), "name".to_owned(), "currency".to_owned()];
    columns.extend(report.labels.iter().cloned());
    columns.push("total".to_owned());
    columns
}

/// The rows of SPEC §4's CSV: one per customer and currency, then `TOTAL` per currency.
pub fn rows_table(report: &AgingReport) -> Table {
    let rows = AgingRows::new(report);
    let mut table = Table::new(rows.columns.clone());
    rows.each(&mut |values| table.push(values.iter().map(|v| Cell::from(*v)).collect()));
    table
}

fn key_figures_table(report: &AgingReport) -> Table {
    let mut t = Table::new([
        "currency",
        "open",
        "overdue",
        "overdue %",
        "DSO days",
        "avg days late 12m",
        "disputed",
        "credits",
        "interest accrued",
    ])
    .droppable(["credits", "disputed", "interest accrued", "avg days late 12m", "DSO days"]);
    for (currency, f) in &report.figures.per_currency {
        let pct = f.overdue_pct;
        t.push(vec![
            Cell::text(currency.as_str()),
            Cell::Money(f.open),
            Cell::Money(f.overdue),
            pct.map_or(Cell::Empty, Cell::Number),
            f.dso.map_or(Cell::Empty, Cell::Number),
            f.avg_days_late.map_or(Cell::Empty, Cell::Number),
            Cell::Money(f.disputed),
            Cell::Money(f.credit),
            Cell::Money(f.accrued_interest),
        ]);
    }
    t
}

/// The ladder's shares over the last 12 months, for a workbook.
fn shares_table(report: &AgingReport) -> Table {
    let f = &report.figures;
    let mut t = Table::new(["figure", "value"]);
    t.push(vec![Cell::text("invoices due in the last 12 months"), Cell::Count(f.invoices_due_12m as i64)]);
    t.push(vec![Cell::text("reminded %"), f.reminder_share().map_or(Cell::Empty, Cell::Number)]);
    t.push(vec![Cell::text("sent to collection %"), f.collection_share().map_or(Cell::Empty, Cell::Number)]);
    t
}

/// One row per reason a customer is on the credit watch.
fn credit_watch_table(report: &AgingReport) -> Table {
    let mut t = Table::new(["customer", "name", "code", "reason"]);
    for w in &report.figures.credit_watch {
        for r in &w.reasons {
            t.push(vec![
                Cell::text(&w.customer),
                Cell::text(&w.name),
                Cell::text(r.code()),
                Cell::text(r.describe()),
            ]);
        }
    }
    t
}

/// The aging rows as [`Rows`], read where the report keeps them: the one place that says
/// what a row of SPEC §4's CSV holds, for the CSV, the table and [`rows_table`] (a workbook).
struct AgingRows<'r> {
    report: &'r AgingReport,
    columns: Vec<String>,
}

impl<'r> AgingRows<'r> {
    fn new(report: &'r AgingReport) -> AgingRows<'r> {
        AgingRows { report, columns: columns(report) }
    }
}

impl Rows for AgingRows<'_> {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn len(&self) -> usize {
        self.report.rows.len() + self.report.totals.len()
    }

    fn each_in(&self, range: std::ops::Range<usize>, each: &mut dyn FnMut(&[Value<'_>])) {
        let report = self.report;
        let mut values = Vec::with_capacity(self.columns.len());
        for row in report.rows.iter().chain(&report.totals).skip(range.start).take(range.len()) {
            values.clear();
            values.extend([report.id(row), report.name(row), row.currency.as_str()].map(Value::Text));
            values.extend(row.buckets.iter().chain(std::iter::once(&row.total)).map(|m| Value::Money(*m)));
            each(&values);
        }
    }
}

/// The report for people: the rows (a register of a hundred thousand customers is written
/// as it is laid out, never held as a table), the key figures and the credit watch.
fn write_table(report: &AgingReport, color: bool, to: &mut dyn Write) -> std::io::Result<()> {
    to.write_all(format!("Aging as of {}\n", report.as_of).as_bytes())?;
    if report.rows.is_empty() {
        return to.write_all(b"Nothing is open.\n");
    }
    let rows = AgingRows::new(report);
    if rows.len() > text::BOXED_ROWS_MAX {
        text::write_large(&rows, color, to)?;
    } else {
        to.write_all(text::render(&rows_table(report), color).as_bytes())?;
    }
    let mut out = Sink::to(to);
    out.text.push_str("\n\nKey figures\n");
    out.text.push_str(&text::render(&key_figures_table(report), color));
    out.text.push('\n');
    let f = &report.figures;
    let pct = |p: Option<rust_decimal::Decimal>| p.map_or("-".to_owned(), |p| format!("{p} %"));
    out.text.push_str(&format!(
        "Invoices due in the last 12 months: {}; reminded: {}; sent to collection: {} (healthy: about 20 % and 5 %)\n",
        f.invoices_due_12m,
        pct(f.reminder_share()),
        pct(f.collection_share())
    ));
    for (currency, d) in &f.discounts {
        out.text.push_str(&format!(
            "Early-payment discounts taken in 12 months ({currency}): {} invoice(s), {} off {} invoiced ({}), a yearly rate of {}\n",
            d.taken,
            crate::core::money::format_money_grouped(d.cost),
            crate::core::money::format_money_grouped(d.invoiced),
            pct(d.cost_pct()),
            pct(d.annual_rate_pct()),
        ));
    }
    for note in &f.notes {
        out.text.push_str(&format!("Note: {note}\n"));
    }
    if f.credit_watch.is_empty() {
        out.text.push_str(
            "Credit watch: no customer over its limit, new above the check threshold, or paying later\n",
        );
    } else {
        out.text.push_str(&format!("Credit watch: {} customer(s)\n", f.credit_watch.len()));
        for w in &f.credit_watch {
            for r in &w.reasons {
                let _ = writeln!(out.text, "  {} {}: {}", w.customer, w.name, r.describe());
            }
            out.row_done();
        }
    }
    out.finish().map(drop)
}

/// Where the key figures' pretty JSON has its two long lists, written item by item.
const BREACHES_EMPTY: &str = "\"credit_limit_breaches\": []";
const WATCH_EMPTY: &str = "\"customers\": []";

/// The report as JSON, written as it is made: a register of a hundred thousand customers never
/// becomes a tree of JSON values, nor its text held whole. Rows and totals carry the CSV's
/// columns, each object's keys in order as `serde_json` sorts them.
fn write_json(report: &AgingReport, to: &mut dyn Write) -> std::io::Result<()> {
    let mut out = Sink::to(to);
    out.text.push_str("{\n  \"as_of\": ");
    push_json_string(&mut out.text, &report.as_of.to_string());
    out.text.push_str(",\n  \"buckets\": ");
    out.text.push_str(&serde_json::to_string(&report.labels)?);
    let keys = crate::render::json_out::keys(&columns(report));
    out.text.push_str(",\n  \"rows\": ");
    json_rows(report, &report.rows, &keys, &mut out);
    out.text.push_str(",\n  \"totals\": ");
    json_rows(report, &report.totals, &keys, &mut out);
    out.text.push_str(",\n  \"key_figures\": ");
    let figures = serde_json::to_string_pretty(&key_figures_json(report))?.replace('\n', "\n  ");
    let (before, rest) = figures.split_once(BREACHES_EMPTY).ok_or_else(|| placeholder(BREACHES_EMPTY))?;
    let (between, after) = rest.split_once(WATCH_EMPTY).ok_or_else(|| placeholder(WATCH_EMPTY))?;
    out.text.push_str(before);
    out.text.push_str("\"credit_limit_breaches\": ");
    json_breaches(report, &mut out);
    out.text.push_str(between);
    out.text.push_str("\"customers\": ");
    json_watch(report, &mut out)?;
    out.text.push_str(after);
    out.text.push_str("\n}\n");
    out.finish().map(drop)
}

fn placeholder(what: &str) -> std::io::Error {
    std::io::Error::other(format!("the key figures lost their {what}"))
}

/// A list of rows as JSON objects, one per line, as the report's CSV has them.
fn json_rows(report: &AgingReport, rows: &[AgingRow], keys: &[(String, usize)], out: &mut Sink<'_>) {
    if rows.is_empty() {
        out.text.push_str("[]");
        return;
    }
    out.text.push_str("[\n");
    for (n, row) in rows.iter().enumerate() {
        out.text.push_str(if n == 0 { "    {" } else { ",\n    {" });
        for (k, (key, column)) in keys.iter().enumerate() {
            if k > 0 {
                out.text.push(',');
            }
            out.text.push_str(key);
            out.text.push(':');
            match column {
                0 => push_json_string(&mut out.text, report.id(row)),
                1 => push_json_string(&mut out.text, report.name(row)),
                2 => push_json_string(&mut out.text, row.currency.as_str()),
                // The buckets, then the total (the last column).
                c => {
                    let amount = row.buckets.get(c - 3).unwrap_or(&row.total);
                    out.text.push('"');
                    crate::core::money::write_money(&mut out.text, *amount);
                    out.text.push('"');
                }
            }
        }
        out.text.push('}');
        out.row_done();
    }
    out.text.push_str("\n  ]");
}

/// The credit-limit breaches, as `serde_json`'s pretty printer lays them out at their depth.
fn json_breaches(report: &AgingReport, out: &mut Sink<'_>) {
    let mut first = true;
    for w in &report.figures.credit_watch {
        for r in &w.reasons {
            let WatchReason::OverLimit { currency, exposure, limit } = r else { continue };
            out.text.push_str(if first { "[\n" } else { ",\n" });
            first = false;
            let (exposure, limit) = (format_money(*exposure), format_money(*limit));
            let fields = [
                ("currency", currency.as_str()),
                ("customer", &w.customer),
                ("exposure", &exposure),
                ("limit", &limit),
                ("name", &w.name),
            ];
            out.text.push_str("      {");
            for (i, (key, value)) in fields.iter().enumerate() {
                out.text.push_str(if i == 0 { "\n        \"" } else { ",\n        \"" });
                out.text.push_str(key);
                out.text.push_str("\": ");
                push_json_string(&mut out.text, value);
            }
            out.text.push_str("\n      }");
        }
        out.row_done();
    }
    out.text.push_str(if first { "[]" } else { "\n    ]" });
}

/// The customers on the credit watch, one compact object per line.
fn json_watch(report: &AgingReport, out: &mut Sink<'_>) -> std::io::Result<()> {
    let watch = &report.figures.credit_watch;
    if watch.is_empty() {
        out.text.push_str("[]");
        return Ok(());
    }
    for (n, w) in watch.iter().enumerate() {
        out.text.push_str(if n == 0 { "[\n        {\"customer\":" } else { ",\n        {\"customer\":" });
        push_json_string(&mut out.text, &w.customer);
        out.text.push_str(",\"name\":");
        push_json_string(&mut out.text, &w.name);
        out.text.push_str(",\"reasons\":");
        let reasons: Vec<serde_json::Value> = w.reasons.iter().map(watch_reason_json).collect();
        out.text.push_str(&serde_json::to_string(&reasons)?);
        out.text.push('}');
        out.row_done();
    }
    out.text.push_str("\n      ]");
    Ok(())
}

fn key_figures_json(report: &AgingReport) -> serde_json::Value {
    let f = &report.figures;
    let opt = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string());
    let per_currency: serde_json::Map<String, serde_json::Value> = f
        .per_currency
        .iter()
        .map(|(c, cf)| {
            let d = f.discounts.get(c).cloned().unwrap_or_default();
            (
                c.to_string(),
                json!({
                    "discounts_taken_12m": d.taken,
                    "discounts_cost_12m": format_money(d.cost),
                    "discounted_invoiced_12m": format_money(d.invoiced),
                    "discount_cost_pct": opt(d.cost_pct()),
                    "discount_annual_rate_pct": opt(d.annual_rate_pct()),
                    "open": format_money(cf.open),
                    "overdue": format_money(cf.overdue),
                    "invoiced_90d": format_money(cf.invoiced_90d),
                    "dso_days": opt(cf.dso),
                    "avg_days_late_12m": opt(cf.avg_days_late),
                    "disputed": format_money(cf.disputed),
                    "credits": format_money(cf.credit),
                "accrued_interest": format_money(cf.accrued_interest),
                }),
            )
        })
        .collect();
    json!({
            "per_currency": per_currency,
            "notes": f.notes,
            "invoices_due_12m": f.invoices_due_12m,
            "reminder_share_pct": opt(f.reminder_share()),
            "collection_share_pct": opt(f.collection_share()),
            // Both lists are written item by item by `write_json`.
            "credit_limit_breaches": [],
            "credit_watch": {
                "count": f.credit_watch.len(),
                "customers": [],
            },
    })
}

/// A credit-watch reason for JSON: its code, the message, and its figures by name.
pub fn watch_reason_json(reason: &WatchReason) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("code".into(), reason.code().into());
    object.insert("message".into(), reason.describe().into());
    for (name, value) in reason.figures() {
        let value = match value {
            Figure::Text(text) => text.into(),
            Figure::Count(n) => n.into(),
        };
        object.insert(name.into(), value);
    }
    serde_json::Value::Object(object)
}
