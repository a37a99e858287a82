"""Fetch OParl objects over http(s) with deadlines, a size cap and a request budget.

Only the server the user named is contacted: linked objects on other hosts are left out,
and a redirect to another scheme or host (``ftp://``, another server) is refused. Every
request has a total deadline (``REQUEST_DEADLINE_S``; a server that trickles one byte every
few seconds is cut off there, not only after ``TIMEOUT_S`` of silence) and one import has
``IMPORT_DEADLINE_S`` for all its requests. Every failure is an ``AgendaError`` with a German
message. Replies go through ``base.jsonio`` (size and depth bounds).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..base import jsonio
from ..base.errors import AgendaError

TIMEOUT_S = 10.0  # silence on the connection
REQUEST_DEADLINE_S = 30.0  # one request, from connect to the last byte
IMPORT_DEADLINE_S = 120.0  # all requests of one import together
MAX_RESPONSE_BYTES = 5_000_000
MAX_REQUESTS = 500
MAX_DEPTH = 64
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")
_CHUNK = 65536


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and source.strip().lower().startswith(("http://", "https://"))


def check_url(url: str) -> str:
    """The URL stripped; AgendaError for anything but a plain http(s) URL."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AgendaError(
            f"„{url}“ ist keine gültige Adresse eines OParl-Servers (erwartet: http:// oder https://)."
        )
    return url


class _Watchdog:
    """Shuts the sockets of one request down at its deadline, so no read can wait past it."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._socks.append(sock)
            if not self.expired:
                return
        self._shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            socks = list(self._socks)
        for sock in socks:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()


def _watched(base: type[http.client.HTTPConnection], watchdog: _Watchdog) -> Any:
    """A connection class for ``do_open`` whose socket the watchdog can shut down."""

    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        kwargs["timeout"] = max(0.05, min(float(kwargs.get("timeout") or TIMEOUT_S), watchdog.remaining()))
        conn = base(host, **kwargs)
        connect = conn.connect

        def watched_connect() -> None:
            connect()
            watchdog.add(conn.sock)

        conn.connect = watched_connect  # type: ignore[method-assign]
        return conn

    return make


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_watched(http.client.HTTPConnection, self.watchdog), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(
            _watched(http.client.HTTPSConnection, self.watchdog), req, context=getattr(self, "_context", None)
        )


class _SameServerRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme, host and port."""

    max_redirections = 5

    def __init__(self, client: OParlClient) -> None:
        super().__init__()
        self.client = client

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not self.client.same_server(newurl):
            raise AgendaError(
                f"Der OParl-Server leitet „{req.full_url}“ nach „{newurl}“ um, also auf einen anderen "
                "Server oder zu einem anderen Protokoll; dem wird nicht gefolgt. Bitte die URL direkt "
                "auf dem OParl-Server angeben."
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        target = headers.get("location") or headers.get("uri") or ""
        if target and not self.client.same_server(urljoin(req.full_url, target)):
            self.redirect_request(req, fp, code, msg, headers, urljoin(req.full_url, target))
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class OParlClient:
    """Fetches JSON from one server (scheme, host and port of ``start_url``)."""

    def __init__(self, start_url: str) -> None:
        parts = urlsplit(check_url(start_url))
        self.origin = (parts.scheme, (parts.netloc or "").lower())
        self.requests = 0
        self._cache: dict[str, Any] = {}
        self._proxies: dict[str, str] | None = {} if parts.hostname in _LOOPBACK else None
        self.deadline = time.monotonic() + IMPORT_DEADLINE_S

    def same_server(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        return (parts.scheme, (parts.netloc or "").lower()) == self.origin

    def get(self, url: str) -> Any:
        """The JSON at ``url`` (cached)."""
        if url in self._cache:
            return self._cache[url]
        if not self.same_server(url):
            raise AgendaError(f"„{url}“ liegt nicht auf dem angegebenen OParl-Server und wird nicht geladen.")
        self.requests += 1
        if self.requests > MAX_REQUESTS:
            raise AgendaError(
                f"Der OParl-Server verweist auf zu viele Objekte (mehr als {MAX_REQUESTS} Abrufe); "
                "bitte die URL einer einzelnen Sitzung angeben."
            )
        data = self._download(url)
        try:
            value = jsonio.loads(data, max_bytes=MAX_RESPONSE_BYTES, max_depth=MAX_DEPTH)
        except jsonio.BadJSON as exc:
            if "verschachtelt" in exc.reason:
                raise AgendaError(
                    f"Die Antwort des OParl-Servers unter „{url}“ ist beschädigt ({exc.reason})."
                ) from exc
            raise AgendaError(
                f"Der Server liefert unter „{url}“ kein JSON. Erwartet wird die URL eines OParl-Objekts "
                "(z. B. …/meeting/281)."
            ) from exc
        self._cache[url] = value
        return value

    def _too_slow(self, host: str, whole_import: bool) -> AgendaError:
        if whole_import:
            return AgendaError(
                f"Der OParl-Import von „{host}“ dauert länger als {IMPORT_DEADLINE_S:g} Sekunden "
                "und wurde abgebrochen. Bitte später erneut versuchen oder die Sitzung als Datei laden."
            )
        return AgendaError(
            f"Der OParl-Server „{host}“ antwortet nicht innerhalb von {REQUEST_DEADLINE_S:g} Sekunden "
            "vollständig (er sendet zu langsam) und wurde nicht weiter abgefragt."
        )

    def _download(self, url: str) -> bytes:
        host = urlsplit(url).netloc
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._too_slow(host, True)
        whole_import = left < REQUEST_DEADLINE_S
        watchdog = _Watchdog(min(REQUEST_DEADLINE_S, left))
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler(self._proxies),
            _HTTP(watchdog),
            _HTTPS(watchdog),
            _SameServerRedirects(self),
        )
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "minutes-app (OParl-Import)"}
        )
        try:
            with opener.open(request, timeout=min(TIMEOUT_S, watchdog.remaining())) as response:
                watchdog.add(_socket_of(response))
                data = self._read(response, watchdog)
        except urllib.error.HTTPError as exc:
            raise AgendaError(
                f"Der OParl-Server antwortet auf „{url}“ mit dem Fehler {exc.code} ({exc.reason})."
            ) from exc
        except (TimeoutError, urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if watchdog.expired or watchdog.remaining() <= 0:
                raise self._too_slow(host, whole_import) from exc
            if isinstance(reason, TimeoutError):
                raise AgendaError(
                    f"Der OParl-Server „{host}“ antwortet nicht innerhalb von {TIMEOUT_S:g} Sekunden."
                ) from exc
            raise AgendaError(f"Der OParl-Server „{host}“ ist nicht erreichbar ({reason}).") from exc
        finally:
            watchdog.close()
        if len(data) > MAX_RESPONSE_BYTES:
            raise AgendaError(
                f"Die Antwort des OParl-Servers unter „{url}“ ist größer als "
                f"{MAX_RESPONSE_BYTES // 1_000_000} MB; das ist kein einzelnes OParl-Objekt."
            )
        return data

    @staticmethod
    def _read(response: Any, watchdog: _Watchdog) -> bytes:
        """The body, one network read at a time, checked against the deadline after each."""
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_RESPONSE_BYTES:
            if watchdog.remaining() <= 0:
                raise TimeoutError("deadline")
            chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if watchdog.expired:
            raise TimeoutError("deadline")
        return b"".join(chunks)


def _socket_of(response: Any) -> socket.socket | None:
    raw = getattr(getattr(response, "fp", None), "raw", None)
    return getattr(raw, "_sock", None)
