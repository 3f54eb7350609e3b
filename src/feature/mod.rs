//! What a feature *is*: the one place that says which files it writes, which lines it
//! splices at which marker, which dependency it adds and which manifest entry records it.
//!
//! A [`Feature`] (the project itself, auth, a module, an integration) turns into a
//! [`Recipe`] for a concrete project ([`ProjectContext`]). Commands do not write files
//! themselves: they hand a recipe to the planner in [`plan`], which checks every
//! precondition at once and returns a [`crate::changeset::ChangeSet`] (and the ledger
//! entries that go with it); `check` reads the same tables ([`mount`], [`module`],
//! [`integration`], [`auth`]) for its expectations, so writing and checking cannot drift.

pub(crate) mod auth;
pub mod auth_extension;
pub(crate) mod block;
pub(crate) mod edit;
pub(crate) mod field_code;
pub(crate) mod fields;
pub(crate) mod integration;
pub(crate) mod llm;
pub(crate) mod merge;
pub mod module;
pub(crate) mod mount;
pub mod plan;
pub mod project;
mod references;
pub(crate) mod remove;
pub(crate) mod tables;
pub(crate) mod upgrade;
pub(crate) mod upgrade_notes;
mod wiring;

use std::fmt;
use std::path::PathBuf;

use crate::manifest::DbMode;
use crate::project::Project;
use crate::templates::Context;

use block::Block;
pub(crate) use mount::RouterMount;
pub(crate) use wiring::Wiring;

/// A feature polepos can add (closed set; the manifest names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Feature {
    /// What `start` writes.
    Project,
    /// `add auth`.
    Auth,
    /// `add module <name>`.
    Module {
        name: String,
        template: module::Template,
    },
    /// `add integration <name>` (and `llm`, added by ai-prompt modules).
    Integration(&'static str),
    /// `add auth --<extension>`.
    AuthExtension(auth_extension::Extension),
}

impl Feature {
    /// The ledger owner of the feature's files: `project`, `auth`, `module:<n>`,
    /// `integration:<n>`, `auth:<extension>`.
    pub(crate) fn owner(&self) -> String {
        match self {
            Feature::Project => "project".to_string(),
            Feature::Auth => "auth".to_string(),
            Feature::Module { name, .. } => format!("module:{name}"),
            Feature::Integration(name) => format!("integration:{name}"),
            Feature::AuthExtension(extension) => format!("auth:{}", extension.name()),
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Feature::Project => f.write_str("the project"),
            Feature::Auth => f.write_str("auth"),
            Feature::Module { name, .. } => write!(f, "module `{name}`"),
            Feature::Integration(name) => write!(f, "the {name} integration"),
            Feature::AuthExtension(extension) => {
                write!(f, "the auth extension `{}`", extension.name())
            }
        }
    }
}

/// The facts about a project that templates are rendered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectContext {
    /// The project name as typed at `start` (the package name for existing projects,
    /// whose manifest does not record it).
    pub name: String,
    pub package: String,
    pub db: DbMode,
    pub bytecode: bool,
    /// The auth extensions the manifest lists (the project README documents them).
    pub auth: crate::templates::AuthFlags,
}

impl ProjectContext {
    /// The context of an existing project; its name is `[project] name` from
    /// `pyproject.toml` (what `start` wrote there), else the package name.
    pub(crate) fn of(project: &Project) -> ProjectContext {
        let name = std::fs::read_to_string(project.root.join("pyproject.toml"))
            .ok()
            .and_then(|text| crate::pyproject::Pyproject::parse(&text).ok())
            .and_then(|p| p.project_name())
            .unwrap_or_else(|| project.package.clone());
        let extensions = project
            .manifest
            .as_ref()
            .and_then(|m| m.auth_extensions().ok())
            .map(|names| auth_extension::from_names(&names).0)
            .unwrap_or_default();
        ProjectContext {
            name,
            package: project.package.clone(),
            db: project.db,
            bytecode: project.bytecode,
            auth: auth_extension::flags(&extensions),
        }
    }

    /// The template variables; `secret_key` only matters to `.env`.
    pub fn template_context(&self, secret_key: &str) -> Context {
        Context {
            name: self.name.clone(),
            pkg: self.package.clone(),
            db: self.db.as_str().to_string(),
            has_db: self.db.has_db(),
            bytecode: self.bytecode,
            secret_key: secret_key.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            module: None,
            auth: self.auth,
        }
    }

    /// `src/<pkg>/<rel>`.
    fn pkg_path(&self, rel: &str) -> String {
        format!("src/{}/{rel}", self.package)
    }
}

/// What a generated file is, which decides how it is written and recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Source, test or configuration: recorded in the ledger.
    Generated,
    /// The manifest: edited by every command (and rewritten by the older tool), so it is
    /// not recorded.
    Manifest,
    /// Shared by every feature of a kind (`integrations/__init__.py`, the integration
    /// tests' conftest): written by the first one when absent, recorded under the named
    /// owner, removed with the last one.
    Shared(&'static str),
    /// `.env`: holds the signing key, readable by its owner only, git-ignored, never
    /// recorded in the committed ledger.
    Secret,
}

/// One file a recipe writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the project root.
    pub path: PathBuf,
    pub contents: String,
    pub(crate) role: Role,
}

impl GeneratedFile {
    /// Every file of a template tree, as generated source (recorded in the ledger).
    fn render_tree(
        tree: &str,
        ctx: &crate::templates::Context,
    ) -> Result<Vec<GeneratedFile>, crate::templates::TemplateError> {
        Ok(crate::templates::render_tree(tree, ctx)?
            .into_iter()
            .map(|file| GeneratedFile {
                path: file.path,
                contents: file.contents,
                role: Role::Generated,
            })
            .collect())
    }
}

/// A requirement added only when nothing in `[project] dependencies` provides it yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Conditional {
    pub requirement: &'static str,
    /// Whether an existing requirement already provides it, when that takes more than
    /// naming the same package (`None`: a requirement of the same name provides it).
    pub provided_by: Option<fn(&str) -> bool>,
}

/// Two conditionals are the same when they add the same requirement.
impl PartialEq for Conditional {
    fn eq(&self, other: &Self) -> bool {
        self.requirement == other.requirement
    }
}

impl Eq for Conditional {}

impl Conditional {
    /// Whether `dependencies` lack it.
    fn wanted(&self, dependencies: &[String]) -> bool {
        let name = crate::pyproject::requirement_name(self.requirement);
        !dependencies.iter().any(|d| match self.provided_by {
            Some(provides) => provides(d),
            None => crate::pyproject::requirement_name(d) == name,
        })
    }
}

/// The manifest entry that records a feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ManifestEntry {
    /// `[integrations] <name> = true`.
    Integration(&'static str),
    /// `[modules] <name> = "<value>"` (e.g. `crud[pagination,timestamps]`).
    Module { name: String, value: String },
    /// `<name>` in `[poleposition] auth_extensions`.
    AuthExtension(&'static str),
}

/// A change to a file polepos generated for another feature: what it generated before
/// and what it generates now. The planner carries the difference over to the file as it
/// is ([`merge::rebase`]); removing the feature carries it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revision {
    /// Relative to the project root, with `/` separators.
    pub path: String,
    pub before: String,
    pub after: String,
    /// Documentation (the project README): where the file was edited where the change
    /// goes, or is gone, it is left as it is and the command says so, instead of
    /// refusing.
    pub soft: bool,
}

/// A condition a project must meet before the recipe can be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// The project has a database layer.
    HasDatabase,
    /// Foundation files (relative to the package) that the added code imports.
    Foundation(&'static [&'static str]),
    /// No module of this name exists (directory or manifest entry).
    FreeModuleName(String),
    /// No model under the package defines this table.
    FreeTable(String),
    /// Existing files (relative to the package) define the names the added code imports
    /// from them (an ai-prompt module and the project's llm package).
    Defines(&'static [(&'static str, &'static [&'static str])]),
    /// The project has polepos's auth: the database-backed active-user dependency
    /// (`auth/user_service.py`'s `get_current_active_user`) that `--auth-required`
    /// routes depend on.
    Auth,
}

impl Recipe {
    /// The requirements adding this recipe writes into a project that already depends
    /// on `present`: every mandatory one, and each conditional one nothing provides yet.
    fn added_dependencies<'a>(&'a self, present: &'a [String]) -> impl Iterator<Item = &'a str> {
        let conditional = self
            .conditional_dependencies
            .iter()
            .filter(|c| c.wanted(present))
            .map(|c| c.requirement);
        self.dependencies.iter().copied().chain(conditional)
    }

    /// Whether the recipe adds any dependency at all.
    fn has_dependencies(&self) -> bool {
        !(self.dependencies.is_empty()
            && self.conditional_dependencies.is_empty()
            && self.dev_dependencies.is_empty())
    }
}

/// Everything one feature adds to one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    pub(crate) feature: Feature,
    pub files: Vec<GeneratedFile>,
    pub(crate) wiring: Vec<Wiring>,
    /// PEP 508 requirements added to `[project] dependencies`.
    pub dependencies: Vec<&'static str>,
    /// Requirements added to `[project.optional-dependencies] dev` (what the generated
    /// tests need).
    pub dev_dependencies: Vec<&'static str>,
    /// Requirements added only when no existing dependency provides them.
    pub(crate) conditional_dependencies: Vec<Conditional>,
    pub(crate) manifest: Option<ManifestEntry>,
    /// A module's typed fields, as the canonical specs the ledger records (empty for
    /// every other feature, and for a module with the classic `name` column).
    pub fields: Vec<String>,
    /// Files of other features this one changes (an auth extension's changes to the
    /// seed's auth files).
    pub(crate) revisions: Vec<Revision>,
    pub(crate) requires: Vec<Precondition>,
    /// Printed after a successful add.
    pub next_steps: Vec<String>,
}
