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

/// Findings kept in the lists that found them (the parts of a check, each made on its own
/// thread) and read in one order through their positions: by file, then line, and findings
/// on one line in the order of their lists and within each list. Joining the lists into one
/// held every finding twice at the end of `dun check`, and sorting the joined list took room
/// for half of them again: on a million-invoice ledger's 175,000 findings (176 bytes each)
/// that was the command's peak (issue #14).
#[derive(Clone, Debug, Default)]
pub struct Findings {
    lists: Vec<Vec<Finding>>,
    /// Where each finding is, in order: its list in the high 32 bits, its place in the low.
    order: Vec<u64>,
}

impl Findings {
    /// The findings of `lists` that `keep` takes, read in order of file and line; on one line,
    /// as they are given. The others are not read.
    pub fn sorted_where(lists: Vec<Vec<Finding>>, keep: impl Fn(&Finding) -> bool) -> Findings {
        let files = FileRanks::of(&lists);
        let mut keys: Vec<u128> = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for (list, findings) in lists.iter().enumerate() {
            for (at, f) in findings.iter().enumerate().filter(|(_, f)| keep(f)) {
                keys.push(sort_key(files.rank(&f.file), f.line, place(list, at)));
            }
        }
        keys.sort_unstable();
        let order = keys.into_iter().map(|k| k as u64).collect();
        Findings { lists, order }
    }

    /// One list, read in its own order.
    pub fn in_order(list: Vec<Finding>) -> Findings {
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
    pub fn range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &Finding> {
        self.order[range].iter().map(|&place| self.at(place))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.range(0..self.len())
    }

    /// The findings in order, in one list (copied: for a few, or tests).
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().cloned().collect()
    }

    fn at(&self, place: u64) -> &Finding {
        &self.lists[(place >> 32) as usize][(place & u64::from(u32::MAX)) as usize]
    }
}

impl std::ops::Index<usize> for Findings {
    type Output = Finding;

    fn index(&self, k: usize) -> &Finding {
        self.at(self.order[k])
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
    fn of(lists: &'f [Vec<Finding>]) -> FileRanks<'f> {
        let mut files = std::collections::BTreeSet::new();
        let mut last: Option<&str> = None;
        for f in lists.iter().flatten() {
            if last != Some(&*f.file) {
                files.insert(&*f.file);
                last = Some(&f.file);
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
            let kept = Findings::sorted_where(lists.clone(), |_| true);
            let expected = joined_and_sorted(&lists, |_| true);
            prop_assert_eq!(kept.len(), expected.len());
            prop_assert_eq!(kept.to_vec(), expected.clone());
            let cut = cut.min(kept.len());
            let by_range: Vec<&Finding> = kept.range(0..cut).chain(kept.range(cut..kept.len())).collect();
            prop_assert!(by_range.iter().zip(&expected).all(|(a, b)| *a == b));
            prop_assert!((0..kept.len()).all(|k| kept[k] == expected[k]));
            let errors = Findings::sorted_where(lists.clone(), Finding::is_error);
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
                && Findings::sorted_where(vec![vec![], vec![]], |_| true).is_empty()
        );
    }
}
