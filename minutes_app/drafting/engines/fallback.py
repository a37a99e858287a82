"""Go on with a local engine when the LLM server is down (setting ``server_fallback_local``).

``FallbackEngine`` wraps the OpenAI-compatible engine. When a call fails with
``ServerUnavailable`` (after its retries) it loads a local CTranslate2 model from the
model store and answers that call, and every later one, locally: a server that was
down is not asked again for each agenda item. ``name`` and ``model_id`` then say what
really ran, so the draft (``Minutes.engine``/``model``) and its audit entry
("entwurf_erzeugt") record that the draft was made on this PC.

The local model: the configured ``llm_model`` if the store has it as an LLM, else the
default LLM, else any LLM in the store with a CTranslate2 folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ...base.errors import EngineError, ModelMissingError, ServerUnavailable
from ...base.jobs import CancelToken
from .base import LLMEngine, Messages, TokenFn

DEFAULT_LOCAL_LLM = "qwen2.5-coder-1.5b"
FALLBACK_NOTE = "lokal auf diesem PC (Sprachmodell-Server nicht erreichbar)"
_log = logging.getLogger(__name__)


class FallbackEngine(LLMEngine):
    def __init__(
        self,
        primary: LLMEngine,
        make_local: Callable[[], LLMEngine],
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.primary = primary
        self.make_local = make_local
        self.notify = notify
        self.local: LLMEngine | None = None
        self.reason = ""  # the server's German message once the fallback happened
        self.context_length = primary.context_length

    @property
    def active(self) -> LLMEngine:
        return self.local or self.primary

    @property  # type: ignore[override]
    def name(self) -> str:
        if self.local is None:
            return self.primary.name
        return f"{self.local.name} ({FALLBACK_NOTE})"

    @property  # type: ignore[override]
    def model_id(self) -> str:
        return self.active.model_id

    def generate(
        self,
        messages: Messages,
        max_new_tokens: int,
        temperature: float = 0.0,
        cancel: CancelToken | None = None,
        on_token: TokenFn | None = None,
    ) -> str:
        if self.local is None:
            try:
                return self.primary.generate(messages, max_new_tokens, temperature, cancel, on_token)
            except ServerUnavailable as exc:
                self._switch(exc)
        assert self.local is not None
        return self.local.generate(messages, max_new_tokens, temperature, cancel, on_token)

    def _switch(self, exc: ServerUnavailable) -> None:
        try:
            local = self.make_local()
        except (ModelMissingError, EngineError) as missing:
            raise ServerUnavailable(
                f"{exc} Auf diesem PC kann der Entwurf auch nicht erstellt werden ({missing})"
            ) from exc
        self.local, self.reason = local, str(exc)
        self.context_length = min(self.context_length, local.context_length)
        message = (
            "Sprachmodell-Server nicht erreichbar – der Entwurf wird auf diesem PC erstellt "
            f"({local.model_id})."
        )
        _log.warning("%s %s", message, exc)
        if self.notify is not None:
            self.notify(message)

    def count_tokens(self, text: str) -> int:
        return self.active.count_tokens(text)

    def check_context(self, prompt_tokens: int, max_new_tokens: int) -> None:
        self.active.check_context(prompt_tokens, max_new_tokens)

    def close(self) -> None:
        self.primary.close()
        if self.local is not None:
            self.local.close()
