"""The "Sprecher:" box of the transcript editor: the session's speakers, the attendee list, a new speaker.

Choosing an attendee who is not yet a speaker's name gives the selected segments a new
speaker id with that name; choosing one who already names a speaker assigns that speaker.
The assignment of several selected segments is one undo step (``assign``).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QComboBox

from ..session.editing import SessionDoc
from . import undo
from .speaker_panel import attendee_names, color_icon

NEW_SPEAKER = "__neu__"
ATTENDEE = "person:"  # item data prefix of an attendee name


def new_speaker_id(doc: SessionDoc) -> str:
    """The next free SPEAKER_xx id."""
    numbers = [int(s.id.rsplit("_", 1)[-1]) for s in doc.speakers if s.id.rsplit("_", 1)[-1].isdigit()]
    return f"SPEAKER_{max(numbers, default=-1) + 1:02d}"


def fill_speaker_box(box: QComboBox, doc: SessionDoc, current: str | None) -> None:
    """Speakers (coloured), then the attendees not yet naming a speaker, then "Neuer Sprecher"."""
    box.blockSignals(True)
    box.clear()
    for speaker in doc.speakers:
        box.addItem(color_icon(speaker.id), speaker.label, speaker.id)
    named = {speaker.name for speaker in doc.speakers if speaker.name}
    people = [name for name in attendee_names(doc) if name not in named]
    if people:
        box.insertSeparator(box.count())
        for name in people:
            box.addItem(f"{name} (Anwesenheitsliste)", ATTENDEE + name)
        box.insertSeparator(box.count())
    box.addItem("Neuer Sprecher", NEW_SPEAKER)
    if current is not None:
        box.setCurrentIndex(max(box.findData(current), 0))
    box.blockSignals(False)


def resolve_choice(doc: SessionDoc, data: str) -> tuple[str, str | None]:
    """Box item data -> (speaker id, name to give that id or None)."""
    if data == NEW_SPEAKER:
        return new_speaker_id(doc), None
    if data.startswith(ATTENDEE):
        name = data.removeprefix(ATTENDEE)
        existing = next((s.id for s in doc.speakers if s.name == name), None)
        return (existing, None) if existing else (new_speaker_id(doc), name)
    return data, None


def assign(
    stack: QUndoStack, doc: SessionDoc, segment_ids: list[int], speaker_id: str, name: str | None = None
) -> int:
    """Give ``segment_ids`` the speaker (and the new speaker its name) as one undo step.

    Returns how many segments changed; a refused edit raises its UserError (the steps done
    before it stay undoable, as that one step)."""
    changed = [i for i in segment_ids if doc.segments[doc.index_of(i)].speaker != speaker_id]
    if not changed:
        return 0
    stack.beginMacro(
        "Sprecher zuweisen" if len(changed) == 1 else f"Sprecher von {len(changed)} Segmenten zuweisen"
    )
    try:
        for segment_id in changed:
            undo.push(stack, undo.set_speaker(doc, segment_id, speaker_id))
        if name:
            undo.push(stack, undo.RenameSpeakerCommand(doc, speaker_id, name))
    finally:
        stack.endMacro()
    return len(changed)
