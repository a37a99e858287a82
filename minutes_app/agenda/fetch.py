"""Fetch OParl objects over http(s) with a timeout, a size cap and a request budget.

Only the server the user named is contacted: linked objects on other hosts are
left out. Every failure is an ``AgendaError`` with a German message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..base.errors import AgendaError

TIMEOUT_S = 10.0
MAX_RESPONSE_BYTES = 5_000_000
MAX_REQUESTS = 500
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


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


class OParlClient:
    """Fetches JSON from one server (scheme, host and port of ``start_url``)."""

    def __init__(self, start_url: str) -> None:
        parts = urlsplit(check_url(start_url))
        self.origin = (parts.scheme, (parts.netloc or "").lower())
        self.requests = 0
        self._cache: dict[str, Any] = {}
        proxies: dict[str, str] | None = {} if parts.hostname in _LOOPBACK else None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))

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
            value = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise AgendaError(
                f"Der Server liefert unter „{url}“ kein JSON. Erwartet wird die URL eines OParl-Objekts "
                "(z. B. …/meeting/281)."
            ) from exc
        self._cache[url] = value
        return value

    def _download(self, url: str) -> bytes:
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "minutes-app (OParl-Import)"}
        )
        host = urlsplit(url).netloc
        try:
            with self._opener.open(request, timeout=TIMEOUT_S) as response:
                data = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise AgendaError(
                f"Der OParl-Server antwortet auf „{url}“ mit dem Fehler {exc.code} ({exc.reason})."
            ) from exc
        except TimeoutError as exc:
            raise AgendaError(
                f"Der OParl-Server „{host}“ antwortet nicht innerhalb von {TIMEOUT_S:g} Sekunden."
            ) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise AgendaError(
                    f"Der OParl-Server „{host}“ antwortet nicht innerhalb von {TIMEOUT_S:g} Sekunden."
                ) from exc
            raise AgendaError(f"Der OParl-Server „{host}“ ist nicht erreichbar ({exc.reason}).") from exc
        except (OSError, ValueError) as exc:
            raise AgendaError(f"Der OParl-Server „{host}“ ist nicht erreichbar ({exc}).") from exc
        if len(data) > MAX_RESPONSE_BYTES:
            raise AgendaError(
                f"Die Antwort des OParl-Servers unter „{url}“ ist größer als "
                f"{MAX_RESPONSE_BYTES // 1_000_000} MB; das ist kein einzelnes OParl-Objekt."
            )
        return data
