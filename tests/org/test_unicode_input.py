"""Issue 11.4 at the API: full-width digits are one identifier with their ASCII form, control characters are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login, make_resident_id
from tongban.org.models import User

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_full_width_id_number_is_the_same_person(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    h = {"X-CSRF-Token": login(client, "admin")}
    rid = make_resident_id()
    r = client.post("/api/v1/accounts/citizens", json={"display_name": "王五", "id_number": rid.translate(FULL_WIDTH),
                                                       "password": "Passw0rd-2026"}, headers=h)
    assert r.status_code == 201
    stored = session.execute(select(User.username, User.id_number).where(User.id_number == rid)).one()
    assert stored == (rid, rid)  # the normalised form is what is stored
    # The same number typed in full-width again, or half-width, is the existing account.
    for typed in (rid, rid[:3] + rid[3:].translate(FULL_WIDTH)):
        r = client.post("/api/v1/accounts/citizens", json={"display_name": "王五", "id_number": typed,
                                                           "password": "Passw0rd-2026"}, headers=h)
        assert r.status_code == 409 and r.json()["code"] == "account_exists"
    # Digits of another script that NFKC does not fold are refused, not stored.
    arabic = rid[:6] + "".join(chr(0x0660 + int(c)) for c in rid[6:14]) + rid[14:]
    r = client.post("/api/v1/accounts/citizens", json={"display_name": "王五", "id_number": arabic,
                                                       "password": "Passw0rd-2026"}, headers=h)
    assert r.status_code == 422 and "半角" in r.json()["message"]
    assert session.execute(select(func.count()).select_from(User).where(User.kind == "citizen",
                                                                        User.display_name == "王五")).scalar() == 1


def test_control_characters_in_text_are_refused(client: TestClient, city, session: Session) -> None:  # type: ignore[no-untyped-def]
    h = {"X-CSRF-Token": login(client, "admin")}
    r = client.post("/api/v1/accounts/citizens", json={"display_name": "王\x00五", "id_number": make_resident_id(),
                                                       "password": "Passw0rd-2026"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"]["fields"][0]["field"] == "display_name"
    assert "控制字符" in r.json()["message"]
    r = client.post("/api/v1/clients", json={"code": "amr-y", "name": "测试系统", "description": "第一行\n\x1b[31m"},
                    headers=h)
    assert r.status_code == 422 and r.json()["detail"]["fields"][0]["field"] == "description"
    r = client.post("/api/v1/clients", json={"code": "amr-y", "name": "测试\n系统", "department_id": city.amr.id},
                    headers=h)
    assert r.status_code == 422 and r.json()["detail"]["fields"][0]["field"] == "name"
    # Line breaks stay allowed where text has lines.
    r = client.post("/api/v1/clients", json={"code": "amr-y", "name": "测试系统", "description": "第一行\n第二行",
                                             "department_id": city.amr.id}, headers=h)
    assert r.status_code == 201, r.text


def test_api_key_with_non_ascii_characters_is_invalid(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer tbk_\u00e9\u00e9".encode("latin-1")})
    assert r.status_code == 401 and r.json()["code"] == "api_key_invalid"
