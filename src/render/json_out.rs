//! Rows as a JSON list of objects, written as they are made: the text `serde_json`'s pretty
//! printer makes of [`super::Table::json_rows`], without a tree of JSON values or the whole
//! text held for a listing of a million rows.

use std::io::Write;

use super::escape::push_json_string;
use super::{Rows, Sink, Value};

/// Each column's key as JSON text with its position, in the order a JSON object's keys are
/// written (sorted, as `serde_json` sorts them; of a name given twice the last column).
pub fn keys(columns: &[String]) -> Vec<(String, usize)> {
    let mut keys: Vec<(String, usize)> = columns.iter().cloned().zip(0..).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    keys.dedup_by(|later, first| later.0 == first.0);
    for (key, _) in &mut keys {
        let mut text = String::with_capacity(key.len() + 2);
        push_json_string(&mut text, key);
        *key = text;
    }
    keys
}

/// `rows` as `serde_json::to_string_pretty` writes their [`super::Table::json_rows`], and a
/// line end.
pub fn write_rows(rows: &dyn Rows, to: &mut dyn Write) -> std::io::Result<()> {
    let keys = keys(rows.columns());
    let mut out = Sink::to(to);
    // The rows, a block at a time on every core.
    let block = |range: std::ops::Range<usize>, text: &mut String| {
        let mut at = range.start;
        rows.each_in(range, &mut |values| {
            text.push_str(if at == 0 { "[\n  {" } else { ",\n  {" });
            at += 1;
            // A row shorter than the columns has no key for the columns it lacks.
            let mut first_key = true;
            for (key, column) in &keys {
                let Some(&value) = values.get(*column) else { continue };
                text.push_str(if first_key { "\n    " } else { ",\n    " });
                first_key = false;
                text.push_str(key);
                text.push_str(": ");
                push_value(text, value);
            }
            text.push_str(if first_key { "}" } else { "\n  }" });
        });
    };
    super::blocks::in_blocks(rows.len(), &block, &mut |block| {
        out.text.push_str(block);
        out.row_done();
    });
    out.text.push_str(if rows.is_empty() { "[]\n" } else { "\n]\n" });
    out.finish().map(drop)
}

/// A value as [`super::Cell::json`] has it: a count as a number, nothing as `null`, anything
/// else as a string of its plain form (money as text, so no reader turns it into a float).
pub fn push_value(out: &mut String, value: Value<'_>) {
    use std::fmt::Write;
    match value {
        Value::Count(n) => out.push_str(itoa::Buffer::new().format(n)),
        Value::Empty => out.push_str("null"),
        Value::Text(text) => push_json_string(out, text),
        Value::Money(m) => {
            out.push('"');
            crate::core::money::write_money(out, m);
            out.push('"');
        }
        Value::Number(n) => {
            let _ = write!(out, "\"{n}\"");
        }
        Value::Date(d) => {
            out.push('"');
            crate::core::date::write_date(out, d);
            out.push('"');
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::*;
    use crate::render::{Cell, Table};

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            "[a-zÅ\"\\\\\\x00-\\x1f\\x7f =+-]{0,12}".prop_map(Cell::Text),
            (any::<i64>(), 0u32..4).prop_map(|(n, scale)| Cell::Money(Decimal::new(n, scale))),
            (any::<i64>(), 0u32..6).prop_map(|(n, scale)| Cell::Number(Decimal::new(n, scale))),
            any::<i64>().prop_map(Cell::Count),
            (0i32..200_000).prop_map(|d| Cell::Date(
                NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(d as u64)
            )),
            Just(Cell::Empty),
        ]
    }

    proptest! {
        /// Written row by row, the very text `serde_json` pretty-prints of the table's JSON
        /// values: keys sorted, a name given twice keeping its last column, escapes, numbers
        /// and nulls, an empty list.
        #[test]
        fn rows_written_are_serde_jsons_pretty_text(
            columns in proptest::collection::vec("[a-c\"é_]{1,3}", 1..6),
            cells in proptest::collection::vec(proptest::collection::vec(cell(), 6), 0..40),
        ) {
            let mut table = Table::new(columns.clone());
            for row in cells {
                table.push(row[..columns.len()].to_vec());
            }
            let mut written = Vec::new();
            write_rows(&table, &mut written).unwrap();
            let expected = serde_json::to_string_pretty(&table.json_rows()).unwrap() + "\n";
            prop_assert_eq!(String::from_utf8(written).unwrap(), expected);
        }
    }

    #[test]
    fn a_listing_larger_than_a_piece_is_written_whole_in_pieces() {
        let mut table = Table::new(vec!["name", "open"]);
        for n in 0..5_000 {
            table.push(vec![Cell::text(format!("Kund \"{n}\"")), Cell::Money(Decimal::new(n, 1))]);
        }
        let mut written = Vec::new();
        write_rows(&table, &mut written).unwrap();
        assert!(written.len() > 4 * 65_536, "{}", written.len());
        let expected = serde_json::to_string_pretty(&table.json_rows()).unwrap() + "\n";
        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }
}
