"""Cases of a small city's citizen, at a given status, to rate."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy.orm import Session

from tests.factories import SmallCity
from tongban.cases.models import Case
from tongban.org.models import User

_seq = itertools.count(1)


def make_case(session: Session, city: SmallCity, *, user: User | None = None, status: str = "decided",
              decided_at: dt.datetime | None = None, channel: str = "网上") -> Case:
    user = user or city.users["citizen"]
    case = Case(number=f"BJ20260901{next(_seq):05d}", applicant_user_id=user.id, applicant_kind="person",
                applicant_name=user.display_name, applicant_code=user.id_number or "", applicant_code_type="resident_id",
                item_code="011000000001", item_name="有限责任公司设立登记", department_id=city.amr.id, status=status,
                channel=channel, decision="approve" if status == "decided" else None,
                decided_at=decided_at or (dt.datetime(2026, 9, 1, 2, 0) if status == "decided" else None))
    session.add(case)
    session.commit()
    return case


@pytest.fixture
def case_of(session: Session, city: SmallCity):  # type: ignore[no-untyped-def]
    def make(**kw):  # type: ignore[no-untyped-def]
        return make_case(session, city, **kw)
    return make
