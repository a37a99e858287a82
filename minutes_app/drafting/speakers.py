"""Who speaks, as the draft names them: never a raw diarization id.

``draft_labels`` maps every speaker id of the transcript to the label the draft prints:
the name the secretary gave (with Fraktion or role from the roster: "Dr. Aylin Demir
(GRÜNE)"), else "die Sitzungsleitung" for the unnamed speaker who runs the session
(calls items, puts votes), else a neutral "ein Mitglied des Gremiums".
``contributions`` splits an item's transcript into the consecutive speech of one speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.types import AgendaItem, Attendee, Segment
from .quality import RAW_ID

CHAIR_LABEL = "die Sitzungsleitung"
MEMBER_LABEL = "ein Mitglied des Gremiums"
_CHAIR_ACTS = re.compile(
    r"\brufe\b.{0,40}\bauf\b|\bwir\s+kommen\s+(?:jetzt\s+|nun\s+)?zu\b|\bwer\s+ist\s+dafür|\bgegenstimmen\b|"
    r"\bdas\s+wort\s+hat\b|\bich\s+eröffne\b|\bich\s+schließe\b|\benthaltungen\s*\?",
    re.IGNORECASE,
)
_CHAIR_ROLE = re.compile(r"vorsitz|bürgermeister|sitzungsleitung", re.IGNORECASE)
# The grammatical gender of a label, from its title or role: „Stadträtin Melchien (SPD)“ and
# „die Sitzungsleitung“ take „sie/ihr“, „Stadtrat Bauer“ „er/sein“, „ein Mitglied …“ „es/sein“.
_FEMININE = re.compile(
    r"^(?:die\s+(?:sitzungsleitung|vorsitzende|verwaltung)|frau|ratsfrau|\w*rätin|\w*meisterin|"
    r"\w*vertreterin|\w*vorsteherin|beigeordnete|\w*verordnete)\b",
    re.IGNORECASE,
)
_MASCULINE = re.compile(
    r"^(?:der\s+vorsitzende|herr|ratsherr|\w*rat|\w*meister|\w*vertreter|\w*vorsteher|beigeordneter)\b",
    re.IGNORECASE,
)
_NEUTER = re.compile(r"^(?:ein|das)\s+(?:mitglied|ratsmitglied)\b", re.IGNORECASE)


def gender(label: str) -> str:
    """„f“, „m“ or „n“ as the label's title or role says, else "" (a bare name: unknown)."""
    label = re.sub(r"^(?:dr\.|prof\.)\s*", "", label.strip(), flags=re.IGNORECASE)
    for mark, pattern in (("n", _NEUTER), ("f", _FEMININE), ("m", _MASCULINE)):
        if pattern.match(label):
            return mark
    return ""


def is_raw_id(label: str) -> bool:
    return bool(RAW_ID.search(label)) or label.strip().lower() in ("", "unbekannt")


def _person_label(name: str, roster: list[Attendee]) -> str:
    person = next((p for p in roster if p.name == name), None)
    if person is None:
        return name
    if person.faction and person.faction not in name:
        return f"{name} ({person.faction})"
    role = person.role.strip()
    if role and role.lower() not in ("mitglied", "") and role not in name:
        return f"{name} ({role.replace('(', '').replace(')', '')})"
    return name


def chair_speaker(segments: list[Segment]) -> str | None:
    """The speaker who runs the session: most chair acts (at least two)."""
    acts: dict[str, int] = {}
    for seg in segments:
        if seg.speaker and _CHAIR_ACTS.search(seg.text):
            acts[seg.speaker] = acts.get(seg.speaker, 0) + 1
    if not acts:
        return None
    best = max(acts, key=lambda k: acts[k])
    return best if acts[best] >= 2 else None


def draft_labels(
    segments: list[Segment], names: dict[str, str], roster: list[Attendee] | None = None
) -> dict[str, str]:
    """Speaker id -> label for the draft, for every speaker of ``segments`` (no raw ids)."""
    roster = roster or []
    labels: dict[str, str] = {}
    chair = chair_speaker(segments)
    chair_named = any(_CHAIR_ROLE.search(p.role) and p.name in names.values() for p in roster)
    for seg in segments:
        sid = seg.speaker
        if sid is None or sid in labels:
            continue
        given = (names.get(sid) or "").strip()
        if given and not is_raw_id(given):
            labels[sid] = _person_label(given, roster)
        elif sid == chair and not chair_named:
            labels[sid] = CHAIR_LABEL
        else:
            labels[sid] = MEMBER_LABEL
    return labels


def known_names(agenda: list[AgendaItem] | None, roster: list[Attendee] | None) -> list[str]:
    """Texts whose names and numbers a draft may use besides the transcript: roster and agenda."""
    out = [f"{p.name} {p.faction} {p.role} {p.family_name}" for p in roster or []]
    out += [f"{a.number} {a.title} {a.paper}" for a in agenda or []]
    return out


def label_of(seg: Segment, labels: dict[str, str]) -> str:
    return labels.get(seg.speaker or "", MEMBER_LABEL)


@dataclass
class Contribution:
    """Consecutive speech of one speaker inside an item."""

    speaker: str  # id
    label: str  # as printed
    segments: list[Segment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def seconds(self) -> float:
        return sum(s.end - s.start for s in self.segments)

    @property
    def words(self) -> int:
        return len(self.text.split())


def contributions(segments: list[Segment], labels: dict[str, str]) -> list[Contribution]:
    out: list[Contribution] = []
    for seg in segments:
        if not seg.text.strip():
            continue
        sid = seg.speaker or ""
        if out and out[-1].speaker == sid:
            out[-1].segments.append(seg)
        else:
            out.append(Contribution(sid, label_of(seg, labels), [seg]))
    return out


_PROCEDURAL = re.compile(
    r"\brufe\b|\bkommen\s+(?:jetzt\s+|nun\s+)?zu\b|\bwer\s+(?:ist|stimmt)\b|\bgegenstimmen\b|\benthält\b|"
    r"\benthaltung|\beinstimmig\b|\bmehrheit\b|\bdas\s+wort\b|\bwortmeldung|\bvielen\s+dank\b|^danke\b|"
    r"\beröffne\b|\bschließe\b|\babstimm|\bstimmen\s+(?:wir\s+)?ab\b|\bbeschlossen\b|\bangenommen\b|"
    r"\babgelehnt\b|\blautet\b|\bbeschließt\b|\bbeschlussvorschlag\b|\bhandzeichen\b|\bbeschlussfähig\b|\beingeladen\b|\bbegrüße\b|\btagesordnung\b|"
    r"\bliegt\s+ihnen\s+vor\b|,\s*bitte\s*[.!]?$|^bitte\b|\bnicht\s+der\s+fall\b",
    re.IGNORECASE,
)


def content_text(c: Contribution) -> str:
    """The contribution without its procedural sentences (what the Beratung summarises)."""
    from .quality import sentences

    return " ".join(s for s in sentences(c.text) if not _PROCEDURAL.search(s))


def dative(label: str) -> str:
    """„von der Sitzungsleitung“, „von einem Mitglied des Gremiums“; names stay as they are."""
    return {CHAIR_LABEL: "der Sitzungsleitung", MEMBER_LABEL: "einem Mitglied des Gremiums"}.get(label, label)


def content_words(c: Contribution) -> int:
    """Words of the contribution outside procedural sentences (calls, votes, giving the floor)."""
    from .quality import sentences

    return sum(len(s.split()) for s in sentences(c.text) if not _PROCEDURAL.search(s))


def is_substantive(c: Contribution, min_words: int = 10) -> bool:
    """Worth a sentence in the Beratung: some content beyond running the session.

    (The issue's "about 15 s" is ~30 spoken words; short statements of a position such as
    „Wir tragen das mit, wenn …“ matter in a committee, so the bar is content words.)
    """
    return content_words(c) >= min_words
