//! `add integration` (and the llm scaffold of ai-prompt modules) complete the settings
//! and env entries a project already has part of, and `remove` takes out exactly what
//! `add` wrote: the tree comes back byte for byte, hand-written entries included.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{Scratch, tree};

/// A fresh SQLite project `shop` in a scratch directory.
fn project() -> (Scratch, PathBuf) {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    (s, root)
}

/// Inserts `lines` above the line `marker` in `rel`.
fn above(root: &Path, rel: &str, marker: &str, lines: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(marker), "{rel} has no `{marker}`");
    std::fs::write(&path, text.replacen(marker, &format!("{lines}{marker}"), 1)).unwrap();
}

/// Asserts that `root` holds exactly `original`, naming the files that differ.
fn assert_tree(root: &Path, original: &BTreeMap<PathBuf, Vec<u8>>) {
    let after = tree(root);
    let differs: Vec<_> = original
        .keys()
        .chain(after.keys())
        .filter(|p| original.get(*p) != after.get(*p))
        .collect();
    assert!(differs.is_empty(), "changed: {differs:?}");
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

/// How many lines of `text` start (after indentation) with `start`.
fn count(text: &str, start: &str) -> usize {
    text.lines()
        .filter(|l| l.trim_start().starts_with(start))
        .count()
}

/// Hand-written kafka values: a settings field, an env value, an optional env value
/// set, and a commented-out line, which is not a value.
fn hand_write_some_kafka_values(root: &Path) {
    above(
        root,
        "src/shop/settings.py",
        "    # polepos:auth-settings\n",
        "    # Our broker.\n    kafka_bootstrap_servers: str = \"broker:9092\"\n",
    );
    above(
        root,
        ".env.example",
        "# polepos:auth-env\n",
        "# KAFKA_ENABLED=true\nKAFKA_BOOTSTRAP_SERVERS=broker:9092\nKAFKA_COMPRESSION_TYPE=zstd\n",
    );
}

#[test]
fn add_integration_writes_only_the_missing_entries_and_remove_restores_the_tree() {
    let (s, root) = project();
    hand_write_some_kafka_values(&root);
    let original = tree(&root);

    let added = s.run_in("shop", &["add", "integration", "kafka"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    for line in [
        "  kept src/shop/settings.py: kafka_bootstrap_servers (already there)\n",
        "  kept .env.example: KAFKA_BOOTSTRAP_SERVERS, KAFKA_COMPRESSION_TYPE (already there)\n",
    ] {
        assert!(added.stdout.contains(line), "{line}: {}", added.stdout);
    }
    let settings = read(&root, "src/shop/settings.py");
    let env = read(&root, ".env.example");
    for field in ["kafka_bootstrap_servers:", "kafka_enabled:", "kafka_acks:"] {
        assert_eq!(count(&settings, field), 1, "{field}\n{settings}");
    }
    assert!(settings.contains("kafka_bootstrap_servers: str = \"broker:9092\""));
    for key in [
        "KAFKA_BOOTSTRAP_SERVERS=",
        "KAFKA_COMPRESSION_TYPE=",
        "KAFKA_ACKS=",
    ] {
        assert_eq!(count(&env, key), 1, "{key}\n{env}");
    }
    // The commented-out line was no value: the active one is added, the commented-out
    // optional one is not (the value is set).
    assert_eq!(count(&env, "KAFKA_ENABLED=false"), 1, "{env}");
    assert_eq!(count(&env, "# KAFKA_COMPRESSION_TYPE="), 0, "{env}");
    assert_eq!(s.run_in("shop", &["check"]).code, 0);

    let removed = s.run_in("shop", &["remove", "integration", "kafka"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_tree(&root, &original);
}

#[test]
fn every_entry_already_there_adds_none_and_removes_none() {
    let (s, root) = project();
    let added = s.run_in("shop", &["add", "integration", "redis"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let with_values = (
        read(&root, "src/shop/settings.py"),
        read(&root, ".env.example"),
    );
    // The integration goes, its values stay: what a user who keeps them would have.
    let out = s.run_in("shop", &["remove", "integration", "redis"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(root.join("src/shop/settings.py"), &with_values.0).unwrap();
    std::fs::write(root.join(".env.example"), &with_values.1).unwrap();
    let original = tree(&root);

    let added = s.run_in("shop", &["add", "integration", "redis"]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(
        added
            .stdout
            .contains("  kept src/shop/settings.py: redis_enabled, redis_url, redis_client_name, redis_key_prefix, redis_socket_timeout_seconds (already there)\n"),
        "{}",
        added.stdout
    );
    assert!(!added.stdout.contains("updated src/shop/settings.py"));
    assert!(!added.stdout.contains("updated .env.example"));
    assert_eq!(read(&root, "src/shop/settings.py"), with_values.0);
    assert_eq!(read(&root, ".env.example"), with_values.1);
    assert_eq!(s.run_in("shop", &["check"]).code, 0);

    let removed = s.run_in("shop", &["remove", "integration", "redis"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_tree(&root, &original);
}

#[test]
fn an_edited_added_entry_blocks_removal_and_force_keeps_the_hand_written_ones() {
    let (s, root) = project();
    hand_write_some_kafka_values(&root);
    let original = tree(&root);
    assert_eq!(s.run_in("shop", &["add", "integration", "kafka"]).code, 0);
    let env = read(&root, ".env.example");
    std::fs::write(
        root.join(".env.example"),
        env.replace("KAFKA_ACKS=all", "KAFKA_ACKS=1"),
    )
    .unwrap();
    let before = s.snapshot_tree();
    let out = s.run_in("shop", &["remove", "integration", "kafka"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains(".env.example: the values of the kafka integration (from `KAFKA_ENABLED`) are not the ones polepos added"),
        "{}",
        out.stderr
    );
    assert_eq!(
        s.snapshot_tree(),
        before,
        "a blocked removal changes nothing"
    );

    // --force takes out what add wrote, edited or not, and nothing written by hand.
    let out = s.run_in("shop", &["remove", "integration", "kafka", "--force"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_tree(&root, &original);
}

#[test]
fn ai_prompt_completes_partial_llm_settings_and_removal_restores_them() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop", "--db", "none"]).code, 0);
    let root = s.path().join("shop");
    above(
        &root,
        "src/shop/settings.py",
        "    # polepos:auth-settings\n",
        "    llm_provider: str = \"openai\"\n    llm_model: str = \"gpt-4o-mini\"\n",
    );
    above(
        &root,
        ".env.example",
        "# polepos:auth-env\n",
        "LLM_PROVIDER=openai\n",
    );
    let original = tree(&root);

    let add = ["add", "module", "chat", "--template", "ai-prompt"];
    let added = s.run_in("shop", &add);
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert!(
        added
            .stdout
            .contains("  kept src/shop/settings.py: llm_provider, llm_model (already there)\n"),
        "{}",
        added.stdout
    );
    assert!(
        added
            .stdout
            .contains("  kept .env.example: LLM_PROVIDER (already there)\n"),
        "{}",
        added.stdout
    );
    let settings = read(&root, "src/shop/settings.py");
    for field in [
        "llm_provider:",
        "llm_model:",
        "llm_api_key:",
        "llm_max_tokens:",
    ] {
        assert_eq!(count(&settings, field), 1, "{field}\n{settings}");
    }
    assert_eq!(count(&read(&root, ".env.example"), "LLM_PROVIDER="), 1);
    assert_eq!(s.run_in("shop", &["check"]).code, 0);

    let removed = s.run_in("shop", &["remove", "module", "chat"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert_tree(&root, &original);
}
