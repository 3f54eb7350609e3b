//! `polepos add integration <name>`: a client for an existing broker.
//!
//! The steps: open the project, build the integration's recipe (its package and tests,
//! the shared files when this is the first integration, the settings and env blocks,
//! the dependency, `<name> = true`), let the planner check every precondition and
//! report every problem at once, then preview or apply the change set atomically.

use std::path::Path;

use crate::changeset::ChangeSet;
use crate::feature::{ProjectContext, integration, plan};
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos add integration`.
pub(crate) fn run(printer: &Printer, name: &str, dry_run: bool, cwd: &Path) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let set = plan(&project, name)?;
    if !super::preview_or_apply(printer, &set, dry_run, &[], "written")? {
        return Ok(());
    }
    printer.success(&summary(&project, name, &set));
    let mut out = super::written_files(&set);
    out.push_str("\nNext steps:\n");
    let recipe = recipe(&project, name)?;
    for step in &recipe.next_steps {
        out.push_str(&format!("  {step}\n"));
    }
    printer.guidance(&out)?;
    Ok(())
}

fn recipe(project: &Project, name: &str) -> anyhow::Result<crate::feature::Recipe> {
    let found = integration::find(name)
        .ok_or_else(|| anyhow::anyhow!("internal error: unknown integration `{name}`"))?;
    Ok(integration::recipe(found, &ProjectContext::of(project))?)
}

/// Plans `add integration <name>` for `project` (also used by tests).
fn plan(project: &Project, name: &str) -> anyhow::Result<ChangeSet> {
    plan::plan_add(project, &recipe(project, name)?)
}

/// `Added the redis integration to shop (8 files created, 4 updated)`.
fn summary(project: &Project, name: &str, set: &ChangeSet) -> String {
    let counts = super::FileCounts::of(set);
    format!(
        "Added the {name} integration to {} ({} files created, {} updated)",
        project.package, counts.created, counts.updated
    )
}
