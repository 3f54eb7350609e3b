//! The project boundary (SPEC §16): no command reads, writes or deletes through a
//! symbolic link that leads outside the project directory.
//!
//! A link that stays inside the project is followed as usual. A path is judged by
//! walking it from the project root one component at a time and resolving every link on
//! the way, so a linked directory (`modules/orders -> /elsewhere`) is caught as surely as
//! a linked file. Components that do not exist yet are fine: they will be created inside
//! the directory that holds them, which the walk has already proved to be inside.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::error::Refusal;

/// A path that leaves the project: `link` (relative to the root) is the first component
/// on the way that leads outside, and `target` is where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Escape {
    pub link: PathBuf,
    pub target: PathBuf,
}

impl Escape {
    /// The refusal every command gives for this path: exit 1, nothing changed.
    pub(crate) fn refusal(&self) -> Refusal {
        Refusal::new(format!(
            "{} leads outside the project (it is a symbolic link to {}); polepos does not read, write or delete through it",
            self.link.display(),
            self.target.display()
        ))
        .with_hint(
            "replace the link with the files themselves, or run polepos in the project the link points to",
        )
    }
}

/// Where `root/relative` leads if a symbolic link on the way leaves `root`, or a
/// component of `relative` is absolute or `..`; `None` when it stays inside.
pub(crate) fn escape(root: &Path, relative: &Path) -> Option<Escape> {
    // Without a root there is nothing to leave (a new tree is written into a fresh
    // staging directory).
    let real_root = fs::canonicalize(root).ok()?;
    let mut walked = PathBuf::new();
    let mut current = real_root.clone();
    for component in relative.components() {
        let name = match component {
            Component::CurDir => continue,
            Component::Normal(name) => name,
            // Paths are planned relative to the root; anything else names a place the
            // root does not contain.
            _ => {
                return Some(Escape {
                    link: relative.to_path_buf(),
                    target: relative.to_path_buf(),
                });
            }
        };
        walked.push(name);
        let next = current.join(name);
        let Ok(meta) = fs::symlink_metadata(&next) else {
            // The rest does not exist yet.
            return None;
        };
        if !meta.file_type().is_symlink() {
            current = next;
            continue;
        }
        let target = fs::read_link(&next).unwrap_or_default();
        let resolved =
            fs::canonicalize(&next).unwrap_or_else(|_| normalise(&current.join(&target)));
        if !resolved.starts_with(&real_root) {
            return Some(Escape {
                link: walked,
                target: resolved,
            });
        }
        current = resolved;
    }
    None
}

/// The first escape among `paths` (relative to `root`), as the refusal to give.
pub(crate) fn check<'a>(
    root: &Path,
    paths: impl IntoIterator<Item = &'a Path>,
) -> Result<(), Refusal> {
    match paths.into_iter().find_map(|path| escape(root, path)) {
        Some(escape) => Err(escape.refusal()),
        None => Ok(()),
    }
}

/// `path` with `.` and `..` taken out by their meaning on paper (for a dangling link,
/// whose target cannot be canonicalised).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let outside = dir.path().join("outside");
        fs::create_dir_all(root.join("src/pkg/api")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("router.py"), "x = 1\n").unwrap();
        (dir, root, outside)
    }

    #[test]
    fn plain_and_new_paths_stay_inside() {
        let (_dir, root, _) = tree();
        assert_eq!(escape(&root, Path::new("src/pkg/api/router.py")), None);
        assert_eq!(
            escape(&root, Path::new("src/pkg/modules/new/model.py")),
            None
        );
    }

    #[test]
    fn a_linked_file_outside_is_an_escape() {
        let (_dir, root, outside) = tree();
        symlink(
            outside.join("router.py"),
            root.join("src/pkg/api/router.py"),
        )
        .unwrap();
        let escape = escape(&root, Path::new("src/pkg/api/router.py")).unwrap();
        assert_eq!(escape.link, Path::new("src/pkg/api/router.py"));
        assert_eq!(
            escape.target,
            fs::canonicalize(outside.join("router.py")).unwrap()
        );
    }

    #[test]
    fn a_linked_directory_outside_is_an_escape_for_everything_under_it() {
        let (_dir, root, outside) = tree();
        symlink(&outside, root.join("src/pkg/modules")).unwrap();
        let escape = escape(&root, Path::new("src/pkg/modules/orders/router.py")).unwrap();
        assert_eq!(escape.link, Path::new("src/pkg/modules"));
    }

    #[test]
    fn a_dangling_link_is_judged_by_where_it_points() {
        let (_dir, root, _) = tree();
        symlink("../../../../elsewhere/x.py", root.join("src/pkg/api/x.py")).unwrap();
        assert!(escape(&root, Path::new("src/pkg/api/x.py")).is_some());
        symlink("router_new.py", root.join("src/pkg/api/y.py")).unwrap();
        assert_eq!(escape(&root, Path::new("src/pkg/api/y.py")), None);
    }

    #[test]
    fn a_link_that_stays_inside_is_followed() {
        let (_dir, root, _) = tree();
        fs::create_dir_all(root.join("shared")).unwrap();
        symlink(root.join("shared"), root.join("src/pkg/modules")).unwrap();
        assert_eq!(
            escape(&root, Path::new("src/pkg/modules/orders/router.py")),
            None
        );
        // ... and a link inside a followed link is judged too.
        let outside = root.parent().unwrap().join("outside");
        symlink(&outside, root.join("shared/orders")).unwrap();
        assert!(escape(&root, Path::new("src/pkg/modules/orders/router.py")).is_some());
    }

    #[test]
    fn parent_and_absolute_components_are_escapes() {
        let (_dir, root, _) = tree();
        assert!(escape(&root, Path::new("../outside/router.py")).is_some());
        assert!(escape(&root, Path::new("/etc/passwd")).is_some());
    }
}
