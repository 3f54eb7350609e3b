//! Integrations (PPCHK040–043): files, dependency, settings fields and env values, for
//! every integration the manifest enables or whose directory exists, and for `llm` when
//! an `ai-prompt` module needs it.
//!
//! The table below is §8's integration table as data. Missing settings and env values
//! are reported once per integration (listing every missing name), not once per name:
//! one integration's block is one thing to restore.

use super::Issue;
use super::codes::Code;
use super::facts::Facts;
use super::modules;
use super::templates::Template;
use crate::markers;
use crate::pyproject::requirement_name;

/// What one integration consists of.
#[derive(Debug, Clone, Copy)]
pub struct Integration {
    pub name: &'static str,
    /// Files under `integrations/<name>/` besides `__init__.py`.
    pub files: &'static [&'static str],
    pub dependency: Option<&'static str>,
    /// Settings fields; `true` marks the optional ones whose env line may stay commented.
    pub settings: &'static [(&'static str, bool)],
}

pub const INTEGRATIONS: &[Integration] = &[
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

impl Integration {
    fn settings_marker(&self) -> &'static markers::Marker {
        if self.name == "llm" {
            &markers::LLM_SETTINGS
        } else {
            &markers::INTEGRATION_SETTINGS
        }
    }

    fn env_marker(&self) -> &'static markers::Marker {
        if self.name == "llm" {
            &markers::LLM_ENV
        } else {
            &markers::INTEGRATION_ENV
        }
    }
}

/// Active (uncommented) `NAME=value` lines of an env file, with their lines.
pub fn active_env(text: &str) -> Vec<(String, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (key, _) = line.split_once('=')?;
            Some((key.trim().to_string(), index + 1))
        })
        .collect()
}

/// The integrations to validate, in table order.
pub fn enabled<'a>(facts: &Facts, modules: &[modules::Resolved<'a>]) -> Vec<&'static Integration> {
    let needs_llm = modules
        .iter()
        .any(|m| m.template == Template::AiPrompt && m.dir.is_some());
    INTEGRATIONS
        .iter()
        .filter(|i| {
            facts.manifest.integration_enabled(i.name)
                || (i.name == "llm" && needs_llm)
                || has_python(facts, &facts.pkg_path(&format!("integrations/{}", i.name)))
        })
        .collect()
}

fn has_python(facts: &Facts, dir: &str) -> bool {
    std::fs::read_dir(facts.root.join(dir)).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(".py")))
    })
}

pub fn check(facts: &Facts, issues: &mut Vec<Issue>) {
    let modules = modules::resolve(facts);
    let enabled = enabled(facts, &modules);
    if enabled.is_empty() {
        return;
    }
    let package_init = facts.pkg_path("integrations/__init__.py");
    if !facts.root.join(&package_init).is_file() {
        issues.push(
            Issue::new(
                Code::IntegrationFileMissing,
                format!("integration package file {package_init} is missing"),
            )
            .at(package_init, None),
        );
    }
    let settings_class = facts.settings.file().and_then(|f| f.class("Settings"));
    let env = facts.env.text().map(active_env);
    for integration in enabled {
        let name = integration.name;
        for file in std::iter::once(&"__init__.py").chain(integration.files) {
            let path = facts.pkg_path(&format!("integrations/{name}/{file}"));
            if !facts.root.join(&path).is_file() {
                issues.push(
                    Issue::new(
                        Code::IntegrationFileMissing,
                        format!("integration `{name}` is missing {path}"),
                    )
                    .at(path, None),
                );
            }
        }
        if let (Some(requirement), Some(deps)) = (integration.dependency, &facts.dependencies) {
            let wanted = requirement_name(requirement);
            if !deps.iter().any(|d| requirement_name(d) == wanted) {
                issues.push(
                    Issue::new(
                        Code::IntegrationDependencyMissing,
                        format!("integration `{name}` needs the dependency `{requirement}`"),
                    )
                    .at("pyproject.toml", None)
                    .fix(format!("run `uv add \"{requirement}\"`")),
                );
            }
        }
        if let Some(class) = settings_class {
            let missing: Vec<&str> = integration
                .settings
                .iter()
                .map(|(field, _)| *field)
                .filter(|field| !class.fields.iter().any(|(f, _)| f == field))
                .collect();
            if !missing.is_empty() {
                let marker = integration.settings_marker();
                let line = facts
                    .settings
                    .text()
                    .and_then(|t| markers::find(t, marker))
                    .map(|i| i + 1)
                    .or(Some(class.line));
                issues.push(
                    Issue::new(
                        Code::IntegrationSettingMissing,
                        format!(
                            "integration `{name}` settings missing from class Settings: {}",
                            missing.join(", ")
                        ),
                    )
                    .at(&facts.settings.path, line)
                    .fix(format!("add the fields above `{}`", marker.comment)),
                );
            }
        }
        if let Some(env) = &env {
            let missing: Vec<String> = integration
                .settings
                .iter()
                .filter(|(_, optional)| !optional)
                .map(|(field, _)| field.to_ascii_uppercase())
                .filter(|key| !env.iter().any(|(k, _)| k == key))
                .collect();
            if !missing.is_empty() {
                let marker = integration.env_marker();
                let line = facts
                    .env
                    .text()
                    .and_then(|t| markers::find(t, marker))
                    .map(|i| i + 1);
                issues.push(
                    Issue::new(
                        Code::IntegrationEnvMissing,
                        format!(
                            "integration `{name}` env values missing from .env.example: {}",
                            missing.join(", ")
                        ),
                    )
                    .at(".env.example", line)
                    .fix(format!(
                        "add active `NAME=value` lines above `{}`",
                        marker.comment
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines() {
        let text =
            "# comment\nAPP_NAME=x\n# KAFKA_ACKS=all\nexport REDIS_URL = redis://\n\nnot a line\n";
        assert_eq!(
            active_env(text),
            [("APP_NAME".to_string(), 2), ("REDIS_URL".to_string(), 4)]
        );
    }
}
