"""Model replies kept per session (``draft.replies.json``), so no prompt is answered twice.

Greedy decoding gives the same reply to the same prompt with the same model, so a reply
can be reused whenever the exact prompt comes again: the contribution summaries drafted
while the session was still recording (``drafting/predraft.py``), a draft interrupted and
resumed, an item regenerated with an unchanged transcript. The key is a SHA-256 of the
engine, the model, the token budget and the whole prompt (instructions, examples,
contribution text), so a changed prompt version, model or text never meets an old reply.

``CachedEngine`` wraps any engine; only temperature-0 calls are cached. The file holds
text derived from the transcript (like the draft), lives in the session folder, 0600,
and goes with the transcript (``session/privacy.py``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from ..base import jsonio
from ..base.fileio import write_json
from ..base.jobs import CancelToken
from .engines.base import LLMEngine, Messages, TokenFn

FILE = "draft.replies.json"
FORMAT = 1
MAX_ENTRIES = 20000  # a 3-hour session has a few hundred contribution pieces


def prompt_key(engine: LLMEngine, messages: Messages, max_new_tokens: int) -> str:
    data = json.dumps([engine.name, engine.model_id, max_new_tokens, messages], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class ReplyStore:
    """The replies of one session folder's file (read once, written after each new reply)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.replies: dict[str, str] = {}
        self.hits = 0
        self._lock = threading.Lock()
        try:
            data = jsonio.loads(jsonio.read_bytes(self.path))
        except (OSError, ValueError):
            return  # none yet, or unreadable: start empty (it is only a cache)
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("replies"), dict):
            self.replies = {str(k): str(v) for k, v in data["replies"].items()}

    def get(self, key: str) -> str | None:
        reply = self.replies.get(key)
        if reply is not None:
            self.hits += 1
        return reply

    def put(self, items: dict[str, str]) -> None:
        with self._lock:
            self.replies.update(items)
            while len(self.replies) > MAX_ENTRIES:  # oldest first (dicts keep insertion order)
                self.replies.pop(next(iter(self.replies)))
            write_json(self.path, {"format": FORMAT, "replies": self.replies})


class CachedEngine(LLMEngine):
    """``engine`` with its temperature-0 replies kept in ``store``."""

    def __init__(self, engine: LLMEngine, store: ReplyStore) -> None:
        self.inner, self.store = engine, store
        self.context_length = engine.context_length
        self.prompts = 0  # prompts asked of this engine, answered from the store or not

    @property  # type: ignore[override]
    def name(self) -> str:  # the inner engine's (a server engine may fall back to this PC)
        return self.inner.name

    @property  # type: ignore[override]
    def model_id(self) -> str:
        return self.inner.model_id

    def generate(
        self,
        messages: Messages,
        max_new_tokens: int,
        temperature: float = 0.0,
        cancel: CancelToken | None = None,
        on_token: TokenFn | None = None,
    ) -> str:
        self.prompts += 1
        if temperature > 0:
            return self.inner.generate(messages, max_new_tokens, temperature, cancel, on_token)
        key = prompt_key(self.inner, messages, max_new_tokens)
        reply = self.store.get(key)
        if reply is None:
            reply = self.inner.generate(messages, max_new_tokens, temperature, cancel, on_token)
            self.store.put({key: reply})
        elif on_token is not None:
            on_token(reply)
        return reply

    def generate_many(
        self,
        batch: list[Messages],
        max_new_tokens: int,
        temperature: float = 0.0,
        cancel: CancelToken | None = None,
    ) -> list[str]:
        self.prompts += len(batch)
        if temperature > 0:
            return self.inner.generate_many(batch, max_new_tokens, temperature, cancel)
        keys = [prompt_key(self.inner, m, max_new_tokens) for m in batch]
        found = [self.store.get(k) for k in keys]
        missing = [i for i, r in enumerate(found) if r is None]
        for at in range(0, len(missing), 4):  # kept as they come: a cancelled run loses little
            part = missing[at : at + 4]
            new = self.inner.generate_many([batch[i] for i in part], max_new_tokens, temperature, cancel)
            self.store.put({keys[i]: r for i, r in zip(part, new, strict=True)})
            for i, r in zip(part, new, strict=True):
                found[i] = r
        return [r or "" for r in found]

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def check_context(self, prompt_tokens: int, max_new_tokens: int) -> None:
        self.inner.check_context(prompt_tokens, max_new_tokens)

    def close(self) -> None:
        self.inner.close()
