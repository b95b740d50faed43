"""Demo data-quality disputes (数据疑义): one of each kind a data officer meets, raised through the real
service on the demo registers and grants, so the lists, the detail pages and the exchange show them.

Call after the demo city, catalog and registers are loaded (`tongban demo` does these):

    from tongban.demo import dispute_loader
    dispute_loader.load(session)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.catalog.models import InformationResource
from tongban.demo import city
from tongban.demo.catalog_loader import officer
from tongban.demo.registry_loader import register
from tongban.disputes import service
from tongban.disputes.schemas import DisputeAnswer, DisputeCreate, DisputeEscalation
from tongban.org.auth import user_actor
from tongban.org.models import AppClient, Department, User
from tongban.registries.models import RegistryRecord


@dataclass
class DisputeSummary:
    numbers: dict[str, str] = field(default_factory=dict)  # status → number of the demo dispute


def _provider_officer(session: Session, resource: InformationResource) -> Actor:
    """The provider's data officer (the demo gives every department with a team one: <prefix>_data)."""
    user = session.execute(select(User).where(User.department_id == resource.provider_id, User.kind == "staff",
                                              User.username.endswith("_data"))).scalars().first()
    if user is None:
        raise RuntimeError(f"演示数据中“{resource.provider.name}”没有数据管理员账号。")
    return user_actor(user, client_ip="127.0.0.1")


def _first_entity_key(session: Session, resource: InformationResource) -> str:
    key = session.execute(select(RegistryRecord.record_key).where(
        RegistryRecord.resource_id == resource.id, RegistryRecord.deleted.is_(False))
        .order_by(RegistryRecord.record_key).limit(1)).scalar_one()
    return str(key)


def load(session: Session) -> DisputeSummary:
    """Raise four disputes: open, corrected, escalated (waiting for the platform), open against 市场监管局."""
    summary = DisputeSummary()
    population, entities = register(session, "population"), register(session, "legal_entities")
    amr = officer(session, "amr_data")
    psb = _provider_officer(session, population)
    people = city.CITIZENS

    d = service.raise_dispute(session=session, actor=amr, dispute_in=DisputeCreate(
        resource_id=population.id, record_key=people[0].resident_id, items=["reg_address"],
        description="企业开办时申请人出示的户口簿显示已迁入江北街道，共享数据中的户籍地址仍为迁出前的地址。",
        proposed={"reg_address": "陕西省安康市汉滨区江北街道滨江大道8号"},
        evidence="办件中核验的户口簿本人页（线下核验）"))
    summary.numbers["open"] = d.number

    client = session.execute(select(AppClient).join(Department).where(Department.code == "city-amr")
                             ).scalars().first()
    if client is None:
        raise RuntimeError("演示数据中市场监督管理局没有应用系统。")
    system = Actor(kind="client", id=client.id, name=client.name, username=client.code,
                   department_id=client.department_id, client_id=client.id, client_ip="127.0.0.1")
    d = service.raise_dispute(session=session, actor=system, dispute_in=DisputeCreate(
        resource_id=population.id, record_key=people[1].resident_id, items=["name"],
        description="登记系统比对发现姓名中的生僻字被替换为同音字，与身份证件不一致。"))
    service.answer(session=session, actor=psb, dispute_id=d.id, answer_in=DisputeAnswer(
        decision="corrected", note="已按常住人口登记表更正姓名用字，随当晚数据更新生效。"))
    summary.numbers["corrected"] = d.number

    d = service.raise_dispute(session=session, actor=amr, dispute_in=DisputeCreate(
        resource_id=population.id, record_key=people[2].resident_id, items=["gender"],
        description="申请人身份证件与共享数据的性别不一致，请核实。"))
    service.answer(session=session, actor=psb, dispute_id=d.id, answer_in=DisputeAnswer(
        decision="rejected", note="经核对户籍档案及身份证制证信息，性别登记无误，请核对申请人证件。"))
    service.escalate(session=session, actor=amr, dispute_id=d.id, escalation=DisputeEscalation(
        reason="申请人当场出示的身份证原件与共享数据不一致，双方各执一词，请平台协调核实。"))
    summary.numbers["escalated"] = d.number

    d = service.raise_dispute(session=session, actor=officer(session, "dsj_data"), dispute_in=DisputeCreate(
        resource_id=entities.id, record_key=_first_entity_key(session, entities),
        items=["entity_name"], description="一网通办办件时发现该企业名称已变更，共享数据仍为变更前的名称。"))
    summary.numbers["against_amr"] = d.number
    return summary
