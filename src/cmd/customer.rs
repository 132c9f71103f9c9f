//! `dun customer ID|NAME`: one customer on one screen, to prepare a call in a minute.

use anyhow::{Result, bail};
use serde_json::json;

use crate::cli::CustomerArgs;
use crate::context::Context;
use crate::core::credit::{MIN_SETTLED, PRIOR_MONTHS, RECENT_MONTHS};
use crate::core::customer::{CustomerView, Lookup, customer_view, find_customer};
use crate::core::money::{format_money, format_money_grouped};
use crate::io::ledger_dir;
use crate::render::{Cell, Sheet, Table, View, text};

pub fn run(ctx: &Context, args: &CustomerArgs) -> Result<()> {
    let ledger = ledger_dir::load_ledger_about(&ctx.dir, ledger_dir::About::Customer(&args.query))?;
    let customer = match find_customer(&ledger, &args.query) {
        Lookup::One(c) => c,
        Lookup::NotFound => bail!("no customer has the id \"{}\" or a name containing it", args.query),
        Lookup::Several(list) => {
            let lines: Vec<String> = list.iter().map(|c| format!("  {}  {}", c.id, c.name)).collect();
            bail!("{} customers match \"{}\"; give the id:\n{}", list.len(), args.query, lines.join("\n"));
        }
    };
    let view = customer_view(&ledger, customer, ctx.as_of)?;
    let title = format!("{} {} as of {}", view.customer.id, view.customer.name, ctx.as_of);
    // For spreadsheets: the open invoices first (CSV has them only), then the totals and the
    // history.
    let sheets = || {
        vec![
            Sheet::new("Open invoices", open_table(&view, true)),
            Sheet::new("Totals", totals_table(&view)),
            Sheet::new("Journal", journal_table(&view)),
        ]
    };
    let out = View::new(title, sheets)
        .text(|color| text_view(&view, color))
        .json(|| Ok(serde_json::to_string_pretty(&json_view(&view))? + "\n"));
    ctx.emit(out, Some(&ledger.policy))
}

/// What the customer owes per currency.
fn totals_table(view: &CustomerView) -> Table {
    let mut t = Table::new(["customer", "currency", "open", "overdue", "fees", "interest"]);
    for total in &view.totals {
        t.push(vec![
            Cell::text(view.customer.id.as_str()),
            total.currency.map_or(Cell::Empty, |c| Cell::text(c.as_str())),
            Cell::Money(total.open),
            Cell::Money(total.overdue),
            Cell::Money(total.fees),
            Cell::Money(total.interest),
        ]);
    }
    t
}

/// Every journal event on the customer or its invoices, in date order.
fn journal_table(view: &CustomerView) -> Table {
    let mut t = Table::new(["date", "event", "invoice", "amount", "until", "channel", "note"]);
    let text = |o: Option<&str>| o.map_or(Cell::Empty, Cell::text);
    for e in &view.journal {
        t.push(vec![
            Cell::Date(e.date),
            Cell::text(e.event.to_string()),
            text(e.invoice()),
            Cell::opt_money(e.amount),
            Cell::opt_date(e.until),
            text(e.channel()),
            text(e.note()),
        ]);
    }
    t
}

fn or_dash(o: Option<&str>) -> &str {
    o.unwrap_or("–")
}

/// The open invoices; for CSV, days overdue is a number (0 when not due) and the customer is
/// named on every row.
fn open_table(view: &CustomerView, csv: bool) -> Table {
    let mut columns = if csv { vec!["customer"] } else { vec![] };
    columns.extend([
        "invoice",
        "issued",
        "due",
        if csv { "days_overdue" } else { "days overdue" },
        "currency",
        "amount",
        "open",
        "fees",
        "interest",
        "note",
    ]);
    let mut t = Table::new(columns).droppable(["note", "issued", "fees", "amount"]);
    for o in &view.open {
        let mut row = if csv { vec![Cell::text(view.customer.id.as_str())] } else { vec![] };
        row.extend([
            Cell::text(&o.number),
            Cell::Date(o.issued),
            Cell::Date(o.due),
            match (o.days_overdue > 0, csv) {
                (true, _) => Cell::Count(o.days_overdue),
                (false, true) => Cell::Count(0),
                (false, false) => Cell::text("not due"),
            },
            Cell::text(o.currency.as_str()),
            Cell::Money(o.amount),
            Cell::Money(o.open),
            Cell::Money(o.fees),
            Cell::Money(o.interest),
            Cell::text(if o.disputed { "disputed" } else { "" }),
        ]);
        t.push(row);
    }
    t
}

fn text_view(v: &CustomerView, color: bool) -> String {
    let c = &v.customer;
    let mut out = format!("{}  {}    (as of {})\n", c.id, c.name, v.as_of);
    let kind = if c.kind.is_consumer() { "consumer" } else { "business" };
    out.push_str(&format!(
        "{kind} · {} · {} · segment {}\n\n",
        c.country(),
        c.language(),
        or_dash(c.segment())
    ));
    let mut phone = match (&c.phone(), &v.phone_e164) {
        (Some(p), Some(e)) if p != e => format!("{p}  ({e})"),
        (Some(p), _) => p.to_string(),
        (None, _) => "–".to_owned(),
    };
    if let Some(mobile) = &c.mobile() {
        phone.push_str(&format!(" · mobile {mobile}"));
    }
    let address = [c.address(), c.postcode(), c.city()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    for (label, value) in [
        ("Org/person no", or_dash(c.org_no()).to_owned()),
        ("Contact", or_dash(c.contact()).to_owned()),
        ("E-mail", or_dash(c.email()).to_owned()),
        ("Phone", phone),
        ("Address", if address.is_empty() { "–".to_owned() } else { address }),
    ] {
        out.push_str(&format!("{label:<14} {value}\n"));
    }

    out.push_str("\nOpen invoices\n");
    if v.open.is_empty() {
        out.push_str("  none\n");
    } else {
        out.push_str(&text::render(&open_table(v, false), color));
        out.push('\n');
    }
    for cr in &v.credits {
        out.push_str(&format!("Credit {}: {} {}\n", cr.number, format_money_grouped(cr.amount), cr.currency));
    }
    for t in &v.totals {
        let currency = t.currency.map(|c| c.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "Total {currency}: open {}, overdue {}, fees {}, interest so far {}\n",
            format_money_grouped(t.open),
            format_money_grouped(t.overdue),
            format_money_grouped(t.fees),
            format_money_grouped(t.interest)
        ));
    }
    for n in &v.notes {
        out.push_str(&format!("Note: {n}\n"));
    }

    out.push_str("\nPayment behaviour\n");
    let b = &v.behaviour;
    let window = |avg: Option<rust_decimal::Decimal>, n: u32| match avg {
        Some(a) => format!("{a} days ({n} invoice{})", if n == 1 { "" } else { "s" }),
        None => "no invoice settled".to_owned(),
    };
    out.push_str(&format!(
        "  Average days late (amount-weighted): last {RECENT_MONTHS} months {}; the {PRIOR_MONTHS} months before {}\n",
        window(b.recent.average(), b.recent.count),
        window(b.prior.average(), b.prior.count)
    ));
    match b.change() {
        Some(change) if b.recent.count >= MIN_SETTLED && b.prior.count >= MIN_SETTLED => {
            let sign = if change > rust_decimal::Decimal::ZERO { "+" } else { "" };
            let verdict = if b.is_worsening(v.watch_increase) {
                "getting worse"
            } else if change > rust_decimal::Decimal::ZERO {
                "a little later"
            } else {
                "steady or better"
            };
            out.push_str(&format!(
                "  Trend: {sign}{change} days, {verdict} (watched from +{})\n",
                v.watch_increase
            ));
        }
        _ => out.push_str(&format!(
            "  Trend: too few settled invoices to tell (needs {MIN_SETTLED} in each period)\n"
        )),
    }
    match &v.last_payment {
        Some(p) => out.push_str(&format!(
            "  Last payment: {}, {} on invoice {} ({})\n",
            p.date,
            format_money_grouped(p.amount),
            p.invoice,
            p.source
        )),
        None => out.push_str("  Last payment: none recorded\n"),
    }

    out.push_str("\nCredit\n");
    let limit = v
        .credit_limit
        .map_or("none".to_owned(), |l| format!("{} {}", format_money_grouped(l), v.credit_currency));
    out.push_str(&format!(
        "  Limit {limit}; exposure {} {} (overdue and not yet due, less credits)\n",
        format_money_grouped(v.exposure),
        v.credit_currency
    ));
    if let Some(first) = b.first_issued {
        out.push_str(&format!("  Customer since the first invoice on {first}\n"));
    }
    for w in &v.watch {
        out.push_str(&format!("  Watch: {}\n", w.describe()));
    }

    if let Some(step) = &v.next_step {
        out.push_str(&format!("\nNext step: {step}\n"));
    }

    out.push_str("\nJournal\n");
    if v.journal.is_empty() {
        out.push_str("  nothing recorded\n");
    }
    for e in &v.journal {
        let mut line = format!("  {}  {:<10}", e.date, e.event.name());
        if let Some(i) = e.invoice() {
            line.push_str(&format!(" {i}"));
        }
        if let Some(a) = e.amount {
            line.push_str(&format!("  {}", format_money_grouped(a)));
        }
        if let Some(u) = e.until {
            line.push_str(&format!("  until {u}"));
        }
        if let Some(ch) = e.channel() {
            line.push_str(&format!("  via {ch}"));
        }
        if let Some(n) = e.note() {
            line.push_str(&format!("  \"{n}\""));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }

    if !v.findings.is_empty() {
        out.push_str("\nData problems (dun check)\n");
        for f in &v.findings {
            out.push_str(&format!(
                "  {}:{}: {}[{}]: {}\n",
                f.file,
                f.line,
                f.severity.name(),
                f.code,
                f.message
            ));
        }
    }
    out
}

fn json_view(v: &CustomerView) -> serde_json::Value {
    let c = &v.customer;
    let money = |d: rust_decimal::Decimal| format_money(d);
    let avg = |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string());
    json!({
        "as_of": v.as_of.to_string(),
        "customer": {
            "id": c.id, "name": c.name, "kind": c.kind, "org_no": c.org_no(), "country": c.country(),
            "language": c.language(), "email": c.email(), "phone": c.phone(), "mobile": c.mobile(),
            "phone_e164": v.phone_e164,
            "address": c.address(), "postcode": c.postcode(), "city": c.city(), "contact": c.contact(),
            "segment": c.segment(),
        },
        "open_invoices": v.open.iter().map(|o| json!({
            "invoice": o.number, "issued": o.issued.to_string(), "due": o.due.to_string(),
            "days_overdue": o.days_overdue.max(0), "currency": o.currency, "amount": money(o.amount),
            "open": money(o.open), "fees": money(o.fees), "interest": money(o.interest),
            "disputed": o.disputed, "reference": o.reference, "description": o.description,
        })).collect::<Vec<_>>(),
        "credits": v.credits.iter().map(|cr| json!({
            "number": cr.number, "currency": cr.currency, "amount": money(cr.amount),
        })).collect::<Vec<_>>(),
        "totals": v.totals.iter().map(|t| json!({
            "currency": t.currency, "open": money(t.open), "overdue": money(t.overdue),
            "fees": money(t.fees), "interest": money(t.interest),
        })).collect::<Vec<_>>(),
        "payment_behaviour": {
            "avg_days_late_recent": avg(v.behaviour.recent.average()),
            "settled_recent": v.behaviour.recent.count,
            "avg_days_late_prior": avg(v.behaviour.prior.average()),
            "settled_prior": v.behaviour.prior.count,
            "recent_months": RECENT_MONTHS,
            "prior_months": PRIOR_MONTHS,
            "trend_days": avg(v.behaviour.change()),
            "worsening": v.behaviour.is_worsening(v.watch_increase),
            "watch_late_days_increase": v.watch_increase,
            "last_payment": v.last_payment.as_ref().map(|p| json!({
                "date": p.date.to_string(), "amount": money(p.amount), "invoice": p.invoice, "source": p.source,
            })),
        },
        "credit": {
            "currency": v.credit_currency,
            "limit": v.credit_limit.map(money),
            "exposure": money(v.exposure),
            "first_invoice": v.behaviour.first_issued.map(|d| d.to_string()),
            "watch": v.watch.iter().map(super::report::watch_reason_json).collect::<Vec<_>>(),
        },
        "next_step": v.next_step,
        "journal": v.journal.iter().map(|e| {
            let [date, event, invoice, customer, amount, until, channel, reference, note] = e.fields();
            let opt = |s: String| (!s.is_empty()).then_some(s);
            json!({
                "date": date, "event": event, "invoice": opt(invoice), "customer": opt(customer),
                "amount": opt(amount), "until": opt(until), "channel": opt(channel), "ref": opt(reference),
                "note": opt(note),
            })
        }).collect::<Vec<_>>(),
        "findings": v.findings,
        "notes": v.notes,
    })
}
