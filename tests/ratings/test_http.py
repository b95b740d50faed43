"""好差评 over HTTP: the JSON API (who may do what, 409 in Chinese) and the citizen's rating page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import SmallCity, csrf_from, login


def test_api_bad_rating_trail(session: Session, city: SmallCity, case_of, as_user) -> None:  # type: ignore[no-untyped-def]
    case = case_of()
    me = as_user(city.users["citizen"])
    assert me.get("/api/v1/ratings/standard").json()["levels"]["1"] == "非常不满意"
    r = me.post("/api/v1/ratings", json={"case_number": case.number, "level": 1, "tags": ["XS03"], "text": "跑了三趟"})
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    again = me.post("/api/v1/ratings", json={"case_number": case.number, "level": 5})
    assert again.status_code == 409 and again.json()["code"] == "rating_exists"
    clerk = as_user(city.users["amr_clerk"])
    shown = clerk.get(f"/api/v1/ratings/{number}").json()
    assert shown["text"] == "跑了三趟" and shown["applicant"] != city.users["citizen"].display_name
    assert as_user(city.users["hrss_clerk"]).get(f"/api/v1/ratings/{number}").status_code == 404
    early = clerk.post(f"/api/v1/ratings/{number}/notice", json={"text": "已整改"})
    assert early.status_code == 409 and "待回访" in early.json()["message"]
    assert clerk.post(f"/api/v1/ratings/{number}/callback",
                      json={"called_at": "2026-09-25T10:00:00+08:00", "note": "已电话回访"}).status_code == 200
    assert clerk.get("/api/v1/ratings?bad_only=true").json()[0]["follow_up"]["status"] == "called_back"
    assert as_user(city.users["supervisor"]).get(f"/api/v1/ratings/{number}").status_code == 200


def test_citizen_rates_on_the_phone_page(session: Session, city: SmallCity, case_of, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    case = case_of()
    pending = case_of(status="accepted")
    csrf = login(client, str(city.users["citizen"].username))
    assert "/my/ratings/" + str(pending.number) in client.get(f"/my/ratings/{pending.number}").url.path
    assert "办结后才能评价" in client.get(f"/my/ratings/{pending.number}").text
    page = client.get(f"/my/ratings/{case.number}")
    assert page.status_code == 200 and "请为本次服务评价" in page.text and "非常不满意" in page.text
    refused = client.post(f"/my/ratings/{case.number}", data={"csrf_token": csrf, "level": "2", "text": "慢"})
    assert refused.status_code == 422 and "至少选择一项" in refused.text and ">慢</textarea>" in refused.text
    done = client.post(f"/my/ratings/{case.number}", data={"csrf_token": csrf, "level": "2", "tags": ["XS01"],
                                                            "text": "慢"}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(f"/my/ratings/{case.number}")
    assert "不满意" in page.text and "请为本次服务评价" not in page.text and "承办部门处理中" in page.text
    add = client.post(f"/my/ratings/{case.number}/{csrf_from(page.text) and _number(page.text)}/addition",
                      data={"csrf_token": csrf, "addition": "补充：等了一小时"}, follow_redirects=False)
    assert add.status_code == 303
    assert "补充评价：补充：等了一小时" in client.get(f"/my/ratings/{case.number}").text


def _number(html: str) -> str:
    import re

    m = re.search(r'data-rating="(PJ\d+)"', html)
    assert m
    return m.group(1)


def test_case_page_links_to_the_rating(session: Session, city: SmallCity, case_of, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    decided, pending = case_of(), case_of(status="accepted")
    login(client, str(city.users["citizen"].username))
    assert f'href="/my/ratings/{decided.number}"' in client.get(f"/my/cases/{decided.id}").text
    assert "/my/ratings/" not in client.get(f"/my/cases/{pending.id}").text
