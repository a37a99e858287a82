"""Rule-based recogniser for vote results in the chair's words.

Finds outcomes ("einstimmig", "mehrheitlich abgelehnt", "Das ist eine deutliche
Mehrheit", "Damit ist der Antrag abgelehnt") and counts ("bei 2 Enthaltungen",
"20 Ja-Stimmen, 11 Nein-Stimmen", "zwei Enthaltungen", "Ja: 20", "ohne
Gegenstimmen") and groups them into vote events, each with evidence. Numbers
are only ever taken from the text; nothing is inferred except an outcome from
stated counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.types import Evidence, Segment, Vote
from .numbers import _COMPOUND_UNITS, _TENS, _UNITS, parse_number_word

_WORDS = sorted(
    {*_UNITS, *_TENS} | {f"{u}und{t}" for u in _COMPOUND_UNITS for t in _TENS}, key=len, reverse=True
)
N = rf"(?P<n>\d{{1,3}}|(?:{'|'.join(_WORDS)}))"

_COUNTS: list[tuple[str, re.Pattern[str]]] = [
    # "Jahrstimmen": Whisper's spelling of a synthetic voice's "Ja-Stimmen"
    (
        "yes",
        re.compile(rf"\b{N}\s+(?:ja(?:hr?)?-?\s?stimmen|ja-?stimme|stimmen\s+dafür|zustimmungen|ja\b)", re.I),
    ),
    ("yes", re.compile(rf"\b(?:ja-?stimmen|ja|dafür)\s*:\s*{N}\b", re.I)),
    ("yes", re.compile(rf"\b{N}\s+(?:sind\s+|waren\s+)?dafür\b", re.I)),
    (
        "no",
        re.compile(
            rf"\b{N}\s+(?:nein-?\s?stimmen|nein-?stimme|gegenstimmen?|stimmen\s+dagegen|nein\b)", re.I
        ),
    ),
    ("no", re.compile(rf"\b(?:nein-?stimmen|nein|gegenstimmen|dagegen)\s*:\s*{N}\b", re.I)),
    ("no", re.compile(rf"\b{N}\s+(?:sind\s+|waren\s+)?dagegen\b", re.I)),
    ("abstain", re.compile(rf"\b{N}\s+(?:stimm)?enthaltung(?:en)?\b", re.I)),
    ("abstain", re.compile(rf"\b(?:stimm)?enthaltungen\s*:\s*{N}\b", re.I)),
    ("no", re.compile(r"\b(?:ohne|keine)\s+(?P<zero>gegenstimmen?)\b", re.I)),
    ("abstain", re.compile(r"\b(?:ohne|keine)\s+(?P<zero>(?:stimm)?enthaltung(?:en)?)\b", re.I)),
    # dialogue: "Wer ist dafür? – 20. Wer ist dagegen? – 11. Enthaltungen? – Keine."
    ("yes", re.compile(rf"\bwer\s+(?:ist|stimmt)\s+dafür\s*\?\s*[-–—]?\s*(?:das\s+sind\s+)?{N}\b", re.I)),
    ("no", re.compile(rf"\bwer\s+(?:ist|stimmt)\s+dagegen\s*\?\s*[-–—]?\s*(?:das\s+sind\s+)?{N}\b", re.I)),
    ("abstain", re.compile(rf"\benthaltungen\s*\?\s*[-–—]?\s*(?:das\s+sind\s+)?{N}\b", re.I)),
    ("no", re.compile(rf"\bgegenstimmen\s*\?\s*[-–—]?\s*(?:das\s+sind\s+)?{N}\b", re.I)),
    ("abstain", re.compile(rf"\bwer\s+enthält\s+sich\s*\?\s*[-–—]?\s*(?:das\s+sind\s+)?{N}\b", re.I)),
]
# "mit 20 zu 11 Stimmen", "mit 20 gegen 11 Stimmen": yes first, no second
N2 = N.replace("(?P<n>", "(?P<n2>")
_PAIR = re.compile(rf"\b(?:mit\s+)?{N}\s+(?:zu|gegen)\s+{N2}\s+stimmen\b", re.I)

_MAJORITY = "mehrheit"  # internal: bare "Das ist die Mehrheit"
_ADJ = r"(?:(?:sehr\s+)?(?:deutlich|klar|groß|breit|knapp|überwiegend|überwältigend|absolut)(?:e[rn]?)?\s+)?"
_OUTCOMES: list[tuple[str, re.Pattern[str]]] = [
    ("einstimmig abgelehnt", re.compile(r"\beinstimmig\b[^.!?]{0,40}\babgelehnt\b", re.I)),
    ("einstimmig zugestimmt", re.compile(r"\beinstimmig(?:e[nrs]?)?\b", re.I)),
    ("abgelehnt", re.compile(r"\b(?:keine|nicht\s+die)\s+mehrheit\b", re.I)),
    (
        "mehrheitlich abgelehnt",
        re.compile(
            r"\bmehrheitlich(?:e[nrs]?)?\b[^.!?]{0,40}\b(?:ablehn|abgelehnt)"
            r"|\bmehrheit\b[^.!?]{0,40}\babgelehnt\b",
            re.I,
        ),
    ),
    ("mehrheitlich zugestimmt", re.compile(r"\bmehrheitlich(?:e[nrs]?)?\b", re.I)),
    (
        "mehrheitlich zugestimmt",
        re.compile(
            rf"\bmit\s+(?:der\s+)?{_ADJ}mehrheit\s+(?:\w+\s+)?(?:angenommen|beschlossen|zugestimmt)", re.I
        ),
    ),
    # bare "Das ist die Mehrheit": for, unless the next words say "abgelehnt" (see find_votes)
    (_MAJORITY, re.compile(rf"\b(?:das|dies)\s+ist\s+(?:eine\s+|die\s+)?{_ADJ}mehrheit\b", re.I)),
    (
        "abgelehnt",
        re.compile(
            r"\b(?:damit|somit)\s+(?:ist|sind|wurde|wird)\b[^.!?]{0,60}?\babgelehnt\b"
            r"|\b(?:ist|sind)\s+(?:damit\s+|somit\s+)?abgelehnt\b"
            r"|\b(?:damit|somit)\s+abgelehnt\b"
            r"|\b(?:bei|mit)\s+[^.!?]{0,80}?(?:stimmen?|enthaltung(?:en)?)\s+(?:\w+\s+)?abgelehnt\b",
            re.I,
        ),
    ),
    (
        "angenommen",
        re.compile(
            r"\b(?:damit|somit)\s+(?:ist|sind|wurde|wird)\b[^.!?]{0,60}?"
            r"\b(?:angenommen|beschlossen|zugestimmt)\b"
            r"|\b(?:ist|sind)\s+(?:damit\s+|somit\s+)?(?:so\s+)?(?:angenommen|beschlossen)\b"
            r"|\b(?:ist|wurde|wird)\s+(?:der|die|das)\s+(?:\w+\s+){1,2}?(?:angenommen|beschlossen)\b"
            r"|\bso\s+beschlossen\b|\b(?:damit|somit)\s+(?:angenommen|beschlossen)\b"
            r"|\b(?:bei|mit)\s+[^.!?]{0,80}?(?:stimmen?|enthaltung(?:en)?)\s+(?:\w+\s+)?(?:angenommen|beschlossen)\b",
            re.I,
        ),
    ),
]
# "namentliche Abstimmung" requested or held (not negated, not asked)
ROLL_CALL = re.compile(
    r"\bnamentlich(?:e[nmrs]?)?\s+(?:\w+\s+){0,2}?(?:abstimmung|abstimmen|abgestimmt|abzustimmen|ab\b)"
    r"|\b(?:stimmen|stimmt|lasse|lassen|wird|werden)\s+(?:\w+\s+){0,3}?namentlich\b",
    re.I,
)
_NOT_ROLL_CALL = re.compile(r"\b(?:keine|nicht|ohne)\s+(?:\w+\s+)?namentlich", re.I)


def is_roll_call(sentence: str) -> bool:
    """True for a sentence that asks for or holds a namentliche Abstimmung (no question, no negation)."""
    s = sentence.strip()
    return bool(ROLL_CALL.search(s)) and not s.endswith("?") and not _NOT_ROLL_CALL.search(s)


_SENT = re.compile(r"(?:[^.!?]|\.(?=\d))*(?:[.!?]+|$)")


@dataclass
class _Finding:
    pos: tuple[int, int, int]  # (segment index, sentence index, char)
    kind: str  # "outcome" | "yes" | "no" | "abstain"
    value: str | int


@dataclass
class VoteEvent:
    vote: Vote
    evidence: Evidence
    phrases: list[str] = field(default_factory=list)  # the sentences that carried it


def _sentence_index(text: str, char: int) -> int:
    for i, m in enumerate(_SENT.finditer(text)):
        if m.start() <= char < max(m.end(), m.start() + 1):
            return i
    return 0


def _pairs(text: str, si: int, taken: list[tuple[int, int]]) -> list[_Finding]:
    """``mit 20 zu 11 Stimmen``: yes first, no second; with "abgelehnt" the larger count is no."""
    found: list[_Finding] = []
    for m in _PAIR.finditer(text):
        first, second = parse_number_word(m.group("n")), parse_number_word(m.group("n2"))
        if first is None or second is None:
            continue
        sent = next((x.group() for x in _SENT.finditer(text) if x.start() <= m.start() < x.end()), text)
        if "abgelehnt" in sent.lower() and first > second:
            first, second = second, first
        taken.append((m.start(), m.end()))
        pos = (si, _sentence_index(text, m.start()), m.start())
        found += [_Finding(pos, "yes", first), _Finding((*pos[:2], pos[2] + 1), "no", second)]
    return found


def _findings(segments: list[Segment]) -> list[_Finding]:
    found: list[_Finding] = []
    for si, seg in enumerate(segments):
        text = seg.text
        taken: list[tuple[int, int]] = []
        found += _pairs(text, si, taken)
        for kind, pat in _COUNTS:
            for m in pat.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                if m.groupdict().get("zero"):
                    value: int | None = 0
                else:
                    value = parse_number_word(m.group("n"))
                if value is None:
                    continue
                taken.append((m.start(), m.end()))
                found.append(_Finding((si, _sentence_index(text, m.start()), m.start()), kind, value))
        for sm_i, sm in enumerate(_SENT.finditer(text)):
            sentence = sm.group()
            for outcome, pat in _OUTCOMES:
                om = pat.search(sentence)
                if om:
                    found.append(_Finding((si, sm_i, sm.start() + om.start()), "outcome", outcome))
                    break
            if is_roll_call(sentence):
                found.append(_Finding((si, sm_i, sm.start()), "roll_call", 1))
    found.sort(key=lambda f: f.pos)
    return found


def _same_result(f: _Finding, last: tuple[int, int, int], outcome: str) -> bool:
    """A second outcome phrase right after the first, with the same polarity.

    A bare "Das ist die Mehrheit" followed by "damit abgelehnt" is one vote, too.
    """
    near = f.pos[0] == last[0] and 0 <= f.pos[1] - last[1] <= 2
    near_next = f.pos[0] - last[0] == 1 and f.pos[1] == 0
    if outcome == _MAJORITY and (near or near_next):
        return True
    return near and ("abgelehnt" in str(f.value)) == ("abgelehnt" in outcome)


def _merged_outcome(old: str, new: str) -> str:
    if old == _MAJORITY:
        if "abgelehnt" in new:
            return "mehrheitlich abgelehnt"
        return "mehrheitlich zugestimmt" if new in ("angenommen", _MAJORITY) else new
    if old.split()[0] in ("einstimmig", "mehrheitlich"):
        return old
    return new


def _derive_outcome(vote: Vote) -> str | None:
    if vote.yes is None or vote.no is None:
        return None
    if vote.yes > vote.no:
        return "mehrheitlich zugestimmt" if vote.no > 0 else "zugestimmt"
    return "abgelehnt"


def find_votes(segments: list[Segment]) -> list[VoteEvent]:
    """All vote events in ``segments``, in spoken order.

    A "namentliche Abstimmung" heard before a vote (since the previous one) marks
    that vote ``roll_call``.
    """
    events: list[tuple[dict[str, str | int], list[_Finding]]] = []
    closed_at: tuple[int, int] | None = None
    roll_call_pending = False
    for f in _findings(segments):
        if f.kind == "roll_call":
            roll_call_pending = True
            continue
        sentence = f.pos[:2]
        if events:
            fields, members = events[-1]
            last = members[-1].pos
            if f.kind == "outcome" and "outcome" in fields and _same_result(f, last, str(fields["outcome"])):
                # "Das ist eine Mehrheit. Das Programm ist beschlossen." is one vote
                fields["outcome"] = _merged_outcome(str(fields["outcome"]), str(f.value))
                members.append(f)
                closed_at = sentence
                continue
            far = f.pos[0] - last[0] > 1 or (segments[f.pos[0]].start - segments[last[0]].end) > 60
            after_close = closed_at is not None and sentence != closed_at
            if not (far or after_close or f.kind in fields):
                fields[f.kind] = f.value
                members.append(f)
                if f.kind == "outcome":
                    closed_at = sentence
                continue
        events.append(({f.kind: f.value}, [f]))
        if roll_call_pending:
            events[-1][0]["roll_call"] = 1
            roll_call_pending = False
        closed_at = sentence if f.kind == "outcome" else None
    result: list[VoteEvent] = []
    for fields, members in events:
        outcome = str(fields["outcome"]) if "outcome" in fields else None
        vote = Vote(
            outcome="mehrheitlich zugestimmt" if outcome == _MAJORITY else outcome,
            yes=int(fields["yes"]) if "yes" in fields else None,
            no=int(fields["no"]) if "no" in fields else None,
            abstain=int(fields["abstain"]) if "abstain" in fields else None,
            roll_call="roll_call" in fields,
        )
        if vote.outcome is None:
            vote.outcome = _derive_outcome(vote)
        elif vote.outcome == "angenommen" and vote.no:
            vote.outcome = "mehrheitlich zugestimmt"
        seg_idx = sorted({m.pos[0] for m in members})
        segs = [segments[i] for i in seg_idx]
        phrases = []
        for m in members:
            sents = [s.group().strip() for s in _SENT.finditer(segments[m.pos[0]].text)]
            phrase = sents[m.pos[1]] if m.pos[1] < len(sents) else segments[m.pos[0]].text
            if phrase not in phrases:
                phrases.append(phrase)
        evidence = Evidence(start=segs[0].start, end=segs[-1].end, segment_ids=[s.id for s in segs])
        result.append(VoteEvent(vote, evidence, phrases))
    return result


def item_vote(segments: list[Segment]) -> tuple[Vote, list[Evidence], list[VoteEvent]]:
    """The item's (last) vote, its evidence, and every vote event found.

    A namentliche Abstimmung heard without any result still sets ``roll_call``.
    """
    events = find_votes(segments)
    if not events:
        heard = any(is_roll_call(m.group()) for seg in segments for m in _SENT.finditer(seg.text))
        return Vote(roll_call=heard), [], []
    return events[-1].vote, [events[-1].evidence], events
