"""证照类型 catalog: what each kind of licence carries, who defines it and which departments issue it."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.audit.service import record
from tongban.authz import Actor, Permission
from tongban.errors import Conflict, NotFound, ValidationFailed
from tongban.identifiers import validate_uscc
from tongban.licences.models import LicenceType, LicenceTypeIssuer
from tongban.licences.render import LicenceLayout
from tongban.org.models import Department
from tongban.schema_types import RefId, Strict
from tongban.transactions import use_case

ITEM_TYPES = {"text": "文本", "date": "日期", "number": "数字"}
HOLDER_KINDS = {"person": "自然人", "entity": "法人和其他组织", "any": "自然人或法人"}
_ITEM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# The metadata of GB/T 36903 that every licence has anyway: a type may not redefine these keys.
RESERVED_KEYS = frozenset({"holder_name", "holder_code", "holder_code_type", "number", "issuer", "issued_on",
                           "valid_from", "valid_to", "identifier", "region_code", "service_item_code"})


class ItemSpec(Strict):
    """A data item a licence of the type carries (照面信息)."""

    key: str
    name: str = Field(min_length=1, max_length=32)
    type: str = "text"
    required: bool = True

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not _ITEM_KEY.match(v):
            raise ValueError("数据项标识只能用小写字母、数字和下划线，以字母开头，最长 32 位")
        if v in RESERVED_KEYS:
            raise ValueError(f"“{v}”是证照元数据，已由平台自动填写，不能作为数据项")
        return v

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in ITEM_TYPES:
            raise ValueError("数据项类型只能是 text（文本）、date（日期）或 number（数字）")
        return v


class LicenceTypeIn(Strict):
    """A licence type as an administrator defines it."""

    code: str = Field(min_length=21, max_length=21)
    name: str = Field(min_length=2, max_length=64)
    defining_org_name: str = Field(min_length=2, max_length=128)
    defining_org_code: str
    holder_kind: str = Field(pattern="^(person|entity|any)$")
    items: list[ItemSpec] = Field(min_length=1, max_length=40)
    layout: dict[str, Any] = Field(default_factory=dict)
    validity_years: int | None = Field(default=None, ge=1, le=100)
    description: str = Field(default="", max_length=2000)
    issuer_department_ids: list[RefId] = Field(default_factory=list)


def _check(session: Session, type_in: LicenceTypeIn) -> tuple[str, dict[str, Any]]:
    code = type_in.code.strip().upper()
    problems = []
    try:
        defining = validate_uscc(type_in.defining_org_code)
    except ValueError:
        problems.append("定义机构代码应为有效的 18 位统一社会信用代码")
        defining = type_in.defining_org_code
    if not re.match(r"^[0-9A-Z]{18}[0-9]{3}$", code):
        problems.append("证照类型代码应为 21 位：定义机构统一社会信用代码加 3 位序号")
    elif code[:18] != defining:
        problems.append("证照类型代码的前 18 位应为定义机构的统一社会信用代码")
    keys = [i.key for i in type_in.items]
    if len(set(keys)) != len(keys):
        problems.append("数据项标识不能重复")
    try:
        layout = LicenceLayout.from_json(type_in.layout or {"title": type_in.name}).to_json()
    except ValueError as exc:
        problems.append(str(exc))
        layout = {}
    if problems:
        raise ValidationFailed("证照类型有误：" + "；".join(problems), code="licence_type_invalid")
    for dept_id in type_in.issuer_department_ids:
        if session.get(Department, dept_id) is None:
            raise ValidationFailed(f"颁证部门 {dept_id} 不存在。", code="licence_type_issuer_invalid")
    return code, layout


@use_case
def create_type(*, session: Session, actor: Actor, type_in: LicenceTypeIn) -> LicenceType:
    """Add a licence type to the catalog."""
    actor.require(Permission.LICENCE_TYPE_MANAGE)
    code, layout = _check(session, type_in)
    clash = session.execute(select(LicenceType.id).where(
        (LicenceType.code == code) | (LicenceType.name == type_in.name.strip()))).first()
    if clash is not None:
        raise Conflict("已有相同代码或名称的证照类型。", code="licence_type_exists")
    row = LicenceType(code=code, name=type_in.name.strip(), defining_org_name=type_in.defining_org_name.strip(),
                      defining_org_code=type_in.defining_org_code, holder_kind=type_in.holder_kind,
                      items=[i.model_dump() for i in type_in.items], layout=layout,
                      validity_years=type_in.validity_years, description=type_in.description, created_by=actor.id,
                      issuers=[LicenceTypeIssuer(department_id=d) for d in sorted(set(type_in.issuer_department_ids))])
    session.add(row)
    session.flush()
    record(session, actor=actor, action="licence_type.create", object_type="licence_type", object_id=row.id,
           detail={"code": code, "name": row.name})
    return row


@use_case
def update_type(*, session: Session, actor: Actor, type_id: int, type_in: LicenceTypeIn) -> LicenceType:
    """Change a type; issued licences keep the items they were signed with."""
    actor.require(Permission.LICENCE_TYPE_MANAGE)
    row = get_type(session, type_id)
    code, layout = _check(session, type_in)
    if code != row.code:
        raise ValidationFailed("证照类型代码不能修改：已签发证照的标识中含有该代码。", code="licence_type_code_fixed")
    row.name, row.defining_org_name = type_in.name.strip(), type_in.defining_org_name.strip()
    row.defining_org_code, row.holder_kind = type_in.defining_org_code, type_in.holder_kind
    row.items, row.layout = [i.model_dump() for i in type_in.items], layout
    row.validity_years, row.description = type_in.validity_years, type_in.description
    row.issuers = [LicenceTypeIssuer(department_id=d) for d in sorted(set(type_in.issuer_department_ids))]
    record(session, actor=actor, action="licence_type.update", object_type="licence_type", object_id=row.id,
           detail={"code": code, "name": row.name})
    return row


def get_type(session: Session, type_id: int) -> LicenceType:
    """One licence type or NotFound."""
    row = session.get(LicenceType, type_id)
    if row is None:
        raise NotFound("证照类型不存在。", code="licence_type_not_found")
    return row


@use_case
def set_status(*, session: Session, actor: Actor, type_id: int, status: str) -> LicenceType:
    """停用 / 启用: a retired type issues no new licences; those issued stay valid and verifiable."""
    actor.require(Permission.LICENCE_TYPE_MANAGE)
    if status not in ("active", "retired"):
        raise ValidationFailed("证照类型状态只能是启用或停用。", code="licence_type_status_invalid")
    row = get_type(session, type_id)
    if row.status != status:
        before, row.status = row.status, status
        record(session, actor=actor, action="licence_type.update", object_type="licence_type", object_id=row.id,
               detail={"code": row.code, "status": status, "from": before})
    return row


def list_types(session: Session, *, issuer_department_id: int | None = None,
               include_retired: bool = False) -> list[LicenceType]:
    """Types by code (active ones unless asked); with a department, only those it may issue."""
    q = select(LicenceType).order_by(LicenceType.status, LicenceType.code)
    if not include_retired:
        q = q.where(LicenceType.status == "active")
    if issuer_department_id is not None:
        q = q.join(LicenceTypeIssuer).where(LicenceTypeIssuer.department_id == issuer_department_id)
    return list(session.execute(q).scalars())


def may_issue(licence_type: LicenceType, department_id: int) -> bool:
    """Whether the department is one of the type's issuers."""
    return any(i.department_id == department_id for i in licence_type.issuers)
