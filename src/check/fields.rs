//! Typed fields (PPCHK064): every field the ledger records for a module is in the
//! module's model class and in its create and read schemas.
//!
//! The ledger is the record of what `add module <n> FIELD ...`, `add field` and
//! `remove field` promised; a module whose files lost a field no longer keeps it.
//! Modules whose directory or files are missing, unreadable or too large to parse are
//! reported by the module and syntax checks.

use super::Issue;
use super::codes::Code;
use super::facts::Facts;
use crate::feature::fields;
use crate::feature::module::class_name;
use crate::ledger::{self, Ledger};

pub(crate) fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let Ok(recorded) = Ledger::load_fields(&facts.root) else {
        return;
    };
    for (module, specs) in &recorded {
        let parsed: Result<Vec<fields::Field>, _> =
            specs.iter().map(|s| fields::parse(s)).collect();
        let names: Vec<String> = match parsed {
            Ok(parsed) => parsed.into_iter().map(|f| f.name).collect(),
            Err(e) => {
                issues.push(
                    Issue::new(
                        Code::RecordedFieldMissing,
                        format!("the fields recorded for module `{module}` cannot be read: {e}"),
                    )
                    .at(ledger::FILE_NAME, None)
                    .fix(format!(
                        "restore {} from version control",
                        ledger::FILE_NAME
                    )),
                );
                continue;
            }
        };
        let class = class_name(module);
        let dir = format!("modules/{module}");
        expect(
            facts,
            &format!("{dir}/model.py"),
            std::slice::from_ref(&class),
            module,
            &names,
            issues,
        );
        expect(
            facts,
            &format!("{dir}/schemas.py"),
            &[format!("{class}Create"), format!("{class}Read")],
            module,
            &names,
            issues,
        );
    }
}

/// Each of `classes` in `rel` (under the package) has every one of `names`; a file or
/// class that is missing or does not parse is left to the other checks.
fn expect(
    facts: &Facts,
    rel: &str,
    classes: &[String],
    module: &str,
    names: &[String],
    issues: &mut Vec<Issue>,
) {
    let path = facts.pkg_path(rel);
    let Some(file) = super::source::parse_guarded(&facts.root, &path, &facts.pkg) else {
        return;
    };
    for class_name in classes {
        let Some(class) = file.class(class_name) else {
            continue;
        };
        for name in names {
            if !class.fields.iter().any(|(field, _)| field == name) {
                issues.push(
                    Issue::new(
                        Code::RecordedFieldMissing,
                        format!(
                            "module `{module}` records the field `{name}`, which class `{class_name}` does not define"
                        ),
                    )
                    .at(path.clone(), Some(class.line))
                    .fix(format!(
                        "put `{name}` back in `{class_name}` as polepos wrote it, or run `polepos remove field {module} {name} --force` to record its removal"
                    )),
                );
            }
        }
    }
}
