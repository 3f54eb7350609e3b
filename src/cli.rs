//! The command-line surface of polepos, declared once with clap's derive API.
//!
//! Every command and flag a user can type lives in this file, so `--help`, the
//! completion scripts and the dispatcher in `lib.rs` all read the same tree.

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::manifest::DbMode;
use crate::printer::ColorChoice;

/// Project lifecycle CLI for FastAPI backends.
#[derive(Debug, Parser)]
#[command(
    name = "polepos",
    version,
    about = "Create FastAPI + SQLAlchemy + Alembic + uv projects and keep growing them safely.",
    long_about = None,
    after_help = "Examples:\n  polepos start shop-api\n  polepos start shop-api --db postgres --install\n  cd shop-api && polepos add auth\n  polepos db revision -m \"add auth users table\"\n  polepos check --format github",
    disable_help_subcommand = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options accepted by every command.
#[derive(Debug, Args, Clone)]
pub(crate) struct GlobalArgs {
    /// When to use colours: auto (default; honours NO_COLOR and CLICOLOR_FORCE), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail (for example the output of uv during `start --install`).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a new FastAPI project.
    #[command(
        visible_alias = "startproject",
        after_help = "Examples:\n  polepos start shop-api\n  polepos start shop-api --db postgres\n  polepos start notes --db none --install\n  polepos start shop-api --dry-run"
    )]
    Start(StartArgs),

    /// Add a feature to the current project.
    #[command(subcommand, arg_required_else_help = true)]
    Add(AddCommand),

    /// Run Alembic migrations for the current project.
    #[command(subcommand, arg_required_else_help = true)]
    Db(DbCommand),

    /// Check the project's wiring: files, markers, modules, integrations, auth.
    #[command(
        after_help = "Exit status: 0 when no error was found, 1 when issues were found (or this is not a project).\n\nExamples:\n  polepos check\n  polepos check --fix\n  polepos check --json\n  polepos check --format github\n  polepos explain PPCHK021"
    )]
    Check(CheckArgs),

    /// Remove a module from the current project.
    #[command(subcommand, arg_required_else_help = true)]
    Remove(RemoveCommand),

    /// Compare the project with what this polepos version generates; apply safe updates.
    #[command(
        after_help = "Each generated file is up to date, a safe update (untouched since polepos wrote it, per .poleposition.lock, and this version generates other bytes), modified (changed by you: shown as a diff, never written) or missing.\n\nExamples:\n  polepos upgrade\n  polepos upgrade --json\n  polepos upgrade --apply --dry-run\n  polepos upgrade --apply"
    )]
    Upgrade(UpgradeArgs),

    /// Delete a polepos project directory (asks first on a terminal).
    #[command(
        after_help = "Only a directory holding a .poleposition.toml with a `[poleposition] package` whose src/<package>/ exists is deleted; never the current directory or one of its parents, `/` or the home directory. A symlink given as the path is refused; symlinks inside are removed as links, never followed.\n\nExamples:\n  polepos delete shop-api --dry-run\n  polepos delete shop-api\n  polepos delete ../old-shop --force"
    )]
    Delete(DeleteArgs),

    /// Explain a `polepos check` code, or list every code.
    #[command(
        after_help = "Examples:\n  polepos explain PPCHK021\n  polepos explain 38\n  polepos explain"
    )]
    Explain {
        /// The code, e.g. PPCHK021, ppchk21 or 21.
        #[arg(value_name = "CODE", value_parser = crate::check::codes::parse_code_arg)]
        code: Option<String>,
    },

    /// Print the polepos version.
    Version,

    /// Show help for polepos or one of its commands.
    #[command(
        after_help = "Examples:\n  polepos help\n  polepos help add auth\n  polepos help db revision"
    )]
    Help {
        /// The command to describe, e.g. `add auth`.
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
    },

    /// Print completion candidates for the words typed so far (called by completion
    /// scripts the older tool installed).
    #[command(name = "__complete", hide = true)]
    Complete {
        /// The words after the command name; the last is the one being completed.
        #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
        words: Vec<String>,
    },

    /// Print a shell completion script.
    #[command(
        arg_required_else_help = true,
        after_help = "Examples:\n  polepos completion bash > ~/.local/share/bash-completion/completions/polepos\n  polepos completion zsh > \"${fpath[1]}/_polepos\"\n  polepos completion fish > ~/.config/fish/completions/polepos.fish"
    )]
    Completion {
        /// The shell to generate a script for.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// Shells `polepos completion` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

/// Arguments of `polepos start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Project name, e.g. shop-api (letters, digits, `.`, `_`, `-`).
    pub name: String,

    /// Database mode.
    #[arg(long, value_enum, default_value_t = DbMode::Sqlite)]
    pub db: DbMode,

    /// Install dependencies after creating the project (`uv sync --extra dev`, or a venv with pip when uv is missing).
    #[arg(long, conflicts_with = "dry_run")]
    pub install: bool,

    /// Record `bytecode = false` and prefix generated commands with PYTHONDONTWRITEBYTECODE=1.
    #[arg(long)]
    pub no_bytecode: bool,

    /// Print the files that would be created and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `polepos check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Print one JSON document (same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<CheckFormat>,

    /// Restore missing markers and other provably safe wiring first, list what was fixed, then check.
    #[arg(long)]
    pub fix: bool,

    /// Accepted for scripts written for earlier versions; `check` keeps no cache and always reads every file.
    #[arg(long, hide = true)]
    pub no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RemoveCommand {
    /// Remove a module: its own files (only pristine ones), its two tests, its wiring, its manifest and ledger entries.
    #[command(
        after_help = "A file the module owns but you changed, or a file in the module directory polepos did not generate, blocks the removal (each listed with why; nothing is changed). --force removes the module's own files anyway; files polepos did not generate are always kept. The migration is yours: the next step prints the `polepos db revision` command.\n\nExamples:\n  polepos remove module orders --dry-run\n  polepos remove module orders\n  polepos remove module orders --force\n  polepos remove module orders --wiring-only"
    )]
    Module(RemoveModuleArgs),

    /// Remove an integration: its package, tests, settings and env values, dependency, manifest and ledger entries.
    #[command(
        after_help = "A file or settings block the integration owns but you changed blocks the removal (each listed; nothing is changed). --force removes the integration's own files anyway, and its settings and env values by name; files polepos did not generate are always kept. The files every integration shares (`integrations/__init__.py`, `tests/integrations/conftest.py`) go with the last integration.\n\nExamples:\n  polepos remove integration redis --dry-run\n  polepos remove integration redis\n  polepos remove integration kafka --force"
    )]
    Integration(RemoveIntegrationArgs),

    /// Remove auth extensions: their files, their changes to the auth files, settings, dependency, manifest and ledger entries.
    #[command(
        after_help = "The changes an extension made to the auth files are carried back to each file as it is now: hand edits elsewhere are kept. A file or region you changed blocks the removal (each listed; nothing is changed); --force then removes the extension's files anyway and writes such regions as polepos generates them. The migration is yours.\n\nExamples:\n  polepos remove auth --sessions --dry-run\n  polepos remove auth --rate-limit --password-reset"
    )]
    Auth(RemoveAuthArgs),

    /// Remove typed fields from a module: its model, schemas, filters and tests.
    #[command(
        after_help = "Each change is carried over to the module's files as they are now: hand edits elsewhere in them are kept. A region you changed refuses the removal (each listed; nothing is changed); --force then writes those files as polepos generates them, without your edits. The migration is yours: the next step prints the `polepos db revision` command.\n\nExamples:\n  polepos remove field products stock --dry-run\n  polepos remove field products stock weight"
    )]
    Field(RemoveFieldArgs),
}

/// The auth extensions, as flags.
#[derive(Debug, Args, Default)]
pub(crate) struct AuthExtensionFlags {
    /// Refresh tokens with rotation and reuse detection, logout, logout everywhere, the sessions list.
    #[arg(long)]
    pub sessions: bool,

    /// 429 with Retry-After on register, login, refresh, reset and verification requests, before any password hashing.
    #[arg(long)]
    pub rate_limit: bool,

    /// Password reset by a mailed single-use link (adds the mail package).
    #[arg(long)]
    pub password_reset: bool,

    /// Email verification by a mailed link, and AUTH_REQUIRE_VERIFIED_EMAIL (adds the mail package).
    #[arg(long)]
    pub verify_email: bool,

    /// The user's tenant in the token; tenant-scoped modules take it from the caller's account, never from a header.
    #[arg(long)]
    pub tenants: bool,
}

impl AuthExtensionFlags {
    /// The extensions the flags name.
    pub(crate) fn extensions(&self) -> crate::feature::auth_extension::Extensions {
        use crate::feature::auth_extension::Extension;
        let mut set = crate::feature::auth_extension::Extensions::new();
        if self.sessions {
            set.insert(Extension::Sessions);
        }
        if self.rate_limit {
            set.insert(Extension::RateLimit);
        }
        if self.password_reset {
            set.insert(Extension::PasswordReset);
        }
        if self.verify_email {
            set.insert(Extension::VerifyEmail);
        }
        if self.tenants {
            set.insert(Extension::Tenants);
        }
        set
    }
}

/// Arguments of `polepos add auth`.
#[derive(Debug, Args)]
pub(crate) struct AddAuthArgs {
    #[command(flatten)]
    pub extensions: AuthExtensionFlags,

    /// Print the files that would be created and the diffs of changed files; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `polepos remove auth`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("extension").required(true).multiple(true).args(["sessions", "rate_limit", "password_reset", "verify_email", "tenants"])))]
pub(crate) struct RemoveAuthArgs {
    #[command(flatten)]
    pub extensions: AuthExtensionFlags,

    /// Remove the extensions' own files even when changed, and write hand-edited regions of the auth files as polepos generates them.
    #[arg(long)]
    pub force: bool,

    /// Print what would be removed and changed; change nothing (a blocked plan exits 1).
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `polepos add field`.
#[derive(Debug, Args)]
pub(crate) struct AddFieldArgs {
    /// The module, e.g. products.
    pub module: String,

    /// The fields, `name[:type][:modifier ...]`.
    #[arg(value_name = "FIELD", required = true)]
    pub fields: Vec<String>,

    /// Print the diffs of the changed files; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `polepos remove field`.
#[derive(Debug, Args)]
pub(crate) struct RemoveFieldArgs {
    /// The module, e.g. products.
    pub module: String,

    /// The names of the fields to remove.
    #[arg(value_name = "FIELD", required = true)]
    pub fields: Vec<String>,

    /// Write the files whose field region you changed as polepos generates them (your edits in those files are lost).
    #[arg(long)]
    pub force: bool,

    /// Print the diffs of the changed files; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `polepos remove integration`.
#[derive(Debug, Args)]
pub(crate) struct RemoveIntegrationArgs {
    /// The integration: kafka, rabbitmq, redis or rq.
    #[arg(value_enum)]
    pub name: IntegrationName,

    /// Remove the integration's own files even when they were changed or are not recorded in the ledger.
    #[arg(long)]
    pub force: bool,

    /// Print what would be removed and changed; change nothing (a blocked plan exits 1).
    #[arg(long, visible_alias = "trace")]
    pub dry_run: bool,
}

/// The integrations of `polepos add integration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum IntegrationName {
    /// Kafka event producer and consumer (aiokafka).
    Kafka,
    /// RabbitMQ publisher and queue consumer (aio-pika).
    Rabbitmq,
    /// Redis async cache (redis-py).
    Redis,
    /// RQ job queue and worker (rq).
    Rq,
}

impl IntegrationName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            IntegrationName::Kafka => "kafka",
            IntegrationName::Rabbitmq => "rabbitmq",
            IntegrationName::Redis => "redis",
            IntegrationName::Rq => "rq",
        }
    }
}

/// Arguments of `polepos remove module`.
#[derive(Debug, Args)]
pub(crate) struct RemoveModuleArgs {
    /// The module's name, e.g. orders.
    pub name: String,

    /// Remove the module's own files even when they were changed or are not recorded in the ledger.
    #[arg(long)]
    pub force: bool,

    /// Print what would be removed and changed; change nothing (a blocked plan exits 1).
    #[arg(long, visible_alias = "trace")]
    pub dry_run: bool,

    /// Remove only the wiring, the manifest entry and the module's two tests; keep every module file.
    #[arg(long)]
    pub wiring_only: bool,
}

/// Arguments of `polepos upgrade`.
#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    /// Print one JSON document (schema_version 1).
    #[arg(long)]
    pub json: bool,

    /// Write the safe updates and refresh the ledger (atomically).
    #[arg(long)]
    pub apply: bool,

    /// With --apply: print the changes as diffs; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `polepos delete`.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    /// The project's name (a directory in the current one) or path.
    #[arg(value_name = "NAME_OR_PATH")]
    pub target: String,

    /// Delete without asking (needed when stdin is not a terminal).
    #[arg(short = 'y', long, visible_short_alias = 'f')]
    pub force: bool,

    /// Print what would be deleted (file count and size); delete nothing.
    #[arg(long, visible_alias = "trace")]
    pub dry_run: bool,
}

/// Output formats of `polepos check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// Human-readable text.
    Text,
    /// One JSON document (schema_version 1).
    Json,
    /// GitHub Actions annotations (::error / ::warning).
    Github,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AddCommand {
    /// Add database-backed registration, token login and /me (the auth workflow).
    #[command(
        after_help = "Extensions (each opt-in, addable later, removable with `polepos remove auth --<extension>`):\n  --sessions    refresh tokens (stored hashed) with rotation and reuse detection, logout,\n                logout everywhere, a sessions list and revoke; revoked sessions lose access at once\n  --rate-limit  429 with Retry-After on register, login, refresh, reset and verification requests,\n                per client address and per account, decided before any password hashing (`limits`)\n  --password-reset  a mailed single-use reset link: the same 202 for every email, the token\n                bound to the current password, every session revoked on use\n  --verify-email  a mailed confirmation link, email_verified on /me, AUTH_REQUIRE_VERIFIED_EMAIL\n                (both mail through SMTP (aiosmtplib) when SMTP_HOST is set; production refuses to\n                start without it)\n  --tenants     the user's tenant in auth_users and in the token, PUT /users/{id}/tenant (admin);\n                tenant-scoped modules (those there and those added later) take the tenant\n                from the caller's account, never a header\n\nWithout a flag: the seed's workflow. With flags: auth when missing, then each extension.\n\nExamples:\n  polepos add auth --dry-run\n  polepos add auth\n  polepos add auth --sessions --rate-limit\n  polepos add auth --password-reset --verify-email\n\nNext steps after adding auth:\n  uv sync --extra dev\n  polepos db revision -m \"add auth users table\"\n  polepos db upgrade\n  polepos check"
    )]
    Auth(AddAuthArgs),

    /// Add a module: model, repository, service, router and tests, wired into the project.
    #[command(
        after_help = "Templates:\n  standard      GET and POST /<name> over a table with `name` (the default)\n  crud          list, create, GET/PATCH/DELETE /<name>/{id}; takes the CRUD flags\n  api-only      no database: GET and POST /<name> through a service\n  service-only  model, repository and service without routes\n  ai-prompt     no database: POST /<name>/respond through the LLM adapters in integrations/llm\n                (OpenAI-compatible or Anthropic; the first one adds them and the LLM_* settings);\n                takes --auth-required (an active user's token; needs `polepos add auth`)\n\nFields (standard, crud, service-only): name[:type][:modifier ...]\n  types      str (default), text, int, bigint, float, decimal[=P,S], bool, date, datetime,\n             uuid, json, enum=a,b,c, ref=<module>\n  modifiers  optional, unique, index, default=<value>, min=<n>, max=<n>,\n             on_delete=cascade|restrict|set_null (ref only; set_null needs optional)\n\nExamples:\n  polepos add module customers\n  polepos add module orders --template crud --pagination --timestamps\n  polepos add module products title:str:unique price:decimal:min=0 --template crud\n  polepos add module reviews product_id:ref=products:on_delete=cascade rating:int:min=1:max=5\n  polepos add module wishes --template crud --owned\n  polepos add module invoices --template crud --soft-delete --tenant-scoped --auth-required\n  polepos add module weather --api-only\n  polepos add module billing --service-only --dry-run\n  polepos add module assistant --template ai-prompt\n  polepos add module helpdesk --template ai-prompt --auth-required\n\nNext steps after a database-backed module:\n  polepos db revision -m \"add <name> table\"\n  polepos db upgrade\n  polepos check\n\nNext steps after an ai-prompt module: set LLM_PROVIDER, LLM_MODEL (and LLM_API_KEY, or\nLLM_BASE_URL for a local server) in .env, then polepos check"
    )]
    Module(AddModuleArgs),

    /// Add typed fields to a module: its model, schemas, filters and tests.
    #[command(
        after_help = "Field syntax: name[:type][:modifier ...]\n  types      str (default), text, int, bigint, float, decimal[=P,S], bool, date, datetime,\n             uuid, json, enum=a,b,c, ref=<module>\n  modifiers  optional, unique, index, default=<value>, min=<n>, max=<n>,\n             on_delete=cascade|restrict|set_null (ref only; set_null needs optional)\n\nThe table may already hold rows, so a new field needs `optional` or `default=`. Each change is carried over to the module's files as they are now: hand edits elsewhere in them are kept, and a region you changed refuses the change (nothing is written).\n\nExamples:\n  polepos add field products stock:int:default=0:min=0\n  polepos add field products description:text:optional --dry-run\n\nNext steps:\n  polepos db revision -m \"add stock to products\"\n  polepos db upgrade"
    )]
    Field(AddFieldArgs),

    /// Add a client for an existing broker: helpers, an in-memory double, settings, tests.
    #[command(
        after_help = "Integrations:\n  kafka     event producer and consumer (aiokafka)\n  rabbitmq  publisher to a declared exchange and a queue consumer (aio-pika)\n  redis     async cache with key prefix and TTL (redis-py)\n  rq        job queue, enqueue_job and a worker entry point (rq)\n\n`<NAME>_ENABLED=true` makes the app connect at startup (and fail clearly when the broker is unreachable); tests marked `broker` run against a real broker with `uv run pytest -m broker`.\n\nExamples:\n  polepos add integration redis --dry-run\n  polepos add integration kafka"
    )]
    Integration {
        /// The integration to add.
        #[arg(value_enum)]
        name: IntegrationName,

        /// Print the files that would be created and the diffs of changed files; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Arguments of `polepos add module`.
#[derive(Debug, Args)]
pub(crate) struct AddModuleArgs {
    /// Module name, e.g. orders or order-items (normalised to a package name: order_items).
    #[arg(allow_hyphen_values = true)]
    pub name: String,

    /// Typed fields, `name[:type][:modifier ...]` (standard, crud and service-only), e.g.
    /// `title:str:unique price:decimal:min=0 product_id:ref=products:on_delete=cascade`.
    #[arg(value_name = "FIELD")]
    pub fields: Vec<String>,

    /// Module template [default: standard].
    #[arg(long, value_enum, value_name = "TEMPLATE", conflicts_with_all = ["api_only", "service_only"])]
    pub template: Option<ModuleTemplate>,

    /// Shorthand for `--template api-only`.
    #[arg(long, conflicts_with = "service_only")]
    pub api_only: bool,

    /// Shorthand for `--template service-only`.
    #[arg(long)]
    pub service_only: bool,

    /// crud: `limit`/`offset` query parameters; the list returns {items, total, limit, offset}.
    #[arg(long, help_heading = "CRUD flags (with --template crud)")]
    pub pagination: bool,

    /// crud: server-set, timezone-aware `created_at` and `updated_at`.
    #[arg(long, help_heading = "CRUD flags (with --template crud)")]
    pub timestamps: bool,

    /// crud: DELETE sets `deleted_at`; deleted rows are hidden from every read and write.
    #[arg(long, help_heading = "CRUD flags (with --template crud)")]
    pub soft_delete: bool,

    /// crud: rows belong to the tenant named by the `X-Tenant-ID` header.
    #[arg(long, help_heading = "CRUD flags (with --template crud)")]
    pub tenant_scoped: bool,

    /// crud: rows belong to the user who created them; others get 404, users with the `admin` role see all (needs `polepos add auth`; implies --auth-required).
    #[arg(long, help_heading = "CRUD flags (with --template crud)")]
    pub owned: bool,

    /// Every route requires the bearer token of an active user (crud and ai-prompt; needs `polepos add auth`).
    #[arg(long, help_heading = "Access (with --template crud or ai-prompt)")]
    pub auth_required: bool,

    /// Print the files that would be created and the diffs of changed files; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl AddModuleArgs {
    /// The CRUD flags given, in the manifest's canonical order.
    pub(crate) fn crud_flags(&self) -> Vec<&'static str> {
        let given = [
            self.pagination,
            self.timestamps,
            self.soft_delete,
            self.tenant_scoped,
            self.auth_required,
            self.owned,
        ];
        crate::feature::module::CRUD_FLAGS
            .iter()
            .zip(given)
            .filter_map(|(flag, on)| on.then_some(*flag))
            .collect()
    }
}

/// Module templates of `polepos add module`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModuleTemplate {
    /// A model with `name`, list and create routes.
    Standard,
    /// Full CRUD: list, create, read, partial update, delete (takes the CRUD flags).
    Crud,
    /// No database: a router and a service.
    ApiOnly,
    /// A model, repository and service; no routes.
    ServiceOnly,
    /// A prompt endpoint through the shared LLM adapters (no database).
    AiPrompt,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Show the current revision(s) and the heads.
    Status,
    /// Upgrade the database to a revision (default: head).
    Upgrade {
        /// Target revision.
        #[arg(default_value = "head")]
        target: String,
    },
    /// Autogenerate a new revision from the models.
    #[command(
        after_help = "Examples:\n  polepos db revision -m \"add auth users table\"\n  polepos db revision -m \"data fix\" --empty"
    )]
    Revision {
        /// Revision message.
        #[arg(short, long)]
        message: String,
        /// Create an empty revision instead of autogenerating one.
        #[arg(long)]
        empty: bool,
    },
    /// Downgrade the database to a revision (`-1`, `base` or a revision id).
    Downgrade {
        /// Target revision (required).
        #[arg(allow_hyphen_values = true)]
        target: String,
    },
    /// Fail when the models and the migrations have drifted apart.
    Check,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
