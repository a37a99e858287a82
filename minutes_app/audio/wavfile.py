"""A PCM16 WAV file that stays readable while it grows and after a crash.

``GrowingWav`` appends raw samples with ``os.write`` (so they are in the kernel's
page cache at once and survive the death of the process) and, on ``sync()``,
rewrites the two size fields of the canonical 44-byte header and fsyncs, so a
power cut loses at most what came after the last sync. ``repair_wav`` sets
the header of such a file to its real length (whole frames) in place: recovery
needs no copy and no free disk space.

While a file is being written it holds an exclusive ``flock``; ``is_locked``
lets recovery skip a file that a living recorder still writes (the lock goes
away with the process, also after SIGKILL). Where ``fcntl`` does not exist
(Windows) there is no lock and ``is_locked`` is always False.
"""

from __future__ import annotations

import contextlib
import os
import struct
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

HEADER_SIZE = 44
SAMPLE_BYTES = 2
# The RIFF size field is 32 bit: the data may not grow past this.
MAX_DATA_BYTES = 0xFFFFFFFF - 36 - 1024
_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")


def wav_header(samplerate: int, channels: int, data_bytes: int) -> bytes:
    return _HEADER.pack(
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        samplerate,
        samplerate * channels * SAMPLE_BYTES,
        channels * SAMPLE_BYTES,
        8 * SAMPLE_BYTES,
        b"data",
        data_bytes,
    )


def read_header(path: Path) -> tuple[int, int] | None:
    """``(samplerate, channels)`` of a canonical PCM16 header, else None."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(HEADER_SIZE)
    except OSError:
        return None
    if len(raw) < HEADER_SIZE:
        return None
    riff, _, wave, fmt, fmt_len, codec, channels, rate, _, _, bits, data, _ = _HEADER.unpack(raw)
    if (riff, wave, fmt, data) != (b"RIFF", b"WAVE", b"fmt ", b"data") or fmt_len != 16:
        return None
    if codec != 1 or bits != 16 or not 0 < channels <= 32 or not 1000 <= rate <= 384000:
        return None
    return rate, channels


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (no-op where unsupported)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def is_locked(path: Path) -> bool:
    """True while a living process writes ``path`` (see module doc)."""
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing also drops the probe lock
    return False


class GrowingWav:
    """Append-only PCM16 WAV; see the module doc for its crash guarantees."""

    def __init__(self, path: Path, samplerate: int, channels: int) -> None:
        self.path = path
        self.samplerate = samplerate
        self.channels = channels
        self.frame_bytes = channels * SAMPLE_BYTES
        self.data_bytes = 0
        self.synced_bytes = 0
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._write_all(wav_header(samplerate, channels, 0))
            os.fsync(self._fd)
            fsync_dir(path.parent)
        except BaseException:
            os.close(self._fd)
            with contextlib.suppress(OSError):
                path.unlink()
            raise

    def _write_all(self, data: bytes | memoryview) -> int:
        view = memoryview(data)
        written = 0
        while written < len(view):
            written += os.write(self._fd, view[written:])
        return written

    def append(self, data: bytes) -> None:
        """Append samples; raises OSError (e.g. ENOSPC) with what fitted kept."""
        if self.data_bytes + len(data) > MAX_DATA_BYTES:
            raise OSError(27, "File too large")  # EFBIG
        view = memoryview(data)
        written = 0
        try:
            while written < len(view):
                written += os.write(self._fd, view[written:])
        finally:
            self.data_bytes += written

    def sync(self) -> None:
        """Write the current length into the header and fsync the file."""
        size = self.data_bytes - self.data_bytes % self.frame_bytes
        os.pwrite(self._fd, wav_header(self.samplerate, self.channels, size), 0)
        os.fsync(self._fd)
        self.synced_bytes = size

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def repair_wav(path: Path, samplerate: int, channels: int) -> int:
    """Fit the header of a grown/crashed WAV to its real length; returns frames.

    A partial last frame is cut off. The file keeps its name; callers rename it.
    """
    frame_bytes = channels * SAMPLE_BYTES
    fd = os.open(path, os.O_RDWR)
    try:
        size = os.fstat(fd).st_size
        data = max(0, min(size - HEADER_SIZE, MAX_DATA_BYTES))
        data -= data % frame_bytes
        if size != HEADER_SIZE + data:
            os.ftruncate(fd, HEADER_SIZE + data)
        os.pwrite(fd, wav_header(samplerate, channels, data), 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    return data // frame_bytes
