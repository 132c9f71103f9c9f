//! From decisions to letters: which invoices go into one letter, on which channels the customer
//! can be reached, and the data the templates see. Pure: no files.

use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::layout::{country_scheme, greeting_name, org_scheme, postal_lines, reference_scheme};
use super::{
    Channel, CollectionNotice, Company, Customer, Installment, InvoiceLine, Legal, LetterData, MovedDue,
    Payment, PaymentDetail, Step,
};
use crate::core::check::channel_problem;
use crate::core::dunning::Decision;
use crate::core::ledger::{Ledger, LeftOut};
use crate::core::model::{self, Currency};
use crate::core::policy::{Channel as PolicyChannel, ReferenceScheme};
use crate::core::reference::letter::{LetterIdentity, TakenReferences, total_scheme};
use crate::core::reference::{RefKind, digits_of, generate_reference};

/// One letter to write: a customer, a step, a currency and its invoices.
#[derive(Clone, Debug)]
pub struct LetterPlan<'a> {
    pub step: Step,
    pub step_number: u32,
    pub customer: &'a str,
    pub decisions: Vec<&'a Decision<'a>>,
}

/// Groups decisions for one step into one letter per customer, step number and currency.
/// Plans are found by a hash map of their key, not by comparing with every plan so far:
/// a morning with a hundred thousand letters would otherwise compare billions of ids.
pub fn group<'a>(step: Step, decisions: impl Iterator<Item = &'a Decision<'a>>) -> Vec<LetterPlan<'a>> {
    let mut plans: Vec<LetterPlan<'a>> = Vec::new();
    let mut plan_of: FxHashMap<(&'a str, u32, Currency), usize> = FxHashMap::default();
    for d in decisions {
        let number = if step == Step::Reminder { d.step } else { d.reminders_sent };
        match plan_of.entry((d.customer, number, d.currency)) {
            Entry::Occupied(at) => plans[*at.get()].decisions.push(d),
            Entry::Vacant(slot) => {
                slot.insert(plans.len());
                plans.push(LetterPlan {
                    step,
                    step_number: number,
                    customer: d.customer,
                    decisions: vec![d],
                });
            }
        }
    }
    plans.sort_by(|a, b| (a.customer, a.step_number).cmp(&(b.customer, b.step_number)));
    plans
}

/// The channels of `wanted` this customer can be reached on, by the rules `dun check` applies
/// ([`crate::core::check::channel_problem`]: a well-formed e-mail, a complete postal address
/// with a valid postcode, a mobile number of the customer's country), and for each channel
/// that cannot be used, why (`sms: the phone is not a mobile number`).
pub fn usable_channels(customer: &model::Customer, wanted: &[PolicyChannel]) -> (Vec<Channel>, Vec<String>) {
    let mut usable = Vec::new();
    let mut problems = Vec::new();
    for &w in wanted {
        let channel = match w {
            PolicyChannel::Email => Channel::Email,
            PolicyChannel::Letter => Channel::Letter,
            PolicyChannel::Sms => Channel::Sms,
        };
        match channel_problem(customer, w) {
            None if !usable.contains(&channel) => usable.push(channel),
            None => {}
            Some(problem) => problems.push(format!("{}: {problem}", w.name())),
        }
    }
    (usable, problems)
}

pub fn company(ledger: &Ledger) -> Company {
    let c = &ledger.policy.file.company;
    Company {
        name: ledger.policy.company_name.clone(),
        org_no: c.org_no.clone(),
        address: c.address.as_deref().map(str::to_owned),
        postcode: c.postcode.as_deref().map(str::to_owned),
        city: c.city.as_deref().map(str::to_owned),
        country: Some(ledger.policy.country.clone()),
        email: c.email.as_deref().map(str::to_owned),
        phone: c.phone.clone(),
        bankgiro: c.bankgiro.clone(),
        plusgiro: c.plusgiro.clone(),
        iban: c.iban.clone(),
        bic: c.bic.clone(),
        account: c.account.clone(),
        org_scheme: org_scheme(&ledger.policy.country).to_owned(),
    }
}

/// What a debtor in `country` paying in `currency` is told to pay to ([`crate::core::account::pay_to`]):
/// the domestic details at home, IBAN and BIC abroad or in another currency.
pub fn payment(ledger: &Ledger, currency: &str, country: &str) -> Payment {
    let pay = crate::core::account::pay_to(&ledger.policy, currency, country);
    Payment { details: pay.details.into_iter().map(|(kind, value)| PaymentDetail { kind, value }).collect() }
}

/// The schemes a reference of this company is most likely in: the policy's, then its
/// country's.
fn preferred_schemes(ledger: &Ledger, scheme: ReferenceScheme) -> Vec<RefKind> {
    scheme.kind().into_iter().chain(country_scheme(&ledger.policy.country)).collect()
}

fn scheme_of(reference: Option<&str>, preferred: &[RefKind]) -> String {
    reference.map_or("none", |r| reference_scheme(r, preferred)).to_owned()
}

pub fn customer(c: &model::Customer, ledger: &Ledger) -> Customer {
    Customer {
        id: c.id.to_string(),
        name: c.name.to_string(),
        contact: c.contact().map(str::to_owned),
        address: c.address().map(str::to_owned),
        postcode: c.postcode().map(str::to_owned),
        city: c.city().map(str::to_owned),
        country: Some(c.country().to_string()),
        email: c.email().map(str::to_owned),
        // What SMS texts are sent to: the mobile of two numbers.
        phone: c.sms_phone().map(str::to_owned),
        kind: if c.kind.is_consumer() { "consumer" } else { "business" }.to_owned(),
        greeting_name: greeting_name(c.kind.is_consumer(), &c.name, c.contact()),
        address_lines: postal_lines(c.address(), c.postcode(), c.city(), c.country(), &ledger.policy.country),
    }
}

/// The invoice's own reference, or one generated from its number when the policy asks.
pub fn payment_reference(reference: Option<&str>, number: &str, scheme: ReferenceScheme) -> Option<String> {
    if let Some(r) = reference {
        return Some(r.to_owned());
    }
    let kind = scheme.kind()?;
    let body = if kind == RefKind::Rf {
        number.chars().filter(char::is_ascii_alphanumeric).collect()
    } else {
        digits_of(number)
    };
    generate_reference(kind, &body).ok()
}

fn opt(amount: Decimal) -> Option<Decimal> {
    (!amount.is_zero()).then_some(amount)
}

/// Every reference in use in the ledger: each invoice's (stored, or the one the policy
/// generates, as `dun import` matches them) and each earlier letter's total reference.
pub fn taken_references(ledger: &Ledger) -> TakenReferences {
    let mut taken = TakenReferences::new([], &ledger.journal);
    let schemes = ReferenceSchemes::new(&ledger.policy, &ledger.customers);
    for inv in &ledger.invoices {
        let scheme = schemes.for_customer(ledger.customer_position(inv.customer()));
        if let Some(r) = payment_reference(inv.reference(), inv.number(), scheme) {
            taken.insert(&r);
        }
    }
    // The settled invoices a load for letters left out hold theirs all the same.
    for l in &ledger.left_out {
        taken.insert_key(l.0);
    }
    taken
}

/// What a load for letters keeps of a settled invoice it leaves out (see [`LeftOut`]): the key
/// of its payment reference in `scheme` (its customer's), if it has one.
pub fn left_out(reference: Option<&str>, number: &str, scheme: ReferenceScheme) -> Option<LeftOut> {
    payment_reference(reference, number, scheme).and_then(|r| TakenReferences::key_of(&r)).map(LeftOut)
}

/// Each customer's payment reference scheme (its segment's rules'), by position in the
/// register, and the base rules' for an id the register lacks: looked up per invoice where
/// building the rules per invoice would cost more than the reference.
pub struct ReferenceSchemes {
    of_customer: Vec<ReferenceScheme>,
    base: ReferenceScheme,
}

impl ReferenceSchemes {
    pub fn new(policy: &crate::core::policy::Policy, customers: &[model::Customer]) -> ReferenceSchemes {
        let base = policy.base_rules().reminder.reference();
        // Built once per segment, not once per customer.
        let mut by_segment: FxHashMap<Option<&str>, ReferenceScheme> = FxHashMap::default();
        let of_customer = customers
            .iter()
            .map(|c| {
                let segment = c.segment();
                *by_segment
                    .entry(segment)
                    .or_insert_with(|| policy.rules(segment).map_or(base, |rules| rules.reminder.reference()))
            })
            .collect();
        ReferenceSchemes { of_customer, base }
    }

    /// The scheme of the customer at this position (`None`: not in the register).
    pub fn for_customer(&self, customer: Option<usize>) -> ReferenceScheme {
        customer.and_then(|i| self.of_customer.get(i).copied()).unwrap_or(self.base)
    }
}

/// The template data of a reminder or collection notice.
pub fn letter_data(ledger: &Ledger, plan: &LetterPlan<'_>, as_of: NaiveDate) -> Option<LetterData> {
    letter_data_with(ledger, plan, as_of, &mut taken_references(ledger))
}

/// The scheme name (`ocr`, …, `none`) as a kind.
fn kind_named(name: &str) -> Option<RefKind> {
    name.parse().ok()
}

/// A reminder or collection notice about several invoices: one reference for paying them all
/// (`core::reference::letter`), in the scheme of the invoices' own references, RF for a debtor
/// abroad or in another currency; now taken in `taken`.
fn total_reference(
    ledger: &Ledger,
    c: &model::Customer,
    plan: &LetterPlan<'_>,
    lines: &[InvoiceLine],
    currency: Currency,
    as_of: NaiveDate,
    taken: &mut TakenReferences,
) -> Option<String> {
    // A plan letter is about one invoice; a reminder and a collection notice may cover several.
    if plan.step == Step::Plan || lines.len() < 2 {
        return None;
    }
    let kinds: Vec<Option<RefKind>> = lines.iter().map(|l| kind_named(&l.reference_scheme)).collect();
    let policy = ledger.rules_for(Some(c)).reminder.reference().kind();
    let abroad = !c.country().trim().eq_ignore_ascii_case(ledger.policy.country.trim())
        || currency != ledger.policy.currency;
    let kind = total_scheme(&kinds, policy, country_scheme(&ledger.policy.country), abroad)?;
    let currency = currency.to_string();
    // A hand-over is step 0, so that it never shares a body with a reminder of the same day.
    let step = if plan.step == Step::Collection { 0 } else { plan.step_number };
    let id = LetterIdentity { date: as_of, step, customer: plan.customer, currency: &currency };
    taken.compose(kind, &id)
}

/// [`letter_data`], the letter's total reference (if it gets one) stepped past `taken`.
pub fn letter_data_with(
    ledger: &Ledger,
    plan: &LetterPlan<'_>,
    as_of: NaiveDate,
    taken: &mut TakenReferences,
) -> Option<LetterData> {
    let c = ledger.customer(plan.customer)?;
    let rules = ledger.rules_for(Some(c));
    let preferred = preferred_schemes(ledger, rules.reminder.reference());
    let mut lines = Vec::new();
    // Every figure is the claim's (core::claim): the letter, the notice, the agency batch and
    // `dun due` show the same ones.
    let (mut fee, mut new_fee, mut interest, mut compensation, mut total) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for d in &plan.decisions {
        let inv = ledger.invoice(d.invoice)?;
        let claim = &d.claim;
        fee += claim.fees_total();
        new_fee += claim.new_fee();
        interest += claim.interest.amount;
        compensation += claim.compensation.amount;
        total += claim.total();
        let reference = payment_reference(inv.reference(), inv.number(), rules.reminder.reference());
        lines.push(InvoiceLine {
            number: inv.number().to_string(),
            issued: inv.issued,
            due: inv.due,
            amount: inv.amount,
            open: d.open,
            days_overdue: d.days_overdue,
            reference_scheme: scheme_of(reference.as_deref(), &preferred),
            reference,
            description: inv.description().map(str::to_owned),
            interest: opt(claim.interest.amount),
            fee: opt(claim.fees_total()),
        });
    }
    let first = plan.decisions.first()?;
    let reference = if lines.len() == 1 {
        lines[0].reference.clone()
    } else {
        total_reference(ledger, c, plan, &lines, first.currency, as_of, taken)
    };
    let company = company(ledger);
    Some(LetterData {
        step: plan.step,
        step_number: plan.step_number,
        language: c.language().to_string(),
        currency: first.currency.to_string(),
        payment: payment(ledger, &first.currency.to_string(), c.country()),
        company,
        customer: customer(c, ledger),
        invoices: lines,
        fee: opt(fee),
        interest: opt(interest),
        compensation: opt(compensation),
        total,
        legal: legal(ledger, c, &rules, plan, new_fee, first.pay_by.unwrap_or(as_of), as_of),
        pay_by: first.pay_by.unwrap_or(as_of),
        as_of,
        reference_scheme: scheme_of(reference.as_deref(), &preferred),
        reference,
        collection_warning: plan.decisions.iter().any(|d| d.collection_warning),
        agency: rules.collection.agency.clone(),
        installments: Vec::new(),
    })
}

/// The legal facts a letter may state, derived from the law that governs the claims and the
/// letter's own figures: a statement is only true when its fact is there.
fn legal(
    ledger: &Ledger,
    c: &model::Customer,
    rules: &crate::core::policy::Rules,
    plan: &LetterPlan<'_>,
    new_fee: Decimal,
    pay_by: NaiveDate,
    as_of: NaiveDate,
) -> Legal {
    let law = crate::core::charges::Law::of(&ledger.policy, Some(c), rules);
    let deadline_days = (pay_by - as_of).num_days();
    let warns = plan.decisions.iter().any(|d| d.collection_warning);
    let min_days = *law.pack.collection.min_deadline_days.get(law.consumer);
    let collection_notice = (warns
        && crate::core::rules::creditor_warning_required(law.pack, as_of, &law.dates())
        && deadline_days >= min_days)
        .then(|| CollectionNotice {
            statute: law.pack.collection.warning_source.source.to_owned(),
            min_days,
        });
    Legal {
        country: law.pack.country.to_owned(),
        deadline_days,
        collection_notice,
        new_fee: opt(new_fee),
        moved_due: plan
            .decisions
            .iter()
            .filter_map(|d| d.claim.moved.as_deref())
            .map(|m| MovedDue { invoice_due: m.from, legal_due: m.to, statute: m.source.to_owned() })
            .collect(),
    }
}

/// The template data of a payment plan's written confirmation.
pub fn plan_data(
    ledger: &Ledger,
    invoice_number: &str,
    installments: &[(NaiveDate, Decimal)],
    as_of: NaiveDate,
) -> Option<LetterData> {
    let inv = ledger.invoice(invoice_number)?;
    let c = ledger.customer(inv.customer())?;
    let rules = ledger.rules_for(Some(c));
    let total: Decimal = installments.iter().map(|i| i.1).sum();
    let reference = payment_reference(inv.reference(), inv.number(), rules.reminder.reference());
    let reference_scheme =
        scheme_of(reference.as_deref(), &preferred_schemes(ledger, rules.reminder.reference()));
    let company = company(ledger);
    Some(LetterData {
        step: Step::Plan,
        step_number: 0,
        language: c.language().to_string(),
        currency: inv.currency.to_string(),
        payment: payment(ledger, &inv.currency.to_string(), c.country()),
        company,
        customer: customer(c, ledger),
        invoices: vec![InvoiceLine {
            number: inv.number().to_string(),
            issued: inv.issued,
            due: inv.due,
            amount: inv.amount,
            open: total,
            days_overdue: (as_of - inv.due).num_days(),
            reference: reference.clone(),
            reference_scheme: reference_scheme.clone(),
            description: inv.description().map(str::to_owned),
            interest: None,
            fee: None,
        }],
        fee: None,
        interest: None,
        compensation: None,
        legal: Legal::default(),
        total,
        pay_by: installments.first().map_or(as_of, |i| i.0),
        as_of,
        reference,
        reference_scheme,
        collection_warning: true,
        agency: rules.collection.agency.clone(),
        installments: installments
            .iter()
            .enumerate()
            .map(|(i, (due, amount))| Installment { number: i as u32 + 1, due: *due, amount: *amount })
            .collect(),
    })
}

/// A file name part from data: ASCII letters, digits, `-` and `_` only, at most 40 characters,
/// so that no customer id can climb out of `out/` or confuse a shell.
pub fn sanitize(part: &str) -> String {
    let mut s: String = part
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(40)
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '_') {
        s = format!("x{}", s.len());
    }
    if s != part {
        // Two ids that sanitise alike (`K.1`, `K_1`; two long ids with one beginning) must not
        // share a file: a short stable hash of the id itself tells them apart. `~` never comes
        // out of the mapping above, so such a name cannot equal an id kept as it was.
        s.push('~');
        s.push_str(&short_hash(part));
    }
    s
}

/// FNV-1a (32 bit) of `text`, as 8 hex digits: the same on every machine and Rust version.
fn short_hash(text: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in text.as_bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision<'a>(
        invoice: &'a str,
        customer: &'a str,
        step: u32,
        sent: u32,
        currency: &str,
    ) -> Decision<'a> {
        let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        Decision {
            invoice,
            customer,
            currency: Currency::parse(currency).expect("a currency code"),
            open: Decimal::ONE,
            due: date,
            days_overdue: 1,
            state: crate::core::dunning::State::NotDue,
            step,
            reminders_sent: sent,
            last_reminder: None,
            pay_by: None,
            next_date: None,
            fee: Decimal::ZERO,
            collection_warning: false,
            call_for: None,
            why: Default::default(),
            claim: Default::default(),
        }
    }

    proptest::proptest! {
        /// One letter per customer, step number and currency, its invoices in decision order,
        /// the letters sorted by customer and step number with ties in first-seen order: what
        /// comparing each decision with every letter so far gave.
        #[test]
        fn grouping_is_one_letter_per_customer_step_and_currency(
            raw in proptest::collection::vec((0u8..4, 1u32..3, 0u32..3, proptest::bool::ANY), 0..20),
            collection in proptest::bool::ANY,
        ) {
            let currency = |eur: bool| if eur { "EUR" } else { "SEK" };
            let names: Vec<(String, String)> = raw
                .iter()
                .map(|&(c, step, sent, eur)| (format!("K{c}-{step}-{sent}-{}", currency(eur)), format!("K{c}")))
                .collect();
            let decisions: Vec<Decision<'_>> = raw
                .iter()
                .zip(&names)
                .map(|(&(_, step, sent, eur), (invoice, customer))| decision(invoice, customer, step, sent, currency(eur)))
                .collect();
            let step = if collection { Step::Collection } else { Step::Reminder };
            let got: Vec<(String, u32, Vec<String>)> = group(step, decisions.iter())
                .into_iter()
                .map(|p| (p.customer.to_owned(), p.step_number, p.decisions.iter().map(|d| d.invoice.to_owned()).collect()))
                .collect();
            let mut want: Vec<(String, u32, Currency, Vec<String>)> = Vec::new();
            for d in &decisions {
                let number = if collection { d.reminders_sent } else { d.step };
                match want.iter_mut().find(|w| w.0 == d.customer && w.1 == number && w.2 == d.currency) {
                    Some(w) => w.3.push(d.invoice.to_owned()),
                    None => want.push((d.customer.to_owned(), number, d.currency, vec![d.invoice.to_owned()])),
                }
            }
            want.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            let want: Vec<(String, u32, Vec<String>)> = want.into_iter().map(|w| (w.0, w.1, w.3)).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn file_names_stay_inside_out() {
        assert!(sanitize("../../etc/passwd").starts_with("______etc_passwd~"));
        assert_eq!(sanitize("K-1_ok"), "K-1_ok");
        assert!(sanitize("Åsa").starts_with("_sa~"));
        assert!(sanitize("").starts_with("x0~"));
        assert_eq!(sanitize(&"9".repeat(99)).len(), 40 + 9);
        assert!(!sanitize("a/b").contains(['/', '.']));
    }

    /// Defect 4 of issue 10: ids that sanitised alike shared one file.
    #[test]
    fn ids_that_sanitise_alike_get_different_names() {
        let ids = ["K.1", "K_1", "K/1", "...", "///", &"A".repeat(41), &"A".repeat(42), "K 1"];
        let names: std::collections::HashSet<String> = ids.iter().map(|i| sanitize(i)).collect();
        assert_eq!(names.len(), ids.len(), "{names:?}");
        assert_eq!(sanitize("K.1"), sanitize("K.1"), "stable");
    }

    #[test]
    fn references_are_kept_or_generated() {
        assert_eq!(payment_reference(Some("12345"), "1", ReferenceScheme::Ocr).as_deref(), Some("12345"));
        assert_eq!(payment_reference(None, "F-123", ReferenceScheme::Ocr).as_deref(), Some("12351"));
        assert_eq!(payment_reference(None, "123", ReferenceScheme::None), None);
    }
}
