"""Use-cases of the workflow engine: publish process versions, start instances, complete user tasks,
migrate a running instance to a new process version.

One serialization per use-case: a use-case loads an instance once per session (kept in `session.info`),
transitions change the in-memory workflow and the projection of ready tasks, and the state is written once,
just before the outermost use-case commits. A savepoint that rolls back a transition it made cannot
restore the in-memory workflow, so the instance is marked inconsistent and the commit is refused.
Conflicting transitions of one instance by two sessions: the second fails with Conflict (optimistic
locking on `workflow_instances.version`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from tongban.authz import ROLE_LABELS
from tongban.db import utcnow
from tongban.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from tongban.transactions import use_case
from tongban.workflow import engine
from tongban.workflow.models import COMPLETED, RUNNING, WorkflowInstance, WorkflowProcess, WorkflowTask

PROCESS_DIR = Path(__file__).parent / "processes"
#: The processes shipped with the platform (processes/<key>.bpmn, the current version; earlier shipped
#: versions as processes/<key>.v<N>.bpmn, so that every database numbers them alike).
SHIPPED = ("immediate", "promised", "joint")
#: The role of tasks the applicant does (补正); they belong to no department.
APPLICANT = "applicant"
#: Joint decision policies (the item's, passed as the process variable `policy` of "joint").
ANY_REFUSAL, ALL_MUST_DECIDE = "any_refusal", "all_must_decide"

OUTCOME_LABELS = {"accept": "受理", "supplement": "补正", "reject": "不予受理", "approve": "准予", "refuse": "不予"}
_LOADED = "tongban.workflow.loaded"


@dataclass(frozen=True)
class Participant:
    """Who acts on a task: a role (authz.Role value, or "applicant") and the department acted for."""

    role: str
    department_id: int | None = None
    #: Other roles the same person holds in that department (a window clerk who is also a reviewer): a task
    #: of any of them may be done.
    other_roles: frozenset[str] = frozenset()

    def acts_as(self, role: str) -> bool:
        return role == self.role or role in self.other_roles


@dataclass(frozen=True)
class ReadyTask:
    """A user task that can be done now, with who may do it and by when."""

    task_id: str
    name: str
    title: str
    role: str
    lane: str | None
    department_id: int | None
    due_date: dt.date | None


@dataclass
class _Loaded:
    row: WorkflowInstance
    process: engine.Process
    workflow: Any
    dirty: bool = False
    inconsistent: bool = False
    created_in: frozenset[SessionTransaction] = frozenset()
    changed_in: set[SessionTransaction] = field(default_factory=set)


def role_label(role: str) -> str:
    """The Chinese name of a task's role."""
    return "申请人" if role == APPLICANT else ROLE_LABELS.get(role, role)


# -- process versions ---------------------------------------------------------------------------------------

def _sha(bpmn: str) -> str:
    return hashlib.sha256(bpmn.encode("utf-8")).hexdigest()


@use_case
def publish(*, session: Session, key: str, bpmn: str) -> WorkflowProcess:
    """Publish a process version; the same document again is the same version (by SHA-256)."""
    sha = _sha(bpmn)
    existing = session.scalar(select(WorkflowProcess).where(WorkflowProcess.key == key, WorkflowProcess.sha256 == sha))
    if existing is not None:
        return existing
    try:
        process = engine.parse(key, bpmn, sha)
    except engine.ProcessError as exc:
        raise ValidationFailed(str(exc), code="invalid_process", detail={"field": "bpmn"}) from exc
    latest = session.scalar(select(func.max(WorkflowProcess.version)).where(WorkflowProcess.key == key)) or 0
    row = WorkflowProcess(key=key, version=latest + 1, title=process.title, bpmn=bpmn, sha256=sha,
                          published_at=utcnow())
    session.add(row)
    session.flush()
    return row


@use_case
def publish_shipped(*, session: Session) -> list[WorkflowProcess]:
    """Publish the package's .bpmn files: idempotent; a changed file becomes a new version.

    A database that has no version of a process yet gets its earlier shipped versions first (联合审批
    version 1 has two fixed lanes, version 2 any number of departments), so that a version number means
    the same document everywhere and instances can be migrated between them.
    """
    out = []
    for key in SHIPPED:
        if session.scalar(select(WorkflowProcess.id).where(WorkflowProcess.key == key).limit(1)) is None:
            for old in shipped_history(key):
                publish(session=session, key=key, bpmn=old.read_text(encoding="utf-8"))
        out.append(publish(session=session, key=key, bpmn=(PROCESS_DIR / f"{key}.bpmn").read_text(encoding="utf-8")))
    return out


def shipped_history(key: str) -> list[Path]:
    """The earlier shipped versions of a process, oldest first (processes/<key>.v<N>.bpmn)."""
    found = [(int(p.name.removeprefix(f"{key}.v").removesuffix(".bpmn")), p)
             for p in PROCESS_DIR.glob(f"{key}.v*.bpmn")
             if p.name.removeprefix(f"{key}.v").removesuffix(".bpmn").isdigit()]
    return [p for _, p in sorted(found)]


def process_of(row: WorkflowProcess) -> engine.Process:
    """The parsed process of a published version (cached per process by its hash)."""
    return engine.parse(row.key, row.bpmn, row.sha256)


def latest_process(session: Session, key: str) -> WorkflowProcess:
    """The newest published version of a process."""
    row = session.scalar(select(WorkflowProcess).where(WorkflowProcess.key == key)
                         .order_by(WorkflowProcess.version.desc()).limit(1))
    if row is None:
        raise NotFound(f"流程「{key}」尚未发布，请先发布流程定义。", code="process_not_found")
    return row


# -- the per-session cache of loaded instances --------------------------------------------------------------

def _chain(session: Session) -> frozenset[SessionTransaction]:
    chain: set[SessionTransaction] = set()
    tx = session.get_nested_transaction() or session.get_transaction()
    while tx is not None:
        chain.add(tx)
        tx = tx.parent
    return frozenset(chain)


def _cache(session: Session) -> dict[int, _Loaded]:
    cache: dict[int, _Loaded] = session.info.setdefault(_LOADED, {})
    return cache


def _entry(session: Session, instance_id: int) -> _Loaded:
    cache = _cache(session)
    entry = cache.get(instance_id)
    if entry is None:
        row = session.get(WorkflowInstance, instance_id)
        if row is None:
            raise NotFound("未找到该办件的流程，请确认办件编号。", code="workflow_not_found")
        process = process_of(session.get_one(WorkflowProcess, row.process_id))
        try:
            workflow = engine.load(process, row.state)
        except engine.ProcessError as exc:
            raise Conflict(str(exc), code="workflow_state_unreadable") from exc
        entry = cache[instance_id] = _Loaded(row=row, process=process, workflow=workflow)
    if entry.inconsistent:
        raise Conflict("该办件的流程状态在部分撤销后已不一致，请重新办理。", code="workflow_inconsistent")
    return entry


def _changed(session: Session, entry: _Loaded) -> None:
    entry.dirty = True
    entry.changed_in |= _chain(session)


@event.listens_for(Session, "before_commit")
def _save_loaded(session: Session) -> None:
    """Write each changed instance's state once, as the outermost use-case commits (not at savepoints)."""
    if session.in_nested_transaction():
        return
    for entry in session.info.get(_LOADED, {}).values():
        if entry.inconsistent:
            raise Conflict("该办件的流程状态在部分撤销后已不一致，请重新办理。", code="workflow_inconsistent")
        if entry.dirty:
            entry.row.state = engine.dump(entry.workflow)
            entry.row.format = engine.FORMAT
            entry.dirty = False


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a released savepoint: the outer transaction goes on with the loaded instances
    session.info.pop(_LOADED, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    cache: dict[int, _Loaded] | None = session.info.get(_LOADED)
    if not cache:
        return
    if not previous_transaction.nested:
        session.info.pop(_LOADED, None)
        return
    for instance_id, entry in list(cache.items()):
        if previous_transaction in entry.created_in:
            del cache[instance_id]  # its row was rolled back with it
        elif previous_transaction in entry.changed_in:
            entry.inconsistent = True


# -- instances ----------------------------------------------------------------------------------------------

def _json_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    try:
        return dict(json.loads(json.dumps(dict(data or {}), ensure_ascii=False)))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("流程数据只能包含文字、数字、是非值、列表和字典。", code="invalid_process_data") from exc


def _sync_tasks(session: Session, entry: _Loaded, due_dates: Mapping[str, dt.date] | None) -> None:
    """Bring the projection of ready user tasks in line with the workflow (keeping due dates)."""
    row = entry.row
    existing = {t.task_id: t for t in session.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == row.id))}
    ready = {str(t.id): t for t in engine.ready_user_tasks(entry.workflow)}
    for task_id, projected in existing.items():
        if task_id not in ready:
            session.delete(projected)
    for task_id, task in ready.items():
        if task_id in existing:
            continue
        info = entry.process.info(task)
        lane = engine.task_lane(info, task)
        session.add(WorkflowTask(
            instance_id=row.id, task_id=task_id, name=info.name, title=info.title, role=info.role, lane=lane,
            department_id=None if info.role == APPLICANT else (row.lanes or {}).get(lane or ""),
            due_date=(due_dates or {}).get(info.name), created_at=utcnow()))


def _update_status(entry: _Loaded) -> None:
    wf = entry.workflow
    entry.row.updated_at = utcnow()
    if wf.is_completed():
        entry.row.status = COMPLETED
        entry.row.end_event = engine.end_event(wf)


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        session.info.pop(_LOADED, None)
        raise Conflict("该办件刚被他人办理过，请刷新后重试。", code="workflow_changed") from exc


def _check_lanes(process: engine.Process, lane_departments: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
    """Every lane with user tasks (and every lane a per-department task is listed for) has its department."""
    for info in process.tasks.values():
        if info.role == APPLICANT or info.lane is None:
            continue
        if info.lanes_from:  # one instance per listed lane: each of them needs its department
            listed = variables.get(info.lanes_from)
            label = process.lanes.get(info.lane, info.lane)
            if not isinstance(listed, list) or not listed:
                raise ValidationFailed(f"流程「{process.title}」的「{label}」没有列出办理部门。",
                                       code="lane_without_department",
                                       detail={"field": info.lanes_from, "lane": info.lane})
            if len(set(map(str, listed))) != len(listed):
                raise ValidationFailed(f"流程「{process.title}」的「{label}」中同一部门分工重复列出。",
                                       code="lane_duplicate", detail={"field": info.lanes_from})
            missing = [str(v) for v in listed if not isinstance(lane_departments.get(str(v)), int)]
            if missing:
                raise ValidationFailed(f"流程「{process.title}」的「{label}」中有分工没有指定办理部门："
                                       f"{'、'.join(missing)}。", code="lane_without_department",
                                       detail={"field": "lanes", "lane": missing[0]})
            continue
        if not isinstance(lane_departments.get(info.lane), int):
            label = process.lanes.get(info.lane, info.lane)
            raise ValidationFailed(f"流程「{process.title}」的「{label}」没有指定办理部门。",
                                   code="lane_without_department", detail={"field": "lanes", "lane": info.lane})


@use_case
def start(*, session: Session, process_key: str, subject: tuple[str, str], data: Mapping[str, Any] | None = None,
          lanes: Mapping[str, int | None], due_dates: Mapping[str, dt.date] | None = None,
          version: int | None = None) -> WorkflowInstance:
    """Start the newest version of a process (or the published `version` named) for a subject; `lanes`
    names each lane's department. A shipped process nobody published yet on this database (`tongban db
    upgrade` publishes them) is published first."""
    if process_key in SHIPPED and session.scalar(
            select(WorkflowProcess.id).where(WorkflowProcess.key == process_key).limit(1)) is None:
        publish_shipped(session=session)
    process_row = latest_process(session, process_key) if version is None else session.scalar(
        select(WorkflowProcess).where(WorkflowProcess.key == process_key, WorkflowProcess.version == version))
    if process_row is None:
        raise NotFound(f"流程「{process_key}」没有第 {version} 版。", code="process_not_found")
    process = process_of(process_row)
    lane_departments = {str(k): v for k, v in lanes.items()}
    variables = _json_data(data)
    for info in process.tasks.values():
        if info.lanes_from and info.lanes_from not in variables:
            # Not listed: the per-department task runs for every lane given beyond the BPMN's own lanes.
            variables[info.lanes_from] = [k for k in lane_departments if k not in process.lanes]
    _check_lanes(process, lane_departments, variables)
    try:
        workflow = engine.new_workflow(process, variables)
    except Exception as exc:  # a condition that cannot be evaluated with the data given
        raise ValidationFailed(f"流程「{process.title}」无法以所给数据启动：{exc}",
                               code="invalid_process_data") from exc
    now = utcnow()
    row = WorkflowInstance(process_id=process_row.id, subject_kind=subject[0], subject_ref=str(subject[1]),
                           lanes=lane_departments, format=engine.FORMAT, state=engine.dump(workflow),
                           status=RUNNING, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    entry = _Loaded(row=row, process=process, workflow=workflow, created_in=_chain(session))
    _cache(session)[row.id] = entry
    _update_status(entry)
    _sync_tasks(session, entry, due_dates)
    _flush(session)
    return row


def _refuse_actor(entry: _Loaded, info: engine.TaskInfo, lane: str | None, actor: Participant) -> None:
    if not actor.acts_as(info.role):
        raise InvalidTransition(f"「{info.title}」应由{role_label(info.role)}办理，您不能办理这一步。",
                                code="workflow_wrong_role")
    if info.role == APPLICANT:
        return  # the caller checks that the actor is the subject's applicant
    department = (entry.row.lanes or {}).get(lane or "")
    if department is not None and actor.department_id != department:
        raise InvalidTransition(f"「{info.title}」由其他部门办理，本部门不能办理这一步。",
                                code="workflow_wrong_department")


@use_case
def complete(*, session: Session, instance_id: int, task: str, actor: Participant,
             data: Mapping[str, Any] | None = None, due_dates: Mapping[str, dt.date] | None = None,
             lane: str | None = None, outcome: str | None = None) -> WorkflowInstance:
    """Do a ready user task (受理, 审查, 决定 …) with its result; refused with 409 when not allowed now.

    `lane` picks the instance of a task that runs once per department (联合审批's 部门审批); without it,
    the instance of the actor's department. `outcome` is the value of the task's outcome variable, whatever
    the process version names it ("opinion_a" in 联合审批 version 1, "opinion" in version 2).
    """
    entry = _entry(session, instance_id)
    info = entry.process.tasks.get(task)
    if info is None:
        raise InvalidTransition(f"流程「{entry.process.title}」中没有「{task}」这一步。", code="workflow_no_such_task")
    if entry.row.status != RUNNING:
        raise InvalidTransition(f"该办件的流程已结束，不能再办理「{info.title}」。", code="workflow_finished")
    current = engine.ready_user_tasks(entry.workflow)
    ready = [t for t in current if engine.task_name(t) == task]
    if ready and lane is not None:
        ready = [t for t in ready if engine.task_lane(info, t) == lane]
        if not ready:
            raise InvalidTransition(f"当前不能办理「{info.title}」：该部门已办理这一步，或不参与这一步，"
                                    "正在等待其他部门。", code="workflow_not_now")
    if not ready:
        now = "、".join(dict.fromkeys(entry.process.info(t).title for t in current))
        raise InvalidTransition(f"当前不能办理「{info.title}」：流程正在「{now or '无'}」这一步。",
                                code="workflow_not_now")
    lanes = entry.row.lanes or {}
    spiff_task = next((t for t in ready if lanes.get(engine.task_lane(info, t) or "") == actor.department_id),
                      ready[0])
    _refuse_actor(entry, info, engine.task_lane(info, spiff_task), actor)
    variables = _json_data(data)
    if outcome is not None and info.outcome is not None:
        variables[info.outcome] = outcome
    if info.outcome is not None and variables.get(info.outcome) not in info.outcomes:
        allowed = "、".join(OUTCOME_LABELS.get(o, o) for o in info.outcomes)
        raise ValidationFailed(f"请选择「{info.title}」的办理结果：{allowed}。", code="workflow_outcome_required",
                               detail={"field": info.outcome})
    try:
        spiff_task.set_data(**variables)
        spiff_task.run()
        entry.workflow.do_engine_steps()
    except Exception as exc:  # the process cannot go on with these data: forget the half-run copy
        _cache(session).pop(instance_id, None)
        raise InvalidTransition(f"流程无法继续「{info.title}」之后的步骤：{exc}", code="workflow_stuck") from exc
    _changed(session, entry)
    _update_status(entry)
    _flush(session)  # the version check: another session's transition since we loaded it is a Conflict
    _sync_tasks(session, entry, due_dates)
    session.flush()
    return entry.row


def ready_tasks(session: Session, instance_id: int) -> list[ReadyTask]:
    """The instance's user tasks that can be done now (from the projection)."""
    rows = session.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id)
                           .order_by(WorkflowTask.id))
    return [ReadyTask(task_id=r.task_id, name=r.name, title=r.title, role=r.role, lane=r.lane,
                      department_id=r.department_id, due_date=r.due_date) for r in rows]


@use_case
def set_due_date(*, session: Session, instance_id: int, task: str, due: dt.date | None) -> int:
    """Set the due date of an instance's ready task(s) of that name (the cases domain's legal clock)."""
    rows = list(session.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == instance_id,
                                                           WorkflowTask.name == task)))
    if not rows:
        raise InvalidTransition(f"该办件当前没有「{task}」这一待办，不能设置期限。", code="workflow_not_now")
    for row in rows:
        row.due_date = due
    session.flush()
    return len(rows)


def instance_for(session: Session, subject: tuple[str, str]) -> WorkflowInstance | None:
    """The newest instance of a subject, e.g. ("case", "17")."""
    return session.scalar(select(WorkflowInstance).where(WorkflowInstance.subject_kind == subject[0],
                                                         WorkflowInstance.subject_ref == str(subject[1]))
                          .order_by(WorkflowInstance.id.desc()).limit(1))


@use_case
def migrate(*, session: Session, instance_id: int, to_process_id: int, mapping: Mapping[str, str],
            data: Mapping[str, Any] | None = None) -> WorkflowInstance:
    """Move a running instance to another version of its process (an explicit, validated node migration).

    `mapping` names, for each task of the instance whose BPMN id is not in the new version, the new task
    it becomes; every current (ready) user task must be named, even when its id is unchanged, so that
    nobody moves a case without saying where it stands afterwards. `data`: process variables the new
    version needs (given to the current tasks). A task that runs once per department (multi-instance)
    can be neither the current task of a migrated instance nor the target of one.
    """
    from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow

    entry = _entry(session, instance_id)
    if entry.row.status != RUNNING:
        raise InvalidTransition("该办件的流程已结束，无需迁移。", code="workflow_finished")
    target_row = session.get(WorkflowProcess, to_process_id)
    current_row = session.get_one(WorkflowProcess, entry.row.process_id)
    if target_row is None or target_row.key != current_row.key:
        raise ValidationFailed(f"只能迁移到流程「{current_row.title}」的其他版本。", code="workflow_wrong_process",
                               detail={"field": "to_process_id"})
    if target_row.id == current_row.id:
        raise ValidationFailed("办件已在该流程版本上，无需迁移。", code="workflow_same_version",
                               detail={"field": "to_process_id"})
    target = process_of(target_row)
    workflow = entry.workflow
    current = engine.ready_user_tasks(workflow)
    running_per_lane = [entry.process.info(t).title for t in current if entry.process.info(t).lanes_from]
    if running_per_lane:
        raise ValidationFailed(f"「{running_per_lane[0]}」正由各部门并行办理，不能迁移；请在原版本上办结。",
                               code="workflow_parallel_running", detail={"field": "to_process_id"})
    unmapped = [entry.process.info(t).title for t in current if engine.task_name(t) not in mapping]
    if unmapped:
        raise ValidationFailed(f"请指明当前待办「{'、'.join(unmapped)}」在新版本中对应的步骤，否则不能迁移。",
                               code="workflow_unmapped_task", detail={"field": "mapping"})
    bad = [f"{old}→{new}" for old, new in mapping.items() if new not in target.spec.task_specs]
    if bad:
        raise ValidationFailed(f"新版本中没有这些步骤：{'、'.join(bad)}。", code="workflow_unknown_task",
                               detail={"field": "mapping"})
    for t in current:
        title = entry.process.info(t).title
        new_info = target.tasks.get(mapping[engine.task_name(t)])
        if new_info is None:
            raise ValidationFailed(f"当前待办「{title}」只能对应新版本中的用户任务。",
                                   code="workflow_unknown_task", detail={"field": "mapping"})
        if new_info.lanes_from:
            raise ValidationFailed(f"当前待办「{title}」不能对应新版本中由各部门并行办理的「{new_info.title}」；"
                                   "请在这一步之前迁移。", code="workflow_unknown_task", detail={"field": "mapping"})
    diff, _ = diff_workflow(engine.SERIALIZER.registry, workflow, target.spec, {})
    for task in workflow.get_tasks():
        new_name = mapping.get(task.task_spec.name)
        if new_name is not None:
            diff.alignment[task] = target.spec.task_specs[new_name]
    variables = _json_data(data)
    _check_lanes(target, entry.row.lanes or {}, {**(current[0].data if current else {}), **variables})
    lost = sorted({t.task_spec.bpmn_name or t.task_spec.name for t in workflow.get_tasks()
                   if diff.alignment.get(t) is None and t.has_state(engine.TaskState.FINISHED_MASK)})
    if lost:
        raise ValidationFailed(f"已办的步骤「{'、'.join(lost)}」在新版本中不存在，请在映射中指明它们对应的新步骤。",
                               code="workflow_unmapped_task", detail={"field": "mapping"})
    migrate_workflow(diff, workflow, target.spec)  # resets the current tasks (and their data)
    workflow.do_engine_steps()
    for t in engine.ready_user_tasks(workflow):
        t.set_data(**variables)
    entry.process = target
    entry.row.process_id = target_row.id
    _changed(session, entry)
    _update_status(entry)
    _flush(session)
    carried: dict[str, dt.date] = {}  # the due dates of the current tasks go with them to their new names
    for projected in session.scalars(select(WorkflowTask).where(WorkflowTask.instance_id == entry.row.id)):
        if projected.due_date is not None and projected.name in mapping:
            carried[mapping[projected.name]] = projected.due_date
        session.delete(projected)
    session.flush()
    _sync_tasks(session, entry, carried)
    session.flush()
    return entry.row
