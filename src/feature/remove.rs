//! The remover: a feature's recipe, the ledger and the disk become the change set that
//! takes the feature out again — its own files (only those it owns, and only pristine
//! ones unless forced), its wiring by meaning, its manifest entry and its ledger entries,
//! and the directories that leave empty — or a refusal listing every file that blocks.
//!
//! Wiring is removed by deleting exactly the statements that wire the feature (found in
//! the parsed files, whatever their formatting), which are exactly the lines `add`
//! inserted: `add X` then `remove X` gives the original tree back, byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

use super::integration::SHARED_OWNER;
use super::{Feature, ManifestEntry, Recipe, Role, Splice};
use crate::changeset::ChangeSet;
use crate::error::Refusal;
use crate::ledger::{self, FileState, Ledger};
use crate::manifest::{self, Manifest};
use crate::project::Project;
use crate::pyproject::Pyproject;
use crate::python;

/// Why a file made by the older tool (or by hand) blocks a removal.
const NOT_IN_THE_LEDGER: &str = "not in the ledger";

/// How forcefully to remove.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Remove owned files even when modified or unrecorded (never files it does not own).
    pub force: bool,
    /// Remove only wiring, manifest entry and ledger entries; keep every file.
    pub wiring_only: bool,
}

/// A planned removal.
#[derive(Debug)]
pub struct Removal {
    pub set: ChangeSet,
    /// Files left in place, with why (hand-written files under `--force`, every file
    /// under `--wiring-only`).
    pub kept: Vec<(String, String)>,
}

/// Plans removing `recipe`'s feature from `project`; refuses (listing every blocking
/// file with why) when something it would delete is not provably its own and pristine.
pub fn plan_remove(project: &Project, recipe: &Recipe, policy: Policy) -> anyhow::Result<Removal> {
    plan_remove_all(project, std::slice::from_ref(recipe), policy)
}

/// Plans removing several features in one change set (the last ai-prompt module and the
/// llm scaffold it brought); the refusal lists what blocks any of them, worded for the
/// first.
pub fn plan_remove_all(
    project: &Project,
    recipes: &[Recipe],
    policy: Policy,
) -> anyhow::Result<Removal> {
    let root = &project.root;
    let Some(first) = recipes.first() else {
        return Err(anyhow::anyhow!("internal error: nothing to remove"));
    };
    let label = first.feature.to_string();
    let (mut ledger, ledger_text) = match Ledger::load(root) {
        Ok(Some((ledger, text))) => (ledger, Some(text)),
        Ok(None) => (Ledger::default(), None),
        Err(e) => {
            return Err(Refusal::new(format!("cannot remove {label}: {e}"))
                .with_hint("restore .poleposition.lock from version control")
                .into());
        }
    };
    let mut set = ChangeSet::new(root.clone());
    let mut kept = Vec::new();
    let mut blocked: Vec<String> = Vec::new();
    let mut changed_blocks = 0;
    let mut edits: std::collections::BTreeMap<String, (String, String)> = Default::default();

    for recipe in recipes {
        let label = recipe.feature.to_string();
        let owner = recipe.feature.owner();
        // The feature's own files: the recipe's, plus any the ledger gives it.
        let mut own: Vec<(String, Option<String>)> = recipe
            .files
            .iter()
            .map(|f| (slash(&f.path), Some(f.contents.clone())))
            .collect();
        for path in ledger.owned_by(&owner) {
            if !own.iter().any(|(p, _)| p == path) {
                own.push((path.to_string(), None));
            }
        }
        own.sort();
        // Files every integration shares go with the last one only.
        let shared: Vec<String> = recipe
            .files
            .iter()
            .filter(|f| matches!(f.role, Role::Shared(_)))
            .map(|f| slash(&f.path))
            .collect();
        let last_integration = match &recipe.feature {
            Feature::Integration(name) => !other_integrations(root, &project.package, name),
            _ => false,
        };
        for (path, fresh) in &own {
            if shared.contains(path) && !last_integration {
                continue;
            }
            let full = root.join(path);
            let Ok(bytes) = fs::read(&full) else {
                ledger.forget(path);
                continue;
            };
            // `--wiring-only` keeps the module's files but not its two generated tests:
            // they exercise routes that are no longer mounted (an edited one blocks the
            // removal without `--force`, like any other edited file).
            if policy.wiring_only && !path.starts_with("tests/") {
                kept.push((path.clone(), "--wiring-only".to_string()));
                continue;
            }
            let recorded_owner = ledger.get(path).map(|e| e.owner.clone());
            let shared_owner =
                shared.contains(path) && recorded_owner.as_deref() == Some(SHARED_OWNER);
            if !shared_owner && recorded_owner.as_deref().is_some_and(|o| o != owner) {
                kept.push((
                    path.clone(),
                    format!("it belongs to {}", recorded_owner.unwrap_or_default()),
                ));
                continue;
            }
            // A file `upgrade --apply` adopted as found (the older tool's) and left alone
            // since may go: the baseline the user accepted is what would be lost.
            let adopted_unchanged = ledger
                .get(path)
                .is_some_and(|e| e.adopted && e.sha256 == ledger::sha256_hex(&bytes));
            match ledger.state(path, Some(&bytes), fresh.as_deref().map(str::as_bytes)) {
                FileState::Pristine => {}
                FileState::Untracked if adopted_unchanged => {}
                FileState::Modified if !policy.force => {
                    blocked.push(format!("{path}: changed since polepos wrote it"));
                    continue;
                }
                FileState::Untracked if !policy.force => {
                    blocked.push(format!(
                        "{path}: {NOT_IN_THE_LEDGER} and different from what polepos generates (made by the older tool or by hand?)"
                    ));
                    continue;
                }
                _ => {}
            }
            ledger.forget(path);
            set.delete(path.clone(), bytes);
        }

        // Files in the feature's directories that it does not own.
        let pkg = &project.package;
        let feature_dirs: Vec<String> = match &recipe.feature {
            Feature::Module { name, .. } => vec![format!("src/{pkg}/modules/{name}")],
            Feature::Integration(name) if last_integration => vec![
                format!("src/{pkg}/integrations"),
                "tests/integrations".to_string(),
            ],
            Feature::Integration(name) => vec![format!("src/{pkg}/integrations/{name}")],
            _ => Vec::new(),
        };
        for dir in &feature_dirs {
            let mut stack = vec![PathBuf::from(dir)];
            let mut dirs = Vec::new();
            while let Some(rel) = stack.pop() {
                let Ok(entries) = fs::read_dir(root.join(&rel)) else {
                    continue;
                };
                dirs.push(rel.clone());
                for entry in entries.filter_map(Result::ok) {
                    let child = rel.join(entry.file_name());
                    let shown = slash(&child);
                    let Ok(kind) = entry.file_type() else {
                        continue;
                    };
                    if kind.is_dir() {
                        stack.push(child);
                    } else if own.iter().any(|(p, _)| *p == shown) {
                    } else if is_bytecode(&child) && !policy.wiring_only {
                        // Derived by Python from the module's own sources.
                        if let Ok(bytes) = fs::read(root.join(&child)) {
                            set.delete(child, bytes);
                        }
                    } else if policy.force || policy.wiring_only {
                        kept.push((shown, "polepos did not generate it".to_string()));
                    } else {
                        blocked.push(format!(
                            "{shown}: not generated by polepos for {label} (hand-written?)"
                        ));
                    }
                }
            }
            dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
            for dir in dirs {
                set.prune_dir(dir);
            }
        }

        // Settings and env blocks: exactly the lines adding wrote (the ledger says which
        // entries it kept instead), found by meaning (`super::block`); an added entry
        // edited since blocks the removal.
        for splice in &recipe.splices {
            let Splice::Block(block) = splice else {
                continue;
            };
            let path = splice.path(pkg);
            let Ok(old) = fs::read_to_string(root.join(&path)) else {
                continue;
            };
            let current = edits
                .get(&path)
                .map_or_else(|| old.clone(), |(_, new)| new.clone());
            let block = super::Block {
                kept: ledger.kept(&path, &owner).to_vec(),
                ..block.clone()
            };
            ledger.keep(&path, &owner, &[]);
            let found = block.locate(&current);
            let mut new = current.clone();
            if found.changed() {
                changed_blocks += 1;
                if !policy.force {
                    blocked.push(format!(
                        "{path}: the values of {label} (from `{}`) are not the ones polepos added (changed since, or written by the older tool)",
                        block.added_names().first().copied().unwrap_or_default()
                    ));
                    continue;
                }
            }
            if let Some(range) = found.range {
                new.replace_range(range, "");
            }
            if !found.elsewhere.is_empty() {
                new = block.delete_by_meaning(&new);
            }
            if new != current {
                edits.insert(path, (old, new));
            }
        }
    }

    if !blocked.is_empty() {
        let label = match recipes {
            [_, also @ ..] if !also.is_empty() => format!(
                "{label} (and {})",
                also.iter()
                    .map(|r| r.feature.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => label,
        };
        let files = blocked.len() - changed_blocks;
        let lost = match (files, changed_blocks) {
            (files, 0) => format!("{files} file(s)"),
            (0, blocks) => format!("{blocks} block(s) of values"),
            (files, blocks) => format!("{files} file(s) and {blocks} block(s) of values"),
        };
        let adopt = if blocked.iter().any(|b| b.contains(NOT_IN_THE_LEDGER)) {
            "; files made by the older tool are removed without --force once `polepos upgrade --apply` has recorded them as the baseline"
        } else {
            ""
        };
        return Err(Refusal::new(format!("cannot remove {label}: {lost} would be lost"))
        .with_causes(blocked)
        .with_hint(format!("nothing was changed; restore or move those files, or pass --force to remove the files of {label} anyway (files polepos did not generate are always kept){adopt}"))
        .into());
    }

    let mut manifest_edit: Option<Manifest> = None;
    for recipe in recipes {
        let label = recipe.feature.to_string();
        let pkg = &project.package;
        // Wiring, by meaning: each file's edits accumulate, then become one change.
        for splice in &recipe.splices {
            if splice.needs_db() && !project.db.has_db() || matches!(splice, Splice::Block(_)) {
                continue;
            }
            let path = splice.path(pkg);
            let Ok(old) = fs::read_to_string(root.join(&path)) else {
                continue;
            };
            let current = edits
                .get(&path)
                .map_or_else(|| old.clone(), |(_, new)| new.clone());
            let package = python::package_of(&path);
            let Ok(file) = python::parse(&current, &package) else {
                return Err(Refusal::new(format!(
                    "cannot remove {label}: {path} has a Python syntax error"
                ))
                .with_hint("fix the file (`polepos check` shows where), then run the command again")
                .into());
            };
            let ranges = match splice {
                Splice::Mount(mount) => mount.line_ranges(&file),
                Splice::ModelImport { package, .. } => file
                    .imports
                    .iter()
                    .filter(|i| {
                        (i.module == *package && i.name.as_deref() == Some("model"))
                            || i.module == format!("{package}.model")
                    })
                    .map(|i| (i.line, i.end_line))
                    .collect(),
                Splice::Export(name) => file
                    .all
                    .as_ref()
                    .map(|all| {
                        all.items
                            .iter()
                            .filter(|(item, line)| {
                                item == name
                                    && current.lines().nth(line - 1).is_some_and(|l| {
                                        let t = l.trim();
                                        t == format!("\"{name}\",") || t == format!("'{name}',")
                                    })
                            })
                            .map(|(_, line)| (*line, *line))
                            .collect()
                    })
                    .unwrap_or_default(),
                Splice::Block(_) => Vec::new(),
            };
            if ranges.is_empty() {
                continue;
            }
            let new = delete_lines(&current, &ranges);
            if python::parse(&new, &package).is_err() {
                return Err(anyhow::anyhow!(
                    "internal error: removing the wiring of {label} from {path} would break its syntax"
                ));
            }
            edits.insert(path, (old, new));
        }

        // Dependencies nothing else needs any more.
        if let Some(conditional) = recipe.conditional_dependencies.first()
            && matches!(recipe.feature, Feature::Integration(_))
            && let Ok(old) = fs::read_to_string(root.join("pyproject.toml"))
            && let Ok(mut pyproject) = Pyproject::parse(&old)
            && pyproject.remove_dependency(conditional.requirement)
        {
            let new = pyproject.render();
            Pyproject::parse(&new)
                .map_err(|e| anyhow::anyhow!("edited pyproject.toml no longer parses: {e}"))?;
            edits.insert("pyproject.toml".to_string(), (old, new));
        }

        // Manifest entry.
        if let (Some(entry), Some(m)) = (&recipe.manifest, &project.manifest) {
            let edited = manifest_edit.get_or_insert_with(|| m.clone());
            match entry {
                ManifestEntry::Module { name, .. } => edited.remove_module(name),
                ManifestEntry::Integration(name) => edited.remove_integration(name),
            };
        }
    }
    if let (Some(edited), Some(m)) = (manifest_edit, &project.manifest) {
        let text = edited.render();
        if text != m.original() {
            Manifest::parse(&text)
                .map_err(|e| anyhow::anyhow!("edited manifest no longer parses: {e}"))?;
            set.modify(manifest::FILE_NAME, m.original().to_string(), text);
        }
    }

    // Ledger: entries of the edited wiring files follow their new bytes.
    for (path, (old, new)) in edits {
        ledger.record_edit(&path, old.as_bytes(), new.as_bytes());
        set.modify(path, old, new);
    }
    match ledger_text {
        Some(old) if ledger.is_empty() => set.delete(ledger::FILE_NAME, old.into_bytes()),
        Some(old) => set.modify(ledger::FILE_NAME, old, ledger.render()),
        None => {}
    }
    set.brief(
        ledger::FILE_NAME,
        "ledger: the removed files are forgotten".to_string(),
    );
    Ok(Removal { set, kept })
}

/// Deletes the 1-based inclusive line ranges from `text`.
fn delete_lines(text: &str, ranges: &[(usize, usize)]) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .filter(|(index, _)| {
            let line = index + 1;
            !ranges
                .iter()
                .any(|(start, end)| line >= *start && line <= *end)
        })
        .map(|(_, l)| l)
        .collect()
}

/// Whether `src/<pkg>/integrations/` holds an integration package besides `name`.
fn other_integrations(root: &Path, pkg: &str, name: &str) -> bool {
    fs::read_dir(root.join(format!("src/{pkg}/integrations")))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .any(|entry| {
            let file_name = entry.file_name();
            let other = file_name.to_string_lossy();
            other != name && other != "__pycache__" && entry.file_type().is_ok_and(|t| t.is_dir())
        })
}

fn is_bytecode(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "__pycache__")
        || path.extension().is_some_and(|e| e == "pyc" || e == "pyo")
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
