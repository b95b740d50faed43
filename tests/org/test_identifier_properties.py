"""Property tests: every generated identifier validates; every single-character typo is caught."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.demo.city import USCC_ALPHABET, resident_id, uscc
from tongban.identifiers import validate_resident_id, validate_uscc

births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31))
regions = st.sampled_from(["610902", "610921", "110105", "440305", "310115"])


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=births, seq=st.integers(1, 999), female=st.booleans(),
       pos=st.integers(0, 17), digit=st.sampled_from("0123456789X"))
def test_resident_id_typos_are_caught(region: str, birth: dt.date, seq: int, female: bool, pos: int,
                                      digit: str) -> None:
    rid = resident_id(region, birth, seq, female)
    assert validate_resident_id(rid) == rid
    typo = rid[:pos] + digit + rid[pos + 1:]
    if typo != rid:
        with pytest.raises(ValueError):
            validate_resident_id(typo)


org_bases = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)


@settings(max_examples=200, deadline=None)
@given(base=org_bases, region=regions, pos=st.integers(0, 17), char=st.sampled_from(USCC_ALPHABET))
def test_credit_code_typos_are_caught(base: str, region: str, pos: int, char: str) -> None:
    code = uscc("9", "1", region, base)
    assert validate_uscc(code) == code
    typo = code[:pos] + char + code[pos + 1:]
    if typo != code:
        with pytest.raises(ValueError):
            validate_uscc(typo)
