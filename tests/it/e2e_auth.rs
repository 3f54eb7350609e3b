//! End-to-end: the seed's auth workflow, verbatim, on SQLite and on a real PostgreSQL
//! server, then every row of the auth behaviour table over real HTTP on 127.0.0.1.
//! Needs uv and PostgreSQL server binaries; fails, never skips, without them.

use std::path::Path;
use std::time::Instant;

use crate::common::pg::Postgres;
use crate::common::{
    Scratch, Server, assert_project_checks, http, polepos, sh, sh_status, sh_stdin, uv,
};

const PKG: &str = "shop";

/// Runs Python in the project's virtualenv (with the project's settings) and returns stdout.
fn python(root: &Path, script: &str, env: &[(&str, &str)]) -> String {
    sh(root, root.join(".venv/bin/python"), &["-c", script], env)
        .stdout
        .trim()
        .to_string()
}

/// The seed's flow: start, add auth, sync, revision, upgrade, check; then the project's checks.
fn seed_flow(s: &Scratch, db: &str, env: &[(&str, &str)]) -> std::path::PathBuf {
    polepos(s.path(), &["start", PKG, "--db", db], env);
    let root = s.path().join(PKG);
    let out = polepos(&root, &["add", "auth"], env);
    assert!(
        out.stdout
            .contains("polepos db revision -m \"add auth users table\""),
        "{}",
        out.stdout
    );
    sh(&root, uv(), &["sync", "--extra", "dev"], env);
    // Before the migration exists, only the drift test fails, and it names the command.
    let before = sh_status(
        &root,
        uv(),
        &["run", "pytest", "-q", "-p", "no:cacheprovider"],
        env,
    );
    assert_ne!(
        before.code, 0,
        "the drift test must fail before the migration exists"
    );
    assert!(
        before.stdout.contains("1 failed"),
        "only the drift test fails:\n{}",
        before.stdout
    );
    assert!(
        before.stdout.contains("polepos db revision -m"),
        "{}",
        before.stdout
    );
    // The drift test's report is the differences and the command, not Alembic's log.
    let report = before
        .stdout
        .split("= FAILURES =")
        .nth(1)
        .and_then(|r| r.split("short test summary").next())
        .unwrap_or_default();
    assert!(
        report.lines().count() <= 10 && !report.contains("alembic.runtime"),
        "the drift failure is long:\n{report}"
    );
    polepos(
        &root,
        &["db", "revision", "-m", "add auth users table"],
        env,
    );
    polepos(&root, &["db", "upgrade"], env);
    polepos(&root, &["check"], env);
    polepos(&root, &["db", "check"], env);
    create_first_admin(&root, env);
    assert_project_checks(&root, env);
    root
}

const ADMIN_EMAIL: &str = "admin@example.com";
const ADMIN_PASSWORD: &str = "first admin password";

/// `python -m shop.auth.create_user` on the real database: the password from stdin,
/// a second account with the same email refused in one line.
fn create_first_admin(root: &Path, env: &[(&str, &str)]) {
    let python = root.join(".venv/bin/python");
    let args = [
        "-m",
        "shop.auth.create_user",
        "--email",
        "Admin@Example.com",
        "--role",
        "admin",
    ];
    let created = sh_stdin(root, &python, &args, env, &format!("{ADMIN_PASSWORD}\n"));
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    assert!(
        created
            .stdout
            .ends_with(&format!(" ({ADMIN_EMAIL}) with roles: admin\n")),
        "{}",
        created.stdout
    );
    let again = sh_stdin(root, &python, &args, env, "another password\n");
    assert_eq!(again.code, 1);
    assert_eq!(
        again.stderr,
        format!("error: an account with the email {ADMIN_EMAIL} already exists\n")
    );
}

#[test]
fn seed_flow_on_sqlite_and_the_auth_table_over_http() {
    let s = Scratch::new();
    let root = seed_flow(&s, "sqlite", &[]);
    drive_auth_over_http(&root, &[]);
}

#[test]
fn seed_flow_on_postgresql_and_the_auth_table_over_http() {
    let pg = Postgres::start();
    let databases = pg.project_databases();
    let env = databases.env();
    let s = Scratch::new();
    let root = seed_flow(&s, "postgres", &env);
    drive_auth_over_http(&root, &env);
}

const TOKENS: &str = r#"
import datetime as dt, json, jwt
from shop.settings import get_settings
s = get_settings()
key, now = s.auth_secret_key, dt.datetime.now(dt.UTC)
base = {"sub": "1", "roles": ["user"], "iss": s.auth_issuer, "iat": now, "exp": now + dt.timedelta(minutes=5)}
def enc(claims, k=key, alg=s.auth_algorithm):
    return jwt.encode(claims, k, algorithm=alg)
print(json.dumps({
    "bad_signature": enc(base, k="x" * 64),
    "expired": enc({**base, "iat": now - dt.timedelta(hours=2), "exp": now - dt.timedelta(hours=1)}),
    "wrong_issuer": enc({**base, "iss": "someone-else"}),
    "alg_none": jwt.encode(base, None, algorithm="none"),
    "missing_exp": enc({k: v for k, v in base.items() if k != "exp"}),
}))
"#;

const SET_ACTIVE: &str = r#"
import sys
from sqlalchemy import text
from shop.db.session import get_engine
with get_engine().begin() as c:
    c.execute(text("UPDATE auth_users SET is_active = :a WHERE email = :e"), {"a": sys.argv[2] == "1", "e": sys.argv[1]})
"#;

fn set_active(root: &Path, email: &str, active: bool, env: &[(&str, &str)]) {
    let script = format!(
        "import sys; sys.argv = ['x', {email:?}, {:?}]\n{SET_ACTIVE}",
        if active { "1" } else { "0" }
    );
    python(root, &script, env);
}

fn token(port: u16, email: &str, password: &str) -> http::Response {
    http::post_json(
        port,
        "/api/v1/auth/token",
        &format!(r#"{{"email":{email:?},"password":{password:?}}}"#),
    )
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn assert_unauthorized(response: &http::Response, what: &str) {
    assert_eq!(response.status, 401, "{what}: {}", response.body);
    assert_eq!(
        response.header("www-authenticate"),
        Some("Bearer"),
        "{what}"
    );
}

/// 40 concurrent bad logins: bounded hashing keeps memory flat; the overflow waits,
/// then gets 503 with `Retry-After`. On PostgreSQL no connection idles in a transaction
/// while passwords are checked.
fn login_burst(root: &Path, env: &[(&str, &str)]) {
    let mut impatient = env.to_vec();
    impatient.push(("AUTH_PASSWORD_HASH_WAIT_SECONDS", "0.5"));
    let server = Server::start(root, PKG, &impatient);
    let server = &server;
    let port = server.port;
    assert_eq!(http::get(port, "/api/v1/status", &[]).status, 200);
    let before = server.memory_kib("VmHWM");
    let on_postgres = env.iter().any(|(k, _)| *k == "DATABASE_URL");
    let sampler = on_postgres.then(|| {
        let root = root.to_path_buf();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        std::thread::spawn(move || {
            let env: Vec<(&str, &str)> =
                env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            python(&root, IDLE_IN_TRANSACTION, &env)
        })
    });
    let statuses: Vec<(u16, Option<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..40)
            .map(|i| {
                scope.spawn(move || {
                    let r = token(
                        port,
                        &format!("burst{}@example.com", i % 3),
                        "wrong password",
                    );
                    (r.status, r.header("retry-after").map(str::to_string))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let after = server.memory_kib("VmHWM");
    let busy = statuses.iter().filter(|(s, _)| *s == 503).count();
    eprintln!(
        "40 concurrent bad logins: peak RSS {} MiB before, {} MiB after; {} answered 503",
        before / 1024,
        after / 1024,
        busy
    );
    for (status, retry_after) in &statuses {
        assert!(
            matches!(status, 401 | 503),
            "{statuses:?}\n{}",
            server.log()
        );
        if *status == 503 {
            assert!(retry_after.is_some(), "503 without Retry-After");
        }
    }
    assert!(
        after.saturating_sub(before) < 400 * 1024,
        "peak RSS grew from {before} KiB to {after} KiB"
    );
    if let Some(sampler) = sampler {
        let idle = sampler.join().unwrap();
        eprintln!("connections idle in transaction during the burst (max): {idle}");
        assert_eq!(
            idle, "0",
            "a connection sat idle in a transaction while hashing"
        );
    }
}

/// Samples `pg_stat_activity` for 3 s and prints the most connections seen idle in a
/// transaction on the application's database (other than its own).
const IDLE_IN_TRANSACTION: &str = r#"
import time
from sqlalchemy import create_engine, text
from shop.settings import get_settings
engine = create_engine(get_settings().database_url.get_secret_value())
most = 0
with engine.connect() as c:
    c.execute(text("COMMIT"))
    end = time.monotonic() + 3
    while time.monotonic() < end:
        n = c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()")).scalar_one()
        c.execute(text("COMMIT"))
        most = max(most, n)
        time.sleep(0.01)
print(most)
"#;

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

/// Logins with an unknown email: the first one after startup, and the median of later ones.
fn unknown_email_latency(port: u16) -> (f64, f64) {
    // Warm the database connection and the code paths with a registration: it hashes a
    // password, but never the dummy hash an unknown email is checked against.
    let warm = http::post_json(
        port,
        "/api/v1/auth/register",
        r#"{"email":"warm-up@example.com","password":"warm up password"}"#,
    );
    assert_eq!(warm.status, 201, "{}", warm.body);
    let t = Instant::now();
    assert_eq!(
        token(port, "first@example.com", "some password").status,
        401
    );
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let median = median_ms(|| {
        token(port, "later@example.com", "some password");
    });
    (first, median)
}

fn drive_auth_over_http(root: &Path, env: &[(&str, &str)]) {
    // Argon2id takes about a second per hash on a loaded CI machine: let requests queue
    // for hashing slots long enough that the behaviour table, not capacity, is tested
    // here. `login_burst` tests the capacity limit on a server of its own.
    let mut patient = env.to_vec();
    patient.push(("AUTH_PASSWORD_HASH_WAIT_SECONDS", "60"));
    let server = Server::start(root, PKG, &patient);
    let port = server.port;

    // The database answers: ready. The admin `create_user` made logs in with that role.
    let ready = http::get(port, "/api/v1/status/ready", &[]);
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (200, r#"{"status":"ready"}"#)
    );
    let admin = token(port, ADMIN_EMAIL, ADMIN_PASSWORD);
    assert_eq!(admin.status, 200, "{}", admin.body);
    let access = admin.json()["access_token"].as_str().unwrap().to_string();
    let me = http::get(
        port,
        "/api/v1/auth/me",
        &[("Authorization", &bearer(&access))],
    );
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["roles"], serde_json::json!(["admin"]));

    // The dummy hash is built at startup: the first unknown-email login is not slower.
    let (first, later) = unknown_email_latency(port);
    eprintln!("first unknown-email login {first:.1} ms, later ones {later:.1} ms (median)");
    assert!(
        first < later * 1.6 + 50.0,
        "first unknown-email login {first:.1} ms vs {later:.1} ms"
    );

    // Register: 201, normalised email, client cannot choose roles or activation.
    let created = http::post_json(
        port,
        "/api/v1/auth/register",
        r#"{"email":"  Ada@Example.COM ","password":"correct horse","roles":"admin","is_active":false}"#,
    );
    assert_eq!(created.status, 201, "{}\n{}", created.body, server.log());
    let user = created.json();
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["is_active"], true);
    assert!(
        user["roles"].to_string().contains("user") && !user["roles"].to_string().contains("admin"),
        "{user}"
    );
    assert!(user.get("hashed_password").is_none());

    // Duplicate in any case or spacing: 409 with a detail.
    let dup = http::post_json(
        port,
        "/api/v1/auth/register",
        r#"{"email":"ADA@example.com  ","password":"another secret"}"#,
    );
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert!(dup.json()["detail"].is_string());

    // Concurrent registrations of one email: exactly one 201, the rest 409, never 500.
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(move || {
                    http::post_json(
                        port,
                        "/api/v1/auth/register",
                        r#"{"email":"race@example.com","password":"same password"}"#,
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}\n{}",
        server.log()
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );

    // Validation errors: 422.
    for (what, body) in [
        (
            "invalid email",
            r#"{"email":"not-an-email","password":"long enough"}"#,
        ),
        (
            "short password",
            r#"{"email":"b@example.com","password":"7chars!"}"#,
        ),
        (
            "long password",
            &format!(
                r#"{{"email":"b@example.com","password":"{}"}}"#,
                "x".repeat(129)
            ),
        ),
        (
            "malformed JSON",
            r#"{"email": "b@example.com", "password": "#,
        ),
    ] {
        assert_eq!(
            http::post_json(port, "/api/v1/auth/register", body).status,
            422,
            "{what}"
        );
    }

    // Token login with JSON and with the OAuth2 password form (Swagger's Authorize button).
    let login = token(port, "ada@example.com", "correct horse");
    assert_eq!(login.status, 200, "{}", login.body);
    let login = login.json();
    assert_eq!(login["token_type"], "bearer");
    assert!(login["expires_in"].as_i64().unwrap_or(0) > 0);
    let access = login["access_token"].as_str().unwrap().to_string();
    let form = http::request(
        port,
        "POST",
        "/api/v1/auth/token",
        &[],
        Some((
            "application/x-www-form-urlencoded",
            "grant_type=password&username=Ada%40Example.com&password=correct+horse",
        )),
    );
    assert_eq!(form.status, 200, "{}", form.body);
    let openapi = http::get(port, "/openapi.json", &[]).body;
    assert!(
        openapi.contains("\"password\"") && openapi.contains("/api/v1/auth/token"),
        "OAuth2 password flow documented"
    );

    // Wrong password, unknown email, inactive user: the same 401 body, the same timing.
    let wrong = token(port, "ada@example.com", "wrong password");
    let unknown = token(port, "nobody@example.com", "wrong password");
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body);
    let t_wrong = median_ms(|| {
        token(port, "ada@example.com", "wrong password");
    });
    let t_unknown = median_ms(|| {
        token(port, "nobody@example.com", "wrong password");
    });
    let ratio = t_unknown / t_wrong;
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown {t_unknown:.1} ms vs wrong password {t_wrong:.1} ms"
    );

    // /me answers from the database.
    let me = http::get(
        port,
        "/api/v1/auth/me",
        &[("Authorization", &bearer(&access))],
    );
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["email"], "ada@example.com");

    // Deactivated after the token was issued: /me 401, and login 401 with the same body.
    set_active(root, "ada@example.com", false, env);
    assert_unauthorized(
        &http::get(
            port,
            "/api/v1/auth/me",
            &[("Authorization", &bearer(&access))],
        ),
        "deactivated user",
    );
    let inactive = token(port, "ada@example.com", "correct horse");
    assert_eq!(
        (inactive.status, inactive.body.as_str()),
        (401, wrong.body.as_str())
    );
    set_active(root, "ada@example.com", true, env);

    // Outdated hash parameters are upgraded on a successful login.
    let downgrade = r#"
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text
from shop.db.session import get_engine
weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192),)).hash("correct horse")
with get_engine().begin() as c:
    c.execute(text("UPDATE auth_users SET hashed_password = :h WHERE email = 'ada@example.com'"), {"h": weak})
print(weak)
"#;
    let weak = python(root, downgrade, env);
    assert_eq!(token(port, "ada@example.com", "correct horse").status, 200);
    let stored = python(
        root,
        "from sqlalchemy import text\nfrom shop.db.session import get_engine\nwith get_engine().connect() as c:\n    print(c.execute(text(\"SELECT hashed_password FROM auth_users WHERE email = 'ada@example.com'\")).scalar_one())",
        env,
    );
    assert_ne!(stored, weak, "the stored hash was upgraded");

    // Forged, stale and malformed tokens: 401 with WWW-Authenticate: Bearer.
    assert_unauthorized(&http::get(port, "/api/v1/auth/me", &[]), "no token");
    assert_unauthorized(
        &http::get(
            port,
            "/api/v1/auth/me",
            &[("Authorization", &format!("Basic {access}"))],
        ),
        "wrong scheme",
    );
    let forged: serde_json::Value = serde_json::from_str(&python(root, TOKENS, env)).unwrap();
    for what in [
        "bad_signature",
        "expired",
        "wrong_issuer",
        "alg_none",
        "missing_exp",
    ] {
        let token = forged[what].as_str().unwrap();
        assert_unauthorized(
            &http::get(
                port,
                "/api/v1/auth/me",
                &[("Authorization", &bearer(token))],
            ),
            what,
        );
    }

    // A NUL byte in the email and a stored hash nobody can read: the ordinary 401.
    let nul = http::post_json(
        port,
        "/api/v1/auth/token",
        r#"{"email":"ada\u0000@example.com","password":"wrong password"}"#,
    );
    assert_eq!((nul.status, nul.body.as_str()), (401, wrong.body.as_str()));
    python(
        root,
        "from sqlalchemy import text\nfrom shop.db.session import get_engine\nwith get_engine().begin() as c:\n    c.execute(text(\"UPDATE auth_users SET hashed_password = 'not-a-hash' WHERE email = 'race@example.com'\"))",
        env,
    );
    let unreadable = token(port, "race@example.com", "same password");
    assert_eq!(
        (unreadable.status, unreadable.body.as_str()),
        (401, wrong.body.as_str())
    );
    let t_unreadable = median_ms(|| {
        token(port, "race@example.com", "same password");
    });
    let ratio = t_unreadable / t_wrong;
    assert!(
        (0.5..2.0).contains(&ratio),
        "unreadable hash {t_unreadable:.1} ms vs wrong password {t_wrong:.1} ms"
    );

    // A 28 MiB login form: 413 before parsing, and the server keeps serving.
    let form = vec![b'a'; 28 * 1024 * 1024];
    for chunked in [false, true] {
        let (large, elapsed) = http::post_large(
            port,
            "/api/v1/auth/token",
            "application/x-www-form-urlencoded",
            &form,
            chunked,
        );
        assert_eq!(large.status, 413, "{}\n{}", large.body, server.log());
        eprintln!("413 for a 28 MiB login form (chunked: {chunked}) in {elapsed:?}");
        assert!(elapsed < std::time::Duration::from_secs(3), "{elapsed:?}");
    }
    assert_eq!(http::get(port, "/api/v1/status", &[]).status, 200);

    login_burst(root, env);

    // Deleted after the token was issued: 401.
    python(
        root,
        "from sqlalchemy import text\nfrom shop.db.session import get_engine\nwith get_engine().begin() as c:\n    c.execute(text(\"DELETE FROM auth_users WHERE email = 'ada@example.com'\"))",
        env,
    );
    assert_unauthorized(
        &http::get(
            port,
            "/api/v1/auth/me",
            &[("Authorization", &bearer(&access))],
        ),
        "deleted user",
    );
    assert!(!server.log().contains("Traceback"), "{}", server.log());
}
