"""Read models of the sharing pages: one function per page, returning everything its template shows.

None of them writes: reading a sharing request or a grant is not a read of personal data (no audit row).
Visibility stays where it is (service.get_request / get_grant / list_*, sharing.permissions); the
permission flags (`can`) decide which forms the page offers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor, Permission, allowed
from tongban.catalog import service as catalog
from tongban.catalog.models import InformationItem, InformationResource
from tongban.org import service as org
from tongban.sharing import permissions as rules
from tongban.sharing import service
from tongban.sharing.schemas import GrantRead, RequestRead

TABS = {
    "consumer": "本部门的申请",
    "provider": "待本部门答复",
    "grants": "本部门获得的授权",
    "given": "本部门给出的授权",
    "compliance": "合规审查",
    "disputes": "争议协调",
}


def tabs_for(actor: Actor) -> list[tuple[str, str]]:
    """The tabs of 数据共享 the actor may open: a department's four, the platform's two."""
    tabs = []
    if actor.has(Permission.SHARING_READ):
        tabs += ["consumer", "provider", "grants", "given"]
    if actor.has(Permission.SHARING_COMPLIANCE):
        tabs += ["compliance", "disputes"]
    return [(t, TABS[t]) for t in tabs]


@dataclass(frozen=True)
class SharingHome:
    tabs: list[tuple[str, str]]
    tab: str
    status: str
    today: dt.date
    #: The requests of a request tab (None on a grants tab), with their total.
    requests: list[RequestRead] | None = None
    total: int = 0
    #: The grants of a grants tab (None on a request tab).
    grants: list[GrantRead] | None = None


def sharing_home(session: Session, actor: Actor, *, tab: str | None = None, status: str | None = None
                 ) -> SharingHome:
    """数据共享: the requests (or grants) of one tab; the first tab the actor may open by default."""
    tabs = tabs_for(actor)
    if not tabs:
        actor.require(Permission.SHARING_READ)
    tab = tab if tab in dict(tabs) else tabs[0][0]
    home = SharingHome(tabs=tabs, tab=tab, status=status or "", today=clock.today())
    if tab in ("grants", "given"):
        grants = service.list_grants(session=session, actor=actor, role="consumer" if tab == "grants" else "provider")
        return replace(home, grants=[service.grant_read(g) for g in grants])
    role = {"consumer": "consumer", "provider": "provider", "compliance": "platform", "disputes": "platform"}[tab]
    wanted = {"compliance": "submitted", "disputes": "objected"}.get(tab, status or None)
    if tab == "provider" and not status:
        wanted = "open"
    rows, total = service.list_requests(session=session, actor=actor, role=role, status=wanted, size=200)
    return replace(home, requests=[service.request_read(r) for r in rows], total=total)


@dataclass(frozen=True)
class NewRequest:
    resource: InformationResource
    #: The department's active application systems (the select of 使用系统).
    clients: list[Any]


def new_request(session: Session, actor: Actor, resource_id: int) -> NewRequest:
    """申请共享: the resource asked for and the systems of the actor's department that may use it."""
    actor.require(Permission.SHARING_REQUEST)
    resource = catalog.get_resource(session=session, actor=actor, resource_id=resource_id)
    clients = [c for c in org.list_clients(session=session, actor=actor, department_id=actor.department_id)
               if c.status == "active"] if actor.department_id else []
    return NewRequest(resource=resource, clients=clients)


@dataclass(frozen=True)
class RequestDetail:
    req: RequestRead
    #: The resource's information items by key (names of the items asked for).
    items: dict[str, InformationItem]
    #: Which forms the page offers: compliance, decide, object, withdraw, coordinate.
    can: dict[str, bool]
    objection_deadline: dt.date | None


def request_detail(session: Session, actor: Actor, request_id: int) -> RequestDetail:
    """One sharing request as its consumer, provider or the platform sees it, with the actions open to the actor."""
    req = service.get_request(session=session, actor=actor, request_id=request_id)
    grant = service.grant_for(session, req.id)
    can = {
        "compliance": req.status == "submitted" and allowed(rules.check_platform, actor),
        "decide": req.status in ("pending_provider", "objected")
        and allowed(rules.check_provider, actor, req.provider_id),
        "object": req.status == "refused" and allowed(rules.check_consumer, actor, req),
        "withdraw": req.status in ("submitted", "pending_provider", "objected", "refused")
        and allowed(rules.check_consumer, actor, req),
        "coordinate": req.status == "objected" and allowed(rules.check_platform, actor),
    }
    return RequestDetail(req=service.request_read(req, grant_id=grant.id if grant else None),
                         items={i.key: i for i in req.resource.items}, can=can,
                         objection_deadline=service.objection_deadline(session, req))


@dataclass(frozen=True)
class GrantDetail:
    grant: GrantRead
    #: Whether the provider's forms (suspend, resume, revoke, quota) are shown.
    can_control: bool
    items: dict[str, InformationItem]


def grant_detail(session: Session, actor: Actor, grant_id: int) -> GrantDetail:
    """One grant as its consumer or provider sees it; its provider (or the platform) may control it."""
    grant = service.get_grant(session=session, actor=actor, grant_id=grant_id)
    return GrantDetail(grant=service.grant_read(grant), can_control=allowed(rules.check_grant_control, actor, grant),
                       items={i.key: i for i in grant.resource.items})
