"""Ingest of a generated population register (`tongban ingest`, validation, staging, one-transaction
publish) against a plain bulk insert of the same file into a table of text columns, same database.

    .venv/bin/python bench/registry_ingest.py [--rows 5300000]

The ingest runs as the real command in its own process, so its peak memory (maxrss) is its own.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import fresh_database
from sqlalchemy import select, text

from tongban.catalog.models import InformationResource
from tongban.db import make_engine, make_session_factory
from tongban.demo import loader, registry_data


def plain_bulk_insert(url: str, path: Path, columns: tuple[str, ...]) -> float:
    """Rows per second of reading the CSV and inserting it as-is (no validation, no JSON, no merge)."""
    engine = make_engine(url)
    cols = ", ".join(f"{c} TEXT" for c in columns)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_plain"))
        conn.execute(text(f"CREATE TABLE bench_plain ({cols})"))
    started = time.perf_counter()
    rows = 0
    with engine.begin() as conn, path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        if engine.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY bench_plain ({', '.join(columns)}) FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
                    rows += 1
        else:
            marks = ", ".join("?" * len(columns))
            batch: list[list[str]] = []
            for row in reader:
                batch.append(row)
                if len(batch) == 10_000:
                    conn.exec_driver_sql(f"INSERT INTO bench_plain VALUES ({marks})", batch)  # type: ignore[arg-type]
                    rows += len(batch)
                    batch = []
            if batch:
                conn.exec_driver_sql(f"INSERT INTO bench_plain VALUES ({marks})", batch)  # type: ignore[arg-type]
                rows += len(batch)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_plain"))
    engine.dispose()
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_300_000)
    args = parser.parse_args()
    url = fresh_database()
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        loader.load(session)
        code = session.execute(select(InformationResource.code).where(
            InformationResource.name == "户籍人口基本信息")).scalar_one()
    engine.dispose()
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "population.csv"
    started = time.perf_counter()
    registry_data.write_csv(registry_data.population(args.rows), path, registry_data.POPULATION_COLUMNS)
    generate_s = time.perf_counter() - started

    baseline = plain_bulk_insert(url, path, registry_data.POPULATION_COLUMNS)

    env = {**os.environ, "TONGBAN_DATABASE_URL": url, "TONGBAN_ENV": "test"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tongban.cli", "ingest", code, str(path), "--mode", "replace"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    output = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(output)
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    rate = args.rows / seconds
    print(json.dumps({
        "bench": "registry_ingest", "database": make_engine(url).dialect.name, "rows": args.rows,
        "file_mb": round(path.stat().st_size / 2**20, 1), "generate_s": round(generate_s, 1),
        "plain_insert_rows_per_s": round(baseline), "ingest_rows_per_s": round(rate), "ingest_s": round(seconds, 1),
        "ratio": round(rate / baseline, 3), "ingest_peak_rss_mb": round(usage.ru_maxrss / 1024),
        "command_output": summary,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
