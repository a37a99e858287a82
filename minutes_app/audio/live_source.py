"""Read a PCM16 WAV that the recorder is still writing, as 16 kHz mono float32.

Only frames already on disk are read, and the length comes from the file
size, not from the header: the recorder rewrites the header's size fields only
every second (and a crash can leave them behind or torn). The sample format
comes from the header when it is valid, else from the caller, else from the
recording's sidecar, else the recorder's default (16 kHz mono). A torn last
frame is left until it is complete.

The file is opened for each read and closed again, so the recorder can rename
``<stem>.part.wav`` to ``<stem>.wav`` when it stops (also on Windows); the
reader then follows the finished file. Other rates and channel counts are
mixed to mono and resampled with PyAV (imported only then).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .recovery import PART_SUFFIX, read_sidecar, stem_of
from .wavfile import HEADER_SIZE, SAMPLE_BYTES, read_header

SAMPLE_RATE = 16000
DEFAULT_FORMAT = (16000, 1)  # what the recorder asks the device for


class GrowingWavReader:
    """Incremental reader of a growing WAV (see the module doc)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        samplerate: int | None = None,
        channels: int | None = None,
    ) -> None:
        self.path = Path(path)
        self._hint = (samplerate, channels)
        self.format: tuple[int, int] | None = None  # (samplerate, channels) once known
        self.frames_read = 0  # source frames consumed
        self.samples_out = 0  # 16 kHz samples handed out
        self._resampler: Any = None
        self._flushed = False

    def follow(self, path: str | os.PathLike[str]) -> None:
        """Read on from ``path`` (the finished recording under another name)."""
        self.path = Path(path)

    def locate(self) -> Path | None:
        """The file now: the part file, or the finished ``<stem>.wav`` after the rename."""
        if self.path.is_file():
            return self.path
        if self.path.name.endswith(PART_SUFFIX):
            done = self.path.with_name(stem_of(self.path) + ".wav")
            if done.is_file():
                self.path = done
                return done
        return None

    def _detect_format(self, path: Path, size: int) -> tuple[int, int] | None:
        if self.format is not None:
            return self.format
        header = read_header(path)
        if header is None and size < HEADER_SIZE:
            return None  # the header is not even written yet
        if header is None:
            rate, channels = self._hint
            if not rate or not channels:
                meta = read_sidecar(path)
                rate = rate or int(meta.get("samplerate") or 0) or None
                channels = channels or int(meta.get("channels") or 0) or None
            header = (rate or DEFAULT_FORMAT[0], channels or DEFAULT_FORMAT[1])
        self.format = header
        return header

    def frames_on_disk(self) -> int:
        """Whole frames in the file now (0 when it is missing or has no header yet)."""
        path = self.locate()
        if path is None:
            return 0
        try:
            size = path.stat().st_size
        except OSError:
            return 0
        fmt = self._detect_format(path, size)
        if fmt is None:
            return 0
        return max(size - HEADER_SIZE, 0) // (fmt[1] * SAMPLE_BYTES)

    def seconds_on_disk(self) -> float:
        frames = self.frames_on_disk()  # also detects the format
        return frames / self.format[0] if self.format else 0.0

    def pending_samples(self) -> int:
        """16 kHz samples on disk that ``read`` has not handed out yet (estimate when resampling)."""
        frames = self.frames_on_disk() - self.frames_read
        if self.format is None or frames <= 0:
            return 0
        return int(frames * SAMPLE_RATE / self.format[0])

    def read(self, max_samples: int | None = None) -> np.ndarray:
        """New audio on disk (16 kHz mono float32), at most about ``max_samples``."""
        path = self.locate()
        if path is None:
            return np.zeros(0, np.float32)
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                fmt = self._detect_format(path, size)
                if fmt is None:
                    return np.zeros(0, np.float32)
                rate, channels = fmt
                frame_bytes = channels * SAMPLE_BYTES
                frames = max(size - HEADER_SIZE, 0) // frame_bytes - self.frames_read
                if max_samples is not None:
                    frames = min(frames, -(-max_samples * rate // SAMPLE_RATE))
                if frames <= 0:
                    return np.zeros(0, np.float32)
                fh.seek(HEADER_SIZE + self.frames_read * frame_bytes)
                raw = fh.read(frames * frame_bytes)
        except OSError:
            return np.zeros(0, np.float32)  # e.g. renamed between locate and open: next time
        frames = len(raw) // frame_bytes
        self.frames_read += frames
        pcm = np.frombuffer(raw[: frames * frame_bytes], dtype="<i2").reshape(frames, channels)
        mono = pcm[:, 0] if channels == 1 else pcm.mean(axis=1, dtype=np.float32)
        audio = mono.astype(np.float32) / 32768.0
        if rate != SAMPLE_RATE:
            audio = self._resample(audio, rate)
        self.samples_out += len(audio)
        return audio

    def flush(self) -> np.ndarray:
        """The resampler's last samples: call once, after the recording ended."""
        if self._resampler is None or self._flushed:
            return np.zeros(0, np.float32)
        self._flushed = True
        out = self._collect(self._resampler.resample(None))
        self.samples_out += len(out)
        return out

    def _resample(self, audio: np.ndarray, rate: int) -> np.ndarray:
        import av

        if self._resampler is None:
            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        return self._collect(self._resampler.resample(frame))

    @staticmethod
    def _collect(frames: Any) -> np.ndarray:
        parts = [f.to_ndarray().reshape(-1).astype(np.float32, copy=False) for f in frames]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)
