//! `polepos start <name>`: render a new project into a temporary directory beside the
//! target, then rename it into place, so a failure or Ctrl-C never leaves half a project.

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::{DbMode, StartArgs};
use crate::error::{Interrupted, InterruptedChild, Refusal};
use crate::interrupt::{self, CriticalSection};
use crate::names::{self, NameKind};
use crate::printer::{Printer, Verbosity};
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

/// A path as a POSIX shell word: unchanged when it only holds characters no shell treats
/// specially, otherwise in single quotes (a `'` inside becomes `'\''`).
fn shell_quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Runs one install step: output shown with `-v`, otherwise captured behind a spinner and
/// shown only when the step fails.
fn run_step(
    printer: &Printer,
    mut command: Command,
    what: &str,
    retry: &str,
) -> anyhow::Result<()> {
    let verbose = printer.verbosity() == Verbosity::Verbose;
    command.stdin(Stdio::null());
    if !verbose {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let _section = CriticalSection::enter();
    let spinner = Spinner::start(printer, what);
    let output = command.output();
    spinner.stop();
    if interrupt::interrupted() {
        return Err(InterruptedChild(format!(
            "{what} was stopped; the project was created and is valid (retry with: {retry})"
        ))
        .into());
    }
    let failure = |detail: String| {
        Refusal::new(format!(
            "{what} failed; the project was created and is valid"
        ))
        .with_causes(vec![detail])
        .with_hint(format!("retry with: {retry}"))
    };
    let output =
        output.map_err(|e| failure(format!("cannot run {:?}: {e}", command.get_program())))?;
    if !output.status.success() {
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        let tail: Vec<&str> = text
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let detail = if tail.is_empty() {
            format!("exited with {}", output.status)
        } else {
            tail.join("\n    ")
        };
        return Err(failure(detail).into());
    }
    printer.success(what);
    Ok(())
}

/// A stderr spinner, drawn only on a terminal and never with `--quiet`.
struct Spinner {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    fn start(printer: &Printer, what: &str) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        let enabled = printer.verbosity() == Verbosity::Normal && std::io::stderr().is_terminal();
        let handle = enabled.then(|| {
            let stop = Arc::clone(&stop);
            let what = what.to_string();
            std::thread::spawn(move || spin(&mut std::io::stderr(), &stop, &what))
        });
        Spinner { stop, handle }
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Draws spinner frames until `stop` is set, then clears the line. Write errors are
/// ignored: a spinner is decoration, and a failing stderr must not panic the thread.
fn spin(out: &mut dyn Write, stop: &AtomicBool, what: &str) {
    const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let mut i = 0;
    while !stop.load(Ordering::SeqCst) {
        let _ = write!(out, "\r{} {what}…", FRAMES[i % FRAMES.len()]);
        let _ = out.flush();
        i += 1;
        std::thread::sleep(Duration::from_millis(80));
    }
    let _ = write!(out, "\r\x1b[2K");
    let _ = out.flush();
}

/// The first executable called `name` on PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The first Python 3.11+ on PATH.
fn find_python() -> Option<PathBuf> {
    [
        "python3.14",
        "python3.13",
        "python3.12",
        "python3.11",
        "python3",
        "python",
    ]
    .iter()
    .filter_map(|name| find_on_path(name))
    .find(|python| {
        Command::new(python)
            .args([
                "-c",
                "import sys; raise SystemExit(0 if sys.version_info >= (3, 11) else 1)",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that always fails and stops the spinner after its first frame.
    struct Broken<'a>(&'a AtomicBool, usize);

    impl Write for Broken<'_> {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            self.0.store(true, Ordering::SeqCst);
            self.1 += 1;
            Err(std::io::Error::other("stderr is gone"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::Error::other("stderr is gone"))
        }
    }

    #[test]
    fn a_failing_stderr_does_not_panic_the_spinner() {
        let stop = AtomicBool::new(false);
        let mut out = Broken(&stop, 0);
        spin(&mut out, &stop, "Installing");
        assert_eq!(out.1, 2, "one frame, then the clearing sequence");
    }

    #[test]
    fn shell_quote_leaves_plain_paths_and_quotes_the_rest() {
        assert_eq!(
            shell_quote(Path::new("/home/ann/shop-api")),
            "/home/ann/shop-api"
        );
        assert_eq!(
            shell_quote(Path::new("/home/ann/my dir/shop")),
            "'/home/ann/my dir/shop'"
        );
        assert_eq!(shell_quote(Path::new("/tmp/$HOME;x")), "'/tmp/$HOME;x'");
        assert_eq!(shell_quote(Path::new("/tmp/it's")), "'/tmp/it'\\''s'");
        assert_eq!(shell_quote(Path::new("")), "''");
    }
}
