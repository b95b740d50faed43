"""Demo service items: the basic catalog, the city and county implementation lists (published), the bundles
(一件事) and the life and business events of :mod:`tongban.demo.items_data`, so the portal shows a real city.

Call after the demo city is loaded (`tongban demo` does this). One use-case: the basic catalog and the
published implementations are written through the domain's own builders (as the catalog loader publishes
its resources) under one audit entry; the bundles and events through the platform admin's use-cases.
The builders check 三级四同 as for any department — the four basic elements and the level (行使层级) — so
demo data that breaks the rule does not load (tests/items/test_levels.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.audit import service as audit
from tongban.demo import items_data as data
from tongban.items import indexing, service
from tongban.items.models import BasicItem
from tongban.items.schemas import BundleIn, ImplementationIn
from tongban.org.auth import user_actor
from tongban.org.models import Department, User
from tongban.transactions import use_case


@dataclass
class ItemsSummary:
    basic_items: int = 0
    implementations: int = 0
    bundles: int = 0
    events: int = 0


def implementation_in(impl: data.Implementation) -> ImplementationIn:
    """A demo implementation as the input a department would submit."""
    return ImplementationIn.model_validate({
        "basic_code": impl.basic_code, "legal_days": impl.legal_days, "promised_days": impl.promised_days,
        "fee": impl.fee, "conditions": list(impl.conditions),
        "materials": [{"name": m.name, "source": m.source, "ref": m.ref, "required": m.required, "note": m.note}
                      for m in impl.materials],
        "steps": list(impl.steps), "visits": impl.visits, "channels": list(impl.channels),
        "service_objects": list(impl.service_objects), "consult_phone": impl.consult_phone,
        "complaint_phone": impl.complaint_phone, "place": impl.place, "hours": impl.hours, "online": impl.online,
        "instant": impl.instant, "result_name": impl.result_name, "licence_type": impl.licence_type,
    })


def _value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


@use_case
def load(session: Session) -> ItemsSummary:
    """Load the demo items as published; a database that already has a basic catalog is left as it is."""
    summary = ItemsSummary()
    if session.execute(select(BasicItem.id).limit(1)).first() is not None:
        return summary
    admin = user_actor(session.execute(select(User).where(User.username == "admin")).scalar_one(),
                       client_ip="127.0.0.1")
    depts = {d.code: d for d in session.execute(select(Department)).scalars()}
    high = set(data.HIGH_FREQUENCY)
    basics: dict[str, BasicItem] = {}
    for b in data.BASIC_ITEMS:
        row = BasicItem(code=b.code, name=b.name, item_type=b.item_type, legal_basis=b.legal_basis,
                        levels=list(b.level), high_frequency=b.code in high)
        session.add(row)
        basics[b.code] = row
    session.flush()
    summary.basic_items = len(basics)
    # Published a fortnight ago at 09:00 Beijing time, like the demo catalog's entries.
    published_at = dt.datetime.combine(clock.today() - dt.timedelta(days=14), dt.time(1, 0))
    for impl in data.IMPLEMENTATIONS:
        row_impl = service.build_implementation(session, None, basics[impl.basic_code], depts[impl.department_code],
                                                implementation_in(impl))
        service.mark_published(session, None, row_impl, note="首次发布", at=published_at)
        summary.implementations += 1
    session.flush()
    audit.record(session, actor=admin, action="demo.items_load", object_type="platform", object_id="demo",
                 detail={"basic_items": summary.basic_items, "implementations": summary.implementations})
    for position, (name, codes) in enumerate(data.LIFE_EVENTS.items(), start=1):
        service.set_event(session=session, actor=admin, kind="life", name=name, codes=list(codes), position=position)
        summary.events += 1
    for position, (name, codes) in enumerate(data.BUSINESS_EVENTS.items(), start=1):
        service.set_event(session=session, actor=admin, kind="business", name=name, codes=list(codes),
                          position=position)
        summary.events += 1
    for bundle in data.BUNDLES:
        service.create_bundle(session=session, actor=admin, bundle_in=BundleIn.model_validate({
            "code": bundle.code, "name": bundle.name, "event": bundle.event, "audience": bundle.audience,
            "lead_department_id": depts[bundle.lead_department_code].id, "guide": bundle.guide,
            "joint_policy": bundle.joint_policy,
            "members": [{"basic_code": m.basic_code, "condition": None if m.condition is None else {
                "field": m.condition.field, "op": m.condition.op, "value": _value(m.condition.value),
                "label": m.condition.label}} for m in bundle.members]}))
        summary.bundles += 1
    indexing.reindex_all(session)  # the portal's search: every published item and bundle
    return summary
