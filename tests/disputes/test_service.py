"""Dispute rules: who may raise, what may be disputed, the provider's answer, escalation and coordination,
working-day deadlines and the overdue check, and the disputed-record lookup of the exchange."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.disputes.conftest import IDS
from tests.factories import actor_of
from tongban import clock
from tongban.audit.models import AuditEntry
from tongban.authz import Actor
from tongban.disputes import service
from tongban.disputes.schemas import DisputeAnswer, DisputeCoordination, DisputeCreate, DisputeEscalation
from tongban.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tongban.sharing import service as sharing
from tongban.sharing.schemas import GrantAction
from tongban.workdays import service as workdays

D = dt.date


def _in(world: dict[str, Any], key: str = IDS[0], items: list[str] | None = None, **kw: Any) -> DisputeCreate:
    return DisputeCreate(resource_id=world["resource"].id, record_key=key, items=items or ["address"],
                         description=kw.pop("description", "该居民已迁入汉滨区江北街道，户籍地址仍为旧址。"), **kw)


def _raise(session: Session, city, world, **kw: Any):  # type: ignore[no-untyped-def]
    return service.raise_dispute(session=session, actor=actor_of(city.users["amr_data"]), dispute_in=_in(world, **kw))


def _client_actor(world: dict[str, Any]) -> Actor:
    c = world["client"]
    return Actor(kind="client", id=c.id, name=c.name, username=c.code, department_id=c.department_id,
                 client_id=c.id)


def test_grant_holder_raises_and_only_the_parties_see_it(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world, proposed={"address": "陕西省安康市汉滨区江北街道滨江大道8号"},
                   evidence="户口簿本人页扫描件")
    assert d.number == "JC202609010001" and d.status == "open"
    assert d.due_on == D(2026, 9, 8) and not d.due_assumed  # five working days after Tue 1 September
    assert d.provider_id == city.hrss.id and d.consumer_id == city.amr.id and d.raised_by == city.users["amr_data"].id
    for who in ("amr_data", "amr_admin", "hrss_data", "hrss_admin", "admin"):
        assert service.get_dispute(session=session, actor=actor_of(city.users[who]), dispute_id=d.id).id == d.id
    for who in ("amr_clerk", "hrss_reviewer", "supervisor", "citizen"):
        with pytest.raises(NotFound):
            service.get_dispute(session=session, actor=actor_of(city.users[who]), dispute_id=d.id)
    rows, total = service.list_disputes(session=session, actor=actor_of(city.users["hrss_data"]), role="against")
    assert total == 1 and rows[0].number == d.number
    assert service.list_disputes(session=session, actor=actor_of(city.users["hrss_data"]), role="raised")[1] == 0
    assert service.list_disputes(session=session, actor=actor_of(city.users["amr_data"]), role="against")[1] == 0
    with pytest.raises(Forbidden):
        service.list_disputes(session=session, actor=actor_of(city.users["amr_data"]), role="platform")
    # The numbering goes on within the day.
    with clock.frozen(D(2026, 9, 1)):
        assert _raise(session, city, world, key=IDS[1]).number == "JC202609010002"
    entry = session.execute(select(AuditEntry).where(AuditEntry.action == "dispute.raise")).scalars().first()
    assert entry is not None and entry.object_id == d.number and entry.actor_name == city.users["amr_data"].display_name


def test_only_grant_holders_may_raise_on_granted_items_of_existing_records(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden) as exc:  # a department without a grant
        service.raise_dispute(session=session, actor=actor_of(world["edu_data"]), dispute_in=_in(world))
    assert exc.value.code == "no_grant"
    with pytest.raises(Forbidden):  # a window clerk of the grant holder lacks the permission
        service.raise_dispute(session=session, actor=actor_of(city.users["amr_clerk"]), dispute_in=_in(world))
    with pytest.raises(ValidationFailed) as exc:
        _raise(session, city, world, items=["phone"])
    assert exc.value.code == "items_not_granted" and "联系电话" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        _raise(session, city, world, items=["favourite_colour"])
    assert exc.value.code == "items_unknown"
    with pytest.raises(ValidationFailed) as exc:
        _raise(session, city, world, key="610902199901010000")
    assert exc.value.code == "record_unknown" and "610902199901010000" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:  # the provider disputes its own data
        service.raise_dispute(session=session, actor=actor_of(city.users["hrss_data"]), dispute_in=_in(world))
    assert exc.value.code == "own_resource"
    with pytest.raises(ValidationError):  # proposed values only for disputed items
        _in(world, proposed={"name": "王建国"})
    first = _raise(session, city, world)
    with pytest.raises(Conflict) as conflict:
        _raise(session, city, world, items=["address", "name"])
    assert conflict.value.code == "duplicate_dispute" and first.number in conflict.value.message
    assert _raise(session, city, world, items=["name"]).status == "open"  # other items of the same record
    # A suspended grant is no grant.
    sharing.suspend_grant(session=session, actor=actor_of(city.users["hrss_data"]), grant_id=world["grant"].id,
                          action=GrantAction(reason="核查调用情况"))
    with pytest.raises(Forbidden):
        _raise(session, city, world, key=IDS[2])


def test_provider_corrects_and_the_record_is_no_longer_disputed(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    d = _raise(session, city, world)
    other = _raise(session, city, world, key=IDS[1], items=["name"])
    shown = service.open_disputes(session, world["resource"].id, [IDS[0], IDS[1], IDS[2]])
    assert set(shown) == {IDS[0], IDS[1]}
    since = d.created_at.replace(tzinfo=dt.UTC).isoformat()
    assert shown[IDS[0]] == [{"number": d.number, "items": ["address"], "since": since}]
    assert shown[IDS[1]][0]["number"] == other.number and shown[IDS[1]][0]["items"] == ["name"]
    with pytest.raises(Forbidden):  # the raiser cannot answer its own dispute
        service.answer(session=session, actor=actor_of(city.users["amr_data"]), dispute_id=d.id,
                       answer_in=DisputeAnswer(decision="corrected", note="已改"))
    done = service.answer(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id,
                          answer_in=DisputeAnswer(decision="corrected", note="已按户口簿更正，随今晚数据更新生效。"))
    assert done.status == "corrected" and done.due_on is None and done.closed_at is not None
    assert done.answered_by == city.users["hrss_data"].id and "户口簿" in done.answer_note
    assert set(service.open_disputes(session, world["resource"].id, [IDS[0], IDS[1]])) == {IDS[1]}
    assert service.open_disputes(session, world["resource"].id, []) == {}
    with pytest.raises(InvalidTransition):  # answered once
        service.answer(session=session, actor=actor_of(city.users["hrss_admin"]), dispute_id=d.id,
                       answer_in=DisputeAnswer(decision="corrected"))
    assert other.status == "open"


def test_rejecting_needs_a_reason_and_can_be_escalated_to_the_platform(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="不予更正须写明理由"):
        DisputeAnswer(decision="rejected", note="不改")
    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world)
    with clock.frozen(D(2026, 9, 3)):
        d = service.answer(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id,
                           answer_in=DisputeAnswer(decision="rejected", note="经核对户籍档案，该地址登记无误，迁移手续尚未办结。"))
    assert d.status == "rejected" and d.due_on is None
    assert service.open_disputes(session, world["resource"].id, [IDS[0]]) == {}
    assert service.escalation_deadline(session, d) == D(2026, 9, 17)  # ten working days after Thu 3 September
    with pytest.raises(Forbidden):  # the provider cannot escalate
        service.escalate(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id,
                         escalation=DisputeEscalation(reason="请平台协调此事，双方意见不一致。"))
    with clock.frozen(D(2026, 9, 4)):
        d = service.escalate(session=session, actor=actor_of(city.users["amr_admin"]), dispute_id=d.id,
                             escalation=DisputeEscalation(reason="办件中核验的户口簿原件显示已迁入，请平台协调。"))
    assert d.status == "escalated" and d.due_on == D(2026, 9, 18)  # the platform's ten working days
    assert service.open_disputes(session, world["resource"].id, [IDS[0]])[IDS[0]][0]["number"] == d.number
    with pytest.raises(Forbidden):  # only the platform coordinates
        service.coordinate(session=session, actor=actor_of(city.users["hrss_admin"]), dispute_id=d.id,
                           coordination=DisputeCoordination(decision="uphold", note="维持原数据，理由见答复。"))
    rows, total = service.list_disputes(session=session, actor=actor_of(city.users["admin"]), role="platform",
                                        status="escalated")
    assert total == 1 and rows[0].id == d.id
    d = service.coordinate(session=session, actor=actor_of(city.users["admin"]), dispute_id=d.id,
                           coordination=DisputeCoordination(decision="correct", note="以公安户籍最新登记为准，请提供部门更正。"))
    assert d.status == "coordinated_correct" and d.closed_at is not None
    assert (d.escalated_by, d.coordinated_by) == (city.users["amr_admin"].id, city.users["admin"].id)
    assert service.open_disputes(session, world["resource"].id, [IDS[0]]) == {}
    steps = [e.action for e in service.timeline(session=session, dispute=d)]
    assert steps == ["dispute.raise", "dispute.reject", "dispute.escalate", "dispute.coordinate_correct"]


def test_escalation_after_the_period_is_refused(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world)
        service.answer(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id,
                       answer_in=DisputeAnswer(decision="rejected", note="经核对户籍档案，该地址登记无误。"))
    with clock.frozen(D(2026, 9, 16)), pytest.raises(InvalidTransition) as exc:
        service.escalate(session=session, actor=actor_of(city.users["amr_data"]), dispute_id=d.id,
                         escalation=DisputeEscalation(reason="办件中核验的户口簿原件显示已迁入。"))
    assert exc.value.code == "escalation_late" and "2026-09-15" in exc.value.message


def test_raiser_withdraws_and_nobody_else_can(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    d = _raise(session, city, world)
    with pytest.raises(Forbidden):
        service.withdraw(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id)
    with pytest.raises(NotFound):
        service.withdraw(session=session, actor=actor_of(city.users["amr_clerk"]), dispute_id=d.id)
    d = service.withdraw(session=session, actor=actor_of(city.users["amr_data"]), dispute_id=d.id)
    assert d.status == "withdrawn" and d.withdrawn_at is not None and d.withdrawn_by == city.users["amr_data"].id
    assert service.open_disputes(session, world["resource"].id, [IDS[0]]) == {}
    with pytest.raises(InvalidTransition):
        service.answer(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id,
                       answer_in=DisputeAnswer(decision="corrected"))
    # Once withdrawn, the same items may be disputed again.
    assert _raise(session, city, world).status == "open"


def test_systems_raise_through_their_own_grant(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    actor = _client_actor(world)
    d = service.raise_dispute(session=session, actor=actor, dispute_in=_in(world, items=["name"]))
    assert d.client_id == world["client"].id and d.raised_by is None and d.consumer_id == city.amr.id
    rows, total = service.list_disputes(session=session, actor=actor, role="raised")
    assert total == 1 and rows[0].id == d.id
    with pytest.raises(Forbidden):
        service.list_disputes(session=session, actor=actor, role="against")
    # The department's officers see what their system raised and may take it further.
    assert service.get_dispute(session=session, actor=actor_of(city.users["amr_data"]), dispute_id=d.id).id == d.id


def test_overdue_flagged_once_and_summarised_per_provider(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world)
        _raise(session, city, world, key=IDS[1])
    with clock.frozen(D(2026, 9, 8)):  # the last day: not yet overdue
        assert service.flag_overdue(session) == []
        assert service.overdue_summary(session, None) == []
    with clock.frozen(D(2026, 9, 9)):
        flagged = service.flag_overdue(session)
        assert [f.number for f in flagged] == [d.number, "JC202609010002"]
        assert service.flag_overdue(session) == []  # once per stage
        rows, total = service.list_disputes(session=session, actor=actor_of(city.users["hrss_data"]), role="against",
                                            overdue=True)
        assert total == 2 and all(service.dispute_read(r).overdue for r in rows)
        assert service.overdue_summary(session, None) == [
            {"provider_id": city.hrss.id, "name": city.hrss.name, "overdue": 2, "oldest_due_on": D(2026, 9, 8)}]
        assert service.overdue_summary(session, {city.amr.id}) == []
        assert service.overdue_summary(session, set()) == []
    audit_rows = session.execute(select(AuditEntry).where(AuditEntry.action == "dispute.overdue")).scalars().all()
    assert {a.object_id for a in audit_rows} == {d.number, "JC202609010002"}
    assert all(a.actor_kind == "system" for a in audit_rows)


def test_deadline_estimated_across_an_unannounced_year_is_recomputed(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(D(2026, 12, 28)):
        d = _raise(session, city, world)
    assert d.due_on == D(2027, 1, 4) and d.due_assumed  # 2027's holidays are not known yet
    workdays.save_year(session=session, actor=actor_of(city.users["admin"]), year_in=workdays.YearIn(
        year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知", holidays=[(D(2027, 1, 1), "元旦")], workdays=[]))
    session.refresh(d)
    assert d.due_on == D(2027, 1, 5) and not d.due_assumed


def test_cron_command_reports_overdue_disputes(session: Session, city, world) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from tongban.cli import app

    with clock.frozen(D(2026, 9, 1)):
        d = _raise(session, city, world)
    with clock.frozen(D(2026, 9, 9)):
        out = CliRunner().invoke(app, ["disputes", "check-deadlines"])
        assert out.exit_code == 0, out.output
        assert d.number in out.output and "共标记 1 件逾期数据疑义" in out.output
        assert "共标记 0 件" in CliRunner().invoke(app, ["disputes", "check-deadlines"]).output


def test_detail_shows_when_the_provider_has_reloaded_the_record(session: Session, city, world, engine,  # type: ignore[no-untyped-def]
                                                                tmp_path) -> None:
    import csv

    from tongban.authz import SYSTEM
    from tongban.db import make_session_factory
    from tongban.registries import ingest as registry

    d = _raise(session, city, world, proposed={"address": "陕西省安康市汉滨区江北街道滨江大道8号"})
    assert service.detail_read(session, d).record_changed is False
    path = tmp_path / "fix.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id_number", "name", "gender", "address", "phone"])
        w.writerow([IDS[0], "王建华", "男", "陕西省安康市汉滨区江北街道滨江大道8号", "13912345678"])
    registry.ingest(factory=make_session_factory(engine), actor=SYSTEM, resource_code=world["resource"].code,
                    path=path)
    service.answer(session=session, actor=actor_of(city.users["hrss_data"]), dispute_id=d.id,
                   answer_in=DisputeAnswer(decision="corrected", note="已按户口簿更正。"))
    assert service.detail_read(session, d).record_changed is True
