"""Timeline: waveform, coloured speaker turns, agenda items and the playhead.

Click or drag to seek; the wheel zooms around the mouse (Shift+wheel scrolls);
the buttons zoom from the whole session down to a few seconds.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QHBoxLayout, QScrollBar, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from ..base.types import MinutesItem, Segment
from .format import format_time
from .speaker_colors import speaker_color, speaker_tint
from .waveform import WaveformEnvelope

MIN_SPAN = 2.0  # seconds visible at the deepest zoom
ZOOM_STEP = 1.5
_TICKS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
_ITEM_FILLS = ("#E8EEF7", "#F3ECE0")


class TimelineCanvas(QWidget):
    """The drawing; the view window is ``view_start .. view_start + view_span`` seconds."""

    seek_requested = Signal(float)
    view_changed = Signal()

    def __init__(self, envelope: WaveformEnvelope, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.envelope = envelope
        self.duration = max(envelope.duration, 0.1)
        self.view_start = 0.0
        self.view_span = self.duration
        self.playhead = 0.0
        self.highlight: tuple[float, float] | None = None  # evidence shown from the draft
        self.segments: list[Segment] = []
        self.items: list[MinutesItem] = []
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(False)
        self.setToolTip("Klicken oder ziehen: Wiedergabeposition setzen · Mausrad: zoomen")
        self._filler = QTimer(self)  # fills the envelope in the background, chunk by chunk
        self._filler.setInterval(0)
        self._filler.timeout.connect(self._fill_some)
        if not envelope.complete:
            self._filler.start()

    # -- data --------------------------------------------------------------------
    def set_data(self, segments: list[Segment], items: list[MinutesItem]) -> None:
        self.segments = sorted(segments, key=lambda s: s.start)
        self.items = items
        self.update()

    def set_playhead(self, seconds: float, follow: bool = False) -> None:
        self.playhead = seconds
        if follow and not self.view_start <= seconds <= self.view_start + self.view_span:
            self.set_view(seconds - 0.1 * self.view_span, self.view_span)
        self.update()

    def show_span(self, start: float, end: float) -> None:
        """Zoom to ``start..end`` (with a margin) and highlight it."""
        self.highlight = (start, end)
        margin = max((end - start) * 0.25, 1.0)
        self.set_view(start - margin, end - start + 2 * margin)
        self.update()

    # -- geometry ------------------------------------------------------------------
    def time_at(self, x: float) -> float:
        t = self.view_start + x / max(self.width(), 1) * self.view_span
        return min(max(t, 0.0), self.duration)

    def x_at(self, seconds: float) -> float:
        return (seconds - self.view_start) / self.view_span * self.width()

    def set_view(self, start: float, span: float) -> None:
        span = min(max(span, MIN_SPAN), self.duration)
        start = min(max(start, 0.0), max(self.duration - span, 0.0))
        if (start, span) != (self.view_start, self.view_span):
            self.view_start, self.view_span = start, span
            self.view_changed.emit()
            self.update()

    def zoom(self, factor: float, around: float | None = None) -> None:
        """``factor`` > 1 zooms in, keeping the time ``around`` (default: view centre) in place."""
        centre = self.view_start + self.view_span / 2 if around is None else around
        rel = (centre - self.view_start) / self.view_span
        span = self.view_span / factor
        self.set_view(centre - rel * span, span)

    def zoom_all(self) -> None:
        self.set_view(0.0, self.duration)

    # -- input -------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if event.button() == Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.time_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.time_at(event.position().x()))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120 or event.angleDelta().x() / 120
        if not steps:
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.set_view(self.view_start - steps * 0.1 * self.view_span, self.view_span)
        else:
            self.zoom(ZOOM_STEP**steps, self.time_at(event.position().x()))
        event.accept()

    def _fill_some(self) -> None:
        if self.envelope.compute_some(max_chunks=5):
            self._filler.stop()
        self.update()

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        w, h = self.width(), self.height()
        fm = p.fontMetrics()
        line = fm.height()
        items_h, speakers_h, axis_h = line + 6, 10, line + 4
        wave = QRectF(0, items_h + 2, w, h - items_h - speakers_h - axis_h - 6)
        p.fillRect(self.rect(), self.palette().base())
        self._paint_items(p, QRectF(0, 0, w, items_h))
        self._paint_wave(p, wave)
        self._paint_speakers(p, QRectF(0, wave.bottom() + 2, w, speakers_h))
        self._paint_axis(p, QRectF(0, h - axis_h, w, axis_h))
        if self.highlight is not None and self._visible(*self.highlight):
            x0, x1 = self.x_at(self.highlight[0]), self.x_at(self.highlight[1])
            p.fillRect(QRectF(x0, 0, max(x1 - x0, 2.0), h), QColor(255, 193, 7, 70))
            p.setPen(QPen(QColor("#B28704"), 1))
            p.drawRect(QRectF(x0, 0, max(x1 - x0, 2.0), h - 1))
        x = self.x_at(self.playhead)
        p.setPen(QPen(QColor("#C62828"), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.end()

    def _visible(self, start: float | None, end: float | None) -> bool:
        return (
            start is not None
            and end is not None
            and end > self.view_start
            and (start < self.view_start + self.view_span)
        )

    def _paint_items(self, p: QPainter, band: QRectF) -> None:
        font = QFont(p.font())
        font.setBold(True)
        p.setFont(font)
        for i, item in enumerate(self.items):
            if not self._visible(item.start, item.end):
                continue
            assert item.start is not None and item.end is not None
            x0, x1 = max(self.x_at(item.start), 0.0), min(self.x_at(item.end), float(self.width()))
            rect = QRectF(x0, band.top() + 1, max(x1 - x0, 1.0), band.height() - 2)
            p.fillRect(rect, QColor(_ITEM_FILLS[i % 2]))
            p.setPen(QColor("#5A6B85"))
            p.drawRect(rect)
            label = f"TOP {item.number}" if item.number else item.title
            text = p.fontMetrics().elidedText(
                f"{label} {item.title}" if item.number else label,
                Qt.TextElideMode.ElideRight,
                int(rect.width()) - 8,
            )
            p.setPen(QColor("#1F2A3D"))
            p.drawText(rect.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, text)
        p.setFont(self.font())

    def _paint_wave(self, p: QPainter, rect: QRectF) -> None:
        for seg in self.segments:  # speaker tint behind the waveform
            if self._visible(seg.start, seg.end):
                x0, x1 = self.x_at(seg.start), self.x_at(seg.end)
                p.fillRect(
                    QRectF(x0, rect.top(), max(x1 - x0, 1.0), rect.height()), speaker_tint(seg.speaker, 28)
                )
        mins, maxs = self.envelope.envelope(self.view_start, self.view_start + self.view_span, self.width())
        peak = max(float(np.max(np.abs(maxs))), float(np.max(np.abs(mins))), 0.05)
        mid, half = rect.center().y(), rect.height() / 2 / peak
        p.setPen(QPen(QColor("#455A64"), 1))
        p.drawLine(QPointF(0, mid), QPointF(rect.width(), mid))
        top = mid - maxs * half
        bottom = mid - mins * half
        p.drawLines(
            [QPointF(x + 0.5, t) for x, pair in enumerate(zip(top, bottom, strict=True)) for t in pair]
        )

    def _paint_speakers(self, p: QPainter, band: QRectF) -> None:
        for seg in self.segments:
            if self._visible(seg.start, seg.end):
                x0, x1 = self.x_at(seg.start), self.x_at(seg.end)
                p.fillRect(
                    QRectF(x0, band.top(), max(x1 - x0, 1.0), band.height()), speaker_color(seg.speaker)
                )

    def _paint_axis(self, p: QPainter, band: QRectF) -> None:
        fm = p.fontMetrics()
        min_px = fm.horizontalAdvance("0:00:00") + 24
        step = next((t for t in _TICKS if t / self.view_span * self.width() >= min_px), _TICKS[-1])
        p.setPen(QColor("#37474F"))
        t = math.floor(self.view_start / step) * step
        while t <= self.view_start + self.view_span:
            x = self.x_at(t)
            if x >= 0:
                p.drawLine(QPointF(x, band.top()), QPointF(x, band.top() + 4))
                p.drawText(QPointF(x + 3, band.bottom() - fm.descent()), format_time(t, tenths=step < 1))
            t += step


class Timeline(QWidget):
    """Canvas plus scroll bar and zoom buttons."""

    seek_requested = Signal(float)

    def __init__(self, envelope: WaveformEnvelope, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = TimelineCanvas(envelope, self)
        self.canvas.seek_requested.connect(self.seek_requested)
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.scrollbar.valueChanged.connect(self._scrolled)
        self.canvas.view_changed.connect(self._sync_scroll)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.scrollbar, 1)
        for text, tip, slot in (
            ("−", "Herauszoomen", lambda: self.canvas.zoom(1 / ZOOM_STEP)),
            ("+", "Hineinzoomen", lambda: self.canvas.zoom(ZOOM_STEP)),
            ("Ganze Sitzung", "Die ganze Sitzung zeigen", self.canvas.zoom_all),
        ):
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.canvas)
        layout.addLayout(buttons)
        self._sync_scroll()

    def _sync_scroll(self) -> None:
        c = self.canvas
        self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, int((c.duration - c.view_span) * 10))
        self.scrollbar.setPageStep(max(int(c.view_span * 10), 1))
        self.scrollbar.setSingleStep(max(int(c.view_span), 1))
        self.scrollbar.setValue(int(c.view_start * 10))
        self.scrollbar.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        self.canvas.set_view(value / 10, self.canvas.view_span)
