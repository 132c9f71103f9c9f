//! Settings resolved once from the command line and the environment: where the ledger is,
//! the as-of date, the output format and destination.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use crate::cli::{Cli, ColorChoice};
use crate::core::policy::{CsvDialect, Policy};
use crate::render::Format;

#[derive(Clone, Debug)]
pub struct Context {
    pub dir: PathBuf,
    pub as_of: NaiveDate,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
    /// `--csv-dialect`; `None`: the policy's, else standard ([`Context::csv_dialect`]).
    pub csv_dialect: Option<CsvDialect>,
}

impl Context {
    /// The settings for `cli`'s command: the ledger is located (a [`crate::UsageError`] when
    /// there is none) only for a command that reads one.
    pub fn new(cli: &Cli, today: NaiveDate) -> Result<Context> {
        let needs = cli.command.needs();
        let dir = match (needs.ledger, &cli.global.dir) {
            (true, given) => {
                let cwd = std::env::current_dir()?;
                let given = given.as_deref().map(|d| (d, cli.dir_named_by));
                crate::io::ledger_dir::locate(given, &cwd)?
            }
            // A directory named must be a ledger; else the nearest one, if any (`dun rules`
            // shows the built-in rules where there is none: "." without a policy.toml).
            (false, Some(given)) if needs.ledger_if_any => {
                crate::io::ledger_dir::locate(Some((given, cli.dir_named_by)), &std::env::current_dir()?)?
            }
            (false, None) if needs.ledger_if_any => {
                crate::io::ledger_dir::locate(None, &std::env::current_dir()?)
                    .unwrap_or_else(|_| PathBuf::from("."))
            }
            (false, Some(given)) => given.clone(),
            (false, None) => PathBuf::from("."),
        };
        let output = &cli.output;
        if output.format == Format::Xlsx && output.file.is_none() && std::io::stdout().is_terminal() {
            return Err(crate::UsageError(
                "a workbook is not for a terminal: write it to a file with -o NAME.xlsx".to_owned(),
            )
            .into());
        }
        crate::render::text::fit_to(table_width(output.file.is_none()));
        crate::io::progress::enable(
            cli.global.quiet,
            std::io::stdout().is_terminal(),
            std::io::stderr().is_terminal(),
        );
        let color = match output.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && output.file.is_none()
                    && std::io::stdout().is_terminal()
            }
        };
        Ok(Context {
            dir,
            as_of: cli.global.as_of.unwrap_or(today),
            format: output.format,
            output: output.file.clone(),
            color,
            quiet: cli.global.quiet,
            csv_dialect: output.csv_dialect,
        })
    }

    /// The CSV dialect: the command line's, else the policy's (`[output] csv_dialect`).
    pub fn csv_dialect(&self, policy: Option<&Policy>) -> CsvDialect {
        self.csv_dialect.or_else(|| policy.and_then(|p| p.file.output.csv_dialect)).unwrap_or_default()
    }

    /// How a view is rendered here.
    pub fn render_settings(&self, policy: Option<&Policy>) -> crate::render::RenderSettings {
        crate::render::RenderSettings {
            color: self.color,
            csv: self.csv_dialect(policy),
            as_of: self.as_of,
            redact: crate::io::output::redactions(),
        }
    }

    /// Renders `view` in the format asked for and writes it to `-o FILE` (atomically) or
    /// standard output. `policy` supplies the default CSV dialect, where a ledger was read.
    pub fn emit(&self, mut view: crate::render::View<'_>, policy: Option<&Policy>) -> Result<()> {
        let settings = self.render_settings(policy);
        // Millions of rows are written as they are made, unless masks need the whole text.
        if settings.redact.is_none()
            && let Some(write) = view.streamed(self.format, &settings)
        {
            crate::io::progress::clear();
            return crate::io::output::emit_streamed(self.output.as_deref(), write);
        }
        let bytes = view.render(self.format, &settings)?;
        crate::io::progress::clear();
        match self.format {
            // Masked cell by cell as it was made.
            Format::Xlsx => crate::io::output::emit_bytes(self.output.as_deref(), &bytes),
            _ => crate::io::output::emit(self.output.as_deref(), &String::from_utf8(bytes)?),
        }
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

/// The width tables are fitted to: `DUN_COLUMNS` when set (anywhere: tests, a file meant for
/// a given width), else the terminal's when the output goes to one; else none, full width
/// for pipes, files and cron.
fn table_width(to_stdout: bool) -> Option<usize> {
    if let Some(columns) = std::env::var("DUN_COLUMNS").ok().and_then(|v| v.trim().parse::<usize>().ok()) {
        return (columns > 0).then_some(columns);
    }
    if !to_stdout || !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(width, _)| usize::from(width.0))
}
