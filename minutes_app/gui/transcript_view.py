"""Transcript editor: timeline, player controls, segment cards, speakers, search/replace.

Click a segment (or a word in it) to play from there; the playing segment is
highlighted and followed (not while the pointer is over the list or just after the user
scrolled it: ``list_follow``). Double-click (or F2) edits the text; Enter saves. Shift/Strg-click
selects several segments; the "Sprecher:" box (speakers, attendees, a new speaker) then
reassigns all of them in one undo step. Every edit is an undoable command on the shared
QUndoStack. Shortcuts come from ``shortcuts.EDITOR_SHORTCUTS``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QModelIndex, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QMouseEvent, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QSplitter,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..audio.player import Player
from ..base.errors import UserError
from ..base.types import Segment
from ..session.editing import SessionDoc
from . import undo
from .autosave import AutoSave
from .doc_events import events_for
from .list_follow import FollowGuard
from .player_bar import PlayerBar
from .segment_speakers import assign, fill_speaker_box, resolve_choice
from .speaker_panel import RenameDialog, SpeakerPanel, preview_span
from .timeline import Timeline
from .transcript_controls import TranscriptControls
from .transcript_model import SEGMENT_ROLE, TranscriptDelegate, TranscriptModel, word_index_at
from .voice_sync import VoiceSync
from .waveform import WaveformEnvelope

POLL_MS = 40
_ERROR_STYLE = "color: #8A1C1C;"
_INFO_STYLE = "color: #1B5E20;"


class SegmentList(QListView):
    """List of segment cards; reports where a click landed."""

    clicked_at = Signal(QModelIndex, QPointF)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        super().mouseReleaseEvent(event)
        index = self.indexAt(event.position().toPoint())
        selecting = event.modifiers() & (
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
        )
        if event.button() == Qt.MouseButton.LeftButton and index.isValid() and not selecting:
            self.clicked_at.emit(index, event.position())

    def item_option(self, index: QModelIndex) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = self.visualRect(index)
        return option


class TranscriptView(TranscriptControls, QWidget):
    status_message = Signal(str)

    def __init__(
        self,
        doc: SessionDoc,
        player: Player | None,
        undo_stack: QUndoStack,
        jobs: Any,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.undo_stack, self.jobs = doc, undo_stack, jobs
        self.player = player if player is not None else _player_for(doc)
        self.autosave = AutoSave(doc, parent=self)
        self.events = events_for(doc)
        self.model = TranscriptModel(doc, undo_stack, self)
        self.cursor_word: tuple[int, int] | None = None  # (segment id, word index) of the last click

        self.timeline = Timeline(WaveformEnvelope(self.player.samples, self.player.sample_rate), self)
        self.timeline.seek_requested.connect(self.seek)
        self.bar = PlayerBar(self.player, self)
        self.bar.error.connect(self.show_status)
        self.autosave.failed.connect(self.show_status)

        self.list = SegmentList(self)
        self.delegate = TranscriptDelegate(self.model, self.list)
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.follow = FollowGuard(self.list)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.list.clicked_at.connect(self._clicked)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._sync_speaker_box())

        self.speakers = SpeakerPanel(doc, self)
        self.speakers.rename_requested.connect(self.open_rename_dialog)
        self.speakers.accept_requested.connect(self.rename_speaker)
        self.voices = VoiceSync(doc, jobs, self.autosave.flush, parent=self)  # profiles follow names
        self.voices.message.connect(lambda text: self.show_status(text, error=False))
        self.speakers.objection_changed.connect(lambda *_: self.apply_objections())
        self.model.modelReset.connect(self.apply_objections)
        self.apply_objections()
        self.speakers.preview_requested.connect(self.preview_speaker)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self.status.clear)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.speakers)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.timeline)
        layout.addWidget(self.bar)
        layout.addLayout(self._edit_row())
        layout.addLayout(self._search_row())
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self._shortcuts()

        self.events.segments_changed.connect(self._segments_changed)
        self.events.speakers_changed.connect(self._speakers_changed)
        self.events.item_changed.connect(lambda _i: self._refresh_timeline())
        self._refresh_timeline()
        self._sync_speaker_box()
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._tick)

    # -- playback ------------------------------------------------------------------------------
    def seek(self, seconds: float) -> None:
        if self.player.playing:
            self.bar.play_from(seconds)
        else:
            self.bar.seek(seconds)
        self._tick()

    def show_span(self, start: float, end: float) -> None:
        """Evidence from the draft: select its segments, scroll there, zoom the timeline, play it."""
        rows = [i for i, s in enumerate(self.doc.segments) if s.end > start and s.start < end]
        if not rows and self.doc.segments:  # a gap between segments: the one before it
            rows = [max(self.model.row_at(start), 0)]
        selection = self.list.selectionModel()
        selection.clearSelection()
        for row in rows:
            selection.select(self.model.index(row), selection.SelectionFlag.Select)
        if rows:
            self.list.setCurrentIndex(self.model.index(rows[0]))
            selection.select(self.model.index(rows[0]), selection.SelectionFlag.Select)
            self.follow.user_scrolled_at = float("-inf")  # the jump was asked for: follow again
            self.follow.scroll_to(self.model.index(rows[0]), QAbstractItemView.ScrollHint.PositionAtTop)
        self.timeline.canvas.show_span(start, end)
        self.bar.play_from(start, end)
        self._tick()

    def play_segment(self, row: int, word_index: int | None = None) -> None:
        seg = self.doc.segments[row]
        start = seg.words[word_index].start if word_index is not None and seg.words else seg.start
        self.bar.play_from(start)
        self._tick()

    def _clicked(self, index: QModelIndex, pos: QPointF) -> None:
        if self.delegate.editor is not None:
            return
        self.timeline.canvas.highlight = None
        seg: Segment = index.data(SEGMENT_ROLE)
        word = self.delegate.word_at(self.list.item_option(index), index, pos)
        self.cursor_word = (seg.id, word) if word is not None else None
        self.play_segment(index.row(), word)

    def _tick(self) -> None:
        position = self.player.position
        playing = self.player.playing
        row = self.model.row_at(position)
        if row != self.model.playing_row:
            self.model.set_playing_row(row)
            if (
                playing
                and row >= 0
                and self.follow_box.isChecked()
                and self.delegate.editor is None
                and self.follow.may_follow()
            ):
                self.follow.scroll_to(self.model.index(row))
        self.timeline.canvas.set_playhead(position, follow=playing)
        self.bar.update_position()

    def preview_speaker(self, speaker_id: str) -> None:
        span = preview_span(self.doc, speaker_id)
        if span is not None:
            self.bar.play_from(*span)

    # -- edits --------------------------------------------------------------------------------------
    def _push(self, command: undo._Command) -> bool:
        try:
            undo.push(self.undo_stack, command)
        except UserError as exc:
            self.show_status(str(exc))
            return False
        return True

    def current_segment(self) -> Segment | None:
        index = self.list.currentIndex()
        return index.data(SEGMENT_ROLE) if index.isValid() else None

    def selected_segments(self) -> list[Segment]:
        """The selected segments in time order (at least the current one)."""
        rows = sorted({i.row() for i in self.list.selectionModel().selectedRows()})
        if not rows and self.list.currentIndex().isValid():
            rows = [self.list.currentIndex().row()]
        return [self.doc.segments[r] for r in rows if r < len(self.doc.segments)]

    def select_segment(self, segment_id: int) -> None:
        row = self.model.row_of(segment_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
            self.follow.scroll_to(self.model.index(row))

    def split_current(self) -> None:
        seg = self.current_segment()
        if seg is None:
            self.show_status("Bitte zuerst ein Segment auswählen.")
            return
        word = self.cursor_word[1] if self.cursor_word and self.cursor_word[0] == seg.id else None
        editor = self.delegate.editor
        if editor is not None:
            word = (
                word_index_at(seg, editor.textCursor().position())
                if editor.toPlainText() == seg.text
                else None
            )
            self.list.closePersistentEditor(self.list.currentIndex())
            if word is None:
                self.show_status("Geänderter Text hat keine Wortzeiten mehr; bitte erst speichern (Enter).")
                return
        if word is None:
            self.show_status("Zum Teilen bitte auf das Wort klicken, mit dem das neue Segment beginnen soll.")
            return
        self.split_at(seg.id, word)

    def split_at(self, segment_id: int, word_index: int) -> bool:
        if self._push(undo.split(self.doc, segment_id, word_index)):
            self.cursor_word = None
            self.select_segment(segment_id)
            return True
        return False

    def merge_current(self) -> bool:
        seg = self.current_segment()
        if seg is None:
            self.show_status("Bitte zuerst ein Segment auswählen.")
            return False
        if self._push(undo.merge_with_next(self.doc, seg.id)):
            self.select_segment(seg.id)
            return True
        return False

    def assign_speaker(self, segment_id: int, speaker_id: str) -> bool:
        return self._push(undo.set_speaker(self.doc, segment_id, speaker_id))

    def assign_selected(self, speaker_id: str, name: str | None = None) -> int:
        """Give every selected segment ``speaker_id`` (and that speaker ``name``): one undo step."""
        ids = [s.id for s in self.selected_segments()]
        try:
            count = assign(self.undo_stack, self.doc, ids, speaker_id, name)
        except UserError as exc:
            self.show_status(str(exc))
            return 0
        if count > 1:
            self.show_status(f"{count} Segmente zugewiesen.", error=False)
        return count

    def rename_speaker(self, speaker_id: str, name: str) -> bool:
        if name == (self.doc.project.speaker_names.get(speaker_id) or ""):
            return False
        return self._push(undo.RenameSpeakerCommand(self.doc, speaker_id, name))

    def apply_objections(self) -> None:
        """Hide the segments of speakers who objected to the recording (they stay in the file)."""
        objected = set(self.doc.project.objected_speakers)
        for row, seg in enumerate(self.doc.segments):
            self.list.setRowHidden(row, seg.speaker in objected)

    def open_rename_dialog(self, speaker_id: str) -> RenameDialog:
        dialog = RenameDialog(self.doc, speaker_id, self)
        dialog.preview_requested.connect(self.preview_speaker)
        dialog.accepted.connect(lambda: self.rename_speaker(speaker_id, dialog.name))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _speaker_chosen(self, index: int) -> None:
        data = self.speaker_box.itemData(index)
        if data is not None and self.selected_segments():
            self.assign_selected(*resolve_choice(self.doc, str(data)))
        self._sync_speaker_box()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self._poll.start()  # follow the playhead only while visible

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self._poll.stop()

    def flush(self) -> None:
        """Commit an open text editor and save (the shell calls this before closing)."""
        editor = self.delegate.editor
        if editor is not None:
            self.delegate.commitData.emit(editor)
            self.list.closePersistentEditor(self.list.currentIndex())
        self.autosave.flush()

    # -- refresh ------------------------------------------------------------------------------------
    def show_status(self, message: str, error: bool = True) -> None:
        """A message under the list: red for a refusal, green for a plain report (``error=False``)."""
        self.status.setStyleSheet(_ERROR_STYLE if error else _INFO_STYLE)
        self.status.setProperty("kind", "error" if error else "info")
        self.status.setText(message)
        self._status_timer.start(8000)
        self.status_message.emit(message)

    def _segments_changed(self) -> None:
        current = self.current_segment()
        if len(self.doc.segments) == self.model.rowCount():
            self.model.layoutAboutToBeChanged.emit()
            self.model.layoutChanged.emit()
        else:
            self.model.reload()
            if current is not None:
                self.select_segment(current.id)
        self.model.refresh_all()
        self.speakers.refresh()
        self._sync_speaker_box()
        self._refresh_timeline()
        self._tick()

    def _speakers_changed(self) -> None:
        self.model.refresh_all()
        self.speakers.refresh()
        self._sync_speaker_box()

    def _refresh_timeline(self) -> None:
        items = self.doc.minutes.agenda_items if self.doc.minutes is not None else []
        self.timeline.canvas.set_data(self.doc.segments, items)

    def _sync_speaker_box(self) -> None:
        seg = self.current_segment()
        fill_speaker_box(self.speaker_box, self.doc, seg.speaker if seg is not None else None)
        self.speaker_box.setEnabled(seg is not None)
        if seg is not None:
            self.speakers.select(seg.speaker or "")


def _player_for(doc: SessionDoc) -> Player:
    """A player over the project's decoded audio; a silent, empty one if that is missing."""
    try:
        return Player.for_project(doc.project)
    except UserError:
        return Player(np.zeros(0, np.float32))
