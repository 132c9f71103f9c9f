//! Handlebars helpers for the letter templates.
//!
//! Formatting follows the language of the letter, read from the root data's `language`
//! (the renderer makes sure it is one of [`super::LANGUAGES`]), and money uses the root
//! `currency`. Every helper errors on input it cannot read: a letter that says
//! `1234.5O kr` or an empty due date must never be sent.
//!
//! | helper | example | result (sv) |
//! |---|---|---|
//! | `money` | `{{money open}}`, `{{money total sms=true}}` | `1 234,50 kr` |
//! | `date` | `{{date due}}` | `2026-11-24` |
//! | `ref` | `{{ref reference}}` | `1234 5678 9012` |
//! | `has` | `{{#if (has company.iban)}}` | true when present and not blank |
//! | `nonzero` | `{{#if (nonzero fee)}}` | true when a money value is present and not 0 |
//! | `sum` | `{{money (sum invoices "open")}}` | the sum of one money field of a list |
//! | `country` | `{{country customer.country}}` | `NORGE` for `NO` |
//! | `fill` | `{{fill words.interest_until date=(date as_of)}}` | `{date}` in the text replaced |
//!
//! The comparison helpers built into Handlebars (`eq`, `ne`, `gt`, `lt`, `and`, `or`, `not`,
//! `len`) are available as well.

use std::str::FromStr;

use chrono::NaiveDate;
use handlebars::{
    Context, Handlebars, Helper, HelperDef, PathAndJson, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

/// No-break space: keeps `1 234,50 kr` on one line in print and on screen.
const NBSP: char = '\u{a0}';

/// Registers every helper of this module on `registry`.
pub fn register(registry: &mut Handlebars<'static>) {
    registry.register_helper("money", Box::new(MoneyHelper));
    registry.register_helper("date", Box::new(DateHelper));
    registry.register_helper("ref", Box::new(RefHelper));
    registry.register_helper("has", Box::new(HasHelper));
    registry.register_helper("nonzero", Box::new(NonzeroHelper));
    registry.register_helper("sum", Box::new(SumHelper));
    registry.register_helper("country", Box::new(CountryHelper));
    registry.register_helper("fill", Box::new(FillHelper));
}

// ---------------------------------------------------------------------------------------------
// Pure formatting functions (unit-tested below, used by the helpers)
// ---------------------------------------------------------------------------------------------

/// Parses a plain decimal money string: optional `-`, digits, optionally `.` and digits.
///
/// Stricter than `Decimal::from_str`, which also takes `1_000`, `+5` or `.5`: data with such
/// values did not come from the caller we expect, so we refuse them rather than guess.
pub fn parse_money(text: &str) -> Result<Decimal, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = all_digits(whole) && fraction.is_none_or(all_digits);
    if !well_formed {
        return Err(format!("{text:?} is not a plain decimal amount like 1234.50"));
    }
    Decimal::from_str(text).map_err(|e| format!("{text:?} is not a valid amount: {e}"))
}

/// Formats an amount the way a letter in `language` writes it, in `currency` (ISO 4217).
///
/// With `sms` the separators are ordinary spaces: a no-break space is not in the GSM 7-bit
/// alphabet and would make the operator send the whole SMS as UCS-2 (70 instead of 160
/// characters per part).
pub fn format_money(amount: &str, language: &str, currency: &str, sms: bool) -> Result<String, String> {
    let value = parse_money(amount)?;
    let value = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // `-0.00` must not print as a negative amount.
    let negative = value.is_sign_negative() && !value.is_zero();
    let cents = format!("{:.2}", value.abs());
    let (whole, fraction) = cents.split_once('.').unwrap_or((&cents, "00"));
    let space = if sms { ' ' } else { NBSP };
    let currency = currency.trim().to_ascii_uppercase();
    let sign = if negative { "-" } else { "" };

    let text = match language {
        "en" => {
            let number = format!("{}.{fraction}", group_thousands(whole, ','));
            match english_symbol(&currency) {
                Some(symbol) => format!("{sign}{symbol}{number}"),
                None => format!("{currency}{space}{sign}{number}"),
            }
        }
        _ => {
            let separator = if language == "da" { '.' } else { space };
            let number = format!("{sign}{},{fraction}", group_thousands(whole, separator));
            let unit = nordic_unit(language, &currency).unwrap_or(&currency);
            format!("{number}{space}{unit}")
        }
    };
    Ok(text)
}

/// The unit a Nordic letter writes after an amount in its own country's currency.
fn nordic_unit<'a>(language: &str, currency: &str) -> Option<&'a str> {
    match (language, currency) {
        ("sv", "SEK") | ("nb", "NOK") | ("da", "DKK") => Some("kr"),
        ("fi", "EUR") => Some("€"),
        _ => None,
    }
}

/// Currencies an English reader knows by symbol; the rest are written with the ISO code.
fn english_symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "USD" => Some("$"),
        _ => None,
    }
}

/// Inserts `separator` between groups of three digits, counted from the right.
fn group_thousands(digits: &str, separator: char) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// Parses a date written exactly as `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    // chrono alone would also take `2026-1-5`; the data contract says ISO dates, so insist.
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!("{text:?} is not a date written as YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("{text:?} is not a valid date"))
}

/// Formats a `YYYY-MM-DD` date the way a letter in `language` writes it.
pub fn format_date(text: &str, language: &str) -> Result<String, String> {
    use chrono::Datelike as _;
    let date = parse_date(text)?;
    let (year, month, day) = (date.year(), date.month(), date.day());
    // Written out rather than through a format string, which is parsed anew for every date
    // (issue #14: a letter prints a dozen).
    Ok(match language {
        // ISO 8601 is the Swedish standard (SS-ISO 8601) and what Swedish invoices print.
        "sv" => format!("{year:04}-{month:02}-{day:02}"),
        "en" => {
            const MONTHS: [&str; 12] =
                ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            format!("{day} {} {year:04}", MONTHS[date.month0() as usize])
        }
        _ => format!("{day:02}.{month:02}.{year:04}"),
    })
}

/// Formats a payment reference in groups so that it can be read and typed without errors.
///
/// - RF creditor references (ISO 11649): groups of 4 from the left, `RF18 5390 0754 7034`.
/// - Digits only (OCR, KID, FIK, viitenumero): groups from the right, of 5 in Finnish (how a
///   viitenumero is printed) and of 4 elsewhere, unless `group` says otherwise.
/// - Anything else (for instance a full FIK line `+71<...`) is printed as given.
pub fn format_reference(reference: &str, language: &str, group: Option<usize>) -> String {
    let compact: String = reference.chars().filter(|c| !c.is_whitespace()).collect();
    let is_rf = compact.len() > 4
        && compact[..2].eq_ignore_ascii_case("RF")
        && compact.bytes().all(|b| b.is_ascii_alphanumeric());
    if is_rf {
        let upper = compact.to_ascii_uppercase();
        return group_from_left(&upper, group.unwrap_or(4));
    }
    if !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit()) {
        let default = if language == "fi" { 5 } else { 4 };
        return group_from_right(&compact, group.unwrap_or(default));
    }
    reference.trim().to_string()
}

fn group_from_left(text: &str, size: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(size.max(1)).map(|chunk| chunk.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

fn group_from_right(text: &str, size: usize) -> String {
    let size = size.max(1);
    let head = text.len() % size;
    let mut groups = Vec::new();
    if head > 0 {
        groups.push(&text[..head]);
    }
    groups.extend(
        text.as_bytes()[head..]
            .chunks(size)
            // The input is ASCII digits, so every chunk is valid UTF-8.
            .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default()),
    );
    groups.join(" ")
}

/// The country's name as written on the last line of an address, in capitals as the postal
/// services ask; unknown codes are printed as given.
pub fn country_name(code: &str, language: &str) -> String {
    let code = code.trim().to_ascii_uppercase();
    let names: &[&str] = match code.as_str() {
        // order: sv, nb, da, fi, en
        "SE" => &["SVERIGE", "SVERIGE", "SVERIGE", "RUOTSI", "SWEDEN"],
        "NO" => &["NORGE", "NORGE", "NORGE", "NORJA", "NORWAY"],
        "DK" => &["DANMARK", "DANMARK", "DANMARK", "TANSKA", "DENMARK"],
        "FI" => &["FINLAND", "FINLAND", "FINLAND", "SUOMI", "FINLAND"],
        "IS" => &["ISLAND", "ISLAND", "ISLAND", "ISLANTI", "ICELAND"],
        "DE" => &["TYSKLAND", "TYSKLAND", "TYSKLAND", "SAKSA", "GERMANY"],
        "EE" => &["ESTLAND", "ESTLAND", "ESTLAND", "VIRO", "ESTONIA"],
        "GB" => &["STORBRITANNIEN", "STORBRITANNIA", "STORBRITANNIEN", "ISO-BRITANNIA", "UNITED KINGDOM"],
        _ => return code,
    };
    let index = match language {
        "sv" => 0,
        "nb" => 1,
        "da" => 2,
        "fi" => 3,
        _ => 4,
    };
    names[index].to_string()
}

// ---------------------------------------------------------------------------------------------
// Helper plumbing
// ---------------------------------------------------------------------------------------------

fn helper_error(helper: &str, message: impl std::fmt::Display) -> RenderError {
    RenderErrorReason::Other(format!("helper `{helper}`: {message}")).into()
}

/// The first positional parameter, which must be present in the data (strict mode does not
/// check helper parameters, so the helpers do).
fn first_param<'a, 'rc>(h: &'a Helper<'rc>, helper: &str) -> Result<&'a PathAndJson<'rc>, RenderError> {
    let param = h.param(0).ok_or_else(|| helper_error(helper, "needs a value, e.g. {{money total}}"))?;
    if param.is_value_missing() {
        let path = param.relative_path().map_or("?", String::as_str);
        return Err(helper_error(helper, format!("variable `{path}` is missing")));
    }
    Ok(param)
}

/// Reads a value that must be a string (or a plain number, which we accept for amounts).
fn text_value(param: &PathAndJson<'_>, helper: &str) -> Result<String, RenderError> {
    let name = param.relative_path().map_or("value", String::as_str);
    match param.value() {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Null => Err(helper_error(helper, format!("`{name}` is empty (null)"))),
        other => Err(helper_error(helper, format!("`{name}` is not text: {other}"))),
    }
}

/// The letter's language, from the root data.
fn language_of(ctx: &Context) -> Result<&str, RenderError> {
    match ctx.data().get("language") {
        Some(Value::String(language)) => Ok(super::resolve_language(language)),
        _ => Err(RenderErrorReason::Other(
            "template data has no `language` (expected one of sv, nb, da, fi, en)".into(),
        )
        .into()),
    }
}

fn currency_of(ctx: &Context) -> Result<&str, RenderError> {
    match ctx.data().get("currency") {
        Some(Value::String(currency)) if !currency.trim().is_empty() => Ok(currency),
        _ => Err(RenderErrorReason::Other(
            "template data has no `currency` (an ISO 4217 code such as SEK)".into(),
        )
        .into()),
    }
}

fn derived<'rc>(text: String) -> Result<ScopedJson<'rc>, RenderError> {
    Ok(ScopedJson::Derived(Value::String(text)))
}

fn boolean<'rc>(value: bool) -> Result<ScopedJson<'rc>, RenderError> {
    Ok(ScopedJson::Derived(Value::Bool(value)))
}

/// A hash parameter that is `true` (as a literal or from the data).
fn hash_flag(h: &Helper<'_>, key: &str) -> bool {
    h.hash_get(key).is_some_and(|v| matches!(v.value(), Value::Bool(true)))
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `{{money amount}}`, `{{money amount sms=true}}`, `{{money amount currency="EUR"}}`.
struct MoneyHelper;

impl HelperDef for MoneyHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let amount = text_value(first_param(h, "money")?, "money")?;
        let language = language_of(ctx)?;
        let currency = match h.hash_get("currency").map(|v| v.value()) {
            Some(Value::String(currency)) => currency.as_str(),
            Some(_) => return Err(helper_error("money", "`currency=` must be a text")),
            None => currency_of(ctx)?,
        };
        let text = format_money(&amount, language, currency, hash_flag(h, "sms"))
            .map_err(|e| helper_error("money", e))?;
        derived(text)
    }
}

/// `{{date due}}`.
struct DateHelper;

impl HelperDef for DateHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let date = text_value(first_param(h, "date")?, "date")?;
        let text = format_date(&date, language_of(ctx)?).map_err(|e| helper_error("date", e))?;
        derived(text)
    }
}

/// `{{ref reference}}`, `{{ref reference group=5}}`.
struct RefHelper;

impl HelperDef for RefHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let reference = text_value(first_param(h, "ref")?, "ref")?;
        let group = match h.hash_get("group").map(|v| v.value()) {
            None => None,
            Some(value) => match value.as_u64() {
                Some(size @ 1..=10) => Some(size as usize),
                _ => {
                    return Err(helper_error("ref", "`group=` must be a number from 1 to 10"));
                }
            },
        };
        derived(format_reference(&reference, language_of(ctx)?, group))
    }
}

/// `(has value)`: true when the value is present and not null, blank, `false` or empty.
/// Unlike a bare `{{#if value}}`, a misspelt variable name is an error.
struct HasHelper;

impl HelperDef for HasHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let present = match first_param(h, "has")?.value() {
            Value::Null | Value::Bool(false) => false,
            Value::String(text) => !text.trim().is_empty(),
            Value::Array(items) => !items.is_empty(),
            Value::Object(fields) => !fields.is_empty(),
            Value::Bool(true) | Value::Number(_) => true,
        };
        boolean(present)
    }
}

/// `(nonzero fee)`: true when a money value is present and not zero. A fee of `"0.00"` is
/// a string and would count as true for a bare `{{#if}}`.
struct NonzeroHelper;

impl HelperDef for NonzeroHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let param = first_param(h, "nonzero")?;
        if param.value().is_null() {
            return boolean(false);
        }
        let amount = text_value(param, "nonzero")?;
        let value = parse_money(&amount).map_err(|e| helper_error("nonzero", e))?;
        boolean(!value.is_zero())
    }
}

/// `(sum invoices "open")`: the sum of one money field over a list, as a plain decimal.
struct SumHelper;

impl HelperDef for SumHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let Value::Array(items) = first_param(h, "sum")?.value() else {
            return Err(helper_error("sum", "the first value must be a list"));
        };
        let Some(Value::String(field)) = h.param(1).map(|p| p.value()) else {
            return Err(helper_error("sum", "needs a field name, e.g. (sum invoices \"open\")"));
        };
        let mut total = Decimal::ZERO;
        for (index, item) in items.iter().enumerate() {
            let amount = match item.get(field) {
                Some(Value::String(text)) => parse_money(text),
                Some(Value::Number(number)) => parse_money(&number.to_string()),
                _ => Err(format!("item {index} has no amount `{field}`")),
            }
            .map_err(|e| helper_error("sum", e))?;
            total += amount;
        }
        derived(total.to_string())
    }
}

/// `{{country customer.country}}`.
struct CountryHelper;

impl HelperDef for CountryHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let code = text_value(first_param(h, "country")?, "country")?;
        derived(country_name(&code, language_of(ctx)?))
    }
}

/// `{{fill words.days_late n=days_overdue}}`: the text with every `{key}` replaced by the
/// hash value of that name, so that a word can put a date or number where its language wants
/// it (`Dröjsmålsränta t.o.m. {date}`, `Viivästyskorko {date} asti`). A `{key}` the call does
/// not give is an error, so a misspelt placeholder never reaches a letter.
struct FillHelper;

impl HelperDef for FillHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let text = text_value(first_param(h, "fill")?, "fill")?;
        let mut values = Vec::with_capacity(h.hash().len());
        for (key, value) in h.hash() {
            if value.is_value_missing() {
                let path = value.relative_path().map_or("?", String::as_str);
                return Err(helper_error("fill", format!("variable `{path}` is missing")));
            }
            values.push((*key, text_value(value, "fill")?));
        }
        derived(fill(&text, &values).map_err(|e| helper_error("fill", e))?)
    }
}

/// `text` with each `{key}` replaced by its value; an unknown or unclosed `{` is an error.
pub fn fill(text: &str, values: &[(&str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}').ok_or_else(|| format!("unclosed `{{` in {text:?}"))?;
        let key = &after[..end];
        let value = values
            .iter()
            .find(|(name, _)| *name == key)
            .ok_or_else(|| format!("{text:?} has `{{{key}}}` but the call gives no {key}=..."))?;
        out.push_str(&value.1);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike as _;
    use serde_json::json;

    #[test]
    fn fill_puts_values_where_the_word_wants_them() {
        let date = [("date", "24.11.2026".to_string())];
        assert_eq!(fill("Viivästyskorko {date} asti", &date).unwrap(), "Viivästyskorko 24.11.2026 asti");
        assert_eq!(fill("no placeholders", &date).unwrap(), "no placeholders");
        assert!(fill("{dtae}", &date).unwrap_err().contains("dtae"));
        assert!(fill("open {date", &date).is_err());
        let data = json!({"language": "sv", "w": "{n} dagar sen", "d": 3});
        assert_eq!(render("{{fill w n=d}}", &data).unwrap(), "3 dagar sen");
        assert!(render("{{fill w n=missing}}", &data).is_err());
    }

    fn money(amount: &str, language: &str, currency: &str) -> String {
        format_money(amount, language, currency, false).unwrap()
    }

    /// Shows the no-break spaces as `_` so that the expectations are readable.
    fn visible(text: String) -> String {
        text.replace(NBSP, "_")
    }

    #[test]
    fn money_swedish() {
        assert_eq!(visible(money("1234.50", "sv", "SEK")), "1_234,50_kr");
        assert_eq!(visible(money("1234.5", "sv", "SEK")), "1_234,50_kr");
        assert_eq!(visible(money("0", "sv", "SEK")), "0,00_kr");
        assert_eq!(visible(money("-1234.50", "sv", "SEK")), "-1_234,50_kr");
        assert_eq!(visible(money("999.999", "sv", "SEK")), "1_000,00_kr");
        assert_eq!(visible(money("1234567890.12", "sv", "SEK")), "1_234_567_890,12_kr");
        assert_eq!(visible(money("1234.50", "sv", "EUR")), "1_234,50_EUR");
        assert_eq!(visible(money("12", "sv", "sek")), "12,00_kr");
    }

    #[test]
    fn money_norwegian_danish_finnish() {
        assert_eq!(visible(money("1234.50", "nb", "NOK")), "1_234,50_kr");
        assert_eq!(visible(money("-0.5", "nb", "NOK")), "-0,50_kr");
        assert_eq!(visible(money("1234.50", "nb", "SEK")), "1_234,50_SEK");
        assert_eq!(visible(money("1234.50", "da", "DKK")), "1.234,50_kr");
        assert_eq!(visible(money("1234567.5", "da", "DKK")), "1.234.567,50_kr");
        assert_eq!(visible(money("-1234.50", "da", "EUR")), "-1.234,50_EUR");
        assert_eq!(visible(money("0", "da", "DKK")), "0,00_kr");
        assert_eq!(visible(money("1234.50", "fi", "EUR")), "1_234,50_€");
        assert_eq!(visible(money("100", "fi", "EUR")), "100,00_€");
        assert_eq!(visible(money("1234.50", "fi", "SEK")), "1_234,50_SEK");
    }

    #[test]
    fn money_english() {
        assert_eq!(visible(money("1234.50", "en", "SEK")), "SEK_1,234.50");
        assert_eq!(money("1234.50", "en", "EUR"), "€1,234.50");
        assert_eq!(money("-1234.50", "en", "EUR"), "-€1,234.50");
        assert_eq!(visible(money("-1234.50", "en", "NOK")), "NOK_-1,234.50");
        assert_eq!(money("0", "en", "GBP"), "£0.00");
        assert_eq!(money("1000000", "en", "USD"), "$1,000,000.00");
    }

    #[test]
    fn money_negative_zero_is_zero() {
        assert_eq!(visible(money("-0.00", "sv", "SEK")), "0,00_kr");
        assert_eq!(visible(money("-0.001", "sv", "SEK")), "0,00_kr");
    }

    #[test]
    fn money_for_sms_has_plain_spaces() {
        let text = format_money("1234567.5", "sv", "SEK", true).unwrap();
        assert_eq!(text, "1 234 567,50 kr");
    }

    #[test]
    fn money_rejects_malformed() {
        for bad in ["", "12,50", "1 234", "+5", ".5", "5.", "1e3", "abc", "1_000", "--1", "12.5x"] {
            assert!(parse_money(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn thousands_grouping() {
        assert_eq!(group_thousands("1", ' '), "1");
        assert_eq!(group_thousands("123", ' '), "123");
        assert_eq!(group_thousands("1234", ' '), "1 234");
        assert_eq!(group_thousands("123456", ' '), "123 456");
        assert_eq!(group_thousands("1234567", '.'), "1.234.567");
    }

    #[test]
    fn dates_per_language() {
        assert_eq!(format_date("2026-11-24", "sv").unwrap(), "2026-11-24");
        assert_eq!(format_date("2026-11-24", "nb").unwrap(), "24.11.2026");
        assert_eq!(format_date("2026-11-24", "da").unwrap(), "24.11.2026");
        assert_eq!(format_date("2026-11-24", "fi").unwrap(), "24.11.2026");
        assert_eq!(format_date("2026-11-24", "en").unwrap(), "24 Nov 2026");
        assert_eq!(format_date("2026-03-05", "en").unwrap(), "5 Mar 2026");
        assert_eq!(format_date("2026-03-05", "fi").unwrap(), "05.03.2026");
    }

    /// Written out by hand, a date reads as chrono's format strings print it, every day of
    /// two centuries and in every language.
    #[test]
    fn dates_read_as_the_format_strings_print_them() {
        let mut day = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
        while day.year() < 2150 {
            let text = day.to_string();
            for (language, pattern) in
                [("sv", "%Y-%m-%d"), ("en", "%-d %b %Y"), ("fi", "%d.%m.%Y"), ("da", "%d.%m.%Y")]
            {
                assert_eq!(
                    format_date(&text, language).unwrap(),
                    day.format(pattern).to_string(),
                    "{text} {language}"
                );
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn dates_malformed_are_errors() {
        for bad in ["", "2026-02-30", "2026-1-5", "24.11.2026", "2026-11-24T00:00", "+2026-11-2"] {
            assert!(format_date(bad, "sv").is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn references_are_grouped() {
        assert_eq!(format_reference("1234567890", "sv", None), "12 3456 7890");
        assert_eq!(format_reference("234096783", "fi", None), "2340 96783");
        assert_eq!(format_reference("16625", "fi", None), "16625");
        assert_eq!(format_reference("RF18539007547034", "fi", None), "RF18 5390 0754 7034");
        assert_eq!(format_reference("rf18 5390 0754 7034", "sv", None), "RF18 5390 0754 7034");
        assert_eq!(format_reference("RF4516625", "fi", None), "RF45 1662 5");
        assert_eq!(format_reference("1234 5678", "sv", Some(5)), "123 45678");
        assert_eq!(
            format_reference(" +71<000000000000018+85000001< ", "da", None),
            "+71<000000000000018+85000001<"
        );
    }

    #[test]
    fn country_names() {
        assert_eq!(country_name("no", "sv"), "NORGE");
        assert_eq!(country_name("SE", "fi"), "RUOTSI");
        assert_eq!(country_name("FR", "en"), "FR");
    }

    /// The helpers through a registry: errors instead of silently printing bad data.
    fn render(template: &str, data: &Value) -> Result<String, String> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        register(&mut registry);
        registry.render_template(template, data).map_err(|e| e.to_string())
    }

    #[test]
    fn helpers_in_templates() {
        let data = json!({"language": "da", "currency": "DKK", "fee": "100", "zero": "0.00",
            "none": null, "items": [{"open": "1.50"}, {"open": "2"}], "reference": "RF18539007547034"});
        assert_eq!(render("{{money fee}}", &data).unwrap(), "100,00\u{a0}kr");
        assert_eq!(render("{{money fee currency=\"EUR\"}}", &data).unwrap(), "100,00\u{a0}EUR");
        assert_eq!(render("{{money (sum items \"open\")}}", &data).unwrap(), "3,50\u{a0}kr");
        assert_eq!(render("{{#if (nonzero zero)}}y{{else}}n{{/if}}", &data).unwrap(), "n");
        assert_eq!(render("{{#if (nonzero none)}}y{{else}}n{{/if}}", &data).unwrap(), "n");
        assert_eq!(render("{{#if (nonzero fee)}}y{{else}}n{{/if}}", &data).unwrap(), "y");
        assert_eq!(render("{{#if (has none)}}y{{else}}n{{/if}}", &data).unwrap(), "n");
        assert_eq!(render("{{ref reference}}", &data).unwrap(), "RF18 5390 0754 7034");
    }

    #[test]
    fn helpers_error_on_bad_or_missing_values() {
        let data = json!({"language": "sv", "currency": "SEK", "bad": "12,50", "day": "2026-13-01",
            "none": null});
        let error = render("{{money bad}}", &data).unwrap_err();
        assert!(error.contains("money") && error.contains("12,50"), "{error}");
        assert!(render("{{date day}}", &data).unwrap_err().contains("2026-13-01"));
        assert!(render("{{money missing}}", &data).unwrap_err().contains("`missing` is missing"));
        assert!(render("{{#if (has misspelt)}}x{{/if}}", &data).is_err());
        assert!(render("{{money none}}", &data).is_err());
        assert!(render("{{date none}}", &data).is_err());
        let no_currency = json!({"language": "sv", "fee": "1"});
        assert!(render("{{money fee}}", &no_currency).unwrap_err().contains("currency"));
    }
}
