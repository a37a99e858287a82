"""Wortprotokoll in the style of the published Karlsruhe minutes, by rules (no model call).

Each contribution becomes a paragraph „Stadtrat Honné (GRÜNE): …“ with the spoken text
cleaned of hesitations (``hesitation.clean_spoken``). Speakers are named as the roster
allows: title or form of address, family name and Fraktion („Stadträtin Melchien (SPD)“,
„Herr Krüger (Amt für Umwelt)“); the chair is „Der Vorsitzende“ / „Die Vorsitzende“ when
the roster tells which, else „Die Sitzungsleitung“; an unnamed speaker keeps the neutral
label of ``speakers.draft_labels``. Never a raw speaker id.

The chair's procedural words are reported, not quoted, as the Karlsruhe minutes do:
„Ich rufe Tagesordnungspunkt 13 auf …“ -> „Der Vorsitzende ruft Tagesordnungspunkt 13 zur
Behandlung auf.“, „Wer ist dafür? – Wer ist dagegen? – Enthaltungen?“ -> „Der Vorsitzende
lässt abstimmen.“, „Ich eröffne die Sitzung.“ -> „Der Vorsitzende eröffnet die Sitzung.“
The result the chair announces („Das ist einstimmig.“) stays verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.types import Attendee, Segment
from .hesitation import clean_spoken
from .numbers import parse_number_word
from .speakers import CHAIR_LABEL, MEMBER_LABEL, contributions, gender, is_raw_id

_SENT = re.compile(r"(?:[^.!?]|\.(?=\d)|(?<=\bDr)\.|(?<=\bProf)\.)+(?:[.!?]+|$)")
_TITLES = re.compile(
    r"^(?:Stadtrat|Stadträtin|Ratsherr|Ratsfrau|Ratsmitglied|Bezirksvertreter(?:in)?|Kreisrat|Kreisrätin|"
    r"Gemeinderat|Gemeinderätin|(?:Ober)?[Bb]ürgermeister(?:in)?|Beigeordnete[r]?|Herr|Frau)\b"
)
_CHAIR_ROLE = re.compile(r"vorsitz|sitzungsleitung", re.IGNORECASE)
MAX_TITLE_WORDS = 15  # after „Ich rufe TOP 5 auf:“ only the item's title, else the sentence stays verbatim

_CALL = re.compile(
    r"^(?:(?:so,?|gut,?|dann|damit)\s+)?(?:ich\s+rufe\s+(?:jetzt\s+|nun\s+)?(?:den\s+)?|"
    r"wir\s+kommen\s+(?:jetzt\s+|nun\s+|damit\s+)?(?:zu(?:m)?\s+)?)"
    r"(?P<what>(?:tagesordnungspunkt|punkt|top)\s+(?P<n>\d+[a-z]?(?:\.\d+)?|[a-zäöüß]+))(?:\s+der\s+tagesordnung)?"
    r"(?:\s+auf)?(?P<end>\s*(?:[:,.!]|$)|\s)",
    re.IGNORECASE,
)
_VOTE_CALL = re.compile(
    r"^(?:(?:und|so|gut|dann|also)\W+)?(?:wer\s+(?:ist|stimmt)\s+(?:dafür|dagegen|zu)|wer\s+enthält\s+sich|"
    r"gegenstimmen|enthaltungen|(?:dann\s+)?(?:lasse\s+ich|lassen\s+wir)\s+(?:darüber\s+)?abstimmen|"
    r"wir\s+kommen\s+(?:damit\s+|jetzt\s+|nun\s+)?zur\s+abstimmung|ich\s+bitte\s+um\s+(?:ihr\s+)?(?:handzeichen|votum)|"
    r"wer\s+(?:dem|der\s+vorlage|dem\s+beschlussvorschlag)\s+zustimmen\s+möchte[^.!?]*)\s*[.!?]*$",
    re.IGNORECASE,
)
CHAIR_LABELS = ("Der Vorsitzende", "Die Vorsitzende", CHAIR_LABEL[:1].upper() + CHAIR_LABEL[1:])
_ACTS = {"eröffne": "eröffnet", "schließe": "schließt", "unterbreche": "unterbricht"}
_ACT = re.compile(
    r"^(?:(?:so|gut|dann)\W+)?ich\s+(?P<verb>eröffne|schließe|unterbreche)\s+(?:hiermit\s+)?"
    r"(?P<what>(?:die|den|das)\s+(?:[\w-]+\s+){0,3}?(?:sitzung|beratung|aussprache|debatte|rednerliste|"
    r"tagesordnungspunkt|punkt)(?:\s+(?:um|für)\s+(?:[^.!?]|\.(?=\d)){1,30})?)\s*[.!]?$",
    re.IGNORECASE,
)


@dataclass
class Paragraph:
    label: str  # who speaks, as printed
    text: str  # the cleaned spoken text, or the reported procedural sentence
    spoken: str  # what was said (cleaned): the words this paragraph stands for
    reported: bool = False  # a procedural sentence in the third person

    def render(self) -> str:
        return self.text if self.reported else f"{self.label}: {self.text}"


@dataclass
class Wortprotokoll:
    paragraphs: list[Paragraph] = field(default_factory=list)
    removed: int = 0  # hesitations removed (sounds, repeats, false starts)
    named: int = 0  # contributions whose speaker is named
    role: int = 0  # contributions of the chair („Der Vorsitzende“, „Die Sitzungsleitung“)
    neutral: int = 0  # contributions with the neutral label („Ein Mitglied des Gremiums“)

    @property
    def text(self) -> str:
        return "\n".join(p.render() for p in self.paragraphs)


def _chair(person: Attendee | None) -> str:
    """„Der Vorsitzende“ / „Die Vorsitzende“ when the roster says which, else the neutral label."""
    words = [person.form_of_address, *person.name.split()] if person else []
    found = next((g for w in words if w and (g := gender(w)) in ("f", "m")), "")
    return {"m": "Der Vorsitzende", "f": "Die Vorsitzende"}.get(found, _upper(CHAIR_LABEL))


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def person_label(person: Attendee, fallback: str) -> str:
    """„Stadtrat Honné (GRÜNE)“: title or form of address, family name, Fraktion (else role)."""
    name = person.name.strip()
    address = person.form_of_address.strip()
    paren = person.faction.strip() or re.sub(r"^Verwaltung\s*\((.+)\)$", r"\1", person.role.strip())
    paren = "" if paren.lower() in ("", "mitglied") else paren.replace("(", "").replace(")", "")
    if _TITLES.match(name):
        core = name  # the roster already says „Stadtrat Bauer“
    elif address:
        doctor = "Dr. " if re.search(r"\bDr\.", name) else ""
        core = f"{address} {doctor}{person.surname}"
    else:
        return fallback  # no title known: the full name with Fraktion, as the other drafts print it
    return f"{core} ({paren})" if paren and paren not in core else core


def wort_labels(
    segments: list[Segment], labels: dict[str, str], names: dict[str, str], roster: list[Attendee] | None
) -> dict[str, str]:
    """Speaker id -> label of the Wortprotokoll (``labels``: the draft's labels, never raw ids)."""
    roster = roster or []
    out: dict[str, str] = {}
    for sid, label in labels.items():
        given = (names.get(sid) or "").strip()
        person = next((p for p in roster if given and p.name == given), None)
        if person is not None and _CHAIR_ROLE.search(person.role):
            out[sid] = _chair(person)
        elif label == CHAIR_LABEL:
            chair = next((p for p in roster if _CHAIR_ROLE.search(p.role)), None)
            out[sid] = _chair(chair)
        elif person is not None:
            out[sid] = person_label(person, label)
        else:
            out[sid] = label if not is_raw_id(label) else MEMBER_LABEL
    for seg in segments:
        out.setdefault(seg.speaker or "", MEMBER_LABEL)
    return {k: _upper(v) for k, v in out.items()}


def report_procedure(sentence: str, label: str) -> str | None:
    """The chair's procedural sentence in the third person, or None when it is not one."""
    s = sentence.strip()
    m = _CALL.match(s)
    n = m.group("n") if m else ""
    number = n if n[:1].isdigit() else parse_number_word(n)
    title_only = m is not None and len(s[m.end() :].split()) <= MAX_TITLE_WORDS
    # "Punkt drei Baumpflanzprogramm" (no punctuation after the number): only the chair calls so
    if m and number is not None and title_only and (m.group("end").strip() or label in CHAIR_LABELS):
        what = m.group("what").replace(n, str(number))
        what = what[:1].upper() + what[1:] if what.lower().startswith("tagesordnungspunkt") else what
        return f"{label} ruft {what} zur Behandlung auf."
    if _VOTE_CALL.match(s):
        return f"{label} lässt abstimmen."
    if m := _ACT.match(s):
        return f"{label} {_ACTS[m.group('verb').lower()]} {m.group('what')}."
    return None


def build(
    segments: list[Segment],
    labels: dict[str, str],
    names: dict[str, str] | None = None,
    roster: list[Attendee] | None = None,
) -> Wortprotokoll:
    """The Wortprotokoll of one item's ``segments`` (``labels``: the draft's speaker labels)."""
    shown = wort_labels(segments, labels, names or {}, roster)
    result = Wortprotokoll()
    for c in contributions(segments, shown):
        cleaned = clean_spoken(c.text)
        result.removed += cleaned.removed
        label = shown.get(c.speaker, _upper(MEMBER_LABEL))
        if label == _upper(MEMBER_LABEL):
            result.neutral += 1
        elif label in CHAIR_LABELS:
            result.role += 1
        else:
            result.named += 1
        spoken: list[str] = []
        for m in _SENT.finditer(cleaned.text):
            sentence = m.group().strip()
            if not sentence:
                continue
            reported = report_procedure(sentence, label)
            if reported is None:
                spoken.append(sentence)
                continue
            if spoken:
                text = " ".join(spoken)
                result.paragraphs.append(Paragraph(label, text, text))
                spoken = []
            last = result.paragraphs[-1] if result.paragraphs else None
            if last is not None and last.reported and last.text == reported:  # "Wer ist dafür? Dagegen?"
                last.spoken += " " + sentence
                continue
            result.paragraphs.append(Paragraph(label, reported, sentence, reported=True))
        if spoken:
            text = " ".join(spoken)
            result.paragraphs.append(Paragraph(label, text, text))
    return result
