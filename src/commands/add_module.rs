//! `polepos add module <name>`: a module from one of the templates, wired into the project.
//!
//! The steps: settle the template from the flags (conflicts are usage errors), validate
//! the module name, build the module's recipe (its files and tests, the export, router
//! and model wiring, the `[modules]` entry), let the planner check every precondition
//! and report every problem at once, then preview or apply the change set atomically.

use std::path::Path;

use crate::changeset::{Change, ChangeSet};
use crate::cli::{AddModuleArgs, ModuleTemplate};
use crate::error::{Refusal, UsageError};
use crate::feature::module::{self, Template};
use crate::feature::{Precondition, ProjectContext, Recipe, llm, plan};
use crate::ledger;
use crate::names::{self, NameKind};
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos add module`.
pub fn run(printer: &Printer, args: &AddModuleArgs, cwd: &Path) -> anyhow::Result<()> {
    let template = template(args)?;
    let project = Project::open(cwd)?;
    let Planned { name, recipe, set } = plan(&project, &args.name, &template)?;
    if args.dry_run {
        printer.stdout(&format!(
            "{}Dry run: nothing was written.\n",
            set.preview()?
        ))?;
        return Ok(());
    }
    set.apply()?;
    printer.success(&summary(&project, &name, &template, &set));
    let mut out = String::new();
    for change in set.changes() {
        let path = change.path();
        if path == Path::new(ledger::FILE_NAME) {
            continue;
        }
        let verb = match change {
            Change::Create { .. } => "created",
            _ => "updated",
        };
        out.push_str(&format!("  {verb} {}\n", path.display()));
    }
    for what in set.kept() {
        out.push_str(&format!("  kept {what}\n"));
    }
    let routes = endpoints(&name, &template);
    if !routes.is_empty() {
        out.push_str(&format!("\nEndpoints under /api/v1: {routes}\n"));
    }
    out.push_str("\nNext steps:\n");
    for step in &recipe.next_steps {
        out.push_str(&format!("  {step}\n"));
    }
    printer.guidance(&out)?;
    Ok(())
}

/// The template the flags ask for; a flag the template does not take (a CRUD flag
/// without `--template crud`, `--auth-required` without crud or ai-prompt) is a usage
/// error naming the conflict (clap rejects two template flags itself).
pub fn template(args: &AddModuleArgs) -> anyhow::Result<Template> {
    let chosen = match (args.template, args.api_only, args.service_only) {
        (Some(t), _, _) => t,
        (None, true, _) => ModuleTemplate::ApiOnly,
        (None, false, true) => ModuleTemplate::ServiceOnly,
        (None, false, false) => ModuleTemplate::Standard,
    };
    let flags = args.crud_flags();
    let allowed: &[&str] = match chosen {
        ModuleTemplate::Crud => module::CRUD_FLAGS,
        ModuleTemplate::AiPrompt => module::AI_PROMPT_FLAGS,
        _ => &[],
    };
    let refused: Vec<String> = flags
        .iter()
        .filter(|f| !allowed.contains(f))
        .map(|f| format!("--{f}"))
        .collect();
    if !refused.is_empty() {
        let given = if args.api_only {
            "--api-only".to_string()
        } else if args.service_only {
            "--service-only".to_string()
        } else {
            format!("--template {}", template_value(chosen))
        };
        let only_auth = flags.iter().all(|f| module::AI_PROMPT_FLAGS.contains(f));
        let templates = if only_auth {
            "`--template crud` or `--template ai-prompt`"
        } else {
            "`--template crud`"
        };
        return Err(UsageError(format!(
            "{} can only be used with {templates}, not with `{given}`",
            refused.join(", ")
        ))
        .into());
    }
    let flags = flags.iter().map(|f| (*f).to_string()).collect();
    Ok(match chosen {
        ModuleTemplate::Standard => Template::Standard,
        ModuleTemplate::Crud => Template::Crud(flags),
        ModuleTemplate::ApiOnly => Template::ApiOnly,
        ModuleTemplate::ServiceOnly => Template::ServiceOnly,
        ModuleTemplate::AiPrompt => Template::AiPrompt(flags),
    })
}

fn template_value(template: ModuleTemplate) -> &'static str {
    match template {
        ModuleTemplate::Standard => "standard",
        ModuleTemplate::Crud => "crud",
        ModuleTemplate::ApiOnly => "api-only",
        ModuleTemplate::ServiceOnly => "service-only",
        ModuleTemplate::AiPrompt => "ai-prompt",
    }
}

/// A planned `add module`: the module package name, its recipe and the change set.
pub struct Planned {
    pub name: String,
    pub recipe: Recipe,
    pub set: ChangeSet,
}

/// Plans adding module `raw_name` to `project` (also used by benchmarks and tests).
pub fn plan(project: &Project, raw_name: &str, template: &Template) -> anyhow::Result<Planned> {
    let name = names::validate(raw_name, NameKind::Module)?.package;
    module::check_name(&project.package, &name)?;
    if module::tree(template).is_none() {
        return Err(Refusal::new(format!(
            "the `{}` template is not available in this build of polepos yet",
            template.value()
        ))
        .with_hint("use one of standard, crud, api-only, service-only or ai-prompt")
        .into());
    }
    let ctx = ProjectContext::of(project);
    let mut recipe = module::recipe(&ctx, &name, template)?;
    let set = if !template.spec().llm {
        plan::plan_add(project, &recipe)?
    } else if llm::present(project) {
        // Later ai-prompt modules use the scaffold that is there: it must be polepos's.
        recipe.requires.push(Precondition::Defines(llm::MODULE_API));
        plan::plan_add(project, &recipe)?
    } else {
        // The first ai-prompt module brings the shared llm scaffold, in the same change set.
        plan::plan_add_all(project, &[recipe.clone(), llm::recipe(&ctx)?])?
    };
    Ok(Planned { name, recipe, set })
}

/// `Added module orders (crud[pagination]) to shop (9 files created, 4 updated)`.
fn summary(project: &Project, name: &str, template: &Template, set: &ChangeSet) -> String {
    let counts = super::FileCounts::of(set);
    format!(
        "Added module {name} ({template}) to {} ({} files created, {} updated)",
        project.package, counts.created, counts.updated
    )
}

/// The module's routes under `/api/v1`, for the success output.
fn endpoints(name: &str, template: &Template) -> String {
    let routes: &[&str] = match template {
        Template::Standard | Template::ApiOnly => &["GET /{n}", "POST /{n}"],
        Template::Crud(_) => &[
            "GET /{n}",
            "POST /{n}",
            "GET /{n}/{id}",
            "PATCH /{n}/{id}",
            "DELETE /{n}/{id}",
        ],
        Template::AiPrompt(_) => &["POST /{n}/respond"],
        _ => &[],
    };
    let routes: Vec<String> = routes.iter().map(|r| module::expand(r, name)).collect();
    routes.join(", ")
}
