//! The first run as a new user meets it: what `start` prints at each verbosity and after
//! each installer, and what `polepos db` adds to Alembic's output. Stand-ins for uv,
//! Python and Alembic (small shell scripts on a PATH without the real ones) make each
//! case exact and offline; the end-to-end tests run the real programs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::common::{Scratch, run};

/// Writes an executable shell script.
fn script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(path, perms).unwrap();
}

/// A PATH holding `bin` and the system tools, but no real uv or Python 3.12+.
fn path_with(bin: &Path) -> OsString {
    OsString::from(format!("{}:/usr/bin:/bin", bin.display()))
}

/// A stand-in uv whose `sync` prints to both streams, like the real one.
fn fake_uv(s: &Scratch) -> PathBuf {
    let bin = s.path().join("bin");
    script(
        &bin.join("uv"),
        "echo 'Resolved 42 packages in 3ms' >&2\necho 'uv-stdout-line'\nexit 0\n",
    );
    bin
}

#[test]
fn quiet_start_prints_nothing_at_all() {
    let s = Scratch::new();
    let out = s.run(&["-q", "start", "shop", "--db", "postgres"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    assert!(s.path().join("shop/pyproject.toml").is_file());
}

#[test]
fn quiet_feature_commands_print_nothing_but_dry_runs_still_preview() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    for args in [
        &["-q", "add", "auth"][..],
        &["-q", "add", "module", "orders"],
        &["-q", "remove", "module", "orders"],
        &["-q", "add", "integration", "redis"],
        &["-q", "remove", "integration", "redis"],
    ] {
        let out = s.run_in("shop", args);
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, "", ""),
            "{args:?}"
        );
    }
    let preview = s.run_in("shop", &["-q", "add", "module", "customers", "--dry-run"]);
    assert!(
        preview.stdout.contains("Dry run: nothing was written."),
        "{}",
        preview.stdout
    );
}

#[test]
fn verbose_install_shows_uv_output_on_stderr() {
    let s = Scratch::new();
    let bin = fake_uv(&s);
    let out = run(
        s.path(),
        &["-v", "start", "shop", "--install"],
        &[("PATH", path_with(&bin))],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("Resolved 42 packages"),
        "{}",
        out.stderr
    );
    // uv's stdout is progress too: it goes to stderr, stdout keeps only results.
    assert!(out.stderr.contains("uv-stdout-line"), "{}", out.stderr);
    assert!(!out.stdout.contains("uv-stdout-line"), "{}", out.stdout);
    assert!(out.stdout.contains("  uv run pytest\n"), "{}", out.stdout);

    let quiet = run(
        s.path(),
        &["start", "other", "--install"],
        &[("PATH", path_with(&bin))],
    );
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert!(
        !quiet.stderr.contains("Resolved") && !quiet.stdout.contains("uv-stdout-line"),
        "without -v uv's output stays hidden:\n{}{}",
        quiet.stdout,
        quiet.stderr
    );
}

#[test]
fn after_the_pip_fallback_the_next_steps_use_the_venv() {
    let s = Scratch::new();
    let bin = s.path().join("bin");
    // A Python 3.14 stand-in found before the system's: version checks pass, `-m venv`
    // makes a .venv whose python is this script, `-m pip install` succeeds.
    script(
        &bin.join("python3.14"),
        "if [ \"$1\" = -m ] && [ \"$2\" = venv ]; then mkdir -p \"$3/bin\" && cp \"$0\" \"$3/bin/python\"; fi\nexit 0\n",
    );
    let out = run(
        s.path(),
        &["start", "shop", "--install"],
        &[("PATH", path_with(&bin))],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("with pip (uv was not found)"),
        "{}",
        out.stderr
    );
    let steps = out.stdout.split("Next steps:\n").nth(1).unwrap();
    assert_eq!(
        steps,
        "  cd shop\n  polepos db upgrade\n  .venv/bin/python -m shop.run\n  .venv/bin/python -m pytest\n"
    );
}

#[test]
fn postgres_next_steps_start_and_create_the_database() {
    let s = Scratch::new();
    let out = s.run(&["start", "shop", "--db", "postgres"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let steps: Vec<&str> = out.stdout.lines().map(str::trim).collect();
    let compose = steps
        .iter()
        .position(|l| l.starts_with("docker compose up -d postgres"))
        .expect("the next steps start PostgreSQL");
    let upgrade = steps
        .iter()
        .position(|l| *l == "polepos db upgrade")
        .unwrap();
    assert!(compose < upgrade, "{}", out.stdout);
    assert!(
        steps[compose].ends_with("createdb -h localhost -U postgres shop"),
        "{}",
        steps[compose]
    );
    // The database the step names is the one compose.yaml creates.
    let compose_file = std::fs::read_to_string(s.path().join("shop/compose.yaml")).unwrap();
    assert!(
        compose_file.contains("POSTGRES_DB: shop\n"),
        "{compose_file}"
    );
    let sqlite = s.run(&["start", "lite"]);
    assert!(!sqlite.stdout.contains("docker"), "{}", sqlite.stdout);
}

/// A project whose `.venv/bin/python` is a stand-in for Alembic running `body` (with
/// `$3` the Alembic command), and the PATH to run polepos with (no uv on it).
fn project_with_alembic(s: &Scratch, db: &str, body: &str) -> (PathBuf, OsString) {
    let out = s.run(&["start", "shop", "--db", db]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let root = s.path().join("shop");
    script(
        &root.join(".venv/bin/python"),
        &format!("[ \"$1\" = -c ] && exit 0\n{body}"),
    );
    let bin = s.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    (root, path_with(&bin))
}

const REFUSED: &str = "echo 'Traceback (most recent call last):' >&2
echo 'sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: connection to server at \"127.0.0.1\", port 5432 failed: Connection refused' >&2
echo '(Background on this error at: https://sqlalche.me/e/21/e3q8)' >&2
exit 1
";

#[test]
fn an_unreachable_database_gets_one_line_after_alembic_output() {
    let s = Scratch::new();
    let (root, path) = project_with_alembic(&s, "postgres", REFUSED);
    let no_env = ("DATABASE_URL", OsString::new());
    let out = run(&root, &["db", "upgrade"], &[("PATH", path.clone()), no_env]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stderr);
    assert!(
        lines[2].starts_with("(Background"),
        "Alembic's output comes first"
    );
    assert_eq!(
        lines[3],
        "polepos: alembic upgrade head exited with status 1: cannot connect to PostgreSQL at localhost:5432 (database shop, DATABASE_URL in .env); start it with `docker compose up -d postgres`, or point DATABASE_URL at a running server"
    );

    // Another server, named by the environment: host and database, never the password.
    let out = run(
        &root,
        &["db", "status"],
        &[
            ("PATH", path),
            (
                "DATABASE_URL",
                "postgresql+psycopg://app:s3cret-pw@db.internal:6543/orders".into(),
            ),
        ],
    );
    assert_eq!(out.code, 1);
    let last = out.stderr.lines().last().unwrap();
    assert_eq!(
        last,
        "polepos: alembic current exited with status 1: cannot connect to the database server at db.internal:6543 (database orders, DATABASE_URL from the environment); start the server, or point DATABASE_URL at a running one"
    );
    assert!(!out.stderr.contains("s3cret-pw"));
}

#[test]
fn a_missing_database_is_named_with_the_createdb_command() {
    let s = Scratch::new();
    let (root, path) = project_with_alembic(
        &s,
        "postgres",
        "echo 'sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: FATAL:  database \"shop\" does not exist' >&2\nexit 1\n",
    );
    let out = run(
        &root,
        &["db", "upgrade"],
        &[("PATH", path), ("DATABASE_URL", OsString::new())],
    );
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr.lines().last().unwrap(),
        "polepos: alembic upgrade head exited with status 1: the server at localhost:5432 has no database shop (DATABASE_URL in .env); create it with `createdb -h localhost -p 5432 -U postgres shop`"
    );
}

#[test]
fn other_alembic_failures_get_no_database_line() {
    let s = Scratch::new();
    let (root, path) = project_with_alembic(
        &s,
        "sqlite",
        "echo \"FAILED: Can't locate revision identified by 'nope'\" >&2\nexit 255\n",
    );
    let out = run(&root, &["db", "downgrade", "nope"], &[("PATH", path)]);
    assert_eq!(out.code, 255);
    assert_eq!(
        out.stderr,
        "FAILED: Can't locate revision identified by 'nope'\npolepos: alembic downgrade nope exited with status 255\n"
    );
}

const STATUS: &str = "case \"$3\" in
current) echo 'INFO  [alembic.runtime.migration] Context impl SQLiteImpl.' >&2; echo 'INFO  [alembic.runtime.migration] Will assume non-transactional DDL.' >&2; [ -f applied ] && echo '1a2b3c4d5e6f (head)';;
heads) echo '1a2b3c4d5e6f (head)';;
esac
exit 0
";

#[test]
fn db_status_labels_each_block_once() {
    let s = Scratch::new();
    let (root, path) = project_with_alembic(&s, "sqlite", STATUS);
    let out = run(&root, &["db", "status"], &[("PATH", path.clone())]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "Current revision of the database:\n  (none: no migration has been applied)\nHeads of migrations/versions:\n  1a2b3c4d5e6f (head)\nThe database is not at the heads: run `polepos db upgrade`.\n"
    );
    assert_eq!(out.stderr, "", "Alembic's routine INFO lines are left out");

    std::fs::write(root.join("applied"), "").unwrap();
    let out = run(&root, &["db", "status"], &[("PATH", path)]);
    assert_eq!(
        out.stdout,
        "Current revision of the database:\n  1a2b3c4d5e6f (head)\nHeads of migrations/versions:\n  1a2b3c4d5e6f (head)\nThe database is up to date.\n"
    );
}

#[test]
fn db_revision_says_when_there_was_nothing_to_write() {
    let s = Scratch::new();
    // Like Alembic with the generated env.py: autogenerate writes no file when the models
    // did not change; a plain (`--empty`) revision always writes one.
    let (root, path) = project_with_alembic(
        &s,
        "sqlite",
        "if [ \"$4\" = --autogenerate ]; then echo 'INFO  [alembic.autogenerate.compare] No changes in schema detected.' >&2; else touch migrations/versions/0001_blank.py; fi\nexit 0\n",
    );
    let out = run(
        &root,
        &["db", "revision", "-m", "nothing"],
        &[("PATH", path.clone())],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "No model changes: no revision was written. For a blank revision (a data fix, say), add --empty.\n"
    );
    assert!(!root.join("migrations/versions/0001_blank.py").exists());

    let out = run(
        &root,
        &["db", "revision", "-m", "data fix", "--empty"],
        &[("PATH", path)],
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    assert!(root.join("migrations/versions/0001_blank.py").is_file());
}
