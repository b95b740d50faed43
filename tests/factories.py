"""Factories that build real rows for tests, plus helpers to log in over HTTP."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

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


def actor_of(user: User, ip: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    from tongban.org.auth import user_actor

    return user_actor(user, client_ip=ip)


def resource_in(**overrides):  # type: ignore[no-untyped-def]
    """A valid catalog entry: 户籍人口基本信息 with five items."""
    from tongban.catalog.schemas import ItemIn, ResourceIn

    data = dict(
        classification_code="101", name="户籍人口基本信息",
        abstract="全市户籍人口的身份、户籍地址和家庭关系信息，用于社保、教育、民政等业务核验身份。",
        format_type="数据库", share_type="conditional", share_condition="仅限因履职需要核验身份的部门使用",
        share_methods=["interface", "table"], update_cycle="每日", data_on_platform=True,
        items=[
            ItemIn(name="公民身份号码", key="id_number", data_type="resident_id", length=18, required=True,
                   is_key=True, sensitivity="personal_sensitive"),
            ItemIn(name="姓名", key="name", data_type="string", length=50, required=True, sensitivity="sensitive"),
            ItemIn(name="性别", key="gender", data_type="string", length=2, sensitivity="internal"),
            ItemIn(name="户籍地址", key="address", data_type="address", length=200, sensitivity="personal_sensitive"),
            ItemIn(name="联系电话", key="phone", data_type="phone", length=11, sensitivity="personal_sensitive"),
        ],
    )
    data.update(overrides)
    return ResourceIn(**data)


def published_resource(session: Session, provider_officer: User, **overrides):  # type: ignore[no-untyped-def]
    from tongban.catalog import service as catalog

    actor = actor_of(provider_officer)
    r = catalog.create_resource(session=session, actor=actor, resource_in=resource_in(**overrides))
    return catalog.publish_resource(session=session, actor=actor, resource_id=r.id)


def population_items():  # type: ignore[no-untyped-def]
    """The five items of the test population registers (key: 公民身份号码)."""
    from tongban.catalog.schemas import ItemIn

    return [
        ItemIn(name="公民身份号码", key="id_number", data_type="resident_id", length=18, required=True, is_key=True,
               sensitivity="personal_sensitive"),
        ItemIn(name="姓名", key="name", length=50, required=True, sensitivity="sensitive"),
        ItemIn(name="性别", key="gender", length=1, sensitivity="internal"),
        ItemIn(name="户籍地址", key="address", data_type="address", length=200, sensitivity="personal_sensitive"),
        ItemIn(name="联系电话", key="phone", data_type="phone", sensitivity="personal_sensitive"),
    ]


def population_ids() -> list[str]:
    from tongban.demo.city import resident_id

    return [resident_id("610902", dt.date(1985, 3, 1) + dt.timedelta(days=i), 10 + i, i % 2 == 1) for i in range(5)]


def population_world(session: Session, engine, city, tmp_path, *, name: str,  # type: ignore[no-untyped-def]
                     granted: list[str]) -> dict:  # type: ignore[type-arg]
    """户籍人口 of 人社局 (hrss) with five records ingested; 市场监管局 (amr) holds a grant on `granted` for its
    system, whose API key is returned as `secret`."""
    import csv

    from tongban import clock
    from tongban.authz import SYSTEM
    from tongban.db import make_session_factory
    from tongban.org.auth import new_api_key
    from tongban.org.models import ApiKey
    from tongban.registries import ingest as registry
    from tongban.sharing import service as sharing
    from tongban.sharing.schemas import ComplianceDecision, RequestCreate

    items, ids = population_items(), population_ids()
    resource = published_resource(session, city.users["hrss_data"], name=name, share_type="unconditional",
                                  share_condition="", items=items)
    path = tmp_path / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([i.key for i in items])
        for n, rid in enumerate(ids):
            w.writerow([rid, ["王建华", "李秀英", "张伟", "刘洋", "陈静"][n], "男" if n % 2 == 0 else "女",
                        f"陕西省安康市汉滨区老城街道兴安路{n + 1}号", "13912345678"])
    registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=resource.code, path=path)
    client = app_client(session, city.amr, code="amr-register")
    secret, prefix, digest = new_api_key()
    session.add(ApiKey(client_id=client.id, key_prefix=prefix, key_hash=digest, label="test"))
    session.commit()
    req = sharing.submit_request(session=session, actor=actor_of(city.users["amr_data"]), request_in=RequestCreate(
        resource_id=resource.id, client_id=client.id, items=granted,
        purpose="企业开办登记核验法定代表人身份", legal_basis="《市场主体登记管理条例》", scenario="企业开办",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))
    sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                             decision=ComplianceDecision(decision="pass"))
    grant = sharing.grant_for(session, req.id)
    assert grant is not None
    return {"resource": resource, "client": client, "secret": secret, "grant": grant}


def applicant_case(session: Session, user: User, number: str, *, status: str = "draft") -> None:
    """A bare case of this citizen or enterprise with this 办件编号 (default a draft), committed: what the exchange
    checks when 一网通办平台 calls for an end user (exchange/access.py, cases/end_users.py)."""
    from sqlalchemy import select

    from tongban.cases.models import Case

    department_id = session.execute(select(Department.id).order_by(Department.id).limit(1)).scalar_one()
    person = bool(user.id_number)
    session.add(Case(number=number, applicant_user_id=user.id, applicant_kind="person" if person else "entity",
                     applicant_name=user.display_name, applicant_code=(user.id_number or user.credit_code or ""),
                     applicant_code_type="resident_id" if person else "uscc", item_code="000000000000",
                     item_name="测试事项", department_id=department_id, status=status))
    session.commit()


def in_own_thread(fn: Callable[[], object]) -> None:
    """Run `fn` (e.g. `lambda: asyncio.run(...)`) in a thread of its own and re-raise what it raised: an event loop of
    the test's own, whatever a test before it left set in the main thread."""
    import threading

    failure: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def on_own_loop(make: Callable[[], Any]) -> Any:
    """`asyncio.run(make())` in a thread of its own (as a test client runs a request's event loop) and its result."""
    import asyncio

    result: list[Any] = []
    in_own_thread(lambda: result.append(asyncio.run(make())))
    return result[0]


def card_reads(session: Session) -> Any:
    """What the home page's cards read with (tongban/cards.py), on the session's database: what it has committed (an
    in-memory database: its one connection, so what the session has written too)."""
    from tongban.cards import CardReads
    from tongban.db import make_session_factory

    engine = session.get_bind()
    return CardReads(engine, make_session_factory(engine))  # type: ignore[arg-type]


def home_of(session: Session, actor: Any) -> Any:
    """The home page's read model (org.queries.home) for this actor, run on an event loop as the page runs it."""
    from tongban.org import queries

    reads = card_reads(session)
    return on_own_loop(lambda: queries.home(reads, actor))
