//! End-to-end: the auth extensions (SPEC §15) on SQLite and on a real PostgreSQL server.
//!
//! On SQLite the extensions are added one by one to a project that has auth and the
//! redis integration (so each `add auth --<extension>` revises the auth files already
//! there); on PostgreSQL `add auth --sessions --rate-limit` adds auth and both at once.
//! Each project passes the migration flow, its own pytest (the generated tests of every
//! row of §15), ruff, ruff format, strict mypy, `polepos check` and `db check`. Then
//! uvicorn is driven over real HTTP with the limiter's counters in a real Redis on
//! 127.0.0.1: rotation, reuse detection, logout everywhere, and a 429 that a restarted
//! server still gives, because the counters are shared.
//! Needs uv, PostgreSQL and Redis server binaries; fails, never skips, without them.

use std::path::{Path, PathBuf};

use crate::common::pg::Postgres;
use crate::common::redis::Redis;
use crate::common::{Scratch, Server, assert_project_checks, http, polepos};

const PKG: &str = "shop";
const AUTH: &str = "/api/v1/auth";

fn migrate_and_check(root: &Path, env: &[(&str, &str)]) {
    crate::common::sh(root, crate::common::uv(), &["sync", "--extra", "dev"], env);
    polepos(root, &["db", "revision", "-m", "add auth tables"], env);
    polepos(root, &["db", "upgrade"], env);
    polepos(root, &["check"], env);
    polepos(root, &["db", "check"], env);
    assert_project_checks(root, env);
}

#[test]
fn extensions_added_one_by_one_on_sqlite_and_driven_over_http_with_redis() {
    let s = Scratch::new();
    polepos(s.path(), &["start", PKG], &[]);
    let root: PathBuf = s.path().join(PKG);
    polepos(&root, &["add", "auth"], &[]);
    polepos(&root, &["add", "integration", "redis"], &[]);
    let out = polepos(&root, &["add", "auth", "--sessions"], &[]);
    assert!(
        out.stdout
            .contains("polepos db revision -m \"add auth sessions table\""),
        "{}",
        out.stdout
    );
    polepos(&root, &["add", "auth", "--rate-limit"], &[]);
    polepos(
        &root,
        &[
            "add",
            "module",
            "wishes",
            "note:str",
            "--template",
            "crud",
            "--owned",
        ],
        &[],
    );
    migrate_and_check(&root, &[]);

    let redis = Redis::start();
    let storage = format!("redis://127.0.0.1:{}/0", redis.port);
    let env = [
        ("AUTH_RATE_LIMIT_STORAGE_URL", storage.as_str()),
        ("AUTH_RATE_LIMIT_LOGIN", "3/minute"),
        ("AUTH_RATE_LIMIT_REGISTER", "50/minute"),
        ("AUTH_RATE_LIMIT_REFRESH", "50/minute"),
        ("AUTH_RATE_LIMIT_ADDRESS", "200/minute"),
    ];
    {
        let server = Server::start(&root, PKG, &env);
        drive_sessions(server.port);
        // Three logins of one account are allowed, the fourth is refused…
        for _ in 0..3 {
            assert_eq!(
                login(server.port, "eve@example.com", "wrong password").status,
                401
            );
        }
        let limited = login(server.port, "eve@example.com", "wrong password");
        assert_eq!(limited.status, 429, "{}", limited.body);
        let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "Retry-After {retry}");
    }
    // …and still refused by a new server process: the counters live in Redis.
    let server = Server::start(&root, PKG, &env);
    assert_eq!(
        login(server.port, "eve@example.com", "wrong password").status,
        429
    );
    assert_eq!(
        login(server.port, "ada@example.com", "correct horse battery").status,
        200
    );
}

#[test]
fn auth_with_both_extensions_at_once_on_postgresql() {
    let pg = Postgres::start();
    let databases = pg.project_databases();
    let env = databases.env();
    let s = Scratch::new();
    polepos(s.path(), &["start", PKG, "--db", "postgres"], &env);
    let root = s.path().join(PKG);
    let out = polepos(&root, &["add", "auth", "--sessions", "--rate-limit"], &env);
    assert!(
        out.stdout
            .contains("polepos db revision -m \"add auth users and auth sessions tables\""),
        "{}",
        out.stdout
    );
    migrate_and_check(&root, &env);
    let server = Server::start(&root, PKG, &env);
    drive_sessions(server.port);
}

fn login(port: u16, email: &str, password: &str) -> http::Response {
    http::post_json(
        port,
        &format!("{AUTH}/token"),
        &format!(r#"{{"email": "{email}", "password": "{password}"}}"#),
    )
}

fn refresh(port: u16, token: &str) -> http::Response {
    http::post_json(
        port,
        &format!("{AUTH}/refresh"),
        &format!(r#"{{"refresh_token": "{token}"}}"#),
    )
}

fn me(port: u16, access: &str) -> u16 {
    http::get(
        port,
        &format!("{AUTH}/me"),
        &[("Authorization", &format!("Bearer {access}"))],
    )
    .status
}

fn field(response: &http::Response, name: &str) -> String {
    response.json()[name].as_str().unwrap().to_string()
}

/// Register, log in twice, rotate, detect reuse, log out everywhere.
fn drive_sessions(port: u16) {
    let registered = http::post_json(
        port,
        &format!("{AUTH}/register"),
        r#"{"email": "ada@example.com", "password": "correct horse battery"}"#,
    );
    assert_eq!(registered.status, 201, "{}", registered.body);
    let phone = login(port, "ada@example.com", "correct horse battery");
    let laptop = login(port, "ada@example.com", "correct horse battery");
    assert_eq!((phone.status, laptop.status), (200, 200), "{}", phone.body);
    assert_eq!(phone.header("cache-control"), Some("no-store"));

    let rotated = refresh(port, &field(&phone, "refresh_token"));
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    assert_eq!(me(port, &field(&rotated, "access_token")), 200);
    // The spent token again: reuse; the phone's session ends, the laptop's does not.
    assert_eq!(refresh(port, &field(&phone, "refresh_token")).status, 401);
    assert_eq!(refresh(port, &field(&rotated, "refresh_token")).status, 401);
    assert_eq!(me(port, &field(&rotated, "access_token")), 401);
    let laptop_access = field(&laptop, "access_token");
    assert_eq!(me(port, &laptop_access), 200);

    let sessions = http::get(
        port,
        &format!("{AUTH}/sessions"),
        &[("Authorization", &format!("Bearer {laptop_access}"))],
    );
    assert_eq!(sessions.status, 200, "{}", sessions.body);
    assert_eq!(sessions.json().as_array().unwrap().len(), 1);

    let everywhere = http::request(
        port,
        "POST",
        &format!("{AUTH}/logout-all"),
        &[("Authorization", &format!("Bearer {laptop_access}"))],
        None,
    );
    assert_eq!(everywhere.status, 204, "{}", everywhere.body);
    assert_eq!(me(port, &laptop_access), 401);
    assert_eq!(refresh(port, &field(&laptop, "refresh_token")).status, 401);
}
