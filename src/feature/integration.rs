//! Integrations (`add integration`, and `llm` added by ai-prompt modules): SPEC §9's
//! table as data — the files under `integrations/<name>/`, the dependency and the
//! settings fields. `check` validates these for every integration a project enables.

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
