"""Helpers shared by the exporters: the export bundle, time formats, speaker labels, safe writes."""

from __future__ import annotations

import copy
import dataclasses
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..base.errors import OutputError
from ..base.fileio import atomic_open
from ..base.types import AgendaItem, Attendee, Minutes, MinutesItem, SessionInfo, Speaker, Transcript

# Which part of the Niederschrift an export holds: Teil A (public), Teil B (non-public) or both.
PART_PUBLIC = "oeffentlich"
PART_NONPUBLIC = "nichtoeffentlich"
PART_ALL = "gesamt"
PARTS = (PART_PUBLIC, PART_NONPUBLIC, PART_ALL)

# Sign-off state of the whole Niederschrift and its German label ({{Status}} in templates).
SIGNOFF_STATES = {"entwurf": "Entwurf", "geprueft": "geprüft", "freigegeben": "freigegeben"}
REVIEWED_SIGNOFF = ("geprueft", "freigegeben")
ITEM_CONFIRMED = "bestaetigt"  # session.editing.CONFIRMED: the item is human-reviewed


@dataclass
class ExportResult:
    """Everything an export may need: header data, speakers, transcript and draft minutes.

    ``speakers`` carries the display names the user chose; every exporter labels
    segments through it, so a renamed speaker appears renamed in every format.
    ``attendees`` is the roster (Anwesenheitsliste), ``item_states`` the review
    state per agenda item ("ki_entwurf", "bearbeitet", "bestaetigt"; missing
    entries count as "ki_entwurf"), ``signoff_state`` the state of the whole
    Niederschrift ("entwurf", "geprueft", "freigegeben"), ``cosigner`` an
    optional third signer, ``agenda`` the invitation's Tagesordnung (for OParl ids).
    """

    info: SessionInfo = field(default_factory=SessionInfo)
    speakers: list[Speaker] = field(default_factory=list)
    transcript: Transcript | None = None
    minutes: Minutes | None = None
    attendees: list[Attendee] = field(default_factory=list)
    item_states: list[str] = field(default_factory=list)
    signoff_state: str = "entwurf"
    cosigner: str = ""
    agenda: list[AgendaItem] = field(default_factory=list)


def check_part(part: str) -> str:
    """``part`` if it is one of ``PARTS``; otherwise a German ``OutputError``."""
    if part not in PARTS:
        raise OutputError(f"Unbekannter Teil der Niederschrift „{part}“ (möglich: {', '.join(PARTS)}).")
    return part


def item_state(states: list[str], index: int) -> str:
    """Review state of item ``index``; items without a recorded state are AI drafts."""
    return states[index] if 0 <= index < len(states) and states[index] else "ki_entwurf"


def in_part(public: bool, part: str) -> bool:
    """Whether an item with the given ``public`` flag belongs into an export of ``part``."""
    if part == PART_ALL:
        return True
    return public if part == PART_PUBLIC else not public


def _spans(items: Iterable[MinutesItem], duration: float) -> list[tuple[float, float]]:
    """Time spans of ``items``; OutputError when one has no start (it cannot be cut out)."""
    spans = []
    for item in items:
        if item.start is None:
            raise OutputError(
                f"TOP {item.number} lässt sich in der Aufnahme nicht abgrenzen (Beginn unbekannt). "
                "Ohne Abgrenzung wird kein nach öffentlichem und nichtöffentlichem Teil getrenntes "
                "Transkript geschrieben; bitte den Beginn setzen (minutes-app items … --start)."
            )
        spans.append((item.start, item.end if item.end is not None else max(duration, item.start) + 1e9))
    return spans


def _overlaps(start: float, end: float, spans: list[tuple[float, float]]) -> bool:
    return any(start < b and end > a for a, b in spans) or any(a <= start < b for a, b in spans)


def part_bundle(bundle: ExportResult, part: str) -> ExportResult:
    """``bundle`` reduced to one part of the Niederschrift, failing closed (Teil B).

    Items outside ``part`` go with their speech (every segment touching their time),
    their review states, their speakers (a speaker heard only there), the agenda
    entries and the session events in their time. An item counts as public only when
    both the draft and the agenda say so. Unknown item times refuse the export.
    """
    if check_part(part) == PART_ALL:
        return bundle
    hidden_numbers = {a.number for a in bundle.agenda if not a.public}
    items = bundle.minutes.agenda_items if bundle.minutes else []
    inside = [in_part(item.public and item.number not in hidden_numbers, part) for item in items]
    duration = bundle.transcript.duration if bundle.transcript else 0.0
    if part == PART_PUBLIC:
        if bundle.minutes is None and hidden_numbers and bundle.transcript and bundle.transcript.segments:
            raise OutputError(
                "Ohne Entwurf lässt sich der nichtöffentliche Teil in der Aufnahme nicht abgrenzen; "
                "ein öffentliches Transkript wird nicht geschrieben."
            )
        cut = _spans([i for i, keep in zip(items, inside, strict=True) if not keep], duration)

        def keep_time(start: float, end: float) -> bool:
            return not _overlaps(start, end, cut)
    else:
        own = _spans([i for i, keep in zip(items, inside, strict=True) if keep], duration)

        def keep_time(start: float, end: float) -> bool:
            return _overlaps(start, end, own)

    transcript = bundle.transcript
    if transcript is not None:
        kept = [s for s in transcript.segments if keep_time(s.start, s.end)]
        transcript = Transcript(transcript.language, transcript.duration, kept, transcript.model)
    heard = {s.speaker for s in transcript.segments} if transcript else set()
    minutes = None
    if bundle.minutes is not None:
        minutes = copy.deepcopy(bundle.minutes)
        minutes.agenda_items = [i for i, keep in zip(minutes.agenda_items, inside, strict=True) if keep]
        minutes.events = [e for e in minutes.events if keep_time(e.start, e.end)]
    states = [s for i, s in enumerate(bundle.item_states) if i < len(inside) and inside[i]]
    return dataclasses.replace(
        bundle,
        speakers=[s for s in bundle.speakers if s.id in heard],
        transcript=transcript,
        minutes=minutes,
        item_states=states,
        agenda=[a for a in bundle.agenda if in_part(a.public, part)],
    )


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


# ---------------------------------------------------------------------------- clock and date text

_CLOCK_RE = re.compile(r"(\d{1,2})[:.](\d{2})")
_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("januar", "jan"),
            ("februar", "feb"),
            ("märz", "maerz", "mär", "mrz"),
            ("april", "apr"),
            ("mai",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("dezember", "dez"),
        ),
        start=1,
    )
    for name in names
}


def parse_clock(text: str) -> tuple[int, int] | None:
    """``"17:00"``, ``"17.00 Uhr"`` -> ``(17, 0)``; None when no clock time is given."""
    match = _CLOCK_RE.search(text or "")
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    return (hours, minutes) if hours < 24 and minutes < 60 else None


def clock_after(start_time: str, seconds: float) -> str | None:
    """Clock time ``HH:MM`` that lies ``seconds`` after ``start_time``; None without a start."""
    start = parse_clock(start_time)
    if start is None:
        return None
    total = start[0] * 60 + start[1] + int(max(0.0, seconds)) // 60
    return f"{(total // 60) % 24:02d}:{total % 60:02d}"


def plain_clock(text: str) -> str:
    """``"18:40 Uhr"`` / ``"18.40"`` -> ``"18:40"``; other text unchanged (stripped, without "Uhr")."""
    clock = parse_clock(text)
    if clock is not None:
        return f"{clock[0]:02d}:{clock[1]:02d}"
    return re.sub(r"\s*Uhr\s*$", "", (text or "").strip())


def parse_date(text: str) -> date | None:
    """``12.03.2025``, ``2025-03-12``, ``27. Januar 2015`` -> ``date``; None otherwise."""
    text = (text or "").strip().lower()
    try:
        if m := re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := re.search(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{2,4})", text):
            year = int(m.group(3))
            return date(year + 2000 if year < 100 else year, int(m.group(2)), int(m.group(1)))
        if m := re.search(r"(\d{1,2})\.?\s*([a-zäöü]+)\.?\s+(\d{4})", text):
            month = _MONTHS.get(m.group(2))
            if month:
                return date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        return None
    return None
