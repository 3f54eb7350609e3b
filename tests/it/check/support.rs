//! A small fixture type for `check` tests: a project in a temporary directory (freshly
//! generated, with auth, or the older tool's layout) that a test breaks in one way.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use polepos::check::{self, Report};
use polepos::feature::{self, ProjectContext, plan};
use polepos::manifest::DbMode;
use polepos::project::Project as OpenProject;

pub struct Project {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub pkg: String,
    /// The older tool's layout, whose foundation carries the PPCHK070/071 warnings.
    legacy: bool,
}

/// Warnings every project made by the older tool carries (SPEC §4.7); `report()` leaves
/// them out for such projects so each test sees only what it broke.
pub const LEGACY_FOUNDATION_WARNINGS: &[&str] = &["PPCHK070", "PPCHK071"];

impl Project {
    /// A freshly generated project named `shop` (package `shop`).
    pub fn fresh(db: DbMode) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("shop");
        let ctx = ProjectContext {
            name: "shop".to_string(),
            package: "shop".to_string(),
            db,
            bytecode: true,
            auth: Default::default(),
        };
        let recipe = feature::project::recipe(&ctx, &"0".repeat(64)).expect("render");
        plan::plan_new_project(&root, &recipe)
            .apply()
            .expect("write the project");
        if db.has_db() {
            fs::create_dir_all(root.join("migrations/versions")).expect("versions");
        }
        Project {
            _dir: dir,
            root,
            pkg: "shop".to_string(),
            legacy: false,
        }
    }

    /// A fresh SQLite (or PostgreSQL) project after `polepos add auth`.
    pub fn fresh_with_auth(db: DbMode) -> Project {
        let project = Project::fresh(db);
        let opened = OpenProject::open(&project.root).expect("open");
        polepos::commands::add_auth::plan(&opened)
            .expect("plan add auth")
            .apply()
            .expect("apply add auth");
        project
    }

    /// The committed fixture in the older tool's layout (package `legacy_shop`).
    pub fn legacy() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("legacy");
        let source = crate::common::legacy_fixture();
        copy_fixture(&source, &root);
        Project {
            _dir: dir,
            root,
            pkg: "legacy_shop".to_string(),
            legacy: true,
        }
    }

    /// A project directory inside this fixture's temporary directory, for raw setups.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// `src/<pkg>/<rel>`.
    pub fn p(&self, rel: &str) -> String {
        format!("src/{}/{rel}", self.pkg)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, contents).expect("write");
    }

    /// Replaces the first occurrence of `from` (which must exist) with `to`.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(
            text.contains(from),
            "{rel} does not contain {from:?}:\n{text}"
        );
        self.write(rel, text.replacen(from, to, 1));
    }

    /// Deletes the line equal to `line` (trimmed), which must exist.
    pub fn delete_line(&self, rel: &str, line: &str) {
        let text = self.read(rel);
        let kept: Vec<&str> = text
            .split_inclusive('\n')
            .filter(|l| l.trim() != line)
            .collect();
        assert_ne!(kept.concat(), text, "{rel} has no line {line:?}");
        self.write(rel, kept.concat());
    }

    pub fn remove(&self, rel: &str) {
        let path = self.path(rel);
        if path.is_dir() {
            fs::remove_dir_all(path).expect("remove dir");
        } else {
            fs::remove_file(path).unwrap_or_else(|e| panic!("remove {rel}: {e}"));
        }
    }

    /// The check report; for the older tool's layout without its foundation warnings.
    pub fn report(&self) -> Report {
        let mut report = self.full_report();
        if self.legacy {
            report
                .issues
                .retain(|i| !LEGACY_FOUNDATION_WARNINGS.contains(&i.code.name().as_str()));
        }
        report
    }

    /// Fixes the older foundation's two weaknesses, so the layout checks without warnings.
    pub fn harden_legacy_foundation(&self) {
        self.edit(
            &self.p("auth/token.py"),
            "issuer=settings.auth_issuer)",
            "issuer=settings.auth_issuer, options={\"require\": [\"exp\", \"iat\", \"sub\"]})",
        );
        self.edit(
            &self.p("settings.py"),
            "app_debug: bool = True",
            "app_debug: bool = False",
        );
    }

    /// `check --fix`; for the older tool's layout without its foundation warnings.
    pub fn fix(&self) -> Report {
        let mut report = check::check_and_fix(&self.root).expect("check --fix");
        if self.legacy {
            report
                .issues
                .retain(|i| !LEGACY_FOUNDATION_WARNINGS.contains(&i.code.name().as_str()));
        }
        report
    }

    /// The check report with every issue.
    pub fn full_report(&self) -> Report {
        check::check(&self.root)
    }

    /// The codes of every issue, in report order.
    pub fn codes(&self) -> Vec<String> {
        self.report().issues.iter().map(|i| i.code.name()).collect()
    }

    /// Asserts the check finds issues and that every one has `code`; returns the report.
    pub fn assert_only(&self, code: &str) -> Report {
        let report = self.report();
        assert!(!report.issues.is_empty(), "expected {code}, found no issue");
        for issue in &report.issues {
            assert_eq!(
                issue.code.name(),
                code,
                "expected only {code}, got {:#?}",
                report.issues
            );
        }
        report
    }

    pub fn assert_clean(&self) {
        let report = self.report();
        assert!(
            report.issues.is_empty(),
            "expected a clean check: {:#?}",
            report.issues
        );
        assert!(report.passed());
    }

    /// Every file under the root with its bytes (without the check cache).
    pub fn tree(&self) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        crate::common::tree(&self.root)
    }
}

pub use crate::common::{Output as Run, copy_fixture};

/// Runs `polepos <args>` in `cwd` (the shared harness's strict defaults).
pub fn polepos(cwd: &Path, args: &[&str]) -> Run {
    crate::common::run(cwd, args, &[])
}

/// The older tool's layout with every template and integration.
pub fn legacy() -> Project {
    Project::legacy()
}

/// A fresh SQLite project.
pub fn sqlite() -> Project {
    Project::fresh(DbMode::Sqlite)
}

/// A fresh SQLite project after `add auth`.
pub fn with_auth() -> Project {
    Project::fresh_with_auth(DbMode::Sqlite)
}
