//! One module per subcommand: load, compute, render.

#[cfg(test)]
mod agree_tests;
pub mod check;
pub mod collect;
pub mod completions;
pub mod customer;
pub mod due;
pub mod explain;
pub mod forecast;
pub mod forget;
pub mod gate;
pub mod import;
pub mod import_ledger;
pub mod init;
pub mod interest;
pub mod letters_out;
pub mod man;
pub mod record;
pub mod remind;
pub mod report;
pub mod rules;
pub mod send;
pub mod sent;
pub mod stats;
pub mod templates;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Context;

pub fn run(cli: &Cli, ctx: &Context) -> Result<()> {
    // `report` streams and keeps little: its large buffers are reused from the heap, and
    // giving them back would only cost it the page faults of taking them anew.
    if !matches!(cli.command, Command::Report(_)) {
        crate::io::heap::give_large_blocks_back();
    }
    if ctx.format == crate::render::Format::Html && !matches!(cli.command, Command::Report(_)) {
        anyhow::bail!("--format html is for `dun report` (the monthly picture); use table, csv or json here");
    }
    if cli.global.redact && cli.command.needs().ledger && !matches!(cli.command, Command::Init(_)) {
        let policy = crate::io::ledger_dir::load_policy(&ctx.dir)?;
        let customers = crate::io::ledger_dir::load_customers(&ctx.dir, &policy)?;
        crate::io::output::redact_exports(crate::core::privacy::redactions(&customers));
    }
    let reads_ledger = cli.command.needs().ledger
        && !matches!(
            cli.command,
            Command::Templates(_)
                | Command::Check(_)
                | Command::Init(_)
                | Command::ImportLedger(_)
                | Command::Rules(_)
        );
    if reads_ledger {
        announce(ctx);
    }
    match &cli.command {
        Command::Init(args) => init::run(ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(ctx, args),
        Command::Report(args) => report::run(ctx, args),
        Command::Due(args) => due::run(ctx, args),
        Command::Explain(args) => explain::run(ctx, args),
        Command::Interest(args) => interest::run(ctx, args),
        Command::Remind(args) => remind::run(ctx, args),
        Command::Collect(args) => collect::run(ctx, args),
        Command::Send(args) => send::run(ctx, args),
        Command::Sent(args) => sent::run(ctx, args),
        Command::Import(args) => import::run(ctx, args),
        Command::ImportLedger(args) => import_ledger::run(ctx, args),
        Command::Assign(args) => import::assign(ctx, args),
        Command::Templates(command) => templates::run(ctx, command),
        Command::Record(command) => record::run(ctx, command),
        Command::Stats(args) => stats::run(ctx, args),
        Command::Rules(args) => rules::run(ctx, args),
        Command::Forecast(args) => forecast::run(ctx, args),
        Command::Forget(args) => forget::run(ctx, args),
        Command::Check(args) => check::run(ctx, args),
        Command::Customer(args) => customer::run(ctx, args),
    }
}

/// Says on stderr how each ledger file is read when a preset or the policy's mapping decided
/// it, and what in a header looks needed but is not read (the header's errors even with
/// `-q`: a number may be wrong). `dun check` lists the same in its report.
fn announce(ctx: &Context) {
    for (reading, notes) in crate::io::ledger_dir::survey(&ctx.dir) {
        if let Some(r) = reading.filter(|_| !ctx.quiet) {
            eprintln!("dun: {r}");
        }
        for f in notes.iter().filter(|f| f.code != "due-from-terms") {
            if f.is_error() || !ctx.quiet {
                let field =
                    if f.field.is_empty() { String::new() } else { format!("column \"{}\": ", f.field) };
                eprintln!(
                    "dun: {}:{}: {}[{}]: {field}{}",
                    f.file,
                    f.line,
                    f.severity.name(),
                    f.code,
                    f.message
                );
                if let Some(hint) = f.hint.as_deref().filter(|_| !ctx.quiet) {
                    eprintln!("    hint: {hint}");
                }
            }
        }
    }
}
