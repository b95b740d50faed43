"""绩效指标 dashboards at scale: the read models of /indicators and GET /api/v1/indicators over 10 million
decided cases and 2 million ratings, against the bare grouped query of the same figures over the cases and
ratings tables, in the same run.

Data (by SQL in the database, INSERT … SELECT from a generated series; pseudo-random but reproducible by
multiplicative hashing of the row number, as bench/cases.py does):
- the demo city (departments, published implementation lists, staff, the supervisor);
- `rows` decided cases (default 10,000,000) on the demo's published implementations, departments by
  bench/cases.py's skewed shares (the AMR, the real-estate centre, social insurance and the tax bureau take
  most) and, inside a department, items by a 1/rank (Zipf) weight; decided over the last 1,095 days (Beijing
  09:00–18:00), 90 % delivered, 5 % closed, 5 % decided; 70 % 网上 / 30 % 窗口; accepted 0 … 承诺时限 calendar
  days before the decision (即办 items: the same day), submitted hours before; 承诺 due day after the decision
  except 4 % late; 法定 due day ten days later; no 承诺/法定 due day on 即办 items;
- case_materials for one case in ten (3 each: an upload, a licence or an upload, a shared datum, a waived one
  or an upload) — bounded so the load stays minutes, so 材料免提交率 is over that tenth; the other cases have no
  material rows;
- `ratings` ratings (default 2,000,000) on every (rows // ratings)-th case, the case's channel, 3 hours after
  its decision: 70 % 非常满意, 18 % 满意, 8 % 基本满意, 2.5 % 不满意, 1.5 % 非常不满意, 0.5 % voided on appeal;
  each bad rating has its follow-up (5 % 待回访, 10 % 已回访, 10 % 整改中, 10 % 已说明, 65 % 已告知办结);
- not generated: workflow instances, clocks, events and 电子监察 alerts (the alert counters stay 0;
  bench/supervision_sweep.py measures alerts).

Rollups: `rollup.rebuild` over the 1,096 days (one use-case per day, as `tongban indicators rebuild`), then one
incremental pass (`rollup.refresh`: today, whose facts are a full day's, with the mark set to now) and the
nightly pass (today and yesterday).

Timed, warm, `REPEAT` runs each (p50/p95/max): the read models (`queries.report_from` as the API calls it,
`queries.dashboard` as the page calls it — two reports: the breakdown and the months), then the same over HTTP
on a live `tongban serve` with the supervisor's session (GET /api/v1/indicators and GET /indicators), for:
the whole city for last year (by month), one department (the AMR) for last year's fourth quarter (by item),
last year by department, last year by item, and a custom range that is not whole months (by department).
The bare grouped queries of the same figures over cases (+ implementations), case_materials and ratings
(+ follow-ups) run `BARE_RUNS` times each (handling days there in calendar days, not working days).

Prints one JSON line. Usage: .venv/bin/python bench/indicators_dashboard.py [rows] [ratings] [repeat] [bare_runs]
PostgreSQL: bash scripts/with-postgres.sh bash -c 'TONGBAN_BENCH_DATABASE_URL=$TONGBAN_PG_URL
.venv/bin/python bench/indicators_dashboard.py'
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

from _common import LiveServer, fresh_database, timed
from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import cases as bench_cases
from tongban.db import make_engine, make_session_factory

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
RATINGS = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
REPEAT = int(sys.argv[3]) if len(sys.argv) > 3 else 200
BARE_RUNS = int(sys.argv[4]) if len(sys.argv) > 4 else 3
DAYS = 1095  # decisions from today - DAYS to today
BASE = 20_000_000  # ids of the bulk cases, above the demo's own
SLOTS = 10_000
DECIDED = "('decided', 'closed', 'delivered')"


def _impl_slots(session: Session) -> list[tuple[int, int, str, str, str, int]]:
    """SLOTS (implementation id, department, item code, item name, region, promised days) by department share
    (bench/cases.py's) and, inside a department, by 1/rank."""
    from tongban.items.models import BasicItem, Implementation
    from tongban.org.models import Department

    rows = session.execute(
        select(Implementation.id, Implementation.department_id, BasicItem.code, BasicItem.name,
               Implementation.region_code, Implementation.promised_days, Department.code)
        .join(BasicItem, BasicItem.id == Implementation.basic_item_id)
        .join(Department, Department.id == Implementation.department_id)
        .where(Implementation.status == "published").order_by(Implementation.id)).all()
    by_dept: dict[str, list[Any]] = {}
    for r in rows:
        by_dept.setdefault(r[6], []).append(r)
    shares: dict[str, float] = {c: s for c, s in bench_cases.DEPT_SHARE.items() if c in by_dept}
    others = [c for c in by_dept if c not in shares]
    rest = 1000 - sum(shares.values())
    for c in others:
        shares[c] = rest / len(others)
    weights: list[tuple[float, Any]] = []
    for code, impls in by_dept.items():
        harmonic = sum(1 / k for k in range(1, len(impls) + 1))
        weights += [(shares[code] / harmonic / k, r) for k, r in enumerate(impls, 1)]
    total = sum(w for w, _ in weights)
    slots: list[tuple[int, int, str, str, str, int]] = []
    acc = 0.0
    for w, r in weights:
        acc += w
        while len(slots) < round(acc / total * SLOTS):
            slots.append((r[0], r[1], r[2], r[3], r[4], r[5] or 0))
    return slots


def bulk(engine: Engine, rows: int, ratings: int) -> dict[str, Any]:
    """`rows` decided cases, a tenth of them with materials, and `ratings` ratings with the bad ones'
    follow-ups, by SQL in the database."""
    from tongban.ratings.standard import BAD_TAGS

    with Session(engine) as session:
        slots = _impl_slots(session)
        users = list(session.execute(text(
            "SELECT id FROM users WHERE kind IN ('citizen', 'enterprise') ORDER BY id")).scalars())
    tag = json.dumps([next(iter(next(iter(BAD_TAGS.values()))))])
    pg = engine.dialect.name == "postgresql"
    step = max(rows // max(ratings, 1), 1)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    mix = (f"(g * 2654435761 % 1000003 % {SLOTS}) AS r1, (g * 40503 % 999983 % 1000) AS r2, "
           f"(g * 69069 % 1000003 % 1000) AS r3, (g * 12707 % {DAYS + 1}) AS age")
    if pg:
        series = f"SELECT g AS i, {mix.replace('g *', 'g::bigint *')} FROM generate_series(1, {rows}) g"
        decided = "((CURRENT_DATE - s.age::int) + time '01:00' + (s.i % 540) * interval '1 minute')"

        def minus_days(ts: str, days: str) -> str:
            return f"({ts} - ({days}) * interval '1 day')"

        def plus_hours(ts: str, hours: str) -> str:
            return f"({ts} + ({hours}) * interval '1 hour')"

        def day_plus(ts: str, days: str) -> str:
            return f"(CAST({ts} AS DATE) + ({days})::int)"
    else:
        series = f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {rows}) " \
                 f"SELECT g AS i, {mix} FROM s"
        decided = "datetime(date('now', '-' || s.age || ' days'), '+' || (60 + s.i % 540) || ' minutes')"

        def minus_days(ts: str, days: str) -> str:
            return f"datetime({ts}, '-' || ({days}) || ' days')"

        def plus_hours(ts: str, hours: str) -> str:
            return f"datetime({ts}, ({hours}) || ' hours')"

        def day_plus(ts: str, days: str) -> str:
            return f"date({ts}, ({days}) || ' days')"

    with engine.begin() as conn:
        if not pg:
            conn.execute(text("PRAGMA cache_size = -1000000"))  # 1 GB of page cache for the bulk load
        conn.execute(text("CREATE TEMPORARY TABLE bench_impl (slot INTEGER PRIMARY KEY, impl INTEGER, "
                          "dept INTEGER, code VARCHAR(32), name VARCHAR(128), region VARCHAR(12), pdays INTEGER)"))
        conn.execute(text("INSERT INTO bench_impl VALUES (:s, :i, :d, :c, :n, :r, :p)"),
                     [{"s": k, "i": i, "d": d, "c": c, "n": n, "r": r, "p": p}
                      for k, (i, d, c, n, r, p) in enumerate(slots)])
        conn.execute(text("CREATE TEMPORARY TABLE bench_user (slot INTEGER PRIMARY KEY, uid INTEGER)"))
        conn.execute(text("INSERT INTO bench_user VALUES (:s, :u)"), [{"s": i, "u": u} for i, u in enumerate(users)])
        # Days from acceptance to decision: 0 … the promised days (即办 items the same day).
        inner = f"""
            SELECT s0.i, s0.r2, s0.r3, s0.age, bi.impl, bi.dept, bi.code, bi.name, bi.pdays,
                   CASE WHEN bi.pdays = 0 THEN 0 ELSE s0.r3 % (bi.pdays + 1) END AS d
            FROM ({series}) s0 JOIN bench_impl bi ON bi.slot = s0.r1
        """
        mid = f"SELECT s.*, {decided} AS decided_at FROM ({inner}) s"
        accepted = minus_days("m.decided_at", "m.d")  # d days and up to two hours before the decision
        accepted = (f"({accepted} - (m.i % 120) * interval '1 minute')" if pg
                    else f"datetime({accepted}, '-' || (m.i % 120) || ' minutes')")
        promised = (f"CASE WHEN m.pdays = 0 THEN NULL "
                    f"WHEN m.r2 % 25 = 0 THEN {day_plus('m.decided_at', '-1 - m.r2 % 3')} "
                    f"ELSE {day_plus('m.decided_at', 'm.r2 % 7')} END")
        legal = (f"CASE WHEN m.pdays = 0 THEN NULL "
                 f"WHEN m.r2 % 25 = 0 THEN {day_plus('m.decided_at', '9 - m.r2 % 3')} "
                 f"ELSE {day_plus('m.decided_at', '10 + m.r2 % 7')} END")
        status = "CASE WHEN m.r2 < 900 THEN 'delivered' WHEN m.r2 < 950 THEN 'closed' ELSE 'decided' END"
        body = f"""
            SELECT {BASE} + m.i, 'ZB' || m.i, bu.uid, 'entity', '安康市某某有限公司', '91610902MB' || m.i, 'uscc',
                   m.impl, 1, m.code, m.name, '{{}}', NULL, NULL, NULL, m.dept,
                   {status}, CASE WHEN m.r3 < 700 THEN '网上' ELSE '窗口' END, NULL, '{{}}', 'promised', NULL,
                   NULL, {legal}, {promised},
                   NULL, NULL, NULL, false, CASE WHEN m.r3 % 50 = 7 THEN 'refuse' ELSE 'approve' END, '', '', NULL,
                   {plus_hours(accepted, '-(m.i % 30)')}, {accepted}, m.decided_at,
                   CASE WHEN m.r2 >= 900 AND m.r2 < 950 THEN {plus_hours('m.decided_at', '24')} END,
                   CASE WHEN m.r2 < 900 THEN {plus_hours('m.decided_at', '24')} END, NULL,
                   {plus_hours(accepted, '-(m.i % 30)')}, m.decided_at
            FROM ({mid}) m JOIN bench_user bu ON bu.slot = m.i % {len(users)}
        """
        conn.execute(text(f"""INSERT INTO cases (id, number, applicant_user_id, applicant_kind, applicant_name,
            applicant_code, applicant_code_type, implementation_id, implementation_version, item_code, item_name,
            snapshot, bundle_code, parent_id, lane, department_id, status, channel, entered_by, form_data,
            process_key, workflow_instance_id, accept_due_on, legal_due_on, promised_due_on, suspended_reason,
            supplement_notice, supplement_notified_at, deemed_accepted, decision, reason, remedies, licence_id,
            submitted_at, accepted_at, decided_at, closed_at, delivered_at, withdrawn_at, created_at, updated_at)
            {body}"""))
        timings["cases_s"] = round(time.perf_counter() - t0, 1)
        t = time.perf_counter()
        # One case in ten has its three materials (bounded; see the docstring).
        h = f"((id - {BASE}) * 7 % 1000)"
        conn.execute(text(f"""INSERT INTO case_materials (case_id, position, name, source, ref, required, provided,
            confirmed_by_applicant, note, updated_at)
            SELECT c.id, p.pos, CASE p.pos WHEN 1 THEN '申请书' WHEN 2 THEN '营业执照' ELSE '不动产权证明' END,
                   CASE p.pos WHEN 1 THEN 'upload' WHEN 2 THEN 'licence' ELSE 'shared' END, '', true,
                   CASE p.pos WHEN 1 THEN 'upload'
                        WHEN 2 THEN CASE WHEN {h} < 600 THEN 'licence' ELSE 'upload' END
                        ELSE CASE WHEN {h} % 3 = 0 THEN 'shared' WHEN {h} % 3 = 1 THEN 'waived' ELSE 'upload' END
                   END, true, '', c.accepted_at
            FROM cases c CROSS JOIN (SELECT 1 AS pos UNION ALL SELECT 2 UNION ALL SELECT 3) p
            WHERE c.id > {BASE} AND (c.id - {BASE}) % 10 = 0"""))
        timings["materials_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        lv = f"((c.id - {BASE}) * 48271 % 1000)"
        level = f"CASE WHEN {lv} < 700 THEN 5 WHEN {lv} < 880 THEN 4 WHEN {lv} < 960 THEN 3 " \
                f"WHEN {lv} < 985 THEN 2 ELSE 1 END"
        voided = f"((c.id - {BASE}) * 16807 % 1000 < 5)"
        json_type = "JSON" if pg else "TEXT"
        conn.execute(text(f"""INSERT INTO ratings (number, case_id, case_number, item_code, department_id,
            applicant_user_id, channel, level, tags, tag_version, text, is_default, addition, status, void_reason,
            voided_at, created_at)
            SELECT 'PZ' || (c.id - {BASE}), c.id, c.number, c.item_code, c.department_id, c.applicant_user_id,
                   CASE c.channel WHEN '网上' THEN 'online' ELSE 'window' END, {level},
                   CAST(CASE WHEN {lv} >= 960 THEN '{tag}' ELSE '[]' END AS {json_type}), '2019.1', '', ({lv} < 70), '',
                   CASE WHEN {voided} THEN 'voided' ELSE 'valid' END,
                   CASE WHEN {voided} THEN '申诉成立' ELSE '' END,
                   CASE WHEN {voided} THEN {plus_hours('c.decided_at', '240')} END,
                   {plus_hours('c.decided_at', '3')}
            FROM cases c WHERE c.id > {BASE} AND c.id <= {BASE + step * ratings} AND (c.id - {BASE}) % {step} = 0"""))
        fs = "(r.id * 7 % 20)"
        called = f"CASE WHEN {fs} = 0 THEN NULL ELSE {plus_hours('r.created_at', '20')} END"
        conn.execute(text(f"""INSERT INTO rating_follow_ups (rating_id, department_id, status, callback_at,
            callback_note, verification_note, rectify_plan, rectification_note, rectified_at, explanation,
            notice_text, notified_at, appeal_reason, decision_note, overdue_step, created_at, updated_at)
            SELECT r.id, r.department_id,
                   CASE WHEN {fs} = 0 THEN 'open' WHEN {fs} < 3 THEN 'called_back' WHEN {fs} < 5 THEN 'rectifying'
                        WHEN {fs} < 7 THEN 'explained' ELSE 'notified' END,
                   {called}, CASE WHEN {fs} = 0 THEN '' ELSE '已电话回访' END, '', '',
                   CASE WHEN {fs} >= 7 THEN '已整改' ELSE '' END,
                   CASE WHEN {fs} >= 7 THEN {plus_hours('r.created_at', '100')} END,
                   CASE WHEN {fs} BETWEEN 5 AND 6 THEN '情况说明' ELSE '' END,
                   CASE WHEN {fs} >= 7 THEN '已告知' ELSE '' END,
                   CASE WHEN {fs} >= 7 THEN {plus_hours('r.created_at', '120')} END, '', '', 0,
                   r.created_at, COALESCE({called}, r.created_at)
            FROM ratings r WHERE r.level <= 2 AND r.case_id > {BASE}"""))
        timings["ratings_s"] = round(time.perf_counter() - t, 1)
        if pg:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
    t = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    timings["analyze_s"] = round(time.perf_counter() - t, 1)
    with engine.connect() as conn:
        counts = {
            "cases": conn.execute(text(f"SELECT count(*) FROM cases WHERE id > {BASE}")).scalar_one(),
            "materials": conn.execute(text(f"SELECT count(*) FROM case_materials WHERE case_id > {BASE}")).scalar_one(),
            "ratings": conn.execute(text(f"SELECT count(*) FROM ratings WHERE case_id > {BASE}")).scalar_one(),
            "ratings_bad": conn.execute(text(
                f"SELECT count(*) FROM ratings WHERE case_id > {BASE} AND level <= 2")).scalar_one(),
            "follow_ups": conn.execute(text("SELECT count(*) FROM rating_follow_ups")).scalar_one(),
            "implementations_used": len({s[0] for s in slots}),
            "departments_used": len({s[1] for s in slots}),
        }
    return {**counts, **timings, "seconds": round(time.perf_counter() - t0, 1)}


# ---------------------------------------------------------------- rollups


def rollups(factory: Any, today: dt.date) -> dict[str, Any]:
    """The full rebuild of the period, then one incremental pass and the nightly pass."""
    from tongban.db import utcnow
    from tongban.indicators import rollup
    from tongban.indicators.models import IndicatorDaily, IndicatorMark, IndicatorMonthly

    out: dict[str, Any] = {}
    start = today - dt.timedelta(days=DAYS)
    with factory() as session:
        t = time.perf_counter()
        written = rollup.rebuild(session, start=start, end=today)
        out["rebuild_s"] = round(time.perf_counter() - t, 1)
        out["rebuild_days"] = (today - start).days + 1
        out["daily_rows"] = written
        out["daily_rows_in_table"] = session.scalar(select(text("count(*)")).select_from(IndicatorDaily))
        out["monthly_rows"] = session.scalar(select(text("count(*)")).select_from(IndicatorMonthly))
    with factory() as session:  # the mark as a pass ten minutes ago would have left it
        session.execute(update(IndicatorMark).where(IndicatorMark.name == rollup.MARK).values(checked_at=utcnow()))
        session.commit()
    with factory() as session:
        t = time.perf_counter()
        days = rollup.refresh(session)
        out["refresh_s"] = round(time.perf_counter() - t, 2)
        out["refresh_days"] = [d.isoformat() for d in days]
    with factory() as session:
        t = time.perf_counter()
        days = rollup.nightly(session)
        out["nightly_s"] = round(time.perf_counter() - t, 2)
        out["nightly_days"] = [d.isoformat() for d in days]
    return out


# ---------------------------------------------------------------- read models, HTTP, bare


def _timed(fn: Any, repeat: int = REPEAT) -> dict[str, float]:
    return timed(fn, repeat)


def scenarios(amr: int, year: int) -> dict[str, dict[str, Any]]:
    """name → the API's query values (the page's values are the same without group_by/limit)."""
    return {
        "city_year_by_month": {"period": str(year), "group_by": "month"},
        "department_quarter_by_item": {"period": f"{year}-Q4", "department_id": amr, "group_by": "item"},
        "year_by_department": {"period": str(year), "group_by": "department"},
        "year_by_item": {"period": str(year), "group_by": "item", "limit": 1000},
        "custom_range_by_department": {"start": f"{year}-02-17", "end": f"{year + 1}-01-09",
                                       "group_by": "department"},
    }


PAGES = ("city_year_by_month", "department_quarter_by_item", "custom_range_by_department")


def _bare_statements(pg: bool, values: dict[str, Any], year: int) -> list[Any]:
    """The bare grouped queries of the same figures over the facts (cases + implementations, materials,
    ratings + follow-ups), as one would write them without rollups."""
    if "period" in values:
        p = values["period"]
        if "-Q" in p:
            q = int(p[-1])
            lo = dt.date(year, 3 * q - 2, 1)
            hi = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)
        else:
            lo, hi = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    else:
        lo, hi = dt.date.fromisoformat(values["start"]), dt.date.fromisoformat(values["end"]) + dt.timedelta(days=1)
    start = dt.datetime.combine(lo, dt.time()) - dt.timedelta(hours=8)
    end = dt.datetime.combine(hi, dt.time()) - dt.timedelta(hours=8)
    group = values["group_by"]
    bj = "({c} + interval '8 hours')" if pg else "datetime({c}, '+8 hours')"
    key = {"department": "c.department_id", "item": "c.item_code",
           "month": (f"to_char({bj.format(c='c.decided_at')}, 'YYYY-MM')" if pg
                     else f"strftime('%Y-%m', {bj.format(c='c.decided_at')})")}[group]
    rkey = key.replace("c.decided_at", "r.created_at").replace("c.", "r.")
    dept = f" AND c.department_id = {values['department_id']}" if values.get("department_id") else ""
    rdept = dept.replace("c.", "r.")
    decided_day = f"CAST({bj.format(c='c.decided_at')} AS DATE)" if pg else f"date({bj.format(c='c.decided_at')})"
    days = ("(CAST(c.decided_at AS DATE) - CAST(c.accepted_at AS DATE))" if pg
            else "CAST(julianday(date(c.decided_at)) - julianday(date(c.accepted_at)) AS INTEGER)")
    visits = "CASE WHEN c.channel = '网上' THEN i.visits WHEN i.visits > 1 THEN i.visits ELSE 1 END"
    where = f"c.decided_at >= :s AND c.decided_at < :e AND c.status IN {DECIDED}{dept}"
    cases = f"""SELECT {key} AS k, count(*),
        sum(CASE WHEN COALESCE(c.promised_due_on, c.legal_due_on) IS NULL
                   OR {decided_day} <= COALESCE(c.promised_due_on, c.legal_due_on) THEN 1 ELSE 0 END),
        sum(CASE WHEN c.accepted_at IS NOT NULL THEN 1 ELSE 0 END),
        sum({days}), sum(i.promised_days), sum({visits}), sum(CASE WHEN {visits} = 0 THEN 1 ELSE 0 END)
        FROM cases c JOIN item_implementations i ON i.id = c.implementation_id
        WHERE {where} GROUP BY {key}"""
    materials = f"""SELECT {key} AS k, count(*), sum(CASE WHEN m.provided IN ('licence', 'shared') THEN 1 ELSE 0 END)
        FROM case_materials m JOIN cases c ON c.id = m.case_id
        WHERE {where} AND m.provided IN ('upload', 'licence', 'shared') GROUP BY {key}"""
    ratings = f"""SELECT {rkey} AS k, count(*), sum(CASE WHEN r.level >= 4 THEN 1 ELSE 0 END),
        sum(CASE WHEN r.level <= 2 THEN 1 ELSE 0 END),
        sum(CASE WHEN r.level <= 2 AND f.callback_at IS NOT NULL THEN 1 ELSE 0 END),
        sum(CASE WHEN r.level <= 2 AND f.status IN ('rectified', 'explained', 'notified') THEN 1 ELSE 0 END)
        FROM ratings r LEFT JOIN rating_follow_ups f ON f.rating_id = r.id
        WHERE r.created_at >= :s AND r.created_at < :e AND r.status = 'valid'{rdept} GROUP BY {rkey}"""
    return [(text(sql), {"s": start, "e": end}) for sql in (cases, materials, ratings)]


def read_side(url: str, engine: Engine, factory: Any, year: int) -> dict[str, Any]:
    from tongban.demo.loader import DEMO_PASSWORD
    from tongban.indicators import queries
    from tongban.org.models import Department

    out: dict[str, Any] = {"year": year, "repeat": REPEAT, "bare_runs": BARE_RUNS}
    pg = engine.dialect.name == "postgresql"
    with factory() as session:
        amr = session.execute(select(Department.id).where(Department.code == "city-amr")).scalar_one()
        actor = bench_cases._actor(session, "supervisor")
        cases_ = scenarios(amr, year)
        check: dict[str, Any] = {}
        for name, values in cases_.items():
            report = queries.report_from(session, actor, dict(values))
            check[name] = {"groups": report.groups_total, "cases_decided": report.total.counters["cases_decided"],
                           "ratings": report.total.counters["ratings"],
                           "on_time": report.total.values["on_time"], "good_rate": report.total.values["good_rate"]}
            out.setdefault("read_model_api", {})[name] = _timed(
                lambda v=values: queries.report_from(session, actor, dict(v)))
            print(name, out["read_model_api"][name], file=sys.stderr, flush=True)
        for name in PAGES:
            values = {k: str(v) for k, v in cases_[name].items() if k not in ("group_by", "limit")}
            out.setdefault("read_model_page", {})[name] = _timed(lambda v=values: queries.dashboard(session, actor, v))
        out["figures"] = check
    server = LiveServer(url)
    out["server_log"] = str(server.log)
    try:
        import httpx

        with httpx.Client(base_url=server.base, timeout=120) as c:
            server.login(c, "supervisor", DEMO_PASSWORD)
            for name, values in cases_.items():
                def api(v: dict[str, Any] = values) -> None:
                    r = c.get("/api/v1/indicators", params=v)
                    assert r.status_code == 200, r.text[:300]
                out.setdefault("http_api", {})[name] = _timed(api)
            for name in PAGES:
                params = {k: v for k, v in cases_[name].items() if k not in ("group_by", "limit")}

                def page(v: dict[str, Any] = params) -> None:
                    r = c.get("/indicators", params=v)
                    assert r.status_code == 200 and "绩效指标" in r.text, r.text[:300]
                out.setdefault("http_page", {})[name] = _timed(page)
            out["page_bytes"] = len(c.get("/indicators", params={"period": str(year)}).content)
    finally:
        server.stop()
    with factory() as session:
        for name, values in cases_.items():
            stmts = _bare_statements(pg, values, year)
            times = []
            for _ in range(BARE_RUNS):
                t = time.perf_counter()
                groups = [session.execute(sql, params).all() for sql, params in stmts]
                times.append((time.perf_counter() - t) * 1000)
            total_cases = sum(r[1] for r in groups[0])
            out.setdefault("bare", {})[name] = {"runs_ms": [round(x, 1) for x in times],
                                                "median_ms": round(sorted(times)[len(times) // 2], 1),
                                                "groups": len(groups[0]), "cases_decided": total_cases}
            print(name, "bare", out["bare"][name], file=sys.stderr, flush=True)
            ratio = out["bare"][name]["median_ms"] / max(out["read_model_api"][name]["p50_ms"], 1e-3)
            out.setdefault("bare_over_read_model_p50", {})[name] = round(ratio, 1)
    return out


def main() -> None:
    from tongban import clock
    from tongban.demo import loader

    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        loader.load(session)
    today = clock.today()
    result: dict[str, Any] = {"bench": "indicators_dashboard", "database": engine.dialect.name,
                              "today": today.isoformat()}
    result["bulk"] = bulk(engine, ROWS, RATINGS)
    print("bulk", result["bulk"], file=sys.stderr, flush=True)
    result["rollups"] = rollups(factory, today)
    print("rollups", result["rollups"], file=sys.stderr, flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    result["read"] = read_side(url, engine, factory, today.year - 1)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
