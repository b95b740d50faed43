"""Read models of the exchange's pages: one function per page, returning everything its template shows."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.authz import Actor
from tongban.catalog.models import InformationItem, InformationResource
from tongban.errors import Forbidden
from tongban.exchange import endpoints
from tongban.exchange.endpoint_models import TIMEOUT_DEFAULT_MS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS
from tongban.exchange.log_models import ExchangeLogEntry, ExchangeLogSubject
from tongban.org.models import AppClient, Department


@dataclass(frozen=True)
class EndpointsHome:
    #: The 接口 resources the actor may register endpoints for, each with its endpoint (or none yet).
    rows: list[endpoints.InterfaceResource]
    timeout_default: int = TIMEOUT_DEFAULT_MS
    timeout_min: int = TIMEOUT_MIN_MS
    timeout_max: int = TIMEOUT_MAX_MS


def endpoints_home(session: Session, actor: Actor) -> EndpointsHome:
    """接口登记: the provider department's 接口 resources (every department's for the platform); nothing written."""
    return EndpointsHome(rows=endpoints.list_interface_resources(session=session, actor=actor))


# ---------------------------------------------------------------- 谁用了我的数据 (citizens and enterprises)

DATA_USES_PAGE_SIZE = 20
#: How a use reached the data, in the words a citizen reads.
OPERATION_LABELS = {"get": "查询本人（本单位）记录", "query": "按条件查询", "changes": "增量同步",
                    "export": "批量导出", "proxy": "通过提供部门接口查询"}


@dataclass(frozen=True)
class DataUse:
    """One logged use of the holder's data, every object by its Chinese name."""

    occurred_at: dt.datetime  # naive UTC as stored; the page shows it in Beijing time
    department: str  # the using department
    system: str  # its application system that made the call
    resource: str  # 信息资源名称
    provider: str  # the department that provides the resource
    operation: str  # Chinese (OPERATION_LABELS)
    item_names: list[str]  # 信息项名称 of the items the answer carried
    item_keys: list[str]  # the same items' keys (for systems reading the JSON route)
    purpose: str  # as stated by the caller (X-Purpose)
    case_number: str  # 办件编号, "" when none was given


@dataclass(frozen=True)
class MyDataUses:
    """谁用了我的数据: one page of the uses of the holder's own records, newest first."""

    holder_kind: str  # citizen / enterprise
    holder_code: str  # masked for a citizen (the page may be seen over a shoulder); a credit code is public
    rows: list[DataUse]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _masked_holder(actor: Actor) -> str:
    code = actor.holder_code
    return f"{code[:6]}********{code[14:]}" if actor.kind == "citizen" and len(code) == 18 else code


def my_data_uses(session: Session, actor: Actor, *, page: int = 1, size: int = DATA_USES_PAGE_SIZE) -> MyDataUses:
    """谁用了我的数据: every successful exchange call that touched the actor's own records (resident ID or
    credit code, `Actor.holder_code`), with the using department and system, resource, items, purpose and case.

    No audit entry is written: the reader sees only rows about themselves (the subject is their own
    login's code, never a parameter), so this is not a read of anyone else's personal data — the case
    the audit rule is for; the JSON route (exchange/gateway.data_uses) writes none either. Each call
    listed here is itself recorded, with its purpose, in the sealed exchange log.
    """
    if actor.kind not in ("citizen", "enterprise") or not actor.holder_code:
        raise Forbidden("“谁用了我的数据”供自然人和法人账号查看本人（本单位）数据的使用记录。", code="subjects_only")
    e, s = ExchangeLogEntry, ExchangeLogSubject
    base = select(e).join(s, s.seq == e.seq).where(s.subject == actor.holder_code, e.result == "ok")
    total = int(session.execute(select(func.count()).select_from(base.subquery())).scalar_one())
    entries = session.execute(base.order_by(e.seq.desc()).offset((page - 1) * size).limit(size)).scalars().all()
    dept_ids = {x.consumer_id for x in entries} | {x.provider_id for x in entries if x.provider_id}
    departments = dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(dept_ids))).all())
    clients = dict(session.execute(select(AppClient.id, AppClient.name).where(
        AppClient.id.in_({x.client_id for x in entries}))).all())
    resource_ids = {x.resource_id for x in entries if x.resource_id}
    resources = dict(session.execute(select(InformationResource.id, InformationResource.name).where(
        InformationResource.id.in_(resource_ids))).all())
    item_names = {(r, k): n for r, k, n in session.execute(
        select(InformationItem.resource_id, InformationItem.key, InformationItem.name)
        .where(InformationItem.resource_id.in_(resource_ids)))}
    rows = [DataUse(
        occurred_at=x.occurred_at, department=departments.get(x.consumer_id, ""),
        system=clients.get(x.client_id, ""), resource=resources.get(x.resource_id or 0, x.resource_code),
        provider=departments.get(x.provider_id or 0, ""), operation=OPERATION_LABELS.get(x.operation, "查询"),
        item_names=[item_names.get((x.resource_id or 0, k), k) for k in json.loads(x.items)],
        item_keys=list(json.loads(x.items)), purpose=x.purpose, case_number=x.case_number) for x in entries]
    return MyDataUses(holder_kind=actor.kind, holder_code=_masked_holder(actor), rows=rows, total=total, page=page,
                      size=size)
