"""Masking (脱敏) of item values by type and sensitivity, unless the grant allows the plain value."""

from __future__ import annotations

from collections.abc import Callable

from tongban.identifiers import mask_name, mask_phone, mask_resident_id

MASKED_SENSITIVITIES = frozenset({"sensitive", "personal_sensitive"})


def _address(value: str) -> str:
    """Keep the county-level part (about 6 characters), hide the rest."""
    return value[:6] + "****" if len(value) > 6 else value[:2] + "****"


def _generic(value: str) -> str:
    if len(value) <= 2:
        return "*" * len(value)
    keep = max(1, len(value) // 4)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def _all(value: str) -> str:
    return "******" if value else ""


_BY_TYPE: dict[str, Callable[[str], str]] = {
    "resident_id": mask_resident_id, "phone": mask_phone, "address": _address,
    "date": _all, "datetime": _all, "amount": _all, "decimal": _all, "integer": _all,
}


def masker(data_type: str, key: str, name: str) -> Callable[[str], str]:
    """The mask for one item; names of persons get the surname rule."""
    if data_type in _BY_TYPE:
        return _BY_TYPE[data_type]
    if "姓名" in name or (key.endswith("name") and name.endswith("人")):
        return mask_name
    return _generic


def needs_mask(sensitivity: str) -> bool:
    return sensitivity in MASKED_SENSITIVITIES
