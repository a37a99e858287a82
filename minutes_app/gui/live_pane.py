"""Live-Mitschrift: the transcript of a recording while it is being recorded.

``LiveSession`` runs beside one recording of the ``RecordView`` as one JobRunner job that
starts the live worker process (``asr.live_job.LiveJob``) and relays its reports:

* ``asr.live.LiveTranscriber`` in a thread at nice 10 with one CTranslate2 thread;
* ``diarization.live.follow_recording``: each finished 5-minute block, once the
  transcription has passed it (ASR keeps priority), at nice 15 with one torch thread;
* after the stop both finish their tails; once the main window attached the recording
  to its session (``attach``) the windows are saved as ``asr.partial.json`` under the
  pipeline's key, so the processing resumes there instead of transcribing again, and
  its diarization reuses the blocks (``diarization.live.diarize_reusing``).

A process, not threads of the GUI process, so the live work never holds the GIL that
the recorder's audio callback and the GUI need (see ``asr/live_job.py``).

The job is a *model* job (``JobRunner``: one at a time). On two cores a pipeline or an
LLM job beside the live transcription would make the live text fall behind and compete
with the recorder; queued behind it, they start once the live job ends, i.e. seconds
after the stop, and the processing of this very recording then finds the live results
complete. If another model job is running when the recording starts, the live job waits
in the queue and catches up afterwards: it reads from the file, nothing is lost.

The worker never touches widgets: segments and block reports reach the pane through the
queued signals of ``LiveSignals``; how far the text trails is polled by the view's timer.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..base import jsonio
from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken, ProgressFn
from ..base.schemas import ASR_PARTIAL
from ..diarization.live import BLOCK_SECONDS, LIVE_FILE
from .format import format_time
from .jobs import QUEUED, JobHandle, JobRunner
from .strings import fmt_duration, tr


class LiveSignals(QObject):
    """Emitted from the live job's threads; the connections to the pane are queued."""

    segments = Signal(object)  # list[Segment]
    block = Signal(object)  # a diarized block: {"index", "start_s", "end_s", "speakers"}
    problem = Signal(str)  # German message; the recording goes on
    predraft = Signal(object)  # {"items", "until_s"}: finished items drafted while recording


class LivePane(QWidget):
    """The live text, how far it trails the recording, and the speaker blocks done."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(tr("live.title"))
        self.status = QLabel(tr("live.off"))
        self.status.setWordWrap(True)
        self.speakers = QLabel("")
        self.draft = QLabel("")  # items drafted while recording (pipeline/predraft_job.py)
        self.segment_count = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(tr("live.title") + ":"))
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.speakers)
        layout.addWidget(self.draft)

    def clear(self) -> None:
        self.text.clear()
        self.segment_count = 0
        self.speakers.setText("")
        self.draft.setText("")

    def add_segments(self, segments: list[Any]) -> None:
        bar = self.text.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4  # follow the text unless the user scrolled up
        for seg in segments:
            self.text.appendPlainText(f"[{format_time(seg.start)}]  {seg.text.strip()}")
        self.segment_count += len(segments)
        if at_end:
            self.text.moveCursor(QTextCursor.MoveOperation.End)
            bar.setValue(bar.maximum())


class LiveSession(QObject):
    """One live run beside one recording (see the module doc); lives in the GUI thread."""

    ended = Signal()

    def __init__(
        self,
        jobs: JobRunner,
        folder: Path,
        part_path: Path,
        settings: Any,
        pane: LivePane,
        *,
        diarize: bool = True,
        block_seconds: float = BLOCK_SECONDS,
        window_seconds: float = 20.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.folder = Path(folder)
        self.part_path = Path(part_path)
        self.pane = pane
        self.diarize = diarize
        self.block_seconds = block_seconds
        self.window_seconds = window_seconds
        self.signals = LiveSignals(self)
        self.signals.segments.connect(pane.add_segments)
        self.signals.block.connect(self._on_block)
        self.signals.problem.connect(self._on_problem)
        self.signals.predraft.connect(self._on_predraft)
        self.job: Any = None  # the live process (asr.live_job.LiveJob), set by the job thread
        self.handle: JobHandle | None = None
        self.result: dict[str, Any] | None = None
        self.message = ""
        self.stopped = False
        self.blocks: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._attached = threading.Event()
        self._key: dict[str, Any] | None = None
        self._paused = False
        if settings is None:
            from ..base.settings import Settings

            settings = Settings({})
        self._options, self._asr_options, self._diar_options, self._key_base = self._setup(settings)
        self._settings = settings

    # -- GUI thread ----------------------------------------------------------------------
    def _setup(self, settings: Any) -> tuple[Any, Any, Any, dict[str, Any]]:
        """Options as the pipeline will use them for this session (so its keys match)."""
        from ..pipeline.live_job import pipeline_asr_options
        from ..pipeline.run import PipelineOptions, asr_key
        from ..pipeline.stage_diarize import _diarization_setup
        from ..session.project import Project
        from .process_view import pipeline_options

        try:
            project: Any = Project.load(self.folder)
            options = pipeline_options(settings, project)
            agenda = project.agenda
        except (UserError, OSError):
            project, agenda = None, []
            options = PipelineOptions.from_settings(settings)
        if project is not None:
            asr_options = pipeline_asr_options(project, options)
        else:
            from ..asr.whisper import ASROptions

            asr_options = ASROptions(language=options.language, device=options.device)
        # The windows are made here, by the local model: never keyed as a server transcript.
        local = dataclasses.replace(options, asr_engine="local")
        return options, asr_options, _diarization_setup(options)[1], asr_key(local, agenda)

    def start(self) -> JobHandle:
        self.pane.clear()
        self.pane.status.setText(tr("live.starting"))
        minutes = round(self.block_seconds / 60)
        self.pane.speakers.setText(
            tr("live.speakers.waiting", minutes=minutes) if self.diarize else tr("live.speakers.off")
        )
        self.handle = self.jobs.submit(
            self._work,
            name=tr("live.job"),
            model=True,
            on_result=self._on_result,
            on_error=self._on_problem,
            on_cancelled=lambda: self.pane.status.setText(tr("live.cancelled")),
            on_finished=self.ended.emit,
        )
        return self.handle

    @property
    def running(self) -> bool:
        return self.handle is not None and not self.handle.done

    @property
    def done_seconds(self) -> float:
        live = self.job
        return float(live.done_seconds) if live is not None else 0.0

    def set_paused(self, paused: bool) -> None:
        """Recording paused: the live text catches up to the pause (nothing else stops)."""
        self._paused = paused
        if self.job is not None:
            self.job.set_paused(paused)

    def stop(self) -> None:
        """After ``Recorder.stop()`` returned: the file is complete, finish the tails."""
        self.stopped = True
        self._stop.set()
        if self.job is not None:
            self.job.stop()
        if self.running:
            self.pane.status.setText(tr("live.finishing"))

    def attach(self, project: Any) -> None:
        """The recording belongs to ``project`` now (``set_audio`` done); None: to no session."""
        if self._attached.is_set():
            return
        if project is not None:
            self._key = {**self._key_base, "audio": project.data["audio"]}
        self._attached.set()

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()

    def release_pane(self) -> None:
        """A new recording takes the pane: report into a hidden one from now on."""
        self.signals.segments.disconnect(self.pane.add_segments)
        self.pane = LivePane()
        self.signals.segments.connect(self.pane.add_segments)

    def update_status(self, recorded: float, paused: bool) -> None:
        """Called by the view's timer: how far the text trails the recording."""
        if self.handle is None or self.handle.done or self.stopped:
            return
        if self.handle.state == QUEUED:
            self.pane.status.setText(tr("live.queued"))
            return
        if self.job is None:
            return
        done = self.done_seconds
        if paused:
            self.pane.status.setText(tr("live.paused", done=format_time(done)))
        else:
            behind = fmt_duration(max(recorded - done, 0.0))
            self.pane.status.setText(tr("live.progress", done=format_time(done), behind=behind))

    def _on_block(self, info: dict[str, Any]) -> None:
        self.blocks.append(info)
        self.pane.speakers.setText(
            tr("live.speakers", count=len(self.blocks), until=format_time(float(info.get("end_s", 0.0))))
        )

    def _on_predraft(self, info: dict[str, Any]) -> None:
        until = format_time(float(info.get("until_s", 0.0)))
        self.pane.draft.setText(tr("live.predraft", count=int(info.get("items", 0)), until=until))

    def _on_problem(self, message: str) -> None:
        self.message = message
        self.pane.status.setText(tr("live.error", message=message))

    def _on_result(self, result: dict[str, Any]) -> None:
        self.result = result
        key = "live.done" if result.get("saved") else "live.done.unattached"
        self.pane.status.setText(tr(key, done=format_time(result.get("seconds", 0.0))))

    # -- the job (worker threads) ----------------------------------------------------------
    def _work(self, progress: ProgressFn, cancel: CancelToken) -> dict[str, Any]:
        from ..asr.live import PARTIAL_FILE
        from ..models.store import ModelStore
        from ..pipeline.live_job import LiveJob, LiveSpec
        from ..pipeline.predraft_job import predraft_spec

        store = ModelStore.default(self._settings)
        spec = LiveSpec(
            wav_path=str(self.part_path),
            asr_dir=str(store.get(self._options.asr_model).path),  # missing: on_error, German
            asr_options=self._asr_options,
            partial_path=str(self.folder / PARTIAL_FILE),
            window_seconds=self.window_seconds,
            live_file=str(self.folder / LIVE_FILE),
            block_seconds=self.block_seconds,
        )
        if self.diarize:
            try:
                spec.diar_dir = str(store.get(self._options.diarization_model).path)
                spec.diar_options = self._diar_options
            except UserError as exc:
                self.signals.problem.emit(str(exc))
            else:  # without the language model: no pre-draft, nothing to report while recording
                args = (spec.live_file, spec.partial_path, spec.diar_dir, spec.diar_options)
                spec.predraft = predraft_spec(self._options, store, self.folder, *args)
        job = LiveJob(spec)
        job.set_paused(self._paused)
        self.job = job
        if self._stop.is_set():
            job.stop()  # stopped while the job waited in the queue
        try:
            result = job.wait(
                self.signals.segments.emit,
                self.signals.block.emit,
                self.signals.problem.emit,
                cancel,
                on_predraft=self.signals.predraft.emit,
            )
        except Cancelled:
            self._hand_over(None, cancel)  # e.g. the window closes: the windows done stay usable
            raise
        transcript = result["transcript"]
        saved = self._hand_over(transcript, cancel)
        seconds, segments = transcript.duration, len(transcript.segments)
        return {
            "seconds": seconds,
            "segments": segments,
            "diarization": result["diarization"],
            "saved": saved,
        }

    def _hand_over(self, transcript: Any, cancel: CancelToken) -> bool:
        """Save the windows under the pipeline's key once the recording is attached.

        ``transcript`` None: take what the live process saved after its last window."""
        from ..asr.live import PARTIAL_FILE
        from ..base.types import Transcript
        from ..pipeline.live_job import save_partial

        while not self._attached.wait(0.2):
            if cancel.cancelled:  # closing without a stop: what is done stays unkeyed
                return False
        if self._key is None:
            return False
        path = self.folder / PARTIAL_FILE
        try:
            if transcript is None:
                transcript = Transcript.from_dict(
                    jsonio.loads(jsonio.read_bytes(path), ASR_PARTIAL)["transcript"]
                )
            return save_partial(path, self._key, transcript) is not None
        except (UserError, OSError, ValueError, KeyError, TypeError) as exc:
            if not cancel.cancelled:
                self.signals.problem.emit(str(exc))
            return False
