"""The supervision light (绿灯 正常 / 黄灯 预警 / 红灯 报警) on the cases' staff pages, over real HTTP: the case
page names the rule, the clerk's queue and the reviewer's task list show it beside the clock. The cases domain
reads it through the platform registry (a case-badge provider), one light query per page, never per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from tests.cases.conftest import CasesWorld
from tests.cases.test_staff_pages import _submit
from tests.factories import login
from tongban.cases import handling
from tongban.cases.models import Case
from tongban.supervision.models import SupervisionAlert, SupervisionRule


def _alert(session: Session, case: Case, level: str, name: str) -> None:
    rule = SupervisionRule(code=f"T{level[:3]}{case.id}", name=name, kind="legal_overdue", level=level, days=0)
    session.add(rule)
    session.flush()
    session.add(SupervisionAlert(rule_id=rule.id, case_id=case.id, department_id=case.department_id, level=level,
                                 raised_on=dt.date(2026, 11, 2)))
    session.commit()


@contextmanager
def _light_queries(session: Session) -> Iterator[list[str]]:
    """The statements that read the supervision alerts while the block runs."""
    engine = session.get_bind()
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "supervision_alerts" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_open_alarm_shows_red_everywhere_and_quiet_case_green(client: TestClient, session: Session,
                                                             world: CasesWorld) -> None:
    session.execute(delete(SupervisionRule))
    session.commit()
    red_q, green_q, other_q = _submit(session, world), _submit(session, world), _submit(session, world)
    red_t, green_t = _submit(session, world), _submit(session, world)
    clerk = world.actor("amr_clerk")
    for case in (red_t, green_t):
        handling.accept(session=session, actor=clerk, case_id=case.id)
    session.commit()
    _alert(session, red_q, "red", "超法定时限报警")
    _alert(session, red_q, "yellow", "临近时限预警")
    _alert(session, other_q, "yellow", "临近时限预警")
    _alert(session, red_t, "red", "审查超时报警")

    login(client, "amr_clerk")
    with _light_queries(session) as seen:
        queue = client.get("/cases/queue")
    assert queue.status_code == 200
    assert len(seen) == 1  # one light query for the whole page, not one per row
    rows = {c.number: _row(queue.text, c.number) for c in (red_q, green_q, other_q)}
    assert "红灯 报警" in rows[red_q.number] and 'title="红灯 报警：超法定时限报警"' in rows[red_q.number]
    assert "绿灯 正常" in rows[green_q.number] and "红灯" not in rows[green_q.number]
    assert "黄灯 预警" in rows[other_q.number]

    page = client.get(f"/cases/{red_q.number}").text
    assert "红灯 报警：超法定时限报警" in page  # the rule's name in the text, not only on hover
    assert "绿灯 正常" in client.get(f"/cases/{green_q.number}").text

    login(client, "amr_reviewer")
    with _light_queries(session) as seen:
        tasks = client.get("/cases/tasks")
    assert tasks.status_code == 200 and len(seen) == 1
    assert "红灯 报警" in _row(tasks.text, red_t.number) and "审查超时报警" in _row(tasks.text, red_t.number)
    assert "绿灯 正常" in _row(tasks.text, green_t.number)


def _row(html: str, number: str | None) -> str:
    """The table row of the case with this number."""
    assert number
    start = html.index(f">{number}</a>")
    return html[html.rindex("<tr", 0, start):html.index("</tr>", start)]
