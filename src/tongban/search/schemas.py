"""Input of the search dictionary page."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tongban.schema_types import OneLine, Strict

TermKind = Literal["colloquial", "abbreviation", "synonym", "department", "situation"]


class TermIn(Strict):
    """A dictionary term: the word people type and the official term it stands for."""

    word: OneLine = Field(min_length=2, max_length=64)
    official: OneLine = Field(min_length=2, max_length=128)
    kind: TermKind
    source: OneLine = Field(default="", max_length=255)
