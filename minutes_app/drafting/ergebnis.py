"""Ergebnisprotokoll: one to three sentences of context beside Beschluss and Abstimmung.

Rules where they are exact, the model only where it adds something, checks after it:

1. what was decided about (rules): the item's title and Vorlage from the agenda;
2. who took which position (rules): speakers announcing approval („wir stimmen zu“,
   „tragen … mit“) or rejection („wir stimmen dagegen“, „nicht zustimmen“), with their
   labels from the roster; only who spoke when nobody said how they would vote;
3. the main points of the debate (model, one call per item with a debate): the model names
   two or three keywords („Kosten der Sanierung, Sportplätze“), the program writes
   „Schwerpunkte der Aussprache: Kosten der Sanierung und Sportplätze.“ A keyword is
   dropped unless its words occur in the item's transcript (a noun may change its ending),
   it has no verb, no first person, no name or number from elsewhere; without a keyword
   left there is no third sentence.

Vote counts never come from here (the Abstimmung field has them only where spoken).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ..base.jobs import CancelToken
from ..base.types import Segment
from .engines.base import LLMEngine
from .prompts import PromptTemplate
from .quality import invented
from .speakers import CHAIR_LABEL, MEMBER_LABEL, Contribution, content_text, contributions, is_substantive
from .transcript import sanitize

log = logging.getLogger(__name__)

LEAD = "Schwerpunkte der Aussprache:"
MAX_KEYWORDS = 3
MAX_KEYWORD_WORDS = 5
_GENERIC = {
    "stadtrat",
    "stadträtin",
    "herr",
    "frau",
    "mitglied",
    "gremiums",
    "sitzungsleitung",
    "ein",
    "die",
    "der",
}
_VAGUE = set(
    [
        "vorlage",
        "beschlussvorlage",
        "antrag",
        "anträge",
        "abstimmung",
        "sitzung",
        "tagesordnung",
        "ausschuss",
        "fraktion",
        "thema",
        "punkt",
        "aussprache",
        "beratung",
        "frage",
        "fragen",
        "zustimmung",
        "ablehnung",
        "verwaltung",
    ]
)
MIN_MENTIONS = 2  # a keyword's word must be said this often in the item (an ASR slip is said once)
MAX_DEBATE_WORDS = 450  # model input: the start of each contribution, about this much in all
MAX_WORDS_PER_CONTRIBUTION = 80
NO_DEBATE = "Eine Aussprache findet nicht statt."
# Words of the prompt and of the rule sentences that are no invention.
COMMON = (
    "Aussprache Vorlage Tagesordnungspunkt Beratung Zustimmung Ablehnung Gremium Mitglied Sitzungsleitung"
)

_NOT = r"(?:nicht|keinesfalls|auf\s+keinen\s+fall)"
_AGAINST = re.compile(
    r"\b(?:stimmen|stimme|werden|werde)\b[^.!?]{0,40}\bdagegen\b|\bdagegen\s+stimmen\b|\bablehnen\b|"
    r"\blehnen\s+(?:wir\s+|ich\s+)?(?:die|diese|den|dies|das|sie|ihn)\s*(?:vorlage|beschlussvorlage|antrag|"
    r"erhöhung|beschlussvorschlag)?\s+(?:\w+\s+){0,2}ab\b|"
    r"\b"
    + _NOT
    + r"\s+(?:\w+\s+){0,3}zu(?:zu)?stimmen\b|\b(?:stimmen|stimme)\s+(?:\w+\s+){0,4}"
    + _NOT
    + r"\s+zu\b",
    re.IGNORECASE,
)
_FOR = re.compile(
    r"\b(?:stimmen|stimme)\s+(?:\w+\s+){0,5}zu\b|\bzu(?:zu)?stimmen\b|\btragen\s+(?:\w+\s+){0,5}mit\b|"
    r"\bsagen\s+(?:wir\s+)?zu\b|\bmeine\s+zustimmung\b|\bunsere\s+zustimmung\b|\bunterstützen\s+(?:wir\s+)?"
    r"(?:die|diese|den)\s+(?:vorlage|beschlussvorlage|antrag)\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"\?\s*$")
_FINITE = re.compile(
    r"\b(?:ist|sind|war|waren|hat|haben|hatte|wird|werden|wurde|kann|können|muss|müssen|soll|sollen|will|"
    r"wollen|gibt|geht|brauchen|braucht|erfolgt|steht|stehen|finden|findet|fehlt|fehlen|bitte|bitten)\b",
    re.IGNORECASE,
)


@dataclass
class Context:
    sentences: list[str] = field(default_factory=list)
    model_sentence: bool = False  # sentence 3: keywords of the model that passed the checks
    rejected: str = ""  # the model's keywords that were dropped, and why
    model_calls: int = 0

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def stance(text: str) -> str:
    """ "dafür", "dagegen" or "" for one contribution (the last clear statement wins)."""
    found = ""
    for sent in re.split(r"(?<=[.!?])\s+", text):
        if _QUESTION.search(sent):
            continue
        if _AGAINST.search(sent):
            found = "dagegen"
        elif _FOR.search(sent):
            found = "dafür"
    return found


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " und " + labels[-1]


def subject_sentence(title: str, paper: str = "") -> str:
    title = " ".join(title.split()).rstrip(".")
    if not title:
        return ""
    if paper.strip() and paper.strip() not in title:
        return f"Beraten wird die Vorlage {paper.strip()} „{title}“."
    return f"Beraten wird „{title}“."


def _who(speakers: list[tuple[str, str]]) -> list[str]:
    """Labels of (speaker id, label) pairs; unnamed speakers as „ein Mitglied“ / „mehrere Mitglieder“."""
    unique = list(dict.fromkeys(speakers))
    named = list(dict.fromkeys(label for _, label in unique if label != MEMBER_LABEL))
    unnamed = sum(1 for _, label in unique if label == MEMBER_LABEL)
    return named + (["ein Mitglied"] if unnamed == 1 else ["mehrere Mitglieder"] if unnamed else [])


def _plural(who: list[str]) -> bool:
    return len(who) > 1 or who == ["mehrere Mitglieder"]


def position_sentence(contribs: list[Contribution]) -> str:
    """Who announced approval or rejection; else who took part in the debate."""
    members = [c for c in contribs if c.label != CHAIR_LABEL and is_substantive(c, 3)]
    if not members:
        return ""
    found: dict[str, list[tuple[str, str]]] = {"dafür": [], "dagegen": []}
    for c in members:
        position = stance(c.text)
        if position:
            found[position].append((c.speaker, c.label))
    pro, con = _who(found["dafür"]), _who(found["dagegen"])
    verb_yes = "kündigen" if _plural(pro) else "kündigt"
    verb_no = "lehnen" if _plural(con) else "lehnt"
    if pro and con:  # verb second: „In der Aussprache kündigt A Zustimmung an; B lehnt die Vorlage ab.“
        return (
            f"In der Aussprache {verb_yes} {_join(pro)} Zustimmung an; {_join(con)} {verb_no} die Vorlage ab."
        )
    if pro:
        return f"In der Aussprache {verb_yes} {_join(pro)} Zustimmung an."
    if con:
        return f"In der Aussprache {verb_no} {_join(con)} die Vorlage ab."
    who = _who([(c.speaker, c.label) for c in members])
    return f"In der Aussprache {'sprechen' if _plural(who) else 'spricht'} {_join(who)}."


def debate_text(contribs: list[Contribution]) -> str:
    """The model's input: the start of each substantive contribution (procedural sentences out)."""
    parts: list[str] = []
    total = 0
    for c in contribs:
        if not is_substantive(c):
            continue
        words = content_text(c).split()[:MAX_WORDS_PER_CONTRIBUTION]
        if total + len(words) > MAX_DEBATE_WORDS:
            words = words[: max(0, MAX_DEBATE_WORDS - total)]
        if words:
            parts.append(" ".join(words))
            total += len(words)
        if total >= MAX_DEBATE_WORDS:
            break
    return " … ".join(parts)


def keywords(reply: str) -> list[str]:
    """The model's keywords, cleaned: „Kosten der Sanierung, Sportplätze“ -> two entries."""
    text = reply.strip().strip("`").splitlines()[0] if reply.strip() else ""
    text = re.sub(r"^(?:stichworte|antwort)\s*:\s*", "", text.strip(), flags=re.IGNORECASE)
    out: list[str] = []
    for part in re.split(r"[,;]|\bund\b", text):
        word = part.strip().strip("„“\"'.-–* ")
        if word and word.lower() not in (w.lower() for w in out):
            out.append(word)
    return out


def _count(word: str, spoken: list[str]) -> int:
    """How often ``word`` or a form of it with another ending (up to 3 letters) was said."""
    w = word.lower()
    stem = w[: max(4, len(w) - 3)]
    return sum(1 for s in spoken if s == w or (s.startswith(stem) and abs(len(s) - len(w)) <= 3))


def _within(a: str, b: str) -> bool:
    """Every word of phrase ``a`` (4+ letters) is in ``b``, endings aside."""
    words_b = [w.lower() for w in re.findall(r"[\wÄÖÜäöüß]+", b)]
    return all(_count(w, words_b) for w in re.findall(r"[\wÄÖÜäöüß]+", a) if len(w) >= 4)


def check_keyword(word: str, source: str, known: list[str], title: str = "") -> str:
    """Why a keyword cannot be used ("" when it can)."""
    words = re.findall(r"[\wÄÖÜäöüß]+", word)
    if not words or len(words) > MAX_KEYWORD_WORDS or re.search(r"[{}<>\[\]:]", word):
        return "kein Stichwort"
    if re.search(r"\b(?:ich|wir|mir|uns|unser\w*|mein\w*)\b", word, re.IGNORECASE) or _FINITE.search(word):
        return "kein Stichwort"
    spoken = [w.lower() for w in re.findall(r"[\wÄÖÜäöüß]+", source)]
    content = [w for w in words if len(w) >= 4]
    if not content or not all(_count(w, spoken) for w in content):
        return "nicht im Transkript"
    if all(w.lower() in _VAGUE for w in content):
        return "zu allgemein"
    in_title = [w for w in content if _count(w, [t.lower() for t in re.findall(r"[\wÄÖÜäöüß]+", title)])]
    if len(in_title) == len(content):
        return "schon im Titel"
    if max(_count(w, spoken) for w in content) < MIN_MENTIONS:  # a main point is said more than once
        return "nur einmal genannt"
    bad = invented(word, [source, *known], COMMON.split())
    return "nicht belegt: " + ", ".join(bad[:3]) if bad else ""


def keyword_sentence(
    reply: str, source: str, known: list[str], title: str = "", people: list[str] | None = None
) -> tuple[str, list[str]]:
    """„Schwerpunkte der Aussprache: A, B und C.“ from the usable keywords, and the rejected ones.

    ``people``: the speakers' labels; a keyword naming one of them or a Fraktion is no topic.
    """
    names = {w.lower() for p in people or [] for w in re.split(r"[\W_]+", p) if len(w) >= 3} - _GENERIC
    kept: list[str] = []
    rejected: list[str] = []
    for word in keywords(reply):
        parts = {w.lower() for w in re.split(r"[\W_]+", word) if w}
        person = parts & names or any("fraktion" in w for w in parts)
        why = "Person oder Fraktion" if person else check_keyword(word, source, known, title)
        if not why and any(_within(word, k) or _within(k, word) for k in kept):
            why = "doppelt"
        if why:
            rejected.append(f"{word} ({why})")
        elif len(kept) < MAX_KEYWORDS:
            kept.append(word)
    return (f"{LEAD} {_join(kept)}." if kept else ""), rejected


def context(
    segments: list[Segment],
    labels: dict[str, str],
    title: str,
    known: list[str],
    engine: LLMEngine | None = None,
    template: PromptTemplate | None = None,
    paper: str = "",
    cancel: CancelToken | None = None,
    max_new_tokens: int = 32,
) -> Context:
    """One to three sentences: subject, positions, main point of the debate."""
    contribs = contributions(segments, labels)
    out = Context()
    first = subject_sentence(title, paper)
    if first:
        out.sentences.append(first)
    positions = position_sentence(contribs)
    out.sentences.append(positions or NO_DEBATE)
    debate = debate_text(contribs)
    if not positions or not debate or engine is None or template is None:
        return out
    messages = template.render(title=sanitize(title), debate=sanitize(debate))
    reply = engine.generate(messages, max_new_tokens, 0.0, cancel=cancel)
    out.model_calls = 1
    source = " ".join(s.text for s in segments)
    speakers = list(labels.values())
    sentence, rejected = keyword_sentence(reply, source, [title, paper, *speakers, *known], title, speakers)
    out.rejected = "; ".join(rejected)
    if rejected:
        log.info("ergebnis context %r: keywords dropped: %s", title, out.rejected)
    if sentence:
        out.sentences.append(sentence)
        out.model_sentence = True
    return out
