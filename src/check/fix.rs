//! `polepos check --fix`: applies the fixes that the issues found carry, as one change set.
//!
//! A rule that finds a problem with a provably safe remedy attaches it to its issue
//! ([`super::Fix`]); this file only places and applies those edits. The fixes are:
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

use std::collections::{BTreeMap, BTreeSet};

use super::codes::Code;
use super::facts::{Facts, PyFacts};
use super::{Edit, Fix, Fixed, Issue};
use crate::changeset::ChangeSet;
use crate::markers::{self, Marker, Placement};
use crate::python::{self, PyFile};

/// A planned insertion and what it fixes.
struct Applied {
    code: Code,
    message: String,
    /// The inserted line, without indentation, to find it again.
    needle: String,
}

/// The fixes for one file, with the code of the issue each resolves.
type Wanted<'a> = [(Code, &'a Fix)];

/// Plans the fixes that `issues` carry. Returns the change set and the list of fixes it
/// makes.
pub(crate) fn plan(facts: &Facts, issues: &[Issue]) -> (ChangeSet, Vec<Fixed>) {
    let mut by_path: BTreeMap<&str, Vec<(Code, &Fix)>> = BTreeMap::new();
    for issue in issues {
        if let Some(fix) = &issue.autofix {
            by_path
                .entry(fix.path.as_str())
                .or_default()
                .push((issue.code, fix));
        }
    }
    let mut set = ChangeSet::new(facts.root.clone());
    let mut fixed = Vec::new();
    for (path, wanted) in by_path {
        if path == ".env.example" {
            if let Some((old, new, edits)) = env(facts, &wanted) {
                record(&mut fixed, path, &new, &edits);
                set.modify(path, old, new);
            }
            continue;
        }
        let Some(file) = [
            &facts.router,
            &facts.models,
            &facts.modules_init,
            &facts.settings,
        ]
        .into_iter()
        .find(|f| f.path == path) else {
            continue;
        };
        let Some((new, edits)) = edit_python(file, &wanted) else {
            continue;
        };
        let Some(old) = file.text() else { continue };
        if edits.is_empty() || !still_equivalent(file, &new, &edits) {
            continue;
        }
        record(&mut fixed, &file.path, &new, &edits);
        set.modify(file.path.clone(), old, new);
    }
    (set, fixed)
}

fn record(fixed: &mut Vec<Fixed>, path: &str, text: &str, edits: &[Applied]) {
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

fn indent(marker: &Marker) -> String {
    " ".repeat(marker.indent)
}

/// Whether `marker` is to be restored.
fn restores(wanted: &Wanted<'_>, marker: &Marker) -> bool {
    wanted
        .iter()
        .any(|(_, fix)| fix.edit == Edit::RestoreMarker(*marker))
}

fn restored(edits: &mut Vec<Applied>, marker: &Marker) {
    edits.push(Applied {
        code: Code::MarkerMissing,
        message: format!("restored marker `{}`", marker.comment),
        needle: marker.comment.to_string(),
    });
}

/// Restores the file's markers, then makes its insertions above them.
fn edit_python(file: &PyFacts, wanted: &Wanted<'_>) -> Option<(String, Vec<Applied>)> {
    let parsed = file.file()?;
    let mut text = file.text()?.to_string();
    let mut edits = Vec::new();
    // Each marker to restore goes where its placement says; the two router markers
    // are placed together (the includes' position shifts by the imports' marker), and
    // the settings markers keep their canonical order among themselves.
    let restoring: Vec<&Marker> = markers::ALL
        .iter()
        .filter(|m| restores(wanted, m))
        .collect();
    if restoring.iter().any(|m| {
        matches!(
            m.placement,
            Placement::AfterImports | Placement::AfterIncludes
        )
    }) {
        restore_router_markers(parsed, &mut text, wanted, &mut edits);
    }
    if restoring
        .iter()
        .any(|m| matches!(m.placement, Placement::BeforeModelConfig(_)))
    {
        restore_settings_markers(parsed, &mut text, wanted, &mut edits)?;
    }
    for marker in &restoring {
        match marker.placement {
            Placement::EndOfFunction(name) => {
                let function = parsed.function(name)?;
                let line = format!("{}{}", indent(marker), marker.comment);
                text = insert_line(&text, function.end_line, &line);
                restored(&mut edits, marker);
            }
            Placement::EndOfAll => {
                let all = parsed.all.as_ref()?;
                let closing = text.lines().nth(all.end_line.saturating_sub(1))?;
                let last_item_ok =
                    all.end_line > all.start_line + 1 && closing.trim_start().starts_with(']');
                if !last_item_ok {
                    return None; // a one-line `__all__` would have to be reflowed: not a safe edit
                }
                let line = format!("{}{}", indent(marker), marker.comment);
                text = insert_line(&text, all.end_line - 1, &line);
                restored(&mut edits, marker);
            }
            _ => {}
        }
    }
    for (code, fix) in wanted {
        let Edit::InsertAbove {
            marker,
            line,
            sorted_import,
        } = &fix.edit
        else {
            continue;
        };
        if let Some(new) = markers::insert_above(&text, marker, line, *sorted_import) {
            text = new;
            edits.push(Applied {
                code: *code,
                message: fix.message.clone(),
                needle: line.clone(),
            });
        }
    }
    Some((text, edits))
}

/// router-imports after the last top-level import (after the blank line that follows
/// it), router-includes after the last include (or the `api_router` assignment).
fn restore_router_markers(
    file: &PyFile,
    text: &mut String,
    wanted: &Wanted<'_>,
    edits: &mut Vec<Applied>,
) {
    let mut import_marker_at = None;
    if restores(wanted, &markers::ROUTER_IMPORTS) {
        let mut after = file.last_top_import_end.or(file.docstring_end).unwrap_or(0);
        // Generated files keep one blank line between the import block and the marker.
        if file.last_top_import_end.is_some()
            && text.lines().nth(after).is_some_and(|l| l.trim().is_empty())
        {
            after += 1;
        }
        *text = insert_line(text, after, markers::ROUTER_IMPORTS.comment);
        import_marker_at = Some(after);
        restored(edits, &markers::ROUTER_IMPORTS);
    }
    if restores(wanted, &markers::ROUTER_INCLUDES) {
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
        *text = insert_line(text, after, markers::ROUTER_INCLUDES.comment);
        restored(edits, &markers::ROUTER_INCLUDES);
    }
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

/// Settings markers before `model_config` in `class Settings`, in canonical order.
fn restore_settings_markers(
    file: &PyFile,
    text: &mut String,
    wanted: &Wanted<'_>,
    edits: &mut Vec<Applied>,
) -> Option<()> {
    let class = file.class("Settings")?;
    // Inserting above model_config (or after the class body) moves it down one line each time.
    let mut anchor = class
        .fields
        .iter()
        .find(|(n, _)| n == "model_config")
        .map_or(class.end_line, |(_, line)| line - 1);
    for (position, marker) in SETTINGS_MARKERS.iter().enumerate() {
        if !restores(wanted, marker) || markers::find(text, marker).is_some() {
            continue;
        }
        let before_later = SETTINGS_MARKERS[position + 1..]
            .iter()
            .find_map(|m| markers::find(text, m));
        let at = before_later.unwrap_or(anchor);
        *text = insert_line(text, at, &format!("{}{}", indent(marker), marker.comment));
        anchor += 1;
        restored(edits, marker);
    }
    Some(())
}

/// Env markers at the end of `.env.example`, in canonical order.
fn env(facts: &Facts, wanted: &Wanted<'_>) -> Option<(String, String, Vec<Applied>)> {
    let old = facts.env.text()?;
    let mut text = old.to_string();
    let mut edits = Vec::new();
    for (position, marker) in ENV_MARKERS.iter().enumerate() {
        if !restores(wanted, marker) || markers::find(&text, marker).is_some() {
            continue;
        }
        let at = ENV_MARKERS[position + 1..]
            .iter()
            .find_map(|m| markers::find(&text, m))
            .unwrap_or_else(|| text.split_inclusive('\n').count());
        text = insert_line(&text, at, marker.comment);
        restored(&mut edits, marker);
    }
    (!edits.is_empty()).then(|| (old.to_string(), text, edits))
}

/// Parses the edited file again: it must still parse and keep everything it had, with
/// exactly the planned additions.
fn still_equivalent(file: &PyFacts, new: &str, edits: &[Applied]) -> bool {
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
