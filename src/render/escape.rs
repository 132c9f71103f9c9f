//! Text from data on its way to a terminal or a line-oriented file: control characters (ESC
//! sequences that retitle or clear a terminal, a NUL, a line break inside a field) are shown
//! as escapes, never passed through.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1) written as `\n`, `\t`, `\r` or `\u{..}`.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_shown_not_run() {
        assert_eq!(printable("Berg AB"), "Berg AB");
        assert_eq!(printable("\u{1b}]0;x\u{7}\u{1b}[2J"), "\\u{1b}]0;x\\u{7}\\u{1b}[2J");
        assert_eq!(printable("a\nb\0"), "a\\nb\\u{0}");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
    }
}
