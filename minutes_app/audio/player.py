"""Play the decoded session audio (16 kHz mono float32) through the sound card.

Qt-free. The GUI plays the very samples every stage worked on (``audio.pcm``),
so the transcript's times and the audio share one timeline and cannot drift.
sounddevice's ``OutputStream`` pulls blocks through a callback; the callback reads
straight from the memory-mapped file, so a three-hour session is never loaded.
Speed (0.5-2.0) is simple linear-interpolation resampling (pitch changes with it).

The stream is made by a factory (``stream_factory(samplerate=, channels=, dtype=,
callback=, blocksize=)`` returning an object with ``start``, ``stop``, ``close`` and
``samplerate``), so tests drive the callback without a sound card.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..base.errors import UserError
from .decode import SAMPLE_RATE, open_pcm

MIN_SPEED, MAX_SPEED = 0.5, 2.0
JUMP_SECONDS = 5.0
BLOCKSIZE = 1024
StreamFactory = Callable[..., Any]
PositionHook = Callable[[float], None]

NO_DEVICE_MESSAGE = (
    "Es wurde kein Audio-Ausgabegerät gefunden. Bitte Lautsprecher oder Kopfhörer anschließen "
    "und die Wiedergabe erneut starten."
)


def sounddevice_stream(**kwargs: Any) -> Any:
    """Open a sounddevice OutputStream; German ``UserError`` when there is no usable device.

    Tries the session's 16 kHz first and falls back to the device's own rate (the
    player then resamples), because many sound cards refuse 16 kHz.
    """
    try:
        import sounddevice as sd
    except OSError as exc:  # PortAudio library missing
        raise UserError(
            "Die Tonausgabe ist nicht verfügbar (die Bibliothek PortAudio fehlt). "
            "Bitte das Paket „libportaudio2“ installieren lassen."
        ) from exc
    try:
        return sd.OutputStream(**kwargs)
    except sd.PortAudioError:
        pass
    try:
        device = sd.query_devices(kind="output")
        kwargs["samplerate"] = float(device["default_samplerate"])
        return sd.OutputStream(**kwargs)
    except (sd.PortAudioError, ValueError, KeyError, TypeError) as exc:
        raise UserError(NO_DEVICE_MESSAGE) from exc


class Player:
    """Playback of one session's PCM with seek, jump, speed and a position hook."""

    def __init__(
        self,
        pcm: np.ndarray | str | os.PathLike[str],
        sample_rate: int = SAMPLE_RATE,
        stream_factory: StreamFactory | None = None,
        blocksize: int = BLOCKSIZE,
    ) -> None:
        self.samples: np.ndarray = pcm if isinstance(pcm, np.ndarray) else open_pcm(Path(pcm))
        self.sample_rate = sample_rate
        self.blocksize = blocksize
        self._factory = stream_factory or sounddevice_stream
        self._stream: Any = None
        self._started = False  # the stream runs (it may be outputting silence at the end)
        self._lock = threading.Lock()
        self._pos = 0.0  # in source samples (fractional while resampling)
        self._speed = 1.0
        self._playing = False
        self._until: float | None = None  # stop here (source samples), e.g. for a preview
        self._hooks: list[PositionHook] = []

    @classmethod
    def for_project(cls, project: Any, stream_factory: StreamFactory | None = None) -> Player:
        if not Path(project.pcm_path).exists():
            raise UserError(
                "Das dekodierte Audio dieser Sitzung fehlt (audio.pcm). "
                "Bitte die Sitzung erneut verarbeiten lassen."
            )
        return cls(project.pcm_path, stream_factory=stream_factory)

    # -- state -----------------------------------------------------------------
    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    @property
    def position(self) -> float:
        with self._lock:
            return self._pos / self.sample_rate

    @property
    def playing(self) -> bool:
        with self._lock:
            return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        with self._lock:
            self._speed = float(min(max(value, MIN_SPEED), MAX_SPEED))

    def add_position_hook(self, hook: PositionHook) -> None:
        """``hook(seconds)`` after every audio block. Runs on the audio thread: keep it tiny
        (the GUI polls ``position`` from a timer instead)."""
        self._hooks.append(hook)

    # -- control -----------------------------------------------------------------
    def play(self, from_seconds: float | None = None, until_seconds: float | None = None) -> None:
        """Start (or continue) playing; optionally from a position and only up to ``until``."""
        stream = self._ensure_stream()
        with self._lock:
            if from_seconds is not None:
                self._pos = self._clamp(from_seconds * self.sample_rate)
            if self._pos >= len(self.samples):
                self._pos = 0.0
            self._until = None if until_seconds is None else self._clamp(until_seconds * self.sample_rate)
            self._playing = True
        if not self._started:
            try:
                stream.start()
            except Exception as exc:  # PortAudioError: the device went away
                with self._lock:
                    self._playing = False
                raise UserError(NO_DEVICE_MESSAGE) from exc
            self._started = True

    def pause(self) -> None:
        with self._lock:
            self._playing = False
        if self._started and self._stream is not None:
            self._stream.stop()
            self._started = False

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._pos = self._clamp(seconds * self.sample_rate)
            self._until = None

    def jump(self, delta_seconds: float) -> None:
        self.seek(self.position + delta_seconds)

    def close(self) -> None:
        """Stop and release the sound device (a later ``play`` opens it again)."""
        self.pause()
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    stop = close

    # -- internals -----------------------------------------------------------------
    def _clamp(self, sample: float) -> float:
        return float(min(max(sample, 0.0), len(self.samples)))

    def _ensure_stream(self) -> Any:
        if self._stream is None:
            self._stream = self._factory(
                samplerate=self.sample_rate,
                channels=1,
                dtype="float32",
                callback=self._callback,
                blocksize=self.blocksize,
            )
        return self._stream

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """Fill ``outdata`` (frames x 1) from the current position; runs on the audio thread."""
        out = outdata[:, 0] if outdata.ndim == 2 else outdata
        with self._lock:
            if not self._playing:
                out.fill(0.0)
                return
            rate = float(getattr(self._stream, "samplerate", self.sample_rate) or self.sample_rate)
            step = self._speed * self.sample_rate / rate
            end = len(self.samples) if self._until is None else self._until
            block, used = self._read(self._pos, frames, step, end)
            out[: block.size] = block
            out[block.size :] = 0.0
            self._pos = min(self._pos + used, float(len(self.samples)))
            if self._pos >= end:
                self._playing = False
                self._until = None
            seconds = self._pos / self.sample_rate
        for hook in self._hooks:
            hook(seconds)

    def _read(self, pos: float, frames: int, step: float, end: float) -> tuple[np.ndarray, float]:
        """``frames`` output samples from ``pos`` with ``step`` source samples each, up to ``end``."""
        if step == 1.0 and pos.is_integer():
            start = int(pos)
            stop = int(min(start + frames, end))
            return np.asarray(self.samples[start:stop], dtype=np.float32), float(max(stop - start, 0))
        idx = pos + np.arange(frames) * step
        idx = idx[idx < end]
        if idx.size == 0:
            return np.zeros(0, np.float32), float(max(end - pos, 0.0))
        first = int(idx[0])
        chunk = np.asarray(self.samples[first : int(idx[-1]) + 2], dtype=np.float32)
        local = idx - first
        lo = np.minimum(local.astype(np.int64), chunk.size - 1)
        hi = np.minimum(lo + 1, chunk.size - 1)
        frac = (local - lo).astype(np.float32)
        block = chunk[lo] * (1.0 - frac) + chunk[hi] * frac
        return block.astype(np.float32), idx.size * step
