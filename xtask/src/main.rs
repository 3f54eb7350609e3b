//! The repository's own tasks, kept out of the shipped polepos binary:
//!
//! - `cargo xtask docs` writes the generated reference pages of the documentation site
//!   (`docs/reference/commands.md` from the clap definition in `src/cli.rs`,
//!   `docs/reference/codes.md` from the table in `src/check/codes.rs`); `cargo xtask docs
//!   --check` exits 1 when the checked-in pages are stale, and a test does the same.
//! - `cargo xtask gen-modules <dir> <count>` adds `count` standard modules to an existing
//!   project, one `add module` after another through the library's own planner, for the
//!   benchmarks (`scripts/bench.py`).
//!
//! (`cargo xtask` is an alias for `cargo run --quiet --package xtask --`.)

mod docs;
mod gen_modules;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask docs [--check]             write docs/reference/ (--check: exit 1 when stale)
  cargo xtask gen-modules <dir> <count>  add <count> standard modules to the project at <dir>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["docs"] => docs::write(&workspace_root()).map(|()| true),
        ["docs", "--check"] => docs::check(&workspace_root()),
        ["gen-modules", dir, count] => match count.parse::<usize>() {
            Ok(count) => gen_modules::add_modules(Path::new(dir), count).map(|()| true),
            Err(_) => {
                eprintln!("error: <count> must be a number, not `{count}`\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ lives inside the repository")
        .to_path_buf()
}
