//! One renderer per output format of `polepos check`: text, JSON and GitHub Actions
//! annotations. Each turns a finished [`Report`] into the exact bytes for stdout.
//!
//! JSON (`--json` or `--format json`) is one document, schema version 1:
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "passed": bool,                 // no error-severity issue
//!   "project_root": string | null,  // null when no project was found (PPCHK000)
//!   "package_name": string | null,
//!   "issues": [{"code": "PPCHK021", "severity": "error" | "warning",
//!               "message": string, "remediation": string,
//!               "path": string | null, "line": int | null}],
//!   "fixed": [string],              // the paths --fix edited, as the older tool gave them
//!   "fixes": [{"code": string, "message": string, "path": string, "line": int}]
//! }
//! ```
//!
//! `fixed` keeps the older tool's shape (a list of paths, each once), so scripts that
//! read it keep working; `fixes` details each fix. Paths are relative to the project root with `/` separators; lines are 1-based. New
//! fields may be added within schema version 1; existing ones keep their meaning.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::Report;
use super::codes::Severity;

/// The headline of a passing check.
const PASSED: &str = "polepos check passed.";
/// The headline of a failing check.
const FAILED: &str = "polepos check failed.";

fn headline(report: &Report) -> &'static str {
    if report.passed() { PASSED } else { FAILED }
}

fn location(path: Option<&str>, line: Option<usize>) -> String {
    match (path, line) {
        (Some(path), Some(line)) => format!(" ({path}:{line})"),
        (Some(path), None) => format!(" ({path})"),
        _ => String::new(),
    }
}

/// `2 errors, 1 warning`.
fn counts(report: &Report) -> String {
    let errors = report
        .issues
        .iter()
        .filter(|i| i.severity() == Severity::Error)
        .count();
    let warnings = report.issues.len() - errors;
    format!(
        "{}, {}",
        counted(errors, "error"),
        counted(warnings, "warning")
    )
}

/// Human-readable text: headline, root, package, what `--fix` changed, every issue with
/// its fix, and the counts.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(report));
    let root = report
        .project_root
        .as_ref()
        .map_or_else(|| "(not found)".to_string(), |r| r.display().to_string());
    let _ = writeln!(out, "Project root: {root}");
    let _ = writeln!(
        out,
        "Package: {}",
        report.package.as_deref().unwrap_or("(unknown)")
    );
    if !report.fixed.is_empty() {
        let _ = writeln!(out, "Fixed:");
        for fixed in &report.fixed {
            let _ = writeln!(
                out,
                "  - [{}] {}{}",
                fixed.code,
                fixed.message,
                location(Some(&fixed.path), Some(fixed.line))
            );
        }
    }
    for issue in &report.issues {
        let severity = match issue.severity() {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        let _ = writeln!(
            out,
            "  - [{}] {severity}{}{}",
            issue.code,
            issue.message,
            location(issue.path.as_deref(), issue.line)
        );
        let _ = writeln!(out, "    Fix: {}", issue.remediation);
    }
    let _ = writeln!(out, "{}", counts(report));
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    passed: bool,
    project_root: Option<String>,
    package_name: Option<&'a str>,
    issues: Vec<JsonIssue<'a>>,
    fixed: Vec<&'a str>,
    fixes: Vec<JsonFixed<'a>>,
}

#[derive(Serialize)]
struct JsonIssue<'a> {
    code: String,
    severity: &'static str,
    message: &'a str,
    remediation: &'a str,
    path: Option<&'a str>,
    line: Option<usize>,
}

#[derive(Serialize)]
struct JsonFixed<'a> {
    code: String,
    message: &'a str,
    path: &'a str,
    line: usize,
}

/// The JSON document (pretty-printed, one trailing newline).
pub fn json(report: &Report) -> String {
    let doc = JsonReport {
        schema_version: 1,
        passed: report.passed(),
        project_root: report
            .project_root
            .as_ref()
            .map(|r| r.display().to_string()),
        package_name: report.package.as_deref(),
        issues: report
            .issues
            .iter()
            .map(|i| JsonIssue {
                code: i.code.name(),
                severity: i.severity().as_str(),
                message: &i.message,
                remediation: &i.remediation,
                path: i.path.as_deref(),
                line: i.line,
            })
            .collect(),
        fixed: {
            let mut paths: Vec<&str> = report.fixed.iter().map(|f| f.path.as_str()).collect();
            paths.sort_unstable();
            paths.dedup();
            paths
        },
        fixes: report
            .fixed
            .iter()
            .map(|f| JsonFixed {
                code: f.code.name(),
                message: &f.message,
                path: &f.path,
                line: f.line,
            })
            .collect(),
    };
    // Serialising plain strings, numbers and options cannot fail.
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: one `::error` / `::warning` annotation per issue and
/// a `::notice` per fix, then a plain summary line. `workspace` is `$GITHUB_WORKSPACE`:
/// when the project lives below it, paths are made relative to it so annotations land
/// on the right files.
pub fn github(report: &Report, workspace: Option<&Path>) -> String {
    let prefix = match (workspace, &report.project_root) {
        (Some(ws), Some(root)) => root
            .strip_prefix(ws)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.is_empty()),
        _ => None,
    };
    let file = |path: &str| match &prefix {
        Some(prefix) => format!("{prefix}/{path}"),
        None => path.to_string(),
    };
    let properties = |path: Option<&str>, line: Option<usize>| {
        let mut props = Vec::new();
        if let Some(path) = path {
            props.push(format!("file={}", escape_property(&file(path))));
            if let Some(line) = line {
                props.push(format!("line={line}"));
            }
        }
        if props.is_empty() {
            String::new()
        } else {
            format!(" {}", props.join(","))
        }
    };
    let mut out = String::new();
    for issue in &report.issues {
        let command = match issue.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "::{command}{}::{}",
            properties(issue.path.as_deref(), issue.line),
            escape_data(&format!("[{}] {}", issue.code, issue.message))
        );
    }
    for fixed in &report.fixed {
        let _ = writeln!(
            out,
            "::notice{}::{}",
            properties(Some(&fixed.path), Some(fixed.line)),
            escape_data(&format!("[{}] fixed: {}", fixed.code, fixed.message))
        );
    }
    let _ = writeln!(out, "{} ({})", headline(report), counts(report));
    out
}

/// `1 error`, `2 errors`, `0 errors`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
