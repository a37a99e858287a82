"""CTranslate2 engine (default): int8 on CPU, float16 on CUDA, streamed token by token.

Device ``"auto"`` runs on CUDA when CTranslate2 sees a GPU (``base.hardware``); then
the compute type follows the device too. A loaded model is shared through
``GENERATORS`` while a queue of jobs keeps models (``base.model_cache``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...base import hardware
from ...base.errors import Cancelled, EngineError, ModelMissingError
from ...base.jobs import CancelToken
from ...base.model_cache import ModelCache
from .base import LLMEngine, Messages, TokenFn, model_id_of, resolve_threads
from .tokenizer import ChatTokenizer, Detokenizer

BATCH_SIZE = 4  # prompts decoded together on CUDA
STATIC_MIN_TOKENS = 64  # shorter shared prefixes are not worth a cache entry
GENERATORS = ModelCache("llm")  # (ctranslate2.Generator, ChatTokenizer) by load key


def find_ct2_dir(model_dir: Path) -> Path:
    for cand in (model_dir / "ct2", model_dir):
        if (cand / "model.bin").is_file():
            return cand
    raise ModelMissingError(
        f"Im Ordner „{model_dir}“ fehlt die CTranslate2-Fassung des Sprachmodells (ct2/model.bin). "
        "Bitte das Modell im Modellspeicher installieren oder die Engine „transformers“ wählen."
    )


def split_static(tok: ChatTokenizer, messages: Messages, ids: list[int]) -> tuple[list[int], list[int]]:
    """(static prefix, rest) of a prompt: the prefix is every message before the last one.

    Prompts that share their instructions and examples (the contribution prompt, once per
    contribution) then evaluate them once: CTranslate2 caches the state after a static prompt.
    """
    if len(messages) < 2:
        return [], ids
    head = tok.prompt_ids(messages[:-1], answer=False)
    if len(head) < STATIC_MIN_TOKENS or len(head) >= len(ids) or ids[: len(head)] != head:
        return [], ids
    return head, ids[len(head) :]


class CT2Engine(LLMEngine):
    name = "ct2"

    def __init__(
        self,
        model_dir: Path | str,
        threads: int = 0,
        device: str = "cpu",
        compute_type: str = "int8",
        repetition_penalty: float = 1.0,
        context_length: int = 32768,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.ct2_dir = find_ct2_dir(self.model_dir)
        self.model_id = model_id_of(self.model_dir)
        self.threads = resolve_threads(threads)
        self.device = device
        self.compute_type = compute_type
        self.repetition_penalty = repetition_penalty
        self.context_length = context_length
        self._generator: Any = None
        self._tok: ChatTokenizer | None = None

    def resolved(self) -> tuple[str, str]:
        """(device, compute type) this engine runs with: "auto" follows the hardware."""
        device = hardware.resolve_device(self.device, "ct2")
        compute = self.compute_type
        if self.device in ("auto", "") or compute in ("default", "auto", ""):
            compute = hardware.resolve_compute_type("default", device)  # float16 on CUDA, int8 on CPU
        return device, compute

    def _load(self) -> tuple[Any, ChatTokenizer]:
        if self._generator is None or self._tok is None:
            device, compute = self.resolved()
            key = (str(self.ct2_dir.resolve()), device, compute, self.threads)
            self._generator, self._tok = GENERATORS.get(key, lambda: self._open(device, compute))
        return self._generator, self._tok

    def _open(self, device: str, compute: str) -> tuple[Any, ChatTokenizer]:
        import ctranslate2

        try:
            generator = ctranslate2.Generator(
                str(self.ct2_dir), device=device, compute_type=compute, intra_threads=self.threads
            )
        except (RuntimeError, ValueError) as exc:
            raise EngineError(
                f"Das Sprachmodell in „{self.ct2_dir}“ kann nicht geladen werden ({exc})."
            ) from exc
        return generator, ChatTokenizer(self.ct2_dir)

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
        generator, tok = self._load()
        ids = tok.prompt_ids(messages)
        self.check_context(len(ids), max_new_tokens)
        kwargs: dict[str, Any] = {
            "max_length": max_new_tokens,
            "end_token": tok.end_tokens,
            "repetition_penalty": self.repetition_penalty,
        }
        if temperature > 0:
            kwargs.update(sampling_temperature=temperature, sampling_topk=50, sampling_topp=0.95)
        else:
            kwargs.update(sampling_topk=1)
        static, ids = split_static(tok, messages, ids)
        if static:  # instructions and examples: their model state is cached between calls
            kwargs["static_prompt"] = tok.ids_to_tokens(static)
        detok = Detokenizer(tok)
        steps = generator.generate_tokens(tok.ids_to_tokens(ids), **kwargs)
        try:
            for step in steps:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                if step.token_id in tok.end_ids:
                    break
                delta = detok.push(step.token_id)
                if on_token is not None and delta:
                    on_token(delta)
        finally:
            close = getattr(steps, "close", None)
            if close is not None:
                close()
        return tok.decode(detok.ids)

    def generate_many(
        self,
        batch: list[Messages],
        max_new_tokens: int,
        temperature: float = 0.0,
        cancel: CancelToken | None = None,
    ) -> list[str]:
        """Replies to several prompts: one after another on CPU, batched on CUDA.

        On CPU a batch is slower and far larger (``bench/llm_batch_memory.py``): CTranslate2
        computes the logits of every prompt position (0.6 MB per token for a 152k
        vocabulary), once per prompt of the batch, and forwards the tokens beyond the
        shortest prompt of a batch step by step. One prompt at a time with the instructions
        as a cached static prompt evaluates each token once and keeps one prompt's logits.
        """
        if len(batch) <= 1 or temperature > 0 or self.resolved()[0] == "cpu":
            return super().generate_many(batch, max_new_tokens, temperature, cancel)
        if cancel is not None:
            cancel.raise_if_cancelled()
        generator, tok = self._load()
        prompts = [tok.prompt_ids(m) for m in batch]
        for ids in prompts:
            self.check_context(len(ids), max_new_tokens)
        head, _ = split_static(tok, batch[0], prompts[0])
        if head and all(p[: len(head)] == head for p in prompts):
            common = len(head)  # the same cached state as single calls with these instructions
        else:
            common = 0
            shortest = min(len(p) for p in prompts) - 1  # every prompt keeps at least one own token
            while common < shortest and all(p[common] == prompts[0][common] for p in prompts):
                common += 1
        static = tok.ids_to_tokens(prompts[0][:common])
        results = generator.generate_batch(
            [tok.ids_to_tokens(p[common:]) for p in prompts],
            max_batch_size=BATCH_SIZE,
            max_length=max_new_tokens,
            end_token=tok.end_tokens,
            repetition_penalty=self.repetition_penalty,
            sampling_topk=1,
            static_prompt=static or None,
            include_prompt_in_result=False,
            callback=(lambda step: bool(cancel is not None and cancel.cancelled)) if cancel else None,
        )
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        return [tok.decode(list(r.sequences_ids[0])) for r in results]

    def close(self) -> None:
        self._generator = None  # a model kept for a queue stays in GENERATORS
        self._tok = None
