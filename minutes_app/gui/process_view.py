"""Processing view: runs ``pipeline.run.run_pipeline`` for queued sessions through the JobRunner.

Queued sessions run one after another with their models kept loaded in between
(``keep_models_loaded`` while more are waiting; handed back when the queue is empty).
One progress bar per stage (names from ``STAGE_NAMES``, slices from ``WEIGHTS``) with its
state and, while it waits, the reason (``process_status.stage_states``: "wartet auf
Spracherkennung", "wartet auf freien Prozessor"), elapsed time and a smoothed estimate of
the rest (``process_status.EtaEstimator``), Abbrechen. After a cancel or an error each stage
shows what really happened. ``overall_changed`` feeds the indicator above the session list.
Errors are shown in plain German with what to do; finished stages stay in the project folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..base.jobs import CancelToken, ProgressFn
from ..base.model_cache import release as release_models
from ..base.settings import Settings
from ..pipeline.run import STAGE_NAMES, WEIGHTS, PipelineOptions, run_pipeline
from ..session.project import Project
from ..session.result import SessionResult
from .jobs import QUEUED, JobHandle, JobRunner
from .process_status import CANCELLED, FAILED, RUNNING, EtaEstimator, stage_states
from .strings import fmt_duration, tr

STAGES = tuple(STAGE_NAMES)
BAR_STEPS = 1000


def pipeline_options(settings: Settings, project: Project, **overrides: Any) -> PipelineOptions:
    """PipelineOptions from the settings and the project's attendees (the GUI's only knobs)."""
    attendees = [a["name"] for a in project.data.get("attendees", []) if a.get("name")]
    return PipelineOptions.from_settings(settings, attendees=attendees, **overrides)


def stage_fractions(fraction: float) -> list[float]:
    """Overall pipeline fraction -> fraction of each stage (the stages' slices of 0..1)."""
    out, start = [], 0.0
    for stage in STAGES:
        width = WEIGHTS[stage]
        out.append(min(max((fraction - start) / width, 0.0), 1.0) if width else 1.0)
        start += width
    return out


class ProcessView(QWidget):
    processed = Signal(Path)  # one session finished
    finished_all = Signal(Path)  # the queue ran through without failure: the last session
    back_requested = Signal()
    overall_changed = Signal(str, float, bool)  # one line for the session list, fraction, running

    def __init__(
        self,
        jobs: JobRunner,
        settings: Callable[[], Settings],
        parent: QWidget | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.settings = settings
        self.overrides = overrides  # PipelineOptions fields (tests: llm_model=...)
        self.queue: list[Path] = []
        self.failed: list[Path] = []
        self.current: Path | None = None
        self.handle: JobHandle | None = None
        self.results: dict[Path, SessionResult] = {}
        self._started = 0.0
        self._fraction = 0.0
        self._parts = [0.0] * len(STAGES)
        self._name = ""
        parallel = bool(overrides.get("parallel", True))
        self._parallel = parallel
        # diarization mostly runs beside ASR: its slice of the bar costs little extra time
        costs = [WEIGHTS[s] * (0.2 if s == "diarization" and parallel else 1.0) for s in STAGES]
        self._eta = EtaEstimator([WEIGHTS[s] for s in STAGES], costs)

        self.heading = QLabel(tr("process.heading.idle"))
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        grid = QGridLayout()
        self.bars: list[QProgressBar] = []
        self.states: list[QLabel] = []
        for row, stage in enumerate(STAGES):
            label = QLabel(STAGE_NAMES[stage])
            bar = QProgressBar()
            bar.setRange(0, BAR_STEPS)
            bar.setFormat("%p %")
            bar.setAccessibleName(STAGE_NAMES[stage])
            state = QLabel(tr("process.waiting"))
            label.setBuddy(bar)
            grid.addWidget(label, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(state, row, 2)
            self.bars.append(bar)
            self.states.append(state)
        grid.setColumnStretch(1, 1)
        self.eta = QLabel("")
        self.queue_label = QLabel("")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setFrameShape(QFrame.Shape.StyledPanel)
        self.error.setStyleSheet("QLabel { color: #a40000; padding: 0.5em; }")
        self.error.setVisible(False)

        self.cancel_button = QPushButton(tr("process.cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = QPushButton(tr("process.retry"))
        self.retry_button.clicked.connect(self.retry)
        self.back_button = QPushButton(tr("process.back"))
        self.back_button.clicked.connect(self.back_requested.emit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.retry_button, self.cancel_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        layout.addWidget(self.eta)
        layout.addWidget(self.queue_label)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._update_eta)
        self._update_buttons()

    # -- queue ----------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.handle is not None and not self.handle.done

    def start(self, folders: list[Path]) -> None:
        """Queue sessions for processing; the first one starts at once if nothing runs."""
        if not self.running:
            self.failed = []
            self.error.clear()
            self.error.setVisible(False)
        self.queue += [Path(f) for f in folders if Path(f) not in self.queue and Path(f) != self.current]
        if not self.running:
            self._run_next()
        self._update_queue_label()

    def _run_next(self) -> None:
        if not self.queue:
            self._update_buttons()
            return
        folder = self.queue.pop(0)
        self.current = folder
        self._reset_bars()
        self._update_queue_label()
        try:
            name = Project.load(folder).name
        except Exception:
            name = folder.name
        self.heading.setText(tr("process.heading", name=name))
        self._name = name
        self.status.setText("")
        self._started = time.monotonic()
        self._eta.reset(self._started)
        self._timer.start()
        settings = self.settings()
        overrides = dict(self.overrides)
        # More sessions waiting: keep the models loaded for them (the last one hands them back).
        overrides.setdefault("keep_models_loaded", bool(self.queue))

        def work(progress: ProgressFn, cancel: CancelToken) -> SessionResult:  # worker thread
            from ..models.store import ModelStore

            project = Project.load(folder)
            options = pipeline_options(settings, project, **overrides)
            return run_pipeline(project, options, ModelStore.default(settings), progress, cancel)

        self.handle = self.jobs.submit(
            work,
            name=tr("process.heading", name=name),
            on_progress=self._on_progress,
            on_result=lambda result: self._on_result(folder, result),
            on_error=lambda message: self._on_error(folder, message),
            on_cancelled=lambda: self._on_cancelled(folder),
            on_finished=self._on_finished,
        )
        self._show_states()
        self._update_buttons()

    def cancel(self) -> None:
        """Abbrechen: stop the running session and drop the rest of the queue."""
        if self.running and self.handle is not None:
            self.failed += [p for p in self.queue if p not in self.failed]
            self.queue = []
            self.status.setText(tr("process.cancelling"))
            self.cancel_button.setEnabled(False)
            self.handle.cancel()

    def retry(self) -> None:
        folders, self.failed = self.failed, []
        self.start(folders)

    # -- job callbacks (GUI thread) ------------------------------------------------------------------
    def _on_progress(self, fraction: float, message: str) -> None:
        self._fraction = fraction
        self._parts = stage_fractions(fraction)
        for bar, part in zip(self.bars, self._parts, strict=True):
            bar.setValue(round(part * BAR_STEPS))
        self._eta.update(time.monotonic(), fraction)
        self._show_states()
        self._update_eta()

    def _on_result(self, folder: Path, result: SessionResult) -> None:
        self.results[folder] = result
        self._parts = [1.0] * len(STAGES)
        for bar in self.bars:
            bar.setValue(BAR_STEPS)
        self._show_states()
        self.status.setText(tr("process.finished"))
        self.overall_changed.emit(tr("process.banner.done", name=self._name), 1.0, bool(self.queue))
        self.processed.emit(folder)

    def _on_error(self, folder: Path, message: str) -> None:
        self.failed.append(folder)
        text = tr("process.error", message=message)
        previous = self.error.text()
        self.error.setText(f"{previous}\n\n{text}" if previous else f"{text}\n\n{tr('process.error.hint')}")
        self.error.setVisible(True)
        self.status.setText("")
        self._show_states(ended=FAILED)
        self.overall_changed.emit(tr("process.banner.failed", name=self._name), self._fraction, False)

    def _on_cancelled(self, folder: Path) -> None:
        self.failed.insert(0, folder)
        self.status.setText(tr("process.cancelled"))
        self._show_states(ended=CANCELLED)
        self.eta.setText("")
        self.overall_changed.emit(tr("process.banner.cancelled", name=self._name), self._fraction, False)

    def _on_finished(self) -> None:
        self._timer.stop()
        done = self.current
        self.handle = None
        self.current = None
        if self.queue:
            self._run_next()
            return
        self._update_queue_label()
        self._update_buttons()
        release_models()  # a queue cut short (Abbrechen, error) still hands its models back
        if done is not None and not self.failed and done in self.results:
            self.finished_all.emit(done)

    # -- display ---------------------------------------------------------------------------------------
    def _reset_bars(self) -> None:
        self._fraction = 0.0
        self._parts = [0.0] * len(STAGES)
        for bar in self.bars:
            bar.setValue(0)
        self._show_states()
        self.eta.setText("")

    def queued_behind(self) -> str | None:
        """The name of the job that holds the processor while ours waits for it."""
        if self.handle is None or self.handle.state != QUEUED:
            return None
        other = self.jobs.current_model_job
        return other.name if other is not None and other.name else tr("process.other_job")

    def _show_states(self, ended: str | None = None) -> None:
        """Each stage's state, with the reason it waits, or what happened at a cancel/error."""
        states = stage_states(
            self._parts,
            STAGES,
            STAGE_NAMES,
            parallel=self._parallel,
            queued_behind=self.queued_behind() if ended is None else None,
            ended=ended,
        )
        for label, (_state, text) in zip(self.states, states, strict=True):
            label.setText(text)

    def session_labels(self) -> dict[Path, str]:
        """State texts for the session list: the running session and those waiting in the queue."""
        labels = {folder: tr("process.session.queued") for folder in self.queue}
        if self.current is not None and self.running:
            labels[self.current] = tr("process.session.running", percent=round(self._fraction * 100))
        return labels

    def _update_eta(self) -> None:
        if not self.running:
            return
        self._show_states()  # a queued job may have started meanwhile
        now = time.monotonic()
        elapsed = fmt_duration(now - self._started)
        remaining = self._eta.remaining(now)
        if remaining is None:
            self.eta.setText(tr("process.eta.unknown", elapsed=elapsed))
        else:
            self.eta.setText(tr("process.eta", elapsed=elapsed, remaining=fmt_duration(remaining)))
        behind = self.queued_behind()
        states = stage_states(self._parts, STAGES, STAGE_NAMES, parallel=self._parallel)
        stage = next((STAGE_NAMES[s] for s, (st, _) in zip(STAGES, states, strict=True) if st == RUNNING), "")
        if behind is not None:
            line = tr("process.banner.queued", name=self._name, other=behind)
        elif remaining is None:
            line = tr("process.banner.running", name=self._name, stage=stage)
        else:
            line = tr("process.banner.eta", name=self._name, stage=stage, remaining=fmt_duration(remaining))
        if self.queue:
            line += " · " + tr("process.queue", count=len(self.queue))
        self.overall_changed.emit(line, self._fraction, True)

    def _update_queue_label(self) -> None:
        self.queue_label.setText(tr("process.queue", count=len(self.queue)) if self.queue else "")

    def _update_buttons(self) -> None:
        running = self.running
        self.cancel_button.setEnabled(running)
        self.retry_button.setVisible(not running and bool(self.failed))
        self.back_button.setEnabled(True)
