//! `dun`: receivables under control for Nordic small businesses, over plain files.
//!
//! Layout: `core` is pure (parse → model → decide), `io` brings bytes in and out, `render`
//! turns values into tables, CSV, JSON and letters, `cmd` glues them per subcommand.

pub mod cli;
pub mod cmd;
pub mod context;
pub mod core;
pub mod io;
pub mod letters;
pub mod render;

/// Exit status for bad data, policy or findings (bad usage is clap's 2).
pub const EXIT_DATA: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
/// Exit status for a run that did its work for everyone it could, but left some customers for a
/// person (no usable channel, data an agency needs): cron routines go on (`[ $? -ne 1 ]`).
pub const EXIT_NEEDS_PERSON: i32 = 3;

/// The run is done, but some customers need a person: exit status [`EXIT_NEEDS_PERSON`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NeedsPerson(pub String);

/// A mistake in how dun was called that clap cannot see (no ledger directory where one is
/// needed): exit status [`EXIT_USAGE`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit status for an error: [`EXIT_USAGE`] for a [`UsageError`], [`EXIT_NEEDS_PERSON`]
/// for [`NeedsPerson`], else [`EXIT_DATA`].
pub fn exit_status(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.downcast_ref::<UsageError>().is_some()) {
        EXIT_USAGE
    } else if err.chain().any(|e| e.downcast_ref::<NeedsPerson>().is_some()) {
        EXIT_NEEDS_PERSON
    } else {
        EXIT_DATA
    }
}

/// Whether an error chain ends in a closed pipe (`dun report | head`), which is not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
