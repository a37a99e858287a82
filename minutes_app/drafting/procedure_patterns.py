"""Phrases of council procedure (German), used by ``procedure.py``.

Only patterns and small text helpers live here; the logic that turns them into
ProcedureEvents is in ``procedure.py``.
"""

from __future__ import annotations

import re

from .naming import NAME_REF, faction_keys
from .numbers import parse_number_word

SENT = re.compile(r"(?:[^.!?]|\.(?=\d))*(?:[.!?]+|$)")

# Hypothetical, past or negated talk is not a motion.
PAST = re.compile(
    r"\b(?:damals|seinerzeit|früher|vorige[nmrs]?|letzte[nmrs]?\s+(?:woche|sitzung|monat|jahr|mal|legislatur)"
    r"|im\s+letzten\s+(?:jahr|monat)|vor\s+(?:\w+\s+)?(?:wochen|monaten|jahren)|im\s+jahre?\s+\d{4}"
    r"|schon\s+einmal|letztes\s+mal)\b",
    re.I,
)
HYPO = re.compile(
    r"^\W*(?:wenn|falls|sofern|ob|wer|sollte)\b|\b(?:wenn|falls|sofern)\s+(?:jemand|man|einer)\b", re.I
)
NEG = re.compile(r"\b(?:nicht|kein(?:e[nrms]?)?|nie|niemals)\b", re.I)

# A motion is made (or reported): first person, "Antrag auf", "beantragt".
MOTION = re.compile(
    r"\b(?:ich|wir)\s+(?:\w+\s+){0,3}?beantrag(?:e|en)\b|\bbeantrag(?:e|en)\s+(?:ich|wir)\b"
    r"|\b(?:ich|wir)\s+(?:\w+\s+)?stelle[n]?\s+(?:\w+\s+){0,2}?\w*antrag\b"
    r"|\bstelle[n]?\s+(?:ich|wir)\s+(?:\w+\s+){0,2}?\w*antrag\b"
    r"|\bantrag\s+auf\b|\bbeantragt\b",
    re.I,
)
# The chair putting a motion to the vote („Wir stimmen über den GO-Antrag auf Vertagung ab“,
# „Ich lasse über den Antrag abstimmen“): it names the motion, it does not make one.
VOTE_CALL = re.compile(
    r"\b(?:stimmen|lasse[n]?)\b[^.!?]*?\b(?:ab|abstimmen)\b|\b(?:zur|die)\s+abstimmung\s+über\b"
    r"|\bkommen\s+zur\s+abstimmung\b",
    re.I,
)
GO_FRAME = re.compile(
    r"\b(?:antrag|anträge)\s+zur\s+geschäftsordnung\b|\bgeschäftsordnungs-?antr(?:ag|äge)\b|\bgo-antrag\b"
    r"|\bmelde\s+mich\s+zur\s+geschäftsordnung\b|^\W*zur\s+geschäftsordnung\b",
    re.I,
)
_TARGET = (
    r"(?P<target>(?:in|an)\s+(?:den|die|das)\s+(?:[\wÄÖÜäöüß-]*(?:ausschuss|beirat|bezirksvertretung|kommission|rat)"
    r"(?:\s+für\s+[\wÄÖÜäöüß-]+(?:\s+(?:und|,)\s+[\wÄÖÜäöüß-]+)*)?))"
)
TARGET = re.compile(r"\b" + _TARGET, re.I)
GO_DETAILS: list[tuple[str, re.Pattern[str]]] = [
    (
        "Absetzung von der Tagesordnung",
        re.compile(
            r"\babsetz(?:ung|en)\b|\babzusetzen\b|\bvon\s+der\s+tagesordnung\s+(?:zu\s+)?(?:nehmen|streichen|genommen)",
            re.I,
        ),
    ),
    ("Vertagung", re.compile(r"\bvertag(?:ung|en|t)\b|\bzu\s+vertagen\b", re.I)),
    (
        "Verweisung",
        re.compile(
            r"\b(?:zurück|rück)?verweisung\b|\büberweisung\b"
            r"|\b(?:zurück)?(?:zu\s+)?(?:verweisen|überweisen|zurückzuverweisen)\b(?=.*\b(?:in|an)\s+(?:den|die|das)\b)"
            r"|\b"
            + _TARGET.replace("?P<target>", "?:")
            + r"\s+(?:zu\s+)?(?:verweisen|überweisen|zurückverweisen)",
            re.I,
        ),
    ),
    (
        "Schluss der Rednerliste",
        re.compile(
            r"\bschluss\s+der\s+redner(?:innen)?liste\b|\bredner(?:innen)?liste\s+(?:zu\s+)?schließen", re.I
        ),
    ),
    (
        "Schluss der Debatte",
        re.compile(
            r"\b(?:schluss|ende|beendigung)\s+der\s+(?:debatte|aussprache|beratung|diskussion)\b"
            r"|\b(?:debatte|aussprache|diskussion)\s+(?:zu\s+)?(?:beenden|schließen)\b",
            re.I,
        ),
    ),
    (
        "Unterbrechung der Sitzung",
        re.compile(
            r"\b(?:sitzungs)?unterbrechung\b|\bauszeit\b|\bsitzung\s+(?:\w+\s+)?zu\s+unterbrechen\b", re.I
        ),
    ),
    ("Nichtbefassung", re.compile(r"\bnichtbefassung\b|\bnicht\s+(?:zu\s+)?befassen\b", re.I)),
]
GO_ACCUSATIVE = {"Absetzung von der Tagesordnung": "Absetzung des Punktes von der Tagesordnung"}

AMENDMENT = re.compile(
    r"\bänderungsantr(?:ag|äge)\b|\b(?:zu\s+)?(?:ändern|ergänzen|streichen|ersetzen)\b"
    r"(?=[^.!?]*\b(?:beschluss\w*|vorlage|satz|ziffer|absatz|punkt|wortlaut)\b)"
    r"|\b(?:beschluss\w*|vorlage|satz|ziffer|absatz|wortlaut)\b[^.!?]*\b(?:zu\s+)?(?:ändern|ergänzen|streichen|ersetzen)\b",
    re.I,
)
# "Antrag der CDU-Fraktion", "Änderungsantrag der Linken", "Antrag des Herrn Meier"
OWNER = (
    r"(?P<owner>(?:fraktion\s+(?:der\s+|die\s+)?)?"
    r"[\wÄÖÜäöüß./|-]+(?:\s+(?:90\s*/\s*die\s+grünen|wähler\w*)|(?-i:\s+[A-ZÄÖÜ][\w-]+))?)"
)
OWNED = re.compile(r"\b(?P<kind>änderungs)?antrag(?:es|s)?\s+(?:der|des|von)\s+" + OWNER, re.I)
PROTOCOL_OWNED = re.compile(r"\bprotokollerklärung\s+(?:der|des|von)\s+" + OWNER, re.I)
# "Die CDU-Fraktion beantragt", "Die Fraktion der Grünen beantragt", "Herr Meier beantragt"
SUBJECT = re.compile(
    r"\b(?:die\s+)?(?:(?P<f1>[\wÄÖÜäöüß./|]+)-?fraktion|fraktion\s+(?:der\s+|die\s+)?(?P<f2>[\wÄÖÜäöüß./|]+))"
    r"\s+(?:hat\s+)?(?:\w+\s+){0,4}?(?:beantragt|stellt|stellte|hat\s+(?:\w+\s+){0,4}?beantragt)\b",
    re.I,
)
FIRST_PERSON = re.compile(r"\b(?:ich|wir|mich|uns|mein\w*|unser\w*)\b", re.I)

BIAS_WORD = re.compile(r"\bbefangen(?:heit)?\b", re.I)
BIAS_NEG = re.compile(
    r"\b(?:nicht|kein\w*)\s+(?:\w+\s+){0,2}?(?:für\s+)?befangen|\bkeine\s+befangenheit"
    r"|befangenheit(?:en)?\s+(?:\w+\s+)?(?:liegt|liegen|bestehen|besteht)\s+(?:\w+\s+)?(?:nicht|keine)"
    r"|\bbefangenheit(?:en|sregeln|sgründe)?\s+(?:\w+\s+){0,3}?(?:hin|anzeigen|melden|mitteilen)\b(?!.*\bich\b)"
    r"|\bhinweis\w*\s+(?:auf|zur?)\s+(?:die\s+|den\s+)?(?:befangenheit|mitwirkungsverbot)",
    re.I,
)
BIAS_DECL = re.compile(
    r"\b(?:ist|bin|war|sind|erkläre|erklärt|halte|hält|zeige|zeigt|melde|meldet|verlasse|verlässt|nehme|nimmt"
    r"|muss|hat\s+sich|habe\s+mich|erklären)\b",
    re.I,
)

INTERRUPT = re.compile(
    r"\b(?:ich|wir)\s+unterbreche[n]?\s+(?:\w+\s+){0,3}?(?:sitzung|beratung)"
    r"|\bunterbreche[n]?\s+(?:ich|wir)\s+(?:\w+\s+){0,3}?(?:sitzung|beratung)"
    r"|\b(?:die\s+)?sitzung\s+(?:ist|wird)\s+(?:\w+\s+){0,5}?unterbrochen\b"
    r"|\b(?:wir\s+machen|machen\s+wir)\s+(?:jetzt\s+|nun\s+|hier\s+|an\s+dieser\s+stelle\s+)?(?:eine\s+)?"
    r"(?:kurze\s+)?pause\b",
    re.I,
)
RESUME = re.compile(
    r"\beröffne\s+(?:ich\s+)?(?:die\s+sitzung\s+)?wieder\b|\bsitzung\s+(?:ist\s+)?wieder\s*eröffnet"
    r"|\bwieder\s*(?:zu\s+)?eröffnen\b"
    r"|\b(?:wir\s+setzen|setzen\s+wir|ich\s+setze|setze\s+ich)\s+(?:die\s+)?(?:sitzung|beratung)\s+fort\b"
    r"|\b(?:sitzung|beratung)\s+wird\s+(?:\w+\s+)?fortgesetzt\b"
    r"|\b(?:wir\s+fahren|fahren\s+wir)\s+(?:\w+\s+){0,2}?(?:in\s+der|mit\s+der)\s+(?:sitzung|tagesordnung)\s+fort",
    re.I,
)
_NUMW = r"\d{1,3}|[a-zäöüß]+"
DURATION = re.compile(
    rf"\b(?:für|von|um)\s+(?:etwa\s+|ca\.\s+|circa\s+|rund\s+)?(?P<n>{_NUMW})\s+minuten\b"
    r"|\b(?P<q>eine[rn]?\s+viertelstunde|eine[rn]?\s+halbe[n]?\s+stunde|eine[rn]?\s+stunde)\b"
    r"|\bbis\s+(?P<h>\d{1,2})(?:[.:](?P<m>\d{2})|\s+uhr(?:\s+(?P<m2>\d{1,2}))?)",
    re.I,
)

PROTOCOL = re.compile(
    r"\bzu\s+protokoll\s+(?:geben|gebe|gibt|geben\s+wir|nehmen)\b|\bgebe[n]?\s+(?:ich\s+|wir\s+)?(?:\w+\s+){0,3}?zu\s+protokoll"
    r"|\bprotokollerklärung\b|\bins\s+protokoll\s+(?:aufzunehmen|aufnehmen|aufgenommen)\b|^\W*zu\s+protokoll\s*:",
    re.I,
)
PROTOCOL_NOISE = re.compile(r"\bgenehmigung\s+des\s+protokolls|\bprotokoll\s+der\s+(?:letzten|vorigen)", re.I)

OUTCOME_REF = re.compile(
    r"\bantrag\b|\bgeschäftsordnung|\bvertag|\babgesetzt|\bverwiesen|\büberwiesen|\brednerliste|\bdebatte",
    re.I,
)
GO_DONE = re.compile(
    r"\b(?:ist|wird|wurde|sind)\s+(?:damit\s+|somit\s+)?(?:\w+\s+)?(?:vertagt|abgesetzt|verwiesen|überwiesen)\b"
    r"|\brednerliste\s+ist\s+(?:damit\s+)?geschlossen",
    re.I,
)
DEMONSTRATIVE = re.compile(r"\b(?:diese[nm]?|de[nm])\s+(?P<kind>änderungs)?antrag\b", re.I)


def duration(sentence: str) -> str:
    """Stated length of an interruption: "10 Minuten", "30 Minuten", "bis 19:30 Uhr", or ""."""
    m = DURATION.search(sentence)
    if not m:
        return ""
    if m.group("n"):
        n = parse_number_word(m.group("n"))
        return f"{n} Minuten" if n is not None else ""
    if m.group("q"):
        q = m.group("q").lower()
        return "15 Minuten" if "viertel" in q else "30 Minuten" if "halb" in q else "1 Stunde"
    minutes = m.group("m") or m.group("m2") or "00"
    return f"bis {int(m.group('h'))}:{int(minutes):02d} Uhr"


def person_ref(sentence: str) -> tuple[str, int] | None:
    """The first person named with a title ("Herr Meier") and its position, nominative."""
    m = NAME_REF.search(sentence)
    if not m:
        return None
    title = re.sub(r"(?i)^herrn\b", "Herr", m.group("title"))
    title = re.sub(r"(?i)\bkollegen\b", "Kollege", title)
    name = m.group("name").split()[0]
    if name.lower() in ("oberbürgermeister", "bürgermeister", "vorsitzender", "vorsitzende"):
        return None
    return f"{title[0].upper()}{title[1:]} {name}", m.start()


def faction_name(spoken: str) -> str:
    """ "der CDU-Fraktion" / "Fraktion der Grünen" / "Linken" -> "Fraktion CDU" / "Fraktion GRÜNE" …"""
    s = re.sub(r"(?i)^(?:die|der|des)\s+", "", spoken.strip(" ,.;:"))
    s = re.sub(r"(?i)^fraktion\s+(?:der\s+|die\s+)?", "", s)
    s = re.sub(r"(?i)-?\s?fraktion$", "", s)
    keys = faction_keys(s)
    if not any(k.isupper() for k in keys) and " " in s:
        keys = faction_keys(s.split()[0])
    known = {"LINKE": "DIE LINKE", "AFD": "AfD", "VOLT": "Volt"}
    canonical = [known.get(k, k) for k in keys if k.isupper() or k in ("ÖDP",)]
    return f"Fraktion {canonical[0]}" if len(canonical) == 1 else ""


def clip(text: str, words: int = 25) -> str:
    """The clause as said, capped; leading "dass"/":"/"," dropped."""
    t = re.sub(r"^\s*[,:–-]?\s*", "", text.strip())
    t = t.strip(" .!?;:,")
    parts = t.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
