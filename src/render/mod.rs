//! Values out: one neutral [`Table`] of typed cells, rendered as a terminal table, CSV, JSON,
//! an Excel workbook or HTML. A command describes what it shows once, as a [`View`]; which form
//! is made is decided here, in [`View::render`], and only that form is made.

pub(crate) mod blocks;
pub mod csv_out;
pub mod escape;
pub mod html;
pub mod json_out;
pub mod text;
pub mod xlsx;

use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Money(Decimal),
    /// A figure that is not money: a share in per cent, days on average.
    Number(Decimal),
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
            Cell::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Cell::Count(n) => out.push_str(itoa::Buffer::new().format(*n)),
            Cell::Date(d) => {
                crate::core::date::write_date(out, *d);
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

/// A cell read where it is kept: text borrowed, not copied into a [`Cell`]. What the plain
/// table layout ([`text::render_large`]) reads rows as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Text(&'a str),
    Money(Decimal),
    Number(Decimal),
    Count(i64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    /// The cell as a [`Value`].
    pub fn value(&self) -> Value<'_> {
        match self {
            Cell::Text(t) => Value::Text(t),
            Cell::Money(m) => Value::Money(*m),
            Cell::Number(n) => Value::Number(*n),
            Cell::Count(n) => Value::Count(*n),
            Cell::Date(d) => Value::Date(*d),
            Cell::Empty => Value::Empty,
        }
    }
}

impl From<Value<'_>> for Cell {
    fn from(value: Value<'_>) -> Cell {
        match value {
            Value::Text(t) => Cell::text(t),
            Value::Money(m) => Cell::Money(m),
            Value::Number(n) => Cell::Number(n),
            Value::Count(n) => Cell::Count(n),
            Value::Date(d) => Cell::Date(d),
            Value::Empty => Cell::Empty,
        }
    }
}

/// Where rendered text goes: kept whole, or handed on to a writer in pieces as it is made, so
/// that an output of millions of rows is never held whole (see [`View::large`]).
pub(crate) struct Sink<'w> {
    pub(crate) text: String,
    to: Option<&'w mut dyn std::io::Write>,
    failed: Option<std::io::Error>,
}

/// How much text a [`Sink`] gathers before handing it on.
const SPILL_AT: usize = 1 << 16;

impl<'w> Sink<'w> {
    /// Text kept whole, in a buffer of this capacity.
    pub(crate) fn whole(capacity: usize) -> Sink<'static> {
        Sink { text: String::with_capacity(capacity), to: None, failed: None }
    }

    /// Text handed to `to` as it is made.
    pub(crate) fn to(to: &'w mut dyn std::io::Write) -> Sink<'w> {
        Sink { text: String::with_capacity(SPILL_AT + 1024), to: Some(to), failed: None }
    }

    /// Room for this much text, when it is kept whole (sized once, never regrown).
    pub(crate) fn reserve_whole(&mut self, bytes: usize) {
        if self.to.is_none() {
            self.text.reserve(bytes);
        }
    }

    /// At the end of a row: hands the text on once there is enough of it.
    pub(crate) fn row_done(&mut self) {
        if self.text.len() >= SPILL_AT {
            self.spill();
        }
    }

    fn spill(&mut self) {
        let Some(to) = self.to.as_mut() else { return };
        if self.failed.is_none()
            && let Err(e) = to.write_all(self.text.as_bytes())
        {
            self.failed = Some(e);
        }
        self.text.clear();
    }

    /// The text kept (nothing when it was handed on), or the first error writing it.
    pub(crate) fn finish(mut self) -> std::io::Result<String> {
        self.spill();
        match self.failed {
            Some(e) => Err(e),
            None => Ok(self.text),
        }
    }
}

/// Rows a renderer reads more than once (widths first, then lines) without their being kept
/// as a [`Table`]: a [`Table`] itself, or a command's own values listed one row at a time.
/// Shared between threads: a large output is made a block of rows at a time on every core
/// (`blocks`).
pub trait Rows: Sync {
    fn columns(&self) -> &[String];
    /// What [`Table::droppable`] names: none, unless the rows say.
    fn droppable(&self) -> &[String] {
        &[]
    }
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Calls `row` with each row's values, in order, as many times as it is asked.
    fn each(&self, row: &mut dyn FnMut(&[Value<'_>])) {
        self.each_in(0..self.len(), row);
    }
    /// [`Rows::each`] for the rows `range` (within `0..len()`) only.
    fn each_in(&self, range: std::ops::Range<usize>, row: &mut dyn FnMut(&[Value<'_>]));
}

impl Rows for Table {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn droppable(&self) -> &[String] {
        &self.droppable
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn each_in(&self, range: std::ops::Range<usize>, row: &mut dyn FnMut(&[Value<'_>])) {
        let mut values = Vec::with_capacity(self.columns.len());
        for cells in &self.rows[range] {
            values.clear();
            values.extend(cells.iter().map(Cell::value));
            row(&values);
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Columns a narrow terminal may leave out, the first named first ([`text`] says when);
    /// the others are only ever cut. Set with [`Table::droppable`].
    pub droppable: Vec<String>,
}

impl Table {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Table {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            droppable: Vec::new(),
        }
    }

    /// Names the columns a narrow terminal may leave out, the least needed first.
    pub fn droppable<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Table {
        self.droppable = columns.into_iter().map(Into::into).collect();
        debug_assert!(self.droppable.iter().all(|d| self.columns.contains(d)), "{:?}", self.droppable);
        self
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
    /// An Excel workbook: typed cells, one sheet per table.
    Xlsx,
}

impl Format {
    /// The file extensions `-o` recognises, for messages.
    pub const EXTENSIONS: &[&str] = &["txt", "csv", "json", "html", "xlsx"];

    /// The format a lower-case file extension names.
    pub fn from_extension(extension: &str) -> Option<Format> {
        match extension {
            "txt" => Some(Format::Table),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "html" | "htm" => Some(Format::Html),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// A table with a name: a sheet of a workbook, a section of a page. It borrows the table
/// where the command keeps it for other forms too.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet<'a> {
    pub name: String,
    pub table: std::borrow::Cow<'a, Table>,
}

impl<'a> Sheet<'a> {
    pub fn new(name: impl Into<String>, table: Table) -> Sheet<'a> {
        Sheet { name: name.into(), table: std::borrow::Cow::Owned(table) }
    }

    pub fn of(name: impl Into<String>, table: &'a Table) -> Sheet<'a> {
        Sheet { name: name.into(), table: std::borrow::Cow::Borrowed(table) }
    }
}

/// A form given as a writer, held whole.
fn gathered(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    write(&mut bytes)?;
    Ok(String::from_utf8(bytes)?)
}

/// How a view is rendered, besides its format.
#[derive(Clone, Copy, Debug)]
pub struct RenderSettings {
    pub color: bool,
    pub csv: csv_out::CsvDialect,
    /// The as-of date: a workbook's creation date, so that its bytes repeat.
    pub as_of: NaiveDate,
    /// `--redact`'s masks (value, mask): text outputs are masked whole as they are written,
    /// a workbook's text cells here.
    pub redact: Option<&'static [(String, String)]>,
}

type Make<'a, T> = Box<dyn FnOnce() -> T + 'a>;
/// A form written to a writer as it is made (given colour, for text).
type WriteText<'a> = Box<dyn FnOnce(bool, &mut dyn std::io::Write) -> std::io::Result<()> + 'a>;
type WriteJson<'a> = Box<dyn FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + 'a>;
type WriteCsv<'a> = Box<dyn FnOnce(csv_out::CsvDialect, &mut dyn std::io::Write) -> std::io::Result<()> + 'a>;
/// What [`View::streamed`] hands the output.
pub type Streamed<'a> = Box<dyn FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + 'a>;

/// What a command shows, in every form it offers. The tables ([`View::new`]) are the source of
/// the spreadsheet forms: CSV carries the first, a workbook all of them. Text and JSON default
/// to the tables too; a command with a richer form of either gives its own.
pub struct View<'a> {
    title: String,
    sheets: Make<'a, Vec<Sheet<'a>>>,
    text: Option<Box<dyn FnOnce(bool) -> String + 'a>>,
    json: Option<Make<'a, anyhow::Result<String>>>,
    csv: Option<Box<dyn FnOnce(csv_out::CsvDialect) -> String + 'a>>,
    html: Option<Make<'a, anyhow::Result<String>>>,
    large: Option<&'a dyn Rows>,
    text_to: Option<WriteText<'a>>,
    json_to: Option<WriteJson<'a>>,
    csv_to: Option<WriteCsv<'a>>,
}

impl<'a> View<'a> {
    /// `title` names the whole (a workbook's title); `sheets` makes its tables, main one first.
    pub fn new(title: impl Into<String>, sheets: impl FnOnce() -> Vec<Sheet<'a>> + 'a) -> View<'a> {
        View {
            title: title.into(),
            sheets: Box::new(sheets),
            text: None,
            json: None,
            csv: None,
            html: None,
            large: None,
            text_to: None,
            json_to: None,
            csv_to: None,
        }
    }

    /// The form for people in a terminal (given whether to colour it).
    pub fn text(mut self, make: impl FnOnce(bool) -> String + 'a) -> View<'a> {
        self.text = Some(Box::new(make));
        self
    }

    pub fn json(mut self, make: impl FnOnce() -> anyhow::Result<String> + 'a) -> View<'a> {
        self.json = Some(Box::new(make));
        self
    }

    /// CSV written without the tables, for outputs too large to hold twice.
    pub fn csv(mut self, make: impl FnOnce(csv_out::CsvDialect) -> String + 'a) -> View<'a> {
        self.csv = Some(Box::new(make));
        self
    }

    pub fn html(mut self, make: impl FnOnce() -> anyhow::Result<String> + 'a) -> View<'a> {
        self.html = Some(Box::new(make));
        self
    }

    /// The text form as a writer: written as it is made where no width is fitted (see
    /// [`View::streamed`]), else gathered whole.
    pub fn text_to(
        mut self,
        write: impl FnOnce(bool, &mut dyn std::io::Write) -> std::io::Result<()> + 'a,
    ) -> View<'a> {
        self.text_to = Some(Box::new(write));
        self
    }

    /// The JSON form as a writer: written as it is made (see [`View::streamed`]).
    pub fn json_to(
        mut self,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + 'a,
    ) -> View<'a> {
        self.json_to = Some(Box::new(write));
        self
    }

    /// The CSV form as a writer: written as it is made (see [`View::streamed`]).
    pub fn csv_to(
        mut self,
        write: impl FnOnce(csv_out::CsvDialect, &mut dyn std::io::Write) -> std::io::Result<()> + 'a,
    ) -> View<'a> {
        self.csv_to = Some(Box::new(write));
        self
    }

    /// The rows the text and CSV forms are made of, for a view whose text form, once it has
    /// more than [`text::BOXED_ROWS_MAX`] rows, is their plain layout
    /// ([`text::render_large`]) and a line end, and whose CSV form is
    /// [`csv_out::rows_csv`] of them: either may then be written as it is made
    /// ([`View::streamed`]) instead of held whole.
    pub fn large(mut self, rows: &'a dyn Rows) -> View<'a> {
        self.large = Some(rows);
        self
    }

    /// Writes the view in `format` to a writer as it is made, where it can be (a form given as
    /// a writer, [`View::text_to`], [`View::json_to`] or [`View::csv_to`]; the rows of [`View::large`], as CSV or
    /// as a plain table too long to box): `None` when it cannot, and the view is rendered whole
    /// ([`View::render`]). A table fitted to a width and masks (`--redact`) need the whole
    /// text, so the caller asks only without masks.
    pub fn streamed(&mut self, format: Format, settings: &RenderSettings) -> Option<Streamed<'a>> {
        let (color, dialect) = (settings.color, settings.csv);
        let fitted = text::target_width().is_some();
        match format {
            Format::Json => self.json_to.take(),
            Format::Csv => {
                if let Some(write) = self.csv_to.take() {
                    return Some(Box::new(move |out| write(dialect, out)));
                }
                let rows = self.large?;
                Some(Box::new(move |out| csv_out::write_rows(rows, dialect, out)))
            }
            Format::Table if !fitted => {
                if let Some(write) = self.text_to.take() {
                    return Some(Box::new(move |out| write(color, out)));
                }
                let rows = self.large.filter(|rows| rows.len() > text::BOXED_ROWS_MAX)?;
                Some(Box::new(move |out| {
                    text::write_large(rows, color, out)?;
                    out.write_all(b"\n")
                }))
            }
            _ => None,
        }
    }

    /// The bytes of the view in `format`; only that form is made.
    pub fn render(self, format: Format, settings: &RenderSettings) -> anyhow::Result<Vec<u8>> {
        let text = match format {
            Format::Table => {
                let text = match (self.text_to, self.text) {
                    (Some(write), _) => gathered(|out| write(settings.color, out))?,
                    (None, Some(make)) => make(settings.color),
                    (None, None) => default_text(&self.title, (self.sheets)(), settings.color),
                };
                match text::target_width() {
                    Some(width) => text::wrap_lines(&text, width),
                    None => text,
                }
            }
            Format::Csv => match (self.csv_to, self.csv) {
                (Some(write), _) => gathered(|out| write(settings.csv, out))?,
                (None, Some(make)) => make(settings.csv),
                (None, None) => {
                    let sheets = (self.sheets)();
                    sheets.first().map_or_else(String::new, |s| csv_out::render_in(&s.table, settings.csv))
                }
            },
            Format::Json => match (self.json_to, self.json) {
                (Some(write), _) => gathered(write)?,
                (None, Some(make)) => make()?,
                (None, None) => default_json((self.sheets)())?,
            },
            Format::Html => match self.html {
                Some(make) => make()?,
                None => anyhow::bail!("--format html is not offered here; use table, csv, json or xlsx"),
            },
            Format::Xlsx => {
                let mut sheets = (self.sheets)();
                if let Some(pairs) = settings.redact {
                    redact_cells(&mut sheets, pairs);
                }
                return xlsx::workbook(&sheets, &self.title, settings.as_of);
            }
        };
        Ok(text.into_bytes())
    }
}

/// Each table under its name.
fn default_text(title: &str, sheets: Vec<Sheet<'_>>, color: bool) -> String {
    let mut out = format!("{title}\n");
    for sheet in sheets {
        if sheet.table.rows.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}\n", sheet.name));
        out.push_str(&text::render(&sheet.table, color));
        out.push('\n');
    }
    out
}

/// One table: its rows; several: an object of them by name.
fn default_json(sheets: Vec<Sheet<'_>>) -> anyhow::Result<String> {
    let value = match sheets.as_slice() {
        [one] => one.table.json_rows(),
        many => serde_json::Value::Object(
            many.iter().map(|s| (s.name.to_lowercase().replace(' ', "_"), s.table.json_rows())).collect(),
        ),
    };
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// Masks personal values in the text cells of `sheets` (`--redact`). The cells are masked in
/// one pass over all their text, joined by a separator no cell holds, as the text formats are
/// masked whole: a pass per cell would cost the whole register for every cell.
fn redact_cells(sheets: &mut [Sheet<'_>], pairs: &[(String, String)]) {
    const UNIT: char = '\u{1f}';
    let mut joined = String::new();
    let mut count = 0usize;
    for sheet in sheets.iter() {
        for cell in sheet.table.rows.iter().flatten() {
            if let Cell::Text(text) = cell {
                joined.push_str(text);
                joined.push(UNIT);
                count += 1;
            }
        }
    }
    let per_cell = joined.matches(UNIT).count() != count;
    let masked = crate::core::privacy::redact(&joined, pairs);
    let mut parts = masked.split(UNIT);
    for sheet in sheets {
        for cell in sheet.table.to_mut().rows.iter_mut().flatten() {
            if let Cell::Text(text) = cell {
                *text = match (per_cell, parts.next()) {
                    (false, Some(part)) => part.to_owned(),
                    // A cell held the separator itself: mask it alone.
                    _ => crate::core::privacy::redact(text, pairs),
                };
            }
        }
    }
}
