//! The table-collision check of `add`: which model file of the package already defines
//! a table.
//!
//! Model files are `model.py`, `models.py` and the files of a `models/` package, in the
//! package itself, in each of its top-level packages (`db/`, `auth/`, …) and in each
//! module (`modules/<name>/`): where models live in a project polepos made. What a model
//! file declares is [`tables_in`], the one definition `check` uses too.

use std::fs;
use std::path::{Path, PathBuf};

use crate::fsread::{Reader, package_dir_names};
use crate::python;

/// A `__tablename__` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    pub name: String,
    pub path: String,
    pub line: usize,
}

/// The `__tablename__` values declared in a model file.
pub(crate) fn tables_in(text: &str, path: &str) -> Vec<Table> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with("__tablename__"))
        .filter_map(|(index, line)| {
            python::assigned_string(line, "__tablename__").map(|name| Table {
                name,
                path: path.to_string(),
                line: index + 1,
            })
        })
        .collect()
}

/// The first model file of the package at `pkg_dir` (relative to `root`), outside the
/// feature's own directory `own` (relative to `root`), that defines `__tablename__ =
/// "<table>"`, relative to `root`. Places are visited in a fixed order — the package,
/// its top-level packages, its modules, each group sorted — so the answer is stable.
pub(crate) fn defined_elsewhere(
    root: &Path,
    pkg_dir: &Path,
    own: Option<&str>,
    table: &str,
) -> Option<String> {
    let own = own.map(|o| root.join(o));
    let mut reader = Reader::default();
    model_places(&root.join(pkg_dir))
        .into_iter()
        .filter(|place| own.as_ref() != Some(place))
        .flat_map(|place| model_files(&place))
        .find(|path| {
            // A file that is missing, cannot be read or is not UTF-8 defines nothing.
            reader
                .bytes(path)
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .is_some_and(|text| tables_in(text, "").iter().any(|t| t.name == table))
        })
        .map(|path| {
            path.strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string()
        })
}

/// The package, its top-level packages, then its modules, each group sorted.
fn model_places(package: &Path) -> Vec<PathBuf> {
    let modules = package.join("modules");
    let mut places = vec![package.to_path_buf()];
    places.extend(package_dir_names(package).iter().map(|n| package.join(n)));
    places.extend(package_dir_names(&modules).iter().map(|n| modules.join(n)));
    places
}

/// The model files a place may hold, in order: `model.py`, `models.py`, then the files
/// of its `models/` package, sorted.
fn model_files(place: &Path) -> Vec<PathBuf> {
    let mut files = vec![place.join("model.py"), place.join("models.py")];
    if let Ok(entries) = fs::read_dir(place.join("models")) {
        let mut package_files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".py"))
            .map(|e| e.path())
            .collect();
        package_files.sort();
        files.extend(package_files);
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_from_lines() {
        let text =
            "class Order(Base):\n    __tablename__ = \"orders\"\n    # __tablename__ = 'old'\n";
        let tables = tables_in(text, "m.py");
        assert_eq!(tables.len(), 1);
        assert_eq!((tables[0].name.as_str(), tables[0].line), ("orders", 2));
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join("src/shop").join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Every way of spelling the table (quotes, annotations, escapes, adjacent literals)
    /// is found; lines that only mention it are not; the feature's own directory never
    /// collides.
    #[test]
    fn sees_every_spelling_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let found =
            |own: Option<&str>| defined_elsewhere(root, Path::new("src/shop"), own, "orders");
        write(
            root,
            "modules/a/model.py",
            "class A:\n    __tablename__ = \"other\"  # not orders\n    # __tablename__ = \"orders\"\n    note = \"__tablename__ = 'orders'\"\n",
        );
        assert_eq!(found(None), None);
        for spelling in [
            "__tablename__ = 'orders'",
            "__tablename__: str = \"orders\"",
            "__tablename__ = \"ord\" \"ers\"",
            "__tablename__ = 'ord''ers'",
            "__tablename__ = \"ord\\x65rs\"",
            "__tablename__ = \"\\u006frders\"",
        ] {
            write(
                root,
                "modules/b/model.py",
                &format!("class B:\n    {spelling}\n"),
            );
            assert_eq!(
                found(None).as_deref(),
                Some("src/shop/modules/b/model.py"),
                "{spelling}"
            );
            assert_eq!(found(Some("src/shop/modules/b")), None, "{spelling}");
        }
    }

    /// The first place in order answers: the package's own model files, its top-level
    /// packages, then the modules; `model.py` before `models.py` before `models/`.
    #[test]
    fn the_first_place_in_order_answers() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let table = |t: &str| format!("class T:\n    __tablename__ = \"{t}\"\n");
        write(root, "modules/m07/model.py", &table("orders"));
        write(root, "modules/m31/models.py", &table("orders"));
        write(root, "modules/m44/models/b.py", &table("users"));
        write(root, "modules/m44/models/a.py", &table("users"));
        write(root, "db/models.py", &table("carts"));
        write(root, "modules/m01/model.py", &table("carts"));
        let found =
            |own: Option<&str>, t: &str| defined_elsewhere(root, Path::new("src/shop"), own, t);
        assert_eq!(
            found(None, "orders").as_deref(),
            Some("src/shop/modules/m07/model.py")
        );
        assert_eq!(
            found(Some("src/shop/modules/m07"), "orders").as_deref(),
            Some("src/shop/modules/m31/models.py")
        );
        assert_eq!(
            found(None, "users").as_deref(),
            Some("src/shop/modules/m44/models/a.py")
        );
        assert_eq!(
            found(None, "carts").as_deref(),
            Some("src/shop/db/models.py")
        );
        assert_eq!(found(None, "items"), None);
    }
}
