//! `polepos add module <name>`: a module from one of the templates, wired into the project.
//!
//! The steps: settle the template from the flags (conflicts are usage errors), validate
//! the module name, build the module's recipe (its files and tests, the export, router
//! and model wiring, the `[modules]` entry), let the planner check every precondition
//! and report every problem at once, then preview or apply the change set atomically.

use std::path::Path;

use crate::changeset::ChangeSet;
use crate::cli::{AddModuleArgs, ModuleTemplate};
use crate::error::{Refusal, UsageError};
use crate::feature::fields::{self, Field};
use crate::feature::module::{self, Template};
use crate::feature::{Precondition, ProjectContext, Recipe, llm, plan};
use crate::names::{self, NameKind};
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos add module`.
pub(crate) fn run(printer: &Printer, args: &AddModuleArgs, cwd: &Path) -> anyhow::Result<()> {
    let template = template(args)?;
    let fields = parse_fields(&args.fields, &template)?;
    let project = Project::open(cwd)?;
    let Planned { name, recipe, set } = plan(&project, &args.name, &template, &fields)?;
    if !super::preview_or_apply(printer, &set, args.dry_run, &[], "written")? {
        return Ok(());
    }
    printer.success(&summary(&project, &name, &template, &set));
    let mut out = super::written_files(&set);
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
fn template(args: &AddModuleArgs) -> anyhow::Result<Template> {
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
    // `--owned` needs the caller's user on every route: it implies `--auth-required`.
    let flags = module::CRUD_FLAGS
        .iter()
        .filter(|f| flags.contains(f) || (**f == "auth-required" && flags.contains(&"owned")))
        .map(|f| (*f).to_string())
        .collect();
    Ok(match chosen {
        ModuleTemplate::Standard => Template::Standard,
        ModuleTemplate::Crud => Template::Crud(flags),
        ModuleTemplate::ApiOnly => Template::ApiOnly,
        ModuleTemplate::ServiceOnly => Template::ServiceOnly,
        ModuleTemplate::AiPrompt => Template::AiPrompt(flags),
    })
}

/// The field specs, parsed; api-only and ai-prompt modules keep no rows, so fields are
/// a usage error there.
fn parse_fields(specs: &[String], template: &Template) -> anyhow::Result<Vec<Field>> {
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    if !template.spec().model {
        return Err(UsageError(format!(
            "fields ({}) can only be given to database-backed templates (standard, crud, service-only), not to `{}`",
            specs.join(" "),
            template.value()
        ))
        .into());
    }
    fields::parse_all(specs, &[]).map_err(|e| UsageError(e.to_string()).into())
}

/// Refuses `ref=` fields whose target is not a database-backed module of the project.
pub(crate) fn check_targets(
    module: &str,
    fields: &[Field],
    known: &std::collections::BTreeMap<String, fields::Known>,
) -> Result<(), Refusal> {
    let problems: Vec<String> = fields
        .iter()
        .filter_map(|field| {
            let target = field.target()?;
            let problem = if target == module {
                "a module cannot reference its own rows (yet)".to_string()
            } else {
                match known.get(target) {
                    None => format!("there is no module `{target}` in this project"),
                    Some(k) if !k.keeps_rows => {
                        format!("module `{target}` ({}) keeps no rows", k.value)
                    }
                    Some(_) => return None,
                }
            };
            Some(format!("field `{}` (ref={target}): {problem}", field.name))
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(Refusal::new(format!(
        "cannot add the fields of module `{module}`: a `ref=` field must name a database-backed module of this project"
    ))
    .with_causes(problems)
    .with_hint("add the referenced module first (`polepos add module <name>`), or fix the field's `ref=`"))
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

/// Plans adding module `raw_name` with `fields` to `project` (also used by benchmarks
/// and tests).
pub fn plan(
    project: &Project,
    raw_name: &str,
    template: &Template,
    fields: &[Field],
) -> anyhow::Result<Planned> {
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
    // Typed fields need the project's modules and their recorded fields; the ledger is
    // then read here, once, and handed to the planner.
    let mut known = std::collections::BTreeMap::new();
    let mut loaded = None;
    if !fields.is_empty() {
        let read = crate::ledger::Ledger::load(&project.root);
        if let Ok(Some((ledger, _))) = &read {
            known = module::known_modules(project, ledger)?;
        } else {
            known = module::known_modules(project, &crate::ledger::Ledger::default())?;
        }
        check_targets(&name, fields, &known)?;
        loaded = Some(read);
    }
    let typed = module::Typed {
        fields,
        known: &known,
    };
    let mut recipe = module::recipe(&ctx, &name, template, typed)?;
    let set = if let Some(loaded) = loaded {
        plan::plan_add_loaded(project, std::slice::from_ref(&recipe), loaded)?
    } else if !template.spec().llm {
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
