"""Recording view: device choice, level meter, elapsed time, controls, markers.

All audio work happens in ``audio.recorder`` (PortAudio callback + writer
thread); this widget only starts/stops it and polls ``elapsed``, ``level`` and
``error`` with a QTimer. ``offer_recovery`` is called by the shell at start-up.

With a ``JobRunner`` (the main window's) and „Live-Mitschrift während der Aufnahme“
checked, a ``live_pane.LiveSession`` transcribes (and diarizes) the recording while it
grows and shows the text in the ``LivePane``; ``hand_over(project)`` after the stop lets
it save its results under the pipeline's keys.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..audio.recorder import (
    DEFAULT_MARKER_LABEL,
    MIN_DBFS,
    Recorder,
    RecordingError,
    find_unfinished,
    input_devices,
    recover,
)
from ..base.errors import UserError
from .live_pane import LivePane, LiveSession
from .strings import tr

POLL_MS = 100
MARKER_KEY = Qt.Key.Key_F9

RecorderFactory = Callable[..., Recorder]


def format_time(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


class RecordView(QWidget):
    """Record a session into ``folder``; emits ``recording_finished(Path)``."""

    recording_started = Signal(Path)
    recording_finished = Signal(Path)
    marker_added = Signal(float, str)

    def __init__(
        self,
        folder: str | Path,
        parent: QWidget | None = None,
        recorder_factory: RecorderFactory = Recorder,
        jobs: Any = None,
        settings: Any = None,
        live_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.recorder: Recorder | None = None
        self._factory = recorder_factory
        # Live-Mitschrift: needs the JobRunner; a synchronous one (tests) would run the
        # live job inline, for as long as the recording, so it gets none.
        self.jobs = jobs
        self.settings = settings
        self.live_options = dict(live_options or {})  # LiveSession keywords (tests, benchmarks)
        self.live: LiveSession | None = None
        self.live_check = QCheckBox(tr("live.enable"))
        self.live_check.setToolTip(tr("live.enable.tip"))
        self.live_check.setChecked(self.live_available)  # never checked where it cannot run
        self.live_check.setEnabled(self.live_available)
        self.live_pane = LivePane()
        self.live_check.toggled.connect(lambda _on: self._show_live_choice())
        self._show_live_choice()
        self.session_label = QLabel(self)  # "Aufnahme für: <Sitzung>" (set_session)
        font = self.session_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.session_label.setFont(font)
        self.session_label.setToolTip(tr("record.into.tip"))
        self.note_label = QLabel(self)  # why a new session was made instead of the selected one
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color:#7A3E00;")
        self.note_label.hide()

        self.device_combo = QComboBox()
        self.device_combo.setToolTip("Mikrofon bzw. Aufnahmegerät")
        self.refresh_button = QToolButton()
        self.refresh_button.setText("Aktualisieren")
        self.refresh_button.clicked.connect(lambda: self.refresh_devices(rescan=True))
        self.level_bar = QProgressBar()
        self.level_bar.setRange(0, int(-MIN_DBFS))
        self.level_bar.setTextVisible(True)
        self.level_bar.setFormat("—")
        self.time_label = QLabel(format_time(0))
        self.time_label.setStyleSheet("font-size: 20pt; font-family: monospace;")
        self.status_label = QLabel("Bereit.")

        self.record_button = QPushButton("Aufnahme")
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Fortsetzen")
        self.stop_button = QPushButton("Stopp")
        self.marker_button = QPushButton("Nächster Tagesordnungspunkt (F9)")
        self.record_button.clicked.connect(self.start_recording)
        self.pause_button.clicked.connect(self.pause_recording)
        self.resume_button.clicked.connect(self.resume_recording)
        self.stop_button.clicked.connect(self.stop_recording)
        self.marker_button.clicked.connect(self.add_marker)
        self.marker_shortcut = QShortcut(QKeySequence(MARKER_KEY), self)
        self.marker_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.marker_shortcut.activated.connect(self.add_marker)
        self.marker_list = QListWidget()

        devices = QHBoxLayout()
        devices.addWidget(QLabel("Gerät:"))
        devices.addWidget(self.device_combo, 1)
        devices.addWidget(self.refresh_button)
        meter = QHBoxLayout()
        meter.addWidget(QLabel("Pegel:"))
        meter.addWidget(self.level_bar, 1)
        meter.addWidget(self.time_label)
        buttons = QHBoxLayout()
        for b in (self.record_button, self.pause_button, self.resume_button, self.stop_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.session_label)
        layout.addWidget(self.note_label)
        layout.addLayout(devices)
        layout.addLayout(meter)
        layout.addLayout(buttons)
        layout.addWidget(self.marker_button)
        layout.addWidget(self.live_check)
        layout.addWidget(QLabel("Marken:"))
        layout.addWidget(self.marker_list, 1)
        layout.addWidget(self.live_pane, 3)
        layout.addWidget(self.status_label)

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.refresh_devices()
        self._update_buttons()

    # -- devices -------------------------------------------------------------------
    def refresh_devices(self, rescan: bool = False) -> None:
        if self.is_recording():
            return
        self.device_combo.clear()
        try:
            devices = input_devices(refresh=rescan)
        except UserError as exc:
            self.status_label.setText(str(exc))
            devices = []
        for d in devices:
            self.device_combo.addItem(f"{d.name}{' (Standard)' if d.is_default else ''}", d.index)
            if d.is_default:
                self.device_combo.setCurrentIndex(self.device_combo.count() - 1)
        if not devices:
            self.device_combo.addItem("Kein Aufnahmegerät gefunden", None)
        self._update_buttons()

    # -- state ---------------------------------------------------------------------
    def is_recording(self) -> bool:
        return self.recorder is not None and self.recorder.active

    @property
    def live_available(self) -> bool:
        return self.jobs is not None and not getattr(self.jobs, "synchronous", False)

    def set_session(self, name: str, note: str = "") -> None:
        """Name the session the recording goes into; ``note`` says why it is a new one."""
        self.session_label.setText(tr("record.into", name=name))
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

    def _show_live_choice(self) -> None:
        """The line under the checkbox says what the checkbox says (before a recording runs)."""
        if self.live is not None and self.live.running:
            return  # the running live job reports its own state
        if not self.live_available:
            self.live_pane.status.setText(tr("live.unavailable"))
        else:
            self.live_pane.status.setText(tr("live.on" if self.live_check.isChecked() else "live.unchecked"))

    def set_folder(self, folder: str | Path) -> None:
        """Where the next recording goes (the shell sets the project folder)."""
        self.folder = Path(folder)

    def _update_buttons(self) -> None:
        state = self.recorder.state if self.recorder is not None else "idle"
        active = state in ("recording", "paused")
        has_device = self.device_combo.currentData() is not None
        self.record_button.setEnabled(not active and has_device)
        self.device_combo.setEnabled(not active)
        self.refresh_button.setEnabled(not active)
        self.live_check.setEnabled(not active and self.live_available)
        self.pause_button.setEnabled(state == "recording")
        self.resume_button.setEnabled(state == "paused")
        self.stop_button.setEnabled(active)
        self.marker_button.setEnabled(active)

    def _warn(self, text: str) -> None:
        QMessageBox.warning(self, "Aufnahme", text)

    # -- actions -------------------------------------------------------------------
    def start_recording(self) -> None:
        if self.is_recording():
            return
        recorder = self._factory(self.folder, device=self.device_combo.currentData())
        try:
            recorder.start()
        except UserError as exc:
            self.status_label.setText("Aufnahme nicht gestartet.")
            self._warn(str(exc))
            return
        self.recorder = recorder
        self.marker_list.clear()
        self.status_label.setText(f"Aufnahme läuft: {recorder.part_path}")
        self.timer.start()
        self._update_buttons()
        self._start_live(recorder)
        if recorder.part_path is not None:
            self.recording_started.emit(recorder.part_path)

    def _start_live(self, recorder: Recorder) -> None:
        if self.live is not None and self.live.running:
            self.live.release_pane()  # the previous recording's live job is still finishing
        self.live = None
        if not (self.live_available and self.live_check.isChecked() and recorder.part_path is not None):
            self.live_pane.clear()
            self._show_live_choice()
            return
        self.live = LiveSession(
            self.jobs, self.folder, recorder.part_path, self.settings, self.live_pane, **self.live_options
        )
        self.live.start()

    def hand_over(self, project: Any) -> None:
        """The finished recording was attached to ``project``: the live results get its keys."""
        if self.live is not None:
            self.live.attach(project)

    def pause_recording(self) -> None:
        if self.recorder is not None:
            self.recorder.pause()
            self.status_label.setText("Pausiert – die Pause wird nicht aufgenommen.")
            if self.live is not None:
                self.live.set_paused(True)
            self._update_buttons()

    def resume_recording(self) -> None:
        if self.recorder is not None:
            self.recorder.resume()
            self.status_label.setText(f"Aufnahme läuft: {self.recorder.part_path}")
            if self.live is not None:
                self.live.set_paused(False)
            self._update_buttons()

    def add_marker(self) -> None:
        if not self.is_recording():
            return
        assert self.recorder is not None
        marker = self.recorder.add_marker(DEFAULT_MARKER_LABEL)
        self.marker_list.addItem(f"{format_time(marker.time)}  –  {marker.label}")
        self.marker_list.scrollToBottom()
        self.marker_added.emit(marker.time, marker.label)

    def stop_recording(self) -> Path | None:
        """Finish the recording; returns the WAV (None if nothing was recording)."""
        recorder = self.recorder
        if recorder is None or recorder.state in ("idle", "stopped"):
            return None
        self.timer.stop()
        try:
            path = recorder.stop()
        except RecordingError as exc:
            if self.live is not None:  # the part file stays for recovery: no session to hand over to
                self.live.stop()
                self.live.attach(None)
            self._warn(str(exc))
            self._update_buttons()
            return None
        self.level_bar.setValue(0)
        self.level_bar.setFormat("—")
        self.time_label.setText(format_time(recorder.elapsed))
        self.status_label.setText(f"Gespeichert: {path}")
        self._update_buttons()
        if self.live is not None:
            self.live.stop()
        self.recording_finished.emit(path)  # the main window attaches it and calls hand_over
        if self.live is not None:
            self.live.attach(None)  # not attached to a session (a no-op after hand_over)
        return path

    def _poll(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        if recorder.error is not None:
            message = str(recorder.error)
            path = self.stop_recording()
            self._warn(message + (f"\n\nGespeichert: {path}" if path else ""))
            return
        level = recorder.level
        self.level_bar.setValue(int(round(level.peak_dbfs - MIN_DBFS)))
        self.level_bar.setFormat(f"{level.peak_dbfs:.0f} dBFS" if level.peak_dbfs > MIN_DBFS else "—")
        self.time_label.setText(format_time(recorder.elapsed))
        if self.live is not None:
            self.live.update_status(recorder.elapsed, recorder.state == "paused")


def offer_recovery(parent: QWidget | None, library_folder: str | Path) -> list[Path]:
    """At start-up: find unfinished recordings and offer to recover them.

    Returns the recovered WAV files (empty if none were found or the user declined;
    declined files are offered again next time).
    """
    found = find_unfinished(library_folder)
    if not found:
        return []
    lines = "\n".join(f"• {p.name} ({p.stat().st_size / 1e6:.1f} MB) in {p.parent}" for p in found)
    intro = (
        "Eine Aufnahme wurde nicht regulär beendet"
        if len(found) == 1
        else f"{len(found)} Aufnahmen wurden nicht regulär beendet"
    )
    answer = QMessageBox.question(
        parent,
        "Unterbrochene Aufnahme",
        f"{intro} (z. B. Absturz oder Stromausfall):\n\n{lines}\n\n"
        "Jetzt wiederherstellen? Dabei geht höchstens das Ende (etwa 2 Sekunden) verloren.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return []
    recovered: list[Path] = []
    errors: list[str] = []
    for part in found:
        try:
            recovered.append(recover(part))
        except RecordingError as exc:
            errors.append(str(exc))
    if recovered:
        QMessageBox.information(
            parent,
            "Aufnahme wiederhergestellt",
            "Wiederhergestellt:\n\n" + "\n".join(f"• {p}" for p in recovered),
        )
    if errors:
        QMessageBox.warning(parent, "Wiederherstellung", "\n\n".join(errors))
    return recovered
