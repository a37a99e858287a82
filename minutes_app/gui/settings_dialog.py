"""Settings dialog, generated from ``base.settings.SETTINGS`` (type -> widget), and the model store.

A setting with declared ``choices`` is a (non-editable) combo box showing their German labels;
settings declared ``advanced`` go on the "Erweitert" tab. A setting can be locked (issue 7:
fixed by the IT) or fixed by an environment variable; its widget is then shown but disabled.
``locked`` is the set of keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..base.errors import UserError
from ..base.jobs import CancelToken, ProgressFn
from ..base.settings import SETTINGS, Setting, Settings
from .file_dialogs import choose_folder, open_file
from .jobs import JobHandle, JobRunner
from .strings import TEXT, tr

SECRET = {"llm_api_key", "asr_api_key"}
PATHS = {"models_dir": "dir", "shared_models_dir": "dir", "docx_template": "file"}


class _Field:
    """One setting's widget with a uniform get/set/enable."""

    def __init__(self, setting: Setting, value: Any, parent: QWidget) -> None:
        self.setting = setting
        self.widget: QWidget
        self.editor: QWidget
        if setting.type is bool:
            box = QCheckBox(parent)
            box.setChecked(bool(value))
            self.widget = self.editor = box
            self.get: Callable[[], Any] = box.isChecked
        elif setting.type is int:
            spin = QSpinBox(parent)
            spin.setRange(0, 4096)
            spin.setValue(int(value))
            self.widget = self.editor = spin
            self.get = spin.value
        elif setting.choices:
            combo = QComboBox(parent)
            for choice, label in setting.choices:
                combo.addItem(label, choice)
            combo.setCurrentIndex(max(combo.findData(str(value)), 0))
            self.widget = self.editor = combo
            self.get = combo.currentData
        else:
            edit = QLineEdit(str(value), parent)
            if setting.key in SECRET:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.editor = edit
            self.get = lambda: edit.text().strip()
            self.widget = edit
            if setting.key in PATHS:
                row = QWidget(parent)
                layout = QHBoxLayout(row)
                layout.setContentsMargins(0, 0, 0, 0)
                button = QPushButton(tr("settings.browse"), row)
                button.setAccessibleName(setting.description)
                button.clicked.connect(lambda: self._browse(edit, PATHS[setting.key], setting.description))
                layout.addWidget(edit, 1)
                layout.addWidget(button)
                self.widget = row

    @staticmethod
    def _browse(edit: QLineEdit, kind: str, title: str) -> None:
        if kind == "dir":
            path = choose_folder(edit, title, edit.text().strip())
        else:
            path = open_file(edit, title, tr("export.template.filter"), edit.text().strip())
        if path is not None:
            edit.setText(str(path))

    def set_locked(self, locked: bool, reason: str) -> None:
        self.widget.setEnabled(not locked)
        self.widget.setToolTip(reason if locked else "")


class ModelsPanel(QWidget):
    """Installed models and an Install button (runs ``store.install(profile=...)`` as a job)."""

    def __init__(self, store: Any, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.jobs = jobs
        self.handle: JobHandle | None = None
        self.location = QLabel(tr("settings.models.store", path=store.root))
        self.location.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [tr(f"settings.models.col.{c}") for c in ("id", "kind", "size", "state")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.profile = QComboBox()
        for profile in ("default", "test"):
            self.profile.addItem(tr(f"settings.models.profile.{profile}"), profile)
        self.install_button = QPushButton(tr("settings.models.install"))
        self.install_button.clicked.connect(self.install)
        self.cancel_button = QPushButton(tr("settings.models.cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("settings.models.profile")))
        row.addWidget(self.profile)
        row.addWidget(self.install_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.location)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        models = self.store.list()
        self.table.setRowCount(len(models))
        for row, status in enumerate(models):
            state = "ok" if status.installed and status.verified else "bad" if status.installed else "missing"
            kind = TEXT.get(f"kind.{status.kind}", status.kind)
            size = f"{status.size / 1e6:,.0f} MB".replace(",", ".") if status.size else "–"
            for col, text in enumerate((status.id, kind, size, tr(f"settings.models.state.{state}"))):
                self.table.setItem(row, col, QTableWidgetItem(text))

    def install(self) -> None:
        profile = str(self.profile.currentData())
        store = self.store

        def work(progress: ProgressFn, cancel: CancelToken) -> Any:
            return store.install(profile=profile, progress=progress, cancel=cancel)

        self.install_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("")
        self.handle = self.jobs.submit(
            work,
            name=tr("settings.models.install"),
            on_progress=self._progress,
            on_result=lambda _: self.status.setText(tr("settings.models.installed")),
            on_error=self.status.setText,
            on_cancelled=lambda: self.status.setText(tr("settings.models.cancelled")),
            on_finished=self._finished,
        )

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(round(fraction * 1000))
        if message:
            self.status.setText(message)

    def _finished(self) -> None:
        self.handle = None
        self.install_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.refresh()


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        jobs: JobRunner,
        store: Any = None,
        parent: QWidget | None = None,
        locked: Iterable[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("settings.title"))
        self.settings = settings
        self.locked = set(locked) | set(settings.locked)
        self.fields: dict[str, _Field] = {}
        general, advanced = QWidget(), QWidget()
        forms = {False: QFormLayout(general), True: QFormLayout(advanced)}
        for form in forms.values():
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        note = QLabel(tr("settings.advanced.note"), advanced)
        note.setWordWrap(True)
        forms[True].addRow(note)
        for setting in SETTINGS:
            form = forms[setting.advanced]
            page = advanced if setting.advanced else general
            field = _Field(setting, settings.get(setting.key), page)
            if isinstance(field.editor, QCheckBox):  # the check box carries its own text
                field.editor.setText(setting.description)
                form.addRow("", field.widget)
            else:
                label = QLabel(setting.description)
                label.setBuddy(field.editor)
                form.addRow(label, field.widget)
            self.fields[setting.key] = field
            if setting.key in self.locked:
                field.set_locked(True, tr("settings.locked"))
            elif setting.env and os.environ.get(setting.env):
                field.set_locked(True, tr("settings.env", env=setting.env))
        tabs = QTabWidget()
        tabs.addTab(general, tr("settings.general"))
        scroll = QScrollArea()  # many technical settings: they scroll, the dialog keeps its size
        scroll.setWidgetResizable(True)
        scroll.setWidget(advanced)
        tabs.addTab(scroll, tr("settings.advanced"))
        self.tabs = tabs
        if store is None:
            from ..models.store import ModelStore

            store = ModelStore.default(settings)
        self.models = ModelsPanel(store, jobs)
        tabs.addTab(self.models, tr("settings.models"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("button.save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("button.cancel"))
        buttons.accepted.connect(self.save_and_close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()  # sized in characters: readable at any scaling
        longest = max(metrics.horizontalAdvance(s.description) for s in SETTINGS if s.type is not bool)
        self.resize(longest + metrics.averageCharWidth() * 60, metrics.height() * 32)

    def apply(self) -> None:
        """Copy the widgets into the settings (locked ones untouched); UserError on a bad value."""
        for key, field in self.fields.items():
            if field.widget.isEnabled():
                self.settings.set(key, field.get())

    def save_and_close(self) -> None:
        try:
            self.apply()
            self.settings.save()
        except UserError as exc:
            QMessageBox.warning(self, tr("settings.invalid.title"), str(exc))
            return
        self.accept()
