"""Tables of the exchange: quota counters (the log's tables are in log_models.py, endpoints in endpoint_models.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base


class QuotaUsage(Base):
    """Calls of a client to a resource in one minute or one day window, counted for quotas (限额)."""

    __tablename__ = "exchange_quota_usage"

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    span: Mapped[str] = mapped_column(String(1), primary_key=True)  # m (minute) / d (day)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
