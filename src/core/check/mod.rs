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
use super::credit::{CreditBook, SettledBook};
use super::finding::{Finding, FindingList, Findings, Made, Wording};
use super::ledger::{
    Debtor, Ledger, PaymentDates, PaymentIndex, flagged_alone, normalize_reference, open_before_credits,
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
    check_all(ledger, as_of, None, false).to_vec()
}

/// The errors of [`check_ledger`] alone, in the same order: the data gate of `dun remind` and
/// `dun collect`. The checks that find nothing but warnings (likely duplicates, payments, the
/// credit watch, retention) are not run, and each customer's and invoice's warnings are dropped
/// as they are found: on a ledger of millions of invoices the warnings were most of the gate's
/// memory.
pub fn check_ledger_errors(ledger: &Ledger, as_of: NaiveDate) -> Vec<Finding> {
    check_all(ledger, as_of, None, true).to_vec()
}

/// [`check_ledger`], its findings kept where the checks found them: what `dun check` writes
/// out. With `streamed`, of a ledger loaded for `dun check`
/// (`io::ledger_dir::load_ledger_for_check`): `ledger.invoices` holds only the invoices a
/// finding can be about, and what the checks read of every invoice (usual currencies, payment
/// behaviour, last activities, the numbers and references payments name) comes from
/// `streamed`. The same findings in the same order.
pub fn check_ledger_kept(ledger: &Ledger, as_of: NaiveDate, streamed: Option<&Streamed>) -> Findings {
    check_all(ledger, as_of, streamed, false)
}

/// [`check_ledger_kept`] of a streamed load, in one list (the tests compare it with
/// [`check_ledger`]).
#[cfg(test)]
pub fn check_ledger_streamed(ledger: &Ledger, as_of: NaiveDate, streamed: &Streamed) -> Vec<Finding> {
    check_all(ledger, as_of, Some(streamed), false).to_vec()
}

fn check_all(ledger: &Ledger, as_of: NaiveDate, streamed: Option<&Streamed>, errors_only: bool) -> Findings {
    // The checks that find only warnings are not run for the errors alone.
    let parts: Vec<Part> = Part::ALL.into_iter().filter(|p| !errors_only || p.finds_errors()).collect();
    let job = Job { ledger, as_of, streamed, errors_only, ctx: std::sync::OnceLock::new() };
    // The checks are independent: each is a part taken by the next free thread, those that
    // need no open amounts (the likely duplicates, the credit watch) while the first thread
    // works them out. Two fixed halves after the open amounts left a thread idle for a fifth
    // of the time.
    let found = crate::core::each_taken(
        &parts,
        crate::core::workers(),
        &|| {
            job.ctx();
        },
        &|part| job.run(*part),
    );
    let mut found: Vec<(Part, FindingList)> = parts.into_iter().zip(found).collect();
    // Read in the order one thread would have found them, so that findings on the same line
    // come in the same order as ever.
    found.sort_by_key(|(part, _)| *part);
    let mut lists: Vec<FindingList> = found.into_iter().map(|(_, list)| list).collect();
    lists.push(FindingList::from(ledger.notes.clone()));
    Findings::sorted_where(lists, |severity| !errors_only || severity == super::finding::Severity::Error)
}

/// The checks of a whole ledger, in the order their findings are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Customers,
    Duplicates,
    Invoices,
    Payments,
    CreditWatch,
    ReferenceRates,
    Retention,
    Company,
}

impl Part {
    /// Every part, the one that needs no [`Ctx`] first (taken while the first thread works the
    /// `Ctx` out), then the longest first (as measured on the 1M ledger), so that the threads
    /// end together.
    const ALL: [Part; 8] = [
        Part::Duplicates,
        Part::CreditWatch,
        Part::Retention,
        Part::Invoices,
        Part::Customers,
        Part::Company,
        Part::ReferenceRates,
        Part::Payments,
    ];

    /// Whether it can find an error (else the errors alone skip it).
    fn finds_errors(self) -> bool {
        !matches!(self, Part::Duplicates | Part::Payments | Part::CreditWatch | Part::Retention)
    }
}

/// What every part of a check reads: the ledger, and the open amounts once worked out.
struct Job<'a> {
    ledger: &'a Ledger,
    as_of: NaiveDate,
    streamed: Option<&'a Streamed>,
    errors_only: bool,
    ctx: std::sync::OnceLock<Ctx<'a>>,
}

impl<'a> Job<'a> {
    /// The open amounts, worked out by the first part that asks (another waits for them).
    fn ctx(&self) -> &Ctx<'a> {
        self.ctx.get_or_init(|| Ctx::new(self.ledger, self.as_of, self.errors_only))
    }

    fn run(&self, part: Part) -> FindingList {
        let (ledger, as_of) = (self.ledger, self.as_of);
        let mut out = FindingList::new();
        match part {
            Part::Duplicates => likely_duplicates(ledger, &mut out),
            Part::CreditWatch => match self.streamed {
                None => credit_watch(ledger, as_of, &mut out),
                Some(s) => {
                    let exposure = &self.ctx().exposure;
                    credit_watch_of(ledger, as_of, exposure, |i| s.behaviour.behaviour(i), &mut out)
                }
            },
            Part::Retention => match self.streamed {
                None => past_retention(ledger, as_of, &mut out),
                Some(s) => {
                    let open = self.ctx().open_customers.clone();
                    let facts =
                        super::privacy::Facts::with_open(ledger, as_of, open, s.last_activities(ledger));
                    past_retention_by(ledger, as_of, None, &facts, &mut out)
                }
            },
            Part::Customers => {
                let ctx = self.ctx();
                for customer in &ledger.customers {
                    let mark = out.len();
                    check_customer(ctx, customer, &mut out);
                    ctx.settle(&mut out, mark);
                }
            }
            Part::Invoices => {
                let usual = match self.streamed {
                    None => usual_currencies(&ledger.invoices),
                    Some(s) => s.usual_currencies(ledger),
                };
                check_invoices_with(self.ctx(), &ledger.invoices, &usual, &mut out);
                if let (Some(s), false) = (self.streamed, self.errors_only) {
                    // The settled lines the load only noted, one finding each.
                    s.push_settled(&ledger.customers, &mut out);
                }
            }
            Part::Payments => check_payments(self.ctx(), self.streamed, &mut out),
            Part::ReferenceRates => reference_rates(self.ctx(), &mut out),
            Part::Company => company_details(self.ctx(), &mut out),
        }
        out
    }
}

/// The findings of [`check_ledger`] about one customer (`customer` must be one of
/// `ledger.customers`) and its invoices, the credit watch's left out, in the same order:
/// `dun customer` runs only the checks that can concern it, not the whole ledger's.
pub fn check_customer_findings(ledger: &Ledger, as_of: NaiveDate, customer: &Customer) -> Vec<Finding> {
    let id = customer.id.as_str();
    let ctx = Ctx::new(ledger, as_of, false);
    let mut findings = FindingList::new();
    // Every line of the register with the id (normally one).
    let records: Vec<usize> = (0..ledger.customers.len()).filter(|&i| ledger.customers[i].id == id).collect();
    // The checks in check_ledger's order, each on what concerns the customer.
    for &at in &records {
        check_customer(&ctx, &ledger.customers[at], &mut findings);
    }
    let mut compare = Compare::default();
    for &at in &records {
        let earlier = earlier_matches(ledger, at, &mut compare);
        duplicates_of(ledger, at, earlier, &mut compare.names, &mut findings);
    }
    let invoices: Vec<&Invoice> = ledger.invoices.iter().filter(|i| i.customer() == id).collect();
    check_invoices(&ctx, invoices.iter().copied(), &mut findings);
    past_retention_of(ledger, as_of, Some(id), &mut findings);
    payment_details_unreachable(&ctx, Some(id), &mut findings);
    let mut findings = findings.to_vec();
    findings.extend(ledger.notes.iter().filter(|f| f.customer.as_deref() == Some(id)).cloned());
    findings.retain(|f| f.customer.as_deref() == Some(id));
    findings.sort_by(|a, b| (&*a.file, a.line).cmp(&(&*b.file, b.line)));
    findings
}

/// Customers whose personal data bookkeeping law no longer requires (nothing open, the
/// retention period over): the GDPR says not to keep it.
fn past_retention(ledger: &Ledger, as_of: NaiveDate, findings: &mut FindingList) {
    past_retention_of(ledger, as_of, None, findings);
}

/// [`past_retention`] of every customer, or of `only`.
fn past_retention_of(ledger: &Ledger, as_of: NaiveDate, only: Option<&str>, findings: &mut FindingList) {
    let facts = super::privacy::Facts::new(ledger, as_of);
    past_retention_by(ledger, as_of, only, &facts, findings);
}

/// [`past_retention_of`] with the facts gathered.
fn past_retention_by(
    ledger: &Ledger,
    as_of: NaiveDate,
    only: Option<&str>,
    facts: &super::privacy::Facts<'_>,
    findings: &mut FindingList,
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
fn reference_rates(ctx: &Ctx<'_>, findings: &mut FindingList) {
    use super::charges::Law;
    use super::policy::InterestMode;
    use super::rules::{RatePeriod, RulePack};
    let ledger = ctx.ledger;
    // The rules and their rate overrides depend on the segment only: built once per segment.
    let mut by_segment: FxHashMap<Option<&str>, Vec<RatePeriod>> = FxHashMap::default();
    // The half-years a claim lacks depend on the law's rule pack, the segment's overrides and
    // the due day alone (the holiday calendar moves the day): worked out once for each, with
    // the law's country and how many open invoices share them.
    type Lacking = (&'static str, Vec<String>, usize);
    let mut missing: FxHashMap<(Option<&str>, *const RulePack, NaiveDate), Lacking> = FxHashMap::default();
    for at in ctx.open_positions() {
        let invoice = &ledger.invoices[at];
        let debtor = ctx.debtor_of(at);
        let segment = debtor.and_then(|d| d.segment);
        let rules = ctx.rules_of(debtor);
        let overrides = by_segment.entry(segment).or_insert_with(|| super::charges::rate_overrides(rules));
        let law = Law::of_debtor(&ledger.policy, debtor, rules);
        if rules.interest.mode() != InterestMode::Statutory || !law.has_statutory_rate() {
            continue;
        }
        let (_, _, count) =
            missing.entry((segment, std::ptr::from_ref(law.pack), invoice.due)).or_insert_with(|| {
                let (legal_due, _) = law.legal_due(invoice.due);
                let halves = match legal_due.succ_opt().filter(|f| *f <= ctx.as_of) {
                    Some(first) => super::rules::missing_half_years(law.pack, first, ctx.as_of, overrides),
                    None => Vec::new(),
                };
                (law.pack.country, halves, 0)
            });
        *count += 1;
    }
    // Each country's half-year, with the open invoices that lack it.
    let mut seen: std::collections::BTreeMap<(&'static str, &str), usize> = Default::default();
    for (country, halves, count) in missing.values() {
        for half in halves {
            *seen.entry((country, half.as_str())).or_default() += count;
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
            half_start(half)
        ).into());
        findings.push(f);
    }
}

/// The company's own details, printed on every letter: bank details failing their check
/// digits or format, and a sender e-mail that is no address, are errors of `policy.toml`
/// (never blamed on a customer); a customer with open invoices whom the configured details
/// cannot reach (a payer abroad given only a bankgiro, a currency no account takes) is a
/// warning on that customer.
fn company_details(ctx: &Ctx<'_>, findings: &mut FindingList) {
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
fn payment_details_unreachable(ctx: &Ctx<'_>, only: Option<&str>, findings: &mut FindingList) {
    let policy = &ctx.ledger.policy;
    if super::account::accounts(policy).is_empty() {
        return; // said once, on the policy (company_details)
    }
    let invoices = &ctx.ledger.invoices;
    let mut seen: FxHashSet<(u32, Currency)> = FxHashSet::default();
    // Each problem, and it as the words of its findings, `\0` where the name, country and
    // currency go.
    let mut problems: FxHashMap<(Currency, &str), Option<(String, String)>> = FxHashMap::default();
    let mut open: Vec<usize> =
        ctx.open_positions().filter(|&at| only.is_none_or(|id| invoices[at].customer() == id)).collect();
    open.sort_by_key(|&at| invoices[at].line);
    for at in open {
        let invoice = &invoices[at];
        // An id's invoices are its customer's (the id's last line in the register).
        let Some(owner) = ctx.owners[at] else { continue };
        if !seen.insert((owner, invoice.currency)) {
            continue;
        }
        let customer = &ctx.ledger.customers[owner as usize];
        // A handful of currencies and countries among a register's customers: each pair's
        // details are worked out once.
        let words = problems.entry((invoice.currency, customer.country())).or_insert_with(|| {
            let problem =
                super::account::pay_to(policy, &invoice.currency.to_string(), customer.country()).problem;
            problem.map(|problem| (format!("\0 (\0) owes \0: {problem}"), problem))
        });
        if let Some((words, problem)) = words {
            let currency = invoice.currency.to_string();
            let parts = [customer.name.as_str(), customer.country(), &currency];
            // A `\0` of the policy's own would read as a place for a part: such words are not shared.
            let whole;
            let message = match problem.contains('\0') {
                false => Wording::MadeShared(words, &parts),
                true => {
                    whole = format!("{} ({}) owes {currency}: {problem}", parts[0], parts[1]);
                    Wording::Own(&whole)
                }
            };
            findings.push_made(Made {
                customer: Some(customer.id.as_str()),
                invoice: Some(invoice.number()),
                hint: Some(Wording::Fixed(
                    "[company] iban and bic, or [[company.accounts]] with currency, iban, bic (see policy.example.toml)",
                )),
                ..Made::warning(
                    (CUSTOMERS, customer.line, "country"),
                    "payment-details-unreachable",
                    message,
                )
            });
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
    /// The register position of each invoice's customer, by position in `ledger.invoices`
    /// ([`Ledger::owners`]): looked up once for every check that asks.
    owners: Vec<Option<u32>>,
    /// Each customer's exposure per currency (credits included), for the credit watch: from
    /// the open items `open` is read from (the watch used to work them out again on its own,
    /// a tenth of `dun check`'s parts' time, issue #14). Empty when only errors are wanted.
    exposure: FxHashMap<(u32, Currency), Decimal>,
    /// Whether something is open for each customer (see [`super::privacy::open_customers`]),
    /// for the retention check: from the same open items. Empty when only errors are wanted.
    open_customers: Vec<bool>,
    /// Per register position: the customer's largest overdue open invoice.
    overdue: Vec<Option<Overdue<'a>>>,
    /// The rules of each segment the policy names, and the base rules (for no segment or an
    /// unknown one), as [`Ledger::rules_for`] builds them: built once, not per customer.
    rules: FxHashMap<&'a str, Rules>,
    base_rules: Rules,
    /// Only errors are wanted ([`check_ledger_errors`]).
    errors_only: bool,
}

impl<'a> Ctx<'a> {
    fn new(ledger: &'a Ledger, as_of: NaiveDate, errors_only: bool) -> Ctx<'a> {
        let owners = ledger.owners();
        let (book, open) = ledger.open_book_and_amounts(as_of, &owners);
        // The credit watch and the retention check find warnings only.
        let (exposure, open_customers) = if errors_only {
            Default::default()
        } else {
            (
                crate::core::credit::exposure(&book),
                super::privacy::open_customers(&book, ledger.customers.len()),
            )
        };
        drop(book);
        let mut overdue: Vec<Option<Overdue<'_>>> = vec![None; ledger.customers.len()];
        for (at, (invoice, &amount)) in ledger.invoices.iter().zip(&open).enumerate() {
            // Only the register's customers are asked about.
            let (true, Some(owner)) = (amount > Decimal::ZERO && invoice.due < as_of, owners[at]) else {
                continue;
            };
            let entry = overdue[owner as usize].get_or_insert(Overdue { invoice, open: amount, count: 0 });
            entry.count += 1;
            if amount > entry.open || (amount == entry.open && invoice.line < entry.invoice.line) {
                entry.invoice = invoice;
                entry.open = amount;
            }
        }
        let policy = &ledger.policy;
        let rules = policy
            .file
            .segments
            .keys()
            .filter_map(|name| Some((name.as_str(), policy.rules(Some(name))?)))
            .collect();
        Ctx {
            ledger,
            as_of,
            open,
            owners,
            exposure,
            open_customers,
            overdue,
            rules,
            base_rules: policy.base_rules(),
            errors_only,
        }
    }

    /// The rules of a customer (`None`: of an invoice whose customer the register lacks), as
    /// [`Ledger::rules_for`] gives them.
    fn rules_for(&self, customer: Option<&Customer>) -> &Rules {
        self.rules_in(customer.and_then(|c| c.segment()))
    }

    /// [`Ctx::rules_for`] a customer by its debtor: what is read per invoice reads no
    /// customer's record (see [`Debtors`](crate::core::ledger::Debtors)).
    fn rules_of(&self, debtor: Option<Debtor<'_>>) -> &Rules {
        self.rules_in(debtor.and_then(|d| d.segment))
    }

    /// The rules of customers in `segment`: the base rules for none or one the policy lacks.
    fn rules_in(&self, segment: Option<&str>) -> &Rules {
        segment.and_then(|s| self.rules.get(s)).unwrap_or(&self.base_rules)
    }

    /// The debtor of the invoice at this position in `ledger.invoices`.
    fn debtor_of(&self, at: usize) -> Option<Debtor<'a>> {
        self.owners[at].and_then(|owner| self.ledger.debtor(owner as usize))
    }

    /// The largest overdue open invoice of the customer with this id, with how many it has.
    fn overdue_of(&self, id: &str) -> Option<&Overdue<'a>> {
        self.overdue[self.ledger.customer_position(id)?].as_ref()
    }

    /// The invoices with something open, each number once (at its first line).
    fn open_invoices(&self) -> impl Iterator<Item = &'a Invoice> + '_ {
        self.open_positions().map(|at| &self.ledger.invoices[at])
    }

    /// The positions in `ledger.invoices` of [`Ctx::open_invoices`].
    fn open_positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.open.iter().enumerate().filter(|(_, a)| **a > Decimal::ZERO).map(|(at, _)| at)
    }

    /// What is open on the invoice with this number (0: nothing, or no such invoice).
    fn open_on(&self, number: &str) -> Decimal {
        self.ledger.invoice_position(number).map_or(Decimal::ZERO, |at| self.open[at])
    }

    /// For the errors alone: drops the warnings found since `mark`, as they are found.
    fn settle(&self, findings: &mut FindingList, mark: usize) {
        if self.errors_only {
            findings.keep_errors_from(mark);
        }
    }
}

mod customers;
mod duplicates;
mod invoices;
mod scan;

pub use customers::{channel_problem, email_problem, postcode_problem};
pub use duplicates::normalized_name;
pub use scan::{CheckScan, CheckTally, Streamed};

use customers::check_customer;
use duplicates::{Compare, duplicates_of, earlier_matches, likely_duplicates};
use invoices::{
    Usual, check_invoices, check_invoices_with, check_payments, credit_watch, credit_watch_of, usual_by_id,
    usual_currencies,
};
#[cfg(test)]
mod tests;
