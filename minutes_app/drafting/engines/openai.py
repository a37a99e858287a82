"""OpenAI-compatible server (``/v1/chat/completions``): vLLM, Ollama, llama.cpp server,
``transformers serve``. Requests go through ``base.remote.Server`` (timeouts, retries,
API key, ``ServerUnavailable`` when the server is down; docs/server.md).

Off unless a base URL is configured. Streams (server-sent events) so that
cancellation and ``on_token`` work; servers that ignore ``stream`` and answer
with one JSON body are accepted too. An empty model name is left out of the
request: servers that serve one model (``transformers serve MODEL``) then use theirs.
"""

from __future__ import annotations

from typing import Any

from ...base import jsonio
from ...base.errors import Cancelled, EngineError
from ...base.jobs import CancelToken
from ...base.remote import Server, Stream, api_base, check_url
from .base import LLMEngine, Messages, TokenFn

WHAT = "Sprachmodell-Server"
HINT = (
    "Bitte prüfen, ob der Server läuft und die Adresse stimmt, oder in den Einstellungen "
    "die lokale Engine „ct2“ wählen."
)


def chat_url(base_url: str) -> str:
    return api_base(base_url) + "/chat/completions"


class OpenAIEngine(LLMEngine):
    name = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        model: str = "",
        timeout_s: float = 300.0,
        context_length: int = 32768,
        retries: int = 2,
    ) -> None:
        base_url = check_url(base_url, "llm_server_url", WHAT)
        self.server = Server(base_url, WHAT, api_key, timeout_s, retries, hint=HINT)
        self.url = chat_url(base_url)
        self.api_key = api_key
        self.model_id = model
        self.timeout_s = timeout_s
        self.context_length = context_length

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
        body: dict[str, Any] = {
            "messages": messages,
            "max_tokens": max_new_tokens,
            "temperature": temperature,
            "stream": True,
        }
        if self.model_id:
            body["model"] = self.model_id
        stream = self.server.open_stream(
            "/chat/completions", body, cancel, accept="text/event-stream, application/json"
        )
        with stream:
            try:
                if "text/event-stream" in stream.content_type:
                    return self._read_stream(stream, cancel, on_token)
                return self._read_json(stream.read(), on_token)
            except TimeoutError as exc:
                raise self.server.unavailable(
                    f"keine Antwort innerhalb von {self.timeout_s:.0f} Sekunden"
                ) from exc
            except (ConnectionError, OSError) as exc:
                raise self.server.unavailable("Verbindung abgebrochen") from exc

    def _bad(self, what: str) -> EngineError:
        return EngineError(
            f"Der Sprachmodell-Server „{self.url}“ hat eine ungültige Antwort geschickt ({what})."
        )

    def _read_json(self, raw: bytes, on_token: TokenFn | None) -> str:
        try:
            data: Any = jsonio.loads(raw)
            text = data["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise self._bad(type(exc).__name__) from exc
        if on_token is not None and text:
            on_token(str(text))
        return str(text)

    def _read_stream(self, stream: Stream, cancel: CancelToken | None, on_token: TokenFn | None) -> str:
        parts: list[str] = []
        for raw_line in stream:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            line = raw_line.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            try:
                chunk = jsonio.loads(payload)
                if isinstance(chunk, dict) and "error" in chunk and not chunk.get("choices"):
                    raise self._bad(f"Fehler: {str(chunk['error'])[:200]}")
                choice = chunk["choices"][0]
                delta = (choice.get("delta") or {}).get("content") or ""
            except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                raise self._bad("Datenstrom") from exc
            if delta:
                parts.append(str(delta))
                if on_token is not None:
                    on_token(str(delta))
        return "".join(parts)
