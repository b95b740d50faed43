"""CLI start-up: `tongban --help`, one command's `--help`, and one real command, against `python -c pass`.

Each figure is the median wall time of N runs of a fresh process (the `tongban` console script of this
venv). `--help` shows how long the command line takes to start: it imports every domain's cli.py, and
those keep the heavy libraries inside the commands. `audit verify` on an empty database is a real
command end to end: it then imports settings, SQLAlchemy and the audit models, which is its own work.
Baseline in the same run: the interpreter alone (`python -c pass`) and `import typer`.

Runs on a fresh SQLite file (or on TONGBAN_BENCH_DATABASE_URL, e.g. PostgreSQL, whose schema it resets).
Prints one JSON line. Usage: .venv/bin/python bench/cli_startup.py [N]  (default 21)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import fresh_database

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() and int(sys.argv[1]) <= 200 else 21
TONGBAN = str(Path(sys.executable).parent / "tongban")


def median_seconds(argv: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(N):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    env = {**os.environ, "TONGBAN_DATABASE_URL": fresh_database(), "TONGBAN_ENV": "test", "COLUMNS": "120"}
    cases = {
        "python_pass": [sys.executable, "-c", "pass"],
        "import_typer": [sys.executable, "-c", "import typer"],
        "tongban_help": [TONGBAN, "--help"],
        "command_help": [TONGBAN, "exchange", "seal", "--help"],
        "audit_verify": [TONGBAN, "audit", "verify"],
    }
    ms = {name: median_seconds(argv, env) * 1000 for name, argv in cases.items()}
    base = ms["python_pass"]
    print(json.dumps({
        "bench": "cli_startup", "runs": N,
        **{f"{name}_ms": round(v, 1) for name, v in ms.items()},
        **{f"{name}_ratio": round(v / base, 2) for name, v in ms.items() if name != "python_pass"},
    }))


if __name__ == "__main__":
    main()
