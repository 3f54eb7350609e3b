//! `polepos add auth`: the seed's database-backed auth workflow.
//!
//! Plans the eight new files and the four edits (router wiring, model import, the
//! `pwdlib[argon2]` dependency, `auth = true`), checks every precondition and reports every
//! problem at once, then applies the change set atomically.

use std::fs;
use std::path::{Path, PathBuf};

use crate::changeset::ChangeSet;
use crate::check::python;
use crate::cli::DbMode;
use crate::error::Refusal;
use crate::manifest::{self, Manifest};
use crate::markers::{self, Marker};
use crate::printer::Printer;
use crate::project::Project;
use crate::pyproject::Pyproject;
use crate::templates::{self, Context};

/// The dependency `add auth` adds.
pub const AUTH_DEPENDENCY: &str = "pwdlib[argon2]>=0.2.0";

/// Files `add auth` creates, relative to the package directory or the root.
pub const AUTH_PACKAGE_FILES: &[&str] = &[
    "model.py",
    "password.py",
    "repository.py",
    "router.py",
    "user_schemas.py",
    "user_service.py",
];
/// Test files `add auth` creates.
pub const AUTH_TEST_FILES: &[&str] = &[
    "tests/integration/test_auth.py",
    "tests/unit/test_auth_service.py",
];

/// The steps printed after a successful `add auth` (the seed's migration flow).
pub const NEXT_STEPS: &[&str] = &[
    "uv sync --extra dev",
    "polepos db revision -m \"add auth users table\"",
    "polepos db upgrade",
    "polepos check",
];

/// Runs `polepos add auth`.
pub fn run(printer: &Printer, dry_run: bool, cwd: &Path) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let set = plan(&project)?;
    if dry_run {
        printer.stdout(&format!("{}Dry run: nothing was written.\n", set.preview()))?;
        return Ok(());
    }
    set.apply()?;
    printer.success(&format!(
        "Added auth to {} ({} files created, {} updated)",
        project.package,
        8,
        set.changes().len() - 8
    ));
    let mut out = String::from(
        "Endpoints under /api/v1/auth: POST /register, POST /token, GET /me\n\nNext steps:\n",
    );
    let prefix = if project.bytecode {
        ""
    } else {
        "PYTHONDONTWRITEBYTECODE=1 "
    };
    for step in NEXT_STEPS {
        let step = if step.starts_with("uv ") {
            format!("{prefix}{step}")
        } else {
            (*step).to_string()
        };
        out.push_str(&format!("  {step}\n"));
    }
    out.push_str("\nReview the generated migration before applying it to shared environments.\n");
    printer.stdout(&out)?;
    Ok(())
}

fn read(root: &Path, rel: &str, problems: &mut Vec<String>) -> Option<String> {
    match fs::read(root.join(rel)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                problems.push(format!("{rel} is not valid UTF-8"));
                None
            }
        },
        Err(_) => {
            problems.push(format!("{rel} is missing"));
            None
        }
    }
}

/// Asks the syntax tree whether `text` imports `<pkg>.auth.<name>` (any import form).
/// A file that does not parse is reported as a problem instead.
fn imports_auth_module(
    text: &str,
    path: &str,
    pkg: &str,
    name: &str,
    problems: &mut Vec<String>,
) -> bool {
    let package = Path::new(path)
        .parent()
        .map(|p| {
            p.strip_prefix("src")
                .unwrap_or(p)
                .to_string_lossy()
                .replace('/', ".")
        })
        .unwrap_or_default();
    match python::parse(text, &package) {
        Ok(file) => file.imports(&format!("{pkg}.auth.{name}")),
        Err(issue) => {
            problems.push(format!(
                "{path}:{} has a Python syntax error: {}",
                issue.line, issue.message
            ));
            false
        }
    }
}

/// Refuses to write an edited Python file that no longer parses.
fn assert_parses(path: &str, text: &str) -> anyhow::Result<()> {
    python::parse(text, "").map(|_| ()).map_err(|issue| {
        anyhow::anyhow!(
            "internal error: the edited {path} no longer parses (line {}: {})",
            issue.line,
            issue.message
        )
    })
}

/// Builds the change set or refuses with every problem found.
pub fn plan(project: &Project) -> anyhow::Result<ChangeSet> {
    let root = &project.root;
    let pkg = &project.package;
    let pkg_dir = project.package_dir();
    let rel = |p: &str| format!("{}/{p}", pkg_dir.display());
    let mut problems = Vec::new();

    if project.db == DbMode::None {
        problems.push(
            "the project has no database layer (db = \"none\"); auth stores users in the `auth_users` table".to_string(),
        );
    }
    if project
        .manifest
        .as_ref()
        .is_some_and(|m| m.integration_enabled("auth"))
    {
        problems.push(format!(
            "auth is already recorded in {} (`auth = true`)",
            manifest::FILE_NAME
        ));
    }
    let existing: Vec<String> = AUTH_PACKAGE_FILES
        .iter()
        .map(|f| rel(&format!("auth/{f}")))
        .chain(AUTH_TEST_FILES.iter().map(|s| s.to_string()))
        .filter(|p| root.join(p).exists())
        .collect();
    if !existing.is_empty() {
        problems.push(format!("auth files already exist: {}", existing.join(", ")));
    }
    let module_in_manifest = project
        .manifest
        .as_ref()
        .is_some_and(|m| m.modules().iter().any(|(name, _)| name == "auth"));
    if module_in_manifest || root.join(rel("modules/auth")).exists() {
        problems.push("a module named `auth` already exists".to_string());
    }
    if let Some(path) = find_table(root, &pkg_dir, "auth_users") {
        problems.push(format!(
            "a table named `auth_users` is already defined in {path}"
        ));
    }

    let router_path = rel("api/router.py");
    let models_path = rel("db/models.py");
    let router = read(root, &router_path, &mut problems);
    let models = if project.db.has_db() {
        read(root, &models_path, &mut problems)
    } else {
        None
    };
    let mut missing_markers = Vec::new();
    if let Some(text) = &router {
        if imports_auth_module(text, &router_path, pkg, "router", &mut problems) {
            problems.push(format!("{router_path} already imports the auth router"));
        }
        for marker in [markers::ROUTER_IMPORTS, markers::ROUTER_INCLUDES] {
            if markers::find(text, &marker).is_none() {
                missing_markers.push(format!("`{}` in {router_path}", marker.comment));
            }
        }
    }
    if let Some(text) = &models {
        if imports_auth_module(text, &models_path, pkg, "model", &mut problems) {
            problems.push(format!("{models_path} already imports the auth model"));
        }
        if markers::find(text, &markers::MODEL_IMPORTS).is_none() {
            missing_markers.push(format!(
                "`{}` in {models_path}",
                markers::MODEL_IMPORTS.comment
            ));
        }
    }
    for marker in &missing_markers {
        problems.push(format!("marker {marker} is missing"));
    }

    let pyproject_text = read(root, "pyproject.toml", &mut problems);
    let mut pyproject = None;
    if let Some(text) = &pyproject_text {
        match Pyproject::parse(text) {
            Ok(p) if p.has_dependency(AUTH_DEPENDENCY) => {
                problems.push("pyproject.toml already depends on pwdlib".to_string());
            }
            Ok(p) => pyproject = Some(p),
            Err(e) => problems.push(format!("pyproject.toml is not valid TOML: {e}")),
        }
    }

    if !problems.is_empty() {
        let mut hint = String::new();
        if project.db == DbMode::None {
            hint.push_str("auth needs a database: create the project with `polepos start <name> --db sqlite` (or postgres). ");
        }
        if !missing_markers.is_empty() {
            hint.push_str("Restore the missing markers with `polepos check --fix`. ");
        }
        if hint.is_empty() {
            hint.push_str("auth can be added once; to re-add it, detach it fully first (manifest, router wiring, db/models.py, tests, pyproject.toml)");
        }
        return Err(
            Refusal::new(format!("cannot add auth to {}", project.root.display()))
                .with_causes(problems)
                .with_hint(hint.trim().to_string())
                .into(),
        );
    }

    let mut set = ChangeSet::new(root.clone());
    let ctx = Context {
        name: project
            .manifest
            .as_ref()
            .and_then(|m| m.package())
            .unwrap_or(pkg)
            .to_string(),
        pkg: pkg.clone(),
        db: project.db.as_str().to_string(),
        has_db: project.db.has_db(),
        bytecode: project.bytecode,
        secret_key: String::new(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    for file in templates::render_tree("auth", &ctx)? {
        set.create(file.path, file.contents);
    }

    let (router, models, mut pyproject) = match (router, models, pyproject) {
        (Some(r), Some(m), Some(p)) => (r, m, p),
        _ => unreachable_plan()?,
    };
    let new_router = splice(
        &router,
        &markers::ROUTER_IMPORTS,
        &format!("from {pkg}.auth.router import router as auth_router"),
        true,
    )
    .and_then(|t| {
        splice(
            &t,
            &markers::ROUTER_INCLUDES,
            "api_router.include_router(auth_router, prefix=\"/auth\", tags=[\"auth\"])",
            false,
        )
    });
    let new_models = splice(
        &models,
        &markers::MODEL_IMPORTS,
        &format!("from {pkg}.auth import model as auth_model  # noqa: F401"),
        true,
    );
    let (Some(new_router), Some(new_models)) = (new_router, new_models) else {
        return unreachable_plan();
    };
    assert_parses(&router_path, &new_router)?;
    assert_parses(&models_path, &new_models)?;
    set.modify(router_path, router, new_router);
    set.modify(models_path, models, new_models);

    let old_pyproject = pyproject_text.unwrap_or_default();
    if !pyproject.add_dependency(AUTH_DEPENDENCY) {
        return Err(
            Refusal::new("pyproject.toml has no `[project] dependencies` list")
                .with_hint("add `dependencies = [...]` under [project]")
                .into(),
        );
    }
    let new_pyproject = pyproject.render();
    Pyproject::parse(&new_pyproject)
        .map_err(|e| anyhow::anyhow!("edited pyproject.toml no longer parses: {e}"))?;
    set.modify("pyproject.toml", old_pyproject, new_pyproject);

    match &project.manifest {
        Some(m) => {
            let mut edited = m.clone();
            edited.set_integration("auth", true);
            let text = edited.render();
            Manifest::parse(&text)
                .map_err(|e| anyhow::anyhow!("edited manifest no longer parses: {e}"))?;
            set.modify(manifest::FILE_NAME, m.original().to_string(), text);
        }
        None => {
            let mut created =
                Manifest::parse(&Manifest::new_project(pkg, project.db, project.bytecode))
                    .map_err(|e| anyhow::anyhow!("new manifest does not parse: {e}"))?;
            created.set_integration("auth", true);
            set.create(PathBuf::from(manifest::FILE_NAME), created.render());
        }
    }
    Ok(set)
}

fn splice(text: &str, marker: &Marker, line: &str, sorted_import: bool) -> Option<String> {
    markers::insert_above(text, marker, line, sorted_import)
}

fn unreachable_plan<T>() -> anyhow::Result<T> {
    Err(anyhow::anyhow!(
        "internal error: a precondition of `add auth` passed but its input is missing"
    ))
}

/// The first Python file under the package that defines `__tablename__ = "<table>"`.
fn find_table(root: &Path, pkg_dir: &Path, table: &str) -> Option<String> {
    let mut stack = vec![root.join(pkg_dir)];
    // auth's own model is reported as an existing auth file, not as a collision.
    let own = root.join(pkg_dir).join("auth");
    let needles = [
        format!("__tablename__ = \"{table}\""),
        format!("__tablename__ = '{table}'"),
    ];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "py")
                && !path.starts_with(&own)
                && fs::read_to_string(&path)
                    .is_ok_and(|t| needles.iter().any(|n| t.contains(n.as_str())))
            {
                return Some(
                    path.strip_prefix(root)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    None
}
