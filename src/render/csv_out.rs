//! CSV for spreadsheets and scripts: RFC 4180 quoting, and no cell that a spreadsheet would
//! run as a formula.

use rust_decimal::Decimal;

use super::{Cell, Table};
pub use crate::core::policy::CsvDialect;

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

/// [`render`] in a dialect.
pub fn render_in(table: &Table, dialect: CsvDialect) -> String {
    let mut csv = CsvWriter::new(dialect, 64 * (table.rows.len() + 1));
    csv.header(&table.columns);
    for row in &table.rows {
        for cell in row {
            csv.cell(cell);
        }
        csv.end_row();
    }
    csv.finish()
}

/// The rows as CSV in a dialect, with their columns as the header.
pub fn rows_csv(rows: &dyn super::Rows, dialect: CsvDialect) -> String {
    let mut csv = CsvWriter::new(dialect, 160 * (rows.len() + 1));
    csv.header(rows.columns());
    let mut out = csv.finish();
    each_block(rows, dialect, &mut |block| out.push_str(block));
    out
}

/// [`rows_csv`] written to `to` as it is made, never held whole.
pub fn write_rows(
    rows: &dyn super::Rows,
    dialect: CsvDialect,
    to: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut out = super::Sink::to(to);
    let mut csv = CsvWriter::new(dialect, 0);
    csv.header(rows.columns());
    out.text.push_str(&csv.finish());
    each_block(rows, dialect, &mut |block| {
        out.text.push_str(block);
        out.row_done();
    });
    out.finish().map(drop)
}

/// Every row's lines, a block of rows at a time (made on every core), to `put` in order.
fn each_block(rows: &dyn super::Rows, dialect: CsvDialect, put: &mut dyn FnMut(&str)) {
    let block = |range: std::ops::Range<usize>, text: &mut String| {
        let mut csv = CsvWriter::continuing(dialect, std::mem::take(text));
        rows.each_in(range, &mut |row| {
            for &value in row {
                csv.value(value);
            }
            csv.end_row();
        });
        *text = csv.finish();
    };
    super::blocks::in_blocks(rows.len(), &block, put);
}

/// CSV written field by field into one buffer in a [`CsvDialect`]: the delimiter, the decimal
/// mark of amounts, the line end and the byte-order mark are its; quoting (RFC 4180, only where
/// needed) and formula defusing are the same in both.
pub struct CsvWriter {
    out: String,
    dialect: CsvDialect,
    delimiter: char,
    /// No field written yet on this line.
    at_line_start: bool,
}

impl CsvWriter {
    pub fn new(dialect: CsvDialect, capacity: usize) -> CsvWriter {
        let mut out = String::with_capacity(capacity);
        if dialect == CsvDialect::Nordic {
            // Excel reads a file without one as the ANSI code page: "Ã¶" for "ö".
            out.push('\u{feff}');
        }
        let delimiter = match dialect {
            CsvDialect::Standard => ',',
            CsvDialect::Nordic => ';',
        };
        CsvWriter { out, dialect, delimiter, at_line_start: true }
    }

    /// A writer that goes on writing after `out` (no byte-order mark: `out` is not the file's
    /// start).
    fn continuing(dialect: CsvDialect, out: String) -> CsvWriter {
        let mut csv = CsvWriter::new(dialect, 0);
        csv.out = out;
        csv
    }

    pub fn header<S: AsRef<str>>(&mut self, names: &[S]) {
        for name in names {
            self.field(name.as_ref());
        }
        self.end_row();
    }

    fn separate(&mut self) {
        if !self.at_line_start {
            self.out.push(self.delimiter);
        }
        self.at_line_start = false;
    }

    /// A field as it is, quoted where it must be.
    pub fn field(&mut self, text: &str) {
        self.separate();
        // Bytes, not chars: the four are ASCII, which no byte of a longer UTF-8 character is
        // (a search for chars decoded every character: a fifth of writing `check`'s CSV). And
        // every byte read, without stopping at the first found: nearly every field has none,
        // and a test of all bytes runs many at a time (a byte at a time was 4 % of `check`).
        let delimiter = self.delimiter as u8;
        let special = |b: u8| (b == delimiter) | (b == b'"') | (b == b'\n') | (b == b'\r');
        if text.bytes().fold(false, |found, b| found | special(b)) {
            // Quotes doubled as the text is copied, not in a copy of their own.
            self.out.push('"');
            let mut parts = text.split('"');
            self.out.push_str(parts.next().unwrap_or_default());
            for part in parts {
                self.out.push_str("\"\"");
                self.out.push_str(part);
            }
            self.out.push('"');
        } else {
            self.out.push_str(text);
        }
    }

    /// Text from the data: defused against formulas.
    pub fn text(&mut self, text: &str) {
        self.field(&defuse(text));
    }

    /// An amount with two decimals, no grouping, the dialect's decimal mark.
    pub fn money(&mut self, amount: Decimal) {
        self.separate();
        let start = self.out.len();
        crate::core::money::write_money(&mut self.out, amount);
        self.nordic_decimal_mark(start);
    }

    fn nordic_decimal_mark(&mut self, start: usize) {
        if self.dialect == CsvDialect::Nordic
            && let Some(at) = self.out[start..].find('.')
        {
            self.out.replace_range(start + at..start + at + 1, ",");
        }
    }

    pub fn cell(&mut self, cell: &Cell) {
        match cell {
            Cell::Text(t) => self.text(t),
            Cell::Money(m) => self.money(*m),
            Cell::Number(_) => {
                self.separate();
                let start = self.out.len();
                cell.write_plain(&mut self.out);
                self.nordic_decimal_mark(start);
            }
            Cell::Count(_) | Cell::Date(_) | Cell::Empty => {
                self.separate();
                cell.write_plain(&mut self.out);
            }
        }
    }

    /// A value as [`CsvWriter::cell`] writes the cell it stands for.
    pub fn value(&mut self, value: super::Value<'_>) {
        use super::Value;
        match value {
            Value::Text(t) => self.text(t),
            Value::Money(m) => self.money(m),
            Value::Number(n) => self.cell(&Cell::Number(n)),
            Value::Count(n) => self.cell(&Cell::Count(n)),
            Value::Date(d) => self.cell(&Cell::Date(d)),
            Value::Empty => self.cell(&Cell::Empty),
        }
    }

    pub fn end_row(&mut self) {
        self.out.push_str(match self.dialect {
            CsvDialect::Standard => "\n",
            CsvDialect::Nordic => "\r\n",
        });
        self.at_line_start = true;
    }

    pub fn finish(self) -> String {
        self.out
    }
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
    let header: Vec<Cell> = table.columns.iter().map(|c| Cell::Text(c.clone())).collect();
    for row in std::iter::once(&header).chain(&table.rows) {
        push_verbatim_line(&mut out, row, &mut field);
    }
    out
}

/// One line of [`render_verbatim`], `\n` included; `field` is a buffer kept between lines, so
/// that a batch written line by line (`dun collect`) makes no string per cell.
pub fn push_verbatim_line(out: &mut String, row: &[Cell], field: &mut String) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field.clear();
        match cell {
            Cell::Text(t) => field.push_str(&super::escape::printable(t)),
            other => other.write_plain(field),
        }
        push_field(out, field);
    }
    out.push('\n');
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

    #[test]
    fn formulas_are_defused_but_amounts_are_not() {
        let mut t = Table::new(["a", "b"]);
        t.push(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::Money(Decimal::new(-1050, 2))]);
        t.push(vec![Cell::text("Berg, Holm & Co"), Cell::Money(Decimal::ZERO)]);
        assert_eq!(render(&t), "a,b\n\"'=HYPERLINK(\"\"x\"\")\",-10.50\n\"Berg, Holm & Co\",0.00\n");
        assert_eq!(render_in(&t, CsvDialect::Standard), render(&t));
    }

    proptest::proptest! {
        /// Whatever a field holds (quotes at either end or side by side, delimiters, line
        /// breaks), a CSV reader reads back what was written, in either dialect.
        #[test]
        fn fields_read_back_as_written(
            fields in proptest::collection::vec("[a\"\",;\r\nå ]{0,8}", 1..4),
            nordic in proptest::bool::ANY,
        ) {
            let dialect = if nordic { CsvDialect::Nordic } else { CsvDialect::Standard };
            let mut csv = CsvWriter::new(dialect, 0);
            // A first field that is there, so that no row is an empty line (which readers skip).
            let fields: Vec<String> = std::iter::once("x".to_owned()).chain(fields).collect();
            for field in &fields {
                csv.field(field);
            }
            csv.end_row();
            let written = csv.finish();
            let mut reader = ::csv::ReaderBuilder::new()
                .has_headers(false)
                .delimiter(if nordic { b';' } else { b',' })
                .from_reader(written.trim_start_matches('\u{feff}').as_bytes());
            let read: Vec<String> = reader
                .records()
                .next()
                .and_then(Result::ok)
                .map(|r| r.iter().map(str::to_owned).collect())
                .unwrap_or_default();
            proptest::prop_assert_eq!(read, fields, "{:?}", written);
        }
    }

    #[test]
    fn the_nordic_dialect_is_what_nordic_excel_opens_as_columns_of_numbers() {
        let mut t = Table::new(["kund", "belopp", "dagar", "förfallo", "andel"]);
        t.push(vec![
            Cell::text("Berg; Holm & Co, Umeå"),
            Cell::Money(Decimal::new(-123456, 2)),
            Cell::Count(12),
            Cell::Date(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
            Cell::Number(Decimal::new(125, 1)),
        ]);
        t.push(vec![
            Cell::text("@SUM(A1)"),
            Cell::Money(Decimal::ZERO),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
        assert_eq!(
            render_in(&t, CsvDialect::Nordic),
            "\u{feff}kund;belopp;dagar;förfallo;andel\r\n\
             \"Berg; Holm & Co, Umeå\";-1234,56;12;2026-11-30;12,5\r\n\
             '@SUM(A1);0,00;;;\r\n"
        );
    }
}
