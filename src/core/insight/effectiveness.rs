//! Does the dunning ladder work? (SPEC §8's journal, §4's 20 %/5 % rule of thumb.)
//!
//! For each step of the ladder (`reminder-1`, `reminder-2`, …, `collection`), the invoices that
//! got it and what happened after: how many were settled within 7, 14 and 30 days, how much
//! money came in within those days, and the median days from the step to settlement. Beside
//! them, the **comparable invoices without the step**, where the history has them: invoices at
//! the same point of the ladder, still open on the day the step would have been due, that never
//! got it (from before the ladder was used, below `min_amount`, a manual segment, ...). Only the
//! journal, the invoices' dates and the payments are read.
//!
//! Definitions (README "dun stats" says the same for users):
//! - an invoice is **settled** on the first day its open amount (after payments and credit
//!   notes) reaches zero; days to pay = that day − the step's day, at least 0 (a payment that
//!   crossed the letter counts as 0);
//! - **money paid within N days**: payments dated from the step's day to N days after it;
//! - a step is **observed** once [`OBSERVE_DAYS`] have passed since it: more recent steps are
//!   only counted as `too_recent`, so every observed invoice had the whole 30 days to pay;
//! - the **median** counts invoices not settled by the as-of date as later than any settled one;
//!   it is unknown when half or more are unsettled;
//! - the comparison day without the step: for `reminder-1` the due date +
//!   `reminder.after_days`; for `reminder-k` the previous reminder + `reminder.interval_days`;
//!   for `collection` the last reminder's deadline + `collection.after_days` + 1 (the day
//!   `dun collect` would hand it over). Invoices with a dispute, promise or plan are left out of
//!   the comparison: they were paused, not skipped;
//! - fewer than [`MIN_SAMPLE`] invoices on either side is too few to conclude.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::core::aging::{FlowFigures, share};
use crate::core::journal::{Entry, Event, Grouped, Journal};
use crate::core::ledger::{Ledger, PaymentIndex};
use crate::core::model::{Currency, Invoice, InvoiceRecord, Text};
use crate::core::policy::Rules;

/// The windows after a step, in days.
pub const WINDOWS: [i64; 3] = [7, 14, 30];
/// Days that must have passed since a step before it is counted.
pub const OBSERVE_DAYS: i64 = 30;
/// Invoices each side needs before a comparison is worth a conclusion.
pub const MIN_SAMPLE: u32 = 20;
/// The rule of thumb for a healthy business: shares of invoices reminded / sent to collection.
pub const RULE_OF_THUMB_REMINDED_PCT: u32 = 20;
pub const RULE_OF_THUMB_COLLECTED_PCT: u32 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Reminder(u32),
    Collection,
}

impl Step {
    pub fn name(&self) -> String {
        match self {
            Step::Reminder(k) => format!("reminder-{k}"),
            Step::Collection => "collection".to_owned(),
        }
    }
}

/// One invoice at one step, or on the day the step would have been taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub currency: Currency,
    pub date: NaiveDate,
    /// Open at the end of the day before.
    pub open: Decimal,
    /// Days from the step to settlement; `None` when not settled by the as-of date.
    pub days_to_pay: Option<i64>,
    /// Money paid within each of [`WINDOWS`].
    pub paid_within: [Decimal; 3],
}

/// Money of one currency in a group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Amounts {
    pub invoices: u32,
    pub open_at_step: Decimal,
    pub paid_within: [Decimal; 3],
}

/// What happened to a group of observed invoices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    pub invoices: u32,
    /// Invoices settled within each of [`WINDOWS`].
    pub paid_within: [u32; 3],
    /// Not settled by the as-of date.
    pub unpaid: u32,
    pub median_days_to_pay: Option<Decimal>,
    pub amounts: BTreeMap<Currency, Amounts>,
}

impl Group {
    /// Share (in %) of the group settled within window `i`.
    pub fn paid_share(&self, i: usize) -> Option<Decimal> {
        share(u64::from(self.paid_within[i]), u64::from(self.invoices))
    }
}

/// A [`Group`] gathered one observation at a time, keeping of each only its days to pay (for
/// the median): an observation of each of a ledger's millions of invoices was most of what
/// `dun stats` held.
#[derive(Default)]
struct GroupSum {
    group: Group,
    days: Vec<i64>,
}

impl GroupSum {
    fn add(&mut self, o: &Observation) {
        let g = &mut self.group;
        g.invoices += 1;
        match o.days_to_pay {
            Some(d) => {
                for (count, window) in g.paid_within.iter_mut().zip(WINDOWS) {
                    *count += u32::from(d <= window);
                }
                self.days.push(d);
            }
            None => g.unpaid += 1,
        }
        let a = g.amounts.entry(o.currency).or_default();
        a.invoices += 1;
        a.open_at_step += o.open;
        for (sum, paid) in a.paid_within.iter_mut().zip(o.paid_within) {
            *sum += paid;
        }
    }

    /// Adds another part's sum: counts and amounts added, days to pay gathered (sorted at
    /// the end), as if its observations had been added here.
    fn merge(&mut self, other: GroupSum) {
        let (g, o) = (&mut self.group, other.group);
        g.invoices += o.invoices;
        g.unpaid += o.unpaid;
        for (count, more) in g.paid_within.iter_mut().zip(o.paid_within) {
            *count += more;
        }
        for (currency, more) in o.amounts {
            let a = g.amounts.entry(currency).or_default();
            a.invoices += more.invoices;
            a.open_at_step += more.open_at_step;
            for (sum, paid) in a.paid_within.iter_mut().zip(more.paid_within) {
                *sum += paid;
            }
        }
        self.days.extend(other.days);
    }

    fn finish(mut self) -> Group {
        self.days.sort_unstable();
        self.group.median_days_to_pay = censored_median(&self.days, self.group.unpaid as usize);
        self.group
    }
}

/// The median of `settled` (sorted) and `unsettled` values later than all of them; `None` when
/// the middle falls on an unsettled one, or there is nothing.
pub fn censored_median(settled: &[i64], unsettled: usize) -> Option<Decimal> {
    let n = settled.len() + unsettled;
    if n == 0 {
        return None;
    }
    let at = |i: usize| settled.get(i).copied();
    if n % 2 == 1 {
        at(n / 2).map(Decimal::from)
    } else {
        Some((Decimal::from(at(n / 2 - 1)?) + Decimal::from(at(n / 2)?)) / Decimal::TWO)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepStats {
    pub step: Step,
    pub with_step: Group,
    pub without_step: Group,
    /// Steps taken in the last [`OBSERVE_DAYS`] days, not yet counted.
    pub too_recent: u32,
}

impl StepStats {
    /// What a step's figures allow one to say, in a sentence.
    pub fn verdict(&self) -> String {
        let s = self;
        let (w, wo) = (&s.with_step, &s.without_step);
        if !s.conclusive() {
            return format!(
                "{}: too few invoices to conclude ({} after the step, {} without; {MIN_SAMPLE} each needed)",
                s.step.name(),
                w.invoices,
                wo.invoices
            );
        }
        let p = |g: &Group| g.paid_share(1).map_or("-".to_owned(), |p| format!("{p} %"));
        format!(
            "{}: {} paid within 14 days after the step, {} of comparable invoices without it ({} and {} invoices)",
            s.step.name(),
            p(w),
            p(wo),
            w.invoices,
            wo.invoices
        )
    }

    /// Both sides hold at least [`MIN_SAMPLE`] invoices.
    pub fn conclusive(&self) -> bool {
        self.with_step.invoices >= MIN_SAMPLE && self.without_step.invoices >= MIN_SAMPLE
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Effectiveness {
    pub as_of: NaiveDate,
    pub steps: Vec<StepStats>,
    /// The report's key figures, computed the same way (`dun report` shows the same).
    pub invoices_due_12m: u64,
    pub reminded_12m: u64,
    pub collected_12m: u64,
}

impl Effectiveness {
    pub fn reminder_share(&self) -> Option<Decimal> {
        share(self.reminded_12m, self.invoices_due_12m)
    }

    pub fn collection_share(&self) -> Option<Decimal> {
        share(self.collected_12m, self.invoices_due_12m)
    }
}

/// The open amount on day `date` (after that day's events) from an `open_timeline`.
fn open_on(timeline: &[(NaiveDate, Decimal)], date: NaiveDate) -> Decimal {
    let at = timeline.partition_point(|(d, _)| *d <= date);
    match at {
        0 => timeline.first().map_or(Decimal::ZERO, |t| t.1),
        i => timeline[i - 1].1,
    }
}

/// What [`observe`] reads of one invoice up to the as-of day: its open amount over time and
/// its dated payments. Made once for all of an invoice's steps and its comparison day: each
/// observation made both again, a sixth of `dun stats` on a million-invoice ledger (issue #14).
struct History {
    timeline: Vec<(NaiveDate, Decimal)>,
    payments: Vec<(NaiveDate, Decimal)>,
}

impl History {
    fn of(ledger: &Ledger, invoice: &Invoice, as_of: NaiveDate) -> History {
        History {
            timeline: ledger.open_timeline(invoice, as_of),
            payments: ledger.dated_payments(invoice, as_of),
        }
    }
}

/// Observes one invoice (its `history`) from `date` on; `None` for a comparison invoice no
/// longer open then.
fn observe(history: &History, invoice: &Invoice, date: NaiveDate, treated: bool) -> Option<Observation> {
    let timeline = &history.timeline;
    let open = open_on(timeline, date - Days::new(1));
    if !treated && open <= Decimal::ZERO {
        return None;
    }
    let settled = timeline.iter().find(|(_, o)| o.is_zero()).map(|(d, _)| *d);
    let days_to_pay = settled.map(|s| (s - date).num_days().max(0));
    let mut paid_within = [Decimal::ZERO; 3];
    for &(on, amount) in &history.payments {
        let after = (on - date).num_days();
        for (sum, window) in paid_within.iter_mut().zip(WINDOWS) {
            if (0..=window).contains(&after) {
                *sum += amount;
            }
        }
    }
    Some(Observation { currency: invoice.currency, date, open, days_to_pay, paid_within })
}

/// A journal line of the ladder ([`reads_line`]) as the statistics read it: 16 bytes, where
/// the whole line took ten times that (a year of daily reminders on ten million invoices is
/// five million lines).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rung {
    pub date: NaiveDate,
    pub event: Event,
    pub until: Option<NaiveDate>,
}

impl Rung {
    /// The invoice number and the rung of a journal line [`reads_line`] accepts.
    pub fn of(e: Entry) -> (Text, Rung) {
        (e.invoice().unwrap_or_default().into(), Rung { date: e.date, event: e.event, until: e.until })
    }
}

/// The ladder's journal lines grouped by invoice number, each number's in file order.
#[derive(Debug, Default)]
pub struct Ladders(Grouped<Text, Rung>);

impl Ladders {
    /// From the ladder's lines in file order.
    pub fn of(lines: Vec<(Text, Rung)>) -> Ladders {
        Ladders(Grouped::of(lines))
    }

    /// The ladder's lines of a whole journal.
    pub fn from_journal(journal: &Journal) -> Ladders {
        let on_ladder = |e: &&Entry| e.invoice().is_some() && is_ladder_event(e.event);
        Ladders::of(journal.entries.iter().filter(on_ladder).map(|e| Rung::of(e.clone())).collect())
    }

    /// The invoice numbers with a line.
    pub fn numbers(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(Text::as_str)
    }

    /// The lines on invoice `number`, in file order.
    pub fn get(&self, number: &str) -> &[Rung] {
        self.0.get(number)
    }

    /// How many invoices have an `event` line dated in the 365 days up to `as_of`
    /// (`Journal::invoices_with_in_year` on the ladder's lines).
    pub fn invoices_with_in_year(&self, event: Event, as_of: NaiveDate) -> u64 {
        let within = |r: &Rung| r.event == event && r.date <= as_of && (as_of - r.date).num_days() < 365;
        self.0.groups().filter(|rungs| rungs.iter().any(within)).count() as u64
    }
}

/// The events of the ladder: its steps, the pauses and the hand-over.
fn is_ladder_event(event: Event) -> bool {
    matches!(event, Event::Reminder | Event::Collection | Event::Dispute | Event::Promise | Event::Plan)
}

/// The ladder's steps as one invoice's journal records them, up to the as-of date.
struct Ladder {
    reminders: Vec<Rung>,
    collection: Option<NaiveDate>,
    paused: bool,
}

fn ladder(rungs: &[Rung], as_of: NaiveDate) -> Ladder {
    let mut l = Ladder { reminders: Vec::new(), collection: None, paused: false };
    let mut dated: Vec<Rung> = rungs.iter().copied().filter(|r| r.date <= as_of).collect();
    dated.sort_by_key(|r| r.date);
    for r in dated {
        match r.event {
            Event::Reminder => l.reminders.push(r),
            Event::Collection => l.collection = l.collection.or(Some(r.date)),
            Event::Dispute | Event::Promise | Event::Plan => l.paused = true,
            _ => {}
        }
    }
    l
}

/// The day each step would have been taken for an invoice that did not get it.
fn comparison_day(l: &Ladder, invoice: &Invoice, rules: &Rules) -> Option<(Step, NaiveDate)> {
    let after = |date: NaiveDate, days: u32| date.checked_add_days(Days::new(u64::from(days)));
    if l.paused || l.collection.is_some() {
        return None;
    }
    match l.reminders.last() {
        None => Some((Step::Reminder(1), after(invoice.due, rules.reminder.after_days())?)),
        Some(last) => {
            let k = l.reminders.len() as u32;
            if k < rules.reminder.max() {
                Some((Step::Reminder(k + 1), after(last.date, rules.reminder.interval_days())?))
            } else {
                let deadline = match last.until {
                    Some(u) => u,
                    None => after(last.date, rules.reminder.pay_within_days())?,
                };
                Some((Step::Collection, after(deadline, rules.collection.after_days() + 1)?))
            }
        }
    }
}

/// The ladder's effectiveness on `as_of` from the ledger's journal and payments.
pub fn effectiveness(ledger: &Ledger, as_of: NaiveDate) -> Effectiveness {
    let mut flow = FlowFigures::default();
    for invoice in &ledger.invoices {
        flow.push(&invoice.record(), as_of);
    }
    effectiveness_counted(ledger, &Ladders::from_journal(&ledger.journal), as_of, flow.invoices_due_12m)
}

/// Whether [`effectiveness`] on `as_of` can observe this invoice record when the journal holds
/// no line of the ladder on its number (no step, pause or hand-over) and it is neither a credit
/// note nor a number given twice: only as a comparison invoice for `reminder-1`, on its due
/// date + `after_days` (the least of the policy's) if that day is observed, and only if it was
/// open the day before. Credit notes and an early-payment discount only lower what is open, so
/// what `paid` and `payments.csv` leave open then is an upper bound: when it is nothing, the
/// invoice is not observed. One with a refund (a negative payment) or a payment dated before
/// its timeline starts is kept whatever it shows. A load for `dun stats` keeps what this
/// accepts and drops the rest, most of a ledger of years.
pub fn may_be_compared(
    record: &InvoiceRecord<'_>,
    as_of: NaiveDate,
    after_days: u32,
    payments: &PaymentIndex,
) -> bool {
    let observed_until = as_of - Days::new(OBSERVE_DAYS as u64);
    let day = record.due.checked_add_days(Days::new(u64::from(after_days)));
    let (false, Some(day)) = (record.issued > as_of, day.filter(|d| *d <= observed_until)) else {
        return false;
    };
    let start = record.issued.min(record.due);
    // `paid` counts from `paid_on`, or from the invoice date without one (as the timeline).
    let paid_on = match record.paid_on {
        Some(d) if d > as_of => None,
        Some(d) => Some(d),
        None => Some(record.issued),
    };
    let mut irregular = record.paid < Decimal::ZERO || paid_on.is_some_and(|d| d < start);
    let mut paid = if paid_on.is_some_and(|d| d < day) { record.paid } else { Decimal::ZERO };
    for (date, amount) in payments.dated_on(record) {
        irregular |= amount < Decimal::ZERO || date < start;
        if date < day {
            paid += amount;
        }
    }
    irregular || record.amount - paid > Decimal::ZERO
}

/// Whether [`effectiveness`] reads a journal line: a step, a pause or a hand-over on an
/// invoice (the ladder; the shares count reminders and hand-overs).
pub fn reads_line(line: &crate::core::journal::LineHead<'_>) -> bool {
    line.invoice.is_some() && is_ladder_event(line.event)
}

/// The observations of some of a ledger's invoices, summed by step: with the step and without
/// (the comparison), and the steps too recent to observe.
#[derive(Default)]
struct Tally {
    treated: BTreeMap<Step, GroupSum>,
    control: BTreeMap<Step, GroupSum>,
    too_recent: FxHashMap<Step, u32>,
}

impl Tally {
    /// The tally of `invoices` (some of `ledger.invoices`).
    fn of(ledger: &Ledger, ladders: &Ladders, invoices: &[Invoice], as_of: NaiveDate) -> Tally {
        let observed_until = as_of - Days::new(OBSERVE_DAYS as u64);
        let mut t = Tally::default();
        let mut rules_by_segment: FxHashMap<Option<&str>, Rules> = FxHashMap::default();
        for invoice in invoices {
            // The first line of a number is the invoice (`dun check` reports duplicates).
            // (The ledger's index says which, where a set of the numbers seen took 16 bytes each.)
            if invoice.is_credit_note() || invoice.issued > as_of || !ledger.is_first_line(invoice) {
                continue;
            }
            let l = ladder(ladders.get(invoice.number.as_str()), as_of);
            let steps = l
                .reminders
                .iter()
                .enumerate()
                .map(|(k, r)| (Step::Reminder(k as u32 + 1), r.date))
                .chain(l.collection.map(|d| (Step::Collection, d)));
            let history = std::cell::OnceCell::new();
            let history = || history.get_or_init(|| History::of(ledger, invoice, as_of));
            for (step, date) in steps {
                if date > observed_until {
                    *t.too_recent.entry(step).or_default() += 1;
                } else if let Some(o) = observe(history(), invoice, date, true) {
                    t.treated.entry(step).or_default().add(&o);
                }
            }
            let customer = ledger.customer(&invoice.customer);
            let segment = customer.and_then(|c| c.segment());
            let rules = rules_by_segment.entry(segment).or_insert_with(|| ledger.rules_for(customer));
            if let Some((step, date)) = comparison_day(&l, invoice, rules)
                && date <= observed_until
                && let Some(o) = observe(history(), invoice, date, false)
            {
                t.control.entry(step).or_default().add(&o);
            }
        }
        t
    }

    /// Both tallies' sums (what one tally of both parts' invoices would hold).
    fn add(mut self, other: Tally) -> Tally {
        for (step, sum) in other.treated {
            self.treated.entry(step).or_default().merge(sum);
        }
        for (step, sum) in other.control {
            self.control.entry(step).or_default().merge(sum);
        }
        for (step, n) in other.too_recent {
            *self.too_recent.entry(step).or_default() += n;
        }
        self
    }
}

/// [`effectiveness`] with the ladder's lines and the invoices due in the last 12 months
/// gathered already (by a load that streamed every invoice and kept only those
/// [`may_be_compared`] or on the ladder, and the ladder's lines only; its journal is empty).
pub fn effectiveness_counted(
    ledger: &Ledger,
    ladders: &Ladders,
    as_of: NaiveDate,
    invoices_due_12m: u64,
) -> Effectiveness {
    // The invoices are observed in parts, one a core, and the parts' sums added: each
    // invoice's observation is its own (issue #14: on one thread, after the load, this was a
    // third of `dun stats`).
    let parts = crate::core::workers();
    let size = ledger.invoices.len().div_ceil(parts).max(1);
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = ledger
            .invoices
            .chunks(size)
            .map(|invoices| scope.spawn(move || Tally::of(ledger, ladders, invoices, as_of)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let Tally { mut treated, mut control, too_recent } =
        tallies.into_iter().reduce(Tally::add).unwrap_or_default();
    let base_max = ledger.policy.base_rules().reminder.max();
    let highest = treated
        .keys()
        .chain(too_recent.keys())
        .filter_map(|s| match s {
            Step::Reminder(k) => Some(*k),
            Step::Collection => None,
        })
        .max()
        .unwrap_or(0)
        .max(base_max)
        .max(1);
    let ladder_steps = (1..=highest).map(Step::Reminder).chain([Step::Collection]);
    let steps = ladder_steps
        .map(|step| StepStats {
            step,
            with_step: treated.remove(&step).unwrap_or_default().finish(),
            without_step: control.remove(&step).unwrap_or_default().finish(),
            too_recent: too_recent.get(&step).copied().unwrap_or(0),
        })
        .collect();
    Effectiveness {
        as_of,
        steps,
        invoices_due_12m,
        reminded_12m: ladders.invoices_with_in_year(Event::Reminder, as_of),
        collected_12m: ladders.invoices_with_in_year(Event::Collection, as_of),
    }
}

#[cfg(test)]
pub(crate) mod tests;
