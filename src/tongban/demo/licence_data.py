"""Licence types of the demo city: common national e-licences, their items and layouts.

The defining departments are the national ministries that define each licence (证照定义机构);
their credit codes here are made-up but valid (check characters computed), like the rest of the
demo data. Issuing departments are named by their code in the demo city.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.demo.city import stable_org_code_base, uscc


@dataclass(frozen=True)
class LicenceTypeSeed:
    name: str
    serial: str  # the type code's last 3 digits
    defining_org_name: str
    holder_kind: str
    items: list[dict[str, Any]]
    layout: dict[str, Any]
    validity_years: int | None
    issuer_codes: tuple[str, ...]  # department codes in the demo city
    description: str


def defining_code(name: str) -> str:
    """A stable, valid credit code for a national defining department (central level, 100000)."""
    return uscc("1", "1", "100000", stable_org_code_base(name))


def _item(key: str, name: str, type_: str = "text", required: bool = True) -> dict[str, Any]:
    return {"key": key, "name": name, "type": type_, "required": required}


LICENCE_TYPES: list[LicenceTypeSeed] = [
    LicenceTypeSeed(
        "营业执照", "001", "国家市场监督管理总局", "entity",
        [_item("entity_type", "类型"), _item("legal_representative", "法定代表人"),
         _item("registered_capital", "注册资本"), _item("established_on", "成立日期", "date"),
         _item("address", "住所"), _item("business_scope", "经营范围")],
        {"title": "营业执照", "subtitle": "（副本）", "orientation": "landscape", "accent_color": "#B22222",
         "columns": 2, "footer": "国家企业信用信息公示系统网址：www.gsxt.gov.cn"},
        None, ("city-amr",), "企业、个体工商户等市场主体的登记证明，记载统一社会信用代码、名称、类型、法定代表人等。"),
    LicenceTypeSeed(
        "食品经营许可证", "002", "国家市场监督管理总局", "entity",
        [_item("operator_name", "经营者名称"), _item("legal_representative", "法定代表人（负责人）"),
         _item("address", "经营场所"), _item("main_business", "主体业态"), _item("business_items", "经营项目")],
        {"title": "食品经营许可证", "orientation": "portrait", "accent_color": "#1F5FA8", "columns": 1,
         "footer": "日常监督管理机构：安康市市场监督管理局"},
        5, ("city-amr",), "从事食品销售和餐饮服务的经营者取得的许可证明，有效期 5 年。"),
    LicenceTypeSeed(
        "不动产登记证明", "001", "自然资源部", "any",
        [_item("right_type", "证明权利或事项"), _item("obligee", "权利人（申请人）"),
         _item("obligor", "义务人", required=False), _item("location", "坐落"),
         _item("unit_number", "不动产单元号"), _item("other", "其他", required=False)],
        {"title": "不动产登记证明", "orientation": "portrait", "accent_color": "#2E7D32", "columns": 1,
         "footer": "中华人民共和国自然资源部监制"},
        None, ("city-bdc",), "抵押权、地役权、预告登记等事项的登记证明。"),
    LicenceTypeSeed(
        "户口迁移证明", "001", "公安部", "person",
        [_item("gender", "性别"), _item("birth_date", "出生日期", "date"), _item("from_address", "迁出地址"),
         _item("to_address", "迁往地址"), _item("reason", "迁移原因")],
        {"title": "户口迁移证明", "orientation": "portrait", "accent_color": "#8B0000", "columns": 1,
         "footer": "凭此证明办理户口迁入登记"},
        1, ("city-psb",), "户口迁出时开具、凭以在迁入地落户的证明（跨省通办）。"),
]


def type_code(seed: LicenceTypeSeed) -> str:
    """The 21-character type code: the defining department's credit code and the serial."""
    return defining_code(seed.defining_org_name) + seed.serial


# The licensed demo firm (city.ENTERPRISES[0]) as its 营业执照 and the market register both record it.
DEMO_FIRM_ENTITY_TYPE = "有限责任公司（自然人投资或控股）"
DEMO_FIRM_ADDRESS = "陕西省安康市汉滨区兴安中路56号"
DEMO_FIRM_SCOPE = ("茶叶种植、加工、销售；农产品初加工；预包装食品销售"
                   "（依法须经批准的项目，经相关部门批准后方可开展经营活动）。")
