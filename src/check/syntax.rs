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
use super::cache::{Cache, Session, Stamp, Summary};
use super::codes::Code;
use super::source::{Read, Reader};
use crate::python;

/// Directories never descended into.
const IGNORED_DIRS: &[&str] = &["__pycache__", "node_modules", "site-packages"];

/// Parses every `.py` file under the project's source roots that is not in `skip` (exact
/// paths) and not under one of `skip_dirs` (path prefixes ending in `/`).
pub fn check_all(
    root: &Path,
    skip: &[String],
    skip_dirs: &[String],
    cache: Option<&Cache>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut files = Vec::new();
    let skip_dirs: HashSet<&str> = skip_dirs.iter().map(|d| d.trim_end_matches('/')).collect();
    for top in ["src", "tests", "migrations"] {
        collect(
            root,
            Path::new(top),
            &skip_dirs,
            cache.is_some(),
            &mut files,
        );
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut reader = Reader::default();
    let mut session = Session::default();
    for (rel, stamp) in files {
        if skip.contains(&rel) {
            continue;
        }
        let cached = cache.and_then(|c| stamp.and_then(|s| c.get(&rel, &s, &mut session)));
        let summary = match cached {
            Some(summary) => summary,
            None => {
                let summary = match reader.read(&root.join(&rel)) {
                    Read::Text(text) => Summary {
                        syntax: python::syntax_error(text)
                            .map(|error| (error.line, error.column, error.message)),
                        ..Summary::default()
                    },
                    Read::NotUtf8 { line } => Summary {
                        not_utf8: Some(line),
                        ..Summary::default()
                    },
                    Read::Missing => continue,
                };
                if let (Some(cache), Some(stamp)) = (cache, stamp) {
                    cache.learn(&rel, stamp, &summary, &mut session);
                }
                summary
            }
        };
        if let Some(line) = summary.not_utf8 {
            issues.push(
                Issue::new(Code::NotUtf8, format!("{rel} is not valid UTF-8")).at(&rel, Some(line)),
            );
        } else if let Some((line, column, message)) = summary.syntax {
            issues.push(
                Issue::new(
                    Code::SyntaxError,
                    format!("syntax error in {rel} at column {column}: {message}"),
                )
                .at(&rel, Some(line)),
            );
        }
    }
    if let Some(cache) = cache {
        cache.merge(session);
    }
    issues
}

fn collect(
    root: &Path,
    rel: &Path,
    skip_dirs: &HashSet<&str>,
    stamps: bool,
    out: &mut Vec<(String, Option<Stamp>)>,
) {
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
                collect(root, &child, skip_dirs, stamps, out);
            }
        } else if kind.is_file() && name.ends_with(".py") {
            let stamp = stamps
                .then(|| entry.metadata().ok().map(|m| Stamp::of(&m)))
                .flatten();
            out.push((shown, stamp));
        }
    }
}
