"""Tests for the demo city seed data (tongban.demo.city)."""

import dataclasses
import datetime
import re

import pytest
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

from tongban.demo import city
from tongban.demo.city import (
    CITIZENS,
    DEPARTMENTS,
    ENTERPRISES,
    REGIONS,
    STAFF,
    STAFF_ROLES,
    birth_region_code,
    org_code,
    resident_id,
    uscc,
)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


# --- identifier generators ---------------------------------------------------


def test_resident_id_published_examples() -> None:
    # GB 11643 examples: a woman born 1949-12-31 in 北京市朝阳区 and a man born 1880-01-01.
    assert resident_id("110105", datetime.date(1949, 12, 31), 2, female=True) == "11010519491231002X"
    assert resident_id("440524", datetime.date(1880, 1, 1), 1, female=False) == "440524188001010014"
    assert ric.is_valid("11010519491231002X")
    # 440524 did not exist in 1880, so stdnum rejects the place, but the check digit agrees.
    assert ric.calc_check_digit("440524188001010014") == "4"


@pytest.mark.parametrize("female", [True, False])
@pytest.mark.parametrize("seq", [1, 2, 998, 999])
def test_resident_id_adjusts_sequence_parity(seq: int, female: bool) -> None:
    number = resident_id("610902", datetime.date(2005, 6, 1), seq, female)
    assert ric.is_valid(number)
    assert int(number[16]) % 2 == (0 if female else 1)
    assert abs(int(number[14:17]) - seq) <= 1


def test_resident_id_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        resident_id("61090", datetime.date(2005, 6, 1), 1, False)
    with pytest.raises(ValueError):
        resident_id("610902", datetime.date(2005, 6, 1), 0, False)


def test_org_code_known_examples() -> None:
    # The GB 11714 standard example D2143569-X, and the organisation code inside
    # stdnum's USCC example 91110000600037341L.
    assert org_code("D2143569") == "D2143569X"
    assert org_code("60003734") == "600037341"
    with pytest.raises(ValueError):
        org_code("D214356")


def test_uscc_known_example() -> None:
    assert uscc("9", "1", "110000", "60003734") == "91110000600037341L"
    with pytest.raises(ValueError):
        uscc("9", "1", "110000", "S0003734")  # S is not in the USCC alphabet


def test_birth_region_code_history() -> None:
    assert birth_region_code("610902", datetime.date(1980, 1, 1)) == "612421"
    assert birth_region_code("610902", datetime.date(1990, 1, 1)) == "612401"
    assert birth_region_code("610902", datetime.date(2000, 1, 1)) == "610902"
    assert birth_region_code("610981", datetime.date(2010, 1, 1)) == "610928"
    assert birth_region_code("610981", datetime.date(2022, 1, 1)) == "610981"
    assert birth_region_code("110105", datetime.date(1949, 12, 31)) == "110105"


def test_identifiers_are_deterministic() -> None:
    assert city.stable_org_code_base("安康市教育局") == city.stable_org_code_base("安康市教育局")
    assert city.demo_phone("x") == city.demo_phone("x")


# --- regions -----------------------------------------------------------------


def test_regions() -> None:
    codes = [region.code for region in REGIONS]
    assert len(codes) == len(set(codes))
    by_code = {region.code: region for region in REGIONS}
    assert by_code["610000"].level == "province"
    assert by_code["610900"].name == "安康市"
    assert by_code["610900"].level == "city"
    counties = [region for region in REGIONS if region.level == "county"]
    assert {region.code for region in counties} == set(city.COUNTY_CODES)
    assert by_code["610902"].name == "汉滨区"
    assert by_code["610981"].name == "旬阳市"
    seen: set[str] = set()
    for region in REGIONS:
        assert region.level in city.REGION_LEVELS
        if region.parent_code is not None:
            assert region.parent_code in seen, region
        seen.add(region.code)
    for county in counties:
        townships = [r for r in REGIONS if r.parent_code == county.code]
        assert 2 <= len(townships) <= 4
        for township in townships:
            assert township.level == "township"
            assert len(township.code) == 9
            assert township.code.startswith(county.code)


# --- departments -------------------------------------------------------------


def test_departments() -> None:
    assert len(DEPARTMENTS) >= 75
    region_codes = {region.code for region in REGIONS}
    codes = [department.code for department in DEPARTMENTS]
    assert len(codes) == len(set(codes))
    names = [department.name for department in DEPARTMENTS]
    assert len(names) == len(set(names))
    seen: set[str] = set()
    for department in DEPARTMENTS:
        assert department.region_code in region_codes
        assert department.kind in city.DEPARTMENT_KINDS
        if department.parent_code is not None:
            assert department.parent_code in seen, department
        seen.add(department.code)
        assert stdnum_uscc.is_valid(department.uscc), department
        assert department.uscc[0] == "1"
        assert department.uscc[1] == ("2" if department.kind == "institution" else "1")
        assert department.uscc[2:8] == department.region_code
    operators = [department for department in DEPARTMENTS if department.is_platform_operator]
    assert [department.code for department in operators] == [city.PLATFORM_OPERATOR_CODE]
    assert operators[0].name == "安康市政务服务和数据管理局"


def test_all_usccs_unique() -> None:
    codes = [department.uscc for department in DEPARTMENTS] + [enterprise.uscc for enterprise in ENTERPRISES]
    assert len(codes) == len(set(codes))
    assert len({code[8:17] for code in codes}) == len(codes)  # organisation codes too


def test_seed_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEPARTMENTS[0].name = "x"  # type: ignore[misc]


# --- people and enterprises --------------------------------------------------


def test_citizens() -> None:
    assert len(CITIZENS) >= 20
    assert len({citizen.resident_id for citizen in CITIZENS}) == len(CITIZENS)
    for citizen in CITIZENS:
        assert ric.is_valid(citizen.resident_id), citizen
        assert ric.get_birth_date(citizen.resident_id) == citizen.birth
        assert citizen.resident_id[:6] == birth_region_code(citizen.region_code, citizen.birth)
        gender_digit = int(citizen.resident_id[16])
        assert citizen.gender == ("女" if gender_digit % 2 == 0 else "男")
        assert citizen.region_code in city.COUNTY_CODES
        assert MOBILE_RE.match(citizen.phone), citizen.phone
        county_name = next(region.name for region in REGIONS if region.code == citizen.region_code)
        assert citizen.address.startswith(f"陕西省安康市{county_name}")


def test_enterprises() -> None:
    assert len(ENTERPRISES) >= 10
    citizen_ids = {citizen.resident_id: citizen.name for citizen in CITIZENS}
    for enterprise in ENTERPRISES:
        assert stdnum_uscc.is_valid(enterprise.uscc), enterprise
        assert enterprise.uscc[:2] == "91"
        assert enterprise.uscc[2:8] == enterprise.region_code
        assert enterprise.region_code in city.COUNTY_CODES
        assert ric.is_valid(enterprise.legal_rep_id)
        assert citizen_ids[enterprise.legal_rep_id] == enterprise.legal_representative
        assert re.fullmatch(r"\d+\.\d{2}", enterprise.registered_capital_wan)
        assert enterprise.established <= datetime.date.today()


# --- staff -------------------------------------------------------------------


def test_staff() -> None:
    usernames = [member.username for member in STAFF]
    assert len(usernames) == len(set(usernames))
    department_codes = {department.code for department in DEPARTMENTS}
    for member in STAFF:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", member.username)
        assert member.department_code in department_codes
        assert member.roles and set(member.roles) <= STAFF_ROLES
        assert MOBILE_RE.match(member.phone), member.phone
    by_username = {member.username: member for member in STAFF}
    assert by_username["admin"].roles == ("platform_admin",)
    assert by_username["admin"].department_code == city.PLATFORM_OPERATOR_CODE
    assert "supervisor" in by_username["supervisor"].roles
    for prefix in ("amr", "hrss", "psb", "housing", "bdc", "edu", "health", "civil", "tax"):
        for suffix, role in (
            ("admin", "dept_admin"),
            ("clerk", "window_clerk"),
            ("reviewer", "reviewer"),
            ("data", "data_officer"),
        ):
            assert role in by_username[f"{prefix}_{suffix}"].roles


def test_phones_unique() -> None:
    phones = [citizen.phone for citizen in CITIZENS] + [member.phone for member in STAFF]
    assert len(phones) == len(set(phones))
