"""The process diagram (流程图) of an instance: an SVG drawn on the server from the BPMN's DI coordinates,
the current task(s) highlighted and the passed steps marked. Every text is escaped; labels are the Chinese
names of the BPMN document (lanes by their documentation)."""

from __future__ import annotations

from collections.abc import Collection
from html import escape
from typing import Any

from sqlalchemy.orm import Session

from tongban.workflow import engine

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
       "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
       "dc": "http://www.omg.org/spec/DD/20100524/DC",
       "di": "http://www.omg.org/spec/DD/20100524/DI"}
_STYLE = (".wf-lane{fill:#fafafa;stroke:#bbb}.wf-lane-label{font-size:13px;fill:#555}"
          ".wf-node{fill:#fff;stroke:#666;stroke-width:1.5}.wf-done{fill:#eef7ee;stroke:#2e7d32}"
          ".wf-current{fill:#fff3e0;stroke:#e65100;stroke-width:3}.wf-label{font-size:13px;fill:#222}"
          ".wf-edge{fill:none;stroke:#888;stroke-width:1.2}.wf-edge-done{stroke:#2e7d32}"
          ".wf-edge-label{font-size:11px;fill:#666}.wf-mark{font-size:18px;fill:#555}")


def _f(value: Any) -> float:
    return float(value or 0)


def _num(value: float) -> str:
    return f"{value:g}"


def render(bpmn: str, *, current: Collection[str] = (), done: Collection[str] = (), title: str = "") -> str:
    """An SVG of a BPMN document's diagram; `current` and `done` are BPMN element ids."""
    root = engine._xml(bpmn)
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for el in root.iterfind(".//bpmn:process//*[@id]", _NS):
        tag = el.tag.rsplit("}", 1)[-1]
        kinds[el.get("id")] = tag
        if tag == "lane":
            names[el.get("id")] = el.findtext("bpmn:documentation", namespaces=_NS) or el.get("name") or ""
        else:
            names[el.get("id")] = el.get("name") or ""
    # A task done once per department in parallel (multi-instance) carries BPMN's marker of three bars.
    parallel = {el.get("id") for el in root.iterfind(".//bpmn:process//bpmn:userTask", _NS)
                if el.find("bpmn:multiInstanceLoopCharacteristics", _NS) is not None}
    flows = {el.get("id"): (el.get("sourceRef"), el.get("targetRef"))
             for el in root.iterfind(".//bpmn:sequenceFlow", _NS)}
    shapes, edges, bounds = [], [], [0.0, 0.0]
    lanes = []
    for shape in root.iterfind(".//bpmndi:BPMNShape", _NS):
        ref = shape.get("bpmnElement") or ""
        b = shape.find("dc:Bounds", _NS)
        if b is None:
            continue
        x, y, w, h = (_f(b.get(k)) for k in ("x", "y", "width", "height"))
        bounds = [max(bounds[0], x + w), max(bounds[1], y + h)]
        kind = kinds.get(ref, "")
        label = escape(names.get(ref, ""))
        if kind == "lane":
            lanes.append(f'<g class="wf-lane-g"><rect class="wf-lane" x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" '
                         f'height="{_num(h)}"/><text class="wf-lane-label" x="{_num(x + 18)}" y="{_num(y + h / 2)}" '
                         f'writing-mode="tb" text-anchor="middle">{label}</text></g>')
            continue
        if kind not in {"userTask", "startEvent", "endEvent", "exclusiveGateway", "parallelGateway"}:
            continue
        state = " wf-current" if ref in current else (" wf-done" if ref in done else "")
        cx, cy = x + w / 2, y + h / 2
        status = "当前步骤" if ref in current else ("已完成" if ref in done else "")
        many = "（各部门并行）" if ref in parallel else ""
        tip = f"<title>{label}{many}{'（' + status + '）' if status else ''}</title>"
        if kind == "userTask":
            body = (f'<rect class="wf-node{state}" x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
                    f'rx="10"/><text class="wf-label" x="{_num(cx)}" y="{_num(cy + 5)}" '
                    f'text-anchor="middle">{label}</text>')
            if many:
                body += (f'<text class="wf-mark" x="{_num(cx)}" y="{_num(y + h - 6)}" text-anchor="middle" '
                         'data-marker="parallel">|||</text>')
        elif kind in {"startEvent", "endEvent"}:
            width = 4 if kind == "endEvent" else 1.5
            body = (f'<circle class="wf-node{state}" cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(w / 2)}" '
                    f'style="stroke-width:{width}"/><text class="wf-label" x="{_num(cx)}" y="{_num(y + h + 16)}" '
                    f'text-anchor="middle">{label}</text>')
        else:
            mark = "+" if kind == "parallelGateway" else "×"
            points = f"{_num(cx)},{_num(y)} {_num(x + w)},{_num(cy)} {_num(cx)},{_num(y + h)} {_num(x)},{_num(cy)}"
            body = (f'<polygon class="wf-node{state}" points="{points}"/><text class="wf-mark" x="{_num(cx)}" '
                    f'y="{_num(cy + 6)}" text-anchor="middle">{mark}</text><text class="wf-label" x="{_num(cx)}" '
                    f'y="{_num(y - 6)}" text-anchor="middle">{label}</text>')
        shapes.append(f'<g data-element="{escape(ref)}" data-state="{escape(status)}">{tip}{body}</g>')
    for edge in root.iterfind(".//bpmndi:BPMNEdge", _NS):
        ref = edge.get("bpmnElement") or ""
        waypoints = [(_f(p.get("x")), _f(p.get("y"))) for p in edge.iterfind("di:waypoint", _NS)]
        if len(waypoints) < 2:
            continue
        source, target = flows.get(ref, (None, None))
        passed = " wf-edge-done" if source in done and (target in done or target in current) else ""
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in waypoints)
        label = names.get(ref, "")
        text = ""
        if label:
            (x1, y1), (x2, y2) = waypoints[0], waypoints[1]
            text = (f'<text class="wf-edge-label" x="{_num((x1 + x2) / 2 + 4)}" y="{_num((y1 + y2) / 2 - 4)}">'
                    f"{escape(label)}</text>")
        edges.append(f'<polyline class="wf-edge{passed}" points="{path}" marker-end="url(#wf-arrow)"/>{text}')
    width, height = bounds[0] + 20, bounds[1] + 30
    heading = f"<title>{escape(title)}</title>" if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="wf-diagram" viewBox="0 0 {_num(width)} {_num(height)}" '
            f'width="100%" role="img" aria-label="{escape(title or "流程图")}">{heading}<style>{_STYLE}</style>'
            '<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>'
            + "".join(lanes) + "".join(edges) + "".join(shapes) + "</svg>")


def instance_svg(session: Session, instance_id: int) -> str:
    """The diagram of an instance: where it stands now (highlighted) and the steps it has passed."""
    from tongban.workflow.models import WorkflowProcess
    from tongban.workflow.service import _entry

    entry = _entry(session, instance_id)
    process = session.get_one(WorkflowProcess, entry.row.process_id)
    current = {engine.task_name(t) for t in engine.ready_user_tasks(entry.workflow)}
    done = engine.completed_names(entry.workflow)
    return render(process.bpmn, current=current, done=done, title=f"{process.title}（第 {process.version} 版）")
