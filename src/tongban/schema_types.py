"""Field types shared by the API's schemas: bounded ids and datetimes that carry their offset.

Both exist because the OpenAPI description must be true and the edge must refuse what the database cannot hold:
- Integers: SQLite and PostgreSQL store ids as signed 64-bit integers, so a number of 2^63 or more raised an
  overflow deep in the driver (a 500). Every integer id or count that reaches a query is bounded here and
  refused with a 422 before it gets there.
- Datetimes: the database stores naive UTC. Serialized as-is they had no offset, although the description says
  `date-time` (RFC 3339, which requires one). Response datetimes are serialized with `+00:00`; the pages keep
  showing Beijing time (they format the values themselves).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, PlainSerializer

DB_INT_MAX = 2**63 - 1

# An id given in a body: a positive 64-bit integer.
RefId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def _with_utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes from the database are UTC: say so. Aware ones are kept as they are."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# A datetime in a response body: serialized to JSON with its UTC offset.
UtcDateTime = Annotated[dt.datetime, PlainSerializer(_with_utc, return_type=dt.datetime, when_used="json")]
