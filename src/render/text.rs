//! Tables for people in a terminal.

use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy, presets};

use super::{Cell, Table};
use crate::core::money::format_money_grouped;

pub fn render(table: &Table, color: bool) -> String {
    let mut out = Comfy::new();
    out.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    if color {
        out.enforce_styling();
        out.set_header(
            table
                .columns
                .iter()
                .map(|c| comfy_table::Cell::new(c).add_attribute(comfy_table::Attribute::Bold)),
        );
    } else {
        out.force_no_tty();
        out.set_header(&table.columns);
    }
    for row in &table.rows {
        out.add_row(row.iter().map(|cell| {
            let (text, right) = match cell {
                Cell::Money(m) => (format_money_grouped(*m), true),
                Cell::Count(_) => (cell.plain(), true),
                other => (other.plain(), false),
            };
            let c = comfy_table::Cell::new(text);
            if right { c.set_alignment(CellAlignment::Right) } else { c }
        }));
    }
    out.to_string()
}
