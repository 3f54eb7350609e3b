#!/usr/bin/env python3
"""Benchmarks polepos against the spec's performance targets, as ratios from one run.

Usage: python3 scripts/bench.py [--binary target/release/polepos] [--runs 30]

Builds the release binary unless --binary is given, then times with hyperfine
(installed with apt-get when missing and running as root):
  * `polepos start` (sqlite) vs `cp -r` of the very tree it generates (target <= 1.5x)
  * `polepos version` (target < 5 ms)
  * `polepos add auth` (target < 20 ms)
  * `polepos add module` in a fresh project, and `add module`, `add auth`,
    `add integration` and `remove module` with 500 modules present (target < 20 ms),
    and `add module --dry-run` there (the same work without writing or flushing)
  * `polepos check` on a project with 1,000 modules, and with 500 to show linear growth
    (target < 150 ms), when the binary has the `check` command: with `--no-cache` (every
    file read and parsed, as on a fresh clone) and with the cache of the previous run
and the peak memory (max RSS) of each command (target < 20 MiB). Each time is the
median of its runs.

The editing commands run on a fresh copy of their project, made and flushed to disk
(`sync`) before each run, so the copy's own write-back does not land in the timing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
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


def time_ms(cmd: str, prepare: str | None, runs: int, cwd: Path) -> float:
    """Median wall time of `cmd` in milliseconds (the median, because a busy host adds
    outliers that would carry a mean)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = [hyperfine(), "-N", "--warmup", "3", "--runs", str(runs), "--export-json", out.name, cmd]
        if prepare:
            args[1:2] = ["--shell", "bash"]
            args += ["--prepare", prepare]
        subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.load(open(out.name))["results"][0]["median"] * 1000


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


def has_command(binary: str, name: str) -> bool:
    return subprocess.run([binary, "help", name], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="polepos binary to measure (default: build target/release/polepos)")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    binary = args.binary
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
        binary = str(ROOT / "target" / "release" / "polepos")
    binary = str(Path(binary).resolve())

    rows: list[tuple[str, str, str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="polepos-bench-") as tmp:
        work = Path(tmp)
        subprocess.run([binary, "-q", "start", "reference"], cwd=work, check=True, stdout=subprocess.DEVNULL)
        start = time_ms(f"{binary} -q start bench-app", "rm -rf bench-app", args.runs, work)
        copy = time_ms("cp -r reference copy", "rm -rf copy", args.runs, work)
        ratio = start / copy
        rows.append(("start (sqlite) vs cp -r", f"{start:.2f} ms vs {copy:.2f} ms = {ratio:.2f}x", "<= 1.5x", ratio <= 1.5))

        version = time_ms(f"{binary} version", None, args.runs, work)
        rows.append(("version", f"{version:.2f} ms", "< 5 ms", version < 5))

        auth_prepare = "rm -rf authed && cp -r reference authed && sync"
        auth = time_ms(f"bash -c 'cd authed && exec {binary} -q add auth'", auth_prepare, args.runs, work)
        shell = time_ms("bash -c 'cd authed && exec true'", auth_prepare, args.runs, work)
        auth_net = max(auth - shell, 0.0)
        rows.append(("add auth", f"{auth_net:.2f} ms (bash wrapper subtracted)", "< 20 ms", auth_net < 20))

        module_prepare = "rm -rf moduled && cp -r reference moduled && sync"
        module = time_ms(
            f"bash -c 'cd moduled && exec {binary} -q add module orders --template crud --pagination'",
            module_prepare,
            args.runs,
            work,
        )
        module_net = max(module - shell, 0.0)
        rows.append(("add module (crud)", f"{module_net:.2f} ms (bash wrapper subtracted)", "< 20 ms", module_net < 20))

        memory = {
            "start": peak_rss_mib([binary, "-q", "start", "mem-app"], work),
            "version": peak_rss_mib([binary, "version"], work),
        }
        subprocess.run(["cp", "-r", "reference", "mem-auth"], cwd=work, check=True)
        memory["add auth"] = peak_rss_mib([binary, "-q", "add", "auth"], work / "mem-auth")

        if has_command(binary, "check"):
            cold, warm = {}, {}
            for count in (500, 1000):
                project = work / f"big{count}"
                subprocess.run([binary, "-q", "start", project.name], cwd=work, check=True, stdout=subprocess.DEVNULL)
                gen = [sys.executable, str(ROOT / "scripts" / "gen_modules.py"), str(project), str(count)]
                subprocess.run(gen, check=True)
                # Files changed within the last second are never cached; let them age.
                time.sleep(1.2)
                cold[count] = time_ms(f"bash -c 'cd {project} && exec {binary} check --no-cache >/dev/null'", None, args.runs, work)
                # The first cached run fills .polepos_cache/; the warmup runs cover it.
                warm[count] = time_ms(f"bash -c 'cd {project} && exec {binary} check >/dev/null'", None, args.runs, work)
            for label, sizes in (("no cache: first run, fresh clone", cold), ("cache of the previous run", warm)):
                growth = sizes[1000] / sizes[500]
                rows.append(
                    (
                        f"check, 1,000 modules ({label})",
                        f"{sizes[1000]:.1f} ms (500: {sizes[500]:.1f} ms, x{growth:.2f})",
                        "< 150 ms",
                        sizes[1000] < 150,
                    )
                )
            memory["check (1,000 modules, no cache)"] = peak_rss_mib([binary, "check", "--no-cache"], work / "big1000")
            memory["check (1,000 modules)"] = peak_rss_mib([binary, "check"], work / "big1000")
            # The editing commands in a project that already has 500 modules.
            big_prepare = "rm -rf big500-copy && cp -r big500 big500-copy && sync"
            big_shell = time_ms("bash -c 'cd big500-copy && exec true'", big_prepare, args.runs, work)
            add_orders = "add module orders --template crud --pagination"
            edits = [
                ("add module", add_orders, big_prepare),
                ("add auth", "add auth", big_prepare),
                ("add integration", "add integration redis", big_prepare),
                ("remove module", "remove module orders", f"{big_prepare} && (cd big500-copy && {binary} -q {add_orders})"),
            ]
            for label, command, prepare in edits:
                took = time_ms(f"bash -c 'cd big500-copy && exec {binary} -q {command}'", prepare, args.runs, work)
                net = max(took - big_shell, 0.0)
                rows.append((f"{label}, 500 modules present", f"{net:.2f} ms", "< 20 ms", net < 20))
            # The same plan without the writes and their flush to disk, whose cost is
            # the disk's: what polepos itself spends.
            took = time_ms(f"bash -c 'cd big500-copy && exec {binary} -q {add_orders} --dry-run'", big_prepare, args.runs, work)
            net = max(took - big_shell, 0.0)
            rows.append(("add module --dry-run, 500 modules present", f"{net:.2f} ms", "< 20 ms", net < 20))
            subprocess.run(["cp", "-r", "big500", "mem-module"], cwd=work, check=True)
            memory["add module (500 modules)"] = peak_rss_mib(
                [binary, "-q", "add", "module", "orders", "--template", "crud"], work / "mem-module"
            )

        peak = max(memory.values())
        detail = ", ".join(f"{k} {v:.1f}" for k, v in memory.items())
        rows.append(("peak memory (MiB)", detail, "< 20 MiB", peak < 20))

    width = max(len(r[0]) for r in rows)
    print(f"polepos benchmark ({binary})")
    for name, value, target, ok in rows:
        print(f"  {name:<{width}}  {value}  [target {target}: {'ok' if ok else 'MISSED'}]")


if __name__ == "__main__":
    main()
