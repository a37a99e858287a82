"""Validate the model's JSON for one item field by field (never trusts types)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..base.types import Vote
from .jsonrepair import LLMOutputError, parse_llm_json
from .numbers import parse_number_word

_ALIASES = {
    "discussion": ("discussion", "diskussion", "beratung", "verlauf", "summary"),
    "motions": ("motions", "anträge", "antraege", "antrage", "antrag", "motion"),
    "resolution": ("resolution", "beschluss", "beschlusstext", "beschlussvorschlag"),
    "vote": ("vote", "abstimmung", "abstimmungsergebnis", "ergebnis", "votes"),
}
_VOTE_ALIASES = {
    "outcome": ("outcome", "ergebnis", "result"),
    "yes": ("yes", "ja", "ja-stimmen", "dafür", "for"),
    "no": ("no", "nein", "nein-stimmen", "dagegen", "against", "gegenstimmen"),
    "abstain": ("abstain", "enthaltungen", "enthaltung", "abstentions", "abstention"),
    "segments": ("segments", "segmente", "belege", "evidence", "segment_ids"),
}
MAX_COUNT = 2000  # no council has more members
# A reply for one item is a few kB (max_new_tokens); far more is a runaway or a foreign server's
# answer and is not used at all (the item falls back to the rules and is flagged).
MAX_REPLY_CHARS = 40_000


@dataclass
class ItemDraft:
    """What the model said about one item; ``None`` marks a missing or unusable field."""

    discussion: str | None = None
    motions: list[str] | None = None
    resolution: str | None = None
    vote: Vote | None = None
    vote_segments: list[int] = field(default_factory=list)
    error: str = ""  # set when no JSON object could be recovered at all
    discussion_flags: list[str] = field(default_factory=list)  # hints on the Beratung (beratung.py)


def _pick(d: dict[str, Any], names: tuple[str, ...]) -> tuple[bool, Any]:
    lowered = {str(k).strip().lower(): v for k, v in d.items()}
    for n in names:
        if n in lowered:
            return True, lowered[n]
    return False, None


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(v.strip() for v in value if v.strip())
    return None


def to_count(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 0 <= value <= MAX_COUNT else None
    if isinstance(value, str):
        s = value.strip().lower()
        m = re.fullmatch(r"(\d{1,4})(?:\s*stimmen)?", s)
        n = int(m.group(1)) if m else parse_number_word(s)
        return n if n is not None and 0 <= n <= MAX_COUNT else None
    return None


def normalise_outcome(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    s = value.strip().lower()
    negative = any(
        w in s for w in ("abgelehnt", "ablehnung", "rejected", "nicht angenommen", "keine mehrheit")
    )
    positive = any(
        w in s
        for w in (
            "zugestimmt",
            "angenommen",
            "beschlossen",
            "zustimmung",
            "accepted",
            "approved",
            "einstimmig",
            "mehrheit",
        )
    )
    if not (negative or positive):
        return None
    prefix = (
        "einstimmig "
        if ("einstimmig" in s or "unanim" in s)
        else "mehrheitlich "
        if (("mehrheit" in s and "keine mehrheit" not in s) or "majority" in s)
        else ""
    )
    return prefix + ("abgelehnt" if negative else "zugestimmt")


def _vote(value: Any) -> tuple[Vote | None, list[int]]:
    if isinstance(value, str):
        outcome = normalise_outcome(value)
        return (Vote(outcome=outcome) if outcome else None), []
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        value = value[-1]
    if not isinstance(value, dict):
        return None, []
    _, outcome = _pick(value, _VOTE_ALIASES["outcome"])
    counts = {k: to_count(_pick(value, _VOTE_ALIASES[k])[1]) for k in ("yes", "no", "abstain")}
    _, segs = _pick(value, _VOTE_ALIASES["segments"])
    seg_ids = [n for n in (to_count(s) for s in segs) if n is not None] if isinstance(segs, list) else []
    vote = Vote(normalise_outcome(outcome), counts["yes"], counts["no"], counts["abstain"])
    return vote, seg_ids


def parse_item_draft(text: str) -> ItemDraft:
    """Parse and repair the model's reply; every field is validated on its own."""
    if isinstance(text, str) and len(text) > MAX_REPLY_CHARS:
        return ItemDraft(error=f"Antwort mit {len(text)} Zeichen zu lang (höchstens {MAX_REPLY_CHARS})")
    try:
        obj, _ = parse_llm_json(text)
    except LLMOutputError as exc:
        return ItemDraft(error=str(exc))
    draft = ItemDraft()
    found, value = _pick(obj, _ALIASES["discussion"])
    draft.discussion = _text(value) if found else None
    found, value = _pick(obj, _ALIASES["motions"])
    if found:
        if isinstance(value, str):
            draft.motions = [value.strip()] if value.strip() else []
        elif isinstance(value, list):
            motions = []
            for m in value:
                t = (
                    _text(m)
                    if not isinstance(m, dict)
                    else " – ".join(
                        str(v).strip() for v in m.values() if isinstance(v, str | int) and str(v).strip()
                    )
                )
                if t:
                    motions.append(t)
            draft.motions = motions
    found, value = _pick(obj, _ALIASES["resolution"])
    if found:
        draft.resolution = "" if value is None else _text(value)
    found, value = _pick(obj, _ALIASES["vote"])
    if found:
        draft.vote, draft.vote_segments = _vote(value)
    return draft
