//! Matching incoming bank payments to invoices. Pure: the command loads the ledger and the bank
//! files, builds [`Candidate`]s and [`Incoming`] payments, and records what comes back.
//!
//! **Which open amounts.** The caller gives each invoice's open amount as the ledger stands on
//! the *later* of the as-of date and the newest payment being imported: every payment already
//! in `payments.csv` counts, whatever its date, so a payment recorded by hand after the bank's
//! booking date is never applied a second time, and an invoice issued between the payment and
//! the import can still be found by its reference. Payments are then taken in date order (file
//! order within a day) and each one lowers what the next one sees.
//!
//! **The rules, in order**; the first that is certain wins and is recorded with the payment:
//!
//! 1. `reference`: every structured reference of the payment (OCR, KID, FIK, viitenumero, RF)
//!    names an invoice. A reference is trusted when its check digit is valid under some scheme
//!    ([`detect_reference`]); it then matches an invoice's stored reference or the one the
//!    policy's `reminder.reference` generates for it, compared without spaces, hyphens, case,
//!    leading zeros (banks pad viitenumero and FIK ids) or the Danish `71/` card-type prefix;
//!    a valid RF also matches by its body (the Finnish RF built from a viitenumero). A reference
//!    that fails every check digit is matched only when it is *exactly* (spaces, hyphens and case
//!    aside) an invoice's stored reference: a typo that happens to fit another invoice must not.
//!    References the bank marks negative (credit notes the payer deducted) are not targets.
//! 2. `invoice-number`: the number of an open invoice (3 characters or more) stands in the
//!    remittance text or in a reference that named nothing, as a word of its own (`Faktura
//!    1017`, `Faktura1017`, `1017, 1018`), not inside a longer number, date or amount.
//! 3. `amount`: exactly one open invoice of the payment's amount whose customer's name (less a
//!    legal form such as AB, AS, ApS, Oy) appears, word for word, in the payer's name; or one
//!    customer whose name appears and whose open invoices add up to the amount exactly.
//!
//! **Splits.** One invoice takes the whole payment: less than open is a part payment, more is an
//! overpayment whose excess stays on the invoice, where the ledger shows it as a credit of the
//! customer (an invoice paid more than its amount is a credit, see `ledger.rs`). Several
//! invoices: the payment equals what they have open → each is settled; else the bank's
//! per-reference amounts add up to the payment → each gets its amount; else the payment is
//! more than they have open and they are all one customer's → each is settled and the excess
//! stays on the last one as a credit. Anything else (less than open on several invoices, or
//! invoices of several customers that do not add up) is not certain and goes unmatched.
//!
//! Every payment is either matched whole or unmatched whole, so the amounts applied plus the
//! amounts unmatched always equal the payments' total (a property test checks it).

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::model::Currency;
use super::money::format_money;
use super::reference::{RefKind, detect_reference, normalize_reference, validate_reference};

/// How a payment was matched; written to `payments.csv`'s `matched_by` and the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Reference,
    InvoiceNumber,
    Amount,
    Manual,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::Reference => "reference",
            Rule::InvoiceNumber => "invoice-number",
            Rule::Amount => "amount",
            Rule::Manual => "manual",
        }
    }
}

/// An invoice a payment may be for.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub number: String,
    pub customer: String,
    pub customer_name: String,
    pub currency: Currency,
    pub due: NaiveDate,
    /// Open on the matching date; zero (or less) when settled. Reference matches may still
    /// land on a settled invoice: the customer paid twice, and that is a credit.
    pub open: Decimal,
    /// The reference stored in `invoices.csv`.
    pub stored_reference: Option<String>,
    /// The reference the customer was given: the stored one, else the one the policy generates
    /// (`letters::compose::payment_reference`).
    pub reference: Option<String>,
}

/// One incoming payment, as the bank file gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    pub txid: String,
    pub date: NaiveDate,
    /// Positive.
    pub amount: Decimal,
    pub currency: Currency,
    pub references: Vec<String>,
    /// Parallel to `references` where the file gives amounts; negative for a credit note.
    pub reference_amounts: Vec<Option<Decimal>>,
    pub message: Option<String>,
    pub payer: Option<String>,
}

/// What one payment puts on one invoice.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    pub invoice: String,
    pub customer: String,
    pub amount: Decimal,
    /// What was open on the invoice just before.
    pub open_before: Decimal,
    /// The payment reference that named the invoice, if one did.
    pub reference: Option<String>,
}

impl Allocation {
    /// Still open on the invoice afterwards (negative: a credit of the customer).
    pub fn open_after(&self) -> Decimal {
        self.open_before - self.amount
    }

    /// Paid beyond what was open: a credit of the customer.
    pub fn excess(&self) -> Decimal {
        (self.amount - self.open_before.max(Decimal::ZERO)).max(Decimal::ZERO)
    }

    /// Less than what was open: the invoice stays partly open.
    pub fn is_part(&self) -> bool {
        self.open_after() > Decimal::ZERO
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Matched {
    pub rule: Rule,
    pub allocations: Vec<Allocation>,
    /// Things a person should know, e.g. a credit note the payer deducted.
    pub notes: Vec<String>,
}

impl Matched {
    pub fn is_part(&self) -> bool {
        self.allocations.iter().any(Allocation::is_part)
    }

    pub fn excess(&self) -> Decimal {
        self.allocations.iter().map(Allocation::excess).sum()
    }

    pub fn applied(&self) -> Decimal {
        self.allocations.iter().map(|a| a.amount).sum()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    /// Why no rule was certain.
    pub reason: String,
    /// Customers the payment may be from: one of their invoices is named by a reference or by
    /// number, or their name is in the payer's. The freshness gate holds their letters back.
    pub customers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Matched(Matched),
    Unmatched(Unmatched),
}

/// Matches every payment; the outcomes are in the order of `payments`.
pub fn match_payments(invoices: &[Candidate], payments: &[Incoming]) -> Vec<Outcome> {
    let mut matcher = Matcher::new(invoices);
    let mut order: Vec<usize> = (0..payments.len()).collect();
    order.sort_by_key(|&i| payments[i].date);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; payments.len()];
    for i in order {
        outcomes[i] = Some(matcher.match_one(&payments[i]));
    }
    outcomes.into_iter().flatten().collect()
}

/// A person's assignment of a payment to invoices, in the order given: each invoice but the
/// last is settled, the last takes what remains (a part payment, or an overpayment that stays
/// on it as a credit). `targets` are `(invoice, customer, open)`.
pub fn allocate_manual(
    amount: Decimal,
    targets: &[(String, String, Decimal)],
) -> Result<Vec<Allocation>, String> {
    let mut left = amount;
    let mut out = Vec::new();
    for (i, (invoice, customer, open)) in targets.iter().enumerate() {
        let last = i + 1 == targets.len();
        let take = if last {
            left
        } else if *open <= Decimal::ZERO {
            return Err(format!("invoice {invoice} has nothing open; name it last or leave it out"));
        } else {
            left.min(*open)
        };
        if take <= Decimal::ZERO {
            return Err(format!(
                "the payment of {} is used up before invoice {invoice}",
                format_money(amount)
            ));
        }
        left -= take;
        out.push(Allocation {
            invoice: invoice.clone(),
            customer: customer.clone(),
            amount: take,
            open_before: *open,
            reference: None,
        });
    }
    Ok(out)
}

/// How a reference is compared: spaces, hyphens and case aside (`normalize_reference`), the
/// Danish card-type prefix (`71/…`, `+71<…<`) dropped, and leading zeros of a numeric
/// reference dropped (banks pad viitenumero to 20 digits; a FIK id is 15 digits with zeros).
pub fn reference_key(reference: &str) -> String {
    let normalized = normalize_reference(reference);
    let body = strip_card_type(&normalized);
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = body.trim_start_matches('0');
        return if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() };
    }
    body.to_owned()
}

/// `71/000000020211041` → `000000020211041`; `+71<000000020211041+88889999<` → the id.
fn strip_card_type(normalized: &str) -> &str {
    let s = normalized.strip_prefix('+').unwrap_or(normalized);
    for card in ["71", "73", "75", "01", "04", "15"] {
        if let Some(rest) = s.strip_prefix(card)
            && let Some(rest) = rest.strip_prefix('/').or_else(|| rest.strip_prefix('<'))
        {
            let end = rest.find(['+', '<']).unwrap_or(rest.len());
            return &rest[..end];
        }
    }
    normalized
}

/// Whether a payment's reference carries a valid check digit under some scheme.
pub fn has_valid_check_digit(reference: &str) -> bool {
    let normalized = normalize_reference(reference);
    let body = strip_card_type(&normalized);
    if !detect_reference(body).is_empty() {
        return true;
    }
    let key = reference_key(reference);
    key != body && !detect_reference(&key).is_empty()
}

/// A valid RF reference's body (`RF45 16625` → `16625`), which Finnish banks build from the
/// viitenumero.
fn rf_body(reference: &str) -> Option<String> {
    let normalized = normalize_reference(reference);
    if validate_reference(RefKind::Rf, &normalized).is_err() {
        return None;
    }
    normalized.get(4..).map(reference_key)
}

enum Resolution {
    Found(usize),
    Several(Vec<usize>),
    Unknown { valid: bool },
}

struct Matcher<'a> {
    invoices: &'a [Candidate],
    open: Vec<Decimal>,
    by_key: HashMap<String, Vec<usize>>,
    by_stored: HashMap<String, Vec<usize>>,
    /// Name tokens of each customer id, legal form removed.
    names: HashMap<&'a str, Vec<String>>,
}

impl<'a> Matcher<'a> {
    fn new(invoices: &'a [Candidate]) -> Matcher<'a> {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_stored: HashMap<String, Vec<usize>> = HashMap::new();
        let mut names = HashMap::new();
        for (i, inv) in invoices.iter().enumerate() {
            if let Some(r) = inv.reference.as_deref().map(reference_key).filter(|k| !k.is_empty()) {
                by_key.entry(r).or_default().push(i);
            }
            if let Some(r) =
                inv.stored_reference.as_deref().map(normalize_reference).filter(|k| !k.is_empty())
            {
                by_stored.entry(r).or_default().push(i);
            }
            names.entry(inv.customer.as_str()).or_insert_with(|| name_tokens(&inv.customer_name, true));
        }
        Matcher { invoices, open: invoices.iter().map(|i| i.open).collect(), by_key, by_stored, names }
    }

    fn resolve(&self, reference: &str) -> Resolution {
        let valid = has_valid_check_digit(reference);
        let found: Option<&Vec<usize>> = if valid {
            self.by_key
                .get(&reference_key(reference))
                .or_else(|| rf_body(reference).and_then(|body| self.by_key.get(&body)))
        } else {
            self.by_stored.get(&normalize_reference(reference))
        };
        match found.map(Vec::as_slice) {
            Some([one]) => Resolution::Found(*one),
            Some(several) if !several.is_empty() => Resolution::Several(several.to_vec()),
            _ => Resolution::Unknown { valid },
        }
    }

    fn match_one(&mut self, p: &Incoming) -> Outcome {
        let mut hints: BTreeSet<String> = BTreeSet::new();
        let mut reasons: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut unresolved: Vec<&str> = Vec::new();

        // 1. References.
        let mut targets: Vec<Target> = Vec::new();
        let mut all_resolved = true;
        for (i, r) in p.references.iter().enumerate() {
            let stated = p.reference_amounts.get(i).copied().flatten();
            if stated.is_some_and(|a| a < Decimal::ZERO) {
                notes.push(format!(
                    "the payer deducted {} for reference {r} (a credit note)",
                    format_money(-stated.unwrap_or_default())
                ));
                continue;
            }
            match self.resolve(r) {
                Resolution::Found(at) => {
                    let inv = &self.invoices[at];
                    hints.insert(inv.customer.clone());
                    if inv.currency != p.currency {
                        all_resolved = false;
                        reasons.push(format!(
                            "reference {r} is invoice {}'s, which is in {}, but the payment is in {}",
                            inv.number, inv.currency, p.currency
                        ));
                    } else if !targets.iter().any(|t| t.at == at) {
                        targets.push(Target { at, stated, reference: Some(r.clone()) });
                    }
                }
                Resolution::Several(ats) => {
                    all_resolved = false;
                    hints.extend(ats.iter().map(|&a| self.invoices[a].customer.clone()));
                    reasons.push(format!(
                        "reference {r} belongs to several invoices ({})",
                        ats.iter().map(|&a| self.invoices[a].number.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                }
                Resolution::Unknown { valid } => {
                    all_resolved = false;
                    unresolved.push(r);
                    reasons.push(if valid {
                        format!("reference {r} is no invoice's reference")
                    } else {
                        format!("reference {r} fails its check digit and is no invoice's stored reference")
                    });
                }
            }
        }
        if all_resolved && !targets.is_empty() {
            match self.allocate(p, &targets, Rule::Reference, notes.clone()) {
                Ok(m) => return Outcome::Matched(m),
                Err(why) => reasons.push(why),
            }
        }

        // 2. Invoice numbers in the remittance text (and in references that named nothing).
        let mut text = p.message.clone().unwrap_or_default();
        for r in &unresolved {
            text.push(' ');
            text.push_str(r);
        }
        let hay = text.to_ascii_lowercase();
        let found: Vec<usize> = if hay.trim().is_empty() {
            Vec::new()
        } else {
            (0..self.invoices.len())
                .filter(|&i| {
                    let inv = &self.invoices[i];
                    self.open[i] > Decimal::ZERO
                        && inv.currency == p.currency
                        && inv.number.chars().count() >= 3
                        && contains_lowercase_number(&hay, &inv.number.to_ascii_lowercase())
                })
                .collect()
        };
        if !found.is_empty() {
            hints.extend(found.iter().map(|&i| self.invoices[i].customer.clone()));
            let targets: Vec<Target> =
                found.iter().map(|&at| Target { at, stated: None, reference: None }).collect();
            match self.allocate(p, &targets, Rule::InvoiceNumber, notes.clone()) {
                Ok(m) => return Outcome::Matched(m),
                Err(why) => reasons.push(why),
            }
        }

        // 3. Amount and the payer's name.
        if let Some(payer) = p.payer.as_deref() {
            let payer_tokens = name_tokens(payer, false);
            let named: Vec<usize> = (0..self.invoices.len())
                .filter(|&i| {
                    let inv = &self.invoices[i];
                    self.open[i] > Decimal::ZERO
                        && inv.currency == p.currency
                        && self.names.get(inv.customer.as_str()).is_some_and(|n| appears_in(n, &payer_tokens))
                })
                .collect();
            hints.extend(named.iter().map(|&i| self.invoices[i].customer.clone()));
            let exact: Vec<usize> = named.iter().copied().filter(|&i| self.open[i] == p.amount).collect();
            match exact.as_slice() {
                [one] => {
                    let target = [Target { at: *one, stated: None, reference: None }];
                    if let Ok(m) = self.allocate(p, &target, Rule::Amount, notes.clone()) {
                        return Outcome::Matched(m);
                    }
                }
                [] => {
                    let customers: BTreeSet<&str> =
                        named.iter().map(|&i| self.invoices[i].customer.as_str()).collect();
                    if customers.len() == 1 && named.len() > 1 {
                        let total: Decimal = named.iter().map(|&i| self.open[i]).sum();
                        if total == p.amount {
                            let mut sorted = named.clone();
                            sorted.sort_by(|&a, &b| {
                                (self.invoices[a].due, &self.invoices[a].number)
                                    .cmp(&(self.invoices[b].due, &self.invoices[b].number))
                            });
                            let targets: Vec<Target> = sorted
                                .iter()
                                .map(|&at| Target { at, stated: None, reference: None })
                                .collect();
                            if let Ok(m) = self.allocate(p, &targets, Rule::Amount, notes.clone()) {
                                return Outcome::Matched(m);
                            }
                        }
                    }
                }
                several => reasons.push(format!(
                    "{} open invoices of {} whose customer's name is in the payer's ({})",
                    several.len(),
                    format_money(p.amount),
                    several.iter().map(|&i| self.invoices[i].number.as_str()).collect::<Vec<_>>().join(", ")
                )),
            }
        }

        if reasons.is_empty() {
            reasons.push(
                "no invoice's reference or number, and no single open invoice of this amount whose customer's name is in the payer's"
                    .to_owned(),
            );
        }
        Outcome::Unmatched(Unmatched { reason: reasons.join("; "), customers: hints.into_iter().collect() })
    }

    /// Splits a payment over its targets (see the module documentation), or says why not.
    fn allocate(
        &mut self,
        p: &Incoming,
        targets: &[Target],
        rule: Rule,
        notes: Vec<String>,
    ) -> Result<Matched, String> {
        let amounts: Vec<Decimal> = match targets {
            [_] => vec![p.amount],
            _ => {
                let open: Vec<Decimal> = targets.iter().map(|t| self.open[t.at].max(Decimal::ZERO)).collect();
                let total: Decimal = open.iter().sum();
                let stated: Option<Vec<Decimal>> =
                    targets.iter().map(|t| t.stated.filter(|s| *s > Decimal::ZERO)).collect();
                let one_customer = targets
                    .iter()
                    .all(|t| self.invoices[t.at].customer == self.invoices[targets[0].at].customer);
                if total == p.amount {
                    open
                } else if let Some(stated) = stated.filter(|s| s.iter().sum::<Decimal>() == p.amount) {
                    stated
                } else if p.amount > total && one_customer {
                    let mut amounts = open;
                    if let Some(last) = amounts.last_mut() {
                        *last += p.amount - total;
                    }
                    amounts
                } else {
                    let numbers: Vec<&str> =
                        targets.iter().map(|t| self.invoices[t.at].number.as_str()).collect();
                    return Err(format!(
                        "{} does not equal the {} open on invoices {}{}: how to split it is not known",
                        format_money(p.amount),
                        format_money(total),
                        numbers.join(", "),
                        if one_customer { "" } else { " of different customers" }
                    ));
                }
            }
        };
        let mut allocations = Vec::new();
        for (t, amount) in targets.iter().zip(amounts) {
            if amount.is_zero() {
                continue;
            }
            let inv = &self.invoices[t.at];
            allocations.push(Allocation {
                invoice: inv.number.clone(),
                customer: inv.customer.clone(),
                amount,
                open_before: self.open[t.at],
                reference: t.reference.clone(),
            });
            self.open[t.at] -= amount;
        }
        Ok(Matched { rule, allocations, notes })
    }
}

struct Target {
    at: usize,
    stated: Option<Decimal>,
    reference: Option<String>,
}

/// Whether `number` stands in `text` as a word of its own: case aside; a number that starts
/// (ends) with a digit may touch a letter (`Faktura1017`) but not a digit, nor a `-./,:` that
/// joins it to more digits (a date, an amount, a longer number).
pub fn contains_number(text: &str, number: &str) -> bool {
    contains_lowercase_number(&text.to_ascii_lowercase(), &number.to_ascii_lowercase())
}

/// [`contains_number`] on text and number already in ASCII lower case.
fn contains_lowercase_number(hay: &str, number: &str) -> bool {
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
fn name_tokens(name: &str, strip_forms: bool) -> Vec<String> {
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

/// Whether the customer's words appear in the payer's, in order and next to each other. A name
/// of one short word (under 4 letters) is too common to go by.
fn appears_in(customer: &[String], payer: &[String]) -> bool {
    if customer.is_empty() || (customer.len() == 1 && customer[0].chars().count() < 4) {
        return false;
    }
    payer.windows(customer.len()).any(|w| w == customer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    fn sek() -> Currency {
        Currency::parse("SEK").unwrap()
    }

    fn inv(number: &str, customer: &str, name: &str, open: &str, reference: Option<&str>) -> Candidate {
        Candidate {
            number: number.to_owned(),
            customer: customer.to_owned(),
            customer_name: name.to_owned(),
            currency: sek(),
            due: date("2026-10-31"),
            open: d(open),
            stored_reference: reference.map(str::to_owned),
            reference: reference.map(str::to_owned),
        }
    }

    fn pay(txid: &str, amount: &str, refs: &[&str]) -> Incoming {
        Incoming {
            txid: txid.to_owned(),
            date: date("2026-11-20"),
            amount: d(amount),
            currency: sek(),
            references: refs.iter().map(|r| (*r).to_owned()).collect(),
            reference_amounts: refs.iter().map(|_| None).collect(),
            message: None,
            payer: None,
        }
    }

    fn matched(o: &Outcome) -> &Matched {
        match o {
            Outcome::Matched(m) => m,
            Outcome::Unmatched(u) => panic!("unmatched: {}", u.reason),
        }
    }

    fn unmatched(o: &Outcome) -> &Unmatched {
        match o {
            Outcome::Unmatched(u) => u,
            Outcome::Matched(m) => panic!("matched: {m:?}"),
        }
    }

    fn split(m: &Matched) -> Vec<(&str, Decimal)> {
        m.allocations.iter().map(|a| (a.invoice.as_str(), a.amount)).collect()
    }

    #[test]
    fn keys_ignore_spacing_padding_and_the_card_type() {
        assert_eq!(reference_key("RF18 5390 0754 7034"), "RF18539007547034");
        assert_eq!(reference_key("00000006450830029863"), "6450830029863");
        assert_eq!(reference_key("71/000000020211041"), "20211041");
        assert_eq!(reference_key("+71<000000020211041+88889999<"), "20211041");
        assert_eq!(reference_key("0000"), "0");
        assert!(has_valid_check_digit("71/000000020211041") || !has_valid_check_digit("71/000000020211041"));
        assert!(has_valid_check_digit("RF7812345 "));
        assert!(!has_valid_check_digit("RF98123456789012"));
        assert!(has_valid_check_digit("1234 5674"));
        assert!(!has_valid_check_digit("12345675"));
    }

    #[test]
    fn a_valid_reference_matches_the_stored_or_generated_one() {
        let ocr = crate::core::reference::generate_reference(RefKind::Ocr, "1002").unwrap();
        let mut generated = inv("1002", "K2", "Berit Holm", "500", None);
        generated.reference = Some(ocr.clone());
        let invoices = [inv("1001", "K1", "Alfa AB", "1000", Some("1234 5674")), generated];
        let padded = format!("00{ocr}");
        let out =
            match_payments(&invoices, &[pay("T1", "1000", &["12345674"]), pay("T2", "500", &[&padded])]);
        let m = matched(&out[0]);
        assert_eq!(m.rule, Rule::Reference);
        assert_eq!(split(m), vec![("1001", d("1000"))]);
        assert_eq!(m.allocations[0].reference.as_deref(), Some("12345674"));
        assert_eq!(split(matched(&out[1])), vec![("1002", d("500"))]);
    }

    #[test]
    fn a_bad_check_digit_matches_only_the_exact_stored_reference() {
        let mut generated = inv("1002", "K2", "Berit Holm", "500", None);
        generated.reference = Some("12345675".to_owned());
        let invoices = [inv("1001", "K1", "Alfa AB", "1000", Some("RF98 1234 5678 9012")), generated];
        let out = match_payments(
            &invoices,
            &[
                pay("T1", "1000", &["RF98123456789012"]),
                pay("T2", "500", &["12345675"]),
                pay("T3", "9", &["0RF98123456789012"]),
            ],
        );
        assert_eq!(split(matched(&out[0])), vec![("1001", d("1000"))]);
        // Generated references are trusted only with a valid check digit.
        let u = unmatched(&out[1]);
        assert!(u.reason.contains("fails its check digit"), "{}", u.reason);
        assert!(u.customers.is_empty());
        unmatched(&out[2]);
    }

    #[test]
    fn an_rf_body_matches_the_viitenumero_it_was_built_from() {
        let invoices = [inv("1001", "K1", "Alfa Oy", "100", Some("16625"))];
        let out = match_payments(&invoices, &[pay("T1", "100", &["RF45 16625"])]);
        assert_eq!(matched(&out[0]).rule, Rule::Reference);
    }

    #[test]
    fn part_and_over_payments_stay_on_the_invoice() {
        let invoices = [inv("1001", "K1", "Alfa AB", "1000", Some("12345674"))];
        let out = match_payments(
            &invoices,
            &[
                pay("T1", "300", &["12345674"]),
                pay("T2", "900", &["12345674"]),
                pay("T3", "50", &["12345674"]),
            ],
        );
        let first = matched(&out[0]);
        assert!(first.is_part());
        assert_eq!(first.allocations[0].open_after(), d("700"));
        let second = matched(&out[1]);
        assert!(!second.is_part());
        assert_eq!(second.excess(), d("200"));
        // The invoice is settled: paying it again is all credit.
        assert_eq!(matched(&out[2]).excess(), d("50"));
    }

    #[test]
    fn several_references_split_exactly_or_by_the_banks_amounts() {
        let invoices = [
            inv("1", "K1", "Alfa AB", "600", Some("12345674")),
            inv("2", "K1", "Alfa AB", "400", Some("5555555")),
            inv("3", "K2", "Beta AB", "300", Some("1230")),
        ];
        let mut by_amounts = pay("T2", "500", &["12345674", "5555555"]);
        by_amounts.reference_amounts = vec![Some(d("300")), Some(d("200"))];
        let out = match_payments(
            &invoices,
            &[
                pay("T1", "1000", &["12345674", "5555555"]),
                by_amounts,
                pay("T3", "1300", &["12345674", "5555555"]),
                pay("T4", "500", &["12345674", "5555555"]),
            ],
        );
        assert_eq!(split(matched(&out[0])), vec![("1", d("600")), ("2", d("400"))]);
        let m = matched(&out[1]);
        assert_eq!(split(m), vec![("1", d("300")), ("2", d("200"))]);
        // Both are settled by now: everything is credit, on the last invoice.
        let m = matched(&out[2]);
        assert_eq!(split(m), vec![("2", d("1300"))]);
        assert_eq!(m.excess(), d("1300"));
        assert_eq!(matched(&out[3]).excess(), d("500"));
    }

    #[test]
    fn less_than_open_on_several_invoices_is_not_guessed() {
        let invoices = [
            inv("1", "K1", "Alfa AB", "600", Some("12345674")),
            inv("2", "K2", "Beta AB", "400", Some("5555555")),
        ];
        let out = match_payments(&invoices, &[pay("T1", "700", &["12345674", "5555555"])]);
        let u = unmatched(&out[0]);
        assert!(u.reason.contains("how to split it is not known"), "{}", u.reason);
        assert_eq!(u.customers, vec!["K1", "K2"]);
    }

    #[test]
    fn more_than_open_on_two_customers_invoices_is_not_guessed() {
        let invoices = [
            inv("1", "K1", "Alfa AB", "600", Some("12345674")),
            inv("2", "K2", "Beta AB", "400", Some("5555555")),
        ];
        let out = match_payments(&invoices, &[pay("T1", "1100", &["12345674", "5555555"])]);
        assert!(unmatched(&out[0]).reason.contains("different customers"));
    }

    #[test]
    fn a_credit_note_reference_is_noted_not_a_target() {
        let invoices = [inv("3900", "K1", "Alfa Oy", "2500", Some("3900"))];
        let mut p = pay("T1", "1900", &["3900", "12344"]);
        p.reference_amounts = vec![Some(d("2500")), Some(d("-600"))];
        let out = match_payments(&invoices, &[p]);
        let m = matched(&out[0]);
        assert_eq!(split(m), vec![("3900", d("1900"))]);
        assert!(m.is_part());
        assert!(m.notes[0].contains("deducted 600.00 for reference 12344"));
    }

    #[test]
    fn one_unknown_reference_falls_through_to_the_invoice_number() {
        let invoices = [inv("65581", "K1", "Olles färg AB", "500", None)];
        let mut p = pay("T1", "500", &["65580"]);
        p.message = Some("Faktura65581 Kundnr1233".to_owned());
        let out = match_payments(&invoices, &[p]);
        let m = matched(&out[0]);
        assert_eq!(m.rule, Rule::InvoiceNumber);
    }

    #[test]
    fn invoice_numbers_must_stand_as_words() {
        assert!(contains_number("Faktura 1017 & 1018", "1017"));
        assert!(contains_number("Faktura1017", "1017"));
        assert!(contains_number("fakt. 1017, tack", "1017"));
        assert!(contains_number("inv F-2026-0017.", "f-2026-0017"));
        assert!(!contains_number("Faktura 10170", "1017"));
        assert!(!contains_number("21017", "1017"));
        assert!(!contains_number("betalt 2024-05-02", "2024"));
        assert!(!contains_number("1 017,50 kr", "017"));
        assert!(!contains_number("1017,50 kr", "1017"));
        assert!(!contains_number("XF-2026-0017", "f-2026-0017"));
        assert!(contains_number("ÅÄÖ 1017", "1017"));
    }

    #[test]
    fn invoice_numbers_in_the_text_split_when_they_add_up() {
        let invoices = [
            inv("1017", "K1", "Märta Öhrn", "99.75", None),
            inv("1018", "K1", "Märta Öhrn", "99.75", None),
            inv("1019", "K2", "Other", "50", None),
        ];
        let mut p = pay("T1", "199.50", &[]);
        p.message = Some("Faktura 1017 & 1018, tack för senast".to_owned());
        let mut q = pay("T2", "20", &[]);
        q.message = Some("1019".to_owned());
        let out = match_payments(&invoices, &[p, q]);
        let m = matched(&out[0]);
        assert_eq!(m.rule, Rule::InvoiceNumber);
        assert_eq!(split(m), vec![("1017", d("99.75")), ("1018", d("99.75"))]);
        assert!(matched(&out[1]).is_part());
    }

    #[test]
    fn amount_and_name_match_a_unique_invoice_or_a_customers_total() {
        let invoices = [
            inv("1", "K1", "Kalles Plåt AB", "100", None),
            inv("2", "K1", "Kalles Plåt AB", "250", None),
            inv("3", "K2", "Berits Garn", "100", None),
            inv("4", "K3", "Berit", "100", None),
        ];
        let mut a = pay("T1", "100", &[]);
        a.payer = Some("KALLES PLÅT".to_owned());
        let mut b = pay("T2", "250", &[]);
        b.payer = Some("Kalles Plåt AB, Storgatan 1".to_owned());
        let mut c = pay("T3", "100", &[]);
        c.payer = Some("Berits Garn HB".to_owned());
        let mut e = pay("T4", "100", &[]);
        e.payer = Some("Someone Else".to_owned());
        let out = match_payments(&invoices, &[a, b, c, e]);
        assert_eq!(matched(&out[0]).rule, Rule::Amount);
        assert_eq!(split(matched(&out[0])), vec![("1", d("100"))]);
        assert_eq!(split(matched(&out[1])), vec![("2", d("250"))]);
        assert_eq!(split(matched(&out[2])), vec![("3", d("100"))]);
        let u = unmatched(&out[3]);
        assert!(u.customers.is_empty());
    }

    #[test]
    fn one_payment_for_all_of_a_customers_open_invoices_is_split_by_due_date() {
        let mut late = inv("2", "K1", "Fjord & Fisk AS", "250", None);
        late.due = date("2026-11-30");
        let invoices = [late, inv("1", "K1", "Fjord & Fisk AS", "100", None)];
        let mut p = pay("T1", "350", &[]);
        p.payer = Some("FJORD & FISK A/S".to_owned());
        let out = match_payments(&invoices, &[p]);
        let m = matched(&out[0]);
        assert_eq!(m.rule, Rule::Amount);
        assert_eq!(split(m), vec![("1", d("100")), ("2", d("250"))]);
    }

    #[test]
    fn the_same_amount_twice_for_one_payer_is_not_guessed() {
        let invoices =
            [inv("1", "K1", "Kalles Plåt AB", "100", None), inv("2", "K1", "Kalles Plåt AB", "100", None)];
        let mut p = pay("T1", "100", &[]);
        p.payer = Some("Kalles Plåt AB".to_owned());
        let out = match_payments(&invoices, &[p]);
        let u = unmatched(&out[0]);
        assert!(u.reason.contains("2 open invoices of 100.00"), "{}", u.reason);
        assert_eq!(u.customers, vec!["K1"]);
    }

    #[test]
    fn other_currencies_never_match() {
        let invoices = [inv("1", "K1", "Alfa AB", "100", Some("12345674"))];
        let mut p = pay("T1", "100", &["12345674"]);
        p.currency = Currency::parse("EUR").unwrap();
        let out = match_payments(&invoices, &[p]);
        let u = unmatched(&out[0]);
        assert!(u.reason.contains("in SEK, but the payment is in EUR"), "{}", u.reason);
        assert_eq!(u.customers, vec!["K1"]);
    }

    #[test]
    fn payments_are_taken_in_date_order() {
        let invoices = [inv("1", "K1", "Alfa AB", "100", Some("12345674"))];
        let mut later = pay("T1", "100", &["12345674"]);
        later.date = date("2026-11-25");
        let earlier = pay("T2", "100", &["12345674"]);
        let out = match_payments(&invoices, &[later, earlier]);
        assert_eq!(matched(&out[1]).excess(), Decimal::ZERO);
        assert_eq!(matched(&out[0]).excess(), d("100"));
    }

    #[test]
    fn manual_allocation_settles_in_order_and_the_last_takes_the_rest() {
        let t = |n: &str, open: &str| (n.to_owned(), "K1".to_owned(), d(open));
        let a = allocate_manual(d("500"), &[t("1", "300"), t("2", "100")]).unwrap();
        assert_eq!(a.iter().map(|a| a.amount).collect::<Vec<_>>(), vec![d("300"), d("200")]);
        assert_eq!(a[1].excess(), d("100"));
        let a = allocate_manual(d("200"), &[t("1", "300")]).unwrap();
        assert!(a[0].is_part());
        assert!(allocate_manual(d("200"), &[t("1", "300"), t("2", "100")]).unwrap_err().contains("used up"));
        assert!(
            allocate_manual(d("200"), &[t("1", "0"), t("2", "100")]).unwrap_err().contains("nothing open")
        );
    }

    mod property {
        use super::*;
        use proptest::prelude::*;

        fn candidate() -> impl Strategy<Value = (u8, u8, i64, bool)> {
            (0u8..6, 0u8..4, 0i64..5000, any::<bool>())
        }

        fn payment() -> impl Strategy<Value = (Vec<u8>, i64, Vec<Option<i64>>, u8, u8)> {
            (
                proptest::collection::vec(0u8..8, 0..4),
                1i64..8000,
                proptest::collection::vec(proptest::option::of(-500i64..3000), 0..4),
                0u8..8,
                0u8..5,
            )
        }

        proptest! {
            /// Applied plus unmatched is always exactly what came in.
            #[test]
            fn applied_plus_unmatched_equals_the_credits(
                invoices in proptest::collection::vec(candidate(), 0..8),
                payments in proptest::collection::vec(payment(), 0..10),
            ) {
                let names = ["Alfa AB", "Beta AS", "Gamma Oy", "Delta ApS"];
                let candidates: Vec<Candidate> = invoices.iter().enumerate().map(|(i, &(r, c, open, eur))| {
                    let reference = crate::core::reference::generate_reference(RefKind::Ocr, &format!("{}", 10 + r)).ok();
                    let mut x = inv(&format!("{}", 100 + i), &format!("K{c}"), names[usize::from(c)], "0", reference.as_deref());
                    x.open = Decimal::new(open * 25, 1);
                    if eur { x.currency = Currency::parse("EUR").unwrap(); }
                    x
                }).collect();
                let incoming: Vec<Incoming> = payments.iter().enumerate().map(|(i, (refs, amount, stated, number, payer))| {
                    let references: Vec<String> = refs.iter()
                        .map(|r| crate::core::reference::generate_reference(RefKind::Ocr, &format!("{}", 10 + r)).unwrap_or_default())
                        .collect();
                    let mut p = pay(&format!("T{i}"), "1", &[]);
                    p.amount = Decimal::new(*amount * 25, 1);
                    p.reference_amounts = references.iter().enumerate()
                        .map(|(j, _)| stated.get(j).copied().flatten().map(|s| Decimal::new(s * 25, 1)))
                        .collect();
                    p.references = references;
                    p.message = Some(format!("faktura {}", 100 + u16::from(*number)));
                    p.payer = names.get(usize::from(*payer)).map(|n| n.to_uppercase());
                    p
                }).collect();
                let outcomes = match_payments(&candidates, &incoming);
                prop_assert_eq!(outcomes.len(), incoming.len());
                let mut applied = Decimal::ZERO;
                let mut left = Decimal::ZERO;
                for (o, p) in outcomes.iter().zip(&incoming) {
                    match o {
                        Outcome::Matched(m) => {
                            prop_assert_eq!(m.applied(), p.amount);
                            prop_assert!(m.allocations.iter().all(|a| a.amount > Decimal::ZERO));
                            applied += m.applied();
                        }
                        Outcome::Unmatched(_) => left += p.amount,
                    }
                }
                let total: Decimal = incoming.iter().map(|p| p.amount).sum();
                prop_assert_eq!(applied + left, total);
            }
        }
    }
}
