"""Which case numbers the exchange accepts from a system acting for end users (一网通办平台, cases/prefill.py).

The exchange (a lower layer) asks through `exchange.hooks.end_user_cases`: a call made for an applicant must
name a case of that applicant in which data may still be fetched — a draft, or a case waiting for 补正
(applying._fetching_allowed decides which materials). Any other case, another person's, or a number that is
no case, and the exchange refuses the call.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tongban.cases.models import DRAFT, SUPPLEMENT, Case

__all__ = ["case_open_to_fetching"]

_CASE = select(Case.applicant_code, Case.status).where(Case.number == bindparam("number"))


def case_open_to_fetching(session: Session, end_user: str, case_number: str) -> bool:
    """The case with this 办件编号 is the end user's own (their resident ID or credit code) and a draft or in 补正."""
    row = session.execute(_CASE, {"number": case_number.strip()}).first()
    return (row is not None and row.status in (DRAFT, SUPPLEMENT)
            and row.applicant_code.strip().upper() == end_user.strip().upper())
