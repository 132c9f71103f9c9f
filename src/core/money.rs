//! Money: parsing the amounts Nordic exports write, and formatting them the one way `dun` writes.
//!
//! Amounts are `rust_decimal::Decimal` throughout. Rounding happens in exactly one place
//! ([`round_money`]), half away from zero, because `Decimal::round_dp` rounds half to even and
//! `format!("{:.2}")` would silently truncate.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// Why an amount could not be read. The caller adds file, line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    Malformed,
    /// `1,234` or `1.234`: thousands separator or decimal separator? We never guess.
    Ambiguous,
    TooLarge,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AmountError::Empty => "is empty, expected an amount",
            AmountError::Malformed => {
                "is not an amount (expected e.g. 1234.50, 1 234,50, 1.234,50 or 1,234.50)"
            }
            AmountError::Ambiguous => {
                "is ambiguous: the separator could mean thousands or decimals \
                 (write 1234.00, 1 234,00 or 1,234.00)"
            }
            AmountError::TooLarge => "is too large to be an amount (at most 999 999 999 999 999.99)",
        })
    }
}

/// A sum or product of money that left the range `dun` computes in, named for the user: `what`
/// says which figure ("the open total of customer \"K1\" in SEK"). Every amount read is below
/// [`MAX_AMOUNT`], so a sum needs more than 10^11 invoices at the largest amount to get here; a
/// product with days (dates ten thousand years apart) needs millions, and a ratio to a sum that
/// credits or an amount of many decimals bring near zero needs two. It is an error, never a
/// panic or a wrapped figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    pub what: String,
}

impl Overflow {
    pub fn of(what: impl Into<String>) -> Overflow {
        Overflow { what: what.into() }
    }
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is too large to compute exactly (more than 10^26): check invoices.csv and \
             payments.csv for amounts or dates that do not belong (an amount with a dozen \
             decimals beside a large one, a date thousands of years off)",
            self.what
        )
    }
}

impl std::error::Error for Overflow {}

/// A running `Decimal` sum that remembers leaving the range instead of panicking (`Decimal`'s
/// `+` and `*` panic past 7.9 × 10^28): for sums off the hot path, and sums of products.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedSum(Option<Decimal>);

impl Default for CheckedSum {
    fn default() -> Self {
        CheckedSum(Some(Decimal::ZERO))
    }
}

impl CheckedSum {
    pub fn add(&mut self, amount: Decimal) {
        self.0 = self.0.and_then(|sum| sum.checked_add(amount));
    }

    /// Adds `a × b`.
    pub fn add_product(&mut self, a: Decimal, b: Decimal) {
        self.0 = self.0.and_then(|sum| a.checked_mul(b).and_then(|p| sum.checked_add(p)));
    }

    pub fn merge(&mut self, other: &CheckedSum) {
        self.0 = self.0.and_then(|sum| other.0.and_then(|o| sum.checked_add(o)));
    }

    /// The sum; `None` when it, or any sum on the way, left the range.
    pub fn total(&self) -> Option<Decimal> {
        self.0
    }
}

/// `*sum += amount`, checked: past the range it is an [`Overflow`] named by `what`, and `sum`
/// is left as it was.
pub fn add_to(sum: &mut Decimal, amount: Decimal, what: impl FnOnce() -> String) -> Result<(), Overflow> {
    *sum = sum.checked_add(amount).ok_or_else(|| Overflow::of(what()))?;
    Ok(())
}

/// Σ of `amounts`, `None` when it leaves the range: `Iterator::sum` of `Decimal` panics there.
pub fn checked_sum<'a>(amounts: impl IntoIterator<Item = &'a Decimal>) -> Option<Decimal> {
    amounts.into_iter().try_fold(Decimal::ZERO, |sum, a| sum.checked_add(*a))
}

/// A running sum of amounts that is exact and fast: amounts with at most two decimals (all of
/// them, in practice) are added as whole cents in an `i128`; anything finer goes to a
/// `Decimal` beside it. Summing a million invoices this way costs a fraction of `Decimal` adds.
///
/// Checked, yet nothing on the hot path branches: an `i128` add that wraps sets a flag, and
/// [`MoneySum::total`] is `None` when it did, or when the cents do not fit a `Decimal`
/// (2^96 cents, 7.9 × 10^26) or the finer part left its range. With amounts below
/// [`MAX_AMOUNT`] (10^17 cents) the `i128` (1.7 × 10^38) cannot wrap in fewer than 10^21 adds,
/// and the total fits a `Decimal` up to 7.9 × 10^11 such amounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MoneySum {
    cents: i128,
    finer: Decimal,
    overflowed: bool,
}

impl MoneySum {
    #[inline]
    pub fn add(&mut self, amount: Decimal) {
        // A mantissa is below 2^96, so × 100 cannot wrap an i128.
        let cents = match amount.scale() {
            0 => amount.mantissa() * 100,
            1 => amount.mantissa() * 10,
            2 => amount.mantissa(),
            _ => {
                self.add_finer(amount);
                return;
            }
        };
        let (sum, wrapped) = self.cents.overflowing_add(cents);
        self.cents = sum;
        self.overflowed |= wrapped;
    }

    fn add_finer(&mut self, amount: Decimal) {
        match self.finer.checked_add(amount) {
            Some(sum) => self.finer = sum,
            None => self.overflowed = true,
        }
    }

    pub fn merge(&mut self, other: &MoneySum) {
        let (sum, wrapped) = self.cents.overflowing_add(other.cents);
        self.cents = sum;
        self.overflowed |= wrapped | other.overflowed;
        self.add_finer(other.finer);
    }

    /// The exact sum; `None` when it, or a sum on the way, left the range (see the type).
    pub fn total(&self) -> Option<Decimal> {
        if self.overflowed {
            return None;
        }
        Decimal::try_from_i128_with_scale(self.cents, 2).ok()?.checked_add(self.finer)
    }
}

/// Rounds to the cent, half away from zero: the one rounding rule for money in `dun`.
pub fn round_money(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Formats an amount the way `dun` writes it for machines: `.` decimals, two places, no grouping.
pub fn format_money(amount: Decimal) -> String {
    let mut out = String::with_capacity(16);
    write_money(&mut out, amount);
    out
}

/// [`format_money`] into a buffer, without allocating: the CSV writer's hot path.
pub fn write_money(out: &mut String, amount: Decimal) {
    write_cents(out, cents(amount), false);
}

/// [`format_money_grouped`] into a buffer, without allocating: a large table's hot path.
pub fn write_money_grouped(out: &mut String, amount: Decimal) {
    write_cents(out, cents(amount), true);
}

/// The amount in whole cents, rounded as [`round_money`] rounds.
fn cents(amount: Decimal) -> i128 {
    // Amounts with at most two decimals (sums of invoice amounts) need no rounding.
    match amount.scale() {
        0 => amount.mantissa() * 100,
        1 => amount.mantissa() * 10,
        2 => amount.mantissa(),
        _ => {
            let mut rounded = round_money(amount);
            rounded.rescale(2);
            rounded.mantissa()
        }
    }
}

/// Cents as `-1234.50`, or grouped by thousands as `-1 234.50`.
fn write_cents(out: &mut String, cents: i128, grouped: bool) {
    // `-0.00` reads badly in a spreadsheet; a zero is a zero.
    if cents < 0 {
        out.push('-');
    }
    let cents = cents.unsigned_abs();
    // In 64 bits where it fits, as every real amount does (issue #14: a division of 128 bits
    // per digit was most of what a large table's amounts cost).
    let mut whole = itoa::Buffer::new();
    let (digits, fraction) = match u64::try_from(cents) {
        Ok(cents) => (whole.format(cents / 100), (cents % 100) as u8),
        Err(_) => (whole.format(cents / 100), (cents % 100) as u8),
    };
    if grouped {
        let count = digits.len();
        for (i, d) in digits.char_indices() {
            if i > 0 && (count - i) % 3 == 0 {
                out.push(' ');
            }
            out.push(d);
        }
    } else {
        out.push_str(digits);
    }
    out.push('.');
    out.push(char::from(b'0' + fraction / 10));
    out.push(char::from(b'0' + fraction % 10));
}

/// Formats an amount for people in a terminal: two decimals, a thin grouping space.
pub fn format_money_grouped(amount: Decimal) -> String {
    let plain = format_money(amount);
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain.as_str()),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3 + 4);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(' ');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{frac}")
}

/// Parses an amount as Nordic and international exports write it:
/// `1234.50`, `1234,50`, `1 234,50` (space, no-break or thin space as thousands separator),
/// `1.234,50`, `1,234.50`, an optional leading or trailing currency code, `kr` or `€`,
/// and a leading minus. Ambiguous input (`1,234`) is an error, never a guess.
/// Every amount read is below this in absolute value (a quadrillion: no invoice comes near).
/// The bound is what makes money arithmetic safe everywhere: `Decimal` holds up to 7.9e28, so
/// sums of billions of such amounts, fees, interest over a century, never overflow or wrap.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// `value` when its size is below [`MAX_AMOUNT`] (10^15). Compared on the mantissa: |value| <
/// 10^15 when |mantissa| < 10^(15 + scale), and a mantissa (below 2^96) is always below 10^29.
/// Two `Decimal` comparisons per amount, each rescaling one side, were 5 % of `dun report`.
fn bounded(value: Decimal) -> Result<Decimal, AmountError> {
    const MAX_DIGITS: u32 = 15;
    let limit = MAX_DIGITS + value.scale();
    let within = limit >= 29 || value.mantissa().unsigned_abs() < 10u128.pow(limit);
    if within { Ok(value) } else { Err(AmountError::TooLarge) }
}

pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    parse_amount_unbounded(text).and_then(bounded)
}

fn parse_amount_unbounded(text: &str) -> Result<Decimal, AmountError> {
    if let Some(value) = parse_plain(text.as_bytes()) {
        return Ok(value);
    }
    let body = strip_currency(text.trim());
    if body.is_empty() {
        return Err(if text.trim().is_empty() { AmountError::Empty } else { AmountError::Malformed });
    }
    let (negative, body) = strip_minus(body);
    let scan = scan_number(body.trim_start())?;
    let decimal_sep = scan.decimal_separator()?;
    let mantissa_scale = scan.build(decimal_sep)?;
    let mut value = Decimal::try_from_i128_with_scale(mantissa_scale.0, mantissa_scale.1)
        .map_err(|_| AmountError::TooLarge)?;
    if negative {
        value.set_sign_negative(true);
    }
    Ok(value)
}

/// The shape machine exports write (`-12345.50`, `12345,5`, `100`), read without the general
/// scanner: this is the hot path of `dun report`. Anything else, including the ambiguous three
/// decimals, goes the long way.
fn parse_plain(b: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut scale = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => mantissa = mantissa * 10 + i64::from(c - b'0'),
            b'.' | b',' if scale.is_none() && i > 0 && matches!(digits.len() - i - 1, 1 | 2) => {
                scale = Some((digits.len() - i - 1) as u32);
            }
            _ => return None,
        }
    }
    Some(Decimal::new(if negative { -mantissa } else { mantissa }, scale.unwrap_or(0)))
}

fn strip_minus(body: &str) -> (bool, &str) {
    if let Some(rest) = body.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = body.strip_prefix('\u{2212}') {
        (true, rest)
    } else {
        (false, body)
    }
}

/// Removes a leading or trailing currency marker: an ISO 4217 code, `kr`, `kr.`, `€`, `$`,
/// `£`. Other letters stay, and make the amount malformed: `3OO` (letter O) or `x300` are
/// damage, not 3 and 300.
fn strip_currency(text: &str) -> &str {
    let is_marker = |c: char| c.is_ascii_alphabetic() || c == '€' || c == '$' || c == '£';
    let known = |m: &str| {
        matches!(m, "€" | "$" | "£")
            || m.eq_ignore_ascii_case("kr")
            || super::model::Currency::parse(m).is_some()
    };
    let mut s = text;
    let leading: usize = s.char_indices().take_while(|&(_, c)| is_marker(c)).map(|(_, c)| c.len_utf8()).sum();
    if leading > 0 && known(&s[..leading]) {
        s = s[leading..].trim_start();
    }
    let s = s.strip_suffix("kr.").map_or(s, str::trim_end);
    let trailing: usize = s.chars().rev().take_while(|&c| is_marker(c)).map(char::len_utf8).sum();
    if trailing > 0 && known(&s[s.len() - trailing..]) { s[..s.len() - trailing].trim_end() } else { s }
}

/// The digits of an amount with the positions of every separator seen, gathered in one pass.
struct NumberScan {
    digits: [u8; 40],
    len: usize,
    /// Separators in order: the kind and how many digits preceded it.
    seps: [(Sep, u8); 12],
    nseps: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sep {
    Dot,
    Comma,
    Space,
}

fn scan_number(body: &str) -> Result<NumberScan, AmountError> {
    let mut scan = NumberScan { digits: [0; 40], len: 0, seps: [(Sep::Space, 0); 12], nseps: 0 };
    let mut chars = body.chars().peekable();
    let mut last_was_sep = true; // no separator may come first
    while let Some(c) = chars.next() {
        let sep = match c {
            '0'..='9' => {
                if scan.len == scan.digits.len() {
                    return Err(AmountError::TooLarge);
                }
                scan.digits[scan.len] = c as u8 - b'0';
                scan.len += 1;
                last_was_sep = false;
                continue;
            }
            '.' => Sep::Dot,
            ',' => Sep::Comma,
            ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\'' => Sep::Space,
            _ => return Err(AmountError::Malformed),
        };
        if last_was_sep || scan.nseps == scan.seps.len() || chars.peek().is_none() {
            return Err(AmountError::Malformed);
        }
        scan.seps[scan.nseps] = (sep, scan.len as u8);
        scan.nseps += 1;
        last_was_sep = true;
    }
    if scan.len == 0 {
        return Err(AmountError::Malformed);
    }
    Ok(scan)
}

impl NumberScan {
    fn seps(&self) -> &[(Sep, u8)] {
        &self.seps[..self.nseps]
    }

    /// Decides which separator, if any, is the decimal one.
    fn decimal_separator(&self) -> Result<Option<usize>, AmountError> {
        let seps = self.seps();
        let Some(&(last, last_at)) = seps.last() else {
            return Ok(None);
        };
        if last == Sep::Space {
            return Ok(None);
        }
        let same_kind = seps.iter().filter(|(k, _)| *k == last).count();
        let other_punct = seps.iter().any(|(k, _)| *k != last && *k != Sep::Space);
        if other_punct {
            // `1.234,50` or `1,234.50`: the last punctuation mark is the decimal one.
            return if same_kind == 1 { Ok(Some(seps.len() - 1)) } else { Err(AmountError::Malformed) };
        }
        if same_kind > 1 {
            return Ok(None); // `1.234.567`: only thousands separators
        }
        let after = self.len - last_at as usize;
        let before_group = last_at as usize - seps[..seps.len() - 1].last().map_or(0, |s| s.1 as usize);
        let spaces_before = seps.len() > 1;
        let leading_zero = last_at as usize == 1 && self.digits[0] == 0;
        if after == 3 && !spaces_before && before_group <= 3 && !leading_zero {
            return Err(AmountError::Ambiguous);
        }
        Ok(Some(seps.len() - 1))
    }

    /// Checks the grouping of thousands separators and returns (mantissa, scale).
    fn build(&self, decimal: Option<usize>) -> Result<(i128, u32), AmountError> {
        let seps = self.seps();
        let int_digits = decimal.map_or(self.len, |i| seps[i].1 as usize);
        let mut prev = 0usize;
        for (i, &(_, at)) in seps.iter().enumerate() {
            if Some(i) == decimal {
                break;
            }
            let group = at as usize - prev;
            if (i == 0 && group > 3) || (i > 0 && group != 3) {
                return Err(AmountError::Malformed);
            }
            prev = at as usize;
        }
        let grouped = decimal.map_or(seps.len(), |d| d);
        if grouped > 0 && int_digits - prev != 3 {
            return Err(AmountError::Malformed);
        }
        // 30 digits are past any bound; more would overflow the i128 below.
        if self.len > 30 {
            return Err(AmountError::TooLarge);
        }
        let mut mantissa: i128 = 0;
        for &d in &self.digits[..self.len] {
            mantissa = mantissa * 10 + i128::from(d);
        }
        let scale = (self.len - int_digits) as u32;
        if scale > 28 {
            return Err(AmountError::TooLarge);
        }
        Ok((mantissa, scale))
    }
}

/// Parses an amount whose decimal mark is known (`decimal = ","` in the policy, or a preset's):
/// the other mark, spaces and `'` group thousands, and any number of decimals is fine (SEB
/// writes three). A currency marker and a leading minus are allowed as in [`parse_amount`].
pub fn parse_amount_with_decimal(text: &str, decimal: char) -> Result<Decimal, AmountError> {
    parse_with_decimal_unbounded(text, decimal).and_then(bounded)
}

fn parse_with_decimal_unbounded(text: &str, decimal: char) -> Result<Decimal, AmountError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, body) = strip_minus(strip_currency(trimmed));
    let body = body.strip_prefix('+').unwrap_or(body).trim_start();
    let thousands = if decimal == ',' { '.' } else { ',' };
    let mut plain = String::with_capacity(body.len());
    let mut seen_decimal = false;
    for c in body.chars() {
        match c {
            '0'..='9' => plain.push(c),
            c if c == decimal && !seen_decimal => {
                seen_decimal = true;
                plain.push('.');
            }
            c if !seen_decimal
                && (c == thousands || matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\'')) => {}
            _ => return Err(AmountError::Malformed),
        }
    }
    if plain.is_empty() || plain.starts_with('.') || plain.ends_with('.') {
        return Err(AmountError::Malformed);
    }
    let mut value: Decimal = plain.parse().map_err(|_| AmountError::TooLarge)?;
    if negative {
        value.set_sign_negative(true);
    }
    Ok(value)
}

/// Parses an amount written in whole minor units (öre, øre, cents: Fiken's `187550` is
/// 1 875,50), with an optional leading minus.
pub fn parse_minor_units(text: &str) -> Result<Decimal, AmountError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, digits) = strip_minus(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AmountError::Malformed);
    }
    if digits.len() > 26 {
        return Err(AmountError::TooLarge);
    }
    let minor: i128 = digits.parse().map_err(|_| AmountError::TooLarge)?;
    let mut value = Decimal::try_from_i128_with_scale(minor, 2).map_err(|_| AmountError::TooLarge)?;
    if negative {
        value.set_sign_negative(true);
    }
    bounded(value)
}

#[cfg(test)]
mod bound_tests {
    use super::*;

    /// Issue 10, defect 7: a 28-digit amount aborted the run; a 39-digit one wrapped in the
    /// i128 mantissa and read as 100.00.
    #[test]
    fn amounts_past_the_bound_are_errors_never_wraps() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000i64));
        for text in [
            "1000000000000000000000000000",
            "340282366920938463463374607431768211556",
            "99999999999999999999999999999999999999999999",
            "1 000 000 000 000 000,00",
            "1000000000000000",
            "-1000000000000000",
        ] {
            assert_eq!(parse_amount(text), Err(AmountError::TooLarge), "{text}");
        }
        assert_eq!(parse_amount("999999999999999.99"), Ok(Decimal::new(99_999_999_999_999_999, 2)));
        assert_eq!(parse_amount_with_decimal("1.000.000.000.000.000,00", ','), Err(AmountError::TooLarge));
        assert_eq!(parse_minor_units("100000000000000000"), Err(AmountError::TooLarge));
    }

    proptest::proptest! {
        /// Arbitrary text never panics any amount parser, and what they accept is bounded.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,60}", digits in "[0-9., -]{0,60}") {
            for t in [&text, &digits] {
                let results = [parse_amount(t), parse_amount_with_decimal(t, ','), parse_amount_with_decimal(t, '.'), parse_minor_units(t)];
                for v in results.into_iter().flatten() {
                    proptest::prop_assert!(v.abs() < MAX_AMOUNT);
                }
            }
        }

        /// The bound on the mantissa is the bound on the value, at every scale and size, and
        /// right at the edge (10^15 written with any number of decimals).
        #[test]
        fn bounded_on_the_mantissa_is_bounded_on_the_value(
            lo in proptest::prelude::any::<u32>(), mid in proptest::prelude::any::<u32>(),
            hi in proptest::prop_oneof![proptest::prelude::Just(0u32), 0u32..4, proptest::prelude::any::<u32>()],
            negative in proptest::prelude::any::<bool>(), scale in 0u32..=28,
        ) {
            let v = Decimal::from_parts(lo, mid, hi, negative, scale);
            proptest::prop_assert_eq!(bounded(v).is_ok(), v.abs() < MAX_AMOUNT, "{}", v);
            let edge = Decimal::from_i128_with_scale(10i128.pow(15 + scale.min(13)), scale.min(13));
            proptest::prop_assert!(bounded(edge).is_err());
            proptest::prop_assert!(bounded(edge - Decimal::new(1, scale.min(13))).is_ok());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn reads_every_documented_format() {
        for (text, want) in [
            ("1234.50", "1234.50"),
            ("1234,50", "1234.50"),
            ("1 234,50", "1234.50"),
            ("1\u{a0}234,50", "1234.50"),
            ("1\u{2009}234,50", "1234.50"),
            ("1\u{202f}234,50", "1234.50"),
            ("1.234,50", "1234.50"),
            ("1,234.50", "1234.50"),
            ("12 345 678,9", "12345678.9"),
            ("1.234.567", "1234567"),
            ("1,234,567.00", "1234567.00"),
            ("-1 234,50", "-1234.50"),
            ("\u{2212}5", "-5"),
            ("SEK 1 234,50", "1234.50"),
            ("1 234,50 kr", "1234.50"),
            ("1 234,50 kr.", "1234.50"),
            ("1234.50 EUR", "1234.50"),
            ("€12,5", "12.5"),
            ("0", "0"),
            ("0,125", "0.125"),
            ("1234,567", "1234.567"),
            ("100", "100"),
            ("  42,00  ", "42.00"),
        ] {
            assert_eq!(parse_amount(text), Ok(d(want)), "{text:?}");
        }
    }

    #[test]
    fn refuses_to_guess() {
        for text in ["1,234", "1.234", "12,345", "999.000"] {
            assert_eq!(parse_amount(text), Err(AmountError::Ambiguous), "{text:?}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for text in [
            "abc",
            "1.2.3",
            "12 34,50",
            "1,23,45",
            "1.234,5.6",
            ",5",
            "5,",
            "1..2",
            "--5",
            "1 2",
            "1e5",
            "12-",
            "1 234 5",
            "kr",
            "0x10",
            "1,2345.6",
            // Letters that are no currency marker are damage, not a marker to strip.
            "3OO",
            "x300",
            "300 XYZ",
            "ab 5",
            "5 k",
        ] {
            assert!(parse_amount(text).is_err(), "{text:?} should fail");
        }
        assert_eq!(parse_amount("  "), Err(AmountError::Empty));
    }

    #[test]
    fn rounds_half_away_from_zero_once() {
        assert_eq!(format_money(d("2.345")), "2.35");
        assert_eq!(format_money(d("2.355")), "2.36");
        assert_eq!(format_money(d("-2.345")), "-2.35");
        assert_eq!(format_money(d("7")), "7.00");
        assert_eq!(format_money(d("-0.001")), "0.00");
        assert_eq!(format_money_grouped(d("-1234567.5")), "-1 234 567.50");
        assert_eq!(format_money_grouped(d("123")), "123.00");
    }

    fn nordic(cents: i64) -> String {
        let plain = format_money_grouped(Decimal::new(cents, 2));
        plain.replace('.', ",")
    }

    #[test]
    fn amounts_with_a_known_decimal_mark() {
        assert_eq!(parse_amount_with_decimal("1.250", ','), Ok(d("1250")));
        assert_eq!(parse_amount_with_decimal("1250.000", '.'), Ok(d("1250.000")));
        assert_eq!(parse_amount_with_decimal("-34 500,00 kr", ','), Ok(d("-34500.00")));
        assert_eq!(parse_amount_with_decimal("+25,00", ','), Ok(d("25.00")));
        assert_eq!(parse_amount_with_decimal("1,234.5", '.'), Ok(d("1234.5")));
        assert_eq!(parse_amount_with_decimal("1,2,3", ','), Err(AmountError::Malformed));
        assert_eq!(parse_amount_with_decimal("12,", ','), Err(AmountError::Malformed));
        assert_eq!(parse_amount_with_decimal("", ','), Err(AmountError::Empty));
        assert_eq!(parse_minor_units("187550"), Ok(d("1875.50")));
        assert_eq!(parse_minor_units("-5"), Ok(d("-0.05")));
        assert_eq!(parse_minor_units("18.50"), Err(AmountError::Malformed));
    }

    /// The largest amount `parse_amount` accepts, in cents.
    const LARGEST_CENTS: i64 = 99_999_999_999_999_999;

    /// `sum` merged with itself `times` times: 2^times copies of what it holds, as the report's
    /// chunks merge.
    fn doubled(mut sum: MoneySum, times: u32) -> MoneySum {
        for _ in 0..times {
            let copy = sum;
            sum.merge(&copy);
        }
        sum
    }

    /// Issue 10. Before: 2^40 copies of the largest amount (1.1 × 10^30) panicked in `total`
    /// ("Number exceeds maximum value that can be represented"); 2^75 copies panicked in `merge`
    /// ("attempt to add with overflow") in a debug build and wrapped in a release build.
    #[test]
    fn a_sum_past_the_range_is_none_never_a_panic_or_a_wrap() {
        let mut one = MoneySum::default();
        one.add(Decimal::new(LARGEST_CENTS, 2));
        assert_eq!(
            doubled(one, 39).total(),
            Some(Decimal::new(LARGEST_CENTS, 2) * Decimal::from(1u64 << 39))
        );
        assert_eq!(doubled(one, 40).total(), None);
        assert_eq!(doubled(one, 75).total(), None);
        // Wrapped once, then brought back into range by as much again: still past the range.
        let mut back = doubled(one, 75);
        back.merge(&doubled(one, 75));
        assert_eq!(back.total(), None);
        // The finer part is checked too.
        let mut finer = MoneySum::default();
        finer.add(Decimal::MAX - Decimal::ONE);
        finer.add(Decimal::new(1001, 3));
        finer.add(Decimal::MAX);
        assert_eq!(finer.total(), None);
    }

    #[test]
    fn checked_sums_say_when_they_leave_the_range() {
        let mut sum = CheckedSum::default();
        sum.add_product(Decimal::new(LARGEST_CENTS, 2), Decimal::from(3_652_058));
        assert_eq!(sum.total(), Some(Decimal::new(LARGEST_CENTS, 2) * Decimal::from(3_652_058)));
        for _ in 0..25 {
            let copy = sum;
            sum.merge(&copy);
        }
        assert_eq!(sum.total(), None);
        let mut product = CheckedSum::default();
        product.add_product(Decimal::MAX, Decimal::TWO);
        product.add(Decimal::ONE);
        assert_eq!(product.total(), None);
        assert_eq!(checked_sum(&[Decimal::MAX, Decimal::ONE]), None);
        assert_eq!(checked_sum(&[Decimal::MAX, Decimal::NEGATIVE_ONE]), Some(Decimal::MAX - Decimal::ONE));
        let mut total = Decimal::MAX;
        let err = add_to(&mut total, Decimal::ONE, || "the open total of customer \"K1\" in SEK".into());
        assert_eq!(total, Decimal::MAX, "left as it was");
        assert!(
            err.unwrap_err().to_string().starts_with("the open total of customer \"K1\" in SEK is too large")
        );
    }

    proptest! {
        /// Issue 10: sums of in-bound amounts, up to 2^90 copies of them, are the exact sum
        /// or `None` exactly when that passes 2^96 cents; never a panic, never a wrapped figure.
        #[test]
        fn in_bound_sums_are_exact_or_none(
            amounts in proptest::collection::vec((-LARGEST_CENTS..=LARGEST_CENTS, 0u32..3), 1..40),
            times in 0u32..90,
        ) {
            let mut sum = MoneySum::default();
            let mut cents: i128 = 0;
            for &(m, scale) in &amounts {
                let amount = Decimal::new(m / 10i64.pow(2 - scale), scale);
                sum.add(amount);
                cents += i128::from(m / 10i64.pow(2 - scale)) * 10i128.pow(2 - scale);
            }
            let exact = cents.checked_mul(1i128 << times);
            let expected = exact.and_then(|c| Decimal::try_from_i128_with_scale(c, 2).ok());
            prop_assert_eq!(doubled(sum, times).total(), expected);
        }

        /// Any `Decimal` at all (finer than cents, near `Decimal::MAX`): no panic, and when
        /// the cents alone are summed the result is the exact sum or `None`.
        #[test]
        fn any_sum_never_panics(
            amounts in proptest::collection::vec((any::<u64>(), any::<u32>(), any::<bool>(), 0u32..29), 1..20),
        ) {
            let mut sum = MoneySum::default();
            let mut checked = CheckedSum::default();
            let mut cents: Option<i128> = Some(0);
            for &(lo, hi, negative, scale) in &amounts {
                let amount = Decimal::from_parts(lo as u32, (lo >> 32) as u32, hi, negative, scale);
                sum.add(amount);
                checked.add(amount);
                checked.add_product(amount, amount);
                cents = if scale <= 2 {
                    cents.and_then(|c| c.checked_add(amount.mantissa() * 10i128.pow(2 - scale)))
                } else {
                    None
                };
            }
            let _ = checked.total();
            if let Some(cents) = cents {
                prop_assert_eq!(sum.total(), Decimal::try_from_i128_with_scale(cents, 2).ok());
            }
        }

        #[test]
        fn money_sum_is_exact(amounts in proptest::collection::vec((-10_000_000_000i64..10_000_000_000, 0u32..5), 0..50)) {
            let mut sum = MoneySum::default();
            let mut plain = Decimal::ZERO;
            for (m, scale) in amounts {
                let d = Decimal::new(m, scale);
                sum.add(d);
                plain += d;
            }
            prop_assert_eq!(sum.total(), Some(plain));
        }

        /// The grouped form written into a buffer (large tables) is the one made as a String.
        #[test]
        fn grouped_into_a_buffer_is_the_grouped_string(m in any::<i64>(), scale in 0u32..5) {
            let amount = Decimal::new(m, scale);
            let mut out = "x".to_owned();
            write_money_grouped(&mut out, amount);
            prop_assert_eq!(&out[1..], format_money_grouped(amount));
        }

        /// Both forms, against Decimal's own rounding and printing, up to the largest amount a
        /// Decimal holds with two decimals (past 64 bits of cents too).
        #[test]
        fn amounts_are_written_as_their_rounded_decimal(lo in any::<u64>(), hi in 0u64..(1 << 25), scale in 0u32..6, negative in any::<bool>()) {
            let mantissa = (i128::from(hi) << 64 | i128::from(lo)) * if negative { -1 } else { 1 };
            let amount = Decimal::from_i128_with_scale(mantissa, scale);
            let mut rounded = round_money(amount);
            rounded.rescale(2);
            let expected = rounded.to_string();
            let expected = if rounded.is_zero() { "0.00".to_owned() } else { expected };
            prop_assert_eq!(format_money(amount), expected.clone());
            let (sign, rest) = expected.split_once('-').map_or(("", expected.as_str()), |(_, r)| ("-", r));
            let (int, fraction) = rest.split_once('.').unwrap();
            let mut grouped = String::new();
            for (i, c) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push(' ');
                }
                grouped.push(c);
            }
            prop_assert_eq!(format_money_grouped(amount), format!("{sign}{grouped}.{fraction}"));
        }

        #[test]
        fn machine_format_round_trips(cents in -10_000_000_000i64..10_000_000_000) {
            let amount = Decimal::new(cents, 2);
            prop_assert_eq!(parse_amount(&format_money(amount)), Ok(amount));
        }

        #[test]
        fn nordic_format_round_trips(cents in -10_000_000_000i64..10_000_000_000) {
            let amount = Decimal::new(cents, 2);
            prop_assert_eq!(parse_amount(&nordic(cents)), Ok(amount));
        }

        #[test]
        fn never_panics(text in "\\PC{0,24}") {
            let _ = parse_amount(&text);
            let _ = parse_amount_with_decimal(&text, ',');
            let _ = parse_minor_units(&text);
        }

        #[test]
        fn nordic_format_round_trips_with_a_known_decimal(cents in -10_000_000_000i64..10_000_000_000) {
            let amount = Decimal::new(cents, 2);
            prop_assert_eq!(parse_amount_with_decimal(&nordic(cents), ','), Ok(amount));
            prop_assert_eq!(parse_amount_with_decimal(&format_money(amount), '.'), Ok(amount));
        }
    }
}
