"""Crash-safe recorder: real PortAudio capture from the virtual device of
scripts/ci_audio.sh (fails under CI without it, skips locally), plus file-level
recovery tests that need no device."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from audio_device import dominant_hz, play, require_device, write_tone

from minutes_app.audio.decode import decode_audio
from minutes_app.audio.recorder import (
    Recorder,
    RecordingError,
    find_unfinished,
    input_devices,
    load_markers,
    recover,
)
from minutes_app.audio.recovery import new_sidecar, write_sidecar
from minutes_app.audio.wavfile import GrowingWav, read_header

RATE = 16000


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def _wait(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.fixture
def device() -> None:
    require_device()


# -- file level (no device needed) -----------------------------------------------------


def _crashed_part(folder: Path, seconds: float, torn: bool = True) -> Path:
    part = folder / "aufnahme-20250101-100000.part.wav"
    meta = new_sidecar(RATE, 1, "test")
    meta["markers"] = [{"time": 0.5, "label": "TOP 2"}, {"time": 0.2, "label": "TOP 1"}]
    write_sidecar(part, meta)
    wav = GrowingWav(part, RATE, 1)
    tone = (0.3 * 32767 * np.sin(2 * np.pi * 300 * np.arange(int(RATE * seconds)) / RATE)).astype(np.int16)
    wav.append(tone[: RATE // 4].tobytes())
    wav.sync()  # the header knows 0.25 s; the rest arrives "just before the crash"
    wav.append(tone[RATE // 4 :].tobytes() + (b"\x01" if torn else b""))
    assert find_unfinished(folder) == []  # locked while "the recorder" holds it
    wav.close()  # the process dies: the lock goes with it
    return part


def test_recover_keeps_all_data_and_markers(tmp_path):
    part = _crashed_part(tmp_path, 1.5)
    assert find_unfinished(tmp_path) == [part]
    assert find_unfinished(part) == [part]
    out = recover(part)
    assert out == tmp_path / "aufnahme-20250101-100000.wav"
    assert not part.exists() and find_unfinished(tmp_path) == []
    assert _wav_seconds(out) == pytest.approx(1.5, abs=1e-4)  # torn byte cut, all frames kept
    audio = decode_audio(out)
    assert audio.size == int(1.5 * RATE)
    assert dominant_hz(audio) == pytest.approx(300, abs=3)
    assert [(m.time, m.label) for m in load_markers(out)] == [(0.2, "TOP 1"), (0.5, "TOP 2")]
    meta = json.loads(out.with_name("aufnahme-20250101-100000.recording.json").read_text("utf-8"))
    assert meta["recovered"] is True and meta["duration"] == pytest.approx(1.5)


def test_recover_does_not_overwrite_and_rejects_empty(tmp_path):
    part = _crashed_part(tmp_path, 0.5, torn=False)
    (tmp_path / "aufnahme-20250101-100000.wav").write_bytes(b"older file")
    out = recover(part)
    assert out.name == "aufnahme-20250101-100000-2.wav"
    assert (tmp_path / "aufnahme-20250101-100000.wav").read_bytes() == b"older file"
    assert len(load_markers(out)) == 2

    empty = tmp_path / "leer.part.wav"
    GrowingWav(empty, RATE, 1).close()
    with pytest.raises(RecordingError, match="keine Audiodaten"):
        recover(empty)
    assert not empty.exists()
    with pytest.raises(RecordingError, match="keine unterbrochene Aufnahme"):
        recover(out)


# -- real capture ------------------------------------------------------------------------


def test_input_devices_lists_the_virtual_device(device):
    devices = input_devices()
    assert devices and any(d.is_default for d in devices)
    assert all(d.channels >= 1 for d in devices)


def test_records_the_played_signal(device, tmp_path):
    tone = write_tone(tmp_path / "tone.wav", [(0, 0.3), (440, 2.5)])
    rec = Recorder(tmp_path / "rec")
    rec.start()
    player = play(tone)
    try:
        _wait(lambda: rec.elapsed >= 1.5, 6)
        assert rec.level.peak_dbfs > -12  # half scale is -6 dBFS
        assert find_unfinished(tmp_path) == []  # a live recording is not "unfinished"
        player.wait(10)
        _wait(lambda: rec.elapsed >= 3.0, 5)
    finally:
        path = rec.stop()
    assert path.name.endswith(".wav") and not path.name.endswith(".part.wav")
    assert read_header(path) == (RATE, 1)
    audio = decode_audio(path)
    assert audio.size / RATE == pytest.approx(rec.elapsed, abs=0.15)
    windows = audio[: audio.size // 1600 * 1600].reshape(-1, 1600)
    loud = np.sqrt((windows**2).mean(axis=1)) > 0.3  # a half-scale sine has RMS 0.35
    assert loud.sum() / 10 > 2.0  # most of the 2.5 s tone arrived
    assert dominant_hz(audio) == pytest.approx(440, abs=3)


def test_pause_excludes_time_and_markers_are_stored(device, tmp_path):
    rec = Recorder(tmp_path)
    rec.start()
    _wait(lambda: rec.elapsed >= 1.0, 5)
    first = rec.add_marker()
    rec.pause()
    paused_at = rec.elapsed
    time.sleep(1.5)
    assert rec.elapsed == pytest.approx(paused_at, abs=0.11)  # one block may be under way
    second = rec.add_marker("TOP 3: Haushalt")
    rec.resume()
    _wait(lambda: rec.elapsed >= paused_at + 1.0, 5)
    path = rec.stop()
    seconds = _wav_seconds(path)
    assert seconds == pytest.approx(rec.elapsed, abs=0.01)
    assert seconds < paused_at + 1.5  # the 1.5 s pause is not in the file
    markers = load_markers(path)
    assert [m.label for m in markers] == ["nächster Tagesordnungspunkt", "TOP 3: Haushalt"]
    assert markers[0].time == pytest.approx(first.time) and first.time >= 1.0
    assert markers[1].time == pytest.approx(second.time) and second.time == pytest.approx(paused_at, abs=0.11)
    assert rec.stop() == path  # idempotent


_CHILD = r"""
import sys, time
from minutes_app.audio.recorder import Recorder
rec = Recorder(sys.argv[1])
rec.start()
rec.add_marker("TOP 1")
print("part", rec.part_path, flush=True)
while True:
    time.sleep(0.05)
    print("elapsed", rec.elapsed, flush=True)
"""


def test_sigkill_loses_at_most_two_seconds(device, tmp_path):
    tone = write_tone(tmp_path / "tone.wav", [(660, 7.5)])
    player = play(tone)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path / "rec")], stdout=subprocess.PIPE, text=True
    )
    elapsed = 0.0
    try:
        assert child.stdout is not None
        for line in child.stdout:
            key, value = line.split(maxsplit=1)
            if key == "elapsed":
                elapsed = float(value)
                if elapsed >= 4.5:
                    break
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        player.kill()
        player.wait()
    assert elapsed >= 4.5
    [part] = find_unfinished(tmp_path)
    # Even before recovery the part file is a valid WAV, stale by at most one sync.
    synced = decode_audio(part, allow_silence=True).size / RATE  # fsynced: what a power cut keeps
    assert synced >= elapsed - 2.0
    out = recover(part)
    audio = decode_audio(out)
    lost = elapsed - audio.size / RATE
    print(
        f"\nSIGKILL after {elapsed:.2f} s: lost {lost:.2f} s; "
        f"header before recovery {elapsed - synced:.2f} s behind"
    )
    assert lost <= 2.0
    assert dominant_hz(audio[RATE // 2 :]) == pytest.approx(660, abs=3)
    assert [m.label for m in load_markers(out)] == ["TOP 1"]


@contextlib.contextmanager
def _tiny_disk(folder: Path, size: str):  # type: ignore[no-untyped-def]
    """A tmpfs of ``size`` at ``folder`` (root), else None."""
    folder.mkdir()
    if os.geteuid() != 0:
        yield False
        return
    mounted = (
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)]).returncode == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_disk_full_stops_cleanly_and_keeps_the_audio(device, tmp_path, monkeypatch):
    small = tmp_path / "small"
    with _tiny_disk(small, "64k") as real_tmpfs:
        if not real_tmpfs:  # no mount permission: fail the writes from the 40th KiB on
            real_append = GrowingWav.append

            def append(self: GrowingWav, data: bytes) -> None:
                if self.data_bytes + len(data) > 40 * 1024:
                    raise OSError(errno.ENOSPC, "No space left on device")
                real_append(self, data)

            monkeypatch.setattr(GrowingWav, "append", append)
        rec = Recorder(small)
        rec.start()
        rec.add_marker("vor dem Vollaufen")
        _wait(lambda: rec.error is not None, 8)
        assert rec.state == "failed"
        message = str(rec.error)
        assert "Datenträger ist voll" in message and "gesichert" in message
        path = rec.stop()
        seconds = _wav_seconds(path)
        assert 0.8 < seconds < 2.1  # ~64 KiB (or 40 KiB) of 32 KB/s, minus the sidecar's page
        assert decode_audio(path, allow_silence=True).size / RATE == pytest.approx(seconds)
        assert [m.label for m in load_markers(path)] == ["vor dem Vollaufen"]
        assert rec.error is not None and str(rec.error) == message  # still there for the GUI


def test_unknown_device_and_no_device_give_german_errors(device, tmp_path):
    with pytest.raises(RecordingError, match="nicht \\(mehr\\) verfügbar"):
        Recorder(tmp_path, device="Gibt es nicht").start()
    code = (
        "from minutes_app.audio.recorder import Recorder, RecordingError\n"
        "try:\n    Recorder('x').start()\nexcept RecordingError as e:\n    print(e)\n"
    )
    env = dict(os.environ, PULSE_SERVER="unix:/nonexistent/native")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert "kein Aufnahmegerät" in out.stdout, out.stderr
    assert not (tmp_path / "x").exists() or not list((tmp_path / "x").iterdir())
