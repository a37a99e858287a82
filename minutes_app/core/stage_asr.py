"""Pipeline stages decode and ASR: each saves its result in the project and skips what is done."""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ProjectError
from .jobs import CancelToken, ProgressFn
from .project import Project
from .types import AgendaItem, Transcript

if TYPE_CHECKING:
    from .pipeline import PipelineOptions


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
