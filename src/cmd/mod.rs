//! One module per subcommand: load, compute, render.

pub mod check;
pub mod customer;
pub mod report;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Context;

pub fn run(cli: &Cli, ctx: &Context) -> Result<()> {
    match &cli.command {
        Command::Report(args) => report::run(ctx, args),
        Command::Check(args) => check::run(ctx, args),
        Command::Customer(args) => customer::run(ctx, args),
    }
}
