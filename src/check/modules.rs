//! Modules: names (PPCHK030), directories (017, 018), template files (031), wiring
//! (032–035), tests (036, 037) and orphan references (039). The checks that compare
//! modules with each other live in [`super::cross`].
//!
//! The module set is the union of the manifest's `[modules]` and the directories under
//! `modules/` that hold Python files; `status` is always expected. Wiring is recognised
//! by meaning: what is imported and under which name, what is included with which
//! prefix — not by the exact text of the lines.

use std::collections::{BTreeMap, BTreeSet};

use super::codes::Code;
use super::facts::Facts;
use super::identity::ManifestState;
use super::scan::ModuleDir;
use super::source::is_identifier;
use super::wiring;
use super::{Edit, Fix, Issue};
use crate::feature::module::module_of;
use crate::feature::module::{self, Template, expand};
use crate::feature::{RouterMount, Wiring};
use crate::manifest;
use crate::markers;
use crate::python::PyFile;

/// A module as the checks see it.
#[derive(Debug, Clone)]
pub(crate) struct Resolved<'a> {
    pub name: String,
    /// The manifest's template, or the one recognised from the files.
    pub template: Template,
    /// Listed under `[modules]`.
    pub listed: bool,
    pub manifest_line: Option<usize>,
    pub dir: Option<&'a ModuleDir>,
}

/// Every module of the project, sorted by name.
pub(crate) fn resolve(facts: &Facts) -> Vec<Resolved<'_>> {
    let mut names: BTreeSet<String> = facts.modules.keys().cloned().collect();
    names.extend(facts.manifest.modules.iter().map(|m| m.name.clone()));
    names.insert("status".to_string());
    let empty = BTreeSet::new();
    let mut tests = facts.integration_tests.clone();
    tests.extend(facts.unit_tests.iter().cloned());
    let entries: BTreeMap<&str, &super::identity::ManifestModule> = facts
        .manifest
        .modules
        .iter()
        .map(|m| (m.name.as_str(), m))
        .collect();
    names
        .into_iter()
        .map(|name| {
            let dir = facts.modules.get(&name);
            let entry = entries.get(name.as_str()).copied();
            let files = dir.map_or(&empty, |d| &d.files);
            let template = entry
                .and_then(|e| e.template.clone())
                .unwrap_or_else(|| Template::recognise(&name, files, &tests));
            Resolved {
                template,
                listed: entry.is_some(),
                manifest_line: entry.and_then(|e| e.line),
                dir,
                name,
            }
        })
        .collect()
}

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let modules = resolve(facts);
    let marker_line = |text: Option<&str>, marker: &markers::Marker| {
        text.and_then(|t| markers::find(t, marker)).map(|i| i + 1)
    };
    let exports_at = marker_line(facts.modules_init.text(), &markers::MODULE_EXPORTS);
    let models_at = marker_line(facts.models.text(), &markers::MODEL_IMPORTS);

    for module in &modules {
        check_module(facts, module, exports_at, models_at, issues);
    }
    orphans(facts, &modules, issues);
    super::cross::check(facts, issues);
}

/// Checks one module: its name, directory, manifest entry, files, tests and wiring.
fn check_module(
    facts: &Facts,
    module: &Resolved<'_>,
    exports_at: Option<usize>,
    models_at: Option<usize>,
    issues: &mut Vec<Issue>,
) {
    let name = &module.name;
    let dir_path = facts.pkg_path(&format!("modules/{name}"));
    if !is_identifier(name) {
        issues.push(name_not_identifier(module, &dir_path));
        return;
    }
    let Some(dir) = module.dir else {
        if module.listed && name != "status" {
            issues.push(directory_missing(module, &dir_path));
        }
        return;
    };
    let hand_written =
        !module.listed && facts.manifest.state == ManifestState::Read && name != "status";
    if hand_written && !wired(facts, name) {
        // What `remove module --wiring-only` (or a removal that kept hand-written
        // files) leaves: a supported state, not a broken module.
        issues.push(not_wired(name, &dir_path));
        return;
    }
    if hand_written {
        hand_written_issues(module, dir, &dir_path, issues);
    } else if module.template != Template::Starter {
        template_issues(facts, module, dir, &dir_path, issues);
    }
    issues.extend(export_missing(facts, name, exports_at));
    let spec = module.template.spec();
    let has_router = if hand_written {
        dir.files.contains("router.py")
    } else {
        spec.router
    };
    let has_model = if hand_written {
        dir.files.contains("model.py")
    } else {
        spec.model
    };
    if has_router
        && module.template != Template::Starter
        && let Some(router) = facts.router.file()
    {
        router_wiring(facts, name, dir, router, issues);
    }
    if has_model && facts.db.has_db() {
        issues.extend(model_import_missing(facts, name, dir, models_at));
    }
}

/// Checks the import and include of module `name`'s router in `api/router.py`.
fn router_wiring(
    facts: &Facts,
    name: &str,
    dir: &ModuleDir,
    router: &PyFile,
    issues: &mut Vec<Issue>,
) {
    let mount = RouterMount::module(&facts.pkg, name);
    let expected = wiring::Expected {
        mount: &mount,
        what: format!("the router of module `{name}`"),
        import_code: Code::ModuleRouterImportMissing,
        include_code: Code::ModuleRouterIncludeMissing,
        own_prefix: dir.router_prefix.clone(),
    };
    wiring::check(facts, router, &expected, issues);
}

/// The PPCHK030 issue for a module whose name is not a Python identifier.
fn name_not_identifier(module: &Resolved<'_>, dir_path: &str) -> Issue {
    let name = &module.name;
    let issue = Issue::new(
        Code::ModuleNameNotIdentifier,
        format!("module name `{name}` is not a valid Python identifier"),
    );
    match module.dir {
        Some(_) => issue.at(dir_path, None),
        None => issue.at(manifest::FILE_NAME, module.manifest_line),
    }
}

/// The issue for a module the manifest lists whose directory does not exist.
fn directory_missing(module: &Resolved<'_>, dir_path: &str) -> Issue {
    let name = &module.name;
    Issue::new(Code::ManifestModuleMissing, format!("module `{name}` is listed in {} but {dir_path}/ does not exist", manifest::FILE_NAME))
        .at(manifest::FILE_NAME, module.manifest_line)
        .fix(format!("restore {dir_path}/, or delete `{name} = ...` from [modules] (and any wiring left behind) if the module was removed"))
}

/// The issue for a hand-written module directory that nothing lists or wires.
fn not_wired(name: &str, dir_path: &str) -> Issue {
    Issue::new(
        Code::ModuleNotWired,
        format!("{dir_path}/ is kept without wiring: module `{name}` is not listed in {}, exported, imported or included", manifest::FILE_NAME),
    )
    .at(dir_path, None)
    .fix(format!("delete {dir_path}/ (and its tests) to finish the removal, or see `polepos explain PPCHK027` to wire it again"))
}

/// The issues of a wired module the manifest does not list: the missing entry and,
/// when absent, its `__init__.py`.
fn hand_written_issues(
    module: &Resolved<'_>,
    dir: &ModuleDir,
    dir_path: &str,
    issues: &mut Vec<Issue>,
) {
    let name = &module.name;
    issues.push(
        Issue::new(
            Code::ModuleNotInManifest,
            format!("module `{name}` is not listed in {}", manifest::FILE_NAME),
        )
        .at(dir_path, None)
        .fix(format!(
            "add `{name} = \"{}\"` under [modules] in {}",
            module.template,
            manifest::FILE_NAME
        )),
    );
    // A hand-written module the manifest does not list follows no template: it is
    // held only to what every module needs (a package, consistent wiring).
    if !dir.files.contains("__init__.py") {
        issues.push(
            Issue::new(
                Code::ModuleFileMissing,
                format!("module `{name}` is missing __init__.py (every module is a package)"),
            )
            .at(format!("{dir_path}/__init__.py"), None),
        );
    }
}

/// The files and tests a listed module's template expects that are not there.
fn template_issues(
    facts: &Facts,
    module: &Resolved<'_>,
    dir: &ModuleDir,
    dir_path: &str,
    issues: &mut Vec<Issue>,
) {
    let name = &module.name;
    let spec = module.template.spec();
    for file in &spec.files {
        let file = expand(file, name);
        if !dir.files.contains(&file) {
            issues.push(
                Issue::new(
                    Code::ModuleFileMissing,
                    format!("module `{name}` ({}) is missing {file}", module.template),
                )
                .at(format!("{dir_path}/{file}"), None),
            );
        }
    }
    let integration = expand(&spec.integration_test, name);
    if !facts.integration_tests.contains(&integration) {
        issues.push(
            Issue::new(
                Code::ModuleIntegrationTestMissing,
                format!("module `{name}` has no integration test tests/integration/{integration}"),
            )
            .at(format!("tests/integration/{integration}"), None),
        );
    }
    if let Some(unit) = spec.unit_test.as_deref().map(|u| expand(u, name))
        && !facts.unit_tests.contains(&unit)
    {
        issues.push(
            Issue::new(
                Code::ModuleUnitTestMissing,
                format!("module `{name}` has no unit test tests/unit/{unit}"),
            )
            .at(format!("tests/unit/{unit}"), None),
        );
    }
}

/// The issue for a module missing from `__all__` in `modules/__init__.py`, if it is.
fn export_missing(facts: &Facts, name: &str, exports_at: Option<usize>) -> Option<Issue> {
    let init = facts.modules_init.file()?;
    let all = init.all.as_ref()?;
    if Wiring::Export(name.to_string()).found_in(init) {
        return None;
    }
    Some(
        Issue::new(
            Code::ModuleExportMissing,
            format!("module `{name}` is not exported in `__all__`"),
        )
        .at(&facts.modules_init.path, exports_at.or(Some(all.end_line)))
        .fix(format!(
            "add `\"{name}\",` above `# polepos:module-exports` (or run `polepos check --fix`)"
        ))
        .autofix(Fix {
            path: facts.modules_init.path.clone(),
            edit: Edit::InsertAbove {
                marker: markers::MODULE_EXPORTS,
                line: format!("\"{name}\","),
                sorted_import: false,
            },
            message: format!("exported module `{name}` in `__all__`"),
        }),
    )
}

/// The issue for a module's model not imported in `db/models.py`, if it is not.
fn model_import_missing(
    facts: &Facts,
    name: &str,
    dir: &ModuleDir,
    models_at: Option<usize>,
) -> Option<Issue> {
    let pkg = &facts.pkg;
    let models = facts.models.file()?;
    if Wiring::module_model_import(pkg, name).found_in(models) {
        return None;
    }
    let line = Wiring::module_model_import(pkg, name)
        .model_line()
        .unwrap_or_default();
    let mut issue = Issue::new(
        Code::ModuleModelImportMissing,
        format!("the model of module `{name}` is not imported in `import_models()`"),
    )
    .at(&facts.models.path, models_at)
    .fix(format!(
        "add `{line}` in sorted position among the imports above `# polepos:model-imports` (or run `polepos check --fix`)"
    ));
    // Importing a model file that is not there would break the app, and a second
    // import beside an existing (broken or unusual) one would hide it.
    let module_package = module::package(pkg, name);
    let already_imported = models.imports.iter().any(|i| {
        i.module == module_package
            || i.module.starts_with(&format!("{module_package}."))
            || i.bound == format!("{name}_model")
    });
    if dir.files.contains("model.py") && !already_imported {
        issue = issue.autofix(Fix {
            path: facts.models.path.clone(),
            edit: Edit::InsertAbove {
                marker: markers::MODEL_IMPORTS,
                line,
                sorted_import: true,
            },
            message: format!("imported the model of module `{name}` in import_models()"),
        });
    }
    Some(issue)
}

/// Whether anything wires module `name`: its export in `__all__`, or an import of it in
/// `api/router.py` or `db/models.py`.
fn wired(facts: &Facts, name: &str) -> bool {
    let package = module::package(&facts.pkg, name);
    let imports_it = |file: Option<&PyFile>| {
        file.is_some_and(|file| {
            file.imports.iter().any(|i| {
                i.module == package
                    || i.module.starts_with(&format!("{package}."))
                    || (i.module == format!("{}.modules", facts.pkg)
                        && i.name.as_deref() == Some(name))
            })
        })
    };
    facts
        .modules_init
        .file()
        .is_some_and(|init| init.exports(name))
        || imports_it(facts.router.file())
        || imports_it(facts.models.file())
}

/// The name `file` binds to `<package>.router`'s `router` at top level.
pub(crate) fn router_binding(file: &PyFile, package: &str) -> Option<String> {
    file.router_binding(package).map(str::to_string)
}

/// Whether a wiring reference to `module` (optionally its `submodule`) points at nothing.
fn dangling(module: &Resolved<'_>, submodule: Option<&str>) -> bool {
    let Some(dir) = module.dir else { return true };
    let Some(sub) = submodule else { return false };
    let present = dir.files.contains(&format!("{sub}.py"))
        || dir.files.iter().any(|f| f.starts_with(&format!("{sub}/")));
    let reported_as_031 = module.template.spec().files.contains(&format!("{sub}.py"));
    !present && !reported_as_031
}

/// Reports wiring (imports, includes, `__all__` entries) that points at modules or
/// module files that do not exist (PPCHK039).
fn orphans(facts: &Facts, modules: &[Resolved<'_>], issues: &mut Vec<Issue>) {
    let by_name: BTreeMap<&str, &Resolved<'_>> =
        modules.iter().map(|m| (m.name.as_str(), m)).collect();
    if let Some(router) = facts.router.file() {
        let orphan_names = orphan_imports(facts, &by_name, router, &facts.router.path, issues);
        orphan_includes(&by_name, router, &facts.router.path, &orphan_names, issues);
    }
    if let Some(models) = facts.models.file() {
        orphan_imports(facts, &by_name, models, &facts.models.path, issues);
    }
    orphan_exports(facts, &by_name, issues);
}

/// Which submodule of `<pkg>.modules.<m>` an import refers to, if any.
fn submodule(modules_pkg: &str, module: &str, name: Option<&str>) -> Option<String> {
    let rest = module.strip_prefix(modules_pkg)?.strip_prefix('.')?;
    match rest.split_once('.') {
        Some((_, sub)) => Some(sub.split('.').next().unwrap_or(sub).to_string()),
        None => name
            .filter(|n| matches!(*n, "router" | "model"))
            .map(str::to_string),
    }
}

/// For wiring left behind by a module whose directory is gone, the command that takes it
/// out; otherwise what to do by hand.
fn orphan_fix(by_name: &BTreeMap<&str, &Resolved<'_>>, target: &str, by_hand: &str) -> String {
    if by_name.get(target).is_none_or(|m| m.dir.is_none()) {
        format!(
            "run `polepos remove module {target} --force` to remove the module's leftover wiring, or restore the module"
        )
    } else {
        by_hand.to_string()
    }
}

/// Reports the imports in `file` of modules (or module files) that do not exist, and
/// returns the names they bind, mapped to the module each names.
fn orphan_imports(
    facts: &Facts,
    by_name: &BTreeMap<&str, &Resolved<'_>>,
    file: &PyFile,
    path: &str,
    issues: &mut Vec<Issue>,
) -> BTreeMap<String, String> {
    let pkg = &facts.pkg;
    let modules_pkg = format!("{pkg}.modules");
    let mut orphan_names = BTreeMap::new();
    for import in &file.imports {
        let Some(target) = module_of(pkg, &import.module, import.name.as_deref()) else {
            continue;
        };
        if target == "status" && by_name.get("status").is_none_or(|m| m.dir.is_none()) {
            continue; // reported as missing required files (PPCHK010)
        }
        let sub = submodule(&modules_pkg, &import.module, import.name.as_deref());
        let gone = by_name
            .get(target.as_str())
            .is_none_or(|m| dangling(m, sub.as_deref()));
        if gone {
            let what = match &sub {
                Some(s) => format!("`{target}.{s}`"),
                None => format!("module `{target}`"),
            };
            issues.push(
                Issue::new(
                    Code::OrphanReference,
                    format!("{path} imports {what}, which does not exist"),
                )
                .at(path, Some(import.line))
                .fix(orphan_fix(
                    by_name,
                    &target,
                    "delete the import (and anything that uses it), or restore the module",
                )),
            );
            orphan_names.insert(import.bound.clone(), target);
        }
    }
    orphan_names
}

/// Reports the includes in `file` of routers bound by orphan imports (`orphan_names`).
fn orphan_includes(
    by_name: &BTreeMap<&str, &Resolved<'_>>,
    file: &PyFile,
    path: &str,
    orphan_names: &BTreeMap<String, String>,
    issues: &mut Vec<Issue>,
) {
    for include in &file.includes {
        if let Some(target) = include.router.as_ref().and_then(|r| orphan_names.get(r)) {
            issues.push(
                Issue::new(
                    Code::OrphanReference,
                    format!(
                        "{path} includes `{}`, the router of a module that does not exist",
                        include.router.as_deref().unwrap_or_default()
                    ),
                )
                .at(path, Some(include.line))
                .fix(orphan_fix(
                    by_name,
                    target,
                    "delete the include, or restore the module",
                )),
            );
        }
    }
}

/// Reports the `__all__` entries of `modules/__init__.py` with no module directory.
fn orphan_exports(facts: &Facts, by_name: &BTreeMap<&str, &Resolved<'_>>, issues: &mut Vec<Issue>) {
    let Some(all) = facts.modules_init.file().and_then(|f| f.all.as_ref()) else {
        return;
    };
    for (item, line) in &all.items {
        if item != "status" && by_name.get(item.as_str()).is_none_or(|m| m.dir.is_none()) {
            issues.push(
                Issue::new(Code::OrphanReference, format!("`__all__` exports `{item}`, but there is no module directory modules/{item}/"))
                    .at(&facts.modules_init.path, Some(*line))
                    .fix(format!("run `polepos remove module {item} --force` to remove the module's leftover wiring, or delete `\"{item}\",` from `__all__`")),
            );
        }
    }
}
