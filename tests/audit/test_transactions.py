"""A checkpoint (audit/anchors.take) is a use-case whose file line follows its committed row: right away when
it is the outermost scope, after the caller's commit when it runs inside one (the seal job), and not at all
when the caller rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tongban.audit import anchors
from tongban.audit.models import LogCheckpoint
from tongban.transactions import scope


def _lines() -> int:
    return sum(len(p.read_text(encoding="utf-8").splitlines())
               for p in anchors.checkpoint_dir().glob("checkpoints-*.jsonl"))


def _rows(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(LogCheckpoint)) or 0)


def test_outermost_the_row_commits_and_then_the_line_is_written(session: Session, app) -> None:  # type: ignore[no-untyped-def]
    cp = anchors.take(session)
    other = app.state.session_factory()
    try:
        assert other.get(LogCheckpoint, cp.id) is not None
    finally:
        other.close()
    assert _lines() == 1
    assert anchors.latest(session).checkpoint == cp


def test_nested_the_line_waits_for_the_callers_commit(session: Session) -> None:
    with scope(session):
        cp = anchors.take(session)
        assert _lines() == 0  # the row is not durable yet
    assert _lines() == 1 and _rows(session) == 1
    assert anchors.latest(session).checkpoint == cp


def test_nested_in_a_caller_that_fails_neither_row_nor_line(session: Session) -> None:
    with pytest.raises(RuntimeError), scope(session):
        anchors.take(session)
        raise RuntimeError("the job fails after taking the checkpoint")
    assert _lines() == 0 and _rows(session) == 0
    anchors.take(session)  # and a later commit does not write the forgotten line
    assert _lines() == 1 and _rows(session) == 1
    assert anchors.latest(session).problem == ""


def test_nested_in_a_savepoint_the_caller_undoes_no_line(session: Session) -> None:
    with scope(session), pytest.raises(RuntimeError), scope(session):
        anchors.take(session)
        raise RuntimeError("an inner use-case fails and its caller handles it")
    assert _lines() == 0 and _rows(session) == 0
