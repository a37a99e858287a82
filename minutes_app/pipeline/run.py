"""The whole job: recording -> transcript with speakers -> draft minutes.

Stages run in order and each saves its result in the project folder as soon
as it finishes; a second run skips what is done (``force`` redoes it). The
stages are imported lazily so that importing this module stays cheap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..base import model_cache
from ..base.hardware import resolve_threads, split_threads
from ..base.jobs import CancelToken, ProgressFn, no_progress, scaled
from ..base.offline import ensure_offline
from ..session.project import Project
from ..session.result import SessionResult
from .interrupted import marked_running
from .stage_asr import _asr, _decode, asr_key
from .stage_diarize import _align, _diarize, _start_diarization, diarize_pcm
from .stage_draft import _draft

__all__ = ["asr_key", "diarize_pcm", "PipelineOptions", "run_pipeline"]

T = TypeVar("T")
# Finished part of an interrupted stage (resume); never taken as the stage's result.
# Read by a resumed run; the last: model replies by prompt (drafting/replies.py)
PARTIAL_FILES = ("asr.partial.json", "diarization.partial.json", "draft.partial.json", "draft.replies.json")

# Share of the overall progress bar per stage (roughly their share of time).
WEIGHTS = {"decode": 0.03, "asr": 0.42, "diarization": 0.25, "align": 0.01, "draft": 0.29}
STAGE_NAMES = {
    "decode": "Audio lesen",
    "asr": "Spracherkennung",
    "diarization": "Sprechererkennung",
    "align": "Zuordnung",
    "draft": "Protokollentwurf",
}


@dataclass
class PipelineOptions:
    asr_model: str = "whisper-base"
    diarization_model: str = "pyannote-campp"
    llm_model: str = "qwen2.5-coder-1.5b"
    llm_engine: str = "auto"  # auto (llama.cpp where built, else ct2), ct2, llamacpp, transformers, openai
    llm_server_url: str = ""
    llm_api_key: str = ""
    asr_engine: str = "local"  # local or server (/v1/audio/transcriptions)
    asr_server_url: str = ""
    asr_server_model: str = ""
    asr_api_key: str = ""
    server_timeout_s: float = 300.0
    server_retries: int = 2
    server_fallback_local: bool = True  # a server that is down: go on locally
    asr_batch_size: int = 0  # 0: chosen per hardware; 1: sequential
    language: str | None = "de"
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    attendees: list[str] = field(default_factory=list)
    # Give Whisper the attendee names and agenda titles as its initial prompt (never as
    # hotwords: on real speech those names were written into the silence after 4 of 10
    # clips). Off by default: on ten real German clips any prompt raised WER (0.088 ->
    # 0.14), on a 6-minute real recording it saved 1-2 words of 94 (docs/benchmarks.md).
    asr_vocabulary: bool = False
    asr_chunk_seconds: float = 600.0  # ASR window; an interrupted run resumes at the last finished one
    threads: int = 0  # 0: every core this process may use (base.hardware)
    device: str = "auto"  # auto: CUDA (float16) when available, else CPU (int8)
    # False: free each stage's model when the stage ends, so the peak memory is the
    # largest single model, not their sum. A queue of jobs keeps them loaded
    # (base.model_cache: ASR here, diarization and LLM in one kept worker process);
    # the queue's last job (False) hands them back at its end.
    keep_models_loaded: bool = False
    # Diarization in a worker process, side by side with ASR: the two stages are
    # independent, share the cores, and the worker's memory is returned when it ends.
    parallel: bool = True
    draft: bool = True
    # Protokollart: "verlauf", "ergebnis" or "wort"; a session's own choice
    # (project.json "protocol_type") wins.
    protocol_type: str = "verlauf"
    force: bool = False
    # Live recording: draft the finished items' contributions before the stop (pipeline/predraft_job.py).
    live_draft: bool = True
    # Voice profiles (docs/speakers.md): off until the admin enables them; "" = this PC's data folder.
    voice_profiles: bool = False
    voice_profiles_dir: str = ""

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> PipelineOptions:
        """Options from ``base.settings.Settings``; ``overrides`` (CLI flags, the project's
        attendees) win. The one place that maps settings to pipeline options."""
        language = settings.get("language")
        options = cls(
            asr_model=settings.get("asr_model"),
            diarization_model=settings.get("diarization_model"),
            llm_model=settings.get("llm_model"),
            llm_engine=settings.get("llm_engine"),
            llm_server_url=settings.get("llm_server_url"),
            llm_api_key=settings.get("llm_api_key"),
            asr_engine=settings.get("asr_engine"),
            asr_server_url=settings.get("asr_server_url"),
            asr_server_model=settings.get("asr_server_model"),
            asr_api_key=settings.get("asr_api_key") or settings.get("llm_api_key"),
            server_timeout_s=float(settings.get("server_timeout_s")),
            server_retries=settings.get("server_retries"),
            server_fallback_local=settings.get("server_fallback_local"),
            asr_batch_size=settings.get("asr_batch_size"),
            language=None if language == "auto" else language,
            asr_vocabulary=settings.get("asr_vocabulary"),
            threads=settings.get("threads"),
            device=settings.get("device"),
            protocol_type=settings.get("protocol_type"),
            voice_profiles=settings.get("voice_profiles"),
            voice_profiles_dir=settings.get("voice_profiles_dir"),
            live_draft=settings.get("live_draft"),
        )
        for key, value in overrides.items():
            if not hasattr(options, key):
                raise TypeError(f"PipelineOptions has no field {key!r}")
            setattr(options, key, value)
        return options

    def resolved_threads(self) -> int:
        return resolve_threads(self.threads)


class _Stages:
    """Progress bookkeeping: maps each stage onto its slice of 0..1."""

    def __init__(self, progress: ProgressFn) -> None:
        self.progress = progress
        self.done = 0.0
        self.timings: dict[str, float] = {}

    def timed(self, stage: str, work: Callable[[ProgressFn], T]) -> T:
        progress = self.slice(stage)
        started = time.perf_counter()
        result = work(progress)
        self.timings[stage] = time.perf_counter() - started
        progress(1.0)
        return result

    def slice(self, stage: str) -> ProgressFn:
        start = self.done
        self.done += WEIGHTS[stage]
        name = STAGE_NAMES[stage]
        inner = scaled(self.progress, start, self.done)

        def report(fraction: float, message: str = "", /) -> None:
            inner(fraction, name)

        return report


def run_pipeline(
    project: Project,
    options: PipelineOptions,
    store: Any = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> SessionResult:
    """Run every stage that is not finished yet on ``project``'s audio."""
    from ..models.store import ModelStore
    from ..session import signoff

    ensure_offline()
    signoff.check_unlocked(project)  # a released Niederschrift is not processed again
    if not project.has_audio:
        from ..base.errors import ProjectError
        from ..session.privacy import status_label

        why = status_label(project) or "keine Aufnahme zugeordnet"
        raise ProjectError(f"Die Sitzung „{project.name}“ kann nicht verarbeitet werden ({why}).")
    cancel = cancel or CancelToken()
    store = store or ModelStore.default()
    # Resolve every model first: a missing model fails before hours of work.
    # With a transcription server the local model is needed only to fall back on.
    local_asr = options.asr_engine != "server" or options.server_fallback_local
    asr_dir = store.get(options.asr_model).path if local_asr else None
    diar_dir = store.get(options.diarization_model).path
    llm_dir = store.get(options.llm_model).path if options.draft and options.llm_engine != "openai" else None
    dirs = (asr_dir, diar_dir, llm_dir)
    with marked_running(project.folder):  # left behind only when this process is killed
        return _run_stages(project, options, dirs, progress, cancel)


def _run_stages(
    project: Project,
    options: PipelineOptions,
    dirs: tuple[Any, Any, Any],
    progress: ProgressFn,
    cancel: CancelToken,
) -> SessionResult:
    asr_dir, diar_dir, llm_dir = dirs
    stages = _Stages(progress)
    if options.force:
        project.invalidate("decode")
        for name in PARTIAL_FILES:  # redo everything: no resuming from an earlier run
            (project.folder / name).unlink(missing_ok=True)
    if options.keep_models_loaded:
        model_cache.retain()  # models stay loaded for the next job of the queue
    audio = stages.timed("decode", lambda p: _decode(project, p, cancel))
    worker = _start_diarization(project, options, diar_dir) if options.parallel else None
    try:
        total = options.resolved_threads()
        asr_threads = split_threads(total)[0] if worker else total
        transcript = stages.timed(
            "asr", lambda p: _asr(project, options, asr_dir, audio, p, cancel, asr_threads)
        )
        diarization = stages.timed(
            "diarization", lambda p: _diarize(project, options, diar_dir, audio, p, cancel, worker)
        )
    finally:
        if worker is not None:
            worker.close()
    segments, speakers = stages.timed("align", lambda p: _align(project, transcript, diarization))
    minutes = None
    if options.draft:
        minutes = stages.timed(
            "draft", lambda p: _draft(project, options, llm_dir, segments, speakers, p, cancel)
        )
    if not options.keep_models_loaded:
        model_cache.release()  # the models a queue kept go back with its last job
    progress(1.0, "Fertig")
    return SessionResult(transcript, diarization, segments, speakers, minutes, project, stages.timings)
