//! How payment matching finds an invoice number or a customer's name in a payment's text.

/// Whether `number` stands in `text` as a word of its own: case aside; a number that starts
/// (ends) with a digit may touch a letter (`Faktura1017`) but not a digit, nor a `-./,:` that
/// joins it to more digits (a date, an amount, a longer number).
pub fn contains_number(text: &str, number: &str) -> bool {
    contains_lowercase_number(&text.to_ascii_lowercase(), &number.to_ascii_lowercase())
}

/// [`contains_number`] on text and number already in ASCII lower case.
pub(super) fn contains_lowercase_number(hay: &str, number: &str) -> bool {
    let needle = number.trim();
    if needle.is_empty() || !hay.contains(needle) {
        return false;
    }
    let first_digit = needle.starts_with(|c: char| c.is_ascii_digit());
    let last_digit = needle.ends_with(|c: char| c.is_ascii_digit());
    let joins = |c: char| matches!(c, '-' | '.' | ',' | '/' | ':');
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let mut before = hay[..start].chars().rev();
        let mut after = hay[end..].chars();
        let (b1, b2) = (before.next(), before.next());
        let (a1, a2) = (after.next(), after.next());
        let clash = |c: Option<char>, next: Option<char>, digit_edge: bool| match c {
            None => false,
            Some(c) if digit_edge => {
                c.is_ascii_digit() || (joins(c) && next.is_some_and(|n| n.is_ascii_digit()))
            }
            Some(c) => c.is_alphanumeric(),
        };
        if !clash(b1, b2, first_digit) && !clash(a1, a2, last_digit) {
            return true;
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Legal forms that a payer may leave out of a company name.
const LEGAL_FORMS: [&str; 16] = [
    "ab", "hb", "kb", "as", "asa", "ans", "da", "aps", "is", "oy", "oyj", "ky", "tmi", "ltd", "gmbh", "publ",
];

/// Lower-case words of a name; `A/S` and `Oy.` become `as`, `oy`. With `strip_forms`, legal
/// forms at either end are dropped as long as a word remains.
pub(super) fn name_tokens(name: &str, strip_forms: bool) -> Vec<String> {
    let joined: String = name.chars().filter(|c| !matches!(c, '/' | '.' | '\'' | '’')).collect();
    let mut tokens: Vec<String> = joined
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    if strip_forms {
        while tokens.len() > 1 && tokens.last().is_some_and(|t| LEGAL_FORMS.contains(&t.as_str())) {
            tokens.pop();
        }
        while tokens.len() > 1 && tokens.first().is_some_and(|t| LEGAL_FORMS.contains(&t.as_str())) {
            tokens.remove(0);
        }
    }
    tokens
}

/// Whether a customer's name is one rule 3 goes by: the customer's words must appear in the
/// payer's, in order and next to each other (`Matcher::named_in`), and a name of one short
/// word (under 4 letters) is too common to go by.
pub(super) fn can_appear(customer: &[String]) -> bool {
    match customer {
        [] => false,
        [one] => one.chars().count() >= 4,
        _ => true,
    }
}
