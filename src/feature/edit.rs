//! One edit of a project: the change set a mutating command builds, kept together with
//! the file ledger it updates, so every created, edited and deleted file is recorded the
//! same way whichever command makes the change.
//!
//! `add` and `remove` build a [`ProjectEdit`] once their preconditions pass, and
//! [`ProjectEdit::finish`] turns it into the [`ChangeSet`] whose preview is `--dry-run`
//! and whose apply is atomic (boundary checks, staging and rollback live there). The
//! ledger follows the files: a created file is recorded with its owner, an edited
//! wiring file's entry follows its new bytes when it was pristine, a deleted file is
//! forgotten, and the ledger file itself is written last — or deleted when nothing is
//! left in it.

use std::path::{Path, PathBuf};

use crate::changeset::ChangeSet;
use crate::ledger::{self, Ledger};

/// A change set under construction, with the ledger it keeps current.
pub(crate) struct ProjectEdit {
    set: ChangeSet,
    ledger: Ledger,
    /// The ledger as loaded, to count what changed.
    before: Ledger,
    /// The ledger file's text, when the project has one.
    ledger_text: Option<String>,
}

impl ProjectEdit {
    /// Starts an edit of the project at `root`, given its loaded ledger
    /// ([`Ledger::load`]).
    pub(crate) fn new(root: &Path, loaded: Option<(Ledger, String)>) -> ProjectEdit {
        let (ledger, ledger_text) = match loaded {
            Some((ledger, text)) => (ledger, Some(text)),
            None => (Ledger::default(), None),
        };
        ProjectEdit {
            set: ChangeSet::new(root.to_path_buf()),
            before: ledger.clone(),
            ledger,
            ledger_text,
        }
    }

    /// The ledger as edited so far.
    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Creates a file, recorded in the ledger as `owner`'s when `owner` is given.
    pub(crate) fn create(&mut self, path: &str, contents: &str, owner: Option<&str>) {
        if let Some(owner) = owner {
            self.ledger.record(path, owner, contents.as_bytes());
        }
        self.set.create(PathBuf::from(path), contents.to_string());
    }

    /// Replaces `old` with `new` at `path`; a pristine ledger entry follows the new bytes.
    pub(crate) fn edit(&mut self, path: &str, old: String, new: String) {
        self.ledger
            .record_edit(path, old.as_bytes(), new.as_bytes());
        self.set.modify(path, old, new);
    }

    /// Replaces `old` with `new` at `path`, a file polepos generates for `owner`: the
    /// ledger records the new bytes as polepos's (`upgrade --apply`).
    pub(crate) fn regenerate(&mut self, path: &str, old: String, new: String, owner: &str) {
        self.ledger.record(path, owner, new.as_bytes());
        self.set.modify(path, old, new);
    }

    /// Records `bytes` as what polepos generated at `path` for `owner`, without
    /// changing the file (it holds them already).
    pub(crate) fn record(&mut self, path: &str, owner: &str, bytes: &[u8]) {
        self.ledger.record(path, owner, bytes);
    }

    /// Records the file at `path` as found (`bytes`), as the baseline later runs compare
    /// to, marked as not written by polepos so it is never overwritten.
    pub(crate) fn adopt(&mut self, path: &str, owner: &str, bytes: &[u8]) {
        self.ledger.adopt(path, owner, bytes);
    }

    /// Deletes the file at `path` (whose bytes are `old`) and forgets it.
    pub(crate) fn delete(&mut self, path: &str, old: Vec<u8>) {
        self.ledger.forget(path);
        self.set.delete(path, old);
    }

    /// Records that `owner`'s settings or env block in `path` left out `names`, which
    /// the file already defined (so `remove` leaves them), and says so in the preview;
    /// no names forgets the record.
    pub(crate) fn keep(&mut self, path: &str, owner: &str, names: &[String]) {
        self.ledger.keep(path, owner, names);
        if !names.is_empty() {
            self.set
                .keep(format!("{path}: {} (already there)", names.join(", ")));
        }
    }

    /// Forgets a ledger entry whose file is already gone.
    pub(crate) fn forget(&mut self, path: &str) {
        self.ledger.forget(path);
    }

    /// Removes the directory at `path` if the change leaves it empty.
    pub(crate) fn prune_dir(&mut self, path: impl Into<PathBuf>) {
        self.set.prune_dir(path);
    }

    /// The change set, with the ledger written (or deleted when it is left empty) and
    /// one line saying what changed in it.
    pub(crate) fn finish(mut self) -> ChangeSet {
        let recorded = self
            .ledger
            .entries()
            .filter(|(path, _)| self.before.get(path).is_none())
            .count();
        let updated = self
            .ledger
            .entries()
            .filter(|(path, entry)| self.before.get(path).is_some_and(|old| old != *entry))
            .count();
        let forgotten = self
            .before
            .entries()
            .filter(|(path, _)| self.ledger.get(path).is_none())
            .count();
        if self.ledger == self.before {
            return self.set;
        }
        match self.ledger_text {
            Some(old) if self.ledger.is_empty() => {
                self.set.delete(ledger::FILE_NAME, old.into_bytes());
            }
            Some(old) => self
                .set
                .modify(ledger::FILE_NAME, old, self.ledger.render()),
            None => self.set.create(ledger::FILE_NAME, self.ledger.render()),
        }
        self.set
            .brief(ledger::FILE_NAME, summary(recorded, updated, forgotten));
        self.set
    }
}

/// `ledger: 8 files recorded, 3 updated` / `ledger: 9 files forgotten, 3 updated`.
pub(crate) fn summary(recorded: usize, updated: usize, forgotten: usize) -> String {
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_string()
        } else {
            format!("{n} files")
        }
    };
    let mut parts = Vec::new();
    if recorded > 0 {
        parts.push(format!("{} recorded", files(recorded)));
    }
    if forgotten > 0 {
        parts.push(format!("{} forgotten", files(forgotten)));
    }
    if updated > 0 {
        parts.push(if parts.is_empty() {
            format!("{} updated", files(updated))
        } else {
            format!("{updated} updated")
        });
    }
    format!("ledger: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn the_summary_says_what_changed() {
        assert_eq!(summary(8, 3, 0), "ledger: 8 files recorded, 3 updated");
        assert_eq!(summary(1, 0, 0), "ledger: 1 file recorded");
        assert_eq!(summary(0, 3, 9), "ledger: 9 files forgotten, 3 updated");
        assert_eq!(summary(0, 1, 0), "ledger: 1 file updated");
    }
}
