//! The project itself (`polepos start`): the rendered `project/base` tree, the
//! `project/db` tree in db modes, the manifest and `.env`.

use std::path::PathBuf;

use super::{Feature, GeneratedFile, ProjectContext, Recipe, Role};
use crate::manifest::{self, Manifest};
use crate::templates::{self, TemplateError};

/// The recipe of a new project; `secret_key` goes into `.env` only.
pub fn recipe(ctx: &ProjectContext, secret_key: &str) -> Result<Recipe, TemplateError> {
    Ok(Recipe {
        feature: Feature::Project,
        files: files(ctx, secret_key)?,
        wiring: Vec::new(),
        dependencies: Vec::new(),
        dev_dependencies: Vec::new(),
        conditional_dependencies: Vec::new(),
        manifest: None,
        fields: Vec::new(),
        revisions: Vec::new(),
        requires: Vec::new(),
        next_steps: Vec::new(),
    })
}

/// Every file of a new project, sorted by path.
fn files(ctx: &ProjectContext, secret_key: &str) -> Result<Vec<GeneratedFile>, TemplateError> {
    let template_ctx = ctx.template_context(secret_key);
    let mut rendered = templates::render_tree("project/base", &template_ctx)?;
    if ctx.db.has_db() {
        rendered.extend(templates::render_tree("project/db", &template_ctx)?);
    }
    let mut files: Vec<GeneratedFile> = rendered
        .into_iter()
        .map(|file| GeneratedFile {
            role: if file.path.as_os_str() == ".env" {
                Role::Secret
            } else {
                Role::Generated
            },
            path: file.path,
            contents: file.contents,
        })
        .collect();
    files.push(GeneratedFile {
        path: PathBuf::from(manifest::FILE_NAME),
        contents: Manifest::new_project(&ctx.package, ctx.db, ctx.bytecode),
        role: Role::Manifest,
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// A fresh random 256-bit secret as 64 hex characters.
pub(crate) fn random_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot read the system's random source: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
