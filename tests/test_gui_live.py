"""Live-Mitschrift in the recording view (gui/live_pane.py), with the real models.

``FeedRecorder`` stands in for the recorder: it writes the example session into a growing
WAV the way the recorder's writer does (0.1 s blocks, header + fsync every second,
rename on stop), faster than real time, so no sound device is needed. The last test
records from the virtual device of scripts/ci_audio.sh while the live job runs and
checks that the recorder kept every frame.
"""

from __future__ import annotations

import json
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from audio_device import play, require_device  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from minutes_app.asr.live import PARTIAL_FILE  # noqa: E402
from minutes_app.audio.decode import decode_audio  # noqa: E402
from minutes_app.audio.recorder import SILENT  # noqa: E402
from minutes_app.audio.recovery import Marker, finish_part, new_sidecar, write_sidecar  # noqa: E402
from minutes_app.audio.wavfile import GrowingWav  # noqa: E402
from minutes_app.base.settings import Settings  # noqa: E402
from minutes_app.diarization.live import LIVE_FILE  # noqa: E402
from minutes_app.gui.jobs import JobRunner  # noqa: E402
from minutes_app.gui.record_view import RecordView  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "beispielsitzung.ogg"
RATE = 16000
SECONDS = 45
WAIT_MS = 600_000  # generous: the CI machines are shared


@pytest.fixture(scope="module")
def pcm() -> np.ndarray:
    audio = decode_audio(EXAMPLE)[: SECONDS * RATE]
    return np.clip(np.round(audio * 32768.0), -32768, 32767).astype(np.int16)


@pytest.fixture
def warnings(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


class FeedRecorder:
    """The recorder's interface; writes ``PCM`` at ``SPEED`` times real time."""

    PCM: np.ndarray = np.zeros(0, np.int16)
    SPEED = 3.0

    def __init__(self, folder, device=None, **_kw) -> None:
        self.folder = Path(folder)
        self.state = "idle"
        self.error = None
        self.level = SILENT
        self.markers: list[Marker] = []
        self.overflows = 0
        self.part_path: Path | None = None
        self.path: Path | None = None
        self.fed = threading.Event()
        self._frames = 0
        self._paused = threading.Event()
        self._stop = threading.Event()

    @property
    def elapsed(self) -> float:
        return self._frames / RATE

    @property
    def active(self) -> bool:
        return self.state in ("recording", "paused")

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.part_path = self.folder / "aufnahme-20250312-180000.part.wav"
        self._meta = new_sidecar(RATE, 1, "Testgerät")
        write_sidecar(self.part_path, self._meta)
        self._wav = GrowingWav(self.part_path, RATE, 1)
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()
        self.state = "recording"

    def _feed(self) -> None:
        block = RATE // 10
        start = time.monotonic()
        for i, pos in enumerate(range(0, len(self.PCM), block)):
            while self._paused.is_set() and not self._stop.is_set():
                time.sleep(0.05)
                start += 0.05  # a pause is not in the file
            if self._stop.is_set():
                return
            self._wav.append(self.PCM[pos : pos + block].tobytes())
            self._frames += min(block, len(self.PCM) - pos)
            if i % 10 == 9:
                self._wav.sync()
            time.sleep(max(start + (i + 1) * 0.1 / self.SPEED - time.monotonic(), 0.0))
        self._wav.sync()
        self.fed.set()

    def pause(self) -> None:
        self._paused.set()
        self.state = "paused"

    def resume(self) -> None:
        self._paused.clear()
        self.state = "recording"

    def add_marker(self, label: str = "nächster Tagesordnungspunkt") -> Marker:
        self.markers.append(Marker(round(self.elapsed, 3), label))
        return self.markers[-1]

    def stop(self) -> Path:
        self._stop.set()
        self._thread.join()
        self._wav.close()
        assert self.part_path is not None
        self._meta.update(
            duration=self.elapsed, markers=[{"time": m.time, "label": m.label} for m in self.markers]
        )
        write_sidecar(self.part_path, self._meta)
        self.path = finish_part(self.part_path, RATE, 1)[0]
        self.state = "stopped"
        return self.path


def test_live_text_while_recording_and_the_pipeline_resumes(qtbot, tmp_path, pcm, warnings, monkeypatch):
    from minutes_app.asr.whisper import WhisperASR
    from minutes_app.diarization.blocks import BlockRunner
    from minutes_app.gui.main_window import MainWindow
    from minutes_app.gui.process_view import pipeline_options
    from minutes_app.models.store import ModelStore
    from minutes_app.pipeline.run import asr_key, run_pipeline
    from minutes_app.session.project import Project

    settings = Settings({"llm_model": "qwen2.5-coder-0.5b"})  # the pre-draft's model (the test profile's)
    jobs = JobRunner()
    window = MainWindow(library=tmp_path / "lib", settings=settings, jobs=jobs)
    qtbot.addWidget(window)
    view = window.record_session()
    FeedRecorder.PCM = pcm
    view._factory = FeedRecorder
    view.live_options = {"block_seconds": 15.0}  # three blocks diarized while recording
    assert view.live_check.isEnabled() and view.live_check.isChecked()

    # another model job is running: the live job waits for it, the recording does not
    release = threading.Event()
    jobs.submit(lambda progress, cancel: release.wait(60), name="anderer Auftrag")
    view.start_recording()
    assert view.is_recording(), warnings
    recorder = view.recorder
    qtbot.waitUntil(lambda: "wartet" in view.live_pane.status.text(), timeout=3000)
    time.sleep(2.0)
    assert view.live_pane.segment_count == 0
    release.set()

    qtbot.waitUntil(lambda: view.live_pane.segment_count > 0, timeout=WAIT_MS)
    assert not recorder.fed.is_set() or view.live_pane.segment_count > 0
    qtbot.waitUntil(lambda: "hinter der Aufnahme" in view.live_pane.status.text(), timeout=5000)
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "pausiert" in view.live_pane.status.text(), timeout=3000)
    live = view.live
    assert live is not None
    # paused: the live text catches up to the pause, also the window that is not full yet
    qtbot.waitUntil(lambda: recorder.elapsed - live.done_seconds < 1.0, timeout=WAIT_MS)
    qtbot.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)
    view.add_marker()
    qtbot.waitUntil(recorder.fed.is_set, timeout=WAIT_MS)
    during = view.live_pane.segment_count
    assert during > 0  # text appeared while the recording was still running
    qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.form, timeout=5000)
    qtbot.waitUntil(lambda: not live.running, timeout=WAIT_MS)
    assert warnings == [] and live.message == "", live.message
    assert live.result is not None and live.result["saved"] is True
    assert live.result["diarization"]["blocks"] == 3
    # the pre-draft process (setting live_draft, on by default) ran beside it and ended with it
    assert live.job.predraft is not None and not live.job.predraft.process.is_alive()
    assert view.live_pane.segment_count >= during
    assert "Verarbeitung setzt hier fort" in view.live_pane.status.text()

    (folder,) = [p for p in (tmp_path / "lib").iterdir() if p.is_dir()]
    project = Project.load(folder)
    options = pipeline_options(settings, project, parallel=False, draft=False, threads=2)
    partial = json.loads((folder / PARTIAL_FILE).read_text(encoding="utf-8"))
    assert partial["key"] == {**asr_key(options, project.agenda), "audio": project.data["audio"]}
    assert partial["transcript"]["duration"] == pytest.approx(SECONDS, abs=0.05)
    assert (folder / LIVE_FILE).is_file()

    # the processing takes both: no window transcribed again, no block diarized again
    seen: dict = {"resume": None, "blocks": 0}
    real_transcribe, real_block = WhisperASR.transcribe, BlockRunner.__call__

    def transcribe(self, audio, progress=None, cancel=None, resume=None, on_chunk=None):
        seen["resume"] = resume
        return real_transcribe(
            self, audio, progress or (lambda *a: None), cancel, resume=resume, on_chunk=on_chunk
        )

    def block(self, *args, **kwargs):
        seen["blocks"] += 1
        return real_block(self, *args, **kwargs)

    monkeypatch.setattr(WhisperASR, "transcribe", transcribe)
    monkeypatch.setattr(BlockRunner, "__call__", block)
    result = run_pipeline(project, options, ModelStore.default(settings))
    assert seen["resume"] is not None and seen["resume"].duration == pytest.approx(SECONDS, abs=0.05)
    assert seen["blocks"] == 0
    assert len(result.transcript.segments) == len(partial["transcript"]["segments"])
    assert result.diarization.turns and result.segments[0].speaker


def test_no_live_job_without_a_runner_or_when_switched_off(qtbot, tmp_path, pcm):
    FeedRecorder.PCM = pcm[: 3 * RATE]
    view = RecordView(tmp_path / "a", recorder_factory=FeedRecorder, jobs=JobRunner(synchronous=True))
    qtbot.addWidget(view)
    assert not view.live_check.isEnabled()  # a synchronous runner would block until the stop
    view.start_recording()
    assert view.live is None and "nicht verfügbar" in view.live_pane.status.text()
    view.stop_recording()

    jobs = JobRunner()
    view = RecordView(tmp_path / "b", recorder_factory=FeedRecorder, jobs=jobs, settings=Settings({}))
    qtbot.addWidget(view)
    view.live_check.setChecked(False)
    view.start_recording()
    assert not view.live_check.isEnabled()  # not switched while recording
    assert view.live is None and not jobs.busy
    assert "ausgeschaltet" in view.live_pane.status.text()
    view.stop_recording()


def _example_wav(path: Path, pcm: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return path


def test_recorder_keeps_every_frame_while_live_transcription_runs(qtbot, tmp_path, pcm, warnings):
    """The real recorder on the virtual device, with the live job (ASR and diarization) beside it."""
    require_device()
    jobs = JobRunner()
    view = RecordView(
        tmp_path / "rec", jobs=jobs, settings=Settings({}), live_options={"block_seconds": 10.0}
    )
    qtbot.addWidget(view)
    assert view.device_combo.currentData() is not None
    speech = _example_wav(tmp_path / "rede.wav", pcm[: 30 * RATE])
    view.start_recording()
    assert view.is_recording(), warnings
    started = time.monotonic()
    player = play(speech)
    try:
        qtbot.waitUntil(lambda: view.live_pane.segment_count > 0, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: time.monotonic() - started >= 32, timeout=60000)
    finally:
        player.kill()
        player.wait()
    recorder = view.recorder
    assert recorder is not None
    path = view.stop_recording()
    wall = time.monotonic() - started
    assert path is not None and warnings == []
    assert recorder.overflows == 0  # PortAudio never had to drop input
    with wave.open(str(path)) as w:
        frames, rate = w.getnframes(), w.getframerate()
    assert frames / rate == pytest.approx(recorder.elapsed, abs=0.01)
    assert frames / rate == pytest.approx(wall, abs=1.0)  # no block lost: the file is as long as the session
    live = view.live
    assert live is not None
    qtbot.waitUntil(lambda: not live.running, timeout=WAIT_MS)
    assert live.message == "", live.message
    assert live.result is not None and live.result["diarization"]["blocks"] >= 3


def test_live_process_ends_when_the_app_is_killed(tmp_path, model_path):
    """SIGKILL of the app: nobody tells the live process to stop, so it must notice by itself."""
    import os
    import subprocess
    import sys

    code = (
        "import os, sys, time\n"
        "from minutes_app.pipeline.live_job import LiveJob, LiveSpec\n"
        "from minutes_app.asr.whisper import ASROptions\n"
        "if __name__ == '__main__':\n"
        "    job = LiveJob(LiveSpec(sys.argv[1], sys.argv[2], ASROptions()))\n"
        "    print(job._process.pid, flush=True)\n"
        "    time.sleep(3)\n"
        "    os._exit(0)  # like a crash: no stop, no atexit\n"
    )
    part = tmp_path / "aufnahme.part.wav"
    GrowingWav(part, RATE, 1).close()
    out = tmp_path / "pid.txt"
    with out.open("w") as fh:  # a file, not a pipe: the orphan must not keep the test waiting
        app = subprocess.Popen(
            [sys.executable, "-c", code, str(part), str(model_path("whisper-base"))], stdout=fh
        )
        app.wait(timeout=120)
    child = int(out.read_text().split()[0])

    def alive() -> bool:
        status = Path(f"/proc/{child}/status")
        try:
            return "zombie" not in status.read_text()
        except OSError:
            return False

    deadline = time.monotonic() + 30
    while alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive():
        os.kill(child, 9)
        pytest.fail("the live process outlived the app")


def test_the_pane_shows_the_items_drafted_while_recording(qtbot, tmp_path):
    """The pre-draft process's report („predraft“) reaches the live pane as a German line."""
    from minutes_app.gui.live_pane import LivePane, LiveSession

    pane = LivePane()
    qtbot.addWidget(pane)
    session = LiveSession(JobRunner(), tmp_path, tmp_path / "a.part.wav", Settings({}), pane)
    session.signals.predraft.emit({"items": 2, "until_s": 600.0})
    qtbot.waitUntil(lambda: pane.draft.text() != "", timeout=2000)
    assert pane.draft.text() == "Entwurf: 2 abgeschlossene(r) TOP(s) vorformuliert (bis 10:00)"
    pane.clear()
    assert pane.draft.text() == ""
