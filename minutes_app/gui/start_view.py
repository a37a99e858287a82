"""Start view: the session library (one project folder per session) and its actions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import UserError, os_reason
from ..base.settings import Settings
from ..pipeline.interrupted import interrupted
from ..session import privacy, retention, signoff
from ..session.api import Session
from ..session.editing import AI_DRAFT, CONFIRMED
from ..session.profiles import ProfileStore
from ..session.project import Project, list_projects
from .interrupted_bar import InterruptedBar
from .processing_banner import ProcessingBanner
from .strings import tr

FOLDER_ROLE = Qt.ItemDataRole.UserRole


# -- the library (no widgets) ------------------------------------------------------------------
def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9äöüÄÖÜß_-]+", "-", text.strip()).strip("-")
    return slug[:40] or "sitzung"


def create_session(library: Path, name: str, audio: Path | None = None) -> Project:
    """A new project folder in ``library``; ``audio`` is probed first (bad audio creates nothing)."""
    if audio is not None:
        from ..audio.decode import probe_audio

        probe_audio(audio)
    folder = Path(library) / f"{_slug(name)}-{uuid.uuid4().hex[:8]}"
    return Project.create(folder, audio, name=name.strip())


def import_audio_files(library: Path, paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """One new session per audio file: (created folders, German error lines of refused files)."""
    created: list[Path] = []
    errors: list[str] = []
    for path in paths:
        try:
            created.append(create_session(library, Path(path).stem, Path(path)).folder)
        except UserError as exc:
            errors.append(f"{Path(path).name}: {exc}")
        except OSError as exc:
            errors.append(f"{Path(path).name}: {os_reason(exc)}")
    return created, errors


def session_state(project: Project, settings: Settings | None = None) -> str:
    """German state shown in the list: neu, aufgenommen, … , in Bearbeitung, geprüft
    (with "Audio gelöscht (Aufbewahrungsfrist)" once retention deleted the recording, and
    with ``settings`` "Audio wird am … gelöscht" while a deletion is due)."""
    deleted = privacy.status_label(project)
    if not project.has_audio and not deleted:
        return tr("state.new")
    state = _processing_state(project)
    if not deleted and settings is not None:
        deleted = retention.due_label(project, settings)
    return tr("privacy.state", state=state, deleted=deleted) if deleted else state


def _processing_state(project: Project) -> str:
    if interrupted(project.folder):  # the program ended during processing (pipeline/interrupted.py)
        return tr("state.interrupted")
    if project.stage_entry("align") is None:
        started = any(project.stage_entry(stage) for stage in ("asr", "diarization", "draft"))
        return tr("state.partial") if started else tr("state.recorded")
    signed = signoff.state(project)  # the sign-off state says more than the items' states
    if signed == signoff.FREIGEGEBEN:
        return tr("state.released")
    if signed == signoff.GEPRUEFT:
        return tr("state.reviewed")
    states = [s for s in project.item_states if s]
    if states and all(s == CONFIRMED for s in states):
        return tr("state.confirmed")
    if project.speaker_names or any(s != AI_DRAFT for s in states):
        return tr("state.editing")
    return tr("state.processed")


def is_processed(project: Project) -> bool:
    return project.stage_entry("align") is not None and project.stage_file("align").exists()


def _settings() -> Settings:
    try:
        return Settings.load()
    except UserError:
        return Settings({})


# -- the widget ----------------------------------------------------------------------------------
class StartView(QWidget):
    """List of sessions with Neue Sitzung, Öffnen, Umbenennen, Löschen; drop audio to import."""

    new_requested = Signal()
    open_requested = Signal(Path)
    edit_requested = Signal(Path)
    process_requested = Signal(list)  # list[Path] of project folders
    settings_requested = Signal()

    def __init__(
        self, library: Path, parent: QWidget | None = None, settings: Settings | None = None
    ) -> None:
        super().__init__(parent)
        self.library = Path(library)
        self.settings = settings if settings is not None else _settings()
        heading = QLabel(tr("start.heading"))
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        self.hint = QLabel(tr("start.hint"))
        self.hint.setWordWrap(True)
        self.banner = ProcessingBanner(self)  # the global processing indicator
        self.interrupted = InterruptedBar(self)  # sessions cut off by the end of the program
        self.interrupted.resume_requested.connect(self.process_requested.emit)
        self.processing: dict[Path, str] = {}  # folder -> "wird verarbeitet – 42 %" (process view)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            [tr("start.col.name"), tr("start.col.committee"), tr("start.col.date"), tr("start.col.state")]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.itemActivated.connect(lambda *_: self._open_selected())
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._show_context_menu)
        self.empty = QLabel(tr("start.empty"))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, slot in (
            ("start.new", self.new_requested.emit),
            ("start.open", self._open_selected),
            ("start.edit", self._edit_selected),
            ("start.process", self._process_selected),
            ("start.rename", self.rename_selected),
            ("start.delete", self.delete_selected),
        ):
            button = QPushButton(tr(key))
            button.clicked.connect(lambda _=False, s=slot: s())
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)
        settings = QPushButton(tr("start.settings"))
        settings.clicked.connect(self.settings_requested.emit)
        row.addWidget(settings)

        for shortcut, slot in (
            (QKeySequence.StandardKey.Delete, self.delete_selected),
            ("F2", self.rename_selected),
        ):
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, s=slot: s())
            self.tree.addAction(action)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.banner)
        layout.addWidget(self.interrupted)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        self.refresh()

    # -- list ---------------------------------------------------------------------------------------
    def refresh(self, select: Path | None = None) -> None:
        current = select or self.selected_folder()
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        for folder in list_projects(self.library):
            try:
                project = Project.load(folder)
                info = project.info
                state = self.processing.get(folder) or session_state(project, self.settings)
                values = [project.name, info.committee, info.date, state]
            except UserError:
                values = [folder.name, "", "", tr("state.broken")]
            item = QTreeWidgetItem(values)
            item.setData(0, FOLDER_ROLE, str(folder))
            self.tree.addTopLevelItem(item)
            if current is not None and folder == current:
                self.tree.setCurrentItem(item)
        self.tree.setSortingEnabled(True)
        rows = self._items()
        if self.tree.currentItem() is None and rows:
            self.tree.setCurrentItem(rows[0])
        has_rows = self.tree.topLevelItemCount() > 0
        self.empty.setVisible(not has_rows)
        self.interrupted.show_for(self.folders())
        self._update_buttons()

    def set_processing(self, labels: dict[Path, str]) -> None:
        """Show the processing state of the running/queued sessions in their rows."""
        changed = set(labels) | set(self.processing)
        self.processing = dict(labels)
        for item in self._items():
            folder = Path(item.data(0, FOLDER_ROLE))
            if folder in changed:
                try:
                    item.setText(3, labels.get(folder) or session_state(Project.load(folder), self.settings))
                except UserError:
                    item.setText(3, tr("state.broken"))

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def folders(self) -> list[Path]:
        return [Path(item.data(0, FOLDER_ROLE)) for item in self._items()]

    def select(self, folder: Path) -> None:
        for item in self._items():
            if Path(item.data(0, FOLDER_ROLE)) == folder:
                self.tree.setCurrentItem(item)

    def selected_folder(self) -> Path | None:
        item = self.tree.currentItem()
        return Path(item.data(0, FOLDER_ROLE)) if item is not None else None

    def _update_buttons(self) -> None:
        selected = self.selected_folder() is not None
        for key in ("start.open", "start.edit", "start.process", "start.rename", "start.delete"):
            self.buttons[key].setEnabled(selected)

    def context_menu(self) -> QMenu:
        """Menu of the selected session: Öffnen, Umbenennen, Sitzung löschen."""
        menu = QMenu(self)
        for key, slot in (
            ("start.open", self._open_selected),
            ("start.rename", self.rename_selected),
            ("privacy.delete.action", self.delete_selected),
        ):
            action = menu.addAction(tr(key))
            action.triggered.connect(lambda _=False, s=slot: s())
        return menu

    def _show_context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        menu = self.context_menu()
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    # -- actions --------------------------------------------------------------------------------
    def _open_selected(self) -> None:
        folder = self.selected_folder()
        if folder is not None:
            self.open_requested.emit(folder)

    def _edit_selected(self) -> None:
        folder = self.selected_folder()
        if folder is not None:
            self.edit_requested.emit(folder)

    def _process_selected(self) -> None:
        folder = self.selected_folder()
        if folder is not None:
            self.process_requested.emit([folder])

    def rename_selected(self, name: str | None = None) -> bool:
        folder = self.selected_folder()
        if folder is None:
            return False
        try:
            project = Project.load(folder)
        except UserError as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            return False
        if name is None:
            name, ok = QInputDialog.getText(
                self, tr("start.rename.title"), tr("start.rename.label"), text=project.name
            )
            if not ok:
                return False
        if not name.strip():
            return False
        try:  # session API: refused on a released session, audit entry
            Session(project).set_header(name=name)
        except UserError as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            return False
        self.refresh(select=folder)
        return True

    def delete_selected(self) -> bool:
        """Sitzung löschen: the whole session folder after a confirmation; True when deleted.

        Also a released session (its minutes go with it); a recording outside the folder stays.
        """
        item = self.tree.currentItem()
        if item is None:
            return False
        folder, name = Path(item.data(0, FOLDER_ROLE)), item.text(0)
        answer = QMessageBox.question(
            self,
            tr("start.delete.title"),
            tr("privacy.delete.question", name=name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            # the parts this session taught voice profiles go with it (also with the feature off)
            privacy.delete_session(folder, ProfileStore.of_settings(self.settings))
        except UserError as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            self.refresh()
            return False
        self.refresh()
        return True

    def import_audio(self, paths: Iterable[Path]) -> list[Path]:
        """Drop or import of audio files: one session each, queued for processing."""
        created, errors = import_audio_files(self.library, paths)
        self.refresh(select=created[-1] if created else None)
        if errors:
            QMessageBox.warning(self, tr("import.title"), tr("import.bad", errors="\n".join(errors)))
        if created:
            self.process_requested.emit(created)
        return created
