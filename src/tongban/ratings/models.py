"""Tables of 好差评: the rating of a case (one per case and channel) and the follow-up of a named bad rating."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tongban.db import Base, utcnow

_BIG = BigInteger().with_variant(Integer, "sqlite")

# Rating statuses: valid, or voided on appeal (申诉复核).
VALID, VOIDED = "valid", "voided"

# Follow-up statuses (the state machine is in service.TRANSITIONS).
OPEN, CALLED_BACK, VERIFIED, RECTIFYING, RECTIFIED, EXPLAINED, NOTIFIED = (
    "open", "called_back", "verified", "rectifying", "rectified", "explained", "notified")
APPEALED, APPEAL_VOIDED = "appealed", "voided"
FOLLOW_UP_LABELS = {
    OPEN: "待回访", CALLED_BACK: "已回访待核实", VERIFIED: "已核实待整改", RECTIFYING: "整改中",
    RECTIFIED: "已整改待告知", EXPLAINED: "已说明待告知", NOTIFIED: "已告知办结", APPEALED: "申诉复核中",
    APPEAL_VOIDED: "申诉成立，评价作废",
}


class Rating(Base):
    """好差评: the applicant's rating of one case on one channel (网上 一事一评 / 窗口 一次一评)."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("case_id", "channel", name="uq_ratings_case_channel"),
        # Figures per department and period (好评率), the department's list newest first.
        Index("ix_ratings_department_created", "department_id", "created_at"),
        # The public figures (counts per level of the valid ratings) per department and per item: grouped
        # queries answered from these indexes alone.
        Index("ix_ratings_department_status_level", "department_id", "status", "level"),
        Index("ix_ratings_item_status_level", "item_code", "status", "level"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # 评价编号 PJ + date + sequence
    case_id: Mapped[int] = mapped_column(_BIG, ForeignKey("cases.id"))
    case_number: Mapped[str] = mapped_column(String(24))  # reported upward by case number
    item_code: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    applicant_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # online / window (standard.CHANNELS)
    level: Mapped[int] = mapped_column(Integer)  # 5 非常满意 … 1 非常不满意 (standard.LEVELS)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # standard.BAD_TAGS codes (bad ratings only)
    tag_version: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)  # 默认评价 by the daily job
    addition: Mapped[str] = mapped_column(Text, default="")  # 补充评价 (once)
    added_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(8), default=VALID)  # valid / voided
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    follow_up: Mapped[RatingFollowUp | None] = relationship(back_populates="rating", uselist=False, lazy="joined")


class RatingFollowUp(Base):
    """差评整改: call-back (回访), verification (核实), rectification (整改) or explanation, the notice to the
    applicant (告知), and the department's appeal (申诉复核) with the supervisor's decision."""

    __tablename__ = "rating_follow_ups"
    __table_args__ = (
        Index("ix_rating_follow_ups_department_status", "department_id", "status"),
        # The overdue-rectification job: rectifying follow-ups whose deadline passed.
        Index("ix_rating_follow_ups_status_due", "status", "rectify_due_on"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    rating_id: Mapped[int] = mapped_column(_BIG, ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    callback_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # when the applicant was called
    callback_note: Mapped[str] = mapped_column(Text, default="")
    callback_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verification_note: Mapped[str] = mapped_column(Text, default="")
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rectify_days: Mapped[int | None] = mapped_column(Integer)  # working days given (5–15)
    rectify_due_on: Mapped[dt.date | None] = mapped_column(Date)
    rectify_plan: Mapped[str] = mapped_column(Text, default="")
    rectification_note: Mapped[str] = mapped_column(Text, default="")  # what was done
    rectified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # 整改逾期: the working morning the job found the deadline passed, and how far the warning went
    # (0 none, 1 the department head told, 2 the supervisor told).
    overdue_on: Mapped[dt.date | None] = mapped_column(Date)
    overdue_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    explanation: Mapped[str] = mapped_column(Text, default="")  # 情况说明 instead of rectification
    notice_text: Mapped[str] = mapped_column(Text, default="")  # what the applicant was told
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    appeal_from: Mapped[str | None] = mapped_column(String(16))  # the status the appeal interrupted
    appealed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    appeal_decision: Mapped[str | None] = mapped_column(String(8))  # void / keep
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    rating: Mapped[Rating] = relationship(back_populates="follow_up")
