//! `polepos add auth`: the seed's database-backed auth workflow.
//!
//! The steps: open the project, build auth's recipe (eight new files, router and model
//! wiring, the `pwdlib[argon2]` dependency, `auth = true`), let the planner check every
//! precondition and report every problem at once, then preview or apply the change set
//! atomically and print the seed's migration flow.

use std::path::Path;

use crate::changeset::ChangeSet;
use crate::feature::{self, ProjectContext, plan};
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos add auth`.
pub fn run(printer: &Printer, dry_run: bool, cwd: &Path) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let recipe = feature::auth::recipe(&ProjectContext::of(&project))?;
    let set = plan::plan_add(&project, &recipe)?;
    if !super::preview_or_apply(printer, &set, dry_run, &[], "written")? {
        return Ok(());
    }
    printer.success(&summary(&project, &set));
    let mut out = String::from(
        "Endpoints under /api/v1/auth: POST /register, POST /token, GET /me\n\nNext steps:\n",
    );
    for step in &recipe.next_steps {
        out.push_str(&format!("  {step}\n"));
    }
    out.push_str("\nReview the generated migration before applying it to shared environments.\n");
    printer.guidance(&out)?;
    Ok(())
}

/// `Added auth to shop (9 files created, 4 updated)`.
fn summary(project: &Project, set: &ChangeSet) -> String {
    let counts = super::FileCounts::of(set);
    format!(
        "Added auth to {} ({} files created, {} updated)",
        project.package, counts.created, counts.updated
    )
}

/// Plans `add auth` for `project` (used by tests and benchmarks to build projects).
pub fn plan(project: &Project) -> anyhow::Result<ChangeSet> {
    let recipe = feature::auth::recipe(&ProjectContext::of(project))?;
    plan::plan_add(project, &recipe)
}
