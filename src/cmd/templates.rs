//! `dun templates export [DIR]`: the built-in letter templates as files in the ledger, where
//! the letters read them, to start overrides from; `dun templates list` names them.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::cli::TemplatesCommand;
use crate::context::Context;

pub fn run(ctx: &Context, command: &TemplatesCommand) -> Result<()> {
    match command {
        TemplatesCommand::Export { target, .. } => {
            // Relative to the ledger, not to where the command runs: that is where
            // `letters_out::letters` reads them.
            let target = match target {
                Some(target) => target.clone(),
                None => {
                    let policy = crate::io::ledger_dir::load_policy(&ctx.dir)?;
                    PathBuf::from(policy.file.templates.dir.as_deref().unwrap_or("templates"))
                }
            };
            let dir = ctx.dir.join(target);
            let written = crate::letters::export_builtin(&dir)
                .with_context(|| format!("cannot export the templates to {}", dir.display()))?;
            if !ctx.quiet {
                println!("wrote {} templates under {}", written.len(), dir.display());
            }
            Ok(())
        }
        TemplatesCommand::List { .. } => {
            for name in crate::letters::builtin_names() {
                println!("{name}");
            }
            Ok(())
        }
    }
}
