"""Static files from memory (web/static_files.py): hashed URLs cached for a year, revalidation, errors, safety."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from tests.factories import in_own_thread
from tongban.config import Settings
from tongban.web import static_files
from tongban.web.static_files import STATIC_DIR, MissingStaticFile
from tongban.web.templating import templates

PLAIN = {"Accept-Encoding": "identity"}
YEAR = "public, max-age=31536000, immutable"


def on_disk(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def version(name: str) -> str:
    return hashlib.sha256(on_disk(name)).hexdigest()[:12]


def linked(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_a_page_links_every_static_file_by_its_current_hash_and_each_link_answers(client: TestClient) -> None:
    links = linked(client.get("/login").text)
    names = {link.split("?")[0].removeprefix("/static/") for link in links}
    assert {"css/tongban.css", "js/tongban.js", "favicon.svg", "vendor/htmx-2.0.11.min.js"} <= names
    for link in links:
        name, query = link.removeprefix("/static/").split("?v=")
        assert query == version(name), link
        r = client.get(link, headers=PLAIN)
        assert r.status_code == 200, link
        assert r.content == on_disk(name)
        assert r.headers["cache-control"] == YEAR
        assert r.headers["content-length"] == str(len(on_disk(name)))


def test_types_etag_and_a_matching_if_none_match_answers_304(client: TestClient) -> None:
    url = f"/static/css/tongban.css?v={version('css/tongban.css')}"
    r = client.get(url, headers=PLAIN)
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    etag = r.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert client.get("/static/js/tongban.js", headers=PLAIN).headers["content-type"] == (
        "application/javascript; charset=utf-8")
    assert client.get("/static/favicon.svg").headers["content-type"] == "image/svg+xml"

    again = client.get(url, headers={**PLAIN, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == YEAR
    for listed in (f'"other", {etag}', f"W/{etag}", "*"):
        assert client.get(url, headers={**PLAIN, "If-None-Match": listed}).status_code == 304, listed
    assert client.get(url, headers={**PLAIN, "If-None-Match": '"other"'}).status_code == 200


def test_a_url_without_the_current_hash_is_served_but_revalidated(client: TestClient) -> None:
    for url in ("/static/favicon.svg", "/static/favicon.svg?v=000000000000", "/static/favicon.svg?x=1"):
        r = client.get(url)
        assert r.status_code == 200 and r.content == on_disk("favicon.svg"), url
        assert r.headers["cache-control"] == "no-cache", url
        again = client.get(url, headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"


def test_head_answers_the_headers_without_the_body(client: TestClient) -> None:
    r = client.head(f"/static/js/tongban.js?v={version('js/tongban.js')}", headers=PLAIN)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == str(len(on_disk("js/tongban.js")))
    assert r.headers["cache-control"] == YEAR and r.headers["etag"]


def test_text_is_sent_gzipped_to_clients_that_accept_it(client: TestClient) -> None:
    url = f"/static/css/tongban.css?v={version('css/tongban.css')}"
    plain = client.get(url, headers=PLAIN)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == on_disk("css/tongban.css")  # decoded by the client
    assert int(zipped.headers["content-length"]) < len(on_disk("css/tongban.css"))
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"].lower() == zipped.headers["vary"].lower() == "accept-encoding"
    assert zipped.headers["etag"] != plain.headers["etag"]  # different bytes, different strong validator
    assert client.get(url, headers={"Accept-Encoding": "gzip;q=0"}).headers.get("content-encoding") is None
    assert client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
                      ).status_code == 304
    # Bytes that gzip would not shrink are sent as they are, whatever the client accepts.
    assert "content-encoding" not in client.get("/static/favicon.svg", headers={"Accept-Encoding": "gzip"}).headers


def test_an_unknown_file_is_404_not_found_in_chinese(client: TestClient) -> None:
    for url in ("/static/css/nope.css", "/static/", "/static/css", "/static/vendor/swagger-ui"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.json()["code"] == "not_found" and "静态文件不存在" in r.json()["message"]
    assert client.head("/static/nope.css").content == b""


@pytest.mark.parametrize("path", [
    "/static/%2e%2e/config.py", "/static/%2E%2E/%2E%2E/pyproject.toml", "/static/css/..%2f..%2fconfig.py",
    "/static/..%5cconfig.py", "/static//etc/passwd", "/static/%00favicon.svg", "/static/css/%2e%2e/favicon.svg",
])
def test_no_name_outside_the_table_is_served(client: TestClient, path: str) -> None:
    r = client.get(httpx.URL(str(client.base_url)).copy_with(raw_path=path.encode()))  # sent as written
    assert r.status_code == 404 and r.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/static/../config.py", "/static/css/../../main.py", "/static/./favicon.svg"])
def test_literal_dot_segments_are_not_resolved(app: FastAPI, path: str) -> None:
    # HTTP clients resolve "." and ".." before sending (httpx too), a hand-made request need not: its path
    # reaches the app as written, here straight through ASGI.
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": [],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    in_own_thread(lambda: anyio.run(app, scope, receive, send))
    assert sent[0]["status"] == 404
    assert json.loads(sent[1]["body"])["code"] == "not_found"


def test_other_methods_are_405_with_allow(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        r = client.request(method, "/static/favicon.svg")
        assert r.status_code == 405, method
        assert r.headers["allow"] == "GET, HEAD"
        assert r.json()["code"] == "method_not_allowed"


def test_static_answers_carry_the_security_headers(client: TestClient) -> None:
    page = client.get("/login").headers
    for url in (f"/static/favicon.svg?v={version('favicon.svg')}", "/static/nope.css"):
        r = client.get(url)
        for name in ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy"):
            assert r.headers.get_list(name) == [page[name]], (url, name)  # the pages' values, once
    assert client.post("/static/favicon.svg").headers["x-content-type-options"] == "nosniff"


def test_the_api_docs_page_keeps_its_unhashed_links(client: TestClient) -> None:
    page = client.get("/docs").text
    for link in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css"):
        assert link in page
        r = client.get(link)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"


def test_every_file_on_disk_is_served_and_url_for_still_names_them(client: TestClient) -> None:
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            name = path.relative_to(STATIC_DIR).as_posix()
            assert client.get(f"/static/{name}", headers=PLAIN).content == path.read_bytes(), name
    assert client.app.url_path_for("static", path="favicon.svg") == "/static/favicon.svg"  # type: ignore[attr-defined]


def test_a_template_naming_a_missing_file_fails_clearly() -> None:
    with pytest.raises(MissingStaticFile, match=re.escape("css/nope.css")):
        templates.env.from_string("{{ static_url('css/nope.css') }}").render()
    assert Path(templates.env.from_string("{{ static_url('favicon.svg') }}").render()).name.startswith("favicon.svg?v=")


def test_installed_outermost_it_builds_the_given_headers_into_every_answer(settings: Settings) -> None:
    from tongban.main import create_app

    application = create_app(settings)
    static_files.install(application, headers=[(b"x-probe", b"1")])
    try:
        with TestClient(application) as client:
            url = f"/static/favicon.svg?v={version('favicon.svg')}"
            ok = client.get(url)
            answers = [ok, client.get(url, headers={"If-None-Match": ok.headers["etag"]}),
                       client.get("/static/nope.css"), client.post(url)]
            assert [r.status_code for r in answers] == [200, 304, 404, 405]
            for r in answers:
                assert r.headers.get_list("x-probe") == ["1"]
            assert "x-probe" not in client.get("/login").headers
    finally:
        application.state.engine.dispose()


def test_behind_tls_static_answers_carry_hsts_like_the_pages(settings: Settings) -> None:
    from tongban.main import create_app

    application = create_app(settings.model_copy(update={"cookie_secure": True}))
    try:
        with TestClient(application) as client:
            hsts = client.get("/login").headers["strict-transport-security"]
            assert client.get("/static/favicon.svg").headers.get_list("strict-transport-security") == [hsts]
    finally:
        application.state.engine.dispose()
