"""The ASR engine the pipeline options ask for: local faster-whisper or a shared server."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import EngineError

if TYPE_CHECKING:
    from .run import PipelineOptions

ASR_ENGINES = ("local", "server")


def engine_of(options: PipelineOptions) -> str:
    engine = (options.asr_engine or "local").strip().lower()
    if engine not in ASR_ENGINES:
        raise EngineError(
            f"Unbekannte Spracherkennung „{options.asr_engine}“ (Einstellung „asr_engine“). "
            f"Erlaubt sind: {', '.join(ASR_ENGINES)}."
        )
    return engine


def local_asr(
    options: PipelineOptions, model_dir: Path | None, threads: int, terms: Sequence[str] = ()
) -> Any:
    """WhisperASR from the model store (also the fallback when the server is down)."""
    from ..asr.whisper import ASROptions, WhisperASR, build_prompt

    if model_dir is None:  # a server-only PC (no fallback allowed) has no local model
        from ..base.errors import ModelMissingError

        raise ModelMissingError(
            f"Das Spracherkennungsmodell „{options.asr_model}“ ist auf diesem PC nicht installiert."
        )

    vocabulary = options.asr_vocabulary
    return WhisperASR(
        model_dir,
        ASROptions(
            language=options.language,
            threads=threads or options.resolved_threads(),
            device=options.device,
            batch_size=options.asr_batch_size,  # 0: per device (base.hardware.resolve_asr_batch)
            initial_prompt=build_prompt(options.attendees, list(terms)) if vocabulary else None,
            chunk_seconds=options.asr_chunk_seconds,
        ),
    )


def server_asr(
    options: PipelineOptions, terms: Sequence[str] = (), on_retry: Callable[[str], None] | None = None
) -> Any:
    from ..asr.server import ServerASR, ServerASROptions
    from ..asr.whisper import build_prompt

    return ServerASR(
        ServerASROptions(
            base_url=options.asr_server_url,
            model=options.asr_server_model,
            api_key=options.asr_api_key,
            language=options.language,
            prompt=build_prompt(options.attendees, list(terms)) if options.asr_vocabulary else None,
            timeout_s=options.server_timeout_s,
            retries=options.server_retries,
        ),
        on_retry=on_retry,
    )


def make_asr(
    options: PipelineOptions,
    model_dir: Path | None,
    threads: int = 0,
    terms: Sequence[str] = (),
    on_retry: Callable[[str], None] | None = None,
) -> Any:
    """``ServerASR`` for ``asr_engine == "server"``, else ``WhisperASR`` (same ``transcribe``)."""
    if engine_of(options) == "server":
        return server_asr(options, terms, on_retry)
    return local_asr(options, model_dir, threads, terms)
