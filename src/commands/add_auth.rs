//! `polepos add auth [--<extension> ...]` and `polepos remove auth --<extension> ...`.
//!
//! Without a flag, `add auth` is the seed's workflow: open the project, build auth's
//! recipe (its files, router and model wiring, the `pwdlib[argon2]` dependency,
//! `auth = true`), let the planner check every precondition and report every problem at
//! once, then preview or apply the change set atomically and print the migration flow.
//!
//! With extension flags (SPEC §15) it adds auth when the project lacks it, then each
//! extension not yet present: one recipe per extension (`feature::auth_extension`), the
//! first carrying the revisions of the auth files already there. `remove auth` plans the
//! same recipes and hands them to the remover, which carries the revisions back.

use std::path::Path;

use crate::changeset::ChangeSet;
use crate::cli::{AddAuthArgs, RemoveAuthArgs};
use crate::error::Refusal;
use crate::feature::auth_extension::{self, Extensions};
use crate::feature::remove::{self, Policy, Removal};
use crate::feature::{self, ProjectContext, plan};
use crate::feature::{fields, module};
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos add auth`.
pub(crate) fn run(printer: &Printer, args: &AddAuthArgs, cwd: &Path) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let requested = args.extensions.extensions();
    if requested.is_empty() {
        return run_seed(printer, &project, args.dry_run);
    }
    let ctx = ProjectContext::of(&project);
    let present = present_extensions(&project, "add")?;
    let has_auth = project
        .manifest
        .as_ref()
        .is_some_and(|m| m.integration_enabled("auth"));
    let already: Vec<String> = requested
        .intersection(&present)
        .map(|e| {
            format!(
                "the auth extension `{}` is already in this project",
                e.name()
            )
        })
        .collect();
    if !already.is_empty() {
        return Err(Refusal::new("cannot add the auth extensions: some are already present")
            .with_causes(already)
            .with_hint(format!(
                "leave those flags out; {} lists what the project has (`auth_extensions`); nothing was changed",
                crate::manifest::FILE_NAME
            ))
            .into());
    }
    let mut recipes = Vec::new();
    if !has_auth {
        recipes.push(feature::auth::recipe(&ctx, &requested)?);
    }
    recipes.extend(auth_extension::recipes(
        &ctx, &present, &requested, !has_auth,
    )?);
    let after: Extensions = present.union(&requested).copied().collect();
    revise_tenant_modules(&project, &present, &after, &mut recipes)?;
    let set = plan::plan_add_all(&project, &recipes)?;
    if !super::preview_or_apply(printer, &set, args.dry_run, &[], "written")? {
        return Ok(());
    }
    let counts = super::FileCounts::of(&set);
    printer.success(&format!(
        "Added {}the auth {} to {} ({} files created, {} updated)",
        if has_auth { "" } else { "auth and " },
        names(&requested),
        project.package,
        counts.created,
        counts.updated
    ));
    printer.guidance(&added_guidance(&project, &set, &requested, has_auth))?;
    Ok(())
}

/// What `add auth --<extension>` prints after the change: the files, the endpoints,
/// the migration and the next steps.
fn added_guidance(
    project: &Project,
    set: &ChangeSet,
    requested: &Extensions,
    has_auth: bool,
) -> String {
    let mut out = super::written_files(set);
    out.push_str("\nEndpoints under /api/v1/auth:\n");
    if !has_auth {
        out.push_str("  POST /register, POST /token, GET /me\n");
    }
    for extension in requested {
        out.push_str(&format!(
            "  {}: {}\n",
            extension.name(),
            extension.endpoints()
        ));
    }
    out.push_str("\nNext steps:\n");
    out.push_str(&format!("  {}uv sync --extra dev\n", uv_prefix(project)));
    let mut what: Vec<&str> = Vec::new();
    if !has_auth {
        what.push("auth users table");
    }
    what.extend(requested.iter().filter_map(|e| e.migration()));
    if !what.is_empty() {
        out.push_str(&format!(
            "  polepos db revision -m \"add {}\"\n  polepos db upgrade\n",
            what.join(" and ")
        ));
    }
    out.push_str("  polepos check\n\nThe settings each extension reads are in .env.example; the project README says what each one answers.\n");
    out
}

/// Runs `polepos remove auth`.
pub(crate) fn run_remove(
    printer: &Printer,
    args: &RemoveAuthArgs,
    cwd: &Path,
) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let requested = args.extensions.extensions();
    let present = present_extensions(&project, "remove")?;
    let missing: Vec<String> = requested
        .difference(&present)
        .map(|e| format!("the auth extension `{}` is not in this project", e.name()))
        .collect();
    if !missing.is_empty() {
        return Err(
            Refusal::new("cannot remove the auth extensions: some are not there")
                .with_causes(missing)
                .with_hint(format!(
                    "{} lists what the project has (`auth_extensions`); nothing was changed",
                    crate::manifest::FILE_NAME
                ))
                .into(),
        );
    }
    let ctx = ProjectContext::of(&project);
    let left: Extensions = present.difference(&requested).copied().collect();
    let mut recipes = auth_extension::recipes(&ctx, &left, &requested, false)?;
    // Removing carries each revision back: the revisions are those of adding.
    revise_tenant_modules(&project, &left, &present, &mut recipes)?;
    let policy = Policy {
        force: args.force,
        wiring_only: false,
    };
    let Removal { set, kept } = remove::plan_remove_all(&project, &recipes, policy)?;
    if !super::preview_or_apply(printer, &set, args.dry_run, &kept, "changed")? {
        return Ok(());
    }
    let counts = super::FileCounts::of(&set);
    printer.success(&format!(
        "Removed auth {} from {} ({} files deleted, {} updated)",
        names(&requested),
        project.package,
        counts.deleted,
        counts.updated
    ));
    let mut out = String::new();
    super::push_kept(&mut out, &kept);
    let what: Vec<&str> = requested.iter().filter_map(|e| e.migration()).collect();
    if !what.is_empty() {
        out.push_str(&format!(
            "Next steps (the migration is yours):\n  polepos db revision -m \"drop {}\"\n  polepos db upgrade\n  polepos check\n",
            what.join(" and ")
        ));
    } else {
        out.push_str("Next steps:\n  polepos check\n");
    }
    printer.guidance(&out)?;
    Ok(())
}

/// The seed's `add auth`.
fn run_seed(printer: &Printer, project: &Project, dry_run: bool) -> anyhow::Result<()> {
    let recipe = feature::auth::recipe(&ProjectContext::of(project), &Extensions::new())?;
    let set = plan::plan_add(project, &recipe)?;
    if !super::preview_or_apply(printer, &set, dry_run, &[], "written")? {
        return Ok(());
    }
    printer.success(&summary(project, &set));
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

/// The extensions the manifest lists; a list polepos cannot read, or a name it does not
/// know, refuses the command (`verb` is `add` or `remove`).
fn present_extensions(project: &Project, verb: &str) -> anyhow::Result<Extensions> {
    let Some(manifest) = &project.manifest else {
        return Ok(Extensions::new());
    };
    let names = manifest.auth_extensions().map_err(|e| {
        Refusal::new(format!("cannot {verb} auth extensions: {e}"))
            .with_hint("fix the manifest; nothing was changed")
    })?;
    let (set, unknown) = auth_extension::from_names(&names);
    if !unknown.is_empty() {
        return Err(Refusal::new(format!(
            "cannot {verb} auth extensions: {} lists extensions this polepos does not know",
            crate::manifest::FILE_NAME
        ))
        .with_causes(unknown.iter().map(|n| format!("`{n}`")).collect())
        .with_hint(format!(
            "known extensions: {}; upgrade polepos, or fix `auth_extensions`; nothing was changed",
            auth_extension::ALL
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    Ok(set)
}

/// Tenant-scoped modules render with the auth extensions: with `--tenants` they take the
/// tenant from the caller's account instead of the header, and with mail their tests'
/// production app has an SMTP host. The revisions of their files, from what polepos
/// generates for them now to what it generates after, are carried by the first recipe;
/// a module whose files changed where the revision goes refuses the command, like any
/// revised file.
fn revise_tenant_modules(
    project: &Project,
    before: &Extensions,
    after: &Extensions,
    recipes: &mut [crate::feature::Recipe],
) -> anyhow::Result<()> {
    if auth_extension::flags(before) == auth_extension::flags(after) {
        return Ok(());
    }
    let Some(first) = recipes.first_mut() else {
        return Ok(());
    };
    let ledger = crate::ledger::Ledger::load(&project.root)
        .map_err(|e| {
            Refusal::new(format!("cannot change the auth extension `tenants`: {e}"))
                .with_hint("restore .poleposition.lock from version control")
        })?
        .map(|(ledger, _)| ledger)
        .unwrap_or_default();
    let known = module::known_modules(project, &ledger)?;
    let mut old_ctx = ProjectContext::of(project);
    old_ctx.auth = auth_extension::flags(before);
    let mut new_ctx = old_ctx.clone();
    new_ctx.auth = auth_extension::flags(after);
    let modules = project
        .manifest
        .as_ref()
        .map(|m| m.modules())
        .unwrap_or_default();
    for (name, value) in modules {
        let Some(template) = value
            .as_str()
            .and_then(|v| module::Template::parse(v, &name).ok())
            .filter(|t| t.flags().iter().any(|f| f == "tenant-scoped"))
        else {
            continue;
        };
        let fields = fields::recorded(&ledger, &name)?;
        let render = |ctx: &ProjectContext| {
            module::recipe(
                ctx,
                &name,
                &template,
                module::Typed {
                    fields: &fields,
                    known: &known,
                },
            )
        };
        let (old, new) = (render(&old_ctx)?, render(&new_ctx)?);
        for (was, now) in old.files.iter().zip(&new.files) {
            if was.contents != now.contents {
                first.revisions.push(crate::feature::Revision {
                    path: now.path.to_string_lossy().replace('\\', "/"),
                    before: was.contents.clone(),
                    after: now.contents.clone(),
                    soft: false,
                });
            }
        }
    }
    Ok(())
}

/// `extension `sessions`` / `extensions `rate-limit`, `sessions``.
fn names(set: &Extensions) -> String {
    let quoted: Vec<String> = set.iter().map(|e| format!("`{}`", e.name())).collect();
    if quoted.len() == 1 {
        format!("extension {}", quoted[0])
    } else {
        format!("extensions {}", quoted.join(", "))
    }
}

fn uv_prefix(project: &Project) -> &'static str {
    if project.bytecode {
        ""
    } else {
        "PYTHONDONTWRITEBYTECODE=1 "
    }
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
    let recipe = feature::auth::recipe(&ProjectContext::of(project), &Extensions::new())?;
    plan::plan_add(project, &recipe)
}
