//! `polepos completion <shell>`: completion scripts generated from the real command tree.

use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::cli::{Cli, Shell};
use crate::printer::{Printer, StdoutError};

/// Writes the completion script for `shell` to stdout.
pub fn run(printer: &Printer, shell: Shell) -> Result<(), StdoutError> {
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::Powershell => Target::PowerShell,
        Shell::Elvish => Target::Elvish,
    };
    let mut command = Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(target, &mut command, "polepos", &mut buffer);
    printer.stdout(&String::from_utf8_lossy(&buffer))
}
