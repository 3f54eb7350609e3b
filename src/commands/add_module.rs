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
use crate::feature::{ProjectContext, plan};
use crate::ledger;
use crate::names::{self, NameKind};
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos add module`.
pub fn run(printer: &Printer, args: &AddModuleArgs, cwd: &Path) -> anyhow::Result<()> {
    let template = template(args)?;
    let project = Project::open(cwd)?;
    let set = plan(&project, &args.name, &template)?;
    if args.dry_run {
        printer.stdout(&format!("{}Dry run: nothing was written.\n", set.preview()))?;
        return Ok(());
    }
    set.apply()?;
    let name = names::validate(&args.name, NameKind::Module)?.package;
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
    let routes = endpoints(&template);
    if !routes.is_empty() {
        out.push_str(&format!("\nEndpoints under /api/v1/{name}: {routes}\n"));
    }
    out.push_str("\nNext steps:\n");
    for step in next_steps(&name, &template) {
        out.push_str(&format!("  {step}\n"));
    }
    printer.stdout(&out)?;
    Ok(())
}

/// The template the flags ask for; a CRUD flag without `--template crud` is a usage
/// error naming the conflict (clap rejects two template flags itself).
pub fn template(args: &AddModuleArgs) -> anyhow::Result<Template> {
    let chosen = match (args.template, args.api_only, args.service_only) {
        (Some(t), _, _) => t,
        (None, true, _) => ModuleTemplate::ApiOnly,
        (None, false, true) => ModuleTemplate::ServiceOnly,
        (None, false, false) => ModuleTemplate::Standard,
    };
    let flags = args.crud_flags();
    if chosen != ModuleTemplate::Crud && !flags.is_empty() {
        let given = if args.api_only {
            "--api-only".to_string()
        } else if args.service_only {
            "--service-only".to_string()
        } else {
            format!("--template {}", template_value(chosen))
        };
        let list: Vec<String> = flags.iter().map(|f| format!("--{f}")).collect();
        return Err(UsageError(format!(
            "{} can only be used with `--template crud`, not with `{given}`",
            list.join(", ")
        ))
        .into());
    }
    Ok(match chosen {
        ModuleTemplate::Standard => Template::Standard,
        ModuleTemplate::Crud => Template::Crud(flags.iter().map(|f| (*f).to_string()).collect()),
        ModuleTemplate::ApiOnly => Template::ApiOnly,
        ModuleTemplate::ServiceOnly => Template::ServiceOnly,
        ModuleTemplate::AiPrompt => Template::AiPrompt,
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

/// Plans adding module `raw_name` to `project` (also used by benchmarks and tests).
pub fn plan(project: &Project, raw_name: &str, template: &Template) -> anyhow::Result<ChangeSet> {
    let name = names::validate(raw_name, NameKind::Module)?.package;
    module::check_name(&project.package, &name)?;
    if module::tree(template).is_none() {
        return Err(Refusal::new(format!(
            "the `{}` template is not available in this build of polepos yet",
            template.value()
        ))
        .with_hint("use one of standard, crud, api-only or service-only")
        .into());
    }
    let recipe = module::recipe(&ProjectContext::of(project), &name, template)?;
    plan::plan_add(project, &recipe)
}

/// `Added module orders (crud[pagination]) to shop (9 files created, 4 updated)`.
fn summary(project: &Project, name: &str, template: &Template, set: &ChangeSet) -> String {
    let files = || {
        set.changes()
            .iter()
            .filter(|c| c.path() != Path::new(ledger::FILE_NAME))
    };
    let created = files()
        .filter(|c| matches!(c, Change::Create { .. }))
        .count();
    format!(
        "Added module {name} ({template}) to {} ({created} files created, {} updated)",
        project.package,
        files().count() - created
    )
}

/// The module's routes, for the success output.
fn endpoints(template: &Template) -> String {
    match template {
        Template::Standard | Template::ApiOnly => "GET /, POST /".to_string(),
        Template::Crud(_) => "GET /, POST /, GET /{id}, PATCH /{id}, DELETE /{id}".to_string(),
        _ => String::new(),
    }
}

fn next_steps(name: &str, template: &Template) -> Vec<String> {
    let mut steps = Vec::new();
    if template.spec().model {
        steps.push(format!("polepos db revision -m \"add {name} table\""));
        steps.push("polepos db upgrade".to_string());
    }
    steps.push("uv run pytest".to_string());
    steps.push("polepos check".to_string());
    steps
}
