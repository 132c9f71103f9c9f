//! `dun forget CUSTOMER`: pseudonymise a customer's personal data in the ledger's own files
//! once bookkeeping law no longer requires it (the GDPR's erasure, within its Art. 17(3)(b)
//! exception for legal obligations). The numbers stay: ids, invoices, amounts, dates.

use anyhow::{Result, bail};

use crate::cli::ForgetArgs;
use crate::context::Context;
use crate::core::journal::{Entry, Event};
use crate::core::policy::Policy;
use crate::core::privacy::{FORGOTTEN, last_activity, may_forget, retention};
use crate::io::columns::FileKind;
use crate::io::commit::Transaction;
use crate::io::csv_in::{open_ledger_file, specs_of};
use crate::io::rewrite::{column, rewritten};
use crate::io::{ledger_dir, lock::LedgerLock};

/// The register's columns that hold personal data, emptied (the name is replaced).
const PERSONAL: [&str; 8] = ["org_no", "email", "phone", "mobile", "address", "postcode", "city", "contact"];

/// Where the named columns of a ledger file stand in its header, read the way every command
/// reads it (aliases, presets, the policy's `[columns.*]`).
fn positions(
    ctx: &Context,
    file: &str,
    kind: FileKind,
    policy: &Policy,
    names: &[&str],
) -> Result<Vec<Option<usize>>> {
    let path = ctx.path(file);
    if !path.exists() {
        return Ok(vec![None; names.len()]);
    }
    let (_, reading) = open_ledger_file(&path, file, kind, policy)?;
    let specs = specs_of(kind);
    Ok(names
        .iter()
        .map(|n| {
            specs.iter().position(|s| s.name == *n).and_then(|at| reading.index.get(at).copied().flatten())
        })
        .collect())
}

pub fn run(ctx: &Context, args: &ForgetArgs) -> Result<()> {
    let _lock = LedgerLock::acquire(&ctx.dir)?;
    // Of the invoices and the journal only what is the customer's (and what may concern it: credit
    // notes, numbers given twice) is kept; the files themselves are rewritten line by line.
    let ledger = ledger_dir::load_ledger_about(&ctx.dir, ledger_dir::About::Customer(&args.customer))?;
    let Some(customer) = ledger.customer(&args.customer) else {
        bail!(
            "no customer has the id \"{}\" (give the exact id; `dun customer` finds it by name)",
            args.customer
        );
    };
    if let Err(keep) = may_forget(&ledger, customer, ctx.as_of) {
        bail!("{} is not forgotten: {}", customer.id, keep.describe(&ledger.policy.country));
    }
    let unmatched = std::fs::read_to_string(ctx.path("unmatched.csv")).unwrap_or_default();
    if unmatched.lines().skip(1).any(|l| l.split([',', ';']).any(|f| f.trim_matches('"') == customer.id)) {
        bail!("{} is not forgotten: a payment in unmatched.csv may be theirs; assign it first", customer.id);
    }
    let id = customer.id.to_string();
    let numbers: std::collections::HashSet<String> =
        ledger.invoices.iter().filter(|i| i.customer() == id).map(|i| i.number().to_string()).collect();
    let mut done: Vec<String> = Vec::new();
    // The register, the invoices and the journal change in one transaction with the note that
    // records it (`io::commit`): a stop anywhere leaves all of it done or none.
    let mut tx = Transaction::new(&ctx.dir);

    // The register: the name replaced, every other personal field emptied, on its own line.
    let mut names = vec!["id", "name"];
    names.extend(PERSONAL);
    let at = positions(ctx, ledger_dir::CUSTOMERS, FileKind::Customers, &ledger.policy, &names)?;
    let customers = ctx.path(ledger_dir::CUSTOMERS);
    let changed = rewritten(&customers, ledger_dir::CUSTOMERS, |_, fields| {
        if at[0].and_then(|i| fields.get(i)).map(|s| s.trim()) != Some(id.as_str()) {
            return false;
        }
        for (k, pos) in at.iter().enumerate().skip(1) {
            if let Some(field) = pos.and_then(|i| fields.get_mut(i)) {
                *field = if k == 1 { FORGOTTEN.to_owned() } else { String::new() };
            }
        }
        true
    })?;
    let n = stage(&mut tx, &customers, changed)?;
    done.push(format!("{}: {n} line", ledger_dir::CUSTOMERS));

    // Invoice descriptions may name people or places; the amounts and dates stay.
    let at =
        positions(ctx, ledger_dir::INVOICES, FileKind::Invoices, &ledger.policy, &["number", "description"])?;
    let invoices = ctx.path(ledger_dir::INVOICES);
    let changed = rewritten(&invoices, ledger_dir::INVOICES, |_, fields| {
        let (Some(number), Some(desc)) = (at[0], at[1]) else {
            return false;
        };
        if !fields.get(number).is_some_and(|n| numbers.contains(n.trim()))
            || fields.get(desc).is_none_or(|d| d.is_empty())
        {
            return false;
        }
        fields[desc].clear();
        true
    })?;
    let n = stage(&mut tx, &invoices, changed)?;
    done.push(format!("{}: {n} description(s)", ledger_dir::INVOICES));

    // Journal notes on the customer or its invoices (what was said on a call, a dispute).
    let changed = rewritten(&ctx.path(ledger_dir::JOURNAL), ledger_dir::JOURNAL, |header, fields| {
        let (Some(inv), Some(cust), Some(note)) =
            (column(header, &["invoice"]), column(header, &["customer"]), column(header, &["note"]))
        else {
            return false;
        };
        let mine = fields.get(cust).is_some_and(|c| c == &id)
            || fields.get(inv).is_some_and(|n| numbers.contains(n));
        if !mine || fields.get(note).is_none_or(|n| n.is_empty() || n == FORGOTTEN) {
            return false;
        }
        fields[note] = FORGOTTEN.to_owned();
        true
    })?;
    let n = changed.map_or(0, |(bytes, n)| {
        tx.replace_journal(bytes);
        n
    });
    done.push(format!("{}: {n} note(s)", ledger_dir::JOURNAL));

    // What dun wrote under out/: the customer's letters go, its rows of agency batches are
    // emptied of personal data; in the same transaction, so none goes before the note does.
    let (removed, batch_rows) = forget_outputs(&mut tx, &ctx.dir.join("out"), &id)?;
    done.push(format!("out/: {removed} letter file(s) removed, {batch_rows} collection batch row(s)"));

    let r = retention(&ledger.policy.country);
    let last = last_activity(&ledger, &id, ctx.as_of).map_or("none".to_owned(), |d| d.to_string());
    let mut note = Entry::new(ctx.as_of, Event::Note);
    note.set_customer(Some(&id));
    note.set_note(Some(format!(
        "personal data forgotten (last activity {last}; {} keeps {} years: {})",
        ledger.policy.country, r.years, r.law
    )));
    tx.journal(&[note]);
    tx.commit()?;
    if !ctx.quiet {
        println!("{id}: personal data forgotten; {}", done.join("; "));
    }
    Ok(())
}

/// Stages a rewritten file; how many of its records changed.
fn stage(tx: &mut Transaction, path: &std::path::Path, changed: Option<(Vec<u8>, usize)>) -> Result<usize> {
    let Some((bytes, n)) = changed else { return Ok(0) };
    tx.stage(path, &bytes)?;
    Ok(n)
}

/// Removes the customer's letters under `out/DATE/` and empties its rows of the agency batches,
/// both with `tx`.
fn forget_outputs(tx: &mut Transaction, out: &std::path::Path, id: &str) -> Result<(usize, usize)> {
    let Ok(days) = std::fs::read_dir(out) else { return Ok((0, 0)) };
    let part = format!("_{}_", crate::letters::compose::sanitize(id));
    let (mut removed, mut rows) = (0, 0);
    for day in days.flatten().filter(|d| d.path().is_dir()) {
        for file in std::fs::read_dir(day.path())?.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if name.contains(&part) {
                tx.remove(&file.path());
                removed += 1;
            } else if name == "collection-batch.csv" {
                let changed = rewritten(&file.path(), "collection-batch.csv", |header, fields| {
                    if column(header, &["debtor_id"]).and_then(|at| fields.get(at)).map(String::as_str)
                        != Some(id)
                    {
                        return false;
                    }
                    for (at, h) in header.iter().enumerate() {
                        if [
                            "debtor_name",
                            "org_no",
                            "address",
                            "postcode",
                            "city",
                            "email",
                            "phone",
                            "contact",
                        ]
                        .contains(&h.as_str())
                        {
                            fields[at] =
                                if h == "debtor_name" { FORGOTTEN.to_owned() } else { String::new() };
                        }
                    }
                    true
                })?;
                rows += stage(tx, &file.path(), changed)?;
            }
        }
    }
    Ok((removed, rows))
}
