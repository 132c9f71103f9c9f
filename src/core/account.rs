//! The company's bank details (SPEC section 5 `[company]`, section 9 payment details): which of
//! them a debtor can pay to, and whether they are well-formed — a bankgiro or plusgiro number
//! by its Luhn digit, an IBAN by ISO 13616 MOD 97-10 and its country's length, a BIC by ISO
//! 9362's shape, a Norwegian account by its MOD 11 digit, Danish and Finnish domestic accounts
//! by their format (and Finland's Luhn digit).
//!
//! A bank file names the account it was paid into; [`is_company_account`] tells whether that is
//! one of these (`dun import` warns when it is not).
//!
//! Two kinds of details: domestic ones (bankgiro, plusgiro, a domestic account number), which
//! only a payer in the account's country paying in its currency can use, and IBAN with BIC,
//! which any bank can pay to. The company's main details (`company.bankgiro`, ...) are in the
//! company's currency and country; `[[company.accounts]]` adds one set per further currency.

use std::collections::HashSet;

use super::policy::{Company, Policy};
use super::reference::{validate_bankgiro, validate_plusgiro};

/// One set of payment details: the main ones or one of `[[company.accounts]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account<'a> {
    /// ISO 4217 code of the money it takes.
    pub currency: &'a str,
    /// ISO 3166 code of the bank: the IBAN's, else the currency's own country (NOK → NO), else
    /// the company's.
    pub country: String,
    pub bankgiro: Option<&'a str>,
    pub plusgiro: Option<&'a str>,
    pub account: Option<&'a str>,
    pub iban: Option<&'a str>,
    pub bic: Option<&'a str>,
}

impl Account<'_> {
    fn domestic(&self) -> Vec<(&'static str, &str)> {
        [("bankgiro", self.bankgiro), ("plusgiro", self.plusgiro), ("account", self.account)]
            .into_iter()
            .filter_map(|(kind, value)| value.map(|v| (kind, v)))
            .collect()
    }

    fn international(&self) -> Vec<(&'static str, &str)> {
        [("iban", self.iban), ("bic", self.bic)]
            .into_iter()
            .filter_map(|(kind, value)| value.map(|v| (kind, v)))
            .collect()
    }
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The IBAN's country (`SE45…` → `SE`), if it starts with two letters.
fn iban_country(iban: &str) -> Option<String> {
    let head: String = iban.trim().chars().take(2).collect();
    (head.len() == 2 && head.chars().all(|c| c.is_ascii_alphabetic())).then(|| head.to_ascii_uppercase())
}

/// The country of an account's bank: its IBAN's, else the one whose currency it takes (a NOK
/// account without IBAN is Norwegian), else the company's.
fn account_country(iban: Option<&str>, currency: &str, company_country: &str) -> String {
    let by_currency = match currency.trim().to_ascii_uppercase().as_str() {
        "SEK" => Some("SE"),
        "NOK" => Some("NO"),
        "DKK" => Some("DK"),
        "ISK" => Some("IS"),
        "GBP" => Some("GB"),
        _ => None,
    };
    iban.and_then(iban_country)
        .or_else(|| by_currency.map(str::to_owned))
        .unwrap_or_else(|| company_country.to_owned())
}

/// Every set of payment details the policy gives: the main ones first (when it has any), then
/// `[[company.accounts]]` in file order.
pub fn accounts(policy: &Policy) -> Vec<Account<'_>> {
    let company: &Company = &policy.file.company;
    let main = Account {
        currency: policy.currency.as_str(),
        country: policy.country.clone(),
        bankgiro: present(&company.bankgiro),
        plusgiro: present(&company.plusgiro),
        account: present(&company.account),
        iban: present(&company.iban),
        bic: present(&company.bic),
    };
    let has_main = !main.domestic().is_empty() || !main.international().is_empty();
    let extra = company.accounts.iter().flatten().map(|a| {
        let iban = present(&a.iban);
        Account {
            currency: a.currency.as_str(),
            country: account_country(iban, &a.currency, &policy.country),
            bankgiro: present(&a.bankgiro),
            plusgiro: present(&a.plusgiro),
            account: present(&a.account),
            iban,
            bic: present(&a.bic),
        }
    });
    has_main.then_some(main).into_iter().chain(extra).collect()
}

/// What a debtor in `country` paying in `currency` is told to pay to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayTo {
    /// `(kind, value)`: `bankgiro`, `plusgiro`, `account_SE` (the account's country), `iban`,
    /// `bic`, in the order printed.
    pub details: Vec<(String, String)>,
    /// Why these details may not reach the debtor, when they may not.
    pub problem: Option<String>,
}

/// The details for a letter in `currency` to a debtor in `debtor_country`: the account in that
/// currency (else the main one); its domestic details when the debtor is in the account's
/// country, else its IBAN and BIC (a payer abroad cannot use a bankgiro or a domestic account
/// number); and a problem when nothing fits.
pub fn pay_to(policy: &Policy, currency: &str, debtor_country: &str) -> PayTo {
    let all = accounts(policy);
    let in_currency = all.iter().find(|a| a.currency.eq_ignore_ascii_case(currency));
    let Some(account) = in_currency.or_else(|| all.first()) else {
        return PayTo {
            details: Vec::new(),
            problem: Some(
                "the policy gives no payment details (company.bankgiro, company.iban, ...)".to_owned(),
            ),
        };
    };
    let home = account.country.eq_ignore_ascii_case(debtor_country.trim());
    let named = |pairs: Vec<(&'static str, &str)>| -> Vec<(String, String)> {
        pairs
            .into_iter()
            .map(|(kind, value)| {
                let kind = if kind == "account" {
                    format!("account_{}", account_scheme(&account.country))
                } else {
                    kind.to_owned()
                };
                (kind, value.to_owned())
            })
            .collect()
    };
    let (domestic, international) = (account.domestic(), account.international());
    let mut problem = None;
    let details = if in_currency.is_none() {
        problem = Some(format!(
            "no account takes {currency}: add a [[company.accounts]] with currency = \"{currency}\""
        ));
        named(if international.is_empty() { domestic } else { international })
    } else if home && !domestic.is_empty() {
        named(domestic)
    } else if account.iban.is_some() {
        named(international)
    } else {
        problem = Some(format!(
            "a payer in {debtor_country} cannot use {} (domestic details of {}): add an IBAN and BIC for {currency}",
            domestic.iter().map(|(kind, value)| format!("{kind} {value}")).collect::<Vec<_>>().join(", "),
            account.country
        ));
        named(domestic)
    };
    let problem = problem.or_else(|| {
        (account.iban.is_some() && account.bic.is_none() && !home)
            .then(|| "an IBAN without a BIC: payers outside SEPA need the BIC (company.bic)".to_owned())
    });
    PayTo { details, problem }
}

/// The key of a domestic account by its bank's country: `SE`, `NO`, `DK`, `FI` or `other`.
fn account_scheme(country: &str) -> &'static str {
    match country.to_ascii_uppercase().as_str() {
        "SE" => "SE",
        "NO" => "NO",
        "DK" => "DK",
        "FI" => "FI",
        _ => "other",
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// What is wrong with one of the company's payment details, as `(policy key, message)`.
pub fn detail_problems(policy: &Policy) -> Vec<(String, String)> {
    let company = &policy.file.company;
    let mut out = Vec::new();
    let mut check = |key: String, value: &Option<String>, problem: &dyn Fn(&str) -> Option<String>| {
        if let Some(v) = present(value)
            && let Some(p) = problem(v)
        {
            out.push((key, format!("\"{v}\" {p}")));
        }
    };
    let bankgiro = |v: &str| {
        (!validate_bankgiro(v))
            .then(|| "is not a bankgiro number: 7 or 8 digits with a valid check digit (Luhn)".to_owned())
    };
    let plusgiro = |v: &str| {
        (!validate_plusgiro(v))
            .then(|| "is not a plusgiro number: 2 to 8 digits with a valid check digit (Luhn)".to_owned())
    };
    let main_country = policy.country.clone();
    let account = move |country: String| move |v: &str| account_problem(&country, v);
    check("company.bankgiro".into(), &company.bankgiro, &bankgiro);
    check("company.plusgiro".into(), &company.plusgiro, &plusgiro);
    check("company.account".into(), &company.account, &account(main_country.clone()));
    check("company.iban".into(), &company.iban, &iban_problem);
    check("company.bic".into(), &company.bic, &bic_problem);
    for (index, extra) in company.accounts.iter().flatten().enumerate() {
        let key = |field: &str| format!("company.accounts[{index}].{field}");
        let country = account_country(present(&extra.iban), &extra.currency, &main_country);
        check(key("bankgiro"), &extra.bankgiro, &bankgiro);
        check(key("plusgiro"), &extra.plusgiro, &plusgiro);
        check(key("account"), &extra.account, &account(country));
        check(key("iban"), &extra.iban, &iban_problem);
        check(key("bic"), &extra.bic, &bic_problem);
    }
    out
}

/// IBAN lengths (ISO 13616 registry) of the countries a Nordic business banks with most.
const IBAN_LENGTHS: [(&str, usize); 24] = [
    ("AT", 20),
    ("BE", 16),
    ("CH", 21),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GL", 18),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("SE", 24),
    ("AX", 18),
];

/// What is wrong with an IBAN, or `None`: letters and digits only (spaces allowed), a country
/// code, the country's length where known (15 to 34 otherwise), and MOD 97-10 remainder 1.
pub fn iban_problem(text: &str) -> Option<String> {
    let compact: String =
        text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Some("is not an IBAN: only letters, digits and spaces belong in one".to_owned());
    }
    let bytes = compact.as_bytes();
    if bytes.len() < 5
        || !bytes[..2].iter().all(u8::is_ascii_alphabetic)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
    {
        return Some(
            "is not an IBAN: it starts with a country code and two check digits (SE45 …)".to_owned(),
        );
    }
    let country = &compact[..2];
    match IBAN_LENGTHS.iter().find(|(code, _)| *code == country) {
        Some((_, length)) if compact.len() != *length => {
            return Some(format!("has {} characters; a {country} IBAN has {length}", compact.len()));
        }
        None if !(15..=34).contains(&compact.len()) => {
            return Some(format!("has {} characters; an IBAN has 15 to 34", compact.len()));
        }
        _ => {}
    }
    // MOD 97-10: the first four characters moved to the end, letters as 10..35.
    let mut remainder: u32 = 0;
    for c in compact[4..].chars().chain(compact[..4].chars()) {
        let value = c.to_digit(36).unwrap_or(0);
        remainder = if value >= 10 { (remainder * 100 + value) % 97 } else { (remainder * 10 + value) % 97 };
    }
    (remainder != 1)
        .then(|| "fails the IBAN check digits (MOD 97-10): a digit is wrong or two are swapped".to_owned())
}

/// What is wrong with a BIC, or `None`: 8 or 11 characters, four letters for the bank, a
/// country code, two letters or digits for the place, three for an optional branch.
pub fn bic_problem(text: &str) -> Option<String> {
    let bic = text.trim().to_ascii_uppercase();
    let bytes = bic.as_bytes();
    let shape = (bytes.len() == 8 || bytes.len() == 11)
        && bytes[..6].iter().all(u8::is_ascii_alphabetic)
        && bytes[6..].iter().all(u8::is_ascii_alphanumeric);
    (!shape).then(|| "is not a BIC: 8 or 11 letters and digits, e.g. ESSESESS or DNBANOKKXXX".to_owned())
}

/// What is wrong with a domestic account number of `country`, or `None` (an IBAN written there
/// is checked as an IBAN).
pub fn account_problem(country: &str, text: &str) -> Option<String> {
    if iban_country(text).is_some() && text.trim().len() > 4 {
        return iban_problem(text);
    }
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-');
    if !text.chars().all(allowed) {
        return Some("is not an account number: digits, with spaces, dots or hyphens".to_owned());
    }
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    match country.to_ascii_uppercase().as_str() {
        "NO" => norwegian_account_problem(&digits),
        "DK" => danish_account_problem(text, &digits),
        "FI" => finnish_account_problem(text),
        "SE" => (!(8..=16).contains(&digits.len())).then(|| {
            format!("has {} digits; a Swedish clearing and account number has 8 to 16", digits.len())
        }),
        _ => None,
    }
}

/// Norwegian kontonummer: 11 digits, the last a MOD 11 check digit (weights 5 4 3 2 7 6 5 4 3
/// 2); a remainder that would need the digit 10 makes no valid number.
fn norwegian_account_problem(digits: &[u32]) -> Option<String> {
    if digits.len() != 11 {
        return Some(format!(
            "has {} digits; a Norwegian account number has 11 (1234.56.78903)",
            digits.len()
        ));
    }
    const WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return Some("fails the MOD 11 check digit of a Norwegian account number".to_owned()),
        other => other,
    };
    (check != digits[10]).then(|| "fails the MOD 11 check digit of a Norwegian account number".to_owned())
}

/// Danish reg.nr. (4 digits) and kontonummer (up to 10): `1234-0001234567`, `1234 1234567`, or
/// 14 digits in one. Banks check their own account digits; the format is what can be checked
/// here.
fn danish_account_problem(text: &str, digits: &[u32]) -> Option<String> {
    let parts: Vec<&str> = text.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    let ok = match parts.as_slice() {
        [reg, account] => reg.len() == 4 && (1..=10).contains(&account.len()),
        [one] => one.len() == 14,
        _ => false,
    };
    (!ok || digits.len() > 14).then(|| {
        "is not a Danish reg.nr. and account number: 4 digits, then up to 10 (1234-0001234567)".to_owned()
    })
}

/// Finnish domestic account (`123456-785`, the pre-IBAN form): 6 digits, a hyphen, 2 to 8
/// digits, made 14 digits by zeros after the 6th digit (after the 7th for banks starting with
/// 4 or 5), Luhn over all 14. Finnish banks give IBANs now; `FI21 1234 5600 0007 85` is checked
/// as one.
fn finnish_account_problem(text: &str) -> Option<String> {
    let shape = "is not a Finnish account number: give the IBAN (FI21 1234 5600 0007 85), or 6 digits, a hyphen and 2 to 8 digits";
    let Some((bank, rest)) = text.trim().split_once('-') else { return Some(shape.to_owned()) };
    if bank.len() != 6
        || !(2..=8).contains(&rest.len())
        || !bank.chars().chain(rest.chars()).all(|c| c.is_ascii_digit())
    {
        return Some(shape.to_owned());
    }
    let zeros = "0".repeat(14 - 6 - rest.len());
    let full = if bank.starts_with(['4', '5']) {
        format!("{}{}{zeros}{}", bank, &rest[..1], &rest[1..])
    } else {
        format!("{bank}{zeros}{rest}")
    };
    let digits: Vec<u32> = full.chars().filter_map(|c| c.to_digit(10)).collect();
    (!luhn(&digits)).then(|| "fails the check digit of a Finnish account number".to_owned())
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum.is_multiple_of(10)
}

/// The forms one account number can be compared in: upper-case letters and digits only, leading
/// zeros dropped (BgMax pads a bankgiro to 10 digits); an IBAN also as its domestic part (a
/// Finnish IBAN holds the 14-digit machine form KTL names, a Norwegian one the 11 digits Nets
/// names, a Danish one reg.nr. and the 10-digit account); a Finnish short form `123456-785` also
/// as its machine form, a Danish `1234-1234567` also with the account padded to 10 digits.
fn comparable_forms(text: &str) -> Vec<String> {
    let compact: String =
        text.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase();
    let unpadded = |s: &str| s.trim_start_matches('0').to_owned();
    let mut forms = Vec::new();
    if iban_country(&compact).is_some() && compact.len() > 4 {
        forms.push(unpadded(&compact[4..]));
        forms.push(compact);
    } else {
        forms.push(unpadded(&compact));
    }
    let parts: Vec<&str> = text.trim().split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    if let [head, tail] = parts.as_slice()
        && head.chars().chain(tail.chars()).all(|c| c.is_ascii_digit())
    {
        if head.len() == 6 && (2..=8).contains(&tail.len()) {
            forms.push(unpadded(&finnish_machine_form(head, tail)));
        }
        if head.len() == 4 && tail.len() < 10 {
            forms.push(unpadded(&format!("{head}{tail:0>10}")));
        }
    }
    forms.retain(|f| !f.is_empty());
    forms
}

/// A Finnish account's 14-digit machine form: savings and co-operative banks (group 4 and 5)
/// keep the first digit after the hyphen before the zeros, all others put the zeros right
/// after the six-digit bank part.
fn finnish_machine_form(head: &str, tail: &str) -> String {
    let (bank, rest) = if head.starts_with(['4', '5']) {
        (format!("{head}{}", &tail[..1]), &tail[1..])
    } else {
        (head.to_owned(), tail)
    };
    format!("{bank}{rest:0>width$}", width = 14 - bank.len())
}

/// Whether an account a bank file names (BgMax's payee bankgiro, Nets' assignment account,
/// camt's `Acct/Id`, KTL's account) is one of the company's: its bankgiro, plusgiro, account or
/// IBAN, main or in `[[company.accounts]]`, compared in every form of `comparable_forms`.
/// `None` when the policy gives no details to compare with, or `named` is blank.
pub fn is_company_account(policy: &Policy, named: &str) -> Option<bool> {
    let theirs = comparable_forms(named);
    let ours: HashSet<String> = accounts(policy)
        .iter()
        .flat_map(|a| [a.bankgiro, a.plusgiro, a.account, a.iban])
        .flatten()
        .flat_map(comparable_forms)
        .collect();
    if ours.is_empty() || theirs.is_empty() {
        return None;
    }
    Some(theirs.iter().any(|f| ours.contains(f)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::Policy;

    fn policy(company: &str) -> Policy {
        let text = format!("[company]\nname = \"X AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n{company}");
        Policy::from_toml(&text).unwrap()
    }

    #[test]
    fn ibans() {
        assert_eq!(iban_problem("SE45 5000 0000 0583 9825 7466"), None);
        assert_eq!(iban_problem("NO93 8601 1117 947"), None);
        assert_eq!(iban_problem("DK50 0040 0440 1162 43"), None);
        assert_eq!(iban_problem("FI21 1234 5600 0007 85"), None);
        assert_eq!(iban_problem("GB29 NWBK 6016 1331 9268 19"), None);
        assert!(iban_problem("SE45 5000 0000 0583 9825 7467").unwrap().contains("MOD 97"));
        assert!(iban_problem("SE45 5000 0000 0583 9825 746").unwrap().contains("a SE IBAN has 24"));
        assert!(iban_problem("5000 0000 0583").unwrap().contains("country code"));
        assert!(iban_problem("SE45-5000").unwrap().contains("only letters"));
    }

    #[test]
    fn bics() {
        assert_eq!(bic_problem("ESSESESS"), None);
        assert_eq!(bic_problem("dnbanokkxxx"), None);
        assert!(bic_problem("ESSE SESS").is_some());
        assert!(bic_problem("ESSESE").is_some());
    }

    #[test]
    fn norwegian_danish_finnish_accounts() {
        assert_eq!(account_problem("NO", "8601.11.17947"), None);
        assert!(account_problem("NO", "8601.11.17948").unwrap().contains("MOD 11"));
        assert!(account_problem("NO", "8601.11.1794").unwrap().contains("has 10 digits"));
        assert_eq!(account_problem("DK", "0040-0440116243"), None);
        assert_eq!(account_problem("DK", "1234 1234567"), None);
        assert!(account_problem("DK", "12345-1234567").is_some());
        assert_eq!(account_problem("FI", "123456-785"), None);
        assert!(account_problem("FI", "123456-786").unwrap().contains("check digit"));
        assert!(account_problem("FI", "1234567").is_some());
        assert_eq!(account_problem("FI", "FI21 1234 5600 0007 85"), None);
        assert_eq!(account_problem("SE", "5000-12 345 67"), None);
        assert!(account_problem("SE", "12").is_some());
    }

    /// Issue 13, finding 3: a bankgiro failing its check digit, a bad IBAN, a bad Norwegian
    /// account were printed on every letter without a word.
    #[test]
    fn the_companys_own_details_are_checked() {
        let p = policy(
            "bankgiro = \"5050-1056\"\niban = \"SE45 5000 0000 0583 9825 7467\"\nbic = \"ESSESESS\"\n\
             [[company.accounts]]\ncurrency = \"NOK\"\naccount = \"8601.11.17948\"\niban = \"NO93 8601 1117 947\"\n",
        );
        let keys: Vec<String> = detail_problems(&p).into_iter().map(|(key, _)| key).collect();
        assert_eq!(keys, ["company.bankgiro", "company.iban", "company.accounts[0].account"]);
        assert!(detail_problems(&policy("bankgiro = \"5050-1055\"\n")).is_empty());
    }

    fn kinds(pay: &PayTo) -> Vec<&str> {
        pay.details.iter().map(|(kind, _)| kind.as_str()).collect()
    }

    /// Issue 13, finding 2: letters abroad carried only the bankgiro.
    #[test]
    fn a_debtor_abroad_gets_iban_and_bic() {
        let p = policy(
            "bankgiro = \"5050-1055\"\niban = \"SE45 5000 0000 0583 9825 7466\"\nbic = \"ESSESESS\"\n",
        );
        assert_eq!(kinds(&pay_to(&p, "SEK", "SE")), ["bankgiro"]);
        let abroad = pay_to(&p, "SEK", "FI");
        assert_eq!(kinds(&abroad), ["iban", "bic"]);
        assert_eq!(abroad.problem, None);
        // Only a bankgiro: the Finnish payer cannot pay, and check says so.
        let only_bankgiro = policy("bankgiro = \"5050-1055\"\n");
        let stuck = pay_to(&only_bankgiro, "SEK", "FI");
        assert_eq!(kinds(&stuck), ["bankgiro"]);
        assert!(stuck.problem.unwrap().contains("cannot use bankgiro 5050-1055"));
    }

    #[test]
    fn an_account_per_currency() {
        let p = policy(
            "bankgiro = \"5050-1055\"\n\
             [[company.accounts]]\ncurrency = \"EUR\"\niban = \"FI21 1234 5600 0007 85\"\nbic = \"NDEAFIHH\"\n\
             [[company.accounts]]\ncurrency = \"NOK\"\naccount = \"8601.11.17947\"\niban = \"NO93 8601 1117 947\"\nbic = \"DNBANOKK\"\n",
        );
        assert_eq!(
            kinds(&pay_to(&p, "EUR", "FI")),
            ["iban", "bic"],
            "a Finnish account has no domestic details"
        );
        assert_eq!(kinds(&pay_to(&p, "EUR", "SE")), ["iban", "bic"]);
        assert_eq!(kinds(&pay_to(&p, "NOK", "NO")), ["account_NO"]);
        assert_eq!(kinds(&pay_to(&p, "NOK", "DK")), ["iban", "bic"]);
        assert_eq!(pay_to(&p, "NOK", "NO").details[0].1, "8601.11.17947");
        let usd = pay_to(&p, "USD", "US");
        assert!(usd.problem.unwrap().contains("no account takes USD"));
        assert!(pay_to(&policy(""), "SEK", "SE").problem.unwrap().contains("no payment details"));
    }

    /// The forms bank files write the receiving account in, against the policy's forms.
    #[test]
    fn a_bank_files_account_is_the_companys_in_any_of_its_forms() {
        let se = policy("bankgiro = \"991-2346\"\nplusgiro = \"90 20 03-3\"\n");
        assert_eq!(is_company_account(&se, "0009912346"), Some(true));
        assert_eq!(is_company_account(&se, "0000902003 3"), Some(true));
        assert_eq!(is_company_account(&se, "0050501055"), Some(false));
        let no = policy("[[company.accounts]]\ncurrency = \"NOK\"\naccount = \"8601.11.17947\"\n");
        assert_eq!(is_company_account(&no, "86011117947"), Some(true));
        assert_eq!(is_company_account(&no, "NO9386011117947"), Some(true));
        assert_eq!(is_company_account(&no, "99991111111"), Some(false));
        let no_iban = policy("[[company.accounts]]\ncurrency = \"NOK\"\niban = \"NO93 8601 1117 947\"\n");
        assert_eq!(is_company_account(&no_iban, "86011117947"), Some(true));
        // KTL names the 14-digit machine form; a Finnish IBAN holds it, the short form expands
        // to it (zeros after the sixth digit, or after the seventh for groups 4 and 5).
        let fi_iban = policy("iban = \"FI21 1234 5600 0007 85\"\n");
        assert_eq!(is_company_account(&fi_iban, "12345600000785"), Some(true));
        assert_eq!(is_company_account(&fi_iban, "FI2112345600000785"), Some(true));
        assert_eq!(is_company_account(&fi_iban, "29501800000014"), Some(false));
        assert_eq!(is_company_account(&policy("account = \"123456-785\"\n"), "12345600000785"), Some(true));
        assert_eq!(is_company_account(&policy("account = \"423456-785\"\n"), "42345670000085"), Some(true));
        assert_eq!(is_company_account(&policy("account = \"423456-785\"\n"), "42345600000785"), Some(false));
        let dk = policy("account = \"0040 440116243\"\n");
        assert_eq!(is_company_account(&dk, "DK5000400440116243"), Some(true));
        // Nothing to compare with: no answer, and no warning.
        assert_eq!(is_company_account(&policy(""), "0009912346"), None);
        assert_eq!(is_company_account(&se, " "), None);
    }
}
