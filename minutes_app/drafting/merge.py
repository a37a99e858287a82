"""Combine the model's item draft with the rule-based findings into a checked MinutesItem."""

from __future__ import annotations

import re

from ..base.types import Evidence, MinutesItem, Segment, Vote
from .itemjson import ItemDraft
from .verify import COUNT_LABELS, is_verbatim, quote_coverage, verify_vote
from .votes import VoteEvent, find_votes

MIN_RESOLUTION_WORDS = 4
_SENT = re.compile(r"(?:[^.!?]|\.(?=\d))*(?:[.!?]+|$)")
_VOTE_WORDS = re.compile(
    r"einstimmig|mehrheit|angenommen|abgelehnt|zugestimmt|zustimmung|beschlossen|dafür|dagegen|abstimm|"
    r"enthaltung|votum|karten",
    re.IGNORECASE,
)


def _ev_for(ids: list[int], segments: list[Segment]) -> list[Evidence]:
    chosen = [s for s in segments if s.id in set(ids)]
    if not chosen:
        return []
    return [Evidence(chosen[0].start, chosen[-1].end, sorted({s.id for s in chosen}))]


def vote_talk(segments: list[Segment]) -> bool:
    return any(_VOTE_WORDS.search(s.text) for s in segments)


def _vote_talk_segments(segments: list[Segment]) -> list[int]:
    return [s.id for s in segments if _VOTE_WORDS.search(s.text)]


def merge_vote(
    llm: Vote | None,
    llm_segments: list[int],
    rule: Vote,
    rule_ev: list[Evidence],
    events: list[VoteEvent],
    segments: list[Segment],
) -> tuple[Vote, list[Evidence], list[str]]:
    """Rule-based values win; model values are kept only where the transcript backs them."""
    flags: list[str] = []
    # The model's evidence counts only where the segment talks about a vote: a
    # number elsewhere ("die drei Sitzung") is no vote count.
    vote_talk = {s.id for s in segments if _VOTE_WORDS.search(s.text)}
    llm_ev = _ev_for([i for i in llm_segments if i in vote_talk], segments)
    if llm is not None and not llm_ev:
        llm_ev = rule_ev or _ev_for(_vote_talk_segments(segments), segments)
    merged = Vote(rule.outcome, rule.yes, rule.no, rule.abstain, roll_call=rule.roll_call)
    evidence = list(rule_ev)
    if llm is not None and not llm.is_empty():
        llm_checked, llm_flags = verify_vote(llm, llm_ev, segments)
        # Hints about the model's own vote that the final vote does not share are no hints:
        # "einstimmig, aber Nein-Stimmen" is checked again on the merged result below.
        flags += [f for f in llm_flags if "widersprüchlich" not in f]
        for key, label in COUNT_LABELS.items():
            mine, theirs = getattr(merged, key), getattr(llm_checked, key)
            taken = {getattr(rule, k): COUNT_LABELS[k] for k in COUNT_LABELS if k != key}
            if mine is None and theirs is not None and theirs in taken:
                # The number was said, but as another count ("27 Ja-Stimmen" is no Nein-Stimmen count).
                flags.append(f"{label} ({theirs}) sind laut Transkript {taken[theirs]} – entfernt")
            elif mine is None and theirs is not None:
                setattr(merged, key, theirs)
            elif mine is not None and theirs is not None and mine != theirs:
                flags.append(
                    f"{label}: Sprachmodell nannte {theirs}, im Transkript steht {mine} – {mine} übernommen"
                )
        if merged.outcome is None and llm_checked.outcome:
            if llm_ev and any(_VOTE_WORDS.search(s.text) for s in segments if s.id in llm_ev[0].segment_ids):
                merged.outcome = llm_checked.outcome
            else:
                flags.append(
                    f"Abstimmungsergebnis „{llm_checked.outcome}“ nicht im Transkript belegt – entfernt"
                )
        if not merged.is_empty() and not rule_ev:
            evidence = llm_ev
    final, final_flags = verify_vote(merged, evidence, segments)
    flags += [f for f in final_flags if f not in flags]
    if len(events) > 1:
        earlier = "; ".join(f"„{' '.join(e.phrases)}“ ({e.evidence.start:.0f} s)" for e in events[:-1])
        flags.append(
            f"Mehrere Abstimmungen erkannt; übernommen ist die letzte. Weitere: {earlier} – bitte prüfen"
        )
    return final, evidence, flags


def strip_vote_sentences(text: str) -> str:
    """Drop sentences that announce a vote result; they belong in ``vote``, not the resolution."""
    kept = [
        m.group().strip()
        for m in _SENT.finditer(text)
        if m.group().strip() and not find_votes([Segment(0, 0.0, 0.0, m.group())])
    ]
    return " ".join(kept)


# A resolution says what the body decides; a debate contribution does not.
_RESOLUTION_WORDS = re.compile(
    r"beschlie(?:ß|ss)t|beschlossen|beauftragt|genehmigt|stimmt\s+(?:\w+\s+){0,6}zu\b|empfiehlt|"
    r"nimmt\s+(?:\w+\s+){0,6}zur\s+kenntnis|lehnt\s+(?:\w+\s+){0,6}ab\b",
    re.IGNORECASE,
)
MAX_RESOLUTION_WORDS = 150


def looks_like_resolution(text: str) -> bool:
    return len(text.split()) <= MAX_RESOLUTION_WORDS and bool(_RESOLUTION_WORDS.search(text))


def merge_resolution(
    llm: str | None, rule: str, rule_ev: list[Evidence], segments: list[Segment], voted: bool
) -> tuple[str, list[Evidence], list[str]]:
    flags: list[str] = []
    if llm:
        llm = strip_vote_sentences(llm)
    if llm and len(llm.split()) < MIN_RESOLUTION_WORDS:
        llm = None  # "HALLO", "Zustimmung": not a resolution text
    if llm and is_verbatim(llm, segments) and looks_like_resolution(llm):
        return llm, rule_ev, flags
    if llm and is_verbatim(llm, segments):
        llm = None  # debate copied into the resolution field: not a resolution
    if llm and rule:
        return rule, rule_ev, flags
    if llm:
        short = llm if len(llm) <= 160 else llm[:159] + "…"
        flags.append(
            f"Beschlusstext nicht wörtlich im Transkript – bitte aus der Vorlage übernehmen "
            f"(Vorschlag des Sprachmodells: „{short}“)"
        )
        return "", [], flags
    if rule:
        return rule, rule_ev, flags
    if voted:
        flags.append("Beschlusstext nicht vorgelesen – bitte aus der Beschlussvorlage übernehmen")
    return "", [], flags


def looks_echoed(text: str, segments: list[Segment], min_words: int = 12) -> bool:
    """The model copied the transcript ("Name: words as spoken") instead of summarising it."""
    body = re.sub(r"(?m)^\s*[^:\n]{1,80}:\s+", "", text)
    return len(body.split()) >= min_words and quote_coverage(body, segments) > 0.8


def has_loops(text: str, n: int = 8, times: int = 3) -> bool:
    """The model repeated itself: some run of ``n`` words occurs ``times`` times or more."""
    words = re.findall(r"\w+", text.lower())
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= times:
            return True
    return False


def combine_parts(parts: list[ItemDraft]) -> ItemDraft:
    """Reduce step for everything but the discussion: union of motions, last resolution/vote."""
    out = ItemDraft()
    motions: list[str] = []
    for p in parts:
        for m in p.motions or []:
            if m not in motions:
                motions.append(m)
        if p.resolution:
            out.resolution = p.resolution
        if p.vote is not None and not p.vote.is_empty():
            out.vote, out.vote_segments = p.vote, p.vote_segments
    out.motions = motions if any(p.motions is not None for p in parts) else None
    if out.resolution is None and any(p.resolution is not None for p in parts):
        out.resolution = ""
    texts = [p.discussion for p in parts if p.discussion]
    out.discussion = "\n\n".join(texts) if texts else None
    out.error = "; ".join(p.error for p in parts if p.error)
    return out


def new_item(number: str, title: str, start: float | None, end: float | None) -> MinutesItem:
    return MinutesItem(number=number, title=title, start=start, end=end)
