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

use super::edit::ProjectEdit;
use super::integration::SHARED_OWNER;
use super::{Feature, ManifestEntry, Recipe, Role, Splice};
use crate::changeset::ChangeSet;
use crate::error::Refusal;
use crate::ledger::{self, FileState, Ledger};
use crate::manifest::{self, Manifest};
use crate::project::Project;
use crate::pyproject::Pyproject;

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
    let loaded = Ledger::load(root).map_err(|e| {
        Refusal::new(format!("cannot remove {label}: {e}"))
            .with_hint("restore .poleposition.lock from version control")
    })?;
    let mut edit = ProjectEdit::new(project, loaded);
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
        for path in edit.ledger().owned_by(&owner) {
            if !own.iter().any(|(p, _)| p == path) {
                own.push((path.to_string(), None));
            }
        }
        if let Feature::Module { name, .. } = &recipe.feature {
            own.extend(older_unit_test(root, name, &recipe.files));
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
                edit.forget(path);
                continue;
            };
            // `--wiring-only` keeps the module's files but not its two generated tests:
            // they exercise routes that are no longer mounted (an edited one blocks the
            // removal without `--force`, like any other edited file).
            if policy.wiring_only && !path.starts_with("tests/") {
                kept.push((path.clone(), "--wiring-only".to_string()));
                continue;
            }
            let ledger = edit.ledger();
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
            edit.delete(path, bytes);
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
                            edit.delete(&shown, bytes);
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
                edit.prune_dir(dir);
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
                kept: edit.ledger().kept(&path, &owner).to_vec(),
                ..block.clone()
            };
            edit.keep(&path, &owner, &[]);
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
            let old = match fs::read(root.join(&path)) {
                Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                    Refusal::new(format!(
                        "cannot remove {label}: {path} is not valid UTF-8, so its wiring of {label} cannot be removed"
                    ))
                    .with_hint(format!("nothing was changed; save {path} as UTF-8, then run the command again"))
                })?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(Refusal::new(format!("cannot remove {label}: cannot read {path}: {e}"))
                        .with_hint("nothing was changed; make the file readable, then run the command again")
                        .into());
                }
            };
            let current = edits
                .get(&path)
                .map_or_else(|| old.clone(), |(_, new)| new.clone());
            let new = splice.remove(&current, &path).map_err(|e| {
                Refusal::new(format!("cannot remove {label}: {e}")).with_hint(
                    "fix the file (`polepos check` shows where), then run the command again",
                )
            })?;
            if new == current {
                continue;
            }
            edits.insert(path, (old, new));
        }

        // Imports of the module that are not its wiring would dangle once it is gone.
        if let Feature::Module { name, .. } = &recipe.feature
            && !policy.wiring_only
        {
            let references = super::references::to_module(root, pkg, name, &edits);
            if !references.is_empty() {
                return Err(Refusal::new(format!(
                    "cannot remove {label}: {} import(s) of it elsewhere in the package would break the app",
                    references.len()
                ))
                .with_causes(references)
                .with_hint("nothing was changed; remove or change those imports first, then run the command again (--force does not override this: the package would no longer import)")
                .into());
            }
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
            edit.edit(manifest::FILE_NAME, m.original().to_string(), text);
        }
    }

    for (path, (old, new)) in edits {
        edit.edit(&path, old, new);
    }
    Ok(Removal {
        set: edit.finish(),
        kept,
    })
}

/// The unit test of module `name` under the older tool's singular spelling
/// (`races` → `tests/unit/test_race_service.py`), when the project has it instead of
/// the current one: the module's own file, pristine when it holds what polepos
/// generates for the current name.
fn older_unit_test(
    root: &Path,
    name: &str,
    files: &[super::GeneratedFile],
) -> Option<(String, Option<String>)> {
    let singular = name.strip_suffix('s').filter(|s| !s.is_empty())?;
    files.iter().find_map(|file| {
        let path = slash(&file.path);
        let rest = path.strip_prefix(&format!("tests/unit/test_{name}_"))?;
        let older = format!("tests/unit/test_{singular}_{rest}");
        (!root.join(&path).exists() && root.join(&older).is_file())
            .then(|| (older, Some(file.contents.clone())))
    })
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
