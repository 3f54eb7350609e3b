//! `polepos upgrade [--json] [--apply] [--dry-run]`: compare the project with what this
//! polepos version generates for its declared features, and write the safe updates.
//!
//! The steps: open the project; refuse (exit 1, nothing applied) when it fails `polepos
//! check`; build the recipes of the declared features; compare every file they generate
//! with the disk and the ledger ([`crate::feature::upgrade`]); report; with `--apply`,
//! write the safe updates and the refreshed ledger as one atomic change set.
//!
//! `--json` prints one document:
//! `{"schema_version":1, "project_root", "package", "versions": {"recorded": [...],
//! "current"}, "features": [...], "files": [{"path", "owner", "state", "reason"}],
//! "warnings": [{"code", "message", "path", "line"}], "notes": [...], "applied": bool}`.
//! `notes` holds what the user must do besides the file updates
//! ([`crate::feature::upgrade_notes`]), as the text report prints it.

use std::path::Path;

use serde::Serialize;
use similar::TextDiff;

use crate::check::{self, Severity};
use crate::cli::UpgradeArgs;
use crate::error::{Outcome, Refusal};
use crate::feature::ProjectContext;
use crate::feature::upgrade::feature_names as feature_names_of;
use crate::feature::upgrade::{self, FileReport, State, UpgradePlan};
use crate::feature::upgrade_notes;
use crate::ledger::Ledger;
use crate::printer::Printer;
use crate::project::Project;

/// Runs `polepos upgrade`.
pub(crate) fn run(printer: &Printer, args: &UpgradeArgs, cwd: &Path) -> anyhow::Result<Outcome> {
    if args.dry_run && !args.apply {
        printer.info(
            "--dry-run only changes what --apply does; without --apply nothing is ever written",
        );
    }
    let project = Project::open(cwd)?;
    let report = check::check(&project.root);
    if !report.passed() {
        return Err(Refusal::new(format!(
            "the project at {} fails `polepos check`; nothing was compared or applied",
            project.root.display()
        ))
        .with_hint("run `polepos check` (or `polepos check --fix`), fix what it reports, then run `polepos upgrade` again")
        .into());
    }
    let ledger = Ledger::load(&project.root)
        .map_err(|e| Refusal::new(format!("cannot use the ledger: {e}")).with_hint("restore .poleposition.lock from version control, or delete it to let `polepos upgrade --apply` adopt the current files"))?;
    let ctx = ProjectContext::of(&project);
    let (recipes, unrendered) = upgrade::declared(&project, &ctx)?;
    let plan = upgrade::plan_upgrade(&project, &recipes, &unrendered, ledger);
    let notes = upgrade_notes::notes(&project.package, project.db, &plan);
    let warnings: Vec<&check::Issue> = report
        .issues
        .iter()
        .filter(|i| i.severity() == Severity::Warning)
        .collect();

    let mut applied = false;
    let mut preview = None;
    if args.apply {
        let set = plan.apply_set();
        if args.dry_run {
            preview = Some(set.preview()?);
        } else {
            set.apply()?;
            applied = true;
        }
    }

    if args.json {
        printer.stdout(&json(&project, &plan, &recipes, &warnings, &notes, applied))?;
        return Ok(Outcome::Success);
    }
    let mut out = text(&project, &plan, &recipes, &unrendered, &warnings);
    match (preview, applied) {
        (Some(preview), _) => {
            out.push_str(&format!("\n{preview}Dry run: nothing was written.\n"));
        }
        (None, true) => out.push_str(&format!(
            "\nApplied {} safe update(s); the ledger was {}.\n",
            plan.count(State::SafeUpdate),
            if plan.has_ledger {
                "refreshed"
            } else {
                "created"
            }
        )),
        (None, false) if plan.count(State::SafeUpdate) > 0 || !plan.has_ledger => {
            out.push_str("\nRun `polepos upgrade --apply` to write the safe updates and refresh the ledger (`--apply --dry-run` previews it).\n");
        }
        (None, false) => {}
    }
    for note in &notes {
        out.push_str(&format!("\n{note}"));
    }
    printer.stdout(&out)?;
    Ok(Outcome::Success)
}

/// The text report: header, counts per state, the files that are not up to date, the
/// diffs of modified files and `polepos check`'s warnings.
fn text(
    project: &Project,
    plan: &UpgradePlan,
    recipes: &[crate::feature::Recipe],
    unrendered: &[String],
    warnings: &[&check::Issue],
) -> String {
    let mut out = header(project, plan, recipes, unrendered);
    out.push('\n');
    out.push_str(&counts(plan));
    let listed: Vec<&FileReport> = plan
        .files
        .iter()
        .filter(|f| f.state != State::UpToDate)
        .collect();
    if !listed.is_empty() {
        out.push('\n');
    }
    out.push_str(&listing(&listed));
    out.push_str(&diffs(plan, &listed));
    out.push_str(&warning_lines(warnings));
    out
}

/// The report's first lines: the project, the versions and the features compared.
fn header(
    project: &Project,
    plan: &UpgradePlan,
    recipes: &[crate::feature::Recipe],
    unrendered: &[String],
) -> String {
    let mut out = format!(
        "polepos upgrade: {} ({})\n",
        project.package,
        project.root.display()
    );
    let recorded = if plan.recorded_versions.is_empty() {
        "none (no ledger; `--apply` adopts the current files as the baseline)".to_string()
    } else {
        plan.recorded_versions.join(", ")
    };
    out.push_str(&format!("Recorded polepos version: {recorded}\n"));
    out.push_str(&format!(
        "Current polepos version:  {}\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str(&format!(
        "Features compared: {}\n",
        feature_names_of(recipes).join(", ")
    ));
    if !unrendered.is_empty() {
        out.push_str(&format!(
            "Not rendered by this version: {}\n",
            unrendered.join(", ")
        ));
    }
    out
}

/// One line per state with the number of files in it.
fn counts(plan: &UpgradePlan) -> String {
    let mut out = String::new();
    for state in [
        State::UpToDate,
        State::SafeUpdate,
        State::Modified,
        State::Missing,
        State::NotCompared,
    ] {
        out.push_str(&format!("  {:<13} {}\n", state.as_str(), plan.count(state)));
    }
    out
}

/// One line per listed file: its state, path and the reason, if any.
fn listing(listed: &[&FileReport]) -> String {
    let mut out = String::new();
    for file in listed {
        let reason = file
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<13} {}{reason}\n",
            file.state.as_str(),
            file.path
        ));
    }
    out
}

/// The unified diffs of the modified files that polepos wrote.
fn diffs(plan: &UpgradePlan, listed: &[&FileReport]) -> String {
    let mut out = String::new();
    // Diffs for files polepos wrote and the user changed; files it never wrote (older
    // tool, adopted) are listed only, or the report would repeat whole files.
    let written = |f: &&&FileReport| plan.ledger_entry(&f.path).is_some_and(|e| !e.adopted);
    for file in listed
        .iter()
        .filter(|f| f.state == State::Modified)
        .filter(written)
    {
        if let Some(current) = &file.current {
            out.push_str(&format!(
                "\n{}",
                TextDiff::from_lines(current.as_str(), file.expected.as_str())
                    .unified_diff()
                    .context_radius(2)
                    .header(
                        &format!("{} (yours)", file.path),
                        &format!("{} (polepos {})", file.path, env!("CARGO_PKG_VERSION"))
                    )
            ));
        }
    }
    out
}

/// The warnings of `polepos check`, under their heading (nothing when there are none).
fn warning_lines(warnings: &[&check::Issue]) -> String {
    let mut out = String::new();
    if !warnings.is_empty() {
        out.push_str("\nWarnings from `polepos check`:\n");
        for issue in warnings {
            out.push_str(&format!("  - [{}] {}\n", issue.code.name(), issue.message));
        }
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    project_root: String,
    package: &'a str,
    versions: Versions<'a>,
    features: Vec<String>,
    files: Vec<JsonFile<'a>>,
    warnings: Vec<JsonWarning>,
    notes: &'a [String],
    applied: bool,
}

#[derive(Serialize)]
struct Versions<'a> {
    recorded: &'a [String],
    current: &'static str,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    owner: &'a str,
    state: &'static str,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonWarning {
    code: String,
    message: String,
    path: Option<String>,
    line: Option<usize>,
}

fn json(
    project: &Project,
    plan: &UpgradePlan,
    recipes: &[crate::feature::Recipe],
    warnings: &[&check::Issue],
    notes: &[String],
    applied: bool,
) -> String {
    let report = JsonReport {
        schema_version: 1,
        project_root: project.root.display().to_string(),
        package: &project.package,
        versions: Versions {
            recorded: &plan.recorded_versions,
            current: env!("CARGO_PKG_VERSION"),
        },
        features: feature_names_of(recipes),
        files: plan
            .files
            .iter()
            .map(|f| JsonFile {
                path: &f.path,
                owner: &f.owner,
                state: f.state.as_str(),
                reason: f.reason.as_deref(),
            })
            .collect(),
        warnings: warnings
            .iter()
            .map(|i| JsonWarning {
                code: i.code.name(),
                message: i.message.clone(),
                path: i.path.clone(),
                line: i.line,
            })
            .collect(),
        notes,
        applied,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
