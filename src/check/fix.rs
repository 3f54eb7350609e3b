//! `polepos check --fix`: edits that are provably safe, planned as one change set.
//!
//! What is fixed:
//! - a missing marker, restored at its canonical place: router-imports after the last
//!   top-level import of `api/router.py` (after the blank line that follows it, if any); router-includes after the last top-level
//!   `include_router(...)`; model-imports as the last line of `import_models()`;
//!   module-exports as the last item of `__all__`; settings markers before
//!   `model_config` in `class Settings`; env markers at the end of `.env.example`
//!   (each kept in canonical order relative to the others);
//! - a module missing from `__all__` whose directory exists;
//! - a router include missing for a router that is imported (module, status, auth);
//! - a model import missing for a model file that exists (module, auth).
//!
//! A file is only edited when it was read and parsed; each edited Python file is parsed
//! again and must keep every import, include, export and setting it had, plus exactly
//! the added ones — otherwise none of its edits are made. The manifest is never touched.

use std::collections::BTreeSet;

use super::codes::Code;
use super::facts::{Facts, PyFacts};
use super::modules;
use super::{Fixed, auth};
use crate::changeset::ChangeSet;
use crate::feature::module::Template;
use crate::feature::{RouterMount, Splice};
use crate::markers::{self, Marker};
use crate::python::{self, PyFile};

/// A planned insertion and what it fixes.
struct Edit {
    code: Code,
    message: String,
    /// The inserted line, without indentation, to find it again.
    needle: String,
}

/// Plans every safe fix. Returns the change set and the list of fixes it makes.
pub fn plan(facts: &Facts) -> (ChangeSet, Vec<Fixed>) {
    let mut set = ChangeSet::new(facts.root.clone());
    let mut fixed = Vec::new();
    let files: Vec<(&PyFacts, String, Vec<Edit>)> = vec![
        router(facts),
        models(facts),
        exports(facts),
        settings(facts),
    ]
    .into_iter()
    .flatten()
    .collect();
    for (file, new, edits) in files {
        let Some(old) = file.text() else { continue };
        if edits.is_empty() || !still_equivalent(file, &new, &edits) {
            continue;
        }
        record(&mut fixed, &file.path, &new, &edits);
        set.modify(file.path.clone(), old, new);
    }
    if let Some((old, new, edits)) = env(facts) {
        record(&mut fixed, ".env.example", &new, &edits);
        set.modify(".env.example", old, new);
    }
    (set, fixed)
}

fn record(fixed: &mut Vec<Fixed>, path: &str, text: &str, edits: &[Edit]) {
    for edit in edits {
        let line = text
            .lines()
            .position(|l| l.trim() == edit.needle)
            .map_or(1, |i| i + 1);
        fixed.push(Fixed {
            code: edit.code,
            message: edit.message.clone(),
            path: path.to_string(),
            line,
        });
    }
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Inserts `line` as line number `index + 1` (0-based `index` lines stay above it).
fn insert_line(text: &str, index: usize, line: &str) -> String {
    let nl = newline(text);
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    if let Some(last) = lines.last_mut()
        && !last.ends_with('\n')
    {
        last.push_str(nl);
    }
    let at = index.min(lines.len());
    lines.insert(at, format!("{line}{nl}"));
    lines.concat()
}

fn restore(edits: &mut Vec<Edit>, marker: &Marker) {
    edits.push(Edit {
        code: Code::MarkerMissing,
        message: format!("restored marker `{}`", marker.comment),
        needle: marker.comment.to_string(),
    });
}

fn indent(marker: &Marker) -> String {
    " ".repeat(marker.indent)
}

/// A managed file, its planned new text and the edits that make it.
type Planned<'a> = Option<(&'a PyFacts, String, Vec<Edit>)>;

fn router(facts: &Facts) -> Planned<'_> {
    let file = facts.router.file()?;
    let mut text = facts.router.text()?.to_string();
    let mut edits = Vec::new();
    let mut import_marker_at = None;
    if markers::find(&text, &markers::ROUTER_IMPORTS).is_none() {
        let mut after = file.last_top_import_end.or(file.docstring_end).unwrap_or(0);
        // Generated files keep one blank line between the import block and the marker.
        if file.last_top_import_end.is_some()
            && text.lines().nth(after).is_some_and(|l| l.trim().is_empty())
        {
            after += 1;
        }
        text = insert_line(&text, after, markers::ROUTER_IMPORTS.comment);
        import_marker_at = Some(after);
        restore(&mut edits, &markers::ROUTER_IMPORTS);
    }
    if markers::find(&text, &markers::ROUTER_INCLUDES).is_none() {
        // Line numbers below come from the original parse: account for the import marker.
        let shift = |line: usize| line + usize::from(import_marker_at.is_some_and(|at| line > at));
        let after = file
            .includes
            .iter()
            .map(|i| i.end_line)
            .max()
            .or_else(|| {
                file.assigned
                    .iter()
                    .find(|(n, _, _)| n == "api_router")
                    .map(|(_, _, end)| *end)
            })
            .map(shift)
            .unwrap_or_else(|| text.lines().count());
        text = insert_line(&text, after, markers::ROUTER_INCLUDES.comment);
        restore(&mut edits, &markers::ROUTER_INCLUDES);
    }
    let receiver = file
        .includes
        .first()
        .map(|i| i.receiver.clone())
        .or_else(|| {
            file.assigned
                .iter()
                .any(|(n, _, _)| n == "api_router")
                .then(|| "api_router".to_string())
        });
    let Some(receiver) = receiver else {
        return Some((&facts.router, text, edits));
    };
    let pkg = &facts.pkg;
    let mut wanted: Vec<(Code, String, String)> = Vec::new();
    let mut consider = |mount: RouterMount, code: Code, what: String| {
        let found = mount.find(file);
        if let Some(alias) = &found.binding
            && found.include.is_none()
        {
            wanted.push((code, what, mount.include_line(&receiver, Some(alias))));
        }
    };
    consider(
        RouterMount::status(pkg),
        Code::StatusWiring,
        "the starter status router".into(),
    );
    for module in modules::resolve(facts) {
        let spec = module.template.spec();
        if module.dir.is_some()
            && spec.router
            && module.template != Template::Starter
            && module.name != "status"
        {
            let n = &module.name;
            consider(
                RouterMount::module(pkg, n),
                Code::ModuleRouterIncludeMissing,
                format!("the router of module `{n}`"),
            );
        }
    }
    if auth::present(facts) && facts.db.has_db() {
        consider(
            crate::feature::auth::mount(pkg),
            Code::AuthRouterIncludeMissing,
            "the auth router".into(),
        );
    }
    for (code, what, line) in wanted {
        if let Some(new) = markers::insert_above(&text, &markers::ROUTER_INCLUDES, &line, false) {
            text = new;
            edits.push(Edit {
                code,
                message: format!("included {what}"),
                needle: line,
            });
        }
    }
    Some((&facts.router, text, edits))
}

fn models(facts: &Facts) -> Planned<'_> {
    if !facts.db.has_db() {
        return None;
    }
    let file = facts.models.file()?;
    let mut text = facts.models.text()?.to_string();
    let mut edits = Vec::new();
    if markers::find(&text, &markers::MODEL_IMPORTS).is_none() {
        let function = file.function("import_models")?;
        let line = format!(
            "{}{}",
            indent(&markers::MODEL_IMPORTS),
            markers::MODEL_IMPORTS.comment
        );
        text = insert_line(&text, function.end_line, &line);
        restore(&mut edits, &markers::MODEL_IMPORTS);
    }
    let pkg = &facts.pkg;
    let mut wanted = Vec::new();
    for module in modules::resolve(facts) {
        let n = &module.name;
        let has_model = module.dir.is_some_and(|d| d.files.contains("model.py"));
        if module.template.spec().model
            && has_model
            && !modules::imports_submodule(file, &format!("{pkg}.modules.{n}"), "model")
        {
            wanted.push((
                Code::ModuleModelImportMissing,
                format!("imported the model of module `{n}` in import_models()"),
                Splice::module_model_import(pkg, n)
                    .model_line()
                    .unwrap_or_default(),
            ));
        }
    }
    let auth_model = facts.root.join(facts.pkg_path("auth/model.py")).is_file();
    if auth::present(facts)
        && auth_model
        && !modules::imports_submodule(file, &format!("{pkg}.auth"), "model")
    {
        wanted.push((
            Code::AuthModelImportMissing,
            "imported the auth model in import_models()".to_string(),
            crate::feature::auth::model_import(pkg)
                .model_line()
                .unwrap_or_default(),
        ));
    }
    for (code, message, line) in wanted {
        if let Some(new) = markers::insert_above(&text, &markers::MODEL_IMPORTS, &line, true) {
            text = new;
            edits.push(Edit {
                code,
                message,
                needle: line,
            });
        }
    }
    Some((&facts.models, text, edits))
}

fn exports(facts: &Facts) -> Planned<'_> {
    let file = facts.modules_init.file()?;
    let all = file.all.as_ref()?;
    let mut text = facts.modules_init.text()?.to_string();
    let mut edits = Vec::new();
    if markers::find(&text, &markers::MODULE_EXPORTS).is_none() {
        let closing = text.lines().nth(all.end_line.saturating_sub(1))?;
        let last_item_ok =
            all.end_line > all.start_line + 1 && closing.trim_start().starts_with(']');
        if !last_item_ok {
            return None; // a one-line `__all__` would have to be reflowed: not a safe edit
        }
        let line = format!(
            "{}{}",
            indent(&markers::MODULE_EXPORTS),
            markers::MODULE_EXPORTS.comment
        );
        text = insert_line(&text, all.end_line - 1, &line);
        restore(&mut edits, &markers::MODULE_EXPORTS);
    }
    for module in modules::resolve(facts) {
        let n = &module.name;
        if module.dir.is_some() && super::source::is_identifier(n) && !file.exports(n) {
            let line = format!("\"{n}\",");
            if let Some(new) = markers::insert_above(&text, &markers::MODULE_EXPORTS, &line, false)
            {
                text = new;
                edits.push(Edit {
                    code: Code::ModuleExportMissing,
                    message: format!("exported module `{n}` in `__all__`"),
                    needle: line,
                });
            }
        }
    }
    Some((&facts.modules_init, text, edits))
}

const SETTINGS_MARKERS: [Marker; 3] = [
    markers::AUTH_SETTINGS,
    markers::INTEGRATION_SETTINGS,
    markers::LLM_SETTINGS,
];
const ENV_MARKERS: [Marker; 3] = [
    markers::AUTH_ENV,
    markers::INTEGRATION_ENV,
    markers::LLM_ENV,
];

fn settings(facts: &Facts) -> Planned<'_> {
    let file = facts.settings.file()?;
    let class = file.class("Settings")?;
    let mut text = facts.settings.text()?.to_string();
    let mut edits = Vec::new();
    // Inserting above model_config (or after the class body) moves it down one line each time.
    let mut anchor = class
        .fields
        .iter()
        .find(|(n, _)| n == "model_config")
        .map_or(class.end_line, |(_, line)| line - 1);
    for (position, marker) in SETTINGS_MARKERS.iter().enumerate() {
        if markers::find(&text, marker).is_some() {
            continue;
        }
        let before_later = SETTINGS_MARKERS[position + 1..]
            .iter()
            .find_map(|m| markers::find(&text, m));
        let at = before_later.unwrap_or(anchor);
        text = insert_line(&text, at, &format!("{}{}", indent(marker), marker.comment));
        anchor += 1;
        restore(&mut edits, marker);
    }
    Some((&facts.settings, text, edits))
}

fn env(facts: &Facts) -> Option<(String, String, Vec<Edit>)> {
    let old = facts.env.text()?;
    let mut text = old.to_string();
    let mut edits = Vec::new();
    for (position, marker) in ENV_MARKERS.iter().enumerate() {
        if markers::find(&text, marker).is_some() {
            continue;
        }
        let at = ENV_MARKERS[position + 1..]
            .iter()
            .find_map(|m| markers::find(&text, m))
            .unwrap_or_else(|| text.split_inclusive('\n').count());
        text = insert_line(&text, at, marker.comment);
        restore(&mut edits, marker);
    }
    (!edits.is_empty()).then(|| (old.to_string(), text, edits))
}

/// Parses the edited file again: it must still parse and keep everything it had, with
/// exactly the planned additions.
fn still_equivalent(file: &PyFacts, new: &str, edits: &[Edit]) -> bool {
    let Some(old) = file.file() else { return false };
    let Ok(new_file) = python::parse(new, &file.package) else {
        return false;
    };
    let added_imports = edits
        .iter()
        .filter(|e| e.needle.starts_with("from "))
        .count();
    let added_includes = edits
        .iter()
        .filter(|e| e.needle.contains(".include_router("))
        .count();
    let added_exports = edits.iter().filter(|e| e.needle.starts_with('"')).count();
    let items = |f: &PyFile| {
        f.all.as_ref().map(|a| {
            a.items
                .iter()
                .map(|(i, _)| i.clone())
                .collect::<BTreeSet<_>>()
        })
    };
    let exports_ok = match (items(old), items(&new_file)) {
        (Some(before), Some(after)) => {
            after.is_superset(&before) && after.len() == before.len() + added_exports
        }
        (None, None) => added_exports == 0,
        _ => false,
    };
    let fields = |f: &PyFile| {
        f.classes
            .iter()
            .map(|c| c.fields.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    new_file.imports.len() == old.imports.len() + added_imports
        && new_file.includes.len() == old.includes.len() + added_includes
        && exports_ok
        && fields(old) == fields(&new_file)
        && new_file.functions.len() == old.functions.len()
}
