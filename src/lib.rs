//! polepos: a project lifecycle CLI for FastAPI backends.
//!
//! `main.rs` only parses arguments and maps the outcome to an exit code; everything else
//! lives in this library so tests and the repository's tasks (`xtask/`: generated
//! documentation, benchmark projects) can call it directly. The shared machinery is: [`changeset`] (plan → preview → apply with rollback), [`templates`]
//! (embedded, strictly rendered), [`manifest`] and [`pyproject`] (format-preserving TOML
//! edits), [`markers`] (minimal splices at `# polepos:*` comments) and [`printer`] (every
//! byte of output).

pub(crate) mod boundary;
pub mod changeset;
pub mod check;
pub mod cli;
pub mod commands;
pub(crate) mod error;
pub mod feature;
pub(crate) mod fsread;
pub(crate) mod interrupt;
pub mod ledger;
pub mod manifest;
pub(crate) mod markers;
pub(crate) mod names;
pub mod printer;
pub(crate) mod process;
pub mod project;
pub(crate) mod pyproject;
pub mod python;
pub mod templates;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{AddCommand, Cli, Command, RemoveCommand};
use crate::error::{Interrupted, Outcome, PassThrough, Refusal, UsageError};
use crate::printer::{Printer, StdoutError, Verbosity};

/// Exit code for success.
pub(crate) const EXIT_OK: u8 = 0;
/// The command ran and refused or found problems.
pub(crate) const EXIT_REFUSED: u8 = 1;
/// Usage errors and internal failures.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Ctrl-C.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// mimalloc: `check` parses thousands of files, and their syntax trees are many small
/// allocations that the system allocator serves several times slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The whole program behind both command names: parse the command line, run it, map the
/// outcome to an exit code.
pub fn main() -> ExitCode {
    interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help / --version, and the usage a bare `polepos add` (`db`, `remove`,
            // `completion`) prints, go to stdout with exit 0, as the older tool's did;
            // usage errors go to stderr with 2.
            let code = match error.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => 0,
                _ => 2,
            };
            if code == 0 {
                // Help and version are results: stdout, and a failing stdout is an error.
                let printer = Printer::plain();
                let result = printer
                    .stdout(&error.render().to_string())
                    .map(|()| Outcome::Success)
                    .map_err(anyhow::Error::from);
                return ExitCode::from(report(&printer, result));
            }
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    run(cli)
}

/// Runs a parsed command line and returns the process exit code.
pub(crate) fn run(cli: Cli) -> ExitCode {
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

fn dispatch(printer: &Printer, command: &Command) -> anyhow::Result<Outcome> {
    let done = |result: anyhow::Result<()>| result.map(|()| Outcome::Success);
    match command {
        Command::Start(args) => done(commands::start::run(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Add(AddCommand::Auth(args)) => done(commands::add_auth::run(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Add(AddCommand::Module(args)) => done(commands::add_module::run(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Add(AddCommand::Field(args)) => done(commands::fields::run_add(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Add(AddCommand::Integration { name, dry_run }) => {
            done(commands::add_integration::run(
                printer,
                name.as_str(),
                *dry_run,
                &commands::current_dir()?,
            ))
        }
        Command::Db(db) => done(commands::db::run(printer, db, &commands::current_dir()?)),
        Command::Remove(RemoveCommand::Module(args)) => done(commands::remove::run_module(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Remove(RemoveCommand::Field(args)) => done(commands::fields::run_remove(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Remove(RemoveCommand::Auth(args)) => done(commands::add_auth::run_remove(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Remove(RemoveCommand::Integration(args)) => done(
            commands::remove::run_integration(printer, args, &commands::current_dir()?),
        ),
        Command::Upgrade(args) => commands::upgrade::run(printer, args, &commands::current_dir()?),
        Command::Delete(args) => done(commands::delete::run(
            printer,
            args,
            &commands::current_dir()?,
        )),
        Command::Check(args) => commands::check::run(printer, args, &commands::current_dir()?),
        Command::Explain { code } => done(commands::explain::run(printer, code.as_deref())),
        Command::Version => done(Ok(commands::version::run(printer)?)),
        Command::Completion { shell } => done(Ok(commands::completion::run(printer, *shell)?)),
        Command::Help { command } => done(help(printer, command)),
        Command::Complete { words } => done(Ok(commands::completion::candidates(
            printer,
            words,
            &commands::current_dir()?,
        )?)),
    }
}

/// `polepos help [command ...]`: exactly what `polepos [command ...] --help` prints.
///
/// The text comes from clap parsing `polepos <command ...> --help`, so the two spellings
/// are identical by construction. The path is checked against the command tree first:
/// otherwise `help start extra` would parse `extra` as a project name.
fn help(printer: &Printer, path: &[String]) -> anyhow::Result<()> {
    let mut command = Cli::command();
    command.build();
    let mut current = &command;
    for (depth, name) in path.iter().enumerate() {
        let unknown = || {
            let known: Vec<&str> = current
                .get_subcommands()
                .filter(|c| !c.is_hide_set())
                .map(|c| c.get_name())
                .collect();
            let reason = if known.is_empty() {
                format!("`{}` has no subcommands", path[..depth].join(" "))
            } else {
                format!("available: {}", known.join(", "))
            };
            anyhow::Error::new(UsageError(format!(
                "unknown command `{}`; {reason}",
                path.join(" ")
            )))
        };
        current = current
            .get_subcommands()
            .find(|c| c.get_name() == name || c.get_all_aliases().any(|a| a == name))
            .ok_or_else(unknown)?;
    }
    let args = std::iter::once("polepos")
        .chain(path.iter().map(String::as_str))
        .chain(std::iter::once("--help"));
    match Cli::command().try_get_matches_from(args) {
        Err(error) if error.kind() == clap::error::ErrorKind::DisplayHelp => {
            let rendered = error.render();
            let text = if printer.color() {
                rendered.ansi().to_string()
            } else {
                rendered.to_string()
            };
            printer.stdout(&text)?;
            Ok(())
        }
        Err(error) => Err(anyhow::anyhow!(
            "cannot render the help of `{}`: {}",
            path.join(" "),
            error.kind()
        )),
        Ok(_) => Err(anyhow::anyhow!(
            "cannot render the help of `{}`",
            path.join(" ")
        )),
    }
}

/// Prints the error (if any) and maps it to an exit code.
pub(crate) fn report(printer: &Printer, result: anyhow::Result<Outcome>) -> u8 {
    let error = match result {
        Ok(Outcome::Success) => return EXIT_OK,
        Ok(Outcome::ProblemsFound) => return EXIT_REFUSED,
        Err(error) => error,
    };
    match error.downcast_ref::<StdoutError>() {
        Some(StdoutError::Closed) => return EXIT_OK,
        Some(failed @ StdoutError::Failed(_)) => {
            printer.error(&failed.to_string(), &[], None);
            return EXIT_USAGE;
        }
        None => {}
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
    if error.chain().any(|cause| cause.is::<std::io::Error>()) {
        // The environment refused (permissions, a full disk, a file where a directory
        // belongs): the user can fix that, so it is not reported as a polepos bug.
        printer.error(
            &error.to_string(),
            &causes,
            Some("check the permissions of the path named above and the free space on its disk, then run the command again"),
        );
        return EXIT_REFUSED;
    }
    printer.error(
        &error.to_string(),
        &causes,
        Some("this is a polepos failure, not a problem with your input; please report it"),
    );
    EXIT_USAGE
}
