"""Main window: the views in a QStackedWidget, menus, shortcuts, drag & drop of recordings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import UserError, os_reason
from ..base.settings import Settings, data_dir
from ..session.api import Session
from ..session.project import Project
from .file_dialogs import open_files
from .jobs import JobRunner
from .process_view import ProcessView
from .session_form import SessionForm
from .session_view import SessionView
from .shortcuts import ALL_SHORTCUTS
from .start_view import StartView, is_processed
from .strings import tr

EXTRA_SHORTCUTS = (
    "shortcuts.tab",
    "shortcuts.enter",
    "shortcuts.delete",
    "shortcuts.f2",
    "shortcuts.esc",
    "shortcuts.dragdrop",
)


class MainWindow(QMainWindow):
    def __init__(
        self,
        library: Path | None = None,
        settings: Settings | None = None,
        jobs: JobRunner | None = None,
        parent: QWidget | None = None,
        **pipeline_overrides: Any,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("app.title"))
        self.library = Path(library) if library is not None else data_dir() / "sessions"
        self.settings = settings if settings is not None else Settings.load()
        self.jobs = jobs if jobs is not None else JobRunner(self)
        self.undo_group = QUndoGroup(self)
        self.record_view: Any = None

        self.stack = QStackedWidget()
        self.start_view = StartView(self.library, settings=self.settings)
        self.form = SessionForm(
            self.library, default_protocol_type=str(self.settings.get("protocol_type")), jobs=self.jobs
        )
        self.process_view = ProcessView(self.jobs, lambda: self.settings, **pipeline_overrides)
        self.session_view = SessionView(self.jobs, self.settings, self.undo_group)
        for view in (self.start_view, self.form, self.process_view, self.session_view):
            self.stack.addWidget(view)
        self.setCentralWidget(self.stack)
        self.setAcceptDrops(True)

        self.start_view.new_requested.connect(self.new_session)
        self.start_view.open_requested.connect(self.open_session)
        self.start_view.edit_requested.connect(self.edit_session)
        self.start_view.process_requested.connect(self.process)
        self.start_view.settings_requested.connect(self.show_settings)
        self.form.saved.connect(lambda folders: self.start_view.refresh(select=folders[0]))
        self.form.saved.connect(lambda _: self.show_start())
        self.form.process_requested.connect(self.process)
        self.form.cancelled.connect(self.show_start)
        self.process_view.processed.connect(lambda _: self.start_view.refresh())
        self.process_view.finished_all.connect(self.processing_done)
        self.process_view.overall_changed.connect(self._processing_changed)
        self.start_view.banner.show_requested.connect(lambda: self.stack.setCurrentWidget(self.process_view))
        self.process_view.back_requested.connect(self.show_start)
        self.session_view.back_requested.connect(self.show_start)
        self.session_view.header_requested.connect(self.edit_header)
        self.session_view.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._build_menus()
        metrics = self.fontMetrics()  # sized in characters and lines: readable at any scaling
        self.resize(metrics.averageCharWidth() * 160, metrics.height() * 48)
        self.show_start()

    # -- menus ------------------------------------------------------------------------------------
    def _action(self, key: str, slot: Callable[[], Any], shortcut: Any = None) -> QAction:
        action = QAction(tr(key), self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(tr("menu.file"))
        file_menu.addAction(self._action("action.new", self.new_session, QKeySequence.StandardKey.New))
        file_menu.addAction(self._action("action.import", self.choose_audio, "Ctrl+I"))
        file_menu.addAction(self._action("action.record", self.record_session, "Ctrl+R"))
        file_menu.addAction(self._action("action.settings", self.show_settings, "Ctrl+,"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("action.quit", self.close, "Ctrl+Q"))
        edit_menu = bar.addMenu(tr("menu.edit"))
        undo = self.undo_group.createUndoAction(self, tr("action.undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_group.createRedoAction(self, tr("action.redo"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addActions([undo, redo])
        view_menu = bar.addMenu(tr("menu.view"))
        view_menu.addAction(self._action("action.overview", self.show_start, "Ctrl+Home"))
        help_menu = bar.addMenu(tr("menu.help"))
        help_menu.addAction(self._action("action.shortcuts", self.show_shortcuts, "F1"))
        help_menu.addAction(self._action("action.about", self.show_about))

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action, keys) of every action with a shortcut in this window, menus and editors alike."""
        rows = []
        for action in self.findChildren(QAction):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys and action.text():
                rows.append((action.text().replace("&", "").rstrip(" …"), keys))
        return sorted(set(rows))

    def show_shortcuts(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("shortcuts.title"))
        native = QKeySequence.SequenceFormat.NativeText
        editors = [
            (
                tr("shortcuts.where", description=s.description, where=s.where),
                QKeySequence(s.keys).toString(native),
            )
            for s in ALL_SHORTCUTS
        ]
        rows = self.shortcut_rows() + editors + [(tr(k), "") for k in EXTRA_SHORTCUTS]
        table = QTableWidget(len(rows), 2, dialog)
        table.setHorizontalHeaderLabels([tr("shortcuts.action"), tr("shortcuts.keys")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (text, keys) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(text))
            table.setItem(row, 1, QTableWidgetItem(keys))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("button.close"))
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        layout.addWidget(buttons)
        dialog.resize(self.fontMetrics().averageCharWidth() * 90, self.fontMetrics().height() * 25)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(self, tr("app.title"), tr("about.text"))

    # -- navigation -------------------------------------------------------------------------------
    def _leave_session(self) -> None:
        try:
            self.session_view.close_session()
        except UserError as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))

    def show_start(self) -> None:
        self._leave_session()
        self.start_view.refresh()
        self.stack.setCurrentWidget(self.start_view)
        self.start_view.tree.setFocus()

    def new_session(self) -> None:
        self._leave_session()
        self.form.load(None)
        self.stack.setCurrentWidget(self.form)

    def edit_session(self, folder: Path) -> None:
        try:
            project = Project.load(folder)
        except UserError as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            return
        self._leave_session()
        self.form.load(project)
        self.stack.setCurrentWidget(self.form)

    def edit_header(self, folder: Path, field: str) -> None:
        """A release blocker in the header data: the session's form with that field focused."""
        self.edit_session(folder)
        if self.stack.currentWidget() is self.form:
            self.form.focus_field(field)

    def open_session(self, folder: Path) -> None:
        """Processed: the editors; recorded: processing; not yet recorded: the form."""
        try:
            project = Project.load(folder)
            if is_processed(project):  # also when retention deleted the audio: the minutes stay
                self.session_view.open(folder)
            elif not project.has_audio:
                self.edit_session(folder)
                return
            else:
                self.process([folder])
                return
        except UserError as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            return
        self.stack.setCurrentWidget(self.session_view)

    def _processing_changed(self, text: str, fraction: float, running: bool) -> None:
        self.start_view.banner.update_state(text, fraction, running)
        self.start_view.set_processing(self.process_view.session_labels())

    def processing_done(self, folder: Path) -> None:
        """The queue ran through: open the session only if the user is watching its processing;
        never switch away from what the user is doing now."""
        if self.stack.currentWidget() is self.process_view:
            self.open_session(folder)
            return
        try:
            name = Project.load(folder).name
        except UserError:
            name = folder.name
        self.statusBar().showMessage(tr("process.done_elsewhere", name=name), 15000)

    def record_target(self) -> tuple[Project | None, str]:
        """The session a recording goes into: the open form's or the selected one, when it has no
        audio yet; otherwise (None, German note why a new session is made, or "" without one)."""
        folder = self.start_view.selected_folder()
        if self.stack.currentWidget() is self.form:  # the session being prepared, new or not
            problem = self.form.validate()
            if problem is not None:
                raise UserError(problem)
            self.form.save()  # what was typed stays with the session the recording goes into
            folder = self.form.project.folder if self.form.project is not None else None
        if folder is None:
            return None, ""
        try:
            project = Project.load(folder)
        except UserError:
            return None, ""
        if project.has_audio:
            return None, tr("record.new_session", name=project.name, new=tr("record.session_name"))
        return project, ""

    def record_session(self) -> Any:
        """Record into the selected (prepared) session, or a new one when none is selected or the
        selected one already has a recording (the record view says so); afterwards its form opens."""
        from .record_view import RecordView
        from .start_view import create_session

        if self.record_view is not None and self.record_view.is_recording():
            self.stack.setCurrentWidget(self.record_view)
            return self.record_view
        try:
            project, note = self.record_target()
            self._leave_session()
            if project is None:
                project = create_session(self.library, tr("record.session_name"))
        except (UserError, OSError) as exc:
            QMessageBox.warning(
                self, tr("error.title"), str(exc) if isinstance(exc, UserError) else os_reason(exc)
            )
            return None
        if self.record_view is not None:
            old = self.record_view
            self.stack.removeWidget(old)
            if old.live is not None and old.live.running:
                old.live.ended.connect(old.deleteLater)  # its live job is still finishing
            else:
                old.deleteLater()
        self.record_view = RecordView(project.folder, jobs=self.jobs, settings=self.settings)
        self.record_view.set_session(project.name or project.folder.name, note)
        if note:
            self.statusBar().showMessage(note, 15000)
        folder = project.folder
        self.record_view.recording_finished.connect(lambda path: self.attach_recording(folder, path))
        self.stack.addWidget(self.record_view)
        self.stack.setCurrentWidget(self.record_view)
        return self.record_view

    def attach_recording(self, folder: Path, wav: Path) -> None:
        """Give a finished (or recovered) recording to its session, with its markers."""
        from ..audio.recovery import load_markers

        try:
            project = Project.load(folder)
            markers = [{"time": m.time, "label": m.label} for m in load_markers(wav)]
            Session(project).attach_audio(wav, markers)  # session API: lock, audit entry
            if self.record_view is not None:
                self.record_view.hand_over(project)  # the live transcript gets the pipeline's key
        except (UserError, OSError) as exc:
            QMessageBox.warning(self, tr("error.title"), str(exc))
            return
        self.edit_session(folder)

    def process(self, folders: list[Path]) -> None:
        self._leave_session()
        self.stack.setCurrentWidget(self.process_view)  # first: a synchronous run may open the session
        self.process_view.start(list(folders))

    def choose_audio(self) -> None:
        paths = open_files(self, tr("import.title"), tr("import.filter"))
        if paths:
            self.start_view.import_audio(paths)

    def show_settings(self) -> QDialog:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.jobs, parent=self)
        dialog.open()
        return dialog

    # -- drag & drop --------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt name)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt name)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        files = [p for p in paths if p.is_file()]
        if files:
            event.acceptProposedAction()
            self.start_view.import_audio(files)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        if self.record_view is not None and self.record_view.is_recording():
            self.record_view.stop_recording()  # never lose a running recording on close
        self._leave_session()
        self.jobs.shutdown(timeout_ms=60000)
        event.accept()
