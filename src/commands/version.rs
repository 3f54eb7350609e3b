//! `polepos version` (also `--version` / `-V`, which clap answers itself).

use crate::printer::{Printer, StdoutError};

/// Prints `polepos <version>` on stdout.
pub(crate) fn run(printer: &Printer) -> Result<(), StdoutError> {
    printer.stdout(&format!("polepos {}\n", env!("CARGO_PKG_VERSION")))
}
