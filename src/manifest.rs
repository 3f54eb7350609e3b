//! `.poleposition.toml`, read and edited with format preservation.
//!
//! The manifest is a compatibility contract shared with the older tool. It is parsed with
//! toml_edit so comments, ordering and unknown tables or keys survive every edit. A
//! manifest that is not UTF-8 or not TOML is an error and is never rewritten.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use toml_edit::{DocumentMut, Item, Table, TableLike, Value, value};

use crate::error::Refusal;
use crate::names;

/// The manifest's file name at the project root.
pub(crate) const FILE_NAME: &str = ".poleposition.toml";

/// Errors reading the manifest; each names the file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid UTF-8")]
    NotUtf8 { path: PathBuf },
    #[error("{path} is not valid TOML: {message}")]
    NotToml { path: PathBuf, message: String },
}

/// The key under `[poleposition]` that lists the auth extensions (the older tool
/// ignores it).
pub(crate) const AUTH_EXTENSIONS: &str = "auth_extensions";

/// A parsed manifest that remembers its original text.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    original: String,
    doc: DocumentMut,
}

impl Manifest {
    /// Reads and parses the manifest at `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, ManifestError> {
        let bytes = std::fs::read(path).map_err(|source| ManifestError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ManifestError::NotUtf8 {
            path: path.to_path_buf(),
        })?;
        Self::parse(&text).map_err(|message| ManifestError::NotToml {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses manifest text; the error is toml_edit's message with line and column.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let doc: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| e.to_string().trim().to_string())?;
        Ok(Manifest {
            original: text.to_string(),
            doc,
        })
    }

    /// The text of a new project's manifest.
    pub(crate) fn new_project(package: &str, db: DbMode, bytecode: bool) -> String {
        let mut text = String::from(
            "# Written by polepos; `polepos check` validates the project against it.\n\
             # Keep it in version control. Edit with care: polepos updates it as you add features.\n\
             [poleposition]\n",
        );
        text.push_str(&format!("package = \"{package}\"\n"));
        text.push_str(&format!(
            "db = \"{}\"            # sqlite | postgres | none\n",
            db.as_str()
        ));
        text.push_str(&format!("bytecode = {bytecode}\n"));
        text.push_str("\n[modules]\nstatus = \"starter\"\n\n[integrations]\n");
        text
    }

    /// The text as it was read.
    pub(crate) fn original(&self) -> &str {
        &self.original
    }

    /// The text with every edit applied.
    pub(crate) fn render(&self) -> String {
        crate::pyproject::with_line_endings(self.doc.to_string(), self.original.contains("\r\n"))
    }

    /// A `[section]` or an inline `section = { ... }` table.
    fn section(&self, name: &str) -> Option<&dyn TableLike> {
        self.doc.get(name).and_then(Item::as_table_like)
    }

    /// `[poleposition] package` as written, for display (see [`Manifest::valid_package`]).
    pub(crate) fn package(&self) -> Option<&str> {
        self.section("poleposition")?.get("package")?.as_str()
    }

    /// `[poleposition] package`, refused unless it is a Python identifier. It names the
    /// directory `src/<package>/` that every command reads, writes and deletes in, so a
    /// path, `..` or an empty string could lead outside the project (SPEC §16). Every
    /// command that uses the package from the manifest asks here.
    pub(crate) fn valid_package(&self) -> Result<Option<&str>, Refusal> {
        let Some(item) = self.section("poleposition").and_then(|s| s.get("package")) else {
            return Ok(None);
        };
        match item.as_str() {
            Some(name) if names::is_python_identifier(name) => Ok(Some(name)),
            _ => {
                let shown = item.as_value().map_or_else(
                    || "a table".to_string(),
                    |v| v.to_string().trim().to_string(),
                );
                Err(Refusal::new(format!(
                    "`package` under [poleposition] in {FILE_NAME} is {shown}, which is not a Python identifier"
                ))
                .with_hint(
                    "set it to the name of the package directory under src/, e.g. `package = \"shop_api\"`",
                ))
            }
        }
    }

    /// `[poleposition] db` as written (may be an invalid value; see [`Manifest::db_mode`]).
    pub(crate) fn db_raw(&self) -> Option<&Item> {
        self.section("poleposition")?.get("db")
    }

    /// `[poleposition] db` when it is a valid mode.
    pub(crate) fn db_mode(&self) -> Option<DbMode> {
        self.db_raw()?.as_str().and_then(DbMode::parse)
    }

    /// `[poleposition] bytecode`; absent means true.
    pub(crate) fn bytecode(&self) -> bool {
        self.section("poleposition")
            .and_then(|t| t.get("bytecode"))
            .and_then(Item::as_bool)
            .unwrap_or(true)
    }

    /// `[modules]` entries as (name, raw item).
    pub(crate) fn modules(&self) -> Vec<(String, Item)> {
        self.entries("modules")
    }

    /// `[integrations]` entries as (name, raw item).
    pub(crate) fn integrations(&self) -> Vec<(String, Item)> {
        self.entries("integrations")
    }

    fn entries(&self, section: &str) -> Vec<(String, Item)> {
        self.section(section)
            .map(|t| t.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// Whether `[integrations] <name> = true`.
    pub(crate) fn integration_enabled(&self, name: &str) -> bool {
        self.section("integrations")
            .and_then(|t| t.get(name))
            .and_then(Item::as_bool)
            .unwrap_or(false)
    }

    /// The raw item at a path of keys, e.g. `["poleposition", "package"]`.
    pub(crate) fn item(&self, keys: &[&str]) -> Option<&Item> {
        keys.iter()
            .try_fold(self.doc.as_item(), |item, key| item.get(key))
    }

    /// Sets `[integrations] <name> = <enabled>`, creating the table when missing.
    pub(crate) fn set_integration(&mut self, name: &str, enabled: bool) -> Result<(), String> {
        self.set("integrations", name, Value::from(enabled))
    }

    /// Removes `[modules] <name>`; false when it is not there. Only that key's line goes:
    /// every other line (and the table header) stays.
    pub(crate) fn remove_module(&mut self, name: &str) -> bool {
        self.doc
            .get_mut("modules")
            .and_then(Item::as_table_like_mut)
            .is_some_and(|table| table.remove(name).is_some())
    }

    /// Removes `[integrations] <name>`; false when it is not there. Only that key's line
    /// goes: the table header stays.
    pub(crate) fn remove_integration(&mut self, name: &str) -> bool {
        self.doc
            .get_mut("integrations")
            .and_then(Item::as_table_like_mut)
            .is_some_and(|table| table.remove(name).is_some())
    }

    /// `[poleposition] auth_extensions`: the auth extensions added (SPEC §15), empty when
    /// the key is absent; an error names a value that is not a list of strings.
    pub(crate) fn auth_extensions(&self) -> Result<Vec<String>, String> {
        let Some(item) = self.item(&["poleposition", AUTH_EXTENSIONS]) else {
            return Ok(Vec::new());
        };
        let not_a_list = || {
            format!(
                "`{AUTH_EXTENSIONS}` in {FILE_NAME} is not a list of names (e.g. [\"sessions\"])"
            )
        };
        let array = item.as_array().ok_or_else(not_a_list)?;
        array
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(not_a_list))
            .collect()
    }

    /// Sets `[poleposition] auth_extensions` to `names`, sorted; no names removes the key,
    /// so adding and removing the last extension gives the manifest back byte for byte.
    pub(crate) fn set_auth_extensions(&mut self, names: &[String]) -> Result<(), String> {
        let mut sorted = names.to_vec();
        sorted.sort();
        sorted.dedup();
        if sorted.is_empty() {
            if let Some(table) = self
                .doc
                .get_mut("poleposition")
                .and_then(Item::as_table_like_mut)
            {
                table.remove(AUTH_EXTENSIONS);
            }
            return Ok(());
        }
        let array: toml_edit::Array = sorted.iter().map(String::as_str).collect();
        self.set("poleposition", AUTH_EXTENSIONS, Value::Array(array))
    }

    /// Sets `[modules] <name> = "<template value>"`, creating the table when missing.
    pub(crate) fn set_module(&mut self, name: &str, template: &str) -> Result<(), String> {
        self.set("modules", name, Value::from(template))
    }

    /// Sets `[<section>] <name> = <new>`: an existing value keeps its comment and
    /// spacing, a new key goes at the end of its table, every other line is untouched.
    fn set(&mut self, section: &str, name: &str, new: Value) -> Result<(), String> {
        let table = self.doc.entry(section).or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(false);
            Item::Table(t)
        });
        let Some(table) = table.as_table_like_mut() else {
            return Err(format!("`{section}` in {FILE_NAME} is not a table"));
        };
        match table.get_mut(name).and_then(Item::as_value_mut) {
            Some(existing) => {
                let decor = existing.decor().clone();
                *existing = new;
                *existing.decor_mut() = decor;
            }
            None => {
                table.insert(name, value(new));
            }
        }
        Ok(())
    }
}

/// Database mode of a generated project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DbMode {
    /// Embedded SQLite file database (works with zero services).
    Sqlite,
    /// PostgreSQL through psycopg.
    Postgres,
    /// No database layer at all.
    None,
    /// A database layer the team manages itself (`db = "custom"`, from the older tool):
    /// `check` leaves the database wiring alone, and features that need polepos's own
    /// database wiring (auth, database-backed modules) refuse. Not offered by `start`.
    #[value(skip)]
    Custom,
}

impl DbMode {
    /// The value written to `.poleposition.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            DbMode::Sqlite => "sqlite",
            DbMode::Postgres => "postgres",
            DbMode::None => "none",
            DbMode::Custom => "custom",
        }
    }

    /// Parses a manifest value; case does not matter (`"SQLite"`), as with the older tool.
    fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "sqlite" => Some(DbMode::Sqlite),
            "postgres" => Some(DbMode::Postgres),
            "none" => Some(DbMode::None),
            "custom" => Some(DbMode::Custom),
            _ => None,
        }
    }

    /// Whether the project has polepos's own database layer (SQLAlchemy session,
    /// models registry, Alembic), which database-backed features wire into.
    pub fn has_db(self) -> bool {
        matches!(self, DbMode::Sqlite | DbMode::Postgres)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_manifest_parses_and_reads_back() {
        let text = Manifest::new_project("shop_api", DbMode::Postgres, false);
        let m = Manifest::parse(&text).unwrap();
        assert_eq!(m.package(), Some("shop_api"));
        assert_eq!(m.db_mode(), Some(DbMode::Postgres));
        assert!(!m.bytecode());
        assert_eq!(m.modules().len(), 1);
    }

    #[test]
    fn edits_keep_comments_and_unknown_keys() {
        let text = "# top comment\n[poleposition]\npackage = \"x\" # pkg\ndb = \"sqlite\"\n\n[custom]\nkeep = 1\n\n[integrations]\nredis = true # cache\n";
        let mut m = Manifest::parse(text).unwrap();
        m.set_integration("auth", true).unwrap();
        let out = m.render();
        assert_eq!(out, format!("{text}auth = true\n"));
        assert!(m.bytecode(), "absent bytecode means true");
    }

    #[test]
    fn modules_are_added_at_the_end_of_their_table() {
        let text = "[poleposition]\npackage = \"x\"\n\n[modules]\nstatus = \"starter\" # keep\n\n[integrations]\nauth = true\n";
        let mut m = Manifest::parse(text).unwrap();
        m.set_module("orders", "crud[pagination]").unwrap();
        assert_eq!(
            m.render(),
            text.replace("# keep\n", "# keep\norders = \"crud[pagination]\"\n")
        );
    }

    #[test]
    fn missing_integrations_table_is_created() {
        let mut m = Manifest::parse("[poleposition]\npackage = \"x\"\n").unwrap();
        m.set_integration("auth", true).unwrap();
        assert_eq!(
            m.render(),
            "[poleposition]\npackage = \"x\"\n\n[integrations]\nauth = true\n"
        );
    }

    #[test]
    fn existing_values_keep_their_comment_and_inline_tables_are_edited() {
        let mut m = Manifest::parse("[integrations]\nauth = false  # enable later\r\n").unwrap();
        m.set_integration("auth", true).unwrap();
        assert_eq!(
            m.render(),
            "[integrations]\r\nauth = true  # enable later\r\n"
        );
        let mut m = Manifest::parse("integrations = { redis = false }\n").unwrap();
        m.set_integration("auth", true).unwrap();
        assert_eq!(
            m.render(),
            "integrations = { redis = false , auth = true }\n"
        );
        assert!(m.integration_enabled("auth"));
        let mut m = Manifest::parse("integrations = 5\n").unwrap();
        assert!(m.set_integration("auth", true).is_err());
    }

    #[test]
    fn invalid_toml_is_an_error_with_a_location() {
        let err = Manifest::parse("[poleposition\npackage = 1").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
    }
}
