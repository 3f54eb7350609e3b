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

use super::module::module_of;
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
    let package = format!("src/{pkg}");
    for file in crate::fsread::walk(&root.join(&package)) {
        let path = format!("{package}/{}", file.rel);
        if !path.ends_with(".py") || path.starts_with(&own) {
            continue;
        }
        // The project boundary (SPEC §16): a linked file outside the project is not read.
        if file.link && crate::boundary::escape(root, Path::new(&path)).is_some() {
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
