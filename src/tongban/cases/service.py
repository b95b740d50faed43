"""Use-cases of the applicant (申请): drafts, materials, submission, 补正 supplement, withdrawal.

A window clerk entering a walk-in application (窗口收件) goes the same path, naming the applicant; the case is
then the applicant's like any other. Staff handling (受理, 补正告知, 决定 …) is in handling.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import files as file_store
from tongban import numbering
from tongban.authz import Actor, Permission
from tongban.cases import applying, common
from tongban.cases.common import ACCEPT, ACCEPT_DAYS
from tongban.cases.models import (
    DRAFT,
    STATUS_LABELS,
    SUBMITTED,
    SUPPLEMENT,
    WITHDRAWABLE,
    WITHDRAWN,
    Case,
    CaseMaterial,
)
from tongban.cases.schemas import CaseCreate, DraftUpdate, Withdrawal
from tongban.clock import today
from tongban.db import utcnow
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.files.inspect import MATERIALS, inspect_upload
from tongban.items import reads as item_reads
from tongban.items.models import Bundle, Implementation
from tongban.items.rules import evaluate
from tongban.org.models import User
from tongban.transactions import use_case
from tongban.workflow import service as wf

CASE_NUMBER = numbering.DailySeries("case", "BJ", width=5)  # 办件编号, e.g. BJ2026120400001
FILE_KIND = "case_material"
_CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: Materials the platform can obtain itself (a licence from the library, data by sharing): never demanded as
#: uploads (国发〔2016〕51号: data obtainable by sharing is not collected again).
FETCHABLE = ("licence", "shared")
SOURCE_LABELS = {"upload": "申请人上传", "licence": "电子证照", "shared": "共享数据", "bundle": "关联事项结果",
                 "waived": "免于提交"}


@dataclass(frozen=True)
class Submitted:
    """A submitted case and its 查询码, shown once (only its hash is kept)."""

    case: Case
    check_code: str


def _applicant_of(session: Session, actor: Actor, applicant_code: str | None) -> User:
    if actor.kind in ("citizen", "enterprise"):
        if applicant_code:
            raise ValidationFailed("网上申请只能以本人名义提交，无需填写申请人证件号码。", code="applicant_not_self",
                                   detail={"field": "applicant_code"})
        user = session.get(User, actor.id)
        assert user is not None
        return user
    if actor.is_staff and actor.acts_for(Permission.CASE_HANDLE, actor.department_id):
        if not applicant_code:
            raise ValidationFailed("窗口收件请填写申请人的身份证号码或统一社会信用代码。", code="applicant_required",
                                   detail={"field": "applicant_code"})
        code = applicant_code.upper()
        user = session.scalar(select(User).where((User.id_number == code) | (User.credit_code == code)))
        if user is None or user.kind not in ("citizen", "enterprise"):
            raise ValidationFailed("未找到该申请人的账户，请先为申请人办理实名注册。", code="applicant_unknown",
                                   detail={"field": "applicant_code"})
        return user
    raise Forbidden("只有申请人本人或窗口受理人员可以提交申请。", code="case_apply_forbidden")


def _applicant_fields(user: User) -> dict[str, str]:
    if user.kind == "enterprise":
        return {"applicant_kind": "entity", "applicant_code": user.credit_code or "", "applicant_code_type": "uscc"}
    return {"applicant_kind": "person", "applicant_code": user.id_number or "", "applicant_code_type": "resident_id"}


def _add_materials(session: Session, case: Case, rows: Sequence[Any]) -> None:
    for position, m in enumerate(rows, start=1):
        waived = m.source == "waived"
        session.add(CaseMaterial(case_id=case.id, position=position, name=m.name, source=m.source,
                                 ref=getattr(m, "ref", "") or "", required=bool(m.required) and not waived,
                                 provided="waived" if waived else "none", note=getattr(m, "note", "") or "",
                                 confirmed_by_applicant=waived, updated_at=utcnow()))


@use_case
def create_draft(*, session: Session, actor: Actor, case_in: CaseCreate) -> Case:
    """Start an application (草稿) for an item or a bundle; kept until submitted or withdrawn."""
    user = _applicant_of(session, actor, case_in.applicant_code)
    now = utcnow()
    window = actor.is_staff
    common_fields: dict[str, Any] = dict(applicant_user_id=user.id, applicant_name=user.display_name,
                                         status=DRAFT, channel="窗口" if window else "网上",
                                         entered_by=actor.id if window else None, form_data=case_in.form_data,
                                         created_at=now, updated_at=now, **_applicant_fields(user))
    if case_in.implementation_id is not None:
        guide = item_reads.published(session, case_in.implementation_id)
        if window and guide.department_id != actor.department_id:
            raise Forbidden("窗口只能为本部门的事项收件。", code="case_other_department")
        case = Case(implementation_id=guide.id, implementation_version=guide.version, item_code=guide.code,
                    item_name=guide.name, snapshot=guide.model_dump(mode="json"), department_id=guide.department_id,
                    **common_fields)
        session.add(case)
        session.flush()
        _add_materials(session, case, guide.materials)
    else:
        bundle = session.scalar(select(Bundle).where(Bundle.code == case_in.bundle_code,
                                                     Bundle.status == "published"))
        if bundle is None:
            raise NotFound("未找到该一件事。", code="bundle_not_found")
        read = item_reads.bundle(session, bundle.code)
        case = Case(item_code=bundle.code, item_name=bundle.name, bundle_code=bundle.code,
                    snapshot=read.model_dump(mode="json"), department_id=bundle.lead_department_id, **common_fields)
        session.add(case)
        session.flush()
        _add_materials(session, case, read.materials)
    common.event(session, case, actor, "create", "创建申请" if not window else "窗口收件登记",
                 channel=case.channel)
    return case


def _draft(session: Session, actor: Actor, case_id: int) -> Case:
    case = _mine_or_entered(session, actor, case_id)
    if case.status != DRAFT:
        raise InvalidTransition(f"办件{STATUS_LABELS[case.status]}，不能再修改申请内容。", code="case_not_draft")
    return case


def _mine_or_entered(session: Session, actor: Actor, case_id: int) -> Case:
    """The applicant's own case, or a walk-in case the clerk's department entered."""
    case = common.get_case(session, case_id)
    if actor.kind in ("citizen", "enterprise") and case.applicant_user_id == actor.id:
        return case
    if case.channel == "窗口" and actor.acts_for(Permission.CASE_HANDLE, case.department_id):
        return case
    raise NotFound("未找到该办件。", code="case_not_found")


@use_case
def update_draft(*, session: Session, actor: Actor, case_id: int, draft_in: DraftUpdate) -> Case:
    """Save the form of a draft."""
    case = _draft(session, actor, case_id)
    # What was pre-filled, and from where, stays with the form (the applicant cannot write it: schemas.py).
    kept = {k: v for k, v in case.form_data.items() if k == applying.PREFILL_KEY}
    case.form_data = {**draft_in.form_data, **kept}
    case.updated_at = utcnow()
    return case


@use_case
def upload_material(*, session: Session, actor: Actor, case_id: int, material_id: int, content: bytes,
                    filename: str) -> CaseMaterial:
    """Upload a material (checked by its bytes); in a draft, or for a 补正 that lists it. A material the platform
    can fetch is never demanded as an upload, but the applicant may always upload it instead: that is their
    choice, recorded as such (also during a 补正 whose notice asks the platform to fetch it)."""
    case = _mine_or_entered(session, actor, case_id)
    material = session.get(CaseMaterial, material_id)
    if material is None or material.case_id != case.id:
        raise NotFound("未找到该材料。", code="material_not_found")
    if case.status == SUPPLEMENT:
        asked = {int(i["material_id"]) for i in case.supplement_notice or []}
        if material.id not in asked:
            raise InvalidTransition("补正期间只能补交补正通知列明的材料。", code="material_not_requested")
    elif case.status != DRAFT:
        raise InvalidTransition(f"办件{STATUS_LABELS[case.status]}，不能再上传材料。", code="case_not_draft")
    got = inspect_upload(content, declared_name=filename, accept=MATERIALS, field="file")
    sha = file_store.get_store().put(content)
    material.provided, material.file_sha256, material.file_name = "upload", sha, got.filename
    material.file_kind, material.confirmed_by_applicant, material.updated_at = str(got.kind), True, utcnow()
    instead = material.source in FETCHABLE  # the platform could have fetched it: the applicant chose to upload
    common.event(session, case, actor, "material",
                 (f"自行上传（未用平台调取）：{material.name}" if instead else f"上传材料：{material.name}")[:64],
                 material=material.name, sha256=sha, size=got.size, upload_instead_of_fetch=instead)
    return material


def _missing_uploads(session: Session, case: Case) -> list[str]:
    return [m.name for m in common.materials(session, case)
            if m.required and m.source == "upload" and m.provided == "none"]


def _process_key(guide: dict[str, Any]) -> str:
    return "immediate" if guide.get("instant") or not guide.get("promised_days") else "promised"


def _joint_lane(n: int) -> str:
    """The lane of the n-th (from 0) sub-case of a joint case: "a", "b" … "z", then "27", "28" …"""
    return chr(ord("a") + n) if n < 26 else str(n + 1)


def _start_process(session: Session, case: Case, key: str, lanes: Mapping[str, int | None],
                   data: dict[str, Any] | None = None) -> None:
    inst = wf.start(session=session, process_key=key, subject=(common.OWNER, str(case.id)), data=data or {},
                    lanes=lanes, due_dates=common.due_dates(case))
    case.process_key, case.workflow_instance_id = key, inst.id


def _member_implementation(session: Session, basic_code: str, region_code: str) -> Implementation | None:
    from tongban.items.models import BasicItem

    rows = session.scalars(select(Implementation).join(BasicItem).where(
        BasicItem.code == basic_code, Implementation.published_version > 0, Implementation.status != "retired")
        .order_by(Implementation.id)).all()
    for pick in ([i for i in rows if i.region_code == region_code], [i for i in rows if i.level == "市级"], rows):
        if pick:
            return pick[0]
    return None


def _sub_cases(session: Session, actor: Actor, parent: Case) -> list[Case]:
    """One sub-case per member that applies (the bundle's conditions answered in the form), each in its
    department, with its own materials; provisions of the parent's merged materials carry over by name."""
    bundle = session.scalar(select(Bundle).where(Bundle.code == parent.bundle_code))
    assert bundle is not None
    provided = {m.name: m for m in common.materials(session, parent)}
    out: list[Case] = []
    unanswered: list[str] = []
    for member in bundle.members:
        if member.condition_field:
            met = evaluate(member.condition_op or "==", member.condition_value,
                           parent.form_data.get(member.condition_field))
            if met is None:
                unanswered.append(member.condition_label or member.condition_field)
                continue
            if not met:
                continue
        impl = _member_implementation(session, member.basic.code, bundle.region_code)
        if impl is None:
            continue
        guide = item_reads.published(session, impl.id)
        sub = Case(parent_id=parent.id, bundle_code=parent.bundle_code, implementation_id=guide.id,
                   implementation_version=guide.version, item_code=guide.code, item_name=guide.name,
                   snapshot=guide.model_dump(mode="json"), department_id=guide.department_id,
                   applicant_user_id=parent.applicant_user_id, applicant_kind=parent.applicant_kind,
                   applicant_name=parent.applicant_name, applicant_code=parent.applicant_code,
                   applicant_code_type=parent.applicant_code_type, channel=parent.channel,
                   entered_by=parent.entered_by, form_data=parent.form_data, status=SUBMITTED,
                   created_at=utcnow(), updated_at=utcnow())
        session.add(sub)
        session.flush()
        _add_materials(session, sub, guide.materials)
        for m in common.materials(session, sub):
            src = provided.get(m.name)
            if src is not None and src.provided != "none":
                m.provided, m.file_sha256, m.file_name, m.file_kind = (src.provided, src.file_sha256, src.file_name,
                                                                       src.file_kind)
                m.licence_identifier, m.shared_ref = src.licence_identifier, src.shared_ref
                m.confirmed_by_applicant = src.confirmed_by_applicant
        out.append(sub)
    if unanswered:
        raise ValidationFailed("请先回答一件事的情形问题：" + "；".join(unanswered) + "。", code="bundle_unanswered",
                               detail={"field": "form_data"})
    if not out:
        raise ValidationFailed("按您的情形，该一件事没有需要办理的事项。", code="bundle_nothing_applies",
                               detail={"field": "form_data"})
    return out


@use_case
def submit(*, session: Session, actor: Actor, case_id: int) -> Submitted:
    """提交: the case gets its number and 查询码, the acceptance clock starts, the process starts."""
    case = _draft(session, actor, case_id)
    missing = _missing_uploads(session, case)
    if missing:
        raise ValidationFailed("请先上传这些必需材料：" + "、".join(missing) + "。", code="materials_missing",
                               detail={"materials": missing})
    stale = applying.stale_licences(session, case)
    if stale:
        raise ValidationFailed("这些材料所用的电子证照已失效或已变更，请重新调取或上传：" + "、".join(stale) + "。",
                               code="licence_no_longer_valid", detail={"materials": stale})
    subs = _sub_cases(session, actor, case) if case.bundle_code else []
    # Taken after the checks that may refuse the submission (the counter row stays locked until commit); a
    # draft that fetched shared data already has its number (applying.py: the purpose of the exchange calls).
    if case.number is None:
        case.number = numbering.next_number(session, CASE_NUMBER, today())
    code = "".join(secrets.choice(_CHECK_ALPHABET) for _ in range(6))
    case.check_hash = common.check_hash(case.number, code)
    case.status, case.submitted_at = SUBMITTED, utcnow()
    common.start_clock(session, case, ACCEPT, ACCEPT_DAYS, actor)
    if not subs:
        _start_process(session, case, _process_key(case.snapshot), {"dept": case.department_id})
    elif len(subs) >= 2:
        # 并联审批: one acceptance at the lead department's window, then every member's department decides its
        # sub-case in parallel (one lane each: "a", "b", "c" …); a refusal decides as the bundle says
        # (joint_policy, fixed in the case's snapshot at submission: outcome.finish_joint follows it).
        policy = session.scalar(select(Bundle.joint_policy).where(Bundle.code == case.bundle_code))
        policy = policy if policy in (wf.ANY_REFUSAL, wf.ALL_MUST_DECIDE) else wf.ANY_REFUSAL
        case.snapshot = {**case.snapshot, "joint_policy": policy}
        for n, sub in enumerate(subs):
            sub.lane, sub.process_key = _joint_lane(n), "joint"
        lanes: dict[str, int | None] = {"lead": case.department_id}
        lanes.update({common.process_lane(sub) or "": sub.department_id for sub in subs})
        _start_process(session, case, "joint", lanes,
                       {"policy": policy, "departments": [common.process_lane(sub) for sub in subs]})
    for n, sub in enumerate(subs, start=1):
        sub.number = f"{case.number}-{n}"
        sub.submitted_at = case.submitted_at
        if sub.lane is None:  # not part of a joint process: each sub-case goes its own way
            common.start_clock(session, sub, ACCEPT, ACCEPT_DAYS, actor)
            _start_process(session, sub, _process_key(sub.snapshot), {"dept": sub.department_id})
        common.event(session, sub, actor, "submit", "提交申请（一件事）", parent=case.number)
    common.event(session, case, actor, "submit", "提交申请", number=case.number, channel=case.channel,
                 sub_cases=[s.number for s in subs])
    return Submitted(case, code)


#: What a 补正 line asks, as the missing-materials message names it.
_SUPPLEMENT_HINTS = {"upload": "重新上传", "correct": "更正后重新上传", "fetch": "调取并确认使用，或自行上传"}


def supplement_missing(session: Session, case: Case) -> list[tuple[str, str]]:
    """The 补正 notice's lines not yet provided (material name, what to do): every line — whatever it asks —
    counts only when its material was provided AFTER the notice, by an upload or by a fetch the applicant
    confirmed (an upload instead of a fetch is the applicant's choice and counts too); a material merely left as
    it was, or switched back to 改为上传 and not uploaded, is still missing."""
    by_id = {m.id: m for m in common.materials(session, case)}
    since = case.supplement_notified_at
    out: list[tuple[str, str]] = []
    for line in case.supplement_notice or []:
        m = by_id.get(int(line["material_id"]))
        if m is None:
            continue
        provided = m.provided in ("upload", "licence", "shared") and m.confirmed_by_applicant
        if not provided or (since is not None and m.updated_at <= since):
            how = str(line.get("how", "upload"))
            hint = _SUPPLEMENT_HINTS["fetch"] if m.source in FETCHABLE else _SUPPLEMENT_HINTS.get(how, "重新上传")
            out.append((m.name, hint))
    return out


@use_case
def supplement(*, session: Session, actor: Actor, case_id: int) -> Case:
    """补正材料已提交: every material the notice listed has been provided since (uploaded, or fetched and
    confirmed); the acceptance clock runs again. The applicant hands it in, or for a walk-in case (窗口收件)
    a window clerk of the case's department, at the window, for the applicant."""
    case = _mine_or_entered(session, actor, case_id)
    if case.status != SUPPLEMENT:
        raise InvalidTransition("该办件当前无需补正。", code="case_not_in_supplement")
    missing = supplement_missing(session, case)
    if missing:
        raise ValidationFailed(
            "请先补交这些材料：" + "、".join(f"{name}（{hint}）" for name, hint in missing)
            + "。补正通知列明的每项材料都提供后，才能提交补正。", code="supplement_incomplete",
            detail={"materials": [name for name, _ in missing]})
    common.complete(session, case, "supplement", wf.Participant(role=wf.APPLICANT), action_title="补正")
    case.status = SUBMITTED
    at_window = actor.is_staff
    common.resume_clocks(session, case, (ACCEPT,), actor, note="窗口代申请人提交补正" if at_window else "申请人已补正")
    common.event(session, case, actor, "supplement", "窗口代申请人提交补正材料" if at_window else "补正材料已提交",
                 at_window=at_window, applicant=case.applicant_name)
    return case


@use_case
def withdraw(*, session: Session, actor: Actor, case_id: int, withdrawal: Withdrawal) -> Case:
    """撤回: the applicant withdraws before the decision; every clock stops."""
    case = common.own_case(session, actor, case_id)
    if case.parent_id is not None:
        raise InvalidTransition("一件事的子办件不能单独撤回，请撤回整件申请。", code="case_sub_case")
    if case.status not in WITHDRAWABLE:
        raise InvalidTransition(f"办件{STATUS_LABELS[case.status]}，已不能撤回。", code="case_not_withdrawable")
    for c in [case, *common.children(session, case)]:
        if c.status not in WITHDRAWABLE:
            raise Conflict(f"子办件 {c.number}（{c.item_name}）已作出决定，不能撤回整件申请。",
                           code="case_not_withdrawable")
        c.status, c.withdrawn_at = WITHDRAWN, utcnow()
        common.stop_clocks(session, c, common.ACCEPT, common.LEGAL, common.PROMISED, note="申请人撤回")
        common.event(session, c, actor, "withdraw", "申请人撤回申请", reason=withdrawal.reason)
    return case


def _material_reader(session: Session, actor: Actor, ref: tuple[int, int]) -> file_store.StoredFile:
    """Who may read an uploaded material: the applicant and the handling department's staff; audited."""
    case_id, material_id = ref
    case = common.readable_case(session, actor, case_id)
    material = session.get(CaseMaterial, material_id)
    if material is None or material.case_id != case.id or material.file_sha256 is None:
        raise NotFound("未找到该材料。", code="material_not_found")
    from tongban.audit.service import record

    record(session, actor=actor, action="case.material_read", object_type="case", object_id=case.number or case.id,
           detail={"material": material.name})
    content_type = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}.get(
        material.file_kind or "", "application/octet-stream")
    return file_store.StoredFile(sha256=material.file_sha256, filename=material.file_name or "材料",
                                 content_type=content_type)


file_store.register_reader(FILE_KIND, _material_reader)
file_store.register_referrer(FILE_KIND, lambda session: [sha for sha in session.execute(
    select(CaseMaterial.file_sha256).where(CaseMaterial.file_sha256.is_not(None))).scalars() if sha])
