"""Time formatting shared by the editors."""

from __future__ import annotations


def format_time(seconds: float, tenths: bool = False) -> str:
    """``1:02:03`` (or ``02:03`` under an hour); with tenths ``02:03,4``."""
    seconds = max(seconds, 0.0)
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
    if tenths:
        text += f",{int((seconds - whole) * 10)}"
    return text


def format_duration(seconds: float) -> str:
    """Speaking time: ``3 min 12 s`` / ``45 s``."""
    whole = int(round(seconds))
    m, s = divmod(whole, 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"
