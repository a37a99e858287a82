"""The one way the GUI asks for files: plain titles, opened in the user's documents folder.

Menu and button texts carry mnemonics ("Anwesenheitsliste &laden …"); a window title shows
no "&" and no trailing "…". A dialog opens where the secretary keeps her files (Dokumente,
else the home folder), never in the program's hidden data folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget


def dialog_title(text: str) -> str:
    """ "Anwesenheitsliste &laden …" -> "Anwesenheitsliste laden" ("&&" stays one "&")."""
    plain = re.sub(r"&(.)", r"\1", text)
    return plain.rstrip(" .…").strip()


def start_folder() -> Path:
    """The user's documents folder, else the home folder."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    german = Path.home() / "Dokumente"
    return german if german.is_dir() else Path.home()


def _start(start: str | Path | None) -> str:
    """``start`` if it names an existing folder (or a file in one), else the documents folder."""
    if start:
        path = Path(start).expanduser()
        if path.is_dir() or (path.parent != Path(".") and path.parent.is_dir()):
            return str(path)
    return str(start_folder() / Path(start).name) if start else str(start_folder())


def open_files(
    parent: QWidget | None, title: str, filters: str, start: str | Path | None = None
) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, dialog_title(title), _start(start), filters)
    return [Path(p) for p in paths]


def open_file(
    parent: QWidget | None, title: str, filters: str, start: str | Path | None = None
) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, dialog_title(title), _start(start), filters)
    return Path(path) if path else None


def save_file(
    parent: QWidget | None, title: str, suggested: str | Path, filters: str
) -> tuple[Path | None, str]:
    """(chosen path or None, the chosen filter); a bare file name is suggested in the documents folder."""
    path, selected = QFileDialog.getSaveFileName(parent, dialog_title(title), _start(suggested), filters)
    return (Path(path) if path else None), selected


def choose_folder(parent: QWidget | None, title: str, start: str | Path | None = None) -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, dialog_title(title), _start(start))
    return Path(path) if path else None
