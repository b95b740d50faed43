"""GB/T 36904 licence identifiers: the MOD 37,36 check character and the parts."""

from __future__ import annotations

import pytest

from tongban.errors import ValidationFailed
from tongban.licences import identifier

# Identifiers issued by provincial platforms and published in their interface documents.
KNOWN = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
]


@pytest.mark.parametrize("value", KNOWN)
def test_known_identifiers_have_the_right_check_character(value: str) -> None:
    parsed = identifier.parse(value)
    assert str(parsed) == value
    assert parsed.check == value[-1]


def test_iso_7064_mod_37_36_reference_example() -> None:
    # The example of ISO 7064 for MOD 37,36 (also python-stdnum's): A12425GABC1234002 → M.
    from stdnum.iso7064 import mod_37_36

    assert mod_37_36.calc_check_digit("A12425GABC1234002", identifier.ALPHABET) == "M"


@pytest.mark.parametrize("value", KNOWN)
def test_a_wrong_check_character_is_refused(value: str) -> None:
    for wrong in identifier.ALPHABET:
        if wrong == value[-1]:
            continue
        with pytest.raises(ValidationFailed) as exc:
            identifier.parse(value[:-1] + wrong)
        assert exc.value.code == "licence_identifier_check"
        assert "校验位" in exc.value.message


def test_a_mistyped_part_is_caught_by_the_check_character() -> None:
    value = KNOWN[0]
    typo = value.replace("20230000403", "20230000430")  # two digits swapped
    assert not identifier.is_valid(typo)


@pytest.mark.parametrize("value,reason", [
    ("1.2.156.3005.1.11100000000013338W011.11430000006122244L.1.001.S", "开头"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.1.001", "五段"),
    ("1.2.156.3005.2.1110000000013338W011.11430000006122244L.1.001.S", "类型代码"),
    ("1.2.156.3005.2.11100000000013338W011.1143000000612224L.1.001.S", "颁发机构代码"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.1.1.S", "版本号"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.1.000.S", "版本号"),
    ("1.2.156.3005.2.11100000000013338W011.11430000006122244L.序号.001.S", "流水号"),
])
def test_malformed_identifiers_are_refused_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        identifier.parse(value)
    assert reason in exc.value.message


def test_build_and_new_versions() -> None:
    ident = identifier.build("11100000000013338W011", "11430000006122244L", "20230000403", 1)
    assert str(ident) == KNOWN[1]
    assert str(ident.with_version(2)) == KNOWN[0]
    assert identifier.parse(str(ident).lower()) == ident  # case does not matter when read back
    with pytest.raises(ValidationFailed):
        identifier.build("11100000000013338W011", "11430000006122244L", "20230000403", 1000)
