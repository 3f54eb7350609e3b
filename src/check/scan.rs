//! Scanning module directories: which files exist, which other modules each module
//! imports at load time, and which tables its model declares.
//!
//! This is the part of `check` that grows with the project, so it reads only what it
//! needs and splits the modules over two threads. Every `.py` file of a module is read,
//! but only files that could import *another* module (they mention `modules` followed by
//! something other than their own module, or use a parent-relative import) are parsed;
//! the rest cannot contribute an edge to the import graph. Table names come from the
//! `__tablename__` lines of `model.py`, each parsed as a statement by the same parser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Issue;
use super::codes::Code;
use super::source::{Read, Reader};
use super::syntax::file_issue;
use crate::feature::module::module_of;
use crate::feature::tables::{Table, tables_in};
use crate::python::{self, Arg, Scope, SyntaxIssue};

/// What `check` takes from one Python file of a module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Summary {
    /// Why the file gave no syntax tree, if it did not.
    syntax: Option<SyntaxIssue>,
    /// The line of the first byte that is not UTF-8.
    not_utf8: Option<usize>,
    /// Top-level imports of other modules: the module and the line.
    imports: Vec<(String, usize)>,
    /// For files directly in a module directory: the names defined at top level.
    defines: Vec<String>,
    /// For `router.py`: the prefix of `router = APIRouter(...)`.
    router_prefix: Option<Arg<String>>,
    /// For `model.py`: the `__tablename__` values and their lines.
    tables: Vec<(String, usize)>,
}

/// A reference from one module to another (an edge of the import graph).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleRef {
    pub target: String,
    /// Path relative to the project root.
    pub path: String,
    pub line: usize,
}

/// What is on disk for one directory under `modules/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModuleDir {
    pub name: String,
    /// Module-relative paths of the files present (`router.py`, `services/x_service.py`).
    pub files: BTreeSet<String>,
    /// Load-time imports of other modules.
    pub imports: Vec<ModuleRef>,
    pub tables: Vec<Table>,
    /// The `prefix=` its `router.py` gives `router = APIRouter(...)` (absent when it
    /// sets none or has no such router).
    pub router_prefix: crate::python::Arg<String>,
    /// For the files directly in the module directory (`router.py`, `__init__.py`):
    /// the names each defines at top level, so imports of them resolve without
    /// reading them again.
    pub defines: BTreeMap<String, Vec<String>>,
    /// Problems reading the files (PPCHK023, PPCHK038).
    pub issues: Vec<Issue>,
}

impl ModuleDir {
    /// Whether the directory holds any Python file (an empty or `__pycache__`-only
    /// directory left behind by a removal is not a module).
    pub(crate) fn has_python(&self) -> bool {
        self.files.iter().any(|f| f.ends_with(".py"))
    }
}

/// Names of the directories under `modules_dir` that could be modules, sorted.
pub(crate) fn module_dir_names(modules_dir: &Path) -> Vec<String> {
    crate::fsread::package_dir_names(modules_dir)
}

/// Scans every named module directory on up to two threads. The helper thread first
/// runs `first` (the caller's other work, e.g. parsing the managed files), then joins
/// the scan; its result comes back beside the scanned directories, in `names` order.
/// `first` runs exactly once, unless the helper thread cannot start or dies, in which
/// case it runs again on the calling thread.
pub(crate) fn scan_all<T: Send>(
    root: &Path,
    pkg: &str,
    names: &[String],
    first: impl Fn() -> T + Sync,
) -> (T, Vec<ModuleDir>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || names.len() < 32 {
        let done = first();
        let mut buffer = Reader::default();
        let dirs = names
            .iter()
            .map(|n| scan_module_with(root, pkg, n, &mut buffer))
            .collect();
        return (done, dirs);
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, ModuleDir)>> = Mutex::new(Vec::with_capacity(names.len()));
    let work = || {
        let mut local = Vec::new();
        let mut buffer = Reader::default();
        loop {
            let start = next.fetch_add(16, Ordering::Relaxed);
            if start >= names.len() {
                break;
            }
            for (index, name) in names.iter().enumerate().skip(start).take(16) {
                local.push((index, scan_module_with(root, pkg, name, &mut buffer)));
            }
        }
        if let Ok(mut all) = results.lock() {
            all.extend(local);
        }
    };
    let done = std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, || {
                let done = first();
                work();
                done
            });
        work();
        helper.ok().and_then(|handle| handle.join().ok())
    });
    let mut all = results.into_inner().unwrap_or_default();
    if all.len() != names.len() {
        // A worker could not run or panicked (it never should): scan sequentially.
        let mut buffer = Reader::default();
        all = names
            .iter()
            .enumerate()
            .map(|(i, n)| (i, scan_module_with(root, pkg, n, &mut buffer)))
            .collect();
    }
    all.sort_by_key(|(index, _)| *index);
    // Without the helper's result (it could not start), do its work here.
    let done = done.unwrap_or_else(first);
    (done, all.into_iter().map(|(_, dir)| dir).collect())
}

fn scan_module_with(root: &Path, pkg: &str, name: &str, reader: &mut Reader) -> ModuleDir {
    let rel_dir = format!("src/{pkg}/modules/{name}");
    let mut dir = ModuleDir {
        name: name.to_string(),
        ..ModuleDir::default()
    };
    let files = crate::fsread::files_under(&root.join(&rel_dir));
    let python_files: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".py"))
        .cloned()
        .collect();
    dir.files.extend(files);
    for rel in python_files {
        let path = format!("{rel_dir}/{rel}");
        if let Some(summary) = summarize(reader, root, pkg, name, &rel, &path) {
            apply(&mut dir, &rel, &path, summary);
        }
    }
    dir
}

/// Reads and parses one module file; `None` when it cannot be read.
fn summarize(
    reader: &mut Reader,
    root: &Path,
    pkg: &str,
    name: &str,
    rel: &str,
    path: &str,
) -> Option<Summary> {
    let text = match reader.read(&root.join(path)) {
        Read::Text(text) => text,
        Read::NotUtf8 { line } => {
            return Some(Summary {
                not_utf8: Some(line),
                ..Summary::default()
            });
        }
        Read::TooLarge => {
            return Some(Summary {
                syntax: Some(SyntaxIssue::too_large()),
                ..Summary::default()
            });
        }
        Read::Missing => return None,
    };
    let mut summary = Summary::default();
    if rel == "model.py" {
        summary.tables = tables_in(text, path)
            .into_iter()
            .map(|t| (t.name, t.line))
            .collect();
    }
    // Every file is parsed: a syntax error anywhere in a module is reported.
    match python::parse(text, &python_package(pkg, name, rel)) {
        Ok(file) => {
            if !rel.contains('/') {
                summary.defines = file.defined_names();
            }
            if rel == "router.py" {
                summary.router_prefix = file
                    .routers
                    .iter()
                    .find(|r| r.name == "router")
                    .map(|def| def.prefix.clone());
            }
            summary.imports = file
                .imports
                .iter()
                .filter(|i| i.scope == Scope::TopLevel)
                .filter_map(|import| {
                    module_of(pkg, &import.module, import.name.as_deref())
                        .filter(|target| target != name)
                        .map(|target| (target, import.line))
                })
                .collect();
        }
        Err(error) => summary.syntax = Some(error),
    }
    Some(summary)
}

/// Adds what one file's summary says to its module directory.
fn apply(dir: &mut ModuleDir, rel: &str, path: &str, summary: Summary) {
    if let Some(line) = summary.not_utf8 {
        dir.issues.push(
            Issue::new(Code::NotUtf8, format!("{path} is not valid UTF-8")).at(path, Some(line)),
        );
        return;
    }
    dir.tables
        .extend(summary.tables.into_iter().map(|(name, line)| Table {
            name,
            path: path.to_string(),
            line,
        }));
    if let Some(error) = summary.syntax {
        dir.issues.push(file_issue(path, &error));
        return;
    }
    if !rel.contains('/') {
        dir.defines.insert(rel.to_string(), summary.defines);
    }
    if let Some(prefix) = summary.router_prefix {
        dir.router_prefix = prefix;
    }
    dir.imports
        .extend(summary.imports.into_iter().map(|(target, line)| ModuleRef {
            target,
            path: path.to_string(),
            line,
        }));
}

/// The dotted package a module file belongs to, for resolving relative imports.
fn python_package(pkg: &str, module: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = vec![pkg, "modules", module];
    let segments: Vec<&str> = rel.split('/').collect();
    if let Some((_, dirs)) = segments.split_last() {
        parts.extend(dirs);
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_targets() {
        assert_eq!(
            python_package("shop", "a", "services/x.py"),
            "shop.modules.a.services"
        );
        assert_eq!(python_package("shop", "a", "router.py"), "shop.modules.a");
    }
}
