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
    /// 429 with `Retry-After` on the auth endpoints, before any password hashing.
    RateLimit,
    /// Refresh tokens with rotation and reuse detection, logout, the sessions list.
    Sessions,
}

/// Every extension, in the manifest's (sorted) order.
pub const ALL: &[Extension] = &[Extension::RateLimit, Extension::Sessions];

impl Extension {
    /// The name the manifest, the ledger owner and the flag use (`rate-limit`).
    pub fn name(self) -> &'static str {
        match self {
            Extension::Sessions => "sessions",
            Extension::RateLimit => "rate-limit",
        }
    }

    /// The extension a manifest or flag name means.
    pub fn parse(name: &str) -> Option<Extension> {
        ALL.iter().copied().find(|e| e.name() == name)
    }

    /// The template tree of its own files (`auth_ext/sessions`).
    fn tree(self) -> String {
        format!("auth_ext/{}", self.name())
    }

    /// The files it creates, relative to the package (what `check` requires).
    pub fn package_files(self) -> &'static [&'static str] {
        match self {
            Extension::Sessions => &["auth/sessions.py"],
            Extension::RateLimit => &["auth/rate_limit.py"],
        }
    }

    /// The test files it creates.
    pub fn test_files(self) -> &'static [&'static str] {
        match self {
            Extension::Sessions => &["tests/integration/test_auth_sessions.py"],
            Extension::RateLimit => &["tests/integration/test_auth_rate_limit.py"],
        }
    }

    /// The settings fields it adds (what `check` expects in `Settings`).
    pub fn settings(self) -> &'static [&'static str] {
        match self {
            Extension::Sessions => &["refresh_token_expire_days"],
            Extension::RateLimit => &[
                "auth_rate_limit_login",
                "auth_rate_limit_register",
                "auth_rate_limit_refresh",
                "auth_rate_limit_address",
                "auth_rate_limit_storage_url",
                "trusted_proxies",
            ],
        }
    }

    /// The requirement it adds, if any.
    pub fn dependency(self) -> Option<&'static str> {
        match self {
            Extension::Sessions => None,
            Extension::RateLimit => Some("limits>=3.13"),
        }
    }

    /// The tables it adds (each one a migration).
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Extension::Sessions => &["auth_sessions"],
            Extension::RateLimit => &[],
        }
    }

    /// The endpoints it adds or changes, for the summary.
    pub fn endpoints(self) -> &'static str {
        match self {
            Extension::Sessions => {
                "POST /token also returns refresh_token; POST /refresh, POST /logout, POST /logout-all, GET /sessions, DELETE /sessions/{id}"
            }
            Extension::RateLimit => {
                "POST /register, POST /token and POST /refresh answer 429 with Retry-After over their limits"
            }
        }
    }
}

/// A set of extensions.
pub type Extensions = BTreeSet<Extension>;

/// The template flags of a set of extensions.
pub fn flags(set: &Extensions) -> AuthFlags {
    AuthFlags {
        sessions: set.contains(&Extension::Sessions),
        rate_limit: set.contains(&Extension::RateLimit),
    }
}

/// The extensions a manifest lists, and the names it lists that polepos does not know.
pub fn from_names(names: &[String]) -> (Extensions, Vec<String>) {
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

/// The project README, which documents the extensions, and its template.
const README: &str = "README.md";
const README_TEMPLATE: &str = "project/base/README.md.j2";

/// Every file polepos generates for the auth of `set`: the seed's auth files, each
/// extension's own files and the project README, all rendered with the set's flags.
pub fn render_all(
    ctx: &ProjectContext,
    set: &Extensions,
) -> Result<Vec<GeneratedFile>, TemplateError> {
    let mut vars = ctx.template_context("");
    vars.auth = flags(set);
    let mut files = GeneratedFile::render_tree("auth", &vars)?;
    for extension in set {
        files.extend(GeneratedFile::render_tree(&extension.tree(), &vars)?);
    }
    // The project's README documents each extension in its auth section.
    files.push(GeneratedFile {
        path: README.into(),
        contents: templates::render_file(README_TEMPLATE, &vars)?,
        role: super::Role::Generated,
    });
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
pub fn recipes(
    ctx: &ProjectContext,
    present: &Extensions,
    added: &Extensions,
    base_added: bool,
) -> Result<Vec<Recipe>, TemplateError> {
    let after: Extensions = present.union(added).copied().collect();
    let mut vars = ctx.template_context("");
    vars.auth = flags(&after);
    // With auth added in the same change its files are created as they should be; only
    // the files already there (the project README) are revised.
    let mut revised: Vec<Revision> = revisions(ctx, present, &after)?
        .into_iter()
        .filter(|r| !base_added || r.path == README)
        .collect();
    let mut out = Vec::new();
    for extension in added {
        let (settings, env) = blocks(*extension, ctx)?;
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
            wiring: vec![Wiring::Block(settings), Wiring::Block(env)],
            dependencies: Vec::new(),
            conditional_dependencies: extension
                .dependency()
                .map(|requirement| Conditional {
                    requirement,
                    provided_by: None,
                })
                .into_iter()
                .collect(),
            manifest: Some(ManifestEntry::AuthExtension(extension.name())),
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
                soft: path == README,
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
        for extension in ALL {
            let added = Extensions::from([*extension]);
            let recipe = recipes(&ctx(), &Extensions::new(), &added, false)
                .unwrap()
                .remove(0);
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
        for extension in ALL {
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
