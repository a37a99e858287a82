"""transformers + torch engine: an HF model folder or a GGUF file (dequantised)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...base.errors import Cancelled, EngineError, ModelMissingError
from ...base.jobs import CancelToken
from .base import LLMEngine, Messages, TokenFn, model_id_of, resolve_threads
from .tokenizer import ChatTokenizer, Detokenizer


def locate(model_path: Path) -> tuple[Path, str | None]:
    """``(folder, gguf file name or None)`` for an HF folder, a GGUF file, or a store folder."""
    if model_path.is_file() and model_path.suffix == ".gguf":
        return model_path.parent, model_path.name
    if (model_path / "config.json").is_file() and any(model_path.glob("*.safetensors")):
        return model_path, None
    if (model_path / "hf" / "config.json").is_file():
        return model_path / "hf", None
    ggufs = sorted(model_path.glob("*.gguf")) if model_path.is_dir() else []
    if ggufs:
        return model_path, ggufs[0].name
    raise ModelMissingError(
        f"Unter „{model_path}“ wurde kein Sprachmodell gefunden (weder Hugging-Face-Ordner noch GGUF-Datei). "
        "Bitte das Modell im Modellspeicher installieren."
    )


class TransformersEngine(LLMEngine):
    name = "transformers"

    def __init__(
        self,
        model_dir: Path | str,
        device: str = "auto",
        threads: int = 0,
        dtype: str = "float32",
        repetition_penalty: float = 1.0,
        context_length: int = 32768,
    ) -> None:
        self.folder, self.gguf_file = locate(Path(model_dir))
        self.model_id = model_id_of(Path(model_dir))
        self.device = device
        self.threads = resolve_threads(threads)
        self.dtype = dtype
        self.repetition_penalty = repetition_penalty
        self.context_length = context_length
        self._model: Any = None
        self._tok: ChatTokenizer | None = None

    def _load(self) -> tuple[Any, ChatTokenizer]:
        if self._model is None or self._tok is None:
            import torch
            import transformers

            device = self.device
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            if device == "cpu":
                torch.set_num_threads(self.threads)
            dtype = getattr(torch, self.dtype)
            self._tok = ChatTokenizer(self.folder, self.gguf_file)
            kwargs: dict[str, Any] = {"dtype": dtype}
            if self.gguf_file:
                kwargs["gguf_file"] = self.gguf_file
            try:
                model = transformers.AutoModelForCausalLM.from_pretrained(str(self.folder), **kwargs)
            except (OSError, ValueError, RuntimeError) as exc:
                raise EngineError(
                    f"Das Sprachmodell in „{self.folder}“ kann nicht geladen werden ({exc})."
                ) from exc
            self._model = model.to(device).eval()
        return self._model, self._tok

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
        import torch
        import transformers

        model, tok = self._load()
        ids = tok.prompt_ids(messages)
        self.check_context(len(ids), max_new_tokens)
        detok = Detokenizer(tok)
        prompt_len = len(ids)
        seen = [prompt_len]

        class _Stop(transformers.StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                new = input_ids[0, seen[0] :].tolist()
                seen[0] = int(input_ids.shape[1])
                for token_id in new:
                    if token_id in tok.end_ids:
                        continue
                    delta = detok.push(int(token_id))
                    if on_token is not None and delta:
                        on_token(delta)
                return bool(cancel is not None and cancel.cancelled)

        gen_kwargs: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "eos_token_id": sorted(tok.end_ids),
            "pad_token_id": sorted(tok.end_ids)[0],
            "stopping_criteria": transformers.StoppingCriteriaList([_Stop()]),
            "repetition_penalty": self.repetition_penalty,
        }
        if temperature > 0:
            gen_kwargs.update(do_sample=True, temperature=temperature, top_p=0.95, top_k=50)
        else:
            gen_kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        input_ids = torch.tensor([ids], device=model.device)
        with torch.inference_mode():
            out = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), **gen_kwargs)
        if cancel is not None and cancel.cancelled:
            raise Cancelled()
        return tok.decode([int(i) for i in out[0, prompt_len:].tolist()])

    def close(self) -> None:
        self._model = None
