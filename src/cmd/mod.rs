//! One module per subcommand: load, compute, render.

pub mod check;
pub mod collect;
pub mod customer;
pub mod due;
pub mod explain;
pub mod forecast;
pub mod gate;
pub mod import;
pub mod init;
pub mod interest;
pub mod letters_out;
pub mod record;
pub mod remind;
pub mod report;
pub mod stats;
pub mod templates;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Context;

pub fn run(cli: &Cli, ctx: &Context) -> Result<()> {
    match &cli.command {
        Command::Init(args) => init::run(ctx, args),
        Command::Report(args) => report::run(ctx, args),
        Command::Due(args) => due::run(ctx, args),
        Command::Explain(args) => explain::run(ctx, args),
        Command::Interest(args) => interest::run(ctx, args),
        Command::Remind(args) => remind::run(ctx, args),
        Command::Collect(args) => collect::run(ctx, args),
        Command::Import(args) => import::run(ctx, args),
        Command::Assign(args) => import::assign(ctx, args),
        Command::Templates(command) => templates::run(ctx, command),
        Command::Record(command) => record::run(ctx, command),
        Command::Stats(args) => stats::run(ctx, args),
        Command::Forecast(args) => forecast::run(ctx, args),
        Command::Check(args) => check::run(ctx, args),
        Command::Customer(args) => customer::run(ctx, args),
    }
}
