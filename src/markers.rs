//! The `# polepos:*` markers and the minimal splices made at them.
//!
//! Markers are whole comment lines (a compatibility contract with the older tool). New
//! code goes immediately above its marker. For import lines the splice goes to the line's
//! sorted position within the run of imports directly above the marker, so the file stays
//! clean under ruff's isort rules.

/// A marker: the comment text and the file (relative to the package) it lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    pub comment: &'static str,
    /// Path relative to the project root, with `{pkg}` standing for the package directory.
    pub file: &'static str,
    /// Indentation of the marker line (spaces).
    pub indent: usize,
}

pub const ROUTER_IMPORTS: Marker = Marker {
    comment: "# polepos:router-imports",
    file: "src/{pkg}/api/router.py",
    indent: 0,
};
pub const ROUTER_INCLUDES: Marker = Marker {
    comment: "# polepos:router-includes",
    file: "src/{pkg}/api/router.py",
    indent: 0,
};
pub const MODEL_IMPORTS: Marker = Marker {
    comment: "# polepos:model-imports",
    file: "src/{pkg}/db/models.py",
    indent: 4,
};
pub const MODULE_EXPORTS: Marker = Marker {
    comment: "# polepos:module-exports",
    file: "src/{pkg}/modules/__init__.py",
    indent: 4,
};
pub const AUTH_SETTINGS: Marker = Marker {
    comment: "# polepos:auth-settings",
    file: "src/{pkg}/settings.py",
    indent: 4,
};
pub const INTEGRATION_SETTINGS: Marker = Marker {
    comment: "# polepos:integration-settings",
    file: "src/{pkg}/settings.py",
    indent: 4,
};
pub const LLM_SETTINGS: Marker = Marker {
    comment: "# polepos:llm-settings",
    file: "src/{pkg}/settings.py",
    indent: 4,
};
pub const AUTH_ENV: Marker = Marker {
    comment: "# polepos:auth-env",
    file: ".env.example",
    indent: 0,
};
pub const INTEGRATION_ENV: Marker = Marker {
    comment: "# polepos:integration-env",
    file: ".env.example",
    indent: 0,
};
pub const LLM_ENV: Marker = Marker {
    comment: "# polepos:llm-env",
    file: ".env.example",
    indent: 0,
};

/// Every marker, in file order.
pub const ALL: &[Marker] = &[
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
    pub fn path(&self, pkg: &str) -> String {
        self.file.replace("{pkg}", pkg)
    }

    /// Whether the marker applies to a project in this db mode.
    pub fn needs_db(&self) -> bool {
        self.file.contains("/db/")
    }
}

/// The 0-based index of the marker's line, if present as a whole comment line.
pub fn find(text: &str, marker: &Marker) -> Option<usize> {
    text.lines().position(|line| line.trim() == marker.comment)
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Sort key ruff's isort uses for a `from`/`import` line: straight imports first, then by
/// module path (case-insensitive), then by the rest.
fn import_key(line: &str) -> Option<(u8, String, String)> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("from ") {
        let (module, tail) = rest.split_once(" import ")?;
        Some((
            1,
            module.trim().to_ascii_lowercase(),
            tail.to_ascii_lowercase(),
        ))
    } else {
        line.strip_prefix("import ")
            .map(|rest| (0, rest.trim().to_ascii_lowercase(), String::new()))
    }
}

/// Inserts `line` (without indentation) above the marker. With `sorted_import`, the line
/// goes to its sorted place in the run of import lines directly above the marker.
/// Returns `None` when the marker is missing.
pub fn insert_above(
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
    if sorted_import && let Some(new_key) = import_key(line) {
        // The import block may end a blank line above the marker (ruff's isort wants one
        // blank line after imports); the new import joins that block at its sorted place.
        let mut end = marker_index;
        while end > 0 && lines[end - 1].trim().is_empty() {
            end -= 1;
        }
        let mut start = end;
        while start > 0
            && import_key(lines[start - 1]).is_some()
            && lines[start - 1].starts_with(&indent)
        {
            start -= 1;
        }
        if start < end {
            at = (start..end)
                .find(|&i| import_key(lines[i]).is_some_and(|k| k > new_key))
                .unwrap_or(end);
        }
    }
    let new_line = format!("{indent}{line}{nl}");
    lines.insert(at, &new_line);
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
