"""Words to speaker turns: each word gets the speaker it overlaps most, and
segments are split wherever the speaker changes.

Pure Python (no torch, no pyannote), so it is fast to test with small fakes.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..base.types import Diarization, Segment, Speaker, SpeakerTurn, Word

# A run of at most this many words shorter than this is treated as a
# diarization blip and given to the surrounding speaker.
BLIP_WORDS = 1
BLIP_SECONDS = 0.6


def _speaker_at(turns: Sequence[SpeakerTurn], starts: list[float], start: float, end: float) -> str | None:
    """The speaker overlapping [start, end] most; else the nearest turn's."""
    if not turns:
        return None
    best, best_overlap = None, 0.0
    i = max(bisect.bisect_right(starts, end) - 1, 0)
    # Turns are sorted by start; walk back over every turn that may overlap.
    j = i
    while j >= 0:
        t = turns[j]
        overlap = min(end, t.end) - max(start, t.start)
        if overlap > best_overlap:
            best, best_overlap = t.speaker, overlap
        if t.end < start - 30.0:  # turns are rarely longer than 30 s before this point
            break
        j -= 1
    if best is not None:
        return best
    mid = (start + end) / 2
    nearest = min(turns, key=lambda t: min(abs(t.start - mid), abs(t.end - mid)))
    return nearest.speaker


def _smooth(labels: list[str | None], words: list[Word]) -> list[str | None]:
    out = list(labels)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and out[j + 1] == out[i]:
            j += 1
        short = (j - i + 1) <= BLIP_WORDS and words[j].end - words[i].start < BLIP_SECONDS
        if short and i > 0 and j + 1 < len(out) and out[i - 1] == out[j + 1]:
            for k in range(i, j + 1):
                out[k] = out[i - 1]
        i = j + 1
    return out


def _join(words: list[Word]) -> str:
    return "".join(w.word for w in words).strip()


def assign_speakers(segments: Sequence[Segment], diarization: Diarization) -> list[Segment]:
    """Return new segments, split at speaker changes, with ``speaker`` set."""
    turns = sorted(diarization.turns, key=lambda t: t.start)
    starts = [t.start for t in turns]
    result: list[Segment] = []
    for seg in segments:
        if not seg.words:
            speaker = _speaker_at(turns, starts, seg.start, seg.end)
            result.append(Segment(0, seg.start, seg.end, seg.text, [], speaker))
            continue
        labels = _smooth([_speaker_at(turns, starts, w.start, w.end) for w in seg.words], seg.words)
        run: list[Word] = []
        run_speaker = labels[0]
        for word, label in zip(seg.words, labels, strict=True):
            if run and label != run_speaker:
                result.append(Segment(0, run[0].start, run[-1].end, _join(run), run, run_speaker))
                run = []
            run_speaker = label
            run.append(word)
        if run:
            result.append(Segment(0, run[0].start, run[-1].end, _join(run), run, run_speaker))
    result = [s for s in result if s.text]
    for i, seg in enumerate(result):
        seg.id = i
    return result


def speakers_in_order(segments: Sequence[Segment], names: dict[str, str] | None = None) -> list[Speaker]:
    """Speakers in order of first appearance, with display names where known."""
    seen: dict[str, Speaker] = {}
    for seg in segments:
        if seg.speaker and seg.speaker not in seen:
            seen[seg.speaker] = Speaker(seg.speaker, (names or {}).get(seg.speaker))
    return list(seen.values())
