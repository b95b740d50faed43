"""Queries of the org domain. Never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from tongban.org.models import AppClient, Department, LoginAttempt, Region, User


def get_region(session: Session, code: str) -> Region | None:
    return session.get(Region, code)


def list_regions(session: Session) -> Sequence[Region]:
    return session.execute(select(Region).order_by(Region.code)).scalars().all()


def get_department(session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


def department_by(session: Session, *, code: str | None = None, name: str | None = None,
                  uscc: str | None = None) -> Department | None:
    q = select(Department)
    if code is not None:
        q = q.where(Department.code == code)
    if name is not None:
        q = q.where(Department.name == name)
    if uscc is not None:
        q = q.where(Department.uscc == uscc)
    return session.execute(q).scalars().first()


def list_departments(session: Session, *, q: str | None = None, region_code: str | None = None,
                     ids: set[int] | None = None, offset: int = 0, limit: int = 100
                     ) -> tuple[Sequence[Department], int]:
    stmt = select(Department)
    if q:
        stmt = stmt.where(or_(Department.name.contains(q), Department.uscc == q.upper(),
                              Department.code == q))
    if region_code:
        stmt = stmt.where(Department.region_code.startswith(region_code.rstrip("0") or region_code))
    if ids is not None:
        stmt = stmt.where(Department.id.in_(ids))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(Department.region_code, Department.id).offset(offset).limit(limit))
    return rows.scalars().all(), int(total)


def department_ancestors(session: Session, department: Department) -> list[int]:
    seen: list[int] = []
    current: Department | None = department
    while current is not None and current.parent_id is not None:
        if current.parent_id in seen or current.parent_id == department.id:
            break
        seen.append(current.parent_id)
        current = session.get(Department, current.parent_id)
    return seen


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def user_by_login(session: Session, login: str) -> User | None:
    """Staff log in with their user name; citizens with their ID number; enterprises with their USCC."""
    login = login.strip()
    user = session.execute(select(User).where(User.username == login)).scalars().first()
    if user is None and len(login) == 18:
        up = login.upper()
        user = session.execute(
            select(User).where(or_(User.id_number == up, User.credit_code == up))
        ).scalars().first()
    return user


def list_users(session: Session, *, kind: str, department_ids: set[int] | None = None,
               q: str | None = None, department_id: int | None = None, offset: int = 0,
               limit: int = 50) -> tuple[Sequence[User], int]:
    stmt = select(User).where(User.kind == kind)
    if department_ids is not None:
        stmt = stmt.where(User.department_id.in_(department_ids))
    if department_id is not None:
        stmt = stmt.where(User.department_id == department_id)
    if q:
        stmt = stmt.where(or_(User.username.contains(q), User.display_name.contains(q)))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(User.department_id, User.id).offset(offset).limit(limit))
    return rows.scalars().all(), int(total)


def count_recent_failures(session: Session, *, client_ip: str, since: dt.datetime) -> int:
    return int(session.execute(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.client_ip == client_ip, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since
        )
    ).scalar_one())


def oldest_address_failure(session: Session, *, client_ip: str, since: dt.datetime) -> dt.datetime | None:
    return session.execute(
        select(func.min(LoginAttempt.at)).where(
            LoginAttempt.client_ip == client_ip, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    ).scalar_one_or_none()


def recent_failures(session: Session, *, username: str, client_ip: str, since: dt.datetime) -> list[dt.datetime]:
    """Times of the failed attempts of one name from one address since `since`, oldest first."""
    return list(session.execute(
        select(LoginAttempt.at).where(
            LoginAttempt.username == username, LoginAttempt.client_ip == client_ip,
            LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since,
        ).order_by(LoginAttempt.at)
    ).scalars().all())


def last_login_success(session: Session, *, username: str, client_ip: str, since: dt.datetime
                       ) -> dt.datetime | None:
    return session.execute(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.client_ip == client_ip,
            LoginAttempt.succeeded.is_(True), LoginAttempt.at >= since)
    ).scalar_one_or_none()


def count_name_failures(session: Session, *, username: str, since: dt.datetime) -> int:
    return int(session.execute(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    ).scalar_one())


def oldest_name_failure(session: Session, *, username: str, since: dt.datetime) -> dt.datetime | None:
    return session.execute(
        select(func.min(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    ).scalar_one_or_none()


def forget_login_failures(session: Session, *, usernames: set[str]) -> None:
    """An administrator's unlock or password reset: the name's failures no longer count anywhere."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.username.in_(usernames),
                                               LoginAttempt.succeeded.is_(False)))


def get_client(session: Session, client_id: int) -> AppClient | None:
    return session.get(AppClient, client_id)


def client_by_code(session: Session, code: str) -> AppClient | None:
    return session.execute(select(AppClient).where(AppClient.code == code)).scalars().first()


def list_clients(session: Session, *, department_ids: set[int] | None) -> Sequence[AppClient]:
    stmt = select(AppClient)
    if department_ids is not None:
        stmt = stmt.where(AppClient.department_id.in_(department_ids))
    return session.execute(stmt.order_by(AppClient.department_id, AppClient.id)).scalars().all()

