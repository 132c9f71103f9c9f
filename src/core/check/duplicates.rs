//! Likely duplicate customers: the same org number, e-mail, or name and postcode.

use super::*;

/// A name without case, punctuation and company form: `Åby Bageri AB` = `ÅBY BAGERI`.
pub fn normalized_name(name: &str) -> String {
    let lower = name.to_lowercase();
    // Written into one string (each customer's name is normalised, some twice).
    let mut normalized = String::with_capacity(lower.len());
    for word in lower.split_whitespace().filter(|w| !COMPANY_FORMS.contains(w)) {
        let before = normalized.len();
        if before > 0 {
            normalized.push(' ');
        }
        let letters = normalized.len();
        normalized.extend(word.chars().filter(|c| c.is_alphanumeric()));
        if normalized.len() == letters {
            normalized.truncate(before); // nothing of the word was a letter or digit
        }
    }
    normalized
}

/// Company forms, as words of a name in lower case.
const COMPANY_FORMS: [&str; 15] =
    ["ab", "hb", "kb", "as", "asa", "aps", "a/s", "i/s", "oy", "oyj", "ky", "ay", "tmi", "enk", "da"];

/// The company form a name carries (`Kjær ApS` → `aps`), if any.
fn company_form(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    lower.split_whitespace().find(|w| COMPANY_FORMS.contains(w)).map(str::to_owned)
}

/// Two names are the same customer's when they are equal once normalised and do not carry
/// different company forms (`Kjær ApS` and `Kjær I/S` are two legal persons; `Åby Bageri`
/// and `Åby Bageri AB` may be one).
pub(super) fn same_name(a: &str, b: &str) -> bool {
    let na = normalized_name(a);
    !na.is_empty()
        && na == normalized_name(b)
        && match (company_form(a), company_form(b)) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

pub(super) fn normalized_org_no(country: &str, org_no: &str) -> String {
    let digits: String = org_no.chars().filter(char::is_ascii_digit).collect();
    // A Swedish 12-digit personnummer (century first) is the same person as its 10-digit form.
    if country.eq_ignore_ascii_case("SE") && digits.len() == 12 { digits[2..].to_owned() } else { digits }
}

pub(super) fn likely_duplicates(ledger: &Ledger, out: &mut Vec<Finding>) {
    let mut by_org: FxHashMap<String, usize> = FxHashMap::default();
    let mut by_email: FxHashMap<String, usize> = FxHashMap::default();
    // (name, postcode) → every customer with them, for the company-form comparison.
    let mut by_name: FxHashMap<(String, String), Vec<usize>> = FxHashMap::default();
    for (i, c) in ledger.customers.iter().enumerate() {
        let mut earlier = EarlierMatches::default();
        if let Some(org) = org_key(c) {
            earlier.org = Some(*by_org.entry(org).or_insert(i)).filter(|&first| first != i);
        }
        if let Some(email) = email_key(c) {
            earlier.email = Some(*by_email.entry(email).or_insert(i)).filter(|&first| first != i);
        }
        if let Some(key) = name_key(c) {
            let seen = by_name.entry(key).or_default();
            earlier.name = seen.iter().copied().find(|&e| same_name(&ledger.customers[e].name, &c.name));
            seen.push(i);
        }
        duplicates_of(ledger, i, earlier, out);
    }
}

/// The first earlier customer with the same org number, e-mail, and name and postcode.
#[derive(Default)]
pub(super) struct EarlierMatches {
    org: Option<usize>,
    email: Option<usize>,
    name: Option<usize>,
}

/// What a customer's org number is compared by: country and digits.
fn org_key(c: &Customer) -> Option<String> {
    let org = c.org_no.as_deref().map(|o| normalized_org_no(&c.country, o)).filter(|o| !o.is_empty())?;
    Some(format!("{}:{org}", c.country))
}

fn email_key(c: &Customer) -> Option<String> {
    c.email.as_deref().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty())
}

/// The normalised name and the postcode's letters and digits, when both are there.
fn name_key(c: &Customer) -> Option<(String, String)> {
    let postcode = c.postcode.as_deref()?;
    let name = normalized_name(&c.name);
    let code: String = postcode.chars().filter(char::is_ascii_alphanumeric).collect();
    (!name.is_empty() && !code.is_empty()).then_some((name, code))
}

/// [`likely_duplicates`]'s matches for the customer at `at` alone: a scan of the customers
/// before it instead of the whole register's maps.
pub(super) fn earlier_matches(ledger: &Ledger, at: usize) -> EarlierMatches {
    let c = &ledger.customers[at];
    let (org, email, name) = (org_key(c), email_key(c), name_key(c));
    let mut earlier = EarlierMatches::default();
    for (e, other) in ledger.customers[..at].iter().enumerate() {
        if earlier.org.is_none() && org.is_some() && org_key(other) == org {
            earlier.org = Some(e);
        }
        if earlier.email.is_none() && email.is_some() && email_key(other) == email {
            earlier.email = Some(e);
        }
        if earlier.name.is_none()
            && name.is_some()
            && name_key(other) == name
            && same_name(&other.name, &c.name)
        {
            earlier.name = Some(e);
        }
    }
    earlier
}

/// The likely-duplicate findings of the customer at `at`, given its earlier matches.
pub(super) fn duplicates_of(ledger: &Ledger, at: usize, earlier: EarlierMatches, out: &mut Vec<Finding>) {
    let c = &ledger.customers[at];
    // Earlier customer → what matched.
    let mut matches: Vec<(usize, Vec<String>)> = Vec::new();
    let mut note = |earlier: Option<usize>, why: String| {
        if let Some(e) = earlier {
            match matches.iter_mut().find(|(m, _)| *m == e) {
                Some((_, whys)) => whys.push(why),
                None => matches.push((e, vec![why])),
            }
        }
    };
    if earlier.org.is_some() {
        note(earlier.org, format!("the same org number {}", c.org_no.as_deref().unwrap_or("")));
    }
    if let Some(email) = earlier.email.and_then(|_| email_key(c)) {
        note(earlier.email, format!("the same e-mail {email}"));
    }
    if let Some(postcode) = c.postcode.as_deref().filter(|_| earlier.name.is_some()) {
        note(earlier.name, format!("the same name and postcode {postcode}"));
    }
    // A shared org number or e-mail with the same name too is all the more likely one customer.
    for (earlier, whys) in matches.iter_mut() {
        let e = &ledger.customers[*earlier];
        if !whys.iter().any(|w| w.starts_with("the same name")) && same_name(&e.name, &c.name) {
            whys.push("the same name".to_owned());
        }
    }
    for (earlier, whys) in matches {
        let e = &ledger.customers[earlier];
        out.push(
            Finding::warning(
                CUSTOMERS,
                c.line,
                "id",
                "likely-duplicate",
                format!(
                    "customer {} looks like customer {} \"{}\" (line {}): {}",
                    c.id,
                    e.id,
                    e.name,
                    e.line,
                    whys.join(", ")
                ),
            )
            .customer(c.id.as_str())
            .hint(format!(
                "merge them if they are one customer; otherwise letters to one may reach the other (customer {})",
                e.id
            )),
        );
    }
}
