"""Serialized workflows of each released format still load and run to the end with the pinned SpiffWorkflow.

SpiffWorkflow migrates older serializations itself, and those migrations have had bugs (1.4 → 1.5 raised
NameError on workflows with subprocesses). So every format this platform ever wrote keeps fixtures here,
fixtures/format-<version>/<process>.json, each a state in the middle of a process with the steps that
finish it. A SpiffWorkflow upgrade that changes the format fails `test_the_format_is_the_one_recorded`:
then add fixtures of the new format (`python -m tests.workflow.test_fixtures`), keep the old ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT

from tongban.workflow import engine
from tongban.workflow.service import PROCESS_DIR

FIXTURES = Path(__file__).parent / "fixtures"

# For each fixture (named after its process, "-<version>" for a later shipped version of it): the steps done
# before the state is saved, and the steps that finish it — (task, data) or (task, data, lane) where one task
# runs once per department.
SCENARIOS: dict[str, dict[str, Any]] = {
    "immediate": {"data": {}, "before": [], "after": [("accept_decide", {"decision": "approve"})],
                  "end": "approved"},
    "promised": {"data": {}, "before": [("accept", {"acceptance": "supplement"}), ("supplement", {"n": 1}),
                                        ("accept", {"acceptance": "accept"})],
                 "after": [("review", {}), ("decide", {"decision": "refuse"})], "end": "refused"},
    "joint": {"data": {"policy": "all_must_decide"},
              "before": [("accept", {"acceptance": "accept"}), ("approve_a", {"opinion_a": "approve"})],
              "after": [("approve_b", {"opinion_b": "approve"})], "end": "approved", "file": "joint.v1.bpmn"},
    "joint-2": {"data": {"policy": "any_refusal", "departments": ["dept_a", "dept_b", "dept_c"]},
                "before": [("accept", {"acceptance": "accept"}), ("approve", {"opinion": "approve"}, "dept_b")],
                "after": [("approve", {"opinion": "approve"}, "dept_c"), ("approve", {"opinion": "refuse"}, "dept_a")],
                "end": "refused"},
}


def _run(workflow: Any, steps: list[Any]) -> None:
    for name, data, *lane in steps:
        [task] = [t for t in engine.ready_user_tasks(workflow) if engine.task_name(t) == name
                  and (not lane or t.data.get("department_lane") == lane[0])]
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()


def _fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("format-*/*.json"))


def test_the_format_is_the_one_recorded() -> None:
    """A new serializer format must be noticed: record fixtures of it before shipping the upgrade."""
    assert SPIFF_FORMAT == engine.FORMAT
    process = engine.parse("immediate", (PROCESS_DIR / "immediate.bpmn").read_text(encoding="utf-8"))
    assert json.loads(engine.dump(engine.new_workflow(process, {})))["serializer_version"] == engine.FORMAT
    assert {p.stem for p in (FIXTURES / f"format-{engine.FORMAT}").glob("*.json")} == set(SCENARIOS)


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_stored_workflow_loads_and_runs_to_its_end(path: Path) -> None:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    assert fixture["format"] in engine.READABLE_FORMATS
    process = engine.parse(fixture["process_key"], fixture["bpmn"])
    workflow = engine.load(process, fixture["state"])
    assert sorted(engine.task_name(t) for t in engine.ready_user_tasks(workflow)) == fixture["ready"]
    _run(workflow, fixture["after"])
    assert workflow.is_completed()
    assert engine.end_event(workflow) == fixture["end"]
    # and what it saves now loads again
    again = engine.load(process, engine.dump(workflow))
    assert again.is_completed()


def regenerate() -> None:
    """Write the missing fixtures of the current format (never overwrite a recorded one)."""
    import importlib.metadata

    folder = FIXTURES / f"format-{engine.FORMAT}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, scenario in SCENARIOS.items():
        if (folder / f"{name}.json").exists():
            continue
        key = name.split("-")[0]
        bpmn = (PROCESS_DIR / scenario.get("file", f"{key}.bpmn")).read_text(encoding="utf-8")
        process = engine.parse(key, bpmn)
        workflow = engine.new_workflow(process, scenario["data"])
        _run(workflow, scenario["before"])
        fixture = {"format": engine.FORMAT, "spiffworkflow": importlib.metadata.version("spiffworkflow"),
                   "process_key": key, "bpmn": bpmn, "state": engine.dump(workflow),
                   "ready": sorted(engine.task_name(t) for t in engine.ready_user_tasks(workflow)),
                   "after": scenario["after"], "end": scenario["end"]}
        (folder / f"{name}.json").write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    regenerate()
