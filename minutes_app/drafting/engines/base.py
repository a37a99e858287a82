"""The engine interface every LLM backend implements."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from ...base.errors import EngineError
from ...base.jobs import CancelToken

Messages = list[dict[str, str]]
TokenFn = Callable[[str], None]


@dataclass
class EngineOptions:
    """Options for ``make_engine``; each engine uses the ones it understands."""

    threads: int = 0  # 0: automatic
    device: str = "cpu"  # ct2: cpu|cuda|auto; transformers: cpu|cuda|auto
    compute_type: str = "int8"  # ct2 only
    base_url: str = ""  # openai only
    api_key: str = ""  # openai only
    model: str = ""  # openai only: model name the server expects
    timeout_s: float = 300.0  # openai only: per request
    repetition_penalty: float = 1.0
    context_length: int = 32768  # the model's window (Qwen2.5: 32k)


def resolve_threads(threads: int) -> int:
    return threads if threads > 0 else max(1, os.cpu_count() or 1)


class LLMEngine(ABC):
    """A chat model. ``generate`` returns the assistant's reply as text.

    ``cancel`` is checked between tokens; a set token raises ``Cancelled``.
    ``on_token`` receives each new piece of text as it is produced.
    """

    name: str = ""
    model_id: str = ""
    context_length: int = 32768

    @abstractmethod
    def generate(
        self,
        messages: Messages,
        max_new_tokens: int,
        temperature: float = 0.0,
        cancel: CancelToken | None = None,
        on_token: TokenFn | None = None,
    ) -> str: ...

    def generate_many(
        self,
        batch: list[Messages],
        max_new_tokens: int,
        temperature: float = 0.0,
        cancel: CancelToken | None = None,
    ) -> list[str]:
        """Replies to several independent prompts (engines may batch them and share the prefix)."""
        return [self.generate(m, max_new_tokens, temperature, cancel=cancel) for m in batch]

    def check_context(self, prompt_tokens: int, max_new_tokens: int) -> None:
        """Refuse a prompt that would overflow the context window (never truncate silently)."""
        if prompt_tokens + max_new_tokens > self.context_length:
            raise EngineError(
                f"Der Text ist zu lang für das Sprachmodell ({prompt_tokens} + {max_new_tokens} Token, "
                f"höchstens {self.context_length})."
            )

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text``; engines without a tokenizer estimate conservatively."""
        return max(1, (len(text) * 2) // 5)  # ~2.5 characters per token (German, BPE)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Free the model (optional)."""


def model_id_of(path: os.PathLike[str] | str) -> str:
    """The model-store id of a model folder or file (``.../qwen2.5-coder-1.5b/ct2`` -> id)."""
    from pathlib import Path

    p = Path(path)
    if p.is_file() or p.name in ("ct2", "hf"):
        p = p.parent
    return p.name
