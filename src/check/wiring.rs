//! Router wiring (PPCHK022, PPCHK033/034, PPCHK049/050): one checker for every mount.
//!
//! What a mount looks like comes from [`RouterMount`], the same definition `add` writes
//! with, so the starter `status` router, auth and every module are held to one rule:
//! the router is imported at top level (under any name), included once on that name,
//! with the mount's prefix (`/x` and `/x/` are the same) and tag.

use super::codes::Code;
use super::facts::Facts;
use super::{Edit, Fix, Issue};
use crate::feature::RouterMount;
use crate::markers;
use crate::python::{Arg, PyFile};

/// One mount to check, with how to name it and which codes it reports.
pub(crate) struct Expected<'a> {
    pub mount: &'a RouterMount,
    /// `the router of module `orders``, `the auth router`, …
    pub what: String,
    pub import_code: Code,
    pub include_code: Code,
    /// The prefix the router sets on itself (`APIRouter(prefix=...)`), if known.
    pub own_prefix: Arg<String>,
}

/// Checks `expected` against the parsed `api/router.py`.
pub(crate) fn check(
    facts: &Facts,
    router: &PyFile,
    expected: &Expected<'_>,
    issues: &mut Vec<Issue>,
) {
    let path = &facts.router.path;
    let mount = expected.mount;
    let what = &expected.what;
    let found = mount.find(router);
    let import_line = mount.import_line();
    let include_line = mount.canonical_include(found.binding.as_deref());
    if found.binding.is_none()
        && found.include.is_none()
        && expected.import_code == expected.include_code
    {
        issues.push(
            Issue::new(
                expected.import_code,
                format!("{what} is neither imported nor included in api/router.py"),
            )
            .at(path, marker_line(facts, &markers::ROUTER_IMPORTS))
            .fix(format!("add `{import_line}` and `{include_line}`")),
        );
        return;
    }
    if found.binding.is_none() {
        issues.push(
            Issue::new(
                expected.import_code,
                format!("{what} is not imported in api/router.py"),
            )
            .at(path, marker_line(facts, &markers::ROUTER_IMPORTS))
            .fix(format!(
                "add `{import_line}` in sorted position in the import block above `# polepos:router-imports`"
            )),
        );
    }
    let Some(include) = found.include else {
        let binding = found.binding.as_deref();
        issues.push(include_missing(
            facts,
            router,
            expected,
            binding,
            &include_line,
        ));
        return;
    };
    let mismatches = mount.mismatches(include, &expected.own_prefix);
    if !mismatches.is_empty() {
        let words: Vec<String> = mismatches.iter().map(|m| mount.describe(m)).collect();
        issues.push(
            Issue::new(
                expected.include_code,
                format!("{what} is included with {}", words.join(" and ")),
            )
            .at(path, Some(include.line))
            .fix(format!("change the include to `{include_line}`")),
        );
    }
}

/// The 1-based line of `marker` in `api/router.py`, if it is there.
fn marker_line(facts: &Facts, marker: &markers::Marker) -> Option<usize> {
    facts
        .router
        .text()
        .and_then(|t| markers::find(t, marker))
        .map(|i| i + 1)
}

/// The issue for a router that is not included, with the include as autofix when the
/// router object is imported (under `binding`).
fn include_missing(
    facts: &Facts,
    router: &PyFile,
    expected: &Expected<'_>,
    binding: Option<&str>,
    include_line: &str,
) -> Issue {
    let path = &facts.router.path;
    let mount = expected.mount;
    let what = &expected.what;
    let or_fix = if binding.is_some() {
        " (or run `polepos check --fix`)"
    } else {
        ""
    };
    let issue = Issue::new(
        expected.include_code,
        format!("{what} is not included in api/router.py"),
    )
    .at(path, marker_line(facts, &markers::ROUTER_INCLUDES))
    .fix(format!(
        "add `{include_line}` above `# polepos:router-includes`{or_fix}"
    ));
    // Safe to include only an APIRouter that is imported (`from <pkg>.router import
    // router`, not the `router` submodule itself), on the file's own receiver.
    let router_module = format!("{}.router", mount.package);
    let imports_the_router_object = binding.is_some_and(|binding| {
        router.imports.iter().any(|i| {
            i.bound == binding && i.module == router_module && i.name.as_deref() == Some("router")
        })
    });
    match (binding, receiver(router), imports_the_router_object) {
        (Some(binding), Some(receiver), true) => issue.autofix(Fix {
            path: path.clone(),
            edit: Edit::InsertAbove {
                marker: markers::ROUTER_INCLUDES,
                line: mount.include_line(&receiver, Some(binding)),
                sorted_import: false,
            },
            message: format!("included {what}"),
        }),
        _ => issue,
    }
}

/// The router that includes go on: the receiver of the first include, else `api_router`
/// when the file assigns it.
fn receiver(router: &PyFile) -> Option<String> {
    router
        .includes
        .first()
        .map(|i| i.receiver.clone())
        .or_else(|| {
            router
                .assigned
                .iter()
                .any(|(n, _, _)| n == "api_router")
                .then(|| "api_router".to_string())
        })
}
