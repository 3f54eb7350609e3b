#!/usr/bin/env bash
# Builds the polepos wheel with maturin and proves it works on its own: installs it
# offline (pip --no-index into a fresh virtual environment, and `uv tool install` /
# `uvx` with no index) and runs polepos's commands from there.
#
# Installs maturin with pip when it is missing. Prints one line per check and closes with
# `wheel: N passed, N failed`; exits 1 when a check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; printf 'wheel: 0 passed, 1 failed\n'; exit 1; }

command -v python3 >/dev/null || die "python3 is required"
command -v uv >/dev/null || die "uv is required (pip install uv)"

if ! command -v maturin >/dev/null; then
  say "installing maturin with pip"
  python3 -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2" || die "cannot install maturin with pip"
  scripts_dir=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
  export PATH="$scripts_dir:$HOME/.local/bin:$PATH"
  command -v maturin >/dev/null || die "maturin was installed but is not on PATH"
fi

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || die "cannot read the package version from Cargo.toml"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/polepos-wheel.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

# The wheel shares cargo's target directory (target/release, also used by
# scripts/bench.py), so a second build only relinks what changed.
say "maturin build --release"
started=$(date +%s)
maturin build --release --locked --quiet --out "$tmp/dist" >&2 || die "maturin build failed"
say "wheel built in $(($(date +%s) - started)) s"
wheels=("$tmp"/dist/polepos-"$version"-*.whl)
[ -f "${wheels[0]}" ] && [ "${#wheels[@]}" = 1 ] || die "expected one polepos-$version wheel in $tmp/dist, found: $(ls "$tmp/dist")"
wheel=${wheels[0]}
say "$(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

passed=0
failed=0
out="$tmp/out"
# check NAME COMMAND...: runs COMMAND with its output captured; shows the output on failure.
check() {
  local name=$1
  shift
  if "$@" >"$out" 2>&1; then
    printf 'ok   %s\n' "$name"
    passed=$((passed + 1))
  else
    printf 'FAIL %s\n' "$name"
    sed 's/^/     | /' "$out"
    failed=$((failed + 1))
  fi
}
# expect_output NAME EXPECTED COMMAND...: COMMAND succeeds and prints exactly EXPECTED.
expect_output() {
  local name=$1 expected=$2
  shift 2
  check "$name" bash -c 'got=$("${@:2}") || exit 1; [ "$got" = "$1" ] || { printf "expected \"%s\", got \"%s\"\n" "$1" "$got"; exit 1; }' _ "$expected" "$@"
}

check "wheel holds the polepos and poleposition binaries, their metadata and nothing else" \
  python3 - "$wheel" "$version" <<'PY'
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
data, info = f"polepos-{version}.data/", f"polepos-{version}.dist-info/"
stray = [n for n in names if not n.startswith((data, info))]
assert not stray, f"unexpected files in the wheel: {stray}"
assert f"{data}scripts/polepos" in names, f"no polepos binary in {names}"
scripts = sorted(n for n in names if n.startswith(data))
assert scripts == [f"{data}scripts/polepos", f"{data}scripts/poleposition"], names
meta = zipfile.ZipFile(wheel).read(f"{info}METADATA").decode()
for line in ("Name: polepos", f"Version: {version}", "License-Expression: MIT", "Requires-Python: >=3.8"):
    assert line in meta.splitlines(), f"METADATA lacks {line!r}"
PY

# 1. pip, offline, into a fresh virtual environment: only the wheel, no index.
venv="$tmp/venv"
check "python3 -m venv" python3 -m venv "$venv"
check "pip install --no-index <wheel>" \
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
# Everything below runs with the virtual environment first on PATH, as after `activate`.
export PATH="$venv/bin:$PATH"
check "polepos on PATH is the virtual environment's" \
  bash -c '[ "$(command -v polepos)" = "$1/bin/polepos" ] || { command -v polepos; exit 1; }' _ "$venv"
expect_output "polepos version prints the Cargo version" "polepos $version" polepos version
expect_output "polepos --version prints the Cargo version" "polepos $version" polepos --version
expect_output "poleposition (the older tool's command name) is the same program" "polepos $version" poleposition version

work="$tmp/work"
mkdir -p "$work"
check "polepos start proj" bash -c 'cd "$1" && polepos start proj && test -f proj/.poleposition.toml' _ "$work"
check "polepos check (fresh project)" bash -c 'cd "$1/proj" && polepos check' _ "$work"
check "polepos add auth" bash -c 'cd "$1/proj" && polepos add auth && test -f src/proj/auth/router.py' _ "$work"
check "polepos check --json (with auth)" \
  bash -c 'cd "$1/proj" && polepos check --json | grep -q "\"passed\": true"' _ "$work"
check "polepos explain PPCHK021" bash -c 'polepos explain PPCHK021 | grep -q PPCHK021'
check "polepos help add auth" bash -c 'polepos help add auth | grep -q "polepos add auth"'
check "polepos completion bash" bash -c 'polepos completion bash | grep -q polepos'
# polepos db drives the project's Alembic through uv.
check "uv sync + polepos db upgrade + polepos db check" \
  bash -c 'cd "$1/proj" && uv sync --quiet --extra dev && polepos db revision -m "auth users" && polepos db upgrade && polepos db check' _ "$work"
check "polepos add module + remove module restore the tree" \
  bash -c 'cd "$1/proj" && cp -a . ../proj-before && polepos add module orders --template crud --pagination \
           && polepos check && polepos remove module orders && diff -r --exclude=.venv --exclude=*.db --exclude=__pycache__ ../proj-before .' _ "$work"
check "polepos add integration + remove integration restore the tree" \
  bash -c 'cd "$1/proj" && rm -rf ../proj-before-int && cp -a . ../proj-before-int && polepos add integration redis \
           && polepos check && polepos remove integration redis && diff -r --exclude=.venv --exclude=*.db --exclude=__pycache__ ../proj-before-int .' _ "$work"
check "polepos upgrade --json" \
  bash -c 'cd "$1/proj" && polepos upgrade --json | grep -q "\"schema_version\": 1"' _ "$work"
check "polepos delete --dry-run, then --force" \
  bash -c 'cd "$1" && polepos start doomed && polepos delete doomed --dry-run | grep -q "Would delete" && polepos delete doomed --force && test ! -e doomed' _ "$work"
# The CI recipe of the README: a broken project fails with a GitHub annotation.
check "polepos check --format github reports a removed marker and exits 1" \
  bash -c 'cd "$1/proj" && sed -i "/# polepos:router-includes/d" src/proj/api/router.py
           status=0; polepos check --format github >../github.txt || status=$?
           cat ../github.txt; [ "$status" = 1 ] && grep -q "^::error file=src/proj/api/router.py.*PPCHK021" ../github.txt' _ "$work"

# 2. uv tool install and uvx, offline, from the local wheel.
export UV_TOOL_DIR="$tmp/uv-tools" UV_TOOL_BIN_DIR="$tmp/uv-bin"
check "uv tool install --offline <wheel>" uv tool install --quiet --offline --no-index "$wheel"
expect_output "uv tool's polepos version" "polepos $version" "$UV_TOOL_BIN_DIR/polepos" version
check "uv tool's polepos start + check" \
  bash -c 'cd "$1" && "$2/polepos" start uvproj && cd uvproj && "$2/polepos" check' _ "$work" "$UV_TOOL_BIN_DIR"
expect_output "uvx --offline --from <wheel> polepos version" "polepos $version" \
  uvx --quiet --offline --no-index --from "$wheel" polepos version

printf 'wheel: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
