"""The error contract at the edge: bounded ids, null in PATCH bodies, content that does not fit, the 500 answer,
405 with Allow, and an OpenAPI description that says what the API answers (docs/api.md, 错误约定)."""

from __future__ import annotations

import datetime as dt
import http.client
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import login
from tests.licences.conftest import LicenceWorld, world  # noqa: F401  (fixture)
from tongban.licences.models import Licence

TOO_BIG = 2**31  # one past what an id column holds on PostgreSQL (INTEGER); SQLite failed from 2^63
TOO_BIG_SEQ = 2**63  # one past a BIGINT sequence


def _is_contract_422(body: dict) -> bool:  # type: ignore[type-arg]
    return set(body) == {"code", "message", "detail"} and isinstance(body["detail"]["fields"], list)


@pytest.mark.parametrize("path", [
    f"/api/v1/departments/{TOO_BIG}",
    f"/api/v1/users/{TOO_BIG}",
    f"/api/v1/users/{2**63}",
    f"/api/v1/clients/{TOO_BIG}",
    f"/api/v1/catalog/resources/{TOO_BIG}",
    f"/api/v1/sharing/grants/{TOO_BIG}",
    f"/api/v1/disputes/{TOO_BIG}",
    f"/api/v1/licences/{TOO_BIG}",
    f"/api/v1/users?department_id={TOO_BIG}",
    f"/api/v1/catalog/resources?provider_id={TOO_BIG}",
    f"/api/v1/licences?type_id={TOO_BIG}",
    f"/api/v1/monitoring/exchange?consumer_id={TOO_BIG}",
    f"/api/v1/exchange/101/000001/changes?since={TOO_BIG_SEQ}",
    "/api/v1/users/0",
])
def test_ids_beyond_the_database_range_are_refused_at_the_edge(client: TestClient, city, path: str) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    r = client.get(path)
    assert r.status_code == 422, r.text
    body = r.json()
    assert _is_contract_422(body) and body["code"] == "validation_failed"
    assert body["detail"]["fields"][0]["type"] in {"less_than_equal", "greater_than_equal"}


def test_ids_in_bodies_are_bounded_too(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "admin")
    r = client.post("/api/v1/users", headers={"X-CSRF-Token": csrf}, json={
        "username": "wang_li", "display_name": "王立", "password": "Passw0rd-Test-1", "department_id": TOO_BIG,
        "roles": ["reviewer"]})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["fields"][0]["field"] == "department_id"
    r = client.patch(f"/api/v1/departments/{city.amr.id}", headers={"X-CSRF-Token": csrf},
                     json={"parent_id": TOO_BIG})
    assert r.status_code == 422, r.text


def test_null_in_a_patch_is_refused_unless_the_field_may_be_empty(client: TestClient, session: Session,
                                                                   city) -> None:  # type: ignore[no-untyped-def]
    csrf = login(client, "admin")
    h = {"X-CSRF-Token": csrf}
    r = client.patch(f"/api/v1/departments/{city.amr.id}", headers=h, json={"short_name": None})
    assert r.status_code == 422, r.text
    field = r.json()["detail"]["fields"][0]
    assert field["field"] == "short_name" and field["type"] == "null_not_allowed"
    assert "不能为 null" in r.json()["message"] and "简称" in r.json()["message"]
    for body in ({"name": None}, {"status": None}, {"uscc": None}, {"region_code": None}):
        assert client.patch(f"/api/v1/departments/{city.amr.id}", headers=h, json=body).status_code == 422
    user = city.users["amr_clerk"]
    for body in ({"department_id": None}, {"roles": None}, {"display_name": None}, {"status": None}):
        assert client.patch(f"/api/v1/users/{user.id}", headers=h, json=body).status_code == 422, body
    # Where the column may be empty, null clears it.
    assert client.patch(f"/api/v1/users/{user.id}", headers=h, json={"phone": "13912345678"}).status_code == 200
    r = client.patch(f"/api/v1/users/{user.id}", headers=h, json={"phone": None})
    assert r.status_code == 200 and r.json()["phone"] is None
    r = client.patch(f"/api/v1/departments/{city.amr.id}", headers=h, json={"parent_id": city.data_bureau.id})
    assert r.status_code == 200 and r.json()["parent_id"] == city.data_bureau.id
    r = client.patch(f"/api/v1/departments/{city.amr.id}", headers=h, json={"parent_id": None})
    assert r.status_code == 200 and r.json()["parent_id"] is None
    # The description says the same: only the fields that may be cleared admit null.
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    props = schemas["DepartmentUpdate"]["properties"]
    assert props["short_name"].get("type") == "string" and "anyOf" not in props["short_name"]
    assert {"type": "null"} in props["parent_id"]["anyOf"]


def test_an_annotation_that_no_longer_fits_is_a_validation_error(client: TestClient, session: Session,
                                                                   world: LicenceWorld) -> None:  # noqa: F811
    licence = world.issue(session)
    csrf = login(client, "amr_reviewer")
    text = "因经营场所变更，经申请人申请并经审核，准予变更登记，原登记事项同时废止；" * 6
    text = text[:200]
    for _ in range(40):
        r = client.post(f"/api/v1/licences/{licence.id}/annotations", headers={"X-CSRF-Token": csrf},
                        json={"text": text})
        if r.status_code != 200:
            break
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "licence_annotation_too_long" and "放不下" in body["message"]
    assert body["detail"]["fields"][0]["field"] == "text"
    # Nothing half-written: the licence keeps its last good version.
    session.expire_all()
    current = session.get(Licence, licence.id)
    assert current is not None
    pdf = client.get(f"/api/v1/licences/{licence.id}/pdf")
    assert pdf.status_code == 200
    assert client.get(f"/api/v1/licences/{licence.id}").json()["version"] == current.version


def test_after_a_500_the_connection_stays_open(app, live_server: str) -> None:  # type: ignore[no-untyped-def]
    def broken() -> None:
        raise RuntimeError("a fault the platform did not foresee")

    app.add_api_route("/api/v1/test-fault", broken, methods=["GET"], include_in_schema=False)
    url = urlsplit(live_server)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    conn.request("GET", "/api/v1/test-fault")
    r = conn.getresponse()
    body = r.read()
    assert r.status == 500 and b'"internal_error"' in body and b"incident" in body
    assert (r.getheader("connection") or "").lower() != "close"
    sock = conn.sock
    conn.request("GET", "/healthz")
    r = conn.getresponse()
    r.read()
    assert r.status == 200 and conn.sock is sock, "the server dropped the keep-alive connection"
    conn.close()


def test_405_names_the_allowed_methods(client: TestClient) -> None:
    r = client.delete("/healthz")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert r.json()["code"] == "method_not_allowed"


def test_the_description_declares_the_error_body_and_statuses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            responses = op["responses"]
            assert "422" in responses, (method, path)
            schema = responses["422"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ValidationErrorBody"}, (method, path)
            if "{" in path and path != "/api/v1/verify/{identifier}":
                assert "404" in responses, (method, path)
            if method in {"post", "put", "patch", "delete"} and path != "/api/v1/verify":  # verify: no CSRF
                assert "403" in responses, (method, path)


def test_datetimes_carry_their_utc_offset(client: TestClient, city) -> None:  # type: ignore[no-untyped-def]
    login(client, "admin")
    user = client.get(f"/api/v1/users/{city.users['amr_clerk'].id}").json()
    created = dt.datetime.fromisoformat(user["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    entry = client.get("/api/v1/audit").json()["items"][0]
    assert dt.datetime.fromisoformat(entry["occurred_at"]).utcoffset() == dt.timedelta(0)
