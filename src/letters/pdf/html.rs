//! Reading a rendered letter (`letter.html`, SPEC section 9) back into the parts the PDF draws:
//! the sender, the recipient, the date and customer number, the body's headings, paragraphs
//! and tables, and the footer. The PDF prints exactly the words and figures the HTML letter
//! holds — the same templates, the same words, the same model — so the two never disagree,
//! and a user's template override shows in both.
//!
//! The reader knows the shared layout's classes (`templates/partials/letter_page.hbs`:
//! `sender`, `recipient`, `meta`, `lines`, `payment`, `totals`, `summary`, `warning`,
//! `closing`, `small`, `num`, `total`); any other element is read for its text, so an
//! overridden template that adds its own markup still prints every word.

use std::borrow::Cow;

/// A letter as the PDF lays it out.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Letter {
    /// The document's title (`<title>`).
    pub title: String,
    /// The `lang` of the page.
    pub language: String,
    /// The sender block: the company's name first (bold), then its address lines.
    pub sender: Vec<String>,
    /// The recipient block, one entry per line, for the envelope window.
    pub recipient: Vec<String>,
    /// Date and customer number: label and value.
    pub meta: Vec<(String, String)>,
    pub body: Vec<Block>,
    pub footer: String,
}

/// A piece of the body, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `h1` (level 1) or `h2` (2, also h3–h6).
    Heading {
        level: u8,
        text: String,
    },
    /// A paragraph of words; `warning` is the boxed collection warning.
    Paragraph {
        words: Vec<Run>,
        warning: bool,
    },
    Table(Table),
    /// A framed box (the payment details) holding its own blocks.
    Boxed(Vec<Block>),
    /// Blocks side by side (`summary`: the payment box and the totals), left to right.
    Columns(Vec<Vec<Block>>),
}

/// Text in one style; `\n` in `text` is a line break (`<br>`, a `div` in a cell).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Run {
    pub text: String,
    pub bold: bool,
    pub small: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub kind: TableKind,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableKind {
    /// Invoice or installment lines: a header row, ruled rows, a sum.
    Lines,
    /// Fee, interest and the total, right-aligned.
    Totals,
    /// Label and value pairs (the payment details).
    #[default]
    Plain,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// In `thead`: repeated at the top of a page the table continues on.
    pub header: bool,
    /// In `tfoot` (the sum) or `tr.total`: bold, ruled above.
    pub footer: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub runs: Vec<Run>,
    /// `class="num"`: right-aligned, never wrapped.
    pub numeric: bool,
    pub colspan: usize,
    /// A `th`: a label.
    pub label: bool,
}

/// Reads a rendered letter. Never fails: what it does not recognise it reads as text.
pub fn read(html: &str) -> Letter {
    let root = parse(html);
    let mut letter = Letter::default();
    if let Some(title) = root.find(&|n| n.tag == "title") {
        letter.title = title.text();
    }
    if let Some(page) = root.find(&|n| n.tag == "html") {
        letter.language = page.attr("lang").unwrap_or_default().to_owned();
    }
    let body = root.find(&|n| n.tag == "body").unwrap_or(&root);
    read_page(body, &mut letter);
    letter
}

/// Sorts the page's parts into the letter's places; the rest is body.
fn read_page(node: &Node, letter: &mut Letter) {
    for child in &node.children {
        let Content::Element(el) = child else {
            push_loose_text(child, &mut letter.body);
            continue;
        };
        if el.has_class("sender") {
            letter.sender = el.lines();
        } else if el.has_class("recipient") {
            letter.recipient = el.lines();
        } else if el.tag == "table" && el.has_class("meta") {
            letter.meta = el
                .rows()
                .into_iter()
                .map(|cells| {
                    let mut texts = cells.into_iter().map(|c| c.text());
                    (texts.next().unwrap_or_default(), texts.collect::<Vec<_>>().join(" "))
                })
                .collect();
        } else if el.tag == "footer" {
            letter.footer = el.text();
        } else if matches!(el.tag.as_ref(), "div" | "main" | "section" | "article" | "header")
            && !is_block_of_its_own(el)
        {
            read_page(el, letter);
        } else {
            blocks(el, &mut letter.body);
        }
    }
}

/// Whether a `div` is itself a block of the body (rather than a wrapper around blocks).
fn is_block_of_its_own(el: &Node) -> bool {
    el.has_class("summary") || el.has_class("payment") || el.has_class("warning") || el.has_class("plan")
}

/// Text directly inside a wrapper, not in any paragraph: a paragraph of its own.
fn push_loose_text(content: &Content, out: &mut Vec<Block>) {
    if let Content::Text(text) = content
        && !text.trim().is_empty()
    {
        out.push(Block::Paragraph {
            words: vec![Run { text: text.to_string(), ..Run::default() }],
            warning: false,
        });
    }
}

/// The blocks an element of the body stands for.
fn blocks(el: &Node, out: &mut Vec<Block>) {
    match el.tag.as_ref() {
        "h1" => out.push(Block::Heading { level: 1, text: el.text() }),
        "h2" | "h3" | "h4" | "h5" | "h6" => out.push(Block::Heading { level: 2, text: el.text() }),
        "table" => out.push(Block::Table(table(el))),
        "p" | "blockquote" | "address" | "span" | "strong" | "b" | "em" | "a" => {
            let mut words = Vec::new();
            inline(el, Style::default(), &mut words);
            if words.iter().any(|r| !r.text.trim().is_empty()) {
                out.push(Block::Paragraph { words, warning: el.has_class("warning") });
            }
        }
        "style" | "script" | "head" | "title" => {}
        _ if el.has_class("summary") => {
            let columns: Vec<Vec<Block>> = el
                .children
                .iter()
                .filter_map(|c| match c {
                    Content::Element(child) => {
                        let mut column = Vec::new();
                        blocks(child, &mut column);
                        Some(column)
                    }
                    Content::Text(_) => None,
                })
                .filter(|column| !column.is_empty())
                .collect();
            out.push(Block::Columns(columns));
        }
        _ if el.has_class("warning") => {
            let mut words = Vec::new();
            inline(el, Style::default(), &mut words);
            out.push(Block::Paragraph { words, warning: true });
        }
        _ => {
            let mut inner = Vec::new();
            let inline_only = el.children.iter().all(|c| match c {
                Content::Text(_) => true,
                Content::Element(e) => is_inline(&e.tag),
            });
            if inline_only {
                let mut words = Vec::new();
                inline(el, Style::default(), &mut words);
                if words.iter().any(|r| !r.text.trim().is_empty()) {
                    inner.push(Block::Paragraph { words, warning: false });
                }
            } else {
                for child in &el.children {
                    match child {
                        Content::Element(e) => blocks(e, &mut inner),
                        text => push_loose_text(text, &mut inner),
                    }
                }
            }
            if el.has_class("payment") {
                out.push(Block::Boxed(inner));
            } else {
                out.extend(inner);
            }
        }
    }
}

fn is_inline(tag: &str) -> bool {
    matches!(tag, "strong" | "b" | "em" | "i" | "span" | "a" | "br" | "small" | "code")
}

#[derive(Debug, Clone, Copy, Default)]
struct Style {
    bold: bool,
    small: bool,
}

/// The runs of an element's text. `div`s and `br`s inside become line breaks.
fn inline(el: &Node, style: Style, out: &mut Vec<Run>) {
    for child in &el.children {
        match child {
            Content::Text(text) => push_run(out, text, style),
            Content::Element(e) if e.tag == "br" => push_run(out, "\n", style),
            Content::Element(e) => {
                let style = Style {
                    bold: style.bold || matches!(e.tag.as_ref(), "strong" | "b" | "th" | "h1" | "h2" | "h3"),
                    small: style.small || e.has_class("small") || e.tag == "small",
                };
                let own_line = matches!(e.tag.as_ref(), "div" | "p" | "li");
                if own_line && out.iter().any(|r| !r.text.trim().is_empty()) {
                    push_run(out, "\n", style);
                }
                inline(e, style, out);
            }
        }
    }
}

fn push_run(out: &mut Vec<Run>, text: &str, style: Style) {
    match out.last_mut() {
        Some(last) if last.bold == style.bold && last.small == style.small => last.text.push_str(text),
        _ => out.push(Run { text: text.to_owned(), bold: style.bold, small: style.small }),
    }
}

fn table(el: &Node) -> Table {
    let kind = if el.has_class("lines") {
        TableKind::Lines
    } else if el.has_class("totals") {
        TableKind::Totals
    } else {
        TableKind::Plain
    };
    let mut rows = Vec::new();
    collect_rows(el, Section::Body, &mut rows);
    Table { kind, rows }
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Head,
    Body,
    Foot,
}

fn collect_rows(el: &Node, section: Section, rows: &mut Vec<Row>) {
    for child in &el.children {
        let Content::Element(e) = child else { continue };
        match e.tag.as_ref() {
            "thead" => collect_rows(e, Section::Head, rows),
            "tbody" => collect_rows(e, Section::Body, rows),
            "tfoot" => collect_rows(e, Section::Foot, rows),
            "tr" => rows.push(Row {
                cells: e
                    .children
                    .iter()
                    .filter_map(|c| match c {
                        Content::Element(cell) if cell.tag == "td" || cell.tag == "th" => {
                            Some(self::cell(cell))
                        }
                        _ => None,
                    })
                    .collect(),
                header: section == Section::Head,
                footer: section == Section::Foot || e.has_class("total"),
            }),
            _ => {}
        }
    }
}

fn cell(el: &Node) -> Cell {
    let mut runs = Vec::new();
    inline(el, Style::default(), &mut runs);
    Cell {
        runs,
        numeric: el.has_class("num"),
        colspan: el.attr("colspan").and_then(|n| n.trim().parse().ok()).unwrap_or(1).clamp(1, 20),
        label: el.tag == "th",
    }
}

// ---------------------------------------------------------------------------------------------
// A small tolerant HTML tree: enough for the letters dun's templates (or a user's) render.
// ---------------------------------------------------------------------------------------------

/// An element, its names and text borrowed from the HTML where they need no change: a letter
/// is read once and dropped, and its thousand small strings were a tenth of making its PDF
/// (issue #14).
#[derive(Debug, Default)]
struct Node<'h> {
    tag: Cow<'h, str>,
    attrs: Vec<(Cow<'h, str>, Cow<'h, str>)>,
    children: Vec<Content<'h>>,
}

#[derive(Debug)]
enum Content<'h> {
    Element(Node<'h>),
    Text(Cow<'h, str>),
}

impl<'h> Node<'h> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_ref())
    }

    fn has_class(&self, class: &str) -> bool {
        self.attr("class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    fn find<'a>(&'a self, pred: &dyn Fn(&Node) -> bool) -> Option<&'a Node<'h>> {
        if pred(self) {
            return Some(self);
        }
        self.children.iter().find_map(|c| match c {
            Content::Element(e) => e.find(pred),
            Content::Text(_) => None,
        })
    }

    /// All text, whitespace collapsed.
    fn text(&self) -> String {
        let mut runs = Vec::new();
        inline(self, Style::default(), &mut runs);
        collapse(&runs.iter().map(|r| r.text.as_str()).collect::<String>().replace('\n', " "))
    }

    /// One line per child element (or `<br>`), whitespace collapsed, empty lines left out.
    fn lines(&self) -> Vec<String> {
        let mut runs = Vec::new();
        inline(self, Style::default(), &mut runs);
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        text.split('\n').map(collapse).filter(|l| !l.is_empty()).collect()
    }

    /// The cells of each row of a table.
    fn rows(&self) -> Vec<Vec<&Node<'h>>> {
        let mut rows = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            for child in node.children.iter().rev() {
                let Content::Element(e) = child else { continue };
                if e.tag == "tr" {
                    rows.push(
                        e.children
                            .iter()
                            .filter_map(|c| match c {
                                Content::Element(cell) if cell.tag == "td" || cell.tag == "th" => Some(cell),
                                _ => None,
                            })
                            .collect(),
                    );
                } else {
                    stack.push(e);
                }
            }
        }
        rows.reverse();
        rows
    }
}

/// Collapses runs of HTML whitespace (not the no-break space) into one space, trimmed.
pub fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

const VOID: [&str; 8] = ["br", "meta", "img", "hr", "input", "link", "col", "wbr"];

/// Parses HTML into a tree. An end tag closes the innermost open element of its name (and
/// what is open inside it); an end tag with nothing to close is ignored.
fn parse(html: &str) -> Node<'_> {
    let mut stack: Vec<Node> = vec![Node { tag: Cow::Borrowed("#root"), ..Node::default() }];
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut stack, rest);
            break;
        };
        push_text(&mut stack, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').unwrap_or(after.len());
            let name = after[..end].trim();
            if let Some(depth) =
                stack.iter().rposition(|n| n.tag.eq_ignore_ascii_case(name)).filter(|&d| d > 0)
            {
                while stack.len() > depth {
                    close(&mut stack);
                }
            }
            rest = after.get(end + 1..).unwrap_or("");
        } else if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            let (node, self_closing, after) = start_tag(&rest[1..]);
            rest = after;
            let raw = matches!(node.tag.as_ref(), "style" | "script");
            let name = node.tag.clone();
            if VOID.contains(&name.as_ref()) || self_closing {
                if let Some(top) = stack.last_mut() {
                    top.children.push(Content::Element(node));
                }
            } else if raw {
                // Style sheets and scripts are not text: skip to their end tag.
                let end = end_tag_at(rest, &name).unwrap_or(rest.len());
                if let Some(top) = stack.last_mut() {
                    top.children.push(Content::Element(node));
                }
                rest = &rest[end..];
                rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            } else {
                // A new row or cell closes the one still open (HTML's optional end tags).
                if matches!(name.as_ref(), "tr" | "td" | "th" | "p" | "li") {
                    let closes: &[&str] = match name.as_ref() {
                        "tr" => &["tr"],
                        "td" | "th" => &["td", "th"],
                        _ => &["p", "li"],
                    };
                    if stack.last().is_some_and(|top| closes.contains(&top.tag.as_ref())) && stack.len() > 1 {
                        close(&mut stack);
                    }
                }
                stack.push(node);
            }
        } else {
            push_text(&mut stack, "<");
            rest = &rest[1..];
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().unwrap_or_default()
}

/// Where the end tag `</name` (any case) first starts in `html`.
fn end_tag_at(html: &str, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    memchr::memmem::find_iter(bytes, b"</").find(|&at| {
        bytes.get(at + 2..at + 2 + name.len()).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
    })
}

/// `name` in lower case, borrowed when it is already (as every template dun ships writes it).
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn close(stack: &mut Vec<Node>) {
    if let Some(node) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.children.push(Content::Element(node));
    }
}

fn push_text<'h>(stack: &mut [Node<'h>], raw: &'h str) {
    if raw.is_empty() {
        return;
    }
    if let Some(top) = stack.last_mut() {
        let text = decode_entities(raw);
        match top.children.last_mut() {
            Some(Content::Text(previous)) => previous.to_mut().push_str(&text),
            _ => top.children.push(Content::Text(text)),
        }
    }
}

/// Reads `name attr="value" ...>` (after the `<`): the element, whether it closed itself
/// (`/>`), and the rest of the input.
fn start_tag(input: &str) -> (Node<'_>, bool, &str) {
    let name_end =
        input.find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(input.len());
    let mut node = Node { tag: lower(&input[..name_end]), ..Node::default() };
    let mut rest = &input[name_end..];
    let mut self_closing = false;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('>') {
            rest = after;
            break;
        }
        if let Some(after) = rest.strip_prefix('/') {
            self_closing = after.trim_start().starts_with('>');
            rest = after;
            continue;
        }
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len())
            .max(1);
        let name = lower(&rest[..name_end]);
        rest = rest[name_end..].trim_start();
        let mut value = Cow::Borrowed("");
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &after[1..];
                let end = body.find(quote).unwrap_or(body.len());
                value = decode_entities(&body[..end]);
                rest = body.get(end + 1..).unwrap_or("");
            } else {
                let end = after.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(after.len());
                value = decode_entities(&after[..end]);
                rest = &after[end..];
            }
        }
        node.attrs.push((name, value));
    }
    (node, self_closing, rest)
}

/// Decodes the character references Handlebars' escaping writes (`&amp;` `&lt;` `&gt;`
/// `&quot;` `&#x27;` `&#x60;` `&#x3D;`), numeric ones and a few common names.
fn decode_entities(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    "ndash" => Some('–'),
                    "mdash" => Some('—'),
                    "middot" => Some('·'),
                    "euro" => Some('€'),
                    _ => None,
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(
            decode_entities("Fisk &amp; Co &lt;x&gt; &#x27;a&#x27; &amp;amp; &#229; & so"),
            "Fisk & Co <x> 'a' &amp; å & so"
        );
    }

    #[test]
    fn a_page_is_sorted_into_its_places() {
        let html = r#"<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Påminnelse – Bolaget AB</title>
            <style>p { color: red; } .x > y {}</style></head><body><div class="letter"><div class="head">
            <header class="sender"><div class="company">Bolaget AB</div><div>Gatan 1</div></header>
            <address class="recipient"><div>Kund &amp; Co</div>
              <div>Box 1</div><div>111 22 Stad</div></address>
            <table class="meta"><tr><th>Datum</th><td>2026-11-24</td></tr></table></div>
            <main><h1>Påminnelse</h1><p>Hej <strong>Kim</strong>!<br>Ny rad</p>
            <table class="lines"><thead><tr><th>Faktura</th><th class="num">Belopp</th></tr></thead>
            <tbody><tr><td>1001<div class="small">OCR 123</div></td><td class="num">10,00</td></tr></tbody>
            <tfoot><tr><td colspan="1">Summa</td><td class="num">10,00</td></tr></tfoot></table>
            <div class="summary"><div class="payment"><h2>Betalning</h2><table><tr><th>Bankgiro</th><td>5050-1055</td></tr></table></div>
            <table class="totals"><tr class="total"><td>Att betala</td><td class="num">10,00</td></tr></table></div>
            <p class="warning">Sista!</p></main><footer>Bolaget AB · Gatan 1</footer></div></body></html>"#;
        let letter = read(html);
        assert_eq!(letter.title, "Påminnelse – Bolaget AB");
        assert_eq!(letter.language, "sv");
        assert_eq!(letter.sender, ["Bolaget AB", "Gatan 1"]);
        assert_eq!(letter.recipient, ["Kund & Co", "Box 1", "111 22 Stad"]);
        assert_eq!(letter.meta, [("Datum".to_owned(), "2026-11-24".to_owned())]);
        assert_eq!(letter.footer, "Bolaget AB · Gatan 1");
        assert_eq!(letter.body[0], Block::Heading { level: 1, text: "Påminnelse".into() });
        let Block::Paragraph { words, warning: false } = &letter.body[1] else {
            panic!("{:?}", letter.body[1])
        };
        assert_eq!(words.len(), 3);
        assert!(words[1].bold && words[1].text == "Kim");
        assert_eq!(words[2].text, "!\nNy rad");
        let Block::Table(lines) = &letter.body[2] else { panic!() };
        assert_eq!(lines.kind, TableKind::Lines);
        assert_eq!(lines.rows.len(), 3);
        assert!(lines.rows[0].header && lines.rows[2].footer);
        assert_eq!(
            lines.rows[1].cells[0].runs[1],
            Run { text: "\nOCR 123".into(), bold: false, small: true }
        );
        assert!(lines.rows[1].cells[1].numeric);
        let Block::Columns(columns) = &letter.body[3] else { panic!("{:?}", letter.body[3]) };
        assert_eq!(columns.len(), 2);
        assert!(matches!(&columns[0][0], Block::Boxed(inner) if inner.len() == 2));
        assert!(
            matches!(&columns[1][0], Block::Table(Table { kind: TableKind::Totals, rows }) if rows[0].footer)
        );
        assert!(matches!(&letter.body[4], Block::Paragraph { warning: true, .. }));
    }

    #[test]
    fn unknown_markup_keeps_its_words() {
        let letter = read(
            "<body><main><section><ul><li>ett<li>två</ul></section>lös text <i>kursiv</i></main></body>",
        );
        let text = format!("{:?}", letter.body);
        for word in ["ett", "två", "lös text", "kursiv"] {
            assert!(text.contains(word), "{word}: {text}");
        }
    }
}
