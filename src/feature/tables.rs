//! The table-collision scan of `add`: which model file of the package already defines
//! a table. It opens the model files by name (`model.py`, `models.py`, `models/`) in
//! the package, its top-level packages and each module, rather than listing every
//! directory, which keeps `add` fast in a project with hundreds of modules.

use std::fs;
use std::path::{Path, PathBuf};

use crate::python;

/// The lines of `text` (as [`str::lines`] splits them) that contain `__tablename__`,
/// each once, found without visiting the others.
fn tablename_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut next_line = 0;
    memchr::memmem::find_iter(bytes, b"__tablename__").filter_map(move |at| {
        if at < next_line {
            return None;
        }
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |nl| nl + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |nl| at + nl);
        next_line = end + 1;
        // Both ends are at a newline or an end of the text: character boundaries.
        let line = &text[start..end];
        match line.strip_suffix('\r') {
            Some(stripped) if end < bytes.len() => Some(stripped),
            _ => Some(line),
        }
    })
}

/// The first model file of the package (outside `own`) that defines
/// `__tablename__ = "<table>"`. Model files are `model.py`, `models.py` and the files of
/// a `models/` package, in the package itself, in each of its top-level packages (`db/`,
/// `auth/`, …) and in each module (`modules/<name>/`): where models live in a project
/// polepos made. Those files are opened by name rather than found by listing every
/// directory, which keeps `add` fast in a project with hundreds of modules.
pub fn find_table(root: &Path, pkg_dir: &Path, own: Option<&str>, table: &str) -> Option<String> {
    let package = root.join(pkg_dir);
    let own = own.map(|o| root.join(o));
    // Ask the parser about each `__tablename__` line, so spacing, quotes, annotations
    // and comments are handled as Python sees them — but only about a line that can
    // assign this table: one that spells the name out, or could build it from escapes
    // (a backslash) or from adjacent literals (more than two quotes). Any other line
    // assigns something else, whatever the parser says, so the answer is the same.
    let could_assign = |line: &str| {
        line.contains(table)
            || line.contains('\\')
            || line.bytes().filter(|b| matches!(b, b'"' | b'\'')).count() > 2
    };
    let defines = |text: &str| {
        tablename_lines(text)
            .filter(|line| could_assign(line))
            .any(|line| python::assigned_string(line, "__tablename__").as_deref() == Some(table))
    };
    // One buffer for every file, read without asking for its size first; a file that
    // is missing, cannot be read or is not UTF-8 defines nothing.
    let mut reader = crate::fsread::Reader::default();
    let mut file_defines = |path: &Path| {
        reader.bytes(path).is_some_and(|bytes| {
            memchr::memmem::find(bytes, b"__tablename__").is_some()
                && std::str::from_utf8(bytes).is_ok_and(defines)
        })
    };
    // In a fixed order, so the same file is named every time. `own` can only be one of
    // the places, never below one.
    let modules = package.join("modules");
    let mut places = vec![package.clone()];
    places.extend(
        crate::fsread::package_dir_names(&package)
            .iter()
            .map(|n| package.join(n)),
    );
    places.extend(
        crate::fsread::package_dir_names(&modules)
            .iter()
            .map(|n| modules.join(n)),
    );
    for place in places {
        if own.as_ref().is_some_and(|o| place == *o) {
            continue;
        }
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
        if let Some(path) = files.into_iter().find(|path| file_defines(path)) {
            return Some(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cheap line filter in front of the parser changes no answer: every way of
    /// spelling the table (quotes, annotations, escapes, adjacent literals) is still
    /// found, and lines that only mention it are not.
    #[test]
    fn find_table_sees_every_spelling_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let model = |rel: &str, text: &str| {
            let path = root.join("src/shop").join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        let found = |own: Option<&str>| find_table(root, Path::new("src/shop"), own, "orders");
        model(
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
            model("modules/b/model.py", &format!("class B:\n    {spelling}\n"));
            assert_eq!(
                found(None).as_deref(),
                Some("src/shop/modules/b/model.py"),
                "{spelling}"
            );
            assert_eq!(found(Some("src/shop/modules/b")), None, "{spelling}");
        }
    }

    #[test]
    fn tablename_lines_are_the_lines_that_mention_it_each_once() {
        let text = "a = 1\r\n__tablename__ = 'x'  # __tablename__\r\nb\n  __tablename__: str = \"y\"\n__tablename__\r";
        let expected: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("__tablename__"))
            .collect();
        assert_eq!(tablename_lines(text).collect::<Vec<_>>(), expected);
        assert_eq!(expected.len(), 3);
        assert_eq!(tablename_lines("nothing here\n").count(), 0);
    }

    /// Where models live: the package, its top-level packages and each module, as
    /// `model.py`, `models.py` or a `models/` package; deeper files are not opened.
    #[test]
    fn find_table_reads_the_model_files_of_the_package_and_its_modules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let put = |rel: &str| {
            let path = root.join("src/shop").join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "class T:\n    __tablename__ = \"orders\"\n").unwrap();
        };
        let found = || find_table(root, Path::new("src/shop"), None, "orders");
        let clear = || fs::remove_dir_all(root.join("src")).unwrap();
        for place in [
            "models.py",
            "db/models.py",
            "db/models/orders.py",
            "legacy/model.py",
            "modules/a/models.py",
            "modules/a/models/orders.py",
        ] {
            put(place);
            assert_eq!(found(), Some(format!("src/shop/{place}")), "{place}");
            clear();
        }
        for place in [
            "modules/a/services/model.py",
            "modules/a/orders.py",
            "legacy/old/models.py",
            "modules/a/__pycache__/model.py",
        ] {
            put(place);
            assert_eq!(found(), None, "{place}");
            clear();
        }
    }
}
