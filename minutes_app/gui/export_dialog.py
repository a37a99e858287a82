"""Export dialog: DOCX (with the city's template) or TXT/SRT/VTT/JSON, optionally opened afterwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..base.jobs import CancelToken, ProgressFn
from ..base.settings import Settings
from ..session.export import Exported, export_session
from ..session.outputs import check_export_targets
from ..session.result import SessionResult
from .file_dialogs import open_file, save_file, start_folder
from .jobs import JobRunner
from .strings import tr

FORMATS = ("docx", "txt", "srt", "vtt", "json", "oparl")
RELEASED_DOCX = "_niederschrift.docx"  # the released Niederschrift; before release a draft
SUFFIX = {
    "docx": "_entwurf.docx",
    "txt": "_transkript.txt",
    "srt": ".srt",
    "vtt": ".vtt",
    "json": ".json",
    "oparl": "_oparl.json",
}
PARTS = (None, "oeffentlich", "nichtoeffentlich", "gesamt")


class ExportDialog(QDialog):
    def __init__(
        self,
        result: Callable[[], SessionResult],
        settings: Settings,
        jobs: JobRunner,
        default_name: str,
        parent: QWidget | None = None,
        *,
        released: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("export.title"))
        self.result_fn = result
        self.jobs = jobs
        self.default_name = default_name
        # the docx is the Niederschrift once released, a draft ("_entwurf") before
        self.suffix = dict(SUFFIX, docx=RELEASED_DOCX) if released else dict(SUFFIX)
        self.written: Path | None = None
        self.written_all: list[Path] = []

        self.format = QComboBox()
        for fmt in FORMATS:
            self.format.addItem(tr(f"export.format.{fmt}"), fmt)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.template = QLineEdit(str(settings.get("docx_template") or ""))
        self.template.setPlaceholderText(tr("export.template.none"))
        template_button = QPushButton(tr("export.template.browse"))
        template_button.clicked.connect(self._choose_template)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template, 1)
        template_row.addWidget(template_button)
        self.template_widgets = (self.template, template_button)
        self.include_transcript = QCheckBox(tr("export.transcript"))
        self.part = QComboBox()
        for part in PARTS:
            self.part.addItem(tr(f"export.part.{part or 'beide'}"), part)
        self.output = QLineEdit()
        output_button = QPushButton(tr("export.browse"))
        output_button.clicked.connect(self._choose_output)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output, 1)
        output_row.addWidget(output_button)
        self.open_after = QCheckBox(tr("export.open_after"))
        self.open_after.setChecked(True)

        form = QFormLayout()
        form.addRow(tr("export.format"), self.format)
        form.addRow(tr("export.template"), template_row)
        form.addRow("", self.include_transcript)
        form.addRow(tr("export.part"), self.part)
        form.addRow(tr("export.output"), output_row)
        form.addRow("", self.open_after)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("button.cancel"))
        self.export_button = buttons.addButton(tr("export.button"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        buttons.accepted.connect(self.start_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._format_changed()

    @property
    def fmt(self) -> str:
        return str(self.format.currentData())

    def _default_output(self) -> Path:
        return start_folder() / f"{self.default_name}{self.suffix[self.fmt]}"

    def _format_changed(self) -> None:
        docx = self.fmt == "docx"
        for widget in (*self.template_widgets, self.include_transcript):
            widget.setEnabled(docx)
        self.part.setEnabled(True)  # every format can hold only Teil A or Teil B
        current = self.output.text().strip()
        if not current:
            self.output.setText(str(self._default_output()))
        else:
            path = Path(current)
            known = sorted({*SUFFIX.values(), RELEASED_DOCX}, key=len, reverse=True)
            stem = path.name.removesuffix(next((s for s in known if path.name.endswith(s)), path.suffix))
            self.output.setText(str(path.with_name(stem + self.suffix[self.fmt])))

    def _choose_template(self) -> None:
        path = open_file(
            self, tr("export.template"), tr("export.template.filter"), self.template.text().strip()
        )
        if path is not None:
            self.template.setText(str(path))

    def _choose_output(self) -> None:
        path, _ = save_file(self, tr("export.output"), self.output.text().strip(), f"*.{self.fmt}")
        if path is not None:
            self.output.setText(str(path))

    def start_export(self) -> None:
        """Export through the JobRunner (a light job); the dialog closes when the file is written."""
        target = self.output.text().strip()
        if not target:
            QMessageBox.warning(self, tr("export.title"), tr("export.no_output"))
            return
        output = Path(target).expanduser()
        template = Path(self.template.text().strip()) if self.template.text().strip() else None
        fmt, include = self.fmt, self.include_transcript.isChecked()
        part = self.part.currentData() if self.part.isEnabled() else None
        if fmt == "oparl" and part is None:
            part = "oeffentlich"
        result = self.result_fn()
        self.export_button.setEnabled(False)

        def work(progress: ProgressFn, cancel: CancelToken) -> Exported:
            # the one output check (CLI too): no input, session file, folder, link or special file
            check_export_targets([(fmt, output, part)], [template], result.project.folder)
            return export_session(result, fmt, output, template, include, part)

        self.jobs.submit(
            work,
            name=tr("export.title"),
            model=False,
            on_result=self._exported,
            on_error=self._failed,
            on_finished=lambda: self.export_button.setEnabled(True),
        )

    def _exported(self, done: Exported) -> None:
        paths = done.written
        self.written, self.written_all = Path(paths[0]), [Path(p) for p in paths]
        if len(paths) > 1:  # Teil B went to its own file: say where
            QMessageBox.information(
                self, tr("export.title"), tr("export.files", files="\n".join(str(p) for p in paths))
            )
        if done.kept:  # a file with the user's work was there: it was kept, say under which name
            kept = "\n".join(tr("export.kept.line", path=p.name, copy=c.name) for p, c in done.kept)
            QMessageBox.information(self, tr("export.title"), tr("export.kept", files=kept))
        if self.open_after.isChecked() and not QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.written))
        ):
            # no program is set up to open it (no desktop launcher): say so instead of nothing
            QMessageBox.information(self, tr("export.title"), tr("export.no_launcher", path=self.written))
        self.accept()

    def _failed(self, message: str) -> None:
        QMessageBox.warning(self, tr("export.failed.title"), message)
