"""Load generators for bench/request_path.py: wrk for closed loop, bench/openloop.c for open loop.

Closed loop (`closed_loop`): wrk (Debian's package, installed by `make bench`) keeps N connections busy, each
sending its next request as soon as the previous answer arrives. That measures throughput (requests/s at a
concurrency) and the latency seen at that throughput. wrk runs the script bench/_wrk_report.lua, which takes
the request paths and headers from files and prints its results as one JSON line; every answer outside 2xx
counts as an error (a redirect to the login page must not pass for a fast answer). wrk 4 corrects its latency
percentiles after the run, adding for each answer slower than a connection's mean cycle the waits of the
requests that would have followed it, so its tails are not raw samples.

Open loop (`open_loop`): requests arrive at a fixed offered rate whatever the server does, as users do. A
closed-loop client cannot measure that: when an answer is slow it simply sends less, so the requests that would
have waited behind the slow one are never sent and never measured ("coordinated omission"), and its tail
latencies come out far too good. wrk2 fixes this, but it is not in Debian and nothing may be downloaded, so
bench/openloop.c does the same in about 800 lines of C: request i is intended at t0 + i/rate, waits in a FIFO
when no connection is free, and its latency counts from its intended time. It is compiled on first use into
var/bench/openloop with the system's C compiler.

Both run in their own processes, in C, so the load generator takes little of the CPU the server needs.
Headers are passed as given: the caller percent-encodes non-ASCII values.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OPENLOOP_SOURCE = BENCH / "openloop.c"
OPENLOOP = REPO / "var" / "bench" / "openloop"
WRK_SCRIPT = BENCH / "_wrk_report.lua"

# Beyond the run itself: openloop waits up to 5 s for its connections and gives the requests left 10 s of grace.
OVERHEAD_S = 30


def _wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    return "/usr/bin/wrk" if os.access("/usr/bin/wrk", os.X_OK) else None


def ensure_tools() -> None:
    """wrk is installed and var/bench/openloop is compiled from the current bench/openloop.c."""
    if _wrk() is None:
        raise SystemExit("wrk is missing: run `make bench` (it installs Debian's wrk)")
    if OPENLOOP.exists() and OPENLOOP.stat().st_mtime >= OPENLOOP_SOURCE.stat().st_mtime:
        return
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SystemExit("a C compiler is missing to build bench/openloop.c: install gcc (apt-get install gcc)")
    OPENLOOP.parent.mkdir(parents=True, exist_ok=True)
    # compile next to the target and rename, so a concurrent run never executes a half-written binary
    partial = OPENLOOP.with_name(f"openloop.{os.getpid()}.tmp")
    built = subprocess.run([compiler, "-O2", "-Wall", "-Wextra", "-o", str(partial), str(OPENLOOP_SOURCE), "-lm"],
                           capture_output=True, text=True)
    if built.returncode != 0:
        partial.unlink(missing_ok=True)
        raise SystemExit(f"cannot compile bench/openloop.c:\n{built.stderr}")
    partial.replace(OPENLOOP)


def _check(paths: Sequence[str], headers: Mapping[str, str]) -> None:
    if not paths:
        raise ValueError("at least one request path is needed")
    for path in paths:
        if not path.startswith("/") or any(c.isspace() or ord(c) < 0x20 for c in path):
            raise ValueError(f"a request path starts with '/' and holds no spaces or control characters: {path!r}")
    for name, value in headers.items():
        if not name or any(c in name for c in ":\r\n") or any(c in value for c in "\r\n"):
            raise ValueError(f"bad header {name!r}: {value!r}")


@contextmanager
def _lines_file(lines: Sequence[str]) -> Iterator[str]:
    """A temporary file holding one line per item (UTF-8, bytes as given)."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("".join(f"{line}\n" for line in lines))
    try:
        yield f.name
    finally:
        os.unlink(f.name)


def _json_line(out: str, tool: str, command: Sequence[str], stderr: str) -> dict[str, Any]:
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            parsed: dict[str, Any] = json.loads(line)
            return parsed
    raise RuntimeError(f"{tool} printed no result ({' '.join(command)}):\n{out}\n{stderr}")


def closed_loop(base_url: str, paths: Sequence[str], headers: Mapping[str, str], connections: int = 32,
                seconds: float = 10, threads: int = 2, timeout_s: float = 10) -> dict[str, Any]:
    """wrk at `connections` connections for `seconds` (rounded up to whole seconds), paths round-robin.

    Returns {requests, duration_s, rps, p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms,
    errors: {connect, read, write, timeout, status (answers outside 2xx)}, status_4xx_5xx}.
    """
    ensure_tools()
    _check(paths, headers)
    threads = max(1, min(threads, connections))
    duration = max(1, math.ceil(seconds))
    wrk = _wrk()
    assert wrk is not None
    with _lines_file(paths) as paths_file, _lines_file([f"{k}: {v}" for k, v in headers.items()]) as headers_file:
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={math.ceil(timeout_s)}s",
                   "-s", str(WRK_SCRIPT), base_url.rstrip("/") + paths[0]]
        env = {**os.environ, "WRK_PATHS": paths_file, "WRK_HEADERS": headers_file, "WRK_THREADS": str(threads)}
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=duration + timeout_s + OVERHEAD_S)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({' '.join(command)}):\n{done.stdout}\n{done.stderr}")
    return _json_line(done.stdout, "wrk", command, done.stderr)


def open_loop(base_url: str, paths: Sequence[str], headers: Mapping[str, str], rate: float, seconds: float = 10,
              connections: int = 64, warmup: float = 2) -> dict[str, Any]:
    """openloop offering `rate` requests/s for `warmup` + `seconds`, recording the last `seconds`.

    Returns {rate, achieved_rps, sent, completed, non2xx, socket_errors, timeouts, reconnects, connections,
    duration_s, warmup_s, p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms, max_late_ms}; latencies from each request's
    intended send time.
    """
    ensure_tools()
    _check(paths, headers)
    with _lines_file(paths) as paths_file:
        command = [str(OPENLOOP), "-c", str(connections), "-R", repr(float(rate)), "-d", repr(float(seconds)),
                   "-w", repr(float(warmup)), "-p", paths_file]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(base_url.rstrip("/") + "/")
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=seconds + warmup + OVERHEAD_S)
    if done.returncode != 0:
        raise RuntimeError(f"openloop failed ({' '.join(command)}):\n{done.stdout}\n{done.stderr}")
    return _json_line(done.stdout, "openloop", command, done.stderr)
