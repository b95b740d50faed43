"""Demo catalog: ~320 realistic resources, sharing requests in every state; and the benchmark-scale catalog."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tongban import clock
from tongban.audit import service as audit
from tongban.authz import SYSTEM, Actor
from tongban.catalog import search as catalog_search
from tongban.catalog import service as catalog
from tongban.catalog.models import InformationResource, ResourceVersion
from tongban.catalog.schemas import ResourceIn
from tongban.demo.catalog_data import RESOURCES, ResourceSeed, scale_catalog
from tongban.demo.registry_data import RESOURCE_MATCHES
from tongban.org.auth import user_actor
from tongban.org.models import AppClient, Department, User
from tongban.sharing import service as sharing
from tongban.sharing.schemas import (
    ComplianceDecision,
    Coordination,
    GrantAction,
    Objection,
    ProviderDecision,
    RequestCreate,
)
from tongban.transactions import use_case


def _resource_in(seed: ResourceSeed, provider_id: int) -> ResourceIn:
    return ResourceIn.model_validate({
        "classification_code": seed.classification, "name": seed.name, "abstract": seed.abstract,
        "format_type": seed.format_type, "share_type": seed.share_type, "share_condition": seed.share_condition,
        "no_share_reason": seed.no_share_reason, "share_methods": list(seed.share_methods),
        "open_to_public": seed.open_to_public, "open_condition": seed.open_condition,
        "update_cycle": seed.update_cycle, "themes": list(seed.themes), "data_on_platform": seed.data_on_platform,
        "provider_id": provider_id,
        "items": [{"name": i.name, "key": i.key, "data_type": i.data_type, "length": i.length,
                   "required": i.required, "is_key": i.is_key, "sensitivity": i.sensitivity,
                   "description": i.description} for i in seed.items],
    })


def _publish_all(session: Session, resources: Iterable[InformationResource], day: dt.date) -> None:
    """Publish as of `day`: the 发布日期, the first version and the entry's creation all say the same day.

    `mark_published` stamps the version with the present moment; a demo catalog published "a month ago"
    whose first version is dated today contradicts itself on the resource page.
    """
    resources = list(resources)
    for r in resources:
        catalog.mark_published(session, None, r, note="首次发布", on=day)
    session.flush()
    # 09:00 Beijing time on that day, stored as naive UTC like every timestamp.
    moment = dt.datetime.combine(day, dt.time(1, 0))
    ids = [r.id for r in resources]
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        session.execute(update(ResourceVersion).where(ResourceVersion.resource_id.in_(part),
                                                      ResourceVersion.version == 1).values(published_at=moment))
        session.execute(update(InformationResource).where(InformationResource.id.in_(part))
                        .values(created_at=moment, updated_at=moment))


@dataclass
class LoadResult:
    resources: int
    items: int
    seconds: float


@use_case
def _load(session: Session, seeds: Iterable[ResourceSeed], *, publish_every: int | None) -> LoadResult:
    """Build resources through the catalog's own rules (codes, validation, index): one use-case (a few
    thousand resources at a city's scale fit one transaction), the planner statistics included."""
    started = time.perf_counter()
    departments = {d.code: d.id for d in session.execute(select(Department)).scalars()}
    seeds = list(seeds)
    built = catalog.build_resources(session, SYSTEM, [_resource_in(s, departments[s.provider]) for s in seeds])
    items = sum(len(s.items) for s in seeds)
    # Base registries the demo loads records into are always published.
    registers = {name for _, name, _, _ in RESOURCE_MATCHES.values()}
    created = [r for n, r in enumerate(built) if publish_every is None or n % publish_every or r.name in registers]
    _publish_all(session, created, clock.today() - dt.timedelta(days=30))
    audit.record(session, actor=SYSTEM, action="catalog.import", object_type="platform", object_id="demo",
                 detail={"resources": len(created), "items": items})
    catalog_search.refresh_statistics(session)
    return LoadResult(resources=len(created), items=items, seconds=time.perf_counter() - started)


def load_scale(session: Session, *, resources: int = 5000, items: int = 64000, publish: bool = True) -> LoadResult:
    """`tongban demo-catalog`: a catalog at a real city's scale (Ankang: 4,709 entries, 63,856 items)."""
    return _load(session, scale_catalog(resources, items), publish_every=None if publish else 1)


def load_demo(session: Session) -> LoadResult:
    """The demo catalog: every 25th resource stays a draft so that editors see one."""
    result = _load(session, RESOURCES, publish_every=25)
    load_demo_requests(session)
    return result


def officer(session: Session, username: str) -> Actor:
    """A demo staff account as the acting user (the demo loaders act through the real services)."""
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return user_actor(user, client_ip="127.0.0.1")


def _client(session: Session, department_code: str) -> AppClient:
    return session.execute(select(AppClient).join(Department).where(Department.code == department_code)
                           ).scalars().first()  # type: ignore[return-value]


def load_demo_requests(session: Session) -> None:
    """Sharing requests in every state, with some overdue, made by the demo officers."""
    platform = officer(session, "admin")
    published = session.execute(select(InformationResource).where(InformationResource.status == "published")
                                .order_by(InformationResource.id)).scalars().all()
    by_provider: dict[int, list[InformationResource]] = {}
    for r in published:
        if r.share_type != "none":
            by_provider.setdefault(r.provider_id, []).append(r)
    departments = {d.code: d for d in session.execute(select(Department)).scalars()}
    consumers = [("amr_data", "city-amr"), ("hrss_data", "city-hrss"), ("housing_data", "city-housing"),
                 ("edu_data", "city-edu"), ("civil_data", "city-civil"), ("bdc_data", "city-bdc"),
                 ("health_data", "city-health"), ("hpf_data", "city-hpf")]
    providers = {"city-psb": "psb_data", "city-hrss": "hrss_data", "city-amr": "amr_data", "city-civil": "civil_data",
                 "city-housing": "housing_data", "city-bdc": "bdc_data", "city-tax": "tax_data",
                 "city-health": "health_data", "city-edu": "edu_data", "city-hpf": "hpf_data"}
    pairs: list[tuple[str, str, InformationResource, str]] = []  # consumer user, consumer dept, resource, provider user
    for i, (cuser, cdept) in enumerate(consumers):
        for j, (pdept, puser) in enumerate(providers.items()):
            if pdept == cdept or departments[pdept].id not in by_provider:
                continue
            pool = by_provider[departments[pdept].id]
            pairs.append((cuser, cdept, pool[(i + j) % len(pool)], puser))
    today = clock.today()
    plan = ["granted", "pending_provider", "submitted", "refused", "objected", "refused_final", "compliance_rejected",
            "withdrawn", "suspended", "revoked", "pending_provider_overdue", "submitted_overdue", "granted",
            "granted", "pending_provider", "granted"]
    used: set[tuple[int, int]] = set()
    made = 0
    for cuser, cdept, resource, puser in pairs:
        if made >= len(plan):
            break
        target = plan[made]
        if target in ("pending_provider", "pending_provider_overdue", "refused", "objected", "refused_final") \
                and resource.share_type != "conditional":
            continue
        client = _client(session, cdept)
        if (client.id, resource.id) in used:
            continue
        used.add((client.id, resource.id))
        made += 1
        consumer, provider = officer(session, cuser), officer(session, puser)
        overdue = target.endswith("_overdue")
        start = today - dt.timedelta(days=20 if overdue else 2)
        keys = [i.key for i in resource.items][:4]
        with clock.frozen(start):
            req = sharing.submit_request(session=session, actor=consumer, request_in=RequestCreate(
                resource_id=resource.id, client_id=client.id, items=keys,
                purpose=f"{departments[cdept].short_name}办理行政审批时核验申请人提交的信息",
                legal_basis="《中华人民共和国行政许可法》第三十一条、《政务数据共享条例》",
                scenario="一网通办：申请人授权后在线核验，免于提交纸质材料", period_start=start,
                period_end=start + dt.timedelta(days=365)))
            if target in ("submitted", "submitted_overdue"):
                continue
            if target == "withdrawn":
                sharing.withdraw(session=session, actor=consumer, request_id=req.id)
                continue
            if target == "compliance_rejected":
                sharing.compliance_check(
                    session=session, actor=platform, request_id=req.id, decision=ComplianceDecision(
                        decision="reject", note="所述履职依据不涉及该资源的信息项，请补充具体法规条款后重新申请"))
                continue
            sharing.compliance_check(session=session, actor=platform, request_id=req.id,
                                     decision=ComplianceDecision(decision="pass", note="用途明确，依据充分"))
            if req.status == "pending_provider":
                if target in ("pending_provider", "pending_provider_overdue"):
                    continue
                if target in ("refused", "objected", "refused_final"):
                    sharing.provider_decide(
                        session=session, actor=provider, request_id=req.id, decision=ProviderDecision(
                            decision="refuse",
                            note="申请的信息项超出所述业务的最小必要范围，建议仅申请身份核验所需信息项"))
                    if target == "refused":
                        continue
                    sharing.object_to_refusal(session=session, actor=consumer, request_id=req.id, objection=Objection(
                        text="所申请信息项均为审批表单必填内容，按照数据共享条例不应再要求群众重复提交"))
                    if target == "objected":
                        continue
                    sharing.coordinate(session=session, actor=platform, request_id=req.id, coordination=Coordination(
                        decision="uphold", note="经协调核实，审批只需核验身份，维持提供部门意见"))
                    continue
                sharing.provider_decide(session=session, actor=provider, request_id=req.id,
                                        decision=ProviderDecision(decision="approve", note="同意共享"))
            grant = sharing.grant_for(session, req.id)
            if grant is not None and target == "suspended":
                sharing.suspend_grant(session=session, actor=provider, grant_id=grant.id,
                                      action=GrantAction(reason="调用量异常，暂停核查"))
            if grant is not None and target == "revoked":
                sharing.revoke_grant(session=session, actor=platform, grant_id=grant.id,
                                     action=GrantAction(reason="使用部门超出授权用途使用数据，经核实予以撤销"))
