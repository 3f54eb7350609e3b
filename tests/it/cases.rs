//! In/out cases for the mutating commands, cargo-style: `tests/cases/<command>/<case>/`.
//!
//! Each case directory holds:
//! - `cmd`: the arguments, one line, split on whitespace (`"..."` groups words);
//! - `base` (optional): the starting project — `empty` (the default: an empty
//!   directory), `sqlite`, `postgres`, `none` (a fresh `polepos start shop --db ...`),
//!   `auth` (sqlite after `add auth`), `legacy` (the older tool's fixture, with integrations)
//!   or `legacy_base` (the older tool's project without auth or integrations);
//! - `setup` (optional): polepos command lines, one a line, run in the project after the
//!   base is made (e.g. `add module orders`), each of which must succeed;
//! - `in/` (optional): files laid over the scratch directory (added or replaced);
//! - `cwd` (optional): where the command runs, relative to the scratch directory
//!   (default: the project, or the scratch directory for `empty`);
//! - `out/` (optional): expected files, compared as a subset of the result;
//! - `gone` (optional): paths, one a line, that must not exist afterwards;
//! - `exists` (optional): paths, one a line, that must still exist afterwards;
//! - `check` (optional, default 0): the exit code `polepos check` must give afterwards
//!   (1 for a command whose documented result leaves work to the user);
//! - `code` (optional, default 0), `stdout`, `stderr` (absent means empty): the expected
//!   run, with the scratch directory shown as `[ROOT]`.
//!
//! Invariants checked after every case, so a case states only what differs:
//! - a refusal (exit code other than 0) leaves every file exactly as it was;
//! - after a success, `polepos check` passes on the project, and the same command
//!   with `--dry-run` on a fresh copy of the starting tree changes nothing.
//!
//! `POLEPOS_BLESS=1 cargo test --test it cases::` writes the actual `code`, `stdout` and
//! `stderr` of every case (review them with `git diff`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Output, copy_fixture, legacy_fixture, run, tree};

/// Where the project lives in the scratch directory (and where commands run).
const PROJECT: &str = "shop";

struct Case {
    dir: PathBuf,
    args: Vec<String>,
    base: String,
}

impl Case {
    fn load(dir: &Path) -> Case {
        let read = |name: &str| fs::read_to_string(dir.join(name)).ok();
        let cmd = read("cmd").unwrap_or_else(|| panic!("{}: no `cmd` file", dir.display()));
        Case {
            dir: dir.to_path_buf(),
            args: split(cmd.trim()),
            base: read("base").map_or_else(|| "empty".to_string(), |b| b.trim().to_string()),
        }
    }

    fn name(&self) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
        self.dir
            .strip_prefix(&root)
            .unwrap_or(&self.dir)
            .display()
            .to_string()
    }

    /// Lays out the starting tree in `scratch` and returns the directory to run in.
    fn prepare(&self, scratch: &Path) -> PathBuf {
        let cwd = match self.base.as_str() {
            "empty" => scratch.to_path_buf(),
            "legacy" => {
                let root = scratch.join(PROJECT);
                copy_fixture(&legacy_fixture(), &root);
                root
            }
            "legacy_base" => {
                let root = scratch.join(PROJECT);
                copy_fixture(
                    &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy_base"),
                    &root,
                );
                root
            }
            db @ ("sqlite" | "postgres" | "none" | "auth") => {
                let mode = if db == "auth" { "sqlite" } else { db };
                let started = run(scratch, &["start", PROJECT, "--db", mode], &[]);
                assert_eq!(
                    started.code,
                    0,
                    "{}: start failed: {}",
                    self.name(),
                    started.stderr
                );
                let root = scratch.join(PROJECT);
                if db == "auth" {
                    let added = run(&root, &["add", "auth"], &[]);
                    assert_eq!(
                        added.code,
                        0,
                        "{}: add auth failed: {}",
                        self.name(),
                        added.stderr
                    );
                }
                root
            }
            other => panic!("{}: unknown base `{other}`", self.name()),
        };
        let cwd = match fs::read_to_string(self.dir.join("cwd")) {
            Ok(rel) => scratch.join(rel.trim()),
            Err(_) => cwd,
        };
        if let Ok(setup) = fs::read_to_string(self.dir.join("setup")) {
            let project = scratch.join(PROJECT);
            for line in setup.lines().filter(|l| !l.trim().is_empty()) {
                let words = split(line.trim());
                let args: Vec<&str> = words.iter().map(String::as_str).collect();
                let out = run(&project, &args, &[]);
                assert_eq!(
                    out.code,
                    0,
                    "{}: setup `{line}` failed: {}",
                    self.name(),
                    out.stderr
                );
            }
        }
        let overlay = self.dir.join("in");
        if overlay.is_dir() {
            for (path, bytes) in tree(&overlay) {
                let target = scratch.join(&path);
                fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                fs::write(target, bytes).expect("write overlay");
            }
        }
        cwd
    }

    fn expected(&self, name: &str) -> String {
        fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }

    /// Whether the command writes files (the invariants apply).
    fn mutating(&self) -> bool {
        matches!(
            self.args.first().map(String::as_str),
            Some("start" | "startproject" | "add" | "remove" | "upgrade")
        )
    }

    fn project_root(&self, cwd: &Path) -> PathBuf {
        match self.args.first().map(String::as_str) {
            Some("start" | "startproject") => cwd.join(self.args.get(1).map_or("", String::as_str)),
            _ => cwd.to_path_buf(),
        }
    }
}

/// Splits a command line on whitespace; `"..."` keeps its words together.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn render(output: &Output, scratch: &Path) -> (String, String) {
    let filter = |s: &str| s.replace(&scratch.display().to_string(), "[ROOT]");
    (filter(&output.stdout), filter(&output.stderr))
}

fn run_case(case: &Case) -> Vec<String> {
    let mut failures = Vec::new();
    let scratch = tempfile::tempdir().expect("tempdir");
    let cwd = case.prepare(scratch.path());
    let before = tree(scratch.path());
    let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
    let output = run(&cwd, &args, &[]);
    let (stdout, stderr) = render(&output, scratch.path());

    if std::env::var_os("POLEPOS_BLESS").is_some() {
        let write = |name: &str, text: &str| {
            let path = case.dir.join(name);
            if text.is_empty() {
                let _ = fs::remove_file(path);
            } else {
                fs::write(path, text).expect("bless");
            }
        };
        write("stdout", &stdout);
        write("stderr", &stderr);
        write(
            "code",
            &if output.code == 0 {
                String::new()
            } else {
                format!("{}\n", output.code)
            },
        );
    }
    let code: i32 = case.expected("code").trim().parse().unwrap_or(0);
    if output.code != code {
        failures.push(format!(
            "exit code {} instead of {code}\nstderr:\n{}",
            output.code, output.stderr
        ));
    }
    if stdout != case.expected("stdout") {
        failures.push(format!(
            "stdout differs:\n--- expected\n{}--- actual\n{stdout}",
            case.expected("stdout")
        ));
    }
    if stderr != case.expected("stderr") {
        failures.push(format!(
            "stderr differs:\n--- expected\n{}--- actual\n{stderr}",
            case.expected("stderr")
        ));
    }

    let after = tree(scratch.path());
    let expected_out = case.dir.join("out");
    if expected_out.is_dir() {
        for (path, bytes) in tree(&expected_out) {
            match after.get(&strip_prefix(&cwd, scratch.path()).join(&path)) {
                None => failures.push(format!("out/{} was not written", path.display())),
                Some(actual) if *actual != bytes => failures.push(format!(
                    "out/{} differs:\n--- expected\n{}--- actual\n{}",
                    path.display(),
                    String::from_utf8_lossy(&bytes),
                    String::from_utf8_lossy(actual)
                )),
                Some(_) => {}
            }
        }
    }
    for path in case
        .expected("exists")
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        if cwd.join(path.trim()).symlink_metadata().is_err() {
            failures.push(format!("{path} was removed"));
        }
    }
    for gone in case
        .expected("gone")
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        if cwd.join(gone.trim()).symlink_metadata().is_ok() {
            failures.push(format!("{gone} still exists"));
        }
    }

    if output.code != 0 {
        if after != before {
            failures.push(format!(
                "a refusal changed files: {}",
                changed(&before, &after)
            ));
        }
    } else if case.mutating() {
        let root = case.project_root(&cwd);
        let check = run(&root, &["check"], &[]);
        let wanted: i32 = case.expected("check").trim().parse().unwrap_or(0);
        if check.code != wanted {
            failures.push(format!(
                "`polepos check` exits {} instead of {wanted} after the command:\n{}",
                check.code, check.stdout
            ));
        }
        if !case.args.iter().any(|a| a == "--dry-run") {
            let dry = tempfile::tempdir().expect("tempdir");
            let dry_cwd = case.prepare(dry.path());
            let start = tree(dry.path());
            let mut dry_args = args.clone();
            dry_args.push("--dry-run");
            let preview = run(&dry_cwd, &dry_args, &[]);
            if preview.code != 0 {
                failures.push(format!(
                    "--dry-run exits {}: {}",
                    preview.code, preview.stderr
                ));
            }
            let end = tree(dry.path());
            if start != end {
                failures.push(format!(
                    "--dry-run changed files: {}",
                    changed(&start, &end)
                ));
            }
        }
    }
    failures
}

fn strip_prefix(path: &Path, prefix: &Path) -> PathBuf {
    path.strip_prefix(prefix).unwrap_or(path).to_path_buf()
}

fn changed(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) -> String {
    let mut paths: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| p.display().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths.join(", ")
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut found = Vec::new();
    for command in fs::read_dir(&root).expect("tests/cases") {
        let command = command.expect("entry").path();
        if !command.is_dir() {
            continue;
        }
        for case in fs::read_dir(&command).expect("command dir") {
            let case = case.expect("entry").path();
            if case.join("cmd").is_file() {
                found.push(Case::load(&case));
            }
        }
    }
    found.sort_by(|a, b| a.dir.cmp(&b.dir));
    found
}

#[test]
fn every_case_gives_its_expected_tree_and_output() {
    let cases = cases();
    assert!(cases.len() >= 5, "the cases were not found");
    let mut report = String::new();
    for case in &cases {
        let failures = run_case(case);
        if !failures.is_empty() {
            report.push_str(&format!(
                "\n=== {} ===\n{}\n",
                case.name(),
                failures.join("\n")
            ));
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn command_lines_split_like_a_shell_for_simple_quoting() {
    assert_eq!(split("add auth"), ["add", "auth"]);
    assert_eq!(
        split("db revision -m \"add users\""),
        ["db", "revision", "-m", "add users"]
    );
}
