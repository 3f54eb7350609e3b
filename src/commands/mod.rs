//! One file per command; each turns parsed arguments into work done by the library.

pub mod add_auth;
pub mod add_module;
pub mod check;
pub mod completion;
pub mod db;
pub mod delete;
pub mod explain;
pub mod remove;
pub mod start;
pub mod upgrade;
pub mod version;

use std::path::PathBuf;

/// The directory the command runs in.
pub fn current_dir() -> anyhow::Result<PathBuf> {
    std::env::current_dir().map_err(|e| anyhow::anyhow!("cannot read the current directory: {e}"))
}
