"""Read models of the data-quality dispute pages: one function per page, everything its template shows.

None of them writes. A dispute names a record key (often a resident ID) but the pages show only what
the two departments and the platform already handle; the evidence files are read (and audited) through
their own download use-case, not here. Visibility stays in service.get_dispute / list_disputes and
disputes.permissions; the flags in `can` decide which forms the detail page offers.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Permission
from tongban.catalog import service as catalog
from tongban.catalog.models import InformationItem, InformationResource
from tongban.disputes import permissions as rules
from tongban.disputes import service
from tongban.disputes.evidence import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from tongban.disputes.schemas import DISPUTE_STATUS_LABELS, ROLE_LABELS, UNRESOLVED, DisputeRead
from tongban.errors import DomainError, Forbidden

MAX_MB = MAX_ATTACHMENT_BYTES // (1024 * 1024)

TIMELINE_LABELS = {
    "dispute.raise": "提出疑义",
    "dispute.attach": "上传证明材料",
    "dispute.attachment_download": "下载证明材料",
    "dispute.correct": "提供方答复：已更正",
    "dispute.reject": "提供方答复：不予更正",
    "dispute.withdraw": "撤回疑义",
    "dispute.escalate": "申请平台协调",
    "dispute.coordinate_correct": "平台协调结论：予以更正",
    "dispute.coordinate_uphold": "平台协调结论：维持原数据",
    "dispute.overdue": "逾期预警",
}


def tabs_for(actor: Actor) -> list[tuple[str, str]]:
    """The lists the actor may open: 我方提出, 针对我方, 平台协调."""
    tabs = []
    if actor.is_staff and actor.has(Permission.DISPUTE_RAISE):
        tabs.append("raised")
    if actor.is_staff and actor.has(Permission.DISPUTE_ANSWER):
        tabs.append("against")
    if rules.is_platform(actor):
        tabs.append("platform")
    return [(t, ROLE_LABELS[t]) for t in tabs]


@dataclass(frozen=True)
class DisputesHome:
    tabs: list[tuple[str, str]]
    tab: str
    #: The status filter as understood ("" for all; "unresolved" or a status).
    status: str
    overdue: bool
    disputes: list[DisputeRead]
    total: int


def disputes_home(session: Session, actor: Actor, *, tab: str | None = None, status: str | None = None,
                  overdue: bool = False) -> DisputesHome:
    """数据疑义: the disputes of one list, filtered; the first list the actor may open by default."""
    tabs = tabs_for(actor)
    if not tabs:
        raise Forbidden("数据疑义由部门数据管理员提出和答复，您没有相关权限。")
    tab = tab if tab in dict(tabs) else tabs[0][0]
    wanted = status if status in DISPUTE_STATUS_LABELS or status == "unresolved" else None
    rows, total = service.list_disputes(session=session, actor=actor, role=tab, status=wanted, overdue=overdue,
                                        size=200)
    return DisputesHome(tabs=tabs, tab=tab, status=wanted or "", overdue=overdue,
                        disputes=[service.dispute_read(d) for d in rows], total=total)


@dataclass(frozen=True)
class NewDispute:
    resource: InformationResource
    #: The items the actor's department may dispute: those its grants cover.
    items: list[InformationItem]
    max_mb: int = MAX_MB
    max_files: int = MAX_ATTACHMENTS


def new_dispute(session: Session, actor: Actor, resource_id: int) -> NewDispute:
    """提出疑义: the resource and the items of it the actor's department obtained through a grant."""
    actor.require(Permission.DISPUTE_RAISE)
    resource = catalog.get_resource(session=session, actor=actor, resource_id=resource_id)
    allowed = set(service.disputable_items(session=session, actor=actor, resource_id=resource.id))
    return NewDispute(resource=resource, items=[i for i in resource.items if i.key in allowed])


@dataclass(frozen=True)
class DisputeDetail:
    d: DisputeRead
    items: dict[str, InformationItem]
    #: Which forms the page offers: answer, withdraw, attach, escalate, coordinate.
    can: dict[str, bool]
    #: Every audited step, oldest first, and one short line of what each carried (by audit seq).
    timeline: list[AuditEntry]
    timeline_notes: dict[int, str]
    max_mb: int = MAX_MB


def _note(action: str, detail: dict[str, Any]) -> str:
    """One short line of what an audited step carried, for the timeline."""
    if action in ("dispute.attach", "dispute.attachment_download"):
        return str(detail.get("filename", ""))
    if action in ("dispute.raise", "dispute.escalate") and detail.get("due_on"):
        return f"答复期限 {detail['due_on']}"
    if action == "dispute.overdue":
        who = "提供部门" if detail.get("owed_by") == "provider" else "平台"
        return f"期限 {detail.get('due_on')} 已过，{who}尚未办结"
    return ""


def _may_escalate(actor: Actor, dispute: Any, deadline: dt.date | None) -> bool:
    try:
        rules.check_raiser_staff(actor, dispute)
    except DomainError:
        return False
    return deadline is None or clock.today() <= deadline


def dispute_detail(session: Session, actor: Actor, dispute_id: int) -> DisputeDetail:
    """One dispute as its raiser, the provider or the platform sees it, with its timeline and open actions."""
    dispute = service.get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    read = service.detail_read(session, dispute)
    steps = service.timeline(session=session, dispute=dispute)
    can = {
        "answer": dispute.status == "open" and rules.is_answerer(actor, dispute),
        "withdraw": dispute.status in UNRESOLVED and rules.is_raiser(actor, dispute),
        "attach": dispute.status in UNRESOLVED and rules.is_raiser(actor, dispute),
        "escalate": dispute.status == "rejected" and _may_escalate(actor, dispute, read.escalation_deadline),
        "coordinate": dispute.status == "escalated" and rules.is_platform(actor),
    }
    return DisputeDetail(d=read, items={i.key: i for i in dispute.resource.items}, can=can, timeline=steps,
                         timeline_notes={e.seq: _note(e.action, json.loads(e.detail or "{}")) for e in steps})
