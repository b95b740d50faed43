"""The instance diagram and the migration of a running instance to a new process version."""

from __future__ import annotations

import pytest
from lxml import etree

from tongban.errors import ValidationFailed
from tongban.workflow import diagram
from tongban.workflow import service as wf

CLERK, REVIEWER = "window_clerk", "reviewer"


@pytest.fixture
def published(session):  # type: ignore[no-untyped-def]
    return {p.key: p for p in wf.publish_shipped(session=session)}


def _states(svg: str) -> dict[str, str]:
    root = etree.fromstring(svg.encode())
    return {g.get("data-element"): g.get("data-state") for g in root.iter("{http://www.w3.org/2000/svg}g")
            if g.get("data-element")}


def test_the_diagram_highlights_the_current_tasks_and_marks_the_passed_ones(session, city, published) -> None:
    lanes = {"dept_a": city.amr.id, "dept_b": city.hrss.id, "dept_c": city.data_bureau.id}
    inst = wf.start(session=session, process_key="joint", subject=("case", "9"),
                    data={"policy": wf.ANY_REFUSAL, "departments": list(lanes)},
                    lanes={"lead": city.data_bureau.id, **lanes})
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"})
    svg = diagram.instance_svg(session, inst.id)
    states = _states(svg)
    assert states["approve"] == "当前步骤"
    assert states["accept"] == states["start"] == "已完成"
    assert states["approved"] == ""
    assert "联合审批（第 2 版）" in svg and "协办部门（并行审批）" in svg and "部门审批（各部门并行）" in svg
    assert 'data-marker="parallel"' in svg
    # one department decided, two still deciding: the task stays current
    wf.complete(session=session, instance_id=inst.id, task="approve", lane="dept_b",
                actor=wf.Participant(REVIEWER, city.hrss.id), outcome="approve")
    assert _states(diagram.instance_svg(session, inst.id))["approve"] == "当前步骤"
    for lane in ("dept_a", "dept_c"):
        wf.complete(session=session, instance_id=inst.id, task="approve", lane=lane,
                    actor=wf.Participant(REVIEWER, lanes[lane]), outcome="approve")
    states = _states(diagram.instance_svg(session, inst.id))
    assert states["approve"] == states["gw_decision"] == states["approved"] == "已完成"
    assert states["refused"] == ""


def test_the_diagram_of_version_1_still_shows_its_two_lanes(session, city, published) -> None:
    inst = wf.start(session=session, process_key="joint", subject=("case", "9"), data={"policy": wf.ANY_REFUSAL},
                    lanes={"lead": city.data_bureau.id, "dept_a": city.amr.id, "dept_b": city.hrss.id}, version=1)
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"})
    svg = diagram.instance_svg(session, inst.id)
    states = _states(svg)
    assert states["approve_a"] == states["approve_b"] == "当前步骤"
    assert "联合审批（第 1 版）" in svg and "协办部门一" in svg


def test_the_diagram_escapes_its_labels() -> None:
    bpmn = (wf.PROCESS_DIR / "immediate.bpmn").read_text(encoding="utf-8")
    svg = diagram.render(bpmn.replace('name="受理并决定"', 'name="&lt;script&gt;alert(1)&lt;/script&gt;"'),
                         current={"accept_decide"})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    etree.fromstring(svg.encode())  # well-formed


def _v2(session, published):  # type: ignore[no-untyped-def]
    """承诺件 version 2: 审查 becomes 实质审查 with a new BPMN id."""
    bpmn = published["promised"].bpmn.replace('"review"', '"substantive_review"').replace(
        ">review<", ">substantive_review<").replace('name="审查"', 'name="实质审查"')
    bpmn = bpmn.replace('bpmnElement="review"', 'bpmnElement="substantive_review"').replace(
        'id="review_di"', 'id="substantive_review_di"')
    return wf.publish(session=session, key="promised", bpmn=bpmn)


def test_a_running_instance_moves_to_a_new_version_by_an_explicit_mapping(session, city, published) -> None:
    inst = wf.start(session=session, process_key="promised", subject=("case", "5"), lanes={"dept": city.amr.id})
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.amr.id),
                data={"acceptance": "accept"})
    v2 = _v2(session, published)
    with pytest.raises(ValidationFailed) as exc:
        wf.migrate(session=session, instance_id=inst.id, to_process_id=v2.id, mapping={})
    assert "审查" in exc.value.message and "对应的步骤" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        wf.migrate(session=session, instance_id=inst.id, to_process_id=v2.id, mapping={"review": "nowhere"})
    assert "没有这些步骤" in exc.value.message
    assert [t.name for t in wf.ready_tasks(session, inst.id)] == ["review"]

    wf.migrate(session=session, instance_id=inst.id, to_process_id=v2.id, mapping={"review": "substantive_review"})
    session.expire_all()
    [task] = wf.ready_tasks(session, inst.id)
    assert (task.name, task.title, task.department_id) == ("substantive_review", "实质审查", city.amr.id)
    reviewer = wf.Participant(REVIEWER, city.amr.id)
    wf.complete(session=session, instance_id=inst.id, task="substantive_review", actor=reviewer)
    wf.complete(session=session, instance_id=inst.id, task="decide", actor=reviewer, data={"decision": "approve"})
    session.expire_all()
    row = session.get(type(inst), inst.id)
    assert (row.process_id, row.status, row.end_event) == (v2.id, "completed", "approved")


def test_a_new_instance_starts_on_the_newest_version_and_old_ones_stay(session, city, published) -> None:
    old = wf.start(session=session, process_key="promised", subject=("case", "6"), lanes={"dept": city.amr.id})
    v2 = _v2(session, published)
    new = wf.start(session=session, process_key="promised", subject=("case", "7"), lanes={"dept": city.amr.id})
    assert (old.process_id, new.process_id) == (published["promised"].id, v2.id)
    clerk = wf.Participant(CLERK, city.amr.id)
    wf.complete(session=session, instance_id=old.id, task="accept", actor=clerk, data={"acceptance": "accept"})
    assert [t.name for t in wf.ready_tasks(session, old.id)] == ["review"]


def _joint_v1(session, city, subject):  # type: ignore[no-untyped-def]
    return wf.start(session=session, process_key="joint", subject=("case", subject), data={"policy": wf.ANY_REFUSAL},
                    lanes={"lead": city.data_bureau.id, "dept_a": city.amr.id, "dept_b": city.hrss.id}, version=1)


def test_a_two_lane_joint_case_not_yet_accepted_moves_to_version_2(session, city, published) -> None:
    """联合审批 1 → 2: a case still waiting for 受理 can move (its lanes "dept_a"/"dept_b" become the listed
    departments); the departments then decide as instances of the one parallel task."""
    inst = _joint_v1(session, city, "10")
    v2 = published["joint"]
    with pytest.raises(ValidationFailed) as exc:  # version 2 needs the list of departments
        wf.migrate(session=session, instance_id=inst.id, to_process_id=v2.id, mapping={"accept": "accept"})
    assert "没有列出办理部门" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        wf.migrate(session=session, instance_id=inst.id, to_process_id=v2.id, mapping={"accept": "approve"},
                   data={"departments": ["dept_a", "dept_b"]})
    assert "各部门并行" in exc.value.message
    wf.migrate(session=session, instance_id=inst.id, to_process_id=v2.id, mapping={"accept": "accept"},
               data={"departments": ["dept_a", "dept_b"]})
    session.expire_all()
    assert [t.name for t in wf.ready_tasks(session, inst.id)] == ["accept"]
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"})
    assert sorted((t.name, t.lane, t.department_id) for t in wf.ready_tasks(session, inst.id)) == [
        ("approve", "dept_a", city.amr.id), ("approve", "dept_b", city.hrss.id)]
    for lane, department in (("dept_b", city.hrss.id), ("dept_a", city.amr.id)):
        wf.complete(session=session, instance_id=inst.id, task="approve", lane=lane,
                    actor=wf.Participant(REVIEWER, department), outcome="approve")
    session.expire_all()
    row = session.get(type(inst), inst.id)
    assert (row.process_id, row.status, row.end_event) == (v2.id, "completed", "approved")


def test_a_joint_case_in_parallel_approval_is_not_migrated(session, city, published) -> None:
    inst = _joint_v1(session, city, "11")
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"})
    wf.complete(session=session, instance_id=inst.id, task="approve_a", actor=wf.Participant(REVIEWER, city.amr.id),
                data={"opinion_a": "approve"})
    with pytest.raises(ValidationFailed) as exc:
        wf.migrate(session=session, instance_id=inst.id, to_process_id=published["joint"].id,
                   mapping={"approve_b": "approve"}, data={"departments": ["dept_a", "dept_b"]})
    assert "各部门并行" in exc.value.message
    # and back from version 2 while its departments decide: refused as well
    lanes = {"dept_a": city.amr.id, "dept_b": city.hrss.id}
    v2 = wf.start(session=session, process_key="joint", subject=("case", "12"),
                  data={"policy": wf.ANY_REFUSAL, "departments": list(lanes)}, lanes={"lead": city.data_bureau.id,
                                                                                      **lanes})
    wf.complete(session=session, instance_id=v2.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"})
    with pytest.raises(ValidationFailed) as exc:
        wf.migrate(session=session, instance_id=v2.id, to_process_id=inst.process_id, mapping={"approve": "approve_a"})
    assert "正由各部门并行办理" in exc.value.message
    session.expire_all()
    assert [t.name for t in wf.ready_tasks(session, inst.id)] == ["approve_b"]
