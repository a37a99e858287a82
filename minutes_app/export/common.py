"""Helpers shared by the exporters: the export bundle, time formats, speaker labels, safe writes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import OutputError
from ..core.fileio import atomic_open
from ..core.types import Minutes, SessionInfo, Speaker, Transcript


@dataclass
class ExportResult:
    """Everything an export may need: header data, speakers, transcript and draft minutes.

    ``speakers`` carries the display names the user chose; every exporter labels
    segments through it, so a renamed speaker appears renamed in every format.
    """

    info: SessionInfo = field(default_factory=SessionInfo)
    speakers: list[Speaker] = field(default_factory=list)
    transcript: Transcript | None = None
    minutes: Minutes | None = None


def speaker_labels(speakers: Iterable[Speaker]) -> dict[str, str]:
    """Map speaker id -> display label (the chosen name, else the id)."""
    return {s.id: s.label for s in speakers}


def label_for(speaker_id: str | None, labels: dict[str, str]) -> str | None:
    """Display label of a segment's speaker; ``None`` when the segment has no speaker."""
    if speaker_id is None:
        return None
    return labels.get(speaker_id, speaker_id)


def _split_ms(seconds: float) -> tuple[int, int, int, int]:
    total_ms = max(0, int(round(seconds * 1000)))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return hours, minutes, secs, ms


def fmt_clock(seconds: float) -> str:
    """``HH:MM:SS`` (rounded down to the second), e.g. for TXT and DOCX."""
    hours, minutes, secs, _ = _split_ms(float(int(max(0.0, seconds))))
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def fmt_srt_time(seconds: float) -> str:
    """``HH:MM:SS,mmm`` as SubRip requires."""
    hours, minutes, secs, ms = _split_ms(seconds)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{ms:03d}"


def fmt_vtt_time(seconds: float) -> str:
    """``HH:MM:SS.mmm`` as WebVTT requires."""
    hours, minutes, secs, ms = _split_ms(seconds)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` atomically; any OS failure becomes a German ``OutputError``."""
    _write_atomic(path, data, "wb")


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` atomically; any OS failure becomes a German ``OutputError``."""
    _write_atomic(path, text, "w")


def _write_atomic(path: str | os.PathLike[str], data: str | bytes, mode: str) -> None:
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"„{target}“ ist ein Ordner; bitte einen Dateinamen angeben.")
    with atomic_open(target, mode) as fh:  # turns every OS failure into a German OutputError
        fh.write(data)
