//! `polepos completion <shell>`: completion scripts generated from the real command tree;
//! and `polepos __complete <words...>`, the hidden command that completion scripts
//! installed by the older tool call for their candidates.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::cli::{Cli, Shell};
use crate::printer::{Printer, StdoutError};
use crate::project::Project;

/// Writes the completion script for `shell` to stdout.
pub(crate) fn run(printer: &Printer, shell: Shell) -> Result<(), StdoutError> {
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

/// `polepos __complete <words...>`: prints, one a line, what can follow the words typed
/// after `polepos`, the last of which is the word being completed (empty for a new
/// word): commands and subcommands, the current command's flags, and module names where
/// a module is named (`remove module`, inside a project).
pub(crate) fn candidates(
    printer: &Printer,
    words: &[String],
    cwd: &Path,
) -> Result<(), StdoutError> {
    let (partial, typed) = match words.split_last() {
        Some((last, before)) => (last.as_str(), before),
        None => ("", &[][..]),
    };
    let root = Cli::command();
    let mut command = &root;
    let mut path = Vec::new();
    for word in typed {
        if let Some(sub) = command.find_subcommand(word) {
            command = sub;
            path.push(sub.get_name().to_string());
        }
    }
    let mut out: Vec<String> = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name().to_string())
        .collect();
    out.extend(
        command
            .get_arguments()
            .filter(|arg| !arg.is_hide_set())
            .filter_map(|arg| arg.get_long().map(|long| format!("--{long}"))),
    );
    if path == ["remove", "module"] {
        out.extend(module_names(cwd));
    }
    out.retain(|candidate| candidate.starts_with(partial));
    out.sort();
    out.dedup();
    let text: String = out.iter().map(|c| format!("{c}\n")).collect();
    printer.stdout(&text)
}

/// The modules of the project around `cwd` (none outside a project).
fn module_names(cwd: &Path) -> Vec<String> {
    let Ok(project) = Project::open(cwd) else {
        return Vec::new();
    };
    project
        .manifest
        .as_ref()
        .map(|m| m.modules())
        .unwrap_or_default()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name != "status")
        .collect()
}
