"""Pipeline stages diarization (in a worker process beside ASR) and word-to-speaker alignment."""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.hardware import split_threads
from ..base.jobs import CancelToken, ProgressFn
from ..base.types import Diarization, Segment, Speaker, Transcript
from ..session.project import Project

if TYPE_CHECKING:
    from .run import PipelineOptions


PARTIAL_FILE = "diarization.partial.json"


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
    # Beside ASR (worker process) diarization gets its share of the cores, else all of them.
    # Also when a resumed run's ASR is finished: with two torch threads on busy cores
    # (bench/kill_resume.py, load 20) diarization of 100 s had not ended after 25 minutes.
    total = options.resolved_threads()
    diar_options = DiarizationOptions(
        num_speakers=options.num_speakers,
        min_speakers=options.min_speakers,
        max_speakers=max_speakers,
        threads=split_threads(total)[1] if options.parallel else total,
        device=options.device,
    )
    return key, diar_options


def _start_diarization(project: Project, options: PipelineOptions, model_dir: Path) -> Any:
    """Start diarization in a worker process unless its result is already there."""
    from ..base.worker import WorkerStage

    key, diar_options = _diarization_setup(options)
    if project.is_done("diarization", key):
        return None
    return WorkerStage(
        "minutes_app.pipeline.stage_diarize:diarize_pcm",
        pcm_path=str(project.pcm_path),
        model_dir=str(model_dir),
        options=diar_options,
        live_file=_live_file(project),
        partial_path=str(project.folder / PARTIAL_FILE),
        partial_key=_partial_key(project, key, diar_options),
    )


def _partial_key(project: Project, key: dict[str, Any], diar_options: Any) -> dict[str, Any]:
    """What the saved blocks of ``diarization.partial.json`` are tied to."""
    settings = {k: v for k, v in vars(diar_options).items() if k != "threads"}
    return {**key, "options": settings, "audio": project.data["audio"]}


def _live_file(project: Project) -> str | None:
    """The blocks diarized while recording (``diarization/live.py``), if there are any."""
    from ..diarization.live import LIVE_FILE

    path = project.folder / LIVE_FILE
    return str(path) if path.is_file() else None


def _diarize_audio(
    audio: Any,
    model_dir: Path,
    options: Any,
    live_file: str | None,
    progress: ProgressFn,
    cancel: CancelToken,
    partial_path: str | None = None,
    partial_key: dict[str, Any] | None = None,
) -> Diarization:
    """Diarize ``audio``; blocks diarized while recording are reused when they match it,
    blocks an interrupted run finished (``partial_path``) too."""
    from ..diarization.blocks import SavedBlocks
    from ..diarization.pipeline import diarize

    if live_file is not None:
        from ..diarization.live import diarize_reusing

        reused = diarize_reusing(audio, model_dir, options, live_file, progress, cancel)
        if reused is not None:
            return reused
    saved = SavedBlocks(partial_path, partial_key or {}) if partial_path else None
    return diarize(audio, model_dir, options, progress=progress, cancel=cancel, saved=saved)


def diarize_pcm(
    pcm_path: str,
    model_dir: str,
    options: Any,
    progress: ProgressFn,
    cancel: CancelToken,
    live_file: str | None = None,
    partial_path: str | None = None,
    partial_key: dict[str, Any] | None = None,
) -> Any:
    """Worker-process entry: diarize the project's decoded audio file."""
    from ..audio.decode import open_pcm

    audio = open_pcm(pcm_path)
    return _diarize_audio(
        audio, Path(model_dir), options, live_file, progress, cancel, partial_path, partial_key
    )


def _diarize(
    project: Project,
    options: PipelineOptions,
    model_dir: Path,
    audio: Any,
    progress: ProgressFn,
    cancel: CancelToken,
    worker: Any = None,
) -> Diarization:
    key, diar_options = _diarization_setup(options)
    if worker is not None:
        result = worker.wait(progress, cancel)
    elif project.is_done("diarization", key):
        return Diarization.from_dict(project.load_result("diarization"))
    else:
        partial_path = str(project.folder / PARTIAL_FILE)
        partial_key = _partial_key(project, key, diar_options)
        live_file = _live_file(project)
        result = _diarize_audio(
            audio, model_dir, diar_options, live_file, progress, cancel, partial_path, partial_key
        )
        if not options.keep_models_loaded:
            from ..diarization.loader import CACHE

            CACHE.clear()
            gc.collect()
    if options.voice_profiles:
        result = use_profiles(project, options, model_dir, audio, result, cancel)
    project.save_result("diarization", key, result.to_dict())
    (project.folder / PARTIAL_FILE).unlink(missing_ok=True)
    return result


def use_profiles(
    project: Project,
    options: PipelineOptions,
    model_dir: Path,
    audio: Any,
    result: Diarization,
    cancel: CancelToken,
) -> Diarization:
    """Compare the speakers with the voice profiles of the session's Gremium (docs/speakers.md):
    matches become name suggestions (``voice_matches.json``), a speaker holding two profiled
    voices is split. Audited beside the profile store and in the session's trail."""
    from ..diarization import profiles as voice
    from ..session import audit
    from ..session.profiles import FOLDER, ProfileStore, save_matches

    gremium = project.info.committee.strip()
    if not gremium or audio is None:
        return result
    folder = Path(options.voice_profiles_dir) / FOLDER if options.voice_profiles_dir else None
    roster = set(options.attendees) or {a.name for a in project.attendees}
    known = ProfileStore(folder).use(gremium, project.name, roster or None)
    if not known:
        return result
    windows = voice.embed_windows(
        audio, voice.windows_of(result.turns), voice.Embedder(model_dir), cancel=cancel
    )
    matched = voice.match_profiles(result, windows, known)
    save_matches(project.folder, matched.matches)
    found = [f"{m.speaker}: {m.person} ({m.similarity:.2f})" for m in matched.matches]
    note = f"{len(known)} Stimmprofile des Gremiums {gremium} verglichen"
    audit.record(
        project, "stimmprofil_verwendet", "Sprechererkennung", None, found, source=audit.AI, note=note
    )
    return matched.diarization


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
