//! `dun check` (SPEC §10): what a careful bookkeeper looks for before anything is sent —
//! customers who cannot be reached, contact data that will bounce, numbers that fail their
//! check digits, invoices that make the figures wrong, and the credit watch.
//!
//! Severity: an **error** makes sending go wrong or the numbers wrong (an invoice of an unknown
//! customer, a duplicate invoice number, due before issued, paid more than the amount, balance
//! and paid that disagree, a credit note that credits nothing it can, no usable channel for a
//! customer with something to chase, a broken payment reference on an open invoice). Everything
//! else is a **warning**. Every finding names the file, the line and the column to fix, and the
//! customer and/or invoice it concerns.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

use super::credit::{Behaviour, WatchReason, watch_list_by};
use super::credit::{CreditBook, PaymentDates, SettledBook};
use super::finding::Finding;
use super::ledger::{
    CustomerIndex, Ledger, PaymentIndex, flagged_alone, normalize_reference, open_before_credits,
};
use super::model::{Currency, Customer, Invoice, InvoiceRecord, Payment};
use super::money::format_money_grouped;
use super::phone::{SmsProblem, parse_phone, sms_number};
use super::policy::Policy;
use super::policy::{Channel, Rules};
use super::privacy::JournalActivity;
use super::reference::{RefKind, validate_normalized, validate_org_no, validate_reference};

const CUSTOMERS: &str = "customers.csv";
const INVOICES: &str = "invoices.csv";
const PAYMENTS: &str = "payments.csv";

/// Every finding of the ledger on `as_of`, sorted by file and line.
pub fn check_ledger(ledger: &Ledger, as_of: NaiveDate) -> Vec<Finding> {
    check_all(ledger, as_of, None, false)
}

/// The errors of [`check_ledger`] alone, in the same order: the data gate of `dun remind` and
/// `dun collect`. The checks that find nothing but warnings (likely duplicates, payments, the
/// credit watch, retention) are not run, and each customer's and invoice's warnings are dropped
/// as they are found: on a ledger of millions of invoices the warnings were most of the gate's
/// memory.
pub fn check_ledger_errors(ledger: &Ledger, as_of: NaiveDate) -> Vec<Finding> {
    check_all(ledger, as_of, None, true)
}

/// [`check_ledger`] of a ledger loaded for `dun check` (`io::ledger_dir::load_ledger_for_check`):
/// `ledger.invoices` holds only the invoices a finding can be about, and what the checks read
/// of every invoice (usual currencies, payment behaviour, last activities, the numbers and
/// references payments name) comes from `streamed`. The same findings in the same order.
pub fn check_ledger_streamed(ledger: &Ledger, as_of: NaiveDate, streamed: &Streamed) -> Vec<Finding> {
    check_all(ledger, as_of, Some(streamed), false)
}

fn check_all(
    ledger: &Ledger,
    as_of: NaiveDate,
    streamed: Option<&Streamed>,
    errors_only: bool,
) -> Vec<Finding> {
    let ctx = Ctx::new(ledger, as_of, errors_only);
    // The checks that find only warnings are not run for the errors alone.
    let all = !errors_only;
    // Two independent halves, the register's and the invoices', on two threads: each gives its
    // findings in parts, joined below in the order one thread would have found them, so that
    // the stable sort gives findings on the same line in the same order as ever.
    let (register, invoices) = std::thread::scope(|scope| {
        let invoices = scope.spawn(|| invoice_checks(&ctx, streamed, all));
        let register = register_checks(&ctx, streamed, all);
        (register, invoices.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let parts = [
        register.customers,
        invoices.invoices,
        invoices.reference_rates,
        register.retention,
        invoices.company,
    ];
    let mut findings = Vec::with_capacity(parts.iter().map(Vec::len).sum::<usize>() + ledger.notes.len());
    for part in parts {
        findings.extend(part);
    }
    findings.extend(ledger.notes.iter().cloned());
    if errors_only {
        findings.retain(Finding::is_error);
    }
    findings.sort_by(|a, b| (&*a.file, a.line).cmp(&(&*b.file, b.line)));
    findings
}

/// The findings of the customer register: each customer's, the likely duplicates, and those
/// past their retention.
struct RegisterFindings {
    customers: Vec<Finding>,
    retention: Vec<Finding>,
}

fn register_checks(ctx: &Ctx<'_>, streamed: Option<&Streamed>, all: bool) -> RegisterFindings {
    let (ledger, as_of) = (ctx.ledger, ctx.as_of);
    let mut customers = Vec::new();
    for customer in &ledger.customers {
        let mark = customers.len();
        check_customer(ctx, customer, &mut customers);
        ctx.settle(&mut customers, mark);
    }
    if all {
        likely_duplicates(ledger, &mut customers);
    }
    let mut retention = Vec::new();
    if all {
        match streamed {
            None => past_retention(ledger, as_of, &mut retention),
            Some(s) => {
                let facts = super::privacy::Facts::with_last(ledger, as_of, s.last_activities(ledger));
                past_retention_by(ledger, as_of, None, &facts, &mut retention)
            }
        }
    }
    RegisterFindings { customers, retention }
}

/// The findings of the invoices and payments (with the credit watch), of the reference rates
/// they need, and of the company's payment details.
struct InvoiceFindings {
    invoices: Vec<Finding>,
    reference_rates: Vec<Finding>,
    company: Vec<Finding>,
}

fn invoice_checks(ctx: &Ctx<'_>, streamed: Option<&Streamed>, all: bool) -> InvoiceFindings {
    let (ledger, as_of) = (ctx.ledger, ctx.as_of);
    let usual = match streamed {
        None => usual_currencies(&ledger.invoices),
        Some(s) => s.usual_currencies(ledger),
    };
    let mut invoices = Vec::new();
    check_invoices_with(ctx, &ledger.invoices, &usual, &mut invoices);
    if all {
        check_payments(ctx, streamed, &mut invoices);
        match streamed {
            None => credit_watch(ledger, as_of, &mut invoices),
            Some(s) => credit_watch_of(ledger, as_of, |i| s.behaviour.behaviour(i), &mut invoices),
        }
    }
    let mut reference_rates_found = Vec::new();
    reference_rates(ctx, &mut reference_rates_found);
    let mut company = Vec::new();
    company_details(ctx, &mut company);
    InvoiceFindings { invoices, reference_rates: reference_rates_found, company }
}

/// The findings of [`check_ledger`] about one customer (`customer` must be one of
/// `ledger.customers`) and its invoices, the credit watch's left out, in the same order:
/// `dun customer` runs only the checks that can concern it, not the whole ledger's.
pub fn check_customer_findings(ledger: &Ledger, as_of: NaiveDate, customer: &Customer) -> Vec<Finding> {
    let id = customer.id.as_str();
    let ctx = Ctx::new(ledger, as_of, false);
    let mut findings = Vec::new();
    // Every line of the register with the id (normally one).
    let records: Vec<usize> = (0..ledger.customers.len()).filter(|&i| ledger.customers[i].id == id).collect();
    // The checks in check_ledger's order, each on what concerns the customer.
    for &at in &records {
        check_customer(&ctx, &ledger.customers[at], &mut findings);
    }
    for &at in &records {
        duplicates_of(ledger, at, earlier_matches(ledger, at), &mut findings);
    }
    let invoices: Vec<&Invoice> = ledger.invoices.iter().filter(|i| i.customer == id).collect();
    check_invoices(&ctx, invoices.iter().copied(), &mut findings);
    past_retention_of(ledger, as_of, Some(id), &mut findings);
    payment_details_unreachable(&ctx, Some(id), &mut findings);
    findings.extend(ledger.notes.iter().filter(|f| f.customer.as_deref() == Some(id)).cloned());
    findings.retain(|f| f.customer.as_deref() == Some(id));
    findings.sort_by(|a, b| (&*a.file, a.line).cmp(&(&*b.file, b.line)));
    findings
}

/// Customers whose personal data bookkeeping law no longer requires (nothing open, the
/// retention period over): the GDPR says not to keep it.
fn past_retention(ledger: &Ledger, as_of: NaiveDate, findings: &mut Vec<Finding>) {
    past_retention_of(ledger, as_of, None, findings);
}

/// [`past_retention`] of every customer, or of `only`.
fn past_retention_of(ledger: &Ledger, as_of: NaiveDate, only: Option<&str>, findings: &mut Vec<Finding>) {
    let facts = super::privacy::Facts::new(ledger, as_of);
    past_retention_by(ledger, as_of, only, &facts, findings);
}

/// [`past_retention_of`] with the facts gathered.
fn past_retention_by(
    ledger: &Ledger,
    as_of: NaiveDate,
    only: Option<&str>,
    facts: &super::privacy::Facts<'_>,
    findings: &mut Vec<Finding>,
) {
    let r = super::privacy::retention(&ledger.policy.country);
    for (c, last) in super::privacy::past_retention_by(ledger, as_of, only, facts) {
        let since = format!("last activity {last}");
        findings.push(
            Finding::warning(
                CUSTOMERS,
                c.line,
                "id",
                "past-retention",
                format!(
                    "nothing is open and bookkeeping law no longer requires this customer's personal data ({since}; {} keeps {} years: {})",
                    ledger.policy.country, r.years, r.law
                ),
            )
            .customer(c.id.as_str())
            .hint(format!("dun forget {} pseudonymises it in the ledger's files, keeping the numbers", c.id)),
        );
    }
}

/// A half-year in use with no reference rate known (built-in or in the policy): interest for
/// it would be charged at a rate carried forward. An error, so that `dun check -q && dun
/// remind` stops on it (issue #11); `remind` itself only warns.
fn reference_rates(ctx: &Ctx<'_>, findings: &mut Vec<Finding>) {
    use super::charges::Law;
    use super::policy::InterestMode;
    let ledger = ctx.ledger;
    let mut seen: std::collections::BTreeMap<(&'static str, String), usize> = Default::default();
    // The rules depend on the segment only: built once per segment, not per invoice.
    let mut by_segment: FxHashMap<Option<&str>, Rules> = FxHashMap::default();
    for invoice in ctx.open_invoices() {
        let customer = ledger.customer(&invoice.customer);
        let segment = customer.and_then(|c| c.segment.as_deref());
        let rules = by_segment.entry(segment).or_insert_with(|| ledger.rules_for(customer));
        let law = Law::of(&ledger.policy, customer, rules);
        if rules.interest.mode() != InterestMode::Statutory || !law.has_statutory_rate() {
            continue;
        }
        let (legal_due, _) = law.legal_due(invoice.due);
        let Some(first) = legal_due.succ_opt().filter(|f| *f <= ctx.as_of) else { continue };
        for half in super::rules::missing_half_years(law.pack, first, ctx.as_of, &law.rate_overrides()) {
            *seen.entry((law.pack.country, half)).or_default() += 1;
        }
    }
    for ((country, half), count) in seen {
        let pack = super::rules::rules_for(country);
        let mut f = Finding::error(
            "policy.toml",
            0,
            "interest.reference_rates",
            "reference-rate-missing",
            format!(
                "no {} ({}) known for {half}, in use by {count} open invoice(s): interest would be charged at the last known rate",
                pack.interest.reference_rate_name, pack.country
            ),
        );
        f.hint = Some(format!(
            "add the published rate: [interest] reference_rates = [{{ from = {}, rate = \"…\" }}] (a consumer's country's rate in a segment applies to that segment only)",
            half_start(&half)
        ).into());
        findings.push(f);
    }
}

/// The company's own details, printed on every letter: bank details failing their check
/// digits or format, and a sender e-mail that is no address, are errors of `policy.toml`
/// (never blamed on a customer); a customer with open invoices whom the configured details
/// cannot reach (a payer abroad given only a bankgiro, a currency no account takes) is a
/// warning on that customer.
fn company_details(ctx: &Ctx<'_>, findings: &mut Vec<Finding>) {
    let policy = &ctx.ledger.policy;
    for (key, message) in super::account::detail_problems(policy) {
        findings.push(
            Finding::error("policy.toml", 0, key, "bad-payment-detail", message)
                .hint("every letter prints it: copy it from the bank's agreement or statement"),
        );
    }
    if let Some(email) = &policy.file.company.email
        && let Some(problem) = email_problem(email)
    {
        findings.push(
            Finding::error(
                "policy.toml",
                0,
                "company.email",
                "bad-company-email",
                format!("\"{email}\" is not an e-mail address: {problem}"),
            )
            .hint("the sender of every e-mail: write one address, like faktura@example.se"),
        );
    }
    if super::account::accounts(policy).is_empty() {
        if ctx.open_invoices().next().is_none() {
            return; // nothing to ask anyone for yet (a new ledger)
        }
        // Said once, not on every customer.
        findings.push(
            Finding::warning(
                "policy.toml",
                0,
                "company.bankgiro",
                "no-payment-details",
                "the policy gives no payment details: letters say what to pay but not where".to_owned(),
            )
            .hint("[company] bankgiro, plusgiro, account, iban and bic, and [[company.accounts]] per further currency"),
        );
        return;
    }
    payment_details_unreachable(ctx, None, findings);
}

/// The customers with open invoices (or `only`) whom the configured payment details cannot
/// reach: once per customer and currency, on its first open invoice.
fn payment_details_unreachable(ctx: &Ctx<'_>, only: Option<&str>, findings: &mut Vec<Finding>) {
    let policy = &ctx.ledger.policy;
    if super::account::accounts(policy).is_empty() {
        return; // said once, on the policy (company_details)
    }
    let mut seen: FxHashSet<(&str, Currency)> = FxHashSet::default();
    let mut open: Vec<&Invoice> =
        ctx.open_invoices().filter(|invoice| only.is_none_or(|id| invoice.customer == id)).collect();
    open.sort_by_key(|invoice| invoice.line);
    for invoice in open {
        if !seen.insert((invoice.customer.as_str(), invoice.currency)) {
            continue;
        }
        let Some(customer) = ctx.ledger.customer(&invoice.customer) else { continue };
        let pay = super::account::pay_to(policy, &invoice.currency.to_string(), &customer.country);
        if let Some(problem) = pay.problem {
            findings.push(
                Finding::warning(
                    CUSTOMERS,
                    customer.line,
                    "country",
                    "payment-details-unreachable",
                    format!("{} ({}) owes {}: {problem}", customer.name, customer.country, invoice.currency),
                )
                .customer(customer.id.as_str())
                .invoice(invoice.number.as_str())
                .hint("[company] iban and bic, or [[company.accounts]] with currency, iban, bic (see policy.example.toml)"),
            );
        }
    }
}

/// "2026H2" → "2026-07-01".
fn half_start(label: &str) -> String {
    match label.split_once('H') {
        Some((year, "2")) => format!("{year}-07-01"),
        Some((year, _)) => format!("{year}-01-01"),
        None => label.to_owned(),
    }
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_error)
}

/// The largest overdue open invoice of a customer, which decides the steps it may reach.
#[derive(Clone, Debug)]
struct Overdue<'a> {
    invoice: &'a Invoice,
    open: Decimal,
    count: usize,
}

struct Ctx<'a> {
    ledger: &'a Ledger,
    as_of: NaiveDate,
    /// Open amount of every invoice on the as-of date, credits applied, by position in
    /// `ledger.invoices` ([`Ledger::open_by_position`]: a third of a map's memory).
    open: Vec<Decimal>,
    /// Per customer id: its largest overdue open invoice.
    overdue: FxHashMap<&'a str, Overdue<'a>>,
    /// Only errors are wanted ([`check_ledger_errors`]).
    errors_only: bool,
}

impl<'a> Ctx<'a> {
    fn new(ledger: &'a Ledger, as_of: NaiveDate, errors_only: bool) -> Ctx<'a> {
        let open = ledger.open_by_position(as_of);
        let mut overdue: FxHashMap<&str, Overdue<'_>> = FxHashMap::default();
        for (invoice, &amount) in ledger.invoices.iter().zip(&open).filter(|(_, a)| **a > Decimal::ZERO) {
            if invoice.due >= as_of {
                continue;
            }
            let entry = overdue.entry(invoice.customer.as_str()).or_insert(Overdue {
                invoice,
                open: amount,
                count: 0,
            });
            entry.count += 1;
            if amount > entry.open || (amount == entry.open && invoice.line < entry.invoice.line) {
                entry.invoice = invoice;
                entry.open = amount;
            }
        }
        Ctx { ledger, as_of, open, overdue, errors_only }
    }

    /// The invoices with something open, each number once (at its first line).
    fn open_invoices(&self) -> impl Iterator<Item = &'a Invoice> + '_ {
        self.ledger.invoices.iter().zip(&self.open).filter(|(_, a)| **a > Decimal::ZERO).map(|(i, _)| i)
    }

    /// What is open on the invoice with this number (0: nothing, or no such invoice).
    fn open_on(&self, number: &str) -> Decimal {
        self.ledger.invoice_position(number).map_or(Decimal::ZERO, |at| self.open[at])
    }

    /// For the errors alone: drops the warnings found since `mark`, as they are found.
    fn settle(&self, findings: &mut Vec<Finding>, mark: usize) {
        if !self.errors_only {
            return;
        }
        let mut kept = mark;
        for at in mark..findings.len() {
            if findings[at].is_error() {
                findings.swap(kept, at);
                kept += 1;
            }
        }
        findings.truncate(kept);
    }
}

// ---------------------------------------------------------------------------------------------
// Customers

fn check_customer(ctx: &Ctx<'_>, c: &Customer, out: &mut Vec<Finding>) {
    let at = |severity_error: bool, field: &'static str, code: &'static str, message: String| {
        let f = if severity_error {
            Finding::error(CUSTOMERS, c.line, field, code, message)
        } else {
            Finding::warning(CUSTOMERS, c.line, field, code, message)
        };
        f.customer(c.id.as_str())
    };
    if let Some(email) = &c.email
        && let Some(problem) = email_problem(email)
    {
        out.push(
            at(false, "email", "bad-email", format!("\"{email}\" is not an e-mail address: {problem}"))
                .hint("write one address, like faktura@example.se"),
        );
    }
    for (field, number) in [("phone", &c.phone), ("mobile", &c.mobile)] {
        if let Some(phone) = number
            && let Err(e) = parse_phone(phone, &c.country)
        {
            out.push(at(false, field, "bad-phone", format!("\"{phone}\" {e}")).hint(format!(
                "write it as a {} number, or with its country code (+46 70 123 45 67)",
                c.country
            )));
        }
    }
    if let Some(org_no) = &c.org_no
        && let Err(e) = validate_org_no(&c.country, c.kind.is_consumer(), org_no)
    {
        let hint = if c.country.eq_ignore_ascii_case("SE") && !c.kind.is_consumer() {
            "a Swedish organisation number has 2 or more as its third digit, a sole trader's personnummer a valid date of birth: check it against the register"
        } else {
            "check the number against the register"
        };
        out.push(at(false, "org_no", "bad-org-no", e.to_string()).hint(hint));
    }
    if let Some(postcode) = &c.postcode
        && let Some(rule) = postcode_problem(&c.country, postcode)
    {
        out.push(
            at(
                false,
                "postcode",
                "bad-postcode",
                format!("\"{postcode}\" is not a {} postcode: {rule}", c.country),
            )
            .hint("letters with a wrong postcode are returned"),
        );
    }
    let parts = [("address", &c.address), ("postcode", &c.postcode), ("city", &c.city)];
    let missing: Vec<&str> = parts.iter().filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
    if !missing.is_empty() && missing.len() < parts.len() {
        out.push(at(
            false,
            missing[0],
            "incomplete-address",
            format!("the postal address has no {}: letters cannot be sent", missing.join(" or ")),
        ));
    }

    let rules = ctx.ledger.rules_for(Some(c));
    let overdue = ctx.overdue.get(c.id.as_str());
    if let Some(f) = channel_finding(c, &rules, overdue) {
        out.push(f);
    }
    if let Some(f) = collection_finding(c, &rules, overdue) {
        out.push(f);
    }
}

/// Why a customer cannot be reached on `channel`, or `None` when it can.
pub fn channel_problem(c: &Customer, channel: Channel) -> Option<String> {
    match channel {
        Channel::Email => match &c.email {
            None => Some("no e-mail".to_owned()),
            Some(e) if email_problem(e).is_some() => Some(format!("e-mail \"{e}\" is malformed")),
            Some(_) => None,
        },
        Channel::Letter => {
            if !c.has_postal_address() {
                Some("no complete postal address".to_owned())
            } else if c.postcode.as_deref().and_then(|p| postcode_problem(&c.country, p)).is_some() {
                Some("the postcode is malformed".to_owned())
            } else {
                None
            }
        }
        Channel::Sms => match c.sms_phone().map(|p| sms_number(p, &c.country)) {
            None => Some("no phone".to_owned()),
            Some(Err(SmsProblem::Unreadable(_))) => Some("the phone number cannot be read".to_owned()),
            Some(Err(SmsProblem::NotMobile)) => Some("the phone is not a mobile number".to_owned()),
            Some(Err(problem)) => Some(format!("the phone {problem}")),
            Some(Ok(_)) => None,
        },
    }
}

fn channel_column(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Letter => "address",
        Channel::Sms => "phone",
    }
}

fn channel_finding(c: &Customer, rules: &Rules, overdue: Option<&Overdue<'_>>) -> Option<Finding> {
    // The reminder ladder is the first step a customer reaches; a `manual` segment gets calls.
    let (problems, field, hint) = if rules.manual {
        let problem = match c.call_phone().map(|p| parse_phone(p, &c.country)) {
            None => "no phone".to_owned(),
            Some(Err(_)) => "the phone number cannot be read".to_owned(),
            Some(Ok(_)) => return None,
        };
        let segment = rules.segment.as_deref().unwrap_or_default();
        (
            format!("the \"{segment}\" segment is called rather than written to, and there is {problem}"),
            "phone",
            "add a phone number".to_owned(),
        )
    } else {
        let channels = rules.reminder.channels();
        let mut problems = Vec::new();
        for &ch in &channels {
            match channel_problem(c, ch) {
                None => return None,
                Some(p) => problems.push(format!("{}: {p}", ch.name())),
            }
        }
        let field = channels.first().map_or("email", |&ch| channel_column(ch));
        let hint = if channels.contains(&Channel::Sms) {
            "add an e-mail address, a postal address or a mobile number"
        } else {
            "add an e-mail address or a postal address (or add \"sms\" to reminder.channels)"
        };
        (format!("no usable channel for reminders ({})", problems.join("; ")), field, hint.to_owned())
    };
    // An invoice below reminder.min_amount is never chased, so it makes nothing go wrong.
    let chased = overdue.filter(|o| rules.manual || o.open >= rules.reminder.min_amount());
    let finding = match chased {
        Some(o) => Finding::error(
            CUSTOMERS,
            c.line,
            field,
            "no-channel",
            format!(
                "{problems}, and {} overdue invoice{} {} open (largest {}: {} {})",
                o.count,
                if o.count == 1 { "" } else { "s" },
                if o.count == 1 { "is" } else { "are" },
                o.invoice.number,
                format_money_grouped(o.open),
                o.invoice.currency
            ),
        )
        .invoice(o.invoice.number.as_str()),
        None => Finding::warning(CUSTOMERS, c.line, field, "no-channel", problems),
    };
    Some(finding.customer(c.id.as_str()).hint(hint))
}

fn collection_finding(c: &Customer, rules: &Rules, overdue: Option<&Overdue<'_>>) -> Option<Finding> {
    if rules.manual {
        return None;
    }
    let o = overdue.filter(|o| o.open >= rules.collection.min_amount())?;
    let mut missing = Vec::new();
    if c.org_no.is_none() {
        missing.push(if c.kind.is_consumer() {
            "personal identity number (org_no)"
        } else {
            "organisation number"
        });
    }
    if !c.has_postal_address() {
        missing.push("postal address");
    }
    if missing.is_empty() {
        return None;
    }
    let field = if c.org_no.is_none() { "org_no" } else { "address" };
    Some(
        Finding::warning(
            CUSTOMERS,
            c.line,
            field,
            "collection-info-missing",
            format!(
                "a collection hand-over needs the {}; invoice {} ({} {} open, overdue) may go to collection",
                missing.join(" and "),
                o.invoice.number,
                format_money_grouped(o.open),
                o.invoice.currency
            ),
        )
        .customer(c.id.as_str())
        .invoice(o.invoice.number.as_str())
        .hint("the agency returns a case it cannot identify the debtor for"),
    )
}

/// What is wrong with an e-mail address, or `None`. Deliberately plain: one address, a local
/// part, `@`, and a domain of at least two labels whose last is letters only.
pub fn email_problem(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.contains([';', ',']) || t.matches('@').count() > 1 && t.split_whitespace().count() > 1 {
        return Some("one address only (put others in a note)");
    }
    if t.chars().any(char::is_whitespace) {
        return Some("it contains a space");
    }
    let Some((local, domain)) = t.split_once('@') else { return Some("it has no @") };
    if domain.contains('@') {
        return Some("it has more than one @");
    }
    const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";
    if local.is_empty() || local.len() > 64 {
        return Some("the part before @ is empty or too long");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("the part before @ has a misplaced dot");
    }
    if !local.chars().all(|c| c.is_alphanumeric() || LOCAL_SPECIALS.contains(c)) {
        return Some("the part before @ has a character e-mail does not allow");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Some("the domain has no dot");
    }
    if labels.iter().any(|l| l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-')) {
        return Some("the domain has an empty or misplaced part");
    }
    if !labels.iter().all(|l| l.chars().all(|c| c.is_alphanumeric() || c == '-')) {
        return Some("the domain has a character domains do not allow");
    }
    let tld = labels[labels.len() - 1];
    if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
        return Some("the domain does not end in a top-level domain like .se");
    }
    None
}

/// What is wrong with a postcode of `country`, or `None` (also for countries whose format is
/// not known here). SE: 5 digits, often `NNN NN`; NO and DK: 4 digits; FI: 5 digits. A
/// country prefix (`SE-`, `S-`, `NO-`, `N-`, `DK-`, `FI-`, `SF-`) is allowed.
pub fn postcode_problem(country: &str, text: &str) -> Option<&'static str> {
    let country = country.trim().to_ascii_uppercase();
    let (prefixes, rule): (&[&str], &'static str) = match country.as_str() {
        "SE" => (&["SE-", "S-", "SE"], "5 digits, like 431 34 or 43134"),
        "NO" => (&["NO-", "N-", "NO"], "4 digits, like 0150"),
        "DK" => (&["DK-", "DK"], "4 digits, like 8000"),
        "FI" => (&["FI-", "SF-", "FI"], "5 digits, like 00100"),
        _ => return None,
    };
    let t = text.trim();
    // ASCII upper-casing keeps byte offsets, so the prefix length cuts `t` too.
    let upper = t.to_ascii_uppercase();
    let cut = prefixes.iter().find(|p| upper.starts_with(**p)).map_or(0, |p| p.len());
    let body = t[cut..].trim_start();
    let ok = match country.as_str() {
        "SE" => {
            let b = body.as_bytes();
            let digits: Vec<u8> = b.iter().copied().filter(|c| *c != b' ').collect();
            let shape = b.len() == 5 || (b.len() == 6 && b[3] == b' ');
            shape && digits.len() == 5 && digits.iter().all(u8::is_ascii_digit) && digits[0] != b'0'
        }
        "NO" | "DK" => body.len() == 4 && body.bytes().all(|c| c.is_ascii_digit()),
        _ => body.len() == 5 && body.bytes().all(|c| c.is_ascii_digit()),
    };
    (!ok).then_some(rule)
}

// ---------------------------------------------------------------------------------------------
// Likely duplicate customers

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
fn same_name(a: &str, b: &str) -> bool {
    let na = normalized_name(a);
    !na.is_empty()
        && na == normalized_name(b)
        && match (company_form(a), company_form(b)) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

fn normalized_org_no(country: &str, org_no: &str) -> String {
    let digits: String = org_no.chars().filter(char::is_ascii_digit).collect();
    // A Swedish 12-digit personnummer (century first) is the same person as its 10-digit form.
    if country.eq_ignore_ascii_case("SE") && digits.len() == 12 { digits[2..].to_owned() } else { digits }
}

fn likely_duplicates(ledger: &Ledger, out: &mut Vec<Finding>) {
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
struct EarlierMatches {
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
fn earlier_matches(ledger: &Ledger, at: usize) -> EarlierMatches {
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
fn duplicates_of(ledger: &Ledger, at: usize, earlier: EarlierMatches, out: &mut Vec<Finding>) {
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

// ---------------------------------------------------------------------------------------------
// Invoices

/// The reference scheme the banks of a country use.
fn country_ref_kind(country: &str) -> Option<RefKind> {
    let country = country.trim();
    [("SE", RefKind::Ocr), ("NO", RefKind::Kid), ("DK", RefKind::Fik), ("FI", RefKind::Viite)]
        .into_iter()
        .find(|(code, _)| country.eq_ignore_ascii_case(code))
        .map(|(_, kind)| kind)
}

/// Checks a payment reference against the schemes it may be of: RF when it starts with `RF`,
/// else the company's country's, the policy's `reminder.reference` and the customer's
/// country's (a company may bank in its customers' countries). `Ok` when any accepts it, or
/// when no scheme is known.
fn reference_problem(
    company_country: &str,
    rules: &Rules,
    customer_country: Option<&str>,
    reference: &str,
) -> Result<(), String> {
    // Whether it starts with RF once normalised (`normalize_reference`), without the copy.
    let mut letters = reference.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase());
    let rf = letters.next() == Some('R') && letters.next() == Some('F');
    // At most three schemes, kept on the stack: this runs for every invoice.
    let mut kinds = [RefKind::Rf; 3];
    let mut known = 1;
    if !rf {
        known = 0;
        for kind in [
            country_ref_kind(company_country),
            rules.reminder.reference().kind().filter(|k| *k != RefKind::Rf),
            customer_country.and_then(country_ref_kind),
        ]
        .into_iter()
        .flatten()
        {
            if !kinds[..known].contains(&kind) {
                kinds[known] = kind;
                known += 1;
            }
        }
    }
    let kinds = &kinds[..known];
    let Some(&first) = kinds.first() else { return Ok(()) };
    let normalized = super::reference::normalize_reference(reference);
    if kinds.iter().any(|&k| validate_normalized(k, &normalized).is_ok()) {
        return Ok(());
    }
    let names: Vec<String> = kinds.iter().map(|k| k.name().to_uppercase()).collect();
    let why = validate_reference(first, reference).err().map(|e| e.to_string()).unwrap_or_default();
    Err(format!("\"{reference}\" is not a valid {} reference: {why}", names.join(" or ")))
}

/// Each customer's usual currency: the currency of a strict majority of its invoices, when
/// that is at least two.
fn usual_currencies<'a>(invoices: impl IntoIterator<Item = &'a Invoice>) -> FxHashMap<&'a str, Currency> {
    let mut counts: FxHashMap<&str, Vec<(Currency, u32)>> = FxHashMap::default();
    for inv in invoices.into_iter().filter(|i| !i.is_credit_note()) {
        let list = counts.entry(inv.customer.as_str()).or_default();
        match list.iter_mut().find(|(c, _)| *c == inv.currency) {
            Some((_, n)) => *n += 1,
            None => list.push((inv.currency, 1)),
        }
    }
    counts
        .into_iter()
        .filter_map(|(customer, list)| {
            let total: u32 = list.iter().map(|(_, n)| n).sum();
            let &(currency, n) = list.iter().max_by_key(|(_, n)| *n)?;
            (n >= 2 && n * 2 > total).then_some((customer, currency))
        })
        .collect()
}

/// The checks of each of `invoices` (all of the ledger's, or one customer's: a customer's
/// usual currency is counted from its own invoices).
fn check_invoices<'a, I>(ctx: &Ctx<'a>, invoices: I, out: &mut Vec<Finding>)
where
    I: IntoIterator<Item = &'a Invoice> + Clone,
{
    let usual = usual_currencies(invoices.clone());
    check_invoices_with(ctx, invoices, &usual, out);
}

/// [`check_invoices`] with each customer's usual currency given.
fn check_invoices_with<'a, I>(
    ctx: &Ctx<'a>,
    invoices: I,
    usual: &FxHashMap<&str, Currency>,
    out: &mut Vec<Finding>,
) where
    I: IntoIterator<Item = &'a Invoice>,
{
    let ledger = ctx.ledger;
    let as_of = ctx.as_of;
    let payments = PaymentIndex::new(&ledger.payments, as_of);
    let mut rules_by_segment: FxHashMap<Option<&str>, Rules> = FxHashMap::default();
    for inv in invoices {
        let mark = out.len();
        check_invoice(ctx, inv, &payments, &mut rules_by_segment, usual, out);
        ctx.settle(out, mark);
    }
}

/// The findings of one invoice line.
fn check_invoice<'a>(
    ctx: &Ctx<'a>,
    inv: &'a Invoice,
    payments: &PaymentIndex,
    rules_by_segment: &mut FxHashMap<Option<&'a str>, Rules>,
    usual: &FxHashMap<&str, Currency>,
    out: &mut Vec<Finding>,
) {
    let ledger = ctx.ledger;
    let as_of = ctx.as_of;
    let at = |error: bool, field: &'static str, code: &'static str, message: String| {
        let f = if error {
            Finding::error(INVOICES, inv.line, field, code, message)
        } else {
            Finding::warning(INVOICES, inv.line, field, code, message)
        };
        f.customer(inv.customer.as_str()).invoice(inv.number.as_str())
    };
    let customer = ledger.customer(&inv.customer);
    let rules = rules_by_segment
        .entry(customer.and_then(|c| c.segment.as_deref()))
        .or_insert_with(|| ledger.rules_for(customer));
    let credit_note = inv.is_credit_note();

    // The ledger's index holds each number's first line: any other line is a duplicate.
    if let Some(first) =
        ledger.invoice(&inv.number).filter(|first| !std::ptr::eq(*first, inv)).map(|f| f.line)
    {
        out.push(
            at(
                true,
                "number",
                "duplicate-invoice",
                format!("invoice number {} appears again (first on line {first})", inv.number),
            )
            .hint("invoice numbers must be unique; dun reads only the first line"),
        );
    }
    if customer.is_none() {
        out.push(
            at(
                true,
                "customer",
                "unknown-customer",
                format!("customer \"{}\" is not in customers.csv", inv.customer),
            )
            .hint("add the customer, or correct the id: dun cannot send anything for this invoice"),
        );
    }
    if !credit_note && inv.due < inv.issued {
        out.push(
            at(
                true,
                "due",
                "due-before-issued",
                format!("due {} is before the invoice date {}", inv.due, inv.issued),
            )
            .hint("days overdue, reminders and interest count from the due date: correct it"),
        );
    }
    if let Some(balance) = inv.balance()
        && inv.amount - inv.paid != balance
    {
        out.push(
            at(
                true,
                "balance",
                "balance-mismatch",
                format!(
                    "balance {} does not match amount {} − paid {} = {}",
                    format_money_grouped(balance),
                    format_money_grouped(inv.amount),
                    format_money_grouped(inv.paid),
                    format_money_grouped(inv.amount - inv.paid)
                ),
            )
            .hint("dun uses paid; correct whichever is wrong"),
        );
    }
    if let Some(balance) = inv.balance()
        && balance.abs() > inv.amount.abs()
        && (balance.is_sign_negative() == inv.amount.is_sign_negative() || inv.amount.is_zero())
    {
        out.push(
            at(
                true,
                "balance",
                "balance-over-amount",
                format!(
                    "balance {} is more than the amount {}",
                    format_money_grouped(balance),
                    format_money_grouped(inv.amount)
                ),
            )
            .hint("an export whose balance includes fees or interest: dun would chase them and add its own on top; map the fees to `fees` ([columns.invoices] fees = \"...\") or correct the balance"),
        );
    }
    if !credit_note && inv.amount > Decimal::ZERO {
        let record = inv.record();
        if let Some(open) = open_before_credits(&record, as_of, payments)
            && open < Decimal::ZERO
        {
            let from_payments = payments.paid_on(&record);
            let paid = inv.amount - open - from_payments;
            out.push(
                at(
                    true,
                    "paid",
                    "overpaid",
                    format!(
                        "paid {} ({} in invoices.csv + {} in payments.csv) is more than the amount {}",
                        format_money_grouped(inv.amount - open),
                        format_money_grouped(paid),
                        format_money_grouped(from_payments),
                        format_money_grouped(inv.amount)
                    ),
                )
                .hint("a payment counted twice (in paid and payments.csv)? otherwise refund or credit the customer"),
            );
        }
    }
    if credit_note && let Some(target) = inv.credits() {
        match ledger.invoice(target) {
            None => out.push(
                at(
                    true,
                    "credits",
                    "credit-unknown-invoice",
                    format!("credit note credits invoice {target}, which is not in invoices.csv"),
                )
                .hint("correct the invoice number; until then it counts as an unapplied credit"),
            ),
            Some(t) if t.customer != inv.customer || t.currency != inv.currency => out.push(
                at(
                    true,
                    "credits",
                    "credit-mismatch",
                    format!(
                        "credit note ({}, {}) credits invoice {target} of customer {} in {}: it cannot apply",
                        inv.customer, inv.currency, t.customer, t.currency
                    ),
                )
                .hint("a credit note must be for the same customer and currency as its invoice"),
            ),
            Some(_) => {}
        }
    }
    if let Some(reference) = inv.reference.as_deref()
        && let Err(problem) =
            reference_problem(&ledger.policy.country, rules, customer.map(|c| c.country.as_str()), reference)
    {
        let open = ctx.open_on(&inv.number);
        let printed = !credit_note && open > Decimal::ZERO;
        let f = at(printed, "reference", "bad-reference", problem);
        out.push(if printed {
            f.hint("the invoice is open: a reminder would print this reference and the bank would reject the payment")
        } else {
            f
        });
    }
    if let Some(&u) = usual.get(inv.customer.as_str())
        && u != inv.currency
    {
        out.push(
            at(
                false,
                "currency",
                "unusual-currency",
                format!("currency {} differs from the customer's usual {u}", inv.currency),
            )
            .hint("a reminder asks for the amount in this currency: make sure it is right"),
        );
    }
    if inv.issued > as_of {
        out.push(at(
            false,
            "issued",
            "future-date",
            format!("invoice date {} is after the as-of date {as_of}", inv.issued),
        ));
    }
    if let Some(paid_on) = inv.paid_on.filter(|d| *d > as_of) {
        out.push(at(
            false,
            "paid_on",
            "future-date",
            format!("paid_on {paid_on} is after the as-of date {as_of}"),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Payments

fn check_payments(ctx: &Ctx<'_>, streamed: Option<&Streamed>, out: &mut Vec<Finding>) {
    let ledger = ctx.ledger;
    // Every invoice's reference, normalised: a String per invoice, so made only when some
    // payment goes by reference alone (most ledgers have none, or no payments.csv at all).
    let by_reference_only = ledger.payments.iter().any(|p| p.invoice.is_none() && p.reference.is_some());
    let references: FxHashSet<String> = match (by_reference_only, streamed) {
        (false, _) => FxHashSet::default(),
        (true, None) => {
            ledger.invoices.iter().filter_map(|i| i.reference.as_deref()).map(normalize_reference).collect()
        }
        (true, Some(s)) => s.references.clone(),
    };
    let known = |number: &str| match streamed {
        None => ledger.invoice(number).is_some(),
        Some(s) => s.numbers.contains(number),
    };
    for p in &ledger.payments {
        let at = |field: &'static str, code: &'static str, message: String| {
            let f = Finding::warning(PAYMENTS, p.line, field, code, message);
            match &p.invoice {
                Some(n) => f.invoice(n),
                None => f,
            }
        };
        match (&p.invoice, &p.reference) {
            (Some(number), _) if !known(number) => out.push(
                at(
                    "invoice",
                    "payment-unmatched",
                    format!("payment of {} names invoice {number}, which is not in invoices.csv", format_money_grouped(p.amount)),
                )
                .hint("correct the invoice number: until then the money is applied to nothing and the invoice it pays stays open"),
            ),
            (None, Some(reference)) if !references.contains(&normalize_reference(reference)) => out.push(
                at(
                    "reference",
                    "payment-unmatched",
                    format!(
                        "payment of {} has reference {reference}, which no invoice has",
                        format_money_grouped(p.amount)
                    ),
                )
                .hint("add the invoice number: until then the money is applied to nothing and the invoice it pays stays open"),
            ),
            _ => {}
        }
        if p.date > ctx.as_of {
            out.push(at(
                "date",
                "future-date",
                format!("payment date {} is after the as-of date {}", p.date, ctx.as_of),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Credit watch

fn credit_watch(ledger: &Ledger, as_of: NaiveDate, out: &mut Vec<Finding>) {
    let behaviour = super::credit::behaviour(ledger, as_of);
    credit_watch_of(ledger, as_of, |i| behaviour.get(i).cloned(), out);
}

/// [`credit_watch`] with each customer's payment behaviour (by register position) given.
fn credit_watch_of(
    ledger: &Ledger,
    as_of: NaiveDate,
    behaviour: impl Fn(usize) -> Option<Behaviour>,
    out: &mut Vec<Finding>,
) {
    let exposure = super::credit::exposure(&ledger.open_book(as_of));
    let owed = |i: u32, c: Currency| exposure.get(&(i, c)).copied().unwrap_or_default();
    for item in watch_list_by(&ledger.customers, &ledger.policy, owed, behaviour, as_of) {
        for reason in &item.reasons {
            let (field, hint) = match reason {
                WatchReason::OverLimit { .. } => {
                    ("credit_limit", "hold new orders or raise the limit after a review")
                }
                WatchReason::NewCustomer { .. } => {
                    ("credit_limit", "run a credit check before more is delivered on credit")
                }
                WatchReason::PayingLater { .. } => ("", "call the customer before the next delivery"),
            };
            out.push(
                Finding::warning(CUSTOMERS, item.line, field, reason.code(), reason.describe())
                    .customer(&item.customer)
                    .hint(hint),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Checking while the invoices stream past

/// A customer's invoice counts per currency (credit notes left out): the first two currencies
/// inline, further ones in [`CheckTally::more`].
type CurrencyCounts = [(Option<Currency>, u32); 2];

/// What [`check_ledger`] reads of every invoice, gathered while `invoices.csv` streams past
/// (see [`CheckScan`]): with it, a load for `dun check` keeps only the invoices a finding can
/// be about. Everything is kept by the customer's position in the register.
pub struct Streamed {
    /// Each customer's usual currency (see [`usual_currencies`]).
    usual: Vec<Option<Currency>>,
    /// Whether some customer has an invoice in a currency other than its usual one.
    any_unusual: bool,
    /// Each customer's last invoice, settlement, payment or journal event up to the as-of date.
    last: Vec<Option<NaiveDate>>,
    /// The latest journal event up to the as-of date of each invoice named by a line that names
    /// no customer: its customer is the invoice's, found in the kept invoices (the load keeps
    /// every line of these numbers).
    journal_invoices: FxHashMap<String, NaiveDate>,
    behaviour: SettledBook,
    /// The invoice numbers named in `payments.csv` that `invoices.csv` has.
    numbers: FxHashSet<String>,
    /// The normalised references of payments that name no invoice which some invoice has.
    references: FxHashSet<String>,
}

/// One worker's part of [`Streamed`].
pub struct CheckTally {
    counts: Vec<CurrencyCounts>,
    more: FxHashMap<(u32, Currency), u32>,
    last: Vec<Option<NaiveDate>>,
    credit: CreditBook,
    numbers: Vec<String>,
    references: Vec<String>,
    /// The register position and currency of each credit note: it does not count towards its
    /// customer's usual currency, but may differ from it.
    credit_notes: Vec<(u32, Currency)>,
}

impl CheckTally {
    fn count(&mut self, owner: u32, currency: Currency, n: u32) {
        super::credit::count_currency(&mut self.counts[owner as usize], &mut self.more, owner, currency, n);
    }
}

fn see(last: &mut Option<NaiveDate>, day: NaiveDate) {
    *last = Some(last.map_or(day, |l| l.max(day)));
}

/// What every worker of a load for `dun check` reads, built once before the scan.
pub struct CheckScan<'a> {
    as_of: NaiveDate,
    policy: &'a Policy,
    customers: &'a [Customer],
    dates: PaymentDates,
    /// Whether `payments.csv` pays anything by the as-of date (else no payment date is sought).
    any_paid: bool,
    /// The rules of each segment the register uses (`None`: the base rules).
    rules: FxHashMap<Option<&'a str>, Rules>,
    /// The invoice numbers `payments.csv` names.
    named: FxHashSet<&'a str>,
    /// The normalised references of the payments that name no invoice.
    referenced: FxHashSet<String>,
}

impl<'a> CheckScan<'a> {
    pub fn new(
        policy: &'a Policy,
        customers: &'a [Customer],
        payments: &'a [Payment],
        as_of: NaiveDate,
    ) -> Self {
        let mut rules = FxHashMap::default();
        rules.insert(None, policy.base_rules());
        for c in customers {
            let segment = c.segment.as_deref();
            rules
                .entry(segment)
                .or_insert_with(|| policy.rules(segment).unwrap_or_else(|| policy.base_rules()));
        }
        let named = payments.iter().filter_map(|p| p.invoice.as_deref()).collect();
        let referenced = payments
            .iter()
            .filter(|p| p.invoice.is_none())
            .filter_map(|p| p.reference.as_deref())
            .map(normalize_reference)
            .collect();
        CheckScan {
            as_of,
            policy,
            customers,
            dates: PaymentDates::new(payments, as_of),
            any_paid: payments.iter().any(|p| p.date <= as_of),
            rules,
            named,
            referenced,
        }
    }

    /// An empty tally for one worker.
    pub fn tally(&self) -> CheckTally {
        CheckTally {
            counts: vec![[(None, 0); 2]; self.customers.len()],
            more: FxHashMap::default(),
            last: vec![None; self.customers.len()],
            credit: CreditBook::new(self.as_of),
            numbers: Vec::new(),
            references: Vec::new(),
            credit_notes: Vec::new(),
        }
    }

    /// Whether [`check_ledger`] finds something about this record of `invoices.csv` on its own
    /// (`owner`: its customer's register position): an error [`flagged_alone`] finds, a
    /// reference that fails its check, a date after the as-of date. A load for `dun check`
    /// keeps such a record whatever else it keeps.
    pub fn flags(&self, record: &InvoiceRecord<'_>, owner: Option<u32>) -> bool {
        flagged_alone(record, owner.is_some())
            || record.issued > self.as_of
            || record.paid_on.is_some_and(|d| d > self.as_of)
            || record.reference.is_some_and(|reference| {
                let customer = owner.map(|o| &self.customers[o as usize]);
                let segment = customer.and_then(|c| c.segment.as_deref());
                let rules = &self.rules[&segment];
                let country = customer.map(|c| c.country.as_str());
                reference_problem(&self.policy.country, rules, country, reference).is_err()
            })
    }

    /// Adds one record of `invoices.csv` to a worker's tally.
    pub fn push(&self, tally: &mut CheckTally, record: &InvoiceRecord<'_>, owner: Option<u32>) {
        tally.credit.push_for(record, owner, &self.dates);
        if !self.named.is_empty() && self.named.contains(record.number) {
            tally.numbers.push(record.number.to_owned());
        }
        if let (false, Some(reference)) = (self.referenced.is_empty(), record.reference) {
            let reference = normalize_reference(reference);
            if self.referenced.contains(&reference) {
                tally.references.push(reference);
            }
        }
        let Some(owner) = owner else { return };
        if record.is_credit_note() {
            tally.credit_notes.push((owner, record.currency));
        } else {
            tally.count(owner, record.currency, 1);
        }
        if record.issued <= self.as_of {
            let last = &mut tally.last[owner as usize];
            see(last, record.issued);
            if let Some(d) = record.paid_on.filter(|d| *d <= self.as_of) {
                see(last, d);
            }
            if self.any_paid
                && let Some(d) = self.dates.on(record).iter().map(|p| p.0).max()
            {
                see(last, d);
            }
        }
    }

    /// The workers' tallies as one.
    pub fn finish(&self, tallies: Vec<CheckTally>) -> Streamed {
        let mut tallies = tallies.into_iter();
        let mut all = tallies.next().unwrap_or_else(|| self.tally());
        let mut books = Vec::new();
        for other in tallies {
            for (owner, counts) in other.counts.iter().enumerate() {
                for &(currency, n) in counts {
                    if let Some(c) = currency {
                        all.count(owner as u32, c, n);
                    }
                }
            }
            for ((owner, currency), n) in other.more {
                all.count(owner, currency, n);
            }
            for (mine, theirs) in all.last.iter_mut().zip(other.last) {
                if let Some(d) = theirs {
                    see(mine, d);
                }
            }
            books.push(other.credit);
            all.numbers.extend(other.numbers);
            all.references.extend(other.references);
            all.credit_notes.extend(other.credit_notes);
        }
        books.push(all.credit);
        // A customer's third and further currencies, by customer (rare).
        let mut more: FxHashMap<u32, Vec<(Currency, u32)>> = FxHashMap::default();
        for ((owner, currency), n) in all.more {
            more.entry(owner).or_default().push((currency, n));
        }
        let mut any_unusual = false;
        let usual = all
            .counts
            .iter()
            .enumerate()
            .map(|(owner, counts)| {
                let mut list: Vec<(Currency, u32)> =
                    counts.iter().filter_map(|&(c, n)| Some((c?, n))).collect();
                list.extend(more.get(&(owner as u32)).into_iter().flatten());
                let total: u32 = list.iter().map(|(_, n)| n).sum();
                let &(currency, n) = list.iter().max_by_key(|(_, n)| *n)?;
                let usual = (n >= 2 && n * 2 > total).then_some(currency);
                any_unusual |= usual.is_some() && n < total;
                usual
            })
            .collect::<Vec<Option<Currency>>>();
        any_unusual |=
            all.credit_notes.iter().any(|&(owner, c)| usual[owner as usize].is_some_and(|u| u != c));
        Streamed {
            usual,
            any_unusual,
            last: all.last,
            journal_invoices: FxHashMap::default(),
            behaviour: CreditBook::merge_all(books, self.as_of).settle(),
            numbers: all.numbers.into_iter().collect(),
            references: all.references.into_iter().collect(),
        }
    }
}

impl Streamed {
    /// Whether [`check_ledger`] calls this record's currency unusual for its customer (at
    /// register position `owner`): a load keeps such a record.
    /// (A credit note too, though it does not count towards the usual currency.)
    pub fn unusual(&self, record: &InvoiceRecord<'_>, owner: Option<u32>) -> bool {
        owner.and_then(|o| self.usual[o as usize]).is_some_and(|u| u != record.currency)
    }

    /// Whether some customer has an invoice in a currency other than its usual one: if not,
    /// [`Streamed::unusual`] keeps nothing.
    pub fn any_unusual(&self) -> bool {
        self.any_unusual
    }

    /// Adds what the journal says of activity (`index` finds customers in the register).
    pub fn add_journal(&mut self, index: &CustomerIndex<'_>, activity: JournalActivity) {
        for (customer, day) in activity.by_customer {
            if let Some(owner) = index.get(&customer) {
                see(&mut self.last[owner as usize], day);
            }
        }
        self.journal_invoices = activity.by_invoice;
    }

    /// The invoice numbers a journal line names without a customer: a load keeps every line
    /// of them, so that the invoice's customer is found as the whole ledger finds it.
    pub fn journal_numbers(&self) -> impl Iterator<Item = &str> {
        self.journal_invoices.keys().map(String::as_str)
    }

    /// Each customer's usual currency, by id: the register's from the tallies, those of
    /// customers the register lacks from their invoices (a load keeps all of them).
    fn usual_currencies<'a>(&self, ledger: &'a Ledger) -> FxHashMap<&'a str, Currency> {
        let unknown = ledger.invoices.iter().filter(|i| ledger.customer(&i.customer).is_none());
        let mut usual = usual_currencies(unknown);
        for (c, u) in ledger.customers.iter().zip(&self.usual) {
            if let Some(u) = u {
                usual.insert(c.id.as_str(), *u);
            }
        }
        usual
    }

    /// Each customer's last activity, by id (see [`super::privacy::last_activities`]).
    fn last_activities<'a>(&self, ledger: &'a Ledger) -> FxHashMap<&'a str, NaiveDate> {
        let mut latest = self.last.clone();
        for (number, day) in &self.journal_invoices {
            let owner = ledger.invoice(number).and_then(|i| ledger.customer_position(&i.customer));
            if let Some(owner) = owner {
                see(&mut latest[owner], *day);
            }
        }
        let mut last = FxHashMap::default();
        for (c, d) in ledger.customers.iter().zip(&latest) {
            if let Some(d) = d {
                last.insert(c.id.as_str(), *d);
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "faktura@example.se",
            "a.b+c@sub.example.co.uk",
            "styrelsen@brfkvarnfallet.example",
            "åsa@företag.se",
        ] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("faktura.example.se", "it has no @"),
            ("a@b@c.se", "it has more than one @"),
            ("a@example", "the domain has no dot"),
            ("a b@example.se", "it contains a space"),
            ("a@x.se b@x.se", "one address only (put others in a note)"),
            ("a@x.se; b@x.se", "one address only (put others in a note)"),
            ("a@example..se", "the domain has an empty or misplaced part"),
            (".a@example.se", "the part before @ has a misplaced dot"),
            ("a@example.s3", "the domain does not end in a top-level domain like .se"),
            ("a@exa_mple.se", "the domain has a character domains do not allow"),
            ("@example.se", "the part before @ is empty or too long"),
        ] {
            assert_eq!(email_problem(bad), Some(why), "{bad}");
        }
    }

    #[test]
    fn postcodes() {
        for (country, ok) in [
            ("SE", "431 34"),
            ("SE", "43134"),
            ("SE", "SE-431 34"),
            ("NO", "0150"),
            ("DK", "8000"),
            ("DK", "DK-8000"),
            ("FI", "00100"),
            ("FI", "FI-00100"),
            ("DE", "20095"),
            ("DE", "whatever"),
        ] {
            assert_eq!(postcode_problem(country, ok), None, "{country} {ok}");
        }
        for (country, bad) in [
            ("SE", "4313"),
            ("SE", "43 134"),
            ("SE", "031 34"),
            ("NO", "01500"),
            ("DK", "800"),
            ("FI", "0010"),
            ("FI", "00 100"),
        ] {
            assert!(postcode_problem(country, bad).is_some(), "{country} {bad}");
        }
    }

    /// The checks run on two threads, their findings joined in the order one thread found
    /// them: the policy's findings (all on line 0) come as ever, the reference rates the
    /// invoices use first, then the company's details.
    #[test]
    fn findings_on_one_line_keep_the_order_of_the_checks() {
        use super::super::journal::Journal;
        use super::super::model::Invoice;
        use super::super::policy::Policy;
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let policy = Policy::from_toml(
            "[company]\nname = \"Firma\"\ncountry = \"DK\"\ncurrency = \"DKK\"\n\
             email = \"faktura.example.dk\"\nbankgiro = \"123\"\n[interest]\nmode = \"statutory\"\n",
        )
        .unwrap();
        let customer = Customer {
            id: "B".into(),
            name: "Kund B".into(),
            country: "DK".into(),
            line: 2,
            ..Customer::default()
        };
        let invoice =
            Invoice::unpaid_sek("1", "B", day("2026-05-02"), day("2026-06-01"), Decimal::from(1000));
        let ledger = Ledger::new(policy, vec![customer], vec![invoice], Vec::new(), Journal::default());
        let on_policy: Vec<&str> = check_ledger(&ledger, day("2026-08-01"))
            .iter()
            .filter(|f| &*f.file == "policy.toml")
            .map(|f| &*f.code)
            .collect();
        assert_eq!(on_policy, ["reference-rate-missing", "bad-payment-detail", "bad-company-email"]);
    }

    #[test]
    fn names_compare_without_case_punctuation_and_company_form() {
        assert_eq!(normalized_name("Åby Bageri AB"), normalized_name("ÅBY BAGERI"));
        assert_eq!(normalized_name("Berg, Holm & Co HB"), "berg holm co");
        assert_eq!(normalized_name("Jensen A/S"), "jensen");
        assert_ne!(normalized_name("Åby Bageri AB"), normalized_name("Åby Konditori AB"));
    }

    #[test]
    fn different_company_forms_are_different_names() {
        assert!(same_name("Åby Bageri AB", "ÅBY BAGERI"));
        assert!(same_name("Kjær ApS", "kjær aps"));
        assert!(!same_name("Kjær ApS", "Kjær I/S"));
        assert!(!same_name("AB", "AB"), "a name of nothing but a company form is no evidence");
    }

    proptest::proptest! {
        /// One customer's findings, checked alone (`dun customer`), are exactly the whole
        /// ledger's findings about it, the credit watch's aside: data problems, likely
        /// duplicates (by org number, e-mail, name and postcode, company forms), invoices
        /// (duplicate numbers, unknown customers, credit notes, references, balances, unusual
        /// currencies), retention and unreachable payment details, in the same order.
        #[test]
        fn one_customers_findings_checked_alone_are_the_whole_ledgers(
            customers in proptest::collection::vec(
                (0usize..4, 0usize..3, 0usize..4, 0usize..3, proptest::bool::ANY, 0usize..3),
                1..7,
            ),
            invoices in proptest::collection::vec(
                (0usize..8, 0u32..4, -3i64..8, 0usize..4, 0u64..400, proptest::bool::ANY),
                0..12,
            ),
            iban in proptest::bool::ANY,
            on in 0u64..4000,
        ) {
            use super::super::journal::Journal;
            use super::super::model::{Customer, Invoice};
            use super::super::policy::Policy;
            let names = ["Åby Bageri AB", "ÅBY BAGERI", "Kjær ApS", "Kjær I/S"];
            let emails = [None, Some("a@x.se"), Some(" A@X.se "), Some("bad@")];
            let orgs = [None, Some("556036-0793"), Some("5560360793"), Some("19570819-9327")];
            let postcodes = [None, Some("431 34"), Some("43134")];
            let ids = ["K1", "K2", "K3", "K1"];
            let customers: Vec<Customer> = customers
                .iter()
                .enumerate()
                .map(|(i, &(name, email, org, postcode, address, id))| Customer {
                    // Now and then an id given twice.
                    id: if id == 0 { ids[i % 4].into() } else { compact_str::format_compact!("C{i}") },
                    name: names[name].into(),
                    country: if i % 3 == 2 { "NO".into() } else { "SE".into() },
                    email: emails[email].map(Into::into),
                    org_no: orgs[org].map(Into::into),
                    postcode: postcodes[postcode].map(Into::into),
                    address: address.then(|| "Gatan 1".into()),
                    city: address.then(|| "Stad".into()),
                    line: i as u64 + 2,
                    ..Customer::default()
                })
                .collect();
            let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
            let references = [None, Some("1234567897"), Some("1234567890"), Some("RF18539007547034")];
            let invoices: Vec<Invoice> = invoices
                .iter()
                .enumerate()
                .map(|(i, &(customer, number, amount, reference, due, eur))| {
                    let customer = customers.get(customer).map_or("NOBODY".to_owned(), |c| c.id.to_string());
                    let due = start + chrono::Days::new(due * 5);
                    let mut inv = Invoice::unpaid_sek(
                        &format!("{}", 100 + number),
                        &customer,
                        due - chrono::Days::new(30),
                        due,
                        Decimal::new(amount * 25_000, 2),
                    );
                    if eur {
                        inv.currency = Currency::parse("EUR").unwrap();
                    }
                    inv.reference = references[reference].map(Into::into);
                    if amount < 0 {
                        inv.set_credits(Some(&format!("{}", 100 + (number + 1) % 4)));
                    }
                    inv.line = i as u64 + 2;
                    inv
                })
                .collect();
            let policy = Policy::from_toml(&format!(
                "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n{}",
                if iban { "iban = \"SE4550000000058398257466\"\nbic = \"ESSESESS\"\n" } else { "" }
            ))
            .unwrap();
            let ledger = Ledger::new(policy, customers, invoices, Vec::new(), Journal::default());
            let as_of = start + chrono::Days::new(on);
            let all = check_ledger(&ledger, as_of);
            for c in &ledger.customers {
                let expected: Vec<&Finding> = all
                    .iter()
                    .filter(|f| f.customer.as_deref() == Some(c.id.as_str()))
                    .filter(|f| !super::super::credit::WATCH_CODES.contains(&f.code))
                    .collect();
                let alone = check_customer_findings(&ledger, as_of, c);
                proptest::prop_assert_eq!(alone.iter().collect::<Vec<_>>(), expected);
            }
        }
    }

    #[test]
    fn swedish_personnummer_forms_are_one_number() {
        assert_eq!(normalized_org_no("SE", "19570819-9327"), normalized_org_no("SE", "570819-9327"));
        assert_eq!(normalized_org_no("NO", "988 077 917"), "988077917");
    }
}
