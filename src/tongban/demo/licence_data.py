"""Licence types of the demo city: common national e-licences, their items and layouts.

The defining departments are the national ministries that define each licence (证照定义机构);
their credit codes here are made-up but valid (check characters computed), like the rest of the
demo data. Issuing departments are named by their code in the demo city.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.demo.city import DEPARTMENTS, stable_org_code_base, uscc


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


# The county market regulation bureaus are registration authorities (登记机关) of their own counties' 个体工商户
# and companies and issue 食品经营许可证 there (市场主体登记管理条例第五条, 食品经营许可和备案管理办法第六条).
COUNTY_AMRS: tuple[str, ...] = tuple(d.code for d in DEPARTMENTS if d.code.endswith("-amr") and d.code != "city-amr")

LICENCE_TYPES: list[LicenceTypeSeed] = [
    LicenceTypeSeed(
        "营业执照", "001", "国家市场监督管理总局", "entity",
        [_item("entity_type", "类型"), _item("legal_representative", "法定代表人"),
         _item("registered_capital", "注册资本"), _item("established_on", "成立日期", "date"),
         _item("address", "住所"), _item("business_scope", "经营范围")],
        {"title": "营业执照", "subtitle": "（副本）", "orientation": "landscape", "accent_color": "#B22222",
         "columns": 2, "footer": "国家企业信用信息公示系统网址：www.gsxt.gov.cn"},
        None, ("city-amr", *COUNTY_AMRS),
        "企业、个体工商户等市场主体的登记证明，记载统一社会信用代码、名称、类型、法定代表人等。"),
    LicenceTypeSeed(
        "食品经营许可证", "002", "国家市场监督管理总局", "entity",
        [_item("operator_name", "经营者名称"), _item("legal_representative", "法定代表人（负责人）"),
         _item("address", "经营场所"), _item("main_business", "主体业态"), _item("business_items", "经营项目")],
        {"title": "食品经营许可证", "orientation": "portrait", "accent_color": "#1F5FA8", "columns": 1,
         "footer": "日常监督管理机构：安康市市场监督管理局"},
        5, ("city-amr", *COUNTY_AMRS), "从事食品销售和餐饮服务的经营者取得的许可证明，有效期 5 年。"),
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


# ---------------------------------------------------------------------------
# The licences the demo city's service items take as materials (items_data.REFERENCED_LICENCE_TYPES) and
# that a department of the city really issues. Their items follow the licence face (照面信息) of the
# national e-licence catalogue (国家政务服务平台 电子证照目录); the holder's name and code, the issuer and
# the validity are the licence's own metadata (GB/T 36903) and not repeated as items. Appended after the
# first four so that their type codes and positions stay as they were.
# ---------------------------------------------------------------------------

LICENCE_TYPES += [
    LicenceTypeSeed(
        "居民身份证", "002", "公安部", "person",
        [_item("gender", "性别"), _item("nation", "民族"), _item("birth_date", "出生日期", "date"),
         _item("address", "住址")],
        {"title": "居民身份证", "subtitle": "（电子证照）", "orientation": "landscape", "accent_color": "#1F5FA8",
         "columns": 2, "footer": "依据《中华人民共和国居民身份证法》签发"},
        None, ("hanbin-psb",),
        "居民常住户口所在地的县级人民政府公安机关签发（居民身份证法第八条）；"
        "有效期按申领时年龄为 10 年、20 年或长期。"),
    LicenceTypeSeed(
        "居民户口簿", "003", "公安部", "person",
        [_item("household_type", "户别"), _item("household_no", "户号"), _item("address", "住址"),
         _item("registration_office", "户口登记机关")],
        {"title": "居民户口簿", "orientation": "portrait", "accent_color": "#8B0000", "columns": 1,
         "footer": "户口登记机关：公安派出所"},
        None, ("hanbin-psb",),
        "户口登记机关（公安派出所）发给户主的户口簿，记载户别、户号、住址及户内人员（户口登记条例第三、六条）。"),
    LicenceTypeSeed(
        "机动车驾驶证", "004", "公安部", "person",
        [_item("gender", "性别"), _item("nationality", "国籍"), _item("address", "住址"),
         _item("birth_date", "出生日期", "date"), _item("first_issued_on", "初次领证日期", "date"),
         _item("vehicle_class", "准驾车型"), _item("file_number", "档案编号")],
        {"title": "机动车驾驶证", "subtitle": "（电子）", "orientation": "landscape", "accent_color": "#2F4F4F",
         "columns": 2, "footer": "公安机关交通管理部门车辆管理所核发"},
        None, ("city-traffic-police",),
        "设区的市公安机关交通管理部门车辆管理所核发（道路交通安全法第十九条）；"
        "证号为公民身份号码，有效期 6 年、10 年或长期。"),
    LicenceTypeSeed(
        "机动车行驶证", "005", "公安部", "any",
        [_item("plate_number", "号牌号码"), _item("vehicle_type", "车辆类型"), _item("address", "住址"),
         _item("use_character", "使用性质"), _item("model", "品牌型号"), _item("vin", "车辆识别代号"),
         _item("engine_number", "发动机号码"), _item("registered_on", "注册日期", "date")],
        {"title": "机动车行驶证", "subtitle": "（电子）", "orientation": "landscape", "accent_color": "#2F4F4F",
         "columns": 2, "footer": "公安机关交通管理部门车辆管理所核发"},
        None, ("city-traffic-police",),
        "机动车登记后由车辆管理所核发（道路交通安全法第八条），所有人为自然人或单位。"),
    LicenceTypeSeed(
        "结婚证", "001", "民政部", "person",
        [_item("registered_on", "登记日期", "date"), _item("husband_name", "男方姓名"),
         _item("husband_id", "男方身份证件号"), _item("husband_birth", "男方出生日期", "date"),
         _item("wife_name", "女方姓名"), _item("wife_id", "女方身份证件号"),
         _item("wife_birth", "女方出生日期", "date"),
         _item("remark", "备注", required=False)],
        {"title": "结婚证", "orientation": "portrait", "accent_color": "#C8102E", "columns": 1,
         "footer": "中华人民共和国民政部监制"},
        None, ("hanbin-civil", "hanyin-civil", "shiquan-civil", "ningshan-civil", "ziyang-civil", "langao-civil",
               "pingli-civil", "zhenping-civil", "baihe-civil", "xunyang-civil"),
        "县级人民政府民政部门（婚姻登记机关）办理结婚登记后发给双方，各持一本（婚姻登记条例第四、七条）。"),
    LicenceTypeSeed(
        "离婚证", "002", "民政部", "person",
        [_item("registered_on", "登记日期", "date"), _item("husband_name", "男方姓名"),
         _item("husband_id", "男方身份证件号"), _item("husband_birth", "男方出生日期", "date"),
         _item("wife_name", "女方姓名"), _item("wife_id", "女方身份证件号"),
         _item("wife_birth", "女方出生日期", "date"),
         _item("remark", "备注", required=False)],
        {"title": "离婚证", "orientation": "portrait", "accent_color": "#5D4037", "columns": 1,
         "footer": "中华人民共和国民政部监制"},
        None, ("hanbin-civil", "hanyin-civil", "shiquan-civil", "ningshan-civil", "ziyang-civil", "langao-civil",
               "pingli-civil", "zhenping-civil", "baihe-civil", "xunyang-civil"),
        "县级人民政府民政部门（婚姻登记机关）办理离婚登记后发给双方（婚姻登记条例第十三条）。"),
    LicenceTypeSeed(
        "出生医学证明", "001", "国家卫生健康委员会", "person",
        [_item("gender", "性别"), _item("birth_time", "出生时间"), _item("birthplace", "出生地点"),
         _item("weeks", "出生孕周"), _item("weight", "出生体重（克）", "number"),
         _item("mother_name", "母亲姓名"), _item("mother_id", "母亲身份证件号码"),
         _item("father_name", "父亲姓名", required=False), _item("father_id", "父亲身份证件号码", required=False),
         _item("institution", "接生机构名称")],
        {"title": "出生医学证明", "orientation": "portrait", "accent_color": "#00796B", "columns": 1,
         "footer": "国家卫生健康委员会监制"},
        None, ("city-health",),
        "母婴保健法第二十三条规定的新生儿出生证明，由卫生健康部门统一管理、助产机构签发，凭以办理出生登记。"),
    LicenceTypeSeed(
        "社会保障卡", "001", "人力资源和社会保障部", "person",
        [_item("card_number", "卡号"), _item("card_generation", "卡规范版本"), _item("bank", "金融服务银行")],
        {"title": "社会保障卡", "subtitle": "（电子社保卡）", "orientation": "landscape", "accent_color": "#0D47A1",
         "columns": 1, "footer": "中华人民共和国人力资源和社会保障部监制"},
        10, ("city-social-insurance",),
        "人社部门发行、社会保险经办机构办理申领的社会保障卡（社会保险法第五十八条）；"
        "社会保障号码为公民身份号码，有效期 10 年。"),
    LicenceTypeSeed(
        "不动产权证书", "002", "自然资源部", "any",
        [_item("co_ownership", "共有情况"), _item("location", "坐落"), _item("unit_number", "不动产单元号"),
         _item("right_type", "权利类型"), _item("right_nature", "权利性质"), _item("use", "用途"),
         _item("area", "面积"), _item("term", "使用期限"), _item("other", "权利其他状况", required=False)],
        {"title": "不动产权证书", "orientation": "portrait", "accent_color": "#2E7D32", "columns": 1,
         "footer": "中华人民共和国自然资源部监制"},
        None, ("city-bdc",),
        "不动产登记机构办理首次、转移等登记后发给权利人的权属证书（不动产登记暂行条例第二十一条）。"),
]

# Licence types the demo items take as materials that no department of the demo city issues: the type
# name → who really issues it. A material of these types is one every applicant still uploads (or shows),
# and docs/benchmarks.md ("once-only") lists them as the reason.
NOT_ISSUED_IN_CITY: dict[str, str] = {
    "中华人民共和国残疾人证": "县级残疾人联合会核发（中国残联定义），演示城市没有残联",
    "毕业证书": "学校颁发，学历由教育部（学信网）认证，不是市级部门",
    "学历证书": "学校颁发，学历由教育部（学信网）认证，不是市级部门",
    "学位证书": "学位授予单位颁发（学位法），不是市级部门",
}
