//! PPCHK039 for imports inside the project that cannot resolve: the wiring files
//! (`api/router.py`, `db/models.py`, `modules/__init__.py`) must only import what exists.
//!
//! `from shop.modules.items import modle as items_model` names a module that exists, but
//! `modle` is neither a submodule of it nor a name its `__init__.py` defines: the app
//! would fail at import time. Imports of module directories that do not exist at all are
//! reported by the orphan rule in [`super::modules`]; this rule covers the rest.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::Issue;
use super::codes::Code;
use super::facts::{Facts, PyFacts};
use super::scan::ModuleDir;
use super::source::Source;
use crate::python::{self, Import, Scope};

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
                Source::Text(text) => python::parse(&text, package)
                    .ok()
                    .map(|f| f.defined_names()),
                _ => None,
            })
            .as_ref()
    }
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

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
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
        if resolved_by_scan(&facts.modules, pkg, import) {
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

/// Whether the module scan already shows that `import` resolves: it names a file or a
/// directory the scan found in a module, or a name one of the module's top-level files
/// defines. On a project with a thousand modules this answers the wiring files'
/// thousands of imports without touching the disk again. Only a "yes" is taken from
/// here; anything else goes through [`unresolved`], which looks at the disk.
fn resolved_by_scan(modules: &BTreeMap<String, ModuleDir>, pkg: &str, import: &Import) -> bool {
    let Some(rest) = import
        .module
        .strip_prefix(pkg)
        .and_then(|r| r.strip_prefix(".modules."))
    else {
        return false;
    };
    let (name, inner) = rest.split_once('.').unwrap_or((rest, ""));
    let Some(dir) = modules.get(name) else {
        return false;
    };
    let path = inner.replace('.', "/");
    let file = if path.is_empty() {
        None
    } else {
        Some(format!("{path}.py"))
    };
    let package_prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    let is_package = path.is_empty() || dir.files.iter().any(|f| f.starts_with(&package_prefix));
    let is_file = file.as_ref().is_some_and(|f| dir.files.contains(f));
    let Some(imported) = &import.name else {
        return is_file || is_package;
    };
    if is_file {
        return file
            .and_then(|f| dir.defines.get(&f))
            .is_some_and(|names| names.iter().any(|n| n == imported));
    }
    if !is_package || imported == "*" {
        return false;
    }
    let child = format!("{package_prefix}{imported}");
    dir.files.contains(&format!("{child}.py"))
        || dir
            .files
            .iter()
            .any(|f| f.starts_with(&format!("{child}/")))
        || dir
            .defines
            .get(&format!("{package_prefix}__init__.py"))
            .is_some_and(|names| names.iter().any(|n| n == imported))
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

    #[test]
    fn the_scan_answers_only_what_it_saw() {
        let mut items = ModuleDir {
            name: "items".to_string(),
            ..ModuleDir::default()
        };
        for file in [
            "__init__.py",
            "router.py",
            "model.py",
            "services/items_service.py",
        ] {
            items.files.insert(file.to_string());
        }
        items
            .defines
            .insert("router.py".to_string(), vec!["router".to_string()]);
        items
            .defines
            .insert("__init__.py".to_string(), vec!["VERSION".to_string()]);
        let modules = BTreeMap::from([("items".to_string(), items)]);
        let import = |module: &str, name: Option<&str>| Import {
            module: module.to_string(),
            name: name.map(str::to_string),
            bound: "x".to_string(),
            line: 1,
            end_line: 1,
            scope: Scope::TopLevel,
        };
        let yes = |module: &str, name: Option<&str>| {
            resolved_by_scan(&modules, "shop", &import(module, name))
        };
        assert!(yes("shop.modules.items.router", Some("router")));
        assert!(yes("shop.modules.items", Some("model")));
        assert!(yes("shop.modules.items", Some("services")));
        assert!(yes("shop.modules.items", Some("VERSION")));
        assert!(yes("shop.modules.items.services", Some("items_service")));
        assert!(yes("shop.modules.items.model", None));
        // Not seen: left to the rule that looks at the disk.
        assert!(!yes("shop.modules.items", Some("modle")));
        assert!(!yes("shop.modules.items.router", Some("routr")));
        assert!(!yes("shop.modules.items.model", Some("Item")));
        assert!(!yes("shop.modules.orders.router", Some("router")));
        assert!(!yes("shop.modules.items.nothing", None));
        assert!(!yes("shop.db", Some("Base")));
    }
}
