"""Transport controls for the session audio: play/pause, ±5 s, speed, position."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from ..audio.player import JUMP_SECONDS, Player
from ..base.errors import UserError
from .format import format_time

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


class PlayerBar(QWidget):
    error = Signal(str)  # German message, e.g. no sound card

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.unavailable = ""  # why there is nothing to play (set_unavailable)
        self.play_button = self._button("Abspielen", "Abspielen / Pause (Leertaste)", self.toggle)
        self.play_button.setMinimumWidth(self.play_button.fontMetrics().horizontalAdvance("Abspielen") + 24)
        back = self._button("− 5 s", "5 Sekunden zurück (Strg+Links)", lambda: self.jump(-JUMP_SECONDS))
        forward = self._button("+ 5 s", "5 Sekunden vor (Strg+Rechts)", lambda: self.jump(JUMP_SECONDS))
        self.time_label = QLabel(self)
        self.time_label.setMinimumWidth(
            self.time_label.fontMetrics().horizontalAdvance("0:00:00,0 / 0:00:00") + 8
        )
        self.speed_box = QComboBox(self)
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g} ×".replace(".", ","), speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setToolTip("Abspielgeschwindigkeit (Strg+Hoch / Strg+Runter)")
        self.speed_box.currentIndexChanged.connect(self._speed_chosen)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.play_button, back, forward, self.time_label):
            layout.addWidget(widget)
        layout.addWidget(QLabel("Tempo:", self))
        layout.addWidget(self.speed_box)
        layout.addStretch(1)
        self.update_position()

    def _button(self, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _guard(self, action: Callable[[], None]) -> None:
        if self.unavailable:  # a click on a segment, an evidence link, Space: say why nothing plays
            self.error.emit(self.unavailable)
            return
        try:
            action()
        except UserError as exc:
            self.error.emit(str(exc))
        self.update_position()

    def toggle(self) -> None:
        self._guard(self.player.toggle)

    def play_from(self, seconds: float, until: float | None = None) -> None:
        self._guard(lambda: self.player.play(seconds, until))

    def seek(self, seconds: float) -> None:
        self._guard(lambda: self.player.seek(seconds))

    def jump(self, delta: float) -> None:
        self._guard(lambda: self.player.jump(delta))

    def step_speed(self, steps: int) -> None:
        index = min(max(self.speed_box.currentIndex() + steps, 0), len(SPEEDS) - 1)
        self.speed_box.setCurrentIndex(index)

    def _speed_chosen(self, index: int) -> None:
        self.player.speed = SPEEDS[index]

    def set_unavailable(self, reason: str) -> None:
        """No recording (deleted under the retention rules): every control disabled, ``reason`` shown."""
        self.unavailable = reason
        for widget in (*self.findChildren(QToolButton), self.speed_box):
            widget.setEnabled(False)
            widget.setToolTip(reason)
        self.time_label.setText("Aufnahme gelöscht" if "gelöscht" in reason else "keine Aufnahme")
        self.time_label.setToolTip(reason)

    def update_position(self) -> None:
        if self.unavailable:
            return
        playing = self.player.playing
        self.play_button.setText("Pause" if playing else "Abspielen")
        self.time_label.setText(
            f"{format_time(self.player.position, tenths=True)} / {format_time(self.player.duration)}"
        )
