"""谁用了我的数据 as a page (/my/data-uses): a citizen or enterprise reads every use of their own data —
Beijing time, departments, system, resource and item names in Chinese, the purpose and the case number —
made through the real gateway over HTTP; staff are refused; long histories are paged."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, call_headers
from tests.factories import PASSWORD, SmallCity, actor_of, app_client, login, make_uscc, published_resource
from tongban import clock
from tongban.authz import SYSTEM
from tongban.catalog.schemas import ItemIn
from tongban.db import make_session_factory
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.exchange.queries import DATA_USES_PAGE_SIZE
from tongban.org.auth import hash_password, new_api_key
from tongban.org.models import ApiKey, User
from tongban.registries import ingest as registry
from tongban.sharing import service as sharing
from tongban.sharing.schemas import ComplianceDecision, RequestCreate

PURPOSE = "企业开办登记核验法定代表人身份"


def _as_owner(client: TestClient, session: Session, resident_id: str) -> TestClient:
    """The test city's citizen, given `resident_id`, logged in through the login form."""
    owner = session.execute(select(User).where(User.kind == "citizen")).scalars().first()
    assert owner is not None
    owner.id_number = owner.username = resident_id
    session.commit()
    citizen = TestClient(client.app)
    login(citizen, resident_id, PASSWORD)
    return citizen


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_citizen_reads_each_use_of_their_data_in_chinese(client: TestClient, session: Session, world,  # type: ignore[no-untyped-def]
                                                          city: SmallCity) -> None:
    url = f"/api/v1/exchange/{world['resource'].code}/records"
    mine = client.get(f"{url}/{IDS[0]}", headers=call_headers(world, PURPOSE, **{
        "X-End-User": IDS[0], "X-Case-Number": "QYKB202600042"}))
    assert mine.status_code == 200
    # Someone else's record, and a refused call (no purpose): neither is a use of this citizen's data.
    assert client.get(f"{url}/{IDS[1]}", headers=call_headers(world, "社保待遇资格认证")).status_code == 200
    assert client.get(f"{url}/{IDS[0]}", headers=call_headers(world, None)).status_code >= 400
    used_at = session.execute(select(ExchangeLogEntry.occurred_at).order_by(ExchangeLogEntry.seq)).scalars().first()
    assert used_at is not None

    citizen = _as_owner(client, session, IDS[0])
    page = citizen.get("/my/data-uses")
    assert page.status_code == 200
    text = _text(page.text)
    assert "共 1 次使用" in text
    assert "《政务数据共享条例》" in text and "12345" in text
    beijing = used_at.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f'<time datetime="{beijing.strftime("%Y-%m-%dT%H:%M:%S+08:00")}">{beijing:%Y-%m-%d %H:%M}</time>' in page.text
    for shown in (city.amr.name, "业务系统", "户籍人口（交换测试）", f"（{city.hrss.name}提供）", "公民身份号码", "姓名",
                  "户籍地址", PURPOSE, "QYKB202600042", "查询本人（本单位）记录", f"{IDS[0][:6]}********{IDS[0][14:]}"):
        assert shown in text, shown
    for hidden in ("id_number", "address", world["resource"].code, "社保待遇资格认证", IDS[0]):
        assert hidden not in text, hidden

    # Found from the menu and from the home page (a card with the count, and a shortcut).
    home = citizen.get("/home").text
    assert 'href="/my/data-uses"' in home.split("</nav>")[0]
    assert re.search(r'<a class="card" href="/my/data-uses">\s*<span class="value">1</span>', home)
    assert "哪个部门在什么时间、为了什么用途使用了您的数据" in home


def test_staff_are_refused_the_page_and_do_not_see_it(client: TestClient, city: SmallCity) -> None:
    login(client, "amr_data", PASSWORD)
    assert 'href="/my/data-uses"' not in client.get("/home").text
    refused = client.get("/my/data-uses")
    assert refused.status_code == 403
    assert "“谁用了我的数据”供自然人和法人账号查看本人（本单位）数据的使用记录" in refused.text


def test_anonymous_visitors_are_sent_to_log_in(client: TestClient, city: SmallCity) -> None:
    answer = client.get("/my/data-uses", headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code in (302, 303)
    assert answer.headers["location"].startswith("/login")


def test_long_histories_are_paged_newest_first(client: TestClient, session: Session, world) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/exchange/{world['resource'].code}/records/{IDS[0]}"
    for n in range(DATA_USES_PAGE_SIZE + 1):
        assert client.get(url, headers=call_headers(world, PURPOSE, **{
            "X-Case-Number": f"QYKB2026{n:05d}"})).status_code == 200
    citizen = _as_owner(client, session, IDS[0])
    first = citizen.get("/my/data-uses").text
    assert f"共 {DATA_USES_PAGE_SIZE + 1} 次使用，第 1 / 2 页" in _text(first)
    assert f"QYKB2026{DATA_USES_PAGE_SIZE:05d}" in first and "QYKB202600000" not in first
    assert first.count('<li class="use">') == DATA_USES_PAGE_SIZE
    assert 'href="/my/data-uses?page=2"' in first
    second = citizen.get("/my/data-uses?page=2").text
    assert 'href="/my/data-uses?page=1"' in second
    assert "QYKB202600000" in second and second.count('<li class="use">') == 1
    # Past the last page: a sentence and a way back; page 0 is refused with a Chinese message, not a 500.
    assert "这一页没有记录" in citizen.get("/my/data-uses?page=3").text
    zero = citizen.get("/my/data-uses?page=0")
    assert zero.status_code == 422
    assert zero.json()["code"] == "validation_failed" and "页码" in zero.json()["message"]


def test_enterprise_sees_uses_of_its_credit_code(client: TestClient, session: Session, engine: Engine,
                                                 city: SmallCity, tmp_path: Path) -> None:
    firm_code, other_code = make_uscc(), make_uscc()
    resource = published_resource(session, city.users["amr_data"], name="市场主体登记信息", share_type="unconditional",
                                  share_condition="", items=[
        ItemIn(name="统一社会信用代码", key="uscc", data_type="credit_code", length=18, required=True, is_key=True,
               sensitivity="internal"),
        ItemIn(name="企业名称", key="org_name", length=100, required=True, sensitivity="internal"),
        ItemIn(name="法定代表人", key="legal_rep", length=50, sensitivity="sensitive")])
    path = tmp_path / "firms.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["uscc", "org_name", "legal_rep"])
        w.writerow([firm_code, "安康市汉江茶业有限公司", "陈志远"])
        w.writerow([other_code, "安康市秦巴物流有限公司", "刘海峰"])
    registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=resource.code, path=path)
    system = app_client(session, city.hrss, code="hrss-insurance")
    system.name = "社会保险经办系统"
    secret, prefix, digest = new_api_key()
    session.add(ApiKey(client_id=system.id, key_prefix=prefix, key_hash=digest, label="test"))
    session.add(User(username=firm_code, display_name="安康市汉江茶业有限公司", kind="enterprise", credit_code=firm_code,
                     legal_representative="陈志远", password_hash=hash_password(PASSWORD)))
    session.commit()
    req = sharing.submit_request(session=session, actor=actor_of(city.users["hrss_data"]), request_in=RequestCreate(
        resource_id=resource.id, client_id=system.id, items=["uscc", "org_name"], purpose="参保单位登记核验企业信息",
        legal_basis="《社会保险法》第五十七条", scenario="参保登记",
        period_start=clock.today(), period_end=clock.today() + dt.timedelta(days=30)))
    sharing.compliance_check(session=session, actor=actor_of(city.users["admin"]), request_id=req.id,
                             decision=ComplianceDecision(decision="pass"))
    url = f"/api/v1/exchange/{resource.code}/records"
    headers = call_headers({"secret": secret}, "参保单位登记核验企业信息")
    assert client.get(f"{url}/{firm_code}", headers=headers).status_code == 200
    assert client.get(f"{url}/{other_code}", headers=headers).status_code == 200

    firm = TestClient(client.app)
    login(firm, firm_code, PASSWORD)
    text = _text(firm.get("/my/data-uses").text)
    assert "共 1 次使用" in text
    assert "本单位（统一社会信用代码" in text and firm_code in text and other_code not in text
    for shown in (city.hrss.name, "社会保险经办系统", "市场主体登记信息", "统一社会信用代码", "企业名称",
                  "参保单位登记核验企业信息"):
        assert shown in text, shown
    assert "<dt>办件编号</dt>" not in firm.get("/my/data-uses").text  # none was given
