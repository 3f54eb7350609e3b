//! The one planner: a recipe plus a project becomes a [`ChangeSet`] that writes the
//! files, makes the splices, adds the dependencies, records the manifest entry and
//! updates the ledger — or a [`Refusal`] listing every failed precondition at once.
//!
//! Nothing here touches the disk except to read. `--dry-run` is the change set's
//! preview; applying it is atomic.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Feature, ManifestEntry, Precondition, Recipe, Role, Splice};
use crate::changeset::ChangeSet;
use crate::error::Refusal;
use crate::ledger::{self, Ledger};
use crate::manifest::{self, Manifest};
use crate::markers;
use crate::project::Project;
use crate::pyproject::Pyproject;
use crate::python;

/// Why a precondition failed; each kind contributes one line to the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    NoDatabase,
    MissingFoundation,
    Unreadable,
    Markers,
    Collision,
    AlreadyPresent,
}

impl Why {
    fn hint(self, feature: &Feature) -> String {
        match self {
            Why::NoDatabase if matches!(feature, Feature::Module { .. }) => "in a project created with `--db none` only `--template api-only` and `--template ai-prompt` work (they keep no data); database-backed templates (standard, crud, service-only) need a project with a database, e.g. `polepos start <name> --db sqlite`.".into(),
            Why::NoDatabase => format!(
                "{feature} needs generated database wiring; projects created with `--db none` need an explicit database layer first (e.g. a new project from `polepos start <name> --db sqlite`)."
            ),
            Why::MissingFoundation => format!(
                "restore the generated foundation files (`polepos check` lists them) before adding {feature}."
            ),
            Why::Unreadable => "fix the files named above so they can be read and parsed.".into(),
            Why::Markers => "restore the missing markers with `polepos check --fix`.".into(),
            Why::Collision => match feature {
                Feature::Module { .. } => "choose another module name, or remove what it collides with.".into(),
                Feature::Auth => "rename or remove the colliding module or table; auth needs the names `auth` and `auth_users`.".into(),
                _ => format!("rename or remove what collides with {feature}."),
            },
            Why::AlreadyPresent => match feature {
                Feature::Module { name, .. } => format!("a module can be added once; remove the leftovers of `{name}` named above (files, wiring, manifest entry) or choose another module name."),
                Feature::Auth => "auth can be added once; to re-add it, detach it fully first (manifest, router wiring, db/models.py, tests, pyproject.toml).".into(),
                _ => format!("{feature} can be added once."),
            },
        }
    }
}

/// Every failed precondition, with its kind.
#[derive(Debug, Default)]
pub struct Refusals(Vec<(Why, String)>);

impl Refusals {
    pub fn push(&mut self, why: Why, message: impl Into<String>) {
        self.0.push((why, message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One refusal: `cannot add <feature> to <root>`, every problem as a cause, one hint
    /// line per kind of problem.
    pub fn into_refusal(self, feature: &Feature, root: &Path) -> Option<Refusal> {
        if self.0.is_empty() {
            return None;
        }
        let mut kinds: Vec<Why> = self.0.iter().map(|(why, _)| *why).collect();
        kinds.sort();
        kinds.dedup();
        let hint: Vec<String> = kinds.iter().map(|why| why.hint(feature)).collect();
        Some(
            Refusal::new(format!("cannot add {feature} to {}", root.display()))
                .with_causes(self.0.into_iter().map(|(_, message)| message).collect())
                .with_hint(hint.join("\n      ")),
        )
    }
}

/// Plans `start`: the whole tree, created through a staging directory, with its ledger.
pub fn plan_new_project(target: &Path, recipe: &Recipe) -> ChangeSet {
    let mut ledger = Ledger::default();
    let owner = recipe.feature.owner();
    for file in recipe.files.iter().filter(|f| f.role == Role::Generated) {
        ledger.record(&slash(&file.path), &owner, file.contents.as_bytes());
    }
    let ledger_path = PathBuf::from(ledger::FILE_NAME);
    let ledger_text = ledger.render();
    let mut files: Vec<(&Path, &str, Role)> = recipe
        .files
        .iter()
        .map(|f| (f.path.as_path(), f.contents.as_str(), f.role))
        .chain([(ledger_path.as_path(), ledger_text.as_str(), Role::Manifest)])
        .collect();
    files.sort_by_key(|(path, _, _)| *path);
    let mut set = ChangeSet::new_tree(target);
    for (path, contents, role) in files {
        match role {
            Role::Secret => set.create_with_mode(path, contents, 0o600),
            Role::Manifest | Role::Generated | Role::Shared(_) => set.create(path, contents),
        }
    }
    set.brief(&ledger_path, ledger_summary(ledger.len(), 0));
    set
}

/// `ledger: 56 files` / `ledger: 8 files added, 3 updated`.
fn ledger_summary(added: usize, updated: usize) -> String {
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_string()
        } else {
            format!("{n} files")
        }
    };
    if updated == 0 {
        format!("ledger: {} recorded", files(added))
    } else {
        format!("ledger: {} recorded, {updated} updated", files(added))
    }
}

/// Plans adding `recipe` to `project`, or refuses with every problem found.
pub fn plan_add(project: &Project, recipe: &Recipe) -> anyhow::Result<ChangeSet> {
    plan_add_all(project, std::slice::from_ref(recipe))
}

/// Plans adding several recipes in one change set (an ai-prompt module and the llm
/// scaffold it brings), or refuses with every problem of every recipe at once, worded
/// for the first recipe.
pub fn plan_add_all(project: &Project, recipes: &[Recipe]) -> anyhow::Result<ChangeSet> {
    let root = &project.root;
    let Some(first) = recipes.first() else {
        return Err(anyhow::anyhow!("internal error: nothing to add"));
    };
    let mut problems = Refusals::default();

    // The database comes first: without one, the rest of the list explains little.
    for recipe in recipes {
        for requirement in recipe
            .requires
            .iter()
            .filter(|r| **r == Precondition::HasDatabase)
        {
            precondition(project, recipe, requirement, &mut problems);
        }
    }
    for recipe in recipes {
        let label = recipe.feature.to_string();
        if let Some(ManifestEntry::Integration(name)) = &recipe.manifest
            && project
                .manifest
                .as_ref()
                .is_some_and(|m| m.integration_enabled(name))
        {
            problems.push(
                Why::AlreadyPresent,
                format!(
                    "{label} is already recorded in {} (`{name} = true`)",
                    manifest::FILE_NAME
                ),
            );
        }
        let existing: Vec<String> = recipe
            .files
            .iter()
            .filter(|f| !matches!(f.role, Role::Shared(_)))
            .map(|f| slash(&f.path))
            .filter(|p| occupied(&root.join(p)))
            .collect();
        if !existing.is_empty() {
            problems.push(
                Why::AlreadyPresent,
                format!("{label} files already exist: {}", existing.join(", ")),
            );
        }
        for requirement in recipe
            .requires
            .iter()
            .filter(|r| **r != Precondition::HasDatabase)
        {
            precondition(project, recipe, requirement, &mut problems);
        }
    }

    // Read and check every file a splice edits.
    let splices: Vec<(&Recipe, &Splice)> = recipes
        .iter()
        .flat_map(|r| r.splices.iter().map(move |s| (r, s)))
        .collect();
    let mut edited: Vec<(String, Option<String>)> = Vec::new();
    for (recipe, splice) in &splices {
        let label = recipe.feature.to_string();
        let path = splice.path(&project.package);
        if splice.needs_db() && !project.db.has_db() {
            continue;
        }
        let text = match edited.iter().find(|(p, _)| *p == path) {
            Some((_, text)) => text.clone(),
            None => {
                let text = read(root, &path, &mut problems);
                edited.push((path.clone(), text.clone()));
                text
            }
        };
        let Some(text) = text else { continue };
        if let Splice::Block(block) = splice {
            if block.present_in(&text) {
                problems.push(
                    Why::AlreadyPresent,
                    format!("{path} already has {label} values (`{}`)", block.key),
                );
            }
        } else if let Some(file) = parse(&text, &path, &mut problems) {
            let (present, what) = match splice {
                Splice::Mount(mount) => (
                    mount.find(&file).binding.is_some(),
                    format!("the {label} router"),
                ),
                Splice::ModelImport { package, .. } => (
                    file.imports(&format!("{package}.model")),
                    format!("the {label} model"),
                ),
                Splice::Export(name) => (file.exports(name), format!("`{name}` in `__all__`")),
                Splice::Block(_) => continue,
            };
            if present {
                let verb = match splice {
                    Splice::Export(_) => "lists",
                    _ => "imports",
                };
                problems.push(Why::AlreadyPresent, format!("{path} already {verb} {what}"));
            }
        }
        for marker in splice.markers() {
            if markers::find(&text, marker).is_none() {
                problems.push(
                    Why::Markers,
                    format!("marker `{}` in {path} is missing", marker.comment),
                );
            }
        }
    }

    let mut pyproject = None;
    let mut pyproject_text = None;
    if recipes.iter().any(Recipe::has_dependencies)
        && let Some(text) = read(root, "pyproject.toml", &mut problems)
    {
        match Pyproject::parse(&text) {
            Ok(p) => {
                for dependency in recipes.iter().flat_map(|r| &r.dependencies) {
                    if p.has_dependency(dependency) {
                        let name = crate::pyproject::requirement_name(dependency);
                        problems.push(
                            Why::AlreadyPresent,
                            format!("pyproject.toml already depends on {name}"),
                        );
                    }
                }
                pyproject = Some(p);
                pyproject_text = Some(text);
            }
            Err(e) => problems.push(
                Why::Unreadable,
                format!("pyproject.toml is not valid TOML: {e}"),
            ),
        }
    }

    let manifest_text = planned_manifest(project, recipes, &mut problems)?;
    let ledger = match Ledger::load(root) {
        Ok(found) => found,
        Err(e) => {
            problems.push(Why::Unreadable, e.to_string());
            None
        }
    };

    if let Some(refusal) = problems.into_refusal(&first.feature, root) {
        return Err(refusal.into());
    }

    let label = first.feature.to_string();
    let (mut new_ledger, old_ledger_text) = match ledger {
        Some((ledger, text)) => (ledger, Some(text)),
        None => (Ledger::default(), None),
    };
    let before = new_ledger.clone();
    let mut set = ChangeSet::new(root.clone());
    for recipe in recipes {
        let owner = recipe.feature.owner();
        for file in &recipe.files {
            match file.role {
                Role::Generated => {
                    new_ledger.record(&slash(&file.path), &owner, file.contents.as_bytes());
                }
                // Shared by every feature of a kind: written by the first one only.
                Role::Shared(shared_owner) => {
                    if occupied(&root.join(&file.path)) {
                        continue;
                    }
                    new_ledger.record(&slash(&file.path), shared_owner, file.contents.as_bytes());
                }
                Role::Manifest | Role::Secret => {}
            }
            set.create(file.path.clone(), file.contents.clone());
        }
    }

    for (path, old) in edited {
        let Some(old) = old else {
            return unreachable_plan(&label);
        };
        let mut new = old.clone();
        for (_, splice) in &splices {
            if splice.path(&project.package) != path {
                continue;
            }
            let Some(spliced) = splice.apply(&new) else {
                return unreachable_plan(&label);
            };
            new = spliced;
        }
        assert_parses(&path, &new)?;
        new_ledger.record_edit(&path, old.as_bytes(), new.as_bytes());
        set.modify(path, old, new);
    }

    if let (Some(mut pyproject), Some(old)) = (pyproject, pyproject_text) {
        for recipe in recipes {
            let present = pyproject.dependency_list();
            let added: Vec<&str> = recipe.added_dependencies(&present).collect();
            for dependency in added {
                if !pyproject.add_dependency(dependency) {
                    return Err(Refusal::new(
                        "pyproject.toml has no `[project] dependencies` list",
                    )
                    .with_hint("add `dependencies = [...]` under [project]")
                    .into());
                }
            }
        }
        let new = pyproject.render();
        Pyproject::parse(&new)
            .map_err(|e| anyhow::anyhow!("edited pyproject.toml no longer parses: {e}"))?;
        if new != old {
            new_ledger.record_edit("pyproject.toml", old.as_bytes(), new.as_bytes());
            set.modify("pyproject.toml", old, new);
        }
    }
    if let Some(text) = manifest_text {
        Manifest::parse(&text)
            .map_err(|e| anyhow::anyhow!("edited manifest no longer parses: {e}"))?;
        match &project.manifest {
            Some(m) => set.modify(manifest::FILE_NAME, m.original().to_string(), text),
            None => set.create(PathBuf::from(manifest::FILE_NAME), text),
        }
    }

    let ledger_text = new_ledger.render();
    let added = new_ledger
        .entries()
        .filter(|(path, _)| before.get(path).is_none())
        .count();
    let updated = new_ledger
        .entries()
        .filter(|(path, entry)| before.get(path).is_some_and(|old| old != *entry))
        .count();
    set.brief(ledger::FILE_NAME, ledger_summary(added, updated));
    match old_ledger_text {
        Some(old) => set.modify(ledger::FILE_NAME, old, ledger_text),
        None => set.create(ledger::FILE_NAME, ledger_text),
    }
    Ok(set)
}

/// Checks one precondition, recording why it fails.
fn precondition(
    project: &Project,
    recipe: &Recipe,
    requirement: &Precondition,
    problems: &mut Refusals,
) {
    let root = &project.root;
    let label = recipe.feature.to_string();
    match requirement {
        Precondition::HasDatabase => {
            if !project.db.has_db() {
                let store = recipe
                    .requires
                    .iter()
                    .find_map(|r| match r {
                        Precondition::FreeTable(table) => Some(format!("the `{table}` table")),
                        _ => None,
                    })
                    .unwrap_or_else(|| "the database".to_string());
                let label = match &recipe.feature {
                    Feature::Module { template, .. } => format!("{label} (template `{template}`)"),
                    _ => label,
                };
                problems.push(
                    Why::NoDatabase,
                    format!("the project has no database layer (db = \"none\"); {label} stores its data in {store}"),
                );
            }
        }
        Precondition::Foundation(files) => {
            if project.db.has_db() {
                let missing: Vec<String> = files
                    .iter()
                    .map(|f| project_path(project, f))
                    .filter(|p| !root.join(p).is_file())
                    .collect();
                if !missing.is_empty() {
                    problems.push(
                        Why::MissingFoundation,
                        format!(
                            "foundation files the {label} code imports are missing: {}",
                            missing.join(", ")
                        ),
                    );
                }
            }
        }
        Precondition::FreeModuleName(name) => {
            let in_manifest = project
                .manifest
                .as_ref()
                .is_some_and(|m| m.modules().iter().any(|(n, _)| n == name));
            if in_manifest
                || occupied(&root.join(project_path(project, &format!("modules/{name}"))))
            {
                problems.push(
                    Why::Collision,
                    format!("a module named `{name}` already exists"),
                );
            }
        }
        Precondition::FreeTable(table) => {
            let own = match &recipe.feature {
                Feature::Auth => Some(project_path(project, "auth")),
                Feature::Module { name, .. } => {
                    Some(project_path(project, &format!("modules/{name}")))
                }
                _ => None,
            };
            if let Some(path) = find_table(root, &project.package_dir(), own.as_deref(), table) {
                problems.push(
                    Why::Collision,
                    format!("a table named `{table}` is already defined in {path}"),
                );
            }
        }
    }
}

/// The manifest text after recording the feature (a new manifest for projects without
/// one), or `None` when the recipe records nothing.
fn planned_manifest(
    project: &Project,
    recipes: &[Recipe],
    problems: &mut Refusals,
) -> anyhow::Result<Option<String>> {
    let entries: Vec<&ManifestEntry> = recipes.iter().filter_map(|r| r.manifest.as_ref()).collect();
    if entries.is_empty() {
        return Ok(None);
    }
    let mut edited = match &project.manifest {
        Some(m) => m.clone(),
        None => Manifest::parse(&Manifest::new_project(
            &project.package,
            project.db,
            project.bytecode,
        ))
        .map_err(|e| anyhow::anyhow!("new manifest does not parse: {e}"))?,
    };
    let result = entries.iter().try_for_each(|entry| match entry {
        ManifestEntry::Integration(name) => edited.set_integration(name, true),
        ManifestEntry::Module { name, value } => edited.set_module(name, value),
    });
    match result {
        Ok(()) => Ok(Some(edited.render())),
        Err(e) if project.manifest.is_some() => {
            problems.push(Why::Unreadable, e);
            Ok(None)
        }
        Err(e) => Err(anyhow::anyhow!(e)),
    }
}

/// `src/<pkg>/<rel>`.
fn project_path(project: &Project, rel: &str) -> String {
    format!("{}/{rel}", project.package_dir().display())
}

/// A relative path with `/` separators (the ledger's spelling).
fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Whether anything (file, directory, dangling symlink) exists at `path`.
fn occupied(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// Reads a UTF-8 text file, recording why it cannot be used.
fn read(root: &Path, rel: &str, problems: &mut Refusals) -> Option<String> {
    let path = root.join(rel);
    if path.is_dir() {
        problems.push(Why::Unreadable, format!("{rel} is a directory, not a file"));
        return None;
    }
    match fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                problems.push(Why::Unreadable, format!("{rel} is not valid UTF-8"));
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.push(Why::MissingFoundation, format!("{rel} is missing"));
            None
        }
        Err(e) => {
            problems.push(Why::Unreadable, format!("cannot read {rel}: {e}"));
            None
        }
    }
}

/// Parses a Python file that will be edited; a syntax error is a problem.
fn parse(text: &str, path: &str, problems: &mut Refusals) -> Option<python::PyFile> {
    match python::parse(text, &python::package_of(path)) {
        Ok(file) => Some(file),
        Err(issue) => {
            problems.push(
                Why::Unreadable,
                format!(
                    "{path}:{} has a Python syntax error: {}",
                    issue.line, issue.message
                ),
            );
            None
        }
    }
}

/// Refuses to write an edited Python file that no longer parses.
fn assert_parses(path: &str, text: &str) -> anyhow::Result<()> {
    if !path.ends_with(".py") {
        return Ok(());
    }
    python::parse(text, "").map(|_| ()).map_err(|issue| {
        anyhow::anyhow!(
            "internal error: the edited {path} no longer parses (line {}: {})",
            issue.line,
            issue.message
        )
    })
}

fn unreachable_plan<T>(label: &str) -> anyhow::Result<T> {
    Err(anyhow::anyhow!(
        "internal error: a precondition of adding {label} passed but its input is missing"
    ))
}

/// The first model file under the package (outside `own`) that defines
/// `__tablename__ = "<table>"`. Model files are `model.py`, `models.py` and files in a
/// `models/` package: reading only those keeps `add` fast in a project with hundreds
/// of modules (seven files each, one of them a model).
fn find_table(root: &Path, pkg_dir: &Path, own: Option<&str>, table: &str) -> Option<String> {
    let mut stack = vec![root.join(pkg_dir)];
    let own = own.map(|o| root.join(o));
    // Ask the parser about each `__tablename__` line, so spacing, quotes, annotations
    // and comments are handled as Python sees them.
    let defines = |text: &str| {
        text.lines()
            .filter(|line| line.contains("__tablename__"))
            .any(|line| python::assigned_string(line, "__tablename__").as_deref() == Some(table))
    };
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // The entry's own type (no extra stat per file; links are not followed).
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if name != "__pycache__" && !name.starts_with('.') {
                    stack.push(path);
                }
            } else if (name == "model.py"
                || name == "models.py"
                || dir.file_name().is_some_and(|d| d == "models") && name.ends_with(".py"))
                && !own.as_ref().is_some_and(|o| path.starts_with(o))
                && fs::read_to_string(&path).is_ok_and(|t| defines(&t))
            {
                return Some(
                    path.strip_prefix(root)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    None
}
