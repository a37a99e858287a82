"""Screenshots of the app as a user sees it: start view, recording view, transcript
editor and draft editor, in the real main window at 125 % scaling.

Run under Xvfb (a real X server, the xcb platform plugin):

    xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python scripts/screenshots.py [PROJECT_DIR]

PROJECT_DIR is a processed project (default: minutes-demo/projekt from `make demo`);
it is copied into a temporary session library and never modified. Without a
display the script falls back to Qt's offscreen platform.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"


def main() -> None:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_SCALE_FACTOR", "1.25")
    from PySide6.QtWidgets import QApplication

    from minutes_app.base.settings import Settings
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.gui.main_window import MainWindow
    from minutes_app.session.project import Project

    source = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "minutes-demo" / "projekt")
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "sitzungen"
        folder = library / "beispielsitzung"
        shutil.copytree(source, folder)
        project = Project.load(folder)
        project.name = "3. Sitzung Umwelt und Mobilität"
        project.save()
        window = MainWindow(library=library, settings=Settings({}), jobs=JobRunner(synchronous=True))
        window.resize(1280, 800)
        window.show()

        def shot(name: str) -> None:
            for _ in range(5):
                app.processEvents()
            window.grab().save(str(OUT / name))
            print(OUT / name)

        window.show_start()
        shot("start_view.png")
        window.record_session()
        shot("record_view.png")
        window.open_session(folder)
        view = window.session_view
        transcript = getattr(view, "transcript_view", None)
        if transcript is not None and hasattr(transcript, "timeline"):
            transcript.timeline.canvas.envelope.compute_some(10_000)
            transcript.seek(40.0)
        shot("transcript_editor.png")
        tabs = view.tabs
        tabs.setCurrentIndex(1)
        drafts = tabs.currentWidget()
        if hasattr(drafts, "select_item"):
            drafts.select_item(1)
        shot("draft_editor.png")
        window.close()


if __name__ == "__main__":
    main()
