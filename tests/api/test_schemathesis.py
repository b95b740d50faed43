"""Schemathesis against the OpenAPI description: every operation, as an application system with an API key
and as the platform administrator with a browser session.

Fails on any 5xx, on a response that does not match its declared schema or content type, and on a status code
the description does not list. Examples are bounded and derandomized (a fixed seed), so a run is repeatable and
takes a few minutes on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import PASSWORD, population_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation and generation mode; TONGBAN_SCHEMATHESIS_EXAMPLES raises it for a deeper local run.
EXAMPLES = int(os.environ.get("TONGBAN_SCHEMATHESIS_EXAMPLES", "12"))


def _fuzz(base_url: str, http: requests.Session, headers: Callable[[str], dict[str, str]]) -> list[str]:
    """Run every operation in both generation modes; return one line per failing operation."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                case.call_and_validate(base_url=base_url, session=http, headers=headers(case.method),
                                       checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing can be negated (e.g. no parameters at all): nothing to test
                pass
            except (Exception, BaseExceptionGroup) as exc:  # collect every failing operation, not just the first
                failures.append(f"{operation.label} [{mode}]: {str(exc)[:1500]}")
    return failures


def _report(failures: list[str]) -> str:
    return f"{len(failures)} failing operation(s):\n\n" + "\n\n".join(failures)


def test_api_key_client(live_server: str, session, engine, city, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An application system of 市场监管局 holding a grant, as the demo's clients do."""
    world = population_world(session, engine, city, tmp_path, name="户籍人口基本信息",
                             granted=["id_number", "name", "gender"])
    http = requests.Session()
    auth = {"Authorization": f"Bearer {world['secret']}"}
    failures = _fuzz(live_server, http, lambda method: auth)
    assert not failures, _report(failures)


def test_admin_session(live_server: str, session, engine, city, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The platform administrator logged in through the login form: session cookie, CSRF header on unsafe calls."""
    population_world(session, engine, city, tmp_path, name="户籍人口基本信息", granted=["id_number", "name"])
    http = requests.Session()
    page = http.get(f"{live_server}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = http.post(f"{live_server}/login", data={"username": "admin", "password": PASSWORD,
                                                "csrf_token": token.group(1)}, allow_redirects=False)
    assert r.status_code == 303, r.text
    home = http.get(f"{live_server}/home")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    unsafe = {"X-CSRF-Token": csrf.group(1)}
    failures = _fuzz(live_server, http, lambda method: unsafe if method.upper() in {"POST", "PUT", "PATCH",
                                                                                     "DELETE"} else {})
    assert not failures, _report(failures)
