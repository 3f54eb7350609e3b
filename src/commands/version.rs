//! `polepos version` (also `--version` / `-V`, which clap answers itself).

use crate::printer::{BrokenPipe, Printer};

/// Prints `polepos <version>` on stdout.
pub fn run(printer: &Printer) -> Result<(), BrokenPipe> {
    printer.stdout(&format!("polepos {}\n", env!("CARGO_PKG_VERSION")))
}
