"""The desktop app as a user starts it, in a real X server on Qt's xcb platform (not
offscreen): `minutes-app gui` as its own process with its own data folder, a session
processed by the real pipeline (a 30 s clip of the example session), driven only by real
key and mouse events (xdotool). It plays, scrolls and zooms the timeline for more than
60 s of repaints, switches views and quits with Strg+Q: exit code 0, no fatal error.

This is the test that would have caught the PySide6 6.12.0 crash (``Fatal Python error:
none_dealloc`` while painting the timeline) and the missing xcb libraries (docs/install.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audio_device import require_device  # noqa: E402
from xserver import XServer, find_vertical_line, require_x  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"
PLAYHEAD = (0xC6, 0x28, 0x28)  # gui/timeline.py draws the playhead in #C62828
CLIP = (110.3, 140.0)  # three speakers at the end of TOP 2, the vote with its counts
AGENDA = (
    "TOP 2: Einrichtung einer Fahrradstraße in der Lindenallee (Vorlage 2025/014)\n"
    "TOP 3: Baumpflanzprogramm 2025\n"
)
REPAINT_SECONDS = 62


def _app_command() -> list[str]:
    entry = Path(sys.executable).parent / "minutes-app"
    return [str(entry), "gui"] if entry.exists() else [sys.executable, "-m", "minutes_app", "gui"]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """A data folder whose session library holds one session processed by `minutes-app run`."""
    from minutes_app.audio.decode import decode_audio

    data = tmp_path_factory.mktemp("xcb-data")
    audio = decode_audio(EXAMPLES / "beispielsitzung.ogg")
    clip = audio[int(CLIP[0] * 16000) : int(CLIP[1] * 16000)]
    wav_path = data / "ratssitzung.wav"
    with wave.open(str(wav_path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.clip(clip, -1, 1) * 32767).astype(np.int16).tobytes())
    agenda = data / "tagesordnung.txt"
    agenda.write_text(AGENDA, encoding="utf-8")
    env = dict(os.environ, MINUTES_APP_DATA=str(data), MINUTES_APP_CONFIG=str(data / "config"))
    project = data / "sessions" / "ratssitzung"
    run = subprocess.run(
        _app_command()[:-1]
        + ["run", str(wav_path), "-o", str(data / "entwurf.docx"), "--project", str(project)]
        + ["--agenda", str(agenda)]
        + ["--attendees", str(EXAMPLES / "beispielsitzung_anwesende.csv")]
        + ["--llm-model", "qwen2.5-coder-0.5b", "--num-speakers", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    wav_path.unlink()
    return data


def _playhead(x: XServer) -> tuple[int, int, int] | None:
    return find_vertical_line(x.frame(), PLAYHEAD)


def test_gui_survives_playing_zooming_scrolling_and_quits_cleanly(data_folder, tmp_path):
    require_x(window_manager=True)
    require_device()  # playback goes to the PulseAudio null sink of scripts/ci_audio.sh
    with XServer(1600, 1000) as x:
        env = x.env()
        env.update(MINUTES_APP_DATA=str(data_folder), MINUTES_APP_CONFIG=str(data_folder / "config"))
        stderr_path = tmp_path / "stderr.txt"
        with open(stderr_path, "wb") as stderr:
            app = subprocess.Popen(_app_command(), env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            _drive(x, tmp_path)
            x.key("ctrl+q")
            code = app.wait(30)
        except BaseException:
            shot = x.save_frame(tmp_path / "failure.ppm")
            if app.poll() is None:
                app.kill()
                app.wait()
            print(f"screen at failure: {shot}\nstderr:\n{stderr_path.read_text(errors='replace')[-3000:]}")
            raise
    err = stderr_path.read_text(errors="replace")
    assert "Fatal" not in err and "Traceback" not in err, err[-3000:]
    assert code == 0, f"exit code {code}\n{err[-3000:]}"


def _drive(x: XServer, tmp_path: Path) -> None:
    window = x.window("Sitzungsprotokoll", timeout=60)
    x.activate(window)
    wx, wy, ww, wh = x.geometry(window)
    start_view = x.frame()
    assert _playhead(x) is None

    # Open the session from the list: the list has the focus at start.
    x.key("Down", "Return")
    head = x.wait_for(lambda: _playhead(x), 30, "the transcript view with its timeline")
    top, bottom = head[1], head[2]
    assert wy <= top < bottom <= wy + wh
    canvas_y = (top + bottom) // 2
    left, right = wx + 20, wx + ww - 40

    # Play: a click into the segment list (below the timeline) starts playback at that
    # segment; Space pauses and resumes. The playhead must move.
    x.click(wx + ww // 4, bottom + (wy + wh - bottom) // 2)
    if not _moves(x):
        x.key("space")
    assert _moves(x), "playback does not move the playhead"
    x.key("space")  # pause
    time.sleep(0.3)
    assert not _moves(x), "Space did not pause"
    x.key("space")  # resume
    assert _moves(x), "Space did not resume"

    # More than 60 s of repaints: zoom in and out with the wheel, scroll with Shift+wheel,
    # seek by clicks while it plays, every frame different from the last sampled one.
    frames, changed = 0, 0
    last = x.frame()
    deadline = time.monotonic() + REPAINT_SECONDS
    step = 0
    while time.monotonic() < deadline:
        fraction = (step % 7 + 1) / 8
        px = int(left + fraction * (right - left))
        action = step % 6
        if action == 0:
            x.wheel(px, canvas_y, 3)  # zoom in around the pointer
        elif action == 1:
            x.wheel(px, canvas_y, 2, shift=True)  # scroll forward
        elif action == 2:
            x.wheel(px, canvas_y, -1, shift=True)  # scroll back
        elif action == 3:
            x.wheel(px, canvas_y, -3)  # zoom out
        elif action == 4:
            x.click(px, canvas_y)  # seek (keeps playing)
        else:
            x.key("ctrl+Right")  # 5 s forward
        time.sleep(0.4)
        now = x.frame()
        frames += 1
        changed += int(not np.array_equal(now, last))
        last = now
        step += 1
        if step % 6 == 0 and not _moves(x, wait=0.3):
            x.key("space")  # the clip played to its end: play again
    print(f"{frames} frames sampled in {REPAINT_SECONDS} s, {changed} changed")
    assert frames >= 30 and changed >= frames * 0.8, f"{changed} of {frames} sampled frames changed"

    # Switch views: the draft (no timeline), back to the transcript, the overview, the session again.
    x.key("alt+e")
    x.wait_for(lambda: _playhead(x) is None, 10, "the draft tab")
    x.key("alt+t")
    x.wait_for(lambda: _playhead(x), 10, "the transcript tab")
    x.key("ctrl+Home")
    x.wait_for(lambda: _playhead(x) is None, 10, "the overview")
    assert np.mean(np.any(x.frame() != start_view, axis=-1)) < 0.2  # the start view again
    x.key("Return")
    x.wait_for(lambda: _playhead(x), 30, "the session reopened from the list")
    x.key("space")
    time.sleep(2)


def _moves(x: XServer, wait: float = 0.6) -> bool:
    first = _playhead(x)
    time.sleep(wait)
    second = _playhead(x)
    return first is not None and second is not None and first[0] != second[0]
