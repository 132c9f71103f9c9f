//! Payment references (Swedish OCR, Norwegian KID, Danish FIK, Finnish viitenumero, ISO 11649
//! RF) and Nordic organisation / identity numbers: check digits, validation and generation.
//!
//! The algorithms and test vectors come from `nordic-rules.md`, sections 5 and 6. Everything
//! here is pure and total: no function panics, whatever string it is given.

pub mod letter;

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
    // Most references are letters and digits only: nothing to take out.
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return s.to_ascii_uppercase();
    }
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
pub(crate) fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}')
}

/// A reference's digits as values 0–9: on the stack for any length a scheme allows (25 at
/// most), on the heap past that. `dun check` reads a million references, and a list of each
/// one's digits allocated and freed was a quarter of the time its reference checks took
/// (issue #14).
#[derive(Debug)]
enum Digits {
    Few([u8; FEW_DIGITS], u8),
    Many(Vec<u8>),
}

const FEW_DIGITS: usize = 32;

impl Default for Digits {
    fn default() -> Self {
        Digits::Few([0; FEW_DIGITS], 0)
    }
}

impl std::ops::Deref for Digits {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Digits::Few(values, len) => &values[..usize::from(*len)],
            Digits::Many(values) => values,
        }
    }
}

fn digit_values(s: &str) -> Result<Digits, RefError> {
    let ascii = ascii_digits(s)?;
    if ascii.len() > FEW_DIGITS {
        return Ok(Digits::Many(ascii.iter().map(|d| d - b'0').collect()));
    }
    let mut few = [0; FEW_DIGITS];
    for (value, digit) in few.iter_mut().zip(ascii) {
        *value = digit - b'0';
    }
    // At most FEW_DIGITS (32): the length fits a byte.
    Ok(Digits::Few(few, ascii.len() as u8))
}

/// Callers only pass values 0–9.
fn digit_char(value: u8) -> char {
    char::from(b'0' + value % 10)
}

pub(crate) fn digits_to_string(digits: &[u8]) -> String {
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
pub(crate) fn luhn_check_digit(body: &[u8]) -> u8 {
    luhn_check_digit_of(body.iter().copied())
}

/// [`luhn_check_digit`] of digit values given one by one, left to right.
fn luhn_check_digit_of(body: impl DoubleEndedIterator<Item = u8>) -> u8 {
    // A digit doubled, less 9 when above 9.
    const DOUBLED: [u8; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    let (mut sum, mut doubled) = (0u32, true);
    for digit in body.rev() {
        let digit = digit % 10;
        sum += u32::from(if doubled { DOUBLED[usize::from(digit)] } else { digit });
        doubled = !doubled;
    }
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
pub(crate) fn mod11_check_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
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
    validate_normalized(kind, &normalize_reference(s))
}

/// [`validate_reference`] of a reference already normalised ([`normalize_reference`]): checking
/// one against several schemes normalises it once.
pub fn validate_normalized(kind: RefKind, reference: &str) -> Result<(), RefError> {
    if reference.is_empty() {
        return Err(RefError::Empty);
    }
    match kind {
        RefKind::Ocr => validate_luhn_reference(reference, &OCR_LENGTH),
        RefKind::Kid => validate_kid(reference),
        RefKind::Fik => validate_luhn_reference(reference, &FIK_LENGTH),
        RefKind::Viite => validate_viite(reference),
        RefKind::Rf => validate_rf(reference),
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
    // Read as the ASCII digits it is, without a copy of their values: `dun check` tests every
    // invoice's reference (issue #14).
    let digits = ascii_digits(reference)?;
    check_length(digits.len(), allowed_length, DIGITS)?;
    let (check, body) = split_check_digit(digits)?;
    expect_check_digit(check - b'0', luhn_check_digit_of(body.iter().map(|d| d - b'0')))
}

/// `s` as ASCII digits; the first character that is not one is the error.
fn ascii_digits(s: &str) -> Result<&[u8], RefError> {
    match s.bytes().position(|b| !b.is_ascii_digit()) {
        // Every byte before was an ASCII digit: `at` starts the character.
        Some(at) => Err(RefError::NonDigit { found: s[at..].chars().next().unwrap_or_default() }),
        None => Ok(s.as_bytes()),
    }
}

struct Kid {
    body: Digits,
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
    Ok(digits.to_vec())
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

pub use super::idnumber::{IdNumberKind, OrgNoError, OrgNoProblem, validate_org_no};

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests;
