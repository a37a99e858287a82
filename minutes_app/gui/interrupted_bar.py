"""Start view: sessions whose processing the end of the program cut off, with „Fortsetzen“.

The pipeline keeps a marker in the session folder while it works (``pipeline/interrupted.py``);
a marker whose program is gone means the app was killed, crashed or lost power during
processing. Continuing runs the same processing again, which takes every finished stage,
ASR window, diarization block and draft item from the folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..base.errors import UserError
from ..pipeline.interrupted import interrupted
from ..session.project import Project
from .strings import tr


def interrupted_sessions(folders: list[Path]) -> list[tuple[Path, str]]:
    """(folder, session name) of every session in ``folders`` whose processing was cut off."""
    found = []
    for folder in folders:
        if interrupted(folder):
            try:
                name = Project.load(folder).name
            except UserError:
                continue
            found.append((folder, name))
    return found


class InterruptedBar(QFrame):
    """„Die Verarbeitung von … wurde unterbrochen“ with a button to continue; hidden when none."""

    resume_requested = Signal(list)  # list[Path] of project folders

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.folders: list[Path] = []
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton(tr("interrupted.resume"))
        self.button.clicked.connect(lambda: self.resume_requested.emit(list(self.folders)))
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_for(self, folders: list[Path]) -> None:
        """Look at ``folders`` (the library) and show the interrupted ones, if any."""
        found = interrupted_sessions(folders)
        self.folders = [folder for folder, _ in found]
        if not found:
            self.hide()
            return
        names = ", ".join(f"„{name}“" for _, name in found)
        key = "interrupted.one" if len(found) == 1 else "interrupted.many"
        self.label.setText(tr(key, names=names))
        self.show()
