//! The decision core (SPEC §6): for a date, what each open invoice needs. A pure function of
//! the ledger (with its journal), the policy and the as-of date.
//!
//! For each open invoice, the first that applies: paused (dispute, promise, plan on time,
//! customer hold) → in collection → collection due (or a call for a manual segment) →
//! reminder due → waiting (with the date of the next step) → not due.
//!
//! Every state is derived from the journal, so running the same day twice finds the step
//! already journaled and does nothing; a missed day is caught up by the next run; a backlog
//! advances one step per run, because each step's clock starts at the step before it.
//! Pauses stop the clock, not the ladder: when a pause ends, the invoice resumes at the step it
//! had reached, and a step whose condition already holds is due at once.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

use super::charges::{self, FeeHistory, Law};
use super::claim::{self, Claim};
use super::delivery::{Delivered, Deliveries};
use super::journal::{Entry, Event};
use super::ledger::Ledger;
use super::model::{Currency, Invoice};
use super::policy::Rules;
use super::rules::{self, RuleViolation};

mod forecasting;
mod order;
mod run;

pub(super) use run::Asked;
use run::decide_into;
#[cfg(test)]
pub(super) use run::decide_parted;

#[cfg(test)]
pub(crate) use forecasting::forecast_by_appending;
pub use forecasting::{forecast, forecast_each};
pub use order::sort_by_customer_and_invoice;

/// What `dun remind` / `dun collect` would do for an invoice today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Reminder,
    Collection,
    Call,
}

impl Action {
    pub const ALL: &[Action] = &[Action::Reminder, Action::Collection, Action::Call];

    pub fn name(self) -> &'static str {
        match self {
            Action::Reminder => "reminder",
            Action::Collection => "collection",
            Action::Call => "call",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Paused(Pause),
    InCollection(NaiveDate),
    Due(Action),
    /// Nothing today; the next step on that date, if nothing changes.
    Waiting(Option<NaiveDate>),
    NotDue,
}

impl State {
    /// The `action` column of `dun due`.
    pub fn name(&self) -> &'static str {
        match self {
            State::Paused(_) => "paused",
            State::InCollection(_) => "in_collection",
            State::Due(a) => a.name(),
            State::Waiting(_) => "waiting",
            State::NotDue => "not_due",
        }
    }

    pub fn action(&self) -> Option<Action> {
        match self {
            State::Due(a) => Some(*a),
            _ => None,
        }
    }
}

/// Why an invoice is paused: what `dun due` shows in its detail column. Kept as the facts, not
/// as text, so that deciding a ledger formats nothing it does not show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pause {
    Disputed(NaiveDate),
    /// The customer on hold since that day.
    Held(NaiveDate),
    /// A promise to pay by that day.
    Promised(NaiveDate),
    /// A payment plan kept, with its next installment's date if any is left.
    PlanKept(Option<NaiveDate>),
    /// An installment (its due date) so many days late, within the grace. (Days as an `i32`,
    /// which holds any span of dates, so that a state is 12 bytes: `dun due` keeps one per
    /// row listed.)
    PlanLate(NaiveDate, i32),
}

impl std::fmt::Display for Pause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pause::Disputed(since) => write!(f, "disputed since {since}"),
            Pause::Held(since) => write!(f, "customer on hold since {since}"),
            Pause::Promised(until) => write!(f, "promise to pay by {until}"),
            Pause::PlanKept(None) => f.write_str("payment plan kept"),
            Pause::PlanKept(Some(next)) => write!(f, "payment plan kept; next installment {next}"),
            Pause::PlanLate(installment, days) => {
                write!(f, "plan installment {installment} {days} days late")
            }
        }
    }
}

/// One reminder already sent.
#[derive(Clone, Debug, PartialEq)]
pub struct SentReminder {
    pub date: NaiveDate,
    pub pay_by: Option<NaiveDate>,
    pub fee: Decimal,
    /// The day it reached the customer (`core::delivery`), or why it has not yet.
    pub delivered: Result<NaiveDate, String>,
}

impl SentReminder {
    /// The day the ladder's clocks count from, and the deadline as the customer had it: a
    /// reminder delivered later than composed gives its days from delivery.
    fn counted(&self) -> (NaiveDate, Option<NaiveDate>) {
        let delivered = self.delivered.clone().unwrap_or(self.date).max(self.date);
        let late = Days::new((delivered - self.date).num_days().unsigned_abs());
        (delivered, self.pay_by.map(|p| p.checked_add_days(late).unwrap_or(p)))
    }
}

/// An agreed payment plan: installments and the open amount when it was made.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub made: NaiveDate,
    pub installments: Vec<(NaiveDate, Decimal)>,
}

/// What the journal says about one invoice up to the as-of date.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub reminders: Vec<SentReminder>,
    /// Calls made in place of a reminder or a hand-over (the journal's `ref` says which).
    pub calls: Vec<(NaiveDate, Action)>,
    pub collection: Option<NaiveDate>,
    pub dispute: Option<NaiveDate>,
    pub promise: Option<(NaiveDate, NaiveDate)>,
    pub plan: Option<Plan>,
    /// The latest promise, plan, dispute, resolve, payment or note: what answers a call.
    pub last_contact: Option<NaiveDate>,
    /// Reminders that reached the customer on no channel and never will (refused by the
    /// server): not counted, said why.
    pub undelivered: Vec<String>,
}

impl History {
    /// The history of one invoice from its journal lines; `deliveries` (of the whole journal)
    /// says which of its reminders reached the customer.
    pub fn from_entries<'a>(entries: impl Iterator<Item = &'a Entry>, deliveries: &Deliveries) -> History {
        let mut h = History::default();
        for e in entries {
            match e.event {
                Event::Reminder => {
                    let delivered = match deliveries.letter_of(e) {
                        Delivered::On(day) => Ok(day),
                        Delivered::Pending(why) => Err(why),
                        Delivered::Never(why) => {
                            h.undelivered.push(format!(
                                "the reminder of {} reached the customer on no channel ({why}): it does not count",
                                e.date
                            ));
                            continue;
                        }
                    };
                    h.reminders.push(SentReminder {
                        date: e.date,
                        pay_by: e.until,
                        fee: e.amount.unwrap_or_default(),
                        delivered,
                    });
                }
                Event::Call => {
                    let stands_for = match e.reference() {
                        Some("collection") => Action::Collection,
                        _ => Action::Reminder,
                    };
                    h.calls.push((e.date, stands_for));
                }
                Event::Collection => h.collection = h.collection.or(Some(e.date)),
                Event::Dispute => h.dispute = Some(e.date),
                Event::Resolve => h.dispute = None,
                Event::Promise => h.promise = e.until.map(|u| (e.date, u)),
                Event::Plan => {
                    let installment = (e.until.unwrap_or(e.date), e.amount.unwrap_or_default());
                    match &mut h.plan {
                        Some(plan) if plan.made == e.date => plan.installments.push(installment),
                        _ => h.plan = Some(Plan { made: e.date, installments: vec![installment] }),
                    }
                }
                Event::Hold | Event::Release => {}
                Event::Note | Event::Payment => {}
                Event::Queued
                | Event::Sending
                | Event::Sent
                | Event::Failed
                | Event::Deferred
                | Event::Doubt => {}
            }
            if matches!(
                e.event,
                Event::Promise | Event::Plan | Event::Dispute | Event::Resolve | Event::Payment | Event::Note
            ) {
                h.last_contact = Some(e.date);
            }
        }
        h
    }

    fn fee_history(&self) -> FeeHistory {
        let with_fee: Vec<&SentReminder> = self.reminders.iter().filter(|r| !r.fee.is_zero()).collect();
        FeeHistory {
            fee_reminders: with_fee.len() as u32,
            last_fee_date: with_fee.last().map(|r| r.date),
            last_fee_pay_by: with_fee.last().and_then(|r| r.pay_by),
            fees_charged: with_fee.iter().map(|r| r.fee).sum(),
            last_reminder: self.reminders.last().map(|r| r.date),
        }
    }

    /// The fees journaled on the invoice: (reminder date, fee).
    pub fn fees(&self) -> Vec<(NaiveDate, Decimal)> {
        self.reminders.iter().filter(|r| !r.fee.is_zero()).map(|r| (r.date, r.fee)).collect()
    }

    /// Reminder steps taken: reminders, and calls made in their place.
    pub fn steps(&self) -> usize {
        self.reminders.len() + self.calls.iter().filter(|c| c.1 == Action::Reminder).count()
    }

    /// The step a call task stands for, while nothing has been recorded since the call.
    pub fn open_call(&self) -> Option<(NaiveDate, Action)> {
        let &(called, action) = self.calls.last()?;
        self.last_contact.is_none_or(|contact| contact < called).then_some((called, action))
    }
}

/// Why a decision is what it is, line by line, in the order the rules were applied: what
/// `dun explain` prints. Written out only where it is shown: deciding a whole ledger for `dun
/// due` or `dun remind` formats no line but the one `due --all` shows for a waiting invoice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Why {
    /// Boxed: most records hold no line, and a ledger's decisions are its largest block of
    /// memory (8 bytes inline instead of a list's 24; the extra allocation is made only for a
    /// record that holds a line).
    #[allow(clippy::box_collection)]
    lines: Option<Box<Vec<String>>>,
    keep: Keep,
}

/// Which lines of why a record writes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Keep {
    /// Every line ([`decide`]).
    All,
    /// The reason for waiting alone ([`decide_brief`]).
    #[default]
    Last,
    /// None ([`decide_due`]).
    Nothing,
}

impl Why {
    /// A record that writes every line.
    pub fn full() -> Why {
        Why { lines: None, keep: Keep::All }
    }

    /// A record that writes no line.
    fn nothing() -> Why {
        Why { lines: None, keep: Keep::Nothing }
    }

    pub fn lines(&self) -> &[String] {
        self.lines.as_deref().map_or(&[], Vec::as_slice)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.lines().iter()
    }

    /// The last line: for a waiting invoice, what it waits for (in either kind of record).
    pub fn last(&self) -> Option<&String> {
        self.lines().last()
    }

    fn push(&mut self, line: std::fmt::Arguments<'_>) {
        self.lines.get_or_insert_default().push(line.to_string());
    }

    /// A line only `dun explain` shows: formatted only in a full record.
    fn say(&mut self, line: std::fmt::Arguments<'_>) {
        if self.keep == Keep::All {
            self.push(line);
        }
    }

    /// A brief record's line is shown for a waiting decision only (`dun due --all`): dropped
    /// for any other once the decision is made, so that a ledger's decisions in collection do
    /// not each keep a line nobody reads.
    fn settle(&mut self, state: &State) {
        if self.keep == Keep::Last && !matches!(state, State::Waiting(_)) {
            self.lines = None;
        }
    }

    /// A line that may end a waiting decision's record, which `dun due --all` shows: a brief
    /// record keeps it alone (a later one replaces it).
    fn say_last(&mut self, line: std::fmt::Arguments<'_>) {
        match self.keep {
            Keep::All => {}
            Keep::Last => self.lines = None,
            Keep::Nothing => return,
        }
        self.push(line);
    }
}

impl<'w> IntoIterator for &'w Why {
    type Item = &'w String;
    type IntoIter = std::slice::Iter<'w, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The decision for one open invoice. It borrows the invoice number and customer id from the
/// ledger it was made from: a whole ledger's decisions own no text.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision<'a> {
    pub invoice: &'a str,
    pub customer: &'a str,
    pub currency: Currency,
    pub open: Decimal,
    pub due: NaiveDate,
    pub days_overdue: i64,
    pub state: State,
    /// The reminder number this step would be (1 for the first reminder).
    pub step: u32,
    pub reminders_sent: u32,
    pub last_reminder: Option<NaiveDate>,
    /// For a reminder due: the new deadline it gives.
    pub pay_by: Option<NaiveDate>,
    /// When nothing is due today: the day the next step comes if nothing changes (waiting,
    /// not yet due, or the day after a promise), where one is scheduled.
    pub next_date: Option<NaiveDate>,
    /// The fee this reminder would charge (0 unless a reminder is due): the claim's new fee
    /// once it is made. The claim's other figures are read from it ([`Decision::interest`],
    /// ...), not copied: a ledger's decisions are its largest block of memory.
    pub fee: Decimal,
    /// What the debtor owes on the invoice today, line by line: what every output shows.
    pub claim: Claim,
    /// The next reminder must warn of collection (it is the last, and the law or practice asks).
    pub collection_warning: bool,
    /// For a new call task: the step it stands for. `None` for a call already journaled and
    /// still waiting for an answer, which is listed but not journaled again.
    pub call_for: Option<Action>,
    /// Why, in the order the rules were applied: what `dun explain` prints.
    pub why: Why,
}

/// Decisions for every open invoice, and the statutory rules the policy would break.
pub struct Outcome<'a> {
    pub decisions: Vec<Decision<'a>>,
    pub violations: Vec<(String, RuleViolation)>,
    pub warnings: Vec<String>,
}

/// Decides every open invoice on `as_of`, each with every line of why.
pub fn decide(ledger: &Ledger, as_of: NaiveDate) -> Outcome<'_> {
    decide_where(ledger, as_of, None, Why::full, &|_| true)
}

/// [`decide`] without the lines of why that only `dun explain` shows: a waiting decision keeps
/// the last line alone (what `dun due --all` shows), every other decision none. Everything
/// else is the same.
pub fn decide_brief(ledger: &Ledger, as_of: NaiveDate) -> Outcome<'_> {
    decide_where(ledger, as_of, None, Why::default, &|_| true)
}

/// The decisions of [`decide`] with one of `steps` due today, without a line of why: for runs
/// that act on them and show no line of why (`dun due` without `--all` lists every step,
/// `dun remind` acts on reminders and calls, `dun collect` on collection). Every invoice is
/// decided as always (the violations and warnings are [`decide`]'s), but the others are
/// dropped as soon as they are made: on a ledger of years most open invoices wait or are in
/// collection already.
pub fn decide_due<'a>(ledger: &'a Ledger, as_of: NaiveDate, steps: &[Action]) -> Outcome<'a> {
    decide_where(ledger, as_of, None, Why::nothing, &|d| d.state.action().is_some_and(|a| steps.contains(&a)))
}

/// Decides the open invoices of one customer on `as_of`: the decisions `decide` makes for
/// them, in the same order. A decision depends on nothing outside its customer's invoices
/// (the fee is charged once per letter, and a letter is one customer's), so `dun explain` and
/// `dun customer` need not decide the whole ledger for one invoice or customer.
pub fn decide_customer<'a>(ledger: &'a Ledger, as_of: NaiveDate, customer: &str) -> Outcome<'a> {
    decide_where(ledger, as_of, Some(customer), Why::full, &|_| true)
}

/// Gives every decision [`decide_brief`] makes (`waiting_reason`) or [`decide_due`] makes
/// before it drops any (no line of why) to `take` as it is made, in file order, with the
/// position of its invoice in `ledger.invoices`, instead of keeping them: a run that shows a
/// few figures of each (`dun due`) keeps those alone. The outcome holds the violations and
/// warnings, and no decision.
pub fn decide_each<'a>(
    ledger: &'a Ledger,
    as_of: NaiveDate,
    waiting_reason: bool,
    take: &mut dyn FnMut(usize, Decision<'a>),
) -> Outcome<'a> {
    let why = if waiting_reason { Why::default } else { Why::nothing };
    let (open, lines) = run::open_and_lines(ledger, as_of, None);
    decide_into(ledger, as_of, Asked { lines: Some(&lines), ..Asked::every(why) }, &open, take)
}

fn decide_where<'a>(
    ledger: &'a Ledger,
    as_of: NaiveDate,
    only: Option<&str>,
    why: fn() -> Why,
    keep: &dyn Fn(&Decision<'_>) -> bool,
) -> Outcome<'a> {
    let (open, lines) = run::open_and_lines(ledger, as_of, only);
    // Sized once: a decision carries its claim, and regrowing would copy every one of them
    // (room left unused for decisions not kept is never touched, and costs no memory).
    let capacity = if only.is_some() { 0 } else { open.iter().filter(|a| !a.is_zero()).count() };
    let mut kept = Vec::with_capacity(capacity);
    let asked = Asked { only, why, actions_only: false, forecast: None, lines: Some(&lines) };
    let mut out = decide_into(ledger, as_of, asked, &open, &mut |_, d| {
        if keep(&d) {
            kept.push(d);
        }
    });
    out.decisions = kept;
    out
}

impl<'a> Decision<'a> {
    /// The same decision, its invoice number and customer id borrowed from elsewhere (a
    /// ledger with the same invoices).
    fn borrowing<'b>(self, invoice: &'b str, customer: &'b str) -> Decision<'b> {
        Decision {
            invoice,
            customer,
            currency: self.currency,
            open: self.open,
            due: self.due,
            days_overdue: self.days_overdue,
            state: self.state,
            step: self.step,
            reminders_sent: self.reminders_sent,
            last_reminder: self.last_reminder,
            pay_by: self.pay_by,
            next_date: self.next_date,
            fee: self.fee,
            claim: self.claim,
            collection_warning: self.collection_warning,
            call_for: self.call_for,
            why: self.why,
        }
    }

    /// Takes the claim: the one place the decision's amounts come from.
    fn attach(&mut self, claim: Claim) {
        self.fee = claim.new_fee();
        self.claim = claim;
    }

    /// Fees journaled before today, by the claim (0 where the claim was refused).
    pub fn fees_charged(&self) -> Decimal {
        self.claim.earlier_fees()
    }

    /// Interest on the claim today (0 where the claim was refused).
    pub fn interest(&self) -> Decimal {
        self.claim.interest.amount
    }

    /// The fixed compensation on the claim today (0 where the claim was refused).
    pub fn compensation(&self) -> Decimal {
        self.claim.compensation.amount
    }
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days))).unwrap_or(date)
}

/// How a payment plan stands: on time, late within the grace, or broken.
enum PlanStatus {
    OnTime(Option<NaiveDate>),
    Late { installment: NaiveDate, days: i64 },
    Broken { installment: NaiveDate, days: i64 },
}

fn plan_status(plan: &Plan, open: Decimal, grace_days: u32, as_of: NaiveDate) -> PlanStatus {
    let planned: Decimal = plan.installments.iter().map(|(_, a)| *a).sum();
    let paid_since = planned - open;
    let mut cumulative = Decimal::ZERO;
    for &(due, amount) in &plan.installments {
        cumulative += amount;
        if cumulative > paid_since {
            let days = (as_of - due).num_days();
            return if days <= 0 {
                PlanStatus::OnTime(Some(due))
            } else if days <= i64::from(grace_days) {
                PlanStatus::Late { installment: due, days }
            } else {
                PlanStatus::Broken { installment: due, days }
            };
        }
    }
    PlanStatus::OnTime(None)
}

fn decide_invoice<'a>(
    invoice: &'a Invoice,
    law: &Law<'_>,
    history: &History,
    open: Decimal,
    hold: Option<NaiveDate>,
    as_of: NaiveDate,
    why: Why,
) -> (Decision<'a>, Result<(), RuleViolation>) {
    let rules = law.rules;
    let days_overdue = (as_of - invoice.due).num_days();
    let mut d = Decision {
        invoice: invoice.number(),
        customer: invoice.customer(),
        currency: invoice.currency,
        open,
        due: invoice.due,
        days_overdue,
        state: State::NotDue,
        step: history.steps() as u32 + 1,
        reminders_sent: history.reminders.len() as u32,
        last_reminder: history.reminders.last().map(|r| r.date),
        pay_by: None,
        next_date: None,
        fee: Decimal::ZERO,
        claim: Claim::default(),
        collection_warning: false,
        call_for: None,
        why,
    };
    d.why.say(format_args!(
        "open {} {} of {}, due {} ({} days {})",
        open,
        invoice.currency,
        invoice.amount,
        invoice.due,
        days_overdue.abs(),
        if days_overdue >= 0 { "overdue" } else { "to go" }
    ));
    for line in &history.undelivered {
        d.why.say(format_args!("{line}"));
    }
    if let Some(segment) = &rules.segment {
        d.why.say(format_args!(
            "customer segment \"{segment}\"{}",
            if rules.manual { " (manual: calls instead of letters)" } else { "" }
        ));
    }
    if let Some(state) = pause(&mut d, invoice, rules, history, hold, open, as_of) {
        d.state = state;
        return (d, Ok(()));
    }
    if let Some(since) = history.collection {
        d.why.say(format_args!("handed to collection on {since}; nothing more is sent"));
        d.state = State::InCollection(since);
        return (d, Ok(()));
    }
    let result = ladder(&mut d, invoice, law, history, as_of);
    (d, result)
}

/// The pauses of SPEC §6 step 1, or `None` when the invoice is not paused.
fn pause(
    d: &mut Decision<'_>,
    invoice: &Invoice,
    rules: &Rules,
    history: &History,
    hold: Option<NaiveDate>,
    open: Decimal,
    as_of: NaiveDate,
) -> Option<State> {
    if let Some(since) = history.dispute {
        d.why.say(format_args!("disputed since {since}: paused until `dun resolve {}`", invoice.number()));
        return Some(State::Paused(Pause::Disputed(since)));
    }
    if let Some(since) = hold {
        d.why.say(format_args!(
            "customer on hold since {since}: paused until `dun release {}`",
            invoice.customer()
        ));
        return Some(State::Paused(Pause::Held(since)));
    }
    if let Some((made, until)) = history.promise {
        if as_of <= until {
            d.next_date = until.succ_opt();
            d.why.say(format_args!("promised on {made} to pay by {until}: paused until then"));
            return Some(State::Paused(Pause::Promised(until)));
        }
        d.why.say(format_args!("the promise to pay by {until} (made {made}) is broken: the ladder resumes"));
    }
    if let Some(plan) = &history.plan {
        let grace = rules.collection.after_days();
        match plan_status(plan, open, grace, as_of) {
            PlanStatus::OnTime(next) => {
                match next {
                    Some(n) => d.why.say(format_args!(
                        "on a payment plan made {} that is kept; next installment {n}",
                        plan.made
                    )),
                    None => d.why.say(format_args!("on a payment plan made {} that is kept", plan.made)),
                }
                return Some(State::Paused(Pause::PlanKept(next)));
            }
            PlanStatus::Late { installment, days } => {
                d.why.say(format_args!(
                    "the installment due {installment} is {days} days late; the plan breaks after {grace} days (collection.after_days)"
                ));
                let days = i32::try_from(days).unwrap_or(i32::MAX);
                return Some(State::Paused(Pause::PlanLate(installment, days)));
            }
            PlanStatus::Broken { installment, days } => {
                d.why.say(format_args!(
                    "the payment plan is broken: the installment due {installment} is {days} days late (more than collection.after_days = {grace})"
                ));
                if history.reminders.iter().any(|r| r.delivered.is_ok()) && history.collection.is_none() {
                    // SPEC §6: a broken plan after a reminder goes to collection.
                    d.why.say(format_args!("a reminder was sent before the plan, so collection is due"));
                    d.state = State::Due(Action::Collection);
                    return Some(manual(d, rules, Action::Collection));
                }
            }
        }
    }
    None
}

/// A manual segment turns a letter or a hand-over into a call task.
fn manual(d: &mut Decision<'_>, rules: &Rules, action: Action) -> State {
    if rules.manual {
        d.why.say(format_args!("manual segment: a call instead of the {}", action.name()));
        d.call_for = Some(action);
        State::Due(Action::Call)
    } else {
        State::Due(action)
    }
}

/// Steps 3–5 of SPEC §6: collection due, reminder due, waiting, not due.
fn ladder(
    d: &mut Decision<'_>,
    invoice: &Invoice,
    law: &Law<'_>,
    history: &History,
    as_of: NaiveDate,
) -> Result<(), RuleViolation> {
    let rules = law.rules;
    let r = &rules.reminder;
    let c = &rules.collection;
    let steps = history.steps() as u32;
    let pack = law.pack;
    let consumer = law.consumer;
    let (legal_due, moved) = law.legal_due(invoice.due);
    if let Some(m) = moved {
        d.why.say(format_args!(
            "the due date {} is a non-business day ({}): the law moves it to {} ({})",
            m.from, m.because, m.to, m.source
        ));
    }
    // A call stays listed until something is recorded on the invoice after it.
    if let Some((called, _)) = history.open_call() {
        d.why.say(format_args!(
            "a call was due on {called} and nothing is recorded since (promise, plan, dispute, payment or note)"
        ));
        d.state = State::Due(Action::Call);
        return Ok(());
    }
    if let Some(&(called, Action::Collection)) = history.calls.last() {
        d.why.say_last(format_args!(
            "manual segment: the call in place of collection ({called}) was answered; what follows is decided by hand"
        ));
        d.state = State::Waiting(None);
        return Ok(());
    }
    // Nothing follows a reminder the customer has not got: not the next one, not collection.
    if let Some(last) = history.reminders.last()
        && let Err(why) = &last.delivered
    {
        d.why.say_last(format_args!(
            "reminder {} of {} is not delivered yet ({why}): the next step waits for it",
            history.reminders.len(),
            last.date
        ));
        d.state = State::Waiting(None);
        return Ok(());
    }
    if let Some(last) = history.reminders.last()
        && let (delivered, Some(pay_by)) = last.counted()
        && delivered > last.date
    {
        d.why.say(format_args!(
            "reminder {} of {} was delivered on {delivered}: its deadline counts from then ({pay_by})",
            history.reminders.len(),
            last.date
        ));
    }
    if steps >= r.max() {
        let last_call = history.calls.iter().rev().find(|c| c.1 == Action::Reminder).map(|c| (c.0, None));
        let last_reminder = history.reminders.last().map(SentReminder::counted);
        let last = match (last_reminder, last_call) {
            (Some(r), Some(c)) => Some(if c.0 > r.0 { c } else { r }),
            (r, c) => r.or(c),
        };
        let deadline = match last {
            Some((date, pay_by)) => pay_by.unwrap_or_else(|| add_days(date, r.pay_within_days())),
            None => legal_due,
        };
        let mut ready = add_days(deadline, c.after_days() + 1);
        if let (Some(min), Some((sent, _))) = (pack.collection.min_days_after_reminder.get(consumer), last) {
            // Finland: a consumer's collection demand only 14 days after the reminder.
            ready = ready.max(sent.checked_add_days(Days::new(*min as u64)).unwrap_or(sent));
        }
        d.why.say_last(format_args!(
            "{} of {} reminder(s) sent (reminder.max): the ladder is done; collection from {ready} (deadline {deadline} + collection.after_days {})",
            history.reminders.len(),
            r.max(),
            c.after_days()
        ));
        if d.open < c.min_amount() {
            d.why.say_last(format_args!(
                "open {} is below collection.min_amount {}: not handed over",
                d.open,
                c.min_amount()
            ));
            d.state = State::Waiting(None);
        } else if as_of >= ready {
            d.state = manual(d, rules, Action::Collection);
        } else {
            d.next_date = Some(ready);
            d.state = State::Waiting(Some(ready));
        }
        return Ok(());
    }
    // The schedule counts from the invoice's due date; nothing is overdue before the legal one.
    let ready = match history.reminders.last() {
        None => add_days(invoice.due, r.after_days()).max(add_days(legal_due, 1)),
        Some(last) => add_days(last.counted().0, r.interval_days()),
    };
    let ready = match history.calls.iter().rev().find(|c| c.1 == Action::Reminder) {
        Some(&(called, _)) => ready.max(add_days(called, r.interval_days())),
        None => ready,
    };
    if as_of <= legal_due {
        d.why.say(format_args!(
            "not due yet; the first reminder would come on {ready} (reminder.after_days {})",
            r.after_days()
        ));
        d.next_date = Some(ready);
        d.state = State::NotDue;
        return Ok(());
    }
    if d.open < r.min_amount() {
        d.why.say_last(format_args!(
            "open {} is below reminder.min_amount {}: not chased",
            d.open,
            r.min_amount()
        ));
        d.state = State::Waiting(None);
        return Ok(());
    }
    if as_of < ready {
        d.why.say_last(format_args!(
            "reminder {} on {ready} ({})",
            steps + 1,
            if steps == 0 {
                format!("due date + reminder.after_days {}", r.after_days())
            } else {
                format!("previous step + reminder.interval_days {}", r.interval_days())
            }
        ));
        d.next_date = Some(ready);
        d.state = State::Waiting(Some(ready));
        return Ok(());
    }
    d.state = manual(d, rules, Action::Reminder);
    let last_step = steps + 1 >= r.max();
    // The last reminder before collection always says what happens next (NO, DK: required).
    d.collection_warning = last_step;
    let mut within = r.pay_within_days();
    if last_step && rules::creditor_warning_required(pack, as_of, &law.dates()) {
        // Norway and Denmark: the warning of collection must give at least 14 / 10 days.
        let min = *pack.collection.min_deadline_days.get(consumer) as u32;
        if within < min {
            d.why.say(format_args!(
                "the deadline is raised from {within} to {min} days: a warning of collection in {} must give at least that ({})",
                pack.country, pack.collection.deadline_source.source
            ));
            within = min;
        }
    }
    let pay_by = add_days(as_of, within);
    d.pay_by = Some(pay_by);
    d.why.say(format_args!(
        "reminder {} is due today ({} days overdue ≥ reminder.after_days {}); pay by {pay_by}",
        steps + 1,
        d.days_overdue,
        r.after_days(),
    ));
    if d.state == State::Due(Action::Call) {
        return Ok(());
    }
    let fee = charges::reminder_fee(law, invoice, history.fee_history(), as_of)?;
    d.fee = fee.fee;
    if !fee.fee.is_zero() {
        d.why.say(format_args!("reminder fee {} {}", fee.fee, invoice.currency));
    }
    if let Some(why) = fee.withheld {
        d.why.say(format_args!("no statutory reminder fee on this reminder: {why}"));
    }
    Ok(())
}

/// The journal line that records carrying out a decision's action on `date`.
pub fn action_entry(
    d: &Decision<'_>,
    date: NaiveDate,
    channel: Option<String>,
    reference: Option<String>,
) -> Option<Entry> {
    let action = d.state.action()?;
    let event = match action {
        Action::Reminder => Event::Reminder,
        Action::Collection => Event::Collection,
        Action::Call => Event::Call,
    };
    let mut e = Entry::new(date, event);
    e.set_invoice(Some(d.invoice));
    e.set_customer(Some(d.customer));
    e.set_channel(channel);
    e.set_reference(reference);
    match action {
        Action::Reminder => {
            e.amount = Some(d.fee);
            e.until = d.pay_by;
        }
        Action::Collection => e.amount = Some(d.open),
        Action::Call => {
            // A call stands for the step the customer would otherwise have got in writing.
            e.set_reference(Some(d.call_for?.name()));
        }
    }
    Some(e)
}
