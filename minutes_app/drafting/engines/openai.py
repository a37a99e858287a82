"""OpenAI-compatible server (``/v1/chat/completions``) over stdlib urllib.

Off unless a base URL is configured. Streams (server-sent events) so that
cancellation and ``on_token`` work; servers that ignore ``stream`` and answer
with one JSON body are accepted too.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from ...core.errors import Cancelled, EngineError
from ...core.jobs import CancelToken
from .base import LLMEngine, Messages, TokenFn


def chat_url(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


class OpenAIEngine(LLMEngine):
    name = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        model: str = "",
        timeout_s: float = 300.0,
        context_length: int = 32768,
    ) -> None:
        if not base_url.strip():
            raise EngineError(
                "Für die Engine „openai“ ist keine Server-Adresse eingestellt (Einstellung „llm_server_url“)."
            )
        if not base_url.strip().lower().startswith(("http://", "https://")):
            raise EngineError(f"Die Server-Adresse „{base_url}“ muss mit http:// oder https:// beginnen.")
        self.url = chat_url(base_url)
        self.api_key = api_key
        self.model_id = model
        self.timeout_s = timeout_s
        self.context_length = context_length

    def _down(self, reason: object) -> EngineError:
        return EngineError(
            f"Der Sprachmodell-Server unter „{self.url}“ ist nicht erreichbar ({reason}). "
            "Bitte prüfen, ob der Server läuft und die Adresse stimmt, oder in den Einstellungen "
            "die lokale Engine „ct2“ wählen."
        )

    def generate(
        self,
        messages: Messages,
        max_new_tokens: int,
        temperature: float = 0.0,
        cancel: CancelToken | None = None,
        on_token: TokenFn | None = None,
    ) -> str:
        if cancel is not None:
            cancel.raise_if_cancelled()
        body = {
            "model": self.model_id,
            "messages": messages,
            "max_tokens": max_new_tokens,
            "temperature": temperature,
            "stream": True,
        }
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream, application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(
            self.url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            resp = urllib.request.urlopen(req, timeout=self.timeout_s)  # noqa: S310 - URL from settings
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace") if exc.fp else ""
            if exc.code in (401, 403):
                raise EngineError(
                    f"Der Sprachmodell-Server „{self.url}“ lehnt den Zugriff ab (HTTP {exc.code}). "
                    "Bitte den API-Schlüssel in den Einstellungen prüfen."
                ) from exc
            raise EngineError(
                f"Der Sprachmodell-Server „{self.url}“ meldet einen Fehler (HTTP {exc.code}): {detail[:200]}"
            ) from exc
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            raise self._down(getattr(exc, "reason", exc)) from exc
        with resp:
            try:
                if "text/event-stream" in resp.headers.get("Content-Type", ""):
                    return self._read_stream(resp, cancel, on_token)
                return self._read_json(resp.read(), on_token)
            except TimeoutError as exc:
                raise EngineError(
                    f"Der Sprachmodell-Server „{self.url}“ antwortet nicht innerhalb von "
                    f"{self.timeout_s:.0f} Sekunden."
                ) from exc
            except (ConnectionError, OSError) as exc:
                raise self._down(exc) from exc

    def _bad(self, what: str) -> EngineError:
        return EngineError(
            f"Der Sprachmodell-Server „{self.url}“ hat eine ungültige Antwort geschickt ({what})."
        )

    def _read_json(self, raw: bytes, on_token: TokenFn | None) -> str:
        try:
            data: Any = json.loads(raw.decode("utf-8"))
            text = data["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise self._bad(type(exc).__name__) from exc
        if on_token is not None and text:
            on_token(str(text))
        return str(text)

    def _read_stream(self, resp: Any, cancel: CancelToken | None, on_token: TokenFn | None) -> str:
        parts: list[str] = []
        for raw_line in resp:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            line = raw_line.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            try:
                chunk = json.loads(payload)
                choice = chunk["choices"][0]
                delta = (choice.get("delta") or {}).get("content") or ""
            except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                raise self._bad("Datenstrom") from exc
            if delta:
                parts.append(str(delta))
                if on_token is not None:
                    on_token(str(delta))
        return "".join(parts)
