//! Adds standard modules with all their wiring to an existing project, for benchmarks.
//!
//! Usage: `cargo run --release --example gen_modules -- <project-dir> <count>`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(root), Some(count)) = (args.next(), args.next()) else {
        eprintln!("usage: gen_modules <project-dir> <count>");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("error: <count> must be a number, not `{count}`");
        return ExitCode::from(2);
    };
    match polepos::bench::add_modules(&PathBuf::from(&root), count) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
