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
    /// Does the dunning work: each step's invoices paid within 7/14/30 days against those without it
    Stats(StatsArgs),
    /// Expected payments per week and currency, from each customer's behaviour, with a backtest
    Forecast(ForecastArgs),
    /// Data quality and credit watch: every finding with file, line and a hint; exit 1 on errors
    Check(CheckArgs),
    /// One customer on one screen: contact, open invoices, fees and interest, payments, journal
    Customer(CustomerArgs),
    /// What is due on the as-of date: reminders, collection, calls (changes nothing)
    Due(DueArgs),
    /// Why an invoice gets (or does not get) an action on the as-of date
    Explain(ExplainArgs),
    /// Interest earned on invoices settled late in a period, for an interest invoice
    Interest(InterestArgs),
    /// Write the reminders due today (letter, e-mail, SMS) under out/ and journal them
    Remind(SendArgs),
    /// Hand over what is due for collection: the agency batch, debtor notices, journal lines
    Collect(SendArgs),
    /// Read incoming payments from bank files (camt.054/053, BgMax, Nets OCR, bank CSV) and match them to invoices
    Import(ImportArgs),
    /// Assign an unmatched payment to the invoice(s) it pays
    Assign(AssignArgs),
    /// The built-in letter templates
    #[command(subcommand)]
    Templates(TemplatesCommand),
    #[command(flatten)]
    Record(RecordCommand),
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Show what would be written and journaled; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Where to write (default: DIR/out)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Send although the bank data is stale or payments that may be theirs are unmatched (journaled)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Bank files: camt.054 / camt.053, BgMax, Nets OCR giro, or a CSV export named in [import.csv]
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Show what would be recorded; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The payment's transaction id, as `dun import` and unmatched.csv show it
    #[arg(value_name = "PAYMENT-ID")]
    pub payment: String,
    /// The invoice it pays; with several, each is settled in turn and the last takes the rest
    #[arg(required = true, value_name = "INVOICE")]
    pub invoices: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Write the built-in templates to DIR (e.g. DIR = templates in the ledger) to edit them
    Export {
        /// Where to write them (e.g. templates/ in the ledger directory)
        #[arg(value_name = "DIR")]
        target: PathBuf,
    },
    /// List the built-in template names
    List,
}

/// Agreements and notes, recorded in the journal.
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// The customer disputes an invoice: no reminders until it is resolved
    Dispute {
        invoice: String,
        /// What the dispute is about
        note: Option<String>,
    },
    /// A dispute is settled: the invoice resumes where it was
    Resolve { invoice: String, note: Option<String> },
    /// The customer promises to pay by a date: paused until then
    Promise {
        invoice: String,
        /// The promised date
        #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
        until: NaiveDate,
        note: Option<String>,
    },
    /// Agree a payment plan: splits the open amount into installments and writes a confirmation
    Plan {
        invoice: String,
        /// Number of installments
        #[arg(long, value_name = "N")]
        installments: u32,
        /// Due date of the first installment
        #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
        first: NaiveDate,
        /// Days between installments
        #[arg(long, value_name = "D", default_value_t = 30)]
        every_days: u32,
    },
    /// Put a customer on hold: nothing is sent to them until released
    Hold { customer: String, note: Option<String> },
    /// End a customer's hold
    Release { customer: String, note: Option<String> },
    /// A note on an invoice or a customer (answers a call task)
    Note {
        /// Invoice number or customer id
        target: String,
        /// The note
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// Show every open invoice's state, not only the actions
    #[arg(long)]
    pub all: bool,
    /// Forecast day by day up to DATE what falls due if nothing is paid
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct InterestArgs {
    /// First settlement date to include (default: the first of the --to month)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub from: Option<NaiveDate>,
    /// Last settlement date to include (default: the as-of date)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The invoice number
    pub invoice: String,
}

#[derive(Debug, Args)]
pub struct CheckArgs {}

#[derive(Debug, Args)]
pub struct StatsArgs {}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Weeks to look ahead (and back, for the backtest)
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub weeks: u32,
}

#[derive(Debug, Args)]
pub struct CustomerArgs {
    /// The customer id, or a part of the name (case-insensitive)
    #[arg(value_name = "ID|NAME")]
    pub query: String,
}

fn parse_cli_date(text: &str) -> Result<NaiveDate, String> {
    crate::core::date::parse_date(text).map_err(|e| format!("\"{text}\" {e}"))
}
