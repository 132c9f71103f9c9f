//! The monthly picture as one self-contained HTML page (SPEC §4's report, with pictures): inline
//! CSS and SVG, no script, no network, printable on A4. Every figure is per currency.
//!
//! Each figure shown carries its machine value in `data-value` and what it is in `data-figure`
//! (`SEK.open`, `SEK.month.2026-10-31.overdue`, ...), so a test can hold the page against the
//! JSON of `dun report`, `dun stats` and `dun forecast`.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::core::aging::{AgingReport, CurrencyFigures};
use crate::core::insight::effectiveness::{Effectiveness, Group, WINDOWS};
use crate::core::insight::forecast::{Backtest, Forecast};
use crate::core::model::Currency;
use crate::core::money::{format_money, format_money_grouped};

/// Everything the page shows.
pub struct Picture<'a> {
    pub company: &'a str,
    pub now: &'a AgingReport,
    /// The report as of each of the last month-ends, oldest first (rows may be left out: only
    /// the totals and key figures are drawn).
    pub months: &'a [AgingReport],
    pub stats: &'a Effectiveness,
    pub forecast: &'a Forecast,
    pub backtest: &'a Backtest,
    /// How many of the largest debtors to list per currency.
    pub top: usize,
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A figure: its grouped text, with the machine value and its name for tests and scripts.
fn money(figure: &str, amount: Decimal) -> String {
    format!(
        "<span class=\"num\" data-figure=\"{}\" data-value=\"{}\">{}</span>",
        escape(figure),
        format_money(amount),
        format_money_grouped(amount).replace(' ', "\u{2009}")
    )
}

fn number(figure: &str, value: Option<Decimal>, suffix: &str) -> String {
    match value {
        Some(v) => format!(
            "<span class=\"num\" data-figure=\"{}\" data-value=\"{v}\">{v}{suffix}</span>",
            escape(figure)
        ),
        None => {
            format!("<span class=\"num muted\" data-figure=\"{}\" data-value=\"\">–</span>", escape(figure))
        }
    }
}

fn count(figure: &str, n: u64) -> String {
    format!("<span class=\"num\" data-figure=\"{}\" data-value=\"{n}\">{n}</span>", escape(figure))
}

/// Bucket colours from not due (calm) to the oldest (alarming), for any number of buckets.
fn bucket_colour(i: usize, n: usize) -> &'static str {
    const RAMP: [&str; 6] = ["#3f8f6b", "#e3c04b", "#ee9a3a", "#dd6541", "#b33a3a", "#7a2440"];
    if n <= 1 {
        return RAMP[0];
    }
    if i == 0 {
        return RAMP[0];
    }
    // Overdue buckets spread over the warm end of the ramp.
    let warm = &RAMP[1..];
    let at = if n == 2 { warm.len() - 1 } else { (i - 1) * (warm.len() - 1) / (n - 2) };
    warm[at.min(warm.len() - 1)]
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn month_label(d: NaiveDate) -> String {
    const NAMES: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{} {:02}", NAMES[d.month0() as usize], d.year() % 100)
}

/// A rounded-up axis maximum: 1, 2 or 5 times a power of ten.
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|&c| c >= v).unwrap_or(10.0 * p)
}

/// An axis or bar label: `950`, `2.5 k`, `37 k`, `1.2 M` (the exact figure is in the tables
/// and in each bar's tooltip).
fn short(v: f64) -> String {
    let trim = |s: String| s.strip_suffix(".0").map(str::to_owned).unwrap_or(s);
    let a = v.abs();
    if a >= 1_000_000.0 {
        trim(format!("{:.1}", v / 1_000_000.0)) + " M"
    } else if a >= 10_000.0 {
        format!("{:.0} k", v / 1000.0)
    } else if a >= 1000.0 {
        trim(format!("{:.1}", v / 1000.0)) + " k"
    } else {
        format!("{v:.0}")
    }
}

/// Grid lines for an axis up to `top` (from [`nice_max`]): steps of a round size.
fn ticks(top: f64) -> u32 {
    let p = 10f64.powf(top.log10().floor());
    if ((top / p) - 2.0).abs() < 1e-9 { 4 } else { 5 }
}

const CSS: &str = r#"
@page { size: A4; margin: 12mm 12mm 14mm; }
:root { --ink:#1d2733; --muted:#6b7785; --line:#dfe4ea; --accent:#2f5d8a; --good:#3f8f6b; --bad:#b33a3a; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 186mm; padding: 8mm 0; background: #fff; }
header { display:flex; justify-content:space-between; align-items:flex-end; border-bottom: 3px solid var(--accent);
         padding-bottom: 6px; margin-bottom: 14px; }
header h1 { font-size: 19pt; margin: 0; letter-spacing: -0.3px; }
header .sub { color: var(--muted); font-size: 10pt; }
h2 { font-size: 13.5pt; margin: 22px 0 8px; color: var(--accent); border-bottom: 1px solid var(--line); padding-bottom: 3px; }
h3 { font-size: 10.5pt; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); }
section.currency { break-before: auto; }
.block { break-inside: avoid; page-break-inside: avoid; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 8px; margin: 6px 0 10px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 7px 9px; background: #f8fafc; }
.tile .label { font-size: 8pt; color: var(--muted); text-transform: uppercase; letter-spacing: .5px; }
.tile .value { font-size: 14pt; font-weight: 600; white-space: nowrap; }
.tile .note { font-size: 8pt; color: var(--muted); }
.tile.warn { background: #fff6f2; border-color: #f1c9bb; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { padding: 3px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 8pt; text-transform: uppercase; letter-spacing: .4px; }
td.r, th.r { text-align: right; }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); }
.legend { display:flex; flex-wrap: wrap; gap: 10px; font-size: 8.5pt; color: var(--muted); margin: 2px 0 4px; }
.legend i { display:inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.stack { display:flex; height: 16px; border-radius: 3px; overflow: hidden; background: #eef1f4; margin: 4px 0 2px; }
.stack div { height: 100%; }
.bar { background: #eef1f4; border-radius: 2px; height: 9px; position: relative; min-width: 60px; }
.bar span { display:block; height: 100%; border-radius: 2px; background: var(--accent); }
.bar.without span { background: #9aa7b5; }
.bar .mark { position:absolute; top:-3px; bottom:-3px; width:2px; background: var(--ink); }
.two { display:grid; grid-template-columns: 1fr 1fr; gap: 14px; }
svg { display:block; width: 100%; height: auto; }
svg text { font-family: inherit; font-size: 9px; fill: #6b7785; }
svg .value { fill: #1d2733; font-weight: 600; }
.verdict { font-size: 9pt; margin: 2px 0; }
.watch li { margin: 2px 0; }
footer { margin-top: 20px; border-top: 1px solid var(--line); padding-top: 6px; font-size: 8pt; color: var(--muted); }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; } }
"#;

/// The whole page.
pub fn render(p: &Picture<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Receivables {as_of} – {company}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header><div><h1>Receivables</h1><div class=\"sub\">{company}</div></div><div class=\"sub\">as of <b data-figure=\"as_of\" data-value=\"{as_of}\">{as_of}</b></div></header>\n",
        as_of = p.now.as_of,
        company = escape(p.company),
    );
    let currencies = currencies(p);
    if currencies.is_empty() {
        out.push_str("<p>Nothing is open, and nothing was in the last twelve months.</p>\n");
    }
    for c in &currencies {
        currency_section(&mut out, p, *c);
    }
    watch_section(&mut out, p.now);
    ladder_section(&mut out, p.stats);
    let _ = write!(
        out,
        "<footer>Amounts are never added across currencies. DSO = open ÷ invoiced in the last 90 days × 90. \
Aging at each month-end is the report as it stood that day (<code>dun report --as-of</code>). \
Forecast: {}</footer>\n</body>\n</html>\n",
        escape(crate::core::insight::forecast::MODEL.trim_start_matches("Model: "))
    );
    out
}

fn currencies(p: &Picture<'_>) -> Vec<Currency> {
    let mut all: Vec<Currency> = p
        .now
        .totals
        .iter()
        .map(|t| t.currency)
        .chain(p.months.iter().flat_map(|m| m.totals.iter().map(|t| t.currency)))
        .chain(p.forecast.outlook.keys().copied())
        .collect();
    all.sort();
    all.dedup();
    all
}

fn totals_of(report: &AgingReport, c: Currency) -> Option<&crate::core::aging::AgingRow> {
    report.totals.iter().find(|t| t.currency == c)
}

fn overdue_pct(cf: &CurrencyFigures) -> Option<Decimal> {
    cf.overdue_pct
}

fn currency_section(out: &mut String, p: &Picture<'_>, c: Currency) {
    let cur = c.as_str();
    let _ = write!(out, "<section class=\"currency\">\n<h2>{cur}</h2>\n");
    let cf = p.now.figures.per_currency.get(&c).cloned().unwrap_or_default();
    // Tiles: the key figures of `dun report`.
    let pct = overdue_pct(&cf);
    let _ = writeln!(
        out,
        "<div class=\"tiles block\">\
<div class=\"tile\"><div class=\"label\">Open</div><div class=\"value\">{}</div><div class=\"note\">{cur}</div></div>\
<div class=\"tile{warn}\"><div class=\"label\">Overdue</div><div class=\"value\">{}</div><div class=\"note\">{} of open</div></div>\
<div class=\"tile\"><div class=\"label\">DSO</div><div class=\"value\">{}</div><div class=\"note\">days</div></div>\
<div class=\"tile\"><div class=\"label\">Avg days late</div><div class=\"value\">{}</div><div class=\"note\">paid in 12 months</div></div>\
<div class=\"tile\"><div class=\"label\">Interest accrued</div><div class=\"value\">{}</div><div class=\"note\">disputed {}</div></div>\
</div>",
        money(&format!("{cur}.open"), cf.open),
        money(&format!("{cur}.overdue"), cf.overdue),
        number(&format!("{cur}.overdue_pct"), pct, " %"),
        number(&format!("{cur}.dso_days"), cf.dso, ""),
        number(&format!("{cur}.avg_days_late_12m"), cf.avg_days_late, ""),
        money(&format!("{cur}.accrued_interest"), cf.accrued_interest),
        money(&format!("{cur}.disputed"), cf.disputed),
        warn = if pct.is_some_and(|p| p >= Decimal::from(30)) { " warn" } else { "" },
    );
    if let Some(d) = p.now.figures.discounts.get(&c).filter(|d| d.taken > 0) {
        let _ = writeln!(
            out,
            "<p class=\"verdict\">Early-payment discounts taken in 12 months: {} invoice(s), costing {} ({} of what they came to) — a yearly rate of {} for being paid early.</p>",
            count(&format!("{cur}.discounts_taken_12m"), d.taken),
            money(&format!("{cur}.discounts_cost_12m"), d.cost),
            number(&format!("{cur}.discount_cost_pct"), d.cost_pct(), " %"),
            number(&format!("{cur}.discount_annual_rate_pct"), d.annual_rate_pct(), " %"),
        );
    }
    aging_now(out, p, c);
    aging_history(out, p, c);
    trend_charts(out, p, c);
    largest_debtors(out, p, c);
    forecast_block(out, p, c);
    out.push_str("</section>\n");
}

fn legend(out: &mut String, labels: &[String]) {
    out.push_str("<div class=\"legend\">");
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<span><i style=\"background:{}\"></i>{}</span>",
            bucket_colour(i, labels.len()),
            escape(l)
        );
    }
    out.push_str("</div>\n");
}

fn aging_now(out: &mut String, p: &Picture<'_>, c: Currency) {
    let cur = c.as_str();
    let labels = &p.now.labels;
    out.push_str("<div class=\"block\"><h3>Aging now</h3>\n");
    let Some(total) = totals_of(p.now, c) else {
        out.push_str("<p class=\"muted\">Nothing open.</p></div>\n");
        return;
    };
    // Only the bars' widths: past `Decimal`'s range (issue 10) in floating point, which cannot
    // overflow on five buckets.
    let positives = || total.buckets.iter().filter(|b| **b > Decimal::ZERO);
    let positive =
        crate::core::money::checked_sum(positives()).map_or_else(|| positives().map(|b| f(*b)).sum(), f);
    out.push_str("<div class=\"stack\">");
    for (i, b) in total.buckets.iter().enumerate() {
        if *b > Decimal::ZERO && positive > 0.0 {
            let _ = write!(
                out,
                "<div style=\"width:{:.2}%;background:{}\" title=\"{}\"></div>",
                f(*b) / positive * 100.0,
                bucket_colour(i, labels.len()),
                escape(&labels[i])
            );
        }
    }
    out.push_str("</div>\n");
    legend(out, labels);
    out.push_str("<table><tr>");
    for l in labels {
        let _ = write!(out, "<th class=\"r\">{}</th>", escape(l));
    }
    out.push_str("<th class=\"r\">total</th></tr><tr>");
    for (i, b) in total.buckets.iter().enumerate() {
        let _ = write!(out, "<td class=\"r\">{}</td>", money(&format!("{cur}.bucket.{}", labels[i]), *b));
    }
    let _ = writeln!(
        out,
        "<td class=\"r\"><b>{}</b></td></tr></table></div>",
        money(&format!("{cur}.total"), total.total)
    );
}

/// Stacked columns: the buckets at each month-end and now.
fn aging_history(out: &mut String, p: &Picture<'_>, c: Currency) {
    let cur = c.as_str();
    let labels = &p.now.labels;
    let points: Vec<(NaiveDate, Vec<Decimal>, Decimal)> = p
        .months
        .iter()
        .chain(std::iter::once(p.now))
        .map(|r| match totals_of(r, c) {
            Some(t) => (r.as_of, t.buckets.clone(), t.total),
            None => (r.as_of, vec![Decimal::ZERO; labels.len()], Decimal::ZERO),
        })
        .collect();
    let max = points
        .iter()
        .map(|(_, b, _)| b.iter().filter(|v| **v > Decimal::ZERO).map(|v| f(*v)).sum::<f64>())
        .fold(0.0, f64::max);
    let top = nice_max(max);
    let (w, h, left, bottom, topm) = (640.0, 210.0, 44.0, 22.0, 14.0);
    let plot_h = h - bottom - topm;
    let slot = (w - left - 6.0) / points.len() as f64;
    out.push_str("<div class=\"block\"><h3>Aging at each month-end</h3>\n");
    let _ =
        write!(out, "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Aging per month-end, {cur}\">");
    let n = ticks(top);
    for i in 0..=n {
        let v = top * f64::from(i) / f64::from(n);
        let y = topm + plot_h - plot_h * f64::from(i) / f64::from(n);
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e6eaef\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 4.0,
            left - 5.0,
            y + 3.0,
            short(v)
        );
    }
    for (k, (date, buckets, total)) in points.iter().enumerate() {
        let x = left + slot * k as f64 + slot * 0.18;
        let bw = slot * 0.64;
        let mut y = topm + plot_h;
        let is_now = k == points.len() - 1;
        for (i, b) in buckets.iter().enumerate() {
            if *b <= Decimal::ZERO {
                continue;
            }
            let bh = plot_h * f(*b) / top;
            y -= bh;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{} {}: {} {cur}</title></rect>",
                bucket_colour(i, labels.len()),
                date,
                escape(&labels[i]),
                format_money_grouped(*b)
            );
        }
        let figure = if is_now { format!("{cur}.total") } else { format!("{cur}.month.{date}.total") };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"value\" data-figure=\"{figure}\" data-value=\"{}\">{}</text>",
            x + bw / 2.0,
            y - 3.0,
            format_money(*total),
            short(f(*total))
        );
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\"{}>{}</text>",
            x + bw / 2.0,
            h - 7.0,
            if is_now { " class=\"value\"" } else { "" },
            if is_now { "now".to_owned() } else { month_label(*date) }
        );
        // Each month's buckets as figures, for the test against `dun report --as-of`.
        if !is_now {
            for (i, b) in buckets.iter().enumerate() {
                let _ = write!(
                    out,
                    "<desc data-figure=\"{cur}.month.{date}.bucket.{}\" data-value=\"{}\"></desc>",
                    escape(&labels[i]),
                    format_money(*b)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    legend(out, labels);
    out.push_str("</div>\n");
}

/// A small line chart of one figure over the month-ends and now.
fn line_chart(
    out: &mut String,
    title: &str,
    cur: &str,
    key: &str,
    points: &[(NaiveDate, Option<Decimal>, bool)],
    suffix: &str,
) {
    let (w, h, left, bottom, topm) = (310.0, 150.0, 34.0, 20.0, 14.0);
    let plot_h = h - bottom - topm;
    let max = points.iter().filter_map(|p| p.1).map(f).fold(0.0, f64::max);
    let top = nice_max(max);
    let slot = (w - left - 8.0) / points.len().max(1) as f64;
    let _ = write!(
        out,
        "<div><h3>{}</h3><svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{} {cur}\">",
        escape(title),
        escape(title)
    );
    for i in 0..=2 {
        let v = top * f64::from(i) / 2.0;
        let y = topm + plot_h - plot_h * f64::from(i) / 2.0;
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e6eaef\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{suffix}</text>",
            w - 4.0,
            left - 4.0,
            y + 3.0,
            short(v)
        );
    }
    let xy = |k: usize, v: Decimal| (left + slot * (k as f64 + 0.5), topm + plot_h - plot_h * f(v) / top);
    let mut path = String::new();
    for (k, (_, v, _)) in points.iter().enumerate() {
        match v {
            Some(v) => {
                let (x, y) = xy(k, *v);
                let _ = write!(path, "{}{x:.1},{y:.1} ", if path.is_empty() { "M" } else { "L" });
            }
            None => {
                if !path.is_empty() {
                    let _ = write!(
                        out,
                        "<path d=\"{path}\" fill=\"none\" stroke=\"#2f5d8a\" stroke-width=\"2\"/>"
                    );
                    path.clear();
                }
            }
        }
    }
    if !path.is_empty() {
        let _ = write!(out, "<path d=\"{path}\" fill=\"none\" stroke=\"#2f5d8a\" stroke-width=\"2\"/>");
    }
    for (k, (date, v, is_now)) in points.iter().enumerate() {
        let figure = if *is_now { format!("{cur}.{key}") } else { format!("{cur}.month.{date}.{key}") };
        if let Some(v) = v {
            let (x, y) = xy(k, *v);
            let _ = write!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{}\" fill=\"{}\"><title>{date}: {v}{suffix}</title></circle>",
                if *is_now { 3.5 } else { 2.5 },
                if *is_now { "#1d2733" } else { "#2f5d8a" }
            );
            if *is_now || k == 0 {
                // The first label starts at its point, clear of the axis labels.
                let anchor = if k == 0 { "start" } else { "middle" };
                let _ = write!(
                    out,
                    "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" class=\"value\">{v}{suffix}</text>",
                    y - 6.0
                );
            }
        }
        let _ = write!(
            out,
            "<desc data-figure=\"{figure}\" data-value=\"{}\"></desc>",
            v.map(|v| v.to_string()).unwrap_or_default()
        );
        if k % 3 == 0 || *is_now {
            let (x, _) = xy(k, Decimal::ZERO);
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                h - 6.0,
                if *is_now { "now".to_owned() } else { month_label(*date) }
            );
        }
    }
    out.push_str("</svg></div>\n");
}

fn trend_charts(out: &mut String, p: &Picture<'_>, c: Currency) {
    let cur = c.as_str();
    let series =
        |pick: &dyn Fn(&CurrencyFigures) -> Option<Decimal>| -> Vec<(NaiveDate, Option<Decimal>, bool)> {
            let n = p.months.len();
            p.months
                .iter()
                .chain(std::iter::once(p.now))
                .enumerate()
                .map(|(k, r)| (r.as_of, r.figures.per_currency.get(&c).and_then(pick), k == n))
                .collect()
        };
    out.push_str("<div class=\"two block\">");
    line_chart(out, "Overdue share of open", cur, "overdue_pct", &series(&overdue_pct), " %");
    line_chart(out, "DSO (days)", cur, "dso_days", &series(&|cf: &CurrencyFigures| cf.dso), "");
    out.push_str("</div>\n");
}

fn largest_debtors(out: &mut String, p: &Picture<'_>, c: Currency) {
    let cur = c.as_str();
    let mut rows: Vec<&crate::core::aging::AgingRow> =
        p.now.rows.iter().filter(|r| r.currency == c && r.total > Decimal::ZERO).collect();
    rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| p.now.id(a).cmp(p.now.id(b))));
    rows.truncate(p.top);
    if rows.is_empty() {
        return;
    }
    let max = f(rows[0].total);
    let labels = &p.now.labels;
    out.push_str("<div class=\"block\"><h3>Largest debtors</h3><table><tr><th>customer</th><th>name</th><th></th><th class=\"r\">overdue</th><th class=\"r\">total</th></tr>\n");
    for r in rows {
        let id = p.now.id(r);
        let overdue: Decimal = r.buckets.iter().skip(1).sum();
        let mut bar = String::from("<div class=\"stack\" style=\"height:9px;margin:3px 0\">");
        for (i, b) in r.buckets.iter().enumerate() {
            if *b > Decimal::ZERO {
                let _ = write!(
                    bar,
                    "<div style=\"width:{:.2}%;background:{}\"></div>",
                    f(*b) / max * 100.0,
                    bucket_colour(i, labels.len())
                );
            }
        }
        bar.push_str("</div>");
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td style=\"width:32%\">{bar}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
            escape(id),
            escape(p.now.name(r)),
            money(&format!("{cur}.debtor.{id}.overdue"), overdue),
            money(&format!("{cur}.debtor.{id}.total"), r.total),
        );
    }
    out.push_str("</table></div>\n");
}

fn forecast_block(out: &mut String, p: &Picture<'_>, c: Currency) {
    let cur = c.as_str();
    let weeks: Vec<&crate::core::insight::forecast::Week> =
        p.forecast.weeks.iter().filter(|w| w.currency == c).collect();
    let Some(outlook) = p.forecast.outlook.get(&c) else { return };
    if weeks.is_empty() {
        return;
    }
    let (w, h, left, bottom, topm) = (640.0, 150.0, 44.0, 22.0, 16.0);
    let plot_h = h - bottom - topm;
    let top = nice_max(weeks.iter().map(|w| f(w.expected)).fold(0.0, f64::max));
    let slot = (w - left - 6.0) / weeks.len() as f64;
    out.push_str("<div class=\"block\"><h3>Cash expected per week</h3>\n");
    let _ = write!(out, "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Forecast {cur}\">");
    for i in 0..=2 {
        let y = topm + plot_h - plot_h * f64::from(i) / 2.0;
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e6eaef\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - 4.0,
            left - 5.0,
            y + 3.0,
            short(top * f64::from(i) / 2.0)
        );
    }
    for (k, wk) in weeks.iter().enumerate() {
        let x = left + slot * k as f64 + slot * 0.2;
        let bw = slot * 0.6;
        let bh = plot_h * f(wk.expected) / top;
        let y = topm + plot_h - bh;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" rx=\"2\" fill=\"#3f8f6b\"><title>week from {}: {} {cur}</title></rect>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"value\" data-figure=\"{cur}.week.{}\" data-value=\"{}\">{}</text>\
<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            wk.start,
            format_money_grouped(wk.expected),
            x + bw / 2.0,
            y - 3.0,
            wk.start,
            format_money(wk.expected),
            short(f(wk.expected)),
            x + bw / 2.0,
            h - 7.0,
            wk.start.format("%d.%m"),
        );
    }
    out.push_str("</svg>\n");
    let _ = write!(
        out,
        "<p class=\"verdict\">Later: {} · not expected (older than any delay seen): {} · open: {}.</p>",
        money(&format!("{cur}.forecast.later"), outlook.later),
        money(&format!("{cur}.forecast.not_expected"), outlook.not_expected),
        money(&format!("{cur}.forecast.open"), outlook.open),
    );
    if let Some(e) = p.backtest.error.get(&c) {
        let _ = write!(
            out,
            "<p class=\"verdict muted\">Backtest from {}: forecast {} against {} paid; WAPE {}, bias {}.</p>",
            p.backtest.as_of,
            money(&format!("{cur}.backtest.forecast"), e.forecast),
            money(&format!("{cur}.backtest.actual"), e.actual),
            number(&format!("{cur}.backtest.wape_pct"), e.wape_pct, " %"),
            number(&format!("{cur}.backtest.bias_pct"), e.bias_pct, " %"),
        );
    }
    out.push_str("</div>\n");
}

fn watch_section(out: &mut String, now: &AgingReport) {
    out.push_str("<section class=\"block\"><h2>Credit watch</h2>\n");
    let watch = &now.figures.credit_watch;
    let _ = write!(out, "<p>{} customer(s) watched.</p>", count("credit_watch.count", watch.len() as u64));
    if !watch.is_empty() {
        out.push_str("<ul class=\"watch\">");
        for w in watch {
            for r in &w.reasons {
                let _ = write!(
                    out,
                    "<li><b>{}</b> {} — {}</li>",
                    escape(&w.customer),
                    escape(&w.name),
                    escape(&r.describe())
                );
            }
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
}

fn group_cells(out: &mut String, step: &str, side: &str, g: &Group) {
    let _ = write!(
        out,
        "<td>{side}</td><td class=\"r\">{}</td>",
        count(&format!("stats.{step}.{side}.invoices"), u64::from(g.invoices))
    );
    for (i, window) in WINDOWS.iter().enumerate() {
        let pct = g.paid_share(i);
        let width = pct.map_or(0.0, f);
        let _ = write!(
            out,
            "<td><div class=\"bar{}\"><span style=\"width:{width:.1}%\"></span></div><span class=\"muted\">{} · {}</span></td>",
            if side == "without" { " without" } else { "" },
            count(&format!("stats.{step}.{side}.paid_within_{window}"), u64::from(g.paid_within[i])),
            pct.map_or("–".to_owned(), |p| format!("{p} %")),
        );
    }
    let _ = write!(
        out,
        "<td class=\"r\">{}</td>",
        number(
            &format!("stats.{step}.{side}.median_days_to_pay"),
            g.median_days_to_pay.map(|m| m.normalize()),
            ""
        )
    );
}

fn ladder_section(out: &mut String, stats: &Effectiveness) {
    out.push_str("<section class=\"block\"><h2>Does the dunning work?</h2>\n");
    out.push_str(
        "<p class=\"muted\">Invoices settled within 7, 14 and 30 days after each step, beside comparable overdue invoices that did not get it (steps at least 30 days old).</p>\n",
    );
    out.push_str("<table><tr><th>step</th><th></th><th class=\"r\">invoices</th><th>≤ 7 days</th><th>≤ 14 days</th><th>≤ 30 days</th><th class=\"r\">median days</th></tr>\n");
    for s in &stats.steps {
        let name = s.step.name();
        let _ = write!(out, "<tr><td rowspan=\"2\"><b>{name}</b></td>");
        group_cells(out, &name, "after", &s.with_step);
        out.push_str("</tr><tr>");
        group_cells(out, &name, "without", &s.without_step);
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    for s in &stats.steps {
        let _ = write!(out, "<p class=\"verdict\">{}</p>", escape(&s.verdict()));
    }
    // The shares against the rule of thumb, as bars with a mark at the rule.
    let share_bar = |out: &mut String, label: &str, key: &str, n: u64, pct: Option<Decimal>, rule: u32| {
        let width = pct.map_or(0.0, |p| f(p).min(100.0));
        let _ = write!(
            out,
            "<tr><td>{label}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td style=\"width:45%\"><div class=\"bar\"><span style=\"width:{width:.1}%;background:{}\"></span><div class=\"mark\" style=\"left:{rule}%\" title=\"rule of thumb {rule} %\"></div></div></td><td class=\"muted\">rule of thumb about {rule} %</td></tr>",
            count(&format!("stats.{key}_12m"), n),
            number(&format!("stats.{key}_share_pct"), pct, " %"),
            if pct.is_some_and(|p| p > Decimal::from(rule)) { "#dd6541" } else { "#3f8f6b" },
        );
    };
    let _ = write!(
        out,
        "<h3>Invoices due in the last 12 months: {}</h3><table>",
        count("stats.invoices_due_12m", stats.invoices_due_12m)
    );
    share_bar(out, "got a reminder", "reminded", stats.reminded_12m, stats.reminder_share(), 20);
    share_bar(out, "went to collection", "collected", stats.collected_12m, stats.collection_share(), 5);
    out.push_str("</table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_colours_run_from_calm_to_alarming() {
        assert_eq!(escape("<b>\"Berg & Söner\"</b>"), "&lt;b&gt;&quot;Berg &amp; Söner&quot;&lt;/b&gt;");
        assert_eq!(bucket_colour(0, 5), "#3f8f6b");
        assert_eq!(bucket_colour(4, 5), "#7a2440");
        assert_eq!(bucket_colour(1, 2), "#7a2440");
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(1830.0), 2000.0);
        assert_eq!(nice_max(2100.0), 2500.0);
        assert_eq!(
            (short(950.0), short(2465.0), short(37_400.0), short(1_200_000.0)),
            ("950".into(), "2.5 k".into(), "37 k".into(), "1.2 M".into())
        );
        assert_eq!((ticks(2000.0), ticks(5000.0), ticks(250.0)), (4, 5, 5));
    }
}
