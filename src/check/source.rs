//! Reading project files for `check`: bytes → text, with the problems that stops.
//!
//! `check` never fails on file contents. A missing file, a file that is not UTF-8 and a
//! directory where a file should be are all ordinary outcomes, reported by whichever
//! check needs the file. Line numbers are computed from byte offsets with a small index,
//! because the Python parser reports offsets, not lines.

use std::io::Read as _;
use std::path::Path;

use crate::python::limits::MAX_SOURCE_BYTES;

/// What reading one file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The file does not exist (or is not a regular file).
    Missing,
    /// The file exists but is not valid UTF-8; `line` is the 1-based line of the first
    /// invalid byte.
    NotUtf8 { line: usize },
    /// The file's text.
    Text(String),
    /// Larger than polepos reads (`python::limits::MAX_SOURCE_BYTES`).
    TooLarge,
}

impl Source {
    /// Reads `path`. Unreadable files (permissions, a directory) count as missing.
    pub(crate) fn read(path: &Path) -> Source {
        let mut bytes = Vec::new();
        let read = std::fs::File::open(path).and_then(|file| {
            file.take(MAX_SOURCE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        });
        match read {
            Ok(_) if bytes.len() > MAX_SOURCE_BYTES => Source::TooLarge,
            Ok(_) => Source::from_bytes(bytes),
            Err(_) => Source::Missing,
        }
    }

    /// Decodes bytes read from disk.
    fn from_bytes(bytes: Vec<u8>) -> Source {
        match String::from_utf8(bytes) {
            Ok(text) => Source::Text(text),
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let line = 1 + error.as_bytes()[..valid]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                Source::NotUtf8 { line }
            }
        }
    }

    /// The text, when the file was read as UTF-8.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Source::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// What [`Reader::read`] gave: like [`Source`], borrowing the reader's buffer.
pub(crate) enum Read<'b> {
    Missing,
    NotUtf8 { line: usize },
    Text(&'b str),
    TooLarge,
}

/// Reads many files through one reusable buffer ([`crate::fsread::Reader`]), as text.
#[derive(Default)]
pub(crate) struct Reader {
    files: crate::fsread::Reader,
}

impl Reader {
    /// Reads `path`. Unreadable files (permissions, a directory) count as missing.
    pub(crate) fn read(&mut self, path: &Path) -> Read<'_> {
        let Some(bytes) = self.files.bytes(path) else {
            return Read::Missing;
        };
        if bytes.len() > MAX_SOURCE_BYTES {
            return Read::TooLarge;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Read::Text(text),
            Err(error) => Read::NotUtf8 {
                line: 1 + memchr::memchr_iter(b'\n', &bytes[..error.valid_up_to()]).count(),
            },
        }
    }
}

/// The Python file at `rel` (relative to `root`) parsed in `package`, read with the
/// guards of every other read of `check`: nothing through a link that leaves the project
/// (SPEC §16), at most the size and nesting the parser is given. `None` when it is
/// missing, unreadable or does not parse (other checks report that).
pub(crate) fn parse_guarded(
    root: &Path,
    rel: &str,
    package: &str,
) -> Option<crate::python::PyFile> {
    if crate::boundary::escape(root, Path::new(rel)).is_some() {
        return None;
    }
    let mut reader = Reader::default();
    let Read::Text(text) = reader.read(&root.join(rel)) else {
        return None;
    };
    crate::python::limits::measure(text).ok()?;
    crate::python::parse(text, package).ok()
}

/// The 1-based line and the message of the first TOML syntax error in `text`.
pub(crate) fn toml_error(text: &str) -> Option<(Option<usize>, String)> {
    let error = text.parse::<toml_edit::DocumentMut>().err()?;
    let line = error.span().map(|span| {
        1 + text.as_bytes()[..span.start.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    });
    Some((line, error.message().trim().to_string()))
}

pub(crate) use crate::names::is_python_identifier as is_identifier;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_reports_its_line() {
        assert_eq!(
            Source::from_bytes(b"ok\nok\n\xff\n".to_vec()),
            Source::NotUtf8 { line: 3 }
        );
        assert_eq!(Source::from_bytes(b"x".to_vec()).text(), Some("x"));
    }

    #[test]
    fn the_reader_reuses_its_buffer_for_files_of_any_size() {
        let dir = tempfile::tempdir().unwrap();
        let big: String = "x = 1\n".repeat(40_000);
        std::fs::write(dir.path().join("big.py"), &big).unwrap();
        std::fs::write(dir.path().join("small.py"), "y = 2\n").unwrap();
        std::fs::write(dir.path().join("bad.py"), b"ok\n\xff\n").unwrap();
        let mut reader = Reader::default();
        assert!(matches!(reader.read(&dir.path().join("big.py")), Read::Text(t) if t == big));
        assert!(matches!(
            reader.read(&dir.path().join("small.py")),
            Read::Text("y = 2\n")
        ));
        assert!(matches!(
            reader.read(&dir.path().join("bad.py")),
            Read::NotUtf8 { line: 2 }
        ));
        assert!(matches!(
            reader.read(&dir.path().join("none.py")),
            Read::Missing
        ));
        assert!(matches!(reader.read(dir.path()), Read::Missing));
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("shop_api"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("my-mod"));
        assert!(!is_identifier("class"));
        assert!(!is_identifier(""));
    }
}
