//! Auth (`polepos add auth`): the seed's database-backed registration and token login.

use super::{
    Feature, GeneratedFile, ManifestEntry, Precondition, ProjectContext, Recipe, Role, RouterMount,
    Splice,
};
use crate::templates::{self, TemplateError};

/// The dependency `add auth` adds.
pub const AUTH_DEPENDENCY: &str = "pwdlib[argon2]>=0.2.0";

/// Files `add auth` creates under `src/<pkg>/auth/`.
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

/// The table auth stores users in.
pub const AUTH_TABLE: &str = "auth_users";

/// Foundation modules the auth code imports (SPEC's foundation API), relative to the package.
pub const FOUNDATION: &[&str] = &[
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

/// The steps printed after a successful `add auth` (the seed's migration flow).
pub const NEXT_STEPS: &[&str] = &[
    "uv sync --extra dev",
    "polepos db revision -m \"add auth users table\"",
    "polepos db upgrade",
    "polepos check",
];

/// The auth router's mount: `/auth`, tag `auth`.
pub fn mount(pkg: &str) -> RouterMount {
    RouterMount::auth(pkg)
}

/// The model import `add auth` splices into `import_models()`.
pub fn model_import(pkg: &str) -> Splice {
    Splice::ModelImport {
        package: format!("{pkg}.auth"),
        alias: "auth_model".to_string(),
    }
}

/// The recipe of `add auth` for a project.
pub fn recipe(ctx: &ProjectContext) -> Result<Recipe, TemplateError> {
    let pkg = &ctx.package;
    // Auth templates use only the package and db facts; no secret is rendered.
    let files = templates::render_tree("auth", &ctx.template_context(""))?
        .into_iter()
        .map(|file| GeneratedFile {
            path: file.path,
            contents: file.contents,
            role: Role::Generated,
        })
        .collect();
    let prefix = if ctx.bytecode {
        ""
    } else {
        "PYTHONDONTWRITEBYTECODE=1 "
    };
    Ok(Recipe {
        feature: Feature::Auth,
        files,
        splices: vec![Splice::Mount(mount(pkg)), model_import(pkg)],
        dependencies: vec![AUTH_DEPENDENCY],
        manifest: Some(ManifestEntry::Integration("auth")),
        requires: vec![
            Precondition::HasDatabase,
            Precondition::Foundation(FOUNDATION),
            Precondition::FreeModuleName("auth".to_string()),
            Precondition::FreeTable(AUTH_TABLE.to_string()),
        ],
        next_steps: NEXT_STEPS
            .iter()
            .map(|step| {
                if step.starts_with("uv ") {
                    format!("{prefix}{step}")
                } else {
                    (*step).to_string()
                }
            })
            .collect(),
    })
}
