//! Gathering, once, everything the rules look at: the managed files (parsed), the
//! dependencies, `.env.example`, the module directories and the test files.
//!
//! Problems with the files themselves — not UTF-8 (PPCHK023), not Python (PPCHK038), not
//! TOML (PPCHK006) — are reported here, once per file. A rule that needs a file that
//! could not be read simply gets nothing and stays silent, so one broken file never
//! produces a cascade of follow-on issues.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::Issue;
use super::codes::Code;
use super::identity::{Identity, ManifestFacts};
use super::scan::{self, ModuleDir};
use super::source::{Source, toml_error};
use crate::feature::tables::Table;
use crate::manifest::DbMode;
use crate::pyproject::Pyproject;
use crate::python::{self, PyFile, SyntaxIssue};

/// A managed Python file as read and parsed.
#[derive(Debug, Clone)]
pub(crate) struct PyFacts {
    /// Path relative to the project root.
    pub path: String,
    pub source: Source,
    /// `None` when the file could not be read as text.
    pub parsed: Option<Result<PyFile, SyntaxIssue>>,
    /// The dotted package the file was parsed in (for relative imports).
    pub package: String,
}

impl PyFacts {
    fn load(root: &Path, path: String, package: &str) -> PyFacts {
        let source = Source::read(&root.join(&path));
        let parsed = match &source {
            Source::TooLarge => Some(Err(SyntaxIssue::too_large())),
            _ => source.text().map(|text| python::parse(text, package)),
        };
        PyFacts {
            path,
            source,
            parsed,
            package: package.to_string(),
        }
    }

    /// The summary, when the file was read and parsed.
    pub(crate) fn file(&self) -> Option<&PyFile> {
        self.parsed.as_ref().and_then(|p| p.as_ref().ok())
    }

    pub(crate) fn text(&self) -> Option<&str> {
        self.source.text()
    }

    pub(crate) fn exists(&self) -> bool {
        self.source != Source::Missing
    }

    fn report(&self, issues: &mut Vec<Issue>) {
        if let Source::NotUtf8 { line } = self.source {
            issues.push(
                Issue::new(Code::NotUtf8, format!("{} is not valid UTF-8", self.path))
                    .at(&self.path, Some(line)),
            );
        }
        if let Some(Err(error)) = &self.parsed {
            issues.push(super::syntax::file_issue(&self.path, error));
        }
    }
}

/// Everything the rules need.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub root: PathBuf,
    pub pkg: String,
    pub db: DbMode,
    pub manifest: ManifestFacts,
    /// Issues found while settling the identity and reading files.
    pub issues: Vec<Issue>,
    /// `[project] dependencies`, when pyproject.toml was read and parsed.
    pub dependencies: Option<Vec<String>>,
    pub router: PyFacts,
    pub models: PyFacts,
    pub modules_init: PyFacts,
    pub settings: PyFacts,
    pub env: Source,
    /// Directories under `modules/` that hold Python files, by name.
    pub modules: BTreeMap<String, ModuleDir>,
    /// File names in `tests/integration/` and `tests/unit/`.
    pub integration_tests: BTreeSet<String>,
    pub unit_tests: BTreeSet<String>,
    /// Tables declared by `auth/model.py`.
    pub auth_tables: Vec<Table>,
    /// The prefix `auth/router.py` gives its own `router = APIRouter(...)`.
    pub auth_router_prefix: python::Arg<String>,
}

impl Facts {
    /// `src/<pkg>/<rel>`.
    pub(crate) fn pkg_path(&self, rel: &str) -> String {
        format!("src/{}/{rel}", self.pkg)
    }

    /// Whether a path relative to the root exists.
    pub(crate) fn exists(&self, rel: &str) -> bool {
        self.root.join(rel).exists()
    }

    pub(crate) fn is_dir(&self, rel: &str) -> bool {
        self.root.join(rel).is_dir()
    }
}

/// Reads everything once.
pub(crate) fn gather(identity: &Identity) -> Facts {
    let root = identity.root.clone();
    let pkg = identity.pkg.clone();
    let mut issues = identity.issues.clone();
    let p = |rel: &str| format!("src/{pkg}/{rel}");

    let names = scan::module_dir_names(&root.join(p("modules")));
    // The managed files and every other Python file are parsed while the module
    // directories are scanned.
    let managed = [
        p("api/router.py"),
        p("db/models.py"),
        p("modules/__init__.py"),
        p("settings.py"),
    ];
    let module_dirs: Vec<String> = names.iter().map(|n| p(&format!("modules/{n}/"))).collect();
    let load_managed = || {
        (
            PyFacts::load(&root, managed[0].clone(), &format!("{pkg}.api")),
            PyFacts::load(&root, managed[1].clone(), &format!("{pkg}.db")),
            PyFacts::load(&root, managed[2].clone(), &format!("{pkg}.modules")),
            PyFacts::load(&root, managed[3].clone(), &pkg),
            super::syntax::check_all(&root, &managed, &module_dirs),
        )
    };
    let ((router, models, modules_init, settings, other_files), dirs) =
        scan::scan_all(&root, &pkg, &names, load_managed);
    issues.extend(other_files);
    for file in [&router, &models, &modules_init, &settings] {
        file.report(&mut issues);
    }
    let env = read_env(&root, &mut issues);
    let dependencies = read_dependencies(&root, &mut issues);
    let modules = python_modules(dirs, &mut issues);
    let auth_router_prefix = read_auth_router_prefix(&root, &pkg);
    let auth_tables = read_auth_tables(&root, &pkg);

    Facts {
        integration_tests: file_names(&root.join("tests/integration")),
        unit_tests: file_names(&root.join("tests/unit")),
        root,
        pkg,
        db: identity.db,
        manifest: identity.manifest.clone(),
        issues,
        dependencies,
        router,
        models,
        modules_init,
        settings,
        env,
        modules,
        auth_tables,
        auth_router_prefix,
    }
}

/// Reads `.env.example`, reporting it when it is not UTF-8.
fn read_env(root: &Path, issues: &mut Vec<Issue>) -> Source {
    let env = Source::read(&root.join(".env.example"));
    if let Source::NotUtf8 { line } = env {
        issues.push(
            Issue::new(Code::NotUtf8, ".env.example is not valid UTF-8")
                .at(".env.example", Some(line)),
        );
    }
    env
}

/// The scanned module directories that hold Python files, by name, reporting the
/// issues found in every directory.
fn python_modules(dirs: Vec<ModuleDir>, issues: &mut Vec<Issue>) -> BTreeMap<String, ModuleDir> {
    let mut modules = BTreeMap::new();
    for dir in dirs {
        issues.extend(dir.issues.iter().cloned());
        if dir.has_python() {
            modules.insert(dir.name.clone(), dir);
        }
    }
    modules
}

/// The prefix `auth/router.py` gives its own `router = APIRouter(...)`.
fn read_auth_router_prefix(root: &Path, pkg: &str) -> python::Arg<String> {
    match Source::read(&root.join(format!("src/{pkg}/auth/router.py"))) {
        Source::Text(text) => python::parse(&text, &format!("{pkg}.auth"))
            .ok()
            .and_then(|f| f.routers.into_iter().find(|r| r.name == "router"))
            .map(|r| r.prefix)
            .unwrap_or_default(),
        _ => python::Arg::Absent,
    }
}

/// The tables `auth/model.py` declares.
fn read_auth_tables(root: &Path, pkg: &str) -> Vec<Table> {
    let auth_model = format!("src/{pkg}/auth/model.py");
    match Source::read(&root.join(&auth_model)) {
        Source::Text(text) => crate::feature::tables::tables_in(&text, &auth_model),
        _ => Vec::new(),
    }
}

fn read_dependencies(root: &Path, issues: &mut Vec<Issue>) -> Option<Vec<String>> {
    match Source::read(&root.join("pyproject.toml")) {
        Source::Missing => None,
        Source::NotUtf8 { line } => {
            issues.push(
                Issue::new(Code::NotUtf8, "pyproject.toml is not valid UTF-8")
                    .at("pyproject.toml", Some(line)),
            );
            None
        }
        Source::TooLarge => {
            issues.push(
                Issue::new(
                    Code::PyprojectUnreadable,
                    "pyproject.toml is larger than 5 MiB",
                )
                .at("pyproject.toml", None),
            );
            None
        }
        Source::Text(text) => match Pyproject::parse(&text) {
            Ok(pyproject) => Some(pyproject.dependency_list()),
            Err(_) => {
                let (line, message) =
                    toml_error(&text).unwrap_or((None, "invalid TOML".to_string()));
                issues.push(
                    Issue::new(
                        Code::PyprojectUnreadable,
                        format!("pyproject.toml is not valid TOML: {message}"),
                    )
                    .at("pyproject.toml", line),
                );
                None
            }
        },
    }
}

fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}
