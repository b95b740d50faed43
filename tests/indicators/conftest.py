"""A small known set of facts for the indicators, built as rows with exact times, so every figure can be worked
out by hand in the tests (the numbers are in the docstring of `world`).

Implementation lists (published unless said):
  A  AMR   011000000001 有限责任公司设立登记  region 610900  online, 0 visits, legal 20, promised 5
  B  AMR   011000000003 食品经营许可         region 610902  not online, 1 visit, legal 10, promised 8
  C  HRSS  011000000002 单位参保登记         region 610900  online, 0 visits, 即办 (legal 0, promised 0)
  D  HRSS  011000000004 (draft: not in the catalog figures)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.factories import SmallCity, region

from tongban.cases.models import Case, CaseMaterial
from tongban.items.models import BasicItem, Implementation
from tongban.ratings.models import Rating, RatingFollowUp
from tongban.supervision.models import SupervisionAlert, SupervisionRule

_n = count(1)


def bj(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A Beijing wall-clock time as the naive UTC the database stores."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute)) - dt.timedelta(hours=8)


@dataclass
class World:
    city: SmallCity
    impl: dict[str, Implementation]
    cases: dict[str, Case] = field(default_factory=dict)
    ratings: dict[str, Rating] = field(default_factory=dict)


def _impl(session: Session, city: SmallCity, dept: Any, code: str, name: str, region_code: str,
          status: str = "published", **kw: Any) -> Implementation:
    basic = BasicItem(code=code, name=name, item_type="行政许可", legal_basis="《行政许可法》", levels=["市级"])
    session.add(basic)
    session.flush()
    impl = Implementation(basic_item_id=basic.id, department_id=dept.id, region_code=region_code, level="市级",
                          status=status, published_version=1 if status == "published" else 0, **kw)
    session.add(impl)
    session.flush()
    return impl


def case(session: Session, w: World, impl: str | None, *, status: str = "decided", channel: str = "网上",
         accepted: dt.datetime | None = None, decided: dt.datetime | None = None, promised_due: str | None = None,
         legal_due: str | None = None, parent: Case | None = None, materials: tuple[str, ...] = (),
         department: Any = None) -> Case:
    i = w.impl[impl] if impl else None
    n = next(_n)
    c = Case(number=f"BJ20261100{n:04d}", applicant_user_id=w.city.users["citizen"].id, applicant_kind="person",
             applicant_name="李四", applicant_code="x", applicant_code_type="resident_id",
             implementation_id=i.id if i else None, item_code=i.basic.code if i else "KBQY",
             item_name=i.basic.name if i else "开办企业一件事", bundle_code=None if i and not parent else "KBQY",
             parent_id=parent.id if parent else None,
             department_id=i.department_id if i else department.id,
             status=status, channel=channel, accepted_at=accepted, decided_at=decided,
             promised_due_on=dt.date.fromisoformat(promised_due) if promised_due else None,
             legal_due_on=dt.date.fromisoformat(legal_due) if legal_due else None,
             submitted_at=accepted or decided)
    session.add(c)
    session.flush()
    for position, provided in enumerate(materials):
        session.add(CaseMaterial(case_id=c.id, position=position, name=f"材料{position}", source="upload",
                                 provided=provided))
    session.flush()
    return c


def rating(session: Session, w: World, c: Case, level: int, at: dt.datetime, *, channel: str = "online",
           status: str = "valid", follow: str | None = None, callback: dt.datetime | None = None) -> Rating:
    r = Rating(number=f"PJ{next(_n):08d}", case_id=c.id, case_number=c.number, item_code=c.item_code,
               department_id=c.department_id, applicant_user_id=c.applicant_user_id, channel=channel, level=level,
               tags=[], tag_version="2019.1", status=status, created_at=at)
    session.add(r)
    session.flush()
    if follow:
        session.add(RatingFollowUp(rating_id=r.id, department_id=c.department_id, status=follow,
                                   callback_at=callback, created_at=at, updated_at=callback or at))
        session.flush()
    return r


def alert(session: Session, rule: SupervisionRule, c: Case, level: str, raised: dt.datetime,
          cleared: dt.datetime | None = None) -> SupervisionAlert:
    a = SupervisionAlert(rule_id=rule.id, case_id=c.id, department_id=c.department_id, level=level,
                         state="cleared" if cleared else "open", raised_on=(raised + dt.timedelta(hours=8)).date(),
                         raised_at=raised, cleared_at=cleared)
    session.add(a)
    session.flush()
    return a


@pytest.fixture
def world(session: Session, city: SmallCity) -> World:
    """November 2026 (Beijing days), worked out by hand in the tests:

    cases (counted: decided, closed or delivered, with an implementation)
      c1 A 网上 accepted 11-02 decided 11-06, promised due 11-09: on time, 4 working days, 0 visits,
         materials upload, licence, shared, waived, none → 3 provided, 2 fetched
      c2 A 窗口 accepted 11-02 decided 11-12, promised due 11-09: late, 8 working days, 1 visit, 2 uploads
      c3 B 网上 accepted 11-03 decided 11-05 00:30 (11-04 16:30 UTC), due 11-13: on time, 2 days, 1 visit, 1 licence
      c4 C 窗口 即办 decided 11-05, no acceptance, no due day: on time, untimed, 1 visit
      sub C 网上 sub-case of a bundle decided 11-05: on time, untimed, 0 visits
      dec A 网上 accepted 12-01 decided 12-03, due 12-08: on time, 2 days, 0 visits (December)
    not counted: the bundle's parent, a 不予受理 (rejected) and a withdrawn case, an accepted open case
    ratings: c1 5 (11-06), c2 1 called back and notified (11-12), c3 2 open (11-06), c4 3 基本满意 (11-06),
             c2 window 2 voided (11-12)
    alerts: c2 yellow raised 11-10 10:00 cleared 16:00 (6 h), c2 red 11-11 08:00 → 11-12 08:00 (24 h),
            c3 remind 11-04 08:00 open
    """
    region(session, "610902", "汉滨区", "county", "610900")
    impl = {
        "A": _impl(session, city, city.amr, "011000000001", "有限责任公司设立登记", "610900", online=True, visits=0,
                   legal_days=20, promised_days=5),
        "B": _impl(session, city, city.amr, "011000000003", "食品经营许可", "610902", online=False, visits=1,
                   legal_days=10, promised_days=8),
        "C": _impl(session, city, city.hrss, "011000000002", "单位参保登记", "610900", online=True, visits=0,
                   legal_days=0, promised_days=0, instant=True),
        "D": _impl(session, city, city.hrss, "011000000004", "失业登记", "610900", status="draft", online=True,
                   visits=0, legal_days=5, promised_days=1),
    }
    w = World(city, impl)
    w.cases["c1"] = case(session, w, "A", status="delivered", accepted=bj("2026-11-02"), decided=bj("2026-11-06"),
                         promised_due="2026-11-09", legal_due="2026-11-30",
                         materials=("upload", "licence", "shared", "waived", "none"))
    w.cases["c2"] = case(session, w, "A", status="closed", channel="窗口", accepted=bj("2026-11-02"),
                         decided=bj("2026-11-12"), promised_due="2026-11-09", legal_due="2026-11-30",
                         materials=("upload", "upload"))
    w.cases["c3"] = case(session, w, "B", accepted=bj("2026-11-03"), decided=bj("2026-11-05", 0, 30),
                         promised_due="2026-11-13", legal_due="2026-11-17", materials=("licence",))
    w.cases["c4"] = case(session, w, "C", channel="窗口", decided=bj("2026-11-05", 9))
    parent = case(session, w, None, decided=bj("2026-11-05", 11), department=city.hrss)
    w.cases["parent"] = parent
    w.cases["sub"] = case(session, w, "C", decided=bj("2026-11-05", 11), parent=parent)
    w.cases["dec"] = case(session, w, "A", status="delivered", accepted=bj("2026-12-01"), decided=bj("2026-12-03"),
                          promised_due="2026-12-08", legal_due="2026-12-29")
    case(session, w, "A", status="rejected", decided=bj("2026-11-05"))
    case(session, w, "A", status="withdrawn", accepted=bj("2026-11-02"))
    case(session, w, "A", status="accepted", accepted=bj("2026-11-03"), promised_due="2026-11-10")
    c = w.cases
    w.ratings["r1"] = rating(session, w, c["c1"], 5, bj("2026-11-06", 15))
    w.ratings["r2"] = rating(session, w, c["c2"], 1, bj("2026-11-12", 15), follow="notified",
                             callback=bj("2026-11-13"))
    w.ratings["r3"] = rating(session, w, c["c3"], 2, bj("2026-11-06", 15), follow="open")
    w.ratings["r4"] = rating(session, w, c["c4"], 3, bj("2026-11-06", 16))
    w.ratings["r5"] = rating(session, w, c["c2"], 2, bj("2026-11-12", 16), channel="window", status="voided",
                             follow="voided", callback=bj("2026-11-13"))
    near = SupervisionRule(code="T1", name="临近承诺期限", kind="promised_near", level="yellow", recipients=[])
    over = SupervisionRule(code="T2", name="超过承诺期限", kind="promised_overdue", level="red", recipients=[])
    session.add_all([near, over])
    session.flush()
    alert(session, near, c["c2"], "yellow", bj("2026-11-10"), bj("2026-11-10", 16))
    alert(session, over, c["c2"], "red", bj("2026-11-11", 8), bj("2026-11-12", 8))
    alert(session, near, c["c3"], "remind", bj("2026-11-04", 8))
    session.commit()
    return w
