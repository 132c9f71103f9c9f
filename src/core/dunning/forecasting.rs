//! What would fall due each day of a period if nothing is paid and every action is carried
//! out the day it falls due (`dun due --until`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;

use super::run::{Asked, ForecastDay, Standing, decide_into};
use super::{Action, Decision, Outcome, Pause, State, Why, action_entry};
use crate::core::ledger::Ledger;

/// What would fall due each day from `from` to `until` if nothing is paid and every action
/// is carried out the day it falls due.
pub fn forecast(ledger: &Ledger, from: NaiveDate, until: NaiveDate) -> Vec<(NaiveDate, Decision<'_>)> {
    let mut out = Vec::new();
    let _ = forecast_each(ledger, from, until, &mut |day, at, d| {
        let invoice = &ledger.invoices[at];
        out.push((day, d.borrowing(invoice.number(), invoice.customer())));
    });
    out
}

/// [`forecast`] as it was first written, for tests: each day's actions added to a copy of the
/// ledger's journal, and the day decided on the copy as any run would decide it.
#[cfg(test)]
pub(crate) fn forecast_by_appending(
    ledger: &Ledger,
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<(NaiveDate, Decision<'_>)> {
    let mut sim = ledger.clone();
    let mut out = Vec::new();
    let mut calls_listed: FxHashSet<usize> = FxHashSet::default();
    let mut day = from;
    while day <= until {
        let mut entries = Vec::new();
        let asked = Asked { actions_only: true, ..Asked::every(Why::nothing) };
        // `sim` has the ledger's invoices: a decision's position is the same in both.
        decide_into(&sim, day, asked, &sim.open_by_position(day), &mut |at, d| {
            entries.extend(action_entry(&d, day, None, None));
            if d.state == State::Due(Action::Call) && !calls_listed.insert(at) {
                return;
            }
            let invoice = &ledger.invoices[at];
            out.push((day, d.borrowing(invoice.number(), invoice.customer())));
        });
        sim.journal.entries.extend(entries);
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    out
}

/// [`forecast`] handing each decision to `take` as it is made, in the same order, with the
/// position of its invoice in `ledger.invoices` (the decision borrows the ledger only while it
/// is taken). The ledger's journal is grouped by invoice once; the lines of each day's actions
/// are kept beside it, by invoice, for the days after: no copy of the ledger (half of a
/// forecast's memory once) and no day grouping the whole journal again (a third of its time).
/// The actions' lines are reminders, collections and calls on an invoice, which neither the
/// deliveries nor a customer's hold are read from.
///
/// The first day decides every open invoice; a later day only those that can change on it
/// (issue #14: a month's forecast decided all 250,000 open invoices of a million-invoice
/// ledger every day to find a few thousand actions). An invoice is decided again on the day
/// its decision says it changes (`next_day_to_decide`), the day its open amount changes, the
/// day a line of the journal dated after the first day names it; every invoice on the day of
/// a journal line that may touch more than one invoice (a customer's hold or release, a
/// delivery). A decision made on a day it could not change is the one made the day before, so
/// an extra one is harmless; what must never happen is leaving out one that changes.
///
/// Gives back the first day's violations and warnings: that day's run makes every open
/// invoice's claim, as `dun due` on that day does, so the caller need not decide the day again
/// to report them (a third of a month's forecast, once the other days were cut).
pub fn forecast_each<'a>(
    ledger: &'a Ledger,
    from: NaiveDate,
    until: NaiveDate,
    take: &mut dyn FnMut(NaiveDate, usize, Decision<'_>),
) -> Outcome<'a> {
    let journal = super::run::LinesByInvoice::of(ledger, |_| true);
    let mut carried_out = super::run::CarriedOut::new(ledger.invoices.len());
    let owners = ledger.owners();
    let later_lines = LaterLines::of(ledger, from, until);
    let mut standing = Standing::on(ledger, from);
    // By position: the first day the invoice can change (`NaiveDate::MAX`: none known).
    let mut next_day = vec![NaiveDate::MAX; ledger.invoices.len()];
    // A call task stands until something is recorded, which never happens in a forecast: it is
    // listed on its first day only, not once a day to the end.
    let mut calls_listed: FxHashSet<usize> = FxHashSet::default();
    // A day's open amounts come from the invoices, payments and credit notes alone, never from
    // the actions carried out: each is worked out on another thread while the day before is
    // decided (a tenth of a forecast, on one thread between the days' decisions).
    let mut first_day = Outcome { decisions: Vec::new(), violations: Vec::new(), warnings: Vec::new() };
    std::thread::scope(|scope| {
        // `None`: the same as the day before (nothing issued, paid or credited that day).
        let (send, open_amounts) = std::sync::mpsc::sync_channel::<Option<Vec<Decimal>>>(1);
        let owners = &owners;
        scope.spawn(move || {
            let change = ledger.days_open_amounts_change(from, until);
            let mut day = from;
            while day <= until {
                let open = (day == from || change.contains(&day))
                    .then(|| ledger.open_by_position_owned(day, owners));
                if send.send(open).is_err() {
                    return;
                }
                let Some(next) = day.succ_opt() else { return };
                day = next;
            }
        });
        let mut day = from;
        let mut open: Vec<Decimal> = Vec::new();
        while day <= until {
            let Ok(today) = open_amounts.recv() else { return };
            let before = match today {
                Some(today) => Some(std::mem::replace(&mut open, today)),
                None => None,
            };
            let positions = if day == from || later_lines.touch_all(day) {
                if day > from {
                    standing = Standing::on(ledger, day);
                }
                None
            } else {
                later_lines.wake(day, &mut next_day);
                Some(can_change(day, &next_day, &open, before.as_deref()))
            };
            let mut entries = Vec::new();
            let decided = std::sync::Mutex::new(Vec::new());
            let today = ForecastDay {
                journal: &journal,
                carried_out: &carried_out,
                standing: &standing,
                positions: positions.as_deref(),
                next_days: &decided,
            };
            // Each day's decisions taken as they are made: the day's whole list (every open
            // invoice with its claim) was most of a forecast's memory.
            let asked =
                Asked { actions_only: day > from, forecast: Some(&today), ..Asked::every(Why::nothing) };
            let outcome = decide_into(ledger, day, asked, &open, &mut |at, d| {
                if d.state.action().is_none() {
                    return;
                }
                entries.extend(action_entry(&d, day, None, None).map(|e| (at, e)));
                if d.state == State::Due(Action::Call) && !calls_listed.insert(at) {
                    return;
                }
                take(day, at, d);
            });
            if day == from {
                first_day = outcome;
            }
            // An invoice looked at but not decided (nothing open) waits for its open amount.
            match &positions {
                Some(list) => list.iter().for_each(|&at| next_day[at as usize] = NaiveDate::MAX),
                None => next_day.fill(NaiveDate::MAX),
            }
            for (at, next) in decided.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
                next_day[at as usize] = next;
            }
            for (at, e) in entries {
                carried_out.push(at, e);
            }
            let Some(next) = day.succ_opt() else { return };
            day = next;
        }
    });
    first_day
}

/// The first day after `as_of` on which an invoice decided `d` on `as_of` can be decided
/// otherwise, if nothing is paid, issued or recorded on it before (those wake it themselves).
/// An action is carried out, so the next day sees a new line; a payment plan's installments
/// turn late and broken with the days; a promise ends, and a waiting step comes, on the day the
/// decision names; a dispute, a hold and a step that waits for a delivery, a smaller open
/// amount or a decision by hand change only with what is recorded or paid. An invoice handed
/// to collection (today, or before) never has an action again, whatever follows: a pause or
/// the hand-over is all it can be decided.
pub(super) fn next_day_to_decide(d: &Decision<'_>, as_of: NaiveDate) -> NaiveDate {
    let tomorrow = as_of.succ_opt().unwrap_or(NaiveDate::MAX);
    match d.state {
        State::Due(Action::Collection) | State::InCollection(_) => NaiveDate::MAX,
        State::Due(_) | State::Paused(Pause::PlanKept(_) | Pause::PlanLate(..)) => tomorrow,
        State::Paused(Pause::Promised(_)) | State::Waiting(Some(_)) | State::NotDue => {
            d.next_date.map_or(tomorrow, |next| next.max(tomorrow))
        }
        State::Paused(Pause::Disputed(_) | Pause::Held(_)) | State::Waiting(None) => NaiveDate::MAX,
    }
}

/// The positions (ascending) of the invoices that can change on `day`: those whose day to
/// decide has come, and those whose open amount is not what it was the day before (`before`:
/// the day before's, when they differ at all).
fn can_change(
    day: NaiveDate,
    next_day: &[NaiveDate],
    open: &[Decimal],
    before: Option<&[Decimal]>,
) -> Vec<u32> {
    let changed = |at: usize| before.is_some_and(|before| open[at] != before[at]);
    (0..next_day.len()).filter(|&at| next_day[at] <= day || changed(at)).map(|at| at as u32).collect()
}

/// The ledger's journal lines dated after a forecast's first day: a line on one invoice
/// wakes that invoice on its date; any other (a customer's hold or release, a delivery, a line
/// on no invoice of the ledger) makes its date one on which every invoice is decided.
struct LaterLines {
    /// (date, position), by date.
    on_invoice: Vec<(NaiveDate, u32)>,
    every_invoice: FxHashSet<NaiveDate>,
}

impl LaterLines {
    fn of(ledger: &Ledger, from: NaiveDate, until: NaiveDate) -> LaterLines {
        let mut later = LaterLines { on_invoice: Vec::new(), every_invoice: FxHashSet::default() };
        for e in ledger.journal.entries.iter().filter(|e| from < e.date && e.date <= until) {
            let on_one = e.invoice().filter(|_| !e.event.is_delivery());
            match on_one.and_then(|number| ledger.invoice_position(number)) {
                Some(at) => later.on_invoice.push((e.date, at as u32)),
                None => {
                    later.every_invoice.insert(e.date);
                }
            }
        }
        later.on_invoice.sort_unstable();
        later
    }

    fn touch_all(&self, day: NaiveDate) -> bool {
        self.every_invoice.contains(&day)
    }

    /// Brings the day to decide of every invoice with a line dated `day` forward to it.
    fn wake(&self, day: NaiveDate, next_day: &mut [NaiveDate]) {
        let first = self.on_invoice.partition_point(|&(date, _)| date < day);
        for &(_, at) in self.on_invoice[first..].iter().take_while(|&&(date, _)| date == day) {
            let next = &mut next_day[at as usize];
            *next = (*next).min(day);
        }
    }
}
