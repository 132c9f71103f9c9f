//! `dun explain INVOICE`: why an invoice gets (or does not get) an action on the as-of date.

use anyhow::{Result, bail};

use crate::cli::ExplainArgs;
use crate::context::Context;
use crate::core::dunning::{State, decide_customer};
use crate::core::money::format_money;
use crate::io::ledger_dir;

pub fn run(ctx: &Context, args: &ExplainArgs) -> Result<()> {
    // The journal's lines on the invoice's customer's invoices (its decision depends on them).
    let ledger = ledger_dir::load_ledger_about(&ctx.dir, ledger_dir::About::InvoiceOf(&args.invoice))?;
    let Some(invoice) = ledger.invoice(&args.invoice) else {
        bail!("no invoice \"{}\" in invoices.csv", args.invoice);
    };
    // The invoice's decision depends on its customer's invoices only.
    let outcome = decide_customer(&ledger, ctx.as_of, invoice.customer());
    let mut out = format!("Invoice {} to {}", invoice.number(), invoice.customer());
    if let Some(c) = ledger.customer(invoice.customer()) {
        out.push_str(&format!(" ({})", c.name));
    }
    out.push_str(&format!(", as of {}\n", ctx.as_of));
    match outcome.decisions.iter().find(|d| d.invoice == invoice.number()) {
        None => {
            let why = if invoice.issued > ctx.as_of {
                format!("it is dated {}, after the as-of date", invoice.issued)
            } else if invoice.is_credit_note() {
                "it is a credit note".to_owned()
            } else {
                "nothing is open on it".to_owned()
            };
            out.push_str(&format!("No action: {why}.\n"));
        }
        Some(d) => {
            for line in &d.why {
                out.push_str(&format!("  - {line}\n"));
            }
            let verdict = match &d.state {
                State::Due(a) => format!("{} due today", a.name()),
                State::Waiting(Some(next)) => format!("waiting; next step on {next}"),
                State::Waiting(None) => "waiting; no step is scheduled".to_owned(),
                State::Paused(why) => format!("paused: {why}"),
                State::InCollection(since) => format!("in collection since {since}"),
                State::NotDue => "not due".to_owned(),
            };
            out.push_str(&format!("Result: {verdict}.\n"));
            out.push_str(&format!(
                "Amounts: open {}, fee {}, interest so far {}, compensation {} ({}); fees charged before {}.\n",
                format_money(d.open),
                format_money(d.fee),
                format_money(d.interest()),
                format_money(d.compensation()),
                d.currency,
                format_money(d.fees_charged())
            ));
            out.push_str(&format!("Claim ({} law):\n", d.claim.law));
            for line in d.claim.describe() {
                out.push_str(&format!("  {line}\n"));
            }
            for (inv, v) in outcome.violations.iter().filter(|(i, _)| *i == invoice.number()) {
                out.push_str(&format!("Refused for {inv}: {v}\n"));
            }
        }
    }
    let history: Vec<_> =
        ledger.journal.for_invoice(invoice.number()).filter(|e| e.date <= ctx.as_of).collect();
    if !history.is_empty() {
        out.push_str("Journal:\n");
        for e in history {
            let f = e.fields();
            out.push_str(&format!(
                "  {} {} {}\n",
                f[0],
                f[1],
                f[4..].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    crate::io::output::emit(ctx.output.as_deref(), &out)
}
