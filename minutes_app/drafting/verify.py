"""Checks that keep the draft honest: numbers and quotes must be in the transcript."""

from __future__ import annotations

import difflib
import re

from ..base.types import Evidence, Segment, Vote
from .numbers import numbers_in_text

COUNT_LABELS = {"yes": "Ja-Stimmen", "no": "Nein-Stimmen", "abstain": "Enthaltungen"}
_ZERO_WORDS = re.compile(r"\b(?:keine[nr]?|ohne|null|niemand)\b", re.IGNORECASE)


def evidence_text(evidence: list[Evidence], segments: list[Segment]) -> str:
    ids = {i for ev in evidence for i in ev.segment_ids}
    return " ".join(s.text for s in segments if s.id in ids)


# "ein/eine/einer" is a count only before a vote noun ("bei einer Enthaltung"),
# never in "Das ist eine Mehrheit".
_ONE_VOTE = re.compile(
    r"\bein(?:e[rnm]?)?\s+(?:ja-?stimme|nein-?stimme|gegenstimme|stimmenthaltung|enthaltung|stimme)\b",
    re.IGNORECASE,
)


def number_is_evidenced(value: int, text: str) -> bool:
    """``value`` is written in ``text`` as digits or as an unambiguous German number word."""
    if value == 0 and _ZERO_WORDS.search(text):
        return True
    if value == 1 and _ONE_VOTE.search(text):
        return True
    return value in numbers_in_text(text, include_ambiguous=False)


def verify_vote(vote: Vote, evidence: list[Evidence], segments: list[Segment]) -> tuple[Vote, list[str]]:
    """Drop every count that does not occur in the evidence segments; say so in German flags."""
    text = evidence_text(evidence, segments)
    checked = Vote(vote.outcome, vote.yes, vote.no, vote.abstain)
    flags: list[str] = []
    for key, label in COUNT_LABELS.items():
        value = getattr(checked, key)
        if value is None:
            continue
        if not number_is_evidenced(int(value), text):
            setattr(checked, key, None)
            flags.append(f"{label} ({value}) nicht im Transkript belegt – entfernt")
    if checked.outcome and "einstimmig" in checked.outcome and (checked.no or 0) > 0:
        flags.append(
            "Abstimmungsergebnis widersprüchlich: „einstimmig“, aber Nein-Stimmen genannt – bitte prüfen"
        )
    return checked, flags


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def quote_coverage(quote: str, segments: list[Segment]) -> float:
    """Share of the words of ``quote`` found in order (runs of >= 3 words) in the segments."""
    q = _words(quote)
    if not q:
        return 0.0
    source = _words(" ".join(s.text for s in segments))
    matcher = difflib.SequenceMatcher(None, q, source, autojunk=False)
    matched = sum(b.size for b in matcher.get_matching_blocks() if b.size >= 3 or b.size == len(q))
    return matched / len(q)


def is_verbatim(quote: str, segments: list[Segment], threshold: float = 0.8) -> bool:
    return quote_coverage(quote, segments) >= threshold
