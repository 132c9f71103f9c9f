//! Payment references (Swedish OCR, Norwegian KID, Danish FIK, Finnish viitenumero, ISO 11649
//! RF) and Nordic organisation / identity numbers: check digits, validation and generation.
//!
//! The algorithms and test vectors come from `nordic-rules.md`, sections 5 and 6. Everything
//! here is pure and total: no function panics, whatever string it is given.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// Reference kinds
// ---------------------------------------------------------------------------------------------

/// A payment-reference scheme that can be printed on an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// Swedish Bankgirot/Plusgirot OCR reference: Luhn, optional length digit.
    Ocr,
    /// Norwegian KID: MOD10 (Luhn) or MOD11, depending on the creditor's bank agreement.
    Kid,
    /// Danish FI-kort +71 betalingsid: 15 digits, Luhn.
    Fik,
    /// Finnish viitenumero: weights 7, 3, 1.
    Viite,
    /// ISO 11649 creditor reference: `RF` + MOD 97-10 check digits + body.
    Rf,
}

impl RefKind {
    /// Every kind, in the order `detect_reference` reports them.
    pub const ALL: [RefKind; 5] = [RefKind::Ocr, RefKind::Kid, RefKind::Fik, RefKind::Viite, RefKind::Rf];

    /// The name used in policy files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            RefKind::Ocr => "ocr",
            RefKind::Kid => "kid",
            RefKind::Fik => "fik",
            RefKind::Viite => "viite",
            RefKind::Rf => "rf",
        }
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A reference-kind name that is not one of `ocr`, `kid`, `fik`, `viite`, `rf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRefKind(pub String);

impl fmt::Display for UnknownRefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown reference kind {:?} (expected ocr, kid, fik, viite or rf)", self.0)
    }
}

impl std::error::Error for UnknownRefKind {}

impl FromStr for RefKind {
    type Err = UnknownRefKind;

    /// Case-insensitive, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        RefKind::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownRefKind(s.to_owned()))
    }
}

// ---------------------------------------------------------------------------------------------
// Reference errors
// ---------------------------------------------------------------------------------------------

/// Why a payment reference (or the body it is generated from) is not acceptable.
///
/// The messages are predicates without a subject ("check digit is 3, expected 7") so that the
/// caller can prefix them with the kind and the reference it was checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// Nothing left after removing spaces and hyphens.
    Empty,
    /// A character other than 0–9 where only digits are allowed.
    NonDigit { found: char },
    /// A character other than A–Z or 0–9 in an RF reference.
    NotAlphanumeric { found: char },
    /// The reference is too short or too long.
    Length { min: usize, max: usize, found: usize, unit: &'static str },
    /// The body given to a generator is too short or too long.
    BodyLength { min: usize, max: usize, found: usize, unit: &'static str },
    /// The check digit does not match the rest of the reference.
    CheckDigit { found: char, expected: char },
    /// A KID whose check character matches neither MOD10 nor MOD11.
    KidCheckDigit { found: char, mod10: char, mod11: char },
    /// An RF reference that does not start with `RF`.
    MissingRfPrefix,
    /// The two RF check digits do not match the body.
    RfCheckDigits { found: String, expected: String },
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::Empty => f.write_str("is empty"),
            RefError::NonDigit { found } => write!(f, "contains a non-digit ({found:?})"),
            RefError::NotAlphanumeric { found } => {
                write!(f, "contains {found:?}; only letters A-Z and digits are allowed")
            }
            RefError::Length { min, max, found, unit } => {
                write!(f, "must be {min} to {max} {unit}, got {found}")
            }
            RefError::BodyLength { min, max, found, unit } => {
                write!(f, "reference body must be {min} to {max} {unit}, got {found}")
            }
            RefError::CheckDigit { found, expected } => {
                write!(f, "check digit is {found}, expected {expected}")
            }
            RefError::KidCheckDigit { found, mod10, mod11 } => {
                write!(f, "check digit is {found}, expected {mod10} (MOD10) or {mod11} (MOD11)")
            }
            RefError::MissingRfPrefix => f.write_str("must start with RF"),
            RefError::RfCheckDigits { found, expected } => {
                write!(f, "check digits are {found}, expected {expected}")
            }
        }
    }
}

impl std::error::Error for RefError {}

// ---------------------------------------------------------------------------------------------
// Reference lengths (all inclusive, check digits included unless the name says BODY)
// ---------------------------------------------------------------------------------------------

const DIGITS: &str = "digits";
const SIGNIFICANT_DIGITS: &str = "digits (not counting leading zeros)";
const CHARACTERS: &str = "characters";
const LETTERS_OR_DIGITS: &str = "letters or digits";

const OCR_LENGTH: RangeInclusive<usize> = 2..=25;
/// Room is left for the length digit and the check digit.
const OCR_BODY_LENGTH: RangeInclusive<usize> = 1..=23;
const KID_LENGTH: RangeInclusive<usize> = 2..=25;
const KID_BODY_LENGTH: RangeInclusive<usize> = 1..=24;
/// Shorter betalingsid are accepted: they are the 15-digit form without its leading zeros.
const FIK_LENGTH: RangeInclusive<usize> = 2..=15;
const FIK_BODY_DIGITS: usize = 14;
const FIK_BODY_LENGTH: RangeInclusive<usize> = 1..=FIK_BODY_DIGITS;
const VIITE_LENGTH: RangeInclusive<usize> = 4..=20;
const VIITE_MIN_BODY_DIGITS: usize = 3;
const VIITE_BODY_LENGTH: RangeInclusive<usize> = 1..=19;
/// `RF` + 2 check digits + 1 to 21 letters or digits.
const RF_LENGTH: RangeInclusive<usize> = 5..=25;
const RF_BODY_LENGTH: RangeInclusive<usize> = 1..=21;

fn check_length(found: usize, allowed: &RangeInclusive<usize>, unit: &'static str) -> Result<(), RefError> {
    if allowed.contains(&found) {
        Ok(())
    } else {
        Err(RefError::Length { min: *allowed.start(), max: *allowed.end(), found, unit })
    }
}

fn check_body_length(
    found: usize,
    allowed: &RangeInclusive<usize>,
    unit: &'static str,
) -> Result<(), RefError> {
    check_length(found, allowed, unit).map_err(|_| RefError::BodyLength {
        min: *allowed.start(),
        max: *allowed.end(),
        found,
        unit,
    })
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// Keep only the ASCII digits, e.g. `"F-2026-0017"` → `"20260017"`, to derive a reference body
/// from an invoice number.
pub fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Remove whitespace (including no-break spaces) and hyphens, and uppercase ASCII letters, so
/// `"RF18 5390 0754 7034"` and `"rf18539007547034"` compare equal.
///
/// A *trailing* hyphen after something else is kept: it is the check character of a MOD11 KID
/// whose remainder called for 10.
/// Only ASCII letters are uppercased, since no reference scheme allows any other letter.
pub fn normalize_reference(s: &str) -> String {
    let visible: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let ends_with_hyphen = visible.last().is_some_and(|&c| is_hyphen(c));
    let mut normalized: String =
        visible.into_iter().filter(|&c| !is_hyphen(c)).map(|c| c.to_ascii_uppercase()).collect();
    if ends_with_hyphen && !normalized.is_empty() {
        normalized.push('-');
    }
    normalized
}

/// Word processors and PDF copy-paste turn `-` into one of these.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}')
}

fn digit_values(s: &str) -> Result<Vec<u8>, RefError> {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(value) => Ok(value as u8),
            None => Err(RefError::NonDigit { found: c }),
        })
        .collect()
}

/// Callers only pass values 0–9.
fn digit_char(value: u8) -> char {
    char::from(b'0' + value % 10)
}

fn digits_to_string(digits: &[u8]) -> String {
    digits.iter().map(|&d| digit_char(d)).collect()
}

fn split_check_digit(digits: &[u8]) -> Result<(u8, &[u8]), RefError> {
    match digits.split_last() {
        Some((&check, body)) => Ok((check, body)),
        None => Err(RefError::Empty),
    }
}

fn expect_check_digit(found: u8, expected: u8) -> Result<(), RefError> {
    if found == expected {
        Ok(())
    } else {
        Err(RefError::CheckDigit { found: digit_char(found), expected: digit_char(expected) })
    }
}

fn strip_leading_zeros(digits: &[u8]) -> &[u8] {
    let first_significant = digits.iter().position(|&d| d != 0).unwrap_or(digits.len());
    &digits[first_significant..]
}

// ---------------------------------------------------------------------------------------------
// Check-digit algorithms
// ---------------------------------------------------------------------------------------------

fn tens_complement(sum: u32) -> u8 {
    ((10 - sum % 10) % 10) as u8
}

/// Luhn (mod 10): the rightmost body digit is doubled, products above 9 lose 9.
fn luhn_check_digit(body: &[u8]) -> u8 {
    let sum = body
        .iter()
        .rev()
        .enumerate()
        .map(|(position_from_right, &digit)| {
            let digit = u32::from(digit);
            if position_from_right % 2 == 0 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    tens_complement(sum)
}

fn luhn_valid(digits: &[u8]) -> bool {
    split_check_digit(digits).is_ok_and(|(check, body)| check == luhn_check_digit(body))
}

/// Finnish viitenumero: weights 7, 3, 1 repeating from the rightmost body digit.
fn viite_check_digit(body: &[u8]) -> u8 {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum = body
        .iter()
        .rev()
        .zip(WEIGHTS.iter().cycle())
        .map(|(&digit, &weight)| u32::from(digit) * weight)
        .sum();
    tens_complement(sum)
}

/// KID MOD11: weights 2..=7 repeating from the rightmost body digit; a remainder that would
/// need the check value 10 is written as `-`.
fn kid_mod11_check_char(body: &[u8]) -> char {
    let sum: u32 =
        body.iter().rev().zip((2..=7u32).cycle()).map(|(&digit, weight)| u32::from(digit) * weight).sum();
    match 11 - sum % 11 {
        11 => '0',
        10 => '-',
        check => digit_char(check as u8),
    }
}

/// `11 − (weighted sum mod 11)`, with 11 → 0. `None` when the check value would be 10: such
/// numbers are never issued.
fn mod11_check_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = digits.iter().zip(weights).map(|(&digit, &weight)| u32::from(digit) * weight).sum();
    match (11 - sum % 11) % 11 {
        10 => None,
        check => Some(check as u8),
    }
}

/// ISO 7064 MOD 97-10 remainder of the number spelt by the characters, letters counting as
/// A = 10 … Z = 35. Worked one character at a time so no big integers are needed.
fn mod97(alphanumerics: impl Iterator<Item = char>) -> u32 {
    alphanumerics.fold(0, |remainder, c| match c.to_digit(36) {
        Some(value) if value < 10 => (remainder * 10 + value) % 97,
        Some(value) => (remainder * 100 + value) % 97,
        None => remainder,
    })
}

/// The two check digits that make `RF cc body` valid: the body, then `RF00`, mod 97.
fn rf_check_digits(body: &str) -> String {
    let remainder = mod97(body.chars().chain("RF00".chars()));
    format!("{:02}", 98 - remainder)
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Check a payment reference of the given kind. Spaces and hyphens are ignored (see
/// [`normalize_reference`]).
///
/// - OCR: 2–25 digits, Luhn over all digits. The optional length digit is checked separately by
///   [`ocr_has_valid_length_digit`], because only some bank agreements require it.
/// - KID: 2–25 characters, valid under MOD10 **or** MOD11 (the bank agreement decides which).
/// - FIK: 2–15 digits (shorter forms are the 15-digit betalingsid without leading zeros), Luhn.
/// - Viite: 4–20 digits not counting leading zeros (banks ignore them), 7-3-1.
/// - RF: `RF`, 2 check digits, 1–21 letters or digits, MOD 97-10. Only the canonical check
///   digits 02–98 are accepted, so `RF01…`/`RF99…` aliases of `RF98…`/`RF02…` are rejected.
pub fn validate_reference(kind: RefKind, s: &str) -> Result<(), RefError> {
    let reference = normalize_reference(s);
    if reference.is_empty() {
        return Err(RefError::Empty);
    }
    match kind {
        RefKind::Ocr => validate_luhn_reference(&reference, &OCR_LENGTH),
        RefKind::Kid => validate_kid(&reference),
        RefKind::Fik => validate_luhn_reference(&reference, &FIK_LENGTH),
        RefKind::Viite => validate_viite(&reference),
        RefKind::Rf => validate_rf(&reference),
    }
}

/// Every kind `s` is a valid reference of, in [`RefKind::ALL`] order. Used to match a bank
/// payment's reference field when the scheme is not known. A Luhn-valid number is an OCR, a
/// MOD10 KID and (up to 15 digits) a FIK at the same time, so several kinds are common.
pub fn detect_reference(s: &str) -> Vec<RefKind> {
    RefKind::ALL.into_iter().filter(|&kind| validate_reference(kind, s).is_ok()).collect()
}

/// Whether an OCR reference carries a consistent length digit: the second-last digit equals
/// the total length (length and check digits included) mod 10. Says nothing about the check
/// digit; combine with [`validate_reference`] for the *variabel längd* control level.
pub fn ocr_has_valid_length_digit(s: &str) -> bool {
    let Ok(digits) = digit_values(&normalize_reference(s)) else {
        return false;
    };
    OCR_LENGTH.contains(&digits.len())
        && digits
            .len()
            .checked_sub(2)
            .and_then(|index| digits.get(index))
            .is_some_and(|&length_digit| usize::from(length_digit) == digits.len() % 10)
}

/// Whether `s` is a KID valid under MOD10 (Luhn).
pub fn kid_mod10_valid(s: &str) -> bool {
    parse_kid(&normalize_reference(s)).is_ok_and(|kid| kid.check == digit_char(luhn_check_digit(&kid.body)))
}

/// Whether `s` is a KID valid under MOD11 (a trailing `-` stands for the check value 10).
pub fn kid_mod11_valid(s: &str) -> bool {
    parse_kid(&normalize_reference(s)).is_ok_and(|kid| kid.check == kid_mod11_check_char(&kid.body))
}

fn validate_luhn_reference(reference: &str, allowed_length: &RangeInclusive<usize>) -> Result<(), RefError> {
    let digits = digit_values(reference)?;
    check_length(digits.len(), allowed_length, DIGITS)?;
    let (check, body) = split_check_digit(&digits)?;
    expect_check_digit(check, luhn_check_digit(body))
}

struct Kid {
    body: Vec<u8>,
    /// A digit, or `-` for a MOD11 check value of 10.
    check: char,
}

fn parse_kid(reference: &str) -> Result<Kid, RefError> {
    let mut chars = reference.chars();
    let check = chars.next_back().ok_or(RefError::Empty)?;
    let body = digit_values(chars.as_str())?;
    if !(check.is_ascii_digit() || check == '-') {
        return Err(RefError::NonDigit { found: check });
    }
    check_length(body.len() + 1, &KID_LENGTH, DIGITS)?;
    Ok(Kid { body, check })
}

fn validate_kid(reference: &str) -> Result<(), RefError> {
    let kid = parse_kid(reference)?;
    let mod10 = digit_char(luhn_check_digit(&kid.body));
    let mod11 = kid_mod11_check_char(&kid.body);
    if kid.check == mod10 || kid.check == mod11 {
        Ok(())
    } else {
        Err(RefError::KidCheckDigit { found: kid.check, mod10, mod11 })
    }
}

fn validate_viite(reference: &str) -> Result<(), RefError> {
    let digits = digit_values(reference)?;
    // Banks right-align the number in a zero-filled field, so leading zeros carry no meaning.
    let significant = strip_leading_zeros(&digits);
    check_length(significant.len(), &VIITE_LENGTH, SIGNIFICANT_DIGITS)?;
    let (check, body) = split_check_digit(significant)?;
    expect_check_digit(check, viite_check_digit(body))
}

fn validate_rf(reference: &str) -> Result<(), RefError> {
    let Some(after_prefix) = reference.strip_prefix("RF") else {
        return Err(RefError::MissingRfPrefix);
    };
    if let Some(found) = reference.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(RefError::NotAlphanumeric { found });
    }
    check_length(reference.len(), &RF_LENGTH, CHARACTERS)?;
    let Some((check_digits, body)) = after_prefix.split_at_checked(2) else {
        return Err(RefError::Empty);
    };
    // Comparing with the computed digits (rather than testing mod 97 == 1) also rejects the
    // non-canonical 00, 01 and 99.
    let expected = rf_check_digits(body);
    if check_digits == expected {
        Ok(())
    } else {
        Err(RefError::RfCheckDigits { found: check_digits.to_owned(), expected })
    }
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/// Build a reference of the given kind from a body (normalized first, so spaces and hyphens
/// may be present). Use [`digits_of`] to get a body from an invoice number.
///
/// - OCR: body (1–23 digits) + length digit + Luhn check digit: `123` → `12351`.
/// - KID: body (1–24 digits) + MOD10 check digit: `1234` → `12344`. See
///   [`generate_kid_mod11`] for banks that require MOD11.
/// - FIK: body (1–14 digits) left-padded with zeros to 14, + Luhn: `1` → `000000000000018`.
/// - Viite: leading zeros of the body are dropped (banks ignore them); a body of 1–2 digits
///   then gets a leading `1` and zeros up to 3 digits (`7` → `107`, `42` → `142`) before the
///   7-3-1 check digit is appended: `1662` → `16625`. Note that body `7` and body `107` thus
///   give the same reference; keep invoice numbers at 3+ digits to avoid that.
/// - RF: `RF` + check digits + body (1–21 letters or digits): `539007547034` →
///   `RF18539007547034`; for Finland pass the viitenumero: `16625` → `RF4516625`.
pub fn generate_reference(kind: RefKind, body: &str) -> Result<String, RefError> {
    let body = normalize_reference(body);
    match kind {
        RefKind::Ocr => generate_ocr(&body),
        RefKind::Kid => generate_kid_mod10(&body),
        RefKind::Fik => generate_fik(&body),
        RefKind::Viite => generate_viite(&body),
        RefKind::Rf => generate_rf(&body),
    }
}

/// Build a MOD11 KID: body (1–24 digits) + MOD11 check character, which is `-` when the
/// remainder calls for 10 (`1234` → `12343`). Banks advise against such bodies; pick another
/// body or use MOD10 if the agreement allows it.
pub fn generate_kid_mod11(body: &str) -> Result<String, RefError> {
    let digits = body_digits(&normalize_reference(body), &KID_BODY_LENGTH)?;
    let mut kid = digits_to_string(&digits);
    kid.push(kid_mod11_check_char(&digits));
    Ok(kid)
}

fn body_digits(body: &str, allowed_length: &RangeInclusive<usize>) -> Result<Vec<u8>, RefError> {
    let digits = digit_values(body)?;
    check_body_length(digits.len(), allowed_length, DIGITS)?;
    Ok(digits)
}

fn append_check_digit(mut digits: Vec<u8>, check_digit: fn(&[u8]) -> u8) -> String {
    let check = check_digit(&digits);
    digits.push(check);
    digits_to_string(&digits)
}

fn generate_ocr(body: &str) -> Result<String, RefError> {
    let mut digits = body_digits(body, &OCR_BODY_LENGTH)?;
    // The length digit counts itself and the check digit.
    let total_length = digits.len() + 2;
    digits.push((total_length % 10) as u8);
    Ok(append_check_digit(digits, luhn_check_digit))
}

fn generate_kid_mod10(body: &str) -> Result<String, RefError> {
    let digits = body_digits(body, &KID_BODY_LENGTH)?;
    Ok(append_check_digit(digits, luhn_check_digit))
}

fn generate_fik(body: &str) -> Result<String, RefError> {
    let digits = body_digits(body, &FIK_BODY_LENGTH)?;
    let mut padded = vec![0; FIK_BODY_DIGITS - digits.len()];
    padded.extend(digits);
    Ok(append_check_digit(padded, luhn_check_digit))
}

fn generate_viite(body: &str) -> Result<String, RefError> {
    let digits = digit_values(body)?;
    let significant = strip_leading_zeros(&digits);
    check_body_length(significant.len(), &VIITE_BODY_LENGTH, SIGNIFICANT_DIGITS)?;
    Ok(append_check_digit(pad_short_viite_body(significant), viite_check_digit))
}

/// A viitenumero needs a body of at least 3 digits. Padding with zeros would not survive (banks
/// drop leading zeros), so the body is prefixed with `1` and then zeros: `7` → `107`.
fn pad_short_viite_body(significant: &[u8]) -> Vec<u8> {
    if significant.len() >= VIITE_MIN_BODY_DIGITS {
        return significant.to_vec();
    }
    let mut padded = vec![1];
    padded.resize(VIITE_MIN_BODY_DIGITS - significant.len(), 0);
    padded.extend_from_slice(significant);
    padded
}

fn generate_rf(body: &str) -> Result<String, RefError> {
    if let Some(found) = body.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(RefError::NotAlphanumeric { found });
    }
    check_body_length(body.len(), &RF_BODY_LENGTH, LETTERS_OR_DIGITS)?;
    Ok(format!("RF{}{body}", rf_check_digits(body)))
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

/// The reference as it should be printed on an invoice: normalized, then a viitenumero in
/// groups of 5 from the right without leading zeros (`2340 96783`), an RF reference in groups
/// of 4 from the left (`RF18 5390 0754 7034`). OCR, KID and FIK stay one unbroken group.
pub fn format_reference(kind: RefKind, s: &str) -> String {
    let reference = normalize_reference(s);
    match kind {
        RefKind::Viite => group_from_right(without_leading_zeros(&reference), 5),
        RefKind::Rf => group_from_left(&reference, 4),
        RefKind::Ocr | RefKind::Kid | RefKind::Fik => reference,
    }
}

/// Leading zeros are dropped only from an all-digit string that has a non-zero digit, so that
/// nothing unexpected (or everything) disappears.
fn without_leading_zeros(reference: &str) -> &str {
    let trimmed = reference.trim_start_matches('0');
    if !trimmed.is_empty() && reference.chars().all(|c| c.is_ascii_digit()) { trimmed } else { reference }
}

fn group_from_left(s: &str, group_size: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    join_groups(chars.chunks(group_size))
}

fn group_from_right(s: &str, group_size: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let (short_head, full_groups) = chars.split_at(chars.len() % group_size);
    let head = Some(short_head).filter(|group| !group.is_empty());
    join_groups(head.into_iter().chain(full_groups.chunks(group_size)))
}

fn join_groups<'a>(groups: impl Iterator<Item = &'a [char]>) -> String {
    groups.map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Bankgiro and plusgiro numbers
// ---------------------------------------------------------------------------------------------

/// Swedish bankgiro number: 7–8 digits (e.g. `900-0001`), Luhn over all of them.
pub fn validate_bankgiro(s: &str) -> bool {
    luhn_number_valid(s, &(7..=8))
}

/// Swedish plusgiro number: 2–8 digits (e.g. `4 56 78-9`), Luhn over all of them.
pub fn validate_plusgiro(s: &str) -> bool {
    luhn_number_valid(s, &(2..=8))
}

fn luhn_number_valid(s: &str, allowed_length: &RangeInclusive<usize>) -> bool {
    let compact: String = s.chars().filter(|&c| !c.is_whitespace() && !is_hyphen(c)).collect();
    digit_values(&compact).is_ok_and(|digits| allowed_length.contains(&digits.len()) && luhn_valid(&digits))
}

// ---------------------------------------------------------------------------------------------
// Organisation and identity numbers
// ---------------------------------------------------------------------------------------------

/// Which national number a check was about; its `Display` is the English name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdNumberKind {
    SeOrgNo,
    SePersonnummer,
    /// Used when a Swedish number fits neither format, so it is not known which was meant.
    SeOrgNoOrPersonnummer,
    NoOrgNo,
    NoFodselsnummer,
    DkCvr,
    DkCpr,
    FiYTunnus,
    FiHetu,
}

impl IdNumberKind {
    pub fn description(self) -> &'static str {
        match self {
            IdNumberKind::SeOrgNo => "Swedish organisation number",
            IdNumberKind::SePersonnummer => "Swedish personal identity number",
            IdNumberKind::SeOrgNoOrPersonnummer => "Swedish organisation or personal identity number",
            IdNumberKind::NoOrgNo => "Norwegian organisation number",
            IdNumberKind::NoFodselsnummer => "Norwegian national identity number",
            IdNumberKind::DkCvr => "Danish CVR number",
            IdNumberKind::DkCpr => "Danish CPR number",
            IdNumberKind::FiYTunnus => "Finnish business ID (Y-tunnus)",
            IdNumberKind::FiHetu => "Finnish personal identity code (henkilötunnus)",
        }
    }

    /// How the number must be written, as a predicate for error messages.
    fn format_rule(self) -> &'static str {
        match self {
            IdNumberKind::SeOrgNo | IdNumberKind::SePersonnummer | IdNumberKind::SeOrgNoOrPersonnummer => {
                "must be 10 digits (NNNNNN-NNNN) or 12 digits (YYYYMMDD-NNNN)"
            }
            IdNumberKind::NoOrgNo => "must be 9 digits",
            IdNumberKind::NoFodselsnummer => "must be 11 digits (DDMMYY NNNNN)",
            IdNumberKind::DkCvr => "must be 8 digits",
            IdNumberKind::DkCpr => "must be 10 digits (DDMMYY-SSSS)",
            IdNumberKind::FiYTunnus => "must be 7 digits, a hyphen and a check digit (NNNNNNN-C)",
            IdNumberKind::FiHetu => {
                "must be DDMMYY, a century sign, 3 digits and a check character (like 131052-308T)"
            }
        }
    }
}

impl fmt::Display for IdNumberKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// What is wrong with an organisation or identity number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgNoProblem {
    Empty,
    /// Wrong length or characters; `rule` says what is expected.
    Format {
        rule: &'static str,
    },
    /// One or more check digits do not match (Norwegian fødselsnummer has two).
    CheckDigit {
        expected: String,
    },
    /// The Finnish henkilötunnus check character does not match.
    CheckCharacter {
        expected: char,
    },
    /// The number is well-formed but can never be issued.
    NeverIssued {
        reason: &'static str,
    },
    /// The embedded date of birth does not exist.
    InvalidDate,
    /// A Danish CVR number starting with 0.
    LeadingZero,
}

impl fmt::Display for OrgNoProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrgNoProblem::Empty => f.write_str("is empty"),
            OrgNoProblem::Format { rule } => f.write_str(rule),
            OrgNoProblem::CheckDigit { expected } if expected.chars().count() > 1 => {
                write!(f, "fails its check digits (expected {expected})")
            }
            OrgNoProblem::CheckDigit { expected } => {
                write!(f, "fails its check digit (expected {expected})")
            }
            OrgNoProblem::CheckCharacter { expected } => {
                write!(f, "fails its check character (expected {expected})")
            }
            OrgNoProblem::NeverIssued { reason } => write!(f, "is never issued ({reason})"),
            OrgNoProblem::InvalidDate => f.write_str("does not contain a valid date of birth"),
            OrgNoProblem::LeadingZero => f.write_str("must not start with 0"),
        }
    }
}

/// An organisation or identity number that failed validation, e.g. "Swedish organisation
/// number 556036-0794 fails its check digit (expected 3)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgNoError {
    pub kind: IdNumberKind,
    /// The number as given, surrounding whitespace trimmed.
    pub input: String,
    pub problem: OrgNoProblem,
}

impl fmt::Display for OrgNoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.input.is_empty() {
            write!(f, "{} {}", self.kind, self.problem)
        } else {
            write!(f, "{} {} {}", self.kind, self.input, self.problem)
        }
    }
}

impl std::error::Error for OrgNoError {}

const CHECK_WOULD_BE_TEN: &str = "its check digit would be 10";

/// Check an organisation number (`consumer == false`) or a personal identity number
/// (`consumer == true`) for `country` ("SE", "NO", "DK", "FI", case-insensitive). Numbers of
/// other countries are not checked and pass. Whitespace is ignored everywhere.
///
/// - SE: either an organisationsnummer or a personnummer is accepted for consumers and
///   businesses alike (sole traders use their personnummer). Organisation numbers are told
///   apart by their "month" of 20 or more (the 3rd digit is at least 2) or a 12-digit form
///   starting with `16`. Personnummer may be 10 digits (`-` or `+` separator) or 12 digits;
///   samordningsnummer (day + 60) are accepted.
/// - NO: business → 9-digit organisasjonsnummer; consumer → 11-digit fødselsnummer (D-numbers
///   with day + 40 and H-numbers with month + 40 accepted, synthetic test numbers rejected).
/// - DK: business → 8-digit CVR; consumer → CPR `DDMMYY-SSSS`, date only.
/// - FI: business → Y-tunnus `NNNNNNN-C` (the hyphen may be left out); consumer →
///   henkilötunnus (temporary individual numbers 900–999 accepted).
pub fn validate_org_no(country: &str, consumer: bool, s: &str) -> Result<(), OrgNoError> {
    let Some(kind) = expected_id_kind(country, consumer) else {
        return Ok(());
    };
    let input = s.trim();
    if input.is_empty() {
        return Err(org_no_error(kind, input, OrgNoProblem::Empty));
    }
    match kind {
        IdNumberKind::SeOrgNo | IdNumberKind::SePersonnummer | IdNumberKind::SeOrgNoOrPersonnummer => {
            validate_se(input)
        }
        IdNumberKind::NoOrgNo => validate_no_orgnr(input),
        IdNumberKind::NoFodselsnummer => validate_no_fodselsnummer(input),
        IdNumberKind::DkCvr => validate_dk_cvr(input),
        IdNumberKind::DkCpr => validate_dk_cpr(input),
        IdNumberKind::FiYTunnus => validate_fi_ytunnus(input),
        IdNumberKind::FiHetu => validate_fi_hetu(input),
    }
}

fn expected_id_kind(country: &str, consumer: bool) -> Option<IdNumberKind> {
    let country = country.trim().to_ascii_uppercase();
    let kind = match (country.as_str(), consumer) {
        ("SE", _) => IdNumberKind::SeOrgNoOrPersonnummer,
        ("NO", false) => IdNumberKind::NoOrgNo,
        ("NO", true) => IdNumberKind::NoFodselsnummer,
        ("DK", false) => IdNumberKind::DkCvr,
        ("DK", true) => IdNumberKind::DkCpr,
        ("FI", false) => IdNumberKind::FiYTunnus,
        ("FI", true) => IdNumberKind::FiHetu,
        _ => return None,
    };
    Some(kind)
}

fn org_no_error(kind: IdNumberKind, input: &str, problem: OrgNoProblem) -> OrgNoError {
    OrgNoError { kind, input: input.to_owned(), problem }
}

fn format_error(kind: IdNumberKind, input: &str) -> OrgNoError {
    org_no_error(kind, input, OrgNoProblem::Format { rule: kind.format_rule() })
}

fn check_digit_error(kind: IdNumberKind, input: &str, expected: &[u8]) -> OrgNoError {
    org_no_error(kind, input, OrgNoProblem::CheckDigit { expected: digits_to_string(expected) })
}

fn without_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The digit values of `compact` if it is exactly `N` digits, optionally with one of
/// `separators` right after the first `separator_after` digits.
fn digits_with_separator<const N: usize>(
    compact: &str,
    separator_after: usize,
    separators: &[u8],
) -> Option<[u8; N]> {
    let bytes = compact.as_bytes();
    let has_separator =
        bytes.len() == N + 1 && bytes.get(separator_after).is_some_and(|b| separators.contains(b));
    let digits: Vec<u8> = bytes
        .iter()
        .enumerate()
        .filter(|&(index, _)| !(has_separator && index == separator_after))
        .map(|(_, &b)| b)
        .collect();
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let values: Vec<u8> = digits.iter().map(|b| b - b'0').collect();
    values.try_into().ok()
}

fn exact_digits<const N: usize>(compact: &str) -> Option<[u8; N]> {
    digits_with_separator::<N>(compact, 0, b"")
}

fn two_digits(tens: u8, ones: u8) -> u32 {
    u32::from(tens) * 10 + u32::from(ones)
}

fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn is_valid_date(year: u32, month: u32, day: u32) -> bool {
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

// --- Sweden ---

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeForm {
    OrgNo,
    /// `century` is known only for the 12-digit form.
    Personnummer {
        century: Option<u32>,
    },
}

fn validate_se(input: &str) -> Result<(), OrgNoError> {
    let (ten, form) = parse_se(&without_whitespace(input))
        .ok_or_else(|| format_error(IdNumberKind::SeOrgNoOrPersonnummer, input))?;
    let kind = match form {
        SeForm::OrgNo => IdNumberKind::SeOrgNo,
        SeForm::Personnummer { .. } => IdNumberKind::SePersonnummer,
    };
    let expected = luhn_check_digit(&ten[..9]);
    if ten[9] != expected {
        return Err(check_digit_error(kind, input, &[expected]));
    }
    match form {
        SeForm::Personnummer { century } if !se_birth_date_valid(&ten, century) => {
            Err(org_no_error(kind, input, OrgNoProblem::InvalidDate))
        }
        _ => Ok(()),
    }
}

/// The 10 digits the Luhn check runs over, and which kind of number they are.
fn parse_se(compact: &str) -> Option<([u8; 10], SeForm)> {
    if let Some(ten) = digits_with_separator::<10>(compact, 6, b"-+") {
        // `+` marks a person aged 100 or more; organisations never use it.
        let plus_separator = compact.as_bytes().get(6) == Some(&b'+');
        // Organisation numbers have a "month" of 20 or more; that is how they differ.
        let form = if ten[2] >= 2 && !plus_separator {
            SeForm::OrgNo
        } else {
            SeForm::Personnummer { century: None }
        };
        return Some((ten, form));
    }
    let twelve = digits_with_separator::<12>(compact, 8, b"-")?;
    let (prefix, rest) = twelve.split_at(2);
    let ten: [u8; 10] = rest.try_into().ok()?;
    let form = match prefix {
        [1, 6] => SeForm::OrgNo,
        [tens, ones] => SeForm::Personnummer { century: Some(two_digits(*tens, *ones)) },
        _ => return None,
    };
    Some((ten, form))
}

fn se_birth_date_valid(ten: &[u8; 10], century: Option<u32>) -> bool {
    let year_in_century = two_digits(ten[0], ten[1]);
    let month = two_digits(ten[2], ten[3]);
    let mut day = two_digits(ten[4], ten[5]);
    // Samordningsnummer: the day is increased by 60.
    if day > 60 {
        day -= 60;
    }
    let year = match century {
        Some(century @ 18..=20) => century * 100 + year_in_century,
        Some(_) => return false,
        // Century unknown: let any year divisible by 4 have a 29 February.
        None => 2000 + year_in_century,
    };
    is_valid_date(year, month, day)
}

// --- Norway ---

fn without_whitespace_and_hyphens(s: &str) -> String {
    s.chars().filter(|&c| !c.is_whitespace() && !is_hyphen(c)).collect()
}

fn validate_no_orgnr(input: &str) -> Result<(), OrgNoError> {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let kind = IdNumberKind::NoOrgNo;
    let digits =
        exact_digits::<9>(&without_whitespace_and_hyphens(input)).ok_or_else(|| format_error(kind, input))?;
    let expected = mod11_check_digit(&digits[..8], &WEIGHTS).ok_or_else(|| never_issued(kind, input))?;
    if digits[8] == expected { Ok(()) } else { Err(check_digit_error(kind, input, &[expected])) }
}

fn never_issued(kind: IdNumberKind, input: &str) -> OrgNoError {
    org_no_error(kind, input, OrgNoProblem::NeverIssued { reason: CHECK_WOULD_BE_TEN })
}

fn validate_no_fodselsnummer(input: &str) -> Result<(), OrgNoError> {
    const FIRST_WEIGHTS: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
    const SECOND_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let kind = IdNumberKind::NoFodselsnummer;
    let digits = exact_digits::<11>(&without_whitespace_and_hyphens(input))
        .ok_or_else(|| format_error(kind, input))?;
    let first = mod11_check_digit(&digits[..9], &FIRST_WEIGHTS).ok_or_else(|| never_issued(kind, input))?;
    // The second check digit covers the first one as it should be, not as it was typed.
    let mut with_first = digits[..9].to_vec();
    with_first.push(first);
    let second = mod11_check_digit(&with_first, &SECOND_WEIGHTS).ok_or_else(|| never_issued(kind, input))?;
    if digits[9..] != [first, second] {
        return Err(check_digit_error(kind, input, &[first, second]));
    }
    if no_birth_date_valid(&digits) {
        Ok(())
    } else {
        Err(org_no_error(kind, input, OrgNoProblem::InvalidDate))
    }
}

fn no_birth_date_valid(digits: &[u8; 11]) -> bool {
    let mut day = two_digits(digits[0], digits[1]);
    let mut month = two_digits(digits[2], digits[3]);
    let year_in_century = two_digits(digits[4], digits[5]);
    let individual = two_digits(digits[6], digits[7]) * 10 + u32::from(digits[8]);
    // D-number: day + 40; H-number: month + 40.
    if day > 40 {
        day -= 40;
    }
    if month > 40 {
        month -= 40;
    }
    // The individual number encodes the century.
    let century = match (individual, year_in_century) {
        (0..=499, _) => 1900,
        (500..=749, 54..) => 1800,
        (500..=999, ..40) => 2000,
        (900..=999, 40..) => 1900,
        _ => return false,
    };
    is_valid_date(century + year_in_century, month, day)
}

// --- Denmark ---

fn validate_dk_cvr(input: &str) -> Result<(), OrgNoError> {
    const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    let kind = IdNumberKind::DkCvr;
    let digits = exact_digits::<8>(&without_whitespace(input)).ok_or_else(|| format_error(kind, input))?;
    if digits[0] == 0 {
        return Err(org_no_error(kind, input, OrgNoProblem::LeadingZero));
    }
    // Weights 2,7,6,5,4,3,2,1 summing to 0 mod 11 make the last digit a plain mod-11 check.
    let expected = mod11_check_digit(&digits[..7], &WEIGHTS).ok_or_else(|| never_issued(kind, input))?;
    if digits[7] == expected { Ok(()) } else { Err(check_digit_error(kind, input, &[expected])) }
}

/// CPR numbers lost their modulus-11 check in 2007 (the sequence numbers ran out), so only
/// the date of birth is checked.
fn validate_dk_cpr(input: &str) -> Result<(), OrgNoError> {
    let kind = IdNumberKind::DkCpr;
    let digits = digits_with_separator::<10>(&without_whitespace(input), 6, b"-")
        .ok_or_else(|| format_error(kind, input))?;
    if dk_birth_date_valid(&digits) {
        Ok(())
    } else {
        Err(org_no_error(kind, input, OrgNoProblem::InvalidDate))
    }
}

fn dk_birth_date_valid(digits: &[u8; 10]) -> bool {
    let day = two_digits(digits[0], digits[1]);
    let month = two_digits(digits[2], digits[3]);
    let year_in_century = two_digits(digits[4], digits[5]);
    // The first serial digit encodes the century.
    let century = match (digits[6], year_in_century) {
        (5..=8, 58..) => 1800,
        (0..=3, _) | (4 | 9, 37..) => 1900,
        _ => 2000,
    };
    is_valid_date(century + year_in_century, month, day)
}

// --- Finland ---

fn validate_fi_ytunnus(input: &str) -> Result<(), OrgNoError> {
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let kind = IdNumberKind::FiYTunnus;
    let digits = digits_with_separator::<8>(&without_whitespace(input), 7, b"-")
        .ok_or_else(|| format_error(kind, input))?;
    let expected = mod11_check_digit(&digits[..7], &WEIGHTS).ok_or_else(|| never_issued(kind, input))?;
    if digits[7] == expected { Ok(()) } else { Err(check_digit_error(kind, input, &[expected])) }
}

const HETU_CHECK_CHARS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

struct Hetu {
    day: u32,
    month: u32,
    year: u32,
    individual: u32,
    check: char,
}

fn validate_fi_hetu(input: &str) -> Result<(), OrgNoError> {
    let kind = IdNumberKind::FiHetu;
    let hetu = parse_hetu(&without_whitespace(input).to_ascii_uppercase())
        .ok_or_else(|| format_error(kind, input))?;
    if !is_valid_date(hetu.year, hetu.month, hetu.day) {
        return Err(org_no_error(kind, input, OrgNoProblem::InvalidDate));
    }
    // Individual numbers start at 002 for historical reasons.
    if hetu.individual < 2 {
        return Err(org_no_error(
            kind,
            input,
            OrgNoProblem::NeverIssued { reason: "individual numbers start at 002" },
        ));
    }
    let expected = hetu_check_char(&hetu);
    if hetu.check == expected {
        Ok(())
    } else {
        Err(org_no_error(kind, input, OrgNoProblem::CheckCharacter { expected }))
    }
}

/// `DDMMYY` + century sign + 3-digit individual number + check character.
fn parse_hetu(compact: &str) -> Option<Hetu> {
    let bytes: &[u8; 11] = compact.as_bytes().try_into().ok()?;
    let [d1, d2, m1, m2, y1, y2, century_sign, i1, i2, i3, check] = *bytes;
    let digit = |b: u8| b.is_ascii_digit().then(|| b - b'0');
    let century = match century_sign {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return None,
    };
    Some(Hetu {
        day: two_digits(digit(d1)?, digit(d2)?),
        month: two_digits(digit(m1)?, digit(m2)?),
        year: century + two_digits(digit(y1)?, digit(y2)?),
        individual: two_digits(digit(i1)?, digit(i2)?) * 10 + u32::from(digit(i3)?),
        check: char::from(check),
    })
}

/// The 9-digit number DDMMYYNNN mod 31, looked up in the check-character table.
fn hetu_check_char(hetu: &Hetu) -> char {
    let year_in_century = hetu.year % 100;
    let number = ((hetu.day * 100 + hetu.month) * 100 + year_in_century) * 1000 + hetu.individual;
    let index = (number % 31) as usize;
    HETU_CHECK_CHARS.get(index).map_or('?', |&b| char::from(b))
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn valid(kind: RefKind, s: &str) -> bool {
        validate_reference(kind, s).is_ok()
    }

    fn org_ok(country: &str, consumer: bool, s: &str) -> bool {
        validate_org_no(country, consumer, s).is_ok()
    }

    fn org_err(country: &str, consumer: bool, s: &str) -> String {
        match validate_org_no(country, consumer, s) {
            Ok(()) => format!("{s} unexpectedly valid"),
            Err(e) => e.to_string(),
        }
    }

    // --- RefKind ---

    #[test]
    fn ref_kind_names_round_trip() {
        for kind in RefKind::ALL {
            assert_eq!(kind.name().parse::<RefKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.name());
        }
        assert_eq!(" VIITE ".parse::<RefKind>(), Ok(RefKind::Viite));
        let unknown = "iban".parse::<RefKind>().unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown reference kind \"iban\" (expected ocr, kid, fik, viite or rf)"
        );
    }

    // --- normalize, digits_of, format ---

    #[test]
    fn normalize_strips_spaces_hyphens_and_uppercases() {
        assert_eq!(normalize_reference(" rf18 5390\u{a0}0754-7034 "), "RF18539007547034");
        assert_eq!(normalize_reference("1234\u{2011}5"), "12345");
        assert_eq!(normalize_reference(""), "");
    }

    #[test]
    fn normalize_keeps_a_trailing_kid_hyphen() {
        assert_eq!(normalize_reference("12-34 - "), "1234-");
        assert_eq!(normalize_reference(" - -"), "");
    }

    #[test]
    fn digits_of_invoice_number() {
        assert_eq!(digits_of("F-2026-0017"), "20260017");
        assert_eq!(digits_of("ABC"), "");
        assert_eq!(digits_of("١٢"), "", "non-ASCII digits are not digits here");
    }

    #[test]
    fn format_groups_viite_from_the_right_and_rf_from_the_left() {
        assert_eq!(format_reference(RefKind::Viite, "234096783"), "2340 96783");
        assert_eq!(format_reference(RefKind::Viite, "16625"), "16625");
        assert_eq!(format_reference(RefKind::Viite, "0016625"), "16625");
        assert_eq!(format_reference(RefKind::Viite, "1234567890"), "12345 67890");
        assert_eq!(format_reference(RefKind::Rf, "RF18539007547034"), "RF18 5390 0754 7034");
        assert_eq!(format_reference(RefKind::Rf, "rf4516625"), "RF45 1662 5");
        assert_eq!(format_reference(RefKind::Ocr, "1234 5678 97"), "1234567897");
        assert_eq!(format_reference(RefKind::Kid, "1234-"), "1234-");
        assert_eq!(format_reference(RefKind::Viite, ""), "");
        assert_eq!(format_reference(RefKind::Viite, "000"), "000");
    }

    // --- SE OCR (section 5 vectors) ---

    #[test]
    fn ocr_vectors() {
        assert!(valid(RefKind::Ocr, "1230"));
        assert!(valid(RefKind::Ocr, "12351"));
        assert!(valid(RefKind::Ocr, "123456789023"));
        assert_eq!(generate_reference(RefKind::Ocr, "123").as_deref(), Ok("12351"));
        assert_eq!(generate_reference(RefKind::Ocr, "1234567890").as_deref(), Ok("123456789023"));
    }

    #[test]
    fn ocr_vectors_with_one_digit_changed_are_rejected() {
        for changed in ["1231", "1330", "12352", "12451", "123456789024", "123456780023"] {
            assert!(!valid(RefKind::Ocr, changed), "{changed}");
        }
        assert_eq!(
            validate_reference(RefKind::Ocr, "12352").unwrap_err().to_string(),
            "check digit is 2, expected 1"
        );
    }

    #[test]
    fn ocr_length_digit() {
        assert!(ocr_has_valid_length_digit("12351"));
        assert!(ocr_has_valid_length_digit("123456789023"));
        assert!(!ocr_has_valid_length_digit("1230"), "check digit only");
        assert!(!ocr_has_valid_length_digit("12361"));
        assert!(!ocr_has_valid_length_digit(""));
        assert!(!ocr_has_valid_length_digit("2"));
        assert!(!ocr_has_valid_length_digit("12a51"));
    }

    #[test]
    fn ocr_boundaries() {
        assert_eq!(validate_reference(RefKind::Ocr, ""), Err(RefError::Empty));
        assert_eq!(validate_reference(RefKind::Ocr, " - "), Err(RefError::Empty));
        assert_eq!(
            validate_reference(RefKind::Ocr, "0").unwrap_err().to_string(),
            "must be 2 to 25 digits, got 1"
        );
        assert!(valid(RefKind::Ocr, "00"));
        let longest = generate_reference(RefKind::Ocr, &"7".repeat(23)).unwrap_or_default();
        assert_eq!(longest.len(), 25);
        assert!(valid(RefKind::Ocr, &longest));
        assert_eq!(
            validate_reference(RefKind::Ocr, &format!("{longest}0")),
            Err(RefError::Length { min: 2, max: 25, found: 26, unit: DIGITS })
        );
        assert_eq!(
            validate_reference(RefKind::Ocr, "12a51").unwrap_err().to_string(),
            "contains a non-digit ('A')"
        );
        assert_eq!(
            generate_reference(RefKind::Ocr, &"1".repeat(24)).unwrap_err().to_string(),
            "reference body must be 1 to 23 digits, got 24"
        );
        assert!(generate_reference(RefKind::Ocr, "").is_err());
        assert!(generate_reference(RefKind::Ocr, "12x").is_err());
    }

    // --- NO KID ---

    #[test]
    fn kid_vectors() {
        assert!(kid_mod10_valid("12344"));
        assert!(!kid_mod11_valid("12344"));
        assert!(kid_mod11_valid("12343"));
        assert!(!kid_mod10_valid("12343"));
        assert!(valid(RefKind::Kid, "12344"));
        assert!(valid(RefKind::Kid, "12343"));
        assert_eq!(generate_reference(RefKind::Kid, "1234").as_deref(), Ok("12344"));
        assert_eq!(generate_kid_mod11("1234").as_deref(), Ok("12343"));
    }

    #[test]
    fn kid_vectors_with_one_digit_changed_are_rejected() {
        for changed in ["12345", "12354", "22344", "12353", "13343"] {
            assert!(!valid(RefKind::Kid, changed), "{changed}");
        }
        assert_eq!(
            validate_reference(RefKind::Kid, "12345").unwrap_err().to_string(),
            "check digit is 5, expected 4 (MOD10) or 3 (MOD11)"
        );
    }

    #[test]
    fn kid_mod11_hyphen_check_character() {
        // Find a body whose MOD11 check value is 10, rather than trusting a hand calculation.
        let body = (10..1000)
            .map(|n| n.to_string())
            .find(|body| kid_mod11_check_char(&digit_values(body).unwrap_or_default()) == '-')
            .unwrap_or_default();
        let kid = generate_kid_mod11(&body).unwrap_or_default();
        assert!(kid.ends_with('-'), "{kid}");
        assert!(kid_mod11_valid(&kid));
        assert!(valid(RefKind::Kid, &format!(" {kid} ")));
        assert!(!kid_mod10_valid(&kid));
        assert!(!valid(RefKind::Kid, &format!("{body}0-")), "wrong body");
        assert!(!valid(RefKind::Kid, "12-3"), "hyphen only at the end");
    }

    #[test]
    fn kid_boundaries() {
        assert_eq!(validate_reference(RefKind::Kid, ""), Err(RefError::Empty));
        assert!(!valid(RefKind::Kid, "0"));
        assert!(valid(RefKind::Kid, "00"));
        assert!(!valid(RefKind::Kid, &"0".repeat(26)));
        assert!(valid(RefKind::Kid, &"0".repeat(25)));
        assert_eq!(validate_reference(RefKind::Kid, "1234X"), Err(RefError::NonDigit { found: 'X' }));
        assert!(!kid_mod10_valid("abc"));
        assert!(!kid_mod11_valid(""));
        assert!(generate_reference(RefKind::Kid, &"1".repeat(25)).is_err());
        assert!(generate_kid_mod11("").is_err());
    }

    // --- DK FIK ---

    #[test]
    fn fik_vectors() {
        assert!(valid(RefKind::Fik, "18"));
        assert!(valid(RefKind::Fik, "26"));
        assert!(valid(RefKind::Fik, "000000000000018"));
        assert_eq!(generate_reference(RefKind::Fik, "1").as_deref(), Ok("000000000000018"));
        assert_eq!(generate_reference(RefKind::Fik, "2").as_deref(), Ok("000000000000026"));
    }

    #[test]
    fn fik_vectors_with_one_digit_changed_are_rejected() {
        for changed in ["19", "28", "000000000000019", "000000000000118", "100000000000018"] {
            assert!(!valid(RefKind::Fik, changed), "{changed}");
        }
    }

    #[test]
    fn fik_boundaries() {
        assert!(!valid(RefKind::Fik, "0000000000000018"), "16 digits");
        assert!(!valid(RefKind::Fik, "8"));
        assert!(!valid(RefKind::Fik, ""));
        assert!(!valid(RefKind::Fik, "+71<18"));
        assert_eq!(generate_reference(RefKind::Fik, "12345678901234").map(|fik| fik.len()), Ok(15));
        assert!(generate_reference(RefKind::Fik, "123456789012345").is_err());
    }

    // --- FI viitenumero ---

    #[test]
    fn viite_vectors() {
        assert!(valid(RefKind::Viite, "16625"));
        assert!(valid(RefKind::Viite, "234096783"));
        assert!(valid(RefKind::Viite, "2340 96783"));
        assert_eq!(generate_reference(RefKind::Viite, "1662").as_deref(), Ok("16625"));
        assert_eq!(generate_reference(RefKind::Viite, "23409678").as_deref(), Ok("234096783"));
    }

    #[test]
    fn viite_vectors_with_one_digit_changed_are_rejected() {
        for changed in ["16626", "16525", "26625", "234096784", "234196783"] {
            assert!(!valid(RefKind::Viite, changed), "{changed}");
        }
        assert_eq!(
            validate_reference(RefKind::Viite, "16626").unwrap_err().to_string(),
            "check digit is 6, expected 5"
        );
    }

    #[test]
    fn viite_short_bodies_are_padded_with_a_leading_one() {
        assert_eq!(generate_reference(RefKind::Viite, "7").as_deref(), Ok("1070"));
        assert_eq!(generate_reference(RefKind::Viite, "7"), generate_reference(RefKind::Viite, "107"));
        assert_eq!(generate_reference(RefKind::Viite, "42"), generate_reference(RefKind::Viite, "142"));
        assert_eq!(generate_reference(RefKind::Viite, "0042"), generate_reference(RefKind::Viite, "42"));
        assert!(generate_reference(RefKind::Viite, "000").is_err());
        assert!(generate_reference(RefKind::Viite, "").is_err());
        assert!(generate_reference(RefKind::Viite, &"9".repeat(19)).is_ok());
        assert_eq!(
            generate_reference(RefKind::Viite, &"9".repeat(20)).unwrap_err().to_string(),
            "reference body must be 1 to 19 digits (not counting leading zeros), got 20"
        );
    }

    #[test]
    fn viite_boundaries() {
        let four = generate_reference(RefKind::Viite, "123").unwrap_or_default();
        assert_eq!(four.len(), 4);
        assert!(valid(RefKind::Viite, &four));
        assert!(valid(RefKind::Viite, &format!("0000{four}")), "leading zeros ignored");
        assert_eq!(
            validate_reference(RefKind::Viite, "0178").unwrap_err().to_string(),
            "must be 4 to 20 digits (not counting leading zeros), got 3"
        );
        let twenty = generate_reference(RefKind::Viite, &"1".repeat(19)).unwrap_or_default();
        assert!(valid(RefKind::Viite, &twenty));
        assert!(!valid(RefKind::Viite, &format!("1{twenty}")));
        assert!(!valid(RefKind::Viite, "1662S"));
    }

    // --- RF ---

    #[test]
    fn rf_vectors() {
        assert!(valid(RefKind::Rf, "RF18 5390 0754 7034"));
        assert!(valid(RefKind::Rf, "RF18539007547034"));
        assert!(valid(RefKind::Rf, "RF45 16625"));
        assert_eq!(generate_reference(RefKind::Rf, "539007547034").as_deref(), Ok("RF18539007547034"));
        assert_eq!(generate_reference(RefKind::Rf, "16625").as_deref(), Ok("RF4516625"));
    }

    #[test]
    fn rf_vectors_with_one_digit_changed_are_rejected() {
        for changed in [
            "RF18539007547035",
            "RF19539007547034",
            "RF28539007547034",
            "RF18539007547134",
            "RF4516626",
            "RF4616625",
        ] {
            assert!(!valid(RefKind::Rf, changed), "{changed}");
        }
        assert_eq!(
            validate_reference(RefKind::Rf, "RF19539007547034").unwrap_err().to_string(),
            "check digits are 19, expected 18"
        );
    }

    #[test]
    fn rf_with_letters_and_case() {
        let rf = generate_reference(RefKind::Rf, "inv 2026 a17").unwrap_or_default();
        assert!(rf.starts_with("RF") && rf.ends_with("INV2026A17"), "{rf}");
        assert!(valid(RefKind::Rf, &rf.to_lowercase()));
        assert!(!valid(RefKind::Rf, &rf.replace("INV", "INW")));
    }

    #[test]
    fn rf_boundaries() {
        assert_eq!(validate_reference(RefKind::Rf, "16625"), Err(RefError::MissingRfPrefix));
        assert!(!valid(RefKind::Rf, "RF45"), "no body");
        assert!(!valid(RefKind::Rf, "RF"));
        assert!(!valid(RefKind::Rf, "RFAB16625"));
        assert_eq!(
            validate_reference(RefKind::Rf, "RF45166_25"),
            Err(RefError::NotAlphanumeric { found: '_' })
        );
        let longest = generate_reference(RefKind::Rf, &"Z".repeat(21)).unwrap_or_default();
        assert_eq!(longest.len(), 25);
        assert!(valid(RefKind::Rf, &longest));
        assert!(!valid(RefKind::Rf, &format!("{longest}Z")));
        assert!(generate_reference(RefKind::Rf, &"Z".repeat(22)).is_err());
        assert!(generate_reference(RefKind::Rf, "").is_err());
        assert!(generate_reference(RefKind::Rf, "ÅÄÖ").is_err());
    }

    #[test]
    fn rf_non_canonical_check_digits_are_rejected() {
        // 98 ≡ 01 and 02 ≡ 99 (mod 97): the mod-97 test alone would accept both spellings.
        let body =
            (0..1000).map(|n| n.to_string()).find(|body| rf_check_digits(body) == "98").unwrap_or_default();
        assert!(valid(RefKind::Rf, &format!("RF98{body}")));
        assert!(!valid(RefKind::Rf, &format!("RF01{body}")));
    }

    // --- detect ---

    #[test]
    fn detect_reports_every_matching_kind() {
        assert_eq!(detect_reference("000000000000018"), vec![RefKind::Ocr, RefKind::Kid, RefKind::Fik]);
        assert_eq!(detect_reference("12343"), vec![RefKind::Kid]);
        assert_eq!(detect_reference("RF18 5390 0754 7034"), vec![RefKind::Rf]);
        assert!(detect_reference("16625").contains(&RefKind::Viite));
        assert!(detect_reference("").is_empty());
        assert!(detect_reference("hello").is_empty());
    }

    // --- Bankgiro / plusgiro ---

    #[test]
    fn bankgiro_and_plusgiro() {
        assert!(validate_bankgiro("900-0001"));
        assert!(!validate_bankgiro("900-0002"));
        assert!(!validate_bankgiro("901-0001"));
        assert!(!validate_bankgiro("18"), "too short for a bankgiro");
        assert!(!validate_bankgiro("123456789"));
        assert!(!validate_bankgiro(""));
        assert!(!validate_bankgiro("900-000A"));
        assert!(validate_plusgiro("18"));
        assert!(validate_plusgiro("900-0001"));
        assert!(!validate_plusgiro("19"));
        assert!(!validate_plusgiro("8"));
        assert!(!validate_plusgiro("123456782"), "9 digits");
    }

    // --- Algorithms detect every single-digit substitution (exhaustive on short bodies) ---

    /// Every scheme here sums one contribution per digit position, so whether a substitution
    /// is detected depends only on the position and the two digits, not on the other digits.
    /// Checking each (position, old digit, new digit) against an all-zero body is therefore
    /// exhaustive for bodies up to `max_body_len` digits.
    fn every_single_substitution_changes_check(check_digit: fn(&[u8]) -> u8, max_body_len: usize) {
        for position in 0..max_body_len {
            for old in 0..10 {
                for new in (0..10).filter(|&d| d != old) {
                    let mut body = vec![0; max_body_len];
                    body[position] = old;
                    let check = check_digit(&body);
                    body[position] = new;
                    assert_ne!(check_digit(&body), check, "position {position}: {old} → {new}");
                }
            }
        }
    }

    #[test]
    fn luhn_detects_every_single_digit_substitution() {
        every_single_substitution_changes_check(luhn_check_digit, 24);
    }

    #[test]
    fn weights_731_detect_every_single_digit_substitution() {
        every_single_substitution_changes_check(viite_check_digit, 24);
    }

    #[test]
    fn kid_mod11_detects_every_single_digit_substitution() {
        fn as_digit(body: &[u8]) -> u8 {
            match kid_mod11_check_char(body) {
                '-' => 10,
                c => c.to_digit(10).map_or(11, |d| d as u8),
            }
        }
        every_single_substitution_changes_check(as_digit, 24);
    }

    #[test]
    fn mod97_detects_every_single_digit_substitution() {
        fn low_byte(body: &[u8]) -> u8 {
            (mod97(digits_to_string(body).chars()) % 256) as u8
        }
        every_single_substitution_changes_check(low_byte, 24);
    }

    // --- Organisation / identity numbers (section 6 vectors) ---

    #[test]
    fn se_orgnr_vectors() {
        for business in [false, true] {
            assert!(org_ok("SE", business, "123456-7897"));
            assert!(org_ok("SE", business, "556036-0793"));
        }
        assert!(org_ok("SE", false, "5560360793"));
        assert!(org_ok("SE", false, "16556036-0793"));
        assert!(org_ok("SE", false, "165560360793"));
        assert!(org_ok("se", false, " 556036 0793 "));
    }

    #[test]
    fn se_orgnr_vectors_with_one_digit_changed_are_rejected() {
        assert_eq!(
            org_err("SE", false, "556036-0794"),
            "Swedish organisation number 556036-0794 fails its check digit (expected 3)"
        );
        assert!(!org_ok("SE", false, "123456-7898"));
        assert!(!org_ok("SE", false, "556136-0793"));
        assert!(!org_ok("SE", false, "16556036-0794"));
    }

    #[test]
    fn se_personnummer_vectors() {
        for consumer in [true, false] {
            assert!(org_ok("SE", consumer, "880320-0016"));
        }
        assert!(org_ok("SE", true, "8803200016"));
        assert!(org_ok("SE", true, "880320+0016"));
        assert!(org_ok("SE", true, "19880320-0016"));
        assert!(org_ok("SE", true, "198803200016"));
        assert_eq!(
            org_err("SE", true, "880320-0017"),
            "Swedish personal identity number 880320-0017 fails its check digit (expected 6)"
        );
        assert!(!org_ok("SE", true, "880321-0016"));
    }

    fn with_luhn(first_nine: &str) -> String {
        let body = digit_values(first_nine).unwrap_or_default();
        format!("{first_nine}{}", luhn_check_digit(&body))
    }

    #[test]
    fn se_personnummer_date_rules() {
        let thirteenth_month = with_luhn("881320001");
        assert_eq!(
            org_err("SE", true, &thirteenth_month),
            format!(
                "Swedish personal identity number {thirteenth_month} does not contain a valid date of birth"
            )
        );
        assert!(org_ok("SE", true, &with_luhn("880380001")), "samordningsnummer");
        assert!(!org_ok("SE", true, &with_luhn("880392001")), "day 32 + 60");
        assert!(org_ok("SE", true, &with_luhn("000229001")), "29 Feb, century unknown");
        assert!(!org_ok("SE", true, &with_luhn("010229001")));
        assert!(!org_ok("SE", true, &format!("19{}", with_luhn("000229001"))));
        assert!(org_ok("SE", true, &format!("20{}", with_luhn("000229001"))));
        assert!(!org_ok("SE", true, &format!("21{}", with_luhn("880320001"))));
        // A plus sign marks a person, so an organisation-shaped number with it fails its date.
        assert!(!org_ok("SE", false, "556036+0793"));
    }

    #[test]
    fn se_format_errors() {
        assert_eq!(
            org_err("SE", false, "12345"),
            "Swedish organisation or personal identity number 12345 must be 10 digits \
             (NNNNNN-NNNN) or 12 digits (YYYYMMDD-NNNN)"
        );
        assert_eq!(org_err("SE", false, "  "), "Swedish organisation or personal identity number is empty");
        assert!(!org_ok("SE", false, "5560360-793"));
        assert!(!org_ok("SE", false, "55603607931"));
        assert!(!org_ok("SE", false, "556O36-0793"));
    }

    #[test]
    fn no_orgnr_vectors() {
        assert!(org_ok("NO", false, "988 077 917"));
        assert!(org_ok("NO", false, "988077917"));
        assert_eq!(
            org_err("NO", false, "988 077 918"),
            "Norwegian organisation number 988 077 918 fails its check digit (expected 7)"
        );
        assert!(!org_ok("NO", false, "988 078 917"));
        assert!(!org_ok("NO", false, "98807791"));
        assert!(!org_ok("NO", false, "15108695088"), "a fødselsnummer is not an orgnr");
    }

    #[test]
    fn no_orgnr_remainder_one_is_never_issued() {
        let first_eight = (10_000_000..10_001_000)
            .map(|n: u32| n.to_string())
            .find(|eight| {
                let digits = digit_values(eight).unwrap_or_default();
                mod11_check_digit(&digits, &[3, 2, 7, 6, 5, 4, 3, 2]).is_none()
            })
            .unwrap_or_default();
        assert_eq!(
            org_err("NO", false, &format!("{first_eight}0")),
            format!(
                "Norwegian organisation number {first_eight}0 is never issued (its check digit would be 10)"
            )
        );
    }

    #[test]
    fn no_fodselsnummer() {
        assert!(org_ok("NO", true, "151086 95088"));
        assert!(org_ok("NO", true, "15108695088"));
        assert_eq!(
            org_err("NO", true, "15108695077"),
            "Norwegian national identity number 15108695077 fails its check digits (expected 88)"
        );
        assert!(!org_ok("NO", true, "15108695089"));
        assert!(!org_ok("NO", true, "25108695088"));
        assert!(!org_ok("NO", true, "988077917"));
    }

    fn with_fodselsnummer_checks(first_nine: &str) -> String {
        let digits = digit_values(first_nine).unwrap_or_default();
        let first = mod11_check_digit(&digits, &[3, 7, 6, 1, 8, 9, 4, 5, 2]);
        let mut with_first = digits.clone();
        with_first.extend(first);
        let second = mod11_check_digit(&with_first, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
        format!("{first_nine}{}{}", first.unwrap_or(0), second.unwrap_or(0))
    }

    #[test]
    fn no_fodselsnummer_dates() {
        // Try serial numbers until both check digits exist, then test the date rules.
        let valid_for = |date_and_century: &str| {
            (0..10).any(|last| {
                let number = with_fodselsnummer_checks(&format!("{date_and_century}{last}"));
                org_ok("NO", true, &number)
            })
        };
        assert!(valid_for("15108695"), "1986, serial 950-959");
        assert!(valid_for("55108695"), "D-number");
        assert!(valid_for("15508695"), "H-number");
        assert!(!valid_for("15908695"), "synthetic test number");
        assert!(!valid_for("32108695"), "day 32");
        assert!(valid_for("29020050"), "2000 is a leap year (serial 500+)");
        assert!(!valid_for("29020040"), "1900 was not (serial < 500)");
        assert!(!valid_for("15108680"), "serial 800 with year 86 has no century");
    }

    #[test]
    fn dk_cvr() {
        assert!(org_ok("DK", false, "13585628"));
        assert!(org_ok("DK", false, "13 58 56 28"));
        assert_eq!(
            org_err("DK", false, "13585629"),
            "Danish CVR number 13585629 fails its check digit (expected 8)"
        );
        assert!(!org_ok("DK", false, "13595628"));
        assert_eq!(org_err("DK", false, "03585628"), "Danish CVR number 03585628 must not start with 0");
        assert!(!org_ok("DK", false, "1358562"));
        assert!(!org_ok("DK", false, "135856288"));
    }

    #[test]
    fn dk_cpr() {
        assert!(org_ok("DK", true, "211062-5629"));
        assert!(org_ok("DK", true, "2110625629"));
        assert!(org_ok("DK", true, "2110625628"), "no modulus check since 2007");
        assert_eq!(
            org_err("DK", true, "511062-5629"),
            "Danish CPR number 511062-5629 does not contain a valid date of birth"
        );
        assert!(!org_ok("DK", true, "211362-5629"));
        assert!(org_ok("DK", true, "290200-4000"), "2000 (digit 4, year < 37)");
        assert!(!org_ok("DK", true, "290200-0000"), "1900 (digit 0)");
        assert!(!org_ok("DK", true, "211062-562"));
        assert!(!org_ok("DK", true, "211062/5629"));
    }

    #[test]
    fn fi_ytunnus() {
        assert!(org_ok("FI", false, "2077474-0"));
        assert!(org_ok("FI", false, "20774740"));
        assert_eq!(
            org_err("FI", false, "2077474-1"),
            "Finnish business ID (Y-tunnus) 2077474-1 fails its check digit (expected 0)"
        );
        assert!(!org_ok("FI", false, "2077475-0"));
        assert!(!org_ok("FI", false, "207747-40"));
        assert!(!org_ok("FI", false, "077474-0"));
    }

    #[test]
    fn fi_hetu() {
        assert!(org_ok("FI", true, "131052-308T"));
        assert!(org_ok("FI", true, "131052-308t"));
        assert_eq!(
            org_err("FI", true, "131052-308U"),
            "Finnish personal identity code (henkilötunnus) 131052-308U fails its check \
             character (expected T)"
        );
        assert!(!org_ok("FI", true, "131052-309T"));
        assert!(!org_ok("FI", true, "310252-308Y"), "31 February");
        assert!(org_ok("FI", true, "131052Y308T"), "2023 century signs");
        assert!(!org_ok("FI", true, "131052G308T"));
        assert!(!org_ok("FI", true, "131052-001T"), "individual 001");
        assert!(!org_ok("FI", true, "131052-308"));
    }

    #[test]
    fn fi_hetu_century_affects_leap_years() {
        let with_check = |without: &str, year: u32| {
            let hetu = parse_hetu(&format!("{without}0")).map(|mut hetu| {
                hetu.year = year;
                hetu_check_char(&hetu)
            });
            format!("{without}{}", hetu.unwrap_or('?'))
        };
        assert!(org_ok("FI", true, &with_check("290200A123", 2000)));
        assert!(!org_ok("FI", true, &with_check("290200-123", 1900)));
    }

    #[test]
    fn remaining_error_messages() {
        assert_eq!(validate_reference(RefKind::Viite, " ").unwrap_err().to_string(), "is empty");
        assert_eq!(validate_reference(RefKind::Rf, "16625").unwrap_err().to_string(), "must start with RF");
        assert_eq!(
            validate_reference(RefKind::Rf, "RF45166_25").unwrap_err().to_string(),
            "contains '_'; only letters A-Z and digits are allowed"
        );
        assert_eq!(
            org_err("FI", true, "131052-001T"),
            "Finnish personal identity code (henkilötunnus) 131052-001T is never issued \
             (individual numbers start at 002)"
        );
        assert_eq!(
            org_err("FI", false, "2077474"),
            "Finnish business ID (Y-tunnus) 2077474 must be 7 digits, a hyphen and a check \
             digit (NNNNNNN-C)"
        );
        assert_eq!(
            org_err("FI", true, "131052"),
            "Finnish personal identity code (henkilötunnus) 131052 must be DDMMYY, a century \
             sign, 3 digits and a check character (like 131052-308T)"
        );
        assert_eq!(org_err("DK", false, "1358562"), "Danish CVR number 1358562 must be 8 digits");
        assert_eq!(org_err("DK", true, "21106"), "Danish CPR number 21106 must be 10 digits (DDMMYY-SSSS)");
        assert_eq!(
            org_err("NO", false, "98807791"),
            "Norwegian organisation number 98807791 must be 9 digits"
        );
    }

    #[test]
    fn unknown_countries_are_not_checked() {
        assert!(org_ok("DE", false, "anything"));
        assert!(org_ok("", true, ""));
    }

    #[test]
    fn wrong_number_type_for_the_customer() {
        assert_eq!(
            org_err("NO", true, "988077917"),
            "Norwegian national identity number 988077917 must be 11 digits (DDMMYY NNNNN)"
        );
        assert!(!org_ok("FI", true, "2077474-0"));
        assert!(!org_ok("DK", true, "13585628"));
    }

    // --- Property tests ---

    /// Replace the digit at the `index`-th digit position by `(digit + offset) mod 10`, with
    /// `offset` in 1..=9 so the digit always changes.
    fn change_one_digit(reference: &str, index: prop::sample::Index, offset: u8) -> String {
        let positions: Vec<usize> =
            reference.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
        let mut bytes = reference.as_bytes().to_vec();
        if !positions.is_empty() {
            let at = positions[index.index(positions.len())];
            bytes[at] = b'0' + (bytes[at] - b'0' + offset) % 10;
        }
        String::from_utf8(bytes).unwrap_or_default()
    }

    proptest! {
        #[test]
        fn generated_ocr_validates(body in "[0-9]{1,23}") {
            let ocr = generate_reference(RefKind::Ocr, &body).unwrap_or_default();
            prop_assert!(valid(RefKind::Ocr, &ocr));
            prop_assert!(ocr_has_valid_length_digit(&ocr));
            prop_assert!(ocr.starts_with(&body));
        }

        #[test]
        fn generated_kid_validates(body in "[0-9]{1,24}") {
            let mod10 = generate_reference(RefKind::Kid, &body).unwrap_or_default();
            let mod11 = generate_kid_mod11(&body).unwrap_or_default();
            prop_assert!(kid_mod10_valid(&mod10) && valid(RefKind::Kid, &mod10));
            prop_assert!(kid_mod11_valid(&mod11) && valid(RefKind::Kid, &mod11));
        }

        #[test]
        fn generated_fik_validates(body in "[0-9]{1,14}") {
            let fik = generate_reference(RefKind::Fik, &body).unwrap_or_default();
            prop_assert_eq!(fik.len(), 15);
            prop_assert!(valid(RefKind::Fik, &fik));
        }

        #[test]
        fn generated_viite_validates(body in "[0-9]{0,3}[1-9][0-9]{0,15}") {
            let viite = generate_reference(RefKind::Viite, &body).unwrap_or_default();
            prop_assert!(valid(RefKind::Viite, &viite));
            prop_assert!(valid(RefKind::Viite, &format_reference(RefKind::Viite, &viite)));
            let rf = generate_reference(RefKind::Rf, &viite).unwrap_or_default();
            prop_assert!(valid(RefKind::Rf, &rf));
        }

        #[test]
        fn generated_rf_validates(body in "[0-9A-Za-z]{1,21}") {
            let rf = generate_reference(RefKind::Rf, &body).unwrap_or_default();
            prop_assert!(valid(RefKind::Rf, &rf));
            prop_assert!(valid(RefKind::Rf, &format_reference(RefKind::Rf, &rf)));
        }

        #[test]
        fn one_changed_digit_invalidates_ocr(
            body in "[0-9]{1,23}", index in any::<prop::sample::Index>(), offset in 1u8..10,
        ) {
            let ocr = generate_reference(RefKind::Ocr, &body).unwrap_or_default();
            prop_assert!(!valid(RefKind::Ocr, &change_one_digit(&ocr, index, offset)));
        }

        #[test]
        fn one_changed_digit_invalidates_kid(
            body in "[0-9]{1,24}", index in any::<prop::sample::Index>(), offset in 1u8..10,
        ) {
            // Only within one algorithm: a changed MOD10 KID may pass MOD11 by chance.
            let mod10 = generate_reference(RefKind::Kid, &body).unwrap_or_default();
            prop_assert!(!kid_mod10_valid(&change_one_digit(&mod10, index, offset)));
            let mod11 = generate_kid_mod11(&body).unwrap_or_default();
            prop_assert!(!kid_mod11_valid(&change_one_digit(&mod11, index, offset)));
        }

        #[test]
        fn one_changed_digit_invalidates_fik(
            body in "[0-9]{1,14}", index in any::<prop::sample::Index>(), offset in 1u8..10,
        ) {
            let fik = generate_reference(RefKind::Fik, &body).unwrap_or_default();
            prop_assert!(!valid(RefKind::Fik, &change_one_digit(&fik, index, offset)));
        }

        #[test]
        fn one_changed_digit_invalidates_viite(
            body in "[1-9][0-9]{0,18}", index in any::<prop::sample::Index>(), offset in 1u8..10,
        ) {
            let viite = generate_reference(RefKind::Viite, &body).unwrap_or_default();
            prop_assert!(!valid(RefKind::Viite, &change_one_digit(&viite, index, offset)));
        }

        #[test]
        fn one_changed_digit_invalidates_rf(
            body in "[0-9A-Z]{1,21}", index in any::<prop::sample::Index>(), offset in 1u8..10,
        ) {
            let rf = generate_reference(RefKind::Rf, &body).unwrap_or_default();
            prop_assert!(!valid(RefKind::Rf, &change_one_digit(&rf, index, offset)));
        }

        #[test]
        fn normalize_is_idempotent(s in any::<String>()) {
            let once = normalize_reference(&s);
            prop_assert_eq!(normalize_reference(&once), once);
        }

        #[test]
        fn normalize_is_idempotent_on_reference_like_text(s in "[0-9a-zA-Z \u{a0}\u{2011}-]{0,30}") {
            let once = normalize_reference(&s);
            prop_assert_eq!(normalize_reference(&once), once);
        }

        #[test]
        fn no_input_panics(s in any::<String>()) {
            exercise_everything(&s);
        }

        #[test]
        fn no_reference_like_input_panics(s in "[0-9A-Za-z+ -]{0,30}") {
            exercise_everything(&s);
        }
    }

    fn exercise_everything(s: &str) {
        for kind in RefKind::ALL {
            let _ = validate_reference(kind, s);
            let _ = generate_reference(kind, s);
            let _ = format_reference(kind, s);
        }
        let _ = detect_reference(s);
        let _ = ocr_has_valid_length_digit(s);
        let _ = kid_mod10_valid(s);
        let _ = kid_mod11_valid(s);
        let _ = generate_kid_mod11(s);
        let _ = validate_bankgiro(s);
        let _ = validate_plusgiro(s);
        for country in ["SE", "NO", "DK", "FI", "XX"] {
            for consumer in [false, true] {
                let _ = validate_org_no(country, consumer, s);
            }
        }
        let _ = s.parse::<RefKind>();
    }
}
