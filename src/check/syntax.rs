//! PPCHK038 / PPCHK023 for every Python file of the project, not only the managed ones:
//! everything under `src/`, `tests/` and `migrations/` is parsed, so a broken
//! `auth/router.py`, `app.py`, test or `migrations/env.py` never gives "check passed".
//!
//! The managed files and the module directories are parsed by their own rules; the paths
//! in `skip` (and every file under a skipped directory prefix) are left to them, so each
//! error is reported once.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use super::Issue;
use super::codes::Code;
use super::source::{Read, Reader};
use crate::python::{self, SyntaxIssue, Unparsed};

/// Directories never descended into.
const IGNORED_DIRS: &[&str] = &["__pycache__", "node_modules", "site-packages"];

/// The issue for a Python file that gave no syntax tree: PPCHK038 for a syntax error,
/// PPCHK026 for nesting Python itself refuses, PPCHK025 for a file polepos does not
/// parse (too large, or expressions possibly too deep).
pub(crate) fn file_issue(path: &str, error: &SyntaxIssue) -> Issue {
    let (code, message) = match error.kind {
        Unparsed::SyntaxError => (
            Code::SyntaxError,
            format!(
                "syntax error in {path} at column {}: {}",
                error.column, error.message
            ),
        ),
        Unparsed::BeyondPython => (
            Code::PythonFileTooDeep,
            format!("{path}: {}", error.message),
        ),
        Unparsed::NotChecked => (
            Code::PythonFileNotChecked,
            format!("{path} was not checked: {}", error.message),
        ),
    };
    Issue::new(code, message).at(path, Some(error.line))
}

/// What reading and parsing one Python file found wrong with it, if anything.
fn read_issue(reader: &mut Reader, root: &Path, path: &str) -> Option<Issue> {
    match reader.read(&root.join(path)) {
        Read::Text(text) => python::syntax_error(text).map(|error| file_issue(path, &error)),
        Read::NotUtf8 { line } => Some(
            Issue::new(Code::NotUtf8, format!("{path} is not valid UTF-8")).at(path, Some(line)),
        ),
        Read::TooLarge => Some(file_issue(path, &SyntaxIssue::too_large())),
        Read::Missing => None,
    }
}

/// Parses every `.py` file under the project's source roots that is not in `skip` (exact
/// paths) and not under one of `skip_dirs` (path prefixes ending in `/`).
pub(crate) fn check_all(root: &Path, skip: &[String], skip_dirs: &[String]) -> Vec<Issue> {
    let mut files = Vec::new();
    let skip_dirs: HashSet<&str> = skip_dirs.iter().map(|d| d.trim_end_matches('/')).collect();
    for top in ["src", "tests", "migrations"] {
        collect(root, Path::new(top), &skip_dirs, &mut files);
    }
    files.sort();
    let mut reader = Reader::default();
    files
        .iter()
        .filter(|rel| !skip.contains(rel))
        .filter_map(|rel| read_issue(&mut reader, root, rel))
        .collect()
}

fn collect(root: &Path, rel: &Path, skip_dirs: &HashSet<&str>, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join(rel)) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let child = rel.join(&name);
        let shown = child.to_string_lossy().replace('\\', "/");
        if kind.is_dir() {
            // Symlinked directories are not followed (kind is the link's own type).
            let skipped = name.starts_with('.')
                || IGNORED_DIRS.contains(&name.as_str())
                || skip_dirs.contains(shown.as_str());
            if !skipped {
                collect(root, &child, skip_dirs, out);
            }
        } else if kind.is_file() && name.ends_with(".py") {
            out.push(shown);
        }
    }
}
