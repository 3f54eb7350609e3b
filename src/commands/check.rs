//! `polepos check [--json | --format text|json|github] [--fix]`.
//!
//! The work is in [`crate::check`]; this file picks the renderer, maps the outcome to an
//! exit code (0 passed, 1 issues) and turns a failed `--fix` write into a clear refusal.

use std::path::Path;
use std::sync::Once;

use crate::changeset::ApplyError;
use crate::check::{self, render};
use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{Outcome, Refusal};
use crate::printer::Printer;

/// Runs `polepos check`.
pub(crate) fn run(printer: &Printer, args: &CheckArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    silence_parser_panics();
    let report = if args.fix {
        check::check_and_fix(cwd).map_err(|error| match error.downcast::<ApplyError>() {
            Ok(apply) => {
                let causes = std::error::Error::source(&apply)
                    .map(|source| vec![source.to_string()])
                    .unwrap_or_default();
                Refusal::new(format!("cannot apply the fixes: {apply}"))
                    .with_causes(causes)
                    .with_hint("nothing was changed; run `polepos check --fix` again")
                    .into()
            }
            Err(other) => other,
        })?
    } else {
        check::check(cwd)
    };
    let format = match (args.json, args.format) {
        (true, _) => CheckFormat::Json,
        (false, Some(format)) => format,
        (false, None) => CheckFormat::Text,
    };
    let out = match format {
        CheckFormat::Text => render::text(&report),
        CheckFormat::Json => render::json(&report),
        CheckFormat::Github => {
            let workspace = std::env::var_os("GITHUB_WORKSPACE").map(std::path::PathBuf::from);
            render::github(&report, workspace.as_deref())
        }
    };
    printer.stdout(&out)?;
    Ok(if report.passed() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}

/// The Python parser is guarded with `catch_unwind`; a panic inside it becomes a
/// PPCHK038 issue, so its panic message must not reach the user's terminal.
fn silence_parser_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parser = info
                .location()
                .is_some_and(|l| l.file().contains("ruff_python"));
            if !in_parser {
                previous(info);
            }
        }));
    });
}
