"""Where each agenda item starts: markers first, then spoken cues, titles, the LLM last.

Sources, in order of trust:

1. ``starts`` set by hand by the secretary (item number -> second);
2. recording markers (F9 "Nächster Tagesordnungspunkt" while recording, optionally
   labelled "TOP 5"): a marker says *that* an item begins; a spoken numbered cue
   within ``SNAP_SECONDS`` of it gives the exact moment and *which* item;
3. spoken cues ("Ich rufe Tagesordnungspunkt 5 auf", see ``cues.py``);
4. for agenda items still not found: a sentence that names most of the item's
   title inside the preceding item ("fuzzy title"), then the LLM, asked which
   line of the preceding item opens the missing one.

Each source turns into a ``Cue``; ``segment_items`` cuts at the cues.
"""

from __future__ import annotations

import re

from ..base.types import Segment
from .cues import Cue, ItemSpan, Locator, _digits, _sentences, number_key, split_segment, title_score

SNAP_SECONDS = 60.0  # a spoken cue this close to a marker is the same boundary
TITLE_MIN_SCORE = 0.6  # share of the title's content words a sentence must name
_LABEL_NUMBER = re.compile(r"(?:top|tagesordnungspunkt|punkt)?\s*(?P<n>\d{1,3}(?:\.\d{1,3})*[a-z]?)", re.I)


def _position(segments: list[Segment], seconds: float) -> tuple[int, int]:
    """(segment index, char offset) of the first word at or after ``seconds``."""
    for idx, seg in enumerate(segments):
        if seg.end <= seconds:
            continue
        if seg.start >= seconds or not seg.words:
            return idx, 0
        before = [w for w in seg.words if w.start < seconds]
        if len(before) >= len(seg.words):
            continue
        head = "".join(w.word for w in before).strip()
        char = seg.text.find(head[-12:]) + len(head[-12:]) if head else 0
        return idx, max(0, min(char, len(seg.text)))
    return len(segments), 0


def _time_of(segments: list[Segment], cue: Cue) -> float:
    if cue.index >= len(segments):
        return float("inf")
    seg = segments[cue.index]
    return seg.start + (seg.end - seg.start) * cue.char / max(1, len(seg.text))


def label_number(label: str) -> str | None:
    """``"TOP 5"`` -> ``"5"``; the default label "Nächster Tagesordnungspunkt" -> ``None``."""
    m = _LABEL_NUMBER.fullmatch(label.strip().rstrip(".:"))
    return _digits(m.group("n")) if m else None


def combine_cues(
    spoken: list[Cue], segments: list[Segment], markers: list[tuple[float, str]], starts: dict[str, float]
) -> list[Cue]:
    """All boundaries as cues in time order (see the module docstring for the precedence)."""
    cues = list(spoken)
    for t, label in sorted(markers):
        idx, char = _position(segments, t)
        if idx >= len(segments):
            continue
        number = label_number(label)
        near = [c for c in cues if c.source == "aufruf" and abs(_time_of(segments, c) - t) <= SNAP_SECONDS]
        numbered = [c for c in near if c.number is not None]
        if numbered and (number is None or any(number_key(c.number or "") == number for c in numbered)):
            continue  # the spoken cue is the same boundary, with the exact time and number
        cues = [c for c in cues if c not in near]
        cues.append(Cue(idx, char, number, "", "marke"))
    for number, t in starts.items():
        key = number_key(number)
        idx, char = _position(segments, t)
        cues = [
            c
            for c in cues
            if not (c.number is not None and number_key(c.number) == key)
            and abs(_time_of(segments, c) - t) > 1.0
        ]
        if idx < len(segments):
            cues.append(Cue(idx, char, key, "", "manuell"))
    cues.sort(key=lambda c: (c.index, c.char))
    deduped: list[Cue] = []
    for cue in cues:
        if deduped and (deduped[-1].index, deduped[-1].char) == (cue.index, cue.char):
            continue
        deduped.append(cue)
    return deduped


def fill_missing(spans: list[ItemSpan], locate: Locator | None = None) -> list[ItemSpan]:
    """Find agenda items that no cue opened inside the item before them.

    First by a sentence naming the title, then by ``locate(previous, missing)``
    (the LLM, only for items with a found item after them), which returns the
    index in ``previous.segments`` where the missing item begins, or None.
    Found items get ``matched_by`` "titel" or "llm".
    """
    for i in range(1, len(spans)):
        missing, previous = spans[i], spans[i - 1]
        if missing.segments or not missing.in_agenda or len(previous.segments) < 2:
            continue
        cut = _title_sentence(previous, missing)
        how = "titel"
        # The LLM only for an item between two found ones: it was surely dealt with
        # (or withdrawn, and the model answers "keine"); a missing last item often was not.
        between = any(later.segments and later.in_agenda for later in spans[i + 1 :])
        if cut is None and locate is not None and between:
            found = locate(previous, missing)
            cut = (found, 0) if found is not None and 0 < found < len(previous.segments) else None
            how = "llm"
        if cut is None:
            continue
        idx, char = cut
        head_segments = previous.segments[:idx]
        tail_segments = previous.segments[idx:]
        if char > 0:
            head, tail = split_segment(tail_segments[0], char)
            head_segments.append(head)
            tail_segments = [tail, *tail_segments[1:]]
        previous.segments, missing.segments, missing.matched_by = head_segments, tail_segments, how
    return spans


def _title_sentence(previous: ItemSpan, missing: ItemSpan) -> tuple[int, int] | None:
    """(segment index, char) of a sentence in ``previous`` that names ``missing``'s title."""
    if not missing.title:
        return None
    for idx, seg in enumerate(previous.segments):
        if idx == 0:
            continue  # the previous item's own opening
        for off, sentence in _sentences(seg.text):
            if title_score(sentence, missing.title) >= TITLE_MIN_SCORE:
                return idx, off if off > 0 and len(seg.text[:off].split()) >= 2 else 0
    return None
