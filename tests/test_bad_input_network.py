"""Bad-input catalogue, part 4: hostile OParl servers (a real HTTP server on 127.0.0.1).

The fetch stays on the scheme, host and port it was given: redirects to another host, to
``ftp://``, ``file://`` or from http to https are refused with a German message, a redirect on
the same server is followed. Every request has a total deadline and an import has one for all
its requests: a server that trickles a byte at a time (in the body or in the headers) is cut off
at the deadline, although every single byte comes within the silence timeout. Deeply nested or
oversized replies are "beschädigt", never an internal error.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from minutes_app.agenda import fetch
from minutes_app.agenda.load import load_agenda
from minutes_app.agenda.roster import load_roster
from minutes_app.base.errors import AgendaError

STEP_S = 0.15  # pause between trickled bytes: well inside the silence timeout


def meeting(base: str, linked: int = 0) -> dict:
    items = [{"type": "https://schema.oparl.org/1.1/AgendaItem", "number": "1", "name": "Eröffnung"}]
    items += [f"{base}/item/{i}" for i in range(linked)]
    return {
        "id": f"{base}/meeting",
        "type": "https://schema.oparl.org/1.1/Meeting",
        "name": "5. Sitzung des Rates",
        "agendaItem": items,
    }


class _Handler(BaseHTTPRequestHandler):
    base = ""
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
            self._answer()

    def _json(self, obj: object, raw: bytes | None = None) -> None:
        body = raw if raw is not None else json.dumps(obj).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, target: str, code: int = 302) -> None:
        self.send_response(code)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _trickle(self, data: bytes, limit_s: float = 8.0) -> None:
        started = time.monotonic()
        for byte in data:
            if time.monotonic() - started > limit_s:
                return
            self.wfile.write(bytes([byte]))
            time.sleep(STEP_S)

    def _answer(self) -> None:
        port = self.server.server_address[1]
        path = self.path
        if path == "/meeting":
            self._json(meeting(self.base))
        elif path == "/linked":
            self._json(meeting(self.base, linked=40))
        elif path.startswith("/item/"):
            time.sleep(STEP_S)
            number = path.rsplit("/", 1)[1]
            self._json({"type": "https://schema.oparl.org/1.1/AgendaItem", "number": number, "name": "Punkt"})
        elif path == "/same":
            self._redirect("/meeting")
        elif path == "/other-host":
            self._redirect(f"http://localhost:{port}/meeting")
        elif path == "/other-port":
            self._redirect(f"http://127.0.0.1:{port + 1}/meeting", 301)
        elif path == "/ftp":
            self._redirect(f"ftp://127.0.0.1:{port}/meeting")
        elif path == "/file":
            self._redirect("file:///etc/passwd", 307)
        elif path == "/https":
            self._redirect(f"https://127.0.0.1:{port}/meeting", 308)
        elif path == "/trickle-body":
            body = json.dumps(meeting(self.base)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._trickle(body)
        elif path == "/trickle-headers":
            self._trickle(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 200)
        elif path == "/deep":
            self._json(
                None,
                b'{"type": "https://schema.oparl.org/1.1/Meeting", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            )
        elif path == "/nested":
            self._json(None, b"[" * 100 + b"]" * 100)
        else:
            self.send_error(404, "Not Found")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    _Handler.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield _Handler.base
    httpd.shutdown()
    httpd.server_close()


def test_redirect_on_the_same_server_is_followed(server: str) -> None:
    imported = load_agenda(f"{server}/same")
    assert [i.title for i in imported.items] == ["Eröffnung"]


@pytest.mark.parametrize("path", ["/other-host", "/other-port", "/ftp", "/file", "/https"])
def test_redirect_elsewhere_is_refused(server: str, path: str) -> None:
    for load in (load_agenda, load_roster):
        with pytest.raises(AgendaError, match="dem wird nicht gefolgt"):
            load(server + path)


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "TIMEOUT_S", 1.0)  # each trickled byte comes well within this
    monkeypatch.setattr(fetch, "REQUEST_DEADLINE_S", 1.5)
    monkeypatch.setattr(fetch, "IMPORT_DEADLINE_S", 2.5)


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_trickling_server_is_cut_off_at_the_request_deadline(
    server: str, short_deadlines: None, path: str
) -> None:
    started = time.monotonic()
    with pytest.raises(AgendaError, match="nicht innerhalb von 1.5 Sekunden vollständig"):
        load_agenda(server + path)
    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 2.5, elapsed  # the deadline, not the ~40-200 s the trickle would take


def test_many_slow_requests_hit_the_import_deadline(server: str, short_deadlines: None) -> None:
    """40 linked items at 0.15 s each: every request is fast enough, the import as a whole is not."""
    started = time.monotonic()
    with pytest.raises(AgendaError, match="dauert länger als 2.5 Sekunden"):
        load_agenda(f"{server}/linked")
    assert time.monotonic() - started < 3.5


@pytest.mark.parametrize("path", ["/deep", "/nested"])
def test_deeply_nested_reply_is_damaged_not_internal(server: str, path: str) -> None:
    for load in (load_agenda, load_roster):
        with pytest.raises(AgendaError, match="beschädigt \\(zu tief verschachtelt"):
            load(server + path)
