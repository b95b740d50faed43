"""The keyed read answered in front of the router (exchange/gateway_api.KeyedReadLane) answers exactly as its route:
the same status, body and headers for an answer and for each kind of refusal, and the same log entries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.exchange.conftest import IDS, call_headers
from tongban import versioned
from tongban.errors import DomainError
from tongban.exchange import gateway, gateway_api
from tongban.exchange.log_models import ExchangeLogEntry
from tongban.main import create_app

KEPT_HEADERS = ("content-type", "www-authenticate", "retry-after", "x-content-type-options", "x-frame-options",
                "content-security-policy", "referrer-policy")


def _without_lane() -> Any:
    app = create_app()
    app.user_middleware = [m for m in app.user_middleware if m.cls is not gateway_api.KeyedReadLane]
    return app


def _seen(r: Any) -> tuple[int, Any, dict[str, str]]:
    return r.status_code, r.json(), {h: r.headers.get(h, "") for h in KEPT_HEADERS}


def test_the_lane_answers_as_the_route(client: TestClient, session: Session, world,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    taken = 0
    answer = gateway_api.KeyedReadLane._answer

    async def counting(self, *args):  # type: ignore[no-untyped-def]
        nonlocal taken
        taken += 1
        return await answer(self, *args)

    monkeypatch.setattr(gateway_api.KeyedReadLane, "_answer", counting)
    route_app = _without_lane()
    base = f"/api/v1/exchange/{world['resource'].code}/records/"
    cases: list[tuple[str, dict[str, str]]] = [
        (base + IDS[0], call_headers(world, **{"X-End-User": IDS[0], "X-Case-Number": "QY2026001"})),
        (base + IDS[1].lower(), call_headers(world)),  # an 18-character key is upper-cased
        (base + "610000000000000000", call_headers(world)),  # no such record: 404
        (base + IDS[0], call_headers(world, purpose=None)),  # no purpose: 422
        (base + IDS[0] + "?purpose=%E6%A0%B8%E9%AA%8C%E8%BA%AB%E4%BB%BD", call_headers(world, purpose=None)),
        (base + IDS[0], call_headers(world, **{"X-End-User": "123"})),  # 422 bad_end_user
        (base + IDS[0], {**call_headers(world), "Authorization": "Bearer tbk_no-such-key"}),  # 401
        (base + IDS[0], {**call_headers(world), "Authorization": "Basic abc"}),  # 401, malformed
        (f"/api/v1/exchange/999/000999/records/{IDS[0]}", call_headers(world)),  # unknown resource: 404
    ]
    with TestClient(route_app) as by_route:
        for url, headers in cases:
            lane, route = _seen(client.get(url, headers=headers)), _seen(by_route.get(url, headers=headers))
            assert lane == route, url
        assert taken == len(cases)
        # A refusal of the grant (403) and of the quota (429), each answered both ways.
        session.execute(text("UPDATE sharing_grants SET calls_per_minute = 1 WHERE id = :g"),
                        {"g": world["grant"].id})
        session.commit()
        # The calls above were counted this minute already: over a limit of one, both refuse.
        lane_429 = client.get(base + IDS[0], headers=call_headers(world))
        by_route_429 = by_route.get(base + IDS[0], headers=call_headers(world))
        assert (lane_429.status_code, by_route_429.status_code) == (429, 429)
        assert lane_429.json() == by_route_429.json() and lane_429.json()["code"] == "quota_minute_exceeded"
        assert lane_429.headers["retry-after"] and by_route_429.headers["retry-after"]
        session.execute(text("UPDATE sharing_grants SET status = 'revoked', calls_per_minute = NULL WHERE id = :g"),
                        {"g": world["grant"].id})
        session.commit()
        url = base + IDS[0]
        assert _seen(client.get(url, headers=call_headers(world))) == _seen(by_route.get(url, headers=call_headers(world)))
    route_app.state.engine.dispose()
    session.rollback()
    results = session.execute(select(ExchangeLogEntry.result, ExchangeLogEntry.status_code)
                              .order_by(ExchangeLogEntry.seq)).all()
    # Every call that reached the exchange is logged, by the lane as by the route: each pair alike.
    lane_and_route = [tuple(r) for r in results]
    assert lane_and_route[:2] == [("ok", 200), ("ok", 200)] and ("denied", 429) in lane_and_route


def test_a_browser_session_and_other_methods_go_to_the_route(client: TestClient, world) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/exchange/{world['resource'].code}/records/{IDS[0]}"
    r = client.get(url)  # no credentials: the route's own 401
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.post(url, headers=call_headers(world)).status_code == 405
    assert client.get(url + "/", headers=call_headers(world), follow_redirects=False).status_code == 307  # the router


def test_a_call_answerable_from_memory_is_answered_on_the_event_loop_and_logged_alike(
        client: TestClient, session: Session, world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Once a call has filled this process's caches (key, resource, grants, disputes, head), the next ones are answered
    on the event loop (gateway.get_record_on_loop): the same answer, each logged before it leaves, counted against
    the quota; a change anywhere in what the caches hold (here the grant revoked) is seen by the very next call."""
    outcomes: list[str] = []
    on_loop = gateway.get_record_on_loop

    async def watched(**kw: Any) -> Any:
        try:
            answer = await on_loop(**kw)
        except versioned.NotCached:
            outcomes.append("thread")
            raise
        except DomainError as exc:
            outcomes.append(f"loop {exc.status_code}")
            raise
        outcomes.append("loop")
        return answer

    monkeypatch.setattr(gateway, "get_record_on_loop", watched)
    url = f"/api/v1/exchange/{world['resource'].code}/records/{IDS[1]}"
    answers = [client.get(url, headers=call_headers(world)) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert outcomes == ["loop", "loop"]  # the first call found nothing kept: the request thread's, as before
    entries = session.execute(select(ExchangeLogEntry).order_by(ExchangeLogEntry.seq)).scalars().all()
    assert [(e.result, e.status_code, e.record_keys, e.items, e.purpose, e.client_id) for e in entries] == \
        [(entries[0].result, 200, entries[0].record_keys, entries[0].items, entries[0].purpose,
          entries[0].client_id)] * 3
    assert entries[0].result == "ok" and IDS[1] in entries[0].record_keys

    session.execute(text("UPDATE sharing_grants SET calls_per_minute = 3 WHERE id = :g"), {"g": world["grant"].id})
    session.commit()
    throttled = client.get(url, headers=call_headers(world))  # the fourth call this minute
    assert throttled.status_code == 429
    assert outcomes[-1] == "thread"  # the version moved since the cache was filled: the request thread's
    assert client.get(url, headers=call_headers(world)).status_code == 429
    assert outcomes[-1] == "loop 429"  # refused on the loop, by the group commit's count
    session.execute(text("UPDATE sharing_grants SET status = 'revoked', calls_per_minute = NULL WHERE id = :g"),
                    {"g": world["grant"].id})
    session.commit()
    revoked = client.get(url, headers=call_headers(world))
    assert revoked.status_code == 403 and revoked.json()["code"] == "no_grant"
    session.rollback()
    results = [tuple(r) for r in session.execute(select(ExchangeLogEntry.result, ExchangeLogEntry.status_code)
                                                 .order_by(ExchangeLogEntry.seq)).all()]
    assert results == [("ok", 200)] * 3 + [("denied", 429)] * 2 + [("denied", 403)]


def test_a_key_revoked_after_its_calls_were_kept_is_refused_at_once(
        client: TestClient, session: Session, world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The loop assumes the version its cache holds and confirms it with the record's read: a key revoked by another
    process (here the test's session) since the last call is refused by the next one, not answered from memory."""
    url = f"/api/v1/exchange/{world['resource'].code}/records/{IDS[1]}"
    assert [client.get(url, headers=call_headers(world)).status_code for _ in range(2)] == [200, 200]
    session.execute(text("UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP"))
    session.commit()
    refused = client.get(url, headers=call_headers(world))
    assert refused.status_code == 401 and refused.json()["code"] != "record_not_found"
    session.rollback()
    oks = session.execute(select(ExchangeLogEntry.result)).scalars().all()
    assert oks == ["ok", "ok"]  # nothing answered after the revocation
