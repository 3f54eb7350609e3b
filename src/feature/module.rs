//! Module templates: the manifest values that name them, and what each one generates.
//!
//! This is §4.6's per-template table as data. A module's template comes from its
//! `[modules]` entry; for modules the manifest does not list (or projects without a
//! manifest) it is recognised from the files present, so a project made by another tool
//! or by hand is held to the template it evidently follows.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

/// CRUD flags, in the order the manifest writes them.
pub(crate) const CRUD_FLAGS: &[&str] = &[
    "pagination",
    "timestamps",
    "soft-delete",
    "tenant-scoped",
    "auth-required",
    "owned",
];

/// ai-prompt flags (`ai-prompt[auth-required]`): its route needs an active user.
pub(crate) const AI_PROMPT_FLAGS: &[&str] = &["auth-required"];

/// The dotted Python package of module `name`: `<pkg>.modules.<name>`.
pub(crate) fn package(pkg: &str, name: &str) -> String {
    format!("{pkg}.modules.{name}")
}

/// The module of the project that an import refers to (`shop.modules.<m>...`, or
/// `from shop.modules import <m>`).
pub(crate) fn module_of(pkg: &str, module: &str, name: Option<&str>) -> Option<String> {
    let prefix = format!("{pkg}.modules");
    let rest = module.strip_prefix(&prefix)?;
    if rest.is_empty() {
        return name.filter(|n| *n != "*").map(str::to_string);
    }
    let rest = rest.strip_prefix('.')?;
    Some(rest.split('.').next().unwrap_or(rest).to_string())
}

/// A module template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    /// The starter `status` module every project has.
    Starter,
    Standard,
    Crud(Vec<String>),
    ApiOnly,
    ServiceOnly,
    AiPrompt(Vec<String>),
}

/// What a template generates, with `{n}` standing for the module name: read from the
/// template's tree (`templates/module/<template>/`, or the starter `status` module in
/// `templates/project/base/`), so the files are listed once, by the templates
/// themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    /// Files under `src/<pkg>/modules/<n>/`.
    pub files: Vec<String>,
    /// File name under `tests/integration/`.
    pub integration_test: String,
    /// File name under `tests/unit/`, if the template has one.
    pub unit_test: Option<String>,
    /// Whether the module has a router that `api/router.py` imports and includes.
    pub router: bool,
    /// Whether the module has a model that `db/models.py` imports.
    pub model: bool,
    /// Whether the module needs the `llm` integration.
    pub llm: bool,
}

impl Spec {
    /// The spec of the module template in `tree` whose module is named `placeholder`
    /// there (`__module__`; `status` for the starter).
    fn of_tree(tree: &str, placeholder: &str, llm: bool) -> Spec {
        let paths = crate::templates::paths(tree);
        let generic = |path: &str| path.replace(placeholder, "{n}");
        let module_dir = format!("src/__pkg__/modules/{placeholder}/");
        let files: Vec<String> = paths
            .iter()
            .filter_map(|p| p.strip_prefix(&module_dir))
            .map(generic)
            .collect();
        // The module's tests are the test files named after it.
        let test_in = |dir: &str| {
            paths
                .iter()
                .filter_map(|p| p.strip_prefix(dir))
                .find(|name| name.contains(placeholder))
                .map(generic)
        };
        Spec {
            router: files.iter().any(|f| f == "router.py"),
            model: files.iter().any(|f| f == "model.py"),
            integration_test: test_in("tests/integration/").unwrap_or_default(),
            unit_test: test_in("tests/unit/"),
            files,
            llm,
        }
    }
}

impl Template {
    /// Parses a `[modules]` value for module `name`; the error says what is wrong.
    pub(crate) fn parse(value: &str, name: &str) -> Result<Template, String> {
        match value {
            "standard" => return Ok(Template::Standard),
            "crud" => return Ok(Template::Crud(Vec::new())),
            "api-only" => return Ok(Template::ApiOnly),
            "service-only" => return Ok(Template::ServiceOnly),
            "ai-prompt" => return Ok(Template::AiPrompt(Vec::new())),
            "starter" if name == "status" => return Ok(Template::Starter),
            "starter" => return Err("`starter` is only the template of the `status` module".into()),
            _ => {}
        }
        let Some((base, inner)) = value
            .strip_suffix(']')
            .and_then(|rest| rest.split_once('['))
        else {
            return Err(format!("`{value}` is not a module template"));
        };
        let allowed = match base {
            "crud" => CRUD_FLAGS,
            "ai-prompt" => AI_PROMPT_FLAGS,
            _ => return Err(format!("`{value}` is not a module template")),
        };
        let mut flags: Vec<String> = Vec::new();
        for flag in inner.split(',').map(str::trim) {
            if !allowed.contains(&flag) {
                return Err(format!("`{flag}` is not a {base} flag"));
            }
            if flags.iter().any(|f| f == flag) {
                return Err(format!("{base} flag `{flag}` is repeated"));
            }
            flags.push(flag.to_string());
        }
        Ok(if base == "crud" {
            Template::Crud(flags)
        } else {
            Template::AiPrompt(flags)
        })
    }

    /// The flags in the manifest value (`crud[...]`, `ai-prompt[...]`).
    pub(crate) fn flags(&self) -> &[String] {
        match self {
            Template::Crud(flags) | Template::AiPrompt(flags) => flags,
            _ => &[],
        }
    }

    /// Whether the template has `--auth-required` (crud, ai-prompt), or `--owned`, which
    /// implies it: its routes need auth's database-backed active-user dependency.
    pub(crate) fn auth_required(&self) -> bool {
        self.flags()
            .iter()
            .any(|f| f == "auth-required" || f == "owned")
    }

    /// What the template generates.
    pub(crate) fn spec(&self) -> &'static Spec {
        // Read from the embedded trees once per run; `check` asks for every module.
        static SPECS: LazyLock<[Spec; 6]> = LazyLock::new(|| {
            let module = |template: Template| {
                let llm = matches!(template, Template::AiPrompt(_));
                Spec::of_tree(tree(&template).unwrap_or_default(), "__module__", llm)
            };
            [
                Spec::of_tree("project/base", "status", false),
                module(Template::Standard),
                module(Template::Crud(Vec::new())),
                module(Template::ApiOnly),
                module(Template::ServiceOnly),
                module(Template::AiPrompt(Vec::new())),
            ]
        });
        let index = match self {
            Template::Starter => 0,
            Template::Standard => 1,
            Template::Crud(_) => 2,
            Template::ApiOnly => 3,
            Template::ServiceOnly => 4,
            Template::AiPrompt(_) => 5,
        };
        &SPECS[index]
    }

    /// Recognises the template of an unlisted module from its files (module-relative
    /// paths) and the test file names present.
    pub(crate) fn recognise(
        name: &str,
        files: &BTreeSet<String>,
        tests: &BTreeSet<String>,
    ) -> Template {
        let has = |f: &str| files.contains(f);
        let test = |f: String| tests.contains(&f);
        if name == "status" {
            return Template::Starter;
        }
        if has("orchestrator.py")
            || has("prompts.py")
            || test(format!("test_{name}_orchestrator.py"))
        {
            return Template::AiPrompt(Vec::new());
        }
        if has(&format!("services/{name}_crud_service.py"))
            || test(format!("test_{name}_crud.py"))
            || test(format!("test_{name}_crud_service.py"))
        {
            return Template::Crud(Vec::new());
        }
        match (has("router.py"), has("model.py")) {
            (true, true) => Template::Standard,
            (true, false) => Template::ApiOnly,
            (false, true) => Template::ServiceOnly,
            (false, false) if test(format!("test_{name}_api_service.py")) => Template::ApiOnly,
            (false, false) if test(format!("test_{name}_service_only.py")) => Template::ServiceOnly,
            (false, false) => Template::Standard,
        }
    }

    /// The manifest value for this template.
    pub(crate) fn value(&self) -> String {
        match self {
            Template::Starter => "starter".into(),
            Template::Standard => "standard".into(),
            Template::Crud(flags) if flags.is_empty() => "crud".into(),
            Template::Crud(flags) => format!("crud[{}]", flags.join(",")),
            Template::ApiOnly => "api-only".into(),
            Template::ServiceOnly => "service-only".into(),
            Template::AiPrompt(flags) if flags.is_empty() => "ai-prompt".into(),
            Template::AiPrompt(flags) => format!("ai-prompt[{}]", flags.join(",")),
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value())
    }
}

/// What each template generates, in words: `Files per template, under … standard:
/// __init__.py, model.py, …; tests test_<name>.py, test_<name>_service.py. crud: …`.
pub(crate) fn files_per_template() -> String {
    let templates = [
        Template::Standard,
        Template::Crud(Vec::new()),
        Template::ApiOnly,
        Template::ServiceOnly,
        Template::AiPrompt(Vec::new()),
    ];
    let named = |path: &str| path.replace("{n}", "<name>");
    let rows: Vec<String> = templates
        .iter()
        .map(|template| {
            let spec = template.spec();
            let files: Vec<String> = spec.files.iter().map(|f| named(f)).collect();
            let tests: Vec<String> = std::iter::once(&spec.integration_test)
                .chain(spec.unit_test.as_ref())
                .map(|t| named(t))
                .collect();
            format!(
                "{template}: {}; tests {}.",
                files.join(", "),
                tests.join(", ")
            )
        })
        .collect();
    format!(
        "Files per template, under `src/<package>/modules/<name>/`, and its tests under `tests/integration/` and `tests/unit/`: {}",
        rows.join(" ")
    )
}

/// The longest module package name: longer ones push generated lines past the line
/// length that ruff format and strict linting keep.
const MAX_MODULE_NAME_LEN: usize = 30;

/// Class names the module templates import or define next to the module's own class:
/// a module whose class name is one of these would shadow it.
#[rustfmt::skip]
const RESERVED_CLASS_NAMES: &[&str] = &[
    "AfterValidator", "Annotated", "Any", "APIRouter", "AsyncIterator", "AuthUser", "Base",
    "BaseModel", "ConfigDict", "Create", "DateTime", "Depends", "FastAPI", "Field", "Header",
    "HTTPException", "ItemId", "Iterator", "Mapped", "Name", "NotFound", "NotFoundError",
    "DomainError", "Path", "Query", "Repository", "Response", "Select", "Service", "ServiceDep",
    "Session", "Settings", "String", "StringConstraints", "TestClient", "Update",
    "UntrustedTenantHeaderError", "UtcDatetime",
];

/// Foundation files (relative to the package) that database-backed module code imports.
const FOUNDATION: &[&str] = &[
    "api/deps.py",
    "db/base.py",
    "db/session.py",
    "domain/exceptions.py",
];

pub(crate) use crate::names::class_name;

/// The template tree a module template renders from (`None`: not in this build).
pub(crate) fn tree(template: &Template) -> Option<&'static str> {
    match template {
        Template::Standard => Some("module/standard"),
        Template::Crud(_) => Some("module/crud"),
        Template::ApiOnly => Some("module/api_only"),
        Template::ServiceOnly => Some("module/service_only"),
        Template::AiPrompt(_) => Some("module/ai_prompt"),
        Template::Starter => None,
    }
}

/// Extra name rules of a module package name (after §2's rules): its length together
/// with the project package, and its class name.
pub(crate) fn check_name(pkg: &str, name: &str) -> Result<(), crate::error::Refusal> {
    use crate::error::Refusal;
    if name.len() > MAX_MODULE_NAME_LEN {
        return Err(Refusal::new(format!(
            "invalid module name `{name}`: it is {} characters long; at most {MAX_MODULE_NAME_LEN} keep the generated code within ruff's line length",
            name.len()
        ))
        .with_hint("choose a shorter module name"));
    }
    // `from <pkg>.modules.<n>.services.<n>_crud_service import (` cannot be wrapped.
    if pkg.len() + 2 * name.len() > 74 {
        return Err(Refusal::new(format!(
            "invalid module name `{name}`: with the package `{pkg}` its import paths would exceed 120 characters"
        ))
        .with_hint("choose a shorter module name"));
    }
    let class = class_name(name);
    if RESERVED_CLASS_NAMES.contains(&class.as_str()) {
        return Err(Refusal::new(format!(
            "invalid module name `{name}`: its class name `{class}` would shadow a name the generated module code imports"
        ))
        .with_hint(format!("choose another module name, e.g. `{name}_items`")));
    }
    Ok(())
}

/// The modules of the project (its `[modules]` entries), with the typed fields the
/// ledger records for each.
pub(crate) fn known_modules(
    project: &crate::project::Project,
    ledger: &crate::ledger::Ledger,
) -> Result<std::collections::BTreeMap<String, super::fields::Known>, crate::error::Refusal> {
    let mut known = std::collections::BTreeMap::new();
    let Some(manifest) = &project.manifest else {
        return Ok(known);
    };
    for (name, item) in manifest.modules() {
        let Some(value) = item.as_str() else { continue };
        let Ok(template) = Template::parse(value, &name) else {
            continue;
        };
        let fields = super::fields::recorded(ledger, &name)?;
        let module = super::fields::Known {
            value: template.value(),
            keeps_rows: template.spec().model,
            flags: template.flags().to_vec(),
            fields,
        };
        known.insert(name, module);
    }
    Ok(known)
}

/// A module's typed fields and what their `ref` fields need to know about the
/// project's other modules; [`Typed::none`] for a module with the classic `name`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Typed<'a> {
    pub fields: &'a [super::fields::Field],
    pub known: &'a std::collections::BTreeMap<String, super::fields::Known>,
}

impl Typed<'_> {
    pub(crate) fn none() -> Typed<'static> {
        static NONE: std::collections::BTreeMap<String, super::fields::Known> =
            std::collections::BTreeMap::new();
        Typed {
            fields: &[],
            known: &NONE,
        }
    }
}

/// Variables of a module template: `module.name`, `module.class`, …
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct ModuleContext {
    /// Module (package) name, e.g. `order_items`.
    pub(crate) name: String,
    /// PascalCase class name, e.g. `OrderItems`.
    pub(crate) class: String,
    /// Table name (the module name).
    pub(crate) table: String,
    /// CRUD flags.
    pub(crate) pagination: bool,
    pub(crate) timestamps: bool,
    pub(crate) soft_delete: bool,
    pub(crate) tenant_scoped: bool,
    pub(crate) auth_required: bool,
    /// `--owned`: rows belong to the user who created them.
    pub(crate) owned: bool,
    /// Whether the module was added with typed fields (SPEC §14); without, it has the
    /// one `name` column.
    pub(crate) typed: bool,
    /// Whether the module has a list route (standard, crud) and an update (crud).
    pub(crate) listed: bool,
    pub(crate) crud: bool,
    /// The update schema's `@field_validator(...)` line for the fields that cannot be
    /// cleared (empty when every field is optional).
    pub(crate) reject_null: String,
    /// `UNIQUE_FIELDS = (...)` and `FILTER_FIELDS = {...}` of the repository.
    pub(crate) unique_line: String,
    pub(crate) filter_line: String,
    /// The services' `REFERENCES = (...)` of the `ref` fields.
    pub(crate) references: String,
    /// Its typed fields, in spec order.
    pub(crate) fields: Vec<super::field_code::FieldCode>,
    /// What the typed fields import.
    pub(crate) imports: super::field_code::FieldImports,
    /// The `<Class>Sort` literal of the list's sort keys.
    pub(crate) sort_alias: String,
    /// The `__table_args__` entries (unique indexes among live rows).
    pub(crate) table_args: Vec<String>,
    /// The modules its `ref` fields reference, as `(module, class)`, sorted.
    pub(crate) targets: Vec<(String, String)>,
    /// Test helpers that insert a row of each referenced module, and the names they
    /// use from `datetime` and `uuid`.
    pub(crate) target_makers: String,
    /// The standard-library import lines of its tests.
    pub(crate) test_std: Vec<String>,
    pub(crate) unit_std: Vec<String>,
    /// The field its tests change with PATCH (the first that is not a `ref`).
    pub(crate) patch_field: String,
}

/// The template variables of module `name`.
fn module_context(name: &str, template: &Template, typed: Typed<'_>) -> ModuleContext {
    use super::field_code::{self, Shape};
    let flag = |f: &str| template.flags().iter().any(|x| x == f);
    let class = class_name(name);
    let shape = Shape {
        timestamps: flag("timestamps"),
        soft_delete: flag("soft-delete"),
        pagination: flag("pagination"),
        listed: template.spec().router,
        updated: matches!(template, Template::Crud(_)),
        tenant_scoped: flag("tenant-scoped"),
        owned: flag("owned"),
    };
    let fields = typed.fields;
    let makers = field_code::makers(fields, typed.known);
    ModuleContext {
        name: name.to_string(),
        class: class.clone(),
        table: name.to_string(),
        pagination: shape.pagination,
        timestamps: shape.timestamps,
        soft_delete: shape.soft_delete,
        tenant_scoped: flag("tenant-scoped"),
        auth_required: template.auth_required(),
        owned: flag("owned"),
        typed: !fields.is_empty(),
        listed: shape.listed,
        crud: shape.updated,
        reject_null: field_code::reject_null(fields),
        unique_line: field_code::name_collection(
            "UNIQUE_FIELDS",
            fields.iter().filter(|f| f.unique),
            ('(', ')'),
        ),
        references: field_code::references(fields),
        filter_line: field_code::name_collection(
            "FILTER_FIELDS",
            fields.iter().filter(|f| f.filterable()),
            ('{', '}'),
        ),
        fields: field_code::fields_code(name, fields, shape.soft_delete),
        imports: field_code::imports(fields, shape),
        sort_alias: field_code::sort_alias(&class, fields, shape.timestamps),
        table_args: if shape.soft_delete {
            field_code::live_unique_indexes(name, fields)
        } else {
            Vec::new()
        },
        test_std: field_code::test_imports(fields, &makers, true),
        unit_std: field_code::test_imports(fields, &makers, false),
        patch_field: fields
            .iter()
            .find(|f| f.target().is_none())
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        targets: makers.targets,
        target_makers: makers.code,
    }
}

/// The recipe of `add module <name> [FIELD ...] --template <template>`; `name` is a
/// validated module package name, the template has a tree in this build, and the
/// fields were checked against the project.
pub(crate) fn recipe(
    ctx: &super::ProjectContext,
    name: &str,
    template: &Template,
    typed: Typed<'_>,
) -> Result<super::Recipe, crate::templates::TemplateError> {
    use super::{Feature, GeneratedFile, ManifestEntry, Precondition, Recipe, Wiring};
    let spec = template.spec();
    let mut template_ctx = ctx.template_context("");
    template_ctx.module = Some(minijinja::Value::from_serialize(module_context(
        name, template, typed,
    )));
    let tree = tree(template)
        .ok_or_else(|| crate::templates::TemplateError::MissingTree(template.value()))?;
    let files = GeneratedFile::render_tree(tree, &template_ctx)?;
    let pkg = &ctx.package;
    let mut wiring = vec![Wiring::Export(name.to_string())];
    if spec.router {
        wiring.push(Wiring::Mount(super::RouterMount::module(pkg, name)));
    }
    let mut requires = vec![Precondition::FreeModuleName(name.to_string())];
    let mut next_steps = Vec::new();
    if spec.model {
        wiring.push(Wiring::module_model_import(pkg, name));
        requires.insert(0, Precondition::HasDatabase);
        requires.push(Precondition::Foundation(FOUNDATION));
        requires.push(Precondition::FreeTable(name.to_string()));
        next_steps.push(format!("polepos db revision -m \"add {name} table\""));
        next_steps.push("polepos db upgrade".to_string());
    }
    if template.auth_required() {
        requires.push(Precondition::Auth);
    }
    if spec.llm {
        next_steps.push(
            "set LLM_PROVIDER, LLM_MODEL and LLM_API_KEY in .env (see .env.example)".to_string(),
        );
    }
    next_steps.push("uv run pytest".to_string());
    next_steps.push("polepos check".to_string());
    Ok(Recipe {
        feature: Feature::Module {
            name: name.to_string(),
            template: template.clone(),
        },
        files,
        wiring,
        dependencies: Vec::new(),
        dev_dependencies: Vec::new(),
        conditional_dependencies: Vec::new(),
        manifest: Some(ManifestEntry::Module {
            name: name.to_string(),
            value: template.value(),
        }),
        fields: typed
            .fields
            .iter()
            .map(super::fields::Field::spec)
            .collect(),
        revisions: Vec::new(),
        requires,
        next_steps,
    })
}

/// Replaces `{n}` with the module name.
pub(crate) fn expand(pattern: &str, name: &str) -> String {
    pattern.replace("{n}", name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_targets() {
        assert_eq!(
            module_of("shop", "shop.modules.billing.service", None).as_deref(),
            Some("billing")
        );
        assert_eq!(
            module_of("shop", "shop.modules", Some("billing")).as_deref(),
            Some("billing")
        );
        assert_eq!(module_of("shop", "shop.modulesx", None), None);
        assert_eq!(module_of("shop", "shop.db", None), None);
    }

    /// The specs are read from the template trees: what `add` renders is what `check`
    /// expects.
    #[test]
    fn specs_come_from_the_template_trees() {
        let standard = Template::Standard.spec();
        assert_eq!(
            standard.files,
            [
                "__init__.py",
                "model.py",
                "repository.py",
                "router.py",
                "schemas.py",
                "services/__init__.py",
                "services/{n}_service.py",
            ]
        );
        assert_eq!(standard.integration_test, "test_{n}.py");
        assert_eq!(standard.unit_test.as_deref(), Some("test_{n}_service.py"));
        assert!(standard.router && standard.model && !standard.llm);
        let starter = Template::Starter.spec();
        assert_eq!(starter.integration_test, "test_{n}.py");
        assert_eq!(starter.unit_test, None);
        assert!(
            starter
                .files
                .contains(&"services/{n}_service.py".to_string())
        );
        assert!(starter.router && !starter.model);
        let ai = Template::AiPrompt(Vec::new()).spec();
        assert!(ai.llm && !ai.model);
        assert_eq!(ai.unit_test.as_deref(), Some("test_{n}_orchestrator.py"));
        let service_only = Template::ServiceOnly.spec();
        assert!(!service_only.router && service_only.model);
    }

    #[test]
    fn class_names_are_pascal_case() {
        assert_eq!(class_name("order_items"), "OrderItems");
        assert_eq!(class_name("v2_api"), "V2Api");
        assert_eq!(class_name("a"), "A");
        assert!(check_name("shop", "session").is_err());
        assert!(check_name("shop", &"a".repeat(31)).is_err());
        assert!(check_name("shop", "orders").is_ok());
    }

    #[test]
    fn parses_every_manifest_value() {
        assert_eq!(Template::parse("standard", "a"), Ok(Template::Standard));
        assert_eq!(Template::parse("starter", "status"), Ok(Template::Starter));
        assert!(Template::parse("starter", "orders").is_err());
        assert_eq!(
            Template::parse("crud[pagination,timestamps]", "a"),
            Ok(Template::Crud(vec![
                "pagination".into(),
                "timestamps".into()
            ]))
        );
        assert_eq!(
            Template::parse("crud[auth-required, soft-delete]", "a").map(|t| t.value()),
            Ok("crud[auth-required,soft-delete]".to_string())
        );
        assert_eq!(
            Template::parse("ai-prompt[auth-required]", "a"),
            Ok(Template::AiPrompt(vec!["auth-required".into()]))
        );
        assert_eq!(
            Template::AiPrompt(vec!["auth-required".into()]).value(),
            "ai-prompt[auth-required]"
        );
        for bad in [
            "ai-prompt[]",
            "ai-prompt[pagination]",
            "ai-prompt[auth-required,auth-required]",
            "standard[auth-required]",
            "crud[]",
            "crud[x]",
            "crud[pagination,pagination]",
            "CRUD",
            "api_only",
            "",
            "crud[pagination",
        ] {
            assert!(Template::parse(bad, "a").is_err(), "{bad}");
        }
    }

    #[test]
    fn recognises_templates_from_files() {
        let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let none = BTreeSet::new();
        assert_eq!(
            Template::recognise("a", &set(&["router.py", "model.py"]), &none),
            Template::Standard
        );
        assert_eq!(
            Template::recognise("a", &set(&["router.py"]), &none),
            Template::ApiOnly
        );
        assert_eq!(
            Template::recognise("a", &set(&["model.py"]), &none),
            Template::ServiceOnly
        );
        assert_eq!(
            Template::recognise(
                "a",
                &set(&["router.py", "model.py", "services/a_crud_service.py"]),
                &none
            ),
            Template::Crud(Vec::new())
        );
        assert_eq!(
            Template::recognise("a", &set(&["prompts.py"]), &none),
            Template::AiPrompt(Vec::new())
        );
        assert_eq!(
            Template::recognise("status", &none, &none),
            Template::Starter
        );
        assert_eq!(
            Template::recognise("a", &none, &set(&["test_a_service_only.py"])),
            Template::ServiceOnly
        );
    }
}
