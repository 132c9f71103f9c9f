//! `dun forecast [--weeks N]`: expected payments per week and currency from the open invoices
//! and each customer's own payment behaviour, with a backtest of the same model (SPEC §4).

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::cli::ForecastArgs;
use crate::context::Context;
use crate::core::insight::forecast::{
    Backtest, Forecast, HISTORY_DAYS, MODEL, OWN_HISTORY_MIN, backtest, forecast,
};
use crate::core::money::format_money;
use crate::io::ledger_dir;
use crate::render::{Cell, Sheet, Table, View, text};

/// The most weeks a forecast looks ahead.
pub const MAX_WEEKS: u32 = 52;

pub fn run(ctx: &Context, args: &ForecastArgs) -> Result<()> {
    if args.weeks == 0 || args.weeks > MAX_WEEKS {
        bail!("--weeks {}: give 1 to {MAX_WEEKS} weeks", args.weeks);
    }
    // Not freed: the process ends with the command, and freeing a ledger's invoices piece by
    // piece was 1.5 % of a million-invoice run's time.
    let ledger =
        std::mem::ManuallyDrop::new(ledger_dir::load_ledger_for_forecast(&ctx.dir, ctx.as_of, args.weeks)?);
    // The backtest is a forecast of its own, from another day: made beside this one, on
    // another core (each was half of the command's time after the load, on one thread).
    let (f, b) = crate::core::both(
        || forecast(&ledger, ctx.as_of, args.weeks),
        || backtest(&ledger, ctx.as_of, args.weeks),
    );
    let (f, b) = (f?, b?);
    let sheets = || {
        vec![
            Sheet::new("Weeks", weeks_table(&f)),
            Sheet::new("Outlook", outlook_table(&f)),
            Sheet::new("Backtest", backtest_table(&b)),
        ]
    };
    let view = View::new(format!("Expected payments from {}", ctx.as_of), sheets)
        .text(|color| table_forecast(&f, &b, color))
        .json(|| Ok(serde_json::to_string_pretty(&json_forecast(&f, &b))? + "\n"));
    ctx.emit(view, Some(&ledger.policy))
}

fn weeks_table(f: &Forecast) -> Table {
    let mut t = Table::new(["week_start", "currency", "expected"]);
    for w in &f.weeks {
        t.push(vec![Cell::Date(w.start), Cell::text(w.currency.as_str()), Cell::Money(w.expected)]);
    }
    t
}

fn outlook_table(f: &Forecast) -> Table {
    let mut t = Table::new([
        "currency",
        "open",
        "in these weeks",
        "later",
        "not expected",
        "invoices (own / ledger / none)",
    ])
    .droppable(["invoices (own / ledger / none)", "later"]);
    for (c, o) in &f.outlook {
        let within: rust_decimal::Decimal =
            f.weeks.iter().filter(|w| w.currency == *c).map(|w| w.expected).sum();
        t.push(vec![
            Cell::text(c.as_str()),
            Cell::Money(o.open),
            Cell::Money(within),
            Cell::Money(o.later),
            Cell::Money(o.not_expected),
            Cell::text(format!("{} / {} / {}", o.own_history, o.ledger_history, o.no_history)),
        ]);
    }
    t
}

fn backtest_table(b: &Backtest) -> Table {
    let mut t = Table::new(["week_start", "currency", "forecast", "actual"]);
    for w in &b.weeks {
        t.push(vec![
            Cell::Date(w.start),
            Cell::text(w.currency.as_str()),
            Cell::Money(w.forecast),
            Cell::Money(w.actual),
        ]);
    }
    t
}

/// The backtest's error per currency, in a sentence each.
pub fn error_lines(b: &Backtest) -> Vec<String> {
    b.error
        .iter()
        .map(|(c, e)| match (e.wape_pct, e.bias_pct) {
            (Some(wape), Some(bias)) => format!(
                "{c}: WAPE {wape} % (Σ|forecast − actual| {} ÷ paid {}), bias {bias:+} %",
                format_money(e.absolute_error),
                format_money(e.actual)
            ),
            _ => format!("{c}: nothing was paid in those weeks; no error to measure"),
        })
        .collect()
}

fn table_forecast(f: &Forecast, b: &Backtest, color: bool) -> String {
    let mut out = format!("Expected payments after {}, per week and currency\n", f.as_of);
    out.push_str(&text::render(&weeks_table(f), color));
    out.push('\n');
    if !f.outlook.is_empty() {
        out.push_str(&text::render(&outlook_table(f), color));
        out.push('\n');
    }
    out.push_str(&format!(
        "{MODEL} History: {} settled invoices (own history needs {OWN_HISTORY_MIN}, looks back {HISTORY_DAYS} days).\n",
        f.history_invoices
    ));
    out.push_str(&format!("\nBacktest: the same forecast made on {}, against what was then paid\n", b.as_of));
    out.push_str(&text::render(&backtest_table(b), color));
    out.push('\n');
    for line in error_lines(b) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

pub fn json_forecast(f: &Forecast, b: &Backtest) -> Value {
    let weeks: Vec<Value> = f
        .weeks
        .iter()
        .map(|w| json!({"week_start": w.start.to_string(), "currency": w.currency, "expected": format_money(w.expected)}))
        .collect();
    let outlook: serde_json::Map<String, Value> = f
        .outlook
        .iter()
        .map(|(c, o)| {
            (
                c.to_string(),
                json!({
                    "open": format_money(o.open), "later": format_money(o.later),
                    "not_expected": format_money(o.not_expected),
                    "invoices_own_history": o.own_history, "invoices_ledger_history": o.ledger_history,
                    "invoices_no_history": o.no_history,
                }),
            )
        })
        .collect();
    let opt = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string());
    let error: serde_json::Map<String, Value> = b
        .error
        .iter()
        .map(|(c, e)| {
            (
                c.to_string(),
                json!({
                    "forecast": format_money(e.forecast), "actual": format_money(e.actual),
                    "absolute_error": format_money(e.absolute_error),
                    "wape_pct": opt(e.wape_pct), "bias_pct": opt(e.bias_pct),
                }),
            )
        })
        .collect();
    json!({
        "as_of": f.as_of.to_string(),
        "model": MODEL,
        "history_invoices": f.history_invoices,
        "weeks": weeks,
        "per_currency": outlook,
        "backtest": {
            "as_of": b.as_of.to_string(),
            "measure": "WAPE: sum over the weeks of |forecast - actual| / sum of actual, in %; bias: (sum forecast - sum actual) / sum actual, in %",
            "weeks": b.weeks.iter().map(|w| json!({
                "week_start": w.start.to_string(), "currency": w.currency,
                "forecast": format_money(w.forecast), "actual": format_money(w.actual),
            })).collect::<Vec<_>>(),
            "error": error,
        },
    })
}
