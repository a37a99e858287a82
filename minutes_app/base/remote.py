"""HTTP client for the shared inference servers (docs/server.md), stdlib only.

One ``Server`` per configured address (LLM or transcription). Every request has a
connect timeout (short: a server that is off is noticed at once) and a read timeout
(``timeout_s``: the longest wait for an answer), sends the API key as
``Authorization: Bearer``, and is retried with exponential backoff on connection
errors, timeouts, HTTP 429 and 5xx. HTTP 401/403 and other 4xx are not retried: they
do not go away by asking again. After the last try ``ServerUnavailable`` carries a
German message naming the server; the caller may go on locally (``server_fallback_local``).

Cancellation is checked before each try, during the backoff pause and, for requests
that wait for a whole answer, every 0.1 s while waiting. Proxy variables
(``http_proxy``) are not used: the servers are meant to be in the city's own network.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any, TypeVar

from . import jsonio
from .errors import Cancelled, EngineError, ServerUnavailable, os_reason
from .jobs import CancelToken

T = TypeVar("T")
CONNECT_TIMEOUT_S = 10.0
MAX_BACKOFF_S = 10.0
DOWN_HINT = "Bitte prüfen, ob der Server läuft und die Adresse stimmt, oder die IT verständigen."

MAX_REPLY_JSON = 64 * 1024 * 1024  # a transcript of hours is far below


class ServerRejected(EngineError):
    """The server refused the request itself (HTTP 4xx other than 401/403): no retry."""

    def __init__(self, message: str, status: int = 0, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def check_url(url: str, setting: str, what: str) -> str:
    """The stripped URL; a German EngineError if it is empty or not http(s)."""
    url = (url or "").strip()
    if not url:
        raise EngineError(f"Für den {what} ist keine Server-Adresse eingestellt (Einstellung „{setting}“).")
    if not url.lower().startswith(("http://", "https://")):
        raise EngineError(f"Die Server-Adresse „{url}“ muss mit http:// oder https:// beginnen.")
    return url


def api_base(url: str, endpoints: tuple[str, ...] = ("/chat/completions", "/audio/transcriptions")) -> str:
    """``http://host:8000``, ``…/v1/`` or a full endpoint URL -> ``http://host:8000/v1``."""
    base = url.strip().rstrip("/")
    for end in endpoints:
        if base.endswith(end):
            base = base[: -len(end)]
    return base if base.endswith("/v1") else base + "/v1"


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """``multipart/form-data`` body and its content type. ``files``: (field, filename, type, data)."""
    boundary = "minutes-app-" + uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode("utf-8") + str(value).encode("utf-8") + b"\r\n")
    for name, filename, ctype, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        )
        parts.append(head.encode("utf-8") + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


class Stream:
    """An open streaming answer (HTTP 200); iterate for its lines, then close."""

    def __init__(self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        self.conn, self.response = conn, response

    @property
    def content_type(self) -> str:
        return str(self.response.headers.get("Content-Type", ""))

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def read(self) -> bytes:
        return self.response.read()

    def close(self) -> None:
        self.response.close()
        self.conn.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Server:
    """One inference server. ``what`` names it in messages ("Sprachmodell-Server")."""

    def __init__(
        self,
        base_url: str,
        what: str = "Server",
        api_key: str = "",
        timeout_s: float = 300.0,
        retries: int = 2,
        *,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        backoff_s: float = 0.5,
        hint: str = DOWN_HINT,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.base = api_base(base_url)
        self.what = what
        self.api_key = api_key
        self.timeout_s = max(float(timeout_s), 1.0)
        self.retries = max(int(retries), 0)
        self.connect_timeout_s = min(connect_timeout_s, self.timeout_s)
        self.backoff_s = backoff_s
        self.hint = hint
        self.on_retry = on_retry

    def url(self, path: str) -> str:
        """``path`` under the API base (``/models``) or, starting with ``//``, under the host root."""
        if path.startswith("//"):
            return self.base[: -len("/v1")] + path[1:]
        return self.base + path

    # -- public requests --------------------------------------------------------------
    def get_json(self, path: str, cancel: CancelToken | None = None) -> Any:
        return self.parse_json(self.request("GET", path, cancel=cancel))

    def post_json(self, path: str, payload: Any, cancel: CancelToken | None = None) -> Any:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self.parse_json(self.request("POST", path, body, "application/json", cancel))

    def post_multipart(
        self,
        path: str,
        fields: list[tuple[str, str]],
        files: list[tuple[str, str, str, bytes]],
        cancel: CancelToken | None = None,
    ) -> Any:
        body, ctype = multipart(fields, files)
        return self.parse_json(self.request("POST", path, body, ctype, cancel))

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Reply:
        """The whole answer of a successful request (2xx), with retries."""
        url = self.url(path)

        def once() -> Reply:
            conn = self._connection(url)
            try:
                response = self._send(conn, method, url, body, content_type, "application/json")
                data = response.read()
                self._check_status(url, response.status, response.headers, data)
                return Reply(response.status, response.headers, data)
            finally:
                conn.close()

        return self._with_retries(url, once, cancel)

    def open_stream(
        self, path: str, payload: Any, cancel: CancelToken | None = None, accept: str = "text/event-stream"
    ) -> Stream:
        """POST JSON and return the open answer for reading as it comes (retries until it opens)."""
        url = self.url(path)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")

        def once() -> Stream:
            conn = self._connection(url)
            try:
                response = self._send(
                    conn, method="POST", url=url, body=body, ctype="application/json", accept=accept
                )
                if not 200 <= response.status < 300:
                    self._check_status(url, response.status, response.headers, response.read())
            except BaseException:
                conn.close()
                raise
            return Stream(conn, response)

        return self._with_retries(url, once, cancel)

    def parse_json(self, reply: Reply) -> Any:
        try:
            return jsonio.loads(reply.body, max_bytes=MAX_REPLY_JSON)
        except (UnicodeDecodeError, ValueError) as exc:
            raise self.bad_answer("kein JSON") from exc

    def bad_answer(self, what: str) -> EngineError:
        return EngineError(
            f"Der {self.what} unter „{self.base}“ hat eine ungültige Antwort geschickt ({what})."
        )

    def unavailable(self, reason: str, attempts: int = 1) -> ServerUnavailable:
        tries = f"; {attempts} Versuche" if attempts > 1 else ""
        verb = "ist nicht verfügbar" if reason.startswith("HTTP") else "ist nicht erreichbar"
        return ServerUnavailable(f"Der {self.what} unter „{self.base}“ {verb} ({reason}{tries}). {self.hint}")

    # -- internals -------------------------------------------------------------------
    def _connection(self, url: str) -> http.client.HTTPConnection:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(
                parts.hostname or "",
                parts.port,
                timeout=self.connect_timeout_s,
                context=ssl.create_default_context(),
            )
        return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.connect_timeout_s)

    def _send(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        url: str,
        body: bytes | None,
        ctype: str | None,
        accept: str,
    ) -> http.client.HTTPResponse:
        parts = urllib.parse.urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept": accept, "User-Agent": "minutes-app"}
        if ctype:
            headers["Content-Type"] = ctype
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        conn.connect()
        if conn.sock is not None:
            conn.sock.settimeout(self.timeout_s)  # connected: now wait as long as an answer may take
        conn.request(method, path, body=body, headers=headers)
        return conn.getresponse()

    def _check_status(self, url: str, status: int, headers: Message, data: bytes) -> None:
        if 200 <= status < 300:
            return
        detail = _detail(data)
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}{': ' + detail if detail else ''}", _retry_after(headers))
        if status in (401, 403):
            raise EngineError(
                f"Der {self.what} unter „{self.base}“ lehnt den Zugriff ab (HTTP {status}). "
                "Bitte den API-Schlüssel in den Einstellungen prüfen."
            )
        said = f": {detail}" if detail else ""
        raise ServerRejected(
            f"Der {self.what} unter „{url}“ lehnt die Anfrage ab (HTTP {status}){said}.",
            status,
            detail,
        )

    def _with_retries(self, url: str, once: Callable[[], T], cancel: CancelToken | None) -> T:
        attempts = self.retries + 1
        reason = ""
        for attempt in range(attempts):
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                return _cancellable(lambda: self._translate(once), cancel)
            except _Retryable as exc:
                reason = exc.reason
                if attempt + 1 < attempts:
                    if self.on_retry is not None:
                        self.on_retry(
                            f"{self.what} antwortet nicht ({reason}) – "
                            f"neuer Versuch {attempt + 2} von {attempts}"
                        )
                    delay = min(self.backoff_s * 2**attempt, MAX_BACKOFF_S)
                    _sleep(max(delay, exc.retry_after or 0.0), cancel)
        raise self.unavailable(reason, attempts)

    def _translate(self, once: Callable[[], T]) -> T:
        """Run one try; network failures become ``_Retryable`` with a German reason."""
        try:
            return once()
        except (_Retryable, EngineError, Cancelled):
            raise
        except ssl.SSLCertVerificationError as exc:
            raise EngineError(
                f"Das Zertifikat des {self.what}s unter „{self.base}“ ist nicht gültig "
                f"({exc.verify_message})."
            ) from exc
        except TimeoutError as exc:  # socket.timeout is TimeoutError
            raise _Retryable(f"keine Antwort innerhalb von {self.timeout_s:.0f} Sekunden") from exc
        except socket.gaierror as exc:
            raise _Retryable("der Servername ist unbekannt") from exc
        except ConnectionRefusedError as exc:
            raise _Retryable("Verbindung abgelehnt") from exc
        except (ConnectionError, http.client.HTTPException) as exc:
            raise _Retryable("Verbindung abgebrochen") from exc
        except OSError as exc:
            raise _Retryable(os_reason(exc)) from exc


def _detail(data: bytes) -> str:
    text = data[:2000].decode("utf-8", "replace").strip()
    try:
        parsed = jsonio.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(parsed, dict):
        inner = parsed.get("error") or parsed.get("detail") or parsed
        if isinstance(inner, dict):
            inner = inner.get("message") or inner
        text = inner if isinstance(inner, str) else json.dumps(inner, ensure_ascii=False)
    return " ".join(str(text).split())[:200]


def _retry_after(headers: Message) -> float | None:
    try:
        return min(float(headers.get("Retry-After", "")), 30.0)
    except ValueError:
        return None


def _sleep(seconds: float, cancel: CancelToken | None) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if cancel is not None:
            cancel.raise_if_cancelled()
        time.sleep(min(left, 0.1))


def _cancellable(work: Callable[[], T], cancel: CancelToken | None) -> T:
    """``work()`` in a helper thread, so a cancel is noticed within 0.1 s even while a
    request waits for its answer (the abandoned request ends at its timeout)."""
    if cancel is None:
        return work()
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="minutes-remote", daemon=True).start()
    while not done.wait(0.1):
        if cancel.cancelled:
            raise Cancelled()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value
