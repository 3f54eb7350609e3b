//! Python files read with a real parser (ruff's own, `ruff_python_parser`: current
//! Python syntax, f-strings of 3.12 included), summarised for the checks. Nothing outside
//! this module sees the parser's API.
//!
//! The checks ask meaning-level questions — "is the status router imported, under which
//! name, and included with which prefix?" — so a file is parsed once and reduced to a
//! small [`PyFile`]: its imports (with the scope they run in), its top-level
//! `x.include_router(...)` calls, its `__all__`, its top-level functions and classes. The
//! syntax tree itself is dropped right away, which keeps memory flat on large projects.
//!
//! A file that does not parse gives a [`SyntaxIssue`] with the line of the error. The
//! parser is also guarded against panics on hostile input: `check` must survive any bytes.

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use ruff_python_ast::{Expr, ModModule, Stmt};
use ruff_python_parser::Parsed;

pub(crate) mod foundation;
pub(crate) mod limits;
mod walk;

/// One imported name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Import {
    /// Absolute module path (`shop.modules.orders.router`), relative imports resolved.
    pub module: String,
    /// For `from m import n`: `n`; `None` for `import m`.
    pub name: Option<String>,
    /// The name bound in the importing file (`orders_router`, or `shop` for `import shop.x`).
    pub bound: String,
    /// 1-based first and last line of the statement.
    pub line: usize,
    pub end_line: usize,
    pub scope: Scope,
}

impl Import {
    /// The full dotted path of what was imported (`m.n` for `from m import n`).
    pub(crate) fn target(&self) -> String {
        match &self.name {
            Some(name) => format!("{}.{name}", self.module),
            None => self.module.clone(),
        }
    }
}

/// A keyword argument of an include call: absent, a literal, or some other expression.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Arg<T> {
    #[default]
    Absent,
    Literal(T),
    Other,
}

/// A top-level `<receiver>.include_router(<router>, prefix=..., tags=...)` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Include {
    pub receiver: String,
    /// The first positional argument when it is a plain name (`orders_router`) or an
    /// attribute of one (`orders_router.router`, a router module's `router`).
    pub router: Option<String>,
    pub prefix: Arg<String>,
    pub tags: Arg<Vec<String>>,
    pub line: usize,
    pub end_line: usize,
}

/// A top-level `<name> = APIRouter(prefix=..., tags=...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouterDef {
    pub name: String,
    pub prefix: Arg<String>,
    pub tags: Arg<Vec<String>>,
    pub line: usize,
}

/// A top-level `__all__ = [...]` (also `+=` and annotated forms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllList {
    /// String items with their lines.
    pub items: Vec<(String, usize)>,
    /// Lines of the (last) assignment's value: opening and closing bracket.
    pub start_line: usize,
    pub end_line: usize,
}

/// A top-level function definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Function {
    pub name: String,
    pub line: usize,
    pub end_line: usize,
}

/// A top-level class definition and the names assigned in its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Class {
    pub name: String,
    pub line: usize,
    pub end_line: usize,
    /// Field (or other assigned name) and its line.
    pub fields: Vec<(String, usize)>,
}

/// What the checks need from one Python file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PyFile {
    pub(crate) imports: Vec<Import>,
    pub(crate) includes: Vec<Include>,
    /// Top-level `APIRouter(...)` assignments.
    pub(crate) routers: Vec<RouterDef>,
    pub(crate) all: Option<AllList>,
    pub(crate) functions: Vec<Function>,
    pub(crate) classes: Vec<Class>,
    /// Names assigned at top level, with the first and last line of the statement.
    pub assigned: Vec<(String, usize, usize)>,
    /// Last line of the last top-level import statement.
    pub last_top_import_end: Option<usize>,
    /// Last line of the module docstring, if any.
    pub docstring_end: Option<usize>,
    /// First line of every top-level statement, in order.
    pub top_level_starts: Vec<usize>,
    /// Lookup tables built once after parsing, so per-module questions stay O(1) on
    /// files with thousands of imports and includes.
    index: Index,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Index {
    /// Package (`shop.modules.orders`) → name bound to its `router` by a top-level
    /// `from <package>.router import router [as x]` or `from <package> import router`.
    router_bindings: HashMap<String, String>,
    /// Router name → index of its first include.
    includes: HashMap<String, usize>,
    /// Every module an executed import loads, with all its parent packages, plus
    /// `<module>.<name>` for `from` imports.
    targets: HashSet<String>,
    /// Items of `__all__`.
    exports: HashSet<String>,
}

impl PyFile {
    fn build_index(&mut self) {
        let mut index = Index::default();
        for import in &self.imports {
            if import.scope == Scope::TypeChecking {
                continue;
            }
            let mut module = import.module.as_str();
            loop {
                index.targets.insert(module.to_string());
                match module.rsplit_once('.') {
                    Some((parent, _)) => module = parent,
                    None => break,
                }
            }
            if let Some(name) = &import.name {
                index.targets.insert(format!("{}.{name}", import.module));
                if import.scope == Scope::TopLevel && name == "router" {
                    let stripped = import.module.strip_suffix(".router");
                    for package in stripped.into_iter().chain([import.module.as_str()]) {
                        index
                            .router_bindings
                            .entry(package.to_string())
                            .or_insert_with(|| import.bound.clone());
                    }
                }
            }
        }
        for (position, include) in self.includes.iter().enumerate() {
            if let Some(router) = &include.router {
                index.includes.entry(router.clone()).or_insert(position);
            }
        }
        if let Some(all) = &self.all {
            index.exports = all.items.iter().map(|(item, _)| item.clone()).collect();
        }
        self.index = index;
    }

    /// The name bound to `<package>.router`'s `router` at top level.
    pub(crate) fn router_binding(&self, package: &str) -> Option<&str> {
        self.index.router_bindings.get(package).map(String::as_str)
    }

    /// The first include of the router bound to `name`.
    pub(crate) fn include_of(&self, name: &str) -> Option<&Include> {
        self.index
            .includes
            .get(name)
            .and_then(|i| self.includes.get(*i))
    }

    /// Whether an executed import loads the module `dotted` (or imports it by name).
    pub(crate) fn imports(&self, dotted: &str) -> bool {
        self.index.targets.contains(dotted)
    }

    /// Whether `__all__` lists `name`.
    pub(crate) fn exports(&self, name: &str) -> bool {
        self.index.exports.contains(name)
    }

    /// Whether `line` lies in the block opened by the top-level statement starting at
    /// `opener` (i.e. after it, before the next top-level statement).
    pub(crate) fn in_block(&self, opener: usize, line: usize) -> bool {
        line > opener
            && !self
                .top_level_starts
                .iter()
                .any(|s| *s > opener && *s <= line)
    }

    /// The names the file binds at top level as far as the summary tells: executed
    /// imports, assignments, functions, classes and the items of `__all__`. Every one
    /// occurs in the text as a word; names bound in other ways are not listed.
    pub(crate) fn defined_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .imports
            .iter()
            .filter(|i| i.scope != Scope::TypeChecking)
            .map(|i| i.bound.clone())
            .chain(self.assigned.iter().map(|(n, _, _)| n.clone()))
            .chain(self.functions.iter().map(|f| f.name.clone()))
            .chain(self.classes.iter().map(|c| c.name.clone()))
            .collect();
        if let Some(all) = &self.all {
            out.extend(all.items.iter().map(|(n, _)| n.clone()));
        }
        out
    }

    pub(crate) fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    pub(crate) fn class(&self, name: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.name == name)
    }
}

/// A file that does not parse: its first syntax error, and how many more the parser
/// recovered from (one issue per file, however many errors it has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxIssue {
    pub line: usize,
    /// 1-based column (in characters) of the first error.
    pub column: usize,
    pub message: String,
    pub(crate) kind: Unparsed,
}

/// Why a file gave no syntax tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unparsed {
    /// The parser found a syntax error.
    SyntaxError,
    /// Nested deeper than Python itself accepts (see [`limits`]): Python cannot compile it.
    BeyondPython,
    /// Larger or possibly deeper than polepos parses (see [`limits`]): not read.
    NotChecked,
}

impl SyntaxIssue {
    /// The issue for a file whose first `MAX_SOURCE_BYTES` were read and that is larger.
    pub(crate) fn too_large() -> SyntaxIssue {
        SyntaxIssue {
            line: 1,
            column: 1,
            message: format!(
                "the file is larger than {} MiB, so polepos does not parse it",
                limits::MAX_SOURCE_BYTES >> 20
            ),
            kind: Unparsed::NotChecked,
        }
    }

    fn beyond(beyond: limits::Beyond) -> SyntaxIssue {
        let (line, message, kind) = match beyond {
            limits::Beyond::Size => return SyntaxIssue::too_large(),
            limits::Beyond::PythonLimit { line, message } => {
                (line, message, Unparsed::BeyondPython)
            }
            limits::Beyond::ExpressionDepth { line } => (
                line,
                format!(
                    "an expression here may nest more than {} levels deep, so polepos does not parse the file",
                    limits::MAX_EXPRESSION_DEPTH
                ),
                Unparsed::NotChecked,
            ),
        };
        SyntaxIssue {
            line,
            column: 1,
            message,
            kind,
        }
    }
}

/// Parses a module within [`limits`], so memory, time and stack stay bounded, and guarded
/// against panics on hostile input (`None`, as for a file that cannot be parsed).
fn parse_guarded(text: &str) -> Result<Parsed<ModModule>, Option<limits::Beyond>> {
    limits::measure(text).map_err(Some)?;
    catch_unwind(AssertUnwindSafe(|| {
        ruff_python_parser::parse_unchecked_source(text, ruff_python_ast::PySourceType::Python)
    }))
    .map_err(|_| None)
}

/// Parses `text`. `package` is the dotted package the file belongs to (the file's own
/// module for `__init__.py`), used to resolve relative imports.
pub fn parse(text: &str, package: &str) -> Result<PyFile, SyntaxIssue> {
    let index = LineIndex::new(text);
    let parsed = parse_checked(text, &index)?;
    let mut walker = Walker {
        index: &index,
        package,
        file: PyFile::default(),
    };
    walker.top_level(&parsed.syntax().body);
    let mut file = walker.file;
    file.build_index();
    Ok(file)
}

/// The dotted package a file belongs to, from its path relative to the project root
/// (`src/shop/api/router.py` → `shop.api`), for resolving its relative imports.
pub(crate) fn package_of(path: &str) -> String {
    std::path::Path::new(path)
        .parent()
        .map(|p| {
            p.strip_prefix("src")
                .unwrap_or(p)
                .to_string_lossy()
                .replace('/', ".")
        })
        .unwrap_or_default()
}

/// Only whether `text` parses (for files no rule reads beyond their syntax).
pub(crate) fn syntax_error(text: &str) -> Option<SyntaxIssue> {
    parse_checked(text, &LineIndex::new(text)).err()
}

/// The parsed module, or its first syntax error with the count of the others.
fn parse_checked(text: &str, index: &LineIndex) -> Result<Parsed<ModModule>, SyntaxIssue> {
    let parsed = match parse_guarded(text) {
        Ok(parsed) => parsed,
        Err(Some(beyond)) => return Err(SyntaxIssue::beyond(beyond)),
        Err(None) => {
            return Err(SyntaxIssue {
                line: 1,
                column: 1,
                message: "the file could not be parsed".to_string(),
                kind: Unparsed::SyntaxError,
            });
        }
    };
    if let Some(first) = parsed.errors().first() {
        let offset = first.location.start().to_u32();
        let line = index.line(offset);
        let line_start = index.start(line);
        let column = text
            .get(
                line_start
                    ..usize::try_from(offset)
                        .unwrap_or(usize::MAX)
                        .min(text.len()),
            )
            .map_or(1, |prefix| prefix.chars().count() + 1);
        let more = parsed.errors().len() - 1;
        let mut message = first.error.to_string();
        if more > 0 {
            message.push_str(&format!(
                " (and {more} more syntax error{} in this file)",
                if more == 1 { "" } else { "s" }
            ));
        }
        return Err(SyntaxIssue {
            line,
            column,
            message,
            kind: Unparsed::SyntaxError,
        });
    }
    Ok(parsed)
}

/// Parses a single statement line (e.g. `__tablename__ = "orders"`) and returns the
/// string assigned to `name`, if that is what the line is.
pub(crate) fn assigned_string(line: &str, name: &str) -> Option<String> {
    let line = line.trim();
    let parsed = parse_guarded(line).ok()?;
    match (parsed.errors().is_empty(), parsed.syntax().body.as_slice()) {
        (true, [stmt]) => assigned_in(stmt, name),
        _ => None,
    }
}

fn assigned_in(stmt: &Stmt, name: &str) -> Option<String> {
    let (targets, value): (Vec<&Expr>, Option<&Expr>) = match stmt {
        Stmt::Assign(a) => (a.targets.iter().collect(), Some(&*a.value)),
        Stmt::AnnAssign(a) => (vec![&*a.target], a.value.as_deref()),
        _ => return None,
    };
    if !targets.iter().any(|t| name_of(t) == Some(name)) {
        return None;
    }
    string_literal(value?)
}

/// Byte offsets of line starts, to turn parser offsets into 1-based line numbers.
#[derive(Debug, Clone)]
struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|offset| u32::try_from(offset + 1).unwrap_or(u32::MAX)),
        );
        LineIndex { starts }
    }

    /// The byte offset where 1-based `line` starts.
    fn start(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .map_or(0, |s| *s as usize)
    }

    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(index) => index + 1,
            Err(index) => index,
        }
    }
}

#[cfg(test)]
use walk::resolve;
use walk::{Walker, name_of, string_literal};

/// Where an import statement runs, which decides whether it matters at import time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Module level (also inside top-level `if`/`try`/`with` blocks and class bodies).
    TopLevel,
    /// Inside the named top-level function (at any depth).
    Function(String),
    /// Under `if TYPE_CHECKING:`; never executed.
    TypeChecking,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_from_offsets() {
        let index = LineIndex::new("a\nbc\n\nd");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(1), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(5), 3);
        assert_eq!(index.line(6), 4);
        assert_eq!(index.line(60), 4);
    }

    const ROUTER: &str = r#""""Root API router."""

from fastapi import APIRouter

from shop.auth.router import router as auth_router
from shop.modules.status.router import router as status_router
# polepos:router-imports

api_router = APIRouter()

api_router.include_router(status_router, tags=["status"])
api_router.include_router(
    auth_router,
    prefix="/auth",
    tags=["auth"],
)
# polepos:router-includes
"#;

    #[test]
    fn router_file_summary() {
        let file = parse(ROUTER, "shop.api").unwrap();
        assert_eq!(file.docstring_end, Some(1));
        assert_eq!(file.last_top_import_end, Some(6));
        let targets: Vec<String> = file.imports.iter().map(Import::target).collect();
        assert_eq!(
            targets,
            [
                "fastapi.APIRouter",
                "shop.auth.router.router",
                "shop.modules.status.router.router"
            ]
        );
        assert_eq!(file.imports[2].bound, "status_router");
        assert_eq!(file.includes.len(), 2);
        assert_eq!(file.includes[0].router.as_deref(), Some("status_router"));
        assert_eq!(file.includes[0].prefix, Arg::Absent);
        assert_eq!(
            file.includes[0].tags,
            Arg::Literal(vec!["status".to_string()])
        );
        assert_eq!(file.includes[1].prefix, Arg::Literal("/auth".to_string()));
        assert_eq!((file.includes[1].line, file.includes[1].end_line), (12, 16));
        assert_eq!(file.assigned, [("api_router".to_string(), 9, 9)]);
    }

    #[test]
    fn scopes_and_relative_imports() {
        let text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..b import x\nfrom . import y\ndef import_models() -> None:\n    from shop.modules.a import model  # noqa: F401\n    if True:\n        import shop.auth.model\n";
        let file = parse(text, "shop.modules.a").unwrap();
        let got: Vec<(String, Scope)> = file
            .imports
            .iter()
            .map(|i| (i.target(), i.scope.clone()))
            .collect();
        let f = Scope::Function("import_models".to_string());
        assert_eq!(
            got,
            [
                ("typing.TYPE_CHECKING".to_string(), Scope::TopLevel),
                ("shop.modules.b.x".to_string(), Scope::TypeChecking),
                ("shop.modules.a.y".to_string(), Scope::TopLevel),
                ("shop.modules.a.model".to_string(), f.clone()),
                ("shop.auth.model".to_string(), f),
            ]
        );
        assert_eq!(
            file.function("import_models").map(|f| (f.line, f.end_line)),
            Some((5, 8))
        );
    }

    #[test]
    fn all_list_and_class_fields() {
        let text = "__all__ = [\n    \"status\",\n    \"orders\",\n    # polepos:module-exports\n]\n\nclass Settings(BaseSettings):\n    app_name: str = \"x\"\n    model_config = SettingsConfigDict()\n";
        let file = parse(text, "shop.modules").unwrap();
        let all = file.all.unwrap();
        assert_eq!(
            all.items,
            [("status".to_string(), 2), ("orders".to_string(), 3)]
        );
        assert_eq!((all.start_line, all.end_line), (1, 5));
        let settings = file.classes.first().unwrap();
        assert_eq!(
            settings.fields,
            [("app_name".to_string(), 8), ("model_config".to_string(), 9)]
        );
    }

    #[test]
    fn syntax_errors_have_lines() {
        let err = parse("import os\n\ndef f(:\n    pass\n", "x").unwrap_err();
        assert_eq!(err.line, 3, "{err:?}");
        assert!(parse("x = (\n", "x").is_err());
    }

    #[test]
    fn every_recovered_error_is_counted_in_one_issue_with_its_column() {
        let err = parse("x = 1\ny = = 2\ndef f(:\n    pass\n", "x").unwrap_err();
        assert_eq!((err.line, err.column), (2, 5), "{err:?}");
        assert!(err.message.contains("more syntax error"), "{err:?}");
    }

    #[test]
    fn python_3_12_f_strings_parse() {
        let text = "names = {\"a\": 1}\nmessage = f\"{names[\"a\"]} and {f\"{1 + 1}\"}\"\n";
        assert!(parse(text, "x").is_ok(), "{:?}", parse(text, "x"));
        let generic = "def first[T](items: list[T]) -> T:\n    return items[0]\n\ntype Pair = tuple[int, int]\n";
        assert!(parse(generic, "x").is_ok());
    }

    #[test]
    fn single_assignment_lines() {
        assert_eq!(
            assigned_string("    __tablename__ = 'orders'", "__tablename__").as_deref(),
            Some("orders")
        );
        assert_eq!(
            assigned_string("__tablename__: str = \"a\"", "__tablename__").as_deref(),
            Some("a")
        );
        assert_eq!(
            assigned_string("__tablename__ = name", "__tablename__"),
            None
        );
        assert_eq!(assigned_string("x = 'a'", "__tablename__"), None);
    }

    #[test]
    fn relative_resolution() {
        assert_eq!(resolve("a.b.c", 1, "d").as_deref(), Some("a.b.c.d"));
        assert_eq!(resolve("a.b.c", 2, "").as_deref(), Some("a.b"));
        assert_eq!(resolve("a", 3, "x"), None);
    }
}
