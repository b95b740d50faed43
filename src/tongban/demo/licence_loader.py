"""Demo seals, licence types and licences: issued through the real services, so the seal pages,
the issued lists, "我的证照" of the demo citizens and enterprise, and the verification page show them.

Every licence type the demo items take as a material is defined here when a department of the demo city
really issues it (licence_data.NOT_ISSUED_IN_CITY lists the others and why), and a few demo citizens hold
one, issued by the department whose jurisdiction they live in: their names, resident IDs, birth dates,
addresses, households and spouses are those of the population register (registry_loader), so a licence
and the register never disagree. Departments of the demo city without a window team get one issuing
reviewer each (证照签发人员), with the demo password.

Call after the demo city and the registers are loaded (`tongban demo` does this).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit import service as audit
from tongban.authz import SYSTEM
from tongban.demo import city, items_data, registry_data, registry_loader
from tongban.demo.licence_data import (
    DEMO_FIRM_ADDRESS,
    DEMO_FIRM_ENTITY_TYPE,
    DEMO_FIRM_SCOPE,
    LICENCE_TYPES,
    type_code,
)
from tongban.licences import issuing, licence_types
from tongban.org.auth import user_actor
from tongban.org.models import Department, User, UserRole
from tongban.seals import service as seals
from tongban.transactions import use_case

# Issuing departments of the licence types added for the demo items' materials that have no window team
# in the demo city: (username, name, department code) of their issuing reviewer.
ISSUING_STAFF: list[tuple[str, str, str]] = [
    ("hbpsb_reviewer", "罗建军", "hanbin-psb"), ("traffic_reviewer", "柴明远", "city-traffic-police"),
    ("hbcivil_reviewer", "房秀珍", "hanbin-civil"), ("hycivil_reviewer", "葛文斌", "hanyin-civil"),
    ("zycivil_reviewer", "鲁春燕", "ziyang-civil"), ("sicard_reviewer", "章立新", "city-social-insurance"),
]
ISSUERS: tuple[str, ...] = (*(code for _, _, code in ISSUING_STAFF), "city-health")
_REVIEWER = {code: username for username, _, code in ISSUING_STAFF} | {
    "city-health": "health_reviewer", "city-bdc": "bdc_reviewer"}


@dataclass(frozen=True)
class Issue:
    """One demo licence of the added types, as its issuing reviewer fills it in."""

    username: str
    type_name: str
    holder_name: str
    holder_code: str
    data: dict[str, str]
    number: str
    item_code: str
    item_name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def _years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
               **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
               **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(prefix8: str, rest8: str) -> str:
    """A 17-character vehicle identification number (GB 16735) with its check character in position 9."""
    raw = prefix8 + "0" + rest8
    total = sum(_VIN_VALUES[c] * w for c, w in zip(raw, _VIN_WEIGHTS, strict=True)) % 11
    return prefix8 + ("X" if total == 10 else str(total)) + rest8


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _station(address: str) -> str:
    """The 汉滨 police station (派出所) of an address in 汉滨区: the one of its street or township."""
    township = address.removeprefix("陕西省安康市汉滨区")[:2]
    return f"安康市公安局汉滨分局{township}派出所"


def _spouse(rows: list[dict[str, str]], person: dict[str, str], used: set[str], status: str) -> dict[str, str]:
    """A person of the register in the same county, of the other sex and a near age, of marital status
    `status` (GB/T 2261.2: 20 已婚, 40 离婚): the spouse named on the person's 结婚证 or 离婚证."""
    candidates = [r for r in rows if r["reg_region"] == person["reg_region"] and r["gender"] != person["gender"]
                  and r["marital_status"] == status and r["id_number"] not in used]
    born = dt.date.fromisoformat(person["birth_date"])
    best = min(candidates, key=lambda r: (abs((dt.date.fromisoformat(r["birth_date"]) - born).days), r["id_number"]))
    used.add(best["id_number"])
    return best


def _couple(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    husband, wife = (a, b) if a["gender"] == "男" else (b, a)
    return {"husband_name": husband["name"], "husband_id": husband["id_number"],
            "husband_birth": husband["birth_date"], "wife_name": wife["name"], "wife_id": wife["id_number"],
            "wife_birth": wife["birth_date"]}


def _item(name: str) -> tuple[str, str]:
    """The basic code and name of the demo service item (items_data) that produced a licence."""
    return next((b.code, b.name) for b in items_data.BASIC_ITEMS if b.name == name)


def added_issues() -> list[Issue]:
    """The demo licences of the added types, from the population register (registry_loader's rows)."""
    rows = registry_loader._population_rows()
    person = {r["id_number"]: r for r in rows}
    generated = rows[: registry_loader.SIZES["population"]]
    cs = {c.name: (c, person[c.resident_id]) for c in city.CITIZENS}
    out: list[Issue] = []
    # 公安局汉滨分局: 居民身份证 and 居民户口簿 of the demo citizens living in 汉滨区.
    for name, issued_on in (("王建华", dt.date(2019, 5, 20)), ("陈雪梅", dt.date(2017, 9, 12))):
        c, r = cs[name]
        age = _age(c.birth, issued_on)
        valid_to = None if age >= 46 else _years(issued_on, 10 if age < 26 else 20)
        out.append(Issue(_REVIEWER["hanbin-psb"], "居民身份证", c.name, c.resident_id, {
            "gender": c.gender, "nation": registry_data.NATIONS[r["nation"]], "birth_date": c.birth.isoformat(),
            "address": c.address}, c.resident_id, *_item("居民身份证换领"), issued_on, valid_to))
        out.append(Issue(_REVIEWER["hanbin-psb"], "居民户口簿", c.name, c.resident_id, {
            "household_type": registry_data.HOUSEHOLD_TYPES[r["household_type"]],
            "household_no": r["household_no"], "address": c.address, "registration_office": _station(c.address)},
            r["household_no"], *_item("户口迁入登记")))
    # 市交警支队 (车辆管理所): driving licences and vehicle licences of demo citizens across the city.
    drivers = (("王建华", "C1", dt.date(2003, 7, 9)), ("刘志强", "C1", dt.date(2008, 4, 21)),
               ("徐文静", "C1", dt.date(2012, 8, 3)))
    for n, (name, klass, first) in enumerate(drivers):
        c, _r = cs[name]
        valid_from = _years(first, 6 + 10 * ((2026 - first.year - 6) // 10))
        out.append(Issue(_REVIEWER["city-traffic-police"], "机动车驾驶证", c.name, c.resident_id, {
            "gender": c.gender, "nationality": "中国", "address": c.address, "birth_date": c.birth.isoformat(),
            "first_issued_on": first.isoformat(), "vehicle_class": klass,
            "file_number": f"6109{1000473 + n * 3917:08d}"},
            c.resident_id, *_item("机动车驾驶证换证"), valid_from, _years(valid_from, 10)))
    vehicles = (
        ("王建华", "陕GA7K25", "小型轿车", "大众汽车牌SVW71617BM", "LSVAM4187L2", "033516", "EA211 291047",
         dt.date(2020, 6, 18)),
        ("刘志强", "陕GC3M81", "小型普通客车", "比亚迪牌BYD6470ST6HEV", "LGXC74C4XN0", "118204",
         "BYD472QA 0612803", dt.date(2022, 9, 30)))
    for name, plate, vtype, model, vin8, serial, engine, registered in vehicles:
        c, _r = cs[name]
        out.append(Issue(_REVIEWER["city-traffic-police"], "机动车行驶证", c.name, c.resident_id, {
            "plate_number": plate, "vehicle_type": vtype, "address": c.address, "use_character": "非营运",
            "model": model, "vin": vin(vin8[:8], vin8[8:] + serial[:5]), "engine_number": engine,
            "registered_on": registered.isoformat()}, plate, *_item("机动车注册登记"), registered))
    # County civil affairs bureaus (婚姻登记机关): 结婚证 of married demo citizens, a 离婚证 of the divorced one.
    used: set[str] = set()
    for name, code, married_on, seq in (("刘志强", "hanyin-civil", dt.date(2011, 10, 2), 276),
                                        ("徐文静", "ziyang-civil", dt.date(2013, 5, 20), 118)):
        c, r = cs[name]
        spouse = _spouse(generated, r, used, "20")
        out.append(Issue(_REVIEWER[code], "结婚证", c.name, c.resident_id, {
            "registered_on": married_on.isoformat(), **_couple(r, spouse)},
            f"J{c.region_code}-{married_on.year}-{seq:06d}", *_item("内地居民结婚登记"), married_on))
    c, r = cs["陈雪梅"]
    divorced_on = dt.date(2022, 6, 17)
    spouse = _spouse(generated, r, used, "40")
    out.append(Issue(_REVIEWER["hanbin-civil"], "离婚证", c.name, c.resident_id, {
        "registered_on": divorced_on.isoformat(), **_couple(r, spouse)},
        f"L{c.region_code}-{divorced_on.year}-000142", *_item("内地居民离婚登记"), divorced_on))
    # 市卫健委: the 出生医学证明 of the youngest child registered in 汉滨区, with its parents from the register.
    baby = max((r for r in generated if r["reg_region"] == "610902" and r["relation_to_head"][0] in "23"),
               key=lambda r: (r["birth_date"], r["id_number"]))
    home = [r for r in generated if r["household_no"] == baby["household_no"] and r["relation_to_head"] in
            ("02", "11", "12")]
    mother = next(r for r in home if r["gender"] == "女")
    father = next((r for r in home if r["gender"] == "男"), None)
    born = dt.date.fromisoformat(baby["birth_date"])
    out.append(Issue(_REVIEWER["city-health"], "出生医学证明", baby["name"], baby["id_number"], {
        "gender": baby["gender"], "birth_time": f"{born.year}年{born.month}月{born.day}日 08时42分",
        "birthplace": "陕西省安康市汉滨区", "weeks": "39周+2天", "weight": "3350",
        "mother_name": mother["name"], "mother_id": mother["id_number"],
        "father_name": father["name"] if father else "", "father_id": father["id_number"] if father else "",
        "institution": "安康市中心医院"}, f"Z61{int(baby['id_number'][-7:-1]) * 7 % 10_000_000:07d}",
        *_item("出生医学证明办理"), born))
    # 市社保中心: 社会保障卡 (the social security number is the resident ID).
    banks = (("王建华", "中国建设银行"), ("陈雪梅", "中国工商银行"), ("刘志强", "中国农业银行"))
    for n, (name, bank) in enumerate(banks):
        c, _r = cs[name]
        card = f"A{61090000 + 7919 * (n + 3):08d}"
        out.append(Issue(_REVIEWER["city-social-insurance"], "社会保障卡", c.name, c.resident_id, {
            "card_number": card, "card_generation": "第三代社会保障卡", "bank": bank},
            card, *_item("社会保障卡申领"), dt.date(2024, 3 + n, 11)))
    # 市不动产登记中心: the 不动产权证书 of 王建华's home, the one the demo 不动产登记证明 records a mortgage on.
    for n, (name, area, year) in enumerate((("王建华", "128.56", 2016),)):
        c, _r = cs[name]
        out.append(Issue(_REVIEWER["city-bdc"], "不动产权证书", c.name, c.resident_id, {
            "co_ownership": "单独所有", "location": c.address, "unit_number": f"610902003001GB00101F0001{n + 2:04d}",
            "right_type": "国有建设用地使用权/房屋所有权", "right_nature": "出让/市场化商品房",
            "use": "城镇住宅用地/住宅", "area": f"共有宗地面积 3256.40㎡/房屋建筑面积 {area}㎡",
            "term": f"{year - 2}年8月1日起{year + 68}年7月31日止"},
            f"陕（{year}）安康市不动产权第{12045 + 3311 * n:07d}号", *_item("新建商品房转移登记"),
            dt.date(year, 6, 8 + n)))
    return out


# (department code, seal kind): the seals of the demo city — the issuers' licence seals, and a 公章 for every
# other department with demo staff, which seals its case notices (受理通知书, 决定书 …): a department without a
# usable seal cannot accept or decide a case (409 seal_missing).
_SPECIFIC: list[tuple[str, str]] = [
    ("city-data", "official"), ("city-amr", "approval"), ("city-amr", "official"), ("city-psb", "licence"),
    ("city-bdc", "licence"),
    *((code, "licence") for code in ISSUERS),
]
SEALS: list[tuple[str, str]] = [
    *_SPECIFIC,
    *((code, "official") for code in sorted({s.department_code for s in city.STAFF if "reviewer" in s.roles}
                                            - {c for c, _ in _SPECIFIC})),
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
    _issuing_staff(session)
    for issue in added_issues():
        actor = user_actor(_user(session, issue.username), client_ip="127.0.0.1")
        licence = issuing.issue(session=session, actor=actor, licence_in=issuing.LicenceIssue(
            type_id=types[issue.type_name].id, holder_name=issue.holder_name, holder_code=issue.holder_code,
            data=issue.data, number=issue.number, valid_from=issue.valid_from, valid_to=issue.valid_to,
            service_item_code=issue.item_code, service_item_name=issue.item_name))
        summary.identifiers.append(licence.identifier)
    return summary


@use_case
def _issuing_staff(session: Session) -> None:
    """One issuing reviewer (证照签发人员) in each issuing department without a window team; the demo
    password's hash is the one every demo account shares (loading stays fast)."""
    shared_hash = _user(session, "admin").password_hash
    depts = {d.code: d for d in session.execute(select(Department)).scalars()}
    for username, name, code in ISSUING_STAFF:
        user = User(username=username, display_name=name, kind="staff", department_id=depts[code].id,
                    phone=city.demo_phone(f"staff:{username}"), password_hash=shared_hash)
        user.role_rows = [UserRole(role="reviewer")]
        session.add(user)
        session.flush()
        audit.record(session, actor=SYSTEM, action="user.create", object_type="user", object_id=user.id,
                     detail={"username": username, "department_id": user.department_id, "roles": ["reviewer"]})

