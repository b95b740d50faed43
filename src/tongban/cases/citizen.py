"""The applicant's side of the cases pages (网上申请、我的办件、办件查询): read models and the few steps that join
a use-case with a call to the exchange.

Pre-filling and fetching (applying.py over prefill.py) call the exchange on a session of their own and must run
outside any use-case, after the draft is committed: `start_application` creates the draft (a use-case) and then
pre-fills it (applying.prefill_draft); `fetch` fetches one material only when the applicant asks, for preview
(applying.fetch_material); confirming is applying.confirm_material, called by the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.cards import CardReads
from tongban.cases import applying, common, prefill, queries, service
from tongban.cases.models import (
    ACCEPTED,
    CLOSED,
    DECIDED,
    DELIVERED,
    DRAFT,
    OPEN,
    REJECTED,
    REVIEWED,
    SUBMITTED,
    SUPPLEMENT,
    WITHDRAWABLE,
    WITHDRAWN,
    Case,
    CaseMaterial,
)
from tongban.cases.schemas import CaseCreate, DraftUpdate
from tongban.documents.queries import documents_of
from tongban.documents.schemas import DocumentRead
from tongban.errors import Forbidden, InvalidTransition, NotFound
from tongban.files.inspect import KINDS, MATERIALS
from tongban.items import reads as item_reads
from tongban.licences.models import Licence

#: The file input's accept attribute for materials (what files/inspect MATERIALS takes).
ACCEPT = ",".join([ext for k in sorted(MATERIALS.kinds) for ext in KINDS[k].extensions]
                  + [KINDS[k].content_type for k in sorted(MATERIALS.kinds)])
ACCEPT_LABEL = f"{MATERIALS.labels()}，不超过 {MATERIALS.max_bytes // (1024 * 1024)} MB"

#: What happens next, by status (shown on my cases and the case page).
NEXT_STEPS = {
    DRAFT: "继续填写并提交申请",
    SUBMITTED: "等待窗口受理（5 个工作日内）",
    SUPPLEMENT: "请按补正通知补交材料后提交补正",
    ACCEPTED: "部门审查中",
    REVIEWED: "等待作出决定",
    REJECTED: "不予受理，可查看理由和救济途径",
    DECIDED: "已作出决定，等待办结送达",
    CLOSED: "已办结，等待送达",
    DELIVERED: "已送达，办理完毕",
    WITHDRAWN: "已撤回",
}
#: The form's free text; the applicant's fields are kept in form_data by their keys (the registry's item keys),
#: what was pre-filled and from where under applying.PREFILL_KEY.
NOTE = "note"
#: Fields asked when the registry gave none of them (the applicant types them).
BASE_FIELDS = (("name", "姓名（名称）"), ("address", "住所（地址）"), ("phone", "联系电话"))


def _applicant(actor: Actor) -> None:
    if actor.kind not in ("citizen", "enterprise") or not actor.holder_code:
        raise Forbidden("请以本人（本单位）的群众或企业账号登录后申请。", code="not_applicant")


@dataclass
class _Materials:
    """What prefill.py reads of an implementation: the case's materials, in order."""

    materials: list[CaseMaterial]


# ---------------------------------------------------------------- starting an application


@dataclass(frozen=True)
class ApplyStart:
    """The page before a draft exists: what is applied for, and the applicant's drafts of it."""

    kind: str  # item / bundle
    code: str
    name: str
    department_name: str
    implementation_id: int | None
    legal_days: int | None
    promised_days: int | None
    materials: int
    drafts: list[queries.CaseSummary]
    members: list[str] = field(default_factory=list)


def apply_start(session: Session, actor: Actor, *, code: str, implementation_id: int | None = None,
                bundle: bool = False) -> ApplyStart:
    """在线申请: the item's (or bundle's) guide in brief, before the draft is created."""
    _applicant(actor)
    drafts = session.scalars(select(Case).where(Case.applicant_user_id == actor.id, Case.item_code == code,
                                                Case.status == DRAFT, Case.parent_id.is_(None))
                             .order_by(Case.id.desc()).limit(5)).all()
    summaries = queries._summaries(session, list(drafts))
    if bundle:
        read = item_reads.bundle(session, code)
        if read.status != "published":
            raise NotFound("未找到该一件事。", code="bundle_not_found")
        return ApplyStart(kind="bundle", code=read.code, name=read.name, department_name=read.lead_department_name,
                          implementation_id=None, legal_days=None, promised_days=None,
                          materials=len(read.materials), drafts=summaries, members=[m.name for m in read.members])
    entry = item_reads.basic_item(session, code)
    impls = entry.implementations
    if not impls:
        raise NotFound("该事项在本地区暂未发布，不能网上申请。", code="item_not_published")
    chosen = next((i for i in impls if i.id == implementation_id), None) or next(
        (i for i in impls if i.level == "市级"), impls[0])
    guide = item_reads.published(session, chosen.id)
    return ApplyStart(kind="item", code=entry.code, name=entry.name, department_name=guide.department_name,
                      implementation_id=guide.id, legal_days=guide.legal_days, promised_days=guide.promised_days,
                      materials=len(guide.materials), drafts=summaries)


def start_application(session: Session, actor: Actor, *, code: str, implementation_id: int | None = None,
                      bundle: bool = False) -> Case:
    """Create the draft, then pre-fill its form from the base registry (outside the use-case, as the exchange
    commits its own log entry) and save it; nothing to pre-fill is a message on the form, never an error."""
    _applicant(actor)
    case_in = CaseCreate(bundle_code=code) if bundle else CaseCreate(
        implementation_id=apply_start(session, actor, code=code, implementation_id=implementation_id).implementation_id)
    case = service.create_draft(session=session, actor=actor, case_in=case_in)
    return applying.prefill_draft(session, actor, case.id).case


# ---------------------------------------------------------------- the draft's form


@dataclass(frozen=True)
class FieldRow:
    key: str
    name: str
    value: str
    prefilled: bool  # the value is still the one the registry gave
    masked: bool
    source: str  # Chinese: 来源 (resource and provider) or ""


@dataclass(frozen=True)
class Question:
    """A bundle's question deciding whether a member applies (条件字段)."""

    field: str
    label: str
    kind: str  # yesno / number / choice / text
    options: list[str]
    answer: str


@dataclass(frozen=True)
class MaterialRow:
    material: queries.MaterialView
    fetchable: bool
    reason: str
    preview: prefill.MaterialPreview | None = None


@dataclass(frozen=True)
class DraftPage:
    detail: queries.CaseDetail
    fields: list[FieldRow]
    prefill_message: str
    questions: list[Question]
    materials: list[MaterialRow]
    note: str
    accept: str = ACCEPT
    accept_label: str = ACCEPT_LABEL


def _fields(case: Case) -> list[FieldRow]:
    """The applicant's fields: the pre-filled ones with their source (a masked value is shown, never taken as the
    answer), then the base fields the registry did not give."""
    data = case.form_data or {}
    rows = []
    for f in (data.get(applying.PREFILL_KEY) or {}).get("fields", []):
        typed = data.get(f["key"])
        same = (not f["masked"] and typed == f["value"]) or (f["masked"] and typed in (None, ""))
        source = f"共享数据“{f['resource_name']}”" + (f"（{f['provider']}）" if f.get("provider") else "")
        rows.append(FieldRow(key=f["key"], name=f["name"], value=str(f["value"] if same else typed),
                             prefilled=same, masked=bool(f["masked"]) and same, source=source if same else ""))
    have = {r.key for r in rows}
    rows += [FieldRow(key=k, name=n, value=str(data.get(k) or ""), prefilled=False, masked=False, source="")
             for k, n in BASE_FIELDS if k not in have]
    return rows


def _questions(case: Case) -> list[Question]:
    if not case.bundle_code:
        return []
    out: list[Question] = []
    seen: set[str] = set()
    for member in (case.snapshot or {}).get("members", []):
        cond = member.get("condition")
        if not cond or cond["field"] in seen:
            continue
        seen.add(cond["field"])
        value = cond.get("value")
        if isinstance(value, bool):
            kind, options = "yesno", ["是", "否"]
        elif isinstance(value, int | float):
            kind, options = "number", []
        elif cond.get("op") == "in" and isinstance(value, list):
            kind, options = "choice", [str(v) for v in value] + ["其他"]
        else:
            kind, options = "text", []
        answer = (case.form_data or {}).get(cond["field"])
        out.append(Question(field=cond["field"], label=cond.get("label") or cond["field"], kind=kind,
                            options=options, answer="" if answer is None else str(answer)))
    return out


def _draft_page(session: Session, actor: Actor, case: Case,
                preview: prefill.MaterialPreview | None = None) -> DraftPage:
    got = (case.form_data or {}).get(applying.PREFILL_KEY)
    message = ("以下信息由共享数据预填，标“已脱敏”的敏感信息只显示部分；如有不符，点“不是我的信息？修改”自行填写。"
               if got else "暂未能从共享数据预填，请自行填写。")
    detail = queries.case_detail(session, actor, case.id)
    mats = common.materials(session, case)
    options = prefill.fetchable_materials(session, actor, _Materials(mats))
    rows = []
    for view, option in zip(detail.materials, options, strict=True):
        shown = preview if preview is not None and preview.index == option.index else None
        rows.append(MaterialRow(material=view, fetchable=option.fetchable, reason=option.reason, preview=shown))
    return DraftPage(detail=detail, fields=_fields(case), prefill_message=message,
                     questions=_questions(case), materials=rows, note=str(case.form_data.get(NOTE, "")))


def draft_page(session: Session, actor: Actor, case_id: int) -> DraftPage:
    """The draft's form: pre-filled fields with their sources, the bundle's questions, the materials and which
    of them the platform can fetch (nothing is fetched here)."""
    _applicant(actor)
    case = common.own_case(session, actor, case_id)
    if case.status != DRAFT:
        raise InvalidTransition("该办件已提交，不能再修改申请内容。", code="case_not_draft")
    return _draft_page(session, actor, case)


def fetch_preview(session: Session, actor: Actor, case_id: int, material_id: int) -> DraftPage:
    """从电子证照库/共享数据获取: fetch one material because the applicant asked, and show it for preview (the
    page the preview appears on: the draft's form, or the case page during 补正)."""
    _applicant(actor)
    got = applying.fetch_material(session, actor, case_id, material_id)
    return _draft_page(session, actor, common.own_case(session, actor, case_id), got)


def form_update(case_form: dict[str, Any], *, applicant: dict[str, str], answers: dict[str, str],
                note: str) -> DraftUpdate:
    """The draft's new form: the applicant's fields as typed or kept, the bundle's answers, the note (what was
    pre-filled and from where is kept by the use-case)."""
    data = {k: v for k, v in case_form.items() if not k.startswith("_")}
    for k, v in {**applicant, **answers}.items():
        if v:
            data[k] = v
        else:
            data.pop(k, None)
    data[NOTE] = note
    return DraftUpdate(form_data=data)


def save_draft(session: Session, actor: Actor, case_id: int, *, applicant: dict[str, str],
               answers: dict[str, str], note: str) -> Case:
    """保存草稿 (a use-case; the form starts from what is stored)."""
    case = common.own_case(session, actor, case_id)
    update = form_update(case.form_data or {}, applicant=applicant, answers=answers, note=note)
    return service.update_draft(session=session, actor=actor, case_id=case_id, draft_in=update)


def save_and_submit(session: Session, actor: Actor, case_id: int, *, applicant: dict[str, str],
                    answers: dict[str, str], note: str) -> service.Submitted:
    """提交申请: what the form holds is saved first (kept as the draft if the submission is refused)."""
    save_draft(session, actor, case_id, applicant=applicant, answers=answers, note=note)
    return service.submit(session=session, actor=actor, case_id=case_id)


# ---------------------------------------------------------------- my cases and the case page


@dataclass(frozen=True)
class MyCaseRow:
    summary: queries.CaseSummary
    next_step: str
    due_on: dt.date | None
    due_label: str


@dataclass(frozen=True)
class MyCases:
    rows: list[MyCaseRow]
    total: int
    page: int
    pages: int


def _due(s: queries.CaseSummary) -> tuple[dt.date | None, str]:
    if s.status in (SUBMITTED, SUPPLEMENT) and s.accept_due_on:
        return s.accept_due_on, "受理期限"
    if s.status in OPEN:
        if s.promised_due_on:
            return s.promised_due_on, "承诺办结"
        if s.legal_due_on:
            return s.legal_due_on, "法定办结"
    return None, ""


def my_cases_page(session: Session, actor: Actor, *, page: int = 1) -> MyCases:
    """我的办件: status, deadline and the next step of each (bundles with their sub-cases inside)."""
    got = queries.my_cases(session, actor, page=page, size=20)
    rows = []
    for s in got.items:
        due, label = _due(s)
        rows.append(MyCaseRow(summary=s, next_step=NEXT_STEPS.get(s.status, ""), due_on=due, due_label=label))
    return MyCases(rows=rows, total=got.total, page=page, pages=max(1, -(-got.total // got.size)))


@dataclass(frozen=True)
class CasePage:
    detail: queries.CaseDetail
    next_step: str
    due_on: dt.date | None
    due_label: str
    notices: list[DocumentRead]
    supplement: list[dict[str, Any]]  # the notice's lines with the material's name and what to do
    withdrawable: bool
    licence_identifiers: list[str]
    fields: list[FieldRow]
    preview: prefill.MaterialPreview | None = None
    accept: str = ACCEPT
    accept_label: str = ACCEPT_LABEL


def case_page(session: Session, actor: Actor, case_id: int,
              preview: prefill.MaterialPreview | None = None) -> CasePage:
    """The applicant's case: timeline, materials, notices, 补正, withdrawal, result and licence."""
    _applicant(actor)
    case = common.own_case(session, actor, case_id)
    detail = queries.case_detail(session, actor, case_id)
    due, label = _due(detail.summary)
    notices = [d for c in [case, *common.children(session, case)]
               for d in documents_of(session=session, actor=actor, owner_type=common.OWNER, owner_id=str(c.id))]
    names = {m.id: m for m in detail.materials}
    hows = {"upload": "重新上传", "correct": "更正内容", "fetch": "授权平台调取"}
    supplement: list[dict[str, Any]] = []
    if case.status == SUPPLEMENT:
        # Every listed material the platform can fetch offers fetch → preview → confirm, and always an upload
        # instead (the applicant's choice), whatever the notice asked: a clerk cannot demand the upload of a
        # fetchable one (handling.request_supplement), the applicant may still choose it.
        mats = common.materials(session, case)
        options = {mats[o.index].id: o for o in prefill.fetchable_materials(session, actor, _Materials(mats))}
        for i in case.supplement_notice or []:
            mid = int(i["material_id"])
            if mid not in names:
                continue
            option = options.get(mid)
            supplement.append({"material_id": mid, "name": names[mid].name, "how": i.get("how", "upload"),
                               "how_label": hows.get(i.get("how", ""), ""), "note": i.get("note", ""),
                               "material": names[mid], "fetchable": bool(option and option.fetchable),
                               "reason": option.reason if option else ""})
    # The e-licences issued on the case, or on a bundle's sub-cases (the applicant follows the one case).
    licences = [row.identifier for c in [case, *common.children(session, case)] if c.licence_id is not None
                and (row := session.get(Licence, c.licence_id)) is not None]
    return CasePage(detail=detail, next_step=NEXT_STEPS.get(case.status, ""), due_on=due, due_label=label,
                    notices=notices, supplement=supplement,
                    withdrawable=case.status in WITHDRAWABLE and case.status != DRAFT and case.parent_id is None
                    and all(c.status in WITHDRAWABLE for c in common.children(session, case)),
                    licence_identifiers=licences, fields=_fields(case), preview=preview)


def fetch(session: Session, actor: Actor, case_id: int, material_id: int) -> DraftPage | CasePage:
    """从电子证照库/共享数据获取, asked by the applicant: the page showing the preview — the draft's form, or the
    case page during 补正."""
    page = fetch_preview(session, actor, case_id, material_id)
    if page.detail.summary.status != SUPPLEMENT:
        return page
    preview = next((r.preview for r in page.materials if r.preview is not None), None)
    return case_page(session, actor, case_id, preview)


# ---------------------------------------------------------------- 办件查询


@dataclass(frozen=True)
class Progress:
    status: queries.PublicStatus
    applicant: str  # masked


def progress(session: Session, actor: Actor, number: str, check_code: str) -> Progress:
    """办件查询 by number and 查询码 (the caller limits the lookups): the status, the timeline's titles and the
    applicant's masked name, nothing else personal."""
    status = queries.public_lookup(session, actor, number, check_code)
    name = session.scalar(select(Case.applicant_name).where(Case.number == status.number)) or ""
    return Progress(status=status, applicant=queries.mask_name(name))


# ---------------------------------------------------------------- the home card


# One person's cases by their index (applicant, created): on the event loop (tongban/cards.py).
_MY_CASES = "SELECT status, count(*) FROM cases WHERE applicant_user_id = :user AND parent_id IS NULL GROUP BY status"


async def home_cards(reads: CardReads, actor: Actor) -> list[dict[str, Any]]:
    """我的办件 on a citizen's or enterprise's home page: cases by state."""
    if actor.kind not in ("citizen", "enterprise") or actor.id is None:
        return []
    counts: dict[str, int] = {status: int(n) for status, n in await reads.all(_MY_CASES, {"user": actor.id})}
    if not counts:
        return []
    handling = sum(counts.get(s, 0) for s in (SUBMITTED, ACCEPTED, REVIEWED, DECIDED))
    done = sum(counts.get(s, 0) for s in (CLOSED, DELIVERED))
    cards: list[dict[str, Any]] = [{"label": "我的办件·办理中", "value": handling, "href": "/my/cases"}]
    if counts.get(SUPPLEMENT):
        cards.append({"label": "我的办件·待补正", "value": counts[SUPPLEMENT], "href": "/my/cases", "warn": True})
    if counts.get(DRAFT):
        cards.append({"label": "我的办件·草稿", "value": counts[DRAFT], "href": "/my/cases"})
    cards.append({"label": "我的办件·已办结", "value": done, "href": "/my/cases"})
    return cards
