"""Today's date in China. Deadlines and publication dates are Chinese calendar dates.

Tests freeze the date to check deadlines across holidays; nothing else may.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")
_frozen: dt.date | None = None


def today() -> dt.date:
    return _frozen or dt.datetime.now(BEIJING).date()


@contextmanager
def frozen(day: dt.date) -> Iterator[None]:
    """Within the block, `today()` is `day`."""
    global _frozen
    previous, _frozen = _frozen, day
    try:
        yield
    finally:
        _frozen = previous
