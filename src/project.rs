//! Finding the project a command runs in, and what it is (package, db mode, bytecode).
//!
//! A project is found by walking up from the current directory to the nearest
//! `.poleposition.toml`, or, for projects without a manifest, the nearest directory with
//! `pyproject.toml` and `src/<pkg>/api/router.py`. Without a manifest the package and db
//! mode are inferred from the files.

use std::path::{Path, PathBuf};

use crate::error::Refusal;
use crate::manifest::DbMode;
use crate::manifest::{self, Manifest, ManifestError};
use crate::names;

/// A located project root and how it was recognised.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub root: PathBuf,
    pub has_manifest: bool,
}

/// Walks up from `start` to the nearest project root.
pub(crate) fn locate(start: &Path) -> Option<Located> {
    for dir in start.ancestors() {
        // Any entry counts (even a directory or a broken link): it is then reported as an
        // unreadable manifest rather than silently ignored.
        if dir.join(manifest::FILE_NAME).symlink_metadata().is_ok() {
            return Some(Located {
                root: dir.to_path_buf(),
                has_manifest: true,
            });
        }
        if dir.join("pyproject.toml").is_file() && infer_package(dir).is_some() {
            return Some(Located {
                root: dir.to_path_buf(),
                has_manifest: false,
            });
        }
    }
    None
}

/// The package under `src/` that has `api/router.py` (first in name order).
pub(crate) fn infer_package(root: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("src"))
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("api").join("router.py").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| names::is_python_identifier(name))
        .collect();
    names.sort();
    names.into_iter().next()
}

/// Infers the db mode from the files: no `db/` package means `none`; psycopg in the
/// dependencies means `postgres`.
pub(crate) fn infer_db(root: &Path, package: &str) -> DbMode {
    if !root.join("src").join(package).join("db").is_dir() {
        return DbMode::None;
    }
    let pyproject = std::fs::read_to_string(root.join("pyproject.toml")).unwrap_or_default();
    if pyproject.contains("psycopg") {
        DbMode::Postgres
    } else {
        DbMode::Sqlite
    }
}

/// A project a mutating command can work on: manifest readable, package known.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub package: String,
    pub db: DbMode,
    pub bytecode: bool,
    pub(crate) manifest: Option<Manifest>,
}

impl Project {
    /// Finds and loads the project around `cwd`, refusing when there is none or when its
    /// manifest cannot be used.
    pub fn open(cwd: &Path) -> Result<Project, Refusal> {
        let located = locate(cwd).ok_or_else(|| {
            Refusal::new("not inside a polepos project (no .poleposition.toml found here or in any parent directory)")
                .with_hint("run this command inside a project created with `polepos start <name>`")
        })?;
        let root = located.root;
        if !located.has_manifest {
            let package = infer_package(&root).unwrap_or_default();
            let db = infer_db(&root, &package);
            return Ok(Project {
                root,
                package,
                db,
                bytecode: true,
                manifest: None,
            });
        }
        let path = root.join(manifest::FILE_NAME);
        let manifest = Manifest::load(&path).map_err(|e| {
            let hint = match e {
                ManifestError::Io { .. } => "check the file's permissions",
                _ => "fix the file by hand (polepos never rewrites an unreadable manifest); `polepos check` shows the problem",
            };
            Refusal::new(format!("cannot use the project manifest: {e}")).with_hint(hint)
        })?;
        let package = match manifest.valid_package()? {
            Some(p) => p.to_string(),
            None => infer_package(&root).ok_or_else(|| {
                Refusal::new(format!(
                    "{} has no `[poleposition] package` and no package was found under src/",
                    manifest::FILE_NAME
                ))
                .with_hint("add `package = \"<your_package>\"` under [poleposition]")
            })?,
        };
        let db = match manifest.db_raw() {
            None => infer_db(&root, &package),
            Some(_) => manifest.db_mode().ok_or_else(|| {
                Refusal::new(format!(
                    "{}: `db` must be \"sqlite\", \"postgres\", \"none\" or \"custom\"",
                    manifest::FILE_NAME
                ))
                .with_hint("fix the `db` value under [poleposition]")
            })?,
        };
        let bytecode = manifest.bytecode();
        Ok(Project {
            root,
            package,
            db,
            bytecode,
            manifest: Some(manifest),
        })
    }

    /// `src/<pkg>` relative to the root.
    pub(crate) fn package_dir(&self) -> PathBuf {
        Path::new("src").join(&self.package)
    }
}
