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

pub fn render(table: &Table) -> String {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(&table.columns);
    for row in &table.rows {
        let fields: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(t) => defuse(t).into_owned(),
                other => other.plain(),
            })
            .collect();
        let _ = writer.write_record(&fields);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
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
