//! One file per command; each turns parsed arguments into work done by the library.

pub mod add_auth;
pub mod add_integration;
pub mod add_module;
pub mod check;
pub mod completion;
pub mod db;
mod db_hint;
pub mod delete;
pub mod explain;
#[cfg(test)]
mod named;
pub mod remove;
pub mod start;
pub mod upgrade;
pub mod version;

use std::path::{Path, PathBuf};

use crate::changeset::{Change, ChangeSet};
use crate::ledger;

/// How many project files a change set creates, updates and deletes, for the one-line
/// summaries; the ledger is bookkeeping, not one of the project's files.
pub struct FileCounts {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
}

impl FileCounts {
    pub fn of(set: &ChangeSet) -> FileCounts {
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

/// The directory the command runs in.
pub fn current_dir() -> anyhow::Result<PathBuf> {
    std::env::current_dir().map_err(|e| anyhow::anyhow!("cannot read the current directory: {e}"))
}
