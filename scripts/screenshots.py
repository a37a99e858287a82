"""Screenshots of the app as a user sees it: start view, recording view, transcript
editor and draft editor, in the real main window at 125 % scaling (README.md).

Run under Xvfb (a real X server, the xcb platform plugin):

    xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python scripts/screenshots.py [PROJECT_DIR]

PROJECT_DIR is a processed project (default: minutes-demo/projekt from `make demo`);
it is copied into a temporary session library and never modified. In the copy the
header comes from the example session and the speakers get the names a secretary
would give them (the attendee who speaks most of each speaker's time), and a second,
prepared session (header and agenda, no recording yet) is what the recording view
records into. Without a display the script falls back to Qt's offscreen platform.
The secretary's whole day, step by step, is scripts/user_day.py.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
EXAMPLE = json.loads((REPO / "resources" / "examples" / "beispielsitzung.json").read_text(encoding="utf-8"))


def _true_names(project) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Speaker id -> the example's speaker who talks most of that speaker's time."""
    from minutes_app.session.result import load_session

    overlap: dict[str, dict[str, float]] = {}
    for seg in load_session(project).segments:
        for turn in EXAMPLE["turns"]:
            common = min(seg.end, turn["end"]) - max(seg.start, turn["start"])
            if common > 0 and seg.speaker:
                per = overlap.setdefault(seg.speaker, {})
                per[turn["speaker_name"]] = per.get(turn["speaker_name"], 0.0) + common
    return {sid: max(per, key=per.__getitem__) for sid, per in overlap.items()}


def _prepare(library: Path, source: Path) -> Path:
    """The processed copy (header, names) and a prepared session; returns the copy's folder."""
    from minutes_app.agenda.load import load_agenda
    from minutes_app.base.types import SessionInfo
    from minutes_app.gui.start_view import create_session
    from minutes_app.session.api import Session
    from minutes_app.session.project import Project

    folder = library / "beispielsitzung"
    shutil.copytree(source, folder)
    header = EXAMPLE["session"]
    info = SessionInfo(committee=header["committee"], date=header["date"], location=header["location"])
    session = Session(Project.load(folder))
    session.set_header(info, name="3. Sitzung Umwelt und Mobilität")
    for speaker_id, name in sorted(_true_names(session.project).items()):
        session.rename_speaker(speaker_id, name)
    prepared = Session(create_session(library, "4. Sitzung Umwelt und Mobilität"))
    prepared.set_header(
        SessionInfo(committee="4. Sitzung des Ausschusses für Umwelt und Mobilität", date="09.04.2025")
    )
    prepared.set_agenda(
        load_agenda(REPO / "resources" / "examples" / "beispielsitzung_tagesordnung.txt").items
    )
    return folder


def main() -> None:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_SCALE_FACTOR", "1.25")
    from PySide6.QtWidgets import QApplication

    from minutes_app.base.settings import Settings
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.gui.main_window import MainWindow

    source = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "minutes-demo" / "projekt")
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "sitzungen"
        folder = _prepare(library, source)
        window = MainWindow(library=library, settings=Settings({}), jobs=JobRunner())
        window.resize(1280, 800)
        window.show()

        def shot(name: str) -> None:
            for _ in range(5):
                app.processEvents()
            window.grab().save(str(OUT / name))
            print(OUT / name)

        window.show_start()
        window.start_view.select(folder)
        shot("start_view.png")
        window.start_view.select(next(f for f in window.start_view.folders() if f != folder))
        window.record_session()  # into the prepared session selected in the list
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
