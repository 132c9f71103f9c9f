//! Likely duplicate customers: the same org number, e-mail, or name and postcode.

use super::*;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

/// A name without case, punctuation and company form: `Åby Bageri AB` = `ÅBY BAGERI`.
pub fn normalized_name(name: &str) -> String {
    let mut normalized = String::new();
    read_name(name, &mut String::new(), &mut normalized);
    normalized
}

/// Writes `name` normalised (see [`normalized_name`]) into `out` and gives the company form it
/// carries (`Kjær ApS` → `aps`), if any; `word` is room for one word in lower case. Nothing
/// is allocated once the two strings have grown: a register's every name is read this way.
fn read_name(name: &str, word: &mut String, out: &mut String) -> Option<&'static str> {
    out.clear();
    let mut form = None;
    for w in name.split_whitespace() {
        word.clear();
        push_lowercase(w, word);
        if let Some(&found) = COMPANY_FORMS.iter().find(|f| **f == word.as_str()) {
            form = form.or(Some(found));
            continue;
        }
        let before = out.len();
        if before > 0 {
            out.push(' ');
        }
        let letters = out.len();
        // Most words are letters and digits alone, copied as they are (a character at a time
        // was a sixth of the likely duplicates' time, issue #14).
        if word.bytes().all(|b| b.is_ascii_alphanumeric()) || word.chars().all(char::is_alphanumeric) {
            out.push_str(word);
        } else {
            out.extend(word.chars().filter(|c| c.is_alphanumeric()));
        }
        if out.len() == letters {
            out.truncate(before); // nothing of the word was a letter or digit
        }
    }
    form
}

/// Appends `text` in lower case, exactly as `str::to_lowercase` writes it, without a string
/// of its own: character by character, but for a capital sigma, whose lower case depends on
/// where in a word it stands.
pub(super) fn push_lowercase(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
    } else if text.bytes().any(|b| b == SIGMA_LEAD) && text.contains('Σ') {
        out.push_str(&text.to_lowercase());
    } else {
        // A Nordic name's words are ASCII but for a letter or two.
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
}

/// The first byte of Σ in UTF-8 (that of most Greek capitals): a word without it has no Σ.
const SIGMA_LEAD: u8 = 0xCE;

/// Company forms, as words of a name in lower case.
const COMPANY_FORMS: [&str; 15] =
    ["ab", "hb", "kb", "as", "asa", "aps", "a/s", "i/s", "oy", "oyj", "ky", "ay", "tmi", "enk", "da"];

/// Room to compare names in without allocating for each comparison.
#[derive(Default)]
pub(super) struct Names {
    word: String,
    a: String,
    b: String,
}

impl Names {
    /// Two names are the same customer's when they are equal once normalised and do not carry
    /// different company forms (`Kjær ApS` and `Kjær I/S` are two legal persons; `Åby Bageri`
    /// and `Åby Bageri AB` may be one).
    pub(super) fn same(&mut self, a: &str, b: &str) -> bool {
        let form_a = read_name(a, &mut self.word, &mut self.a);
        if self.a.is_empty() {
            return false;
        }
        let form_b = read_name(b, &mut self.word, &mut self.b);
        self.a == self.b
            && match (form_a, form_b) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            }
    }
}

/// [`Names::same`] for one comparison.
#[cfg(test)]
pub(super) fn same_name(a: &str, b: &str) -> bool {
    Names::default().same(a, b)
}

#[cfg(test)]
pub(super) fn normalized_org_no(country: &str, org_no: &str) -> String {
    let mut digits = String::new();
    push_org_digits(country, org_no, &mut digits);
    digits
}

/// Appends the digits an org number is compared by.
fn push_org_digits(country: &str, org_no: &str, out: &mut String) {
    let start = out.len();
    out.extend(org_no.chars().filter(char::is_ascii_digit));
    // A Swedish 12-digit personnummer (century first) is the same person as its 10-digit form.
    if country.eq_ignore_ascii_case("SE") && out.len() - start == 12 {
        out.replace_range(start..start + 2, "");
    }
}

/// The three keys a customer is compared by, each written into a string of its own.
#[derive(Clone, Copy)]
enum Key {
    /// Country and the org number's digits.
    Org,
    /// The e-mail address, trimmed, in lower case.
    Email,
    /// The normalised name and the postcode's letters and digits, when both are there.
    NameAndPostcode,
}

impl Key {
    /// Writes the customer's key into `out` (cleared first); false when it has none.
    fn write(self, c: &Customer, word: &mut String, out: &mut String) -> bool {
        out.clear();
        match self {
            Key::Org => {
                let Some(org) = c.org_no() else { return false };
                out.push_str(c.country());
                out.push(':');
                let digits = out.len();
                push_org_digits(c.country(), org, out);
                out.len() > digits
            }
            Key::Email => {
                let Some(email) = c.email() else { return false };
                push_lowercase(email.trim(), out);
                !out.is_empty()
            }
            Key::NameAndPostcode => {
                let Some(postcode) = c.postcode() else { return false };
                read_name(&c.name, word, out);
                if out.is_empty() {
                    return false;
                }
                // A normalised name holds letters, digits and spaces only: the NUL between
                // it and the postcode cannot be part of either.
                out.push('\0');
                let code = out.len();
                out.extend(postcode.chars().filter(char::is_ascii_alphanumeric));
                out.len() > code
            }
        }
    }
}

/// Room to write an earlier customer's key in and compare it with a customer's.
#[derive(Default)]
pub(super) struct Compare {
    word: String,
    other: String,
    pub(super) names: Names,
}

impl Compare {
    /// Whether `earlier` has the key `key` of `kind` that `c` has, and for the name and
    /// postcode also a name `Names::same` takes for `c`'s.
    fn same(&mut self, kind: Key, earlier: &Customer, c: &Customer, key: &str) -> bool {
        kind.write(earlier, &mut self.word, &mut self.other)
            && self.other == key
            && (!matches!(kind, Key::NameAndPostcode) || self.names.same(&earlier.name, &c.name))
    }
}

/// Customers by the hash of a key, each hash's customers chained in register order: the
/// first earlier customer with the same key is found without a string kept per customer.
struct Chains {
    /// A hash's first and last customer.
    ends: FxHashMap<u64, (u32, u32)>,
    /// The next customer with the same hash (`NONE`: the last).
    next: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl Chains {
    fn new(customers: usize) -> Chains {
        let mut ends = FxHashMap::default();
        ends.reserve(customers);
        Chains { ends, next: vec![NONE; customers] }
    }

    /// The first customer before `at` with this hash for which `same` holds; `at` joins the
    /// hash's chain.
    fn first_same(&mut self, at: usize, hash: u64, mut same: impl FnMut(usize) -> bool) -> Option<usize> {
        let at32 = u32::try_from(at).expect("a register of fewer than 2^32 customers");
        match self.ends.get_mut(&hash) {
            None => {
                self.ends.insert(hash, (at32, at32));
                None
            }
            Some((first, last)) => {
                let mut found = None;
                let mut e = *first;
                while e != NONE {
                    if same(e as usize) {
                        found = Some(e as usize);
                        break;
                    }
                    e = self.next[e as usize];
                }
                self.next[*last as usize] = at32;
                *last = at32;
                found
            }
        }
    }
}

pub(super) fn likely_duplicates(ledger: &Ledger, out: &mut FindingList) {
    let hasher = FxBuildHasher;
    likely_duplicates_hashed(ledger, |key| hasher.hash_one(key), out);
}

/// [`likely_duplicates`] with the hash given, so that a test can make every key collide.
pub(super) fn likely_duplicates_hashed(ledger: &Ledger, hash: impl Fn(&str) -> u64, out: &mut FindingList) {
    let customers = &ledger.customers;
    let keys = [Key::Org, Key::Email, Key::NameAndPostcode];
    let mut chains = keys.map(|_| Chains::new(customers.len()));
    let (mut word, mut key) = (String::new(), String::new());
    let mut compare = Compare::default();
    for (i, c) in customers.iter().enumerate() {
        let mut found = [None; 3];
        for ((&kind, chain), found) in keys.iter().zip(&mut chains).zip(&mut found) {
            if !kind.write(c, &mut word, &mut key) {
                continue;
            }
            // A hash is only a hint: the keys themselves are compared, and the names too.
            *found = chain.first_same(i, hash(&key), |e| compare.same(kind, &customers[e], c, &key));
        }
        let [org, email, name] = found;
        duplicates_of(ledger, i, EarlierMatches { org, email, name }, &mut compare.names, out);
    }
}

/// The first earlier customer with the same org number, e-mail, and name and postcode.
#[derive(Default)]
pub(super) struct EarlierMatches {
    org: Option<usize>,
    email: Option<usize>,
    name: Option<usize>,
}

/// [`likely_duplicates`]'s matches for the customer at `at` alone: a scan of the customers
/// before it instead of the whole register's maps.
pub(super) fn earlier_matches(ledger: &Ledger, at: usize, compare: &mut Compare) -> EarlierMatches {
    let c = &ledger.customers[at];
    let mut key = String::new();
    let [org, email, name] = [Key::Org, Key::Email, Key::NameAndPostcode].map(|kind| {
        if !kind.write(c, &mut compare.word, &mut key) {
            return None;
        }
        ledger.customers[..at].iter().position(|earlier| compare.same(kind, earlier, c, &key))
    });
    EarlierMatches { org, email, name }
}

/// What a customer shares with an earlier one, in the order a finding names them.
#[derive(Clone, Copy)]
enum Shared {
    Org = 1,
    Email = 2,
    NameAndPostcode = 4,
    Name = 8,
}

const SHARED: [Shared; 4] = [Shared::Org, Shared::Email, Shared::NameAndPostcode, Shared::Name];

/// The likely-duplicate findings of the customer at `at`, given its earlier matches.
pub(super) fn duplicates_of(
    ledger: &Ledger,
    at: usize,
    earlier: EarlierMatches,
    names: &mut Names,
    out: &mut FindingList,
) {
    // Earlier customer → what it shares (a set of `Shared`), in the order first matched: at
    // most three, kept without a list of strings each (a quarter of the likely duplicates' time
    // on a register with many went to allocating those, issue #14).
    let mut matches: [(usize, u8); 3] = [(0, 0); 3];
    let mut found = 0;
    let c = &ledger.customers[at];
    let postcode = c.postcode().filter(|_| earlier.name.is_some());
    for (e, shared) in [
        (earlier.org, Shared::Org),
        (earlier.email, Shared::Email),
        (postcode.and(earlier.name), Shared::NameAndPostcode),
    ] {
        let Some(e) = e else { continue };
        match matches[..found].iter_mut().find(|(m, _)| *m == e) {
            Some((_, set)) => *set |= shared as u8,
            None => {
                matches[found] = (e, shared as u8);
                found += 1;
            }
        }
    }
    if found == 0 {
        return;
    }
    let mut email = String::new();
    if earlier.email.is_some() {
        Key::Email.write(c, &mut String::new(), &mut email);
    }
    for &(e, mut set) in &matches[..found] {
        let e = &ledger.customers[e];
        // A shared org number or e-mail with the same name too is all the more likely one
        // customer.
        if set & Shared::NameAndPostcode as u8 == 0 && names.same(&e.name, &c.name) {
            set |= Shared::Name as u8;
        }
        let mut what_is_shared = String::new();
        for (n, shared) in SHARED.into_iter().filter(|s| set & *s as u8 != 0).enumerate() {
            if n > 0 {
                what_is_shared.push_str(", ");
            }
            let (what, value) = match shared {
                Shared::Org => ("the same org number ", c.org_no().unwrap_or("")),
                Shared::Email => ("the same e-mail ", email.as_str()),
                Shared::NameAndPostcode => ("the same name and postcode ", postcode.unwrap_or("")),
                Shared::Name => ("the same name", ""),
            };
            what_is_shared.push_str(what);
            what_is_shared.push_str(value);
        }
        // Kept as the words and what goes in them: a register with many has tens of thousands.
        let mut line = itoa::Buffer::new();
        let parts = [c.id.as_str(), e.id.as_str(), e.name.as_str(), line.format(e.line), &what_is_shared];
        out.push_made(Made {
            customer: Some(c.id.as_str()),
            hint: Some(Wording::Made(
                "merge them if they are one customer; otherwise letters to one may reach the other (customer \0)",
                &[e.id.as_str()],
            )),
            ..Made::warning(
                (CUSTOMERS, c.line, "id"),
                "likely-duplicate",
                Wording::Made("customer \0 looks like customer \0 \"\0\" (line \0): \0", &parts),
            )
        });
    }
}
