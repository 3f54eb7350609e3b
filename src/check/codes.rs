//! The one table of `PPCHK` codes: number, severity, title, explanation and fix.
//!
//! Codes are a compatibility contract (CI scripts match on them), so numbers are never
//! reused and meanings never change; new checks take unused numbers. Everything a user
//! can learn about a code — `polepos explain`, the `Fix:` fallback in `check` output, the
//! severity that decides the exit code — is read from [`TABLE`], so the table cannot drift
//! from the checks that emit the codes.

use std::fmt;

/// How much an issue matters. Errors fail `check` (exit 1); warnings are reported but do
/// not fail it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The lower-case name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One row of the table.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: Code,
    /// The number after `PPCHK`.
    pub number: u16,
    pub severity: Severity,
    /// A short noun phrase, e.g. "managed marker missing".
    pub title: &'static str,
    /// What the check looks at and why it matters.
    pub explanation: &'static str,
    /// How to fix it in general (issues usually carry a more specific fix).
    pub fix: &'static str,
}

macro_rules! codes {
    ($( $variant:ident = $number:literal, $severity:ident, $title:literal,
        $explanation:literal, $fix:literal; )*) => {
        /// A `PPCHK` code. Declaration order is table order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        /// Every code, in number order.
        pub static TABLE: &[CodeInfo] = &[$(CodeInfo {
            code: Code::$variant,
            number: $number,
            severity: Severity::$severity,
            title: $title,
            explanation: $explanation,
            fix: $fix,
        }),*];
    };
}

codes! {
    NotAProject = 0, Error, "not a polepos project",
        "No `.poleposition.toml` was found in the current directory or any parent, and no parent directory looks like a polepos project (a `pyproject.toml` beside `src/<package>/api/router.py`).",
        "Run the command inside a project created with `polepos start <name>` (or by the older poleposition tool).";
    PyprojectMissing = 1, Error, "pyproject.toml missing",
        "The project root has no `pyproject.toml`, so uv cannot install the project and its dependencies cannot be checked.",
        "Restore `pyproject.toml` from version control.";
    SrcMissing = 2, Error, "src/ directory missing",
        "Generated projects keep their package under `src/`. Without it nothing else can be checked.",
        "Restore the `src/` directory from version control.";
    PackageMissing = 3, Error, "package directory missing",
        "The package named in the manifest (or any package with `api/router.py`) does not exist under `src/`.",
        "Restore `src/<package>/` from version control, or fix `package` under [poleposition] in .poleposition.toml.";
    PackageNotIdentifier = 4, Error, "package name not an identifier",
        "The package name must be a valid Python identifier (letters, digits and `_`, not starting with a digit, not a keyword), or nothing can import it.",
        "Set `package` under [poleposition] to the package directory's name, e.g. `shop_api`.";
    PackageMismatch = 5, Error, "manifest package differs from the package on disk",
        "`package` in .poleposition.toml names a package that is not under `src/`, while another package with `api/router.py` is. Every later command would edit the wrong paths.",
        "Set `package` under [poleposition] to the directory under `src/` (or rename the directory back).";
    PyprojectUnreadable = 6, Error, "pyproject.toml is not valid TOML",
        "`pyproject.toml` does not parse, so uv cannot use it and dependencies cannot be checked.",
        "Fix the TOML syntax at the reported line.";
    RequiredFileMissing = 10, Error, "required generated file missing",
        "A file every generated project has (the application factory, settings, API, auth foundation, bootstrap, domain errors, the starter `status` module, the test configuration) is missing. Other code imports it.",
        "Restore the file from version control, or copy it from a fresh `polepos start` project.";
    AlembicFileMissing = 11, Error, "Alembic file missing",
        "Projects with a database manage their schema with Alembic: `alembic.ini`, `migrations/env.py`, `migrations/script.py.mako` and the `migrations/versions/` directory must exist.",
        "Restore the file from version control, or copy it from a fresh `polepos start --db <mode>` project.";
    DbRemnant = 12, Error, "database remnant in a project without a database",
        "The manifest says `db = \"none\"`, but database remnants are still there: database files, dependencies, settings or env values, foundation code importing SQLAlchemy or `<package>.db`, or a Dockerfile copying Alembic's files. They are dead code that suggests a database exists.",
        "Delete the remnant, or set `db` to `sqlite` or `postgres` in .poleposition.toml if the project does use a database.";
    BadDbMode = 13, Error, "bad db mode",
        "`db` under [poleposition] must be \"sqlite\", \"postgres\", \"none\" or \"custom\" (a database layer the team manages itself; `check` then leaves the database wiring alone). Case does not matter.",
        "Set `db` to one of \"sqlite\", \"postgres\", \"none\" or \"custom\".";
    BadModuleTemplate = 14, Error, "bad module template value",
        "Each entry under [modules] must be a string naming a template: standard, crud, crud[<flags>] (flags: pagination, timestamps, soft-delete, tenant-scoped, auth-required), api-only, service-only, ai-prompt, ai-prompt[auth-required], or starter for `status`.",
        "Correct the value, e.g. `customers = \"crud[pagination,timestamps]\"`.";
    IntegrationNotBoolean = 15, Error, "integration value not a bare boolean",
        "Entries under [integrations] are bare booleans (`redis = true`), not strings or tables.",
        "Write the value as `true` or `false` without quotes.";
    ManifestUnreadable = 16, Error, "manifest unreadable",
        "`.poleposition.toml` is not UTF-8 or not valid TOML. polepos never rewrites a manifest it cannot read; until it is fixed, the project is checked from its files alone.",
        "Fix the file by hand at the reported line (or restore it from version control).";
    ManifestModuleMissing = 17, Error, "manifest module directory missing",
        "A module listed under [modules] has no directory under `src/<package>/modules/`.",
        "Restore the module's directory, or remove its entry (and any wiring left behind) if the module was removed on purpose.";
    ModuleNotInManifest = 18, Warning, "module not recorded in the manifest",
        "A directory under `src/<package>/modules/` is not listed under [modules]. It is checked with the template recognised from its files, but `polepos remove module` and upgrades will not know how it was made.",
        "Add `<name> = \"<template>\"` under [modules] in .poleposition.toml.";
    FeatureNotInManifest = 19, Warning, "feature present but not recorded in the manifest",
        "Files or wiring of a feature (auth) are present, but `.poleposition.toml` does not record it under [integrations]. It is still checked, but `polepos upgrade` and `polepos remove` go by the manifest and will not know about it.",
        "Add `auth = true` under [integrations] in .poleposition.toml.";
    ManagedFileMissing = 20, Error, "managed file missing",
        "A file polepos edits at its markers (`api/router.py`, `modules/__init__.py`, `settings.py`, `db/models.py`, `.env.example`) is missing.",
        "Restore the file from version control.";
    MarkerMissing = 21, Error, "managed marker missing",
        "polepos inserts code immediately above `# polepos:*` marker comments. Without the marker, `add module`, `add auth` and `add integration` cannot wire new code.",
        "Run `polepos check --fix` to restore the marker at its canonical place, or add the comment line by hand.";
    StatusWiring = 22, Error, "starter status wiring missing or changed",
        "`api/router.py` must import the starter `status` router and include it without a prefix and with `tags=[\"status\"]`, so `GET /api/v1/status` keeps working.",
        "Add `from <package>.modules.status.router import router as status_router` and `api_router.include_router(status_router, tags=[\"status\"])`.";
    NotUtf8 = 23, Error, "file not valid UTF-8",
        "A file polepos reads is not valid UTF-8, so neither Python tooling nor polepos can read it reliably.",
        "Re-save the file as UTF-8.";
    MarkerMisplaced = 24, Error, "managed marker out of place or duplicated",
        "A `# polepos:*` marker is present but not where it belongs (model-imports inside `import_models()`, module-exports inside `__all__`, settings markers inside `class Settings`, router markers at top level) or appears more than once. Code inserted there would be wrong.",
        "Move the marker back to its place (see `polepos explain PPCHK021` for the places) and delete duplicates.";
    PythonFileNotChecked = 25, Warning, "Python file too large or too deeply nested to check",
        "polepos parses every Python file of the project to find syntax errors and broken wiring, but it does not parse a file larger than 5 MiB (it stops reading there), nor one where an expression may nest more than 1,000 levels deep (a long chain of operators such as `1 + 1 + ... + 1` on one line counts). Parsing such input would take memory and stack out of proportion to any real source file, so `check` reports it instead and stays bounded on any input. Nothing in the file was checked.",
        "Split the file, or move large data out of Python source (a JSON or CSV file read at run time); break very long expressions into several statements.";
    PythonFileTooDeep = 26, Error, "Python file nested beyond Python's limits",
        "The file nests brackets more than 200 levels deep or blocks more than 100 levels deep. CPython's own tokenizer refuses such a file (\"too many nested parentheses\", \"too many levels of indentation\"), so it cannot be imported; polepos does not parse it either.",
        "Flatten the nesting at the reported line: name intermediate values, or move nested data into a data file.";
    ModuleNotWired = 27, Warning, "module directory kept without wiring",
        "A directory under `src/<package>/modules/` is neither listed under [modules] nor exported, imported or included anywhere: what `polepos remove module <name> --wiring-only` leaves on purpose, or what `remove module --force` leaves when the directory holds files polepos did not write. The application does not load it, so nothing in it is checked as a module.",
        "To finish the removal, delete the directory (and the module's tests, if any are left). To wire it again, add `<name> = \"<template>\"` under [modules] in .poleposition.toml, run `polepos check --fix` (it restores the export, the include and the model import it can prove safe) and add the router import it then reports (PPCHK033).";
    ModuleNameNotIdentifier = 30, Error, "module name not an identifier",
        "Module directories are Python packages imported as `<package>.modules.<name>`; the name must be a valid identifier.",
        "Rename the module to a valid identifier (letters, digits, `_`).";
    ModuleFileMissing = 31, Error, "module template file missing",
        "A module lacks a file its template generates. Its router, services or models will fail to import. A module the manifest does not list (written by hand) is held only to being a package with consistent wiring.",
        "Restore the file from version control, or remove and re-add the module.";
    ModuleExportMissing = 32, Error, "module export missing",
        "Every module is listed by name in `__all__` in `modules/__init__.py`.",
        "Add `\"<name>\",` above `# polepos:module-exports` (or run `polepos check --fix`).";
    ModuleRouterImportMissing = 33, Error, "module router import missing",
        "Modules with a router are imported in `api/router.py` as `from <package>.modules.<name>.router import router as <name>_router`.",
        "Add the import in sorted position in the import block above `# polepos:router-imports`.";
    ModuleRouterIncludeMissing = 34, Error, "module router include missing or changed",
        "Modules with a router are mounted with `api_router.include_router(<name>_router, prefix=\"/<name>\", tags=[\"<name>\"])` in `api/router.py`.",
        "Add or correct the include above `# polepos:router-includes` (`polepos check --fix` adds a missing one).";
    ModuleModelImportMissing = 35, Error, "module model import missing",
        "Modules with a model are imported inside `import_models()` in `db/models.py`, so Alembic sees their tables.",
        "Add `from <package>.modules.<name> import model as <name>_model  # noqa: F401` in sorted position among the imports above `# polepos:model-imports` (or run `polepos check --fix`).";
    ModuleIntegrationTestMissing = 36, Error, "module integration test missing",
        "Every module made from a template ships an integration test under `tests/integration/`. A module the manifest does not list (written by hand) is held only to being a package with consistent wiring.",
        "Restore the test from version control, or write it.";
    ModuleUnitTestMissing = 37, Error, "module unit test missing",
        "Every module made from a template ships a unit test under `tests/unit/`. A module the manifest does not list (written by hand) is held only to being a package with consistent wiring.",
        "Restore the test from version control, or write it.";
    SyntaxError = 38, Error, "Python syntax error",
        "A Python file polepos reads does not parse. Checks that need the file are skipped until it is fixed; the others still run.",
        "Fix the syntax error at the reported line (`uv run ruff check` shows it too).";
    OrphanReference = 39, Error, "orphan reference to a module that does not exist",
        "Wiring (router import or include, model import, export) refers to a module or module file that does not exist. The application will fail to start.",
        "For a module whose directory was deleted by hand, `polepos remove module <name> --force` removes its leftover wiring (and manifest entry); otherwise delete the leftover line, or restore the module.";
    IntegrationFileMissing = 40, Error, "integration file missing",
        "An enabled integration (in the manifest, or present on disk) lacks one of its files under `src/<package>/integrations/<name>/`.",
        "Restore the file from version control.";
    IntegrationDependencyMissing = 41, Error, "integration dependency missing",
        "An enabled integration needs its client library in `[project] dependencies` of pyproject.toml, allowing at least the version the generated code needs; a requirement missing or pinned below that version is reported.",
        "Add the dependency, e.g. `uv add \"redis>=5.0.0\"`.";
    IntegrationSettingMissing = 42, Error, "integration setting missing",
        "An enabled integration reads its configuration from fields of `class Settings` in settings.py.",
        "Add the missing fields above `# polepos:integration-settings` (`# polepos:llm-settings` for llm).";
    IntegrationEnvMissing = 43, Error, "integration env value missing",
        "`.env.example` documents every required value of an enabled integration as an active (uncommented) line.",
        "Add the missing `NAME=value` lines above `# polepos:integration-env` (`# polepos:llm-env` for llm).";
    AuthWithoutDatabase = 44, Error, "auth present in a project without a database",
        "`add auth` stores users in the `auth_users` table, which needs a database layer; this project has `db = \"none\"`.",
        "Remove the auth files and wiring, or move the project to a db mode (start a new project with `--db sqlite` and copy your code across).";
    AuthFileMissing = 45, Error, "auth file missing",
        "Auth is enabled (manifest `auth = true` or auth files and wiring present) but one of the files `add auth` creates is missing.",
        "Restore the file from version control.";
    AuthIntegrationTestMissing = 46, Error, "auth integration test missing",
        "Auth ships `tests/integration/test_auth.py`, which drives registration, login and `/me` over HTTP.",
        "Restore the test from version control.";
    AuthUnitTestMissing = 47, Error, "auth unit test missing",
        "Auth ships `tests/unit/test_auth_service.py`, which covers the service and password helpers.",
        "Restore the test from version control.";
    AuthDependencyMissing = 48, Error, "pwdlib[argon2] dependency missing",
        "Auth hashes passwords with pwdlib's Argon2 hasher, which needs `pwdlib[argon2]` in `[project] dependencies`.",
        "Run `uv add \"pwdlib[argon2]>=0.2.0\"`.";
    AuthRouterImportMissing = 49, Error, "auth router import missing",
        "`api/router.py` imports the auth router as `from <package>.auth.router import router as auth_router`.",
        "Add the import in sorted position in the import block above `# polepos:router-imports`.";
    AuthRouterIncludeMissing = 50, Error, "auth router include missing",
        "The auth router is mounted with `api_router.include_router(auth_router, prefix=\"/auth\", tags=[\"auth\"])`, giving `/api/v1/auth/...`.",
        "Add or correct the include above `# polepos:router-includes` (`polepos check --fix` adds a missing one).";
    AuthModelImportMissing = 51, Error, "auth model import missing",
        "`db/models.py` imports the auth model inside `import_models()`, so Alembic sees the `auth_users` table.",
        "Add `from <package>.auth import model as auth_model  # noqa: F401` in sorted position among the imports above `# polepos:model-imports` (or run `polepos check --fix`).";
    AuthExtensionUnknown = 52, Error, "unknown auth extension in the manifest",
        "`[poleposition] auth_extensions` lists the auth extensions `polepos add auth --<extension>` added (`password-reset`, `rate-limit`, `sessions`, `tenants`, `verify-email`). A name polepos does not know, or a value that is not a list of names, means the manifest was edited by hand or written by a newer polepos; `add auth`, `remove auth` and `upgrade` cannot tell which auth files to expect.",
        "Write `auth_extensions` as a list of known names, e.g. `auth_extensions = [\"sessions\"]`, or upgrade polepos.";
    AuthExtensionFileMissing = 53, Error, "auth extension file missing",
        "Each auth extension the manifest lists has files of its own (`auth/sessions.py` and `tests/integration/test_auth_sessions.py` for `sessions`, `auth/rate_limit.py` and its test for `rate-limit`, `auth/password_reset.py` and its test for `password-reset`, `auth/email_verification.py` and its test for `verify-email`; the last two also need the `mail/` package and its tests). The changed auth files import them, so a missing package file breaks the app, and a missing test file leaves the extension's guarantees untested.",
        "Restore the file from version control, or take the extension out with `polepos remove auth --<extension> --force` and add it again.";
    AuthExtensionNotWired = 54, Error, "auth extension not wired",
        "An auth extension the manifest lists changes the auth files and adds settings: `sessions` makes `auth/router.py` import `auth/sessions.py` and adds `refresh_token_expire_days`; `rate-limit` makes it import `auth/rate_limit.py` and adds the `auth_rate_limit_*` and `trusted_proxies` settings; `password-reset` and `verify-email` make it import their modules and the mail package, and add their URL, lifetime and `SMTP_*` settings. Without the import the extension's endpoints and checks are not there (a revoked session would still get in); without a setting the app fails at startup.",
        "Restore the auth files and settings as `polepos add auth --<extension>` wrote them (version control, or `polepos upgrade` to compare), or record the removal with `polepos remove auth --<extension> --force`.";
    CircularImport = 60, Error, "circular import between modules",
        "Two or more modules import each other at module level. Python may fail with a partially initialised module depending on import order.",
        "Move the shared code into one module (or a domain package), or import inside the function that needs it.";
    DuplicatePrefix = 61, Error, "two routers on the same prefix",
        "`api/router.py` includes two routers under the same prefix. Their routes can shadow each other silently.",
        "Give each router its own prefix, or delete the duplicate include.";
    DuplicateTable = 62, Error, "duplicate table name across models",
        "Two model files declare the same `__tablename__`. SQLAlchemy refuses to define a table twice and migrations cannot tell them apart.",
        "Rename one of the tables (and write a migration for the rename).";
    DuplicateSetting = 63, Error, "setting defined twice",
        "A field of `class Settings` in settings.py, or a key of `.env.example`, is defined twice (commented-out env lines do not count). Python keeps the last definition of a class field without a word, so the first one's type and default are dead code, and a reader of `.env.example` sees two values for one variable. It usually means a block of values was pasted beside hand-written ones; `polepos add integration` itself adds only the entries a file lacks.",
        "Delete one of the two definitions, keeping the one with the type and default you want.";
    RecordedFieldMissing = 64, Error, "recorded field missing from its module",
        "`.poleposition.lock` records the typed fields a module was given (`polepos add module <n> FIELD ...`, `add field`), and the module's model class (`model.py`) or its create and read schemas (`schemas.py`) lack one of them. The API then silently drops a value, migrations no longer match what the fields promise, and `polepos remove field` and `upgrade` cannot work out what to change. A field removed by hand, or a class renamed, leaves this.",
        "Put the field back as `polepos add field` wrote it, or record its removal with `polepos remove field <module> <field> --force`; `polepos explain PPCHK064` has the details.";
    TokenExpNotRequired = 70, Warning, "token decoding does not require `exp`",
        "`decode_access_token` in `auth/token.py` does not make PyJWT require the `exp` claim (or turns expiry checks off), so a token without an expiry stays valid forever for `get_current_user` and `require_roles`. Projects made by the older poleposition tool decode tokens this way. The routes `polepos add auth` adds check tokens with their own strict decoder; the foundation's own dependencies do not. This is a warning: `check` still passes.",
        "Pass `options={\"require\": [\"exp\", \"iat\", \"sub\"]}` to `jwt.decode` in `decode_access_token` (tokens without `exp` then fail with `jwt.MissingRequiredClaimError`).";
    DebugOnByDefault = 71, Warning, "APP_DEBUG on by default",
        "`Settings` in `settings.py` defaults `app_debug` to true, so any deployment that does not set `APP_DEBUG=false` runs in debug mode (tracebacks in error responses, statement parameters in logs, depending on the project). Projects made by the older poleposition tool have this default. This is a warning: `check` still passes.",
        "Change the default to `app_debug: bool = False` and turn debug on only in a local `.env` (`APP_DEBUG=true`).";
}

impl Code {
    /// The row of [`TABLE`] for this code.
    pub(crate) fn info(self) -> &'static CodeInfo {
        // The macro builds TABLE in declaration order, so the discriminant is the index.
        &TABLE[self as usize]
    }

    /// `PPCHK` plus three digits.
    pub fn name(self) -> String {
        format!("PPCHK{:03}", self.info().number)
    }

    pub(crate) fn severity(self) -> Severity {
        self.info().severity
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PPCHK{:03}", self.info().number)
    }
}

impl CodeInfo {
    /// The explanation, with the facts it refers to that live elsewhere: for the codes
    /// about a module's files, what each template generates (read from the templates).
    pub fn full_explanation(&self) -> String {
        match self.code {
            Code::ModuleFileMissing
            | Code::ModuleIntegrationTestMissing
            | Code::ModuleUnitTestMissing => format!(
                "{} {}",
                self.explanation,
                crate::feature::module::files_per_template()
            ),
            _ => self.explanation.to_string(),
        }
    }
}

/// Why a code given to `polepos explain` was not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LookupError {
    /// Not of the form `PPCHKnnn`, `ppchknn` or `nnn`.
    Malformed,
    /// Well-formed but no such code exists.
    Unknown(u16),
}

/// Finds a code from user input: `PPCHK038`, `ppchk38`, `38` and `038` all work.
pub(crate) fn lookup(input: &str) -> Result<&'static CodeInfo, LookupError> {
    let trimmed = input.trim();
    let digits = match trimmed.get(..5) {
        Some(prefix) if prefix.eq_ignore_ascii_case("ppchk") => &trimmed[5..],
        _ => trimmed,
    };
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LookupError::Malformed);
    }
    let number: u16 = digits.parse().map_err(|_| LookupError::Malformed)?;
    TABLE
        .iter()
        .find(|info| info.number == number)
        .ok_or(LookupError::Unknown(number))
}

/// clap value parser for `polepos explain`: rejects what cannot be a code (a usage
/// error), keeps the text for [`lookup`].
pub(crate) fn parse_code_arg(input: &str) -> Result<String, String> {
    match lookup(input) {
        Err(LookupError::Malformed) => {
            Err("write a check code as PPCHK038, ppchk38 or 38".to_string())
        }
        _ => Ok(input.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_discriminant_and_sorted_by_number() {
        for (index, info) in TABLE.iter().enumerate() {
            assert_eq!(info.code as usize, index, "{}", info.title);
            assert_eq!(info.code.info().number, info.number);
        }
        assert!(TABLE.windows(2).all(|w| w[0].number < w[1].number));
    }

    #[test]
    fn every_row_is_documented() {
        for info in TABLE {
            assert!(!info.title.is_empty() && !info.title.ends_with('.'));
            assert!(info.explanation.ends_with('.'), "{}", info.code);
            assert!(
                info.fix.ends_with('.') || info.fix.ends_with(')'),
                "{}",
                info.code
            );
        }
    }

    #[test]
    fn spec_numbers_keep_their_meaning() {
        assert_eq!(Code::NotAProject.name(), "PPCHK000");
        assert_eq!(Code::SyntaxError.name(), "PPCHK038");
        assert_eq!(Code::OrphanReference.name(), "PPCHK039");
        assert_eq!(Code::AuthModelImportMissing.name(), "PPCHK051");
        assert_eq!(Code::CircularImport.name(), "PPCHK060");
    }

    #[test]
    fn lookup_accepts_every_spelling() {
        for input in ["PPCHK038", "ppchk38", "38", "038", " PPchk038 "] {
            assert_eq!(
                lookup(input).map(|i| i.code),
                Ok(Code::SyntaxError),
                "{input}"
            );
        }
        assert_eq!(
            lookup("PPCHK099").map(|i| i.code),
            Err(LookupError::Unknown(99))
        );
        for bad in [
            "",
            "PPCHK",
            "abc",
            "PPCHK0380",
            "-1",
            "3.8",
            "PPX038",
            "1000",
        ] {
            assert_eq!(
                lookup(bad).map(|i| i.code),
                Err(LookupError::Malformed),
                "{bad}"
            );
        }
    }
}
