"""The running „Neu erzeugen“ of one draft item: what happens, since when, and Abbrechen.

Shown in the item editor while its fields are locked (``ItemEditor.set_busy``), so the
secretary sees that the item is being redrafted and can stop it instead of typing into
fields the new draft would replace.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .format import format_time
from .strings import tr


class RegenPanel(QFrame):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("RegenPanel { background:#D6E6FA; border:1px solid #7FA7D9; border-radius:4px; }")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy until the first fraction is reported
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.elapsed = QLabel(self)
        self.cancel_button = QPushButton(tr("draft.regen.cancel"), self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        row = QHBoxLayout(self)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(self.elapsed)
        row.addWidget(self.cancel_button)
        self._started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self.hide()

    def start(self, number: str, since: float | None = None) -> None:
        """Show the panel for TOP ``number`` (``since``: when the job began, time.monotonic())."""
        self._started = since if since is not None else time.monotonic()
        self.label.setText(tr("draft.regen.busy", number=number))
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self._tick()
        self._timer.start()
        self.show()

    def progress(self, fraction: float, text: str) -> None:
        if 0.0 < fraction < 1.0:
            self.bar.setRange(0, 100)
            self.bar.setValue(int(fraction * 100))
        if text:
            self.bar.setToolTip(text)

    def stop(self) -> None:
        self._timer.stop()
        self.hide()

    def _tick(self) -> None:
        self.elapsed.setText(format_time(time.monotonic() - self._started))
