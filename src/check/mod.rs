//! `polepos check`: read-only validation of the project contract, and `--fix`.
//!
//! The pipeline is: find the project and settle its identity (root, package, db mode,
//! manifest) in [`identity`]; gather every fact the rules need from disk in [`facts`]
//! (the managed Python files parsed once, module directories scanned on two threads);
//! then run the rule families — [`structure`], [`modules`], [`cross`], [`integrations`],
//! [`settings`], [`auth`], [`foundation`] — each a pure function from facts to issues. Issues carry a [`Code`] from the one table
//! in [`codes`]; [`render`] turns a [`Report`] into text, JSON or GitHub annotations.
//! [`fix`] plans provably safe edits from the same facts and applies them through a
//! [`crate::changeset::ChangeSet`] before checking again.
//!
//! Every problem is reported once, with `path:line` where it has one, in a deterministic
//! order. No input makes `check` panic: unreadable files become issues.

mod auth;
pub mod codes;
mod cross;
mod facts;
mod fields;
mod fix;
mod foundation;
mod identity;
mod imports;
mod integrations;
mod modules;
pub mod render;
mod scan;
mod settings;
mod source;
mod structure;
mod syntax;
mod wiring;

use std::path::{Path, PathBuf};

use crate::changeset;

pub(crate) use codes::{Code, Severity};

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub code: Code,
    pub message: String,
    /// What to do about this issue (falls back to the code's general fix).
    pub remediation: String,
    /// Path relative to the project root, with `/` separators.
    pub path: Option<String>,
    /// 1-based line in `path`.
    pub line: Option<usize>,
    /// The edit `--fix` makes for this issue, when one is provably safe.
    pub(crate) autofix: Option<Fix>,
}

/// An edit that resolves one issue, carried by the issue itself (so `--fix` applies the
/// fixes of the issues found instead of re-deriving them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fix {
    /// The file edited, relative to the project root.
    pub path: String,
    pub edit: Edit,
    /// What `--fix` reports it did (`restored marker ...`, `included the auth router`).
    pub message: String,
}

/// The kinds of safe edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Edit {
    /// Put a missing marker back at its canonical place.
    RestoreMarker(crate::markers::Marker),
    /// Insert `line` above `marker` (at its sorted place when it is an import).
    InsertAbove {
        marker: crate::markers::Marker,
        line: String,
        sorted_import: bool,
    },
}

impl Issue {
    /// An issue with the code's general fix as remediation.
    fn new(code: Code, message: impl Into<String>) -> Issue {
        Issue {
            code,
            message: message.into(),
            remediation: code.info().fix.to_string(),
            path: None,
            line: None,
            autofix: None,
        }
    }

    /// Attaches the edit `--fix` makes for this issue.
    fn autofix(mut self, fix: Fix) -> Issue {
        self.autofix = Some(fix);
        self
    }

    fn at(mut self, path: impl Into<String>, line: Option<usize>) -> Issue {
        self.path = Some(path.into());
        self.line = line;
        self
    }

    /// Sets a specific remediation, written as a sentence like the table's fixes.
    fn fix(mut self, remediation: impl Into<String>) -> Issue {
        let text: String = remediation.into();
        let mut chars = text.chars();
        let mut sentence: String = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        if !sentence.ends_with(['.', '!', '?']) {
            sentence.push('.');
        }
        self.remediation = sentence;
        self
    }

    pub(crate) fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// One change `--fix` made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    /// The code of the issue this change resolves.
    pub code: Code,
    pub message: String,
    pub path: String,
    /// Line of the inserted text in the edited file.
    pub line: usize,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `None` when no project was found (PPCHK000).
    pub project_root: Option<PathBuf>,
    pub package: Option<String>,
    /// Sorted: path-less issues first, then by path, line, code and message.
    pub issues: Vec<Issue>,
    pub fixed: Vec<Fixed>,
}

impl Report {
    /// True when no issue has error severity.
    pub fn passed(&self) -> bool {
        self.issues.iter().all(|i| i.severity() != Severity::Error)
    }
}

/// Checks the project around `cwd` (walking up to its root), reading every file. Never
/// fails: every problem, including "not a project", is an issue in the report.
pub fn check(cwd: &Path) -> Report {
    match identity::settle(cwd) {
        identity::Settled::NotAProject(report) => report,
        identity::Settled::Stopped {
            root,
            package,
            issues,
        } => finish(Some(root), package, issues, Vec::new()),
        identity::Settled::Project(identity) => {
            let facts = facts::gather(&identity);
            let issues = run_rules(&facts);
            finish(
                Some(facts.root.clone()),
                Some(facts.pkg.clone()),
                issues,
                Vec::new(),
            )
        }
    }
}

/// `check --fix`: applies every provably safe fix, then checks again. Fails only when
/// the edits cannot be written (or the user interrupts).
pub fn check_and_fix(cwd: &Path) -> anyhow::Result<Report> {
    let identity::Settled::Project(identity) = identity::settle(cwd) else {
        return Ok(check(cwd));
    };
    let facts = facts::gather(&identity);
    let issues = run_rules(&facts);
    // A plain change set, not a `ProjectEdit`: a fix restores wiring that the project's
    // own code needs (a hand-made module's export, say), which is not what polepos
    // renders, so the ledger must not adopt the fixed bytes as generated — `upgrade
    // --apply` would then "restore" the file without them.
    let (set, mut fixed) = fix::plan(&facts, &issues);
    if set.is_empty() {
        return Ok(check(cwd));
    }
    set.apply()?;
    let mut report = check(cwd);
    // A fix whose file still fails for the same reason made nothing better: put that
    // file back as it was and do not claim the fix.
    let edited: Vec<&changeset::Change> = set.changes().iter().collect();
    let persisting: Vec<String> = issues
        .iter()
        .filter_map(|issue| issue.autofix.as_ref().map(|fix| (issue, fix)))
        .filter(|(issue, _)| {
            report
                .issues
                .iter()
                .any(|after| after.code == issue.code && after.message == issue.message)
        })
        .map(|(_, fix)| fix.path.clone())
        .collect();
    if !persisting.is_empty() {
        let mut undo = changeset::ChangeSet::new(facts.root.clone());
        for change in edited {
            if let changeset::Change::Modify { path, old, new } = change
                && persisting.iter().any(|p| Path::new(p) == path)
            {
                undo.modify(path.clone(), new.clone(), old.clone());
            }
        }
        undo.apply()?;
        fixed.retain(|f| !persisting.contains(&f.path));
        report = check(cwd);
    }
    report.fixed = fixed;
    Ok(report)
}

/// Runs every rule family over gathered facts.
fn run_rules(facts: &facts::Facts) -> Vec<Issue> {
    let mut issues = facts.issues.clone();
    structure::check(facts, &mut issues);
    modules::check(facts, &mut issues);
    fields::check(facts, &mut issues);
    imports::check(facts, &mut issues);
    integrations::check(facts, &mut issues);
    settings::check(facts, &mut issues);
    auth::check(facts, &mut issues);
    foundation::check(facts, &mut issues);
    issues
}

fn finish(
    root: Option<PathBuf>,
    package: Option<String>,
    mut issues: Vec<Issue>,
    fixed: Vec<Fixed>,
) -> Report {
    issues.sort_by(|a, b| {
        (a.path.is_some(), &a.path, a.line, a.code, &a.message).cmp(&(
            b.path.is_some(),
            &b.path,
            b.line,
            b.code,
            &b.message,
        ))
    });
    issues.dedup_by(|a, b| {
        a.code == b.code && a.path == b.path && a.line == b.line && a.message == b.message
    });
    Report {
        project_root: root,
        package,
        issues,
        fixed,
    }
}
