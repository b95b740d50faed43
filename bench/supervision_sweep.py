"""电子监察 at scale: the alert sweep over a million open cases, against the bare indexed query of the cases
whose deadline passed, in the same run.

Data: the demo city (its default rules: 临近承诺期限 yellow, 超过承诺期限 red, 超过法定期限 red, and the 材料
rule) and `rows` open cases (default 1,000,000) bulk-inserted by `bench/cases.py`'s generator with only open
statuses (受理 pending, accepted, reviewed), each with its running clocks. The clocks' due days are then
spread from 3 days ago to 41 days ahead (promised) and 15 days later for the legal clock, so about 7 % of the
cases are past their promised deadline and a few percent are near it — a city having a bad month.

Timed, on one day (`today`, frozen):
- `bare`: the indexed query of the open cases whose promised clock's due day passed (ids only);
- `first`: the first sweep, which raises every alert (and audits each one);
- `rerun`: the same day again, nothing to change (the steady state of a morning rerun);
- `next_day`: the next working day: the first escalation of every open alert (one notice per
  department and recipient kind, audited) and the alerts newly due.

Prints one JSON line. Usage: .venv/bin/python bench/supervision_sweep.py [rows]
PostgreSQL: bash scripts/with-postgres.sh bash -c 'TONGBAN_BENCH_DATABASE_URL=$TONGBAN_PG_URL
.venv/bin/python bench/supervision_sweep.py'
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

from _common import fresh_database
from sqlalchemy import func, select, text

import cases as bench_cases
from tongban.db import make_engine, make_session_factory

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
OPEN_SHARE = [("submitted", 100), ("accepted", 700), ("reviewed", 200)]


def _spread_due_days(engine: Any, day: dt.date) -> None:
    pg = engine.dialect.name == "postgresql"
    offset = "((owner_id * 7919::bigint) % 45 - 3)" if pg else "((owner_id * 7919) % 45 - 3)"
    due = (f"(DATE '{day.isoformat()}' + {offset}::int)" if pg
           else f"date('{day.isoformat()}', ({offset}) || ' days')")
    legal = (f"(DATE '{day.isoformat()}' + ({offset} + 15)::int)" if pg
             else f"date('{day.isoformat()}', ({offset} + 15) || ' days')")
    bulk = f"owner_type = 'case' AND owner_id > {bench_cases.BASE}"
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE legal_clocks SET due_on = {due}, warn_on = {due}, days = 20 "
                          f"WHERE {bulk} AND name IN ('promised', 'accept')"))
        conn.execute(text(f"UPDATE legal_clocks SET due_on = {legal}, warn_on = {legal}, days = 35 "
                          f"WHERE {bulk} AND name = 'legal'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def _bare(session: Any, day: dt.date) -> tuple[float, int]:
    from tongban.cases.models import OPEN, Case
    from tongban.workdays.models import LegalClock

    query = (select(Case.id).join(LegalClock, LegalClock.owner_id == Case.id)
             .where(LegalClock.owner_type == "case", LegalClock.name == "promised", LegalClock.state == "running",
                    LegalClock.due_on < day, Case.status.in_(OPEN)))
    session.execute(query).all()  # warm
    t = time.perf_counter()
    n = len(session.execute(query).all())
    return time.perf_counter() - t, n


def _sweep(factory: Any, day: dt.date) -> dict[str, Any]:
    from tongban.supervision import service

    t = time.perf_counter()
    with factory() as session:
        result = service.sweep(session=session, day=day)
        counts = {"raised": len(result.raised), "cleared": len(result.cleared), "notified": len(result.notified)}
    return {"seconds": round(time.perf_counter() - t, 2), **counts}


def main() -> None:
    from tongban import clock
    from tongban.demo import loader
    from tongban.supervision.models import SupervisionAlert
    from tongban.workdays import service as workdays

    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        loader.load(session)
        calendar = workdays.load(session)
    day = dt.date.today()
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    next_day = calendar.add_working_days(day, 1).due
    bench_cases.STATUS_SHARE = OPEN_SHARE
    result: dict[str, Any] = {"bench": "supervision_sweep", "database": engine.dialect.name, "day": day.isoformat()}
    result["bulk"] = bench_cases.bulk_cases(engine, ROWS)
    _spread_due_days(engine, day)
    with factory() as session:
        seconds, overdue = _bare(session, day)
    result["bare"] = {"seconds": round(seconds, 3), "overdue_cases": overdue}
    with clock.frozen(day):
        result["first"] = _sweep(factory, day)
        result["rerun"] = _sweep(factory, day)
    with clock.frozen(next_day):
        result["next_day"] = _sweep(factory, next_day)
    with factory() as session:
        result["open_alerts"] = session.scalar(select(func.count()).select_from(SupervisionAlert)
                                               .where(SupervisionAlert.state == "open"))
    result["rerun_over_bare"] = round(result["rerun"]["seconds"] / max(seconds, 1e-6), 1)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
