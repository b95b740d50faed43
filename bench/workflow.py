"""Workflow engine: transitions per second, and the cost of loading and saving a process state as its
history grows, against a bare json.loads/json.dumps of the same state in the same run.

Transitions: N 承诺件 instances (process "promised") each started and taken through 受理 → 补正 → 补正材料 →
受理 → 审查 → 决定, one use-case (load, run, project ready tasks, serialize once, commit) per transition,
on a fresh SQLite file (or TONGBAN_BENCH_DATABASE_URL, e.g. PostgreSQL, whose schema it resets); and the
same transitions on in-memory workflows only (the engine without the database).
State cost: one instance sent round the 补正 loop k times (two user tasks each; every task keeps a copy
of the process data in SpiffWorkflow's state, so the state grows with the history); at each k the median
of `engine.load` + `engine.dump` against `json.loads` + `json.dumps` of the same JSON.

Prints one JSON line. Usage: .venv/bin/python bench/workflow.py [N]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from _common import fresh_database

from tongban.db import make_engine, make_session_factory
from tongban.workflow import engine as wf_engine
from tongban.workflow import service as wf

N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
CLERK, REVIEWER, APPLICANT = "window_clerk", "reviewer", "applicant"
STEPS = [("accept", CLERK, {"acceptance": "supplement"}), ("supplement", APPLICANT, {"supplied": ["营业执照"]}),
         ("accept", CLERK, {"acceptance": "accept"}), ("review", REVIEWER, {"opinion": "材料齐全，符合条件"}),
         ("decide", REVIEWER, {"decision": "approve"})]


def _department(session: Any) -> int:
    import sys as _sys
    from pathlib import Path

    _sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.factories import department

    dept = department(session, "安康市基准测试局", code="bench-dept")
    session.commit()
    return int(dept.id)


def transitions_db(factory: Any) -> dict[str, float]:
    with factory() as session:
        wf.publish_shipped(session=session)
        dept = _department(session)
        count = 0
        t = time.perf_counter()
        for i in range(N):
            inst = wf.start(session=session, process_key="promised", subject=("case", str(i)), lanes={"dept": dept})
            for name, role, data in STEPS:
                wf.complete(session=session, instance_id=inst.id, task=name,
                            actor=wf.Participant(role, None if role == APPLICANT else dept), data=data)
                count += 1
        elapsed = time.perf_counter() - t
    return {"transitions": count, "seconds": round(elapsed, 3), "per_second": round(count / elapsed, 1)}


def transitions_memory(process: wf_engine.Process) -> dict[str, float]:
    count = 0
    t = time.perf_counter()
    for _ in range(N):
        workflow = wf_engine.new_workflow(process, {})
        for name, _role, data in STEPS:
            [task] = [x for x in wf_engine.ready_user_tasks(workflow) if x.task_spec.name == name]
            task.set_data(**data)
            task.run()
            workflow.do_engine_steps()
            count += 1
    elapsed = time.perf_counter() - t
    return {"transitions": count, "per_second": round(count / elapsed, 1)}


def _median(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def state_cost(process: wf_engine.Process) -> list[dict[str, float]]:
    data = {"applicant": "安康市汉滨区某某商贸有限公司", "materials": ["申请书"] * 5}
    workflow = wf_engine.new_workflow(process, data)
    rows = []
    loops = 0
    for target in (0, 10, 50, 100, 200):
        while loops < target:
            for name, data in (("accept", {"acceptance": "supplement"}), ("supplement", {"round": loops})):
                [task] = [x for x in wf_engine.ready_user_tasks(workflow) if x.task_spec.name == name]
                task.set_data(**data)
                task.run()
                workflow.do_engine_steps()
            loops += 1
        state = wf_engine.dump(workflow)
        repeat = 30 if target <= 50 else 10
        engine_s = _median(lambda s=state: wf_engine.dump(wf_engine.load(process, s)), repeat)
        bare_s = _median(lambda s=state: json.dumps(json.loads(s)), repeat)
        rows.append({"supplement_loops": target, "tasks": len(workflow.tasks), "state_bytes": len(state.encode()),
                     "load_save_ms": round(engine_s * 1000, 2), "bare_json_ms": round(bare_s * 1000, 3),
                     "ratio": round(engine_s / bare_s, 1)})
    return rows


def main() -> None:
    url = fresh_database()
    factory = make_session_factory(make_engine(url))
    process = wf_engine.parse("promised", (wf.PROCESS_DIR / "promised.bpmn").read_text(encoding="utf-8"))
    transitions_memory(process)  # warm-up
    memory = transitions_memory(process)
    db = transitions_db(factory)
    print(json.dumps({"bench": "workflow", "database": url.split(":", 1)[0], "instances": N,
                      "transitions_db": db, "transitions_in_memory": memory,
                      "db_vs_memory": round(memory["per_second"] / db["per_second"], 1),
                      "state_cost": state_cost(process)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
