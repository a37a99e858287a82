"""A GUI killed during processing: the next start shows the session as interrupted and offers
to continue; continuing takes the finished work (real GUI process, real worker processes,
test models, the first 60 s of the example session)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from minutes_app.audio.decode import decode_audio  # noqa: E402
from minutes_app.base.settings import Settings  # noqa: E402
from minutes_app.gui.jobs import JobRunner  # noqa: E402
from minutes_app.gui.start_view import create_session, session_state  # noqa: E402
from minutes_app.pipeline.interrupted import MARKER_FILE, interrupted  # noqa: E402
from minutes_app.session.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
AUDIO = REPO / "resources" / "examples" / "beispielsitzung.ogg"
SECONDS, WINDOW = 60.0, 20.0  # ASR windows of 20 s: the kill comes after the first one

GUI = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from minutes_app.base.settings import Settings
from minutes_app.gui.jobs import JobRunner
from minutes_app.gui.main_window import MainWindow

library, folder, settings_file = map(Path, sys.argv[1:4])
WINDOW = float(sys.argv[4])
app = QApplication([])
window = MainWindow(library, Settings({}, settings_file), JobRunner())
window.process_view.overrides.update(draft=False, asr_chunk_seconds=WINDOW)
window.process([folder])

def poll():
    if (folder / "asr.partial.json").exists():  # the first ASR window is saved
        print("window saved", flush=True)
        timer.stop()

timer = QTimer()
timer.timeout.connect(poll)
timer.start(100)
app.exec()
"""


def _wav(path: Path, seconds: float) -> Path:
    import wave

    import numpy as np

    samples = np.clip(decode_audio(AUDIO)[: int(seconds * 16000)], -1.0, 1.0)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _living_children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_gui_offers_to_continue_and_continuing_reuses_the_work(qtbot, tmp_path):
    from minutes_app.gui.main_window import MainWindow

    library = tmp_path / "bibliothek"
    library.mkdir()
    folder = create_session(library, "Kurze Sitzung", _wav(tmp_path / "kurz.wav", SECONDS)).folder
    settings_file = tmp_path / "settings.json"
    gui = subprocess.Popen(
        [sys.executable, "-c", GUI, str(library), str(folder), str(settings_file), str(WINDOW)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert gui.stdout is not None
        assert gui.stdout.readline().strip() == "window saved"  # ASR and diarization are running
        assert (folder / MARKER_FILE).exists() and not interrupted(folder)  # working, not cut off
        workers = _living_children(gui.pid)
        os.kill(gui.pid, signal.SIGKILL)  # the GUI only: its workers must end by themselves
        gui.wait(timeout=10)
    finally:
        if gui.poll() is None:
            gui.kill()
            gui.wait()
    killed = time.monotonic()
    assert workers  # the diarization worker (and multiprocessing's resource tracker)
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() - killed < 2.0, "a worker outlived the killed GUI by 2 s"
        time.sleep(0.02)

    project = Project.load(folder)
    assert "align" not in project.data["stages"]
    partial = json.loads((folder / "asr.partial.json").read_text(encoding="utf-8"))["transcript"]
    assert 0 < partial["duration"] < SECONDS
    assert interrupted(folder)
    assert session_state(project) == "unterbrochen – kann fortgesetzt werden"

    # the next start
    window = MainWindow(library, Settings({}, settings_file), JobRunner(synchronous=True))
    qtbot.addWidget(window)
    bar = window.start_view.interrupted
    assert bar.isVisibleTo(window.start_view) and bar.folders == [folder]
    assert "„Kurze Sitzung“" in bar.label.text() and "unterbrochen" in bar.label.text()
    window.process_view.overrides.update(draft=False, asr_chunk_seconds=WINDOW)
    asr_bar: list[int] = []
    window.process_view.bars[1].valueChanged.connect(asr_bar.append)
    bar.button.click()  # Verarbeitung fortsetzen: the synchronous runner processes it right here

    assert window.process_view.failed == []
    project = Project.load(folder)
    assert {"asr", "diarization", "align"} <= set(project.data["stages"])
    # ASR went on after the saved windows: its bar started there, and they are in the result
    assert min(v for v in asr_bar if v > 0) >= 1000 * partial["duration"] / SECONDS - 1
    final = json.loads((folder / "asr.json").read_text(encoding="utf-8"))
    assert final["segments"][: len(partial["segments"])] == partial["segments"]
    assert not (folder / MARKER_FILE).exists() and not interrupted(folder)
    window.start_view.refresh()
    assert not bar.isVisibleTo(window.start_view)
    assert json.loads((folder / "align.json").read_text(encoding="utf-8"))["segments"]
