//! Project and module names: validation and normalisation to a Python package name.
//!
//! The rules are part of the compatibility contract: a name is trimmed, must match
//! `^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`, and is normalised by lower-casing,
//! mapping every other character to `_`, collapsing `_` runs and trimming `_`. A project
//! package must also not shadow a module the project imports (standard library,
//! dependencies, `tests`, `migrations`); a module must not collide with the package's
//! own top-level packages. Each rejection names the rule it broke.

use crate::error::Refusal;

/// Python keywords (hard and soft), none of which can be a package name.
#[rustfmt::skip]
pub(crate) const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case", "type", "_",
];

/// `sys.stdlib_module_names` of CPython 3.11 and later (public names).
#[rustfmt::skip]
const STDLIB: &[&str] = &[
    "abc", "aifc", "annotationlib", "antigravity", "argparse", "array", "ast", "asynchat",
    "asyncio", "asyncore", "atexit", "audioop", "base64", "bdb", "binascii", "bisect", "builtins",
    "bz2", "cProfile", "calendar", "cgi", "cgitb", "chunk", "cmath", "cmd", "code", "codecs",
    "codeop", "collections", "colorsys", "compileall", "compression", "concurrent", "configparser",
    "contextlib", "contextvars", "copy", "copyreg", "crypt", "csv", "ctypes", "curses",
    "dataclasses", "datetime", "dbm", "decimal", "difflib", "dis", "distutils", "doctest", "email",
    "encodings", "ensurepip", "enum", "errno", "faulthandler", "fcntl", "filecmp", "fileinput",
    "fnmatch", "fractions", "ftplib", "functools", "gc", "genericpath", "getopt", "getpass",
    "gettext", "glob", "graphlib", "grp", "gzip", "hashlib", "heapq", "hmac", "html", "http",
    "idlelib", "imaplib", "imghdr", "imp", "importlib", "inspect", "io", "ipaddress", "itertools",
    "json", "keyword", "lib2to3", "linecache", "locale", "logging", "lzma", "mailbox", "mailcap",
    "marshal", "math", "mimetypes", "mmap", "modulefinder", "msilib", "msvcrt", "multiprocessing",
    "netrc", "nis", "nntplib", "nt", "ntpath", "nturl2path", "numbers", "opcode", "operator",
    "optparse", "os", "ossaudiodev", "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil",
    "platform", "plistlib", "poplib", "posix", "posixpath", "pprint", "profile", "pstats", "pty",
    "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data", "pyexpat", "queue", "quopri", "random",
    "re", "readline", "reprlib", "resource", "rlcompleter", "runpy", "sched", "secrets", "select",
    "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtpd", "smtplib", "sndhdr",
    "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants", "sre_parse",
    "ssl", "stat", "statistics", "string", "stringprep", "struct", "subprocess", "sunau",
    "symtable", "sys", "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib", "tempfile",
    "termios", "textwrap", "this", "threading", "time", "timeit", "tkinter", "token", "tokenize",
    "tomllib", "trace", "traceback", "tracemalloc", "tty", "turtle", "turtledemo", "types",
    "typing", "unicodedata", "unittest", "urllib", "uu", "uuid", "venv", "warnings", "wave",
    "weakref", "webbrowser", "winreg", "winsound", "wsgiref", "xdrlib", "xml", "xmlrpc", "zipapp",
    "zipfile", "zipimport", "zlib", "zoneinfo",
];

/// Import names of the generated project's dependencies and tools, plus the project's
/// own top-level directories that are importable.
#[rustfmt::skip]
const DEPENDENCIES: &[&str] = &[
    "fastapi", "starlette", "pydantic", "pydantic_settings", "pydantic_core", "sqlalchemy",
    "alembic", "jwt", "pwdlib", "argon2", "_argon2_cffi_bindings", "uvicorn", "httpx", "httpx2",
    "httpcore", "httpcore2", "pytest", "_pytest", "py", "psycopg", "psycopg_binary", "mypy",
    "mypyc", "mypy_extensions", "ruff", "email_validator", "dotenv", "anyio", "sniffio", "h11",
    "idna", "certifi", "click", "typing_extensions", "typing_inspection", "annotated_types",
    "annotated_doc", "mako", "markupsafe", "greenlet", "watchfiles", "websockets", "uvloop",
    "httptools", "yaml", "_yaml", "multipart", "python_multipart", "dns", "iniconfig", "pluggy",
    "packaging", "pygments", "pathspec", "cffi", "pycparser", "librt", "ast_serialize",
    "opentelemetry", "truststore", "hatchling", "setuptools", "pip", "wheel", "uv", "tests",
    "migrations", "src",
];

/// Distribution names of the generated project's dependencies (direct and transitive,
/// with auth and the dev tools): a project of the same name would depend on itself.
#[rustfmt::skip]
const DISTRIBUTIONS: &[&str] = &[
    "fastapi", "starlette", "pydantic", "pydantic-settings", "pydantic-core", "sqlalchemy",
    "alembic", "pyjwt", "pwdlib", "argon2-cffi", "argon2-cffi-bindings", "uvicorn", "httpx",
    "httpx2", "httpcore", "httpcore2", "pytest", "psycopg", "psycopg-binary", "mypy",
    "mypy-extensions", "ruff", "email-validator", "python-dotenv", "anyio", "sniffio", "h11",
    "idna", "certifi", "click", "typing-extensions", "typing-inspection", "annotated-types",
    "annotated-doc", "mako", "markupsafe", "greenlet", "watchfiles", "websockets", "uvloop",
    "httptools", "pyyaml", "python-multipart", "dnspython", "iniconfig", "pluggy", "packaging",
    "pygments", "pathspec", "cffi", "pycparser", "librt", "ast-serialize", "opentelemetry-api",
    "truststore", "hatchling", "setuptools", "pip", "wheel", "uv",
];

/// Top-level packages inside every generated project package; a module cannot take these names.
#[rustfmt::skip]
const RESERVED_MODULE_NAMES: &[&str] = &[
    "api", "auth", "bootstrap", "db", "domain", "modules", "integrations", "app", "main", "run",
    "settings",
];

/// The longest project package name whose generated code stays ruff-clean.
const MAX_PROJECT_PACKAGE_LEN: usize = 64;

/// What kind of name is being validated (changes the wording and the extra rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    Project,
    Module,
}

impl NameKind {
    fn noun(self) -> &'static str {
        match self {
            NameKind::Project => "project name",
            NameKind::Module => "module name",
        }
    }
}

/// A validated name and the package name derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidName {
    /// The trimmed name as the user typed it (used for the directory and `APP_NAME`).
    pub name: String,
    /// The normalised Python package name.
    pub package: String,
}

/// Normalises a syntactically valid name to a package name (no validation).
pub(crate) fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars() {
        let mapped = if ch.is_ascii_alphanumeric() {
            ch.to_ascii_lowercase()
        } else {
            '_'
        };
        if mapped == '_' && out.ends_with('_') {
            continue;
        }
        out.push(mapped);
    }
    out.trim_matches('_').to_string()
}

/// Whether `name` is a valid Python identifier that is not a hard keyword (non-ASCII
/// letters count, as in Python).
pub(crate) fn is_python_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start_ok = first == '_' || first.is_alphabetic();
    start_ok && chars.all(|c| c == '_' || c.is_alphanumeric()) && !HARD_KEYWORDS.contains(&name)
}

/// Python's hard keywords; soft keywords (`match`, `type`, …) are valid identifiers.
const HARD_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// An ASCII identifier: what a normalised name must be (keywords are refused apart).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn matches_name_pattern(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge_ok = |b: u8| b.is_ascii_alphanumeric();
    let inner_ok = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    match bytes {
        [] => false,
        [only] => edge_ok(*only),
        [first, middle @ .., last] => {
            edge_ok(*first) && edge_ok(*last) && middle.iter().all(|b| inner_ok(*b))
        }
    }
}

/// Validates a name for `start` (project) or `add module` (module).
///
/// Module-specific collisions with existing modules and tables are checked by the caller,
/// which knows the project.
pub(crate) fn validate(raw: &str, kind: NameKind) -> Result<ValidName, Refusal> {
    let noun = kind.noun();
    let name = raw.trim();
    let reject =
        |message: String, hint: &str| Err(Refusal::new(message).with_hint(hint.to_string()));
    if name.is_empty() {
        return reject(
            format!("the {noun} is empty"),
            "pass a name such as `shop-api`",
        );
    }
    if name.chars().any(char::is_whitespace) {
        return reject(
            format!("invalid {noun} `{name}`: it contains whitespace"),
            "use `-` or `_` between words, e.g. `shop-api`",
        );
    }
    if name.contains('/') || name.contains('\\') {
        return reject(
            format!("invalid {noun} `{name}`: it contains a path separator"),
            "pass a plain name (no `/`); run the command from the directory that should contain the project",
        );
    }
    if !matches_name_pattern(name) {
        return reject(
            format!(
                "invalid {noun} `{name}`: it must start and end with a letter or digit and contain only letters, digits, `.`, `_` and `-`"
            ),
            "use a name such as `shop-api` or `shop_api`",
        );
    }
    let package = normalise(name);
    if !is_identifier(&package) {
        return reject(
            format!(
                "invalid {noun} `{name}`: its package name `{package}` is not a valid Python identifier (it must not start with a digit)"
            ),
            "start the name with a letter, e.g. `app-<name>`",
        );
    }
    if KEYWORDS.contains(&package.as_str()) {
        return Err(Refusal::new(format!(
            "invalid {noun} `{name}`: its package name `{package}` is a Python keyword"
        ))
        .with_hint(format!("choose another name, e.g. `{package}-app`")));
    }
    match kind {
        NameKind::Project => {
            if package.len() > MAX_PROJECT_PACKAGE_LEN {
                return Err(Refusal::new(format!(
                    "invalid {noun} `{name}`: its package name is {} characters long; at most {MAX_PROJECT_PACKAGE_LEN} keep the generated code within ruff's line length",
                    package.len()
                ))
                .with_hint("choose a shorter name"));
            }
            if STDLIB.contains(&package.as_str()) {
                return Err(Refusal::new(format!(
                    "invalid {noun} `{name}`: its package name `{package}` shadows the Python standard-library module `{package}`"
                ))
                .with_hint(format!("choose another name, e.g. `{package}-api`")));
            }
            if DEPENDENCIES.contains(&package.as_str()) {
                return Err(Refusal::new(format!(
                    "invalid {noun} `{name}`: its package name `{package}` shadows `{package}`, which the generated project imports"
                ))
                .with_hint(format!("choose another name, e.g. `{package}-api`")));
            }
            let distribution = crate::pyproject::requirement_name(name);
            if DISTRIBUTIONS.contains(&distribution.as_str()) {
                return Err(Refusal::new(format!(
                    "invalid {noun} `{name}`: its distribution name `{distribution}` is the name of a package the generated project depends on"
                ))
                .with_hint(format!("choose another name, e.g. `{name}-api`")));
            }
        }
        NameKind::Module => {
            if RESERVED_MODULE_NAMES.contains(&package.as_str()) {
                return Err(Refusal::new(format!(
                    "invalid {noun} `{name}`: `{package}` is one of the package's own top-level packages ({})",
                    RESERVED_MODULE_NAMES.join(", ")
                ))
                .with_hint(format!("choose another name, e.g. `{package}s` or `{package}_items`")));
            }
        }
    }
    Ok(ValidName {
        name: name.to_string(),
        package,
    })
}

/// The PascalCase class name of a module: `order_items` → `OrderItems`.
pub(crate) fn class_name(name: &str) -> String {
    name.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_the_contract() {
        assert_eq!(normalise("Shop-API"), "shop_api");
        assert_eq!(normalise("a..b__c--d"), "a_b_c_d");
        assert_eq!(normalise("x.y"), "x_y");
    }

    #[test]
    fn accepts_common_names() {
        for (raw, pkg) in [
            ("shop-api", "shop_api"),
            (" Shop.API ", "shop_api"),
            ("a", "a"),
            ("a1", "a1"),
        ] {
            assert_eq!(
                validate(raw, NameKind::Project).unwrap().package,
                pkg,
                "{raw}"
            );
        }
    }

    #[test]
    fn rejects_with_the_rule_named() {
        let cases = [
            ("", "is empty"),
            ("   ", "is empty"),
            ("shop api", "whitespace"),
            ("a/b", "path separator"),
            ("..", "start and end"),
            ("-shop", "start and end"),
            ("shop-", "start and end"),
            ("sh@p", "start and end"),
            ("1shop", "not a valid Python identifier"),
            ("class", "keyword"),
            ("json", "standard-library"),
            ("Email", "standard-library"),
            ("fastapi", "imports"),
            ("tests", "imports"),
            ("migrations", "imports"),
            (&"a".repeat(65), "at most 64"),
            ("httpx2", "imports"),
            ("PyJWT", "distribution name `pyjwt`"),
            ("argon2-cffi", "distribution name"),
            ("typing_inspection", "imports"),
            ("pydantic-settings", "imports"),
        ];
        for (raw, needle) in cases {
            let message = validate(raw, NameKind::Project).unwrap_err().message;
            assert!(message.contains(needle), "{raw:?}: {message}");
        }
    }

    #[test]
    fn module_names_reject_reserved_packages_only() {
        assert!(
            validate("auth", NameKind::Module)
                .unwrap_err()
                .message
                .contains("top-level packages")
        );
        assert_eq!(validate("json", NameKind::Module).unwrap().package, "json");
    }
}
