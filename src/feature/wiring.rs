//! Wiring: the statements and values a feature splices into files it does not own —
//! the router import and include in `api/router.py`, the model import in
//! `db/models.py`, the export in `modules/__init__.py`, and the settings and env blocks
//! of integrations.
//!
//! Each kind of wiring is one value with the four operations every command needs:
//! [`Wiring::insert`] (`add`), [`Wiring::locate`] and [`Wiring::remove`] (`remove`, by
//! meaning, so `remove` is the inverse of `insert`), and [`Wiring::found_in`] (what
//! `check` expects and what `add` refuses to write twice).

use super::{Block, RouterMount, module};
use crate::markers::Marker;
use crate::python;

/// Wiring a recipe splices into an existing file, at a marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wiring {
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

impl Wiring {
    /// The markers the splice needs.
    pub(crate) fn markers(&self) -> &[Marker] {
        match self {
            Wiring::Block(block) => std::slice::from_ref(&block.marker),
            Wiring::Mount(_) => &[
                crate::markers::ROUTER_IMPORTS,
                crate::markers::ROUTER_INCLUDES,
            ],
            Wiring::ModelImport { .. } => &[crate::markers::MODEL_IMPORTS],
            Wiring::Export(_) => &[crate::markers::MODULE_EXPORTS],
        }
    }

    /// The file the splice edits, relative to the project root.
    pub(crate) fn path(&self, pkg: &str) -> String {
        let marker = match self {
            Wiring::Mount(_) => &crate::markers::ROUTER_IMPORTS,
            Wiring::ModelImport { .. } => &crate::markers::MODEL_IMPORTS,
            Wiring::Export(_) => &crate::markers::MODULE_EXPORTS,
            Wiring::Block(block) => &block.marker,
        };
        marker.path(pkg)
    }

    /// Whether `file` already holds this wiring, by meaning (what `check` expects and
    /// what `add` refuses to write twice): the router imported under any name, the
    /// model imported in any form, the name listed in `__all__`. Blocks are text, not
    /// Python statements: [`Block::present_in`].
    pub(crate) fn found_in(&self, file: &python::PyFile) -> bool {
        match self {
            Wiring::Mount(mount) => mount.find(file).binding.is_some(),
            Wiring::ModelImport { package, .. } => file.imports(&format!("{package}.model")),
            Wiring::Export(name) => file.exports(name),
            Wiring::Block(_) => false,
        }
    }

    /// The 1-based, inclusive line ranges of the statements that make this wiring in
    /// `file` (whose text is `text`), found by meaning: the router import under any
    /// alias with the include of that alias, the model import in either spelling, the
    /// export line. Blocks are located verbatim by [`Block::find`] instead: none here.
    fn locate(&self, file: &python::PyFile, text: &str) -> Vec<(usize, usize)> {
        match self {
            Wiring::Mount(mount) => mount.line_ranges(file),
            Wiring::ModelImport { package, .. } => file
                .imports
                .iter()
                .filter(|i| {
                    (i.module == *package && i.name.as_deref() == Some("model"))
                        || i.module == format!("{package}.model")
                })
                .map(|i| (i.line, i.end_line))
                .collect(),
            Wiring::Export(name) => file
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
            Wiring::Block(_) => Vec::new(),
        }
    }

    /// `text` (of the file at `path`) without the statements [`Wiring::locate`] finds:
    /// the inverse of [`Wiring::apply`]. Refuses a file that does not parse, before or
    /// after.
    pub(crate) fn remove(&self, text: &str, path: &str) -> Result<String, String> {
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
    pub(crate) fn needs_db(&self) -> bool {
        matches!(self, Wiring::ModelImport { .. })
    }

    /// Writes the wiring into `text` above its marker(s); `None` when a marker is
    /// missing. [`Wiring::remove`] is its inverse.
    pub(crate) fn insert(&self, text: &str) -> Option<String> {
        match self {
            Wiring::Mount(mount) => mount.splice(text),
            Wiring::ModelImport { package, alias } => crate::markers::insert_above(
                text,
                &crate::markers::MODEL_IMPORTS,
                &Wiring::model_import_line(package, alias),
                true,
            ),
            Wiring::Export(name) => crate::markers::insert_above(
                text,
                &crate::markers::MODULE_EXPORTS,
                &format!("\"{name}\","),
                false,
            ),
            Wiring::Block(block) => block.apply(text),
        }
    }

    /// The model import line.
    fn model_import_line(package: &str, alias: &str) -> String {
        format!("from {package} import model as {alias}  # noqa: F401")
    }

    /// A module's model import: `from <pkg>.modules.<n> import model as <n>_model`.
    pub(crate) fn module_model_import(pkg: &str, name: &str) -> Wiring {
        Wiring::ModelImport {
            package: module::package(pkg, name),
            alias: format!("{name}_model"),
        }
    }

    /// The line a model import writes; `None` for other splices.
    pub(crate) fn model_line(&self) -> Option<String> {
        match self {
            Wiring::ModelImport { package, alias } => {
                Some(Wiring::model_import_line(package, alias))
            }
            Wiring::Mount(_) | Wiring::Export(_) | Wiring::Block(_) => None,
        }
    }
}
