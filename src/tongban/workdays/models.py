"""Tables of the working-day calendar and the legal clocks that run on it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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


class LegalClock(Base):
    """法定时限: one working-day clock timing one step of something (a sharing request's answer, a case's decision).

    `due_on` and `warn_on` are stored and indexed with `state`, so "overdue" and "near due" are index scans;
    they are recomputed from `started_on`, `days + extended_days` and the suspensions in the clock's events
    whenever one of those or the holiday calendar changes. A suspended clock has no due day (it is not running).
    """

    __tablename__ = "legal_clocks"
    __table_args__ = (
        UniqueConstraint("owner_type", "owner_id", "name", name="uq_legal_clocks_owner"),
        Index("ix_legal_clocks_state_due", "state", "due_on"),
        Index("ix_legal_clocks_state_warn", "state", "warn_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(32))  # the domain's object type: sharing_request, data_dispute …
    owner_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(32), default="main")  # an object may run several clocks
    stage: Mapped[str] = mapped_column(String(32), default="")  # the owner's step being timed, e.g. pending_provider
    state: Mapped[str] = mapped_column(String(16))  # running / suspended / stopped
    started_on: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)  # the time limit in working days
    extended_days: Mapped[int] = mapped_column(Integer, default=0)  # 延长, approved
    warn_days: Mapped[int] = mapped_column(Integer, default=1)  # near due when this many working days are left
    used_days: Mapped[int] = mapped_column(Integer, default=0)  # working days counted so far (kept while suspended)
    suspended_since: Mapped[dt.date | None] = mapped_column(Date)
    suspension_reason: Mapped[str | None] = mapped_column(String(32))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    warn_on: Mapped[dt.date | None] = mapped_column(Date)
    assumed: Mapped[bool] = mapped_column(Boolean, default=False)  # counted across a year with no holiday notice
    warned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # near-due flag: fires once per due day
    overdue_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # overdue flag: fires once per due day
    stopped_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LegalClockEvent(Base):
    """A clock's history: start, suspend, resume, extend, stop, recompute, near_due, overdue."""

    __tablename__ = "legal_clock_events"
    __table_args__ = (Index("ix_legal_clock_events_clock", "clock_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("legal_clocks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    on_day: Mapped[dt.date] = mapped_column(Date)  # the working-day calendar's day the event counts from
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(32), default="")  # 补正, 听证 … for a suspension
    days: Mapped[int | None] = mapped_column(Integer)  # the limit at a start, the days added by an extension
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # the due day after the event
    actor_id: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str] = mapped_column(String(64), default="")  # who approved an extension (name, post)
    note: Mapped[str] = mapped_column(Text, default="")
