"""Word order in the subordinate clauses of reported speech („dass …“, „ob …“, „weil …“).

A subordinate clause has its finite verb at the end. The 1.5B model often writes main
clause order there („…, dass seine Fraktion unterstützt den Antrag“), and the rules then
shift that verb in place. ``verb_final`` puts the finite verb of such a simple clause at
its end in Konjunktiv I („dass seine Fraktion den Antrag unterstütze“, „dass sie das
morgen prüfen wolle“, „dass die Fraktion den Antrag ablehne“) and shifts a clause-final
indicative („dass die Fraktion nicht zustimmt“ -> „zustimme“). A clause it cannot reorder
safely (a second finite verb, a coordinated clause) gets a form that needs no reordering:
after a reporting verb Konjunktiv I without „dass“ („erklärt, seine Fraktion unterstütze
den Antrag und sehe …“), „denn“ for „weil“/„da“; other clauses stay as they are.
"""

from __future__ import annotations

import re

from .quality import REPORTING_VERBS
from .verbs import FINITE_FORMS, SEPARABLE, konj_3, konj_last, verb_last

SUBORDINATORS = ("dass", "ob", "weil", "da", "wenn", "obwohl", "damit")
# The clause after a subordinator: up to the next comma, colon, dash or sentence end.
_CLAUSE = re.compile(
    r"(?P<pre>(?:[,;:]|\bund|\boder)\s+)(?P<sub>" + "|".join(SUBORDINATORS) + r")\s+"
    r"(?P<body>[^,;:.!?–]+?)(?=\s*(?:[,;:.!?–]|$)|\s+(?:und|oder)\s+(?:dass|ob|weil|wenn)\b)"
)
# „erklärt, dass …“, „ist der Meinung, dass …“: the clause is the reported content itself and
# can stand as Konjunktiv I without „dass“.
_REPORTED_BEFORE = re.compile(
    rf"\b(?:{REPORTING_VERBS}|glaubt|glaube|denkt|denke|meine|hofft|hoffe|befürchte|"
    r"der\s+(?:Meinung|Ansicht|Auffassung|Überzeugung))\b(?:\s+[\wäöüß]+){0,3}\s*$",
    re.IGNORECASE,
)
_PRONOUNS = {"er", "sie", "es", "man", "ich", "wir", "ihr", "jeder", "jede", "niemand", "keiner", "jemand"}
_PRONOUN_OR_ARTICLE = {"das", "dies", "diese", "dieser", "dieses", "alle", "beide", "viele"}
_DETERMINERS = {
    *[
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einen",
        "einem",
        "einer",
        "eines",
        "kein",
        "keine",
        "keinen",
        "keinem",
        "keiner",
    ],
    *[
        "sein",
        "seine",
        "seinen",
        "seinem",
        "seiner",
        "ihr",
        "ihre",
        "ihren",
        "ihrem",
        "ihrer",
        "diese",
        "dieser",
        "dieses",
        "diesen",
    ],
    *["jede", "jeder", "jedes", "jeden", "alle", "beide", "viele", "mehrere", "manche", "solche", "welche"],
}
_LEADING_ADVERBS = {"auch", "nur", "nun", "jetzt", "heute", "hier", "dann", "noch", "schon", "zwar", "damals"}
_COORDINATORS = {"und", "oder", "aber", "sondern", "denn", "sowie"}
_CLAUSE_WORDS = {"was", "wer", "wie", "wo", "welche", "welcher", "welches", "dass", "ob", "weil"}
# Words ending in -t that are no verbs (a clause-final one is left alone).
_NOT_VERB_T = set(
    [
        "nicht",
        "jetzt",
        "erst",
        "selbst",
        "bereits",
        "zuletzt",
        "längst",
        "meist",
        "sonst",
        "fast",
        "oft",
        "recht",
        "gut",
        "bereit",
        "nichts",
        "acht",
        "zumindest",
        "mindestens",
        "höchstens",
        "spätestens",
        "frühestens",
        "bisschen",
        "zuerst",
        "insgesamt",
        "geplant",
    ]
)


def _is_capital(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit() or word.startswith("(")


def _subject_end(words: list[str]) -> int | None:
    """Index after the clause's subject (a pronoun, a name, or article + adjectives + noun,
    with a genitive), or ``None`` where none is recognised."""
    i = 0
    while i < len(words) and words[i].lower() in _LEADING_ADVERBS:
        i += 1
    if i >= len(words):
        return None
    first = words[i]
    low = first.lower()
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if (low in _PRONOUNS and not (low == "ihr" and _is_capital(nxt))) or (
        low in _PRONOUN_OR_ARTICLE and not _is_capital(nxt)
    ):  # „ihr Antrag“, „das Gremium“: an article
        return i + 1
    if low in _DETERMINERS and first == low:
        j = _noun_phrase(words, i + 1)
    elif _is_capital(first):
        j = _noun_phrase(words, i)
    else:
        return None
    if j is not None and j < len(words) and words[j] in ("der", "des"):  # „die Erhöhung der Beiträge“
        j = _noun_phrase(words, j + 1) or j
    return j


def _noun_phrase(words: list[str], i: int) -> int | None:
    while i < len(words) and words[i].islower() and words[i].endswith(("e", "en", "er", "es", "em")):
        i += 1  # adjectives („die städtischen Schülerhorte“)
    start = i
    while i < len(words) and _is_capital(words[i]):
        i += 1  # noun or name („Stadtrat Schnell (AfD)“, „2er Gruppe“)
    return i if i > start else None


def _verb_like(word: str) -> bool:
    return word.islower() and (word in FINITE_FORMS or word.endswith(("t", "e", "n")))


def _finite_at(words: list[str], j: int) -> bool:
    """``words[j]`` is a finite verb in second position of a clause that does not end in one."""
    w = words[j]
    if not w.islower() or j == len(words) - 1:
        return False
    last = words[-1]
    if w in FINITE_FORMS:  # „bestehen“ in „dass die Horte bestehen bleiben“ is no finite verb
        return not w.endswith("n") or last in SEPARABLE or not _verb_like(last)
    return (
        w.endswith("t")
        and w not in _NOT_VERB_T
        and konj_3(w) != w
        and (_is_capital(last) or last in SEPARABLE or not _verb_like(last))
    )


def _complex(rest: list[str]) -> bool:
    """A second finite verb, a coordinated part („… den Antrag und sehe …“, „… beauftragt und
    erfolgt …“) or a nested clause in the clause's remainder."""
    return any(
        w in _CLAUSE_WORDS or w in _COORDINATORS or (w in FINITE_FORMS and not w.endswith("n")) for w in rest
    )


_PAST = ("war", "waren", "wurde", "wurden", "hatte", "hatten")


def _final_konj(words: list[str]) -> list[str]:
    """A clause-final indicative in Konjunktiv I („nicht zustimmt“ -> „nicht zustimme“), also
    the past at the end of a first coordinated part („ausgesetzt wurde und …“)."""
    for k in range(len(words) - 2, 0, -1):
        if words[k] in _PAST and words[k + 1] in ("und", "oder", "aber"):
            words = [*words[:k], *konj_last(words[k], words[k - 1]).split(), *words[k + 1 :]]
    last = words[-1]
    if len(words) < 2 or not last.islower() or last in _NOT_VERB_T or words[0].lower() in ("ich", "wir"):
        return words
    if words[-2] in _COORDINATORS:  # „…, dass … und fragt, ob …“: the main clause's verb
        return words
    if last in _PAST or (last.endswith("t") and not re.match(r"ge\w{3,}t$", last)):
        return [*words[:-1], *konj_last(last, words[-2]).split()]
    return words


def _fix(m: re.Match[str], text: str) -> str:
    pre, sub, body = m.group("pre"), m.group("sub"), m.group("body")
    words = body.split()
    j = _subject_end(words)
    if j is None or j >= len(words) or not _finite_at(words, j):
        return m.group(0) if j is None else f"{pre}{sub} {' '.join(_final_konj(words))}"
    verb, rest = words[j], words[j + 1 :]
    if not _complex(rest):
        return f"{pre}{sub} {' '.join(words[:j])} {verb_last(' '.join(rest), verb)}"
    main = " ".join([*words[:j], konj_3(verb), *rest])
    if sub == "dass" and pre.startswith(",") and _REPORTED_BEFORE.search(text[: m.start()]):
        return f"{pre}{main}"  # „erklärt, seine Fraktion unterstütze den Antrag und sehe …“
    if sub in ("weil", "da"):
        return f"{pre}denn {main}"
    return m.group(0)


def verb_final(text: str) -> str:
    """``text`` with the finite verb of each simple subordinate clause at the clause's end
    (see the module's docstring); a clause already in that order only gets Konjunktiv I."""
    text = re.sub(r"\bfragt,\s+dass\b", "bittet darum, dass", text)  # a request, not a question
    return _CLAUSE.sub(lambda m: _fix(m, text), text)
