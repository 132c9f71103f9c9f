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
use crate::core::journal::{Entry, Event, Grouped, Journal, LineHead};
use crate::core::ledger::{
    CustomerIndex, Debtor, Debtors, Ledger, NumberShape, PaymentIndex, dated_payments_of, open_timeline_of,
};
use crate::core::model::{Currency, Customer, Invoice, InvoiceRecord, Text};
use crate::core::policy::{Policy, Rules};

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

    /// Takes a sum of some of this sum's observations away (the counts and amounts
    /// subtracted, their days to pay removed once each), as if they had never been added.
    fn take_away(&mut self, other: GroupSum) {
        let (g, o) = (&mut self.group, other.group);
        g.invoices -= o.invoices;
        g.unpaid -= o.unpaid;
        for (count, less) in g.paid_within.iter_mut().zip(o.paid_within) {
            *count -= less;
        }
        for (currency, less) in o.amounts {
            let Some(a) = g.amounts.get_mut(&currency) else { continue };
            a.invoices -= less.invoices;
            a.open_at_step -= less.open_at_step;
            for (sum, paid) in a.paid_within.iter_mut().zip(less.paid_within) {
                *sum -= paid;
            }
            if a.invoices == 0 {
                g.amounts.remove(&currency);
            }
        }
        let mut gone = other.days;
        gone.sort_unstable();
        self.days.sort_unstable();
        let mut gone = gone.into_iter().peekable();
        self.days.retain(|d| gone.next_if_eq(d).is_none());
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

    /// The history of a record no credit note names, from `payments.csv`'s lines on it.
    fn of_record(record: &InvoiceRecord<'_>, payments: &PaymentIndex, as_of: NaiveDate) -> History {
        History {
            timeline: open_timeline_of(record, payments.dated_on(record), std::iter::empty(), as_of),
            payments: dated_payments_of(record, payments.dated_on(record), as_of),
        }
    }
}

/// Observes one invoice (its `history`) from `date` on; `None` for a comparison invoice no
/// longer open then.
fn observe(history: &History, currency: Currency, date: NaiveDate, treated: bool) -> Option<Observation> {
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
    Some(Observation { currency, date, open, days_to_pay, paid_within })
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
    /// The invoice number and the rung of a journal line [`reads_line`] accepts (its `head`).
    pub fn of(head: &LineHead<'_>, date: NaiveDate, until: Option<NaiveDate>) -> (Text, Rung) {
        (head.invoice.unwrap_or_default().into(), Rung { date, event: head.event, until })
    }
}

/// The ladder's journal lines grouped by invoice number, each number's in file order.
#[derive(Debug)]
pub struct Ladders(ByNumber);

/// How [`Ladders`] finds a number's lines.
#[derive(Debug)]
enum ByNumber {
    /// Numbers of one shape (`100001`, `F-17`: a prefix without digits and a number, see
    /// [`NumberShape`]), the lines in number order: place `p`'s are
    /// `rungs[starts[p]..starts[p + 1]]`. A scan of `invoices.csv`, which most exports write
    /// in number order, then reads both arrays front to back; a table keyed by number was a
    /// cache miss a line, a seventh of `dun stats` (issue #14).
    Placed { shape: NumberShape, starts: Vec<u32>, rungs: Vec<Rung> },
    /// Numbers of any other kind.
    Keyed(Grouped<Text, Rung>),
}

impl Default for Ladders {
    fn default() -> Self {
        Ladders(ByNumber::Keyed(Grouped::default()))
    }
}

impl Ladders {
    /// From the ladder's lines in file order.
    pub fn of(lines: Vec<(Text, Rung)>) -> Ladders {
        let Some((shape, places)) = NumberShape::of(lines.len(), |i| lines[i].0.as_str()) else {
            return Ladders(ByNumber::Keyed(Grouped::of(lines)));
        };
        // Counted first, so every line goes straight into its place, each number's in file
        // order.
        let mut starts = vec![0u32; shape.places + 1];
        for &place in &places {
            starts[place as usize + 1] += 1;
        }
        for p in 1..starts.len() {
            starts[p] += starts[p - 1];
        }
        let mut next = starts.clone();
        let mut rungs = vec![Rung { date: NaiveDate::MIN, event: Event::Reminder, until: None }; lines.len()];
        for ((_, rung), place) in lines.into_iter().zip(places) {
            let at = &mut next[place as usize];
            rungs[*at as usize] = rung;
            *at += 1;
        }
        Ladders(ByNumber::Placed { shape, starts, rungs })
    }

    /// The ladder's lines of a whole journal.
    pub fn from_journal(journal: &Journal) -> Ladders {
        let on_ladder = |e: &&Entry| e.invoice().is_some() && is_ladder_event(e.event);
        let rung = |e: &Entry| {
            let head = LineHead { event: e.event, invoice: e.invoice(), customer: None, note: None };
            Rung::of(&head, e.date, e.until)
        };
        Ladders::of(journal.entries.iter().filter(on_ladder).map(rung).collect())
    }

    /// The lines on invoice `number`, in file order.
    pub fn get(&self, number: &str) -> &[Rung] {
        match &self.0 {
            ByNumber::Placed { shape, starts, rungs } => match shape.place(number) {
                Some(p) if p < shape.places => &rungs[starts[p] as usize..starts[p + 1] as usize],
                _ => &[],
            },
            ByNumber::Keyed(grouped) => grouped.get(number),
        }
    }

    /// Each number's lines (in [`ByNumber::Placed`] an empty group for each number between
    /// that has none).
    fn groups(&self) -> Box<dyn Iterator<Item = &[Rung]> + '_> {
        match &self.0 {
            ByNumber::Placed { starts, rungs, .. } => {
                Box::new(starts.windows(2).map(|w| &rungs[w[0] as usize..w[1] as usize]))
            }
            ByNumber::Keyed(grouped) => Box::new(grouped.groups()),
        }
    }

    /// How many invoices have an `event` line dated in the 365 days up to `as_of`
    /// (`Journal::invoices_with_in_year` on the ladder's lines).
    pub fn invoices_with_in_year(&self, event: Event, as_of: NaiveDate) -> u64 {
        let within = |r: &Rung| r.event == event && r.date <= as_of && (as_of - r.date).num_days() < 365;
        self.groups().filter(|rungs| rungs.iter().any(within)).count() as u64
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
fn comparison_day(l: &Ladder, due: NaiveDate, rules: &Rules) -> Option<(Step, NaiveDate)> {
    let after = |date: NaiveDate, days: u32| date.checked_add_days(Days::new(u64::from(days)));
    if l.paused || l.collection.is_some() {
        return None;
    }
    match l.reminders.last() {
        None => Some((Step::Reminder(1), after(due, rules.reminder.after_days())?)),
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
    let ladders = Ladders::from_journal(&ledger.journal);
    let rules = SegmentRules::new(ledger.debtors(), &ledger.policy);
    let rules_of = |id: &str| rules.of(ledger.customer_position(id).and_then(|at| ledger.debtor(at)));
    let tallies = in_parts(&ledger.invoices, |part| Tally::of(ledger, &ladders, part, as_of, rules_of));
    finish(
        tallies.into_iter().fold(Tally::default(), Tally::and),
        &ledger.policy,
        &ladders,
        as_of,
        flow.invoices_due_12m,
    )
}

/// Whether [`effectiveness`] reads a journal line: a step, a pause or a hand-over on an
/// invoice (the ladder; the shares count reminders and hand-overs).
pub fn reads_line(line: &LineHead<'_>) -> bool {
    line.invoice.is_some() && is_ladder_event(line.event)
}

/// What one invoice shows at one step of the ladder.
enum Seen {
    /// It got the step, too recently to be observed.
    TooRecent,
    /// It got the step: what happened after.
    Treated(Observation),
    /// It did not get the step: what happened after the day it would have.
    Control(Observation),
}

/// What one invoice shows at each step: of each step it got (`rungs`, its lines of the ladder)
/// and of the day it would have got the next. Its `history` is made once, when a step is
/// observed at all.
fn observations(
    rungs: &[Rung],
    (due, currency): (NaiveDate, Currency),
    rules: &Rules,
    as_of: NaiveDate,
    history: impl FnOnce() -> History,
    mut seen: impl FnMut(Step, Seen),
) {
    let observed_until = as_of - Days::new(OBSERVE_DAYS as u64);
    let l = ladder(rungs, as_of);
    let steps = l
        .reminders
        .iter()
        .enumerate()
        .map(|(k, r)| (Step::Reminder(k as u32 + 1), r.date))
        .chain(l.collection.map(|d| (Step::Collection, d)));
    let made = std::cell::OnceCell::new();
    let mut history = Some(history);
    let mut history = || made.get_or_init(|| history.take().map(|make| make()).expect("made once"));
    for (step, date) in steps {
        if date > observed_until {
            seen(step, Seen::TooRecent);
        } else if let Some(o) = observe(history(), currency, date, true) {
            seen(step, Seen::Treated(o));
        }
    }
    if let Some((step, date)) = comparison_day(&l, due, rules)
        && date <= observed_until
        && let Some(o) = observe(history(), currency, date, false)
    {
        seen(step, Seen::Control(o));
    }
}

/// The observations of some invoices, summed by step: with the step and without (the
/// comparison), and the steps too recent to observe.
#[derive(Default)]
pub struct Tally {
    treated: BTreeMap<Step, GroupSum>,
    control: BTreeMap<Step, GroupSum>,
    too_recent: FxHashMap<Step, u32>,
}

impl Tally {
    fn count(&mut self, step: Step, seen: Seen) {
        match seen {
            Seen::TooRecent => *self.too_recent.entry(step).or_default() += 1,
            Seen::Treated(o) => self.treated.entry(step).or_default().add(&o),
            Seen::Control(o) => self.control.entry(step).or_default().add(&o),
        }
    }

    /// The tally of `invoices` (some of `ledger.invoices`), `rules_of` each customer id.
    fn of<'r>(
        ledger: &Ledger,
        ladders: &Ladders,
        invoices: &[Invoice],
        as_of: NaiveDate,
        rules_of: impl Fn(&str) -> &'r Rules,
    ) -> Tally {
        let mut t = Tally::default();
        for invoice in invoices {
            // The first line of a number is the invoice (`dun check` reports duplicates).
            // (The ledger's index says which, where a set of the numbers seen took 16 bytes each.)
            if invoice.is_credit_note() || invoice.issued > as_of || !ledger.is_first_line(invoice) {
                continue;
            }
            observations(
                ladders.get(invoice.number()),
                (invoice.due, invoice.currency),
                rules_of(invoice.customer()),
                as_of,
                || History::of(ledger, invoice, as_of),
                |step, seen| t.count(step, seen),
            );
        }
        t
    }

    /// Both tallies' sums (what one tally of both parts' invoices would hold).
    pub fn and(mut self, other: Tally) -> Tally {
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

    /// This tally without `other`'s invoices, all of which it counted: what it would hold had
    /// it never seen them. A step none is left at is gone, as if never seen.
    fn take_away(mut self, other: Tally) -> Tally {
        fn sums(mine: &mut BTreeMap<Step, GroupSum>, theirs: BTreeMap<Step, GroupSum>) {
            for (step, sum) in theirs {
                if let Some(left) = mine.get_mut(&step) {
                    left.take_away(sum);
                    if left.group.invoices == 0 {
                        mine.remove(&step);
                    }
                }
            }
        }
        sums(&mut self.treated, other.treated);
        sums(&mut self.control, other.control);
        for (step, n) in other.too_recent {
            if let Some(left) = self.too_recent.get_mut(&step) {
                *left -= n;
                if *left == 0 {
                    self.too_recent.remove(&step);
                }
            }
        }
        self
    }
}

/// `each` of `invoices` cut in parts, one a core, in the parts' order: each invoice's
/// observation is its own (issue #14: on one thread this was a third of `dun stats`).
fn in_parts<T: Send>(invoices: &[Invoice], each: impl Fn(&[Invoice]) -> T + Sync) -> Vec<T> {
    let size = invoices.len().div_ceil(crate::core::workers()).max(1);
    let each = &each;
    std::thread::scope(|scope| {
        let handles: Vec<_> = invoices.chunks(size).map(|part| scope.spawn(move || each(part))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// The rules of each segment a register names, by its place among them
/// ([`Debtors`]): the segment's, or the base rules for one the
/// policy lacks, as [`Ledger::rules_for`] has them.
struct SegmentRules {
    /// The base rules, then each segment's by place.
    rules: Vec<Rules>,
}

impl SegmentRules {
    fn new(debtors: &Debtors, policy: &Policy) -> SegmentRules {
        let base = policy.base_rules();
        let of_segment = |name| policy.rules(Some(name)).unwrap_or_else(|| base.clone());
        let rules = std::iter::once(base.clone()).chain(debtors.segments().map(of_segment)).collect();
        SegmentRules { rules }
    }

    /// The rules of this debtor (`None`: a customer the register lacks).
    fn of(&self, debtor: Option<Debtor<'_>>) -> &Rules {
        &self.rules[debtor.and_then(|d| d.segment_at).map_or(0, |at| at + 1)]
    }

    /// Whether no customer is in a segment: every one has the base rules.
    fn none(&self) -> bool {
        self.rules.len() == 1
    }
}

/// The figures of a finished tally: each step of the ladder (at least the policy's), and the
/// shares of the last 12 months from the ladder's lines.
fn finish(
    tally: Tally,
    policy: &Policy,
    ladders: &Ladders,
    as_of: NaiveDate,
    invoices_due_12m: u64,
) -> Effectiveness {
    let Tally { mut treated, mut control, too_recent } = tally;
    let base_max = policy.base_rules().reminder.max();
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

mod stream;
pub use stream::{RecordObserver, effectiveness_streamed, may_be_compared};

#[cfg(test)]
pub(crate) mod tests;
