//! Integrations (PPCHK040–043): files, dependency, settings fields and env values, for
//! every integration the manifest enables or whose directory exists, and for `llm` when
//! an `ai-prompt` module needs it.
//!
//! The integration table lives in [`crate::feature::integration`]. Missing settings and env values
//! are reported once per integration (listing every missing name), not once per name:
//! one integration's block is one thing to restore.

use super::Issue;
use super::codes::Code;
use super::facts::Facts;
use super::modules;
use crate::feature::block::active_env;
use crate::feature::integration::{INTEGRATIONS, Integration};
use crate::markers;
use crate::pyproject::{allows_at_least, requirement_name};
use crate::python::Class;

impl Integration {
    fn settings_marker(&self) -> &'static markers::Marker {
        if self.name == "llm" {
            &markers::LLM_SETTINGS
        } else {
            &markers::INTEGRATION_SETTINGS
        }
    }

    fn env_marker(&self) -> &'static markers::Marker {
        if self.name == "llm" {
            &markers::LLM_ENV
        } else {
            &markers::INTEGRATION_ENV
        }
    }
}

/// The integrations to validate, in table order.
fn enabled<'a>(facts: &Facts, modules: &[modules::Resolved<'a>]) -> Vec<&'static Integration> {
    let needs_llm = modules
        .iter()
        .any(|m| m.template.spec().llm && m.dir.is_some());
    INTEGRATIONS
        .iter()
        .filter(|i| {
            facts.manifest.integration_enabled(i.name)
                || (i.name == "llm" && needs_llm)
                || has_python(facts, &facts.pkg_path(&format!("integrations/{}", i.name)))
        })
        .collect()
}

fn has_python(facts: &Facts, dir: &str) -> bool {
    std::fs::read_dir(facts.root.join(dir)).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(".py")))
    })
}

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let modules = modules::resolve(facts);
    let enabled = enabled(facts, &modules);
    if enabled.is_empty() {
        return;
    }
    let package_init = facts.pkg_path("integrations/__init__.py");
    if !facts.root.join(&package_init).is_file() {
        issues.push(
            Issue::new(
                Code::IntegrationFileMissing,
                format!("integration package file {package_init} is missing"),
            )
            .at(package_init, None),
        );
    }
    let settings_class = facts.settings.file().and_then(|f| f.class("Settings"));
    let env = facts.env.text().map(active_env);
    for integration in enabled {
        missing_files(facts, integration, issues);
        dependency_issues(facts, integration, issues);
        if let Some(class) = settings_class {
            issues.extend(settings_missing(facts, integration, class));
        }
        if let Some(env) = &env {
            issues.extend(env_missing(facts, integration, env));
        }
    }
}

/// Reports the files of `integration` that are missing.
fn missing_files(facts: &Facts, integration: &Integration, issues: &mut Vec<Issue>) {
    let name = integration.name;
    for file in std::iter::once(&"__init__.py").chain(integration.files) {
        let path = facts.pkg_path(&format!("integrations/{name}/{file}"));
        if !facts.root.join(&path).is_file() {
            issues.push(
                Issue::new(
                    Code::IntegrationFileMissing,
                    format!("integration `{name}` is missing {path}"),
                )
                .at(path, None),
            );
        }
    }
}

/// Reports the dependency of `integration` when pyproject.toml lacks it or pins it too low.
fn dependency_issues(facts: &Facts, integration: &Integration, issues: &mut Vec<Issue>) {
    let (Some(requirement), Some(deps)) = (integration.dependency, &facts.dependencies) else {
        return;
    };
    let name = integration.name;
    let wanted = requirement_name(requirement);
    let floor = requirement.split(">=").nth(1).unwrap_or_default();
    let declared = deps.iter().find(|d| requirement_name(d) == wanted);
    if let Some(declared) = declared.filter(|d| !allows_at_least(d, floor)) {
        issues.push(
            Issue::new(
                Code::IntegrationDependencyMissing,
                format!("integration `{name}` needs `{requirement}`, but pyproject.toml pins `{declared}`"),
            )
            .at("pyproject.toml", None)
            .fix(format!("run `uv add \"{requirement}\"`")),
        );
    }
    if declared.is_none() {
        issues.push(
            Issue::new(
                Code::IntegrationDependencyMissing,
                format!("integration `{name}` needs the dependency `{requirement}`"),
            )
            .at("pyproject.toml", None)
            .fix(format!("run `uv add \"{requirement}\"`")),
        );
    }
}

/// The issue listing the settings fields of `integration` missing from `class Settings`,
/// if any are.
fn settings_missing(facts: &Facts, integration: &Integration, class: &Class) -> Option<Issue> {
    let name = integration.name;
    let missing: Vec<&str> = integration
        .settings
        .iter()
        .map(|(field, _)| *field)
        .filter(|field| !class.fields.iter().any(|(f, _)| f == field))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let marker = integration.settings_marker();
    let line = facts
        .settings
        .text()
        .and_then(|t| markers::find(t, marker))
        .map(|i| i + 1)
        .or(Some(class.line));
    Some(
        Issue::new(
            Code::IntegrationSettingMissing,
            format!(
                "integration `{name}` settings missing from class Settings: {}",
                missing.join(", ")
            ),
        )
        .at(&facts.settings.path, line)
        .fix(format!("add the fields above `{}`", marker.comment)),
    )
}

/// The issue listing the required env values of `integration` missing from the active
/// lines of `.env.example` (`env`), if any are.
fn env_missing(facts: &Facts, integration: &Integration, env: &[(String, usize)]) -> Option<Issue> {
    let name = integration.name;
    let missing: Vec<String> = integration
        .settings
        .iter()
        .filter(|(_, optional)| !optional)
        .map(|(field, _)| field.to_ascii_uppercase())
        .filter(|key| !env.iter().any(|(k, _)| k == key))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let marker = integration.env_marker();
    let line = facts
        .env
        .text()
        .and_then(|t| markers::find(t, marker))
        .map(|i| i + 1);
    Some(
        Issue::new(
            Code::IntegrationEnvMissing,
            format!(
                "integration `{name}` env values missing from .env.example: {}",
                missing.join(", ")
            ),
        )
        .at(".env.example", line)
        .fix(format!(
            "add active `NAME=value` lines above `{}`",
            marker.comment
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines() {
        let text =
            "# comment\nAPP_NAME=x\n# KAFKA_ACKS=all\nexport REDIS_URL = redis://\n\nnot a line\n";
        assert_eq!(
            active_env(text),
            [("APP_NAME".to_string(), 2), ("REDIS_URL".to_string(), 4)]
        );
    }
}
