"""What every exchange call goes through (共享交换的公共环节): the caller's grants for the resource,
the purpose and end-user headers, the items it may see and which of them are masked, provenance,
and the log entry written in the call's transaction before the answer leaves.

Used by keyed and filtered queries (gateway.py), subscriptions and bulk export (bulk.py) and the
forwarding of 接口 resources to providers' systems (proxy.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

import orjson
from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tongban import clock, versioned
from tongban.authz import Actor
from tongban.catalog.models import InformationItem, InformationResource
from tongban.config import get_settings
from tongban.db import sqlite_driver, sqlite_params, utcnow, writes_need_a_transaction
from tongban.errors import DomainError, Forbidden, NotFound, ValidationFailed
from tongban.exchange import hooks, log_writer, masking, quotas, sealing
from tongban.identifiers import validate_resident_id, validate_uscc
from tongban.org.models import Department
from tongban.registries.models import RegistryHead
from tongban.sharing.models import Grant
from tongban.transactions import Why, commit_apart, rollback_apart

_SUBJECT_TYPES = ("resident_id", "credit_code")
_log = logging.getLogger("tongban.exchange")


@dataclass
class CallContext:
    purpose: str
    end_user: str = ""
    case_number: str = ""
    started: float = field(default_factory=time.perf_counter)
    # A header that could not be decoded: the call is refused (and logged) by check_access.
    problem: ValidationFailed | None = None


# Control characters (category Cc) are never part of a purpose, an identifier or a case number; a NUL
# or line break would also corrupt the log and the headers forwarded to providers.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EXAMPLE = "“核验身份”应发送为 %E6%A0%B8%E9%AA%8C%E8%BA%AB%E4%BB%BD"


class _Undecodable(ValueError):
    def __init__(self, error: ValidationFailed) -> None:
        super().__init__(error.message)
        self.error = error


def _decode_header(name: str, value: str) -> str:
    """A header as the API documents it: UTF-8, percent-encoded (HTTP headers carry only Latin-1).

    Starlette hands over the header's bytes read as Latin-1, so raw UTF-8 would come out as mojibake
    (核验 → æ ¸éª) and be stored so in the log citizens read: it is refused, not guessed at.

    A client system sends the same few purposes call after call: short values are decoded once per process
    (percent-decoding a purpose in Chinese cost the exchange call ~3 %, bench/request_path.py). What cannot be
    decoded raises each time (exceptions are not remembered).
    """
    if len(value) <= _REMEMBERED_HEADER_LENGTH:
        return _decode_header_remembered(name, value)
    return _decode_header_once(name, value)


_REMEMBERED_HEADER_LENGTH = 512  # 4,096 values of at most this many characters: a bound on the memory it takes


@functools.lru_cache(maxsize=4096)
def _decode_header_remembered(name: str, value: str) -> str:
    return _decode_header_once(name, value)


def _decode_header_once(name: str, value: str) -> str:
    if not value.isascii():
        raise _Undecodable(ValidationFailed(
            f"{name} 请求头含有未编码的中文或其他非 ASCII 字符。HTTP 请求头只能传送 ASCII 字符，请将内容按 UTF-8 "
            f"进行百分号编码后发送（例如{_EXAMPLE}）。", code="header_not_encoded", detail={"field": name}))
    try:
        text_ = unquote(value, errors="strict")
    except UnicodeDecodeError:
        raise _Undecodable(ValidationFailed(
            f"{name} 请求头的百分号编码不是有效的 UTF-8 文本，请按 UTF-8 重新编码后发送（例如{_EXAMPLE}）。",
            code="header_bad_encoding", detail={"field": name})) from None
    return _checked(name, text_)


def _checked(name: str, value: str) -> str:
    if "\ufffd" in value:
        # Query parameters are decoded by the framework with replacement characters for bad UTF-8.
        raise _Undecodable(ValidationFailed(
            f"{name} 不是有效的 UTF-8 文本，请按 UTF-8 百分号编码后发送。", code="header_bad_encoding",
            detail={"field": name}))
    if _CONTROL.search(value):
        raise _Undecodable(ValidationFailed(
            f"{name} 含有换行符或其他控制字符，请删除后重新发送。", code="header_control_characters",
            detail={"field": name}))
    return value.strip()


def call_context(*, purpose: str | None, end_user: str | None, case_number: str | None,
                 query: Mapping[str, str]) -> CallContext:
    """The call's purpose, end user and case number from the X-… headers, else from the query parameters.

    Headers are percent-decoded once; query parameters are already decoded by URL parsing and are not
    decoded again (a purpose may contain “%”). What cannot be decoded becomes `problem`.
    """
    values: dict[str, str] = {}
    try:
        for field_, header_name, header in (("purpose", "X-Purpose", purpose), ("end_user", "X-End-User", end_user),
                                            ("case_number", "X-Case-Number", case_number)):
            if header:
                values[field_] = _decode_header(header_name, header)
            else:
                values[field_] = _checked(f"参数 {field_}", query.get(field_, ""))
    except _Undecodable as exc:
        return CallContext(purpose="", problem=exc.error)
    return CallContext(purpose=values["purpose"], end_user=values["end_user"].upper(),
                       case_number=values["case_number"])


@dataclass(frozen=True)
class ItemView:
    key: str
    name: str
    data_type: str
    sensitivity: str
    is_key: bool


@dataclass(frozen=True)
class ResourceView:
    """What a call needs of a catalog resource, read with two light queries instead of the ORM graph."""

    id: int
    code: str
    name: str
    status: str
    version: int
    provider_id: int
    provider_name: str
    items: tuple[ItemView, ...]


def resource_view(session: Session, code: str) -> ResourceView | None:
    """The resource with this code (any status), its provider's name and its items in catalog order.

    Remembered by the process until a resource, item or department changes (tongban/versioned.py)."""
    return versioned.cached(session, ("resource", code), lambda: _read_resource_view(session, code))


def _read_resource_view(session: Session, code: str) -> ResourceView | None:
    row = session.execute(_RESOURCE, {"code": code}).first()
    if row is None:
        return None
    rid, name, status, version, provider_id, provider_name = row
    items = tuple(ItemView(*x) for x in session.execute(_ITEMS_OF, {"rid": rid}).all())
    return ResourceView(id=rid, code=code, name=name, status=status, version=version, provider_id=provider_id,
                        provider_name=provider_name, items=items)


@dataclass(frozen=True)
class GrantView:
    """A grant of a client for a resource, as the call checks it (its dates against today's, on every call)."""

    status: str
    valid_from: dt.date
    valid_until: dt.date
    items: tuple[str, ...]
    plain_items: tuple[str, ...]
    calls_per_minute: int | None
    calls_per_day: int | None


def grants_of(session: Session, client_id: int, resource_id: int) -> tuple[GrantView, ...]:
    """Every grant (any status) of the client for the resource; remembered until a grant changes."""
    def read() -> tuple[GrantView, ...]:
        return tuple(GrantView(status, valid_from, valid_until, tuple(items or ()), tuple(plain or ()), cpm, cpd)
                     for status, valid_from, valid_until, items, plain, cpm, cpd
                     in session.execute(_GRANTS, {"client": client_id, "rid": resource_id}).all())
    return versioned.cached(session, ("grants", client_id, resource_id), read)


# The statements every call runs, built once (building a select costs about as much as running it).
_r, _i, _g, _h = InformationResource, InformationItem, Grant, RegistryHead
_RESOURCE = (select(_r.id, _r.name, _r.status, _r.version, _r.provider_id, Department.name)
             .join(Department, Department.id == _r.provider_id).where(_r.code == bindparam("code")))
_ITEMS_OF = (select(_i.key, _i.name, _i.data_type, _i.sensitivity, _i.is_key)
             .where(_i.resource_id == bindparam("rid")).order_by(_i.position))
_GRANTS = select(_g.status, _g.valid_from, _g.valid_until, _g.items, _g.plain_items, _g.calls_per_minute,
                 _g.calls_per_day).where(_g.client_id == bindparam("client"), _g.resource_id == bindparam("rid"))
_HEAD = select(_h.version, _h.updated_at).where(_h.resource_id == bindparam("rid"))


@dataclass
class Access:
    resource: ResourceView
    items: list[str]  # granted item keys, in catalog order
    plain: set[str]
    masks: dict[str, Any]  # item key → mask function, for items served masked
    # A system acting for end users (`end_user_systems`): the items that may hold the end user's own identifier
    # (catalog items of the identifier's type); a record is served only when one of them holds it. None for
    # every other system, which costs those nothing.
    subject_items: tuple[str, ...] | None = None


def log_call(session: Session, actor: Actor, ctx: CallContext, *, operation: str, resource: ResourceView | None,
             code: str, items: list[str], records: list[dict[str, Any]], keys: list[str], result: str,
             status: int, subject_types: dict[str, str] | None = None, record_count: int | None = None) -> int:
    """Write the call's log entry (and its subjects) in the call's transaction; returns its seq."""
    entry, subjects = _entry(actor, ctx, operation=operation, resource=resource, code=code, items=items,
                             records=records, keys=keys, result=result, status=status, subject_types=subject_types,
                             record_count=record_count)
    return _insert_entry(session.connection(), entry, subjects)


_PENDING_COUNT = "exchange_pending_count"


def log_and_commit(session: Session, actor: Actor, ctx: CallContext, **kw: Any) -> int:
    """Write the call's log entry and commit it, before the answer leaves; returns its seq.

    In an API request whose session writes nothing of its own (log_writer.SESSION_FLAG), the entry goes into the
    next group commit of this process (exchange/log_writer.py) with the call's quota count, if check_access left one
    to count, and this returns once that commit is done: one write per call. A call over its quota is logged as
    refused (429) instead, and that refusal is raised. Otherwise the entry is written in the session and committed
    apart (the quota was counted by check_access)."""
    if isinstance(session, versioned.Snapshot):  # on the event loop: a refusal's log is written the ordinary way
        raise versioned.NotCached("exchange log")
    if log_writer.allowed(session):
        entry, subjects = _entry(actor, ctx, **kw)
        call = _GroupWrite(entry, subjects, session.info.pop(_PENDING_COUNT, None), actor, ctx, kw)
        result = log_writer.submit(session.get_bind(), call, _write_calls)  # type: ignore[arg-type]
        if isinstance(result, DomainError):
            raise result
        return int(result)
    seq = log_call(session, actor, ctx, **kw)
    commit_apart(session, Why.EXCHANGE_LOG)
    return seq


async def log_on_loop(snapshot: versioned.Snapshot, actor: Actor, ctx: CallContext, **kw: Any) -> int:
    """`log_and_commit` for a call answered on the event loop (gateway.get_record_on_loop): its quota count (left by
    `check_access` in the snapshot) and its entry in the next group commit, awaited there; a call over its quota is
    logged as refused and that refusal raised, as `log_and_commit` does."""
    entry, subjects = _entry(actor, ctx, **kw)
    call = _GroupWrite(entry, subjects, snapshot.info.pop(_PENDING_COUNT, None), actor, ctx, kw)
    result = await log_writer.submit_async(snapshot.engine, call, _write_calls)
    if isinstance(result, DomainError):
        raise result
    return int(result)


@dataclass(slots=True)
class _GroupWrite:
    """One call's writes in a group commit: its quota count (if check_access left one) and its log entry."""

    entry: dict[str, Any]
    subjects: list[str]
    count: quotas.Count
    actor: Actor
    ctx: CallContext
    kw: dict[str, Any]


def _write_calls(conn: Connection, calls: list[_GroupWrite]) -> list[int | DomainError]:
    """A group commit's calls (exchange/log_writer.py): counted first, then logged — a call over its quota as
    refused (429), the refusal its answer; each other call's answer is its entry's number."""
    verdicts = quotas.count_many(conn, [call.count for call in calls])
    rows: list[tuple[dict[str, Any], list[str]]] = []
    for call, throttled in zip(calls, verdicts, strict=True):
        if throttled is None:
            rows.append((call.entry, call.subjects))
        else:
            kw = call.kw
            rows.append(_entry(call.actor, call.ctx, operation=kw["operation"], resource=kw["resource"],
                               code=kw["code"], items=[], records=[], keys=[], result="denied",
                               status=throttled.status_code))
    seqs = _insert_entries(conn, rows)
    return [seq if throttled is None else throttled for seq, throttled in zip(seqs, verdicts, strict=True)]


def _entry(actor: Actor, ctx: CallContext, *, operation: str, resource: ResourceView | None, code: str,
           items: list[str], records: list[dict[str, Any]], keys: list[str], result: str, status: int,
           subject_types: dict[str, str] | None = None,
           record_count: int | None = None) -> tuple[dict[str, Any], list[str]]:
    entry = {
        "occurred_at": utcnow(), "client_id": actor.client_id or 0, "consumer_id": actor.department_id or 0,
        "provider_id": resource.provider_id if resource is not None else None,
        "resource_id": resource.id if resource is not None else None, "resource_code": code[:32],
        "operation": operation, "items": orjson.dumps(items).decode(),
        "record_keys": orjson.dumps(keys[:100]).decode(),
        "record_count": len(keys) if record_count is None else record_count,
        "end_user": ctx.end_user[:64], "purpose": ctx.purpose[:255], "case_number": ctx.case_number[:64],
        "result": result, "status_code": status, "latency_ms": int((time.perf_counter() - ctx.started) * 1000),
        "sealed": False,
    }
    subjects: set[str] = set()
    for record in records:
        for key, kind in (subject_types or {}).items():
            value = record.get(key)
            if value and kind in _SUBJECT_TYPES:
                subjects.add(value)
    # Written with the row so the sealer can tell it from one inserted by SQL (one short HMAC).
    entry["row_mac"] = sealing.row_mac(entry, subjects)
    return entry, sorted(subjects)


def _insert_entries(conn: Connection, rows: list[tuple[dict[str, Any], list[str]]]) -> list[int]:
    """Insert log entries with their subjects; their numbers, in order. On PostgreSQL several entries take two round
    trips whatever their number: their numbers drawn from the log's sequence at once, then the rows (and subjects)
    sent in one pipeline. Elsewhere (SQLite, in process) one statement each."""
    driver = sqlite_driver(conn)
    if driver is not None:
        return _insert_entries_sqlite(driver, rows)
    if len(rows) < 2 or conn.dialect.name != "postgresql":
        return [_insert_entry(conn, entry, subjects) for entry, subjects in rows]
    seqs = [int(seq) for seq in conn.execute(_LOG_NEXT_SEQS, {"n": len(rows)}).scalars()]
    conn.execute(_LOG_ENTRY_WITH_SEQ, [{**entry, "seq": seq} for seq, (entry, _) in zip(seqs, rows, strict=True)])
    subjects = [{"seq": seq, "subject": s} for seq, (_, subs) in zip(seqs, rows, strict=True) for s in subs]
    if subjects:
        conn.execute(_LOG_SUBJECT, subjects)
    return seqs


def _insert_entries_sqlite(driver: Any, rows: list[tuple[dict[str, Any], list[str]]]) -> list[int]:
    """SQLite, in the group commit's transaction (which holds the write lock from its start: log_writer.py): the
    entries numbered after the log's last (as SQLite numbers a row: the largest `seq` plus one) and inserted with
    their subjects in two statements, with the driver (db.sqlite_driver). Each statement lets go of the GIL while
    SQLite works, and getting it back waits for the process's request threads; one statement per entry and per
    subject made the group's turn at the write lock, which every process waits for, several times longer."""
    cursor = driver.cursor()
    try:
        last = int(cursor.execute("SELECT coalesce(max(seq), 0) FROM exchange_log").fetchone()[0])
        seqs = list(range(last + 1, last + 1 + len(rows)))
        values: list[Any] = []
        subjects: list[Any] = []
        for seq, (entry, subs) in zip(seqs, rows, strict=True):
            params = sqlite_params(entry)
            values += [seq, *(params[c] for c in _LOG_COLUMNS)]
            for subject in subs:
                subjects += [seq, subject]
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        statements = ((_LOG_INSERT_SQLITE, len(_LOG_COLUMNS) + 1, values), (_LOG_SUBJECTS_SQLITE, 2, subjects))
        for head, width, flat in statements:
            step = max(1, limit // width) * width  # as many rows a statement as SQLite takes variables for
            for start in range(0, len(flat), step):
                chunk = flat[start:start + step]
                cursor.execute(_sqlite_rows(head, width, len(chunk) // width), chunk)
        return seqs
    finally:
        cursor.close()


@functools.lru_cache(maxsize=64)
def _sqlite_rows(head: str, width: int, count: int) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return head + ", ".join([row] * count)


def _insert_entry(conn: Connection, entry: dict[str, Any], subjects: list[str]) -> int:
    if subjects and conn.dialect.name == "postgresql":
        # Entry and subjects in one statement (one round trip on the hot path).
        return int(conn.execute(_LOG_WITH_SUBJECTS, {**entry, "subjects": subjects}).scalar_one())
    seq = conn.execute(_LOG_ENTRY, entry).scalar_one()
    if subjects:
        conn.execute(_LOG_SUBJECT, [{"seq": seq, "subject": s} for s in subjects])
    return int(seq)


# The log statements as plain SQL, built once: every call writes one, and building and caching an
# ORM insert of seventeen values cost more than the database's work on it.
_LOG_COLUMNS = ("occurred_at", "client_id", "consumer_id", "provider_id", "resource_id", "resource_code", "operation",
                "items", "record_keys", "record_count", "end_user", "purpose", "case_number", "result", "status_code",
                "latency_ms", "sealed", "row_mac")
_LOG_INSERT = (f"INSERT INTO exchange_log ({', '.join(_LOG_COLUMNS)}) "  # noqa: S608 - fixed column names
               f"VALUES ({', '.join(':' + c for c in _LOG_COLUMNS)}) RETURNING seq")
_LOG_ENTRY = text(_LOG_INSERT)
_LOG_SUBJECT = text("INSERT INTO exchange_log_subjects (seq, subject) VALUES (:seq, :subject)")
_LOG_INSERT_SQLITE = f"INSERT INTO exchange_log (seq, {', '.join(_LOG_COLUMNS)}) VALUES "  # noqa: S608 - fixed names
_LOG_SUBJECTS_SQLITE = "INSERT INTO exchange_log_subjects (seq, subject) VALUES "
_LOG_NEXT_SEQS = text("SELECT nextval(pg_get_serial_sequence('exchange_log', 'seq')) FROM generate_series(1, :n)")
_LOG_ENTRY_WITH_SEQ = text(f"INSERT INTO exchange_log (seq, {', '.join(_LOG_COLUMNS)}) "  # noqa: S608 - fixed names
                           f"VALUES (:seq, {', '.join(':' + c for c in _LOG_COLUMNS)})")
_LOG_WITH_SUBJECTS = text(
    f"WITH new_entry AS ({_LOG_INSERT}), "  # noqa: S608 - built from the constants above
    "new_subjects AS (INSERT INTO exchange_log_subjects (seq, subject) "
    "SELECT new_entry.seq, s FROM new_entry, unnest(CAST(:subjects AS varchar[])) AS s) "
    "SELECT seq FROM new_entry")


def refuse(session: Session, actor: Actor, ctx: CallContext, operation: str, code: str,
            resource: ResourceView | None, exc: DomainError) -> DomainError:
    log_and_commit(session, actor, ctx, operation=operation, resource=resource, code=code, items=[], records=[],
                   keys=[], result="denied", status=exc.status_code)
    return exc


def log_hub_error(session: Session, actor: Actor, ctx: CallContext, operation: str, code: str,
                  keys: list[str] | None = None) -> None:
    """A call that ended in an error of the hub itself is logged too (500), in a fresh transaction.

    The log promises every call, however it ends; if even this write fails (the database is gone),
    the original error still reaches the caller as a 500 and the failure is in the server log.
    """
    try:
        writes_need_a_transaction(session)  # the keyed read's session may be reading without one (db.py)
        rollback_apart(session, Why.EXCHANGE_LOG)
        log_call(session, actor, ctx, operation=operation, resource=resource_view(session, code), code=code,
                 items=[], records=[], keys=keys or [], result="error", status=500)
        commit_apart(session, Why.EXCHANGE_LOG)
    except Exception:
        rollback_apart(session, Why.EXCHANGE_LOG)
        _log.exception("could not log a failed exchange call (%s %s)", operation, code)


_Fn = TypeVar("_Fn", bound=Callable[..., Any])


def logged(operation: str) -> Callable[[_Fn], _Fn]:
    """Decorate an exchange use-case (keyword arguments session, actor, code, ctx): an unexpected error is logged.

    Refusals and expected outcomes are logged where they happen (`refuse`, the use-case); this catches
    the rest, so that no call is missing from the exchange log.
    """
    def wrap(fn: _Fn) -> _Fn:
        @functools.wraps(fn)
        def inner(**kw: Any) -> Any:
            try:
                return fn(**kw)
            except DomainError:
                raise
            except Exception:
                key = kw.get("key")
                log_hub_error(kw["session"], kw["actor"], kw["ctx"], operation, kw["code"],
                              [key] if isinstance(key, str) else None)
                raise
        return inner  # type: ignore[return-value]
    return wrap


# ---------------------------------------------------------------- systems acting for end users
#
# A system that calls on behalf of the person it serves (一网通办平台: the applicant is the end user, the
# case number the purpose) may read that person's own records and nothing else — whatever the system asks
# for. The caller (cases/prefill.py) asks only for the applicant's own data; the exchange enforces it too,
# so that a fault or a stolen identity of that system cannot read anyone else's record through its broad
# grants. Which systems these are is a setting (client codes), read without a query.

_BULK = ("changes", "export")


def _identifier_type(value: str) -> str | None:
    """The catalog data type of an end user's identifier: resident_id or credit_code (None: neither)."""
    for kind, validate in (("resident_id", validate_resident_id), ("credit_code", validate_uscc)):
        try:
            validate(value)
        except ValueError:
            continue
        return kind
    return None


@functools.lru_cache(maxsize=8)
def _codes(setting: str) -> frozenset[str]:
    return frozenset(c.strip() for c in setting.split(",") if c.strip())


def end_user_systems() -> frozenset[str]:
    """Client codes of the systems acting for end users (settings.exchange_end_user_systems)."""
    return _codes(get_settings().exchange_end_user_systems)


def _end_user_gate(session: Session, actor: Actor, ctx: CallContext, operation: str, resource: ResourceView,
                   end_user_type: str | None) -> tuple[str, ...]:
    """A system acting for end users: no bulk, an end user, a case of theirs open to fetching, and a resource
    with an item that can name them. Returns those items; every refusal is logged like any other."""
    def no(message: str, code_: str) -> DomainError:
        return refuse(session, actor, ctx, operation, resource.code, resource, Forbidden(message, code=code_))

    if operation in _BULK:
        raise no("本应用系统代表办事人调用共享交换，只能查询办事人本人的记录，不能增量订阅或批量导出。",
                 "end_user_bulk_refused")
    if not ctx.end_user or end_user_type is None:
        raise no("本应用系统代表办事人调用共享交换，须在 X-End-User 请求头中给出办事人本人的公民身份号码"
                 "或统一社会信用代码。",
                 "end_user_required")
    subjects = tuple(i.key for i in resource.items if i.data_type == end_user_type)
    if not subjects:
        raise no(f"信息资源“{resource.name}”没有能核对办事人身份的信息项，本应用系统不能代表办事人查询该资源。",
                 "not_end_users_record")
    if not ctx.case_number or not hooks.end_users_case(session, ctx.end_user.upper(), ctx.case_number):
        raise no("X-Case-Number 应为该办事人本人的、处于草稿或待补正状态的办件编号；"
                 "不能为其他人的办件或已提交的办件调取数据。", "not_end_users_case")
    return subjects


def _is_end_user(value: Any, ctx: CallContext) -> bool:
    return value is not None and str(value).strip().upper() == ctx.end_user.strip().upper()


def _not_theirs(session: Session, actor: Actor, ctx: CallContext, operation: str, access: Access) -> DomainError:
    return refuse(session, actor, ctx, operation, access.resource.code, access.resource, Forbidden(
        "本应用系统代表办事人调用共享交换，只能查询办事人本人（本单位）的记录：请按办事人本人的公民身份号码或"
        "统一社会信用代码查询。", code="not_end_users_record"))


def check_end_user_key(session: Session, actor: Actor, ctx: CallContext, operation: str, access: Access,
                       record_key: str) -> None:
    """Before a keyed read: a key with an item that names persons or enterprises must name the end user."""
    if access.subject_items is None:
        return
    key_items = [i.key for i in access.resource.items if i.is_key]
    parts = record_key.split("|")
    named = [n for n, k in enumerate(key_items) if k in access.subject_items]
    if named and (len(parts) != len(key_items) or not any(_is_end_user(parts[n], ctx) for n in named)):
        raise _not_theirs(session, actor, ctx, operation, access)


def check_end_user_filters(session: Session, actor: Actor, ctx: CallContext, operation: str, access: Access,
                           filters: Mapping[str, str]) -> None:
    """Before a filtered read: one of the filters is an item naming the end user, equal to the end user."""
    if access.subject_items is None:
        return
    if not any(_is_end_user(filters.get(k), ctx) for k in access.subject_items):
        raise _not_theirs(session, actor, ctx, operation, access)


#: What a keyed read answers when there is no record of that key (gateway.get_record): also what a system acting
#: for end users hears when the record is someone else's, so that a key that names no person (a licence number)
#: cannot be used to learn whether another person's record exists.
ABSENT_MESSAGE, ABSENT_CODE = "没有该主键的记录。", "record_not_found"


def check_end_user_records(session: Session, actor: Actor, ctx: CallContext, operation: str, access: Access,
                           records: list[dict[str, Any]]) -> None:
    """After reading, before anything leaves: every record names the end user in one of its subject items.

    A keyed read ("get") of someone else's record answers exactly as a missing record (404 record_not_found),
    logged as a refusal (denied, 404): 404 when absent and 403 when another's would tell the system the record
    exists. Filtered reads are refused before reading unless a filter names the end user (403 is safe there)."""
    if access.subject_items is None:
        return
    subjects = access.subject_items
    if not all(any(_is_end_user(r.get(k), ctx) for k in subjects) for r in records):
        if operation == "get":
            raise refuse(session, actor, ctx, operation, access.resource.code, access.resource,
                         NotFound(ABSENT_MESSAGE, code=ABSENT_CODE))
        raise _not_theirs(session, actor, ctx, operation, access)


def check_access(session: Session, actor: Actor, ctx: CallContext, code: str, operation: str) -> Access:
    if actor.kind != "client" or actor.client_id is None:
        raise Forbidden("共享交换接口供应用系统以 API 密钥调用。", code="clients_only")
    resource = resource_view(session, code)
    if ctx.problem is not None:
        raise refuse(session, actor, ctx, operation, code, resource, ctx.problem)
    if not ctx.purpose or len(ctx.purpose.strip()) < 2:
        raise refuse(session, actor, ctx, operation, code, resource, ValidationFailed(
            "每次调用须在 X-Purpose 请求头中说明用途（如“企业开办登记核验法定代表人身份”）。", code="purpose_required"))
    end_user_type = _identifier_type(ctx.end_user) if ctx.end_user else None
    if ctx.end_user and end_user_type is None:
        raise refuse(session, actor, ctx, operation, code, resource, ValidationFailed(
            "X-End-User 应为办事人的公民身份号码或统一社会信用代码。", code="bad_end_user"))
    if resource is None or resource.status != "published":
        raise refuse(session, actor, ctx, operation, code, resource,
                      NotFound(f"信息资源 {code} 不存在或未发布。", code="resource_unknown"))
    subject_items = (_end_user_gate(session, actor, ctx, operation, resource, end_user_type)
                     if actor.username in end_user_systems() else None)
    day = clock.today()
    every_grant = grants_of(session, actor.client_id, resource.id)
    grants = [g for g in every_grant if g.status == "active" and g.valid_from <= day <= g.valid_until]
    if not grants:
        reason = "本应用系统没有该资源的有效授权，请先提交共享申请。"
        if any(g.status == "revoked" for g in every_grant):
            reason = "本应用系统对该资源的授权已被撤销。"
        elif any(g.status == "suspended" for g in every_grant):
            reason = "本应用系统对该资源的授权已被暂停，请联系提供部门。"
        elif every_grant:
            reason = "本应用系统对该资源的授权已过期或尚未生效，请重新申请。"
        raise refuse(session, actor, ctx, operation, code, resource, Forbidden(reason, code="no_grant"))
    limits = quotas.limits_of(grants)
    if log_writer.allowed(session):
        # Counted in the same group commit as the call's log entry, before its answer (log_and_commit).
        session.info[_PENDING_COUNT] = (actor.client_id, resource.id, limits)
    else:
        throttled = quotas.count_call(session, client_id=actor.client_id, resource_id=resource.id, limits=limits)
        if throttled is not None:
            raise refuse(session, actor, ctx, operation, code, resource, throttled)
    items, plain, masks = versioned.cached(session, ("granted", actor.client_id, resource.id, day),
                                           lambda: _granted(resource, grants))
    return Access(resource=resource, items=list(items), plain=set(plain), masks=dict(masks),
                  subject_items=subject_items)


def _granted(resource: ResourceView, grants: list[GrantView]) -> tuple[
        tuple[str, ...], frozenset[str], tuple[tuple[str, Any], ...]]:
    """What the day's active grants give of the resource: its granted items in catalog order, those served plain, and
    the mask of each item served masked. Remembered with the grants and the resource (the same version: a change to
    either reads them again) for the day the grants were judged on."""
    granted = set().union(*(set(g.items) for g in grants))
    plain = frozenset().union(*(g.plain_items for g in grants))
    items = tuple(i.key for i in resource.items if i.key in granted)
    masks = tuple((i.key, masking.masker(i.data_type, i.key, i.name)) for i in resource.items
                  if i.key in granted and masking.needs_mask(i.sensitivity) and i.key not in plain)
    return items, plain, masks


def check_filters(session: Session, actor: Actor, ctx: CallContext, operation: str, code: str, access: Access,
                  filters: dict[str, str], *, empty_message: str) -> None:
    """A filtered call names at least one item, and only granted ones; refusals are logged like any other."""
    unknown = [k for k in filters if k not in access.items]
    if unknown:
        raise refuse(session, actor, ctx, operation, code, access.resource, ValidationFailed(
            "只能按已授权的信息项查询：" + "、".join(unknown) + " 不在授权范围内。", code="filter_not_granted"))
    if not filters:
        raise refuse(session, actor, ctx, operation, code, access.resource,
                     ValidationFailed(empty_message, code="filter_required"))


def shape(access: Access, data: dict[str, Any]) -> dict[str, Any]:
    """Only granted items; masked ones masked. Nothing else of the record leaves the hub."""
    out: dict[str, Any] = {}
    for key in access.items:
        value = data.get(key, "")
        mask = access.masks.get(key)
        out[key] = mask(value) if (mask is not None and value) else value
    return out


def shape_key(access: Access, record_key: str) -> str:
    """The record key as the grant may see it: each key item masked like the item itself.

    A key is the key items' values joined by "|" (registries/validation.py); it is the same personal
    data as those items, so wherever a key leaves the hub (the change feed) it is masked with them.
    """
    key_items = [i.key for i in access.resource.items if i.is_key]
    masks = [access.masks.get(k) for k in key_items]
    if not any(masks):
        return record_key
    parts = record_key.split("|")
    if len(parts) != len(key_items):
        # A key item's value held a "|": the parts cannot be told apart, so nothing of it is shown.
        return "*" * 6
    return "|".join(m(p) if (m is not None and p) else p for m, p in zip(masks, parts, strict=True))


def provenance(session: Session, access: Access) -> dict[str, Any]:
    rid = access.resource.id
    head = versioned.cached(session, ("head", rid), lambda: _head(session, rid))
    return {"resource_code": access.resource.code, "resource_name": access.resource.name,
            "provider": access.resource.provider_name, "catalog_version": access.resource.version,
            "data_version": head[0] if head else 0,
            "updated_at": (head[1].replace(tzinfo=dt.UTC).isoformat() if head else None),
            "masked_items": sorted(access.masks)}


def _head(session: Session, rid: int) -> tuple[int, dt.datetime] | None:
    row = session.execute(_HEAD, {"rid": rid}).first()
    return (row[0], row[1]) if row is not None else None  # a plain tuple: a Row keeps its result's metadata alive


def subject_types(access: Access) -> dict[str, str]:
    return {i.key: i.data_type for i in access.resource.items if i.data_type in _SUBJECT_TYPES}


def load_json(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)
