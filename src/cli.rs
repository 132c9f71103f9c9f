//! The command line, as clap derive types, and the checks clap cannot express.
//!
//! Options every command honours (`--dir`, `--as-of`, `-q`) are global: they work before or
//! after the subcommand. Output options (`--format`, `-o`, `--color`) are offered only by the
//! commands that write a table, through [`OutputArgs`], which a new command flattens. The few
//! commands that need no ledger or date refuse `--dir`/`--as-of` given on the command line.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::core::policy::CsvDialect;
use crate::render::Format;

#[derive(Debug, Parser)]
#[command(
    name = "dun",
    version,
    about = "Receivables under control for Nordic small businesses: aging, reminders, collection, over plain files",
    after_help = "Exit status: 0 ok, 1 bad data, policy or findings, 2 bad usage or no ledger directory, 3 done but some customers need a person.\n\
        The ledger directory (customers.csv, invoices.csv, policy.toml, ...) is --dir, else DUN_DIR, \
        else the nearest directory upwards holding policy.toml; `dun init` makes one."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Output options written before the command name, as earlier versions documented: merged
    /// into the command's own, refused for a command that writes no table.
    #[command(flatten)]
    pub early: EarlyOutputArgs,
    #[command(subcommand)]
    pub command: Command,
    /// The command's output settings, resolved by [`Cli::parse_checked`].
    #[arg(skip)]
    pub output: OutputSettings,
    /// Whether `global.dir` came from `--dir` or `DUN_DIR`, for messages about it.
    #[arg(skip)]
    pub dir_named_by: &'static str,
}

/// Where and how a command writes its output, from its [`OutputArgs`] (or [`FileArgs`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputSettings {
    pub format: Format,
    pub file: Option<PathBuf>,
    pub color: ColorChoice,
    /// `--csv-dialect`; `None`: the policy's, else standard.
    pub csv_dialect: Option<CsvDialect>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// The ledger directory; default: DUN_DIR, else the nearest directory upwards with a policy.toml
    #[arg(long, global = true, env = "DUN_DIR", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The day every decision is made for (YYYY-MM-DD, DD.MM.YYYY, ...); default: today
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_cli_date)]
    pub as_of: Option<NaiveDate>,
    /// Print nothing but errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Mask names, e-mail addresses, phone and personal/organisation numbers in what is printed
    /// or written with -o, to share a report (letters and the ledger's files are not touched)
    #[arg(long, global = true)]
    pub redact: bool,
}

/// Where a command's table goes and in which form. Every command that writes a table flattens
/// this (`#[command(flatten)] pub out: OutputArgs`) and names it in [`Command::output`].
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format; default: from -o's extension (.csv, .json, .xlsx, .txt), else table
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to FILE (atomically) instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in tables [default: auto; NO_COLOR in the environment means never]
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
    /// CSV for scripts (standard: `,` and `.`) or for Excel in the Nordics (nordic: `;`, decimal
    /// comma, BOM, CRLF) [default: the policy's output.csv_dialect, else standard]
    #[arg(long, value_name = "DIALECT", value_parser = csv_dialect_parser())]
    pub csv_dialect: Option<CsvDialect>,
}

fn csv_dialect_parser() -> impl clap::builder::TypedValueParser<Value = CsvDialect> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(CsvDialect::NAMES)
        .map(|name| CsvDialect::from_name(&name).unwrap_or_default())
}

/// [`OutputArgs`] before the command name (`dun --format csv report`): hidden, since the
/// command's own are the ones to document.
#[derive(Debug, Args, Clone, Default)]
pub struct EarlyOutputArgs {
    #[arg(long, value_enum, hide = true)]
    pub format: Option<Format>,
    #[arg(short = 'o', long, value_name = "FILE", hide = true)]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, hide = true)]
    pub color: Option<ColorChoice>,
}

impl EarlyOutputArgs {
    fn given(&self) -> Option<&'static str> {
        if self.format.is_some() {
            Some("--format")
        } else if self.output.is_some() {
            Some("--output")
        } else if self.color.is_some() {
            Some("--color")
        } else {
            None
        }
    }
}

/// For `explain`, whose output is text only: a file to write it to.
#[derive(Debug, Args, Clone, Default)]
pub struct FileArgs {
    /// Write the output to FILE (atomically) instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// In a command that reads no ledger, these take the place of the global `--dir` and
/// `--as-of` (clap does not copy a global option into a command that has one of the same id):
/// its help does not offer them, and [`Cli::parse_checked`] refuses them when given.
#[derive(Debug, Args, Clone, Default)]
pub struct NoLedger {
    #[arg(long, hide = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(flatten)]
    no_date: NoDate,
}

/// [`NoLedger`] for `--as-of` alone, in a command that reads a ledger but no date.
#[derive(Debug, Args, Clone, Default)]
pub struct NoDate {
    #[arg(long, hide = true, value_name = "DATE", value_parser = parse_cli_date)]
    as_of: Option<NaiveDate>,
}

/// Which output options a command offers.
#[derive(Debug)]
pub enum OutputSlot<'a> {
    /// `--format`, `-o`, `--color`
    Table(&'a mut OutputArgs),
    /// `-o` only: the output is text
    File(&'a mut FileArgs),
    /// None: the command writes files of its own or a line or two of status
    None,
}

/// What a command reads besides its own arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    /// A ledger directory (`--dir`)
    pub ledger: bool,
    /// An as-of date (`--as-of`)
    pub as_of: bool,
    /// The ledger directory if there is one (`--dir`, `DUN_DIR` or upwards), else none
    pub ledger_if_any: bool,
}

impl Needs {
    const LEDGER_AND_DATE: Needs = Needs { ledger: true, as_of: true, ledger_if_any: false };
    const LEDGER: Needs = Needs { ledger: true, as_of: false, ledger_if_any: false };
    const NOTHING: Needs = Needs { ledger: false, as_of: false, ledger_if_any: false };
    /// A date, and the ledger's policy where there is one (`dun rules`).
    const DATE_AND_ANY_LEDGER: Needs = Needs { ledger: false, as_of: true, ledger_if_any: true };
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl Cli {
    /// Parses the command line and applies the checks clap cannot express; a usage error exits
    /// with status 2, as clap's own do.
    pub fn parse_checked() -> Cli {
        Cli::try_parse_checked_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// [`Cli::parse_checked`] from given arguments.
    pub fn try_parse_checked_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        cli.settle(&matches)
            .map_err(|message| Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message))?;
        Ok(cli)
    }

    /// Merges the early output options into the command's, checks `-o`'s extension, and
    /// refuses options the command would ignore.
    fn settle(&mut self, matches: &ArgMatches) -> Result<(), String> {
        let name = command_path(matches);
        self.dir_named_by = if given_on_command_line(matches, "dir") { "--dir" } else { "DUN_DIR" };
        let needs = self.command.needs();
        let dir_used = needs.ledger || needs.ledger_if_any;
        for (id, flag, used) in [("dir", "--dir", dir_used), ("as_of", "--as-of", needs.as_of)] {
            if !used && given_on_command_line(matches, id) {
                return Err(format!("{flag} has no effect on `{name}`; leave it out"));
            }
        }
        let early = std::mem::take(&mut self.early);
        match self.command.output() {
            OutputSlot::Table(out) => {
                out.format = out.format.or(early.format);
                out.output = out.output.take().or(early.output);
                out.color = out.color.or(early.color);
                let format = match out.format {
                    Some(format) => format,
                    None => match format_from_extension(out.output.as_deref())? {
                        // `--csv-dialect nordic` alone asks for CSV.
                        Format::Table if out.csv_dialect.is_some() => Format::Csv,
                        format => format,
                    },
                };
                self.output = OutputSettings {
                    format,
                    file: out.output.clone(),
                    color: out.color.unwrap_or_default(),
                    csv_dialect: out.csv_dialect,
                };
            }
            OutputSlot::File(out) => {
                out.output = out.output.take().or(early.output.clone());
                self.output = OutputSettings { file: out.output.clone(), ..OutputSettings::default() };
                if let Some(flag) = (EarlyOutputArgs { output: None, ..early }).given() {
                    return Err(format!("`{name}` writes text only and does not take {flag}"));
                }
            }
            OutputSlot::None => {
                if let Some(flag) = early.given() {
                    return Err(format!("`{name}` writes no table and does not take {flag}"));
                }
            }
        }
        Ok(())
    }
}

/// The format `-o FILE`'s extension names ([`Format::from_extension`]: `.csv`, `.json`,
/// `.xlsx`, `.html`, `.txt` for a table) or none (a table); any other is a mistake worth
/// stopping for, not a text table in a file named `.xls`.
pub fn format_from_extension(output: Option<&Path>) -> Result<Format, String> {
    let Some(path) = output else { return Ok(Format::Table) };
    let Some(extension) = path.extension() else { return Ok(Format::Table) };
    let extension = extension.to_string_lossy().to_ascii_lowercase();
    Format::from_extension(&extension).ok_or_else(|| {
        format!(
            "-o {}: cannot tell the format from \".{extension}\"; name the file {}, or give --format",
            path.display(),
            Format::EXTENSIONS.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(", ")
        )
    })
}

/// The command line as documentation sees it (completion scripts, manual pages): each command
/// with exactly the options it offers. clap's generators list hidden arguments too, so the
/// parser's own definition would offer `dun --format` and `dun init --dir`; this copies the
/// built definition, where the global options are already in the commands that take them,
/// without the hidden ones.
pub fn documented_command() -> clap::Command {
    let mut built = Cli::command();
    built.build();
    visible_copy(&built)
}

fn visible_copy(built: &clap::Command) -> clap::Command {
    let mut copy = clap::Command::new(built.get_name().to_owned())
        .subcommand_required(built.is_subcommand_required_set());
    if let Some(text) = built.get_about() {
        copy = copy.about(text.clone());
    }
    if let Some(text) = built.get_long_about() {
        copy = copy.long_about(text.clone());
    }
    if let Some(text) = built.get_after_help() {
        copy = copy.after_help(text.clone());
    }
    if let Some(text) = built.get_after_long_help() {
        copy = copy.after_long_help(text.clone());
    }
    if let Some(version) = built.get_version() {
        copy = copy.version(version.to_owned());
    }
    let own = |a: &&clap::Arg| !a.is_hide_set() && !matches!(a.get_id().as_str(), "help" | "version");
    // Copied as they are in this command, not global: clap would copy them again, into the
    // commands that hide them.
    copy = copy.args(built.get_arguments().filter(own).map(|a| a.clone().global(false)));
    copy.subcommands(built.get_subcommands().filter(|s| s.get_name() != "help").map(visible_copy))
}

/// `dun report`, `dun templates export`: the command as the user typed it.
fn command_path(matches: &ArgMatches) -> String {
    let mut name = "dun".to_owned();
    let mut at = matches;
    while let Some((sub, next)) = at.subcommand() {
        name.push(' ');
        name.push_str(sub);
        at = next;
    }
    name
}

/// Whether a global option was written on the command line (not taken from the environment),
/// before or after the command name.
fn given_on_command_line(matches: &ArgMatches, id: &str) -> bool {
    let mut at = Some(matches);
    while let Some(m) = at {
        if matches!(m.try_get_raw(id), Ok(Some(_))) && m.value_source(id) == Some(ValueSource::CommandLine) {
            return true;
        }
        at = m.subcommand().map(|(_, next)| next);
    }
    false
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a new ledger: policy.toml with the country's lawful defaults, empty customers.csv and invoices.csv
    Init(InitArgs),
    /// Aging report: open amounts per customer and currency by days overdue, with key figures
    Report(ReportArgs),
    /// Does the dunning work: each step's invoices paid within 7/14/30 days against those without it
    Stats(StatsArgs),
    /// Expected payments per week and currency, from each customer's behaviour, with a backtest
    Forecast(ForecastArgs),
    /// Pseudonymise a customer's personal data once bookkeeping law no longer requires it
    Forget(ForgetArgs),
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
    /// Deliver what remind, collect and plan composed: e-mail over SMTP, SMS over HTTP, letters to a print folder ([delivery])
    // `[delivery]` is the policy's table as `dun send --help` shows it, not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    Send(DeliverArgs),
    /// Record that composed messages were delivered by hand (letters posted) or that a message in doubt arrived
    Sent(SentArgs),
    /// Read incoming payments from bank files (camt.054/053, BgMax, Nets OCR, bank CSV) and match them to invoices
    Import(ImportArgs),
    /// Build customers.csv and invoices.csv from the receivables of a SIE 4 file (dimensions 8 and 10)
    ImportLedger(ImportLedgerArgs),
    /// Assign an unmatched payment to the invoice(s) it pays
    Assign(AssignArgs),
    /// Every statutory figure and rule in force on the as-of date, per country, with its source
    Rules(RulesArgs),
    /// The built-in letter templates
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Print the shell completion script for SHELL (see README: Shell completion)
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of dun or of one command, or write them all to a directory
    Man(ManArgs),
    #[command(flatten)]
    Record(RecordCommand),
}

impl Command {
    /// What the command reads: a ledger, a date. No catch-all arm, so that a new command
    /// decides.
    pub fn needs(&self) -> Needs {
        match self {
            Command::Report(_)
            | Command::Stats(_)
            | Command::Forecast(_)
            | Command::Forget(_)
            | Command::Check(_)
            | Command::Customer(_)
            | Command::Due(_)
            | Command::Explain(_)
            | Command::Interest(_)
            | Command::Remind(_)
            | Command::Collect(_)
            | Command::Send(_)
            | Command::Sent(_)
            | Command::Import(_)
            | Command::Assign(_)
            | Command::Record(_) => Needs::LEDGER_AND_DATE,
            Command::ImportLedger(_) => Needs::LEDGER,
            Command::Rules(_) => Needs::DATE_AND_ANY_LEDGER,
            Command::Templates(TemplatesCommand::Export { .. }) => Needs::LEDGER,
            Command::Templates(TemplatesCommand::List { .. })
            | Command::Init(_)
            | Command::Completions(_)
            | Command::Man(_) => Needs::NOTHING,
        }
    }

    /// The output options the command offers. No catch-all arm, so that a new command decides.
    pub fn output(&mut self) -> OutputSlot<'_> {
        match self {
            Command::Report(ReportArgs { out })
            | Command::Stats(StatsArgs { out })
            | Command::Forecast(ForecastArgs { out, .. })
            | Command::Check(CheckArgs { out })
            | Command::Customer(CustomerArgs { out, .. })
            | Command::Due(DueArgs { out, .. })
            | Command::Interest(InterestArgs { out, .. })
            | Command::Import(ImportArgs { out, .. })
            | Command::ImportLedger(ImportLedgerArgs { out, .. })
            | Command::Rules(RulesArgs { out, .. }) => OutputSlot::Table(out),
            Command::Remind(SendArgs { report, .. }) | Command::Collect(SendArgs { report, .. }) => {
                OutputSlot::Table(report)
            }
            Command::Send(DeliverArgs { report, .. }) => OutputSlot::Table(report),
            Command::Explain(ExplainArgs { out, .. }) => OutputSlot::File(out),
            Command::Forget(_)
            | Command::Sent(_)
            | Command::Assign(_)
            | Command::Templates(_)
            | Command::Init(_)
            | Command::Completions(_)
            | Command::Man(_)
            | Command::Record(_) => OutputSlot::None,
        }
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to make it (made if missing); default: the current directory
    #[arg(value_name = "DIR")]
    pub target: Option<PathBuf>,
    /// The country whose law the defaults follow
    #[arg(long, value_enum, ignore_case = true, default_value_t = Country::Se)]
    pub country: Country,
    /// The company's name, as letters show it
    #[arg(long, value_name = "NAME")]
    pub company: Option<String>,
    #[command(flatten)]
    pub unused: NoLedger,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    #[command(flatten)]
    pub unused: NoLedger,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`dun man report`, `dun man templates export`); default: dun's own
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write every page (dun.1, dun-report.1, ...) into DIR instead
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub unused: NoLedger,
}

/// The countries `dun init` has defaults for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Country {
    #[value(name = "SE")]
    Se,
    #[value(name = "NO")]
    No,
    #[value(name = "DK")]
    Dk,
    #[value(name = "FI")]
    Fi,
}

impl Country {
    pub fn code(self) -> &'static str {
        match self {
            Country::Se => "SE",
            Country::No => "NO",
            Country::Dk => "DK",
            Country::Fi => "FI",
        }
    }
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Show what would be written and journaled; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// List every customer written to, with the channels, in the summary
    #[arg(short, long)]
    pub verbose: bool,
    /// The summary of what was done: counts per channel (table), or JSON / CSV
    #[command(flatten)]
    pub report: OutputArgs,
    /// Where to write (default: DIR/out)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Send although the bank data is stale or payments that may be theirs are unmatched (journaled)
    #[arg(long)]
    pub force: bool,
}

/// A channel delivery knows (`--channel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeliveryChannel {
    Email,
    Letter,
    Sms,
}

impl DeliveryChannel {
    pub fn channel(self) -> crate::core::policy::Channel {
        match self {
            DeliveryChannel::Email => crate::core::policy::Channel::Email,
            DeliveryChannel::Letter => crate::core::policy::Channel::Letter,
            DeliveryChannel::Sms => crate::core::policy::Channel::Sms,
        }
    }
}

#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// Only these messages (their reference, as the journal's ref column and `dun send --dry-run` show it)
    #[arg(value_name = "REF")]
    pub refs: Vec<String>,
    /// Only this channel
    #[arg(long, value_enum, value_name = "CHANNEL")]
    pub channel: Option<DeliveryChannel>,
    /// Send again the messages in doubt (a run stopped after they went out; they may have arrived)
    #[arg(long)]
    pub retry_doubtful: bool,
    /// List what would be delivered; send and journal nothing
    #[arg(long)]
    pub dry_run: bool,
    /// List every message dealt with, per customer, under the summary line
    #[arg(short, long)]
    pub verbose: bool,
    /// The summary of what was delivered: a line (table), JSON, or CSV (a row per message)
    #[command(flatten)]
    pub report: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SentArgs {
    /// The messages delivered (their reference, as the journal's ref column and `dun send --dry-run` show it)
    #[arg(
        value_name = "REF",
        required_unless_present_any = ["all", "customers"],
        conflicts_with_all = ["all", "customers"]
    )]
    pub refs: Vec<String>,
    /// Every message waiting for delivery (with --channel: on that channel)
    #[arg(long, conflicts_with = "customers")]
    pub all: bool,
    /// Every message waiting for delivery to this customer (repeatable; with --channel: on that channel)
    #[arg(long = "customer", value_name = "ID")]
    pub customers: Vec<String>,
    /// Only this channel
    #[arg(long, value_enum, value_name = "CHANNEL")]
    pub channel: Option<DeliveryChannel>,
    /// The day they were delivered (posted); default: the as-of date
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Bank files: camt.054 / camt.053, BgMax, Nets OCR giro, or a CSV export named in [import.csv]
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Show what would be recorded; write nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ImportLedgerArgs {
    /// The SIE 4 file (.se, .si) exported from the accounting program
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Overwrite customers.csv and invoices.csv when they exist (each new SIE export replaces them)
    #[arg(long)]
    pub replace: bool,
    /// Show what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub out: OutputArgs,
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
    /// Write the built-in templates into the ledger to edit them (where the letters read them)
    Export {
        /// Where to write them, relative to the ledger directory; default: the policy's
        /// templates.dir, else templates
        #[arg(value_name = "DIR")]
        target: Option<PathBuf>,
        #[command(flatten)]
        unused: NoDate,
    },
    /// List the built-in template names
    List {
        #[command(flatten)]
        unused: NoLedger,
    },
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

#[derive(Debug, Args, Default)]
pub struct ReportArgs {
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DueArgs {
    /// Show every open invoice's state, not only the actions
    #[arg(long)]
    pub all: bool,
    /// Forecast day by day up to DATE what falls due if nothing is paid
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub until: Option<NaiveDate>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct InterestArgs {
    /// First settlement date to include (default: the first of the --to month)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub from: Option<NaiveDate>,
    /// Last settlement date to include (default: the as-of date)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub to: Option<NaiveDate>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The invoice number
    pub invoice: String,
    #[command(flatten)]
    pub out: FileArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only this country (ISO 3166 alpha-2; any other than SE, NO, DK, FI shows the EU default)
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The customer's id (exactly)
    pub customer: String,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Weeks to look ahead (and back, for the backtest)
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub weeks: u32,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CustomerArgs {
    /// The customer id, or a part of the name (case-insensitive)
    #[arg(value_name = "ID|NAME")]
    pub query: String,
    #[command(flatten)]
    pub out: OutputArgs,
}

fn parse_cli_date(text: &str) -> Result<NaiveDate, String> {
    crate::core::date::parse_date(text).map_err(|e| format!("\"{text}\" {e}"))
}
