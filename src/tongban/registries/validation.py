"""Validation of ingested values against their information item's type, compiled once per resource.

Every check returns the normalised value or raises ValueError with a Chinese reason. The hot
path is a few million calls per load, so checks avoid objects they do not need and remember the
dates they have already parsed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tongban.identifiers import normalize_identifier, resident_id_check_char, validate_text, validate_uscc

# re.ASCII: a plain \d also matches full-width and other Unicode digits (and int() reads them), so a
# key typed "６１０９…" would be stored beside "6109…" as a second person. Identifiers go through
# normalize_identifier first (full-width folded to ASCII, other scripts refused).
_RIC = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_REGION = re.compile(r"^(\d{6}|\d{9}|\d{12})$", re.ASCII)
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$", re.ASCII)
_DATE = re.compile(r"^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$", re.ASCII)
_INTEGER = re.compile(r"^[+-]?\d+$", re.ASCII)
_TRUE = {"是", "1", "true", "True", "TRUE", "y", "Y"}
_FALSE = {"否", "0", "false", "False", "FALSE", "n", "N"}


class _DateCache(dict[str, str]):
    """Valid dates seen so far: a population file has ~36,500 distinct birth dates in 5 million rows."""

    def check(self, value: str) -> str:
        hit = self.get(value)
        if hit is not None:
            return hit
        m = _DATE.match(value if value.isascii() else _ascii(value))
        if not m:
            raise ValueError(f"日期“{value}”格式不正确，应为 2026-01-31")
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise ValueError(f"日期“{value}”不存在") from None
        if not 1800 <= day.year <= 2200:
            raise ValueError(f"日期“{value}”不在合理范围内")
        self[value] = out = day.isoformat()
        return out


def _resident_id(dates: _DateCache) -> Callable[[str], str]:
    def check(value: str) -> str:
        v = (value if value.isascii() else _ascii(value)).upper()
        if not _RIC.match(v):
            raise ValueError("公民身份号码应为 17 位数字加 1 位数字或 X")
        try:
            dates.check(v[6:14])
        except ValueError:
            raise ValueError(f"公民身份号码中的出生日期 {v[6:14]} 不存在") from None
        if resident_id_check_char(v[:17]) != v[17]:
            raise ValueError("公民身份号码校验位不正确")
        return v

    return check


def _credit_code(value: str) -> str:
    return validate_uscc(value)


def _ascii(value: str) -> str:
    """Full-width digits folded to ASCII (NFKC); other non-ASCII refused with the reason."""
    return normalize_identifier(value)


def _region(value: str) -> str:
    if not value.isascii():
        value = _ascii(value)
    if not _REGION.match(value) or value[:2] == "00":
        raise ValueError("行政区划代码应为 6、9 或 12 位数字")
    return value


def _integer(value: str) -> str:
    v = (value if value.isascii() else _ascii(value)).replace(",", "")
    if not _INTEGER.match(v):
        raise ValueError(f"“{value}”不是整数")
    try:
        return str(int(v))
    except ValueError:
        raise ValueError(f"“{value}”不是整数") from None


def _decimal(value: str) -> str:
    v = value.replace("，", ",")
    try:
        number = Decimal((v if v.isascii() else _ascii(v)).replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数值") from None
    if not number.is_finite():
        raise ValueError(f"“{value}”不是有效数值")
    return format(number, "f")


def _boolean(value: str) -> str:
    if value in _TRUE:
        return "是"
    if value in _FALSE:
        return "否"
    raise ValueError(f"“{value}”应为 是 或 否")


def _phone(value: str) -> str:
    v = (value if value.isascii() else _ascii(value)).replace(" ", "")
    if _MOBILE.match(v) or _LANDLINE.match(v):
        return v
    raise ValueError(f"电话号码“{value}”格式不正确")


def _datetime(value: str) -> str:
    try:
        return dt.datetime.fromisoformat((value if value.isascii() else _ascii(value)).replace("/", "-")
                                         ).isoformat(sep=" ")
    except ValueError:
        raise ValueError(f"日期时间“{value}”格式不正确，应为 2026-01-31 09:30:00") from None


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    check: Callable[[str], str] | None  # None: free text (length only)
    length: int | None
    required: bool
    is_key: bool


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]
    key_columns: tuple[str, ...]

    def bind(self, header: Sequence[str]) -> BoundSchema:
        """The checks for a file with this header (each item found by its key or its Chinese name)."""
        where = {h: i for i, h in reversed(list(enumerate(header)))}
        positions = tuple(where.get(c.key, where.get(c.name, -1)) for c in self.columns)
        return BoundSchema(self, positions, _fast_validator(self.columns, positions, self.key_columns))


def compile_schema(items: Sequence[Any]) -> Schema:
    """Items (catalog InformationItem or ItemRead) → the checks of each column."""
    dates = _DateCache()
    checks: dict[str, Callable[[str], str] | None] = {
        "resident_id": _resident_id(dates), "credit_code": _credit_code, "region_code": _region,
        "date": dates.check, "datetime": _datetime, "integer": _integer, "decimal": _decimal, "amount": _decimal,
        "boolean": _boolean, "phone": _phone, "string": None, "text": None, "address": None,
    }
    columns = tuple(Column(key=i.key, name=i.name, check=checks.get(i.data_type), length=i.length,
                           required=bool(i.required or i.is_key), is_key=bool(i.is_key)) for i in items)
    return Schema(columns=columns, key_columns=tuple(c.key for c in columns if c.is_key))


class RowRejected(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{c}: {m}" for c, m in problems))
        self.problems = problems  # (item name, reason)


Validated = tuple[str, dict[str, str]]  # record key, normalised data (in key order)


@dataclass(frozen=True)
class BoundSchema:
    """A schema bound to a file's header: validates rows given as lists of values in header order.

    Rows take two paths with the same rules. `fast` is generated code, one straight block per
    column without loops or per-value objects; it accepts a clean row (most rows of a real file) or
    answers None. Rows it does not accept go through `explain`, the plain loop, which finds every
    problem of the row with its reason. The property test in tests/registries checks that both
    paths agree.
    """

    schema: Schema
    positions: tuple[int, ...]  # per column, its index in the row, -1 when the file lacks it
    fast: Callable[[Sequence[Any]], Validated | None]

    def validate(self, values: Sequence[Any]) -> Validated:
        """(record key, normalised data) or RowRejected listing every problem of the row."""
        try:
            result = self.fast(values)
        except (AttributeError, IndexError):  # a value that is not text (xlsx, Parquet) or a short row
            result = None
        return result if result is not None else self.explain(values)

    def explain(self, values: Sequence[Any]) -> Validated:
        data: dict[str, str] = {}
        problems: list[tuple[str, str]] = []
        count = len(values)
        for column, i in zip(self.schema.columns, self.positions, strict=True):
            value = values[i] if 0 <= i < count else None
            text = "" if value is None else value.strip() if value.__class__ is str else _plain(value).strip()
            name = column.name
            if not text:
                if column.required:
                    problems.append((name, "必填项为空"))
                data[column.key] = ""
                continue
            try:
                # Free text keeps line breaks and tabs; other control characters (a NUL in a name) are refused.
                text = validate_text(text, multiline=True) if column.check is None else column.check(text)
            except ValueError as exc:
                problems.append((name, str(exc).rstrip("。")))
                continue
            if column.length is not None and len(text) > column.length:
                problems.append((name, f"长度 {len(text)} 超过 {column.length} 个字符"))
                continue
            data[column.key] = text
        if problems:
            raise RowRejected(problems)
        return "|".join(data[k] for k in self.schema.key_columns), {k: data[k] for k in sorted(data)}

    def key_guess(self, values: Sequence[Any]) -> str:
        """The row's key as written in the file, for the report of a rejected row."""
        where = dict(zip((c.key for c in self.schema.columns), self.positions, strict=True))
        return "|".join(str(values[where[k]]) if 0 <= where[k] < len(values) else ""
                        for k in self.schema.key_columns)


def _fast_validator(columns: tuple[Column, ...], positions: tuple[int, ...],
                    key_columns: tuple[str, ...]) -> Callable[[Sequence[Any]], Validated | None]:
    """Generates the fast path of `BoundSchema`: for columns (a, free text ≤ 50, required) and
    (b, date) it is

        def fast(values):
            try:
                v0 = values[3].strip()
                if v0:
                    if len(v0) > 50: return None
                else: return None
                v1 = values[0].strip()
                if v1:
                    v1 = check1(v1)
                return v0, {'a': v0, 'b': v1}
            except ValueError:
                return None
    """
    env: dict[str, Any] = {}
    body = ["def fast(values):", "    try:"]
    for j, (column, i) in enumerate(zip(columns, positions, strict=True)):
        v = f"v{j}"
        body.append(f"        {v} = values[{i}].strip()" if i >= 0 else f"        {v} = ''")
        inner = []
        if column.check is not None:
            env[f"check{j}"] = column.check
            inner.append(f"            {v} = check{j}({v})")
        else:
            # isprintable() is one C call; text it does not pass (control characters, but also line
            # breaks and U+3000) goes to `explain`, which refuses control characters only.
            inner.append(f"            if not {v}.isprintable(): return None")
        if column.length is not None:
            inner.append(f"            if len({v}) > {int(column.length)}: return None")
        body.append(f"        if {v}:")
        body.extend(inner or ["            pass"])
        if column.required:
            body.append("        else: return None")
    var = {c.key: f"v{j}" for j, c in enumerate(columns)}
    key = " + '|' + ".join(var[k] for k in key_columns) if key_columns else "''"
    # The data in key order: the canonical encoding's order, without sorting each row.
    body.append(f"        return {key}, {{" + ", ".join(f"{k!r}: {var[k]}" for k in sorted(var)) + "}")
    body += ["    except ValueError:", "        return None"]
    exec("\n".join(body), env)  # noqa: S102 - generated from the schema's own keys and lengths, no outside text
    return env["fast"]


def validate_row(schema: Schema, raw: dict[str, Any]) -> Validated:
    """One row given as a dict (header → value): for tests and one-off checks; ingest binds once per file."""
    header = list(raw)
    return schema.bind(header).validate(list(raw.values()))


def _plain(value: Any) -> str:
    """Values from xlsx or Parquet (numbers, dates) as the text a person would have typed."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
