//! Findings kept packed ([`FindingList`]) and read in order of file and line ([`Findings`]).

use std::borrow::Cow;

use super::wording::{Composed, fill};
use super::{Finding, FindingRef, Label, Made, Severity, Wording};

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
    pub(super) texts: String,
    /// The program's texts the findings name, each once (by where it is in memory).
    pub(super) labels: Vec<&'static str>,
    label_at: rustc_hash::FxHashMap<(usize, usize), u32>,
    /// Texts many findings share ([`Wording::Shared`]), each once.
    pub(super) shared: Vec<Box<str>>,
    shared_at: rustc_hash::FxHashMap<Box<str>, u32>,
}

/// A finding in a [`FindingList`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Packed {
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
    pub(super) fn head(&self, at: usize) -> (Severity, &str, u64) {
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
