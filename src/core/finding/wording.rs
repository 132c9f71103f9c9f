//! The texts of a finding as a [`FindingList`](super::FindingList) keeps them: a message made of the program's
//! words and the finding's values ([`Made`], [`Wording`]) and read back whole ([`Composed`]).

use std::borrow::Cow;
use std::fmt;

use super::Severity;

/// A text of a finding as read from a [`FindingList`](super::FindingList): its own, or made of a template of the
/// program's own whose every `\0` stands for the next of the finding's parts. Written out
/// (`Display`, [`Composed::write_to`]) it reads as the text the finding was made with.
#[derive(Clone, Copy, Debug, Eq)]
pub struct Composed<'a> {
    pub(super) template: Option<&'a str>,
    /// The text, or the parts one after another, each after the first behind a `\0`.
    pub(super) text: &'a str,
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
pub(super) fn parts_of(text: &str) -> impl Iterator<Item = &str> {
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

/// A text given to [`FindingList::push_made`](super::FindingList::push_made): how it is kept depends on whose it is.
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

/// A finding given to [`FindingList::push_made`](super::FindingList::push_made) without a [`Finding`](super::Finding) of its own: its texts
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
