//! `polepos add auth --<extension>` and `polepos remove auth --<extension>` (SPEC §15),
//! through the real binary: round trips byte for byte (with a hand edit kept), auth and
//! an extension added at once, every refusal leaving the project as it was, `--dry-run`,
//! `--force`, and what `check` and `upgrade` make of the result.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{self, Scratch};

fn project_with_auth(s: &Scratch, name: &str) -> PathBuf {
    assert_eq!(s.run(&["start", name]).code, 0);
    let out = s.run_in(name, &["add", "auth"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    s.path().join(name)
}

/// The project's files without `.env` (its signing key is random per project).
fn tree_without_secret(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut tree = common::tree(root);
    tree.remove(Path::new(".env"));
    tree
}

/// Edits the file at `path` by hand: `from` (which must be there) becomes `to`.
fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn ok(s: &Scratch, cwd: &str, args: &[&str]) -> common::Output {
    let out = s.run_in(cwd, args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out
}

/// Runs a command that must be refused: exit 1, one error, nothing changed.
fn refused(s: &Scratch, cwd: &str, root: &Path, args: &[&str]) -> String {
    let before = common::tree(root);
    let out = s.run_in(cwd, args);
    assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
    assert_eq!(
        out.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1,
        "{}",
        out.stderr
    );
    assert_eq!(
        common::tree(root),
        before,
        "{args:?}: a refusal changes nothing"
    );
    out.stderr
}

#[test]
fn extensions_added_and_removed_one_by_one_give_the_tree_back_with_a_hand_edit() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    // A hand edit in a file the extensions revise, outside their regions.
    let router = root.join("src/shop/auth/router.py");
    replace_in(&router, "64 * 1024", "32 * 1024");
    let before = common::tree(&root);

    let out = ok(&s, "shop", &["add", "auth", "--sessions"]);
    assert!(
        out.stderr
            .contains("Added the auth extension `sessions` to shop (2 files created"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .contains("polepos db revision -m \"add auth sessions table\""),
        "{}",
        out.stdout
    );
    ok(&s, "shop", &["add", "auth", "--rate-limit"]);
    let manifest = fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    assert!(
        manifest.contains("auth_extensions = [\"rate-limit\", \"sessions\"]"),
        "{manifest}"
    );
    let router_now = fs::read_to_string(&router).unwrap();
    assert!(router_now.contains("32 * 1024") && router_now.contains("def refresh("));
    assert!(router_now.contains("limiter.check(request, \"refresh\")"));
    let pyproject = fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("\"limits>=3.13\""), "{pyproject}");
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    let upgrade = ok(&s, "shop", &["upgrade"]);
    // The hand-edited router is the one modified file; nothing else would change.
    assert!(
        upgrade.stdout.contains("modified      1") && upgrade.stdout.contains("safe-update   0"),
        "{}",
        upgrade.stdout
    );

    ok(&s, "shop", &["remove", "auth", "--sessions"]);
    let out = ok(&s, "shop", &["remove", "auth", "--rate-limit"]);
    assert!(
        out.stderr
            .contains("Removed auth extension `rate-limit` from shop"),
        "{}",
        out.stderr
    );
    assert_eq!(
        common::tree(&root),
        before,
        "add then remove gives the tree back"
    );
}

#[test]
fn auth_and_an_extension_at_once_then_the_extension_out_is_plain_auth() {
    let plain_scratch = Scratch::new();
    let plain = project_with_auth(&plain_scratch, "shop");
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    let root = s.path().join("shop");
    let out = ok(&s, "shop", &["add", "auth", "--sessions", "--rate-limit"]);
    assert!(
        out.stderr
            .contains("Added auth and the auth extensions `rate-limit`, `sessions` to shop"),
        "{}",
        out.stderr
    );
    assert!(root.join("src/shop/auth/sessions.py").is_file());
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    ok(
        &s,
        "shop",
        &["remove", "auth", "--sessions", "--rate-limit"],
    );
    let (got, want) = (tree_without_secret(&root), tree_without_secret(&plain));
    let differing: Vec<&PathBuf> = got
        .keys()
        .chain(want.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .collect();
    assert!(differing.is_empty(), "differ: {differing:?}");
}

#[test]
fn refusals_list_every_problem_and_change_nothing() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    ok(&s, "shop", &["add", "auth", "--sessions"]);
    let err = refused(
        &s,
        "shop",
        &root,
        &["add", "auth", "--sessions", "--rate-limit"],
    );
    assert!(
        err.contains("the auth extension `sessions` is already in this project"),
        "{err}"
    );
    let err = refused(&s, "shop", &root, &["remove", "auth", "--rate-limit"]);
    assert!(
        err.contains("the auth extension `rate-limit` is not in this project"),
        "{err}"
    );

    // A hand edit where the extension goes: refused, named; --force writes it as generated.
    let service = root.join("src/shop/auth/user_service.py");
    replace_in(
        &service,
        "    return user, session_id\n",
        "    return user, session_id  # mine\n",
    );
    let err = refused(&s, "shop", &root, &["remove", "auth", "--sessions"]);
    assert!(
        err.contains("src/shop/auth/user_service.py: changed by hand"),
        "{err}"
    );
    let out = ok(&s, "shop", &["remove", "auth", "--sessions", "--force"]);
    assert!(out.stdout.contains("user_service.py"), "{}", out.stdout);
    assert!(!fs::read_to_string(&service).unwrap().contains("# mine"));
    assert!(!root.join("src/shop/auth/sessions.py").exists());

    // Adding into a region edited by hand is refused the same way.
    let router = root.join("src/shop/auth/router.py");
    replace_in(
        &router,
        "    return service.issue_token(user, settings)\n",
        "    return service.issue_token(user, settings)  # mine\n",
    );
    let err = refused(&s, "shop", &root, &["add", "auth", "--sessions"]);
    assert!(
        err.contains("src/shop/auth/router.py: changed by hand"),
        "{err}"
    );

    // Unknown names in the manifest refuse both commands.
    replace_in(
        &root.join(".poleposition.toml"),
        "bytecode = true\n",
        "bytecode = true\nauth_extensions = [\"magic\"]\n",
    );
    let err = refused(&s, "shop", &root, &["add", "auth", "--rate-limit"]);
    assert!(err.contains("`magic`"), "{err}");
    let check = s.run_in("shop", &["check"]);
    assert!(check.stdout.contains("PPCHK052"), "{}", check.stdout);
}

#[test]
fn extensions_need_a_database_and_a_known_flag() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "api", "--db", "none"]).code, 0);
    let root = s.path().join("api");
    let err = refused(&s, "api", &root, &["add", "auth", "--sessions"]);
    assert!(err.contains("database"), "{err}");
    let out = s.run_in("api", &["add", "auth", "--tenant"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = s.run_in("api", &["remove", "auth"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn dry_run_prints_the_change_and_writes_nothing() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    let before = common::tree(&root);
    let out = ok(&s, "shop", &["add", "auth", "--sessions", "--dry-run"]);
    assert!(
        out.stdout.contains("src/shop/auth/sessions.py"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("+def refresh("), "{}", out.stdout);
    assert_eq!(common::tree(&root), before);
    ok(&s, "shop", &["add", "auth", "--sessions"]);
    let before = common::tree(&root);
    ok(&s, "shop", &["remove", "auth", "--sessions", "--dry-run"]);
    assert_eq!(common::tree(&root), before);
}

#[test]
fn check_reports_a_missing_extension_file_and_wiring() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    ok(&s, "shop", &["add", "auth", "--rate-limit"]);
    fs::remove_file(root.join("tests/integration/test_auth_rate_limit.py")).unwrap();
    replace_in(
        &root.join("src/shop/auth/router.py"),
        "from shop.auth.rate_limit import (\n    RateLimiterDep,\n    build_rate_limiter,\n)\n",
        "",
    );
    let out = s.run_in("shop", &["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("[PPCHK053] auth extension `rate-limit` is missing tests/integration/test_auth_rate_limit.py"), "{}", out.stdout);
    assert!(out.stdout.contains("[PPCHK054] auth extension `rate-limit`: src/shop/auth/router.py does not import shop.auth.rate_limit"), "{}", out.stdout);
}

/// The project README documents each extension; a README rewritten by the team is
/// left as it is (and the command says so) rather than blocking the extension.
#[test]
fn a_rewritten_readme_is_left_alone_and_a_generated_one_documents_the_extension() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    ok(&s, "shop", &["add", "auth", "--sessions"]);
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains("#### Sessions: `polepos add auth --sessions`"),
        "{readme}"
    );
    ok(&s, "shop", &["remove", "auth", "--sessions"]);

    fs::write(root.join("README.md"), "# Shop\n\nOur own words.\n").unwrap();
    let out = ok(&s, "shop", &["add", "auth", "--sessions"]);
    assert!(
        out.stdout.contains("README.md: left as it is")
            || out.stderr.contains("README.md: left as it is"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(
        fs::read_to_string(root.join("README.md")).unwrap(),
        "# Shop\n\nOur own words.\n"
    );
    let out = ok(&s, "shop", &["remove", "auth", "--sessions"]);
    assert!(out.stdout.contains("README.md"), "{}", out.stdout);
}

/// The mail package comes with the first extension that sends mail and goes with the
/// last; the tree comes back byte for byte whatever the order.
#[test]
fn the_mail_package_comes_with_the_first_mailing_extension_and_goes_with_the_last() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    let before = common::tree(&root);
    let out = ok(&s, "shop", &["add", "auth", "--verify-email"]);
    assert!(
        out.stdout
            .contains("polepos db revision -m \"add auth email verification tokens table\""),
        "{}",
        out.stdout
    );
    assert!(root.join("src/shop/mail/mailer.py").is_file());
    let pyproject = fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("\"aiosmtplib>=3.0\"") && pyproject.contains("\"aiosmtpd>=1.4\""));
    ok(
        &s,
        "shop",
        &["add", "auth", "--password-reset", "--rate-limit"],
    );
    let manifest = fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    assert!(
        manifest
            .contains("auth_extensions = [\"password-reset\", \"rate-limit\", \"verify-email\"]"),
        "{manifest}"
    );
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    let upgrade = ok(&s, "shop", &["upgrade"]);
    assert!(
        upgrade.stdout.contains("modified      0") && upgrade.stdout.contains("safe-update   0"),
        "{}",
        upgrade.stdout
    );

    ok(&s, "shop", &["remove", "auth", "--verify-email"]);
    assert!(
        root.join("src/shop/mail/mailer.py").is_file(),
        "password reset still mails"
    );
    ok(&s, "shop", &["remove", "auth", "--rate-limit"]);
    let out = ok(&s, "shop", &["remove", "auth", "--password-reset"]);
    assert!(
        out.stdout.contains("drop auth password reset tokens table"),
        "{}",
        out.stdout
    );
    assert!(!root.join("src/shop/mail").exists());
    assert_eq!(
        common::tree(&root),
        before,
        "add then remove gives the tree back"
    );
    let check = s.run_in("shop", &["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

/// `--tenants`: tenant-scoped modules take the tenant from the account instead of the
/// header — those already there are revised, later ones are generated that way — and
/// removing the extension gives them the header back, byte for byte.
#[test]
fn tenants_move_tenant_scoped_modules_from_the_header_to_the_account() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    ok(
        &s,
        "shop",
        &[
            "add",
            "module",
            "invoices",
            "--template",
            "crud",
            "--tenant-scoped",
        ],
    );
    ok(
        &s,
        "shop",
        &[
            "add",
            "module",
            "labels",
            "label:str",
            "--template",
            "crud",
            "--tenant-scoped",
            "--pagination",
        ],
    );
    let router_path = root.join("src/shop/modules/invoices/router.py");
    // A hand edit in the module, away from where the tenant is decided, survives.
    let text = fs::read_to_string(&router_path).unwrap();
    fs::write(&router_path, format!("{text}\n# Our note.\n")).unwrap();
    let before = common::tree(&root);
    assert!(
        fs::read_to_string(&router_path)
            .unwrap()
            .contains("X-Tenant-ID")
    );

    let out = ok(&s, "shop", &["add", "auth", "--tenants"]);
    assert!(
        out.stdout
            .contains("polepos db revision -m \"add auth users tenant column\""),
        "{}",
        out.stdout
    );
    let router = fs::read_to_string(&router_path).unwrap();
    assert!(router.contains("from shop.auth.tenants import"), "{router}");
    assert!(
        !router.contains("X-Tenant-ID") && router.contains("# Our note."),
        "{router}"
    );
    let tests = fs::read_to_string(root.join("tests/integration/test_labels_crud.py")).unwrap();
    assert!(
        tests.contains("tenant comes from the caller's account"),
        "{tests}"
    );
    assert_eq!(s.run_in("shop", &["check"]).code, 0);
    // A module added now is generated the same way, and removed exactly.
    let with_tenants = common::tree(&root);
    ok(
        &s,
        "shop",
        &[
            "add",
            "module",
            "ledgers",
            "--template",
            "crud",
            "--tenant-scoped",
        ],
    );
    let ledgers = fs::read_to_string(root.join("src/shop/modules/ledgers/router.py")).unwrap();
    assert!(ledgers.contains("CurrentTenant"), "{ledgers}");
    ok(&s, "shop", &["remove", "module", "ledgers"]);
    assert_eq!(common::tree(&root), with_tenants);

    ok(&s, "shop", &["remove", "auth", "--tenants"]);
    assert_eq!(
        common::tree(&root),
        before,
        "add then remove gives the tree back"
    );
}

/// A header-scoped module's tests start a production app; with mail on, that app needs
/// an SMTP host, so adding a mailing extension revises them (and removing it reverts).
#[test]
fn mailing_extensions_revise_the_production_tests_of_header_scoped_modules() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    ok(
        &s,
        "shop",
        &[
            "add",
            "module",
            "desks",
            "--template",
            "crud",
            "--tenant-scoped",
        ],
    );
    let tests = root.join("tests/integration/test_desks_crud.py");
    let before = common::tree(&root);
    ok(&s, "shop", &["add", "auth", "--verify-email"]);
    let text = fs::read_to_string(&tests).unwrap();
    assert!(text.contains("monkeypatch.setenv(\"SMTP_HOST\""), "{text}");
    ok(&s, "shop", &["remove", "auth", "--verify-email"]);
    assert_eq!(common::tree(&root), before);
}

/// Code of the team's that imports an extension's module refuses its removal: the
/// package would no longer import.
#[test]
fn removing_an_extension_that_other_code_imports_is_refused() {
    let s = Scratch::new();
    let root = project_with_auth(&s, "shop");
    ok(
        &s,
        "shop",
        &["add", "auth", "--sessions", "--password-reset"],
    );
    fs::write(
        root.join("src/shop/audit.py"),
        "from shop.auth.sessions import SessionService\nfrom shop.mail import mailer\n\n__all__ = [\"SessionService\", \"mailer\"]\n",
    )
    .unwrap();
    let err = refused(&s, "shop", &root, &["remove", "auth", "--sessions"]);
    assert!(
        err.contains("src/shop/audit.py:1: imports shop.auth.sessions.SessionService"),
        "{err}"
    );
    let err = refused(&s, "shop", &root, &["remove", "auth", "--password-reset"]);
    assert!(
        err.contains("src/shop/audit.py:2: imports shop.mail.mailer"),
        "{err}"
    );
    let err = refused(
        &s,
        "shop",
        &root,
        &["remove", "auth", "--password-reset", "--force"],
    );
    assert!(err.contains("audit.py"), "{err}");
    fs::remove_file(root.join("src/shop/audit.py")).unwrap();
    ok(
        &s,
        "shop",
        &["remove", "auth", "--sessions", "--password-reset"],
    );
}
