"""Every audited action and object type has a Chinese label, and pages show objects by name or number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import SmallCity, actor_of, card_reads, login, on_own_loop
from tests.licences.conftest import business_licence_type
from tongban.audit import service as audit
from tongban.audit.labels import OBJECT_LABELS
from tongban.audit.service import ACTION_LABELS
from tongban.demo.loader import DemoSummary

SRC = Path(__file__).resolve().parents[2] / "src" / "tongban"
PATTERNS = [re.compile(r'\baction="([a-z_]+\.[a-z_]+)"'), re.compile(r'audit_action="([a-z_]+\.[a-z_]+)"'),
            re.compile(r'_audit\(session, actor, "([a-z_]+\.[a-z_]+)"')]
OBJECT_PATTERNS = [re.compile(r'\bobject_type="([a-z_]+)"'), re.compile(r'^OBJECT_TYPE = "([a-z_]+)"', re.M)]
HTML = {"accept": "text/html"}


def _found(patterns: list[re.Pattern[str]]) -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            found |= set(pattern.findall(text))
    return found


def test_every_audited_action_has_a_chinese_label() -> None:
    found = _found(PATTERNS)
    assert len(found) > 40
    missing = sorted(a for a in found if a not in ACTION_LABELS and a != "audit.search")
    assert missing == []


def test_every_audited_object_type_has_a_chinese_label() -> None:
    found = _found(OBJECT_PATTERNS)
    assert {"user", "licence_type", "sharing_request", "data_dispute"} <= found
    assert sorted(t for t in found if t not in OBJECT_LABELS) == []


def _audit_objects(session: Session, city: SmallCity) -> None:
    admin = actor_of(city.users["admin"])
    licence_type = business_licence_type(session, city)
    audit.record(session, actor=admin, action="user.update", object_type="user", object_id=city.users["amr_clerk"].id)
    audit.record(session, actor=admin, action="sharing.withdraw", object_type="sharing_request",
                 object_id="GX20261203000042")
    audit.record(session, actor=admin, action="department.update", object_type="department", object_id=city.amr.id)
    assert licence_type.id
    session.commit()


def test_audit_log_and_recent_actions_name_objects_in_chinese(client: TestClient, city: SmallCity,
                                                               session: Session) -> None:
    _audit_objects(session, city)
    login(client, "admin")
    for url in ("/admin/audit", "/home"):
        shown = re.sub(r"<[^>]+>", " ", client.get(url, headers=HTML).text)  # what a reader sees
        assert "证照类型 营业执照" in shown, url
        assert "共享申请 GX20261203000042" in shown, url
        assert "用户 amrclerk" in shown and f"用户 {city.users['amr_clerk'].id} " not in shown, url
        assert "部门 安康市市场监督管理局" in shown, url
        assert not re.search(r"\b(sharing_request|licence_type|user|department)\b", shown), url


def test_every_named_type_reads_the_same_names_with_a_session_and_on_the_loop(demo: DemoSummary,
                                                                               session: Session) -> None:
    """Each object type's statement (web/object_names.py) is written once and runs both ways: with the audit pages'
    session and on the event loop (the home's recent actions). Both must read, and agree, on both databases."""
    from tongban.audit import labels
    from tongban.web import object_names  # noqa: F401 (registers the names)

    codes = {t: [str(c)] for t, c in [
        ("region", session.execute(text("SELECT min(code) FROM regions")).scalar()),
        ("resource", session.execute(text("SELECT min(code) FROM catalog_resources")).scalar()),
        ("classification", session.execute(text("SELECT min(code) FROM catalog_classifications")).scalar()),
        ("basic_item", session.execute(text("SELECT min(code) FROM item_basic")).scalar()),
        ("bundle", session.execute(text("SELECT min(code) FROM item_bundles")).scalar()),
    ]}
    entries = [_Entry(t, i) for t, names in labels._names.items()
               for i in [*codes.get(t, []), *(["1", "2", "3"] if names.int_keys else []), "no-such-1"]]
    with_session = labels.describe_objects(session, entries)
    reads = card_reads(session)
    on_loop = on_own_loop(lambda: labels.describe_objects_on_loop(reads.loop, entries))
    assert on_loop == with_session
    assert len(with_session) == len({(e.object_type, e.object_id) for e in entries})
    # Read, not fallen back to the id: the demo city has these.
    named = {t for (t, i), shown in with_session.items() if shown != f"{labels.object_label(t)} {i}"}
    assert {"user", "department", "region", "resource", "basic_item", "calendar_year", "route"} <= named


@dataclass(frozen=True)
class _Entry:
    object_type: str
    object_id: str | None
