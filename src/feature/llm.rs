//! The llm scaffold that ai-prompt modules share: `integrations/llm/` (SPEC §9's llm
//! row), its settings block above `# polepos:llm-settings`, its env block above
//! `# polepos:llm-env`, `[integrations] llm = true` and the HTTP client dependency —
//! the integration recipe of [`super::integration`], plus that dependency.
//!
//! The first ai-prompt module adds it in the same change set as the module; removing
//! the last ai-prompt module removes it in the same change set too.

use super::integration;
use super::{Conditional, ProjectContext, Recipe};
use crate::project::Project;
use crate::templates::TemplateError;

/// The integration's name (manifest key, directory, ledger owner `integration:llm`).
pub(crate) const NAME: &str = "llm";

/// The HTTP client the adapters use. Generated projects already test with it (`httpx2`
/// is what FastAPI's test client uses, in the dev extra); the adapters need it at run
/// time, so it goes into `[project] dependencies` unless something there provides it.
/// Removing the scaffold removes this exact line again (a requirement written another
/// way is the user's and stays).
const HTTP_DEPENDENCY: &str = "httpx2>=2.0";

/// What ai-prompt modules import from the llm package: file (relative to the package)
/// and the names it defines. A project whose llm package lacks them (the older tool's,
/// with another API) is refused rather than given a module that cannot import.
pub(crate) const MODULE_API: &[(&str, &[&str])] = &[
    ("integrations/llm/factory.py", &["get_llm_provider"]),
    (
        "integrations/llm/provider.py",
        &[
            "LLMError",
            "LLMNotConfiguredError",
            "LLMProvider",
            "LLMProviderError",
            "LLMTimeoutError",
        ],
    ),
    ("integrations/llm/schemas.py", &["Completion"]),
];

/// Whether the project has the scaffold already (`llm = true`, or its directory).
pub(crate) fn present(project: &Project) -> bool {
    project
        .manifest
        .as_ref()
        .is_some_and(|m| m.integration_enabled(NAME))
        || project
            .root
            .join(project.package_dir())
            .join("integrations")
            .join(NAME)
            .symlink_metadata()
            .is_ok()
}

/// The scaffold's recipe.
pub(crate) fn recipe(ctx: &ProjectContext) -> Result<Recipe, TemplateError> {
    let found = integration::find(NAME)
        .ok_or_else(|| TemplateError::MissingTree(format!("integration/{NAME}")))?;
    let mut recipe = integration::recipe(found, ctx)?;
    recipe.conditional_dependencies = vec![Conditional {
        requirement: HTTP_DEPENDENCY,
        provided_by: None,
    }];
    recipe.next_steps = Vec::new();
    Ok(recipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_client_is_recognised() {
        let client = &recipe(&crate::feature::ProjectContext {
            name: "shop".to_string(),
            package: "shop".to_string(),
            db: crate::manifest::DbMode::None,
            bytecode: true,
            auth: Default::default(),
        })
        .unwrap()
        .conditional_dependencies[0];
        assert!(!client.wanted(&["httpx2>=2.0,<3".to_string()]));
        assert!(!client.wanted(&["HTTPX2".to_string()]));
        assert!(client.wanted(&["httpx>=0.27".to_string()]));
        assert!(integration::find(NAME).is_some());
    }
}
