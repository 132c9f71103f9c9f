//! `dun due`: the plan for the as-of date (changes nothing); `--all` shows every open
//! invoice's state, `--until DATE` forecasts day by day what falls due if nothing is paid.

use anyhow::{Result, bail};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::cli::DueArgs;
use crate::context::Context;
use crate::core::dunning::{
    Decision, Outcome, State, decide_each, forecast_each, sort_by_customer_and_invoice,
};
use crate::core::ledger::Ledger;
use crate::core::model::Currency;
use crate::io::ledger_dir;
use crate::render::{Cell, Rows, Sheet, Table, Value, View, csv_out, json_out, text};

pub fn run(ctx: &Context, args: &DueArgs) -> Result<()> {
    // The process ends with the command: freeing a million invoices and their rows piece by
    // piece would cost a twentieth of the run for nothing.
    // A plan for one day needs no settled invoice; a forecast needs those issued or changing
    // up to its last day too.
    let mut ledger = std::mem::ManuallyDrop::new(match args.until {
        Some(until) => ledger_dir::load_ledger_forecasting(&ctx.dir, ctx.as_of, until)?,
        None => ledger_dir::load_ledger_deciding(&ctx.dir, ctx.as_of)?,
    });
    let listed = decide_and_list(ctx, args, &ledger);
    // Freed (unlike the rest) before the rows are sorted and written, which need room of
    // their own: a few milliseconds for a year's journal, and the sort's keys no longer come
    // on top of it.
    ledger.drop_journal_and_payments();
    let ledger = &*ledger;
    let mut listed = std::mem::ManuallyDrop::new(listed);
    if args.until.is_none() {
        sort_by_customer_and_invoice(&mut listed.rows, |row| row.ids(ledger));
    }
    let rows = DecisionRows { ledger, listed: &listed, shape: decision_table(args.until.is_some()) };
    let table = || {
        let mut table = decision_table(args.until.is_some());
        for row in &listed.rows {
            table.push(listed.cells(row, ledger));
        }
        table
    };
    let title = match args.until {
        Some(until) => format!("Due from {} to {until}", ctx.as_of),
        None => format!("Due on {}", ctx.as_of),
    };
    let view = View::new(title, || vec![Sheet::new("Due", table())])
        .text(|color| match listed.rows.len() {
            0 => format!("Nothing is due on {}.\n", ctx.as_of),
            // Too many rows to box: written from the rows, not copied into a table first.
            n if n > text::BOXED_ROWS_MAX => text::render_large(&rows, color) + "\n",
            _ => text::render(&table(), color) + "\n",
        })
        .csv(|dialect| csv_out::rows_csv(&rows, dialect))
        .large(&rows)
        .json_to(|to| json_out::write_rows(&rows, to));
    ctx.emit(view, Some(&ledger.policy))
}

/// Decides the ledger (every day of a forecast) and lists what `dun due` shows of each
/// decision; warns of what the policy asks beyond the law.
fn decide_and_list(ctx: &Context, args: &DueArgs, ledger: &Ledger) -> Listing {
    // What is listed of each decision is kept as the decision is made, not the decision: a
    // decision carries its whole claim, and a ledger's were most of `dun due`'s memory. Only
    // `--all` lists waiting invoices (with what they wait for); a forecast lists its own, and
    // its first day's run finds the day's violations and warnings.
    let mut listed = Listing::default();
    let outcome = match args.until {
        Some(until) => {
            forecast_each(ledger, ctx.as_of, until, &mut |day, at, d| listed.push(at, &d, Some(day)))
        }
        None => decide_each(ledger, ctx.as_of, args.all, &mut |at, d| {
            if args.all || d.state.action().is_some() {
                listed.push(at, &d, None);
            }
        }),
    };
    // The plan is shown even when the policy asks for something illegal; remind and collect
    // refuse to act on it.
    if let (Err(e), false) = (report_problems(ctx, &outcome), ctx.quiet) {
        eprintln!("dun: warning: {e:#}\n(dun remind and dun collect will refuse until this is fixed)");
    }
    listed
}

/// What `dun due` lists of one decision (with its day in a forecast): the figures of its row,
/// a fifth of the decision's size. Its invoice number and customer id are read where the
/// invoice is.
#[derive(Clone, Debug, PartialEq)]
struct DueRow {
    /// The invoice's position in `ledger.invoices`.
    at: u32,
    /// Open, fee, interest and compensation ([`Listing::money`]).
    money: [Figure; 4],
    days_overdue: i32,
    state: State,
    pay_by: Option<NaiveDate>,
    next_date: Option<NaiveDate>,
    /// The forecast's day.
    day: Option<NaiveDate>,
    /// What a waiting invoice waits for (`--all`): its place in [`Listing::waiting`], or
    /// [`NOT_WAITING`].
    waiting_for: u32,
    step: u32,
}

const NOT_WAITING: u32 = u32::MAX;

/// The rows `dun due` lists, and what the waiting ones wait for.
#[derive(Debug, Default, PartialEq)]
struct Listing {
    rows: Vec<DueRow>,
    waiting: Vec<Box<str>>,
    /// The figures too large for a [`Figure`] of their own.
    large: Vec<Decimal>,
}

/// A money figure of a row in 8 bytes: the decimal's digits as a signed integer of up to 58
/// bits with its scale, or, for a figure whose digits do not fit (or a negative zero), its
/// place in [`Listing::large`]. Four `Decimal`s were 64 of a row's 112 bytes, and a million
/// open invoices make a quarter of a million rows (issue #14).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Figure(i64);

impl Figure {
    /// The low bits hold the scale (at most 28), or [`Figure::LARGE`].
    const SCALE_BITS: u32 = 5;
    const LARGE: i64 = (1 << Figure::SCALE_BITS) - 1;
    /// The digits a figure holds itself: less than 2^58 either way.
    const DIGITS_MAX: i64 = 1 << (63 - Figure::SCALE_BITS);

    /// `amount` in a figure of its own, if it fits.
    fn small(amount: Decimal) -> Option<Figure> {
        if amount.is_zero() && amount.is_sign_negative() {
            return None;
        }
        let digits = i64::try_from(amount.mantissa()).ok()?;
        (-Figure::DIGITS_MAX..Figure::DIGITS_MAX)
            .contains(&digits)
            .then(|| Figure((digits << Figure::SCALE_BITS) | i64::from(amount.scale())))
    }

    /// The place in [`Listing::large`] of a figure that does not fit.
    fn large(at: usize) -> Figure {
        let at = i64::try_from(at).expect("fewer than 2^58 large figures");
        Figure((at << Figure::SCALE_BITS) | Figure::LARGE)
    }

    /// The amount, or the place in [`Listing::large`] where it is.
    fn amount(self) -> Result<Decimal, usize> {
        let (high, scale) = (self.0 >> Figure::SCALE_BITS, self.0 & Figure::LARGE);
        match scale {
            Figure::LARGE => Err(high as usize),
            _ => Ok(Decimal::new(high, scale as u32)),
        }
    }
}

impl Listing {
    /// Lists the decision on the invoice at position `at` (on `day` in a forecast).
    fn push(&mut self, at: usize, d: &Decision<'_>, day: Option<NaiveDate>) {
        let waiting_for = match (&d.state, d.why.last()) {
            (State::Waiting(_), Some(line)) => {
                self.waiting.push(line.as_str().into());
                u32::try_from(self.waiting.len() - 1).unwrap_or(NOT_WAITING)
            }
            _ => NOT_WAITING,
        };
        let money = [d.open, d.fee, d.interest(), d.compensation()].map(|amount| self.figure(amount));
        self.rows.push(DueRow {
            at: u32::try_from(at).expect("a ledger's positions fit 32 bits"),
            money,
            days_overdue: d.days_overdue.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
            state: d.state.clone(),
            pay_by: d.pay_by,
            next_date: d.next_date,
            day,
            waiting_for,
            step: d.step,
        });
    }

    fn figure(&mut self, amount: Decimal) -> Figure {
        Figure::small(amount).unwrap_or_else(|| {
            self.large.push(amount);
            Figure::large(self.large.len() - 1)
        })
    }

    /// The row's open amount, fee, interest and compensation.
    fn money(&self, row: &DueRow) -> [Decimal; 4] {
        row.money.map(|figure| figure.amount().unwrap_or_else(|at| self.large[at]))
    }

    /// What the row's invoice waits for (`--all`).
    fn waiting_for(&self, row: &DueRow) -> Option<&str> {
        self.waiting.get(row.waiting_for as usize).map(|why| &**why)
    }

    fn cells(&self, row: &DueRow, ledger: &Ledger) -> Vec<Cell> {
        let mut detail = String::new();
        let ids = row.ids(ledger);
        let name = customer_name(ledger, ids.0);
        let figures = (row.currency(ledger), self.money(row), self.waiting_for(row));
        row.with_values(ids, name, figures, &mut detail, |values| {
            values.iter().map(|&v| Cell::from(v)).collect()
        })
    }
}

impl DueRow {
    /// The customer id and invoice number of the row's invoice.
    fn ids<'l>(&self, ledger: &'l Ledger) -> (&'l str, &'l str) {
        let invoice = &ledger.invoices[self.at as usize];
        (invoice.customer(), invoice.number())
    }

    /// The currency of the row's invoice (the decision's: it is the invoice's).
    fn currency(&self, ledger: &Ledger) -> Currency {
        ledger.invoices[self.at as usize].currency
    }

    /// The row's values with its customer id and invoice number (`ids`) and its customer's
    /// `name`, given to `row` (`detail` is room for a detail made of parts).
    fn with_values<T>(
        &self,
        (customer, invoice): (&str, &str),
        name: &str,
        (currency, [open, fee, interest, compensation], waiting_for): (Currency, [Decimal; 4], Option<&str>),
        detail: &mut String,
        row: impl FnOnce(&[Value<'_>]) -> T,
    ) -> T {
        use std::fmt::Write;
        detail.clear();
        let detail = match &self.state {
            State::Waiting(_) => waiting_for.unwrap_or(""),
            State::Paused(why) => {
                let _ = write!(detail, "{why}");
                detail.as_str()
            }
            State::InCollection(since) => {
                let _ = write!(detail, "handed over {since}");
                detail.as_str()
            }
            State::Due(_) | State::NotDue => "",
        };
        let date = |d: Option<NaiveDate>| d.map_or(Value::Empty, Value::Date);
        let values = [
            Value::Text(self.state.name()),
            Value::Text(customer),
            Value::Text(invoice),
            Value::Text(currency.as_str()),
            Value::Money(open),
            Value::Count(i64::from(self.days_overdue)),
            Value::Money(fee),
            Value::Money(interest),
            Value::Money(compensation),
            Value::Count(i64::from(self.step)),
            date(self.pay_by),
            date(self.next_date),
            Value::Text(name),
            Value::Text(detail),
            date(self.day),
        ];
        // The date column is the forecast's only.
        row(if self.day.is_some() { &values } else { &values[..values.len() - 1] })
    }
}

/// The listed rows, written where they are: the same values [`DueRow::cells`] puts into a
/// table.
struct DecisionRows<'a, 'l> {
    ledger: &'l Ledger,
    listed: &'a Listing,
    /// The columns (no rows).
    shape: Table,
}

impl Rows for DecisionRows<'_, '_> {
    fn columns(&self) -> &[String] {
        &self.shape.columns
    }

    fn droppable(&self) -> &[String] {
        &self.shape.droppable
    }

    fn len(&self) -> usize {
        self.listed.rows.len()
    }

    fn each_in(&self, range: std::ops::Range<usize>, row: &mut dyn FnMut(&[Value<'_>])) {
        let mut detail = String::new();
        // The rows of one customer come together (sorted by customer): its name is looked up
        // once for them (issue #14: each lookup a cache miss or two, a quarter of writing the
        // table, which reads the rows twice).
        let mut named: Option<(&str, &str)> = None;
        let rows = &self.listed.rows[range];
        for (at, listed) in rows.iter().enumerate() {
            // The invoices of later rows are loaded while this one is written: they stand in
            // file order, the rows by customer, and reading each was a cache miss (most of
            // the time writing the rows took, issue #14).
            if let Some(ahead) = rows.get(at + crate::core::PREFETCH_AHEAD) {
                crate::core::prefetch(&self.ledger.invoices[ahead.at as usize]);
            }
            let ids = listed.ids(self.ledger);
            let customer = ids.0;
            let name = match named {
                Some((named_customer, name)) if named_customer == customer => name,
                _ => {
                    let name = customer_name(self.ledger, customer);
                    named = Some((customer, name));
                    name
                }
            };
            let figures =
                (listed.currency(self.ledger), self.listed.money(listed), self.listed.waiting_for(listed));
            listed.with_values(ids, name, figures, &mut detail, |values| row(values));
        }
    }
}

/// The name of the customer with this id, empty for one the register lacks.
fn customer_name<'l>(ledger: &'l Ledger, customer: &str) -> &'l str {
    ledger.customer(customer).map_or("", |c| c.name.as_str())
}

/// Statutory violations stop the command (exit 1); stale-rate warnings go to stderr, even
/// with -q: a letter would state interest at a rate carried forward.
pub fn report_problems(ctx: &Context, outcome: &Outcome<'_>) -> Result<()> {
    let _ = ctx;
    for w in &outcome.warnings {
        eprintln!("dun: warning: {w}");
    }
    if outcome.violations.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = outcome
        .violations
        .iter()
        .map(|(invoice, v)| format!("invoice {invoice}: {v} [{}]", v.rule))
        .collect();
    lines.dedup();
    bail!(
        "policy.toml asks for more than the law allows; change [reminder] (fee, fee_agreed, after_days, max) and run again:\n{}",
        lines.join("\n")
    )
}

fn decision_table(with_date: bool) -> Table {
    let mut columns = vec![
        "action",
        "customer",
        "invoice",
        "currency",
        "open",
        "days_overdue",
        "fee",
        "interest",
        "compensation",
        "step",
        "pay_by",
        "next_date",
        "name",
        "detail",
    ];
    if with_date {
        columns.push("date");
    }
    // A narrow terminal keeps what, whom, which invoice and how much.
    Table::new(columns).droppable([
        "detail",
        "next_date",
        "compensation",
        "step",
        "interest",
        "fee",
        "pay_by",
        "days_overdue",
    ])
}

/// The row `dun due` shows for a decision (with its day in a forecast).
#[cfg(test)]
pub(crate) fn decision_row(ledger: &Ledger, d: &Decision<'_>, day: Option<NaiveDate>) -> Vec<Cell> {
    let mut listed = Listing::default();
    listed.push(ledger.invoice_position(d.invoice).expect("a decided invoice"), d, day);
    listed.cells(&listed.rows[0], ledger)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::core::dunning::{Action, decide_brief, decide_due};
    use crate::core::journal::{Entry, Event, Journal};
    use crate::core::model::{Customer, Invoice};
    use crate::core::policy::Policy;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    /// Every state `dun due --all` shows, with names and details a spreadsheet would run as a
    /// formula, quote or cut.
    fn ledger(invoices: usize) -> Ledger {
        let policy = Policy::from_toml(
            "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n[reminder]\nmax = 2\n",
        )
        .unwrap();
        let names = ["=cmd()", "Berg, Holm & \"Co\"", "Åby Bageri AB", "-5 Minus", "Kvarn\nbyn"];
        let customers: Vec<Customer> = (0..50)
            .map(|i| {
                Customer {
                    id: compact_str::format_compact!("K{i:03}"),
                    name: names[i % names.len()].into(),
                    ..Customer::default()
                }
                .with_country("SE")
            })
            .collect();
        let invoices: Vec<Invoice> = (0..invoices)
            .map(|i| {
                let due = date("2026-01-01") + chrono::Days::new((i % 120) as u64);
                let amount = Decimal::new(((i * 7919) % 2_000_000) as i64 + 1, 2);
                let issued = date("2025-12-01");
                let mut inv = Invoice::unpaid_sek(
                    &format!("{}", 10_000 + i),
                    &format!("K{:03}", i % 50),
                    issued,
                    due,
                    amount,
                );
                inv.line = i as u64 + 2;
                inv
            })
            .collect();
        let mut journal = Vec::new();
        for (i, event) in
            [(3, Event::Dispute), (4, Event::Collection), (5, Event::Promise), (6, Event::Reminder)]
        {
            let mut e = Entry::new(date("2026-03-01"), event);
            e.set_invoice(Some(format!("{}", 10_000 + i)));
            e.set_customer(Some(format!("K{:03}", i % 50)));
            e.until = Some(date("2026-05-01"));
            journal.push(e);
        }
        Ledger::new(policy, customers, invoices, Vec::new(), Journal { entries: journal })
    }

    fn listed(ledger: &Ledger, outcome: &Outcome<'_>) -> Listing {
        let mut listed = Listing::default();
        for d in &outcome.decisions {
            listed.push(ledger.invoice_position(d.invoice).expect("a decided invoice"), d, None);
        }
        listed
    }

    /// A writer that takes this many bytes and then fails.
    struct FailsAfter(usize);

    impl std::io::Write for FailsAfter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.0 {
                self.0 = 0;
                return Err(std::io::Error::other("no space left on device"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_listed_row_is_a_fraction_of_a_decision() {
        // The listing of a million open invoices keeps what it shows of each, not the decision
        // with its claim (408 bytes), nor its ids (they are where its invoice is).
        let (row, decision) = (std::mem::size_of::<DueRow>(), std::mem::size_of::<Decision<'_>>());
        assert!(row <= 72 && 5 * row < decision, "{row} vs {decision}");
    }

    /// Every amount comes back from a row as it went in, to its scale and the sign of a zero,
    /// whether its figure holds it or points into the listing's large figures.
    fn figure_round_trip(amounts: &[Decimal]) {
        let mut listing = Listing::default();
        let figures: Vec<Figure> = amounts.iter().map(|&a| listing.figure(a)).collect();
        for (&amount, figure) in amounts.iter().zip(figures) {
            let back = figure.amount().unwrap_or_else(|at| listing.large[at]);
            assert_eq!(back.serialize(), amount.serialize(), "{amount} came back as {back}");
        }
    }

    #[test]
    fn a_row_keeps_every_amount_exactly() {
        let edge = (1i64 << 58) as i128;
        let mut amounts =
            vec![Decimal::MAX, Decimal::MIN, Decimal::ZERO, -Decimal::ZERO, Decimal::new(-5, 28)];
        for digits in [edge - 1, edge, -edge, -edge - 1, i64::MAX as i128, i64::MIN as i128] {
            amounts.extend([0, 2, 28].map(|scale| Decimal::from_i128_with_scale(digits, scale)));
        }
        figure_round_trip(&amounts);
        // The common ones fit their figure; the others are kept aside.
        let mut listing = Listing::default();
        let small =
            [Decimal::new(-123_456, 2), Decimal::new(450, 0), Decimal::from_i128_with_scale(edge - 1, 2)];
        assert!(small.iter().all(|&a| listing.figure(a).amount().is_ok()));
        assert!(listing.figure(Decimal::from_i128_with_scale(edge, 2)).amount().is_err());
        assert!(listing.figure(-Decimal::ZERO).amount().is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_amount_comes_back_from_a_row(lo: u32, mid: u32, hi: u32, negative: bool, scale in 0u32..=28, small: i64) {
            let wide = Decimal::from_parts(lo, mid, hi, negative, scale);
            let narrow = Decimal::new(small, scale);
            figure_round_trip(&[wide, narrow, -narrow]);
        }
    }

    #[test]
    fn rows_made_as_decisions_are_made_are_the_rows_of_the_kept_decisions() {
        let l = ledger(700);
        for (all, steps) in [(true, None), (false, Some(Action::ALL))] {
            let kept = match steps {
                None => decide_brief(&l, date("2026-04-15")),
                Some(steps) => decide_due(&l, date("2026-04-15"), steps),
            };
            let mut made = Listing::default();
            let streamed = decide_each(&l, date("2026-04-15"), all, &mut |at, d| {
                if all || d.state.action().is_some() {
                    made.push(at, &d, None);
                }
            });
            assert!(streamed.decisions.is_empty());
            assert_eq!((&streamed.violations, &streamed.warnings), (&kept.violations, &kept.warnings));
            assert_eq!(made, listed(&l, &kept));
            assert!(made.rows.len() > 100, "{}", made.rows.len());
            // A waiting invoice shows what it waits for.
            assert_eq!(
                all,
                made.rows
                    .iter()
                    .any(|r| matches!(r.state, State::Waiting(_)) && made.waiting_for(r).is_some()),
            );
        }
    }

    #[test]
    fn rows_written_from_the_decisions_are_the_tables() {
        let l = ledger(5_200);
        let outcome = decide_brief(&l, date("2026-04-15"));
        let decisions = listed(&l, &outcome);
        let states: std::collections::BTreeSet<&str> =
            decisions.rows.iter().map(|d| d.state.name()).collect();
        assert!(states.len() >= 5, "{states:?}");
        let rows = DecisionRows { ledger: &l, listed: &decisions, shape: decision_table(false) };
        let mut table = decision_table(false);
        for d in &outcome.decisions {
            table.push(decision_row(&l, d, None));
        }
        assert!(table.rows.len() > text::BOXED_ROWS_MAX);
        for dialect in [csv_out::CsvDialect::Standard, csv_out::CsvDialect::Nordic] {
            let whole = csv_out::render_in(&table, dialect);
            assert_eq!(csv_out::rows_csv(&rows, dialect), whole);
            // Written as it is made (in pieces: the CSV is many times the piece), the same bytes.
            let mut streamed = Vec::new();
            csv_out::write_rows(&rows, dialect, &mut streamed).expect("written");
            assert!(whole.len() > 4 * 65_536, "{}", whole.len());
            assert_eq!(String::from_utf8(streamed).expect("UTF-8"), whole);
        }
        let large = text::render_large(&rows, false);
        assert_eq!(large, text::render_width(&table, false, None));
        let mut streamed = Vec::new();
        text::write_large(&rows, false, &mut streamed).expect("written");
        assert_eq!(String::from_utf8(streamed).expect("UTF-8"), large);
        // A writer that fails (a full disk) fails the writing, which stops writing.
        let mut full = FailsAfter(100_000);
        let failed = csv_out::write_rows(&rows, csv_out::CsvDialect::Standard, &mut full);
        assert!(failed.is_err() && full.0 == 0);
        let mut full = FailsAfter(100_000);
        assert!(text::write_large(&rows, false, &mut full).is_err());
        assert!(
            large.contains("Kvarn\\nbyn") && large.contains("handed over 2026-03-01"),
            "{}",
            &large[..2000]
        );
    }
}
