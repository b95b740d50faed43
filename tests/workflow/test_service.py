"""The workflow engine's use-cases: publishing, every branch of the shipped processes, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tongban.errors import Conflict, InvalidTransition, ValidationFailed
from tongban.transactions import scope
from tongban.workflow import service as wf
from tongban.workflow.models import WorkflowInstance, WorkflowProcess, WorkflowTask

CLERK, REVIEWER, APPLICANT = "window_clerk", "reviewer", "applicant"


@pytest.fixture
def published(session):  # type: ignore[no-untyped-def]
    return {p.key: p for p in wf.publish_shipped(session=session)}


def names(session, instance_id):  # type: ignore[no-untyped-def]
    return [t.name for t in wf.ready_tasks(session, instance_id)]


def test_publishing_is_idempotent_and_a_changed_document_is_a_new_version(session, published) -> None:
    again = wf.publish_shipped(session=session)
    assert [p.id for p in again] == [published[k].id for k in wf.SHIPPED]
    # 联合审批 has two shipped versions: 1 with two fixed lanes, 2 with any number of departments.
    assert session.scalar(select(func.count()).select_from(WorkflowProcess)) == 4
    assert (published["joint"].version, wf.latest_process(session, "joint").version) == (2, 2)
    changed = published["promised"].bpmn.replace('name="审查"', 'name="实质审查"')
    v2 = wf.publish(session=session, key="promised", bpmn=changed)
    assert (v2.version, published["promised"].version) == (2, 1)
    assert wf.latest_process(session, "promised").id == v2.id


def test_a_broken_or_unassigned_process_is_refused(session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        wf.publish(session=session, key="x", bpmn="<not xml")
    assert "XML" in exc.value.message
    bpmn = (wf.PROCESS_DIR / "immediate.bpmn").read_text(encoding="utf-8")
    no_role = bpmn.replace('<spiffworkflow:property name="role" value="window_clerk" />', "")
    with pytest.raises(ValidationFailed) as exc:
        wf.publish(session=session, key="immediate", bpmn=no_role)
    assert "没有指定办理角色" in exc.value.message


@pytest.mark.parametrize(("decision", "end"), [("approve", "approved"), ("refuse", "refused"),
                                               ("reject", "not_accepted")])
def test_immediate_accepting_is_deciding(session, city, published, decision, end) -> None:
    inst = wf.start(session=session, process_key="immediate", subject=("case", "1"), lanes={"dept": city.amr.id},
                    due_dates={"accept_decide": dt.date(2026, 12, 4)})
    [task] = wf.ready_tasks(session, inst.id)
    assert (task.name, task.title, task.role, task.department_id, task.due_date) == (
        "accept_decide", "受理并决定", CLERK, city.amr.id, dt.date(2026, 12, 4))
    wf.complete(session=session, instance_id=inst.id, task="accept_decide",
                actor=wf.Participant(CLERK, city.amr.id), data={"decision": decision})
    session.expire_all()
    row = session.get(WorkflowInstance, inst.id)
    assert (row.status, row.end_event) == ("completed", end)
    assert wf.ready_tasks(session, inst.id) == []


def _promised(session, city):  # type: ignore[no-untyped-def]
    return wf.start(session=session, process_key="promised", subject=("case", "2"), lanes={"dept": city.amr.id})


def test_promised_with_a_supplement_loop_then_approval(session, city, published) -> None:
    inst = _promised(session, city)
    clerk = wf.Participant(CLERK, city.amr.id)
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=clerk, data={"acceptance": "supplement"})
    [task] = wf.ready_tasks(session, inst.id)
    assert (task.name, task.role, task.department_id) == ("supplement", APPLICANT, None)
    with pytest.raises(InvalidTransition) as exc:
        wf.complete(session=session, instance_id=inst.id, task="review", actor=wf.Participant(REVIEWER, city.amr.id))
    assert exc.value.status_code == 409 and "补正材料" in exc.value.message
    wf.complete(session=session, instance_id=inst.id, task="supplement", actor=wf.Participant(APPLICANT),
                data={"supplied": ["营业执照"]})
    assert names(session, inst.id) == ["accept"]
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=clerk, data={"acceptance": "accept"})
    wf.complete(session=session, instance_id=inst.id, task="review", actor=wf.Participant(REVIEWER, city.amr.id))
    wf.complete(session=session, instance_id=inst.id, task="decide", actor=wf.Participant(REVIEWER, city.amr.id),
                data={"decision": "approve"})
    session.expire_all()
    row = session.get(WorkflowInstance, inst.id)
    assert (row.status, row.end_event) == ("completed", "approved")
    with pytest.raises(InvalidTransition) as exc:
        wf.complete(session=session, instance_id=inst.id, task="decide", actor=wf.Participant(REVIEWER, city.amr.id),
                    data={"decision": "approve"})
    assert "已结束" in exc.value.message


@pytest.mark.parametrize(("acceptance", "decision", "end"), [("reject", None, "not_accepted"),
                                                             ("accept", "refuse", "refused")])
def test_promised_refusals(session, city, published, acceptance, decision, end) -> None:
    inst = _promised(session, city)
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.amr.id),
                data={"acceptance": acceptance})
    if decision:
        reviewer = wf.Participant(REVIEWER, city.amr.id)
        wf.complete(session=session, instance_id=inst.id, task="review", actor=reviewer)
        wf.complete(session=session, instance_id=inst.id, task="decide", actor=reviewer, data={"decision": decision})
    session.expire_all()
    assert session.get(WorkflowInstance, inst.id).end_event == end


def test_wrong_role_department_or_outcome_is_refused(session, city, published) -> None:
    inst = _promised(session, city)
    with pytest.raises(InvalidTransition) as exc:
        wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(REVIEWER, city.amr.id),
                    data={"acceptance": "accept"})
    assert "窗口受理人员" in exc.value.message
    with pytest.raises(InvalidTransition) as exc:
        wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.hrss.id),
                    data={"acceptance": "accept"})
    assert "其他部门" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.amr.id),
                    data={"acceptance": "maybe"})
    assert "受理、补正、不予受理" in exc.value.message
    with pytest.raises(InvalidTransition):
        wf.complete(session=session, instance_id=inst.id, task="nope", actor=wf.Participant(CLERK, city.amr.id))
    assert names(session, inst.id) == ["accept"]


def test_a_lane_without_department_is_refused(session, city, published) -> None:
    lanes = {"lead": city.data_bureau.id, "dept_a": city.amr.id}
    with pytest.raises(ValidationFailed) as exc:
        wf.start(session=session, process_key="joint", subject=("case", "3"), data={"departments": []}, lanes=lanes)
    assert "没有列出办理部门" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        wf.start(session=session, process_key="joint", subject=("case", "3"),
                 data={"departments": ["dept_a", "dept_b"]}, lanes=lanes)
    assert "没有指定办理部门" in exc.value.message and "dept_b" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        wf.start(session=session, process_key="joint", subject=("case", "3"),
                 data={"departments": ["dept_a", "dept_a"]}, lanes=lanes)
    assert exc.value.code == "lane_duplicate"
    with pytest.raises(ValidationFailed) as exc:  # not listed, and no lane beyond the process's own
        wf.start(session=session, process_key="joint", subject=("case", "3"), lanes={"lead": city.data_bureau.id})
    assert "没有列出办理部门" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:  # version 1: its second fixed lane
        wf.start(session=session, process_key="joint", subject=("case", "3"), lanes=lanes, version=1)
    assert "协办部门二" in exc.value.message
    assert session.scalar(select(func.count()).select_from(WorkflowInstance)) == 0


@pytest.fixture
def departments(session, city):  # type: ignore[no-untyped-def]
    """Four departments that decide in parallel, by lane."""
    from tests.factories import department

    return {"dept_a": city.amr.id, "dept_b": city.hrss.id,
            "dept_c": department(session, "安康市税务局").id, "dept_d": department(session, "安康市公安局").id}


def _joint(session, city, policy, lanes):  # type: ignore[no-untyped-def]
    inst = wf.start(session=session, process_key="joint", subject=("case", "4"),
                    data={"policy": policy, "departments": list(lanes)}, lanes={"lead": city.data_bureau.id, **lanes})
    assert names(session, inst.id) == ["accept"]
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"}, due_dates={"approve": dt.date(2026, 12, 10)})
    return inst


def test_joint_departments_default_to_the_lanes_given(session, city, published) -> None:
    inst = wf.start(session=session, process_key="joint", subject=("case", "4"), data={"policy": wf.ANY_REFUSAL},
                    lanes={"lead": city.data_bureau.id, "dept_x": city.amr.id, "dept_y": city.hrss.id})
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"})
    assert sorted((t.lane, t.department_id) for t in wf.ready_tasks(session, inst.id)) == [
        ("dept_x", city.amr.id), ("dept_y", city.hrss.id)]


def _opinion(session, inst, lanes, lane, value):  # type: ignore[no-untyped-def]
    wf.complete(session=session, instance_id=inst.id, task="approve", lane=lane,
                actor=wf.Participant(REVIEWER, lanes[lane]), outcome=value)


@pytest.mark.parametrize("order", [("dept_a", "dept_b", "dept_c"), ("dept_c", "dept_a", "dept_b"),
                                   ("dept_d", "dept_b", "dept_a", "dept_c"), ("dept_b", "dept_d", "dept_c", "dept_a")])
def test_joint_departments_approve_in_parallel_in_any_order(session, city, published, departments, order) -> None:
    lanes = {lane: departments[lane] for lane in sorted(order)}
    inst = _joint(session, city, wf.ANY_REFUSAL, lanes)
    tasks = wf.ready_tasks(session, inst.id)
    assert sorted((t.name, t.title, t.lane, t.department_id, t.role, t.due_date) for t in tasks) == sorted(
        ("approve", "部门审批", lane, dept, REVIEWER, dt.date(2026, 12, 10)) for lane, dept in lanes.items())
    for n, lane in enumerate(order):
        _opinion(session, inst, lanes, lane, "approve")
        assert sorted(t.lane for t in wf.ready_tasks(session, inst.id)) == sorted(order[n + 1:])
    session.expire_all()
    row = session.get(WorkflowInstance, inst.id)
    assert (row.status, row.end_event) == ("completed", "approved")
    assert session.scalar(select(func.count()).select_from(WorkflowTask)) == 0


def test_joint_only_a_listed_department_decides_and_only_once(session, city, published, departments) -> None:
    lanes = {k: departments[k] for k in ("dept_a", "dept_b", "dept_c")}
    inst = _joint(session, city, wf.ALL_MUST_DECIDE, lanes)
    with pytest.raises(InvalidTransition) as exc:  # 人社局's reviewer acting in 市场监管局's lane
        wf.complete(session=session, instance_id=inst.id, task="approve", lane="dept_a",
                    actor=wf.Participant(REVIEWER, city.hrss.id), outcome="approve")
    assert exc.value.status_code == 409 and "其他部门" in exc.value.message
    with pytest.raises(InvalidTransition) as exc:  # a department that is not part of the case
        wf.complete(session=session, instance_id=inst.id, task="approve",
                    actor=wf.Participant(REVIEWER, departments["dept_d"]), outcome="approve")
    assert "其他部门" in exc.value.message
    with pytest.raises(ValidationFailed):
        _opinion(session, inst, lanes, "dept_b", "maybe")
    wf.complete(session=session, instance_id=inst.id, task="approve", actor=wf.Participant(REVIEWER, city.hrss.id),
                outcome="approve")  # without a lane: the instance of the actor's department
    with pytest.raises(InvalidTransition) as exc:
        _opinion(session, inst, lanes, "dept_b", "approve")
    assert exc.value.status_code == 409 and "等待其他部门" in exc.value.message
    with pytest.raises(InvalidTransition) as exc:
        wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                    data={"acceptance": "accept"})
    assert "部门审批" in exc.value.message and "部门审批、" not in exc.value.message
    assert sorted(t.lane for t in wf.ready_tasks(session, inst.id)) == ["dept_a", "dept_c"]


@pytest.mark.parametrize(("policy", "end"), [(wf.ANY_REFUSAL, "refused"), (wf.ALL_MUST_DECIDE, "refused")])
def test_joint_one_department_refuses(session, city, published, departments, policy, end) -> None:
    inst = _joint(session, city, policy, departments)
    _opinion(session, inst, departments, "dept_b", "approve")
    _opinion(session, inst, departments, "dept_c", "refuse")
    left = sorted(t.lane for t in wf.ready_tasks(session, inst.id))
    if policy == wf.ANY_REFUSAL:  # one refusal decides: the others' tasks are withdrawn
        assert left == []
    else:  # every department still decides, then the joint decision
        assert left == ["dept_a", "dept_d"]
        _opinion(session, inst, departments, "dept_d", "approve")
        _opinion(session, inst, departments, "dept_a", "approve")
    session.expire_all()
    row = session.get(WorkflowInstance, inst.id)
    assert (row.status, row.end_event) == ("completed", end)
    assert session.scalar(select(func.count()).select_from(WorkflowTask)) == 0


def _joint_v1(session, city, policy):  # type: ignore[no-untyped-def]
    inst = wf.start(session=session, process_key="joint", subject=("case", "4"), data={"policy": policy},
                    lanes={"lead": city.data_bureau.id, "dept_a": city.amr.id, "dept_b": city.hrss.id}, version=1)
    wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.data_bureau.id),
                data={"acceptance": "accept"}, due_dates={"approve_a": dt.date(2026, 12, 10)})
    return inst


def test_joint_version_1_still_runs_its_two_lanes(session, city, published) -> None:
    inst = _joint_v1(session, city, wf.ALL_MUST_DECIDE)
    tasks = {t.name: t for t in wf.ready_tasks(session, inst.id)}
    assert {n: (t.lane, t.department_id, t.due_date) for n, t in tasks.items()} == {
        "approve_a": ("dept_a", city.amr.id, dt.date(2026, 12, 10)), "approve_b": ("dept_b", city.hrss.id, None)}
    with pytest.raises(InvalidTransition):
        wf.complete(session=session, instance_id=inst.id, task="approve_a",
                    actor=wf.Participant(REVIEWER, city.hrss.id), data={"opinion_a": "approve"})
    wf.complete(session=session, instance_id=inst.id, task="approve_a", actor=wf.Participant(REVIEWER, city.amr.id),
                outcome="approve")  # the outcome by value: the variable is version 1's "opinion_a"
    assert names(session, inst.id) == ["approve_b"]
    wf.complete(session=session, instance_id=inst.id, task="approve_b", actor=wf.Participant(REVIEWER, city.hrss.id),
                data={"opinion_b": "approve"})
    session.expire_all()
    row = session.get(WorkflowInstance, inst.id)
    assert (row.end_event, session.get(WorkflowProcess, row.process_id).version) == ("approved", 1)


@pytest.mark.parametrize(("policy", "still_open", "end"), [(wf.ANY_REFUSAL, False, "refused_a"),
                                                           (wf.ALL_MUST_DECIDE, True, "refused")])
def test_joint_version_1_one_department_refuses(session, city, published, policy, still_open, end) -> None:
    inst = _joint_v1(session, city, policy)
    wf.complete(session=session, instance_id=inst.id, task="approve_a", actor=wf.Participant(REVIEWER, city.amr.id),
                data={"opinion_a": "refuse"})
    assert (names(session, inst.id) == ["approve_b"]) is still_open
    if still_open:
        wf.complete(session=session, instance_id=inst.id, task="approve_b",
                    actor=wf.Participant(REVIEWER, city.hrss.id), data={"opinion_b": "approve"})
    session.expire_all()
    row = session.get(WorkflowInstance, inst.id)
    assert (row.status, row.end_event) == ("completed", end)
    assert session.scalar(select(func.count()).select_from(WorkflowTask)) == 0


def test_one_serialization_per_use_case(session, city, published) -> None:
    """Two transitions in one use-case write the state once, at the commit."""
    inst = _promised(session, city)
    state_before = inst.state
    dumps = []
    from tongban.workflow import engine
    real_dump = engine.dump

    def counting_dump(workflow):  # type: ignore[no-untyped-def]
        dumps.append(1)
        return real_dump(workflow)

    engine.dump = counting_dump  # type: ignore[assignment]
    try:
        with scope(session):
            wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.amr.id),
                        data={"acceptance": "accept"})
            wf.complete(session=session, instance_id=inst.id, task="review",
                        actor=wf.Participant(REVIEWER, city.amr.id))
    finally:
        engine.dump = real_dump  # type: ignore[assignment]
    assert len(dumps) == 1
    session.expire_all()
    assert session.get(WorkflowInstance, inst.id).state != state_before
    assert names(session, inst.id) == ["decide"]


def test_a_rolled_back_savepoint_after_a_transition_refuses_the_commit(session, city, published) -> None:
    inst = _promised(session, city)
    with pytest.raises(Conflict), scope(session):
        try:
            with scope(session):
                wf.complete(session=session, instance_id=inst.id, task="accept",
                            actor=wf.Participant(CLERK, city.amr.id), data={"acceptance": "accept"})
                raise RuntimeError("the caller's own step fails")
        except RuntimeError:
            pass
    session.expire_all()
    assert names(session, inst.id) == ["accept"]


def test_a_stale_copy_cannot_overwrite_another_transition(session, city, published, app) -> None:
    from tongban.db import make_session_factory

    inst = _promised(session, city)
    wf._entry(session, inst.id)  # this session has loaded the instance ...
    other = make_session_factory(app.state.engine)()
    try:  # ... when another one completes its task
        wf.complete(session=other, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.amr.id),
                    data={"acceptance": "accept"})
    finally:
        other.close()
    with pytest.raises(Conflict) as exc:
        wf.complete(session=session, instance_id=inst.id, task="accept", actor=wf.Participant(CLERK, city.amr.id),
                    data={"acceptance": "reject"})
    assert exc.value.status_code == 409 and "刷新" in exc.value.message
    session.expire_all()
    assert names(session, inst.id) == ["review"]
