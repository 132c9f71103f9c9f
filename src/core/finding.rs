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
    pub message: &'a str,
    pub customer: Option<&'a str>,
    pub invoice: Option<&'a str>,
    pub hint: Option<&'a str>,
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
            message: self.message.to_owned(),
            customer: self.customer.map(Text::from),
            invoice: self.invoice.map(Text::from),
            hint: self.hint.map(label),
        }
    }
}

/// Findings one after another, packed: each finding's texts of its own (its message, the
/// customer and invoice it concerns, a hint made for it) copied into one string the list
/// keeps, the program's own (file names, columns, codes, most hints) kept once in a table.
/// A [`Finding`] is 176 bytes and its message an allocation of its own; a million-invoice
/// ledger has 175,000 findings, and they were a quarter of `dun check`'s peak memory
/// (issue #14). Packed, one takes 48 bytes and the bytes of its own texts.
#[derive(Clone, Debug, Default)]
pub struct FindingList {
    packed: Vec<Packed>,
    /// The texts of the findings' own, one finding's after another's.
    texts: String,
    /// The program's texts the findings name, each once (by where it is in memory).
    labels: Vec<&'static str>,
    label_at: rustc_hash::FxHashMap<(usize, usize), u32>,
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
        self.start
            + self.slots.iter().filter(|&&s| s & Slot::LABEL == 0).map(|&len| len as usize).sum::<usize>()
    }
}

/// Where a packed finding's text is, in 32 bits: [`Slot::NONE`] for none; with
/// [`Slot::LABEL`] set, the place of a text of the program's own in the labels; else the
/// length of the finding's own text that comes next in its texts.
struct Slot;

impl Slot {
    const NONE: u32 = u32::MAX;
    const LABEL: u32 = 1 << 31;
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
    pub fn get(&self, at: usize) -> FindingRef<'_> {
        let p = &self.packed[at];
        let mut from = p.start;
        let mut texts = [None; 6];
        for (text, &slot) in texts.iter_mut().zip(&p.slots) {
            *text = match slot {
                Slot::NONE => None,
                label if label & Slot::LABEL != 0 => Some(self.labels[(label & !Slot::LABEL) as usize]),
                len => {
                    let own = &self.texts[from..from + len as usize];
                    from += len as usize;
                    Some(own)
                }
            };
        }
        FindingRef {
            severity: p.severity,
            file: texts[FILE].unwrap_or_default(),
            line: p.line,
            field: texts[FIELD].unwrap_or_default(),
            code: self.labels[p.code as usize],
            message: texts[MESSAGE].unwrap_or_default(),
            customer: texts[CUSTOMER],
            invoice: texts[INVOICE],
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
        let len = u32::try_from(text.len()).ok().filter(|&n| n < Slot::LABEL);
        self.texts.push_str(text);
        len.expect("a finding's text is shorter than 2 GiB")
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
        assert_eq!(list.get(42).hint, Some(hint));
        assert_eq!(list.get(42).message, "finding 42");
        assert_eq!(std::mem::size_of::<Packed>(), 48);
    }
}
