"""收费登记: the fees a department takes on a case, and refunds that correct them, against the fee standard the
case was submitted under (its snapshot of the implementation list).

A record is never changed: a wrong charge is corrected by a refund (stored negative, with its reason), so the
timeline, the audit and 电子监察's 收费 check (supervision/checks.py) all see what really happened. Only the
staff who handle the case's department record fees (the clerk at the window, the reviewer); everyone who may
read the case sees the sheet.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.authz import Actor, Permission
from tongban.cases import common
from tongban.cases.models import CHARGE, DRAFT, FEE_KIND_LABELS, REFUND, REJECTED, WITHDRAWN, Case, CaseFee
from tongban.db import utcnow
from tongban.errors import Conflict, InvalidTransition
from tongban.items.schemas import FEE_MAX_FEN, fee_standard
from tongban.schema_types import OneLine, Strict, UtcDateTime
from tongban.transactions import use_case


def yuan(fen: int) -> str:
    """An amount in 分 as 元 with two decimals, e.g. 2000 → "20.00"."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


class FeeIn(Strict):
    """One fee record: a charge (收费) with its receipt number, or a refund (退费) with its reason."""

    kind: Literal["charge", "refund"] = Field(default="charge", description="charge 收费 / refund 退费")
    amount_fen: int = Field(ge=1, le=FEE_MAX_FEN, description="金额（分），正整数，不超过 100 万元；退费也填正数")
    receipt_number: OneLine = Field(default="", max_length=64, description="票据号（收费时必填）")
    note: str = Field(default="", max_length=500, description="说明（退费时写明原因）")

    @model_validator(mode="after")
    def _complete(self) -> FeeIn:
        self.receipt_number, self.note = self.receipt_number.strip(), self.note.strip()
        if self.kind == CHARGE and not self.receipt_number:
            raise ValueError("收费请填写票据号")
        if self.kind == REFUND and not self.note:
            raise ValueError("退费请在说明中写明原因")
        return self


class FeeRow(BaseModel):
    kind: str
    kind_label: str
    amount_fen: int
    amount_yuan: str
    receipt_number: str
    note: str
    recorded_by_name: str
    recorded_at: UtcDateTime


class FeeSheet(BaseModel):
    """A case's fees against its standard: what the guide said when the case was submitted, what was taken."""

    fee_text: str = Field(description="实施清单的收费说明（提交时）")
    standard_fen: int | None = Field(description="收费标准（分）；null 为按收费说明计收（非固定金额）")
    standard_label: str
    records: list[FeeRow]
    total_fen: int
    total_yuan: str
    differs: bool = Field(description="已登记的收费合计与固定的收费标准不一致（有收费登记时才比较）")
    may_record: bool


def standard_label(standard: int | None) -> str:
    if standard is None:
        return "按收费说明计收（非固定金额）"
    return "不收费" if standard == 0 else f"{yuan(standard)} 元"


def differs(standard: int | None, total: int, count: int) -> bool:
    """The 收费 condition: fees were recorded and their total is not the fixed standard. A case with no record
    is not judged (the fee may not be due yet); a standard that is not one fixed amount is not judged either."""
    return count > 0 and standard is not None and total != standard


def totals(session: Session, case_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(total in 分, number of records) per case, for the cases that have records."""
    if not case_ids:
        return {}
    rows = session.execute(select(CaseFee.case_id, func.sum(CaseFee.amount_fen), func.count())
                           .where(CaseFee.case_id.in_(case_ids)).group_by(CaseFee.case_id)).all()
    return {int(case_id): (int(total or 0), int(count)) for case_id, total, count in rows}


def fee_sheet(session: Session, actor: Actor, case: Case) -> FeeSheet:
    """The fee sheet of a case the caller has already shown the actor may read."""
    rows = list(session.scalars(select(CaseFee).where(CaseFee.case_id == case.id).order_by(CaseFee.id)))
    standard = fee_standard(case.snapshot or {})
    total = sum(r.amount_fen for r in rows)
    return FeeSheet(
        fee_text=str((case.snapshot or {}).get("fee") or ""), standard_fen=standard,
        standard_label=standard_label(standard),
        records=[FeeRow(kind=r.kind, kind_label=FEE_KIND_LABELS.get(r.kind, r.kind), amount_fen=r.amount_fen,
                        amount_yuan=yuan(r.amount_fen), receipt_number=r.receipt_number, note=r.note,
                        recorded_by_name=r.recorded_by_name, recorded_at=r.recorded_at) for r in rows],
        total_fen=total, total_yuan=yuan(total), differs=differs(standard, total, len(rows)),
        may_record=case.status != DRAFT and actor.acts_for(Permission.CASE_HANDLE, case.department_id))


def sheet_of(session: Session, actor: Actor, case_id: int) -> FeeSheet:
    """Read model of the fees API: the sheet of a case the actor may read (404 otherwise)."""
    return fee_sheet(session, actor, common.readable_case(session, actor, case_id))


@use_case
def record_fee(*, session: Session, actor: Actor, case_id: int, fee_in: FeeIn) -> CaseFee:
    """收费登记 / 退费登记 by the staff handling the case's department; on the timeline and in the audit."""
    case = common.handled_case(session, actor, case_id)
    if case.status == DRAFT:
        raise InvalidTransition("办件尚未提交，不能登记收费。", code="case_fee_draft")
    if fee_in.kind == CHARGE and case.status in (REJECTED, WITHDRAWN):
        raise InvalidTransition("办件已不予受理或已撤回，不能再收费；如已收取费用，请登记退费。",
                                code="case_fee_closed")
    total, _count = totals(session, [case.id]).get(case.id, (0, 0))
    amount = fee_in.amount_fen if fee_in.kind == CHARGE else -fee_in.amount_fen
    if total + amount < 0:
        raise Conflict(f"退费金额超过已收金额：本办件已收 {yuan(total)} 元，请核对退费金额。",
                       code="case_fee_refund_exceeds", detail={"field": "amount_fen"})
    if fee_in.receipt_number and session.scalar(select(CaseFee.id).where(
            CaseFee.case_id == case.id, CaseFee.receipt_number == fee_in.receipt_number)) is not None:
        raise Conflict(f"票据号 {fee_in.receipt_number} 已在本办件登记过，请核对是否重复登记。",
                       code="case_fee_receipt_taken", detail={"field": "receipt_number"})
    row = CaseFee(case_id=case.id, kind=fee_in.kind, amount_fen=amount, receipt_number=fee_in.receipt_number,
                  note=fee_in.note, department_id=case.department_id, recorded_by=actor.id,
                  recorded_by_name=actor.name[:64], recorded_at=utcnow())
    session.add(row)
    session.flush()
    title = "收费登记" if fee_in.kind == CHARGE else "退费登记"
    common.event(session, case, actor, f"fee_{fee_in.kind}", f"{title}（{yuan(fee_in.amount_fen)} 元）",
                 amount_fen=amount, receipt_number=fee_in.receipt_number, note=fee_in.note,
                 standard=standard_label(fee_standard(case.snapshot or {})))
    return row


__all__ = ["FeeIn", "FeeRow", "FeeSheet", "fee_sheet", "record_fee", "sheet_of", "totals", "yuan"]
