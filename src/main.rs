//! `worm`: check, explore and verify the project's models.

mod cli;
mod engine;

use clap::Parser;
use std::process::ExitCode;

/// Model checking clones and drops a state per transition, mostly small vectors: with glibc's
/// allocator, allocation was a third of the instructions of `worm check` (callgrind).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    if args.only_reports() {
        // SAFETY: restoring the default disposition of a signal, before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    match cli::run(args) {
        Ok(code) => code,
        Err(cli::Error::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}
