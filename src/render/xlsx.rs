//! Excel workbooks (`--format xlsx`): one sheet per table a command shows, the main one first
//! and its key figures on a sheet of their own. Cells are typed: amounts are numbers with the
//! row's currency in their number format, dates are dates, counts are numbers, so that a
//! spreadsheet in any locale sums and sorts them; each sheet has its header row bold and
//! frozen, and an autofilter over its rows.
//!
//! Text is written as text cells, which a spreadsheet never evaluates: no formula can hide in
//! a name, and nothing needs the `'` that CSV prefixes for the same reason.
//!
//! Excel keeps every number as a 64-bit float; amounts of two decimals up to 10^13 keep all
//! their digits there. The decimal value is converted once, here.

use anyhow::{Context as _, Result, bail};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};

use super::{Cell, Sheet};

/// Excel's limits: rows per sheet, and characters in a sheet name.
const MAX_ROWS: usize = 1_048_576;
const MAX_SHEET_NAME: usize = 31;

/// The number formats of one workbook, made once.
struct Formats {
    header: Format,
    date: Format,
    money: Format,
    number: Format,
    /// `#,##0.00 "SEK"` per currency, in the order first met.
    money_in: Vec<(String, Format)>,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold().set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("#,##0.00"),
            number: Format::new().set_num_format("0.0##"),
            money_in: Vec::new(),
        }
    }

    /// The format of an amount in `currency`; plain `#,##0.00` when the row names none.
    fn money(&mut self, currency: Option<&str>) -> &Format {
        let Some(code) = currency.filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        else {
            return &self.money;
        };
        let at = match self.money_in.iter().position(|(c, _)| c == code) {
            Some(at) => at,
            None => {
                let format =
                    Format::new().set_num_format(format!("#,##0.00 \"{code}\";-#,##0.00 \"{code}\""));
                self.money_in.push((code.to_owned(), format));
                self.money_in.len() - 1
            }
        };
        &self.money_in[at].1
    }
}

/// The workbook's bytes. `title` names it in the document properties; `as_of` is its creation
/// date there, so that the same files and date give the same bytes.
pub fn workbook(sheets: &[Sheet<'_>], title: &str, as_of: NaiveDate) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let created = excel_date(as_of)?;
    book.set_properties(&DocProperties::new().set_title(title).set_creation_datetime(&created));
    let mut formats = Formats::new();
    let mut names: Vec<String> = Vec::with_capacity(sheets.len());
    for sheet in sheets {
        if sheet.table.rows.len() >= MAX_ROWS {
            bail!(
                "{}: {} rows do not fit on a spreadsheet (at most {}); use --format csv",
                sheet.name,
                sheet.table.rows.len(),
                MAX_ROWS - 1
            );
        }
        let name = sheet_name(&sheet.name, &names);
        let worksheet = book.add_worksheet();
        worksheet.set_name(&name).with_context(|| format!("cannot name a sheet \"{name}\""))?;
        write_sheet(worksheet, sheet, &mut formats)
            .with_context(|| format!("cannot write the sheet \"{name}\""))?;
        names.push(name);
    }
    Ok(book.save_to_buffer()?)
}

fn write_sheet(worksheet: &mut Worksheet, sheet: &Sheet<'_>, formats: &mut Formats) -> Result<()> {
    let table = &sheet.table;
    for (col, name) in (0u16..).zip(&table.columns) {
        worksheet.write_string_with_format(0, col, name, &formats.header)?;
    }
    let currency_column = table.columns.iter().position(|c| c == "currency");
    for (row, cells) in (1u32..).zip(&table.rows) {
        let currency = currency_column.and_then(|i| match cells.get(i) {
            Some(Cell::Text(code)) => Some(code.as_str()),
            _ => None,
        });
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(text) => {
                    worksheet.write_string(row, col, text)?;
                }
                Cell::Money(amount) => {
                    worksheet.write_number_with_format(row, col, float(*amount), formats.money(currency))?;
                }
                Cell::Number(n) => {
                    worksheet.write_number_with_format(row, col, float(*n), &formats.number)?;
                }
                Cell::Count(n) => {
                    // Counts are far below 2^53, where a float stops holding every integer.
                    worksheet.write_number(row, col, *n as f64)?;
                }
                Cell::Date(date) => {
                    worksheet.write_datetime_with_format(row, col, excel_date(*date)?, &formats.date)?;
                }
                Cell::Empty => {}
            }
        }
    }
    worksheet.set_freeze_panes(1, 0)?;
    if let Some(last_col) = table.columns.len().checked_sub(1) {
        worksheet.autofilter(0, 0, table.rows.len() as u32, last_col as u16)?;
    }
    worksheet.set_autofit_max_width(300);
    worksheet.autofit();
    Ok(())
}

fn float(amount: Decimal) -> f64 {
    amount.to_f64().unwrap_or(0.0)
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime> {
    let year = u16::try_from(date.year()).with_context(|| format!("{date}: not a date Excel can hold"))?;
    Ok(ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8)?)
}

/// A name Excel accepts and no other sheet of the book has: at most 31 characters, none of
/// `[]:*?/\`, not starting or ending with `'`.
fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '-' } else { c })
        .collect();
    let clean = clean.trim_matches('\'');
    let base: String =
        if clean.is_empty() { "Sheet".to_owned() } else { clean.chars().take(MAX_SHEET_NAME).collect() };
    let is_taken = |name: &str| taken.iter().any(|t| t.eq_ignore_ascii_case(name));
    if !is_taken(&base) {
        return base;
    }
    (2..)
        .map(|n| {
            let suffix = format!(" ({n})");
            let keep = MAX_SHEET_NAME - suffix.chars().count();
            format!("{}{suffix}", base.chars().take(keep).collect::<String>())
        })
        .find(|name| !is_taken(name))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Table;
    use calamine::{Data, Reader, Xlsx};

    fn read_back(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
        Xlsx::new(std::io::Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn cells_keep_their_types_and_values() {
        let mut t = Table::new(["customer", "currency", "open", "days", "due", "share", "note"]);
        t.push(vec![
            Cell::text("=HYPERLINK(\"x\")"),
            Cell::text("SEK"),
            Cell::Money(Decimal::new(-123456, 2)),
            Cell::Count(31),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
            Cell::Number(Decimal::new(125, 1)),
            Cell::Empty,
        ]);
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let bytes = workbook(&[Sheet::new("Aging", t)], "Aging", day).unwrap();
        let mut book = read_back(bytes);
        assert_eq!(book.sheet_names(), vec!["Aging".to_owned()]);
        let range = book.worksheet_range("Aging").unwrap();
        assert_eq!(range.get((0, 2)), Some(&Data::String("open".into())));
        // A formula in the data stays text: no formula cell, no apostrophe.
        assert_eq!(range.get((1, 0)), Some(&Data::String("=HYPERLINK(\"x\")".into())));
        assert_eq!(range.get((1, 2)), Some(&Data::Float(-1234.56)));
        assert_eq!(range.get((1, 3)), Some(&Data::Float(31.0)));
        match range.get((1, 4)) {
            Some(Data::DateTime(d)) => {
                assert_eq!(d.as_datetime().unwrap().date(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
            }
            other => panic!("not a date: {other:?}"),
        }
        assert_eq!(range.get((1, 5)), Some(&Data::Float(12.5)));
        assert_eq!(range.get((1, 6)), Some(&Data::Empty));
    }

    #[test]
    fn sheet_names_are_ones_excel_takes() {
        let taken = vec!["Key figures".to_owned()];
        assert_eq!(sheet_name("Key figures", &taken), "Key figures (2)");
        assert_eq!(sheet_name("a/b: [c]?", &[]), "a-b- -c--");
        assert_eq!(sheet_name(&"x".repeat(40), &[]).chars().count(), 31);
        assert_eq!(sheet_name("''", &[]), "Sheet");
    }
}
