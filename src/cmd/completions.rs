//! `dun completions SHELL`: the shell's completion script, from the same clap definition the
//! command line is parsed with, so it offers exactly each command's options.

use crate::cli::{CompletionsArgs, documented_command};
use anyhow::Result;

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut documented_command(), "dun", &mut script);
    crate::io::output::emit(None, &String::from_utf8(script)?)
}
