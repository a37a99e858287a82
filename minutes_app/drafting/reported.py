"""Exact rules for reported speech (indirekte Rede), where a small model is weak.

``to_reported`` shifts a spoken main clause: „ich“ -> the speaker, „wir“ -> „die Fraktion“
(with its verb in the third person singular), possessives, and the common indicative
verbs to Konjunktiv I (or Konjunktiv II where Konjunktiv I looks like the indicative).
``finish_summary`` turns the model's "NN erklärt, …" into the speaker's label and keeps
at most two whole sentences.
"""

from __future__ import annotations

import re

from .quality import KONJ_FORM, REPORTING_VERBS, sentences
from .speakers import gender
from .verbs import ACT_3, FINITE, ICH_IRREGULAR, KONJ_3, WIR_IRREGULAR, konj_last, main_past, verb_last

PLACEHOLDER = "NN"

_POSSESSIVE = {
    "unser": "ihr",
    "unsere": "ihre",
    "unseren": "ihren",
    "unserem": "ihrem",
    "unserer": "ihrer",
    "unseres": "ihres",
    "uns": "ihr",
    "mein": "sein",
    "meine": "seine",
    "meinen": "seinen",
    "meinem": "seinem",
    "meiner": "seiner",
}
# The speaker in the third person by the label's gender (``speakers.gender``; "" = unknown,
# treated as „er/sein“ where a pronoun cannot be avoided): nominative, dative, accusative.
_PERSONAL = {"f": ("sie", "ihr", "sie"), "m": ("er", "ihm", "ihn"), "n": ("es", "ihm", "es")}
_LOWER_FIRST = re.compile(
    r"^(?:Die|Der|Das|Dies|Diese|Dieser|Dieses|Es|Ein|Eine|Wir|Man|Sie|Er|Ich|Hier|Dort|Da|Dann|Deshalb|"
    r"Deswegen|Daher|Auch|Aber|Und|Denn|So|Nun|Jetzt|Heute|Gerade|Natürlich|Zudem|Außerdem|Leider|Solange|Wenn|"
    r"Weil|Ob|Dass|Als|Wie|Was|Wer|Im|In|Von|Bei|Mit|Für|Nach|Vor|Zum|Zur|Am|An|Auf|Aus|Um|Über|Unter|Trotzdem|"
    r"Dabei|Damit|Dafür|Darum|Insgesamt|Allerdings|Zunächst|Erst|Bisher|Schon|Noch|Nur|Alle|Neue)\b"
)
# Words of spoken German that carry no content, dropped from every reported clause (and
# with ``PARTICLES`` and more from the rule extract, ``condense``).
FILLERS = r"also|ja|ähm?|äh|halt|eben|eigentlich|mal|einfach|sozusagen|natürlich"
# Modal particles („doch“, „schon“), dropped from questions and from the rule extract.
PARTICLES = r"doch|schon|nun|jetzt"
_FILLERS = re.compile(rf"(?<!-)\b(?:{FILLERS})\b(?!-),?\s*", re.IGNORECASE)


def _konj_wir(verb: str) -> str:
    low = verb.lower()
    if low in WIR_IRREGULAR:
        return WIR_IRREGULAR[low]
    if low.endswith(("ern", "eln")):
        return low[:-1] + "e"  # "fordern" -> "fordere"
    return low[:-1]  # "unterstützen" -> "unterstütze", "lehnen" -> "lehne"


_NOT_VERB = set(
    [
        "wenn",
        "denn",
        "dann",
        "wann",
        "gegen",
        "neben",
        "eben",
        "oben",
        "unten",
        "zwischen",
        "dass",
        "weil",
        "als",
        "wie",
        "und",
        "oder",
        "aber",
        "wo",
        "was",
        "nun",
        "den",
        "einen",
        "keinen",
        "diesen",
        "allen",
        "ihnen",
        "jeden",
        "meinen",
        "unseren",
        "ihren",
        "deinen",
        "seinen",
        "hier",
        "da",
        "auch",
        "schon",
        "noch",
        "nicht",
        "nur",
        "ja",
        "doch",
        "gerade",
        "heute",
        "jetzt",
        "alle",
    ]
)


def _is_wir_verb(word: str) -> bool:
    low = word.lower()
    return (
        word == low
        and low not in _NOT_VERB
        and (low in WIR_IRREGULAR or (low.endswith("n") and len(low) > 4))
    )


_CLAUSE_START = r"(?:dass|ob|weil|wenn|da|obwohl|damit|wie|was|wo|um|als|nachdem)\b"
# Words ending in -en that are no verb at the end of a „wir“ clause („angemessen, wie …“).
_NOT_WIR_VERB = re.compile(r"^(?:\w+ge\w{3,}en|vorhanden|verschieden|offen|eigenen|trocken|ebenen)$")
_SUBORDINATORS = (
    r"[Dd]ass|[Oo]b|[Ww]eil|[Dd]a|[Ww]enn|[Oo]bwohl|[Dd]amit|[Aa]ls|[Nn]achdem|[Bb]evor|[Ss]olange"
)
_WIR_PAST = {"waren": "war", "wurden": "wurde", "hatten": "hatte"}


def _drop_filler(m: re.Match[str]) -> str:
    """A filler goes; its comma stays where it ends a clause („wir wissen ja, dass …“)."""
    before, after = m.string[: m.start()].rstrip(), m.string[m.end() :]
    keep = m.group(0).rstrip().endswith(",") and before and before[-1] not in ",;:"
    return ", " if keep and re.match(_CLAUSE_START, after, re.IGNORECASE) else ""


def _wir_clause(m: re.Match[str]) -> str:
    sub, middle, verb = m.group(1), m.group(2), m.group(3)
    if (
        not verb.islower()
        or verb in _NOT_VERB
        or _NOT_WIR_VERB.match(verb)
        or not (verb in WIR_IRREGULAR or verb.endswith("n"))
    ):
        return m.group(0)
    before = middle.split()[-1] if middle.split() else ""
    last = konj_last(_WIR_PAST[verb], before) if verb in _WIR_PAST else _konj_wir(verb)
    return f"{sub} die Fraktion{middle} {last}"


def _konj_ich(verb: str) -> str:
    return ICH_IRREGULAR.get(verb.lower(), verb)


def _possessive(word: str, female: bool) -> str:
    """„meine“ -> „seine“, or „ihre“ for a woman speaking; „unsere“ -> „ihre“ (the Fraktion's)."""
    return "ihr" + word[4:] if female and word.startswith("mein") else _POSSESSIVE[word]


def _first_person_objects(text: str, speaker: str) -> str:
    """„mich“/„mir“ of the speaker: reflexive „sich“ in a clause whose subject is „ich“ („ich
    freue mich“, „ich kann mir vorstellen“), else the speaker's pronoun („mir ist wichtig“ ->
    „ihr sei wichtig“ for Stadträtin X)."""
    _, dative, accusative = _PERSONAL.get(gender(speaker), _PERSONAL["m"])
    out = []
    for clause in re.split(r"(?<=[,;:])", text):
        own = bool(re.search(r"\b[Ii]ch\b", clause))
        clause = re.sub(r"\b[Mm]ir\b", "sich" if own else dative, clause)
        clause = re.sub(r"\b[Mm]ich\b", "sich" if own else accusative, clause)
        out.append(clause)
    return "".join(out)


def subject_pronoun(speaker: str) -> str:
    """„sie“, „er“ or „es“ for the label's gender; "" for a bare name (unknown)."""
    return _PERSONAL[mark][0] if (mark := gender(speaker)) in _PERSONAL else ""


def pronoun_for(text: str, speaker: str) -> str:
    """``text`` reported after „<speaker> erklärt,“: the speaker again as „er“/„sie“/„es“ where
    the label's gender is known („die Sitzungsleitung erklärt, das könne sie bestätigen“, not
    „… könne die Sitzungsleitung bestätigen“); a bare name stays a name."""
    pronoun = subject_pronoun(speaker)
    if not pronoun:
        return text
    return re.sub(rf"(?<!\w){re.escape(speaker)}(?!\w)", pronoun, text, flags=re.IGNORECASE)


def to_reported(sentence: str, speaker: str, verbs: bool = True) -> str:
    """One spoken main clause as reported speech of ``speaker`` (no reporting verb added).

    ``verbs=False`` shifts only pronouns and possessives (a clause whose finite verb the
    caller places itself)."""
    s = _FILLERS.sub(_drop_filler, sentence.strip()).strip()
    s = re.sub(r"\s+,", ",", re.sub(r"\s+", " ", s))
    # „wir … uns“: reflexive („die Fraktion habe sich eingesetzt“)
    s = ",".join(re.sub(r"\buns\b", "sich", p) if re.search(r"\b[Ww]ir\b", p) else p for p in s.split(","))
    # „dass wir … zustimmen“ -> „dass die Fraktion … zustimme“ (the clause's last word is its verb)
    s = re.sub(rf"\b({_SUBORDINATORS})\s+wir\b([^,;:.!?–]*?)\s+(\w+)(?=\s*(?:[,;:.!?–]|$))", _wir_clause, s)
    # "wir lehnen" / "lehnen wir" -> "die Fraktion lehne"
    s = re.sub(
        r"\b(\w+)\s+wir\b",
        lambda m: (
            f"{_konj_wir(m.group(1))} die Fraktion" if _is_wir_verb(m.group(1)) else f"{m.group(1)} sie"
        ),
        s,
    )
    s = re.sub(
        r"\b[Ww]ir\s+(\w+)",
        lambda m: (
            f"die Fraktion {_konj_wir(m.group(1))}" if _is_wir_verb(m.group(1)) else f"sie {m.group(1)}"
        ),
        s,
    )
    s = _first_person_objects(s, speaker)
    s = re.sub(r"\b[Ii]ch\s+(\w+)", lambda m: f"{speaker} {_konj_ich(m.group(1))}", s)
    s = re.sub(r"\b(\w+)\s+ich\b", lambda m: f"{_konj_ich(m.group(1))} {speaker}", s)
    s = re.sub(r"\b(für|durch|gegen|ohne|um)\s+uns\b", r"\1 sie", s, flags=re.IGNORECASE)
    female = gender(speaker) == "f"
    s = re.sub(
        r"\b(" + "|".join(_POSSESSIVE) + r")\b",
        lambda m: _possessive(m.group(1).lower(), female),
        s,
        flags=re.IGNORECASE,
    )
    if not verbs:
        return s.strip()
    s = main_past(s)  # „war gut“ -> „sei gut gewesen“
    # "getragen werden", "beschlossen haben" at the clause's end: an infinitive, not finite
    s = re.sub(r"\b(ge\w+(?:t|en)|\w+iert|zu)\s+(werden|haben)\b", "\\1\x00\\2\x01", s)
    s = re.sub(r"\bzu\s+(\w+en)\b", "zu\x00\\1\x01", s)  # „beteiligen zu können“
    finite = "|".join(KONJ_3)
    # "eingerichtet werden können": only the last of two verbs is finite
    s = re.sub(rf"\b({finite})\s+({finite})\b", lambda m: f"{m.group(1)}\x00{KONJ_3[m.group(2)]}", s)
    s = re.sub(rf"(?<!\x00)\b({finite})\b(?![\x00\x01])", lambda m: KONJ_3[m.group(1)], s)
    s = s.replace("\x01", "").replace("\x00", " ")
    return s.strip()


def lower_first(clause: str) -> str:
    """The first word in lower case when it is a function word (a noun or name keeps its capital)."""
    return clause[:1].lower() + clause[1:] if _LOWER_FIRST.match(clause) else clause


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_W_WORDS = set(
    [
        "wann",
        "wie",
        "was",
        "warum",
        "wieso",
        "weshalb",
        "wer",
        "wen",
        "wem",
        "wo",
        "woher",
        "wohin",
        "welche",
        "welcher",
        "welches",
        "welchen",
        "wozu",
        "wofür",
        "womit",
        "wodurch",
        "inwieweit",
        "inwiefern",
    ]
)
_DEGREE = {"viel", "viele", "lange", "hoch", "oft", "weit", "groß", "teuer", "schnell", "genau", "sicher"}
_QUESTION_PARTICLES = re.compile(rf"(?<!-)\b(?:denn|{PARTICLES})\b(?!-)\s*", re.IGNORECASE)


def indirect_question(question: str, speaker: str) -> str | None:
    """„Wann soll mit dem Bau begonnen werden?“ -> „X fragt, wann mit dem Bau begonnen werden solle.“

    The finite verb moves to the end of the first clause (in Konjunktiv I); a yes/no
    question becomes „ob …“. ``None`` when the question does not start so.
    """
    q = _QUESTION_PARTICLES.sub("", _FILLERS.sub("", question.strip())).rstrip("?!. ").strip()
    head, sep, tail = q.partition(",")
    words = head.split()
    if len(words) < 3:
        return None
    if words[0].lower() in _W_WORDS:  # "Wer bezahlt …", "Wie viele Plätze gibt es …": the verb follows
        n = 1
        if words[0].lower() == "wie" and words[1].lower() in _DEGREE:
            n = 2
        while (
            n < len(words) - 1
            and words[n][:1].isupper()
            and words[0].lower() in ("welche", "welcher", "welches", "welchen", "wie")
        ):
            n += 1
        if not words[n].islower():
            return None
        intro, verb, rest = " ".join([words[0].lower(), *words[1:n]]), words[n], words[n + 1 :]
    elif words[0].lower() in FINITE:
        intro, verb, rest = "ob", words[0].lower(), words[1:]
    else:
        return None
    body = to_reported(" ".join(rest), speaker, verbs=False)
    clause = f"{intro} {verb_last(body, verb)}"
    if sep and tail.strip():
        clause += ", " + to_reported(tail.strip(), speaker)
    return f"{upper_first(speaker)} fragt, {clause}."


# A question whose „?“ the transcript lost: a finite verb first, then its subject
# („Gibt es Wünsche zur Tagesordnung“), not an imperative („Lassen Sie uns …“).
_ASKING = re.compile(
    r"^(?:gibt|gab|ist|sind|war|waren|hat|haben|kann|können|wird|werden|soll|sollen|muss|müssen|"
    r"darf|dürfen|möchte|möchten|will|wollen)\s+(?:es|sie|er|wir|ihr|man|jemand|der|die|das|den|dem)\b",
    re.IGNORECASE,
)


def is_question(sentence: str) -> bool:
    """A direct question: its „?“, or a finite verb and its subject first (the „?“ lost)."""
    return sentence.strip().endswith("?") or bool(_ASKING.match(sentence.strip()))


def report(sentence: str, speaker: str, verb: str = "erklärt") -> str:
    """„Speaker erklärt, <clause in Konjunktiv I>.“ from one spoken sentence."""
    marked = sentence.strip().endswith("?")
    if is_question(sentence):
        asked = indirect_question(sentence, speaker)
        if asked or marked:
            return asked or f"{upper_first(speaker)} stellt die Frage: {sentence.strip()}"
    body = own_act(to_reported(sentence, speaker).rstrip(".!?;: "), speaker)
    if body.startswith(speaker):  # „ich stelle fest, dass …“ -> „X stellt fest, dass … sei“
        head, rest = body[: len(speaker)], body[len(speaker) :]
        return f"{upper_first(head)}{pronoun_for(rest, speaker)}{'' if body.endswith('…') else '.'}"
    end = "" if body.endswith("…") else "."
    return f"{upper_first(speaker)} {verb}, {lower_first(pronoun_for(body, speaker))}{end}"


def own_act(clause: str, speaker: str) -> str:
    """„X stelle fest, …“ (the speaker's first-person act after ``to_reported``) -> „X stellt
    fest, …“: the act in the indicative (``verbs.ACT_3``); any other clause unchanged."""
    m = re.match(rf"{re.escape(speaker)}\s+(\w+)\b", clause)
    if not m or m.group(1) not in ACT_3:
        return clause
    if re.search(r"\b(?:gewesen|geworden|worden)\b", re.split(r"[,;:]", clause)[0]):
        return clause  # „X sei überrascht gewesen“: a past, reported
    return clause[: m.start(1)] + ACT_3[m.group(1)] + clause[m.end(1) :]


def finish_summary(reply: str, speaker: str, max_sentences: int = 2) -> str:
    """The model's summary with the placeholder replaced; at most ``max_sentences`` whole sentences.

    Returns "" when the reply has no usable sentence.
    """
    text = reply.strip().strip("`").strip()
    text = re.sub(r"^(?:Zusammenfassung|Antwort)\s*:\s*", "", text, flags=re.IGNORECASE)
    text = text.strip("„“\"' \n")
    text = re.sub(r"\s+", " ", text)
    found = [s for s in sentences(text) if s.rstrip().endswith((".", "!", "?"))]
    found = found[:max_sentences]
    if not found:  # cut off by the token budget: the reply up to its last comma, if that says enough
        head = text[: text.rfind(",")] if "," in text else ""
        if len(head.split()) < 8:
            return ""
        found = [head.rstrip(" ,;") + "."]
    text = " ".join(found)
    text = re.sub(r"\b(?:Der|Die)\s+Redner(?:in)?\b|\bRedner(?:in)?\s+NN\b", PLACEHOLDER, text)
    if PLACEHOLDER not in text:
        return ""  # no subject we can name: the caller falls back to the rules
    return " ".join(upper_first(sent.replace(PLACEHOLDER, speaker)) for sent in sentences(text))


_INTRO = re.compile(r"^(?P<head>.{0,80}?\b(?:" + REPORTING_VERBS + r")\b(?:\s+\w+){0,3}?,\s+)(?P<clause>.+)$")


def shift_unreported(text: str, speaker: str) -> str:
    """Sentences with neither reporting verb nor Konjunktiv shifted by the rules; after a
    reporting verb („X erklärt, die Pflege ist enthalten“) the reported clause is shifted too."""
    out = []
    for s in sentences(text):
        m = _INTRO.match(s)
        if m and speaker.lower() in m.group("head").lower():
            out.append(m.group("head") + pronoun_for(to_reported(m.group("clause"), speaker), speaker))
        elif speaker.lower() in s.lower() or KONJ_FORM.search(s):
            out.append(s)
        else:  # „Dies macht es einfacher“: a verb that also reports, but nobody speaks
            out.append(upper_first(to_reported(s, speaker)))
    return " ".join(out)
