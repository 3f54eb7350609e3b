//! End-to-end: `add module` with every template and every CRUD flag (singly and all five
//! together) in one SQLite project with auth, an api-only module in a `--db none`
//! project, and a PostgreSQL project; each passes its own pytest, ruff, ruff format,
//! strict mypy and `polepos check`, then the endpoints are driven over real HTTP.
//! Needs uv and PostgreSQL server binaries; fails, never skips, without them.

use std::path::{Path, PathBuf};

use crate::common::pg::Postgres;
use crate::common::{Scratch, Server, assert_project_checks, http, polepos, sh, uv};

/// The longest module name allowed, with every flag.
const LONG: &str = "all_flags_with_the_longest_nam";

/// Modules of the SQLite project: every template and every flag singly and together.
const MODULES: &[&[&str]] = &[
    &["notes"],
    &["orders", "--template", "crud"],
    &["pages", "--template", "crud", "--pagination"],
    &["stamps", "--template", "crud", "--timestamps"],
    &["trash", "--template", "crud", "--soft-delete"],
    &["tenants", "--template", "crud", "--tenant-scoped"],
    &["guarded", "--template", "crud", "--auth-required"],
    &[
        LONG,
        "--auth-required",
        "--tenant-scoped",
        "--soft-delete",
        "--timestamps",
        "--pagination",
        "--template",
        "crud",
    ],
    &["weather", "--api-only"],
    &["billing", "--service-only"],
    &["x", "--template", "crud", "--pagination", "--soft-delete"],
    &["mine", "--template", "crud", "--owned", "--soft-delete"],
];

fn python(root: &Path, script: &str, env: &[(&str, &str)]) -> String {
    sh(root, root.join(".venv/bin/python"), &["-c", script], env)
        .stdout
        .trim()
        .to_string()
}

/// start, add auth (db modes) and the modules, migrate, then every check.
fn build(s: &Scratch, pkg: &str, db: &str, modules: &[&[&str]], env: &[(&str, &str)]) -> PathBuf {
    polepos(s.path(), &["start", pkg, "--db", db], env);
    let root = s.path().join(pkg);
    if db != "none" {
        polepos(&root, &["add", "auth"], env);
    }
    for args in modules {
        let mut full = vec!["add", "module"];
        full.extend_from_slice(args);
        let out = polepos(&root, &full, env);
        assert!(out.stdout.contains("polepos check"), "{}", out.stdout);
    }
    sh(&root, uv(), &["sync", "--extra", "dev"], env);
    if db != "none" {
        polepos(&root, &["db", "revision", "-m", "add module tables"], env);
        polepos(&root, &["db", "upgrade"], env);
        polepos(&root, &["db", "check"], env);
    }
    polepos(&root, &["check"], env);
    assert_project_checks(&root, env);
    root
}

fn send(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
) -> http::Response {
    http::request(
        port,
        method,
        path,
        headers,
        json.map(|j| ("application/json", j)),
    )
}

/// The CRUD flow of one module over HTTP, with `headers` on every request.
fn crud_flow(port: u16, module: &str, headers: &[(&str, &str)]) -> i64 {
    let url = format!("/api/v1/{module}");
    let created = send(
        port,
        "POST",
        &url,
        headers,
        Some(r#"{"name": "  first  "}"#),
    );
    assert_eq!(created.status, 201, "{module}: {}", created.body);
    let item = created.json();
    assert_eq!(item["name"], "first");
    let id = item["id"].as_i64().unwrap();
    for path in [url.clone(), format!("{url}/")] {
        let listed = send(port, "GET", &path, headers, None);
        assert_eq!(listed.status, 200, "{path}: no redirect");
    }
    let item_url = format!("{url}/{id}");
    assert_eq!(send(port, "GET", &item_url, headers, None).status, 200);
    let patched = send(
        port,
        "PATCH",
        &item_url,
        headers,
        Some(r#"{"name": "second"}"#),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["name"], "second");
    let null = send(port, "PATCH", &item_url, headers, Some(r#"{"name": null}"#));
    assert_eq!(null.status, 422);
    assert_eq!(
        send(port, "GET", &format!("{url}/abc"), headers, None).status,
        422
    );
    // Beyond the 32-bit id column (PostgreSQL) and beyond 64 bits: 422, never a 500.
    for huge in ["2147483648", "9223372036854775808", "18446744073709551616"] {
        let response = send(port, "GET", &format!("{url}/{huge}"), headers, None);
        assert_eq!(response.status, 422, "{url}/{huge}: {}", response.body);
    }
    assert_eq!(send(port, "DELETE", &item_url, headers, None).status, 204);
    let gone = send(port, "GET", &item_url, headers, None);
    assert_eq!(gone.status, 404);
    assert!(gone.json()["detail"].is_string());
    assert_eq!(send(port, "DELETE", &item_url, headers, None).status, 404);
    id
}

/// A bearer token of a registered, active user (registered on the first call).
fn token(port: u16) -> String {
    let account = r#"{"email": "e2e@example.com", "password": "e2e-password-1"}"#;
    let registered = send(port, "POST", "/api/v1/auth/register", &[], Some(account));
    assert!(
        [201, 409].contains(&registered.status),
        "{}",
        registered.body
    );
    let login = send(port, "POST", "/api/v1/auth/token", &[], Some(account));
    assert_eq!(login.status, 200, "{}", login.body);
    format!("Bearer {}", login.json()["access_token"].as_str().unwrap())
}

/// A validly signed token whose subject names no user.
fn token_for_no_user(root: &Path, pkg: &str, env: &[(&str, &str)]) -> String {
    let script = format!(
        "from {pkg}.auth.token import create_access_token\nprint(create_access_token(subject='e2e'))"
    );
    format!("Bearer {}", python(root, &script, env))
}

fn drive_every_flag(root: &Path, pkg: &str, port: u16, all_flags: &str, env: &[(&str, &str)]) {
    let bearer = token(port);
    let auth = [("Authorization", bearer.as_str()), ("X-Tenant-ID", "acme")];
    crud_flow(port, all_flags, &auth);
    let url = format!("/api/v1/{all_flags}");
    // 401 without a token, with a bad one and with one for no user; 400 without a tenant.
    let nobody = token_for_no_user(root, pkg, env);
    for headers in [
        &[("X-Tenant-ID", "acme")][..],
        &[("X-Tenant-ID", "acme"), ("Authorization", "Bearer nope")],
        &[("X-Tenant-ID", "acme"), ("Authorization", nobody.as_str())],
    ] {
        assert_eq!(send(port, "GET", &url, headers, None).status, 401);
    }
    assert_eq!(
        send(
            port,
            "GET",
            &url,
            &[("Authorization", bearer.as_str())],
            None
        )
        .status,
        400
    );
    let bad = [
        ("Authorization", bearer.as_str()),
        ("X-Tenant-ID", "no spaces"),
    ];
    assert_eq!(send(port, "GET", &url, &bad, None).status, 400);
    // Tenant isolation, and the body cannot choose the tenant.
    let other = [
        ("Authorization", bearer.as_str()),
        ("X-Tenant-ID", "globex"),
    ];
    let mine = send(
        port,
        "POST",
        &url,
        &auth,
        Some(r#"{"name": "a", "tenant_id": "globex"}"#),
    )
    .json();
    assert_eq!(mine["tenant_id"], "acme");
    let mine_url = format!("{url}/{}", mine["id"]);
    assert_eq!(send(port, "GET", &mine_url, &other, None).status, 404);
    assert_eq!(send(port, "GET", &url, &other, None).json()["total"], 0);
    // Timestamps carry an offset; pagination bounds.
    let created = mine["created_at"].as_str().unwrap();
    assert!(
        created.ends_with('Z') || created.ends_with("+00:00"),
        "{created}"
    );
    for n in 0..3 {
        send(
            port,
            "POST",
            &url,
            &auth,
            Some(&format!(r#"{{"name": "n{n}"}}"#)),
        );
    }
    let page = send(port, "GET", &format!("{url}?limit=2&offset=1"), &auth, None).json();
    assert_eq!(page["total"], 4, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        (page["limit"].as_i64(), page["offset"].as_i64()),
        (Some(2), Some(1))
    );
    for query in [
        "limit=0",
        "limit=101",
        "offset=-1",
        "offset=2147483648",
        "offset=9223372036854775808",
    ] {
        assert_eq!(
            send(port, "GET", &format!("{url}?{query}"), &auth, None).status,
            422,
            "{query}"
        );
    }
    // Soft delete: the row disappears from every read and from the total.
    assert_eq!(send(port, "DELETE", &mine_url, &auth, None).status, 204);
    assert_eq!(
        send(port, "PATCH", &mine_url, &auth, Some(r#"{"name": "z"}"#)).status,
        404
    );
    assert_eq!(send(port, "GET", &url, &auth, None).json()["total"], 3);
}

#[test]
fn every_template_and_flag_on_sqlite_over_http() {
    let s = Scratch::new();
    let root = build(&s, "shop", "sqlite", MODULES, &[]);
    let server = Server::start(&root, "shop", &[]);
    let port = server.port;
    crud_flow(port, "orders", &[]);
    crud_flow(port, "x", &[]);
    crud_flow(port, "tenants", &[("X-Tenant-ID", "t1")]);
    let bearer = token(port);
    crud_flow(port, "guarded", &[("Authorization", bearer.as_str())]);
    assert_eq!(send(port, "GET", "/api/v1/guarded", &[], None).status, 401);
    crud_flow(port, "trash", &[]);
    drive_every_flag(&root, "shop", port, LONG, &[]);
    let stamped = send(
        port,
        "POST",
        "/api/v1/stamps",
        &[],
        Some(r#"{"name": "t"}"#),
    )
    .json();
    let created = stamped["created_at"].as_str().unwrap();
    assert!(
        created.ends_with('Z') || created.ends_with("+00:00"),
        "{created}"
    );
    let standard = send(
        port,
        "POST",
        "/api/v1/notes/",
        &[],
        Some(r#"{"name": " n "}"#),
    );
    assert_eq!(standard.status, 201);
    assert_eq!(
        send(port, "GET", "/api/v1/notes", &[], None).json()[0]["name"],
        "n"
    );
    let api = send(
        port,
        "POST",
        "/api/v1/weather",
        &[],
        Some(r#"{"message": "hi"}"#),
    );
    assert_eq!(api.status, 200, "{}", api.body);
    assert_eq!(api.json()["length"], 2);
    // The older tool's payload: `name` in, `name` and `message` out.
    let older = send(
        port,
        "POST",
        "/api/v1/weather",
        &[],
        Some(r#"{"name": "Ada"}"#),
    );
    assert_eq!(older.status, 200, "{}", older.body);
    assert_eq!(
        (
            older.json()["name"].as_str(),
            older.json()["message"].as_str()
        ),
        (Some("Ada"), Some("Ada"))
    );
    assert_eq!(send(port, "GET", "/api/v1/billing", &[], None).status, 404);
    drop(server);

    // Removing modules leaves a project that still passes everything, once the drop
    // migration the next steps name has been made.
    for name in ["notes", "billing", "weather"] {
        polepos(&root, &["remove", "module", name], &[]);
    }
    polepos(
        &root,
        &["db", "revision", "-m", "drop notes and billing tables"],
        &[],
    );
    polepos(&root, &["db", "upgrade"], &[]);
    polepos(&root, &["db", "check"], &[]);
    polepos(&root, &["check"], &[]);
    assert_project_checks(&root, &[]);
}

#[test]
fn api_only_module_in_a_project_without_database() {
    let s = Scratch::new();
    let root = build(&s, "notes", "none", &[&["weather", "--api-only"]], &[]);
    let server = Server::start(&root, "notes", &[]);
    let described = send(server.port, "GET", "/api/v1/weather/", &[], None);
    assert_eq!(described.status, 200);
    assert_eq!(described.json()["module"], "weather");
}

#[test]
fn crud_modules_on_postgresql_over_http() {
    let pg = Postgres::start();
    let databases = pg.project_databases();
    let env = databases.env();
    let s = Scratch::new();
    let modules: &[&[&str]] = &[
        &["orders", "--template", "crud"],
        &["mine", "--template", "crud", "--owned", "--tenant-scoped"],
        &[
            "everything",
            "--template",
            "crud",
            "--pagination",
            "--timestamps",
            "--soft-delete",
            "--tenant-scoped",
            "--auth-required",
        ],
    ];
    let root = build(&s, "shop", "postgres", modules, &env);
    let server = Server::start(&root, "shop", &env);
    crud_flow(server.port, "orders", &[]);
    drive_every_flag(&root, "shop", server.port, "everything", &env);
}
