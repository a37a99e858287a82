"""Split a transcript into agenda items by the chair's spoken cues.

"Ich rufe Tagesordnungspunkt 5 auf", "Wir kommen zu TOP 5", "Punkt 5 der
Tagesordnung", "Tagesordnungspunkt fünf", "TOP5", "nächster Tagesordnungspunkt".
A mere mention ("wie unter TOP 3 beschlossen") is not a cue: the reference must
stand in a sentence with a calling verb, or open the sentence. A cue in the
middle of a segment splits that segment (same id, times from its words or
interpolated), so a vote before the cue stays with the previous item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..base.types import AgendaItem, Segment
from .numbers import _COMPOUND_UNITS, _TENS, _UNITS, AMBIGUOUS

OPENING_TITLE = "Eröffnung/Regularien"

_WORDNUM = "|".join(
    sorted(
        {w for w in (*_UNITS, *_TENS) if w not in AMBIGUOUS}
        | {f"{u}und{t}" for u in _COMPOUND_UNITS for t in _TENS},
        key=len,
        reverse=True,
    )
)
_NUMPAT = rf"\d{{1,3}}(?:\.\d{{1,3}})*[a-z]?\b|(?:{_WORDNUM})\b"
_NR = r"(?:nummer\s+|nr\.?\s*)?"
_REF = re.compile(
    rf"(?:\btagesordnungs-?punkt(?:es|e|s)?|\bto-punkt|\btop)\s*{_NR}(?P<num>{_NUMPAT})"
    rf"|\bpunkt\s+{_NR}(?P<num2>{_NUMPAT})(?P<todo>\s+(?:der|unserer|auf\s+der)\s+tagesordnung)?",
    re.IGNORECASE,
)
# "Wir kommen zu Punkt 3": a calling verb right before a bare "Punkt N".
_CALL_PUNKT = re.compile(r"\b(?:komme|kommen|gehe|gehen)\s+(?:\w+\s+){0,2}?zu(?:m)?\s+punkt\b", re.IGNORECASE)
# "Ich rufe <garbled word> zwei auf": the ASR often mangles "Tagesordnungspunkt",
# but the calling frame "rufe ... N auf" survives.
_RUFE_N_AUF = re.compile(rf"\brufe\b[^.!?]{{0,40}}?\b(?P<num>{_NUMPAT})\s*auf\b", re.IGNORECASE)
_OWN_POINT = re.compile(
    r"\s+(?:meine[rs]?|seine[rs]?|ihre[rs]?|unsere[rs]?|dieser|dieses|des\b|der\s+(?!tagesordnung))",
    re.IGNORECASE,
)
_NEXT = re.compile(r"\bnächste[nrm]?\s+(?:tagesordnungs-?punkt|top|punkt)\b", re.IGNORECASE)
_CALL = re.compile(
    r"\brufe\b|\brufen\b|\baufrufen\b|\baufgerufen\b|\baufruf\b"
    r"|\b(?:komme|kommen|kommt|gehe|gehen|geht)\b(?:\s+\w+){0,4}?\s+(?:zu|zum|zur|über\s+zu)\b"
    r"|\b(?:weiter|fortfahren|fort|beginnen|starten)\s+(?:mit|bei)\b|\bbehandeln\b|\bwir\s+sind\s+(?:jetzt\s+|nun\s+)?bei\b"
    r"|\bauf\s+der\s+tagesordnung\s+steht\b",
    re.IGNORECASE,
)
_OPENING = re.compile(r"eröffnung|begrüßung|regularien|formalien|feststellung|sitzungsbeginn", re.IGNORECASE)
_SENTENCE = re.compile(r"(?:[^.!?]|\.(?=\d))*(?:[.!?]+|$)")


Locator = Callable[["ItemSpan", "ItemSpan"], "int | None"]


@dataclass
class Cue:
    index: int  # segment index
    char: int  # offset of the sentence holding the cue
    number: str | None  # spoken number, digits ("5", "3.1"); None for "nächster Punkt"
    rest: str  # words after the reference (title candidate)
    source: str = "aufruf"  # "aufruf" (spoken), "marke" (recording marker), "manuell" (set by hand)


@dataclass
class ItemSpan:
    number: str
    title: str
    segments: list[Segment] = field(default_factory=list)
    matched_by: str = ""  # "nummer", "titel", "folge", "eröffnung", "" (not heard)
    in_agenda: bool = True

    @property
    def start(self) -> float | None:
        return self.segments[0].start if self.segments else None

    @property
    def end(self) -> float | None:
        return self.segments[-1].end if self.segments else None


def _digits(num: str) -> str:
    from .numbers import parse_number_word

    if num[0].isdigit():
        return num.lower().rstrip(".")
    value = parse_number_word(num)
    return str(value) if value is not None else num


def _sentences(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def _rest_after(sentence: str, pos: int) -> str:
    rest = sentence[pos:]
    rest = re.sub(r"^\s*(?:der\s+tagesordnung|auf)\b", "", rest, flags=re.IGNORECASE)
    rest = re.sub(r"^\s*(?:auf\b)?\s*[:,\-–—]?\s*", "", rest, flags=re.IGNORECASE)
    rest = re.sub(r"^(?:betreffend|betrifft|zum\s+thema|mit\s+dem\s+titel)\s+", "", rest, flags=re.IGNORECASE)
    rest = re.sub(r"\s+auf\s*[.!?]?$", "", rest.strip())
    return rest.strip(" .!?:;,-–")


def find_cues(segments: list[Segment]) -> list[Cue]:
    cues: list[Cue] = []
    for idx, seg in enumerate(segments):
        for raw_off, raw_sentence in _sentences(seg.text):
            sentence = raw_sentence.lstrip()
            off = raw_off + len(raw_sentence) - len(sentence)
            ref = _REF.search(sentence)
            nxt = _NEXT.search(sentence)
            called = bool(_CALL.search(sentence))
            if ref:
                opens = not sentence[: ref.start()].strip(' -–:„"')
                if ref.group(0).lower().startswith("punkt"):
                    # bare "Punkt 2" is common in speeches; needs "der Tagesordnung" or "rufe auf"
                    own_point = _OWN_POINT.match(sentence[ref.end() :])  # "Punkt 2 meiner Rede"
                    called = not own_point and bool(
                        re.search(r"\brufe|\baufruf", sentence, re.IGNORECASE) or _CALL_PUNKT.search(sentence)
                    )
                    opens = False
                if not (called or opens or ref.group("todo")):
                    continue
                number = ref.group("num") or ref.group("num2")
                cues.append(Cue(idx, off, _digits(number), _rest_after(sentence, ref.end())))
            elif frame := _RUFE_N_AUF.search(sentence):
                cues.append(Cue(idx, off, _digits(frame.group("num")), _rest_after(sentence, frame.end())))
            elif nxt and called:
                cues.append(Cue(idx, off, None, _rest_after(sentence, nxt.end())))
            elif called and re.search(r"\brufe\b.*\bauf\s*:", sentence, re.IGNORECASE):
                rest = sentence.split(":", 1)[1]
                cues.append(Cue(idx, off, None, rest.strip(" .!?")))
    return cues


def number_key(number: str) -> str:
    """``"Ö 5"`` / ``"TOP 5."`` / ``"5"`` -> ``"5"`` for matching spoken numbers."""
    n = re.sub(r"^(?:top|tagesordnungspunkt|nö|ö|n)\s*", "", number.strip().lower())
    return n.rstrip(".")


def _content_words(text: str) -> set[str]:
    return {w[:7] for w in re.findall(r"[^\W\d_]{4,}", text.lower())} - {
        "über",
        "sowie",
        "einer",
        "eines",
        "dieser",
        "diese",
        "wegen",
        "betreffend",
        "antrag",
        "vorlage",
    }


def title_score(spoken: str, title: str) -> float:
    want = _content_words(title)
    if not want:
        return 0.0
    return len(want & _content_words(spoken)) / len(want)


def split_segment(seg: Segment, char: int) -> tuple[Segment, Segment]:
    """Split ``seg`` at character ``char``; times from words if present, else interpolated."""
    head_text, tail_text = seg.text[:char].strip(), seg.text[char:].strip()
    cut = seg.start + (seg.end - seg.start) * (char / max(1, len(seg.text)))
    head_words, tail_words = seg.words, []
    if seg.words:
        n_head = len(head_text.split())
        head_words, tail_words = seg.words[:n_head], seg.words[n_head:]
        if tail_words:
            cut = tail_words[0].start
    head = replace(seg, text=head_text, end=cut, words=list(head_words))
    tail = replace(seg, text=tail_text, start=cut, words=list(tail_words))
    return head, tail


def _pieces(segments: list[Segment], cues: list[Cue]) -> list[tuple[Cue | None, list[Segment]]]:
    """Cut the segment list at every cue -> [(cue or None for the opening, segments)]."""
    out: list[tuple[Cue | None, list[Segment]]] = [(None, [])]
    by_index: dict[int, list[Cue]] = {}
    for cue in cues:
        by_index.setdefault(cue.index, []).append(cue)
    for idx, seg in enumerate(segments):
        rest = seg
        consumed = 0
        for cue in by_index.get(idx, []):
            local = cue.char - consumed
            if local > 0 and len(rest.text[:local].split()) >= 2:
                head, rest = split_segment(rest, local)
                consumed = cue.char
                out[-1][1].append(head)
            out.append((cue, []))
        out[-1][1].append(rest)
    return out


def _title_from_rest(cue: Cue) -> str:
    words = cue.rest.split()
    title = " ".join(words[:15])
    if cue.number and not title:
        title = f"Tagesordnungspunkt {cue.number}"
    return title


def segment_items(
    segments: list[Segment],
    agenda: list[AgendaItem] | None = None,
    markers: list[tuple[float, str]] | None = None,
    starts: dict[str, float] | None = None,
    locate: Locator | None = None,
) -> list[ItemSpan]:
    """Group ``segments`` into agenda items (plus "Eröffnung/Regularien" for text before the first cue).

    Boundaries come from, in this order of trust: ``starts`` (item number ->
    start second, set by hand), recording ``markers`` ((second, label); F9 =
    "next item"), then spoken cues; a spoken cue near a marker gives the exact
    time and the number. Agenda items still not found are looked for by title
    and then with ``locate`` (the LLM). See ``boundaries.py``.
    """
    from .boundaries import combine_cues, fill_missing

    cues = combine_cues(find_cues(segments), segments, markers or [], starts or {})
    pieces = _pieces(segments, cues)
    opening = ItemSpan("", OPENING_TITLE, pieces[0][1], "eröffnung")
    result: list[ItemSpan] = [opening] if opening.segments else []

    if not agenda:
        by_number: dict[str, ItemSpan] = {}
        last_num: int | None = None
        for cue, segs in pieces[1:]:
            assert cue is not None
            number = cue.number
            if number is None and last_num is not None:
                number = str(last_num + 1)
            number = number or str(len(by_number) + 1)
            if number.isdigit():
                last_num = int(number)
            if number in by_number:
                by_number[number].segments.extend(segs)
                continue
            how = "nummer" if cue.number else "folge"
            span = ItemSpan(
                number,
                _title_from_rest(cue) or f"Tagesordnungspunkt {number}",
                list(segs),
                how if cue.source == "aufruf" else cue.source,
                in_agenda=False,
            )
            by_number[number] = span
            result.append(span)
        return result

    spans = [ItemSpan(a.number, a.title) for a in agenda]
    keys: dict[str, list[int]] = {}
    for i, a in enumerate(agenda):
        keys.setdefault(number_key(a.number), []).append(i)
    extras: dict[str, ItemSpan] = {}
    # Words before the first cue belong to "TOP 1: Eröffnung …": the next boundary opens item 2.
    current: int | None = 0 if pieces[0][1] and _OPENING.search(agenda[0].title) else None
    for cue, segs in pieces[1:]:
        assert cue is not None
        target, how = _resolve(cue, agenda, keys, current, spans)
        if target is None:
            number = cue.number or "?"
            if number not in extras:
                extras[number] = ItemSpan(number, _title_from_rest(cue), [], "nummer", in_agenda=False)
            extras[number].segments.extend(segs)
            continue
        current = target
        span = spans[target]
        span.matched_by = span.matched_by or (how if cue.source == "aufruf" else cue.source)
        span.segments.extend(segs)
    for span in spans:
        span.segments.sort(key=lambda s: (s.start, s.id))
    if result and spans and not spans[0].segments and _OPENING.search(spans[0].title):
        # "TOP 1: Eröffnung …" is rarely called by number: the words before the first cue are it.
        spans[0].segments, spans[0].matched_by = opening.segments, "eröffnung"
        result = []
    fill_missing(spans, locate)
    return result + spans + list(extras.values())


def _resolve(
    cue: Cue, agenda: list[AgendaItem], keys: dict[str, list[int]], current: int | None, spans: list[ItemSpan]
) -> tuple[int | None, str]:
    if cue.number is not None:
        cands = keys.get(number_key(cue.number), [])
        if cands:
            unused = [i for i in cands if not spans[i].segments]
            return (unused or cands)[0], "nummer"
    scores = [(title_score(cue.rest, a.title), i) for i, a in enumerate(agenda)]
    best, idx = max(scores, default=(0.0, -1))
    if best >= 0.5:
        return idx, "titel"
    if cue.number is None and current is not None and current + 1 < len(agenda):
        return current + 1, "folge"
    if cue.number is None and current is None:
        first_free = next((i for i, s in enumerate(spans) if not s.segments), None)
        return first_free, "folge"
    return None, ""
