"""Deterministic, streaming generator of base-registry records (基础库数据) for the demo city 安康市.

The generators yield ``dict[str, str]`` rows keyed by the information-item keys of the
hand-written demo catalog (:mod:`tongban.demo.catalog_data`), so a generated CSV file can be
ingested into the matching demo resource as it is:

* :func:`population` → ``city-psb`` 户籍人口基本信息, key ``id_number`` (extra column ``phone``);
* :func:`legal_entities` → ``city-amr`` 市场主体登记信息, key ``uscc`` (extra column ``legal_rep_id``);
* :func:`credit_records` → ``city-tax`` 企业纳税信用评价结果信息, key ``uscc`` + ``evaluation_year``;
* :func:`social_security` → ``city-social-insurance`` 企业职工基本养老保险参保信息, key ``id_number``.

Extra columns are library items (``phone`` 联系电话, ``legal_rep_id`` 法定代表人公民身份号码) that
the resource does not have; ingestion ignores columns a resource does not define. Coded items use
the codes their catalog notes name (the items are at most 2 characters long): 民族 GB/T 3304
(``01`` 汉族), 文化程度 GB/T 4658, 婚姻状况 GB/T 2261.2, 与户主关系 GB/T 4761, 户口类别 ``1``
家庭户; 性别 is ``男``/``女`` like :mod:`tongban.demo.city`. The tables :data:`NATIONS`,
:data:`EDUCATION_LEVELS`, :data:`MARITAL_STATUSES`, :data:`RELATIONS` and :data:`HOUSEHOLD_TYPES`
translate them.

Everything is a pure function of the row index and a seed, computed in constant memory:

* **Population.** Rows come in blocks of 64 persons. A block belongs to one county (blocks are
  dealt to counties in a fixed cycle weighted by population, 汉滨区 largest), so the county-local
  person number of a row is known without counting. That number is mapped one-to-one onto a
  (birth date, sequence number) slot: a shuffled table lists every day of the last 101 years as
  often as its age is common (up to 8 times), the table position gives the birth date and the
  number of passes plus the occurrence of the date give the 3-digit sequence. Two persons of a
  county therefore never share birth date and sequence, and persons of different counties carry
  different region codes: resident IDs are unique by construction (up to about 60 million rows).
  The 64 persons of a block are then grouped into households of 1–6 people by age (couples of
  similar age, children 20–42 years younger, married sons with 儿媳 and grandchildren, children
  left behind with their grandparents, widowed parents), so relations to the head always agree
  with the ages. :func:`person_at` rebuilds just the block of
  an index, so it equals the row of :func:`population` exactly.
* **Legal entities.** The USCC's organisation-code part is an affine bijection of the row index
  (``MA`` + 6 characters for entities registered since the 2015 reform, 8 digits before), so
  codes never collide. The legal representative of entity *k* is an adult of population block
  ``k // 6``: a population file of at least :func:`persons_needed` rows contains all of them.
* **Credit and social security** records reference :func:`entity_at` and :func:`person_at`.

The data describe the registries on :data:`SNAPSHOT_DATE`. Run
``python -m tongban.demo.registry_data population 100000 out.csv`` to write a file.
"""

from __future__ import annotations

import csv
import datetime
import functools
import itertools
import os
import random
import sys
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Final, TypeVar

from tongban.demo.city import CITY_CODE, COUNTY_CODES, DEPARTMENTS, REGIONS, USCC_ALPHABET, birth_region_code

__all__ = [
    "EDUCATION_LEVELS",
    "HOUSEHOLD_TYPES",
    "KINDS",
    "LEGAL_ENTITY_COLUMNS",
    "MARITAL_STATUSES",
    "NATIONS",
    "POPULATION_COLUMNS",
    "RELATIONS",
    "RESOURCE_MATCHES",
    "SNAPSHOT_DATE",
    "SOCIAL_SECURITY_COLUMNS",
    "TAX_CREDIT_COLUMNS",
    "credit_records",
    "entity_at",
    "legal_entities",
    "main",
    "person_at",
    "persons_needed",
    "population",
    "representative_index",
    "social_security",
    "write_csv",
]

T = TypeVar("T")

# ---------------------------------------------------------------------------
# Columns and the demo resources they match
# ---------------------------------------------------------------------------

POPULATION_COLUMNS: Final[tuple[str, ...]] = (
    "id_number", "name", "gender", "nation", "birth_date", "former_name", "birthplace", "native_place",
    "education", "marital_status", "household_no", "household_type", "household_head", "relation_to_head",
    "reg_address", "reg_region", "police_station", "phone",
)  # fmt: skip
LEGAL_ENTITY_COLUMNS: Final[tuple[str, ...]] = (
    "uscc", "entity_name", "legal_rep", "entity_type", "reg_capital", "established_date", "domicile",
    "business_scope", "reg_authority", "reg_status", "business_term_to", "industry_code", "approval_date",
    "legal_rep_id",
)  # fmt: skip
TAX_CREDIT_COLUMNS: Final[tuple[str, ...]] = (
    "uscc", "evaluation_year", "entity_name", "credit_score", "tax_credit_level", "tax_authority",
)  # fmt: skip
SOCIAL_SECURITY_COLUMNS: Final[tuple[str, ...]] = (
    "id_number", "name", "insured_unit", "unit_uscc", "insurance_type", "insured_status", "first_insured_date",
    "contribution_base", "contribution_months", "account_balance",
)  # fmt: skip

# kind -> (provider code, resource name, record key items, columns the resource does not have).
RESOURCE_MATCHES: Final[dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]]] = {
    "population": ("city-psb", "户籍人口基本信息", ("id_number",), ("phone",)),
    "legal_entities": ("city-amr", "市场主体登记信息", ("uscc",), ("legal_rep_id",)),
    "credit": ("city-tax", "企业纳税信用评价结果信息", ("uscc", "evaluation_year"), ()),
    "social_security": ("city-social-insurance", "企业职工基本养老保险参保信息", ("id_number",), ()),
}

# ---------------------------------------------------------------------------
# Code tables
# ---------------------------------------------------------------------------

SNAPSHOT_DATE: Final[str] = "2025-12-31"
_SNAPSHOT = datetime.date(2025, 12, 31)
_SNAPSHOT_YEAR: Final[int] = 2025
_FIRST_YEAR: Final[int] = _SNAPSHOT_YEAR - 100  # the oldest residents are 100

NATIONS: Final[dict[str, str]] = {
    "01": "汉族", "02": "蒙古族", "03": "回族", "04": "藏族", "06": "苗族", "07": "彝族", "08": "壮族",
    "10": "朝鲜族", "11": "满族", "12": "侗族", "15": "土家族",
}  # fmt: skip
EDUCATION_LEVELS: Final[dict[str, str]] = {
    "11": "博士研究生毕业", "14": "硕士研究生毕业", "20": "大学本科教育", "21": "大学本科毕业",
    "30": "大学专科教育", "31": "大学专科毕业", "40": "中等职业教育", "41": "中等专科毕业", "47": "技工学校毕业",
    "60": "普通高级中学教育", "61": "普通高中毕业", "70": "初级中学教育", "71": "初中毕业", "80": "小学教育",
    "81": "小学毕业", "90": "其他",
}  # fmt: skip
MARITAL_STATUSES: Final[dict[str, str]] = {"10": "未婚", "20": "已婚", "30": "丧偶", "40": "离婚"}
RELATIONS: Final[dict[str, str]] = {
    "02": "户主", "11": "夫", "12": "妻",
    "21": "独生子", "22": "长子", "23": "次子", "24": "三子", "25": "四子", "26": "五子",
    "31": "独生女", "32": "长女", "33": "次女", "34": "三女", "35": "四女", "36": "五女",
    "38": "儿媳", "41": "孙子", "42": "孙女", "51": "父亲", "52": "母亲", "93": "侄子", "94": "侄女",
}  # fmt: skip
HOUSEHOLD_TYPES: Final[dict[str, str]] = {"1": "家庭户", "2": "集体户"}

_SONS: Final[tuple[str, ...]] = ("22", "23", "24", "25", "26", "26")
_DAUGHTERS: Final[tuple[str, ...]] = ("32", "33", "34", "35", "36", "36")

# ---------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------

# Surnames with their approximate share (per mille) in southern Shaanxi.
_SURNAMES: Final[tuple[tuple[str, float], ...]] = (
    ("王", 71), ("李", 70), ("张", 66), ("刘", 54), ("陈", 52), ("杨", 38), ("黄", 22), ("赵", 20), ("吴", 21),
    ("周", 20), ("徐", 14), ("孙", 13), ("马", 13), ("朱", 12), ("胡", 13), ("郭", 11), ("何", 11), ("高", 11),
    ("林", 8), ("罗", 10), ("郑", 9), ("梁", 8), ("谢", 8), ("宋", 8), ("唐", 8), ("许", 6), ("韩", 6), ("冯", 7),
    ("邓", 6), ("曹", 6), ("彭", 6), ("曾", 5), ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 4), ("于", 3),
    ("蒋", 4), ("蔡", 4), ("余", 5), ("杜", 5), ("叶", 4), ("程", 5), ("苏", 3), ("魏", 4), ("吕", 3), ("丁", 3),
    ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 2), ("钟", 3), ("谭", 3), ("陆", 2), ("汪", 3),
    ("范", 3), ("金", 2), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 1), ("付", 3), ("方", 3), ("白", 3),
    ("邹", 3), ("孟", 2), ("熊", 3), ("秦", 3), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("雷", 3), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 1), ("贺", 2), ("顾", 1), ("毛", 2), ("郝", 2),
    ("龚", 1), ("邵", 1), ("万", 2), ("钱", 1), ("严", 1), ("覃", 1), ("武", 2), ("戴", 1), ("莫", 1), ("孔", 1),
    ("向", 2), ("汤", 1), ("常", 1), ("温", 1), ("康", 2), ("施", 1), ("文", 2), ("牛", 1), ("樊", 2), ("葛", 1),
    ("邢", 1), ("安", 1), ("齐", 1), ("易", 1), ("乔", 1), ("伍", 1), ("庞", 1), ("颜", 1), ("倪", 1), ("庄", 1),
    ("聂", 1), ("章", 1), ("鲁", 1), ("岳", 1), ("翟", 1), ("殷", 1), ("詹", 1), ("申", 1), ("耿", 1), ("关", 1),
    ("兰", 1), ("焦", 1), ("左", 1), ("柳", 1), ("甘", 1), ("祝", 1), ("包", 1), ("宁", 1), ("尚", 1), ("舒", 1),
    ("柯", 2), ("纪", 1), ("梅", 1), ("童", 1), ("储", 1), ("毕", 1), ("单", 1), ("裴", 1), ("涂", 1), ("成", 1),
    ("苗", 1), ("谷", 1), ("冉", 2), ("骆", 1), ("路", 1), ("游", 1), ("辛", 1), ("靳", 1), ("欧阳", 0.5),
    ("司马", 0.2), ("诸葛", 0.1), ("上官", 0.1),
)

# Characters of given names by birth era (before 1960, 1960-1979, 1980-1999, since 2000) and
# gender: (first characters, second characters, share of one-character names).
_GIVEN: Final[tuple[tuple[tuple[str, str, float], tuple[str, str, float]], ...]] = (
    (
        ("建国德文志永长福玉树金宝家有明春学正忠启光世连才顺兴", "国华明强安林山才福成军民生荣贵发全祥忠义良武清海",
         0.1),
        ("秀桂玉淑凤兰春金翠月素彩冬菊美巧爱英", "英兰珍芳梅华莲花云香琴荣凤霞芝娥秀枝", 0.08),
    ),
    (
        ("建志永国海晓小伟勇军红文俊明立宏卫东新庆兵鹏涛平刚斌", "军伟强平刚勇斌辉明华峰涛波林杰东兵鹏飞亮磊宁超龙锋",
         0.25),
        ("丽晓小海春红秀玉美雪静彩燕艳婷琳芳慧亚爱金文凤", "丽娟霞燕芳红艳梅萍玲静敏琴华英莉平娜蓉荣云琼", 0.22),
    ),
    (
        ("浩俊博家明泽天佳宏鑫文志晓建凯鹏宇旭子嘉伟磊", "伟磊杰涛鹏飞超龙鑫浩宇阳博帅辉强斌楠豪航坤凯",
         0.22),
        ("丽婷晓雪静佳欣美思艳梦倩文雅慧丹玉小", "婷娟丹倩静雪燕敏洁琳颖艳娜璐蕾欢瑶佳悦", 0.18),
    ),
    (
        ("子梓浩宇俊博一嘉思明泽睿家皓晨天佳宏鑫文雨锦铭奕昊志", "轩涵宇辰浩杰然阳博睿泽豪航涛鹏哲瑞源晨铭凯翔文林宸恒",
         0.06),
        ("欣思梓雨诗子佳紫梦可一语雅若嘉心晓安依婉静", "怡涵萱琪彤悦妍颖雯婷欣瑶菲琳娜玥然宁洁蕾露萌", 0.05),
    ),
)  # fmt: skip

_MOBILE_PREFIXES: Final[tuple[str, ...]] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "191", "198", "199",
)  # fmt: skip


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_VILLAGES: Final[tuple[str, ...]] = tuple(
    name + "村"
    for name in _words(
        "双河 石门 龙王 长春 新华 胜利 柏树 黄石 大坪 金星 中坝 明星 沙坪 双胜 枞岭 红旗 五一 "
        "光明 联合 东坡 凤凰 天星 兴隆 安乐 白庙 大河 小河 马坪 茶园 桂花 黄龙 梨树 麻柳 青龙 "
        "松树 田坝 新民 杨柳 油坊 长岭 竹园 盘龙 龙泉 高桥 花园 新庄 七里 十里 前进 东风 庙坝 "
        "铁佛 青泥 太山 石梯 流水 关庙 双溪 清泉 牛蹄 金龙 松坝"
    )
)
_COMMUNITIES: Final[tuple[str, ...]] = tuple(
    name + "社区"
    for name in _words(
        "东关 西关 南街 北街 新华 育才 文化 大桥 滨江 香溪 金州 兴安 巴山 建民 培新 鼓楼 东坝 "
        "西坝 城东 城西 新城 河街 佑圣 白庙 张岭 五里 花园 五星"
    )
)
_STREETS: Final[tuple[str, ...]] = (
    "巴山路", "兴安路", "金州路", "育才路", "香溪路", "大桥路", "新城路", "建设路", "文化路", "解放路", "人民路",
    "东大街", "西大街", "南大街", "北大街", "滨江大道", "安康大道", "江北大道", "朝阳路", "和平路", "新华路",
    "民主路", "友谊路", "环城路", "体育路", "花园路", "长春路", "河堤路",
)  # fmt: skip
_GROUPS: Final[tuple[str, ...]] = tuple(
    f"{n}组" for n in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
)
_NATIVE_ELSEWHERE: Final[tuple[str, ...]] = (
    "湖北省十堰市郧西县", "湖北省十堰市竹山县", "湖北省十堰市竹溪县", "四川省达州市万源市", "重庆市城口县",
    "河南省南阳市淅川县", "陕西省汉中市镇巴县", "陕西省汉中市西乡县", "陕西省商洛市镇安县", "陕西省西安市长安区",
    "甘肃省天水市秦州区", "湖南省常德市桃源县",
)  # fmt: skip

# Nation codes and their share (per ten thousand) in 安康市; 江口回族镇 has many more Hui.
_NATION_SHARES: Final[tuple[tuple[str, float], ...]] = (
    ("01", 9890), ("03", 45), ("15", 20), ("11", 15), ("02", 10), ("06", 5), ("08", 5), ("04", 3), ("07", 3),
    ("12", 2), ("10", 2),
)  # fmt: skip
_NATION_SHARES_HUI: Final[tuple[tuple[str, float], ...]] = (("01", 8700), ("03", 1250), ("11", 30), ("15", 20))

# Age pyramid of the registered population on the snapshot date: weight per 5-year group 0-4 ... 95-99, 100.
_AGE_GROUP_WEIGHTS: Final[tuple[float, ...]] = (
    4.2, 5.4, 6.2, 6.1, 5.3, 5.0, 5.8, 8.0, 7.0, 6.7, 8.1, 8.4, 6.9, 4.8, 4.7, 3.1, 1.8, 0.9, 0.35, 0.09, 0.02,
)  # fmt: skip

# Population blocks per 100 dealt to each county (2020 census, registered population).
_COUNTY_BLOCKS: Final[dict[str, int]] = {
    "610902": 32, "610921": 10, "610922": 6, "610923": 2, "610924": 11, "610925": 6, "610926": 7, "610927": 2,
    "610929": 7, "610981": 17,
}  # fmt: skip

# Probability that an adult of the age is in a couple (the rest are single, widowed or divorced).
_MARRY: Final[tuple[float, ...]] = tuple(
    0.0 if a < 20 else 0.18 if a < 23 else 0.45 if a < 26 else 0.72 if a < 30 else 0.88 if a < 40
    else 0.92 if a < 60 else 0.85 if a < 70 else 0.68 if a < 80 else 0.45
    for a in range(101)
)  # fmt: skip

# Education of adults (22+) by birth year: (first birth year, ((code, weight), ...)).
_EDUCATION_BY_COHORT: Final[tuple[tuple[int, tuple[tuple[str, float], ...]], ...]] = (
    (0, (("90", 35), ("81", 40), ("71", 17), ("61", 6), ("41", 1), ("31", 1))),
    (1950, (("90", 12), ("81", 38), ("71", 35), ("61", 10), ("41", 3), ("31", 1.5), ("21", 0.5))),
    (1965, (("90", 3), ("81", 20), ("71", 47), ("61", 15), ("41", 6), ("31", 5), ("21", 3.5), ("14", 0.5))),
    (1980, (("90", 1), ("81", 5), ("71", 38), ("61", 17), ("41", 8), ("47", 3), ("31", 15), ("21", 12),
            ("14", 1.5), ("11", 0.2))),
    (1995, (("81", 2), ("71", 20), ("61", 15), ("41", 10), ("47", 3), ("31", 25), ("21", 21), ("14", 4))),
)  # fmt: skip
_EDUCATION_15_17: Final[tuple[tuple[str, float], ...]] = (("60", 60), ("40", 35), ("70", 5))
_EDUCATION_18_21: Final[tuple[tuple[str, float], ...]] = (("20", 25), ("30", 30), ("61", 20), ("41", 10), ("71", 15))

# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------

_REGION_NAME: Final[dict[str, str]] = {region.code: region.name for region in REGIONS}
_COUNTY_NAMES: Final[tuple[str, ...]] = tuple(_REGION_NAME[code] for code in COUNTY_CODES)
_TOWNSHIPS: Final[tuple[tuple[tuple[str, str], ...], ...]] = tuple(
    tuple((r.code, r.name) for r in REGIONS if r.level == "township" and r.parent_code == code)
    for code in COUNTY_CODES
)
_HANBIN: Final[int] = COUNTY_CODES.index("610902")


def _amr_name(region_code: str) -> str:
    for department in DEPARTMENTS:
        if department.code.endswith("-amr") and department.region_code == region_code:
            return department.name
    raise LookupError(region_code)


_AMR_NAMES: Final[tuple[str, ...]] = tuple(_amr_name(code) for code in COUNTY_CODES)
_CITY_AMR_NAME: Final[str] = _amr_name(CITY_CODE)
_TAX_NAMES: Final[tuple[str, ...]] = tuple(
    f"国家税务总局安康市{name}税务局" if name.endswith("区") else f"国家税务总局{name}税务局" for name in _COUNTY_NAMES
)
_CITY_TAX_NAME: Final[str] = "国家税务总局安康高新技术产业开发区税务局"


def _station_name(county: int, township: str) -> str:
    short = township.removesuffix("街道").removesuffix("镇").replace("回族", "")
    if COUNTY_CODES[county] == "610902":
        return f"安康市公安局汉滨分局{short}派出所"
    return f"{_COUNTY_NAMES[county]}公安局{short}派出所"


def _lookup(weights: Sequence[tuple[T, float]], size: int = 10_000) -> tuple[T, ...]:
    """A table of ``size`` entries in which each value appears in proportion to its weight.

    Drawing ``table[int(random() * size)]`` is a weighted choice without a bisect per draw.
    Every value with a positive weight gets at least one entry.
    """
    total = sum(weight for _, weight in weights)
    counts = [max(1, int(weight / total * size)) if weight > 0 else 0 for _, weight in weights]
    # Give the remaining entries to (or take surplus entries from) the largest values.
    order = sorted(range(len(weights)), key=lambda i: -weights[i][1])
    diff = size - sum(counts)
    i = 0
    while diff:
        k = order[i % len(order)]
        if diff > 0:
            counts[k] += 1
            diff -= 1
        elif counts[k] > 1:
            counts[k] -= 1
            diff += 1
        i += 1
    table: list[T] = []
    for (value, _), count in zip(weights, counts, strict=True):
        table.extend([value] * count)
    return tuple(table)


# ---------------------------------------------------------------------------
# Precomputed tables (built once, on first use)
# ---------------------------------------------------------------------------

_RIC_WEIGHTS: Final[tuple[int, ...]] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK: Final[str] = "10X98765432"
_BLOCK: Final[int] = 64  # persons per population block
_MULTIPLICITY: Final[int] = 8  # most frequent birth dates appear 8 times in the slot table
_SEQ_STRIDE: Final[int] = 617  # coprime with 999: spreads slot numbers over the sequence numbers
_REPS_PER_BLOCK: Final[int] = 6  # legal representatives drawn from one population block


def _weighted_sum(text: str, offset: int) -> int:
    return sum(int(c) * w for c, w in zip(text, _RIC_WEIGHTS[offset : offset + len(text)], strict=True))


class _Tables:
    """Lookup tables shared by every generator; see the module docstring for the slot scheme."""

    def __init__(self) -> None:
        rng = random.Random(20260101)
        first = datetime.date(_FIRST_YEAR, 1, 1).toordinal()
        last = _SNAPSHOT.toordinal()
        self.day_iso: list[str] = []
        self.day_ymd: list[str] = []
        self.day_year: list[int] = []
        self.day_sum: list[int] = []
        for ordinal in range(first, last + 1):
            date = datetime.date.fromordinal(ordinal)
            ymd = f"{date.year:04d}{date.month:02d}{date.day:02d}"
            self.day_iso.append(f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}")
            self.day_ymd.append(ymd)
            self.day_year.append(date.year)
            self.day_sum.append(_weighted_sum(ymd, 6))
        # Weight of every age 0..100, interpolated between the centres of the 5-year groups.
        centres = [2 + 5 * g for g in range(len(_AGE_GROUP_WEIGHTS))]
        age_weight: list[float] = []
        for age in range(101):
            g = min(max((age - 2) // 5, 0), len(centres) - 2)
            t = min(max((age - centres[g]) / 5, 0.0), 1.0)
            age_weight.append(_AGE_GROUP_WEIGHTS[g] * (1 - t) + _AGE_GROUP_WEIGHTS[g + 1] * t)
        top = max(age_weight)
        slots: list[int] = []
        for day, year in enumerate(self.day_year):
            expected = age_weight[_SNAPSHOT_YEAR - year] / top * _MULTIPLICITY
            count = min(_MULTIPLICITY, int(expected) + (1 if rng.random() < expected % 1 else 0))
            slots.extend((day << 3) | occurrence for occurrence in range(count))
        rng.shuffle(slots)
        self.slots = slots
        self.slot_count = len(slots)
        self.day_offset = [rng.randrange(999) for _ in self.day_year]
        self.seq3 = [f"{s:03d}" for s in range(1000)]
        self.seq_sum = [_weighted_sum(f"{s:03d}", 14) for s in range(1000)]
        # Region code a resident ID carries, by county and birth year, with its weighted digit sum.
        self.birth_code: list[list[str]] = [
            [birth_region_code(code, datetime.date(year, 7, 1)) for year in range(_FIRST_YEAR, _SNAPSHOT_YEAR + 1)]
            for code in COUNTY_CODES
        ]
        self.region_sum = {code: _weighted_sum(code, 0) for row in self.birth_code for code in row}
        # Blocks are dealt to counties in a cycle of 100, spread evenly over the cycle.
        weights = [_COUNTY_BLOCKS[code] for code in COUNTY_CODES]
        marks = sorted(((k + 0.5) / w, c, k) for c, w in enumerate(weights) for k in range(w))
        self.cycle = len(marks)
        self.block_county = [c for _, c, _ in marks]
        self.block_rank = [k for _, _, k in marks]
        self.county_blocks = weights
        # Weighted draw tables.
        self.surnames = _lookup(_SURNAMES, 1 << 14)
        self.nations = _lookup(_NATION_SHARES, 1 << 14)
        self.nations_hui = _lookup(_NATION_SHARES_HUI, 1 << 14)
        self.prefixes = _lookup([(prefix, 1.0) for prefix in _MOBILE_PREFIXES], 1024)
        # Tables by birth year (index: year - _FIRST_YEAR), drawn with 10 random bits.
        years = range(_FIRST_YEAR, _SNAPSHOT_YEAR + 1)
        self.day_year_index = [year - _FIRST_YEAR for year in self.day_year]
        self.birth_code_sum = [[self.region_sum[code] for code in row] for row in self.birth_code]
        cohorts = [(since, _lookup(shares, 1024)) for since, shares in _EDUCATION_BY_COHORT]
        at_school = {
            age: _lookup([(code, 1.0)], 1024) for age, code in ((0, "90"), (6, "80"), (12, "70"))
        }
        self.education_by_year: list[tuple[str, ...]] = []
        for year in years:
            age = _SNAPSHOT_YEAR - year
            if age >= 22:
                table = next(table for since, table in reversed(cohorts) if year >= since)
            elif age >= 18:
                table = _lookup(_EDUCATION_18_21, 1024)
            elif age >= 15:
                table = _lookup(_EDUCATION_15_17, 1024)
            else:
                table = at_school[12 if age >= 12 else 6 if age >= 6 else 0]
            self.education_by_year.append(table)
        # Per era and gender (False: men): first characters, second characters and the share of
        # one-character names in 1024ths.
        given = [
            [
                (
                    _lookup([(c, 1.0) for c in first_chars], 1024),
                    _lookup([(c, 1.0) for c in second_chars], 1024),
                    int(single * 1024),
                )
                for first_chars, second_chars, single in era
            ]
            for era in _GIVEN
        ]
        self.given_by_year = [given[(year >= 1960) + (year >= 1980) + (year >= 2000)] for year in years]
        self.phone_share = [870 if _SNAPSHOT_YEAR - year >= 14 else 0 for year in years]  # in 1024ths
        self.former_share = [0.03 if _SNAPSHOT_YEAR - year >= 30 else 0.0 for year in years]
        # Townships by county: (address prefix, share of urban addresses in 1024ths, police
        # station, 回族 town); 城关镇 are larger than the other towns.
        townships: list[tuple[tuple[str, int, str, bool], ...]] = []
        for county, rows in enumerate(_TOWNSHIPS):
            weighted: list[tuple[tuple[str, int, str, bool], float]] = []
            for _, name in rows:
                urban = 1024 if name.endswith("街道") else 614 if name == "城关镇" else 0
                weight = 1.2 if urban == 1024 else 2.0 if name == "城关镇" else 0.8 if county == _HANBIN else 1.0
                prefix = f"陕西省安康市{_COUNTY_NAMES[county]}{name}"
                weighted.append(((prefix, urban, _station_name(county, name), "回族" in name), weight))
            townships.append(_lookup(weighted, 1024))
        self.townships = townships
        self.villages = _lookup([(v, 1.0) for v in _VILLAGES], 1024)
        self.groups = _lookup([(g, 1.0) for g in _GROUPS], 1024)
        self.communities = _lookup([(c, 1.0) for c in _COMMUNITIES], 1024)
        self.streets = _lookup([(s, 1.0) for s in _STREETS], 1024)
        self.birthplace = [f"陕西省安康市{name}" for name in _COUNTY_NAMES]
        # 籍贯: mostly the county of birth, some from another county or from outside the city.
        self.natives = [
            _lookup(
                [(place, 86.0)]
                + [(other, 7.0 / (len(COUNTY_CODES) - 1)) for other in self.birthplace if other != place]
                + [(elsewhere, 7.0 / len(_NATIVE_ELSEWHERE)) for elsewhere in _NATIVE_ELSEWHERE],
                1024,
            )
            for place in self.birthplace
        ]


@functools.cache
def _tables() -> _Tables:
    return _Tables()


# ---------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Block:
    rows: tuple[dict[str, str], ...]
    ages: tuple[int, ...]
    county: int


def _block_county(block: int) -> tuple[int, int]:
    """(county index, county-local block number) of a population block."""
    t = _tables()
    cycle, position = divmod(block, t.cycle)
    county = t.block_county[position]
    return county, cycle * t.county_blocks[county] + t.block_rank[position]


def _build_block(seed: int, block: int) -> _Block:
    t = _tables()
    county, local_block = _block_county(block)

    # --- birth date and sequence number of the 64 persons (see the module docstring) ---------
    slot_count = t.slot_count
    base = local_block * _BLOCK + (seed * 7919 + county * 104_729) % slot_count
    seed_offset = seed * 131
    slots, day_offset, day_year = t.slots, t.day_offset, t.day_year
    days: list[int] = []
    seqs: list[int] = []
    ages: list[int] = []
    for j in range(_BLOCK):
        passes, u = divmod(base + j, slot_count)
        slot = slots[u]
        day = slot >> 3
        s = passes * _MULTIPLICITY + (slot & 7)
        if s > 998:
            raise OverflowError("population index too large for unique resident IDs")
        days.append(day)
        seqs.append((s * _SEQ_STRIDE + day_offset[day] + seed_offset) % 999 + 1)
        ages.append(_SNAPSHOT_YEAR - day_year[day])
    female = [seq % 2 == 0 for seq in seqs]  # the 17th digit is even for women

    rng = random.Random(seed * 0x2545F491 + block * 0x9E3779B1 + 1)
    rand = rng.random
    getrandbits = rng.getrandbits

    # --- households ----------------------------------------------------------------------------
    # A unit is [head, spouse or -1, parents, children, grandchildren, others, parent age, size,
    # children-in-law].
    order = sorted(range(_BLOCK), key=ages.__getitem__, reverse=True)
    marital = ["10"] * _BLOCK
    units: list[list[Any]] = []
    singles: list[int] = []
    youth: list[int] = []
    waiting: tuple[list[int], list[int]] = ([], [])
    unpaired: list[int] = []
    for j in order:  # oldest first: couples of similar age
        age = ages[j]
        if age < 20:
            youth.append(j)
            continue
        if rand() < _MARRY[age]:
            others = waiting[not female[j]]
            if others and ages[others[-1]] - age > 8:
                unpaired.extend(others)
                others.clear()
            if others:
                q = others.pop()
                husband, wife = (q, j) if female[j] else (j, q)
                marital[husband] = marital[wife] = "20"
                head, spouse = (husband, wife) if rand() < 0.85 else (wife, husband)
                units.append([head, spouse, [], [], [], [], age, 2, []])
            else:
                waiting[female[j]].append(j)
        else:
            singles.append(j)
            r = rand()
            if age >= 60:
                marital[j] = "30" if r < 0.8 else "40" if r < 0.9 else "10"
            elif age >= 35:
                marital[j] = "10" if r < 0.3 else "40" if r < 0.7 else "30"
    unpaired.extend(waiting[0])
    unpaired.extend(waiting[1])
    for j in unpaired:
        r = rand()
        if ages[j] >= 60:
            marital[j] = "30" if r < 0.75 else "20"
        elif ages[j] >= 35:
            marital[j] = "20" if r < 0.5 else "40" if r < 0.8 else "30"
        else:  # married with the spouse registered elsewhere, or divorced
            marital[j] = "20" if r < 0.7 else "40"
        singles.append(j)
    singles.sort(key=ages.__getitem__, reverse=True)
    # Couples were created oldest first, so their parent ages (the younger partner's) descend:
    # the couples whose children could be of a given age form a slice found by bisection.
    couples = units[:]
    couple_keys = [-unit[6] for unit in couples]
    for j in singles:
        age = ages[j]
        placed = False
        if marital[j] == "10" and age < 40 and rand() < 0.75:
            # Unmarried adult children stay with their parents.
            for unit in couples[bisect_left(couple_keys, -age - 42) : bisect_right(couple_keys, -age - 20)]:
                if unit[7] < 6:
                    unit[3].append(j)
                    unit[7] += 1
                    placed = True
                    break
        elif age >= 65 and marital[j] != "10" and rand() < 0.5:
            # A widowed parent lives with a child's family.
            for unit in couples[bisect_left(couple_keys, 20 - age) : bisect_right(couple_keys, 50 - age)]:
                if (
                    unit[7] < 6
                    and 20 <= age - ages[unit[0]] <= 42
                    and not any(female[p] == female[j] for p in unit[2])
                ):
                    unit[2].append(j)
                    unit[7] += 1
                    placed = True
                    break
        if not placed:
            units.append([j, -1, [], [], [], [], age, 1, []])
    units.sort(key=lambda unit: unit[6], reverse=True)
    keys = [-unit[6] for unit in units]
    for j in youth:  # oldest first, each to the parents with the fewest children so far
        age = ages[j]
        lo = bisect_left(keys, -age - 42)
        best: list[Any] | None = None
        if age < 16 and rand() < 0.12:  # left behind with the grandparents by parents working away
            for unit in units[bisect_left(keys, -age - 75) : lo]:
                if unit[7] < 6 and (best is None or len(unit[4]) < len(best[4])):
                    best = unit
            if best is not None:
                best[4].append(j)
                best[7] += 1
                continue
        for unit in units[lo : bisect_right(keys, -age - 20)]:
            if unit[7] < 6 and (best is None or len(unit[3]) < len(best[3])):
                best = unit
        if best is not None:
            best[3].append(j)
            best[7] += 1
            continue
        for unit in units[bisect_left(keys, -age - 75) : lo]:  # with the grandparents
            if unit[7] < 6 and (best is None or len(unit[4]) < len(best[4])):
                best = unit
        if best is not None:
            best[4].append(j)
            best[7] += 1
            continue
        if age < 16:
            for unit in units:  # with an uncle or aunt
                if unit[7] < 6 and ages[unit[0]] - age >= 18:
                    unit[5].append(j)
                    unit[7] += 1
                    best = unit
                    break
        if best is None:
            units.append([j, -1, [], [], [], [], age, 1, []])
    # Many young couples live with the husband's parents: three generations in one household.
    units.sort(key=lambda unit: unit[6], reverse=True)
    keys = [-unit[6] for unit in units]
    for unit in units:
        if unit[1] < 0 or unit[6] > 38 or unit[2] or unit[4] or unit[5] or rand() >= 0.35:
            continue
        husband, wife = (unit[1], unit[0]) if female[unit[0]] else (unit[0], unit[1])
        age = ages[husband]
        for target in units[bisect_left(keys, -age - 40) : bisect_right(keys, -age - 20)]:
            if target is not unit and target[7] > 0 and target[7] + unit[7] <= 6 and not target[8]:
                target[3].append(husband)
                target[8].append(wife)
                target[4].extend(unit[3])
                target[7] += unit[7]
                unit[7] = 0
                break
    units = [unit for unit in units if unit[7]]
    rng.shuffle(units)

    # --- rows ----------------------------------------------------------------------------------
    day_iso, day_ymd, day_sum = t.day_iso, t.day_ymd, t.day_sum
    seq3, seq_sum = t.seq3, t.seq_sum
    birth_codes = t.birth_code[county]
    code_sums = t.birth_code_sum[county]
    day_year_index = t.day_year_index
    ric_check = _RIC_CHECK
    surnames, prefixes = t.surnames, t.prefixes
    given_by_year, education_by_year = t.given_by_year, t.education_by_year
    phone_share, former_share = t.phone_share, t.former_share
    townships = t.townships[county]
    county_code = COUNTY_CODES[county]
    birthplace = t.birthplace[county]
    first_index = block * _BLOCK
    rows: list[dict[str, str]] = []
    out_ages: list[int] = []

    natives = t.natives[county]
    villages, groups, communities, streets = t.villages, t.groups, t.communities, t.streets

    for head, spouse, parents, children, grandchildren, others, _, _, in_laws in units:
        # The resource's 户籍地行政区划代码 has 6 digits, so rows carry the county code.
        prefix, urban_share, station, hui = townships[getrandbits(10)]
        bits = getrandbits(40)
        if bits & 1023 < urban_share:
            address = (
                f"{prefix}{communities[(bits >> 10) & 1023]}{streets[(bits >> 20) & 1023]}{1 + ((bits >> 30) & 127)}号"
            )
        else:
            address = f"{prefix}{villages[(bits >> 10) & 1023]}{groups[(bits >> 20) & 1023]}{1 + ((bits >> 30) & 63)}号"
        household_no = f"{((first_index + len(rows)) * 387_420_489 + seed * 1_000_003 + 12_345) % 10**9:09d}"
        nation = (t.nations_hui if hui else t.nations)[getrandbits(14)]
        # Children take the father's surname, grandchildren and nephews the family's.
        head_surname = surnames[getrandbits(14)]
        spouse_surname = ""
        if spouse >= 0:
            spouse_surname = surnames[getrandbits(14)]
            father_surname = spouse_surname if female[head] else head_surname
        elif female[head]:
            father_surname = head_surname if rand() < 0.35 else surnames[getrandbits(14)]
        else:
            father_surname = head_surname
        family_surname = father_surname if female[head] else head_surname
        head_native = natives[getrandbits(10)]
        family_native = head_native if not female[head] or spouse < 0 else natives[getrandbits(10)]
        members: list[tuple[int, str, str, str, str]] = [(head, "02", head_surname, nation, head_native)]
        if spouse >= 0:
            spouse_nation = nation if rand() < 0.95 else t.nations[getrandbits(14)]
            members.append(
                (spouse, "12" if female[spouse] else "11", spouse_surname, spouse_nation, natives[getrandbits(10)])
            )
        for p in parents:
            if female[p]:
                members.append((p, "52", surnames[getrandbits(14)], nation, natives[getrandbits(10)]))
            else:
                members.append((p, "51", head_surname, nation, head_native))
        if len(children) == 1:
            c = children[0]
            members.append((c, "31" if female[c] else "21", father_surname, nation, family_native))
        elif children:
            children.sort(key=ages.__getitem__, reverse=True)
            sons = daughters = 0
            for c in children:
                if female[c]:
                    members.append((c, _DAUGHTERS[daughters], father_surname, nation, family_native))
                    daughters += 1
                else:
                    members.append((c, _SONS[sons], father_surname, nation, family_native))
                    sons += 1
        for w in in_laws:  # 儿媳
            members.append((w, "38", surnames[getrandbits(14)], nation, natives[getrandbits(10)]))
        for g in grandchildren:
            members.append((g, "42" if female[g] else "41", family_surname, nation, family_native))
        for o in others:
            members.append((o, "94" if female[o] else "93", family_surname, nation, family_native))
        head_name = ""
        for j, relation, family_name, person_nation, native_place in members:
            day = days[j]
            y = day_year_index[day]  # birth year - _FIRST_YEAR
            seq = seqs[j]
            is_female = female[j]
            bits = getrandbits(60)
            first_chars, second_chars, single = given_by_year[y][is_female]
            if bits & 1023 < single:
                name = family_name + second_chars[(bits >> 10) & 1023]
            else:
                name = family_name + first_chars[(bits >> 20) & 1023] + second_chars[(bits >> 10) & 1023]
            if (bits >> 40) & 1023 < phone_share[y]:
                phone = f"{prefixes[(bits >> 50) & 1023]}{getrandbits(27) % 100_000_000:08d}"
            else:
                phone = ""
            if rand() < former_share[y]:
                former_name = family_name + first_chars[getrandbits(10)] + second_chars[getrandbits(10)]
            else:
                former_name = ""
            if relation == "02":
                head_name = name
            rows.append(
                {
                    "id_number": birth_codes[y]
                    + day_ymd[day]
                    + seq3[seq]
                    + ric_check[(code_sums[y] + day_sum[day] + seq_sum[seq]) % 11],
                    "name": name,
                    "gender": "女" if is_female else "男",
                    "nation": person_nation,
                    "birth_date": day_iso[day],
                    "former_name": former_name,
                    "birthplace": birthplace,
                    "native_place": native_place,
                    "education": education_by_year[y][(bits >> 30) & 1023],
                    "marital_status": marital[j],
                    "household_no": household_no,
                    "household_type": "1",
                    "household_head": head_name,
                    "relation_to_head": relation,
                    "reg_address": address,
                    "reg_region": county_code,
                    "police_station": station,
                    "phone": phone,
                }
            )
            out_ages.append(ages[j])
    return _Block(tuple(rows), tuple(out_ages), county)


@functools.lru_cache(maxsize=64)
def _cached_block(seed: int, block: int) -> _Block:
    return _build_block(seed, block)


def population(n: int, seed: int = 2026) -> Iterator[dict[str, str]]:
    """Yield ``n`` registered residents (户籍人口基本信息 rows), streaming.

    Row ``i`` equals :func:`person_at` ``(i, seed)``. Resident IDs are unique by construction and
    households never span the blocks of 64 rows, so any prefix of the stream is self-consistent
    except possibly for the last, cut household.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    blocks = -(-n // _BLOCK)
    for block in range(blocks):
        rows = _build_block(seed, block).rows
        if (block + 1) * _BLOCK > n:
            rows = rows[: n - block * _BLOCK]
        yield from rows


def person_at(index: int, seed: int = 2026) -> dict[str, str]:
    """Row ``index`` of :func:`population` ``(…, seed)``, without generating the rows before it."""
    if index < 0:
        raise ValueError("index must not be negative")
    block, position = divmod(index, _BLOCK)
    return dict(_cached_block(seed, block).rows[position])


# ---------------------------------------------------------------------------
# Legal entities
# ---------------------------------------------------------------------------

# Enterprise industries: (name word, GB/T 4754-2017 code, business scope, capital scale 1-3, weight).
_INDUSTRIES: Final[tuple[tuple[str, str, str, int, float], ...]] = (
    ("富硒茶业", "C1530", "茶叶种植、加工、销售；富硒农产品收购、加工、销售；预包装食品销售", 2, 5),
    ("茶业", "A0164", "茶叶种植；茶叶初加工；茶叶及茶制品销售；农产品收购", 2, 4),
    ("农业科技", "M7511", "农业技术开发、技术咨询、技术服务；农作物种植；农产品初加工及销售", 2, 6),
    ("农业开发", "A0190", "农作物种植；林下经济开发；农产品收购、销售；休闲农业观光服务", 2, 4),
    ("生态农业", "A0141", "蔬菜种植；食用菌种植；农产品销售；休闲观光服务", 1, 3),
    ("魔芋制品", "C1371", "魔芋种植、收购、加工、销售；食品生产；预包装食品销售", 2, 2),
    ("中药材", "A0171", "中药材种植、收购、初加工及销售；林下种植", 1, 2),
    ("生物科技", "M7512", "生物技术推广服务；植物提取物研发、生产、销售；保健食品销售", 2, 3),
    ("食品", "C1499", "食品生产；食品销售；农副产品收购、加工", 2, 3),
    ("生猪养殖", "A0313", "生猪养殖、销售；饲料销售；畜禽粪污处理", 2, 2),
    ("建材", "F5165", "建筑材料、装饰材料、五金交电、水暖器材销售", 1, 6),
    ("新型建材", "C3021", "水泥制品、预拌混凝土、新型墙体材料生产、销售", 3, 2),
    ("商贸", "F5199", "日用百货、五金交电、农副产品、建筑材料销售；货物进出口", 1, 10),
    ("物流", "G5431", "普通货物道路运输；仓储服务（不含危险化学品）；装卸搬运；物流信息咨询", 2, 4),
    ("餐饮管理", "H6210", "餐饮服务；餐饮管理；食品销售；会议及展览服务", 1, 4),
    ("酒店管理", "H6110", "住宿服务；餐饮服务；酒店管理；会议服务", 2, 2),
    ("置业", "K7010", "房地产开发经营；物业管理；房屋租赁", 3, 3),
    ("物业管理", "K7020", "物业管理；家政服务；停车场服务；园林绿化工程施工", 1, 3),
    ("建筑工程", "E4790", "房屋建筑工程、市政公用工程、水利水电工程施工；建筑劳务分包", 3, 5),
    ("建筑劳务", "E5090", "建筑劳务分包；建筑物拆除；土石方工程施工；机械设备租赁", 1, 3),
    ("装饰工程", "E5012", "住宅室内装饰装修；建筑装饰工程施工；门窗安装；水电安装", 1, 4),
    ("电子科技", "C3990", "电子产品研发、生产、销售；电子元器件制造；计算机软硬件销售", 2, 3),
    ("信息技术", "I6513", "软件开发；信息系统集成服务；信息技术咨询服务；数据处理服务", 1, 3),
    ("网络科技", "I6513", "网络技术开发、技术服务；互联网信息服务；电子商务平台运营", 1, 3),
    ("电子商务", "F5292", "互联网销售；农副产品销售；预包装食品销售；电子商务咨询服务", 1, 4),
    ("文化传媒", "L7259", "广告设计、制作、代理、发布；文化艺术交流活动策划；会议及展览服务", 1, 3),
    ("旅游开发", "N7869", "旅游景区开发、经营；旅游项目策划；住宿服务；餐饮服务", 3, 2),
    ("旅行社", "L7291", "国内旅游业务；入境旅游业务；旅游咨询服务；票务代理", 1, 1),
    ("汽车销售服务", "F5261", "汽车销售；汽车零配件销售；二手车经纪；机动车维修", 2, 2),
    ("劳务服务", "L7263", "劳务派遣服务；劳务服务（不含劳务派遣）；人力资源服务；职业中介活动", 1, 3),
    ("家政服务", "O8010", "家政服务；养老服务；保洁服务；母婴生活护理（不含医疗服务）", 1, 2),
    ("毛绒玩具", "C2459", "毛绒玩具设计、生产、销售；工艺品制造；货物进出口", 2, 3),
    ("服饰", "C1810", "服装、服饰生产、加工、销售；针纺织品销售", 1, 2),
    ("丝绸", "C1742", "蚕茧收购；缫丝、绢纺、丝织品加工及销售；蚕桑技术服务", 2, 1),
    ("矿业", "B1019", "建筑用砂石开采、加工、销售；矿产品销售", 3, 1),
    ("水电开发", "D4413", "水力发电；电力供应；水电站运营管理", 3, 1),
    ("新能源", "D4416", "太阳能发电；光伏设备及元器件销售；合同能源管理", 3, 1),
    ("医药", "F5151", "药品批发；医疗器械销售；中药材收购、销售", 2, 2),
    ("环保科技", "N7721", "环保技术开发；污水处理；固体废物治理；环境监测服务", 2, 1),
    ("健康管理", "Q8499", "健康管理咨询；养生保健服务（非医疗）；养老服务", 1, 2),
    ("粮油", "F5121", "粮油收购、销售；预包装食品销售；农副产品销售", 1, 2),
    ("印务", "C2319", "包装装潢印刷品印刷；其他印刷品印刷；广告设计、制作", 1, 1),
    ("工程咨询", "M7481", "工程管理服务；工程造价咨询；招标代理；工程监理", 1, 2),
    ("机械设备租赁", "L7113", "建筑工程机械与设备租赁；机械设备销售、维修", 1, 2),
)
# Individual businesses (个体工商户): (shop word, industry code, business scope, weight).
_SHOPS: Final[tuple[tuple[str, str, str, float], ...]] = (
    ("便利店", "F5213", "日用百货、预包装食品、烟草制品零售", 10),
    ("超市", "F5212", "预包装食品、散装食品、日用百货、生鲜果蔬零售", 6),
    ("蒸面馆", "H6220", "小型餐饮服务", 5),
    ("餐馆", "H6210", "餐饮服务", 8),
    ("小吃店", "H6220", "小吃服务；预包装食品销售", 5),
    ("火锅店", "H6210", "餐饮服务", 3),
    ("烧烤店", "H6210", "餐饮服务", 2),
    ("茶叶店", "F5227", "茶叶及茶制品零售；预包装食品销售", 4),
    ("五金店", "F5281", "五金产品、水暖器材、电线电缆零售", 4),
    ("建材店", "F5287", "建筑材料、装饰材料零售", 3),
    ("服装店", "F5232", "服装、鞋帽零售", 5),
    ("手机店", "F5274", "通信设备及配件零售；手机维修", 3),
    ("理发店", "O8040", "理发服务；美容服务（非医疗）", 4),
    ("汽车修理部", "O8111", "机动车维修；汽车零配件零售", 3),
    ("农资店", "F5299", "化肥、农药（不含危险化学品）、种子零售", 3),
    ("水果店", "F5223", "水果、蔬菜零售", 3),
    ("粮油店", "F5221", "粮油、预包装食品零售", 2),
    ("副食店", "F5219", "预包装食品、日用百货零售", 4),
    ("农家乐", "H6210", "餐饮服务；住宿服务；休闲观光", 3),
    ("民宿", "H6130", "民宿服务；餐饮服务", 2),
    ("豆腐坊", "C1392", "豆制品加工、销售", 1),
    ("腊肉加工坊", "C1353", "腊肉、香肠加工及销售（小作坊）", 1),
    ("养殖场", "A0313", "生猪养殖、销售", 2),
)
# Farmers' cooperatives (农民专业合作社): (product, industry code, business scope, weight).
_COOPS: Final[tuple[tuple[str, str, str, float], ...]] = (
    ("茶叶种植", "A0164", "组织成员开展茶叶种植、加工、销售；引进新技术、新品种；技术培训与信息服务", 6),
    ("魔芋种植", "A0123", "组织成员种植、收购、销售魔芋；提供魔芋种植技术服务", 3),
    ("生猪养殖", "A0313", "组织成员开展生猪养殖、销售；饲料采购；养殖技术服务", 4),
    ("中药材种植", "A0171", "组织成员种植、收购、销售中药材；提供种植技术服务", 3),
    ("食用菌", "A0142", "组织成员开展食用菌种植、加工、销售；技术培训", 2),
    ("蚕桑", "A0390", "组织成员栽桑养蚕；蚕茧收购、销售；蚕桑技术培训", 2),
    ("养蜂", "A0390", "组织成员养蜂；蜂蜜收购、销售；养蜂技术服务", 1),
    ("核桃种植", "A0161", "组织成员种植、收购、销售核桃；提供技术服务", 2),
    ("蔬菜种植", "A0141", "组织成员种植、销售蔬菜；农业生产资料购买", 3),
    ("土鸡养殖", "A0321", "组织成员开展土鸡养殖、销售；禽蛋收购、销售", 2),
    ("渔业", "A0412", "组织成员开展水产养殖、销售；渔业技术服务", 1),
    ("农机服务", "A0512", "农机作业服务；农机维修；农业技术咨询", 1),
    ("猕猴桃种植", "A0159", "组织成员种植、销售猕猴桃；提供技术服务", 1),
)
# Enterprise types: (entity type, name form, weight).
_ENTERPRISE_TYPES: Final[tuple[tuple[str, str, float], ...]] = (
    ("有限责任公司（自然人投资或控股）", "有限公司", 48),
    ("有限责任公司（自然人投资或控股）", "有限责任公司", 10),
    ("有限责任公司（自然人独资）", "有限公司", 22),
    ("股份有限公司（非上市、自然人投资或控股）", "股份有限公司", 2),
    ("个人独资企业", "", 12),
    ("普通合伙企业", "（普通合伙）", 6),
)
_SOLE_FORMS: Final[tuple[str, ...]] = ("厂", "经营部", "中心", "商行")
_TRADE_CHARS: Final[str] = (
    "鑫鼎盛宏华恒瑞祥泰兴德嘉锦润丰源通达顺和佳康福安荣昌隆博金俊宇辉凯翔怡馨雅诚信合众汇"
    "乾坤泽晟昊睿航远宁益利丰茂森林秀美新兆宝聚鸿运腾飞龙凤锐百千万义仁恒久永"
)
# Industries and shops that did not exist before a year (no 网络科技 company registered in 1995).
_SINCE: Final[dict[str, int]] = {
    "网络科技": 2006, "电子商务": 2012, "信息技术": 2000, "新能源": 2010, "毛绒玩具": 2017, "健康管理": 2008,
    "生物科技": 2000, "文化传媒": 2003, "家政服务": 2005, "劳务服务": 2003, "环保科技": 2005, "民宿": 2015,
    "手机店": 2002, "农家乐": 2006, "电子科技": 2000, "物业管理": 1998,
}  # fmt: skip
_TRADE_WORDS: Final[tuple[str, ...]] = _words(
    "汉江 瀛湖 秦巴 凤堰 金州 兴安 香溪 龙王 秦岭 巴山 汉水 南宫 化龙 牛山 天柱 飞渡 神河 "
    "月河 岚河 池河 旬河 蜀河 黄洲 女娲 金蚕 鎏金 富硒 硒源 硒谷 华硒 绿源 青山 翠峰 云雾 "
    "山水 田园 农夫 绿野 丰禾 稻香 茶香 清源 宏远 伟业 鸿运 兴旺 昌盛 同心 明达 卓越 智联 "
    "联创 启航 远航 星辰 晨曦 朝阳 东方 北辰 南山 中恒 信合 合众 众兴 兴隆 天成 万和 百川 "
    "千禾 亿通 众邦 金科 瑞达 长青 安澜 泰和 润泽 锦程 博远 众诚"
)
_CAPITAL_TIERS: Final[dict[int, tuple[tuple[str, float], ...]]] = {
    1: (("3", 5), ("5", 10), ("10", 20), ("20", 10), ("30", 10), ("50", 18), ("100", 17), ("200", 6), ("500", 4)),
    2: (("10", 5), ("50", 12), ("100", 25), ("200", 18), ("300", 12), ("500", 14), ("1000", 10), ("2000", 4)),
    3: (("100", 5), ("500", 15), ("1000", 25), ("2000", 20), ("3000", 10), ("5000", 15), ("10000", 7),
        ("20000", 3)),
}  # fmt: skip
_FIRST_ESTABLISHED: Final[int] = 1993
_EVALUATION_YEARS: Final[tuple[int, int]] = (2020, 2024)  # 纳税信用评价年度 published by the snapshot


@dataclass(frozen=True, slots=True)
class _Entity:
    uscc: str
    name: str
    kind: str  # enterprise / individual / cooperative
    entity_type: str
    reg_capital: str
    established: str
    established_year: int
    domicile: str
    business_scope: str
    reg_authority: str
    reg_status: str
    business_term_to: str
    industry_code: str
    approval_date: str
    closed_year: int | None  # year of 注销/吊销
    tax_authority: str


class _EntityTables:
    def __init__(self) -> None:
        t = _tables()
        self.industries = _lookup([(row, row[4]) for row in _INDUSTRIES], 1000)
        self.shops = _lookup([(row, row[3]) for row in _SHOPS], 1000)
        self.coops = _lookup([(row, row[3]) for row in _COOPS], 1000)
        self.types = _lookup([(row, row[2]) for row in _ENTERPRISE_TYPES], 1000)
        self.capital = {tier: _lookup(rows, 1000) for tier, rows in _CAPITAL_TIERS.items()}
        years = [(y, 1.0 if y < 2000 else 2.0 if y < 2008 else 4.0 if y < 2014 else 8.0)
                 for y in range(_FIRST_ESTABLISHED, _SNAPSHOT_YEAR + 1)]  # fmt: skip
        self.years = _lookup(years, 1000)
        counties = [(c, float(_COUNTY_BLOCKS[code])) for c, code in enumerate(COUNTY_CODES)]
        self.counties = _lookup(counties, 1000)
        self.townships = t.townships
        chars = list(dict.fromkeys(_TRADE_CHARS))
        combos = [a + b for a in chars for b in chars if a != b]
        self.trades = (*_TRADE_WORDS, *random.Random(2027).sample(combos, len(combos)))


@functools.cache
def _entity_tables() -> _EntityTables:
    return _EntityTables()


def _date_plus_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_ORG_CODE_VALUES: Final[dict[str, int]] = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_ORG_CODE_WEIGHTS: Final[tuple[int, ...]] = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_VALUES: Final[dict[str, int]] = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS: Final[tuple[int, ...]] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc(registration_dept: str, org_type: str, region_code: str, org_code_base: str) -> str:
    """:func:`tongban.demo.city.uscc` without its argument checks (the callers here are trusted)."""
    total = sum(_ORG_CODE_VALUES[c] * w for c, w in zip(org_code_base, _ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    first17 = (
        registration_dept + org_type + region_code + org_code_base + ("X" if value == 10 else str(value % 11))
    )
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[-total % 31]


def _org_code_base(index: int, seed: int, reform: bool) -> str:
    """A bijection of the index onto organisation-code bases: ``MA`` + 6 characters, or 8 digits."""
    if reform:
        value = (index * 48_271 + seed * 7_777_777 + 12_345) % 31**6
        chars = []
        for _ in range(6):
            value, r = divmod(value, 31)
            chars.append(USCC_ALPHABET[r])
        return "MA" + "".join(reversed(chars))
    value = (index * 7_654_321 + seed * 1_234_567 + 30_000_000) % 10**8
    return f"{value:08d}"


@functools.lru_cache(maxsize=8192)
def _entity(seed: int, index: int) -> _Entity:
    """Everything about entity ``index`` except its legal representative."""
    if index < 0:
        raise ValueError("index must not be negative")
    et = _entity_tables()
    rng = random.Random(seed * 0x5851F42D + index * 0x9E3779B1 + 7)
    rand = rng.random
    rep_county, _ = _block_county(index // _REPS_PER_BLOCK)
    r = rand()
    county = rep_county if r < 0.88 else et.counties[int(rand() * 1000)]
    r = rand()
    kind = "individual" if r < 0.30 else "cooperative" if r < 0.38 else "enterprise"
    city_level = kind == "enterprise" and rand() < 0.12
    if city_level:
        county = _HANBIN
    county_name = _COUNTY_NAMES[county]
    region = CITY_CODE if city_level else COUNTY_CODES[county]

    year = et.years[int(rand() * 1000)]
    first = datetime.date(year, 1, 1).toordinal()
    span = (datetime.date(year, 12, 31) if year < _SNAPSHOT_YEAR else _SNAPSHOT).toordinal() - first
    established = datetime.date.fromordinal(first + int(rand() * (span + 1)))
    reform = established >= datetime.date(2015, 10, 1)

    # The trade name (字号) is a bijection of the index modulo the number of trade names, so
    # entities that share one are far apart in the index and rarely share the rest of the name.
    trades = et.trades
    trade = trades[(index * 2_654_435_761 + seed * 97) % len(trades)]
    if kind == "individual":
        shop, industry_code, scope, _ = et.shops[int(rand() * 1000)]
        while _SINCE.get(shop, 0) > established.year:
            shop, industry_code, scope, _ = et.shops[int(rand() * 1000)]
        name = f"{county_name}{trade}{shop}"
        entity_type, org_type = "个体工商户", "2"
        capital = ("1", "2", "3", "5", "8", "10", "20", "30", "50")[int(rand() * 9)]
    elif kind == "cooperative":
        product, industry_code, scope, _ = et.coops[int(rand() * 1000)]
        name = f"{county_name}{trade}{product}专业合作社"
        entity_type, org_type = "农民专业合作社", "3"
        capital = ("10", "20", "50", "100", "200", "300", "500")[int(rand() * 7)]
    else:
        word, industry_code, scope, tier, _ = et.industries[int(rand() * 1000)]
        while _SINCE.get(word, 0) > established.year:
            word, industry_code, scope, tier, _ = et.industries[int(rand() * 1000)]
        entity_type, form, _ = et.types[int(rand() * 1000)]
        org_type = "1"
        capital = et.capital[tier][int(rand() * 1000)]
        if city_level:
            prefix = "陕西" if rand() < 0.3 else "安康市"
        else:
            r = rand()
            prefix = "安康" if r < 0.15 else "安康市" if r < 0.35 else county_name
        if entity_type == "个人独资企业":
            form = _SOLE_FORMS[int(rand() * len(_SOLE_FORMS))]
            if prefix.startswith("安康") or prefix == "陕西":
                prefix = county_name
            capital = et.capital[1][int(rand() * 1000)]
        elif entity_type == "普通合伙企业":
            form = _SOLE_FORMS[int(rand() * len(_SOLE_FORMS))] + form
        name = f"{prefix}{trade}{word}{form}"
    # Some registered capitals are not round numbers.
    capital = f"{int(capital) + int(rand() * 100) / 10:.2f}" if rand() < 0.2 else f"{int(capital)}.00"

    township_prefix, urban_share, _, _ = et.townships[county][int(rand() * 1024)]
    if city_level and rand() < 0.6:
        domicile = f"陕西省安康市高新技术产业开发区{_STREETS[int(rand() * len(_STREETS))]}{1 + int(rand() * 300)}号"
    elif urban_share or kind == "individual":
        domicile = f"{township_prefix}{_STREETS[int(rand() * len(_STREETS))]}{1 + int(rand() * 300)}号"
    else:
        domicile = (
            f"{township_prefix}{_VILLAGES[int(rand() * len(_VILLAGES))]}{_GROUPS[int(rand() * len(_GROUPS))]}"
        )

    age = _SNAPSHOT_YEAR - established.year
    r = rand()
    closed_year: int | None = None
    if r < min(0.3, 0.012 * age):
        status = "注销"
    elif r < min(0.3, 0.012 * age) + (0.06 if 3 <= age <= 20 else 0.0):
        status = "吊销"
    else:
        status = "在业" if kind == "individual" else "存续"
    remaining = _SNAPSHOT.toordinal() - established.toordinal()
    if status in ("注销", "吊销") and remaining > 60:
        changed = datetime.date.fromordinal(established.toordinal() + 30 + int(rand() * (remaining - 30)))
        closed_year = changed.year
    elif status in ("注销", "吊销"):
        status = "在业" if kind == "individual" else "存续"
        changed = established
    elif rand() < 0.4 and remaining > 30:
        changed = datetime.date.fromordinal(established.toordinal() + int(rand() * remaining))
    else:
        changed = established
    r = rand()
    term_years = 20 if r < 0.25 else 30 if r < 0.7 else 50
    while _date_plus_years(established, term_years) <= _SNAPSHOT and status in ("存续", "在业"):
        term_years += 20  # the term was extended
    term_to = _date_plus_years(established, term_years) - datetime.timedelta(days=1)

    return _Entity(
        uscc=_uscc("9", org_type, region, _org_code_base(index, seed, reform)),
        name=name,
        kind=kind,
        entity_type=entity_type,
        reg_capital=capital,
        established=established.isoformat(),
        established_year=established.year,
        domicile=domicile,
        business_scope=scope,
        reg_authority=_CITY_AMR_NAME if city_level else _AMR_NAMES[county],
        reg_status=status,
        business_term_to=term_to.isoformat(),
        industry_code=industry_code,
        approval_date=changed.isoformat(),
        closed_year=closed_year,
        tax_authority=_CITY_TAX_NAME if city_level else _TAX_NAMES[county],
    )


@functools.lru_cache(maxsize=256)
def _representatives(population_seed: int, seed: int, block: int) -> tuple[int, ...]:
    """Row positions in a population block of the adults picked as legal representatives, in order."""
    ages = _cached_block(population_seed, block).ages
    eligible = [p for p, age in enumerate(ages) if 23 <= age <= 68] or list(range(_BLOCK))
    random.Random(seed * 0x2545F491 + block).shuffle(eligible)
    return tuple(eligible)


def representative_index(index: int, population_seed: int = 2026, seed: int = 2027) -> int:
    """Population row index of the legal representative of entity ``index``."""
    block, k = divmod(index, _REPS_PER_BLOCK)
    positions = _representatives(population_seed, seed, block)
    return block * _BLOCK + positions[k % len(positions)]


def persons_needed(entities: int) -> int:
    """Population rows that contain the legal representatives of the first ``entities`` entities."""
    return 0 if entities <= 0 else ((entities - 1) // _REPS_PER_BLOCK + 1) * _BLOCK


def entity_at(index: int, seed: int = 2027, population_seed: int = 2026) -> dict[str, str]:
    """Row ``index`` of :func:`legal_entities` ``(…, population_seed, seed)``."""
    entity = _entity(seed, index)
    representative = person_at(representative_index(index, population_seed, seed), population_seed)
    return {
        "uscc": entity.uscc,
        "entity_name": entity.name,
        "legal_rep": representative["name"],
        "entity_type": entity.entity_type,
        "reg_capital": entity.reg_capital,
        "established_date": entity.established,
        "domicile": entity.domicile,
        "business_scope": entity.business_scope,
        "reg_authority": entity.reg_authority,
        "reg_status": entity.reg_status,
        "business_term_to": entity.business_term_to,
        "industry_code": entity.industry_code,
        "approval_date": entity.approval_date,
        "legal_rep_id": representative["id_number"],
    }


def legal_entities(n: int, population_seed: int = 2026, seed: int = 2027) -> Iterator[dict[str, str]]:
    """Yield ``n`` market entities (市场主体登记信息 rows): companies, sole proprietorships,
    partnerships, farmers' cooperatives and individual businesses, with unique USCCs.

    The legal representatives (经营者 for individual businesses) are persons of
    :func:`population` ``(…, population_seed)``; all of them lie within its first
    :func:`persons_needed` ``(n)`` rows. Row ``k`` equals :func:`entity_at` ``(k, seed, population_seed)``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    for index in range(n):
        yield entity_at(index, seed, population_seed)


# ---------------------------------------------------------------------------
# Tax credit
# ---------------------------------------------------------------------------


def credit_records(n: int, seed: int = 2028, entity_seed: int = 2027) -> Iterator[dict[str, str]]:
    """Yield ``n`` 纳税信用评价 results (企业纳税信用评价结果信息 rows), keyed by (uscc, evaluation_year).

    Entities are taken in order from :func:`entity_at` ``(k, entity_seed)``; individual businesses
    are skipped and every other entity gets one row per evaluation year 2020–2024 in which it
    existed (level M in its first year, none after it was closed), about 2.5 rows per entity on
    average, so the rows reference roughly the first ``n / 2.5`` entities.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    first_year, last_year = _EVALUATION_YEARS
    produced = 0
    index = 0
    while produced < n:
        entity = _entity(entity_seed, index)
        index += 1
        if entity.kind == "individual":
            continue
        rng = random.Random(seed * 0x5851F42D + index)
        rand = rng.random
        quality = rand()  # the taxpayer's usual standing
        end = last_year if entity.closed_year is None else min(last_year, entity.closed_year - 1)
        for year in range(max(first_year, entity.established_year), end + 1):
            if produced >= n:
                return
            score_draw = min(0.999, max(0.0, quality + (rand() - 0.5) * 0.3))
            if year == entity.established_year:
                level, score = "M", 70 + rand() * 19.9
            elif score_draw > 0.86:
                level, score = "A", 90 + rand() * 9.9
            elif score_draw > 0.2:
                level, score = "B", 70 + rand() * 19.9
            elif score_draw > 0.09:
                level, score = "M", 70 + rand() * 19.9
            elif score_draw > 0.03:
                level, score = "C", 40 + rand() * 29.9
            else:
                level, score = "D", rand() * 39.9
            produced += 1
            yield {
                "uscc": entity.uscc,
                "evaluation_year": str(year),
                "entity_name": entity.name,
                "credit_score": f"{score:.1f}",
                "tax_credit_level": level,
                "tax_authority": entity.tax_authority,
            }


# ---------------------------------------------------------------------------
# Social security
# ---------------------------------------------------------------------------

_BASE_FLOOR: Final[int] = 4494  # illustrative 2025 contribution base limits of 陕西省, 元 per month
_BASE_CEILING: Final[int] = 22470
_SCHEME_START: Final[int] = datetime.date(1995, 1, 1).toordinal()


def social_security(
    n: int,
    seed: int = 2029,
    population_seed: int = 2026,
    entity_seed: int = 2027,
    entity_count: int | None = None,
) -> Iterator[dict[str, str]]:
    """Yield ``n`` 企业职工基本养老保险 insured persons (参保信息 rows), keyed by id_number.

    Persons are taken in order from :func:`population` ``(…, population_seed)`` (about one in
    five is insured, so the rows reference roughly the first ``5 n`` persons); employers are
    enterprises among the first ``entity_count`` rows of :func:`legal_entities` (default ``n // 10``),
    small indices more often, as a few employers have many employees.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    employers = max(1, n // 10 if entity_count is None else entity_count)
    snapshot = _SNAPSHOT.toordinal()
    produced = 0
    block = 0
    while produced < n:
        built = _build_block(population_seed, block)
        rng = random.Random(seed * 0x2545F491 + block * 0x9E3779B1)
        rand = rng.random
        block += 1
        for person, age in zip(built.rows, built.ages, strict=True):
            if produced >= n:
                return
            female = person["gender"] == "女"
            retire_age = 55 if female else 60
            if 18 <= age < retire_age:
                if rand() >= 0.32:
                    continue
                retired = False
            elif retire_age <= age <= 90:
                if rand() >= 0.2:
                    continue
                retired = True
            else:
                continue
            birth = _ordinal(person["birth_date"])
            earliest = max(birth + 18 * 365 + 5, _SCHEME_START)
            retirement = birth + retire_age * 365 + retire_age // 4
            latest = (retirement - 15 * 365) if retired else snapshot - 30
            if latest <= earliest:
                continue
            first = earliest + int((latest - earliest) * rand() ** 1.5)
            end = retirement if retired else snapshot
            span_months = (end - first) * 12 // 365
            months = int(span_months * (0.75 + rand() * 0.25))
            if retired:
                months = max(months, 180)
                status = "退休"
            else:
                r = rand()
                status = "正常缴费" if r < 0.78 else "暂停缴费" if r < 0.95 else "终止参保"
            # Larger employers come first; an active contributor's employer is an operating enterprise.
            employer = _entity(entity_seed, int(employers * rand() ** 1.6))
            for _ in range(8):
                if employer.kind == "enterprise" and (employer.closed_year is None or status in ("退休", "终止参保")):
                    break
                employer = _entity(entity_seed, int(employers * rand() ** 1.6))
            # Many small employers pay on the lowest base.
            base = _BASE_FLOOR if rand() < 0.45 else min(_BASE_CEILING, int(_BASE_FLOOR * (1 + rand() ** 2 * 2.5)))
            balance = base * 0.08 * months * (0.55 + rand() * 0.4)
            produced += 1
            yield {
                "id_number": person["id_number"],
                "name": person["name"],
                "insured_unit": employer.name,
                "unit_uscc": employer.uscc,
                "insurance_type": "企业职工基本养老保险",
                "insured_status": status,
                "first_insured_date": datetime.date.fromordinal(first).isoformat(),
                "contribution_base": f"{base}.00",
                "contribution_months": str(months),
                "account_balance": f"{balance:.2f}",
            }


def _ordinal(iso: str) -> int:
    return datetime.date(int(iso[:4]), int(iso[5:7]), int(iso[8:10])).toordinal()


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def write_csv(
    rows: Iterable[dict[str, str]], path: str | os.PathLike[str], columns: Sequence[str] | None = None
) -> int:
    """Write rows to a UTF-8 CSV file (no BOM) with the item keys as header; return the row count.

    ``columns`` selects and orders the columns (default: the keys of the first row); keys not
    listed are left out and missing keys are written as empty values. The rows are streamed,
    never held in memory.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    header = list(columns) if columns is not None else (list(first) if first is not None else [])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        if first is None:
            return 0
        # itemgetter of one key returns the value itself, not a 1-tuple.
        values: Any = (
            itemgetter(*header) if len(header) > 1 else (lambda row: tuple(row[key] for key in header))
        )
        write = writer.writerow
        count = 0
        for row in itertools.chain((first,), iterator):
            try:
                write(values(row))
            except KeyError:
                write([row.get(key, "") for key in header])
            count += 1
    return count


KINDS: Final[dict[str, tuple[Callable[..., Iterator[dict[str, str]]], tuple[str, ...]]]] = {
    "population": (population, POPULATION_COLUMNS),
    "legal_entities": (legal_entities, LEGAL_ENTITY_COLUMNS),
    "credit": (credit_records, TAX_CREDIT_COLUMNS),
    "social_security": (social_security, SOCIAL_SECURITY_COLUMNS),
}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tongban.demo.registry_data KIND N OUT.csv [--seed S]``: write generated rows."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tongban.demo.registry_data", description="生成安康市演示基础库数据（CSV, UTF-8）"
    )
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("n", type=int, help="number of rows")
    parser.add_argument("out", help="CSV file to write")
    parser.add_argument("--seed", type=int, default=None, help="seed of this kind (default: the built-in one)")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.n < 0:
        parser.error("n must not be negative")
    generator, columns = KINDS[args.kind]
    started = time.perf_counter()
    rows = generator(args.n) if args.seed is None else generator(args.n, seed=args.seed)
    count = write_csv(rows, args.out, columns)
    seconds = time.perf_counter() - started
    provider, resource, keys, _ = RESOURCE_MATCHES[args.kind]
    print(
        f"{count} rows → {args.out} in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} rows/s); "
        f"resource {provider} {resource}, key {', '.join(keys)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
