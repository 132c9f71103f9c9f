//! Tables for people in a terminal.

use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy, presets};

use super::{Cell, Table};
use crate::core::money::format_money_grouped;

/// Above this many rows a table is written as plain aligned columns: comfy-table keeps every
/// cell of every row as its own strings, which for a register of a hundred thousand customers
/// costs hundreds of megabytes that nobody reads on a screen anyway.
pub const BOXED_ROWS_MAX: usize = 5_000;

pub fn render(table: &Table, color: bool) -> String {
    if table.rows.len() > BOXED_ROWS_MAX {
        return render_plain(table);
    }
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
                Cell::Count(_) | Cell::Number(_) => (cell.plain(), true),
                other => (super::escape::printable(&other.plain()).into_owned(), false),
            };
            let c = comfy_table::Cell::new(text);
            if right { c.set_alignment(CellAlignment::Right) } else { c }
        }));
    }
    out.to_string()
}

fn display(cell: &Cell) -> (String, bool) {
    match cell {
        Cell::Money(m) => (format_money_grouped(*m), true),
        Cell::Count(_) | Cell::Number(_) => (cell.plain(), true),
        // Names and ids from data: an ESC sequence is shown, never run by the terminal.
        other => (super::escape::printable(&other.plain()).into_owned(), false),
    }
}

/// Aligned columns separated by two spaces, numbers right-aligned; two passes over the rows
/// (widths, then text) and one string per cell at a time.
fn render_plain(table: &Table) -> String {
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.chars().count()).collect();
    for row in &table.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(display(cell).0.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = (String, bool)>| {
        let mut text = String::new();
        for (i, ((value, right), width)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = width.saturating_sub(value.chars().count());
            if right {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(&value);
            } else {
                text.push_str(&value);
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    // Headers of number columns sit over the numbers, on the right.
    let right: Vec<bool> =
        table.rows.first().map_or_else(Vec::new, |r| r.iter().map(|c| display(c).1).collect());
    line(
        &mut table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), right.get(i).copied().unwrap_or(false))),
    );
    line(&mut widths.clone().iter().map(|w| ("-".repeat(*w), false)));
    for row in &table.rows {
        line(&mut row.iter().map(display));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn large_tables_are_plain_aligned_columns() {
        let mut t = Table::new(["customer", "total"]);
        for i in 0..=BOXED_ROWS_MAX {
            t.push(vec![Cell::text(format!("K{i}")), Cell::Money(Decimal::new(123456, 2))]);
        }
        let out = render(&t, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "customer     total");
        assert_eq!(lines[1], "--------  --------");
        assert_eq!(lines[2], "K0        1 234.56");
        assert_eq!(lines.len(), BOXED_ROWS_MAX + 3);
    }
}
