"""Create or edit a session: header data (Kopf), attendees, agenda and the recording."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..agenda.fetch import is_url
from ..agenda.lines import section_of
from ..agenda.roster import Attendee, attendees_from_text, load_roster, roster_to_text
from ..agenda.text import parse_agenda_lines
from ..base.errors import UserError
from ..base.settings import setting
from ..base.types import AgendaItem, SessionInfo
from ..session.api import Session
from ..session.project import Project
from .file_dialogs import open_file, open_files
from .start_view import create_session
from .strings import tr
from .voice_consent import VoiceConsentPanel

PROTOCOL_KINDS = tuple(setting("protocol_type").choice_values())  # declared once, with labels

# (form key, SessionInfo field, placeholder key)
FIELDS = (
    ("form.committee", "committee", None),
    ("form.number", "session_number", None),
    ("form.date", "date", "form.date.placeholder"),
    ("form.location", "location", None),
    ("form.start", "start_time", "form.time.placeholder"),
    ("form.end", "end_time", "form.time.placeholder"),
    ("form.chair", "chair", None),
    ("form.recorder", "recorder", None),
)


def agenda_to_text(items: list[AgendaItem]) -> str:
    """Items as editable text that ``parse_agenda_lines`` reads back whole: sections for Teil B,
    "(Vorlage …)" after the title, an indented "Beschlussvorschlag: …" line."""
    lines: list[str] = []
    with_parts = any(not item.public for item in items)
    part: bool | None = None
    for item in items:
        if with_parts and item.public != part:
            part = item.public
            lines.append("Öffentlicher Teil" if item.public else "Nichtöffentlicher Teil")
        label = f"TOP {item.number}" if item.number[:1].isdigit() else item.number
        title = f"{item.title} (Vorlage {item.paper})" if item.paper else item.title
        lines.append(f"{label}: {title}" if title else label)
        if item.proposal:
            lines.append(f"    Beschlussvorschlag: {' '.join(item.proposal.split())}")
    return "\n".join(lines)


def bad_agenda_lines(text: str) -> list[str]:
    """Typed lines that are not agenda items (indented lines continue the previous item)."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip()
        and line[:1] not in (" ", "\t")
        and section_of(line) is None
        and not parse_agenda_lines(line)
    ]


class SessionForm(QWidget):
    """Form page; emits ``saved`` (folders) and ``process_requested`` (folders) or ``cancelled``."""

    saved = Signal(list)
    process_requested = Signal(list)
    cancelled = Signal()

    def __init__(
        self,
        library: Path,
        parent: QWidget | None = None,
        default_protocol_type: str = "",
        jobs: Any = None,
    ) -> None:
        super().__init__(parent)
        self.library = Path(library)
        self.jobs = jobs  # JobRunner for loading from an OParl server (None: load in place)
        self._people: list[Attendee] = []  # the roster as imported (fields the text box does not show)
        self._oparl_ids: dict[str, str] = {}  # TOP number -> OParl AgendaItem id
        self.default_protocol_type = default_protocol_type or "verlauf"
        self.project: Project | None = None
        self.audio_files: list[Path] = []

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        form.addRow(tr("form.name"), self.name_edit)
        self.edits: dict[str, QLineEdit] = {}
        for label, key, placeholder in FIELDS:
            edit = QLineEdit()
            if placeholder:
                edit.setPlaceholderText(tr(placeholder))
            form.addRow(tr(label), edit)
            self.edits[key] = edit
        self.protocol_combo = QComboBox()
        for kind in PROTOCOL_KINDS:
            self.protocol_combo.addItem(setting("protocol_type").choice_label(kind), kind)
        form.addRow(tr("form.protocol_type"), self.protocol_combo)

        self.audio_label = QLabel(tr("form.audio.none"))
        self.audio_label.setWordWrap(True)
        audio_button = QPushButton(tr("form.audio.import"))
        audio_button.clicked.connect(self._choose_audio)
        audio_row = QHBoxLayout()
        audio_row.addWidget(self.audio_label, 1)
        audio_row.addWidget(audio_button)
        form.addRow(tr("form.audio"), audio_row)

        self.attendees_edit = QPlainTextEdit()
        self.attendees_edit.setTabChangesFocus(True)
        attendees_button = QPushButton(tr("form.attendees.import"))
        attendees_button.clicked.connect(self._choose_attendees)
        self.agenda_edit = QPlainTextEdit()
        self.agenda_edit.setTabChangesFocus(True)
        agenda_button = QPushButton(tr("form.agenda.import"))
        agenda_button.clicked.connect(self._choose_agenda)
        self.oparl_button = QPushButton(tr("form.agenda.oparl"))
        self.oparl_button.clicked.connect(self._choose_oparl)

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addLayout(form)
        lists = QHBoxLayout()  # agenda and attendees side by side
        for label, text_edit, buttons in (
            ("form.agenda", self.agenda_edit, (agenda_button, self.oparl_button)),
            ("form.attendees", self.attendees_edit, (attendees_button,)),
        ):
            caption = QLabel(tr(label))
            caption.setWordWrap(True)
            caption.setBuddy(text_edit)
            box = QVBoxLayout()
            box.addWidget(caption)
            box.addWidget(text_edit, 1)
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
            box.addLayout(row)
            lists.addLayout(box, 1)
        column.addLayout(lists, 1)
        self.consent = VoiceConsentPanel(inner)  # voice-profile consent of the roster's persons
        column.addWidget(self.consent)
        self.edits["committee"].textChanged.connect(self._update_consent)
        self.attendees_edit.textChanged.connect(self._update_consent)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)

        self.save_button = QPushButton(tr("form.save"))
        self.save_button.clicked.connect(lambda: self.submit(process=False))
        self.process_button = QPushButton(tr("form.save_process"))
        self.process_button.setDefault(True)
        self.process_button.clicked.connect(lambda: self.submit(process=True))
        cancel = QPushButton(tr("form.cancel"))
        cancel.clicked.connect(self.cancelled.emit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (cancel, self.save_button, self.process_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.load(None)

    # -- loading ------------------------------------------------------------------------------------
    def load(self, project: Project | None) -> None:
        """Fill the form from ``project`` (None: an empty form for a new session)."""
        self.project = project
        self.consent.folder = project.folder if project else None  # consent noted in its trail
        self.audio_files = []
        self.title.setText(tr("form.title.edit" if project else "form.title.new"))
        info = project.info if project else SessionInfo()
        self.name_edit.setText(project.name if project else "")
        for key, edit in self.edits.items():
            edit.setText(str(getattr(info, key)))
        kind = (project.protocol_type if project else "") or self.default_protocol_type
        self.protocol_combo.setCurrentIndex(max(0, self.protocol_combo.findData(kind)))
        agenda = project.agenda if project else []
        self._oparl_ids = {a.number: a.oparl_id for a in agenda if a.oparl_id}
        self.agenda_edit.setPlainText(agenda_to_text(agenda))
        self._people = project.attendees if project else []
        self.attendees_edit.setPlainText(roster_to_text(self._people))
        self._show_audio()
        self.name_edit.setFocus()

    def _update_consent(self) -> None:
        people = attendees_from_text(self.attendees_edit.toPlainText(), self._people)
        recorder = self.edits["recorder"].text().strip()
        self.consent.set_roster(self.edits["committee"].text(), people, recorder)

    def focus_field(self, key: str) -> bool:
        """Put the cursor into a header field (``SessionInfo`` name), e.g. one the release needs."""
        edit = self.edits.get(key)
        if edit is None:
            return False
        edit.setFocus()
        edit.selectAll()
        return True

    def _show_audio(self) -> None:
        if self.audio_files:
            text = str(self.audio_files[0])
            if len(self.audio_files) > 1:
                text += "\n" + tr("form.audio.more", count=len(self.audio_files) - 1)
        elif self.project is not None and self.project.has_audio:
            text = str(self.project.audio_path)
        else:
            text = tr("form.audio.none")
        self.audio_label.setText(text)

    # -- imports (file dialogs only in the _choose_* slots) -------------------------------------------
    def _choose_audio(self) -> None:
        paths = open_files(self, tr("import.title"), tr("import.filter"))
        if paths:
            self.add_audio_files(paths)

    def _choose_attendees(self) -> None:
        path = open_file(self, tr("form.attendees.import"), tr("form.attendees.filter"))
        if path is not None:
            self.import_attendees_file(path)

    def _choose_oparl(self) -> None:
        url, ok = QInputDialog.getText(self, tr("form.agenda.oparl"), tr("form.agenda.oparl.prompt"))
        if ok and url.strip():
            self.import_agenda_file(url.strip())

    def _choose_agenda(self) -> None:
        path = open_file(self, tr("form.agenda.import"), tr("form.agenda.filter"))
        if path is not None:
            self.import_agenda_file(path)

    def _refuse(self, message: str) -> None:
        QMessageBox.warning(self, tr("form.file_error.title"), f"{message}\n\n{tr('form.file_error.kept')}")

    def add_audio_files(self, paths: list[Path]) -> bool:
        """Probe and add recordings; bad files are refused with a message. True if all were good."""
        from ..audio.decode import probe_audio

        errors = []
        for path in paths:
            try:
                probe_audio(path)
            except UserError as exc:
                errors.append(f"{path.name}: {exc}")
                continue
            self.audio_files.append(path)
        self._show_audio()
        if errors:
            self._refuse(tr("import.bad", errors="\n".join(errors)))
        return not errors

    def import_attendees_file(self, path: Path) -> bool:
        try:
            people = load_roster(path)
        except UserError as exc:
            self._refuse(str(exc))
            return False
        self._set_people(people)
        return True

    def _set_people(self, people: list[Attendee]) -> None:
        self._people = people
        self.attendees_edit.setPlainText(roster_to_text(people))

    def import_agenda_file(self, source: Path | str) -> bool:
        """Text, DOCX or PDF invitation, OParl JSON file, or an OParl URL (in a background job)."""
        from ..agenda.load import load_agenda

        if is_url(source) and self.jobs is not None:
            self.oparl_button.setEnabled(False)
            self.jobs.submit(
                lambda progress, cancel: load_agenda(source),
                name=tr("form.agenda.oparl.loading"),
                model=False,
                on_result=self.apply_agenda_import,
                on_error=self._refuse,
                on_finished=lambda: self.oparl_button.setEnabled(True),
            )
            return True
        try:
            imported = load_agenda(source)
        except UserError as exc:
            self._refuse(str(exc))
            return False
        self.apply_agenda_import(imported)
        return True

    def apply_agenda_import(self, imported: Any) -> None:
        """Show an ``AgendaImport``; OParl header data fills empty fields, participants an empty roster."""
        self._oparl_ids = {a.number: a.oparl_id for a in imported.items if a.oparl_id}
        self.agenda_edit.setPlainText(agenda_to_text(imported.items))
        if imported.info is not None:
            for key, edit in self.edits.items():
                value = str(getattr(imported.info, key, "") or "")
                if value and not edit.text().strip():
                    edit.setText(value)
        if imported.attendees and not self.attendees_edit.toPlainText().strip():
            self._set_people(imported.attendees)

    # -- validation and saving ---------------------------------------------------------------------------
    def validate(self) -> str | None:
        """The German problem with the input, or None when it can be saved."""
        date = self.edits["date"].text().strip()
        if date:
            try:
                _dt.datetime.strptime(date, "%d.%m.%Y")
            except ValueError:
                self.edits["date"].setFocus()
                return tr("form.invalid.date", value=date)
        for key in ("start_time", "end_time"):
            value = self.edits[key].text().strip()
            if value:
                try:
                    _dt.datetime.strptime(value, "%H:%M")
                except ValueError:
                    self.edits[key].setFocus()
                    return tr("form.invalid.time", value=value)
        bad = bad_agenda_lines(self.agenda_edit.toPlainText())
        if bad:
            self.agenda_edit.setFocus()
            return tr("form.invalid.agenda", lines="\n".join(f"• {line}" for line in bad[:8]))
        return None

    def submit(self, process: bool = False) -> list[Path] | None:
        problem = self.validate()
        if problem:
            QMessageBox.warning(self, tr("form.invalid.title"), problem)
            return None
        try:
            folders = self.save()
        except (UserError, OSError) as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            return None
        self.saved.emit(folders)
        if process:
            ready = [f for f in folders if Project.load(f).has_audio]
            if ready:
                self.process_requested.emit(ready)
        return folders

    def save(self) -> list[Path]:
        """Write the form into its project (created if new); extra recordings become own sessions."""
        info = dataclasses.replace(self.project.info if self.project else SessionInfo())
        for key, edit in self.edits.items():
            setattr(info, key, edit.text().strip())
        agenda = parse_agenda_lines(self.agenda_edit.toPlainText())
        for item in agenda:
            item.oparl_id = self._oparl_ids.get(item.number, "")
        people = attendees_from_text(self.attendees_edit.toPlainText(), self._people)
        audio = list(self.audio_files)
        name = self.name_edit.text().strip()
        projects: list[Project] = []
        if self.project is None:
            first = audio.pop(0) if audio else None
            default = first.stem if first else (info.committee or tr("form.title.new"))
            projects.append(create_session(self.library, name or default, first))
        else:
            project = self.project
            if audio:
                Session(project).attach_audio(audio.pop(0))
            if name:
                Session(project).set_header(name=name)
            projects.append(project)
        projects += [create_session(self.library, path.stem, path) for path in audio]
        for project in projects:  # session API: lock, review reopened, one audit entry per change
            session = Session(project)
            session.set_header(info, protocol_type=str(self.protocol_combo.currentData()))
            session.set_agenda(agenda)
            session.set_attendees(people)
        self.project = projects[0]
        self.consent.folder = self.project.folder
        self.audio_files = []
        self._show_audio()
        return [p.folder for p in projects]
