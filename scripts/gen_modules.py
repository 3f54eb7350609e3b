#!/usr/bin/env python3
"""Adds N standard modules (with all their wiring) to an existing polepos project.

Usage: python3 scripts/gen_modules.py <project-dir> <count>

Used by scripts/bench.py to build the 1,000-module project that `polepos check` is
measured on. The work is done by `polepos::bench::add_modules` (examples/gen_modules.rs),
so the generated modules are exactly what the check tests prove clean.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    project, count = sys.argv[1], sys.argv[2]
    subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--locked", "--example", "gen_modules", "--",
         str(Path(project).resolve()), count],
        cwd=ROOT,
        check=True,
    )


if __name__ == "__main__":
    main()
