//! A decision run over the ledger: the open invoices decided one after another, on one thread
//! or (a whole ledger) on every core, each part taking whole customers, and the decisions given
//! to the caller in file order with the run's violations and warnings.

use super::*;
use crate::core::ledger::Debtor;

/// Decides the open invoices (of customer `only`), `open` by position, and gives each decision
/// to `take` once it is made, in file order, with its invoice's position. A whole ledger's
/// invoices are decided on as many threads as there are cores (see [`decide_parted`]); one
/// customer's on this one.
pub(super) fn decide_into<'a>(
    ledger: &'a Ledger,
    as_of: NaiveDate,
    asked: Asked<'_>,
    open: &[Decimal],
    take: &mut dyn FnMut(usize, Decision<'a>),
) -> Outcome<'a> {
    let workers = match asked.only {
        Some(_) => 1,
        None => crate::core::workers(),
    };
    decide_parted(ledger, as_of, asked, open, workers, take)
}

/// What a decision run is asked for.
#[derive(Clone, Copy)]
pub(in crate::core) struct Asked<'o> {
    /// One customer's invoices, or (`None`) every one.
    pub only: Option<&'o str>,
    /// The lines of why kept.
    pub why: fn() -> Why,
    /// Only the decisions with an action due, the others dropped before their claim is made:
    /// for a forecast, which neither shows the others nor reads the run's violations and
    /// warnings (which the claims of every open invoice give).
    pub actions_only: bool,
    /// A forecast's day (its journal, and the invoices it decides). `None`: the run decides
    /// every open invoice, the journal's lines on them grouped as `lines`.
    pub forecast: Option<&'o ForecastDay<'o>>,
    /// The journal's lines by invoice ([`LinesByInvoice::for_run`]), where the caller grouped
    /// them (beside working out the open amounts); `None`: the run groups them.
    pub lines: Option<&'o LinesByInvoice<'o>>,
}

/// What a forecast gives the decision run of one of its days.
pub(in crate::core) struct ForecastDay<'o> {
    /// The ledger's journal lines, grouped once for all the forecast's days.
    pub journal: &'o LinesByInvoice<'o>,
    /// The lines of the actions the forecast carried out on the days before.
    pub carried_out: &'o CarriedOut,
    /// The journal's holds and deliveries, as they stand that day.
    pub standing: &'o Standing,
    /// The positions (ascending) of the invoices that can change today; `None`: every one.
    pub positions: Option<&'o [u32]>,
    /// Filled by the run: each invoice decided, with the first day it can change again if
    /// nothing is paid, issued or recorded on it before (see `forecasting::next_day_to_decide`).
    pub next_days: &'o std::sync::Mutex<Vec<(u32, NaiveDate)>>,
}

impl Asked<'_> {
    /// Every open invoice's decision, with these lines of why.
    pub fn every(why: fn() -> Why) -> Asked<'static> {
        Asked { only: None, why, actions_only: false, forecast: None, lines: None }
    }
}

/// The journal's lines on each invoice, by the position in `ledger.invoices` of its number's
/// first line (where a number is decided), each invoice's in journal order: a decision looks
/// its lines up by position, not by hashing and comparing its number, and a forecast groups
/// the journal once for all its days rather than once a day (issue #14: a month's forecast
/// spent a third of its time grouping the same lines again).
pub(in crate::core) struct LinesByInvoice<'a> {
    /// Invoice `at`'s lines are `lines[starts[at]..starts[at + 1]]`.
    starts: Vec<u32>,
    lines: Vec<&'a Entry>,
}

impl<'a> LinesByInvoice<'a> {
    /// The lines of the invoices whose number `keep` accepts (lines on no invoice of the ledger
    /// are left out: no decision reads them).
    pub fn of(ledger: &'a Ledger, keep: impl Fn(&str) -> bool) -> LinesByInvoice<'a> {
        // Each line's invoice position (`NONE`: on none of the ledger's invoices, or not kept),
        // 4 bytes a line: the lines are walked again beside them rather than listed with their
        // positions (16 bytes a line, held while `dun remind` works out the open amounts).
        const NONE: u32 = u32::MAX;
        let entries = &ledger.journal.entries;
        let positions: Vec<u32> = entries
            .iter()
            .map(|e| {
                let number = e.invoice().filter(|n| keep(n));
                number.and_then(|n| ledger.invoice_position(n)).map_or(NONE, |at| at as u32)
            })
            .collect();
        // Counted first, so that every line goes straight into its place.
        let mut starts = vec![0u32; ledger.invoices.len() + 1];
        for &at in positions.iter().filter(|&&at| at != NONE) {
            starts[at as usize + 1] += 1;
        }
        for at in 1..starts.len() {
            starts[at] += starts[at - 1];
        }
        let placed = starts.last().copied().unwrap_or(0) as usize;
        let mut lines: Vec<&Entry> = match entries.first() {
            Some(first) => vec![first; placed],
            None => Vec::new(),
        };
        // `starts[at]` is where the next line of invoice `at` goes, so that once every line is
        // in place it is where the next invoice's begin: shifted by one, the starts again
        // (no copy of them to count with).
        for (e, at) in entries.iter().zip(positions).filter(|(_, at)| *at != NONE) {
            let slot = &mut starts[at as usize];
            lines[*slot as usize] = e;
            *slot += 1;
        }
        let invoices = starts.len() - 1;
        starts.copy_within(0..invoices, 1);
        starts[0] = 0;
        LinesByInvoice { starts, lines }
    }

    /// The lines a decision run of customer `only` (or of every customer) reads.
    pub fn for_run(ledger: &'a Ledger, only: Option<&str>) -> LinesByInvoice<'a> {
        let numbers: Option<FxHashSet<&str>> =
            only.map(|c| ledger.invoices.iter().filter(|i| i.customer() == c).map(|i| i.number()).collect());
        LinesByInvoice::of(ledger, |n| numbers.as_ref().is_none_or(|set| set.contains(n)))
    }

    /// The lines on the invoice at `position` (none for a line that is not its number's first).
    pub fn get(&self, position: usize) -> &[&'a Entry] {
        match (self.starts.get(position), self.starts.get(position + 1)) {
            (Some(&from), Some(&to)) => &self.lines[from as usize..to as usize],
            _ => &[],
        }
    }
}

/// The journal lines of the actions a forecast carried out, by the position of their invoice:
/// one list, each invoice's lines chained in the order carried out (a list per invoice took
/// room for four lines where most have one or two).
pub(in crate::core) struct CarriedOut {
    lines: Vec<Entry>,
    /// The next line on the same invoice, for each line (`NONE`: none).
    next: Vec<u32>,
    /// The first and last line of the invoice at each position of the ledger's invoices: read
    /// for every open invoice every day, so a list, not a map (probing a map of the invoices
    /// with actions was a sixth of a forecast).
    ends: Vec<(u32, u32)>,
}

const NONE: u32 = u32::MAX;

impl CarriedOut {
    /// Nothing carried out yet on a ledger of `invoices` invoices.
    pub fn new(invoices: usize) -> CarriedOut {
        CarriedOut { lines: Vec::new(), next: Vec::new(), ends: vec![(NONE, NONE); invoices] }
    }

    pub fn push(&mut self, position: usize, line: Entry) {
        let at = self.lines.len() as u32;
        self.lines.push(line);
        self.next.push(NONE);
        let (first, last) = &mut self.ends[position];
        if *first == NONE {
            *first = at;
        } else {
            self.next[*last as usize] = at;
        }
        *last = at;
    }

    /// The lines on the invoice at `position`, in the order carried out.
    pub fn get(&self, position: usize) -> impl Iterator<Item = &Entry> {
        let first = self.ends.get(position).map_or(NONE, |&(first, _)| first);
        std::iter::successors(Some(first).filter(|&at| at != NONE), |&at| {
            Some(self.next[at as usize]).filter(|&next| next != NONE)
        })
        .map(|at| &self.lines[at as usize])
    }
}

/// What a decision reads from the journal besides its invoice's own lines: the customers on
/// hold and how the messages were delivered, on a day. A forecast makes it again only on a day
/// with a line that can change it.
pub(in crate::core) struct Standing {
    /// Customers on hold, with the day the hold began.
    held: FxHashMap<String, NaiveDate>,
    deliveries: Deliveries,
}

impl Standing {
    pub fn on(ledger: &Ledger, as_of: NaiveDate) -> Standing {
        Standing {
            held: held_customers(ledger, as_of).into_iter().collect(),
            deliveries: Deliveries::from_journal(ledger.journal.up_to(as_of)),
        }
    }
}

/// What every part of a decision run reads, made once.
struct Shared<'a, 'o> {
    ledger: &'a Ledger,
    as_of: NaiveDate,
    asked: Asked<'o>,
    /// A claim's segments and notes are shown where every line of why is (`dun explain`, `dun
    /// customer`); other runs keep its figures alone.
    detail: claim::Detail,
    open: &'o [Decimal],
    standing: &'o Standing,
    /// The journal of the invoices decided: for one customer, the lines on its numbers only.
    journal: &'o LinesByInvoice<'o>,
    /// A forecast's lines of the actions carried out on the days before.
    carried_out: Option<&'o CarriedOut>,
}

impl Shared<'_, '_> {
    /// The positions of the invoices this run decides, ascending.
    fn positions(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match self.asked.forecast.and_then(|f| f.positions) {
            Some(list) => Box::new(list.iter().map(|&at| at as usize)),
            None => Box::new(0..self.ledger.invoices.len()),
        }
    }
}

/// What one part of a decision run keeps from one invoice to the next. Each part decides
/// whole customers (a customer's invoices in file order), so that a letter's fee is charged
/// once, on its first invoice, as when one thread decides them all.
#[derive(Default)]
struct Part<'a> {
    /// A customer's rules are its segment's: built once per segment, not once per invoice.
    /// By 1 + the segment's place in the ledger's [`Debtors`](crate::core::ledger::Debtors)
    /// (0: no segment, or a customer the register lacks).
    segment_rules: Vec<Option<Rules>>,
    charged: FxHashSet<(&'a str, Currency)>,
    stale_warned: FxHashSet<&'static str>,
    /// By position in the ledger: the ladder's violations, the claims' (which follow the
    /// ladder's), and the first warning of each country.
    violations: Vec<(usize, String, RuleViolation)>,
    claim_violations: Vec<(usize, String, RuleViolation)>,
    warnings: Vec<(usize, &'static str, String)>,
    /// A forecast's: each invoice decided, with the next day it can change.
    next_days: Vec<(u32, NaiveDate)>,
}

/// The part (of `parts`) that decides this customer's invoices.
fn part_of(customer: &str, parts: usize) -> usize {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let hash = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(customer);
    (hash % parts as u64) as usize
}

/// [`decide_into`] on `parts` threads, each deciding whole customers; their decisions are
/// merged back into file order as they come (a few batches held at a time), and their
/// violations and warnings likewise, so that every caller sees what one thread would give.
pub(in crate::core) fn decide_parted<'a, 'o>(
    ledger: &'a Ledger,
    as_of: NaiveDate,
    asked: Asked<'o>,
    open: &'o [Decimal],
    parts: usize,
    take: &mut dyn FnMut(usize, Decision<'a>),
) -> Outcome<'a> {
    let detail = if (asked.why)().keep == Keep::All { claim::Detail::Full } else { claim::Detail::Figures };
    let (grouped, standing_today);
    let (journal, carried_out, standing) = match asked.forecast {
        Some(day) => (day.journal, Some(day.carried_out), day.standing),
        None => {
            let lines = match asked.lines {
                Some(lines) => lines,
                None => {
                    grouped = LinesByInvoice::for_run(ledger, asked.only);
                    &grouped
                }
            };
            standing_today = Standing::on(ledger, as_of);
            (lines, None, &standing_today)
        }
    };
    let shared = Shared { ledger, as_of, asked, detail, open, standing, journal, carried_out };
    let mut done: Vec<Part<'a>> = if parts <= 1 {
        let mut part = Part::default();
        for position in shared.positions() {
            if let Some(d) = part.decide(&shared, position) {
                take(position, d);
            }
        }
        vec![part]
    } else {
        std::thread::scope(|scope| {
            let shared = &shared;
            let mut streams = Vec::with_capacity(parts);
            let mut handles = Vec::with_capacity(parts);
            for me in 0..parts {
                // Bounded: a part runs at most a few batches ahead of the merge.
                let (send, receive) = std::sync::mpsc::sync_channel::<Vec<(usize, Decision<'a>)>>(4);
                streams.push(Stream { receive, batch: Vec::new().into_iter().peekable() });
                handles.push(scope.spawn(move || {
                    let mut part = Part::default();
                    let mut batch = Vec::with_capacity(BATCH);
                    for position in shared.positions() {
                        if part_of(ledger.invoices[position].customer(), parts) != me {
                            continue;
                        }
                        if let Some(d) = part.decide(shared, position) {
                            batch.push((position, d));
                            if batch.len() == BATCH && send.send(std::mem::take(&mut batch)).is_err() {
                                break;
                            }
                        }
                    }
                    if !batch.is_empty() {
                        let _ = send.send(batch);
                    }
                    part
                }));
            }
            merge_in_order(&mut streams, take);
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    if let Some(day) = asked.forecast {
        let mut next_days = day.next_days.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for part in &mut done {
            next_days.append(&mut part.next_days);
        }
    }
    Part::outcome(done)
}

/// The open amounts by position ([`Ledger::open_by_position`]) and the journal's lines by
/// invoice ([`LinesByInvoice::for_run`]) for a decision run of customer `only` (or of every
/// customer). For a whole ledger on more than one core, side by side: each is one pass over
/// every invoice or journal line on one thread, together a tenth of `dun due` on a million
/// invoices with the other core idle (issue #14).
pub(super) fn open_and_lines<'a>(
    ledger: &'a Ledger,
    as_of: NaiveDate,
    only: Option<&str>,
) -> (Vec<Decimal>, LinesByInvoice<'a>) {
    let open = || ledger.open_by_position(as_of);
    let lines = || LinesByInvoice::for_run(ledger, only);
    if only.is_none() && crate::core::workers() > 1 {
        crate::core::both(open, lines)
    } else {
        (open(), lines())
    }
}

/// Decisions a part sends at a time.
const BATCH: usize = 512;

/// One part's decisions as they arrive.
struct Stream<'a> {
    receive: std::sync::mpsc::Receiver<Vec<(usize, Decision<'a>)>>,
    batch: std::iter::Peekable<std::vec::IntoIter<(usize, Decision<'a>)>>,
}

impl<'a> Stream<'a> {
    /// The position of the next decision, waiting for the part's next batch if need be
    /// (`None`: the part is done).
    fn next_position(&mut self) -> Option<usize> {
        loop {
            if let Some((position, _)) = self.batch.peek() {
                return Some(*position);
            }
            self.batch = self.receive.recv().ok()?.into_iter().peekable();
        }
    }
}

/// Gives the parts' decisions to `take` in file order: each part's come in file order, so the
/// next one is always the first of some part's.
fn merge_in_order<'a>(streams: &mut [Stream<'a>], take: &mut dyn FnMut(usize, Decision<'a>)) {
    loop {
        let next = (0..streams.len()).filter_map(|at| Some((streams[at].next_position()?, at))).min();
        let Some((_, at)) = next else { return };
        if let Some((position, d)) = streams[at].batch.next() {
            take(position, d);
        }
    }
}

impl<'a> Part<'a> {
    /// The decision of the invoice at `position`, if it is open and decided in this run.
    fn decide(&mut self, shared: &Shared<'a, '_>, position: usize) -> Option<Decision<'a>> {
        let Shared { ledger, as_of, .. } = *shared;
        // The journal lines of an invoice a few positions on are loaded while this one is
        // decided: they stand in the journal's order, the invoices in the file's, and each
        // line read was a cache miss (issue #14). A part skips other parts' invoices, so some
        // of these are loaded for nothing; far fewer than are waited for without it.
        for line in shared.journal.get(position + crate::core::PREFETCH_AHEAD) {
            crate::core::prefetch(*line);
        }
        let invoice = &ledger.invoices[position];
        if shared.asked.only.is_some_and(|c| invoice.customer() != c) {
            return None;
        }
        // Open on a number's first line only: a number given twice is decided once, there.
        let amount = shared.open[position];
        if amount <= Decimal::ZERO {
            return None;
        }
        // The customer's debtor, not its record: see [`Debtors`].
        let debtor = ledger.customer_position(invoice.customer()).and_then(|at| ledger.debtor(at));
        let law = Law::of_debtor(&ledger.policy, debtor, rules_of(&mut self.segment_rules, ledger, debtor));
        let carried_out = shared.carried_out.into_iter().flat_map(|c| c.get(position));
        let entries = shared.journal.get(position).iter().copied().chain(carried_out);
        let history = History::from_entries(entries.filter(|e| e.date <= as_of), &shared.standing.deliveries);
        let hold = shared.standing.held.get(invoice.customer()).copied();
        let (mut d, verdict) =
            decide_invoice(invoice, &law, &history, amount, hold, as_of, (shared.asked.why)());
        if let Err(v) = verdict {
            self.violations.push((position, invoice.number().to_string(), v));
        }
        charge_once_per_letter(&mut d, &mut self.charged);
        if shared.asked.forecast.is_some() {
            self.next_days.push((position as u32, super::forecasting::next_day_to_decide(&d, as_of)));
        }
        if shared.asked.actions_only && d.state.action().is_none() {
            return None;
        }
        if d.claim.legal_due() < as_of
            && let Err(v) = law.check_fixed_rate(as_of)
        {
            self.claim_violations.push((position, invoice.number().to_string(), v));
        }
        match claim::claim_under(&law, ledger, invoice, &history.fees(), d.fee, d.open, as_of, shared.detail)
        {
            Ok(claim) => d.attach(claim),
            Err(v) => {
                d.why.say_last(format_args!("refused: {v}"));
                self.claim_violations.push((position, invoice.number().to_string(), v));
            }
        }
        if !self.stale_warned.contains(law.pack.country)
            && let Some(w) = stale_rate_warning(&law, &d, as_of)
        {
            self.stale_warned.insert(law.pack.country);
            self.warnings.push((position, law.pack.country, w));
        }
        d.why.settle(&d.state);
        Some(d)
    }

    /// The parts' violations and warnings as one thread would have found them: the ladder's
    /// in file order, then the claims'; the first warning of each country, in file order.
    fn outcome(parts: Vec<Part<'a>>) -> Outcome<'a> {
        let by_position = |lists: Vec<Vec<(usize, String, RuleViolation)>>| {
            let mut all: Vec<(usize, String, RuleViolation)> = lists.into_iter().flatten().collect();
            // Stable: one invoice's violations (all of one part) keep their order.
            all.sort_by_key(|(position, _, _)| *position);
            all.into_iter().map(|(_, number, v)| (number, v))
        };
        let mut ladder = Vec::with_capacity(parts.len());
        let mut claims = Vec::with_capacity(parts.len());
        let mut warned: Vec<(usize, &'static str, String)> = Vec::new();
        for part in parts {
            ladder.push(part.violations);
            claims.push(part.claim_violations);
            warned.extend(part.warnings);
        }
        let mut violations: Vec<(String, RuleViolation)> = by_position(ladder).collect();
        violations.extend(by_position(claims));
        warned.sort_by_key(|(position, _, _)| *position);
        let mut countries: FxHashSet<&'static str> = FxHashSet::default();
        let warnings = warned
            .into_iter()
            .filter(|(_, country, _)| countries.insert(country))
            .map(|(_, _, w)| w)
            .collect();
        Outcome { decisions: Vec::new(), violations, warnings }
    }
}

/// The rules of the debtor's segment (`None`: of a customer the register lacks), built the
/// first time a part meets the segment; `built` is the part's [`Part::segment_rules`].
fn rules_of<'r>(built: &'r mut Vec<Option<Rules>>, ledger: &Ledger, debtor: Option<Debtor<'_>>) -> &'r Rules {
    let slot = debtor.and_then(|d| d.segment_at).map_or(0, |at| at + 1);
    if built.len() <= slot {
        built.resize(slot + 1, None);
    }
    built[slot].get_or_insert_with(|| ledger.rules_of_segment(debtor.and_then(|d| d.segment)))
}

/// The warning that a claim's interest rests on a reference rate carried forward (or
/// unknown), once per country: letters would otherwise state it silently.
fn stale_rate_warning(law: &Law<'_>, d: &Decision<'_>, as_of: NaiveDate) -> Option<String> {
    if law.rules.interest.mode() != crate::core::policy::InterestMode::Statutory || !law.has_statutory_rate()
    {
        return None;
    }
    let first = d.claim.legal_due().succ_opt()?;
    if first > as_of {
        return None;
    }
    let missing = rules::missing_half_years(law.pack, first, as_of, &law.rate_overrides());
    (!missing.is_empty()).then(|| {
        format!(
            "{} ({}): no reference rate known for {}; {}; set interest.reference_rates in policy.toml",
            law.pack.country,
            law.pack.interest.reference_rate_name,
            missing.join(", "),
            if rules::reference_rate_on(law.pack, first, &law.rate_overrides()).is_some() {
                format!(
                    "the rate of {} is carried forward",
                    rules::half_year_label(rules::last_known_period(law.pack, &law.rate_overrides()))
                )
            } else {
                "counted as 0".to_owned()
            }
        )
    })
}

/// One letter per customer, step and currency lists all its invoices; its fee is charged once,
/// on the first invoice of the letter (the journal records it there). `charged`: the letters
/// whose fee an earlier invoice carries.
fn charge_once_per_letter<'a>(d: &mut Decision<'a>, charged: &mut FxHashSet<(&'a str, Currency)>) {
    if d.state != State::Due(Action::Reminder) {
        return;
    }
    if !charged.insert((d.customer, d.currency)) && !d.fee.is_zero() {
        d.why.say(format_args!("the reminder fee {} is charged once, on the letter's first invoice", d.fee));
        d.fee = Decimal::ZERO;
    }
}

/// Customers on hold on `as_of`, with the date the hold began.
fn held_customers(ledger: &Ledger, as_of: NaiveDate) -> Vec<(String, NaiveDate)> {
    let mut held: Vec<(String, NaiveDate)> = Vec::new();
    for e in ledger.journal.up_to(as_of).filter(|e| e.invoice().is_none()) {
        let Some(c) = e.customer() else { continue };
        match e.event {
            Event::Hold if !held.iter().any(|(h, _)| h == c) => held.push((c.to_string(), e.date)),
            Event::Release => held.retain(|(h, _)| h != c),
            _ => {}
        }
    }
    held
}
