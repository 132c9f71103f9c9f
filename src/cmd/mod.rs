//! One module per subcommand: load, compute, render.

pub mod due;
pub mod explain;
pub mod report;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Context;

pub fn run(cli: &Cli, ctx: &Context) -> Result<()> {
    match &cli.command {
        Command::Report(args) => report::run(ctx, args),
        Command::Due(args) => due::run(ctx, args),
        Command::Explain(args) => explain::run(ctx, args),
    }
}
