#!/usr/bin/env python3
"""Benchmarks polepos against SPEC §11's performance targets, side by side in one run.

Usage: python3 scripts/bench.py [--binary target/release/polepos] [--runs 20]

Builds the release binaries (polepos, and the xtask that grows the large projects)
unless --binary is given, then times with hyperfine (installed with apt-get when missing
and running as root) and reports the fastest and the median of each command's runs:
  * `polepos start` (sqlite) vs `cp -r` of the very tree it generates (target <= 1.5x)
  * `polepos version` (target < 5 ms)
  * every mutating command in a project with 0, 200 and 500 modules: `add module`
    (also with 10 typed fields), `add field`, `remove field`,
    `add auth`, `add integration`, `remove module`, `remove integration` (target < 100 ms
    at 500 modules), and `add module --dry-run` (the same plan without writing)
  * `polepos check` on projects with 100 and 1,000 modules vs `cat` of their Python files
    (target <= 1.5x) and vs `ruff check --select E9 --no-cache` (target <= 1x; ruff is
    installed with pip when missing). `check` keeps no cache: every run reads and parses
    every file.
and the peak memory (max RSS, GNU time) of each command (target < 20 MiB).

The large projects are grown by `cargo xtask gen-modules`, which adds standard modules
one `add module` at a time through polepos's own planner. The editing commands run on a
fresh copy of their project, made and flushed to disk (`sync`) before each run, so the
copy's own write-back does not land in the timing; the time of the `bash -c 'cd ...'`
wrapper they run in is measured alone and subtracted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hyperfine() -> str:
    found = shutil.which("hyperfine")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "hyperfine"], check=True, stdout=subprocess.DEVNULL)
        found = shutil.which("hyperfine")
    if not found:
        sys.exit("error: hyperfine is required (apt-get install hyperfine)")
    return found


def ruff() -> str:
    found = shutil.which("ruff")
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "ruff"], check=True)
        scripts = Path(subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"],
                                      check=True, capture_output=True, text=True).stdout.strip())
        found = shutil.which("ruff") or (str(scripts / "ruff") if (scripts / "ruff").exists() else None)
    if not found:
        sys.exit("error: ruff is required (pip install ruff)")
    return found


class Timing:
    """Fastest and median wall time of a command's runs, in milliseconds (the median,
    because a busy host adds outliers that would carry a mean; the fastest, because it is
    the closest to the command's own cost)."""

    def __init__(self, low: float, median: float) -> None:
        self.low, self.median = low, median

    def minus(self, other: Timing) -> Timing:
        return Timing(max(self.low - other.low, 0.0), max(self.median - other.median, 0.0))

    def __str__(self) -> str:
        return f"{self.low:.1f} / {self.median:.1f} ms"


def measure(cmd: str, prepare: str | None, runs: int, cwd: Path) -> Timing:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = [hyperfine(), "-N", "--warmup", "3", "--runs", str(runs), "--export-json", out.name, cmd]
        if prepare:
            args[1:2] = ["--shell", "bash"]
            args += ["--prepare", prepare]
        subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = json.load(open(out.name))["results"][0]
        return Timing(result["min"] * 1000, result["median"] * 1000)


def gnu_time() -> str:
    """GNU time, whose own footprint is tiny (a Python fork would inflate max RSS)."""
    if not Path("/usr/bin/time").exists():
        if os.geteuid() != 0:
            sys.exit("error: GNU time is required (apt-get install time)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "time"], check=True, stdout=subprocess.DEVNULL)
    return "/usr/bin/time"


def peak_rss_mib(argv: list[str], cwd: Path) -> float:
    """Max RSS of one run of argv, in MiB."""
    out = subprocess.run(
        [gnu_time(), "-f", "%M", *argv], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="polepos binary to measure (default: build target/release/polepos)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    build = ["cargo", "build", "--release", "--locked", "--quiet", "--package", "xtask"]
    if not args.binary:
        build += ["--package", "polepos"]
    subprocess.run(build, cwd=ROOT, check=True)
    binary = str(Path(args.binary or ROOT / "target" / "release" / "polepos").resolve())
    xtask = str(ROOT / "target" / "release" / "xtask")
    runs = args.runs
    ruff_bin = ruff()

    rows: list[tuple[str, str, str, bool]] = []
    memory: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="polepos-bench-") as tmp:
        work = Path(tmp)

        def sh(cmd: str, cwd: Path = work) -> None:
            subprocess.run(cmd, shell=True, cwd=cwd, check=True, stdout=subprocess.DEVNULL)

        sh(f"{binary} -q start reference")
        start = measure(f"{binary} -q start bench-app", "rm -rf bench-app", runs, work)
        copy = measure("cp -r reference copy", "rm -rf copy", runs, work)
        ratio = start.median / copy.median
        rows.append(("start (sqlite) vs cp -r", f"{start} vs {copy}: {ratio:.2f}x (medians)", "<= 1.5x", ratio <= 1.5))
        memory["start"] = peak_rss_mib([binary, "-q", "start", "mem-app"], work)

        version = measure(f"{binary} version", None, runs, work)
        rows.append(("version", str(version), "< 5 ms", version.median < 5))
        memory["version"] = peak_rss_mib([binary, "version"], work)

        # Projects with 100, 200, 500 and 1,000 modules, each grown from a copy of the last.
        sh("cp -r reference m0")
        previous, had = "m0", 0
        for count in (100, 200, 500, 1000):
            sh(f"cp -r {previous} m{count}")
            subprocess.run([xtask, "gen-modules", str(work / f"m{count}"), str(count - had)], check=True)
            previous, had = f"m{count}", count
        sh("sync")

        add_orders = "add module orders --template crud --pagination"
        typed = (
            "add module catalog name:str:unique price:decimal:min=0 stock:int:default=0 "
            "active:bool:default=true released_on:date:optional seen_at:datetime:optional "
            "sku:uuid:unique attributes:json:optional status:enum=draft,live:default=draft "
            "notes:text:optional --template crud --pagination"
        )
        edits = [
            ("add module", add_orders, ""),
            ("add module with 10 fields", typed, ""),
            ("add field", "add field catalog weight:float:optional rank:int:default=0", f"{binary} -q {typed}"),
            ("remove field", "remove field catalog notes", f"{binary} -q {typed}"),
            ("add module --dry-run", f"{add_orders} --dry-run", ""),
            ("add auth", "add auth", ""),
            ("add integration", "add integration redis", ""),
            ("remove module", "remove module orders", f"{binary} -q {add_orders}"),
            ("remove integration", "remove integration redis", f"{binary} -q add integration redis"),
        ]
        for count in (0, 200, 500):
            prepare = f"rm -rf edit && cp -r m{count} edit && sync"
            shell = measure("bash -c 'cd edit && exec true'", prepare, runs, work)
            for label, command, setup in edits:
                full_prepare = f"{prepare} && (cd edit && {setup}) && sync" if setup else prepare
                took = measure(f"bash -c 'cd edit && exec {binary} -q {command}'", full_prepare, runs, work).minus(shell)
                target, ok = ("< 100 ms", took.median < 100) if count == 500 else ("", True)
                rows.append((f"{label}, {count} modules", str(took), target, ok))
        for label, argv, setup in [
            ("add module (500 modules)", [binary, "-q", *add_orders.split()], None),
            ("add auth (500 modules)", [binary, "-q", "add", "auth"], None),
            ("remove module (500 modules)", [binary, "-q", "remove", "module", "orders"], add_orders),
        ]:
            sh("rm -rf mem && cp -r m500 mem")
            if setup:
                sh(f"{binary} -q {setup}", work / "mem")
            memory[label] = peak_rss_mib(argv, work / "mem")

        checks: dict[int, Timing] = {}
        for count in (100, 1000):
            project = work / f"m{count}"
            files = sorted(p for d in ("src", "tests", "migrations") for p in (project / d).rglob("*.py"))
            (work / f"files{count}").write_bytes(b"\0".join(bytes(p.relative_to(project)) for p in files))
            check = measure(f"{binary} check", None, runs, project)
            cat = measure(f"xargs -0 -a {work / f'files{count}'} cat", None, runs, project)
            ruff_e9 = measure(f"{ruff_bin} check --select E9 --no-cache --quiet .", None, runs, project)
            checks[count] = check
            vs_cat, vs_ruff = check.median / cat.median, check.median / ruff_e9.median
            size = sum(p.stat().st_size for p in files) / 1e6
            rows.append((f"check, {count} modules ({len(files)} files, {size:.1f} MB)", str(check), "", True))
            target_cat, target_ruff = ("<= 1.5x", "<= 1x") if count == 1000 else ("", "")
            rows.append((f"  vs cat of its Python files", f"{cat}: {vs_cat:.2f}x", target_cat, count != 1000 or vs_cat <= 1.5))
            rows.append((f"  vs ruff check --select E9", f"{ruff_e9}: {vs_ruff:.2f}x", target_ruff, count != 1000 or vs_ruff <= 1.0))
        growth = checks[1000].median / checks[100].median
        rows.append(("check growth, 100 to 1,000 modules", f"{growth:.1f}x for 10x the modules", "", True))
        memory["check (1,000 modules)"] = peak_rss_mib([binary, "check"], work / "m1000")
        memory["check (100 modules)"] = peak_rss_mib([binary, "check"], work / "m100")

    peak = max(memory.values())
    detail = ", ".join(f"{k} {v:.1f}" for k, v in memory.items())
    rows.append(("peak memory (MiB)", detail, "< 20 MiB", peak < 20))

    print(f"polepos benchmark ({binary}); times are fastest / median of {runs} runs")
    print()
    print("| measurement | figure | target |")
    print("|---|---|---|")
    for name, value, target, ok in rows:
        verdict = f"{target}: {'ok' if ok else 'MISSED'}" if target else ""
        print(f"| {name} | {value} | {verdict} |")


if __name__ == "__main__":
    main()
