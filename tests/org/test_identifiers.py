"""Resident IDs and credit codes: valid ones pass, wrong ones are refused with a message that says why."""

from __future__ import annotations

import pytest

from tongban.identifiers import mask_resident_id, validate_region_code, validate_resident_id, validate_uscc


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x", "440524198001010013",
                                   "110105 19491231 002X"])
def test_valid_resident_ids_are_normalised(value: str) -> None:
    assert validate_resident_id(value) == value.replace(" ", "").upper()


@pytest.mark.parametrize(("value", "fragment"), [
    ("110105194912310021", "校验位不正确"),
    ("11010519491231002", "应为 18 位，当前为 17 位"),
    ("1101051949123100AX", "前 17 位应为数字"),
    ("110105194902300021", "出生日期 19490230 不存在"),
    ("110105290001010021", "不在合理范围内"),
    ("991105194912310028", "不是有效的省级行政区划代码"),
])
def test_invalid_resident_ids_say_what_is_wrong(value: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        validate_resident_id(value)


@pytest.mark.parametrize("value", ["91110000600037341L", "91350100M000100Y43", "91110000802100433B"])
def test_valid_credit_codes(value: str) -> None:
    assert validate_uscc(value) == value


@pytest.mark.parametrize(("value", "fragment"), [
    ("91110000600037341M", "校验位不正确"),
    ("9111000060003734", "应为 18 位"),
    ("91110000600O37341L", "不允许的字符 O"),
    ("911100I0600037341L", "不允许的字符 I"),
    ("91AB0000600037341L", "行政区划码"),
])
def test_invalid_credit_codes_say_what_is_wrong(value: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        validate_uscc(value)


def test_region_codes() -> None:
    assert validate_region_code("610902") == "610902"
    assert validate_region_code("610902001") == "610902001"
    for bad in ("61090", "6109021", "abcdef", "000000"):
        with pytest.raises(ValueError):
            validate_region_code(bad)


def test_mask_resident_id_hides_birth_date() -> None:
    assert mask_resident_id("11010519491231002X") == "110105********002X"
