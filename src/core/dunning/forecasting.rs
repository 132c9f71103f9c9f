//! What would fall due each day of a period if nothing is paid and every action is carried
//! out the day it falls due (`dun due --until`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;

use super::run::{Asked, decide_into};
use super::{Action, Decision, State, Why, action_entry};
use crate::core::ledger::Ledger;

/// What would fall due each day from `from` to `until` if nothing is paid and every action
/// is carried out the day it falls due.
pub fn forecast(ledger: &Ledger, from: NaiveDate, until: NaiveDate) -> Vec<(NaiveDate, Decision<'_>)> {
    let mut out = Vec::new();
    forecast_each(ledger, from, until, &mut |day, at, d| {
        let invoice = &ledger.invoices[at];
        out.push((day, d.borrowing(&invoice.number, &invoice.customer)));
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
        decide_into(&sim, day, asked, sim.open_by_position(day), &mut |d| {
            entries.extend(action_entry(&d, day, None, None));
            let Some(at) = sim.invoice_position(d.invoice) else { return };
            if d.state == State::Due(Action::Call) && !calls_listed.insert(at) {
                return;
            }
            let invoice = &ledger.invoices[at];
            out.push((day, d.borrowing(&invoice.number, &invoice.customer)));
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
pub fn forecast_each(
    ledger: &Ledger,
    from: NaiveDate,
    until: NaiveDate,
    take: &mut dyn FnMut(NaiveDate, usize, Decision<'_>),
) {
    let journal = super::run::LinesByInvoice::of(ledger, |_| true);
    let mut carried_out = super::run::CarriedOut::new(ledger.invoices.len());
    let owners = ledger.owners();
    // A call task stands until something is recorded, which never happens in a forecast: it is
    // listed on its first day only, not once a day to the end.
    let mut calls_listed: FxHashSet<usize> = FxHashSet::default();
    // A day's open amounts come from the invoices, payments and credit notes alone, never from
    // the actions carried out: each is worked out on another thread while the day before is
    // decided (a tenth of a forecast, on one thread between the days' decisions).
    std::thread::scope(|scope| {
        let (send, open_amounts) = std::sync::mpsc::sync_channel::<Vec<Decimal>>(1);
        let owners = &owners;
        scope.spawn(move || {
            let mut day = from;
            while day <= until && send.send(ledger.open_by_position_owned(day, owners)).is_ok() {
                let Some(next) = day.succ_opt() else { return };
                day = next;
            }
        });
        let mut day = from;
        while day <= until {
            let Ok(open) = open_amounts.recv() else { return };
            let mut entries = Vec::new();
            // Each day's decisions taken as they are made: the day's whole list (every open
            // invoice with its claim) was most of a forecast's memory.
            let asked = Asked {
                actions_only: true,
                forecast: Some((&journal, &carried_out)),
                ..Asked::every(Why::nothing)
            };
            decide_into(ledger, day, asked, open, &mut |d| {
                let Some(at) = ledger.invoice_position(d.invoice) else { return };
                entries.extend(action_entry(&d, day, None, None).map(|e| (at, e)));
                if d.state == State::Due(Action::Call) && !calls_listed.insert(at) {
                    return;
                }
                take(day, at, d);
            });
            for (at, e) in entries {
                carried_out.push(at, e);
            }
            let Some(next) = day.succ_opt() else { return };
            day = next;
        }
    });
}
