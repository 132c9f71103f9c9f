//! Findings: what is wrong with the input, where, and how bad.

use std::borrow::Cow;
use std::fmt;

use super::model::Text;

mod list;
mod wording;

pub use list::{FindingList, Findings};
pub use wording::{Composed, Made, Wording, fill};

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

#[cfg(test)]
mod tests;
