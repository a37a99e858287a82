"""Draft editor: the sign-off bar on top, the agenda items on the left, the chosen item's editor
on the right.

An item counts as AI text („KI-Entwurf“) until the Schriftführung edits it
(„bearbeitet“) or confirms it („geprüft“). „Neu erzeugen“ drafts one item again
with the LLM in the background; the result replaces the item (undoable).

A released Niederschrift (``signoff.is_locked``) is locked: the editor is read-only, the
undo stack is cleared (an old step would be refused) and ``lock_changed`` tells the session
view, which makes the transcript read-only too. A new version unlocks it again.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken, ProgressFn
from ..base.types import MinutesItem
from ..session import signoff
from ..session.editing import AI_DRAFT, CONFIRMED, SessionDoc
from . import draft_regen, job_adapter, undo
from .autosave import AutoSave
from .doc_events import events_for
from .draft_item_editor import STATE_LABELS, ItemEditor
from .format import format_time
from .signoff_bar import SignOffBar
from .strings import tr

_STATE_COLORS = {AI_DRAFT: "#9A4F00", CONFIRMED: "#1B6B2E"}


class DraftView(QWidget):
    status_message = Signal(str)
    regenerated = Signal(int)  # item index, after its new draft was put in
    lock_changed = Signal(bool)  # released (locked) or editable again
    header_requested = Signal(str)  # a blocker in the header data (SessionInfo field): open the form
    speaker_requested = Signal(str)  # a blocker naming a speaker without a name: the transcript's panel

    def __init__(
        self,
        doc: SessionDoc,
        undo_stack: QUndoStack,
        jobs: Any,
        on_seek: Callable[[float], None],
        parent: QWidget | None = None,
        *,
        position: Callable[[], float | None] | None = None,
        on_span: Callable[[float, float], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.undo_stack, self.jobs, self.on_seek = doc, undo_stack, jobs, on_seek
        self.position = position  # the player's current position (seconds), None: no player
        self.settings: Any = None  # base.settings.Settings; None: loaded when needed
        self.busy: set[int] = set()
        self.regen_jobs: dict[int, Any] = {}  # item index -> JobHandle of its running „Neu erzeugen“
        self.busy_since: dict[int, float] = {}  # item index -> time.monotonic() of its start
        self.autosave = AutoSave(doc, parent=self)
        self.items = QListWidget(self)
        self.items.setWordWrap(True)
        self.items.setSpacing(2)
        self.items.currentRowChanged.connect(self.select_item)
        self.editor = ItemEditor(doc, undo_stack, on_seek, self)
        self.editor.on_span = on_span  # evidence: jump, highlight and play in the transcript
        self.editor.confirm_requested.connect(self.confirm_current)
        self.editor.regenerate_requested.connect(self.regenerate_current)
        self.editor.set_start_requested.connect(self.set_start_current)
        self.editor.hint_done.connect(self.resolve_hint)
        self.editor.regen_panel.cancel_requested.connect(lambda: self.cancel_regeneration(self.editor.index))
        self.editor.error.connect(self.show_status)
        self.autosave.failed.connect(self.show_status)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.items)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self.status.clear)
        self.signoff = SignOffBar(doc, self)
        self.signoff.changed.connect(self.apply_lock)
        self.signoff.status_message.connect(self.show_status)
        self.signoff.blocker_activated.connect(self.go_to_blocker)
        layout = QVBoxLayout(self)
        layout.addWidget(self.signoff)
        if doc.minutes is None or not doc.minutes.agenda_items:
            empty = QLabel("Für diese Sitzung gibt es noch keinen Protokollentwurf.", self)
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(empty)
            splitter.hide()
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        events_for(doc).item_changed.connect(self._item_changed)
        self._fill_list()
        if self.items.count():
            self.items.setCurrentRow(0)
        self.locked = False
        self.apply_lock()

    # -- lock --------------------------------------------------------------------------------------
    def apply_lock(self) -> None:
        """Make the editor read-only while the Niederschrift is released, editable otherwise."""
        try:
            locked = self.doc.locked
        except UserError:  # unknown sign-off state (newer program version): do not edit it
            locked = True
        self.signoff.refresh()
        for index in range(self.items.count()):
            self._style_entry(index)
        self.editor.set_locked(locked)
        if locked:
            self.undo_stack.clear()  # an old step would change a released Niederschrift
        if locked != self.locked:
            self.locked = locked
            self.lock_changed.emit(locked)

    # -- list ------------------------------------------------------------------------------------
    def _label(self, index: int) -> str:
        item = self.doc.item(index)
        head = f"TOP {item.number}" if item.number else "Ohne Nummer"
        state = STATE_LABELS.get(self.doc.item_states[index], "")
        busy = " · wird neu erzeugt …" if index in self.busy else ""
        return f"{head}  ·  {state}{busy}\n{item.title}"

    def _fill_list(self) -> None:
        count = len(self.doc.minutes.agenda_items) if self.doc.minutes is not None else 0
        for index in range(count):
            entry = QListWidgetItem(self._label(index))
            self.items.addItem(entry)
            self._style_entry(index)

    def _style_entry(self, index: int) -> None:
        entry = self.items.item(index)
        entry.setText(self._label(index))
        color = _STATE_COLORS.get(self.doc.item_states[index])
        entry.setForeground(QBrush(QColor(color)) if color else QBrush())
        flags = self.doc.item(index).flags
        entry.setToolTip("\n".join(flags) if flags else "Keine Prüfhinweise")

    def select_item(self, index: int) -> None:
        if index < 0:
            return
        if self.items.currentRow() != index:
            self.items.setCurrentRow(index)  # comes back here through currentRowChanged
            return
        self.editor.show_item(index)
        self.editor.set_busy(index in self.busy, self.busy_since.get(index))

    def _item_changed(self, index: int) -> None:
        if 0 <= index < self.items.count():
            self._style_entry(index)
        if index == self.editor.index:
            self.editor.load()

    def flush(self) -> None:
        """Save pending edits now (the shell calls this before closing)."""
        self.autosave.flush()

    # -- actions ---------------------------------------------------------------------------------
    def show_status(self, message: str) -> None:
        self.status.setText(message)
        self._status_timer.start(10000)
        self.status_message.emit(message)

    def confirm_current(self) -> None:
        index = self.editor.index
        if index >= 0 and self.doc.item_states[index] != CONFIRMED:
            try:
                undo.push(
                    self.undo_stack, undo.ItemStateCommand(self.doc, index, CONFIRMED, "TOP bestätigen")
                )
            except UserError as exc:
                self.show_status(str(exc))

    def set_start_current(self) -> bool:
        """The current item begins at the playback position (takes effect at the next processing)."""
        index = self.editor.index
        if index < 0:
            return False
        item = self.doc.item(index)
        seconds = self.position() if self.position is not None else None
        if not item.number:
            self.show_status(tr("draft.set_start.no_number"))
            return False
        if seconds is None:
            self.show_status(tr("draft.set_start.no_player"))
            return False
        try:  # session API: lock, pending edits first, review reopened, audit entry
            self.doc.session.set_item_start(item.number, seconds)
        except UserError as exc:
            self.show_status(str(exc))
            return False
        self.editor.load()
        self.show_status(tr("draft.set_start.done", number=item.number, time=format_time(seconds)))
        return True

    def resolve_hint(self, hint: int) -> bool:
        """A „Hinweis zur Prüfung“ of the current item is dealt with (undoable)."""
        index = self.editor.index
        if index < 0 or not 0 <= hint < len(self.doc.item(index).flags):
            return False
        try:
            undo.push(self.undo_stack, undo.HintsCommand(self.doc, index, hint))
        except UserError as exc:
            self.show_status(str(exc))
            return False
        return True

    def go_to_blocker(self, blocker: Any) -> None:
        """Jump to what blocks prüfen/freigeben: the item field, the header form or the speaker."""
        if blocker.item is not None and 0 <= blocker.item < self.items.count():
            self.select_item(blocker.item)
            self.editor.focus_field(blocker.field, blocker.match)
        elif blocker.speaker:
            self.speaker_requested.emit(blocker.speaker)
        elif blocker.field:
            self.header_requested.emit(blocker.field)

    def open_evidence(self, evidence_index: int) -> None:
        """Show and play one evidence of the current item."""
        evidence = self.doc.item(self.editor.index).evidence[evidence_index]
        self.editor.open_link(f"{evidence.start}:{evidence.end}")

    def regenerate_current(self) -> None:
        self.regenerate(self.editor.index)

    def regenerate(self, index: int) -> None:
        """Draft one item again in the background; its fields stay locked (with progress and
        Abbrechen) until the new draft is in, so nothing typed is replaced."""
        if index < 0 or index in self.busy:
            return
        try:
            signoff.check_unlocked(self.doc.project)
            request = draft_regen.prepare(self.doc, index)
            settings = self.settings or _load_settings()
        except UserError as exc:
            self.show_status(str(exc))
            return
        before = dataclasses.asdict(self.doc.item(index))  # what the new draft may replace

        def work(progress: ProgressFn, cancel: CancelToken) -> MinutesItem:
            progress(0.0, "Sprachmodell wird geladen …")
            engine = draft_regen.make_engine_from_settings(settings)  # not in the GUI thread
            cancel.raise_if_cancelled()
            return draft_regen.regenerate(request, engine, progress, cancel)

        self._set_busy(index, True)
        self.show_status(f"TOP {request.number} wird neu erzeugt …")
        handle = job_adapter.submit(
            self.jobs,
            work,
            on_done=lambda item: self._regenerated(index, item, before),
            on_error=lambda exc: self._regen_failed(index, exc),
            title=f"TOP {request.number} neu erzeugen",
            on_progress=lambda fraction, text: self._regen_progress(index, fraction, text),
        )
        if handle is not None and index in self.busy:
            self.regen_jobs[index] = handle

    def cancel_regeneration(self, index: int) -> bool:
        handle = self.regen_jobs.get(index)
        if handle is None:
            return False
        handle.cancel()
        self.editor.regen_panel.cancel_button.setEnabled(False)
        return True

    def _regen_progress(self, index: int, fraction: float, text: str) -> None:
        if index == self.editor.index and index in self.busy:
            self.editor.regen_panel.progress(fraction, text)

    def _set_busy(self, index: int, busy: bool) -> None:
        (self.busy.add if busy else self.busy.discard)(index)
        if busy:
            self.busy_since[index] = time.monotonic()
        else:
            self.busy_since.pop(index, None)
            self.regen_jobs.pop(index, None)
        self._style_entry(index)
        if index == self.editor.index:
            self.editor.set_busy(busy, self.busy_since.get(index))

    def _regenerated(self, index: int, item: MinutesItem, before: dict[str, Any]) -> None:
        self._set_busy(index, False)
        if dataclasses.asdict(self.doc.item(index)) != before:  # changed meanwhile: keep the human text
            self.show_status(tr("draft.regen.kept", number=item.number))
            return
        try:
            undo.push(self.undo_stack, undo.ReplaceItemCommand(self.doc, index, item))
        except UserError as exc:  # e.g. released while the model was still working
            self.show_status(str(exc))
            return
        self.show_status(f"TOP {item.number} wurde neu entworfen (KI-Entwurf, bitte prüfen).")
        self.regenerated.emit(index)

    def _regen_failed(self, index: int, exc: BaseException) -> None:
        self._set_busy(index, False)
        if isinstance(exc, Cancelled):
            self.show_status("Neu erzeugen abgebrochen.")
        elif isinstance(exc, UserError):
            self.show_status(str(exc))
        else:
            self.show_status(f"Neu erzeugen fehlgeschlagen (Programmfehler): {exc!r}")


def _load_settings() -> Any:
    from ..base.settings import Settings

    return Settings.load()
