"""The demo licence library covers the licence types the demo items take (pure data)."""

from __future__ import annotations

from collections import Counter

from tongban.demo import city, items_data
from tongban.demo.licence_data import LICENCE_TYPES, NOT_ISSUED_IN_CITY, type_code
from tongban.demo.licence_loader import ISSUERS, ISSUING_STAFF, added_issues, vin
from tongban.identifiers import validate_uscc

DEPARTMENTS = {d.code for d in city.DEPARTMENTS}
DEFINED = {seed.name for seed in LICENCE_TYPES}


def test_every_referenced_licence_type_is_issued_in_the_city_or_listed_with_its_issuer() -> None:
    # A material of an undefined licence type silently counts as "upload" in the once-only rate: each one
    # is either a type of the demo library or on the documented list of types no city department issues.
    for name in items_data.REFERENCED_LICENCE_TYPES:
        assert (name in DEFINED) != (name in NOT_ISSUED_IN_CITY), name
    assert not DEFINED & set(NOT_ISSUED_IN_CITY)
    assert all(reason.strip() for reason in NOT_ISSUED_IN_CITY.values())


def test_types_have_unique_valid_codes_and_issuers_of_the_city() -> None:
    codes = [type_code(seed) for seed in LICENCE_TYPES]
    assert len(set(codes)) == len(codes) == len(DEFINED)
    for seed, code in zip(LICENCE_TYPES, codes, strict=True):
        assert validate_uscc(code[:18]) == code[:18] and len(code) == 21
        assert seed.issuer_codes and set(seed.issuer_codes) <= DEPARTMENTS, seed.name
        keys = [i["key"] for i in seed.items]
        assert len(set(keys)) == len(keys), seed.name
    # The first four keep their place: other tests and the README's demo licences name them by position.
    assert [s.name for s in LICENCE_TYPES[:4]] == ["营业执照", "食品经营许可证", "不动产登记证明", "户口迁移证明"]


def test_the_producing_items_department_issues_the_type() -> None:
    # An item whose result is a licence type of the library is carried out by one of that type's issuers.
    issuers = {seed.name: set(seed.issuer_codes) for seed in LICENCE_TYPES}
    for impl in items_data.IMPLEMENTATIONS:
        if impl.licence_type in issuers:
            assert impl.department_code in issuers[impl.licence_type], (impl.basic_code, impl.licence_type)


def test_added_licences_are_held_by_the_register_persons_and_issued_by_a_staffed_issuer() -> None:
    issues = added_issues()
    assert set(Counter(i.type_name for i in issues)) == DEFINED - {s.name for s in LICENCE_TYPES[:4]}
    staffed = {username: code for username, _, code in ISSUING_STAFF}
    assert set(staffed.values()) <= set(ISSUERS) <= DEPARTMENTS
    by_name = {s.name: s for s in LICENCE_TYPES}
    citizens = {c.resident_id: c.name for c in city.CITIZENS}
    for issue in issues:
        if issue.holder_code in citizens:
            assert citizens[issue.holder_code] == issue.holder_name
        seed = by_name[issue.type_name]
        assert set(issue.data) <= {i["key"] for i in seed.items}, issue.type_name
        if issue.valid_from and issue.valid_to:
            assert issue.valid_from < issue.valid_to


def test_vin_check_character() -> None:
    # The worked example of the check character (ISO 3779, GB 16735 Annex): 1M8GDM9A_KP042788 → X.
    assert vin("1M8GDM9A", "KP042788") == "1M8GDM9AXKP042788"
