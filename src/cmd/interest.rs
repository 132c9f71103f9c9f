//! `dun interest`: late-payment interest earned on invoices settled late in a period, ready
//! for an interest invoice.

use anyhow::{Result, bail};
use chrono::Datelike;

use crate::cli::InterestArgs;
use crate::context::Context;
use crate::core::charges::late_payment_interest;
use crate::core::money::{MoneySum, Overflow, format_money_grouped};
use crate::io::ledger_dir;
use crate::render::{Cell, Format, Sheet, Table, View, text};

pub fn run(ctx: &Context, args: &InterestArgs) -> Result<()> {
    let to = args.to.unwrap_or(ctx.as_of);
    let from = args.from.unwrap_or_else(|| to.with_day(1).unwrap_or(to));
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    // Not freed: the process ends with the command.
    let ledger = std::mem::ManuallyDrop::new(ledger_dir::load_ledger_for_interest(&ctx.dir, from, to)?);
    let rows = late_payment_interest(&ledger, from, to);
    let mut table = Table::new([
        "customer",
        "name",
        "invoice",
        "currency",
        "amount",
        "due",
        "settled",
        "days_late",
        "interest",
    ])
    .droppable(["settled", "due", "amount"]);
    let mut totals: Vec<(String, MoneySum)> = Vec::new();
    for r in &rows {
        let name = ledger.customer(&r.customer).map_or("", |c| c.name.as_str());
        table.push(vec![
            Cell::text(&r.customer),
            Cell::text(name),
            Cell::text(&r.invoice),
            Cell::text(r.currency.as_str()),
            Cell::Money(r.amount),
            Cell::Date(r.due),
            Cell::Date(r.settled),
            Cell::Count((r.settled - r.due).num_days()),
            Cell::Money(r.interest),
        ]);
        match totals.iter_mut().find(|(c, _)| c == r.currency.as_str()) {
            Some((_, sum)) => sum.add(r.interest),
            None => {
                let mut sum = MoneySum::default();
                sum.add(r.interest);
                totals.push((r.currency.to_string(), sum));
            }
        }
    }
    // Checked: an error naming the currency, never a panic (issue 10).
    let totals = totals
        .into_iter()
        .map(|(currency, sum)| match sum.total() {
            Some(total) => Ok((currency, total)),
            None => Err(Overflow::of(format!("the interest total in {currency}"))),
        })
        .collect::<Result<Vec<(String, rust_decimal::Decimal)>, Overflow>>()?;
    let carried: Vec<&str> = rows.iter().filter(|r| r.carried_rate).map(|r| r.invoice.as_str()).collect();
    let note = (!carried.is_empty()).then(|| {
        format!(
            "no reference rate known for part of the period of invoice(s) {}: the last known rate is carried forward; set interest.reference_rates in policy.toml",
            some_of(&carried)
        )
    });
    if let (Some(note), false) = (&note, ctx.format == Format::Table) {
        // Said even with -q: an interest invoice must not rest on a guessed rate unknowingly.
        eprintln!("dun: warning: {note}");
    }
    let mut totals_table = Table::new(["currency", "interest"]);
    for (currency, sum) in &totals {
        totals_table.push(vec![Cell::text(currency), Cell::Money(*sum)]);
    }
    let title = format!("Interest on invoices settled late, {from} to {to}");
    let text = |color| {
        if rows.is_empty() {
            return format!("No invoice was settled late between {from} and {to}.\n");
        }
        let mut t = format!("{title}\n");
        t.push_str(&text::render(&table, color));
        t.push('\n');
        for (currency, sum) in &totals {
            t.push_str(&format!("Total {currency}: {}\n", format_money_grouped(*sum)));
        }
        if let Some(note) = &note {
            t.push_str(&format!("Note: {note}\n"));
        }
        t
    };
    let view =
        View::new(title.clone(), || vec![Sheet::of("Interest", &table), Sheet::of("Totals", &totals_table)])
            .text(text)
            .json(|| Ok(serde_json::to_string_pretty(&table.json_rows())? + "\n"));
    ctx.emit(view, Some(&ledger.policy))
}

/// The invoices a note names: all of a few, the first ten of many and how many more (a year's
/// interest on a large ledger can rest on a carried rate for hundreds of thousands of invoices:
/// one stderr line naming them all was megabytes long).
fn some_of(numbers: &[&str]) -> String {
    const SHOWN: usize = 10;
    match numbers.len() {
        n if n <= SHOWN => numbers.join(", "),
        n => format!("{} and {} more", numbers[..SHOWN].join(", "), n - SHOWN),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_note_names_ten_invoices_and_counts_the_rest() {
        let numbers: Vec<String> = (1..=12).map(|n| format!("F{n}")).collect();
        let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
        assert_eq!(super::some_of(&refs[..2]), "F1, F2");
        assert_eq!(super::some_of(&refs[..10]), "F1, F2, F3, F4, F5, F6, F7, F8, F9, F10");
        assert_eq!(super::some_of(&refs), "F1, F2, F3, F4, F5, F6, F7, F8, F9, F10 and 2 more");
    }
}
