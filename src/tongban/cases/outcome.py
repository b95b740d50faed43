"""The result of a case: the decision, the e-licence issued on 准予, the applicant's message, the sealed
notices, and the status of a bundle's parent case that follows its sub-cases."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor
from tongban.cases import common
from tongban.cases.common import DELIVERY, DELIVERY_DAYS, LEGAL, PROMISED, REMEDIES
from tongban.cases.models import (
    ACCEPTED,
    CLOSED,
    DECIDED,
    DELIVERED,
    REJECTED,
    SUBMITTED,
    SUPPLEMENT,
    WITHDRAWN,
    Case,
)
from tongban.cases.schemas import Decision
from tongban.db import utcnow
from tongban.documents import hooks
from tongban.documents import queries as document_queries
from tongban.documents import service as documents
from tongban.documents.models import Document
from tongban.documents.schemas import DocumentRead
from tongban.licences import issuing
from tongban.licences.licence_types import may_issue
from tongban.licences.models import Licence, LicenceType
from tongban.notifications import service as notifications
from tongban.notifications.message_templates import _FOOTER, Template, register
from tongban.org.models import Department, User

_RESULT_SUBJECT = "办件 ((number))：((result))"
_RESULT_BODY = "您申请的“((item))”（办件编号 ((number))）：((result))。((detail))"
CASE_RESULT = register(Template(
    code="case.result", version=1, name="办件结果告知",
    channels={"inbox": (_RESULT_SUBJECT, _RESULT_BODY), "email": (_RESULT_SUBJECT, _RESULT_BODY + _FOOTER),
              "sms": ("", "【通办】您的办件((number))（((item))）：((result))。请登录平台查看。")}))

#: The formal notices (文书) of a case, by kind.
NOTICE_KINDS = {"acceptance": "受理通知书", "rejection": "不予受理决定书", "supplement": "补正材料通知书",
                "approval": "准予许可决定书", "refusal": "不予许可决定书"}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str, limit: int) -> str:
    """Free text as a document field takes it: one paragraph, no control characters, within its length."""
    clean = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\n", "；")).strip()
    return clean if len(clean) <= limit else clean[:limit - 1] + "…"


def _applied_on(case: Case) -> str:
    at = case.submitted_at or case.created_at
    return (at.replace(tzinfo=dt.UTC).astimezone(clock.BEIJING).date() if at else clock.today()).isoformat()


def _notice_fields(session: Session, case: Case, kind: str, note: str = "") -> dict[str, object]:
    fields: dict[str, object] = {"item_name": _text(case.item_name, 128), "case_number": case.number or "",
                                 "applied_on": _applied_on(case)}
    phone = str(case.snapshot.get("consult_phone") or "").strip()
    if kind in ("acceptance", "supplement") and phone:
        fields["contact"] = _text(phone, 40)
    if kind == "acceptance":
        due = case.promised_due_on or case.legal_due_on or clock.today()
        fields["due_on"] = due.isoformat()
    elif kind in ("rejection", "refusal"):
        fields["reason"] = _text((case.reason or "不符合法定条件") + (f"。{note}" if note else ""), 500)
    elif kind == "supplement":
        how = {"upload": "请重新上传", "correct": "请更正", "fetch": "请在平台授权调取"}
        by_id = {m.id: m for m in common.materials(session, case)}
        lines = []
        for item in case.supplement_notice or []:
            m = by_id.get(int(item["material_id"]))
            name = m.name if m is not None else str(item.get("name", ""))
            note = str(item.get("note") or "").strip()
            lines.append(_text(f"{name}（{how.get(str(item.get('how')), '请补正')}）" + (f"：{note}" if note else ""),
                               200))
        fields["materials"] = lines
    elif kind == "approval":
        result = case.snapshot.get("result_name") or ""
        fields["content"] = _text(f"准予{case.item_name}" + (f"，办理结果为{result}" if result else "")
                                  + (f"（{case.reason}）" if case.reason else "")
                                  + (f"。{note}" if note else ""), 500)
        if case.licence_id is not None:
            lic = session.get(Licence, case.licence_id)
            if lic is not None:
                fields["result"] = _text(f"电子证照“{lic.type.name}”（证照编号 {lic.number}）已签发，"
                                         "可在通办平台“我的证照”中查看和下载。", 200)
    return fields


def _signer(session: Session, case: Case, actor: Actor) -> Actor:
    """The actor when they may issue for the case's department; else the platform on its behalf (a joint
    case decided by the other department's reviewer, the deemed acceptance of the sweep)."""
    if documents.may_issue(actor, case.department_id):
        return actor
    department = session.get(Department, case.department_id)
    name = department.name if department is not None else "办理部门"
    return Actor(kind="system", id=None, name=f"{name}（办件文书自动签发）", department_id=case.department_id,
                 client_ip=actor.client_ip)


def notice(session: Session, case: Case, kind: str, actor: Actor, note: str = "") -> Document | None:
    """签发文书: the formal notice of `kind` (NOTICE_KINDS) about the case, numbered and sealed with the case
    department's e-seal, owner ("case", id), in the caller's use-case (no seal: the act is refused with the
    seal's 409, nothing half-written). A bundle's parent gets no decision notice of its own: each sub-case's
    department decides its item and issues its decision. `note`: a sentence added to the decision's content
    or reason (a joint case decided in part says what became of the other members)."""
    if kind in ("approval", "refusal") and case.bundle_code and case.parent_id is None:
        return None
    return documents.issue(session=session, actor=_signer(session, case, actor), kind=kind, owner_type=common.OWNER,
                           owner_id=case.id, department_id=case.department_id, recipient_name=case.applicant_name,
                           recipient_code=case.applicant_code, fields=_notice_fields(session, case, kind, note))


def notices_of(session: Session, actor: Actor, case_id: int) -> list[DocumentRead]:
    """The case's sealed notices, oldest first, for whoever may read the case (read model of the notices list)."""
    case = common.readable_case(session, actor, case_id)
    return document_queries.documents_of(session=session, actor=actor, owner_type=common.OWNER,
                                         owner_id=str(case.id))


def is_recipient(session: Session, actor: Actor, owner_id: str) -> bool:
    """documents' recipient hook: the applicant of the case reads its notices (registered below)."""
    if actor.kind not in ("citizen", "enterprise") or not owner_id.isdigit():
        return False
    case = session.get(Case, int(owner_id))
    return case is not None and case.applicant_user_id == actor.id


# The applicant reads the case's notices and downloads their PDFs. Registered on import, like the materials'
# file reader in service.py: register() imports deadlines → handling → here in every process.
hooks.register_recipient(common.OWNER, "tongban.cases.outcome:is_recipient")


def tell_applicant(session: Session, case: Case, result: str, detail: str = "") -> None:
    """站内信 (and SMS / e-mail where the applicant has them) with the result."""
    user = session.get(User, case.applicant_user_id)
    if user is None:
        return
    notifications.notify(session, template=CASE_RESULT.code, recipients=[user],
                         personalisation={"number": case.number or "", "item": case.item_name, "result": result,
                                          "detail": detail[:500]},
                         reference=case.number or "", link=f"/my/cases/{case.parent_id or case.id}")


def _issue_licence(session: Session, case: Case, actor: Actor) -> str:
    """准予: the implementation's licence type, issued from the case data to the applicant. Returns a line
    for the timeline."""
    type_name = case.snapshot.get("licence_type")
    if not type_name:
        return ""
    lt = session.scalar(select(LicenceType).where(LicenceType.name == type_name, LicenceType.status == "active"))
    if lt is None or not may_issue(lt, case.department_id):
        return f"“{type_name}”由颁证部门另行制发"
    form: dict[str, Any] = case.form_data.get("licence") if isinstance(case.form_data.get("licence"), dict) \
        else case.form_data  # type: ignore[assignment]
    keys = {i["key"] for i in lt.items}
    data = {k: v for k, v in form.items() if k in keys}
    department = session.get(Department, case.department_id)
    assert department is not None
    # The department decided; the platform signs the result for it (the case's department, not the reviewer's,
    # in a joint case where the last opinion came from the other department).
    signer = Actor(kind="system", id=None, name=f"{department.name}（办件结果自动签发）",
                   department_id=case.department_id, client_ip=actor.client_ip)
    licence = issuing.issue(session=session, actor=signer, licence_in=issuing.LicenceIssue(
        type_id=lt.id, holder_name=case.applicant_name, holder_code=case.applicant_code, data=data,
        service_item_code=case.item_code[:64], service_item_name=case.item_name[:128]))
    case.licence_id = licence.id
    return f"已签发电子证照“{lt.name}”（{licence.number}），已存入申请人的我的证照"


def finish(session: Session, case: Case, actor: Actor, decision: Decision, *, reason: str | None = None,
           note: str = "") -> None:
    """The decision is made: clocks stop, the 送达 clock starts, the licence is issued on 准予, the applicant told.
    `note` goes into the decision notice and the applicant's message (a joint case decided in part)."""
    approve = decision.decision == "approve"
    case.status, case.decision, case.decided_at = DECIDED, decision.decision, utcnow()
    case.reason = reason if reason is not None else decision.reason
    case.remedies = decision.remedies or REMEDIES
    case.suspended_reason = None
    common.stop_clocks(session, case, LEGAL, PROMISED, note="已作出决定")
    common.start_clock(session, case, DELIVERY, DELIVERY_DAYS, actor)
    licence_line = _issue_licence(session, case, actor) if approve else ""
    common.event(session, case, actor, "decide", "准予许可" if approve else "不予许可", reason=case.reason,
                 licence=licence_line, **({"joint": note} if note else {}))
    notice(session, case, "approval" if approve else "refusal", actor, note)
    detail = licence_line if approve else f"理由：{case.reason}。{case.remedies}"
    tell_applicant(session, case, "准予许可" if approve else "不予许可", detail + (f"（{note}）" if note else ""))
    sync_parent(session, case, actor)


#: 联合审批 policies (items: item_bundles.joint_policy), as the parent case's snapshot records them at submission.
ANY_REFUSAL, ALL_MUST_DECIDE = "any_refusal", "all_must_decide"


def joint_policy(parent: Case) -> str:
    """The joint policy the case was submitted under (cases from before the policy: one refusal refuses all)."""
    policy = str((parent.snapshot or {}).get("joint_policy") or ANY_REFUSAL)
    return policy if policy in (ANY_REFUSAL, ALL_MUST_DECIDE) else ANY_REFUSAL


def finish_joint(session: Session, parent: Case, actor: Actor, end: str, last: Decision) -> None:
    """A joint process ended: approved → every sub-case approved with its licence. A refusal decides as the
    bundle says: any_refusal → every sub-case refused; all_must_decide → each sub-case as its department
    decided (licences only for the approved ones), the parent 部分准予 (or 不予 when nobody approved)."""
    subs = [s for s in common.children(session, parent) if s.lane is not None]
    if end == "approved":
        for sub in subs:
            finish(session, sub, actor, Decision(decision="approve", reason=sub.reason or ""))
        finish(session, parent, actor, Decision(decision="approve"))
        return
    refusers = [s for s in subs if s.decision == "refuse"]
    why = "；".join(f"{s.item_name}：{s.reason}" for s in refusers) or last.reason
    approved = [s for s in subs if s.decision == "approve"] if joint_policy(parent) == ALL_MUST_DECIDE else []
    if not approved:
        for sub in subs:
            reason = sub.reason if sub in refusers else f"联合审批中其他部门不予许可（{why}）"
            finish(session, sub, actor, Decision(decision="refuse", reason=reason or why))
        finish(session, parent, actor, Decision(decision="refuse", reason=f"联合审批不予许可：{why}"))
        return
    granted = "、".join(s.item_name for s in approved)
    refused = "、".join(s.item_name for s in refusers)
    for sub in subs:
        if sub in approved:
            finish(session, sub, actor, Decision(decision="approve", reason=sub.reason or ""),
                   note=f"本件为一件事“{parent.item_name}”（办件编号 {parent.number}）的联合审批事项之一，"
                        f"各部门分别决定；同件的{refused}不予许可，不影响本事项")
        else:
            finish(session, sub, actor, Decision(decision="refuse", reason=sub.reason or why),
                   note=f"同件的{granted}已准予许可，不受本决定影响")
    _partly_approved(session, parent, actor, granted, refused, why)


def _partly_approved(session: Session, parent: Case, actor: Actor, granted: str, refused: str, why: str) -> None:
    """部分准予: the parent of a joint case decided member by member (all_must_decide) with both outcomes."""
    parent.status, parent.decision, parent.decided_at = DECIDED, "partial", utcnow()
    parent.reason = _text(f"联合审批部分准予：{granted}准予许可；{refused}不予许可（{why}）", 500)
    parent.remedies = REMEDIES
    parent.suspended_reason = None
    common.stop_clocks(session, parent, LEGAL, PROMISED, note="已作出决定")
    common.start_clock(session, parent, DELIVERY, DELIVERY_DAYS, actor)
    common.event(session, parent, actor, "decide", "部分准予", reason=parent.reason, approved=granted, refused=refused)
    tell_applicant(session, parent, "部分准予",
                   f"{granted}准予许可，电子证照已存入“我的证照”；{refused}不予许可，理由：{why}。{REMEDIES}")


def carry_over(session: Session, parent: Case, actor: Actor, action: str, title: str, **detail: Any) -> list[Case]:
    """办结 / 送达 of a joint case's parent reach every sub-case that followed it (the lane members), each with
    its timeline event, so that the applicant's one case and the departments' sub-cases agree. Returns them."""
    subs = [s for s in common.children(session, parent) if s.lane is not None]
    now = utcnow()
    for sub in subs:
        if action == "close" and sub.status == DECIDED:
            sub.status, sub.closed_at = CLOSED, now
        elif action == "deliver" and sub.status in (DECIDED, CLOSED):
            if sub.status == DECIDED:
                sub.closed_at = now
            sub.status, sub.delivered_at = DELIVERED, now
            common.stop_clocks(session, sub, DELIVERY, note=str(detail.get("method", "")))
        else:
            continue
        common.event(session, sub, actor, action, f"{title}（联合审批）", parent=parent.number, **detail)
    return subs


def sync_parent(session: Session, case: Case, actor: Actor) -> None:
    """A bundle whose sub-cases go their own ways: the parent shows where they stand together."""
    if case.parent_id is None or case.lane is not None:
        return
    parent = session.get(Case, case.parent_id)
    if parent is None or parent.workflow_instance_id is not None:
        return
    statuses = [s.status for s in common.children(session, parent)]
    done = (DECIDED, CLOSED, DELIVERED, REJECTED, WITHDRAWN)
    before = parent.status
    if all(s in (REJECTED, WITHDRAWN) for s in statuses):
        parent.status = REJECTED
    elif all(s in done for s in statuses):
        parent.decided_at = parent.decided_at or utcnow()
        parent.decision = "approve" if all(s in (DECIDED, CLOSED, DELIVERED) for s in statuses) else "partial"
        # 办结 / 送达 of the sub-cases: the parent is closed when every result is, delivered when every one is
        if all(s in (DELIVERED, REJECTED, WITHDRAWN) for s in statuses):
            parent.status = DELIVERED
            parent.delivered_at = parent.delivered_at or utcnow()
            parent.closed_at = parent.closed_at or parent.delivered_at
        elif all(s in (CLOSED, DELIVERED, REJECTED, WITHDRAWN) for s in statuses):
            parent.status = CLOSED
            parent.closed_at = parent.closed_at or utcnow()
        else:
            parent.status = DECIDED
    elif SUPPLEMENT in statuses:
        parent.status = SUPPLEMENT
    elif all(s not in (SUBMITTED,) for s in statuses):
        parent.status = ACCEPTED
        parent.accepted_at = parent.accepted_at or utcnow()
    if parent.status != before:
        common.event(session, parent, actor, "follow", f"一件事进度更新：{case.item_name}"[:64],
                     sub_case=case.number, status=case.status)
