//! The partial loads: a ledger as one command needs it, every line of every file still read
//! and checked, but only the invoices and journal lines that command can read kept — the
//! decisions of a day, letters, `dun check`, a run about one customer, `interest`,
//! `forecast`, `stats`, `import`. Each has a property test in `tests.rs` comparing its
//! command's result with the whole ledger's.

use std::path::Path;

use anyhow::Result;

use super::*;
use crate::core::blocks::Blocks;
use crate::core::insight::effectiveness::{Effectiveness, Ladders, RecordObserver, effectiveness_streamed};
use crate::core::model::{Invoice, InvoiceRecord};

/// What `dun import` reads before its bank files: the policy, the register, `payments.csv` and
/// of the journal what an import reads ([`crate::core::journal::read_when_importing`]). The
/// invoices follow ([`ImportLoad::finish`]) once the bank files have said which the matching
/// can read; every line is still read and checked.
pub struct ImportLoad {
    pub policy: Policy,
    pub customers: Vec<Customer>,
    pub payments: Vec<crate::core::model::Payment>,
    pub journal: crate::core::journal::Journal,
    noted: [Noted; 2],
}

/// The first half of `dun import`'s load (see [`ImportLoad`]).
pub fn begin_import_load(dir: &Path) -> Result<ImportLoad> {
    let policy = load_policy(dir)?;
    let (customers, customers_noted) = load_customers_noted(dir, &policy)?;
    let (payments, payments_noted) = read_payments_noted(&dir.join(PAYMENTS), PAYMENTS, &policy)?;
    let journal = crate::io::journal_file::read_where(dir, crate::core::journal::read_when_importing)?;
    Ok(ImportLoad { policy, customers, payments, journal, noted: [customers_noted, payments_noted] })
}

impl ImportLoad {
    /// The ledger with the invoice lines `keeps` accepts (given each line's customer's
    /// position in the register) and every line of a number given twice (the matcher takes a
    /// number's first line, which may be one `keeps` leaves).
    pub fn finish(
        self,
        dir: &Path,
        keeps: impl Fn(&InvoiceRecord<'_>, Option<u32>) -> bool + Sync,
    ) -> Result<crate::core::ledger::Ledger> {
        use crate::core::ledger::{number_hash, repeated_hashes};
        let ImportLoad { policy, customers, payments, journal, noted: [customers_noted, payments_noted] } =
            self;
        let index = CustomerIndex::new(&customers, &policy);
        let keeps = |record: &InvoiceRecord<'_>| keeps(record, index.get(record.customer));
        let stamp = file_stamp(&dir.join(INVOICES));
        let (parts, invoices_noted) = scan_invoices_noted(
            dir,
            &policy,
            &index,
            <(Blocks<Invoice>, Vec<u64>)>::default,
            |(kept, numbers), record| {
                numbers.push(number_hash(record.number));
                if keeps(record) {
                    kept.push(record.to_owned());
                }
            },
        )?;
        let (mut invoice_parts, numbers): (Vec<Blocks<Invoice>>, Vec<Vec<u64>>) = parts.into_iter().unzip();
        let wanted = repeated_hashes(numbers);
        if !read_wanted_again(dir, &policy, &index, &wanted, keeps, stamp, &mut invoice_parts)? {
            let mut ledger = load_without_journal(dir)?;
            ledger.journal = journal;
            return Ok(ledger);
        }
        let invoices = in_file_order(invoice_parts);
        drop(index);
        let noted = [customers_noted, invoices_noted, payments_noted];
        Ok(with_journal(journal, policy, customers, invoices, payments, noted))
    }
}

/// Whom a run about one customer is about.
#[derive(Clone, Copy, Debug)]
pub enum About<'q> {
    /// The customer of an invoice (`dun explain`): the customer of its number's first line.
    InvoiceOf(&'q str),
    /// A customer of the register, by id or a part of its name (`dun customer`; see
    /// [`crate::core::customer::find_in_register`]).
    Customer(&'q str),
}

/// [`load_ledger`] for a run about one customer (`dun explain`, `dun customer`, `dun forget`,
/// and the agreements and notes of `dun dispute`, `promise`, `plan`, `hold`, `note`, ...): of the
/// invoices it keeps the customer's, the credit notes (which may name them) and what those
/// notes name, and every line of a number given twice (decided on its first line, whoever's it
/// is); of the journal the lines such a run reads
/// ([`crate::core::journal::read_about_customer`]). On a ledger of years that is a few lines of
/// millions. Every line of every file is still read and checked. When the run is about no
/// customer (no such invoice, no or several such customers) no invoice is kept: the run says so
/// and stops.
pub fn load_ledger_about(dir: &Path, about: About<'_>) -> Result<crate::core::ledger::Ledger> {
    use crate::core::ledger::{number_hash, repeated_hashes};
    type Part = (Blocks<Invoice>, Vec<u64>, Vec<u64>);
    let policy = load_policy(dir)?;
    let (customers, customers_noted) = load_customers_noted(dir, &policy)?;
    let (payments, payments_noted) = read_payments_noted(&dir.join(PAYMENTS), PAYMENTS, &policy)?;
    let stamp = file_stamp(&dir.join(INVOICES));
    let index = CustomerIndex::new(&customers, &policy);
    let customer = match about {
        About::Customer(query) => match crate::core::customer::find_in_register(&customers, query) {
            crate::core::customer::Lookup::One(c) => Some(c.id.to_string()),
            _ => None,
        },
        About::InvoiceOf(number) => customer_of_invoice(dir, &policy, &index, number)?,
    };
    // Their lines by id as written, or by the register's reading of it (the same customer).
    let owner = customer.as_deref().and_then(|c| index.get(c));
    let theirs = |record: &InvoiceRecord<'_>| match customer.as_deref() {
        None => false,
        Some(id) => record.customer == id || (owner.is_some() && index.get(record.customer) == owner),
    };
    let keeps = |record: &InvoiceRecord<'_>| {
        customer.is_some() && (theirs(record) || record.is_credit_note() || record.credits.is_some())
    };
    let (parts, invoices_noted) =
        scan_invoices_noted(dir, &policy, &index, Part::default, |(kept, numbers, credited), record| {
            numbers.push(number_hash(record.number));
            if keeps(record) {
                kept.push(record.to_owned());
                credited.extend(record.credits.map(number_hash));
            }
        })?;
    let mut invoice_parts = Vec::with_capacity(parts.len());
    let (mut numbers, mut credited) = (Vec::new(), Vec::new());
    for (kept, n, c) in parts {
        invoice_parts.push(kept);
        numbers.push(n);
        credited.extend(c);
    }
    let mut wanted = if customer.is_some() { repeated_hashes(numbers) } else { Default::default() };
    wanted.extend(credited);
    if !wanted.is_empty() {
        let more =
            |record: &InvoiceRecord<'_>| !keeps(record) && wanted.contains(&number_hash(record.number));
        invoice_parts.extend(read_again(
            dir,
            &policy,
            &index,
            super::Lines::Where(&numbered(&wanted)),
            more,
        )?);
    }
    if file_stamp(&dir.join(INVOICES)) != stamp {
        // Rewritten between the readings: read it whole, once.
        return load_ledger(dir);
    }
    let invoices = in_file_order(invoice_parts);
    drop(index);
    let theirs = numbers_among(&invoices);
    let journal = crate::io::journal_file::read_where(dir, |line| {
        crate::core::journal::read_about_customer(line, customer.as_deref(), &theirs)
    })?;
    let noted = [customers_noted, invoices_noted, payments_noted];
    Ok(with_journal(journal, policy, customers, invoices, payments, noted))
}

/// The customer of the first line of `invoices.csv` with this number, if any line has it.
fn customer_of_invoice(
    dir: &Path,
    policy: &Policy,
    index: &CustomerIndex<'_>,
    number: &str,
) -> Result<Option<String>> {
    let found = scan_invoices(
        dir,
        policy,
        index,
        || None,
        |first: &mut Option<(u64, String)>, record| {
            if record.number == number && first.as_ref().is_none_or(|(line, _)| record.line < *line) {
                *first = Some((record.line, record.customer.to_owned()));
            }
        },
    )?;
    Ok(found.into_iter().flatten().min_by_key(|(line, _)| *line).map(|(_, customer)| customer))
}

/// The lines of `invoices.csv` that `more` asks for, read again: the rare lines a partial load
/// needs beside those it kept, known only once every line was seen. The caller compares the
/// file's stamp from before its first reading with the one after this.
fn read_again(
    dir: &Path,
    policy: &Policy,
    index: &CustomerIndex<'_>,
    lines: super::Lines<'_>,
    more: impl Fn(&InvoiceRecord<'_>) -> bool + Sync,
) -> Result<Vec<Blocks<Invoice>>> {
    let kept = super::scan_invoices_where(dir, policy, index, lines, Blocks::new, |kept, record| {
        if more(record) {
            kept.push(record.to_owned());
        }
    });
    kept.map(|(parts, _)| parts)
}

/// Whether a line may be one whose number `wanted` names (a line `more` then decides on).
fn numbered(wanted: &rustc_hash::FxHashSet<u64>) -> impl Fn(super::LineKey<'_>) -> bool + Sync + '_ {
    |line| wanted.contains(&crate::core::ledger::number_hash(line.number))
}

/// The lines `keeps` left whose number `wanted` names, read again into `parts`: numbers given
/// twice, invoices a credit note names, rare and known only once every line was seen. `false`
/// when `invoices.csv` changed since `stamp` (taken before its first reading): the caller then
/// reads it whole, once.
fn read_wanted_again(
    dir: &Path,
    policy: &Policy,
    index: &CustomerIndex<'_>,
    wanted: &rustc_hash::FxHashSet<u64>,
    keeps: impl Fn(&InvoiceRecord<'_>) -> bool + Sync,
    stamp: Option<(u64, std::time::SystemTime)>,
    parts: &mut Vec<Blocks<Invoice>>,
) -> Result<bool> {
    use crate::core::ledger::number_hash;
    if wanted.is_empty() {
        return Ok(true);
    }
    let more = |record: &InvoiceRecord<'_>| !keeps(record) && wanted.contains(&number_hash(record.number));
    parts.extend(read_again(dir, policy, index, super::Lines::Where(&numbered(wanted)), more)?);
    Ok(file_stamp(&dir.join(INVOICES)) == stamp)
}

/// Whether a journal line's invoice number is one of these invoices', compared by hash: a
/// collision keeps a line nothing looks up, never drops one. A hash set, not a sorted list:
/// each of a year's half a million journal lines looked its number up by binary search over
/// the kept invoices' 2.4 MB of hashes, a cache miss a step, 8 % of `dun due` (issue #14).
fn numbers_among(invoices: &[Invoice]) -> impl Fn(&str) -> bool + use<> {
    use crate::core::ledger::number_hash;
    let hashes: rustc_hash::FxHashSet<u64> = invoices.iter().map(|i| number_hash(i.number())).collect();
    move |number| hashes.contains(&number_hash(number))
}

/// The ledger as the decisions of `as_of` need it (`dun due`): [`load_ledger`] without the
/// invoices settled by then or not issued yet, which decide nothing (see
/// [`crate::core::ledger::decides_on`]), except where their number is given twice. On a ledger
/// of years most invoices are paid: they are read and checked as always, but not kept.
///
/// Not for what looks at settled invoices: `dun check`, `customer`, `explain`, `report`,
/// `interest`, a forecast (invoices issued later fall due in it).
pub fn load_ledger_deciding(dir: &Path, as_of: chrono::NaiveDate) -> Result<crate::core::ledger::Ledger> {
    load_slim(dir, as_of, false, None)
}

/// [`load_ledger_deciding`] for the decisions of every day from `as_of` to `until` (a
/// forecast, `dun due --until`): it keeps as well the invoices that may decide on a later day
/// ([`crate::core::ledger::decides_later`]): issued by then, or whose open amount may change
/// by then.
pub fn load_ledger_forecasting(
    dir: &Path,
    as_of: chrono::NaiveDate,
    until: chrono::NaiveDate,
) -> Result<crate::core::ledger::Ledger> {
    load_slim(dir, as_of, false, Some(until))
}

/// [`load_ledger_deciding`] for the runs that write letters (`dun remind`, `dun collect`): it
/// keeps as well what their data gate (`dun check`'s errors) and their total references need
/// of settled invoices: the invoices `dun check` flags on their own
/// ([`crate::core::ledger::flagged_alone`]), the invoices credit notes name, and the
/// reference of every other one ([`crate::core::ledger::LeftOut`]).
pub fn load_ledger_for_letters(dir: &Path, as_of: chrono::NaiveDate) -> Result<crate::core::ledger::Ledger> {
    load_slim(dir, as_of, true, None)
}

/// `dun stats` on `as_of`: the ladder's effectiveness (with the policy, for the output),
/// observed while every invoice streams past ([`RecordObserver`]), with of the journal the
/// ladder's lines only ([`crate::core::insight::effectiveness::reads_line`]). Kept are only the
/// credit notes and every line of the numbers they credit or that are given twice: read
/// again after the scan and observed in a ledger of them ([`effectiveness_streamed`]).
pub fn effectiveness_of(dir: &Path, as_of: chrono::NaiveDate) -> Result<(Effectiveness, Policy)> {
    use crate::core::aging::FlowFigures;
    use crate::core::insight::effectiveness::{Rung, Tally, effectiveness, reads_line};
    use crate::core::ledger::{PaymentIndex, number_hash, repeated_hashes};
    /// The credit notes, the hashes of the numbers seen and of those credited, the invoices'
    /// key figures and what the scan observed.
    type Part = (Blocks<Invoice>, Vec<u64>, Vec<u64>, FlowFigures, Tally);
    let policy = load_policy(dir)?;
    let (customers, customers_noted) = load_customers_noted(dir, &policy)?;
    let (payments, payments_noted) = read_payments_noted(&dir.join(PAYMENTS), PAYMENTS, &policy)?;
    let ladders = Ladders::of(crate::io::journal_file::read_where_as(dir, reads_line, Rung::of)?);
    let index = CustomerIndex::new(&customers, &policy);
    let paid = PaymentIndex::new(&payments, as_of);
    let observer = RecordObserver::new(&ladders, &paid, (&customers, &index), &policy, as_of);
    let stamp = file_stamp(&dir.join(INVOICES));
    let (parts, invoices_noted) = scan_invoices_noted(
        dir,
        &policy,
        &index,
        Part::default,
        |(kept, numbers, credited, flow, tally), record| {
            flow.push(record, as_of);
            numbers.push(number_hash(record.number));
            if RecordObserver::streams(record) {
                observer.observe(tally, record);
            } else {
                credited.extend(record.credits.map(number_hash));
                kept.push(record.to_owned());
            }
        },
    )?;
    let mut invoice_parts = Vec::with_capacity(parts.len());
    let (mut numbers, mut wanted) = (Vec::new(), rustc_hash::FxHashSet::default());
    let (mut flow, mut streamed) = (FlowFigures::default(), Tally::default());
    for (kept, n, c, f, t) in parts {
        invoice_parts.push(kept);
        numbers.push(n);
        wanted.extend(c);
        flow.merge(f);
        streamed = streamed.and(t);
    }
    // Only the first line of a number given twice is observed, whichever it is: keep them all.
    wanted.extend(repeated_hashes(numbers));
    let keeps = |record: &InvoiceRecord<'_>| !RecordObserver::streams(record);
    if !read_wanted_again(dir, &policy, &index, &wanted, keeps, stamp, &mut invoice_parts)? {
        let ledger = load_ledger(dir)?;
        return Ok((effectiveness(&ledger, as_of), ledger.policy));
    }
    let invoices = in_file_order(invoice_parts);
    let noted = [customers_noted, invoices_noted, payments_noted];
    let journal = crate::core::journal::Journal::default();
    // The register stays with the observer, which knows each customer's rules.
    let kept = with_journal(journal, policy, Vec::new(), invoices, payments, noted);
    let stats = effectiveness_streamed(streamed, &observer, &kept, flow.invoices_due_12m);
    Ok((stats, kept.policy))
}

/// The ledger as `dun interest` needs it for the invoices settled late between `from` and
/// `to`: `load_without_journal` keeping only the invoices that may have been settled in the
/// period ([`crate::core::charges::may_settle_within`]) and the credit notes, and no journal
/// (interest is worked out from the invoices and payments alone). On a ledger of years that
/// is the period's few of millions; every line is still read and checked.
pub fn load_ledger_for_interest(
    dir: &Path,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<crate::core::ledger::Ledger> {
    use crate::core::charges::may_settle_within;
    use crate::core::ledger::PaidWithin;
    load_kept_without_journal(dir, (from, to), false, |payments| {
        let paid = PaidWithin::new(payments, from, to);
        move |record: &InvoiceRecord<'_>| may_settle_within(record, to, &paid)
    })
}

/// The ledger as `dun forecast` needs it on `as_of` for `weeks` weeks (its backtest made as
/// many weeks before): `load_without_journal` keeping only the invoices open on either day
/// or settled within the history either reads, the credit notes and every line of a number
/// given twice ([`crate::core::insight::forecast::may_be_forecast`]); no journal (a forecast
/// reads none).
pub fn load_ledger_for_forecast(
    dir: &Path,
    as_of: chrono::NaiveDate,
    weeks: u32,
) -> Result<crate::core::ledger::Ledger> {
    use crate::core::insight::forecast::{ForecastDays, may_be_forecast};
    let days = ForecastDays::new(as_of, weeks);
    load_kept_without_journal(dir, (days.history_from, as_of), true, |payments| {
        let known = days.known(payments);
        move |record: &InvoiceRecord<'_>| may_be_forecast(record, &known)
    })
}

/// [`load_without_journal`] keeping only the invoice lines `keeps` accepts (made from the
/// payments), the lines of the numbers a credit note issued within `credited` names (a credit
/// may have settled them) and, with `repeated`, every line of a number given twice (runs that
/// take a number's first line): those two read again, as rare.
fn load_kept_without_journal<K: Fn(&InvoiceRecord<'_>) -> bool + Sync>(
    dir: &Path,
    credited: (chrono::NaiveDate, chrono::NaiveDate),
    repeated: bool,
    keeps: impl FnOnce(&[crate::core::model::Payment]) -> K,
) -> Result<crate::core::ledger::Ledger> {
    use crate::core::charges::credited_within;
    use crate::core::ledger::{number_hash, repeated_hashes};
    let policy = load_policy(dir)?;
    let (customers, customers_noted) = load_customers_noted(dir, &policy)?;
    let (payments, payments_noted) = read_payments_noted(&dir.join(PAYMENTS), PAYMENTS, &policy)?;
    let index = CustomerIndex::new(&customers, &policy);
    let keeps = keeps(&payments);
    let stamp = file_stamp(&dir.join(INVOICES));
    let (parts, invoices_noted) = scan_invoices_noted(
        dir,
        &policy,
        &index,
        <(Blocks<Invoice>, Vec<u64>, Vec<u64>)>::default,
        |(kept, credits, numbers), record| {
            if keeps(record) {
                kept.push(record.to_owned());
            }
            credits.extend(credited_within(record, credited.0, credited.1).map(number_hash));
            if repeated {
                numbers.push(number_hash(record.number));
            }
        },
    )?;
    let mut invoice_parts = Vec::with_capacity(parts.len());
    let (mut wanted, mut numbers) = (rustc_hash::FxHashSet::default(), Vec::new());
    for (kept, c, n) in parts {
        invoice_parts.push(kept);
        wanted.extend(c);
        numbers.push(n);
    }
    wanted.extend(repeated_hashes(numbers));
    if !read_wanted_again(dir, &policy, &index, &wanted, &keeps, stamp, &mut invoice_parts)? {
        return load_without_journal(dir);
    }
    let invoices = in_file_order(invoice_parts);
    drop(index);
    let noted = [customers_noted, invoices_noted, payments_noted];
    Ok(with_journal(crate::core::journal::Journal::default(), policy, customers, invoices, payments, noted))
}

/// What one worker of a slim load keeps: the invoices, a hash of every number, a hash of the
/// number each credit note names, and (for letters) what is left out.
type SlimPart = (Blocks<Invoice>, Vec<u64>, Vec<u64>, Vec<crate::core::ledger::LeftOut>);

fn load_slim(
    dir: &Path,
    as_of: chrono::NaiveDate,
    letters: bool,
    until: Option<chrono::NaiveDate>,
) -> Result<crate::core::ledger::Ledger> {
    use crate::core::ledger::{
        PaidWithin, PaymentIndex, decides_later, decides_on, flagged_alone, number_hash, repeated_hashes,
    };
    let policy = load_policy(dir)?;
    let (customers, customers_noted) = load_customers_noted(dir, &policy)?;
    let (payments, payments_noted) = read_payments_noted(&dir.join(PAYMENTS), PAYMENTS, &policy)?;
    let index = CustomerIndex::new(&customers, &policy);
    let paid = PaymentIndex::new(&payments, as_of);
    let later =
        until.zip(as_of.succ_opt()).map(|(until, next)| (until, PaidWithin::new(&payments, next, until)));
    let keeps = |record: &InvoiceRecord<'_>, customer: Option<u32>| {
        decides_on(record, as_of, &paid)
            || (letters && flagged_alone(record, customer.is_some()))
            || later.as_ref().is_some_and(|(until, paid)| decides_later(record, as_of, *until, paid))
    };
    let schemes = letters.then(|| crate::letters::compose::ReferenceSchemes::new(&policy, &customers));
    let stamp = file_stamp(&dir.join(INVOICES));
    let (parts, invoices_noted) = scan_invoices_noted(
        dir,
        &policy,
        &index,
        SlimPart::default,
        |(kept, numbers, credited, left_out): &mut SlimPart, record| {
            numbers.push(number_hash(record.number));
            if let (true, Some(target)) = (letters, record.credits) {
                credited.push(number_hash(target));
            }
            let customer = if letters { index.get(record.customer) } else { None };
            if keeps(record, customer) {
                kept.push(record.to_owned());
            } else if let Some(schemes) = &schemes {
                let scheme = schemes.for_customer(customer.map(|i| i as usize));
                left_out.extend(crate::letters::compose::left_out(record.reference, record.number, scheme));
            }
        },
    )?;
    let mut invoice_parts = Vec::with_capacity(parts.len());
    let (mut numbers, mut credited, mut left_out) = (Vec::new(), Vec::new(), Vec::new());
    for (kept, n, c, l) in parts {
        invoice_parts.push(kept);
        numbers.push(n);
        credited.extend(c);
        left_out.extend(l);
    }
    // A number given twice is decided on its first line, which may be a settled one: every
    // line of a repeated number is kept, as the whole ledger has them; for letters, the
    // invoices credit notes name too (`dun check` compares a credit note with its invoice).
    // Rare, so read again for them rather than keep every number.
    let mut wanted = repeated_hashes(numbers);
    wanted.extend(credited);
    let kept =
        |record: &InvoiceRecord<'_>| keeps(record, if letters { index.get(record.customer) } else { None });
    if !read_wanted_again(dir, &policy, &index, &wanted, kept, stamp, &mut invoice_parts)? {
        return load_ledger(dir);
    }
    let invoices = in_file_order(invoice_parts);
    // The journal's lines on the invoices kept, and what else a deciding run reads of it
    // (`read_when_deciding`): on a ledger of years most lines are about paid invoices.
    let decided = numbers_among(&invoices);
    let journal = crate::io::journal_file::read_where(dir, |line| {
        crate::core::journal::read_when_deciding(line, letters, &decided)
    })?;
    drop(decided);
    let noted = [customers_noted, invoices_noted, payments_noted];
    let mut ledger = with_journal(journal, policy, customers, invoices, payments, noted);
    ledger.left_out = left_out;
    Ok(ledger)
}

/// The ledger as `dun check` needs it on `as_of`, with what its checks read of every invoice
/// gathered while the invoices stream past (see [`crate::core::check::check_ledger_kept`]):
/// [`load_ledger`] without the invoices that no finding can be about. It keeps the invoices
/// with something open or owed back and the credit notes (as [`load_ledger_deciding`]), the
/// ones `dun check` flags on their own (see [`crate::core::check::CheckScan::flags`]), every
/// line of a number given twice, credited or named by a journal line without a customer, and
/// the invoices in a currency unusual for their customer; the journal is read for each
/// customer's last activity only. `None` instead of the tallies when `invoices.csv` changed
/// while it was read: then the ledger is the whole one, for [`crate::core::check::check_ledger`].
pub fn load_ledger_for_check(
    dir: &Path,
    as_of: chrono::NaiveDate,
) -> Result<(crate::core::ledger::Ledger, Option<crate::core::check::Streamed>)> {
    use crate::core::check::{CheckScan, CheckTally};
    use crate::core::ledger::{PaymentIndex, decides_on, number_hash, repeated_hashes};
    type Part = (Blocks<Invoice>, Vec<u64>, Vec<u64>, CheckTally, PassedOver);
    let policy = load_policy(dir)?;
    let (customers, customers_noted) = load_customers_noted(dir, &policy)?;
    let (payments, payments_noted) = read_payments_noted(&dir.join(PAYMENTS), PAYMENTS, &policy)?;
    let stamp = file_stamp(&dir.join(INVOICES));
    let (invoices, streamed, invoices_noted) = {
        let index = CustomerIndex::new(&customers, &policy);
        let paid = PaymentIndex::new(&payments, as_of);
        let scan = CheckScan::new(&policy, &customers, &payments, as_of);
        let (parts, invoices_noted) = scan_invoices_noted(
            dir,
            &policy,
            &index,
            || -> Part { (Blocks::new(), Vec::new(), Vec::new(), scan.tally(), PassedOver::default()) },
            |(kept, numbers, credited, tally, passed): &mut Part, record| {
                numbers.push(number_hash(record.number));
                if let Some(target) = record.credits {
                    credited.push(number_hash(target));
                }
                let owner = index.get(record.customer);
                scan.prefetch(tally, owner);
                scan.push(tally, record, owner);
                if decides_on(record, as_of, &paid) || scan.flags(record, owner) {
                    kept.push(record.to_owned());
                } else if let Some(owner) = owner {
                    passed.push(record, owner);
                }
            },
        )?;
        let mut invoice_parts = Vec::with_capacity(parts.len());
        let (mut numbers, mut credited, mut tallies, mut passed) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (kept, n, c, t, p) in parts {
            invoice_parts.push(kept);
            numbers.push(n);
            credited.extend(c);
            tallies.push(t);
            passed.push(p);
        }
        let mut streamed = scan.finish(tallies);
        streamed.add_journal(crate::io::journal_file::activity(dir, as_of, &index)?);
        // Read again for the settled invoices a finding needs beside those kept: rare lines
        // by number, and those in a currency unusual for their customer (known only once every
        // invoice is counted).
        let mut wanted = repeated_hashes(numbers);
        wanted.extend(credited);
        wanted.extend(streamed.journal_numbers().map(number_hash));
        // Only currencies unusual for their customer (the common case): the lines of those
        // invoices were noted as they passed, their one finding made from the note; read
        // again are only those whose number was not noted.
        let again =
            (wanted.is_empty() && streamed.any_unusual()).then(|| note_passed_over(&mut streamed, &passed));
        drop(passed);
        if !wanted.is_empty() || again.as_ref().is_some_and(|lines| !lines.is_empty()) {
            let maybe = |line: super::LineKey<'_>| {
                wanted.contains(&number_hash(line.number))
                    || line.currency.is_none_or(|c| streamed.unusual_in(c, index.get(line.customer)))
            };
            let lines = match again {
                Some(lines) => super::Lines::On(lines),
                None => super::Lines::Where(&maybe),
            };
            let more = read_again(dir, &policy, &index, lines, |record| {
                let owner = index.get(record.customer);
                let needed = wanted.contains(&number_hash(record.number)) || streamed.unusual(record, owner);
                needed && !decides_on(record, as_of, &paid) && !scan.flags(record, owner)
            })?;
            if file_stamp(&dir.join(INVOICES)) != stamp {
                // Rewritten between the two readings: read it whole, once.
                return Ok((load_ledger(dir)?, None));
            }
            invoice_parts.extend(more);
        }
        (in_file_order(invoice_parts), streamed, invoices_noted)
    };
    let noted = [customers_noted, invoices_noted, payments_noted];
    let journal = crate::core::journal::Journal::default();
    Ok((with_journal(journal, policy, customers, invoices, payments, noted), Some(streamed)))
}

/// An invoice line of a customer in the register that a load for `dun check` passed over:
/// whether it is one in a currency unusual for its customer is known only once every line
/// was seen, and that finding needs nothing of it but its number (kept in its part's
/// [`PassedOver::numbers`]).
struct Passed {
    line: u64,
    owner: u32,
    /// Where its number starts in the numbers.
    at: u32,
    currency: crate::core::model::Currency,
    /// Its number's length, or [`Passed::NOT_NOTED`] for a number not kept (one of 255 bytes
    /// or more, or past 4 GiB of numbers): that line is read again if it is wanted.
    len: u8,
}

impl Passed {
    const NOT_NOTED: u8 = u8::MAX;
}

/// The lines one worker of a load for `dun check` passed over, and their numbers one after
/// another (24 bytes a line and the number's bytes, where a kept invoice is 112).
#[derive(Default)]
struct PassedOver {
    lines: Blocks<Passed>,
    numbers: String,
}

impl PassedOver {
    fn push(&mut self, record: &InvoiceRecord<'_>, owner: u32) {
        let (at, len) = match (u32::try_from(self.numbers.len()), u8::try_from(record.number.len())) {
            (Ok(at), Ok(len)) if len != Passed::NOT_NOTED => {
                self.numbers.push_str(record.number);
                (at, len)
            }
            _ => (0, Passed::NOT_NOTED),
        };
        self.lines.push(Passed { line: record.line, owner, at, currency: record.currency, len });
    }

    /// The number of a line of these, if it was noted.
    fn number(&self, line: &Passed) -> Option<&str> {
        let at = line.at as usize;
        (line.len != Passed::NOT_NOTED).then(|| &self.numbers[at..at + usize::from(line.len)])
    }
}

/// Notes in `streamed` the lines the load passed over in a currency unusual for their
/// customer ([`crate::core::check::Streamed::note_settled`]), and gives those it cannot (their
/// numbers not kept), to be read again.
fn note_passed_over(streamed: &mut crate::core::check::Streamed, parts: &[PassedOver]) -> Vec<u64> {
    let mut again = Vec::new();
    for part in parts {
        for line in part.lines.iter() {
            if !streamed.unusual_in(line.currency, Some(line.owner)) {
                continue;
            }
            match part.number(line) {
                Some(number) => streamed.note_settled(line.line, line.owner, number, line.currency),
                None => again.push(line.line),
            }
        }
    }
    again
}

/// What tells one version of a file from another: its length and modification time.
fn file_stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}
