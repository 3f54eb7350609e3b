#!/usr/bin/env bash
# Runs every polepos test: formatting, clippy, the documentation site (`mkdocs build
# --strict`), unit, snapshot, CLI and end-to-end tests of the whole workspace (generated
# projects with uv, pytest, ruff, mypy; the auth flow on SQLite and on a real PostgreSQL
# server; uvicorn driven over HTTP on 127.0.0.1; xtask's test that the generated
# reference pages are current), then the wheel: built with maturin, installed offline
# into a fresh virtual environment and run from there (scripts/test_wheel.sh).
#
# Installs what is missing: uv and maturin with pip; mkdocs-material with pip into a
# virtual environment of its own under the user's cache directory; PostgreSQL, Redis and RabbitMQ
# server binaries with apt-get (as root, without starting their services); the tansu
# Kafka-protocol broker with cargo install. Fails, never skips, when a prerequisite
# cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 (3.11+) is required"
command -v cargo >/dev/null || die "cargo is required (see rust-toolchain.toml)"

# uv: from PyPI with pip when absent.
if ! command -v uv >/dev/null; then
  say "installing uv with pip"
  python3 -m pip install --quiet --disable-pip-version-check uv || die "cannot install uv with pip"
  scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
  export PATH="$scripts_dir:$HOME/.local/bin:$PATH"
  command -v uv >/dev/null || die "uv was installed but is not on PATH"
fi

# PostgreSQL server binaries (initdb, pg_ctl): from Debian's packages when absent.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries are missing; install the 'postgresql' package (needs root)"
  say "installing PostgreSQL with apt-get"
  # Keep the package from starting its own cluster: the tests start and stop their own.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1; fi
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || die "cannot install postgresql"
  if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || die "postgresql installed but initdb was not found"
fi
id postgres >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || die "the 'postgres' system user is missing (install the postgresql package)"

# Redis and RabbitMQ servers for the integrations' broker tests: from Debian's packages
# when absent, without starting their system services (the tests start private servers).
missing_packages=()
command -v redis-server >/dev/null || missing_packages+=(redis-server)
[ -x /usr/sbin/rabbitmq-server ] || command -v rabbitmq-server >/dev/null || missing_packages+=(rabbitmq-server)
if [ "${#missing_packages[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing_packages[*]}; install them with apt-get (needs root)"
  say "installing ${missing_packages[*]} with apt-get"
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1; fi
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_packages[@]}" >/dev/null || die "cannot install ${missing_packages[*]}"
  if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
fi
command -v redis-server >/dev/null || die "redis-server was installed but is not on PATH"

# A Kafka-protocol broker for the kafka integration: Debian has no Kafka, so tansu from
# crates.io, built once per machine (a cold build takes 25 minutes or more on 2 cores)
# into the user's cache directory, outside the clone, so every later clone reuses it.
# POLEPOS_TANSU names another build; a `tansu` on PATH is used as it is.
if [ -z "${POLEPOS_TANSU:-}" ]; then
  if command -v tansu >/dev/null; then
    POLEPOS_TANSU=$(command -v tansu)
  else
    tansu_root="${XDG_CACHE_HOME:-$HOME/.cache}/polepos/tansu-0.6.0"
    POLEPOS_TANSU="$tansu_root/bin/tansu"
    if [ ! -x "$POLEPOS_TANSU" ]; then
      say "building the tansu Kafka-protocol broker (cargo install, once; about 25 minutes)"
      cargo install --quiet --locked tansu --version 0.6.0 --features dynostore --root "$tansu_root" \
        || die "cannot build tansu (the Kafka-protocol broker the kafka broker tests need)"
    fi
  fi
fi
[ -x "$POLEPOS_TANSU" ] || die "POLEPOS_TANSU=$POLEPOS_TANSU is not an executable tansu broker"
export POLEPOS_TANSU

# One uv cache for every generated project of the run.
export UV_CACHE_DIR="${UV_CACHE_DIR:-$PWD/target/uv-cache}"
export UV_LINK_MODE=copy
# Generated projects must not pick up a virtualenv from the environment.
unset VIRTUAL_ENV

say "cargo fmt --check"
cargo fmt --all --check
say "cargo clippy"
cargo clippy --locked --workspace --all-targets --features e2e -- -D warnings

# The documentation site: mkdocs-material from PyPI, in a virtual environment of its own
# under the user's cache directory (outside the clone, reused by every later run and
# clone), built into a temporary directory; --strict turns every warning (a broken link
# or anchor, a page missing from the navigation) into a failure.
docs_venv="${XDG_CACHE_HOME:-$HOME/.cache}/polepos/mkdocs-material-9"
if [ ! -x "$docs_venv/bin/mkdocs" ]; then
  say "installing mkdocs-material with pip into $docs_venv"
  python3 -m venv "$docs_venv" || die "cannot create a virtual environment for mkdocs"
  "$docs_venv/bin/python" -m pip install --quiet --disable-pip-version-check "mkdocs-material>=9.5,<10" \
    || die "cannot install mkdocs-material with pip"
fi
say "mkdocs build --strict"
site=$(mktemp -d "${TMPDIR:-/tmp}/polepos-site.XXXXXX") || die "cannot create a temporary directory"
NO_MKDOCS_2_WARNING=1 "$docs_venv/bin/mkdocs" build --strict --quiet --site-dir "$site" || { rm -rf "$site"; die "mkdocs build --strict failed"; }
rm -rf "$site"
say "cargo test (unit, snapshot, CLI and end-to-end tests, xtask)"
log=target/test-output.log
mkdir -p target
POLEPOS_FUZZ_SCALE="${POLEPOS_FUZZ_SCALE:-2}" cargo test --locked --workspace --features e2e -- --test-threads="${POLEPOS_TEST_THREADS:-2}" 2>&1 | tee "$log"
# After the cargo tests, so that their failures are reported first.
say "wheel (maturin build, offline install into a fresh virtual environment, polepos run from it)"
wheel_log=target/test-wheel.log
wheel_status=0
bash scripts/test_wheel.sh 2>&1 | tee "$wheel_log" || wheel_status=$?
# One closing line for the whole run, summed over every test binary and the wheel checks.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^wheel: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 }
     END { printf "total: %d passed, %d failed\n", p, f }' "$log" "$wheel_log"
exit "$wheel_status"
