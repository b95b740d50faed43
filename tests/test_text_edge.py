"""Control characters are refused at every domain's edge, not only in accounts (issue 11 item 4).

A NUL or an escape in a name is stored for good and breaks exports, PDFs and other systems: every input
schema derives from the one `Strict` base, and each domain's API answers 422 with the Chinese message.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import login, resource_in

BAD = ["户籍\x00人口", "户籍\x1b[31m人口", "户籍\x7f人口"]


def _refused(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "validation_failed"
    assert "控制字符" in body["message"]


@pytest.mark.parametrize("bad", BAD)
def test_catalog_entry_name(client: TestClient, city, bad: str) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "hrss_data")
    body = resource_in().model_dump(mode="json")
    body["name"] = bad
    _refused(client.post("/api/v1/catalog/resources", json=body, headers={"X-CSRF-Token": token}))
    body = resource_in().model_dump(mode="json")
    body["items"][1]["name"] = bad
    _refused(client.post("/api/v1/catalog/resources", json=body, headers={"X-CSRF-Token": token}))
    # Nothing was written.
    assert client.get("/api/v1/catalog/resources", params={"q": "户籍"}).json()["total"] == 0


def test_holiday_name(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    r = client.put("/api/v1/calendar/2031", headers={"X-CSRF-Token": token}, json={
        "notice": "国务院办公厅关于2031年部分节假日安排的通知",
        "holidays": [{"day": "2031-01-01", "name": "元旦\x00"}], "workdays": []})
    _refused(r)


def test_licence_type_and_seal_inputs(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    r = client.post("/api/v1/licence-types", headers={"X-CSRF-Token": token}, json={
        "code": "990001", "name": "测试\x00证", "issuer_department_id": city.amr.id, "holder_kind": "entity",
        "items": [{"key": "name", "label": "名称"}]})
    assert r.status_code == 422, r.text
    assert any("控制字符" in f["message"] for f in r.json()["detail"]["fields"])


def test_unknown_fields_refused_on_licence_inputs(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    """The licence inputs now share the base: a misspelt field is named, not silently dropped."""
    token = login(client, "admin")
    r = client.post("/api/v1/licence-types", headers={"X-CSRF-Token": token}, json={
        "code": "990001", "name": "测试证", "issuer_department_id": city.amr.id, "holder_kind": "entity",
        "items": [{"key": "name", "label": "名称"}], "colour": "red"})
    assert r.status_code == 422
    assert any(f["type"] == "extra_forbidden" for f in r.json()["detail"]["fields"])
