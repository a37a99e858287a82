"""Voice profiles follow the speaker names confirmed in the editor.

Every rename of a speaker (the „Benennen …“ dialog, „Übernehmen“ of a suggestion, a name
given while assigning segments) and every undo/redo of one announces ``speaker_named`` on
the doc's events (``gui/undo.py``). With voice profiles switched on (setting
``voice_profiles``), the edits are saved and ``Session.enrol_voice`` runs as a background
job (the CAM++ work takes seconds): the named person's profile learns the speaker's speech
(with recorded consent only) and a part learned under an earlier name is taken back.

Moving speech (a segment given to another speaker, all of one speaker's segments given to
another, a split or a join, and their undo/redo) announces ``segments_changed``. Once the
edit (or the whole macro of one undo step) is done, the speakers whose speech changed and
whose speech taught a profile part are found; the edits are saved and ``Session.sync_voices``
runs as the same kind of job: the part is computed again from the segments the speaker has
now, or taken back when it has none left. Text edits move no speech and start nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken, ProgressFn
from ..base.settings import Settings
from ..session.api import Change, Session
from ..session.editing import SessionDoc
from ..session.profiles import ProfileStore
from ..session.voices import followed_speakers, moved_speakers, speech_layout
from . import job_adapter
from .doc_events import events_for


class VoiceSync(QObject):
    message = Signal(str)  # German status line (profile updated, part taken back, error)

    def __init__(
        self,
        doc: SessionDoc,
        jobs: Any,
        save: Callable[[], None],
        settings: Callable[[], Any] = Settings.load,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.jobs, self.save, self.settings = doc, jobs, save, settings
        self.model_dir: Any = None  # tests: the CAM++ model folder (default: the model store's)
        self.layout = speech_layout(doc.segments)  # each speaker's speech as last seen
        events = events_for(doc)
        events.speaker_named.connect(self.speaker_named)
        events.segments_changed.connect(self.segments_changed)
        # one check after a burst of edits (assigning many segments, undoing that: one step)
        self.moved_timer = QTimer(self)
        self.moved_timer.setSingleShot(True)
        self.moved_timer.setInterval(0)
        self.moved_timer.timeout.connect(self.sync_moved)

    def store(self) -> ProfileStore | None:
        return ProfileStore.from_settings(self.settings(), self.doc.user)

    def speaker_named(self, speaker_id: str) -> None:
        store = self.store()
        if store is None or self.doc.locked:
            return  # switched off (nothing biometric happens), or a released session
        self.save()  # the name must be on disk before the job reads it
        if self.doc.dirty:
            return  # the save failed and was reported; the next rename tries again
        folder, user, model_dir = self.doc.project.folder, self.doc.user, self.model_dir
        spans = speech_layout(self.doc.segments).get(speaker_id)  # this job learns the speech it has now
        if spans is None:
            self.layout.pop(speaker_id, None)
        else:
            self.layout[speaker_id] = spans

        def work(progress: ProgressFn, cancel: CancelToken) -> Change:
            progress(0.0, "Stimmprofil wird aktualisiert")
            return Session(folder, user).enrol_voice(speaker_id, store, model_dir, cancel)

        job_adapter.submit(self.jobs, work, self._done, self._failed, title="Stimmprofil")

    def segments_changed(self) -> None:
        if not self.moved_timer.isActive():
            self.moved_timer.start()

    @property
    def pending(self) -> bool:
        """A check of moved speech waits for the event loop."""
        return self.moved_timer.isActive()

    def sync_moved(self) -> None:
        """Speech moved between speakers: the parts it taught follow (only speakers with one)."""
        layout = speech_layout(self.doc.segments)
        moved = moved_speakers(self.layout, layout)
        store = self.store()
        if not moved or store is None or self.doc.locked:
            self.layout = layout
            return
        try:
            moved = [s for s in moved if s in followed_speakers(self.doc.project, store)]
        except (UserError, OSError) as exc:  # an unreadable store: say so, the edit stays
            self.message.emit(f"Das Stimmprofil wurde nicht aktualisiert: {exc}")
            return  # the moved speech is checked again after the next edit
        if not moved:
            self.layout = layout
            return  # no confirmed, learned speaker was touched: nothing biometric to do
        self.save()
        if self.doc.dirty:
            return  # the save failed and was reported; the next edit tries again
        self.layout = layout
        folder, user, model_dir = self.doc.project.folder, self.doc.user, self.model_dir

        def work(progress: ProgressFn, cancel: CancelToken) -> Change:
            progress(0.0, "Stimmprofil wird aktualisiert")
            return Session(folder, user).sync_voices(moved, store, model_dir, cancel)

        job_adapter.submit(self.jobs, work, self._done, self._failed, title="Stimmprofil")

    def _done(self, change: Change) -> None:
        for line in change.messages:
            self.message.emit(line)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            self.message.emit(f"Das Stimmprofil wurde nicht aktualisiert: {exc}")
