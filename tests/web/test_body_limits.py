"""Request-body limits (issue 11.5): refused before the body is read, per route, with the platform's error body.

The live tests speak raw HTTP/1.1 to a uvicorn server on loopback, so that the body can be streamed
(chunked, no Content-Length) or announced and never sent: what they check is that the server answers
before it has the body, never how long anything takes.
"""

from __future__ import annotations

import json
import select
import socket

import pytest
from fastapi.testclient import TestClient

from tests.factories import login
from tongban.licences import throttle
from tongban.web import limits


@pytest.fixture
def server(live_server: str) -> tuple[str, int]:
    """Host and port of the loopback server: these tests speak raw HTTP over a socket."""
    host, _, port = live_server.removeprefix("http://").partition(":")
    return host, int(port)


@pytest.fixture(autouse=True)
def _fresh_upload_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "_uploads", throttle.SlidingWindow())


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _headers(path: str, extra: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
            f"Content-Type: multipart/form-data; boundary=tongbanboundary\r\n{extra}\r\n").encode()


def test_chunked_upload_is_refused_before_it_is_all_sent(server: tuple[str, int]) -> None:
    """A chunked body with no Content-Length: the server answers 413 while the client is still sending."""
    intended = 256 * 1024 * 1024  # far more than the route's limit and any socket buffers
    sent = 0
    with socket.create_connection(server) as sock:
        sock.settimeout(30)
        sock.sendall(_headers("/api/v1/verify", "Transfer-Encoding: chunked\r\n"))
        preamble = b'--tongbanboundary\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n' \
                   b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        sock.sendall(b"%x\r\n%s\r\n" % (len(preamble), preamble))
        piece = b"0" * 65536
        frame = b"%x\r\n%s\r\n" % (len(piece), piece)
        try:
            while sent < intended:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered (or closed): stop sending
                sock.sendall(frame)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the server stopped reading and closed
        status, _, body = _read_response(sock)
    assert status == 413
    answer = json.loads(body)
    assert answer["code"] == "payload_too_large" and "过大" in answer["message"] and "10 MB" in answer["message"]
    assert sent < intended // 4  # it stopped reading long before the body was sent


def test_announced_oversize_body_is_refused_without_being_sent(server: tuple[str, int]) -> None:
    with socket.create_connection(server) as sock:
        sock.settimeout(30)
        sock.sendall(_headers("/api/v1/verify", f"Content-Length: {1024 ** 3}\r\n"))
        status, _, body = _read_response(sock)  # not one byte of the 1 GB was sent
    assert status == 413 and json.loads(body)["detail"] == {"max_bytes": limits.route_limit(
        "POST", "/api/v1/verify", limits.get_settings())[0]}


def test_verify_rate_limit_is_counted_before_the_body(server: tuple[str, int], settings) -> None:  # type: ignore[no-untyped-def]
    settings.verify_uploads_per_minute = 1
    small = (b'--tongbanboundary\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n'
             b"Content-Type: application/pdf\r\n\r\n%PDF-1.7 not really\r\n--tongbanboundary--\r\n")
    with socket.create_connection(server) as sock:
        sock.settimeout(30)
        sock.sendall(_headers("/api/v1/verify", f"Content-Length: {len(small)}\r\n") + small)
        assert _read_response(sock)[0] == 200
    # The next upload from this address is refused on its headers alone: its body is never sent.
    with socket.create_connection(server) as sock:
        sock.settimeout(30)
        sock.sendall(_headers("/api/v1/verify", f"Content-Length: {5 * 1024 * 1024}\r\n"))
        status, headers, body = _read_response(sock)
    assert status == 429 and json.loads(body)["code"] == "verify_rate_limited" and int(headers["retry-after"]) >= 1


def test_json_and_form_bodies_have_the_small_default_limit(client: TestClient, city, settings) -> None:  # type: ignore[no-untyped-def]
    token = login(client, "admin")
    big = {"code": "amr-z", "name": "测试系统", "description": "长" * (settings.max_body_bytes // 2)}
    r = client.post("/api/v1/clients", json=big, headers={"X-CSRF-Token": token})
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    assert r.json()["detail"] == {"max_bytes": settings.max_body_bytes}
    # A browser form: the same refusal as an error page.
    r = client.post("/logout", data={"csrf_token": token, "pad": "x" * (settings.max_body_bytes + 1)},
                    headers={"Accept": "text/html"})
    assert r.status_code == 413 and "提交的内容过大" in r.text
    # Within the limit all is as before.
    r = client.post("/api/v1/clients", json={**big, "description": "一行说明"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201


def test_upload_routes_take_their_files(client: TestClient) -> None:
    """The declared upload routes take bodies up to their own limit, over the small default."""
    pdf = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024)
    r = client.post("/api/v1/verify", files={"file": ("x.pdf", pdf, "application/pdf")})
    assert r.status_code == 200  # a 3 MB upload reaches verification (and is found not to be a licence)
    assert limits.route_limit("POST", "/api/v1/catalog/import", limits.get_settings())[0] > 20 * 1024 * 1024
    assert limits.route_limit("POST", "/api/v1/disputes/7/attachments", limits.get_settings())[0] > 50 * 1024 * 1024
