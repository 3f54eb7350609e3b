//! `polepos remove module <name>`: take a module out again, safely.
//!
//! The steps: open the project; find the module (manifest entry or directory) and its
//! template (the manifest's value, or recognised from the files); build the module's
//! recipe, the same one `add module` used; let the remover decide from the ledger what
//! may go ([`crate::feature::remove`]); preview or apply the change set atomically; print
//! what was kept and the migration command.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::changeset::ChangeSet;
use crate::cli::{RemoveIntegrationArgs, RemoveModuleArgs};
use crate::error::Refusal;
use crate::feature::module::{self, Template};
use crate::feature::remove::{self, Policy, Removal};
use crate::feature::{ProjectContext, fields, integration, llm};
use crate::names;
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos remove module`.
pub(crate) fn run_module(
    printer: &Printer,
    args: &RemoveModuleArgs,
    cwd: &Path,
) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let name = names::normalise(args.name.trim());
    let template = template_of(&project, &name, args.force)?;
    let ctx = ProjectContext::of(&project);
    let policy = Policy {
        force: args.force,
        wiring_only: args.wiring_only,
    };
    let loaded = remove::load_ledger(
        &project,
        &crate::feature::Feature::Module {
            name: name.clone(),
            template: template.clone(),
        },
    )?;
    let empty = crate::ledger::Ledger::default();
    let ledger = loaded.as_ref().map_or(&empty, |(ledger, _)| ledger);
    let known = module::known_modules(&project, ledger)?;
    refuse_referenced(&known, &name)?;
    let own_fields = fields::recorded(ledger, &name)?;
    let typed = module::Typed {
        fields: &own_fields,
        known: &known,
    };
    let mut recipes = vec![module::recipe(&ctx, &name, &template, typed)?];
    let mut scaffold_kept = None;
    if template.spec().llm
        && !args.wiring_only
        && llm::present(&project)
        && !other_ai_prompt(&project, &name)
    {
        // The last ai-prompt module takes the shared llm scaffold with it (not under
        // --wiring-only: the module's kept files still import it).
        scaffold_kept = take_llm_scaffold(&project, &ctx, &mut recipes)?;
    }
    let Removal { set, mut kept } = remove::plan_remove_loaded(&project, &recipes, policy, loaded)?;
    kept.extend(scaffold_kept);
    if !super::preview_or_apply(printer, &set, args.dry_run, &kept, "changed")? {
        return Ok(());
    }
    let mut out = String::new();
    printer.success(&summary(&project, &name, &set));
    super::push_kept(&mut out, &kept);
    if template.spec().model && project.db.has_db() && !args.wiring_only {
        out.push_str(&format!(
            "Next steps (the migration is yours):\n  polepos db revision -m \"drop {name} table\"\n  polepos db upgrade\n  polepos check\n"
        ));
    } else {
        out.push_str("Next steps:\n  polepos check\n");
    }
    printer.guidance(&out)?;
    Ok(())
}

/// Adds the shared llm scaffold's recipe to `recipes`, unless the scaffold holds code of
/// the user's; then it stays, and this returns what is kept and why.
fn take_llm_scaffold(
    project: &Project,
    ctx: &ProjectContext,
    recipes: &mut Vec<crate::feature::Recipe>,
) -> anyhow::Result<Option<(String, String)>> {
    // Code of the user's may use the rest of the scaffold: then all of it stays.
    let scaffold = llm::recipe(ctx)?;
    let own: Vec<String> = scaffold
        .files
        .iter()
        .map(|f| f.path.to_string_lossy().replace('\\', "/"))
        .collect();
    let dir = format!(
        "{}/integrations/{}",
        project.package_dir().display(),
        llm::NAME
    );
    let hand_written: Vec<String> = files_under(&project.root.join(&dir))
        .into_iter()
        .map(|f| format!("{dir}/{f}"))
        .filter(|f| !own.contains(f))
        .collect();
    if hand_written.is_empty() {
        recipes.push(scaffold);
        return Ok(None);
    }
    Ok(Some((
        format!("{dir}/ and its settings"),
        format!(
            "the llm scaffold stays: it holds code polepos did not generate ({})",
            hand_written.join(", ")
        ),
    )))
}

/// Refuses removing module `name` while other modules' `ref` fields name its rows.
fn refuse_referenced(
    known: &std::collections::BTreeMap<String, fields::Known>,
    name: &str,
) -> Result<(), Refusal> {
    let referrers = fields::referrers(known, name);
    if !referrers.is_empty() {
        return Err(Refusal::new(format!(
            "cannot remove module `{name}`: other modules reference its rows"
        ))
        .with_causes(
            referrers
                .iter()
                .map(|(module, field)| format!("module `{module}`, field `{field}` (ref={name})"))
                .collect(),
        )
        .with_hint(
            "remove those fields first (`polepos remove field <module> <field>`), or the modules that have them",
        )
        );
    }
    Ok(())
}

/// Runs `polepos remove integration`.
pub(crate) fn run_integration(
    printer: &Printer,
    args: &RemoveIntegrationArgs,
    cwd: &Path,
) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let name = args.name.as_str();
    let found = integration::find(name)
        .ok_or_else(|| anyhow::anyhow!("internal error: unknown integration `{name}`"))?;
    let recorded = project
        .manifest
        .as_ref()
        .is_some_and(|m| m.integrations().iter().any(|(n, _)| n == name));
    if !recorded
        && project
            .root
            .join(found.package_dir(&project.package))
            .symlink_metadata()
            .is_err()
    {
        return Err(
            Refusal::new(format!("the {name} integration is not in this project"))
                .with_hint("`polepos check` lists what the project has; nothing was changed")
                .into(),
        );
    }
    let recipe = integration::recipe(found, &ProjectContext::of(&project))?;
    let policy = Policy {
        force: args.force,
        wiring_only: false,
    };
    let Removal { set, kept } = remove::plan_remove(&project, &recipe, policy)?;
    if !super::preview_or_apply(printer, &set, args.dry_run, &kept, "changed")? {
        return Ok(());
    }
    let mut out = String::new();
    let counts = super::FileCounts::of(&set);
    printer.success(&format!(
        "Removed the {name} integration from {} ({} files deleted, {} updated)",
        project.package, counts.deleted, counts.updated
    ));
    super::push_kept(&mut out, &kept);
    let prefix = if project.bytecode {
        ""
    } else {
        "PYTHONDONTWRITEBYTECODE=1 "
    };
    out.push_str(&format!(
        "Next steps:\n  {prefix}uv sync --extra dev\n  polepos check\n"
    ));
    printer.guidance(&out)?;
    Ok(())
}

/// Whether a module other than `name` uses the ai-prompt template (its manifest value,
/// or recognised from the files of a module the manifest does not list).
fn other_ai_prompt(project: &Project, name: &str) -> bool {
    let listed: Vec<(String, Template)> = project
        .manifest
        .as_ref()
        .map(|m| {
            m.modules()
                .into_iter()
                .filter_map(|(n, v)| {
                    let template = Template::parse(v.as_str()?, &n).ok()?;
                    Some((n, template))
                })
                .collect()
        })
        .unwrap_or_default();
    if listed.iter().any(|(n, t)| n != name && t.spec().llm) {
        return true;
    }
    let modules = project.root.join(project.package_dir()).join("modules");
    let tests = test_names(&project.root);
    fs::read_dir(&modules)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n != name && !listed.iter().any(|(l, _)| l == n))
        .any(|n| {
            Template::recognise(&n, &files_under(&modules.join(&n)), &tests)
                .spec()
                .llm
        })
}

/// The module's template, or why there is nothing to remove. A module whose directory
/// and manifest entry are gone while wiring still refers to it (an orphan) is removed
/// with `--force` as a standard module: its recipe's wiring (export, router import and
/// include, model import) is what a module can leave behind, and the remover takes out
/// whichever of it is still there.
fn template_of(project: &Project, name: &str, force: bool) -> anyhow::Result<Template> {
    let dir = project
        .root
        .join(project.package_dir())
        .join("modules")
        .join(name);
    let value = project.manifest.as_ref().and_then(|m| {
        m.modules()
            .into_iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_str().map(str::to_string))
    });
    if value.is_none() && dir.symlink_metadata().is_err() {
        let orphaned = referenced(project, name);
        if orphaned && force {
            return Ok(Template::Standard);
        }
        let hint = if orphaned {
            format!(
                "its wiring is still there: `polepos remove module {name} --force` removes it; nothing was changed"
            )
        } else {
            "`polepos check` lists the project's modules; nothing was changed".to_string()
        };
        return Err(
            Refusal::new(format!("module `{name}` does not exist in this project"))
                .with_hint(hint)
                .into(),
        );
    }
    let template = match value {
        Some(v) => Template::parse(&v, name).map_err(|e| {
            Refusal::new(format!(
                "cannot remove module `{name}`: its manifest value is invalid ({e})"
            ))
            .with_hint("fix `[modules]` in .poleposition.toml")
        })?,
        None => Template::recognise(name, &files_under(&dir), &test_names(&project.root)),
    };
    if template == Template::Starter {
        return Err(Refusal::new("the starter `status` module is part of the foundation; polepos does not remove it")
            .with_hint("remove its directory, test, wiring and manifest entry by hand if you do not want the endpoint (`polepos check` accepts that)")
            .into());
    }
    if module::tree(&template).is_none() {
        return Err(Refusal::new(format!(
            "cannot remove module `{name}`: its template `{template}` is not available in this build of polepos"
        ))
        .with_hint("remove its files and wiring by hand, then run `polepos check`")
        .into());
    }
    Ok(template)
}

/// The files under `dir` (see [`crate::fsread::files_under`]).
fn files_under(dir: &Path) -> BTreeSet<String> {
    crate::fsread::files_under(dir).into_iter().collect()
}

/// File names under `tests/integration/` and `tests/unit/`.
fn test_names(root: &Path) -> BTreeSet<String> {
    ["tests/integration", "tests/unit"]
        .iter()
        .flat_map(|d| fs::read_dir(root.join(d)).into_iter().flatten())
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// `Removed module orders from shop (9 files deleted, 4 updated)`.
fn summary(project: &Project, name: &str, set: &ChangeSet) -> String {
    let counts = super::FileCounts::of(set);
    format!(
        "Removed module {name} from {} ({} files deleted, {} updated)",
        project.package, counts.deleted, counts.updated
    )
}

/// Whether a wiring file still names module `name` (`<pkg>.modules.<name>` in
/// `api/router.py` or `db/models.py`, or `"<name>"` in `modules/__init__.py`).
fn referenced(project: &Project, name: &str) -> bool {
    let pkg = project.root.join(project.package_dir());
    let dotted = module::package(&project.package, name);
    let read = |rel: &str| fs::read_to_string(pkg.join(rel)).unwrap_or_default();
    let names_module = |text: String| {
        text.match_indices(&dotted).any(|(at, _)| {
            !text[at + dotted.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    names_module(read("api/router.py"))
        || names_module(read("db/models.py"))
        || read("modules/__init__.py").contains(&format!("\"{name}\""))
}
