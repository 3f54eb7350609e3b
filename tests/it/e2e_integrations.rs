//! End-to-end: `add integration` for kafka, rabbitmq, redis and rq, each alone and all
//! four together, in a SQLite and a `--db none` project. Every state passes its own
//! pytest (no warnings), ruff, ruff format, strict mypy and `polepos check`; `remove
//! integration` gives the original tree back byte for byte. Then the generated broker
//! tests (`pytest -m broker`) run against real private servers started here on
//! 127.0.0.1: Redis (for redis and rq, with a real rq worker executing a job), RabbitMQ
//! and a Kafka-protocol broker (tansu); and the app boots with every integration
//! enabled, and refuses to start when a broker is unreachable.
//! Needs uv, redis-server, rabbitmq-server and tansu; fails, never skips, without them.

use crate::common;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::kafka::Kafka;
use crate::common::rabbitmq::RabbitMq;
use crate::common::redis::Redis;
use crate::common::{
    Scratch, Server, assert_project_checks, free_port, http, polepos, sh, sh_status, uv,
};

const ALL: &[&str] = &["kafka", "rabbitmq", "redis", "rq"];

/// The project's own files: what `remove` must restore. Tool caches, the virtualenv,
/// bytecode, the lock file uv rewrites on sync and the SQLite database are not.
fn sources(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    const DERIVED: &[&str] = &[
        ".venv",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "__pycache__",
    ];
    common::tree(root)
        .into_iter()
        .filter(|(path, _)| {
            !path.components().any(|c| {
                let c = c.as_os_str().to_string_lossy();
                DERIVED.contains(&c.as_ref())
            }) && path != Path::new("uv.lock")
                && path.extension().is_none_or(|e| e != "db" && e != "log")
        })
        .collect()
}

fn assert_same_tree(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    let differing: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        differing.is_empty(),
        "{what}: the tree differs from before in {differing:?}"
    );
}

/// Each integration alone: add, every check, remove, and the tree is as before.
fn each_alone(root: &Path) {
    for name in ALL {
        let before = sources(root);
        let added = polepos(root, &["add", "integration", name], &[]);
        assert!(
            added.stdout.contains("uv run pytest -m broker"),
            "{}",
            added.stdout
        );
        polepos(root, &["check"], &[]);
        assert_project_checks(root, &[]);
        let twice = sh_status(
            root,
            env!("CARGO_BIN_EXE_polepos"),
            &["add", "integration", name],
            &[],
        );
        assert_eq!(twice.code, 1, "adding {name} twice: {}", twice.stderr);
        polepos(root, &["remove", "integration", name], &[]);
        assert_same_tree(&before, &sources(root), &format!("add then remove {name}"));
    }
}

/// All four together, every check.
fn all_together(root: &Path) {
    for name in ALL {
        polepos(root, &["add", "integration", name], &[]);
    }
    polepos(root, &["check"], &[]);
    assert_project_checks(root, &[]);
}

#[test]
fn integrations_alone_together_and_against_real_brokers() {
    let s = Scratch::new();
    polepos(s.path(), &["start", "shop", "--db", "sqlite"], &[]);
    let root = s.path().join("shop");
    let original = sources(&root);
    each_alone(&root);
    all_together(&root);

    // The broker tests against real servers on 127.0.0.1.
    let redis = Redis::start();
    let rabbitmq = RabbitMq::start();
    let kafka = Kafka::start();
    let redis_url = redis.url(0);
    let rq_url = redis.url(1);
    let rabbitmq_url = rabbitmq.url();
    let bootstrap = kafka.bootstrap();
    let env: Vec<(&str, &str)> = vec![
        ("REDIS_URL", &redis_url),
        ("RQ_REDIS_URL", &rq_url),
        ("RABBITMQ_URL", &rabbitmq_url),
        ("KAFKA_BOOTSTRAP_SERVERS", &bootstrap),
    ];
    let brokers = sh(
        &root,
        uv(),
        &[
            "run",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "-m",
            "broker",
        ],
        &env,
    );
    let summary = brokers
        .stdout
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(
        summary.contains(" passed") && !summary.contains("skipped") && !summary.contains("failed"),
        "every broker test runs and passes:\n{}",
        brokers.stdout
    );
    for name in ALL {
        // Each integration round-trips through its real broker (rq: a job run by the
        // generated worker in burst mode, in a subprocess).
        let passed = brokers
            .stdout
            .lines()
            .filter(|l| l.contains(&format!("test_{name}.py::")) && l.contains("PASSED"))
            .count();
        assert!(
            passed >= 2,
            "{name}: {passed} broker tests passed\n{}",
            brokers.stdout
        );
    }
    assert!(
        brokers
            .stdout
            .contains("test_a_real_job_is_run_by_a_real_worker PASSED"),
        "{}",
        brokers.stdout
    );

    // With every integration enabled the app connects at startup and serves.
    let mut enabled = env.clone();
    enabled.extend([
        ("KAFKA_ENABLED", "true"),
        ("RABBITMQ_ENABLED", "true"),
        ("REDIS_ENABLED", "true"),
        ("RQ_ENABLED", "true"),
    ]);
    let server = Server::start(&root, "shop", &enabled);
    let status = http::request(server.port, "GET", "/api/v1/status", &[], None);
    assert_eq!(status.status, 200, "{}", status.body);
    drop(server);

    // An unreachable broker stops startup with one clear error naming the setting.
    let closed = format!("redis://127.0.0.1:{}/0", free_port());
    let refused = sh_status(
        &root,
        root.join(".venv/bin/python"),
        &["-m", "shop.run"],
        &[
            ("REDIS_ENABLED", "true"),
            ("REDIS_URL", &closed),
            ("APP_PORT", &free_port().to_string()),
            ("APP_RELOAD", "false"),
        ],
    );
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("REDIS_URL") || refused.stdout.contains("REDIS_URL"),
        "{}{}",
        refused.stdout,
        refused.stderr
    );
    drop((redis, rabbitmq, kafka));

    for name in ALL {
        polepos(&root, &["remove", "integration", name], &[]);
    }
    assert_same_tree(&original, &sources(&root), "all four added, then removed");
}

#[test]
fn all_integrations_in_a_project_without_database() {
    let s = Scratch::new();
    polepos(s.path(), &["start", "feed", "--db", "none"], &[]);
    let root = s.path().join("feed");
    let original = sources(&root);
    all_together(&root);
    for name in ALL {
        polepos(&root, &["remove", "integration", name], &[]);
    }
    assert_same_tree(&original, &sources(&root), "all four added, then removed");
    polepos(&root, &["check"], &[]);
}

/// Values a user wrote by hand before `add integration` (a settings field, env values, a
/// commented-out env line): only the missing entries are added, every check passes with
/// each value defined once, and `remove` leaves the hand-written ones.
#[test]
fn values_written_by_hand_are_completed_and_kept() {
    let s = Scratch::new();
    polepos(s.path(), &["start", "shop", "--db", "sqlite"], &[]);
    let root = s.path().join("shop");
    let edit = |rel: &str, marker: &str, lines: &str| {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(marker), "{rel}: {marker}");
        std::fs::write(&path, text.replacen(marker, &format!("{lines}{marker}"), 1)).unwrap();
    };
    edit(
        "src/shop/settings.py",
        "    # polepos:auth-settings\n",
        "    # Our broker.\n    kafka_bootstrap_servers: str = \"127.0.0.1:9092\"\n",
    );
    edit(
        ".env.example",
        "# polepos:auth-env\n",
        "# KAFKA_ENABLED=true\nKAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092\nKAFKA_COMPRESSION_TYPE=gzip\n",
    );
    let original = sources(&root);
    let added = polepos(&root, &["add", "integration", "kafka"], &[]);
    assert!(
        added
            .stdout
            .contains("kept src/shop/settings.py: kafka_bootstrap_servers (already there)"),
        "{}",
        added.stdout
    );
    polepos(&root, &["check"], &[]);
    assert_project_checks(&root, &[]);
    polepos(&root, &["remove", "integration", "kafka"], &[]);
    assert_same_tree(
        &original,
        &sources(&root),
        "hand-written values, add then remove",
    );
}
