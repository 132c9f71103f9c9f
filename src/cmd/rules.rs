//! `dun rules [--country CC]`: every statutory figure and rule of the built-in packs in force on
//! the as-of date, per country, with its in-force date, source and confidence mark (SPEC §7).
//! What `dun` will charge and why, for the user or their accountant.

use anyhow::Result;

use crate::cli::RulesArgs;
use crate::context::Context;
use crate::core::rules::LawDates;
use crate::core::rules::listing::{packs, rules_in_force};
use crate::render::{Cell, Sheet, Table, View, text};

pub fn run(ctx: &Context, args: &RulesArgs) -> Result<()> {
    let mut table =
        Table::new(["country", "debtor", "rule", "value", "in_force", "source", "confidence", "mark"]);
    for pack in packs(args.country.as_deref()) {
        for row in rules_in_force(pack, ctx.as_of, &LawDates::default()) {
            table.push(vec![
                Cell::text(row.country),
                Cell::text(row.debtor),
                Cell::text(row.rule),
                Cell::text(row.value),
                Cell::opt_date(row.in_force),
                Cell::text(row.source),
                Cell::text(row.confidence.name()),
                Cell::text(row.confidence.mark()),
            ]);
        }
    }
    let title = format!("Statutory rules in force on {}", ctx.as_of);
    let view = View::new(title.clone(), || vec![Sheet::of("Rules", &table)])
        .text(|color| {
            format!(
                "{title} (✅ statute or official body, ◐ secondary source, ⚠ derived or unconfirmed)\n{}\n",
                text::render(&table, color)
            )
        })
        .json(|| Ok(serde_json::to_string_pretty(&table.json_rows())? + "\n"));
    ctx.emit(view, None)
}
