"""Service items (政务服务事项) of the demo city 安康市: basic catalog, implementation lists, bundles.

Pure data, standard library plus :mod:`tongban.demo.city` (department codes) only.

* :data:`BASIC_ITEMS` — the basic catalog (基本目录): 事项编码, 事项名称, 事项类型, 设定依据 and 行使层级,
  shared by province, city and county (三级四同: an implementation never changes these four).
* :data:`IMPLEMENTATIONS` — the implementation lists (实施清单): one implementation of every basic item by
  the department of the city (or, for county-level items, of 汉滨区) that carries it out, and the county
  implementations of a few items by other counties. County implementations may differ from the first
  implementation in what a region may set itself (承诺时限, 收费, 材料) — the deviation report lists those.
* :data:`BUNDLES` — 一件事一次办: items of several departments around one life or business event, with the
  conditions that decide which members apply.
* :data:`LIFE_EVENTS`, :data:`BUSINESS_EVENTS` (event → basic codes) and :data:`HIGH_FREQUENCY`.

Every implementation is at a level its basic item exercises (行使层级: the level of the implementing
department's region is one of ``BasicItem.level``); the loader builds them through the domain, which refuses
anything else (items.service.check_level). Items whose legal basis puts them with the county (e.g. 义务兵家庭优待金,
paid by the county government where the conscript enlisted) are implemented by 汉滨区; items that city-run
bodies also carry out (市直学校, 出生医院 and 接种门诊, the city's review of 计划生育 grants …) are 市级 and 县级.

Basic codes (事项编码) have 12 characters, following the structure of GB/T 39554.1-2020: a two-digit item
type code (:data:`TYPE_CODES`), a five-digit main item (主项), a three-digit sub item (子项) and a two-digit
handling item (业务办理项). The numbers are the demo's own and stable: an item keeps its code when others are
added. Time limits are working days (工作日); 0 promised days means 即办 (handled on the spot).

Materials know where they come from (:data:`MATERIAL_SOURCES`):

* ``upload`` — the applicant uploads it (forms, contracts, drawings …);
* ``licence`` — an e-licence from the licence library; ``ref`` is the licence type name;
* ``shared`` — the platform's own service system fetches it through the exchange; ``ref`` is
  ``"<catalog resource name>:<item key>,<item key>…"`` of a resource in :mod:`tongban.demo.catalog_data`;
* ``bundle`` — produced by another member item of a bundle the item belongs to; ``ref`` is that item's
  basic code (applied for on its own, the item takes the material as the note says);
* ``waived`` — not needed (免提交); ``note`` is the rule that waived it.

Telephone numbers, window places and the 安康市 local rules named in notes are illustrative demo data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Final

from tongban.demo.city import DEPARTMENTS, REGIONS

__all__ = [
    "BASIC_ITEMS",
    "BUNDLES",
    "BUSINESS_EVENTS",
    "CONDITION_OPS",
    "HIGH_FREQUENCY",
    "IMPLEMENTATIONS",
    "ITEM_TYPES",
    "LEVELS",
    "LIFE_EVENTS",
    "MATERIAL_SOURCES",
    "REFERENCED_LICENCE_TYPES",
    "TYPE_CODES",
    "BasicItem",
    "Bundle",
    "BundleMember",
    "Condition",
    "Implementation",
    "Material",
    "code_of",
]

# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------

XK, JF, QR, CJ, JL, BA, QT, GG = (
    "行政许可", "行政给付", "行政确认", "行政裁决", "行政奖励", "行政备案", "其他行政权力", "公共服务",
)  # fmt: skip
ITEM_TYPES: Final[tuple[str, ...]] = (XK, JF, QR, CJ, JL, BA, QT, GG)
TYPE_CODES: Final[dict[str, str]] = {XK: "01", JF: "05", QR: "07", CJ: "09", JL: "08", BA: "11", QT: "10", GG: "20"}
LEVELS: Final[tuple[str, ...]] = ("省级", "市级", "县级")
MATERIAL_SOURCES: Final[tuple[str, ...]] = ("upload", "licence", "shared", "bundle", "waived")
CONDITION_OPS: Final[tuple[str, ...]] = ("==", "!=", ">", ">=", "<", "<=", "in")

_PCC: Final[tuple[str, ...]] = ("省级", "市级", "县级")
_CC: Final[tuple[str, ...]] = ("市级", "县级")
_C: Final[tuple[str, ...]] = ("市级",)
_PC: Final[tuple[str, ...]] = ("省级", "市级")
_X: Final[tuple[str, ...]] = ("县级",)


@dataclass(frozen=True, slots=True)
class BasicItem:
    """An entry of the basic catalog: the four elements shared by all levels, and the levels exercising it."""

    code: str
    name: str
    item_type: str
    legal_basis: str
    level: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Material:
    """An application material (申请材料) and where it comes from (see the module docstring)."""

    name: str
    source: str
    required: bool = True
    note: str = ""
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Implementation:
    """One department's implementation (实施清单) of a basic item in one region."""

    basic_code: str
    department_code: str
    region_code: str
    legal_days: int
    promised_days: int
    fee: str
    conditions: tuple[str, ...]
    materials: tuple[Material, ...]
    steps: tuple[str, ...]
    visits: int
    channels: tuple[str, ...]
    service_objects: tuple[str, ...]
    consult_phone: str
    complaint_phone: str
    place: str
    hours: str
    online: bool
    instant: bool
    result_name: str
    licence_type: str | None


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition on one answer of the applicant: ``field op value`` (e.g. 营业面积 > 300), with a label."""

    field: str
    op: str
    value: str | int | float | bool | tuple[str, ...]
    label: str


@dataclass(frozen=True, slots=True)
class BundleMember:
    basic_code: str
    condition: Condition | None = None


@dataclass(frozen=True, slots=True)
class Bundle:
    """一件事: items of several departments around one event, one guide, one lead department."""

    code: str
    name: str
    event: str
    audience: str  # "person" or "enterprise"
    lead_department_code: str
    members: tuple[BundleMember, ...]
    guide: str
    #: 联合审批: what one department's refusal does (any_refusal: the whole case; all_must_decide: each member
    #: as its department decides) — items.models.Bundle.joint_policy.
    joint_policy: str = "any_refusal"


# ---------------------------------------------------------------------------
# Departments: window places and telephone numbers
# ---------------------------------------------------------------------------

_DEPTS: Final = {d.code: d for d in DEPARTMENTS}
_REGION_NAMES: Final[dict[str, str]] = {r.code: r.name for r in REGIONS}
_HOURS: Final[str] = "法定工作日 上午8:30—12:00，下午14:00—17:30（5月1日至9月30日下午14:30—18:00）"
_HOURS_EXTENDED: Final[str] = _HOURS + "；周六上午9:00—12:00 延时服务"
_COMPLAINT: Final[str] = "12345"
_PLACES: Final[dict[str, str]] = {
    "city-psb": "安康市政务服务中心公安综合窗口；户籍业务可在户籍所在地公安派出所户籍室办理",
    "hanbin-psb": "汉滨区各公安派出所户籍室，或汉滨区政务服务中心公安窗口",
    "city-traffic-police": "安康市公安局交通警察支队车辆管理所业务大厅（可就近到各县区车管分所、交管服务站）",
    "city-exit-entry": "安康市政务服务中心出入境窗口（各县区公安局出入境接待大厅可同等受理）",
    "city-bdc": "安康市政务服务中心不动产登记综合受理窗口（“交易+登记+缴税”一窗受理）",
    "city-hpf": "安康市政务服务中心住房公积金窗口，或各县区住房公积金管理部",
    "city-tax": "安康市政务服务中心税务窗口，或主管税务机关办税服务厅",
    "city-health": "安康市政务服务中心卫生健康窗口",
    "city-cdc": "户籍或居住地所在社区卫生服务中心（乡镇卫生院）预防接种门诊",
}


def _phone(code: str) -> str:
    digest = hashlib.sha256(f"tongban-items-phone:{code}".encode()).digest()
    return f"0915-{3200000 + int.from_bytes(digest[:4], 'big') % 100000}"


def _place(code: str) -> str:
    if code in _PLACES:
        return _PLACES[code]
    dept = _DEPTS[code]
    if dept.region_code == "610900":
        return f"安康市政务服务中心{dept.short_name.removeprefix('市')}窗口"
    county = _REGION_NAMES[dept.region_code]
    short = dept.name.removeprefix(county)
    return f"{county}政务服务中心{short}窗口（各镇（街道）便民服务中心可代收代办）"


# ---------------------------------------------------------------------------
# Common materials
# ---------------------------------------------------------------------------


def _up(name: str, required: bool = True, note: str = "") -> Material:
    return Material(name, "upload", required, note)


def _lic(name: str, licence: str, required: bool = True, note: str = "") -> Material:
    return Material(name, "licence", required, note, licence)


def _sh(name: str, ref: str, note: str = "", required: bool = True) -> Material:
    return Material(name, "shared", required, note, ref)


def _waived(name: str, rule: str) -> Material:
    return Material(name, "waived", False, rule)


def _bundle(name: str, item_name: str, note: str) -> Material:
    """A material produced by another member item (resolved to its code once all items exist)."""
    return Material(name, "bundle", True, note, f"name:{item_name}")


ID = _lic("申请人居民身份证", "居民身份证")
ID_AGENT = _up("委托书及受托人居民身份证", required=False, note="委托他人代办时提供")
LEGAL_REP_ID = _lic("法定代表人（负责人）居民身份证", "居民身份证")
BIZ = _lic("营业执照", "营业执照")
BIZ_INFO = _sh("营业执照登记信息", "市场主体登记信息:uscc,entity_name,legal_rep,entity_type,domicile,business_scope",
               "通过市场主体登记信息核验，免于提交营业执照")
HUKOU = _sh("居民户口簿", "户籍人口基本信息:household_no,household_head,relation_to_head,reg_address",
            "通过人口基础信息库核验户籍信息，免于提交户口簿")
HUKOU_BOOK = _lic("居民户口簿", "居民户口簿")
PERSON_INFO = _sh("申请人户籍信息", "户籍人口基本信息:id_number,name,gender,birth_date,reg_address",
                  "通过人口基础信息库核验")
MARRIAGE = _lic("结婚证", "结婚证")
MARRIAGE_INFO = _sh("婚姻状况信息", "婚姻登记信息:marriage_cert_no,male_name,female_name,marriage_reg_date",
                    "通过婚姻登记信息核验，免于提交结婚证")
PROPERTY = _lic("不动产权证书", "不动产权证书")
PROPERTY_INFO = _sh("不动产权属信息", "不动产登记信息:property_cert_no,right_holder,property_location,building_area",
                    "通过不动产登记信息核验")
SS_CARD = _lic("社会保障卡", "社会保障卡")
BANK = _sh("社会保障卡金融账户", "社会保障卡信息:ss_card_no,bank_name,bank_account",
           "待遇发放至本人社会保障卡金融账户，无需另行提供银行卡")
DEATH = _sh("居民死亡医学证明（推断）书", "居民死亡医学证明信息:death_cert_no,name,death_date,death_cause",
            "通过死亡医学证明信息核验")
CREMATION = _sh("火化证明", "遗体火化信息:cremation_cert_no,name,cremation_date,funeral_home", "通过殡葬信息核验")
DEATH_CANCEL = _sh("死亡人员户口注销信息", "死亡人口户籍注销信息:id_number,name,death_date,cancel_date",
                   "通过户籍注销信息核验")
EMPLOYEE_PENSION = _sh("企业职工基本养老保险参保缴费记录",
                       "企业职工基本养老保险参保信息:id_number,insured_status,first_insured_date,contribution_months",
                       "通过社会保险参保信息核验")
HPF_ACCOUNT = _sh("住房公积金账户信息",
    "住房公积金缴存信息:hpf_account_no,id_number,name,hpf_balance,hpf_account_status",
                  "通过住房公积金缴存信息核验")
PHOTO_WAIVED = _waived("近期一寸免冠彩色照片", "窗口现场采集或调取制证照片，免于提交（安康市减证便民事项清单）")
COPY_WAIVED = _waived(
    "身份证件复印件",
    "《国务院办公厅关于做好证明事项清理工作的通知》（国办发〔2018〕47号）：能通过电子证照、数据共享核验的不再要求提供",
)
PREMISES_WAIVED = _waived(
    "住所（经营场所）使用证明",
    "实行住所（经营场所）申报承诺制，申请人书面承诺代替（《优化营商环境条例》第十九条；安康市证明事项告知承诺制目录）",
)
HEALTH_CERT = _up("从业人员健康证明", note="从事接触直接入口食品工作的人员持有效健康证明上岗")
INCOME_AUTH = _up("家庭经济状况核对授权书", note="共同生活家庭成员签字授权民政部门核对收入和财产")
COMMITMENT = _up("告知承诺书", note="按告知承诺制办理时签署")


def _form(name: str) -> Material:
    return _up(name)


# ---------------------------------------------------------------------------
# Steps, channels, service objects
# ---------------------------------------------------------------------------

S_PERMIT: Final = ("申请", "受理", "审查（含现场核查）", "决定", "制证送达")
S_PERMIT_NO_SITE: Final = ("申请", "受理", "审查", "决定", "制证送达")
S_CONFIRM: Final = ("申请", "受理", "审核", "办结")
S_INSTANT: Final = ("申请", "受理并当场办结")
S_BENEFIT: Final = ("申请", "受理", "审核（含公示）", "审批", "发放")
S_FILING: Final = ("提交备案材料", "备案", "公开备案信息")
S_RULING: Final = ("申请", "受理", "通知被申请人答辩", "调查、调解", "裁决", "送达")
S_REWARD: Final = ("举报（申报）", "核查", "评审", "公示", "奖励兑现")
S_SERVICE: Final = ("申请", "受理", "办理", "办结")

C_ALL: Final = ("网上办理（安康市政务服务网）", "掌上办理（“秦务员”APP）", "窗口办理", "邮寄送达")
C_NET_WINDOW: Final = ("网上办理（安康市政务服务网）", "窗口办理")
C_WINDOW: Final = ("窗口办理",)

PERSON: Final = ("自然人",)
ENTERPRISE: Final = ("企业法人", "非法人企业")
MARKET: Final = ("企业法人", "非法人企业", "个体工商户", "农民专业合作社")
ORG: Final = ("企业法人", "事业单位法人", "社会组织法人", "机关法人")
ALL: Final = ("自然人", "企业法人", "事业单位法人", "社会组织法人", "非法人企业", "个体工商户")

# ---------------------------------------------------------------------------
# The catalog
# ---------------------------------------------------------------------------

_BASIC: list[BasicItem] = []
_IMPL: list[Implementation] = []
_BY_NAME: dict[str, str] = {}


def _add(
    main: str,
    name: str,
    item_type: str,
    basis: str,
    level: tuple[str, ...],
    dept: str,
    legal: int,
    promised: int,
    conditions: tuple[str, ...],
    materials: tuple[Material, ...],
    *,
    sub: str = "000",
    fee: str = "不收费",
    visits: int = 0,
    objects: tuple[str, ...] = PERSON,
    result: str = "",
    licence: str | None = None,
    online: bool = True,
    steps: tuple[str, ...] | None = None,
    channels: tuple[str, ...] | None = None,
    hours: str = _HOURS,
) -> None:
    code = f"{TYPE_CODES[item_type]}{main}{sub}00"
    _BASIC.append(BasicItem(code, name, item_type, basis, level))
    _BY_NAME[name] = code
    instant = promised == 0
    if steps is None:
        steps = {
            XK: S_PERMIT, JF: S_BENEFIT, QR: S_INSTANT if instant else S_CONFIRM, CJ: S_RULING,
            JL: S_REWARD, BA: S_FILING, QT: S_CONFIRM, GG: S_INSTANT if instant else S_SERVICE,
        }[item_type]
    if channels is None:
        channels = C_ALL if online and visits == 0 else C_NET_WINDOW if online else C_WINDOW
    _IMPL.append(Implementation(
        basic_code=code, department_code=dept, region_code=_DEPTS[dept].region_code,
        legal_days=legal, promised_days=promised, fee=fee, conditions=conditions, materials=materials,
        steps=steps, visits=visits, channels=channels, service_objects=objects,
        consult_phone=_phone(dept), complaint_phone=_COMPLAINT, place=_place(dept), hours=hours,
        online=online, instant=instant, result_name=result or f"{name}办结通知", licence_type=licence,
    ))


def code_of(name: str) -> str:
    """The basic code of an item by its exact name."""
    return _BY_NAME[name]


# --- 市场监督管理 -------------------------------------------------------------

_ENTERPRISE_FORM = _form("公司登记（备案）申请书")
_ARTICLES = _up("公司章程", note="可使用安康市政务服务网提供的章程范本在线生成")
_add("10101", "内资企业设立登记", XK,
     "《中华人民共和国公司法》第二十九条；《中华人民共和国市场主体登记管理条例》第三条、第十九条", _PCC,
     "city-amr", 3, 1,
     ("申请人依法设立有限责任公司、股份有限公司或非公司企业法人，名称经自主申报不与他人重复",
      "有符合公司章程规定的全体股东认缴的出资额和住所",
      "法定代表人、董事、监事和高级管理人员不存在《公司法》第一百七十八条规定的不得担任的情形"),
     (_ENTERPRISE_FORM, _ARTICLES, LEGAL_REP_ID,
      _lic("股东主体资格证明", "居民身份证", note="自然人股东出示居民身份证；法人股东的营业执照通过登记信息核验"),
      _up("法定代表人、董事、监事和经理的任职文件"), PREMISES_WAIVED, COPY_WAIVED),
     objects=MARKET, result="营业执照", licence="营业执照")
_add("10102", "内资企业变更登记", XK,
     "《中华人民共和国市场主体登记管理条例》第二十四条", _PCC, "city-amr", 3, 1,
     ("企业名称、住所、法定代表人、注册资本、经营范围等登记事项发生变更",
      "自作出变更决议、决定或法定变更事项发生之日起30日内申请"),
     (_form("公司变更登记申请书"), _up("股东会决议或股东决定"), _up("修改后的公司章程或章程修正案"), BIZ_INFO,
      LEGAL_REP_ID),
     objects=MARKET, result="营业执照（变更后）", licence="营业执照")
_add("10103", "内资企业注销登记", XK,
     "《中华人民共和国市场主体登记管理条例》第三十一条、第三十二条", _PCC, "city-amr", 10, 3,
     ("企业因解散、被宣告破产或其他法定事由需要终止，已依法清算完毕",
      "清算组已在国家企业信用信息公示系统公告（公告期45日）", "已清缴税款并取得清税信息"),
     (_form("企业注销登记申请书"), _up("清算报告"), _up("股东会决议"),
      _sh("清税信息", "税务登记信息:uscc,entity_name,tax_reg_status", "通过税务登记信息核验清税结果，免于提交清税证明"),
      BIZ_INFO),
     objects=MARKET, result="准予注销登记通知书")
_add("10103", "企业简易注销登记", XK,
     "《中华人民共和国市场主体登记管理条例》第三十三条", _PCC, "city-amr", 3, 1,
     ("未发生债权债务或已将债权债务清偿完结，未发生或已结清清偿费用、职工工资、社会保险费用、法定补偿金和应缴纳税款",
      "全体投资人书面承诺对上述情况的真实性承担法律责任", "经20日简易注销公示期无异议"),
     (_form("企业注销登记申请书"), _up("全体投资人承诺书"), BIZ_INFO),
     sub="001", objects=MARKET, result="准予简易注销登记通知书")
_add("10104", "个体工商户设立登记", XK,
     "《中华人民共和国市场主体登记管理条例》第三条；《促进个体工商户发展条例》", _PCC,
     "hanbin-amr", 3, 0,
     ("有经营能力的公民，以个人或家庭经营", "有固定的经营场所，经营范围不属于法律、行政法规禁止的行业"),
     (_form("个体工商户登记（备案）申请书"), _lic("经营者居民身份证", "居民身份证"), PREMISES_WAIVED, COPY_WAIVED),
     result="营业执照", licence="营业执照")
_add("10105", "个体工商户变更登记", XK,
     "《中华人民共和国市场主体登记管理条例》第二十四条", _PCC, "hanbin-amr", 3, 0,
     ("名称、经营者、经营场所、经营范围等登记事项发生变更",),
     (_form("个体工商户变更登记申请书"), _lic("经营者居民身份证", "居民身份证"), BIZ_INFO),
     result="营业执照（变更后）", licence="营业执照")
_add("10106", "个体工商户注销登记", XK,
     "《中华人民共和国市场主体登记管理条例》第三十一条", _PCC, "hanbin-amr", 3, 0,
     ("个体工商户不再从事经营活动", "已结清应缴税款"),
     (_form("个体工商户注销登记申请书"), _lic("经营者居民身份证", "居民身份证"), BIZ_INFO),
     result="准予注销登记通知书")
_add("10107", "农民专业合作社设立登记", XK,
     "《中华人民共和国农民专业合作社法》第十六条", _PCC, "hanbin-amr", 3, 1,
     ("有五名以上符合规定的成员，其中农民至少占成员总数的百分之八十", "有符合规定的章程和组织机构",
      "有符合法律、行政法规规定的名称和章程确定的住所", "有符合章程规定的成员出资"),
     (_form("农民专业合作社登记（备案）申请书"), _up("全体设立人签名、盖章的设立大会纪要"), _up("合作社章程"),
      _up("成员名册及成员出资清单"), LEGAL_REP_ID, PREMISES_WAIVED),
     objects=("农民专业合作社",), result="营业执照", licence="营业执照")
_FOOD_FORM = _form("食品经营许可申请书")
_add("10108", "食品经营许可", XK,
     "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》", _CC,
     "city-amr", 10, 5,
     ("已取得营业执照等合法主体资格", "具有与经营的食品品种、数量相适应的经营场所，并与有毒、有害场所保持规定距离",
      "有相应的设备设施、专职或兼职的食品安全管理人员和保证食品安全的规章制度",
      "餐饮服务有合理的设备布局和工艺流程"),
     (_FOOD_FORM, BIZ, LEGAL_REP_ID, _up("经营场所平面布局图和设备设施布局、操作流程等文件"),
      _up("食品安全自查、从业人员健康管理、进货查验记录等食品安全管理制度"), HEALTH_CERT, COPY_WAIVED),
     objects=MARKET, result="食品经营许可证", licence="食品经营许可证")
_add("10109", "仅销售预包装食品备案", BA,
     "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》", _CC,
     "hanbin-amr", 0, 0,
     ("仅销售预包装食品（含保健食品、特殊医学用途配方食品、婴幼儿配方乳粉以外的预包装食品）",
      "在办理营业执照后或开始销售前向所在地县级市场监管部门备案"),
     (_form("仅销售预包装食品备案表"), BIZ_INFO, LEGAL_REP_ID),
     objects=MARKET, result="备案编号")
_add("10110", "食品生产许可", XK,
     "《中华人民共和国食品安全法》第三十五条；《食品生产许可管理办法》", _PC,
     "city-amr", 10, 7,
     ("具有与生产的食品品种、数量相适应的生产场所和设备", "有专职或兼职的食品安全专业技术人员、管理人员和规章制度",
      "具有合理的设备布局和工艺流程"),
     (_form("食品生产许可申请书"), BIZ, _up("食品生产主要设备、设施清单"), _up("生产场所平面图和工艺流程图"),
      _up("食品安全管理制度文本")),
     objects=MARKET, result="食品生产许可证", visits=1)
_add("10111", "药品零售企业许可", XK,
     "《中华人民共和国药品管理法》第五十一条、第五十二条", _CC, "city-amr", 15, 10,
     ("有依法经过资格认定的药师或者其他药学技术人员", "有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境",
      "有与所经营药品相适应的质量管理机构或者人员，有保证药品质量的规章制度"),
     (_form("药品经营许可证申请表"), BIZ, _up("执业药师注册证"), _up("营业场所、仓库平面布置图及产权或使用证明"),
      _up("质量管理文件及主要设施、设备目录")),
     objects=MARKET, result="药品经营许可证", visits=1)
_add("10112", "第二类医疗器械经营备案", BA,
     "《医疗器械监督管理条例》第四十一条", _C, "city-amr", 0, 0,
     ("有与经营规模和经营范围相适应的经营场所和贮存条件", "有与经营的医疗器械相适应的质量管理制度和质量管理机构或人员"),
     (_form("第二类医疗器械经营备案表"), BIZ_INFO, LEGAL_REP_ID, _up("经营场所和库房地址的地理位置图、平面图"),
      _up("经营质量管理制度、工作程序等文件目录")),
     objects=MARKET, result="第二类医疗器械经营备案凭证")
_add("10113", "第三类医疗器械经营许可", XK,
     "《医疗器械监督管理条例》第四十二条", _C, "city-amr", 20, 10,
     ("有与经营规模和经营范围相适应的经营场所和贮存条件", "有与经营的医疗器械相适应的质量管理制度、质量管理机构或人员",
      "有与经营的医疗器械相适应的计算机信息管理系统"),
     (_form("医疗器械经营许可申请表"), BIZ, _up("质量负责人身份证明、学历或职称证明"),
      _up("经营场所和库房的地理位置图、平面图、房屋产权或使用权证明"), _up("经营质量管理制度、工作程序等文件目录")),
     objects=MARKET, result="医疗器械经营许可证", visits=1)
_add("10114", "特种设备使用登记", XK,
     "《中华人民共和国特种设备安全法》第三十三条", _CC, "city-amr", 15, 5,
     ("特种设备投入使用前或者投入使用后30日内申请", "设备经监督检验合格（需监督检验的）"),
     (_form("特种设备使用登记表"), BIZ_INFO, _up("产品合格证（含产品数据表）"), _up("监督检验证明"),
      _up("安装、改造、修理告知书（锅炉、压力容器、电梯等）", required=False)),
     objects=ALL, result="特种设备使用登记证")
_add("10115", "特种设备安全管理和作业人员资格认定", XK,
     "《中华人民共和国特种设备安全法》第十四条", _PC, "city-amr", 20, 10,
     ("年龄18周岁以上且不超过法定退休年龄", "身体健康，无妨碍从事相应作业的疾病和生理缺陷",
      "具有相应的文化程度，经考试机构考试合格"),
     (_form("特种设备作业人员资格申请表"), ID, _up("学历证明"), _up("考试合格成绩单"), PHOTO_WAIVED),
     result="特种设备安全管理和作业人员证")
_add("10116", "股权出质登记", QR,
     "《中华人民共和国民法典》第四百四十三条；《股权出质登记办法》第三条", _PCC, "city-amr", 3, 0,
     ("出质股权为依法可以转让的有限责任公司或股份有限公司股权", "出质人与质权人已订立书面质押合同"),
     (_form("股权出质设立登记申请书"), _up("质押合同"), _lic("出质人、质权人主体资格证明", "居民身份证")),
     objects=ALL, result="股权出质设立登记通知书")
_add("10117", "企业年度报告公示", GG,
     "《企业信息公示暂行条例》第八条、第九条", _PCC, "city-amr", 0, 0,
     ("已登记的企业于每年1月1日至6月30日报送上一年度年度报告",),
     (_form("企业年度报告（网上填报）"),),
     objects=MARKET, result="年度报告公示", steps=("网上填报", "提交公示"),
     channels=("国家企业信用信息公示系统（陕西）",))
_add("10118", "移出经营异常名录", QT,
     "《企业信息公示暂行条例》第十七条；《市场监督管理信用修复管理办法》", _PCC, "city-amr", 5, 3,
     ("被列入经营异常名录的企业已补报年度报告、更正公示信息或恢复与住所（经营场所）的联系",),
     (_form("移出经营异常名录申请书"), BIZ_INFO, _up("已履行相关义务的证明材料")),
     objects=MARKET, result="移出经营异常名录决定书")
_add("10119", "专利侵权纠纷行政裁决", CJ,
     "《中华人民共和国专利法》第六十五条；《专利侵权纠纷行政裁决办案指南》", _PC, "city-amr", 90, 60,
     ("请求人是专利权人或利害关系人", "有明确的被请求人和具体的请求事项、事实和理由", "当事人未就该纠纷向人民法院起诉"),
     (_form("专利侵权纠纷处理请求书"), _up("专利证书及专利登记簿副本"), _up("侵权证据材料"), ID),
     objects=ALL, result="专利侵权纠纷行政裁决书", visits=1)
_add("10120", "食品安全违法行为举报奖励", JL,
     "《中华人民共和国食品安全法》第一百一十五条；《市场监管领域重大违法行为举报奖励暂行办法》", _PCC,
     "city-amr", 30, 20,
     ("举报有具体的违法事实和线索，经查证属实并作出行政处罚或移送司法机关",
      "举报人为实名举报并提供有效联系方式"),
     (_form("举报奖励申请表"), ID, BANK),
     objects=PERSON, result="举报奖励决定书")
_add("10121", "消费者投诉处理", QT,
     "《中华人民共和国消费者权益保护法》第三十九条、第四十六条；《市场监督管理投诉举报处理暂行办法》", _PCC,
     "hanbin-amr", 7, 5,
     ("投诉人为消费者，与经营者之间发生消费者权益争议", "有明确的被投诉人、具体的投诉请求和事实理由"),
     (_form("投诉书（可在全国12315平台填写）"), _up("购物凭证、服务单据等证据", required=False), ID),
     objects=PERSON, result="投诉处理结果告知", steps=("投诉", "受理", "调解", "告知结果"),
     channels=("全国12315平台", "12345热线", "窗口办理"))


# --- 公安 --------------------------------------------------------------------

_BIRTH_CERT = _lic("出生医学证明", "出生医学证明")
_add("10201", "出生登记", QR,
     "《中华人民共和国户口登记条例》第七条", _X, "hanbin-psb", 5, 0,
     ("婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报",
      "随父或随母登记常住户口；非婚生育、收养等情形按规定提供相应材料"),
     (_form("出生登记申报表"), _BIRTH_CERT, HUKOU, _lic("父母居民身份证", "居民身份证"), MARRIAGE_INFO,
      _waived("生育服务证（准生证）", "生育登记与户口登记脱钩，不得将生育服务证作为出生登记的前置条件")),
     result="居民户口簿（新生儿登记页）", licence="居民户口簿", visits=0)
_add("10202", "死亡户口注销", QR,
     "《中华人民共和国户口登记条例》第八条", _X, "hanbin-psb", 1, 0,
     ("公民死亡，城市在葬前、农村在一个月以内，由户主、亲属、抚养人或者邻居申报",),
     (DEATH, _lic("申报人居民身份证", "居民身份证"), HUKOU, _waived("死者居民身份证",
         "遗失或无法提供的可在申报时说明，由户籍民警核实（安康市减证便民事项清单）")),
     result="户口注销证明", visits=0)
_add("10203", "户口迁入登记", QR,
     "《中华人民共和国户口登记条例》第十条；《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）", _X,
     "hanbin-psb", 5, 3,
     ("在城镇有合法稳定住所（含租赁）、合法稳定就业，或投靠配偶、子女、父母",
      "安康市城区落户实行“零门槛”，凭合法稳定住所或居住证即可申请"),
     (_form("户口迁移申请表"), ID, HUKOU, PROPERTY_INFO,
      _up("租赁合同或单位集体户接收证明", required=False, note="无自有住房的提供"),
      _lic("户口迁移证明", "户口迁移证明", required=False, note="跨省迁移已实行“一站式”网上迁移，无需本人往返开具")),
     result="居民户口簿（迁入登记）", licence="居民户口簿", visits=1)
_add("10203", "人才引进落户", QR,
     "《中华人民共和国户口登记条例》第十条；《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）", _X,
     "hanbin-psb", 5, 1,
     ("全日制大中专院校毕业生、技术工人、职业院校毕业生和留学归国人员",
      "本人自愿在安康市落户，可选择落户单位集体户、人才集体户或合法住所"),
     (_form("户口迁移申请表"), ID, _up("毕业证书或职业资格（技能等级）证书"), HUKOU,
      _up("接收单位落户证明或人才集体户接收函", required=False)),
     sub="001", result="居民户口簿（迁入登记）", licence="居民户口簿", visits=1)
_add("10204", "居民身份证首次申领", QR,
     "《中华人民共和国居民身份证法》第二条、第八条", _X, "hanbin-psb", 60, 20,
     ("具有本地常住户口的中国公民，年满十六周岁应当申领，未满十六周岁的可以申领",
      "未满十六周岁的由监护人代为申请"),
     (HUKOU, _up("监护人居民身份证", required=False, note="未满十六周岁的由监护人陪同"), PHOTO_WAIVED),
     fee="工本费20元（《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》）",
     result="居民身份证", licence="居民身份证", visits=1, online=False)
_add("10205", "居民身份证换领", QR,
     "《中华人民共和国居民身份证法》第五条、第十一条", _PCC, "hanbin-psb", 60, 15,
     ("居民身份证有效期满、公民姓名变更或者证件严重损坏不能辨认", "可在全国任一受理点异地换领（跨省通办）"),
     (ID, PHOTO_WAIVED, _waived("居民户口簿", "换领时户籍信息通过人口基础信息库核验，不再要求提供户口簿")),
     fee="工本费20元（《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》）",
     result="居民身份证", licence="居民身份证", visits=1, online=False)
_add("10206", "居民身份证补领", QR,
     "《中华人民共和国居民身份证法》第十一条", _PCC, "hanbin-psb", 60, 15,
     ("居民身份证丢失", "可在全国任一受理点异地补领（跨省通办）"),
     (PERSON_INFO, PHOTO_WAIVED),
     fee="工本费40元（《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》）",
     result="居民身份证", licence="居民身份证", visits=1, online=False)
_add("10207", "临时居民身份证申领", QR,
     "《中华人民共和国临时居民身份证管理办法》第二条、第六条", _X, "hanbin-psb", 3, 1,
     ("正在申领、换领、补领居民身份证期间，急需使用居民身份证",),
     (PERSON_INFO, PHOTO_WAIVED), fee="工本费10元",
     result="临时居民身份证", visits=1, online=False)
_add("10208", "居住证申领", QR,
     "《居住证暂行条例》第二条、第九条、第十条", _X, "hanbin-psb", 15, 7,
     ("离开常住户口所在地，到安康市居住半年以上", "有合法稳定就业、合法稳定住所、连续就读条件之一"),
     (ID, _up("合法稳定住所证明（房屋租赁合同、房屋产权证明等）"),
      _up("合法稳定就业或连续就读证明", required=False), PHOTO_WAIVED),
     fee="首次申领免费；换领、补领收取工本费20元（《居住证暂行条例》第十七条）",
     result="居住证", visits=1)
_add("10209", "无犯罪记录证明开具", GG,
     "《公安机关办理无犯罪记录证明工作规定》（公通字〔2021〕13号）", _PCC, "hanbin-psb", 3, 1,
     ("中国公民因就业、出国等事由需要证明本人在公安机关信息中无犯罪记录",),
     (ID, _up("申请表"), _up("授权委托书", required=False, note="委托他人代办时提供")),
     result="无犯罪记录证明")
_add("10210", "姓名变更登记", QR,
     "《中华人民共和国户口登记条例》第十八条；《中华人民共和国民法典》第一千零一十二条", _X,
     "hanbin-psb", 20, 10,
     ("未满十八周岁的由父母或监护人申请；十八周岁以上的由本人申请", "变更理由正当，符合有关规定"),
     (_form("变更更正户口项目申请表"), ID, HUKOU, _up("变更理由相关证明材料")),
     result="居民户口簿（变更后）", licence="居民户口簿", visits=1)
_add("10211", "公章刻制备案", BA,
     "《国务院关于取消和下放一批行政许可事项的决定》（国发〔2020〕13号）；《印铸刻字业暂行管理规则》", _CC,
     "city-psb", 1, 0,
     ("已办理登记的企业、个体工商户、社会组织等单位首次刻制或重新刻制印章",),
     (_bundle("营业执照", "内资企业设立登记", "企业开办一件事中由设立登记同步生成；单独办理时调取电子营业执照"),
      LEGAL_REP_ID, _form("印章刻制备案信息（网上填报）")),
     objects=ALL, result="印章备案信息", steps=("网上填报", "选择刻章企业", "备案办结"))
_add("10212", "娱乐场所治安备案", BA,
     "《娱乐场所管理条例》第十一条", _CC, "city-psb", 15, 5,
     ("娱乐场所依法取得营业执照和娱乐经营许可证后15日内",),
     (_form("娱乐场所备案登记表"), BIZ_INFO, _up("娱乐经营许可证"), _up("场所平面图及安全设施情况")),
     objects=MARKET, result="娱乐场所备案回执")
_add("10213", "旅馆业特种行业许可", XK,
     "《旅馆业治安管理办法》第四条", _CC, "city-psb", 20, 10,
     ("房屋建筑、消防设备、出入口和通道等符合消防安全要求", "具有必要的防盗安全设施",
      "已安装旅馆业治安管理信息系统"),
     (_form("特种行业许可证申请表"), BIZ, LEGAL_REP_ID, _up("经营场所平面图"), _up("安全管理制度")),
     objects=MARKET, result="特种行业许可证", visits=1)
_add("10214", "大型群众性活动安全许可", XK,
     "《大型群众性活动安全管理条例》第十一条、第十三条", _CC, "city-psb", 7, 5,
     ("预计参加人数在1000人以上", "承办者有安全工作方案、安全责任制度和应急救援预案"),
     (_form("大型群众性活动安全许可申请表"), _up("活动方案及安全工作方案"), _up("场所管理者与承办者的协议"), BIZ_INFO),
     objects=ORG, result="大型群众性活动安全许可决定书", visits=1)

# --- 交警、出入境 ---------------------------------------------------------------

_DRIVING = _lic("机动车驾驶证", "机动车驾驶证")
_add("10301", "机动车驾驶证换证", XK,
     "《中华人民共和国道路交通安全法》第十九条；《机动车驾驶证申领和使用规定》", _PCC,
     "city-traffic-police", 1, 0,
     ("机动车驾驶证有效期满前九十日内申请换证", "年龄在60周岁以上或者身体条件发生变化的，提交身体条件证明"),
     (ID, _DRIVING, _sh("身体条件证明（电子体检信息）", "机动车驾驶证信息:driving_licence_no,name,valid_to",
                        "县级以上医疗机构体检信息联网上传，不再提交纸质体检表")),
     fee="工本费10元", result="机动车驾驶证", licence="机动车驾驶证",
     channels=("交管12123APP", "车管所窗口", "交管服务站"))
_add("10302", "机动车驾驶证补证", XK,
     "《中华人民共和国道路交通安全法》第十九条；《机动车驾驶证申领和使用规定》", _PCC,
     "city-traffic-police", 1, 0,
     ("机动车驾驶证遗失", "驾驶证未被扣押、扣留或暂扣"),
     (ID,), fee="工本费10元", result="机动车驾驶证", licence="机动车驾驶证",
     channels=("交管12123APP", "车管所窗口", "交管服务站"))
_add("10303", "机动车注册登记", XK,
     "《中华人民共和国道路交通安全法》第八条、第九条", _PCC, "city-traffic-police", 5, 1,
     ("机动车为国产或合法进口，已缴纳车辆购置税并投保交强险", "非免检车辆已经安全技术检验合格"),
     (ID, _up("机动车整车出厂合格证明或进口凭证"), _up("购车发票"),
      _waived("车辆购置税完税证明", "车辆购置税完税信息与税务部门联网核查，不再提交纸质证明"),
      _waived("交通事故责任强制保险凭证", "交强险信息与保险信息平台联网核查")),
     fee="号牌工本费100元、行驶证工本费10元、机动车登记证书工本费10元", result="机动车行驶证、机动车号牌",
     licence="机动车行驶证", visits=1)
_add("10304", "机动车转移登记", XK,
     "《中华人民共和国道路交通安全法》第十二条；《机动车登记规定》", _PCC,
     "city-traffic-police", 1, 0,
     ("机动车所有权发生转移，现机动车所有人住所在车辆管理所管辖区域内", "车辆无未处理的违法和事故记录"),
     (ID, _up("机动车登记证书"), _lic("机动车行驶证", "机动车行驶证"),
         _up("二手车销售统一发票或法院调解书等所有权转移凭证")),
     fee="行驶证工本费10元", result="机动车行驶证（过户后）", licence="机动车行驶证", visits=1)
_add("10305", "机动车检验合格标志核发", XK,
     "《中华人民共和国道路交通安全法》第十三条", _PCC, "city-traffic-police", 1, 0,
     ("机动车在检验有效期满前三个月内申领", "6年以内的非营运小微型载客汽车可免予上线检验，直接申领检验标志"),
     (_lic("机动车行驶证", "机动车行驶证"), _waived("交通事故责任强制保险凭证", "交强险信息联网核查，免于提交"),
      _waived("车船税纳税或免税证明", "车船税信息与税务部门联网核查，免于提交")),
     result="机动车检验合格标志（电子）", channels=("交管12123APP", "车管所窗口", "检验机构"))
_add("10306", "校车使用许可", XK,
     "《校车安全管理条例》第十四条、第十五条", _CC, "city-traffic-police", 20, 10,
     ("车辆符合校车安全国家标准并取得机动车检验合格证明", "有取得校车驾驶资格的驾驶人",
         "有包括行驶线路、开行时间和停靠站点的合理可行的校车运行方案"),
     (_form("校车使用许可申请表"), _up("机动车行驶证"), _up("校车驾驶人驾驶证"), _up("校车运行方案"),
         _up("校车安全管理制度")),
     objects=ORG, result="校车标牌", visits=1)
_add("10401", "普通护照签发", XK,
     "《中华人民共和国护照法》第五条、第六条", _PCC, "city-exit-entry", 15, 7,
     ("中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国",
      "全国范围内可异地申办（跨省通办）"),
     (ID, PHOTO_WAIVED, _waived("居民户口簿", "2019年起申办普通护照凭居民身份证即可，不再提交户口簿")),
     fee="首次申领、换发、补发每本120元（《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》）",
     result="中华人民共和国普通护照", visits=1, online=False)
_add("10402", "往来港澳通行证及签注签发", XK,
     "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》第三条", _PCC, "city-exit-entry", 15, 7,
     ("内地居民因私事前往香港、澳门特别行政区", "团队旅游、个人旅游、探亲等签注按规定申请"),
     (ID, PHOTO_WAIVED), fee="通行证每本60元；签注每次15元（个人旅游签注可在自助机办理）",
     result="往来港澳通行证", visits=1, online=False)


# --- 民政 --------------------------------------------------------------------

_MARRIAGE_STATEMENT = _up("申请结婚登记声明书", note="双方在婚姻登记员面前亲自签署")
_add("10501", "内地居民结婚登记", QR,
     "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》", _CC, "hanbin-civil", 1, 0,
     ("男女双方完全自愿，男年满二十二周岁、女年满二十周岁", "双方均无配偶，不属于直系血亲或者三代以内的旁系血亲",
      "双方亲自到婚姻登记机关申请；可在一方常住户口所在地或经常居住地办理（全国通办）"),
     (_lic("男女双方居民身份证", "居民身份证"), _MARRIAGE_STATEMENT, PHOTO_WAIVED,
      _waived("居民户口簿", "《婚姻登记条例》（2025年修订）：办理结婚登记不再需要出具户口簿")),
     result="结婚证", licence="结婚证", visits=1, online=False, hours=_HOURS_EXTENDED)
_add("10502", "内地居民离婚登记", QR,
     "《中华人民共和国民法典》第一千零七十六条、第一千零七十七条；《婚姻登记条例》", _CC, "hanbin-civil", 30, 30,
     ("男女双方自愿离婚，对子女抚养、财产及债务处理等事项协商一致",
         "自婚姻登记机关收到离婚登记申请之日起三十日冷静期届满后三十日内，双方亲自到场申请发给离婚证"),
     (_lic("双方居民身份证", "居民身份证"), MARRIAGE, _up("双方签署的离婚协议书")),
     result="离婚证", licence="离婚证", visits=2, online=False)
_add("10503", "补领婚姻登记证", QR,
     "《婚姻登记条例》", _CC, "hanbin-civil", 1, 0,
     ("结婚证、离婚证遗失或者损毁", "婚姻登记档案可查"),
     (ID, MARRIAGE_INFO, PHOTO_WAIVED), result="结婚证（补发）或离婚证（补发）", licence="结婚证", visits=1,
         online=False)
_add("10504", "收养登记", QR,
     "《中华人民共和国民法典》第一千一百零五条；《中国公民收养子女登记办法》第五条", _CC, "city-civil", 30, 20,
     ("收养人无子女或者只有一名子女，有抚养、教育和保护被收养人的能力，年满三十周岁",
      "无不利于被收养人健康成长的违法犯罪记录"),
     (_form("收养登记申请书"), ID, HUKOU, _up("收养人的婚姻、健康、家庭经济状况证明"), _up("送养人同意送养的书面意见"),
      _up("收养评估报告")),
     result="收养登记证", visits=2, online=False)
_add("10505", "社会团体成立登记", XK,
     "《社会团体登记管理条例》第三条、第十一条", _PCC, "city-civil", 60, 30,
     ("有50个以上的个人会员或者30个以上的单位会员", "有规范的名称和相应的组织机构、固定的住所",
      "有与其业务活动相适应的专职工作人员和合法的资产及经费来源，地方性社会团体有3万元以上活动资金",
      "经业务主管单位审查同意（行业协会商会等直接登记类除外）"),
     (_form("社会团体成立登记申请书"), _up("章程草案"), _up("验资报告"), _up("拟任负责人基本情况和身份证明"),
      _up("住所使用权证明"), _up("业务主管单位批准文件", required=False)),
     objects=ORG, result="社会团体法人登记证书", visits=1)
_add("10506", "民办非企业单位成立登记", XK,
     "《民办非企业单位登记管理暂行条例》第三条", _PCC, "city-civil", 60, 20,
     ("经业务主管单位审查同意", "有规范的名称、必要的组织机构", "有与其业务活动相适应的从业人员、合法财产和必要的场所"),
     (_form("民办非企业单位（社会服务机构）成立登记申请书"), _up("章程草案"), _up("验资报告"),
      _up("场所使用权证明"), _up("拟任负责人基本情况和身份证明"), _up("业务主管单位批准文件")),
     objects=ORG, result="民办非企业单位登记证书", visits=1)
_add("10507", "慈善组织认定", QR,
     "《中华人民共和国慈善法》第十条", _PCC, "city-civil", 20, 15,
     ("已经设立的基金会、社会团体、社会服务机构", "以开展慈善活动为宗旨，不以营利为目的，有健全的财务制度"),
     (_form("慈善组织认定申请书"), _up("符合慈善法规定的章程"), _up("财务审计报告"),
         _up("申请前二年开展慈善活动的情况说明")),
     objects=ORG, result="慈善组织认定决定")
_add("10508", "慈善组织公开募捐资格审核", XK,
     "《中华人民共和国慈善法》第二十二条", _PCC, "city-civil", 20, 15,
     ("依法登记或者认定满一年的慈善组织", "内部治理结构健全、运作规范，年度检查合格"),
     (_form("公开募捐资格申请书"), _up("内部治理结构和运作情况说明"), _up("财务审计报告")),
     objects=ORG, result="公开募捐资格证书")
_add("10509", "最低生活保障审核确认", JF,
     "《社会救助暂行办法》第九条、第十一条；《最低生活保障审核确认办法》", _X, "hanbin-civil", 30, 20,
     ("共同生活的家庭成员人均收入低于当地最低生活保障标准", "家庭财产状况符合当地有关规定",
      "持有当地常住户口，可向户籍所在地或经常居住地乡镇人民政府（街道办事处）提出申请"),
     (_form("最低生活保障申请书"), PERSON_INFO, HUKOU, INCOME_AUTH,
      _up("家庭收入、财产情况申报表"), _up("残疾、重病等特殊情况证明", required=False)),
     result="最低生活保障证", steps=("申请", "乡镇（街道）受理", "家庭经济状况调查核对", "民主评议与公示",
         "县级民政审核确认", "发放"))
_add("10510", "特困人员救助供养", JF,
     "《社会救助暂行办法》第十四条、第十六条；《特困人员认定办法》", _X, "hanbin-civil", 30, 20,
     ("老年人、残疾人以及未满十六周岁的未成年人", "无劳动能力、无生活来源",
      "无法定赡养、抚养、扶养义务人，或者其法定义务人无履行义务能力"),
     (_form("特困人员救助供养申请书"), PERSON_INFO, INCOME_AUTH,
      _sh("残疾人证信息", "残疾人两项补贴发放信息:disability_cert_no,disability_level", "通过残疾人信息核验",
          required=False)),
     result="特困人员救助供养证")
_add("10511", "临时救助", JF,
     "《社会救助暂行办法》第四十七条、第四十八条", _X, "hanbin-civil", 15, 5,
     ("因火灾、交通事故等意外事件，家庭成员突发重大疾病等原因导致基本生活暂时出现严重困难",
      "遭遇其他特殊困难的家庭或个人；情况紧急的可先行救助、后补手续"),
     (_form("临时救助申请书"), PERSON_INFO, INCOME_AUTH, _up("困难情况证明材料（医疗费用票据、事故证明等）")),
     result="临时救助金")
_add("10512", "困难残疾人生活补贴和重度残疾人护理补贴", JF,
     "《中华人民共和国残疾人保障法》第四十八条；"
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
     _X, "hanbin-civil", 20, 10,
     ("持有第二代《中华人民共和国残疾人证》",
         "生活补贴：低保家庭中的残疾人；护理补贴：残疾等级为一级、二级且需要长期照护的重度残疾人"),
     (_form("残疾人两项补贴申请审批表"), _lic("中华人民共和国残疾人证", "中华人民共和国残疾人证"), PERSON_INFO, BANK),
     result="残疾人两项补贴")
_add("10513", "高龄津贴发放", JF,
     "《中华人民共和国老年人权益保障法》第三十三条；《陕西省实施〈中华人民共和国老年人权益保障法〉办法》", _X,
     "hanbin-civil", 20, 10,
     ("具有本县（区）户籍", "年满80周岁的老年人，按年龄段享受高龄津贴"),
     (PERSON_INFO, BANK, _waived("老年人年龄证明", "年龄通过人口基础信息库核验，免于提交")),
     result="高龄津贴", steps=("申请（年满80周岁可主动推送、免申即享）", "乡镇（街道）初审", "县级民政审核", "发放"))
_add("10514", "养老机构备案", BA,
     "《中华人民共和国老年人权益保障法》第四十三条；《养老机构管理办法》第九条", _CC, "city-civil", 0, 0,
     ("已依法办理法人登记", "有符合规定的服务场所、设施设备和工作人员"),
     (_form("养老机构备案书"), BIZ_INFO, _up("养老机构服务场所符合消防安全要求的承诺书"),
         _up("养老机构服务安全承诺书")),
     objects=ORG, result="养老机构备案回执")
_add("10515", "基本殡葬服务费用减免", JF,
     "《殡葬管理条例》；《民政部等关于推行惠民殡葬政策的指导意见》（民发〔2012〕211号）", _CC, "city-civil", 5, 0,
     ("逝者具有本市户籍或在本市死亡", "遗体运送、暂存、火化、骨灰寄存等基本殡葬服务费用按规定减免"),
     (DEATH, _lic("经办人居民身份证", "居民身份证"), CREMATION),
     result="基本殡葬服务费用减免", steps=("在殡仪馆直接减免（免申即享）", "办结"))
_add("10516", "公墓建设审批", XK,
     "《殡葬管理条例》第八条", _PC, "city-civil", 20, 15,
     ("符合殡葬设施建设规划", "选址避开耕地、林地、河流、水库及铁路、公路主干线两侧"),
     (_form("公墓建设申请书"), _up("用地规划及选址意见"), _up("公墓建设可行性研究报告")),
     objects=ORG, result="公墓建设批复", visits=1)
_add("10517", "孤儿基本生活保障金给付", JF,
     "《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）", _X, "hanbin-civil", 20, 10,
     ("失去父母、查找不到生父母的未满18周岁的未成年人", "具有本县（区）户籍"),
     (_form("孤儿基本生活费申请表"), PERSON_INFO, DEATH_CANCEL, _up("监护人身份证明")),
     result="孤儿基本生活费")
_add("10518", "事实无人抚养儿童认定", QR,
     "《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）", _X,
     "hanbin-civil", 20, 10,
     ("父母双方均符合重残、重病、服刑在押、强制隔离戒毒、失联或死亡等情形之一的儿童",),
     (_form("事实无人抚养儿童认定申请表"), PERSON_INFO, _up("父母情况证明材料")),
     result="事实无人抚养儿童认定结果")
_add("10519", "老年人优待证办理", GG,
     "《中华人民共和国老年人权益保障法》第五十八条、第五十九条", _X, "hanbin-civil", 5, 0,
     ("年满60周岁的本地户籍老年人或在本地居住的老年人",),
     (ID, PHOTO_WAIVED), result="老年人优待证")


# --- 人力资源和社会保障 ---------------------------------------------------------

_add("10601", "城乡居民基本养老保险参保登记", GG,
     "《中华人民共和国社会保险法》第二十条、第二十二条；"
     "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
     _X, "hanbin-hrss", 1, 0,
     ("年满16周岁（不含在校学生）", "非国家机关和事业单位工作人员及不属于职工基本养老保险制度覆盖范围的城乡居民",
      "在户籍地参保"),
     (PERSON_INFO, _form("城乡居民基本养老保险参保登记表"), _waived("居民户口簿复印件",
         "户籍信息通过人口基础信息库核验")),
     result="城乡居民基本养老保险参保登记")
_add("10602", "城乡居民基本养老保险待遇申领", JF,
     "《中华人民共和国社会保险法》第二十一条；"
     "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
     _X, "hanbin-hrss", 20, 10,
     ("参加城乡居民基本养老保险的个人，年满60周岁、累计缴费满15年", "未领取国家规定的基本养老保障待遇"),
     (PERSON_INFO, _form("城乡居民基本养老保险待遇领取申请表"), BANK,
      _sh("城乡居民基本养老保险参保缴费记录",
          "城乡居民基本养老保险参保信息:id_number,contribution_grade,contribution_years,insured_status",
          "通过参保信息核验")),
     result="城乡居民基本养老保险待遇核定表")
_add("10603", "城乡居民基本养老保险注销登记", GG,
     "《中华人民共和国社会保险法》第十四条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
     _X, "hanbin-hrss", 10, 5,
     ("参保人员死亡、丧失国籍或已享受其他基本养老保障待遇", "个人账户资金余额可依法继承"),
     (_form("城乡居民基本养老保险注销登记表"), DEATH_CANCEL, _lic("继承人居民身份证", "居民身份证"),
      _up("继承权公证书或亲属关系说明", required=False)),
     result="注销登记及个人账户余额支付")
_add("10604", "职工正常退休（职）申请", QR,
     "《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）；"
     "《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》",
     _C, "city-hrss", 20, 5,
     ("达到法定退休年龄", "累计缴纳基本养老保险费满最低缴费年限"),
     (_form("职工退休（职）审批表"), ID, _up("本人档案（由档案保管单位提供）"), EMPLOYEE_PENSION),
     objects=ALL, result="职工退休审批表（退休证明）")
_add("10605", "企业职工基本养老保险待遇申领", JF,
     "《中华人民共和国社会保险法》第十六条", _C, "city-social-insurance", 20, 10,
     ("参加企业职工基本养老保险的个人达到法定退休年龄", "累计缴费满15年（按规定逐步提高最低缴费年限）"),
     (_form("基本养老保险待遇申领表"), ID, EMPLOYEE_PENSION, BANK,
      _bundle("退休审批结果", "职工正常退休（职）申请",
          "退休一件事中由退休审批同步生成；单独办理时由人社部门内部核验")),
     result="基本养老金核定表")
_add("10606", "个人账户一次性待遇申领", JF,
     "《中华人民共和国社会保险法》第十四条", _C, "city-social-insurance", 20, 10,
     ("参保人员死亡，个人账户余额可以继承", "参保人员出国（境）定居并终止养老保险关系"),
     (_form("个人账户一次性待遇申领表"), DEATH_CANCEL, _lic("继承人居民身份证", "居民身份证"),
      _up("继承人关系证明或继承权公证书")),
     result="个人账户一次性待遇支付")
_add("10607", "丧葬补助金、抚恤金申领", JF,
     "《中华人民共和国社会保险法》第十七条", _C, "city-social-insurance", 20, 10,
     ("参加基本养老保险的个人因病或者非因工死亡", "由其遗属申领"),
     (_form("丧葬补助金、抚恤金申领表"), DEATH_CANCEL, _lic("遗属居民身份证", "居民身份证"),
      _sh("遗属户籍关系", "户籍人口基本信息:id_number,name,household_head,relation_to_head",
          "通过人口基础信息库核验亲属关系"),
      BANK),
     result="丧葬补助金、抚恤金核定表")
_add("10608", "基本养老保险关系转移接续", GG,
     "《中华人民共和国社会保险法》第十九条；《城镇企业职工基本养老保险关系转移接续暂行办法》", _C,
     "city-social-insurance", 45, 15,
     ("参保人员跨统筹地区流动就业", "在新就业地参保后申请转入"),
     (_form("基本养老保险关系转移接续申请表"), ID, EMPLOYEE_PENSION),
     objects=PERSON, result="基本养老保险关系转移接续联系函")
_add("10609", "社会保障卡申领", GG,
     "《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》", _C, "city-social-insurance", 20, 5,
     ("在本市参加社会保险或享受社会保障待遇的人员", "新生儿可由监护人代为申领"),
     (PERSON_INFO, PHOTO_WAIVED, _lic("监护人居民身份证", "居民身份证", required=False, note="未成年人由监护人代办")),
     result="社会保障卡", licence="社会保障卡")
_add("10610", "社会保障卡补领、换领", GG,
     "《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》", _C, "city-social-insurance", 10, 0,
     ("社会保障卡遗失、损坏或有效期满", "遗失的先办理挂失"),
     (ID, PHOTO_WAIVED), fee="补领收取工本费（按陕西省物价部门核定标准，即时制卡网点现场缴纳）",
     result="社会保障卡", licence="社会保障卡", visits=1)
_add("10611", "社会保障卡挂失", GG,
     "《社会保障卡管理办法》", _C, "city-social-insurance", 0, 0,
     ("社会保障卡遗失或被盗",), (ID,), result="社会保障卡挂失", channels=(*C_ALL, "12333热线"))
_add("10612", "单位参保登记", GG,
     "《中华人民共和国社会保险法》第五十七条", _C, "city-social-insurance", 15, 0,
     ("用人单位自成立之日起30日内申请办理社会保险登记",),
     (_form("社会保险登记表"), _bundle("营业执照", "内资企业设立登记",
         "企业开办一件事中由设立登记同步推送；单独办理时调取电子营业执照"),
      LEGAL_REP_ID),
     objects=ORG, result="社会保险登记")
_add("10613", "职工参保登记", GG,
     "《中华人民共和国社会保险法》第五十八条", _C, "city-social-insurance", 15, 0,
     ("用人单位自用工之日起30日内为职工申请办理社会保险登记",),
     (_form("职工参保登记（增员）表"), _sh("职工身份信息", "户籍人口基本信息:id_number,name,gender,birth_date",
         "通过人口基础信息库核验")),
     objects=ORG, result="职工社会保险登记")
_add("10614", "社会保险个人权益记录查询打印", GG,
     "《中华人民共和国社会保险法》第七十四条；《社会保险个人权益记录管理办法》", _C, "city-social-insurance", 0, 0,
     ("参保人员查询、打印本人参保缴费及待遇享受记录",), (ID,), result="社会保险个人权益记录（参保证明）",
     channels=(*C_ALL, "自助终端", "电子社保卡"))
_add("10615", "养老保险待遇领取资格认证", GG,
     "《人力资源社会保障部办公厅关于印发〈社会保险待遇资格认证经办规程（试行）〉的通知》（人社厅发〔2018〕107号）",
     _C, "city-social-insurance", 0, 0,
     ("领取基本养老保险待遇的人员每年至少进行一次资格认证", "可通过大数据比对无感认证，或手机人脸识别自助认证"),
     (_sh("待遇领取信息", "养老保险待遇领取信息:id_number,name,benefit_type,certification_date", "大数据比对认证"),),
     result="资格认证结果", channels=("掌上办理（“秦务员”APP、电子社保卡）", "窗口办理", "上门认证"))
_add("10616", "工伤认定", QR,
     "《工伤保险条例》第十七条、第二十条", _PC, "city-hrss", 60, 30,
     ("职工发生事故伤害或者被诊断、鉴定为职业病",
         "用人单位自事故伤害发生之日起30日内提出；单位未提出的，职工或近亲属1年内可直接提出"),
     (_form("工伤认定申请表"), _up("与用人单位存在劳动关系（包括事实劳动关系）的证明材料"),
         _up("医疗诊断证明或职业病诊断证明书"),
      ID),
     objects=ALL, result="认定工伤决定书", visits=1)
_add("10617", "劳动能力鉴定", QR,
     "《工伤保险条例》第二十三条、第二十五条", _PC, "city-hrss", 60, 40,
     ("职工发生工伤，经治疗伤情相对稳定后存在残疾、影响劳动能力",),
     (_form("劳动能力鉴定申请表"), _sh("工伤认定决定",
         "工伤认定信息:injury_decision_no,name,injury_date,injury_conclusion", "通过工伤认定信息核验"),
      _up("诊断证明书、检查结果、住院病历等完整病历材料"), ID),
     objects=PERSON, result="劳动能力鉴定结论书", visits=1)
_add("10618", "工伤保险待遇核定支付", JF,
     "《工伤保险条例》第三十条至第三十九条", _C, "city-social-insurance", 20, 15,
     ("经认定为工伤或视同工伤", "已参加工伤保险"),
     (_form("工伤保险待遇申请表"), _sh("工伤认定决定", "工伤认定信息:injury_decision_no,name,injury_conclusion",
         "通过工伤认定信息核验"),
      _up("医疗费用票据及费用清单"), _up("劳动能力鉴定结论书", required=False)),
     objects=ALL, result="工伤保险待遇核定表")
_add("10619", "劳动人事争议仲裁", CJ,
     "《中华人民共和国劳动争议调解仲裁法》第二十七条、第二十九条、第四十三条", _CC, "city-hrss", 45, 45,
     ("劳动者与用人单位发生劳动争议，自知道或者应当知道其权利被侵害之日起一年内申请",
      "有明确的被申请人、具体的仲裁请求和事实、理由"),
     (_form("劳动人事争议仲裁申请书"), ID, _sh("被申请人主体信息",
         "市场主体登记信息:uscc,entity_name,legal_rep,domicile", "通过市场主体登记信息核验"),
      _up("劳动合同、工资条、考勤记录等证据材料")),
     objects=ALL, result="仲裁裁决书或调解书", visits=2)
_add("10620", "人力资源服务许可", XK,
     "《人力资源市场暂行条例》第十八条、第十九条", _PCC, "city-hrss", 20, 5,
     ("有明确的章程和管理制度", "有开展业务必备的固定场所、办公设施", "有5名以上取得相应职业资格证书的专职工作人员"),
     (_form("人力资源服务许可申请表"), BIZ_INFO, _up("场所使用权证明"), _up("工作人员职业资格证书"),
         _up("管理制度文本")),
     objects=MARKET, result="人力资源服务许可证")
_add("10621", "人力资源服务备案", BA,
     "《人力资源市场暂行条例》第十八条", _PCC, "city-hrss", 0, 0,
     ("经营性人力资源服务机构开展人力资源供求信息收集发布、就业创业指导、人力资源管理咨询等业务",),
     (_form("人力资源服务备案表"), BIZ_INFO), objects=MARKET, result="人力资源服务备案凭证")
_add("10622", "劳务派遣经营许可", XK,
     "《中华人民共和国劳动合同法》第五十七条；《劳务派遣行政许可实施办法》第六条、第十一条", _CC, "city-hrss", 20, 10,
     ("注册资本不得少于人民币二百万元", "有与开展业务相适应的固定的经营场所和设施",
         "有符合法律、行政法规规定的劳务派遣管理制度"),
     (_form("劳务派遣经营许可申请书"), BIZ, _up("经营场所使用证明"), _up("劳务派遣管理制度及劳动合同、派遣协议样本")),
     objects=MARKET, result="劳务派遣经营许可证", visits=1)
_add("10623", "企业实行不定时工作制和综合计算工时工作制审批", XK,
     "《中华人民共和国劳动法》第三十九条；《关于企业实行不定时工作制和综合计算工时工作制的审批办法》", _PCC,
     "city-hrss", 20, 10,
     ("因生产特点不能实行标准工时制度的企业", "已听取工会和职工意见"),
     (_form("实行特殊工时制度申请表"), BIZ_INFO, _up("实施方案及职工意见")),
     objects=ENTERPRISE, result="特殊工时制度审批决定")
_add("10624", "专业技术人员职称评审", QR,
     "《职称评审管理暂行规定》（人力资源社会保障部令第40号）", _PC, "city-hrss", 60, 60,
     ("遵守法律法规、具备良好的职业道德", "具备相应系列职称评价标准规定的学历、资历和业绩条件"),
     (_form("专业技术职务任职资格评审表"), ID, _up("学历证书", note="学历信息可通过学信网核验"), _up("业绩成果材料")),
     result="专业技术职务任职资格证书", steps=("个人申报", "单位推荐公示", "主管部门审核", "评审委员会评审", "公示",
         "发文确认"))
_add("10625", "技能提升补贴申领", JF,
     "《关于失业保险支持参保职工提升职业技能有关问题的通知》（人社部发〔2017〕40号）", _C, "city-social-insurance",
     20, 10,
     ("参加失业保险1年以上的企业职工或领取失业保险金人员", "取得职业资格证书或职业技能等级证书"),
     (ID, _sh("职业技能等级证书信息", "职业技能等级证书信息:skill_cert_no,name,occupation_name,skill_level",
         "通过证书信息核验"), BANK),
     result="技能提升补贴", steps=("网上申请", "审核", "公示", "发放"))
_add("10626", "失业保险稳岗返还", JF,
     "《失业保险条例》；《关于失业保险支持企业稳定岗位有关问题的通知》（人社部发〔2014〕76号）", _C,
     "city-social-insurance", 20, 10,
     ("上年度未裁员或裁员率不高于规定标准的参保企业", "足额缴纳失业保险费"),
     (_sh("参保单位信息", "社会保险参保单位信息:unit_uscc,unit_name,insured_count,contribution_status",
         "大数据比对，免申即享"),),
     objects=ENTERPRISE, result="稳岗返还资金", steps=("大数据比对", "公示", "直接返还"))
_add("10627", "失业保险金申领", JF,
     "《中华人民共和国社会保险法》第四十五条、第五十条", _C, "city-social-insurance", 15, 5,
     ("失业前用人单位和本人已经缴纳失业保险费满一年", "非因本人意愿中断就业", "已经进行失业登记，并有求职要求"),
     (ID, _sh("失业登记信息", "失业登记信息:unemployment_reg_no,name,unemployment_date,unemployment_reason",
         "通过失业登记信息核验"),
      BANK, _waived("解除或终止劳动关系证明", "通过社保缴费和就业登记数据核验，不再要求提供")),
     result="失业保险金核定通知", channels=C_ALL)
_add("10801", "失业登记", GG,
     "《中华人民共和国就业促进法》；《就业服务与就业管理规定》", _C, "city-employment", 0, 0,
     ("劳动年龄内、有劳动能力、有就业要求、处于无业状态", "可在常住地（户籍地、经常居住地）办理"),
     (ID, _form("失业登记表")), result="失业登记（就业创业证）")
_add("10802", "就业登记", GG,
     "《就业服务与就业管理规定》", _C, "city-employment", 0, 0,
     ("劳动者被用人单位招用或从事个体经营、灵活就业",),
     (_form("就业登记表"), _sh("劳动者身份信息", "户籍人口基本信息:id_number,name,gender", "通过人口基础信息库核验")),
     objects=ALL, result="就业登记")
_add("10803", "《就业创业证》申领", GG,
     "《人力资源社会保障部关于进一步完善就业失业登记管理办法的通知》（人社部发〔2014〕97号）", _C, "city-employment",
     0, 0,
     ("在法定劳动年龄内、有劳动能力和就业要求的劳动者",), (ID,), result="就业创业证（电子证）")
_add("10804", "创业担保贷款申请", GG,
     "《财政部 人力资源社会保障部 中国人民银行关于进一步做好创业担保贷款财政贴息工作的通知》（财金〔2020〕21号）", _CC,
     "city-employment", 15, 10,
     ("城镇登记失业人员、高校毕业生、返乡创业农民工、退役军人等符合条件的创业人员",
      "个人贷款额度最高30万元，小微企业最高500万元"),
     (ID, BIZ_INFO, _form("创业担保贷款申请表"), _up("创业项目计划书")),
     objects=("自然人", "个体工商户", "企业法人"), result="创业担保贷款审核意见", visits=1)
_add("10805", "灵活就业人员社会保险补贴申领", JF,
     "《就业补助资金管理办法》（财社〔2017〕164号）第五条", _C, "city-employment", 20, 10,
     ("就业困难人员或离校2年内未就业高校毕业生", "以灵活就业方式就业并缴纳社会保险费"),
     (ID, _sh("社会保险缴费记录", "企业职工基本养老保险参保信息:id_number,insured_status,contribution_months",
         "通过社保缴费信息核验"),
      BANK), result="社会保险补贴")
_add("10806", "职业培训补贴申领", JF,
     "《就业补助资金管理办法》（财社〔2017〕164号）第五条", _C, "city-employment", 20, 10,
     ("参加职业技能培训并取得职业资格证书、职业技能等级证书或专项职业能力证书",),
     (ID, _sh("职业技能等级证书信息", "职业技能等级证书信息:skill_cert_no,name,skill_level", "通过证书信息核验"), BANK),
     result="职业培训补贴")
_add("10807", "一次性创业补贴申领", JF,
     "《就业补助资金管理办法》（财社〔2017〕164号）；《陕西省就业补助资金管理办法》", _C, "city-employment", 20, 10,
     ("首次创办小微企业或从事个体经营，且正常经营6个月以上", "创办人为高校毕业生、就业困难人员、返乡入乡人员等"),
     (ID, BIZ_INFO, BANK), result="一次性创业补贴")
_add("10808", "高校毕业生求职创业补贴申领", JF,
     "《就业补助资金管理办法》（财社〔2017〕164号）第五条", _C, "city-employment", 20, 10,
     ("毕业年度内有就业创业意愿并积极求职创业", "低保家庭、脱贫家庭、残疾等困难毕业生"),
     (ID, _up("学籍证明（学校出具）"), BANK), result="求职创业补贴")
_add("10809", "流动人员人事档案接收", GG,
     "《关于进一步加强流动人员人事档案管理服务工作的通知》（人社部发〔2014〕90号）", _C, "city-employment", 5, 0,
     ("未就业高校毕业生、辞职辞退人员等流动人员", "档案通过机要通道转递"),
     (ID, _up("档案转递通知单或报到证明", required=False)), result="人事档案接收回执")


# --- 医疗保障 ------------------------------------------------------------------

_MEDICARE = _sh("基本医疗保险参保信息", "基本医疗保险参保信息:id_number,name,insurance_type,insured_status,paid_until",
                "通过医保参保信息核验")
_add("10901", "城乡居民基本医疗保险参保登记", GG,
     "《中华人民共和国社会保险法》第二十五条", _C, "city-medicare", 0, 0,
     ("未参加职工基本医疗保险的城乡居民，包括新生儿、在校学生", "新生儿出生后90日内参保缴费的，自出生之日起享受待遇"),
     (PERSON_INFO, _lic("监护人居民身份证", "居民身份证", required=False, note="未成年人由监护人代办"),
      _bundle("新生儿户籍信息", "出生登记", "新生儿出生一件事中由出生登记同步推送；单独办理时通过人口库核验")),
     result="城乡居民基本医疗保险参保登记")
_add("10902", "职工基本医疗保险参保登记", GG,
     "《中华人民共和国社会保险法》第二十三条", _C, "city-medicare", 0, 0,
     ("职工应当参加职工基本医疗保险，由用人单位和职工共同缴纳", "无雇工的个体工商户、灵活就业人员可以参加"),
     (_form("职工基本医疗保险参保登记表"), PERSON_INFO), objects=ALL, result="职工基本医疗保险参保登记")
_add("10903", "异地就医备案", GG,
     "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）", _C,
     "city-medicare", 0, 0,
     ("异地长期居住人员、常驻异地工作人员、异地转诊就医人员、临时外出就医人员", "已参加本市基本医疗保险"),
     (_MEDICARE, _form("跨省异地就医登记备案表（承诺制）")), result="异地就医备案",
     channels=("国家医保服务平台APP", "掌上办理（“秦务员”APP）", "窗口办理"))
_add("10904", "门诊慢特病待遇认定", QR,
     "《国家医保局 财政部关于建立医疗保障待遇清单制度的意见》（医保发〔2021〕5号）", _C, "city-medicare", 15, 10,
     ("参加本市基本医疗保险", "患有规定的门诊慢性病、特殊疾病病种并符合认定标准"),
     (_MEDICARE, _up("二级以上定点医疗机构出具的诊断证明及相关检查报告"), _form("门诊慢特病认定申请表")),
     result="门诊慢特病待遇认定结果")
_add("10905", "生育津贴申领", JF,
     "《中华人民共和国社会保险法》第五十四条、第五十六条", _C, "city-medicare", 20, 10,
     ("参加职工生育保险（职工基本医疗保险）的职工生育、施行计划生育手术", "用人单位已为职工缴纳生育保险费"),
     (_MEDICARE, _bundle("出生医学证明", "出生医学证明办理",
         "新生儿出生一件事中由出生医学证明办理同步推送；单独办理时调取电子出生医学证明"),
      BANK), objects=ALL, result="生育津贴核定表")
_add("10906", "医疗费用手工（零星）报销", JF,
     "《中华人民共和国社会保险法》第二十八条、第二十九条", _C, "city-medicare", 30, 20,
     ("因急诊、异地就医未能直接结算等原因个人垫付医疗费用", "属于基本医疗保险支付范围"),
     (_MEDICARE, _up("医疗费用收据"), _up("费用明细清单"), _up("出院记录或诊断证明"), BANK),
     result="医疗费用报销结算单", visits=1)
_add("10907", "医疗救助", JF,
     "《社会救助暂行办法》第二十八条、第二十九条；"
     "《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）",
     _CC, "city-hsa", 20, 10,
     ("特困供养人员、最低生活保障家庭成员、低保边缘家庭成员等医疗救助对象",
         "经基本医保、大病保险报销后个人负担仍然较重"),
     (_MEDICARE, _sh("救助对象身份", "最低生活保障对象信息:assistance_cert_no,id_number,name,assistance_type",
         "通过民政救助信息核验"),
      _up("医疗费用票据及明细")), result="医疗救助金", steps=("申请（定点医院“一站式”结算时自动救助）", "审核", "发放"))
_add("10908", "基本医疗保险关系转移接续", GG,
     "《中华人民共和国社会保险法》第三十二条；《基本医疗保险关系转移接续暂行办法》", _C, "city-medicare", 15, 5,
     ("参保人员跨统筹地区流动就业并在转入地参保",), (_MEDICARE, _form("基本医疗保险关系转移接续申请表")),
     result="参保缴费凭证及转移接续")
_add("10909", "医疗保障定点医药机构确定", GG,
     "《医疗机构医疗保障定点管理暂行办法》（国家医疗保障局令第2号）；"
     "《零售药店医疗保障定点管理暂行办法》（国家医疗保障局令第3号）",
     _C, "city-hsa", 90, 60,
     ("正式运营3个月以上的医疗机构或零售药店", "具备医保信息系统接口条件和规章制度"),
     (_form("定点医药机构申请表"), BIZ_INFO, _up("执业许可证或药品经营许可证"), _up("医保管理制度")),
     objects=ORG, result="医保服务协议", visits=1)
_add("10910", "医疗保障基金违法违规行为举报奖励", JL,
     "《医疗保障基金使用监督管理条例》；《违法违规使用医疗保障基金举报奖励办法》", _PCC, "city-hsa", 30, 20,
     ("举报内容经查证属实，造成医疗保障基金损失", "举报人为实名举报"),
     (_form("举报奖励申请表"), ID, BANK), result="举报奖励决定书")

# --- 卫生健康 ------------------------------------------------------------------

_add("11001", "出生医学证明办理", GG,
     "《中华人民共和国母婴保健法》第二十三条；《国家卫生健康委关于印发出生医学证明管理办法的通知》", _C,
     "city-health", 1, 0,
     ("新生儿在本市助产机构出生", "由新生儿父母或监护人申领，首次签发在出生医院办理"),
     (_lic("父母居民身份证", "居民身份证"), _form("出生医学证明首次签发登记表")),
     result="出生医学证明", licence="出生医学证明", steps=("出生医院采集信息", "签发"),
     channels=("助产机构（出生医院）", "掌上办理（“秦务员”APP）"))
_add("11002", "出生医学证明补发、换发", GG,
     "《中华人民共和国母婴保健法》第二十三条", _C, "city-health", 20, 10,
     ("出生医学证明遗失或信息有误需变更", "原签发机构可查到出生记录"),
     (_lic("父母居民身份证", "居民身份证"), _form("出生医学证明补发（换发）申请表"),
      _sh("出生登记信息", "出生登记信息:id_number,name,birth_date,mother_name,father_name",
          "通过户籍出生登记信息核验")),
     result="出生医学证明（补发）", licence="出生医学证明", visits=1)
_add("11003", "生育登记", GG,
     "《中华人民共和国人口与计划生育法》第十八条；《陕西省人口与计划生育条例》", _CC, "city-health", 0, 0,
     ("夫妻生育子女（不限孩次）", "可在孕前、孕期或生育后自愿登记，不作为办理其他事项的前置条件"),
     (_lic("夫妻双方居民身份证", "居民身份证"), MARRIAGE_INFO,
      _waived("婚育情况证明", "《国务院关于取消一批行政许可等事项的决定》取消婚育情况证明，改为个人承诺")),
     result="生育登记服务单")
_add("11004", "预防接种证办理", GG,
     "《中华人民共和国疫苗管理法》第四十七条", _CC, "city-cdc", 0, 0,
     ("儿童出生后一个月内，由监护人到居住地接种单位或出生医院办理",),
     (_bundle("出生医学证明", "出生医学证明办理", "新生儿出生一件事中同步推送；单独办理时出示电子出生医学证明"),
      _lic("监护人居民身份证", "居民身份证")),
     result="预防接种证", steps=("接种单位建证建卡", "办结"), channels=("接种单位", "出生医院"), online=False, visits=1)
_add("11005", "居民死亡医学证明（推断）书签发", GG,
     "《国家卫生健康委 公安部 民政部关于进一步规范人口死亡医学证明和信息登记管理工作的通知》", _C, "city-health", 1, 0,
     ("在医疗卫生机构死亡的，由该机构签发；在家中或其他场所死亡的，由负责救治或调查的医疗卫生机构签发",),
     (_lic("死者居民身份证", "居民身份证", required=False), _lic("家属居民身份证", "居民身份证")),
     result="居民死亡医学证明（推断）书", steps=("医疗卫生机构核实", "签发"), channels=("医疗卫生机构",),
         online=False, visits=1)
_add("11006", "医师执业注册", XK,
     "《中华人民共和国医师法》第十三条", _PCC, "city-health", 20, 5,
     ("取得医师资格", "拟执业的医疗卫生机构同意", "无《医师法》第十六条规定不予注册的情形"),
     (_form("医师执业注册申请审核表"), _up("医师资格证书"), _up("拟执业机构的聘用证明"), ID,
         _up("6个月内的健康体检证明")),
     result="医师执业证书")
_add("11007", "护士执业注册", XK,
     "《护士条例》第七条、第八条", _PCC, "city-health", 20, 5,
     ("具有完全民事行为能力", "在中等职业学校、高等学校完成规定的护理专业学习并取得毕业证书",
         "通过国务院卫生主管部门组织的护士执业资格考试"),
     (_form("护士执业注册申请审核表"), ID, _up("护士执业资格考试成绩合格证明"), _up("健康体检证明"),
         _up("聘用单位证明")),
     result="护士执业证书")
_add("11008", "医疗机构执业登记", XK,
     "《医疗机构管理条例》第十五条、第十七条", _CC, "city-health", 45, 20,
     ("按照设置规划和基本标准配备人员、房屋和设备", "有相应的规章制度和能够独立承担民事责任的能力"),
     (_form("医疗机构申请执业登记注册书"), BIZ_INFO, _up("医疗机构用房产权证明或使用证明"),
         _up("医疗机构建筑设计平面图"),
      _up("卫生技术人员名录及其有关资格证书、执业证书"), _up("规章制度")),
     objects=ORG, result="医疗机构执业许可证", visits=1)
_add("11009", "公共场所卫生许可", XK,
     "《公共场所卫生管理条例》第八条；《公共场所卫生管理条例实施细则》第二十二条", _CC, "city-health", 20, 5,
     ("宾馆、旅店、公共浴室、理发店、美容店、游泳场（馆）等公共场所", "卫生设施、从业人员健康状况等符合卫生标准和要求"),
     (_form("公共场所卫生许可申请表"), BIZ, _up("公共场所平面图和卫生设施分布图"), _up("卫生管理制度"), COMMITMENT),
     objects=MARKET, result="公共场所卫生许可证")
_add("11010", "母婴保健技术服务执业许可", XK,
     "《中华人民共和国母婴保健法》第三十二条；《母婴保健专项技术服务许可及人员资格管理办法》", _PC,
     "city-health", 20, 15,
     ("已取得医疗机构执业许可证", "有符合要求的专业技术人员、设备和规章制度"),
     (_form("母婴保健技术服务执业许可申请登记书"), _up("医疗机构执业许可证"), _up("专业技术人员资格证明")),
     objects=ORG, result="母婴保健技术服务执业许可证", visits=1)
_add("11011", "计划生育家庭特别扶助金给付", JF,
     "《中华人民共和国人口与计划生育法》；《全国独生子女伤残死亡家庭扶助制度试点方案》", _CC,
     "city-health", 30, 20,
     ("独生子女死亡或伤、病残（三级以上）后未再生育或收养子女的夫妻", "女方年满49周岁"),
     (_form("特别扶助对象申报表"), ID, DEATH_CANCEL, BANK), result="特别扶助金")
_add("11012", "农村部分计划生育家庭奖励扶助金给付", JF,
     "《国务院办公厅转发人口计生委财政部关于开展对农村部分计划生育家庭实行奖励扶助制度试点工作意见的通知》（国办发〔2004〕21号）",
     _CC, "city-health", 30, 20,
     ("农业户口或居住在农村的农村居民", "1973年至2001年期间没有违反计划生育法律法规生育", "年满60周岁"),
     (_form("奖励扶助对象申报表"), ID, HUKOU, BANK), result="奖励扶助金")
_add("11013", "无偿献血者表彰奖励", JL,
     "《中华人民共和国献血法》第十七条；《全国无偿献血表彰奖励办法》", _PC, "city-health", 60, 60,
     ("无偿献血达到规定次数或献血量", "由血站统计推荐"),
     (ID, _up("无偿献血证", note="献血记录由血站信息系统核验")), result="无偿献血奉献奖")


# --- 住房和城乡建设 -------------------------------------------------------------

_add("11101", "建筑工程施工许可", XK,
     "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》第二条", _PCC, "city-housing", 7, 3,
     ("工程投资额在30万元以上或建筑面积在300平方米以上", "已取得建设工程规划许可证，已确定施工企业",
      "有满足施工需要的资金安排、施工图纸及技术资料"),
     (_form("建筑工程施工许可证申请表"),
      _sh("建设工程规划许可证", "建设工程规划许可证信息:works_planning_permit_no,project_name,construction_unit",
          "通过规划许可信息核验"),
      _up("中标通知书或直接发包批准手续"), _up("施工图设计文件审查合格书", required=False,
          note="实行告知承诺的小型项目免于提交"),
      COMMITMENT),
     objects=ORG, result="建筑工程施工许可证")
_add("11102", "商品房预售许可", XK,
     "《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》第五条、第七条", _CC,
     "city-housing", 10, 5,
     ("已交付全部土地使用权出让金，取得土地使用权证书", "持有建设工程规划许可证和施工许可证",
      "投入开发建设的资金达到工程建设总投资的25%以上，并已确定施工进度和竣工交付日期"),
     (_form("商品房预售许可申请表"), BIZ_INFO, PROPERTY_INFO, _up("工程施工进度证明"), _up("商品房预售方案")),
     objects=ENTERPRISE, result="商品房预售许可证", visits=1)
_add("11103", "商品房买卖合同网签备案", BA,
     "《中华人民共和国城市房地产管理法》第四十五条", _CC, "city-housing", 1, 0,
     ("购房人与房地产开发企业签订商品房买卖合同",),
     (_lic("买受人居民身份证", "居民身份证"), _up("商品房买卖合同（网签）"), MARRIAGE_INFO),
     objects=("自然人", "企业法人"), result="商品房买卖合同备案证明")
_add("11104", "房屋建筑和市政基础设施工程竣工验收备案", BA,
     "《建设工程质量管理条例》第四十九条", _CC, "city-housing", 15, 5,
     ("建设单位自工程竣工验收合格之日起15日内备案",),
     (_form("竣工验收备案表"), _up("工程竣工验收报告"), _up("规划、消防、环保等部门出具的认可文件或准许使用文件"),
      _up("施工单位签署的工程质量保修书")), objects=ORG, result="竣工验收备案证明")
_add("11105", "建筑业企业资质核准", XK,
     "《中华人民共和国建筑法》第十三条；《建筑业企业资质管理规定》", _PC, "city-housing", 20, 10,
     ("具有法人资格的建筑施工企业", "净资产、技术负责人、技术工人等符合资质标准"),
     (_form("建筑业企业资质申请表"), BIZ_INFO, _up("技术负责人身份证明、职称证书"), _up("企业净资产证明")),
     objects=ENTERPRISE, result="建筑业企业资质证书")
_add("11106", "住宅室内装饰装修登记", BA,
     "《住宅室内装饰装修管理办法》第十三条、第十五条", _CC, "city-housing", 3, 1,
     ("装修人在住宅室内装饰装修工程开工前申报登记",
         "不得拆改承重结构、改变外立面；涉及拆改燃气、供暖管道的需经有关单位批准"),
     (PROPERTY, ID, _up("装饰装修方案"), _up("装饰装修企业资质证书", required=False, note="委托装修企业施工的提供")),
     result="装饰装修登记", steps=("申报登记", "告知禁止行为和注意事项", "登记办结"))
_add("11107", "公共租赁住房保障资格申请", JF,
     "《公共租赁住房管理办法》第七条、第九条", _C, "city-housing", 30, 20,
     ("在本市城区无自有住房或住房面积低于规定标准", "家庭收入、财产低于规定标准",
         "新就业无房职工、外来务工人员稳定就业达到规定年限"),
     (_form("公共租赁住房申请表"), PERSON_INFO, HUKOU, INCOME_AUTH,
      _sh("住房情况", "不动产登记信息:right_holder,right_holder_id,property_location,building_area",
          "通过不动产登记信息核查住房情况")),
     result="公共租赁住房保障资格", steps=("申请", "社区（街道）初审", "住建部门审核", "公示", "轮候配租"))
_add("11108", "城镇住房保障家庭租赁补贴", JF,
     "《公共租赁住房管理办法》；《住房城乡建设部 财政部关于做好城镇住房保障家庭租赁补贴工作的指导意见》", _C,
     "city-housing", 30, 20,
     ("城镇中等偏下及以下收入住房困难家庭", "在市场租赁住房"),
     (_form("租赁补贴申请表"), PERSON_INFO, INCOME_AUTH, _up("房屋租赁合同"), BANK), result="住房租赁补贴")
_add("11109", "燃气经营许可", XK,
     "《城镇燃气管理条例》第十五条", _CC, "city-housing", 20, 10,
     ("符合燃气发展规划要求", "有符合国家标准的燃气气源和燃气设施",
         "有固定的经营场所、完善的安全管理制度和健全的经营方案",
      "企业主要负责人、安全生产管理人员以及运行、维护和抢修人员经专业培训并考核合格"),
     (_form("燃气经营许可申请书"), BIZ, _up("燃气设施竣工验收文件"), _up("安全管理制度及应急预案"),
         _up("人员培训考核合格证明")),
     objects=ENTERPRISE, result="燃气经营许可证", visits=1)
_add("11110", "特殊建设工程消防设计审查", XK,
     "《中华人民共和国消防法》第十一条；《建设工程消防设计审查验收管理暂行规定》", _PCC, "city-housing", 15, 10,
     ("属于《建设工程消防设计审查验收管理暂行规定》第十四条所列特殊建设工程",),
     (_form("特殊建设工程消防设计审查申请表"), _up("消防设计文件"), _up("特殊消防设计技术资料", required=False)),
     objects=ORG, result="特殊建设工程消防设计审查意见书")
_add("11111", "特殊建设工程消防验收", XK,
     "《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》", _PCC, "city-housing", 15,
     10,
     ("特殊建设工程竣工，已完成工程竣工验收消防查验",),
     (_form("特殊建设工程消防验收申请表"), _up("工程竣工验收报告"), _up("涉及消防的建设工程竣工图纸")),
     objects=ORG, result="特殊建设工程消防验收意见书", visits=1)
_add("11112", "建设工程消防验收备案", BA,
     "《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》", _PCC,
     "city-housing", 5, 1,
     ("特殊建设工程以外的其他建设工程（含需办理施工许可的装饰装修工程）竣工验收合格之日起5个工作日内备案",),
     (_form("建设工程消防验收备案表"), _up("工程竣工验收报告"), _up("涉及消防的建设工程竣工图纸")),
     objects=ALL, result="建设工程消防验收备案凭证")
_add("11113", "城镇污水排入排水管网许可", XK,
     "《城镇排水与污水处理条例》第二十一条；《城镇污水排入排水管网许可管理办法》", _CC, "city-housing", 15, 5,
     ("从事工业、建筑、餐饮、医疗等活动的企业事业单位、个体工商户向城镇排水设施排放污水",
      "排水户内部排水管网、专用检测井、污水预处理设施符合要求"),
     (_form("城镇污水排入排水管网许可申请表"), BIZ_INFO, _up("排水户内部排水管网平面图"), COMMITMENT),
     objects=MARKET, result="城镇污水排入排水管网许可证")

# --- 不动产登记 -----------------------------------------------------------------

_BDC_FEE_TRANSFER = "住宅每件80元，非住宅每件550元；证书工本费第一本免收（发改价格规〔2016〕2559号）"
_TAX_PAID = _bundle("契税完税信息", "契税申报",
                    "“交易+登记+缴税”一窗办理，完税信息由税务部门实时推送，免于提交完税凭证")
_TAX_WAIVED = _waived("契税完税凭证", "“交易+登记+缴税”一窗办理，完税信息由税务部门实时推送，不再要求提交纸质完税凭证")
_add("11201", "国有建设用地使用权及房屋所有权转移登记", QR,
     "《中华人民共和国民法典》第二百零九条；《不动产登记暂行条例》第三条、第二十条", _CC, "city-bdc", 30, 3,
     ("因买卖、赠与、互换、继承等导致不动产权利发生转移", "不动产无查封、异议登记等限制"),
     (_form("不动产登记申请书"), _lic("买卖双方居民身份证", "居民身份证"), PROPERTY, _up("房屋买卖合同（网签）"),
         MARRIAGE_INFO,
      _TAX_PAID),
     fee=_BDC_FEE_TRANSFER, result="不动产权证书", licence="不动产权证书", visits=1)
_add("11202", "新建商品房转移登记", QR,
     "《中华人民共和国民法典》第二百零九条；《不动产登记暂行条例》第二十条", _CC, "city-bdc", 30, 3,
     ("开发企业已办理首次登记", "购房人与开发企业已完成网签备案"),
     (_form("不动产登记申请书"), _lic("购房人居民身份证", "居民身份证"),
      _sh("网签备案合同", "商品房买卖合同网签备案信息:contract_filing_no,buyer_name,property_location,contract_price",
          "通过网签备案信息核验"), _TAX_WAIVED),
     fee=_BDC_FEE_TRANSFER, result="不动产权证书", licence="不动产权证书", visits=1)
_add("11203", "国有建设用地使用权及房屋所有权首次登记", QR,
     "《不动产登记暂行条例》第三条；《不动产登记暂行条例实施细则》第三十五条", _CC, "city-bdc", 30, 10,
     ("房屋已竣工验收", "已取得国有建设用地使用权"),
     (_form("不动产登记申请书"), BIZ_INFO, PROPERTY_INFO,
      _sh("竣工验收备案信息", "房屋建筑工程竣工验收备案信息:completion_filing_no,project_name,completion_date",
          "通过竣工验收备案信息核验"),
      _up("房屋测绘报告")),
     objects=ORG, fee=_BDC_FEE_TRANSFER, result="不动产权证书", licence="不动产权证书", visits=1)
_add("11204", "抵押权首次登记", QR,
     "《中华人民共和国民法典》第四百零二条；《不动产登记暂行条例》第三条", _CC, "city-bdc", 30, 1,
     ("以不动产设定抵押，抵押人与抵押权人签订抵押合同",),
     (_form("不动产登记申请书"), PROPERTY, _up("主债权合同及抵押合同"), _lic("抵押人居民身份证", "居民身份证")),
     fee="住宅每件80元，非住宅每件550元（发改价格规〔2016〕2559号）；小微企业免收",
     result="不动产登记证明（抵押权）", licence="不动产登记证明", channels=(*C_ALL,
         "银行网点“不动产抵押登记+金融服务”"))
_add("11205", "抵押权注销登记", QR,
     "《不动产登记暂行条例》第三条；《不动产登记暂行条例实施细则》", _CC, "city-bdc", 30, 0,
     ("主债权消灭或抵押权人放弃抵押权",),
     (_form("不动产登记申请书"), _up("抵押权消灭的材料（银行出具的结清证明）")),
     result="抵押权注销登记", channels=(*C_ALL, "银行网点“不动产抵押登记+金融服务”"))
_add("11206", "不动产继承转移登记", QR,
     "《中华人民共和国民法典》第二百三十条、第一千一百二十一条；《不动产登记暂行条例实施细则》第十四条", _CC,
     "city-bdc", 30, 5,
     ("被继承人死亡，继承人依法继承不动产", "全部法定继承人对继承无争议"),
     (_form("不动产登记申请书"), PROPERTY, DEATH_CANCEL, _lic("继承人居民身份证", "居民身份证"),
      _up("继承权公证书或全体继承人签署的继承协议（经查验）"),
      _sh("亲属关系", "户籍人口基本信息:id_number,name,household_head,relation_to_head",
          "通过人口基础信息库核验亲属关系")),
     fee=_BDC_FEE_TRANSFER, result="不动产权证书", licence="不动产权证书", visits=1)
_add("11207", "不动产登记资料查询", GG,
     "《不动产登记资料查询暂行办法》第五条", _CC, "city-bdc", 0, 0,
     ("权利人、利害关系人可以依法查询、复制不动产登记资料",), (ID,),
     result="不动产登记资料查询结果（权属证明）", channels=(*C_ALL, "自助查询机"))
_add("11208", "不动产权证书补证、换证", QR,
     "《不动产登记暂行条例实施细则》第二十二条", _CC, "city-bdc", 30, 5,
     ("不动产权证书遗失、灭失或破损", "遗失补证的需在门户网站公告15个工作日"),
     (_form("不动产登记申请书"), ID, _up("遗失声明", required=False)),
     fee="证书工本费每本10元", result="不动产权证书", licence="不动产权证书")
_add("11209", "预购商品房预告登记", QR,
     "《中华人民共和国民法典》第二百二十一条；《不动产登记暂行条例实施细则》", _CC, "city-bdc", 30, 1,
     ("购房人与开发企业签订预售合同，约定办理预告登记",),
     (_form("不动产登记申请书"), _lic("购房人居民身份证", "居民身份证"),
      _sh("网签备案合同", "商品房买卖合同网签备案信息:contract_filing_no,buyer_name,property_location",
          "通过网签备案信息核验")),
     result="不动产登记证明（预告登记）", licence="不动产登记证明")
_add("11210", "宅基地使用权及房屋所有权首次登记", QR,
     "《不动产登记暂行条例》第三条；《不动产登记暂行条例实施细则》第四十条", _CC, "city-bdc", 30, 10,
     ("依法取得宅基地并建成房屋", "权属来源清楚、界址清晰、无争议"),
     (_form("不动产登记申请书"), ID, HUKOU, _up("宅基地批准文件"), _up("房屋符合规划或建设的相关材料"),
         _up("地籍调查成果")),
     result="不动产权证书", licence="不动产权证书", visits=1)


# --- 住房公积金 -----------------------------------------------------------------

_add("11301", "住房公积金单位缴存登记", GG,
     "《住房公积金管理条例》第十四条", _C, "city-hpf", 3, 0,
     ("新设立的单位自设立之日起30日内办理缴存登记",),
     (_form("住房公积金单位缴存登记表"),
      _bundle("营业执照", "内资企业设立登记", "企业开办一件事中由设立登记同步推送；单独办理时调取电子营业执照"),
          LEGAL_REP_ID),
     objects=ORG, result="住房公积金单位账户")
_add("11302", "住房公积金个人账户设立", GG,
     "《住房公积金管理条例》第十五条", _C, "city-hpf", 3, 0,
     ("单位录用职工之日起30日内为职工办理缴存登记",),
     (_form("住房公积金汇（补）缴清册"), _sh("职工身份信息", "户籍人口基本信息:id_number,name",
         "通过人口基础信息库核验")),
     objects=ORG, result="住房公积金个人账户")
_add("11303", "住房公积金购房提取", GG,
     "《住房公积金管理条例》第二十四条、第二十五条", _C, "city-hpf", 3, 0,
     ("购买、建造、翻建、大修自住住房", "本人及配偶可提取"),
     (ID, HPF_ACCOUNT, PROPERTY_INFO, MARRIAGE_INFO, _up("购房合同及发票", required=False,
         note="新建商品房网签信息可联网核验")),
     result="住房公积金提取到账")
_add("11304", "住房公积金租房提取", GG,
     "《住房公积金管理条例》第二十四条、第二十五条", _C, "city-hpf", 3, 0,
     ("职工连续足额缴存3个月以上", "本人及配偶在缴存地无自有住房且租房自住"),
     (ID, HPF_ACCOUNT, _sh("无房核查", "不动产登记信息:right_holder,right_holder_id", "通过不动产登记信息核查无房情况"),
      _waived("房屋租赁合同", "按标准额度提取的实行承诺制，免于提交租赁合同（安康市证明事项告知承诺制目录）")),
     result="住房公积金提取到账")
_add("11305", "住房公积金离休、退休提取", GG,
     "《住房公积金管理条例》第二十四条", _C, "city-hpf", 3, 0,
     ("职工离休、退休",),
     (ID, HPF_ACCOUNT, _bundle("退休审批结果", "职工正常退休（职）申请",
         "退休一件事中同步推送；单独办理时通过人社信息核验")),
     result="住房公积金提取到账并销户")
_add("11306", "住房公积金死亡（继承）提取", GG,
     "《住房公积金管理条例》第二十四条第三款", _C, "city-hpf", 3, 1,
     ("职工死亡或被宣告死亡", "由职工的继承人、受遗赠人提取"),
     (HPF_ACCOUNT, DEATH_CANCEL, _lic("继承人居民身份证", "居民身份证"), _up("继承权公证书或亲属关系证明",
         required=False)),
     result="住房公积金提取到账并销户", visits=1)
_add("11307", "住房公积金个人住房贷款", GG,
     "《住房公积金管理条例》第二十六条", _C, "city-hpf", 15, 5,
     ("连续足额缴存住房公积金6个月以上", "购买、建造、翻建、大修自住住房", "具有稳定收入和偿还贷款能力"),
     (ID, HPF_ACCOUNT, MARRIAGE_INFO, _up("购房合同"), _up("首付款凭证"), _form("住房公积金个人住房贷款申请表")),
     result="住房公积金借款合同", visits=1)
_add("11308", "住房公积金异地转移接续", GG,
     "《住房公积金管理条例》；《全国住房公积金异地转移接续业务操作规程》", _C, "city-hpf", 3, 1,
     ("职工跨城市就业，在转入地已设立住房公积金个人账户",), (ID, HPF_ACCOUNT),
     result="住房公积金转移接续", channels=(*C_ALL, "全国住房公积金小程序"))
_add("11309", "住房公积金缴存证明开具", GG,
     "《住房公积金管理条例》第三十三条", _C, "city-hpf", 0, 0,
     ("职工本人查询、打印住房公积金缴存情况",), (ID, HPF_ACCOUNT), result="住房公积金缴存证明")

# --- 税务 --------------------------------------------------------------------

_add("11401", "发票领用", QT,
     "《中华人民共和国税收征收管理法》第二十一条；《中华人民共和国发票管理办法》第十五条", _PCC, "city-tax", 1, 0,
     ("已办理登记的纳税人需要领用发票", "实行数电发票的新办纳税人自动赋予开票额度"),
     (_bundle("营业执照", "内资企业设立登记", "企业开办一件事中由设立登记同步推送；单独办理时调取电子营业执照"),
      _lic("经办人居民身份证", "居民身份证")),
     objects=MARKET, result="发票领用（数电发票开票额度）")
_add("11402", "增值税专用发票最高开票限额审批", XK,
     "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第236项", _PCC, "city-tax", 10, 5,
     ("已办理税务登记的增值税一般纳税人或小规模纳税人", "经营需要开具增值税专用发票"),
     (_form("增值税专用发票最高开票限额申请单"), BIZ_INFO), objects=MARKET, result="准予税务行政许可决定书")
_add("11403", "个人所得税综合所得汇算清缴", GG,
     "《中华人民共和国个人所得税法》第十一条", _PCC, "city-tax", 0, 0,
     ("取得综合所得需要办理汇算清缴的纳税人，在取得所得的次年3月1日至6月30日内办理",),
     (ID,), result="个人所得税年度汇算申报回执", channels=("个人所得税APP", "窗口办理", "邮寄申报"))
_add("11404", "契税申报", QT,
     "《中华人民共和国契税法》第九条、第十条", _PCC, "city-tax", 0, 0,
     ("在境内转移土地、房屋权属，承受的单位和个人", "在办理土地、房屋权属登记手续前申报缴纳"),
     (ID, _sh("网签合同信息", "商品房买卖合同网签备案信息:contract_filing_no,buyer_name,contract_price",
         "通过网签信息核验"),
      MARRIAGE_INFO), objects=ALL, result="契税完税信息")
_add("11405", "开具无欠税证明", GG,
     "《国家税务总局关于开具〈无欠税证明〉有关事项的公告》（国家税务总局公告2019年第47号）", _PCC, "city-tax", 0, 0,
     ("已实行实名办税的纳税人，查询时点不存在欠税",), (_lic("经办人居民身份证", "居民身份证"),), objects=ALL,
         result="无欠税证明")
_add("11406", "清税申报（注销税务登记）", QT,
     "《中华人民共和国税收征收管理法》第十六条；《中华人民共和国税收征收管理法实施细则》第十五条", _PCC,
     "city-tax", 20, 1,
     ("纳税人发生解散、破产、撤销等情形需要注销", "已结清应纳税款、滞纳金、罚款，缴销发票"),
     (_form("清税申报表"), BIZ_INFO), objects=MARKET, result="清税证明")
_add("11407", "纳税信用修复", QT,
     "《纳税信用管理办法（试行）》；《国家税务总局关于纳税信用修复有关事项的公告》", _PCC, "city-tax", 15, 5,
     ("纳税人纠正失信行为、消除不良影响", "在规定期限内申请"),
     (_form("纳税信用修复申请表"), BIZ_INFO), objects=MARKET, result="纳税信用修复结果")
_add("11408", "税收违法行为检举奖励", JL,
     "《中华人民共和国税收征收管理法》第十三条；《检举纳税人税收违法行为奖励暂行办法》", _PCC, "city-tax", 30, 20,
     ("实名检举，检举事项经查证属实并依法处理，税款已经查补入库",), (ID, BANK), result="检举奖励通知书")


# --- 自然资源、生态环境、水利、林业、农业农村 ---------------------------------------

_add("11501", "建设项目用地预审与选址意见书核发", XK,
     "《中华人民共和国土地管理法》第五十二条；《中华人民共和国城乡规划法》第三十六条", _PCC, "city-nr", 20, 10,
     ("以划拨方式提供国有土地使用权的建设项目，或需办理核准、审批的建设项目", "符合国土空间规划和用途管制要求"),
     (_form("建设项目用地预审与选址申请表"), _up("建设项目用地勘测定界图"), _up("项目建议书或项目申请报告")),
     objects=ORG, result="建设项目用地预审与选址意见书")
_add("11502", "建设用地规划许可证核发", XK,
     "《中华人民共和国城乡规划法》第三十七条、第三十八条", _PCC, "city-nr", 20, 5,
     ("已取得国有土地出让合同或划拨决定", "符合控制性详细规划"),
     (_form("建设用地规划许可申请表"), _up("国有建设用地使用权出让合同"), _up("建设项目批准、核准或备案文件")),
     objects=ORG, result="建设用地规划许可证")
_add("11503", "建设工程规划许可证核发", XK,
     "《中华人民共和国城乡规划法》第四十条", _PCC, "city-nr", 20, 5,
     ("在城市、镇规划区内进行建筑物、构筑物、道路、管线等工程建设", "建设工程设计方案符合控制性详细规划和规划条件"),
     (_form("建设工程规划许可申请表"), PROPERTY_INFO, _up("建设工程设计方案"), _up("建设工程总平面图")),
     objects=ORG, result="建设工程规划许可证")
_add("11504", "乡村建设规划许可证核发", XK,
     "《中华人民共和国城乡规划法》第四十一条", _CC, "city-nr", 20, 10,
     ("在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设以及农村村民住宅建设",),
     (_form("乡村建设规划许可申请表"), ID, _up("宅基地批准文件或用地证明"), _up("建设工程设计图")),
     objects=ALL, result="乡村建设规划许可证")
_add("11505", "土地权属争议行政裁决", CJ,
     "《中华人民共和国土地管理法》第十四条；《土地权属争议调查处理办法》", _CC, "city-nr", 180, 120,
     ("单位之间、个人之间、个人与单位之间发生土地所有权和使用权争议", "协商不成"),
     (_form("土地权属争议调查处理申请书"), ID, _up("土地权属来源证明及相关证据")),
     objects=ALL, result="土地权属争议处理决定书", visits=2)
_add("13301", "农村村民宅基地审批", XK,
     "《中华人民共和国土地管理法》第六十二条；《农业农村部 自然资源部关于规范农村宅基地审批管理的通知》", _X,
     "hanbin-gov", 20, 15,
     ("本集体经济组织成员，以户为单位申请，一户只能拥有一处宅基地", "符合乡镇国土空间规划和村庄规划",
      "出卖、出租、赠与住宅后再申请宅基地的，不予批准"),
     (_form("农村宅基地和建房（规划许可）申请表"), ID, HUKOU, _up("村民小组会议讨论通过的决议"),
         _up("农村宅基地使用承诺书")),
     result="农村宅基地批准书", visits=1,
     steps=("农户申请", "村级审查公示", "乡镇联审", "乡镇人民政府审批", "现场开工查验", "竣工验收"))
_add("11601", "建设项目环境影响报告书（表）审批", XK,
     "《中华人民共和国环境影响评价法》第二十二条", _PCC, "city-eco", 30, 15,
     ("建设项目依法应当编制环境影响报告书或报告表", "符合生态环境分区管控要求和相关规划环评"),
     (_form("建设项目环境影响评价文件审批申请表"), _up("环境影响报告书（表）"), _up("公众参与说明（报告书项目）",
         required=False)),
     objects=ORG, result="环境影响评价文件批复")
_add("11602", "建设项目环境影响登记表备案", BA,
     "《中华人民共和国环境影响评价法》第二十二条", _PCC, "city-eco", 0, 0,
     ("属于《建设项目环境影响评价分类管理名录》规定填报环境影响登记表的建设项目",),
     (_form("建设项目环境影响登记表（网上填报）"),), objects=ALL, result="建设项目环境影响登记表备案回执",
     channels=("建设项目环境影响登记表备案系统",))
_add("11603", "排污许可证核发", XK,
     "《排污许可管理条例》第三条、第十三条", _PCC, "city-eco", 20, 10,
     ("依法应当实行排污许可重点管理或简化管理的排污单位", "污染物排放符合排放标准和重点污染物排放总量控制要求"),
     (_form("排污许可证申请表"), BIZ_INFO, _up("自行监测方案"), _up("守法承诺书")),
     objects=ORG, result="排污许可证")
_add("11604", "环境违法行为举报奖励", JL,
     "《中华人民共和国环境保护法》第十一条；《关于实施生态环境违法行为举报奖励制度的指导意见》", _PCC, "city-eco", 30,
     20,
     ("举报的环境违法行为经查证属实并依法处理", "实名举报"), (ID, BANK), result="举报奖励决定")
_add("11701", "取水许可", XK,
     "《中华人民共和国水法》第七条、第四十八条；《取水许可和水资源费征收管理条例》", _PCC, "city-water", 45, 20,
     ("直接从江河、湖泊或者地下取用水资源", "取水符合水资源规划和用水总量控制指标"),
     (_form("取水许可申请书"), _up("建设项目水资源论证报告书（表）"), BIZ_INFO), objects=ALL, result="取水许可证")
_add("11702", "生产建设项目水土保持方案审批", XK,
     "《中华人民共和国水土保持法》第二十五条", _PCC, "city-water", 20, 10,
     ("在山区、丘陵区、风沙区以及水土保持规划确定的容易发生水土流失的其他区域开办生产建设项目",),
     (_form("水土保持方案审批申请表"), _up("水土保持方案报告书（表）")), objects=ORG, result="水土保持方案批复")
_add("11703", "河道管理范围内建设项目工程建设方案审批", XK,
     "《中华人民共和国水法》第三十八条；《中华人民共和国河道管理条例》第十一条", _PCC, "city-water", 20, 10,
     ("在河道管理范围内建设桥梁、码头、道路、渡口、管道、缆线、取水、排水等工程设施",),
     (_form("河道管理范围内建设项目申请书"), _up("防洪评价报告"), _up("工程设计方案")), objects=ORG,
     result="河道管理范围内建设项目审批意见")
_add("11704", "水事纠纷行政裁决", CJ,
     "《中华人民共和国水法》第五十六条、第五十七条", _CC, "city-water", 60, 45,
     ("单位之间、个人之间、单位与个人之间发生水事纠纷，协商不成",),
     (_form("水事纠纷裁决申请书"), ID, _up("纠纷事实及证据材料")), objects=ALL, result="水事纠纷处理决定书", visits=2)
_add("12001", "林木采伐许可证核发", XK,
     "《中华人民共和国森林法》第五十六条", _CC, "city-forestry", 20, 5,
     ("采伐林地上的林木（农村居民采伐自留地和房前屋后个人所有的零星林木除外）", "符合采伐限额"),
     (_form("林木采伐申请表"), ID, _up("林木权属证明"), _up("采伐作业设计", required=False,
         note="采伐蓄积15立方米以上的提供")),
     result="林木采伐许可证")
_add("12002", "林木林地权属争议行政裁决", CJ,
     "《中华人民共和国森林法》第二十二条", _CC, "city-forestry", 180, 120,
     ("单位之间、个人之间、个人与单位之间发生的林木所有权和林地使用权争议", "当事人协商不成"),
     (_form("林木林地权属争议处理申请书"), ID, _up("权属来源证明及证据材料")), objects=ALL,
     result="林木林地权属争议处理决定书", visits=2)
_add("12003", "使用林地审核", XK,
     "《中华人民共和国森林法》第三十七条、第三十八条", _PCC, "city-forestry", 20, 15,
     ("矿藏勘查、开采以及其他各类工程建设占用或临时使用林地", "符合林地保护利用规划"),
     (_form("使用林地申请表"), _up("使用林地可行性报告或林地现状调查表"), _up("用地单位资质证明或个人身份证明")),
     objects=ALL, result="使用林地审核同意书")
_add("11901", "农药经营许可", XK,
     "《农药管理条例》第二十四条、第二十五条", _CC, "city-agri", 20, 10,
     ("有具备农药和病虫害防治专业知识的经营人员", "有与其他商品以及饮用水水源、生活区域有效隔离的营业场所和仓储场所",
      "有进货查验、档案管理、安全防护、应急处置等制度"),
     (_form("农药经营许可证申请表"), BIZ, _up("经营人员学历或培训证明"), _up("营业场所和仓储场所地址、面积、平面图")),
     objects=MARKET, result="农药经营许可证", visits=1)
_add("11902", "兽药经营许可", XK,
     "《兽药管理条例》第二十二条", _CC, "city-agri", 30, 15,
     ("有与所经营的兽药相适应的兽药技术人员", "有与所经营的兽药相适应的营业场所、设备、仓库设施"),
     (_form("兽药经营许可证申请表"), BIZ, _up("兽药技术人员资格证明"), _up("营业场所、仓库平面图")),
     objects=MARKET, result="兽药经营许可证", visits=1)
_add("11903", "动物防疫条件合格证核发", XK,
     "《中华人民共和国动物防疫法》第二十四条、第二十五条", _CC, "city-agri", 15, 10,
     ("开办动物饲养场、隔离场所、屠宰加工场所、无害化处理场所", "场所位置与居民生活区、生活饮用水水源地等距离符合规定"),
     (_form("动物防疫条件审查申请表"), _up("场所地理位置图、各功能区布局平面图"), _up("动物防疫制度")), objects=ALL,
     result="动物防疫条件合格证", visits=1)
_add("11904", "农作物种子生产经营许可", XK,
     "《中华人民共和国种子法》第三十一条", _PCC, "city-agri", 20, 10,
     ("具有与种子生产经营相适应的生产经营设施、设备及专业技术人员",),
     (_form("农作物种子生产经营许可证申请表"), BIZ, _up("设施设备和技术人员证明")), objects=MARKET,
     result="农作物种子生产经营许可证")
_add("11905", "耕地地力保护补贴发放", JF,
     "《财政部 农业部关于全面推开农业“三项补贴”改革工作的通知》（财农〔2016〕26号）", _CC, "city-agri", 30, 30,
     ("拥有耕地承包权的种地农民", "耕地保持种植、未改变用途"),
     (ID, _sh("土地承包经营信息", "农村土地承包经营权信息:land_contract_cert_no,land_contractor_name,contracted_area",
              "通过土地承包经营信息核验"), BANK), result="耕地地力保护补贴（“一卡通”发放）",
     steps=("村级申报核实", "乡镇审核公示", "县级审定", "一卡通发放"))
_add("11906", "农机购置与应用补贴", JF,
     "《中华人民共和国农业机械化促进法》第二十七条", _PCC, "city-agri", 30, 15,
     ("从事农业生产的个人和农业生产经营组织", "购置列入补贴范围的农业机械"),
     (ID, _up("购机发票"), _up("机具铭牌和人机合影照片"), BANK), objects=("自然人", "农民专业合作社", "企业法人"),
     result="农机购置补贴", visits=1)
_add("11907", "农村土地承包经营权登记", QR,
     "《中华人民共和国农村土地承包法》第二十四条", _CC, "city-agri", 30, 20,
     ("以家庭承包方式取得农村土地承包经营权", "承包地块权属清楚、四至明确"),
     (HUKOU, _up("农村土地承包合同"), _up("承包地块示意图")), result="农村土地承包经营权证")


# --- 交通运输、文化旅游、商务、应急管理、城市管理 -----------------------------------

_add("11801", "道路旅客运输经营许可", XK,
     "《中华人民共和国道路运输条例》第八条、第十条", _PCC, "city-transport", 20, 10,
     ("有与其经营业务相适应并经检测合格的车辆", "有符合条件的驾驶人员", "有健全的安全生产管理制度"),
     (_form("道路旅客运输经营申请表"), BIZ, _up("拟投入车辆承诺书"), _up("驾驶人员从业资格证"),
         _up("安全生产管理制度文本")),
     objects=ENTERPRISE, result="道路运输经营许可证")
_add("11802", "道路货物运输经营许可", XK,
     "《中华人民共和国道路运输条例》第二十一条、第二十四条", _CC, "city-transport", 20, 5,
     ("使用总质量4500千克以上普通货运车辆从事经营", "有符合条件的驾驶人员和安全生产管理制度"),
     (_form("道路货物运输经营申请表"), BIZ, _up("驾驶人员从业资格证"), _up("安全生产管理制度文本")),
     objects=MARKET, result="道路运输经营许可证")
_add("11803", "网络预约出租汽车驾驶员证核发", XK,
     "《网络预约出租汽车经营服务管理暂行办法》第十四条、第十五条", _C, "city-transport", 20, 10,
     ("取得相应准驾车型机动车驾驶证并具有3年以上驾驶经历", "无交通肇事犯罪、危险驾驶犯罪记录，无吸毒、饮酒后驾驶记录",
      "经考试合格"),
     (ID, _DRIVING, _waived("无犯罪记录证明", "由交通运输部门向公安机关核查驾驶员背景，不再要求申请人提交")),
     result="网络预约出租汽车驾驶员证")
_add("11804", "经营性道路客货运输驾驶员从业资格证核发", XK,
     "《中华人民共和国道路运输条例》第九条、第二十二条", _PC, "city-transport", 10, 5,
     ("取得相应的机动车驾驶证", "年龄不超过60周岁", "经考试合格"),
     (ID, _DRIVING, _up("考试合格证明")), result="道路运输从业人员从业资格证")
_add("11805", "公路超限运输许可", XK,
     "《中华人民共和国公路法》第五十条；《超限运输车辆行驶公路管理规定》", _PCC, "city-transport", 5, 2,
     ("运输不可解体物品，车货总体外廓尺寸、总质量超过规定标准",),
     (_form("公路超限运输申请表"), _up("车辆行驶证"), _up("货物说明及护送方案", required=False)),
     objects=ALL, result="超限运输车辆通行证")
_add("12101", "营业性演出审批", XK,
     "《营业性演出管理条例》第十三条", _CC, "city-culture", 3, 2,
     ("演出举办单位具备相应资质", "演出内容不含《营业性演出管理条例》第二十五条禁止的内容"),
     (_form("营业性演出申请表"), _up("演出节目内容材料"), _up("演出场所合法使用证明")), objects=ORG,
         result="营业性演出批准文件")
_add("12102", "娱乐场所经营许可", XK,
     "《娱乐场所管理条例》第九条", _CC, "city-culture", 20, 10,
     ("已取得营业执照", "场所符合文化和旅游部门规定的设置要求"),
     (_form("娱乐经营许可申请表"), BIZ, _up("经营场所平面图及使用证明"), LEGAL_REP_ID), objects=MARKET,
     result="娱乐经营许可证", visits=1)
_add("12103", "互联网上网服务营业场所经营许可", XK,
     "《互联网上网服务营业场所管理条例》第七条、第十一条", _CC, "city-culture", 20, 10,
     ("有与其经营活动相适应并符合国家规定的消防安全条件的营业场所", "有健全、完善的信息网络安全管理制度和安全技术措施"),
     (_form("互联网上网服务营业场所经营许可申请表"), BIZ, _up("营业场所平面图"), _up("信息网络安全审核材料")),
     objects=MARKET, result="网络文化经营许可证", visits=1)
_add("12104", "旅行社业务经营许可", XK,
     "《中华人民共和国旅游法》第二十八条；《旅行社条例》第六条", _PC, "city-culture", 20, 10,
     ("有固定的经营场所和必要的营业设施", "有符合规定的管理人员和导游", "交纳旅游服务质量保证金"),
     (_form("旅行社业务经营许可申请书"), BIZ, _up("经营场所证明"), _up("营业设施证明")), objects=ENTERPRISE,
     result="旅行社业务经营许可证")
_add("12201", "单用途商业预付卡发卡企业备案", BA,
     "《单用途商业预付卡管理办法（试行）》第七条", _CC, "city-commerce", 0, 0,
     ("从事零售业、住宿和餐饮业、居民服务业的企业法人发行单用途预付卡", "自开展单用途卡业务之日起30日内备案"),
     (_form("单用途商业预付卡发卡企业备案表"), BIZ_INFO, _up("预付卡章程和资金存管协议")), objects=ENTERPRISE,
     result="单用途预付卡备案回执")
_add("12202", "再生资源回收经营者备案", BA,
     "《再生资源回收管理办法》第七条", _CC, "city-commerce", 0, 0,
     ("从事再生资源回收经营活动的企业和个体工商户", "自取得营业执照之日起30日内备案"),
     (_form("再生资源回收经营者备案登记表"), BIZ_INFO), objects=MARKET, result="再生资源回收经营者备案证明")
_add("12301", "危险化学品经营许可", XK,
     "《危险化学品安全管理条例》第三十三条、第三十五条", _CC, "city-emergency", 30, 15,
     ("有符合国家标准、行业标准的经营场所和储存设施", "从业人员经过专业技术培训并经考核合格",
      "有健全的安全管理规章制度和事故应急救援预案"),
     (_form("危险化学品经营许可证申请表"), BIZ, _up("经营场所、储存设施产权或租赁证明"), _up("安全管理制度和应急预案"),
      _up("主要负责人、安全管理人员安全资格证书")),
     objects=MARKET, result="危险化学品经营许可证", visits=1)
_add("12302", "烟花爆竹经营（零售）许可", XK,
     "《烟花爆竹安全管理条例》第十七条、第十九条", _CC, "city-emergency", 20, 10,
     ("主要负责人经过安全知识教育", "实行专店或专柜销售，设专人负责安全管理", "经营场所配备必要的消防器材"),
     (_form("烟花爆竹经营（零售）许可证申请书"), BIZ, _up("零售场所平面图和安全条件说明")), objects=MARKET,
     result="烟花爆竹经营（零售）许可证", visits=1)
_add("12303", "生产经营单位生产安全事故应急预案备案", BA,
     "《中华人民共和国安全生产法》第八十一条；《生产安全事故应急条例》第七条", _CC, "city-emergency", 5, 1,
     ("危险物品生产、经营、储存、运输单位，矿山、金属冶炼、城市轨道交通运营、建筑施工单位等",),
     (_form("生产经营单位生产安全事故应急预案备案申报表"), _up("应急预案评审或论证意见"), _up("应急预案电子文档")),
     objects=ENTERPRISE, result="应急预案备案登记表")
_add("12304", "安全生产举报奖励", JL,
     "《中华人民共和国安全生产法》第七十六条；《安全生产领域举报奖励办法》", _PCC, "city-emergency", 30, 15,
     ("举报重大事故隐患或安全生产违法行为，经核查属实",), (ID, BANK), result="举报奖励决定")
_add("12305", "受灾人员冬春生活救助", JF,
     "《自然灾害救助条例》第二十一条", _CC, "city-emergency", 30, 20,
     ("因自然灾害造成冬令春荒期间口粮、饮水、衣被、取暖等基本生活困难的受灾人员",),
     (ID, _form("冬春救助申请表")), result="冬春生活救助", steps=("个人申请或村（居）委会提名", "民主评议公示",
         "审核", "发放"))
_add("12401", "户外广告设施设置审批", XK,
     "《城市市容和环境卫生管理条例》第十一条", _CC, "city-urban", 10, 5,
     ("设置户外广告设施和大型招牌，符合户外广告设置规划", "设施结构安全，不影响市容和交通"),
     (_form("户外广告设施设置申请表"), BIZ_INFO, _up("设置效果图和设计方案"), _up("设置场地使用权证明")),
     objects=MARKET, result="户外广告设施设置许可决定书")
_add("12402", "城市建筑垃圾处置核准", XK,
     "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第101项；《城市建筑垃圾管理规定》",
     _CC,
     "city-urban", 20, 5,
     ("有消纳场所的证明文件、有合法的运输单位和运输车辆", "有建筑垃圾分类处置方案"),
     (_form("建筑垃圾处置核准申请表"), _up("建筑垃圾处置方案"), _up("消纳场所证明"), _up("运输合同")), objects=ALL,
     result="建筑垃圾处置核准证")
_add("12403", "挖掘城市道路审批", XK,
     "《城市道路管理条例》第三十条、第三十三条", _CC, "city-urban", 10, 3,
     ("因工程建设需要挖掘城市道路", "已取得规划部门批准文件（需要的）"),
     (_form("挖掘城市道路申请表"), _up("施工方案和交通组织方案")), objects=ALL, result="挖掘城市道路许可证")
_add("12404", "临时占用城市道路审批", XK,
     "《城市道路管理条例》第三十一条", _CC, "city-urban", 10, 3,
     ("因特殊情况需要临时占用城市道路", "占用期间不影响交通和行人安全"),
     (_form("临时占用城市道路申请表"), ID, _up("占用位置平面图")), objects=ALL, result="临时占用城市道路许可证")
_add("12405", "城市绿化树木迁移、砍伐审批", XK,
     "《城市绿化条例》第二十条", _CC, "city-urban", 15, 5,
     ("因工程建设、树木严重影响居住安全等确需迁移或砍伐城市树木",),
     (_form("树木迁移、砍伐申请表"), _up("树木现状照片及位置图"), _up("补植方案")), objects=ALL,
         result="树木迁移砍伐许可决定")


# --- 教育、退役军人、司法、财政、发展改革、审批服务、气象、科技、民族宗教 --------------------

_add("12501", "义务教育阶段新生入学登记", GG,
     "《中华人民共和国义务教育法》第十二条", _CC, "city-edu", 20, 20,
     ("适龄儿童、少年（当年8月31日前年满6周岁）", "按学区划分就近入学；随迁子女凭居住证等材料在居住地入学"),
     (_lic("监护人居民身份证", "居民身份证"), HUKOU, PROPERTY_INFO,
      _up("居住证及房屋租赁合同", required=False, note="随迁子女提供")), result="入学通知",
     steps=("网上报名", "资格审核", "学位分配", "发放入学通知"), hours="每年7月招生报名期间")
_add("12502", "中小学生转学", GG,
     "《中小学生学籍管理办法》（教基一〔2013〕7号）", _CC, "city-edu", 10, 5,
     ("因户籍迁移、家庭住址变动等原因需转学", "转入学校有学位"),
     (_form("中小学生转学申请表"), _sh("学籍信息", "中小学学生学籍信息:student_no,name,school_name,grade",
         "通过学籍系统核验"),
      _lic("监护人居民身份证", "居民身份证")), result="转学联系回执")
_add("12503", "教师资格认定", XK,
     "《中华人民共和国教师法》第十三条；《教师资格条例》第十三条", _CC, "city-edu", 30, 20,
     ("具备《教师法》规定的相应学历", "中小学教师资格考试合格", "普通话水平达到二级乙等以上，身体健康"),
     (ID, _up("学历证书", note="学历信息可通过学信网联网核验"), _up("体检合格证明"),
      _up("普通话水平测试等级证书", note="已联网核验的免于提交"), PHOTO_WAIVED),
     result="教师资格证书", visits=0)
_add("12504", "民办学校办学许可", XK,
     "《中华人民共和国民办教育促进法》第十二条、第十八条", _CC, "city-edu", 90, 60,
     ("举办者具有政治权利和完全民事行为能力", "有符合规定的办学场所、设施设备和师资", "有合法的办学资金来源"),
     (_form("民办学校设立申请书"), _up("办学章程和首届理事会、董事会组成人员名单"), _up("资产来源和资金数额证明"),
      _up("校长、教师和财会人员资格证明")), objects=ORG, result="民办学校办学许可证", visits=2)
_add("12505", "普通高中国家助学金发放", JF,
     "《学生资助资金管理办法》（财教〔2021〕310号）", _CC, "city-edu", 30, 30,
     ("具有正式学籍的普通高中在校生中的家庭经济困难学生",),
     (_form("家庭经济困难学生认定申请表"), _sh("学籍信息", "中小学学生学籍信息:student_no,name,school_name",
         "通过学籍系统核验")),
     result="国家助学金", steps=("学生申请", "学校认定公示", "教育部门审核", "发放"))
_add("12506", "高等教育自学考试毕业证书申领", GG,
     "《高等教育自学考试暂行条例》", _PC, "city-edu-exam", 60, 60,
     ("所考课程全部合格，思想品德鉴定合格",), (ID, _form("毕业申请表")), result="高等教育自学考试毕业证书")
_add("12601", "义务兵家庭优待金给付", JF,
     "《军人抚恤优待条例》；《中华人民共和国兵役法》", _X, "hanbin-gov", 30, 20,
     ("义务兵服现役期间，其家庭由批准入伍地县级人民政府发给优待金",),
     (ID, _sh("入伍信息", "退役军人基本信息:id_number,name,enlist_date", "通过兵役信息核验"), BANK),
         result="义务兵家庭优待金")
_add("12602", "退役军人优待证申领", GG,
     "《中华人民共和国退役军人保障法》；《退役军人、其他优抚对象优待证管理办法（试行）》", _CC, "city-veterans", 30, 20,
     ("退役军人和其他优抚对象",),
     (_sh("退役军人信息", "退役军人基本信息:id_number,name,discharge_date,discharge_type", "通过退役军人信息核验"),
         PHOTO_WAIVED),
     result="中华人民共和国退役军人优待证")
_add("12603", "残疾等级评定（退役军人）", QR,
     "《军人抚恤优待条例》；《伤残抚恤管理办法》", _PC, "city-veterans", 60, 45,
     ("退役军人因战、因公致残，未评定或需调整残疾等级",),
     (_form("评定、调整伤残等级申请表"), ID, _up("致残时的原始医疗证明")), result="伤残等级评定结论", visits=2)
_add("12604", "优抚对象丧葬补助费发放", JF,
     "《军人抚恤优待条例》", _CC, "city-veterans", 20, 10,
     ("享受定期抚恤补助的优抚对象死亡", "由其家属申领"),
     (DEATH_CANCEL, _sh("优抚对象信息", "优抚对象抚恤补助信息:pension_record_no,id_number,name,preferential_type",
         "通过优抚信息核验"),
      _lic("家属居民身份证", "居民身份证"), BANK), result="丧葬补助费")
_add("12701", "法律援助申请", GG,
     "《中华人民共和国法律援助法》第三十一条、第四十三条", _CC, "city-justice", 7, 3,
     ("因经济困难没有委托代理人的当事人", "申请事项属于法律援助范围；特定人群免予经济困难审查"),
     (_form("法律援助申请表"), ID, _up("与所申请法律援助事项有关的材料"),
      _waived("经济困难证明",
          "《中华人民共和国法律援助法》第四十一条：申请人如实说明经济困难状况，由法律援助机构通过信息共享查验，"
          "免于开具证明")),
     result="给予法律援助决定书")
_add("12801", "政府采购投诉处理", CJ,
     "《中华人民共和国政府采购法》第五十五条、第五十六条；《政府采购质疑和投诉办法》", _PCC, "city-finance", 30, 30,
     ("供应商对质疑答复不满意或采购人、采购代理机构未在规定时间内答复", "在答复期满后15个工作日内投诉"),
     (_form("投诉书"), BIZ_INFO, _up("质疑函及质疑答复"), _up("证据材料")), objects=MARKET, result="投诉处理决定书",
         visits=1)
_add("12802", "代理记账机构审批", XK,
     "《中华人民共和国会计法》第三十六条；《代理记账管理办法》第三条、第五条", _CC, "city-finance", 10, 5,
     ("为依法设立的企业", "专职从业人员不少于3名，主管代理记账业务的负责人具有会计师以上专业技术职务资格",
         "有健全的代理记账业务内部规范"),
     (_form("代理记账资格申请表"), BIZ_INFO, _up("从业人员及负责人资格证明"), _up("代理记账业务内部规范")),
     objects=ENTERPRISE, result="代理记账许可证书")
_add("12901", "企业投资项目核准", XK,
     "《企业投资项目核准和备案管理条例》第三条、第九条；《政府核准的投资项目目录》", _PCC, "city-approval", 20, 10,
     ("属于《政府核准的投资项目目录》范围的企业投资项目", "项目符合国家产业政策和国土空间规划"),
     (_form("项目申请书"), BIZ_INFO, _up("用地预审与选址意见书"), _up("法律法规规定的其他前置审批文件")),
     objects=ENTERPRISE, result="项目核准文件")
_add("12902", "企业投资项目备案", BA,
     "《企业投资项目核准和备案管理条例》第三条、第十三条", _PCC, "city-approval", 0, 0,
     ("《政府核准的投资项目目录》以外的企业投资项目", "在开工建设前通过投资项目在线审批监管平台备案"),
     (_form("企业投资项目备案信息（在线填报）"), BIZ_INFO), objects=ENTERPRISE, result="项目备案证明",
     channels=("全国投资项目在线审批监管平台（陕西）",))
_add("12903", "政府投资项目可行性研究报告审批", XK,
     "《政府投资条例》第九条、第十一条", _PCC, "city-ndrc", 20, 10,
     ("使用预算安排资金的政府投资项目",),
     (_form("可行性研究报告审批申请"), _up("可行性研究报告"), _up("用地预审与选址意见书"), _up("社会稳定风险评估报告")),
     objects=ORG, result="可行性研究报告批复")
_add("12904", "固定资产投资项目节能审查", XK,
     "《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》", _PCC, "city-ndrc", 20, 10,
     ("年综合能源消费量1000吨标准煤以上（或年电力消费量500万千瓦时以上）的固定资产投资项目",),
     (_form("节能审查申请"), _up("节能报告")), objects=ORG, result="节能审查意见")
_add("13001", "雷电防护装置设计审核", XK,
     "《中华人民共和国气象法》第三十一条；《气象灾害防御条例》第二十三条", _PCC, "city-meteo", 20, 5,
     ("油库、气库、弹药库、化学品仓库、民用爆炸物品等易燃易爆建设工程和场所，雷电易发区的项目",),
     (_form("雷电防护装置设计审核申请书"), _up("雷电防护装置设计说明书和图纸")), objects=ORG,
     result="雷电防护装置设计核准意见书")
_add("13002", "雷电防护装置竣工验收", XK,
     "《中华人民共和国气象法》第三十一条；《气象灾害防御条例》第二十三条", _PCC, "city-meteo", 10, 5,
     ("雷电防护装置设计已经审核同意并施工完毕",),
     (_form("雷电防护装置竣工验收申请书"), _up("雷电防护装置检测报告"), _up("竣工图纸")), objects=ORG,
     result="雷电防护装置验收意见书", visits=1)
_add("13101", "科技型中小企业评价入库", GG,
     "《科技型中小企业评价办法》（国科发政〔2017〕115号）", _PCC, "city-sci", 20, 20,
     ("在中国境内注册的居民企业，职工总数不超过500人、年销售收入不超过2亿元", "科技人员、研发投入等指标符合评价标准"),
     (BIZ_INFO, _form("科技型中小企业信息表（在线填报）")), objects=ENTERPRISE, result="科技型中小企业入库登记编号")
_add("13102", "安康市科学技术奖评审", JL,
     "《中华人民共和国科学技术进步法》；《陕西省科学技术奖励办法》", _C, "city-sci", 120, 120,
     ("在科学研究、技术创新和成果转化中作出突出贡献的个人和组织", "成果已应用并取得显著效益"),
     (_form("科学技术奖推荐书"), _up("成果评价或应用证明"), _up("知识产权证明")), objects=ALL,
         result="安康市科学技术奖证书",
     steps=("推荐", "形式审查", "专家评审", "公示", "市政府批准授奖"))
_add("13201", "宗教活动场所登记", XK,
     "《宗教事务条例》第二十二条、第二十三条", _PCC, "city-ethnic", 30, 20,
     ("宗教活动场所经批准筹备并建设完工", "有拟主持的宗教教职人员和管理组织、管理制度"),
     (_form("宗教活动场所登记申请表"), _up("管理组织成员名单和管理制度"), _up("场所产权或使用权证明")), objects=ORG,
     result="宗教活动场所登记证", visits=1)


# ---------------------------------------------------------------------------
# County implementations (三级四同: the same basic item; only 承诺时限, 收费 and 材料 may differ)
# ---------------------------------------------------------------------------

_FIRST: Final[dict[str, Implementation]] = {}
for _impl in _IMPL:
    _FIRST.setdefault(_impl.basic_code, _impl)


def _county(name: str, county_key: str, **changes: object) -> None:
    """Implement an item in another county through that county's department of the same kind."""
    first = _FIRST[_BY_NAME[name]]
    kind = first.department_code.split("-", 1)[1]
    dept = f"{county_key}-{kind}"
    _IMPL.append(replace(
        first, department_code=dept, region_code=_DEPTS[dept].region_code, consult_phone=_phone(dept),
        place=_place(dept), **changes,  # type: ignore[arg-type]
    ))


def _with(name: str, *extra: Material) -> tuple[Material, ...]:
    return _FIRST[_BY_NAME[name]].materials + extra


def _without(name: str, material_name: str) -> tuple[Material, ...]:
    return tuple(m for m in _FIRST[_BY_NAME[name]].materials if m.name != material_name)


_county("个体工商户设立登记", "xunyang")
_county("个体工商户设立登记", "pingli", fee="不收费；营业执照免费寄递到家")
_county("个体工商户设立登记", "ziyang")
_county("个体工商户注销登记", "xunyang")
_county("个体工商户注销登记", "pingli")
_county("仅销售预包装食品备案", "shiquan")
_county("仅销售预包装食品备案", "xunyang")
_county("食品经营许可", "xunyang", promised_days=3)
_county("食品经营许可", "pingli")
_county("食品经营许可", "ziyang", promised_days=7,
        materials=_with("食品经营许可", _up("经营场所内外景照片", note="紫阳县要求提交，用于现场核查前的预审")))
_county("城乡居民基本养老保险参保登记", "xunyang")
_county("城乡居民基本养老保险参保登记", "pingli")
_county("城乡居民基本养老保险待遇申领", "xunyang", promised_days=5)
_county("城乡居民基本养老保险待遇申领", "ziyang", promised_days=15)
_county("城乡居民基本养老保险待遇申领", "pingli")
_county("内地居民结婚登记", "xunyang")
_county("内地居民结婚登记", "pingli")
_county("内地居民结婚登记", "ziyang")
_county("内地居民离婚登记", "xunyang")
_county("最低生活保障审核确认", "xunyang", promised_days=15)
_county("最低生活保障审核确认", "pingli",
        materials=_with("最低生活保障审核确认", _up("家庭成员务工收入情况说明", note="平利县要求有务工人员的家庭提交")))
_county("最低生活保障审核确认", "ziyang")
_county("临时救助", "ziyang", promised_days=3)
_county("临时救助", "xunyang")
_county("高龄津贴发放", "pingli", promised_days=5)
_county("高龄津贴发放", "xunyang")
_county("困难残疾人生活补贴和重度残疾人护理补贴", "ziyang", promised_days=15)
_county("困难残疾人生活补贴和重度残疾人护理补贴", "xunyang")
_county("农村村民宅基地审批", "xunyang", promised_days=10)
_county("农村村民宅基地审批", "ziyang",
        materials=_with("农村村民宅基地审批", _up("农房设计图或通用图选用说明", note="紫阳县要求提交")))
_county("农村村民宅基地审批", "pingli",
        materials=(*_without("农村村民宅基地审批", "村民小组会议讨论通过的决议"),
            _waived("村民小组会议讨论通过的决议", "平利县实行村级审查“一表通办”，由村委会在申请表签署意见代替")))

# ---------------------------------------------------------------------------
# Materials produced by another member item: "name:<item name>" → basic code
# ---------------------------------------------------------------------------


def _resolve(material: Material) -> Material:
    if material.source == "bundle" and material.ref.startswith("name:"):
        return replace(material, ref=_BY_NAME[material.ref.removeprefix("name:")])
    return material


BASIC_ITEMS: Final[tuple[BasicItem, ...]] = tuple(_BASIC)
IMPLEMENTATIONS: Final[tuple[Implementation, ...]] = tuple(
    replace(impl, materials=tuple(_resolve(m) for m in impl.materials)) for impl in _IMPL
)
REFERENCED_LICENCE_TYPES: Final[tuple[str, ...]] = tuple(sorted(
    {m.ref for impl in IMPLEMENTATIONS for m in impl.materials if m.source == "licence"}
    | {impl.licence_type for impl in IMPLEMENTATIONS if impl.licence_type}
))

# ---------------------------------------------------------------------------
# Bundles (一件事一次办)
# ---------------------------------------------------------------------------


def _m(name: str, condition: Condition | None = None) -> BundleMember:
    return BundleMember(_BY_NAME[name], condition)


_COMPANY = Condition("entity_form", "==", "公司", "以公司形式开办")
_INDIVIDUAL = Condition("entity_form", "==", "个体工商户", "以个体工商户形式开办")
_HAS_HPF = Condition("has_housing_fund", "==", True, "缴存了住房公积金")

BUNDLES: Final[tuple[Bundle, ...]] = (
    Bundle("YJS001", "新生儿出生一件事", "生育", "person", "city-health", (
        _m("出生医学证明办理"),
        _m("预防接种证办理"),
        _m("出生登记"),
        _m("城乡居民基本医疗保险参保登记"),
        _m("社会保障卡申领"),
        _m("生育津贴申领", Condition("mother_employee_insured", "==", True, "母亲参加了职工基本医疗保险（生育保险）")),
        _m("生育登记", Condition("birth_registered", "==", False, "孕期尚未办理生育登记")),
    ), "宝宝出生后，父母在出生医院或“秦务员”APP 填写一张表，即可同时办理出生医学证明、预防接种证、户口登记、"
       "城乡居民医保参保和社会保障卡申领；母亲参加职工生育保险的，生育津贴一并申请。出生医学证明、户籍信息在部门间"
       "自动流转，无需重复提交。建议在宝宝出生后一个月内办理户口登记，90日内参保缴费可从出生之日起享受医保待遇。"),
    Bundle("YJS002", "开办餐饮店一件事", "开办", "enterprise", "city-amr", (
        _m("个体工商户设立登记", _INDIVIDUAL),
        _m("内资企业设立登记", _COMPANY),
        _m("食品经营许可"),
        _m("公章刻制备案", _COMPANY),
        _m("户外广告设施设置审批", Condition("outdoor_sign", "==", True, "设置户外招牌或广告设施")),
        _m("城镇污水排入排水管网许可", Condition("in_sewer_area", "==", True, "经营场所位于城镇排水管网覆盖区域")),
        _m("建设工程消防验收备案", Condition("floor_area", ">", 300, "经营场所建筑面积超过300平方米且需要装饰装修")),
    ), "开饭店、小吃店、奶茶店等餐饮店，一次申请即可办理营业执照、食品经营许可，并根据门店情况一并办理户外招牌设置、"
       "排水许可和装修工程消防验收备案。营业执照作为电子证照自动用于后续许可，经营场所实行申报承诺制。"
       "食品经营许可须现场核查的，审批部门一次上门完成。"),
    Bundle("YJS003", "企业开办一件事", "开办", "enterprise", "city-amr", (
        _m("内资企业设立登记"),
        _m("公章刻制备案"),
        _m("发票领用"),
        _m("单位参保登记"),
        _m("住房公积金单位缴存登记"),
        _m("职工参保登记", Condition("has_employees", "==", True, "已招用员工")),
    ), "开办企业“一表填报、一网通办”：营业执照、公章刻制、发票领用（数电发票）、社保登记、公积金缴存登记同步办理，"
       "全程网办、1个工作日内办结，免费刻制首套印章、免费寄递执照和印章。", "all_must_decide"),
    Bundle("YJS004", "退休一件事", "养老", "person", "city-social-insurance", (
        _m("职工正常退休（职）申请"),
        _m("企业职工基本养老保险待遇申领"),
        _m("住房公积金离休、退休提取", _HAS_HPF),
        _m("老年人优待证办理", Condition("age", ">=", 60, "年满60周岁")),
    ), "职工达到法定退休年龄前，由单位或本人一次申请，同步完成退休审批、养老金核定和发放，住房公积金可一并提取销户。"
       "缴费记录、档案信息在部门间共享，无需另行打印参保证明。"),
    Bundle("YJS005", "身后一件事", "身后事", "person", "city-civil", (
        _m("居民死亡医学证明（推断）书签发"),
        _m("死亡户口注销"),
        _m("基本殡葬服务费用减免"),
        _m("丧葬补助金、抚恤金申领", Condition("pension_scheme", "==", "企业职工基本养老保险",
            "逝者参加企业职工基本养老保险")),
        _m("个人账户一次性待遇申领", Condition("pension_scheme", "==", "企业职工基本养老保险",
            "逝者参加企业职工基本养老保险")),
        _m("城乡居民基本养老保险注销登记", Condition("pension_scheme", "==", "城乡居民基本养老保险",
            "逝者参加城乡居民基本养老保险")),
        _m("住房公积金死亡（继承）提取", _HAS_HPF),
        _m("不动产继承转移登记", Condition("has_real_estate", "==", True, "逝者名下有不动产")),
        _m("优抚对象丧葬补助费发放", Condition("entitled_group", "==", True, "逝者为享受定期抚恤补助的优抚对象")),
    ), "家人离世后，家属在殡仪馆或政务服务中心一个窗口即可办理户口注销、殡葬费用减免、养老保险待遇停发和丧葬补助金、"
       "抚恤金申领，住房公积金和不动产继承可一并预约。死亡医学证明、火化信息在部门间共享，家属无需多头跑。"),
    Bundle("YJS006", "二手房转移登记一件事", "住房", "person", "city-bdc", (
        _m("国有建设用地使用权及房屋所有权转移登记"),
        _m("契税申报"),
        _m("抵押权注销登记", Condition("seller_mortgaged", "==", True, "出售的房屋尚有抵押")),
        _m("抵押权首次登记", Condition("loan_type", "in", ("商业贷款", "组合贷款"), "购房人申请商业贷款或组合贷款")),
        _m("住房公积金个人住房贷款", Condition("loan_type", "in", ("公积金贷款", "组合贷款"),
            "购房人申请公积金贷款或组合贷款")),
        _m("住房公积金购房提取", Condition("withdraw_housing_fund", "==", True, "购房人提取住房公积金支付房款")),
        _m("户口迁入登记", Condition("move_hukou", "==", True, "购房人需要将户口迁入新居")),
    ), "买卖二手房，“交易+登记+缴税”一窗受理、当场缴税，转移登记3个工作日内办结；卖方有抵押的可“带押过户”，"
       "买方贷款、提取公积金和户口迁入可一并申请。水、电、气、网络过户由登记中心同步推送给公用企业。"),
    Bundle("YJS007", "残疾人服务一件事", "残疾", "person", "city-civil", (
        _m("困难残疾人生活补贴和重度残疾人护理补贴"),
        _m("最低生活保障审核确认", Condition("income_below_standard", "==", True, "家庭月人均收入低于当地低保标准")),
        _m("城乡居民基本养老保险参保登记", Condition("age", ">=", 16, "年满16周岁且未参加职工养老保险")),
        _m("医疗救助", Condition("income_below_standard", "==", True, "家庭月人均收入低于当地低保标准")),
    ), "持第二代残疾人证的残疾人，一次申请即可办理两项补贴，并根据家庭情况同步申请低保、医疗救助；重度残疾人"
       "参加城乡居民养老保险的，由政府按最低档次代缴保费。残疾人证、户籍信息通过数据共享核验。"),
    Bundle("YJS008", "员工录用一件事", "用工", "enterprise", "city-hrss", (
        _m("就业登记"),
        _m("职工参保登记"),
        _m("职工基本医疗保险参保登记"),
        _m("住房公积金个人账户设立", Condition("hpf_established", "==", True, "单位已建立住房公积金制度")),
    ), "企业招用员工后，一次填报员工信息，即可同时办理就业登记、社会保险参保和医保参保，已建立公积金制度的单位"
       "同步设立职工住房公积金个人账户。"),
    Bundle("YJS009", "教育入学一件事", "教育", "person", "city-edu", (
        _m("义务教育阶段新生入学登记"),
        _m("居住证申领", Condition("is_migrant_child", "==", True, "随迁子女（非本地户籍）")),
        _m("户口迁入登记", Condition("move_hukou", "==", True, "需要将孩子户口迁入学区住房")),
    ), "孩子上小学、初中，网上一次报名，户籍、房产、居住证、学籍信息由教育部门通过数据共享核验，不再要求家长"
       "开具证明、提交复印件。随迁子女家长可同时申领居住证。"),
    Bundle("YJS010", "企业注销一件事", "注销", "enterprise", "city-amr", (
        _m("清税申报（注销税务登记）"),
        _m("内资企业注销登记", Condition("simple_cancel", "==", False, "不适用简易注销")),
        _m("企业简易注销登记", Condition("simple_cancel", "==", True, "未发生债权债务或已清偿完结，适用简易注销")),
    ), "企业不再经营，通过企业注销“一网服务”平台一次提交，清税与注销登记同步办理，无债权债务的企业适用简易注销，"
       "公示期满即可办结。"),
)

# ---------------------------------------------------------------------------
# Events and high-frequency items
# ---------------------------------------------------------------------------


def _codes(*names: str) -> tuple[str, ...]:
    return tuple(_BY_NAME[name] for name in names)


LIFE_EVENTS: Final[dict[str, tuple[str, ...]]] = {
    "生育": _codes("出生医学证明办理", "出生医学证明补发、换发", "生育登记", "出生登记", "预防接种证办理",
                 "生育津贴申领", "收养登记", "母婴保健技术服务执业许可"),
    "教育": _codes("义务教育阶段新生入学登记", "中小学生转学", "普通高中国家助学金发放", "高等教育自学考试毕业证书申领",
                 "教师资格认定", "校车使用许可"),
    "就业": _codes("失业登记", "就业登记", "《就业创业证》申领", "失业保险金申领", "创业担保贷款申请",
                 "灵活就业人员社会保险补贴申领", "职业培训补贴申领", "一次性创业补贴申领", "高校毕业生求职创业补贴申领",
                 "流动人员人事档案接收", "人才引进落户", "技能提升补贴申领", "专业技术人员职称评审",
                 "劳动人事争议仲裁", "工伤认定", "劳动能力鉴定", "工伤保险待遇核定支付", "无犯罪记录证明开具",
                 "医师执业注册", "护士执业注册", "特种设备安全管理和作业人员资格认定",
                 "经营性道路客货运输驾驶员从业资格证核发", "网络预约出租汽车驾驶员证核发"),
    "婚姻": _codes("内地居民结婚登记", "内地居民离婚登记", "补领婚姻登记证", "收养登记"),
    "住房": _codes("国有建设用地使用权及房屋所有权转移登记", "新建商品房转移登记", "预购商品房预告登记",
    "抵押权首次登记",
                 "抵押权注销登记", "不动产登记资料查询", "不动产权证书补证、换证", "宅基地使用权及房屋所有权首次登记",
                 "商品房买卖合同网签备案", "契税申报", "住房公积金购房提取", "住房公积金租房提取",
                 "住房公积金个人住房贷款", "住房公积金异地转移接续", "住房公积金缴存证明开具",
                 "公共租赁住房保障资格申请",
                 "城镇住房保障家庭租赁补贴", "住宅室内装饰装修登记", "农村村民宅基地审批", "乡村建设规划许可证核发"),
    "社保": _codes("城乡居民基本养老保险参保登记", "社会保障卡申领", "社会保障卡补领、换领", "社会保障卡挂失",
                 "社会保险个人权益记录查询打印", "基本养老保险关系转移接续", "职工参保登记",
                 "城乡居民基本医疗保险参保登记",
                 "职工基本医疗保险参保登记", "基本医疗保险关系转移接续"),
    "医疗": _codes("异地就医备案", "门诊慢特病待遇认定", "医疗费用手工（零星）报销", "医疗救助", "生育津贴申领",
                 "无偿献血者表彰奖励"),
    "养老": _codes("职工正常退休（职）申请", "企业职工基本养老保险待遇申领", "城乡居民基本养老保险待遇申领",
                 "养老保险待遇领取资格认证", "住房公积金离休、退休提取", "高龄津贴发放", "老年人优待证办理"),
    "残疾": _codes("困难残疾人生活补贴和重度残疾人护理补贴", "残疾等级评定（退役军人）", "特困人员救助供养"),
    "出行": _codes("机动车驾驶证换证", "机动车驾驶证补证", "机动车注册登记", "机动车转移登记", "机动车检验合格标志核发",
                 "普通护照签发", "往来港澳通行证及签注签发", "异地就医备案"),
    "身后事": _codes("居民死亡医学证明（推断）书签发", "死亡户口注销", "基本殡葬服务费用减免", "丧葬补助金、抚恤金申领",
                   "个人账户一次性待遇申领", "城乡居民基本养老保险注销登记", "住房公积金死亡（继承）提取",
                   "不动产继承转移登记", "优抚对象丧葬补助费发放"),
    "户籍证件": _codes("出生登记", "户口迁入登记", "人才引进落户", "居民身份证首次申领", "居民身份证换领",
                   "居民身份证补领", "临时居民身份证申领", "居住证申领", "姓名变更登记", "死亡户口注销"),
    "社会救助": _codes("最低生活保障审核确认", "特困人员救助供养", "临时救助", "孤儿基本生活保障金给付",
                   "事实无人抚养儿童认定", "医疗救助", "受灾人员冬春生活救助", "计划生育家庭特别扶助金给付",
                   "农村部分计划生育家庭奖励扶助金给付"),
    "退役军人": _codes("义务兵家庭优待金给付", "退役军人优待证申领", "残疾等级评定（退役军人）",
    "优抚对象丧葬补助费发放"),
    "农业农村": _codes("农村村民宅基地审批", "耕地地力保护补贴发放", "农机购置与应用补贴", "农村土地承包经营权登记",
                   "林木采伐许可证核发", "宅基地使用权及房屋所有权首次登记"),
    "法律服务与维权": _codes("法律援助申请", "消费者投诉处理", "劳动人事争议仲裁", "土地权属争议行政裁决",
                      "林木林地权属争议行政裁决", "水事纠纷行政裁决", "食品安全违法行为举报奖励",
                      "医疗保障基金违法违规行为举报奖励", "税收违法行为检举奖励", "环境违法行为举报奖励",
                      "安全生产举报奖励"),
    "纳税缴费": _codes("个人所得税综合所得汇算清缴", "契税申报", "开具无欠税证明"),
}

BUSINESS_EVENTS: Final[dict[str, tuple[str, ...]]] = {
    "开办": _codes("内资企业设立登记", "个体工商户设立登记", "农民专业合作社设立登记", "公章刻制备案", "发票领用",
                 "单位参保登记", "住房公积金单位缴存登记", "社会团体成立登记", "民办非企业单位成立登记",
                 "一次性创业补贴申领", "创业担保贷款申请"),
    "经营": _codes("食品经营许可", "仅销售预包装食品备案", "食品生产许可", "药品零售企业许可", "第二类医疗器械经营备案",
                 "第三类医疗器械经营许可", "特种设备使用登记", "股权出质登记", "企业年度报告公示", "移出经营异常名录",
                 "专利侵权纠纷行政裁决", "娱乐场所治安备案", "旅馆业特种行业许可", "大型群众性活动安全许可",
                 "公共场所卫生许可", "医疗机构执业登记", "医疗保障定点医药机构确定", "燃气经营许可",
                 "城镇污水排入排水管网许可", "人力资源服务许可", "人力资源服务备案", "劳务派遣经营许可",
                 "企业实行不定时工作制和综合计算工时工作制审批", "增值税专用发票最高开票限额审批", "纳税信用修复",
                 "道路旅客运输经营许可", "道路货物运输经营许可", "公路超限运输许可", "营业性演出审批",
                 "娱乐场所经营许可",
                 "互联网上网服务营业场所经营许可", "旅行社业务经营许可", "单用途商业预付卡发卡企业备案",
                 "再生资源回收经营者备案", "危险化学品经营许可", "烟花爆竹经营（零售）许可",
                 "生产经营单位生产安全事故应急预案备案", "户外广告设施设置审批", "农药经营许可", "兽药经营许可",
                 "动物防疫条件合格证核发", "农作物种子生产经营许可", "排污许可证核发", "取水许可", "代理记账机构审批",
                 "科技型中小企业评价入库", "安康市科学技术奖评审", "政府采购投诉处理", "慈善组织认定",
                 "慈善组织公开募捐资格审核", "养老机构备案", "宗教活动场所登记", "失业保险稳岗返还",
                 "开具无欠税证明"),
    "变更": _codes("内资企业变更登记", "个体工商户变更登记"),
    "工程建设": _codes("建设项目用地预审与选址意见书核发", "建设用地规划许可证核发", "建设工程规划许可证核发",
                   "建筑工程施工许可", "特殊建设工程消防设计审查", "特殊建设工程消防验收", "建设工程消防验收备案",
                   "房屋建筑和市政基础设施工程竣工验收备案", "国有建设用地使用权及房屋所有权首次登记", "商品房预售许可",
                   "建筑业企业资质核准", "建设项目环境影响报告书（表）审批", "建设项目环境影响登记表备案",
                   "生产建设项目水土保持方案审批", "河道管理范围内建设项目工程建设方案审批", "使用林地审核",
                   "城市建筑垃圾处置核准", "挖掘城市道路审批", "临时占用城市道路审批", "城市绿化树木迁移、砍伐审批",
                   "雷电防护装置设计审核", "雷电防护装置竣工验收", "企业投资项目核准", "企业投资项目备案",
                   "政府投资项目可行性研究报告审批", "固定资产投资项目节能审查", "公墓建设审批", "民办学校办学许可"),
    "用工": _codes("就业登记", "职工参保登记", "职工基本医疗保险参保登记", "住房公积金个人账户设立", "工伤认定"),
    "注销": _codes("内资企业注销登记", "企业简易注销登记", "个体工商户注销登记", "清税申报（注销税务登记）"),
}

HIGH_FREQUENCY: Final[tuple[str, ...]] = _codes(
    "内资企业设立登记", "个体工商户设立登记", "食品经营许可", "出生登记", "居民身份证换领", "户口迁入登记",
    "内地居民结婚登记", "城乡居民基本养老保险参保登记", "企业职工基本养老保险待遇申领", "社会保障卡申领",
    "社会保险个人权益记录查询打印", "失业保险金申领", "城乡居民基本医疗保险参保登记", "异地就医备案",
    "国有建设用地使用权及房屋所有权转移登记", "不动产登记资料查询", "住房公积金购房提取", "住房公积金租房提取",
    "机动车驾驶证换证", "无犯罪记录证明开具", "最低生活保障审核确认", "普通护照签发",
)
