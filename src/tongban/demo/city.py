"""Demo city seed data for Tongban: 安康市, 陕西省.

This module is pure data plus pure functions. It contains no database code and
imports nothing from the rest of the ``tongban`` package, so it can be used by
seeders, tests and benchmarks alike.

It provides:

* deterministic generators for Chinese identifiers: the GB 11643 resident ID
  number, the GB 11714 organisation code and the GB 32100 unified social
  credit code (USCC);
* the GB/T 2260 regions of 安康市 (province, city, counties and a few townships);
* the city's and counties' government departments;
* demo citizens, enterprises and staff accounts.

All generated numbers are deterministic: re-importing the module always yields
the same codes. Organisation codes are derived from a SHA-256 hash of the
entity's name, so they are stable as long as the names do not change.

Note on resident IDs: the first six digits of a resident ID are the region code
that was valid when the person was registered, not where they live today. The
GB/T 2260 codes ``6109xx`` of 安康市 only exist since 2000 (``610981`` 旬阳市 since
2021); people born earlier carry the old ``6124xx`` codes of 安康地区. The
validator in ``stdnum.cn.ric`` checks exactly that, so :func:`birth_region_code`
maps a current county code and a birth date to the code that was valid then.
"""

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CITIZENS",
    "CITY_CODE",
    "COUNTY_CODES",
    "DEPARTMENTS",
    "DEPARTMENT_KINDS",
    "ENTERPRISES",
    "PLATFORM_OPERATOR_CODE",
    "PROVINCE_CODE",
    "REGIONS",
    "REGION_LEVELS",
    "STAFF",
    "STAFF_ROLES",
    "USCC_ALPHABET",
    "CitizenSeed",
    "DepartmentKind",
    "DepartmentSeed",
    "EnterpriseSeed",
    "RegionLevel",
    "RegionSeed",
    "StaffSeed",
    "birth_region_code",
    "demo_phone",
    "org_code",
    "resident_id",
    "resident_id_check_char",
    "stable_org_code_base",
    "uscc",
    "uscc_check_char",
]

# ---------------------------------------------------------------------------
# Identifier generators
# ---------------------------------------------------------------------------

# ISO 7064 MOD 11-2 weights for the first 17 digits of a resident ID: 2^(17-i) mod 11.
_RIC_WEIGHTS: Final[tuple[int, ...]] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# GB 11714 organisation code.
_ORG_CODE_CHARS: Final[str] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_CODE_WEIGHTS: Final[tuple[int, ...]] = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100 unified social credit code: 31 characters, without I, O, S, V and Z.
USCC_ALPHABET: Final[str] = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final[tuple[int, ...]] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Mobile number prefixes of the three mainland carriers (13x to 19x).
_MOBILE_PREFIXES: Final[tuple[str, ...]] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip


def resident_id_check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for 17 resident-ID digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RIC_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def resident_id(region_code: str, birth: datetime.date, seq: int, female: bool) -> str:
    """Build an 18-character GB 11643 resident ID number.

    The layout is: 6-digit region code, birth date as YYYYMMDD, a 3-digit
    sequence number and a check character. The last digit of the sequence is
    odd for men and even for women; ``seq`` is moved to the next number of the
    right parity (or the previous one at 999) when it does not match.
    """
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError(f"region code must be 6 digits, got {region_code!r}")
    if not 1 <= seq <= 999:
        raise ValueError(f"sequence must be in 1..999, got {seq}")
    if seq % 2 != (0 if female else 1):
        seq = seq + 1 if seq < 999 else seq - 1
    first17 = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def org_code(base: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code base.

    Letters count as A=10 .. Z=35; the check value is ``11 - (sum mod 11)``,
    written as ``X`` for 10 and ``0`` for 11.
    """
    base = base.upper()
    if len(base) != 8 or any(char not in _ORG_CODE_CHARS for char in base):
        raise ValueError(f"organisation code base must be 8 characters of 0-9A-Z, got {base!r}")
    total = sum(
        _ORG_CODE_CHARS.index(char) * weight for char, weight in zip(base, _ORG_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    check = "X" if value == 10 else "0" if value == 11 else str(value)
    return base + check


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 MOD 31 check character for the first 17 USCC characters."""
    if len(first17) != 17 or any(char not in USCC_ALPHABET for char in first17):
        raise ValueError(f"expected 17 characters of the USCC alphabet, got {first17!r}")
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc(registration_dept: str, org_type: str, region_code: str, org_code_base: str) -> str:
    """Build an 18-character GB 32100 unified social credit code.

    ``registration_dept`` is the registering authority (``1`` 机构编制,
    ``5`` 民政, ``9`` 工商 ...), ``org_type`` the entity type within it (under
    ``1``: ``1`` 机关, ``2`` 事业单位; under ``9``: ``1`` 企业, ``2`` 个体工商户,
    ``3`` 农民专业合作社), ``region_code`` the 6-digit GB/T 2260 code and
    ``org_code_base`` the 8-character organisation code base; its GB 11714
    check character is computed by :func:`org_code`.

    ``stdnum.cn.uscc`` requires the first 8 characters to be digits and the rest
    to come from :data:`USCC_ALPHABET`, so both are enforced here.
    """
    if len(registration_dept) != 1 or not registration_dept.isdigit():
        raise ValueError(f"registration department must be one digit, got {registration_dept!r}")
    if len(org_type) != 1 or not org_type.isdigit():
        raise ValueError(f"organisation type must be one digit, got {org_type!r}")
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError(f"region code must be 6 digits, got {region_code!r}")
    organisation = org_code(org_code_base)
    if any(char not in USCC_ALPHABET for char in organisation):
        raise ValueError(f"organisation code {organisation!r} contains characters outside the USCC alphabet")
    first17 = f"{registration_dept}{org_type}{region_code}{organisation}"
    return first17 + uscc_check_char(first17)


def stable_org_code_base(name: str, salt: int = 0) -> str:
    """Derive a deterministic 8-character organisation code base from a name.

    Characters are drawn from :data:`USCC_ALPHABET` (so I, O, S, V and Z never
    appear). ``salt`` lets callers pick another code when two names collide.
    """
    digest = hashlib.sha256(f"tongban-demo:{salt}:{name}".encode()).digest()
    number = int.from_bytes(digest[:16], "big")
    chars: list[str] = []
    for _ in range(8):
        number, index = divmod(number, len(USCC_ALPHABET))
        chars.append(USCC_ALPHABET[index])
    return "".join(chars)


def _assign_org_code_bases(names: Iterable[str]) -> dict[str, str]:
    """Give every name a stable org code base whose full org code is unique among them."""
    bases: dict[str, str] = {}
    used_codes: set[str] = set()
    for name in names:
        if name in bases:
            raise ValueError(f"duplicate entity name {name!r}")
        salt = 0
        while True:
            base = stable_org_code_base(name, salt)
            code = org_code(base)
            if code not in used_codes and all(char in USCC_ALPHABET for char in code):
                break
            salt += 1
        used_codes.add(code)
        bases[name] = base
    return bases


def demo_phone(key: str) -> str:
    """Return a deterministic, valid-looking 11-digit mainland mobile number for ``key``."""
    digest = hashlib.sha256(f"tongban-demo-phone:{key}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    prefix = _MOBILE_PREFIXES[number % len(_MOBILE_PREFIXES)]
    return f"{prefix}{(number // len(_MOBILE_PREFIXES)) % 10**8:08d}"


# ---------------------------------------------------------------------------
# Regions (GB/T 2260)
# ---------------------------------------------------------------------------

RegionLevel = Literal["province", "city", "county", "township"]
REGION_LEVELS: Final[tuple[RegionLevel, ...]] = ("province", "city", "county", "township")


@dataclass(frozen=True, slots=True)
class RegionSeed:
    """An administrative region: 6-digit GB/T 2260 code, or 9 digits for townships."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


PROVINCE_CODE: Final[str] = "610000"
CITY_CODE: Final[str] = "610900"

# Current counties and districts of 安康市 with a short ASCII key used in machine codes.
_COUNTIES: Final[tuple[tuple[str, str, str], ...]] = (
    ("610902", "汉滨区", "hanbin"),
    ("610921", "汉阴县", "hanyin"),
    ("610922", "石泉县", "shiquan"),
    ("610923", "宁陕县", "ningshan"),
    ("610924", "紫阳县", "ziyang"),
    ("610925", "岚皋县", "langao"),
    ("610926", "平利县", "pingli"),
    ("610927", "镇坪县", "zhenping"),
    ("610929", "白河县", "baihe"),
    ("610981", "旬阳市", "xunyang"),
)
COUNTY_CODES: Final[tuple[str, ...]] = tuple(code for code, _, _ in _COUNTIES)
_COUNTY_NAMES: Final[dict[str, str]] = {code: name for code, name, _ in _COUNTIES}

# A few townships per county. Names are real; the 3-digit suffixes follow the
# usual statistical convention (0xx 街道, 1xx 镇) but are illustrative.
_TOWNSHIPS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "610902": (("001", "老城街道"), ("002", "新城街道"), ("003", "江北街道"), ("100", "瀛湖镇")),
    "610921": (("100", "城关镇"), ("101", "涧池镇"), ("102", "漩涡镇")),
    "610922": (("100", "城关镇"), ("101", "池河镇"), ("102", "后柳镇")),
    "610923": (("100", "城关镇"), ("101", "江口回族镇"), ("102", "皇冠镇")),
    "610924": (("100", "城关镇"), ("101", "蒿坪镇"), ("102", "焕古镇")),
    "610925": (("100", "城关镇"), ("101", "佐龙镇"), ("102", "南宫山镇")),
    "610926": (("100", "城关镇"), ("101", "老县镇"), ("102", "长安镇")),
    "610927": (("100", "城关镇"), ("101", "曾家镇"), ("102", "钟宝镇")),
    "610929": (("100", "城关镇"), ("101", "中厂镇"), ("102", "卡子镇")),
    "610981": (("100", "城关镇"), ("101", "蜀河镇"), ("102", "吕河镇")),
}


def _build_regions() -> list[RegionSeed]:
    regions = [
        RegionSeed(PROVINCE_CODE, "陕西省", "province", None),
        RegionSeed(CITY_CODE, "安康市", "city", PROVINCE_CODE),
    ]
    regions.extend(RegionSeed(code, name, "county", CITY_CODE) for code, name, _ in _COUNTIES)
    for county_code, _, _ in _COUNTIES:
        regions.extend(
            RegionSeed(county_code + suffix, name, "township", county_code)
            for suffix, name in _TOWNSHIPS[county_code]
        )
    return regions


REGIONS: Final[list[RegionSeed]] = _build_regions()
_REGION_NAMES: Final[dict[str, str]] = {region.code: region.name for region in REGIONS}

# Region codes valid in a range of birth years: (first year or None, last year or None, code).
# Before 2000 the area was 安康地区 (6124xx); 安康县 became the county-level 安康市 in 1988.
_HISTORICAL_CODES: Final[dict[str, tuple[tuple[int | None, int | None, str], ...]]] = {
    "610902": ((None, 1987, "612421"), (1988, 1999, "612401"), (2000, None, "610902")),
    "610921": ((None, 1999, "612422"), (2000, None, "610921")),
    "610922": ((None, 1999, "612423"), (2000, None, "610922")),
    "610923": ((None, 1999, "612424"), (2000, None, "610923")),
    "610924": ((None, 1999, "612425"), (2000, None, "610924")),
    "610925": ((None, 1999, "612426"), (2000, None, "610925")),
    "610926": ((None, 1999, "612427"), (2000, None, "610926")),
    "610927": ((None, 1999, "612428"), (2000, None, "610927")),
    "610929": ((None, 1999, "612430"), (2000, None, "610929")),
    "610981": ((None, 1999, "612429"), (2000, 2020, "610928"), (2021, None, "610981")),
}


def birth_region_code(county_code: str, birth: datetime.date) -> str:
    """Return the region code a resident ID carries for someone born in a county of 安康市.

    Codes for other regions are returned unchanged.
    """
    for first, last, code in _HISTORICAL_CODES.get(county_code, ()):
        if (first is None or birth.year >= first) and (last is None or birth.year <= last):
            return code
    return county_code


# ---------------------------------------------------------------------------
# Departments
# ---------------------------------------------------------------------------

DepartmentKind = Literal["government", "institution"]
DEPARTMENT_KINDS: Final[tuple[DepartmentKind, ...]] = ("government", "institution")
# USCC entity type under registration authority "1" (机构编制): 1 机关, 2 事业单位.
_DEPARTMENT_USCC_TYPE: Final[dict[DepartmentKind, str]] = {"government": "1", "institution": "2"}

PLATFORM_OPERATOR_CODE: Final[str] = "city-data"


@dataclass(frozen=True, slots=True)
class DepartmentSeed:
    """A government organ (机关) or public institution (事业单位)."""

    code: str
    name: str
    short_name: str
    region_code: str
    parent_code: str | None
    uscc: str
    kind: DepartmentKind
    is_platform_operator: bool


# (code, name, short name, parent code, kind) of the city-level departments.
_CITY_DEPARTMENTS: Final[tuple[tuple[str, str, str, str | None, DepartmentKind], ...]] = (
    ("city-gov", "安康市人民政府", "市政府", None, "government"),
    ("city-gov-office", "安康市人民政府办公室", "市政府办", "city-gov", "government"),
    ("city-ndrc", "安康市发展和改革委员会", "市发改委", "city-gov", "government"),
    ("city-edu", "安康市教育局", "市教育局", "city-gov", "government"),
    ("city-sci", "安康市科学技术局", "市科技局", "city-gov", "government"),
    ("city-miit", "安康市工业和信息化局", "市工信局", "city-gov", "government"),
    ("city-ethnic", "安康市民族宗教事务委员会", "市民宗委", "city-gov", "government"),
    ("city-psb", "安康市公安局", "市公安局", "city-gov", "government"),
    ("city-civil", "安康市民政局", "市民政局", "city-gov", "government"),
    ("city-justice", "安康市司法局", "市司法局", "city-gov", "government"),
    ("city-finance", "安康市财政局", "市财政局", "city-gov", "government"),
    ("city-hrss", "安康市人力资源和社会保障局", "市人社局", "city-gov", "government"),
    ("city-nr", "安康市自然资源局", "市自然资源局", "city-gov", "government"),
    ("city-eco", "安康市生态环境局", "市生态环境局", "city-gov", "government"),
    ("city-housing", "安康市住房和城乡建设局", "市住建局", "city-gov", "government"),
    ("city-transport", "安康市交通运输局", "市交通运输局", "city-gov", "government"),
    ("city-water", "安康市水利局", "市水利局", "city-gov", "government"),
    ("city-agri", "安康市农业农村局", "市农业农村局", "city-gov", "government"),
    ("city-commerce", "安康市商务局", "市商务局", "city-gov", "government"),
    ("city-culture", "安康市文化和旅游局", "市文旅局", "city-gov", "government"),
    ("city-health", "安康市卫生健康委员会", "市卫健委", "city-gov", "government"),
    ("city-veterans", "安康市退役军人事务局", "市退役军人局", "city-gov", "government"),
    ("city-emergency", "安康市应急管理局", "市应急局", "city-gov", "government"),
    ("city-audit", "安康市审计局", "市审计局", "city-gov", "government"),
    ("city-sasac", "安康市人民政府国有资产监督管理委员会", "市国资委", "city-gov", "government"),
    ("city-amr", "安康市市场监督管理局", "市市场监管局", "city-gov", "government"),
    ("city-stats", "安康市统计局", "市统计局", "city-gov", "government"),
    ("city-hsa", "安康市医疗保障局", "市医保局", "city-gov", "government"),
    ("city-forestry", "安康市林业局", "市林业局", "city-gov", "government"),
    ("city-data", "安康市政务服务和数据管理局", "市数据局", "city-gov", "government"),
    ("city-petition", "安康市信访局", "市信访局", "city-gov", "government"),
    ("city-urban", "安康市城市管理执法局", "市城管执法局", "city-gov", "government"),
    ("city-approval", "安康市行政审批服务局", "市审批局", "city-gov", "government"),
    # Organs outside the municipal government (independent or vertically managed).
    ("city-supervision", "安康市监察委员会", "市监委", None, "government"),
    ("city-tax", "国家税务总局安康市税务局", "市税务局", None, "government"),
    ("city-meteo", "安康市气象局", "市气象局", None, "government"),
    # Sub-units and public institutions.
    ("city-traffic-police", "安康市公安局交通警察支队", "市交警支队", "city-psb", "government"),
    ("city-exit-entry", "安康市公安局出入境管理支队", "市出入境支队", "city-psb", "government"),
    ("city-hpf", "安康市住房公积金管理中心", "市公积金中心", "city-gov", "institution"),
    ("city-bdc", "安康市不动产登记中心", "市不动产登记中心", "city-nr", "institution"),
    ("city-gsc", "安康市政务服务中心", "市政务服务中心", "city-data", "institution"),
    ("city-ggzy", "安康市公共资源交易中心", "市公共资源交易中心", "city-data", "institution"),
    ("city-bigdata", "安康市政务大数据服务中心", "市大数据中心", "city-data", "institution"),
    ("city-social-insurance", "安康市社会保险经办中心", "市社保中心", "city-hrss", "institution"),
    ("city-employment", "安康市就业服务中心", "市就业中心", "city-hrss", "institution"),
    ("city-medicare", "安康市医疗保障经办中心", "市医保经办中心", "city-hsa", "institution"),
    ("city-cdc", "安康市疾病预防控制中心", "市疾控中心", "city-health", "institution"),
    ("city-edu-exam", "安康市教育考试中心", "市教育考试中心", "city-edu", "institution"),
    ("city-archives", "安康市档案馆", "市档案馆", "city-gov", "institution"),
)

# (code suffix, name suffix, short-name suffix, kind) of the departments every county has.
# The county government itself comes first and is the parent of the others.
_COUNTY_DEPARTMENTS: Final[tuple[tuple[str, str, str, DepartmentKind], ...]] = (
    ("gov", "人民政府", "政府", "government"),
    ("gsc", "政务服务中心", "政务服务中心", "institution"),
    ("amr", "市场监督管理局", "市场监管局", "government"),
    ("hrss", "人力资源和社会保障局", "人社局", "government"),
    ("civil", "民政局", "民政局", "government"),
)


def _county_short(county_name: str) -> str:
    """汉滨区 -> 汉滨, 旬阳市 -> 旬阳 (all county names here have a one-character suffix)."""
    return county_name[:-1]


def _department_rows() -> list[tuple[str, str, str, str, str | None, DepartmentKind, bool]]:
    """Return (code, name, short name, region, parent, kind, operator) rows, parents first."""
    rows: list[tuple[str, str, str, str, str | None, DepartmentKind, bool]] = [
        (code, name, short, CITY_CODE, parent, kind, code == PLATFORM_OPERATOR_CODE)
        for code, name, short, parent, kind in _CITY_DEPARTMENTS
    ]
    for county_code, county_name, key in _COUNTIES:
        short_prefix = _county_short(county_name)
        for suffix, name_suffix, short_suffix, kind in _COUNTY_DEPARTMENTS:
            parent = "city-gov" if suffix == "gov" else f"{key}-gov"
            rows.append(
                (
                    f"{key}-{suffix}",
                    f"{county_name}{name_suffix}",
                    f"{short_prefix}{short_suffix}",
                    county_code,
                    parent,
                    kind,
                    False,
                )
            )
    # District police branch of the city public security bureau.
    rows.append(
        ("hanbin-psb", "安康市公安局汉滨分局", "汉滨公安分局", "610902", "city-psb", "government", False)
    )
    return rows


# ---------------------------------------------------------------------------
# People and enterprises
# ---------------------------------------------------------------------------

Gender = Literal["男", "女"]


@dataclass(frozen=True, slots=True)
class CitizenSeed:
    """A natural person living in one of the counties of 安康市."""

    name: str
    resident_id: str
    gender: Gender
    birth: datetime.date
    region_code: str
    phone: str
    address: str


@dataclass(frozen=True, slots=True)
class EnterpriseSeed:
    """A company registered with a county market regulation bureau."""

    name: str
    uscc: str
    region_code: str
    legal_representative: str
    legal_rep_id: str
    registered_capital_wan: str
    established: datetime.date


# (name, female, birth, county code, sequence, township, street address).
_CITIZENS: Final[tuple[tuple[str, bool, datetime.date, str, int, str, str], ...]] = (
    ("王建华", False, datetime.date(1978, 3, 15), "610902", 131, "老城街道", "兴安中路56号"),
    ("陈雪梅", True, datetime.date(1991, 7, 22), "610902", 46, "江北街道", "安康大道118号"),
    ("刘志强", False, datetime.date(1985, 11, 2), "610921", 27, "城关镇", "文化路23号"),
    ("张丽娟", True, datetime.date(2001, 4, 18), "610921", 62, "涧池镇", "北街15号"),
    ("李国庆", False, datetime.date(1969, 10, 1), "610922", 11, "城关镇", "南街9号"),
    ("杨秀兰", True, datetime.date(1972, 5, 9), "610922", 84, "池河镇", "明星村二组17号"),
    ("赵明", False, datetime.date(1994, 8, 30), "610923", 53, "城关镇", "东大街31号"),
    ("周晓燕", True, datetime.date(2003, 2, 14), "610923", 28, "江口回族镇", "沙坪村一组6号"),
    ("吴德胜", False, datetime.date(1966, 12, 20), "610924", 75, "城关镇", "新桥街42号"),
    ("徐文静", True, datetime.date(1988, 9, 9), "610924", 106, "蒿坪镇", "双胜村三组12号"),
    ("孙立平", False, datetime.date(1982, 6, 6), "610925", 39, "城关镇", "肖家坝路7号"),
    ("黄丽", True, datetime.date(1997, 1, 25), "610925", 14, "佐龙镇", "佐龙街21号"),
    ("胡永安", False, datetime.date(1975, 4, 4), "610926", 93, "城关镇", "正街66号"),
    ("郑晓红", True, datetime.date(1999, 12, 31), "610926", 58, "长安镇", "中坝村四组3号"),
    ("何家宝", False, datetime.date(1990, 10, 10), "610927", 17, "城关镇", "新华路19号"),
    ("罗春燕", True, datetime.date(2000, 3, 8), "610927", 36, "曾家镇", "曾家街8号"),
    ("马俊", False, datetime.date(1987, 7, 7), "610929", 65, "城关镇", "解放路27号"),
    ("高文娟", True, datetime.date(1979, 11, 11), "610929", 22, "卡子镇", "卡子街33号"),
    ("林浩然", False, datetime.date(2002, 5, 20), "610981", 41, "城关镇", "祝尔康大道88号"),
    ("谢桂芳", True, datetime.date(1963, 8, 16), "610981", 70, "蜀河镇", "古镇北街5号"),
)


def _build_citizens() -> list[CitizenSeed]:
    citizens: list[CitizenSeed] = []
    for name, female, birth, county_code, seq, township, street in _CITIZENS:
        citizens.append(
            CitizenSeed(
                name=name,
                resident_id=resident_id(birth_region_code(county_code, birth), birth, seq, female),
                gender="女" if female else "男",
                birth=birth,
                region_code=county_code,
                phone=demo_phone(f"citizen:{name}"),
                address=f"陕西省安康市{_COUNTY_NAMES[county_code]}{township}{street}",
            )
        )
    return citizens


CITIZENS: Final[list[CitizenSeed]] = _build_citizens()

# (name, county code, legal representative (a citizen above), capital in 万元, established).
_ENTERPRISES: Final[tuple[tuple[str, str, str, str, datetime.date], ...]] = (
    ("安康市汉江富硒茶业有限公司", "610902", "王建华", "1000.00", datetime.date(2012, 5, 18)),
    ("安康市政通数字科技有限公司", "610902", "陈雪梅", "100.00", datetime.date(2020, 8, 18)),
    ("汉阴县凤堰梯田农业发展有限公司", "610921", "刘志强", "300.00", datetime.date(2016, 9, 1)),
    ("石泉县鎏金蚕桑丝绸有限公司", "610922", "李国庆", "500.00", datetime.date(2010, 3, 22)),
    ("宁陕县秦岭山珍食品有限公司", "610923", "赵明", "200.00", datetime.date(2019, 6, 12)),
    ("紫阳县汉水源富硒茶业有限公司", "610924", "吴德胜", "800.00", datetime.date(2008, 4, 15)),
    ("岚皋县南宫山魔芋制品有限公司", "610925", "孙立平", "600.00", datetime.date(2014, 11, 20)),
    ("平利县女娲山绞股蓝茶业有限公司", "610926", "胡永安", "1200.00", datetime.date(2011, 7, 8)),
    ("镇坪县飞渡峡中药材种植有限公司", "610927", "何家宝", "150.00", datetime.date(2018, 3, 3)),
    ("白河县汉江物流有限公司", "610929", "高文娟", "2000.00", datetime.date(2015, 10, 26)),
    ("旬阳市拐枣生物科技有限公司", "610981", "谢桂芳", "350.50", datetime.date(2021, 12, 1)),
)


# ---------------------------------------------------------------------------
# Staff
# ---------------------------------------------------------------------------

STAFF_ROLES: Final[frozenset[str]] = frozenset(
    {"platform_admin", "dept_admin", "window_clerk", "reviewer", "data_officer", "supervisor"}
)


@dataclass(frozen=True, slots=True)
class StaffSeed:
    """A government staff account."""

    username: str
    display_name: str
    department_code: str
    roles: tuple[str, ...]
    phone: str


# Platform-wide accounts: (username, display name, department, roles).
_SPECIAL_STAFF: Final[tuple[tuple[str, str, str, tuple[str, ...]], ...]] = (
    ("admin", "郭振华", PLATFORM_OPERATOR_CODE, ("platform_admin",)),
    ("supervisor", "邓永红", "city-supervision", ("supervisor",)),
)

# Departments with a full window team: (username prefix, department code, four display names
# for the dept_admin, window_clerk, reviewer and data_officer accounts).
_DEPARTMENT_TEAMS: Final[tuple[tuple[str, str, tuple[str, str, str, str]], ...]] = (
    ("dsj", "city-data", ("冯卫东", "曹丽萍", "彭志远", "韩雪")),
    ("gsc", "city-gsc", ("蒋国栋", "沈佳怡", "许明轩", "董欣然")),
    ("amr", "city-amr", ("袁志刚", "吕晓丽", "苏建军", "魏婷婷")),
    ("hrss", "city-hrss", ("潘宏伟", "田小芳", "姜海涛", "范静")),
    ("psb", "city-psb", ("任国强", "钟丽华", "汪鹏", "石慧敏")),
    ("housing", "city-housing", ("金立新", "崔晓梅", "程浩", "贾艳")),
    ("bdc", "city-bdc", ("夏德明", "方芳", "侯俊杰", "邹雅琴")),
    ("edu", "city-edu", ("孟庆华", "熊美玲", "秦磊", "白露")),
    ("health", "city-health", ("江涛", "阎秀英", "薛文博", "雷晓静")),
    ("civil", "city-civil", ("廖长青", "尹红梅", "黎明辉", "易欣")),
    ("tax", "city-tax", ("常建平", "武玉兰", "乔世杰", "龙晓雯")),
    ("hpf", "city-hpf", ("段国华", "史婉清", "陶永刚", "毛思雨")),
    ("si", "city-social-insurance", ("冉光明", "黄丽娟", "宋宝林", "蔡雨婷")),
    ("hanbin", "hanbin-gsc", ("万家福", "顾小燕", "邱少华", "骆佳")),
)
_TEAM_ROLES: Final[tuple[tuple[str, str], ...]] = (
    ("admin", "dept_admin"),
    ("clerk", "window_clerk"),
    ("reviewer", "reviewer"),
    ("data", "data_officer"),
)


def _build_staff() -> list[StaffSeed]:
    staff = [
        StaffSeed(username, display_name, department, roles, demo_phone(f"staff:{username}"))
        for username, display_name, department, roles in _SPECIAL_STAFF
    ]
    for prefix, department, names in _DEPARTMENT_TEAMS:
        for display_name, (suffix, role) in zip(names, _TEAM_ROLES, strict=True):
            username = f"{prefix}_{suffix}"
            staff.append(
                StaffSeed(username, display_name, department, (role,), demo_phone(f"staff:{username}"))
            )
    return staff


STAFF: Final[list[StaffSeed]] = _build_staff()


# ---------------------------------------------------------------------------
# Assembly: organisation codes are assigned over all entities at once so that
# every generated organisation code (and therefore every USCC) is unique.
# ---------------------------------------------------------------------------


def _build_entities(
    department_rows: Sequence[tuple[str, str, str, str, str | None, DepartmentKind, bool]],
    citizens: Sequence[CitizenSeed],
) -> tuple[list[DepartmentSeed], list[EnterpriseSeed]]:
    names = [row[1] for row in department_rows] + [row[0] for row in _ENTERPRISES]
    bases = _assign_org_code_bases(names)
    departments = [
        DepartmentSeed(
            code=code,
            name=name,
            short_name=short_name,
            region_code=region_code,
            parent_code=parent_code,
            uscc=uscc("1", _DEPARTMENT_USCC_TYPE[kind], region_code, bases[name]),
            kind=kind,
            is_platform_operator=is_operator,
        )
        for code, name, short_name, region_code, parent_code, kind, is_operator in department_rows
    ]
    citizens_by_name = {citizen.name: citizen for citizen in citizens}
    enterprises = [
        EnterpriseSeed(
            name=name,
            uscc=uscc("9", "1", region_code, bases[name]),
            region_code=region_code,
            legal_representative=legal_rep,
            legal_rep_id=citizens_by_name[legal_rep].resident_id,
            registered_capital_wan=capital,
            established=established,
        )
        for name, region_code, legal_rep, capital, established in _ENTERPRISES
    ]
    return departments, enterprises


_departments, _enterprises = _build_entities(_department_rows(), CITIZENS)
DEPARTMENTS: Final[list[DepartmentSeed]] = _departments
ENTERPRISES: Final[list[EnterpriseSeed]] = _enterprises
del _departments, _enterprises
