//! `polepos add auth` and `polepos db` refusals and edits, through the real binary.

use crate::common;
use std::ffi::OsString;
use std::fs;

use crate::common::{Scratch, run};

fn project(s: &Scratch, name: &str, db: &str) -> std::path::PathBuf {
    let out = s.run(&["start", name, "--db", db]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    s.path().join(name)
}

/// Runs `polepos add auth` in `cwd`, asserting it is refused (exit 1, one error) and that
/// the project is left byte for byte as it was.
fn refused(s: &Scratch, cwd: &str, root: &std::path::Path) -> common::Output {
    let before = common::tree(root);
    let out = s.run_in(cwd, &["add", "auth"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let errors = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .count();
    assert_eq!(errors, 1, "{}", out.stderr);
    assert_eq!(common::tree(root), before, "a refusal changes nothing");
    out
}

#[test]
fn add_auth_updates_exactly_the_seed_files() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let before = common::tree(&root);
    let out = s.run_in("shop/src/shop", &["add", "auth"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("add_auth_output", out.render(s.path()));
    let after = common::tree(&root);
    let created: Vec<String> = after
        .keys()
        .filter(|p| !before.contains_key(*p))
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        created,
        [
            "src/shop/auth/create_user.py",
            "src/shop/auth/model.py",
            "src/shop/auth/password.py",
            "src/shop/auth/repository.py",
            "src/shop/auth/router.py",
            "src/shop/auth/user_schemas.py",
            "src/shop/auth/user_service.py",
            "tests/integration/test_auth.py",
            "tests/integration/test_auth_create_user.py",
            "tests/unit/test_auth_service.py",
        ]
    );
    let changed: Vec<String> = before
        .iter()
        .filter(|(p, bytes)| after.get(*p) != Some(*bytes))
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert_eq!(
        changed,
        [
            ".poleposition.lock",
            ".poleposition.toml",
            "pyproject.toml",
            "src/shop/api/router.py",
            "src/shop/db/models.py"
        ]
    );
    let read = |p: &str| fs::read_to_string(root.join(p)).unwrap();
    insta::assert_snapshot!("add_auth_router", read("src/shop/api/router.py"));
    insta::assert_snapshot!("add_auth_models", read("src/shop/db/models.py"));
    assert!(
        read(".poleposition.toml").ends_with("[integrations]\nauth = true\n"),
        "{}",
        read(".poleposition.toml")
    );
    assert!(read("pyproject.toml").contains("    \"pwdlib[argon2]>=0.2.0\",\n"));
}

#[test]
fn add_auth_twice_is_refused_with_every_trace_listed() {
    let s = Scratch::new();
    let root = project(&s, "shop", "postgres");
    assert_eq!(s.run_in("shop", &["add", "auth"]).code, 0);
    let out = refused(&s, "shop", &root);
    insta::assert_snapshot!(out.render(s.path()));
}

#[test]
fn add_auth_in_a_project_without_database_is_refused() {
    let s = Scratch::new();
    let root = project(&s, "plain", "none");
    let out = refused(&s, "plain", &root);
    insta::assert_snapshot!(out.render(s.path()));
}

#[test]
fn add_auth_names_every_missing_marker() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    for (file, marker) in [
        ("src/shop/api/router.py", "# polepos:router-includes"),
        ("src/shop/db/models.py", "# polepos:model-imports"),
    ] {
        let text = fs::read_to_string(root.join(file)).unwrap();
        let kept: Vec<&str> = text.lines().filter(|l| l.trim() != marker).collect();
        fs::write(root.join(file), kept.join("\n") + "\n").unwrap();
    }
    let out = refused(&s, "shop", &root);
    insta::assert_snapshot!(out.render(s.path()));
}

#[test]
fn add_auth_refuses_module_and_table_collisions() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    fs::create_dir_all(root.join("src/shop/modules/auth")).unwrap();
    fs::create_dir_all(root.join("src/shop/modules/users")).unwrap();
    fs::write(
        root.join("src/shop/modules/users/model.py"),
        "class U:\n    __tablename__ = \"auth_users\"\n",
    )
    .unwrap();
    let out = refused(&s, "shop", &root);
    assert!(
        out.stderr.contains("a module named `auth` already exists"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("`auth_users` is already defined in src/shop/modules/users/model.py"),
        "{}",
        out.stderr
    );
}

#[test]
fn add_auth_dry_run_previews_and_writes_nothing() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let before = common::tree(&root);
    let out = s.run_in("shop", &["add", "auth", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.render(s.path()));
    assert_eq!(common::tree(&root), before);
}

#[test]
fn add_auth_with_an_unreadable_manifest_changes_nothing() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    fs::write(root.join(".poleposition.toml"), "[poleposition\npackage = ").unwrap();
    let out = refused(&s, "shop", &root);
    assert!(out.stderr.contains("is not valid TOML"), "{}", out.stderr);
}

#[test]
fn add_auth_works_without_a_manifest() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    fs::remove_file(root.join(".poleposition.toml")).unwrap();
    let out = s.run_in("shop", &["add", "auth"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let manifest = fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    assert!(
        manifest.contains("package = \"shop\"") && manifest.contains("auth = true"),
        "{manifest}"
    );
}

#[test]
fn db_commands_refuse_projects_without_database() {
    let s = Scratch::new();
    project(&s, "plain", "none");
    let out = s.run_in("plain", &["db", "upgrade"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.render(s.path()));
}

#[test]
fn db_without_uv_or_alembic_says_how_to_fix_it() {
    let s = Scratch::new();
    project(&s, "shop", "sqlite");
    let empty = s.path().join("empty-bin");
    fs::create_dir(&empty).unwrap();
    let out = run(
        &s.path().join("shop"),
        &["db", "status"],
        &[
            ("PATH", OsString::from(&empty)),
            ("VIRTUAL_ENV", OsString::new()),
        ],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cannot run Alembic"), "{}", out.stderr);
    assert!(out.stderr.contains("uv sync --extra dev"), "{}", out.stderr);
}

#[test]
fn add_auth_asks_the_syntax_tree_about_existing_wiring() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let router = root.join("src/shop/api/router.py");
    let text = fs::read_to_string(&router).unwrap();
    // An import in another form (and inside parentheses) still counts as wiring.
    fs::write(&router, text.replace("from fastapi import APIRouter\n", "from fastapi import APIRouter\n\nfrom shop.auth import (\n    router as auth_router,\n)\n")).unwrap();
    let out = s.run_in("shop", &["add", "auth"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("already imports the auth router"),
        "{}",
        out.stderr
    );
    // A syntax error is reported with its line, and nothing is written.
    fs::write(&router, "def broken(:\n").unwrap();
    let out = refused(&s, "shop", &root);
    assert!(
        out.stderr
            .contains("src/shop/api/router.py:1 has a Python syntax error"),
        "{}",
        out.stderr
    );
}

#[test]
fn add_auth_refuses_when_the_auth_foundation_is_missing() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    fs::remove_dir_all(root.join("src/shop/auth")).unwrap();
    fs::remove_file(root.join("src/shop/api/deps.py")).unwrap();
    let out = refused(&s, "shop", &root);
    assert!(
        out.stderr.contains("foundation files the auth code imports are missing: src/shop/api/deps.py, src/shop/auth/__init__.py"),
        "{}",
        out.stderr
    );
}

#[test]
fn add_auth_keeps_crlf_endings_comments_and_finds_annotated_tables() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    let crlf = |p: &str| {
        let text = fs::read_to_string(root.join(p)).unwrap();
        fs::write(root.join(p), text.replace('\n', "\r\n")).unwrap();
    };
    crlf("pyproject.toml");
    crlf(".poleposition.toml");
    let manifest = fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    fs::write(
        root.join(".poleposition.toml"),
        manifest.replace(
            "[integrations]\r\n",
            "[integrations]\r\nauth = false  # enable later\r\n",
        ),
    )
    .unwrap();
    let out = s.run_in("shop", &["add", "auth"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pyproject = fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(
        !pyproject.replace("\r\n", "").contains('\n'),
        "every line still ends in CRLF"
    );
    assert!(pyproject.contains("    \"pwdlib[argon2]>=0.2.0\",\r\n"));
    let manifest = fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    assert!(
        manifest.contains("auth = true  # enable later\r\n"),
        "{manifest}"
    );

    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    fs::create_dir_all(root.join("src/shop/modules/users")).unwrap();
    fs::write(
        root.join("src/shop/modules/users/model.py"),
        "class U:\n    __tablename__: str = 'auth_users'  # legacy\n",
    )
    .unwrap();
    let out = s.run_in("shop", &["add", "auth"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("`auth_users` is already defined in src/shop/modules/users/model.py"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_manifest_that_is_a_directory_is_refused() {
    let s = Scratch::new();
    let root = project(&s, "shop", "sqlite");
    fs::remove_file(root.join(".poleposition.toml")).unwrap();
    fs::create_dir(root.join(".poleposition.toml")).unwrap();
    let out = refused(&s, "shop", &root);
    assert!(
        out.stderr.contains("cannot use the project manifest"),
        "{}",
        out.stderr
    );
}
