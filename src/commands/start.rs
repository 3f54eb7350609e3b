//! `polepos start <name>`: validate the name, build the project's recipe, and apply it as
//! a new-tree change set (rendered into a staging directory beside the target, then
//! renamed into place, so a failure or Ctrl-C never leaves half a project).

use std::path::Path;
use std::process::Command;

use crate::changeset::ApplyError;
use crate::cli::StartArgs;
use crate::error::Refusal;
use crate::feature::{self, ProjectContext, plan};
use crate::manifest::DbMode;
use crate::names::{self, NameKind};
use crate::printer::Printer;
use crate::process::{find_on_path, find_python, run_step, shell_quote};

/// Runs `polepos start`.
pub fn run(printer: &Printer, args: &StartArgs, cwd: &Path) -> anyhow::Result<()> {
    let valid = names::validate(&args.name, NameKind::Project)?;
    let target = cwd.join(&valid.name);
    if target.symlink_metadata().is_ok() {
        return Err(Refusal::new(format!(
            "cannot create project `{}`: {} already exists",
            valid.name,
            target.display()
        ))
        .with_hint("choose another name, or remove the existing path first")
        .into());
    }
    let ctx = ProjectContext {
        name: valid.name.clone(),
        package: valid.package.clone(),
        db: args.db,
        bytecode: !args.no_bytecode,
        auth: Default::default(),
    };
    let recipe = feature::project::recipe(&ctx, &feature::project::random_secret()?)?;
    let set = plan::plan_new_project(&target, &recipe);

    if args.dry_run {
        let mut out = format!(
            "Would create {} ({} files, db: {}):\n",
            target.display(),
            set.changes().len(),
            args.db.as_str()
        );
        out.push_str(&set.preview()?);
        out.push_str("Dry run: nothing was written.\n");
        printer.stdout(&out)?;
        return Ok(());
    }

    set.apply()
        .map_err(|error| match error.downcast::<ApplyError>() {
            Ok(ApplyError::AppearedMeanwhile { path }) => Refusal::new(format!(
                "{path} appeared while polepos was writing the project"
            ))
            .into(),
            Ok(other) => anyhow::Error::new(other),
            Err(other) => other,
        })?;
    printer.success(&format!(
        "Created project {} at {}",
        valid.name,
        target.display()
    ));

    let installed = if args.install {
        Some(install(printer, &target)?)
    } else {
        None
    };
    printer.guidance(&next_steps(&ctx, &target, installed))?;
    Ok(())
}

/// What `--install` installed the project with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Installer {
    /// `uv sync --extra dev`: the next steps run through `uv run`.
    Uv,
    /// uv was missing: a `.venv` made with pip, so the next steps use `.venv/bin/python`.
    Pip,
}

/// The "what now" block printed after creation.
fn next_steps(options: &ProjectContext, target: &Path, installed: Option<Installer>) -> String {
    let prefix = if options.bytecode {
        ""
    } else {
        "PYTHONDONTWRITEBYTECODE=1 "
    };
    let mut out = format!(
        "Project: {}\nPackage: {}\nDatabase: {}\n\nNext steps:\n",
        target.display(),
        options.package,
        options.db.as_str()
    );
    out.push_str(&format!("  cd {}\n", options.name));
    if installed.is_none() {
        out.push_str("  uv sync --extra dev\n");
    }
    if options.db == DbMode::Postgres {
        // compose.yaml's `postgres` service creates <pkg> (and <pkg>_test) on first start.
        out.push_str(&format!(
            "  docker compose up -d postgres  # or, on a server of your own: createdb -h localhost -U postgres {}\n",
            options.package
        ));
    }
    if options.db != DbMode::None {
        out.push_str("  polepos db upgrade\n");
    }
    // After the pip fallback there is no uv: the commands use the .venv directly.
    let (python, pytest) = match installed {
        Some(Installer::Pip) => (".venv/bin/python", ".venv/bin/python -m pytest"),
        Some(Installer::Uv) | None => ("uv run python", "uv run pytest"),
    };
    out.push_str(&format!("  {prefix}{python} -m {}.run\n", options.package));
    out.push_str(&format!("  {prefix}{pytest}\n"));
    out
}

/// `--install`: `uv sync --extra dev`, or a `.venv` with pip when uv is not on PATH.
fn install(printer: &Printer, project: &Path) -> anyhow::Result<Installer> {
    if let Some(uv) = find_on_path("uv") {
        let retry = format!("cd {} && uv sync --extra dev", shell_quote(project));
        let mut command = Command::new(uv);
        command
            .args(["sync", "--extra", "dev"])
            .current_dir(project);
        run_step(printer, command, "Installing dependencies with uv", &retry)?;
        return Ok(Installer::Uv);
    }
    let python = find_python().ok_or_else(|| {
        Refusal::new("cannot install dependencies: neither uv nor a Python 3.11+ interpreter was found on PATH")
            .with_hint(format!(
                "the project was created; install uv (`pip install uv`) and run `cd {} && uv sync --extra dev`",
                shell_quote(project)
            ))
    })?;
    let retry = format!(
        "cd {} && {} -m venv .venv && .venv/bin/python -m pip install -e \".[dev]\"",
        shell_quote(project),
        shell_quote(&python)
    );
    let mut venv = Command::new(&python);
    venv.args(["-m", "venv", ".venv"]).current_dir(project);
    run_step(printer, venv, "Creating .venv", &retry)?;
    let mut pip = Command::new(project.join(".venv/bin/python"));
    pip.args(["-m", "pip", "install", "-e", ".[dev]"])
        .current_dir(project);
    run_step(
        printer,
        pip,
        "Installing dependencies with pip (uv was not found)",
        &retry,
    )?;
    Ok(Installer::Pip)
}
