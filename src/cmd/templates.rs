//! `dun templates export DIR`: the built-in letter templates as files, to start overrides from.

use anyhow::{Context as _, Result};

use crate::cli::TemplatesCommand;
use crate::context::Context;

pub fn run(ctx: &Context, command: &TemplatesCommand) -> Result<()> {
    match command {
        TemplatesCommand::Export { target: dir } => {
            let written = crate::letters::export_builtin(dir)
                .with_context(|| format!("cannot export the templates to {}", dir.display()))?;
            if !ctx.quiet {
                println!("wrote {} templates under {}", written.len(), dir.display());
            }
            Ok(())
        }
        TemplatesCommand::List => {
            for name in crate::letters::builtin_names() {
                println!("{name}");
            }
            Ok(())
        }
    }
}
