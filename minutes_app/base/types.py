"""Result dataclasses shared by every stage.

Each stage returns one of these; they serialise to plain JSON-able dicts with
``to_dict`` and come back with ``from_dict``. Times are seconds from the start
of the recording.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: str | None = None

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Segment:
        return Segment(
            id=int(d["id"]),
            start=float(d["start"]),
            end=float(d["end"]),
            text=str(d["text"]),
            words=[Word(**_known(Word, w)) for w in d.get("words", [])],
            speaker=d.get("speaker"),
        )


@dataclass
class Transcript:
    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Transcript:
        return Transcript(
            language=str(d["language"]),
            duration=float(d["duration"]),
            segments=[Segment.from_dict(s) for s in d.get("segments", [])],
            model=str(d.get("model", "")),
        )


@dataclass
class SpeakerTurn:
    start: float
    end: float
    speaker: str


@dataclass
class Diarization:
    turns: list[SpeakerTurn] = field(default_factory=list)
    model: str = ""

    @property
    def speakers(self) -> list[str]:
        return sorted({t.speaker for t in self.turns})

    def to_dict(self) -> dict[str, Any]:
        return {"turns": [asdict(t) for t in self.turns], "model": self.model}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Diarization:
        return Diarization(
            turns=[SpeakerTurn(**_known(SpeakerTurn, t)) for t in d.get("turns", [])],
            model=str(d.get("model", "")),
        )

    def to_rttm(self, uri: str = "session") -> str:
        lines = [
            f"SPEAKER {uri} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} <NA> <NA>"
            for t in self.turns
        ]
        return "\n".join(lines) + ("\n" if lines else "")


@dataclass
class Speaker:
    id: str
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


def _known(cls: Any, d: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``d`` that are fields of dataclass ``cls`` (newer files may hold more)."""
    return {k: v for k, v in d.items() if k in cls.__dataclass_fields__}


@dataclass
class AgendaItem:
    """An item of the Tagesordnung as given (before the session).

    ``number`` is free text as printed ("3", "3.1", "Ö 5", "N 2"). ``public`` is
    False for the nichtöffentliche part (Teil B). ``paper`` is the Vorlage /
    Drucksache number, ``proposal`` the Beschlussvorschlag when the invitation
    gives one, ``oparl_id`` the OParl AgendaItem URL when it came from OParl.
    """

    number: str
    title: str
    public: bool = True
    paper: str = ""
    proposal: str = ""
    oparl_id: str = ""

    @staticmethod
    def from_dict(d: dict[str, Any]) -> AgendaItem:
        known = _known(AgendaItem, d)
        known["number"], known["title"] = str(d.get("number", "")), str(d.get("title", ""))
        known["public"] = d.get("public") is True  # fail closed: only JSON true is public (Teil B)
        return AgendaItem(**known)


# Roles of a person in the session (Anwesenheit sections of the Niederschrift).
ROLES = ("Vorsitz", "Mitglied", "beratendes Mitglied", "Verwaltung", "Gast", "Schriftführung")


@dataclass
class Attendee:
    """A person on the roster (Anwesenheitsliste). Personal data: stays in the session folder.

    ``name`` is the display name ("Dr. Anna Schnell"); ``family_name`` is what
    the chair calls ("Herr Schnell"). ``role`` is free text, usually one of
    ``ROLES``; ``substitute_for`` names the member a substitute stands in for
    ("i. V. für"). ``present`` False means entschuldigt fehlend. ``arrived`` /
    ``left`` are clock times ("18:40") for late arrival / early departure.
    """

    name: str
    faction: str = ""  # Fraktion
    role: str = ""  # Rolle
    form_of_address: str = ""  # "Herr", "Frau", "Stadtrat" …
    given_name: str = ""
    family_name: str = ""
    substitute_for: str = ""
    present: bool = True
    arrived: str = ""
    left: str = ""
    oparl_id: str = ""

    @property
    def surname(self) -> str:
        """The family name: given, else the last word of the name without a title."""
        if self.family_name:
            return self.family_name
        words = [w for w in self.name.replace(",", " ").split() if not w.endswith(".")]
        return words[-1] if words else self.name

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Attendee:
        known = _known(Attendee, d)
        known["name"] = str(d.get("name", ""))
        return Attendee(**known)


@dataclass
class Vote:
    outcome: str | None = None  # e.g. "einstimmig angenommen", "mehrheitlich abgelehnt"
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    roll_call: bool = False  # namentliche Abstimmung

    def is_empty(self) -> bool:
        return self.outcome is None and self.yes is None and self.no is None and self.abstain is None


@dataclass
class Evidence:
    start: float
    end: float
    segment_ids: list[int] = field(default_factory=list)


# Kinds of ProcedureEvent (procedure.py recognises them from the transcript).
PROCEDURE_KINDS = {
    "geschaeftsordnung": "Antrag zur Geschäftsordnung",
    "aenderungsantrag": "Änderungsantrag",
    "antrag": "Antrag",
    "befangenheit": "Befangenheit",
    "namentliche_abstimmung": "Namentliche Abstimmung",
    "unterbrechung": "Unterbrechung",
    "protokollerklaerung": "Protokollerklärung",
}


@dataclass
class ProcedureEvent:
    """A procedural fact heard in the session, with its evidence.

    ``kind`` is a key of ``PROCEDURE_KINDS``; ``detail`` narrows it ("Vertagung",
    "Absetzung", "Verweisung", "Schluss der Debatte" for a GO-Antrag); ``who`` is
    the speaker label or the person named; ``text`` the German sentence for the
    minutes. For an interruption ``start``/``end`` are its times.
    """

    kind: str
    text: str
    start: float
    end: float
    who: str = ""
    detail: str = ""
    evidence: list[Evidence] = field(default_factory=list)

    def line(self) -> str:
        """``Antrag zur Geschäftsordnung (Vertagung) – Herr Schnell: …`` (as the Niederschrift lists it)."""
        label = PROCEDURE_KINDS.get(self.kind, self.kind)
        if self.detail.strip():
            label += f" ({self.detail.strip()})"
        if self.who.strip():
            label += f" – {self.who.strip()}"
        text = self.text.strip()
        return f"{label}: {text}" if text else label

    @staticmethod
    def from_dict(d: dict[str, Any]) -> ProcedureEvent:
        known = _known(ProcedureEvent, d)
        known["evidence"] = [Evidence(**_known(Evidence, e)) for e in d.get("evidence", [])]
        return ProcedureEvent(**known)


@dataclass
class MinutesItem:
    number: str
    title: str
    start: float | None = None
    end: float | None = None
    discussion: str = ""
    motions: list[str] = field(default_factory=list)
    resolution: str = ""
    vote: Vote = field(default_factory=Vote)
    evidence: list[Evidence] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # human-readable German review hints
    public: bool = True  # False: Teil B (nichtöffentlich), never in a public export
    paper: str = ""  # Vorlage / Drucksache
    proposal: str = ""  # Beschlussvorschlag of the invitation
    procedure: list[ProcedureEvent] = field(default_factory=list)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> MinutesItem:
        return MinutesItem(
            public=d.get("public") is True,  # fail closed: "false", 0, null or missing = Teil B
            paper=str(d.get("paper", "")),
            proposal=str(d.get("proposal", "")),
            procedure=[ProcedureEvent.from_dict(p) for p in d.get("procedure", [])],
            number=str(d["number"]),
            title=str(d.get("title", "")),
            start=d.get("start"),
            end=d.get("end"),
            discussion=str(d.get("discussion", "")),
            motions=[str(m) for m in d.get("motions", [])],
            resolution=str(d.get("resolution", "")),
            vote=Vote(**_known(Vote, d.get("vote", {}))),
            evidence=[Evidence(**_known(Evidence, e)) for e in d.get("evidence", [])],
            flags=[str(f) for f in d.get("flags", [])],
        )


# 2: an item's Anträge and Änderungsanträge are its ``motions`` (the list the secretary
# edits and the Niederschrift prints). In format 1 (drafts before #16) the recogniser's were
# only in its ``procedure``, which the Niederschrift printed beside the motions.
MINUTES_FORMAT = 2
MOVED_MOTION_KINDS = ("antrag", "aenderungsantrag")


@dataclass
class Minutes:
    agenda_items: list[MinutesItem] = field(default_factory=list)
    model: str = ""
    prompt_version: str = ""
    engine: str = ""
    protocol_type: str = ""  # "ergebnis" | "verlauf" | "wort"
    # Session-level procedure: interruptions (Unterbrechungen) with their times.
    events: list[ProcedureEvent] = field(default_factory=list)
    format: int = MINUTES_FORMAT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Minutes:
        items = [MinutesItem.from_dict(i) for i in d.get("agenda_items", [])]
        if int(d.get("format", 1)) < 2:
            for item in items:  # format 1: the recogniser's Anträge join the motions, as printed then
                item.motions += [
                    e.line()
                    for e in item.procedure
                    if e.kind in MOVED_MOTION_KINDS and not _listed(e, item.motions)
                ]
        return Minutes(
            agenda_items=items,
            protocol_type=str(d.get("protocol_type", "")),
            events=[ProcedureEvent.from_dict(e) for e in d.get("events", [])],
            model=str(d.get("model", "")),
            prompt_version=str(d.get("prompt_version", "")),
            engine=str(d.get("engine", "")),
        )


def _listed(event: ProcedureEvent, motions: list[str]) -> bool:
    """The event is among the motions already: its text, or its line, is one of them."""
    texts = {m.strip() for m in motions}
    return event.text.strip() in texts or event.line() in texts


@dataclass
class SessionInfo:
    """Header data of the Niederschrift (Kopf)."""

    title: str = "Niederschrift"
    committee: str = ""  # Gremium
    date: str = ""
    location: str = ""
    start_time: str = ""
    end_time: str = ""
    session_number: str = ""  # Sitzungsnummer
    chair: str = ""  # Vorsitz
    recorder: str = ""  # Schriftführung
    public: str = "öffentliche Sitzung"  # or "öffentliche und nichtöffentliche Sitzung"
    oparl_id: str = ""  # OParl Meeting URL when imported from OParl

    @staticmethod
    def from_dict(d: dict[str, Any]) -> SessionInfo:
        known = {k: str(v) for k, v in d.items() if k in SessionInfo.__dataclass_fields__}
        return SessionInfo(**known)
