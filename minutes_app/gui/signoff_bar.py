"""Sign-off bar of the draft editor: Entwurf -> geprüft -> freigegeben, versions, audit export.

Calls ``session.signoff`` / ``session.audit`` with the open ``SessionDoc`` (never a second
``Project``). Refusals (``UserError``) are shown as German message boxes. Every dialog
goes through a small method (``ask_confirm``, ``ask_reason``, ``ask_export_path``,
``show_refusal``) so tests can replace it.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import UserError
from ..session import audit, release_check, retention, signoff
from ..session.editing import SessionDoc
from .doc_events import events_for
from .file_dialogs import save_file
from .strings import tr

_BANNER_STYLE = (
    "background:#FBE2E2; border:1px solid #C26363; border-radius:4px; padding:6px;"
    " color:#6B1010; font-weight:bold;"
)
_BLOCKERS_STYLE = (
    "background:#FFF6D6; border:1px solid #E0C46C; border-radius:4px; padding:6px; color:#4A3B00;"
)
_STATE_STYLES = {
    signoff.ENTWURF: "color:#7A3E00;",
    signoff.GEPRUEFT: "color:#0B3D78;",
    signoff.FREIGEGEBEN: "color:#145A24;",
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_when(stamp: str) -> str:
    """``2025-03-04T19:12:05+01:00`` -> ``04.03.2025, 19:12`` (unparsable text as it is)."""
    try:
        return _dt.datetime.fromisoformat(stamp).strftime("%d.%m.%Y, %H:%M")
    except ValueError:
        return stamp


class SignOffBar(QFrame):
    """Status line, sign-off buttons and the lock banner above the draft editor."""

    changed = Signal()  # the sign-off state changed (lock may have changed)
    status_message = Signal(str)
    blocker_activated = Signal(object)  # release_check.Blocker clicked in the list: jump there

    def __init__(self, doc: SessionDoc, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.settings: Any = None  # base.settings.Settings (retention); None: loaded when needed
        self.blockers: list[release_check.Blocker] = []
        self.blocked_step = ""  # "review"/"release" while the list of what blocks it is shown
        self.state_label = QLabel(self)
        self.review_button = QPushButton(tr("signoff.review"), self)
        self.review_button.setToolTip(tr("signoff.review.tip"))
        self.review_button.clicked.connect(self.mark_reviewed)
        self.release_button = QPushButton(tr("signoff.release"), self)
        self.release_button.setToolTip(tr("signoff.release.tip"))
        self.release_button.clicked.connect(self.release)
        self.new_version_button = QPushButton(tr("signoff.new_version"), self)
        self.new_version_button.setToolTip(tr("signoff.new_version.tip"))
        self.new_version_button.clicked.connect(self.new_version)
        self.export_button = QPushButton(tr("signoff.export"), self)
        self.export_button.setToolTip(tr("signoff.export.tip"))
        self.export_button.clicked.connect(self.export_audit)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(_BANNER_STYLE)
        row = QHBoxLayout()
        row.addWidget(self.state_label, 1)
        for button in (self.review_button, self.release_button, self.new_version_button, self.export_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.blockers_label = QLabel(self)  # what blocks prüfen/freigeben, each a link to its place
        self.blockers_label.setWordWrap(True)
        self.blockers_label.setTextFormat(Qt.TextFormat.RichText)
        self.blockers_label.setStyleSheet(_BLOCKERS_STYLE)
        self.blockers_label.linkActivated.connect(self._blocker_clicked)
        self.blockers_label.hide()
        layout.addLayout(row)
        layout.addWidget(self.banner)
        layout.addWidget(self.blockers_label)
        events_for(doc).changed.connect(self.refresh)  # an edit after "geprüft" means Entwurf again
        self.refresh()

    # -- showing ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            current = signoff.status(self.doc.project)
        except UserError as exc:  # unknown state from a newer program version
            self.state_label.setText(str(exc))
            for button in (self.review_button, self.release_button, self.new_version_button):
                button.setEnabled(False)
            self.banner.hide()
            return
        if current.state == signoff.GEPRUEFT:
            text = tr(
                "signoff.status.reviewed",
                who=current.reviewed_by,
                when=format_when(current.reviewed_at),
                version=current.version,
            )
        elif current.state == signoff.FREIGEGEBEN:
            text = tr(
                "signoff.status.released",
                who=current.approved_by,
                when=format_when(current.approved_at),
                version=current.version,
            )
        else:
            text = tr("signoff.status", state=current.label, version=current.version)
        self.state_label.setText(text)
        self.state_label.setStyleSheet(_STATE_STYLES.get(current.state, "") + " font-weight:bold;")
        self.review_button.setEnabled(current.state == signoff.ENTWURF)
        self.release_button.setEnabled(current.state == signoff.GEPRUEFT)
        locked = current.state == signoff.FREIGEGEBEN
        self.new_version_button.setVisible(locked)
        self.banner.setVisible(locked)
        if locked:
            self.banner.setText(
                tr("signoff.banner", when=format_when(current.approved_at), who=current.approved_by)
            )
        if self.blocked_step:
            self.show_blockers(self.blocked_step)  # the list shrinks while the secretary fixes things

    # -- what blocks a step -------------------------------------------------------------------------
    def show_blockers(self, step: str) -> bool:
        """List what blocks ``step`` ("review"/"release") as links; True when something does."""
        found = release_check.blockers(self.doc)
        if step != "release":
            found = [b for b in found if release_check.blocks_review(b)]
        self._list_blockers(found, step)
        return bool(found)

    def _list_blockers(self, found: list[release_check.Blocker], step: str) -> None:
        self.blockers = list(found)
        self.blocked_step = step if found else ""
        self.blockers_label.setVisible(bool(found))
        if not found:
            self.blockers_label.clear()
            return
        key = "signoff.blocked" if step == "release" else "signoff.blocked.review"
        lines = "".join(f"<li><a href='{i}'>{_escape(b.text)}</a></li>" for i, b in enumerate(found))
        head = _escape(tr(key, count=len(found)))
        self.blockers_label.setText(f"<b>{head}</b><ul style='margin:0'>{lines}</ul>")

    def _blocker_clicked(self, href: str) -> None:
        if href.isdigit() and int(href) < len(self.blockers):
            self.blocker_activated.emit(self.blockers[int(href)])

    # -- the steps ----------------------------------------------------------------------------------
    def mark_reviewed(self) -> bool:
        if self.show_blockers("review"):
            return False
        signer = self.ask_signer("review")
        if signer is None:
            return False
        if not self._run(lambda: self.doc.session.mark_reviewed(signer)):
            return False
        self.status_message.emit(tr("signoff.reviewed.done"))
        return True

    def release(self) -> bool:
        if self.show_blockers("release"):
            return False
        signer = self.ask_signer("release")
        if signer is None:
            return False
        version = signoff.status(self.doc.project).version
        question = "\n\n".join(
            (
                tr("signoff.release.question", version=version),
                tr("signoff.release.signer", name=signer),
                retention.release_plan(self._settings()),
            )
        )
        if not self.ask_confirm(tr("signoff.release.title"), question):
            return False
        if not self._run(lambda: self.doc.session.release(signer)):
            return False
        self.status_message.emit(tr("signoff.released.done", version=version))
        return True

    def new_version(self) -> bool:
        reason = self.ask_reason()
        if reason is None:
            return False
        if not self._run(lambda: self.doc.session.new_version(reason)):
            return False
        version = signoff.status(self.doc.project).version
        self.status_message.emit(tr("signoff.new_version.done", version=version))
        return True

    def export_audit(self) -> Path | None:
        chosen = self.ask_export_path(str(self._default_export_path()))
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in (".csv", ".json"):
            path = path.with_name(path.name + ".csv")
        fmt = "json" if path.suffix.lower() == ".json" else "csv"
        try:
            self.doc.save()  # pending entries first, so the export is complete
            count = audit.export_audit(self.doc.project, path, fmt, user=self.doc.user)
        except UserError as exc:
            self.show_refusal(tr("signoff.export.title"), str(exc))
            return None
        self.status_message.emit(tr("signoff.export.done", count=count, path=str(path)))
        return path

    def _run(self, step: Callable[[], object]) -> bool:
        """Save pending edits (their audit entries), then run a sign-off step; refusals as a box."""
        try:
            self.doc.save()
            step()
        except release_check.ReleaseBlocked as exc:  # e.g. changed since the check: list it
            self._list_blockers(exc.blockers, "release" if "freigegeben" in str(exc) else "review")
            self.refresh()
            return False
        except UserError as exc:
            self.show_refusal(tr("signoff.refused.title"), str(exc))
            self.refresh()
            return False
        self.refresh()
        self.changed.emit()
        return True

    def _default_export_path(self) -> Path:
        name = re.sub(r'[\\/:*?"<>|]+', "_", self.doc.project.name).strip() or "Sitzung"
        return self.doc.project.folder.parent / tr("signoff.export.default_name", name=name)

    def _settings(self) -> Any:
        if self.settings is None:
            from ..base.settings import Settings

            try:
                self.settings = Settings.load()
            except UserError:
                self.settings = Settings({})
        return self.settings

    # -- dialogs (tests replace these) ----------------------------------------------------------------
    def ask_signer(self, step: str) -> str | None:
        """The signer's name: the Vorsitz/Schriftführung of the header or roster, else asked."""
        configured = release_check.signer_name(self.doc.project, step)
        if configured:
            return configured
        title = tr("signoff.release.title" if step == "release" else "signoff.review")
        text, ok = QInputDialog.getText(self, title, tr(f"signoff.signer.{step}"), QLineEdit.EchoMode.Normal)
        if not ok:
            return None
        if not text.strip():
            self.show_refusal(tr("signoff.refused.title"), tr("signoff.signer.missing"))
            return None
        return text.strip()

    def ask_confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_reason(self) -> str | None:
        """The reason for a new version; None when cancelled (an empty reason is refused by the core)."""
        text, ok = QInputDialog.getText(
            self, tr("signoff.new_version.title"), tr("signoff.new_version.label"), QLineEdit.EchoMode.Normal
        )
        return text if ok else None

    def ask_export_path(self, default: str) -> str:
        chosen, selected = save_file(self, tr("signoff.export.title"), default, tr("signoff.export.filter"))
        path = str(chosen) if chosen is not None else ""
        if path and not Path(path).suffix and "json" in selected.lower():
            path += ".json"  # a name without suffix: the chosen filter decides (else CSV)
        return path

    def show_refusal(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)
