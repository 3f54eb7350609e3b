//! The `polepos` binary: parse the command line, run it, map the outcome to an exit code.
//! `src/bin/poleposition.rs` is the same program under the older tool's command name.

use std::process::ExitCode;

fn main() -> ExitCode {
    polepos::main()
}
