//! One file per command; each turns parsed arguments into work done by the library.

pub mod add_auth;
pub(crate) mod add_integration;
pub mod add_module;
pub(crate) mod check;
pub(crate) mod completion;
pub(crate) mod db;
mod db_hint;
pub(crate) mod delete;
pub(crate) mod explain;
pub(crate) mod fields;
#[cfg(test)]
mod named;
pub(crate) mod remove;
pub mod start;
pub(crate) mod upgrade;
pub(crate) mod version;

use std::path::{Path, PathBuf};

use crate::changeset::{Change, ChangeSet};
use crate::ledger;

/// How many project files a change set creates, updates and deletes, for the one-line
/// summaries; the ledger is bookkeeping, not one of the project's files.
struct FileCounts {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
}

impl FileCounts {
    fn of(set: &ChangeSet) -> FileCounts {
        let mut counts = FileCounts {
            created: 0,
            updated: 0,
            deleted: 0,
        };
        for change in set.changes() {
            if change.path() == Path::new(ledger::FILE_NAME) {
                continue;
            }
            match change {
                Change::Create { .. } => counts.created += 1,
                Change::Modify { .. } => counts.updated += 1,
                Change::Delete { .. } => counts.deleted += 1,
            }
        }
        counts
    }
}

/// The last step of every mutating command: with `--dry-run`, prints the change set
/// as diffs (and the files it keeps, with why) and says nothing was `done`, returning
/// `false`; otherwise applies it atomically and returns `true`.
pub(crate) fn preview_or_apply(
    printer: &crate::printer::Printer,
    set: &ChangeSet,
    dry_run: bool,
    kept: &[(String, String)],
    done: &str,
) -> anyhow::Result<bool> {
    if !dry_run {
        set.apply()?;
        return Ok(true);
    }
    let mut out = set.preview()?;
    push_kept(&mut out, kept);
    out.push_str(&format!("Dry run: nothing was {done}.\n"));
    printer.stdout(&out)?;
    Ok(false)
}

/// `Kept:` and one line per file a removal left in place, with why.
pub(crate) fn push_kept(out: &mut String, kept: &[(String, String)]) {
    if kept.is_empty() {
        return;
    }
    out.push_str("Kept:\n");
    for (path, why) in kept {
        out.push_str(&format!("  {path} ({why})\n"));
    }
}

/// `  created <path>` / `  updated <path>`, one line per file the change set wrote
/// (the ledger aside).
pub(crate) fn written_files(set: &ChangeSet) -> String {
    let mut out = String::new();
    for change in set.changes() {
        let path = change.path();
        if path == Path::new(ledger::FILE_NAME) {
            continue;
        }
        let verb = match change {
            Change::Create { .. } => "created",
            Change::Modify { .. } => "updated",
            Change::Delete { .. } => "deleted",
        };
        out.push_str(&format!("  {verb} {}\n", path.display()));
    }
    for what in set.kept() {
        out.push_str(&format!("  kept {what}\n"));
    }
    out
}

/// The directory the command runs in.
pub(crate) fn current_dir() -> anyhow::Result<PathBuf> {
    std::env::current_dir().map_err(|e| anyhow::anyhow!("cannot read the current directory: {e}"))
}
