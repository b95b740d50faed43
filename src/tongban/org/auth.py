"""Authentication use-cases: password login with throttling and lockout, web sessions, API keys.

A successful login and a logout are ordinary use-cases. The rest commits apart, each for a named reason
(tongban.transactions): a refused login's attempt row, lockout and audit must persist although the login
fails (Why.LOGIN_THROTTLE, else there is no throttling); a rejected API key's audit row is evidence of a
refused request (Why.REFUSAL_AUDIT); an API key's last-use stamp is housekeeping (Why.HOUSEKEEPING).
These run before any use-case of the request, on the request's session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from tongban import versioned
from tongban.audit import service as audit
from tongban.authz import ANONYMOUS, Actor
from tongban.config import Settings, get_settings
from tongban.db import utcnow
from tongban.errors import Forbidden, NotAuthenticated, TooManyRequests
from tongban.org import repository as repo
from tongban.org.models import ApiKey, AppClient, LoginAttempt, User, UserRole, WebSession, api_key_state
from tongban.transactions import Why, commit_apart, scope, use_case

# argon2id at the cost the settings name (config.Settings.argon2_cost): RFC 9106's low-memory option,
# or a minimal one that only the test environment accepts.
_HASHERS = {"standard": PasswordHasher(), "test": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)}
# Verified when the user name is unknown, so that a miss costs as long as a wrong password.
_DUMMY_HASHES: dict[str, str] = {}


def _hasher() -> PasswordHasher:
    return _HASHERS[get_settings().argon2_cost]


def _dummy_hash() -> str:
    cost = get_settings().argon2_cost
    if cost not in _DUMMY_HASHES:
        _DUMMY_HASHES[cost] = _HASHERS[cost].hash("tongban-timing-equaliser-0000")
    return _DUMMY_HASHES[cost]

API_KEY_PREFIX = "tbk_"
_RESIDENT_ID = re.compile(r"\d{17}[\dXx]", re.ASCII)


class AccountLocked(TooManyRequests):
    """Too many wrong passwords for this name from this address: it waits (Retry-After says how long)."""

    status_code = 423
    code = "account_locked"


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_actor(user: User, *, client_ip: str = "", session: WebSession | None = None) -> Actor:
    return Actor(
        kind=user.kind,
        id=user.id,
        name=user.display_name,
        username=user.username,
        department_id=user.department_id,
        roles=frozenset(user.roles) if user.kind == "staff" else frozenset(),
        client_ip=client_ip,
        session_token_hash=session.token_hash if session else None,
        csrf_token=session.csrf_token if session else None,
        holder_code=(user.id_number if user.kind == "citizen" else user.credit_code if user.kind == "enterprise"
                     else None) or "",
    )


@dataclass
class LoginResult:
    user: User
    token: str  # goes into the cookie; only its hash is stored
    web_session: WebSession


def _beijing(value: dt.datetime) -> str:
    return (value + dt.timedelta(hours=8)).strftime("%H:%M")


def login_key(username: str) -> str:
    """The name a login attempt is counted and looked up under: NFKC (full-width digits of an ID number
    folded) and a resident ID's final x upper-cased, so the spellings of one name count together."""
    name = unicodedata.normalize("NFKC", username or "").strip()
    return (name.upper() if _RESIDENT_ID.fullmatch(name) else name)[:64]


def _locked_for(session: Session, *, name: str, client_ip: str, now: dt.datetime,
                cfg: Settings) -> dt.datetime | None:
    """Until when this name may not be tried from this address, or None.

    The same rules for names that exist and names that do not, so the answers do not tell them apart:
    - per name and address: every `login_max_failures` failures (since the pair's last success, within
      a day) make the address wait after its last failure, `login_lockout_minutes` doubling each round;
    - per name from all addresses (a guess spread over many addresses): past `login_account_max_failures`
      within the window, only addresses that logged in to it recently may still try, so a stranger
      cannot lock the owner out.
    """
    day_ago = now - dt.timedelta(days=1)
    last_success = repo.last_login_success(session, username=name, client_ip=client_ip, since=day_ago)
    failures = repo.recent_failures(session, username=name, client_ip=client_ip,
                                    since=max(day_ago, last_success) if last_success else day_ago)
    rounds, rest = divmod(len(failures), cfg.login_max_failures)
    if rounds and not rest:  # a round just completed; the next round starts after the wait
        minutes = min(cfg.login_lockout_minutes * 2 ** (rounds - 1), cfg.login_max_lockout_minutes)
        until = failures[-1] + dt.timedelta(minutes=minutes)
        if until > now:
            return until
    window_start = now - dt.timedelta(minutes=cfg.login_failure_window_minutes)
    spread = repo.count_name_failures(session, username=name, since=window_start)
    if spread >= cfg.login_account_max_failures:
        known_since = now - dt.timedelta(days=cfg.login_known_address_days)
        if repo.last_login_success(session, username=name, client_ip=client_ip, since=known_since) is None:
            oldest = repo.oldest_name_failure(session, username=name, since=window_start)
            return (oldest or now) + dt.timedelta(minutes=cfg.login_failure_window_minutes)
    return None


def _lock_error(until: dt.datetime, now: dt.datetime) -> AccountLocked:
    return AccountLocked(
        f"登录失败次数过多，该账号在您当前的网络环境下已被暂时锁定，请于北京时间 {_beijing(until)} 后再试；"
        "忘记密码请联系本部门管理员重置。",
        retry_after=max(1, math.ceil((until - now).total_seconds())),
        detail={"locked_until": until.isoformat() + "Z"},
    )


def login(session: Session, *, username: str, password: str, client_ip: str,
          user_agent: str = "") -> LoginResult:
    """登录: check the password; throttle by address, by name and address, and by name (see `_locked_for`).

    Every answer a guesser can get — wrong password, unknown name, locked — is the same for a name
    that exists and one that does not; only the right password of an existing account differs.
    """
    cfg = get_settings()
    now = utcnow()
    window_start = now - dt.timedelta(minutes=cfg.login_failure_window_minutes)
    ip_failures = repo.count_recent_failures(session, client_ip=client_ip, since=window_start)
    if ip_failures >= cfg.login_ip_max_failures:
        oldest = repo.oldest_address_failure(session, client_ip=client_ip, since=window_start) or now
        wait = max(1, math.ceil((oldest + dt.timedelta(minutes=cfg.login_failure_window_minutes) - now
                                 ).total_seconds()))
        raise TooManyRequests(
            f"该网络地址登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试。",
            code="login_throttled", retry_after=wait,
        )
    name = login_key(username)
    user = repo.user_by_login(session, name) if name else None
    anonymous = Actor(kind="anonymous", id=None, name=name or "匿名", client_ip=client_ip)

    until = _locked_for(session, name=name, client_ip=client_ip, now=now, cfg=cfg) if name else None
    if until is not None:
        # No password is tried, so nothing is counted: waiting is all it takes. The hash still runs,
        # so that a locked name costs as long as any other answer.
        verify_password(_dummy_hash(), password or "")
        audit.record(session, actor=anonymous, action="auth.login", object_type="user",
                     object_id=user.id if user else None, result="denied", detail={"reason": "locked"})
        commit_apart(session, Why.LOGIN_THROTTLE)
        raise _lock_error(until, now)

    ok = verify_password(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not ok:
        session.add(LoginAttempt(username=name, client_ip=client_ip, succeeded=False, at=now))
        audit.record(session, actor=anonymous, action="auth.login", object_type="user",
                     object_id=user.id if user else None, result="failed", detail={"reason": "bad_credentials"})
        session.flush()
        until = _locked_for(session, name=name, client_ip=client_ip, now=now, cfg=cfg) if name else None
        if until is not None and user is not None:
            # Shown to administrators (user list, detail page); it does not stop the owner elsewhere.
            user.locked_until = until
            audit.record(session, actor=anonymous, action="auth.lockout", object_type="user",
                         object_id=user.id, result="success",
                         detail={"client_ip": client_ip, "until": until.isoformat() + "Z"})
        commit_apart(session, Why.LOGIN_THROTTLE)
        if until is not None:
            raise _lock_error(until, now)
        raise NotAuthenticated(
            f"用户名或密码错误。同一网络环境下连续输错 {cfg.login_max_failures} 次，需等待 "
            f"{cfg.login_lockout_minutes} 分钟后再试。",
            code="bad_credentials",
        )

    if user.status != "active":
        session.add(LoginAttempt(username=name, client_ip=client_ip, succeeded=False, at=now))
        audit.record(session, actor=anonymous, action="auth.login", object_type="user", object_id=user.id,
                     result="denied", detail={"reason": "disabled"})
        commit_apart(session, Why.LOGIN_THROTTLE)  # counted like a wrong password: no probing by status
        raise Forbidden("账号已停用，请联系本部门管理员。", code="account_disabled")

    with scope(session):  # the login itself: one use-case
        return _open_session(session, user=user, name=name, password=password, client_ip=client_ip,
                             user_agent=user_agent, now=now, cfg=cfg)


def _open_session(session: Session, *, user: User, name: str, password: str, client_ip: str, user_agent: str,
                  now: dt.datetime, cfg: Settings) -> LoginResult:
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    token = secrets.token_urlsafe(32)
    web_session = WebSession(
        token_hash=token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
        client_ip=client_ip, user_agent=user_agent[:255], created_at=now,
        expires_at=now + dt.timedelta(hours=cfg.session_hours),
    )
    session.add(web_session)
    session.add(LoginAttempt(username=name, client_ip=client_ip, succeeded=True, at=now))
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now))
    audit.record(session, actor=user_actor(user, client_ip=client_ip), action="auth.login",
                 object_type="user", object_id=user.id)
    return LoginResult(user=user, token=token, web_session=web_session)


@use_case
def logout(session: Session, *, actor: Actor) -> None:
    """退出登录: the session row is deleted, so the cookie is worthless even if kept."""
    if actor.session_token_hash is None:
        return
    session.execute(delete(WebSession).where(WebSession.token_hash == actor.session_token_hash))
    audit.record(session, actor=actor, action="auth.logout", object_type="user", object_id=actor.id)


def actor_from_session_token(session: Session, token: str, *, client_ip: str) -> Actor:
    """The actor of a session cookie, or ANONYMOUS if it is unknown, expired or its user is disabled.

    The session's row, its user's and the roles are remembered by the process until a web session, user or role
    changes anywhere (tongban/versioned.py, area "sessions", migration 0034); the expiry is checked every time."""
    digest = token_hash(token)
    found = versioned.cached(session, ("web_session", digest), lambda: _session_of(session, digest),
                             area=versioned.SESSIONS)
    return _session_actor(found, client_ip)


def known_session_actor(session: Session, token: str, *, client_ip: str) -> Actor | None:
    """The actor of a session cookie this process already knows (ANONYMOUS if that session is over); None if it
    must be read (then `actor_from_session_token`). Reads only the cache's version: cheap enough for the event loop."""
    found = versioned.peek(session, ("web_session", token_hash(token)), area=versioned.SESSIONS)
    return None if found is versioned.MISSING else _session_actor(found, client_ip)


@dataclass(frozen=True)
class _SessionRow:
    token_hash: str
    csrf_token: str
    expires_at: dt.datetime
    user_id: int
    kind: str
    display_name: str
    username: str
    department_id: int | None
    status: str
    holder_code: str
    roles: frozenset[str]


_SESSION_AND_USER = (
    select(WebSession.token_hash, WebSession.csrf_token, WebSession.expires_at, User.id, User.kind,
           User.display_name, User.username, User.department_id, User.status, User.id_number, User.credit_code)
    .join(User, User.id == WebSession.user_id).where(WebSession.token_hash == bindparam("hash")))
_ROLES = select(UserRole.role).where(UserRole.user_id == bindparam("user")).order_by(UserRole.role)


def _session_of(session: Session, digest: str) -> _SessionRow | None:
    row = session.execute(_SESSION_AND_USER, {"hash": digest}).first()
    if row is None:
        return None
    hash_, csrf, expires_at, user_id, kind, name, username, department_id, status, id_number, credit_code = row
    roles = (frozenset(session.execute(_ROLES, {"user": user_id}).scalars()) if kind == "staff" else frozenset())
    holder = (id_number if kind == "citizen" else credit_code if kind == "enterprise" else None) or ""
    return _SessionRow(hash_, csrf, expires_at, user_id, kind, name, username, department_id, status, holder, roles)


def _session_actor(found: _SessionRow | None, client_ip: str) -> Actor:
    if found is None or found.expires_at <= utcnow() or found.status != "active":
        return ANONYMOUS
    return Actor(kind=found.kind, id=found.user_id, name=found.display_name, username=found.username,
                 department_id=found.department_id, roles=found.roles, client_ip=client_ip,
                 session_token_hash=found.token_hash, csrf_token=found.csrf_token, holder_code=found.holder_code)


def new_api_key() -> tuple[str, str, str]:
    """(secret shown once, prefix kept for display, SHA-256 stored)."""
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[: len(API_KEY_PREFIX) + 6], token_hash(secret)


# Every call of every system comes through here: one Core query for the key and its client, built once.
_KEY_AND_CLIENT = (select(ApiKey.id, ApiKey.revoked_at, ApiKey.expires_at, ApiKey.last_used_at, AppClient.id,
                          AppClient.name, AppClient.code, AppClient.department_id, AppClient.status)
                   .join(AppClient, AppClient.id == ApiKey.client_id).where(ApiKey.key_hash == bindparam("hash")))


def known_api_key_actor(session: Session, secret: str, *, client_ip: str) -> Actor | None:
    """The client behind a bearer key this process already knows, active, with nothing to write; None otherwise
    (then `actor_from_api_key` does the work). Reads only the cache's version: cheap enough for the event loop."""
    digest = _key_digest(secret)
    row = versioned.peek(session, ("api_key", digest)) if digest else None
    if row is versioned.MISSING or row is None:
        return None
    key_id, revoked_at, expires_at, last_used_at, *_client, client_status = row
    now = utcnow()
    if api_key_state(revoked_at, expires_at, now) != "active" or client_status != "active":
        return None
    return None if _last_use_due(session, key_id, last_used_at, now) else _client_actor(row, client_ip)


def _key_digest(secret: str) -> str | None:
    """The stored hash of a bearer key; None for what cannot be a key (keys are ASCII: tbk_ + URL-safe base64;
    anything else is refused as invalid, never folded)."""
    secret = secret.strip()
    return token_hash(secret) if secret.isascii() and secret.isprintable() else None


def _client_actor(row: tuple[Any, ...], client_ip: str) -> Actor:
    _key_id, _revoked, _expires, _last_used, client_id, name, code, department_id, _status = row
    return Actor(kind="client", id=client_id, name=name, username=code, department_id=department_id,
                 client_id=client_id, client_ip=client_ip)


_LAST_USE_EVERY = dt.timedelta(minutes=5)


def _last_use_due(session: Session, key_id: int, last_used_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the key's last use is to be written: at most every five minutes, so that a busy system does not turn
    reads into writes. The cached row's `last_used_at` is as old as the cache (the column does not move the
    version), so the process's own last write counts too."""
    written = versioned.engine_memo(session, "api_key_last_use").get(key_id)
    last = max(t for t in (last_used_at, written, dt.datetime.min) if t is not None)
    return now - last > _LAST_USE_EVERY


def _key_and_client(session: Session, digest: str) -> tuple[Any, ...] | None:
    row = session.execute(_KEY_AND_CLIENT, {"hash": digest}).first()
    return tuple(row) if row is not None else None  # a plain tuple: a Row keeps its result's metadata alive


def actor_from_api_key(session: Session, secret: str, *, client_ip: str) -> Actor:
    """The application client behind a bearer key; refuses unknown, revoked and expired keys."""
    digest = _key_digest(secret)
    # Known keys are remembered by this process until a key or client changes (tongban/versioned.py).
    row = versioned.cached(session, ("api_key", digest), lambda: _key_and_client(session, digest)) if digest else None
    if row is None:
        raise NotAuthenticated("API 密钥无效，请检查 Authorization 请求头（Bearer 密钥）。",
                               code="api_key_invalid")
    key_id, revoked_at, expires_at, last_used_at, *_client, client_status = row
    now = utcnow()
    state = api_key_state(revoked_at, expires_at, now)
    actor = _client_actor(row, client_ip)
    if state != "active" or client_status != "active":
        reason = state if state != "active" else "client_disabled"
        audit.record(session, actor=actor, action="api_key.rejected", object_type="api_key",
                     object_id=key_id, result="denied", detail={"reason": reason})
        commit_apart(session, Why.REFUSAL_AUDIT)
        messages = {
            "revoked": ("api_key_revoked", "该 API 密钥已被吊销，请联系本部门管理员签发新密钥。"),
            "expired": ("api_key_expired", "该 API 密钥已过期，请联系本部门管理员签发新密钥。"),
            "client_disabled": ("client_disabled", "该应用系统已停用，请联系本部门管理员。"),
        }
        code, message = messages[reason]
        raise NotAuthenticated(message, code=code)
    if _last_use_due(session, key_id, last_used_at, now):
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
        commit_apart(session, Why.HOUSEKEEPING)
        versioned.engine_memo(session, "api_key_last_use")[key_id] = now
    return actor


def key_state(key: ApiKey) -> str:
    return key.state_at(utcnow())
