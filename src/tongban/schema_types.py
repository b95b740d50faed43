"""Field types shared by the API's schemas: bounded ids and datetimes that carry their offset.

Both exist because the OpenAPI description must be true and the edge must refuse what the database cannot hold:
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

from pydantic import Field, PlainSerializer

ID_MAX = 2**31 - 1  # INTEGER on PostgreSQL (the narrower of the two databases)
SEQ_MAX = 2**63 - 1  # BIGINT sequences (change feed cursors, log sequence numbers)

# An id given in a body: a positive integer the id columns can hold.
RefId = Annotated[int, Field(ge=1, le=ID_MAX)]


def _with_utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes from the database are UTC: say so. Aware ones are kept as they are."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# A datetime in a response body: serialized to JSON with its UTC offset.
UtcDateTime = Annotated[dt.datetime, PlainSerializer(_with_utc, return_type=dt.datetime, when_used="json")]
