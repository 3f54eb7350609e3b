//! Integrations (`add integration`, and `llm` added by ai-prompt modules): SPEC §9's
//! table as data — the files under `integrations/<name>/`, the dependency and the
//! settings fields. `check` validates these for every integration a project enables,
//! and [`recipe`] turns one into what `add integration` writes.

use super::{
    Block, Conditional, Feature, GeneratedFile, ManifestEntry, ProjectContext, Recipe, Role, Wiring,
};
use crate::markers::{self, Marker};
use crate::templates::{self, TemplateError};

/// What one integration consists of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Integration {
    pub name: &'static str,
    /// Files under `integrations/<name>/` besides `__init__.py`.
    pub files: &'static [&'static str],
    pub dependency: Option<&'static str>,
    /// Settings fields; `true` marks the optional ones whose env line may stay commented.
    pub settings: &'static [(&'static str, bool)],
}

pub(crate) const INTEGRATIONS: &[Integration] = &[
    Integration {
        name: "kafka",
        files: &[
            "consumer.py",
            "factory.py",
            "producer.py",
            "schemas.py",
            "testing.py",
        ],
        dependency: Some("aiokafka>=0.12.0"),
        settings: &[
            ("kafka_enabled", false),
            ("kafka_bootstrap_servers", false),
            ("kafka_client_id", false),
            ("kafka_default_topic", false),
            ("kafka_group_id", false),
            ("kafka_auto_offset_reset", false),
            ("kafka_acks", false),
            ("kafka_compression_type", true),
            ("kafka_request_timeout_ms", false),
        ],
    },
    Integration {
        name: "rabbitmq",
        files: &[
            "consumer.py",
            "factory.py",
            "publisher.py",
            "schemas.py",
            "testing.py",
        ],
        dependency: Some("aio-pika>=9.0.0"),
        settings: &[
            ("rabbitmq_enabled", false),
            ("rabbitmq_url", false),
            ("rabbitmq_client_id", false),
            ("rabbitmq_exchange", false),
            ("rabbitmq_exchange_type", false),
            ("rabbitmq_exchange_durable", false),
            ("rabbitmq_default_routing_key", false),
            ("rabbitmq_default_queue", false),
            ("rabbitmq_queue_durable", false),
            ("rabbitmq_prefetch_count", false),
        ],
    },
    Integration {
        name: "redis",
        files: &["cache.py", "factory.py", "schemas.py", "testing.py"],
        dependency: Some("redis>=5.0.0"),
        settings: &[
            ("redis_enabled", false),
            ("redis_url", false),
            ("redis_client_name", false),
            ("redis_key_prefix", false),
            ("redis_socket_timeout_seconds", false),
        ],
    },
    Integration {
        name: "rq",
        files: &[
            "factory.py",
            "jobs.py",
            "schemas.py",
            "testing.py",
            "worker.py",
        ],
        dependency: Some("rq>=1.16.0"),
        settings: &[
            ("rq_enabled", false),
            ("rq_redis_url", false),
            ("rq_default_queue", false),
            ("rq_worker_name", false),
            ("rq_job_timeout_seconds", false),
            ("rq_result_ttl_seconds", false),
        ],
    },
    Integration {
        name: "llm",
        files: &[
            "anthropic_client.py",
            "factory.py",
            "openai_client.py",
            "provider.py",
            "schemas.py",
        ],
        dependency: None,
        settings: &[
            ("llm_provider", false),
            ("llm_model", false),
            ("llm_api_key", false),
            ("llm_base_url", false),
            ("llm_timeout_seconds", false),
            ("llm_temperature", false),
            ("llm_max_tokens", true),
        ],
    },
];

/// The ledger owner of the files every integration shares.
pub(crate) const SHARED_OWNER: &str = "integrations";

/// The integration named `name`, if polepos knows it.
pub(crate) fn find(name: &str) -> Option<&'static Integration> {
    INTEGRATIONS.iter().find(|i| i.name == name)
}

impl Integration {
    /// `src/<pkg>/integrations/<name>`.
    pub(crate) fn package_dir(&self, pkg: &str) -> String {
        format!("src/{pkg}/integrations/{}", self.name)
    }

    /// The markers its settings and env blocks go above.
    fn markers(&self) -> (Marker, Marker) {
        if self.name == "llm" {
            (markers::LLM_SETTINGS, markers::LLM_ENV)
        } else {
            (markers::INTEGRATION_SETTINGS, markers::INTEGRATION_ENV)
        }
    }

    /// The settings and env blocks for a project.
    fn blocks(&self, ctx: &ProjectContext) -> Result<(Block, Block), TemplateError> {
        let vars = ctx.template_context("");
        let (settings_marker, env_marker) = self.markers();
        let render = |kind: &str| {
            templates::render_file(&format!("integration/{}.{kind}.j2", self.name), &vars)
        };
        Ok((
            Block::new(settings_marker, render("settings")?),
            Block::new(env_marker, render("env")?),
        ))
    }
}

/// The recipe of `add integration <name>` (and of the llm scaffold) for a project.
pub(crate) fn recipe(
    integration: &'static Integration,
    ctx: &ProjectContext,
) -> Result<Recipe, TemplateError> {
    let vars = ctx.template_context("");
    let mut files =
        GeneratedFile::render_tree(&format!("integration/{}", integration.name), &vars)?;
    for mut file in GeneratedFile::render_tree("integration/_shared", &vars)? {
        file.role = Role::Shared(SHARED_OWNER);
        files.push(file);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let (settings, env) = integration.blocks(ctx)?;
    let prefix = if ctx.bytecode {
        ""
    } else {
        "PYTHONDONTWRITEBYTECODE=1 "
    };
    let upper = integration.name.to_ascii_uppercase();
    Ok(Recipe {
        feature: Feature::Integration(integration.name),
        files,
        wiring: vec![Wiring::Block(settings), Wiring::Block(env)],
        dependencies: Vec::new(),
        dev_dependencies: Vec::new(),
        conditional_dependencies: integration
            .dependency
            .map(|requirement| Conditional {
                requirement,
                provided_by: None,
            })
            .into_iter()
            .collect(),
        manifest: Some(ManifestEntry::Integration(integration.name)),
        fields: Vec::new(),
        revisions: Vec::new(),
        requires: Vec::new(),
        next_steps: vec![
            format!("{prefix}uv sync --extra dev"),
            format!("set {upper}_ENABLED=true (and its URL) in .env to connect at startup"),
            format!("{prefix}uv run pytest -m broker   # against a running broker"),
            "polepos check".to_string(),
        ],
    })
}
