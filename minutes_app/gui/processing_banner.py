"""The global processing indicator above the session list: which session is being processed,
how far it is, the time left, how many wait; "Anzeigen" opens the processing view (on request only)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

BAR_STEPS = 1000


class ProcessingBanner(QFrame):
    show_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setFormat("%p %")
        self.bar.setAccessibleName("Gesamtfortschritt der Verarbeitung")
        self.bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 30)
        button = QPushButton("Anzeigen", self)
        button.setToolTip("Die Verarbeitung mit allen Schritten zeigen")
        button.clicked.connect(self.show_requested.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(button)
        self.setVisible(False)

    def update_state(self, text: str, fraction: float, active: bool) -> None:
        """``text``: e.g. "Verarbeitung: Ratssitzung – Spracherkennung, noch etwa 12 min"."""
        self.label.setText(text)
        self.bar.setValue(round(min(max(fraction, 0.0), 1.0) * BAR_STEPS))
        self.setVisible(active or bool(text))
