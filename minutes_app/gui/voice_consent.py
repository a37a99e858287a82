"""Consent to voice profiles in the session form: one line per roster person.

With the setting ``voice_profiles`` on, the secretary records a person's consent (who
recorded it, on what basis; the time is taken) or withdraws it, which deletes the profile
at once (``session/profiles.ProfileStore``, audited beside the store). Consent belongs to
a person of a Gremium, so the Gremium of the form's Kopf is used. For a saved session
(``folder``) both go through the session API (``Session.record_voice_consent`` /
``withdraw_voice_consent``), so the session's audit trail notes them too; a new session not
yet saved has no trail, only the store's log. With the setting off the panel stays disabled
and says why. The CLI does the same with ``minutes-app profiles roster|consent|withdraw
--project DIR``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import UserError
from ..base.settings import Settings
from ..base.types import Attendee, SessionInfo
from ..session.api import Session
from ..session.profiles import ProfileStore
from ..session.voices import roster_consent
from .strings import tr

PERSON_ROLE = Qt.ItemDataRole.UserRole


class _Roster:
    """What ``roster_consent`` needs of a project, built from the form's fields."""

    def __init__(self, gremium: str, people: list[Attendee]) -> None:
        self.info = SessionInfo(committee=gremium)
        self.attendees = people


class VoiceConsentPanel(QGroupBox):
    def __init__(
        self,
        parent: QWidget | None = None,
        settings: Callable[[], Any] = Settings.load,
        user: str | None = None,
    ) -> None:
        super().__init__(tr("form.voice"), parent)
        self.settings, self.user = settings, user
        self.gremium = ""
        self.people: list[Attendee] = []
        self.folder: Path | None = None  # the form's saved session (its trail notes consent)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.list = QListWidget(self)
        self.by_edit = QLineEdit(self)
        self.basis_edit = QLineEdit(self)
        self.basis_edit.setPlaceholderText(tr("form.voice.basis.placeholder"))
        self.record_button = QPushButton(tr("form.voice.record"), self)
        self.record_button.clicked.connect(lambda: self.record())
        self.withdraw_button = QPushButton(tr("form.voice.withdraw"), self)
        self.withdraw_button.clicked.connect(lambda: self.withdraw())
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        fields = QFormLayout()
        fields.addRow(tr("form.voice.by"), self.by_edit)
        fields.addRow(tr("form.voice.basis"), self.basis_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.note, self.list):
            layout.addWidget(widget)
        layout.addLayout(fields)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.refresh()

    def store(self) -> ProfileStore | None:
        return ProfileStore.from_settings(self.settings(), self.user)

    def set_roster(self, gremium: str, people: list[Attendee], recorder: str = "") -> None:
        self.gremium, self.people = gremium.strip(), people
        if recorder and not self.by_edit.text().strip():
            self.by_edit.setText(recorder)
        self.refresh()

    def refresh(self) -> None:
        store = self.store()
        enabled = store is not None and bool(self.gremium)
        if store is None:
            self.note.setText(tr("form.voice.off"))
        else:
            self.note.setText(tr("form.voice.help" if self.gremium else "form.voice.no_committee"))
        for widget in (self.list, self.by_edit, self.basis_edit, self.record_button, self.withdraw_button):
            widget.setEnabled(enabled)
        self.list.clear()
        if store is None:
            return
        for row in roster_consent(_Roster(self.gremium, self.people), store):
            item = QListWidgetItem(f"{row.person}: {row.text}")
            item.setData(PERSON_ROLE, row.person)
            self.list.addItem(item)

    def _person(self) -> str:
        item = self.list.currentItem()
        return str(item.data(PERSON_ROLE)) if item is not None else ""

    def select(self, person: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(PERSON_ROLE) == person:
                self.list.setCurrentRow(row)

    def record(self) -> bool:
        """Record the consent of the selected person (who recorded it, basis; the time is now)."""
        store, person = self.store(), self._person()
        if store is None or not self.gremium:
            return False
        if not person:
            self.status.setText(tr("form.voice.pick"))
            return False
        try:
            by, basis = self.by_edit.text(), self.basis_edit.text()
            if self.folder is not None:
                Session(self.folder, self.user).record_voice_consent(store, self.gremium, person, by, basis)
            else:
                store.record_consent(self.gremium, person, by, basis)
        except (UserError, OSError) as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText(tr("form.voice.recorded", person=person))
        self.refresh()
        self.select(person)
        return True

    def withdraw(self, ask: bool = True) -> bool:
        """Withdraw the selected person's consent: their profile is deleted at once."""
        store, person = self.store(), self._person()
        if not person:
            self.status.setText(tr("form.voice.pick"))
            return False
        if store is None or store.get(self.gremium, person) is None:
            return False
        if ask:
            answer = QMessageBox.question(
                self, tr("form.voice.withdraw.title"), tr("form.voice.withdraw.ask", person=person)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            if self.folder is not None:  # the profile is deleted first, then the trail notes it
                Session(self.folder, self.user).withdraw_voice_consent(store, self.gremium, person)
            else:
                store.withdraw_consent(self.gremium, person)
        except (UserError, OSError) as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText(tr("form.voice.withdrawn", person=person))
        self.refresh()
        return True
