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
//!    (`detect_reference`); it then matches an invoice's stored reference or the one the
//!    policy's `reminder.reference` generates for it, compared without spaces, hyphens, case,
//!    leading zeros (banks pad viitenumero and FIK ids) or the Danish `71/` card-type prefix;
//!    a valid RF also matches by its body (the Finnish RF built from a viitenumero). A reference
//!    that fails every check digit is matched only when it is *exactly* (spaces, hyphens and case
//!    aside) an invoice's stored reference: a typo that happens to fit another invoice must not.
//!    References the bank marks negative (credit notes the payer deducted) are not targets.
//!    A payment whose reference is a letter's total reference (`core::reference::letter`,
//!    recorded in the journal) is for exactly that letter's invoices: it is split over those
//!    still open, oldest due first; a short payment pays the oldest first and leaves the rest
//!    open, an excess stays on the last as a credit of the customer (all settled already: the
//!    whole payment is a credit on the newest). A reference that is both a letter's and an
//!    invoice's is not certain and goes unmatched.
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

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::model::Currency;
use super::money::format_money;
pub use super::reference::letter::LetterTotal;
use super::reference::normalize_reference;

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

/// An invoice a payment may be for. Its texts are borrowed from the ledger where they can be:
/// a million candidates must not cost a million copies of every number, id and name.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate<'a> {
    pub number: Cow<'a, str>,
    pub customer: Cow<'a, str>,
    pub customer_name: Cow<'a, str>,
    pub currency: Currency,
    pub due: NaiveDate,
    /// Open on the matching date; zero (or less) when settled. Reference matches may still
    /// land on a settled invoice: the customer paid twice, and that is a credit.
    pub open: Decimal,
    /// The reference stored in `invoices.csv`.
    pub stored_reference: Option<Cow<'a, str>>,
    /// The reference the customer was given: the stored one, else the one the policy generates
    /// (`letters::compose::payment_reference`).
    pub reference: Option<Cow<'a, str>>,
    /// An early-payment discount: (last day, amount). A payment by that day of at least the
    /// open amount less the discount, and less than the open amount, settles the invoice.
    pub discount: Option<(NaiveDate, Decimal)>,
}

impl Candidate<'_> {
    /// The discount a payment of `amount` on `date` takes, if any.
    pub fn discount_for(&self, amount: Decimal, date: NaiveDate, open: Decimal) -> Decimal {
        match self.discount {
            Some((until, off)) if date <= until && amount < open && amount >= open - off => off,
            _ => Decimal::ZERO,
        }
    }
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
    /// The early-payment discount the payment took (zero when none): it settles the rest.
    pub discount: Decimal,
}

impl Allocation {
    /// Still open on the invoice afterwards (negative: a credit of the customer).
    pub fn open_after(&self) -> Decimal {
        self.open_before - self.amount - self.discount
    }

    /// Paid beyond what was open: a credit of the customer.
    pub fn excess(&self) -> Decimal {
        (self.amount + self.discount - self.open_before.max(Decimal::ZERO)).max(Decimal::ZERO)
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
pub fn match_payments(invoices: &[Candidate<'_>], payments: &[Incoming]) -> Vec<Outcome> {
    match_payments_with_letters(invoices, &[], payments)
}

/// [`match_payments`], knowing the letters' total references (from the journal). The payments
/// may be borrowed (`&[&Incoming]`), so a caller that holds them need not copy them.
pub fn match_payments_with_letters<P: std::borrow::Borrow<Incoming>>(
    invoices: &[Candidate<'_>],
    letters: &[LetterTotal],
    payments: &[P],
) -> Vec<Outcome> {
    let mut matcher = PaymentMatcher::new(invoices, letters);
    let mut order: Vec<usize> = (0..payments.len()).collect();
    order.sort_by_key(|&i| payments[i].borrow().date);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; payments.len()];
    for i in order {
        outcomes[i] = Some(matcher.match_next(payments[i].borrow()));
    }
    outcomes.into_iter().flatten().collect()
}

/// Matching one payment at a time, for a caller that streams the payments: each must come in
/// the order [`match_payments_with_letters`] takes them (by date, file order within a day),
/// and each lowers what the next one sees.
pub struct PaymentMatcher<'c, 'a> {
    matcher: Matcher<'c, 'a>,
}

impl<'c, 'a> PaymentMatcher<'c, 'a> {
    pub fn new(invoices: &'c [Candidate<'a>], letters: &[LetterTotal]) -> PaymentMatcher<'c, 'a> {
        let mut matcher = Matcher::new(invoices);
        matcher.add_letters(letters);
        PaymentMatcher { matcher }
    }

    pub fn match_next(&mut self, payment: &Incoming) -> Outcome {
        self.matcher.match_one(payment)
    }
}

/// The references a run's payments give, by a 64-bit hash of every key the matcher looks an
/// invoice up by with each of them (rule 1, a letter's total reference): what a load for `dun
/// import` keeps a settled invoice by, since a payment may name one (paid twice: a credit).
/// A hash two keys share keeps an invoice no payment names, never drops one.
#[derive(Debug, Default)]
pub struct NamedReferences {
    keys: rustc_hash::FxHashSet<u64>,
}

impl NamedReferences {
    /// Every key the matcher may look `reference` up by: its [`reference_key`], and a valid
    /// RF's body. (A stored reference that normalises as `reference` does has its key too.)
    pub fn add(&mut self, reference: &str) {
        self.keys.insert(key_hash(reference_key(reference).as_bytes(), false));
        if let Some(body) = rf_body(reference) {
            self.keys.insert(key_hash(body.as_bytes(), false));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether some payment's reference may name `given`: the reference an invoice's customer
    /// was given (its stored one, else the one the policy generates) or a letter's total.
    pub fn may_name(&self, given: &str) -> bool {
        self.keys.contains(&key_hash(reference_key(given).as_bytes(), false))
    }
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
            discount: Decimal::ZERO,
        });
    }
    Ok(out)
}

enum Resolution {
    Found(usize),
    Several(Vec<usize>),
    Unknown { valid: bool },
}

struct Matcher<'c, 'a> {
    invoices: &'c [Candidate<'a>],
    open: Vec<Decimal>,
    /// Invoices by [`reference_key`] of their reference.
    by_key: KeyIndex,
    /// Invoices by their stored reference, normalised.
    by_stored: KeyIndex,
    /// Invoices by number (ASCII lower case, trimmed) for rule 2, numbers of 3 characters or
    /// more only; with the byte lengths those numbers have, so a remittance text is looked up
    /// substring by substring instead of every invoice being searched for in it.
    by_number: KeyIndex,
    number_lengths: Vec<usize>,
    /// For rule 3: customers by the words of their name (legal form removed; only names
    /// [`can_appear`] lets through), with the word counts those names have, and each
    /// customer's invoices in candidate order.
    by_name: FxHashMap<Vec<String>, Vec<&'c str>>,
    name_lengths: Vec<usize>,
    invoices_of: FxHashMap<&'c str, Vec<u32>>,
    /// Letters' total references (by [`reference_key`]) and their invoices, in candidate
    /// positions.
    by_letter: FxHashMap<String, Vec<usize>>,
}

/// An invoice number as rule 2 looks it up: trimmed (and compared ASCII case aside), 3
/// characters or more.
fn number_key(number: &str) -> Option<&str> {
    let trimmed = number.trim();
    (number.chars().count() >= 3 && !trimmed.is_empty()).then_some(trimmed)
}

impl<'c, 'a> Matcher<'c, 'a> {
    fn new(invoices: &'c [Candidate<'a>]) -> Matcher<'c, 'a> {
        let mut by_key = Vec::new();
        let mut by_stored = Vec::new();
        let mut by_number = Vec::new();
        let mut number_lengths = Vec::new();
        let mut invoices_of: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        let mut by_name: FxHashMap<Vec<String>, Vec<&str>> = FxHashMap::default();
        for (i, inv) in invoices.iter().enumerate() {
            if let Some(r) = inv.reference.as_deref().map(reference_key).filter(|k| !k.is_empty()) {
                by_key.push((key_hash(r.as_bytes(), false), position(i)));
            }
            if let Some(r) =
                inv.stored_reference.as_deref().map(normalize_reference).filter(|k| !k.is_empty())
            {
                by_stored.push((key_hash(r.as_bytes(), false), position(i)));
            }
            if let Some(number) = number_key(&inv.number) {
                by_number.push((key_hash(number.as_bytes(), true), position(i)));
                number_lengths.push(number.len());
            }
            // A customer's name is the one on its first invoice.
            let mine = invoices_of.entry(&inv.customer).or_default();
            if mine.is_empty() {
                let tokens = name_tokens(&inv.customer_name, true);
                if can_appear(&tokens) {
                    by_name.entry(tokens).or_default().push(&inv.customer);
                }
            }
            mine.push(position(i));
        }
        number_lengths.sort_unstable();
        number_lengths.dedup();
        let mut name_lengths: Vec<usize> = by_name.keys().map(Vec::len).collect();
        name_lengths.sort_unstable();
        name_lengths.dedup();
        Matcher {
            invoices,
            open: invoices.iter().map(|i| i.open).collect(),
            by_key: KeyIndex::new(by_key),
            by_stored: KeyIndex::new(by_stored),
            by_number: KeyIndex::new(by_number),
            number_lengths,
            by_name,
            name_lengths,
            invoices_of,
            by_letter: FxHashMap::default(),
        }
    }

    /// Invoices whose reference has the [`reference_key`] `key`.
    fn with_key(&self, key: &str) -> Vec<usize> {
        self.by_key
            .positions(key_hash(key.as_bytes(), false))
            .filter(|&i| self.invoices[i].reference.as_deref().is_some_and(|r| reference_key(r) == key))
            .collect()
    }

    /// Invoices whose stored reference normalises to `normalized`.
    fn with_stored(&self, normalized: &str) -> Vec<usize> {
        self.by_stored
            .positions(key_hash(normalized.as_bytes(), false))
            .filter(|&i| {
                self.invoices[i]
                    .stored_reference
                    .as_deref()
                    .is_some_and(|r| normalize_reference(r) == normalized)
            })
            .collect()
    }

    /// Invoices whose number is `word` (lower case), as rule 2 keys them.
    fn with_number(&self, word: &str) -> Vec<usize> {
        self.by_number
            .positions(key_hash(word.as_bytes(), true))
            .filter(|&i| number_key(&self.invoices[i].number).is_some_and(|n| n.eq_ignore_ascii_case(word)))
            .collect()
    }

    fn add_letters(&mut self, letters: &[LetterTotal]) {
        if letters.is_empty() {
            return;
        }
        let mut at_number: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, inv) in self.invoices.iter().enumerate() {
            at_number.entry(&inv.number).or_insert(i);
        }
        for letter in letters {
            let ats: Vec<usize> =
                letter.invoices.iter().filter_map(|n| at_number.get(n.as_str()).copied()).collect();
            let key = reference_key(&letter.reference);
            if !ats.is_empty() && !key.is_empty() {
                self.by_letter.insert(key, ats);
            }
        }
    }

    /// The invoices of the letter whose total reference `reference` is, if it is one (with a
    /// valid check digit: a typo that fits another letter must not).
    fn letter_invoices(&self, reference: &str) -> Option<Vec<usize>> {
        if self.by_letter.is_empty() || !has_valid_check_digit(reference) {
            return None;
        }
        self.by_letter.get(&reference_key(reference)).cloned()
    }

    /// Rule 2's invoices: open, in the payment's currency, whose number stands in `hay` (lower
    /// case) as a word of its own; in candidate order.
    fn numbers_in(&self, hay: &str, currency: Currency) -> Vec<usize> {
        let mut found = Vec::new();
        for start in (0..hay.len()).filter(|&s| hay.is_char_boundary(s)) {
            for &len in &self.number_lengths {
                let Some(word) = hay.get(start..start + len) else { break };
                let ats = self.with_number(word);
                if ats.is_empty() || !contains_lowercase_number(hay, word) {
                    continue;
                }
                found.extend(
                    ats.into_iter()
                        .filter(|&i| self.open[i] > Decimal::ZERO && self.invoices[i].currency == currency),
                );
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Rule 3's invoices: open, in the payment's currency, of a customer whose name stands in
    /// the payer's words; in candidate order. With their customers, each once, sorted.
    fn named_in(&self, payer: &[String], currency: Currency) -> (Vec<usize>, Vec<&'c str>) {
        let mut named = Vec::new();
        let mut customers = Vec::new();
        for start in 0..payer.len() {
            for &len in &self.name_lengths {
                let Some(words) = payer.get(start..start + len) else { break };
                for &customer in self.by_name.get(words).into_iter().flatten() {
                    let before = named.len();
                    named.extend(
                        self.invoices_of[customer]
                            .iter()
                            .map(|&i| i as usize)
                            .filter(|&i| is_positive(self.open[i]) && self.invoices[i].currency == currency),
                    );
                    if named.len() > before {
                        customers.push(customer);
                    }
                }
            }
        }
        named.sort_unstable();
        named.dedup();
        customers.sort_unstable();
        customers.dedup();
        (named, customers)
    }

    fn resolve(&self, reference: &str) -> Resolution {
        let valid = has_valid_check_digit(reference);
        let found: Vec<usize> = if valid {
            let by_key = self.with_key(&reference_key(reference));
            if by_key.is_empty() {
                rf_body(reference).map(|body| self.with_key(&body)).unwrap_or_default()
            } else {
                by_key
            }
        } else {
            self.with_stored(&normalize_reference(reference))
        };
        match found.as_slice() {
            [one] => Resolution::Found(*one),
            [] => Resolution::Unknown { valid },
            _ => Resolution::Several(found),
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
        let mut letters: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, r) in p.references.iter().enumerate() {
            let stated = p.reference_amounts.get(i).copied().flatten();
            if stated.is_some_and(|a| a < Decimal::ZERO) {
                notes.push(format!(
                    "the payer deducted {} for reference {r} (a credit note)",
                    format_money(-stated.unwrap_or_default())
                ));
                continue;
            }
            if let Some(ats) = self.letter_invoices(r) {
                hints.extend(ats.iter().map(|&a| self.invoices[a].customer.to_string()));
                let also = match self.resolve(r) {
                    Resolution::Unknown { .. } => Vec::new(),
                    Resolution::Found(at) => vec![at],
                    Resolution::Several(ats) => ats,
                };
                if also.is_empty() {
                    letters.push((r.as_str(), ats));
                } else {
                    // Either may have been paid: every customer concerned is held back.
                    all_resolved = false;
                    hints.extend(also.iter().map(|&a| self.invoices[a].customer.to_string()));
                    reasons
                        .push(format!("reference {r} is both a letter's total reference and an invoice's"));
                }
                continue;
            }
            match self.resolve(r) {
                Resolution::Found(at) => {
                    let inv = &self.invoices[at];
                    hints.insert(inv.customer.to_string());
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
                    hints.extend(ats.iter().map(|&a| self.invoices[a].customer.to_string()));
                    reasons.push(format!(
                        "reference {r} belongs to several invoices ({})",
                        ats.iter().map(|&a| &*self.invoices[a].number).collect::<Vec<_>>().join(", ")
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
        if all_resolved && targets.is_empty() && letters.len() == 1 {
            let (r, ats) = &letters[0];
            match self.allocate_letter(p, r, ats, notes.clone()) {
                Ok(m) => return Outcome::Matched(m),
                Err(why) => reasons.push(why),
            }
        } else if all_resolved {
            // With other references: the letters' open invoices are among the targets.
            for (r, ats) in &letters {
                for at in self.by_age(ats, p.currency) {
                    if self.open[at] > Decimal::ZERO && !targets.iter().any(|t| t.at == at) {
                        targets.push(Target { at, stated: None, reference: Some((*r).to_owned()) });
                    }
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
        let found: Vec<usize> =
            if hay.trim().is_empty() { Vec::new() } else { self.numbers_in(&hay, p.currency) };
        if !found.is_empty() {
            hints.extend(found.iter().map(|&i| self.invoices[i].customer.to_string()));
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
            // Customers of the same name are many where a first and last name is all there is.
            let (named, named_customers) = self.named_in(&payer_tokens, p.currency);
            let exact: Vec<usize> = named
                .iter()
                .copied()
                .filter(|&i| {
                    let open = self.open[i];
                    open == p.amount
                        || self.invoices[i]
                            .discount
                            .is_some_and(|(until, off)| p.date <= until && open - off == p.amount)
                })
                .collect();
            match exact.as_slice() {
                [one] => {
                    let target = [Target { at: *one, stated: None, reference: None }];
                    if let Ok(m) = self.allocate(p, &target, Rule::Amount, notes.clone()) {
                        return Outcome::Matched(m);
                    }
                }
                [] => {
                    if named_customers.len() == 1 && named.len() > 1 {
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
                    several.iter().map(|&i| &*self.invoices[i].number).collect::<Vec<_>>().join(", ")
                )),
            }
            // Said only when nothing matched: a matched payment names its customer already.
            hints.extend(named_customers.iter().map(|&c| c.to_owned()));
        }

        if reasons.is_empty() {
            reasons.push(
                "no invoice's reference or number, and no single open invoice of this amount whose customer's name is in the payer's"
                    .to_owned(),
            );
        }
        Outcome::Unmatched(Unmatched { reason: reasons.join("; "), customers: hints.into_iter().collect() })
    }

    /// `ats` in the payment's currency, oldest due first (invoice number on the same day).
    fn by_age(&self, ats: &[usize], currency: Currency) -> Vec<usize> {
        let mut sorted: Vec<usize> =
            ats.iter().copied().filter(|&i| self.invoices[i].currency == currency).collect();
        sorted.sort_by(|&a, &b| {
            (self.invoices[a].due, &self.invoices[a].number)
                .cmp(&(self.invoices[b].due, &self.invoices[b].number))
        });
        sorted
    }

    /// A payment of a letter's total reference over the letter's invoices still open, oldest
    /// due first: a short payment pays the oldest first, an excess stays on the last as a
    /// credit; when every one is settled, the payment is a credit on the newest.
    fn allocate_letter(
        &mut self,
        p: &Incoming,
        reference: &str,
        ats: &[usize],
        mut notes: Vec<String>,
    ) -> Result<Matched, String> {
        let numbers = || ats.iter().map(|&a| &*self.invoices[a].number).collect::<Vec<_>>().join(", ");
        let by_age = self.by_age(ats, p.currency);
        let Some(&newest) = by_age.last() else {
            return Err(format!(
                "reference {reference} is the total of a letter on invoices {}, which are in {}, but the payment is in {}",
                numbers(),
                self.invoices[ats[0]].currency,
                p.currency
            ));
        };
        notes.push(format!("reference {reference} is the total of a letter on invoices {}", numbers()));
        let mut targets: Vec<usize> =
            by_age.iter().copied().filter(|&i| self.open[i] > Decimal::ZERO).collect();
        if targets.is_empty() {
            targets.push(newest);
        }
        let mut left = p.amount;
        let mut allocations = Vec::new();
        for (n, &at) in targets.iter().enumerate() {
            let take = if n + 1 == targets.len() { left } else { left.min(self.open[at]) };
            if take <= Decimal::ZERO {
                break;
            }
            let inv = &self.invoices[at];
            allocations.push(Allocation {
                invoice: inv.number.to_string(),
                customer: inv.customer.to_string(),
                amount: take,
                open_before: self.open[at],
                reference: Some(reference.to_owned()),
                discount: Decimal::ZERO,
            });
            self.open[at] -= take;
            left -= take;
        }
        Ok(Matched { rule: Rule::Reference, allocations, notes })
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
                    let numbers: Vec<&str> = targets.iter().map(|t| &*self.invoices[t.at].number).collect();
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
            let discount = if targets.len() == 1 {
                inv.discount_for(amount, p.date, self.open[t.at])
            } else {
                Decimal::ZERO
            };
            allocations.push(Allocation {
                invoice: inv.number.to_string(),
                customer: inv.customer.to_string(),
                amount,
                open_before: self.open[t.at],
                reference: t.reference.clone(),
                discount,
            });
            self.open[t.at] -= amount + discount;
        }
        Ok(Matched { rule, allocations, notes })
    }
}

/// `amount > 0`, without the general comparison (rule 3 asks it of every invoice of every
/// customer a payer's name may be).
fn is_positive(amount: Decimal) -> bool {
    !amount.is_sign_negative() && !amount.is_zero()
}

struct Target {
    at: usize,
    stated: Option<Decimal>,
    reference: Option<String>,
}

mod keys;
mod words;

use keys::{KeyIndex, key_hash, position, rf_body};
pub use keys::{has_valid_check_digit, reference_key};
pub use words::contains_number;
use words::{can_appear, contains_lowercase_number, name_tokens};

#[cfg(test)]
mod tests;
