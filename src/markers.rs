//! The `# polepos:*` markers and the minimal splices made at them.
//!
//! Markers are whole comment lines (a compatibility contract with the older tool). New
//! code goes immediately above its marker. For import lines the splice goes to the line's
//! sorted position within the run of imports directly above the marker, so the file stays
//! clean under ruff's isort rules.

/// Where a marker belongs in its file; `check` validates it and `--fix` restores it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// At top level, after the import block (a blank line between them).
    AfterImports,
    /// At top level, after the last `include_router(...)` call.
    AfterIncludes,
    /// As the last line inside this top-level function.
    EndOfFunction(&'static str),
    /// As the last item inside the top-level `__all__ = [...]`.
    EndOfAll,
    /// Inside this class, before its `model_config` (settings markers).
    BeforeModelConfig(&'static str),
    /// At the end of the file (env files).
    EndOfFile,
}

impl Placement {
    /// Where the marker goes, for messages: "at top level after the import block".
    pub(crate) fn describe(self) -> String {
        match self {
            Placement::AfterImports => "at top level after the import block".into(),
            Placement::AfterIncludes => {
                "at top level after the last `api_router.include_router(...)`".into()
            }
            Placement::EndOfFunction(name) => {
                format!("as the last line inside `def {name}() -> None:`")
            }
            Placement::EndOfAll => "as the last item inside `__all__ = [...]`".into(),
            Placement::BeforeModelConfig(class) => {
                format!("inside `class {class}`, before `model_config`")
            }
            Placement::EndOfFile => "at the end of the file".into(),
        }
    }
}

/// A marker: the comment text, the file (relative to the package) it lives in, and
/// where in that file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marker {
    pub comment: &'static str,
    /// Path relative to the project root, with `{pkg}` standing for the package directory.
    pub file: &'static str,
    /// Indentation of the marker line (spaces).
    pub indent: usize,
    pub placement: Placement,
}

pub(crate) const ROUTER_IMPORTS: Marker = Marker {
    comment: "# polepos:router-imports",
    file: "src/{pkg}/api/router.py",
    indent: 0,
    placement: Placement::AfterImports,
};
pub(crate) const ROUTER_INCLUDES: Marker = Marker {
    comment: "# polepos:router-includes",
    file: "src/{pkg}/api/router.py",
    indent: 0,
    placement: Placement::AfterIncludes,
};
pub(crate) const MODEL_IMPORTS: Marker = Marker {
    comment: "# polepos:model-imports",
    file: "src/{pkg}/db/models.py",
    indent: 4,
    placement: Placement::EndOfFunction("import_models"),
};
pub(crate) const MODULE_EXPORTS: Marker = Marker {
    comment: "# polepos:module-exports",
    file: "src/{pkg}/modules/__init__.py",
    indent: 4,
    placement: Placement::EndOfAll,
};
pub(crate) const AUTH_SETTINGS: Marker = Marker {
    comment: "# polepos:auth-settings",
    file: "src/{pkg}/settings.py",
    indent: 4,
    placement: Placement::BeforeModelConfig("Settings"),
};
pub(crate) const INTEGRATION_SETTINGS: Marker = Marker {
    comment: "# polepos:integration-settings",
    file: "src/{pkg}/settings.py",
    indent: 4,
    placement: Placement::BeforeModelConfig("Settings"),
};
pub(crate) const LLM_SETTINGS: Marker = Marker {
    comment: "# polepos:llm-settings",
    file: "src/{pkg}/settings.py",
    indent: 4,
    placement: Placement::BeforeModelConfig("Settings"),
};
pub(crate) const AUTH_ENV: Marker = Marker {
    comment: "# polepos:auth-env",
    file: ".env.example",
    indent: 0,
    placement: Placement::EndOfFile,
};
pub(crate) const INTEGRATION_ENV: Marker = Marker {
    comment: "# polepos:integration-env",
    file: ".env.example",
    indent: 0,
    placement: Placement::EndOfFile,
};
pub(crate) const LLM_ENV: Marker = Marker {
    comment: "# polepos:llm-env",
    file: ".env.example",
    indent: 0,
    placement: Placement::EndOfFile,
};

/// Every marker, in file order.
pub(crate) const ALL: &[Marker] = &[
    ROUTER_IMPORTS,
    ROUTER_INCLUDES,
    MODEL_IMPORTS,
    MODULE_EXPORTS,
    AUTH_SETTINGS,
    INTEGRATION_SETTINGS,
    LLM_SETTINGS,
    AUTH_ENV,
    INTEGRATION_ENV,
    LLM_ENV,
];

impl Marker {
    /// The marker's file for a package.
    pub(crate) fn path(&self, pkg: &str) -> String {
        self.file.replace("{pkg}", pkg)
    }

    /// Whether the marker applies to a project in this db mode.
    pub(crate) fn needs_db(&self) -> bool {
        self.file.contains("/db/")
    }
}

/// The 0-based index of the marker's line, if present as a whole comment line.
pub(crate) fn find(text: &str, marker: &Marker) -> Option<usize> {
    text.lines().position(|line| line.trim() == marker.comment)
}

/// The byte offset where the marker's line starts, if the marker is present.
pub(crate) fn line_start(text: &str, marker: &Marker) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == marker.comment {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Sort key ruff's isort uses for a `from`/`import` line: straight imports first, then by
/// module path (case-insensitive, numbers in natural order: `m9` before `m10`), then by
/// the rest.
fn import_key(line: &str) -> Option<(u8, String, String)> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("from ") {
        let (module, tail) = rest.split_once(" import ")?;
        Some((1, natural(module.trim()), natural(tail)))
    } else {
        line.strip_prefix("import ")
            .map(|rest| (0, natural(rest.trim()), String::new()))
    }
}

/// `text` lower-cased, with every run of digits padded to one width, so that plain
/// string order is natural order (`m9` < `m10`, as ruff's isort sorts).
fn natural(text: &str) -> String {
    const WIDTH: usize = 20;
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            out.extend(std::iter::repeat_n('0', WIDTH.saturating_sub(digits.len())));
            out.push_str(&digits);
            digits.clear();
        }
        if c != '\0' {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The line length of generated projects (`[tool.ruff] line-length`).
pub(crate) const LINE_LENGTH: usize = 100;

/// One import statement, possibly wrapped over several lines in parentheses.
struct ImportStatement {
    first: usize,
    last: usize,
    key: (u8, String, String),
}

/// The import statements at `indent` that start before line `limit`, in order.
fn import_statements(lines: &[&str], indent: &str, limit: usize) -> Vec<ImportStatement> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < limit {
        let line = lines[i];
        let at_indent = line.starts_with(indent) && !line[indent.len()..].starts_with([' ', '\t']);
        match import_key(line).filter(|_| at_indent) {
            Some(key) => {
                let mut last = i;
                if line.contains('(') && !line.contains(')') {
                    while last + 1 < lines.len() && !lines[last].contains(')') {
                        last += 1;
                    }
                }
                found.push(ImportStatement {
                    first: i,
                    last,
                    key,
                });
                i = last + 1;
            }
            None => i += 1,
        }
    }
    found
}

/// Formats an import line as ruff format would: unchanged when it fits, else wrapped in
/// parentheses with a magic trailing comma (a trailing pragma comment such as
/// `# noqa: F401` does not count towards the width and stays on the imported name).
fn format_import(indent: &str, line: &str, nl: &str) -> String {
    let (code, comment) = match line.split_once("  #") {
        Some((code, comment)) => (code, Some(format!("  #{comment}"))),
        None => (line, None),
    };
    let fits = indent.chars().count() + code.chars().count() <= LINE_LENGTH;
    match code.split_once(" import ") {
        Some((head, names)) if !fits && head.starts_with("from ") && !names.contains('(') => {
            let comment = comment.unwrap_or_default();
            format!("{indent}{head} import ({nl}{indent}    {names},{comment}{nl}{indent}){nl}")
        }
        _ => format!("{indent}{line}{nl}"),
    }
}

/// Inserts `line` (without indentation) above the marker. With `sorted_import`, the line
/// is an import: it goes to its sorted place in the block of import statements directly
/// above the marker (the block may end a blank line above it, as ruff's isort wants),
/// wrapped the way ruff format would wrap it. Returns `None` when the marker is missing.
pub(crate) fn insert_above(
    text: &str,
    marker: &Marker,
    line: &str,
    sorted_import: bool,
) -> Option<String> {
    let nl = newline(text);
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let marker_index = lines.iter().position(|l| l.trim() == marker.comment)?;
    let indent: String = lines[marker_index]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let mut at = marker_index;
    let mut new_text = format!("{indent}{line}{nl}");
    if sorted_import && let Some(new_key) = import_key(line) {
        new_text = format_import(&indent, line, nl);
        let mut end = marker_index;
        while end > 0 && lines[end - 1].trim().is_empty() {
            end -= 1;
        }
        // The contiguous run of statements whose last one ends right before `end`.
        let statements = import_statements(&lines, &indent, end);
        let mut block: Vec<&ImportStatement> = Vec::new();
        let mut next_first = end;
        for statement in statements.iter().rev() {
            if statement.last + 1 != next_first {
                break;
            }
            block.push(statement);
            next_first = statement.first;
        }
        block.reverse();
        if !block.is_empty() {
            at = block
                .iter()
                .find(|s| s.key > new_key)
                .map_or(end, |s| s.first);
        }
    }
    lines.insert(at, &new_text);
    Some(lines.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTER: &str = "from fastapi import APIRouter\n\nfrom shop.modules.status.router import router as status_router\n# polepos:router-imports\n\napi_router = APIRouter()\napi_router.include_router(status_router, tags=[\"status\"])\n# polepos:router-includes\n";

    #[test]
    fn import_goes_to_its_sorted_place() {
        let out = insert_above(
            ROUTER,
            &ROUTER_IMPORTS,
            "from shop.auth.router import router as auth_router",
            true,
        )
        .unwrap();
        assert!(out.contains("\nfrom shop.auth.router import router as auth_router\nfrom shop.modules.status.router import router as status_router\n# polepos:router-imports\n"), "{out}");
        let out = insert_above(
            &out,
            &ROUTER_IMPORTS,
            "from shop.modules.zoo.router import router as zoo_router",
            true,
        )
        .unwrap();
        assert!(out.contains("status_router\nfrom shop.modules.zoo.router import router as zoo_router\n# polepos:router-imports"), "{out}");
    }

    #[test]
    fn numbers_in_module_paths_sort_naturally() {
        let key = |line: &str| import_key(line).unwrap();
        assert!(
            key("from shop.modules.m9.router import router")
                < key("from shop.modules.m10.router import router")
        );
        assert!(
            key("from shop.modules.v2_api import x") < key("from shop.modules.v10_api import x")
        );
        assert!(key("from shop.modules.a import x") < key("from shop.modules.b import x"));
    }

    #[test]
    fn import_joins_the_block_above_a_blank_line() {
        let text = "from fastapi import APIRouter\n\nfrom shop.modules.status.router import router as status_router\n\n# polepos:router-imports\n";
        let out = insert_above(
            text,
            &ROUTER_IMPORTS,
            "from shop.auth.router import router as auth_router",
            true,
        )
        .unwrap();
        assert_eq!(
            out,
            "from fastapi import APIRouter\n\nfrom shop.auth.router import router as auth_router\nfrom shop.modules.status.router import router as status_router\n\n# polepos:router-imports\n"
        );
        let out = insert_above(
            &out,
            &ROUTER_IMPORTS,
            "from shop.modules.zoo.router import router as zoo_router",
            true,
        )
        .unwrap();
        assert!(out.ends_with("status_router\nfrom shop.modules.zoo.router import router as zoo_router\n\n# polepos:router-imports\n"), "{out}");
    }

    #[test]
    fn long_imports_are_wrapped_like_ruff_format_and_wrapped_blocks_are_seen() {
        let pkg = "p".repeat(60);
        let text = format!(
            "from fastapi import APIRouter\n\nfrom {pkg}.modules.status.router import (\n    router as status_router,\n)\n\n# polepos:router-imports\n"
        );
        let out = insert_above(
            &text,
            &ROUTER_IMPORTS,
            &format!("from {pkg}.auth.router import router as auth_router"),
            true,
        )
        .unwrap();
        assert_eq!(
            out,
            format!(
                "from fastapi import APIRouter\n\nfrom {pkg}.auth.router import (\n    router as auth_router,\n)\nfrom {pkg}.modules.status.router import (\n    router as status_router,\n)\n\n# polepos:router-imports\n"
            )
        );
        let models =
            "def import_models() -> None:\n    \"\"\"Doc.\"\"\"\n    # polepos:model-imports\n";
        let out = insert_above(
            models,
            &MODEL_IMPORTS,
            &format!("from {pkg}.auth import model as auth_model  # noqa: F401"),
            true,
        )
        .unwrap();
        assert_eq!(
            out,
            format!(
                "def import_models() -> None:\n    \"\"\"Doc.\"\"\"\n    from {pkg}.auth import (\n        model as auth_model,  # noqa: F401\n    )\n    # polepos:model-imports\n"
            )
        );
        // 59 characters still fit: the pragma comment does not count.
        let short = "p".repeat(59);
        let out = insert_above(
            models,
            &MODEL_IMPORTS,
            &format!("from {short}.auth import model as auth_model  # noqa: F401"),
            true,
        )
        .unwrap();
        assert!(
            out.contains(&format!(
                "    from {short}.auth import model as auth_model  # noqa: F401\n"
            )),
            "{out}"
        );
    }

    #[test]
    fn statements_go_directly_above_with_the_marker_indent() {
        let text =
            "def import_models() -> None:\n    \"\"\"Doc.\"\"\"\n    # polepos:model-imports\n";
        let out = insert_above(
            text,
            &MODEL_IMPORTS,
            "from shop.auth import model as auth_model  # noqa: F401",
            true,
        )
        .unwrap();
        assert_eq!(
            out,
            "def import_models() -> None:\n    \"\"\"Doc.\"\"\"\n    from shop.auth import model as auth_model  # noqa: F401\n    # polepos:model-imports\n"
        );
        let out = insert_above(
            ROUTER,
            &ROUTER_INCLUDES,
            "api_router.include_router(a_router, prefix=\"/a\", tags=[\"a\"])",
            false,
        )
        .unwrap();
        assert!(out.ends_with("tags=[\"status\"])\napi_router.include_router(a_router, prefix=\"/a\", tags=[\"a\"])\n# polepos:router-includes\n"));
    }

    #[test]
    fn missing_marker_is_none() {
        assert!(insert_above("x = 1\n", &ROUTER_IMPORTS, "import y", true).is_none());
        assert_eq!(find(ROUTER, &ROUTER_INCLUDES), Some(7));
    }
}
