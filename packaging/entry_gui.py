"""Frozen entry of ``minutes-app-gui`` (the desktop app, no console window on Windows).

``--quit-after SECONDS`` starts the app normally and closes it after that time; the
packaging test and admins use it to check that an installed copy starts
(``minutes-app-gui --quit-after 5``; exit code 0 and the line ``GUI gestartet: ...``).
"""

from __future__ import annotations

import multiprocessing
import os
import sys


def _quit_after(argv: list[str]) -> tuple[float | None, list[str]]:
    if "--quit-after" not in argv:
        return None, argv
    i = argv.index("--quit-after")
    try:
        seconds = float(argv[i + 1])
    except (IndexError, ValueError):
        seconds = 5.0
        return seconds, argv[:i] + argv[i + 1 :]
    return seconds, argv[:i] + argv[i + 2 :]


def main() -> int:
    multiprocessing.freeze_support()  # spawned worker processes run here and exit
    if sys.stdout is None or sys.stderr is None:  # windowed build on Windows: no console
        devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the app
        sys.stdout = sys.stdout or devnull
        sys.stderr = sys.stderr or devnull
    seconds, argv = _quit_after(sys.argv[1:])
    from minutes_app.gui.app import main as gui_main

    if seconds is not None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([sys.argv[0], *argv])

        def report_and_quit() -> None:
            shown = [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()]
            print(f"GUI gestartet: {', '.join(t for t in shown if t) or '-'}", flush=True)
            app.quit()

        QTimer.singleShot(int(seconds * 1000), report_and_quit)
    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
