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
            words=[Word(**w) for w in d.get("words", [])],
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
            turns=[SpeakerTurn(**t) for t in d.get("turns", [])],
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


@dataclass
class AgendaItem:
    """An item of the Tagesordnung as given (before the session)."""

    number: str
    title: str


@dataclass
class Vote:
    outcome: str | None = None  # e.g. "einstimmig angenommen", "mehrheitlich abgelehnt"
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None

    def is_empty(self) -> bool:
        return self.outcome is None and self.yes is None and self.no is None and self.abstain is None


@dataclass
class Evidence:
    start: float
    end: float
    segment_ids: list[int] = field(default_factory=list)


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

    @staticmethod
    def from_dict(d: dict[str, Any]) -> MinutesItem:
        return MinutesItem(
            number=str(d["number"]),
            title=str(d.get("title", "")),
            start=d.get("start"),
            end=d.get("end"),
            discussion=str(d.get("discussion", "")),
            motions=[str(m) for m in d.get("motions", [])],
            resolution=str(d.get("resolution", "")),
            vote=Vote(**d.get("vote", {})),
            evidence=[Evidence(**e) for e in d.get("evidence", [])],
            flags=[str(f) for f in d.get("flags", [])],
        )


@dataclass
class Minutes:
    agenda_items: list[MinutesItem] = field(default_factory=list)
    model: str = ""
    prompt_version: str = ""
    engine: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Minutes:
        return Minutes(
            agenda_items=[MinutesItem.from_dict(i) for i in d.get("agenda_items", [])],
            model=str(d.get("model", "")),
            prompt_version=str(d.get("prompt_version", "")),
            engine=str(d.get("engine", "")),
        )


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

    @staticmethod
    def from_dict(d: dict[str, Any]) -> SessionInfo:
        known = {k: str(v) for k, v in d.items() if k in SessionInfo.__dataclass_fields__}
        return SessionInfo(**known)
