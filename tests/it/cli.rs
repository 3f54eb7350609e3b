//! CLI tests: exit code, stdout and stderr of real invocations, and the files they leave.

use crate::common;
use std::ffi::OsString;
use std::fs;

use crate::common::{Scratch, run};

#[test]
fn version_in_all_spellings() {
    let s = Scratch::new();
    for args in [&["version"][..], &["--version"], &["-V"]] {
        let out = s.run(args);
        assert_eq!(out.code, 0, "{args:?}");
        assert_eq!(
            out.stdout,
            format!("polepos {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(out.stderr, "");
    }
}

/// Completion scripts the older tool installed call `polepos __complete <words...>`.
#[test]
fn hidden_complete_prints_candidates_for_older_completion_scripts() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "shop"]).code, 0);
    for module in ["orders", "ideas"] {
        assert_eq!(s.run_in("shop", &["add", "module", module]).code, 0);
    }
    let lines = |out: common::Output| {
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let top = lines(s.run(&["__complete", ""]));
    for command in ["add", "check", "db", "remove", "start", "upgrade"] {
        assert!(top.contains(&command.to_string()), "{top:?}");
    }
    assert!(!top.iter().any(|c| c == "__complete"), "hidden: {top:?}");
    assert_eq!(lines(s.run(&["__complete", "add", "m"])), ["module"]);
    assert_eq!(
        lines(s.run(&["__complete", "check", "--f"])),
        ["--fix", "--format"]
    );
    assert_eq!(
        lines(s.run_in("shop", &["__complete", "remove", "module", ""])),
        ["--dry-run", "--force", "--wiring-only", "ideas", "orders"]
    );
    assert_eq!(
        lines(s.run_in("shop", &["__complete", "remove", "module", "o"])),
        ["orders"]
    );
    // Outside a project there are no module names, and no error.
    assert_eq!(
        lines(s.run(&["__complete", "remove", "module", ""])),
        ["--dry-run", "--force", "--wiring-only"]
    );
}

/// The older tool's command name runs the same program.
#[test]
fn poleposition_is_the_same_program() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_poleposition"))
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("polepos {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_for_every_command() {
    let s = Scratch::new();
    let cases: &[(&str, &[&str])] = &[
        ("help_root", &["help"]),
        ("help_root_flag", &["--help"]),
        ("help_start", &["help", "start"]),
        ("help_startproject", &["help", "startproject"]),
        ("help_add", &["help", "add"]),
        ("help_add_auth", &["help", "add", "auth"]),
        ("help_add_module", &["help", "add", "module"]),
        ("help_add_integration", &["help", "add", "integration"]),
        (
            "help_remove_integration",
            &["help", "remove", "integration"],
        ),
        ("help_remove_auth", &["help", "remove", "auth"]),
        ("help_db", &["help", "db"]),
        ("help_db_revision", &["help", "db", "revision"]),
        ("help_db_downgrade", &["help", "db", "downgrade"]),
        ("help_check", &["help", "check"]),
        ("help_explain", &["help", "explain"]),
        ("help_completion", &["help", "completion"]),
        ("help_version", &["help", "version"]),
    ];
    for (name, args) in cases {
        let out = s.run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        insta::assert_snapshot!(*name, out.stdout);
    }
    assert_eq!(s.run(&["start", "-h"]).code, 0);
}

/// Every command path in the real tree, aliases included (`[]` is the root).
fn command_paths() -> Vec<Vec<String>> {
    use clap::CommandFactory;
    fn walk(command: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for sub in command.get_subcommands() {
            for name in std::iter::once(sub.get_name()).chain(sub.get_all_aliases()) {
                let mut path = prefix.to_vec();
                path.push(name.to_string());
                walk(sub, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&polepos::cli::Cli::command(), &[], &mut out);
    out
}

#[test]
fn help_command_prints_exactly_what_dash_dash_help_prints() {
    let s = Scratch::new();
    let paths = command_paths();
    assert!(paths.len() > 10, "{paths:?}");
    for path in paths {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let via_help = s.run(&[&["help"][..], &path].concat());
        let via_flag = s.run(&[&path[..], &["--help"]].concat());
        assert_eq!(via_help.code, 0, "help {path:?}: {}", via_help.stderr);
        assert_eq!(via_flag.code, 0, "{path:?} --help: {}", via_flag.stderr);
        assert_eq!(via_help.stdout, via_flag.stdout, "{path:?}");
        assert_eq!(via_help.stderr, "", "{path:?}");
    }
}

#[test]
fn help_for_a_command_without_subcommands_says_so() {
    let s = Scratch::new();
    insta::assert_snapshot!(s.run(&["help", "add", "auth", "extra"]).render(s.path()));
}

#[test]
fn help_for_an_unknown_command_is_a_usage_error() {
    let s = Scratch::new();
    insta::assert_snapshot!(s.run(&["help", "frobnicate"]).render(s.path()));
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let s = Scratch::new();
    for args in [
        &["start"][..],
        &["start", "x", "--db", "mysql"],
        &["start", "x", "--install", "--dry-run"],
        &["frobnicate"],
        &["db", "downgrade"],
        &["db", "revision"],
        &["completion", "tcsh"],
        &["--color", "sometimes", "version"],
    ] {
        let out = s.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with("error:"), "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "");
    }
    assert!(s.snapshot_tree().is_empty());
}

#[test]
fn completion_scripts_for_every_shell() {
    let s = Scratch::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = s.run(&["completion", shell]);
        assert_eq!(out.code, 0, "{shell}");
        assert!(out.stdout.contains("polepos"), "{shell}");
        assert!(
            out.stdout.contains("startproject"),
            "{shell}: completion comes from the real tree"
        );
    }
}

#[test]
fn a_closed_stdout_exits_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_polepos"))
        .args(["completion", "zsh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(stderr, "");
}

#[test]
fn bad_project_names_are_refused_and_nothing_is_written() {
    let s = Scratch::new();
    fs::create_dir(s.path().join("taken")).unwrap();
    let before = s.snapshot_tree();
    let cases: &[(&str, &str)] = &[
        ("empty", ""),
        ("blank", "   "),
        ("whitespace", "shop api"),
        ("separator", "shop/api"),
        ("backslash", "shop\\api"),
        ("dotdot", ".."),
        ("leading_dash", "-shop"),
        ("trailing_dot", "shop."),
        ("symbol", "sh@p"),
        ("digit_start", "1shop"),
        ("keyword", "class"),
        ("soft_keyword", "match"),
        ("stdlib", "json"),
        ("stdlib_case", "Logging"),
        ("dependency", "fastapi"),
        ("dependency_normalised", "pydantic-settings"),
        ("tests_dir", "tests"),
        ("migrations_dir", "migrations"),
        (
            "too_long",
            "a-very-long-project-name-that-keeps-going-and-going-beyond-the-limit",
        ),
        ("existing_path", "taken"),
    ];
    let mut all = String::new();
    for (label, name) in cases {
        // `--` lets a name start with `-`; without it that is an option (a usage error).
        let out = s.run(&["start", "--", name]);
        assert_eq!(out.code, 1, "{label}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{label}");
        assert_eq!(
            out.stderr.matches("error:").count(),
            1,
            "{label}: one error: {}",
            out.stderr
        );
        all.push_str(&format!("## {label}: {name:?}\n{}\n", out.render(s.path())));
    }
    insta::assert_snapshot!(all);
    assert_eq!(s.snapshot_tree(), before, "nothing was written");
}

/// As with the older tool, a command group typed alone prints its usage as a result.
#[test]
fn a_bare_command_group_prints_its_usage_on_stdout_and_exits_0() {
    let s = Scratch::new();
    for (args, usage) in [
        (&[][..], "Usage: polepos [OPTIONS] <COMMAND>"),
        (&["add"], "Usage: polepos add [OPTIONS] <COMMAND>"),
        (&["db"], "Usage: polepos db [OPTIONS] <COMMAND>"),
        (&["remove"], "Usage: polepos remove [OPTIONS] <COMMAND>"),
        (
            &["completion"],
            "Usage: polepos completion [OPTIONS] <SHELL>",
        ),
    ] {
        let out = s.run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr, "", "{args:?}");
        assert!(out.stdout.contains(usage), "{args:?}: {}", out.stdout);
    }
}

#[test]
fn an_unknown_option_of_start_is_a_usage_error_about_the_option() {
    let s = Scratch::new();
    let cases: [(&[&str], &str); 3] = [
        (&["start", "--template", "x"], "--template"),
        (&["start", "shop", "--template", "x"], "--template"),
        (&["start", "-shop"], "-s"),
    ];
    for (args, option) in cases {
        let out = s.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr
                .starts_with(&format!("error: unexpected argument '{option}' found")),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("invalid project name"),
            "{}",
            out.stderr
        );
    }
    assert!(s.snapshot_tree().is_empty());
}

#[test]
fn dry_run_lists_files_and_writes_nothing() {
    let s = Scratch::new();
    let out = s.run(&["start", "shop-api", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.render(s.path()));
    assert!(s.snapshot_tree().is_empty());
}

#[test]
fn start_writes_the_project_and_next_steps() {
    let s = Scratch::new();
    let out = s.run(&["start", "Shop-API"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.render(s.path()));
    let root = s.path().join("Shop-API");
    let manifest = fs::read_to_string(root.join(".poleposition.toml")).unwrap();
    assert!(
        manifest.contains("package = \"shop_api\"\ndb = \"sqlite\""),
        "{manifest}"
    );
    assert!(root.join("src/shop_api/api/router.py").is_file());
    assert!(root.join("migrations/versions").is_dir());
    // No staging directory is left beside the project.
    let names: Vec<_> = fs::read_dir(s.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![OsString::from("Shop-API")]);
}

#[test]
fn env_gets_a_fresh_secret_and_env_example_a_placeholder() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "one"]).code, 0);
    assert_eq!(s.run(&["start", "two"]).code, 0);
    let secret = |p: &str| {
        let env = fs::read_to_string(s.path().join(p)).unwrap();
        env.lines()
            .find_map(|l| l.strip_prefix("AUTH_SECRET_KEY="))
            .unwrap()
            .to_string()
    };
    let (a, b) = (secret("one/.env"), secret("two/.env"));
    assert_eq!(a.len(), 64);
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(s.path().join("one/.env"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, ".env holds the signing key");
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a, b, "every project gets its own secret");
    assert!(
        !fs::read_to_string(s.path().join("one/.env.example"))
            .unwrap()
            .contains(&a)
    );
    assert!(
        fs::read_to_string(s.path().join("one/.gitignore"))
            .unwrap()
            .lines()
            .any(|l| l.trim() == ".env")
    );
}

#[test]
fn no_bytecode_is_recorded_and_prefixes_commands() {
    let s = Scratch::new();
    let out = s.run(&["start", "shop", "--no-bytecode"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("PYTHONDONTWRITEBYTECODE=1 uv run python -m shop.run"),
        "{}",
        out.stdout
    );
    let manifest = fs::read_to_string(s.path().join("shop/.poleposition.toml")).unwrap();
    assert!(manifest.contains("bytecode = false"));
    let readme = fs::read_to_string(s.path().join("shop/README.md")).unwrap();
    assert!(
        readme.contains("PYTHONDONTWRITEBYTECODE=1 uv run pytest"),
        "{readme}"
    );
}

#[test]
fn db_none_leaves_no_database_remnant() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "plain", "--db", "none"]).code, 0);
    let root = s.path().join("plain");
    assert!(!root.join("alembic.ini").exists());
    assert!(!root.join("migrations").exists());
    assert!(!root.join("src/plain/db").exists());
    for (path, bytes) in common::tree(&root) {
        // `.env` holds the random secret; the manifest's comment lists every db mode.
        if path.ends_with(".env") || path.ends_with(".poleposition.toml") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap().to_lowercase();
        for needle in [
            "sqlalchemy",
            "alembic",
            "database_url",
            "psycopg",
            "migration",
            "db_session",
            "sqlite",
        ] {
            assert!(
                !text.contains(needle),
                "{} mentions {needle}",
                path.display()
            );
        }
    }
}

#[test]
fn postgres_mode_uses_psycopg_and_a_postgres_url() {
    let s = Scratch::new();
    assert_eq!(s.run(&["start", "pg-app", "--db", "postgres"]).code, 0);
    let root = s.path().join("pg-app");
    let env = fs::read_to_string(root.join(".env.example")).unwrap();
    assert!(
        env.contains("DATABASE_URL=postgresql+psycopg://postgres:postgres@localhost:5432/pg_app"),
        "{env}"
    );
    assert!(
        fs::read_to_string(root.join("pyproject.toml"))
            .unwrap()
            .contains("psycopg[binary]")
    );
    let compose = fs::read_to_string(root.join("compose.yaml")).unwrap();
    assert!(
        compose.contains("postgres:") && compose.contains("healthcheck"),
        "{compose}"
    );
    let sqlite = s.path().join("lite");
    assert_eq!(s.run(&["start", "lite"]).code, 0);
    assert!(
        !fs::read_to_string(sqlite.join("pyproject.toml"))
            .unwrap()
            .contains("psycopg")
    );
    assert!(
        fs::read_to_string(sqlite.join(".env.example"))
            .unwrap()
            .contains("DATABASE_URL=sqlite:///./lite.db")
    );
}

#[test]
fn install_without_uv_or_python_fails_clearly_but_keeps_the_project() {
    let s = Scratch::new();
    let empty = s.path().join("empty-bin");
    fs::create_dir(&empty).unwrap();
    let out = run(
        s.path(),
        &["start", "shop", "--install"],
        &[("PATH", empty.into_os_string())],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("neither uv nor a Python 3.11+ interpreter"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("uv sync --extra dev"), "{}", out.stderr);
    assert!(
        s.path().join("shop/pyproject.toml").is_file(),
        "the generated project stays"
    );
}

#[test]
fn project_commands_outside_a_project_are_refused() {
    let s = Scratch::new();
    for args in [&["add", "auth"][..], &["db", "upgrade"], &["db", "status"]] {
        let out = s.run(args);
        assert_eq!(out.code, 1, "{args:?}");
        assert!(
            out.stderr.contains("not inside a polepos project"),
            "{}",
            out.stderr
        );
    }
}

/// Runs polepos in `cwd` as a user that cannot write there: as `nobody` through setpriv
/// when the tests run as root (root ignores permissions), otherwise with the directories
/// under `cwd` made read-only for the duration of the run.
fn run_without_write_access(
    scratch: &Scratch,
    cwd: &std::path::Path,
    args: &[&str],
) -> common::Output {
    use std::os::unix::fs::PermissionsExt;
    use std::process::{Command, Stdio};
    let dirs: Vec<std::path::PathBuf> = walk_dirs(cwd);
    let as_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let mode = if as_root { 0o755 } else { 0o555 };
    // The scratch root must be traversable by `nobody` too.
    fs::set_permissions(scratch.path(), fs::Permissions::from_mode(0o755)).unwrap();
    for dir in &dirs {
        fs::set_permissions(dir, fs::Permissions::from_mode(mode)).unwrap();
    }
    let mut command = if as_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_polepos"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_polepos"))
    };
    let out = command
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run polepos");
    for dir in &dirs {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    common::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn walk_dirs(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut dirs = vec![root.to_path_buf()];
    let mut i = 0;
    while i < dirs.len() {
        for entry in fs::read_dir(&dirs[i]).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                dirs.push(entry.path());
            }
        }
        i += 1;
    }
    dirs
}

#[test]
fn a_directory_polepos_cannot_write_is_a_refusal_not_a_bug() {
    let s = Scratch::new();
    let out = run_without_write_access(&s, s.path(), &["start", "shop"]);
    insta::assert_snapshot!("read_only_start", out.render(s.path()));

    assert_eq!(s.run(&["start", "shop", "--db", "sqlite"]).code, 0);
    let project = s.path().join("shop");
    let before = common::tree(&project);
    let out = run_without_write_access(&s, &project, &["add", "auth"]);
    insta::assert_snapshot!("read_only_add_auth", out.render(s.path()));
    assert_eq!(common::tree(&project), before, "nothing was changed");
}

#[test]
fn a_failing_stdout_is_an_error_once() {
    use std::process::{Command, Stdio};
    for args in [
        &["explain"][..],
        &["version"],
        &["help", "start"],
        &["start", "--help"],
        &["--version"],
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_polepos"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(full)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: cannot write to stdout: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

#[test]
fn the_retry_command_quotes_a_path_with_spaces() {
    let s = Scratch::new();
    let parent = s.path().join("my projects");
    let empty = s.path().join("empty-bin");
    fs::create_dir(&parent).unwrap();
    fs::create_dir(&empty).unwrap();
    let out = run(
        &parent,
        &["start", "shop", "--install"],
        &[("PATH", empty.into_os_string())],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let expected = format!(
        "`cd '{}/my projects/shop' && uv sync --extra dev`",
        s.path().display()
    );
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
}

/// SPEC §16: a command that would read, write or delete through a symbolic link leading
/// outside the project refuses with one error naming the link and its target, and
/// changes nothing, inside the project or outside it.
#[cfg(unix)]
mod project_boundary {
    use std::os::unix::fs::symlink;
    use std::path::Path;

    use super::fs;
    use crate::common::{Scratch, tree};

    /// A fresh project `shop` with module `orders`, and a directory `outside` beside it.
    fn project() -> Scratch {
        let s = Scratch::new();
        assert_eq!(s.run(&["start", "shop"]).code, 0);
        assert_eq!(s.run_in("shop", &["add", "module", "orders"]).code, 0);
        fs::create_dir(s.path().join("outside")).unwrap();
        s
    }

    /// Moves `relative` (inside the project) to `outside/` and leaves a link in its place.
    fn link_out(s: &Scratch, relative: &str) {
        let inside = s.path().join("shop").join(relative);
        let name = Path::new(relative).file_name().unwrap();
        let outside = s.path().join("outside").join(name);
        fs::rename(&inside, &outside).unwrap();
        symlink(&outside, &inside).unwrap();
    }

    #[track_caller]
    fn assert_refused(s: &Scratch, args: &[&str], link: &str) {
        let before = tree(s.path());
        let out = s.run_in("shop", args);
        assert_eq!(out.code, 1, "{args:?}\n{}", out.stderr);
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!(
                "error: {link} leads outside the project (it is a symbolic link to "
            )) && first.contains("outside"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains("hint: "), "{}", out.stderr);
        assert_eq!(tree(s.path()), before, "{args:?} changed files");
    }

    #[test]
    fn add_module_refuses_a_wiring_file_linked_outside() {
        let s = project();
        link_out(&s, "src/shop/api/router.py");
        assert_refused(&s, &["add", "module", "items"], "src/shop/api/router.py");
        assert_refused(
            &s,
            &["add", "module", "items", "--dry-run"],
            "src/shop/api/router.py",
        );
    }

    #[test]
    fn remove_module_force_refuses_a_module_directory_linked_outside() {
        let s = project();
        link_out(&s, "src/shop/modules/orders");
        assert_refused(
            &s,
            &["remove", "module", "orders", "--force"],
            "src/shop/modules/orders",
        );
    }

    #[test]
    fn check_fix_refuses_to_repair_a_file_linked_outside() {
        let s = project();
        let router = s.path().join("shop/src/shop/api/router.py");
        let text = fs::read_to_string(&router).unwrap();
        let kept: String = text
            .lines()
            .filter(|line| !line.starts_with("api_router.include_router(orders_router"))
            .map(|line| format!("{line}\n"))
            .collect();
        fs::write(&router, kept).unwrap();
        link_out(&s, "src/shop/api/router.py");
        assert_refused(&s, &["check", "--fix"], "src/shop/api/router.py");
    }

    #[test]
    fn upgrade_apply_refuses_a_ledger_linked_outside() {
        let s = project();
        // A ledger without entries: `--apply` adopts the current files, rewriting it.
        fs::write(s.path().join("shop/.poleposition.lock"), "version = 1\n").unwrap();
        link_out(&s, ".poleposition.lock");
        assert_refused(&s, &["upgrade", "--apply"], ".poleposition.lock");
    }

    #[test]
    fn a_link_that_stays_inside_the_project_is_followed() {
        let s = project();
        let api = s.path().join("shop/src/shop/api");
        fs::rename(api.join("router.py"), api.join("real_router.py")).unwrap();
        symlink("real_router.py", api.join("router.py")).unwrap();
        let out = s.run_in("shop", &["add", "module", "items"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let text = fs::read_to_string(api.join("real_router.py")).unwrap();
        assert!(text.contains("items_router"), "{text}");
    }
}
