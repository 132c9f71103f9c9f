//! CSV for spreadsheets and scripts: RFC 4180 quoting, and no cell that a spreadsheet would
//! run as a formula.

use super::{Cell, Table};

/// Prefixes text that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR)
/// with `'`, as OWASP advises. Amounts are not text and keep their minus sign.
pub fn defuse(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// RFC 4180 CSV with `\n` line ends: a field is quoted only when it holds a comma, a quote or a
/// line break. Written into one buffer, cell by cell, without a string per cell.
pub fn render(table: &Table) -> String {
    render_rows(&table.columns, table.rows.iter().map(|r| r.as_slice()))
}

/// [`render`] for rows made one at a time, so a large report never exists twice in memory.
pub fn render_rows<'r, R: AsRef<[Cell]> + 'r>(columns: &[String], rows: impl Iterator<Item = R>) -> String {
    let mut out = String::new();
    let mut field = String::new();
    for (i, name) in columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(&mut out, name);
    }
    out.push('\n');
    for row in rows {
        for (i, cell) in row.as_ref().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match cell {
                Cell::Text(t) => push_field(&mut out, &defuse(t)),
                other => {
                    field.clear();
                    other.write_plain(&mut field);
                    push_field(&mut out, &field);
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Text for a CSV field: defused against formulas, quoted when it must be.
pub fn push_text(out: &mut String, text: &str) {
    push_field(out, &defuse(text));
}

/// [`render`] for a data interchange file another program reads by machine (the agency
/// batch): values verbatim, not defused (a phone `+46 70 ...` stays a phone), control
/// characters escaped.
pub fn render_verbatim(table: &Table) -> String {
    let mut out = String::new();
    let mut field = String::new();
    let rows = std::iter::once(table.columns.iter().map(|c| Cell::Text(c.clone())).collect::<Vec<_>>());
    for row in rows.chain(table.rows.iter().cloned()) {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field.clear();
            match cell {
                Cell::Text(t) => field.push_str(&super::escape::printable(t)),
                other => other.write_plain(&mut field),
            }
            push_field(&mut out, &field);
        }
        out.push('\n');
    }
    out
}

/// A field as RFC 4180 writes it.
pub fn push_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn formulas_are_defused_but_amounts_are_not() {
        let mut t = Table::new(["a", "b"]);
        t.push(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::Money(Decimal::new(-1050, 2))]);
        t.push(vec![Cell::text("Berg, Holm & Co"), Cell::Money(Decimal::ZERO)]);
        assert_eq!(render(&t), "a,b\n\"'=HYPERLINK(\"\"x\"\")\",-10.50\n\"Berg, Holm & Co\",0.00\n");
    }
}
