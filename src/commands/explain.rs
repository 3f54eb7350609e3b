//! `polepos explain [CODE]`: the documentation of a `polepos check` code, read from the
//! one codes table; without a code, the list of every code.
//!
//! A malformed code (not `PPCHKnnn`, `ppchknn` or `nnn`) is a usage error that clap
//! reports (exit 2, see [`codes::parse_code_arg`]); a well-formed code that does not
//! exist is a refusal (exit 1), like any lookup that finds nothing.

use crate::check::codes::{self, LookupError, TABLE};
use crate::error::{Refusal, UsageError};
use crate::printer::Printer;

/// Runs `polepos explain`.
pub(crate) fn run(printer: &Printer, code: Option<&str>) -> anyhow::Result<()> {
    let Some(code) = code else {
        printer.stdout(&list())?;
        return Ok(());
    };
    let info = codes::lookup(code).map_err(|error| -> anyhow::Error {
        match error {
            LookupError::Malformed => UsageError(format!(
                "`{code}` is not a check code; write it as PPCHK038, ppchk38 or 38"
            ))
            .into(),
            LookupError::Unknown(number) => {
                Refusal::new(format!("there is no check code PPCHK{number:03}"))
                    .with_hint("run `polepos explain` to list every code")
                    .into()
            }
        }
    })?;
    printer.stdout(&describe(info))?;
    Ok(())
}

/// The full entry for one code.
fn describe(info: &codes::CodeInfo) -> String {
    format!(
        "{}: {} ({})\n\n{}\n\nFix: {}\n",
        info.code,
        info.title,
        info.severity.as_str(),
        wrap(&info.full_explanation(), 88),
        wrap(info.fix, 83).replace('\n', "\n     ")
    )
}

/// Every code, one per line.
fn list() -> String {
    let mut out = String::new();
    for info in TABLE {
        out.push_str(&format!(
            "{}  {:<7}  {}\n",
            info.code,
            info.severity.as_str(),
            info.title
        ));
    }
    out.push_str("\nRun `polepos explain <code>` for what a code means and how to fix it.\n");
    out
}

/// Wraps text at word boundaries to at most `width` columns.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.len() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}
