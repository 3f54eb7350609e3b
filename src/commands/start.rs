//! `polepos start <name>`: render a new project into a temporary directory beside the
//! target, then rename it into place, so a failure or Ctrl-C never leaves half a project.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::Context as _;

use crate::cli::StartArgs;
use crate::error::{Interrupted, Refusal};
use crate::interrupt::{self, CriticalSection};
use crate::manifest::DbMode;
use crate::names::{self, NameKind};
use crate::printer::Printer;
use crate::process::{find_on_path, find_python, run_step, shell_quote};
use crate::scaffold::{self, ProjectOptions};
use crate::templates::Rendered;

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
    let options = ProjectOptions {
        name: valid.name.clone(),
        package: valid.package.clone(),
        db: args.db,
        bytecode: !args.no_bytecode,
        secret_key: scaffold::random_secret()?,
    };
    let files = scaffold::render_project(&options)?;

    if args.dry_run {
        let mut out = format!(
            "Would create {} ({} files, db: {}):\n",
            target.display(),
            files.len(),
            args.db.as_str()
        );
        for file in &files {
            out.push_str(&format!(
                "create {}/{} ({} lines)\n",
                valid.name,
                file.path.display(),
                file.contents.lines().count()
            ));
        }
        out.push_str("Dry run: nothing was written.\n");
        printer.stdout(&out)?;
        return Ok(());
    }

    write_project(cwd, &target, &files)?;
    printer.success(&format!(
        "Created project {} at {}",
        valid.name,
        target.display()
    ));

    let mut installed = false;
    if args.install {
        install(printer, &target)?;
        installed = true;
    }
    printer.stdout(&next_steps(&options, &target, installed))?;
    Ok(())
}

/// Writes every file into a temporary sibling directory and renames it to `target`.
fn write_project(parent: &Path, target: &Path, files: &[Rendered]) -> anyhow::Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.polepos-{}", std::process::id()));
    let _section = CriticalSection::enter();
    let result = (|| -> anyhow::Result<()> {
        fs::create_dir(&staging)
            .with_context(|| format!("cannot create a directory in {}", parent.display()))?;
        for file in files {
            if interrupt::interrupted() {
                return Err(Interrupted.into());
            }
            let path = staging.join(&file.path);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            fs::write(&path, &file.contents)
                .with_context(|| format!("cannot write {}", file.path.display()))?;
            if file.path.as_os_str() == ".env" {
                // `.env` holds the signing key: readable by its owner only.
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("cannot restrict {}", file.path.display()))?;
            }
        }
        if interrupt::interrupted() {
            return Err(Interrupted.into());
        }
        if target.symlink_metadata().is_ok() {
            return Err(Refusal::new(format!(
                "{} appeared while polepos was writing the project",
                target.display()
            ))
            .into());
        }
        fs::rename(&staging, target)
            .with_context(|| format!("cannot move the new project to {}", target.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// The "what now" block printed after creation.
fn next_steps(options: &ProjectOptions, target: &Path, installed: bool) -> String {
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
    if !installed {
        out.push_str("  uv sync --extra dev\n");
    }
    if options.db != DbMode::None {
        out.push_str("  polepos db upgrade\n");
    }
    out.push_str(&format!(
        "  {prefix}uv run python -m {}.run\n",
        options.package
    ));
    out.push_str(&format!("  {prefix}uv run pytest\n"));
    out
}

/// `--install`: `uv sync --extra dev`, or a `.venv` with pip when uv is not on PATH.
fn install(printer: &Printer, project: &Path) -> anyhow::Result<()> {
    if let Some(uv) = find_on_path("uv") {
        let retry = format!("cd {} && uv sync --extra dev", shell_quote(project));
        let mut command = Command::new(uv);
        command
            .args(["sync", "--extra", "dev"])
            .current_dir(project);
        return run_step(printer, command, "Installing dependencies with uv", &retry);
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
    )
}
