//! PPCHK039 for imports inside the project that cannot resolve: the wiring files
//! (`api/router.py`, `db/models.py`, `modules/__init__.py`) must only import what exists.
//!
//! `from shop.modules.items import modle as items_model` names a module that exists, but
//! `modle` is neither a submodule of it nor a name its `__init__.py` defines: the app
//! would fail at import time. Imports of module directories that do not exist at all are
//! reported by the orphan rule in [`super::modules`]; this rule covers the rest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Issue;
use super::codes::Code;
use super::facts::{Facts, PyFacts};
use super::source::Source;
use crate::python::{self, Import, PyFile, Scope};

/// Names a package's `__init__.py` defines, parsed once per check.
#[derive(Default)]
struct Definitions {
    cache: HashMap<PathBuf, Option<Vec<String>>>,
}

impl Definitions {
    /// The names `file` defines at top level; `None` when it cannot be read or parsed
    /// (then nothing is claimed about it).
    fn of(&mut self, root: &Path, rel: &Path, package: &str) -> Option<&Vec<String>> {
        self.cache
            .entry(rel.to_path_buf())
            .or_insert_with(|| match Source::read(&root.join(rel)) {
                Source::Text(text) => python::parse(&text, package).ok().map(|f| names(&f)),
                _ => None,
            })
            .as_ref()
    }
}

fn names(file: &PyFile) -> Vec<String> {
    let mut out: Vec<String> = file
        .imports
        .iter()
        .filter(|i| i.scope != Scope::TypeChecking)
        .map(|i| i.bound.clone())
        .chain(file.assigned.iter().map(|(n, _, _)| n.clone()))
        .chain(file.functions.iter().map(|f| f.name.clone()))
        .chain(file.classes.iter().map(|c| c.name.clone()))
        .collect();
    if let Some(all) = &file.all {
        out.extend(all.items.iter().map(|(n, _)| n.clone()));
    }
    out
}

/// Where a dotted module inside the package lives: `Module(file)`, `Package(dir)`.
enum Target {
    Module(PathBuf),
    Package(PathBuf),
    Missing,
}

fn locate(root: &Path, dotted: &str) -> Target {
    let rel: PathBuf = Path::new("src").join(dotted.replace('.', "/"));
    let file = rel.with_extension("py");
    if root.join(&file).is_file() {
        return Target::Module(file);
    }
    if root.join(&rel).is_dir() {
        return Target::Package(rel);
    }
    Target::Missing
}

pub fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let mut definitions = Definitions::default();
    for file in [&facts.router, &facts.models, &facts.modules_init] {
        check_file(facts, file, &mut definitions, issues);
    }
}

fn check_file(
    facts: &Facts,
    file: &PyFacts,
    definitions: &mut Definitions,
    issues: &mut Vec<Issue>,
) {
    let Some(parsed) = file.file() else { return };
    let pkg = &facts.pkg;
    for import in &parsed.imports {
        if import.scope == Scope::TypeChecking || !in_project(&import.module, pkg) {
            continue;
        }
        if let Some(problem) = unresolved(&facts.root, pkg, import, definitions) {
            issues.push(
                Issue::new(
                    Code::OrphanReference,
                    format!("{} imports {problem}", file.path),
                )
                .at(&file.path, Some(import.line))
                .fix("correct the import (a typo in a module or attribute name?), or restore what it names"),
            );
        }
    }
}

/// Whether `word` occurs in `text` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

fn in_project(module: &str, pkg: &str) -> bool {
    module == pkg || module.starts_with(&format!("{pkg}."))
}

/// Why `import` cannot resolve, or `None` when it can (or when that cannot be told).
fn unresolved(
    root: &Path,
    pkg: &str,
    import: &Import,
    definitions: &mut Definitions,
) -> Option<String> {
    // Missing module directories are the orphan rule's to report.
    let modules = format!("{pkg}.modules.");
    let module_dir_missing = import
        .module
        .strip_prefix(&modules)
        .map(|rest| rest.split('.').next().unwrap_or(rest))
        .is_some_and(|name| {
            !root
                .join("src")
                .join(pkg)
                .join("modules")
                .join(name)
                .is_dir()
        });
    if module_dir_missing {
        return None;
    }
    let target = locate(root, &import.module);
    let Some(name) = &import.name else {
        return matches!(target, Target::Missing)
            .then(|| format!("`{}`, which does not exist", import.module));
    };
    if name == "*" {
        return None;
    }
    match target {
        Target::Missing => Some(format!("from `{}`, which does not exist", import.module)),
        Target::Package(dir) => {
            if root.join(dir.join(format!("{name}.py"))).is_file()
                || root.join(dir.join(name)).is_dir()
            {
                return None;
            }
            let init = dir.join("__init__.py");
            if !root.join(&init).is_file() {
                return Some(format!(
                    "`{name}` from `{}`, which has neither a submodule `{name}` nor an `__init__.py`",
                    import.module
                ));
            }
            let defined = definitions.of(root, &init, &import.module)?;
            (!defined.iter().any(|d| d == name)).then(|| {
                format!(
                    "`{name}` from `{}`, which has no submodule `{name}` and does not define it",
                    import.module
                )
            })
        }
        Target::Module(file) => {
            // Module files (every module's router.py, say) are many and already parsed by
            // the module scan: a name that does not occur in the file as a word is
            // certainly not defined there; one that occurs is taken as defined.
            let Source::Text(text) = Source::read(&root.join(&file)) else {
                return None;
            };
            (!mentions(&text, name)).then(|| {
                format!(
                    "`{name}` from `{}`, which does not define it",
                    import.module
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        assert!(mentions("router = APIRouter()", "router"));
        assert!(!mentions("api_router = APIRouter()", "router"));
        assert!(!mentions("routers = []", "router"));
    }
}
