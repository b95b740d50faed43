"""电子证照库: issued licences as a catalog resource of the data-sharing hub.

The library is an ordinary 库表 resource (classification 105 电子证照) provided by the platform
operator, so that a department's business system finds a holder's licences through the exchange
API — with a grant, the masking of personal fields and the exchange log — like any other shared
data (once-only: 免提交). One record per licence, keyed by its serial identity (type code, issuer
code, serial), updated on every change; the exchange's equality filters answer "the valid
licences of this holder and type" (holder_code, type_code, status = valid).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tongban.authz import SYSTEM
from tongban.catalog.schemas import ItemIn, ResourceIn
from tongban.catalog.service import build_resource, mark_published
from tongban.db import utcnow
from tongban.errors import Conflict
from tongban.licences.models import Licence, LicenceLibrary, LicenceType
from tongban.org.models import Department
from tongban.registries.publish import lock_head

LIBRARY_NAME = "电子证照库"
_ITEMS: list[tuple[str, str, str, bool, str]] = [
    # key, name, data type, is key, sensitivity
    ("licence_key", "证照主键", "string", True, "public"),
    ("identifier", "证照标识", "string", False, "public"),
    ("type_code", "证照类型代码", "string", False, "public"),
    ("type_name", "证照类型名称", "string", False, "public"),
    ("number", "证照编号", "string", False, "internal"),
    ("holder_name", "持证主体", "string", False, "sensitive"),
    ("holder_code", "持证主体代码", "string", False, "personal_sensitive"),
    ("holder_code_type", "持证主体代码类型", "string", False, "public"),
    ("issuer_name", "颁发机构", "string", False, "public"),
    ("issuer_code", "颁发机构代码", "credit_code", False, "public"),
    ("issued_on", "颁发日期", "date", False, "internal"),
    ("valid_from", "有效期起始日期", "date", False, "internal"),
    ("valid_to", "有效期截止日期", "date", False, "internal"),
    ("status", "证照状态", "string", False, "public"),
    ("version", "版本号", "integer", False, "public"),
    ("data", "照面信息", "text", False, "sensitive"),
]


def record_key(licence: Licence) -> str:
    """The library key of a licence: stays the same across its versions (the identifier does not)."""
    return f"{licence.type.code}.{licence.issuer_code}.{licence.serial}"


def record_data(licence: Licence) -> dict[str, object]:
    """The library record of a licence (its current state)."""
    return {
        "licence_key": record_key(licence), "identifier": licence.identifier, "type_code": licence.type.code,
        "type_name": licence.type.name, "number": licence.number, "holder_name": licence.holder_name,
        "holder_code": licence.holder_code, "holder_code_type": licence.holder_code_type,
        "issuer_name": licence.issuer_name, "issuer_code": licence.issuer_code,
        "issued_on": licence.issued_on.isoformat(), "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat() if licence.valid_to else "",
        "status": licence.status, "version": licence.version,
        "data": orjson.dumps(licence.data, option=orjson.OPT_SORT_KEYS).decode(),
    }


def resource_id(session: Session) -> int:
    """The library's catalog resource, created and published on first use."""
    row = session.execute(select(LicenceLibrary.resource_id)).scalar_one_or_none()
    if row is not None:
        return row
    operator = session.execute(select(Department).where(Department.is_platform_operator.is_(True))
                               .order_by(Department.id).limit(1)).scalar_one_or_none()
    if operator is None:
        raise Conflict("尚未设置平台运营部门（电子政务办/数据局），无法建立电子证照库。", code="library_no_operator")
    resource_in = ResourceIn(
        classification_code="105", name=LIBRARY_NAME,
        abstract="本平台签发的全部电子证照的目录与状态，按持证主体和证照类型查询有效证照，用于办事“免提交”。",
        format_type="数据库", share_type="conditional",
        share_condition="办理政务服务事项时，经持证主体授权或依法依规使用",
        share_methods=["interface", "table"], update_cycle="实时", data_on_platform=True, provider_id=operator.id,
        items=[ItemIn(key=k, name=n, data_type=t, is_key=is_key, required=is_key, sensitivity=s)
               for k, n, t, is_key, s in _ITEMS])
    resource = build_resource(session, SYSTEM, resource_in)
    mark_published(session, SYSTEM, resource, note="电子证照库建立")
    session.add(LicenceLibrary(id=1, resource_id=resource.id))
    session.flush()
    return resource.id


def publish(session: Session, licence: Licence) -> None:
    """Write the licence's current state into the library (inside the caller's transaction)."""
    rid = resource_id(session)
    head = lock_head(session, rid)
    data = record_data(licence)
    encoded = orjson.dumps(data)
    checksum = hashlib.blake2b(encoded, digest_size=16).hexdigest()
    head.last_seq += 1
    params = {"r": rid, "k": data["licence_key"], "c": checksum, "d": encoded.decode(), "s": head.last_seq,
              "now": utcnow()}
    value = "CAST(:d AS JSONB)" if session.get_bind().dialect.name == "postgresql" else ":d"
    result = session.execute(text(
        f"UPDATE registry_records SET checksum = :c, data = {value}, seq = :s, deleted = false, updated_at = :now "  # noqa: S608
        "WHERE resource_id = :r AND record_key = :k"), params)
    if not result.rowcount:  # type: ignore[attr-defined]
        session.execute(text(
            "INSERT INTO registry_records (resource_id, record_key, checksum, data, seq, deleted, load_id, updated_at) "  # noqa: S608
            f"VALUES (:r, :k, :c, {value}, :s, false, 0, :now)"), params)
        head.records += 1
    head.updated_at = utcnow()


def valid_licences(session: Session, *, holder_code: str, type_code: str | None = None,
                   today: dt.date) -> list[Licence]:
    """The holder's current valid licences (of one type), newest first: the library's question."""
    q = select(Licence).where(Licence.holder_code == holder_code, Licence.status == "valid")
    if type_code:
        q = q.join(LicenceType, Licence.type_id == LicenceType.id).where(LicenceType.code == type_code)
    rows = session.execute(q.order_by(Licence.issued_on.desc(), Licence.id.desc())).scalars().all()
    return [r for r in rows if r.status_on(today) == "valid"]
