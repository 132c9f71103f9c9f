//! `dun stats` without a ledger: the invoices observed as a scan of `invoices.csv` streams
//! them past, and the few a scan cannot judge alone (credit notes, what they credit, numbers
//! given twice) observed in a ledger of them after it.

use super::*;

/// What observes the records of `invoices.csv` as a scan streams them past, without a ledger
/// (`dun stats` on a ledger of millions, where keeping the two thirds of a year's invoices
/// that are compared or were reminded cost a third of its time). It sees what the whole
/// ledger would show of a record no credit note names and whose number is given once; the
/// others are observed in a ledger of them after the scan ([`effectiveness_streamed`]), and
/// what this showed of them taken away.
pub struct RecordObserver<'a> {
    ladders: &'a Ladders,
    payments: &'a PaymentIndex,
    customers: &'a CustomerIndex<'a>,
    /// Each customer's segment, by register position, and each segment's rules.
    debtors: Debtors,
    rules: SegmentRules,
    /// The earliest day after the due date any segment reminds (see [`may_be_compared`]).
    after_days: u32,
    as_of: NaiveDate,
}

impl<'a> RecordObserver<'a> {
    /// An observer on `as_of` of the customers of `register` (as `customers` finds them).
    pub fn new(
        ladders: &'a Ladders,
        payments: &'a PaymentIndex,
        (register, customers): (&[Customer], &'a CustomerIndex<'a>),
        policy: &Policy,
        as_of: NaiveDate,
    ) -> RecordObserver<'a> {
        let segments = policy.file.segments.keys().filter_map(|name| policy.rules(Some(name)));
        let after_days = std::iter::once(policy.base_rules())
            .chain(segments)
            .map(|r| r.reminder.after_days())
            .min()
            .unwrap_or(0);
        let debtors = Debtors::new(register);
        let rules = SegmentRules::new(&debtors, policy);
        RecordObserver { ladders, payments, customers, debtors, rules, after_days, as_of }
    }

    /// The rules of the customer with this id (without looking it up when every customer has
    /// the base rules: most policies have no segments).
    fn rules_of(&self, id: &str) -> &Rules {
        if self.rules.none() {
            return self.rules.of(None);
        }
        self.rules.of(self.customers.get(id).and_then(|at| self.debtors.get(at as usize)))
    }

    /// Whether a scan observes this record itself: not a credit note, which is kept for the
    /// ledger after the scan, where it lowers what it credits (observed there too).
    pub fn streams(record: &InvoiceRecord<'_>) -> bool {
        !record.is_credit_note()
    }

    /// Counts what `record` shows into `tally`, as [`effectiveness`] on a ledger where no credit
    /// note names it and no other line has its number.
    pub fn observe(&self, tally: &mut Tally, record: &InvoiceRecord<'_>) {
        if record.is_credit_note() || record.issued > self.as_of {
            return;
        }
        let rungs = self.ladders.get(record.number);
        if rungs.is_empty() && !may_be_compared(record, self.as_of, self.after_days, self.payments) {
            return;
        }
        observations(
            rungs,
            (record.due, record.currency),
            self.rules_of(record.customer),
            self.as_of,
            || History::of_record(record, self.payments, self.as_of),
            |step, seen| tally.count(step, seen),
        );
    }
}

/// The ladder's effectiveness from a scan of every invoice record: `streamed`, the tally of
/// what `observer` saw of the records it [streams](RecordObserver::streams), and `kept`, a
/// ledger of the others and of every line of the numbers they credit or that are given twice
/// (its register may be left empty: `observer` knows each customer's rules, and the ladder's
/// lines of the journal), and the invoices due in the last 12 months. What the scan saw of
/// the kept lines is taken away and they are observed in `kept` instead, where credit notes
/// and a number's first line are known.
pub fn effectiveness_streamed(
    streamed: Tally,
    observer: &RecordObserver<'_>,
    kept: &Ledger,
    invoices_due_12m: u64,
) -> Effectiveness {
    let as_of = observer.as_of;
    let parts = in_parts(&kept.invoices, |part| {
        let mut seen_in_scan = Tally::default();
        for invoice in part {
            let record = invoice.record();
            if RecordObserver::streams(&record) {
                observer.observe(&mut seen_in_scan, &record);
            }
        }
        (seen_in_scan, Tally::of(kept, observer.ladders, part, as_of, |id| observer.rules_of(id)))
    });
    let (mut seen_in_scan, mut observed) = (Tally::default(), Tally::default());
    for (seen, tally) in parts {
        seen_in_scan = seen_in_scan.and(seen);
        observed = observed.and(tally);
    }
    let tally = streamed.take_away(seen_in_scan).and(observed);
    finish(tally, &kept.policy, observer.ladders, as_of, invoices_due_12m)
}

/// Whether [`effectiveness`] on `as_of` can observe this invoice record when the journal holds
/// no line of the ladder on its number (no step, pause or hand-over) and it is neither a credit
/// note nor a number given twice: only as a comparison invoice for `reminder-1`, on its due
/// date + `after_days` (the least of the policy's) if that day is observed, and only if it was
/// open the day before. Credit notes and an early-payment discount only lower what is open, so
/// what `paid` and `payments.csv` leave open then is an upper bound: when it is nothing, the
/// invoice is not observed. One with a refund (a negative payment) or a payment dated before
/// its timeline starts is kept whatever it shows. A scan for `dun stats` observes what this
/// accepts ([`RecordObserver`]) and passes the rest by, most of a ledger of years.
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
