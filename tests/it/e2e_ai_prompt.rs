//! End-to-end: ai-prompt modules in a `--db none` project, (two of them) in a SQLite
//! project, and one with `--auth-required` after `add auth`. Each project passes its own
//! pytest (no warnings), ruff, ruff format, strict mypy and `polepos check`; then uvicorn
//! serves `POST /<n>/respond` against a fake OpenAI-compatible server this test runs on
//! 127.0.0.1, reached through a base URL with credentials: 200, then 502 with a fixed
//! message once the fake fails or answers more than `LLM_MAX_RESPONSE_BYTES`, and 503
//! without LLM settings; neither the URL's password nor the fake's error body reaches a
//! response or the server's log. Removing the modules gives the original tree back, byte
//! for byte. Needs uv; fails, never skips, without it.

use crate::common;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::common::{Scratch, Server, assert_project_checks, http, polepos, sh};

/// A fake OpenAI-compatible chat-completions server on 127.0.0.1: answers `Pong` with
/// status 200, a 500 error body once `fail` is set, or an answer of [`BIG_ANSWER`]
/// bytes once `big` is set; records each request's path, headers and body. Its thread
/// ends with the test process.
struct FakeLlm {
    port: u16,
    fail: Arc<AtomicBool>,
    big: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
}

/// What the fake's error body says: it must reach no response and no log line.
const FAKE_ERROR: &str = "the fake is down for org-7d2e";
/// The password in the base URL the servers are given.
const URL_PASSWORD: &str = "e2e-url-password";
/// The size of the fake's big answer, and the limit the servers run with.
const BIG_ANSWER: usize = 8192;
const MAX_RESPONSE_BYTES: &str = "4096";

impl FakeLlm {
    fn start() -> FakeLlm {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let fail = Arc::new(AtomicBool::new(false));
        let big = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (thread_fail, thread_big, thread_seen) = (fail.clone(), big.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut headers = String::new();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                    headers.push_str(&line.to_ascii_lowercase());
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                thread_seen.lock().unwrap().push((
                    path,
                    headers,
                    String::from_utf8_lossy(&body).into_owned(),
                ));
                let (status, answer) = if thread_fail.load(Ordering::SeqCst) {
                    (
                        "500 Internal Server Error",
                        format!(r#"{{"error": {{"message": "{FAKE_ERROR}"}}}}"#),
                    )
                } else if thread_big.load(Ordering::SeqCst) {
                    let text = "x".repeat(BIG_ANSWER);
                    (
                        "200 OK",
                        format!(
                            r#"{{"model": "fake-model", "choices": [{{"message": {{"content": "{text}"}}}}]}}"#
                        ),
                    )
                } else {
                    (
                        "200 OK",
                        r#"{"model": "fake-model", "choices": [{"message": {"role": "assistant", "content": "Pong"}}]}"#.to_string(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        });
        FakeLlm {
            port,
            fail,
            big,
            seen,
        }
    }

    /// The fake's URL, with credentials the app must send as basic auth and never show.
    fn base_url(&self) -> String {
        format!("http://e2e-user:{URL_PASSWORD}@127.0.0.1:{}/v1", self.port)
    }
}

/// The project tree without what uv, Python, the tools and the server leave behind.
fn source_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    common::tree(root)
        .into_iter()
        .filter(|(path, _)| {
            let text = path.to_string_lossy();
            !(text.starts_with(".venv")
                || text == "uv.lock"
                || text.ends_with(".db")
                || text.contains("__pycache__")
                || text.contains(".pytest_cache")
                || text.contains(".mypy_cache")
                || text.contains(".ruff_cache")
                || text.starts_with("server-"))
        })
        .collect()
}

fn respond(port: u16, module: &str, body: &str, headers: &[(&str, &str)]) -> http::Response {
    http::request(
        port,
        "POST",
        &format!("/api/v1/{module}/respond"),
        headers,
        Some(("application/json", body)),
    )
}

/// A 502 answered with the fixed message and the request's ID (the `X-Request-ID`
/// header's, where the app sets one: the older tool's does not); returns the ID.
fn assert_fixed_502(failed: &http::Response) -> String {
    assert_eq!(failed.status, 502, "{}", failed.body);
    let detail = failed.json()["detail"].as_str().unwrap().to_string();
    let request_id = detail
        .strip_prefix("The LLM provider failed to answer. Request ID: ")
        .unwrap_or_else(|| panic!("not the fixed message: {detail}"))
        .to_string();
    assert!(!request_id.is_empty());
    if let Some(header) = failed.header("X-Request-ID") {
        assert_eq!(header, request_id);
    }
    request_id
}

/// start, add the ai-prompt modules, then every check; returns the root and the tree
/// as `start` left it.
fn build(
    s: &Scratch,
    pkg: &str,
    db: &str,
    modules: &[&str],
) -> (PathBuf, BTreeMap<PathBuf, Vec<u8>>) {
    polepos(s.path(), &["start", pkg, "--db", db], &[]);
    let root = s.path().join(pkg);
    let original = source_tree(&root);
    for name in modules {
        let out = polepos(
            &root,
            &["add", "module", name, "--template", "ai-prompt"],
            &[],
        );
        assert!(
            out.stdout.contains(&format!("POST /{name}/respond")),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("LLM_PROVIDER"), "{}", out.stdout);
    }
    polepos(&root, &["check"], &[]);
    assert_project_checks(&root, &[]);
    (root, original)
}

/// The round trip through uvicorn and the fake provider: 200, then 502 for a failure
/// and for an answer above the size limit; every request sends `headers`.
fn round_trip(
    root: &Path,
    pkg: &str,
    modules: &[&str],
    extra_env: &[(&str, &str)],
    headers: &[(&str, &str)],
) {
    let fake = FakeLlm::start();
    let base_url = fake.base_url();
    let mut env = vec![
        ("LLM_PROVIDER", "openai"),
        ("LLM_MODEL", "fake-model"),
        ("LLM_BASE_URL", base_url.as_str()),
        ("LLM_TIMEOUT_SECONDS", "10"),
        ("LLM_MAX_RESPONSE_BYTES", MAX_RESPONSE_BYTES),
    ];
    env.extend_from_slice(extra_env);
    let server = Server::start(root, pkg, &env);
    for module in modules {
        let answered = respond(
            server.port,
            module,
            r#"{"prompt": " Ping ", "topic": "tests"}"#,
            headers,
        );
        assert_eq!(answered.status, 200, "{}\n{}", answered.body, server.log());
        assert_eq!(
            answered.json(),
            serde_json::json!({
                "response": "Pong",
                "provider": "openai",
                "model": "fake-model",
                "topic": "tests",
            })
        );
        let (path, sent, body) = fake.seen.lock().unwrap().last().cloned().unwrap();
        assert_eq!(path, "/v1/chat/completions");
        assert!(
            sent.contains("authorization: basic "),
            "the URL's credentials, as basic auth: {sent}"
        );
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["model"], "fake-model");
        assert_eq!(body["messages"][1]["content"], "Ping");
        assert!(
            body["messages"][0]["content"]
                .as_str()
                .unwrap()
                .contains("tests")
        );
        let invalid = respond(server.port, module, r#"{"prompt": "  "}"#, headers);
        assert_eq!(invalid.status, 422);
    }
    fake.big.store(true, Ordering::SeqCst);
    for module in modules {
        assert_fixed_502(&respond(
            server.port,
            module,
            r#"{"prompt": "Ping"}"#,
            headers,
        ));
    }
    fake.big.store(false, Ordering::SeqCst);
    fake.fail.store(true, Ordering::SeqCst);
    let mut failures = Vec::new();
    for module in modules {
        let failed = respond(server.port, module, r#"{"prompt": "Ping"}"#, headers);
        assert!(!failed.body.contains(FAKE_ERROR), "{}", failed.body);
        failures.push(assert_fixed_502(&failed));
    }
    let log = server.log();
    drop(server);
    assert!(!log.contains("Traceback"), "{log}");
    assert!(!log.contains(URL_PASSWORD), "{log}");
    assert!(!log.contains(FAKE_ERROR), "{log}");
    for request_id in failures {
        assert!(
            log.lines()
                .any(|line| line.contains(&request_id) && line.contains("answered 500")),
            "the failure is logged with its request ID and the provider's status:\n{log}"
        );
    }
}

#[test]
fn ai_prompt_without_database_round_trip_and_removal() {
    let s = Scratch::new();
    let (root, original) = build(&s, "notes", "none", &["chat"]);
    round_trip(&root, "notes", &["chat"], &[], &[]);

    // Without LLM settings the route answers 503 naming the setting to set.
    let server = Server::start(&root, "notes", &[]);
    let unconfigured = respond(server.port, "chat", r#"{"prompt": "Ping"}"#, &[]);
    assert_eq!(unconfigured.status, 503, "{}", unconfigured.body);
    assert!(
        unconfigured.json()["detail"]
            .as_str()
            .unwrap()
            .contains("LLM_PROVIDER")
    );
    // The body is validated before the missing settings are noticed.
    let empty = respond(server.port, "chat", r#"{"prompt": ""}"#, &[]);
    assert_eq!(empty.status, 422, "{}", empty.body);
    drop(server);

    polepos(&root, &["remove", "module", "chat"], &[]);
    assert_eq!(
        source_tree(&root),
        original,
        "add then remove gives the tree back"
    );
    polepos(&root, &["check"], &[]);
}

#[test]
fn two_ai_prompt_modules_on_sqlite_share_one_scaffold() {
    let s = Scratch::new();
    let (root, original) = build(&s, "shop", "sqlite", &["chat", "helper"]);
    round_trip(&root, "shop", &["chat", "helper"], &[], &[]);

    polepos(&root, &["remove", "module", "chat"], &[]);
    assert!(root.join("src/shop/integrations/llm/factory.py").is_file());
    polepos(&root, &["check"], &[]);
    polepos(&root, &["remove", "module", "helper"], &[]);
    assert!(!root.join("src/shop/integrations").exists());
    assert_eq!(
        source_tree(&root),
        original,
        "add then remove gives the tree back"
    );
    polepos(&root, &["check"], &[]);
}

#[test]
fn ai_prompt_with_auth_required_answers_active_users_only() {
    let s = Scratch::new();
    polepos(s.path(), &["start", "desk", "--db", "sqlite"], &[]);
    let root = s.path().join("desk");
    polepos(&root, &["add", "auth"], &[]);
    let out = polepos(
        &root,
        &[
            "add",
            "module",
            "helpdesk",
            "--template",
            "ai-prompt",
            "--auth-required",
        ],
        &[],
    );
    assert!(
        out.stderr.contains("(ai-prompt[auth-required])"),
        "{}",
        out.stderr
    );
    sh(&root, common::uv(), &["sync", "--extra", "dev"], &[]);
    polepos(
        &root,
        &["db", "revision", "-m", "add auth users table"],
        &[],
    );
    polepos(&root, &["db", "upgrade"], &[]);
    polepos(&root, &["check"], &[]);
    assert_project_checks(&root, &[]);

    // A user registers and logs in over HTTP; the module answers their token only.
    let server = Server::start(&root, "desk", &[]);
    let credentials = r#"{"email": "ada@example.com", "password": "correct horse battery"}"#;
    let registered = http::request(
        server.port,
        "POST",
        "/api/v1/auth/register",
        &[],
        Some(("application/json", credentials)),
    );
    assert_eq!(registered.status, 201, "{}", registered.body);
    let login = http::request(
        server.port,
        "POST",
        "/api/v1/auth/token",
        &[],
        Some(("application/json", credentials)),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    let token = login.json()["access_token"].as_str().unwrap().to_string();
    let anonymous = respond(server.port, "helpdesk", r#"{"prompt": "Ping"}"#, &[]);
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    drop(server);

    let bearer = format!("Bearer {token}");
    round_trip(
        &root,
        "desk",
        &["helpdesk"],
        &[],
        &[("Authorization", bearer.as_str())],
    );
}

#[test]
fn ai_prompt_in_a_project_made_by_the_older_tool() {
    let s = Scratch::new();
    let root = s.path().join("legacy-shop");
    common::copy_fixture(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy_base"),
        &root,
    );
    let original = source_tree(&root);
    polepos(
        &root,
        &["add", "module", "chat", "--template", "ai-prompt"],
        &[],
    );
    sh(&root, common::uv(), &["sync", "--extra", "dev"], &[]);
    let check = polepos(&root, &["check"], &[]);
    assert!(check.stdout.contains("check passed"), "{}", check.stdout);
    // The older tool's projects carry no ruff or mypy configuration: the bar there is
    // its own test suite and `polepos check`.
    let pytest = sh(
        &root,
        common::uv(),
        &["run", "pytest", "-q", "-p", "no:cacheprovider"],
        &[],
    );
    assert!(
        !pytest.stdout.to_lowercase().contains("warning"),
        "{}",
        pytest.stdout
    );
    let secret = [(
        "AUTH_SECRET_KEY",
        "legacy-e2e-signing-key-0123456789abcdef0123456789abcdef",
    )];
    round_trip(&root, "legacy_shop", &["chat"], &secret, &[]);
    polepos(&root, &["remove", "module", "chat"], &[]);
    assert_eq!(
        source_tree(&root),
        original,
        "add then remove gives the tree back"
    );
}
