"""Validation of the national identifiers users type: resident ID, credit code, region code.

Messages are Chinese and say precisely what is wrong, because a clerk has the paper in hand and
needs to know which character to look at again.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata

_RIC_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_RIC_CHECK = "10X98765432"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
}
# re.ASCII everywhere: without it \d also matches full-width and other Unicode digits, which int()
# reads as well, so "６１２４…" would pass every check and be stored as a second, different identifier.
_REGION_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$", re.ASCII)
_RIC_RE = re.compile(r"\d{17}[\dX]", re.ASCII)
_SEPARATORS_RE = re.compile(r"[\s\-]")
# Control characters (Unicode category Cc): never part of a name, title or note a person typed.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalize_identifier(value: str) -> str:
    """NFKC (full-width ６１０９… and Ｘ become 6109… and X), then nothing but ASCII may remain.

    Identifiers are keys: two spellings of one person's number must end as one stored string, and a
    digit of another script (٦, ६) that NFKC does not fold is refused rather than stored.
    """
    v = value if value.isascii() else unicodedata.normalize("NFKC", value)
    if not v.isascii():
        raise ValueError("含有全角以外的非半角字符，请只使用半角数字 0–9 和英文字母（可切换到英文输入法后重新输入）。")
    return v


def _clean(value: str) -> str:
    return _SEPARATORS_RE.sub("", normalize_identifier(value or "")).upper()


def validate_text(value: str, *, multiline: bool = False) -> str:
    """Refuse control characters (NUL, escape, …) in text a person typed; tab and line breaks only if multiline."""
    if (_CONTROL_MULTILINE_RE if multiline else _CONTROL_RE).search(value):
        what = "除换行和制表符外的控制字符" if multiline else "换行符、制表符或其他控制字符"
        raise ValueError(f"内容中含有{what}，请删除后重新输入（从其他软件复制的文字常带有这类不可见字符）。")
    return value


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643)."""
    if len(first17) != 17:
        raise ValueError("first17 must have 17 digits")
    # map() keeps this in C: it runs once per row of a multi-million-row registry load.
    total = sum(map(operator.mul, map(int, first17), _RIC_WEIGHTS))
    return _RIC_CHECK[total % 11]


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-character resident ID or raise ValueError saying what is wrong."""
    v = _clean(value)
    if len(v) != 18:
        raise ValueError(f"公民身份号码应为 18 位，当前为 {len(v)} 位，请核对证件。")
    if not _RIC_RE.fullmatch(v):
        raise ValueError("公民身份号码前 17 位应为数字，最后一位为数字或 X。")
    try:
        birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValueError(f"公民身份号码中的出生日期 {v[6:14]} 不存在，请核对第 7–14 位。") from None
    if birth < dt.date(1900, 1, 1) or birth > (today or dt.date.today()):
        raise ValueError(f"公民身份号码中的出生日期 {v[6:14]} 不在合理范围内，请核对第 7–14 位。")
    if v[:2] not in _PROVINCES:
        raise ValueError(f"公民身份号码前两位 {v[:2]} 不是有效的省级行政区划代码，请核对。")
    expected = resident_id_check_char(v[:17])
    if v[17] != expected:
        raise ValueError("公民身份号码校验位不正确（第 18 位），请逐位核对号码。")
    return v


def resident_id_gender(value: str) -> str:
    """男 or 女, from the 17th digit (odd is male)."""
    return "男" if int(value[16]) % 2 == 1 else "女"


def uscc_check_char(first17: str) -> str:
    """GB 32100 MOD 31 check character."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised 18-character unified social credit code or raise ValueError."""
    v = _clean(value)
    if len(v) != 18:
        raise ValueError(f"统一社会信用代码应为 18 位，当前为 {len(v)} 位，请核对营业执照或登记证书。")
    bad = sorted({c for c in v if c not in _USCC_ALPHABET})
    if bad:
        raise ValueError(
            "统一社会信用代码含有不允许的字符 " + "、".join(bad) + "（不使用 I、O、Z、S、V），请核对。"
        )
    if not v[2:8].isdigit():
        raise ValueError("统一社会信用代码第 3–8 位应为登记管理机关行政区划码（6 位数字）。")
    if v[17] != uscc_check_char(v[:17]):
        raise ValueError("统一社会信用代码校验位不正确（第 18 位），请逐位核对代码。")
    return v


def validate_region_code(value: str) -> str:
    """GB/T 2260 six-digit codes, extended to 9 (乡镇) or 12 digits (村/社区)."""
    v = _clean(value)
    if not _REGION_RE.fullmatch(v):
        raise ValueError("行政区划代码应为 6 位（省市县）或 9 位（乡镇街道）数字。")
    if v[:2] == "00":
        raise ValueError("行政区划代码前两位（省级）不能为 00。")
    return v


def mask_resident_id(value: str) -> str:
    """110105********002X: keep region and the last four, hide the birth date."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[14:]


def mask_name(value: str) -> str:
    """王建华 → 王**, 张伟 → 张*, 欧阳娜娜 → 欧***: the surname's first character stays, the rest is hidden.

    The one rule for a person's name wherever it is shown masked (exchange answers, licence lists,
    public verification): the same person must not appear as 王** here and 王*华 there, and
    combining two partial masks would reveal more than either.
    """
    value = value or ""
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else ("*" if value else "")


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


PHONE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)


def validate_phone(value: str) -> str:
    """A mainland mobile number, 11 digits."""
    v = _clean(value)
    if not PHONE_RE.fullmatch(v):
        raise ValueError("手机号码应为 11 位数字，以 13–19 开头。")
    return v
