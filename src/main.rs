use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = dun::cli::Cli::parse();
    let today = chrono::Local::now().date_naive();
    let ctx = dun::context::Context::new(&cli.global, today);
    match dun::cmd::run(&cli, &ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if dun::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dun: error: {e:#}");
            ExitCode::from(dun::EXIT_DATA as u8)
        }
    }
}
