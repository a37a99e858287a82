"""Session view: the editors (Transkript, Entwurf) of one processed session, export, undo/redo.

The editors come from ``transcript_view.py`` / ``draft_view.py`` and are imported
lazily; while a module is missing a placeholder label stands in its tab.
One QUndoStack per open session, registered in the main window's QUndoGroup so
that the Bearbeiten menu's Rückgängig/Wiederholen always act on the open session.

A released Niederschrift is locked: the draft view makes itself read-only and reports
``lock_changed``; here the transcript list then opens no text editor any more (its other
edit buttons are refused by the document with a German status message).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..base.settings import Settings
from ..session.editing import SessionDoc
from .export_dialog import ExportDialog
from .jobs import JobRunner
from .strings import tr

log = logging.getLogger(__name__)


def _editor_class(module: str, name: str) -> type | None:
    try:
        cls: type = getattr(importlib.import_module(f"minutes_app.gui.{module}"), name)
        return cls
    except (ImportError, AttributeError):
        return None


def _make_player(doc: SessionDoc) -> Any:
    """``audio.player.Player`` for the session's decoded audio, or None while it is unavailable."""
    from ..session import privacy

    if privacy.audio_deleted(doc.project) or not doc.project.pcm_path.exists():
        return None  # deleted under the retention rules (or never decoded): editors without sound
    try:
        player_cls = importlib.import_module("minutes_app.audio.player").Player
    except (ImportError, AttributeError):
        return None
    try:
        return player_cls.for_project(doc.project)  # opens no sound device until play()
    except Exception:  # the player is optional: the editors work without sound
        log.exception("audio player could not be created")
        return None


def _placeholder() -> QLabel:
    label = QLabel(tr("session.editor_missing"))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class SessionView(QWidget):
    back_requested = Signal()
    status_message = Signal(str)  # the editors' status texts, for the main window's status bar
    header_requested = Signal(Path, str)  # session folder, SessionInfo field to fill in (release blocker)

    def __init__(
        self, jobs: JobRunner, settings: Settings, undo_group: QUndoGroup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.settings = settings
        self.undo_group = undo_group
        self.doc: SessionDoc | None = None
        self.undo_stack: QUndoStack | None = None
        self.player: Any = None
        self.transcript_view: QWidget | None = None
        self.draft_view: QWidget | None = None
        self.export_dialog: ExportDialog | None = None

        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.tabs = QTabWidget()
        self.export_button = QPushButton(tr("session.export"))
        self.export_button.clicked.connect(lambda: self.open_export_dialog())
        back = QPushButton(tr("session.back"))
        back.clicked.connect(self.back_requested.emit)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.export_button)
        top.addWidget(back)
        self.audio_banner = QLabel()  # "Die Aufnahme wurde am … gelöscht" (retention)
        self.audio_banner.setWordWrap(True)
        self.audio_banner.setStyleSheet(
            "background:#FFF6D6; border:1px solid #E0C46C; border-radius:4px; padding:6px; color:#4A3B00;"
        )
        self.audio_banner.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.audio_banner)
        layout.addWidget(self.tabs, 1)

    @property
    def folder(self) -> Path | None:
        return self.doc.project.folder if self.doc is not None else None

    def open(self, folder: Path) -> None:
        """Show the session in ``folder`` (raises ProjectError if it is not processed)."""
        doc = SessionDoc.open(folder)
        self.close_session()
        self.doc = doc
        self.heading.setText(tr("session.heading", name=doc.project.name))
        self.undo_stack = QUndoStack(self)
        self.undo_group.addStack(self.undo_stack)
        self.undo_group.setActiveStack(self.undo_stack)
        self.player = _make_player(doc)
        transcript_cls = _editor_class("transcript_view", "TranscriptView")
        draft_cls = _editor_class("draft_view", "DraftView")
        self.transcript_view = (
            transcript_cls(doc, self.player, self.undo_stack, self.jobs, self)
            if transcript_cls
            else _placeholder()
        )
        self.draft_view = (
            draft_cls(
                doc,
                self.undo_stack,
                self.jobs,
                self.seek,
                self,
                position=self.playback_position,
                on_span=self.show_evidence,
            )
            if draft_cls
            else _placeholder()
        )
        bar = getattr(self.draft_view, "signoff", None)
        if bar is not None:
            bar.settings = self.settings  # the release dialog says when the recording goes
        for name, slot in (
            ("header_requested", self._header_requested),
            ("speaker_requested", self.show_speaker),
        ):
            signal = getattr(self.draft_view, name, None)
            if signal is not None:
                signal.connect(slot)
        lock_changed = getattr(self.draft_view, "lock_changed", None)
        if lock_changed is not None:
            lock_changed.connect(self.set_transcript_locked)
            lock_changed.connect(self.apply_retention)
        self.set_transcript_locked(doc.locked)
        for view in (self.transcript_view, self.draft_view):
            signal = getattr(view, "status_message", None)
            if signal is not None:
                signal.connect(self.status_message.emit)
        self.tabs.addTab(self.transcript_view, tr("session.tab.transcript"))
        self.tabs.addTab(self.draft_view, tr("session.tab.draft"))
        self.show_audio_state()

    def show_audio_state(self) -> str | None:
        """Say plainly when the recording is gone: banner, player controls and „Anhören“ disabled."""
        from ..session import retention

        gone = retention.audio_gone(self.doc.project) if self.doc is not None else None
        self.audio_banner.setText(gone or "")
        self.audio_banner.setVisible(bool(gone))
        if gone:
            bar = getattr(self.transcript_view, "bar", None)
            if bar is not None and hasattr(bar, "set_unavailable"):
                bar.set_unavailable(gone)
            listen = getattr(getattr(self.draft_view, "editor", None), "listen_button", None)
            if listen is not None:
                listen.setEnabled(False)
                listen.setToolTip(gone)
        return gone

    def _header_requested(self, field: str) -> None:
        if self.doc is not None:
            self.header_requested.emit(self.doc.project.folder, field)

    def show_speaker(self, speaker_id: str) -> None:
        """A speaker without a name (release blocker): the transcript with that speaker selected."""
        self.tabs.setCurrentIndex(0)
        speakers = getattr(self.transcript_view, "speakers", None)
        if speakers is not None:
            speakers.select(speaker_id)
            speakers.setFocus()

    def seek(self, seconds: float) -> None:
        """Draft evidence link -> the transcript at that time."""
        self.tabs.setCurrentIndex(0)
        seek = getattr(self.transcript_view, "seek", None)
        if callable(seek):
            seek(seconds)

    def show_evidence(self, start: float, end: float) -> None:
        """Draft evidence link -> the transcript: its segments selected and scrolled to, the
        timeline zoomed to it and highlighted, and the span played."""
        self.tabs.setCurrentIndex(0)
        show_span = getattr(self.transcript_view, "show_span", None)
        if callable(show_span):
            show_span(start, end)

    def playback_position(self) -> float | None:
        """Where the player stands (seconds), for „Beginn auf Wiedergabeposition setzen“."""
        player = getattr(self.transcript_view, "player", None) or self.player
        position = getattr(player, "position", None)
        return float(position) if position is not None else None

    def set_transcript_locked(self, locked: bool) -> None:
        """Released: the transcript list opens no editor; editable again after a new version."""
        segments = getattr(self.transcript_view, "list", None)
        if not isinstance(segments, QAbstractItemView):
            return
        if locked:
            current = segments.currentIndex()
            if current.isValid():
                segments.closePersistentEditor(current)  # closes an open text editor without saving
            segments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        else:
            segments.setEditTriggers(
                QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
            )

    def apply_retention(self, locked: bool) -> list[str]:
        """Released: the audio goes now when the retention setting says so (an audit entry notes it)."""
        from ..session import privacy

        if not locked or self.doc is None or not self.settings.get("retention_on_release"):
            return []
        if privacy.audio_deleted(self.doc.project) and not privacy.audio_files(self.doc.project):
            return []
        close = getattr(self.player, "close", None)
        if callable(close):
            close()  # an open file cannot be deleted on Windows
        removed = list(self.doc.session.apply_retention(self.settings).messages)  # under the folder lock
        if removed:
            self.status_message.emit(tr("privacy.released_deleted"))
            self.show_audio_state()
        return removed

    def save(self) -> None:
        if self.doc is not None and self.doc.dirty:
            self.doc.save()

    def close_session(self) -> None:
        """Save pending edits and drop the editors, the player and the undo stack."""
        if self.doc is None:
            return
        for view in (self.transcript_view, self.draft_view):
            flush = getattr(view, "flush", None)
            if callable(flush):
                flush()
        self.save()
        close = getattr(self.player, "close", None)
        if callable(close):
            close()
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        if self.undo_stack is not None:
            self.undo_group.removeStack(self.undo_stack)
            self.undo_stack.deleteLater()
        self.doc = self.undo_stack = self.player = self.transcript_view = self.draft_view = None

    def open_export_dialog(self, show: bool = True) -> ExportDialog | None:
        if self.doc is None:
            return None
        doc = self.doc
        self.export_dialog = ExportDialog(
            doc.as_result, self.settings, self.jobs, doc.project.name, self, released=doc.locked
        )
        if show:
            self.export_dialog.open()
        return self.export_dialog
