//! End-to-end: every `polepos start` state installs, passes its own pytest, ruff, ruff
//! format and strict mypy, and serves `GET /api/v1/status` over real HTTP on 127.0.0.1.
//! Needs uv (and network access to the package index); fails, never skips, without them.

use crate::common;
use std::ffi::OsString;
use std::path::Path;

use crate::common::{Scratch, Server, assert_project_checks, http, polepos, sh, sh_status, uv};

const PLACEHOLDER_KEY: &str = "change-me-to-a-random-secret-of-at-least-32-bytes";
const STRONG_KEY: &str = "e2e-signing-key-0123456789abcdef0123456789abcdef";

fn assert_status_served(root: &Path, package: &str, env: &[(&str, &str)]) {
    let server = Server::start(root, package, env);
    let response = http::get(
        server.port,
        "/api/v1/status",
        &[("X-Request-ID", "e2e-check-1")],
    );
    assert_eq!(response.status, 200, "{}\n{}", response.body, server.log());
    let body = response.json();
    assert_eq!(body["status"], "ok");
    assert!(
        body["uptime_seconds"].is_number() && body["timestamp"].is_string(),
        "{body}"
    );
    assert_eq!(response.header("x-request-id"), Some("e2e-check-1"));
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        http::get(server.port, "/docs", &[]).status,
        200,
        "development serves docs"
    );
    let invalid = http::get(
        server.port,
        "/api/v1/status",
        &[("X-Request-ID", "bad id with spaces")],
    );
    assert_ne!(invalid.header("x-request-id"), Some("bad id with spaces"));
    assert_eq!(
        invalid.header("x-request-id").map(str::len),
        Some(36),
        "a fresh UUID replaces an invalid id"
    );
    assert_eq!(http::get(server.port, "/api/v1/nowhere", &[]).status, 404);

    // An oversized body: 413 JSON before any route sees it (a streamed body is refused as
    // soon as a route reads past the limit; the generated tests and e2e_auth cover that).
    let big = vec![b'a'; 28 * 1024 * 1024];
    let (response, elapsed) = http::post_large(
        server.port,
        "/api/v1/status",
        "application/x-www-form-urlencoded",
        &big,
        false,
    );
    assert_eq!(response.status, 413, "{}\n{}", response.body, server.log());
    assert!(response.json()["detail"].is_string());
    eprintln!("413 for a 28 MiB body in {elapsed:?}");
    assert!(
        elapsed < std::time::Duration::from_secs(3),
        "413 took {elapsed:?}"
    );
    assert_eq!(http::get(server.port, "/api/v1/status", &[]).status, 200);

    // A client that sends its whole body before reading (most do) sees the 413, not a
    // reset: the server reads and drops the rest of a body of a few MiB before closing.
    for size in [1024 * 1024 + 1, 3 * 1024 * 1024] {
        let response = http::post_whole_body(server.port, "/api/v1/status", &vec![b'a'; size])
            .unwrap_or_else(|e| panic!("{size} bytes: {e}\n{}", server.log()));
        assert_eq!(response.status, 413, "{}", response.body);
        assert_eq!(response.header("connection"), Some("close"));
    }
    assert!(!server.log().contains("Traceback"), "{}", server.log());
}

/// Started as the image starts it (`APP_ENV=production`, the project's `.env` still read):
/// no docs, no localhost CORS origin, and the security headers on every response.
fn assert_production_defaults(root: &Path, package: &str) {
    let server = Server::start(
        root,
        package,
        &[("APP_ENV", "production"), ("AUTH_SECRET_KEY", STRONG_KEY)],
    );
    for path in ["/docs", "/redoc", "/openapi.json"] {
        let response = http::get(server.port, path, &[]);
        assert_eq!(response.status, 404, "{path}: {}", response.body);
        assert_eq!(response.header("x-frame-options"), Some("DENY"), "{path}");
    }
    let response = http::get(
        server.port,
        "/api/v1/status",
        &[("Origin", "http://localhost:5173")],
    );
    assert_eq!(response.status, 200, "{}\n{}", response.body, server.log());
    assert_eq!(response.header("access-control-allow-origin"), None);
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(response.header(name), Some(value), "{name}");
    }
}

/// Readiness: 200 while the database answers (or without one), 503 with a short body
/// otherwise, while liveness stays 200.
fn assert_readiness(root: &Path, package: &str, db: &str) {
    if db == "postgres" {
        // Nothing listens on this port: the database cannot be reached.
        let url = format!(
            "postgresql+psycopg://postgres:hidden-pw@127.0.0.1:{}/{package}",
            common::free_port()
        );
        let server = Server::start(root, package, &[("DATABASE_URL", url.as_str())]);
        let response = http::get(server.port, "/api/v1/status/ready", &[]);
        assert_eq!(response.status, 503, "{}\n{}", response.body, server.log());
        assert_eq!(
            response.json(),
            serde_json::json!({"status": "unavailable", "detail": "The database is not reachable."})
        );
        assert!(!response.body.contains("hidden-pw") && !response.body.contains("psycopg"));
        assert_eq!(http::get(server.port, "/api/v1/status", &[]).status, 200);
        assert!(!server.log().contains("Traceback"), "{}", server.log());
        return;
    }
    let server = Server::start(root, package, &[]);
    let response = http::get(server.port, "/api/v1/status/ready", &[]);
    assert_eq!(response.status, 200, "{}\n{}", response.body, server.log());
    assert_eq!(response.json(), serde_json::json!({"status": "ready"}));
}

/// With the real Alembic and driver, an unreachable database gets polepos's one line.
fn assert_connection_line(root: &Path, package: &str) {
    let port = common::free_port();
    let url = format!("postgresql+psycopg://postgres:hidden-pw@127.0.0.1:{port}/{package}");
    let out = common::sh_status(
        root,
        env!("CARGO_BIN_EXE_polepos"),
        &["db", "upgrade"],
        &[("DATABASE_URL", url.as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("OperationalError"),
        "Alembic's own output first"
    );
    assert_eq!(
        out.stderr.lines().last().unwrap(),
        format!(
            "polepos: alembic upgrade head exited with status 1: cannot connect to PostgreSQL at 127.0.0.1:{port} (database {package}, DATABASE_URL from the environment); start it with `docker compose up -d postgres`, or point DATABASE_URL at a running server"
        )
    );
    assert!(!out.stderr.contains("hidden-pw"));
}

/// Runs `python -m <pkg>.run` outside the project (so no `.env` is read, as in the
/// image) and returns its outcome; `timeout` ends it should it ever start serving.
fn start_outside(root: &Path, package: &str, env: &[(&str, &str)]) -> common::Output {
    let python = root.join(".venv/bin/python");
    let python = python.to_str().unwrap();
    let port = common::free_port().to_string();
    let mut env = env.to_vec();
    env.extend([("APP_PORT", port.as_str()), ("APP_RELOAD", "false")]);
    sh_status(
        root.parent().unwrap(),
        "timeout",
        &["20", python, "-m", &format!("{package}.run")],
        &env,
    )
}

/// The signing key fails closed in every environment, and debug only runs in development.
fn assert_fails_closed(root: &Path, package: &str) {
    for (what, env, expected) in [
        (
            "no key, as the image starts it",
            vec![("APP_ENV", "production")],
            "AUTH_SECRET_KEY is not set",
        ),
        (
            "no key in development",
            vec![],
            "AUTH_SECRET_KEY is not set",
        ),
        (
            "the public placeholder",
            vec![("AUTH_SECRET_KEY", PLACEHOLDER_KEY)],
            "AUTH_SECRET_KEY is the public placeholder",
        ),
        (
            "a short key",
            vec![("AUTH_SECRET_KEY", "short")],
            "AUTH_SECRET_KEY is shorter than 32 bytes",
        ),
        (
            "debug in production",
            vec![
                ("APP_ENV", "production"),
                ("APP_DEBUG", "true"),
                ("AUTH_SECRET_KEY", STRONG_KEY),
            ],
            "APP_DEBUG=true is only allowed",
        ),
    ] {
        let out = start_outside(root, package, &env);
        assert_eq!(out.code, 1, "{what}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(expected), "{what}: {}", out.stderr);
        assert!(!out.stderr.contains("Traceback"), "{what}: {}", out.stderr);
    }
}

/// Exported variables never change the generated test suite's results.
fn assert_hermetic_tests(root: &Path) {
    let hostile = [
        ("API_V1_PREFIX", "/v2"),
        ("APP_ENV", "production"),
        ("APP_DEBUG", "true"),
        ("AUTH_SECRET_KEY", "short"),
        ("AUTH_ISSUER", "someone-else"),
        ("auth_leeway_seconds", "0"),
        ("CORS_ENABLED", "false"),
        ("LOG_FORMAT", "json"),
        ("APP_MAX_BODY_BYTES", "10"),
        ("APP_RELOAD", "true"),
        (
            "DATABASE_URL",
            "postgresql+psycopg://nobody@127.0.0.1:9/none",
        ),
    ];
    let out = sh_status(
        root,
        uv(),
        &["run", "pytest", "-q", "-p", "no:cacheprovider"],
        &hostile,
    );
    assert_eq!(
        out.code, 0,
        "exported variables changed test results:\n{}{}",
        out.stdout, out.stderr
    );
}

fn full_check(db: &str) {
    let s = Scratch::new();
    polepos(s.path(), &["start", "shop-api", "--db", db], &[]);
    let root = s.path().join("shop-api");
    assert_project_checks(&root, &[]);
    assert_hermetic_tests(&root);
    assert_fails_closed(&root, "shop_api");
    assert_status_served(&root, "shop_api", &[]);
    assert_production_defaults(&root, "shop_api");
    assert_readiness(&root, "shop_api", db);
    if db == "postgres" {
        assert_connection_line(&root, "shop_api");
    }
}

#[test]
fn sqlite_project_passes_its_checks_and_serves() {
    full_check("sqlite");
}

#[test]
fn postgres_project_passes_its_checks_and_serves() {
    full_check("postgres");
}

#[test]
fn database_free_project_passes_its_checks_and_serves() {
    full_check("none");
}

#[test]
fn install_with_uv_then_migrations_and_no_bytecode() {
    let s = Scratch::new();
    let out = polepos(
        s.path(),
        &["start", "notes", "--install", "--no-bytecode"],
        &[],
    );
    assert!(
        !out.stdout.contains("uv sync --extra dev"),
        "installed projects skip the sync step:\n{}",
        out.stdout
    );
    let root = s.path().join("notes");
    assert!(root.join(".venv/bin/python").is_file());
    // `polepos db` runs Alembic with PYTHONDONTWRITEBYTECODE=1: no bytecode in migrations/.
    polepos(&root, &["db", "upgrade"], &[]);
    let status = polepos(&root, &["db", "status"], &[]);
    assert_eq!(
        status.stdout,
        "Current revision of the database:\n  (none: no migration has been applied)\nHeads of migrations/versions:\n  (none: no revision has been written yet)\nCreate the first revision with `polepos db revision -m \"<message>\"`.\n"
    );
    assert!(!status.stderr.contains("INFO"), "{}", status.stderr);
    polepos(&root, &["db", "check"], &[]);
    // No model has changed: autogenerate writes nothing and says so; --empty writes one.
    let versions = || common::tree(&root.join("migrations/versions")).len();
    let before = versions();
    let nothing = polepos(&root, &["db", "revision", "-m", "nothing"], &[]);
    assert!(
        nothing
            .stdout
            .contains("No model changes: no revision was written."),
        "{}{}",
        nothing.stdout,
        nothing.stderr
    );
    assert_eq!(versions(), before);
    polepos(&root, &["db", "revision", "-m", "data fix", "--empty"], &[]);
    assert_eq!(versions(), before + 1);
    polepos(&root, &["db", "upgrade"], &[]);
    let status = polepos(&root, &["db", "status"], &[]);
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert_eq!(lines[0], "Current revision of the database:");
    assert_eq!(lines[2], "Heads of migrations/versions:");
    assert_eq!(lines[1], lines[3], "{}", status.stdout);
    assert!(lines[1].ends_with(" (head)"), "{}", status.stdout);
    assert_eq!(lines[4], "The database is up to date.");
    let pycache = common::tree(&root.join("migrations"))
        .keys()
        .any(|p| p.to_string_lossy().contains("__pycache__"));
    assert!(
        !pycache,
        "PYTHONDONTWRITEBYTECODE=1 was not set for Alembic"
    );
    assert_project_checks(&root, &[("PYTHONDONTWRITEBYTECODE", "1")]);
}

#[test]
fn install_without_uv_falls_back_to_a_venv_with_pip() {
    let s = Scratch::new();
    // A PATH with python3 but no uv.
    let bin = s.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let python = sh(
        s.path(),
        "python3",
        &["-c", "import sys; print(sys.executable)"],
        &[],
    )
    .stdout
    .trim()
    .to_string();
    std::os::unix::fs::symlink(&python, bin.join("python3")).unwrap();
    let path = OsString::from(format!("{}:/usr/bin:/bin", bin.display()));
    let out = common::run(
        s.path(),
        &["start", "fallback", "--install"],
        &[("PATH", path.clone())],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("pip"), "{}", out.stderr);
    // There is no uv to `uv run` with: the next steps use the .venv.
    assert!(
        out.stdout.contains("  .venv/bin/python -m fallback.run\n")
            && out.stdout.contains("  .venv/bin/python -m pytest\n")
            && !out.stdout.contains("uv "),
        "{}",
        out.stdout
    );
    let root = s.path().join("fallback");
    // Without uv, `polepos db` runs Alembic with the project's .venv.
    let no_uv = [("PATH", path), ("VIRTUAL_ENV", OsString::new())];
    for args in [&["db", "upgrade"][..], &["db", "status"], &["db", "check"]] {
        let out = common::run(&root, args, &no_uv);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    let out = common::run(&root, &["db", "downgrade", "nonexistent-revision"], &no_uv);
    assert_ne!(out.code, 0, "Alembic's failure is passed through");
    assert!(
        out.stderr
            .contains("polepos: alembic downgrade nonexistent-revision exited with status"),
        "{}",
        out.stderr
    );
    sh(
        &root,
        root.join(".venv/bin/python"),
        &["-m", "pytest", "-q", "-p", "no:cacheprovider"],
        &[],
    );
}

#[test]
fn failed_install_keeps_the_project_and_says_how_to_retry() {
    let s = Scratch::new();
    // A fake uv that fails like a resolver error.
    let bin = s.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("uv");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'error: no solution found' >&2\nexit 1\n",
    )
    .unwrap();
    let mut perms = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&fake, perms).unwrap();
    let path = OsString::from(format!("{}:/usr/bin:/bin", bin.display()));
    let out = common::run(s.path(), &["start", "shop", "--install"], &[("PATH", path)]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no solution found"), "{}", out.stderr);
    assert!(out.stderr.contains("retry with: cd "), "{}", out.stderr);
    assert!(s.path().join("shop/pyproject.toml").is_file());
}

#[test]
fn longest_package_name_stays_lint_clean_with_auth() {
    let s = Scratch::new();
    let name = format!("a{}", "-b".repeat(31)); // package `a_b_..._b`: 63 characters
    polepos(s.path(), &["start", &name], &[]);
    let root = s.path().join(&name);
    polepos(&root, &["add", "auth"], &[]);
    let uv = common::uv();
    sh(&root, &uv, &["sync", "--extra", "dev"], &[]);
    sh(&root, &uv, &["run", "ruff", "check"], &[]);
    sh(&root, &uv, &["run", "ruff", "format", "--check"], &[]);
    sh(&root, &uv, &["run", "mypy"], &[]);
}

#[test]
fn ctrl_c_while_alembic_runs_exits_130() {
    let s = Scratch::new();
    polepos(s.path(), &["start", "shop"], &[]);
    // A stand-in for uv that takes a moment, so the interrupt lands while it runs.
    let bin = s.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("uv");
    std::fs::write(&fake, "#!/bin/sh\nsleep 1\n").unwrap();
    let mut perms = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&fake, perms).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_polepos"))
        .args(["db", "upgrade"])
        .current_dir(s.path().join("shop"))
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    sh(s.path(), "kill", &["-INT", &child.id().to_string()], &[]);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "error: interrupted: alembic upgrade head was stopped\n"
    );
}
