//! The remover: a feature's recipe, the ledger and the disk become the change set that
//! takes the feature out again — its own files (only those it owns, and only pristine
//! ones unless forced), its wiring by meaning, its manifest entry and its ledger entries,
//! and the directories that leave empty — or a refusal listing every file that blocks.
//!
//! Wiring is removed by deleting exactly the statements that wire the feature (found in
//! the parsed files, whatever their formatting), which are exactly the lines `add`
//! inserted: `add X` then `remove X` gives the original tree back, byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::edit::ProjectEdit;
use super::integration::SHARED_OWNER;
use super::{Feature, ManifestEntry, Recipe, Role, Wiring};
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
pub(crate) struct Policy {
    /// Remove owned files even when modified or unrecorded (never files it does not own).
    pub force: bool,
    /// Remove only wiring, manifest entry and ledger entries; keep every file.
    pub wiring_only: bool,
}

/// A planned removal.
#[derive(Debug)]
pub(crate) struct Removal {
    pub set: ChangeSet,
    /// Files left in place, with why (hand-written files under `--force`, every file
    /// under `--wiring-only`).
    pub kept: Vec<(String, String)>,
}

/// Plans removing `recipe`'s feature from `project`; refuses (listing every blocking
/// file with why) when something it would delete is not provably its own and pristine.
pub(crate) fn plan_remove(
    project: &Project,
    recipe: &Recipe,
    policy: Policy,
) -> anyhow::Result<Removal> {
    plan_remove_all(project, std::slice::from_ref(recipe), policy)
}

/// Plans removing several features in one change set (the last ai-prompt module and the
/// llm scaffold it brought); the refusal lists what blocks any of them, worded for the
/// first.
pub(crate) fn plan_remove_all(
    project: &Project,
    recipes: &[Recipe],
    policy: Policy,
) -> anyhow::Result<Removal> {
    let Some(first) = recipes.first() else {
        return Err(anyhow::anyhow!("internal error: nothing to remove"));
    };
    let loaded = load_ledger(project, &first.feature)?;
    plan_remove_loaded(project, recipes, policy, loaded)
}

/// The project's ledger, for removing `feature`; unreadable, it refuses the removal.
pub(crate) fn load_ledger(
    project: &Project,
    feature: &Feature,
) -> Result<Option<(Ledger, String)>, Refusal> {
    Ledger::load(&project.root).map_err(|e| {
        Refusal::new(format!("cannot remove {feature}: {e}"))
            .with_hint("restore .poleposition.lock from version control")
    })
}

/// [`plan_remove_all`] with the ledger already read (by a command that needed it to
/// build the recipes), so it is read once.
pub(crate) fn plan_remove_loaded(
    project: &Project,
    recipes: &[Recipe],
    policy: Policy,
    loaded: Option<(Ledger, String)>,
) -> anyhow::Result<Removal> {
    let mut remover = Remover {
        project,
        policy,
        edit: ProjectEdit::new(&project.root, loaded),
        kept: Vec::new(),
        blocked: Vec::new(),
        changed_blocks: 0,
        edits: BTreeMap::new(),
    };
    // First everything that can block the removal, for every feature at once…
    for recipe in recipes {
        let last_integration = match &recipe.feature {
            Feature::Integration(name) => {
                !other_integrations(&project.root, &project.package, name)
            }
            _ => false,
        };
        let own = remover.own_files(recipe);
        remover.remove_own_files(recipe, &own, last_integration);
        remover.sweep_directories(recipe, &own, last_integration);
        remover.remove_blocks(recipe);
        remover.revert_revisions(recipe);
    }
    if let Some(refusal) = remover.refusal(recipes) {
        return Err(refusal.into());
    }
    // …then the edits that follow from it.
    // What the removal deletes cannot be left importing what it deletes.
    let deleted: Vec<String> = recipes
        .iter()
        .flat_map(|r| r.files.iter().map(|f| slash(&f.path)))
        .collect();
    for recipe in recipes {
        remover.remove_wiring(recipe)?;
        remover.refuse_dangling_imports(recipe, &deleted)?;
        remover.remove_dependency(recipe)?;
    }
    remover.remove_manifest_entries(recipes)?;
    if !policy.wiring_only {
        for recipe in recipes {
            if let Feature::Module { name, .. } = &recipe.feature {
                remover.edit.set_fields(name, &[]);
            }
        }
    }
    Ok(remover.finish())
}

/// A removal being planned: the edit it builds and what it found on the way.
struct Remover<'p> {
    project: &'p Project,
    policy: Policy,
    edit: ProjectEdit,
    /// Files left in place, with why.
    kept: Vec<(String, String)>,
    /// What blocks the removal without `--force` (files and blocks of values).
    blocked: Vec<String>,
    /// How many of `blocked` are blocks of values rather than files.
    changed_blocks: usize,
    /// Each edited file's text before and after (wiring, values, pyproject.toml); a
    /// file's edits accumulate here, then become one change.
    edits: BTreeMap<String, (String, String)>,
}

impl Remover<'_> {
    /// The feature's own files, each with what polepos generates for it now (`None`
    /// when the ledger gives it the file but the recipe no longer renders it): the
    /// recipe's, the ledger's, and the older tool's spelling of a module's unit test.
    fn own_files(&self, recipe: &Recipe) -> Vec<(String, Option<String>)> {
        let mut own: Vec<(String, Option<String>)> = recipe
            .files
            .iter()
            .map(|f| (slash(&f.path), Some(f.contents.clone())))
            .collect();
        for path in self.edit.ledger().owned_by(&recipe.feature.owner()) {
            if !own.iter().any(|(p, _)| p == path) {
                own.push((path.to_string(), None));
            }
        }
        if let Feature::Module { name, .. } = &recipe.feature {
            own.extend(older_unit_test(&self.project.root, name, &recipe.files));
        }
        own.sort();
        own
    }

    /// Deletes the feature's own files that are pristine (any, with `--force`), keeping
    /// those another feature owns; files every integration shares go with the last one.
    fn remove_own_files(
        &mut self,
        recipe: &Recipe,
        own: &[(String, Option<String>)],
        last_integration: bool,
    ) {
        let owner = recipe.feature.owner();
        let shared: Vec<String> = recipe
            .files
            .iter()
            .filter(|f| matches!(f.role, Role::Shared(_)))
            .map(|f| slash(&f.path))
            .collect();
        for (path, fresh) in own {
            if shared.contains(path) && !last_integration {
                continue;
            }
            let Ok(bytes) = fs::read(self.project.root.join(path)) else {
                self.edit.forget(path);
                continue;
            };
            // `--wiring-only` keeps the module's files but not its two generated tests:
            // they exercise routes that are no longer mounted (an edited one blocks the
            // removal without `--force`, like any other edited file).
            if self.policy.wiring_only && !path.starts_with("tests/") {
                self.kept.push((path.clone(), "--wiring-only".to_string()));
                continue;
            }
            let ledger = self.edit.ledger();
            let recorded_owner = ledger.get(path).map(|e| e.owner.clone());
            let shared_owner =
                shared.contains(path) && recorded_owner.as_deref() == Some(SHARED_OWNER);
            if !shared_owner && recorded_owner.as_deref().is_some_and(|o| o != owner) {
                self.kept.push((
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
                FileState::Modified if !self.policy.force => {
                    self.blocked
                        .push(format!("{path}: changed since polepos wrote it"));
                    continue;
                }
                FileState::Untracked if !self.policy.force => {
                    self.blocked.push(format!(
                        "{path}: {NOT_IN_THE_LEDGER} and different from what polepos generates (made by the older tool or by hand?)"
                    ));
                    continue;
                }
                _ => {}
            }
            self.edit.delete(path, bytes);
        }
    }

    /// The files in the feature's directories that it does not own: bytecode goes, the
    /// rest blocks (or is kept, with `--force`); directories left empty go.
    fn sweep_directories(
        &mut self,
        recipe: &Recipe,
        own: &[(String, Option<String>)],
        last_integration: bool,
    ) {
        let pkg = &self.project.package;
        let label = recipe.feature.to_string();
        let feature_dirs: Vec<String> = match &recipe.feature {
            Feature::Module { name, .. } => vec![format!("src/{pkg}/modules/{name}")],
            Feature::Integration(_) if last_integration => vec![
                format!("src/{pkg}/integrations"),
                "tests/integrations".to_string(),
            ],
            Feature::Integration(name) => vec![format!("src/{pkg}/integrations/{name}")],
            // The one auth extension with a package of its own.
            Feature::AuthExtension(super::auth_extension::Extension::Mail) => {
                vec![format!("src/{pkg}/mail")]
            }
            _ => Vec::new(),
        };
        for dir in &feature_dirs {
            let mut stack = vec![PathBuf::from(dir)];
            let mut dirs = Vec::new();
            while let Some(rel) = stack.pop() {
                let Ok(entries) = fs::read_dir(self.project.root.join(&rel)) else {
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
                    } else if is_bytecode(&child) && !self.policy.wiring_only {
                        // Derived by Python from the module's own sources.
                        if let Ok(bytes) = fs::read(self.project.root.join(&child)) {
                            self.edit.delete(&shown, bytes);
                        }
                    } else if self.policy.force || self.policy.wiring_only {
                        self.kept
                            .push((shown, "polepos did not generate it".to_string()));
                    } else {
                        self.blocked.push(format!(
                            "{shown}: not generated by polepos for {label} (hand-written?)"
                        ));
                    }
                }
            }
            dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
            for dir in dirs {
                self.edit.prune_dir(dir);
            }
        }
    }

    /// Settings and env blocks: exactly the lines adding wrote (the ledger says which
    /// entries it kept instead), found by meaning (`super::block`); an added entry
    /// edited since blocks the removal.
    fn remove_blocks(&mut self, recipe: &Recipe) {
        let label = recipe.feature.to_string();
        let owner = recipe.feature.owner();
        for splice in &recipe.wiring {
            let Wiring::Block(block) = splice else {
                continue;
            };
            let path = splice.path(&self.project.package);
            let Ok(old) = fs::read_to_string(self.project.root.join(&path)) else {
                continue;
            };
            let current = self.current(&path, &old);
            let block = super::Block {
                kept: self.edit.ledger().kept(&path, &owner).to_vec(),
                ..block.clone()
            };
            self.edit.keep(&path, &owner, &[]);
            let found = block.locate(&current);
            let mut new = current.clone();
            if found.changed() {
                self.changed_blocks += 1;
                if !self.policy.force {
                    self.blocked.push(format!(
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
                self.edits.insert(path, (old, new));
            }
        }
    }

    /// The changes the feature made to other features' files, carried back to each file
    /// as it is now (the inverse of adding them); a file whose changed region was edited
    /// by hand blocks the removal, or with `--force` is written as polepos generates it
    /// without the feature.
    fn revert_revisions(&mut self, recipe: &Recipe) {
        let label = recipe.feature.to_string();
        for revision in &recipe.revisions {
            let path = &revision.path;
            // The project boundary (SPEC §16): nothing is read through a link that leaves it.
            if let Some(escape) = crate::boundary::escape(&self.project.root, Path::new(path)) {
                self.blocked.push(escape.refusal().to_string());
                continue;
            }
            let soft_conflict = || {
                (
                    path.clone(),
                    format!(
                        "left as it is: edited where {label} changed it (the change only repeated or documented what it does)"
                    ),
                )
            };
            let Ok(old) = fs::read_to_string(self.project.root.join(path)) else {
                if revision.soft {
                    continue;
                }
                self.blocked.push(format!(
                    "{path}: missing or not UTF-8, so {label} cannot be taken out of it"
                ));
                continue;
            };
            let current = self.current(path, &old);
            let new = match super::merge::rebase(&current, &revision.after, &revision.before) {
                Ok(new) => new,
                Err(_) if revision.soft => {
                    self.kept.push(soft_conflict());
                    continue;
                }
                Err(_) if self.policy.force => {
                    self.kept.push((
                        path.clone(),
                        format!("written as polepos generates it without {label}: the region it changed was edited by hand (--force)"),
                    ));
                    revision.before.clone()
                }
                Err(conflict) => {
                    self.blocked.push(format!(
                        "{path}: changed by hand where {label} goes (around line {} of what polepos generated)",
                        conflict.line
                    ));
                    continue;
                }
            };
            if new != current {
                self.edits.insert(path.clone(), (old, new));
            }
        }
    }

    /// `path`'s text as edited so far (`old` when not edited yet).
    fn current(&self, path: &str, old: &str) -> String {
        self.edits
            .get(path)
            .map_or_else(|| old.to_string(), |(_, new)| new.clone())
    }

    /// One refusal listing everything that blocks the removal, if anything does.
    fn refusal(&self, recipes: &[Recipe]) -> Option<Refusal> {
        if self.blocked.is_empty() {
            return None;
        }
        let label = match recipes {
            [first, also @ ..] if !also.is_empty() => format!(
                "{} (and {})",
                first.feature,
                also.iter()
                    .map(|r| r.feature.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [first, ..] => first.feature.to_string(),
            [] => String::new(),
        };
        let files = self.blocked.len() - self.changed_blocks;
        let lost = match (files, self.changed_blocks) {
            (files, 0) => format!("{files} file(s)"),
            (0, blocks) => format!("{blocks} block(s) of values"),
            (files, blocks) => format!("{files} file(s) and {blocks} block(s) of values"),
        };
        let adopt = if self.blocked.iter().any(|b| b.contains(NOT_IN_THE_LEDGER)) {
            "; files made by the older tool are removed without --force once `polepos upgrade --apply` has recorded them as the baseline"
        } else {
            ""
        };
        Some(
            Refusal::new(format!("cannot remove {label}: {lost} would be lost"))
                .with_causes(self.blocked.clone())
                .with_hint(format!("nothing was changed; restore or move those files, or pass --force to remove the files of {label} anyway (files polepos did not generate are always kept){adopt}")),
        )
    }

    /// The feature's wiring, located by meaning ([`Wiring::remove`]); a wiring file
    /// that cannot be read refuses, since the wiring would stay behind.
    fn remove_wiring(&mut self, recipe: &Recipe) -> anyhow::Result<()> {
        let label = recipe.feature.to_string();
        for splice in &recipe.wiring {
            if splice.needs_db() && !self.project.db.has_db() || matches!(splice, Wiring::Block(_))
            {
                continue;
            }
            let path = splice.path(&self.project.package);
            let old = match fs::read(self.project.root.join(&path)) {
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
            let current = self.current(&path, &old);
            let new = splice.remove(&current, &path).map_err(|e| {
                Refusal::new(format!("cannot remove {label}: {e}")).with_hint(
                    "fix the file (`polepos check` shows where), then run the command again",
                )
            })?;
            if new != current {
                self.edits.insert(path, (old, new));
            }
        }
        Ok(())
    }

    /// Refuses removing a module that the rest of the package still imports: those
    /// imports would dangle once it is gone (`--force` cannot help).
    fn refuse_dangling_imports(&self, recipe: &Recipe, deleted: &[String]) -> Result<(), Refusal> {
        if self.policy.wiring_only {
            return Ok(());
        }
        let pkg = &self.project.package;
        let references = match &recipe.feature {
            Feature::Module { name, .. } => {
                super::references::to_module(&self.project.root, pkg, name, &self.edits)
            }
            Feature::AuthExtension(extension) => {
                let dotted: Vec<String> = extension
                    .package_files()
                    .iter()
                    .map(|f| {
                        let module = f.trim_end_matches(".py").trim_end_matches("/__init__");
                        format!("{pkg}.{}", module.replace('/', "."))
                    })
                    .collect();
                super::references::to_dotted(&self.project.root, pkg, &dotted, deleted, &self.edits)
            }
            _ => return Ok(()),
        };
        if references.is_empty() {
            return Ok(());
        }
        Err(Refusal::new(format!(
            "cannot remove {}: {} import(s) of it elsewhere in the package would break the app",
            recipe.feature,
            references.len()
        ))
        .with_causes(references)
        .with_hint("nothing was changed; remove or change those imports first, then run the command again (--force does not override this: the package would no longer import)"))
    }

    /// An integration's or auth extension's dependencies (and development dependencies)
    /// that nothing else needs any more, as written when they were added.
    fn remove_dependency(&mut self, recipe: &Recipe) -> anyhow::Result<()> {
        if !matches!(
            recipe.feature,
            Feature::Integration(_) | Feature::AuthExtension(_)
        ) {
            return Ok(());
        }
        let path = "pyproject.toml";
        let Ok(old) = fs::read_to_string(self.project.root.join(path)) else {
            return Ok(());
        };
        let current = self.current(path, &old);
        let Ok(mut pyproject) = Pyproject::parse(&current) else {
            return Ok(());
        };
        let mut changed = false;
        if let Some(conditional) = recipe.conditional_dependencies.first() {
            changed |= pyproject.remove_dependency(conditional.requirement);
        }
        for dependency in &recipe.dev_dependencies {
            changed |= pyproject.remove_dev_dependency(dependency);
        }
        if changed {
            let new = pyproject.render();
            Pyproject::parse(&new)
                .map_err(|e| anyhow::anyhow!("edited pyproject.toml no longer parses: {e}"))?;
            self.edits.insert(path.to_string(), (old, new));
        }
        Ok(())
    }

    /// The features' manifest entries, in one edit of the manifest.
    fn remove_manifest_entries(&mut self, recipes: &[Recipe]) -> anyhow::Result<()> {
        let Some(manifest) = &self.project.manifest else {
            return Ok(());
        };
        let mut edited = manifest.clone();
        for entry in recipes.iter().filter_map(|r| r.manifest.as_ref()) {
            match entry {
                ManifestEntry::Module { name, .. } => edited.remove_module(name),
                ManifestEntry::Integration(name) => edited.remove_integration(name),
                ManifestEntry::AuthExtension(name) => {
                    let names = edited.auth_extensions().map_err(|e| anyhow::anyhow!(e))?;
                    let left: Vec<String> = names.into_iter().filter(|n| n != name).collect();
                    edited
                        .set_auth_extensions(&left)
                        .map_err(|e| anyhow::anyhow!(e))?;
                    true
                }
            };
        }
        let text = edited.render();
        if text != manifest.original() {
            Manifest::parse(&text)
                .map_err(|e| anyhow::anyhow!("edited manifest no longer parses: {e}"))?;
            self.edit
                .edit(manifest::FILE_NAME, manifest.original().to_string(), text);
        }
        Ok(())
    }

    /// The removal: the edited files join the change set, and the ledger follows.
    fn finish(mut self) -> Removal {
        for (path, (old, new)) in std::mem::take(&mut self.edits) {
            self.edit.edit(&path, old, new);
        }

        Removal {
            set: self.edit.finish(),
            kept: self.kept,
        }
    }
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
