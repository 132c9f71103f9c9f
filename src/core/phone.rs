//! Phone numbers: reading what customer registers hold (`031-390 06 11`, `+46 70 174 06 21`,
//! `0046 70…`, `22 33 44 55`) as a number of the customer's country, and writing it in E.164
//! (`+46313900611`), the form SMS gateways take.
//!
//! The rules are the national numbering plans, as far as a register needs them:
//!
//! | country | code | national form | significant number (after the trunk 0) | mobile |
//! |---|---|---|---|---|
//! | SE | 46 | trunk `0` | 7–9 digits, not starting with 0 | `7…` |
//! | NO | 47 | no trunk prefix | 8 digits, first 2–9 | `4…`, `9…` |
//! | DK | 45 | no trunk prefix | 8 digits, first 2–9 | any (not told apart) |
//! | FI | 358 | trunk `0` | 5–11 digits, not starting with 0 | `4…`, `50…` |
//!
//! Other countries are read only in international form (`+CC…` or `00CC…`, 8–15 digits in
//! all, E.164's maximum): their national forms are not known here.

use std::fmt;

/// Why a phone number cannot be read. The messages are predicates: the caller names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhoneError {
    Empty,
    /// A character that has no place in a phone number.
    BadCharacter(char),
    /// A national number of a country whose national form is not known here.
    NeedsCountryCode {
        country: String,
    },
    /// A national number of SE or FI without the trunk 0, which is ambiguous.
    MissingTrunkZero {
        country: &'static str,
    },
    /// Too few or too many digits for the country.
    Length {
        country: &'static str,
        min: usize,
        max: usize,
        found: usize,
    },
    /// A significant number that cannot start with this digit.
    BadStart {
        country: &'static str,
        digit: char,
    },
    /// An international number longer or shorter than E.164 allows.
    InternationalLength {
        found: usize,
    },
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhoneError::Empty => f.write_str("is empty"),
            PhoneError::BadCharacter(c) => write!(f, "contains {c:?}, which has no place in a phone number"),
            PhoneError::NeedsCountryCode { country } => write!(
                f,
                "has no country code, and numbers of {country} are only read in international form (+CC …)"
            ),
            PhoneError::MissingTrunkZero { country } => {
                write!(f, "is not a {country} number: a national number starts with 0, or write it with +")
            }
            PhoneError::Length { country, min, max, found } if min == max => {
                write!(f, "has {found} digits; a {country} number has {min}")
            }
            PhoneError::Length { country, min, max, found } => {
                write!(f, "has {found} digits; a {country} number has {min} to {max} after the leading 0")
            }
            PhoneError::BadStart { country, digit } => {
                write!(f, "cannot be a {country} number: none starts with {digit}")
            }
            PhoneError::InternationalLength { found } => {
                write!(f, "has {found} digits with the country code; an international number has 8 to 15")
            }
        }
    }
}

impl std::error::Error for PhoneError {}

/// A phone number that was read: its E.164 form and what is known about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    /// `+46701740621`.
    pub e164: String,
    /// Whether it can receive SMS: `Some(false)` for a known landline range, `None` when the
    /// numbering plan does not tell (Denmark, other countries).
    pub mobile: Option<bool>,
    /// The country whose numbering plan it belongs to, when it is one of the plans known here
    /// (SE, NO, DK, FI); `None` for other countries' numbers.
    pub country: Option<&'static str>,
}

/// Why a customer's number cannot take an SMS reminder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsProblem {
    /// It cannot be read as a phone number at all.
    Unreadable(PhoneError),
    /// A landline range of its country's numbering plan.
    NotMobile,
    /// A number of another country than the customer's (a Swedish mobile for a Norwegian
    /// customer is someone else's phone, or a register mistake).
    OtherCountry { number: &'static str, customer: String },
}

impl fmt::Display for SmsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SmsProblem::Unreadable(e) => write!(f, "cannot be read: it {e}"),
            SmsProblem::NotMobile => f.write_str("is not a mobile number"),
            SmsProblem::OtherCountry { number, customer } => {
                write!(f, "is a {number} number, not one of the customer's country {customer}")
            }
        }
    }
}

/// The E.164 number (`+46701740621`) an SMS reminder to a customer of `country` goes to, or
/// why there is none: the number must be readable, be of the customer's country when that is
/// one of the plans known here, and not be in a landline range. `dun check` and `dun remind`
/// both ask this, so that they agree.
pub fn sms_number(text: &str, country: &str) -> Result<String, SmsProblem> {
    let phone = parse_phone(text, country).map_err(SmsProblem::Unreadable)?;
    let customer_plan = plan_for_country(country).map(|plan| plan.country);
    if let (Some(customer), Some(number)) = (customer_plan, phone.country)
        && customer != number
    {
        return Err(SmsProblem::OtherCountry { number, customer: customer.to_owned() });
    }
    if phone.mobile == Some(false) {
        return Err(SmsProblem::NotMobile);
    }
    Ok(phone.e164)
}

struct Plan {
    country: &'static str,
    code: &'static str,
    /// National numbers start with this trunk prefix, dropped in E.164.
    trunk_zero: bool,
    min: usize,
    max: usize,
    /// Digits a significant number may start with.
    first: &'static [u8],
}

const PLANS: [Plan; 4] = [
    Plan { country: "SE", code: "46", trunk_zero: true, min: 7, max: 9, first: b"123456789" },
    Plan { country: "NO", code: "47", trunk_zero: false, min: 8, max: 8, first: b"23456789" },
    Plan { country: "DK", code: "45", trunk_zero: false, min: 8, max: 8, first: b"23456789" },
    Plan { country: "FI", code: "358", trunk_zero: true, min: 5, max: 11, first: b"123456789" },
];

fn plan_for_country(country: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.country.eq_ignore_ascii_case(country.trim()))
}

/// Reads `text` as a phone number of `country` (ISO 3166 alpha-2): either international
/// (`+46 70 …`, `0046 70 …`, also `+46 (0)70 …`) or in the country's national form.
/// Spaces, hyphens, dots, slashes and brackets are ignored.
pub fn parse_phone(text: &str, country: &str) -> Result<Phone, PhoneError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    // `+46 (0)31 …`: the bracketed trunk zero is a common way of writing both forms at once.
    let without_bracket_zero = trimmed.replacen("(0)", "", 1);
    let mut digits = String::with_capacity(trimmed.len());
    let mut plus = false;
    for (i, c) in without_bracket_zero.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '\u{a0}' | '\u{2009}' | '-' | '.' | '/' | '(' | ')' => {}
            other => return Err(PhoneError::BadCharacter(other)),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    let international = if plus { Some(digits.as_str()) } else { digits.strip_prefix("00") };
    match international {
        Some(number) => parse_international(number),
        None => {
            let plan = plan_for_country(country)
                .ok_or_else(|| PhoneError::NeedsCountryCode { country: country.trim().to_owned() })?;
            let significant = if plan.trunk_zero {
                digits.strip_prefix('0').ok_or(PhoneError::MissingTrunkZero { country: plan.country })?
            } else {
                digits.as_str()
            };
            significant_number(plan, significant)
        }
    }
}

/// Whether the text can be read as a phone number of `country` (see [`parse_phone`]).
pub fn to_e164(text: &str, country: &str) -> Result<String, PhoneError> {
    parse_phone(text, country).map(|p| p.e164)
}

fn parse_international(number: &str) -> Result<Phone, PhoneError> {
    if let Some(plan) = PLANS.iter().find(|p| number.starts_with(p.code)) {
        return significant_number(plan, &number[plan.code.len()..]);
    }
    if !(8..=15).contains(&number.len()) {
        return Err(PhoneError::InternationalLength { found: number.len() });
    }
    Ok(Phone { e164: format!("+{number}"), mobile: None, country: None })
}

fn significant_number(plan: &Plan, significant: &str) -> Result<Phone, PhoneError> {
    let found = significant.len();
    if !(plan.min..=plan.max).contains(&found) {
        return Err(PhoneError::Length { country: plan.country, min: plan.min, max: plan.max, found });
    }
    let first = significant.as_bytes()[0];
    if !plan.first.contains(&first) {
        return Err(PhoneError::BadStart { country: plan.country, digit: char::from(first) });
    }
    let mobile = match plan.country {
        "SE" => Some(first == b'7'),
        "NO" => Some(first == b'4' || first == b'9'),
        "FI" => Some(first == b'4' || significant.starts_with("50")),
        _ => None,
    };
    Ok(Phone { e164: format!("+{}{significant}", plan.code), mobile, country: Some(plan.country) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(text: &str, country: &str) -> String {
        to_e164(text, country).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn swedish_national_and_international_forms() {
        assert_eq!(e164("031-390 06 11", "SE"), "+46313900611");
        assert_eq!(e164("070-174 06 21", "SE"), "+46701740621");
        assert_eq!(e164("+46 70 174 06 21", "SE"), "+46701740621");
        assert_eq!(e164("0046 70 174 06 21", "SE"), "+46701740621");
        assert_eq!(e164("+46 (0)70 174 06 21", "SE"), "+46701740621");
        assert_eq!(e164("08-123 456", "SE"), "+468123456");
        assert!(parse_phone("070-174 06 21", "SE").unwrap().mobile == Some(true));
        assert!(parse_phone("031-390 06 11", "SE").unwrap().mobile == Some(false));
    }

    #[test]
    fn norwegian_danish_and_finnish_numbers() {
        assert_eq!(e164("412 34 567", "NO"), "+4741234567");
        assert_eq!(e164("+47 22 33 44 55", "SE"), "+4722334455");
        assert_eq!(e164("33 12 34 56", "DK"), "+4533123456");
        assert_eq!(e164("040 123 4567", "FI"), "+358401234567");
        assert_eq!(e164("+358 9 123 4567", "FI"), "+35891234567");
        assert_eq!(parse_phone("+358 50 123 4567", "FI").unwrap().mobile, Some(true));
        assert_eq!(parse_phone("22 33 44 55", "NO").unwrap().mobile, Some(false));
        assert_eq!(parse_phone("33 12 34 56", "DK").unwrap().mobile, None);
    }

    #[test]
    fn other_countries_only_in_international_form() {
        assert_eq!(e164("+49 40 1234567", "DE"), "+49401234567");
        assert_eq!(
            to_e164("040 1234567", "DE"),
            Err(PhoneError::NeedsCountryCode { country: "DE".to_owned() })
        );
        assert_eq!(to_e164("+49 40", "DE"), Err(PhoneError::InternationalLength { found: 4 }));
    }

    #[test]
    fn what_cannot_be_read() {
        assert_eq!(to_e164("", "SE"), Err(PhoneError::Empty));
        assert_eq!(to_e164("ring Eva", "SE"), Err(PhoneError::BadCharacter('r')));
        assert_eq!(to_e164("70 174 06 21", "SE"), Err(PhoneError::MissingTrunkZero { country: "SE" }));
        assert_eq!(
            to_e164("031-39 00", "SE"),
            Err(PhoneError::Length { country: "SE", min: 7, max: 9, found: 6 })
        );
        assert_eq!(
            to_e164("070-174 06 21 99", "SE"),
            Err(PhoneError::Length { country: "SE", min: 7, max: 9, found: 11 })
        );
        assert_eq!(to_e164("1234 5678", "NO"), Err(PhoneError::BadStart { country: "NO", digit: '1' }));
        assert_eq!(to_e164("+45 05 12 34 56", "DK"), Err(PhoneError::BadStart { country: "DK", digit: '0' }));
        assert_eq!(
            to_e164("4123 4567 8", "NO"),
            Err(PhoneError::Length { country: "NO", min: 8, max: 8, found: 9 })
        );
        let message = to_e164("4123", "NO").unwrap_err().to_string();
        assert_eq!(message, "has 4 digits; a NO number has 8");
    }

    /// Issue 13, finding 1: `remind` texted landlines `check` called unusable, and a Swedish
    /// mobile for a Norwegian customer.
    #[test]
    fn sms_goes_only_to_a_mobile_of_the_customers_country_in_e164() {
        assert_eq!(sms_number("031-390 06 15", "SE"), Err(SmsProblem::NotMobile));
        assert_eq!(sms_number("+47 22 12 34 56", "NO"), Err(SmsProblem::NotMobile));
        assert_eq!(
            sms_number("+46 70 123 45 67", "NO"),
            Err(SmsProblem::OtherCountry { number: "SE", customer: "NO".to_owned() })
        );
        assert!(matches!(sms_number("ring Eva", "SE"), Err(SmsProblem::Unreadable(_))));
        assert_eq!(sms_number("070-123 45 67", "SE").unwrap(), "+46701234567");
        assert_eq!(sms_number("0046 70 123 45 67", "SE").unwrap(), "+46701234567");
        assert_eq!(sms_number("412 34 567", "NO").unwrap(), "+4741234567");
        assert_eq!(sms_number("050 123 4567", "FI").unwrap(), "+358501234567");
        // Danish mobiles and landlines share ranges; other countries' plans are not known.
        assert_eq!(sms_number("20 12 34 56", "DK").unwrap(), "+4520123456");
        assert_eq!(sms_number("+49 151 2345 6789", "DE").unwrap(), "+4915123456789");
        assert_eq!(
            sms_number("+46 70 123 45 67", "DE").unwrap(),
            "+46701234567",
            "a customer abroad may well have a Nordic mobile"
        );
        assert_eq!(SmsProblem::NotMobile.to_string(), "is not a mobile number");
    }

    #[test]
    fn a_plus_only_counts_at_the_start() {
        assert_eq!(to_e164("070+1740621", "SE"), Err(PhoneError::BadCharacter('+')));
    }
}
