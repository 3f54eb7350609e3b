//! `polepos db ...`: Alembic, run inside the project.
//!
//! Alembic runs through `uv run alembic` when uv is on PATH, else `.venv/bin/python -m
//! alembic`, else the active virtualenv's python. Its output streams through untouched and
//! its exit code becomes ours. `bytecode = false` in the manifest sets
//! `PYTHONDONTWRITEBYTECODE=1` for it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cli::DbCommand;
use crate::error::{InterruptedChild, PassThrough, Refusal};
use crate::interrupt::{self, CriticalSection};
use crate::manifest::DbMode;
use crate::printer::Printer;
use crate::process::find_on_path;
use crate::project::Project;

/// How Alembic is launched.
#[derive(Debug, Clone)]
enum Runner {
    Uv(PathBuf),
    Python(PathBuf),
}

/// Runs one `polepos db` subcommand.
pub fn run(printer: &Printer, command: &DbCommand, cwd: &Path) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    if project.db == DbMode::None {
        return Err(Refusal::new("this project has no database layer (db = \"none\"), so there are no migrations to run")
            .with_hint("create the project with `polepos start <name> --db sqlite` (or `--db postgres`) to get SQLAlchemy and Alembic")
            .into());
    }
    if !project.root.join("alembic.ini").is_file() {
        return Err(
            Refusal::new(format!("{} has no alembic.ini", project.root.display()))
                .with_hint(
                    "restore the generated alembic.ini and migrations/ (see `polepos check`)",
                )
                .into(),
        );
    }
    let runner = find_runner(&project)?;
    let calls: Vec<Vec<String>> = match command {
        DbCommand::Status => vec![
            args(&["current", "--verbose"]),
            args(&["heads", "--verbose"]),
        ],
        DbCommand::Upgrade { target } => vec![args(&["upgrade", target])],
        DbCommand::Revision { message, empty } => {
            if message.trim().is_empty() {
                return Err(Refusal::new("the revision message is empty")
                    .with_hint("describe the change, e.g. `polepos db revision -m \"add auth users table\"`")
                    .into());
            }
            let mut call = args(&["revision", "-m", message]);
            if !empty {
                call.insert(1, "--autogenerate".to_string());
            }
            vec![call]
        }
        DbCommand::Downgrade { target } => vec![args(&["downgrade", target])],
        DbCommand::Check => vec![args(&["check"])],
    };
    for call in calls {
        run_alembic(printer, &project, &runner, &call)?;
    }
    Ok(())
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Picks uv, the project's `.venv`, or the active virtualenv, in that order.
fn find_runner(project: &Project) -> anyhow::Result<Runner> {
    if let Some(uv) = find_on_path("uv") {
        return Ok(Runner::Uv(uv));
    }
    let mut candidates = vec![project.root.join(".venv/bin/python")];
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        candidates.push(PathBuf::from(venv).join("bin/python"));
    }
    for python in candidates.into_iter().filter(|p| p.is_file()) {
        let has_alembic = Command::new(&python)
            .args(["-c", "import alembic"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if has_alembic {
            return Ok(Runner::Python(python));
        }
    }
    Err(Refusal::new("cannot run Alembic: uv is not on PATH and neither the project's .venv nor an active virtualenv has Alembic installed")
        .with_hint("install uv (`pip install uv`) and run `uv sync --extra dev`, or run `pip install -e \".[dev]\"` in the project's virtualenv")
        .into())
}

fn run_alembic(
    printer: &Printer,
    project: &Project,
    runner: &Runner,
    call: &[String],
) -> anyhow::Result<()> {
    let mut command = match runner {
        Runner::Uv(uv) => {
            let mut c = Command::new(uv);
            c.args(["run", "alembic"]);
            c
        }
        Runner::Python(python) => {
            let mut c = Command::new(python);
            c.args(["-m", "alembic"]);
            c
        }
    };
    command.args(call).current_dir(&project.root);
    if !project.bytecode {
        command.env("PYTHONDONTWRITEBYTECODE", "1");
    }
    let shown = format!("alembic {}", call.join(" "));
    printer.detail(&format!("running {shown} in {}", project.root.display()));
    let _section = CriticalSection::enter();
    let status = command
        .status()
        .map_err(|e| anyhow::anyhow!("cannot start {shown}: {e}"))?;
    if interrupt::interrupted() {
        return Err(InterruptedChild(format!("{shown} was stopped")).into());
    }
    if !status.success() {
        // `alembic check` reports drift like any other error (255); the contract for
        // `polepos db check` is exit 1 on drift. Other commands pass the code through.
        let code = match call.first().map(String::as_str) {
            Some("check") => 1,
            _ => status.code().unwrap_or(1),
        };
        return Err(PassThrough {
            command: shown,
            code,
        }
        .into());
    }
    Ok(())
}
