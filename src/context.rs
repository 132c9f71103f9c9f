//! Settings resolved once from the command line and the environment: where the ledger is,
//! the as-of date, the output format and destination.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::{ColorChoice, GlobalArgs};
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
    pub fn new(args: &GlobalArgs, today: NaiveDate) -> Context {
        let format = args.format.unwrap_or_else(|| format_from_extension(args.output.as_deref()));
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && args.output.is_none()
                    && std::io::stdout().is_terminal()
            }
        };
        Context {
            dir: args.dir.clone(),
            as_of: args.as_of.unwrap_or(today),
            format,
            output: args.output.clone(),
            color,
            quiet: args.quiet,
        }
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

fn format_from_extension(output: Option<&Path>) -> Format {
    match output.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
        Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
        Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => Format::Html,
        _ => Format::Table,
    }
}
