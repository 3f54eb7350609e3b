//! A generator of large projects for benchmarking `check` (and tests of its scaling).
//!
//! [`add_modules`] adds `n` standard-template modules to an existing project, with every
//! file and test rendered from the real module recipe and the manifest entry and wiring
//! lines of the feature definitions (written in one pass rather than `n` plans), so
//! `polepos check` on it passes and does all of its work; [`bench_project`] does the same
//! on a fresh project. `scripts/gen_modules.py` runs [`add_modules`] for the benchmark
//! script through `examples/gen_modules.rs`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::Context as _;

use crate::feature::{self, ProjectContext, RouterMount, Wiring, plan};
use crate::manifest;
use crate::manifest::DbMode;
use crate::markers;
use crate::project::Project;

/// Package name of projects made by [`bench_project`].
pub const BENCH_PACKAGE: &str = "bench_app";

/// Writes a fresh SQLite project with `n_modules` standard modules at `root`, which must
/// not exist yet.
pub fn bench_project(root: &Path, n_modules: usize) -> anyhow::Result<()> {
    if root.exists() {
        anyhow::bail!("{} already exists", root.display());
    }
    let ctx = ProjectContext {
        name: "bench-app".to_string(),
        package: BENCH_PACKAGE.to_string(),
        db: DbMode::Sqlite,
        bytecode: true,
    };
    let recipe = feature::project::recipe(&ctx, &"0".repeat(64))?;
    plan::plan_new_project(root, &recipe).apply()?;
    fs::create_dir_all(root.join("migrations/versions"))?;
    add_modules(root, n_modules)
}

/// Adds `n_modules` standard modules (`mod_0001`, …) with all their wiring to the
/// existing project at `root` (e.g. one made by `polepos start`).
pub fn add_modules(root: &Path, n_modules: usize) -> anyhow::Result<()> {
    let project = Project::open(root)?;
    let pkg = project.package.as_str();
    let ctx = ProjectContext::of(&project);
    let names: Vec<String> = (1..=n_modules).map(|i| format!("mod_{i:04}")).collect();
    let mut imports = String::new();
    let mut includes = String::new();
    let mut model_imports = String::new();
    let mut exports = String::new();
    let mut manifest_entries = String::new();
    for name in &names {
        let mount = RouterMount::module(pkg, name);
        let _ = writeln!(imports, "{}", mount.import_line());
        let _ = writeln!(includes, "{}", mount.canonical_include(None));
        let _ = writeln!(
            model_imports,
            "    {}",
            Wiring::module_model_import(pkg, name)
                .model_line()
                .unwrap_or_default()
        );
        let _ = writeln!(exports, "    \"{name}\",");
        let _ = writeln!(manifest_entries, "{name} = \"standard\"");
        for (path, contents) in module_files(&ctx, name)? {
            write(&root.join(path), &contents)?;
        }
    }
    let edits: [(String, &[(&markers::Marker, &str)]); 3] = [
        (
            format!("src/{pkg}/api/router.py"),
            &[
                (&markers::ROUTER_IMPORTS, &imports),
                (&markers::ROUTER_INCLUDES, &includes),
            ],
        ),
        (
            format!("src/{pkg}/db/models.py"),
            &[(&markers::MODEL_IMPORTS, &model_imports)],
        ),
        (
            format!("src/{pkg}/modules/__init__.py"),
            &[(&markers::MODULE_EXPORTS, &exports)],
        ),
    ];
    for (path, blocks) in edits {
        let mut text =
            fs::read_to_string(root.join(&path)).with_context(|| format!("cannot read {path}"))?;
        for (marker, block) in blocks {
            text = above(&text, marker, block)
                .with_context(|| format!("{path} has no `{}` marker", marker.comment))?;
        }
        write(&root.join(&path), &text)?;
    }
    let manifest_path = root.join(manifest::FILE_NAME);
    let text = fs::read_to_string(&manifest_path).unwrap_or_default();
    let text = match text.find("[modules]\n") {
        Some(at) => {
            let at = at + "[modules]\n".len();
            format!("{}{manifest_entries}{}", &text[..at], &text[at..])
        }
        None => format!("{text}\n[modules]\n{manifest_entries}"),
    };
    write(&manifest_path, &text)
}

fn write(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// Inserts a block of lines directly above a marker; import blocks go above the blank
/// line that separates the imports from the marker, as `add` commands do.
fn above(text: &str, marker: &markers::Marker, block: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut index = markers::find(text, marker)?;
    if block.starts_with("from ") {
        while index > 0 && lines[index - 1].trim().is_empty() {
            index -= 1;
        }
    }
    let mut out = String::with_capacity(text.len() + block.len());
    for (i, line) in lines.iter().enumerate() {
        if i == index {
            out.push_str(block);
        }
        out.push_str(line);
    }
    Some(out)
}

/// The files of one standard-template module and its tests, rendered from the real
/// module recipe (what `polepos add module <name>` writes).
fn module_files(ctx: &ProjectContext, name: &str) -> anyhow::Result<Vec<(String, String)>> {
    let recipe = feature::module::recipe(ctx, name, &feature::module::Template::Standard)?;
    Ok(recipe
        .files
        .into_iter()
        .map(|file| (file.path.to_string_lossy().into_owned(), file.contents))
        .collect())
}
