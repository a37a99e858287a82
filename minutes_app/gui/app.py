"""Start of the desktop application: ``minutes-app gui`` or ``python -m minutes_app.gui.app``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from .strings import tr


def install_qt_translations(app: object) -> None:
    """German texts for Qt's own buttons and dialogs (Ja/Nein, Abbrechen, file dialogs)."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)  # type: ignore[arg-type]
    if translator.load(QLocale(QLocale.Language.German), "qtbase", "_", folder):
        app.installTranslator(translator)  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the GUI until its window is closed; returns the exit code."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ..base.errors import UserError
    from ..base.offline import ensure_offline
    from ..base.settings import Settings, data_dir
    from .main_window import MainWindow

    ensure_offline()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    install_qt_translations(app)
    QApplication.setApplicationName("minutes-app")
    QApplication.setApplicationDisplayName(tr("app.title"))
    try:
        settings = Settings.load()
    except UserError as exc:
        QMessageBox.critical(None, tr("error.title"), str(exc))
        return 2
    from ..session import privacy

    privacy.secure_data_dir()
    removed = privacy.sweep(data_dir() / "sessions", settings)  # retention: old recordings go
    window = MainWindow(settings=settings)
    window.show()
    if removed:
        window.statusBar().showMessage(tr("privacy.swept", count=len(removed)), 15000)
    from .record_view import offer_recovery

    for wav in offer_recovery(window, window.library):  # recordings cut off by a crash
        if (wav.parent / "project.json").exists():
            window.attach_recording(wav.parent, wav)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
