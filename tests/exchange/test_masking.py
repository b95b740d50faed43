"""Masking (脱敏) is one rule per kind of value, and every path that answers a record applies it."""

from __future__ import annotations

import pytest

from tongban.exchange import masking
from tongban.identifiers import mask_name
from tongban.licences import verify


@pytest.mark.parametrize(("name", "masked"), [("王建华", "王**"), ("张伟", "张*"), ("欧阳娜娜", "欧***"), ("王", "*")])
def test_a_person_is_masked_the_same_way_in_the_exchange_and_on_licences(name: str, masked: str) -> None:
    exchange_mask = masking.masker("text", "name", "姓名")
    assert exchange_mask(name) == verify.mask_name(name) == mask_name(name) == masked
    # An item holding a person's name under another key is still a name.
    assert masking.masker("text", "xm", "申请人姓名")(name) == masked
