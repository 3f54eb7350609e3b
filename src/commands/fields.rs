//! `polepos add field <module> FIELD ...` and `polepos remove field <module> <field> ...`.
//!
//! The steps: open the project and find the module (a database-backed `[modules]`
//! entry); read its recorded fields from the ledger (none: the classic `name` column);
//! work out the new list and refuse what SPEC §14 refuses; render the module's files
//! for the old list and for the new one; carry each difference over to the file on disk
//! with [`merge::rebase`], so hand edits elsewhere in it are kept and a region the user
//! changed is a conflict; then preview or apply the one change set, with the ledger's
//! record of the fields.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::{AddFieldArgs, RemoveFieldArgs};
use crate::error::{Refusal, UsageError};
use crate::feature::edit::ProjectEdit;
use crate::feature::fields::{self, Field, Known};
use crate::feature::merge;
use crate::feature::module::{self, Template, Typed};
use crate::feature::{ProjectContext, Recipe};
use crate::ledger::Ledger;
use crate::names;
use crate::printer::Printer;
use crate::project::Project;

/// The spec of the column every module without typed fields has.
pub(crate) const CLASSIC: &str = "name:str:max=120";

/// Runs `polepos add field`.
pub(crate) fn run_add(printer: &Printer, args: &AddFieldArgs, cwd: &Path) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let target = Target::open(&project, &args.module)?;
    let added = fields::parse_all(&args.fields, &target.old)
        .map_err(|e| anyhow::Error::from(UsageError(e.to_string())))?;
    let required: Vec<String> = added
        .iter()
        .filter(|f| !f.may_be_omitted())
        .map(|f| {
            format!(
                "`{}`: give it a default (`{}:default=...`) or make it `{}:optional`",
                f.name,
                f.spec(),
                f.spec()
            )
        })
        .collect();
    if !required.is_empty() {
        return Err(Refusal::new(format!(
            "cannot add a required field without a default to module `{}`: its table may already hold rows, which would have no value for it",
            target.name
        ))
        .with_causes(required)
        .with_hint("add `default=<value>` or `optional` to the field")
        .into());
    }
    super::add_module::check_targets(&target.name, &added, &target.known)?;
    let mut new = target.old.clone();
    new.extend(added.iter().cloned());
    let names: Vec<&str> = added.iter().map(|f| f.name.as_str()).collect();
    let set = target.change(&project, &new, false)?;
    if !super::preview_or_apply(printer, &set.edit, args.dry_run, &[], "written")? {
        return Ok(());
    }
    printer.success(&format!(
        "Added {} to module {} ({} files updated)",
        field_list(&names),
        target.name,
        super::FileCounts::of(&set.edit).updated
    ));
    let mut out = super::written_files(&set.edit);
    out.push_str(&format!(
        "\nNext steps:\n  polepos db revision -m \"add {} to {}\"\n  polepos db upgrade\n  uv run pytest\n  polepos check\n",
        names.join(", "),
        target.name
    ));
    printer.guidance(&out)?;
    Ok(())
}

/// Runs `polepos remove field`.
pub(crate) fn run_remove(
    printer: &Printer,
    args: &RemoveFieldArgs,
    cwd: &Path,
) -> anyhow::Result<()> {
    let project = Project::open(cwd)?;
    let target = Target::open(&project, &args.module)?;
    let mut problems = Vec::new();
    for name in &args.fields {
        if !target.old.iter().any(|f| &f.name == name) {
            let have: Vec<&str> = target.old.iter().map(|f| f.name.as_str()).collect();
            problems.push(format!(
                "module `{}` has no field `{name}` (its fields: {})",
                target.name,
                have.join(", ")
            ));
        }
    }
    let new: Vec<Field> = target
        .old
        .iter()
        .filter(|f| !args.fields.contains(&f.name))
        .cloned()
        .collect();
    if new.is_empty() && problems.is_empty() {
        problems.push(format!(
            "a module keeps at least one field; `{}` would have none",
            target.name
        ));
    }
    // Other modules' tests insert rows of this one with its required fields.
    for (module, field) in fields::referrers(&target.known, &target.name) {
        for gone in target
            .old
            .iter()
            .filter(|f| args.fields.contains(&f.name) && !f.may_be_omitted())
        {
            problems.push(format!(
                "module `{module}` references `{}` (field `{field}`), and its tests fill the required field `{}`",
                target.name, gone.name
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::new(format!(
            "cannot remove the field{} from module `{}`",
            if args.fields.len() == 1 { "" } else { "s" },
            target.name
        ))
        .with_causes(problems)
        .with_hint("`polepos check` lists the module's fields; nothing was changed")
        .into());
    }
    let set = target.change(&project, &new, args.force)?;
    if !super::preview_or_apply(
        printer,
        &set.edit,
        args.dry_run,
        &set.overwritten,
        "changed",
    )? {
        return Ok(());
    }
    let names: Vec<&str> = args.fields.iter().map(String::as_str).collect();
    printer.success(&format!(
        "Removed {} from module {} ({} files updated)",
        field_list(&names),
        target.name,
        super::FileCounts::of(&set.edit).updated
    ));
    let mut out = super::written_files(&set.edit);
    super::push_kept(&mut out, &set.overwritten);
    out.push_str(&format!(
        "\nNext steps (the migration is yours):\n  polepos db revision -m \"remove {} from {}\"\n  polepos db upgrade\n  uv run pytest\n  polepos check\n",
        names.join(", "),
        target.name
    ));
    printer.guidance(&out)?;
    Ok(())
}

fn field_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    if quoted.len() == 1 {
        format!("field {}", quoted[0])
    } else {
        format!("fields {}", quoted.join(", "))
    }
}

/// The module whose fields change, as the project has it now.
struct Target {
    name: String,
    template: Template,
    /// Its fields now (the classic `name` column when none are recorded).
    old: Vec<Field>,
    known: BTreeMap<String, Known>,
    ledger: Option<(Ledger, String)>,
}

/// The change, with the files whose changed region `--force` overwrote.
struct FieldChange {
    edit: crate::changeset::ChangeSet,
    overwritten: Vec<(String, String)>,
}

impl Target {
    fn open(project: &Project, raw: &str) -> anyhow::Result<Target> {
        let name = names::normalise(raw.trim());
        let value = project.manifest.as_ref().and_then(|m| {
            m.modules()
                .into_iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.as_str().map(str::to_string))
        });
        let Some(value) = value else {
            return Err(Refusal::new(format!(
                "module `{name}` is not in this project's [modules]"
            ))
            .with_hint("`polepos check` lists the project's modules; nothing was changed")
            .into());
        };
        let template = Template::parse(&value, &name).map_err(|e| {
            Refusal::new(format!(
                "module `{name}` has an invalid manifest value ({e})"
            ))
            .with_hint("fix `[modules]` in .poleposition.toml")
        })?;
        if !template.spec().model || module::tree(&template).is_none() {
            return Err(Refusal::new(format!(
                "module `{name}` ({}) keeps no rows, so it has no fields",
                template.value()
            ))
            .with_hint("fields belong to standard, crud and service-only modules")
            .into());
        }
        let ledger = Ledger::load(&project.root).map_err(|e| {
            Refusal::new(format!("cannot change the fields of module `{name}`: {e}"))
                .with_hint("restore .poleposition.lock from version control")
        })?;
        let empty = Ledger::default();
        let read = ledger.as_ref().map_or(&empty, |(l, _)| l);
        let known = module::known_modules(project, read)?;
        let mut old = fields::recorded(read, &name)?;
        if old.is_empty() {
            old = vec![fields::parse(CLASSIC).map_err(|e| anyhow::anyhow!("{e}"))?];
        }
        Ok(Target {
            name,
            template,
            old,
            known,
            ledger,
        })
    }

    /// The module's files as polepos generates them for `fields` (the classic module
    /// for the classic column alone).
    fn render(&self, project: &Project, fields: &[Field]) -> anyhow::Result<Recipe> {
        let ctx = ProjectContext::of(project);
        let classic = fields.len() == 1 && fields[0].spec() == CLASSIC;
        let typed = if classic {
            Typed::none()
        } else {
            Typed {
                fields,
                known: &self.known,
            }
        };
        Ok(module::recipe(&ctx, &self.name, &self.template, typed)?)
    }

    /// Whether the ledger holds `path` as exactly these bytes, written by polepos (not
    /// adopted): a file no hand has touched since an earlier polepos generated it.
    fn generated_unchanged(&self, path: &str, current: &str) -> bool {
        self.ledger
            .as_ref()
            .and_then(|(ledger, _)| ledger.get(path))
            .is_some_and(|entry| {
                !entry.adopted && entry.sha256 == crate::ledger::sha256_hex(current.as_bytes())
            })
    }

    /// The change from the module's current fields to `new`, carried over to its files;
    /// a file whose changed region was edited by hand refuses it, or with `force` is
    /// written as polepos generates it.
    fn change(&self, project: &Project, new: &[Field], force: bool) -> anyhow::Result<FieldChange> {
        let before = self.render(project, &self.old)?;
        let after = self.render(project, new)?;
        let mut edit = ProjectEdit::new(&project.root, self.ledger.clone());
        let mut conflicts = Vec::new();
        // Files the ledger holds as polepos wrote them, from an older render.
        let mut outdated = Vec::new();
        let mut overwritten = Vec::new();
        let owner = after.feature.owner();
        // The project boundary (SPEC §16): nothing is read through a link that leaves it.
        crate::boundary::check(&project.root, after.files.iter().map(|f| f.path.as_path()))?;
        for (old, file) in before.files.iter().zip(&after.files) {
            if old.contents == file.contents {
                continue;
            }
            let path = file.path.to_string_lossy().replace('\\', "/");
            let Ok(current) = std::fs::read_to_string(project.root.join(&file.path)) else {
                conflicts.push(format!("{path}: missing or not UTF-8"));
                continue;
            };
            match merge::rebase(&current, &old.contents, &file.contents) {
                Ok(merged) => edit.edit(&path, current, merged),
                Err(_) if force => {
                    edit.regenerate(&path, current, file.contents.clone(), &owner);
                    overwritten.push((
                        path,
                        "written as polepos generates it: its field region was edited by hand (--force)"
                            .to_string(),
                    ));
                }
                Err(_) if self.generated_unchanged(&path, &current) => {
                    outdated.push(format!(
                        "{path}: as an earlier polepos generated it, which this version renders differently"
                    ));
                }
                Err(conflict) => conflicts.push(format!(
                    "{path}: changed by hand where the fields go (around line {} of what polepos generated)",
                    conflict.line
                )),
            }
        }
        if !conflicts.is_empty() {
            conflicts.extend(outdated);
            return Err(Refusal::new(format!(
                "cannot change the fields of module `{}`: files were edited where the change goes",
                self.name
            ))
            .with_causes(conflicts)
            .with_hint(
                "undo those edits (or make the change by hand); `polepos remove field --force` writes such files as polepos generates them",
            )
            .into());
        }
        if !outdated.is_empty() {
            return Err(Refusal::new(format!(
                "cannot change the fields of module `{}`: its files come from an earlier polepos",
                self.name
            ))
            .with_causes(outdated)
            .with_hint("run `polepos upgrade --apply` to bring them up to date, then run this command again")
            .into());
        }
        let specs: Vec<String> = if new.len() == 1 && new[0].spec() == CLASSIC {
            Vec::new()
        } else {
            new.iter().map(Field::spec).collect()
        };
        edit.set_fields(&self.name, &specs);
        Ok(FieldChange {
            edit: edit.finish(),
            overwritten,
        })
    }
}
