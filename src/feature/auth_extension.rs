//! Auth extensions (`polepos add auth --sessions ...`, SPEC §15): opt-in recipes on top
//! of the seed's auth, each addable to a project that has auth and removable again.
//!
//! An extension is three kinds of change:
//!
//! - **files of its own** (`auth/sessions.py` and its tests), created and recorded under
//!   the ledger owner `auth:<extension>`;
//! - **revisions of the auth files already there** (the login also issues a refresh
//!   token, the active-user dependency also checks the session). The auth templates
//!   render with the set of extensions on; the recipe carries, for each file whose
//!   rendering changes, what polepos generated before and what it generates now, and the
//!   planner carries that difference over to the file as it is ([`super::merge`]), so
//!   hand edits elsewhere survive and removing the extension applies the inverse;
//! - **settings and env values** above `# polepos:auth-settings` and
//!   `# polepos:auth-env`, and the dependencies it needs.
//!
//! The manifest lists the extensions in `[poleposition] auth_extensions` (sorted); that
//! list is what every later command renders the auth files with.

use std::collections::BTreeSet;

use super::{
    Block, Conditional, Feature, GeneratedFile, ManifestEntry, Precondition, ProjectContext,
    Recipe, Revision, Wiring,
};
use crate::markers;
use crate::templates::{self, AuthFlags, TemplateError};

/// An auth extension (declared in name order, so a set iterates as the manifest lists it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Extension {
    /// The `mail/` package the extensions that send mail share: added with the first of
    /// them, removed with the last; never listed in the manifest or named by a flag.
    Mail,
    /// `POST /auth/password-reset/request` and `/confirm`, with single-use mailed tokens.
    PasswordReset,
    /// 429 with `Retry-After` on the auth endpoints, before any password hashing.
    RateLimit,
    /// Refresh tokens with rotation and reuse detection, logout, the sessions list.
    Sessions,
    /// The user's tenant in `auth_users` and in the token; tenant-scoped modules take it
    /// from there instead of a header.
    Tenants,
    /// `email_verified_at`, a mailed confirmation link, `AUTH_REQUIRE_VERIFIED_EMAIL`.
    VerifyEmail,
}

/// Every extension a user adds, in the manifest's (sorted) order.
pub const ALL: &[Extension] = &[
    Extension::PasswordReset,
    Extension::RateLimit,
    Extension::Sessions,
    Extension::Tenants,
    Extension::VerifyEmail,
];

impl Extension {
    /// The name the manifest, the ledger owner and the flag use (`rate-limit`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Extension::Mail => "mail",
            Extension::PasswordReset => "password-reset",
            Extension::RateLimit => "rate-limit",
            Extension::Sessions => "sessions",
            Extension::Tenants => "tenants",
            Extension::VerifyEmail => "verify-email",
        }
    }

    /// The extension a manifest or flag name means (`mail` is implied, never named).
    fn parse(name: &str) -> Option<Extension> {
        ALL.iter().copied().find(|e| e.name() == name)
    }

    /// The template tree of its own files (`auth_ext/sessions`).
    fn tree(self) -> String {
        format!("auth_ext/{}", self.name())
    }

    /// The files it creates, relative to the package (what `check` requires); the first
    /// is the module the auth router imports.
    pub(crate) fn package_files(self) -> &'static [&'static str] {
        match self {
            Extension::Mail => &["mail/mailer.py", "mail/__init__.py"],
            Extension::PasswordReset => &["auth/password_reset.py"],
            Extension::RateLimit => &["auth/rate_limit.py"],
            Extension::Sessions => &["auth/sessions.py"],
            Extension::Tenants => &["auth/tenants.py"],
            Extension::VerifyEmail => &["auth/email_verification.py"],
        }
    }

    /// The test files it creates.
    pub(crate) fn test_files(self) -> &'static [&'static str] {
        match self {
            Extension::Mail => &[
                "tests/integration/mail_server.py",
                "tests/integration/test_mail.py",
            ],
            Extension::PasswordReset => &["tests/integration/test_auth_password_reset.py"],
            Extension::RateLimit => &["tests/integration/test_auth_rate_limit.py"],
            Extension::Sessions => &["tests/integration/test_auth_sessions.py"],
            Extension::Tenants => &["tests/integration/test_auth_tenants.py"],
            Extension::VerifyEmail => &["tests/integration/test_auth_verify_email.py"],
        }
    }

    /// The settings fields it adds (what `check` expects in `Settings`).
    pub(crate) fn settings(self) -> &'static [&'static str] {
        match self {
            Extension::Mail => &[
                "smtp_host",
                "smtp_port",
                "smtp_username",
                "smtp_password",
                "smtp_tls",
                "smtp_starttls",
                "smtp_timeout_seconds",
                "mail_from",
            ],
            Extension::PasswordReset => &["password_reset_url", "reset_token_expire_minutes"],
            Extension::RateLimit => &[
                "auth_rate_limit_login",
                "auth_rate_limit_register",
                "auth_rate_limit_refresh",
                "auth_rate_limit_reset",
                "auth_rate_limit_address",
                "auth_rate_limit_storage_url",
                "trusted_proxies",
            ],
            Extension::Sessions => &["refresh_token_expire_days"],
            Extension::Tenants => &[],
            Extension::VerifyEmail => &[
                "email_verification_url",
                "email_verification_expire_hours",
                "auth_require_verified_email",
            ],
        }
    }

    /// The requirement it adds, if any.
    fn dependency(self) -> Option<&'static str> {
        match self {
            Extension::Mail => Some("aiosmtplib>=3.0"),
            Extension::RateLimit => Some("limits>=3.13"),
            Extension::PasswordReset
            | Extension::Sessions
            | Extension::Tenants
            | Extension::VerifyEmail => None,
        }
    }

    /// The development requirement its tests need, if any.
    fn dev_dependency(self) -> Option<&'static str> {
        match self {
            Extension::Mail => Some("aiosmtpd>=1.4"),
            _ => None,
        }
    }

    /// The tables it adds (no model may define them yet).
    fn tables(self) -> &'static [&'static str] {
        match self {
            Extension::Sessions => &["auth_sessions"],
            Extension::PasswordReset => &["auth_password_reset_tokens"],
            Extension::VerifyEmail => &["auth_email_verification_tokens"],
            Extension::Mail | Extension::RateLimit | Extension::Tenants => &[],
        }
    }

    /// What its migration adds, for the `polepos db revision -m` it prints (`None`:
    /// no schema change).
    pub(crate) fn migration(self) -> Option<&'static str> {
        match self {
            Extension::Sessions => Some("auth sessions table"),
            Extension::PasswordReset => Some("auth password reset tokens table"),
            Extension::VerifyEmail => Some("auth email verification tokens table"),
            Extension::Tenants => Some("auth users tenant column"),
            Extension::Mail | Extension::RateLimit => None,
        }
    }

    /// The endpoints it adds or changes, for the summary.
    pub(crate) fn endpoints(self) -> &'static str {
        match self {
            Extension::Mail => "",
            Extension::PasswordReset => {
                "POST /password-reset/request (202 for every email), POST /password-reset/confirm"
            }
            Extension::RateLimit => {
                "register, token, refresh, password-reset request and verification resend answer 429 with Retry-After over their limits"
            }
            Extension::Sessions => {
                "POST /token also returns refresh_token; POST /refresh, POST /logout, POST /logout-all, GET /sessions, DELETE /sessions/{id}"
            }
            Extension::VerifyEmail => {
                "registration mails a link; POST /verify-email/confirm, POST /verify-email/request; /me shows email_verified"
            }
            Extension::Tenants => {
                "tokens carry the user's tenant; PUT /users/{id}/tenant (admin); tenant-scoped modules take it from the caller's account"
            }
        }
    }

    /// Whether it sends mail (and so brings [`Extension::Mail`]).
    fn sends_mail(self) -> bool {
        matches!(self, Extension::PasswordReset | Extension::VerifyEmail)
    }
}

/// A set of extensions.
pub type Extensions = BTreeSet<Extension>;

/// `set` with what it implies: the mail package when an extension sends mail.
pub(crate) fn with_implied(set: &Extensions) -> Extensions {
    let mut full: Extensions = set
        .iter()
        .copied()
        .filter(|e| *e != Extension::Mail)
        .collect();
    if full.iter().any(|e| e.sends_mail()) {
        full.insert(Extension::Mail);
    }
    full
}

/// The template flags of a set of extensions.
pub(crate) fn flags(set: &Extensions) -> AuthFlags {
    let full = with_implied(set);
    AuthFlags {
        sessions: full.contains(&Extension::Sessions),
        rate_limit: full.contains(&Extension::RateLimit),
        password_reset: full.contains(&Extension::PasswordReset),
        verify_email: full.contains(&Extension::VerifyEmail),
        tenants: full.contains(&Extension::Tenants),
        mail: full.contains(&Extension::Mail),
    }
}

/// The extensions a manifest lists, and the names it lists that polepos does not know.
pub(crate) fn from_names(names: &[String]) -> (Extensions, Vec<String>) {
    let mut set = Extensions::new();
    let mut unknown = Vec::new();
    for name in names {
        match Extension::parse(name) {
            Some(e) => {
                set.insert(e);
            }
            None => unknown.push(name.clone()),
        }
    }
    (set, unknown)
}

/// The project files the extensions change (relative to the project root, `{pkg}` for
/// the package), with their templates and whether the change is soft: the README is
/// documentation, so a README the team rewrote where the change goes is left as it is
/// (and the command says so); `run.py` imports the mail package, so its change must be
/// carried both ways like any code.
const PROJECT_FILES: &[(&str, &str, bool)] = &[
    ("README.md", "project/base/README.md.j2", true),
    (
        "src/{pkg}/run.py",
        "project/base/src/__pkg__/run.py.j2",
        false,
    ),
];

/// Every file polepos generates for the auth of `set`: the seed's auth files, each
/// extension's own files and the project files they change, all rendered with the set's
/// flags.
pub fn render_all(
    ctx: &ProjectContext,
    set: &Extensions,
) -> Result<Vec<GeneratedFile>, TemplateError> {
    let mut vars = ctx.template_context("");
    vars.auth = flags(set);
    let mut files = GeneratedFile::render_tree("auth", &vars)?;
    for extension in &with_implied(set) {
        files.extend(GeneratedFile::render_tree(&extension.tree(), &vars)?);
    }
    // The project's README documents each extension in its auth section, and its
    // `run.py` refuses a configuration the extensions cannot work with in one line.
    for (path, template, _) in PROJECT_FILES {
        files.push(GeneratedFile {
            path: path.replace("{pkg}", &ctx.package).into(),
            contents: templates::render_file(template, &vars)?,
            role: super::Role::Generated,
        });
    }
    Ok(files)
}

/// The settings and env blocks of `extension`.
fn blocks(extension: Extension, ctx: &ProjectContext) -> Result<(Block, Block), TemplateError> {
    let vars = ctx.template_context("");
    let render = |kind: &str| {
        templates::render_file(&format!("auth_ext/{}.{kind}.j2", extension.name()), &vars)
    };
    Ok((
        Block::new(markers::AUTH_SETTINGS, render("settings")?),
        Block::new(markers::AUTH_ENV, render("env")?),
    ))
}

/// The recipes of adding `added` to a project whose auth has `present` on, one per
/// extension: its own files (rendered with the whole new set), its settings, env values
/// and dependency, and its manifest entry. The first one also carries the revisions of
/// the auth files already there, from `present` to the new set; with `base_added` the
/// seed's auth is added in the same change, rendered with the new set already, so there
/// is nothing to revise. Removing extensions plans the same recipes (from what is left
/// to what is there now) and takes them out.
pub(crate) fn recipes(
    ctx: &ProjectContext,
    present: &Extensions,
    added: &Extensions,
    base_added: bool,
) -> Result<Vec<Recipe>, TemplateError> {
    let present = &with_implied(present);
    let after = with_implied(&present.union(added).copied().collect());
    let added: Extensions = after.difference(present).copied().collect();
    let mut vars = ctx.template_context("");
    vars.auth = flags(&after);
    // With auth added in the same change its files are created as they should be; only
    // the files already there (the project files of `PROJECT_FILES`) are revised.
    let project_files: Vec<String> = PROJECT_FILES
        .iter()
        .map(|(p, _, _)| p.replace("{pkg}", &ctx.package))
        .collect();
    let mut revised: Vec<Revision> = revisions(ctx, present, &after)?
        .into_iter()
        .filter(|r| !base_added || project_files.contains(&r.path))
        .collect();
    let mut out = Vec::new();
    for extension in &added {
        let wiring = if extension.settings().is_empty() {
            Vec::new()
        } else {
            let (settings, env) = blocks(*extension, ctx)?;
            vec![Wiring::Block(settings), Wiring::Block(env)]
        };
        let mut requires = vec![Precondition::HasDatabase];
        if !base_added {
            requires.push(Precondition::Auth);
        }
        requires.extend(
            extension
                .tables()
                .iter()
                .map(|t| Precondition::FreeTable((*t).to_string())),
        );
        out.push(Recipe {
            feature: Feature::AuthExtension(*extension),
            files: GeneratedFile::render_tree(&extension.tree(), &vars)?,
            wiring,
            dependencies: Vec::new(),
            dev_dependencies: extension.dev_dependency().into_iter().collect(),
            conditional_dependencies: extension
                .dependency()
                .map(|requirement| Conditional {
                    requirement,
                    provided_by: None,
                })
                .into_iter()
                .collect(),
            manifest: (*extension != Extension::Mail)
                .then(|| ManifestEntry::AuthExtension(extension.name())),
            fields: Vec::new(),
            revisions: std::mem::take(&mut revised),
            requires,
            next_steps: Vec::new(),
        });
    }
    Ok(out)
}

/// The files both sets render whose contents differ, as revisions from `before` to
/// `after`.
fn revisions(
    ctx: &ProjectContext,
    before: &Extensions,
    after: &Extensions,
) -> Result<Vec<Revision>, TemplateError> {
    let old = render_all(ctx, before)?;
    let new = render_all(ctx, after)?;
    Ok(new
        .into_iter()
        .filter_map(|file| {
            let previous = old.iter().find(|o| o.path == file.path)?;
            let path = file.path.to_string_lossy().replace('\\', "/");
            (previous.contents != file.contents).then(|| Revision {
                soft: PROJECT_FILES
                    .iter()
                    .any(|(p, _, soft)| *soft && p.replace("{pkg}", &ctx.package) == path),
                path,
                before: previous.contents.clone(),
                after: file.contents,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::DbMode;

    fn ctx() -> ProjectContext {
        ProjectContext {
            name: "shop".into(),
            package: "shop".into(),
            db: DbMode::Sqlite,
            bytecode: true,
            auth: Default::default(),
        }
    }

    /// The file tables `check` reads name exactly the files each extension renders.
    #[test]
    fn the_file_tables_list_every_rendered_extension_file() {
        for extension in ALL.iter().chain([&Extension::Mail]) {
            // The mail package comes with an extension that sends mail.
            let added = match extension {
                Extension::Mail => Extensions::from([Extension::PasswordReset]),
                other => Extensions::from([*other]),
            };
            let all = recipes(&ctx(), &Extensions::new(), &added, false).unwrap();
            let recipe = all
                .into_iter()
                .find(|r| r.feature == Feature::AuthExtension(*extension))
                .unwrap();
            let mut rendered: Vec<String> = recipe
                .files
                .iter()
                .map(|f| f.path.to_string_lossy().into_owned())
                .collect();
            rendered.sort();
            let mut listed: Vec<String> = extension
                .package_files()
                .iter()
                .map(|f| ctx().pkg_path(f))
                .chain(extension.test_files().iter().map(|f| f.to_string()))
                .collect();
            listed.sort();
            assert_eq!(rendered, listed, "{}", extension.name());
        }
    }

    /// The settings table names exactly the fields each settings block defines.
    #[test]
    fn the_settings_tables_list_every_field_of_the_blocks() {
        for extension in ALL
            .iter()
            .chain([&Extension::Mail])
            .filter(|e| !e.settings().is_empty())
        {
            let (settings, _) = blocks(*extension, &ctx()).unwrap();
            let mut defined: Vec<&str> = settings.added_names();
            defined.sort_unstable();
            let mut listed = extension.settings().to_vec();
            listed.sort_unstable();
            assert_eq!(defined, listed, "{}", extension.name());
        }
    }

    #[test]
    fn names_round_trip_and_the_list_is_sorted() {
        for extension in ALL {
            assert_eq!(Extension::parse(extension.name()), Some(*extension));
        }
        let names: Vec<&str> = ALL.iter().map(|e| e.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(Extension::parse("nope"), None);
    }
}
