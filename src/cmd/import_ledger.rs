//! `dun import-ledger FILE.se` (SPEC §2, the ledger from the accounting program): the customers
//! and invoices of a SIE 4 file's receivables (`core::sie`), written as `customers.csv` and
//! `invoices.csv` in `dun`'s own columns, atomically and under the ledger lock. Existing files
//! are replaced only with `--replace`; nothing else of the ledger is touched.

use anyhow::{Context as _, Result, bail};
use rust_decimal::Decimal;
use serde_json::json;

use crate::cli::ImportLedgerArgs;
use crate::context::Context;
use crate::core::money::format_money;
use crate::core::sie::{SieError, SieLedger, receivables};
use crate::io::ledger_dir::{self, CUSTOMERS, INVOICES};
use crate::io::lock::LedgerLock;
use crate::io::output::write_atomically;
use crate::render::csv_out::defuse;
use crate::render::{Cell, Format, Table, csv_out, text};

pub fn run(ctx: &Context, args: &ImportLedgerArgs) -> Result<()> {
    let policy = ledger_dir::load_policy(&ctx.dir)?;
    let name = args
        .file
        .file_name()
        .map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let bytes = std::fs::read(&args.file).with_context(|| format!("{}: cannot read", args.file.display()))?;
    if !crate::io::sie::looks_like_sie(&bytes) {
        bail!(
            "{name}: not a SIE file (a SIE 4 file starts with #FLAGGA); export SIE 4 from the accounting program"
        );
    }
    let sie = crate::io::sie::parse(&bytes)
        .map_err(|errors| anyhow::anyhow!("{name}: the file could not be read:\n{}", errors.join("\n")))?;
    let ledger = receivables(&sie).map_err(|e| match e {
        SieError::NoDimensions => anyhow::anyhow!(
            "{name}: no posting on the receivable accounts 1510–1519 names a customer (object dimension 8) or an invoice (dimension 10), so the open invoices cannot be told apart (this file names them, if at all, only in the text); export SIE 4 with objects for customers and invoices (kundreskontra), or the invoice list as CSV"
        ),
        SieError::NoCustomer(list) => anyhow::anyhow!(
            "{name}: no posting names a customer (dimension 8) for invoice{} {}",
            if list.len() == 1 { "" } else { "s" },
            list.iter().map(|(n, line)| format!("{n} (line {line})")).collect::<Vec<_>>().join(", ")
        ),
    })?;
    let currency = sie.currency.clone().unwrap_or_else(|| policy.currency.to_string());
    if !args.dry_run {
        let _lock = LedgerLock::acquire(&ctx.dir)?;
        for file in [CUSTOMERS, INVOICES] {
            if ctx.path(file).exists() && !args.replace {
                bail!(
                    "{file} exists: `dun import-ledger {name} --replace` replaces it (and the other) with the SIE file's; nothing was written"
                );
            }
        }
        write_atomically(&ctx.path(CUSTOMERS), customers_csv(&ledger).as_bytes())?;
        write_atomically(&ctx.path(INVOICES), invoices_csv(&ledger, &currency).as_bytes())?;
    }
    if ctx.quiet && ctx.output.is_none() {
        return Ok(());
    }
    let table = summary_table(&ledger);
    let out = match ctx.format {
        Format::Csv => csv_out::render(&table),
        Format::Json => {
            serde_json::to_string_pretty(&json!({
                "file": name,
                "dry_run": args.dry_run,
                "currency": currency,
                "summary": table.json_rows(),
            }))? + "\n"
        }
        _ => {
            let mut s = String::new();
            if args.dry_run {
                s.push_str("Dry run: nothing was written.\n");
            }
            s.push_str(&format!("{name}: the receivables on accounts 1510–1519\n"));
            s.push_str(&text::render(&table, ctx.color));
            s.push_str(
                "\n\nSIE has no due dates: each invoice is due its date + terms.payment_days (dun check says so).\n",
            );
            if ledger.summary.difference().is_some_and(|d| !d.is_zero()) {
                s.push_str("The receivable accounts' closing balance differs from what the invoices have open: see `difference`.\n");
            }
            s
        }
    };
    crate::io::output::emit(ctx.output.as_deref(), &out)
}

/// `id,name`.
fn customers_csv(ledger: &SieLedger) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["id", "name"]);
    for (id, name) in &ledger.customers {
        let _ = w.write_record([defuse(id).as_ref(), defuse(name).as_ref()]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `number,customer,issued,amount,paid,paid_on,currency,description`: no `due` (SIE has none).
fn invoices_csv(ledger: &SieLedger, currency: &str) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "number",
        "customer",
        "issued",
        "amount",
        "paid",
        "paid_on",
        "currency",
        "description",
    ]);
    for inv in &ledger.invoices {
        let _ = w.write_record([
            defuse(&inv.number).into_owned(),
            defuse(&inv.customer).into_owned(),
            inv.issued.to_string(),
            format_money(inv.amount),
            format_money(inv.paid),
            inv.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            currency.to_owned(),
            inv.source.clone(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `item,count,amount`: what the file gave, and what of its receivables no invoice carries.
fn summary_table(ledger: &SieLedger) -> Table {
    let s = &ledger.summary;
    let open: Vec<_> = ledger.invoices.iter().filter(|i| !i.open().is_zero()).collect();
    let mut t = Table::new(["item", "count", "amount"]);
    let mut row = |item: &str, count: Option<usize>, amount: Option<Decimal>| {
        t.push(vec![
            Cell::text(item),
            count.map_or(Cell::Empty, |c| Cell::Count(c as i64)),
            amount.map_or(Cell::Empty, Cell::Money),
        ]);
    };
    row("customers", Some(ledger.customers.len()), None);
    row("invoices", Some(ledger.invoices.len()), Some(ledger.invoices.iter().map(|i| i.amount).sum()));
    row("open", Some(open.len()), Some(s.open));
    row("credit_notes", Some(s.credit_notes), None);
    row("paid_from_opening_balance", Some(s.paid_from_opening.0), Some(s.paid_from_opening.1));
    row("postings_without_invoice", Some(s.unattributed.0), Some(s.unattributed.1));
    row("opening_balance", None, Some(s.opening));
    row("opening_balance_not_by_invoice", None, Some(s.opening_not_by_invoice));
    row("closing_balance", None, s.closing);
    row("difference", None, s.difference());
    t
}
