"""Editing the rules: only the supervisor and the platform admin; bad input gets a stable code; the page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, csrf_from, login
from tests.supervision.conftest import rule
from tongban.audit.models import AuditEntry
from tongban.errors import Conflict, Forbidden, ValidationFailed
from tongban.supervision import service
from tongban.supervision.models import SupervisionRule
from tongban.supervision.schemas import RuleIn


@pytest.mark.parametrize("who", ["amr_admin", "amr_clerk", "amr_reviewer", "amr_data"])
def test_department_staff_may_not_edit_rules(session: Session, city: SmallCity, who: str) -> None:
    with pytest.raises(Forbidden):
        service.create_rule(session=session, actor=actor_of(city.users[who]),
                            rule_in=rule("x1", "promised_overdue", "red"))
    assert session.scalar(select(SupervisionRule).where(SupervisionRule.code == "x1")) is None


def test_supervisor_and_platform_admin_edit_rules_audited(session: Session, city: SmallCity) -> None:
    made = service.create_rule(session=session, actor=actor_of(city.users["supervisor"]),
                               rule_in=rule("x1", "promised_overdue", "red"))
    service.update_rule(session=session, actor=actor_of(city.users["admin"]), code="x1",
                        rule_in=rule("x1", "promised_overdue", "yellow", days=2, name="逾期两日预警"))
    assert (made.level, made.days, made.name) == ("yellow", 2, "逾期两日预警")
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "supervision_rule",
                                                              AuditEntry.object_id == "x1")).all()
    assert sorted(actions) == ["supervision.rule_create", "supervision.rule_update"]
    with pytest.raises(Conflict):
        service.create_rule(session=session, actor=actor_of(city.users["admin"]),
                            rule_in=rule("x1", "promised_overdue", "red"))


@pytest.mark.parametrize(("more", "field"), [
    ({"scope": "department"}, "department_id"),
    ({"scope": "item"}, "item_code"),
    ({"kind": "promised_near", "days": None}, "days"),
    ({"recipients": ["handler", "mayor"]}, "recipients"),
    ({"recipients": []}, "recipients"),
    ({"kind": "legal_overdue", "share": 50}, "share"),
    ({"level": "purple"}, "level"),
])
def test_bad_rules_are_refused_with_the_field_to_fix(session: Session, city: SmallCity, more: dict[str, object],
                                                     field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.create_rule(session=session, actor=actor_of(city.users["supervisor"]),
                            rule_in=rule("bad", str(more.pop("kind", "promised_overdue")),
                                         str(more.pop("level", "red")), **more))
    assert (exc.value.code, exc.value.detail["field"]) == ("invalid_rule", field)


def test_rules_api_and_page(client: TestClient, city: SmallCity) -> None:
    body = {"code": "api-late", "name": "逾期报警", "kind": "promised_overdue", "level": "red", "days": 0,
            "recipients": ["dept_admin"]}
    client.headers["X-CSRF-Token"] = login(client, "amr_admin")
    assert client.post("/api/v1/supervision/rules", json=body).status_code == 403
    assert client.get("/supervision/rules").status_code == 403
    client.cookies.clear()
    del client.headers["X-CSRF-Token"]
    client.headers["X-CSRF-Token"] = login(client, "supervisor")
    made = client.post("/api/v1/supervision/rules", json=body)
    assert made.status_code == 201, made.text
    bad = client.put("/api/v1/supervision/rules/api-late", json={**body, "scope": "department"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_rule")
    assert client.put("/api/v1/supervision/rules/none", json={**body, "code": "none"}).status_code == 404
    page = client.get("/supervision/rules")
    assert page.status_code == 200 and "逾期报警" in page.text and "部门负责人" in page.text
    form = {"csrf_token": csrf_from(page.text), "code": "page-near", "name": "临近预警", "scope": "city",
            "kind": "promised_near", "level": "yellow", "days": "2", "action": "notify",
            "recipients": ["handler", "supervisor"], "escalate_days": "1", "active": "on"}
    done = client.post("/supervision/rules", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert "临近预警" in client.get("/supervision/rules").text
    failed = client.post("/supervision/rules", data={**form, "scope": "item"})
    assert failed.status_code == 422 and "事项编码" in failed.text and 'value="page-near"' in failed.text


def test_the_default_rules_seeded_by_migration_0027_pass_the_editing_checks(session: Session,
                                                                            city: SmallCity) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "migrations" / "versions" / "0027_supervision_rules.py"
    spec = importlib.util.spec_from_file_location("migration_0027", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    session.execute(delete(SupervisionRule))
    for data in module.DEFAULT_RULES:
        service.create_rule(session=session, actor=actor_of(city.users["supervisor"]), rule_in=RuleIn(**data))
    assert len(service.all_rules(session)) == 4
