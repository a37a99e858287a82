"""Exact rules for reported speech (indirekte Rede), where a small model is weak.

``to_reported`` shifts a spoken main clause: „ich“ -> the speaker, „wir“ -> „die Fraktion“
(with its verb in the third person singular), possessives, and the common indicative
verbs to Konjunktiv I (or Konjunktiv II where Konjunktiv I looks like the indicative).
``finish_summary`` turns the model's "NN erklärt, …" into the speaker's label and keeps
at most two whole sentences.
"""

from __future__ import annotations

import re

from .quality import is_reported, sentences

PLACEHOLDER = "NN"

# Indicative -> Konjunktiv I (third person); plural forms whose Konjunktiv I equals the
# indicative take Konjunktiv II ("sie haben" -> "sie hätten").
_KONJ_3 = {
    "ist": "sei",
    "sind": "seien",
    "hat": "habe",
    "haben": "hätten",
    "wird": "werde",
    "werden": "würden",
    "kann": "könne",
    "können": "könnten",
    "muss": "müsse",
    "müssen": "müssten",
    "soll": "solle",
    "sollen": "sollten",
    "will": "wolle",
    "wollen": "wollten",
    "darf": "dürfe",
    "dürfen": "dürften",
    "gibt": "gebe",
    "geht": "gehe",
    "steht": "stehe",
    "liegt": "liege",
    "bleibt": "bleibe",
    "kommt": "komme",
    "fehlt": "fehle",
    "braucht": "brauche",
    "stimmt": "stimme",
    "macht": "mache",
    "zeigt": "zeige",
    "bedeutet": "bedeute",
    "kostet": "koste",
    "weiß": "wisse",
    "sieht": "sehe",
    "hält": "halte",
    "trägt": "trage",
    "gilt": "gelte",
    "lohnt": "lohne",
    "reicht": "reiche",
    "betrifft": "betreffe",
    "brauchen": "bräuchten",
    "gehen": "gingen",
    "kommen": "kämen",
    "fehlen": "fehlten",
    "liegen": "lägen",
    "unterstützt": "unterstütze",
    "beantragt": "beantrage",
    "lehnt": "lehne",
    "fordert": "fordere",
    "begrüßt": "begrüße",
    "findet": "finde",
    "möchte": "möchte",
    "sollte": "solle",
    "bringt": "bringe",
    "führt": "führe",
}
# First person plural (after "wir" -> "die Fraktion") -> Konjunktiv I singular.
_WIR_IRREGULAR = {
    "sind": "sei",
    "haben": "habe",
    "werden": "werde",
    "können": "könne",
    "müssen": "müsse",
    "sollen": "solle",
    "wollen": "wolle",
    "dürfen": "dürfe",
    "wissen": "wisse",
    "tun": "tue",
    "möchten": "möchte",
    "waren": "sei gewesen",
    "hatten": "habe gehabt",
}
# First person singular -> Konjunktiv I (the speaker in the third person).
_ICH_IRREGULAR = {
    "bin": "sei",
    "kann": "könne",
    "muss": "müsse",
    "will": "wolle",
    "darf": "dürfe",
    "soll": "solle",
    "weiß": "wisse",
    "war": "sei gewesen",
    "hatte": "habe gehabt",
}
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
    "mir": "ihm",
    "mich": "sich",
}
_LOWER_FIRST = re.compile(
    r"^(?:Die|Der|Das|Dies|Diese|Dieser|Dieses|Es|Ein|Eine|Wir|Man|Sie|Er|Ich|Hier|Dort|Da|Dann|Deshalb|"
    r"Deswegen|Daher|Auch|Aber|Und|Denn|So|Nun|Jetzt|Heute|Gerade|Natürlich|Zudem|Außerdem|Leider|Solange|Wenn|"
    r"Weil|Ob|Dass|Als|Wie|Was|Wer|Im|In|Bei|Mit|Für|Nach|Vor|Zum|Zur|Am|An|Auf|Aus|Um|Über|Unter|Trotzdem|"
    r"Dabei|Damit|Dafür|Darum|Insgesamt|Allerdings|Zunächst|Erst|Bisher|Schon|Noch|Nur|Alle|Neue)\b"
)
_FILLERS = re.compile(
    r"\b(?:also|ja|ähm?|äh|halt|eben|eigentlich|mal|einfach|sozusagen|natürlich)\b,?\s*", re.IGNORECASE
)


def _konj_wir(verb: str) -> str:
    low = verb.lower()
    if low in _WIR_IRREGULAR:
        return _WIR_IRREGULAR[low]
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
        and (low in _WIR_IRREGULAR or (low.endswith("n") and len(low) > 4))
    )


def _konj_ich(verb: str) -> str:
    return _ICH_IRREGULAR.get(verb.lower(), verb)


def to_reported(sentence: str, speaker: str) -> str:
    """One spoken main clause as reported speech of ``speaker`` (no reporting verb added)."""
    s = _FILLERS.sub("", sentence.strip()).strip()
    s = re.sub(r"\s+", " ", s)
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
    s = re.sub(r"\b[Ii]ch\s+(\w+)", lambda m: f"{speaker} {_konj_ich(m.group(1))}", s)
    s = re.sub(r"\b(\w+)\s+ich\b", lambda m: f"{_konj_ich(m.group(1))} {speaker}", s)
    s = re.sub(
        r"\b(" + "|".join(_POSSESSIVE) + r")\b",
        lambda m: _POSSESSIVE[m.group(1).lower()],
        s,
        flags=re.IGNORECASE,
    )
    verbs = "|".join(_KONJ_3)
    # "eingerichtet werden können": only the last of two verbs is finite
    s = re.sub(rf"\b({verbs})\s+({verbs})\b", lambda m: f"{m.group(1)}\x00{_KONJ_3[m.group(2)]}", s)
    s = re.sub(rf"\b({verbs})\b(?!\x00)", lambda m: _KONJ_3[m.group(1)], s).replace("\x00", " ")
    return s.strip()


def lower_first(clause: str) -> str:
    """The first word in lower case when it is a function word (a noun or name keeps its capital)."""
    return clause[:1].lower() + clause[1:] if _LOWER_FIRST.match(clause) else clause


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def report(sentence: str, speaker: str, verb: str = "erklärt") -> str:
    """„Speaker erklärt, <clause in Konjunktiv I>.“ from one spoken sentence."""
    if sentence.strip().endswith("?"):
        return f"{upper_first(speaker)} stellt die Frage: {sentence.strip()}"
    body = to_reported(sentence, speaker).rstrip(".!?;: ")
    if body.startswith(speaker):  # "ich bin der Meinung" -> "X sei der Meinung"
        return f"{upper_first(body)}{'' if body.endswith('…') else '.'}"
    end = "" if body.endswith("…") else "."
    return f"{upper_first(speaker)} {verb}, {lower_first(body)}{end}"


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
    if not found:
        return ""
    text = " ".join(found)
    text = re.sub(r"\b(?:Der|Die)\s+Redner(?:in)?\b|\bRedner(?:in)?\s+NN\b", PLACEHOLDER, text)
    if PLACEHOLDER not in text:
        return ""  # no subject we can name: the caller falls back to the rules
    return " ".join(upper_first(sent.replace(PLACEHOLDER, speaker)) for sent in sentences(text))


def shift_unreported(text: str, speaker: str) -> str:
    """Sentences with neither reporting verb nor Konjunktiv shifted by the rules."""
    return " ".join(s if is_reported(s) else upper_first(to_reported(s, speaker)) for s in sentences(text))
