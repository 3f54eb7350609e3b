//! What a feature *is*: the one place that says which files it writes, which lines it
//! splices at which marker, which dependency it adds and which manifest entry records it.
//!
//! A [`Feature`] (the project itself, auth, a module, an integration) turns into a
//! [`Recipe`] for a concrete project ([`ProjectContext`]). Commands do not write files
//! themselves: they hand a recipe to the planner in [`plan`], which checks every
//! precondition at once and returns a [`crate::changeset::ChangeSet`] (and the ledger
//! entries that go with it); `check` reads the same tables ([`mount`], [`module`],
//! [`integration`], [`auth`]) for its expectations, so writing and checking cannot drift.

pub mod auth;
pub mod block;
mod edit;
pub mod integration;
pub mod llm;
pub mod module;
pub mod mount;
pub mod plan;
pub mod project;
mod references;
pub mod remove;
pub mod tables;
pub mod upgrade;
pub mod upgrade_notes;

use std::fmt;
use std::path::PathBuf;

use crate::manifest::DbMode;
use crate::markers::Marker;
use crate::project::Project;
use crate::python;
use crate::templates::Context;

pub use block::Block;
pub use mount::RouterMount;

/// A feature polepos can add (closed set; the manifest names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
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
}

impl Feature {
    /// The ledger owner of the feature's files: `project`, `auth`, `module:<n>`,
    /// `integration:<n>`.
    pub fn owner(&self) -> String {
        match self {
            Feature::Project => "project".to_string(),
            Feature::Auth => "auth".to_string(),
            Feature::Module { name, .. } => format!("module:{name}"),
            Feature::Integration(name) => format!("integration:{name}"),
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
}

impl ProjectContext {
    /// The context of an existing project; its name is `[project] name` from
    /// `pyproject.toml` (what `start` wrote there), else the package name.
    pub fn of(project: &Project) -> ProjectContext {
        let name = std::fs::read_to_string(project.root.join("pyproject.toml"))
            .ok()
            .and_then(|text| crate::pyproject::Pyproject::parse(&text).ok())
            .and_then(|p| p.project_name())
            .unwrap_or_else(|| project.package.clone());
        ProjectContext {
            name,
            package: project.package.clone(),
            db: project.db,
            bytecode: project.bytecode,
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
        }
    }

    /// `src/<pkg>/<rel>`.
    pub fn pkg_path(&self, rel: &str) -> String {
        format!("src/{}/{rel}", self.package)
    }
}

/// What a generated file is, which decides how it is written and recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
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
    pub role: Role,
}

impl GeneratedFile {
    /// Every file of a template tree, as generated source (recorded in the ledger).
    pub fn render_tree(
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

/// Wiring a recipe splices into an existing file, at a marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Splice {
    /// Router import and include in `api/router.py`.
    Mount(RouterMount),
    /// `from <package> import model as <alias>  # noqa: F401` in `import_models()`.
    ModelImport { package: String, alias: String },
    /// `"<name>",` in `__all__` of `modules/__init__.py`.
    Export(String),
    /// Lines inserted above a marker: an integration's settings fields above
    /// `# polepos:integration-settings`, its env values above `# polepos:integration-env`
    /// (only the entries the file lacks; see [`block`]).
    Block(Block),
}

impl Splice {
    /// The markers the splice needs.
    pub fn markers(&self) -> &[Marker] {
        match self {
            Splice::Block(block) => std::slice::from_ref(&block.marker),
            Splice::Mount(_) => &[
                crate::markers::ROUTER_IMPORTS,
                crate::markers::ROUTER_INCLUDES,
            ],
            Splice::ModelImport { .. } => &[crate::markers::MODEL_IMPORTS],
            Splice::Export(_) => &[crate::markers::MODULE_EXPORTS],
        }
    }

    /// The file the splice edits, relative to the project root.
    pub fn path(&self, pkg: &str) -> String {
        let marker = match self {
            Splice::Mount(_) => &crate::markers::ROUTER_IMPORTS,
            Splice::ModelImport { .. } => &crate::markers::MODEL_IMPORTS,
            Splice::Export(_) => &crate::markers::MODULE_EXPORTS,
            Splice::Block(block) => &block.marker,
        };
        marker.path(pkg)
    }

    /// Whether `file` already holds this wiring, by meaning (what `check` expects and
    /// what `add` refuses to write twice): the router imported under any name, the
    /// model imported in any form, the name listed in `__all__`. Blocks are text, not
    /// Python statements: [`Block::present_in`].
    pub fn found_in(&self, file: &python::PyFile) -> bool {
        match self {
            Splice::Mount(mount) => mount.find(file).binding.is_some(),
            Splice::ModelImport { package, .. } => file.imports(&format!("{package}.model")),
            Splice::Export(name) => file.exports(name),
            Splice::Block(_) => false,
        }
    }

    /// The 1-based, inclusive line ranges of the statements that make this wiring in
    /// `file` (whose text is `text`), found by meaning: the router import under any
    /// alias with the include of that alias, the model import in either spelling, the
    /// export line. Blocks are located verbatim by [`Block::find`] instead: none here.
    pub fn locate(&self, file: &python::PyFile, text: &str) -> Vec<(usize, usize)> {
        match self {
            Splice::Mount(mount) => mount.line_ranges(file),
            Splice::ModelImport { package, .. } => file
                .imports
                .iter()
                .filter(|i| {
                    (i.module == *package && i.name.as_deref() == Some("model"))
                        || i.module == format!("{package}.model")
                })
                .map(|i| (i.line, i.end_line))
                .collect(),
            Splice::Export(name) => file
                .all
                .iter()
                .flat_map(|all| &all.items)
                .filter(|(item, line)| {
                    item == name
                        && text.lines().nth(line - 1).is_some_and(|l| {
                            let t = l.trim();
                            t == format!("\"{name}\",") || t == format!("'{name}',")
                        })
                })
                .map(|(_, line)| (*line, *line))
                .collect(),
            Splice::Block(_) => Vec::new(),
        }
    }

    /// `text` (of the file at `path`) without the statements [`Splice::locate`] finds:
    /// the inverse of [`Splice::apply`]. Refuses a file that does not parse, before or
    /// after.
    pub fn remove(&self, text: &str, path: &str) -> Result<String, String> {
        let package = python::package_of(path);
        let file = python::parse(text, &package)
            .map_err(|e| format!("{path}:{} has a Python syntax error: {}", e.line, e.message))?;
        let ranges = self.locate(&file, text);
        if ranges.is_empty() {
            return Ok(text.to_string());
        }
        let new: String = text
            .split_inclusive('\n')
            .enumerate()
            .filter(|(index, _)| {
                let line = index + 1;
                !ranges
                    .iter()
                    .any(|(start, end)| (*start..=*end).contains(&line))
            })
            .map(|(_, l)| l)
            .collect();
        match python::syntax_error(&new) {
            None => Ok(new),
            Some(_) => Err(format!(
                "taking the wiring out of {path} would break its syntax (it shares lines with other statements)"
            )),
        }
    }

    /// Whether the edited file exists only in projects with a database layer.
    pub fn needs_db(&self) -> bool {
        matches!(self, Splice::ModelImport { .. })
    }

    /// Writes the splice into `text` above its marker(s); `None` when a marker is missing.
    pub fn apply(&self, text: &str) -> Option<String> {
        match self {
            Splice::Mount(mount) => mount.splice(text),
            Splice::ModelImport { package, alias } => crate::markers::insert_above(
                text,
                &crate::markers::MODEL_IMPORTS,
                &Splice::model_import_line(package, alias),
                true,
            ),
            Splice::Export(name) => crate::markers::insert_above(
                text,
                &crate::markers::MODULE_EXPORTS,
                &format!("\"{name}\","),
                false,
            ),
            Splice::Block(block) => block.apply(text),
        }
    }

    /// The model import line.
    pub fn model_import_line(package: &str, alias: &str) -> String {
        format!("from {package} import model as {alias}  # noqa: F401")
    }

    /// A module's model import: `from <pkg>.modules.<n> import model as <n>_model`.
    pub fn module_model_import(pkg: &str, name: &str) -> Splice {
        Splice::ModelImport {
            package: module::package(pkg, name),
            alias: format!("{name}_model"),
        }
    }

    /// The line a model import writes; `None` for other splices.
    pub fn model_line(&self) -> Option<String> {
        match self {
            Splice::ModelImport { package, alias } => {
                Some(Splice::model_import_line(package, alias))
            }
            Splice::Mount(_) | Splice::Export(_) | Splice::Block(_) => None,
        }
    }
}

/// A requirement added only when nothing in `[project] dependencies` provides it yet.
#[derive(Debug, Clone, Copy)]
pub struct Conditional {
    pub requirement: &'static str,
    /// Whether an existing requirement already provides it.
    pub provided_by: fn(&str) -> bool,
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
    pub fn wanted(&self, dependencies: &[String]) -> bool {
        !dependencies.iter().any(|d| (self.provided_by)(d))
    }
}

/// The manifest entry that records a feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestEntry {
    /// `[integrations] <name> = true`.
    Integration(&'static str),
    /// `[modules] <name> = "<value>"` (e.g. `crud[pagination,timestamps]`).
    Module { name: String, value: String },
}

/// A condition a project must meet before the recipe can be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
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
    pub fn added_dependencies<'a>(
        &'a self,
        present: &'a [String],
    ) -> impl Iterator<Item = &'a str> {
        let conditional = self
            .conditional_dependencies
            .iter()
            .filter(|c| c.wanted(present))
            .map(|c| c.requirement);
        self.dependencies.iter().copied().chain(conditional)
    }

    /// Whether the recipe adds any dependency at all.
    pub fn has_dependencies(&self) -> bool {
        !(self.dependencies.is_empty() && self.conditional_dependencies.is_empty())
    }
}

/// Everything one feature adds to one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    pub feature: Feature,
    pub files: Vec<GeneratedFile>,
    pub splices: Vec<Splice>,
    /// PEP 508 requirements added to `[project] dependencies`.
    pub dependencies: Vec<&'static str>,
    /// Requirements added only when no existing dependency provides them.
    pub conditional_dependencies: Vec<Conditional>,
    pub manifest: Option<ManifestEntry>,
    pub requires: Vec<Precondition>,
    /// Printed after a successful add.
    pub next_steps: Vec<String>,
}
