"""Save the edited session a moment after the last change (and when closing).

Every change (any command, any undo) restarts a single-shot timer; when it fires
and the document is dirty, ``doc.save()`` writes atomically. A burst of typing
therefore costs one save, not one per key. A second timer, started by the first
unsaved change and not restarted, bounds the wait during non-stop editing: a crash
loses at most ``AUTOSAVE_MAX_WAIT_MS`` of edits (measured in
tests/test_reliability_editing.py).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ..base.errors import UserError
from ..session.editing import SessionDoc
from .doc_events import events_for

AUTOSAVE_DELAY_MS = 2000
AUTOSAVE_MAX_WAIT_MS = 3000  # longest an edit stays unsaved while editing goes on


class AutoSave(QObject):
    saved = Signal()
    failed = Signal(str)  # German message (disk full, folder gone ...)

    def __init__(
        self,
        doc: SessionDoc,
        delay_ms: int = AUTOSAVE_DELAY_MS,
        parent: QObject | None = None,
        on_error: Callable[[str], None] | None = None,
        max_wait_ms: int = AUTOSAVE_MAX_WAIT_MS,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        self.saves = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(max(max_wait_ms, delay_ms))
        self._deadline.timeout.connect(self.flush)
        events_for(doc).changed.connect(self.schedule)
        if on_error is not None:
            self.failed.connect(on_error)

    @property
    def pending(self) -> bool:
        return self._timer.isActive() or self._deadline.isActive()

    def schedule(self) -> None:
        self._timer.start()  # restarts: ~delay after the *last* change
        if not self._deadline.isActive():
            self._deadline.start()  # not restarted: at most max_wait after the first unsaved change

    def flush(self) -> None:
        """Save now if there is anything unsaved (also call this on close)."""
        self._timer.stop()
        self._deadline.stop()
        if not self.doc.dirty:
            return
        try:
            self.doc.save()
        except (OSError, UserError) as exc:
            self.failed.emit(f"Die Änderungen konnten nicht gespeichert werden: {exc}")
            return
        self.saves += 1
        self.saved.emit()
