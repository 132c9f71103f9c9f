//! Laying a letter out on A4 pages (SPEC section 9): where each line of text, rule and shaded
//! box goes, in PDF points from the top left corner of the sheet. The places follow the HTML
//! letter's print style sheet: the page margins and the head's height and address block from
//! [`crate::letters::layout`], the body's sizes and spacing as the style sheet sets them.
//! Pure: text widths come from the embedded font's metrics.

use super::Fonts;
use super::html::{Block, Cell, Letter, Row, Run, Table, TableKind};
use crate::letters::layout::{ADDRESS_BLOCK, ADDRESS_LINE_MM, HEAD_HEIGHT_MM, PAGE_MARGINS_MM};

/// A4 in points (210 x 297 mm).
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;

/// Millimetres in points.
pub fn mm(millimetres: f32) -> f32 {
    millimetres * 72.0 / 25.4
}

/// Something drawn on a page. `y` of a text is its baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text { x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: String },
    Rule { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb },
    Fill { x: f32, y: f32, width: f32, height: f32, color: Rgb },
}

pub type Rgb = (u8, u8, u8);

impl Item {
    fn shifted(&self, dx: f32, dy: f32) -> Item {
        match self.clone() {
            Item::Text { x, y, size, bold, color, text } => {
                Item::Text { x: x + dx, y: y + dy, size, bold, color, text }
            }
            Item::Rule { x1, y1, x2, y2, width, color } => {
                Item::Rule { x1: x1 + dx, y1: y1 + dy, x2: x2 + dx, y2: y2 + dy, width, color }
            }
            Item::Fill { x, y, width, height, color } => {
                Item::Fill { x: x + dx, y: y + dy, width, height, color }
            }
        }
    }
}

// The style sheet's sizes (points) and colours.
const BODY_SIZE: f32 = 9.5;
const SMALL_SIZE: f32 = 8.5;
const FOOTER_SIZE: f32 = 8.0;
const LEADING: f32 = 1.4;
const INK: Rgb = (17, 17, 17);
const GREY: Rgb = (85, 85, 85);
const HEADER_INK: Rgb = (51, 51, 51);
const RULE_LIGHT: Rgb = (204, 204, 204);
const FRAME: Rgb = (136, 136, 136);
const WARNING_BAR: Rgb = (170, 0, 0);
const WARNING_FILL: Rgb = (248, 234, 234);
/// One CSS pixel.
const PX: f32 = 0.75;
/// Liberation Sans' ascent and descent, in ems (hhea), to place a baseline in its line box
/// as a browser does.
const ASCENT: f32 = 0.905;
const DESCENT: f32 = 0.212;

fn baseline(line_top: f32, size: f32, line_height: f32) -> f32 {
    line_top + (line_height - (ASCENT + DESCENT) * size) / 2.0 + ASCENT * size
}

/// The letter laid out on pages.
pub fn layout(letter: &Letter, fonts: &Fonts) -> Vec<Vec<Item>> {
    let [top, right, bottom, left] = PAGE_MARGINS_MM.map(mm);
    let content_width = PAGE_WIDTH - left - right;
    let footer = footer(letter, fonts, content_width);
    let footer_height = footer.iter().map(|(_, h)| *h).sum::<f32>() + mm(2.0);
    let mut flow = Flow {
        pages: vec![head(letter, fonts)],
        y: top + mm(HEAD_HEIGHT_MM),
        top,
        bottom: PAGE_HEIGHT - bottom - footer_height - mm(6.0),
        fresh: true,
    };
    let chunks: Vec<Chunk> =
        letter.body.iter().flat_map(|block| chunks(block, fonts, content_width)).collect();
    flow.place(&chunks, left);
    let count = flow.pages.len();
    for (n, page) in flow.pages.iter_mut().enumerate() {
        let mut y = PAGE_HEIGHT - bottom - footer_height + mm(2.0);
        if !letter.footer.is_empty() {
            page.push(Item::Rule {
                x1: left,
                y1: y - mm(2.0),
                x2: left + content_width,
                y2: y - mm(2.0),
                width: PX,
                color: FRAME,
            });
        }
        for (line, height) in &footer {
            let width = fonts.width(line, false, FOOTER_SIZE);
            page.push(text(
                left + (content_width - width) / 2.0,
                baseline(y, FOOTER_SIZE, *height),
                FOOTER_SIZE,
                false,
                GREY,
                line,
            ));
            y += height;
        }
        if count > 1 {
            let number = format!("{} / {count}", n + 1);
            let width = fonts.width(&number, false, FOOTER_SIZE);
            page.push(text(
                left + content_width - width,
                PAGE_HEIGHT - mm(10.0),
                FOOTER_SIZE,
                false,
                GREY,
                &number,
            ));
        }
    }
    flow.pages
}

fn text(x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: &str) -> Item {
    Item::Text { x, y, size, bold, color, text: text.to_owned() }
}

/// The footer's lines, centred, and their heights.
fn footer(letter: &Letter, fonts: &Fonts, width: f32) -> Vec<(String, f32)> {
    let run = Run { text: letter.footer.clone(), ..Run::default() };
    wrap(fonts, std::slice::from_ref(&run), width, FOOTER_SIZE, false)
        .into_iter()
        .map(|line| (line.segments.iter().map(|s| s.text.as_str()).collect::<String>(), line.height))
        .collect()
}

/// The head of the first page: the sender, the address block in the envelope window, the
/// date and customer number.
fn head(letter: &Letter, fonts: &Fonts) -> Vec<Item> {
    let [top, right, _, left] = PAGE_MARGINS_MM.map(mm);
    let mut items = Vec::new();
    // The sender: at most 100 x 27 mm, so that it never reaches the address block.
    let mut y = top;
    for (n, line) in letter.sender.iter().enumerate() {
        let (size, bold, height) =
            if n == 0 { (14.0, true, 14.0 * 1.2) } else { (BODY_SIZE, false, BODY_SIZE * LEADING) };
        if y + height > top + mm(27.0) {
            break;
        }
        items.push(text(
            left,
            baseline(y, size, height),
            size,
            bold,
            INK,
            &fit(fonts, line, bold, size, mm(100.0)),
        ));
        y += height;
    }
    // The recipient, where the window shows it, whatever the sender's block holds.
    let line_height = mm(ADDRESS_LINE_MM);
    let lines = (ADDRESS_BLOCK.height / ADDRESS_LINE_MM).floor() as usize;
    for (n, line) in letter.recipient.iter().take(lines).enumerate() {
        let line_top = mm(ADDRESS_BLOCK.top) + line_height * n as f32;
        let line = fit(fonts, line, false, 10.0, mm(ADDRESS_BLOCK.width));
        items.push(text(
            mm(ADDRESS_BLOCK.left),
            baseline(line_top, 10.0, line_height),
            10.0,
            false,
            INK,
            &line,
        ));
    }
    // Date and customer number, at the right, level with the address block.
    let right_edge = PAGE_WIDTH - right;
    let width = mm(62.0);
    let height = BODY_SIZE * LEADING;
    for (n, (label, value)) in letter.meta.iter().enumerate() {
        let line_top = mm(ADDRESS_BLOCK.top) + height * n as f32;
        let y = baseline(line_top, BODY_SIZE, height);
        let value = fit(fonts, value, false, BODY_SIZE, width / 2.0);
        let value_width = fonts.width(&value, false, BODY_SIZE);
        let label = fit(fonts, label, false, BODY_SIZE, width - value_width - mm(3.0));
        items.push(text(right_edge - width, y, BODY_SIZE, false, GREY, &label));
        items.push(text(right_edge - value_width, y, BODY_SIZE, false, INK, &value));
    }
    items
}

/// `text`, shortened with an ellipsis to fit `width` (as the style sheet's `text-overflow`).
fn fit(fonts: &Fonts, text: &str, bold: bool, size: f32, width: f32) -> String {
    if fonts.width(text, bold, size) <= width {
        return text.to_owned();
    }
    let mut cut: String = text.to_owned();
    while cut.pop().is_some() {
        let candidate = format!("{}…", cut.trim_end());
        if fonts.width(&candidate, bold, size) <= width {
            return candidate;
        }
    }
    String::new()
}

// ---------------------------------------------------------------------------------------------
// The body: blocks become chunks (a line, a table row, a box) that flow onto pages.
// ---------------------------------------------------------------------------------------------

/// A piece of the body that is never split over two pages, laid out from (0, 0).
#[derive(Debug, Clone, Default)]
struct Chunk {
    items: Vec<Item>,
    height: f32,
    /// Space above it, left out at the top of a page.
    before: f32,
    after: f32,
    /// The table header to repeat above it when it starts a page.
    header: Option<Box<Chunk>>,
    /// A heading: on the same page as what follows it.
    keep_with_next: bool,
}

struct Flow {
    pages: Vec<Vec<Item>>,
    y: f32,
    top: f32,
    bottom: f32,
    /// Nothing of the body is on this page yet.
    fresh: bool,
}

impl Flow {
    fn place(&mut self, chunks: &[Chunk], x: f32) {
        for (n, chunk) in chunks.iter().enumerate() {
            let before = if self.fresh { 0.0 } else { chunk.before };
            let mut needed = before + chunk.height;
            if chunk.keep_with_next
                && let Some(next) = chunks.get(n + 1)
            {
                needed += chunk.after + next.before + next.height;
            }
            if self.y + needed > self.bottom && !self.fresh {
                self.pages.push(Vec::new());
                self.y = self.top;
                if let Some(header) = &chunk.header {
                    self.put(header, x);
                }
            } else {
                self.y += before;
            }
            self.put(chunk, x);
            self.y += chunk.after;
            self.fresh = false;
        }
    }

    fn put(&mut self, chunk: &Chunk, x: f32) {
        let y = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.extend(chunk.items.iter().map(|item| item.shifted(x, y)));
        }
        self.y += chunk.height;
    }
}

/// Chunks stacked into one: for what is drawn inside a box or a column.
fn stack(chunks: &[Chunk]) -> Chunk {
    let mut out = Chunk::default();
    let mut y = 0.0;
    for (n, chunk) in chunks.iter().enumerate() {
        if n > 0 {
            y += chunk.before;
        }
        out.items.extend(chunk.items.iter().map(|item| item.shifted(0.0, y)));
        y += chunk.height;
        if n + 1 < chunks.len() {
            y += chunk.after;
        } else {
            out.after = chunk.after;
        }
    }
    out.height = y;
    out.before = chunks.first().map_or(0.0, |c| c.before);
    out
}

fn chunks(block: &Block, fonts: &Fonts, width: f32) -> Vec<Chunk> {
    match block {
        Block::Heading { level, text: heading } => {
            let (size, after) = if *level == 1 { (14.0, mm(3.0)) } else { (11.0, mm(2.0)) };
            let run = Run { text: heading.clone(), bold: true, small: false };
            let mut lines = paragraph_lines(fonts, std::slice::from_ref(&run), width, size, INK);
            if let Some(last) = lines.last_mut() {
                last.after = after;
            }
            lines.iter_mut().for_each(|l| l.keep_with_next = true);
            lines
        }
        Block::Paragraph { words, warning: false } => {
            let mut lines = paragraph_lines(fonts, words, width, BODY_SIZE, INK);
            if let Some(last) = lines.last_mut() {
                last.after = mm(2.5);
            }
            lines
        }
        Block::Paragraph { words, warning: true } => {
            // A shaded box with a red bar at the left, bold: never split.
            let bold: Vec<Run> = words.iter().map(|r| Run { bold: true, ..r.clone() }).collect();
            let (pad_x, pad_y) = (mm(4.0), mm(2.0));
            let inner = stack(&paragraph_lines(fonts, &bold, width - 2.0 * pad_x - 3.0 * PX, BODY_SIZE, INK));
            let height = inner.height + 2.0 * pad_y;
            let mut items = vec![
                Item::Fill { x: 0.0, y: 0.0, width, height, color: WARNING_FILL },
                Item::Fill { x: 0.0, y: 0.0, width: 3.0 * PX, height, color: WARNING_BAR },
            ];
            items.extend(inner.items.iter().map(|i| i.shifted(3.0 * PX + pad_x, pad_y)));
            vec![Chunk { items, height, after: mm(2.5), ..Chunk::default() }]
        }
        Block::Table(table) => match table.kind {
            TableKind::Lines => line_table(table, fonts, width),
            TableKind::Totals => vec![totals_table(table, fonts, width)],
            TableKind::Plain => vec![plain_table(table, fonts, width)],
        },
        Block::Boxed(blocks) => {
            let (pad_x, pad_y) = (mm(4.0), mm(2.5));
            let inner_chunks: Vec<Chunk> =
                blocks.iter().flat_map(|b| chunks(b, fonts, width - 2.0 * pad_x - 2.0 * PX)).collect();
            let inner = stack(&inner_chunks);
            let height = inner.height + 2.0 * pad_y;
            let mut items = frame(width, height);
            items.extend(inner.items.iter().map(|i| i.shifted(pad_x + PX, pad_y)));
            vec![Chunk { items, height, ..Chunk::default() }]
        }
        Block::Columns(columns) => columns_side_by_side(columns, fonts, width),
    }
}

fn frame(width: f32, height: f32) -> Vec<Item> {
    let h = PX / 2.0;
    let rule = |x1, y1, x2, y2| Item::Rule { x1, y1, x2, y2, width: PX, color: FRAME };
    vec![
        rule(0.0, h, width, h),
        rule(0.0, height - h, width, height - h),
        rule(h, 0.0, h, height),
        rule(width - h, 0.0, width - h, height),
    ]
}

/// The summary: the payment box and the totals (or the plan) side by side when they fit,
/// else one under the other, as the style sheet's wrapping flex box does.
fn columns_side_by_side(columns: &[Vec<Block>], fonts: &Fonts, width: f32) -> Vec<Chunk> {
    let gap = mm(6.0);
    let natural: Vec<Option<f32>> = columns
        .iter()
        .map(|column| match column.as_slice() {
            [Block::Table(table)] if table.kind == TableKind::Totals => Some(totals_width(table, fonts)),
            _ => None,
        })
        .collect();
    let fixed: f32 = natural.iter().flatten().sum();
    let flexible = natural.iter().filter(|n| n.is_none()).count();
    let gaps = gap * columns.len().saturating_sub(1) as f32;
    let share = if flexible == 0 { 0.0 } else { (width - fixed - gaps) / flexible as f32 };
    let fits = columns.len() > 1 && (flexible == 0 || share >= mm(70.0)) && fixed + gaps <= width;
    if !fits {
        let mut out: Vec<Chunk> =
            columns.iter().flat_map(|column| column.iter().flat_map(|b| chunks(b, fonts, width))).collect();
        if let Some(last) = out.last_mut() {
            last.after = last.after.max(mm(4.0));
        }
        return out;
    }
    let mut x = 0.0;
    let mut items = Vec::new();
    let mut height: f32 = 0.0;
    let mut last_start = 0;
    for (column, natural) in columns.iter().zip(&natural) {
        let column_width = natural.unwrap_or(share);
        let laid: Vec<Chunk> = column.iter().flat_map(|b| chunks(b, fonts, column_width)).collect();
        let laid = stack(&laid);
        last_start = items.len();
        items.extend(laid.items.iter().map(|i| i.shifted(x, 0.0)));
        height = height.max(laid.height);
        x += column_width + gap;
    }
    // The totals stand at the right edge (margin-left: auto).
    let spare = width - (x - gap);
    if natural.last().is_some_and(Option::is_some) && spare > 0.0 {
        for item in &mut items[last_start..] {
            *item = item.shifted(spare, 0.0);
        }
    }
    vec![Chunk { items, height, after: mm(4.0), ..Chunk::default() }]
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/// A piece of a line in one style, at `x` from the line's start.
#[derive(Debug, Clone)]
struct Segment {
    x: f32,
    text: String,
    bold: bool,
    small: bool,
}

struct Line {
    segments: Vec<Segment>,
    width: f32,
    height: f32,
}

/// A word: pieces in their styles with no space between them (`<strong>12,00 kr</strong>.`).
type Word = Vec<(String, bool, bool)>;

/// Breaks runs into lines no wider than `width`, at spaces (never at a no-break space) and at
/// `\n`; a word wider than a line is broken where it must (as `overflow-wrap: anywhere`).
fn wrap(fonts: &Fonts, runs: &[Run], width: f32, size: f32, all_bold: bool) -> Vec<Line> {
    let size_of = |small: bool| if small { SMALL_SIZE.min(size) } else { size };
    // Words and breaks.
    let mut paragraphs: Vec<Vec<Word>> = vec![Vec::new()];
    let mut word: Word = Vec::new();
    let flush = |word: &mut Word, paragraphs: &mut Vec<Vec<Word>>| {
        if !word.is_empty()
            && let Some(last) = paragraphs.last_mut()
        {
            last.push(std::mem::take(word));
        }
    };
    for run in runs {
        let bold = run.bold || all_bold;
        for c in run.text.chars() {
            if c == '\n' {
                flush(&mut word, &mut paragraphs);
                paragraphs.push(Vec::new());
            } else if c.is_ascii_whitespace() {
                flush(&mut word, &mut paragraphs);
            } else {
                match word.last_mut() {
                    Some((text, b, s)) if *b == bold && *s == run.small => text.push(c),
                    _ => word.push((c.to_string(), bold, run.small)),
                }
            }
        }
    }
    flush(&mut word, &mut paragraphs);
    let word_width = |word: &Word| word.iter().map(|(t, b, s)| fonts.width(t, *b, size_of(*s))).sum::<f32>();
    let mut lines = Vec::new();
    for words in paragraphs {
        // A line break inside a cell gives a line even when nothing follows on it.
        if words.is_empty() {
            continue;
        }
        let mut current: Vec<Word> = Vec::new();
        let mut current_width = 0.0;
        for word in words.into_iter().flat_map(|w| split_wide(fonts, w, width, &size_of)) {
            let w = word_width(&word);
            let space = fonts.width(" ", false, size);
            if !current.is_empty() && current_width + space + w > width {
                lines.push(line_of(fonts, std::mem::take(&mut current), &size_of));
                current_width = 0.0;
            }
            current_width += if current.is_empty() { w } else { space + w };
            current.push(word);
        }
        if !current.is_empty() {
            lines.push(line_of(fonts, current, &size_of));
        }
    }
    lines
}

/// A word wider than the line, in pieces that fit.
fn split_wide(fonts: &Fonts, word: Word, width: f32, size_of: &dyn Fn(bool) -> f32) -> Vec<Word> {
    let total: f32 = word.iter().map(|(t, b, s)| fonts.width(t, *b, size_of(*s))).sum();
    if total <= width {
        return vec![word];
    }
    let mut out: Vec<Word> = vec![Vec::new()];
    let mut used = 0.0;
    for (text, bold, small) in word {
        for c in text.chars() {
            let mut buffer = [0u8; 4];
            let w = fonts.width(c.encode_utf8(&mut buffer), bold, size_of(small));
            if used + w > width && out.last().is_some_and(|w| !w.is_empty()) {
                out.push(Vec::new());
                used = 0.0;
            }
            used += w;
            if let Some(current) = out.last_mut() {
                match current.last_mut() {
                    Some((t, b, s)) if *b == bold && *s == small => t.push(c),
                    _ => current.push((c.to_string(), bold, small)),
                }
            }
        }
    }
    out
}

fn line_of(fonts: &Fonts, words: Vec<Word>, size_of: &dyn Fn(bool) -> f32) -> Line {
    let mut segments: Vec<Segment> = Vec::new();
    let mut x = 0.0;
    let mut largest: f32 = 0.0;
    for (n, word) in words.into_iter().enumerate() {
        for (i, (text, bold, small)) in word.into_iter().enumerate() {
            let piece_size = size_of(small);
            largest = largest.max(piece_size);
            let piece = if n > 0 && i == 0 { format!(" {text}") } else { text };
            let w = fonts.width(&piece, bold, piece_size);
            match segments.last_mut() {
                Some(last) if last.bold == bold && last.small == small => last.text.push_str(&piece),
                _ => segments.push(Segment { x, text: piece, bold, small }),
            }
            x += w;
        }
    }
    Line { segments, width: x, height: largest * LEADING }
}

fn line_items(line: &Line, size: f32, color: Rgb, dx: f32, top: f32) -> Vec<Item> {
    line.segments
        .iter()
        .map(|s| {
            let piece_size = if s.small { SMALL_SIZE.min(size) } else { size };
            let color = if s.small { GREY } else { color };
            text(dx + s.x, baseline(top, piece_size, line.height), piece_size, s.bold, color, &s.text)
        })
        .collect()
}

/// A paragraph: a chunk per line, so that it may continue on the next page.
fn paragraph_lines(fonts: &Fonts, runs: &[Run], width: f32, size: f32, color: Rgb) -> Vec<Chunk> {
    wrap(fonts, runs, width, size, false)
        .iter()
        .map(|line| Chunk {
            items: line_items(line, size, color, 0.0, 0.0),
            height: line.height,
            ..Chunk::default()
        })
        .collect()
}

/// A cell's lines within `width`; numbers are right-aligned.
fn cell_items(fonts: &Fonts, cell: &Cell, width: f32, size: f32, color: Rgb, bold: bool) -> (Vec<Item>, f32) {
    let lines = wrap(fonts, &cell.runs, width, size, bold);
    let mut items = Vec::new();
    let mut y = 0.0;
    for line in &lines {
        let dx = if cell.numeric { width - line.width } else { 0.0 };
        items.extend(line_items(line, size, color, dx, y));
        y += line.height;
    }
    (items, y)
}

fn natural_width(fonts: &Fonts, cell: &Cell, size: f32, bold: bool) -> f32 {
    let lines = wrap(fonts, &cell.runs, f32::MAX, size, bold);
    lines.iter().map(|l| l.width).fold(0.0, f32::max)
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

fn columns_of(table: &Table) -> usize {
    table.rows.iter().map(|r| r.cells.iter().map(|c| c.colspan).sum::<usize>()).max().unwrap_or(0)
}

/// The invoice (or installment) lines: as wide as the text, a chunk per row, the header row
/// repeated on each page the table continues on.
fn line_table(table: &Table, fonts: &Fonts, width: f32) -> Vec<Chunk> {
    let (pad_x, pad_y) = (mm(1.5), mm(0.8));
    let count = columns_of(table);
    if count == 0 {
        return Vec::new();
    }
    let row_size = |row: &Row| if row.header { SMALL_SIZE } else { BODY_SIZE };
    let mut natural = vec![0.0f32; count];
    let mut numeric = vec![false; count];
    for row in &table.rows {
        let mut column = 0;
        for cell in &row.cells {
            if cell.colspan == 1 && column < count {
                let w = natural_width(fonts, cell, row_size(row), row.header || row.footer) + 2.0 * pad_x;
                natural[column] = natural[column].max(w);
                numeric[column] |= cell.numeric && !row.header;
            }
            column += cell.colspan;
        }
    }
    let widths = share_width(&natural, &numeric, width);
    let mut out = Vec::new();
    let mut header: Option<Box<Chunk>> = None;
    for row in &table.rows {
        let size = row_size(row);
        let bold = row.header || row.footer;
        let color = if row.header { HEADER_INK } else { INK };
        let mut items = Vec::new();
        let mut height: f32 = 0.0;
        let mut column = 0;
        for cell in &row.cells {
            let span = cell.colspan.min(count.saturating_sub(column)).max(1);
            let x: f32 = widths[..column.min(count)].iter().sum();
            let w: f32 = widths[column.min(count)..(column + span).min(count)].iter().sum();
            let (cell_items, h) = cell_items(fonts, cell, (w - 2.0 * pad_x).max(1.0), size, color, bold);
            items.extend(cell_items.iter().map(|i| i.shifted(x + pad_x, pad_y)));
            height = height.max(h);
            column += cell.colspan;
        }
        height += 2.0 * pad_y;
        // A rule under every row but the footer: dark under the header, light elsewhere.
        let rule = if row.header { Some(HEADER_INK) } else { (!row.footer).then_some(RULE_LIGHT) };
        if let Some(color) = rule {
            items.push(Item::Rule { x1: 0.0, y1: height, x2: width, y2: height, width: PX, color });
        }
        let chunk = Chunk { items, height, header: header.clone(), ..Chunk::default() };
        if row.header {
            header = Some(Box::new(Chunk { header: None, ..chunk.clone() }));
        }
        out.push(chunk);
    }
    if let Some(first) = out.first_mut() {
        first.before = mm(3.0);
        // The header row stays with the first line.
        first.keep_with_next = table.rows.first().is_some_and(|r| r.header);
    }
    if let Some(last) = out.last_mut() {
        last.after = mm(3.0);
    }
    out
}

/// Column widths: each as wide as its text; what is left goes to the first (text) column;
/// too little, and the text columns give way (numbers never wrap).
fn share_width(natural: &[f32], numeric: &[bool], width: f32) -> Vec<f32> {
    let total: f32 = natural.iter().sum();
    let mut widths = natural.to_vec();
    if total <= width {
        if let Some(first) = widths.first_mut() {
            *first += width - total;
        }
        return widths;
    }
    let fixed: f32 = natural.iter().zip(numeric).filter(|(_, n)| **n).map(|(w, _)| *w).sum();
    let flexible: f32 = total - fixed;
    let room = (width - fixed).max(width * 0.3);
    for (w, n) in widths.iter_mut().zip(numeric) {
        if !*n && flexible > 0.0 {
            *w *= room / flexible;
        }
    }
    widths
}

/// How wide the totals are: the widest label and amount, with their padding.
fn totals_width(table: &Table, fonts: &Fonts) -> f32 {
    let pad = mm(2.0);
    let mut label: f32 = 0.0;
    let mut amount: f32 = 0.0;
    for row in &table.rows {
        let size = if row.footer { 11.0 } else { BODY_SIZE };
        for (n, cell) in row.cells.iter().enumerate() {
            let w = natural_width(fonts, cell, size, row.footer) + 2.0 * pad;
            if n == 0 { label = label.max(w) } else { amount = amount.max(w) }
        }
    }
    label + amount
}

/// Fee, interest, compensation and the total, at the right; the total bold under a rule.
fn totals_table(table: &Table, fonts: &Fonts, width: f32) -> Chunk {
    let pad = mm(2.0);
    let natural = totals_width(table, fonts);
    let table_width = natural.min(width);
    let x0 = width - table_width;
    let amount_width: f32 = table
        .rows
        .iter()
        .filter_map(|row| {
            let size = if row.footer { 11.0 } else { BODY_SIZE };
            row.cells.get(1).map(|c| natural_width(fonts, c, size, row.footer) + 2.0 * pad)
        })
        .fold(0.0, f32::max);
    let label_width = (table_width - amount_width).max(mm(20.0));
    let mut items = Vec::new();
    let mut y = 0.0;
    for row in &table.rows {
        let size = if row.footer { 11.0 } else { BODY_SIZE };
        let mut height: f32 = 0.0;
        let mut row_items = Vec::new();
        for (n, cell) in row.cells.iter().enumerate() {
            let (x, w) = if n == 0 { (x0, label_width) } else { (x0 + label_width, amount_width) };
            let (cell_items, h) = cell_items(fonts, cell, (w - 2.0 * pad).max(1.0), size, INK, row.footer);
            row_items.extend(cell_items.iter().map(|i| i.shifted(x + pad, y + mm(1.0))));
            height = height.max(h);
        }
        if row.footer {
            items.push(Item::Rule { x1: x0, y1: y + PX, x2: width, y2: y + PX, width: 2.0 * PX, color: INK });
        }
        items.extend(row_items);
        y += height + mm(2.0);
    }
    Chunk { items, height: y, after: mm(4.0), ..Chunk::default() }
}

/// Label and value pairs (the payment details): labels as wide as the widest, values wrap.
fn plain_table(table: &Table, fonts: &Fonts, width: f32) -> Chunk {
    let gap = mm(4.0);
    let label_width = table
        .rows
        .iter()
        .filter_map(|row| row.cells.first().filter(|c| c.label && row.cells.len() > 1))
        .map(|c| natural_width(fonts, c, BODY_SIZE, false))
        .fold(0.0, f32::max)
        .min(width * 0.5);
    let mut items = Vec::new();
    let mut y = 0.0;
    for row in &table.rows {
        let mut height: f32 = 0.0;
        let mut x = 0.0;
        for (n, cell) in row.cells.iter().enumerate() {
            let is_label = n == 0 && row.cells.len() > 1;
            let w = if is_label { label_width } else { (width - x).max(mm(10.0)) };
            let (cell_items, h) = cell_items(
                fonts,
                &Cell { numeric: false, ..cell.clone() },
                w,
                BODY_SIZE,
                if is_label { GREY } else { INK },
                false,
            );
            items.extend(cell_items.iter().map(|i| i.shifted(x, y + mm(0.5))));
            height = height.max(h);
            x += w + gap;
        }
        y += height + mm(1.0);
    }
    Chunk { items, height: y, after: 0.0, ..Chunk::default() }
}
