//! Large projects for the benchmarks: `n` standard modules added to an existing project.
//!
//! Each module goes through the same planner and change set as `polepos add module
//! mod_0001` (`commands::add_module::plan`, then `ChangeSet::apply`), so the project is
//! exactly what the command would leave: files, wiring, manifest and ledger entries, and
//! `polepos check` passes on it.

use std::path::Path;

use anyhow::Context as _;
use polepos::commands::add_module;
use polepos::feature::module::Template;
use polepos::project::Project;

/// Adds `count` standard modules to the project at `root`, named `mod_0001`, `mod_0002`,
/// … and skipping the names whose module directory exists already, so a project made
/// with 100 can be copied and grown to 200.
pub fn add_modules(root: &Path, count: usize) -> anyhow::Result<()> {
    let mut added = 0;
    let mut i = 0;
    while added < count {
        i += 1;
        let name = format!("mod_{i:04}");
        let project = Project::open(root)
            .with_context(|| format!("cannot open the project at {}", root.display()))?;
        let modules = project
            .root
            .join("src")
            .join(&project.package)
            .join("modules");
        if modules.join(&name).exists() {
            continue;
        }
        added += 1;
        let planned = add_module::plan(&project, &name, &Template::Standard, &[])
            .with_context(|| format!("cannot plan module {name}"))?;
        planned
            .set
            .apply()
            .with_context(|| format!("cannot write module {name}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use polepos::cli::{DbMode, StartArgs};
    use polepos::printer::{ColorChoice, Printer, Verbosity};

    #[test]
    fn a_generated_project_checks_clean() {
        let dir = tempfile::tempdir().unwrap();
        let args = StartArgs {
            name: "bench-app".to_string(),
            db: DbMode::Sqlite,
            install: false,
            no_bytecode: false,
            dry_run: false,
        };
        let quiet = Printer::new(ColorChoice::Never, Verbosity::Quiet);
        polepos::commands::start::run(&quiet, &args, dir.path()).unwrap();
        let root = dir.path().join("bench-app");
        super::add_modules(&root, 20).unwrap();
        super::add_modules(&root, 5).unwrap();
        let report = polepos::check::check(&root);
        assert!(report.issues.is_empty(), "{:#?}", report.issues);
        let manifest = std::fs::read_to_string(root.join(".poleposition.toml")).unwrap();
        assert!(manifest.contains("mod_0025 = \"standard\""), "{manifest}");
    }
}
