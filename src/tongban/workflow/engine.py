"""SpiffWorkflow behind one small surface: parse a process, start, load and save state, read user tasks.

The stored state is SpiffWorkflow's own serialization (`BpmnWorkflowSerializer`, format `FORMAT`) minus
the process spec, which is rebuilt from the published BPMN of the instance's process version (parsed once
per process and kept in memory): the spec would otherwise be two thirds of every instance's state.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

#: The serializer format this release writes. A SpiffWorkflow upgrade that changes it fails
#: tests/workflow/test_fixtures.py: record fixtures of the new format and keep the old ones.
FORMAT = "1.5"
#: Formats this release reads: its own and those SpiffWorkflow migrates from.
READABLE_FORMATS = frozenset({SPIFF_FORMAT, *MIGRATIONS})

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False}


class ProcessError(ValueError):
    """A BPMN document that cannot be published (the message says what is wrong, in Chinese)."""


@dataclass(frozen=True)
class TaskInfo:
    """What the engine knows of a user task spec: who may act and what they must decide.

    A parallel multi-instance task (多部门并行, e.g. 联合审批's 部门审批) runs once per entry of the process
    variable `lanes_from`; each instance's variable `lane_variable` names the lane (and so the department)
    it belongs to, instead of the task's BPMN lane.
    """

    name: str  # the BPMN id ("approve"; Spiff names the instances' spec "approve [child]")
    title: str
    lane: str | None
    role: str
    outcome: str | None  # the process variable the action sets, e.g. "decision"
    outcomes: tuple[str, ...]  # its allowed values, e.g. ("approve", "refuse")
    lane_variable: str | None = None
    lanes_from: str | None = None


@dataclass
class Process:
    """A parsed process version: its spec, the spec's serialized form, and its user tasks."""

    key: str
    title: str
    spec: Any
    spec_dict: dict[str, Any]
    tasks: dict[str, TaskInfo]  # by BPMN id
    lanes: dict[str, str]  # lane key -> Chinese label (the lane's documentation)

    def info(self, task: Any) -> TaskInfo:
        """The TaskInfo of a Spiff user task."""
        return self.tasks[task_name(task)]


_CACHE: dict[str, Process] = {}


def _xml(bpmn: str) -> Any:
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        return etree.fromstring(bpmn.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ProcessError(f"流程文件不是合法的 XML：{exc}") from exc


def parse(key: str, bpmn: str, sha256: str | None = None) -> Process:
    """Parse and check a process; cached by its SHA-256 when given (a published version never changes)."""
    if sha256 and sha256 in _CACHE:
        return _CACHE[sha256]
    root = _xml(bpmn)
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(root, filename=f"{key}.bpmn")
        spec = parser.get_spec(key)
    except Exception as exc:  # Spiff raises ValidationException, KeyError … for a broken document
        raise ProcessError(f"流程文件无法解析（流程标识 {key}）：{exc}") from exc
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    lanes = {str(lane.get("name")): (lane.findtext("bpmn:documentation", namespaces=ns) or str(lane.get("name")))
             for lane in root.iterfind(".//bpmn:lane", ns)}
    collections = {mi.task_spec: mi.data_input.bpmn_id for mi in spec.task_specs.values()
                   if isinstance(mi, MultiInstanceTask) and mi.data_input is not None}
    tasks: dict[str, TaskInfo] = {}
    for ts in spec.task_specs.values():
        if not isinstance(ts, UserTaskMixin):
            continue
        title = ts.bpmn_name or ts.bpmn_id or ts.name
        props = (getattr(ts, "extensions", None) or {}).get("properties", {})
        if not props.get("role"):
            raise ProcessError(f"流程 {key} 的用户任务「{title}」没有指定办理角色（role 属性）。")
        outcomes = tuple(v.strip() for v in props.get("outcomes", "").split(",") if v.strip())
        lane_variable = props.get("lane_variable") or None
        lanes_from = collections.get(ts.name)
        if lane_variable and not lanes_from:
            raise ProcessError(f"流程 {key} 的用户任务「{title}」按变量分派部门（lane_variable），"
                               "但不是以部门列表为输入的多实例任务。")
        name = ts.bpmn_id or ts.name
        tasks[name] = TaskInfo(name=name, title=title, lane=ts.lane, role=props["role"], outcome=props.get("outcome"),
                               outcomes=outcomes, lane_variable=lane_variable, lanes_from=lanes_from)
    if not tasks:
        raise ProcessError(f"流程 {key} 没有任何用户任务。")
    process = Process(key=key, title=spec.description or key, spec=spec,
                      spec_dict=SERIALIZER.to_dict(spec), tasks=tasks, lanes=lanes)
    if sha256:
        _CACHE[sha256] = process
    return process


def new_workflow(process: Process, data: dict[str, Any]) -> BpmnWorkflow:
    """A new instance with `data` as its process variables, run up to its first user task(s)."""
    workflow = BpmnWorkflow(process.spec)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.set_data(**copy.deepcopy(data))
    workflow.do_engine_steps()
    return workflow


def dump(workflow: BpmnWorkflow) -> str:
    """The state to store: Spiff's serialization without the spec."""
    dct = SERIALIZER.to_dict(workflow)
    dct.pop("spec", None)
    dct.pop("subprocess_specs", None)
    dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    return json.dumps(dct, ensure_ascii=False, separators=(",", ":"))


def load(process: Process, state: str) -> BpmnWorkflow:
    """Rebuild a workflow from its stored state (migrating an older format) and its process's spec."""
    dct = json.loads(state)
    version = dct.get(SERIALIZER.VERSION_KEY)
    if version not in READABLE_FORMATS:
        raise ProcessError(f"流程状态的格式 {version} 无法读取（本版本支持 {', '.join(sorted(READABLE_FORMATS))}）。")
    dct["spec"] = copy.deepcopy(process.spec_dict)
    dct.setdefault("subprocess_specs", {})
    SERIALIZER.migrate(dct)
    workflow: BpmnWorkflow = SERIALIZER.from_dict(dct)
    return workflow


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """The user tasks that can be acted on now."""
    return [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)]


def task_name(task: Any) -> str:
    """The BPMN id of a Spiff task (the same for every instance of a multi-instance task)."""
    return str(task.task_spec.bpmn_id or task.task_spec.name)


def task_lane(info: TaskInfo, task: Any) -> str | None:
    """The lane a task belongs to: its instance's lane variable, else its BPMN lane."""
    if info.lane_variable:
        value = task.data.get(info.lane_variable)
        return str(value) if value is not None else None
    return info.lane


def completed_names(workflow: BpmnWorkflow) -> set[str]:
    """BPMN ids of the elements already passed (for the diagram)."""
    return {task_name(t) for t in workflow.get_tasks(state=TaskState.COMPLETED)}


def end_event(workflow: BpmnWorkflow) -> str | None:
    """The BPMN id of the end event a finished workflow reached (its outcome), if any."""
    ends = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if isinstance(t.task_spec, EndEvent)]
    if not ends:
        return None
    return str(max(ends, key=lambda t: t.last_state_change).task_spec.name)
