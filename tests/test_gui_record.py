"""Recording view (offscreen Qt) on the virtual capture device of scripts/ci_audio.sh,
and the start-up recovery offer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from audio_device import dominant_hz, play, require_device, write_tone  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from minutes_app.audio.decode import decode_audio  # noqa: E402
from minutes_app.audio.recorder import Recorder, find_unfinished, load_markers  # noqa: E402
from minutes_app.audio.recovery import new_sidecar, write_sidecar  # noqa: E402
from minutes_app.audio.wavfile import GrowingWav  # noqa: E402
from minutes_app.gui.record_view import RecordView, offer_recovery  # noqa: E402


@pytest.fixture
def warnings(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


def test_record_marker_stop_on_the_real_device(qtbot, tmp_path, warnings):
    require_device()
    view = RecordView(tmp_path / "rec")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    assert view.device_combo.currentData() is not None
    assert view.record_button.isEnabled() and not view.stop_button.isEnabled()

    tone = write_tone(tmp_path / "tone.wav", [(0, 0.2), (523, 3.0)])
    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    assert view.is_recording(), warnings
    player = play(tone)
    try:
        qtbot.waitUntil(lambda: view.recorder is not None and view.recorder.elapsed >= 1.2, timeout=6000)
        qtbot.waitUntil(lambda: view.level_bar.value() > 70, timeout=3000)  # about -6 dBFS on a 0..90 bar
        assert view.time_label.text() == "00:00:01"
        qtbot.mouseClick(view.marker_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.recorder is not None and view.recorder.elapsed >= 2.0, timeout=4000)
        qtbot.keyClick(view, Qt.Key.Key_F9)  # the hotkey
        assert view.marker_list.count() == 2
        assert view.marker_list.item(0).text().startswith("00:00:01")
        qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
        assert view.resume_button.isEnabled() and not view.pause_button.isEnabled()
        qtbot.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.recorder is not None and view.recorder.elapsed >= 2.6, timeout=4000)
        with qtbot.waitSignal(view.recording_finished, timeout=5000) as finished:
            qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    finally:
        player.kill()
        player.wait()
        view.stop_recording()
    path = Path(finished.args[0])
    assert warnings == []
    assert not view.is_recording() and view.record_button.isEnabled()
    audio = decode_audio(path)
    assert audio.size / 16000 >= 2.5
    assert dominant_hz(audio) == pytest.approx(523, abs=3)
    markers = load_markers(path)
    assert len(markers) == 2 and 1.2 <= markers[0].time < markers[1].time <= audio.size / 16000


def test_write_error_is_shown_and_the_file_kept(qtbot, tmp_path, warnings):
    require_device()

    class FailingRecorder(Recorder):
        def _write_loop(self) -> None:  # the writer hits a full disk after ~0.5 s
            real_append = self._wav.append  # type: ignore[union-attr]

            def append(data: bytes) -> None:
                if self._wav.data_bytes > 16000:  # type: ignore[union-attr]
                    raise OSError(28, "No space left on device")
                real_append(data)

            self._wav.append = append  # type: ignore[union-attr,method-assign]
            super()._write_loop()

    view = RecordView(tmp_path, recorder_factory=FailingRecorder)
    qtbot.addWidget(view)
    finished: list[Path] = []
    view.recording_finished.connect(finished.append)
    view.start_recording()
    qtbot.waitUntil(lambda: bool(warnings), timeout=6000)
    assert "Datenträger ist voll" in warnings[0] and "Gespeichert:" in warnings[0]
    assert len(finished) == 1 and finished[0].exists()
    assert not view.is_recording()


def test_offer_recovery(qtbot, tmp_path, monkeypatch, warnings):
    assert offer_recovery(None, tmp_path / "gibt-es-nicht") == []
    session = tmp_path / "sitzung-1"
    session.mkdir()
    part = session / "aufnahme-20250101-090000.part.wav"
    write_sidecar(part, new_sidecar(16000, 1, "test") | {"markers": [{"time": 0.1, "label": "TOP 1"}]})
    wav = GrowingWav(part, 16000, 1)
    wav.append((np.sin(np.arange(16000) * 0.1) * 10000).astype(np.int16).tobytes())
    wav.close()  # "crash": the header still says 0 samples

    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda p, t, text, *a: asked.append(text) or QMessageBox.StandardButton.No
    )
    assert offer_recovery(None, tmp_path) == []  # declined: offered again next time
    assert "aufnahme-20250101-090000.part.wav" in asked[0]
    assert find_unfinished(tmp_path) == [part]

    infos: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda p, t, text, *a: infos.append(text))
    [out] = offer_recovery(None, tmp_path)
    assert out == session / "aufnahme-20250101-090000.wav"
    assert decode_audio(out).size == 16000
    assert [m.label for m in load_markers(out)] == ["TOP 1"]
    assert str(out) in infos[0] and warnings == []
    assert find_unfinished(tmp_path) == []


def test_main_window_records_a_new_session_and_opens_its_form(qtbot, tmp_path, warnings):
    """Aufnehmen from the menu: a new session gets the recording and its markers."""
    require_device()
    from minutes_app.base.settings import Settings
    from minutes_app.gui.jobs import JobRunner
    from minutes_app.gui.main_window import MainWindow
    from minutes_app.session.project import Project

    window = MainWindow(library=tmp_path / "lib", settings=Settings({}), jobs=JobRunner(synchronous=True))
    qtbot.addWidget(window)
    view = window.record_session()
    assert window.stack.currentWidget() is view
    tone = write_tone(tmp_path / "tone.wav", [(0, 0.2), (440, 2.5)])
    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    assert view.is_recording(), warnings
    player = play(tone)
    try:
        qtbot.waitUntil(lambda: view.recorder is not None and view.recorder.elapsed >= 1.0, timeout=6000)
        qtbot.mouseClick(view.marker_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.recorder is not None and view.recorder.elapsed >= 1.8, timeout=4000)
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    finally:
        player.wait(timeout=10)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.form, timeout=5000)
    (folder,) = [p for p in (tmp_path / "lib").iterdir() if p.is_dir()]
    project = Project.load(folder)
    assert project.has_audio and project.audio_path.suffix == ".wav"
    assert len(project.data["markers"]) == 1 and project.data["markers"][0]["time"] >= 0.9
    assert decode_audio(project.audio_path).size > 16000
