//! The command line, as clap derive types only. Global options work before or after the
//! subcommand (`dun --dir X report` and `dun report --dir X`).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::Format;

#[derive(Debug, Parser)]
#[command(
    name = "dun",
    version,
    about = "Receivables under control for Nordic small businesses: aging, reminders, collection, over plain files",
    after_help = "Exit status: 0 ok, 1 bad data, policy or findings, 2 bad usage.\nFiles: customers.csv, invoices.csv, payments.csv, policy.toml, journal.csv in --dir."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// The ledger directory (customers.csv, invoices.csv, policy.toml, ...)
    #[arg(long, global = true, env = "DUN_DIR", default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// The day every decision is made for (YYYY-MM-DD, DD.MM.YYYY, ...); default: today
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_cli_date)]
    pub as_of: Option<NaiveDate>,
    /// Output format; default: from -o's extension, else table
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,
    /// Write the output to FILE (atomically) instead of standard output
    #[arg(short = 'o', long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in tables (NO_COLOR in the environment means never)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing but errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Aging report: open amounts per customer and currency by days overdue, with key figures
    Report(ReportArgs),
    /// Data quality and credit watch: every finding with file, line and a hint; exit 1 on errors
    Check(CheckArgs),
    /// One customer on one screen: contact, open invoices, fees and interest, payments, journal
    Customer(CustomerArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {}

#[derive(Debug, Args)]
pub struct CheckArgs {}

#[derive(Debug, Args)]
pub struct CustomerArgs {
    /// The customer id, or a part of the name (case-insensitive)
    #[arg(value_name = "ID|NAME")]
    pub query: String,
}

fn parse_cli_date(text: &str) -> Result<NaiveDate, String> {
    crate::core::date::parse_date(text).map_err(|e| format!("\"{text}\" {e}"))
}
