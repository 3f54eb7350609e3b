#!/usr/bin/env python3
"""Times the generated test suite of SPEC §11's project: auth and 50 crud modules with
five typed fields each (a unique string, a decimal with a bound, an int with a default,
an enum and an optional date).

    python3 scripts/bench_suite.py [--modules 50] [--runs 3] [--binary PATH] [--keep DIR]

Builds target/release/polepos unless --binary is given, generates the project in a
temporary directory (or DIR with --keep), runs `uv sync --extra dev` and the migration,
then times `uv run pytest -q -p no:cacheprovider` in one process and with `-n 2`
(pytest-xdist, one worker per CPU of the 2-core reference machine), alternating the two
(wall time, `uv run` included), and prints the test count with the fastest, median and
slowest run of each. Needs uv on PATH; it uses UV_CACHE_DIR when set.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIELDS = [
    "title:str:unique",
    "price:decimal:min=0",
    "stock:int:default=0:min=0",
    "status:enum=draft,live,retired:default=draft",
    "released_on:date:optional",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="polepos binary (default: build target/release/polepos)")
    parser.add_argument("--modules", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="generate the project in this directory and keep it")
    args = parser.parse_args()
    if not args.binary:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--package", "polepos"], cwd=ROOT, check=True)
    binary = str(Path(args.binary or ROOT / "target" / "release" / "polepos").resolve())
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="polepos-suite-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "shop"

    def run(*argv: str, cwd: Path = project) -> str:
        done = subprocess.run(argv, cwd=cwd, check=True, capture_output=True, text=True)
        return done.stdout

    run(binary, "-q", "start", "shop", cwd=work)
    run(binary, "-q", "add", "auth")
    for n in range(args.modules):
        run(binary, "-q", "add", "module", f"items_{n:02d}", *FIELDS, "--template", "crud")
    run("uv", "sync", "--extra", "dev", "--quiet")
    run(binary, "-q", "db", "revision", "-m", "add tables")
    modes: dict[str, list[float]] = {"uv run pytest": [], "uv run pytest -n 2": []}
    tests = "?"
    for _ in range(args.runs):
        for mode, times in modes.items():
            began = time.perf_counter()
            out = run(*mode.split(), "-q", "-p", "no:cacheprovider")
            times.append(time.perf_counter() - began)
            found = re.search(r"(\d+) passed", out)
            tests = found.group(1) if found else "?"
    print(f"auth and {args.modules} crud modules with {len(FIELDS)} fields each: {tests} tests")
    for mode, times in modes.items():
        print(
            f"{mode}: fastest {min(times):.1f} s, median {statistics.median(times):.1f} s, "
            f"slowest {max(times):.1f} s ({args.runs} runs, {os.cpu_count()} CPUs)"
        )
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main())
