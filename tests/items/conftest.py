"""A small city with a county, a basic catalog entry and helpers to build implementations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, department, region, staff
from tests.licences.conftest import business_licence_type
from tongban.items import service
from tongban.items.models import BasicItem, Implementation
from tongban.items.schemas import BasicItemIn, ImplementationIn
from tongban.org.models import Department, User

FOOD_CODE = "011010800000"


@dataclass
class ItemsWorld:
    city: SmallCity
    county_amr: Department
    users: dict[str, User]
    food: BasicItem

    def actor(self, who: str):  # type: ignore[no-untyped-def]
        return actor_of(self.users[who])


def impl_in(**overrides: Any) -> ImplementationIn:
    """The city's 食品经营许可 implementation: one material of every source kind."""
    data: dict[str, Any] = dict(
        basic_code=FOOD_CODE, legal_days=10, promised_days=5, fee="不收费",
        conditions=["已取得营业执照等合法主体资格"],
        materials=[
            {"name": "食品经营许可申请书", "source": "upload"},
            {"name": "营业执照", "source": "licence", "ref": "营业执照"},
            {"name": "法定代表人身份信息", "source": "shared", "ref": "户籍人口基本信息:id_number,name",
             "note": "通过人口基础信息库核验"},
            {"name": "从业人员健康证明", "source": "bundle", "ref": "012000100000"},
            {"name": "身份证件复印件", "source": "waived", "required": False,
             "note": "国办发〔2018〕47号：能通过电子证照、数据共享核验的不再要求提供"},
        ],
        steps=["申请", "受理", "审查", "决定", "制证送达"], visits=0, channels=["网上办理", "窗口办理"],
        service_objects=["企业法人"], consult_phone="0915-3200001", complaint_phone="12345",
        place="安康市政务服务中心市场监管窗口", hours="法定工作日 8:30—17:30", online=True, instant=False,
        result_name="食品经营许可证", licence_type="食品经营许可证",
    )
    data.update(overrides)
    return ImplementationIn.model_validate(data)


def publish(session: Session, world: ItemsWorld, impl: Implementation) -> Implementation:
    """Submit as the department, approve as the platform."""
    dept_admin = next(u for u in world.users.values()
                      if u.department_id == impl.department_id and any(r.role == "dept_admin" for r in u.role_rows))
    service.submit_implementation(session=session, actor=actor_of(dept_admin), implementation_id=impl.id)
    return service.approve_implementation(session=session, actor=world.actor("admin"), implementation_id=impl.id)


@pytest.fixture
def items_world(session: Session, city: SmallCity) -> ItemsWorld:
    region(session, "610902", "汉滨区", "county", "610900")
    county_amr = department(session, "安康市汉滨区市场监督管理局", code="hanbin-amr", region_code="610902")
    users = dict(city.users)
    users["hb_admin"] = staff(session, "hb_admin", county_amr, "dept_admin", name="汉滨管理员")
    session.commit()
    business_licence_type(session, city)  # 营业执照 is issued by the licence library: it can be fetched
    food = service.create_basic_item(session=session, actor=actor_of(city.users["admin"]), item_in=BasicItemIn(
        code=FOOD_CODE, name="食品经营许可", item_type="行政许可",
        legal_basis="《中华人民共和国食品安全法》第三十五条", levels=["市级", "县级"], high_frequency=True))
    service.create_basic_item(session=session, actor=actor_of(city.users["admin"]), item_in=BasicItemIn(
        code="012000100000", name="从业人员健康检查", item_type="公共服务", legal_basis="《食品安全法》第四十五条",
        levels=["市级", "县级"]))
    return ItemsWorld(city, county_amr, users, food)
