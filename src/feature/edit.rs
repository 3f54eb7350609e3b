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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::changeset::ChangeSet;
use crate::ledger::{self, Entry, Ledger};

/// A change set under construction, with the ledger it keeps current.
pub(crate) struct ProjectEdit {
    set: ChangeSet,
    ledger: Ledger,
    /// The entries this edit touched, as they were before it (`None`: no entry), to
    /// say what changed in the ledger.
    before: BTreeMap<String, Option<Entry>>,
    /// Whether a record of kept settings or env entries, or of a module's fields,
    /// changed.
    kept_changed: bool,
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
            before: BTreeMap::new(),
            kept_changed: false,
            ledger,
            ledger_text,
        }
    }

    /// Notes the entry of `path` as it was before this edit first touched it.
    fn touch(&mut self, path: &str) {
        if !self.before.contains_key(path) {
            let entry = self.ledger.get(path).cloned();
            self.before.insert(path.to_string(), entry);
        }
    }

    /// The ledger as edited so far.
    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Creates a file, recorded in the ledger as `owner`'s when `owner` is given.
    pub(crate) fn create(&mut self, path: &str, contents: &str, owner: Option<&str>) {
        self.touch(path);
        if let Some(owner) = owner {
            self.ledger.record(path, owner, contents.as_bytes());
        }
        self.set.create(PathBuf::from(path), contents.to_string());
    }

    /// Replaces `old` with `new` at `path`; a pristine ledger entry follows the new bytes.
    pub(crate) fn edit(&mut self, path: &str, old: String, new: String) {
        self.touch(path);
        self.ledger
            .record_edit(path, old.as_bytes(), new.as_bytes());
        self.set.modify(path, old, new);
    }

    /// Replaces `old` with `new` at `path`, a file polepos generates for `owner`: the
    /// ledger records the new bytes as polepos's (`upgrade --apply`).
    pub(crate) fn regenerate(&mut self, path: &str, old: String, new: String, owner: &str) {
        self.touch(path);
        self.ledger.record(path, owner, new.as_bytes());
        self.set.modify(path, old, new);
    }

    /// Records `bytes` as what polepos generated at `path` for `owner`, without
    /// changing the file (it holds them already).
    pub(crate) fn record(&mut self, path: &str, owner: &str, bytes: &[u8]) {
        self.touch(path);
        self.ledger.record(path, owner, bytes);
    }

    /// Records the file at `path` as found (`bytes`), as the baseline later runs compare
    /// to, marked as not written by polepos so it is never overwritten.
    pub(crate) fn adopt(&mut self, path: &str, owner: &str, bytes: &[u8]) {
        self.touch(path);
        self.ledger.adopt(path, owner, bytes);
    }

    /// Deletes the file at `path` (whose bytes are `old`) and forgets it.
    pub(crate) fn delete(&mut self, path: &str, old: Vec<u8>) {
        self.touch(path);
        self.ledger.forget(path);
        self.set.delete(path, old);
    }

    /// Records that `owner`'s settings or env block in `path` left out `names`, which
    /// the file already defined (so `remove` leaves them), and says so in the preview;
    /// no names forgets the record.
    pub(crate) fn keep(&mut self, path: &str, owner: &str, names: &[String]) {
        self.kept_changed |= self.ledger.kept(path, owner) != names;
        self.ledger.keep(path, owner, names);
        if !names.is_empty() {
            self.set
                .keep(format!("{path}: {} (already there)", names.join(", ")));
        }
    }

    /// Says in the preview and the summary that `what` is left as it is on purpose.
    pub(crate) fn note(&mut self, what: String) {
        self.set.keep(what);
    }

    /// Records module `module`'s typed field specs (none: forgets them).
    pub(crate) fn set_fields(&mut self, module: &str, specs: &[String]) {
        self.kept_changed |= self.ledger.fields(module) != specs;
        self.ledger.set_fields(module, specs);
    }

    /// Forgets a ledger entry whose file is already gone.
    pub(crate) fn forget(&mut self, path: &str) {
        self.touch(path);
        self.ledger.forget(path);
    }

    /// Removes the directory at `path` if the change leaves it empty.
    pub(crate) fn prune_dir(&mut self, path: impl Into<PathBuf>) {
        self.set.prune_dir(path);
    }

    /// The change set, with the ledger written (or deleted when it is left empty) and
    /// one line saying what changed in it.
    pub(crate) fn finish(mut self) -> ChangeSet {
        let (mut recorded, mut updated, mut forgotten) = (0, 0, 0);
        for (path, before) in &self.before {
            match (before, self.ledger.get(path)) {
                (None, Some(_)) => recorded += 1,
                (Some(_), None) => forgotten += 1,
                (Some(old), Some(new)) if old != new => updated += 1,
                _ => {}
            }
        }
        if recorded + updated + forgotten == 0 && !self.kept_changed {
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
    if parts.is_empty() {
        return "ledger: updated".to_string();
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
