//! `polepos upgrade`'s planner: what this polepos version would generate for the
//! project's declared features, compared file by file with the disk and the ledger.
//!
//! The expected bytes of a file are the project's fresh render with every declared
//! feature applied in turn (auth's files, its router mount and model import spliced into
//! the fresh foundation, its dependency added), so a spliced file is compared with a
//! spliced render, never with the bare template. A file is a **safe update** only when
//! the ledger proves polepos wrote exactly its current bytes; anything else that differs
//! is **modified** and never written.

use std::collections::BTreeMap;
use std::fs;

use super::edit::ProjectEdit;
use super::fields::Known;
use super::{Feature, ProjectContext, Recipe, Role};
use crate::changeset::ChangeSet;
use crate::ledger::{Ledger, sha256_hex};
use crate::manifest::Manifest;
use crate::project::Project;
use crate::pyproject::Pyproject;
use crate::templates::TemplateError;

/// How one file relates to what this version generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum State {
    /// The bytes equal this version's render.
    UpToDate,
    /// Pristine per the ledger, and this version generates other bytes: `--apply` writes it.
    SafeUpdate,
    /// Changed by the user (or written by another tool): reported with a diff, never written.
    Modified,
    /// Expected but absent.
    Missing,
    /// Spliced by a feature this version cannot render yet; not compared.
    NotCompared,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::UpToDate => "up-to-date",
            State::SafeUpdate => "safe-update",
            State::Modified => "modified",
            State::Missing => "missing",
            State::NotCompared => "not-compared",
        }
    }
}

/// One file of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileReport {
    pub path: String,
    pub owner: String,
    pub state: State,
    /// Why (for modified and not-compared files).
    pub reason: Option<String>,
    /// Current bytes (when present and UTF-8).
    pub current: Option<String>,
    /// What this version generates.
    pub expected: String,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub(crate) struct UpgradePlan {
    pub files: Vec<FileReport>,
    /// polepos versions recorded in the ledger (empty without one).
    pub recorded_versions: Vec<String>,
    pub has_ledger: bool,
    ledger: Ledger,
    ledger_text: Option<String>,
    root: std::path::PathBuf,
}

/// The recipes of every feature the project declares that this version can render, and
/// the names of the ones it cannot.
pub(crate) fn declared(
    project: &Project,
    ctx: &ProjectContext,
) -> Result<(Vec<Recipe>, Vec<String>), TemplateError> {
    let mut recipes = vec![super::project::recipe(ctx, "")?];
    let mut unrendered = Vec::new();
    let known = recorded_modules(project);
    if let Some(manifest) = &project.manifest {
        if manifest.integration_enabled("auth") && project.db.has_db() {
            push_auth(project, ctx, manifest, &mut recipes, &mut unrendered)?;
        }
        push_modules(ctx, manifest, &known, &mut recipes, &mut unrendered)?;
        push_integrations(ctx, manifest, &mut recipes, &mut unrendered)?;
    }
    Ok((recipes, unrendered))
}

/// The modules the ledger records, with their fields (none when it cannot be read).
fn recorded_modules(project: &Project) -> BTreeMap<String, Known> {
    // Typed modules render from the fields the ledger records (an unreadable ledger is
    // reported by the comparison itself).
    let ledger = Ledger::load(&project.root)
        .ok()
        .flatten()
        .map(|(ledger, _)| ledger)
        .unwrap_or_default();
    super::module::known_modules(project, &ledger).unwrap_or_default()
}

/// Adds auth's recipe and its extensions' recipes, and names the extensions this
/// version does not know.
fn push_auth(
    project: &Project,
    ctx: &ProjectContext,
    manifest: &Manifest,
    recipes: &mut Vec<Recipe>,
    unrendered: &mut Vec<String>,
) -> Result<(), TemplateError> {
    let (extensions, unknown) =
        super::auth_extension::from_names(&manifest.auth_extensions().unwrap_or_default());
    recipes.push(super::auth::recipe(ctx, &extensions)?);
    let mut added = super::auth_extension::recipes(ctx, &Default::default(), &extensions, true)?;
    // Their settings blocks stand in the order the extensions were added, which
    // the (sorted) manifest does not keep: the settings file says it.
    let settings = settings_text(project, ctx);
    added.sort_by_key(|recipe| settings_position(recipe, &settings));
    recipes.extend(added);
    unrendered.extend(unknown.iter().map(|n| format!("auth extension `{n}`")));
    Ok(())
}

/// The project's settings file, empty when it is unreadable or lies outside the project.
fn settings_text(project: &Project, ctx: &ProjectContext) -> String {
    let settings_path = ctx.pkg_path("settings.py");
    if crate::boundary::escape(&project.root, std::path::Path::new(&settings_path)).is_some() {
        String::new()
    } else {
        fs::read_to_string(project.root.join(&settings_path)).unwrap_or_default()
    }
}

/// Where an auth extension's first setting stands in `settings` (last when absent).
fn settings_position(recipe: &Recipe, settings: &str) -> usize {
    match &recipe.feature {
        super::Feature::AuthExtension(e) => e
            .settings()
            .first()
            .and_then(|field| settings.find(&format!("    {field}:")))
            .unwrap_or(usize::MAX),
        _ => usize::MAX,
    }
}

/// Adds the recipe of every declared module this version can render, and names the others.
fn push_modules(
    ctx: &ProjectContext,
    manifest: &Manifest,
    known: &BTreeMap<String, Known>,
    recipes: &mut Vec<Recipe>,
    unrendered: &mut Vec<String>,
) -> Result<(), TemplateError> {
    for (name, value) in manifest.modules() {
        if name == "status" {
            continue;
        }
        let template = value
            .as_str()
            .and_then(|v| super::module::Template::parse(v, &name).ok());
        match template.filter(|t| super::module::tree(t).is_some()) {
            // Its routes would import auth's active-user dependency, which is not there.
            Some(template) if template.auth_required() && !manifest.integration_enabled("auth") => {
                unrendered.push(format!(
                    "module `{name}` (its --auth-required routes need `polepos add auth` first)"
                ));
            }
            Some(template) => {
                let fields = known
                    .get(&name)
                    .map(|k| k.fields.as_slice())
                    .unwrap_or_default();
                let typed = super::module::Typed { fields, known };
                recipes.push(super::module::recipe(ctx, &name, &template, typed)?);
            }
            None => unrendered.push(format!("module `{name}`")),
        }
    }
    Ok(())
}

/// Adds the recipe of every enabled integration other than auth this version can render,
/// and names the others.
fn push_integrations(
    ctx: &ProjectContext,
    manifest: &Manifest,
    recipes: &mut Vec<Recipe>,
    unrendered: &mut Vec<String>,
) -> Result<(), TemplateError> {
    for (name, _) in manifest.integrations() {
        if name == "auth" || !manifest.integration_enabled(&name) {
            continue;
        }
        let recipe = if name == super::llm::NAME {
            // The llm scaffold's own recipe: the integration plus its HTTP client.
            Some(super::llm::recipe(ctx))
        } else {
            super::integration::find(&name).map(|i| super::integration::recipe(i, ctx))
        };
        match recipe {
            Some(Ok(recipe)) => recipes.push(recipe),
            Some(Err(TemplateError::MissingTree(_))) | None => {
                unrendered.push(format!("integration `{name}`"));
            }
            Some(Err(e)) => return Err(e),
        }
    }
    Ok(())
}

/// Compares the project with what this version generates for its declared features.
pub(crate) fn plan_upgrade(
    project: &Project,
    recipes: &[Recipe],
    unrendered: &[String],
    ledger: Option<(Ledger, String)>,
) -> UpgradePlan {
    let expected = expected_files(&project.package, recipes);
    let spliced_by_others = spliced_by_others(&project.package, unrendered);

    let has_ledger = ledger.is_some();
    let (ledger, ledger_text) = match ledger {
        Some((ledger, text)) => (ledger, Some(text)),
        None => (Ledger::default(), None),
    };
    let recorded_versions = recorded_versions(&ledger);

    let mut files = Vec::new();
    for (path, (owner, want)) in expected {
        let bytes = fs::read(project.root.join(&path)).ok();
        let current = bytes
            .as_ref()
            .and_then(|b| String::from_utf8(b.clone()).ok());
        let (state, reason) = if spliced_by_others.contains(&path) {
            (
                State::NotCompared,
                Some(format!(
                    "wired by {}, which this polepos version cannot render yet",
                    unrendered.join(", ")
                )),
            )
        } else {
            compare(&path, bytes.as_deref(), &want, &ledger)
        };
        files.push(FileReport {
            path,
            owner,
            state,
            reason,
            current,
            expected: want,
        });
    }
    UpgradePlan {
        files,
        recorded_versions,
        has_ledger,
        ledger,
        ledger_text,
        root: project.root.clone(),
    }
}

/// Every file the recipes generate, by path, with its owner and its bytes once every
/// recipe's wiring and dependencies are applied.
fn expected_files(pkg: &str, recipes: &[Recipe]) -> BTreeMap<String, (String, String)> {
    let mut expected: BTreeMap<String, (String, String)> = BTreeMap::new();
    for recipe in recipes {
        let owner = recipe.feature.owner();
        for file in &recipe.files {
            let owner = match file.role {
                Role::Generated => owner.clone(),
                Role::Shared(shared) => shared.to_string(),
                Role::Manifest | Role::Secret => continue,
            };
            expected.insert(
                file.path.to_string_lossy().replace('\\', "/"),
                (owner, file.contents.clone()),
            );
        }
        for splice in &recipe.wiring {
            let rel = splice.path(pkg);
            if let Some((_, text)) = expected.get_mut(&rel)
                && let Some(new) = splice.insert(text)
            {
                *text = new;
            }
        }
        if recipe.has_dependencies()
            && let Some((_, text)) = expected.get_mut("pyproject.toml")
        {
            add_dependencies(recipe, text);
        }
    }
    expected
}

/// Adds `recipe`'s dependencies to the pyproject text (left alone when it does not parse).
fn add_dependencies(recipe: &Recipe, text: &mut String) {
    if let Ok(mut pyproject) = Pyproject::parse(text) {
        let present = pyproject.dependency_list();
        for dependency in recipe.added_dependencies(&present) {
            pyproject.add_dependency(dependency);
        }
        for dependency in &recipe.dev_dependencies {
            pyproject.add_dev_dependency(dependency);
        }
        *text = pyproject.render();
    }
}

/// The files other features splice into, which cannot be rendered while some feature can't.
fn spliced_by_others(pkg: &str, unrendered: &[String]) -> Vec<String> {
    if unrendered.is_empty() {
        return Vec::new();
    }
    [
        format!("src/{pkg}/api/router.py"),
        format!("src/{pkg}/db/models.py"),
        format!("src/{pkg}/modules/__init__.py"),
        format!("src/{pkg}/settings.py"),
        ".env.example".to_string(),
        "pyproject.toml".to_string(),
    ]
    .to_vec()
}

/// The polepos versions the ledger records, sorted and without repeats.
fn recorded_versions(ledger: &Ledger) -> Vec<String> {
    let mut versions: Vec<String> = ledger.entries().map(|(_, e)| e.polepos.clone()).collect();
    versions.sort();
    versions.dedup();
    versions
}

/// The state of the file at `path` (and why), from its bytes on disk, the bytes this
/// version generates and its ledger entry.
fn compare(
    path: &str,
    bytes: Option<&[u8]>,
    want: &str,
    ledger: &Ledger,
) -> (State, Option<String>) {
    match bytes {
        None => (State::Missing, None),
        Some(b) if b == want.as_bytes() => (State::UpToDate, None),
        Some(b) => match ledger.get(path) {
            Some(entry) if entry.adopted && entry.sha256 == sha256_hex(b) => (
                State::Modified,
                Some("adopted as found on disk; polepos never wrote it".to_string()),
            ),
            Some(entry) if entry.sha256 == sha256_hex(b) => (State::SafeUpdate, None),
            Some(_) => (
                State::Modified,
                Some("changed since polepos wrote it".to_string()),
            ),
            None => (
                State::Modified,
                Some("no ledger entry, and it differs from this version's render".to_string()),
            ),
        },
    }
}

impl UpgradePlan {
    /// The ledger entry of `path`, if any.
    pub(crate) fn ledger_entry(&self, path: &str) -> Option<&crate::ledger::Entry> {
        self.ledger.get(path)
    }

    /// Files in `state`.
    pub(crate) fn count(&self, state: State) -> usize {
        self.files.iter().filter(|f| f.state == state).count()
    }

    /// The change set `--apply` makes: every safe update, and the refreshed ledger (which
    /// adopts the current files as the baseline when the project had none).
    pub(crate) fn apply_set(&self) -> ChangeSet {
        let loaded = self
            .ledger_text
            .clone()
            .map(|text| (self.ledger.clone(), text));
        let mut edit = ProjectEdit::new(&self.root, loaded);
        for file in &self.files {
            match (file.state, &file.current) {
                (State::SafeUpdate, Some(current)) => edit.regenerate(
                    &file.path,
                    current.clone(),
                    file.expected.clone(),
                    &file.owner,
                ),
                (State::UpToDate, _) if edit.ledger().get(&file.path).is_none() => {
                    edit.record(&file.path, &file.owner, file.expected.as_bytes());
                }
                (_, Some(current)) if !self.has_ledger => {
                    edit.adopt(&file.path, &file.owner, current.as_bytes());
                }
                _ => {}
            }
        }
        edit.finish()
    }
}

#[cfg(test)]
impl UpgradePlan {
    /// A plan of `files` alone, for tests of what is said about them.
    pub(crate) fn for_tests(files: Vec<FileReport>) -> Self {
        UpgradePlan {
            files,
            recorded_versions: Vec::new(),
            has_ledger: true,
            ledger: Ledger::default(),
            ledger_text: None,
            root: std::path::PathBuf::new(),
        }
    }
}

/// The features considered, for messages.
pub(crate) fn feature_names(recipes: &[Recipe]) -> Vec<String> {
    recipes
        .iter()
        .map(|r| match &r.feature {
            Feature::Project => "project".to_string(),
            other => other.to_string(),
        })
        .collect()
}
