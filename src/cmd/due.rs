//! `dun due`: the plan for the as-of date (changes nothing); `--all` shows every open
//! invoice's state, `--until DATE` forecasts day by day what falls due if nothing is paid.

use anyhow::{Result, bail};

use crate::cli::DueArgs;
use crate::context::Context;
use crate::core::dunning::{Decision, Outcome, State, decide, forecast};
use crate::core::ledger::Ledger;
use crate::io::ledger_dir;
use crate::render::{Cell, Sheet, Table, View, text};

pub fn run(ctx: &Context, args: &DueArgs) -> Result<()> {
    let ledger = ledger_dir::load_ledger(&ctx.dir)?;
    let outcome = decide(&ledger, ctx.as_of);
    // The plan is shown even when the policy asks for something illegal; remind and collect
    // refuse to act on it.
    if let (Err(e), false) = (report_problems(ctx, &outcome), ctx.quiet) {
        eprintln!("dun: warning: {e:#}\n(dun remind and dun collect will refuse until this is fixed)");
    }
    // One list of (forecast day, decision), made into whichever form is asked for.
    let decisions: Vec<(Option<chrono::NaiveDate>, std::borrow::Cow<'_, Decision>)> = match args.until {
        Some(until) => forecast(&ledger, ctx.as_of, until)
            .into_iter()
            .map(|(day, d)| (Some(day), std::borrow::Cow::Owned(d)))
            .collect(),
        None => {
            let mut listed: Vec<&Decision> =
                outcome.decisions.iter().filter(|d| args.all || d.state.action().is_some()).collect();
            listed.sort_by(|a, b| (&a.customer, &a.invoice).cmp(&(&b.customer, &b.invoice)));
            listed.into_iter().map(|d| (None, std::borrow::Cow::Borrowed(d))).collect()
        }
    };
    let table = || {
        let mut table = decision_table(&ledger, args.until.is_some());
        for (day, d) in &decisions {
            table.push(decision_row(&ledger, d, *day));
        }
        table
    };
    let title = match args.until {
        Some(until) => format!("Due from {} to {until}", ctx.as_of),
        None => format!("Due on {}", ctx.as_of),
    };
    let view = View::new(title, || vec![Sheet::new("Due", table())])
        .text(|color| match decisions.is_empty() {
            true => format!("Nothing is due on {}.\n", ctx.as_of),
            false => text::render(&table(), color) + "\n",
        })
        .json(|| Ok(serde_json::to_string_pretty(&table().json_rows())? + "\n"));
    ctx.emit(view, Some(&ledger.policy))
}

/// Statutory violations stop the command (exit 1); stale-rate warnings go to stderr, even
/// with -q: a letter would state interest at a rate carried forward.
pub fn report_problems(ctx: &Context, outcome: &Outcome) -> Result<()> {
    let _ = ctx;
    for w in &outcome.warnings {
        eprintln!("dun: warning: {w}");
    }
    if outcome.violations.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = outcome
        .violations
        .iter()
        .map(|(invoice, v)| format!("invoice {invoice}: {v} [{}]", v.rule))
        .collect();
    lines.dedup();
    bail!(
        "policy.toml asks for more than the law allows; change [reminder] (fee, fee_agreed, after_days, max) and run again:\n{}",
        lines.join("\n")
    )
}

fn decision_table(_ledger: &Ledger, with_date: bool) -> Table {
    let mut columns = vec![
        "action",
        "customer",
        "invoice",
        "currency",
        "open",
        "days_overdue",
        "fee",
        "interest",
        "compensation",
        "step",
        "pay_by",
        "next_date",
        "name",
        "detail",
    ];
    if with_date {
        columns.push("date");
    }
    // A narrow terminal keeps what, whom, which invoice and how much.
    Table::new(columns).droppable([
        "detail",
        "next_date",
        "compensation",
        "step",
        "interest",
        "fee",
        "pay_by",
        "days_overdue",
    ])
}

pub(crate) fn decision_row(ledger: &Ledger, d: &Decision, day: Option<chrono::NaiveDate>) -> Vec<Cell> {
    let name = ledger.customer(&d.customer).map_or("", |c| c.name.as_str());
    let next = d.next_date;
    let detail = match &d.state {
        State::Waiting(_) => d.why.last().cloned().unwrap_or_default(),
        State::Paused(why) => why.clone(),
        State::InCollection(since) => format!("handed over {since}"),
        State::Due(_) | State::NotDue => String::new(),
    };
    let mut row = vec![
        Cell::text(d.state.name()),
        Cell::text(&d.customer),
        Cell::text(&d.invoice),
        Cell::text(d.currency.as_str()),
        Cell::Money(d.open),
        Cell::Count(d.days_overdue),
        Cell::Money(d.fee),
        Cell::Money(d.interest),
        Cell::Money(d.compensation),
        Cell::Count(i64::from(d.step)),
        Cell::opt_date(d.pay_by),
        Cell::opt_date(next),
        Cell::text(name),
        Cell::text(detail),
    ];
    if let Some(day) = day {
        row.push(Cell::Date(day));
    }
    row
}
