"""Chat-template tokenizer shared by the local engines (loaded lazily)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ...base.errors import ModelCorruptError
from .base import Messages


class ChatTokenizer:
    def __init__(self, folder: Path, gguf_file: str | None = None) -> None:
        import transformers

        # transformers warns about the Qwen2 pre-tokenizer regex; the template is fine.
        logger = logging.getLogger("transformers")
        old = logger.level
        logger.setLevel(logging.ERROR)
        try:
            kwargs: dict[str, Any] = {"gguf_file": gguf_file} if gguf_file else {}
            self.tok = transformers.AutoTokenizer.from_pretrained(str(folder), **kwargs)
        except (OSError, ValueError) as exc:
            raise ModelCorruptError(
                f"Der Tokenizer des Sprachmodells in „{folder}“ kann nicht geladen werden ({exc}). "
                "Bitte das Modell im Modellspeicher neu installieren."
            ) from exc
        finally:
            logger.setLevel(old)
        if not getattr(self.tok, "chat_template", None):
            raise ModelCorruptError(
                f"Das Sprachmodell in „{folder}“ hat keine Chat-Vorlage und ist kein Instruct-Modell."
            )
        ends = {"<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>"}
        if self.tok.eos_token:
            ends.add(self.tok.eos_token)
        vocab = self.tok.get_vocab()
        self.end_tokens = sorted(t for t in ends if t in vocab)
        self.end_ids = {vocab[t] for t in self.end_tokens}

    def prompt_ids(self, messages: Messages, answer: bool = True) -> list[int]:
        """Token ids of ``messages`` ending with the assistant's turn; ``answer=False``: as the
        start of a longer conversation (no generation prompt)."""
        text = self.tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=answer)
        return list(self.tok(text, add_special_tokens=False)["input_ids"])

    def ids_to_tokens(self, ids: list[int]) -> list[str]:
        return list(self.tok.convert_ids_to_tokens(ids))

    def decode(self, ids: list[int]) -> str:
        return str(self.tok.decode([i for i in ids if i not in self.end_ids], skip_special_tokens=True))

    def count(self, text: str) -> int:
        return len(self.tok(text, add_special_tokens=False)["input_ids"])


class Detokenizer:
    """Turns a growing list of token ids into text deltas for ``on_token``."""

    def __init__(self, tok: ChatTokenizer) -> None:
        self.tok = tok
        self.ids: list[int] = []
        self.text = ""

    def push(self, token_id: int) -> str:
        self.ids.append(token_id)
        text = self.tok.decode(self.ids)
        if text.endswith("\ufffd"):  # incomplete UTF-8 sequence: wait for the next token
            return ""
        delta = text[len(self.text) :] if text.startswith(self.text) else ""
        self.text = text
        return delta
