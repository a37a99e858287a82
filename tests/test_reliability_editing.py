"""Editing survives a hard crash: SIGKILL while editing loses at most 5 s of edits.

A subprocess runs the GUI's real edit path offscreen (SessionDoc, the undo commands,
``gui.autosave.AutoSave`` with its default timers) and changes a segment every 0.5 s
without pause, the hardest case for a save-after-the-last-change timer. The test kills
it with SIGKILL and measures how many seconds of edits are missing from the project.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.sessions import processed_project

from minutes_app.session.editing import SessionDoc

REPO = Path(__file__).resolve().parent.parent
MAX_LOST_S = 5.0
EDIT_EVERY_S = 0.5

EDITOR = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QUndoStack
from minutes_app.session.editing import SessionDoc
from minutes_app.gui import undo
from minutes_app.gui.autosave import AutoSave

def main():
    app = QGuiApplication([])
    doc = SessionDoc.open(sys.argv[1])
    stack = QUndoStack()
    autosave = AutoSave(doc)  # the GUI's default delays
    count = [0]

    def edit():
        count[0] += 1
        stamp = time.time()
        undo.push(stack, undo.set_text(doc, 1, f"Bearbeitung {count[0]} um {stamp:.3f}"))
        print(f"EDIT {count[0]} {stamp:.3f}", flush=True)

    autosave.saved.connect(lambda: print(f"SAVED {time.time():.3f} {count[0]}", flush=True))
    timer = QTimer()
    timer.timeout.connect(edit)
    timer.start(int(float(sys.argv[2]) * 1000))
    print("READY", flush=True)
    app.exec()

if __name__ == "__main__":
    main()
"""


def _make_project(folder: Path) -> Path:
    return processed_project(folder).folder


def _edit_then_kill(tmp_path: Path, kill_after: float) -> dict[str, object]:
    folder = _make_project(tmp_path)
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(folder), str(EDIT_EVERY_S)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read() if proc.stderr else ""
        time.sleep(kill_after)
        killed_at = time.time()
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    edits = [(int(p[1]), float(p[2])) for p in (line.split() for line in out.splitlines()) if p[0] == "EDIT"]
    stamps = dict(edits)
    # (when, stamp of the last edit it held) per save
    saves = [
        (float(p[1]), stamps.get(int(p[2]), 0.0))
        for p in (line.split() for line in out.splitlines())
        if p[0] == "SAVED"
    ]
    # What survived: the files parse (atomic writes) and hold the last saved edit.
    json.loads((folder / "project.json").read_text(encoding="utf-8"))
    text = json.loads((folder / "align.json").read_text(encoding="utf-8"))["segments"][1]["text"]
    persisted = float(text.rsplit(" ", 1)[1]) if text.startswith("Bearbeitung") else None
    assert SessionDoc.open(folder).segments[1].text == text  # the app opens it again
    first_edit = edits[0][1] if edits else killed_at
    lost = killed_at - (persisted if persisted is not None else first_edit)
    # Worst case over the whole run: killed just before a save, the edits since the
    # last edit that the previous save held are lost.
    held = [first_edit] + [stamp for _, stamp in saves]
    ends = [when for when, _ in saves] + [killed_at]
    worst = max(end - start for start, end in zip(held, ends, strict=True))
    return {"lost": lost, "worst": worst, "edits": len(edits), "saves": len(saves), "err": err}


@pytest.mark.parametrize("kill_after", [6.3, 11.1])
def test_sigkill_while_editing_loses_at_most_5_s(tmp_path, kill_after):
    result = _edit_then_kill(tmp_path, kill_after)
    print(
        f"\nkill after {kill_after} s: {result['edits']} edits, {result['saves']} saves, "
        f"lost {result['lost']:.2f} s, worst case {result['worst']:.2f} s"
    )
    assert result["edits"] >= kill_after / EDIT_EVERY_S - 3, result["err"]
    assert result["saves"] >= 1, "non-stop editing must still be saved"
    assert result["lost"] <= MAX_LOST_S
    assert result["worst"] <= MAX_LOST_S
