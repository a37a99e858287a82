"""Voice profiles follow the speaker names confirmed in the editor.

Every rename of a speaker (the „Benennen …“ dialog, „Übernehmen“ of a suggestion, a name
given while assigning segments) and every undo/redo of one announces ``speaker_named`` on
the doc's events (``gui/undo.py``). With voice profiles switched on (setting
``voice_profiles``), the edits are saved and ``Session.enrol_voice`` runs as a background
job (the CAM++ work takes seconds): the named person's profile learns the speaker's speech
(with recorded consent only) and a part learned under an earlier name is taken back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..base.errors import Cancelled
from ..base.jobs import CancelToken, ProgressFn
from ..base.settings import Settings
from ..session.api import Change, Session
from ..session.editing import SessionDoc
from ..session.profiles import ProfileStore
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
        events_for(doc).speaker_named.connect(self.speaker_named)

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

        def work(progress: ProgressFn, cancel: CancelToken) -> Change:
            progress(0.0, "Stimmprofil wird aktualisiert")
            return Session(folder, user).enrol_voice(speaker_id, store, model_dir, cancel)

        job_adapter.submit(self.jobs, work, self._done, self._failed, title="Stimmprofil")

    def _done(self, change: Change) -> None:
        for line in change.messages:
            self.message.emit(line)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            self.message.emit(f"Das Stimmprofil wurde nicht aktualisiert: {exc}")
