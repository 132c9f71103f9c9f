//! Settings resolved once from the command line and the environment: where the ledger is,
//! the as-of date, the output format and destination.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;

use crate::cli::{Cli, ColorChoice};
use crate::render::Format;

#[derive(Clone, Debug)]
pub struct Context {
    pub dir: PathBuf,
    pub as_of: NaiveDate,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
}

impl Context {
    /// The settings for `cli`'s command: the ledger is located (a [`crate::UsageError`] when
    /// there is none) only for a command that reads one.
    pub fn new(cli: &Cli, today: NaiveDate) -> Result<Context> {
        let dir = match (cli.command.needs().ledger, &cli.global.dir) {
            (true, given) => {
                let cwd = std::env::current_dir()?;
                let given = given.as_deref().map(|d| (d, cli.dir_named_by));
                crate::io::ledger_dir::locate(given, &cwd)?
            }
            (false, Some(given)) => given.clone(),
            (false, None) => PathBuf::from("."),
        };
        let output = &cli.output;
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
        })
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}
