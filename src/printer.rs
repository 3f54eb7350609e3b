//! One printer for every byte polepos writes.
//!
//! Results go to stdout; errors, warnings, hints and progress go to stderr. Colour is
//! decided once (from `--color`, `NO_COLOR` and `CLICOLOR_FORCE`) and applied through
//! anstream, so pipes and `NO_COLOR` just work. A closed stdout (`polepos ... | head`)
//! is reported as [`StdoutError::Closed`] so `main` can exit quietly; any other stdout
//! failure is [`StdoutError::Failed`], which `main` reports once and exits 2.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

/// Colour choice for `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Why writing to stdout failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StdoutError {
    /// The reader went away (`polepos ... | head`): exit quietly with 0.
    #[error("stdout was closed")]
    Closed,
    /// Any other failure (a full disk, a bad descriptor): reported once, exit 2.
    #[error("cannot write to stdout: {0}")]
    Failed(io::Error),
}

/// How much the user asked to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Routes output to the right stream with the right styling.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    verbosity: Verbosity,
    color: bool,
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default().bold();
const OK: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();

impl Printer {
    /// Builds a printer from the global options and the environment.
    pub fn new(choice: ColorChoice, verbosity: Verbosity) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                let force =
                    std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
                !no_color
                    && (force
                        || anstream::AutoStream::choice(&io::stderr())
                            != anstream::ColorChoice::Never)
            }
        };
        Printer { verbosity, color }
    }

    /// A printer with no colour and normal verbosity (tests, fallbacks).
    pub(crate) fn plain() -> Self {
        Printer {
            verbosity: Verbosity::Normal,
            color: false,
        }
    }

    pub(crate) fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Whether colour escapes are emitted.
    pub(crate) fn color(&self) -> bool {
        self.color
    }

    /// Writes data to stdout (never suppressed by `--quiet`).
    pub(crate) fn stdout(&self, text: &str) -> Result<(), StdoutError> {
        let mut out = io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(StdoutError::Closed),
            Err(e) => Err(StdoutError::Failed(e)),
            Ok(()) => Ok(()),
        }
    }

    /// What a mutating command says after it succeeded (what changed, next steps) on
    /// stdout; `--quiet` hides it, since `-q` prints only errors. Results a user asked
    /// for (a dry-run preview, a report) go through [`Printer::stdout`] instead.
    pub(crate) fn guidance(&self, text: &str) -> Result<(), StdoutError> {
        if self.verbosity == Verbosity::Quiet {
            return Ok(());
        }
        self.stdout(text)
    }

    /// Progress and informational messages on stderr (hidden by `--quiet`).
    pub(crate) fn info(&self, text: &str) {
        if self.verbosity != Verbosity::Quiet {
            self.raw_stderr(&format!("{text}\n"));
        }
    }

    /// Detail shown only with `--verbose`.
    pub(crate) fn detail(&self, text: &str) {
        if self.verbosity == Verbosity::Verbose {
            self.raw_stderr(&format!("{}\n", self.paint(DIM, text)));
        }
    }

    /// A success line, e.g. "Created project ...".
    pub(crate) fn success(&self, text: &str) {
        if self.verbosity != Verbosity::Quiet {
            self.raw_stderr(&format!("{} {text}\n", self.paint(OK, "✓")));
        }
    }

    /// The error block: `error: <what>`, `Caused by:` lines and a hint. Never suppressed.
    pub(crate) fn error(&self, message: &str, causes: &[String], hint: Option<&str>) {
        let mut text = format!("{} {message}\n", self.paint(ERROR, "error:"));
        if !causes.is_empty() {
            text.push_str("\nCaused by:\n");
            for cause in causes {
                text.push_str(&format!("  - {cause}\n"));
            }
        }
        if let Some(hint) = hint {
            text.push_str(&format!("\n{} {hint}\n", self.paint(HINT, "hint:")));
        }
        self.raw_stderr(&text);
    }

    /// Applies a style when colour is on.
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn raw_stderr(&self, text: &str) {
        // A failing stderr has nowhere left to report to; ignore it rather than panic.
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}
