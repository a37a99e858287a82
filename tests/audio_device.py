"""The virtual capture device of scripts/ci_audio.sh, for the recorder tests.

Importing this module points libpulse at the daemon the script starts
(``PULSE_SERVER``) and at the monitor of its null sink (``PULSE_SOURCE``), unless
those are set already. ``require_device()`` fails the test under CI (``CI`` set)
when there is no capture device, and skips it on a developer machine without one.
``play()`` plays a WAV into the null sink, so the recorder records a known signal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

PULSE_DIR = Path(os.environ.get("MINUTES_PULSE_DIR", "/tmp/minutes-pulse"))
SINK = "minutes_null"
if "PULSE_SERVER" not in os.environ and (PULSE_DIR / "native").exists():
    os.environ["PULSE_SERVER"] = f"unix:{PULSE_DIR / 'native'}"
os.environ.setdefault("PULSE_SOURCE", f"{SINK}.monitor")


def _missing(reason: str) -> None:
    message = f"{reason}; run scripts/ci_audio.sh (make test does)"
    if os.environ.get("CI"):
        pytest.fail(f"no virtual capture device in CI: {message}")
    pytest.skip(f"no capture device: {message}")


def require_device() -> None:
    """Fail (CI) or skip (locally) unless the null sink and a PortAudio input exist."""
    if shutil.which("paplay") is None or shutil.which("pactl") is None:
        _missing("paplay/pactl not installed")
    sinks = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True, text=True, timeout=10)
    if sinks.returncode != 0 or SINK not in sinks.stdout:
        _missing(f"PulseAudio with the sink {SINK} is not running")
    from minutes_app.audio.recorder import input_devices

    if not input_devices(refresh=True):
        _missing("PortAudio sees no input device (libasound2-plugins missing?)")


def write_tone(path: Path, segments: list[tuple[float, float]], rate: int = 48000) -> Path:
    """A stereo WAV of (frequency Hz, seconds) segments at half scale; 0 Hz is silence."""
    parts = []
    for freq, seconds in segments:
        t = np.arange(int(rate * seconds)) / rate
        parts.append(0.5 * np.sin(2 * np.pi * freq * t) if freq else np.zeros_like(t))
    mono = (np.concatenate(parts) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(mono[:, None], 2, axis=1).tobytes())
    return path


def play(path: Path) -> subprocess.Popen[bytes]:
    """Start playing ``path`` into the null sink (returns at once)."""
    return subprocess.Popen(["paplay", f"--device={SINK}", str(path)])


def dominant_hz(audio: np.ndarray, rate: int = 16000) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.argmax(spectrum) * rate / audio.size)
