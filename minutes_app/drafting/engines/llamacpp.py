"""llama.cpp engine: runs the GGUF file itself (4-bit weights, no conversion), streamed token by token.

Decoding per CPU second is the bottleneck of drafting on office PCs; llama.cpp reads the
Q4_K_M weights directly, where CTranslate2 needs its own int8 copy (``bench/llm_decode_cpu.py``,
``docs/benchmarks.md``). The prompt is built with the same chat tokenizer as the CTranslate2
engine, so both engines see identical token ids. llama.cpp keeps the KV cache of the previous
prompt: consecutive prompts that share a prefix (the instructions and examples of the
contribution prompt) evaluate only their own tail.

``llama_cpp`` (llama-cpp-python) is optional: built from its pinned sdist by ``make llamacpp``
(portable AVX2 code, ``docs/install.md``). Without it the CLI refuses ``--engine llamacpp``
(``cli/validate.py``) and loading raises an ``EngineError`` with a German message.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ...base.errors import Cancelled, EngineError, ModelMissingError
from ...base.jobs import CancelToken
from ...base.model_cache import ModelCache
from .base import LLMEngine, Messages, TokenFn, model_id_of, resolve_threads
from .tokenizer import ChatTokenizer, Detokenizer

MODELS = ModelCache("llm-gguf")  # (llama_cpp.Llama, ChatTokenizer, lock) by load key
N_CTX = 8192  # KV cache size: the longest prompt of the drafting design plus its answer fits


def find_gguf(model_dir: Path) -> Path:
    if model_dir.is_file() and model_dir.suffix == ".gguf":
        return model_dir
    named = model_dir / "model.gguf"
    if named.is_file():
        return named
    found = sorted(model_dir.glob("*.gguf"))
    if len(found) == 1:
        return found[0]
    raise ModelMissingError(
        f"Im Ordner „{model_dir}“ liegt keine GGUF-Datei des Sprachmodells (model.gguf). "
        "Bitte das Modell im Modellspeicher installieren oder die Engine „ct2“ wählen."
    )


def chat_tokenizer(model_dir: Path, gguf: Path) -> ChatTokenizer:
    """The chat tokenizer: from the CTranslate2 folder where one was converted, else from the GGUF."""
    for folder in (model_dir / "ct2", model_dir / "hf"):
        if (folder / "tokenizer.json").is_file() or (folder / "tokenizer_config.json").is_file():
            return ChatTokenizer(folder)
    return ChatTokenizer(gguf.parent, gguf_file=gguf.name)


class LlamaCppEngine(LLMEngine):
    name = "llamacpp"

    def __init__(
        self,
        model_dir: Path | str,
        threads: int = 0,
        repetition_penalty: float = 1.0,
        context_length: int = 32768,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.gguf = find_gguf(self.model_dir)
        if self.model_dir.is_file():
            self.model_dir = self.model_dir.parent
        self.model_id = model_id_of(self.model_dir)
        self.threads = resolve_threads(threads)
        self.repetition_penalty = repetition_penalty
        self.context_length = min(context_length, N_CTX)
        self._loaded: tuple[Any, ChatTokenizer, threading.Lock] | None = None

    def _load(self) -> tuple[Any, ChatTokenizer, threading.Lock]:
        if self._loaded is None:
            key = (str(self.gguf.resolve()), self.threads)
            self._loaded = MODELS.get(key, self._open)
        return self._loaded

    def _open(self) -> tuple[Any, ChatTokenizer, threading.Lock]:
        try:
            import llama_cpp
        except ImportError as exc:  # the optional engine is not built on this PC
            raise EngineError(
                "Die Engine „llamacpp“ ist auf diesem PC nicht installiert (make llamacpp); "
                "bitte die Engine „ct2“ wählen."
            ) from exc
        tok = chat_tokenizer(self.model_dir, self.gguf)
        try:
            llm = llama_cpp.Llama(
                model_path=str(self.gguf),
                n_ctx=N_CTX,
                n_batch=512,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise EngineError(f"Das Sprachmodell „{self.gguf}“ kann nicht geladen werden ({exc}).") from exc
        return llm, tok, threading.Lock()

    def count_tokens(self, text: str) -> int:
        return self._load()[1].count(text)

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
        llm, tok, lock = self._load()
        ids = tok.prompt_ids(messages)
        self.check_context(len(ids), max_new_tokens)
        sampling: dict[str, Any] = {"repeat_penalty": self.repetition_penalty, "min_p": 0.0}
        if temperature > 0:
            sampling.update(temp=temperature, top_k=50, top_p=0.95)
        else:
            sampling.update(temp=0.0, top_k=1, top_p=1.0)
        detok = Detokenizer(tok)
        with lock:  # one llama context: one generation at a time
            steps = llm.generate(ids, **sampling)
            try:
                for token in steps:
                    if cancel is not None and cancel.cancelled:
                        raise Cancelled()
                    if token in tok.end_ids or llm.token_eos() == token:
                        break
                    delta = detok.push(int(token))
                    if on_token is not None and delta:
                        on_token(delta)
                    if len(detok.ids) >= max_new_tokens:
                        break
            finally:
                steps.close()
        return tok.decode(detok.ids)

    def close(self) -> None:
        self._loaded = None  # a model kept for a queue stays in MODELS
