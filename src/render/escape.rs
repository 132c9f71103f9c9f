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

/// [`printable`] for a message of several lines: line breaks and tabs stay, every other
/// control character is shown as an escape.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.split('\n').map(|line| printable(line).replace("\\t", "\t")).collect::<Vec<_>>().join("\n"),
    )
}

/// A leading `'` that earlier versions of `dun` put before `= + - @` in the ledger's own files
/// (as spreadsheet outputs still have): such a value is read as it was before.
pub fn undefuse(text: &str) -> &str {
    match text.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &text[1..],
        _ => text,
    }
}

/// `text` as a JSON string, quotes included, as `serde_json` writes it (the same escapes), but
/// into a buffer that is reused: a report writes millions of them.
pub fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain_from..at]);
        plain_from = at + 1;
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&text[plain_from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn json_strings_are_written_as_serde_json_writes_them(text in "(?s).{0,40}", controls in proptest::collection::vec(0u8..0x20, 0..4)) {
            let text: String = text.chars().chain(controls.iter().map(|&b| char::from(b))).collect();
            let mut out = String::from("x");
            push_json_string(&mut out, &text);
            prop_assert_eq!(&out[1..], serde_json::to_string(&text).expect("a string"));
        }
    }

    #[test]
    fn json_string_escapes() {
        let mut out = String::new();
        push_json_string(&mut out, "Å \"q\" \\ \u{1}\u{7f}\n");
        assert_eq!(out, "\"Å \\\"q\\\" \\\\ \\u0001\u{7f}\\n\"");
    }

    #[test]
    fn terminal_escapes_are_shown_not_run() {
        assert_eq!(printable("Berg AB"), "Berg AB");
        assert_eq!(printable("\u{1b}]0;x\u{7}\u{1b}[2J"), "\\u{1b}]0;x\\u{7}\\u{1b}[2J");
        assert_eq!(printable("a\nb\0"), "a\\nb\\u{0}");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(printable_lines("a\n\tb\u{1b}[2J"), "a\n\tb\\u{1b}[2J");
    }

    #[test]
    fn values_defused_by_earlier_versions_read_as_written() {
        assert_eq!(undefuse("'-100"), "-100");
        assert_eq!(undefuse("'=K"), "=K");
        assert_eq!(undefuse("'quoted"), "'quoted");
        assert_eq!(undefuse("-100"), "-100");
    }
}
