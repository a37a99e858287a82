"""Offscreen screenshots of the transcript and draft editors (docs/screenshots/).

Usage: QT_SCALE_FACTOR=1.25 python scripts/editor_screenshots.py PROJECT_DIR
The project is copied first; the original is never modified.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1.25")


def main() -> None:
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication

    from minutes_app.audio.player import Player
    from minutes_app.core.editing import SessionDoc
    from minutes_app.gui.draft_view import DraftView
    from minutes_app.gui.transcript_view import TranscriptView

    source = Path(sys.argv[1] if len(sys.argv) > 1 else "minutes-demo/projekt")
    out = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "projekt"
        shutil.copytree(source, folder)
        doc = SessionDoc.open(folder)
        player = Player.for_project(doc.project, stream_factory=lambda **kw: None)
        player.seek(40.0)
        stack = QUndoStack()
        transcript = TranscriptView(doc, player, stack, None)
        transcript.resize(1280, 800)
        transcript.show()
        transcript.timeline.canvas.envelope.compute_some(10_000)
        transcript.list.setCurrentIndex(transcript.model.index(transcript.model.row_at(40.0)))
        transcript._tick()
        app.processEvents()
        transcript.grab().save(str(out / "transcript_editor.png"))
        drafts = DraftView(doc, stack, None, player.seek)
        drafts.resize(1280, 800)
        drafts.show()
        drafts.select_item(min(1, drafts.items.count() - 1))
        app.processEvents()
        drafts.grab().save(str(out / "draft_editor.png"))
        for view in (transcript, drafts):
            view.close()
    print(out)


if __name__ == "__main__":
    main()
