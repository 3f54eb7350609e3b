//! Hand-written references to a module from the rest of the package: what `remove
//! module` must not leave dangling.
//!
//! Removing a module deletes its directory and its wiring (the router mount, the model
//! import, the export), which `add` wrote and the remover locates by meaning. Any other
//! import of the module — a service importing its model, a hand-written mount in
//! another file — would make the package fail to import once the module is gone, so
//! the removal is refused and each reference is named.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::check::scan::module_of;
use crate::python;

/// `path:line: imports <dotted>` for every import of module `name` in the `.py` files
/// of the package at `src/<pkg>`, outside the module's own directory. `edited` holds
/// the new text of files the removal edits (their wiring already taken out).
pub(crate) fn to_module(
    root: &Path,
    pkg: &str,
    name: &str,
    edited: &BTreeMap<String, (String, String)>,
) -> Vec<String> {
    let own = format!("src/{pkg}/modules/{name}/");
    let mut found = Vec::new();
    for path in python_files(root, &format!("src/{pkg}")) {
        if path.starts_with(&own) {
            continue;
        }
        let text = match edited.get(&path) {
            Some((_, new)) => new.clone(),
            // Unreadable files are reported by `check`; they cannot be searched here.
            None => match fs::read_to_string(root.join(&path)) {
                Ok(text) => text,
                Err(_) => continue,
            },
        };
        // Only a file that spells the module's name can import it (non-ASCII files are
        // always parsed: Python folds identifier characters to ASCII).
        if text.is_ascii() && !text.contains(name) {
            continue;
        }
        let Ok(file) = python::parse(&text, &python::package_of(&path)) else {
            continue;
        };
        for import in &file.imports {
            if module_of(pkg, &import.module, import.name.as_deref()).as_deref() == Some(name) {
                found.push(format!(
                    "{path}:{}: imports {}",
                    import.line,
                    import.target()
                ));
            }
        }
    }
    found
}

/// The `.py` files under `dir` (relative to `root`), recursively, sorted, skipping
/// hidden directories and `__pycache__`.
fn python_files(root: &Path, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_string()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(file_name) = entry.file_name().into_string() else {
                continue;
            };
            if file_name.starts_with('.') || file_name == "__pycache__" {
                continue;
            }
            let child = format!("{rel}/{file_name}");
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(child),
                Ok(_) if file_name.ends_with(".py") => out.push(child),
                _ => {}
            }
        }
    }
    out.sort();
    out
}
