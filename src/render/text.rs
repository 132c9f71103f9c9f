//! Tables for people in a terminal.
//!
//! On a terminal a table is fitted to its width (`DUN_COLUMNS` forces a width anywhere, for
//! tests and for files meant to be read at a given width); piped or written with `-o` it is
//! shown whole. A table that does not fit is made narrower in this order, stopping as soon as
//! it fits:
//!
//! 1. the box is left off: columns two spaces apart, the header underlined;
//! 2. long headers are abbreviated ([`SHORT_HEADERS`]: `currency` → `cur`, `days_overdue` →
//!    `days`, ...) where the column's values are narrower;
//! 3. long text (names, notes) is cut with `…` to no less than 12 characters, widest first;
//! 4. amounts are shown without the space between thousands;
//! 5. the table's droppable columns are left out, in the order the command names them, and
//!    a line under the table says which (`--format csv` shows them);
//! 6. amounts are rounded to whole units, and a line under the table says so;
//! 7. text is cut further, to 6 characters.
//!
//! Room a step frees beyond what is needed goes back to the text it cut. Whatever is left over
//! wraps, as the terminal wraps it.

use std::sync::OnceLock;

use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy, presets};

use super::{Rows, Sink, Table, Value, blocks};
use crate::core::money::{write_money, write_money_grouped};

/// Above this many rows a table is written as plain aligned columns: comfy-table keeps every
/// cell of every row as its own strings, which for a register of a hundred thousand customers
/// costs hundreds of megabytes that nobody reads on a screen anyway.
pub const BOXED_ROWS_MAX: usize = 5_000;

/// Text is cut to this many characters before any column is left out (step 2)...
const TEXT_MIN: usize = 12;
/// ...and to this many after (step 5).
const TEXT_MIN_HARD: usize = 6;
/// Between two columns of the plain layout.
const GAP: usize = 2;

/// Step 2's abbreviations of headers, for every command's tables.
pub const SHORT_HEADERS: &[(&str, &str)] = &[
    ("customer", "cust"),
    ("currency", "cur"),
    ("invoice", "inv"),
    ("days_overdue", "days"),
    ("days overdue", "days"),
    ("days_late", "late"),
    ("compensation", "comp"),
    ("interest", "int"),
    ("interest accrued", "int"),
    ("next_date", "next"),
    ("avg days late 12m", "late 12m"),
    ("DSO days", "DSO"),
    ("overdue %", "od %"),
    ("transaction_id", "txid"),
    ("matched_by", "rule"),
    ("still_open", "open"),
    ("not_payments", "other"),
    ("imported_before", "before"),
    ("open_at_step", "open"),
    ("paid_within_7", "7 d"),
    ("paid_within_14", "14 d"),
    ("paid_within_30", "30 d"),
    ("invoices", "inv"),
];

static WIDTH: OnceLock<Option<usize>> = OnceLock::new();

/// Sets the width every table of this run is fitted to (`None`: full width). Once per run.
pub fn fit_to(width: Option<usize>) {
    let _ = WIDTH.set(width);
}

pub(crate) fn target_width() -> Option<usize> {
    WIDTH.get().copied().flatten()
}

/// The table for a terminal, fitted to the run's width ([`fit_to`]).
pub fn render(table: &Table, color: bool) -> String {
    render_width(table, color, target_width())
}

/// The table fitted to `width` columns (`None`: as wide as it is).
pub fn render_width(table: &Table, color: bool, width: Option<usize>) -> String {
    if table.columns.is_empty() {
        return String::new();
    }
    let survey = Survey::of(table);
    let natural = &survey.natural;
    let boxed_width = natural.iter().sum::<usize>() + 3 * natural.len() + 1;
    let large = table.rows.len() > BOXED_ROWS_MAX;
    let plain = |plan: &Plan| {
        let mut out = Sink::whole(0);
        render_plain(table, plan, &survey, color, &mut out);
        out.finish().unwrap_or_default()
    };
    match width {
        Some(w) if boxed_width > w || large => plain(&fit(table, &survey, w)),
        None if large => plain(&Plan::whole(table.columns(), natural)),
        _ => render_boxed(table, color),
    }
}

/// Rows too many to box ([`BOXED_ROWS_MAX`]), read where they are kept instead of copied into a
/// [`Table`]: what [`render`] makes of the same rows as a table.
pub fn render_large(rows: &dyn Rows, color: bool) -> String {
    debug_assert!(rows.len() > BOXED_ROWS_MAX);
    let mut out = Sink::whole(0);
    plain_large(rows, color, &mut out);
    out.finish().unwrap_or_default()
}

/// [`render_large`] written to `to` as it is made, never held whole.
pub fn write_large(rows: &dyn Rows, color: bool, to: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = Sink::to(to);
    plain_large(rows, color, &mut out);
    out.finish().map(drop)
}

fn plain_large(rows: &dyn Rows, color: bool, out: &mut Sink<'_>) {
    if rows.columns().is_empty() {
        return;
    }
    let survey = Survey::of(rows);
    match target_width() {
        Some(w) => render_plain(rows, &fit(rows, &survey, w), &survey, color, out),
        None => render_plain(rows, &Plan::whole(rows.columns(), &survey.natural), &survey, color, out),
    }
}

fn render_boxed(table: &Table, color: bool) -> String {
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
    let mut text = String::new();
    for row in &table.rows {
        out.add_row(row.iter().map(|cell| {
            let right = display(cell.value(), Amounts::Grouped, &mut text);
            let c = comfy_table::Cell::new(&text);
            if right { c.set_alignment(CellAlignment::Right) } else { c }
        }));
    }
    out.to_string()
}

/// How amounts are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Amounts {
    /// `12 500.00`
    Grouped,
    /// `12500.00`
    Plain,
    /// `12500`
    Whole,
}

/// A cell as shown, written into `out` (cleared first); whether it is a number (right-aligned).
fn display(value: Value<'_>, amounts: Amounts, out: &mut String) -> bool {
    use std::fmt::Write;
    out.clear();
    match value {
        Value::Money(m) => {
            match amounts {
                Amounts::Grouped => write_money_grouped(out, m),
                Amounts::Plain => write_money(out, m),
                Amounts::Whole => {
                    let _ = write!(
                        out,
                        "{}",
                        m.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                    );
                }
            }
            true
        }
        Value::Count(n) => {
            out.push_str(itoa::Buffer::new().format(n));
            true
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
            true
        }
        // Names and ids from data: an ESC sequence is shown, never run by the terminal.
        Value::Text(t) => {
            out.push_str(&super::escape::printable(t));
            false
        }
        Value::Date(d) => {
            crate::core::date::write_date(out, d);
            false
        }
        Value::Empty => false,
    }
}

/// What the plain layout knows of each column after one pass over the rows.
struct Survey {
    /// The widest cell, header included, in characters.
    natural: Vec<usize>,
    /// The column holds text, which may be cut (dates and numbers never are).
    text: Vec<bool>,
    /// The column holds numbers, shown on the right (its header too).
    number: Vec<bool>,
}

impl Survey {
    /// A column holds what its first cell that is not empty holds.
    fn of(rows: &dyn Rows) -> Survey {
        let columns = rows.columns();
        // Each run of rows surveyed on its own thread: the widest cell of each column, and its
        // first cell that is not empty (at what row, and what it holds).
        type Part = (Vec<usize>, Vec<Option<(bool, bool)>>);
        let new = || -> Part { (vec![0; columns.len()], vec![None; columns.len()]) };
        let survey = |(natural, first): &mut Part, range: std::ops::Range<usize>| {
            let mut shown = String::new();
            rows.each_in(range, &mut |row| {
                for (i, &value) in row.iter().enumerate() {
                    let right = display(value, Amounts::Grouped, &mut shown);
                    natural[i] = natural[i].max(shown.chars().count());
                    if first[i].is_none() && !matches!(value, Value::Empty) {
                        first[i] = Some((matches!(value, Value::Text(_)), right));
                    }
                }
            });
        };
        let mut natural: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
        let mut first: Vec<Option<(bool, bool)>> = vec![None; columns.len()];
        for (part_natural, part_first) in blocks::in_runs(rows.len(), &new, &survey) {
            for i in 0..columns.len() {
                natural[i] = natural[i].max(part_natural[i]);
                first[i] = first[i].or(part_first[i]);
            }
        }
        Survey {
            natural,
            text: first.iter().map(|f| f.is_none_or(|(text, _)| text)).collect(),
            number: first.iter().map(|f| f.is_some_and(|(_, right)| right)).collect(),
        }
    }
}

/// Which columns are shown, how wide at most, and how.
#[derive(Debug, PartialEq)]
struct Plan {
    /// Indexes of the columns shown, in order.
    shown: Vec<usize>,
    /// The most characters of each column (by index into the table's columns).
    caps: Vec<usize>,
    amounts: Amounts,
    /// The header shown for each column (by index).
    headers: Vec<String>,
    /// Columns left out, in the order they were.
    dropped: Vec<String>,
    width: Option<usize>,
}

impl Plan {
    fn whole(columns: &[String], natural: &[usize]) -> Plan {
        Plan {
            shown: (0..natural.len()).collect(),
            caps: natural.to_vec(),
            amounts: Amounts::Grouped,
            headers: columns.to_vec(),
            dropped: Vec::new(),
            width: None,
        }
    }

    fn total(&self) -> usize {
        self.shown.iter().map(|&i| self.caps[i]).sum::<usize>() + GAP * self.shown.len().saturating_sub(1)
    }
}

/// The widest value of each column (header left out) with amounts shown as `amounts`.
fn value_widths(rows: &dyn Rows, amounts: Amounts) -> Vec<usize> {
    let mut widths = vec![0; rows.columns().len()];
    let mut shown = String::new();
    rows.each(&mut |row| {
        for (w, &value) in widths.iter_mut().zip(row) {
            display(value, amounts, &mut shown);
            *w = (*w).max(shown.chars().count());
        }
    });
    widths
}

/// Steps 2 to 7 of the module's order, stopping as soon as the table fits `width`.
fn fit(rows: &dyn Rows, survey: &Survey, width: usize) -> Plan {
    let columns = rows.columns();
    let natural = &survey.natural;
    let mut plan = Plan { width: Some(width), ..Plan::whole(columns, natural) };
    let text = &survey.text;
    // What each column needs at least besides its header, under each way of showing amounts.
    let mut values = value_widths(rows, Amounts::Grouped);
    let mut full = natural.to_vec();
    let shrink = |plan: &mut Plan, min: usize| {
        while plan.total() > width {
            // The widest text column still above `min`, cut by one character at a time.
            let widest = plan
                .shown
                .iter()
                .copied()
                .filter(|&i| text[i] && plan.caps[i] > min)
                .max_by_key(|&i| plan.caps[i]);
            match widest {
                Some(i) => plan.caps[i] -= 1,
                None => break,
            }
        }
    };
    // 2: headers wider than their values, abbreviated.
    for i in 0..columns.len() {
        let header = &columns[i];
        if let Some((_, short)) = SHORT_HEADERS.iter().find(|(long, _)| long == header)
            && values[i] < header.chars().count()
        {
            plan.headers[i] = (*short).to_owned();
            full[i] = values[i].max(short.chars().count());
            plan.caps[i] = full[i];
        }
    }
    // 3
    shrink(&mut plan, TEXT_MIN);
    // 4 and 6: amounts shown shorter; a column only as wide as its header and values need.
    let mut narrower = |plan: &mut Plan, amounts: Amounts, full: &mut Vec<usize>| {
        if plan.total() <= width {
            return;
        }
        plan.amounts = amounts;
        values = value_widths(rows, amounts);
        for i in 0..columns.len() {
            if !text[i] {
                full[i] = values[i].max(plan.headers[i].chars().count());
                plan.caps[i] = full[i];
            }
        }
    };
    narrower(&mut plan, Amounts::Plain, &mut full);
    // 5
    for name in rows.droppable() {
        if plan.total() <= width {
            break;
        }
        if let Some(i) = columns.iter().position(|c| c == name) {
            plan.shown.retain(|&s| s != i);
            plan.dropped.push(name.clone());
        }
    }
    narrower(&mut plan, Amounts::Whole, &mut full);
    // 7
    shrink(&mut plan, TEXT_MIN_HARD);
    // Room a step freed goes back to the text cut before it, narrowest first.
    while plan.total() < width {
        let narrowest = plan
            .shown
            .iter()
            .copied()
            .filter(|&i| text[i] && plan.caps[i] < full[i])
            .min_by_key(|&i| plan.caps[i]);
        match narrowest {
            Some(i) => plan.caps[i] += 1,
            None => break,
        }
    }
    plan
}

/// `text` in at most `cap` characters, cut with `…` when longer, and how many characters that
/// is (counted once: a large table's hot path).
fn cut(text: &str, cap: usize) -> (std::borrow::Cow<'_, str>, usize) {
    let chars = text.chars().count();
    if chars <= cap {
        return (text.into(), chars);
    }
    let mut out: String = text.chars().take(cap.saturating_sub(1)).collect();
    out.push('…');
    (out.into(), cap.max(1))
}

/// Aligned columns separated by two spaces, numbers right-aligned; one pass over the rows
/// (the widths are known), each line written into one buffer.
fn render_plain(rows: &dyn Rows, plan: &Plan, survey: &Survey, color: bool, out: &mut Sink<'_>) {
    let right = &survey.number;
    out.reserve_whole((rows.len() + 2) * (plan.total() + 1));
    let mut text = String::new();
    let line = |text: &mut String, value: &str, n: usize, i: usize| {
        if n > 0 {
            text.push_str("  ");
        }
        let (value, chars) = cut(value, plan.caps[i]);
        let pad = plan.caps[i].saturating_sub(chars);
        if right[i] {
            text.extend(std::iter::repeat_n(' ', pad));
            text.push_str(&value);
        } else {
            text.push_str(&value);
            text.extend(std::iter::repeat_n(' ', pad));
        }
    };
    // A line made in `text` (then cleared), its trailing spaces left off, into `to`.
    let end = |to: &mut String, text: &mut String, bold: bool| {
        let trimmed = text.trim_end();
        if bold && color {
            to.push_str("\u{1b}[1m");
            to.push_str(trimmed);
            to.push_str("\u{1b}[0m");
        } else {
            to.push_str(trimmed);
        }
        to.push('\n');
        text.clear();
    };
    for (n, &i) in plan.shown.iter().enumerate() {
        line(&mut text, &plan.headers[i], n, i);
    }
    end(&mut out.text, &mut text, true);
    for (n, &i) in plan.shown.iter().enumerate() {
        line(&mut text, &"-".repeat(plan.caps[i]), n, i);
    }
    end(&mut out.text, &mut text, false);
    out.row_done();
    // The rows, a block at a time on every core.
    let block = |range: std::ops::Range<usize>, to: &mut String| {
        let (mut text, mut shown) = (String::new(), String::new());
        rows.each_in(range, &mut |row| {
            for (n, &i) in plan.shown.iter().enumerate() {
                display(row[i], plan.amounts, &mut shown);
                line(&mut text, &shown, n, i);
            }
            end(to, &mut text, false);
        });
    };
    blocks::in_blocks(rows.len(), &block, &mut |lines| {
        out.text.push_str(lines);
        out.row_done();
    });
    let width = plan.width.unwrap_or(usize::MAX);
    if plan.amounts == Amounts::Whole {
        out.text
            .push_str(&wrap("(amounts rounded to whole units to fit; --format csv has them exact)", width));
    }
    if !plan.dropped.is_empty() {
        let note = format!("(left out to fit: {}; --format csv has every column)", plan.dropped.join(", "));
        out.text.push_str(&wrap(&note, width));
    }
}

/// Every line of `text` longer than `width` broken between words, the rest of it indented two
/// spaces more than its start: prose under a fitted table fits too.
pub fn wrap_lines(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if body.chars().count() <= width {
            out.push_str(line);
            continue;
        }
        let indent = body.len() - body.trim_start().len();
        let rest = " ".repeat(indent + 2);
        let mut current = body[..indent].to_owned();
        let mut fresh = true;
        for word in body[indent..].split(' ') {
            if !fresh && current.chars().count() + 1 + word.chars().count() > width {
                out.push_str(&current);
                out.push('\n');
                current = rest.clone();
                fresh = true;
            }
            if !fresh {
                current.push(' ');
            }
            current.push_str(word);
            fresh = false;
        }
        out.push_str(&current);
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// A note in lines of at most `width` characters, broken between words.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Cell;
    use rust_decimal::Decimal;

    #[test]
    fn large_tables_are_plain_aligned_columns() {
        let mut t = Table::new(["customer", "total"]);
        for i in 0..=BOXED_ROWS_MAX {
            t.push(vec![Cell::text(format!("K{i}")), Cell::Money(Decimal::new(123456, 2))]);
        }
        let out = render_width(&t, false, None);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "customer     total");
        assert_eq!(lines[1], "--------  --------");
        assert_eq!(lines[2], "K0        1 234.56");
        assert_eq!(lines.len(), BOXED_ROWS_MAX + 3);
    }

    /// A column is what its first cell that is not empty holds, in the whole table: surveyed
    /// in runs on several threads, the first run's first cell decides, not a later run's, and
    /// the widest cell of any run sets the width.
    #[test]
    fn a_column_is_what_its_first_cell_holds_however_the_rows_are_surveyed() {
        let mut t = Table::new(["n", "note"]);
        let rows = 4 * super::blocks::BLOCK_ROWS;
        for i in 0..rows {
            let n = match i {
                0 => Cell::Empty,
                1 => Cell::Count(7),
                _ => Cell::text("x"),
            };
            let note = if i == rows - 1 { Cell::text("the widest note of all") } else { Cell::Empty };
            t.push(vec![n, note]);
        }
        let survey = Survey::of(&t);
        assert_eq!(survey.number, [true, false]);
        assert_eq!(survey.text, [false, true]);
        assert_eq!(survey.natural, [1, "the widest note of all".len()]);
    }

    fn wide() -> Table {
        let mut t = Table::new(["customer", "name", "currency", "open", "fee", "detail"])
            .droppable(["detail", "fee"]);
        t.push(vec![
            Cell::text("K1"),
            Cell::text("Fastighetsaktiebolaget Kvarnbyn i Mölndal"),
            Cell::text("SEK"),
            Cell::Money(Decimal::new(123456789, 2)),
            Cell::Money(Decimal::new(6000, 2)),
            Cell::text("waiting for the first reminder's deadline"),
        ]);
        t.push(vec![
            Cell::text("K2"),
            Cell::text("Berg AB"),
            Cell::text("EUR"),
            Cell::Money(Decimal::new(-500, 2)),
            Cell::Money(Decimal::ZERO),
            Cell::text(""),
        ]);
        t
    }

    #[test]
    fn long_prose_lines_are_wrapped_between_words() {
        let text = "Credit watch: 1 customer(s)\n  1003 Fastighets AB: pays later: 90.4 days late on average\nshort\n";
        assert_eq!(
            wrap_lines(text, 30),
            "Credit watch: 1 customer(s)\n  1003 Fastighets AB: pays\n    later: 90.4 days late on\n    average\nshort\n"
        );
    }

    #[test]
    fn a_table_that_fits_keeps_its_box() {
        let boxed = render_width(&wide(), false, Some(200));
        assert_eq!(boxed, render_width(&wide(), false, None));
        assert!(boxed.starts_with('┌'), "{boxed}");
    }

    #[test]
    fn narrower_headers_are_abbreviated_then_text_is_cut() {
        // Natural widths 8, 41, 8, 12, 5, 41. Step 2: `customer` and `currency` hold 2 and 3
        // characters, so `cust` (4) and `cur` (3): 116 with the gaps. To 80, the two long texts
        // lose 36 characters in turn: 23 each.
        let out = render_width(&wide(), false, Some(80));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "cust  name                     cur          open    fee  detail");
        assert_eq!(
            lines[2],
            "K1    Fastighetsaktiebolaget…  SEK  1 234 567.89  60.00  waiting for the first …"
        );
        assert_eq!(lines[3], "K2    Berg AB                  EUR         -5.00   0.00");
        assert_eq!(lines[2].chars().count(), 80);
        assert_eq!(lines.len(), 4, "nothing left out: {out}");
    }

    #[test]
    fn then_amounts_lose_their_grouping_columns_go_in_the_stated_order_and_units_are_whole() {
        // To 56: texts at 12 give 58; amounts without grouping, 56.
        let out = render_width(&wide(), false, Some(56));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "cust  name          cur        open    fee  detail");
        assert_eq!(lines[2], "K1    Fastighetsa…  SEK  1234567.89  60.00  waiting for…");
        assert_eq!(lines.len(), 4, "{out}");
        // To 50: detail goes (42), and the 8 columns it freed go back to the name (20).
        let out = render_width(&wide(), false, Some(50));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "cust  name                  cur        open    fee");
        assert_eq!(lines[2], "K1    Fastighetsaktiebola…  SEK  1234567.89  60.00");
        assert_eq!(lines[4..], ["(left out to fit: detail; --format csv has every", "column)"]);
        // To 30: fee goes too (35), amounts are rounded (32), the name is cut to 10.
        let out = render_width(&wide(), false, Some(30));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "cust  name        cur     open");
        assert_eq!(lines[2], "K1    Fastighet…  SEK  1234568");
        assert_eq!(lines[3], "K2    Berg AB     EUR       -5");
        assert_eq!(
            lines[4..],
            [
                "(amounts rounded to whole",
                "units to fit; --format csv has",
                "them exact)",
                "(left out to fit: detail, fee;",
                "--format csv has every column)"
            ]
        );
    }
}
