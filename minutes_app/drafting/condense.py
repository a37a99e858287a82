"""Rule-based short extract of one contribution: the fallback when a model summary fails its checks.

Not the most contentful *sentence* (a spoken sentence is often 30+ words and then the
Beratung is the transcript again), but the one or two main clauses that carry the
contribution's key terms (its numbers and rarest nouns) or its position (zustimmen,
ablehnen, unterstützen, beantragen …), with fillers and particles dropped and shifted to
reported speech (speaker, „die Fraktion“, Konjunktiv I): at most ``EXTRACT_WORDS`` words.
``short`` (asked for when the item's Beratung would be over its length share) keeps about
half a short remark's words: a 23-word remark must not come back as 30 words of „X erklärt,
… X ergänzt, …“.
"""

from __future__ import annotations

import re

from .clauses import verb_final
from .quality import CONTRA_STEMS, KONJ_FORM, PRO_STEMS, coverage, key_terms, sentences
from .reported import (
    FILLERS,
    PARTICLES,
    is_question,
    own_act,
    report,
    subject_pronoun,
    to_reported,
    upper_first,
)

EXTRACT_WORDS = 32  # the whole extract, speaker label included
MIN_OWN_WORDS = 14  # a short extract's own words (without label and verb) for the shortest remark
CLAUSE_WORDS = 18  # a longer clause is cut at a comma (or its end dropped with „…“)
_STANCE = re.compile(
    rf"\b(?:{PRO_STEMS}|{CONTRA_STEMS}|zu(?=\s*[.!]?$)|stimmen\b|lehnen|lehne|dagegen|dafür|"
    r"begrüß\w*|beantrag\w*|antrag|fordern|fordere|bitten|kritisch|notwendig|wichtig|tragen\b.*\bmit|"
    r"frag\w*)\b|\?$",
    re.IGNORECASE,
)
# Words that make spoken German long without adding content (dropped in the extract).
_PARTICLES = re.compile(
    rf"(?<!-)\b(?:{FILLERS}|{PARTICLES}|wirklich|letztendlich|quasi|irgendwie|tatsächlich|durchaus|"
    r"ehrlich\s+gesagt|an\s+der\s+Stelle|gerade|auch|ganz|dann)\b(?!-)\s*",
    re.IGNORECASE,
)
# A clause that cannot stand after "X erklärt," (it is subordinate or a fragment).
_SUBORDINATE = re.compile(
    r"^(?:weil|dass|wenn|ob|obwohl|damit|die|der|das|den|dem|wo|wie|was|welche[rsnm]?|um|als|sondern)\b",
    re.IGNORECASE,
)
_COORD = re.compile(r"^(?:aber|und|denn|doch|sondern)\s+", re.IGNORECASE)
_TAIL = re.compile(r"(?:\s+(?:und|oder|aber|denn))+\s*[.!]?$", re.IGNORECASE)
_GREETING = re.compile(
    r"\b(?:oberbürgermeister|vorsitzende[r]?|damen\s+und\s+herren|vielen\s+dank)\b,?\s*", re.I
)
# A clause that only announces the contribution („Ich habe eine kurze Anfrage“, „Ich wollte
# dazu nichts sagen, aber …“, „Ich mache es kurz“): no content of its own, never the extract.
_PREAMBLE = re.compile(
    r"^(?:(?:ich|wir)\s+)?(?:hätte|habe|hab|haben|hätten)\s+(?:da\s+|noch\s+|nur\s+|kurz\s+)*"
    r"(?:eine|zwei|drei|ein\s+paar|einige)\s+(?:\w+\s+)?(?:(?:an|nach)?frage|fragen|anfragen|nachfragen|"
    r"anmerkung|anmerkungen|bemerkung|bemerkungen)\b(?:\s+(?:dazu|zu\s+\w+|an\s+die\s+\w+))?"
    r"|^(?:ich|wir)\s+(?:möchte|möchten|will|wollte|würde|würden|wollen|wollten)\s+(?:\w+\s+){0,3}?"
    r"(?:sagen|anmerken|ergänzen|bemerken)\b"
    r"|^(?:ich\s+)?mache\s+es\s+kurz\b|^danke(?:\s+schön)?\b|^dank(?:e)?\s+für\s+das\s+wort\b",
    re.IGNORECASE,
)


def _units(text: str) -> list[str]:
    """Main clauses of ``text``: short sentences, and the opening clause(s) of a long one or a
    part after „aber“/„und“/„denn“ (a part after another comma is seldom a main clause)."""
    out: list[str] = []
    for sent in sentences(text):
        sent = _PARTICLES.sub("", _GREETING.sub("", sent))
        sent = re.sub(r"(?:\s*,)+", ",", re.sub(r"\s+,", ",", sent)).strip(" ,")
        if len(sent.split()) <= CLAUSE_WORDS:
            out.append(sent)
            continue
        parts = [p.strip() for p in re.split(r",\s+|;\s+|\s+[–-]\s+", sent) if p.strip()]
        head = parts[0]
        for part in parts[1:]:  # the opening clause with what belongs to it, up to the limit
            if len((head + " " + part).split()) > CLAUSE_WORDS:
                break
            head = f"{head}, {part}"
        out.append(head)
        for part in parts[1:]:
            m = _COORD.match(part)
            if m and len(part.split()) >= 5 and not _SUBORDINATE.match(part[m.end() :]):
                out.append(upper_first(part[m.end() :]))
    units = [_TAIL.sub("", u).strip(" ,") for u in out]
    content = [c for c in (_without_preamble(u) for u in units) if len(c.split()) >= 3]
    return content or units  # a contribution that is all preamble keeps it


def _without_preamble(unit: str) -> str:
    """``unit`` without an opening clause that only announces the contribution."""
    m = _PREAMBLE.match(unit)
    if not m:
        return unit
    rest = unit[m.end() :].lstrip(" ,.;:!")
    return upper_first(_COORD.sub("", rest)) if rest else ""


def _trim(clause: str, limit: int) -> str:
    words = clause.split()
    if len(words) <= limit:
        return clause
    head = " ".join(words[:limit])
    cut = head.rfind(",")
    if cut > len(head) // 2:
        return head[:cut]
    return head.rstrip(",;") + " …"


def extract(text: str, label: str, short: bool = False) -> str:
    """One or two key clauses of the contribution as reported speech, at most ~``EXTRACT_WORDS`` words."""
    terms = key_terms(text, 8)
    units = [u for u in _units(text) if len(u.split()) >= 3]
    if not units:
        return ""

    def hits(u: str) -> float:
        return coverage(u, terms) * len(terms) - 0.08 * max(0, len(u.split()) - 10)

    # The position (the last clause that states one: „Deshalb lehnen wir … ab“), then the
    # clause with most key terms among the others, in the order spoken.
    budget = EXTRACT_WORDS - len(label.split()) - 1
    if short:
        budget = min(budget, max(MIN_OWN_WORDS, len(text.split()) // 2))
    stance = [i for i, u in enumerate(units) if _STANCE.search(u) and len(u.split()) <= budget]
    ranked = sorted(range(len(units)), key=lambda i: -hits(units[i]))
    # a clause that fits the budget before one that must be cut off with „…“
    fitting = [i for i in ranked if len(units[i].split()) <= budget and hits(units[i]) > 0]
    chosen = [stance[-1]] if stance else [fitting[0] if fitting else ranked[0]]
    first = _trim(units[chosen[0]], min(CLAUSE_WORDS, budget))
    left = budget - len(first.split())
    for i in ranked:
        if i not in chosen and hits(units[i]) > 0 and len(units[i].split()) <= left:
            chosen.append(i)
            break
    trimmed = {chosen[0]: first}
    chosen.sort()
    clauses = [trimmed.get(i, units[i]) for i in chosen]
    out = [report(clauses[0], label)]
    if len(clauses) > 1:
        second = own_act(to_reported(clauses[1], label).rstrip(".!?;: "), label)
        if is_question(clauses[1]):  # „Gibt es Wünsche …“ -> „X fragt, ob es Wünsche … gebe.“
            out.append(report(clauses[1], label))
        elif KONJ_FORM.search(second) or label.lower() in second.lower():
            out.append(upper_first(second) + ".")
        else:
            out.append(report(clauses[1], label, verb="ergänzt"))
        out[1] = again(out[1], label)
    return verb_final(" ".join(out))


def again(sentence: str, label: str) -> str:
    """The second sentence about the same speaker opens with „Sie“/„Er“ where the label's
    gender is known („Die Sitzungsleitung stellt fest, … Sie fragt, ob …“), not the label again."""
    pronoun = subject_pronoun(label)
    head = upper_first(label)
    if pronoun in ("sie", "er") and sentence.startswith(head + " "):  # „Es ergänzt“ reads oddly
        return upper_first(pronoun) + sentence[len(head) :]
    return sentence
