//! Findings: what is wrong with the input, where, and how bad.

use std::borrow::Cow;
use std::fmt;

use super::model::Text;

/// Text a finding mostly takes from the program (a file name, a column, a hint): borrowed
/// when it is, so that a check with a million findings does not copy it a million times.
pub type Label = Cow<'static, str>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in one place: `invoices.csv:17: column "due": "31.02.2026" is not a valid date`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub file: Label,
    pub line: u64,
    pub field: Label,
    /// A stable kebab-case name for the kind of finding.
    pub code: &'static str,
    pub message: String,
    /// The customer the finding concerns, when it concerns one (its id as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<Text>,
    /// The invoice the finding concerns, when it concerns one (its number as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Text>,
    /// How to fix it, when there is more to say than the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<Label>,
}

impl Finding {
    pub fn error(
        file: impl Into<Label>,
        line: u64,
        field: impl Into<Label>,
        code: &'static str,
        message: String,
    ) -> Finding {
        Finding {
            severity: Severity::Error,
            file: file.into(),
            line,
            field: field.into(),
            code,
            message,
            customer: None,
            invoice: None,
            hint: None,
        }
    }

    pub fn warning(
        file: impl Into<Label>,
        line: u64,
        field: impl Into<Label>,
        code: &'static str,
        message: String,
    ) -> Finding {
        Finding { severity: Severity::Warning, ..Finding::error(file, line, field, code, message) }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The customer this finding concerns.
    pub fn customer(mut self, id: impl Into<Text>) -> Finding {
        self.customer = Some(id.into());
        self
    }

    /// The invoice this finding concerns.
    pub fn invoice(mut self, number: impl Into<Text>) -> Finding {
        self.invoice = Some(number.into());
        self
    }

    /// How to fix it.
    pub fn hint(mut self, hint: impl Into<Label>) -> Finding {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if !self.field.is_empty() {
            write!(f, "column \"{}\": ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// How many errors of one file are printed before the rest are only counted.
pub const ERROR_CAP: usize = 50;

/// All errors of a file, sorted by line, as one message (capped, with the count of the rest).
pub fn summarize(findings: &mut [Finding]) -> String {
    findings.sort_by(|a, b| (&*a.file, a.line).cmp(&(&*b.file, b.line)));
    let mut text = String::new();
    for f in findings.iter().take(ERROR_CAP) {
        text.push_str(&f.to_string());
        text.push('\n');
    }
    if findings.len() > ERROR_CAP {
        text.push_str(&format!("... and {} more errors\n", findings.len() - ERROR_CAP));
    }
    text.trim_end().to_owned()
}

/// How one input file was read, when not by `dun`'s own column names alone: the preset
/// recognised from its header, or the policy's column mapping. `dun check` lists these and
/// every command says them on stderr.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileReading {
    pub file: String,
    /// The preset's name (`fortnox-invoices`), if one was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// For people: `read as Fortnox invoices (preset fortnox-invoices): ...`.
    pub how: String,
}

impl fmt::Display for FileReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.how)
    }
}

/// A finding as it is read from a [`FindingList`]: its texts borrowed from the list. (The
/// JSON of `dun check` writes its members itself; [`Finding`] is what serializes.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FindingRef<'a> {
    pub severity: Severity,
    pub file: &'a str,
    pub line: u64,
    pub field: &'a str,
    pub code: &'static str,
    pub message: Composed<'a>,
    pub customer: Option<&'a str>,
    pub invoice: Option<&'a str>,
    pub hint: Option<Composed<'a>>,
}

impl FindingRef<'_> {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The finding with texts of its own.
    pub fn to_finding(&self) -> Finding {
        let label = |text: &str| -> Label { Cow::Owned(text.to_owned()) };
        Finding {
            severity: self.severity,
            file: label(self.file),
            line: self.line,
            field: label(self.field),
            code: self.code,
            message: self.message.to_string(),
            customer: self.customer.map(Text::from),
            invoice: self.invoice.map(Text::from),
            hint: self.hint.map(|hint| Cow::Owned(hint.to_string())),
        }
    }
}

/// A text of a finding as read from a [`FindingList`]: its own, or made of a template of the
/// program's own whose every `\0` stands for the next of the finding's parts. Written out
/// (`Display`, [`Composed::write_to`]) it reads as the text the finding was made with.
#[derive(Clone, Copy, Debug, Eq)]
pub struct Composed<'a> {
    template: Option<&'a str>,
    /// The text, or the parts one after another, each after the first behind a `\0`.
    text: &'a str,
}

impl<'a> Composed<'a> {
    /// A text as it is.
    pub fn plain(text: &'a str) -> Composed<'a> {
        Composed { template: None, text }
    }

    /// The text, appended to `out`.
    pub fn write_to(&self, out: &mut String) {
        match self.template {
            None => out.push_str(self.text),
            Some(template) => fill(template, parts_of(self.text), out),
        }
    }

    /// The text: borrowed when it is one piece, else written into `scratch` (cleared first).
    pub fn read_with<'s>(&self, scratch: &'s mut String) -> &'s str
    where
        'a: 's,
    {
        match self.template {
            None => self.text,
            Some(template) => {
                scratch.clear();
                fill(template, parts_of(self.text), scratch);
                scratch
            }
        }
    }

    /// The text, borrowed when it is one piece.
    pub fn to_text(&self) -> Cow<'a, str> {
        match self.template {
            None => Cow::Borrowed(self.text),
            Some(_) => {
                let mut text = String::new();
                self.write_to(&mut text);
                Cow::Owned(text)
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.template.is_none_or(str::is_empty) && self.text.is_empty()
    }
}

/// `template` with each `\0` in it replaced by the next of `parts`, appended to `out`.
pub fn fill<'p>(template: &str, mut parts: impl Iterator<Item = &'p str>, out: &mut String) {
    let mut rest = template;
    while let Some((piece, after)) = split_at_nul(rest) {
        out.push_str(piece);
        out.push_str(parts.next().unwrap_or_default());
        rest = after;
    }
    out.push_str(rest);
}

/// The text before the first `\0` in `text` and the text after it. Byte by byte: a
/// template or a part is a few dozen bytes, where `str::split`'s searcher cost more than the
/// search (a fortieth of `dun check`'s time writing 234,000 made messages, issue #14).
fn split_at_nul(text: &str) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == 0)?;
    // A NUL is a character of its own in UTF-8: the text splits at character boundaries.
    Some((&text[..at], &text[at + 1..]))
}

/// The parts of a made text, one after another.
fn parts_of(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let now = rest?;
        match split_at_nul(now) {
            Some((part, after)) => {
                rest = Some(after);
                Some(part)
            }
            None => {
                rest = None;
                Some(now)
            }
        }
    })
}

/// Texts compare as they read, however they are kept.
impl PartialEq for Composed<'_> {
    fn eq(&self, other: &Composed<'_>) -> bool {
        self.to_text() == other.to_text()
    }
}

impl fmt::Display for Composed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// A text given to [`FindingList::push_made`]: how it is kept depends on whose it is.
#[derive(Clone, Copy, Debug)]
pub enum Wording<'a> {
    /// The finding's own (a value of the ledger's).
    Own(&'a str),
    /// The program's own, kept once.
    Fixed(&'static str),
    /// One that many findings of a list share (worked out once for many): kept once.
    Shared(&'a str),
    /// The program's template, each `\0` in it standing for the next of the parts (the
    /// finding's own, none holding a `\0`; one that does is kept as the whole text).
    Made(&'static str, &'a [&'a str]),
    /// [`Wording::Made`] with a template many findings of a list share, kept once.
    MadeShared(&'a str, &'a [&'a str]),
}

/// A finding given to [`FindingList::push_made`] without a [`Finding`] of its own: its texts
/// kept as they come, a made message as its template and parts.
#[derive(Clone, Copy, Debug)]
pub struct Made<'a> {
    pub severity: Severity,
    pub file: &'static str,
    pub line: u64,
    pub field: &'static str,
    pub code: &'static str,
    pub message: Wording<'a>,
    pub customer: Option<&'a str>,
    pub invoice: Option<&'a str>,
    pub hint: Option<Wording<'a>>,
}

impl<'a> Made<'a> {
    /// A warning; what it concerns and its hint set by the caller.
    pub fn warning(
        (file, line, field): (&'static str, u64, &'static str),
        code: &'static str,
        message: Wording<'a>,
    ) -> Made<'a> {
        Made {
            severity: Severity::Warning,
            file,
            line,
            field,
            code,
            message,
            customer: None,
            invoice: None,
            hint: None,
        }
    }
}

/// Findings one after another, packed: each finding's texts of its own (its message, the
/// customer and invoice it concerns, a hint made for it) copied into one string the list
/// keeps, the program's own (file names, columns, codes, most hints) kept once in a table.
/// A [`Finding`] is 176 bytes and its message an allocation of its own; a million-invoice
/// ledger has 175,000 findings, and they were a quarter of `dun check`'s peak memory
/// (issue #14). Packed, one takes 48 bytes and the bytes of its own texts. A message made of
/// the program's words and a few values ([`FindingList::push_made`]) keeps the values alone:
/// on that ledger's 234,000 findings the messages and hints of their own were 29 MB, and
/// keeping the values alone took 15 MiB off `dun check`'s peak.
#[derive(Clone, Debug, Default)]
pub struct FindingList {
    packed: Vec<Packed>,
    /// The texts of the findings' own, one finding's after another's.
    texts: String,
    /// The program's texts the findings name, each once (by where it is in memory).
    labels: Vec<&'static str>,
    label_at: rustc_hash::FxHashMap<(usize, usize), u32>,
    /// Texts many findings share ([`Wording::Shared`]), each once.
    shared: Vec<Box<str>>,
    shared_at: rustc_hash::FxHashMap<Box<str>, u32>,
}

/// A finding in a [`FindingList`].
#[derive(Clone, Copy, Debug)]
struct Packed {
    line: u64,
    /// Where the finding's own texts start in [`FindingList::texts`].
    start: usize,
    /// Its file, field, message, customer, invoice and hint, each a [`Slot`].
    slots: [u32; 6],
    /// Its code's place in [`FindingList::labels`].
    code: u32,
    severity: Severity,
}

impl Packed {
    /// Where the finding's own texts end in [`FindingList::texts`].
    fn end(&self) -> usize {
        self.start + self.slots.iter().map(|&s| Slot::own_len(s)).sum::<usize>()
    }
}

/// Where a packed finding's text is, in 32 bits: [`Slot::NONE`] for none; with
/// [`Slot::LABEL`] set, the place of a text of the program's own in the labels, or with
/// [`Slot::SHARED`] too of a shared one in the shared texts; with [`Slot::MADE`] set, a
/// template's place (the [`Slot::TEMPLATE_BITS`] above [`Slot::PARTS_BITS`]) in the labels,
/// or with [`Slot::SHARED_TEMPLATE`] in the shared texts, and the length of the parts that
/// come next in its texts; else the length of the finding's own text that comes next in its
/// texts.
struct Slot;

impl Slot {
    const NONE: u32 = u32::MAX;
    const LABEL: u32 = 1 << 31;
    const SHARED: u32 = 1 << 30;
    const MADE: u32 = 1 << 30;
    const SHARED_TEMPLATE: u32 = 1 << 29;
    const PARTS_BITS: u32 = 20;
    const TEMPLATE_BITS: u32 = 9;

    /// The length of the finding's own text the slot holds (0 for a label).
    fn own_len(slot: u32) -> usize {
        match slot {
            s if s & Slot::LABEL != 0 => 0,
            s if s & Slot::MADE != 0 => (s & ((1 << Slot::PARTS_BITS) - 1)) as usize,
            len => len as usize,
        }
    }
}

const FILE: usize = 0;
const FIELD: usize = 1;
const MESSAGE: usize = 2;
const CUSTOMER: usize = 3;
const INVOICE: usize = 4;
const HINT: usize = 5;

impl FindingList {
    pub fn new() -> FindingList {
        FindingList::default()
    }

    pub fn len(&self) -> usize {
        self.packed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    pub fn push(&mut self, finding: Finding) {
        let start = self.texts.len();
        let Finding { severity, file, line, field, code, message, customer, invoice, hint } = finding;
        let slots = [
            self.slot(Some(file)),
            self.slot(Some(field)),
            self.own(Some(&message)),
            self.own(customer.as_deref()),
            self.own(invoice.as_deref()),
            self.slot(hint),
        ];
        let code = self.label(code);
        self.packed.push(Packed { line, start, slots, code, severity });
    }

    /// A finding whose texts are mostly the program's own: a made message is kept as its
    /// parts (a template is kept once), a shared text once. Read back, it is the finding
    /// whose texts read the same ([`FindingRef`]); a quarter of a million findings on a
    /// million-invoice ledger kept every message whole, two thirds of them the same words
    /// (issue #14).
    pub fn push_made(&mut self, made: Made<'_>) {
        let start = self.texts.len();
        let Made { severity, file, line, field, code, message, customer, invoice, hint } = made;
        let slots = [
            Slot::LABEL | self.label(file),
            Slot::LABEL | self.label(field),
            self.wording(Some(message)),
            self.own(customer),
            self.own(invoice),
            self.wording(hint),
        ];
        let code = self.label(code);
        self.packed.push(Packed { line, start, slots, code, severity });
    }

    /// The severity, file and line of the finding at `at`: what it is sorted by, read without
    /// its other texts.
    fn head(&self, at: usize) -> (Severity, &str, u64) {
        let p = &self.packed[at];
        let file = match p.slots[FILE] {
            Slot::NONE => "",
            label if label & Slot::LABEL != 0 => self.labels[(label & !Slot::LABEL) as usize],
            // The file is the first of a finding's own texts.
            len => &self.texts[p.start..p.start + len as usize],
        };
        (p.severity, file, p.line)
    }

    /// The finding at `at`.
    pub fn get<'a>(&'a self, at: usize) -> FindingRef<'a> {
        let p = &self.packed[at];
        let mut from = p.start;
        let mut texts: [Option<Composed<'_>>; 6] = [None; 6];
        for (text, &slot) in texts.iter_mut().zip(&p.slots) {
            *text = match slot {
                Slot::NONE => None,
                shared if shared & Slot::LABEL != 0 && shared & Slot::SHARED != 0 => {
                    Some(Composed::plain(&self.shared[(shared & !(Slot::LABEL | Slot::SHARED)) as usize]))
                }
                label if label & Slot::LABEL != 0 => {
                    Some(Composed::plain(self.labels[(label & !Slot::LABEL) as usize]))
                }
                own => {
                    let len = Slot::own_len(own);
                    let text = &self.texts[from..from + len];
                    from += len;
                    let template = (own & Slot::MADE != 0).then(|| {
                        let at = ((own >> Slot::PARTS_BITS) & ((1 << Slot::TEMPLATE_BITS) - 1)) as usize;
                        match own & Slot::SHARED_TEMPLATE {
                            0 => self.labels[at],
                            _ => &*self.shared[at],
                        }
                    });
                    Some(Composed { template, text })
                }
            };
        }
        // The file, field, customer and invoice are never made.
        let plain = |text: Option<Composed<'a>>| text.map(|t| t.text);
        FindingRef {
            severity: p.severity,
            file: plain(texts[FILE]).unwrap_or_default(),
            line: p.line,
            field: plain(texts[FIELD]).unwrap_or_default(),
            code: self.labels[p.code as usize],
            message: texts[MESSAGE].unwrap_or(Composed::plain("")),
            customer: plain(texts[CUSTOMER]),
            invoice: plain(texts[INVOICE]),
            hint: texts[HINT],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = FindingRef<'_>> {
        (0..self.len()).map(|at| self.get(at))
    }

    /// The findings in one list (copied: for a few, or tests).
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().map(|f| f.to_finding()).collect()
    }

    /// Drops the warnings among the findings from `mark` on, the errors kept in order.
    pub fn keep_errors_from(&mut self, mark: usize) {
        let mut kept = mark;
        for at in mark..self.packed.len() {
            if self.packed[at].severity == Severity::Error {
                self.packed[kept] = self.packed[at];
                kept += 1;
            }
        }
        self.packed.truncate(kept);
        // Texts past the last finding kept are read by none.
        self.texts.truncate(self.packed.last().map_or(0, Packed::end));
    }

    /// A text of the program's own is kept once in the labels; one made for the finding
    /// goes with its own texts.
    fn slot(&mut self, text: Option<Label>) -> u32 {
        match text {
            None => Slot::NONE,
            Some(Cow::Borrowed(label)) => Slot::LABEL | self.label(label),
            Some(Cow::Owned(own)) => self.own(Some(&own)),
        }
    }

    fn label(&mut self, label: &'static str) -> u32 {
        let next = u32::try_from(self.labels.len()).ok().filter(|n| n & Slot::LABEL == 0);
        let next = next.expect("fewer than 2^31 texts of the program's own");
        let at = *self.label_at.entry((label.as_ptr() as usize, label.len())).or_insert(next);
        if at == next {
            self.labels.push(label);
        }
        at
    }

    fn own(&mut self, text: Option<&str>) -> u32 {
        let Some(text) = text else { return Slot::NONE };
        let len = u32::try_from(text.len()).ok().filter(|&n| n < Slot::MADE);
        self.texts.push_str(text);
        len.expect("a finding's text is shorter than 1 GiB")
    }

    fn wording(&mut self, text: Option<Wording<'_>>) -> u32 {
        match text {
            None => Slot::NONE,
            Some(Wording::Own(own)) => self.own(Some(own)),
            Some(Wording::Fixed(label)) => Slot::LABEL | self.label(label),
            Some(Wording::Shared(text)) => self.shared(text),
            Some(Wording::Made(template, parts)) => {
                let at = self.label(template);
                self.made(template, (at, 0), parts)
            }
            Some(Wording::MadeShared(template, parts)) => {
                let at = self.shared(template) & !(Slot::LABEL | Slot::SHARED);
                self.made(template, (at, Slot::SHARED_TEMPLATE), parts)
            }
        }
    }

    fn shared(&mut self, text: &str) -> u32 {
        if let Some(&at) = self.shared_at.get(text) {
            return Slot::LABEL | Slot::SHARED | at;
        }
        let at = u32::try_from(self.shared.len()).ok().filter(|&n| n < Slot::SHARED - 1);
        let at = at.expect("fewer than 2^30 shared texts");
        self.shared.push(text.into());
        self.shared_at.insert(text.into(), at);
        Slot::LABEL | Slot::SHARED | at
    }

    /// A made text as its template's place (`at`, in the texts `kept` says) and its parts;
    /// the whole text where that cannot be read back as made (a part with a `\0`, 512
    /// templates kept before, a megabyte of parts). Parts too few for the places leave the
    /// last empty, and too many are not read, as [`fill`] writes them.
    fn made(&mut self, template: &str, (at, kept): (u32, u32), parts: &[&str]) -> u32 {
        let len = parts.iter().map(|p| p.len()).sum::<usize>() + parts.len().saturating_sub(1);
        let fits = at < 1 << Slot::TEMPLATE_BITS
            && len < 1 << Slot::PARTS_BITS
            && !parts.iter().any(|p| p.as_bytes().contains(&0));
        if !fits {
            let mut whole = String::new();
            fill(template, parts.iter().copied(), &mut whole);
            return self.own(Some(&whole));
        }
        for (n, part) in parts.iter().enumerate() {
            if n > 0 {
                self.texts.push('\0');
            }
            self.texts.push_str(part);
        }
        Slot::MADE | kept | (at << Slot::PARTS_BITS) | len as u32
    }
}

impl From<Vec<Finding>> for FindingList {
    fn from(findings: Vec<Finding>) -> FindingList {
        let mut list = FindingList::new();
        findings.into_iter().for_each(|f| list.push(f));
        list
    }
}

/// Findings kept in the lists that found them (the parts of a check, each made on its own
/// thread) and read in one order through their positions: by file, then line, and findings
/// on one line in the order of their lists and within each list. Joining the lists into one
/// held every finding twice at the end of `dun check`, and sorting the joined list took room
/// for half of them again: on a million-invoice ledger's 175,000 findings that was the
/// command's peak (issue #14).
#[derive(Clone, Debug, Default)]
pub struct Findings {
    lists: Vec<FindingList>,
    /// Where each finding is, in order: its list in the high 32 bits, its place in the low.
    order: Vec<u64>,
}

impl Findings {
    /// The findings of `lists` whose severity `keep` takes, read in order of file and line; on
    /// one line, as they are given. The others are not read.
    pub fn sorted_where(lists: Vec<FindingList>, keep: impl Fn(Severity) -> bool) -> Findings {
        let files = FileRanks::of(&lists);
        let mut keys: Vec<u128> = Vec::with_capacity(lists.iter().map(FindingList::len).sum());
        for (list, findings) in lists.iter().enumerate() {
            for at in 0..findings.len() {
                let (severity, file, line) = findings.head(at);
                if keep(severity) {
                    keys.push(sort_key(files.rank(file), line, place(list, at)));
                }
            }
        }
        keys.sort_unstable();
        let order = keys.into_iter().map(|k| k as u64).collect();
        Findings { lists, order }
    }

    /// One list, read in its own order.
    pub fn in_order(list: impl Into<FindingList>) -> Findings {
        let list = list.into();
        let order = (0..list.len()).map(|at| place(0, at)).collect();
        Findings { lists: vec![list], order }
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The findings from the `range` of places in order.
    pub fn range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = FindingRef<'_>> {
        self.order[range].iter().map(|&place| self.at(place))
    }

    pub fn iter(&self) -> impl Iterator<Item = FindingRef<'_>> {
        self.range(0..self.len())
    }

    /// The finding at place `k` in order.
    pub fn get(&self, k: usize) -> FindingRef<'_> {
        self.at(self.order[k])
    }

    /// The findings in order, in one list (copied: for a few, or tests).
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().map(|f| f.to_finding()).collect()
    }

    fn at(&self, place: u64) -> FindingRef<'_> {
        self.lists[(place >> 32) as usize].get((place & u64::from(u32::MAX)) as usize)
    }
}

/// A finding's list and its place in it, as one number ([`Findings::order`]).
fn place(list: usize, at: usize) -> u64 {
    let list = u32::try_from(list).expect("fewer than 2^32 lists of findings");
    let at = u32::try_from(at).expect("fewer than 2^32 findings in a list");
    (u64::from(list) << 32) | u64::from(at)
}

/// The order of a finding: its file's rank, its line (lines past 2^32 compare as the last),
/// then its place.
fn sort_key(file: u32, line: u64, place: u64) -> u128 {
    let line = u32::try_from(line).unwrap_or(u32::MAX);
    (u128::from(file) << 96) | (u128::from(line) << 64) | u128::from(place)
}

/// The files findings name, each with its rank among them in text order: a finding's file
/// compared as a number. A ledger's findings name a handful of files, most of them in runs.
struct FileRanks<'f> {
    sorted: Vec<&'f str>,
}

impl<'f> FileRanks<'f> {
    fn of(lists: &'f [FindingList]) -> FileRanks<'f> {
        let mut files = std::collections::BTreeSet::new();
        let mut last: Option<&str> = None;
        for list in lists {
            for (_, file, _) in (0..list.len()).map(|at| list.head(at)) {
                if last != Some(file) {
                    files.insert(file);
                    last = Some(file);
                }
            }
        }
        FileRanks { sorted: files.into_iter().collect() }
    }

    fn rank(&self, file: &str) -> u32 {
        let rank = self.sorted.binary_search(&file).expect("every file was ranked");
        u32::try_from(rank).expect("fewer than 2^32 files")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The order `dun check` wrote its findings in before they were kept in their lists: the
    /// lists joined, then a stable sort by file and line.
    fn joined_and_sorted(lists: &[Vec<Finding>], keep: impl Fn(&Finding) -> bool) -> Vec<Finding> {
        let mut joined: Vec<Finding> = lists.iter().flatten().filter(|f| keep(f)).cloned().collect();
        joined.sort_by(|a, b| (&*a.file, a.line).cmp(&(&*b.file, b.line)));
        joined
    }

    fn finding((file, line, error): (usize, u64, bool), list: usize, at: usize) -> Finding {
        let file = ["invoices.csv", "customers.csv", "policy.toml", "bank/2026-11.xml"][file];
        let message = format!("list {list}, place {at}");
        match error {
            true => Finding::error(file, line, "", "x", message),
            false => Finding::warning(file, line, "", "x", message),
        }
    }

    proptest! {
        /// Kept in their lists, the findings read in the order of the joined and sorted
        /// list (each message says where it was made, so ties are told apart), whether read
        /// one by one, by range or by place; and so do those of one severity.
        #[test]
        fn kept_findings_read_as_joined_and_sorted(
            lists in prop::collection::vec(
                prop::collection::vec((0..4usize, prop_oneof![0..6u64, Just(u64::MAX)], any::<bool>()), 0..30),
                0..5,
            ),
            cut in 0..40usize,
        ) {
            let lists: Vec<Vec<Finding>> = lists
                .iter()
                .enumerate()
                .map(|(l, fs)| fs.iter().enumerate().map(|(at, &f)| finding(f, l, at)).collect())
                .collect();
            let packed = || lists.iter().cloned().map(FindingList::from).collect::<Vec<_>>();
            let kept = Findings::sorted_where(packed(), |_| true);
            let expected = joined_and_sorted(&lists, |_| true);
            prop_assert_eq!(kept.len(), expected.len());
            prop_assert_eq!(kept.to_vec(), expected.clone());
            let cut = cut.min(kept.len());
            let by_range: Vec<Finding> =
                kept.range(0..cut).chain(kept.range(cut..kept.len())).map(|f| f.to_finding()).collect();
            prop_assert_eq!(&by_range, &expected);
            prop_assert!((0..kept.len()).all(|k| kept.get(k).to_finding() == expected[k]));
            let errors = Findings::sorted_where(packed(), |s| s == Severity::Error);
            prop_assert_eq!(errors.to_vec(), joined_and_sorted(&lists, Finding::is_error));
        }
    }

    #[test]
    fn one_list_reads_in_its_own_order() {
        let list = vec![finding((0, 9, true), 0, 0), finding((1, 1, false), 0, 1)];
        let kept = Findings::in_order(list.clone());
        assert_eq!(kept.to_vec(), list);
        assert!(
            Findings::default().is_empty()
                && Findings::sorted_where(vec![FindingList::new(), FindingList::new()], |_| true).is_empty()
        );
    }

    /// A finding of every kind of text: the program's own or made for it, present, absent
    /// or empty.
    fn any_finding() -> impl Strategy<Value = Finding> {
        const FILES: [&str; 3] = ["customers.csv", "invoices.csv", ""];
        let label = prop_oneof![
            (0..3usize).prop_map(|i| Label::Borrowed(FILES[i])),
            "[a-zå /.]{0,12}".prop_map(Label::Owned),
        ];
        let text = || proptest::option::of("[a-zA-Z0-9 \"ø€-]{0,20}");
        (any::<bool>(), label.clone(), any::<u64>(), label.clone(), "[a-zæ \"]{0,40}", text(), text())
            .prop_flat_map(move |(error, file, line, field, message, customer, invoice)| {
                proptest::option::of(label.clone()).prop_map(move |hint| {
                    let f = match error {
                        true => Finding::error(file.clone(), line, field.clone(), "a-code", message.clone()),
                        false => {
                            Finding::warning(file.clone(), line, field.clone(), "b-code", message.clone())
                        }
                    };
                    Finding {
                        customer: customer.clone().map(Text::from),
                        invoice: invoice.clone().map(Text::from),
                        hint,
                        ..f
                    }
                })
            })
    }

    proptest! {
        /// A packed list reads back every finding as it was pushed, its texts told apart
        /// (none from empty, one field's from the next's); the warnings dropped from a mark
        /// on leave the errors in order and the findings before the mark as they were.
        #[test]
        fn a_packed_list_reads_back_what_was_pushed(
            findings in prop::collection::vec(any_finding(), 0..24),
            mark in 0..30usize,
        ) {
            let list = FindingList::from(findings.clone());
            prop_assert_eq!(list.len(), findings.len());
            prop_assert_eq!(list.to_vec(), findings.clone());
            // What the findings are sorted by reads the same alone.
            for (at, f) in findings.iter().enumerate() {
                prop_assert_eq!(list.head(at), (f.severity, &*f.file, f.line));
            }
            let mark = mark.min(findings.len());
            let mut settled = list.clone();
            settled.keep_errors_from(mark);
            let expected: Vec<Finding> = findings[..mark]
                .iter()
                .chain(findings[mark..].iter().filter(|f| f.is_error()))
                .cloned()
                .collect();
            prop_assert_eq!(settled.to_vec(), expected.clone());
            // What is pushed after the warnings were dropped reads back too.
            settled.push(findings.first().cloned().unwrap_or_else(|| finding((0, 1, true), 0, 0)));
            prop_assert_eq!(settled.len(), expected.len() + 1);
            prop_assert_eq!(settled.get(expected.len()).to_finding(), findings.first().cloned().unwrap_or_else(|| finding((0, 1, true), 0, 0)));
        }
    }

    #[test]
    fn the_programs_texts_are_kept_once_and_a_findings_own_in_one_string() {
        let hint = "call the customer before the next delivery";
        let list = FindingList::from(
            (0..100)
                .map(|n| {
                    Finding::warning(
                        "customers.csv",
                        n,
                        "credit_limit",
                        "over-credit-limit",
                        format!("finding {n}"),
                    )
                    .customer(format!("C{n}"))
                    .hint(hint)
                })
                .collect::<Vec<_>>(),
        );
        // The file, the column, the code and the hint.
        assert_eq!(list.labels.len(), 4);
        let own: usize = (0..100).map(|n: u64| format!("finding {n}").len() + format!("C{n}").len()).sum();
        assert_eq!(list.texts.len(), own);
        assert_eq!(list.get(42).hint, Some(Composed::plain(hint)));
        assert_eq!(list.get(42).message.to_string(), "finding 42");
        assert_eq!(std::mem::size_of::<Packed>(), 48);
    }

    /// Templates of the program's own: none, one and several places for parts, places side
    /// by side and at the ends.
    const TEMPLATES: [&str; 5] =
        ["", "\0", "customer \0 looks like \"\0\" (line \0)", "\0\0 and", "no places"];

    /// A text for [`FindingList::push_made`] and the text it must read back as: made ones with
    /// parts one for each place or not, parts with a `\0` of their own; templates shared.
    fn any_wording() -> impl Strategy<Value = (WordingSpec, String)> {
        let parts = prop::collection::vec("[a-zå\0 \"]{0,6}", 0..4);
        prop_oneof![
            "[a-zø ]{0,12}".prop_map(|t| (WordingSpec::Own(t.clone()), t)),
            (0..TEMPLATES.len()).prop_map(|i| (WordingSpec::Fixed(TEMPLATES[i]), TEMPLATES[i].to_owned())),
            "[ab]{0,2}".prop_map(|t| (WordingSpec::Shared(t.clone()), t)),
            ((0..TEMPLATES.len()), parts.clone()).prop_map(|(i, parts)| {
                let mut whole = String::new();
                fill(TEMPLATES[i], parts.iter().map(String::as_str), &mut whole);
                (WordingSpec::Made(TEMPLATES[i], parts), whole)
            }),
            ("[x\0]{0,3}", parts).prop_map(|(template, parts)| {
                let mut whole = String::new();
                fill(&template, parts.iter().map(String::as_str), &mut whole);
                (WordingSpec::MadeShared(template, parts), whole)
            }),
        ]
    }

    /// A [`Wording`] with texts of its own, for the strategies.
    #[derive(Clone, Debug)]
    enum WordingSpec {
        Own(String),
        Fixed(&'static str),
        Shared(String),
        Made(&'static str, Vec<String>),
        MadeShared(String, Vec<String>),
    }

    impl WordingSpec {
        fn with<R>(&self, f: impl FnOnce(Wording<'_>) -> R) -> R {
            match self {
                WordingSpec::Own(t) => f(Wording::Own(t)),
                WordingSpec::Fixed(t) => f(Wording::Fixed(t)),
                WordingSpec::Shared(t) => f(Wording::Shared(t)),
                WordingSpec::Made(t, parts) => {
                    f(Wording::Made(t, &parts.iter().map(String::as_str).collect::<Vec<_>>()))
                }
                WordingSpec::MadeShared(t, parts) => {
                    f(Wording::MadeShared(t, &parts.iter().map(String::as_str).collect::<Vec<_>>()))
                }
            }
        }
    }

    proptest! {
        /// Findings pushed made read back as the findings with their texts written out, in a
        /// list with findings pushed whole; what they are sorted by and the errors kept from a
        /// mark read the same as of those.
        #[test]
        fn made_findings_read_as_their_texts_written_out(
            given in prop::collection::vec(
                (any::<bool>(), any_wording(), proptest::option::of(any_wording()), proptest::option::of("[C0-9]{0,4}"), any::<bool>()),
                0..16,
            ),
            mark in 0..20usize,
        ) {
            let (mut made, mut whole) = (FindingList::new(), FindingList::new());
            for (at, (error, (message, message_text), hint, customer, pushed_whole)) in given.iter().enumerate() {
                let severity = if *error { Severity::Error } else { Severity::Warning };
                let expected = Finding {
                    severity,
                    file: Label::Borrowed("customers.csv"),
                    line: at as u64 % 3,
                    field: Label::Borrowed("id"),
                    code: "likely-duplicate",
                    message: message_text.clone(),
                    customer: customer.clone().map(Text::from),
                    invoice: None,
                    hint: hint.as_ref().map(|(_, text)| Label::Owned(text.clone())),
                };
                whole.push(expected.clone());
                if *pushed_whole {
                    made.push(expected);
                    continue;
                }
                message.with(|message| match hint {
                    None => made.push_made(Made { severity, customer: customer.as_deref(), ..Made::warning(("customers.csv", at as u64 % 3, "id"), "likely-duplicate", message) }),
                    Some((hint, _)) => hint.with(|hint| made.push_made(Made {
                        severity,
                        customer: customer.as_deref(),
                        hint: Some(hint),
                        ..Made::warning(("customers.csv", at as u64 % 3, "id"), "likely-duplicate", message)
                    })),
                });
            }
            prop_assert_eq!(made.to_vec(), whole.to_vec());
            for at in 0..made.len() {
                prop_assert_eq!(made.head(at), whole.head(at));
                prop_assert_eq!(made.get(at), whole.get(at));
            }
            let mark = mark.min(made.len());
            made.keep_errors_from(mark);
            whole.keep_errors_from(mark);
            prop_assert_eq!(made.to_vec(), whole.to_vec());
        }
    }

    #[test]
    fn a_template_is_filled_place_by_place() {
        let filled = |template: &str, parts: &[&str]| {
            let mut out = String::from(">");
            fill(template, parts.iter().copied(), &mut out);
            out
        };
        assert_eq!(filled("a \0 b \0.", &["1", "2"]), ">a 1 b 2.");
        assert_eq!(filled("\0\0", &["x"]), ">x");
        assert_eq!(filled("no places", &["x"]), ">no places");
        assert_eq!(filled("", &[]), ">");
        assert_eq!(filled("å\0ø", &["é"]), ">åéø");
        assert_eq!(parts_of("a\0\0bc").collect::<Vec<_>>(), ["a", "", "bc"]);
        assert_eq!(parts_of("").collect::<Vec<_>>(), [""]);
        assert_eq!(parts_of("\0").collect::<Vec<_>>(), ["", ""]);
    }

    /// A made text keeps its parts alone (the template once), a shared one is kept once, and
    /// each reads back whole.
    #[test]
    fn made_texts_keep_only_their_parts() {
        let mut list = FindingList::new();
        for n in 0..100u64 {
            let line = n.to_string();
            list.push_made(Made {
                hint: Some(Wording::Shared("the same words for all")),
                ..Made::warning(
                    ("customers.csv", n, "id"),
                    "likely-duplicate",
                    Wording::Made("customer \0 looks like customer \0 (line \0)", &["K2", "K1", &line]),
                )
            });
        }
        let parts: usize = (0..100u64).map(|n| "K2\0K1\0".len() + n.to_string().len()).sum();
        assert_eq!(list.texts.len(), parts);
        assert_eq!(list.shared.len(), 1);
        assert_eq!(list.get(42).message.to_string(), "customer K2 looks like customer K1 (line 42)");
        assert_eq!(list.get(42).hint.map(|h| h.to_string()).as_deref(), Some("the same words for all"));
        // Past the templates a slot can name, and past a megabyte of parts, the whole text.
        let mut many = FindingList::new();
        let big = "é".repeat(1 << 19);
        for n in 0..600 {
            let template = format!("template {n}: \0");
            let part = if n == 3 { big.as_str() } else { "x" };
            many.push_made(Made::warning(("f", 1, ""), "c", Wording::MadeShared(&template, &[part])));
        }
        assert!((0..600).all(|n| many.get(n).message.to_string()
            == format!("template {n}: {}", if n == 3 { big.as_str() } else { "x" })));
        let mut scratch = String::from("left over");
        assert_eq!(
            list.get(7).message.read_with(&mut scratch),
            "customer K2 looks like customer K1 (line 7)"
        );
    }
}
