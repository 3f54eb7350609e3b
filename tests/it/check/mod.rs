//! `polepos check` and `polepos explain`: every code from a project broken in exactly one
//! way, clean checks of every generated state and of the older tool's layout, `--fix`,
//! the output formats, and robustness against any bytes on disk.

mod clean;
mod codes_features;
mod codes_modules;
mod codes_project;
mod fix;
mod output;
mod robustness;
mod support;
