//! What one invoice record's decision reads on the as-of date, whether the record stands in a
//! whole ledger or streams past: the payments made by then, what is open before credit notes,
//! whether it decides anything.

use super::*;

/// The payments of `payments.csv` made by the as-of date, summed per invoice and per reference.
#[derive(Debug, Default, Clone)]
pub struct PaymentIndex {
    by_invoice: HashMap<String, Decimal>,
    by_reference: HashMap<String, Decimal>,
    /// The same payments with their dates, for the early-payment discount (what was paid by
    /// its last day).
    dated: PaymentDates,
}

impl PaymentIndex {
    pub fn new(payments: &[Payment], as_of: NaiveDate) -> PaymentIndex {
        let mut index = PaymentIndex { dated: PaymentDates::new(payments, as_of), ..PaymentIndex::default() };
        for p in payments.iter().filter(|p| p.date <= as_of) {
            match (&p.invoice, &p.reference) {
                (Some(number), _) => *index.by_invoice.entry(number.clone()).or_default() += p.amount,
                (None, Some(reference)) => {
                    *index.by_reference.entry(normalize_reference(reference)).or_default() += p.amount
                }
                (None, None) => {}
            }
        }
        index
    }

    /// What `payments.csv` paid on this invoice by the as-of date.
    pub fn paid_on(&self, record: &InvoiceRecord<'_>) -> Decimal {
        let mut sum = Decimal::ZERO;
        if !self.by_invoice.is_empty() {
            sum += self.by_invoice.get(record.number).copied().unwrap_or_default();
        }
        if let (false, Some(reference)) = (self.by_reference.is_empty(), record.reference) {
            sum += self.by_reference.get(&normalize_reference(reference)).copied().unwrap_or_default();
        }
        sum
    }

    /// [`PaymentDates::dated_on`] of the same payments.
    pub fn dated_on<'a>(
        &'a self,
        record: &InvoiceRecord<'_>,
    ) -> impl Iterator<Item = (NaiveDate, Decimal)> + 'a {
        self.dated.dated_on(record)
    }

    /// What `payments.csv` paid on this invoice up to and including `day`.
    pub fn paid_by(&self, record: &InvoiceRecord<'_>, day: NaiveDate) -> Decimal {
        self.dated_on(record).filter(|(d, _)| *d <= day).map(|(_, a)| a).sum()
    }
}

/// The payments of `payments.csv` made by the as-of date, with their dates, by invoice number
/// and by reference (for payments that name no invoice): [`PaymentIndex`]'s own, and all
/// that the credit watch's and `dun check`'s scans read of them.
#[derive(Clone, Debug, Default)]
pub struct PaymentDates {
    by_invoice: FxHashMap<String, Vec<(NaiveDate, Decimal)>>,
    by_reference: FxHashMap<String, Vec<(NaiveDate, Decimal)>>,
}

impl PaymentDates {
    pub fn new(payments: &[Payment], as_of: NaiveDate) -> PaymentDates {
        let mut dates = PaymentDates::default();
        for p in payments.iter().filter(|p| p.date <= as_of) {
            match (&p.invoice, &p.reference) {
                (Some(number), _) => {
                    dates.by_invoice.entry(number.clone()).or_default().push((p.date, p.amount))
                }
                (None, Some(reference)) => dates
                    .by_reference
                    .entry(normalize_reference(reference))
                    .or_default()
                    .push((p.date, p.amount)),
                (None, None) => {}
            }
        }
        dates
    }

    /// The dated payments on this invoice (by its number and by its reference), up to the
    /// as-of date.
    pub fn dated_on<'a>(
        &'a self,
        record: &InvoiceRecord<'_>,
    ) -> impl Iterator<Item = (NaiveDate, Decimal)> + 'a {
        let by_reference = match (self.by_reference.is_empty(), record.reference) {
            (false, Some(reference)) => self.by_reference.get(&normalize_reference(reference)),
            _ => None,
        };
        self.by_invoice.get(record.number).into_iter().chain(by_reference).flatten().copied()
    }

    /// [`PaymentDates::dated_on`] in a list.
    pub fn on(&self, record: &InvoiceRecord<'_>) -> Vec<(NaiveDate, Decimal)> {
        self.dated_on(record).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.by_invoice.is_empty() && self.by_reference.is_empty()
    }
}

/// Whether the invoice's early-payment discount was taken by `as_of`: what was paid by its
/// last day (`paid` counts when `paid_on` is that day or before) reaches the amount less the
/// discount, and is less than the amount (who paid in full did not take it). Then the discount
/// settles the rest.
pub fn discount_taken(
    record: &InvoiceRecord<'_>,
    as_of: NaiveDate,
    payments: &PaymentIndex,
) -> Option<Decimal> {
    let discount = record.discount?;
    let last = discount.until.min(as_of);
    let paid = match record.paid_on {
        Some(d) if d <= last => record.paid,
        _ => Decimal::ZERO,
    };
    let by_then = paid + payments.paid_by(record, last);
    (by_then >= record.amount - discount.amount && by_then < record.amount).then_some(discount.amount)
}

/// References are compared without spaces and case: `RF18 5390 0754 7034` = `rf18539007547034`.
pub fn normalize_reference(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// What is open on one invoice before credit notes, as of `as_of`: `None` when the invoice
/// did not exist yet. `paid` counts from `paid_on` when given, else from the invoice date.
pub fn open_before_credits(
    record: &InvoiceRecord<'_>,
    as_of: NaiveDate,
    payments: &PaymentIndex,
) -> Option<Decimal> {
    if record.issued > as_of {
        return None;
    }
    let paid_counts = record.paid_on.is_none_or(|d| d <= as_of);
    let paid = if paid_counts { record.paid } else { Decimal::ZERO };
    let discount = if record.discount.is_some() { discount_taken(record, as_of, payments) } else { None };
    Some(record.amount - paid - payments.paid_on(record) - discount.unwrap_or_default())
}

/// Whether a decision on `as_of` (SPEC §6: `dun due`) can need this invoice record: an invoice
/// with something open or owed back on that day, and every credit note that names an invoice
/// (its credit reduces that invoice, and its date and amount are on the invoice's timeline).
/// An invoice settled by then, or not issued yet, is decided on nothing and claims nothing:
/// such a load needs only its number, for the duplicate check (a number given twice is decided
/// on its first line).
pub fn decides_on(record: &InvoiceRecord<'_>, as_of: NaiveDate, payments: &PaymentIndex) -> bool {
    record.credits.is_some()
        || open_before_credits(record, as_of, payments).is_some_and(|open| !open.is_zero())
}

/// The payments of `payments.csv` dated within a period, by the invoice number or the
/// reference they name (as [`Ledger`] matches them): what may have settled an invoice in it.
#[derive(Debug)]
pub struct PaidWithin {
    from: NaiveDate,
    to: NaiveDate,
    numbers: rustc_hash::FxHashSet<String>,
    references: rustc_hash::FxHashSet<String>,
}

impl PaidWithin {
    pub fn new(payments: &[Payment], from: NaiveDate, to: NaiveDate) -> PaidWithin {
        let (numbers, references) = Default::default();
        let mut within = PaidWithin { from, to, numbers, references };
        for p in payments.iter().filter(|p| (from..=to).contains(&p.date)) {
            match (&p.invoice, &p.reference) {
                (Some(number), _) => within.numbers.insert(number.clone()),
                (None, Some(r)) => within.references.insert(normalize_reference(r)),
                (None, None) => false,
            };
        }
        within
    }

    /// Whether a payment in the period names this invoice.
    pub fn on(&self, record: &InvoiceRecord<'_>) -> bool {
        self.numbers.contains(record.number)
            || (!self.references.is_empty()
                && record.reference.is_some_and(|r| self.references.contains(&normalize_reference(r))))
    }

    /// Whether the invoice's open amount may change within the period by what was paid:
    /// `paid` dated in it (by `paid_on`, else the invoice date, as [`Ledger::open_timeline`]
    /// counts it) or a payment of `payments.csv` in it. (A credit note is the caller's.)
    pub fn changes(&self, record: &InvoiceRecord<'_>) -> bool {
        (self.from..=self.to).contains(&record.paid_on.unwrap_or(record.issued)) || self.on(record)
    }
}

/// Whether a decision on a day after `as_of`, up to `until`, can need this invoice record
/// that [`decides_on`] `as_of` does not (a forecast: `dun due --until`): one issued in that
/// time, or whose open amount may change in it — `paid` dated in it, a payment of
/// `payments.csv` in it (`later`: those dated after `as_of`), an early-payment discount (what
/// it leaves open depends on the day). An invoice settled on `as_of` without any of these
/// stays settled to the end.
pub fn decides_later(
    record: &InvoiceRecord<'_>,
    as_of: NaiveDate,
    until: NaiveDate,
    later: &PaidWithin,
) -> bool {
    let within = |d: NaiveDate| as_of < d && d <= until;
    within(record.issued)
        || record.paid_on.is_some_and(within)
        || record.discount.is_some()
        || later.on(record)
}

/// Whether `dun check` calls this invoice record an error on its own, whatever else the ledger
/// holds (SPEC §10): its customer is not in the register, it falls due before it was issued,
/// or its balance disagrees with amount − paid or is more than the amount. A load for letters
/// keeps such an invoice even when it is settled, so that the data gate of `dun remind` and
/// `dun collect` sees it. (The errors that need another line — a number given twice, the
/// invoice a credit note names — are kept by number.)
pub fn flagged_alone(record: &InvoiceRecord<'_>, known_customer: bool) -> bool {
    !known_customer
        || (!record.is_credit_note() && record.due < record.issued)
        || record.balance.is_some_and(|b| b != record.amount - record.paid || b.abs() > record.amount.abs())
}

/// The dated payments on one invoice record up to `as_of`, by date: `paid` (dated `paid_on`,
/// else the invoice date, as the open amount counts it) and `payments`, the lines of
/// `payments.csv` on it in file order ([`Ledger::dated_payments`] in a ledger; a scan reads
/// them from a [`PaymentIndex`]). Credit notes are not payments.
pub fn dated_payments_of(
    record: &InvoiceRecord<'_>,
    payments: impl Iterator<Item = (NaiveDate, Decimal)>,
    as_of: NaiveDate,
) -> Vec<(NaiveDate, Decimal)> {
    let mut paid = Vec::new();
    let paid_date = record.paid_on.unwrap_or(record.issued);
    if !record.paid.is_zero() && paid_date <= as_of {
        paid.push((paid_date, record.paid));
    }
    paid.extend(payments.filter(|p| p.0 <= as_of));
    paid.sort_by_key(|p| p.0);
    paid
}

/// The open principal of one invoice record from its due date on, as it changed with dated
/// part payments and credit notes up to `as_of`: `(date, open from that date)` pairs, sorted.
/// `paid` without `paid_on` counts from the invoice date (nothing better is known).
/// `payments` are the lines of `payments.csv` on it and `credits` the `(date, amount)` of the
/// ledger's lines crediting it, both in file order: changes of one day are applied in that
/// order (a refund and a payment on one day do not commute, the open amount stops at 0).
pub fn open_timeline_of(
    record: &InvoiceRecord<'_>,
    payments: impl Iterator<Item = (NaiveDate, Decimal)>,
    credits: impl Iterator<Item = (NaiveDate, Decimal)>,
    as_of: NaiveDate,
) -> Vec<(NaiveDate, Decimal)> {
    let mut changes: Vec<(NaiveDate, Decimal)> = Vec::new();
    match record.paid_on {
        Some(d) if d <= as_of => changes.push((d, record.paid)),
        Some(_) => {}
        None => changes.push((record.issued, record.paid)),
    }
    changes.extend(payments.filter(|p| p.0 <= as_of));
    for (issued, amount) in credits {
        if issued <= as_of && amount < Decimal::ZERO {
            changes.push((issued, -amount));
        }
    }
    changes.sort_by_key(|c| c.0);
    if let Some(d) = record.discount {
        // The discount settles the rest on the day the discounted amount was reached.
        let by_until: Decimal = changes.iter().filter(|c| c.0 <= d.until).map(|c| c.1).sum();
        let mut paid = Decimal::ZERO;
        let reached = changes.iter().find_map(|(date, amount)| {
            paid += amount;
            (paid >= record.amount - d.amount).then_some(*date)
        });
        let taken = by_until >= record.amount - d.amount && by_until < record.amount;
        if let (Some(day), true) = (reached, taken) {
            let at = changes.partition_point(|c| c.0 <= day);
            changes.insert(at, (day, d.amount));
        }
    }
    let mut open = record.amount;
    let mut timeline = vec![(record.issued.min(record.due), open)];
    for (date, paid) in changes {
        open = (open - paid).max(Decimal::ZERO);
        match timeline.last_mut() {
            Some(last) if last.0 == date => last.1 = open,
            _ => timeline.push((date, open)),
        }
    }
    timeline
}
