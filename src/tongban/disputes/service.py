"""Data-quality disputes (数据疑义/纠错): raise, answer, withdraw, escalate, coordinate; evidence files;
working-day deadlines and the overdue check; the disputed-record lookup the exchange makes on every call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban import files as file_store
from tongban import notifications, numbering, versioned
from tongban.audit import service as audit
from tongban.audit.models import AuditEntry
from tongban.authz import Actor, Permission
from tongban.catalog.models import InformationResource
from tongban.clock import today
from tongban.config import get_settings
from tongban.db import utcnow
from tongban.disputes import deadlines, evidence
from tongban.disputes import permissions as rules
from tongban.disputes.deadlines import OBJECT_TYPE
from tongban.disputes.evidence import MAX_ATTACHMENTS, check_file
from tongban.disputes.evidence import Upload as Upload
from tongban.disputes.models import DataDispute, DisputeAttachment
from tongban.disputes.schemas import (
    DISPUTE_STATUS_LABELS,
    UNRESOLVED,
    AttachmentRead,
    DisputeAnswer,
    DisputeCoordination,
    DisputeCreate,
    DisputeEscalation,
    DisputeRead,
)
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.exchange import access, hooks
from tongban.org.models import AppClient, Department
from tongban.registries.models import RegistryRecord
from tongban.sharing.models import Grant
from tongban.transactions import use_case
from tongban.workdays import service as workdays

# ---------------------------------------------------------------- systems acting for end users
#
# A system that calls on behalf of the person it serves (一网通办平台, exchange/access.end_user_systems) may raise
# or read a dispute only on that person's own record, as the exchange serves it only that person's records:
# the end user and their open case come in the X-End-User / X-Case-Number headers (checked as the exchange
# checks them), and a record that does not name the end user in an identifier item is answered exactly like a
# record that does not exist (no hint that it does), the attempt audited as access.denied. Other systems and
# staff are unaffected.


@dataclass(frozen=True)
class EndUser:
    """The person a system acts for, and their case (from the X-End-User and X-Case-Number headers)."""

    code: str = ""
    case_number: str = ""


def acts_for_end_users(actor: Actor) -> bool:
    return actor.kind == "client" and actor.username in access.end_user_systems()


def _check_end_user(session: Session, end_user: EndUser | None) -> str:
    code = (end_user.code if end_user else "").strip().upper()
    case = (end_user.case_number if end_user else "").strip()
    if not code or not case or not hooks.end_users_case(session, code, case):
        raise Forbidden("本应用系统代表办事人使用数据疑义接口，须在 X-End-User 请求头中给出办事人本人的公民身份号码或"
                        "统一社会信用代码，在 X-Case-Number 请求头中给出其本人处于草稿或待补正状态的办件编号。",
                        code="end_user_required")
    return code


def _names_end_user(session: Session, resource_id: int, record_key: str, code: str) -> bool:
    """Whether the record (not deleted) holds the end user's identifier in one of its identifier items."""
    resource = session.get(InformationResource, resource_id)
    data = session.execute(select(RegistryRecord.data).where(
        RegistryRecord.resource_id == resource_id, RegistryRecord.record_key == record_key,
        RegistryRecord.deleted.is_(False))).scalar_one_or_none()
    if resource is None or data is None:
        return False
    values = access.load_json(data)
    subjects = [i.key for i in resource.items if i.data_type in ("resident_id", "credit_code")]
    return any(str(values.get(k) or "").strip().upper() == code for k in subjects)


class _NotEndUsersRecord(ValidationFailed):
    """Someone else's record, answered as a missing one; audited as access.denied by the error handler."""

    def __init__(self, resource: InformationResource, record_key: str) -> None:
        super().__init__(f"“{resource.name}”中没有主键为 {record_key} 的记录，请核对后重新填写。",
                         code="record_unknown", detail={"field": "record_key"})
        self.refused_object = ("resource", resource.code)


class _HiddenDispute(NotFound):
    def __init__(self, dispute_id: int) -> None:
        super().__init__("数据疑义不存在，或与您的部门无关。", code="dispute_not_found")
        self.refused_object = ("data_dispute", str(dispute_id))


# ---------------------------------------------------------------- reading


def dispute_read(dispute: DataDispute, *, on: dt.date | None = None, with_attachments: bool = False,
                 record_seq: int | None = None, escalation_deadline: dt.date | None = None) -> DisputeRead:
    out = DisputeRead(**{name: getattr(dispute, name) for name in _READ_FIELDS})
    out.resource_code = dispute.resource.code
    out.resource_name = dispute.resource.name
    out.provider_name = dispute.provider.name
    out.consumer_name = dispute.consumer.name
    out.raised_by_name = dispute.raiser.display_name if dispute.raiser is not None else ""
    out.client_name = dispute.client.name if dispute.client is not None else ""
    out.status_label = DISPUTE_STATUS_LABELS.get(dispute.status, dispute.status)
    out.overdue = deadlines.is_overdue(dispute, on or today())
    out.escalation_deadline = escalation_deadline
    if record_seq is not None:
        out.record_changed = record_seq != dispute.record_seq
    if with_attachments:
        out.attachments = [AttachmentRead.model_validate(a) for a in dispute.attachments]
    return out


_READ_FIELDS = ("id", "number", "resource_id", "provider_id", "consumer_id", "raised_by", "client_id", "record_key",
                "items", "description", "proposed", "evidence", "status", "due_on", "due_assumed", "answer_note",
                "answered_by", "answered_at", "escalation_note", "escalated_by", "escalated_at", "coordination_note",
                "coordinated_by", "coordinated_at", "withdrawn_by", "withdrawn_at", "created_at", "closed_at")


def detail_read(session: Session, dispute: DataDispute) -> DisputeRead:
    """The full view: attachments, whether the provider's record changed since, the escalation deadline."""
    seq = session.execute(select(RegistryRecord.seq).where(
        RegistryRecord.resource_id == dispute.resource_id, RegistryRecord.record_key == dispute.record_key)
    ).scalar_one_or_none()
    return dispute_read(dispute, with_attachments=True, record_seq=seq,
                        escalation_deadline=escalation_deadline(session, dispute))


def get_dispute(*, session: Session, actor: Actor, dispute_id: int, end_user: EndUser | None = None) -> DataDispute:
    """A dispute the actor may see; a system acting for end users only one on its end user's own record."""
    dispute = session.get(DataDispute, dispute_id)
    if dispute is None or not rules.can_see(actor, dispute):
        raise NotFound("数据疑义不存在，或与您的部门无关。", code="dispute_not_found")
    if acts_for_end_users(actor):
        code = _check_end_user(session, end_user)
        if not _names_end_user(session, dispute.resource_id, dispute.record_key, code):
            raise _HiddenDispute(dispute_id)
    return dispute


def list_disputes(*, session: Session, actor: Actor, role: str, status: str | None = None,
                  overdue: bool = False, resource_id: int | None = None, record_key: str | None = None,
                  page: int = 1, size: int = 50,
                  end_user: EndUser | None = None) -> tuple[Sequence[DataDispute], int]:
    """role: raised (我方提出), against (针对我方), platform (平台协调: all disputes). A system acting for end users
    lists only the disputes it raised on one record (resource_id and record_key) of its end user."""
    d = DataDispute
    q = select(d)
    if acts_for_end_users(actor):
        code = _check_end_user(session, end_user)
        if resource_id is None or not record_key:
            raise ValidationFailed("本应用系统代表办事人，只能按办事人本人的一条记录（resource_id 和 record_key）"
                                   "查询数据疑义。", code="record_required", detail={"field": "record_key"})
        if not _names_end_user(session, resource_id, record_key.strip(), code):
            return [], 0
    if role == "platform":
        rules.check_platform(actor)
    elif role == "raised":
        if actor.kind == "client":
            q = q.where(d.client_id == actor.client_id)
        else:
            actor.require(Permission.DISPUTE_RAISE)
            q = q.where(d.consumer_id == actor.department_id)
    elif role == "against":
        if actor.kind != "staff":
            raise Forbidden("只有数据提供部门的工作人员可以查看针对本部门的疑义。", code="not_provider")
        actor.require(Permission.DISPUTE_ANSWER)
        q = q.where(d.provider_id == actor.department_id)
    else:
        raise ValidationFailed("role 应为 raised、against 或 platform。", code="bad_role", detail={"field": "role"})
    if status == "unresolved":
        q = q.where(d.status.in_(UNRESOLVED))
    elif status:
        if status not in DISPUTE_STATUS_LABELS:
            raise ValidationFailed(f"没有“{status}”这种状态。", code="bad_status", detail={"field": "status"})
        q = q.where(d.status == status)
    if overdue:
        q = q.where(d.status.in_(list(deadlines.OWED_BY)), d.due_on < today())
    if resource_id is not None:
        q = q.where(d.resource_id == resource_id)
    if record_key:
        q = q.where(d.record_key == record_key.strip())
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(q.order_by(d.due_on.is_(None), d.due_on, d.id.desc())
                           .offset((page - 1) * size).limit(size)).scalars().unique().all()
    return rows, int(total)


def timeline(*, session: Session, dispute: DataDispute) -> list[AuditEntry]:
    """Every audited step of the dispute, oldest first (from the tamper-evident audit log)."""
    return list(session.execute(select(AuditEntry).where(
        AuditEntry.object_type == OBJECT_TYPE, AuditEntry.object_id == dispute.number)
        .order_by(AuditEntry.seq)).scalars())


def escalation_deadline(session: Session, dispute: DataDispute) -> dt.date | None:
    """The last day a rejected dispute may still be taken to the platform (the objection period of sharing)."""
    if dispute.status != "rejected":
        return None
    return workdays.load(session).add_working_days(dispute.stage_started_on,
                                                   get_settings().sharing_objection_days).due


def _actor_grants(session: Session, actor: Actor, resource_id: int) -> list[Grant]:
    """Active grants on the resource held by the actor's system, or by any system of the actor's department."""
    day = today()
    q = select(Grant).where(Grant.resource_id == resource_id, Grant.status == "active", Grant.valid_from <= day,
                            Grant.valid_until >= day)
    if actor.kind == "client":
        q = q.where(Grant.client_id == actor.client_id)
    else:
        q = q.where(Grant.client_id.in_(select(AppClient.id).where(AppClient.department_id == actor.department_id)))
    return list(session.execute(q).scalars().unique())


def disputable_items(*, session: Session, actor: Actor, resource_id: int) -> list[str]:
    """The item keys the actor's department (or system) may dispute: those its active grants cover."""
    granted: set[str] = set()
    for g in _actor_grants(session, actor, resource_id):
        granted |= set(g.items)
    resource = session.get(InformationResource, resource_id)
    return [i.key for i in resource.items if i.key in granted] if resource is not None else []


# ---------------------------------------------------------------- writing


def _audit(session: Session, actor: Actor, action: str, dispute: DataDispute, **detail: object) -> None:
    audit.record(session, actor=actor, action=action, object_type=OBJECT_TYPE, object_id=dispute.number,
                 purpose="数据疑义处理", detail={"status": dispute.status, **detail})


def _expect(dispute: DataDispute, *states: str) -> None:
    if dispute.status not in states:
        label = DISPUTE_STATUS_LABELS.get(dispute.status, dispute.status)
        raise InvalidTransition(f"该疑义当前为“{label}”，不能办理此操作。", detail={"status": dispute.status})


def _attach(session: Session, actor: Actor, dispute: DataDispute, files: Sequence[Upload]) -> list[DisputeAttachment]:
    existing = int(session.execute(select(func.count()).select_from(DisputeAttachment).where(
        DisputeAttachment.dispute_id == dispute.id)).scalar_one()) if dispute.id else 0
    if existing + len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"每件疑义至多 {MAX_ATTACHMENTS} 个证明材料文件（已有 {existing} 个）。",
                               code="too_many_files", detail={"field": "files"})
    for f in files:
        check_file(f)  # refuse the whole upload before any file is stored
    out = []
    for f in files:
        name, ctype, sha256 = evidence.store(f)
        att = DisputeAttachment(dispute_id=dispute.id, filename=name, content_type=ctype, size=len(f.content),
                                sha256=sha256,
                                uploaded_by=actor.id if actor.kind == "staff" else None,
                                uploaded_client_id=actor.client_id if actor.kind == "client" else None)
        session.add(att)
        out.append(att)
    session.flush()
    for att in out:
        _audit(session, actor, "dispute.attach", dispute, attachment=att.id, filename=att.filename,
               sha256=att.sha256, size=att.size)
    return out


@use_case
def raise_dispute(*, session: Session, actor: Actor, dispute_in: DisputeCreate,
                  files: Sequence[Upload] = (), end_user: EndUser | None = None) -> DataDispute:
    """提出疑义: a department (or its system) holding a grant flags granted items of one record as wrong; a
    system acting for end users only on a record of its end user (another's reads as a missing record)."""
    if actor.kind == "client":
        if actor.client_id is None or actor.department_id is None:
            raise Forbidden("应用系统身份无效。", code="client_unknown")
    else:
        if actor.kind != "staff":
            raise Forbidden("数据疑义由政务部门的数据管理员或应用系统提出。")
        actor.require(Permission.DISPUTE_RAISE)
        if actor.department_id is None:
            raise Forbidden("您不属于任何部门，不能提出数据疑义。", code="no_department")
    resource = session.get(InformationResource, dispute_in.resource_id)
    if resource is None or resource.status != "published":
        raise ValidationFailed("信息资源不存在或未发布。", code="resource_unknown", detail={"field": "resource_id"})
    if resource.provider_id == actor.department_id:
        raise ValidationFailed("本部门的数据请直接在本部门更正，无需提出疑义。", code="own_resource",
                               detail={"field": "resource_id"})
    grants = _actor_grants(session, actor, resource.id)
    if not grants:
        who = "本应用系统" if actor.kind == "client" else "本部门"
        raise Forbidden(f"{who}没有“{resource.name}”的有效授权，只能对获得授权使用的数据提出疑义。", code="no_grant")
    keys = {i.key for i in resource.items}
    unknown = [k for k in dispute_in.items if k not in keys]
    if unknown:
        raise ValidationFailed("资源中没有这些信息项：" + "、".join(unknown) + "。", code="items_unknown",
                               detail={"field": "items", "items": unknown})
    granted = set().union(*(set(g.items) for g in grants))
    outside = [k for k in dispute_in.items if k not in granted]
    if outside:
        names = {i.key: i.name for i in resource.items}
        listed = "、".join(names[k] for k in outside)
        raise ValidationFailed(f"只能对授权使用的信息项提出疑义：{listed} 不在授权范围内。",
                               code="items_not_granted", detail={"field": "items", "items": outside})
    if acts_for_end_users(actor):
        code = _check_end_user(session, end_user)
        if not _names_end_user(session, resource.id, dispute_in.record_key, code):
            raise _NotEndUsersRecord(resource, dispute_in.record_key)
    record = session.execute(select(RegistryRecord.seq).where(
        RegistryRecord.resource_id == resource.id, RegistryRecord.record_key == dispute_in.record_key,
        RegistryRecord.deleted.is_(False))).scalar_one_or_none()
    if record is None:
        raise ValidationFailed(f"“{resource.name}”中没有主键为 {dispute_in.record_key} 的记录，请核对后重新填写。",
                               code="record_unknown", detail={"field": "record_key"})
    pending = session.execute(select(DataDispute).where(
        DataDispute.resource_id == resource.id, DataDispute.record_key == dispute_in.record_key,
        DataDispute.status.in_(UNRESOLVED), DataDispute.consumer_id == actor.department_id)).scalars().all()
    for other in pending:
        same = set(other.items) & set(dispute_in.items)
        if same:
            raise Conflict(f"本部门已就该记录的相同信息项提出疑义（{other.number}），尚未办结，请勿重复提出。",
                           code="duplicate_dispute", detail={"number": other.number, "items": sorted(same)})
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"每件疑义至多 {MAX_ATTACHMENTS} 个证明材料文件。", code="too_many_files",
                               detail={"field": "files"})
    for f in files:
        check_file(f)  # refuse before anything is written
    day = today()
    number = numbering.next_number(session, numbering.DATA_DISPUTE, day)  # late: its counter stays locked until commit
    dispute = DataDispute(
        number=number, resource_id=resource.id, provider_id=resource.provider_id,
        consumer_id=actor.department_id, raised_by=actor.id if actor.kind == "staff" else None,
        client_id=actor.client_id if actor.kind == "client" else None, record_key=dispute_in.record_key,
        record_seq=int(record), items=list(dispute_in.items), description=dispute_in.description,
        proposed=dict(dispute_in.proposed), evidence=dispute_in.evidence, answer_note="", escalation_note="",
        coordination_note="", status="open", stage_started_on=day, stage_days=0)
    session.add(dispute)
    session.flush()  # the dispute's clock names it by id
    deadlines.start_stage(dispute, workdays.load(session), status="open", days=get_settings().dispute_answer_days,
                          start=day)
    _audit(session, actor, "dispute.raise", dispute, resource=resource.code, record_key=dispute.record_key,
           items=dispute.items, due_on=dispute.due_on.isoformat() if dispute.due_on else None)
    notifications.notify(session, template="dispute.raised",  # the provider's data officers must answer
                         recipients=notifications.department_staff(session, resource.provider_id),
                         personalisation={"number": dispute.number, "consumer": dispute.consumer.name,
                                          "resource": resource.name, "record_key": dispute.record_key,
                                          "items": "、".join(i.name for i in resource.items if i.key in dispute.items),
                                          "description": dispute.description, "due_on": dispute.due_on or "—"},
                         reference=dispute.number, link=f"/disputes/{dispute.id}")
    if files:
        _attach(session, actor, dispute, files)
    return dispute


@use_case
def add_attachments(*, session: Session, actor: Actor, dispute_id: int,
                    files: Sequence[Upload]) -> list[DisputeAttachment]:
    """补充证明材料: the raiser adds evidence while the dispute is still being handled."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    rules.check_raiser(actor, dispute)
    _expect(dispute, *UNRESOLVED)
    if not files:
        raise ValidationFailed("请选择要上传的文件。", code="files_required", detail={"field": "files"})
    out = _attach(session, actor, dispute, files)
    return out


def _evidence_reader(session: Session, actor: Actor, ref: tuple[int, int]) -> file_store.StoredFile:
    """The disputes domain's rule for its evidence files: only who may see the dispute, and audited."""
    dispute_id, attachment_id = ref
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    att = session.get(DisputeAttachment, attachment_id)
    if att is None or att.dispute_id != dispute.id:
        raise NotFound("证明材料不存在。", code="attachment_not_found")
    _audit(session, actor, "dispute.attachment_download", dispute, attachment=att.id, filename=att.filename,
           sha256=att.sha256)
    return file_store.StoredFile(sha256=att.sha256, filename=att.filename, content_type=att.content_type)


file_store.register_reader(evidence.FILE_KIND, _evidence_reader)
# The evidence files rows name (the file sweep removes only files no referrer names).
file_store.register_referrer(evidence.FILE_KIND,
                             lambda session: session.execute(select(DisputeAttachment.sha256)).scalars())


@use_case
def get_attachment(*, session: Session, actor: Actor, dispute_id: int,
                   attachment_id: int) -> file_store.FileDownload:
    """Download of an evidence file; it may show personal data, so every download is audited (a use-case:
    the audit row commits before the bytes are handed out)."""
    download = file_store.read(session=session, actor=actor, kind=evidence.FILE_KIND, ref=(dispute_id, attachment_id))
    return download


@use_case
def answer(*, session: Session, actor: Actor, dispute_id: int, answer_in: DisputeAnswer) -> DataDispute:
    """提供方答复: corrected (已更正) or rejected with reasons (不予更正)."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    rules.check_answerer(actor, dispute)
    _expect(dispute, "open")
    dispute.answered_by, dispute.answered_at, dispute.answer_note = actor.id, utcnow(), answer_in.note
    if answer_in.decision == "corrected":
        deadlines.close(dispute, "corrected")
        _audit(session, actor, "dispute.correct", dispute, note=answer_in.note)
    else:
        # Not closed yet: the raiser may take it to the platform within the objection period.
        deadlines.start_stage(dispute, workdays.load(session), status="rejected", days=None, start=today())
        _audit(session, actor, "dispute.reject", dispute, note=answer_in.note)
    notifications.notify(session, template="dispute.answered",  # the raising side: its raiser and data officers
                         recipients=[*([dispute.raiser] if dispute.raiser else []),
                                     *notifications.department_staff(session, dispute.consumer_id)],
                         personalisation={"number": dispute.number, "provider": dispute.provider.name,
                                          "resource": dispute.resource.name, "record_key": dispute.record_key,
                                          "decision": "已更正" if answer_in.decision == "corrected" else "不予更正",
                                          "note": answer_in.note.rstrip("。. ") or "—",
                                          "next_step": "" if answer_in.decision == "corrected"
                                          else "如对答复有异议，可申请平台协调。"},
                         reference=dispute.number, link=f"/disputes/{dispute.id}")
    return dispute


@use_case
def withdraw(*, session: Session, actor: Actor, dispute_id: int) -> DataDispute:
    """撤回: the raiser no longer holds the record wrong."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    rules.check_raiser(actor, dispute)
    _expect(dispute, *UNRESOLVED)
    deadlines.close(dispute, "withdrawn")
    dispute.withdrawn_at = dispute.closed_at
    dispute.withdrawn_by = actor.id if actor.kind == "staff" else None
    _audit(session, actor, "dispute.withdraw", dispute)
    return dispute


@use_case
def escalate(*, session: Session, actor: Actor, dispute_id: int, escalation: DisputeEscalation) -> DataDispute:
    """申请平台协调: the raiser disagrees with a rejection; the platform (数据局) coordinates."""
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    rules.check_raiser_staff(actor, dispute)
    _expect(dispute, "rejected")
    last_day = escalation_deadline(session, dispute)
    if last_day is not None and today() > last_day:
        raise InvalidTransition(f"申请平台协调的期限已于 {last_day.isoformat()} 届满。", code="escalation_late")
    dispute.escalated_by, dispute.escalated_at, dispute.escalation_note = actor.id, utcnow(), escalation.reason
    deadlines.start_stage(dispute, workdays.load(session), status="escalated",
                 days=get_settings().sharing_coordination_days, start=today())
    _audit(session, actor, "dispute.escalate", dispute, reason=escalation.reason,
           due_on=dispute.due_on.isoformat() if dispute.due_on else None)
    return dispute


@use_case
def coordinate(*, session: Session, actor: Actor, dispute_id: int,
               coordination: DisputeCoordination) -> DataDispute:
    """协调结论 (platform): the record must be corrected, or the provider's data stands."""
    rules.check_platform(actor)
    dispute = get_dispute(session=session, actor=actor, dispute_id=dispute_id)
    _expect(dispute, "escalated")
    dispute.coordinated_by, dispute.coordinated_at = actor.id, utcnow()
    dispute.coordination_note = coordination.note
    deadlines.close(dispute, "coordinated_correct" if coordination.decision == "correct" else "upheld")
    _audit(session, actor, f"dispute.coordinate_{coordination.decision}", dispute, note=coordination.note)
    return dispute


@use_case
def check_deadlines(*, session: Session) -> list[DataDispute]:
    """逾期预警: flag (and audit) every dispute past its answer or coordination deadline, queue the near-due
    notices. One use-case: run by the job inside the job's scope, or by the CLI as the outermost scope."""
    return deadlines.flag_overdue(session)


def flag_overdue(session: Session) -> list[DataDispute]:
    """The deadline check under its older name (kept for callers outside this domain): `check_deadlines`."""
    return check_deadlines(session=session)


# ---------------------------------------------------------------- read functions for other domains

_IN_CHUNK = 1000  # stays far below SQLite's bound-parameter limit


_CACHED_PER_RESOURCE = 2000  # a resource with more unresolved disputes than this is asked per call instead


def open_disputes(session: Session, resource_id: int, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Record key → [{"number", "items", "since"}] of its unresolved (open or escalated) disputes.

    Called by the exchange on every call. A resource's unresolved disputes are remembered by the process until a
    dispute changes (tongban/versioned.py: any change of data_disputes moves the exchange's version), so most calls
    ask nothing; a resource with very many is asked per call on ix_data_disputes_resource_key_status (one query per
    1,000 keys for very large batches). Keys without a dispute are absent from the result; the lists are shared,
    never to be changed by the caller.
    """
    wanted = list(dict.fromkeys(keys))
    every = versioned.cached(session, ("open_disputes", resource_id),
                             lambda: _unresolved(session, resource_id, None, limit=_CACHED_PER_RESOURCE))
    if every is not None:
        return {k: every[k] for k in wanted if k in every}
    out: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        out.update(_unresolved(session, resource_id, wanted[start:start + _IN_CHUNK]) or {})
    return out


def _unresolved(session: Session, resource_id: int, keys: list[str] | None,
                limit: int | None = None) -> dict[str, list[dict[str, Any]]] | None:
    """Unresolved disputes of the resource (of these record keys; None: all), or None if there are more than
    `limit`."""
    d = DataDispute
    query = select(d.record_key, d.number, d.items, d.created_at).where(
        d.resource_id == resource_id, d.status.in_(UNRESOLVED)).order_by(d.id)
    if keys is not None:
        query = query.where(d.record_key.in_(keys))
    rows = session.execute(query.limit(None if limit is None else limit + 1)).all()
    if limit is not None and len(rows) > limit:
        return None
    out: dict[str, list[dict[str, Any]]] = {}
    for key, number, items, created_at in rows:
        out.setdefault(key, []).append({
            "number": number, "items": list(items),
            "since": created_at.replace(tzinfo=dt.UTC).isoformat()})
    return out


def overdue_summary(session: Session, provider_ids: set[int] | None) -> list[dict[str, Any]]:
    """Per provider department with overdue unanswered disputes: provider_id, name, overdue, oldest_due_on.

    `provider_ids` None means every department. Most overdue first.
    """
    if provider_ids is not None and not provider_ids:
        return []
    d = DataDispute
    count = func.count(d.id)
    oldest = func.min(d.due_on)
    q = (select(d.provider_id, Department.name, count, oldest).join(Department, Department.id == d.provider_id)
         .where(d.status == "open", d.due_on < today())
         .group_by(d.provider_id, Department.name).order_by(count.desc(), oldest, d.provider_id))
    if provider_ids is not None:
        q = q.where(d.provider_id.in_(sorted(provider_ids)))
    return [{"provider_id": pid, "name": name, "overdue": int(n), "oldest_due_on": due}
            for pid, name, n, due in session.execute(q).all()]
