//! `polepos delete <name-or-path>`: remove a whole project directory, carefully.
//!
//! The steps: resolve the path without following a final symlink, prove it is a polepos
//! project (a `.poleposition.toml` that parses, with `[poleposition] package`, whose
//! `src/<package>/` exists), refuse the current directory, its parents, `/` and the home
//! directory, ask on a terminal (or require `--force`), then rename the directory to a
//! hidden sibling — so it vanishes from its place in one step — and remove that. Removal
//! never follows symlinks: a link inside the project is deleted as a link.

use std::fs;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::DeleteArgs;
use crate::error::Refusal;
use crate::interrupt::CriticalSection;
use crate::manifest::{self, Manifest};
use crate::printer::Printer;

/// What a deletion would remove.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    pub files: u64,
    pub dirs: u64,
    pub links: u64,
    pub bytes: u64,
}

/// Runs `polepos delete`.
pub(crate) fn run(printer: &Printer, args: &DeleteArgs, cwd: &Path) -> anyhow::Result<()> {
    let target = resolve(cwd, &args.target)?;
    let package = prove_project(&target)?;
    let tally = count(&target)?;
    let shown = target.display().to_string();
    let what = format!(
        "{} ({} files, {} directories{}, {})",
        shown,
        tally.files,
        tally.dirs,
        if tally.links > 0 {
            format!(", {} symlinks", tally.links)
        } else {
            String::new()
        },
        human_size(tally.bytes)
    );
    if args.dry_run {
        printer.stdout(&format!(
            "Would delete project {package} at {what}\nDry run: nothing was deleted.\n"
        ))?;
        return Ok(());
    }
    if !args.force {
        // A terminal is asked; piped input (`echo y | polepos delete x`, as scripts of the
        // older tool do) answers the same question. No answer (end of input) declines.
        if std::io::stdin().is_terminal() {
            eprint!("Delete project {package} at {what}? This cannot be undone. [y/N] ");
            let _ = std::io::stderr().flush();
        }
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            return Err(Refusal::new("deletion declined; nothing was deleted")
                .with_hint("answer `y` to delete, or pass --force (or -y) to delete without asking")
                .into());
        }
    }
    remove(&target)?;
    printer.success(&format!("Deleted project {package} at {shown}"));
    Ok(())
}

/// The absolute, lexically normalised target path; refuses a symlink, a missing path, and
/// the current directory, its parents, `/` and the home directory.
fn resolve(cwd: &Path, raw: &str) -> Result<PathBuf, Refusal> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Refusal::new("no project to delete was given")
            .with_hint("pass the project's name or path"));
    }
    let joined = cwd.join(raw);
    let target = normalise(&joined);
    let meta = fs::symlink_metadata(&target).map_err(|_| {
        Refusal::new(format!("{} does not exist", target.display()))
            .with_hint("pass the name or path of an existing project directory")
    })?;
    if meta.file_type().is_symlink() {
        return Err(Refusal::new(format!(
            "{} is a symlink; polepos deletes only a real project directory, never what a link points to",
            target.display()
        ))
        .with_hint("pass the path of the directory itself, or remove the link with `rm`"));
    }
    if !meta.is_dir() {
        return Err(Refusal::new(format!(
            "{} is not a directory",
            target.display()
        )));
    }
    let real = fs::canonicalize(&target).unwrap_or_else(|_| target.clone());
    let real_cwd = fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    if real_cwd.starts_with(&real) {
        return Err(Refusal::new(format!(
            "refusing to delete {}: it is the current directory or one of its parents",
            target.display()
        ))
        .with_hint(
            "run `polepos delete` from outside the project, e.g. `cd .. && polepos delete <name>`",
        ));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let home = home.map(|h| fs::canonicalize(&h).unwrap_or(h));
    if real.parent().is_none() || home.as_deref() == Some(real.as_path()) {
        return Err(Refusal::new(format!(
            "refusing to delete {}: it is the root or the home directory",
            target.display()
        )));
    }
    Ok(target)
}

/// `a/./b/../c` → `a/c`, without touching the disk (so a final symlink is not followed).
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The package of the project at `target`, or why it is not one.
fn prove_project(target: &Path) -> Result<String, Refusal> {
    let not_a_project = |why: String| {
        Refusal::new(format!(
            "refusing to delete {}: it is not a polepos project ({why})",
            target.display()
        ))
        .with_hint("polepos deletes only directories it can prove are polepos projects; remove other directories with your usual tools")
    };
    let manifest_path = target.join(manifest::FILE_NAME);
    match fs::symlink_metadata(&manifest_path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => {
            return Err(not_a_project(format!(
                "{} is not a regular file",
                manifest::FILE_NAME
            )));
        }
        Err(_) => return Err(not_a_project(format!("no {}", manifest::FILE_NAME))),
    }
    let manifest = Manifest::load(&manifest_path).map_err(|e| not_a_project(format!("{e}")))?;
    let package = manifest
        .valid_package()
        .map_err(|refusal| not_a_project(refusal.message))?
        .ok_or_else(|| {
            not_a_project(format!(
                "{} has no `[poleposition] package`",
                manifest::FILE_NAME
            ))
        })?
        .to_string();
    let package_dir = target.join("src").join(&package);
    let is_dir = fs::symlink_metadata(&package_dir).is_ok_and(|m| m.is_dir());
    if !is_dir {
        return Err(not_a_project(format!("src/{package}/ does not exist")));
    }
    Ok(package)
}

/// Counts what is under `root` without following symlinks.
fn count(root: &Path) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        tally.dirs += 1;
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                tally.links += 1;
            } else if kind.is_dir() {
                stack.push(entry.path());
            } else {
                tally.files += 1;
                tally.bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    Ok(tally)
}

/// Renames the project out of its place in one step, then removes it (symlinks as links).
fn remove(target: &Path) -> anyhow::Result<()> {
    let _section = CriticalSection::enter();
    let parent = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let doomed = parent.join(format!(".{name}.polepos-delete-{}", std::process::id()));
    fs::rename(target, &doomed).map_err(|source| {
        anyhow::Error::new(source).context(format!("cannot delete {}", target.display()))
    })?;
    // `remove_dir_all` does not follow symlinks: a link is removed, its target kept.
    fs::remove_dir_all(&doomed).map_err(|source| {
        anyhow::Error::new(source).context(format!(
            "{} was moved to {} but could not be removed completely; remove that directory by hand",
            target.display(),
            doomed.display()
        ))
    })
}

/// `1.2 MiB`, `340 KiB`, `12 B`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_ls_h() {
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(2048), "2.0 KiB");
        assert_eq!(human_size(5 * 1024 * 1024 + 1), "5.0 MiB");
    }

    #[test]
    fn paths_normalise_without_the_disk() {
        assert_eq!(normalise(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
