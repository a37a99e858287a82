"""Stable, distinguishable colours per speaker (the same in transcript and timeline)."""

from __future__ import annotations

import re
import zlib

from PySide6.QtGui import QColor

# Okabe-Ito based: readable for colour-blind users, dark enough for text on white.
_PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#8C6D00",
    "#56B4E9",
    "#E69F00",
    "#6A3D9A",
    "#B2182B",
    "#4D4D4D",
)


def speaker_index(speaker_id: str | None) -> int:
    if not speaker_id:
        return len(_PALETTE) - 1
    match = re.search(r"(\d+)$", speaker_id)
    number = int(match.group(1)) if match else zlib.crc32(speaker_id.encode("utf-8"))
    return number % (len(_PALETTE) - 1)  # the last colour (grey) is kept for "unknown"


def speaker_color(speaker_id: str | None) -> QColor:
    """The text/stroke colour of a speaker."""
    return QColor(_PALETTE[speaker_index(speaker_id)])


def speaker_tint(speaker_id: str | None, alpha: int = 60) -> QColor:
    """A light fill of the speaker's colour (backgrounds, timeline bands)."""
    color = speaker_color(speaker_id)
    color.setAlpha(alpha)
    return color
