"""Demo seals, licence types and licences: issued through the real services, so the seal pages,
the issued lists, "我的证照" of the demo citizen and enterprise, and the verification page show them.

Call after the demo city is loaded (`tongban demo` does this).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.demo import city
from tongban.demo.licence_data import (
    DEMO_FIRM_ADDRESS,
    DEMO_FIRM_ENTITY_TYPE,
    DEMO_FIRM_SCOPE,
    LICENCE_TYPES,
    type_code,
)
from tongban.licences import issuing, licence_types
from tongban.org.auth import user_actor
from tongban.org.models import Department, User
from tongban.seals import service as seals

# (department code, seal kind): the seals of the demo city.
SEALS: list[tuple[str, str]] = [
    ("city-data", "official"), ("city-amr", "approval"), ("city-amr", "official"), ("city-psb", "licence"),
    ("city-bdc", "licence"),
]


@dataclass
class LicenceSummary:
    seals: int = 0
    types: int = 0
    identifiers: list[str] = field(default_factory=list)


def _user(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return user


def load(session: Session) -> LicenceSummary:
    """Make the demo seals and types and issue a licence of each type to the first citizen or enterprise."""
    summary = LicenceSummary()
    admin = user_actor(_user(session, "admin"), client_ip="127.0.0.1")
    depts = {d.code: d for d in session.execute(select(Department)).scalars()}
    for code, kind in SEALS:
        seals.create_seal(session=session, actor=admin, seal_in=seals.SealCreate(department_id=depts[code].id,
                                                                                  kind=kind))
        summary.seals += 1
    types = {}
    for seed in LICENCE_TYPES:
        code = type_code(seed)
        types[seed.name] = licence_types.create_type(session=session, actor=admin, type_in=licence_types.LicenceTypeIn(
            code=code, name=seed.name, defining_org_name=seed.defining_org_name, defining_org_code=code[:18],
            holder_kind=seed.holder_kind, items=seed.items, layout=seed.layout, validity_years=seed.validity_years,
            description=seed.description, issuer_department_ids=[depts[c].id for c in seed.issuer_codes]))
        summary.types += 1
    firm, person = city.ENTERPRISES[0], city.CITIZENS[0]
    amr = user_actor(_user(session, "amr_reviewer"), client_ip="127.0.0.1")
    psb = user_actor(_user(session, "psb_reviewer"), client_ip="127.0.0.1")
    bdc = user_actor(_user(session, "bdc_reviewer"), client_ip="127.0.0.1")
    issues = [
        (amr, "营业执照", firm.name, firm.uscc, {
            "entity_type": DEMO_FIRM_ENTITY_TYPE, "legal_representative": firm.legal_representative,
            "registered_capital": f"人民币{firm.registered_capital_wan}万元",
            "established_on": firm.established.isoformat(), "address": DEMO_FIRM_ADDRESS,
            "business_scope": DEMO_FIRM_SCOPE},
         "11610900MB2925183X4000117001", "有限责任公司设立登记"),
        (amr, "食品经营许可证", firm.name, firm.uscc, {
            "operator_name": firm.name, "legal_representative": firm.legal_representative,
            "address": "陕西省安康市汉滨区兴安中路56号一层", "main_business": "食品销售经营者（单位食堂以外）",
            "business_items": "预包装食品（含冷藏冷冻食品）销售；散装食品（不含冷藏冷冻食品）销售"},
         "11610900MB2925183X4000120001", "食品经营许可"),
        (psb, "户口迁移证明", person.name, person.resident_id, {
            "gender": person.gender, "birth_date": person.birth.isoformat(), "from_address": person.address,
            "to_address": "陕西省西安市雁塔区小寨东路 126 号", "reason": "投靠子女"},
         "11610900MB2925183X4000201001", "户口迁移（跨省通办）"),
        (bdc, "不动产登记证明", person.name, person.resident_id, {
            "right_type": "抵押权", "obligee": "中国建设银行股份有限公司安康分行", "obligor": person.name,
            "location": person.address, "unit_number": "610902003001GB00101F00010001"},
         "11610900MB2925183X4000301001", "不动产抵押权首次登记"),
    ]
    for actor, type_name, holder, holder_code, data, item_code, item_name in issues:
        licence = issuing.issue(session=session, actor=actor, licence_in=issuing.LicenceIssue(
            type_id=types[type_name].id, holder_name=holder, holder_code=holder_code, data=data,
            service_item_code=item_code, service_item_name=item_name))
        summary.identifiers.append(licence.identifier)
    return summary
