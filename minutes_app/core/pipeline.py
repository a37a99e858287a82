"""The whole job: recording -> transcript with speakers -> draft minutes.

Stages run in order and each saves its result in the project folder as soon
as it finishes; a second run skips what is done (``force`` redoes it). The
stages are imported lazily so that importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import Cancelled, ProjectError
from .jobs import CancelToken, ProgressFn, no_progress, scaled
from .offline import ensure_offline
from .project import Project
from .types import AgendaItem, Diarization, Minutes, Segment, Speaker, Transcript

T = TypeVar("T")
# Finished part of an interrupted stage (resume); never taken as the stage's result.
PARTIAL_FILES = ("asr.partial.json", "draft.partial.json")

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
    llm_engine: str = "ct2"  # ct2, transformers or openai
    llm_server_url: str = ""
    llm_api_key: str = ""
    language: str | None = "de"
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    attendees: list[str] = field(default_factory=list)
    # Give Whisper the attendee names and agenda titles as prompt/hotwords. Off by
    # default: on the example session it raised WER from 0.30 to 0.36 (docs/benchmarks.md).
    asr_vocabulary: bool = False
    asr_chunk_seconds: float = 600.0  # ASR window; an interrupted run resumes at the last finished one
    threads: int = 0
    device: str = "cpu"
    # False: free each stage's model when the stage ends, so the peak memory is the
    # largest single model, not their sum. A queue of jobs may keep them loaded.
    keep_models_loaded: bool = False
    # Diarization in a worker process, side by side with ASR: the two stages are
    # independent, share the cores, and the worker's memory is returned when it ends.
    parallel: bool = True
    draft: bool = True
    # Protokollart: "verlauf", "ergebnis" or "wort"; a session's own choice
    # (project.json "protocol_type") wins.
    protocol_type: str = "verlauf"
    force: bool = False

    def resolved_threads(self) -> int:
        return self.threads or max(os.cpu_count() or 1, 1)


@dataclass
class SessionResult:
    transcript: Transcript
    diarization: Diarization
    segments: list[Segment]
    speakers: list[Speaker]
    minutes: Minutes | None
    project: Project
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage run now

    def aligned_transcript(self) -> Transcript:
        """The transcript with segments split by speaker (what every export shows), without
        the segments of speakers who objected to the recording."""
        from .privacy import excluded_segments

        t = self.transcript
        kept, _ = excluded_segments(self.project, self.segments)
        return Transcript(t.language, t.duration, kept, t.model)

    def export_bundle(self) -> Any:
        from ..export.common import ExportResult
        from . import signoff
        from .editing import AI_DRAFT

        project = self.project
        n = len(self.minutes.agenda_items) if self.minutes else 0
        states = list(project.data.get("item_states", []))
        stage = project.data.get("stages", {}).get("draft") or {}
        if project.data.get(signoff.DRAFT_SEEN_KEY) not in (None, str(stage.get("finished", ""))):
            states = []  # the states belong to an older draft: the new one is unreviewed
        objected = set(project.objected_speakers)
        return ExportResult(
            project.info,
            [s for s in self.speakers if s.id not in objected],
            self.aligned_transcript(),
            self.minutes,
            attendees=project.attendees,
            item_states=(states + [AI_DRAFT] * n)[:n],
            signoff_state=signoff.state(project),
            agenda=project.agenda,
        )


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
    from . import signoff

    ensure_offline()
    signoff.check_unlocked(project)  # a released Niederschrift is not processed again
    if not project.has_audio:
        from .errors import ProjectError
        from .privacy import status_label

        why = status_label(project) or "keine Aufnahme zugeordnet"
        raise ProjectError(f"Die Sitzung „{project.name}“ kann nicht verarbeitet werden ({why}).")
    cancel = cancel or CancelToken()
    store = store or ModelStore.default()
    # Resolve every model first: a missing model fails before hours of work.
    asr_dir = store.get(options.asr_model).path
    diar_dir = store.get(options.diarization_model).path
    llm_dir = store.get(options.llm_model).path if options.draft and options.llm_engine != "openai" else None

    stages = _Stages(progress)
    if options.force:
        project.invalidate("decode")
        for name in PARTIAL_FILES:  # redo everything: no resuming from an earlier run
            (project.folder / name).unlink(missing_ok=True)
    audio = stages.timed("decode", lambda p: _decode(project, p, cancel))
    worker = _start_diarization(project, options, diar_dir) if options.parallel else None
    try:
        asr_threads = max(options.resolved_threads() - 1, 1) if worker else options.resolved_threads()
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
    progress(1.0, "Fertig")
    return SessionResult(transcript, diarization, segments, speakers, minutes, project, stages.timings)


def _decode(project: Project, progress: ProgressFn, cancel: CancelToken) -> Any:
    from ..audio.decode import decode_to_file, open_pcm

    key = {"audio": project.data["audio"]}
    if not project.is_done("decode", key):
        decode_to_file(project.audio_path, project.pcm_path, progress, cancel)
        project.save_result("decode", key, None)
    return open_pcm(project.pcm_path)


def asr_key(options: PipelineOptions, agenda: list[AgendaItem]) -> dict[str, Any]:
    key: dict[str, Any] = {"model": options.asr_model, "language": options.language}
    if options.asr_vocabulary:
        key.update(terms=[a.title for a in agenda], names=options.attendees)
    return key


def _asr(
    project: Project,
    options: PipelineOptions,
    model_dir: Path,
    audio: Any,
    progress: ProgressFn,
    cancel: CancelToken,
    threads: int = 0,
) -> Transcript:
    from ..asr.whisper import ASROptions, WhisperASR, build_prompt
    from .fileio import write_json

    key = asr_key(options, project.agenda)
    if project.is_done("asr", key):
        return Transcript.from_dict(project.load_result("asr"))
    partial_file = project.folder / "asr.partial.json"
    partial_key = {**key, "audio": project.data["audio"]}  # the windows of this recording only
    resume = None
    if partial_file.exists():
        with contextlib.suppress(ProjectError, KeyError, TypeError, ValueError):
            partial = project.load_result("asr.partial")
            if partial.get("key") == partial_key:
                resume = Transcript.from_dict(partial["transcript"])

    def save_partial(partial: Transcript, _done: float) -> None:
        write_json(partial_file, {"key": partial_key, "transcript": partial.to_dict()})

    vocabulary = options.asr_vocabulary
    asr = WhisperASR(
        model_dir,
        ASROptions(
            language=options.language,
            threads=threads or options.resolved_threads(),
            device=options.device,
            initial_prompt=build_prompt(options.attendees, [a.title for a in project.agenda])
            if vocabulary
            else None,
            hotwords=options.attendees if vocabulary else [],
            chunk_seconds=options.asr_chunk_seconds,
        ),
    )
    try:
        transcript = asr.transcribe(audio, progress, cancel, resume=resume, on_chunk=save_partial)
    finally:  # also on Cancelled: free the model here, not at interpreter exit
        asr.close()
        del asr
        gc.collect()
    project.save_result("asr", key, transcript.to_dict())
    partial_file.unlink(missing_ok=True)
    return transcript


def _diarization_setup(options: PipelineOptions) -> tuple[dict[str, Any], Any]:
    from ..diarization.pipeline import DiarizationOptions

    max_speakers = options.max_speakers
    if max_speakers is None and options.attendees and options.num_speakers is None:
        max_speakers = len(options.attendees)  # the roster bounds the speaker count
    key = {
        "model": options.diarization_model,
        "num": options.num_speakers,
        "min": options.min_speakers,
        "max": max_speakers,
    }
    diar_options = DiarizationOptions(
        num_speakers=options.num_speakers, min_speakers=options.min_speakers, max_speakers=max_speakers
    )
    return key, diar_options


def _start_diarization(project: Project, options: PipelineOptions, model_dir: Path) -> Any:
    """Start diarization in a worker process unless its result is already there."""
    from .worker import WorkerStage

    key, diar_options = _diarization_setup(options)
    if project.is_done("diarization", key):
        return None
    return WorkerStage(
        "minutes_app.core.pipeline:diarize_pcm",
        pcm_path=str(project.pcm_path),
        model_dir=str(model_dir),
        options=diar_options,
    )


def diarize_pcm(
    pcm_path: str, model_dir: str, options: Any, progress: ProgressFn, cancel: CancelToken
) -> Any:
    """Worker-process entry: diarize the project's decoded audio file."""
    from ..audio.decode import open_pcm
    from ..diarization.pipeline import diarize

    return diarize(open_pcm(pcm_path), Path(model_dir), options, progress=progress, cancel=cancel)


def _diarize(
    project: Project,
    options: PipelineOptions,
    model_dir: Path,
    audio: Any,
    progress: ProgressFn,
    cancel: CancelToken,
    worker: Any = None,
) -> Diarization:
    from ..diarization.pipeline import diarize

    key, diar_options = _diarization_setup(options)
    if worker is not None:
        result = worker.wait(progress, cancel)
    elif project.is_done("diarization", key):
        return Diarization.from_dict(project.load_result("diarization"))
    else:
        result = diarize(audio, model_dir, diar_options, progress=progress, cancel=cancel)
        if not options.keep_models_loaded:
            from ..diarization.loader import CACHE

            CACHE.clear()
            gc.collect()
    project.save_result("diarization", key, result.to_dict())
    return result


def _align(
    project: Project, transcript: Transcript, diarization: Diarization
) -> tuple[list[Segment], list[Speaker]]:
    from ..diarization.align import assign_speakers, speakers_in_order

    key = {"asr": project.data["stages"]["asr"], "diarization": project.data["stages"]["diarization"]}
    if project.is_done("align", key):
        segments = [Segment.from_dict(s) for s in project.load_result("align")["segments"]]
    else:
        segments = assign_speakers(transcript.segments, diarization)
        project.save_result("align", key, {"segments": [dataclasses.asdict(s) for s in segments]})
    return segments, speakers_in_order(segments, project.speaker_names)


def _draft(
    project: Project,
    options: PipelineOptions,
    llm_dir: Path | None,
    segments: list[Segment],
    speakers: list[Speaker],
    progress: ProgressFn,
    cancel: CancelToken,
) -> Minutes:
    from ..drafting.draft import DraftOptions, draft_request, draft_templates, input_digest
    from ..drafting.prompts import prompt_version
    from .privacy import excluded_segments

    segments, _ = excluded_segments(project, segments)  # speakers who objected are not drafted
    draft_options = DraftOptions(protocol_type=project.protocol_type or options.protocol_type)
    markers = [(float(m["time"]), str(m.get("label", ""))) for m in project.data.get("markers", [])]
    starts = {str(k): float(v) for k, v in project.data.get("item_starts", {}).items()}
    key: dict[str, Any] = {
        "engine": options.llm_engine,
        "model": options.llm_model,
        "prompts": prompt_version(draft_templates(draft_options)),
        "options": {k: v if not isinstance(v, Path) else str(v) for k, v in vars(draft_options).items()},
        "agenda": project.data.get("agenda", []),
        "names": project.speaker_names,
        "markers": [list(m) for m in markers],  # as read back from project.json
        "starts": starts,
        "objected": sorted(project.objected_speakers),
    }
    if project.is_done("draft", key):
        return Minutes.from_dict(project.load_result("draft"))
    names = {s.id: s.label for s in speakers}
    request: dict[str, Any] = {
        "segments": segments,
        "names": names,
        "agenda": project.agenda or None,
        "engine_kind": options.llm_engine,
        "llm_dir": str(llm_dir) if llm_dir else None,
        "engine_args": {
            "threads": options.resolved_threads(),
            "server_url": options.llm_server_url,
            "api_key": options.llm_api_key,
            "model_id": options.llm_model,
        },
        "draft_options": draft_options,
        "markers": markers,
        "starts": starts,
        # Finished items are saved as they come (from the worker), so a re-run drafts only the rest.
        "partial_path": str(project.folder / "draft.partial.json"),
        "partial_key": {**key, "input": input_digest(segments, names)},
    }
    if options.parallel:  # own process: the LLM's memory is returned when it ends
        from .worker import WorkerStage

        minutes = WorkerStage("minutes_app.drafting.draft:draft_request", **request).wait(progress, cancel)
    else:
        minutes = draft_request(**request, progress=progress, cancel=cancel)
    if cancel.cancelled:
        raise Cancelled()
    project.save_result("draft", key, minutes.to_dict())
    Path(request["partial_path"]).unlink(missing_ok=True)
    from . import audit, signoff

    audit.append(project, signoff.sync_draft(project, minutes))  # "entwurf_erzeugt"; items unreviewed
    project.save()
    return minutes


def load_session(project: Project) -> SessionResult:
    """Load the saved results of a processed project (for export and the GUI)."""
    from ..diarization.align import speakers_in_order
    from .errors import ProjectError

    stages = project.data["stages"]
    if "align" not in stages or not project.stage_file("align").exists():
        raise ProjectError(
            f"Das Projekt „{project.folder}“ ist noch nicht fertig verarbeitet. "
            "Bitte zuerst „minutes-app run“ ausführen."
        )
    transcript = Transcript.from_dict(project.load_result("asr"))
    diarization = Diarization.from_dict(project.load_result("diarization"))
    segments = [Segment.from_dict(s) for s in project.load_result("align")["segments"]]
    minutes = Minutes.from_dict(project.load_result("draft")) if "draft" in stages else None
    speakers = speakers_in_order(segments, project.speaker_names)
    return SessionResult(transcript, diarization, segments, speakers, minutes, project)
