"""Row validation: the generated fast path and the explaining loop apply the same rules."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.demo.city import resident_id, uscc
from tongban.registries.validation import RowRejected, compile_schema, validate_row

TYPES = ["string", "resident_id", "credit_code", "region_code", "date", "datetime", "integer", "decimal",
         "boolean", "phone"]
GOOD = {
    "string": ["张三", "  李四 ", "Zhang", "甲" * 12],
    "resident_id": [resident_id("610902", dt.date(1990, 5, 17), 12, True),
                    resident_id("110105", dt.date(1949, 10, 1), 1, False).lower()],
    "credit_code": [uscc("9", "1", "610902", "MA0T8Y3K")],
    "region_code": ["610902", "610902001"],
    "date": ["2026-01-31", "2026/1/5", "20260105"],
    "datetime": ["2026-01-31 09:30:00", "2026-01-31T09:30"],
    "integer": ["42", "1,024", "-7"],
    "decimal": ["3.14", "1，000.5", "0"],
    "boolean": ["是", "否", "1", "false"],
    "phone": ["13912345678", "029-88886666"],
}
BAD = ["", "   ", "abc", "2026-02-30", "61090219900517001", "123456789012345678", "x" * 60, "0", "-", "\t",
       "６１０９０２", "٦١٠٩٠٢", "张\x00三", "李\x1b[0m"]


def _item(key: str, data_type: str, length: int | None, required: bool, is_key: bool) -> Any:
    return SimpleNamespace(key=key, name=f"项{key}", data_type=data_type, length=length, required=required,
                           is_key=is_key)


@st.composite
def schemas_and_rows(draw: st.DrawFn) -> tuple[list[Any], list[str], list[Any]]:
    n = draw(st.integers(1, 6))
    items = []
    for j in range(n):
        data_type = draw(st.sampled_from(TYPES))
        length = draw(st.sampled_from([None, 4, 20, 200]))
        items.append(_item(f"k{j}", data_type, length, draw(st.booleans()), j == 0))
    # The file's columns in any order, by key or by Chinese name; some may be missing.
    present = [i for i in items if draw(st.booleans()) or i.is_key]
    header = [draw(st.sampled_from([i.key, i.name])) for i in draw(st.permutations(present))]
    by_header = {h: next(i for i in items if h in (i.key, i.name)) for h in header}
    values: list[Any] = []
    for h in header:
        kind = draw(st.sampled_from(["good", "bad", "other"]))
        if kind == "good":
            values.append(draw(st.sampled_from(GOOD[by_header[h].data_type])))
        elif kind == "bad":
            values.append(draw(st.sampled_from(BAD)))
        else:
            values.append(draw(st.one_of(st.none(), st.integers(-5, 99999), st.floats(allow_nan=False),
                                         st.booleans(), st.dates(), st.text(max_size=8))))
    if draw(st.booleans()) and values:
        values = values[:draw(st.integers(0, len(values)))]  # a short row
    return items, header, values


@settings(max_examples=400, deadline=None)
@given(schemas_and_rows())
def test_fast_path_accepts_exactly_what_the_explaining_loop_accepts(case: tuple[list[Any], list[str], list[Any]]) -> None:
    items, header, values = case
    bound = compile_schema(items).bind(header)
    try:
        expected: Any = bound.explain(values)
    except RowRejected as exc:
        expected = exc
    try:
        fast = bound.fast(values)
    except (AttributeError, IndexError):
        fast = None  # not text, or a short row: `validate` leaves those to the loop
    if isinstance(expected, RowRejected):
        assert fast is None
        with pytest.raises(RowRejected):
            bound.validate(values)
    else:
        got = bound.validate(values)
        assert got == expected
        for result in (expected, got, fast):
            if result is not None:  # the data in key order, as the canonical encoding needs
                assert list(result[1]) == sorted(result[1])
        assert fast is None or fast == expected


def test_reasons_name_each_bad_item() -> None:
    items = [_item("id_number", "resident_id", 18, True, True), _item("name", "string", 4, True, False),
             _item("birth_date", "date", None, False, False)]
    with pytest.raises(RowRejected) as err:
        validate_row(compile_schema(items), {"项id_number": "610902199005170011", "name": "张三丰是谁呀",
                                             "birth_date": "2026-02-30"})
    assert err.value.problems == [("项id_number", "公民身份号码校验位不正确"), ("项name", "长度 6 超过 4 个字符"),
                                  ("项birth_date", "日期“2026-02-30”不存在")]  # in the catalog's order


def test_values_are_normalised_and_keyed() -> None:
    person = resident_id("610902", dt.date(1990, 5, 17), 12, True)
    items = [_item("id_number", "resident_id", 18, True, True), _item("year", "integer", None, True, True),
             _item("day", "date", None, False, False)]
    key, data = validate_row(compile_schema(items), {"day": "2026/1/5", "year": "2,026", "id_number": person.lower()})
    assert key == f"{person}|2026"
    assert data == {"day": "2026-01-05", "id_number": person, "year": "2026"}
