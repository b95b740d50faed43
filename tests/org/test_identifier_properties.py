"""Property tests: every generated identifier validates; every single-character typo is caught."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.demo.city import USCC_ALPHABET, resident_id, uscc
from tongban.identifiers import (
    validate_phone,
    validate_region_code,
    validate_resident_id,
    validate_text,
    validate_uscc,
)

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


# Issue 11.4: digits of other scripts. Python's \d and int() read them, so an unnormalised check let
# "６１０９…" through as a second, different identifier of the same person.
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789X"}
non_ascii_digits = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=births, seq=st.integers(1, 999), female=st.booleans(),
       widen=st.lists(st.booleans(), min_size=18, max_size=18))
def test_full_width_resident_id_is_stored_as_its_ascii_form(region: str, birth: dt.date, seq: int,
                                                           female: bool, widen: list[bool]) -> None:
    rid = resident_id(region, birth, seq, female)
    typed = "".join(FULL_WIDTH[c] if w else c for c, w in zip(rid, widen, strict=True))
    assert validate_resident_id(typed) == rid


@settings(max_examples=300, deadline=None)
@given(region=regions, birth=births, seq=st.integers(1, 999), female=st.booleans(),
       pos=st.lists(st.integers(0, 16), min_size=1, max_size=5), digit=non_ascii_digits)
def test_no_identifier_validates_with_a_non_ascii_digit_left_in_it(region: str, birth: dt.date, seq: int,
                                                                  female: bool, pos: list[int], digit: str) -> None:
    """Whatever the script of the digits typed, what validates is ASCII (the normalised form) or is refused."""
    rid = resident_id(region, birth, seq, female)
    typed = list(rid)
    for p in pos:
        typed[p] = digit
    text = "".join(typed)
    for check in (validate_resident_id, validate_uscc, validate_region_code, validate_phone):
        for candidate in (text, text[:6], text[:11]):
            try:
                out = check(candidate)
            except ValueError:
                continue
            assert out.isascii() and out == check(unicodedata.normalize("NFKC", candidate))


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(categories=["Nd", "Lu", "Zs", "Pd"]), max_size=20))
def test_identifier_validators_return_ascii_or_refuse(text: str) -> None:
    for check in (validate_resident_id, validate_uscc, validate_region_code, validate_phone):
        try:
            out = check(text)
        except ValueError:
            continue
        assert out.isascii()


@settings(max_examples=200, deadline=None)
@given(before=st.text(max_size=5), control=st.characters(categories=["Cc"]), after=st.text(max_size=5))
def test_text_with_control_characters_is_refused(before: str, control: str, after: str) -> None:
    value = before + control + after
    with pytest.raises(ValueError):
        validate_text(value)
    if control not in "\t\n\r":
        with pytest.raises(ValueError):
            validate_text(value, multiline=True)
