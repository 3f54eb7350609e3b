//! `polepos add auth`: the seed's database-backed auth workflow.
//!
//! Plans the eight new files and the four edits (router wiring, model import, the
//! `pwdlib[argon2]` dependency, `auth = true`), checks every precondition and reports every
//! problem at once, then applies the change set atomically.

use std::fs;
use std::path::{Path, PathBuf};

use crate::changeset::{Change, ChangeSet};
use crate::error::Refusal;
use crate::manifest::DbMode;
use crate::manifest::{self, Manifest};
use crate::markers;
use crate::printer::Printer;
use crate::project::Project;
use crate::pyproject::Pyproject;
use crate::python;
use crate::scaffold::ProjectOptions;
use crate::templates;

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
    let created = set
        .changes()
        .iter()
        .filter(|c| matches!(c, Change::Create { .. }))
        .count();
    printer.success(&format!(
        "Added auth to {} ({created} files created, {} updated)",
        project.package,
        set.changes().len() - created
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

/// Asks the syntax tree whether `text` imports `<pkg>.auth.<name>` (any import form).
/// A file that does not parse is reported as a problem instead.
fn imports_auth_module(
    text: &str,
    path: &str,
    pkg: &str,
    name: &str,
    problems: &mut Problems,
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
            problems.push(
                Why::Unreadable,
                format!(
                    "{path}:{} has a Python syntax error: {}",
                    issue.line, issue.message
                ),
            );
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

/// Why a precondition failed; each kind contributes one line to the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    NoDatabase,
    MissingFoundation,
    Unreadable,
    Markers,
    Collision,
    AlreadyPresent,
}

impl Why {
    fn hint(self) -> &'static str {
        match self {
            Why::NoDatabase => {
                "auth needs generated database wiring; projects created with `--db none` need an explicit database layer first (e.g. a new project from `polepos start <name> --db sqlite`)."
            }
            Why::MissingFoundation => {
                "restore the generated auth foundation files (`polepos check` lists them) before adding auth."
            }
            Why::Unreadable => "fix the files named above so they can be read and parsed.",
            Why::Markers => "restore the missing markers with `polepos check --fix`.",
            Why::Collision => {
                "rename or remove the colliding module or table; auth needs the names `auth` and `auth_users`."
            }
            Why::AlreadyPresent => {
                "auth can be added once; to re-add it, detach it fully first (manifest, router wiring, db/models.py, tests, pyproject.toml)."
            }
        }
    }
}

/// Every failed precondition, with its kind.
#[derive(Default)]
struct Problems(Vec<(Why, String)>);

impl Problems {
    fn push(&mut self, why: Why, message: impl Into<String>) {
        self.0.push((why, message.into()));
    }

    fn into_refusal(self, root: &Path) -> Option<Refusal> {
        if self.0.is_empty() {
            return None;
        }
        let mut kinds: Vec<Why> = self.0.iter().map(|(why, _)| *why).collect();
        kinds.sort();
        kinds.dedup();
        let hint: Vec<&str> = kinds.iter().map(|why| why.hint()).collect();
        Some(
            Refusal::new(format!("cannot add auth to {}", root.display()))
                .with_causes(self.0.into_iter().map(|(_, message)| message).collect())
                .with_hint(hint.join("\n      ")),
        )
    }
}

/// Foundation modules the auth code imports (SPEC's foundation API), relative to the package.
const FOUNDATION: &[&str] = &[
    "settings.py",
    "api/deps.py",
    "auth/__init__.py",
    "auth/dependencies.py",
    "auth/schemas.py",
    "auth/token.py",
    "db/base.py",
    "db/session.py",
    "domain/exceptions.py",
];

/// Whether anything (file, directory, dangling symlink) exists at `path`.
fn occupied(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// Reads a UTF-8 text file, recording why it cannot be used.
fn read(root: &Path, rel: &str, problems: &mut Problems) -> Option<String> {
    let path = root.join(rel);
    if path.is_dir() {
        problems.push(Why::Unreadable, format!("{rel} is a directory, not a file"));
        return None;
    }
    match fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                problems.push(Why::Unreadable, format!("{rel} is not valid UTF-8"));
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.push(Why::MissingFoundation, format!("{rel} is missing"));
            None
        }
        Err(e) => {
            problems.push(Why::Unreadable, format!("cannot read {rel}: {e}"));
            None
        }
    }
}

/// Builds the change set or refuses with every problem found.
pub fn plan(project: &Project) -> anyhow::Result<ChangeSet> {
    let root = &project.root;
    let pkg = &project.package;
    let pkg_dir = project.package_dir();
    let rel = |p: &str| format!("{}/{p}", pkg_dir.display());
    let mut problems = Problems::default();

    if project.db == DbMode::None {
        problems.push(
            Why::NoDatabase,
            "the project has no database layer (db = \"none\"); auth stores users in the `auth_users` table",
        );
    }
    if project
        .manifest
        .as_ref()
        .is_some_and(|m| m.integration_enabled("auth"))
    {
        problems.push(
            Why::AlreadyPresent,
            format!(
                "auth is already recorded in {} (`auth = true`)",
                manifest::FILE_NAME
            ),
        );
    }
    let existing: Vec<String> = AUTH_PACKAGE_FILES
        .iter()
        .map(|f| rel(&format!("auth/{f}")))
        .chain(AUTH_TEST_FILES.iter().map(|s| s.to_string()))
        .filter(|p| occupied(&root.join(p)))
        .collect();
    if !existing.is_empty() {
        problems.push(
            Why::AlreadyPresent,
            format!("auth files already exist: {}", existing.join(", ")),
        );
    }
    if project.db.has_db() {
        let missing: Vec<String> = FOUNDATION
            .iter()
            .map(|f| rel(f))
            .filter(|p| !root.join(p).is_file())
            .collect();
        if !missing.is_empty() {
            problems.push(
                Why::MissingFoundation,
                format!(
                    "foundation files the auth code imports are missing: {}",
                    missing.join(", ")
                ),
            );
        }
    }
    let module_in_manifest = project
        .manifest
        .as_ref()
        .is_some_and(|m| m.modules().iter().any(|(name, _)| name == "auth"));
    if module_in_manifest || occupied(&root.join(rel("modules/auth"))) {
        problems.push(Why::Collision, "a module named `auth` already exists");
    }
    if let Some(path) = find_table(root, &pkg_dir, "auth_users") {
        problems.push(
            Why::Collision,
            format!("a table named `auth_users` is already defined in {path}"),
        );
    }

    let router_path = rel("api/router.py");
    let models_path = rel("db/models.py");
    let router = read(root, &router_path, &mut problems);
    let models = if project.db.has_db() {
        read(root, &models_path, &mut problems)
    } else {
        None
    };
    if let Some(text) = &router {
        if imports_auth_module(text, &router_path, pkg, "router", &mut problems) {
            problems.push(
                Why::AlreadyPresent,
                format!("{router_path} already imports the auth router"),
            );
        }
        for marker in [markers::ROUTER_IMPORTS, markers::ROUTER_INCLUDES] {
            if markers::find(text, &marker).is_none() {
                problems.push(
                    Why::Markers,
                    format!("marker `{}` in {router_path} is missing", marker.comment),
                );
            }
        }
    }
    if let Some(text) = &models {
        if imports_auth_module(text, &models_path, pkg, "model", &mut problems) {
            problems.push(
                Why::AlreadyPresent,
                format!("{models_path} already imports the auth model"),
            );
        }
        if markers::find(text, &markers::MODEL_IMPORTS).is_none() {
            problems.push(
                Why::Markers,
                format!(
                    "marker `{}` in {models_path} is missing",
                    markers::MODEL_IMPORTS.comment
                ),
            );
        }
    }

    let pyproject_text = read(root, "pyproject.toml", &mut problems);
    let mut pyproject = None;
    if let Some(text) = &pyproject_text {
        match Pyproject::parse(text) {
            Ok(p) if p.has_dependency(AUTH_DEPENDENCY) => {
                problems.push(
                    Why::AlreadyPresent,
                    "pyproject.toml already depends on pwdlib",
                );
            }
            Ok(p) => pyproject = Some(p),
            Err(e) => problems.push(
                Why::Unreadable,
                format!("pyproject.toml is not valid TOML: {e}"),
            ),
        }
    }
    let mut manifest_text = None;
    match &project.manifest {
        Some(m) => {
            let mut edited = m.clone();
            match edited.set_integration("auth", true) {
                Ok(()) => manifest_text = Some(edited.render()),
                Err(e) => problems.push(Why::Unreadable, e),
            }
        }
        None => {
            let mut created =
                Manifest::parse(&Manifest::new_project(pkg, project.db, project.bytecode))
                    .map_err(|e| anyhow::anyhow!("new manifest does not parse: {e}"))?;
            created
                .set_integration("auth", true)
                .map_err(|e| anyhow::anyhow!(e))?;
            manifest_text = Some(created.render());
        }
    }

    if let Some(refusal) = problems.into_refusal(root) {
        return Err(refusal.into());
    }

    let mut set = ChangeSet::new(root.clone());
    // Auth templates use only the package and db facts; the project name and secret
    // are not part of them.
    let ctx = ProjectOptions {
        name: pkg.clone(),
        package: pkg.clone(),
        db: project.db,
        bytecode: project.bytecode,
        secret_key: String::new(),
    }
    .context();
    for file in templates::render_tree("auth", &ctx)? {
        set.create(file.path, file.contents);
    }

    let (router, models, mut pyproject) = match (router, models, pyproject) {
        (Some(r), Some(m), Some(p)) => (r, m, p),
        _ => unreachable_plan()?,
    };
    let new_router = markers::insert_above(
        &router,
        &markers::ROUTER_IMPORTS,
        &format!("from {pkg}.auth.router import router as auth_router"),
        true,
    )
    .and_then(|t| {
        markers::insert_above(
            &t,
            &markers::ROUTER_INCLUDES,
            "api_router.include_router(auth_router, prefix=\"/auth\", tags=[\"auth\"])",
            false,
        )
    });
    let new_models = markers::insert_above(
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

    let manifest_text = manifest_text.unwrap_or_default();
    Manifest::parse(&manifest_text)
        .map_err(|e| anyhow::anyhow!("edited manifest no longer parses: {e}"))?;
    match &project.manifest {
        Some(m) => set.modify(manifest::FILE_NAME, m.original().to_string(), manifest_text),
        None => set.create(PathBuf::from(manifest::FILE_NAME), manifest_text),
    }
    Ok(set)
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
    // Ask the parser about each `__tablename__` line, so spacing, quotes, annotations
    // and comments are handled as Python sees them.
    let defines = |text: &str| {
        text.lines()
            .filter(|line| line.contains("__tablename__"))
            .any(|line| python::assigned_string(line, "__tablename__").as_deref() == Some(table))
    };
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
                && fs::read_to_string(&path).is_ok_and(|t| defines(&t))
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
