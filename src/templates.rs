//! Templates embedded in the binary and rendered with a strict engine.
//!
//! The `templates/` tree is compiled into the binary. Every file ends in `.j2` (so the
//! repository's own tooling never mistakes a template for a real `.gitignore` or `.py`);
//! the suffix is stripped, a `__pkg__` path segment becomes the package name and
//! `__module__` anywhere in a file or directory name becomes the module name. Rendering
//! uses minijinja with strict undefined behaviour: a misspelt variable is an error, never
//! an empty string.

use std::path::PathBuf;

use include_dir::{Dir, DirEntry, include_dir};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Variables every template can use.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// Project name as typed (e.g. `shop-api`).
    pub name: String,
    /// Python package name (e.g. `shop_api`).
    pub pkg: String,
    /// `sqlite`, `postgres` or `none`.
    pub db: String,
    /// Whether the project has a database layer.
    pub has_db: bool,
    /// False after `--no-bytecode`.
    pub bytecode: bool,
    /// Fresh random secret for `.env`.
    pub secret_key: String,
    /// The polepos version.
    pub version: String,
    /// The module being rendered (`add module` only; its variables are defined with
    /// the module recipe, `feature::module::ModuleContext`); `None` elsewhere, so a
    /// module variable used outside a module template is an error.
    pub module: Option<minijinja::Value>,
    /// The auth extensions the auth files are rendered with (SPEC §15; all off for the
    /// seed's auth and for every other template).
    pub auth: AuthFlags,
}

/// Which auth extensions are on, as template variables (`auth.sessions`, ...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuthFlags {
    pub sessions: bool,
    pub rate_limit: bool,
    pub password_reset: bool,
    pub verify_email: bool,
    pub tenants: bool,
    /// The mail package, which the extensions that send mail bring.
    pub mail: bool,
}

/// A rendered file: its path relative to the project root and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub path: PathBuf,
    pub contents: String,
}

/// Errors naming the template involved.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template tree `{0}` is not embedded in this build")]
    MissingTree(String),
    #[error("template {path} is not UTF-8")]
    NotUtf8 { path: String },
    #[error("template {path} failed to render: {source:#}")]
    Render {
        path: String,
        source: minijinja::Error,
    },
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // `{% include "module/typed/model.py.jinja" %}`: the parts the typed module
    // templates share live once, outside any tree (they end in `.jinja`, not `.j2`,
    // so no tree renders them as files).
    env.set_loader(|name| {
        Ok(TEMPLATES
            .get_file(name)
            .and_then(|file| file.contents_utf8())
            .map(str::to_string))
    });
    env
}

/// Renders every file under `templates/<tree>` (e.g. `project/base`, `auth`).
pub fn render_tree(tree: &str, ctx: &Context) -> Result<Vec<Rendered>, TemplateError> {
    let dir = TEMPLATES
        .get_dir(tree)
        .ok_or_else(|| TemplateError::MissingTree(tree.to_string()))?;
    let env = environment();
    let mut out = Vec::new();
    collect(dir, tree, &env, ctx, &mut out)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Renders one template file (e.g. `integration/kafka.settings.j2`), for text that is
/// spliced into an existing file rather than written as a file of its own.
pub(crate) fn render_file(path: &str, ctx: &Context) -> Result<String, TemplateError> {
    let file = TEMPLATES
        .get_file(path)
        .ok_or_else(|| TemplateError::MissingTree(path.to_string()))?;
    let source = file.contents_utf8().ok_or_else(|| TemplateError::NotUtf8 {
        path: path.to_string(),
    })?;
    environment()
        .template_from_named_str(path, source)
        .and_then(|template| template.render(ctx))
        .map_err(|source| TemplateError::Render {
            path: path.to_string(),
            source,
        })
}

fn collect(
    dir: &Dir<'static>,
    tree: &str,
    env: &Environment<'static>,
    ctx: &Context,
    out: &mut Vec<Rendered>,
) -> Result<(), TemplateError> {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => collect(sub, tree, env, ctx, out)?,
            DirEntry::File(file) => {
                let full = file.path().to_string_lossy().replace('\\', "/");
                let Some(source) = file.contents_utf8() else {
                    return Err(TemplateError::NotUtf8 { path: full });
                };
                let relative = full
                    .strip_prefix(tree)
                    .unwrap_or(&full)
                    .trim_start_matches('/');
                let Some(relative) = relative.strip_suffix(".j2") else {
                    continue;
                };
                let name = ctx.module.as_ref().and_then(|m| m.get_attr("name").ok());
                let module = name.as_ref().and_then(|n| n.as_str());
                let path: PathBuf = relative
                    .split('/')
                    .map(|seg| match (seg, module) {
                        ("__pkg__", _) => ctx.pkg.clone(),
                        (_, Some(module)) => seg.replace("__module__", module),
                        _ => seg.to_string(),
                    })
                    .collect();
                let name: &'static str = file.path().to_str().unwrap_or("template");
                let contents = env
                    .template_from_named_str(name, source)
                    .and_then(|template| template.render(ctx))
                    .map_err(|source| TemplateError::Render {
                        path: full.clone(),
                        source,
                    })?;
                out.push(Rendered { path, contents });
            }
        }
    }
    Ok(())
}

/// The files of template tree `tree`, relative to it and without `.j2`, placeholders
/// (`__pkg__`, `__module__`) kept, sorted; empty when the tree is not embedded.
pub(crate) fn paths(tree: &str) -> Vec<String> {
    fn walk(dir: &Dir<'static>, tree: &str, out: &mut Vec<String>) {
        for entry in dir.entries() {
            match entry {
                DirEntry::Dir(sub) => walk(sub, tree, out),
                DirEntry::File(file) => {
                    let full = file.path().to_string_lossy().replace('\\', "/");
                    let relative = full.strip_prefix(tree).unwrap_or(&full);
                    if let Some(path) = relative.trim_start_matches('/').strip_suffix(".j2") {
                        out.push(path.to_string());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Some(dir) = TEMPLATES.get_dir(tree) {
        walk(dir, tree, &mut out);
    }
    out.sort();
    out
}

/// Every top-level template tree name that renders a set of files, for tests.
#[cfg(test)]
fn trees() -> Vec<&'static str> {
    vec![
        "project/base",
        "project/db",
        "auth",
        "module/standard",
        "module/crud",
        "module/api_only",
        "module/service_only",
        "module/ai_prompt",
        "integration/llm",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_variables_are_errors() {
        let env = environment();
        let err = env
            .render_str("{{ missing }}", minijinja::context! {})
            .unwrap_err();
        assert_eq!(err.kind(), minijinja::ErrorKind::UndefinedError);
    }

    #[test]
    fn every_tree_is_embedded() {
        for tree in trees() {
            assert!(TEMPLATES.get_dir(tree).is_some(), "{tree}");
        }
    }
}
