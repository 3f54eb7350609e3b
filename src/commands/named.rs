//! Every `polepos <command>` that polepos prints or documents exists in this build.
//!
//! Scans the templates (what generated projects say), the README, CONTRIBUTING,
//! BENCHMARKS, the documentation site (`docs/`) and the Rust sources
//! (next steps, hints, remediations and `explain` texts live in string literals there)
//! and checks each mention against the real command tree. Inside code — backtick spans,
//! fenced blocks, YAML — the word after `polepos` must be a command; in running prose
//! ("polepos writes ...") only mentions that start with a command name are checked, and
//! then their subcommand must exist too.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::cli::Cli;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// (text, strict) pieces of one file.
fn segments(path: &Path, text: &str) -> Vec<(String, bool)> {
    let name = path.to_string_lossy();
    let mut out = vec![(text.to_string(), false)];
    // Backtick spans (they may wrap lines); fence lines would upset the pairing.
    let unfenced: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect();
    let parts: Vec<&str> = unfenced.split('`').collect();
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && i + 1 < parts.len() {
            out.push((part.to_string(), true));
        }
    }
    let without_comment = |line: &str| line.split(" #").next().unwrap_or("").to_string();
    if name.ends_with(".md") || name.ends_with(".md.j2") {
        let mut fenced = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            } else if fenced && !line.trim_start().starts_with('#') {
                out.push((without_comment(line), true));
            }
        }
    }
    if name.ends_with(".yml.j2") || name.ends_with(".yaml.j2") {
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            out.push((without_comment(line), true));
        }
    }
    out
}

fn word(token: Option<&str>) -> Option<&str> {
    let token = token?.trim_end_matches(['.', ',', ';', ':', ')', '"', '\'', '\\', '`']);
    let mut chars = token.chars();
    let first = chars.next()?;
    (first.is_ascii_lowercase() && chars.all(|c| c.is_ascii_lowercase() || c == '-'))
        .then_some(token)
}

/// The unknown commands named in `text`, as `polepos <words>`.
fn unknown(text: &str, strict: bool, cli: &clap::Command) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("polepos ") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + "polepos ".len()..];
        rest = after;
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            continue;
        }
        // A mention ends where its code span does: "`polepos db` runs ..." names `db`.
        let mention = after.split('`').next().unwrap_or_default();
        let mut tokens = mention.split_whitespace();
        let Some(first) = word(tokens.next()) else {
            continue;
        };
        let command = cli
            .get_subcommands()
            .find(|c| c.get_name() == first || c.get_all_aliases().any(|a| a == first));
        let Some(command) = command else {
            if strict {
                found.push(format!("polepos {first}"));
            }
            continue;
        };
        if command.get_name() == "help" || !command.has_subcommands() {
            continue;
        }
        let Some(second) = word(tokens.next()) else {
            continue;
        };
        let known = command.get_subcommands().any(|c| c.get_name() == second);
        if !known {
            found.push(format!("polepos {first} {second}"));
        }
    }
    found
}

#[test]
fn every_command_polepos_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![
        root.join("README.md"),
        root.join("CONTRIBUTING.md"),
        root.join("BENCHMARKS.md"),
    ];
    files(&root.join("docs"), &mut paths);
    files(&root.join("templates"), &mut paths);
    files(&root.join("src"), &mut paths);
    let cli = Cli::command();
    let mut problems = Vec::new();
    for path in paths {
        if path.ends_with("named.rs") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (segment, strict) in segments(&path, &text) {
            for mention in unknown(&segment, strict, &cli) {
                problems.push(format!(
                    "{}: `{mention}`",
                    path.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "commands that do not exist:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scan_finds_commands_that_do_not_exist() {
    let cli = Cli::command();
    assert_eq!(
        unknown("run `polepos migrate` first", true, &cli),
        ["polepos migrate"]
    );
    assert_eq!(
        unknown("then polepos db migrate -m x", false, &cli),
        ["polepos db migrate"]
    );
    assert_eq!(
        unknown("polepos writes files; polepos add auth", false, &cli),
        Vec::<String>::new()
    );
    assert_eq!(
        unknown("polepos startproject x; polepos db ...", true, &cli),
        Vec::<String>::new()
    );
}
