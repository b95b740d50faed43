"""A small city with published items (承诺件 issuing 营业执照, 即办件), a bundle of two and an enterprise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, make_uscc
from tests.licences.conftest import business_licence_type
from tongban.items import service as items
from tongban.items.models import Implementation
from tongban.items.schemas import BasicItemIn, BundleIn, ImplementationIn
from tongban.org.models import User
from tongban.seals import service as seals
from tongban.workflow import service as wf

LICENCE_DATA = {"entity_type": "有限责任公司（自然人投资或控股）", "legal_representative": "王建国",
                "registered_capital": "伍佰万元整", "established_on": "2021-03-15",
                "address": "陕西省安康市汉滨区兴安中路 88 号", "business_scope": "软件开发；信息技术咨询服务。"}


@dataclass
class CasesWorld:
    city: SmallCity
    company: Implementation  # 承诺件 at the AMR, result 营业执照
    social: Implementation  # 即办件 at the HRSS
    enterprise: User
    other: User

    def actor(self, who: str):  # type: ignore[no-untyped-def]
        if who == "enterprise":
            return actor_of(self.enterprise)
        if who == "other":
            return actor_of(self.other)
        return actor_of(self.city.users[who])


def _impl(session: Session, city: SmallCity, dept_user: str, **data: Any) -> Implementation:
    base: dict[str, Any] = dict(legal_days=20, promised_days=5, fee="不收费", conditions=[], steps=["申请", "受理"],
                                visits=0, channels=["网上办理"], service_objects=["企业法人"], online=True,
                                instant=False, result_name="", licence_type=None, materials=[
                                    {"name": "申请书", "source": "upload"},
                                    {"name": "营业执照", "source": "licence", "ref": "营业执照"},
                                    {"name": "法定代表人身份信息", "source": "shared", "ref": "户籍人口基本信息:name"}])
    base.update(data)
    impl = items.create_implementation(session=session, actor=actor_of(city.users[dept_user]),
                                       implementation_in=ImplementationIn.model_validate(base))
    items.submit_implementation(session=session, actor=actor_of(city.users[dept_user]), implementation_id=impl.id)
    return items.approve_implementation(session=session, actor=actor_of(city.users["admin"]),
                                        implementation_id=impl.id)


@pytest.fixture
def world(session: Session, city: SmallCity) -> CasesWorld:
    admin = actor_of(city.users["admin"])
    wf.publish_shipped(session=session)
    for department in (city.amr, city.hrss):  # each department seals its own notices (受理通知书 …)
        seals.create_seal(session=session, actor=admin, seal_in=seals.SealCreate(department_id=department.id,
                                                                                 kind="approval"))
    business_licence_type(session, city)
    for code, name in (("011000000001", "有限责任公司设立登记"), ("011000000002", "单位参保登记")):
        items.create_basic_item(session=session, actor=admin, item_in=BasicItemIn(
            code=code, name=name, item_type="行政许可", legal_basis="《中华人民共和国公司法》", levels=["市级"]))
    company = _impl(session, city, "amr_admin", basic_code="011000000001", licence_type="营业执照",
                    result_name="营业执照")
    social = _impl(session, city, "hrss_admin", basic_code="011000000002", promised_days=0, legal_days=0,
                   instant=True)
    items.create_bundle(session=session, actor=admin, bundle_in=BundleIn(
        code="KBQY", name="开办企业一件事", event="开办企业", audience="enterprise", lead_department_id=city.amr.id,
        members=[{"basic_code": "011000000001"}, {"basic_code": "011000000002",
                                                   "condition": {"field": "employees", "op": ">", "value": 0,
                                                                 "label": "有雇员的需办理参保登记"}}]))
    enterprise = User(username="ent1", display_name="安康汉水云科技有限公司", kind="enterprise",
                      credit_code=make_uscc("610902", "91"), password_hash="x")
    other = User(username="ent2", display_name="安康另一家科技有限公司", kind="enterprise",
                 credit_code=make_uscc("610902", "91"), password_hash="x")
    session.add_all([enterprise, other])
    session.commit()
    return CasesWorld(city, company, social, enterprise, other)
