//! Auth added by `polepos add auth` (PPCHK044–051).
//!
//! Auth is validated when the manifest says `auth = true` or when its traces exist (one
//! of the files `add auth` creates, or the router or model wiring). The foundation auth
//! files every project has (`auth/__init__.py`, `dependencies.py`, `schemas.py`,
//! `token.py`) are required files (PPCHK010), not part of this check.

use super::codes::Code;
use super::facts::Facts;
use super::modules::router_binding;
use super::wiring;
use super::{Edit, Fix, Issue};
use crate::feature::auth::{AUTH_DEPENDENCY, AUTH_PACKAGE_FILES, AUTH_TEST_FILES, AUTH_TOOL_FILES};
use crate::manifest::{self, DbMode};
use crate::markers;
use crate::pyproject::requirement_name;

/// Whether the project has auth (manifest or traces).
fn present(facts: &Facts) -> bool {
    let pkg = &facts.pkg;
    facts.manifest.integration_enabled("auth")
        || AUTH_PACKAGE_FILES.iter().chain(AUTH_TOOL_FILES).any(|f| {
            facts
                .root
                .join(facts.pkg_path(&format!("auth/{f}")))
                .is_file()
        })
        || facts
            .router
            .file()
            .is_some_and(|r| router_binding(r, &format!("{pkg}.auth")).is_some())
        || facts
            .models
            .file()
            .is_some_and(|m| crate::feature::auth::model_import(pkg).found_in(m))
}

/// Whether a requirement is `pwdlib` with the `argon2` extra.
fn is_pwdlib_argon2(requirement: &str) -> bool {
    if requirement_name(requirement) != "pwdlib" {
        return false;
    }
    let Some((_, rest)) = requirement.split_once('[') else {
        return false;
    };
    let extras = rest.split(']').next().unwrap_or_default();
    extras
        .split(',')
        .any(|e| e.trim().eq_ignore_ascii_case("argon2"))
}

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    if !present(facts) {
        return;
    }
    if facts.manifest.state == super::identity::ManifestState::Read
        && !facts.manifest.integration_enabled("auth")
    {
        issues.push(not_in_manifest());
    }
    if facts.db == DbMode::Custom {
        // The team's own database layer: the auth files are checked, not their tables.
        return;
    }
    if !facts.db.has_db() {
        issues.push(without_database(facts));
        return;
    }
    missing_files(facts, issues);
    issues.extend(dependency_missing(facts));
    if let Some(router) = facts.router.file() {
        let mount = crate::feature::auth::mount(&facts.pkg);
        let expected = wiring::Expected {
            mount: &mount,
            what: "the auth router".to_string(),
            import_code: Code::AuthRouterImportMissing,
            include_code: Code::AuthRouterIncludeMissing,
            own_prefix: facts.auth_router_prefix.clone(),
        };
        wiring::check(facts, router, &expected, issues);
    }
    extensions(facts, issues);
    issues.extend(model_import_missing(facts));
}

/// The issue for auth that is present while the manifest does not record it.
fn not_in_manifest() -> Issue {
    Issue::new(
        Code::FeatureNotInManifest,
        format!(
            "auth is present (files or wiring) but {} does not record `auth = true`",
            manifest::FILE_NAME
        ),
    )
    .at(manifest::FILE_NAME, None)
    .fix(format!(
        "add `auth = true` under [integrations] in {}",
        manifest::FILE_NAME
    ))
}

/// The issue for auth in a project without a database layer.
fn without_database(facts: &Facts) -> Issue {
    let line = super::identity::key_line(facts.manifest.text.as_deref(), "integrations", "auth");
    let issue = Issue::new(
        Code::AuthWithoutDatabase,
        "auth is present but the project has no database layer (db = \"none\"); auth stores users in the `auth_users` table",
    );
    match line {
        Some(_) => issue.at(manifest::FILE_NAME, line),
        None => issue.at(facts.pkg_path("auth"), None),
    }
}

/// Reports the auth package files and auth tests that are missing.
fn missing_files(facts: &Facts, issues: &mut Vec<Issue>) {
    for file in AUTH_PACKAGE_FILES {
        let path = facts.pkg_path(&format!("auth/{file}"));
        if !facts.root.join(&path).is_file() {
            issues.push(
                Issue::new(
                    Code::AuthFileMissing,
                    format!("auth file {path} is missing"),
                )
                .at(path, None),
            );
        }
    }
    for (path, code) in AUTH_TEST_FILES
        .iter()
        .zip([Code::AuthIntegrationTestMissing, Code::AuthUnitTestMissing])
    {
        if !facts.root.join(path).is_file() {
            issues.push(Issue::new(code, format!("auth test {path} is missing")).at(*path, None));
        }
    }
}

/// The issue for a pyproject.toml that does not depend on `pwdlib[argon2]`, if it does not.
fn dependency_missing(facts: &Facts) -> Option<Issue> {
    let deps = facts.dependencies.as_ref()?;
    if deps.iter().any(|d| is_pwdlib_argon2(d)) {
        return None;
    }
    let what = if deps.iter().any(|d| requirement_name(d) == "pwdlib") {
        "pyproject.toml depends on pwdlib without the argon2 extra"
    } else {
        "pyproject.toml does not depend on pwdlib[argon2]"
    };
    Some(
        Issue::new(Code::AuthDependencyMissing, what)
            .at("pyproject.toml", None)
            .fix(format!("run `uv add \"{AUTH_DEPENDENCY}\"`")),
    )
}

/// The issue for the auth model not imported in `db/models.py`, if it is not.
fn model_import_missing(facts: &Facts) -> Option<Issue> {
    let pkg = &facts.pkg;
    let models = facts.models.file()?;
    if crate::feature::auth::model_import(pkg).found_in(models) {
        return None;
    }
    let line = facts
        .models
        .text()
        .and_then(|t| markers::find(t, &markers::MODEL_IMPORTS))
        .map(|i| i + 1);
    let import = crate::feature::auth::model_import(pkg)
        .model_line()
        .unwrap_or_default();
    let mut issue = Issue::new(
        Code::AuthModelImportMissing,
        "the auth model is not imported in `import_models()`",
    )
    .at(&facts.models.path, line)
    .fix(format!(
        "add `{import}` in sorted position among the imports above `# polepos:model-imports` (or run `polepos check --fix`)"
    ));
    // Importing a model file that is not there would break the app.
    if facts.root.join(facts.pkg_path("auth/model.py")).is_file() {
        issue = issue.autofix(Fix {
            path: facts.models.path.clone(),
            edit: Edit::InsertAbove {
                marker: markers::MODEL_IMPORTS,
                line: import,
                sorted_import: true,
            },
            message: "imported the auth model in import_models()".to_string(),
        });
    }
    Some(issue)
}

/// The files, router import and settings of each auth extension the manifest lists
/// (PPCHK053, PPCHK054).
fn extensions(facts: &Facts, issues: &mut Vec<Issue>) {
    let router_path = facts.pkg_path("auth/router.py");
    if facts.manifest.auth_extensions.is_empty() {
        return;
    }
    let router =
        super::source::parse_guarded(&facts.root, &router_path, &format!("{}.auth", facts.pkg));
    let settings_class = facts.settings.file().and_then(|f| f.class("Settings"));
    for extension in &crate::feature::auth_extension::with_implied(&facts.manifest.auth_extensions)
    {
        let name = extension.name();
        for path in extension
            .package_files()
            .iter()
            .map(|f| facts.pkg_path(f))
            .chain(extension.test_files().iter().map(|f| (*f).to_string()))
        {
            if !facts.root.join(&path).is_file() {
                issues.push(
                    Issue::new(
                        Code::AuthExtensionFileMissing,
                        format!("auth extension `{name}` is missing {path}"),
                    )
                    .at(path, None),
                );
            }
        }
        if let Some(file) = extension.package_files().first() {
            let module = format!(
                "{}.{}",
                facts.pkg,
                file.trim_end_matches(".py").replace('/', ".")
            );
            if router.as_ref().is_some_and(|r| !r.imports(&module)) {
                issues.push(
                    Issue::new(
                        Code::AuthExtensionNotWired,
                        format!("auth extension `{name}`: {router_path} does not import {module}"),
                    )
                    .at(&router_path, None),
                );
            }
        }
        if let Some(class) = settings_class {
            let missing: Vec<&str> = extension
                .settings()
                .iter()
                .copied()
                .filter(|field| !class.fields.iter().any(|(f, _)| f == field))
                .collect();
            if !missing.is_empty() {
                issues.push(
                    Issue::new(
                        Code::AuthExtensionNotWired,
                        format!(
                            "auth extension `{name}` settings missing from class Settings: {}",
                            missing.join(", ")
                        ),
                    )
                    .at(&facts.settings.path, Some(class.line))
                    .fix(format!(
                        "add the fields above `{}`",
                        markers::AUTH_SETTINGS.comment
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pwdlib_extra() {
        assert!(is_pwdlib_argon2("pwdlib[argon2]>=0.2.0"));
        assert!(is_pwdlib_argon2("PwdLib[bcrypt, argon2]"));
        assert!(!is_pwdlib_argon2("pwdlib>=0.2"));
        assert!(!is_pwdlib_argon2("argon2-cffi"));
    }
}
