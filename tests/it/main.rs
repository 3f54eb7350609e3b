//! The integration tests, as one test binary (one link instead of one per file): the
//! CLI run as users run it, snapshot tests of generated files and output, in/out cases
//! kept as data under `tests/cases/`, `check` per code, and — with the `e2e` feature —
//! the end-to-end tests against real uv, Alembic, PostgreSQL, brokers and HTTP.

mod common;

mod add_auth;
mod add_integration;
mod add_module;
mod auth_extensions;
mod cases;
mod check;
mod cli;
mod delete;
#[cfg(feature = "e2e")]
mod e2e_ai_prompt;
#[cfg(feature = "e2e")]
mod e2e_auth;
#[cfg(feature = "e2e")]
mod e2e_auth_extensions;
#[cfg(feature = "e2e")]
mod e2e_brokers_smoke;
#[cfg(feature = "e2e")]
mod e2e_fields;
#[cfg(feature = "e2e")]
mod e2e_integrations;
#[cfg(feature = "e2e")]
mod e2e_legacy;
#[cfg(feature = "e2e")]
mod e2e_modules;
#[cfg(feature = "e2e")]
mod e2e_redis_smoke;
#[cfg(feature = "e2e")]
mod e2e_start;
mod fields;
mod first_run;
mod remove_module;
mod templates;
mod upgrade;
