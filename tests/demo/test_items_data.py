"""Invariants of the demo service items, bundles, search terms and judged query sets (pure data)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tongban.demo import items_data as data
from tongban.demo.catalog_data import RESOURCES
from tongban.demo.city import DEPARTMENTS
from tongban.demo.search_terms import TERM_KINDS, TERMS

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENT_CODES = {d.code: d for d in DEPARTMENTS}
CODES = {item.code for item in data.BASIC_ITEMS}
ITEMS = {item.code: item for item in data.BASIC_ITEMS}
BUNDLE_CODES = {b.code for b in data.BUNDLES}
FIRST: dict[str, data.Implementation] = {}
for _impl in data.IMPLEMENTATIONS:
    FIRST.setdefault(_impl.basic_code, _impl)
RESOURCE_ITEMS: dict[str, set[str]] = {}
for _resource in RESOURCES:
    RESOURCE_ITEMS.setdefault(_resource.name, set()).update(
        {i.key for i in _resource.items} | {i.name for i in _resource.items}
    )


def test_basic_catalog_size_types_codes_and_levels() -> None:
    assert len(data.BASIC_ITEMS) >= 150
    assert {item.item_type for item in data.BASIC_ITEMS} == set(data.ITEM_TYPES)
    assert len(CODES) == len(data.BASIC_ITEMS), "basic codes are unique"
    assert len({item.name for item in data.BASIC_ITEMS}) == len(data.BASIC_ITEMS), "names are unique"
    for item in data.BASIC_ITEMS:
        assert re.fullmatch(r"\d{12}", item.code), item
        assert item.code[:2] == data.TYPE_CODES[item.item_type], item
        assert item.level and set(item.level) <= set(data.LEVELS), item
        assert "《" in item.legal_basis, item


def test_stable_codes() -> None:
    assert data.code_of("食品经营许可") == "011010800000"
    assert data.code_of("内地居民结婚登记") == "071050100000"


def test_every_item_has_one_first_implementation_by_a_known_department() -> None:
    implemented = Counter(impl.basic_code for impl in data.IMPLEMENTATIONS)
    assert set(implemented) == CODES
    for impl in data.IMPLEMENTATIONS:
        dept = DEPARTMENT_CODES[impl.department_code]
        assert impl.region_code == dept.region_code, impl.basic_code
        assert 0 <= impl.promised_days <= impl.legal_days or impl.legal_days == 0, impl.basic_code
        assert impl.instant == (impl.promised_days == 0), impl.basic_code
        assert impl.visits in (0, 1, 2), impl.basic_code
        assert impl.conditions and impl.materials and impl.steps and impl.channels, impl.basic_code
        assert impl.service_objects and impl.consult_phone and impl.complaint_phone and impl.place and impl.hours
        assert impl.fee and impl.result_name, impl.basic_code
        assert impl.online or impl.visits >= 1, impl.basic_code
    # one implementation per (item, region)
    assert len({(i.basic_code, i.region_code) for i in data.IMPLEMENTATIONS}) == len(data.IMPLEMENTATIONS)


def test_county_implementations_vary_only_in_allowed_elements() -> None:
    first: dict[str, data.Implementation] = {}
    for impl in data.IMPLEMENTATIONS:
        first.setdefault(impl.basic_code, impl)
    others = [impl for impl in data.IMPLEMENTATIONS if impl is not first[impl.basic_code]]
    by_item = Counter(impl.basic_code for impl in others)
    assert sum(1 for n in by_item.values() if 2 <= n <= 3) >= 8
    assert all(n <= 3 for n in by_item.values())
    allowed = {"department_code", "region_code", "consult_phone", "place", "promised_days", "fee", "materials"}
    deviating = set()
    for impl in others:
        base = first[impl.basic_code]
        assert DEPARTMENT_CODES[impl.department_code].region_code != "610900", "county implementations"
        changed = {f for f in data.Implementation.__dataclass_fields__ if getattr(impl, f) != getattr(base, f)}
        assert changed <= allowed, (impl.basic_code, changed)
        if changed & {"promised_days", "fee", "materials"}:
            deviating.add(impl.basic_code)
    assert len(deviating) >= 5


def test_materials_know_their_source() -> None:
    sources = Counter()
    for impl in data.IMPLEMENTATIONS:
        for m in impl.materials:
            sources[m.source] += 1
            assert m.source in data.MATERIAL_SOURCES, m
            if m.source == "licence":
                assert m.ref, m
            elif m.source == "shared":
                resource, _, keys = m.ref.partition(":")
                assert resource in RESOURCE_ITEMS, m.ref
                assert keys and set(keys.split(",")) <= RESOURCE_ITEMS[resource], m.ref
            elif m.source == "bundle":
                assert m.ref in CODES, m.ref
                assert any(
                    {impl.basic_code, m.ref} <= {x.basic_code for x in b.members} for b in data.BUNDLES
                ), (impl.basic_code, m.ref)
            elif m.source == "waived":
                assert not m.required and m.note, m
            else:
                assert not m.ref, m
    assert set(sources) == set(data.MATERIAL_SOURCES)
    assert sources["licence"] + sources["shared"] > sources["upload"] / 3
    assert set(data.REFERENCED_LICENCE_TYPES) >= {"居民身份证", "营业执照", "结婚证", "出生医学证明", "不动产权证书"}


def test_bundles() -> None:
    assert len(data.BUNDLES) >= 5
    assert len(BUNDLE_CODES) == len(data.BUNDLES)
    names = {b.name for b in data.BUNDLES}
    assert {"新生儿出生一件事", "身后一件事", "开办餐饮店一件事", "企业开办一件事", "退休一件事"} <= names
    for bundle in data.BUNDLES:
        assert bundle.audience in ("person", "enterprise")
        assert bundle.lead_department_code in DEPARTMENT_CODES
        assert len(bundle.members) >= 3 and bundle.guide
        assert len({m.basic_code for m in bundle.members}) == len(bundle.members)
        departments = {FIRST[m.basic_code].department_code for m in bundle.members}
        assert len(departments) >= 2, "bundles span departments"
        for member in bundle.members:
            assert member.basic_code in CODES
            if member.condition is not None:
                assert member.condition.op in data.CONDITION_OPS
                assert member.condition.field and member.condition.label
                if member.condition.op == "in":
                    assert isinstance(member.condition.value, tuple)
    area = [m.condition for b in data.BUNDLES for m in b.members if m.condition and m.condition.op == ">"]
    assert area, "a numeric condition (e.g. floor area) exists"


def test_events_and_high_frequency() -> None:
    covered = set()
    for events in (data.LIFE_EVENTS, data.BUSINESS_EVENTS):
        for event, codes in events.items():
            assert codes and set(codes) <= CODES, event
            covered |= set(codes)
    assert covered == CODES
    assert {"生育", "教育", "就业", "婚姻", "住房", "社保", "医疗", "养老", "残疾", "出行", "身后事"} <= set(data.LIFE_EVENTS)
    assert {"开办", "经营", "变更", "工程建设", "注销"} <= set(data.BUSINESS_EVENTS)
    assert 15 <= len(data.HIGH_FREQUENCY) <= 25 and set(data.HIGH_FREQUENCY) <= CODES


def test_search_terms() -> None:
    assert len(TERMS) >= 300
    assert {t.kind for t in TERMS} == set(TERM_KINDS)
    seen = set()
    for term in TERMS:
        assert term.word and term.official and term.source, term
        assert term.word != term.official, term
        assert (term.word, term.official) not in seen, term
        seen.add((term.word, term.official))
    departments = {t.official for t in TERMS if t.kind == "department"}
    for name in ("市场监督管理局", "人力资源和社会保障局", "住房和城乡建设局", "住房公积金管理中心", "医疗保障局"):
        assert name in departments, name


PORTAL_KINDS = ("colloquial", "abbreviation", "synonym", "situation", "department", "pinyin_initials", "typo",
                "partial", "exact_name")
CATALOG_KINDS = ("colloquial", "abbreviation", "synonym", "department", "pinyin_initials", "typo", "partial",
                 "exact_name")


def _load(name: str) -> list[dict[str, object]]:
    return json.loads((ROOT / "bench" / name).read_text(encoding="utf-8"))


def test_portal_queries() -> None:
    queries = _load("search_queries.json")
    assert len(queries) >= 120
    kinds = Counter(str(q["kind"]) for q in queries)
    assert set(kinds) == set(PORTAL_KINDS)
    assert min(kinds.values()) >= 12, kinds
    for q in queries:
        relevant = q["relevant"]
        assert isinstance(relevant, list) and relevant, q
        for ref in relevant:
            if ref.startswith("bundle:"):
                assert ref.removeprefix("bundle:") in BUNDLE_CODES, q
            else:
                assert ref in CODES, q
        if q["kind"] == "exact_name":
            assert any(ITEMS[r].name.startswith(str(q["q"])) for r in relevant if r in ITEMS), q
    assert len({q["q"] for q in queries}) == len(queries)


def _published_demo_names() -> set[str]:
    """Names with a published resource in the demo (every 25th stays a draft unless a registry loads it)."""
    from tongban.demo.registry_data import RESOURCE_MATCHES

    registers = {name for _, name, _, _ in RESOURCE_MATCHES.values()}
    return {r.name for n, r in enumerate(RESOURCES) if n % 25 or r.name in registers}


def test_catalog_queries() -> None:
    queries = _load("catalog_search_queries.json")
    assert len(queries) >= 100
    kinds = Counter(str(q["kind"]) for q in queries)
    assert set(kinds) == set(CATALOG_KINDS)
    assert min(kinds.values()) >= 10, kinds
    published = _published_demo_names()
    for q in queries:
        relevant = q["relevant"]
        assert isinstance(relevant, list) and relevant, q
        assert set(relevant) <= published, q
    assert len({q["q"] for q in queries}) == len(queries)


@pytest.mark.parametrize("name", ["search_queries.json", "catalog_search_queries.json"])
def test_queries_are_not_copied_from_names(name: str) -> None:
    """Outside exact_name, a query is not a whole official name."""
    names = {item.name for item in data.BASIC_ITEMS} | {r.name for r in RESOURCES} | {b.name for b in data.BUNDLES}
    for q in _load(name):
        if q["kind"] != "exact_name":
            assert q["q"] not in names, q
