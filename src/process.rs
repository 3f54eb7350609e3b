//! Child processes: finding programs on PATH, running one install step behind a
//! spinner, and quoting paths for the retry commands printed to the user.

use std::io::{IsTerminal, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::error::{InterruptedChild, Refusal};
use crate::interrupt::{self, CriticalSection};
use crate::printer::{Printer, Verbosity};

/// A path as a POSIX shell word: unchanged when it only holds characters no shell treats
/// specially, otherwise in single quotes (a `'` inside becomes `'\''`).
pub(crate) fn shell_quote(path: &Path) -> String {
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
///
/// With `-v` the child writes straight to polepos's stderr (its stdout too: it is
/// progress, and polepos's stdout holds only results). `Command::output` would capture
/// both streams whatever was configured, so the verbose path waits with `status`.
pub(crate) fn run_step(
    printer: &Printer,
    mut command: Command,
    what: &str,
    retry: &str,
) -> anyhow::Result<()> {
    let verbose = printer.verbosity() == Verbosity::Verbose;
    command.stdin(Stdio::null());
    if verbose {
        printer.detail(&format!("{what}: running {:?}", command.get_program()));
        let stderr = std::io::stderr().as_fd().try_clone_to_owned();
        match stderr {
            Ok(fd) => command.stdout(Stdio::from(fd)).stderr(Stdio::inherit()),
            Err(_) => command.stdout(Stdio::inherit()).stderr(Stdio::inherit()),
        };
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let _section = CriticalSection::enter();
    let spinner = Spinner::start(printer, what);
    let output = if verbose {
        command.status().map(|status| std::process::Output {
            status,
            stdout: Vec::new(),
            stderr: Vec::new(),
        })
    } else {
        command.output()
    };
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
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
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
pub(crate) fn find_python() -> Option<PathBuf> {
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
