#!/usr/bin/env python3
"""Requests per second of a generated crud module against a hand-written FastAPI app.

Usage: python3 scripts/bench_throughput.py [--binary target/release/polepos]
           [--db sqlite postgres] [--rounds 3] [--duration 10] [--connections 8]

For each database (SQLite, and PostgreSQL on a throw-away cluster):
  * generates a project with `polepos start`, adds `polepos add module items --template
    crud`, installs it with `uv sync --extra dev` and applies its migrations with
    `polepos db revision` and `polepos db upgrade`;
  * serves, from that project's virtual environment, either the generated app or
    `benchmarks/throughput/handwritten.py` (a minimal FastAPI + SQLAlchemy app doing the
    same list and create queries on the same table), each under uvicorn with one worker
    on 127.0.0.1, on a port picked at runtime, with the same options and no access log;
  * loads it with wrk on 127.0.0.1: `GET /api/v1/items` (200 rows, re-seeded before every
    run) and `POST /api/v1/items` (a Lua script sends the JSON body), after a warm-up;
  * alternates the two apps and repeats for --rounds, then prints requests per second,
    min–max over the rounds, and the generated app's ratio to the hand-written one
    (the min–max of the per-round ratios).

The generated app runs production-shaped (`APP_ENV=production`): request IDs, the body
limit, CORS, security headers, error handlers and logging are all on.

wrk and the PostgreSQL server binaries are installed with apt-get when absent and
running as root. Every process started here is stopped here, by its PID; no traffic
leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDWRITTEN_DIR = ROOT / "benchmarks" / "throughput"
PACKAGE = "benchapp"
PATH = "/api/v1/items"
SEED_ROWS = 200
WARMUP_SECONDS = 2

POST_LUA = """\
wrk.method = "POST"
wrk.body = '{"name": "benchmark item"}'
wrk.headers["Content-Type"] = "application/json"
"""

SEED_PY = """\
import os, sys
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["DATABASE_URL"])
with engine.begin() as connection:
    connection.execute(text("DELETE FROM items"))
    connection.execute(
        text("INSERT INTO items (name) VALUES (:name)"),
        [{"name": f"item {i}"} for i in range(int(sys.argv[1]))],
    )
engine.dispose()
"""


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def apt_install(package: str) -> None:
    if os.geteuid() != 0:
        sys.exit(f"error: {package} is required (apt-get install {package}, as root)")
    say(f"installing {package} with apt-get")
    # Keep a server package from starting its own service: this script starts its own.
    policy = Path("/usr/sbin/policy-rc.d")
    created = not policy.exists()
    if created:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env, stdout=subprocess.DEVNULL)
    finally:
        if created:
            policy.unlink()


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        apt_install("wrk")
        found = shutil.which("wrk")
    if not found:
        sys.exit("error: wrk was installed but is not on PATH")
    return found


def uv_binary() -> str:
    found = shutil.which("uv")
    if not found:
        sys.exit("error: uv is required (python3 -m pip install uv)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"error: the server exited early:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"error: the server did not start:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the PID, then SIGKILL to it if it has not exited within 10 s."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def initdb_binaries() -> list[Path]:
    """initdb of every installed PostgreSQL major version, oldest first."""
    return sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))


class Postgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (owned by `postgres` when root)."""

    def __init__(self) -> None:
        if not initdb_binaries():
            apt_install("postgresql")
        found = initdb_binaries()
        if not found:
            sys.exit("error: postgresql was installed but initdb was not found")
        self.bin = found[-1].parent
        # Its own directory: the `postgres` user cannot enter the root-only work directory.
        self.dir = Path(tempfile.mkdtemp(prefix="polepos-throughput-pg-"))
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            subprocess.run(["chown", "-R", "postgres:postgres", str(self.dir)], check=True)
        self.port = free_port()
        self.data = self.dir / "data"
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        log = self.dir / "server.log"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def create_database(self, name: str) -> str:
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """`pg_ctl stop`, then SIGKILL to the postmaster's PID if it is still there."""
        try:
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return
        os.kill(self.pid, signal.SIGKILL)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def generate_project(binary: str, work: Path, db: str, env: dict[str, str]) -> Path:
    say(f"generating the {db} project")
    subprocess.run([binary, "-q", "start", PACKAGE, "--db", db], cwd=work, check=True, env=env)
    root = work / PACKAGE
    subprocess.run([binary, "-q", "add", "module", "items", "--template", "crud"], cwd=root, check=True, env=env)
    subprocess.run([uv_binary(), "sync", "--quiet", "--extra", "dev"], cwd=root, check=True, env=env)
    for command in (["db", "revision", "-m", "items"], ["db", "upgrade"]):
        subprocess.run([binary, "-q", *command], cwd=root, check=True, env=env, capture_output=True)
    return root


@contextmanager
def serve(root: Path, app: str, env: dict[str, str], log: Path) -> Iterator[int]:
    """Run `app` under uvicorn (one worker, 127.0.0.1, a free port) for the block."""
    port = free_port()
    command = [
        str(root / ".venv" / "bin" / "python"), "-m", "uvicorn", app,
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--no-access-log", "--log-level", "warning",
    ]
    if app.startswith("handwritten:"):
        command += ["--app-dir", str(HANDWRITTEN_DIR)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    try:
        wait_for_port(port, process, log)
        yield port
    finally:
        stop(process)


def load(port: int, seconds: int, connections: int, lua: Path | None) -> float:
    """Requests per second wrk measured; exits on socket errors or non-2xx answers."""
    command = [wrk_binary(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if lua is not None:
        command += ["-s", str(lua)]
    command.append(f"http://127.0.0.1:{port}{PATH}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"error: wrk saw failed requests:\n{output}")
    found = re.search(r"Requests/sec:\s*([0-9.]+)", output)
    if not found:
        sys.exit(f"error: no Requests/sec in wrk's output:\n{output}")
    return float(found.group(1))


def seed(root: Path, env: dict[str, str]) -> None:
    python = str(root / ".venv" / "bin" / "python")
    subprocess.run([python, "-c", SEED_PY, str(SEED_ROWS)], cwd=root, check=True, env=env)


def spread(values: list[float], digits: int = 0) -> str:
    return f"{min(values):.{digits}f}–{max(values):.{digits}f}"


def bench_database(binary: str, work: Path, db: str, args: argparse.Namespace) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    postgres = None
    try:
        if db == "postgres":
            postgres = Postgres()
            env["DATABASE_URL"] = postgres.create_database(PACKAGE)
        root = generate_project(binary, work, db, env)
        if db == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{root / (PACKAGE + '.db')}"
        app_env = {**env, "APP_ENV": "production", "APP_RELOAD": "false"}
        lua = work / "post.lua"
        lua.write_text(POST_LUA)
        apps = {"generated": f"{PACKAGE}.main:app", "hand-written": "handwritten:app"}
        figures: dict[tuple[str, str], list[float]] = {}
        for round_index in range(args.rounds):
            order = list(apps) if round_index % 2 == 0 else list(reversed(apps))
            for name in order:
                seed(root, env)
                with serve(root, apps[name], app_env, work / f"{db}-{name}.log") as port:
                    for endpoint, script in (("list", None), ("create", lua)):
                        load(port, WARMUP_SECONDS, args.connections, script)
                        rps = load(port, args.duration, args.connections, script)
                        figures.setdefault((name, endpoint), []).append(rps)
                        say(f"{db} round {round_index + 1} {name} {endpoint}: {rps:.0f} req/s")
        lines = []
        for endpoint in ("list", "create"):
            generated = figures[("generated", endpoint)]
            hand = figures[("hand-written", endpoint)]
            ratios = [g / h for g, h in zip(generated, hand, strict=True)]
            lines.append(
                f"| {db} | {endpoint} | {spread(generated)} | {spread(hand)} | {spread(ratios, 2)}× |"
            )
        return lines
    finally:
        if postgres is not None:
            postgres.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="polepos binary (default: build target/release/polepos)")
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured run")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (and print it)")
    args = parser.parse_args()

    binary = args.binary
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
        binary = str(ROOT / "target" / "release" / "polepos")
    binary = str(Path(binary).resolve())
    wrk_binary()

    work = Path(tempfile.mkdtemp(prefix="polepos-throughput-"))
    try:
        rows = []
        for db in args.db:
            (work / db).mkdir()
            rows += bench_database(binary, work / db, db, args)
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(
        f"requests/s, one uvicorn worker, wrk -t1 -c{args.connections}, {args.duration} s runs, "
        f"{args.rounds} rounds (min–max), {SEED_ROWS} rows listed"
    )
    print("| database | endpoint | generated | hand-written | generated / hand-written |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
