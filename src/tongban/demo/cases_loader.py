"""Demo cases (办件): the demo city's applications in every state, through the real use-cases.

Enterprises and a citizen of the demo city apply for published demo items; the departments' clerks and
reviewers handle them. Each step is the use-case a page would call (draft, upload, submit, 受理, 补正,
审查, 决定, 特别程序, 办结, 送达, 撤回, 不予受理), backdated with `tongban.clock.frozen` as the other demo
loaders do, so the clocks are those of real dates: one case went through 补正 across the 2026 National
Day week (the acceptance clock stopped from the notice to the supplement, as the workdays calendar
says), one is overdue, one was decided 准予 and its 营业执照 is in the applicant's 我的证照, and the
企业开办一件事 bundle runs as five parallel sub-cases, one in each department (the tax bureau has decided).

Call after the items, licences and seals are loaded (`tongban demo` does this, last).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor
from tongban.cases import handling, service
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.schemas import (
    CaseCreate,
    Decision,
    Delivery,
    Refusal,
    Review,
    SupplementRequest,
    Suspension,
    Withdrawal,
)
from tongban.demo import city
from tongban.items.models import BasicItem, Implementation
from tongban.org.auth import user_actor
from tongban.org.models import User
from tongban.workflow import service as wf

#: The 2026 National Day week (10-01 to 10-07, 10-08 a holiday too): submitted the Monday before, 补正
#: notified the next day, the supplement handed in on the first working day after (see the calendar).
NATIONAL_DAY_SUBMIT = dt.date(2026, 9, 28)
NATIONAL_DAY_NOTICE = dt.date(2026, 9, 29)
NATIONAL_DAY_SUPPLEMENT = dt.date(2026, 10, 9)

CHANGE_ITEM = "内资企业变更登记"  # 承诺件 at the city AMR; result: 营业执照 (an e-licence)
FOOD_ITEM = "食品经营许可"  # 承诺件 at the city AMR (the 营业执照 is fetched, not uploaded)
HOUSE_ITEM = "国有建设用地使用权及房屋所有权转移登记"  # at the real-estate registration centre
OPEN_BUNDLE = "YJS003"  # 企业开办一件事: 设立登记 (AMR) ∥ 公章 (PSB) ∥ 发票 (tax) ∥ 参保 ∥ 公积金 (five departments)


@dataclass
class CasesSummary:
    numbers: dict[str, str] = field(default_factory=dict)  # demo state → 办件编号 (the draft has none: "")


@cache
def _pdf() -> bytes:
    """A one-page PDF standing in for a scanned application form."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595, 842))
    c.drawString(72, 760, "Tongban demo material")
    c.showPage()
    c.save()
    return out.getvalue()


def _user(session: Session, username: str) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return user_actor(user, client_ip="127.0.0.1")


def _implementation(session: Session, name: str, department_code: str) -> int:
    from tongban.org.models import Department

    return int(session.execute(select(Implementation.id).join(BasicItem).join(
        Department, Department.id == Implementation.department_id).where(
        BasicItem.name == name, Department.code == department_code, Implementation.published_version > 0)
        .order_by(Implementation.id).limit(1)).scalar_one())


def _licence_data(session: Session, n: int) -> dict[str, Any]:
    """The 营业执照 entries of a 变更登记: the market register's own facts (as the prefill would bring them),
    with the business scope the applicant changes."""
    from tongban.demo import registry_loader
    from tongban.registries.models import RegistryRecord

    market = registry_loader.register(session, "legal_entities")
    row = session.get(RegistryRecord, (market.id, city.ENTERPRISES[n].uscc))
    assert row is not None, city.ENTERPRISES[n].uscc
    facts = row.data
    return {"licence": {"entity_type": facts["entity_type"], "legal_representative": facts["legal_rep"],
                        "registered_capital": f"{facts.get('reg_capital') or '100.00'}万元",
                        "established_on": facts["established_date"], "address": facts["domicile"],
                        "business_scope": f"{facts.get('business_scope', '')}；食品销售（仅销售预包装食品）。"
                        .lstrip("；")},
            "change": "变更经营范围"}


@contextmanager
def _on(day: dt.date) -> Iterator[None]:
    with clock.frozen(day):
        yield


class _Demo:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.today = clock.today()
        self.change = _implementation(session, CHANGE_ITEM, "city-amr")
        self.food = _implementation(session, FOOD_ITEM, "city-amr")
        self.house = _implementation(session, HOUSE_ITEM, "city-bdc")
        self.amr_clerk, self.amr_reviewer = _user(session, "amr_clerk"), _user(session, "amr_reviewer")

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def draft(self, applicant: Actor, **body: Any) -> Case:
        case = service.create_draft(session=self.s, actor=applicant, case_in=CaseCreate.model_validate(body))
        for m in self.s.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                           CaseMaterial.source == "upload",
                                                           CaseMaterial.required.is_(True))):
            service.upload_material(session=self.s, actor=applicant, case_id=case.id, material_id=m.id,
                                    content=_pdf(), filename=f"{m.name[:40]}.pdf")
        return case

    def submitted(self, applicant: Actor, **body: Any) -> Case:
        case = self.draft(applicant, **body)
        return service.submit(session=self.s, actor=applicant, case_id=case.id).case

    def first_upload(self, case: Case) -> CaseMaterial:
        return self.s.scalars(select(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                         CaseMaterial.source == "upload")
                              .order_by(CaseMaterial.position)).first()  # type: ignore[return-value]


def _enterprise(session: Session, n: int) -> Actor:
    return _user(session, city.ENTERPRISES[n].uscc)


def load(session: Session) -> CasesSummary:
    """Load the demo cases; a database that already has cases is left as it is."""
    summary = CasesSummary()
    if session.execute(select(Case.id).limit(1)).first() is not None:
        return summary
    wf.publish_shipped(session=session)  # the shipped processes (idempotent): the cases run on them
    d = _Demo(session)
    n = summary.numbers
    change = {"implementation_id": d.change}

    # 草稿: a citizen's transfer registration, kept until submitted.
    citizen = _user(session, city.CITIZENS[0].resident_id)
    service.create_draft(session=session, actor=citizen, case_in=CaseCreate(
        implementation_id=d.house, form_data={"address": "安康市汉滨区兴安中路 66 号 3 单元 501 室"}))
    n["draft"] = ""

    # 已提交待受理: submitted this morning.
    n["submitted"] = d.submitted(_enterprise(session, 1), implementation_id=d.food,
                                 form_data={"shop": "政通数字科技职工餐厅"}).number or ""

    # 已受理: accepted yesterday, in the reviewer's task list.
    with _on(d.ago(1)):
        case = d.submitted(_enterprise(session, 2), **change, form_data=_licence_data(session, 2))
        handling.accept(session=session, actor=d.amr_clerk, case_id=case.id)
    n["accepted"] = case.number or ""

    # 待补正: the one notice sent two days ago; the applicant has not yet supplied.
    with _on(d.ago(3)):
        case = d.submitted(_enterprise(session, 3), **change, form_data=_licence_data(session, 3))
    with _on(d.ago(2)):
        handling.request_supplement(session=session, actor=d.amr_clerk, case_id=case.id, request=SupplementRequest(
            items=[{"material_id": d.first_upload(case).id, "how": "upload", "note": "申请书缺少法定代表人签字"}]))
    n["supplement"] = case.number or ""

    # 补正 across the National Day week, then 受理, 审查, 准予 (营业执照 issued to 我的证照), 办结, 送达.
    holder = _enterprise(session, 4)
    with _on(NATIONAL_DAY_SUBMIT):
        case = d.submitted(holder, **change, form_data=_licence_data(session, 4))
    with _on(NATIONAL_DAY_NOTICE):
        handling.request_supplement(session=session, actor=d.amr_clerk, case_id=case.id, request=SupplementRequest(
            items=[{"material_id": d.first_upload(case).id, "how": "upload",
                    "note": "股东签字页不清晰，请重新扫描上传"}]))
    with _on(NATIONAL_DAY_SUPPLEMENT):
        service.upload_material(session=session, actor=holder, case_id=case.id,
                                material_id=d.first_upload(case).id, content=_pdf(), filename="申请书（重新扫描）.pdf")
        service.supplement(session=session, actor=holder, case_id=case.id)
        handling.accept(session=session, actor=d.amr_clerk, case_id=case.id)
        handling.review(session=session, actor=d.amr_reviewer, case_id=case.id,
                        review_in=Review(opinion="材料齐全，符合法定形式，同意变更。"))
        handling.decide(session=session, actor=d.amr_reviewer, case_id=case.id, decision=Decision(decision="approve"))
        handling.close(session=session, actor=d.amr_clerk, case_id=case.id)
        handling.deliver(session=session, actor=d.amr_clerk, case_id=case.id, delivery=Delivery())
    n["approved"] = case.number or ""

    # 已审查待决定.
    with _on(d.ago(2)):
        case = d.submitted(_enterprise(session, 5), **change, form_data=_licence_data(session, 5))
        handling.accept(session=session, actor=d.amr_clerk, case_id=case.id)
    with _on(d.ago(1)):
        handling.review(session=session, actor=d.amr_reviewer, case_id=case.id,
                        review_in=Review(opinion="经审查，材料齐全，拟准予变更。"))
    n["reviewed"] = case.number or ""

    # 特别程序: 专家评审 suspends the decision clock.
    with _on(d.ago(6)):
        case = d.submitted(_enterprise(session, 6), implementation_id=d.food, form_data={"shop": "秦岭山珍食品店"})
        handling.accept(session=session, actor=d.amr_clerk, case_id=case.id)
    with _on(d.ago(4)):
        handling.suspend(session=session, actor=d.amr_reviewer, case_id=case.id, suspension=Suspension(
            reason="专家评审", note="经营场所布局涉及中央厨房工艺，组织食品安全专家评审"))
    n["suspended"] = case.number or ""

    # 超期: accepted three weeks ago, the promised (and legal) time limit long passed.
    with _on(d.ago(21)):
        case = d.submitted(_enterprise(session, 7), **change, form_data=_licence_data(session, 7))
        handling.accept(session=session, actor=d.amr_clerk, case_id=case.id)
    n["overdue"] = case.number or ""

    # 不予许可, with the reason and the applicant's remedies.
    with _on(d.ago(10)):
        case = d.submitted(_enterprise(session, 8), implementation_id=d.food, form_data={"shop": "飞渡峡药膳坊"})
        handling.accept(session=session, actor=d.amr_clerk, case_id=case.id)
    with _on(d.ago(5)):
        handling.review(session=session, actor=d.amr_reviewer, case_id=case.id,
                        review_in=Review(opinion="经现场核查，经营场所与申请材料不符。"))
        handling.decide(session=session, actor=d.amr_reviewer, case_id=case.id, decision=Decision(
            decision="refuse", reason="经现场核查，经营场所未设置与经营品种相适应的更衣、洗手、消毒设施，"
                                      "不符合《食品经营许可和备案管理办法》规定的条件。"))
    n["refused"] = case.number or ""

    # 撤回 before the decision.
    with _on(d.ago(4)):
        case = d.submitted(_enterprise(session, 9), implementation_id=d.food, form_data={"shop": "汉江物流员工食堂"})
    with _on(d.ago(3)):
        service.withdraw(session=session, actor=_enterprise(session, 9), case_id=case.id,
                         withdrawal=Withdrawal(reason="经营场所另行选址，撤回申请后重新申请"))
    n["withdrawn"] = case.number or ""

    # 不予受理: not the department's remit.
    with _on(d.ago(5)):
        case = d.submitted(_enterprise(session, 10), **change, form_data=_licence_data(session, 10))
        handling.reject(session=session, actor=d.amr_clerk, case_id=case.id, refusal=Refusal(
            reason="申请人住所位于旬阳市，依法应向旬阳市市场监督管理局申请变更登记。"))
    n["rejected"] = case.number or ""

    # 企业开办一件事: one acceptance at the AMR window, then the AMR, the public security bureau (公章), the tax
    # bureau (发票), social insurance and the housing fund centre decide in parallel, each its own sub-case
    # (the bundle's policy: each member as its department decides); the tax bureau has approved, the others
    # are still open.
    firm = _enterprise(session, 0)
    with _on(d.ago(3)):
        # The 营业执照 entries the AMR's sub-case issues from (a demo firm's register facts stand in for the
        # new company's), so that the bundle can be finished by hand.
        opening = {"has_employees": False, "licence": _licence_data(session, 0)["licence"]}
        parent = d.submitted(firm, bundle_code=OPEN_BUNDLE, form_data=opening)
        handling.accept(session=session, actor=d.amr_clerk, case_id=parent.id)
    subs = session.scalars(select(Case).where(Case.parent_id == parent.id).order_by(Case.id)).all()
    tax = next(c for c in subs if c.department_id == _user(session, "tax_reviewer").department_id)
    with _on(d.ago(2)):
        handling.decide(session=session, actor=_user(session, "tax_reviewer"), case_id=tax.id,
                        decision=Decision(decision="approve"))
    n["bundle"] = parent.number or ""
    return summary
