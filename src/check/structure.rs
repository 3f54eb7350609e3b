//! The project's fixed shape: required files (PPCHK010), Alembic files (011), database
//! remnants in `--db none` projects (012), managed files (020), markers missing (021) or
//! out of place (024), and the starter `status` wiring (022).
//!
//! Required files are the ones other code imports or that every generated project needs
//! to run its tests; documentation and deployment files (README, Dockerfile, compose) are
//! the team's to change, and `.env` is git-ignored, so none of those is required.

use super::Issue;
use super::codes::Code;
use super::facts::{Facts, PyFacts};
use super::source::Source;
use crate::feature::RouterMount;
use crate::manifest::DbMode;
use crate::markers::{self, Marker, Placement};
use crate::python::{self, PyFile};

/// Files under `src/<pkg>/` every project has (managed files are checked separately).
const REQUIRED_PACKAGE_FILES: &[&str] = &[
    "__init__.py",
    "app.py",
    "main.py",
    "run.py",
    "api/__init__.py",
    "api/deps.py",
    "auth/__init__.py",
    "auth/dependencies.py",
    "auth/schemas.py",
    "auth/token.py",
    "bootstrap/__init__.py",
    "bootstrap/errors.py",
    "bootstrap/lifespan.py",
    "bootstrap/logging.py",
    "bootstrap/middleware.py",
    "domain/__init__.py",
    "domain/exceptions.py",
    "modules/status/__init__.py",
    "modules/status/router.py",
    "modules/status/schemas.py",
    "modules/status/services/__init__.py",
    "modules/status/services/status_service.py",
];

/// Files under `src/<pkg>/db/` in db modes (models.py is a managed file).
const REQUIRED_DB_FILES: &[&str] = &["db/__init__.py", "db/base.py", "db/session.py"];

/// Required files relative to the project root.
const REQUIRED_ROOT_FILES: &[&str] = &["tests/conftest.py", "tests/integration/test_status.py"];

/// Alembic's files in db modes.
const ALEMBIC_FILES: &[&str] = &[
    "alembic.ini",
    "migrations/env.py",
    "migrations/script.py.mako",
];

/// Dependencies that only a database layer needs.
const DB_DEPENDENCIES: &[&str] = &[
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg2",
    "psycopg-binary",
];

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let status_removed = status_removed(facts);
    required_files(facts, status_removed, issues);
    match facts.db {
        DbMode::None => remnants(facts, issues),
        DbMode::Sqlite | DbMode::Postgres => alembic(facts, issues),
        // The team's own database layer: neither polepos's files nor their absence.
        DbMode::Custom => {}
    }
    managed_files(facts, issues);
    for marker in markers::ALL {
        if marker.needs_db() && !facts.db.has_db() {
            continue;
        }
        marker_rules(facts, marker, issues);
    }
    if !status_removed {
        status_wiring(facts, issues);
    }
}

/// Whether the starter `status` module was removed on purpose: its manifest entry, its
/// directory, its test and all of its wiring are gone (a project may drop the endpoint).
/// Half of it missing is still an error.
fn status_removed(facts: &Facts) -> bool {
    let pkg = &facts.pkg;
    let in_manifest = facts.manifest.module("status").is_some();
    let dir = facts.root.join(facts.pkg_path("modules/status"));
    let wired = facts.router.file().is_none_or(|router| {
        let found = RouterMount::status(pkg).find(router);
        found.binding.is_some() || found.include.is_some()
    });
    let exported = facts
        .modules_init
        .file()
        .is_some_and(|init| init.exports("status"));
    facts.manifest.state == super::identity::ManifestState::Read
        && !in_manifest
        && dir.symlink_metadata().is_err()
        && !facts.root.join("tests/integration/test_status.py").exists()
        && !wired
        && !exported
}

fn required_files(facts: &Facts, status_removed: bool, issues: &mut Vec<Issue>) {
    let db_files: &[&str] = if facts.db.has_db() {
        REQUIRED_DB_FILES
    } else {
        &[]
    };
    let package_files = REQUIRED_PACKAGE_FILES
        .iter()
        .chain(db_files)
        .map(|f| facts.pkg_path(f));
    let root_files = REQUIRED_ROOT_FILES.iter().map(|f| f.to_string());
    let is_status = |path: &String| {
        path.starts_with(&facts.pkg_path("modules/status/"))
            || path == "tests/integration/test_status.py"
    };
    for path in package_files
        .chain(root_files)
        .filter(|p| !(status_removed && is_status(p)))
    {
        if !facts.root.join(&path).is_file() {
            issues.push(
                Issue::new(
                    Code::RequiredFileMissing,
                    format!("required file {path} is missing"),
                )
                .at(path, None),
            );
        }
    }
}

fn alembic(facts: &Facts, issues: &mut Vec<Issue>) {
    for path in ALEMBIC_FILES {
        if !facts.root.join(path).is_file() {
            issues.push(
                Issue::new(
                    Code::AlembicFileMissing,
                    format!("Alembic file {path} is missing"),
                )
                .at(*path, None),
            );
        }
    }
    if !facts.is_dir("migrations/versions") {
        issues.push(
            Issue::new(Code::AlembicFileMissing, "Alembic's migrations/versions/ directory is missing")
                .at("migrations/versions", None)
                .fix("create migrations/versions/ (keep it in version control, e.g. with a .gitkeep file)"),
        );
    }
}

fn remnants(facts: &Facts, issues: &mut Vec<Issue>) {
    for (path, what) in [
        (facts.pkg_path("db"), "database package"),
        ("migrations".to_string(), "Alembic migrations directory"),
        ("alembic.ini".to_string(), "Alembic configuration"),
    ] {
        if facts.exists(&path) {
            issues.push(remnant(format!("{what} {path}"), path, None));
        }
    }
    dependency_remnants(facts, issues);
    if let Some(settings) = facts.settings.file().and_then(|f| f.class("Settings")) {
        for (field, line) in &settings.fields {
            if field == "database_url" {
                issues.push(remnant(
                    "setting `database_url`".to_string(),
                    facts.settings.path.clone(),
                    Some(*line),
                ));
            }
        }
    }
    import_remnants(facts, issues);
    dockerfile_remnants(facts, issues);
    if let Some(text) = facts.env.text() {
        for (key, line) in crate::feature::block::active_env(text) {
            if key == "DATABASE_URL" {
                issues.push(remnant(
                    "env value DATABASE_URL".to_string(),
                    ".env.example".to_string(),
                    Some(line),
                ));
            }
        }
    }
}

/// A PPCHK012 issue: `what` left in a project without a database, at `path`.
fn remnant(what: String, path: String, line: Option<usize>) -> Issue {
    Issue::new(
        Code::DbRemnant,
        format!("{what} in a project without a database (db = \"none\")"),
    )
    .at(path, line)
}

/// Reports the database dependencies pyproject.toml still declares.
fn dependency_remnants(facts: &Facts, issues: &mut Vec<Issue>) {
    let Some(deps) = &facts.dependencies else {
        return;
    };
    let pyproject = std::fs::read_to_string(facts.root.join("pyproject.toml")).unwrap_or_default();
    for dep in deps {
        let name = crate::pyproject::requirement_name(dep);
        if DB_DEPENDENCIES.contains(&name.as_str()) {
            let line = line_containing(&pyproject, &format!("\"{dep}\""));
            issues.push(remnant(
                format!("dependency `{dep}`"),
                "pyproject.toml".to_string(),
                line,
            ));
        }
    }
}

/// Reports the foundation files that still import the database layer.
fn import_remnants(facts: &Facts, issues: &mut Vec<Issue>) {
    // Foundation code that still imports the database layer fails at import: the
    // project installs no SQLAlchemy and has no `db` package.
    let db_package = format!("{}.db", facts.pkg);
    for file in ["api/deps.py", "app.py", "bootstrap/lifespan.py"] {
        let path = facts.pkg_path(file);
        let Source::Text(text) = Source::read(&facts.root.join(&path)) else {
            continue;
        };
        let Ok(parsed) = python::parse(&text, &python::package_of(&path)) else {
            continue; // reported as a syntax error
        };
        for import in &parsed.imports {
            let module = import.module.as_str();
            let database = ["sqlalchemy", "alembic", db_package.as_str()]
                .iter()
                .any(|m| module == *m || module.starts_with(&format!("{m}.")));
            if database {
                issues.push(remnant(
                    format!("import of `{module}` in {path}"),
                    path.clone(),
                    Some(import.line),
                ));
            }
        }
    }
}

/// Reports the Dockerfile steps that copy the Alembic configuration or migrations.
fn dockerfile_remnants(facts: &Facts, issues: &mut Vec<Issue>) {
    let Source::Text(text) = Source::read(&facts.root.join("Dockerfile")) else {
        return;
    };
    for (index, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let copies = words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("COPY"));
        let copied = words.iter().skip(1).find(|w| {
            let w = w.trim_end_matches('/');
            w == "alembic.ini" || w == "migrations"
        });
        if let (true, Some(what)) = (copies, copied) {
            issues.push(remnant(
                format!("Dockerfile step copying {what}"),
                "Dockerfile".to_string(),
                Some(index + 1),
            ));
        }
    }
}

fn line_containing(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn managed_files(facts: &Facts, issues: &mut Vec<Issue>) {
    let mut files: Vec<&PyFacts> = vec![&facts.router, &facts.modules_init, &facts.settings];
    if facts.db.has_db() {
        files.push(&facts.models);
    }
    for file in files {
        if !file.exists() {
            issues.push(
                Issue::new(
                    Code::ManagedFileMissing,
                    format!("managed file {} is missing", file.path),
                )
                .at(&file.path, None),
            );
        }
    }
    if facts.env == super::source::Source::Missing {
        issues.push(
            Issue::new(Code::ManagedFileMissing, "managed file .env.example is missing")
                .at(".env.example", None)
                .fix("restore .env.example from version control (it documents every setting and carries the env markers)"),
        );
    }
}

/// Where each marker belongs, for messages and `--fix`.
fn canonical_place(marker: &Marker) -> String {
    marker.placement.describe()
}

/// The text and parsed summary of the file a marker lives in.
fn marker_file<'a>(
    facts: &'a Facts,
    marker: &Marker,
) -> (String, Option<&'a str>, Option<&'a PyFile>) {
    let path = marker.path(&facts.pkg);
    let py = if marker.file.ends_with("api/router.py") {
        Some(&facts.router)
    } else if marker.file.ends_with("db/models.py") {
        Some(&facts.models)
    } else if marker.file.ends_with("modules/__init__.py") {
        Some(&facts.modules_init)
    } else if marker.file.ends_with("settings.py") {
        Some(&facts.settings)
    } else {
        None
    };
    match py {
        Some(py) => (path, py.text(), py.file()),
        None => (path, facts.env.text(), None),
    }
}

fn marker_rules(facts: &Facts, marker: &Marker, issues: &mut Vec<Issue>) {
    let (path, text, parsed) = marker_file(facts, marker);
    let Some(text) = text else { return };
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == marker.comment)
        .map(|(i, _)| i + 1)
        .collect();
    let Some(&first) = lines.first() else {
        issues.push(
            Issue::new(
                Code::MarkerMissing,
                format!("marker `{}` is missing from {path}", marker.comment),
            )
            .at(&path, None)
            .fix(format!(
                "run `polepos check --fix` to restore it {}, or add the line `{}{}` there by hand",
                canonical_place(marker),
                " ".repeat(marker.indent),
                marker.comment
            ))
            .autofix(super::Fix {
                path: path.clone(),
                edit: super::Edit::RestoreMarker(*marker),
                message: format!("restored marker `{}`", marker.comment),
            }),
        );
        return;
    };
    for &line in &lines[1..] {
        issues.push(
            Issue::new(
                Code::MarkerMisplaced,
                format!(
                    "marker `{}` appears more than once in {path}",
                    marker.comment
                ),
            )
            .at(&path, Some(line))
            .fix(format!(
                "delete this copy; keep the one {}",
                canonical_place(marker)
            )),
        );
    }
    let Some(file) = parsed else { return };
    let indent = text
        .lines()
        .nth(first - 1)
        .map_or(0, |l| l.len() - l.trim_start().len());
    if !in_place(file, marker, first, indent) {
        issues.push(
            Issue::new(
                Code::MarkerMisplaced,
                format!("marker `{}` is out of place in {path}", marker.comment),
            )
            .at(&path, Some(first))
            .fix(format!("move it {}", canonical_place(marker))),
        );
    }
}

fn in_place(file: &PyFile, marker: &Marker, line: usize, indent: usize) -> bool {
    match marker.placement {
        Placement::AfterImports | Placement::AfterIncludes => indent == 0,
        Placement::EndOfFunction(name) => {
            indent > 0
                && file
                    .function(name)
                    .is_some_and(|f| file.in_block(f.line, line))
        }
        Placement::EndOfAll => file
            .all
            .as_ref()
            .is_some_and(|all| all.start_line < line && line < all.end_line),
        Placement::EndOfFile => true,
        Placement::BeforeModelConfig(class) => file.class(class).is_some_and(|class| {
            let before_config = class
                .fields
                .iter()
                .find(|(name, _)| name == "model_config")
                .is_none_or(|(_, config)| line < *config);
            indent > 0 && file.in_block(class.line, line) && before_config
        }),
    }
}

/// The starter status router's import and include in api/router.py.
fn status_wiring(facts: &Facts, issues: &mut Vec<Issue>) {
    let Some(router) = facts.router.file() else {
        return;
    };
    let mount = RouterMount::status(&facts.pkg);
    let expected = super::wiring::Expected {
        mount: &mount,
        what: "the starter status router".to_string(),
        import_code: Code::StatusWiring,
        include_code: Code::StatusWiring,
        own_prefix: facts
            .modules
            .get("status")
            .map(|d| d.router_prefix.clone())
            .unwrap_or_default(),
    };
    super::wiring::check(facts, router, &expected, issues);
}
