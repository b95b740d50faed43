"""Sharing's answer to the catalog's in-use check (catalog/hooks.py): a resource, or an item of it, that an
active grant or an open request still uses may not be retired or removed. Registered in sharing.register."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.catalog.models import InformationResource
from tongban.clock import today
from tongban.sharing.models import Grant, SharingRequest

#: Requests still being handled: a grant may yet come of them.
OPEN_STATES = ("submitted", "pending_provider", "refused", "objected")


def blocking_use(session: Session, resource: InformationResource, removed_keys: set[str]) -> list[str]:
    """Active grants and open requests that use any of `removed_keys` (or any item if the set is empty)."""
    day = today()
    problems: list[str] = []
    grants = session.execute(select(Grant).where(Grant.resource_id == resource.id, Grant.status == "active",
                                                 Grant.valid_until >= day)).scalars().all()
    hit = [g for g in grants if not removed_keys or removed_keys & set(g.items)]
    if hit:
        problems.append(f"{len(hit)} 项有效授权")
    reqs = session.execute(select(SharingRequest).where(SharingRequest.resource_id == resource.id,
                                                        SharingRequest.status.in_(OPEN_STATES))).scalars().all()
    hit_r = [r for r in reqs if not removed_keys or removed_keys & set(r.items)]
    if hit_r:
        problems.append(f"{len(hit_r)} 件办理中的共享申请")
    return problems
