//! What `polepos upgrade` must say besides the file states: changes that a new file
//! alone does not carry into the user's database.
//!
//! The one such change so far: `auth_users` is declared `AUTOINCREMENT` on SQLite (SPEC
//! §16, Identity), so a deleted user's id, and with it their unexpired tokens, never goes
//! to the next user who registers. Alembic autogenerate compares columns, indexes and
//! constraints but not table options, so `polepos db revision` finds no change for it
//! (the project's migration-drift test does not see it either): an existing SQLite
//! database keeps reusing ids until the user writes and runs the migration this note
//! spells out.

use super::upgrade::{State, UpgradePlan};
use crate::manifest::DbMode;

/// The text in the auth model that declares ids never reused on SQLite (the model's
/// docstring names the option too, so the needle includes its value).
const AUTOINCREMENT_OPTION: &str = "\"sqlite_autoincrement\": True";

/// Notes for the report, one paragraph each (lines end with `\n`).
pub(crate) fn notes(package: &str, db: DbMode, plan: &UpgradePlan) -> Vec<String> {
    auth_ids(package, db, plan).into_iter().collect()
}

/// The auth model note, when this version declares the option and the project's
/// model file does not.
fn auth_ids(package: &str, db: DbMode, plan: &UpgradePlan) -> Option<String> {
    let path = format!("src/{package}/auth/model.py");
    let file = plan.files.iter().find(|f| f.path == path)?;
    let current = file.current.as_deref()?;
    if !file.expected.contains(AUTOINCREMENT_OPTION) || current.contains(AUTOINCREMENT_OPTION) {
        return None;
    }
    let mut note = format!(
        "Note: user ids in `auth_users` ({path})\n  \
         This version declares the table with `sqlite_autoincrement`, so SQLite never gives\n  \
         a deleted user's id, and with it their unexpired tokens, to a new user.\n"
    );
    note.push_str(match file.state {
        State::SafeUpdate => {
            "  `polepos upgrade --apply` updates the model file, not your database.\n"
        }
        _ => {
            "  Your model file is not the one polepos wrote, so upgrade never writes it: add\n  \
             `__table_args__ = ({\"sqlite_autoincrement\": True},)` to `User` yourself (merge\n  \
             it into the `__table_args__` you have, if any).\n"
        }
    });
    note.push_str(match db {
        DbMode::Sqlite => SQLITE_MIGRATION,
        _ => {
            "  PostgreSQL takes ids from a sequence, which never hands out a value twice: your\n  \
             database needs no migration (Alembic autogenerate finds no change, rightly). The\n  \
             option changes only SQLite databases, such as the tests' one.\n"
        }
    });
    Some(note)
}

/// What an existing SQLite database needs, found by running Alembic on one: autogenerate
/// reports no change, and the table must be rebuilt to take the option.
const SQLITE_MIGRATION: &str = "  \
Alembic autogenerate does not compare table options: `polepos db revision` finds no
  change, and the migration-drift test passes without one. Write the migration yourself:
      polepos db revision --empty -m \"auth_users ids are never reused\"
  with this body for upgrade() (it rebuilds the table, keeping its rows and index):
      if op.get_bind().dialect.name == \"sqlite\":
          with op.batch_alter_table(
              \"auth_users\", recreate=\"always\", table_kwargs={\"sqlite_autoincrement\": True}
          ):
              pass
  then run `polepos db upgrade`. SQLite then counts on from the highest id left: the id of
  a user deleted before the migration can still go to one more new user. If you deleted
  users whose tokens may not have expired yet, change AUTH_SECRET_KEY as well (every
  user logs in again).
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feature::upgrade::FileReport;

    fn plan_with(state: State, current: &str) -> UpgradePlan {
        UpgradePlan::for_tests(vec![FileReport {
            path: "src/shop/auth/model.py".to_string(),
            owner: "auth".to_string(),
            state,
            reason: None,
            current: Some(current.to_string()),
            expected: "__table_args__ = ({\"sqlite_autoincrement\": True},)\n".to_string(),
        }])
    }

    #[test]
    fn a_model_that_already_declares_the_option_needs_no_note() {
        let plan = plan_with(
            State::UpToDate,
            "__table_args__ = ({\"sqlite_autoincrement\": True},)\n",
        );
        assert!(notes("shop", DbMode::Sqlite, &plan).is_empty());
    }

    #[test]
    fn postgres_projects_are_told_their_database_needs_nothing() {
        let plan = plan_with(State::SafeUpdate, "class User(Base): ...\n");
        let notes = notes("shop", DbMode::Postgres, &plan);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("needs no migration"), "{}", notes[0]);
        assert!(!notes[0].contains("batch_alter_table"), "{}", notes[0]);
    }

    #[test]
    fn a_modified_model_is_told_what_to_add() {
        let plan = plan_with(State::Modified, "class User(Base): ...  # mine\n");
        let notes = notes("shop", DbMode::Sqlite, &plan);
        assert!(notes[0].contains("add\n  `__table_args__"), "{}", notes[0]);
        assert!(
            notes[0].contains("polepos db revision --empty"),
            "{}",
            notes[0]
        );
    }
}
