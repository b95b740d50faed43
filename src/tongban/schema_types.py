"""Field types shared by the API's schemas: bounded ids and datetimes that carry their offset.

Also the base of every input schema (`Strict`) and the one-line text type (`OneLine`), so that every domain's
edge refuses the same control characters.

Both bounds exist because the OpenAPI description must be true and the edge must refuse what the database cannot hold:
- Integers: object ids are INTEGER columns — signed 32 bits on PostgreSQL, 64 on SQLite — and the change and log
  sequences BIGINT (64 bits). A larger number raised an overflow deep in the driver (a 500: 2^63 on SQLite, 2^31
  on PostgreSQL). Every id is bounded to what both databases hold (ID_MAX) and every sequence cursor to 64 bits
  (SEQ_MAX), and refused with a 422 before it reaches a query.
- Datetimes: the database stores naive UTC. Serialized as-is they had no offset, although the description says
  `date-time` (RFC 3339, which requires one). Response datetimes are serialized with `+00:00`; the pages keep
  showing Beijing time (they format the values themselves).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from tongban.identifiers import validate_text

ID_MAX = 2**31 - 1  # INTEGER on PostgreSQL (the narrower of the two databases)
SEQ_MAX = 2**63 - 1  # BIGINT sequences (change feed cursors, log sequence numbers)

# An id given in a body: a positive integer the id columns can hold.
RefId = Annotated[int, Field(ge=1, le=ID_MAX)]


def _with_utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes from the database are UTC: say so. Aware ones are kept as they are."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# A datetime in a response body: serialized to JSON with its UTC offset.
UtcDateTime = Annotated[dt.datetime, PlainSerializer(_with_utc, return_type=dt.datetime, when_used="json")]


def _one_line(value: str) -> str:
    return validate_text(value, multiline=False)


# A name, title or label: one line, no control characters. `Strict` already refuses the control
# characters other than line breaks and tabs in every text field; this also refuses those.
OneLine = Annotated[str, AfterValidator(_one_line)]


def _refuse_control_characters(value: object) -> None:
    if isinstance(value, str):
        validate_text(value, multiline=True)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _refuse_control_characters(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            _refuse_control_characters(k)
            _refuse_control_characters(v)


class Strict(BaseModel):
    """Base of every input schema: unknown fields refused, text trimmed, control characters refused.

    Other domains may derive their input schemas from it to get the same text rule at their edge.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # Every text field of every input: a NUL or an escape sequence in a name is stored for good and
        # breaks exports, PDFs and other systems downstream.
        _refuse_control_characters(value)
        return value
