//! The file set of a new project: rendered templates plus the manifest.

use std::path::PathBuf;

use crate::manifest::DbMode;
use crate::manifest::{self, Manifest};
use crate::templates::{self, Context, Rendered, TemplateError};

/// Options that shape a new project.
#[derive(Debug, Clone)]
pub struct ProjectOptions {
    pub name: String,
    pub package: String,
    pub db: DbMode,
    pub bytecode: bool,
    pub secret_key: String,
}

impl ProjectOptions {
    /// The template context for these options.
    pub fn context(&self) -> Context {
        Context {
            name: self.name.clone(),
            pkg: self.package.clone(),
            db: self.db.as_str().to_string(),
            has_db: self.db.has_db(),
            bytecode: self.bytecode,
            secret_key: self.secret_key.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Renders every file of a new project, sorted by path.
pub fn render_project(options: &ProjectOptions) -> Result<Vec<Rendered>, TemplateError> {
    let ctx = options.context();
    let mut files = templates::render_tree("project/base", &ctx)?;
    if options.db.has_db() {
        files.extend(templates::render_tree("project/db", &ctx)?);
    }
    files.push(Rendered {
        path: PathBuf::from(manifest::FILE_NAME),
        contents: Manifest::new_project(&options.package, options.db, options.bytecode),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// A fresh random 256-bit secret as 64 hex characters.
pub fn random_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot read the system's random source: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
