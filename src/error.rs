//! Errors that decide the exit code.
//!
//! Commands return `anyhow::Result<Outcome>`. A [`Refusal`] (bad input, failed
//! precondition) exits 1; [`Interrupted`] exits 130; [`PassThrough`] carries a
//! child's exit code (Alembic); anything else is an internal failure and exits 2.
//! `main` renders every error the same way: `error: <what>`, `Caused by:`, `hint:`.

use std::fmt;

/// How a command that ran to its end finished; errors are the other way to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Done: exit code 0.
    Success,
    /// The command reported problems on stdout (e.g. `check` found issues) and has
    /// nothing to add on stderr: exit code 1.
    ProblemsFound,
}

/// The command ran and refused, or found problems. Exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// One line saying what is wrong.
    pub message: String,
    /// Every individual problem, listed under `Caused by:`.
    pub causes: Vec<String>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Refusal {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            causes: Vec::new(),
            hint: None,
        }
    }

    pub(crate) fn with_causes(mut self, causes: Vec<String>) -> Self {
        self.causes = causes;
        self
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

/// The user pressed Ctrl-C; every change was rolled back. Exit code 130.
#[derive(Debug, thiserror::Error)]
#[error("interrupted; every change was rolled back")]
pub(crate) struct Interrupted;

/// The user pressed Ctrl-C while a child process (Alembic, uv) ran. Exit code 130.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: {0}")]
pub(crate) struct InterruptedChild(pub String);

/// A child process (Alembic, uv) decided the exit code; its output already streamed.
///
/// `hint` is what polepos can add in the same line, e.g. which database could not be
/// reached and how to start or create it.
#[derive(Debug, thiserror::Error)]
pub(crate) struct PassThrough {
    pub command: String,
    pub code: i32,
    pub hint: Option<String>,
}

impl fmt::Display for PassThrough {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} exited with status {}", self.command, self.code)?;
        match &self.hint {
            Some(hint) => write!(f, ": {hint}"),
            None => Ok(()),
        }
    }
}

/// A usage error found after parsing (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);
