use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: dun::io::heap::Allocator = dun::io::heap::Allocator;

fn main() -> ExitCode {
    let cli = dun::cli::Cli::parse_checked();
    let today = chrono::Local::now().date_naive();
    let result = dun::context::Context::new(&cli, today).and_then(|ctx| dun::cmd::run(&cli, &ctx));
    // A spinner still turning (a command that wrote no table) leaves the terminal first.
    dun::io::progress::clear();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if dun::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Messages quote data (names, ids): nothing in them may drive the terminal.
            eprintln!("dun: error: {}", dun::render::escape::printable_lines(&format!("{e:#}")));
            ExitCode::from(dun::exit_status(&e) as u8)
        }
    }
}
