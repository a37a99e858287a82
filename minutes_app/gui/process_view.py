"""Processing view: runs ``pipeline.run.run_pipeline`` for queued sessions through the JobRunner.

Queued sessions run one after another with their models kept loaded in between
(``keep_models_loaded`` while more are waiting; handed back when the queue is empty).
One progress bar per stage (names from ``STAGE_NAMES``, slices from ``WEIGHTS``),
elapsed time and an estimate of the rest, Abbrechen. Errors are shown in plain
German with what to do; finished stages stay in the project folder.
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
from .jobs import JobHandle, JobRunner
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
        self._baseline: tuple[int, float, float] | None = None  # stage, time, fraction
        self._fraction = 0.0

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
        self.status.setText("")
        self._started = time.monotonic()
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
        for i, part in enumerate(stage_fractions(fraction)):
            self.bars[i].setValue(round(part * BAR_STEPS))
            self.states[i].setText(
                tr("process.done")
                if part >= 1.0
                else tr("process.running")
                if part > 0
                else tr("process.waiting")
            )
        stage = next((i for i, part in enumerate(stage_fractions(fraction)) if part < 1.0), len(STAGES) - 1)
        if self._baseline is None or self._baseline[0] != stage:
            self._baseline = (stage, time.monotonic(), fraction)
        self._update_eta()

    def _on_result(self, folder: Path, result: SessionResult) -> None:
        self.results[folder] = result
        for i, bar in enumerate(self.bars):
            bar.setValue(BAR_STEPS)
            self.states[i].setText(tr("process.done"))
        self.status.setText(tr("process.finished"))
        self.processed.emit(folder)

    def _on_error(self, folder: Path, message: str) -> None:
        self.failed.append(folder)
        text = tr("process.error", message=message)
        previous = self.error.text()
        self.error.setText(f"{previous}\n\n{text}" if previous else f"{text}\n\n{tr('process.error.hint')}")
        self.error.setVisible(True)
        self.status.setText("")

    def _on_cancelled(self, folder: Path) -> None:
        self.failed.insert(0, folder)
        self.status.setText(tr("process.cancelled"))

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
        self._baseline = None
        for bar, state in zip(self.bars, self.states, strict=True):
            bar.setValue(0)
            state.setText(tr("process.waiting"))
        self.eta.setText("")

    def _update_eta(self) -> None:
        if not self.running:
            return
        now = time.monotonic()
        elapsed = fmt_duration(now - self._started)
        remaining = None
        if self._baseline is not None:
            _, t0, f0 = self._baseline
            if now - t0 > 2.0 and self._fraction - f0 > 0.002:
                remaining = (now - t0) / (self._fraction - f0) * (1.0 - self._fraction)
        if remaining is None:
            self.eta.setText(tr("process.eta.unknown", elapsed=elapsed))
        else:
            self.eta.setText(tr("process.eta", elapsed=elapsed, remaining=fmt_duration(remaining)))

    def _update_queue_label(self) -> None:
        self.queue_label.setText(tr("process.queue", count=len(self.queue)) if self.queue else "")

    def _update_buttons(self) -> None:
        running = self.running
        self.cancel_button.setEnabled(running)
        self.retry_button.setVisible(not running and bool(self.failed))
        self.back_button.setEnabled(True)
