"""QUndoCommands for every edit; each calls a SessionDoc operation and undoes it
with the record that operation returned.

Commands are applied once with ``apply()`` *before* they are pushed (so a refused
edit, a ``UserError``, never lands on the stack); the stack's first ``redo`` is then
skipped. Use ``push(stack, command)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from ..base.types import MinutesItem
from ..session.editing import SegmentEdit, SessionDoc
from .doc_events import events_for

_FIELD_MERGE_ID = 4711


class _Command(QUndoCommand):
    def __init__(self, doc: SessionDoc, text: str) -> None:
        super().__init__(text)
        self.doc = doc
        self._applied = False

    def apply(self) -> None:
        self._do()
        self._applied = True
        self._announce()

    def redo(self) -> None:
        if self._applied:  # already applied by push()
            self._applied = False
            return
        self._do()
        self._announce()

    def undo(self) -> None:
        self._undo()
        self._announce()

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def _announce(self) -> None:
        raise NotImplementedError


def push(stack: QUndoStack, command: _Command) -> None:
    """Apply ``command`` (may raise a UserError, then nothing changed) and put it on the stack."""
    command.apply()
    stack.push(command)


class SegmentCommand(_Command):
    """Any transcript edit returning a SegmentEdit (text, split, merge, speaker, replace all)."""

    def __init__(self, doc: SessionDoc, text: str, operation: Callable[[], SegmentEdit]) -> None:
        super().__init__(doc, text)
        self.operation = operation
        self.record: SegmentEdit | None = None

    def _do(self) -> None:
        self.record = self.operation()

    def _undo(self) -> None:
        assert self.record is not None
        self.doc.restore(self.record)

    def _announce(self) -> None:
        events_for(self.doc).segments_changed.emit()


def set_text(doc: SessionDoc, segment_id: int, text: str) -> SegmentCommand:
    return SegmentCommand(doc, "Text bearbeiten", lambda: doc.set_text(segment_id, text))


def split(doc: SessionDoc, segment_id: int, word_index: int) -> SegmentCommand:
    return SegmentCommand(doc, "Segment teilen", lambda: doc.split(segment_id, word_index))


def merge_with_next(doc: SessionDoc, segment_id: int) -> SegmentCommand:
    return SegmentCommand(doc, "Segmente zusammenführen", lambda: doc.merge_with_next(segment_id))


def set_speaker(doc: SessionDoc, segment_id: int, speaker_id: str) -> SegmentCommand:
    return SegmentCommand(doc, "Sprecher zuweisen", lambda: doc.set_speaker(segment_id, speaker_id))


def replace_all(doc: SessionDoc, find: str, replace: str) -> SegmentCommand:
    return SegmentCommand(doc, f"„{find}“ ersetzen", lambda: doc.replace_all(find, replace))


class RenameSpeakerCommand(_Command):
    def __init__(self, doc: SessionDoc, speaker_id: str, name: str) -> None:
        super().__init__(doc, "Sprecher umbenennen")
        self.speaker_id, self.name = speaker_id, name
        self.previous: str | None = None

    def _do(self) -> None:
        self.previous = self.doc.rename_speaker(self.speaker_id, self.name)

    def _undo(self) -> None:
        self.doc.rename_speaker(self.speaker_id, self.previous or "")

    def _announce(self) -> None:
        events = events_for(self.doc)
        events.speakers_changed.emit()
        events.speaker_named.emit(self.speaker_id)  # gui/voice_sync.py: the profiles follow the name


class ItemFieldCommand(_Command):
    """A human edit of one draft field; typing in one field (one ``session``) is one undo step."""

    def __init__(
        self,
        doc: SessionDoc,
        index: int,
        name: str,
        value: Any,
        session: int | None = None,
        text: str = "Entwurf bearbeiten",
    ) -> None:
        super().__init__(doc, text)
        self.index, self.name, self.value, self.session = index, name, value, session
        self.old: Any = None
        self.old_state = ""

    def _do(self) -> None:
        old, old_state = self.doc.set_item_field(self.index, self.name, self.value)
        if not self.old_state:  # keep the first "before" across merged steps
            self.old, self.old_state = old, old_state

    def _undo(self) -> None:
        self.doc.set_item_field(self.index, self.name, self.old)
        self.doc.set_item_state(self.index, self.old_state)

    def _announce(self) -> None:
        events_for(self.doc).item_changed.emit(self.index)

    def id(self) -> int:
        return _FIELD_MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        # Only steps of one editing session (same field, focus not left) become one undo step.
        if self.session is None or not isinstance(other, ItemFieldCommand):
            return False
        if (other.index, other.name, other.session) != (
            self.index,
            self.name,
            self.session,
        ):
            return False
        self.value = other.value
        return True


class ItemStateCommand(_Command):
    def __init__(self, doc: SessionDoc, index: int, state: str, text: str = "Prüfstatus ändern") -> None:
        super().__init__(doc, text)
        self.index, self.state = index, state
        self.old_state = ""

    def _do(self) -> None:
        self.old_state = self.doc.set_item_state(self.index, self.state)

    def _undo(self) -> None:
        self.doc.set_item_state(self.index, self.old_state)

    def _announce(self) -> None:
        events_for(self.doc).item_changed.emit(self.index)


class ReplaceItemCommand(_Command):
    """A regenerated item (LLM) replaces the old one; undo brings the old text and state back."""

    def __init__(self, doc: SessionDoc, index: int, item: MinutesItem) -> None:
        super().__init__(doc, "TOP neu erzeugen")
        self.index, self.item = index, item
        self.old: MinutesItem | None = None
        self.old_state = ""

    def _do(self) -> None:
        self.old, self.old_state = self.doc.replace_item(self.index, self.item)

    def _undo(self) -> None:
        assert self.old is not None
        self.doc.replace_item(self.index, self.old, source="mensch")
        self.doc.set_item_state(self.index, self.old_state)

    def _announce(self) -> None:
        events_for(self.doc).item_changed.emit(self.index)


class HintsCommand(_Command):
    """A „Hinweis zur Prüfung“ marked as dealt with (``SessionDoc.set_hints``); undo brings it back."""

    def __init__(self, doc: SessionDoc, index: int, hint: int) -> None:
        super().__init__(doc, "Hinweis erledigt")
        self.index, self.hint = index, hint
        self.old: list[str] = []

    def _do(self) -> None:
        flags = list(self.doc.item(self.index).flags)
        del flags[self.hint]
        self.old = self.doc.set_hints(self.index, flags)

    def _undo(self) -> None:
        self.doc.set_hints(self.index, self.old)

    def _announce(self) -> None:
        events_for(self.doc).item_changed.emit(self.index)
