"""Factories that build real rows for tests, plus helpers to log in over HTTP."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import count

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tongban.demo.city import org_code, resident_id, uscc
from tongban.org.auth import hash_password
from tongban.org.models import AppClient, Department, Region, User, UserRole

PASSWORD = "Passw0rd-Test"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = count(1)


def make_uscc(region: str = "610900", kind: str = "11") -> str:
    n = next(_seq)
    base = f"T{n:07d}"
    return uscc(kind[0], kind[1], region, base)


def make_resident_id(region: str = "610902", female: bool = False) -> str:
    n = next(_seq)
    return resident_id(region, dt.date(1980, 1, 1) + dt.timedelta(days=n), n % 999 or 1, female)


def region(session: Session, code: str = "610900", name: str = "安康市", level: str = "city",
           parent: str | None = None) -> Region:
    existing = session.get(Region, code)
    if existing:
        return existing
    r = Region(code=code, name=name, level=level, parent_code=parent)
    session.add(r)
    session.flush()
    return r


def department(session: Session, name: str, *, code: str | None = None, region_code: str = "610900",
               operator: bool = False) -> Department:
    if session.get(Region, region_code) is None:
        region(session, "610000", "陕西省", "province")
        region(session, "610900", "安康市", "city", "610000")
    d = Department(code=code or f"dept-{next(_seq)}", name=name, short_name=name.removeprefix("安康市"),
                   uscc=make_uscc(region_code), region_code=region_code, is_platform_operator=operator)
    session.add(d)
    session.flush()
    return d


def staff(session: Session, username: str, department: Department, *roles: str, name: str = "张三") -> User:
    u = User(username=username, display_name=name, kind="staff", department_id=department.id,
             password_hash=_PASSWORD_HASH)
    u.role_rows = [UserRole(role=r) for r in roles]
    session.add(u)
    session.flush()
    return u


def citizen(session: Session, name: str = "李四") -> User:
    rid = make_resident_id()
    u = User(username=rid, display_name=name, kind="citizen", id_number=rid, password_hash=_PASSWORD_HASH)
    session.add(u)
    session.flush()
    return u


def app_client(session: Session, department: Department, code: str | None = None) -> AppClient:
    c = AppClient(code=code or f"client-{next(_seq)}", name="业务系统", department_id=department.id)
    session.add(c)
    session.flush()
    return c


@dataclass
class SmallCity:
    data_bureau: Department
    amr: Department
    hrss: Department
    users: dict[str, User] = field(default_factory=dict)


def small_city(session: Session) -> SmallCity:
    dsj = department(session, "安康市政务服务和数据管理局", code="city-data", operator=True)
    amr = department(session, "安康市市场监督管理局", code="city-amr")
    hrss = department(session, "安康市人力资源和社会保障局", code="city-hrss")
    c = SmallCity(dsj, amr, hrss)
    c.users["admin"] = staff(session, "admin", dsj, "platform_admin", name="郭振华")
    c.users["supervisor"] = staff(session, "supervisor", dsj, "supervisor", name="邓永红")
    for prefix, dept in (("amr", amr), ("hrss", hrss)):
        for suffix, role in (("admin", "dept_admin"), ("clerk", "window_clerk"), ("reviewer", "reviewer"),
                             ("data", "data_officer")):
            c.users[f"{prefix}_{suffix}"] = staff(session, f"{prefix}_{suffix}", dept, role, name=f"{prefix}{suffix}")
    c.users["citizen"] = citizen(session)
    session.commit()
    return c


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the real login form; returns the session's CSRF token."""
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    home = client.get("/home")
    assert home.status_code == 200
    return csrf_from(home.text)


def org_code_for(n: int) -> str:
    return org_code(f"Q{n:07d}")
