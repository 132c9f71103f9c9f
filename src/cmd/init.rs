//! `dun init [DIR]`: a new ledger directory (SPEC §2): `policy.toml` with the country's lawful
//! defaults and every key commented, and empty `customers.csv` and `invoices.csv` with their
//! headers. It never replaces a file: a ledger that is already there stays as it is.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::cli::InitArgs;
use crate::context::Context;
use crate::core::starter::{self, Starter};
use crate::io::ledger_dir::{CUSTOMERS, INVOICES, POLICY};
use crate::io::output::write_new_atomically;

pub fn run(ctx: &Context, args: &InitArgs) -> Result<()> {
    let dir = args.target.clone().unwrap_or_else(|| PathBuf::from("."));
    let starter =
        Starter { country: args.country.code(), company: args.company.as_deref(), today: ctx.as_of };
    let files: [(&str, String); 3] = [
        (POLICY, starter::policy_toml(&starter)),
        (CUSTOMERS, starter::CUSTOMERS_HEADER.to_owned()),
        (INVOICES, starter::INVOICES_HEADER.to_owned()),
    ];
    // All checked before any is written, so that a refusal leaves nothing half made.
    let there: Vec<&str> = files.iter().map(|f| f.0).filter(|name| dir.join(name).exists()).collect();
    if !there.is_empty() {
        bail!(
            "{} already has {}: dun init never replaces a ledger's files (remove them first to start over)",
            dir.display(),
            there.join(", ")
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot make the directory {}", dir.display()))?;
    for (name, text) in &files {
        write_new_atomically(&dir.join(name), text.as_bytes())?;
    }
    if !ctx.quiet {
        print!("{}", next_steps(&dir, &starter));
    }
    Ok(())
}

/// What was made and what to do next, for someone who has never used `dun`.
fn next_steps(dir: &Path, starter: &Starter<'_>) -> String {
    let shown = dir.display();
    let mut out = format!("Made a ledger in {shown} with {}'s defaults:\n", starter.country);
    out.push_str("  policy.toml    your credit policy; every key is explained in it\n");
    out.push_str("  customers.csv  your customer register (empty)\n");
    out.push_str("  invoices.csv   your invoices (empty)\n\nNext:\n");
    let mut step = 0;
    let mut next = |text: String| {
        step += 1;
        out.push_str(&format!("  {step}. {text}\n"));
    };
    if starter.company.is_none() {
        next("write your company's name in policy.toml (company.name)".to_owned());
    }
    next("add your payment details and address to policy.toml ([company])".to_owned());
    next(
        "export customers and invoices from your invoicing program over customers.csv and \
         invoices.csv (its own column names will do: see README, \"What dun reads\")"
            .to_owned(),
    );
    let cd = if dir == Path::new(".") { String::new() } else { format!("cd {shown} && ") };
    next(format!("{cd}dun check && dun report"));
    out
}
