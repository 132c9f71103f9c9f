//! Checking while the invoices stream past: what `dun check` reads of every invoice, gathered
//! so that a load keeps only the invoices a finding can be about.

use super::*;
use crate::core::privacy::see_latest;
use invoices::RefKinds;

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
    pub(super) behaviour: SettledBook,
    /// The invoice numbers named in `payments.csv` that `invoices.csv` has.
    pub(super) numbers: FxHashSet<String>,
    /// The normalised references of payments that name no invoice which some invoice has.
    pub(super) references: FxHashSet<String>,
    /// Settled invoices the load did not keep, each in a currency unusual for its customer
    /// ([`Streamed::note_settled`]).
    settled: Settled,
}

/// Invoice lines in a currency unusual for their customer that a load for `dun check` passed
/// over (settled, nothing else to find on them): their one finding is made with the other
/// invoices' ([`Streamed::push_settled`]), on every core, from these 24 bytes a line and its
/// number (in `numbers`, one after another).
#[derive(Clone, Debug, Default)]
struct Settled {
    lines: Vec<SettledLine>,
    numbers: String,
}

#[derive(Clone, Copy, Debug)]
struct SettledLine {
    line: u64,
    owner: u32,
    /// Where its number ends in [`Settled::numbers`] (it starts where the line before's ends).
    end: usize,
    currency: Currency,
}

/// One worker's part of [`Streamed`].
pub struct CheckTally {
    /// By register position.
    customers: Vec<CustomerTally>,
    more: FxHashMap<(u32, Currency), u32>,
    credit: CreditBook,
    pub(super) numbers: Vec<String>,
    pub(super) references: Vec<String>,
    /// The register position and currency of each credit note: it does not count towards its
    /// customer's usual currency, but may differ from it.
    credit_notes: Vec<(u32, Currency)>,
}

/// What a worker's tally keeps of one customer, side by side: nearly every invoice updates
/// both, and kept in two lists (a million invoices of customers at random) each was a cache
/// miss of its own (issue #14).
#[derive(Clone, Copy, Default)]
struct CustomerTally {
    counts: CurrencyCounts,
    /// The customer's last invoice, settlement or payment up to the as-of date.
    last: Option<NaiveDate>,
}

impl CheckTally {
    fn count(&mut self, owner: u32, currency: Currency, n: u32) {
        crate::core::credit::count_currency(
            &mut self.customers[owner as usize].counts,
            &mut self.more,
            owner,
            currency,
            n,
        );
    }
}

/// What every worker of a load for `dun check` reads, built once before the scan.
pub struct CheckScan<'a> {
    as_of: NaiveDate,
    customers: &'a [Customer],
    dates: PaymentDates,
    /// Whether `payments.csv` pays anything by the as-of date (else no payment date is sought).
    any_paid: bool,
    /// The reference schemes of each customer's invoices, by register position: looked up
    /// in a small array as the invoices stream past (a customer's record and its segment's
    /// rules are far apart in memory, and were a tenth of the scan).
    ref_kinds: Vec<RefKinds>,
    /// Those of an invoice of a customer the register lacks.
    unknown_ref_kinds: RefKinds,
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
            let segment = c.segment();
            rules
                .entry(segment)
                .or_insert_with(|| policy.rules(segment).unwrap_or_else(|| policy.base_rules()));
        }
        let ref_kinds = customers
            .iter()
            .map(|c| RefKinds::of(&policy.country, &rules[&c.segment()], Some(c.country())))
            .collect();
        let unknown_ref_kinds = RefKinds::of(&policy.country, &rules[&None], None);
        let named = payments.iter().filter_map(|p| p.invoice.as_deref()).collect();
        let referenced = payments
            .iter()
            .filter(|p| p.invoice.is_none())
            .filter_map(|p| p.reference.as_deref())
            .map(normalize_reference)
            .collect();
        CheckScan {
            as_of,
            customers,
            dates: PaymentDates::new(payments, as_of),
            any_paid: payments.iter().any(|p| p.date <= as_of),
            ref_kinds,
            unknown_ref_kinds,
            named,
            referenced,
        }
    }

    /// An empty tally for one worker.
    pub fn tally(&self) -> CheckTally {
        CheckTally {
            customers: vec![CustomerTally::default(); self.customers.len()],
            more: FxHashMap::default(),
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
                let kinds = owner.map_or(&self.unknown_ref_kinds, |o| &self.ref_kinds[o as usize]);
                kinds.problem(reference).is_err()
            })
    }

    /// Starts loading what [`CheckScan::push`] and [`CheckScan::flags`] read of the customer
    /// at `owner` in two lists by register position (the worker's tallies, the reference
    /// schemes): with the customers of a million invoices at random, each was a cache miss,
    /// one after the other (issue #14). The credit book loads its own
    /// ([`CreditBook::push_for`]).
    pub fn prefetch(&self, tally: &CheckTally, owner: Option<u32>) {
        let Some(owner) = owner else { return };
        if let Some(customer) = tally.customers.get(owner as usize) {
            crate::core::prefetch(customer);
        }
        if let Some(kinds) = self.ref_kinds.get(owner as usize) {
            crate::core::prefetch(kinds);
        }
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
            let last = &mut tally.customers[owner as usize].last;
            see_latest(last, record.issued);
            if let Some(d) = record.paid_on.filter(|d| *d <= self.as_of) {
                see_latest(last, d);
            }
            if self.any_paid
                && let Some(d) = self.dates.on(record).iter().map(|p| p.0).max()
            {
                see_latest(last, d);
            }
        }
    }

    /// The workers' tallies as one.
    pub fn finish(&self, tallies: Vec<CheckTally>) -> Streamed {
        let mut tallies = tallies.into_iter();
        let mut all = tallies.next().unwrap_or_else(|| self.tally());
        let mut books = Vec::new();
        for other in tallies {
            for (owner, theirs) in other.customers.iter().enumerate() {
                for &(currency, n) in &theirs.counts {
                    if let Some(c) = currency {
                        all.count(owner as u32, c, n);
                    }
                }
                if let Some(d) = theirs.last {
                    see_latest(&mut all.customers[owner].last, d);
                }
            }
            for ((owner, currency), n) in other.more {
                all.count(owner, currency, n);
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
            .customers
            .iter()
            .enumerate()
            .map(|(owner, tally)| {
                // Read in place, not gathered into a list per customer (100,000 allocations).
                let further = more.get(&(owner as u32)).map_or(&[][..], Vec::as_slice);
                let list =
                    tally.counts.iter().filter_map(|&(c, n)| Some((c?, n))).chain(further.iter().copied());
                let total: u32 = list.clone().map(|(_, n)| n).sum();
                let (currency, n) = list.max_by_key(|(_, n)| *n)?;
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
            last: all.customers.iter().map(|c| c.last).collect(),
            journal_invoices: FxHashMap::default(),
            behaviour: CreditBook::merge_all(books, self.as_of).settle(),
            numbers: all.numbers.into_iter().collect(),
            references: all.references.into_iter().collect(),
            settled: Settled::default(),
        }
    }
}

impl Streamed {
    /// Whether [`check_ledger`] calls this record's currency unusual for its customer (at
    /// register position `owner`): a load keeps such a record.
    /// (A credit note too, though it does not count towards the usual currency.)
    pub fn unusual(&self, record: &InvoiceRecord<'_>, owner: Option<u32>) -> bool {
        self.unusual_in(record.currency, owner)
    }

    /// [`Streamed::unusual`] of an invoice in `currency` of the customer `owner`.
    pub fn unusual_in(&self, currency: Currency, owner: Option<u32>) -> bool {
        owner.and_then(|o| self.usual[o as usize]).is_some_and(|u| u != currency)
    }

    /// Notes a line the load passed over: an invoice of the customer at register position
    /// `owner`, settled and without a finding of its own, on which [`check_ledger`] finds
    /// something only when its currency is unusual for the customer. So the load need not read
    /// such lines again and keep them, as it did: on a million-invoice ledger a second reading
    /// of the whole file, a sixteenth of `dun check`'s time (issue #14).
    pub fn note_settled(&mut self, line: u64, owner: u32, number: &str, currency: Currency) {
        if self.unusual_in(currency, Some(owner)) {
            self.settled.numbers.push_str(number);
            let end = self.settled.numbers.len();
            self.settled.lines.push(SettledLine { line, owner, end, currency });
        }
    }

    /// The findings on the lines [`Streamed::note_settled`] noted, as [`check_ledger`] finds
    /// them on the invoices (`customers`: the register the scan was made with).
    pub(super) fn push_settled(&self, customers: &[Customer], out: &mut FindingList) {
        let mut start = 0;
        for s in &self.settled.lines {
            let number = &self.settled.numbers[start..s.end];
            start = s.end;
            let usual =
                self.usual[s.owner as usize].expect("a line noted is in a currency unusual for its customer");
            let customer = &customers[s.owner as usize].id;
            super::invoices::unusual_currency((s.line, customer, number), s.currency, usual, out);
        }
    }

    /// Whether some customer has an invoice in a currency other than its usual one: if not,
    /// [`Streamed::unusual`] keeps nothing.
    pub fn any_unusual(&self) -> bool {
        self.any_unusual
    }

    /// Adds what the journal says of activity (by the positions of the scan's register).
    pub fn add_journal(&mut self, activity: JournalActivity) {
        for (last, day) in self.last.iter_mut().zip(activity.by_position) {
            if let Some(day) = day {
                see_latest(last, day);
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
    pub(super) fn usual_currencies<'a>(&'a self, ledger: &'a Ledger) -> Usual<'a> {
        // The scan counted the register's customers by position (the index's: an id's last
        // line, as `Ledger::customer_position` has it); invoices of others are counted here.
        let unknown = ledger.invoices.iter().filter(|i| ledger.customer(i.customer()).is_none());
        Usual { by_position: &self.usual, by_id: usual_by_id(unknown) }
    }

    /// Each customer's last activity, by position (see [`crate::core::privacy::last_activities`]).
    pub(super) fn last_activities(&self, ledger: &Ledger) -> Vec<Option<NaiveDate>> {
        let mut latest = self.last.clone();
        for (number, day) in &self.journal_invoices {
            let owner = ledger.invoice(number).and_then(|i| ledger.customer_position(i.customer()));
            if let Some(owner) = owner {
                see_latest(&mut latest[owner], *day);
            }
        }
        latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ledger::test_record;

    /// An unpaid SEK invoice of 100 issued on 2026-`issued` (`MM-DD`), due at the year's end.
    fn record<'a>(number: &'a str, customer: &'a str, issued: &str) -> InvoiceRecord<'a> {
        test_record(number, customer, &format!("2026-{issued}"), "2026-12-31", 100, 0)
    }

    /// Two workers' tallies are one: each customer's counts per currency added up (its usual
    /// currency is the merged majority, not either worker's), its last date the later one.
    #[test]
    fn workers_tallies_merge_into_the_counts_and_last_dates_of_both() {
        let policy = Policy::from_toml(
            "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n",
        )
        .unwrap();
        let customers = vec![Customer::new("K1", "Åby AB"), Customer::new("K2", "Kjær ApS")];
        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let scan = CheckScan::new(&policy, &customers, &[], as_of);
        let eur = Currency::parse("EUR").unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let (mut first, mut second) = (scan.tally(), scan.tally());
        // K1: one SEK and two EUR on the first worker, two SEK on the second: SEK, 3 of 5.
        scan.push(&mut first, &record("1", "K1", "03-01"), Some(0));
        for number in ["2", "3"] {
            let mut r = record(number, "K1", "01-01");
            r.currency = eur;
            scan.push(&mut first, &r, Some(0));
        }
        scan.push(&mut second, &record("4", "K1", "05-01"), Some(0));
        scan.push(&mut second, &record("5", "K1", "02-01"), Some(0));
        // K2: on the first worker only.
        scan.push(&mut first, &record("6", "K2", "04-01"), Some(1));
        let streamed = scan.finish(vec![first, second]);
        assert_eq!(streamed.usual, vec![Some(Currency::parse("SEK").unwrap()), None]);
        assert!(streamed.any_unusual);
        assert_eq!(streamed.last, vec![Some(day(5, 1)), Some(day(4, 1))]);
    }
}
