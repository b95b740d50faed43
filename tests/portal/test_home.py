"""为您推荐的服务 on the home page (tongban/portal/home.py): chosen by age and licences held, published
services only, for citizens and enterprises only; the anonymous and staff home pages are unaffected."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import _PASSWORD_HASH, PASSWORD, login
from tests.portal.conftest import visible
from tongban import clock
from tongban.demo.city import resident_id
from tongban.demo.loader import DEMO_PASSWORD, DemoSummary
from tongban.licences.models import Licence, LicenceType
from tongban.org.models import User
from tongban.portal.home import age_of


def _section(html: str) -> str:
    assert "data-home-services" in html
    return html.split("data-home-services", 1)[1].split("</section>", 1)[0]


def _services(html: str) -> list[tuple[str, str]]:
    return [(href, visible(name)) for href, name in re.findall(r'<li><a href="([^"]+)">(.*?)</a>', _section(html))]


def _citizen_born(session: Session, born: dt.date, name: str) -> User:
    rid = resident_id("610902", born, 17, False)
    user = User(username=rid, display_name=name, kind="citizen", id_number=rid, password_hash=_PASSWORD_HASH)
    session.add(user)
    session.commit()
    return user


def test_age_from_the_resident_id() -> None:
    rid = resident_id("610902", dt.date(1968, 5, 20), 17, False)
    assert age_of(rid, dt.date(2026, 5, 19)) == 57 and age_of(rid, dt.date(2026, 5, 20)) == 58
    assert age_of("not-an-id", dt.date(2026, 1, 1)) is None


def test_citizen_near_retirement_gets_retirement_services(demo: DemoSummary, session: Session, client: TestClient) -> None:
    with clock.frozen(dt.date(2026, 12, 3)):
        _citizen_born(session, dt.date(1968, 5, 20), "王秀兰")
        login(client, resident_id("610902", dt.date(1968, 5, 20), 17, False), PASSWORD)
        html = client.get("/").text
    services = _services(html)
    names = [n for _, n in services]
    assert 1 <= len(services) <= 6
    assert "退休一件事" in names and "职工正常退休（职）申请" in names, names
    assert any(h.startswith("/services/bundles/") for h, _ in services)
    assert all(h.startswith(("/services/items/", "/services/bundles/")) for h, _ in services)
    section = visible(_section(html))
    assert "根据您的年龄" in section and "58 岁" in section
    # Every link leads to a page that exists (published services only).
    for href, _ in services:
        assert client.get(href).status_code == 200, href


def test_young_citizen_gets_employment_services(demo: DemoSummary, session: Session, client: TestClient) -> None:
    with clock.frozen(dt.date(2026, 12, 3)):
        _citizen_born(session, dt.date(2003, 9, 1), "赵小明")
        login(client, resident_id("610902", dt.date(2003, 9, 1), 17, False), PASSWORD)
        names = [n for _, n in _services(client.get("/").text)]
    assert "就业登记" in names or "失业登记" in names, names
    assert "退休一件事" not in names


def test_enterprise_with_business_licence_gets_change_services(demo: DemoSummary, session: Session, client: TestClient) -> None:
    holders = session.execute(select(Licence.holder_code).join(LicenceType, LicenceType.id == Licence.type_id)
                              .where(LicenceType.name == "营业执照", Licence.status == "valid")).scalars().all()
    enterprise = session.execute(select(User).where(User.kind == "enterprise",
                                                    User.credit_code.in_(holders))).scalars().first()
    assert enterprise is not None
    login(client, enterprise.username, DEMO_PASSWORD)
    html = client.get("/").text
    names = [n for _, n in _services(html)]
    assert "内资企业变更登记" in names and "企业年度报告公示" in names, names
    assert "企业开办一件事" not in names
    assert "根据您持有的证照推荐" in visible(_section(html))


def test_enterprise_without_licences_gets_the_opening_bundles(demo: DemoSummary, session: Session, client: TestClient) -> None:
    holders = set(session.execute(select(Licence.holder_code)).scalars())
    enterprise = session.execute(select(User).where(User.kind == "enterprise")).scalars().all()
    newcomer = next((e for e in enterprise if e.credit_code not in holders), None)
    if newcomer is None:
        from tests.factories import make_uscc

        uscc = make_uscc("610902", "91")
        newcomer = User(username=uscc, display_name="安康新开办有限公司", kind="enterprise", credit_code=uscc,
                        legal_representative="陈新", password_hash=_PASSWORD_HASH)
        session.add(newcomer)
        session.commit()
        login(client, uscc, PASSWORD)
    else:
        login(client, newcomer.username, DEMO_PASSWORD)
    names = [n for _, n in _services(client.get("/").text)]
    assert "企业开办一件事" in names and "开办餐饮店一件事" in names, names
    assert "内资企业变更登记" not in names


def test_staff_and_anonymous_see_no_recommendations(demo: DemoSummary, session: Session, client: TestClient) -> None:
    anonymous = client.get("/", follow_redirects=True)
    assert anonymous.status_code == 200 and "data-home-services" not in anonymous.text
    staff = session.execute(select(User).where(User.kind == "staff")).scalars().first()
    assert staff is not None
    login(client, staff.username, DEMO_PASSWORD)
    html = client.get("/").text
    assert "首页" in html and "data-home-services" not in html and "为您推荐的服务" not in html


def test_citizen_holding_a_migration_certificate_gets_the_move_in_item(demo: DemoSummary, session: Session,
                                                                       client: TestClient) -> None:
    holder = session.execute(select(Licence.holder_code).join(LicenceType, LicenceType.id == Licence.type_id)
                             .where(LicenceType.name == "户口迁移证明")).scalars().first()
    citizen = session.execute(select(User).where(User.kind == "citizen", User.id_number == holder)).scalars().first()
    assert citizen is not None
    login(client, citizen.username, DEMO_PASSWORD)
    html = client.get("/").text
    services = dict((n, h) for h, n in _services(html))
    assert "户口迁入登记" in services, services
    assert "持有的证照" in visible(_section(html)) and "可直接调用您持有的电子证照" in visible(_section(html))
