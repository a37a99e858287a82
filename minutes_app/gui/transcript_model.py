"""Item model over ``doc.segments`` and the delegate that draws each segment as a card.

A card shows time and speaker (in the speaker's colour) above the wrapped text.
The delegate also maps a click inside the text to the word under the mouse, so a
click plays from that word. Uncertain words (probability < 0.5) can be marked, search hits
(``model.search_text``) are highlighted. While a card is edited it grows by the editor's
extra height, so the inline editor never covers the next card.
"""

from __future__ import annotations

import bisect
import html
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ..base.types import Segment
from ..session.editing import SessionDoc
from .format import format_time
from .speaker_colors import speaker_color
from .undo import push, set_text

SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1
LOW_PROBABILITY = 0.5
PAD = 8
STRIPE = 5
_PLAYING = QColor("#FFF4C7")
_UNCERTAIN = "#FFD5CC"
_HIT = "#FFE066"

ModelIndex = QModelIndex | QPersistentModelIndex


def word_offsets(seg: Segment) -> list[int] | None:
    """Character offset of each word in ``seg.text``; None if text and words no longer agree."""
    offsets, pos = [], 0
    for w in seg.words:
        token = w.word.strip()
        found = seg.text.find(token, pos) if token else pos
        if found < 0:
            return None
        offsets.append(found)
        pos = found + len(token)
    return offsets if seg.words else None


def word_index_at(seg: Segment, char_pos: int) -> int | None:
    """Index of the word at ``char_pos`` (the last word starting at or before it)."""
    offsets = word_offsets(seg)
    if offsets is None:
        return None
    return max(bisect.bisect_right(offsets, char_pos) - 1, 0)


class TranscriptModel(QAbstractListModel):
    def __init__(self, doc: SessionDoc, undo_stack: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc, self.undo_stack = doc, undo_stack
        self.playing_row = -1
        self.mark_uncertain = False
        self.search_text = ""  # highlighted in every card (case-insensitive)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.doc.segments)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.doc.segments):
            return None
        seg = self.doc.segments[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return seg.text
        if role == SEGMENT_ROLE:
            return seg
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{format_time(seg.start)}–{format_time(seg.end)} · {self.speaker_label(seg.speaker)}"
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if self.doc.locked:  # released: read-only
            return super().flags(index)
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        seg = self.doc.segments[index.row()]
        text = " ".join(str(value).split())
        if not text or text == seg.text:
            return False
        push(self.undo_stack, set_text(self.doc, seg.id, text))
        return True

    # -- helpers for the view ------------------------------------------------------------
    def speaker_label(self, speaker_id: str | None) -> str:
        if not speaker_id:
            return "Unbekannt"
        return self.doc.project.speaker_names.get(speaker_id) or speaker_id

    def reload(self) -> None:
        self.beginResetModel()
        self.playing_row = -1
        self.endResetModel()

    def refresh_all(self) -> None:
        if self.doc.segments:
            self.dataChanged.emit(self.index(0), self.index(len(self.doc.segments) - 1))

    def row_at(self, seconds: float) -> int:
        """Row of the segment playing at ``seconds`` (the last one started), -1 before the first."""
        starts = [s.start for s in self.doc.segments]
        return bisect.bisect_right(starts, seconds) - 1

    def row_of(self, segment_id: int) -> int:
        return next((i for i, s in enumerate(self.doc.segments) if s.id == segment_id), -1)

    def set_playing_row(self, row: int) -> None:
        if row == self.playing_row:
            return
        old, self.playing_row = self.playing_row, row
        for r in (old, row):
            if 0 <= r < len(self.doc.segments):
                self.dataChanged.emit(self.index(r), self.index(r))


class TranscriptDelegate(QStyledItemDelegate):
    """Draws a segment card; edits its text in a QPlainTextEdit (Enter saves, Esc cancels)."""

    def __init__(self, model: TranscriptModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.editor: QPlainTextEdit | None = None
        self.editing = QPersistentModelIndex()  # the card whose text is being edited

    # -- layout -----------------------------------------------------------------------------
    def _header_height(self, option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.height() + 4

    def _text_rect(self, option: QStyleOptionViewItem) -> QRect:
        r = option.rect
        top = r.top() + PAD + self._header_height(option)
        return QRect(r.left() + STRIPE + PAD, top, r.width() - STRIPE - 2 * PAD, r.bottom() - top - PAD + 1)

    def _document(self, seg: Segment, font: QFont, width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(font)
        doc.setDocumentMargin(0)
        doc.setTextWidth(max(width, 50))
        marks = self._marks(seg)
        if not any(marks):
            doc.setPlainText(seg.text)
            return doc
        parts, start = [], 0
        for end in range(1, len(seg.text) + 1):
            if end == len(seg.text) or marks[end] != marks[start]:
                chunk = html.escape(seg.text[start:end])
                color = marks[start]
                parts.append(f'<span style="background-color:{color}">{chunk}</span>' if color else chunk)
                start = end
        doc.setHtml("".join(parts))
        return doc

    def _marks(self, seg: Segment) -> list[str]:
        """Background colour of each character: uncertain words (on request), then search hits."""
        marks = [""] * len(seg.text)
        offsets = word_offsets(seg) if self.model.mark_uncertain else None
        for w, start in zip(seg.words, offsets or [], strict=False):
            if w.probability < LOW_PROBABILITY:
                end = start + len(w.word.strip())
                marks[start:end] = [_UNCERTAIN] * (end - start)
        needle = self.model.search_text.casefold()
        if needle:
            hay, pos = seg.text.casefold(), 0
            while (pos := hay.find(needle, pos)) >= 0 and len(hay) == len(seg.text):
                marks[pos : pos + len(needle)] = [_HIT] * len(needle)
                pos += len(needle)
        return marks

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:  # noqa: N802
        seg: Segment = index.data(SEGMENT_ROLE)
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QWidget) and hasattr(view, "viewport") else 600
        doc = self._document(seg, option.font, width - STRIPE - 2 * PAD)
        text_height = int(doc.size().height())
        if self.editing.isValid() and self.editing.row() == index.row():
            text_height = max(text_height, self._editor_height(option)) + 6  # room for the editor's frame
        return QSize(width, text_height + self._header_height(option) + 2 * PAD)

    @staticmethod
    def _editor_height(option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.height() * 2 + 10

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        seg: Segment = index.data(SEGMENT_ROLE)
        r = option.rect
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if index.row() == self.model.playing_row:
            painter.fillRect(r, _PLAYING)
        elif selected:
            painter.fillRect(r, option.palette.color(QPalette.ColorRole.AlternateBase))
        else:
            painter.fillRect(r, option.palette.color(QPalette.ColorRole.Base))
        if selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.Highlight))
            painter.drawRect(r.adjusted(0, 0, -1, -1))
        color = speaker_color(seg.speaker)
        painter.fillRect(QRect(r.left(), r.top() + 2, STRIPE, r.height() - 4), color)
        fm = option.fontMetrics
        x, y = r.left() + STRIPE + PAD, r.top() + PAD + fm.ascent()
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        stamp = format_time(seg.start)
        painter.drawText(x, y, stamp)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(color)
        painter.drawText(x + fm.horizontalAdvance(stamp) + 12, y, self.model.speaker_label(seg.speaker))
        text_rect = self._text_rect(option)
        doc = self._document(seg, option.font, text_rect.width())
        painter.translate(text_rect.topLeft())
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.Text))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
        painter.setPen(QColor("#DADFE6"))
        painter.drawLine(r.left(), r.bottom(), r.right(), r.bottom())

    def word_at(self, option: QStyleOptionViewItem, index: ModelIndex, pos: QPointF) -> int | None:
        """Word index under ``pos`` (viewport coordinates), None outside the text."""
        seg: Segment = index.data(SEGMENT_ROLE)
        text_rect = self._text_rect(option)
        if not text_rect.contains(pos.toPoint()):
            return None
        doc = self._document(seg, option.font, text_rect.width())
        local = pos - QPointF(text_rect.topLeft())
        char = doc.documentLayout().hitTest(local, Qt.HitTestAccuracy.FuzzyHit)
        return None if char < 0 else word_index_at(seg, char)

    # -- editing ---------------------------------------------------------------------------------
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex) -> QWidget:  # noqa: N802
        editor = QPlainTextEdit(parent)
        editor.setFrameShape(QPlainTextEdit.Shape.Box)
        editor.setTabChangesFocus(True)
        editor.installEventFilter(self)
        self.editor = editor
        self.editing = QPersistentModelIndex(index)
        editor.destroyed.connect(self._forget_editor)
        self.sizeHintChanged.emit(QModelIndex(self.editing))  # the card grows to hold the editor
        return editor

    def _forget_editor(self) -> None:
        self.editor = None
        edited, self.editing = self.editing, QPersistentModelIndex()
        if edited.isValid():
            self.sizeHintChanged.emit(QModelIndex(edited))

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QPlainTextEdit) and editor.toPlainText() != index.data():
            editor.setPlainText(str(index.data()))

    def setModelData(self, editor: QWidget, model: Any, index: ModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QPlainTextEdit):
            model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: ModelIndex) -> None:  # noqa: N802
        rect = self._text_rect(option).adjusted(-4, -3, 4, 3)
        rect.setHeight(max(rect.height(), self._editor_height(option)))
        rect.setBottom(min(rect.bottom(), option.rect.bottom() - 1))  # never over the next card
        editor.setGeometry(rect)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            isinstance(obj, QPlainTextEdit)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.commitData.emit(obj)
            self.closeEditor.emit(obj, QStyledItemDelegate.EndEditHint.NoHint)
            return True
        return super().eventFilter(obj, event)
