//! The table-collision scan of `add`: which model file of the package already defines
//! a table. It opens the model files by name (`model.py`, `models.py`, `models/`) in
//! the package, its top-level packages and each module, rather than listing every
//! directory, which keeps `add` fast in a project with hundreds of modules.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

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

/// For each table, the first model file of the package (outside the feature's own
/// directory) that defines `__tablename__ = "<table>"`. Model files are `model.py`,
/// `models.py` and the files of a `models/` package, in the package itself, in each of
/// its top-level packages (`db/`, `auth/`, …) and in each module (`modules/<name>/`):
/// where models live in a project polepos made. Those files are opened by name rather
/// than found by listing every directory, which keeps `add` fast in a project with
/// hundreds of modules.
///
/// The places are visited in a fixed order, and the answer for a table is the first
/// place (and the first file in it) that defines it, whoever visits which place: any
/// number of threads can call [`TableScan::work`] at once, each taking the next place
/// nobody has taken, and the scan is done when every call has returned. Each file is
/// read once for all the tables.
pub struct TableScan {
    root: PathBuf,
    package: PathBuf,
    /// Per table: the feature's own directory (never a collision) and the table.
    tables: Vec<(Option<PathBuf>, String)>,
    /// Listed by the first call of [`TableScan::work`].
    places: OnceLock<Vec<PathBuf>>,
    next: AtomicUsize,
    /// Per table: the lowest-numbered place found to define it so far, and the file.
    hits: Mutex<Vec<Option<(usize, PathBuf)>>>,
}

impl TableScan {
    /// A scan of the package at `pkg_dir` (relative to `root`) for `tables`, each with
    /// the feature's own directory (relative to `root`), which is skipped.
    pub fn new(
        root: &Path,
        pkg_dir: &Path,
        tables: impl IntoIterator<Item = (Option<String>, String)>,
    ) -> TableScan {
        let tables: Vec<(Option<PathBuf>, String)> = tables
            .into_iter()
            .map(|(own, table)| (own.map(|o| root.join(o)), table))
            .collect();
        TableScan {
            root: root.to_path_buf(),
            package: root.join(pkg_dir),
            hits: Mutex::new(vec![None; tables.len()]),
            tables,
            places: OnceLock::new(),
            next: AtomicUsize::new(0),
        }
    }

    /// Visits places until none is left, or until no place left can change an answer.
    pub fn work(&self) {
        let places = self.places.get_or_init(|| self.list_places());
        let mut reader = crate::fsread::Reader::default();
        loop {
            let at = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(place) = places.get(at) else { return };
            // The tables this place can still answer: not found at an earlier place,
            // and not the feature's own directory.
            let open: Vec<usize> = {
                let hits = self.hits();
                if hits
                    .iter()
                    .all(|hit| hit.as_ref().is_some_and(|(i, _)| *i < at))
                {
                    return;
                }
                (0..self.tables.len())
                    .filter(|&t| hits[t].as_ref().is_none_or(|(i, _)| *i > at))
                    .filter(|&t| self.tables[t].0.as_ref() != Some(place))
                    .collect()
            };
            if open.is_empty() {
                continue;
            }
            for (t, path) in self.visit(place, &open, &mut reader) {
                record(&mut self.hits()[t], at, path);
            }
        }
    }

    /// Per table, the model file that defines it (relative to the root), if any. Only
    /// complete once every [`TableScan::work`] has returned.
    pub fn results(&self) -> Vec<Option<String>> {
        self.hits()
            .iter()
            .map(|hit| {
                hit.as_ref().map(|(_, path)| {
                    path.strip_prefix(&self.root)
                        .unwrap_or(path)
                        .display()
                        .to_string()
                })
            })
            .collect()
    }

    fn hits(&self) -> std::sync::MutexGuard<'_, Vec<Option<(usize, PathBuf)>>> {
        self.hits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The package, its top-level packages, then its modules, each group sorted.
    fn list_places(&self) -> Vec<PathBuf> {
        let modules = self.package.join("modules");
        let mut places = vec![self.package.clone()];
        places.extend(
            crate::fsread::package_dir_names(&self.package)
                .iter()
                .map(|n| self.package.join(n)),
        );
        places.extend(
            crate::fsread::package_dir_names(&modules)
                .iter()
                .map(|n| modules.join(n)),
        );
        places
    }

    /// The tables of `open` that a model file of `place` defines, each with the first
    /// such file.
    fn visit(
        &self,
        place: &Path,
        open: &[usize],
        reader: &mut crate::fsread::Reader,
    ) -> Vec<(usize, PathBuf)> {
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
        let mut found: Vec<(usize, PathBuf)> = Vec::new();
        for path in files {
            if found.len() == open.len() {
                break;
            }
            // A file that is missing, cannot be read or is not UTF-8 defines nothing.
            let Some(text) = reader.bytes(&path).and_then(|bytes| {
                memchr::memmem::find(bytes, b"__tablename__")?;
                std::str::from_utf8(bytes).ok()
            }) else {
                continue;
            };
            for &t in open {
                if !found.iter().any(|(f, _)| *f == t) && defines(text, &self.tables[t].1) {
                    found.push((t, path.clone()));
                }
            }
        }
        found
    }
}

/// Keeps the hit of the lowest-numbered place: a place visited later by one thread can
/// come earlier in the order than one another thread already recorded.
fn record(hit: &mut Option<(usize, PathBuf)>, at: usize, path: PathBuf) {
    if hit.as_ref().is_none_or(|(i, _)| *i > at) {
        *hit = Some((at, path));
    }
}

/// Whether `text` assigns `__tablename__ = "<table>"`. The parser is asked about each
/// `__tablename__` line, so spacing, quotes, annotations and comments are handled as
/// Python sees them — but only about a line that can assign this table: one that spells
/// the name out, or could build it from escapes (a backslash) or from adjacent literals
/// (more than two quotes). Any other line assigns something else, whatever the parser
/// says, so the answer is the same.
fn defines(text: &str, table: &str) -> bool {
    let could_assign = |line: &str| {
        line.contains(table)
            || line.contains('\\')
            || line.bytes().filter(|b| matches!(b, b'"' | b'\'')).count() > 2
    };
    tablename_lines(text)
        .filter(|line| could_assign(line))
        .any(|line| python::assigned_string(line, "__tablename__").as_deref() == Some(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first model file of the package (outside `own`) that defines
    /// `__tablename__ = "<table>"`: [`TableScan`] for one table, on this thread.
    fn find_table(root: &Path, pkg_dir: &Path, own: Option<&str>, table: &str) -> Option<String> {
        let scan = TableScan::new(root, pkg_dir, [(own.map(String::from), table.to_string())]);
        scan.work();
        scan.results().pop().flatten()
    }

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

    /// One scan answers every table, each with the first place that defines it (the
    /// feature's own directory skipped for its own table only), on one thread or several,
    /// and when the later places are visited first.
    #[test]
    fn a_shared_scan_gives_each_table_its_first_place_whatever_the_threads() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let model = |rel: &str, tables: &[&str]| {
            let path = root.join("src/shop").join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            let body: String = tables
                .iter()
                .map(|t| format!("class {t}:\n    __tablename__ = \"{t}\"\n"))
                .collect();
            fs::write(path, body).unwrap();
        };
        for n in 0..60 {
            model(&format!("modules/m{n:02}/model.py"), &["plain"]);
        }
        model("modules/m07/model.py", &["orders"]);
        model("modules/m31/models.py", &["orders", "users"]);
        model("modules/m44/models/b.py", &["users"]);
        model("modules/m44/models/a.py", &["items"]);
        model("modules/m12/model.py", &["carts"]);
        let tables = || {
            [
                (None, "orders".to_string()),
                (
                    Some("src/shop/modules/m31".to_string()),
                    "users".to_string(),
                ),
                (None, "items".to_string()),
                (
                    Some("src/shop/modules/m12".to_string()),
                    "carts".to_string(),
                ),
                (None, "absent".to_string()),
            ]
        };
        let expected = vec![
            Some("src/shop/modules/m07/model.py".to_string()),
            Some("src/shop/modules/m44/models/b.py".to_string()),
            Some("src/shop/modules/m44/models/a.py".to_string()),
            None,
            None,
        ];
        let alone = TableScan::new(root, Path::new("src/shop"), tables());
        alone.work();
        assert_eq!(alone.results(), expected);
        for threads in [2, 3, 8] {
            for _ in 0..20 {
                let scan = TableScan::new(root, Path::new("src/shop"), tables());
                std::thread::scope(|scope| {
                    for _ in 0..threads {
                        scope.spawn(|| scan.work());
                    }
                });
                assert_eq!(scan.results(), expected, "{threads} threads");
            }
        }
        // The places from m31 on first, then the rest: the answers found first (m31,
        // m44) give way to the earlier places' (m07; m44 stays for users, as m31 is
        // its own directory).
        let later_first = TableScan::new(root, Path::new("src/shop"), tables());
        let m31 = later_first
            .places
            .get_or_init(|| later_first.list_places())
            .iter()
            .position(|p| p.ends_with("modules/m31"))
            .unwrap();
        later_first.next.store(m31, Ordering::Relaxed);
        later_first.work();
        assert_eq!(
            later_first.results()[0].as_deref(),
            Some("src/shop/modules/m31/models.py")
        );
        later_first.next.store(0, Ordering::Relaxed);
        later_first.work();
        assert_eq!(later_first.results(), expected);
        // Once every table is answered, the places after the answers are not needed.
        let early = TableScan::new(root, Path::new("src/shop"), [(None, "orders".to_string())]);
        early.work();
        assert_eq!(early.results(), vec![expected[0].clone()]);
        assert!(early.next.load(Ordering::Relaxed) < 20);
    }

    #[test]
    fn the_lowest_place_keeps_its_hit_in_either_order() {
        let (early, late) = (PathBuf::from("early.py"), PathBuf::from("late.py"));
        let mut hit = None;
        record(&mut hit, 9, late.clone());
        record(&mut hit, 3, early.clone());
        assert_eq!(hit, Some((3, early.clone())));
        let mut hit = None;
        record(&mut hit, 3, early.clone());
        record(&mut hit, 9, late);
        assert_eq!(hit, Some((3, early)));
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
