"""Pipeline stages decode and ASR: each saves its result in the project and skips what is done."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..base.errors import Cancelled, ProjectError, ServerUnavailable
from ..base.jobs import CancelToken, ProgressFn
from ..base.types import AgendaItem, Transcript
from ..session.project import Project

if TYPE_CHECKING:
    from .run import PipelineOptions

T = TypeVar("T")


def _decode(project: Project, progress: ProgressFn, cancel: CancelToken) -> Any:
    from ..audio.decode import decode_to_file, open_pcm

    key = {"audio": project.data["audio"]}
    if not project.is_done("decode", key):
        decode_to_file(project.audio_path, project.pcm_path, progress, cancel)
        project.save_result("decode", key, None)
    return open_pcm(project.pcm_path)


def asr_key(options: PipelineOptions, agenda: list[AgendaItem]) -> dict[str, Any]:
    key: dict[str, Any] = {"model": options.asr_model, "language": options.language}
    if (options.asr_engine or "").strip().lower() == "server":
        # A server transcript is not taken for a local one (nor the other way round); the
        # address is left out: moving the server does not redo finished sessions (docs/server.md).
        key = {"engine": "server", "model": options.asr_server_model, "language": options.language}
    if options.asr_vocabulary:
        key.update(terms=[a.title for a in agenda], names=options.attendees)
    return key


def _asr(
    project: Project,
    options: PipelineOptions,
    model_dir: Path | None,
    audio: Any,
    progress: ProgressFn,
    cancel: CancelToken,
    threads: int = 0,
) -> Transcript:
    from ..base.fileio import write_json
    from .asr_factory import local_asr, make_asr

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

    latest = [resume]  # the finished windows so far: a local fallback resumes there
    done = [0.0]

    def save_partial(partial: Transcript, _done: float) -> None:
        latest[0] = partial
        write_json(partial_file, {"key": partial_key, "transcript": partial.to_dict()})

    def report(fraction: float, message: str = "", /) -> None:
        done[0] = fraction
        progress(fraction, message)

    terms = [a.title for a in project.agenda]

    def on_retry(message: str) -> None:
        progress(done[0], message)

    def transcribe() -> tuple[Transcript, str]:
        asr = make_asr(options, model_dir, threads, terms, on_retry=on_retry)
        fallback = ""
        try:
            try:
                transcript = asr.transcribe(audio, report, cancel, resume=resume, on_chunk=save_partial)
            except ServerUnavailable as exc:
                if not options.server_fallback_local:
                    raise ServerUnavailable(
                        f"{exc} Die Spracherkennung auf diesem PC ist in den Einstellungen ausgeschaltet "
                        "(„server_fallback_local“)."
                    ) from exc
                fallback = str(exc)
                progress(done[0], "Transkriptionsserver nicht erreichbar – Spracherkennung auf diesem PC")
                asr.close()
                asr = local_asr(options, model_dir, threads, terms)
                transcript = asr.transcribe(audio, report, cancel, resume=latest[0], on_chunk=save_partial)
        finally:  # also on Cancelled: free the model here, not at interpreter exit
            asr.close()
            del asr
            gc.collect()
        return transcript, fallback

    transcript, fallback = answer_cancel(transcribe, cancel, "minutes-asr")
    project.save_result("asr", key, transcript.to_dict())
    _record_engine(project, options, fallback)
    partial_file.unlink(missing_ok=True)
    return transcript


def answer_cancel(work: Callable[[], T], cancel: CancelToken, name: str) -> T:
    """``work()`` in a thread of its own; raises ``Cancelled`` as soon as ``cancel`` is set.

    A Whisper step (encoder and decoder over 30 s of audio, native code) cannot be
    interrupted: on two busy cores it took up to 12 s, so Abbrechen / Ctrl-C waited that
    long. Here the pipeline answers at once; the step sees the same token, stops at its
    next check and frees its model in its own thread. Whatever it saves meanwhile is a
    finished window, written atomically (resume picks it up).
    """
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name=name, daemon=True).start()
    while not done.wait(0.05):
        if cancel.cancelled:
            raise Cancelled()
    if "error" in box:
        raise box["error"]
    return box["result"]


def _record_engine(project: Project, options: PipelineOptions, fallback: str) -> None:
    """Note in the project where the transcript was made; a fallback also in the audit trail."""
    from ..session import audit

    stage = project.data["stages"]["asr"]
    stage["engine"] = "local" if fallback else (options.asr_engine or "local")
    if fallback:
        stage["fallback"] = fallback
        audit.record(
            project,
            "lokal_statt_server",
            "Spracherkennung",
            source=audit.AI,
            model=options.asr_model,
            note=f"Auf diesem PC erstellt: {fallback}",
        )
    project.save()
