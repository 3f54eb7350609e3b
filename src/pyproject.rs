//! `pyproject.toml` edits through toml_edit, behind intention-revealing methods.
//!
//! Only `[project] dependencies` is edited. A new requirement goes where a careful human
//! would put it: at its sorted position when the list is already sorted (appended
//! otherwise, to avoid churn), formatted like its neighbours (one per line).

use toml_edit::{Array, DocumentMut, Item, Value};

/// A parsed `pyproject.toml`.
#[derive(Debug, Clone)]
pub(crate) struct Pyproject {
    doc: DocumentMut,
    /// Whether the file used CRLF line endings (toml_edit renders LF).
    crlf: bool,
}

/// Renders `text` (LF) with CRLF endings when the original used them.
pub(crate) fn with_line_endings(text: String, crlf: bool) -> String {
    if crlf {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        text
    }
}

/// The PEP 503 normalised distribution name of a requirement string.
/// Whether `requirement` (`aiokafka>=0.11,<1`) is held to versions at or above `floor`
/// (`0.12.0`) wherever it bounds them: none of its lower bounds (`>=`, `==`, `~=`, `>`)
/// is below the floor and none of its upper bounds (`<`, `<=`) is at or below it. A
/// requirement without version specifiers pins nothing and passes.
pub(crate) fn allows_at_least(requirement: &str, floor: &str) -> bool {
    let floor = version_parts(floor);
    let name_end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '[' | ']')))
        .unwrap_or(requirement.len());
    let specifiers = requirement[name_end..]
        .split(';')
        .next()
        .unwrap_or_default();
    specifiers.split(',').all(|spec| {
        let spec = spec.trim();
        let (op, version) = match spec.find(|c: char| c.is_ascii_digit()) {
            Some(at) => (spec[..at].trim(), version_parts(&spec[at..])),
            None => return true,
        };
        match op {
            ">=" | "==" | "~=" | ">" | "===" => version >= floor,
            "<" => version > floor,
            "<=" => version >= floor,
            _ => true,
        }
    })
}

/// The numeric release parts of a version (`0.12.0rc1` → `[0, 12, 0]`), for comparing.
fn version_parts(version: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = version
        .trim()
        .split('.')
        .map_while(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect();
    while parts.last() == Some(&0) {
        parts.pop();
    }
    parts
}

pub(crate) fn requirement_name(requirement: &str) -> String {
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    let mut name = String::new();
    for ch in requirement[..end].chars() {
        let ch = if matches!(ch, '-' | '_' | '.') {
            '-'
        } else {
            ch.to_ascii_lowercase()
        };
        if ch == '-' && name.ends_with('-') {
            continue;
        }
        name.push(ch);
    }
    name
}

/// A requirement list of `pyproject.toml`.
#[derive(Debug, Clone, Copy)]
enum List {
    /// `[project] dependencies`.
    Runtime,
    /// `[project.optional-dependencies] dev`.
    Dev,
}

impl Pyproject {
    /// Parses the text; the error is toml_edit's message.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let doc: DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| e.to_string().trim().to_string())?;
        Ok(Pyproject {
            doc,
            crlf: text.contains("\r\n"),
        })
    }

    pub(crate) fn render(&self) -> String {
        with_line_endings(self.doc.to_string(), self.crlf)
    }

    fn dependencies(&self) -> Option<&Array> {
        self.doc.get("project")?.get("dependencies")?.as_array()
    }

    /// `[project] name`, when it is a non-empty string.
    pub(crate) fn project_name(&self) -> Option<String> {
        self.doc
            .get("project")?
            .get("name")?
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .map(str::to_string)
    }

    /// Requirement strings of `[project] dependencies`.
    pub(crate) fn dependency_list(&self) -> Vec<String> {
        self.dependencies()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a requirement for the same distribution is present (any version or extras).
    pub(crate) fn has_dependency(&self, requirement: &str) -> bool {
        let wanted = requirement_name(requirement);
        self.dependency_list()
            .iter()
            .any(|dep| requirement_name(dep) == wanted)
    }

    /// Requirement strings of `[project.optional-dependencies] dev`.
    pub(crate) fn dev_dependency_list(&self) -> Vec<String> {
        self.doc
            .get("project")
            .and_then(|p| p.get("optional-dependencies"))
            .and_then(|o| o.get("dev"))
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The array of `list`, for editing.
    fn list_mut(&mut self, list: List) -> Option<&mut toml_edit::Array> {
        let project = self.doc.get_mut("project")?;
        let item = match list {
            List::Runtime => project.get_mut("dependencies")?,
            List::Dev => project.get_mut("optional-dependencies")?.get_mut("dev")?,
        };
        item.as_array_mut()
    }

    /// Adds a requirement to `[project] dependencies`; false when `[project]
    /// dependencies` is missing or not an array.
    pub(crate) fn add_dependency(&mut self, requirement: &str) -> bool {
        self.add_to(List::Runtime, requirement)
    }

    /// Adds a requirement to `[project.optional-dependencies] dev`; false when that list
    /// is missing or not an array.
    pub(crate) fn add_dev_dependency(&mut self, requirement: &str) -> bool {
        self.add_to(List::Dev, requirement)
    }

    /// Adds `requirement` to `list`, in sorted position when the list is sorted.
    fn add_to(&mut self, list: List, requirement: &str) -> bool {
        let Some(array) = self.list_mut(list) else {
            return false;
        };
        let keys: Vec<String> = array
            .iter()
            .map(|v| {
                v.as_str()
                    .map(|s| s.to_ascii_lowercase())
                    .unwrap_or_default()
            })
            .collect();
        let sorted = keys.windows(2).all(|w| w[0] <= w[1]);
        let new_key = requirement.to_ascii_lowercase();
        let index = if sorted {
            keys.iter().position(|k| *k > new_key).unwrap_or(keys.len())
        } else {
            keys.len()
        };
        let mut new_value = Value::from(requirement);
        // Copy the formatting (indentation) of a neighbour so the list keeps its shape.
        if let Some(neighbour) = array.get(if index < array.len() {
            index
        } else {
            index.saturating_sub(1)
        }) {
            // Only the indentation: a comment above the neighbour stays with it.
            let prefix = neighbour
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .map(|p| match p.rfind('\n') {
                    Some(at) => format!("\n{}", &p[at + 1..]),
                    None => p.to_string(),
                })
                .unwrap_or_default();
            new_value.decor_mut().set_prefix(prefix);
        }
        array.insert_formatted(index, new_value);
        true
    }

    /// Removes the requirement written exactly as `requirement` from `[project]
    /// dependencies` (the line `add_dependency` wrote); false when it is not there. A
    /// requirement for the same distribution written differently is the user's and stays.
    pub(crate) fn remove_dependency(&mut self, requirement: &str) -> bool {
        self.remove_from(List::Runtime, requirement)
    }

    /// Removes the requirement written exactly as `requirement` from
    /// `[project.optional-dependencies] dev`; false when it is not there.
    pub(crate) fn remove_dev_dependency(&mut self, requirement: &str) -> bool {
        self.remove_from(List::Dev, requirement)
    }

    fn remove_from(&mut self, list: List, requirement: &str) -> bool {
        let Some(array) = self.list_mut(list) else {
            return false;
        };
        let Some(index) = array.iter().position(|v| v.as_str() == Some(requirement)) else {
            return false;
        };
        array.remove(index);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_floors() {
        assert!(allows_at_least("aiokafka>=0.12.0", "0.12.0"));
        assert!(allows_at_least("aiokafka>=0.13", "0.12.0"));
        assert!(allows_at_least("aiokafka", "0.12.0"));
        assert!(allows_at_least("aiokafka>=0.12,<1", "0.12.0"));
        assert!(!allows_at_least("aiokafka>=0.11.0", "0.12.0"));
        assert!(!allows_at_least("aiokafka==0.11.2", "0.12.0"));
        assert!(!allows_at_least("aiokafka~=0.11", "0.12.0"));
        assert!(!allows_at_least("aiokafka<0.12", "0.12.0"));
        assert!(!allows_at_least("redis[hiredis]>=4.6", "5.0.0"));
        assert!(allows_at_least(
            "rq>=1.16.0 ; python_version >= '3.8'",
            "1.16.0"
        ));
    }

    const TEXT: &str = "[project]\nname = \"x\"\n# deps\ndependencies = [\n    \"fastapi>=0.115\",\n    \"sqlalchemy>=2.0\",\n    \"uvicorn[standard]>=0.30\",\n]\n";

    #[test]
    fn removing_an_added_dependency_restores_the_text() {
        for requirement in ["aiokafka>=0.12.0", "aaa>=1", "zzz>=1"] {
            let mut p = Pyproject::parse(TEXT).unwrap();
            assert!(p.add_dependency(requirement));
            let added = p.render();
            let mut p = Pyproject::parse(&added).unwrap();
            assert!(p.remove_dependency(requirement));
            assert_eq!(p.render(), TEXT, "{requirement}");
            assert!(!p.remove_dependency(requirement));
        }
    }

    #[test]
    fn adds_in_sorted_position_one_per_line() {
        let mut p = Pyproject::parse(TEXT).unwrap();
        assert!(p.add_dependency("pwdlib[argon2]>=0.2.0"));
        assert_eq!(
            p.render(),
            "[project]\nname = \"x\"\n# deps\ndependencies = [\n    \"fastapi>=0.115\",\n    \"pwdlib[argon2]>=0.2.0\",\n    \"sqlalchemy>=2.0\",\n    \"uvicorn[standard]>=0.30\",\n]\n"
        );
    }

    #[test]
    fn adds_last_in_sorted_position() {
        let mut p = Pyproject::parse(TEXT).unwrap();
        assert!(p.add_dependency("zzz>=1"));
        assert!(
            p.render()
                .contains("    \"uvicorn[standard]>=0.30\",\n    \"zzz>=1\",\n]"),
            "{}",
            p.render()
        );
    }

    #[test]
    fn keeps_comments_in_place_and_crlf_endings() {
        let text = "[project]\r\ndependencies = [\r\n    \"fastapi>=0.115\",\r\n    # settings\r\n    \"pydantic-settings>=2.7\",\r\n]\r\n";
        let mut p = Pyproject::parse(text).unwrap();
        assert!(p.add_dependency("pwdlib[argon2]>=0.2.0"));
        assert_eq!(
            p.render(),
            "[project]\r\ndependencies = [\r\n    \"fastapi>=0.115\",\r\n    \"pwdlib[argon2]>=0.2.0\",\r\n    # settings\r\n    \"pydantic-settings>=2.7\",\r\n]\r\n"
        );
    }

    #[test]
    fn detects_existing_dependency_by_name() {
        let p = Pyproject::parse(TEXT).unwrap();
        assert!(p.has_dependency("SQLAlchemy"));
        assert!(p.has_dependency("uvicorn"));
        assert!(!p.has_dependency("pwdlib[argon2]>=0.2.0"));
        assert_eq!(requirement_name("pwdlib[argon2]>=0.2.0"), "pwdlib");
        assert_eq!(
            requirement_name("Foo_Bar.baz ; python_version<'3.12'"),
            "foo-bar-baz"
        );
    }
}
