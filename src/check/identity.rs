//! Settling what the project is before anything else is checked: its root, manifest,
//! package and db mode (PPCHK000–006, 013–016).
//!
//! Later checks only make sense once the package directory is known, so this stage can
//! stop early (no `src/`, no package). An unreadable or partly invalid manifest does not
//! stop it: the project is then checked from its files, as a project without a manifest
//! would be, and the manifest problem is reported.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use toml_edit::Item;

use super::codes::Code;
use super::source::{Source, is_identifier, toml_error};
use super::{Issue, Report};
use crate::feature::module::Template;
use crate::manifest::DbMode;
use crate::manifest::{self, Manifest};
use crate::project;

/// How the manifest was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManifestState {
    Absent,
    Unreadable,
    Read,
}

/// A `[modules]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestModule {
    pub name: String,
    /// `None` when the value is not a valid template (already reported as PPCHK014).
    pub template: Option<Template>,
    pub line: Option<usize>,
}

/// What the manifest says, as far as it could be read.
#[derive(Debug, Clone)]
pub(crate) struct ManifestFacts {
    pub state: ManifestState,
    pub modules: Vec<ManifestModule>,
    /// Integrations with a boolean value.
    pub integrations: BTreeMap<String, bool>,
    /// The auth extensions `[poleposition] auth_extensions` lists that polepos knows.
    pub auth_extensions: crate::feature::auth_extension::Extensions,
    /// The manifest text when it was read (for locating keys).
    pub text: Option<String>,
}

impl ManifestFacts {
    pub(crate) fn integration_enabled(&self, name: &str) -> bool {
        self.integrations.get(name).copied().unwrap_or(false)
    }

    pub(crate) fn module(&self, name: &str) -> Option<&ManifestModule> {
        self.modules.iter().find(|m| m.name == name)
    }
}

/// A project whose package directory is known.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub root: PathBuf,
    pub pkg: String,
    pub db: DbMode,
    pub manifest: ManifestFacts,
    pub issues: Vec<Issue>,
}

/// The outcome of this stage.
#[derive(Debug)]
pub(crate) enum Settled {
    NotAProject(Report),
    /// A project was found but cannot be checked further.
    Stopped {
        root: PathBuf,
        package: Option<String>,
        issues: Vec<Issue>,
    },
    Project(Identity),
}

const MANIFEST: &str = manifest::FILE_NAME;

/// Finds the project around `cwd` and settles its identity.
pub(crate) fn settle(cwd: &Path) -> Settled {
    let Some(located) = project::locate(cwd) else {
        let issue = Issue::new(
            Code::NotAProject,
            format!(
                "no polepos project found in {} or any parent directory",
                cwd.display()
            ),
        );
        return Settled::NotAProject(Report {
            project_root: None,
            package: None,
            issues: vec![issue],
            fixed: Vec::new(),
        });
    };
    let root = located.root;
    let mut issues = Vec::new();
    // Any entry named like the manifest (a directory, a broken link) is the project's
    // manifest, reported as unreadable rather than silently ignored.
    let has_manifest = located.has_manifest || root.join(MANIFEST).symlink_metadata().is_ok();
    let (manifest, facts) = if has_manifest {
        read_manifest(&root, &mut issues)
    } else {
        (None, empty_facts(ManifestState::Absent, None))
    };
    if !root.join("pyproject.toml").is_file() {
        issues.push(
            Issue::new(Code::PyprojectMissing, "pyproject.toml is missing")
                .at("pyproject.toml", None),
        );
    }
    if !root.join("src").is_dir() {
        issues.push(Issue::new(Code::SrcMissing, "the src/ directory is missing").at("src", None));
        return Settled::Stopped {
            root,
            package: manifest
                .as_ref()
                .and_then(|m| m.package().map(str::to_string)),
            issues,
        };
    }
    let Some(pkg) = settle_package(&root, manifest.as_ref(), &facts, &mut issues) else {
        return Settled::Stopped {
            root,
            package: manifest
                .as_ref()
                .and_then(|m| m.package().map(str::to_string)),
            issues,
        };
    };
    let db = match manifest.as_ref().and_then(|m| m.db_raw().map(|item| (m, item))) {
        None => project::infer_db(&root, &pkg),
        Some((m, item)) => m.db_mode().unwrap_or_else(|| {
            let shown = item.as_value().map_or_else(|| "a table".to_string(), |v| v.to_string().trim().to_string());
            issues.push(
                Issue::new(
                    Code::BadDbMode,
                    format!("`db` under [poleposition] is {shown}; it must be \"sqlite\", \"postgres\", \"none\" or \"custom\""),
                )
                .at(MANIFEST, key_line(facts.text.as_deref(), "poleposition", "db")),
            );
            project::infer_db(&root, &pkg)
        }),
    };
    Settled::Project(Identity {
        root,
        pkg,
        db,
        manifest: facts,
        issues,
    })
}

fn empty_facts(state: ManifestState, text: Option<String>) -> ManifestFacts {
    ManifestFacts {
        state,
        modules: Vec::new(),
        integrations: BTreeMap::new(),
        auth_extensions: Default::default(),
        text,
    }
}

/// Reads and validates the manifest (PPCHK014–016).
fn read_manifest(root: &Path, issues: &mut Vec<Issue>) -> (Option<Manifest>, ManifestFacts) {
    let Some(text) = read_manifest_text(root, issues) else {
        return (None, empty_facts(ManifestState::Unreadable, None));
    };
    let manifest = match Manifest::parse(&text) {
        Ok(m) => m,
        Err(_) => {
            let (line, message) = toml_error(&text).unwrap_or((None, "invalid TOML".to_string()));
            issues.push(
                Issue::new(
                    Code::ManifestUnreadable,
                    format!("{MANIFEST} is not valid TOML: {message}"),
                )
                .at(MANIFEST, line),
            );
            return (None, empty_facts(ManifestState::Unreadable, Some(text)));
        }
    };
    let lines = key_lines(&text);
    let mut facts = empty_facts(ManifestState::Read, Some(text));
    facts.modules = read_modules(&manifest, &lines, issues);
    facts.auth_extensions = read_auth_extensions(&manifest, &lines, issues);
    facts.integrations = read_integrations(&manifest, &lines, issues);
    (Some(manifest), facts)
}

/// The manifest's text, or `None` after reporting why it cannot be read (PPCHK014).
fn read_manifest_text(root: &Path, issues: &mut Vec<Issue>) -> Option<String> {
    match Source::read(&root.join(MANIFEST)) {
        Source::Text(text) => Some(text),
        Source::NotUtf8 { line } => {
            issues.push(
                Issue::new(
                    Code::ManifestUnreadable,
                    format!("{MANIFEST} is not valid UTF-8"),
                )
                .at(MANIFEST, Some(line)),
            );
            None
        }
        Source::TooLarge => {
            issues.push(
                Issue::new(
                    Code::ManifestUnreadable,
                    format!("{MANIFEST} is larger than 5 MiB"),
                )
                .at(MANIFEST, None),
            );
            None
        }
        Source::Missing => {
            let why = unreadable_reason(&root.join(MANIFEST));
            issues.push(
                Issue::new(Code::ManifestUnreadable, format!("{MANIFEST} {why}"))
                    .at(MANIFEST, None),
            );
            None
        }
    }
}

/// Why an entry that should be the manifest could not be read as a file.
fn unreadable_reason(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => "is a directory, not a file".to_string(),
        Ok(_) => match std::fs::read(path) {
            Err(error) => format!("cannot be read: {error}"),
            Ok(_) => "cannot be read".to_string(),
        },
        Err(_) if path.symlink_metadata().is_ok() => "is a symbolic link to nothing".to_string(),
        Err(error) => format!("cannot be read: {error}"),
    }
}

/// The line of `key` in `[section]` among the manifest's key `lines`.
fn line_in(lines: &HashMap<(String, String), usize>, section: &str, key: &str) -> Option<usize> {
    lines.get(&(section.to_string(), key.to_string())).copied()
}

/// The `[modules]` entries, reporting invalid templates and a non-table section.
fn read_modules(
    manifest: &Manifest,
    lines: &HashMap<(String, String), usize>,
    issues: &mut Vec<Issue>,
) -> Vec<ManifestModule> {
    let mut modules = Vec::new();
    for (name, item) in entries(manifest, "modules") {
        let line = line_in(lines, "modules", &name);
        let template = match item.as_str() {
            Some(value) => Template::parse(value, &name)
                .map_err(|why| {
                    issues.push(
                        Issue::new(
                            Code::BadModuleTemplate,
                            format!("module `{name}` has an invalid template: {why}"),
                        )
                        .at(MANIFEST, line),
                    );
                })
                .ok(),
            None => {
                issues.push(
                    Issue::new(
                        Code::BadModuleTemplate,
                        format!("module `{name}` has a template value that is not a string"),
                    )
                    .at(MANIFEST, line),
                );
                None
            }
        };
        modules.push(ManifestModule {
            name,
            template,
            line,
        });
    }
    if let Some(item) = manifest.item(&["modules"])
        && !item.is_table_like()
    {
        issues.push(
            Issue::new(
                Code::BadModuleTemplate,
                "`modules` must be a table ([modules]) of name = \"template\" entries",
            )
            .at(MANIFEST, line_in(lines, "", "modules")),
        );
    }
    modules
}

/// The auth extensions the manifest lists that polepos knows, reporting the others.
fn read_auth_extensions(
    manifest: &Manifest,
    lines: &HashMap<(String, String), usize>,
    issues: &mut Vec<Issue>,
) -> crate::feature::auth_extension::Extensions {
    let line = line_in(lines, "poleposition", manifest::AUTH_EXTENSIONS);
    match manifest.auth_extensions() {
        Ok(names) => {
            let (known, unknown) = crate::feature::auth_extension::from_names(&names);
            for name in unknown {
                issues.push(
                    Issue::new(
                        Code::AuthExtensionUnknown,
                        format!("auth extension `{name}` is not one polepos knows"),
                    )
                    .at(MANIFEST, line),
                );
            }
            known
        }
        Err(why) => {
            issues.push(Issue::new(Code::AuthExtensionUnknown, why).at(MANIFEST, line));
            Default::default()
        }
    }
}

/// The `[integrations]` with a boolean value, reporting the others and a non-table
/// section.
fn read_integrations(
    manifest: &Manifest,
    lines: &HashMap<(String, String), usize>,
    issues: &mut Vec<Issue>,
) -> BTreeMap<String, bool> {
    let mut integrations = BTreeMap::new();
    for (name, item) in entries(manifest, "integrations") {
        match item.as_bool() {
            Some(enabled) => {
                integrations.insert(name, enabled);
            }
            None => {
                let shown = item.as_value().map_or_else(
                    || "a table".to_string(),
                    |v| v.to_string().trim().to_string(),
                );
                issues.push(
                    Issue::new(
                        Code::IntegrationNotBoolean,
                        format!("integration `{name}` is {shown}; it must be a bare true or false"),
                    )
                    .at(MANIFEST, line_in(lines, "integrations", &name)),
                );
            }
        }
    }
    if let Some(item) = manifest.item(&["integrations"])
        && !item.is_table_like()
    {
        issues.push(
            Issue::new(
                Code::IntegrationNotBoolean,
                "`integrations` must be a table ([integrations]) of name = true/false entries",
            )
            .at(MANIFEST, line_in(lines, "", "integrations")),
        );
    }
    integrations
}

/// Entries of a table (or inline table) section, in file order.
fn entries(manifest: &Manifest, section: &str) -> Vec<(String, Item)> {
    manifest
        .item(&[section])
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
        .unwrap_or_default()
}

/// Settles the package (PPCHK003–005). `None` stops the check.
fn settle_package(
    root: &Path,
    manifest: Option<&Manifest>,
    facts: &ManifestFacts,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let on_disk = project::infer_package(root);
    let line = key_line(facts.text.as_deref(), "poleposition", "package");
    match manifest.and_then(|m| m.item(&["poleposition", "package"])) {
        Some(item) => declared_package(root, item, on_disk, line, issues),
        None => package_on_disk(on_disk, issues),
    }
}

/// The package when the manifest declares one (`item`, on `line`), checked against the
/// package found under `src/` (`on_disk`).
fn declared_package(
    root: &Path,
    item: &Item,
    on_disk: Option<String>,
    line: Option<usize>,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let Some(name) = item.as_str().map(str::to_string) else {
        issues.push(
            Issue::new(
                Code::PackageNotIdentifier,
                "`package` under [poleposition] is not a string",
            )
            .at(MANIFEST, line),
        );
        return on_disk.filter(|d| is_identifier(d));
    };
    if !is_identifier(&name) {
        issues.push(
            Issue::new(
                Code::PackageNotIdentifier,
                format!("package name `{name}` is not a valid Python identifier"),
            )
            .at(MANIFEST, line),
        );
        return on_disk.filter(|d| is_identifier(d));
    }
    if root.join("src").join(&name).is_dir() {
        return Some(name);
    }
    match on_disk {
        Some(disk) if is_identifier(&disk) => {
            issues.push(
                Issue::new(
                    Code::PackageMismatch,
                    format!("the manifest names package `{name}`, but src/ holds package `{disk}`"),
                )
                .at(MANIFEST, line)
                .fix(format!("set `package = \"{disk}\"` under [poleposition] (or rename src/{disk} back to src/{name})")),
            );
            Some(disk)
        }
        _ => {
            issues.push(
                Issue::new(
                    Code::PackageMissing,
                    format!("package directory src/{name} is missing"),
                )
                .at(format!("src/{name}"), None),
            );
            None
        }
    }
}

/// The package found under `src/` (`on_disk`) when the manifest declares none.
fn package_on_disk(on_disk: Option<String>, issues: &mut Vec<Issue>) -> Option<String> {
    match on_disk {
        Some(disk) if is_identifier(&disk) => Some(disk),
        Some(disk) => {
            issues.push(
                Issue::new(
                    Code::PackageNotIdentifier,
                    format!("package name `{disk}` is not a valid Python identifier"),
                )
                .at(format!("src/{disk}"), None),
            );
            None
        }
        None => {
            issues.push(
                Issue::new(
                    Code::PackageMissing,
                    "no package under src/ has api/router.py, and the manifest names none",
                )
                .at("src", None),
            );
            None
        }
    }
}

/// The 1-based line of `key = ...` in `[section]` of a TOML text (`""` for the root
/// table), found by scanning lines; used only to point at the problem.
pub(crate) fn key_line(text: Option<&str>, section: &str, key: &str) -> Option<usize> {
    key_lines(text?)
        .get(&(section.to_string(), key.to_string()))
        .copied()
}

/// Every `(section, key)` of a TOML text with the line it is on (first occurrence);
/// a table header `[name]` is recorded as `("", name)`.
fn key_lines(text: &str) -> HashMap<(String, String), usize> {
    let mut lines = HashMap::new();
    let mut current = String::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = header.trim().to_string();
            lines
                .entry((String::new(), current.clone()))
                .or_insert(index + 1);
            continue;
        }
        let Some((lhs, _)) = trimmed.split_once('=') else {
            continue;
        };
        let key = lhs
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .to_string();
        lines.entry((current.clone(), key)).or_insert(index + 1);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_key_lines() {
        let text = "[poleposition]\npackage = \"x\"\ndb = \"bad\"\n\n[modules]\nstatus = \"starter\"\n\"my-mod\" = \"standard\"\n";
        assert_eq!(key_line(Some(text), "poleposition", "db"), Some(3));
        assert_eq!(key_line(Some(text), "modules", "my-mod"), Some(7));
        assert_eq!(key_line(Some(text), "", "modules"), Some(5));
        assert_eq!(key_line(Some(text), "modules", "db"), None);
    }
}
