"""Cases (办件) at scale: workflow transitions through the cases service, and the clerk's queue and the
reviewer's task list at a million cases, against the bare indexed query of the same page in the same run.

Transitions: T 承诺件 of the demo city's 内资企业变更登记 (city AMR), each submitted and taken through
受理 → 审查 → 准予 (the licence issued and sealed in the decision's use-case) by `cases.handling` as the
demo's clerk and reviewer; transitions per second for 受理 and 审查 (the decision, with its licence, is
timed apart), and the process state loaded and saved by each transition as the number of cases grows
(the engine's load + dump of one instance, measured at each size).

Queue and task list: the demo city (departments, staff) and `rows` cases bulk-inserted with SQL (default
1,000,000): departments by a skewed share (the AMR, the real-estate centre, social insurance and the tax
bureau take most), statuses as in a running city (most delivered, ~7 % open), submission dates over three
years, due dates after submission, one workflow instance per case and a `workflow_tasks` row per open
task (受理 for the window clerk, 审查/决定 for the reviewer), then ANALYZE. Timed: `queries.clerk_queue`
(the AMR's window clerk, first page of 50 and the total) and `queries.task_list` (the AMR's reviewer,
first 100 with each case's clock), 200 times each; the EXPLAIN plan of every statement they run.

Prints one JSON line. Usage: .venv/bin/python bench/cases.py [rows] [transitions]
PostgreSQL: bash scripts/with-postgres.sh bash -c 'TONGBAN_BENCH_DATABASE_URL=$TONGBAN_PG_URL
.venv/bin/python bench/cases.py'
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

from _common import fresh_database, percentile, timed
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tongban.db import make_engine, make_session_factory

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
TRANSITIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 100
APPLICANTS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
REPEAT = 200
BASE = 10_000_000  # ids of the bulk cases and their workflow instances, above the demo's own

# Share of the cases (per mille) by department code; the rest spread over the other departments.
DEPT_SHARE = {"city-amr": 220, "city-bdc": 160, "city-social-insurance": 120, "city-tax": 100, "city-hrss": 60,
              "city-psb": 50, "city-health": 40, "city-civil": 40, "city-hpf": 40}
# Statuses (per mille): most cases of a running city are finished.
STATUS_SHARE = [("delivered", 800), ("closed", 25), ("decided", 25), ("rejected", 20), ("withdrawn", 30),
                ("draft", 30), ("submitted", 25), ("supplement", 5), ("accepted", 25), ("reviewed", 15)]


def _actor(session: Session, username: str) -> Any:
    from tongban.org.auth import user_actor
    from tongban.org.models import User

    return user_actor(session.execute(select(User).where(User.username == username)).scalar_one(),
                      client_ip="127.0.0.1")


# ---------------------------------------------------------------- concurrent applicants

APPLY_ITEM = ("最低生活保障审核确认", "hanbin-civil")  # two materials fetchable from the population register


def _applicants(factory: Any, count: int) -> list[str]:
    """`count` citizen accounts for persons of the demo population register (demo password)."""
    from tongban.demo import registry_loader
    from tongban.demo.loader import DEMO_PASSWORD
    from tongban.org.auth import hash_password
    from tongban.org.models import User
    from tongban.registries.models import RegistryRecord

    with factory() as session:
        population = registry_loader.register(session, "population")
        taken = set(session.execute(select(User.id_number).where(User.id_number.is_not(None))).scalars())
        rows = [r for r in session.execute(select(RegistryRecord).where(
            RegistryRecord.resource_id == population.id).order_by(RegistryRecord.record_key)).scalars()
            if r.record_key not in taken and not r.deleted][:count]
        pw = hash_password(DEMO_PASSWORD)
        session.add_all([User(username=r.record_key, display_name=r.data["name"], kind="citizen",
                              id_number=r.record_key, password_hash=pw) for r in rows])
        session.commit()
    return [r.record_key for r in rows]


def _client(server: Any, username: str) -> Any:
    import httpx

    from tongban.demo.loader import DEMO_PASSWORD

    c = httpx.Client(base_url=server.base, timeout=300)
    server.login(c, username, DEMO_PASSWORD)
    home = c.get("/home")
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text) or re.search(
        r'name="csrf-token" content="([^"]+)"', home.text)
    c.headers["X-CSRF-Token"] = token.group(1) if token else (c.cookies.get("tongban_csrf") or "")
    return c


def _apply(c: Any, impl_id: int, pdf: bytes, prefill: bool) -> dict[str, Any]:
    """One application over HTTP; returns the submission's latency, the whole sequence's and any errors."""
    errors: list[str] = []

    def ok(r: Any, status: int = 200) -> dict[str, Any]:
        if r.status_code != status:
            errors.append(f"{r.request.method} {r.request.url.path} {r.status_code} {r.text[:120]}")
            return {}
        return r.json()  # type: ignore[no-any-return]

    try:
        return _apply_steps(c, impl_id, pdf, prefill, ok, errors)
    except Exception as exc:  # a timeout or a dropped connection counts as an error, not as the end of the run
        errors.append(f"{type(exc).__name__}: {exc}"[:160])
        return {"errors": errors}


def _apply_steps(c: Any, impl_id: int, pdf: bytes, prefill: bool, ok: Any, errors: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    draft = ok(c.post("/api/v1/cases", json={"implementation_id": impl_id, "form_data": {}}), 201)
    if not draft:
        return {"errors": errors}
    case_id = draft["summary"]["id"]
    fetched = 0
    if prefill:
        ok(c.post(f"/api/v1/cases/{case_id}/prefill"))
        for option in ok(c.get(f"/api/v1/cases/{case_id}/materials/fetchable")) or []:
            if option["fetchable"]:
                preview = ok(c.post(f"/api/v1/cases/{case_id}/materials/{option['material_id']}/fetch", json={}))
                if preview.get("available"):
                    ok(c.post(f"/api/v1/cases/{case_id}/materials/{option['material_id']}/confirm",
                              json={"token": preview["token"]}))
                    fetched += 1
    for m in draft["materials"]:
        if m["source"] == "upload" and m["required"]:
            ok(c.post(f"/api/v1/cases/{case_id}/materials/{m['id']}/file",
                      files={"file": ("材料.pdf", pdf, "application/pdf")}))
    t1 = time.perf_counter()
    done = ok(c.post(f"/api/v1/cases/{case_id}/submit"))
    t2 = time.perf_counter()
    return {"errors": errors, "submit_ms": (t2 - t1) * 1000, "total_ms": (t2 - t0) * 1000, "fetched": fetched,
            "number": done.get("case", {}).get("summary", {}).get("number")}


def concurrent_applicants(url: str, factory: Any, count: int) -> dict[str, Any]:
    """`count` applicants at once against a `tongban serve` process, without and then with prefill."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from _common import LiveServer

    from tongban.demo import cases_loader

    with factory() as session:
        impl_id = cases_loader._implementation(session, *APPLY_ITEM)
    users = _applicants(factory, 2 * count)
    server = LiveServer(url)
    out: dict[str, Any] = {"applicants": count, "item": APPLY_ITEM[0], "server_log": str(server.log)}
    try:
        with ThreadPoolExecutor(8) as pool:  # logins (argon2) before the clock starts
            clients = list(pool.map(lambda u: _client(server, u), users))
        pdf = cases_loader._pdf()
        for phase, group in (("without_prefill", clients[:count]), ("with_prefill", clients[count:])):
            barrier = threading.Barrier(len(group))

            def run(c: Any, prefill: bool = phase == "with_prefill", b: Any = barrier) -> dict[str, Any]:
                b.wait()
                return _apply(c, impl_id, pdf, prefill)

            print(f"{phase}: {len(group)} applicants", file=sys.stderr, flush=True)
            t = time.perf_counter()
            with ThreadPoolExecutor(len(group)) as pool:
                results = list(pool.map(run, group))
            wall = time.perf_counter() - t
            submits = [r["submit_ms"] for r in results if "submit_ms" in r]
            totals = [r["total_ms"] for r in results if "total_ms" in r]
            errors = [e for r in results for e in r["errors"]]
            out[phase] = {"submitted": sum(1 for r in results if r.get("number")), "errors": len(errors),
                          "first_errors": errors[:3], "fetched_materials": sum(r.get("fetched", 0) for r in results),
                          "submit_p50_ms": round(percentile(submits, 50), 1) if submits else None,
                          "submit_p99_ms": round(percentile(submits, 99), 1) if submits else None,
                          "application_p50_ms": round(percentile(totals, 50), 1) if totals else None,
                          "application_p99_ms": round(percentile(totals, 99), 1) if totals else None,
                          "wall_s": round(wall, 1)}
        for c in clients:
            c.close()
    finally:
        server.stop()
    with factory() as session:
        out["duplicate_numbers"] = session.execute(text(
            "SELECT count(*) FROM (SELECT number FROM cases WHERE number IS NOT NULL GROUP BY number "
            "HAVING count(*) > 1) d")).scalar_one()
        out["cases_submitted_in_db"] = session.execute(text(
            "SELECT count(*) FROM cases WHERE implementation_id = :i AND number IS NOT NULL"), {"i": impl_id}
        ).scalar_one()
    return out


# ---------------------------------------------------------------- transitions


def transitions(factory: Any, count: int) -> dict[str, Any]:
    """`count` cases submitted, then 受理, 审查 and 准予 (with the licence) through cases.handling, each its own
    use-case and transaction; milliseconds per transition, and the engine's load + dump of one state."""
    from tongban.cases import handling, service
    from tongban.cases.models import Case
    from tongban.cases.schemas import Decision, Review
    from tongban.demo import cases_loader, city
    from tongban.workflow import engine as wf_engine
    from tongban.workflow import service as wf
    from tongban.workflow.models import WorkflowInstance

    with factory() as session:
        world = cases_loader._Demo(session)
        firm = _actor(session, city.ENTERPRISES[1].uscc)
        data = cases_loader._licence_data(session, 1)
        ids = []
        for _ in range(count):
            case = world.draft(firm, implementation_id=world.change, form_data=data)
            ids.append(service.submit(session=session, actor=firm, case_id=case.id).case.id)
        timings: dict[str, list[float]] = {"accept": [], "review": [], "decide_with_licence": []}
        steps = (("accept", lambda i: handling.accept(session=session, actor=world.amr_clerk, case_id=i)),
                 ("review", lambda i: handling.review(session=session, actor=world.amr_reviewer, case_id=i,
                                                      review_in=Review(opinion="材料齐全，符合条件"))),
                 ("decide_with_licence", lambda i: handling.decide(session=session, actor=world.amr_reviewer,
                                                                    case_id=i, decision=Decision(decision="approve"))))
        for name, fn in steps:
            for i in ids:
                t = time.perf_counter()
                fn(i)
                timings[name].append((time.perf_counter() - t) * 1000)
        assert all(session.get(Case, i).status == "decided" for i in ids)  # type: ignore[union-attr]
        # The state one transition loads and saves: its size and the engine's cost, at this number of cases.
        inst = session.get(WorkflowInstance, session.get(Case, ids[-1]).workflow_instance_id)  # type: ignore[union-attr]
        process = wf_engine.parse("promised", (wf.PROCESS_DIR / "promised.bpmn").read_text(encoding="utf-8"))
        t = time.perf_counter()
        for _ in range(50):
            wf_engine.dump(wf_engine.load(process, inst.state))  # type: ignore[union-attr]
        load_dump = (time.perf_counter() - t) / 50 * 1000
    simple = timings["accept"] + timings["review"]
    return {"cases": count, "transitions_per_second": round(len(simple) / (sum(simple) / 1000), 1),
            **{f"{k}_p50_ms": round(percentile(v, 50), 1) for k, v in timings.items()},
            **{f"{k}_p95_ms": round(percentile(v, 95), 1) for k, v in timings.items()},
            "state_bytes": len(inst.state.encode()), "state_load_dump_ms": round(load_dump, 2)}  # type: ignore[union-attr]


# ---------------------------------------------------------------- a million cases


def _slots(session: Session) -> list[int]:
    """1,000 department ids, each repeated by its share."""
    from tongban.org.models import Department

    ids = dict(session.execute(select(Department.code, Department.id)).all())
    slots: list[int] = []
    for code, share in DEPT_SHARE.items():
        slots += [ids[code]] * share
    others = [i for c, i in sorted(ids.items()) if c not in DEPT_SHARE]
    while len(slots) < 1000:
        slots.append(others[len(slots) % len(others)])
    return slots


def bulk_cases(engine: Engine, rows: int) -> dict[str, Any]:
    """`rows` cases, their workflow instances and the open cases' tasks, by SQL in the database."""
    from tongban.workflow.models import WorkflowProcess

    with Session(engine) as session:
        slots = _slots(session)
        users = list(session.execute(text(
            "SELECT id FROM users WHERE kind IN ('citizen', 'enterprise') ORDER BY id")).scalars())
        process_id = session.execute(select(WorkflowProcess.id).where(WorkflowProcess.key == "promised")
                                     .order_by(WorkflowProcess.version.desc())).scalars().first()
    pg = engine.dialect.name == "postgresql"
    t0 = time.perf_counter()
    status_rows, low = [], 0
    for status, share in STATUS_SHARE:
        status_rows.append((low, low + share, status))
        low += share
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE bench_slot (slot INTEGER PRIMARY KEY, dept INTEGER)"))
        conn.execute(text("INSERT INTO bench_slot VALUES (:s, :d)"), [{"s": i, "d": d} for i, d in enumerate(slots)])
        conn.execute(text("CREATE TEMPORARY TABLE bench_status (lo INTEGER, hi INTEGER, status VARCHAR(16))"))
        conn.execute(text("INSERT INTO bench_status VALUES (:lo, :hi, :st)"),
                     [{"lo": a, "hi": b, "st": s} for a, b, s in status_rows])
        conn.execute(text("CREATE TEMPORARY TABLE bench_user (slot INTEGER PRIMARY KEY, uid INTEGER)"))
        conn.execute(text("INSERT INTO bench_user VALUES (:s, :u)"), [{"s": i, "u": u} for i, u in enumerate(users)])
        nusers = len(users)
        # Pseudo-random but reproducible (and evaluated once per row, which random() in a joined subquery
        # is not on SQLite): multiplicative hashing of the row number.
        mix = "(g * 2654435761 % 1000003 % 1000) AS r1, (g * 40503 % 999983 % 1000) AS r2, " \
              "(g * 97 * 131 % 1095) AS age"
        if pg:
            series = f"SELECT g AS i, {mix.replace('g *', 'g::bigint *')} FROM generate_series(1, {rows}) g"
            day = "(CURRENT_DATE - s.age::int)"
            ts = "((CURRENT_DATE - s.age::int) + time '01:00' + (s.i % 480) * interval '1 minute')"
            plus = "({d} + ({n})::int)"
        else:
            series = f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {rows}) " \
                     f"SELECT g AS i, {mix} FROM s"
            day = "date('now', '-' || s.age || ' days')"
            ts = "datetime(date('now', '-' || s.age || ' days'), '+' || (60 + s.i % 480) || ' minutes')"
            plus = "date({d}, '+' || {n} || ' days')"
        # Open cases are recent (submitted in the last 30 days); finished ones over three years.
        age = "CASE WHEN st.status IN ('submitted','supplement','accepted','reviewed') THEN s0.age % 30 " \
              "ELSE s0.age END"
        # `age` depends on the status, so the status is picked first, in an inner select.
        inner = f"""
            SELECT s0.i, s0.r1, s0.r2, {age} AS age, st.status, bs.dept
            FROM ({series}) s0 JOIN bench_status st ON s0.r1 >= st.lo AND s0.r1 < st.hi
            JOIN bench_slot bs ON bs.slot = s0.r2
        """
        body = f"""
            SELECT {BASE} + s.i, 'BJ' || s.i, bu.uid, 'entity', '安康市某某有限公司', '91610902MA' || s.i, 'uscc',
                   NULL, 1, '011000000001', '内资企业变更登记', '{{}}', NULL, NULL, NULL, s.dept,
                   s.status, '网上', NULL, '{{}}', 'promised', {BASE} + s.i,
                   CASE WHEN s.status IN ('submitted') THEN {plus.format(d=day, n=7)} END,
                   CASE WHEN s.status IN ('accepted','reviewed') THEN {plus.format(d=day, n=28)} END,
                   CASE WHEN s.status IN ('accepted','reviewed') THEN {plus.format(d=day, n='(7 + s.r2 % 20)')} END,
                   NULL, NULL, NULL, false, NULL, '', '', NULL,
                   CASE WHEN s.status = 'draft' THEN NULL ELSE {ts} END,
                   NULL, NULL, NULL, NULL, NULL, {ts}, {ts}
            FROM ({inner}) s JOIN bench_user bu ON bu.slot = s.i % {nusers}
        """
        conn.execute(text(f"""INSERT INTO cases (id, number, applicant_user_id, applicant_kind, applicant_name,
            applicant_code, applicant_code_type, implementation_id, implementation_version, item_code, item_name,
            snapshot, bundle_code, parent_id, lane, department_id, status, channel, entered_by, form_data,
            process_key, workflow_instance_id, accept_due_on, legal_due_on, promised_due_on, suspended_reason,
            supplement_notice, supplement_notified_at, deemed_accepted, decision, reason, remedies, licence_id,
            submitted_at, accepted_at, decided_at, closed_at, delivered_at, withdrawn_at, created_at, updated_at)
            {body}"""))
        conn.execute(text(f"""INSERT INTO workflow_instances (id, process_id, subject_kind, subject_ref, lanes,
            format, state, status, end_event, created_at, updated_at, version)
            SELECT id, {process_id}, 'case', CAST(id AS VARCHAR(20)), '{{}}', '1.4', '{{}}',
                   CASE WHEN status IN ('submitted','supplement','accepted','reviewed') THEN 'running'
                        ELSE 'completed' END, NULL, created_at, updated_at, 1 FROM cases WHERE id > {BASE}"""))
        conn.execute(text(f"""INSERT INTO workflow_tasks (instance_id, task_id, name, title, role, lane,
            department_id, due_date, created_at)
            SELECT id, 'bench-' || id,
                   CASE status WHEN 'accepted' THEN 'review' WHEN 'reviewed' THEN 'decide' ELSE 'accept' END,
                   CASE status WHEN 'accepted' THEN '审查' WHEN 'reviewed' THEN '决定' ELSE '受理' END,
                   CASE WHEN status IN ('accepted','reviewed') THEN 'reviewer' ELSE 'window_clerk' END,
                   'dept', department_id, COALESCE(promised_due_on, accept_due_on), updated_at
            FROM cases WHERE id > {BASE} AND status IN ('submitted','accepted','reviewed')"""))
        # The open cases' running clocks (受理 for submitted ones; 法定 and 承诺 once accepted), as the
        # task list reads each case's clock.
        started = "CAST(submitted_at AS DATE)" if pg else "date(submitted_at)"
        for name, statuses, due in (("accept", "('submitted')", "accept_due_on"),
                                    ("legal", "('accepted','reviewed')", "legal_due_on"),
                                    ("promised", "('accepted','reviewed')", "promised_due_on")):
            conn.execute(text(f"""INSERT INTO legal_clocks (owner_type, owner_id, name, stage, state, started_on,
                days, extended_days, warn_days, used_days, due_on, warn_on, assumed, created_at, updated_at)
                SELECT 'case', id, '{name}', '', 'running', {started}, 5, 0, 1, 0, {due}, {due},
                       false, updated_at, updated_at
                FROM cases WHERE id > {BASE} AND status IN {statuses}"""))
        if pg:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
            conn.execute(text("SELECT setval(pg_get_serial_sequence('workflow_instances', 'id'), "
                              "(SELECT max(id) FROM workflow_instances))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    with engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT status, count(*) FROM cases GROUP BY status")).all())
        tasks = conn.execute(text("SELECT count(*) FROM workflow_tasks")).scalar_one()
    return {"rows": rows, "seconds": round(time.perf_counter() - t0, 1), "open_tasks": tasks,
            "by_status": counts}


class _Capture:
    """The statements a read model runs (for their EXPLAIN plans)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> _Capture:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)

    def _on(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        self.statements.append((statement, parameters))


def _explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    out = []
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            if engine.dialect.name == "postgresql":
                cur.execute("EXPLAIN " + sql, params)
                plan = [r[0] for r in cur.fetchall()]
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = [r[-1] for r in cur.fetchall()]
            out.append({"sql": " ".join(sql.split())[:160], "plan": plan})
    finally:
        raw.close()
    return out


def _timed(fn: Any) -> dict[str, float]:
    return timed(fn, REPEAT)


def lists_at_scale(engine: Engine) -> dict[str, Any]:
    from tongban.cases import queries

    factory = make_session_factory(engine)
    out: dict[str, Any] = {}
    with factory() as session:
        clerk, reviewer = _actor(session, "amr_clerk"), _actor(session, "amr_reviewer")
        page = queries.clerk_queue(session, clerk)
        tasks = queries.task_list(session, reviewer)
        out["queue_total"], out["queue_page"], out["tasks_shown"] = page.total, len(page.items), len(tasks)
        out["clerk_queue"] = _timed(lambda: queries.clerk_queue(session, clerk))
        out["clerk_queue_supplement"] = _timed(lambda: queries.clerk_queue(session, clerk, status="supplement"))
        out["task_list"] = _timed(lambda: queries.task_list(session, reviewer))
        dept = clerk.department_id
        bare_queue = text("SELECT id FROM cases WHERE department_id = :d AND status = 'submitted' "
                          "ORDER BY submitted_at, id LIMIT 50")
        out["bare_queue"] = _timed(lambda: session.execute(bare_queue, {"d": dept}).all())
        bare_tasks = text("SELECT id FROM workflow_tasks WHERE department_id = :d AND role = 'reviewer' "
                          "AND due_date IS NOT NULL ORDER BY due_date, id LIMIT 100")
        out["bare_tasks"] = _timed(lambda: session.execute(bare_tasks, {"d": dept}).all())
        plans: dict[str, Any] = {}
        for name, fn in (("clerk_queue", lambda: queries.clerk_queue(session, clerk)),
                         ("task_list", lambda: queries.task_list(session, reviewer))):
            with _Capture(engine) as cap:
                fn()
            plans[name] = _explain(engine, cap.statements[:4])
        out["plans"] = plans
    return out


def main() -> None:
    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    from tongban.demo import loader

    with factory() as session:
        loader.load(session)  # the demo city, its items, seals, licences and demo cases
    result: dict[str, Any] = {"bench": "cases", "database": engine.dialect.name}
    if APPLICANTS:
        result["concurrent"] = concurrent_applicants(url, factory, APPLICANTS)
    if TRANSITIONS:
        result["transitions_demo_scale"] = transitions(factory, TRANSITIONS)
    if ROWS:
        result["bulk"] = bulk_cases(engine, ROWS)
        if TRANSITIONS:
            result["transitions_after_bulk"] = transitions(factory, max(10, TRANSITIONS // 5))
        result["lists"] = lists_at_scale(engine)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
