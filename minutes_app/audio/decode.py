"""Decode any audio/video file once to 16 kHz mono float32.

``decode_to_file`` streams through the input with PyAV and appends raw
float32 samples to a file, so memory stays flat however long the session is;
``open_pcm`` maps that file back as a read-only ``np.memmap`` for the stages.
``decode_audio`` is the in-memory variant for short files.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..base.errors import Cancelled, InvalidAudioError, os_reason
from ..base.fileio import atomic_open
from ..base.inputs import check_input_file
from ..base.jobs import CancelToken, ProgressFn, no_progress

SAMPLE_RATE = 16000
# Non-finite samples (NaN, ±inf in a float WAV) are set to 0; above this share of the
# recording the file is refused as damaged instead (a transcript of zeros says nothing).
MAX_NONFINITE_SHARE = 0.01
# Peak below this over the whole file counts as "only silence" (about -60 dBFS).
SILENCE_PEAK = 1e-3


_log = logging.getLogger(__name__)

SUPPORTED = "Unterstützt werden z. B. WAV, FLAC, MP3, M4A, OGG/Opus, MP4 und WebM."
# Start of the known containers: a file that begins like one but cannot be opened is
# damaged (copy broken off, recording not finished), not "no audio file".
_MAGIC = (b"RIFF", b"RF64", b"fLaC", b"OggS", b"ID3", b"\x1aE\xdf\xa3", b"FORM", b"#!AMR", b"MAC ")


def _looks_like_media(head: bytes) -> bool:
    return head.startswith(_MAGIC) or head[4:8] == b"ftyp"  # ftyp: MP4, M4A, MOV, 3GP


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:  # a cut in the middle of a character at the end of the sample
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return bool(text.strip()) and all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)


def _unreadable(path: Path, exc: Exception) -> InvalidAudioError:
    if isinstance(exc, PermissionError):
        return InvalidAudioError(f"Die Datei „{path.name}“ kann nicht gelesen werden (keine Berechtigung).")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as err:
        return InvalidAudioError(f"Die Datei „{path.name}“ kann nicht gelesen werden ({os_reason(err)}).")
    if _looks_like_media(head):
        return InvalidAudioError(
            f"„{path.name}“ ist beschädigt oder unvollständig (z. B. nicht fertig kopiert oder die Aufnahme "
            "wurde abgebrochen) und nicht lesbar. Bitte die Originaldatei erneut kopieren oder exportieren."
        )
    if _looks_like_text(head):
        return InvalidAudioError(
            f"„{path.name}“ ist keine lesbare Audio- oder Videodatei, sondern eine Textdatei. {SUPPORTED}"
        )
    return InvalidAudioError(f"„{path.name}“ ist keine lesbare Audio- oder Videodatei. {SUPPORTED}")


def _open_container(path: Path):  # type: ignore[no-untyped-def]
    import av

    try:
        if not path.exists():
            raise InvalidAudioError(f"Die Datei „{path}“ wurde nicht gefunden.")
        if path.is_dir():
            raise InvalidAudioError(f"„{path}“ ist ein Ordner, keine Audiodatei.")
        check_input_file(path, "Die Aufnahme", InvalidAudioError)  # a FIFO or device would block
        size = path.stat().st_size
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise InvalidAudioError(f"Die Datei „{path}“ kann nicht geöffnet werden ({os_reason(exc)}).") from exc
    if size == 0:
        raise InvalidAudioError(f"Die Datei „{path.name}“ ist leer (0 Bytes).")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    if not container.streams.audio:
        container.close()
        raise InvalidAudioError(f"„{path.name}“ enthält keine Tonspur.")
    return container


def _duration_seconds(container) -> float:  # type: ignore[no-untyped-def]
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return 0.0


def iter_pcm(
    path: str | os.PathLike[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Iterator[np.ndarray]:
    """Yield consecutive blocks of 16 kHz mono float32 samples."""
    import av

    path = Path(path)
    container = _open_container(path)
    total = _duration_seconds(container)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    done = repaired = 0
    try:
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    block, bad = _finite(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
                    done += block.size
                    repaired += bad
                    yield block
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                if total > 0:
                    note = f" ({repaired} ungültige Abtastwerte auf 0 gesetzt)" if repaired else ""
                    progress(min(done / SAMPLE_RATE / total, 1.0), "Audio wird gelesen" + note)
            for out in resampler.resample(None):
                block, bad = _finite(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
                done += block.size
                repaired += bad
                yield block
        except av.FFmpegError as exc:
            minute = done / SAMPLE_RATE / 60
            raise InvalidAudioError(
                f"„{path.name}“ ist beschädigt oder unvollständig: ab Minute {minute:.1f} "
                "nicht lesbar. Bitte die Originaldatei erneut kopieren oder exportieren."
            ) from exc
    finally:
        container.close()
    if done == 0:
        raise InvalidAudioError(f"„{path.name}“ enthält keine hörbaren Audiodaten.")
    if repaired > MAX_NONFINITE_SHARE * done:
        raise InvalidAudioError(
            f"„{path.name}“ ist beschädigt: {100 * repaired / done:.0f} % der Abtastwerte sind ungültig "
            "(NaN oder unendlich). Bitte die Originaldatei erneut exportieren."
        )
    if repaired:
        _log.warning(
            "„%s“: %d ungültige Abtastwerte (NaN oder unendlich) auf 0 gesetzt.", path.name, repaired
        )


def _finite(block: np.ndarray) -> tuple[np.ndarray, int]:
    """``block`` with NaN and ±inf set to 0, and how many there were."""
    bad = ~np.isfinite(block)
    count = int(bad.sum())
    if count:
        block = np.where(bad, np.float32(0.0), block).astype(np.float32, copy=False)
    return block, count


def _check_not_silent(peak: float, name: str) -> None:
    if peak < SILENCE_PEAK:
        raise InvalidAudioError(
            f"„{name}“ enthält nur Stille. Bitte prüfen, ob das Mikrofon bei der Aufnahme "
            "stummgeschaltet war oder die richtige Datei gewählt wurde."
        )


def decode_audio(
    path: str | os.PathLike[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    allow_silence: bool = False,
) -> np.ndarray:
    """Decode a (short) file fully into memory."""
    blocks = list(iter_pcm(path, progress, cancel))
    audio = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    if not allow_silence:
        _check_not_silent(float(np.abs(audio).max(initial=0.0)), Path(path).name)
    return audio


def decode_to_file(
    path: str | os.PathLike[str],
    pcm_path: str | os.PathLike[str],
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    allow_silence: bool = False,
) -> int:
    """Stream-decode ``path`` into a raw float32 file; returns the sample count."""
    peak = 0.0
    count = 0
    with atomic_open(pcm_path, "wb") as fh:
        for block in iter_pcm(path, progress, cancel):
            peak = max(peak, float(np.abs(block).max(initial=0.0)))
            count += block.size
            fh.write(block.tobytes())
        if not allow_silence:
            _check_not_silent(peak, Path(path).name)
    return count


def open_pcm(pcm_path: str | os.PathLike[str]) -> np.ndarray:
    """Map a raw float32 file written by ``decode_to_file`` (read-only)."""
    size = Path(pcm_path).stat().st_size
    if size == 0:
        return np.zeros(0, np.float32)
    return np.memmap(pcm_path, dtype=np.float32, mode="r")


def probe_audio(path: str | os.PathLike[str]) -> float:
    """Check that ``path`` is a readable audio/video file; return its duration (s)."""
    container = _open_container(Path(path))
    try:
        return _duration_seconds(container)
    finally:
        container.close()
