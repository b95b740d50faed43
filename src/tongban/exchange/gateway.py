"""The exchange API's use-cases (共享交换): keyed and filtered queries of 库表 resources for
application clients, limited to their grants, masked by sensitivity, logged before answering.

Like X-Road's userId and issue headers, every call states its purpose, and when it serves a
person's case, the end user and the case number; a call without a purpose is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from tongban import clock
from tongban.authz import Actor
from tongban.catalog.models import InformationResource
from tongban.db import utcnow
from tongban.errors import DomainError, Forbidden, NotFound, ValidationFailed
from tongban.exchange import masking
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogSubject
from tongban.exchange.models import Grant
from tongban.identifiers import validate_resident_id, validate_uscc
from tongban.registries.models import RegistryHead

_SUBJECT_TYPES = ("resident_id", "credit_code")


@dataclass
class CallContext:
    purpose: str
    end_user: str = ""
    case_number: str = ""
    started: float = field(default_factory=time.perf_counter)


@dataclass
class Access:
    resource: InformationResource
    items: list[str]  # granted item keys, in catalog order
    plain: set[str]
    masks: dict[str, Any]  # item key → mask function, for items served masked


def _log(session: Session, actor: Actor, ctx: CallContext, *, operation: str, resource: InformationResource | None,
         code: str, items: list[str], records: list[dict[str, Any]], keys: list[str], result: str,
         status: int, subject_types: dict[str, str] | None = None) -> None:
    """Write the call's log entry (and its subjects) in the call's transaction."""
    entry = {
        "occurred_at": utcnow(), "client_id": actor.client_id or 0, "consumer_id": actor.department_id or 0,
        "provider_id": resource.provider_id if resource is not None else None,
        "resource_id": resource.id if resource is not None else None, "resource_code": code[:32],
        "operation": operation, "items": json.dumps(items, ensure_ascii=False),
        "record_keys": json.dumps(keys[:100], ensure_ascii=False), "record_count": len(keys),
        "end_user": ctx.end_user[:64], "purpose": ctx.purpose[:255], "case_number": ctx.case_number[:64],
        "result": result, "status_code": status, "latency_ms": int((time.perf_counter() - ctx.started) * 1000),
        "sealed": False,
    }
    seq = session.execute(insert(ExchangeLogEntry).values(**entry).returning(ExchangeLogEntry.seq)).scalar_one()
    subjects: set[str] = set()
    for record in records:
        for key, kind in (subject_types or {}).items():
            value = record.get(key)
            if value and kind in _SUBJECT_TYPES:
                subjects.add(value)
    if subjects:
        session.execute(insert(ExchangeLogSubject), [{"seq": seq, "subject": s} for s in sorted(subjects)])


def _refuse(session: Session, actor: Actor, ctx: CallContext, operation: str, code: str,
            resource: InformationResource | None, exc: DomainError) -> DomainError:
    _log(session, actor, ctx, operation=operation, resource=resource, code=code, items=[], records=[], keys=[],
         result="denied", status=exc.status_code)
    session.commit()
    return exc


def _access(session: Session, actor: Actor, ctx: CallContext, code: str, operation: str) -> Access:
    if actor.kind != "client" or actor.client_id is None:
        raise Forbidden("共享交换接口供应用系统以 API 密钥调用。", code="clients_only")
    resource = session.execute(select(InformationResource).where(InformationResource.code == code)
                               ).scalar_one_or_none()
    if not ctx.purpose or len(ctx.purpose.strip()) < 2:
        raise _refuse(session, actor, ctx, operation, code, resource, ValidationFailed(
            "每次调用须在 X-Purpose 请求头中说明用途（如“企业开办登记核验法定代表人身份”）。", code="purpose_required"))
    if ctx.end_user:
        try:
            validate_resident_id(ctx.end_user)
        except ValueError:
            try:
                validate_uscc(ctx.end_user)
            except ValueError:
                raise _refuse(session, actor, ctx, operation, code, resource, ValidationFailed(
                    "X-End-User 应为办事人的公民身份号码或统一社会信用代码。", code="bad_end_user")) from None
    if resource is None or resource.status != "published":
        raise _refuse(session, actor, ctx, operation, code, resource,
                      NotFound(f"信息资源 {code} 不存在或未发布。", code="resource_unknown"))
    day = clock.today()
    grants = session.execute(select(Grant).where(Grant.client_id == actor.client_id, Grant.resource_id == resource.id,
                                                 Grant.status == "active", Grant.valid_from <= day,
                                                 Grant.valid_until >= day)).scalars().all()
    if not grants:
        any_grant = session.execute(select(Grant.status, Grant.valid_until).where(
            Grant.client_id == actor.client_id, Grant.resource_id == resource.id)).all()
        reason = "本应用系统没有该资源的有效授权，请先提交共享申请。"
        if any(s == "revoked" for s, _ in any_grant):
            reason = "本应用系统对该资源的授权已被撤销。"
        elif any(s == "suspended" for s, _ in any_grant):
            reason = "本应用系统对该资源的授权已被暂停，请联系提供部门。"
        elif any_grant:
            reason = "本应用系统对该资源的授权已过期或尚未生效，请重新申请。"
        raise _refuse(session, actor, ctx, operation, code, resource, Forbidden(reason, code="no_grant"))
    granted = set().union(*(set(g.items) for g in grants))
    plain = set().union(*(set(g.plain_items or []) for g in grants))
    items = [i.key for i in resource.items if i.key in granted]
    masks = {i.key: masking.masker(i.data_type, i.key, i.name) for i in resource.items
             if i.key in granted and masking.needs_mask(i.sensitivity) and i.key not in plain}
    return Access(resource=resource, items=items, plain=plain, masks=masks)


def _shape(access: Access, data: dict[str, Any]) -> dict[str, Any]:
    """Only granted items; masked ones masked. Nothing else of the record leaves the hub."""
    out: dict[str, Any] = {}
    for key in access.items:
        value = data.get(key, "")
        mask = access.masks.get(key)
        out[key] = mask(value) if (mask is not None and value) else value
    return out


def _provenance(session: Session, access: Access) -> dict[str, Any]:
    head = session.get(RegistryHead, access.resource.id)
    return {"resource_code": access.resource.code, "resource_name": access.resource.name,
            "provider": access.resource.provider.name, "catalog_version": access.resource.version,
            "data_version": head.version if head else 0,
            "updated_at": (head.updated_at.replace(tzinfo=dt.UTC).isoformat() if head else None),
            "masked_items": sorted(access.masks)}


def _subject_types(access: Access) -> dict[str, str]:
    return {i.key: i.data_type for i in access.resource.items if i.data_type in _SUBJECT_TYPES}


def _load(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def get_record(*, session: Session, actor: Actor, code: str, key: str, ctx: CallContext) -> dict[str, Any]:
    """按主键查询: one record by its key (e.g. a resident ID)."""
    access = _access(session, actor, ctx, code, "get")
    row = session.execute(text("SELECT data FROM registry_records WHERE resource_id = :r AND record_key = :k "
                               "AND NOT deleted"), {"r": access.resource.id, "k": key}).first()
    if row is None:
        _log(session, actor, ctx, operation="get", resource=access.resource, code=code, items=[], records=[],
             keys=[key], result="not_found", status=404)
        session.commit()
        raise NotFound("没有该主键的记录。", code="record_not_found")
    data = _load(row[0])
    _log(session, actor, ctx, operation="get", resource=access.resource, code=code, items=access.items,
         records=[data], keys=[key], result="ok", status=200, subject_types=_subject_types(access))
    session.commit()
    return {"data": _shape(access, data), "provenance": _provenance(session, access)}


def query_records(*, session: Session, actor: Actor, code: str, filters: dict[str, str], page: int, size: int,
                  ctx: CallContext) -> dict[str, Any]:
    """按条件查询: equality filters on granted items, paged in key order."""
    access = _access(session, actor, ctx, code, "query")
    unknown = [k for k in filters if k not in access.items]
    if unknown:
        raise _refuse(session, actor, ctx, "query", code, access.resource, ValidationFailed(
            "只能按已授权的信息项筛选：" + "、".join(unknown) + " 不在授权范围内。", code="filter_not_granted"))
    if not filters:
        raise ValidationFailed("请至少给出一个筛选条件；批量获取请使用数据导出接口。", code="filter_required")
    dialect = session.get_bind().dialect.name
    clauses: list[str] = []
    params: dict[str, Any] = {"r": access.resource.id, "limit": size, "offset": (page - 1) * size}
    for n, (k, v) in enumerate(sorted(filters.items())):
        expr = f"data ->> '{k}'" if dialect == "postgresql" else f"json_extract(data, '$.{k}')"
        clauses.append(f"{expr} = :v{n}")
        params[f"v{n}"] = v
    # Item keys are checked against the grant (a fixed set of identifiers), never user text.
    where = " AND ".join(clauses)
    rows = session.execute(text(
        f"SELECT record_key, data FROM registry_records WHERE resource_id = :r AND NOT deleted AND {where} "  # noqa: S608
        "ORDER BY record_key LIMIT :limit OFFSET :offset"), params).all()
    total = session.execute(text(
        f"SELECT count(*) FROM registry_records WHERE resource_id = :r AND NOT deleted AND {where}"),  # noqa: S608
        params).scalar_one()
    records = [_load(d) for _, d in rows]
    _log(session, actor, ctx, operation="query", resource=access.resource, code=code, items=access.items,
         records=records, keys=[k for k, _ in rows], result="ok", status=200,
         subject_types=_subject_types(access))
    session.commit()
    return {"items": [_shape(access, d) for d in records], "total": int(total), "page": page, "size": size,
            "provenance": _provenance(session, access)}


def data_uses(*, session: Session, actor: Actor, page: int = 1, size: int = 50) -> dict[str, Any]:
    """谁用了我的数据: every logged use of the caller's own records (citizen or enterprise)."""
    from tongban.org.models import AppClient, Department, User

    user = session.get(User, actor.id) if actor.kind in ("citizen", "enterprise") else None
    subject = (user.id_number or user.credit_code) if user is not None else None
    if not subject:
        raise Forbidden("该功能供自然人和法人账号查询本人（本单位）数据的使用记录。", code="subjects_only")
    e, s = ExchangeLogEntry, ExchangeLogSubject
    base = select(e).join(s, s.seq == e.seq).where(s.subject == subject, e.result == "ok")
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    entries = session.execute(base.order_by(e.seq.desc()).offset((page - 1) * size).limit(size)).scalars().all()
    dept_ids = {x.consumer_id for x in entries} | {x.provider_id for x in entries if x.provider_id}
    names = dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(dept_ids))).all())
    clients = dict(session.execute(select(AppClient.id, AppClient.name).where(
        AppClient.id.in_({x.client_id for x in entries}))).all())
    resources = dict(session.execute(select(InformationResource.id, InformationResource.name).where(
        InformationResource.id.in_({x.resource_id for x in entries if x.resource_id}))).all())
    return {"total": int(total), "page": page, "size": size, "items": [{
        "time": x.occurred_at.replace(tzinfo=dt.UTC).isoformat(), "department": names.get(x.consumer_id, ""),
        "system": clients.get(x.client_id, ""), "resource": resources.get(x.resource_id or 0, x.resource_code),
        "provider": names.get(x.provider_id or 0, ""), "purpose": x.purpose, "case_number": x.case_number,
        "items": json.loads(x.items)} for x in entries]}
