"""Transcript editor: timeline, player controls, segment cards, speakers, search/replace.

Click a segment (or a word in it) to play from there; the playing segment is
highlighted and followed. Double-click (or F2) edits the text; Enter saves.
Every edit is an undoable command on the shared QUndoStack.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QModelIndex, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QMouseEvent, QShortcut, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..audio.player import JUMP_SECONDS, Player
from ..base.errors import UserError
from ..base.types import Segment
from ..session.editing import SessionDoc
from . import undo
from .autosave import AutoSave
from .doc_events import events_for
from .player_bar import PlayerBar
from .speaker_panel import RenameDialog, SpeakerPanel, color_icon, preview_span
from .timeline import Timeline
from .transcript_model import SEGMENT_ROLE, TranscriptDelegate, TranscriptModel, word_index_at
from .waveform import WaveformEnvelope

POLL_MS = 40
NEW_SPEAKER = "__neu__"


class SegmentList(QListView):
    """List of segment cards; reports where a click landed."""

    clicked_at = Signal(QModelIndex, QPointF)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        super().mouseReleaseEvent(event)
        index = self.indexAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and index.isValid():
            self.clicked_at.emit(index, event.position())

    def item_option(self, index: QModelIndex) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = self.visualRect(index)
        return option


class TranscriptView(QWidget):
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
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.list.clicked_at.connect(self._clicked)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._sync_speaker_box())

        self.speakers = SpeakerPanel(doc, self)
        self.speakers.rename_requested.connect(self.open_rename_dialog)
        self.speakers.accept_requested.connect(self.rename_speaker)
        self.speakers.objection_changed.connect(lambda *_: self.apply_objections())
        self.model.modelReset.connect(self.apply_objections)
        self.apply_objections()
        self.speakers.preview_requested.connect(self.preview_speaker)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #8A1C1C;")
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

    # -- layout pieces ---------------------------------------------------------------------
    def _edit_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        split = QPushButton("Teilen", self)
        split.setToolTip("Segment vor dem angeklickten Wort bzw. an der Schreibmarke teilen (Strg+T)")
        split.clicked.connect(self.split_current)
        merge = QPushButton("Mit nächstem zusammenführen", self)
        merge.setToolTip("Dieses Segment mit dem folgenden zusammenführen (Strg+M)")
        merge.clicked.connect(self.merge_current)
        self.speaker_box = QComboBox(self)
        self.speaker_box.setToolTip("Sprecher des gewählten Segments")
        self.speaker_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.speaker_box.activated.connect(self._speaker_chosen)
        self.uncertain_box = QCheckBox("Unsichere Wörter markieren", self)
        self.uncertain_box.setToolTip(
            "Wörter, bei denen die Spracherkennung unsicher war (< 50 %), hinterlegen"
        )
        self.uncertain_box.toggled.connect(self.set_mark_uncertain)
        self.follow_box = QCheckBox("Mitlaufen", self)
        self.follow_box.setToolTip("Beim Abspielen zum gesprochenen Segment blättern")
        self.follow_box.setChecked(True)
        for widget in (split, merge, QLabel("Sprecher:", self), self.speaker_box):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.uncertain_box)
        row.addWidget(self.follow_box)
        return row

    def _search_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText("Suchen (Strg+F)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(lambda: self.find_next(self.find_edit.text()))
        self.replace_edit = QLineEdit(self)
        self.replace_edit.setPlaceholderText("Ersetzen durch")
        find = QPushButton("Weitersuchen", self)
        find.clicked.connect(lambda: self.find_next(self.find_edit.text()))
        replace = QPushButton("Alle ersetzen", self)
        replace.setToolTip("Im ganzen Transkript ersetzen (Groß-/Kleinschreibung wird beachtet)")
        replace.clicked.connect(lambda: self.replace_all(self.find_edit.text(), self.replace_edit.text()))
        for widget in (self.find_edit, find, self.replace_edit, replace):
            row.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        return row

    def _shortcuts(self) -> None:
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Space", self.bar.toggle),
            ("Ctrl+Left", lambda: self.bar.jump(-JUMP_SECONDS)),
            ("Ctrl+Right", lambda: self.bar.jump(JUMP_SECONDS)),
            ("Ctrl+Up", lambda: self.bar.step_speed(1)),
            ("Ctrl+Down", lambda: self.bar.step_speed(-1)),
            ("Ctrl+T", self.split_current),
            ("Ctrl+M", self.merge_current),
            ("Ctrl+F", self.find_edit.setFocus),
        ):
            QShortcut(QKeySequence(keys), self, slot, context=ctx)

    # -- playback ------------------------------------------------------------------------------
    def seek(self, seconds: float) -> None:
        if self.player.playing:
            self.bar.play_from(seconds)
        else:
            self.bar.seek(seconds)
        self._tick()

    def play_segment(self, row: int, word_index: int | None = None) -> None:
        seg = self.doc.segments[row]
        start = seg.words[word_index].start if word_index is not None and seg.words else seg.start
        self.bar.play_from(start)
        self._tick()

    def _clicked(self, index: QModelIndex, pos: QPointF) -> None:
        if self.delegate.editor is not None:
            return
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
            if playing and row >= 0 and self.follow_box.isChecked() and self.delegate.editor is None:
                self.list.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.EnsureVisible)
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

    def select_segment(self, segment_id: int) -> None:
        row = self.model.row_of(segment_id)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
            self.list.scrollTo(self.model.index(row))

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

    def find_next(self, text: str) -> bool:
        if not text:
            return False
        n = len(self.doc.segments)
        start = self.list.currentIndex().row() if self.list.currentIndex().isValid() else -1
        for step in range(1, n + 1):
            row = (start + step) % n
            if text.casefold() in self.doc.segments[row].text.casefold():
                self.select_segment(self.doc.segments[row].id)
                return True
        self.show_status(f"„{text}“ kommt im Transkript nicht vor.")
        return False

    def replace_all(self, find: str, replace: str) -> int:
        count = sum(1 for s in self.doc.segments if find and find in s.text)
        if not count:
            self.show_status(f"„{find}“ kommt im Transkript nicht vor (Groß-/Kleinschreibung beachtet).")
            return 0
        if self._push(undo.replace_all(self.doc, find, replace)):
            self.show_status(f"In {count} Segment(en) ersetzt.")
        return count

    def set_mark_uncertain(self, on: bool) -> None:
        self.model.mark_uncertain = on
        self.model.layoutChanged.emit()

    def _speaker_chosen(self, index: int) -> None:
        seg = self.current_segment()
        speaker = self.speaker_box.itemData(index)
        if seg is None or speaker is None:
            return
        if speaker == NEW_SPEAKER:
            numbers = [
                int(s.id.rsplit("_", 1)[-1]) for s in self.doc.speakers if s.id.rsplit("_", 1)[-1].isdigit()
            ]
            speaker = f"SPEAKER_{max(numbers, default=-1) + 1:02d}"
        if speaker != seg.speaker:
            self.assign_speaker(seg.id, speaker)

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
    def show_status(self, message: str) -> None:
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
        box = self.speaker_box
        box.blockSignals(True)
        box.clear()
        for speaker in self.doc.speakers:
            box.addItem(color_icon(speaker.id), speaker.label, speaker.id)
        box.addItem("Neuer Sprecher", NEW_SPEAKER)
        seg = self.current_segment()
        box.setEnabled(seg is not None)
        if seg is not None:
            box.setCurrentIndex(max(box.findData(seg.speaker), 0))
            self.speakers.select(seg.speaker or "")
        box.blockSignals(False)


def _player_for(doc: SessionDoc) -> Player:
    """A player over the project's decoded audio; a silent, empty one if that is missing."""
    try:
        return Player.for_project(doc.project)
    except UserError:
        return Player(np.zeros(0, np.float32))
