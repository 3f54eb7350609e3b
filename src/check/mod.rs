//! `polepos check`: read-only validation of the project contract, and `--fix`.
//!
//! The pipeline is: find the project and settle its identity (root, package, db mode,
//! manifest) in [`identity`]; gather every fact the rules need from disk in [`facts`]
//! (the managed Python files parsed once, module directories scanned on two threads);
//! then run the rule families — [`structure`], [`modules`], [`cross`], [`integrations`],
//! [`auth`], [`foundation`] — each a pure function from facts to issues. Issues carry a [`Code`] from the one table
//! in [`codes`]; [`render`] turns a [`Report`] into text, JSON or GitHub annotations.
//! [`fix`] plans provably safe edits from the same facts and applies them through a
//! [`crate::changeset::ChangeSet`] before checking again.
//!
//! Every problem is reported once, with `path:line` where it has one, in a deterministic
//! order. No input makes `check` panic: unreadable files become issues.

pub mod auth;
pub mod bench;
pub mod codes;
pub mod cross;
pub mod facts;
pub mod fix;
pub mod foundation;
pub mod identity;
pub mod integrations;
pub mod modules;
pub mod python;
pub mod render;
pub mod scan;
pub mod source;
pub mod structure;
pub mod templates;

use std::path::{Path, PathBuf};

pub use bench::{add_modules, bench_project};
pub use codes::{Code, Severity};

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
}

impl Issue {
    /// An issue with the code's general fix as remediation.
    pub fn new(code: Code, message: impl Into<String>) -> Issue {
        Issue {
            code,
            message: message.into(),
            remediation: code.info().fix.to_string(),
            path: None,
            line: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>, line: Option<usize>) -> Issue {
        self.path = Some(path.into());
        self.line = line;
        self
    }

    /// Sets a specific remediation, written as a sentence like the table's fixes.
    pub fn fix(mut self, remediation: impl Into<String>) -> Issue {
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

    pub fn severity(&self) -> Severity {
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

/// Checks the project around `cwd` (walking up to its root). Never fails: every
/// problem, including "not a project", is an issue in the report.
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
    let (set, fixed) = fix::plan(&facts);
    if !set.is_empty() {
        set.apply()?;
    }
    let mut report = check(cwd);
    report.fixed = fixed;
    Ok(report)
}

/// Runs every rule family over gathered facts.
pub fn run_rules(facts: &facts::Facts) -> Vec<Issue> {
    let mut issues = facts.issues.clone();
    structure::check(facts, &mut issues);
    modules::check(facts, &mut issues);
    integrations::check(facts, &mut issues);
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
