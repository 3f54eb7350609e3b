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
    imports_in_package(
        root,
        pkg,
        |path| path.starts_with(&own),
        name,
        |import| module_of(pkg, &import.module, import.name.as_deref()).as_deref() == Some(name),
        edited,
    )
}

/// The same for the Python modules `dotted` (`shop.auth.sessions`) that a removal
/// deletes, in every `.py` file of the package but the `deleted` ones: an import of one
/// of them, or of anything inside it.
pub(crate) fn to_dotted(
    root: &Path,
    pkg: &str,
    dotted: &[String],
    deleted: &[String],
    edited: &BTreeMap<String, (String, String)>,
) -> Vec<String> {
    let mut found = Vec::new();
    for target in dotted {
        let last = target.rsplit('.').next().unwrap_or(target);
        let inside = format!("{target}.");
        found.extend(imports_in_package(
            root,
            pkg,
            |path| deleted.iter().any(|d| d == path),
            last,
            |import| {
                let imported = import.target();
                imported == *target || imported.starts_with(&inside)
            },
            edited,
        ));
    }
    found.sort();
    found.dedup();
    found
}

/// `path:line: imports <dotted>` for every import `matches` accepts in the `.py` files
/// of the package that `skip` does not name. Only a file that spells `spelled` can make
/// such an import (non-ASCII files are always parsed: Python folds identifier
/// characters to ASCII).
fn imports_in_package(
    root: &Path,
    pkg: &str,
    skip: impl Fn(&str) -> bool,
    spelled: &str,
    matches: impl Fn(&python::Import) -> bool,
    edited: &BTreeMap<String, (String, String)>,
) -> Vec<String> {
    let mut found = Vec::new();
    let package = format!("src/{pkg}");
    for file in crate::fsread::walk(&root.join(&package)) {
        let path = format!("{package}/{}", file.rel);
        if !path.ends_with(".py") || skip(&path) {
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
        if text.is_ascii() && !text.contains(spelled) {
            continue;
        }
        let Ok(file) = python::parse(&text, &python::package_of(&path)) else {
            continue;
        };
        for import in file.imports.iter().filter(|i| matches(i)) {
            found.push(format!(
                "{path}:{}: imports {}",
                import.line,
                import.target()
            ));
        }
    }
    found
}
