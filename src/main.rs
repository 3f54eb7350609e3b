//! The `polepos` binary: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

/// mimalloc: `check` parses thousands of files, and their syntax trees are many small
/// allocations that the system allocator serves several times slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    polepos::interrupt::install();
    let cli = match polepos::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help / --version, and the usage a bare `polepos add` (`db`, `remove`,
            // `completion`) prints, go to stdout with exit 0, as the older tool's did;
            // usage errors go to stderr with 2.
            let code = match error.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => 0,
                _ => 2,
            };
            if code == 0 {
                // Help and version are results: stdout, and a failing stdout is an error.
                let printer = polepos::printer::Printer::plain();
                let result = printer
                    .stdout(&error.render().to_string())
                    .map(|()| polepos::error::Outcome::Success)
                    .map_err(anyhow::Error::from);
                return ExitCode::from(polepos::report(&printer, result));
            }
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    polepos::run(cli)
}
