//! End-to-end: the auth extensions (SPEC §15) on SQLite and on a real PostgreSQL server.
//!
//! On SQLite the extensions are added one by one to a project that has auth and the
//! redis integration (so each `add auth --<extension>` revises the auth files already
//! there); on PostgreSQL one `add auth` adds auth and all four at once. Each project
//! passes the migration flow, its own pytest (the generated tests of every row of §15,
//! with real mail to an aiosmtpd server), ruff, ruff format, strict mypy, `polepos check`
//! and `db check`. Then uvicorn is driven over real HTTP: rotation, reuse detection and
//! logout everywhere; on SQLite a 429 that a restarted server still gives, because the
//! limiter's counters live in a real Redis on 127.0.0.1; on PostgreSQL the verification
//! and reset links delivered by real SMTP (aiosmtpd, run from the project) and followed,
//! and a production start without `SMTP_HOST` refused.
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
    polepos(&root, &["add", "auth", "--verify-email"], &[]);
    polepos(&root, &["add", "auth", "--password-reset"], &[]);
    // Generated to read the header, then moved to the account by --tenants.
    polepos(
        &root,
        &[
            "add",
            "module",
            "labels",
            "label:str",
            "--template",
            "crud",
            "--tenant-scoped",
        ],
        &[],
    );
    polepos(&root, &["add", "auth", "--tenants"], &[]);
    polepos(
        &root,
        &[
            "add",
            "module",
            "invoices",
            "number:str:unique",
            "--template",
            "crud",
            "--tenant-scoped",
            "--owned",
            "--pagination",
        ],
        &[],
    );
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
    // With the redis integration on, the limiter keeps its counters in its Redis.
    let env = [
        ("REDIS_ENABLED", "true"),
        ("REDIS_URL", storage.as_str()),
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
    let out = polepos(
        &root,
        &[
            "add",
            "auth",
            "--sessions",
            "--rate-limit",
            "--password-reset",
            "--verify-email",
            "--tenants",
        ],
        &env,
    );
    polepos(
        &root,
        &[
            "add",
            "module",
            "invoices",
            "--template",
            "crud",
            "--tenant-scoped",
        ],
        &env,
    );
    assert!(
        out.stdout.contains("polepos db revision -m \"add auth users table and auth password reset tokens table and auth sessions table and auth users tenant column and auth email verification tokens table\""),
        "{}",
        out.stdout
    );
    migrate_and_check(&root, &env);

    // Production without SMTP_HOST refuses to start, saying why.
    let mut production = env.to_vec();
    production.extend([("APP_ENV", "production"), ("APP_RELOAD", "false")]);
    let refused = crate::common::sh_status(
        &root,
        root.join(".venv/bin/python"),
        &["-m", &format!("{PKG}.run")],
        &production,
    );
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.starts_with("error: SMTP_HOST is not set")
            && refused.stderr.trim_end().lines().count() == 1,
        "one line, no traceback: {}{}",
        refused.stdout,
        refused.stderr
    );

    let sink = MailSink::start(&root);
    let port = sink.port.to_string();
    let mut with_mail = env.to_vec();
    with_mail.extend([
        ("SMTP_HOST", "127.0.0.1"),
        ("SMTP_PORT", port.as_str()),
        ("SMTP_STARTTLS", "false"),
        ("PASSWORD_RESET_URL", "https://shop.test/reset"),
        ("EMAIL_VERIFICATION_URL", "https://shop.test/verify"),
    ]);
    let server = Server::start(&root, PKG, &with_mail);
    drive_sessions(server.port);
    follow_mailed_links(server.port, &sink);
}

/// An SMTP server on 127.0.0.1 (aiosmtpd, from the project's virtualenv) that keeps
/// every message in a maildir; stopped by its PID when dropped.
struct MailSink {
    child: std::process::Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl MailSink {
    fn start(root: &Path) -> MailSink {
        let dir = tempfile::tempdir().unwrap();
        let port = crate::common::free_port();
        let child = std::process::Command::new(root.join(".venv/bin/python"))
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("maildir"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        MailSink { child, dir, port }
    }

    /// The token of the first message whose link starts with `link`, waiting for it.
    fn token(&self, link: &str) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let new = self.dir.path().join("maildir/new");
            for entry in std::fs::read_dir(&new).into_iter().flatten().flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if let Some(at) = text.find(&format!("{link}?token=")) {
                    let rest = &text[at + link.len() + "?token=".len()..];
                    return rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no mail with {link} arrived"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The verification link registration mailed, and a password reset, followed over
/// HTTP with the tokens that arrived by SMTP.
fn follow_mailed_links(port: u16, sink: &MailSink) {
    let verify = sink.token("https://shop.test/verify");
    let confirmed = http::post_json(
        port,
        &format!("{AUTH}/verify-email/confirm"),
        &format!(r#"{{"token": "{verify}"}}"#),
    );
    assert_eq!(confirmed.status, 204, "{}", confirmed.body);
    let tokens = login(port, "ada@example.com", "correct horse battery");
    let access = field(&tokens, "access_token");
    let profile = http::get(
        port,
        &format!("{AUTH}/me"),
        &[("Authorization", &format!("Bearer {access}"))],
    );
    assert_eq!(profile.json()["email_verified"], true, "{}", profile.body);

    let requested = http::post_json(
        port,
        &format!("{AUTH}/password-reset/request"),
        r#"{"email": "ada@example.com"}"#,
    );
    assert_eq!(requested.status, 202, "{}", requested.body);
    let unknown = http::post_json(
        port,
        &format!("{AUTH}/password-reset/request"),
        r#"{"email": "nobody@example.com"}"#,
    );
    assert_eq!((unknown.status, &unknown.body), (202, &requested.body));
    let reset = sink.token("https://shop.test/reset");
    let body = format!(r#"{{"token": "{reset}", "new_password": "a brand new passphrase"}}"#);
    let done = http::post_json(port, &format!("{AUTH}/password-reset/confirm"), &body);
    assert_eq!(done.status, 204, "{}", done.body);
    let again = http::post_json(port, &format!("{AUTH}/password-reset/confirm"), &body);
    assert_eq!(again.status, 400, "{}", again.body);
    // The reset ended the session the old password opened.
    assert_eq!(me(port, &access), 401);
    assert_eq!(refresh(port, &field(&tokens, "refresh_token")).status, 401);
    assert_eq!(
        login(port, "ada@example.com", "correct horse battery").status,
        401
    );
    assert_eq!(
        login(port, "ada@example.com", "a brand new passphrase").status,
        200
    );
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
