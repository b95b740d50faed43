"""Tables of the working-day calendar."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tongban.db import Base, utcnow


class CalendarYear(Base):
    """A year whose holiday notice (国务院办公厅关于节假日安排的通知) has been entered."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))  # chinese-calendar / admin
    notice: Mapped[str] = mapped_column(Text, default="")  # e.g. 国办发明电〔2025〕7号
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(Integer)


class CalendarDay(Base):
    """An exception to the Monday–Friday rule: a holiday on a weekday, or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(32), default="")  # 春节, 国庆节, 春节调休 …
