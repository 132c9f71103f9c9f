//! Values out: one neutral [`Table`] of typed cells, rendered as a terminal table, CSV or JSON.

pub mod csv_out;
pub mod escape;
pub mod html;
pub mod text;

use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Money(Decimal),
    Count(i64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn opt_money(m: Option<Decimal>) -> Cell {
        m.map_or(Cell::Empty, Cell::Money)
    }

    pub fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    /// The plain machine form: `.` decimals with two places, ISO dates.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        self.write_plain(&mut out);
        out
    }

    /// [`Cell::plain`] into a buffer.
    pub fn write_plain(&self, out: &mut String) {
        use std::fmt::Write;
        match self {
            Cell::Text(s) => out.push_str(s),
            Cell::Money(m) => crate::core::money::write_money(out, *m),
            Cell::Count(n) => {
                let _ = write!(out, "{n}");
            }
            Cell::Date(d) => {
                let _ = write!(out, "{}", d.format("%Y-%m-%d"));
            }
            Cell::Empty => {}
        }
    }

    /// JSON: money as a string so no reader turns it into a float.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Cell::Count(n) => serde_json::Value::from(*n),
            Cell::Empty => serde_json::Value::Null,
            other => serde_json::Value::String(other.plain()),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Table {
        Table { columns: columns.into_iter().map(Into::into).collect(), rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Rows as JSON objects keyed by column name.
    pub fn json_rows(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    serde_json::Value::Object(
                        self.columns.iter().cloned().zip(row.iter().map(Cell::json)).collect(),
                    )
                })
                .collect(),
        )
    }
}

/// The output formats every listing command offers. A new format is a variant here, its
/// extension in [`Format::from_extension`], and a renderer module beside `text` and `csv_out`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
    /// One self-contained page with pictures: `dun report` only.
    Html,
}

impl Format {
    /// The file extensions `-o` recognises, for messages.
    pub const EXTENSIONS: &[&str] = &["txt", "csv", "json", "html"];

    /// The format a lower-case file extension names.
    pub fn from_extension(extension: &str) -> Option<Format> {
        match extension {
            "txt" => Some(Format::Table),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}
