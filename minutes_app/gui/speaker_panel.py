"""Speaker list with speaking times, and the dialog that names a speaker everywhere.

A speaker who objected to the recording is marked here ("Widerspricht der Aufzeichnung"):
``session.privacy.set_objection`` stores it in ``project.json`` with an audit entry, and
``objection_changed`` tells the views to leave that speaker's segments out.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import UserError
from ..base.types import Speaker
from ..session import privacy
from ..session.editing import SessionDoc
from .format import format_duration
from .speaker_colors import speaker_color
from .strings import tr

PREVIEW_SECONDS = 4.0


def attendee_names(doc: SessionDoc) -> list[str]:
    """Names from the project's attendee list."""
    names = []
    for person in doc.project.attendees:
        if person.name.strip() and person.name.strip() not in names:
            names.append(person.name.strip())
    return names


def name_suggestions(doc: SessionDoc) -> dict[str, Any]:
    """Speaker id -> ``NameSuggestion`` from the roster and the transcript ("Herr Schnell, bitte")."""
    from ..drafting.naming import suggest_speaker_names
    from ..session.profiles import load_matches

    people = doc.project.attendees
    if not people:
        return {}
    voices = load_matches(doc.project.folder)  # „per Stimmprofil (Ähnlichkeit 0.87)“, offered only
    return {s.speaker: s for s in suggest_speaker_names(doc.segments, people, voices)}


def preview_span(doc: SessionDoc, speaker_id: str) -> tuple[float, float] | None:
    """A few seconds of the speaker's longest segment (start, end)."""
    own = [s for s in doc.segments if s.speaker == speaker_id]
    if not own:
        return None
    longest = max(own, key=lambda s: s.end - s.start)
    return longest.start, min(longest.end, longest.start + PREVIEW_SECONDS)


def color_icon(speaker_id: str | None, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(speaker_color(speaker_id))
    return QIcon(pixmap)


class SpeakerPanel(QWidget):
    rename_requested = Signal(str)
    preview_requested = Signal(str)
    accept_requested = Signal(str, str)  # speaker id, suggested name
    objection_changed = Signal(str, bool)  # speaker id, objects to the recording

    def __init__(self, doc: SessionDoc, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.suggestions = name_suggestions(doc)  # offered only: the secretary confirms each
        self._suggested_for = self._speaker_layout()
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Sprecher", "Redezeit", "Vorschlag", tr("privacy.objection.column")])
        self.tree.setRootIsDecorated(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setToolTip("Doppelklick: Sprecher benennen")
        self.tree.itemDoubleClicked.connect(lambda item, _col: self.rename_requested.emit(self._id(item)))
        rename = QPushButton("Benennen …", self)
        rename.setToolTip("Diesem Sprecher einen Namen geben (überall im Transkript)")
        rename.clicked.connect(lambda: self._emit_current(self.rename_requested))
        preview = QPushButton("Probe anhören", self)
        preview.setToolTip(f"{PREVIEW_SECONDS:.0f} Sekunden aus dem längsten Beitrag abspielen")
        preview.clicked.connect(lambda: self._emit_current(self.preview_requested))
        self.accept_button = QPushButton("Vorschlag übernehmen", self)
        self.accept_button.setToolTip("Den Namensvorschlag aus der Anwesenheitsliste bestätigen")
        self.accept_button.clicked.connect(self.accept_current)
        self.accept_button.setVisible(bool(self.suggestions))
        self.tree.currentItemChanged.connect(lambda *_: self._update_accept())
        self.objection_box = QCheckBox(tr("privacy.objection"), self)
        self.objection_box.setToolTip(tr("privacy.objection.tip"))
        self.objection_box.clicked.connect(self.set_objection)  # user clicks only, not setChecked
        buttons = QHBoxLayout()
        buttons.addWidget(rename)
        buttons.addWidget(preview)
        buttons.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Sprecher</b>", self))
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.objection_box)
        self.refresh()

    @staticmethod
    def _id(item: QTreeWidgetItem) -> str:
        return str(item.data(0, Qt.ItemDataRole.UserRole))

    def _emit_current(self, signal: Any) -> None:
        item = self.tree.currentItem()
        if item is not None:
            signal.emit(self._id(item))

    def current_speaker(self) -> str | None:
        item = self.tree.currentItem()
        return None if item is None else self._id(item)

    def select(self, speaker_id: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and self._id(item) == speaker_id:
                self.tree.setCurrentItem(item)

    def pending(self, speaker_id: str | None) -> Any:
        """The suggestion for ``speaker_id`` while it is open: the speaker has no name yet and no
        other speaker carries the suggested name."""
        hint = self.suggestions.get(speaker_id or "")
        names = self.doc.project.speaker_names
        if hint is None or names.get(hint.speaker) or hint.name in names.values():
            return None
        return hint

    def accept_current(self) -> None:
        hint = self.pending(self.current_speaker())
        if hint is not None:
            self.accept_requested.emit(hint.speaker, hint.name)

    def _update_accept(self) -> None:
        current = self.current_speaker()
        self.accept_button.setEnabled(self.pending(current) is not None)
        self.objection_box.setEnabled(current is not None and not self.doc.locked)
        self.objection_box.setChecked(current in privacy.objected(self.doc.project))

    def set_objection(self, objects: bool, speaker_id: str | None = None) -> bool:
        """Mark the (current) speaker as objecting to the recording, or undo that; True if changed."""
        speaker_id = speaker_id or self.current_speaker()
        if speaker_id is None:
            return False
        try:
            # session API: pending edits first, lock, review reopened, audit entry
            changed = self.doc.session.set_objection(speaker_id, objects).changed
        except UserError as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            changed = False
        self.refresh()
        if changed:
            self.objection_changed.emit(speaker_id, objects)
        return changed

    def _speakers(self) -> list[Speaker]:
        """The document's speakers, plus objecting ones whose segments the views already left out."""
        speakers = list(self.doc.speakers)
        names = self.doc.project.speaker_names
        known = {s.id for s in speakers}
        speakers += [Speaker(i, names.get(i)) for i in sorted(privacy.objected(self.doc.project) - known)]
        return speakers

    def _speaker_layout(self) -> tuple[tuple[int, str | None], ...]:
        return tuple((seg.id, seg.speaker) for seg in self.doc.segments)

    def refresh(self) -> None:
        """Redraw the list. Suggestions are computed anew when segments changed speaker (split,
        merge, reassignment; ~0.4 s per hour of session, so not after each text edit); a rename
        hides the suggestions it settles (``pending``)."""
        current = self.current_speaker()
        layout = self._speaker_layout()
        if layout != self._suggested_for:
            self.suggestions, self._suggested_for = name_suggestions(self.doc), layout
        self.accept_button.setVisible(bool(self.suggestions))
        times = self.doc.speaking_time()
        objected = privacy.objected(self.doc.project)
        self.tree.clear()
        for speaker in sorted(self._speakers(), key=lambda s: -times.get(s.id, 0.0)):
            hint = self.pending(speaker.id)
            item = QTreeWidgetItem(
                [
                    speaker.label,
                    format_duration(times.get(speaker.id, 0.0)),
                    hint.name if hint else "",
                    tr("privacy.objection.mark") if speaker.id in objected else "",
                ]
            )
            if speaker.id in objected:
                item.setToolTip(3, tr("privacy.objection.tip"))
                font = item.font(0)
                font.setStrikeOut(True)
                item.setFont(0, font)
            item.setIcon(0, color_icon(speaker.id))
            item.setData(0, Qt.ItemDataRole.UserRole, speaker.id)
            item.setToolTip(0, speaker.id)
            if hint is not None:
                item.setToolTip(2, "Vorschlag – bitte bestätigen:\n" + "\n".join(hint.reasons))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        if current:
            self.select(current)
        self._update_accept()


class RenameDialog(QDialog):
    """Choose a name from the attendee list or type one; listen to a sample first.

    A name suggestion is offered with its reasons and a button that fills it in, never
    pre-filled: one Enter must not confirm a guess. "Übernehmen" needs a name."""

    preview_requested = Signal(str)

    def __init__(self, doc: SessionDoc, speaker_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.speaker_id = speaker_id
        self.setWindowTitle("Sprecher benennen")
        current = doc.project.speaker_names.get(speaker_id, "")
        label = QLabel(
            f"Name für <b style='color:{QColor(speaker_color(speaker_id)).name()}'>{speaker_id}</b> "
            "(gilt überall im Transkript):",
            self,
        )
        self.name_box = QComboBox(self)
        self.name_box.setEditable(True)
        self.name_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name_box.addItems(attendee_names(doc))
        hint = name_suggestions(doc).get(speaker_id) if not current else None
        self.name_box.setCurrentText(current)
        self.reasons = QLabel(f"Vorschlag: {hint.name} – " + "; ".join(hint.reasons) if hint else "", self)
        self.reasons.setWordWrap(True)
        self.reasons.setVisible(hint is not None)
        self.take_hint = QPushButton(f"Vorschlag einsetzen: {hint.name}" if hint else "", self)
        self.take_hint.setVisible(hint is not None)
        self.take_hint.setAutoDefault(False)
        if hint is not None:
            self.take_hint.clicked.connect(lambda: self.name_box.setCurrentText(hint.name))
        line = self.name_box.lineEdit()
        if line is not None:
            line.setPlaceholderText("Name aus der Anwesenheitsliste oder eintippen")
        self.name_box.setMinimumContentsLength(28)
        preview = QPushButton("Probe anhören", self)
        preview.clicked.connect(lambda: self.preview_requested.emit(speaker_id))
        row = QHBoxLayout()
        row.addWidget(self.name_box, 1)
        row.addWidget(preview)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Übernehmen")
        self.name_box.currentTextChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.ok_button.setEnabled(bool(current))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(self.reasons)
        layout.addWidget(self.take_hint)
        layout.addWidget(buttons)

    @property
    def name(self) -> str:
        return self.name_box.currentText().strip()
