//! polepos: a project lifecycle CLI for FastAPI backends.
//!
//! `main.rs` only parses arguments and maps the outcome to an exit code; everything else
//! lives in this library so tests and benchmarks can call it directly. The shared
//! machinery is: [`changeset`] (plan → preview → apply with rollback), [`templates`]
//! (embedded, strictly rendered), [`manifest`] and [`pyproject`] (format-preserving TOML
//! edits), [`markers`] (minimal splices at `# polepos:*` comments) and [`printer`] (every
//! byte of output).

pub mod changeset;
pub mod check;
pub mod cli;
pub mod commands;
pub mod error;
pub mod interrupt;
pub mod manifest;
pub mod markers;
pub mod names;
pub mod printer;
pub mod project;
pub mod pyproject;
pub mod scaffold;
pub mod templates;

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{AddCommand, Cli, Command};
use crate::error::{Interrupted, PassThrough, ProblemsFound, Refusal};
use crate::printer::{BrokenPipe, Printer, Verbosity};

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// The command ran and refused or found problems.
pub const EXIT_REFUSED: u8 = 1;
/// Usage errors and internal failures.
pub const EXIT_USAGE: u8 = 2;
/// Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let verbosity = if cli.global.quiet {
        Verbosity::Quiet
    } else if cli.global.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let printer = Printer::new(cli.global.color, verbosity);
    let result = dispatch(&printer, &cli.command);
    ExitCode::from(report(&printer, result))
}

fn dispatch(printer: &Printer, command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Start(args) => commands::start::run(printer, args, &commands::current_dir()?),
        Command::Add(AddCommand::Auth { dry_run }) => {
            commands::add_auth::run(printer, *dry_run, &commands::current_dir()?)
        }
        Command::Db(db) => commands::db::run(printer, db, &commands::current_dir()?),
        Command::Check(args) => commands::check::run(printer, args, &commands::current_dir()?),
        Command::Explain { code } => commands::explain::run(printer, code.as_deref()),
        Command::Version => Ok(commands::version::run(printer)?),
        Command::Completion { shell } => Ok(commands::completion::run(printer, *shell)?),
        Command::Help { command } => help(printer, command),
    }
}

/// `polepos help [command ...]`: the long help of the named (sub)command.
fn help(printer: &Printer, path: &[String]) -> anyhow::Result<()> {
    let mut command = Cli::command();
    command.build();
    let mut current = &mut command;
    for name in path {
        let found = current
            .get_subcommands()
            .any(|c| c.get_name() == name || c.get_all_aliases().any(|a| a == name));
        if !found {
            let known: Vec<String> = current
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            return Err(anyhow::Error::new(UsageError(format!(
                "unknown command `{}`; available: {}",
                path.join(" "),
                known.join(", ")
            ))));
        }
        current = current
            .find_subcommand_mut(name)
            .ok_or_else(|| anyhow::anyhow!("unknown command `{name}`"))?;
    }
    let text = current.render_help().to_string();
    printer.stdout(&format!("{}\n", text.trim_end()))?;
    Ok(())
}

/// A usage error found after parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Prints the error (if any) and maps it to an exit code.
pub fn report(printer: &Printer, result: anyhow::Result<()>) -> u8 {
    let Err(error) = result else { return EXIT_OK };
    if error.is::<BrokenPipe>() {
        return EXIT_OK;
    }
    if error.is::<ProblemsFound>() {
        return EXIT_REFUSED;
    }
    if error.is::<Interrupted>() {
        printer.error(
            "interrupted; every file polepos touched was restored",
            &[],
            None,
        );
        return EXIT_INTERRUPTED;
    }
    if let Some(refusal) = error.downcast_ref::<Refusal>() {
        printer.error(&refusal.message, &refusal.causes, refusal.hint.as_deref());
        return EXIT_REFUSED;
    }
    if let Some(stopped) = error.downcast_ref::<error::InterruptedChild>() {
        printer.error(&stopped.to_string(), &[], None);
        return EXIT_INTERRUPTED;
    }
    if let Some(pass) = error.downcast_ref::<PassThrough>() {
        // The child already printed its own error; one line says which command it was.
        printer.info(&format!("polepos: {pass}"));
        return u8::try_from(pass.code)
            .ok()
            .filter(|c| *c != 0)
            .unwrap_or(EXIT_REFUSED);
    }
    if let Some(usage) = error.downcast_ref::<UsageError>() {
        printer.error(
            &usage.0,
            &[],
            Some("run `polepos help` to see every command"),
        );
        return EXIT_USAGE;
    }
    let causes: Vec<String> = error.chain().skip(1).map(ToString::to_string).collect();
    printer.error(
        &error.to_string(),
        &causes,
        Some("this is a polepos failure, not a problem with your input; please report it"),
    );
    EXIT_USAGE
}
