//! `dun man [COMMAND...]`: manual pages in roff, from the clap definition (the same text as
//! `--help`); `--out-dir DIR` writes every page, one per command, for `man` to find.

use std::path::Path;

use anyhow::{Context as _, Result, bail};

use crate::cli::{ManArgs, documented_command};
use crate::context::Context;
use crate::io::output::{emit, write_atomically};

pub fn run(ctx: &Context, args: &ManArgs) -> Result<()> {
    let mut root = documented_command().disable_help_subcommand(true);
    // Built, so that each command knows its full name (`dun-templates-export`).
    root.build();
    if let Some(dir) = &args.out_dir {
        let written = write_all(&root, dir)?;
        if !ctx.quiet {
            println!("wrote {written} manual pages under {}", dir.display());
        }
        return Ok(());
    }
    let mut page = &root;
    for name in &args.command {
        page = match page.find_subcommand(name) {
            Some(sub) => sub,
            None => bail!("dun has no command \"{}\" (dun --help lists them)", args.command.join(" ")),
        };
    }
    emit(None, &String::from_utf8(render(page)?)?)
}

fn render(command: &clap::Command) -> Result<Vec<u8>> {
    let mut roff = Vec::new();
    let source = format!("dun {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(command.clone()).source(source).manual("dun manual").render(&mut roff)?;
    Ok(roff)
}

/// Writes `command`'s page and those of every command below it; returns how many.
fn write_all(command: &clap::Command, dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make the directory {}", dir.display()))?;
    let mut written = 0;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        written += write_all(sub, dir)?;
    }
    let name = format!("{}.1", command.get_display_name().unwrap_or_else(|| command.get_name()));
    write_atomically(&dir.join(name), &render(command)?)?;
    Ok(written + 1)
}
