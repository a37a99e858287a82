"""Recording files, their JSON sidecar, and recovery of unfinished recordings.

A recording named ``<stem>`` (``aufnahme-20250131-183000``) consists of

    <stem>.part.wav        while recording (and after a crash): growing PCM16 WAV
    <stem>.wav             the finished file (the part file renamed; atomic)
    <stem>.recording.json  sidecar: sample rate, channels, device, start time,
                           markers [{time, label}], duration when finished

``find_unfinished`` lists part files that no living recorder holds;
``recover`` fits the WAV header to the data on disk and renames it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base import jsonio
from ..base.errors import UserError, os_reason
from ..base.fileio import write_json
from .wavfile import fsync_dir, is_locked, read_header, repair_wav

PART_SUFFIX = ".part.wav"
SIDECAR_SUFFIX = ".recording.json"
SIDECAR_FORMAT = "minutes-app-recording"
SIDECAR_VERSION = 1


class RecordingError(UserError):
    """Recording or recovery failed; ``str()`` is a German sentence for the user."""


@dataclass(frozen=True)
class Marker:
    time: float  # seconds of recorded audio (pauses excluded) from the start of the file
    label: str


def now_iso() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def stem_of(path: Path) -> str:
    name = path.name
    for suffix in (PART_SUFFIX, SIDECAR_SUFFIX, ".wav"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def sidecar_path(path: Path) -> Path:
    """The sidecar of a part file, a finished WAV or a stem path."""
    return path.with_name(stem_of(path) + SIDECAR_SUFFIX)


def new_sidecar(samplerate: int, channels: int, device: str) -> dict[str, Any]:
    return {
        "format": SIDECAR_FORMAT,
        "version": SIDECAR_VERSION,
        "samplerate": samplerate,
        "channels": channels,
        "device": device,
        "started": now_iso(),
        "finished": None,
        "recovered": False,
        "duration": None,
        "markers": [],
    }


def read_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar of ``path``; {} if it is missing or unreadable."""
    try:
        data = jsonio.loads(jsonio.read_bytes(sidecar_path(path)))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == SIDECAR_FORMAT else {}


def write_sidecar(path: Path, data: dict[str, Any]) -> None:
    write_json(sidecar_path(path), data)


def load_markers(path: str | os.PathLike[str]) -> list[Marker]:
    """Markers of a recording (finished WAV or part file), in time order."""
    markers = []
    for item in read_sidecar(Path(path)).get("markers", []):
        try:
            markers.append(Marker(float(item["time"]), str(item["label"])))
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(markers, key=lambda m: m.time)


def free_target(folder: Path, stem: str) -> Path:
    """``<stem>.wav`` in ``folder``, or ``<stem>-2.wav`` ... if that exists."""
    target = folder / f"{stem}.wav"
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}.wav"
        n += 1
    return target


def finish_part(part: Path, samplerate: int, channels: int) -> tuple[Path, int]:
    """Fit the header, rename ``<stem>.part.wav`` -> ``<stem>.wav``; returns (path, frames)."""
    frames = repair_wav(part, samplerate, channels)
    target = free_target(part.parent, stem_of(part))
    os.replace(part, target)
    fsync_dir(part.parent)
    if target.name != f"{stem_of(part)}.wav":  # keep the sidecar beside a renamed file
        old = sidecar_path(part)
        if old.exists():
            os.replace(old, sidecar_path(target))
    return target, frames


def find_unfinished(folder_or_library: str | os.PathLike[str]) -> list[Path]:
    """Part files under a folder (recursively) or the given one, not being recorded now."""
    root = Path(folder_or_library)
    if root.is_file():
        candidates = [root] if root.name.endswith(PART_SUFFIX) else []
    elif root.is_dir():
        try:
            candidates = sorted(root.rglob("*" + PART_SUFFIX))
        except OSError:
            candidates = []
    else:
        candidates = []
    return [p for p in candidates if p.is_file() and not is_locked(p)]


def recover(path: str | os.PathLike[str]) -> Path:
    """Turn an unfinished recording into a valid WAV beside it; returns its path.

    The data on disk is kept completely (a torn last frame is cut off); the
    sidecar with the markers is kept and notes the recovery.
    """
    part = Path(path)
    if not part.name.endswith(PART_SUFFIX) or not part.is_file():
        raise RecordingError(f"„{part}“ ist keine unterbrochene Aufnahme.")
    if is_locked(part):
        raise RecordingError(
            f"„{part.name}“ wird gerade noch aufgenommen und kann nicht wiederhergestellt werden."
        )
    meta = read_sidecar(part)
    fmt = read_header(part) or (int(meta.get("samplerate", 0)), int(meta.get("channels", 0)))
    if fmt[0] <= 0 or fmt[1] <= 0:
        raise RecordingError(
            f"Das Format der unterbrochenen Aufnahme „{part.name}“ ist unbekannt; sie kann nicht "
            "automatisch wiederhergestellt werden."
        )
    try:
        if part.stat().st_size <= 44:
            part.unlink()
            sidecar_path(part).unlink(missing_ok=True)
            raise RecordingError(
                f"Die unterbrochene Aufnahme „{part.name}“ enthält keine Audiodaten und wurde entfernt."
            )
        target, frames = finish_part(part, *fmt)
    except OSError as exc:
        raise RecordingError(
            f"Die unterbrochene Aufnahme „{part.name}“ kann nicht wiederhergestellt werden "
            f"({os_reason(exc)}). Bitte Schreibrechte und freien Speicherplatz prüfen."
        ) from exc
    if meta:
        meta.update(recovered=True, duration=round(frames / fmt[0], 3))
        # If this fails, the old sidecar with the markers stays; only the note is missing.
        with contextlib.suppress(UserError):
            write_sidecar(target, meta)
    return target
