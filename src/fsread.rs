//! Reading many files through one reusable buffer: open, read until end of file, close;
//! and listing the directories that can hold Python packages.
//!
//! `std::fs::read` also asks each file for its size and its position before reading it,
//! and allocates a new buffer every time; on a project of ten thousand files those are a
//! fifth of the system calls of `check` and of the table scan of `add`.

use std::io::Read;
use std::path::Path;

use crate::python::limits::MAX_SOURCE_BYTES;

/// A reader whose buffer grows to the largest file read and is reused for every file.
#[derive(Default)]
pub(crate) struct Reader {
    /// Always fully initialised; only the first bytes of a read are the file.
    buffer: Vec<u8>,
}

impl Reader {
    /// The bytes of `path`, or `None` when it cannot be read (missing, a directory,
    /// no permission). Reading stops one byte past [`MAX_SOURCE_BYTES`]: a longer file is
    /// not parsed anyway, and memory stays bounded whatever the file's size.
    pub(crate) fn bytes(&mut self, path: &Path) -> Option<&[u8]> {
        let mut file = std::fs::File::open(path).ok()?;
        let mut len = 0;
        while len <= MAX_SOURCE_BYTES {
            if self.buffer.len() - len < 4096 {
                let grown = (self.buffer.len() * 2).max(64 * 1024);
                self.buffer.resize(grown, 0);
            }
            let end = self.buffer.len().min(MAX_SOURCE_BYTES + 1);
            match file.read(&mut self.buffer[len..end]) {
                Ok(0) => break,
                Ok(n) => len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        Some(&self.buffer[..len])
    }
}

/// Names of the directories directly in `dir` that can hold Python code, sorted: not
/// hidden, not `__pycache__`, not links (the entry's own type, so no `stat` per entry).
pub(crate) fn package_dir_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && n != "__pycache__")
        .collect();
    names.sort();
    names
}

/// The files under `dir`, relative to it with `/` separators, sorted: hidden entries
/// and `__pycache__` left out, at most eight directories deep (the depth of any real
/// package, and a bound on what a link loop could make us walk); a link to a file
/// counts as the file.
pub(crate) fn files_under(dir: &Path) -> Vec<String> {
    walk(dir).into_iter().map(|file| file.rel).collect()
}

/// One file found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Relative to the walked directory, with `/` separators.
    pub rel: String,
    /// Whether the entry is a symbolic link (to a file), which may lead elsewhere.
    pub link: bool,
}

/// [`files_under`], saying which entries are links.
pub(crate) fn walk(dir: &Path) -> Vec<Found> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0usize)];
    while let Some((path, prefix, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(file_name) = entry.file_name().into_string() else {
                continue;
            };
            if file_name.starts_with('.') || file_name == "__pycache__" {
                continue;
            }
            let rel = format!("{prefix}{file_name}");
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && depth < 8 {
                stack.push((entry.path(), format!("{rel}/"), depth + 1));
            } else if kind.is_file() {
                out.push(Found { rel, link: false });
            } else if kind.is_symlink() && entry.path().is_file() {
                out.push(Found { rel, link: true });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_any_size_through_one_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let big: String = "x = 1\n".repeat(40_000);
        std::fs::write(dir.path().join("big.py"), &big).unwrap();
        std::fs::write(dir.path().join("small.py"), "y = 2\n").unwrap();
        std::fs::write(dir.path().join("empty.py"), "").unwrap();
        let mut reader = Reader::default();
        assert_eq!(
            reader.bytes(&dir.path().join("big.py")),
            Some(big.as_bytes())
        );
        assert_eq!(
            reader.bytes(&dir.path().join("small.py")),
            Some(&b"y = 2\n"[..])
        );
        assert_eq!(reader.bytes(&dir.path().join("empty.py")), Some(&b""[..]));
        assert_eq!(reader.bytes(&dir.path().join("none.py")), None);
        assert_eq!(reader.bytes(dir.path()), None);
    }
}
