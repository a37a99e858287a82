"""LLM engines behind one interface. Nothing heavy is imported here.

``make_engine("auto", model_dir)`` is the default path: llama.cpp on the model's GGUF where
llama-cpp-python is built (``make llamacpp``), else CTranslate2 int8 (``resolve_kind``;
measured in ``docs/benchmarks.md``); ``transformers`` loads an HF folder or a GGUF file;
``openai`` talks to a configured OpenAI-compatible server.
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
    "resolve_kind",
]

ENGINE_KINDS = ("auto", "ct2", "llamacpp", "transformers", "openai")


def cpu_has_avx2() -> bool:
    """AVX2, FMA and F16C, which the portable llama.cpp build of ``make llamacpp`` uses (a CPU
    without them would stop the process with an illegal instruction, not an exception)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as features  # type: ignore[no-redef]
    return all(features.get(flag) for flag in ("AVX2", "FMA3", "F16C"))


def llamacpp_usable() -> bool:
    """Whether llama-cpp-python is installed and its native library loads on this CPU."""
    if not cpu_has_avx2():
        return False
    try:
        import llama_cpp  # noqa: F401  (loads libllama; an incomplete install fails here)
    except Exception:  # ImportError, OSError of the shared library, a CPU without AVX2 …
        return False
    return True


def resolve_kind(kind: str, model_dir: Path | str | None, device: str = "auto") -> str:
    """The engine ``kind`` stands for: „auto“ is llama.cpp on the CPU where it is built and the
    model has its GGUF (decodes 3.6x CTranslate2's tokens per CPU second, the whole draft 13-30 %
    fewer CPU seconds, 1.2 GB less memory: ``docs/benchmarks.md``), else CTranslate2 (also on a
    CUDA GPU, which the llama.cpp build does not use)."""
    kind = (kind or "auto").strip().lower()
    if kind != "auto":
        return kind
    from ...base.hardware import resolve_device

    if resolve_device(device, "ct2") == "cuda":
        return "ct2"
    from .llamacpp import find_gguf

    if not model_dir:
        return "ct2"
    try:
        find_gguf(Path(model_dir))
    except ModelMissingError:
        return "ct2"  # no GGUF (or several) the llama.cpp engine would take
    return "llamacpp" if llamacpp_usable() else "ct2"


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
    kind = resolve_kind(kind, model_dir, opts.device)
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
        return make_engine("auto", folder, opts)

    return FallbackEngine(server, make_local)
