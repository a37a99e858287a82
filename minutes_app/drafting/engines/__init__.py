"""LLM engines behind one interface. Nothing heavy is imported here.

``make_engine("ct2", model_dir)`` is the default path; ``transformers`` loads an
HF folder or a GGUF file; ``openai`` talks to a configured OpenAI-compatible server.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ...base.errors import EngineError, ModelMissingError
from .base import EngineOptions, LLMEngine, Messages, TokenFn

__all__ = [
    "EngineOptions",
    "LLMEngine",
    "Messages",
    "TokenFn",
    "make_engine",
    "options_from_settings",
    "ENGINE_KINDS",
]

ENGINE_KINDS = ("ct2", "llamacpp", "transformers", "openai")


def options_from_settings(settings: Any) -> EngineOptions:
    """EngineOptions from ``base.settings.Settings`` (threads, device, server URL and key)."""
    return EngineOptions(
        threads=int(settings.get("threads")),
        device=str(settings.get("device")),
        base_url=str(settings.get("llm_server_url")),
        api_key=str(settings.get("llm_api_key")),
        model=str(settings.get("llm_model")),
    )


def make_engine(
    kind: str,
    model_dir: Path | str | None = None,
    options: EngineOptions | None = None,
    *,
    threads: int | None = None,
    device: str | None = None,
    server_url: str | None = None,
    api_key: str | None = None,
    model_id: str | None = None,
    timeout_s: float | None = None,
    retries: int | None = None,
    fallback_local: bool = False,
    fallback_dir: Path | str | None = None,
) -> LLMEngine:
    """Create an engine. Loading the model happens on the first ``generate``.

    Keyword arguments, where given, override the matching ``options`` field
    (``server_url`` -> ``base_url``, ``model_id`` -> ``model``, the name an OpenAI server expects).
    ``openai`` only: ``retries`` (default 2) after a failed request; ``fallback_local``: a server
    that stays down is replaced by a local ct2 engine (``fallback_dir``, else found in the model
    store; ``fallback.FallbackEngine``).
    """
    opts = replace(options or EngineOptions())
    for name, value in (
        ("threads", threads),
        ("device", device),
        ("base_url", server_url),
        ("api_key", api_key),
        ("model", model_id),
        ("timeout_s", timeout_s),
    ):
        if value is not None:
            setattr(opts, name, value)
    kind = (kind or "ct2").strip().lower()
    if kind == "openai":
        from .openai import OpenAIEngine

        server = OpenAIEngine(
            opts.base_url,
            opts.api_key,
            opts.model,
            opts.timeout_s,
            opts.context_length,
            retries=2 if retries is None else retries,
        )
        return _with_fallback(server, opts, fallback_dir) if fallback_local else server
    if kind not in ENGINE_KINDS:
        raise EngineError(f"Unbekannte LLM-Engine „{kind}“. Erlaubt sind: {', '.join(ENGINE_KINDS)}.")
    if model_dir is None or not Path(model_dir).exists():
        raise ModelMissingError(
            f"Das Sprachmodell wurde nicht gefunden ({model_dir or 'kein Ordner angegeben'}). "
            "Bitte das Modell im Modellspeicher installieren."
        )
    if kind == "llamacpp":
        from .llamacpp import LlamaCppEngine

        return LlamaCppEngine(
            model_dir,
            threads=opts.threads,
            repetition_penalty=opts.repetition_penalty,
            context_length=opts.context_length,
        )
    if kind == "ct2":
        from .ct2 import CT2Engine

        return CT2Engine(
            model_dir,
            threads=opts.threads,
            device=opts.device,
            compute_type=opts.compute_type,
            repetition_penalty=opts.repetition_penalty,
            context_length=opts.context_length,
        )
    from .hf import TransformersEngine

    return TransformersEngine(
        model_dir,
        device=opts.device,
        threads=opts.threads,
        repetition_penalty=opts.repetition_penalty,
        context_length=opts.context_length,
    )


def _with_fallback(server: LLMEngine, opts: EngineOptions, fallback_dir: Path | str | None) -> LLMEngine:
    from .fallback import FallbackEngine

    def make_local() -> LLMEngine:
        folder = Path(fallback_dir) if fallback_dir else None
        if folder is None:
            raise ModelMissingError(
                "Auf diesem PC ist kein Sprachmodell installiert (minutes-app models install)."
            )
        return make_engine("ct2", folder, opts)

    return FallbackEngine(server, make_local)
