//! End-to-end: the seed's auth workflow on a project made by the older tool (SPEC §4.7),
//! from the committed `tests/fixtures/legacy_base` tree: check, add auth, uv sync, db
//! revision, db upgrade, check, the generated tests, then the added endpoints over real
//! HTTP. The foundation there accepts tokens without `exp` and answers 401 without
//! `WWW-Authenticate`; the added code must not inherit either weakness.
//! Needs uv; fails, never skips, without it.

use std::fs;
use std::path::Path;

use crate::common::{Scratch, Server, http, polepos, sh, sh_status, uv};

const PKG: &str = "legacy_shop";
const SECRET: &str = "legacy-e2e-signing-key-0123456789abcdef0123456789abcdef";

/// Copies a fixture tree, dropping the `.fixture` suffix every file carries.
fn copy_fixture(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            copy_fixture(&entry.path(), &to.join(&name));
        } else {
            let target = name
                .strip_suffix(".fixture")
                .unwrap_or_else(|| panic!("fixture file without suffix: {name}"));
            fs::copy(entry.path(), to.join(target)).unwrap();
        }
    }
}

fn warning_codes(output: &str) -> Vec<String> {
    output
        .lines()
        .filter(|l| l.contains("warning:"))
        .filter_map(|l| {
            l.split_once("[PPCHK")
                .map(|(_, rest)| format!("PPCHK{}", &rest[..3]))
        })
        .collect()
}

#[test]
fn seed_flow_on_a_project_made_by_the_older_tool() {
    let s = Scratch::new();
    let root = s.path().join("legacy-shop");
    copy_fixture(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy_base"),
        &root,
    );
    assert!(!root.join(".env").exists(), "the older tool writes no .env");

    // The older foundation's weaknesses are warnings: check still passes.
    let before = polepos(&root, &["check"], &[]);
    assert!(before.stdout.contains("check passed"), "{}", before.stdout);
    assert_eq!(
        warning_codes(&before.stdout),
        ["PPCHK070", "PPCHK071"],
        "{}",
        before.stdout
    );

    let added = polepos(&root, &["add", "auth"], &[]);
    assert!(
        added.stdout.contains("polepos db revision"),
        "{}",
        added.stdout
    );
    let pyproject = fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(
        pyproject.contains("\"pwdlib[argon2]>=0.2.0\"")
            && pyproject.contains("\"email-validator>=2.2\""),
        "{pyproject}"
    );

    sh(&root, uv(), &["sync", "--extra", "dev"], &[]);
    polepos(
        &root,
        &["db", "revision", "-m", "add auth users table"],
        &[],
    );
    polepos(&root, &["db", "upgrade"], &[]);
    let after = polepos(&root, &["check"], &[]);
    assert!(after.stdout.contains("check passed"), "{}", after.stdout);

    let pytest = sh_status(
        &root,
        uv(),
        &["run", "pytest", "-q", "-p", "no:cacheprovider"],
        &[],
    );
    assert_eq!(
        pytest.code, 0,
        "the generated tests must pass:\n{}{}",
        pytest.stdout, pytest.stderr
    );
    assert!(!pytest.stdout.contains("failed"), "{}", pytest.stdout);
    assert!(
        !pytest.stdout.contains("InsecureKeyLengthWarning"),
        "the added tests sign with their own strong key:\n{}",
        pytest.stdout
    );

    drive_added_endpoints(&root);
}

const UNSAFE_TOKENS: &str = r#"
import datetime as dt, json, jwt
from legacy_shop.settings import get_settings
s = get_settings()
now = dt.datetime.now(dt.UTC)
base = {"sub": "1", "roles": ["user"], "iss": s.auth_issuer, "iat": now, "exp": now + dt.timedelta(minutes=5)}
def enc(claims):
    return jwt.encode(claims, s.auth_secret_key, algorithm=s.auth_algorithm)
print(json.dumps({
    "valid": enc(base),
    "missing_exp": enc({k: v for k, v in base.items() if k != "exp"}),
    "missing_iat": enc({k: v for k, v in base.items() if k != "iat"}),
}))
"#;

fn drive_added_endpoints(root: &Path) {
    let env = [("AUTH_SECRET_KEY", SECRET)];
    let server = Server::start(root, PKG, &env);
    let port = server.port;

    let created = http::post_json(
        port,
        "/api/v1/auth/register",
        r#"{"email":"Ada@Example.com","password":"correct horse"}"#,
    );
    assert_eq!(created.status, 201, "{}\n{}", created.body, server.log());
    let leaked = http::post_json(
        port,
        "/api/v1/auth/register",
        &format!(
            r#"{{"email":"b@example.com","password":"{}"}}"#,
            "leak-me".repeat(40)
        ),
    );
    assert_eq!(leaked.status, 422);
    assert!(
        !leaked.body.contains("leak-me"),
        "422 echoes input: {}",
        leaked.body
    );

    let login = http::post_json(
        port,
        "/api/v1/auth/token",
        r#"{"email":"ada@example.com","password":"correct horse"}"#,
    );
    assert_eq!(login.status, 200, "{}", login.body);
    let wrong = http::post_json(
        port,
        "/api/v1/auth/token",
        r#"{"email":"ada@example.com","password":"wrong password"}"#,
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer"));

    let python = root.join(".venv/bin/python");
    let tokens = sh(root, &python, &["-c", UNSAFE_TOKENS], &env).stdout;
    let tokens: serde_json::Value = serde_json::from_str(tokens.trim()).unwrap();
    let me = |token: &str| {
        http::get(
            port,
            "/api/v1/auth/me",
            &[("Authorization", &format!("Bearer {token}"))],
        )
    };
    assert_eq!(me(tokens["valid"].as_str().unwrap()).status, 200);
    for what in ["missing_exp", "missing_iat"] {
        let response = me(tokens[what].as_str().unwrap());
        assert_eq!(response.status, 401, "{what}: {}", response.body);
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer"),
            "{what}"
        );
    }
    let anonymous = http::get(port, "/api/v1/auth/me", &[]);
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    assert!(!server.log().contains("Traceback"), "{}", server.log());
}
