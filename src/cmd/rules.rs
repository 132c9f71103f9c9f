//! `dun rules [--country CC]`: every statutory figure and rule of the built-in packs in force on
//! the as-of date, per country, with its in-force date, source and confidence mark (SPEC §7).
//! In a ledger directory, beside each figure what the ledger's policy makes `dun` apply
//! (SPEC §5): what `dun` will charge and why, for the user or their accountant.

use anyhow::Result;

use crate::cli::RulesArgs;
use crate::context::Context;
use crate::core::rules::LawDates;
use crate::core::rules::applied::rules_under_policy;
use crate::core::rules::listing::{packs, rules_in_force};
use crate::io::ledger_dir;
use crate::render::{Cell, Sheet, Table, View, text};

const LEGEND: &str = "✅ statute or official body, ◐ secondary source, ⚠ derived or unconfirmed";

pub fn run(ctx: &Context, args: &RulesArgs) -> Result<()> {
    // `Needs::DATE_AND_ANY_LEDGER`: the directory holds a policy.toml when there is a ledger.
    let policy_path = ctx.path(ledger_dir::POLICY);
    let policy = if policy_path.is_file() { Some(ledger_dir::load_policy(&ctx.dir)?) } else { None };
    let mut columns = vec!["country", "debtor", "rule", "value", "in_force", "source", "confidence", "mark"];
    if policy.is_some() {
        columns.push("policy");
    }
    let mut table = Table::new(columns);
    for pack in packs(args.country.as_deref()) {
        let rows = match &policy {
            Some(p) => rules_under_policy(pack, ctx.as_of, p),
            None => rules_in_force(pack, ctx.as_of, &LawDates::default()),
        };
        for row in rows {
            let mut cells = vec![
                Cell::text(row.country),
                Cell::text(row.debtor),
                Cell::text(row.rule),
                Cell::text(row.value),
                Cell::opt_date(row.in_force),
                Cell::text(row.source),
                Cell::text(row.confidence.name()),
                Cell::text(row.confidence.mark()),
            ];
            if policy.is_some() {
                cells.push(row.policy.map_or(Cell::Empty, Cell::text));
            }
            table.push(cells);
        }
    }
    let (title, explained) = match &policy {
        Some(_) => (
            format!("Rules dun applies on {} under {}", ctx.as_of, policy_path.display()),
            format!(
                "value: the statutory figure ({LEGEND}); policy: what the policy makes dun apply instead or within it, with the key that says so (empty: the statutory figure)"
            ),
        ),
        None => (
            format!("Statutory rules in force on {}", ctx.as_of),
            format!("{LEGEND}; the built-in packs: no ledger directory here, so no policy.toml is applied"),
        ),
    };
    let view = View::new(title.clone(), || vec![Sheet::of("Rules", &table)])
        .text(|color| format!("{title}\n{explained}\n{}\n", text::render(&table, color)))
        .json(|| Ok(serde_json::to_string_pretty(&table.json_rows())? + "\n"));
    ctx.emit(view, policy.as_ref())
}
