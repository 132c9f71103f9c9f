//! `dun stats`: does the dunning ladder work? Each step against comparable invoices without it,
//! and the shares reminded / sent to collection against the rule of thumb (SPEC §4, §8).

use anyhow::Result;
use serde_json::{Value, json};

use crate::cli::StatsArgs;
use crate::context::Context;
use crate::core::insight::effectiveness::{
    Effectiveness, Group, MIN_SAMPLE, OBSERVE_DAYS, RULE_OF_THUMB_COLLECTED_PCT, RULE_OF_THUMB_REMINDED_PCT,
    StepStats, WINDOWS,
};
use crate::core::money::format_money;
use crate::io::ledger_dir;
use crate::render::{Cell, Sheet, Table, View, text};

pub fn run(ctx: &Context, _args: &StatsArgs) -> Result<()> {
    let (stats, policy) = ledger_dir::effectiveness_of(&ctx.dir, ctx.as_of)?;
    let sheets =
        || vec![Sheet::new("Amounts", amounts_table(&stats)), Sheet::new("Counts", counts_table(&stats))];
    let view = View::new(format!("Does the ladder work? As of {}", ctx.as_of), sheets)
        .text(|color| table_stats(&stats, color))
        .json(|| Ok(serde_json::to_string_pretty(&json_stats(&stats))? + "\n"));
    ctx.emit(view, Some(&policy))
}

const GROUPS: [&str; 2] = ["after step", "without step"];

fn groups(s: &StepStats) -> [(&'static str, &Group); 2] {
    [(GROUPS[0], &s.with_step), (GROUPS[1], &s.without_step)]
}

fn median_cell(g: &Group) -> Cell {
    g.median_days_to_pay.map_or(Cell::Empty, |m| Cell::text(m.normalize().to_string()))
}

fn counts_table(stats: &Effectiveness) -> Table {
    let mut t = Table::new([
        "step",
        "group",
        "invoices",
        "paid ≤7 d",
        "paid ≤14 d",
        "paid ≤30 d",
        "median days",
        "unpaid",
    ]);
    let pct = |g: &Group, i: usize| {
        Cell::text(match g.paid_share(i) {
            Some(p) => format!("{} ({p} %)", g.paid_within[i]),
            None => "0".to_owned(),
        })
    };
    for s in &stats.steps {
        for (name, g) in groups(s) {
            t.push(vec![
                Cell::text(s.step.name()),
                Cell::text(name),
                Cell::Count(i64::from(g.invoices)),
                pct(g, 0),
                pct(g, 1),
                pct(g, 2),
                median_cell(g),
                Cell::Count(i64::from(g.unpaid)),
            ]);
        }
    }
    t
}

/// One row per step, group and currency: the CSV, and the money part of the table.
fn amounts_table(stats: &Effectiveness) -> Table {
    let mut t = Table::new([
        "step",
        "group",
        "currency",
        "invoices",
        "open_at_step",
        "paid_within_7",
        "paid_within_14",
        "paid_within_30",
    ]);
    for s in &stats.steps {
        for (name, g) in groups(s) {
            for (currency, a) in &g.amounts {
                let mut row = vec![
                    Cell::text(s.step.name()),
                    Cell::text(name.replace(' ', "_")),
                    Cell::text(currency.as_str()),
                    Cell::Count(i64::from(a.invoices)),
                    Cell::Money(a.open_at_step),
                ];
                row.extend(a.paid_within.iter().map(|m| Cell::Money(*m)));
                t.push(row);
            }
        }
    }
    t
}

/// The shares against the rule of thumb, in a sentence.
pub fn shares_line(stats: &Effectiveness) -> String {
    let pct = |p: Option<rust_decimal::Decimal>| p.map_or("-".to_owned(), |p| format!("{p} %"));
    format!(
        "Invoices due in the last 12 months: {}; reminded: {} ({}); sent to collection: {} ({}); rule of thumb: about {RULE_OF_THUMB_REMINDED_PCT} % and {RULE_OF_THUMB_COLLECTED_PCT} %",
        stats.invoices_due_12m,
        stats.reminded_12m,
        pct(stats.reminder_share()),
        stats.collected_12m,
        pct(stats.collection_share()),
    )
}

fn table_stats(stats: &Effectiveness, color: bool) -> String {
    let mut out = format!(
        "Effectiveness of the ladder as of {} (steps at least {OBSERVE_DAYS} days old)\n",
        stats.as_of
    );
    out.push_str(&text::render(&counts_table(stats), color));
    out.push('\n');
    let amounts = amounts_table(stats);
    if !amounts.rows.is_empty() {
        out.push_str("\nMoney per currency (open at the step, paid within 7, 14, 30 days)\n");
        out.push_str(&text::render(&amounts, color));
        out.push('\n');
    }
    out.push('\n');
    for s in &stats.steps {
        out.push_str(&s.verdict());
        out.push('\n');
        if s.too_recent > 0 {
            out.push_str(&format!(
                "  {} more invoice(s) got this step in the last {OBSERVE_DAYS} days: not counted yet\n",
                s.too_recent
            ));
        }
    }
    out.push_str(&shares_line(stats));
    out.push('\n');
    out
}

fn group_json(g: &Group) -> serde_json::Map<String, Value> {
    let mut o = serde_json::Map::new();
    o.insert("invoices".into(), g.invoices.into());
    for (i, w) in WINDOWS.iter().enumerate() {
        o.insert(format!("paid_within_{w}"), g.paid_within[i].into());
    }
    o.insert("unpaid".into(), g.unpaid.into());
    // Whole days or a half: exact as a JSON number.
    let median = g.median_days_to_pay.map(|m| {
        let n = m.normalize();
        if n.scale() == 0 { json!(n.mantissa() as i64) } else { json!(n.to_string().parse::<f64>().ok()) }
    });
    o.insert("median_days_to_pay".into(), median.unwrap_or(Value::Null));
    let amounts: serde_json::Map<String, Value> = g
        .amounts
        .iter()
        .map(|(c, a)| {
            let mut m = serde_json::Map::new();
            m.insert("invoices".into(), a.invoices.into());
            m.insert("open_at_step".into(), format_money(a.open_at_step).into());
            for (i, w) in WINDOWS.iter().enumerate() {
                m.insert(format!("paid_within_{w}"), format_money(a.paid_within[i]).into());
            }
            (c.to_string(), Value::Object(m))
        })
        .collect();
    o.insert("amounts".into(), Value::Object(amounts));
    o
}

pub fn json_stats(stats: &Effectiveness) -> Value {
    let steps: Vec<Value> = stats
        .steps
        .iter()
        .map(|s| {
            let mut o = serde_json::Map::new();
            o.insert("step".into(), s.step.name().into());
            o.extend(group_json(&s.with_step));
            o.insert("too_recent".into(), s.too_recent.into());
            o.insert("without_step".into(), Value::Object(group_json(&s.without_step)));
            o.insert("conclusive".into(), s.conclusive().into());
            o.insert("verdict".into(), s.verdict().into());
            Value::Object(o)
        })
        .collect();
    let opt = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string());
    json!({
        "as_of": stats.as_of.to_string(),
        "observe_days": OBSERVE_DAYS,
        "min_sample": MIN_SAMPLE,
        "steps": steps,
        "shares": {
            "invoices_due_12m": stats.invoices_due_12m,
            "reminded_12m": stats.reminded_12m,
            "collected_12m": stats.collected_12m,
            "reminder_share_pct": opt(stats.reminder_share()),
            "collection_share_pct": opt(stats.collection_share()),
            "rule_of_thumb_reminder_pct": RULE_OF_THUMB_REMINDED_PCT,
            "rule_of_thumb_collection_pct": RULE_OF_THUMB_COLLECTED_PCT,
        },
    })
}
