"""Ergebnisprotokoll: one to three sentences of context beside Beschluss and Abstimmung.

Rules where they are exact, the model only where it adds something, checks after it:

1. what was decided about (rules): the item's title and Vorlage from the agenda;
2. who took which position (rules): speakers announcing approval („wir stimmen zu“,
   „tragen … mit“) or rejection („wir stimmen dagegen“, „nicht zustimmen“), with their
   labels from the roster; only who spoke when nobody said how they would vote;
3. the main point of the debate (model, one call per item with a debate): the model
   completes „In der Aussprache geht es vor allem um …“; the sentence is dropped when it
   names a person or number that is not in the item's transcript, the roster or the agenda,
   copies the transcript, or is not one short sentence.

Vote counts never come from here (the Abstimmung field has them only where spoken).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.jobs import CancelToken
from ..base.types import Segment
from .engines.base import LLMEngine
from .prompts import PromptTemplate
from .quality import invented, verbatim_share
from .speakers import CHAIR_LABEL, MEMBER_LABEL, Contribution, content_text, contributions, is_substantive
from .transcript import sanitize

LEAD = "In der Aussprache geht es vor allem um"
MAX_DEBATE_WORDS = 450  # model input: the start of each contribution, about this much in all
MAX_WORDS_PER_CONTRIBUTION = 80
MAX_SENTENCE_WORDS = 30
MAX_VERBATIM = 0.5
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
_NOUN_PHRASE = re.compile(
    r"^(?:den|die|das|dem|der|des|eine[nmrs]?|ein|seine[nmrs]?|ihre[nmrs]?|zwei|drei|mehrere|[A-ZÄÖÜ])",
    re.UNICODE,
)
_FINITE = re.compile(
    r"\b(?:ist|sind|war|waren|hat|haben|hatte|wird|werden|wurde|kann|können|muss|müssen|soll|sollen|will|"
    r"wollen|gibt|geht|brauchen|braucht|erfolgt|steht|stehen|finden|findet|fehlt|fehlen|bitte|bitten)\b",
    re.IGNORECASE,
)


@dataclass
class Context:
    sentences: list[str] = field(default_factory=list)
    model_sentence: bool = False  # sentence 3 came from the model and passed the checks
    rejected: str = ""  # why the model's sentence was dropped
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


def position_sentence(contribs: list[Contribution]) -> str:
    """Who announced approval or rejection; else who took part in the debate."""
    members = [c for c in contribs if c.label != CHAIR_LABEL and is_substantive(c, 3)]
    if not members:
        return ""
    pro: list[str] = []
    con: list[str] = []
    speakers: list[str] = []
    for c in members:
        label = c.label if c.label != MEMBER_LABEL else "ein Mitglied"
        where = {"dafür": pro, "dagegen": con}.get(stance(c.text))
        if where is not None and label not in where:
            where.append(label)
        if label not in speakers:
            speakers.append(label)
    verb_yes = "kündigt" if len(pro) == 1 else "kündigen"
    verb_no = "lehnt" if len(con) == 1 else "lehnen"
    if pro and con:  # verb second: „In der Aussprache kündigt A Zustimmung an; B lehnt die Vorlage ab.“
        return (
            f"In der Aussprache {verb_yes} {_join(pro)} Zustimmung an; {_join(con)} {verb_no} die Vorlage ab."
        )
    if pro:
        return f"In der Aussprache {verb_yes} {_join(pro)} Zustimmung an."
    if con:
        return f"In der Aussprache {verb_no} {_join(con)} die Vorlage ab."
    return f"In der Aussprache {'spricht' if len(speakers) == 1 else 'sprechen'} {_join(speakers)}."


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


def finish(reply: str) -> str:
    """The model's completion as one sentence after ``LEAD`` ("" when unusable)."""
    text = " ".join(reply.strip().strip("`").split())
    text = re.sub(r"^(?:antwort\s*:\s*)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^" + re.escape(LEAD) + r"\s*", "", text, flags=re.IGNORECASE)
    first = re.match(r"[^.!?\n]+", text)
    if not first:
        return ""
    body = first.group().strip().strip("„“\"'").rstrip(",;:")
    if not body or len(body.split()) > MAX_SENTENCE_WORDS or re.search(r"[{}<>\[\]]", body):
        return ""
    first_word = body.split()[0]
    if _NOUN_PHRASE.match(first_word.lower()) and first_word[1:].islower():  # „Die Kosten“ -> „die Kosten“
        body = first_word.lower() + body[len(first_word) :]
    return f"{LEAD} {body}."


def check(sentence: str, source: str, known: list[str]) -> str:
    """Why the model's sentence cannot be used ("" when it can)."""
    if not sentence:
        return "keine brauchbare Antwort"
    body = sentence[len(LEAD) :]
    if re.search(r"\b(?:ich|wir|mir|uns|unser\w*|mein\w*)\b", body, re.IGNORECASE):
        return "wörtliche Rede"
    if verbatim_share(body, source, 4) > MAX_VERBATIM:  # a short sentence: 4-grams
        return "wörtlich übernommen"
    main = body.split(",")[0]  # after „um“ a noun phrase; a finite verb only in a later clause
    if not _NOUN_PHRASE.match(body.strip()) or _FINITE.search(main):
        return "kein Satzglied nach „um“"
    bad = invented(body, [source, *known], COMMON.split())
    if bad:
        return "nicht belegt: " + ", ".join(bad[:3])
    return ""


def context(
    segments: list[Segment],
    labels: dict[str, str],
    title: str,
    known: list[str],
    engine: LLMEngine | None = None,
    template: PromptTemplate | None = None,
    paper: str = "",
    cancel: CancelToken | None = None,
    max_new_tokens: int = 64,
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
    sentence = finish(reply)
    source = " ".join(s.text for s in segments)
    out.rejected = check(sentence, source, [title, paper, *labels.values(), *known])
    if not out.rejected:
        out.sentences.append(sentence)
        out.model_sentence = True
    return out
