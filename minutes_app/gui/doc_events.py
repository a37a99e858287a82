"""One signal hub per SessionDoc, so every view refreshes after any edit or undo.

The undo stack is shared by the transcript and the draft editor; an undo started in
one view may change what the other shows. Commands announce what they changed here.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal

from ..session.editing import SessionDoc


class DocEvents(QObject):
    segments_changed = Signal()
    speakers_changed = Signal()
    speaker_named = Signal(str)  # a speaker's name was set, undone or redone (voice profiles follow)
    item_changed = Signal(int)  # index of the agenda item
    changed = Signal()  # anything (autosave listens to this)

    def __init__(self) -> None:
        super().__init__()
        for signal in (self.segments_changed, self.speakers_changed, self.item_changed):
            signal.connect(self.changed)


_HUBS: weakref.WeakKeyDictionary[SessionDoc, DocEvents] = weakref.WeakKeyDictionary()


def events_for(doc: SessionDoc) -> DocEvents:
    hub = _HUBS.get(doc)
    if hub is None:
        hub = _HUBS[doc] = DocEvents()
    return hub
