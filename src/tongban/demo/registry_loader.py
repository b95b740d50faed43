"""Demo base registries: a small population, legal-entity and tax-credit register loaded
through the real ingest, grants for two systems, and a few logged exchange calls.

The demo citizens and enterprises (the accounts in the README) are in the registers, so a
citizen who logs in sees who used their data, and the printed demo API key can query them.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tongban import clock
from tongban.authz import SYSTEM, Actor
from tongban.catalog.models import InformationResource
from tongban.demo import city, registry_data
from tongban.demo.catalog_loader import officer
from tongban.demo.licence_data import DEMO_FIRM_ADDRESS, DEMO_FIRM_ENTITY_TYPE, DEMO_FIRM_SCOPE
from tongban.exchange.access import CallContext
from tongban.exchange.gateway import get_record
from tongban.org.models import AppClient, Department
from tongban.registries import ingest
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, ProviderDecision, RequestCreate

# The pension register (企业职工基本养老保险参保信息) is shared through the provider's interface only,
# so its records stay with the provider and are not loaded here.
SIZES = {"population": 2000, "legal_entities": 300, "credit": 300}


@dataclass
class RegistrySummary:
    records: dict[str, int] = field(default_factory=dict)  # resource code → records
    grants: int = 0
    calls: int = 0


def register(session: Session, kind: str) -> InformationResource:
    """The demo catalog resource a generated register (`registry_data.RESOURCE_MATCHES`) is loaded into."""
    provider_code, name, _, _ = registry_data.RESOURCE_MATCHES[kind]
    query = select(InformationResource).join(Department, Department.id == InformationResource.provider_id)
    return session.execute(query.where(Department.code == provider_code, InformationResource.name == name)).scalar_one()


def _population_rows() -> list[dict[str, str]]:
    rows = list(registry_data.population(SIZES["population"]))
    for n, c in enumerate(city.CITIZENS):
        row = dict(registry_data.person_at(SIZES["population"] + n))
        row.update(id_number=c.resident_id, name=c.name, gender=c.gender, birth_date=c.birth.isoformat(),
                   household_head=c.name, relation_to_head="02", reg_address=c.address, reg_region=c.region_code,
                   phone=c.phone)
        rows.append(row)
    return rows


def _entity_rows() -> list[dict[str, str]]:
    rows = list(registry_data.legal_entities(SIZES["legal_entities"]))
    for n, e in enumerate(city.ENTERPRISES):
        row = dict(registry_data.entity_at(SIZES["legal_entities"] + n))
        row.update(uscc=e.uscc, entity_name=e.name, legal_rep=e.legal_representative, legal_rep_id=e.legal_rep_id,
                   reg_capital=e.registered_capital_wan, established_date=e.established.isoformat(),
                   # The demo enterprises log in and hold licences: they are operating (存续), registered as
                   # the companies they are, and were last changed on registration — not whatever the
                   # generated row they borrow their other columns from says.
                   reg_status="存续", entity_type=DEMO_FIRM_ENTITY_TYPE, approval_date=e.established.isoformat(),
                   business_term_to=(registry_data._date_plus_years(e.established, 30)
                                     - dt.timedelta(days=1)).isoformat())
        if n == 0:  # the firm the demo licences are issued to
            row.update(domicile=DEMO_FIRM_ADDRESS, business_scope=DEMO_FIRM_SCOPE)
        rows.append(row)
    return rows


def _grant(session: Session, *, consumer: str, client_dept: str, resource: InformationResource, provider: str,
           items: list[str], purpose: str, legal_basis: str) -> None:
    client = session.execute(select(AppClient).join(Department).where(Department.code == client_dept)
                             ).scalars().first()
    assert client is not None
    today = clock.today()
    req = sharing.submit_request(session=session, actor=officer(session, consumer), request_in=RequestCreate(
        resource_id=resource.id, client_id=client.id, items=items, purpose=purpose, legal_basis=legal_basis,
        scenario="一网通办业务办理中核验办事人信息", period_start=today, period_end=today + dt.timedelta(days=365)))
    req = sharing.compliance_check(session=session, actor=officer(session, "admin"), request_id=req.id,
                                   decision=ComplianceDecision(decision="pass"))
    if req.status == "pending_provider":
        sharing.provider_decide(session=session, actor=officer(session, provider), request_id=req.id,
                                decision=ProviderDecision(decision="approve"))


def load(session: Session) -> RegistrySummary:
    """Ingest the demo registers and make a few exchange calls (after the demo city and catalog)."""
    summary = RegistrySummary()
    factory = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
    sources = {
        "population": (_population_rows(), registry_data.POPULATION_COLUMNS),
        "legal_entities": (_entity_rows(), registry_data.LEGAL_ENTITY_COLUMNS),
        "credit": (registry_data.credit_records(SIZES["credit"]), registry_data.TAX_CREDIT_COLUMNS),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for kind, (rows, columns) in sources.items():
            resource = register(session, kind)
            path = Path(tmp) / f"{kind}.csv"
            registry_data.write_csv(rows, path, columns)
            result = ingest.ingest(factory=factory, actor=SYSTEM, resource_code=resource.code, path=path,
                                   report_path=Path(tmp) / f"{kind}.rejected.csv")
            summary.records[resource.code] = result.records
    population, entities = register(session, "population"), register(session, "legal_entities")
    _grant(session, consumer="amr_data", client_dept="city-amr", resource=population, provider="psb_data",
           items=["id_number", "name", "gender", "reg_address"], purpose="企业开办登记时核验法定代表人身份",
           legal_basis="《中华人民共和国市场主体登记管理条例》第十五条")
    _grant(session, consumer="dsj_data", client_dept=city.PLATFORM_OPERATOR_CODE, resource=population,
           provider="psb_data", items=[i.key for i in population.items], purpose="一网通办办件时核验申请人身份",
           legal_basis="《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》")
    _grant(session, consumer="dsj_data", client_dept=city.PLATFORM_OPERATOR_CODE, resource=entities,
           provider="amr_data", items=[i.key for i in entities.items], purpose="一网通办办件时核验企业登记信息",
           legal_basis="《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》")
    summary.grants = 3
    amr = session.execute(select(AppClient).join(Department).where(Department.code == "city-amr")).scalars().first()
    assert amr is not None
    actor = Actor(kind="client", id=amr.id, name=amr.name, username=amr.code, department_id=amr.department_id,
                  client_id=amr.id, client_ip="127.0.0.1")
    for n, c in enumerate(city.CITIZENS[:5]):
        get_record(session=session, actor=actor, code=population.code, key=c.resident_id, ctx=CallContext(
            purpose="企业开办登记时核验法定代表人身份", end_user=c.resident_id, case_number=f"QYKB2026{n + 1:05d}"))
        summary.calls += 1
    return summary


def platform_system_grants(session: Session) -> int:
    """一网通办平台 (cases/prefill.py) and its grants, on the normal sharing path: the data bureau's officer asks
    for the base registries the forms are pre-filled from and the resources the demo items' shared materials
    name, the platform checks, each provider's data officer approves. Idempotent: resources the system holds
    a grant on or has asked for are left alone; a provider without a data officer is not asked (its materials
    stay uploads). Returns the number of grants made."""
    from tongban.cases import prefill
    from tongban.items.models import Implementation
    from tongban.org.models import User, UserRole
    from tongban.sharing.models import SharingRequest

    system = prefill.ensure_platform_system(session=session, actor=officer(session, "admin"))
    impls = session.execute(select(Implementation).where(Implementation.published_version > 0)).scalars().all()
    asked = set(session.execute(select(SharingRequest.resource_id).where(
        SharingRequest.client_id == system.id)).scalars())
    today, made = clock.today(), 0
    for name, items in prefill.grant_needs(session, impls).items():
        resource = session.execute(select(InformationResource).where(
            InformationResource.name == name, InformationResource.status == "published")
            .order_by(InformationResource.id).limit(1)).scalar_one_or_none()
        if resource is None or resource.share_type == "none" or resource.id in asked \
                or resource.provider_id == system.department_id:
            continue
        keys = [i.key for i in resource.items if i.key in items]
        provider = session.execute(select(User.username).join(UserRole, UserRole.user_id == User.id).where(
            User.department_id == resource.provider_id, UserRole.role == "data_officer")
            .order_by(User.id).limit(1)).scalar_one_or_none()
        if not keys or (provider is None and resource.share_type == "conditional"):
            continue
        req = sharing.submit_request(session=session, actor=officer(session, "dsj_data"), request_in=RequestCreate(
            resource_id=resource.id, client_id=system.id, items=keys,
            purpose="一网通办：经申请人本人请求预填申请表、调取申请材料，免于重复提交",
            legal_basis="《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》、《政务数据共享条例》",
            scenario="申请人在线办事时，经本人请求调取并预览确认后使用", period_start=today,
            period_end=today + dt.timedelta(days=365)))
        req = sharing.compliance_check(session=session, actor=officer(session, "admin"), request_id=req.id,
                                       decision=ComplianceDecision(decision="pass", note="一网通办免提交，用途明确"))
        if req.status == "pending_provider" and provider is not None:
            sharing.provider_decide(session=session, actor=officer(session, provider), request_id=req.id,
                                    decision=ProviderDecision(decision="approve", note="同意共享"))
        made += sharing.grant_for(session, req.id) is not None
    return made
